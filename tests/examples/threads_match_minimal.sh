#!/bin/sh
# The multi-threaded example gives, for every file and whatever its number
# of threads, the line the minimal example gives for that file alone.
# Usage: threads_match_minimal.sh THREADS MINIMAL ARTICLES_DIR
set -eu
threads=$1 minimal=$2 dir=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Every article, several times over, so that threads share the work.
set --
for _ in 1 2 3 4; do
  for f in "$dir"/*.txt; do set -- "$@" "$f"; done
done
for f in "$@"; do "$minimal" "$f"; done > "$tmp/expected"
[ -s "$tmp/expected" ] || { echo "minimal printed nothing" >&2; exit 1; }

status=0
for n in 1 2 4 8; do
  "$threads" "$n" "$@" > "$tmp/got.$n"
  if ! cmp -s "$tmp/expected" "$tmp/got.$n"; then
    echo "threads $n differs from minimal:" >&2
    diff "$tmp/expected" "$tmp/got.$n" >&2 || true
    status=1
  fi
done

# A missing file is reported, the others still analysed, the status 1.
if "$threads" 2 "$dir/critique-film-positive.txt" "$tmp/missing.txt" \
     > "$tmp/partial" 2> "$tmp/partial.err"; then
  echo "threads: a missing file did not fail the run" >&2
  status=1
fi
grep -q "missing.txt" "$tmp/partial.err" || { echo "missing file not named" >&2; status=1; }
grep -q "critique-film-positive.txt	positive" "$tmp/partial" ||
  { echo "the readable file was not analysed" >&2; status=1; }

[ $status -eq 0 ] && echo "threads: $(wc -l < "$tmp/expected") files, same results with 1, 2, 4 and 8 threads"
exit $status
