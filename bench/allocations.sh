#!/usr/bin/env bash
# Heap allocations per steady-state inference run, for each model given (default: the digits
# MLP, the LeNet-like CNN fixture), at 1 and 2 threads (batch 64 on 2 threads is a split run,
# two parts of 32 rows on the worker pool). Runs `modelrun bench` under an LD_PRELOAD allocation counter
# with 10 and with 110 timed runs; the difference / 100 is what one run allocates once plans and
# arenas exist (warm-up builds them). Measure a release build (MODELRUN=path/to/release/modelrun):
# debug builds box closure contexts on the heap, which optimised builds keep on the stack.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${MODELRUN:-$(swift build --show-bin-path)/modelrun}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
gcc -O2 -shared -fPIC -o "$work/malloc_count.so" bench/malloc_count.c -ldl
models=("$@")
[[ ${#models[@]} -gt 0 ]] || models=(examples/digits/mlp.pbtxt Tests/ModelFormatTests/Fixtures/onnx/torch_cnn.onnx)
count() {
    LD_PRELOAD="$work/malloc_count.so" "$bin" bench "$1" --batch-size "$2" --threads "$4" --runs "$3" --warmup 3 \
        2>&1 >/dev/null \
        | sed -n 's/malloc_count: \([0-9]*\) allocations/\1/p'
}
printf "| model | batch | threads | allocations per run |\n|---|---|---|---|\n"
for model in "${models[@]}"; do
    for threads in 1 2; do
        for batch in 1 64; do
            few=$(count "$model" "$batch" 10 "$threads")
            many=$(count "$model" "$batch" 110 "$threads")
            printf "| %s | %s | %s | %s |\n" "$(basename "$model")" "$batch" "$threads" \
                "$(awk "BEGIN { print ($many - $few) / 100 }")"
        done
    done
done
