#!/bin/sh
# The manual pages are complete and well formed: every long option that
# `analyze --help` lists is in analyze.1, every command that `avis --help`
# lists is in avis.1, and groff formats both without a warning.
# Usage: man_pages.sh AVIS_PROGRAM MAN_DIR
set -eu
avis=$1 mandir=$2
status=0

# roff writes a hyphen as \-; read the pages with plain hyphens.
plain() { sed 's/\\-/-/g' "$mandir/$1"; }

options=$("$avis" analyze --help | grep -o -- '--[a-z][a-z-]*' | sort -u)
[ -n "$options" ] || { echo "analyze --help lists no option" >&2; exit 1; }
for opt in $options; do
  if ! plain analyze.1 | grep -q -- "$opt\([^a-z-]\|\$\)"; then
    echo "analyze.1 does not document $opt" >&2
    status=1
  fi
done

commands=$("$avis" --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && /^  [a-z]/ { print $1 }')
[ -n "$commands" ] || { echo "avis --help lists no command" >&2; exit 1; }
for cmd in $commands; do
  plain avis.1 | grep -q "^\.B $cmd\b" ||
    { echo "avis.1 does not document the command $cmd" >&2; status=1; }
done

for page in avis.1 analyze.1; do
  warnings=$(groff -man -Tutf8 -ww -z "$mandir/$page" 2>&1)
  [ -z "$warnings" ] || { echo "$page: $warnings" >&2; status=1; }
done

[ $status -eq 0 ] && echo "man pages: $(echo "$options" | wc -w) options and $(echo "$commands" | wc -w) commands documented"
exit $status
