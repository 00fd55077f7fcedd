#!/usr/bin/env bash
# Line coverage per part: builds the tests with gcc's --coverage in build-coverage, runs them
# (default: the core and store tests; pass ctest -L labels to widen, e.g. 'core|store|cli'),
# and prints gcovr's summary per src/ folder. HTML report: build-coverage/coverage/index.html.
# Usage: scripts/coverage.sh [LABEL_REGEX]   (needs gcovr: scripts/install-deps.sh --with-test-tools)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
labels=${1:-core|store}
command -v gcovr >/dev/null || { echo "gcovr not found: run scripts/install-deps.sh --with-test-tools" >&2; exit 2; }
build=build-coverage
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DAURIC_BUILD_TESTS=ON -DAURIC_BUILD_BENCH=OFF \
  -DAURIC_BUILD_EXAMPLES=OFF -DCMAKE_CXX_FLAGS="--coverage -O0" -DCMAKE_EXE_LINKER_FLAGS=--coverage >/dev/null
targets=()
for label in ${labels//|/ }; do targets+=("auric_${label}_tests"); done
nice cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"
find "$build" -name '*.gcda' -delete
ctest --test-dir "$build" -L "$labels" -j"$(nproc)" --timeout 600 --output-on-failure || true
mkdir -p "$build/coverage"
# One gcovr pass (per-file JSON summary and the HTML report), summed per src/ folder here.
gcovr -r "$root" --object-directory "$build" --filter 'src/' --gcov-ignore-parse-errors \
  --json-summary "$build/coverage/summary.json" --html-details "$build/coverage/index.html" >/dev/null
echo
echo "Line coverage per part (tests: $labels)"
python3 - "$build/coverage/summary.json" <<'PY'
import collections, json, sys
parts = collections.defaultdict(lambda: [0, 0])
for f in json.load(open(sys.argv[1]))["files"]:
    name = f["filename"]
    if not name.startswith("src/"):
        continue
    part = "/".join(name.split("/")[:2])
    parts[part][0] += f["line_covered"]
    parts[part][1] += f["line_total"]
covered = total = 0
for part in sorted(parts):
    c, t = parts[part]
    covered, total = covered + c, total + t
    print(f"  {part:<22} {100.0 * c / max(t, 1):5.1f}% ({c} of {t} lines)")
print(f"  all of src (these tests): {100.0 * covered / max(total, 1):5.1f}% ({covered} of {total} lines)")
PY
echo "HTML: $build/coverage/index.html"
