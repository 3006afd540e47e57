#!/bin/sh
# Linear time on pathological inputs: each case of tests/hostile is timed at
# doubling sizes, and no case may grow by more than MAX_RATIO per doubling
# (geometric mean over its doublings; default 2.6: twice, plus room for
# cache effects and noise, where a quadratic case grows by 4).
# Usage: linear_time.sh LINEAR_TIME_BINARY DATA_DIR [STEPS [DIVISOR [CASE...]]]
set -eu
bin=$1
data_dir=$2
shift 2
max=${MAX_RATIO:-2.6}
out=$("$bin" "$data_dir" "$@")
echo "$out"
worst=$(echo "$out" | sed -n "s/^worst growth per doubling: //p")
if awk -v w="$worst" -v m="$max" 'BEGIN { exit !(w > m) }'; then
  echo "FAIL: doubling an input multiplied its time by ${worst} (limit ${max})"
  exit 1
fi
echo "ok: time grows at most x${worst} per doubling (limit x${max})"
