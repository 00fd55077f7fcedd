#!/usr/bin/env bash
# Builds the benchmarks in Release and runs them (docs/benchmarks.md).
# Usage: scripts/bench.sh [runner|status|capture|aws_sigv4|dashboard ...]   (default: all)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/install-deps.sh
build=build-bench
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DAURIC_BUILD_TESTS=OFF -DAURIC_BUILD_BENCH=ON \
  -DAURIC_BUILD_EXAMPLES=ON >/dev/null
names=("$@")
if [[ ${#names[@]} -eq 0 ]]; then
  mapfile -t names < <(ls bench/*_bench.cpp | xargs -n1 basename | sed 's/_bench.cpp//')
fi
for n in "${names[@]}"; do
  cmake --build "$build" -j"$(nproc)" --target "${n}_bench" >/dev/null
  echo "==> ${n}_bench"
  "$build/bench/${n}_bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
done
