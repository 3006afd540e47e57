#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libstemmer.h>
#include <stdlib.h>
#include <string.h>

#include "avis.h"
#include "stem.h"

static int setup(void **state) {
  avis_stemmer *st;
  if (avis_stemmer_new(&st) != AVIS_OK)
    return -1;
  *state = st;
  return 0;
}

static int teardown(void **state) {
  avis_stemmer_free(*state);
  return 0;
}

static const char *stem(avis_stemmer *st, const char *word) {
  size_t len;
  const char *s = avis_stem(st, word, strlen(word), &len);
  assert_non_null(s);
  assert_int_equal(strlen(s), len);
  return s;
}

/* A distinct lower-case word for every i. */
static void word_for(size_t i, char *buf) {
  char *p = buf;
  *p++ = 'm';
  do {
    *p++ = (char)('a' + i % 26);
    i /= 26;
  } while (i);
  *p = '\0';
}

static void french_stems(void **state) {
  avis_stemmer *st = *state;
  static const char *const pairs[][2] = {
      {"gouvernements", "gouvern"}, {"gouvernement", "gouvern"},
      {"heureuse", "heureux"},      {"continuellement", "continuel"},
      {"rapidement", "rapid"},      {"nationales", "national"},
      {"mangeaient", "mang"},       {"œuvres", "œuvr"},
      {"cafés", "caf"},             {"étés", "été"},
      {"chanteuse", "chanteux"},    {"aujourd'hui", "aujourd'hui"},
      {"", ""}};
  for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++)
    assert_string_equal(stem(st, pairs[i][0]), pairs[i][1]);
}

static void repeated_words_hit_the_cache(void **state) {
  avis_stemmer *st = *state;
  assert_int_equal(avis_stemmer_cache_size(st), 0);
  const char *first = stem(st, "gouvernements");
  assert_int_equal(avis_stemmer_cache_hits(st), 0);
  const char *again = stem(st, "gouvernements");
  assert_ptr_equal(first, again);
  assert_int_equal(avis_stemmer_cache_hits(st), 1);
  assert_int_equal(avis_stemmer_cache_size(st), 1);
  /* Same stem, different word: a miss and a second entry. */
  stem(st, "gouvernement");
  assert_int_equal(avis_stemmer_cache_hits(st), 1);
  assert_int_equal(avis_stemmer_cache_size(st), 2);
}

/* The uncached call gives the cached call's stems and leaves the cache
 * alone. */
static void uncached_stems_match(void **state) {
  avis_stemmer *st = *state;
  static const char *const words[] = {"gouvernements", "rapidement", "œuvres",
                                      "étés", "aujourd'hui", "a", ""};
  for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
    size_t n = strlen(words[i]), m;
    const char *u = avis_stem_uncached(st, words[i], n, &m);
    assert_non_null(u);
    char copy[64];
    assert_true(m < sizeof copy);
    memcpy(copy, u, m);
    copy[m] = '\0';
    assert_int_equal(avis_stemmer_cache_size(st), i);
    assert_string_equal(copy, stem(st, words[i]));
  }
  assert_int_equal(avis_stemmer_cache_hits(st), 0);
}

/* Words that Latin-1 can write are stemmed in it, others in UTF-8; the
 * stems are those of libstemmer's UTF-8 French stemmer either way, for
 * words of both kinds, bytes that are not UTF-8, and words longer than
 * the Latin-1 path takes. */
