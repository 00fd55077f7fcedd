#!/usr/bin/env bash
# The main job: install what the build needs, build everything, run the example migrations
# of examples/quickstart against the embedded SQLite store, then print their status.
# Usage: scripts/quickstart.sh [extra args for `up`, e.g. --dry-run]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/install-deps.sh
build="${AURIC_BUILD_DIR:-$root/build}"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DAURIC_BUILD_TESTS=OFF -DAURIC_BUILD_BENCH=OFF \
  -DAURIC_BUILD_EXAMPLES=ON >/dev/null
cmake --build "$build" -j"$(nproc)" --target quickstart-migrations auric-migrate

bin="$build/examples/quickstart/quickstart-migrations"
cd examples/quickstart
echo
echo "\$ quickstart-migrations up"
"$bin" up "$@"
echo
echo "\$ quickstart-migrations status"
"$bin" status
echo
echo "Next: $bin executions | migration create-users | down | dashboard (see README.md)"
