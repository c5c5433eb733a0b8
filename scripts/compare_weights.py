#!/usr/bin/env python3
"""Compares the initializers (weights) of two ONNX models, read with the onnx package.

usage: compare_weights.py A.onnx B.onnx [--atol X] [--exact]
Exit 0 when every initializer of A exists in B with the same shape and |a - b| <= atol
(--exact: bit-identical); else 1, naming the worst tensor.
"""
import argparse
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def weights(path):
    model = onnx.load(path)
    return {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--atol", type=float, default=1e-5)
    parser.add_argument("--exact", action="store_true")
    args = parser.parse_args()
    a, b = weights(args.a), weights(args.b)
    worst = (0.0, None)
    for name, value in a.items():
        if name not in b or b[name].shape != value.shape:
            print(f"{name}: missing or of another shape in {args.b}", file=sys.stderr)
            return 1
        if args.exact and value.tobytes() != b[name].tobytes():
            print(f"{name}: not bit-identical", file=sys.stderr)
            return 1
        difference = float(np.max(np.abs(value.astype(np.float64) - b[name].astype(np.float64)), initial=0))
        if difference > worst[0]:
            worst = (difference, name)
    print(f"{len(a)} tensors, max |a - b| = {worst[0]:.3g}" + (f" ({worst[1]})" if worst[1] else ""))
    return 0 if args.exact or worst[0] <= args.atol else 1


if __name__ == "__main__":
    sys.exit(main())
