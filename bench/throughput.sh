#!/usr/bin/env bash
# Throughput of avis's text stages against `wc -w`, on the same file in the
# same run.
#
#   bench/throughput.sh [BENCH_PIPELINE [CORPUS.jsonl.gz [REPETITIONS]]]
#
# The corpus is OrangeSum (one JSON object per line with title, heading and
# article); each article becomes one line of a temporary text file, outside
# the repository. Each tool runs REPETITIONS times (default 5) and its best
# time counts, which filters out a busy machine. `wc -w` runs in the
# current locale and in the C locale: with a UTF-8 locale it decodes
# characters as avis does, in the C locale it only looks at bytes.
# `bench_pipeline --general` runs the same stages without the tokeniser's
# shortcut for common words (same tokens, more work): the difference is
# what the shortcut saves. Without the corpus, the script says so and
# exits 0.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bench=${1:-$here/../build/bench/bench_pipeline}
corpus=${2:-$here/../../shared/data/topics/orangesum.jsonl.gz}
reps=${3:-5}

if [ ! -f "$corpus" ]; then
  echo "throughput: skipped, no corpus at $corpus"
  exit 0
fi
if [ ! -x "$bench" ]; then
  echo "throughput: $bench not found; build the bench_pipeline target" >&2
  exit 1
fi

text=$(mktemp "${TMPDIR:-/tmp}/avis-throughput.XXXXXX")
trap 'rm -f "$text"' EXIT

python3 - "$corpus" "$text" <<'EOF'
import gzip, json, sys

with gzip.open(sys.argv[1], "rt", encoding="utf-8") as src, \
        open(sys.argv[2], "w", encoding="utf-8") as dst:
    for line in src:
        doc = json.loads(line)
        parts = (doc.get(k) or "" for k in ("title", "heading", "article"))
        dst.write(" ".join(p.replace("\n", " ") for p in parts) + "\n")
EOF

bytes=$(wc -c < "$text")

# Best wall-clock time, in seconds, of REPETITIONS runs of a command.
best_time() {
  local best="" t
  for ((i = 0; i < reps; i++)); do
    t=$( { TIMEFORMAT=%R; time "$@" < "$text" > /dev/null; } 2>&1 )
    if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'
    then
      best=$t
    fi
  done
  echo "$best"
}

mbps() { awk -v b="$bytes" -v t="$1" 'BEGIN { printf "%.1f", b / t / 1e6 }'; }

wc_utf8=$(best_time wc -w)
wc_c=$(best_time env LC_ALL=C wc -w)
avis=$(best_time "$bench")
general=$(best_time "$bench" --general)

row() { printf '%-28s %8ss %10s MB/s\n' "$1" "$2" "$(mbps "$2")"; }

echo "corpus: $(wc -l < "$text") documents, $bytes bytes, best of $reps runs;" \
     "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
row "wc -w (${LC_ALL:-${LANG:-C}})" "$wc_utf8"
row "wc -w (C)" "$wc_c"
row "bench_pipeline" "$avis"
row "bench_pipeline --general" "$general"
awk -v a="$avis" -v w="$wc_utf8" -v c="$wc_c" 'BEGIN {
  printf "ratio pipeline / wc -w: %.2f (locale), %.2f (C); goal >= 0.25\n",
         w / a, c / a }'
echo "stages of the last run:"
"$bench" "$text" | sed 's/^/  /'
