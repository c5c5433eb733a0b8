#!/usr/bin/env bash
# Makes the digits data, trains the ONE_HOT model and the three BINARY_CODE models with 5
# training seeds each (the seed sets the weight fillers, the batch order and the random 20%
# validation split; every variant sees the same splits), and prints a markdown table of the
# held-out accuracy and the parameter count.
set -euo pipefail
name=binary_code
source "$(dirname "$0")/../common/setup.sh"
python3 "$here/make_data.py" "$out" >&2

variants="one_hot natural gray hadamard"
for variant in $variants; do
  "$bin/modelc" check "$here/$variant.pbtxt" >&2
  "$bin/modelc" show "$here/$variant.pbtxt" --json > "$out/$variant.show.json"
  for seed in $seeds; do
    "$bin/modelrun" train "$here/$variant.pbtxt" --data "$out/digits.npz" --seed "$seed" \
      -o "$out/$variant.seed$seed.model" --json > "$out/$variant.seed$seed.json" 2> "$out/$variant.seed$seed.log"
  done
done

n=$(wc -w <<< "$seeds")
echo "| variant | head (encoding / loss / decoder) | outputs | parameters | accuracy ($n seeds) | F1 macro |"
echo "|---|---|---|---|---|---|"
for variant in $variants; do
  case $variant in
    one_hot) head="ONE_HOT / SOFTMAX_CROSS_ENTROPY / ARGMAX"; units=10 ;;
    natural) head="BINARY_CODE NATURAL / BCE / NEAREST_CODE"; units=4 ;;
    gray) head="BINARY_CODE GRAY / BCE / NEAREST_CODE"; units=4 ;;
    hadamard) head="BINARY_CODE HADAMARD / BCE / NEAREST_CODE"; units=16 ;;
  esac
  runs=()
  for seed in $seeds; do runs+=("$out/$variant.seed$seed.json"); done
  echo "| $variant | $head | $units | $(summarize parameters "$out/$variant.show.json") |" \
    "$(summarize metric "${runs[@]}" accuracy) | $(summarize metric "${runs[@]}" f1_macro) |"
done
first=$(set -- $seeds; echo "$1")
echo
echo "Majority-class baseline accuracy on the held-out 20% (seed $first): $(summarize baseline "$out/one_hot.seed$first.json" accuracy)."
