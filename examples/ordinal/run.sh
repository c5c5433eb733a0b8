#!/usr/bin/env bash
# Makes the two ordinal data sets (noise level of a digit image; digit class binned into 5
# levels), trains ONE_HOT + softmax CE, ORDINAL + BCE + ORDINAL_COUNT and ONE_HOT +
# ORDINAL_DISTANCE_CROSS_ENTROPY on each with 5 training seeds, validating on images that
# training never saw, and prints a markdown table of MAE (in levels) and accuracy.
set -euo pipefail
name=ordinal
source "$(dirname "$0")/../common/setup.sh"
python3 "$here/make_data.py" "$out" | tee "$out/data.txt" >&2

tasks="noise binned"
variants="one_hot ordinal distance_ce"
for variant in $variants; do "$bin/modelc" check "$here/$variant.pbtxt" >&2; done
for task in $tasks; do
  for variant in $variants; do
    for seed in $seeds; do
      run="$out/$task.$variant.seed$seed"
      # --json: the last epoch's metrics on the validation file.
      "$bin/modelrun" train "$here/$variant.pbtxt" --data "$out/${task}_train.npz" \
        --validation "$out/${task}_val.npz" --seed "$seed" -o "$run.model" --json > "$run.json" 2> "$run.log"
    done
  done
done

n=$(wc -w <<< "$seeds")
echo "Validation metrics after the last epoch, mean ± sd over $n training seeds."
echo
echo "| task | variant | head (encoding / loss / decoder) | outputs | MAE (levels) | accuracy |"
echo "|---|---|---|---|---|---|"
for task in $tasks; do
  for variant in $variants; do
    case $variant in
      one_hot) head="ONE_HOT / SOFTMAX_CROSS_ENTROPY / ARGMAX"; units=5 ;;
      ordinal) head="ORDINAL / BCE (logits) / ORDINAL_COUNT"; units=4 ;;
      distance_ce) head="ONE_HOT / ORDINAL_DISTANCE_CROSS_ENTROPY / ARGMAX"; units=5 ;;
    esac
    runs=()
    for seed in $seeds; do runs+=("$out/$task.$variant.seed$seed.json"); done
    echo "| $task | $variant | $head | $units | $(summarize metric "${runs[@]}" mae) | $(summarize metric "${runs[@]}" accuracy) |"
  done
done
first=$(set -- $seeds; echo "$1")
echo
for task in $tasks; do
  b="$out/$task.one_hot.seed$first.json"
  median=$(sed -n "s/.*${task}_val.npz: .*median level \([0-9]*\): \([0-9.]*\)$/level \1: MAE \2/p" "$out/data.txt")
  echo "Baselines for $task: modelrun's constant majority level gives MAE $(summarize baseline "$b" mae)," \
    "accuracy $(summarize baseline "$b" accuracy); the constant median ($median) is the best constant for MAE."
done
