/* Modifier lists: kinds, weights, expressions, overrides, malformed lines,
 * and the shipped lexicons/modifiers.tsv. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "lexicon.h"

#define FIXTURE(name) AVIS_TEST_FIXTURES "/lexicons/" name
#define EPS 1e-6

static const avis_modifier *get(const avis_modifiers *mods, const char *s) {
  return avis_modifiers_get(mods, s, strlen(s));
}

static const avis_modifier *must_get(const avis_modifiers *mods,
                                     const char *s) {
  const avis_modifier *m = get(mods, s);
  if (!m)
    fail_msg("'%s' not in the modifier list", s);
  return m;
}

static int load(avis_modifiers *mods, const char *text) {
  return avis_modifiers_load_buffer(mods, "buf", text, strlen(text));
}

static void assert_error_contains(const char *needle) {
  if (!strstr(avis_last_error(), needle))
    fail_msg("error \"%s\" lacks \"%s\"", avis_last_error(), needle);
}

static void kinds_weights_and_expressions(void **state) {
  (void)state;
  avis_modifiers mods = {0};
  assert_int_equal(avis_modifiers_load_file(&mods, FIXTURE("mods.tsv")), 0);
  assert_int_equal(must_get(&mods, "ne")->kind, AVIS_MOD_NE);
  assert_int_equal(must_get(&mods, "n'")->kind, AVIS_MOD_NE); /* "N’" */
  assert_int_equal(must_get(&mods, "pas")->kind, AVIS_MOD_NEGATOR);
  assert_int_equal(must_get(&mods, "plus")->kind, AVIS_MOD_NEG_PLUS);
  assert_int_equal(must_get(&mods, "mais")->kind, AVIS_MOD_CONTRAST);
  assert_float_equal(must_get(&mods, "mais")->weight, 1.5, EPS);

  const avis_modifier *m = must_get(&mods, "très");
  assert_int_equal(m->kind, AVIS_MOD_INTENSIFIER);
  assert_float_equal(m->weight, 1.7, EPS); /* the later line wins */
  assert_int_equal(m->nwords, 1);

  m = must_get(&mods, "un peu");
  assert_int_equal(m->kind, AVIS_MOD_DIMINISHER);
  assert_int_equal(m->nwords, 2);
  assert_float_equal(m->weight, 0.6, EPS);
  assert_float_equal(must_get(&mods, "peu")->weight, -0.5, EPS);
  assert_int_equal(must_get(&mods, "en revanche")->kind, AVIS_MOD_CONTRAST);

  assert_int_equal(avis_modifiers_mwe_max(&mods, "un", 2), 4);
  assert_int_equal(avis_modifiers_mwe_max(&mods, "en", 2), 2);
  assert_int_equal(avis_modifiers_mwe_max(&mods, "pas", 3), 0);
  assert_null(get(&mods, "vraiment"));
  avis_modifiers_release(&mods);
  avis_modifiers_release(NULL);
}

static void malformed_lines_fail_with_their_line(void **state) {
  (void)state;
  avis_modifiers mods = {0};
  assert_int_equal(avis_modifiers_load_file(&mods, FIXTURE("mods-bad.tsv")),
                   AVIS_ERR_FORMAT);
  assert_error_contains(FIXTURE("mods-bad.tsv") ":3: unknown kind");
  avis_modifiers_release(&mods);

  static const struct {
    const char *text, *message;
  } cases[] = {
      {"très\tintensifier\n", "buf:1: expected term<TAB>kind<TAB>weight"},
      {"très\tintensifier\t1.5\textra\n", "buf:1: expected term<TAB>kind"},
      {"# c\n\ntrès\tintensifier\t1,5\n", "buf:3: decimal comma"},
      {"très\tintensifier\t0.8\n", "buf:1: intensifier weight outside"},
      {"peu\tdiminisher\t1.2\n", "buf:1: diminisher weight outside"},
      {"mais\tcontrast\t0\n", "buf:1: contrast weight outside"},
      {"\tnegator\t1\n", "buf:1: empty term"},
      {"# avis-modifiers 3\npas\tnegator\t1\n",
       "buf:1: unsupported avis-modifiers version"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    assert_int_equal(load(&mods, cases[i].text), AVIS_ERR_FORMAT);
    assert_error_contains(cases[i].message);
    avis_modifiers_release(&mods);
  }
}

static void bad_files(void **state) {
  (void)state;
  avis_modifiers mods = {0};
  assert_int_equal(avis_modifiers_load_file(&mods, FIXTURE("none.tsv")),
                   AVIS_ERR_IO);
  assert_error_contains(FIXTURE("none.tsv"));
  static const char binary[] = "pas\tnegator\t1\0";
  assert_int_equal(avis_modifiers_load_buffer(&mods, "bin", binary,
                                              sizeof binary - 1),
                   AVIS_ERR_BINARY);
  assert_int_equal(load(&mods, "pas\tnegator\t1\n\xFF\n"), AVIS_ERR_ENCODING);
  assert_error_contains("buf:2: not valid UTF-8");
  assert_int_equal(avis_modifiers_load_buffer(NULL, "x", "", 0),
                   AVIS_ERR_ARG);
  assert_null(avis_modifiers_get(NULL, "pas", 3));
  assert_int_equal(avis_modifiers_mwe_max(NULL, "un", 2), 0);
  avis_modifiers_release(&mods);
}

static void shipped_modifier_list(void **state) {
  (void)state;
  avis_modifiers mods = {0};
  assert_int_equal(avis_modifiers_load_file(
                       &mods, AVIS_TEST_DATA_DIR "/lexicons/modifiers.tsv"),
                   0);
  assert_true(mods.items.len > 50);
  assert_int_equal(must_get(&mods, "ne")->kind, AVIS_MOD_NE);
  assert_int_equal(must_get(&mods, "n'")->kind, AVIS_MOD_NE);
  assert_int_equal(must_get(&mods, "jamais")->kind, AVIS_MOD_NEGATOR);
  assert_int_equal(must_get(&mods, "plus")->kind, AVIS_MOD_NEG_PLUS);
  assert_int_equal(must_get(&mods, "très")->kind, AVIS_MOD_INTENSIFIER);
  assert_true(must_get(&mods, "très")->weight > 1);
  assert_int_equal(must_get(&mods, "un peu")->kind, AVIS_MOD_DIMINISHER);
  assert_true(must_get(&mods, "un peu")->weight < 1);
  assert_int_equal(must_get(&mods, "par contre")->kind, AVIS_MOD_CONTRAST);
  assert_int_equal(avis_modifiers_mwe_max(&mods, "en", 2), 2);
  assert_int_equal(avis_modifiers_mwe_max(&mods, "au", 2), 4);
  avis_modifiers_release(&mods);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(kinds_weights_and_expressions),
      cmocka_unit_test(malformed_lines_fail_with_their_line),
      cmocka_unit_test(bad_files),
      cmocka_unit_test(shipped_modifier_list),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
