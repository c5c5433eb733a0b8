#!/usr/bin/env bash
# C interop test: generates protobuf-c code from schemas/model.proto, builds
# Tests/CInterop/read_model.c against it and runs it on a model file.
#
# Usage: scripts/c-interop-test.sh MODEL_FILE EXPECTED_GRAPH_NAME EXPECTED_NODE_COUNT \
#                                  INITIALIZER_NAME INDEX EXPECTED_VALUE
# Exit status: read_model's (0 = all checks pass, 1 = mismatch or bad file);
# 2 = usage error or the code could not be generated/compiled.
# Needs: protoc-c (protobuf-c-compiler), libprotobuf-c-dev, gcc.
set -euo pipefail

if [[ $# -ne 6 ]]; then
  echo "usage: $0 MODEL_FILE EXPECTED_GRAPH_NAME EXPECTED_NODE_COUNT INITIALIZER_NAME INDEX EXPECTED_VALUE" >&2
  exit 2
fi

# Resolve the model path before changing directory so relative paths keep working.
model=$1
[[ $model == /* ]] || model=$PWD/$model
shift

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Generated code lives only in this temporary directory; it is never committed.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! protoc-c --c_out="$tmp" -I schemas schemas/model.proto; then
  # protobuf-c up to at least 1.5.2 rejects proto3 `optional` fields (upstream issue #476);
  # its message then lacks a trailing newline, hence the leading \n.
  printf '\nc-interop-test: protoc-c could not generate C code from schemas/model.proto\n' >&2
  exit 2
fi
gcc -std=c99 -Wall -Werror -O1 -I"$tmp" "$tmp/model.pb-c.c" Tests/CInterop/read_model.c \
  -lprotobuf-c -o "$tmp/read_model" || exit 2

status=0
"$tmp/read_model" "$model" "$@" || status=$?
exit "$status"
