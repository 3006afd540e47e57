#!/bin/sh
# avis LDA beside gensim LdaMulticore and scikit-learn's batch
# LatentDirichletAllocation on the OrangeSum articles, all fed the same
# pre-tokenised stream exported once by avis's term pipeline (normalised
# words, stop words and rare terms removed), with the same K: training
# time, tokens per second per sweep, peak memory, held-out perplexity and
# NPMI/UMass coherence computed by one script (compare.py). Then avis's
# time per iteration for K = 20, 50, 100, 200 and for 1 and 2 threads.
#
#   bench/lda/run.sh [AVIS] [DATA_DIR]
#
# Environment: K (50), AVIS_ITERATIONS (150), GENSIM_PASSES (20),
# SKLEARN_ITERATIONS (30), WORK (a scratch directory, kept when given),
# SCALING_ONLY=1 to skip the peers. Skips cleanly without the data.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
avis=${1:-$root/build/cli/avis}
case $avis in /*) ;; *) avis=$(pwd)/$avis ;; esac
data=${2:-$root/../shared/data}
py=/usr/bin/python3
here="$root/bench/lda"
K=${K:-50}
iterations=${AVIS_ITERATIONS:-150}

if [ ! -f "$data/topics/orangesum.jsonl.gz" ]; then
  echo "bench/lda: no OrangeSum articles in $data/topics: skipped"
  exit 0
fi
if [ -z "${WORK:-}" ]; then
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
fi
cd "$WORK"
echo "bench/lda: working in $WORK; load average: $(cut -d' ' -f1-3 /proc/loadavg)"

# 1. One token stream for every tool.
if [ ! -f train.tokens ]; then
  $py "$root/tools/prepare_lda_data.py" "$data" .
  "$avis" train lda --data-dir "$root" --terms forms --min-df 5 --max-df 0.5 \
    --export-tokens train.tokens orangesum-lda-train.jsonl 2>/dev/null
  "$avis" train lda --data-dir "$root" --terms forms --min-df 1 --max-df 1 \
    --export-tokens test.tokens orangesum-lda-test.jsonl 2>/dev/null
  $py "$here/compare.py" vocab train.tokens vocab.txt
fi
echo "bench/lda: $(wc -w <train.tokens) training tokens, $(wc -l <vocab.txt) words," \
     "$(wc -l <train.tokens) documents; $(wc -w <test.tokens) held-out tokens"

# measure NAME COMMAND...: wall time and largest process (GNU time), and
# the peak of the summed memory of the process tree (gensim forks workers).
measure() {
  name=$1
  shift
  /usr/bin/time -v -o "$name.time" \
    $py "$here/compare.py" peak-rss "$name.rss" -- "$@"
}

if [ -z "${SCALING_ONLY:-}" ]; then
  # 2. Training, side by side in one run.
  measure avis "$avis" train lda --format tokens -k "$K" -n "$iterations" -j 2 \
    --min-df 1 --max-df 1 --min-count 1 --date 2025-01-01 -o avis.lda \
    train.tokens 2>avis.log
  "$avis" topics --json --words 0 avis.lda >avis.json
  $py "$here/compare.py" avis vocab.txt avis.json avis.npz
  measure gensim $py "$here/compare.py" gensim vocab.txt train.tokens "$K" \
    "${GENSIM_PASSES:-20}" 2 gensim.npz >gensim.train.json
  measure sklearn $py "$here/compare.py" sklearn vocab.txt train.tokens "$K" \
    "${SKLEARN_ITERATIONS:-30}" 2 sklearn.npz >sklearn.train.json

  # 3. Quality, one implementation for all.
  $py "$here/compare.py" evaluate vocab.txt test.tokens train.tokens \
    avis=avis.npz gensim=gensim.npz sklearn=sklearn.npz >quality.jsonl
  $py "$here/compare.py" summary .
  echo
  echo "avis's own measures (fold-in Gibbs for the held-out mixtures):"
  "$avis" evaluate lda --format tokens --reference train.tokens avis.lda \
    test.tokens 2>/dev/null
fi

# 4. Scaling. Runs of 10 and 30 iterations share their first 10 (same
# seed), so their difference times iterations 11-30 alone, without reading
# and start-up; CPU seconds (user + system) are given beside wall seconds,
# which a busy machine inflates.
echo
echo "| K | threads | wall s/iteration | CPU s/iteration | tokens/s (wall) |"
echo "|---|---|---|---|---|"
scale() {
  for n in 10 30; do
    /usr/bin/time -f "%e %U %S" -o "scale.$n.time" "$avis" train lda \
      --format tokens -k "$1" -n "$n" -j "$2" --optimize 0 --min-df 1 \
      --max-df 1 -o scale.lda train.tokens 2>/dev/null
  done
  tokens=$(wc -w <train.tokens)
  cat scale.10.time scale.30.time | awk -v k="$1" -v j="$2" -v tokens="$tokens" '
    NR == 1 { w = -$1; c = -($2 + $3) }
    NR == 2 { w += $1; c += $2 + $3
              printf "| %s | %s | %.2f | %.2f | %.2fM |\n", k, j, w / 20, c / 20, tokens * 20 / w / 1e6 }'
}
for k in 20 50 100 200; do scale "$k" 2; done
scale 50 1
