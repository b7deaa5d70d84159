#!/usr/bin/env bash
# Builds everything with AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/) and runs the
# whole test suite under them. Any report fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build-asan
if ! { cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCNNSHAPE_SANITIZE=ON \
         -DCNNSHAPE_BUILD_BENCH=OFF && cmake --build build-asan -j"$(nproc)"; } \
       >build-asan/build.log 2>&1; then
  cat build-asan/build.log >&2
  echo "sanitize: build failed" >&2
  exit 1
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir build-asan --output-on-failure