static void stems_are_the_utf8_stemmers(void **state) {
  avis_stemmer *st = *state;
  struct sb_stemmer *ref = sb_stemmer_new("french", "UTF_8");
  assert_non_null(ref);
  char *long_words[3];
  static const size_t accents[3] = {128, 129, 300}; /* 256 bytes and more */
  for (size_t i = 0; i < 3; i++) {
    long_words[i] = malloc(2 * accents[i] + 4);
    assert_non_null(long_words[i]);
    char *p = long_words[i];
    for (size_t k = 0; k < accents[i]; k++, p += 2)
      memcpy(p, "\xC3\xA9", 2);
    strcpy(p, "es");
  }
  const char *words[] = {
      "gouvernements", "g\xC3\xA9n\xC3\xA9ralement", "mange\xC3\xA2mes",
      "na\xC3\xAFvet\xC3\xA9", "no\xC3\xABls", "ambigu\xC3\xAB",
      "ha\xC3\xAFssaient", "\xC3\xA9t\xC3\xA9s", "\xC5\x93uvres",
      "c\xC5\x93urs", "stra\xC3\x9F" "e", "\xCE\xBF\xCE\xB4\xCF\x8C\xCF\x82",
      "\xC2\xAB" "guillemets\xC2\xBB", "\xC2\xB5m", "\xC2\x80" "abc",
      "caf\xC3", "\xC3(", "\xC3\xA9t\xC3\xA9\xE2\x82\xAC", "a", "",
      long_words[0], long_words[1], long_words[2]};
  for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
    size_t n = strlen(words[i]), m;
    const sb_symbol *want =
        sb_stemmer_stem(ref, (const sb_symbol *)words[i], (int)n);
    assert_non_null(want);
    size_t want_len = (size_t)sb_stemmer_length(ref);
    const char *u = avis_stem_uncached(st, words[i], n, &m);
    assert_non_null(u);
    assert_int_equal(m, want_len);
    assert_memory_equal(u, want, m);
    assert_int_equal(u[m], '\0');
    assert_string_equal(stem(st, words[i]), (const char *)want);
  }
  for (size_t i = 0; i < 3; i++)
    free(long_words[i]);
  sb_stemmer_delete(ref);
}

/* A stem stays put while many more are cached after it. */
static void stems_do_not_move(void **state) {
  avis_stemmer *st = *state;
  const char *kept = stem(st, "nationales");
  char word[16];
  for (size_t i = 0; i < 30000; i++) {
    word_for(i, word);
    stem(st, word);
  }
  assert_string_equal(kept, "national");
  assert_ptr_equal(stem(st, "nationales"), kept);
}

static void cache_is_bounded(void **state) {
  avis_stemmer *st = *state;
  char word[16];
  for (size_t i = 0; i < AVIS_STEM_CACHE_MAX; i++) {
    word_for(i, word);
    stem(st, word);
  }
  assert_int_equal(avis_stemmer_cache_size(st), AVIS_STEM_CACHE_MAX);
  stem(st, "gouvernements");
  assert_int_equal(avis_stemmer_cache_size(st), 1);
  assert_string_equal(stem(st, "gouvernements"), "gouvern");
  word_for(0, word);
  size_t hits = avis_stemmer_cache_hits(st);
  stem(st, word);
  assert_int_equal(avis_stemmer_cache_hits(st), hits);
}

/* A word longer than a storage block. */
static void very_long_word(void **state) {
  avis_stemmer *st = *state;
  size_t n = 200000;
  char *word = malloc(n + 1);
  assert_non_null(word);
  memset(word, 'e', n);
  word[n] = '\0';
  const char *s = stem(st, word);
  assert_true(strlen(s) > n / 2);
  assert_memory_equal(s, word, strlen(s));
  assert_string_equal(stem(st, "pommes"), "pomm");
  free(word);
}

static void free_null(void **state) {
  (void)state;
  avis_stemmer_free(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(french_stems, setup, teardown),
      cmocka_unit_test_setup_teardown(repeated_words_hit_the_cache, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(uncached_stems_match, setup, teardown),
      cmocka_unit_test_setup_teardown(stems_are_the_utf8_stemmers, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(stems_do_not_move, setup, teardown),
      cmocka_unit_test_setup_teardown(cache_is_bounded, setup, teardown),
      cmocka_unit_test_setup_teardown(very_long_word, setup, teardown),
      cmocka_unit_test(free_null),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
