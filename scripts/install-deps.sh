#!/bin/sh
# Installs the Debian packages avis needs to build and test, when missing.
# Usage: scripts/install-deps.sh [--bench]   (--bench adds the peer tools
# the benchmarks compare with).
set -eu

packages="cmake make gcc pkg-config libc6-dev libstemmer-dev libutf8proc-dev
libgsl-dev libjansson-dev libcmocka-dev python3"
if [ "${1:-}" = "--bench" ]; then
  packages="$packages fasttext python3-sklearn python3-gensim python3-pattern
  python3-numpy"
fi

missing=""
for p in $packages; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
  esac
done
[ -z "$missing" ] && exit 0

echo "Installing:$missing" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
