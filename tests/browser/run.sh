#!/bin/sh
# Runs e2e.mjs in headless Chromium. Exits 77 (skipped) only when Chromium
# or Node.js is not installed; scripts/install-deps.sh installs both.
# Usage: run.sh SOURCE_DIR WORK_DIR DASHBOARD ANALYZE
set -eu
source_dir=$1 work=$2 dashboard=$3 analyze=$4
here=$source_dir/tests/browser
chromium=${AVIS_CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$chromium" ]; then
  echo "SKIP: $chromium is not installed (Debian package chromium)"
  exit 77
fi
if ! command -v node > /dev/null || ! command -v npm > /dev/null; then
  echo "SKIP: node or npm is not installed"
  exit 77
fi
if ! node -e 'process.exit(parseInt(process.versions.node) >= 20 ? 0 : 1)'; then
  echo "SKIP: playwright-core needs Node.js 20 or later, not $(node --version)"
  exit 77
fi

# playwright-core, pinned by package-lock.json, installed in the build tree
# once per version of the lock file.
mkdir -p "$work"
cp "$here/package.json" "$here/package-lock.json" "$here/e2e.mjs" "$work/"
stamp=$work/node_modules/.avis-package-lock.json
if ! cmp -s "$here/package-lock.json" "$stamp" 2> /dev/null; then
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$here/package-lock.json" "$stamp"
fi

cd "$work"
AVIS_SOURCE=$source_dir DASHBOARD=$dashboard ANALYZE=$analyze WORK=$work \
  CHROMIUM=$chromium exec node e2e.mjs
