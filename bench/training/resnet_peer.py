#!/usr/bin/env python3
"""The ResNet-style training peer (issue 11 item 8): torchvision's ResNet-18 with 10 classes on
3x64x64 inputs, batch 32, a fixed number of plain SGD steps, in PyTorch at 1 and 2 threads, and
the same model as a .pbtxt that `modelrun train` runs.

PyTorch side (each thread count in its own subprocess): torch.set_num_threads(T),
set_num_interop_threads(1), torch.manual_seed(0), torchvision.models.resnet18(num_classes=10)
in train mode (BatchNorm on batch statistics), CrossEntropyLoss, SGD lr 0.01 without momentum.
Data: seeded N(0, 1) images [steps * 32, 3, 64, 64] and uniform labels 0..9 (numpy default_rng(0)),
taken in order, 32 per step. --warmup steps run first (untimed), then --steps timed steps, each
zero_grad, forward, loss, backward, step, loss.item(); reported: ms per step (total / steps)
and the median step.

modelrun side (--modelrun PATH; skipped without it): what `modelrun train` needs is a .pbtxt
with the graph, a head and a training section. This script writes it from the same PyTorch
model's ONNX export (legacy exporter, opset 17, eval mode with constant folding off so every
BatchNormalization stays a node; the compiler puts them in training mode itself):
  - the nodes with their attributes as exported (Conv, BatchNormalization, Relu, MaxPool, Add,
    GlobalAveragePool, Flatten, Gemm);
  - each initializer as a filler of its shape instead of its bytes: Conv and Gemm weights
    HE_UNIFORM, biases and BatchNormalization shifts and running means ZEROS, scales and running
    variances ONES (the initial weights do not change the time of a step);
  - head ONE_HOT 10 classes, SOFTMAX_CROSS_ENTROPY from logits (mean), ARGMAX;
  - training: SGD lr 0.01, batch_size 32, seed 0, no shuffling, no validation split.
It is written to bench/models/resnet18_train.pbtxt (and checked with `modelc check` when
--modelc is given). The data (x [N, 3, 64, 64] float32, label int64) goes to a temporary .npz
with N = (warmup + steps) * 32; the run is
    modelrun train resnet18_train.pbtxt --data DATA.npz --threads T --epochs 2 -o OUT.model
and ms per step = the second epoch's time (the `epoch 2/2 ... S s` line; the first epoch builds
the plans) / (warmup + steps).

Prints a markdown table: threads, PyTorch ms per step (median step), modelrun ms per step,
ratio modelrun / PyTorch time, and the cores other processes used meanwhile (bench/machine_load.py).

Usage:
  python3 bench/training/resnet_peer.py [--steps 20] [--warmup 3] [--threads 1,2]
      [--modelrun .build-release/release/modelrun] [--modelc .build-release/release/modelc]
"""
import argparse
import json
import os
import re
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
from machine_load import ForeignLoad  # noqa: E402
BATCH = 32
CLASSES = 10
SIZE = 64
LEARNING_RATE = 0.01
PBTXT = os.path.join(BENCH, "models", "resnet18_train.pbtxt")


def import_torch():
    import torch
    # torchvision 0.28's C extension registers fake kernels through an API that this CPU build of
    # torch rejects; a no-op decorator lets it import.
    torch.library.register_fake = lambda *args, **kwargs: (lambda f: f)
    import torchvision
    return torch, torchvision


def make_data(samples):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((samples, 3, SIZE, SIZE), dtype=np.float32)
    labels = rng.integers(0, CLASSES, samples).astype(np.int64)
    return x, labels


def torch_worker(threads, steps, warmup):
    """Times the steps in this process; prints one JSON line."""
    torch, torchvision = import_torch()
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(0)
    model = torchvision.models.resnet18(num_classes=CLASSES)
    model.train()
    x, labels = make_data((warmup + steps) * BATCH)
    x, labels = torch.from_numpy(x), torch.from_numpy(labels)
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    times, losses = [], []
    for step in range(warmup + steps):
        rows = slice(step * BATCH, (step + 1) * BATCH)
        started = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x[rows]), labels[rows])
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if step >= warmup:
            times.append((time.perf_counter() - started) * 1000)
    print(json.dumps({"ms_per_step": sum(times) / len(times), "median_ms": statistics.median(times),
                      "first_loss": losses[0], "last_loss": losses[-1], "torch": torch.__version__}))


