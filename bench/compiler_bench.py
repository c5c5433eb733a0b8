#!/usr/bin/env python3
"""Times `modelc check` and `modelc compile` on a generated 10,000-node model.

The model (bench/models/compiler_10k.pbtxt) is BLOCKS (default 2,500) chained blocks of
  Gemm(h, W_i) [W_i 64x64, transB=1, filler GLOROT_UNIFORM]  (--matmul: MatMul(h, W_i)) -> Add(bias_i, filler ZEROS) -> Relu -> Identity
on an input x [N, 64]: 4 nodes per block, 10,000 nodes, 5,000 filler initializers (10.24 M weights).

Each command is timed as the wall time of the whole process (reading, checking, ..., writing),
median of --repeat runs (default 3), after waiting for a quiet machine; "other CPU load" is
what other processes used meanwhile (cores). Also prints the -O2 `--print-passes` node counts.

Usage: python3 bench/compiler_bench.py [--modelc .build-release/release/modelc] [--blocks 2500] [--repeat 3]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

from machine_load import ForeignLoad, wait_quiet

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WIDTH = 64


def write_model(path, blocks, matmul=False):
    lines = [
        "ir_version: 1",
        'producer_name: "bench/compiler_bench.py"',
        "opset_version: 17",
        "graph {",
        '  name: "chain"',
        f'  input {{ name: "x" elem_type: FLOAT dim {{ param: "N" }} dim {{ value: {WIDTH} }} }}',
        f'  output {{ name: "y" elem_type: FLOAT dim {{ param: "N" }} dim {{ value: {WIDTH} }} }}',
    ]
    inits = []
    h = "x"
    for i in range(blocks):
        last = i == blocks - 1
        out = "y" if last else f"b{i}.out"
        if matmul:  # W [in, out]: MatMul + Add is what fuse-matmul-add turns into Gemm
            lines.append(f'  node {{ name: "b{i}.matmul" op_type: "MatMul" input: "{h}" input: "b{i}.weight" output: "b{i}.mm" }}')
        else:
            lines.append(f'  node {{ name: "b{i}.gemm" op_type: "Gemm" input: "{h}" input: "b{i}.weight" output: "b{i}.mm" '
                         'attribute { name: "transB" i: 1 } }')
        lines.append(f'  node {{ name: "b{i}.add" op_type: "Add" input: "b{i}.mm" input: "b{i}.bias" output: "b{i}.pre" }}')
        lines.append(f'  node {{ name: "b{i}.relu" op_type: "Relu" input: "b{i}.pre" output: "b{i}.act" }}')
        lines.append(f'  node {{ name: "b{i}.id" op_type: "Identity" input: "b{i}.act" output: "{out}" }}')
        inits.append(f'  initializer {{ name: "b{i}.weight" data_type: FLOAT dims: {WIDTH} dims: {WIDTH} '
                     'init { kind: GLOROT_UNIFORM } }')
        inits.append(f'  initializer {{ name: "b{i}.bias" data_type: FLOAT dims: {WIDTH} init {{ kind: ZEROS }} }}')
        h = out
    lines += inits
    lines += ["}", "training { seed: 7 }", ""]
    with open(path, "w") as f:
        f.write("\n".join(lines))


def timed(cmd):
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return elapsed, proc


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modelc", default=os.path.join(ROOT, ".build-release", "release", "modelc"))
    parser.add_argument("--blocks", type=int, default=2500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--matmul", action="store_true", help="MatMul instead of Gemm (no transB) in every block")
    args = parser.parse_args()
    if not os.access(args.modelc, os.X_OK):
        sys.exit(f"modelc not found at {args.modelc}; build it with "
                 "`swift build -c release --scratch-path .build-release` or pass --modelc")

    os.makedirs(os.path.join(HERE, "models"), exist_ok=True)
    source = os.path.join(HERE, "models", "compiler_10k_matmul.pbtxt" if args.matmul else "compiler_10k.pbtxt")
    write_model(source, args.blocks, args.matmul)
    print(f"model: {source}: {4 * args.blocks} nodes, {2 * args.blocks} filler initializers, "
          f"{os.path.getsize(source) / 1e6:.1f} MB of text; load average {os.getloadavg()[0]:.2f}")

    with tempfile.TemporaryDirectory(prefix="bench-modelc-") as tmp:
        out = os.path.join(tmp, "out.model")
        commands = [
            ("modelc check", [args.modelc, "check", source]),
            ("modelc compile -O0", [args.modelc, "compile", source, "-O0", "-o", out]),
            ("modelc compile -O1", [args.modelc, "compile", source, "-O1", "-o", out]),
            ("modelc compile -O2", [args.modelc, "compile", source, "-O2", "-o", out]),
        ]
        print()
        print(f"| command | median s ({args.repeat} runs) | min s | max s | other CPU load |")
        print("|---|---:|---:|---:|---:|")
        for label, cmd in commands:
            wait_quiet(0.15, 120)
            load = ForeignLoad()
            load.start()
            times = [timed(cmd)[0] for _ in range(args.repeat)]
            print(f"| `{label}` | {statistics.median(times):.3f} | {min(times):.3f} | {max(times):.3f} | "
                  f"{load.stop():.2f} |", flush=True)
        size = os.path.getsize(out)

        _, proc = timed([args.modelc, "compile", source, "-O2", "--print-passes", "-o", out])
        print()
        print(f"-O2 output: {size / 1e6:.1f} MB. `modelc compile -O2 --print-passes`:")
        print()
        print("```")
        for line in proc.stderr.splitlines():
            if line.startswith("pass "):
                print(line)
        print("```")


if __name__ == "__main__":
    main()
