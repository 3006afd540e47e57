#!/bin/sh
# Rebuilds models/topics-fr.avm, the default topic model, from the
# development data (../shared/data, see models/README.md). The result is
# the same file, byte for byte, on every run with the same data and avis.
#
#   tools/build_default_model.sh [AVIS] [DATA_DIR] [OUTPUT]
#
# AVIS defaults to build/cli/avis, DATA_DIR to ../shared/data.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
avis=${1:-$root/build/cli/avis}
data=${2:-$root/../shared/data}
out=${3:-$root/models/topics-fr.avm}
# The training runs in a scratch directory: make the paths absolute.
absolute() { (cd "$(dirname "$1")" && echo "$(pwd)/$(basename "$1")"); }
avis=$(absolute "$avis")
data=$(cd "$data" && pwd)
out=$(absolute "$out")

if [ ! -d "$data/topics" ]; then
  echo "build_default_model: no development data in $data" >&2
  exit 1
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
/usr/bin/python3 "$root/tools/prepare_topic_data.py" "$data" "$scratch"
cd "$scratch"

# A fixed date keeps the provenance, and so the file, reproducible; so do
# the relative paths, which make the recorded command the same anywhere.
SOURCE_DATE_EPOCH=1735689600
export SOURCE_DATE_EPOCH
ln -s "$root" avis
ln -s "$data/topics/masakhanews_train50.jsonl" masakhanews_train50.jsonl
"$avis" train nb \
  --data-dir avis \
  --topics avis/models/topics-fr.seeds \
  --seed 1 --min-df 3 --max-terms 40000 \
  --weight 1,20 \
  --unlabelled legal.jsonl \
  --unlabelled orangesum-unlabelled.jsonl \
  --describe "OrangeSum (CC BY-SA 4.0) mapped onto the taxonomy, with monde titles on national politics as politics and titles on a regulatory act also regulation, minus a held-out tenth; MasakhaNEWS French train50 (weight 20); unlabelled: OrangeSum france, insolite and auto, samples of French codes and the data-protection texts" \
  -o topics-fr.avm \
  orangesum-model.jsonl masakhanews_train50.jsonl
mv topics-fr.avm "$out"
