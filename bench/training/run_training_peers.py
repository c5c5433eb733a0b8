#!/usr/bin/env python3
"""Times one training epoch of PyTorch and of `modelrun train` side by side, in one run, and
puts both against the GEMM limit (training FLOPs / measured sgemm rate) and against each
other's peak memory.

Models (written by this script as .pbtxt with HE_UNIFORM / ZEROS fillers, and built the same
way in PyTorch with kaiming_uniform_ / zeros_):
  mlp         784-512-256-10 (Gemm+Relu), ONE_HOT + SOFTMAX_CROSS_ENTROPY from logits
  multilabel  784-512-256-20 (Gemm+Relu), MULTI_HOT + BINARY_CROSS_ENTROPY from logits
  lenet       1x28x28: Conv 5x5 (6) - Relu - MaxPool 2 - Conv 5x5 (16) - Relu - MaxPool 2 - Flatten
              - Gemm 256-120 - Relu - Gemm 120-84 - Relu - Gemm 84-10 (the layers of
              bench/make_models.py's lenet), ONE_HOT + SOFTMAX_CROSS_ENTROPY from logits
All: Adam 1e-3, batch 64 (the last batch partial), one epoch, shuffled, no validation split.

Data: synthetic and MNIST-shaped (no MNIST offline), seeded, written to a temporary .npz:
float32 x [N, 784] (lenet: [N, 1, 28, 28], the one-hot set reshaped) and
  - one-hot models: int64 labels 0..9; x = clip(prototype[label] + N(0, 0.5^2) noise, 0, 1)
    with 10 random U(0, 1) prototypes;
  - multi-label: float32 0/1 rows [N, 20], each label on with p = 0.15;
    x = 0.5 * (sum of the active labels' U(0, 1) prototypes) + N(0, 0.3^2) noise.

For each model x threads {1, 2}, each side in its own subprocess (so both are measured the same way):
  - PyTorch: torch.set_num_threads(T), set_num_interop_threads(1); the epoch loop (randperm,
    row gather, zero_grad, forward, loss, backward, Adam step, loss.item()) timed with
    perf_counter inside the process.
  - modelrun: `modelrun train MODEL --data DATA.npz --threads T --epochs 1 -o OUT.model`;
    the epoch time is the `epoch 1/1  loss L  S s` line it prints on stderr (its Trainer times
    the epoch: batch gather, step, loss); the whole process's wall time is reported too.
  - Peak memory: ru_maxrss of each subprocess (os.wait4), i.e. the max RSS of the process.
    (The data is made in a subprocess too: Linux keeps ru_maxrss across vfork + exec, so a child
    reports at least its parent's high-water mark; this script's own stays ~40 MB.)
  - GEMM limit: training FLOPs = 3 x forward FLOPs (forward 2*N*sum(in*out) over Gemm layers,
    2*N*Cout*OH*OW*Cin*k*k over Conv layers) / sgemm rate of the system OpenBLAS
    (libopenblas.so.0, the library modelrun links) on 2048^3 float32 with T threads, best of 5,
    measured in a subprocess in the same run. numpy's matmul (its bundled scipy-openblas, also
    OpenBLAS) and torch.mm (MKL) are timed the same way and reported beside it.
    3x forward over-counts a little: neither side computes the gradient of the input x (the
    first layer's dX), the "needed" FLOPs are shown too.
  - Rounds: --rounds interleaved PyTorch/modelrun pairs per row (fresh processes each); the
    table shows the median epoch time and the range.
  - Other CPU load: cores used by other processes while the row ran (bench/machine_load.py);
    rows are measured after waiting (up to 30 s) for a quiet machine.

Prints a markdown report on stdout and appends it to bench/README.md under "## Training"
(unless --no-readme).

Usage:
  python3 bench/training/run_training_peers.py [--modelrun .build/release/modelrun]
      [--models mlp,multilabel,lenet] [--threads 1,2] [--samples 60000] [--lenet-samples 60000]
      [--rounds 3] [--json-out FILE] [--no-readme]
"""
import argparse
import ctypes
import datetime
import json
import os
import platform
import re
import shutil
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
from machine_load import ForeignLoad, wait_quiet  # noqa: E402

