#!/usr/bin/env bash
# Editing one migration rebuilds that migration only (issue 13). Installs the built project into a
# temporary prefix, configures a consumer of three migrations with the given generator, builds it,
# applies the migrations to a SQLite store, edits one migration (a comment) and rebuilds. Then it
# checks that the only objects rebuilt are that migration's and its checksum unit's, that nothing
# re-ran the configure step, that the binary was relinked, and that the new binary reports the new
# checksum: `list --json` shows the SHA-256 of the edited source (CRLF as LF, as the standalone
# auric-migrate computes it) and `verify` reports the drift. Finally a new migration file is picked
# up by the next build (with Ninja, without recompiling the others). With a C++ compiler given, the
# consumer is built with it (Clang: the precompiled header must also carry the header's template
# instantiations, -fpch-instantiate-templates, which is what makes a Clang build fast).
# Usage: rebuild_test.sh <source dir> <build dir> <generator> [<make program> [<c++ compiler>]]
set -euo pipefail
src=$1 build=$2 generator=$3 make_program=${4:-} cxx=${5:-}
work=$(mktemp -d /tmp/auric-rebuild-XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cmake --install "$build" --prefix "$work/prefix" >/dev/null
project=$work/project bin=$work/build/rebuild-migrations
mkdir -p "$project/migrations"
cat >"$project/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.25)
project(auric_rebuild LANGUAGES CXX)
find_package(AuricMigrations 0.1 REQUIRED)
auric_add_migrations(rebuild-migrations DIRECTORY migrations)
EOF
migration() {  # <id>: a migration as the `create` scaffold writes it, with a little code
  cat <<EOF
// Migration $1.
#include <auric/migrations.hpp>

AURIC_MIGRATION({
    .description = "Step $1.",
    .up = [](auric::Context& ctx) -> auric::Json {
      ctx.log("applied", "$1");
      return {{"rows", 1}};
    },
    .down = [](auric::Context& ctx) -> auric::Json { return {}; },
});
EOF
}
migration 20250101000000_first >"$project/migrations/20250101000000_first.cpp"
migration 20250102000000_second >"$project/migrations/20250102000000_second.cpp"
# CRLF line endings: the checksum is taken with them normalised to LF.
migration 20250103000000_third | sed 's/$/\r/' >"$project/migrations/20250103000000_third.cpp"

configure_args=(-G "$generator")
[[ -n $make_program ]] && configure_args+=("-DCMAKE_MAKE_PROGRAM=$make_program")
[[ -n $cxx ]] && configure_args+=("-DCMAKE_CXX_COMPILER=$cxx")
cmake -S "$project" -B "$work/build" "${configure_args[@]}" -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$work/build" -j2 >"$work/build1.out" 2>&1 || { cat "$work/build1.out"; fail "first build"; }
grep -rq "cmake_pch" "$work/build/CMakeFiles" || fail "no precompiled header was set up"
if [[ $cxx == *clang* ]]; then
  grep -rq -- "-fpch-instantiate-templates" "$work/build" --include='*.ninja' --include='flags.make' ||
    fail "the Clang precompiled header is built without -fpch-instantiate-templates"
fi

store="sqlite:$work/state.db"
"$bin" --store "$store" up >"$work/up.out" 2>&1 || { cat "$work/up.out"; fail "up"; }
"$bin" --store "$store" verify >/dev/null || fail "verify before the edit"

objects() { (cd "$work/build" && find . \( -name '*.o' -o -name '*.gch' \) -printf '%p %T@\n' | sort); }
objects >"$work/before.txt"
[[ $(grep -c '\.o ' "$work/before.txt") -eq 7 ]] || { cat "$work/before.txt"; fail "expected 7 objects"; }
bin_time=$(stat -c %y "$bin")
sleep 1.1  # a newer mtime than any object, whatever the file system's resolution

edited=20250102000000_second
sed -i "s|^// Migration $edited.|// Migration $edited, edited.|" "$project/migrations/$edited.cpp"
cmake --build "$work/build" -j2 >"$work/build2.out" 2>&1 || { cat "$work/build2.out"; fail "rebuild"; }
if grep -Eq "Re-running CMake|Configuring done" "$work/build2.out"; then
  cat "$work/build2.out"
  fail "editing a migration re-ran the configure step"
fi
objects >"$work/after.txt"
changed=$(comm -13 "$work/before.txt" "$work/after.txt" | cut -d' ' -f1 | sort)
expected=$(printf '%s\n' "./CMakeFiles/rebuild-migrations.dir/migrations/$edited.cpp.o" \
  "./CMakeFiles/rebuild-migrations_auric_checksums.dir/rebuild-migrations_auric_checksums/$edited.cpp.o" | sort)
if [[ $changed != "$expected" ]]; then
  echo "rebuilt:"; echo "$changed"; echo "expected:"; echo "$expected"; cat "$work/build2.out"
  fail "editing $edited rebuilt other objects than its own and its checksum unit's"
fi
[[ $(stat -c %y "$bin") != "$bin_time" ]] || fail "the binary was not relinked"

# The new binary carries the new checksum: what the standalone tool computes from the folder.
sum_of() { tr -d '\r' <"$project/migrations/$1.cpp" | sha256sum | cut -d' ' -f1; }
"$bin" list --json >"$work/list.json"
AURIC_MIGRATE_MIGRATIONS_DIR="$project/migrations" "$work/prefix/bin/auric-migrate" list --json \
  >"$work/standalone.json"
for id in 20250101000000_first $edited 20250103000000_third; do
  sum=$(sum_of $id)
  grep -q "\"checksum\": \"$sum\"" "$work/list.json" || { cat "$work/list.json"; fail "$id: binary checksum is not $sum"; }
  grep -q "\"checksum\": \"$sum\"" "$work/standalone.json" ||
    { cat "$work/standalone.json"; fail "$id: auric-migrate checksum is not $sum"; }
done
set +e
"$bin" --store "$store" verify >"$work/verify.out" 2>&1
rc=$?
set -e
[[ $rc -eq 4 ]] || { cat "$work/verify.out"; fail "verify after the edit exited $rc, not 4 (drift)"; }
grep -q "drift: $edited" "$work/verify.out" || { cat "$work/verify.out"; fail "verify names no drift of $edited"; }
[[ $(grep -c "drift:" "$work/verify.out") -eq 1 ]] || { cat "$work/verify.out"; fail "more than one drift"; }

# A new file is picked up by the next build (the folder is globbed). With Ninja the others stay
# built; with Makefiles the precompiled header's per-file options in the target's flags.make
# change, so adding (or removing) a file recompiles the target once (docs/writing-migrations.md).
objects >"$work/before.txt"
sleep 1.1
migration 20250104000000_fourth >"$project/migrations/20250104000000_fourth.cpp"
cmake --build "$work/build" -j2 >"$work/build3.out" 2>&1 || { cat "$work/build3.out"; fail "build with a new file"; }
"$bin" list | grep -q 20250104000000_fourth || fail "the new migration is not in the binary"
objects >"$work/after.txt"
if [[ $generator == Ninja ]]; then
  rebuilt=$(comm -13 "$work/before.txt" "$work/after.txt" | cut -d' ' -f1 | grep -v fourth || true)
  [[ -z $rebuilt ]] || { echo "$rebuilt"; cat "$work/build3.out"; fail "adding a migration recompiled others"; }
fi

# The linker (the link is most of a one-file rebuild): lld when the compiler can use it, else gold;
# -DAURIC_MIGRATIONS_LINKER=default keeps the toolchain's own (a relink, nothing recompiles); a bad
# value stops the configure step with the choices.
linked_by() { readelf -p .comment "$bin" | grep -q 'LLD' && echo lld && return;
  readelf -S "$bin" | grep -q gold-version && echo gold && return; echo default; }
if command -v ld.lld >/dev/null; then want=lld; elif command -v ld.gold >/dev/null; then want=gold; else want=default; fi
[[ $(linked_by) == "$want" ]] || fail "linked by $(linked_by), expected $want"
objects >"$work/before.txt"
cmake -S "$project" -B "$work/build" -DAURIC_MIGRATIONS_LINKER=default >/dev/null
cmake --build "$work/build" -j2 >"$work/build4.out" 2>&1 || { cat "$work/build4.out"; fail "default linker"; }
[[ $(linked_by) == default ]] || fail "AURIC_MIGRATIONS_LINKER=default: linked by $(linked_by)"
objects >"$work/after.txt"
[[ -z $(comm -13 "$work/before.txt" "$work/after.txt") ]] || fail "changing the linker recompiled objects"
"$bin" list | grep -q 20250104000000_fourth || fail "the default-linked binary lacks a migration"
if cmake -S "$project" -B "$work/build" -DAURIC_MIGRATIONS_LINKER=mold >"$work/bad.out" 2>&1; then
  fail "AURIC_MIGRATIONS_LINKER=mold was accepted"
fi
grep -q "must be auto, lld, gold or default" "$work/bad.out" || { cat "$work/bad.out"; fail "no message for a bad linker"; }
echo "rebuild ($generator${cxx:+, $cxx}): OK"
