#!/usr/bin/env bash
# Installs every Debian package opscale needs to build, run and test, and
# the browser tests' npm package (playwright-core, pinned in
# tests/e2e/package-lock.json; it drives Debian's Chromium, never a
# downloaded browser). Idempotent: installs only what is missing. Needs root
# (or sudo) for apt.
set -euo pipefail

PKGS=(
  build-essential cmake ninja-build ccache pkg-config
  # clang and its sanitizer and libFuzzer runtimes (scripts/sanitize.sh)
  clang libclang-rt-14-dev
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libcurl4-openssl-dev libcli11-dev libfmt-dev libspdlog-dev
  libsqlite3-dev sqlite3 libssl-dev libsodium-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libmariadb-dev mariadb-server mariadb-client
  libpq-dev postgresql-15
  curl ca-certificates jq
  wrk nginx sysbench socat
  chromium fonts-liberation fonts-dejavu-core
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node.js >= 20 comes with the machine; Debian's nodejs (18) is the fallback.
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs npm); fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
else
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

E2E="$(cd "$(dirname "$0")/.." && pwd)/tests/e2e"
if [ ! -f "$E2E/node_modules/playwright-core/package.json" ] ||
   [ "$E2E/package-lock.json" -nt "$E2E/node_modules/.package-lock.json" ]; then
  echo "install-deps: npm ci in tests/e2e"
  (cd "$E2E" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
echo "install-deps: done"
