#!/usr/bin/env bash
# The main job on the bundled example (examples/digits): check, show and compile the MLP,
# convert it through text and ONNX, and time inference. Training joins with the training work.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(swift build --show-bin-path)"
out="${OUT_DIR:-out/digits}"
mkdir -p "$out"

"$bin/modelc" check examples/digits/mlp.pbtxt
"$bin/modelc" show examples/digits/mlp.pbtxt
"$bin/modelc" compile examples/digits/mlp.pbtxt -o "$out/mlp.model"
"$bin/modelc" compile examples/digits/mlp.pbtxt --compress -o "$out/mlp.compressed.model"
"$bin/modelc" convert "$out/mlp.model" -o "$out/mlp.pbtxt"
"$bin/modelc" convert "$out/mlp.model" -o "$out/mlp.onnx"
"$bin/modelrun" bench "$out/mlp.model" --batch-size 64 --runs 20
echo "wrote $out/mlp.model, $out/mlp.compressed.model, $out/mlp.pbtxt and $out/mlp.onnx"
