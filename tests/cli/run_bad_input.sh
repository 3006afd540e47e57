#!/bin/sh
# Bad and unusual inputs through the CLI: each case checks the exit status,
# and what stdout or stderr must say.
# Usage: run_bad_input.sh AVIS ANALYZE
set -u
avis=$1
analyze=$2
here=$(cd "$(dirname "$0")" && pwd)
data_dir=$(cd "$here/../.." && pwd)
export AVIS_DATA_DIR="$data_dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# expect NAME STATUS STREAM PATTERN -- COMMAND...: the command must exit with
# STATUS and its STREAM (out or err) must match the grep pattern PATTERN.
expect() {
  name=$1 status=$2 stream=$3 pattern=$4
  shift 5
  "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  got=$?
  if [ "$got" -ne "$status" ]; then
    echo "not ok - $name: exit $got, expected $status"; sed 's/^/#   /' "$tmp/err"
    failed=$((failed + 1)); return
  fi
  if ! grep -q -- "$pattern" "$tmp/$stream"; then
    echo "not ok - $name: std$stream does not match '$pattern'"
    sed 's/^/#   /' "$tmp/$stream" | head -5
    failed=$((failed + 1)); return
  fi
  echo "ok - $name"
  passed=$((passed + 1))
}

: >"$tmp/empty.txt"
printf '  \n\t\n' >"$tmp/blank.txt"
printf 'Bonjour\000\001\002binaire' >"$tmp/nul.bin"
head -c 4096 /bin/sh >"$tmp/program.bin"
# "Un été très réussi, 5 €" in Windows-1252.
printf 'Un \351t\351 tr\350s r\351ussi, 5 \200.\n' >"$tmp/cp1252.txt"
printf '\357\273\277Un film magnifique.\r\nVraiment.\r\n' >"$tmp/bom.txt"
# A 10 MB file on a single line.
yes 'Le film est très bon mais la fin déçoit un peu,' | head -c 10000000 | tr -d '\n' >"$tmp/long.txt"
printf 'Un film magnifique.\n' >"$tmp/ok.txt"
mkdir "$tmp/dir"

expect "empty file" 1 err "empty.txt: .*empty" -- "$analyze" "$tmp/empty.txt"
expect "blank file" 1 err "blank.txt: .*empty" -- "$analyze" "$tmp/blank.txt"
expect "NUL bytes" 1 err "nul.bin: .*binary" -- "$analyze" "$tmp/nul.bin"
expect "executable" 1 err "program.bin: .*binary" -- "$analyze" "$tmp/program.bin"
expect "missing file" 1 err "nope.txt: No such file" -- "$analyze" "$tmp/nope.txt"
expect "empty directory" 0 err "no files to analyse" -- "$analyze" "$tmp/dir"
expect "windows-1252" 0 out "windows-1252" -- "$analyze" "$tmp/cp1252.txt"
expect "windows-1252 decoded" 0 out '"text":"Un été très réussi, 5 €."' -- "$analyze" --json "$tmp/cp1252.txt"
expect "BOM and CRLF" 0 out '"encoding":"utf-8-bom"' -- "$analyze" --json "$tmp/bom.txt"
expect "10 MB line" 0 out '"label":"' -- "$analyze" --json "$tmp/long.txt"
expect "too large" 1 err "ok.txt: .*exceeds the limit" -- "$analyze" --max-bytes 10 "$tmp/ok.txt"
expect "error record in JSON" 1 out '"path":".*empty.txt","error":{"code":"empty"' -- "$analyze" --json "$tmp/empty.txt"
expect "good and bad inputs" 1 out '"path":".*ok.txt"' -- "$analyze" --json "$tmp/ok.txt" "$tmp/nope.txt"
expect "token limit truncates" 0 out '"truncated":true' -- "$analyze" --json --max-tokens 2 "$tmp/ok.txt"
expect "token limit in the report" 0 out "truncated    yes" -- "$analyze" --max-tokens 2 "$tmp/ok.txt"
expect "bad --max-tokens" 2 err "max-tokens" -- "$analyze" --max-tokens lots "$tmp/ok.txt"
expect "no input" 2 err "no input" -- "$analyze"
expect "unknown option" 2 err "Usage" -- "$analyze" --bogus "$tmp/ok.txt"
expect "bad --max-bytes" 2 err "max-bytes" -- "$analyze" --max-bytes lots "$tmp/ok.txt"
expect "bad lexicon format" 2 err "unknown lexicon format" -- "$analyze" --lexicon-format xml --lexicon x "$tmp/ok.txt"
expect "missing lexicon" 3 err "missing.tsv" -- "$analyze" --lexicon "$tmp/missing.tsv" "$tmp/ok.txt"
expect "bad data directory" 3 err "/nonexistent/x/lexicons/fr-polarity.tsv: No such file" -- "$analyze" --data-dir /nonexistent/x "$tmp/ok.txt"
expect "unknown command" 2 err "unknown command" -- "$avis" frobnicate
expect "version" 0 out "^avis [0-9]" -- "$analyze" --version
expect "help" 0 out "Exit status" -- "$avis" analyze --help

# Standard input, and `analyze` behaving as `avis analyze`.
"$analyze" --json - <"$tmp/ok.txt" >"$tmp/stdin.json" 2>&1
"$avis" analyze --json "$tmp/ok.txt" >"$tmp/file.json" 2>&1
if grep -q '"path":"<stdin>"' "$tmp/stdin.json" &&
   [ "$(sed 's/"path":"[^"]*"//' "$tmp/stdin.json")" = "$(sed 's/"path":"[^"]*"//' "$tmp/file.json")" ]; then
  echo "ok - stdin equals file, analyze equals avis analyze"; passed=$((passed + 1))
else
  echo "not ok - stdin/file or analyze/avis analyze differ"; failed=$((failed + 1))
fi

# A closed pipe or full disk must fail the run, not truncate silently.
if [ -w /dev/full ]; then
  expect "disk full" 4 err "error writing" -- sh -c "'$analyze' '$tmp/ok.txt' >/dev/full"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
