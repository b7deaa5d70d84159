#!/usr/bin/env bash
# Builds the libFuzzer harnesses (fuzz/fuzz_*.cpp) with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer, and fuzzes each target for SECONDS seconds (default 30), starting
# from the committed seed corpus in fuzz/corpus/<target> (and fuzz/<target>.dict, a libFuzzer
# dictionary, when there is one). New inputs go to build-fuzz/corpus;
# a crash, sanitizer report, leak, uncaught exception or hang (>10 s) stops with its input saved
# under build-fuzz/artifacts/ and a non-zero exit. Turn every finding into a regression test.
#   tools/fuzz.sh            # 30 s per target (what CI runs)
#   tools/fuzz.sh 3600       # an hour per target
#   tools/fuzz.sh 600 expr   # one target
#   FUZZ_RUNS=20000 tools/fuzz.sh   # a fixed number of inputs with a fixed seed: repeatable (CI)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
only="${2:-}"

if ! command -v clang++ >/dev/null 2>&1 || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  echo "fuzz: installing clang and its fuzzing runtime" >&2
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends clang libclang-rt-dev >/dev/null
fi

mkdir -p build-fuzz
if ! { cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
         -DCNNSHAPE_FUZZ=ON -DCNNSHAPE_BUILD_TESTS=OFF -DCNNSHAPE_BUILD_BENCH=OFF &&
       cmake --build build-fuzz -j"$(nproc)"; } >build-fuzz/build.log 2>&1; then
  cat build-fuzz/build.log >&2
  echo "fuzz: build failed" >&2
  exit 1
fi

status=0
for exe in build-fuzz/fuzz/fuzz_*; do
  [ -x "$exe" ] || continue
  target="${exe##*/fuzz_}"
  [ -n "$only" ] && [ "$only" != "$target" ] && continue
  mkdir -p "build-fuzz/corpus/$target" build-fuzz/artifacts fuzz/corpus/"$target"
  if [ -n "${FUZZ_RUNS:-}" ]; then echo "fuzz: $target, $FUZZ_RUNS inputs" >&2; else echo "fuzz: $target for ${seconds}s" >&2; fi
  if [ -n "${FUZZ_RUNS:-}" ]; then budget=(-runs="$FUZZ_RUNS" -seed=1); else budget=(-max_total_time="$seconds"); fi
  dict=()
  [ -f "fuzz/$target.dict" ] && dict=(-dict="fuzz/$target.dict")
  if ! "$exe" "${budget[@]}" "${dict[@]}" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=0 -artifact_prefix="build-fuzz/artifacts/$target-" \
        "build-fuzz/corpus/$target" "fuzz/corpus/$target" >"build-fuzz/$target.log" 2>&1; then
    tail -n 40 "build-fuzz/$target.log" >&2
    echo "fuzz: $target found a problem; the input is in build-fuzz/artifacts/" >&2
    status=1
  else
    grep -E "^#[0-9]+.*DONE" "build-fuzz/$target.log" | tail -n 1 >&2 || true
  fi
done
exit "$status"
