#!/bin/bash
# `analyze --stream`: JSON Lines and plain lines on standard input, one
# record a line in input order, error records for bad lines. Each case
# checks the exit status, stdout and stderr.
# Usage: run_stream.sh ANALYZE
set -u
analyze=$1
. "$(dirname "$0")/harness.sh"
trap 'rm -rf "$tmp"; [ -n "${reader:-}" ] && kill "$reader" 2>/dev/null' EXIT

# line N: line N of the last output.
line() { sed -n "${1}p" "$tmp/out"; }

# has NAME N PATTERN: line N of the last output matches PATTERN.
has() {
  if line "$2" | grep -q -- "$3"; then ok "$1"; else
    line "$2" >"$tmp/line"; not_ok "$1: line $2 does not match '$3'" "$tmp/line"; fi
}

# A corpus of N JSON Lines documents with ids and a passed-through field.
make_corpus() {
  local n=$1 i
  for ((i = 1; i <= n; i++)); do
    printf '{"id":"doc-%d","text":"%s","source":"gen","rank":%d}\n' "$i" \
      "$(doc_text "$i")" "$i"
  done
}

# ---- JSON Lines ----------------------------------------------------------------
make_corpus 300 >"$tmp/corpus.jsonl"
check "stream: one record a line" 0 '^{"id":"doc-1","source":"gen","rank":1,"version"' \
  "300 documents: 300 analysed, 0 failed" "$tmp/corpus.jsonl" -- "$analyze" --stream
[ "$(wc -l <"$tmp/out")" -eq 300 ] && ok "stream: 300 records" || not_ok "stream: count" "$tmp/out"
sed 's/^{"id":"\([^"]*\)".*/\1/' "$tmp/out" >"$tmp/ids"
seq 1 300 | sed 's/^/doc-/' >"$tmp/expected"
cmp -s "$tmp/ids" "$tmp/expected" && ok "stream: input order" || not_ok "stream: order" "$tmp/ids"
"$analyze" --stream -q -j1 <"$tmp/corpus.jsonl" >"$tmp/j1"
"$analyze" --stream -q -j2 <"$tmp/corpus.jsonl" >"$tmp/j2"
cmp -s "$tmp/j1" "$tmp/j2" && ok "stream: -j1 and -j2 write the same bytes" || not_ok "stream: -j1/-j2 differ" "$tmp/j2"

# Passed-through values are copied as written, whatever their type; a field
# named like a member of the result does not override it.
printf '%s\n' '{"meta":{"a":[1,2.50,{"b":null}]},"id":17,"big":123456789012345678901234567890,"f":0.1,"sentiment":"mine","text":"Très bon."}' >"$tmp/pass.jsonl"
check "passthrough: values as written" 0 \
  '^{"id":17,"meta":{"a":\[1,2.50,{"b":null}\]},"big":123456789012345678901234567890,"f":0.1,"version"' \
  "" "$tmp/pass.jsonl" -- "$analyze" --stream -q
has "passthrough: the result's own member wins" 1 '"sentiment":{"score"'
line 1 | python3 -c 'import json,sys; json.loads(sys.stdin.read())' 2>"$tmp/py" &&
  ok "passthrough: the record is valid JSON" || not_ok "passthrough: invalid JSON" "$tmp/py"

printf '%s\n' '{"id":2,"\u0073tats":"escaped","s\u00e9rie":"kept","text":"Bon film."}' >"$tmp/escaped.jsonl"
check "passthrough: an escaped key is compared decoded" 0 '^{"id":2,"s\\u00e9rie":"kept","version"' "" \
  "$tmp/escaped.jsonl" -- "$analyze" --stream -q
line 1 | python3 -c '
import json, sys
pairs = json.loads(sys.stdin.read(), object_pairs_hook=lambda p: p)
keys = [k for k, _ in pairs]
assert len(keys) == len(set(keys)) and dict(pairs)["stats"] != "escaped", keys' 2>"$tmp/py" &&
  ok "passthrough: no duplicate member" || not_ok "passthrough: duplicate member" "$tmp/py"

