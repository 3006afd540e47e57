/* Polarity lexicons: the three file formats, detection, normalisation of
 * terms, overrides, stems, expressions, malformed lines and files, and
 * the shipped default lexicon. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lexicon.h"
#include "lexicon_io.h"
#include "stem.h"

#define FIXTURE(name) AVIS_TEST_FIXTURES "/lexicons/" name
#define EPS 1e-6

static const avis_lex_entry *form(const avis_lexicon *lex, const char *s) {
  return avis_lexicon_form(lex, s, strlen(s));
}

static const avis_lex_entry *must_form(const avis_lexicon *lex,
                                       const char *s) {
  const avis_lex_entry *e = form(lex, s);
  if (!e)
    fail_msg("'%s' not in the lexicon", s);
  return e;
}

static const avis_lex_source *source(const avis_lexicon *lex, size_t i) {
  assert_true(i < lex->sources.len);
  return (const avis_lex_source *)lex->sources.data + i;
}

static int load(avis_lexicon *lex, const char *text, avis_lexicon_format f,
                int strict) {
  return avis_lexicon_load_buffer(lex, "buf", text, strlen(text), f, strict);
}

static void assert_error_contains(const char *needle) {
  if (!strstr(avis_last_error(), needle))
    fail_msg("error \"%s\" lacks \"%s\"", avis_last_error(), needle);
}

static void tsv_values_and_normalisation(void **state) {
  (void)state;
  avis_lexicon lex = {0};
  assert_int_equal(avis_lexicon_load_file(&lex, FIXTURE("tiny.tsv"),
                                          AVIS_LEXICON_TSV, 1),
                   0);
  const avis_lex_source *src = source(&lex, 0);
  assert_int_equal(src->entries, 8);
  assert_int_equal(src->skipped, 0);
  assert_int_equal(src->format, AVIS_LEXICON_TSV);
  assert_true(src->has_emotions && lex.has_emotions);
  assert_string_equal(src->path, FIXTURE("tiny.tsv"));

  const avis_lex_entry *e = must_form(&lex, "superbe");
  assert_float_equal(e->polarity, 0.8, EPS);
  assert_float_equal(e->subjectivity, 0.9, EPS);
  assert_int_equal(e->nwords, 1);
  assert_int_equal(e->source, 0);

  e = must_form(&lex, "affreux"); /* written "Affreux" */
  assert_int_equal(e->emotions, (1u << AVIS_EMOTION_DEGOUT) |
                                    (1u << AVIS_EMOTION_COLERE));
  e = must_form(&lex, "coup de cœur");
  assert_int_equal(e->nwords, 3);
  assert_true(e->subjectivity < 0);
  assert_int_equal(e->emotions, 1u << AVIS_EMOTION_JOIE);
  /* Typographic apostrophe, clitic split off as the tokeniser does. */
  assert_int_equal(must_form(&lex, "n' importe quoi")->nwords, 3);
  assert_null(form(&lex, "n'importe quoi"));
  /* Hyphenated words stay whole. */
  assert_int_equal(must_form(&lex, "chef-d'œuvre")->nwords, 1);
  e = must_form(&lex, "neutre");
  assert_float_equal(e->polarity, 0, EPS);
  assert_int_equal(e->emotions, 0);
  assert_float_equal(must_form(&lex, "espacé")->polarity, 0.25, EPS);
  assert_null(form(&lex, "absent"));
  avis_lexicon_release(&lex);
}

