#!/usr/bin/env bash
# Sets cnnshape up on a fresh Debian 12 machine: installs the missing build dependencies from
# Debian's packages (nothing else is downloaded) and builds an optimized binary in build/.
# Usage: tools/bootstrap.sh            builds the binary only (then: build/cnnshape ...)
#        tools/bootstrap.sh --tests    also the tests and benchmarks (then: ctest --test-dir build)
set -euo pipefail
cd "$(dirname "$0")/.."
target=(--target cnnshape)
what="build/cnnshape"
case "${1:-}" in
  "") ;;
  --tests) target=(); what="build/cnnshape, the tests and the benchmarks" ;;
  *) echo "usage: tools/bootstrap.sh [--tests]" >&2; exit 2 ;;
esac

packages=(cmake g++ make libcli11-dev nlohmann-json3-dev libfmt-dev catch2 libxsimd-dev)
# For the tests only: rsvg-convert renders the SVG pictures; zsh and fish load the completions.
packages+=(librsvg2-bin zsh fish)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p build
# Quiet when it works; the whole log when it does not.
if ! { cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j"$(nproc)" "${target[@]}"; } \
    >build/bootstrap.log 2>&1; then
  cat build/bootstrap.log >&2
  echo "bootstrap: build failed (log above, also in build/bootstrap.log)" >&2
  exit 1
fi
echo "bootstrap: built $what" >&2