MODELS = ["mlp", "multilabel", "lenet"]
BATCH = 64
LEARNING_RATE = 1e-3
SEED = 1
SGEMM_SIZE = 2048

# Layer lists: ("gemm", in, out) or ("conv", cin, cout, k, out_h, out_w).
LAYERS = {
    "mlp": [("gemm", 784, 512), ("gemm", 512, 256), ("gemm", 256, 10)],
    "multilabel": [("gemm", 784, 512), ("gemm", 512, 256), ("gemm", 256, 20)],
    "lenet": [("conv", 1, 6, 5, 24, 24), ("conv", 6, 16, 5, 8, 8),
              ("gemm", 256, 120), ("gemm", 120, 84), ("gemm", 84, 10)],
}


def layer_flops(layer):
    """Forward FLOPs of one layer per sample (2 per multiply-add)."""
    if layer[0] == "gemm":
        return 2 * layer[1] * layer[2]
    _, cin, cout, k, oh, ow = layer
    return 2 * cout * oh * ow * cin * k * k


def training_flops(model, samples):
    """(3 x forward, needed) FLOPs of one epoch: needed leaves out the first layer's input gradient."""
    forward = sum(layer_flops(layer) for layer in LAYERS[model]) * samples
    first = layer_flops(LAYERS[model][0]) * samples
    return 3 * forward, 3 * forward - first


# ---------------------------------------------------------------------------------------------
# Models as .pbtxt


def pbtxt_value(name, dims):
    """`name: "x" elem_type: FLOAT dim { param: "N" } dim { value: 784 } ...`."""
    shape = " ".join(f"dim {{ value: {d} }}" for d in dims)
    return f'name: "{name}" elem_type: FLOAT dim {{ param: "N" }} {shape}'


class Pbtxt:
    def __init__(self):
        self.nodes = []
        self.inits = []

    def gemm(self, name, x, fan_in, fan_out, out):
        self.nodes.append(f'node {{ name: "{name}" op_type: "Gemm" input: "{x}" input: "{name}.weight" '
                          f'input: "{name}.bias" output: "{out}" attribute {{ name: "transB" i: 1 }} }}')
        self.inits.append(f'initializer {{ name: "{name}.weight" data_type: FLOAT dims: {fan_out} dims: {fan_in} '
                          'init { kind: HE_UNIFORM } }')
        self.inits.append(f'initializer {{ name: "{name}.bias" data_type: FLOAT dims: {fan_out} init {{ kind: ZEROS }} }}')
        return out

    def conv(self, name, x, cin, cout, k):
        out = f"{name}_out"
        self.nodes.append(f'node {{ name: "{name}" op_type: "Conv" input: "{x}" input: "{name}.weight" '
                          f'input: "{name}.bias" output: "{out}" attribute {{ name: "kernel_shape" ints: [{k}, {k}] }} }}')
        self.inits.append(f'initializer {{ name: "{name}.weight" data_type: FLOAT dims: {cout} dims: {cin} dims: {k} '
                          f'dims: {k} init {{ kind: HE_UNIFORM }} }}')
        self.inits.append(f'initializer {{ name: "{name}.bias" data_type: FLOAT dims: {cout} init {{ kind: ZEROS }} }}')
        return out

    def unary(self, op, name, x, attributes=""):
        self.nodes.append(f'node {{ name: "{name}" op_type: "{op}" input: "{x}" output: "{name}_out" {attributes}}}')
        return f"{name}_out"

    def text(self, graph_name, in_dims, classes, head):
        lines = [
            "# Generated by bench/training/run_training_peers.py",
            "ir_version: 1",
            'producer_name: "bench/training/run_training_peers.py"',
            "opset_version: 17",
            "graph {",
            f'  name: "{graph_name}"',
            f"  input {{ {pbtxt_value('x', in_dims)} }}",
            f"  output {{ {pbtxt_value('logits', [classes])} }}",
        ]
        lines += ["  " + n for n in self.nodes] + ["  " + i for i in self.inits] + ["}", head, TRAINING]
        return "\n".join(lines) + "\n"


TRAINING = f"""training {{
  optimizer {{ kind: ADAM learning_rate: {LEARNING_RATE} }}
  batch_size: {BATCH}
  epochs: 1
  seed: {SEED}
  shuffle: true
}}"""

