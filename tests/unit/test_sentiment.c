/* Sentiment rules, one test per rule. The tables are small and written
 * here, so that a test checks a rule and not the values of the shipped
 * lexicon; the last tests run the shipped data through the public API. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lexicon.h"
#include "sentiment.h"
#include "stem.h"
#include "tokenize.h"
#include "wordcache.h"

static const char lexicon_tsv[] =
    "bon\t0.7\n"
    "excellent\t0.9\n"
    "beau\t0.6\n"
    "génial\t0.9\n"
    "intérêt\t0.5\n"
    "bonheur\t0.8\n"
    "aime\t0.6\n"
    "aimé\t0.5\n"
    "raté\t-0.7\n"
    "mauvais\t-0.7\n"
    "décevant\t-0.6\n"
    "problème\t-0.5\n"
    "défaut\t-0.5\n"
    "cher\t-0.3\n"
    "terrible\t-0.6\n"
    "mal\t-0.5\n"
    "correct\t0.05\n"
    "\U0001F37F\t0.4\n" /* popcorn: not in the built-in table */
    "\u2639\t0.5\n"     /* frowning face, rated against the table */
    "est\t0.5\n"
    "n'importe quoi\t-0.7\n"
    "à la hauteur\t0.6\n";

/* The same polarities plus "pas mal" as an expression of its own. */
static const char lexicon_pas_mal_tsv[] = "bon\t0.7\n"
                                          "mal\t-0.5\n"
                                          "pas mal\t0.3\n";

static const char modifiers_tsv[] = "ne\tne\t1\n"
                                    "n'\tne\t1\n"
                                    "pas\tnegator\t1\n"
                                    "jamais\tnegator\t1\n"
                                    "rien\tnegator\t1\n"
                                    "aucun\tnegator\t1\n"
                                    "sans\tnegator\t1\n"
                                    "ni\tnegator\t1\n"
                                    "plus\tneg_plus\t1\n"
                                    "point\tneg_plus\t1\n"
                                    "très\tintensifier\t1.5\n"
                                    "vraiment\tintensifier\t1.4\n"
                                    "peu\tdiminisher\t-0.5\n"
                                    "un peu\tdiminisher\t0.6\n"
                                    "mais\tcontrast\t1.5\n"
                                    "pourtant\tcontrast\t1.5\n"
                                    "en revanche\tcontrast\t1.5\n"
                                    "malgré\tcontrast\t0.5\n"
                                    "même si\tcontrast\t0.5\n";

typedef struct {
  avis_lexicon lex;
  avis_modifiers mods;
  avis_stemmer *stemmer;
  avis_word_cache *words;
} tables;

typedef struct {
  avis_buf arena;
  avis_vec toks;
  avis_sentiment s;
} analysis;

static tables main_tables, pas_mal_tables;

static int load_tables(tables *t, const char *lexicon, size_t len) {
  memset(t, 0, sizeof *t);
  avis_word_sources sources = {.lexicon = &t->lex, .modifiers = &t->mods};
  if (avis_stemmer_new(&t->stemmer) ||
      avis_lexicon_load_buffer(&t->lex, "test", lexicon, len,
                               AVIS_LEXICON_TSV, 1) ||
      avis_lexicon_finish(&t->lex, t->stemmer) ||
      avis_modifiers_load_buffer(&t->mods, "test", modifiers_tsv,
                                 sizeof modifiers_tsv - 1) ||
      avis_word_cache_new(&t->words, &sources, t->stemmer))
    return -1;
  return 0;
}

static void release_tables(tables *t) {
  avis_word_cache_free(t->words);
  avis_lexicon_release(&t->lex);
  avis_modifiers_release(&t->mods);
  avis_stemmer_free(t->stemmer);
}

static int setup(void **state) {
  (void)state;
  if (load_tables(&main_tables, lexicon_tsv, sizeof lexicon_tsv - 1) ||
      load_tables(&pas_mal_tables, lexicon_pas_mal_tsv,
                  sizeof lexicon_pas_mal_tsv - 1))
    return -1;
  return 0;
}

static int teardown(void **state) {
  (void)state;
  release_tables(&main_tables);
  release_tables(&pas_mal_tables);
  return 0;
}

