# The layer names the completions offer and the README's layer table documents are exactly the
# layer types the registry has (`cnnshape layers`). tools/gen_completion_layers.sh rewrites the
# completions' lists; the README table is written by hand, one row per layer or family.
# Usage: bash layer_lists.bash CNNSHAPE_BINARY COMPLETIONS_DIR README
bin=$1
dir=$2
readme=$3
fail=0
want=$("$bin" layers | sed -n 's/^\([A-Za-z0-9_]*\)(.*/\1/p' | sort)
[ -n "$want" ] || { echo "cnnshape layers listed no layers"; exit 1; }
compare() { # compare WHAT HINT NAMES...
  local what=$1 hint=$2
  shift 2
  local got
  got=$(printf '%s\n' "$@" | sed '/^$/d' | sort)
  if [ "$got" != "$want" ]; then
    echo "$what differs from 'cnnshape layers' ($hint):"
    diff <(echo "$want") <(echo "$got") | sed -n 's/^</  missing:/p; s/^>/  extra:  /p'
    fail=1
  fi
}
compare "completions/cnnshape.bash" "run tools/gen_completion_layers.sh" $(sed -n 's/^    local layers="\(.*\)"$/\1/p' "$dir/cnnshape.bash")
compare "completions/cnnshape.fish" "run tools/gen_completion_layers.sh" $(sed -n 's/^set -g __cnnshape_layers //p' "$dir/cnnshape.fish")
compare "completions/_cnnshape" "run tools/gen_completion_layers.sh" $(sed -n '/^_cnnshape_layers=(/,/)$/p' "$dir/_cnnshape" |
  sed 's/^_cnnshape_layers=(//; s/)$//')
# README: the first cell of each row of the table under "## Layers". "MaxPool1d/2d/3d" stands for
# MaxPool1d, MaxPool2d and MaxPool3d; "Conv1d, Conv2d" lists two.
documented=$(sed -n '/^## Layers$/,/^## /p' "$readme" | grep '^| [A-Z]' | cut -d'|' -f2 |
  tr ',' '\n' | sed 's/^ *//; s/ *$//' | while read -r cell; do
    base=${cell%%/*}
    echo "$base"
    if [[ $cell == */* ]]; then
      stem=${base%[0-9]d}
      for suffix in $(echo "${cell#*/}" | tr '/' ' '); do echo "$stem$suffix"; done
    fi
  done)
compare "README.md's layer table" "add or remove its rows by hand" $documented
exit $fail
