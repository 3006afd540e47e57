#!/bin/sh
# Topic tagging through the CLI: the shipped model on articles that must
# carry several tags, train/evaluate/dump on a small fixture, determinism,
# and a damaged model rejected with a message naming it.
# Usage: run_topics.sh AVIS REPO_ROOT
set -u
avis=$1
root=$2
fixtures=$root/tests/fixtures/topics
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $1"; failed=$((failed + 1)); }
# A known gap of the shipped model is still checked and reported, as a TAP
# TODO, without failing the run; it shows when it starts to pass. The club
# article's economy share (6%) is below the model's tagging floor of 1/K
# (docs/topics.md).
known_gaps="club-finances-sponsor.txt: tagged economy"
is_known_gap() {
  case "$known_gaps" in *"$1"*) return 0 ;; esac
  return 1
}

# Multi-topic articles: every topic named must be tagged, every topic
# prefixed with '!' must not be. Besides the two op-eds on banning a
# foreign video app (regulation, geopolitics, advertising, technology),
# articles on a football club's finances, a drug approval, the
# decarbonisation of a steelworks, a presidential election and coalition
# talks abroad (national politics, not relations between states), a border
# summit between two states, a data-protection fine against a social
# network and a car maker's advertising campaign.
check_tags() {
  article=$1
  shift
  "$avis" analyze --data-dir "$root" --json "$article" >"$tmp/out.json" 2>"$tmp/err"
  for want in "$@"; do
    topic=${want#!}
    if grep -q "\"id\":\"$topic\",\"name\":\"[^\"]*\",\"share\":[0-9.e-]*,\"tagged\":true" "$tmp/out.json"; then
      tagged=yes
    else
      tagged=no
    fi
    if [ "$want" = "$topic" ]; then
      expected=yes
      what="tagged $topic"
    else
      expected=no
      what="not tagged $topic"
    fi
    check="$(basename "$article"): $what"
    if is_known_gap "$check"; then
      if [ "$tagged" = "$expected" ]; then
        echo "ok - $check # TODO known gap, now passes"
      else
        echo "not ok - $check # TODO known gap"
      fi
    elif [ "$tagged" = "$expected" ]; then
      ok "$check"
    else
      not_ok "$check"
    fi
  done
}
if [ -f "$root/models/topics-fr.avm" ]; then
  for article in "$root/examples/articles/tribune-application-video.txt" \
                 "$fixtures/tribune-interdiction-reseau.txt"; do
    check_tags "$article" regulation geopolitics advertising technology \
      '!sport' '!environment'
  done
  check_tags "$fixtures/club-finances-sponsor.txt" sport economy \
    '!health' '!environment' '!geopolitics'
  check_tags "$fixtures/autorisation-medicament.txt" health regulation \
    '!sport' '!environment' '!culture'
  check_tags "$fixtures/acier-decarbonation.txt" environment economy \
    '!sport' '!health' '!culture'
  check_tags "$fixtures/election-presidentielle-opposition.txt" politics \
    '!geopolitics' '!sport' '!culture'
  check_tags "$fixtures/coalition-espagne.txt" politics \
    '!geopolitics' '!sport' '!health'
  check_tags "$fixtures/sommet-frontiere.txt" geopolitics \
    '!politics' '!sport' '!health'
  check_tags "$fixtures/amende-donnees-plateforme.txt" regulation technology \
    '!sport' '!health' '!geopolitics'
  check_tags "$fixtures/campagne-publicitaire-voiture.txt" advertising economy \
    '!sport' '!health' '!geopolitics'
fi

# Training from a directory per label, twice: the same bytes.
for run in 1 2; do
  mkdir "$tmp/$run"
  (cd "$tmp/$run" &&
   "$avis" train nb --data-dir "$root" --topics "$fixtures/small.seeds" \
     --min-df 1 --date 2025-01-01 -o m.avm "$fixtures/labelled" \
     --unlabelled "$fixtures/unlabelled.txt" --format auto) 2>"$tmp/train.err"
done
cp "$tmp/1/m.avm" "$tmp/m1.avm"
if cmp -s "$tmp/1/m.avm" "$tmp/2/m.avm" && grep -q "wrote" "$tmp/train.err"; then
  ok "train nb is deterministic"
else
  not_ok "train nb is deterministic"; sed 's/^/#   /' "$tmp/train.err"
fi

if "$avis" evaluate --data-dir "$root" --model "$tmp/m1.avm" \
     "$fixtures/labelled.tsv" >"$tmp/eval" 2>/dev/null &&
   grep -q '^accuracy   1.0000' "$tmp/eval" && grep -q '^confusion' "$tmp/eval"; then
  ok "evaluate reports accuracy and a confusion matrix"
else
  not_ok "evaluate"; sed 's/^/#   /' "$tmp/eval"
fi

if "$avis" evaluate --data-dir "$root" --cv 2 --min-df 1 \
     "$fixtures/labelled.tsv" >"$tmp/cv" 2>/dev/null && grep -q '^macro-F1' "$tmp/cv"; then
  ok "evaluate --cv"
else
  not_ok "evaluate --cv"
fi

if "$avis" dump "$tmp/m1.avm" >"$tmp/dump" && grep -q '^date: 2025-01-01' "$tmp/dump" &&
   grep -q '^sport	' "$tmp/dump"; then
  ok "dump shows provenance and labels"
else
  not_ok "dump"
fi

head -c 300 "$tmp/m1.avm" >"$tmp/bad.avm"
"$avis" analyze --data-dir "$root" --model "$tmp/bad.avm" "$fixtures/tribune-interdiction-reseau.txt" \
  >/dev/null 2>"$tmp/err"
status=$?
if [ "$status" -eq 3 ] && grep -q "bad.avm" "$tmp/err"; then
  ok "a truncated model is rejected, naming the file"
else
  not_ok "a truncated model is rejected (exit $status)"; sed 's/^/#   /' "$tmp/err"
fi

# The thread count changes nothing in the model file: a corpus written
# here (each document sentences of its topic's words and a word of its
# own, so that every reading thread meets terms the others have not;
# weather is known from seed words only, through EM) trained with one,
# two and three threads, the count given in each form the options take.
awk -v lab="$tmp/threads.tsv" -v unl="$tmp/threads-unlabelled.tsv" 'BEGIN {
  split("match club joueur entraîneur championnat victoire équipe stade", w0, " ")
  split("recette beurre farine sucre chef sauce gâteau cuisson", w1, " ")
  split("météo pluie orage vent neige nuage tempête prévision", w2, " ")
  for (d = 0; d < 150; d++) {
    t = d % 3
    text = sprintf("Le mot zk%c%c revient.", 97 + d % 26, 97 + int(d / 26) % 26)
    for (s = 0; s < 3; s++)
      for (k = 0; k < 6; k++) {
        x = (d * 7 + s * 5 + k * k * 3) % 8 + 1
        word = t == 0 ? w0[x] : t == 1 ? w1[x] : w2[x]
        text = text " " word (k == 5 ? "." : "")
      }
    if (t == 2 || d % 5 == 0) {
      print text > unl
    } else {
      label = t ? "food" : "sport"
      print label "\t" text > lab
    }
  }
}'
printf '[sport] Sport\nmatch club joueur\n[food] Cuisine\nrecette beurre\n[weather] Météo\nmétéo pluie orage vent neige\n' \
  >"$tmp/threads.seeds"
