#!/bin/bash
# Batch runs over files and directories: walk, filters, order, formats,
# output files and write errors. Each case checks the exit status, stdout
# and stderr.
# Usage: run_batch.sh ANALYZE
set -u
analyze=$1
. "$(dirname "$0")/harness.sh"

paths() { sed 's/^{"path":"\([^"]*\)".*/\1/' "$1"; }

make_doc() { doc_text "$1"; echo; }

# ---- Directory walk, order, symbolic links --------------------------------
tree=$tmp/tree
mkdir -p "$tree/b/deeper" "$tree/a" "$tree/a-c"
make_doc 1 >"$tree/z.txt"
make_doc 2 >"$tree/a/one.txt"
make_doc 3 >"$tree/a-c/two.txt"
make_doc 4 >"$tree/b/deeper/three.txt"
make_doc 5 >"$tree/b/notes.md"
printf '%s\n' "$tree/a-c/two.txt" "$tree/a/one.txt" "$tree/b/deeper/three.txt" \
  "$tree/b/notes.md" "$tree/z.txt" >"$tmp/expected"
check "walk: nested directories" 0 '^{"path":' "5 documents: 5 analysed, 0 failed" /dev/null -- "$analyze" "$tree"
paths "$tmp/out" >"$tmp/got"
same "walk: sorted by path, byte order" "$tmp/expected" "$tmp/got"

ln -s .. "$tree/b/deeper/up"
ln -s self "$tree/self"
check "walk: symbolic link loops are error records" 1 \
  '"path":"[^"]*/b/deeper/up","error":{"code":"symlink_loop","message":"symbolic link loop: leads back to' \
  "deeper/up: symbolic link loop" /dev/null -- "$analyze" "$tree"
check "walk: a link to itself" 1 '"path":"[^"]*/self","error":{"code":"symlink_loop"' \
  "7 documents: 5 analysed, 2 failed (symlink_loop 2)" /dev/null -- "$analyze" "$tree"
rm "$tree/b/deeper/up" "$tree/self"

check "walk: --include" 0 '"path":"[^"]*/z.txt"' "4 documents" /dev/null -- \
  "$analyze" --include '*.txt' "$tree"
if grep -q notes.md "$tmp/out"; then not_ok "walk: --include keeps notes.md" "$tmp/out"; fi
check "walk: --exclude prunes a folder and files" 0 '"path":"[^"]*/z.txt"' "2 documents" /dev/null -- \
  "$analyze" --exclude b --exclude 'two.*' "$tree"
paths "$tmp/out" >"$tmp/got"
printf '%s\n' "$tree/a/one.txt" "$tree/z.txt" >"$tmp/expected"
same "walk: --exclude result" "$tmp/expected" "$tmp/got"

# An unreadable folder: root reads any folder, so drop to an unprivileged
# user for this case when running as root.
mkdir -p "$tmp/locked/closed" && make_doc 6 >"$tmp/locked/open.txt" &&
  make_doc 7 >"$tmp/locked/closed/hidden.txt" && chmod 000 "$tmp/locked/closed"
chmod 755 "$tmp"
as_user=""
if [ "$(id -u)" -eq 0 ]; then
  if command -v setpriv >/dev/null &&
     setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
    as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
  else
    as_user=skip
  fi
fi
if [ "$as_user" = skip ]; then
  echo "ok - unreadable folder # SKIP running as root without setpriv"
elif ! $as_user test -r "$analyze"; then
  echo "ok - unreadable folder # SKIP the program is not readable by an unprivileged user"
else
  check "walk: an unreadable folder is an error record" 1 \
    '"path":"[^"]*/closed","error":{"code":"unreadable","message":"cannot read the directory: Permission denied"' \
    "closed: cannot read the directory" /dev/null -- $as_user "$analyze" "$tmp/locked"
  grep -q '"path":"[^"]*/open.txt","version"' "$tmp/out" &&
    ok "walk: the rest of the tree is analysed" ||
    not_ok "walk: open.txt missing" "$tmp/out"
fi
chmod 700 "$tmp/locked/closed"

# ---- Every input accounted for --------------------------------------------
bad=$tmp/bad
mkdir -p "$bad"
make_doc 8 >"$bad/good.txt"
: >"$bad/empty.txt"
printf 'PK\003\004\000\000binary' >"$bad/archive.zip"
printf 'Un \351t\351 r\351ussi.\n' >"$bad/cp1252.txt"
for i in 9 10 11 12; do make_doc $i; done >"$bad/big.txt"
check "errors: every input has a record" 1 '"code":"binary"' \
  "6 documents: 2 analysed, 4 failed" /dev/null -- "$analyze" --max-bytes 300 "$bad" "$tmp/missing.txt"
