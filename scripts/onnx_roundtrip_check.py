#!/usr/bin/env python3
"""Check that CANDIDATE.onnx is a valid ONNX model that computes what ORIGINAL.onnx does.

Usage:
    python3 scripts/onnx_roundtrip_check.py ORIGINAL.onnx CANDIDATE.onnx
        [--batch 3] [--rtol 1e-5] [--atol 1e-6] [--seed 0]
        [--expect-metadata KEY]...

Steps:
  1. Load CANDIDATE and run onnx.checker.check_model(model, full_check=True)
     (full_check also runs strict shape inference).
  2. If --expect-metadata KEY is given (repeatable), require each KEY among
     CANDIDATE's metadata_props.
  3. Build random inputs from a seeded numpy generator for every graph input of
     ORIGINAL that is not an initializer: dims with a fixed value keep it,
     symbolic or unknown dims become --batch. Float inputs are standard normal
     values; integer inputs are in [0, 10); bool inputs are random.
  4. Run both files with onnxruntime on CPUExecutionProvider and compare every
     output by name: same set of names, same dtype, same shape and
     numpy.allclose(candidate, original, rtol, atol). The max absolute
     difference of each output is printed.

Exit status: 0 when everything agrees; 1 on any failure (unreadable file,
checker failure, missing metadata key, input or output mismatch, onnxruntime
error, values out of tolerance), with a message on stderr and no traceback;
2 for bad command-line usage.

Needs: onnx, onnxruntime, numpy.
"""

import argparse
import os
import sys


class CheckFailure(Exception):
    """An expected failure: reported as a message, exit status 1."""


def fail(msg):
    raise CheckFailure(msg)


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Check an ONNX candidate against an original with onnx.checker and onnxruntime.")
    p.add_argument("original", metavar="ORIGINAL.onnx")
    p.add_argument("candidate", metavar="CANDIDATE.onnx")
    p.add_argument("--batch", type=int, default=3,
                   help="size used for symbolic/unknown input dims (default 3)")
    p.add_argument("--rtol", type=float, default=1e-5, help="relative tolerance (default 1e-5)")
    p.add_argument("--atol", type=float, default=1e-6, help="absolute tolerance (default 1e-6)")
    p.add_argument("--seed", type=int, default=0, help="numpy seed for the inputs (default 0)")
    p.add_argument("--expect-metadata", metavar="KEY", action="append", default=[],
                   help="require KEY in CANDIDATE's metadata_props (repeatable)")
    args = p.parse_args(argv)
    if args.batch < 1:
        p.error("--batch must be at least 1")
    return args


def load_model(onnx, path, role):
    if not os.path.isfile(path):
        fail(f"{role} {path}: no such file")
    try:
        return onnx.load(path)
    except Exception as e:  # protobuf DecodeError and friends
        fail(f"{role} {path}: cannot be parsed as an ONNX model: {type(e).__name__}: {e}")


def run_checker(onnx, model, path):
    try:
        onnx.checker.check_model(model, full_check=True)
    except Exception as e:  # ValidationError, InferenceError, ...
        msg = str(e).strip() or type(e).__name__
        fail(f"candidate {path}: onnx.checker.check_model(full_check=True) failed:\n"
             f"  {type(e).__name__}: {msg}")


def check_metadata(model, path, keys):
    present = {p.key: p.value for p in model.metadata_props}
    missing = [k for k in keys if k not in present]
    if missing:
        have = ", ".join(sorted(present)) or "(none)"
        fail(f"candidate {path}: metadata_props lack key(s) {', '.join(missing)}; present: {have}")
    for k in keys:
        print(f"metadata: {k} = {present[k]!r}")


def graph_inputs(model):
    """(name, elem_type, dims) for the graph inputs that are not initializers."""
    inits = {t.name for t in model.graph.initializer}
    out = []
    for vi in model.graph.input:
        if vi.name in inits:
            continue
        if vi.type.WhichOneof("value") != "tensor_type":
            out.append((vi.name, None, None))
            continue
        tt = vi.type.tensor_type
        dims = None
        if tt.HasField("shape"):
            dims = [d.dim_value if d.WhichOneof("value") == "dim_value" else None
                    for d in tt.shape.dim]
        out.append((vi.name, tt.elem_type, dims))
    return out


def make_inputs(onnx, np, model, path, batch, seed):
    rng = np.random.default_rng(seed)
    feeds = {}
    for name, elem_type, dims in graph_inputs(model):
        if elem_type is None:
            fail(f"original {path}: input {name!r} is not a tensor; cannot make random data for it")
        if dims is None:
            fail(f"original {path}: input {name!r} has no shape; cannot make random data for it")
        try:
            dtype = np.dtype(onnx.helper.tensor_dtype_to_np_dtype(elem_type))
        except Exception:
            dtype = None
        shape = tuple(batch if (d is None or d <= 0) else d for d in dims)
        if dtype is None:
            fail(f"original {path}: input {name!r} has unsupported element type "
                 f"{onnx.TensorProto.DataType.Name(elem_type)}")
        if dtype.kind == "f":
            feeds[name] = rng.standard_normal(shape).astype(dtype)
        elif dtype.kind in "iu":
            feeds[name] = rng.integers(0, 10, size=shape).astype(dtype)
        elif dtype.kind == "b":
            feeds[name] = rng.integers(0, 2, size=shape).astype(bool)
        else:
            fail(f"original {path}: input {name!r} has unsupported element type {dtype}")
    return feeds