static void detects_each_format(void **state) {
  (void)state;
  static const struct {
    const char *file;
    avis_lexicon_format format;
  } cases[] = {{FIXTURE("tiny.tsv"), AVIS_LEXICON_TSV},
               {FIXTURE("bom-crlf.tsv"), AVIS_LEXICON_TSV},
               {FIXTURE("feel.csv"), AVIS_LEXICON_FEEL},
               {FIXTURE("vader.txt"), AVIS_LEXICON_VADER},
               {FIXTURE("vader-arrow.txt"), AVIS_LEXICON_VADER}};
  avis_lexicon lex = {0};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    assert_int_equal(avis_lexicon_load_file(&lex, cases[i].file,
                                            AVIS_LEXICON_AUTO, 0),
                     0);
    assert_int_equal(source(&lex, i)->format, cases[i].format);
  }
  avis_lexicon_release(&lex);

  assert_int_equal(load(&lex, "# only a comment\n\nbonjour\n",
                        AVIS_LEXICON_AUTO, 0),
                   AVIS_ERR_FORMAT);
  assert_error_contains("buf:3: cannot tell the lexicon format");
  avis_lexicon_release(&lex);
}

static void feel_format(void **state) {
  (void)state;
  avis_lexicon lex = {0};
  assert_int_equal(avis_lexicon_load_file(&lex, FIXTURE("feel.csv"),
                                          AVIS_LEXICON_FEEL, 0),
                   0);
  assert_int_equal(source(&lex, 0)->entries, 5);
  assert_int_equal(source(&lex, 0)->skipped, 1); /* "neutral" */
  assert_true(lex.has_emotions);
  const avis_lex_entry *e = must_form(&lex, "sourire");
  assert_float_equal(e->polarity, 0.5, EPS);
  assert_int_equal(e->emotions, 1u << AVIS_EMOTION_JOIE);
  e = must_form(&lex, "cauchemar");
  assert_float_equal(e->polarity, -0.5, EPS);
  assert_int_equal(e->emotions, (1u << AVIS_EMOTION_PEUR) |
                                    (1u << AVIS_EMOTION_TRISTESSE));
  assert_int_equal(must_form(&lex, "répugnant")->emotions,
                   1u << AVIS_EMOTION_DEGOUT);
  assert_int_equal(must_form(&lex, "bonne humeur")->nwords, 2);
  avis_lexicon_release(&lex);

  assert_int_equal(avis_lexicon_load_file(&lex, FIXTURE("feel.csv"),
                                          AVIS_LEXICON_FEEL, 1),
                   AVIS_ERR_FORMAT);
  assert_error_contains("feel.csv:6: polarity is neither");
  avis_lexicon_release(&lex);
}

static void vader_formats(void **state) {
  (void)state;
  avis_lexicon lex = {0};
  assert_int_equal(avis_lexicon_load_file(&lex, FIXTURE("vader.txt"),
                                          AVIS_LEXICON_VADER, 1),
                   0);
  assert_false(lex.has_emotions);
  assert_float_equal(must_form(&lex, "radieux")->polarity, 0.7, EPS);
  assert_float_equal(must_form(&lex, "sinistre")->polarity, -0.6, EPS);
  assert_float_equal(must_form(&lex, ":-)")->polarity, 0.4, EPS);
  assert_int_equal(must_form(&lex, "d' accord")->nwords, 2);
  assert_true(must_form(&lex, "radieux")->subjectivity < 0);

  assert_int_equal(avis_lexicon_load_file(&lex, FIXTURE("vader-arrow.txt"),
                                          AVIS_LEXICON_VADER, 0),
                   0);
  assert_int_equal(source(&lex, 1)->entries, 4);
  assert_int_equal(source(&lex, 1)->skipped, 1); /* 5.0 is off the scale */
  assert_float_equal(must_form(&lex, "ravi")->polarity, 0.6, EPS);
  assert_float_equal(must_form(&lex, ":->")->polarity, -0.2, EPS);
  assert_float_equal(must_form(&lex, "mal aimé")->polarity, -0.4, EPS);
  /* The later file overrides: */
  assert_float_equal(must_form(&lex, "sinistre")->polarity, -0.5, EPS);
  assert_int_equal(must_form(&lex, "sinistre")->source, 1);
  avis_lexicon_release(&lex);
}