/* Tokenises, normalises and stems like the analyzer, then scores. */
static void analyse_len(const tables *t, const char *text, size_t len,
                        analysis *a) {
  memset(a, 0, sizeof *a);
  assert_int_equal(avis_tokenize(text, len, &a->toks), 0);
  avis_tok *toks = a->toks.data;
  size_t n = a->toks.len;
  const avis_word *words;
  assert_int_equal(
      avis_word_cache_resolve(t->words, text, toks, n, &a->arena, &words), 0);
  size_t nsent = n ? toks[n - 1].sentence + 1 : 0;
  assert_int_equal(avis_sentiment_score(toks, words, n, nsent, &a->arena,
                                        &t->lex, &t->mods, &a->s),
                   0);
  assert_true(a->s.score >= -1.0 && a->s.score <= 1.0);
}

static void analyse(const tables *t, const char *text, analysis *a) {
  analyse_len(t, text, strlen(text), a);
}

static void release(analysis *a) {
  avis_sentiment_release(&a->s);
  avis_vec_release(&a->toks);
  avis_buf_release(&a->arena);
}

static double score_with(const tables *t, const char *text) {
  analysis a;
  analyse(t, text, &a);
  double score = a.s.score;
  release(&a);
  return score;
}

static double score(const char *text) { return score_with(&main_tables, text); }

static const avis_driver *drivers(const analysis *a, size_t *n) {
  *n = a->s.drivers.len;
  return a->s.drivers.data;
}

/* The driver whose lexicon term is `term`; fails the test when none. */
static const avis_driver *driver_for(const analysis *a, const char *term) {
  size_t n;
  const avis_driver *d = drivers(a, &n);
  for (size_t i = 0; i < n; i++)
    if (d[i].term_len == strlen(term) &&
        memcmp(a->arena.data + d[i].term_off, term, d[i].term_len) == 0)
      return &d[i];
  fail_msg("no driver for \"%s\"", term);
  return NULL;
}

/* The rule flags of the driver for `term` in `text`. */
static unsigned rules_of(const char *text, const char *term) {
  analysis a;
  analyse(&main_tables, text, &a);
  unsigned rules = driver_for(&a, term)->rules;
  release(&a);
  return rules;
}

/* ---- Plain polarity -------------------------------------------------- */

static void test_positive_word(void **state) {
  (void)state;
  assert_true(score("Ce film est bon.") > 0);
  assert_true(score("Ce film est mauvais.") < 0);
}

static void test_no_polar_word_is_neutral(void **state) {
  (void)state;
  analysis a;
  analyse(&main_tables, "Le train part à midi.", &a);
  assert_true(a.s.score == 0.0);
  assert_int_equal(a.s.label, AVIS_NEUTRAL);
  assert_int_equal(a.s.drivers.len, 0);
  assert_true(a.s.subjectivity == 0.0);
  release(&a);
}

static void test_stem_match(void **state) {
  (void)state;
  unsigned rules = rules_of("Des acteurs bons.", "bon");
  assert_true(rules & AVIS_RULE_STEM);
  assert_false(rules_of("Un acteur bon.", "bon") & AVIS_RULE_STEM);
}

/* A stem match is less certain than a form match: it weighs less. */
static void test_stem_weighs_less(void **state) {
  (void)state;
  analysis a, b;
  analyse(&main_tables, "Des acteurs bons.", &a);
  analyse(&main_tables, "Un acteur bon.", &b);
  assert_true(driver_for(&a, "bon")->contribution > 0);
  assert_true(driver_for(&a, "bon")->contribution <
              driver_for(&b, "bon")->contribution);
  release(&a);
  release(&b);
}

/* Lexicons lean positive: a barely positive word reads as slightly
 * negative once the calibration offset is paid, though its own
 * contribution stays positive. */
static void test_calibration_offset(void **state) {
  (void)state;
  analysis a;
  analyse(&main_tables, "C'est correct.", &a);
  assert_true(driver_for(&a, "correct")->contribution > 0);
  assert_true(a.s.score < 0);
  release(&a);
}

static void test_function_words_never_polar(void **state) {
  (void)state;
  analysis a;
  /* "est" is rated in the test lexicon, as some general lexicons do. */
  analyse(&main_tables, "Il est là.", &a);
  assert_int_equal(a.s.drivers.len, 0);
  release(&a);
}

static int function_word(const char *s) {
  return avis_is_function_word(s, strlen(s));
}

/* The list's ends, its longest words, and words beside them. */
static void test_function_word_list(void **state) {
  (void)state;
  static const char *const words[] = {"a", "être", "faudrait", "étaient",
                                      "c'", "qu'", "où", "ça", "cela", "y"};
  for (size_t i = 0; i < sizeof words / sizeof *words; i++)
    assert_true(function_word(words[i]));
  static const char *const others[] = {"", "b", "à-", "faudraie", "étaien",
                                       "cel", "celas", "z", "faudraits",
                                       "aa", "êtres", "ab"};
  for (size_t i = 0; i < sizeof others / sizeof *others; i++)
    assert_false(function_word(others[i]));
}

