#!/bin/sh
# Linear time on pathological inputs: each case of tests/hostile is timed at
# doubling sizes, and no doubling may multiply the time by more than
# MAX_RATIO (default 2.6: twice, plus room for cache effects and noise).
# Usage: linear_time.sh LINEAR_TIME_BINARY DATA_DIR [STEPS [DIVISOR [CASE...]]]
set -eu
bin=$1
data_dir=$2
shift 2
max=${MAX_RATIO:-2.6}
out=$("$bin" "$data_dir" "$@")
echo "$out"
worst=$(echo "$out" | sed -n 's/^worst ratio: //p')
if awk -v w="$worst" -v m="$max" 'BEGIN { exit !(w > m) }'; then
  echo "FAIL: a doubled input took ${worst} times as long (limit ${max})"
  exit 1
fi
echo "ok: every doubling at most x${worst} (limit x${max})"
