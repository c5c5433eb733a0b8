#!/usr/bin/env python3
"""Mutation sweep: no mutant of the repository's models and data files may crash or hang the tools.

Usage: scripts/mutation_sweep.py [--count N] [--seed S] [--timeout T] [--jobs J] [--failures DIR]

Seeds are the example models (examples/*/*.pbtxt), the ONNX fixtures (as .onnx and converted to
.pbtxt), .model files compiled from some of them, and a few .npy/.npz/.csv/IDX data files. Each
mutant gets one seeded mutation: byte flips, a truncation, an insertion, a huge varint, a
protobuf field rewritten to a hostile value (structure-aware: lengths stay consistent), or text
tokens replaced by -1, 0, 2, 2^31, 2^63, 1e308, nan, ... A model mutant runs `modelc check`, then,
when check accepts it, `modelrun bench --runs 1 --warmup 0` (generated inputs: the whole path
compile -> plan -> run). A data mutant feeds `modelrun infer` of the digits MLP.

Every command must exit 0, 1 or 2 (DESIGN §4): a signal, another exit code or a timeout is a
failure. Each failing mutant is saved under --failures with a script reproducing it; the sweep
exits 1 if there was any. Mutant i depends only on (--seed, i), so a run is reproducible.
"""
import argparse
import collections
import concurrent.futures
import os
import random
import re
import resource
import shutil
import signal
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Values that have broken tools before: flags outside {0, 1}, sizes that overflow when multiplied,
# floats that are not numbers.
HOSTILE_TEXT = ["-1", "0", "2", "2147483648", "4294967296", "9223372036854775807", "9223372036854775808",
                "-9223372036854775808", "1099511627776", "1e308", "-1e308", "nan", "inf", "1e-45"]
HOSTILE_VARINTS = [0, 1, 2, 3, 255, 2**31, 2**31 - 1, 2**32, 2**40, 2**56, 2**62, 2**63 - 1, 2**63,
                   2**64 - 1, 2**64 - 2]  # 2^64 - 1 is -1 as an int64
HOSTILE_FLOATS = [float("nan"), float("inf"), float("-inf"), 3.4e38, -3.4e38, 0.0, -0.0, 1e-45]
NUMBER = re.compile(rb"(?<![A-Za-z_.])-?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|nan|inf)(?![A-Za-z_\d])")
MAX_STDERR = 4000


# --- protobuf wire format, just enough to rewrite one field and keep every length right ---------

