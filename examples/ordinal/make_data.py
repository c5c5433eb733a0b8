#!/usr/bin/env python3
"""Writes two ordinal data sets into out/ordinal/, both from examples/digits/digits.csv.gz.

noise_{train,val}.npz -- "how noisy is this image?" Each digit image gets Gaussian pixel noise
    of a standard deviation sigma drawn uniformly from [0, 5) (pixel values are 0..16), and
    the label is the noise level floor(sigma): 5 ordered levels 0..4. The level is a binned
    continuous quantity, so neighbouring levels look alike and a confusion is usually off by
    one, as in real rating or grading tasks. Every image is used COPIES times, each time with
    its own sigma and noise.
binned_{train,val}.npz -- the digit class binned into 5 ordered levels (0-1 -> 0, 2-3 -> 1,
    ..., 8-9 -> 4) on the clean images, each image once. The order is only in the labels: a
    4 does not look "between" a 3 and a 5, so this is a control where the ordinal structure
    should not help.

The 1,797 images are split (seeded) into disjoint pools of 80% (train files) and 20% (val
files), so no validation image, noisy or clean, occurs in training.
Arrays: x [N, 64] float32 (the 0..16 pixel scale; the models divide by 16 with a Mul node;
noisy pixels are not clipped) and level [N] int64. Deterministic (seed 2024).
"""
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "examples", "common"))
from digits import load_digits  # noqa: E402
SEED = 2024
LEVELS = 5
COPIES = 4



def noisy_copies(images, rng):
    """COPIES noisy versions of every image, with their noise levels, in shuffled order."""
    x = np.repeat(images, COPIES, axis=0)
    sigma = rng.uniform(0.0, LEVELS, size=len(x))
    x = x + sigma[:, None] * rng.standard_normal(x.shape)
    level = np.minimum(np.floor(sigma).astype(np.int64), LEVELS - 1)
    order = rng.permutation(len(x))
    return x[order].astype(np.float32), level[order]


def save(out, name, x, y):
    path = os.path.join(out, f"{name}.npz")
    np.savez(path, x=x, level=y)
    median = int(np.median(y))
    print(f"wrote {path}: {len(y)} samples, level counts {np.bincount(y, minlength=LEVELS).tolist()}, "
          f"MAE of always predicting the median level {median}: {np.abs(y - median).mean():.3f}")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "out", "ordinal")
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(SEED)
    images, digits = load_digits()
    order = rng.permutation(len(digits))
    cut = int(round(0.8 * len(digits)))
    for part, pool in (("train", order[:cut]), ("val", order[cut:])):
        save(out, f"noise_{part}", *noisy_copies(images[pool], rng))
        save(out, f"binned_{part}", images[pool], digits[pool] // 2)


if __name__ == "__main__":
    main()
