#!/usr/bin/env python3
"""Times real CNNs in ONNX Runtime, OpenVINO and `modelrun bench` in one run, and checks
OpenVINO's and modelrun's outputs against ONNX Runtime's (issue 11 item 8).

Models: torchvision ResNet-18, MobileNetV2, SqueezeNet 1.1 and EfficientNet-B0 with random,
seeded weights, exported by scripts/fixtures/export_real_models.py with the legacy exporter at
opset 17 with a dynamic batch dim (input "x" [N, 3, 224, 224], output "logits" [N, 1000]) into
bench/models/real/ (when missing; --re-export to redo).

For each model x batch {1, 32} x threads {1, 2}:
  - ONNX Runtime: CPUExecutionProvider, intra_op_num_threads = threads, inter_op_num_threads = 1,
    sequential execution, ORT_ENABLE_ALL; warm-up runs, then the median of timed `session.run`
    calls in this process.
  - OpenVINO: the ONNX file read by `ov.Core().read_model`, reshaped to the static batch (ORT and
    modelrun also plan per input shape), compiled for "CPU" with INFERENCE_NUM_THREADS = threads,
    NUM_STREAMS 1, PERFORMANCE_HINT LATENCY and INFERENCE_PRECISION_HINT f32 (OpenVINO would pick
    bf16 on CPUs with native bf16; every column here is float32); the median of timed synchronous
    `InferRequest.infer` calls in this process.
  - modelrun: `modelrun bench MODEL --batch-size B --threads T --runs R --warmup W --json`, its
    `medianMilliseconds` (timed inside the process around `InferenceSession.run`). Skipped
    ("not run") when the binary is missing or with --no-modelrun.
  - Timing input: the pattern `modelrun bench` feeds, ((i * 7919) mod 1000) / 1000 - 0.5.
  - Agreement (once per model and batch, at 2 threads): a seeded N(0, 1) input through ORT,
    OpenVINO and `modelrun infer MODEL --input x=IN.npy -o OUT.npy --threads 2` (`--output-file`
    if modelrun rejects `-o`); "yes" when max |y - y_ort| <= 1e-4 * max |y_ort|.
  - Throughput ratio = ORT ms / other ms (> 1: faster than ONNX Runtime).
  - Other CPU load: cores used by other processes while the row ran (bench/machine_load.py);
    before each row the script waits up to --quiet-wait seconds (default 10) for a quiet machine.

Prints a markdown report (CPU model from /proc/cpuinfo, versions, the table).

Usage:
  python3 bench/real_models.py [--modelrun .build-release/release/modelrun] [--no-modelrun]
      [--models resnet18,mobilenet_v2,squeezenet1_1,efficientnet_b0] [--batches 1,32] [--threads 1,2]
      [--runs 20] [--quiet-wait 10] [--json-out FILE] [--re-export]
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnxruntime as ort

from machine_load import ForeignLoad, wait_quiet

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
EXPORTER = os.path.join(ROOT, "scripts", "fixtures", "export_real_models.py")
MODELS = ["resnet18", "mobilenet_v2", "squeezenet1_1", "efficientnet_b0"]
TOLERANCE = 1e-4


def model_path(models_dir, model):
    return os.path.join(models_dir, f"{model}.legacy.onnx")


def export_models(models, models_dir, again):
    missing = [m for m in models if again or not os.path.exists(model_path(models_dir, m))]
    if missing:
        print(f"# exporting {', '.join(missing)} (legacy exporter, opset 17)", file=sys.stderr)
        subprocess.run([sys.executable, EXPORTER, models_dir, "--only", ",".join(missing), "--exporters", "legacy"],
                       check=True, stdout=subprocess.DEVNULL)


def bench_input(batch):
    """The pattern `modelrun bench` feeds: ((i * 7919) % 1000) / 1000 - 0.5."""
    shape = (batch, 3, 224, 224)
    i = np.arange(int(np.prod(shape)), dtype=np.int64)
    return (((i * 7919) % 1000).astype(np.float32) / 1000 - 0.5).reshape(shape)


def median_ms(call, warmup, runs):
    for _ in range(warmup):
        call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def ort_session(path, threads):
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


class OpenVINOModel:
    def __init__(self, core, path, batch, threads):
        import openvino as ov
        model = core.read_model(path)
        model.reshape({model.inputs[0].get_any_name(): ov.PartialShape([batch, 3, 224, 224])})
        config = {"INFERENCE_NUM_THREADS": threads, "NUM_STREAMS": 1, "PERFORMANCE_HINT": "LATENCY",
                  "INFERENCE_PRECISION_HINT": "f32"}
        self.compiled = core.compile_model(model, "CPU", config)
        self.request = self.compiled.create_infer_request()

    def run(self, x):
        self.request.infer({0: x})
        return self.request.get_output_tensor(0).data


def modelrun_bench(modelrun, path, batch, threads, runs, warmup):
    command = [modelrun, "bench", path, "--batch-size", str(batch), "--threads", str(threads),
               "--runs", str(runs), "--warmup", str(warmup), "--json"]
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode != 0:
        return None, proc.stderr.strip().splitlines()[-1][:200] if proc.stderr.strip() else f"exit {proc.returncode}"
    return json.loads(proc.stdout[proc.stdout.index("{"):])["medianMilliseconds"], None


def modelrun_infer(modelrun, path, x, workdir):
    x_path, y_path = os.path.join(workdir, "x.npy"), os.path.join(workdir, "y.npy")
    np.save(x_path, x)
    for flag in ("-o", "--output-file"):
        if os.path.exists(y_path):
            os.remove(y_path)
        proc = subprocess.run([modelrun, "infer", path, "--input", f"x={x_path}", flag, y_path, "--threads", "2"],
                              capture_output=True, text=True)
        if proc.returncode == 0:
            return np.load(y_path), None
        if not ("nknown option" in proc.stderr and flag in proc.stderr):
            break
    return None, (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1][:200]


def agreement(reference, value, error=None):
    if value is None:
        return False, f"NO: {error}"
    if value.shape != reference.shape:
        return False, f"NO: shape {list(value.shape)} vs {list(reference.shape)}"
    scale = float(np.max(np.abs(reference))) or 1.0
    relative = float(np.max(np.abs(value.astype(np.float64) - reference))) / scale
    ok = relative <= TOLERANCE and bool(np.all(np.isfinite(value)))
    return ok, f"{'yes' if ok else 'NO'} ({relative:.1e})"


def cpu_model():
    fields = {}
    with open("/proc/cpuinfo") as file:
        for line in file:
            if not line.strip():
                break
            key, _, value = line.partition(":")
            fields[key.strip()] = value.strip()
    flags = set(fields.get("flags", "").split())
    isa = [f for f in ("avx2", "avx512f", "avx512_bf16", "avx512_vnni", "amx_tile") if f in flags]
    return (f"{fields.get('model name', '?')} (family {fields.get('cpu family', '?')} model {fields.get('model', '?')}; "
            f"{' '.join(isa)}), {os.cpu_count()} logical CPUs")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modelrun", default=os.path.join(ROOT, ".build-release", "release", "modelrun"))
    parser.add_argument("--no-modelrun", action="store_true", help="time ONNX Runtime and OpenVINO only")
    parser.add_argument("--models-dir", default=os.path.join(HERE, "models", "real"))
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--batches", default="1,32")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--runs", type=int, default=20, help="timed runs at batch 1 (a quarter, at least 3, at 32)")
    parser.add_argument("--quiet-threshold", type=float, default=0.15)
    parser.add_argument("--quiet-wait", type=float, default=10,
                        help="seconds to wait before each row for other processes to use under --quiet-threshold cores")
    parser.add_argument("--json-out")
    parser.add_argument("--re-export", action="store_true")
    args = parser.parse_args()

    import openvino as ov
    models = [m for m in args.models.split(",") if m]
    batches = [int(b) for b in args.batches.split(",")]
    thread_counts = [int(t) for t in args.threads.split(",")]
    use_modelrun = not args.no_modelrun and os.access(args.modelrun, os.X_OK)
    if not args.no_modelrun and not use_modelrun:
        print(f"# {args.modelrun} not found: modelrun columns say 'not run'", file=sys.stderr)
    export_models(models, args.models_dir, args.re_export)
    core = ov.Core()

    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-real-") as workdir:
        for model in models:
            path = model_path(args.models_dir, model)
            for batch in batches:
                runs = args.runs if batch == 1 else max(3, args.runs // 4)
                warmup = max(1, runs // 5)
                x_check = np.random.default_rng(3).standard_normal((batch, 3, 224, 224), dtype=np.float32)
                checks = {}
                for threads in thread_counts:
                    wait_quiet(args.quiet_threshold, args.quiet_wait)
                    load = ForeignLoad()
                    load.start()
                    feed = bench_input(batch)
                    session = ort_session(path, threads)
                    ort_ms = median_ms(lambda: session.run(None, {"x": feed}), warmup, runs)
                    vino = OpenVINOModel(core, path, batch, threads)
                    ov_ms = median_ms(lambda: vino.run(feed), warmup, runs)
                    ours_ms, ours_error = (None, "not run")
                    if use_modelrun:
                        ours_ms, ours_error = modelrun_bench(args.modelrun, path, batch, threads, runs, warmup)
                    other = load.stop()
                    if threads == max(thread_counts):
                        reference = session.run(None, {"x": x_check})[0]
                        checks["openvino"] = agreement(reference, np.array(vino.run(x_check)))
                        if use_modelrun:
                            checks["modelrun"] = agreement(reference, *modelrun_infer(args.modelrun, path, x_check,
                                                                                        workdir))
                    row = {"model": model, "batch": batch, "threads": threads, "runs": runs, "warmup": warmup,
                           "ort_ms": ort_ms, "openvino_ms": ov_ms, "modelrun_ms": ours_ms,
                           "modelrun_error": ours_error, "other_cpu": other}
                    rows.append(row)
                    print(f"# {model} b{batch} t{threads}: ORT {ort_ms:.2f} ms, OpenVINO {ov_ms:.2f} ms, modelrun "
                          f"{'%.2f ms' % ours_ms if ours_ms is not None else ours_error}; other load {other:.2f}",
                          file=sys.stderr, flush=True)
                    del session, vino
                for row in rows:
                    if row["model"] == model and row["batch"] == batch:
                        row["openvino_agrees"], row["openvino_agreement"] = checks.get("openvino", (None, "not checked"))
                        row["modelrun_agrees"], row["modelrun_agreement"] = checks.get("modelrun", (None, "not run"))

    print(f"CPU: {cpu_model()}. onnxruntime {ort.__version__}, OpenVINO {ov.__version__}, "
          f"Python {platform.python_version()}.")
    print(f"Command: python3 bench/real_models.py {' '.join(sys.argv[1:])}".rstrip())
    print("Median ms per batch; throughput ratio = ORT ms / other ms (> 1: faster than ONNX Runtime); agreement "
          f"= max |y - y_ORT| / max |y_ORT| <= {TOLERANCE:g} on a seeded N(0, 1) batch at {max(thread_counts)} "
          "threads (the relative difference in brackets).")
    print()
    print("| model | batch | threads | ORT ms | OpenVINO ms | modelrun ms | OpenVINO ÷ ORT throughput | "
          "modelrun ÷ ORT throughput | OpenVINO agrees | modelrun agrees | other CPU load |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|---|---:|")
    for r in rows:
        ours = f"{r['modelrun_ms']:.2f}" if r["modelrun_ms"] is not None else r["modelrun_error"]
        ours_ratio = f"{r['ort_ms'] / r['modelrun_ms']:.2f}" if r["modelrun_ms"] else ""
        print(f"| {r['model']} | {r['batch']} | {r['threads']} | {r['ort_ms']:.2f} | {r['openvino_ms']:.2f} | {ours} | "
              f"{r['ort_ms'] / r['openvino_ms']:.2f} | {ours_ratio} | {r['openvino_agreement']} | "
              f"{r['modelrun_agreement']} | {r['other_cpu']:.2f} |")
    if args.json_out:
        with open(args.json_out, "w") as file:
            json.dump({"cpu": cpu_model(), "onnxruntime": ort.__version__, "openvino": ov.__version__, "rows": rows},
                      file, indent=1)
    return 1 if any(r["openvino_agrees"] is False or r["modelrun_agrees"] is False for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