static void later_files_override(void **state) {
  (void)state;
  avis_lexicon lex = {0};
  assert_int_equal(avis_lexicon_load_file(&lex, FIXTURE("tiny.tsv"),
                                          AVIS_LEXICON_AUTO, 1),
                   0);
  assert_int_equal(avis_lexicon_load_file(&lex, FIXTURE("override.tsv"),
                                          AVIS_LEXICON_AUTO, 1),
                   0);
  assert_int_equal(lex.sources.len, 2);
  assert_int_equal(source(&lex, 1)->entries, 3);
  const avis_lex_entry *e = must_form(&lex, "superbe");
  assert_float_equal(e->polarity, 0.2, EPS);
  assert_true(e->subjectivity < 0); /* the whole entry is replaced */
  assert_int_equal(e->source, 1);
  assert_float_equal(must_form(&lex, "pas mal")->polarity, 0.6, EPS);
  assert_int_equal(must_form(&lex, "affreux")->source, 0);
  assert_non_null(form(&lex, "inédit"));
  /* One entry per form: 8 + 1 new. */
  assert_int_equal(lex.forms.count, 9);

  /* Within one file the last line wins. */
  assert_int_equal(load(&lex, "ravi\t0.5\nRavi\t0.9\n", AVIS_LEXICON_TSV, 1),
                   0);
  assert_float_equal(must_form(&lex, "ravi")->polarity, 0.9, EPS);
  avis_lexicon_release(&lex);
}

static const avis_lex_entry *by_stem(const avis_lexicon *lex,
                                     avis_stemmer *st, const char *word) {
  size_t n;
  const char *stem = avis_stem(st, word, strlen(word), &n);
  assert_non_null(stem);
  return avis_lexicon_stem(lex, stem, n);
}

static const avis_lex_entry *must_stem(const avis_lexicon *lex,
                                       avis_stemmer *st, const char *word) {
  const avis_lex_entry *e = by_stem(lex, st, word);
  if (!e)
    fail_msg("no stem entry for '%s'", word);
  return e;
}

static void stems_cover_inflections(void **state) {
  (void)state;
  avis_stemmer *st;
  assert_int_equal(avis_stemmer_new(&st), 0);
  avis_lexicon lex = {0};
  assert_int_equal(avis_lexicon_load_file(&lex, FIXTURE("stems.tsv"),
                                          AVIS_LEXICON_AUTO, 1),
                   0);
  assert_int_equal(load(&lex, "pas mal\t0.4\n", AVIS_LEXICON_TSV, 1), 0);
  assert_int_equal(avis_lexicon_finish(&lex, st), 0);

  assert_null(form(&lex, "décevante"));
  const avis_lex_entry *e = must_stem(&lex, st, "décevante");
  assert_float_equal(e->polarity, -0.5, EPS); /* mean of the two forms */
  assert_int_equal(e->nwords, 1);
  /* A stem with a single form points at that form's entry. */
  assert_ptr_equal(by_stem(&lex, st, "magnifiques"),
                   must_form(&lex, "magnifique"));
  assert_null(by_stem(&lex, st, "pas")); /* expressions have no stem */

  /* A later file decides for the stems it has; finish can be rerun. */
  assert_int_equal(load(&lex, "décevant\t-0.9\n", AVIS_LEXICON_TSV, 1), 0);
  assert_null(avis_lexicon_stem(&lex, "décev", strlen("décev")));
  assert_int_equal(avis_lexicon_finish(&lex, st), 0);
  assert_float_equal(must_stem(&lex, st, "décevantes")->polarity, -0.9, EPS);
  assert_ptr_equal(by_stem(&lex, st, "magnifiques"),
                   must_form(&lex, "magnifique"));
  avis_lexicon_release(&lex);
  avis_stemmer_free(st);
}