static void test_links_and_handles_skipped(void **state) {
  (void)state;
  analysis a;
  analyse(&main_tables, "@bon http://bon.example.org bon@example.org", &a);
  assert_int_equal(a.s.drivers.len, 0);
  release(&a);
}

static void test_hashtag(void **state) {
  (void)state;
  assert_true(score("Soirée #génial") > 0);
}

static void test_expression(void **state) {
  (void)state;
  analysis a;
  analyse(&main_tables, "C'est n'importe quoi.", &a);
  const avis_driver *d = driver_for(&a, "n' importe quoi");
  assert_true(d->rules & AVIS_RULE_EXPRESSION);
  assert_int_equal(d->ntok, 3);
  assert_true(a.s.score < 0);
  release(&a);
}

/* Every word of an expression must be there: a start alone matches
 * nothing, and the words of the full expression match it whole. */
static void test_expression_needs_every_word(void **state) {
  (void)state;
  analysis a;
  analyse(&main_tables, "Il est à la maison.", &a);
  assert_int_equal(a.s.drivers.len, 0);
  release(&a);
  analyse(&main_tables, "Il est à la hauteur.", &a);
  const avis_driver *d = driver_for(&a, "à la hauteur");
  assert_true(d->rules & AVIS_RULE_EXPRESSION);
  assert_int_equal(d->ntok, 3);
  release(&a);
}

/* ---- Negation -------------------------------------------------------- */

static void test_negation_ne_pas(void **state) {
  (void)state;
  assert_true(score("Ce film n'est pas bon.") < 0);
  assert_true(rules_of("Ce film n'est pas bon.", "bon") & AVIS_RULE_NEGATED);
}

static void test_negation_typographic_apostrophe(void **state) {
  (void)state;
  assert_true(score("Ce film n\u2019est pas bon") < 0);
}

static void test_negated_negative(void **state) {
  (void)state;
  assert_true(score("Il n'est jamais décevant.") > 0);
}

static void test_negated_verb_between_ne_and_pas(void **state) {
  (void)state;
  assert_true(score("Je n'aime pas ce film.") < 0);
  assert_true(rules_of("Je n'aime pas ce film.", "aime") & AVIS_RULE_NEGATED);
}

static void test_negation_shrinks(void **state) {
  (void)state;
  /* A negated positive is a weaker negative than a plain negative. */
  double negated = score("Ce film n'est pas bon.");
  double plain = score("Ce film est mauvais.");
  assert_true(negated < 0 && plain < negated);
}

static void test_restrictive_ne_que(void **state) {
  (void)state;
  assert_true(score("Je ne regarde que des bons films") > 0);
  assert_false(rules_of("Je ne regarde que des bons films", "bon") &
               AVIS_RULE_NEGATED);
}

static void test_ne_plus_negates(void **state) {
  (void)state;
  assert_true(score("Il n'y a plus de problème.") > 0);
  assert_true(rules_of("Il n'y a plus de problème.", "problème") &
              AVIS_RULE_NEGATED);
}

static void test_ne_plus_que_restrictive(void **state) {
  (void)state;
  assert_true(score("Il n'y a plus que des problèmes.") < 0);
}

static void test_plus_without_ne(void **state) {
  (void)state;
  assert_true(score("plus de bonheur") > 0);
  assert_false(rules_of("plus de bonheur", "bonheur") & AVIS_RULE_NEGATED);
  assert_true(score("de plus en plus beau") > 0);
  assert_true(score("le plus beau") > 0);
}

static void test_point_without_ne(void **state) {
  (void)state;
  assert_false(rules_of("Le point fort : un scénario bon.", "bon") &
               AVIS_RULE_NEGATED);
  assert_true(score("Ce n'est point bon.") < 0);
}

static void test_informal_negation(void **state) {
  (void)state;
  assert_true(score("C'est pas bon.") < 0);
  assert_true(score("pas bon") < 0);
}

static void test_sans(void **state) {
  (void)state;
  assert_true(score("Un film sans intérêt.") < 0);
  assert_true(score("Sans aucun problème.") > 0); /* one negation */
}

static void test_double_negation(void **state) {
  (void)state;
  double twice = score("Ce n'est pas sans intérêt.");
  assert_true(twice > 0);
  assert_true(twice < score("Il y a de l'intérêt."));
}

