#!/usr/bin/env bash
# The libFuzzer harnesses of fuzz/ (docs/fuzzing.md): configures and builds build-fuzz with
# clang-14 (ASan + UBSan + coverage over the whole project), then fuzzes or replays.
#
# Usage: scripts/fuzz.sh [TARGET|all] [SECONDS]  fuzz each target for SECONDS (default 60)
#        scripts/fuzz.sh --replay                 run every seed (fuzz/corpus/<target>/) and every
#                                                 crash input (fuzz/regressions/<target>/) once
#        scripts/fuzz.sh --smoke [SECONDS]        --replay, then fuzz every target for SECONDS
#                                                 (default 20), two at a time (the test command)
#        scripts/fuzz.sh --list                   the targets
# Environment: FUZZ_JOBS targets fuzzed at once (default 1; 2 with --smoke), FUZZ_CXX / FUZZ_CC
# the compilers (default clang++-14 / clang-14), FUZZ_ARGS extra libFuzzer flags.
# New inputs go to build-fuzz/fuzz/work/<target>/corpus (the seeds in the tree stay as they are);
# crashes to build-fuzz/fuzz/work/<target>/artifacts/. Exits non-zero on any crash.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

mode=fuzz
target=all
seconds=60
jobs=${FUZZ_JOBS:-1}
case "${1:-}" in
  --replay) mode=replay ;;
  --smoke) mode=smoke; seconds=${2:-20}; jobs=${FUZZ_JOBS:-2} ;;
  --list) mode=list ;;
  -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
  "") ;;
  -*) echo "fuzz.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  *) target=$1; seconds=${2:-60} ;;
esac
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [[ "$seconds" -lt 1 ]]; then
  echo "fuzz.sh: SECONDS must be a positive whole number, got '$seconds'" >&2
  exit 2
fi

build=build-fuzz
cxx=${FUZZ_CXX:-clang++-14}
cc=${FUZZ_CC:-clang-14}
if ! command -v "$cxx" >/dev/null; then
  echo "fuzz.sh: $cxx not found: install clang-14 and libclang-rt-14-dev (scripts/install-deps.sh --with-test-tools)" >&2
  exit 2
fi

generator=()
if [[ ! -f "$build/CMakeCache.txt" ]] && command -v ninja >/dev/null; then generator=(-G Ninja); fi
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
echo "==> configure and build $build ($cxx)"
mkdir -p "$build"
# -O1 -g with assertions on: fast enough to fuzz, readable stacks.
nice cmake -S . -B "$build" "${generator[@]}" "${launcher[@]}" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_C_COMPILER="$cc" \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" -DCMAKE_C_FLAGS_DEBUG="-O1 -g" \
  -DAURIC_BUILD_FUZZ=ON -DAURIC_BUILD_TESTS=OFF -DAURIC_BUILD_BENCH=OFF -DAURIC_BUILD_EXAMPLES=OFF \
  >"$build/configure.log" 2>&1 || { cat "$build/configure.log"; echo "fuzz.sh: configure failed" >&2; exit 1; }
nice cmake --build "$build" -j2 || { echo "fuzz.sh: build failed" >&2; exit 1; }

manifest=$build/fuzz/targets.txt
declare -A binary max_len
names=()
while read -r name path len; do
  [[ -z "$name" ]] && continue
  names+=("$name")
  binary[$name]=$path
  max_len[$name]=$len
done <"$manifest"

if [[ "$mode" == list ]]; then
  for name in "${names[@]}"; do echo "$name (max_len ${max_len[$name]})"; done
  exit 0
fi
if [[ "$target" != all ]]; then
  if [[ -z "${binary[$target]:-}" ]]; then
    echo "fuzz.sh: no target '$target'; the targets: ${names[*]}" >&2
    exit 2
  fi
  names=("$target")
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
work=$build/fuzz/work
failures=()

