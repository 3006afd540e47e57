#!/bin/sh
# Installs the build into a temporary prefix and uses it as an embedding
# project would: the files are where they belong, examples/minimal.c builds
# with pkg-config and with find_package(avis), and runs without being told
# where the data is; the installed `analyze` works; the tree still works
# once moved elsewhere.
# Usage: install_tree.sh CMAKE CC BUILD_DIR SOURCE_DIR LIBDIR [CFLAGS]
# (CFLAGS: the sanitizers the library was built with, if any)
set -eu
cmake=$1 cc=$2 build=$3 source=$4 libdir=$5 cflags=${6:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
article=$source/examples/articles/critique-film-positive.txt
unset AVIS_DATA_DIR || true

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
fail() { failed=$((failed + 1)); echo "not ok - $1"; }
check() { name=$1; shift; if "$@" > "$work/out" 2>&1; then ok "$name"; else fail "$name"; sed 's/^/  /' "$work/out"; fi; }
positive() { grep -q "	positive	+0\." "$1"; }

"$cmake" --install "$build" --prefix "$prefix" > "$work/install.log" ||
  { cat "$work/install.log"; exit 1; }

for f in include/avis.h "$libdir/libavis.so.0" "$libdir/libavis.a" \
         "$libdir/pkgconfig/avis.pc" "$libdir/cmake/avis/avisConfig.cmake" \
         "$libdir/cmake/avis/avisConfigVersion.cmake" \
         share/avis/lexicons/fr-polarity.tsv share/avis/lexicons/modifiers.tsv \
         share/avis/lexicons/stopwords-fr.txt \
         share/man/man1/avis.1 share/man/man1/analyze.1 bin/avis; do
  check "installed $f" test -s "$prefix/$f"
done
check "bin/analyze is a link to avis" test "$(readlink "$prefix/bin/analyze")" = avis
if command -v man > /dev/null; then
  check "man analyze finds the page" env MANPATH="$prefix/share/man" man -w analyze
fi

# pkg-config.
export PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig"
check "pkg-config knows avis" pkg-config --exists avis
check "pkg-config datadir is the installed data" \
  test "$(pkg-config --variable=datadir avis)" -ef "$prefix/share/avis"
# shellcheck disable=SC2046,SC2086
check "minimal.c builds with pkg-config" \
  "$cc" -std=c11 -Wall -Wextra -pedantic -Werror $cflags "$source/examples/minimal.c" \
  $(pkg-config --cflags --libs avis) -Wl,-rpath,"$prefix/$libdir" -o "$work/minimal_pc"
"$work/minimal_pc" "$article" > "$work/pc.out" 2>&1 || true
check "it finds the installed data by itself" positive "$work/pc.out"
AVIS_DATA_DIR=$work/nowhere "$work/minimal_pc" "$article" > "$work/env.out" 2>&1 || true
check "AVIS_DATA_DIR overrides it" grep -q "$work/nowhere/lexicons" "$work/env.out"

# find_package(avis).
check "find_package(avis) configures" "$cmake" -S "$source/tests/install/consumer" \
  -B "$work/consumer" -DCMAKE_PREFIX_PATH="$prefix" \
  -DMINIMAL_SOURCE="$source/examples/minimal.c" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_C_FLAGS="$cflags"
check "avis::avis and avis::avis_static link" "$cmake" --build "$work/consumer"
"$work/consumer/minimal_shared" "$article" > "$work/shared.out" 2>&1 || true
check "minimal linked to avis::avis runs" positive "$work/shared.out"
# A static program finds the data beside itself, or at the configured
# prefix: neither holds here, so it is told.
AVIS_DATA_DIR=$prefix/share/avis "$work/consumer/minimal_static" "$article" \
  > "$work/static.out" 2>&1 || true
check "minimal linked to avis::avis_static runs" positive "$work/static.out"
"$prefix/bin/analyze" --json "$article" > "$work/cli.out" 2>&1 || true
check "the installed analyze finds its library and data" \
  grep -q '"label":"positive"' "$work/cli.out"

# Moved as a whole, the tree still finds its data (relative to the library).
mv "$prefix" "$work/moved"
LD_LIBRARY_PATH="$work/moved/$libdir" "$work/minimal_pc" "$article" > "$work/moved.out" 2>&1 || true
check "a moved tree still finds its data" positive "$work/moved.out"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