static void test_ne_jamais_rien_is_one_negation(void **state) {
  (void)state;
  assert_true(score("Il ne fait jamais rien de bon.") < 0);
}

static void test_jamais_vu_exclaims(void **state) {
  (void)state;
  assert_true(score("Jamais vu un film aussi mauvais.") < 0);
  assert_true(score("Jamais décevant.") > 0);
}

static void test_negation_ends_at_comma(void **state) {
  (void)state;
  analysis a;
  analyse(&main_tables, "Ce n'est pas cher, et c'est excellent", &a);
  const avis_driver *cher = driver_for(&a, "cher");
  const avis_driver *excellent = driver_for(&a, "excellent");
  assert_true(cher->rules & AVIS_RULE_NEGATED);
  assert_false(excellent->rules & AVIS_RULE_NEGATED);
  assert_true(excellent->contribution > 0);
  assert_true(a.s.score > 0);
  release(&a);
}

static void test_negation_window(void **state) {
  (void)state;
  assert_false(rules_of("Ce n'est pas souvent que le cinéma offre un film "
                        "aussi bon.",
                        "bon") &
               AVIS_RULE_NEGATED);
  assert_true(rules_of("Je n'ai pas du tout aimé.", "aimé") & AVIS_RULE_NEGATED);
}

static void test_negation_ends_at_sentence(void **state) {
  (void)state;
  assert_false(rules_of("Je ne sais pas. C'est bon.", "bon") &
               AVIS_RULE_NEGATED);
}

static void test_negated_expression(void **state) {
  (void)state;
  assert_true(score("Ce n'est pas à la hauteur.") < 0);
}

static void test_pas_mal_builtin(void **state) {
  (void)state;
  assert_true(score("pas mal") > 0);
  assert_true(score("Ce n'est pas mal du tout.") > 0);
  assert_true(rules_of("C'est pas mal.", "pas mal") & AVIS_RULE_EXPRESSION);
}

static void test_pas_mal_lexicon(void **state) {
  (void)state;
  analysis a;
  analyse(&pas_mal_tables, "Ce n'est pas mal.", &a);
  const avis_driver *d = driver_for(&a, "pas mal");
  assert_true(d->rules & AVIS_RULE_EXPRESSION);
  assert_false(d->rules & AVIS_RULE_NEGATED);
  assert_true(a.s.score > 0);
  release(&a);
}

static void test_pas_mal_de_is_a_quantity(void **state) {
  (void)state;
  assert_true(score("Il y a pas mal de défauts.") < 0);
}

static void test_pas_terrible(void **state) {
  (void)state;
  assert_true(score("C'est pas terrible.") < 0);
  assert_true(score("Ce n'est pas terrible.") < 0);
}

/* ---- Intensity ------------------------------------------------------- */

static void test_intensifier_and_diminisher(void **state) {
  (void)state;
  double very = score("C'est très bon.");
  double plain = score("C'est bon.");
  double little = score("C'est un peu bon.");
  assert_true(very > plain);
  assert_true(plain > little);
  assert_true(little > 0);
  assert_true(rules_of("C'est très bon.", "bon") & AVIS_RULE_INTENSIFIED);
  assert_true(rules_of("C'est un peu bon.", "bon") & AVIS_RULE_DIMINISHED);
}

static void test_negative_diminisher_turns(void **state) {
  (void)state;
  /* "peu" has a negative weight: "peu intéressant" is uninteresting. */
  assert_true(score("Un film peu bon.") < 0);
}

static void test_intensifier_window(void **state) {
  (void)state;
  assert_true(rules_of("Un très beau et bon film.", "beau") &
              AVIS_RULE_INTENSIFIED);
  /* Used up by the first polar word, and stopped by a comma. */
  assert_false(rules_of("Un très beau et bon film.", "bon") &
               AVIS_RULE_INTENSIFIED);
  assert_false(rules_of("Vraiment, c'est bon.", "bon") & AVIS_RULE_INTENSIFIED);
  /* Too far away. */
  assert_false(rules_of("Très souvent au cinéma le soir on est bon.", "bon") &
               AVIS_RULE_INTENSIFIED);
}

/* Runs of words that no rule reads are counted at once: elided clitics
 * count toward the negation window but not toward an intensifier's. */
static void test_windows_over_elided_clitics(void **state) {
  (void)state;
  assert_true(rules_of("Ce n'est pas du tout l'bon.", "bon") &
              AVIS_RULE_NEGATED);
  assert_false(rules_of("Ce n'est pas du tout et l'bon.", "bon") &
               AVIS_RULE_NEGATED);
  assert_true(rules_of("Un film très joli et l'bon.", "bon") &
              AVIS_RULE_INTENSIFIED);
  assert_false(rules_of("Un film très joli et puis bon.", "bon") &
               AVIS_RULE_INTENSIFIED);
}

