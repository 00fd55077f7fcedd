#!/usr/bin/env bash
# The ctx.log hot path through the real binary (docs/benchmarks.md): `up` of COUNT migrations
# x LINES ctx.log lines (default 100 x 1,000), run N times (default 5) by the fixture built
# from the current tree and from a base revision (default d51002c), both in Release, on the
# memory store and on dynalite (also `sqlite`). Prints medians of wall time, of the time of an
# `up` of COUNT no-op migrations (0 lines), of µs per line ((time with LINES lines - time with
# 0 lines) / (COUNT * LINES)), the write and thread-creating (clone/clone3) and poll/epoll_wait
# calls counted by `strace -f -c`, and on dynalite the DynamoDB requests of one no-op `up`
# (counted by bench/count_proxy.mjs in front of dynalite).
# Usage: bench/log_hot_path.sh [BASE_REV]      env: N, COUNT, LINES, STORES ("memory dynalite"),
#   CURRENT_SRC (the tree measured as "current", default this one: e.g. a worktree holding a
#   change not yet in this tree)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
base_rev=${1:-d51002c}
runs=${N:-5}
count=${COUNT:-100}
lines=${LINES:-1000}
stores=${STORES:-memory dynalite}
current_src=${CURRENT_SRC:-$root}
out=$root/build-bench-log
jobs=${JOBS:-2}
mkdir -p "$out"

# One wrapper project per tree: the tree as a subproject plus the fixture (bench/log_fixture
# of the current tree, which uses only the public API), so the base needs no change.
build_tree() {  # name source-dir
  local name=$1 src=$2 wrap=$out/$1-wrap
  mkdir -p "$wrap"
  cat >"$wrap/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.25)
project(log_hot_path_$name LANGUAGES C CXX)
set(AURIC_BUILD_TESTS OFF CACHE BOOL "" FORCE)
set(AURIC_BUILD_BENCH OFF CACHE BOOL "" FORCE)
set(AURIC_BUILD_EXAMPLES OFF CACHE BOOL "" FORCE)
add_subdirectory($src auric)
auric_add_migrations(log_fixture DIRECTORY $root/bench/log_fixture/none NO_MAIN
                     SOURCES $root/bench/log_fixture/log_fixture_main.cpp)
CMAKE
  nice cmake -S "$wrap" -B "$out/$name" -DCMAKE_BUILD_TYPE=Release >/dev/null
  nice cmake --build "$out/$name" -j"$jobs" --target log_fixture >/dev/null
}

cleanup() {
  [[ -n ${dyn_pid:-} ]] && kill "$dyn_pid" 2>/dev/null || true
  [[ -n ${PROXY_PID:-} ]] && kill "$PROXY_PID" 2>/dev/null || true
  if [[ -d $out/base-src ]]; then git worktree remove --force "$out/base-src" || true; fi
}
trap cleanup EXIT

# The base is built once per revision (its binary is kept in $out/base, with the revision in
# $out/base/rev); its sources are a temporary worktree, removed on exit.
base_commit=$(git rev-parse "$base_rev^{commit}")
if [[ ! -x $out/base/log_fixture || $(cat "$out/base/rev" 2>/dev/null) != "$base_commit" ]]; then
  [[ -d $out/base-src ]] || { git worktree prune; git worktree add --detach "$out/base-src" "$base_commit" >/dev/null 2>&1; }
  echo "building base ($base_rev) in Release..." >&2
  build_tree base "$out/base-src"
  echo "$base_commit" >"$out/base/rev"
fi
current_build=current
[[ $current_src == "$root" ]] || current_build=current-$(basename "$current_src")
echo "building the current tree ($current_src) in Release..." >&2
build_tree "$current_build" "$current_src"