threads_ok=yes
for j in "--threads 1" "-j 2" "--threads=3" "-j3"; do
  # shellcheck disable=SC2086 # $j is an option and its value
  "$avis" train nb --data-dir "$root" --topics "$tmp/threads.seeds" --min-df 1 \
    --date 2025-01-01 $j -o "$tmp/threads.avm" "$tmp/threads.tsv" \
    --unlabelled "$tmp/threads-unlabelled.tsv" 2>"$tmp/threads.err" ||
    threads_ok="no ($j failed)"
  if [ "$j" = "--threads 1" ]; then
    mv "$tmp/threads.avm" "$tmp/threads-1.avm"
  elif ! cmp -s "$tmp/threads.avm" "$tmp/threads-1.avm"; then
    threads_ok="no ($j gives another model)"
  fi
done
if [ "$threads_ok" = yes ] && grep -q "seed words give .* weather" "$tmp/threads.err" &&
   "$avis" dump "$tmp/threads-1.avm" | grep -q '^command: avis train nb --data-dir' &&
   ! "$avis" dump "$tmp/threads-1.avm" | grep -q -e '--threads' -e ' -j'; then
  ok "the thread count changes nothing in the model file"
else
  not_ok "the thread count changes nothing in the model file: $threads_ok"
  sed 's/^/#   /' "$tmp/threads.err"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
