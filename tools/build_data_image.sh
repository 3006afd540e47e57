#!/bin/sh
# Rebuilds lexicons/fr-default.avd, the data image (docs/model-format.md,
# "Data images"), from the committed lexicons/fr-polarity.tsv,
# lexicons/modifiers.tsv and lexicons/stopwords-fr.txt, and checks it. The
# image holds no timestamp and no padding but zeros: the same sources,
# avis, utf8proc and Snowball give the same file, byte for byte. Run it
# after changing any of the three files, and commit the image with them.
#
#   tools/build_data_image.sh [AVIS]
#
# AVIS defaults to build/cli/avis.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
avis=${1:-$root/build/cli/avis}

if [ ! -x "$avis" ]; then
  echo "build_data_image: $avis not built" >&2
  exit 1
fi
"$avis" data-image build "$root" -o "$root/lexicons/fr-default.avd"
"$avis" data-image check "$root"