HEAD_ONE_HOT = """head {
  name: "class"
  output: "logits"
  target: "label"
  encoding { kind: ONE_HOT num_classes: 10 }
  loss { kind: SOFTMAX_CROSS_ENTROPY from_logits: true reduction: MEAN }
  decoder { kind: ARGMAX top_k: 1 }
  metric: [ACCURACY]
}"""

HEAD_MULTI_HOT = """head {
  name: "tags"
  output: "logits"
  target: "label"
  encoding { kind: MULTI_HOT num_classes: 20 }
  loss { kind: BINARY_CROSS_ENTROPY from_logits: true reduction: MEAN }
  decoder { kind: THRESHOLD threshold: 0.5 }
  metric: [F1_MICRO, HAMMING_LOSS]
}"""


def model_pbtxt(model):
    b = Pbtxt()
    if model in ("mlp", "multilabel"):
        layers = LAYERS[model]
        h = "x"
        for i, (_, fan_in, fan_out) in enumerate(layers):
            last = i == len(layers) - 1
            h = b.gemm(f"fc{i + 1}", h, fan_in, fan_out, "logits" if last else f"fc{i + 1}_out")
            if not last:
                h = b.unary("Relu", f"relu{i + 1}", h)
        head = HEAD_MULTI_HOT if model == "multilabel" else HEAD_ONE_HOT
        return b.text(model, [784], layers[-1][2], head)
    pool = 'attribute { name: "kernel_shape" ints: [2, 2] } attribute { name: "strides" ints: [2, 2] } '
    h = b.unary("MaxPool", "pool1", b.unary("Relu", "relu1", b.conv("conv1", "x", 1, 6, 5)), pool)
    h = b.unary("MaxPool", "pool2", b.unary("Relu", "relu2", b.conv("conv2", h, 6, 16, 5)), pool)
    h = b.unary("Flatten", "flatten", h, 'attribute { name: "axis" i: 1 } ')
    h = b.unary("Relu", "relu3", b.gemm("fc1", h, 256, 120, "fc1_out"))
    h = b.unary("Relu", "relu4", b.gemm("fc2", h, 120, 84, "fc2_out"))
    b.gemm("fc3", h, 84, 10, "logits")
    return b.text("lenet", [1, 28, 28], 10, HEAD_ONE_HOT)


# ---------------------------------------------------------------------------------------------
# Synthetic data


def make_data(model, samples, seed=0):
    """Seeded synthetic MNIST-shaped data: ({"x": ..., "label": ...})."""
    rng = np.random.default_rng(seed)
    if model == "multilabel":
        prototypes = rng.random((20, 784), dtype=np.float32)
        labels = (rng.random((samples, 20), dtype=np.float32) < 0.15).astype(np.float32)
        x = 0.5 * (labels @ prototypes) + 0.3 * rng.standard_normal((samples, 784), dtype=np.float32)
        return {"x": x.astype(np.float32), "label": labels}
    prototypes = rng.random((10, 784), dtype=np.float32)
    labels = rng.integers(0, 10, samples).astype(np.int64)
    x = np.clip(prototypes[labels] + 0.5 * rng.standard_normal((samples, 784), dtype=np.float32), 0, 1)
    if model == "lenet":
        x = x.reshape(samples, 1, 28, 28)
    return {"x": x.astype(np.float32), "label": labels}


# ---------------------------------------------------------------------------------------------
# Workers (run as subprocesses of this script)


def data_worker(model, samples, path):
    """Writes the synthetic data set of `model` to `path`; prints its size in MB."""
    arrays = make_data("mlp" if model == "lenet" else model, samples)
    if model == "lenet":
        arrays["x"] = arrays["x"].reshape(samples, 1, 28, 28)
    np.savez(path, **arrays)
    print(sum(a.nbytes for a in arrays.values()) / 1e6)