def check_inputs_match(orig_model, cand_model, cand_path):
    orig = {n: (t, d) for n, t, d in graph_inputs(orig_model)}
    cand = {n: (t, d) for n, t, d in graph_inputs(cand_model)}
    if set(orig) != set(cand):
        fail(f"candidate {cand_path}: graph inputs {sorted(cand)} differ from original's {sorted(orig)}")
    for name, (t, d) in orig.items():
        ct, cd = cand[name]
        if ct != t:
            fail(f"candidate {cand_path}: input {name!r} element type {ct} differs from original's {t}")
        if d is not None and cd is not None:
            if len(d) != len(cd):
                fail(f"candidate {cand_path}: input {name!r} has rank {len(cd)}, original has {len(d)}")
            for i, (a, b) in enumerate(zip(d, cd)):
                if a and b and a != b:
                    fail(f"candidate {cand_path}: input {name!r} dim {i} is {b}, original has {a}")


def run_model(ort, path, role, feeds):
    try:
        opts = ort.SessionOptions()
        opts.log_severity_level = 3  # errors only
        sess = ort.InferenceSession(path, sess_options=opts, providers=["CPUExecutionProvider"])
        names = [o.name for o in sess.get_outputs()]
        wanted = {i.name for i in sess.get_inputs()}
        values = sess.run(names, {k: v for k, v in feeds.items() if k in wanted})
    except Exception as e:  # onnxruntime raises its own pybind exception types
        msg = str(e).strip() or type(e).__name__
        fail(f"{role} {path}: onnxruntime failed: {type(e).__name__}: {msg}")
    return dict(zip(names, values)), names


def compare(np, orig_out, orig_names, cand_out, cand_names, rtol, atol):
    if set(orig_names) != set(cand_names):
        fail(f"output names differ: original {orig_names}, candidate {cand_names}")
    if orig_names != cand_names:
        print(f"note: output order differs: original {orig_names}, candidate {cand_names}")
    problems = []
    for name in orig_names:
        a = np.asarray(orig_out[name])
        b = np.asarray(cand_out[name])
        if a.dtype != b.dtype:
            problems.append(f"output {name!r}: dtype {b.dtype} differs from original's {a.dtype}")
            continue
        if a.shape != b.shape:
            problems.append(f"output {name!r}: shape {list(b.shape)} differs from original's {list(a.shape)}")
            continue
        if a.size == 0:
            print(f"output {name!r}: shape {list(a.shape)}, empty")
            continue
        if a.dtype.kind in "fc":
            diff = np.abs(a.astype(np.float64) - b.astype(np.float64))
            finite = np.isfinite(diff)
            max_diff = float(diff[finite].max()) if finite.any() else 0.0
            ok = bool(np.allclose(b, a, rtol=rtol, atol=atol, equal_nan=True))
        else:
            max_diff = float(np.abs(a.astype(np.float64) - b.astype(np.float64)).max())
            ok = bool(np.array_equal(a, b))
        status = "ok" if ok else "MISMATCH"
        print(f"output {name!r}: shape {list(a.shape)}, max abs diff {max_diff:.3g}: {status}")
        if not ok:
            problems.append(f"output {name!r}: values differ beyond rtol={rtol:g}, atol={atol:g} "
                            f"(max abs diff {max_diff:.6g})")
    if problems:
        fail("\n".join(problems))


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        import numpy as np
        import onnx
        import onnxruntime as ort
    except ImportError as e:
        print(f"FAIL: missing Python package: {e} (pip install onnx onnxruntime numpy)", file=sys.stderr)
        return 1

    try:
        cand_model = load_model(onnx, args.candidate, "candidate")
        run_checker(onnx, cand_model, args.candidate)
        print(f"checker: {args.candidate}: check_model(full_check=True) ok")
        check_metadata(cand_model, args.candidate, args.expect_metadata)

        orig_model = load_model(onnx, args.original, "original")
        check_inputs_match(orig_model, cand_model, args.candidate)
        feeds = make_inputs(onnx, np, orig_model, args.original, args.batch, args.seed)
        for name, value in feeds.items():
            print(f"input {name!r}: {value.dtype} {list(value.shape)}")

        orig_out, orig_names = run_model(ort, args.original, "original", feeds)
        cand_out, cand_names = run_model(ort, args.candidate, "candidate", feeds)
        compare(np, orig_out, orig_names, cand_out, cand_names, args.rtol, args.atol)
    except CheckFailure as e:
        print(f"FAIL: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # anything unforeseen still ends as a message, not a traceback
        print(f"FAIL: unexpected error: {type(e).__name__}: {e}", file=sys.stderr)
        return 1

    print(f"OK: {args.candidate} matches {args.original} "
          f"(batch {args.batch}, rtol {args.rtol:g}, atol {args.atol:g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
