#!/bin/sh
# Golden tests of whole reports: every example article is analysed as text
# and as JSON, and the output must equal the stored report byte for byte.
# Usage: run_golden.sh AVIS GOLDEN_DIR EXAMPLES_DIR [--update]
# --update rewrites the stored reports (review the diff before committing).
set -u
avis=$1
golden=$2
examples=$3
update=${4:-}
root=$(cd "$examples/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# Run from the repository root with relative paths, so that the reports do
# not depend on where the checkout lives.
cd "$root" || exit 1
for article in examples/articles/*.txt; do
  name=$(basename "$article" .txt)
  for mode in text json; do
    case $mode in
      text) set -- ;;
      json) set -- --json --pretty --tokens ;;
    esac
    "$avis" analyze --data-dir . "$@" "$article" >"$tmp/out" 2>"$tmp/err"
    status=$?
    expected="$golden/$name.$mode"
    if [ "$update" = "--update" ]; then
      cp "$tmp/out" "$expected"
    fi
    if [ "$status" -ne 0 ]; then
      echo "not ok - $name ($mode): exit $status"; sed 's/^/#   /' "$tmp/err"
      failed=$((failed + 1))
    elif ! diff -u "$expected" "$tmp/out" >"$tmp/diff" 2>&1; then
      echo "not ok - $name ($mode): report differs from $expected"
      head -40 "$tmp/diff" | sed 's/^/#   /'
      failed=$((failed + 1))
    else
      echo "ok - $name ($mode)"
      passed=$((passed + 1))
    fi
  done
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
