#!/usr/bin/env python3
"""Times ONNX Runtime and `modelrun bench` on the bench models in one run, checks that their
outputs agree, and measures the sgemm rate of OpenBLAS to put the wide MLP against its GEMM limit.

For each model x batch {1, 256} x threads {1, 2}:
  - ONNX Runtime: CPUExecutionProvider, intra_op_num_threads = threads, inter_op_num_threads = 1,
    ORT_ENABLE_ALL; warm-up runs, then the median of timed `session.run` calls (in this process).
  - modelrun: `modelrun bench MODEL --batch-size B --threads T --runs R --warmup W --json`
    (its median; the timing is inside the process, around `InferenceSession.run`).
  - Agreement: when `modelrun --help` lists `infer`, the same seeded input goes through
    `modelrun infer MODEL --input x=IN.npy -o OUT.npy --threads T` and ORT, and the outputs are
    compared; otherwise the table says "not checked".
  - sgemm rate: `cblas_sgemm` of the system OpenBLAS (libopenblas.so.0, the library modelrun
    links) on square float32 matrices, with `openblas_set_num_threads(T)`. The GEMM limit of the
    wide MLP is its FLOPs (2 * sum(in*out) * batch) / that rate. A second, tighter limit times
    the model's own three layers as bare BLAS calls (sgemm, or sgemv at batch 1) through the same library.

Usage:
  python3 bench/run_peers.py [--modelrun .build-release/release/modelrun] [--quick]
                             [--models mlp,lenet,wide_mlp] [--json-out FILE]
"""
import argparse
import ctypes
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
import onnxruntime as ort

from machine_load import ForeignLoad, wait_quiet

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MODELS = ["mlp", "lenet", "wide_mlp"]
BATCHES = [1, 256]
THREADS = [1, 2]
WIDE_LAYERS = [(1024, 4096), (4096, 4096), (4096, 1024)]
MLP_LAYERS = {"mlp": [(784, 512), (512, 256), (256, 10)], "wide_mlp": WIDE_LAYERS}

# ---------------------------------------------------------------------------------------------
# OpenBLAS through ctypes

CblasRowMajor, CblasNoTrans, CblasTrans = 101, 111, 112


class OpenBLAS:
    def __init__(self):
        self.lib = ctypes.CDLL("libopenblas.so.0")
        self.lib.cblas_sgemm.restype = None
        self.lib.cblas_sgemm.argtypes = [
            ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int,
            ctypes.c_float, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int,
            ctypes.c_float, ctypes.c_void_p, ctypes.c_int]
        self.lib.cblas_sgemv.restype = None
        self.lib.cblas_sgemv.argtypes = [
            ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_float, ctypes.c_void_p, ctypes.c_int,
            ctypes.c_void_p, ctypes.c_int, ctypes.c_float, ctypes.c_void_p, ctypes.c_int]
        self.lib.openblas_set_num_threads.argtypes = [ctypes.c_int]
        self.lib.openblas_set_num_threads.restype = None
        try:
            self.lib.openblas_get_config.restype = ctypes.c_char_p
            self.config = self.lib.openblas_get_config().decode()
        except AttributeError:
            self.config = "?"

    def sgemv(self, w, x, y):
        """y[M] = w[M,N] @ x[N] (row-major w)."""
        m, n = w.shape
        self.lib.cblas_sgemv(CblasRowMajor, CblasNoTrans, m, n, 1.0, w.ctypes.data, n, x.ctypes.data, 1, 0.0,
                             y.ctypes.data, 1)

    def set_threads(self, n):
        self.lib.openblas_set_num_threads(n)

    def sgemm(self, a, b, c, trans_b=False):
        """c[M,N] = a[M,K] @ (b[N,K]^T if trans_b else b[K,N])."""
        m, k = a.shape
        n = b.shape[0] if trans_b else b.shape[1]
        self.lib.cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans if trans_b else CblasNoTrans, m, n, k, 1.0,
            a.ctypes.data, k, b.ctypes.data, b.shape[1], 0.0, c.ctypes.data, n)


def time_calls(fn, warmup, runs):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times), min(times)


def sgemm_rate(blas, threads, size, runs):
    """GFLOP/s of an n x n x n sgemm (best of `runs`, after one warm-up)."""
    rng = np.random.default_rng(1)
    a = rng.standard_normal((size, size), dtype=np.float32)
    b = rng.standard_normal((size, size), dtype=np.float32)
    c = np.empty((size, size), dtype=np.float32)
    blas.set_threads(threads)
    _, best = time_calls(lambda: blas.sgemm(a, b, c), 1, runs)
    return 2.0 * size ** 3 / (best / 1e3) / 1e9