static void expression_first_words(void **state) {
  (void)state;
  avis_stemmer *st;
  assert_int_equal(avis_stemmer_new(&st), 0);
  avis_lexicon lex = {0};
  assert_int_equal(avis_lexicon_load_file(&lex, FIXTURE("tiny.tsv"),
                                          AVIS_LEXICON_AUTO, 1),
                   0);
  assert_int_equal(load(&lex, "pas du tout drôle\t-0.5\npas top\t-0.4\n",
                        AVIS_LEXICON_TSV, 1),
                   0);
  assert_int_equal(avis_lexicon_finish(&lex, st), 0);
  assert_int_equal(avis_lexicon_mwe_max(&lex, "pas", 3), 4);
  assert_int_equal(avis_lexicon_mwe_max(&lex, "coup", 4), 3);
  assert_int_equal(avis_lexicon_mwe_max(&lex, "n'", 2), 3);
  assert_int_equal(avis_lexicon_mwe_max(&lex, "superbe", 7), 0);
  assert_int_equal(avis_lexicon_mwe_max(&lex, "chef-d'œuvre",
                                        strlen("chef-d'œuvre")),
                   0);
  avis_lexicon_release(&lex);
  avis_stemmer_free(st);
}

static void bad_lines_lenient_and_strict(void **state) {
  (void)state;
  avis_lexicon lex = {0};
  assert_int_equal(avis_lexicon_load_file(&lex, FIXTURE("bad.tsv"),
                                          AVIS_LEXICON_AUTO, 0),
                   0);
  assert_int_equal(source(&lex, 0)->entries, 2);
  assert_int_equal(source(&lex, 0)->skipped, 8);
  assert_non_null(form(&lex, "bon"));
  assert_non_null(form(&lex, "fâcheux"));
  assert_null(form(&lex, "joli"));
  avis_lexicon_release(&lex);

  assert_int_equal(avis_lexicon_load_file(&lex, FIXTURE("bad.tsv"),
                                          AVIS_LEXICON_AUTO, 1),
                   AVIS_ERR_FORMAT);
  assert_error_contains(FIXTURE("bad.tsv") ":3: polarity outside [-1, 1]");
  avis_lexicon_release(&lex);

  static const struct {
    const char *text, *message;
  } cases[] = {
      {"a\t0.1\nb\t0,5\n", "buf:2: decimal comma"},
      {"a\t1e3\n", "buf:1: not a decimal number"},
      {"a\t0.1\t0.2\tjoie,envie\n", "buf:1: unknown emotion 'envie'"},
      {"a\n", "buf:1: expected term<TAB>polarity"},
      {"\t0.5\n", "buf:1: empty term"},
      {"a b c d e f g h i\t0.5\n", "buf:1: term too long"},
      {"a\t0.5\t1.01\n", "buf:1: subjectivity outside [0, 1]"},
      {"# avis-lexicon 2\na\t0.5\n", "buf:1: unsupported avis-lexicon version"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    assert_int_equal(load(&lex, cases[i].text, AVIS_LEXICON_TSV, 1),
                     AVIS_ERR_FORMAT);
    assert_error_contains(cases[i].message);
    avis_lexicon_release(&lex);
  }
}

static void bad_files(void **state) {
  (void)state;
  avis_lexicon lex = {0};
  assert_int_equal(avis_lexicon_load_file(&lex, FIXTURE("missing.tsv"),
                                          AVIS_LEXICON_AUTO, 0),
                   AVIS_ERR_IO);
  assert_error_contains(FIXTURE("missing.tsv") ": ");
  assert_int_equal(avis_lexicon_load_file(&lex, FIXTURE(""),
                                          AVIS_LEXICON_AUTO, 0),
                   AVIS_ERR_IO);
#ifdef __linux__
  /* A file that never ends is cut off at the size limit. */
  assert_int_equal(avis_lexicon_load_file(&lex, "/dev/zero",
                                          AVIS_LEXICON_AUTO, 0),
                   AVIS_ERR_TOO_LARGE);
  assert_error_contains("/dev/zero: larger than 256 MiB");
#endif

  static const char binary[] = "a\t0.5\nb\0\t0.5\n";
  assert_int_equal(avis_lexicon_load_buffer(&lex, "bin.tsv", binary,
                                            sizeof binary - 1,
                                            AVIS_LEXICON_AUTO, 0),
                   AVIS_ERR_BINARY);
  assert_error_contains("bin.tsv:2: binary file");
  assert_int_equal(load(&lex, "a\t0.5\n\nd\xE9\xE7u\t-0.5\n",
                        AVIS_LEXICON_AUTO, 0),
                   AVIS_ERR_ENCODING);
  assert_error_contains("buf:3: not valid UTF-8");
  assert_int_equal(lex.sources.len, 0); /* nothing was loaded */

  assert_int_equal(avis_lexicon_load_file(&lex, FIXTURE("bom-crlf.tsv"),
                                          AVIS_LEXICON_AUTO, 1),
                   0);
  assert_float_equal(must_form(&lex, "bravo")->polarity, 0.7, EPS);
  assert_float_equal(must_form(&lex, "dommage")->polarity, -0.4, EPS);

  assert_int_equal(avis_lexicon_load_buffer(&lex, "empty", NULL, 0,
                                            AVIS_LEXICON_AUTO, 1),
                   0);
  assert_int_equal(source(&lex, 1)->entries, 0);
  assert_int_equal(avis_lexicon_load_buffer(NULL, "x", "", 0,
                                            AVIS_LEXICON_AUTO, 1),
                   AVIS_ERR_ARG);
  assert_int_equal(avis_lexicon_load_file(&lex, NULL, AVIS_LEXICON_AUTO, 1),
                   AVIS_ERR_ARG);
  assert_null(avis_lexicon_form(NULL, "a", 1));
  assert_int_equal(avis_lexicon_mwe_max(NULL, "a", 1), 0);
  avis_lexicon_release(&lex);
  avis_lexicon_release(NULL);
}

/* Any byte sequence is rejected or loaded, never a crash: lines of
 * fields, separators and digits in every mix. */
static void hostile_input(void **state) {
  (void)state;
  static const char alphabet[] = "ab\t;-.>0912,#[ \n\r'";
  char text[4096];
  uint32_t x = 12345;
  for (int round = 0; round < 300; round++) {
    size_t n = (size_t)(round * 13 % (sizeof text - 1));
    for (size_t i = 0; i < n; i++) {
      x = x * 1103515245u + 12345u;
      text[i] = alphabet[(x >> 16) % (sizeof alphabet - 1)];
    }
    avis_lexicon lex = {0};
    int rc = avis_lexicon_load_buffer(&lex, "fuzz", text, n,
                                      (avis_lexicon_format)(round % 4), 0);
    assert_true(rc == 0 || rc == AVIS_ERR_FORMAT);
    avis_lexicon_release(&lex);
  }

  char digits[200];
  memset(digits, '9', sizeof digits);
  avis_span f = {digits, sizeof digits};
  double v;
  const char *problem;
  assert_int_equal(avis_parse_decimal(f, &v, &problem), AVIS_ERR_FORMAT);
}

static void decimals(void **state) {
  (void)state;
  static const struct {
    const char *text;
    double value;
  } good[] = {{"0.5", 0.5},
              {"-0.35", -0.35},
              {"+2", 2},
              {".25", 0.25},
              {"-1", -1},
              {"0.000001", 1e-6},
              {"3.", 3},
              {"0", 0},
              {"12345678901234567890", 1.2345678901234567e19}};
  for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
    double v = -99;
    const char *problem = NULL;
    avis_span f = {good[i].text, strlen(good[i].text)};
    assert_int_equal(avis_parse_decimal(f, &v, &problem), 0);
    assert_float_equal(v, good[i].value, 1e-9 * (1 + good[i].value));
  }
  static const char *const bad[] = {"", "-", ".", "0,5", "1e5", "1.2.3",
                                    "0x10", " ", "nan", "1-"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    double v;
    const char *problem = NULL;
    avis_span f = {bad[i], strlen(bad[i])};
    assert_int_equal(avis_parse_decimal(f, &v, &problem), AVIS_ERR_FORMAT);
    assert_non_null(problem);
  }
}

