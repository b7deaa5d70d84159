# Loads completions/_cnnshape the way zsh does (fpath + compinit) in an interactive zsh on a
# pseudo-terminal, presses Tab after each command line below and compares the candidates offered.
# Usage: zsh completion_zsh.zsh COMPLETIONS_DIR   (run in the source tree: specs complete as files)
zmodload zsh/zpty || { print "zsh/zpty is missing"; exit 1 }
dir=$1
failures=0
complete_line() {
  zpty z zsh -f -i
  zpty -w z "PROMPT='' RPROMPT=''"
  zpty -w z "fpath=($dir \$fpath) && autoload -U compinit && compinit -u -D"
  zpty -w z 'print -r -- "<loaded>${_comps[cnnshape]}</lo""aded>"'
  # Every candidate the completion offers goes through compadd: print them.
  zpty -w z 'compadd () { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi; typeset -a __hits; builtin compadd -A __hits "$@"; local r=$?; (( $#__hits )) && print -r -l -- "<h""it>"${^__hits}; return r }'
  zpty -w z "zstyle ':completion:*' menu no"
  zpty -w z "$1"$'\t'
  zpty -w z $'\C-e\C-u'
  zpty -w z 'print -r -- "<do""ne>"'
  local out="" line
  local -F deadline=$(( SECONDS + 20 ))
  while (( SECONDS < deadline )); do
    if zpty -rt z line; then
      out+=$line
      [[ $out == *'<done>'* ]] && break
    else
      sleep 0.02
    fi
  done
  zpty -d z
  out=${out//$'\r'/}
  [[ $out == *'<loaded>_cnnshape</loaded>'* ]] || print -r -- "compinit did not register _cnnshape for cnnshape"
  print -r -- ${(j: :)${(f)"$(print -r -- $out | sed -n 's/.*<hit>\(.*\)/\1/p')"}}
}
check() {
  local got=$(complete_line "$1")
  if [[ $got != "$2" ]]; then
    print -r -- "FAIL: '$1' offered '$got', expected '$2'"
    (( failures++ ))
  else
    print -r -- "ok: '$1' -> $got"
  fi
}
check 'cnnshape pl' 'plan'
check 'cnnshape plan --format ' 'table json csv markdown dot mermaid svg'
check 'cnnshape plan --max-m' '--max-macs --max-memory'
check 'cnnshape layers MaxP' 'MaxPool1d MaxPool2d MaxPool3d'
check 'cnnshape plan --layer nn.MaxP' 'nn.MaxPool1d\( nn.MaxPool2d\( nn.MaxPool3d\('
check 'cnnshape diff --e' '--exit-code'
check 'cnnshape solve --layer ConvT' 'ConvTranspose1d ConvTranspose2d ConvTranspose3d'
check 'cnnshape run --backend ' 'ref simd'
check 'cnnshape explain --format ' 'text json'
check 'cnnshape plan examples/networks/funnel.' 'funnel.json funnel.py'
exit $(( failures > 0 ))
