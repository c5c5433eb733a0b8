#!/usr/bin/env bash
# Regenerates Sources/ModelFormat/Generated from schemas/*.proto with protoc + protoc-gen-swift.
#
# The generated Swift is committed; the build never runs the plugin. With --check, the script
# regenerates into a temporary folder and fails when the committed code differs (CI runs this).
# protoc-gen-swift is built from the swift-protobuf checkout the package resolved, in a scratch
# folder of its own so it does not disturb the package's .build.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

plugin_dir="${PROTOC_GEN_SWIFT_DIR:-$root/.build-protoc-gen-swift}"
plugin="$plugin_dir/release/protoc-gen-swift"
if [[ ! -x "$plugin" ]]; then
    # The checkout SwiftPM resolved for the package is the version the generated code targets.
    src="$root/.build/checkouts/swift-protobuf"
    if [[ ! -d "$src" ]]; then
        swift package resolve >&2
    fi
    swift build -c release --package-path "$src" --scratch-path "$plugin_dir" --product protoc-gen-swift >&2
fi

out="Sources/ModelFormat/Generated"
if [[ "${1:-}" == "--check" ]]; then
    out="$(mktemp -d)"
    trap 'rm -rf "$out"' EXIT
fi
protoc --plugin=protoc-gen-swift="$plugin" --swift_opt=Visibility=Public --swift_out="$out" \
    -I schemas schemas/model.proto schemas/onnx_wire.proto

if [[ "${1:-}" == "--check" ]]; then
    if ! diff -ru Sources/ModelFormat/Generated "$out"; then
        echo "error: Sources/ModelFormat/Generated is stale; run scripts/regenerate-proto.sh" >&2
        exit 1
    fi
    echo "generated code is up to date"
fi
