#!/usr/bin/env python3
"""Writes out/multilabel/pairs.npz and out/multilabel/test.npz from examples/digits/digits.csv.gz.

Each sample is two 8x8 digits of *different* classes placed side by side: an 8-row, 16-column
image flattened row by row to 128 pixels (x [N, 128] float32, raw pixel values 0..16; the
models scale them to 0..1 with a Mul node). Its label is the set of both digits, a 0/1 row
(label [N, 10] int64 with exactly two ones); which digit is on the left is random.

The 1,797 digit images are first split (seeded) into two disjoint pools, 80% and 20%:
- pairs.npz: 6,000 pairs drawn from the 80% pool. Training holds out a seeded random 20% of
  these pairs for validation (`training.validation_fraction`); those pairs are new
  combinations, but their digit images also occur in training pairs.
- test.npz: 1,500 pairs drawn from the other 20% pool, so no image in it was seen in
  training; `modelrun eval` on this file is the honest held-out score.
"""
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "examples", "common"))
from digits import load_digits  # noqa: E402
SEED = 2024



def make_pairs(images, labels, count, rng):
    """`count` images of two different digits side by side, with their label sets."""
    x = np.empty((count, 8, 16), dtype=np.float32)
    y = np.zeros((count, 10), dtype=np.int64)
    for i in range(count):
        left = rng.integers(len(labels))
        right = rng.integers(len(labels))
        while labels[right] == labels[left]:
            right = rng.integers(len(labels))
        x[i, :, :8] = images[left].reshape(8, 8)
        x[i, :, 8:] = images[right].reshape(8, 8)
        y[i, labels[left]] = 1
        y[i, labels[right]] = 1
    return x.reshape(count, 128), y


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "out", "multilabel")
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(SEED)
    images, labels = load_digits()
    order = rng.permutation(len(labels))
    cut = int(round(0.8 * len(labels)))
    train_pool, test_pool = order[:cut], order[cut:]
    for name, pool, count in (("pairs", train_pool, 6000), ("test", test_pool, 1500)):
        x, y = make_pairs(images[pool], labels[pool], count, rng)
        path = os.path.join(out, f"{name}.npz")
        np.savez(path, x=x, label=y)
        print(f"wrote {path}: {count} pairs from {len(pool)} digit images, "
              f"label frequencies {y.sum(axis=0).tolist()}")


if __name__ == "__main__":
    main()