printf '%s\n' '{"doc":"a1","body":"Un film magnifique.","text":"ignored field"}' >"$tmp/fields.jsonl"
check "fields: --id-field and --text-field" 0 '^{"id":"a1","text":"ignored field","version"' "" \
  "$tmp/fields.jsonl" -- "$analyze" --stream -q --full --id-field doc --text-field body
has "fields: analysed the body" 1 '"sentences":\[{"start":0,"length":19,"score":[0-9.]*,"text":"Un film magnifique."}'

# ---- Bad lines: an error record each, the stream goes on --------------------
{
  printf '%s\n' '{"id":1,"text":"Très bon film."}'
  printf '%s\n' '{"id":2,"text":"unterminated'
  printf '%s\n' '["not", "an object"]'
  printf '%s\n' '{"id":4,"title":"no text"}'
  printf '%s\n' '{"id":5,"text":42}'
  printf '{"id":6,"text":"caf\351 invalide"}\n'
  printf '%s\n' '{"id":7,"text":"lone \ud800 surrogate"}'
  printf '%s\n' ''
  printf '%s\n' '{"id":9,"text":"   "}'
  printf '%s\n' '{"id":10,"text":"Echappements : \"cité\" \\ \n\u00e9t\u00e9 \ud83d\ude00 génial."}'
  printf '%s\n' '{"id":11,"text":"nul\u0000binaire"}'
  printf '%s\n' '{"id":12,"text":"Très mauvais.","id":13}'
  printf '%s' '{"id":13,"text":"Tronqu'
} >"$tmp/bad.jsonl"
check "errors: bad lines give error records" 1 '"line":2,"error":{"code":"malformed"' \
  "13 documents: 2 analysed, 11 failed" "$tmp/bad.jsonl" -- "$analyze" --stream --full
[ "$(wc -l <"$tmp/out")" -eq 13 ] && ok "errors: 13 records for 13 lines" || not_ok "errors: count" "$tmp/out"
has "errors: good line" 1 '^{"id":1,"version"'
has "errors: truncated JSON" 2 '^{"line":2,"error":{"code":"malformed","message":".*(column [0-9]*)"}}$'
has "errors: not an object" 3 '^{"line":3,"error":{"code":"malformed","message":"not a JSON object"}}$'
has "errors: missing text field, id and fields kept" 4 '^{"id":4,"line":4,"title":"no text","error":{"code":"missing_field","message":"no \\"text\\" field"}}$'
has "errors: text not a string" 5 '^{"id":5,"line":5,"error":{"code":"malformed","message":"the \\"text\\" field is not a string"}}$'
has "errors: invalid UTF-8" 6 '^{"line":6,"error":{"code":"encoding","message":"unable to decode byte 0xe9'
has "errors: lone surrogate" 7 '^{"line":7,"error":{"code":"malformed","message":"invalid Unicode'
has "errors: empty line" 8 '^{"line":8,"error":{"code":"empty","message":"empty line"}}$'
has "errors: blank text" 9 '^{"id":9,"line":9,"error":{"code":"empty"'
has "errors: escapes and surrogate pairs decoded" 10 '"text":"Echappements : \\"cité\\" \\\\ \\nété 😀 génial."'
has "errors: NUL in a string is binary" 11 '^{"id":11,"line":11,"error":{"code":"binary"'
has "errors: duplicate key" 12 '^{"line":12,"error":{"code":"malformed","message":"duplicate object key'
has "errors: truncated last line" 13 '^{"line":13,"error":{"code":"malformed"'
check "errors: --input-errors-ok" 0 '"code":"malformed"' "*" "$tmp/bad.jsonl" -- \
  "$analyze" --stream --input-errors-ok
check "errors: --quiet" 1 '"code":"malformed"' "" "$tmp/bad.jsonl" -- "$analyze" --stream -q