# ---------------------------------------------------------------------------------------------
# The .pbtxt for modelrun


def attribute_text(attribute):
    import onnx
    kind = attribute.type
    if kind == onnx.AttributeProto.INT:
        return f'attribute {{ name: "{attribute.name}" i: {attribute.i} }}'
    if kind == onnx.AttributeProto.FLOAT:
        return f'attribute {{ name: "{attribute.name}" f: {attribute.f!r} }}'
    if kind == onnx.AttributeProto.INTS:
        return f'attribute {{ name: "{attribute.name}" ints: [{", ".join(str(v) for v in attribute.ints)}] }}'
    if kind == onnx.AttributeProto.STRING:
        return f'attribute {{ name: "{attribute.name}" s: "{attribute.s.decode()}" }}'
    raise ValueError(f"attribute {attribute.name} of type {kind} has no .pbtxt form here")


def filler(name, consumer, position):
    """The filler replacing an exported initializer, by the op and input slot that reads it."""
    if consumer in ("Conv", "Gemm") and position == 1:
        return "HE_UNIFORM"
    if consumer == "BatchNormalization" and position in (1, 4):
        return "ONES"
    return "ZEROS"


def write_pbtxt(path):
    """Exports the PyTorch model to ONNX and rewrites it as a .pbtxt with fillers."""
    import onnx
    torch, torchvision = import_torch()
    torch.manual_seed(0)
    model = torchvision.models.resnet18(num_classes=CLASSES).eval()
    # Distinct values in every tensor: the legacy exporter merges equal initializers (all the
    # BatchNorm scales are ones) behind Identity nodes, which would make the layers share them.
    with torch.no_grad():
        for tensor in model.state_dict().values():
            if tensor.is_floating_point():
                tensor.add_(torch.rand_like(tensor) * 1e-3)
    with tempfile.TemporaryDirectory() as directory:
        onnx_path = os.path.join(directory, "resnet18.onnx")
        torch.onnx.export(model, (torch.zeros(1, 3, SIZE, SIZE),), onnx_path, dynamo=False, opset_version=17,
                          input_names=["x"], output_names=["logits"], dynamic_axes={"x": {0: "N"}, "logits": {0: "N"}},
                          do_constant_folding=False, training=torch.onnx.TrainingMode.PRESERVE)
        graph = onnx.load(onnx_path).graph
    readers = {}
    for node in graph.node:
        for position, name in enumerate(node.input):
            readers.setdefault(name, (node.op_type, position))
    lines = [
        "# Generated by bench/training/resnet_peer.py from torchvision's resnet18(num_classes=10) exported",
        "# to ONNX (opset 17); initializers are fillers of the exported shapes.",
        "ir_version: 1",
        'producer_name: "bench/training/resnet_peer.py"',
        "opset_version: 17",
        "graph {",
        '  name: "resnet18_64px"',
        f'  input {{ name: "x" elem_type: FLOAT dim {{ param: "N" }} dim {{ value: 3 }} dim {{ value: {SIZE} }} '
        f'dim {{ value: {SIZE} }} }}',
        f'  output {{ name: "logits" elem_type: FLOAT dim {{ param: "N" }} dim {{ value: {CLASSES} }} }}',
    ]
    for node in graph.node:
        parts = [f'name: "{node.name}" op_type: "{node.op_type}"']
        parts += [f'input: "{name}"' for name in node.input]
        parts += [f'output: "{name}"' for name in node.output]
        parts += [attribute_text(a) for a in node.attribute]
        lines.append("  node { " + " ".join(parts) + " }")
    for tensor in graph.initializer:
        op, position = readers.get(tensor.name, ("", 0))
        dims = ", ".join(str(d) for d in tensor.dims)
        lines.append(f'  initializer {{ name: "{tensor.name}" data_type: FLOAT dims: [{dims}] '
                     f'init {{ kind: {filler(tensor.name, op, position)} }} }}')
    lines += ["}", f"""head {{
  name: "class"
  output: "logits"
  target: "label"
  encoding {{ kind: ONE_HOT num_classes: {CLASSES} }}
  loss {{ kind: SOFTMAX_CROSS_ENTROPY from_logits: true reduction: MEAN }}
  decoder {{ kind: ARGMAX top_k: 1 }}
  metric: [ACCURACY]
}}
training {{
  optimizer {{ kind: SGD learning_rate: {LEARNING_RATE} }}
  batch_size: {BATCH}
  epochs: 2
  seed: 0
  shuffle: false
}}"""]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as file:
        file.write("\n".join(lines) + "\n")
    return sorted({node.op_type for node in graph.node})


