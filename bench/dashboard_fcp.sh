#!/usr/bin/env bash
# First contentful paint of the dashboard's Overview page in headless Chromium (issue 5):
# bench/dashboard_fcp.mjs against the real server of the quickstart example, seeded by its
# migrations. Needs node, /usr/bin/chromium (scripts/install-deps.sh --with-test-tools) and
# ui/node_modules (the UI build's `npm ci`).
#
#   scripts/bench.sh dashboard_fcp            # builds in build-bench (Release), then runs this
#   bench/dashboard_fcp.sh [BUILD_DIR]        # uses BUILD_DIR/examples/quickstart/quickstart-migrations
#
# Environment: FCP_RUNS (default 15), CHROMIUM (default /usr/bin/chromium).
# bench-targets: quickstart-migrations
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-${AURIC_BENCH_BUILD:-$root/build-bench}}
build=$(cd "$build" && pwd)
binary="$build/examples/quickstart/quickstart-migrations"
[[ -x "$binary" ]] || { echo "missing $binary (build with -DAURIC_BUILD_EXAMPLES=ON)" >&2; exit 2; }
chromium=${CHROMIUM:-/usr/bin/chromium}
[[ -x "$chromium" ]] || { echo "missing $chromium (apt-get install chromium)" >&2; exit 2; }
exec node "$root/bench/dashboard_fcp.mjs" --binary "$binary" --ui-dir "$root/ui" --chromium "$chromium" \
  --runs "${FCP_RUNS:-15}"
