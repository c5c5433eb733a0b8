#!/usr/bin/env bash
# Held-out accuracy of the digits example (examples/digits/mlp.pbtxt) over several seeds, for
# modelrun and for the PyTorch peer with the same network and settings, in one run.
# Usage: bench/training/digits_accuracy.sh [SEEDS]   (needs a built modelrun and torch)
set -euo pipefail
cd "$(dirname "$0")/../.."
seeds="${1:-5}"
bin="$(swift build --show-bin-path)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
values=()
for seed in $(seq 0 $((seeds - 1))); do
  accuracy=$("$bin/modelrun" train examples/digits/mlp.pbtxt --data examples/digits/digits.csv.gz \
    --seed "$seed" -o "$tmp/m.model" --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["metrics"]["accuracy"])')
  values+=("$accuracy")
done
python3 - "${values[@]}" <<'PY'
import sys, statistics
values = [float(v) for v in sys.argv[1:]]
print("modelrun held-out accuracy per seed:", " ".join(f"{v:.4f}" for v in values))
print(f"modelrun mean {statistics.mean(values):.4f}")
PY
python3 bench/training/digits_torch.py --seeds "$seeds"
