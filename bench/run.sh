#!/usr/bin/env bash
# Build cnnshape in Release (if needed) and run the planning-speed benchmark from the repo root.
#   bench/run.sh                 # default runs
#   bench/run.sh --runs 100      # extra arguments go to cnnshape_bench_plan
# BUILD_DIR (default: build) picks the build directory. Exit status: 0 all targets met,
# 1 a target missed, 2 a run failed.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
build="${BUILD_DIR:-build}"

build_type=""
if [[ -f "$build/CMakeCache.txt" ]]; then
    build_type="$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")"
fi
if [[ "$build_type" != "Release" || ! -x "$build/bench/cnnshape_bench_plan" ]]; then
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCNNSHAPE_BUILD_BENCH=ON
fi
# Always let the build system bring the binaries up to date (a no-op when they are).
cmake --build "$build" -j2 --target cnnshape cnnshape_bench_plan

exec "$build/bench/cnnshape_bench_plan" --cnnshape "$build/cnnshape" --repo "$repo" "$@"
