#!/usr/bin/env bash
# Kernel speed against PyTorch, side by side in one run: builds cnnshape_bench_kernels (Release),
# times the same cases in PyTorch with bench/torch_bench.py (when /usr/bin/python3 can import
# torch), then prints cnnshape's figures next to PyTorch's, at 1 and 2 threads.
#   bench/run_speed.sh                      # all cases
#   bench/run_speed.sh --case conv3x3_64    # extra arguments go to both benchmarks
# BUILD_DIR (default: build) picks the build directory; THREADS (default 1,2) the thread counts;
# ROUNDS=N (default 0) times PyTorch again, live, in N rounds alternating with cnnshape's for each
# case (--interleave N), so both medians come from the same minutes of the machine (slower: one
# PyTorch start per round; use it with --case). PROBE=1 adds --probe (bench/README.md, stop 22).
# Exit status: 0 all targets met, 1 a target missed, 2 a run failed.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
build="${BUILD_DIR:-build}"
threads="${THREADS:-1,2}"

build_type=""
if [[ -f "$build/CMakeCache.txt" ]]; then
    build_type="$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")"
fi
if [[ "$build_type" != "Release" || ! -x "$build/bench/cnnshape_bench_kernels" ]]; then
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCNNSHAPE_BUILD_BENCH=ON
fi
cmake --build "$build" -j2 --target cnnshape_bench_kernels

echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
torch_json=""
if /usr/bin/python3 -c "import torch" 2>/dev/null; then
    torch_json="$(mktemp)"
    trap 'rm -f "$torch_json"' EXIT
    # glibc otherwise hands PyTorch's large buffers back to the OS after every call and
    # page-faults them in again on the next one, which is not what a long-running process sees.
    GLIBC_TUNABLES=glibc.malloc.mmap_threshold=2147483647:glibc.malloc.trim_threshold=2147483647 \
        /usr/bin/python3 bench/torch_bench.py --threads "$threads" "$@" >"$torch_json" || exit 2
else
    echo "PyTorch is not importable by /usr/bin/python3: cnnshape figures only"
fi

status=0
extra=()
if [[ "${ROUNDS:-0}" != 0 && -n "$torch_json" ]]; then extra+=(--interleave "$ROUNDS"); fi
if [[ -n "${PROBE:-}" ]]; then extra+=(--probe); fi
"$build/bench/cnnshape_bench_kernels" --threads "$threads" ${torch_json:+--torch "$torch_json"} \
    "${extra[@]}" "$@" || status=$?
exit "$status"