# dynalite on a free port, as tests/aws/dynalite_server.cpp starts it.
dyn_endpoint=
if [[ " $stores " == *" dynalite "* ]]; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  node tests/node/node_modules/dynalite/cli.js --host 127.0.0.1 --port "$port" --createTableMs 0 \
    >"$out/dynalite.log" 2>&1 &
  dyn_pid=$!
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
  dyn_endpoint=http://127.0.0.1:$port
  # The same dynalite behind a counting proxy, for the requests of one `up`.
  coproc PROXY { node bench/count_proxy.mjs "$dyn_endpoint" "$out/requests.txt"; }
  read -r proxy_port <&"${PROXY[0]}"
  counted_endpoint=http://127.0.0.1:$proxy_port
  export AWS_ACCESS_KEY_ID=AKIDTEST AWS_SECRET_ACCESS_KEY=secret AWS_REGION=us-east-1 \
    AWS_EC2_METADATA_DISABLED=true AWS_ENDPOINT_URL_DYNAMODB=$dyn_endpoint
  unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL
fi

store_url() {  # store [endpoint] -> a fresh, initialised store URL
  # Named by the clock: this runs in a $(...) subshell, so a counter would not advance and
  # every `up` after the first would find its migrations applied already.
  local name=bench-log-$$-$(date +%s%N)
  case $1 in
    memory) echo "memory:" ;;
    sqlite) echo "sqlite:$out/$name.db" ;;
    dynalite)
      local url="dynamodb:$name?region=us-east-1&endpoint=${2:-$dyn_endpoint}"
      "$bin" init --store "$url" >/dev/null 2>&1
      echo "$url" ;;
  esac
}

# DynamoDB requests of one no-op `up` of COUNT migrations, through the counting proxy.
count_requests() {
  local url
  url=$(store_url dynalite "$counted_endpoint")
  : >"$out/requests.txt"
  LOG_FIXTURE_COUNT=$count LOG_FIXTURE_LINES=0 "$bin" up --store "$url" >/dev/null 2>"$out/up.err"
  wc -l <"$out/requests.txt"
}

median() { sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; print m}'; }

# Seconds of one `up` (stderr, the echo, goes to a file as a terminal log would).
time_up() {  # lines store
  local url s e
  url=$(store_url "$2")
  s=$(date +%s.%N)
  LOG_FIXTURE_COUNT=$count LOG_FIXTURE_LINES=$1 nice "$bin" up --store "$url" >"$out/up.out" 2>"$out/up.err"
  e=$(date +%s.%N)
  echo "$e - $s" | bc -l
}

printf '%-8s %-9s %10s %10s %10s %8s %8s %8s %9s\n' tree store "wall s" "0-line s" "us/line" writes threads polls requests
for store in $stores; do
  for tree in base current; do
    build=$tree
    [[ $tree == current ]] && build=$current_build
    bin=$out/$build/log_fixture
    walls=() empties=() perline=()
    for _ in $(seq "$runs"); do
      w=$(time_up "$lines" "$store")
      z=$(time_up 0 "$store")
      walls+=("$w") empties+=("$z")
      perline+=("$(echo "($w - $z) * 1000000 / ($count * $lines)" | bc -l)")
    done
    url=$(store_url "$store")
    LOG_FIXTURE_COUNT=$count LOG_FIXTURE_LINES=$lines nice strace -f -c -e trace=write,clone,clone3,poll,ppoll,epoll_wait,epoll_pwait \
      -o "$out/strace-$tree-$store.txt" "$bin" up --store "$url" >/dev/null 2>"$out/up.err"
    writes=$(awk '$NF=="write" {print $4}' "$out/strace-$tree-$store.txt")
    threads=$(awk '$NF=="clone" || $NF=="clone3" {n+=$4} END {print n+0}' "$out/strace-$tree-$store.txt")
    polls=$(awk '$NF ~ /^(poll|ppoll|epoll_wait|epoll_pwait)$/ {n+=$4} END {print n+0}' "$out/strace-$tree-$store.txt")
    requests=-
    [[ $store == dynalite ]] && requests=$(count_requests)
    printf '%-8s %-9s %10.3f %10.3f %10.2f %8s %8s %8s %9s\n' "$tree" "$store" \
      "$(printf '%s\n' "${walls[@]}" | median)" "$(printf '%s\n' "${empties[@]}" | median)" \
      "$(printf '%s\n' "${perline[@]}" | median)" "${writes:-0}" "$threads" "$polls" "$requests"
  done
done
