#!/usr/bin/env bash
# The README tour, as written: installs the built project into $HOME/.local/auric (HOME is a
# temporary folder), then runs every command of the README's sh blocks between
# <!-- tour:begin --> and <!-- tour:end --> in one shell from the checkout (the tour copies
# examples/quickstart to ~/quickstart, outside the checkout), each step's output checked below.
# A changed tour fails until the expectations here follow it. The dashboard step runs in the
# background with --no-open --port 0 and is checked over HTTP.
# Usage: readme_tour_test.sh <source dir> <build dir>
set -euo pipefail
src=$1 build=$2
work=$(mktemp -d /tmp/auric-tour-XXXXXX)
dashboard_pid=
cleanup() {
  # `wait` reports the dashboard's SIGTERM (143); under set -e that would become the test's status.
  if [[ -n $dashboard_pid ]]; then
    kill "$dashboard_pid" 2>/dev/null || true
    wait "$dashboard_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
export HOME="$work/home" EDITOR=true
mkdir -p "$HOME" "$work/out"

# What each step must print (an extended regex), in the tour's order; "-" checks only the exit code.
expect=(
  '-'                                                                   # cp -r ... && cd ~/quickstart
  '-'                                                                   # rm -rf build app.db .auric
  'Build files have been written to: .*/quickstart/build'               # cmake -S . -B build
  'Built target quickstart-migrations-tests'                            # cmake --build build
  '-'                                                                   # B=...
  'Pending \(4\)'                                                       # status
  'Migrations run: 20250101090000_create-users, 20250102090000_add-user-roles, 20250103090000_add-display-names, 20250104090000_add-email-index'
  '✓ 20250104090000_add-email-index'                                    # status
  'completed +up +4/4'                                                  # executions
  'seeded roles 2'                                                      # migration add-user-roles
  'would run 2 migration\(s\) down'                                     # down --steps 2 --dry-run
  'Migrations rolled back: 20250104090000_add-email-index, 20250103090000_add-display-names'
  'Migrations run: 20250103090000_add-display-names$'                   # up --to add-display-names
  '"pending": \[\s*$'                                                   # status --json
  '100% tests passed, 0 tests failed out of 4'                          # ctest --test-dir build
  'Created migration: .*/quickstart/migrations/[0-9]{14}_add-orders\.cpp'  # create "add orders"
  '-'                                                                   # $EDITOR ...
  'Built target quickstart-migrations'                                  # cmake --build build
  'Migrations run: 20250104090000_add-email-index, [0-9]{14}_add-orders' # up
  'Dashboard ready: http://127\.0\.0\.1:[0-9]+/'                        # dashboard
)

mapfile -t steps < <(awk '
  /<!-- tour:begin -->/ { on = 1; next }
  /<!-- tour:end -->/ { on = 0 }
  on && /^```sh/ { block = 1; next }
  on && /^```/ { block = 0; next }
  on && block && NF { print }' "$src/README.md")
if [[ ${#steps[@]} -ne ${#expect[@]} ]]; then
  echo "the README tour has ${#steps[@]} steps, this test expects ${#expect[@]}: update readme_tour_test.sh"
  printf '  %s\n' "${steps[@]}"
  exit 1
fi

cmake --install "$build" --prefix "$HOME/.local/auric" >/dev/null

# One shell runs the whole tour (cd and B carry over); each step's output goes to its own file.
{
  echo 'set -uo pipefail'
  for i in "${!steps[@]}"; do
    line=${steps[$i]}
    if [[ $line == '$B dashboard'* ]]; then
      printf '%s --no-open --port 0 >%q 2>&1 &\necho $! >%q\n' "${line%%#*}" "$work/out/$i.out" "$work/dashboard.pid"
      printf 'echo 0 >%q\n' "$work/out/$i.rc"
    else
      printf '{ %s\n} >%q 2>&1\necho $? >%q\n' "$line" "$work/out/$i.out" "$work/out/$i.rc"
      printf '[[ $(cat %q) == 0 ]] || exit 1\n' "$work/out/$i.rc"
    fi
  done
} >"$work/tour.sh"
(cd "$src" && bash "$work/tour.sh") || true

for i in "${!steps[@]}"; do
  out="$work/out/$i.out"
  if [[ ! -f "$work/out/$i.rc" ]]; then
    echo "tour step $((i + 1)) did not run: ${steps[$i]}"
    exit 1
  fi
  if [[ $(cat "$work/out/$i.rc") != 0 ]]; then
    echo "tour step $((i + 1)) failed (exit $(cat "$work/out/$i.rc")): ${steps[$i]}"
    tail -40 "$out"
    exit 1
  fi
  pattern=${expect[$i]}
  [[ $pattern == - ]] && continue
  if [[ ${steps[$i]} == '$B dashboard'* ]]; then
    dashboard_pid=$(cat "$work/dashboard.pid")
    for _ in $(seq 100); do grep -qE "$pattern" "$out" && break; sleep 0.1; done
  fi
  if ! grep -qE -- "$pattern" "$out"; then
    echo "tour step $((i + 1)): ${steps[$i]}"
    echo "  expected output matching: $pattern"
    echo "  got:"
    sed 's/^/    /' "$out" | tail -40
    exit 1
  fi
  shown=${steps[$i]%%#*}
  echo "ok $((i + 1)): ${shown%"${shown##*[! ]}"}"
done

# The copy is outside the checkout, and the tour left the checkout's example as it was.
test -f "$HOME/quickstart/app.db" || { echo "the tour created no app.db in ~/quickstart"; exit 1; }
# The dashboard serves the five migrations of the copy.
url=$(grep -oE 'http://127\.0\.0\.1:[0-9]+/' "$work/out/$((${#steps[@]} - 1)).out" | head -1)
body=$(curl -fsS "${url}api/migrations")
count=$(grep -o '"id":' <<<"$body" | wc -l)
[[ $count -ge 5 ]] || { echo "GET ${url}api/migrations lists $count migrations, expected 5: $body"; exit 1; }
echo "README tour: OK"
