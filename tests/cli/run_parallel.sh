#!/bin/bash
# A corpus through GNU parallel (`parallel --pipe`, as docs/batch.md shows)
# must give the same records as one `analyze --stream` process, record for
# record. Exits 77 (skipped) when GNU parallel is not installed.
# Usage: run_parallel.sh ANALYZE
set -u
analyze=$1
if ! parallel --version 2>/dev/null | grep -q 'GNU parallel'; then
  echo "ok - parallel # SKIP GNU parallel is not installed (scripts/install-deps.sh)"
  exit 77
fi
. "$(dirname "$0")/harness.sh"

for ((i = 1; i <= 700; i++)); do
  printf '{"id":%d,"text":"%s","lang":"fr"}\n' "$i" "$(doc_text "$i")"
done >"$tmp/corpus.jsonl"

"$analyze" --stream -q -j1 <"$tmp/corpus.jsonl" >"$tmp/single.jsonl" 2>"$tmp/single.err"
[ $? -eq 0 ] && [ ! -s "$tmp/single.err" ] && [ "$(wc -l <"$tmp/single.jsonl")" -eq 700 ] &&
  ok "single process: 700 records" || not_ok "single process" "$tmp/single.err"

# Local: blocks of about 20 kB (several per job slot), output kept in order.
parallel --pipe --block 20k -j2 -k --joblog "$tmp/jobs" -q "$analyze" --stream -q -j1 \
  <"$tmp/corpus.jsonl" >"$tmp/parallel.jsonl" 2>"$tmp/parallel.err"
status=$?
jobs=$(($(wc -l <"$tmp/jobs") - 1))
[ $status -eq 0 ] && [ ! -s "$tmp/parallel.err" ] && [ "$jobs" -ge 3 ] &&
  ok "parallel --pipe -j2 -k: exit 0, $jobs jobs" || not_ok "parallel --pipe: exit $status, $jobs jobs" "$tmp/parallel.err"
same "parallel --pipe -j2 -k equals the single run, record for record" "$tmp/single.jsonl" "$tmp/parallel.jsonl"

# Without -k records come back in any order: the same set of records.
parallel --pipe -N 50 -j2 -q "$analyze" --stream -q \
  <"$tmp/corpus.jsonl" 2>"$tmp/unordered.err" | sort >"$tmp/unordered.jsonl"
sort "$tmp/single.jsonl" >"$tmp/single.sorted"
same "parallel --pipe -N 50 without -k: the same records" "$tmp/single.sorted" "$tmp/unordered.jsonl"

# The --sshlogin form of docs/batch.md, with ':' (this machine) as the login.
parallel --pipe --block 20k -S 2/: -k -q "$analyze" --stream -q \
  <"$tmp/corpus.jsonl" >"$tmp/sshlogin.jsonl" 2>"$tmp/sshlogin.err"
same "parallel --pipe -S 2/: equals the single run" "$tmp/single.jsonl" "$tmp/sshlogin.jsonl"

finish
