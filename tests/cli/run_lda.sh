#!/bin/sh
# The LDA commands through the CLI: `train lda`, `topics` (text and the
# shape of --json), `dump`, `evaluate lda`, `analyze --lda`, and damaged or
# missing model files.
# Usage: run_lda.sh AVIS FIXTURES_DIR
set -u
avis=$1
fixtures=$2
here=$(cd "$(dirname "$0")" && pwd)
export AVIS_DATA_DIR="$(cd "$here/../.." && pwd)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $1"; sed 's/^/#   /' "$tmp/err" | head -5; failed=$((failed + 1)); }

# check NAME STATUS PATTERN -- COMMAND...: exit status and a pattern of
# stdout+stderr.
check() {
  name=$1 status=$2 pattern=$3
  shift 4
  "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  got=$?
  if [ "$got" -ne "$status" ]; then
    not_ok "$name: exit $got, expected $status"; return
  fi
  if ! cat "$tmp/out" "$tmp/err" | grep -q -- "$pattern"; then
    not_ok "$name: output does not match '$pattern'"; return
  fi
  ok "$name"
}

check "train lda (pre-tokenised)" 0 "wrote" -- \
  "$avis" train lda --format tokens -k 4 -n 100 -j 2 --min-df 1 --max-df 1 \
  --date 2026-01-01 -o "$tmp/p.lda" "$fixtures/planted.txt"
check "topics (text)" 0 "^topic 3 " -- "$avis" topics "$tmp/p.lda"
check "topics --json" 0 '"words"' -- "$avis" topics --json "$tmp/p.lda"

# The JSON shape: an array of objects with an integer id and words, each
# {"word": string, "weight": number}, best first.
cp "$tmp/out" "$tmp/topics.json"
if /usr/bin/python3 - "$tmp/topics.json" <<'PY'
import json, sys
topics = json.load(open(sys.argv[1]))
assert isinstance(topics, list) and len(topics) == 4
for i, t in enumerate(topics):
    assert t["id"] == i and isinstance(t["label"], str)
    w = t["words"]
    assert 0 < len(w) <= 10
    assert all(isinstance(x["word"], str) and isinstance(x["weight"], float) for x in w)
    assert all(a["weight"] >= b["weight"] for a, b in zip(w, w[1:]))
PY
then ok "topics --json shape"; else : >"$tmp/err"; not_ok "topics --json shape"; fi

check "topics --words 0 lists every saved word" 0 "t0w14" -- \
  "$avis" topics --words 0 "$tmp/p.lda"
check "dump" 0 "avis LDA model" -- "$avis" dump "$tmp/p.lda"
check "evaluate lda" 0 "coherence NPMI" -- \
  "$avis" evaluate lda "$tmp/p.lda" "$fixtures/planted.txt"

check "same seed and threads, same bytes" 0 "wrote" -- \
  "$avis" train lda --format tokens -k 4 -n 100 -j 2 --min-df 1 --max-df 1 \
  --date 2026-01-01 -o "$tmp/p.lda.2" "$fixtures/planted.txt"
# The command line (with the output name) is part of the provenance.
mv "$tmp/p.lda" "$tmp/p.lda.1"
"$avis" train lda --format tokens -k 4 -n 100 -j 2 --min-df 1 --max-df 1 \
  --date 2026-01-01 -o "$tmp/p.lda" "$fixtures/planted.txt" 2>/dev/null
if cmp -s "$tmp/p.lda" "$tmp/p.lda.1"; then ok "identical model files"
else : >"$tmp/err"; not_ok "identical model files"; fi

check "train lda on French text" 0 "wrote" -- \
  "$avis" train lda --format lines --terms forms -k 3 -n 200 -j 1 --min-df 2 \
  --max-df 0.6 --date 2026-01-01 -o "$tmp/fr.lda" "$fixtures/news-fr.txt"
echo "Les médecins de l'hôpital ont vacciné les patients aux urgences." >"$tmp/doc.txt"
check "analyze --lda (text report)" 0 "LDA topics" -- \
  "$avis" analyze --lda "$tmp/fr.lda" "$tmp/doc.txt"
check "analyze --lda --json" 0 '"lda"' -- \
  "$avis" analyze --lda "$tmp/fr.lda" --json "$tmp/doc.txt"
cp "$tmp/out" "$tmp/doc.json"
if /usr/bin/python3 - "$tmp/doc.json" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).readline())
top = r["lda"]["topics"][0]
assert r["lda"]["topic_count"] == 3
words = [w["word"] for w in top["words"]]
assert any(w in words for w in ("hôpital", "médecins", "patients", "urgences")), words
PY
then ok "the document's main topic is the health one"
else : >"$tmp/err"; not_ok "the document's main topic is the health one"; fi

head -c 300 "$tmp/p.lda.1" >"$tmp/short.lda"
check "truncated model" 3 "truncated" -- "$avis" topics "$tmp/short.lda"
check "missing model" 3 "No such file" -- "$avis" topics "$tmp/none.lda"
check "analyze with a missing LDA model" 3 "none.lda" -- \
  "$avis" analyze --lda "$tmp/none.lda" "$tmp/doc.txt"
check "not an LDA model" 3 "not an avis model" -- "$avis" topics "$fixtures/planted.txt"
check "train lda without output" 2 "give -o" -- \
  "$avis" train lda "$fixtures/planted.txt"

echo "1..$((passed + failed))"
[ "$failed" -eq 0 ]
