#!/usr/bin/env bash
# Throughput of whole `analyze` runs (sentiment and topics, records
# written) over the OrangeSum articles, with -j1 and -j2, beside `wc -w` on
# the same text in the same run; then peak memory for few and many
# documents.
#
#   bench/batch_throughput.sh [ANALYZE [CORPUS.jsonl.gz [REPETITIONS]]]
#
# ANALYZE defaults to build/cli/analyze. The corpus (one JSON object a line
# with title, heading and article) defaults to
# ../shared/data/topics/orangesum.jsonl.gz beside the repository; without
# it the script says so and exits 0. Each article (title, heading and
# article joined, line breaks as spaces) becomes one line of a text file,
# one record of a JSON Lines file and one file of a directory, all in a
# temporary folder. Every timing is the best wall-clock time of
# REPETITIONS runs (default 3), the commands taking turns; the CPU time
# (user + system) of that run is shown beside it, which matters on a busy
# machine. MB/s counts the bytes of the text file in every mode.
#
# Modes:
#   --lines       `analyze --lines` on the text file: one JSON record a line
#   --stream      `analyze --stream` on the JSON Lines file
#   dir jsonl     `analyze DIR`: the walk, one file a document, JSON Lines
#   dir csv       `analyze --format csv DIR`: the same without JSON records
#   --lines --full  `analyze --lines --full`: whole results (drivers,
#                 sentences) rather than document-level records
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
analyze=${1:-$here/../build/cli/analyze}
corpus=${2:-$here/../../shared/data/topics/orangesum.jsonl.gz}
reps=${3:-3}

if [ ! -f "$corpus" ]; then
  echo "batch_throughput: skipped, no corpus at $corpus"
  exit 0
fi
if [ ! -x "$analyze" ]; then
  echo "batch_throughput: $analyze not found; build the avis_cli target" >&2
  exit 1
fi
export AVIS_DATA_DIR=${AVIS_DATA_DIR:-$(cd "$here/.." && pwd)}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/avis-batch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

python3 - "$corpus" "$tmp" <<'EOF'
import gzip, json, os, sys

corpus, out = sys.argv[1], sys.argv[2]
os.makedirs(os.path.join(out, "docs"))
with gzip.open(corpus, "rt", encoding="utf-8") as src, \
        open(os.path.join(out, "text.txt"), "w", encoding="utf-8") as text, \
        open(os.path.join(out, "docs.jsonl"), "w", encoding="utf-8") as jsonl:
    for n, line in enumerate(src, 1):
        doc = json.loads(line)
        body = " ".join((doc.get(k) or "").replace("\n", " ")
                        for k in ("title", "heading", "article"))
        text.write(body + "\n")
        jsonl.write(json.dumps({"id": n, "text": body}, ensure_ascii=False) + "\n")
        folder = os.path.join(out, "docs", "%03d" % (n % 100))
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "%06d.txt" % n), "w", encoding="utf-8") as f:
            f.write(body + "\n")
EOF

text=$tmp/text.txt
bytes=$(wc -c <"$text")
docs=$(wc -l <"$text")

# time_once INPUT COMMAND...: "WALL CPU" of one run.
time_once() {
  local input=$1 line
  shift
  line=$( { TIMEFORMAT='%R %U %S'; time "$@" <"$input" >/dev/null 2>&1; } 2>&1 )
  awk '{ printf "%.3f %.3f", $1, $2 + $3 }' <<<"$line"
}

