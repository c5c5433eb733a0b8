#!/usr/bin/env bash
# The whole test suite: Swift tests (all targets, CLI tests included), the generated-code
# staleness check, the C interoperability test and the ONNX round trips through onnx.checker
# and ONNX Runtime, a short mutation sweep. Run scripts/setup.sh first on a fresh machine.
#
#   scripts/test.sh [--mutants N]    (default 300 mutants; the sweep's own default is 2,000)
set -euo pipefail
mutants=300
if [ "${1:-}" = "--mutants" ]; then mutants=$2; fi
cd "$(dirname "$0")/.."

echo "== swift test"
swift build --build-tests
swift test --skip-build

bin="$(swift build --show-bin-path)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== generated code is up to date"
scripts/regenerate-proto.sh --check

echo "== C interoperability (protobuf-c reads a model written by modelc compile)"
fixture=Tests/ModelFormatTests/Fixtures/onnx/torch_mlp.onnx
"$bin/modelc" compile -O0 "$fixture" -o "$work/torch_mlp.model"  # -O0 keeps the 3 source nodes
# The expected weight comes from the original ONNX file, read by the onnx package.
expected=$(python3 -c "
import onnx, onnx.numpy_helper as h, sys
m = onnx.load('$fixture')
w = {t.name: h.to_array(t) for t in m.graph.initializer}['0.weight'].reshape(-1)
print(repr(float(w[5])))")
scripts/c-interop-test.sh "$work/torch_mlp.model" main_graph 3 0.weight 5 "$expected"

echo "== ONNX round trips (ours -> .onnx accepted by onnx.checker, same outputs in ONNX Runtime)"
for name in torch_mlp torch_cnn; do
    original=Tests/ModelFormatTests/Fixtures/onnx/$name.onnx
    "$bin/modelc" convert "$original" -o "$work/$name.pbtxt"
    "$bin/modelc" compile "$work/$name.pbtxt" -o "$work/$name.model"
    "$bin/modelc" convert "$work/$name.model" -o "$work/$name.onnx"
    python3 scripts/onnx_roundtrip_check.py "$original" "$work/$name.onnx"
done
# Models at opsets 18, 20 and 21: export writes 17 where the forms allow it (20 for Gelu).
for name in opset18_reduce_split opset20_gelu_norm opset21_mlp; do
    original=Tests/ModelFormatTests/Fixtures/onnx/opsets/$name.onnx
    "$bin/modelc" convert "$original" -o "$work/$name.pbtxt"
    "$bin/modelc" compile "$work/$name.pbtxt" -o "$work/$name.model"
    "$bin/modelc" convert "$work/$name.model" -o "$work/$name.onnx"
    python3 scripts/onnx_roundtrip_check.py "$original" "$work/$name.onnx"
done
"$bin/modelc" compile examples/digits/mlp.pbtxt -o "$work/digits.model"
"$bin/modelc" convert "$work/digits.model" -o "$work/digits.onnx"
python3 scripts/onnx_roundtrip_check.py "$work/digits.onnx" "$work/digits.onnx" \
    --expect-metadata modelformat.head.0 --expect-metadata modelformat.training

echo "== modelrun infer agrees with ONNX Runtime (relative 1e-4)"
for name in torch_mlp torch_cnn digits_trained_mlp dense_block opsets/opset18_reduce_split opsets/opset20_gelu_norm opsets/opset21_mlp; do
    python3 scripts/ort_agreement_check.py "$bin/modelrun" Tests/ModelFormatTests/Fixtures/onnx/$name.onnx
done

echo "== ONNX conformance (backend node tests of the onnx package, for our ops)"
MODELRUN="$bin/modelrun" scripts/conformance/run.sh | tail -3

echo "== data-parallel training (mpirun -np 2, batch 32 per rank) equals one process with batch 64"
# SGD: the update is linear in the gradient, so the two runs differ by float rounding only.
sed 's/kind: ADAM learning_rate: 0.001/kind: SGD learning_rate: 0.1/' examples/digits/mlp.pbtxt >"$work/sgd.pbtxt"
grep -q "kind: SGD" "$work/sgd.pbtxt"
train=("$work/sgd.pbtxt" --data examples/digits/digits.csv.gz --epochs 3)
"$bin/modelrun" train "${train[@]}" --batch-size 64 -o "$work/one.model" 2>/dev/null
mpi_flags=(--oversubscribe -np 2)
[[ $(id -u) -eq 0 ]] && mpi_flags+=(--allow-run-as-root)
# MODELRUN_WRITE_EVERY_RANK: rank 1 writes its weights too (two.rank1.model), to compare with rank 0's.
MODELRUN_WRITE_EVERY_RANK=1 MODELRUN_MPI_TIMEOUT=120 mpirun "${mpi_flags[@]}" \
    "$bin/modelrun" train "${train[@]}" --batch-size 32 -o "$work/two.model" 2>/dev/null
for name in one two two.rank1; do "$bin/modelc" convert "$work/$name.model" -o "$work/$name.onnx"; done
python3 scripts/compare_weights.py "$work/one.onnx" "$work/two.onnx" --atol 1e-5
python3 scripts/compare_weights.py "$work/two.onnx" "$work/two.rank1.onnx" --exact
# --resume with another rank count: 2 epochs on 2 ranks, then 1 more in one process, equal one
# process's 3 epochs (the checkpoint holds the epoch, step and weights, not the rank count).
MODELRUN_MPI_TIMEOUT=120 mpirun "${mpi_flags[@]}" "$bin/modelrun" train "${train[@]}" --epochs 2 --batch-size 32 \
    --checkpoint "$work/checkpoint" -o "$work/half.model" 2>/dev/null
"$bin/modelrun" train "${train[@]}" --batch-size 64 --checkpoint "$work/checkpoint" --resume \
    -o "$work/resumed.model" 2>/dev/null
"$bin/modelc" convert "$work/resumed.model" -o "$work/resumed.onnx"
python3 scripts/compare_weights.py "$work/one.onnx" "$work/resumed.onnx" --atol 1e-5

echo "== mutation sweep: $mutants mutants of the models and data files through check and run"
python3 scripts/mutation_sweep.py --count "$mutants" --bin "$bin"

echo "== all tests passed"
