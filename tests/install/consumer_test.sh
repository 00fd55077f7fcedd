#!/usr/bin/env bash
# Installs the built project into a temporary prefix, moves the prefix (relocatable), checks that
# only include/auric/*.hpp is installed as headers, builds an out-of-tree consumer with
# find_package and runs its `up` and `status` against a temporary SQLite store, and builds
# examples/dynamodb against the same prefix; then builds the consumer through FetchContent from
# the source tree.
# Usage: consumer_test.sh <source dir> <build dir> <version> [find_package|fetchcontent]
set -euo pipefail
src=$1 build=$2 version=$3 mode=${4:-find_package}
work=$(mktemp -d /tmp/auric-consumer-XXXXXX)
trap 'rm -rf "$work"' EXIT
consumer="$src/tests/install/consumer"

check_run() {
  local bin=$1
  "$bin" --store "sqlite:$work/state.db" up >"$work/up.out" 2>"$work/up.err"
  grep -q "Migrations run: 20250101000000_say-hello" "$work/up.out" || { cat "$work/up.out" "$work/up.err"; exit 1; }
  "$bin" --store "sqlite:$work/state.db" status >"$work/status.out"
  grep -q "✓ 20250101000000_say-hello" "$work/status.out" || { cat "$work/status.out"; exit 1; }
  "$bin" --version | grep -q "$version" || { echo "consumer --version lacks $version"; exit 1; }
}

if [[ $mode == find_package ]]; then
  cmake --install "$build" --prefix "$work/prefix" >/dev/null
  mv "$work/prefix" "$work/moved-prefix"   # relocatable: nothing points back at the old path
  if grep -rqs -e "$build" -e "$src" -e "$work/prefix/" "$work/moved-prefix/lib/cmake"; then
    echo "installed CMake files hold absolute build, source or prefix paths:"
    grep -rn -e "$build" -e "$src" -e "$work/prefix/" "$work/moved-prefix/lib/cmake" | head
    exit 1
  fi
  for tool in "$work"/moved-prefix/bin/*; do
    "$tool" --version | grep -q "$version" || { echo "$tool --version lacks $version"; exit 1; }
  done
  test -f "$work/moved-prefix/include/auric/migrations.hpp"
  # Only the public headers (include/auric/*.hpp) are installed: no internal header is API.
  others=$(cd "$work/moved-prefix/include" && find . -type f ! -path './auric/*.hpp' -o -path './auric/*/*' -type f)
  [[ -z $others ]] || { echo "installed headers besides include/auric/*.hpp:"; echo "$others" | head; exit 1; }
  cmake -S "$consumer" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/moved-prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$work/build" -j"$(nproc)" >/dev/null
  check_run "$work/build/consumer-migrations"
  # The DynamoDB example builds against the same package (<auric/dynamodb.hpp>, ctx.dynamodb()).
  cmake -S "$src/examples/dynamodb" -B "$work/dynamodb-example" -DCMAKE_PREFIX_PATH="$work/moved-prefix" \
    -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$work/dynamodb-example" -j"$(nproc)" >/dev/null
  "$work/dynamodb-example/dynamodb-example-migrations" list | grep -q "20250301090000_create-customers-table" ||
    { echo "the DynamoDB example built against the package lists no migrations"; exit 1; }
  echo "find_package consumer: OK"
else
  cmake -S "$consumer" -B "$work/build" -DCONSUMER_USE_FETCHCONTENT=ON -DAURIC_SOURCE_DIR="$src" \
    -DCMAKE_BUILD_TYPE=Release >/dev/null
  # Not top level: tests, benchmarks and examples must be off.
  grep -q "AURIC_BUILD_TESTS:BOOL=OFF" "$work/build/CMakeCache.txt"
  grep -q "AURIC_BUILD_EXAMPLES:BOOL=OFF" "$work/build/CMakeCache.txt"
  cmake --build "$work/build" -j"$(nproc)" --target consumer-migrations >/dev/null
  check_run "$work/build/consumer-migrations"
  echo "FetchContent consumer: OK"
fi
