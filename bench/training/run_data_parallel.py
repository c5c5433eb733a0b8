#!/usr/bin/env python3
"""Times one training epoch of the MLP 60k (bench/training/run_training_peers.py's `mlp`:
784-512-256-10, Adam 1e-3, synthetic MNIST-shaped data) in `modelrun train` as

  1 rank  x 1 thread   batch 64
  2 ranks x 1 thread   batch 32 per rank (global 64: the same updates as the 1-rank run)
  2 ranks x 1 thread   batch 64 per rank (global 128: DDP's convention, per-rank batch kept)
  1 rank  x 2 threads  batch 64

Ranks are started by `mpirun --oversubscribe -np 2 --bind-to none` (plus --allow-run-as-root as
root). The epoch time is the `epoch 1/1 ... S s` line rank 0 prints (the Trainer's clock: batch
gather, steps with their all-reduces, per-epoch synchronisation). Each configuration runs
--rounds times in fresh processes, interleaved; the table shows the median and the range, and
the CPU that other processes used meanwhile (bench/machine_load.py), since this machine is shared.

usage: run_data_parallel.py [--modelrun .build-release/release/modelrun] [--samples 60000]
                            [--rounds 3] [--no-readme]
"""
import argparse
import datetime
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
ROOT = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)
sys.path.insert(0, HERE)
from machine_load import ForeignLoad, wait_quiet  # noqa: E402
from run_training_peers import make_data, model_pbtxt  # noqa: E402

EPOCH = re.compile(r"^epoch 1/1\s+loss\s+(\S+).*?\s([0-9.]+) s\s*$")
CONFIGS = [  # (label, ranks, threads, per-rank batch)
    ("1 rank x 1 thread", 1, 1, 64),
    ("2 ranks x 1 thread, batch 32 each", 2, 1, 32),
    ("2 ranks x 1 thread, batch 64 each", 2, 1, 64),
    ("1 rank x 2 threads", 1, 2, 64),
]


def run(modelrun, model, data, ranks, threads, batch, out):
    cmd = [modelrun, "train", model, "--data", data, "--epochs", "1", "--threads", str(threads),
           "--batch-size", str(batch), "-o", out]
    if ranks > 1:
        flags = ["--oversubscribe", "--bind-to", "none", "-np", str(ranks)]
        if os.geteuid() == 0:
            flags.append("--allow-run-as-root")
        cmd = ["mpirun"] + flags + cmd
    load = ForeignLoad()
    load.start()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    foreign = load.stop()
    # CPU of every rank (mpirun waits for its ranks, so their usage reaches us through it).
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{result.stderr[-2000:]}")
    for line in result.stderr.splitlines():
        match = EPOCH.match(line.strip())
        if match:
            return float(match.group(2)), float(match.group(1)), wall, foreign, cpu
    raise SystemExit(f"no epoch line in:\n{result.stderr[-1000:]}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--modelrun", default=os.path.join(ROOT, ".build-release/release/modelrun"))
    parser.add_argument("--samples", type=int, default=60000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--quiet-wait", type=float, default=30, help="seconds to wait for a quiet machine per run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        model = os.path.join(work, "mlp.pbtxt")
        with open(model, "w") as f:
            f.write(model_pbtxt("mlp"))
        data = os.path.join(work, "mlp.npz")
        np.savez(data, **make_data("mlp", args.samples))
        out = os.path.join(work, "out.model")
        times = {label: [] for label, *_ in CONFIGS}
        extra = {}
        for _ in range(args.rounds):
            for label, ranks, threads, batch in CONFIGS:
                wait_quiet(0.3, args.quiet_wait)
                seconds, loss, wall, foreign, cpu = run(args.modelrun, model, data, ranks, threads, batch, out)
                times[label].append(seconds)
                extra.setdefault(label, []).append((loss, wall, foreign, cpu))
    base = statistics.median(times[CONFIGS[0][0]])
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    lines = [
        f"### Run of {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC",
        "",
        f"`python3 bench/training/run_data_parallel.py --modelrun {os.path.relpath(args.modelrun, ROOT)} "
        f"--samples {args.samples} --rounds {args.rounds}` on {os.cpu_count()} vCPUs ({cpu}); "
        f"load average at the end {os.getloadavg()[0]:.2f}.",
        "",
        "| configuration | epoch s (median [range]) | ÷ 1 rank × 1 thread | epoch loss | process s "
        "| CPU s, all ranks | other CPU load (cores) |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, *_ in CONFIGS:
        t = times[label]
        median = statistics.median(t)
        losses = [e[0] for e in extra[label]]
        walls = [e[1] for e in extra[label]]
        foreign = [e[2] for e in extra[label]]
        cpus = [e[3] for e in extra[label]]
        lines.append(
            f"| {label} | {median:.2f} [{min(t):.2f}–{max(t):.2f}] | {median / base:.2f} | "
            f"{statistics.median(losses):.4f} | {statistics.median(walls):.2f} | {statistics.median(cpus):.2f} "
            f"| {max(foreign):.2f} |")
    block = "\n".join(lines) + "\n"
    print(block)
    if not args.no_readme:
        readme = os.path.join(BENCH, "README.md")
        with open(readme) as f:
            text = f.read()
        marker = "## Data-parallel training"
        if marker in text:
            head, tail = text.split(marker, 1)
            # Insert the run after the section's fixed text (before any later "## " section).
            rest = tail.split("\n## ", 1)
            section = rest[0].rstrip() + "\n\n" + block
            text = head + marker + section + ("\n## " + rest[1] if len(rest) > 1 else "")
            with open(readme, "w") as f:
                f.write(text)


if __name__ == "__main__":
    main()
