#!/usr/bin/env bash
# The main job on the bundled example (examples/digits): check and compile the MLP, train it on
# the digits (a seeded random 20% held out for validation), evaluate it, decode predictions for
# a few samples with the trained model, convert it through text and ONNX, and time inference.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(swift build --show-bin-path)"
out="${OUT_DIR:-out/digits}"
mkdir -p "$out"

"$bin/modelc" check examples/digits/mlp.pbtxt
"$bin/modelc" show examples/digits/mlp.pbtxt
"$bin/modelrun" train examples/digits/mlp.pbtxt --data examples/digits/digits.csv.gz -o "$out/trained.model"
"$bin/modelrun" eval "$out/trained.model" --data examples/digits/digits.csv.gz
"$bin/modelrun" infer "$out/trained.model" --input x=examples/digits/samples.csv --decode
"$bin/modelc" compile "$out/trained.model" --compress -o "$out/trained.compressed.model"
"$bin/modelc" convert "$out/trained.model" -o "$out/trained.pbtxt"
"$bin/modelc" convert "$out/trained.model" -o "$out/trained.onnx"
"$bin/modelrun" bench "$out/trained.model" --batch-size 64 --runs 20
echo "wrote $out/trained.model, $out/trained.compressed.model, $out/trained.pbtxt and $out/trained.onnx"
