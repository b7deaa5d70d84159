# Usage: bash completion_coverage.bash CNNSHAPE_BINARY COMPLETIONS_DIR
bin=$1
dir=$2
fail=0
commands=$("$bin" --help | sed -n '/^Subcommands:$/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
[ -n "$commands" ] || { echo "no subcommands found in cnnshape --help"; exit 1; }
for c in $commands; do
  # Each shell's part for the command: bash's opts line, zsh's case branch, fish's "# c" block.
  bash_part=$(grep -E "^    $c\) opts=" "$dir/cnnshape.bash")
  zsh_part=$(sed -n "/^  $c)\$/,/;;/p" "$dir/_cnnshape")
  fish_part=$(sed -n "/^# $c\$/,/^\$/p" "$dir/cnnshape.fish")
  grep -q "^ *\"$c:" "$dir/_cnnshape" || { echo "_cnnshape does not offer the command $c"; fail=1; }
  grep -q -- "-a $c " "$dir/cnnshape.fish" || { echo "cnnshape.fish does not offer the command $c"; fail=1; }
  [ -n "$bash_part" ] || { echo "cnnshape.bash has no options for $c"; fail=1; }
  [ -n "$zsh_part" ] || { echo "_cnnshape has no branch for $c"; fail=1; }
  options=$("$bin" "$c" --help | sed -n '/^Options:$/,/^$/p' | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)
  for o in $options; do
    [ "$o" = --help ] && continue
    grep -qE -- "(\"| )$o( |\")" <<<"$bash_part" || { echo "cnnshape.bash: $c lacks $o"; fail=1; }
    grep -qF -- "$o" <<<"$zsh_part" || { echo "_cnnshape: $c lacks $o"; fail=1; }
    [ "$c" = layers ] || grep -qE -- "-l ${o#--} " <<<"$fish_part" || { echo "cnnshape.fish: $c lacks $o"; fail=1; }
  done
done
exit $fail