[ "$(wc -l <"$tmp/out")" -eq 6 ] && ok "errors: six records for six inputs" ||
  not_ok "errors: not six records" "$tmp/out"
for want in '"path":"[^"]*/empty.txt","error":{"code":"empty"' \
            '"path":"[^"]*/big.txt","error":{"code":"too_large"' \
            '"path":"[^"]*/missing.txt","error":{"code":"unreadable","message":"No such file or directory"' \
            '"path":"[^"]*/cp1252.txt","version":"[^"]*","encoding":"windows-1252"'; do
  grep -q "$want" "$tmp/out" && ok "errors: $want" || not_ok "errors: no $want" "$tmp/out"
done
# A named pipe given as an input is read by its worker, while the files
# around it are read ahead: one worker and a writer that comes late must
# still give three records, in path order.
mkfifo "$tmp/pipe.txt"
( sleep 1; make_doc 13 >"$tmp/pipe.txt" ) &
check "errors: a named pipe among files" 0 '"path":"[^"]*/pipe.txt","version"' \
  "3 documents: 3 analysed, 0 failed" /dev/null -- \
  "$analyze" -j1 "$bad/good.txt" "$tmp/pipe.txt" "$bad/cp1252.txt"
wait
paths "$tmp/out" | sed 's|.*/||' | tr '\n' ' ' | grep -qx 'cp1252.txt good.txt pipe.txt ' &&
  ok "errors: the pipe's record in its place" || not_ok "errors: records out of order" "$tmp/out"
rm -f "$tmp/pipe.txt"
check "errors: --input-errors-ok" 0 '"code":"empty"' "failed" /dev/null -- \
  "$analyze" --input-errors-ok "$bad"
check "errors: --summary-json" 1 '"path"' "empty.txt: empty input" /dev/null -- \
  "$analyze" -q --summary-json "$tmp/summary.json" "$bad"
python3 - "$tmp/summary.json" >"$tmp/py" 2>&1 <<'EOF' && ok "errors: summary JSON counts" || not_ok "errors: summary JSON" "$tmp/py"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["documents"] == 5 and s["analysed"] == 3 and s["failed"] == 2, s
assert s["errors"] == {"binary": 1, "empty": 1}, s
assert sum(s["labels"].values()) == 3 and isinstance(s["mean_score"], float), s
assert isinstance(s["topics"], dict), s
EOF

# ---- Formats -----------------------------------------------------------------
check "formats: one file is a text report" 0 "^  encoding     utf-8" "" /dev/null -- "$analyze" "$tree/z.txt"
check "formats: --format text for several" 0 "^$tree/a/one.txt\$" "2 documents" /dev/null -- \
  "$analyze" --format text "$tree/a/one.txt" "$tree/z.txt"
check "formats: --json for one file is one JSON line" 0 '^{"path":"[^"]*z.txt","version"' "" /dev/null -- \
  "$analyze" --json "$tree/z.txt"
check "formats: --json for one file is the whole result" 0 '"sentences":\[{"start":0' "" /dev/null -- \
  "$analyze" --json "$tree/z.txt"
check "formats: several files give document-level records" 0 \
  '^{"path":"[^"]*z.txt","version":"[^"]*","encoding":"utf-8","stats":{[^}]*},"sentiment":{"score":[^,]*,"label":"[a-z]*","label_fr":"[^"]*","subjectivity":[^,}]*},"topics":\[' \
  "*" /dev/null -- "$analyze" "$tree"
grep -q '"sentences":\[\|"drivers"' "$tmp/out" && not_ok "formats: sentences without --full" "$tmp/out" ||
  ok "formats: no sentences or drivers without --full"
"$analyze" -q --full "$tree" >"$tmp/full" 2>&1
"$analyze" -q --json --tokens "$tree" >"$tmp/tokens" 2>&1
grep -c '"sentences":\[{' "$tmp/full" | grep -qx 5 && grep -c '"tokens":\[{' "$tmp/tokens" | grep -qx 5 &&
  ok "formats: --full and --tokens give whole results" || not_ok "formats: --full" "$tmp/full" "$tmp/tokens"
check "formats: --pretty indents document-level records" 0 '^  "sentiment": {$' "*" /dev/null -- \
  "$analyze" -q --pretty "$tree"
python3 - "$tmp/out" >"$tmp/py" 2>&1 <<'EOF2' && ok "formats: --pretty records are JSON" || not_ok "formats: --pretty JSON" "$tmp/py"
import json, sys
text = open(sys.argv[1], encoding="utf-8").read()
records, decoder, i = [], json.JSONDecoder(), 0
while i < len(text):
    r, i = decoder.raw_decode(text, i)
    records.append(r)
    i += len(text[i:]) - len(text[i:].lstrip())
