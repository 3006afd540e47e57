#!/bin/sh
# Whole-analysis throughput of avis beside Pattern's sentiment(), on the
# same news texts in the same run.
#
#   bench/sentiment_throughput.sh EVAL_SENTIMENT [DOCUMENTS]
#
# AVIS (environment) is the avis program for the command-line runs;
# it defaults to cli/avis beside EVAL_SENTIMENT's directory.
#
# EVAL_SENTIMENT is the bench/eval_sentiment program. The texts are the
# first DOCUMENTS (default 3000) articles of OrangeSum
# (../shared/data/topics/orangesum.jsonl.gz beside the repository, or
# $ORANGESUM), title, heading and article joined. avis runs the full
# analysis (decoding, tokenising, normalising, stemming, sentiment) and is
# timed without its model load; Pattern runs pattern.fr.sentiment(). The
# script skips cleanly, exit status 0, when the data or Pattern is absent.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
bin=${1:?usage: sentiment_throughput.sh EVAL_SENTIMENT [DOCUMENTS]}
docs=${2:-3000}
corpus=${ORANGESUM:-$repo/../shared/data/topics/orangesum.jsonl.gz}
python=/usr/bin/python3

if [ ! -f "$corpus" ]; then
  echo "sentiment_throughput: $corpus absent, skipped"
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# One document a line, as "<TAB>text", the input eval_sentiment reads.
"$python" - "$corpus" "$docs" "$tmp/texts.tsv" <<'EOF'
import gzip, json, sys
corpus, limit, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with gzip.open(corpus, "rt", encoding="utf-8") as f, \
        open(out, "w", encoding="utf-8") as o:
    for n, line in enumerate(f):
        if n >= limit:
            break
        doc = json.loads(line)
        text = " ".join(doc.get(k) or "" for k in ("title", "heading", "article"))
        o.write("\t" + " ".join(text.split()) + "\n")
EOF

"$bin" --throughput "$repo" "$tmp/texts.tsv" >"$tmp/avis.txt"

# The whole command as a data team runs it: `analyze --lines` (sentiment and
# topics, one JSON record a document), a fresh process with its model load
# counted, with one and two worker threads; then the same without topics,
# which is the work Pattern's sentiment() does. Each is the best of three
# runs.
cli=${AVIS:-$(dirname "$bin")/../cli/avis}
cut -f2- "$tmp/texts.tsv" >"$tmp/texts.txt"
: >"$tmp/cli.txt"
if [ -x "$cli" ]; then
  for topics in "" --no-topics; do
    for j in 1 2; do
      # Best of three: a run takes a fraction of a second.
      best=""
      for _ in 1 2 3; do
        start=$(date +%s%N)
        "$cli" analyze --lines --quiet $topics -j "$j" <"$tmp/texts.txt" >"$tmp/cli.out"
        end=$(date +%s%N)
        us=$(( (end - start) / 1000 ))
        if [ -z "$best" ] || [ "$us" -lt "$best" ]; then best=$us; fi
      done
      echo "j$j${topics:+-sentiment} $best" >>"$tmp/cli.txt"
      if [ "$(wc -l <"$tmp/cli.out")" -ne "$(wc -l <"$tmp/texts.txt")" ]; then
        echo "sentiment_throughput: analyze $topics -j $j wrote $(wc -l <"$tmp/cli.out") records" >&2
        exit 1
      fi
    done
  done
fi

if "$python" -c "import pattern.fr" 2>/dev/null; then
  "$python" - "$tmp/texts.tsv" >"$tmp/pattern.txt" <<'EOF'
import sys, time
from pattern.fr import sentiment
texts = [l.rstrip("\n")[1:] for l in open(sys.argv[1], encoding="utf-8")]
sentiment("warm up")
start = time.perf_counter()
for t in texts:
    sentiment(t)
seconds = time.perf_counter() - start
size = sum(len(t.encode("utf-8")) for t in texts)
print("documents %d\nbytes %d\nseconds %.3f\nmb_per_s %.2f"
      % (len(texts), size, seconds, size / 1e6 / seconds))
EOF
else
  echo "pattern.fr not installed: avis only"
  : >"$tmp/pattern.txt"
fi

"$python" - "$tmp/avis.txt" "$tmp/pattern.txt" "$tmp/cli.txt" <<'EOF'
import sys
def read(path):
    return dict(l.split() for l in open(path) if l.strip())
avis, pattern, cli = read(sys.argv[1]), read(sys.argv[2]), read(sys.argv[3])
print("OrangeSum: %s documents, %.1f MB" % (avis["documents"],
                                           int(avis["bytes"]) / 1e6))
print("  avis     %8.2f MB/s  (%s s; model load %s s, not counted)"
      % (float(avis["mb_per_s"]), avis["seconds"], avis["load_seconds"]))
if pattern:
    print("  pattern  %8.2f MB/s  (%s s)" % (float(pattern["mb_per_s"]),
                                           pattern["seconds"]))
    print("  avis / pattern: %.1fx" % (float(avis["mb_per_s"]) /
                                       float(pattern["mb_per_s"])))
mb = int(avis["bytes"]) / 1e6
for j in ("j1", "j2", "j1-sentiment", "j2-sentiment"):
    if j in cli:
        seconds = int(cli[j]) / 1e6
        what = ("--no-topics -j %s" % j[1], "sentiment only") if "-" in j \
            else ("-j %s" % j[1], "sentiment and topics")
        line = "  analyze --lines %-16s %8.2f MB/s  (%.3f s: %s, start-up included)" % (
            what[0], mb / seconds, seconds, what[1])
        if pattern:
            line += "; / pattern: %.1fx" % (mb / seconds / float(pattern["mb_per_s"]))
        print(line)
EOF