# Strings are scanned 16 bytes at a time: an escape, a control character or
# a byte that is not UTF-8 is found wherever it falls in a block, here after
# 13 to 19 plain bytes. Two-byte letters do not end a run of 16 bytes; a
# lead in a block's last byte, a continuation without its lead, a lead
# without its continuation and a three-byte character are still read one
# by one. The sentences (--full) show the text as decoded.
for n in 13 14 15 16 17 18 19; do
  run=$(printf '%*s' "$n" '' | tr ' ' a)
  printf '{"id":"e%s","text":"%s\\"bon\\" film"}\n' "$n" "$run"
  printf '{"id":"c%s","text":"%s\001 film"}\n' "$n" "$run"
  printf '{"id":"u%s","text":"%s\351 film"}\n' "$n" "$run"
  printf '{"id":"a%s","text":"%s\303\251 film"}\n' "$n" "$run"
  printf '{"id":"v%s","text":"%séèàçêôùû « très » l\342\200\231été"}\n' "$n" "$run"
  printf '{"id":"o%s","text":"%séèàç\200film"}\n' "$n" "$run"
  printf '{"id":"l%s","text":"%séèàç\303film"}\n' "$n" "$run"
done >"$tmp/blocks.jsonl"
check "blocks: scanned in blocks" 1 '"code":"malformed"' "" "$tmp/blocks.jsonl" -- \
  "$analyze" --stream -q --full
blocks_ok=1
line_is() { sed -n "$1p" "$tmp/out" | grep -q "$2" || blocks_ok=0; }
encoding_error='"error":{"code":"encoding","message":"unable to decode byte 0x'
for n in 13 14 15 16 17 18 19; do
  run=$(printf '%*s' "$n" '' | tr ' ' a)
  at=$((7 * (n - 13)))
  line_is $((at + 1)) "^{\"id\":\"e$n\",.*\"text\":\"$run\\\\\"bon\\\\\" film\"}"
  line_is $((at + 2)) "^{\"line\":$((at + 2)),\"error\":{\"code\":\"malformed\",\"message\":\"control character 0x1"
  line_is $((at + 3)) "^{\"line\":$((at + 3)),${encoding_error}e9"
  line_is $((at + 4)) "^{\"id\":\"a$n\",.*\"text\":\"${run}é film\"}"
  line_is $((at + 5)) "^{\"id\":\"v$n\",.*\"text\":\"${run}éèàçêôùû « très » l’été\"}"
  line_is $((at + 6)) "^{\"line\":$((at + 6)),${encoding_error}80"
  line_is $((at + 7)) "^{\"line\":$((at + 7)),${encoding_error}c3"
done
[ "$(wc -l <"$tmp/out")" -eq 49 ] || blocks_ok=0
[ $blocks_ok -eq 1 ] && ok "blocks: escapes, controls, letters and bad bytes at every offset" ||
  not_ok "blocks: a line read wrongly" "$tmp/out"

# A 10 MB line is analysed; a line over the limit is an error record and the
# next line is still read.
{
  printf '{"id":"long","text":"'
  yes 'Le film est très bon mais la fin déçoit un peu, ' | head -n 200000 | tr -d '\n'
  printf '"}\n{"id":"after","text":"Bon."}\n'
} >"$tmp/long.jsonl"
check "long: a 10 MB line" 0 '^{"id":"long","version".*"label":"' "" "$tmp/long.jsonl" -- \
  "$analyze" --stream -q
check "long: a line over the limit" 1 '^{"line":1,"error":{"code":"too_large","message":"line longer than' "" \
  "$tmp/long.jsonl" -- "$analyze" --stream -q --max-bytes 1000
has "long: the next line is read" 2 '^{"id":"after","version"'

# ---- Plain lines ----------------------------------------------------------------
printf 'Un film magnifique.\r\n\nUn repas décevant.\n"Guillemets" et \\ barre.' >"$tmp/lines.txt"
check "lines: one record a line, id = line number" 1 '^{"id":1,"version"' \
  "4 documents: 3 analysed, 1 failed" "$tmp/lines.txt" -- "$analyze" --lines --full
