# Sourced by each example's run.sh after it sets `name` (the example's folder under examples/):
# moves to the repository root and sets `bin` (release binaries, $BIN to override), `here`
# (the example's folder), `out` (its output folder, $OUT_DIR to override), `seeds` ($SEEDS),
# and `summarize` (examples/common/summarize.py). The data script is the example's to run.
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bin="${BIN:-$(swift build -c release --show-bin-path)}"
[[ -x "$bin/modelrun" ]] || { echo "build first: swift build -c release" >&2; exit 1; }
here="examples/$name"
out="${OUT_DIR:-out/$name}"
seeds="${SEEDS:-1 2 3 4 5}"
mkdir -p "$out"
summarize() { python3 examples/common/summarize.py "$@"; }