static void test_negated_intensified(void **state) {
  (void)state;
  double s = score("Ce n'est pas très bon.");
  assert_true(s < 0);
  assert_true(s > score("C'est très mauvais."));
}

/* ---- Contrast ---------------------------------------------------------- */

static void test_contrast_mais(void **state) {
  (void)state;
  assert_true(score("Les acteurs sont bons, mais le scénario est raté.") < 0);
  assert_true(score("Le scénario est raté, mais les acteurs sont bons.") > 0);
  analysis a;
  analyse(&main_tables, "Les acteurs sont bons, mais le scénario est raté.",
          &a);
  assert_true(driver_for(&a, "bon")->rules & AVIS_RULE_BEFORE_CONTRAST);
  assert_true(driver_for(&a, "raté")->rules & AVIS_RULE_CONTRAST);
  release(&a);
}

static void test_contrast_expression(void **state) {
  (void)state;
  assert_true(
      score("Les acteurs sont bons ; en revanche le scénario est raté.") < 0);
}

static void test_contrast_sentence_initial(void **state) {
  (void)state;
  assert_true(score("Les acteurs sont bons. Mais le scénario est raté.") < 0);
  assert_true(score("Le scénario est raté. Pourtant les acteurs sont bons.") >
              0);
}

static void test_contrast_mais_aussi(void **state) {
  (void)state;
  assert_false(rules_of("Non seulement bon mais aussi beau.", "bon") &
               AVIS_RULE_BEFORE_CONTRAST);
}

static void test_concession(void **state) {
  (void)state;
  assert_true(score("Le film est bon malgré un scénario raté.") > 0);
  assert_true(
      score("Même si les acteurs sont bons, le scénario est raté.") < 0);
  assert_true(rules_of("Même si les acteurs sont bons, le scénario est raté.",
                       "bon") &
              AVIS_RULE_BEFORE_CONTRAST);
}

/* ---- Emphasis, questions, symbols ------------------------------------- */

static void test_emphasis(void **state) {
  (void)state;
  double caps = score("C'est BON !");
  double bang = score("c'est bon !");
  double plain = score("c'est bon");
  assert_true(caps > bang);
  assert_true(bang > plain);
  assert_true(rules_of("C'est BON !", "bon") & AVIS_RULE_EMPHASIS);
}

/* Every punctuation token holding '!' emphasises its whole sentence,
 * wherever it stands; a '!' in a link, or a lookalike, does not. */
static void test_emphasis_forms(void **state) {
  (void)state;
  static const char *const emphasised[] = {
      "c'est bon !",       "c'est bon!!!",   "c'est bon ?!",
      "bon ! et c'est ça", "Ah ! c'est bon", "c'est bon !?",
      "c'est bon !\u0301",
  };
  static const char *const plain[] = {
      "c'est bon",
      "c'est bon http://ex.fr/#!/a",
      "c'est bon \u203C",
      "c'est bon. Fini !",
  };
  for (size_t i = 0; i < sizeof emphasised / sizeof *emphasised; i++)
    assert_true(rules_of(emphasised[i], "bon") & AVIS_RULE_EMPHASIS);
  for (size_t i = 0; i < sizeof plain / sizeof *plain; i++)
    assert_false(rules_of(plain[i], "bon") & AVIS_RULE_EMPHASIS);
}

static void test_question_damped(void **state) {
  (void)state;
  double q = score("Est-ce bon ?");
  assert_true(q > 0);
  assert_true(q < score("C'est bon."));
  assert_true(rules_of("Est-ce bon ?", "bon") & AVIS_RULE_QUESTION);
  assert_false(rules_of("Est-ce bon ? Oui, c'est bon.", "bon") &
               AVIS_RULE_QUESTION);
  /* A closing quote after the '?' leaves it the last punctuation. */
  assert_true(rules_of("« Est-ce bon ? »", "bon") & AVIS_RULE_QUESTION);
}

static void test_emoticons(void **state) {
  (void)state;
  assert_true(score(":)") > 0);
  assert_true(score("Vu hier :-)") > 0);
  assert_true(score("Vu hier :D") > 0);
  assert_true(score("<3") > 0);
  assert_true(score("Vu hier :(") < 0);
  assert_true(score("Vu hier :'(") < 0);
}