def torch_worker(spec):
    """Trains one epoch in PyTorch; prints one JSON line."""
    import resource

    import torch
    threads = spec["threads"]
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(SEED)
    data = np.load(spec["data"])
    x, y = torch.from_numpy(data["x"]), torch.from_numpy(data["label"])
    model_name = spec["model"]
    nn = torch.nn
    if model_name == "lenet":
        net = nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                            nn.MaxPool2d(2), nn.Flatten(), nn.Linear(256, 120), nn.ReLU(), nn.Linear(120, 84),
                            nn.ReLU(), nn.Linear(84, 10))
    else:
        widths = [LAYERS[model_name][0][1]] + [layer[2] for layer in LAYERS[model_name]]
        modules = []
        for i, (fan_in, fan_out) in enumerate(zip(widths, widths[1:])):
            modules.append(nn.Linear(fan_in, fan_out))
            if i < len(widths) - 2:
                modules.append(nn.ReLU())
        net = nn.Sequential(*modules)
    for module in net.modules():
        if isinstance(module, (nn.Linear, nn.Conv2d)):
            nn.init.kaiming_uniform_(module.weight, nonlinearity="relu")  # = HE_UNIFORM
            nn.init.zeros_(module.bias)
    loss_fn = nn.BCEWithLogitsLoss() if model_name == "multilabel" else nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(net.parameters(), lr=LEARNING_RATE)
    rss_ready = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    count = len(x)
    started = time.perf_counter()
    order = torch.randperm(count)
    loss_sum = 0.0
    for start in range(0, count, BATCH):
        batch = order[start:start + BATCH]
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(net(x[batch]), y[batch])
        loss.backward()
        optimizer.step()
        loss_sum += loss.item() * len(batch)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "loss": loss_sum / count, "rss_ready_mb": rss_ready,
                      "torch": torch.__version__, "torch_threads": torch.get_num_threads()}))


CblasRowMajor, CblasNoTrans = 101, 111


def best_of(fn, runs):
    fn()
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def sgemm_worker(library, threads, size=SGEMM_SIZE, runs=5):
    """GFLOP/s of a size^3 float32 GEMM through one library; prints one JSON line."""
    rng = np.random.default_rng(1)
    a = rng.standard_normal((size, size), dtype=np.float32)
    b = rng.standard_normal((size, size), dtype=np.float32)
    c = np.empty((size, size), dtype=np.float32)
    info = {}
    if library == "system-openblas":
        lib = ctypes.CDLL("libopenblas.so.0")
        lib.cblas_sgemm.restype = None
        lib.cblas_sgemm.argtypes = [
            ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int,
            ctypes.c_float, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int,
            ctypes.c_float, ctypes.c_void_p, ctypes.c_int]
        lib.openblas_set_num_threads.argtypes = [ctypes.c_int]
        lib.openblas_set_num_threads(threads)
        lib.openblas_get_config.restype = ctypes.c_char_p
        info["config"] = lib.openblas_get_config().decode()

        def run():
            lib.cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, size, size, size, 1.0, a.ctypes.data, size,
                            b.ctypes.data, size, 0.0, c.ctypes.data, size)
    elif library == "numpy":
        cfg = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        info["config"] = f"{cfg.get('name')} {cfg.get('version')}"

        def run():
            np.matmul(a, b, out=c)
    else:
        import torch
        torch.set_num_threads(threads)
        ta, tb, tc = torch.from_numpy(a), torch.from_numpy(b), torch.from_numpy(c)
        info["config"] = f"torch {torch.__version__} (MKL)"

        def run():
            torch.mm(ta, tb, out=tc)
    seconds = best_of(run, runs)
    info["gflops"] = 2.0 * size ** 3 / seconds / 1e9
    print(json.dumps(info))


# ---------------------------------------------------------------------------------------------
# Measuring subprocesses