# Every command runs once a round, REPETITIONS rounds, and keeps its
# fastest run: a burst of load from elsewhere then slows one run of each
# command rather than every run of one, and the ratios to `wc -w` compare
# runs made at the same times.
declare -A wall cpu
names=()
declare -A cmdline
add() { # add NAME INPUT COMMAND...
  names+=("$1")
  cmdline[$1]=$(printf '%q ' "${@:2}")
}
measure_all() {
  local name t
  for ((round = 0; round < reps; round++)); do
    for name in "${names[@]}"; do
      t=$(eval "time_once ${cmdline[$name]}")
      if [ -z "${wall[$name]:-}" ] ||
         awk -v a="${t% *}" -v b="${wall[$name]}" 'BEGIN { exit !(a < b) }'; then
        wall[$name]=${t% *}
        cpu[$name]=${t#* }
      fi
    done
  done
}

row() {
  awk -v n="$1" -v w="${wall[$1]}" -v c="${cpu[$1]}" -v b="$bytes" -v d="$docs" \
      -v wc="${wall[wc-w]}" 'BEGIN {
    printf "%-26s %8.2fs %8.2fs %9.1f %9.0f %10.3f\n",
           n, w, c, b / w / 1e6, d / w, wc / w }'
}

echo "corpus: $docs documents, $bytes bytes of text; $(nproc) cores," \
     "load average $(cut -d' ' -f1-3 /proc/loadavg); best of $reps runs"
add "wc-w" "$text" wc -w
add "wc-w (C locale)" "$text" env LC_ALL=C wc -w
# What reading the directory's files costs on this machine, before any
# analysis: the floor of the directory modes.
add "cat every file" /dev/null find "$tmp/docs" -type f -exec cat {} +
for j in 1 2; do
  add "--lines -j$j" "$text" "$analyze" --lines -q -j$j
  add "--stream -j$j" "$tmp/docs.jsonl" "$analyze" --stream -q -j$j
  add "dir jsonl -j$j" /dev/null "$analyze" -q -j$j -o /dev/null "$tmp/docs"
  add "dir csv -j$j" /dev/null "$analyze" -q -j$j --format csv -o /dev/null "$tmp/docs"
  add "--lines --full -j$j" "$text" "$analyze" --lines --full -q -j$j
done
measure_all

printf '%-26s %9s %9s %9s %9s %10s\n' "" "wall" "cpu" "MB/s" "docs/s" "/ wc -w"
for name in "wc-w" "wc-w (C locale)" "cat every file" "--lines -j1" "--lines -j2" "--stream -j1" \
            "--stream -j2" "dir jsonl -j1" "dir jsonl -j2" "dir csv -j1" "dir csv -j2" \
            "--lines --full -j1" "--lines --full -j2"; do
  row "$name"
done
echo
for mode in "--lines" "--stream" "dir jsonl" "dir csv" "--lines --full"; do
  awk -v m="$mode" -v a="${wall[$mode -j1]}" -v b="${wall[$mode -j2]}" \
      -v w="${wall[wc-w]}" 'BEGIN {
    printf "%-10s -j1 / wc -w: %.3f (goal >= 0.25)   -j2 speed-up over -j1: %.2fx (goal >= 1.8)\n",
           m, w / a, a / b }'
done

# Peak memory: the same run over 1,000 and over 100,000 documents must use
# about the same memory.
if [ -x /usr/bin/time ]; then
  echo
  echo "peak memory (maximum resident set size):"
  head -n 1000 "$tmp/docs.jsonl" >"$tmp/1k.jsonl"
  # sed reads to the end, where head would stop its writer with SIGPIPE.
  for ((n = 0; n < 100000; n += docs)); do cat "$tmp/docs.jsonl"; done |
    sed -n '1,100000p' >"$tmp/100k.jsonl"
  for input in 1k 100k; do
    kb=$( { /usr/bin/time -f %M "$analyze" --stream -q -j2 <"$tmp/$input.jsonl" >/dev/null; } 2>&1 )
    printf '  --stream -j2, %-6s documents: %6d MB\n' "${input/k/,000}" $((kb / 1024))
  done
  mkdir -p "$tmp/few"
  cp -r "$tmp/docs/000" "$tmp/docs/001" "$tmp/docs/002" "$tmp/few/"
  for dir in few docs; do
    files=$(find "$tmp/$dir" -type f | wc -l)
    kb=$( { /usr/bin/time -f %M "$analyze" -q -j2 -o /dev/null "$tmp/$dir" >/dev/null; } 2>&1 )
    printf '  DIR -j2, %6d files:            %6d MB\n' "$files" $((kb / 1024))
  done
fi
