#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (unit and
# integration tests against the real opscaled, CLI and curl).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
# Unit tests under ASan+UBSan and TSan, and a 30-second run of each fuzz
# target (separate clang trees build-asan/ and build-tsan/). First, so that
# the last line stays the main suite's ctest summary; a failure stops here.
bash scripts/sanitize.sh
# Integration tests start servers on 127.0.0.1 port 0; they can run in parallel.
ctest --test-dir build --output-on-failure -j "$(nproc)" --timeout 600