static void test_emoji(void **state) {
  (void)state;
  assert_true(score("Vu hier \U0001F600") > 0);
  assert_true(score("Vu hier \U0001F44D\U0001F3FD") > 0); /* skin tone */
  assert_true(score("Vu hier \u2764\uFE0F") > 0);         /* red heart */
  assert_true(score("Vu hier \U0001F621") < 0);
  assert_true(score("Vu hier \U0001F44E") < 0);
}

static void test_emoji_from_lexicon(void **state) {
  (void)state;
  assert_true(score("Vu hier \U0001F37F") > 0);
  assert_true(score("Vu hier \U0001F37F\uFE0F") > 0); /* variation selector */
  /* The lexicon overrides the built-in table. */
  assert_true(score("Vu hier \u2639\uFE0F") > 0);
}

/* ---- Document ---------------------------------------------------------- */

static void test_drivers_sorted(void **state) {
  (void)state;
  analysis a;
  analyse(&main_tables, "Un problème. Un film excellent. Un bon moment.", &a);
  size_t n;
  const avis_driver *d = drivers(&a, &n);
  assert_int_equal(n, 3);
  for (size_t i = 1; i < n; i++)
    assert_true(fabs(d[i - 1].contribution) >= fabs(d[i].contribution));
  assert_int_equal(d[0].sentence, 1);
  assert_memory_equal(a.arena.data + d[0].term_off, "excellent", 9);
  release(&a);
}

static void test_sentence_scores(void **state) {
  (void)state;
  analysis a;
  analyse(&main_tables, "C'est bon. Le train part. C'est raté.", &a);
  assert_int_equal(a.s.sentences.len, 3);
  const double *s = a.s.sentences.data;
  assert_true(s[0] > 0);
  assert_true(s[1] == 0.0);
  assert_true(s[2] < 0);
  release(&a);
}

/* Sentences of every length from 1 to 40 words, each opening with a
 * polar word, every other one ending in '!': each is found whole,
 * whatever its length. */
static void test_sentences_of_every_length(void **state) {
  (void)state;
  enum { SENTENCES = 40 };
  char text[SENTENCES * (SENTENCES * 3 + 16)] = "";
  for (size_t k = 1; k <= SENTENCES; k++) {
    strcat(text, "Bon");
    for (size_t i = 2; i <= k; i++)
      strcat(text, " le");
    strcat(text, k % 2 ? " ! " : ". ");
  }
  analysis a;
  analyse(&main_tables, text, &a);
  assert_int_equal(a.s.sentences.len, SENTENCES);
  size_t n;
  const avis_driver *d = drivers(&a, &n);
  assert_int_equal(n, SENTENCES);
  const avis_tok *toks = a.toks.data;
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(d[i].sentence, toks[d[i].tok].sentence);
    /* Odd lengths end in '!'. */
    int emphasis = (d[i].rules & AVIS_RULE_EMPHASIS) != 0;
    assert_int_equal(emphasis, d[i].sentence % 2 == 0);
    assert_true(((const double *)a.s.sentences.data)[d[i].sentence] > 0);
  }
  release(&a);
}

static void test_score_bounded(void **state) {
  (void)state;
  char text[4000] = "";
  for (int i = 0; i < 300; i++)
    strcat(text, "excellent ");
  double s = score(text);
  assert_true(s > 0.9 && s <= 1.0);
}

static void test_label_band(void **state) {
  (void)state;
  assert_int_equal(avis_label_for_score(0.0), AVIS_NEUTRAL);
  assert_int_equal(avis_label_for_score(0.01), AVIS_NEUTRAL);
  assert_int_equal(avis_label_for_score(-0.01), AVIS_NEUTRAL);
  assert_int_equal(avis_label_for_score(0.5), AVIS_POSITIVE);
  assert_int_equal(avis_label_for_score(-0.5), AVIS_NEGATIVE);
}

static void test_subjectivity(void **state) {
  (void)state;
  analysis a;
  analyse(&main_tables, "bon film", &a);
  assert_true(fabs(a.s.subjectivity - 0.5) < 1e-9);
  release(&a);
}

