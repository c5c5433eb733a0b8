#!/usr/bin/env bash
# The ONNX conformance suite: writes the onnx package's backend node tests for the ops we
# implement (export_cases.py) and runs them with `modelrun conformance`, which prints the
# per-op table and exits 1 when a case fails outside conformance/known-gaps.txt.
#
#   scripts/conformance/run.sh [modelrun conformance options: --json, --op OP, ...]
#
# MODELRUN names the binary (default: the debug build's, from `swift build --show-bin-path`);
# CONFORMANCE_CASES keeps the exported cases in that folder (default: a temporary one).
set -euo pipefail
cd "$(dirname "$0")/../.."

modelrun="${MODELRUN:-$(swift build --show-bin-path)/modelrun}"
if [[ -n "${CONFORMANCE_CASES:-}" ]]; then
    cases="$CONFORMANCE_CASES"
else
    cases="$(mktemp -d)"
    trap 'rm -rf "$cases"' EXIT
fi

python3 scripts/conformance/export_cases.py "$cases" >&2
"$modelrun" conformance "$cases" --known-gaps conformance/known-gaps.txt "$@"
