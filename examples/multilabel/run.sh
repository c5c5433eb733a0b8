#!/usr/bin/env bash
# Makes the digit-pair data, trains (a) MULTI_HOT + BCE + THRESHOLD, (a') the same with at most 2
# labels, (b) SOFT_MULTI_LABEL + softmax CE + CUMULATIVE_MASS (at most 2 labels) and (b') the
# same without the cap, each with 5 training seeds, evaluates every trained model on test.npz
# (pairs of digit images never seen in training) and prints a markdown table.
set -euo pipefail
name=multilabel
source "$(dirname "$0")/../common/setup.sh"
python3 "$here/make_data.py" "$out" >&2

variants="multi_hot multi_hot_capped soft_multi_label soft_multi_label_uncapped"
for variant in $variants; do
  "$bin/modelc" check "$here/$variant.pbtxt" >&2
  for seed in $seeds; do
    run="$out/$variant.seed$seed"
    # --json: the last epoch's metrics on the validation split (random 20% of pairs.npz).
    "$bin/modelrun" train "$here/$variant.pbtxt" --data "$out/pairs.npz" --seed "$seed" \
      -o "$run.model" --json > "$run.val.json" 2> "$run.log"
    "$bin/modelrun" eval "$run.model" --data "$out/test.npz" --json > "$run.test.json"
  done
done

n=$(wc -w <<< "$seeds")
echo "Mean ± sd over $n training seeds. \"val\": the random 20% of pairs.npz held out by"
echo "validation_fraction; \"test\": test.npz, pairs of digit images that training never saw."
echo
echo "| variant | head (encoding / loss / decoder) | val F1 samples | val exact match | test F1 samples | test F1 macro | test exact match | test Hamming loss |"
echo "|---|---|---|---|---|---|---|---|"
for variant in $variants; do
  case $variant in
    multi_hot) head="MULTI_HOT / BCE (logits) / THRESHOLD 0.5" ;;
    multi_hot_capped) head="MULTI_HOT / BCE (logits) / THRESHOLD 0.5, max_labels 2" ;;
    soft_multi_label) head="SOFT_MULTI_LABEL / softmax CE (logits) / CUMULATIVE_MASS 0.95, max_labels 2" ;;
    soft_multi_label_uncapped) head="SOFT_MULTI_LABEL / softmax CE (logits) / CUMULATIVE_MASS 0.95, no cap" ;;
  esac
  val=(); test=()
  for seed in $seeds; do val+=("$out/$variant.seed$seed.val.json"); test+=("$out/$variant.seed$seed.test.json"); done
  echo "| $variant | $head | $(summarize metric "${val[@]}" f1_samples) | $(summarize metric "${val[@]}" exact_match) |" \
    "$(summarize metric "${test[@]}" f1_samples) | $(summarize metric "${test[@]}" f1_macro) |" \
    "$(summarize metric "${test[@]}" exact_match) | $(summarize metric "${test[@]}" hamming_loss) |"
done
first=$(set -- $seeds; echo "$1")
t="$out/multi_hot.seed$first.test.json"
echo
echo "Baselines on test (predicting no label): F1 samples $(summarize baseline "$t" f1_samples)," \
  "F1 macro $(summarize baseline "$t" f1_macro), exact match $(summarize baseline "$t" exact_match)," \
  "Hamming loss $(summarize baseline "$t" hamming_loss)."