assert len(records) == 5 and all("stats" in r and "sentences" not in r for r in records), records
EOF2
check "formats: unknown format" 2 "" "unknown output format 'xml'" /dev/null -- "$analyze" --format xml "$tree"
check "formats: bad --jobs" 2 "" "jobs needs a number" /dev/null -- "$analyze" -j 0 "$tree"

# Names that need quoting: comma, quote, tab, line break.
odd=$tmp/odd
mkdir -p "$odd"
make_doc 10 >"$odd/plain.txt"
make_doc 11 >"$odd/a,b.txt"
make_doc 12 >"$odd/say \"hi\".txt"
make_doc 13 >"$odd/tab	here.txt"
make_doc 14 >"$odd/line
break.txt"
check "csv: rows" 0 '^path,label,score,subjectivity,topics,words,encoding,error,message' "*" /dev/null -- \
  "$analyze" -q --format csv "$odd"
grep -q "^\"$odd/a,b.txt\",\|^\"$odd/say \"\"hi\"\".txt\"," "$tmp/out" &&
  ok "csv: quoted fields" || not_ok "csv: quoting" "$tmp/out"
python3 - "$tmp/out" "$odd" >"$tmp/py" 2>&1 <<'EOF' && ok "csv: RFC 4180 round trip" || not_ok "csv: round trip" "$tmp/py"
import csv, os, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    data = f.read()
assert data.endswith("\r\n") and "\r\n" in data.split("\n", 1)[0] + "\n", "rows end with CRLF"
rows = list(csv.reader(data.splitlines(keepends=True)))
assert rows[0] == ["path", "label", "score", "subjectivity", "topics", "words",
                   "encoding", "error", "message"], rows[0]
names = sorted(os.path.join(sys.argv[2], n) for n in os.listdir(sys.argv[2]))
assert [r[0] for r in rows[1:]] == names, ([r[0] for r in rows[1:]], names)
for r in rows[1:]:
    assert len(r) == 9 and r[1] in ("positive", "neutral", "negative"), r
    float(r[2]); float(r[3]); int(r[5])
EOF
check "tsv: rows" 0 '^path	label	score' "*" /dev/null -- "$analyze" -q --format tsv "$odd"
grep -q "^$odd/tab\\\\there.txt	" "$tmp/out" && grep -q "^$odd/line\\\\nbreak.txt	" "$tmp/out" &&
  [ "$(wc -l <"$tmp/out")" -eq 6 ] && ok "tsv: tab and line break escaped" || not_ok "tsv: escapes" "$tmp/out"

# JSON Lines: a name with a control byte or a quote is escaped, a byte that
# is not UTF-8 becomes U+FFFD, and every record reads back as JSON with the
# file's name.
ctl=$tmp/ctl
mkdir -p "$ctl"
make_doc 15 >"$ctl/bell$(printf '\001')x.txt"
make_doc 16 >"$ctl/say \"hi\".txt"
make_doc 17 >"$ctl/$(printf 'caf\351 cr\303\250me.txt')"
"$analyze" -q "$ctl" >"$tmp/ctl.jsonl" 2>/dev/null
python3 - "$tmp/ctl.jsonl" "$ctl" >"$tmp/py" 2>&1 <<'EOF2' && ok "jsonl: escaped names read back" || not_ok "jsonl: names" "$tmp/py" "$tmp/ctl.jsonl"
import json, os, sys
raw = open(sys.argv[1], encoding="utf-8").read()
assert "\\u0001" in raw, raw
paths = [json.loads(line)["path"] for line in raw.split("\n") if line]
names = sorted(os.fsencode(os.path.join(sys.argv[2], n)) for n in os.listdir(sys.argv[2]))
assert paths == [n.decode("utf-8", "replace") for n in names], paths
assert any(p.endswith("caf\ufffd crème.txt") for p in paths), paths
EOF2

# A regular file whose size the system does not tell (procfs says 0) is
# read to its end all the same.
if [ -r /proc/version ] && [ ! -s /proc/version ]; then
  "$analyze" -q --format csv /proc/version "$odd/plain.txt" >"$tmp/proc.csv" 2>/dev/null
  awk -F, 'NR == 2 && $1 == "/proc/version" && $6 >= 5 { found = 1 } END { exit !found }' \
    "$tmp/proc.csv" && ok "files: procfs read whole" || not_ok "files: procfs" "$tmp/proc.csv"
fi

