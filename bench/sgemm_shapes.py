#!/usr/bin/env python3
"""Single-threaded OpenBLAS sgemm on the benchmark MLPs' layer shapes, with the weights as
stored ([out, in], transB) and pre-transposed ([in, out], no transpose): does storing the
weights transposed at load help, and how fast is OpenBLAS on these shapes? Calls the system
`libopenblas.so.0` (the library modelrun links) through ctypes; prints microseconds per call
(mean of 300 calls, 10 for the largest shape, after 20 warm-up calls) and GFLOP/s.

Usage: python3 bench/sgemm_shapes.py
"""
import ctypes
import time

import numpy as np

ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112
# The MLP's layers at 128 and 256 rows, a wide-MLP layer, and the wide MLP's 2-thread column block.
SHAPES = [(128, 512, 784), (128, 256, 512), (256, 512, 784), (256, 256, 512), (128, 4096, 1024), (256, 2048, 4096)]


def main():
    blas = ctypes.CDLL("libopenblas.so.0")
    blas.openblas_set_num_threads(1)
    sgemm = blas.cblas_sgemm
    sgemm.argtypes = [ctypes.c_int] * 6 + [ctypes.c_float, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p,
                                           ctypes.c_int, ctypes.c_float, ctypes.c_void_p, ctypes.c_int]
    rng = np.random.default_rng(0)

    def time_call(m, n, k, trans_b):
        reps = 300 if m * n * k < 1 << 30 else 10
        a = rng.random((m, k), dtype=np.float32)
        b = rng.random((n, k) if trans_b else (k, n), dtype=np.float32)
        c = np.zeros((m, n), np.float32)
        args = (ROW_MAJOR, NO_TRANS, TRANS if trans_b else NO_TRANS, m, n, k, 1.0, a.ctypes.data, k,
                b.ctypes.data, k if trans_b else n, 0.0, c.ctypes.data, n)
        for _ in range(20):
            sgemm(*args)
        start = time.perf_counter()
        for _ in range(reps):
            sgemm(*args)
        return (time.perf_counter() - start) / reps * 1e6

    print("| M | N | K | [out,in] (transB) µs | [in,out] µs | GFLOP/s (transB) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for m, n, k in SHAPES:
        stored, transposed = time_call(m, n, k, True), time_call(m, n, k, False)
        print(f"| {m} | {n} | {k} | {stored:.1f} | {transposed:.1f} | {2 * m * n * k / stored / 1e3:.1f} |")


if __name__ == "__main__":
    main()
