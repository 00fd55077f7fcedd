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
echo
echo "Line coverage per part (tests: $labels)"
for part in src/*/; do
  part=${part%/}
  [[ -n $(find "$build/$part" -name '*.gcda' 2>/dev/null | head -1) ]] || continue
  line=$(gcovr -r "$root" --object-directory "$build" --filter "$part/" --print-summary -o "$build/coverage/part.txt" 2>/dev/null |
    sed -n 's/^lines: *//p')
  printf '  %-22s %s\n' "$part" "$line"
done
gcovr -r "$root" --object-directory "$build" --filter 'src/' --html-details "$build/coverage/index.html" \
  --print-summary 2>/dev/null | sed -n 's/^lines: */  all of src (these tests): /p'
echo "HTML: $build/coverage/index.html"
