#!/usr/bin/env python3
"""Checks that `modelrun infer` computes what ONNX Runtime computes for an ONNX model.

Usage: python3 scripts/ort_agreement_check.py MODELRUN MODEL.onnx [--batch 4] [--rtol 1e-4] [--atol 1e-5]

Feeds seeded random float32 inputs (dynamic dims set to --batch) to ONNX Runtime and to
`MODELRUN infer` (through .npy files), and compares every graph output. Exits 0 when all agree,
1 otherwise. The tolerance is relative 1e-4: float32 sums are accumulated in a different order.
"""
import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("modelrun")
    parser.add_argument("model")
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--rtol", type=float, default=1e-4)
    parser.add_argument("--atol", type=float, default=1e-5)
    args = parser.parse_args()

    model = onnx.load(args.model)
    rng = np.random.default_rng(0)
    feeds = {}
    for value in model.graph.input:
        dims = [d.dim_value if d.HasField("dim_value") else args.batch for d in value.type.tensor_type.shape.dim]
        feeds[value.name] = rng.standard_normal(dims).astype(np.float32)
    expected = ort.InferenceSession(args.model, providers=["CPUExecutionProvider"]).run(None, feeds)
    names = [o.name for o in model.graph.output]

    with tempfile.TemporaryDirectory() as tmp:
        command = [args.modelrun, "infer", args.model, "-o", str(Path(tmp) / "out.npz")]
        for name, array in feeds.items():
            path = Path(tmp) / f"{len(command)}.npy"
            np.save(path, array)
            command += ["--input", f"{name}={path}"]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            print(f"FAIL: modelrun infer exited {result.returncode}: {result.stderr.strip()}", file=sys.stderr)
            return 1
        got = np.load(Path(tmp) / "out.npz")
        ok = True
        for name, want in zip(names, expected):
            have = got[name]
            close = have.shape == want.shape and np.allclose(have, want, rtol=args.rtol, atol=args.atol)
            diff = float(np.max(np.abs(have - want))) if have.shape == want.shape else float("inf")
            print(f"{Path(args.model).name} output '{name}' {list(want.shape)}: max abs diff {diff:.3g}: "
                  f"{'ok' if close else 'MISMATCH'}")
            ok = ok and close
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
