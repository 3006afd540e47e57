#!/bin/bash
# `avis data-image` and the data image seen through `analyze`: the
# committed image is current (skipped when it was built with other versions
# of avis, utf8proc or Snowball than this build's), builds are reproducible,
# and a data directory analyses alike with its image, without it, with a
# stale one and with a damaged one.
# Usage: run_data_image.sh AVIS REPO_ROOT
avis=$1
root=$2
source "$(dirname "$0")/harness.sh"

"$avis" data-image check "$root" >"$tmp/check" 2>&1
status=$?
cat "$tmp/check"
if grep -q ': foreign: ' "$tmp/check"; then
  echo "skipped: the committed image was built with other library versions"
  exit 77
fi
if [ "$status" -eq 0 ]; then ok "committed image is current"; else
  not_ok "committed image is current: run tools/build_data_image.sh" "$tmp/check"
fi

check "build to a file" 0 "" "" /dev/null -- \
  "$avis" data-image build "$root" -o "$tmp/image.avd"
same "a build gives the committed bytes" "$root/lexicons/fr-default.avd" \
  "$tmp/image.avd"

# A data directory of its own: the three sources and their image.
data=$tmp/data
mkdir -p "$data/lexicons"
for f in fr-polarity.tsv modifiers.tsv stopwords-fr.txt; do
  cp "$root/lexicons/$f" "$data/lexicons/$f"
done
check "build in place" 0 "" "" /dev/null -- "$avis" data-image build "$data"
check "check in place" 0 ": up to date" "" /dev/null -- \
  "$avis" data-image check "$data"

# with_and_without NAME: the JSON reports of the examples with the image as
# it is now and without it (parsed) are identical.
with_and_without() {
  "$avis" analyze -q --json --full --data-dir "$data" \
    "$root"/examples/articles/*.txt >"$tmp/with"
  mv "$data/lexicons/fr-default.avd" "$tmp/kept.avd"
  "$avis" analyze -q --json --full --data-dir "$data" \
    "$root"/examples/articles/*.txt >"$tmp/without"
  mv "$tmp/kept.avd" "$data/lexicons/fr-default.avd"
  if [ -s "$tmp/with" ]; then same "$1" "$tmp/with" "$tmp/without"; else
    not_ok "$1: no report"; fi
}
with_and_without "same reports with the image and parsing"

# "excellent<TAB>0.8" becomes "excellent<TAB>-.8": one byte.
sed 's/^excellent\t0\.8/excellent\t-.8/' "$root/lexicons/fr-polarity.tsv" \
  >"$data/lexicons/fr-polarity.tsv"
check "a changed source makes the image stale" 1 \
  ": stale: lexicons/fr-polarity.tsv changed" "" /dev/null -- \
  "$avis" data-image check "$data"
with_and_without "a stale image is not used"
echo "Un repas excellent." >"$tmp/excellent.txt"
check "the changed source is what counts" 0 '"label": *"negative"' "" \
  /dev/null -- "$avis" analyze --json --data-dir "$data" "$tmp/excellent.txt"

check "rebuild" 0 "" "" /dev/null -- "$avis" data-image build "$data"
head -c 1000 "$data/lexicons/fr-default.avd" >"$tmp/cut.avd"
mv "$tmp/cut.avd" "$data/lexicons/fr-default.avd"
check "a truncated image is damaged" 1 ": damaged: .*truncated" "" \
  /dev/null -- "$avis" data-image check "$data"
with_and_without "a damaged image is not used"

check "no action" 2 "" "Usage: avis data-image" /dev/null -- \
  "$avis" data-image
check "unknown action" 2 "" "Usage: avis data-image" /dev/null -- \
  "$avis" data-image frob
check "unwritable output" 3 "" "x.avd" /dev/null -- \
  "$avis" data-image build "$data" -o "$tmp/no/such/dir/x.avd"
check "missing data files" 3 "" "fr-polarity.tsv" /dev/null -- \
  "$avis" data-image check "$tmp/nothing"

finish
