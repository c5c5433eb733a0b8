#!/usr/bin/env bash
# One-time set-up on a fresh Debian machine with the Swift toolchain: system libraries,
# Python test peers, and a debug build of the package. Safe to run again (installs only what
# is missing).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libdnnl-dev zlib1g-dev libprotobuf-c-dev protobuf-c-compiler protobuf-compiler libopenmpi-dev openmpi-bin pkg-config)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}" >&2
    sudo_cmd=()
    [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Reference peers for interoperability tests (ONNX checker, ONNX Runtime).
if ! python3 -c "import onnx, onnxruntime, numpy" 2>/dev/null; then
    echo "setup: installing Python packages onnx, onnxruntime, numpy" >&2
    python3 -m pip install --quiet --disable-pip-version-check onnx onnxruntime numpy
fi

swift build
