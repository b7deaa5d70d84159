#!/usr/bin/env bash
# Writes the layer names that the bash, zsh and fish completions offer from the registry, as
# `cnnshape layers` prints it, so the three lists never drift from what cnnshape supports.
# tests/scripts/layer_lists.bash checks that they are current.
# Usage: tools/gen_completion_layers.sh [BUILD/cnnshape]   (run from anywhere)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-$root/build/cnnshape}"
names=$("$bin" layers | sed -n 's/^\([A-Za-z0-9_]*\)(.*/\1/p' | tr '\n' ' ' | sed 's/ $//')
[ -n "$names" ] || { echo "gen_completion_layers: '$bin layers' listed no layers" >&2; exit 1; }
dir="$root/completions"
# bash: one line.
sed -i "s/^    local layers=\".*\"\$/    local layers=\"$names\"/" "$dir/cnnshape.bash"
# fish: one line.
sed -i "s/^set -g __cnnshape_layers .*\$/set -g __cnnshape_layers $names/" "$dir/cnnshape.fish"
# zsh: _cnnshape_layers=( ... ) over several lines, wrapped at 100 columns.
wrapped=$(echo "_cnnshape_layers=($names)" | fold -s -w 99 | sed 's/ *$//' | sed '2,$s/^/  /')
awk -v repl="$wrapped" '
  /^_cnnshape_layers=\(/ { skipping = 1; print repl }
  skipping { if ($0 ~ /\)$/) skipping = 0; next }
  { print }
' "$dir/_cnnshape" >"$dir/_cnnshape.new"
mv "$dir/_cnnshape.new" "$dir/_cnnshape"
echo "gen_completion_layers: $(wc -w <<<"$names") layers written to completions/" >&2