static void test_emotions(void **state) {
  (void)state;
  static const char feel[] =
      "id;word;polarity;joy;fear;sadness;anger;surprise;disgust\n"
      "1;joyeux;positive;1;0;0;0;1;0\n"
      "2;triste;negative;0;0;1;0;0;0\n";
  tables t;
  memset(&t, 0, sizeof t);
  assert_int_equal(avis_stemmer_new(&t.stemmer), 0);
  assert_int_equal(avis_lexicon_load_buffer(&t.lex, "feel", feel,
                                            sizeof feel - 1,
                                            AVIS_LEXICON_FEEL, 1),
                   0);
  assert_int_equal(avis_lexicon_finish(&t.lex, t.stemmer), 0);
  assert_int_equal(avis_modifiers_load_buffer(&t.mods, "test", modifiers_tsv,
                                              sizeof modifiers_tsv - 1),
                   0);
  avis_word_sources sources = {.lexicon = &t.lex, .modifiers = &t.mods};
  assert_int_equal(avis_word_cache_new(&t.words, &sources, t.stemmer), 0);
  analysis a;
  analyse(&t, "Un enfant joyeux, un parent triste, un chien joyeux.", &a);
  assert_true(a.s.has_emotions);
  assert_true(fabs(a.s.emotions[AVIS_EMOTION_JOIE] - 2.0 / 3.0) < 1e-9);
  assert_true(fabs(a.s.emotions[AVIS_EMOTION_TRISTESSE] - 1.0 / 3.0) < 1e-9);
  assert_true(fabs(a.s.emotions[AVIS_EMOTION_SURPRISE] - 2.0 / 3.0) < 1e-9);
  assert_true(a.s.emotions[AVIS_EMOTION_PEUR] == 0.0);
  release(&a);
  release_tables(&t);
}

static char *repeat(const char *unit, size_t times, size_t *len) {
  size_t n = strlen(unit);
  char *text = malloc(n * times + 1);
  assert_non_null(text);
  for (size_t i = 0; i < times; i++)
    memcpy(text + i * n, unit, n);
  *len = n * times;
  text[*len] = '\0';
  return text;
}

/* Expression terms are appended to the arena as the scorer goes: enough of
 * them to move it, and every term must still read right. */
static void test_terms_survive_arena_growth(void **state) {
  (void)state;
  size_t reps = 5000, len;
  char *text = repeat("n'importe quoi, ", reps, &len);
  analysis a;
  analyse_len(&main_tables, text, len, &a);
  size_t n;
  const avis_driver *d = drivers(&a, &n);
  assert_int_equal(n, reps);
  for (size_t i = 0; i < n; i++)
    assert_memory_equal(a.arena.data + d[i].term_off, "n' importe quoi", 15);
  release(&a);
  free(text);
}

/* More drivers than a short document holds, many of the same strength:
 * strongest first, and in text order among equals. */
/* Around the count sorted on the stack, and far past it. */
static void test_many_drivers_sorted(void **state) {
  (void)state;
  static const size_t counts[] = {2, 16, 17, 150};
  for (size_t c = 0; c < sizeof counts / sizeof *counts; c++) {
    size_t reps = counts[c], len;
    char *text = repeat("bon, raté, excellent, cher. ", reps, &len);
    analysis a;
    analyse_len(&main_tables, text, len, &a);
    size_t n;
    const avis_driver *d = drivers(&a, &n);
    assert_int_equal(n, 4 * reps);
    for (size_t i = 1; i < n; i++) {
      float prev = fabsf(d[i - 1].contribution);
      float cur = fabsf(d[i].contribution);
      assert_true(prev > cur || (prev == cur && d[i - 1].tok < d[i].tok));
    }
    release(&a);
    free(text);
  }
}

/* ---- Hostile inputs ------------------------------------------------------ */

/* One million "ne pas " in one sentence: every rule that looks back must
 * look back once, or this does not finish within the test timeout. */
static void test_linear_negations(void **state) {
  (void)state;
  size_t len;
  char *text = repeat("ne pas bon ", 1000000, &len);
  analysis a;
  analyse_len(&main_tables, text, len, &a);
  assert_true(a.s.score < 0);
  release(&a);
  free(text);
}

static void test_linear_contrasts(void **state) {
  (void)state;
  size_t len;
  char *text = repeat("bon mais raté pourtant ", 300000, &len);
  analysis a;
  analyse_len(&main_tables, text, len, &a);
  assert_int_equal(a.s.drivers.len, 600000);
  release(&a);
  free(text);
}

static void test_linear_sentence_initial_contrasts(void **state) {
  (void)state;
  size_t len;
  char *text = repeat("Mais bon. ", 300000, &len);
  analysis a;
  analyse_len(&main_tables, text, len, &a);
  assert_true(a.s.score > 0);
  release(&a);
  free(text);
}

/* ---- Shipped data, through the public API ------------------------------ */

static double api_score(avis_analyzer *an, const char *text) {
  avis_result *r = NULL;
  assert_int_equal(avis_analyze(an, text, strlen(text), &r), 0);
  double s = avis_result_score(r);
  avis_result_free(r);
  return s;
}

