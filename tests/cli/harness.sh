# Shared by the batch, stream and parallel tests (sourced, not run): a
# temporary folder, TAP-like results, a command check and French sentences
# to make documents from. The sourcing script sets `analyze` first.
here=$(cd "$(dirname "$0")" && pwd)
export AVIS_DATA_DIR="$(cd "$here/../.." && pwd)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

ok() { echo "ok - $1"; passed=$((passed + 1)); }

# not_ok NAME [FILE...]: a failure, with the start of each file as comments.
not_ok() {
  echo "not ok - $1"
  shift
  for f in "$@"; do sed 's/^/#   /' "$f" | cut -c1-300 | head -8; done
  failed=$((failed + 1))
}

# check NAME STATUS OUT ERR INPUT -- COMMAND...: the command reads INPUT and
# must exit with STATUS; its stdout and stderr (kept in $tmp/out and
# $tmp/err) must match the grep patterns OUT and ERR ("" for an empty
# stream, "*" for anything).
check() {
  local name=$1 status=$2 out=$3 err=$4 input=$5 stream pattern
  shift 6
  "$@" <"$input" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" -ne "$status" ]; then
    not_ok "$name: exit $got, expected $status" "$tmp/err"; return 1
  fi
  for stream in out err; do
    pattern=$out
    [ $stream = err ] && pattern=$err
    if [ -z "$pattern" ] && [ -s "$tmp/$stream" ]; then
      not_ok "$name: std$stream should be empty" "$tmp/$stream"; return 1
    fi
    if [ -n "$pattern" ] && [ "$pattern" != "*" ] &&
       ! grep -q -- "$pattern" "$tmp/$stream"; then
      not_ok "$name: std$stream does not match '$pattern'" "$tmp/$stream"
      return 1
    fi
  done
  ok "$name"
}

# same NAME EXPECTED ACTUAL: two files must be equal.
same() {
  if cmp -s "$2" "$3"; then ok "$1"; else
    diff "$2" "$3" | head -4 >"$tmp/diff"; not_ok "$1: differs" "$tmp/diff"; fi
}

# The summary line of a test script, and its exit status.
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

sentences=(
  "Le film est magnifique et les acteurs sont excellents."
  "Le service était lent et le repas franchement décevant."
  "La réunion du conseil municipal a eu lieu jeudi soir."
  "Je ne suis pas du tout satisfait de cet achat."
  "Une belle surprise : l’équipe a gagné le match avec brio !"
  "Les prix de l’énergie augmentent encore cet hiver."
  "Ce n’est pas mauvais, mais ce n’est pas très bon non plus."
)

# doc_text N: three sentences chosen by N, different for nearby N.
doc_text() {
  local n=$1 k=${#sentences[@]}
  printf '%s %s %s' "${sentences[$((n % k))]}" "${sentences[$(((n / k) % k))]}" \
    "${sentences[$(((n * 3 + 1) % k))]}"
}
