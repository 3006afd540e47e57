#!/bin/sh
# Installs the Debian packages avis needs to build and test, when missing.
# Usage: scripts/install-deps.sh [--bench|--fuzz|--valgrind]   (--bench adds
# the peer tools the benchmarks compare with, --fuzz clang and libFuzzer,
# --valgrind Valgrind).
set -eu

packages="cmake make gcc pkg-config libc6-dev libstemmer-dev libutf8proc-dev
libgsl-dev libjansson-dev zlib1g-dev libcmocka-dev python3 parallel libmicrohttpd-dev
groff-base"
# The browser tests' needs (tests/browser): Chromium, and Node.js with npm
# unless some Node.js is there already (NodeSource's nodejs carries npm and
# conflicts with Debian's npm). Without them those tests are skipped, so a
# failure to install them is reported, not fatal.
browser=""
command -v chromium > /dev/null || browser="chromium"
command -v node > /dev/null || browser="$browser nodejs"
command -v npm > /dev/null || browser="$browser npm"
if [ "${1:-}" = "--bench" ]; then
  packages="$packages fasttext python3-sklearn python3-gensim python3-pattern
  python3-numpy"
fi
# `make fuzz` builds with clang and libFuzzer; `make valgrind` runs Valgrind.
if [ "${1:-}" = "--fuzz" ]; then
  packages="$packages clang libclang-rt-14-dev"
fi
if [ "${1:-}" = "--valgrind" ]; then
  packages="$packages valgrind"
fi

missing=""
for p in $packages; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
  esac
done
[ -z "$missing$browser" ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
install() {
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"
}
if [ -n "$missing" ]; then
  echo "Installing:$missing" >&2
  # shellcheck disable=SC2086
  install $missing
fi
if [ -n "$browser" ]; then
  echo "Installing for the browser tests:$browser" >&2
  # shellcheck disable=SC2086
  install $browser || echo "Could not install$browser: the browser tests will be skipped" >&2
fi
