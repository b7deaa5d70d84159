# Usage: bash manpage_groff.bash GROFF PAGE
warnings=$("$1" -man -Tutf8 -ww -z "$2" 2>&1)
[ -z "$warnings" ] || { echo "$warnings"; exit 1; }
