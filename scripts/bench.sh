#!/usr/bin/env bash
# Builds the benchmarks in Release and runs them (docs/benchmarks.md).
# Usage: scripts/bench.sh [NAME ...]   (default: all)
#   NAME is a bench/NAME_bench.cpp (runner, status, capture, aws_sigv4, dynamodb, dashboard, ...),
#   run 3 times by Google Benchmark, or a bench/NAME.sh script (dashboard_wrk, dashboard_fcp),
#   which gets the build folder as its argument after the targets named on its
#   `# bench-targets:` line are built.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/install-deps.sh
build=build-bench
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DAURIC_BUILD_TESTS=OFF -DAURIC_BUILD_BENCH=ON \
  -DAURIC_BUILD_EXAMPLES=ON >/dev/null
names=("$@")
if [[ ${#names[@]} -eq 0 ]]; then
  mapfile -t names < <(
    ls bench/*_bench.cpp | xargs -n1 basename | sed 's/_bench.cpp//'
    ls bench/*.sh | xargs -n1 basename | sed 's/\.sh$//'
  )
fi
for n in "${names[@]}"; do
  if [[ -f "bench/${n}_bench.cpp" ]]; then
    cmake --build "$build" -j"$(nproc)" --target "${n}_bench" >/dev/null
    echo "==> ${n}_bench"
    "$build/bench/${n}_bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
  elif [[ -f "bench/${n}.sh" ]]; then
    read -r -a targets < <(sed -n 's/^# bench-targets: *//p' "bench/${n}.sh") || true
    for t in "${targets[@]}"; do cmake --build "$build" -j"$(nproc)" --target "$t" >/dev/null; done
    echo "==> bench/${n}.sh"
    "bench/${n}.sh" "$root/$build"
  else
    echo "no benchmark named '$n' (bench/${n}_bench.cpp or bench/${n}.sh)" >&2
    exit 2
  fi
done