# Runs every input of the target's seed and regression folders once.
replay() {
  local name=$1 files=() dir
  for dir in fuzz/corpus/$name fuzz/regressions/$name; do
    [[ -d "$dir" ]] && while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$dir" -type f -print0 | sort -z)
  done
  [[ ${#files[@]} -eq 0 ]] && { echo "  $name: no inputs"; return 0; }
  local log=$work/$name/replay.log
  mkdir -p "$work/$name"
  if nice "${binary[$name]}" -runs=1 "${files[@]}" >"$log" 2>&1; then
    echo "  $name: ${#files[@]} inputs ok"
    return 0
  fi
  # Find every failing input, not just the first.
  local f bad=0
  for f in "${files[@]}"; do
    if ! nice "${binary[$name]}" -runs=1 "$f" >"$log.one" 2>&1; then
      bad=$((bad + 1))
      echo "  $name: CRASH on $f"
      grep -E '^(SUMMARY|==[0-9]+==ERROR|.*runtime error:|fuzz invariant|  detail|terminate called|  what\(\))' "$log.one" | head -6 | sed 's/^/      /'
      grep -E '^    #[0-9]+ .* in (auric::|LLVMFuzzerTestOneInput)' "$log.one" | head -4 | sed 's/^/      /'
    fi
  done
  [[ $bad -eq 0 ]] && { echo "  $name: the inputs crash together but not alone (state leaks between inputs): $log"; bad=1; }
  return 1
}

# Fuzzes one target for $seconds; writes $work/<name>/result ("ok ..." or "crash ...").
fuzz_one() {
  local name=$1 dir=$work/$1
  mkdir -p "$dir/corpus" "$dir/artifacts"
  rm -f "$dir/artifacts"/* "$dir/result"
  # Seeds are read from the tree; new inputs go to the scratch corpus (the first folder).
  # shellcheck disable=SC2086
  nice "${binary[$name]}" -max_total_time="$seconds" -max_len="${max_len[$name]}" -timeout=20 \
    -rss_limit_mb=2048 -print_final_stats=1 -print_funcs=0 -print_pcs=0 -close_fd_mask=1 \
    -artifact_prefix="$dir/artifacts/" ${FUZZ_ARGS:-} "$dir/corpus" "fuzz/corpus/$name" >"$dir/fuzz.log" 2>&1
  local rc=$?
  local stats
  stats=$(grep -E '^stat::number_of_executed_units' "$dir/fuzz.log" | awk '{print $2}')
  local cov
  cov=$(grep -oE 'cov: [0-9]+' "$dir/fuzz.log" | tail -1)
  if [[ $rc -eq 0 ]]; then
    echo "ok ${stats:-?} runs, $cov" >"$dir/result"
  else
    echo "crash (exit $rc) $(ls "$dir/artifacts" 2>/dev/null | head -1)" >"$dir/result"
  fi
}

report_fuzz() {
  local name=$1 dir=$work/$1 result
  result=$(cat "$dir/result" 2>/dev/null || echo "crash (no result)")
  echo "  $name: $result"
  if [[ "$result" != ok* ]]; then
    failures+=("fuzz $name")
    grep -E '^(SUMMARY|==[0-9]+==ERROR|.*runtime error:|fuzz invariant|  detail|terminate called|  what\(\))' "$dir/fuzz.log" | head -6 | sed 's/^/      /'
    grep -E '^    #[0-9]+ .* in (auric::|LLVMFuzzerTestOneInput)' "$dir/fuzz.log" | head -4 | sed 's/^/      /'
    local artifact
    for artifact in "$dir"/artifacts/*; do
      [[ -f "$artifact" ]] || continue
      echo "      input: $artifact"
      echo "      keep it as a regression: cp $artifact fuzz/regressions/$name/<what-it-breaks>"
    done
    echo "      log: $dir/fuzz.log"
  fi
}

start=$SECONDS
if [[ "$mode" == replay || "$mode" == smoke ]]; then
  echo "==> replay seeds and regressions"
  for name in "${names[@]}"; do replay "$name" || failures+=("replay $name"); done
fi
if [[ "$mode" == fuzz || "$mode" == smoke ]]; then
  echo "==> fuzz ${#names[@]} target(s) for ${seconds}s each, $jobs at a time"
  running=0
  for name in "${names[@]}"; do
    if [[ $running -ge $jobs ]]; then
      wait -n
      running=$((running - 1))
    fi
    fuzz_one "$name" &
    running=$((running + 1))
  done
  wait
  for name in "${names[@]}"; do report_fuzz "$name"; done
fi

echo "==> $((SECONDS - start))s"
if [[ ${#failures[@]} -gt 0 ]]; then
  printf 'FAILED: %s\n' "${failures[@]}"
  exit 1
fi
echo "no crashes"
