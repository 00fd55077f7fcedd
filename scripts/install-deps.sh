#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need. Idempotent: packages already
# present are skipped, and apt is only touched when something is missing.
# Works as root or through sudo. Usage: scripts/install-deps.sh [--with-test-tools]
set -euo pipefail

build_pkgs=(
  build-essential cmake pkg-config git
  libcurl4-openssl-dev libssl-dev nlohmann-json3-dev libsqlite3-dev libcli11-dev
  libtomlplusplus-dev libfmt-dev libcpp-httplib-dev libarchive-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  nodejs npm zip unzip lld
)
test_pkgs=(clang-format clang-tidy chromium sqlite3 tmux python3 clang-14 libclang-rt-14-dev gcovr)

want=("${build_pkgs[@]}")
if [[ "${1:-}" == "--with-test-tools" ]]; then want+=("${test_pkgs[@]}"); fi

missing=()
for p in "${want[@]}"; do
  # nodejs/npm may come from outside Debian (a preinstalled toolchain); accept the commands.
  case "$p" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "[deps] all ${#want[@]} packages present"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "[deps] need root or sudo to install: ${missing[*]}" >&2; exit 2; }
  SUDO="sudo"
fi
echo "[deps] installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