has "lines: CR dropped" 1 '"text":"Un film magnifique."}'
has "lines: empty line" 2 '^{"id":2,"line":2,"error":{"code":"empty"'
has "lines: third" 3 '^{"id":3,"version"'
has "lines: last line without newline, escaped" 4 '"text":"\\"Guillemets\\" et \\\\ barre."'

# ---- Records: document-level fields, or the whole result with --full -------
printf '%s\n' '{"id":1,"text":"Un film magnifique. Mais la fin déçoit."}' >"$tmp/one.jsonl"
check "records: document-level fields" 0 \
  '^{"id":1,"version":"[^"]*","encoding":"utf-8","stats":{"characters":[0-9]*,"words":[0-9]*,"sentences":2,"tokens":[0-9]*},"sentiment":{"score":-\?[0-9.e-]*,"label":"[a-z]*","label_fr":"[^"]*","subjectivity":[0-9.e-]*},"topics":\[' \
  "" "$tmp/one.jsonl" -- "$analyze" --stream -q
for member in '"sentences":\[' '"drivers"' '"key_sentences"' '"lexicons"' '"tagged":false'; do
  grep -q "$member" "$tmp/out" && not_ok "records: $member only with --full" "$tmp/out" ||
    ok "records: no $member"
done
line 1 | python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
assert all(t["tagged"] and isinstance(t["share"], float) for t in r["topics"]), r
assert isinstance(r["sentiment"]["score"], float)' 2>"$tmp/py" &&
  ok "records: valid JSON, reals typed as reals" || not_ok "records: JSON" "$tmp/py"
cp "$tmp/out" "$tmp/brief"
check "records: --full" 0 '"drivers":\[{"text":"' "" "$tmp/one.jsonl" -- \
  "$analyze" --stream -q --full
has "records: --full has the sentences" 1 '"sentences":\[{"start":0,"length":19,'
python3 - "$tmp/brief" "$tmp/out" <<'PY' 2>"$tmp/py" && ok "records: the same values as --full" || not_ok "records: values differ" "$tmp/py"
import json, sys
brief, full = (json.loads(open(f).read()) for f in sys.argv[1:])
for k in ("id", "version", "encoding", "stats"):
    assert brief[k] == full[k], k
for k in ("score", "label", "label_fr", "subjectivity"):
    assert brief["sentiment"][k] == full["sentiment"][k], k
assert brief["topics"] == [t for t in full["topics"] if t["tagged"]]
PY

# ---- The common line is read without jansson: the same records ---------------
# Each document twice: as it is, and with a nested member that only jansson
# reads. Apart from that member, the two records must be equal.
texts=(
  'Un film magnifique, vraiment réussi.'
  'Échappements : \"cité\" \\\\ \/ \b\f\n\r\t \u00e9t\u00C9 \u2019 \ud83d\ude00 génial.'
  ''
  '   '
)
: >"$tmp/pairs.jsonl"
for t in "${texts[@]}"; do
  for extra in '' ',"nested":{"a":[1]}'; do
    printf '{"id":"i\\u0064","n":-0.50,"big":123456789012345678901234567890,"ok":true,"z":null,"s":"a\\"b\\u00e9","text":"%s"%s}\n' \
      "$t" "$extra" >>"$tmp/pairs.jsonl"
  done
done
"$analyze" --stream -q --full --input-errors-ok <"$tmp/pairs.jsonl" >"$tmp/pairs.out" 2>"$tmp/err"
# Error records carry their line number, which differs within a pair.
sed -n '1~2p' "$tmp/pairs.out" | sed 's/"line":[0-9]*,//' >"$tmp/plain"
sed -n '2~2p' "$tmp/pairs.out" | sed 's/"line":[0-9]*,//; s/,"nested":{"a":\[1\]}//' >"$tmp/nested"
same "fast reading: the same records as jansson's" "$tmp/nested" "$tmp/plain"
grep -q '^{"id":"i\\u0064","n":-0.50,"big":123456789012345678901234567890,"ok":true,"z":null,"s":"a\\"b\\u00e9","version"' "$tmp/plain" &&
  ok "fast reading: members passed through as written" || not_ok "fast reading: members" "$tmp/plain"