EPOCH_LINE = re.compile(r"^epoch (\d+)/(\d+)\s.*?([0-9.]+) s\s*$")


def run_modelrun(modelrun, threads, steps, warmup, workdir):
    data = os.path.join(workdir, "data.npz")
    if not os.path.exists(data):
        x, labels = make_data((warmup + steps) * BATCH)
        np.savez(data, x=x, label=labels)
    command = [modelrun, "train", PBTXT, "--data", data, "--threads", str(threads), "--epochs", "2",
               "-o", os.path.join(workdir, "trained.model")]
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode != 0:
        return None, (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1][:300]
    for line in proc.stderr.splitlines() + proc.stdout.splitlines():
        match = EPOCH_LINE.match(line.strip())
        if match and match.group(1) == match.group(2):
            return float(match.group(3)) * 1000 / (warmup + steps), None
    return None, "no 'epoch 2/2 ... S s' line in modelrun's output"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--modelrun", help="time `modelrun train` too (a release build)")
    parser.add_argument("--modelc", help="check the written .pbtxt with `modelc check`")
    parser.add_argument("--torch-worker", nargs=3, type=int, metavar=("THREADS", "STEPS", "WARMUP"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.torch_worker:
        torch_worker(*args.torch_worker)
        return 0

    ops = write_pbtxt(PBTXT)
    print(f"# wrote {os.path.relpath(PBTXT, ROOT)} (ops: {', '.join(ops)})", file=sys.stderr)
    if args.modelc:
        proc = subprocess.run([args.modelc, "check", PBTXT], capture_output=True, text=True)
        print(f"# modelc check: exit {proc.returncode} {proc.stdout.strip()[-300:]} {proc.stderr.strip()[-600:]}",
              file=sys.stderr)

    rows = []
    with tempfile.TemporaryDirectory(prefix="resnet-peer-") as workdir:
        for threads in [int(t) for t in args.threads.split(",")]:
            load = ForeignLoad()
            load.start()
            proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--torch-worker", str(threads),
                                   str(args.steps), str(args.warmup)], capture_output=True, text=True)
            if proc.returncode != 0:
                sys.exit(f"PyTorch worker failed: {proc.stderr.strip()[-1000:]}")
            row = {"threads": threads, **json.loads(proc.stdout.strip().splitlines()[-1])}
            row["modelrun_ms"], row["modelrun_error"] = (None, "not run")
            if args.modelrun:
                row["modelrun_ms"], row["modelrun_error"] = run_modelrun(args.modelrun, threads, args.steps,
                                                                         args.warmup, workdir)
            row["other_cpu"] = load.stop()
            rows.append(row)
            print(f"# {threads} thread(s): PyTorch {row['ms_per_step']:.1f} ms/step", file=sys.stderr, flush=True)

    print(f"ResNet-18 (10 classes), 3x{SIZE}x{SIZE}, batch {BATCH}, SGD lr {LEARNING_RATE}: {args.steps} timed steps "
          f"after {args.warmup} warm-up steps; torch {rows[0]['torch']}.")
    print()
    print("| threads | PyTorch ms per step (median step) | modelrun ms per step | modelrun ÷ PyTorch time | "
          "other CPU load |")
    print("|---:|---:|---:|---:|---:|")
    for r in rows:
        ours = f"{r['modelrun_ms']:.1f}" if r["modelrun_ms"] is not None else r["modelrun_error"]
        ratio = f"{r['modelrun_ms'] / r['ms_per_step']:.2f}" if r["modelrun_ms"] is not None else ""
        print(f"| {r['threads']} | {r['ms_per_step']:.1f} ({r['median_ms']:.1f}) | {ours} | {ratio} | "
              f"{r['other_cpu']:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