def read_varint(data, pos):
    value, shift = 0, 0
    while True:
        if pos >= len(data) or shift > 63:
            raise ValueError("bad varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, pos


def varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def parse_message(data, depth=0):
    """A list of [number, wire type, value, submessage or None]; raises if `data` is no message."""
    fields, pos = [], 0
    while pos < len(data):
        key, pos = read_varint(data, pos)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise ValueError("field 0")
        if wire == 0:
            value, pos = read_varint(data, pos)
            fields.append([number, 0, value, None])
        elif wire in (1, 5):
            size = 8 if wire == 1 else 4
            if pos + size > len(data):
                raise ValueError("short fixed field")
            fields.append([number, wire, data[pos:pos + size], None])
            pos += size
        elif wire == 2:
            size, pos = read_varint(data, pos)
            if pos + size > len(data):
                raise ValueError("short bytes field")
            payload = data[pos:pos + size]
            pos += size
            sub = None
            if depth < 30 and payload:
                try:
                    sub = parse_message(payload, depth + 1)
                except ValueError:
                    sub = None
            fields.append([number, 2, payload, sub])
        else:
            raise ValueError("wire type")
    return fields


def serialize(fields):
    out = bytearray()
    for field in fields:
        number, wire, value, sub = field[:4]
        out += varint(number << 3 | wire)
        if wire == 0:
            out += varint(value)
        elif wire in (1, 5):
            out += value
        else:
            payload = serialize(sub) if sub is not None else value
            size = field[4] if len(field) > 4 else len(payload)  # a lying length, when set
            out += varint(size) + payload
    return bytes(out)


def all_fields(fields, out):
    for field in fields:
        out.append((fields, field))
        if field[3] is not None:
            all_fields(field[3], out)
    return out


def mutate_protobuf(data, rng):
    """Rewrites one field of a parsed protobuf; None when `data` does not parse."""
    try:
        root = parse_message(data)
    except ValueError:
        return None
    sites = all_fields(root, [])
    if not sites:
        return None
    kind = rng.choice(["varint", "varint", "varint", "float", "length", "duplicate", "delete"])
    if kind == "varint":
        candidates = [s for s in sites if s[1][1] == 0] or sites
        parent, field = rng.choice(candidates)
        if field[1] == 0:
            field[2] = rng.choice(HOSTILE_VARINTS)
            return serialize(root), "pb-varint"
    if kind == "float":
        candidates = [s for s in sites if s[1][1] in (1, 5)]
        if candidates:
            parent, field = rng.choice(candidates)
            value = rng.choice(HOSTILE_FLOATS)
            field[2] = struct.pack("<f" if field[1] == 5 else "<d", value)
            return serialize(root), "pb-float"
    if kind == "length":
        candidates = [s for s in sites if s[1][1] == 2]
        if candidates:
            parent, field = rng.choice(candidates)
            size = len(serialize(field[3])) if field[3] is not None else len(field[2])
            field.append(max(0, size + rng.choice([-3, -1, 1, 7, 2**31, 2**62])))
            return serialize(root), "pb-length"
    parent, field = rng.choice(sites)
    if kind == "duplicate":
        parent.insert(parent.index(field), [field[0], field[1], field[2], field[3]])
        return serialize(root), "pb-duplicate"
    parent.remove(field)
    return serialize(root), "pb-delete"


# --- byte and text mutations ----------------------------------------------------------------------

def mutate_bytes(data, rng):
    data = bytearray(data)
    kind = rng.choice(["flip", "flip", "truncate", "insert", "huge-varint", "delete-range"])
    if not data:
        return bytes(rng.randbytes(8)), "insert"
    if kind == "flip":
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    elif kind == "truncate":
        del data[rng.randrange(len(data)):]
    elif kind == "insert":
        position = rng.randrange(len(data) + 1)
        data[position:position] = rng.randbytes(rng.randint(1, 16))
    elif kind == "huge-varint":
        position = rng.randrange(len(data))
        data[position:position + rng.randint(0, 2)] = varint(rng.choice(HOSTILE_VARINTS[5:]))
    else:
        start = rng.randrange(len(data))
        del data[start:start + rng.randint(1, 64)]
    return bytes(data), kind


def mutate_text(data, rng):
    kind = rng.choice(["tokens", "tokens", "tokens", "tokens", "lines", "bytes"])
    numbers = list(NUMBER.finditer(data))
    if kind == "tokens" and numbers:
        chosen = sorted(rng.sample(numbers, min(len(numbers), rng.choice([1, 1, 1, 2, 3]))),
                        key=lambda match: match.start(), reverse=True)
        for match in chosen:
            data = data[:match.start()] + rng.choice(HOSTILE_TEXT).encode() + data[match.end():]
        return data, "tokens"
    if kind == "lines":
        lines = data.split(b"\n")
        index = rng.randrange(len(lines))
        if rng.random() < 0.5:
            lines.insert(index, lines[index])
        else:
            del lines[index]
        return b"\n".join(lines), "lines"
    return mutate_bytes(data, rng)


def mutate(path, data, rng):
    if path.endswith((".pbtxt", ".csv")):
        return mutate_text(data, rng)
    if path.endswith((".onnx", ".model")) and rng.random() < 0.6:
        mutated = mutate_protobuf(data, rng)
        if mutated is not None:
            return mutated
    return mutate_bytes(data, rng)


# --- seeds ----------------------------------------------------------------------------------------

def prepare_seeds(bin_dir, work):
    """(model seeds, data seeds, the compiled model data mutants are fed to)."""
    models = sorted(os.path.join("examples", d, f) for d in os.listdir(os.path.join(ROOT, "examples"))
                    if os.path.isdir(os.path.join(ROOT, "examples", d))
                    for f in os.listdir(os.path.join(ROOT, "examples", d)) if f.endswith(".pbtxt"))
    fixtures = "Tests/ModelFormatTests/Fixtures"
    for folder, _, files in sorted(os.walk(os.path.join(ROOT, fixtures))):
        models += sorted(os.path.relpath(os.path.join(folder, f), ROOT)
                         for f in files if f.endswith((".onnx", ".pbtxt")))
    models = [os.path.join(ROOT, m) for m in models]
    derived = os.path.join(work, "seeds")
    os.makedirs(derived)
    small_onnx = [m for m in models if m.endswith(".onnx") and os.path.getsize(m) < 20000]
    for source in small_onnx:  # a text form makes every attribute a token
        target = os.path.join(derived, os.path.basename(source)[:-5] + ".pbtxt")
        run_tool([os.path.join(bin_dir, "modelc"), "convert", source, "-o", target], 60, check=True)
        models.append(target)
    for source in [os.path.join(ROOT, "examples/digits/mlp.pbtxt"),
                   os.path.join(ROOT, "examples/ordinal/ordinal.pbtxt")] + small_onnx:
        target = os.path.join(derived, os.path.basename(source).rsplit(".", 1)[0] + ".model")
        run_tool([os.path.join(bin_dir, "modelc"), "compile", source, "-o", target], 60, check=True)
        models.append(target)
    data_fixtures = "Tests/ModelRuntimeTests/Data/Fixtures"
    data = [os.path.join(ROOT, "examples/digits/samples.csv")] + [
        os.path.join(ROOT, data_fixtures, name)
        for name in ["f4_3x4.npy", "f8_2x3.npy", "savez.npz", "savez_compressed.npz", "zip64.npz",
                     "with_header.csv", "with_header.csv.gz", "images-idx3-ubyte", "floats.idx"]]
    digits = os.path.join(derived, "mlp.model")
    return models, data, digits


# --- running --------------------------------------------------------------------------------------

def limit_child():
    # A mutant that passes the limits may still allocate a lot; keep one child from starving
    # the machine (the tools' own limits allow 4 GiB tensors).
    resource.setrlimit(resource.RLIMIT_AS, (12 << 30, 12 << 30))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_tool(command, timeout, check=False):
    """(outcome, exit code or None, stderr tail); outcome is 'exit', 'signal' or 'timeout'."""
    env = dict(os.environ, SWIFT_BACKTRACE="enable=no")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                               preexec_fn=limit_child, start_new_session=True)
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        _, stderr = process.communicate()
        return "timeout", None, stderr[-MAX_STDERR:].decode(errors="replace")
    text = stderr[-MAX_STDERR:].decode(errors="replace")
    if check and process.returncode != 0:
        sys.exit(f"seed preparation failed: {' '.join(command)}\n{text}")
    if process.returncode < 0:
        return "signal", process.returncode, text
    return "exit", process.returncode, text


