#!/usr/bin/env bash
# Builds and runs the sanitizer trees (cmake/sanitizers.cmake); scripts/test.sh
# runs it before the main suite. Usage: scripts/sanitize.sh [asan] [tsan] [fuzz]
# (default: all three).
#   build-asan/  clang, ASan + UBSan: unit tests, and the libFuzzer targets
#                (fuzz/), each run for OPSCALE_FUZZ_SECONDS (30) from its seeds
#   build-tsan/  clang, TSan: the unit tests that run threads
# Any sanitizer report fails its test: ASan and TSan halt on the first error,
# UBSan aborts (-fno-sanitize-recover), leaks fail ASan runs at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(asan tsan fuzz)
want() { [[ " ${steps[*]} " == *" $1 "* ]]; }
jobs="$(nproc)"

# Unit tests per tree (opscale_test names; why these: fuzz/README.md). Left
# out everywhere: engine_test, mysql_proxy_test (their work is in the
# uninstrumented mariadbd and libmariadb), cli_test (output formatting;
# the CLI's parsers are fuzzed).
ASAN_TESTS="common_test;domain_test;auth_test;router_test;request_bodies_test;storage_test;service_test;index_agreement_test;metadata_cache_test;http_server_test;tunnel_test"
TSAN_TESTS="storage_test;http_server_test;tunnel_test"

configure() {  # dir, cmake args...
  local dir=$1
  shift
  CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
}

export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/fuzz/tsan.supp"

if want asan || want fuzz; then
  configure build-asan -DOPSCALE_SANITIZER=address -DOPSCALE_FUZZ=ON "-DOPSCALE_SANITIZER_TESTS=$ASAN_TESTS"
  cmake --build build-asan -j "$jobs" --target opscale_sanitized
fi
if want tsan; then
  configure build-tsan -DOPSCALE_SANITIZER=thread "-DOPSCALE_SANITIZER_TESTS=$TSAN_TESTS"
  cmake --build build-tsan -j "$jobs" --target opscale_sanitized
fi
if want asan; then
  echo "sanitize: unit tests under ASan + UBSan"
  ctest --test-dir build-asan -L sanitized -LE postgres --output-on-failure -j "$jobs" --timeout 600
fi
if want tsan; then
  echo "sanitize: unit tests under TSan"
  ctest --test-dir build-tsan -L sanitized -LE postgres --output-on-failure -j "$jobs" --timeout 600
fi
if want fuzz; then
  echo "sanitize: fuzz targets (fuzz/README.md for longer runs)"
  ctest --test-dir build-asan -L fuzz --output-on-failure -j 2
fi
