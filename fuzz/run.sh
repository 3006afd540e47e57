#!/bin/sh
# Runs every libFuzzer target of a fuzz build for SECONDS each, one after
# the other, starting from the seed corpus. New inputs are kept in
# BUILD/corpus/TARGET, crashes in BUILD/crash/TARGET; the final statistics
# (executions, cov, ft) are printed per target.
# Usage: fuzz/run.sh BUILD SECONDS [TARGET...]
set -eu
build=$1
seconds=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
targets=${*:-analyze lexicon model jsonl jsonl_fast dataimage}
status=0
for t in $targets; do
  mkdir -p "$build/corpus/$t" "$build/crash/$t"
  dict=""
  [ -f "$here/$t.dict" ] && dict="-dict=$here/$t.dict"
  # shellcheck disable=SC2086
  if ! "$build/fuzz/fuzz_$t" "$build/corpus/$t" "$here/corpus/$t" $dict \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2560 \
      -print_final_stats=1 -artifact_prefix="$build/crash/$t/" \
      >"$build/fuzz-$t.log" 2>&1; then
    echo "$t: FAILED, see $build/fuzz-$t.log and $build/crash/$t/"
    status=1
  fi
  echo "$t: $(grep -E '^#[0-9]+.*DONE' "$build/fuzz-$t.log" | tail -n 1)"
done
exit $status
