#!/usr/bin/env bash
# Build time of a migrations project (issue 13): generates N migration files (like the `create`
# scaffold, with a little code) in a temporary project against an installed package, and measures
# on -j2: the clean build, a no-op build, and the rebuild after editing one migration (a comment
# change and a code change; the median of REPEAT rounds). Runs "before" (the package of a baseline
# commit, checked out with `git worktree add`, built and installed in a temporary folder) and
# "after" (this checkout, installed from its build folder), the latter with its default options
# and with UNITY=ON, in the same run; "after-clang" builds the same project with Clang (its precompiled
# header also carries the header's template instantiations) against the same GCC-built package.
#
# Usage: bench/build_time.sh [N=100] [baseline commit=fa6b039, the last one before issue 13's build change]
# Environment:
#   AURIC_BUILD_DIR        build folder of this checkout to install from (default: build-test)
#   AURIC_BASELINE_BUILD   an existing build folder of the baseline commit (skips building it)
#   GENERATOR              CMake generator of the measured project (default: Unix Makefiles)
#   REPEAT                 rounds of each rebuild measurement after (default: 3)
#   BEFORE_REPEAT          rounds before (default: 1: there every edit reconfigures and rebuilds all)
#   JOBS                   parallel jobs (default: 2)
#   VARIANTS               which to measure, of "before after after-unity after-clang" (default: the
#                          first three; without "before" no baseline package is built)
#   CLANGXX                the Clang of "after-clang" (default: clang++-14, else clang++)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-100}
baseline=${2:-fa6b0396a2b5b3d8050ddcad006117bfc7fa2da9}
build_dir=${AURIC_BUILD_DIR:-$root/build-test}
generator=${GENERATOR:-Unix Makefiles}
repeat=${REPEAT:-3}
before_repeat=${BEFORE_REPEAT:-1}
jobs=${JOBS:-2}
variants=" ${VARIANTS:-before after after-unity} "
work=$(mktemp -d /tmp/auric-build-time-XXXXXX)
worktree=
cleanup() {
  [[ -n $worktree ]] && git -C "$root" worktree remove --force "$worktree" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
median() { tr ' ' '\n' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# The packages: "before" from the baseline commit, "after" from this checkout's build.
echo "Installing the packages (after: $build_dir; before: $baseline)..."
cmake --install "$build_dir" --prefix "$work/after" >/dev/null
baseline_build=${AURIC_BASELINE_BUILD:-}
if [[ $variants != *" before "* ]]; then
  :
elif [[ -z $baseline_build ]]; then
  worktree=$work/baseline-src
  git -C "$root" worktree add --detach "$worktree" "$baseline" >/dev/null 2>&1
  baseline_build=$work/baseline-build
  cmake -S "$worktree" -B "$baseline_build" -DCMAKE_BUILD_TYPE=Debug -DAURIC_BUILD_TESTS=OFF \
    -DAURIC_BUILD_BENCH=OFF -DAURIC_BUILD_EXAMPLES=OFF >/dev/null
  echo "Building the baseline package (once; this takes a while)..."
  cmake --build "$baseline_build" -j"$jobs" >"$work/baseline-build.log" 2>&1 ||
    { tail -20 "$work/baseline-build.log"; exit 1; }
fi
[[ $variants == *" before "* ]] && cmake --install "$baseline_build" --prefix "$work/before" >/dev/null

# The project: N migrations, each a scaffold with a loop, a log line and a JSON result.
project=$work/project
mkdir -p "$project/migrations"
cat >"$project/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.25)
project(auric_build_time LANGUAGES CXX)
find_package(AuricMigrations 0.1 REQUIRED)
auric_add_migrations(bench-migrations DIRECTORY migrations)
EOF
for ((i = 1; i <= n; ++i)); do
  id=$(printf '20250101%02d%02d%02d_step-%03d' $((i / 3600)) $((i / 60 % 60)) $((i % 60)) "$i")
  cat >"$project/migrations/$id.cpp" <<EOF
// Migration $id. Both up() and down() are required; each may return a JSON value that is
// stored as the run's result. See docs/writing-migrations.md.
#include <string>
#include <vector>

#include <auric/migrations.hpp>

AURIC_MIGRATION({
    .name = "step-$i",
    .description = R"md(
Adds column \`c$i\` to the \`items\` table and backfills it.
)md",
    .up = [](auric::Context& ctx) -> auric::Json {
      std::vector<std::string> statements = {"ALTER TABLE items ADD COLUMN c$i TEXT",
                                             "UPDATE items SET c$i = 'v$i'"};
      for (const auto& sql : statements) ctx.log("would run", sql);
      ctx.logger().info("step $i done", {{"statements", statements.size()}});
      return {{"statements", statements.size()}, {"column", "c$i"}};
    },
    .down = [](auric::Context& ctx) -> auric::Json {
      ctx.log("reverted step $i");
      return {};
    },
});
EOF
done
edit_file=$(ls "$project/migrations" | sed -n "$(((n + 1) / 2))p")

results=()
measure() {  # <label> <prefix> <rounds> [extra cmake args...]
  local label=$1 prefix=$2 rounds=$3
  shift 3
  local b=$work/build-$label
  rm -rf "$b"
  cmake -S "$project" -B "$b" -G "$generator" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Debug \
    "$@" >/dev/null
  echo "[$label] clean build of $n migrations..."
  local t
  t=$(now)
  cmake --build "$b" -j"$jobs" >"$work/$label-clean.log" 2>&1 || { tail -20 "$work/$label-clean.log"; exit 1; }
  local clean
  clean=$(elapsed "$t")
  "$b/bench-migrations" list | grep -q "$n migration" || { echo "[$label] the binary lacks migrations"; exit 1; }
  local noop=() comment=() code=()
  for ((r = 1; r <= rounds; ++r)); do
    t=$(now)
    cmake --build "$b" -j"$jobs" >/dev/null
    noop+=("$(elapsed "$t")")
    sleep 1
    echo "// comment edit $r" >>"$project/migrations/$edit_file"
    t=$(now)
    cmake --build "$b" -j"$jobs" >"$work/$label-comment.log" 2>&1
    comment+=("$(elapsed "$t")")
    sleep 1
    sed -i "s|ctx.log(\"reverted|ctx.log(\"reverted, edit $r,|" "$project/migrations/$edit_file"
    t=$(now)
    cmake --build "$b" -j"$jobs" >"$work/$label-code.log" 2>&1
    code+=("$(elapsed "$t")")
  done
  local compiled
  compiled=$(grep -c "Building CXX object" "$work/$label-code.log" || true)
  results+=("$(printf '%-22s %9s %9s %13s %11s %9s' "$label" "$clean" "$(echo "${noop[*]}" | median)" \
    "$(echo "${comment[*]}" | median)" "$(echo "${code[*]}" | median)" "$compiled")")
  rm -rf "$b"
}

[[ $variants == *" before "* ]] && measure before "$work/before" "$before_repeat"
[[ $variants == *" after "* ]] && measure after "$work/after" "$repeat"
[[ $variants == *" after-unity "* ]] && measure after-unity "$work/after" "$repeat" -DAURIC_MIGRATIONS_UNITY_BUILD=ON
if [[ $variants == *" after-clang "* ]]; then
  clangxx=${CLANGXX:-$(command -v clang++-14 || command -v clang++ || true)}
  [[ -n $clangxx ]] || { echo "after-clang: no clang++ (apt install clang-14, or set CLANGXX)"; exit 1; }
  measure after-clang "$work/after" "$repeat" -DCMAKE_CXX_COMPILER="$clangxx"
fi

echo
echo "$n migrations, $generator, Debug, -j$jobs on $(nproc) cores; seconds (rebuilds: median of $repeat, before: $before_repeat)"
printf '%-22s %9s %9s %13s %11s %9s\n' variant clean no-op "comment edit" "code edit" "compiled"
printf '%s\n' "${results[@]}"
echo "(compiled: objects the last code edit compiled, in Makefiles' 'Building CXX object' lines)"
