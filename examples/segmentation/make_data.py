#!/usr/bin/env python3
"""Writes out/segmentation/shapes.npz: a small synthetic segmentation task.

Each sample is a 16x16 single-channel image with 1 to 3 shapes on a dark background: filled
axis-aligned squares (class 1, side 3..6 pixels) and filled discs (class 2, radius 1.5..3.5
pixels), placed at random and drawn in order, so a later shape covers an earlier one. Squares
are drawn at a mean brightness of 0.6 and discs at 0.9 (each shape's brightness varies by
+-0.15), and every pixel gets Gaussian noise (sd 0.15), so brightness alone does not separate
the classes and a pixel's neighbourhood matters.

Arrays: x [N, 1, 16, 16] float32 (already on a 0..1 scale, no scaling node needed) and
label [N, 16, 16] int64 with classes 0 background, 1 square, 2 disc. Also prints the class
frequencies and the inverse-frequency class weights N / (C * N_c) (scikit-learn's
"balanced") that weighted.pbtxt uses. Deterministic (seed 2024).
"""
import os
import sys

import numpy as np

SEED = 2024
SIZE = 16
SAMPLES = 1200
CLASSES = 3


def draw(rng):
    image = np.zeros((SIZE, SIZE), dtype=np.float32)
    label = np.zeros((SIZE, SIZE), dtype=np.int64)
    rows, cols = np.mgrid[0:SIZE, 0:SIZE]
    for _ in range(rng.integers(1, 4)):
        if rng.random() < 0.5:
            side = rng.integers(3, 7)
            top, left = rng.integers(0, SIZE - side + 1, size=2)
            mask = (rows >= top) & (rows < top + side) & (cols >= left) & (cols < left + side)
            kind, brightness = 1, 0.6
        else:
            radius = rng.uniform(1.5, 3.5)
            cy, cx = rng.uniform(radius - 0.5, SIZE - radius - 0.5, size=2)
            mask = (rows - cy) ** 2 + (cols - cx) ** 2 <= radius ** 2
            kind, brightness = 2, 0.9
        image[mask] = brightness + rng.uniform(-0.15, 0.15)
        label[mask] = kind
    image += 0.15 * rng.standard_normal(image.shape).astype(np.float32)
    return image, label


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "out", "segmentation")
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(SEED)
    pairs = [draw(rng) for _ in range(SAMPLES)]
    x = np.stack([p[0] for p in pairs])[:, None, :, :]
    label = np.stack([p[1] for p in pairs])
    path = os.path.join(out, "shapes.npz")
    np.savez(path, x=x, label=label)
    counts = np.bincount(label.ravel(), minlength=CLASSES)
    frequency = counts / counts.sum()
    weights = counts.sum() / (CLASSES * counts)
    print(f"wrote {path}: x {list(x.shape)}, label {list(label.shape)}")
    print("pixel frequency per class: " + ", ".join(f"{f:.4f}" for f in frequency))
    print("inverse-frequency class weights: " + ", ".join(f"{w:.4f}" for w in weights))


if __name__ == "__main__":
    main()
