#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "avis.h"
#include "normalize.h"

/* Normalises s into the arena and returns the result, checking that it is
 * NUL-terminated where *nlen says. */
static const char *norm(avis_buf *arena, const char *s) {
  uint32_t off, nlen;
  assert_int_equal(avis_normalize(arena, s, strlen(s), &off, &nlen), AVIS_OK);
  assert_true(off + nlen < arena->len);
  assert_int_equal(arena->data[off + nlen], '\0');
  assert_int_equal(strlen(arena->data + off), nlen);
  return arena->data + off;
}

static void assert_norm(const char *in, const char *expected) {
  avis_buf arena = {0};
  assert_string_equal(norm(&arena, in), expected);
  avis_buf_release(&arena);
}

/* What utf8proc's NFC with full case folding gives, the reference for
 * everything but the exceptions normalize.h lists. */
static char *utf8proc_fold(const char *s) {
  utf8proc_uint8_t *out;
  utf8proc_ssize_t n = utf8proc_map(
      (const utf8proc_uint8_t *)s, (utf8proc_ssize_t)strlen(s), &out,
      UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
  assert_true(n >= 0);
  return (char *)out;
}

static void ascii_is_lower_cased(void **state) {
  (void)state;
  assert_norm("BonJour-123_@Z[`", "bonjour-123_@z[`");
  assert_norm("", "");
}

static void decomposed_becomes_nfc(void **state) {
  (void)state;
  assert_norm("e\xCC\x81te\xCC\x81", "été");
  assert_norm("E\xCC\x81LE\xCC\x80VE", "élève");
  assert_norm("c\xCC\xA7""a", "ça");
}

static void french_capitals_fold(void **state) {
  (void)state;
  assert_norm("ÉÀÇŒÆ", "éàçœæ");
  assert_norm("ÉLÈVE", "élève");
  assert_norm("ŸÎÔÛ", "ÿîôû");
  assert_norm("Œuvre", "œuvre");
  assert_norm("cœur", "cœur");
}

static void sharp_s_is_kept(void **state) {
  (void)state;
  assert_norm("Straße", "straße");
  assert_norm("STRAẞE", "straße");
  /* Through the full pass too: the combining mark forces it. */
  assert_norm("E\xCC\x81ẞ", "éß");
  /* ß composes with nothing, where "ss" would give "sś". */
  assert_norm("ß\xCC\x81", "ß\xCC\x81");
}

static void apostrophes_become_ascii(void **state) {
  (void)state;
  assert_norm("L’été", "l'été");
  assert_norm("l‘a", "l'a");
  assert_norm("lʼa", "l'a");
  assert_norm("l′a", "l'a");
  assert_norm("l＇a", "l'a");
  assert_norm("aujourd’hui", "aujourd'hui");
  assert_norm("’", "'");
}

static void no_break_spaces_are_kept(void **state) {
  (void)state;
  assert_norm("1\xC2\xA0""000", "1\xC2\xA0""000");
  assert_norm("A\xE2\x80\xAF!", "a\xE2\x80\xAF!");
}

static void invisible_characters_are_removed(void **state) {
  (void)state;
  assert_norm("anti\xC2\xAD""constitutionnel", "anticonstitutionnel");
  assert_norm("ÉTÉ\xC2\xAD", "été");
  assert_norm("a\u200Bb\u200Cc\u200Dd\u2060e\uFEFF""f", "abcdef");
  /* Removed before composition, so the mark still joins its letter. */
  assert_norm("e\xC2\xAD\xCC\x81", "é");
  assert_norm("\xC2\xAD", "");
}

static void ligatures_are_expanded(void **state) {
  (void)state;
  assert_norm("ﬁnal", "final");
  assert_norm("eﬀet", "effet");
  assert_norm("ﬂeur", "fleur");
  assert_norm("eﬃcace", "efficace");
  assert_norm("ﬄ", "ffl");
  assert_norm("ﬅ", "st");
  assert_norm("ﬆ", "st");
}

static void unicode_hyphens_become_ascii(void **state) {
  (void)state;
  assert_norm("peut\u2010être", "peut-être");
  assert_norm("Saint\u2011Étienne", "saint-étienne");
  assert_norm("a\u2014b", "a\u2014b");
}

static void other_scripts_follow_utf8proc(void **state) {
  (void)state;
  static const char *const words[] = {"ΣΊΣΥΦΟΣ", "Москва", "ǅemal", "İstanbul",
                                      "µm", "ſ", "ΐ", "Ǆ\xCC\x8C", "😀👍🏽"};
  for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
    char *want = utf8proc_fold(words[i]);
    assert_norm(words[i], want);
    free(want);
  }
}

/* Checks the Latin pass (and its list of exceptions) against utf8proc on
 * every code point below U+0300, alone and between ASCII letters. */
static void latin_pass_matches_utf8proc(void **state) {
  (void)state;
  for (utf8proc_int32_t cp = 0x80; cp < 0x300; cp++) {
    if (cp == 0xDF || cp == 0x02BC || cp == 0xAD)
      continue; /* the documented departures, tested above */
    char in[16];
    utf8proc_uint8_t enc[4];
    int n = (int)utf8proc_encode_char(cp, enc);
    snprintf(in, sizeof in, "A%.*sb", n, (const char *)enc);
    char *want = utf8proc_fold(in);
    assert_norm(in, want);
    free(want);
  }
}

static void random_ascii(char *s, size_t len) {
  for (size_t i = 0; i < len; i++)
    s[i] = (char)(' ' + rand() % 95);
  s[len] = '\0';
}

