#!/usr/bin/env python3
"""Writes out/binary_code/digits.npz from examples/digits/digits.csv.gz.

Arrays: x [N, 64] float32 (pixels 0..16, scaled to 0..1 by the models' Mul node) and
label [N] int64 (the digit 0..9). Every model here reads the same file; each head encodes
`label` its own way. The rows are shuffled with a fixed seed so the file does not depend on
the order of the CSV; the models hold out a seeded random 20% for validation themselves.
"""
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "examples", "common"))
from digits import load_digits  # noqa: E402
SEED = 2024



def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "out", "binary_code")
    os.makedirs(out, exist_ok=True)
    x, label = load_digits()
    order = np.random.default_rng(SEED).permutation(len(label))
    path = os.path.join(out, "digits.npz")
    np.savez(path, x=x[order], label=label[order])
    print(f"wrote {path}: {len(label)} samples, classes {np.bincount(label).tolist()}")


if __name__ == "__main__":
    main()
