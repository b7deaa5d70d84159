# Usage: bash install_layout.bash BUILD_DIR
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$1" --prefix "$prefix" >/dev/null || exit 1
fail=0
for f in bin/cnnshape share/man/man1/cnnshape.1 share/bash-completion/completions/cnnshape \
         share/zsh/site-functions/_cnnshape share/fish/vendor_completions.d/cnnshape.fish; do
  [ -f "$prefix/$f" ] || { echo "cmake --install did not install $f"; fail=1; }
done
exit $fail