# Lines the fast reading must not accept: jansson rejects them all.
{
  printf '%s\n' '{"id":1,"text":"ok","t":"\x"}'
  printf '%s\n' '{"id":2,"text":"ok","n":01}'
  printf '%s\n' '{"id":3,"text":"ok",}'
  printf '%s\n' '{"id":4,"text":"ok"} x'
  printf '%s\n' '{"id":5 "text":"ok"}'
  printf '%s\n' '{"id":6,"text":"ok","n":1.}'
  printf '%s\n' '{"id":7,"text":"ok","n":1e999}'
  printf '{"id":8,"text":"a\ttab"}\n' # a raw tab
  printf '%s\n' '{"id":9,"text":"\udc00 low"}'
  printf '%s\n' '{"id":10,"text":"ok","b":tru}'
  printf '%s\n' '{"id":11,"text":"ok","text":"again"}'
} >"$tmp/reject.jsonl"
"$analyze" --stream -q <"$tmp/reject.jsonl" >"$tmp/out" 2>"$tmp/err"
[ "$(grep -c '"error":{"code":"malformed"' "$tmp/out")" -eq 11 ] &&
  ok "fast reading: every malformed line is an error record" ||
  not_ok "fast reading: malformed lines accepted" "$tmp/out"

# ---- Usage -------------------------------------------------------------------------
check "usage: --stream takes no FILE" 2 "" "no FILE" /dev/null -- "$analyze" --stream x.txt
check "usage: --stream writes JSON Lines" 2 "" "JSON Lines" /dev/null -- "$analyze" --stream --format csv
check "usage: empty input" 0 "" "0 documents" /dev/null -- "$analyze" --stream

# ---- Records come out as soon as they are ready ---------------------------------
mkfifo "$tmp/fifo"
"$analyze" --stream -q -j2 <"$tmp/fifo" >"$tmp/live" 2>&1 &
reader=$!
exec 3>"$tmp/fifo"
printf '%s\n' '{"id":"first","text":"Un film magnifique."}' >&3
for _ in $(seq 1 100); do
  [ -s "$tmp/live" ] && break
  sleep 0.1
done
grep -q '^{"id":"first"' "$tmp/live" && ok "flush: a record is written before the input ends" ||
  not_ok "flush: nothing written while the input is open" "$tmp/live"
printf '%s\n' '{"id":"second","text":"Bon."}' >&3
exec 3>&-
wait "$reader"
status=$?
reader=""
[ $status -eq 0 ] && [ "$(wc -l <"$tmp/live")" -eq 2 ] && ok "flush: both records, exit 0" ||
  not_ok "flush: exit $status" "$tmp/live"

# A closed output ends the run even while the input stays open.
mkfifo "$tmp/fifo2"
( "$analyze" --stream -q <"$tmp/fifo2" 2>"$tmp/pipe.err"; echo $? >"$tmp/pipe.status" ) | head -c 1 >/dev/null &
pipeline=$!
exec 3>"$tmp/fifo2"
trap '' PIPE # writing on once analyze is gone must fail, not end this script
for i in $(seq 1 200); do printf '{"id":%d,"text":"%s"}\n' "$i" "$(doc_text "$i")" >&3 2>/dev/null || break; done
for _ in $(seq 1 100); do
  [ -s "$tmp/pipe.status" ] && break
  sleep 0.1
done
[ "$(cat "$tmp/pipe.status" 2>/dev/null)" = 4 ] && grep -q "Broken pipe" "$tmp/pipe.err" &&
  ok "closed pipe: exit 4 while the input is still open" ||
  not_ok "closed pipe: status '$(cat "$tmp/pipe.status" 2>/dev/null)'" "$tmp/pipe.err"
exec 3>&-
wait "$pipeline"

finish