/* The ASCII pass, the Latin pass (reached through a leading é) and the
 * full pass (through a leading Ω) agree on ASCII, and with utf8proc. */
static void ascii_paths_agree(void **state) {
  (void)state;
  srand(12345);
  avis_buf arena = {0};
  for (int round = 0; round < 2000; round++) {
    char s[40], latin[48], full[48], want[48];
    random_ascii(s, (size_t)(rand() % 39));
    char *ref = utf8proc_fold(s);
    assert_string_equal(norm(&arena, s), ref);
    snprintf(latin, sizeof latin, "É%s", s);
    snprintf(want, sizeof want, "é%s", ref);
    assert_string_equal(norm(&arena, latin), want);
    snprintf(full, sizeof full, "Ω%s", s);
    snprintf(want, sizeof want, "ω%s", ref);
    assert_string_equal(norm(&arena, full), want);
    free(ref);
  }
  avis_buf_release(&arena);
}

/* Ⱥ (two bytes) lower-cases to ⱥ (three). The arena is filled so that the
 * room reserved for the input is nearly all of its capacity: writing the
 * longer lower case in place would overrun it (which valgrind reports). */
static void lower_case_longer_than_input(void **state) {
  (void)state;
  avis_buf arena = {0};
  char filler[2094];
  memset(filler, 'a', sizeof filler - 1);
  filler[sizeof filler - 1] = '\0';
  norm(&arena, filler);
  char upper[2 * 1000 + 1], lower[3 * 1000 + 1];
  for (int i = 0; i < 1000; i++) {
    memcpy(upper + 2 * i, "Ⱥ", 2);
    memcpy(lower + 3 * i, "ⱥ", 3);
  }
  upper[2000] = lower[3000] = '\0';
  assert_string_equal(norm(&arena, upper), lower);
  avis_buf_release(&arena);
}

static void results_accumulate_in_arena(void **state) {
  (void)state;
  avis_buf arena = {0};
  uint32_t off1, len1, off2, len2;
  assert_int_equal(avis_normalize(&arena, "Été", strlen("Été"), &off1, &len1),
                   AVIS_OK);
  assert_int_equal(avis_normalize(&arena, "HIVER", 5, &off2, &len2), AVIS_OK);
  assert_true(off2 > off1 + len1);
  assert_string_equal(arena.data + off1, "été");
  assert_string_equal(arena.data + off2, "hiver");
  avis_buf_release(&arena);
}

static void invalid_utf8_is_refused(void **state) {
  (void)state;
  avis_buf arena = {0};
  uint32_t off, len;
  assert_int_equal(avis_normalize(&arena, "Ok", 2, &off, &len), AVIS_OK);
  size_t before = arena.len;
  assert_int_equal(avis_normalize(&arena, "caf\xC3", 4, &off, &len),
                   AVIS_ERR_ARG);
  assert_int_equal(arena.len, before);
  avis_buf_release(&arena);
}

static void all_caps(void **state) {
  (void)state;
  assert_true(avis_is_all_caps("TRÈS", strlen("TRÈS")));
  assert_true(avis_is_all_caps("ÇA", strlen("ÇA")));
  assert_true(avis_is_all_caps("L'ÉTÉ", strlen("L'ÉTÉ")));
  assert_true(avis_is_all_caps("OK!", 3));
  assert_false(avis_is_all_caps("G7", 2));
  assert_true(avis_is_all_caps("ÉTÉ2024", strlen("ÉTÉ2024")));
  assert_true(avis_is_all_caps("ΑΒΓ", strlen("ΑΒΓ")));
  assert_false(avis_is_all_caps("Très", strlen("Très")));
  assert_false(avis_is_all_caps("TRèS", strlen("TRèS")));
  assert_false(avis_is_all_caps("A", 1));
  assert_false(avis_is_all_caps("À", strlen("À")));
  assert_false(avis_is_all_caps("123", 3));
  assert_false(avis_is_all_caps("STRAßE", strlen("STRAßE")));
  assert_false(avis_is_all_caps("中文", strlen("中文")));
  assert_false(avis_is_all_caps("", 0));
}

static void utf8_count(void **state) {
  (void)state;
  assert_int_equal(avis_utf8_count("", 0), 0);
  assert_int_equal(avis_utf8_count("abc", 3), 3);
  assert_int_equal(avis_utf8_count("été", strlen("été")), 3);
  assert_int_equal(avis_utf8_count("😀a€", strlen("😀a€")), 3);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(ascii_is_lower_cased),
      cmocka_unit_test(decomposed_becomes_nfc),
      cmocka_unit_test(french_capitals_fold),
      cmocka_unit_test(sharp_s_is_kept),
      cmocka_unit_test(apostrophes_become_ascii),
      cmocka_unit_test(no_break_spaces_are_kept),
      cmocka_unit_test(invisible_characters_are_removed),
      cmocka_unit_test(ligatures_are_expanded),
      cmocka_unit_test(unicode_hyphens_become_ascii),
      cmocka_unit_test(other_scripts_follow_utf8proc),
      cmocka_unit_test(latin_pass_matches_utf8proc),
      cmocka_unit_test(ascii_paths_agree),
      cmocka_unit_test(lower_case_longer_than_input),
      cmocka_unit_test(results_accumulate_in_arena),
      cmocka_unit_test(invalid_utf8_is_refused),
      cmocka_unit_test(all_caps),
      cmocka_unit_test(utf8_count),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