/* A French LC_NUMERIC writes and reads "0,5"; the loader must not care. */
static void independent_of_locale(void **state) {
  (void)state;
  static const char *const names[] = {"fr_FR.UTF-8", "fr_FR.utf8", "fr_FR",
                                      "de_DE.UTF-8"};
  const char *set = NULL;
  for (size_t i = 0; !set && i < sizeof names / sizeof *names; i++)
    set = setlocale(LC_NUMERIC, names[i]);
  if (!set || strcmp(localeconv()->decimal_point, ",") != 0) {
    setlocale(LC_NUMERIC, "C");
    print_message("(no locale with a decimal comma: sub-check skipped)\n");
    return;
  }
  avis_lexicon lex = {0};
  int rc = avis_lexicon_load_file(&lex, FIXTURE("tiny.tsv"),
                                  AVIS_LEXICON_AUTO, 1);
  setlocale(LC_NUMERIC, "C");
  assert_int_equal(rc, 0);
  assert_float_equal(must_form(&lex, "superbe")->polarity, 0.8, EPS);
  assert_float_equal(must_form(&lex, "espacé")->polarity, 0.25, EPS);
  avis_lexicon_release(&lex);
}

static void shipped_default_lexicon(void **state) {
  (void)state;
  avis_stemmer *st;
  assert_int_equal(avis_stemmer_new(&st), 0);
  avis_lexicon lex = {0};
  const char *path = AVIS_TEST_DATA_DIR "/lexicons/fr-polarity.tsv";
  assert_int_equal(avis_lexicon_load_file(&lex, path, AVIS_LEXICON_AUTO, 1),
                   0);
  const avis_lex_source *src = source(&lex, 0);
  assert_int_equal(src->format, AVIS_LEXICON_TSV);
  assert_int_equal(src->skipped, 0);
  assert_true(src->entries > 5000);
  /* Generated with unique normalised terms: one form per line. */
  assert_int_equal(lex.forms.count, src->entries);
  assert_int_equal(avis_lexicon_finish(&lex, st), 0);

  assert_true(must_form(&lex, "magnifique")->polarity > 0.5);
  assert_true(must_form(&lex, "catastrophe")->polarity < -0.5);
  assert_true(must_form(&lex, "coup de cœur")->polarity > 0.5);
  assert_true(must_form(&lex, "coup de coeur")->polarity > 0.5);
  assert_true(must_form(&lex, "pas mal")->polarity > 0);
  assert_true(must_form(&lex, "n' importe quoi")->polarity < 0);
  assert_true(avis_lexicon_mwe_max(&lex, "perte", 5) >= 3);
  assert_true(must_stem(&lex, st, "sauvera")->polarity > 0);
  assert_true(must_stem(&lex, st, "aggravera")->polarity < 0);
  assert_true(must_stem(&lex, st, "menaçantes")->polarity < 0);
  assert_true(must_form(&lex, "condamnent")->polarity < 0);
  /* Modifier words are not polar terms. */
  assert_null(form(&lex, "très"));
  assert_null(form(&lex, "pas"));
  assert_null(form(&lex, "grave"));
  avis_lexicon_release(&lex);
  avis_stemmer_free(st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(tsv_values_and_normalisation),
      cmocka_unit_test(detects_each_format),
      cmocka_unit_test(feel_format),
      cmocka_unit_test(vader_formats),
      cmocka_unit_test(later_files_override),
      cmocka_unit_test(stems_cover_inflections),
      cmocka_unit_test(expression_first_words),
      cmocka_unit_test(bad_lines_lenient_and_strict),
      cmocka_unit_test(bad_files),
      cmocka_unit_test(hostile_input),
      cmocka_unit_test(decimals),
      cmocka_unit_test(independent_of_locale),
      cmocka_unit_test(shipped_default_lexicon),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
