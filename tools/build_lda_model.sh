#!/bin/sh
# Rebuilds models/lda-news-fr.lda, the default news LDA model (50 topics),
# from the OrangeSum articles in the development data (../shared/data, see
# models/README.md). The same data, avis, seed and thread count give the
# same file, byte for byte.
#
#   tools/build_lda_model.sh [AVIS] [DATA_DIR] [OUTPUT]
#
# AVIS defaults to build/cli/avis, DATA_DIR to ../shared/data.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
avis=${1:-$root/build/cli/avis}
data=${2:-$root/../shared/data}
out=${3:-$root/models/lda-news-fr.lda}

case $avis in /*) ;; *) avis=$(pwd)/$avis ;; esac
if [ ! -f "$data/topics/orangesum.jsonl.gz" ]; then
  echo "build_lda_model: no OrangeSum articles in $data/topics" >&2
  exit 1
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
/usr/bin/python3 "$root/tools/prepare_lda_data.py" "$data" "$scratch"
cd "$scratch"

# Relative paths and a fixed date keep the recorded provenance, and so the
# file, the same anywhere. The thread count is part of the result: keep -j 2.
ln -s "$root" avis
"$avis" train lda \
  --data-dir avis --terms forms \
  -k 50 -n 300 -j 2 --seed 1 \
  --min-df 5 --max-df 0.5 --min-count 2 \
  --describe "OrangeSum articles (CC BY-SA 4.0): title, heading and text, minus the held-out tenth of tools/prepare_topic_data.py" \
  --date 2025-01-01 \
  -o lda-news-fr.lda orangesum-lda-train.jsonl
cp lda-news-fr.lda "$out"
echo "build_lda_model: wrote $out" >&2