def shape_blas_ms(blas, layers, threads, batch, runs):
    """Median time of an MLP's layers as bare BLAS calls through the same library, with
    OpenBLAS's own threads (weights [out,in]): sgemm with transB, or sgemv when batch = 1 (what
    a runtime should call for one row; sgemm at m = 1 repacks the whole weight matrix every
    call). Bias and activation are left out, so this is a bound for a runtime on OpenBLAS."""
    rng = np.random.default_rng(2)
    blas.set_threads(threads)
    xs = [rng.standard_normal((batch, i), dtype=np.float32) for i, _ in layers]
    ws = [rng.standard_normal((o, i), dtype=np.float32) for i, o in layers]
    ys = [np.empty((batch, o), dtype=np.float32) for _, o in layers]

    def run():
        for x, w, y in zip(xs, ws, ys):
            if batch == 1:
                blas.sgemv(w, x, y)
            else:
                blas.sgemm(x, w, y, trans_b=True)

    median, _ = time_calls(run, 2, runs)
    return median


def wide_flops(batch):
    return 2.0 * sum(i * o for i, o in WIDE_LAYERS) * batch


# ---------------------------------------------------------------------------------------------
# ONNX Runtime and modelrun


def ort_session(path, threads):
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def input_shape(path, batch):
    model = onnx.load(path, load_external_data=False)
    dims = model.graph.input[0].type.tensor_type.shape.dim
    return [d.dim_value if d.HasField("dim_value") else batch for d in dims]


def bench_input(shape):
    """The pattern `modelrun bench` feeds: ((i * 7919) % 1000) / 1000 - 0.5."""
    count = int(np.prod(shape))
    i = np.arange(count, dtype=np.int64)
    return (((i * 7919) % 1000).astype(np.float32) / 1000 - 0.5).reshape(shape)


def modelrun_bench(modelrun, path, batch, threads, runs, warmup):
    cmd = [modelrun, "bench", path, "--batch-size", str(batch), "--threads", str(threads),
           "--runs", str(runs), "--warmup", str(warmup), "--json"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.strip()}")
    out = proc.stdout
    return json.loads(out[out.index("{"):])


def has_infer(modelrun):
    """Whether `modelrun` has an `infer` subcommand: listed by `--help`, or (when `--help` does
    not print the help text) answered by `modelrun infer` with its own usage line."""
    proc = subprocess.run([modelrun, "--help"], capture_output=True, text=True)
    if any(line.strip().startswith("infer") for line in (proc.stdout + proc.stderr).splitlines()):
        return True
    proc = subprocess.run([modelrun, "infer"], capture_output=True, text=True)
    return "Usage: modelrun infer" in proc.stdout + proc.stderr