static void test_shipped_model(void **state) {
  (void)state;
  avis_model_options *opts = NULL;
  avis_model *model = NULL;
  avis_analyzer *an = NULL;
  assert_int_equal(avis_model_options_new(&opts), 0);
  assert_int_equal(avis_model_options_set_data_dir(opts, AVIS_TEST_DATA_DIR), 0);
  assert_int_equal(avis_model_load(&model, opts), 0);
  assert_int_equal(avis_analyzer_new(&an, model), 0);
  assert_true(api_score(an, "Un film excellent, je le recommande.") > 0);
  assert_true(api_score(an, "Un film nul, une perte de temps.") < 0);
  assert_true(api_score(an, "Ce film n'est pas bon.") < 0);
  assert_true(
      api_score(an, "Les acteurs sont bons, mais le scénario est raté.") < 0);
  avis_analyzer_free(an);
  avis_model_free(model);
  avis_model_options_free(opts);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_positive_word),
      cmocka_unit_test(test_no_polar_word_is_neutral),
      cmocka_unit_test(test_stem_match),
      cmocka_unit_test(test_stem_weighs_less),
      cmocka_unit_test(test_calibration_offset),
      cmocka_unit_test(test_function_words_never_polar),
      cmocka_unit_test(test_function_word_list),
      cmocka_unit_test(test_links_and_handles_skipped),
      cmocka_unit_test(test_hashtag),
      cmocka_unit_test(test_expression),
      cmocka_unit_test(test_expression_needs_every_word),
      cmocka_unit_test(test_negation_ne_pas),
      cmocka_unit_test(test_negation_typographic_apostrophe),
      cmocka_unit_test(test_negated_negative),
      cmocka_unit_test(test_negated_verb_between_ne_and_pas),
      cmocka_unit_test(test_negation_shrinks),
      cmocka_unit_test(test_restrictive_ne_que),
      cmocka_unit_test(test_ne_plus_negates),
      cmocka_unit_test(test_ne_plus_que_restrictive),
      cmocka_unit_test(test_plus_without_ne),
      cmocka_unit_test(test_point_without_ne),
      cmocka_unit_test(test_informal_negation),
      cmocka_unit_test(test_sans),
      cmocka_unit_test(test_double_negation),
      cmocka_unit_test(test_ne_jamais_rien_is_one_negation),
      cmocka_unit_test(test_jamais_vu_exclaims),
      cmocka_unit_test(test_negation_ends_at_comma),
      cmocka_unit_test(test_negation_window),
      cmocka_unit_test(test_negation_ends_at_sentence),
      cmocka_unit_test(test_negated_expression),
      cmocka_unit_test(test_pas_mal_builtin),
      cmocka_unit_test(test_pas_mal_lexicon),
      cmocka_unit_test(test_pas_mal_de_is_a_quantity),
      cmocka_unit_test(test_pas_terrible),
      cmocka_unit_test(test_intensifier_and_diminisher),
      cmocka_unit_test(test_negative_diminisher_turns),
      cmocka_unit_test(test_intensifier_window),
      cmocka_unit_test(test_windows_over_elided_clitics),
      cmocka_unit_test(test_negated_intensified),
      cmocka_unit_test(test_contrast_mais),
      cmocka_unit_test(test_contrast_expression),
      cmocka_unit_test(test_contrast_sentence_initial),
      cmocka_unit_test(test_contrast_mais_aussi),
      cmocka_unit_test(test_concession),
      cmocka_unit_test(test_emphasis),
      cmocka_unit_test(test_emphasis_forms),
      cmocka_unit_test(test_question_damped),
      cmocka_unit_test(test_emoticons),
      cmocka_unit_test(test_emoji),
      cmocka_unit_test(test_emoji_from_lexicon),
      cmocka_unit_test(test_drivers_sorted),
      cmocka_unit_test(test_sentence_scores),
      cmocka_unit_test(test_sentences_of_every_length),
      cmocka_unit_test(test_score_bounded),
      cmocka_unit_test(test_label_band),
      cmocka_unit_test(test_subjectivity),
      cmocka_unit_test(test_emotions),
      cmocka_unit_test(test_terms_survive_arena_growth),
      cmocka_unit_test(test_many_drivers_sorted),
      cmocka_unit_test(test_linear_negations),
      cmocka_unit_test(test_linear_contrasts),
      cmocka_unit_test(test_linear_sentence_initial_contrasts),
      cmocka_unit_test(test_shipped_model),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