def run_measured(cmd, env=None):
    """Runs cmd; returns exit code, wall seconds, max RSS (MB), CPU seconds, stdout, stderr."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {"rc": proc.returncode, "wall": wall, "maxrss_mb": usage.ru_maxrss / 1024,
                "cpu": usage.ru_utime + usage.ru_stime,
                "stdout": out.read().decode(errors="replace"), "stderr": err.read().decode(errors="replace")}


def sgemm_rate(library, threads):
    """numpy's OpenBLAS takes its thread count from OPENBLAS_NUM_THREADS; the system OpenBLAS is
    set through openblas_set_num_threads and torch through torch.set_num_threads (like the training
    workers, which get no thread variables: with OMP_NUM_THREADS=2 in the environment PyTorch's
    training steps were ~25x slower while another process kept one core busy)."""
    env = dict(os.environ)
    if library == "numpy":
        env["OPENBLAS_NUM_THREADS"] = str(threads)
    result = run_measured([sys.executable, os.path.abspath(__file__), "--sgemm-worker", library, str(threads)],
                          env=env)
    if result["rc"] != 0:
        return {"gflops": None, "config": f"failed: {result['stderr'].strip()[-300:]}"}
    return json.loads(result["stdout"].strip().splitlines()[-1])


def run_torch(model, data, threads):
    spec = json.dumps({"model": model, "data": data, "threads": threads})
    result = run_measured([sys.executable, os.path.abspath(__file__), "--torch-worker", spec])
    if result["rc"] != 0:
        result["error"] = result["stderr"].strip()[-2000:]
        return result
    result.update(json.loads(result["stdout"].strip().splitlines()[-1]))
    return result


EPOCH_LINE = re.compile(r"^epoch 1/1\s+loss\s+(\S+).*?\s([0-9.]+) s\s*$")


def run_modelrun(modelrun, model_path, data, threads, workdir):
    out = os.path.join(workdir, "trained.model")
    cmd = [modelrun, "train", model_path, "--data", data, "--threads", str(threads), "--epochs", "1", "-o", out]
    result = run_measured(cmd)
    result["command"] = " ".join(cmd)
    if result["rc"] != 0:
        result["error"] = result["stderr"].strip()[-2000:]
        return result
    for line in result["stderr"].splitlines():
        match = EPOCH_LINE.match(line.strip())
        if match:
            result["loss"] = float(match.group(1))
            result["seconds"] = float(match.group(2))
    if "seconds" not in result:
        result["error"] = "no `epoch 1/1 ... s` line on stderr: " + result["stderr"].strip()[-500:]
    return result


# ---------------------------------------------------------------------------------------------


def machine_note():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "?"
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GB RAM"
    return f"{os.cpu_count()} vCPUs ({cpu}), {memory}, Python {platform.python_version()}, numpy {np.__version__}"


def git_state():
    try:
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        return commit + (" + uncommitted changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "?"


README_INTRO = """## Training

`training/run_training_peers.py`: one epoch of training in PyTorch and in `modelrun train`,
side by side in one run, for threads 1 and 2 (`torch.set_num_threads`, `modelrun train --threads`):

- **mlp**: 784-512-256-10 (ReLU), ONE_HOT + SOFTMAX_CROSS_ENTROPY from logits;
- **multilabel**: 784-512-256-20 (ReLU), MULTI_HOT + BINARY_CROSS_ENTROPY from logits (20 labels);
- **lenet**: 1×28×28, Conv 5×5 (6) → ReLU → MaxPool 2 → Conv 5×5 (16) → ReLU → MaxPool 2 →
  Flatten → Gemm 256-120-84-10 (the layers of `make_models.py`'s lenet), ONE_HOT + softmax CE.

All: Adam 1e-3, batch 64 (last batch partial), one epoch, shuffled, no validation split. The
script writes the models as `.pbtxt` (HE_UNIFORM weights, ZEROS biases; PyTorch gets
`kaiming_uniform_`/`zeros_`, the same rule) into a temporary folder.

**The data is synthetic** (no MNIST offline): seeded, MNIST-shaped float32 [N, 784] written to a
temporary `.npz`. One-hot models: int64 labels 0–9, x = clip(prototype[label] + N(0, 0.5²), 0, 1)
with 10 random U(0,1) prototypes. Multi-label: 0/1 float32 rows [N, 20] (each label on with
p = 0.15), x = 0.5·Σ prototypes of the active labels + N(0, 0.3²). LeNet uses the one-hot set
reshaped to [N, 1, 28, 28] (all 60,000 samples by default, `--lenet-samples`). Timing does not
depend on the values; the loss columns only show that both sides learn about as fast.

How it measures: each side runs in its own subprocess. PyTorch times its epoch loop
(randperm, row gather, forward, loss, backward, Adam step, `loss.item()`) with `perf_counter`;
modelrun's epoch time is the `epoch 1/1  loss L  S s` line `modelrun train` prints on stderr
(its `Trainer` times the same work), and "process" is the wall time of the whole
`modelrun train` process (read the .npz, compile, train, write the model). Peak RSS is the
`ru_maxrss` of each subprocess (`os.wait4`). The GEMM limit is training FLOPs ÷ the sgemm
rate of the system OpenBLAS (`libopenblas.so.0`, the library modelrun links; 2048³ float32,
best of 5, same thread count, measured in the same run); training FLOPs = 3 × forward FLOPs
(2·N·Σ in·out over Gemm layers, 2·N·C_out·OH·OW·C_in·k² over Conv layers). numpy's `matmul`
(numpy bundles its own OpenBLAS build, scipy-openblas) and `torch.mm` (MKL) are timed the same
way for reference. Neither side computes the gradient of the input x, so the needed FLOPs are
3× forward minus the first layer's forward (shown as "needed"). Each row is 3 interleaved
PyTorch/modelrun pairs of fresh processes (`--rounds`): the median epoch time, the range in
brackets. The workers get no `OMP_NUM_THREADS`: with `OMP_NUM_THREADS=2` in the environment,
PyTorch's 2-thread steps were ~25× slower while another process kept a core busy (libgomp
spin-waiting), which would measure the environment, not PyTorch.

