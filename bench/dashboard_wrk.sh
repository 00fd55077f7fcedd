#!/usr/bin/env bash
# Dashboard API latency under wrk (issue 5): seeds a SQLite store with 200 migrations × 50 runs
# each (10,000 runs in 1,000 executions, through the real runner), starts the local dashboard
# server on it (bench/dashboard_server.cpp: the same LocalServer + LocalBackend as
# `<binary> dashboard`) in its own process on 127.0.0.1:<ephemeral>, runs
# `wrk -t2 -c32 -d10s --latency` on /api/migrations and /api/executions, and reports the
# server's peak and current RSS from /proc/<pid>/status. Targets: p99 <= 10 ms, RSS <= 50 MB.
# It runs twice: the server as shipped (list answers reused between writes), then with
# `--no-cache` (every answer computed from the store, the cost right after each write).
#
#   scripts/bench.sh dashboard_wrk            # builds in build-bench (Release), then runs this
#   bench/dashboard_wrk.sh [BUILD_DIR]        # uses BUILD_DIR/bench/dashboard_server as built
#
# Environment: WRK_DURATION (default 10s), WRK_CONNECTIONS (32), WRK_THREADS (2),
# WRK_MODES ("cached uncached").
# bench-targets: dashboard_server
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-${AURIC_BENCH_BUILD:-$root/build-bench}}
build=$(cd "$build" && pwd)
server_bin="$build/bench/dashboard_server"
[[ -x "$server_bin" ]] || { echo "missing $server_bin (build the dashboard_server target in Release)" >&2; exit 2; }

# wrk is only needed here, so it is installed here rather than by scripts/install-deps.sh.
if ! command -v wrk >/dev/null 2>&1; then
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  echo "[deps] installing wrk"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi

duration=${WRK_DURATION:-10s}
connections=${WRK_CONNECTIONS:-32}
threads=${WRK_THREADS:-2}

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

rss() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$server_pid/status"; }

db="$work/migrations.db"
"$server_bin" seed "$db" --migrations 200 --runs 50 --steps 10

# One server per mode: as shipped (list answers cached between writes), then with every answer
# computed (--no-cache: the cost right after a write).
for mode in ${WRK_MODES:-cached uncached}; do
  serve_args=(--migrations 200 --port 0)
  [[ $mode == uncached ]] && serve_args+=(--no-cache)
  "$server_bin" serve "$db" "${serve_args[@]}" >"$work/server.out" 2>"$work/server.err" &
  server_pid=$!
  url=""
  for _ in $(seq 1 200); do
    url=$(sed -n 's/^> Dashboard ready: \(http:\/\/127\.0\.0\.1:[0-9]*\)\/$/\1/p' "$work/server.out")
    [[ -n "$url" ]] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.out" "$work/server.err" >&2; exit 1; }
    sleep 0.05
  done
  [[ -n "$url" ]] || { echo "the dashboard server did not start" >&2; exit 1; }
  echo
  echo "### $mode: server pid $server_pid at $url, RSS before load $(rss VmRSS) kB"

  # Warm up (first-touch page faults, SQLite page cache), then measure.
  for path in /api/migrations /api/executions; do
    wrk -t1 -c4 -d1s "$url$path" >/dev/null
  done
  for path in /api/migrations /api/executions; do
    bytes=$(curl -s "$url$path" | wc -c)
    echo
    echo "==> wrk -t$threads -c$connections -d$duration --latency $url$path  (body $bytes bytes)"
    wrk -t"$threads" -c"$connections" -d"$duration" --latency "$url$path" | tee "$work/wrk.out"
    # One summary line: p50 / p99 / req/s (wrk prints them as "50%", "99%", "Requests/sec").
    awk -v path="$path" -v mode="$mode" '
      $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 } $1 == "Requests/sec:" { rps = $2 }
      /Non-2xx/ { bad = $NF } /Socket errors/ { errors = $0 }
      END { printf "SUMMARY %s %s p50=%s p99=%s req/s=%s%s%s\n", mode, path, p50, p99, rps,
                   bad ? " NON-2XX=" bad : "", errors ? " (" errors ")" : "" }' "$work/wrk.out" \
      >>"$work/summary"
  done
  echo "SUMMARY $mode server RSS: peak (VmHWM) $(rss VmHWM) kB, now (VmRSS) $(rss VmRSS) kB" >>"$work/summary"
  kill -TERM "$server_pid"
  wait "$server_pid" || true
  server_pid=""
done

echo
cat "$work/summary"
