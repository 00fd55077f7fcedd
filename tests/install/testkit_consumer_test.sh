#!/usr/bin/env bash
# The test kit from an installed package: installs the built project into a temporary prefix,
# builds tests/install/testkit_consumer against it (auric_add_migration_tests, <auric/testing.hpp>)
# and runs its CTest tests: the round trips of the good migrations pass, the irreversible one is
# reported and passes, and the two broken ones fail with messages naming the migration and step.
# Usage: testkit_consumer_test.sh <source dir> <build dir>
set -euo pipefail
src=$1 build=$2
work=$(mktemp -d /tmp/auric-testkit-XXXXXX)
trap 'rm -rf "$work"' EXIT

fail() { echo "FAIL: $*"; [[ -f $work/ctest.out ]] && cat "$work/ctest.out"; exit 1; }

cmake --install "$build" --prefix "$work/prefix" >/dev/null
test -f "$work/prefix/include/auric/testing.hpp" || fail "include/auric/testing.hpp is not installed"
test -f "$work/prefix/lib/cmake/AuricMigrations/AuricTesting.cmake" || fail "AuricTesting.cmake is not installed"
cmake -S "$src/tests/install/testkit_consumer" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/build" -j"$(nproc)" >"$work/build.out" 2>&1 || { cat "$work/build.out"; fail "build"; }

# Run from a folder of its own, with a temporary directory of its own: nothing may be left behind
# in either (the round trips' scratch folders are made under TMPDIR).
mkdir "$work/run" "$work/tmp"
rc=0
(cd "$work/run" && TMPDIR="$work/tmp" ctest --test-dir "$work/build" --output-on-failure >"$work/ctest.out" 2>&1) || rc=$?
[[ $rc -ne 0 ]] || fail "ctest passed although two migrations are broken"

expect_line() { grep -qE "$1" "$work/ctest.out" || fail "no line matching: $1"; }
expect_line 'KitRoundTrip\.UpDownUp/20250101000000_create_notes \.+ +Passed'
expect_line 'KitRoundTrip\.UpDownUp/20250104000000_drop_legacy \.+ +Passed'
expect_line 'KitRoundTrip\.UpDownUp/20250102000000_add_tags \.+\*\*\*Failed'
expect_line 'KitRoundTrip\.UpDownUp/20250103000000_seed_admin \.+\*\*\*Failed'
expect_line 'KitReports\..* +Passed'
expect_line 'tests passed, 2 tests failed out of 9'
! grep -qE 'KitReports\..*\*\*\*Failed' "$work/ctest.out" || fail "a KitReports test failed"
# The failure messages name the migration, the step and the cause, with the captured output.
# seed-admin's down leaves notes/admin behind: the snapshot after down shows it (without a
# snapshot, the second up fails: KitReports.AStepThatFailsIsNamedWithItsOutput).
expect_line 'migration 20250103000000_seed-admin: round trip failed at step 2 \(down\): down did not undo up'
expect_line 'after down: \["legacy","notes","notes/admin","tags"\]'
expect_line 'migration 20250102000000_add-tags: round trip failed at step 2 \(down\): down did not undo up'
# A passing test's output is not in ctest's: run the irreversible one directly.
(cd "$work/run" && TMPDIR="$work/tmp" "$work/build/kit-migrations-tests" \
  --gtest_filter='KitRoundTrip.UpDownUp/20250104000000_drop_legacy' >"$work/irreversible.out" 2>&1) ||
  { cat "$work/irreversible.out"; fail "the irreversible migration's round trip failed"; }
grep -q '\[ IRREVERSIBLE \] 20250104000000_drop-legacy: declared irreversible' "$work/irreversible.out" ||
  { cat "$work/irreversible.out"; fail "the irreversible migration is not reported"; }
[[ -z $(ls -A "$work/run") ]] || fail "the tests left files in the working directory: $(ls -A "$work/run")"
[[ -z $(ls -A "$work/tmp") ]] || fail "scratch folders were left behind: $(ls -A "$work/tmp")"
echo "test kit consumer: OK"