```sh
swift build -c release --product modelrun          # .build/release/modelrun
python3 bench/training/run_training_peers.py       # ≈ 5–10 min; appends a run below
python3 bench/training/run_training_peers.py --no-readme --models mlp --threads 1   # quick look
```
"""


def render(rows, rates, info, args):
    lines = []
    add = lines.append
    add(f"### Run of {info['date']} (commit {info['commit']})")
    add("")
    add(f"`{info['command']}` — {info['machine']}; torch {info.get('torch', '?')}; "
        f"load average before/after {info['load_before']:.2f} / {info['load_after']:.2f}.")
    add("")
    rate_parts = []
    for t in args.threads:
        r = rates[t]
        def g(lib):
            v = r[lib]["gflops"]
            return f"{v:.1f}" if v else "n/a"
        rate_parts.append(f"{t} thread(s): system OpenBLAS {g('system-openblas')}, numpy {g('numpy')}, torch.mm {g('torch')}")
    add(f"sgemm {SGEMM_SIZE}³ GFLOP/s — " + "; ".join(rate_parts) + ". "
        f"System OpenBLAS: {rates[args.threads[0]]['system-openblas'].get('config', '?')}; "
        f"numpy: {rates[args.threads[0]]['numpy'].get('config', '?')}.")
    add("")
    add("| model | samples | threads | PyTorch epoch s | modelrun epoch s | modelrun / PyTorch | modelrun process s | "
        "train GFLOP (3× fwd / needed) | GEMM limit s | modelrun ÷ limit | PyTorch ÷ limit | epoch loss PyTorch / modelrun | other CPU load |")
    add("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    failures = []
    for r in rows:
        torch_s = r["torch"].get("seconds")
        ours_s = r["modelrun"].get("seconds")
        flops3, needed = r["flops"]
        rate = rates[r["threads"]]["system-openblas"]["gflops"]
        limit = flops3 / (rate * 1e9) if rate else None

        def num(v, fmt="{:.2f}"):
            return fmt.format(v) if v is not None else "—"
        def timed(side, value):
            if value is None:
                return "failed"
            runs = r[side].get("all_seconds", [])
            return f"{value:.2f} ({min(runs):.2f}–{max(runs):.2f})" if len(runs) > 1 else f"{value:.2f}"
        ours_cell = timed("modelrun", ours_s)
        torch_cell = timed("torch", torch_s)
        ratio = num(ours_s / torch_s) if ours_s and torch_s else "—"
        process = num(r["modelrun"]["wall"]) if ours_s is not None else "—"
        add(f"| {r['model']} | {r['samples']:,} | {r['threads']} | {torch_cell} | {ours_cell} | {ratio} | {process} | "
            f"{flops3 / 1e9:.1f} / {needed / 1e9:.1f} | {num(limit)} | "
            f"{num(ours_s / limit if ours_s and limit else None, '{:.1f}×')} | "
            f"{num(torch_s / limit if torch_s and limit else None, '{:.1f}×')} | "
            f"{num(r['torch'].get('loss'), '{:.4f}')} / {num(r['modelrun'].get('loss'), '{:.4f}')} | {r['other_cpu']:.2f} |")
        for side in ("torch", "modelrun"):
            if r[side].get("error"):
                failures.append((r, side))
    add("")
    add("modelrun / PyTorch > 1 means modelrun is slower. \"÷ limit\" = epoch time ÷ GEMM limit (1.0× would be "
        "all FLOPs at the square-sgemm rate).")
    add("")
    add("Peak memory (max RSS of each process; PyTorch \"ready\" = its max RSS after importing torch, loading the "
        "data and building the model, before the epoch):")
    add("")
    add("| model | samples | threads | data MB | PyTorch peak RSS MB | PyTorch ready MB | modelrun peak RSS MB | "
        "modelrun / PyTorch | CPU s PyTorch / modelrun |")
    add("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        t, m = r["torch"], r["modelrun"]
        tr = t.get("maxrss_mb") if t.get("seconds") is not None else None
        mr = m.get("maxrss_mb") if m.get("seconds") is not None else None
        add(f"| {r['model']} | {r['samples']:,} | {r['threads']} | {r['data_mb']:.0f} | "
            f"{'%.0f' % tr if tr else '—'} | {'%.0f' % t['rss_ready_mb'] if t.get('rss_ready_mb') else '—'} | "
            f"{'%.0f' % mr if mr else '—'} | {'%.2f' % (mr / tr) if mr and tr else '—'} | "
            f"{t.get('cpu', 0):.1f} / {m.get('cpu', 0):.1f} |")
    if failures:
        add("")
        add("Failures:")
        add("")
        for r, side in failures:
            cmd = r[side].get("command", f"PyTorch worker ({r['model']}, {r['threads']} threads)")
            add(f"- {r['model']} threads {r['threads']}, {side}: `{cmd}` exited {r[side]['rc']}:")
            add("")
            add("  ```")
            for line in r[side]["error"].splitlines()[-15:]:
                add("  " + line)
            add("  ```")
    return "\n".join(lines) + "\n"


def append_to_readme(path, block):
    with open(path) as f:
        text = f.read()
    if "\n## Training\n" not in text:
        text = text.rstrip("\n") + "\n\n" + README_INTRO + "\n" + block
    else:
        start = text.index("\n## Training\n") + 1
        following = text.find("\n## ", start + 1)
        end = len(text) if following < 0 else following + 1
        section = text[start:end].rstrip("\n") + "\n\n" + block
        text = text[:start] + section + ("\n" + text[end:] if following >= 0 else "")
    with open(path, "w") as f:
        f.write(text)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--torch-worker":
        torch_worker(json.loads(sys.argv[2]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--data-worker":
        data_worker(sys.argv[2], int(sys.argv[3]), sys.argv[4])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--sgemm-worker":
        sgemm_worker(sys.argv[2], int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_modelrun = os.path.join(ROOT, ".build", "release", "modelrun")
    if not os.access(default_modelrun, os.X_OK):
        default_modelrun = os.path.join(ROOT, ".build-release", "release", "modelrun")
    parser.add_argument("--modelrun", default=default_modelrun)
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--samples", type=int, default=60000, help="samples for the MLPs")
    parser.add_argument("--lenet-samples", type=int, default=60000)
    parser.add_argument("--rounds", type=int, default=3,
                        help="interleaved PyTorch/modelrun rounds per row; the table shows the medians")
    parser.add_argument("--quiet-threshold", type=float, default=0.15)
    parser.add_argument("--json-out")
    parser.add_argument("--readme", default=os.path.join(BENCH, "README.md"))
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    args.threads = [int(t) for t in args.threads.split(",") if t]
    models = [m for m in args.models.split(",") if m]
    if not os.access(args.modelrun, os.X_OK):
        sys.exit(f"modelrun not found at {args.modelrun}; build it with "
                 "`swift build -c release --product modelrun` or pass --modelrun")

    info = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": git_state(), "machine": machine_note(), "load_before": os.getloadavg()[0],
            "command": "python3 bench/training/run_training_peers.py" + (" " + " ".join(sys.argv[1:]) if sys.argv[1:] else "")}
    print(f"# {info['machine']}; modelrun {args.modelrun}", file=sys.stderr)

    wait_quiet(args.quiet_threshold, 60)
    rates = {}
    for t in args.threads:
        rates[t] = {lib: sgemm_rate(lib, t) for lib in ("system-openblas", "numpy", "torch")}
        print(f"# sgemm {SGEMM_SIZE}^3, {t} thread(s): "
              + ", ".join(f"{lib} {v['gflops'] or 0:.1f} GFLOP/s" for lib, v in rates[t].items()), file=sys.stderr)

    workdir = tempfile.mkdtemp(prefix="training-peers-")
    rows = []
    try:
        data_files = {}
        for model in models:
            samples = args.lenet_samples if model == "lenet" else args.samples
            data_path = os.path.join(workdir, f"{model}.npz")
            # In a subprocess: ru_maxrss survives vfork + exec, so every later child would report at
            # least this process's own high-water mark if the data had been made here.
            made = run_measured([sys.executable, os.path.abspath(__file__), "--data-worker", model, str(samples),
                                 data_path])
            if made["rc"] != 0:
                sys.exit(f"making the {model} data failed: {made['stderr']}")
            data_files[model] = (data_path, samples, float(made["stdout"].strip().splitlines()[-1]))
            model_path = os.path.join(workdir, f"{model}.pbtxt")
            with open(model_path, "w") as f:
                f.write(model_pbtxt(model))
        for model in models:
            data_path, samples, data_mb = data_files[model]
            model_path = os.path.join(workdir, f"{model}.pbtxt")
            for t in args.threads:
                wait_quiet(args.quiet_threshold, 30)
                load = ForeignLoad()
                load.start()
                torch_runs, our_runs = [], []
                for _ in range(args.rounds):
                    torch_runs.append(run_torch(model, data_path, t))
                    our_runs.append(run_modelrun(args.modelrun, model_path, data_path, t, workdir))

                def pick(runs):
                    ok = [r for r in runs if r.get("seconds") is not None]
                    if not ok:
                        return runs[0]
                    ok.sort(key=lambda r: r["seconds"])
                    chosen = dict(ok[len(ok) // 2] if len(ok) % 2 else ok[len(ok) // 2 - 1])
                    chosen["seconds"] = statistics.median(r["seconds"] for r in ok)
                    chosen["all_seconds"] = [r["seconds"] for r in ok]
                    chosen["all_walls"] = [r["wall"] for r in ok]
                    chosen["wall"] = statistics.median(chosen["all_walls"])
                    chosen["maxrss_mb"] = max(r["maxrss_mb"] for r in ok)
                    return chosen
                row = {"model": model, "samples": samples, "threads": t, "data_mb": data_mb,
                       "torch": pick(torch_runs), "modelrun": pick(our_runs), "other_cpu": load.stop(),
                       "flops": training_flops(model, samples)}
                if "torch" in row["torch"]:
                    info["torch"] = row["torch"]["torch"]
                for side in ("torch", "modelrun"):
                    row[side].pop("stdout", None)
                    if row[side].get("error") is None:
                        row[side].pop("stderr", None)
                rows.append(row)
                print(f"# {model} t{t}: PyTorch {row['torch'].get('seconds', 'failed')} s, "
                      f"modelrun {row['modelrun'].get('seconds', 'failed')} s "
                      f"(process {row['modelrun']['wall']:.2f} s), peak RSS {row['torch']['maxrss_mb']:.0f} / "
                      f"{row['modelrun']['maxrss_mb']:.0f} MB, other CPU {row['other_cpu']:.2f}", file=sys.stderr)
                for side in ("torch", "modelrun"):
                    if row[side].get("error"):
                        print(f"# {side} failed: {row[side].get('command', '')}\n{row[side]['error']}", file=sys.stderr)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    info["load_after"] = os.getloadavg()[0]
    block = render(rows, rates, info, args)
    print(block)
    if not args.no_readme:
        append_to_readme(args.readme, block)
        print(f"# appended to {args.readme}", file=sys.stderr)
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"info": info, "sgemm": rates, "rows": rows}, f, indent=2)
    if any(r[side].get("error") for r in rows for side in ("torch", "modelrun")):
        sys.exit(1)


if __name__ == "__main__":
    main()
