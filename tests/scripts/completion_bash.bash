# Usage: bash completion_bash.bash COMPLETIONS_DIR   (run in the source tree)
source "$1/cnnshape.bash" || exit 1
failures=0
check() { # check "EXPECTED" WORD...   (the last word is the one being completed)
  local expected=$1
  shift
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _cnnshape
  local got
  got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
  expected=$(printf '%s\n' $expected | sort | tr '\n' ' ')
  if [ "$got" != "$expected" ]; then
    echo "FAIL: '$*' offered '$got', expected '$expected'"
    failures=$((failures + 1))
  fi
}
check "plan explain run solve diff layers --help --version" cnnshape ""
check "plan" cnnshape pl
check "table json csv markdown dot mermaid svg" cnnshape plan --format ""
check "markdown mermaid" cnnshape plan --format = m
check "text json" cnnshape diff -f ""
check "MaxPool1d MaxPool2d MaxPool3d" cnnshape layers MaxP
check "nn.MaxPool1d( nn.MaxPool2d( nn.MaxPool3d(" cnnshape plan --layer nn.MaxP
check "--max-params --max-macs --max-memory" cnnshape plan --max-
check "--exit-code" cnnshape diff --ex
check "ConvTranspose1d ConvTranspose2d ConvTranspose3d" cnnshape solve -l ConvT
check "randn rand" cnnshape run --fill ra
check "" cnnshape plan --max-params ""
check "examples/networks/funnel.json examples/networks/funnel.py" cnnshape diff examples/networks/funnel.
[ "$failures" = 0 ]