def sweep_one(index, args, seeds, work):
    models, data, digits = seeds
    rng = random.Random(f"{args.seed}:{index}")
    is_data = rng.random() < 0.2
    source = rng.choice(data if is_data else models)
    with open(source, "rb") as handle:
        original = handle.read()
    mutated, kind = mutate(source, original, rng)
    name = os.path.basename(source)
    stem, extension = (name, "") if "-ubyte" in name else (name.split(".", 1)[0], "." + name.split(".", 1)[1])
    mutant = os.path.join(work, f"m{index:06d}-{stem}{extension}" if extension else f"m{index:06d}-{name}")
    with open(mutant, "wb") as handle:
        handle.write(mutated)
    bin_dir = args.bin
    if is_data:
        commands = [("infer", [os.path.join(bin_dir, "modelrun"), "infer", digits, "--input", f"x={mutant}"])]
    else:
        commands = [("check", [os.path.join(bin_dir, "modelc"), "check", mutant]),
                    ("run", [os.path.join(bin_dir, "modelrun"), "bench", "--runs", "1", "--warmup", "0", mutant])]
    results = []
    for step, command in commands:
        outcome, code, stderr = run_tool(command, args.timeout)
        results.append((step, outcome, code))
        if outcome != "exit" or code not in (0, 1, 2):
            save_failure(args.failures, index, source, kind, mutant, command, outcome, code, stderr)
            break
        if step == "check" and code != 0:
            break
    os.remove(mutant)
    return index, source, kind, results


