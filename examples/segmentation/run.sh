#!/usr/bin/env bash
# Makes the synthetic squares-and-discs data, trains the fully convolutional net with plain
# pixel-wise softmax cross-entropy and with inverse-frequency class weights (5 training seeds
# each; a seeded random 20% of the images is held out), and prints a markdown table.
set -euo pipefail
name=segmentation
source "$(dirname "$0")/../common/setup.sh"
python3 "$here/make_data.py" "$out" >&2

variants="unweighted weighted"
for variant in $variants; do
  "$bin/modelc" check "$here/$variant.pbtxt" >&2
  for seed in $seeds; do
    run="$out/$variant.seed$seed"
    # --json: the last epoch's metrics on the held-out 20% of the images, over all their pixels.
    "$bin/modelrun" train "$here/$variant.pbtxt" --data "$out/shapes.npz" --seed "$seed" \
      -o "$run.model" --json > "$run.json" 2> "$run.log"
  done
done

n=$(wc -w <<< "$seeds")
echo "Held-out pixels (20% of the images), after the last epoch; mean ± sd over $n training seeds."
echo
echo "| variant | loss | mean IoU | pixel accuracy | recall (macro) | precision (macro) |"
echo "|---|---|---|---|---|---|"
for variant in $variants; do
  case $variant in
    unweighted) loss="SOFTMAX_CROSS_ENTROPY (logits), pixel-wise" ;;
    weighted) loss="same + class_weight [0.395, 4.115, 4.449]" ;;
  esac
  runs=()
  for seed in $seeds; do runs+=("$out/$variant.seed$seed.json"); done
  echo "| $variant | $loss | $(summarize metric "${runs[@]}" mean_iou) | $(summarize metric "${runs[@]}" accuracy) |" \
    "$(summarize metric "${runs[@]}" recall_macro) | $(summarize metric "${runs[@]}" precision_macro) |"
done
first=$(set -- $seeds; echo "$1")
b="$out/unweighted.seed$first.json"
echo
echo "Baselines (every pixel background), seed $first: mean IoU $(summarize baseline "$b" mean_iou)," \
  "accuracy $(summarize baseline "$b" accuracy), recall (macro) $(summarize baseline "$b" recall_macro)," \
  "precision (macro) $(summarize baseline "$b" precision_macro)."
