#!/bin/sh
# Start-up cost: `analyze` on one short article as a fresh process, beside
# `cat` of the same file, in the same run. Each command runs RUNS times in
# a row (default 200) from a shell loop; the figure is the mean wall time of
# one run. The default topic model and lexicon are mapped, not parsed, so a
# whole run should take a few milliseconds.
#
#   bench/startup.sh [AVIS] [RUNS]
#
# AVIS defaults to build/cli/avis. Needs nothing but the repository.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
avis=${1:-$root/build/cli/avis}
runs=${2:-200}
article="$root/examples/articles/post-reseau-social.txt"

if [ ! -x "$avis" ]; then
  echo "startup: $avis not built" >&2
  exit 1
fi

# now: nanoseconds since the epoch (GNU date).
now() { date +%s%N; }

# per_run LABEL COMMAND...: mean milliseconds of one run of COMMAND.
per_run() {
  label=$1
  shift
  "$@" >/dev/null # warm the page cache
  start=$(now)
  i=0
  while [ "$i" -lt "$runs" ]; do
    "$@" >/dev/null
    i=$((i + 1))
  done
  end=$(now)
  awk -v l="$label" -v s="$start" -v e="$end" -v n="$runs" \
    'BEGIN { printf "%s %.3f\n", l, (e - s) / n / 1e6 }'
}

echo "startup: $(wc -c <"$article") bytes, $runs runs each;" \
     "load average $(cut -d' ' -f1-3 /proc/loadavg)"
{
  per_run cat cat "$article"
  per_run text "$avis" analyze "$article"
  per_run json "$avis" analyze --json "$article"
  per_run lda "$avis" analyze --json --lda "$root/models/lda-news-fr.lda" "$article"
} >"${TMPDIR:-/tmp}/avis-startup.$$"
awk '
  $1 == "cat" { cat = $2 }
  { ms[NR] = $2; name[NR] = $1 }
  END {
    print "| command | ms per run | runs of cat in the same time |"
    print "|---|---|---|"
    label["cat"] = "cat FILE"
    label["text"] = "analyze FILE (text report)"
    label["json"] = "analyze --json FILE"
    label["lda"] = "analyze --json --lda MODEL FILE"
    for (i = 1; i <= NR; i++)
      printf "| %s | %.2f | %.1f |\n", label[name[i]], ms[i], ms[i] / cat
  }' "${TMPDIR:-/tmp}/avis-startup.$$"
rm -f "${TMPDIR:-/tmp}/avis-startup.$$"
# Peak memory of one run, for the record.
/usr/bin/time -f "analyze FILE: peak memory %M kB" "$avis" analyze "$article" >/dev/null