# ---- Threads: the same output whatever -j ----------------------------------
corpus=$tmp/corpus
mkdir -p "$corpus"
for i in $(seq 1 240); do
  d=$corpus/d$((i % 7))
  mkdir -p "$d"
  make_doc "$i" >"$d/doc$i.txt"
done
: >"$corpus/d3/empty.txt"
"$analyze" -q -j1 "$corpus" >"$tmp/j1" 2>"$tmp/j1.err"
s1=$?
"$analyze" -q -j2 "$corpus" >"$tmp/j2" 2>"$tmp/j2.err"
s2=$?
"$analyze" -q -j7 --format csv "$corpus" >"$tmp/j7.csv" 2>/dev/null
"$analyze" -q -j1 --format csv "$corpus" >"$tmp/j1.csv" 2>/dev/null
[ $s1 -eq 1 ] && [ $s2 -eq 1 ] && [ "$(wc -l <"$tmp/j1")" -eq 241 ] &&
  ok "threads: 241 records, exit 1 for the empty file" || not_ok "threads: exit $s1/$s2" "$tmp/j1.err"
same "threads: -j1 and -j2 write the same bytes" "$tmp/j1" "$tmp/j2"
same "threads: -j1 and -j7 write the same CSV" "$tmp/j1.csv" "$tmp/j7.csv"

# ---- Output files and write errors -----------------------------------------
echo "previous content" >"$tmp/result.jsonl"
chmod 640 "$tmp/result.jsonl"
check "-o: writes the file, nothing on stdout" 0 "" "" /dev/null -- \
  "$analyze" -q -o "$tmp/result.jsonl" "$tree"
[ "$(wc -l <"$tmp/result.jsonl")" -eq 5 ] && [ "$(stat -c %a "$tmp/result.jsonl")" = 640 ] &&
  ok "-o: replaced, mode kept" || not_ok "-o: result" "$tmp/result.jsonl"
ls -A "$tmp" | grep -q '^\.result' && not_ok "-o: a temporary file was left" "$tmp/out" ||
  ok "-o: no temporary file left"

# A file size limit makes the write fail half-way: the old file must stay.
echo "previous content" >"$tmp/result.jsonl"
check "-o: a failed write keeps the old file" 4 "" "error writing $tmp/result.jsonl: File too large" /dev/null -- \
  bash -c "trap '' XFSZ; ulimit -f 8; exec \"\$0\" \"\$@\"" "$analyze" -q -o "$tmp/result.jsonl" "$corpus"
[ "$(cat "$tmp/result.jsonl")" = "previous content" ] && ! ls -A "$tmp" | grep -q '^\.result' &&
  ok "-o: old file intact, temporary file removed" || not_ok "-o: after failure" "$tmp/result.jsonl"

if [ -w /dev/full ]; then
  check "disk full: -o /dev/full" 4 "" "error writing /dev/full: No space left on device" /dev/null -- \
    "$analyze" -q -o /dev/full "$corpus"
  check "disk full: stdout on /dev/full" 4 "" "error writing standard output: No space left on device" /dev/null -- \
    sh -c "exec \"\$0\" -q \"\$1\" >/dev/full" "$analyze" "$corpus"
fi
check "-o /dev/null is written, not replaced" 1 "" "empty.txt: empty input" /dev/null -- "$analyze" -q -o /dev/null "$corpus"
[ -c /dev/null ] && ok "/dev/null is still a device" || not_ok "/dev/null replaced" "$tmp/out"

# A reader that goes away: the write fails with EPIPE, exit 4.
{ "$analyze" -q --tokens "$corpus" 2>"$tmp/pipe.err"; echo $? >"$tmp/pipe.status"; } | head -c 100 >/dev/null
[ "$(cat "$tmp/pipe.status")" = 4 ] && grep -q "error writing standard output: Broken pipe" "$tmp/pipe.err" &&
  ok "closed pipe: exit 4 and a message" || not_ok "closed pipe: exit $(cat "$tmp/pipe.status")" "$tmp/pipe.err"

# No progress line when stderr is not a terminal.
"$analyze" "$corpus" >/dev/null 2>"$tmp/err"
if grep -q "$(printf '\r')" "$tmp/err"; then not_ok "progress: drawn on a file" "$tmp/err"; else
  ok "progress: not drawn when stderr is a file"; fi
if command -v script >/dev/null; then
  script -qec "$analyze -o /dev/null $corpus" /dev/null >"$tmp/tty" 2>&1 </dev/null
  grep -q "files, .* MB/s" "$tmp/tty" && ok "progress: drawn on a terminal" ||
    not_ok "progress: no line on a terminal" "$tmp/tty"
fi

finish
