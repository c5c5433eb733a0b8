#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/ (one Swift file each) with -sanitize=fuzzer,address and runs
# each for a bounded time on a seed corpus made of the repository's models and data files.
#
#   scripts/fuzz.sh [SECONDS] [TARGET ...]    (default: 60 s each, every target)
#
# The package's modules (SwiftProtobuf, ModelFormat, ModelCompiler, ModelRuntime) are compiled by
# swiftc directly into .build-fuzz, outside the package graph, so no SwiftPM product needs the
# sanitizer flags; run `swift build` once before (for the checked-out dependencies and modelc).
# A crash, sanitizer report, timeout (an input over 20 s) or leak fails the script; the input is
# kept in .build-fuzz/artifacts/TARGET/. Keep each found crash as a regression file in the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
all_targets=(TextModel BinaryModel ONNXImport ModelPipeline NPYReader NPZReader CSVReader IDXReader)
targets=("${@:-${all_targets[@]}}")
out=.build-fuzz
protobuf=.build/checkouts/swift-protobuf/Sources/SwiftProtobuf
[ -d "$protobuf" ] || swift package resolve
mkdir -p "$out/lib" "$out/modules" "$out/bin"

# Open MPI's headers and library (the CMPI module) live where pkg-config says.
mpi_includes=()
for flag in $(pkg-config --cflags-only-I ompi-c); do mpi_includes+=(-Xcc "$flag"); done
flags=(-sanitize=fuzzer,address -Onone -gline-tables-only -swift-version 6 -parse-as-library
    -I "$out/modules" -I Sources/CZlib -I Sources/CDNNL -I Sources/CMPI "${mpi_includes[@]}" -DSWIFT_PACKAGE)
rebuilt=0

# build_module NAME FOLDER [swiftc flags]: a static library and module, when its sources (or a
# module built before it in this run) changed.
build_module() {
    local name=$1 folder=$2
    shift 2
    local archive="$out/lib/lib$name.a"
    if [ $rebuilt = 0 ] && [ -f "$archive" ] && [ -z "$(find "$folder" -name '*.swift' -newer "$archive" | head -1)" ]
    then
        return
    fi
    echo "== compiling $name"
    local started=$SECONDS
    find "$folder" -name '*.swift' -print0 | xargs -0 swiftc "${flags[@]}" "$@" -module-name "$name" \
        -emit-library -static -emit-module -emit-module-path "$out/modules/$name.swiftmodule" -o "$archive"
    echo "   $name: $((SECONDS - started)) s"
    rebuilt=1
}

build_module SwiftProtobuf "$protobuf" -package-name swift_protobuf -enable-upcoming-feature ExistentialAny \
    -DBinaryDelimitedStreams -DFieldMaskUtilities
build_module ModelFormat Sources/ModelFormat -package-name modelkit
build_module ModelCompiler Sources/ModelCompiler -package-name modelkit
build_module ModelRuntime Sources/ModelRuntime -package-name modelkit

for target in "${targets[@]}"; do
    binary="$out/bin/$target"
    if [ $rebuilt = 1 ] || [ ! -f "$binary" ] || [ "Fuzz/$target.swift" -nt "$binary" ]; then
        echo "== linking $target"
        swiftc "${flags[@]}" -module-name "Fuzz$target" "Fuzz/$target.swift" -L "$out/lib" \
            -lModelRuntime -lModelCompiler -lModelFormat -lSwiftProtobuf -ldnnl -lz $(pkg-config --libs ompi-c) \
            -o "$binary"
    fi
done

# Seeds: the repository's files of the kind each target reads, and the regression files.
seed() {  # seed TARGET FILE...: copies the files that exist into the target's seed folder
    local folder="$out/seeds/$1"
    shift
    mkdir -p "$folder"
    for file in "$@"; do [ -f "$file" ] && cp "$file" "$folder/$(echo "$file" | tr / _ | sed "s/^[.]*//")"; done
    return 0
}
rm -rf "$out/seeds"
bin="$(swift build --show-bin-path)"
compiled=()
if [ -x "$bin/modelc" ]; then
    for model in examples/digits/mlp.pbtxt examples/ordinal/ordinal.pbtxt \
        Tests/ModelFormatTests/Fixtures/onnx/torch_cnn.onnx; do
        target_file="$out/compiled_$(basename "${model%.*}").model"
        "$bin/modelc" compile "$model" -o "$target_file" >/dev/null 2>&1 && compiled+=("$target_file")
    done
fi
regressions=(Tests/ModelFormatTests/Fixtures/mutants/*.{onnx,model,pbtxt})
data=Tests/ModelRuntimeTests/Data/Fixtures
seed TextModel examples/*/*.pbtxt Tests/ModelFormatTests/Hostile/*.pbtxt "${regressions[@]}"
seed BinaryModel "${compiled[@]}" Tests/ModelFormatTests/Hostile/*.model "${regressions[@]}"
seed ONNXImport Tests/ModelFormatTests/Fixtures/onnx/*.onnx "${regressions[@]}"
seed ModelPipeline examples/*/*.pbtxt "${compiled[@]}" Tests/ModelFormatTests/Fixtures/onnx/*.onnx "${regressions[@]}"
seed NPYReader $data/*.npy Tests/ModelRuntimeTests/Data/Fixtures/mutants/*.npy
seed NPZReader $data/*.npz Tests/ModelFormatTests/Fixtures/onnx/*.npz \
    Tests/ModelRuntimeTests/Data/Fixtures/mutants/*.npz
seed IDXReader $data/*.idx $data/*-ubyte Tests/ModelRuntimeTests/Data/Fixtures/mutants/*.idx
mkdir -p "$out/seeds/CSVReader"
for file in $data/*.csv $data/*.csv.gz examples/digits/samples.csv \
    Tests/ModelRuntimeTests/Data/Fixtures/mutants/*.csv; do
    # The first byte chooses the label column (Fuzz/CSVReader.swift): 1 is the last column.
    [ -f "$file" ] && { printf '\001'; cat "$file"; } > "$out/seeds/CSVReader/$(echo "$file" | tr / _)"
done

failed=()
for target in "${targets[@]}"; do
    echo "== fuzzing $target for $seconds s"
    mkdir -p "$out/corpus/$target" "$out/artifacts/$target"
    log="$out/$target.log"
    if SWIFT_BACKTRACE=enable=no "$out/bin/$target" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 \
        -print_final_stats=1 -artifact_prefix="$out/artifacts/$target/" \
        "$out/corpus/$target" "$out/seeds/$target" >"$log" 2>&1
    then
        echo "   $(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}') executions, no crash"
    else
        echo "   FAILED: $(grep -m1 -E 'ERROR|Fatal error|deadly signal|timeout' "$log" || tail -1 "$log")"
        echo "   input: $(ls -t "$out/artifacts/$target" | head -1), log: $log"
        failed+=("$target")
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzzing found crashes in: ${failed[*]}"
    exit 1
fi