def save_failure(folder, index, source, kind, mutant, command, outcome, code, stderr):
    os.makedirs(folder, exist_ok=True)
    kept = os.path.join(folder, os.path.basename(mutant))
    shutil.copyfile(mutant, kept)
    argv = [part.replace(mutant, kept) for part in command]
    script = os.path.join(folder, os.path.basename(mutant) + ".sh")
    with open(script, "w") as handle:
        handle.write("#!/bin/sh\n")
        handle.write(f"# seed file {os.path.relpath(source, ROOT)}, mutation {kind}: {outcome} {code}\n")
        for line in stderr.strip().splitlines()[-6:]:
            handle.write(f"#   {line}\n")
        handle.write("SWIFT_BACKTRACE=enable=no " + " ".join(f"'{part}'" for part in argv) + "\n")
    os.chmod(script, 0o755)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=2000, help="mutants to run (default 2000)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the mutations (default 1)")
    parser.add_argument("--timeout", type=float, default=20, help="seconds per command (default 20)")
    parser.add_argument("--jobs", type=int, default=2, help="mutants run at once (default 2)")
    parser.add_argument("--bin", help="folder of modelc and modelrun (default: swift build --show-bin-path)")
    parser.add_argument("--failures", default=os.path.join(ROOT, ".build", "mutation-sweep"),
                        help="folder where failing mutants and their reproduction scripts go")
    args = parser.parse_args()
    if args.bin is None:
        args.bin = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, capture_output=True,
                                  text=True, check=True).stdout.strip()
    args.failures = os.path.abspath(args.failures)
    shutil.rmtree(args.failures, ignore_errors=True)

    work = tempfile.mkdtemp(prefix="mutation-sweep-")
    try:
        seeds = prepare_seeds(args.bin, work)
        totals = collections.Counter()
        exits = collections.Counter()
        failures = []
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            for index, source, kind, results in pool.map(lambda i: sweep_one(i, args, seeds, work),
                                                         range(args.count)):
                totals["mutants"] += 1
                for step, outcome, code in results:
                    if step == "check" and outcome == "exit" and code == 0:
                        totals["accepted by check"] += 1
                    if step in ("run", "infer") and outcome == "exit":
                        exits[f"{step} exit {code}"] += 1
                    if outcome == "signal":
                        totals["signals"] += 1
                    elif outcome == "timeout":
                        totals["timeouts"] += 1
                    elif code not in (0, 1, 2):
                        totals["other exit codes"] += 1
                    if outcome != "exit" or code not in (0, 1, 2):
                        failures.append(f"  mutant {index} ({os.path.relpath(source, ROOT)}, {kind}): "
                                        f"{step} {outcome} {code}")
        parts = [f"{totals['mutants']} mutants", f"{totals['accepted by check']} accepted by check"]
        parts += [f"{exits[key]} {key}" for key in sorted(exits)]
        parts += [f"{totals[key]} {key}" for key in ("signals", "timeouts", "other exit codes")]
        print(f"mutation sweep (seed {args.seed}): " + ", ".join(parts))
        if failures:
            print("\n".join(failures))
            print(f"failing mutants and reproduction scripts: {args.failures}")
            return 1
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