def check_agreement(modelrun, path, session, batch, threads, workdir):
    """Runs one seeded input through both; returns (ok, text)."""
    shape = input_shape(path, batch)
    x = np.random.default_rng(3).standard_normal(shape, dtype=np.float32)
    x_path = os.path.join(workdir, "x.npy")
    y_path = os.path.join(workdir, "y.npy")
    np.save(x_path, x)
    if os.path.exists(y_path):
        os.remove(y_path)
    cmd = [modelrun, "infer", path, "--input", f"x={x_path}", "-o", y_path, "--threads", str(threads)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        return False, f"infer failed ({proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else proc.returncode})"
    ours = np.load(y_path)
    (theirs,) = session.run(["y"], {"x": x})
    if ours.shape != theirs.shape:
        return False, f"NO: shape {list(ours.shape)} vs ORT {list(theirs.shape)}"
    scale = max(1.0, float(np.max(np.abs(theirs))))
    diff = float(np.max(np.abs(ours.astype(np.float64) - theirs)))
    ok = diff <= 1e-4 * scale and bool(np.all(np.isfinite(ours)))
    return ok, f"{'yes' if ok else 'NO'} (max abs diff {diff:.1e}, max abs {scale:.1f})"


# ---------------------------------------------------------------------------------------------


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"nproc": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "onnxruntime": ort.__version__, "onnx": onnx.__version__, "numpy": np.__version__}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modelrun", default=os.path.join(ROOT, ".build-release", "release", "modelrun"))
    parser.add_argument("--models-dir", default=os.path.join(HERE, "models"))
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--quick", action="store_true", help="fewer runs (rough numbers)")
    parser.add_argument("--json-out", help="also write every measurement here")
    parser.add_argument("--rounds", type=int, default=0,
                        help="interleaved ORT/modelrun rounds per row, each a fresh modelrun process; the "
                             "table gives the median of the round medians (default 3, 1 with --quick)")
    parser.add_argument("--retries", type=int, default=3,
                        help="re-measure a row (after waiting for a quiet machine) when other processes "
                             "used more than --quiet-threshold cores meanwhile; the quietest attempt is kept")
    parser.add_argument("--quiet-threshold", type=float, default=0.15)
    args = parser.parse_args()

    if not os.access(args.modelrun, os.X_OK):
        sys.exit(f"modelrun not found at {args.modelrun}; build it with "
                 "`swift build -c release --scratch-path .build-release` or pass --modelrun")
    models = [m for m in args.models.split(",") if m]
    if any(not os.path.exists(os.path.join(args.models_dir, f"{m}.onnx")) for m in models):
        subprocess.run([sys.executable, os.path.join(HERE, "make_models.py"), "--out", args.models_dir], check=True)

    # (warm-up, timed runs) by expected cost; --quick cuts both.
    def runs_for(model, batch):
        heavy = model == "wide_mlp" and batch > 1
        if args.quick:
            return (2, 5) if heavy else (10, 50)
        return (5, 30) if heavy else (50, 500)

    rounds = args.rounds if args.rounds else (1 if args.quick else 3)
    info = machine()
    blas = OpenBLAS()
    info["openblas"] = blas.config
    info["load_before"] = os.getloadavg()
    print(f"# {info['nproc']} cores, {info['cpu']}; onnxruntime {info['onnxruntime']}; "
          f"OpenBLAS {blas.config}; load average {info['load_before'][0]:.2f}", file=sys.stderr)

    infer = has_infer(args.modelrun)
    if not infer:
        print("# `modelrun infer` not available: output agreement is not checked", file=sys.stderr)

    # sgemm rate per thread count
    size, sgemm_runs = (2048, 2) if args.quick else (4096, 3)
    wait_quiet(args.quiet_threshold, 180)
    rates = {t: sgemm_rate(blas, t, size, sgemm_runs) for t in THREADS}
    for t, r in rates.items():
        print(f"# sgemm {size}^3, {t} thread(s): {r:.1f} GFLOP/s", file=sys.stderr)

    rows = []
    workdir = tempfile.mkdtemp(prefix="bench-peers-")
    try:
        for model in models:
            path = os.path.join(args.models_dir, f"{model}.onnx")
            for batch in BATCHES:
                for threads in THREADS:
                    warmup, runs = runs_for(model, batch)
                    session = ort_session(path, threads)
                    feeds = {"x": bench_input(input_shape(path, batch))}
                    row = None
                    for attempt in range(args.retries + 1):
                        if attempt:
                            print(f"# {model} b{batch} t{threads}: other processes used {candidate['other_cpu']:.2f} "
                                  "cores; waiting for a quiet machine and measuring again", file=sys.stderr)
                            wait_quiet(args.quiet_threshold, 180)
                        load = ForeignLoad()
                        load.start()
                        ort_rounds, our_rounds, our_mins = [], [], []
                        for _ in range(rounds):  # interleaved, so both see the same machine
                            ort_rounds.append(time_calls(lambda: session.run(["y"], feeds), warmup, runs)[0])
                            ours = modelrun_bench(args.modelrun, path, batch, threads, runs, warmup)
                            our_rounds.append(ours["medianMilliseconds"])
                            our_mins.append(ours["minMilliseconds"])
                        candidate = {"model": model, "batch": batch, "threads": threads, "runs": runs,
                                     "rounds": rounds,
                                     "ort_ms": statistics.median(ort_rounds), "ort_round_ms": ort_rounds,
                                     "modelrun_ms": statistics.median(our_rounds), "modelrun_round_ms": our_rounds,
                                     "modelrun_min_ms": min(our_mins)}
                        if model in MLP_LAYERS:
                            candidate["shape_blas_ms"] = shape_blas_ms(
                                blas, MLP_LAYERS[model], threads, batch,
                                max(5, runs // 3) if model == "wide_mlp" and batch > 1 else 200)
                        candidate["other_cpu"] = load.stop()
                        candidate["attempts"] = attempt + 1
                        if row is None or candidate["other_cpu"] < row["other_cpu"]:
                            row = candidate
                        if row["other_cpu"] <= args.quiet_threshold:
                            break
                    row["ratio"] = row["ort_ms"] / row["modelrun_ms"]
                    if infer:
                        row["agree_ok"], row["agree"] = check_agreement(args.modelrun, path, session, batch, threads, workdir)
                    else:
                        row["agree_ok"], row["agree"] = None, "not checked"
                    if "shape_blas_ms" in row:
                        row["pct_shape_blas"] = 100 * row["shape_blas_ms"] / row["modelrun_ms"]
                        row["ort_pct_shape_blas"] = 100 * row["shape_blas_ms"] / row["ort_ms"]
                    if model == "wide_mlp":
                        flops = wide_flops(batch)
                        limit_ms = flops / (rates[threads] * 1e9) * 1e3
                        row["gemm_limit_ms"] = limit_ms
                        row["pct_gemm_limit"] = 100 * limit_ms / row["modelrun_ms"]
                        row["ort_pct_gemm_limit"] = 100 * limit_ms / row["ort_ms"]
                        row["weights_gbps"] = 4 * sum(i * o for i, o in WIDE_LAYERS) / (row["modelrun_ms"] / 1e3) / 1e9
                        row["ort_weights_gbps"] = 4 * sum(i * o for i, o in WIDE_LAYERS) / (row["ort_ms"] / 1e3) / 1e9
                    rows.append(row)
                    print(f"# {model} b{batch} t{threads}: ORT {row['ort_ms']:.3f} ms, "
                          f"modelrun {row['modelrun_ms']:.3f} ms, {row['agree']}, "
                          f"other processes {row['other_cpu']:.2f} cores", file=sys.stderr)
                    del session
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    info["load_after"] = os.getloadavg()

    print(f"Machine: {info['nproc']} cores, {info['cpu']}; onnxruntime {info['onnxruntime']}, "
          f"OpenBLAS {blas.config}. Load average before/after: "
          f"{info['load_before'][0]:.2f} / {info['load_after'][0]:.2f}.")
    print(f"sgemm rate ({size}x{size}x{size}, system OpenBLAS): "
          + ", ".join(f"{t} thread(s) {r:.1f} GFLOP/s" for t, r in rates.items()) + ".")
    if rounds > 1:
        print(f"Times: median of {rounds} interleaved rounds' medians (range of the round medians in brackets); "
              "each modelrun round is a new process.")
    print("'other CPU load' = cores used by other processes while the row was measured (from /proc/stat); "
          "rows with a high value are disturbed.")
    print()
    print("| model | batch | threads | ORT median ms | modelrun median ms | ORT time / modelrun time | output agreement | % of GEMM limit (modelrun / ORT) | other CPU load |")
    print("|---|---:|---:|---:|---:|---:|---|---:|---:|")
    for r in rows:
        limit = ""
        if "pct_gemm_limit" in r:
            limit = f"{r['pct_gemm_limit']:.0f}% / {r['ort_pct_gemm_limit']:.0f}%"
        def cell(value, rounds_ms):
            if len(rounds_ms) < 2:
                return f"{value:.3f}"
            return f"{value:.3f} ({min(rounds_ms):.3f}–{max(rounds_ms):.3f})"
        print(f"| {r['model']} | {r['batch']} | {r['threads']} | {cell(r['ort_ms'], r['ort_round_ms'])} | "
              f"{cell(r['modelrun_ms'], r['modelrun_round_ms'])} | "
              f"{r['ratio']:.2f} | {r['agree']} | {limit} | {r['other_cpu']:.2f} |")
    wide = [r for r in rows if r["model"] == "wide_mlp"]
    if wide:
        print()
        print("Wide MLP against its GEMM limits. GEMM limit = FLOPs per run / square-sgemm rate above. "
              "Weight stream = 100.7 MB of weights / median time (the bound that matters at batch 1).")
        print()
        print("| batch | threads | GFLOP per run | GEMM limit ms | modelrun ms | weight stream GB/s (modelrun / ORT) |")
        print("|---:|---:|---:|---:|---:|---:|")
        for r in wide:
            print(f"| {r['batch']} | {r['threads']} | {wide_flops(r['batch']) / 1e9:.3f} | {r['gemm_limit_ms']:.3f} | "
                  f"{r['modelrun_ms']:.3f} | {r['weights_gbps']:.1f} / {r['ort_weights_gbps']:.1f} |")
    shaped = [r for r in rows if "shape_blas_ms" in r]
    if shaped:
        print()
        print("MLPs against bare OpenBLAS. Shape BLAS = the model's layers as bare OpenBLAS calls of the same "
              "shapes with OpenBLAS's own threads (sgemv at batch 1, sgemm with transB otherwise; no bias, "
              "no activation), timed in this process: what a runtime built on this OpenBLAS cannot beat by much.")
        print()
        print("| model | batch | threads | shape BLAS ms | modelrun ms | ORT ms | shape BLAS ÷ modelrun | shape BLAS ÷ ORT |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for r in shaped:
            print(f"| {r['model']} | {r['batch']} | {r['threads']} | {r['shape_blas_ms']:.3f} | {r['modelrun_ms']:.3f} | "
                  f"{r['ort_ms']:.3f} | {r['pct_shape_blas']:.0f}% | {r['ort_pct_shape_blas']:.0f}% |")
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"machine": info, "sgemm_size": size, "sgemm_gflops": rates, "rows": rows}, f, indent=2)
    if any(r["agree_ok"] is False for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
