#!/bin/sh
# Installs the build into a temporary prefix and uses it as an embedding
# project would: the files are where they belong, examples/minimal.c (which
# includes avis.h alone) builds with pkg-config and with find_package(avis),
# and runs without being told where the data is; the training API is in
# its own installed header, and only there; the installed `analyze` works;
# the installed Python package analyses a text with nothing but PYTHONPATH
# set; the tree still works once moved elsewhere.
# Usage: install_tree.sh CMAKE CC BUILD_DIR SOURCE_DIR LIBDIR [CFLAGS
#                        [PYTHON PYTHONDIR]]
# (CFLAGS: the sanitizers the library was built with, if any; PYTHON: the
# interpreter to run the installed package with, empty to skip that;
# PYTHONDIR: where the package is installed, relative to the prefix)
set -eu
cmake=$1 cc=$2 build=$3 source=$4 libdir=$5 cflags=${6:-}
python=${7:-} pythondir=${8:-}
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

for f in include/avis.h include/avis_train.h \
         "$libdir/libavis.so.0" "$libdir/libavis.a" \
         "$libdir/pkgconfig/avis.pc" "$libdir/cmake/avis/avisConfig.cmake" \
         "$libdir/cmake/avis/avisConfigVersion.cmake" \
         share/avis/lexicons/fr-polarity.tsv share/avis/lexicons/modifiers.tsv \
         share/avis/lexicons/stopwords-fr.txt \
         share/man/man1/avis.1 share/man/man1/analyze.1 bin/avis; do
  check "installed $f" test -s "$prefix/$f"
done
check "bin/analyze is a link to avis" test "$(readlink "$prefix/bin/analyze")" = avis
case $pythondir in
  /*) pythondir= ;; # an absolute directory is outside a temporary prefix
  ?*) for f in "$pythondir/avis/__init__.py" "$pythondir/avis/_paths.py"; do
        check "installed $f" test -s "$prefix/$f"
      done ;;
esac
if command -v man > /dev/null; then
  check "man analyze finds the page" env MANPATH="$prefix/share/man" man -w analyze
fi

# pkg-config.
export PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig"
check "pkg-config knows avis" pkg-config --exists avis
check "pkg-config datadir is the installed data" \
  test "$(pkg-config --variable=datadir avis)" -ef "$prefix/share/avis"
# shellcheck disable=SC2046,SC2086
check "minimal.c, with avis.h alone, builds with pkg-config" \
  "$cc" -std=c11 -Wall -Wextra -pedantic -Werror $cflags "$source/examples/minimal.c" \
  $(pkg-config --cflags --libs avis) -Wl,-rpath,"$prefix/$libdir" -o "$work/minimal_pc"
"$work/minimal_pc" "$article" > "$work/pc.out" 2>&1 || true
check "it finds the installed data by itself" positive "$work/pc.out"
AVIS_DATA_DIR=$work/nowhere "$work/minimal_pc" "$article" > "$work/env.out" 2>&1 || true
check "AVIS_DATA_DIR overrides it" grep -q "$work/nowhere/lexicons" "$work/env.out"

# The training API: usable from its installed header, absent from avis.h.
cat > "$work/train.c" << 'EOF'
#include <avis_train.h>
int main(void) {
  avis_train_options *opts = NULL;
  int rc = avis_train_options_new(&opts, AVIS_CLASSIFIER_TOPICS);
  avis_train_options_free(opts);
  return rc == AVIS_OK && avis_version_number() == AVIS_VERSION_NUMBER ? 0 : 1;
}
EOF
sed 's/avis_train\.h/avis.h/' "$work/train.c" > "$work/train_without.c"
# shellcheck disable=SC2046,SC2086
check "a program using avis_train.h builds with pkg-config" \
  "$cc" -std=c11 -Wall -Wextra -pedantic -Werror $cflags "$work/train.c" \
  $(pkg-config --cflags --libs avis) -Wl,-rpath,"$prefix/$libdir" -o "$work/train"
check "and runs" "$work/train"
# shellcheck disable=SC2046,SC2086
if "$cc" -std=c11 -Werror $cflags -c "$work/train_without.c" \
     $(pkg-config --cflags avis) -o "$work/train_without.o" > "$work/without.out" 2>&1; then
  fail "avis.h alone does not declare the training API"
  echo "  train.c compiled with avis.h instead of avis_train.h"
else
  check "avis.h alone does not declare the training API" \
    grep -q "avis_train_options" "$work/without.out"
fi

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

# The Python package with a bare environment: no AVIS_LIBRARY, no
# AVIS_DATA_DIR, no loader path, and on PYTHONPATH only the installed
# package directory. The script comes on standard input, so that its
# directory in the source tree is not on sys.path, and runs in $work, so
# that the current directory holds no avis package either.
installed_python() {
  (cd "$work" && env -i PATH=/usr/bin:/bin PYTHONPATH="$1/$pythondir" \
    "$python" -s - "$1" < "$source/tests/install/installed_python.py")
}
if [ -n "$python" ] && [ -n "$pythondir" ]; then
  check "the installed Python package analyses a text by itself" installed_python "$prefix"
fi

# Moved as a whole, the tree still finds its data (relative to the library,
# and to the Python package).
mv "$prefix" "$work/moved"
LD_LIBRARY_PATH="$work/moved/$libdir" "$work/minimal_pc" "$article" > "$work/moved.out" 2>&1 || true
check "a moved tree still finds its data" positive "$work/moved.out"
if [ -n "$python" ] && [ -n "$pythondir" ]; then
  check "the Python package of a moved tree still works" installed_python "$work/moved"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
