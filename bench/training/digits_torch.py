"""PyTorch peer of examples/digits/mlp.pbtxt: the same 64-32-10 MLP on pixels scaled by 1/16,
initialisation rules (He uniform / Glorot uniform weights, zero biases), Adam 1e-3, batch 64,
30 epochs, shuffled, and a seeded random 20% of digits.csv.gz held out (like
`validation_fraction: 0.2`; the split itself comes from numpy, not from our SplitMix64).
Prints the held-out accuracy per seed and the mean.

Usage: python3 bench/training/digits_torch.py [--seeds N]
"""
import argparse
import gzip
import pathlib

import numpy as np
import torch

ROOT = pathlib.Path(__file__).resolve().parents[2]


def load():
    with gzip.open(ROOT / "examples/digits/digits.csv.gz", "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.float32)
    return table[:, :64], table[:, 64].astype(np.int64)


def run(seed, x, y):
    torch.manual_seed(seed)
    permutation = np.random.default_rng(seed).permutation(len(x))
    x, y = x[permutation] / 16, y[permutation]
    held = int(round(len(x) * 0.2))
    xt, yt = torch.tensor(x[:-held]), torch.tensor(y[:-held])
    xv, yv = torch.tensor(x[-held:]), torch.tensor(y[-held:])
    model = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
    torch.nn.init.kaiming_uniform_(model[0].weight, nonlinearity="relu")
    torch.nn.init.zeros_(model[0].bias)
    torch.nn.init.xavier_uniform_(model[2].weight)
    torch.nn.init.zeros_(model[2].bias)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    for _ in range(30):
        order = torch.randperm(len(xt))
        for start in range(0, len(xt), 64):
            batch = order[start:start + 64]
            optimizer.zero_grad()
            loss = loss_fn(model(xt[batch]), yt[batch])
            loss.backward()
            optimizer.step()
    with torch.no_grad():
        return (model(xv).argmax(1) == yv).float().mean().item()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    x, y = load()
    accuracies = [run(seed, x, y) for seed in range(args.seeds)]
    print("pytorch held-out accuracy per seed:", " ".join(f"{a:.4f}" for a in accuracies))
    print(f"pytorch mean {np.mean(accuracies):.4f}")


if __name__ == "__main__":
    main()
