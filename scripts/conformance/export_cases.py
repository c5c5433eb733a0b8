#!/usr/bin/env python3
"""Writes the ONNX backend node tests for the ops we implement as case folders.

    python3 scripts/conformance/export_cases.py OUTDIR [--ops Abs,Add,...] [--no-retarget]

Cases come from onnx.backend.test.case.node.collect_testcases() (the definitions the onnx
package ships; the onnx 1.23 wheel has no prebuilt data/node folders). A case is kept when the
op_type of every node is in our op list (default: the cases of
Sources/ModelCompiler/Ops/OpType.swift); `_expanded` function variants are skipped. Each case
becomes

    OUTDIR/<case>/model.onnx
    OUTDIR/<case>/test_data_set_<i>/input_<j>.pb, output_<j>.pb     (TensorProto)

and OUTDIR/cases.json maps each case name to its op, rtol/atol and opsets.

Opsets. Every case in opsets 13-25 (the ones import accepts, each op at its version there; see
Sources/ModelCompiler/Ops/OpVersions.swift) runs at the opset it was generated for. The
generator writes some models at opsets we do not accept: 26-28 (the newest since_version of
ops whose semantics have not changed since, only their type lists) and a few below 13. Such a
model is rewritten to opset 25 (newer) or 13 (older), with the IR version onnx pairs with that
opset, when, and only when, onnx.checker (full_check, so strict shape inference) accepts it
there and the ONNX reference evaluator at that opset reproduces the expected outputs within the
case's tolerances. Otherwise the model keeps its opset and the runner reports the case as not
supported. cases.json records "source_opset" and "opset" for every case, and "retarget" with the
reason when it was refused. --no-retarget writes every model as generated.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import warnings

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OP_TYPE_SWIFT = os.path.join(REPO, "Sources", "ModelCompiler", "Ops", "OpType.swift")
ACCEPTED_OPSETS = range(13, 26)
# The IR version onnx.helper.VERSION_TABLE pairs with each retarget opset.
IR_VERSION_FOR_OPSET = {13: 7, 25: 13}
DEFAULT_RTOL, DEFAULT_ATOL = 1e-3, 1e-7


def our_ops(path: str) -> list[str]:
    """The ONNX spellings of the OpType cases, e.g. `case abs = "Abs"` -> Abs."""
    with open(path, encoding="utf-8") as f:
        return re.findall(r'^\s*case\s+`?\w+`?\s*=\s*"([A-Za-z0-9]+)"', f.read(), flags=re.M)


def onnx_opset(model) -> int | None:
    versions = [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")]
    return versions[0] if versions else None


def to_proto(value, name: str):
    from onnx import TensorProto, numpy_helper

    if isinstance(value, TensorProto):
        return value
    if isinstance(value, (np.generic, bool, int, float)):
        value = np.asarray(value)  # a few generators pass numpy scalars (Dropout's ratio)
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{name} is a {type(value).__name__}, not a tensor")
    return numpy_helper.from_array(value, name)


def to_array(value):
    from onnx import TensorProto, numpy_helper

    return numpy_helper.to_array(value) if isinstance(value, TensorProto) else value


def close(got, expected, rtol: float, atol: float) -> bool:
    got, expected = np.asarray(got), np.asarray(expected)
    if got.shape != expected.shape:
        return False
    if expected.dtype.kind in "fc" or got.dtype.kind in "fc":
        return bool(np.allclose(got.astype(np.float64), expected.astype(np.float64), rtol=rtol, atol=atol, equal_nan=True))
    return bool(np.array_equal(got, expected))


def retarget(case) -> tuple[object, str | None]:
    """The case's model at the nearest accepted opset when that is provably equivalent, else
    (original, reason)."""
    import onnx
    from onnx.reference import ReferenceEvaluator

    model = case.model
    source = onnx_opset(model)
    if source is None or source in ACCEPTED_OPSETS:
        return model, None
    target = ACCEPTED_OPSETS[-1] if source > ACCEPTED_OPSETS[-1] else ACCEPTED_OPSETS[0]
    candidate = onnx.ModelProto()
    candidate.CopyFrom(model)
    candidate.ir_version = IR_VERSION_FOR_OPSET[target]
    for opset in candidate.opset_import:
        if opset.domain in ("", "ai.onnx"):
            opset.version = target
    try:
        onnx.checker.check_model(candidate, full_check=True)
    except Exception as error:  # noqa: BLE001 - any refusal keeps the original opset
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return model, f"not valid at opset {target}: {first[:200]}"
    for inputs, outputs in case.data_sets:
        names = [i.name for i in candidate.graph.input]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                got = ReferenceEvaluator(candidate).run(None, {n: to_array(v) for n, v in zip(names, inputs)})
        except Exception as error:  # noqa: BLE001
            return model, f"the reference evaluator fails at opset {target}: {str(error).strip()[:200]}"
        for index, (g, e) in enumerate(zip(got, outputs)):
            if not close(g, to_array(e), case.rtol, case.atol):
                return model, f"output {index} differs at opset {target} (reference evaluator)"
    return candidate, None


def write_case(case, model, directory: str) -> None:
    if os.path.exists(directory):
        shutil.rmtree(directory)
    os.makedirs(directory)
    with open(os.path.join(directory, "model.onnx"), "wb") as f:
        f.write(model.SerializeToString())
    for i, (inputs, outputs) in enumerate(case.data_sets):
        data = os.path.join(directory, f"test_data_set_{i}")
        os.makedirs(data)
        for kind, values, infos in (("input", inputs, model.graph.input), ("output", outputs, model.graph.output)):
            for j, value in enumerate(values):
                proto = to_proto(value, infos[j].name)
                with open(os.path.join(data, f"{kind}_{j}.pb"), "wb") as f:
                    f.write(proto.SerializeToString())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir")
    parser.add_argument("--ops", help="comma-separated op types (default: OpType.swift)")
    parser.add_argument("--no-retarget", action="store_true", help="keep every model's generated opset")
    args = parser.parse_args()

    ops = set(args.ops.split(",")) if args.ops else set(our_ops(OP_TYPE_SWIFT))
    if not ops:
        print(f"error: no ops found in {OP_TYPE_SWIFT}", file=sys.stderr)
        return 2

    from onnx.backend.test.case.node import collect_testcases

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the generators overflow casts on purpose
        cases = collect_testcases()

    os.makedirs(args.outdir, exist_ok=True)
    index: dict[str, dict] = {}
    retargeted = refused = 0
    for case in sorted(cases, key=lambda c: c.name):
        if "_expanded" in case.name or case.model is None or not case.data_sets:
            continue
        types = [node.op_type for node in case.model.graph.node]
        if not types or not set(types) <= ops:
            continue
        source = onnx_opset(case.model)
        model, reason = (case.model, None) if args.no_retarget else retarget(case)
        try:
            write_case(case, model, os.path.join(args.outdir, case.name))
        except (TypeError, ValueError) as error:
            shutil.rmtree(os.path.join(args.outdir, case.name), ignore_errors=True)
            print(f"skipped {case.name}: {error} (sequence and optional values are outside the format)", file=sys.stderr)
            continue
        entry = {
            "op": types[0] if len(set(types)) == 1 else "+".join(sorted(set(types))),
            "rtol": float(case.rtol if case.rtol is not None else DEFAULT_RTOL),
            "atol": float(case.atol if case.atol is not None else DEFAULT_ATOL),
            "source_opset": source,
            "opset": onnx_opset(model),
        }
        if reason:
            entry["retarget"] = reason
            refused += 1
        elif entry["opset"] != source:
            retargeted += 1
        index[case.name] = entry

    # Case folders of an earlier export that this one did not write (another op list or onnx).
    for name in sorted(os.listdir(args.outdir)):
        folder = os.path.join(args.outdir, name)
        if name not in index and name.startswith("test_") and os.path.isfile(os.path.join(folder, "model.onnx")):
            shutil.rmtree(folder)
            print(f"removed stale case folder {name}", file=sys.stderr)

    with open(os.path.join(args.outdir, "cases.json"), "w", encoding="utf-8") as f:
        json.dump(index, f, indent=1, sort_keys=True)
        f.write("\n")
    print(
        f"wrote {len(index)} cases for {len(ops)} ops to {args.outdir} "
        f"({retargeted} retargeted to opset {ACCEPTED_OPSETS[0]} or {ACCEPTED_OPSETS[-1]}, "
        f"{refused} kept at an opset we refuse)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
