#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "avis.h"
#include "strmap.h"

static void put(avis_strmap *m, const char *key, uint32_t val) {
  assert_int_equal(avis_strmap_put(m, key, strlen(key), val), AVIS_OK);
}

static uint32_t get(const avis_strmap *m, const char *key) {
  uint32_t val = 0;
  assert_true(avis_strmap_get(m, key, strlen(key), &val));
  return val;
}

static int has(const avis_strmap *m, const char *key) {
  return avis_strmap_get(m, key, strlen(key), NULL);
}

static void empty_map_finds_nothing(void **state) {
  (void)state;
  avis_strmap m = {0};
  assert_false(has(&m, "rien"));
  assert_false(has(&m, ""));
  avis_strmap_release(&m);
}

static void put_then_get(void **state) {
  (void)state;
  avis_strmap m = {0};
  put(&m, "bon", 1);
  put(&m, "mauvais", 2);
  put(&m, "été", 3);
  assert_int_equal(get(&m, "bon"), 1);
  assert_int_equal(get(&m, "mauvais"), 2);
  assert_int_equal(get(&m, "été"), 3);
  assert_false(has(&m, "bo"));
  assert_false(has(&m, "bonne"));
  assert_int_equal(m.count, 3);
  avis_strmap_release(&m);
}

static void put_replaces(void **state) {
  (void)state;
  avis_strmap m = {0};
  put(&m, "bon", 1);
  put(&m, "bon", 7);
  assert_int_equal(get(&m, "bon"), 7);
  assert_int_equal(m.count, 1);
  avis_strmap_release(&m);
}

static void empty_key(void **state) {
  (void)state;
  avis_strmap m = {0};
  put(&m, "a", 1);
  assert_false(has(&m, ""));
  put(&m, "", 42);
  assert_int_equal(get(&m, ""), 42);
  assert_int_equal(get(&m, "a"), 1);
  avis_strmap_release(&m);
}

/* Keys are byte strings: an embedded NUL is part of the key. */
static void binary_keys(void **state) {
  (void)state;
  avis_strmap m = {0};
  static const char k1[] = {'a', '\0', 'b'};
  static const char k2[] = {'a', '\0', 'c'};
  static const char k3[] = {(char)0xFF, (char)0x00, (char)0x80};
  assert_int_equal(avis_strmap_put(&m, k1, 3, 1), AVIS_OK);
  assert_int_equal(avis_strmap_put(&m, k2, 3, 2), AVIS_OK);
  assert_int_equal(avis_strmap_put(&m, k3, 3, 3), AVIS_OK);
  uint32_t v;
  assert_true(avis_strmap_get(&m, k1, 3, &v));
  assert_int_equal(v, 1);
  assert_true(avis_strmap_get(&m, k2, 3, &v));
  assert_int_equal(v, 2);
  assert_true(avis_strmap_get(&m, k3, 3, &v));
  assert_int_equal(v, 3);
  assert_false(avis_strmap_get(&m, k1, 1, &v));
  size_t n;
  const char *key = avis_strmap_key(&m, 1, &n);
  assert_int_equal(n, 3);
  assert_memory_equal(key, k2, 3);
  avis_strmap_release(&m);
}

static void grows_to_100k_keys(void **state) {
  (void)state;
  avis_strmap m = {0};
  char key[32];
  for (uint32_t i = 0; i < 100000; i++) {
    snprintf(key, sizeof key, "mot-%u", i);
    put(&m, key, i * 3);
  }
  assert_int_equal(m.count, 100000);
  for (uint32_t i = 0; i < 100000; i++) {
    snprintf(key, sizeof key, "mot-%u", i);
    assert_int_equal(get(&m, key), i * 3);
  }
  assert_false(has(&m, "mot-100000"));
  size_t n;
  assert_string_equal(avis_strmap_key(&m, 99999, &n), "mot-99999");
  assert_int_equal(n, 9);
  avis_strmap_release(&m);
}

static void clear_empties_and_allows_reuse(void **state) {
  (void)state;
  avis_strmap m = {0};
  put(&m, "un", 1);
  put(&m, "deux", 2);
  avis_strmap_clear(&m);
  assert_int_equal(m.count, 0);
  assert_false(has(&m, "un"));
  put(&m, "trois", 3);
  assert_int_equal(get(&m, "trois"), 3);
  assert_false(has(&m, "deux"));
  avis_strmap_release(&m);
}

/* A borrowed map reads another's arrays in place; a put copies them
 * first, a clear and a release let go of them: the lender is never
 * written nor freed (under ASan, a free of its arrays would show). */
static void borrowed_map_copies_on_write(void **state) {
  (void)state;
  avis_strmap lender = {0}, m = {0};
  char key[16];
  for (int i = 0; i < 100; i++) {
    snprintf(key, sizeof key, "k%d", i);
    put(&lender, key, (uint32_t)i);
  }
  avis_strmap_slot *slots = lender.slots;
  size_t nslots = lender.nslots, count = lender.count;
  avis_strmap_borrow(&m, lender.slots, lender.nslots, lender.entries,
                     lender.count, lender.keys, lender.keys_len);
  assert_true(m.borrowed);
  assert_int_equal(get(&m, "k42"), 42);
  assert_false(has(&m, "k100"));
  size_t n;
  assert_string_equal(avis_strmap_key(&m, 7, &n), "k7");
  put(&m, "k100", 100);
  put(&m, "k1", 1000);
  assert_false(m.borrowed);
  assert_int_equal(get(&m, "k100"), 100);
  assert_int_equal(get(&m, "k1"), 1000);
  assert_int_equal(get(&m, "k99"), 99);
  assert_true(lender.slots == slots && lender.nslots == nslots &&
              lender.count == count);
  assert_int_equal(get(&lender, "k1"), 1);
  assert_false(has(&lender, "k100"));
  avis_strmap_release(&m);

  avis_strmap_borrow(&m, lender.slots, lender.nslots, lender.entries,
                     lender.count, lender.keys, lender.keys_len);
  avis_strmap_clear(&m);
  assert_false(has(&m, "k1"));
  put(&m, "neuf", 9);
  assert_int_equal(get(&m, "neuf"), 9);
  avis_strmap_release(&m);
  avis_strmap_borrow(&m, lender.slots, lender.nslots, lender.entries,
                     lender.count, lender.keys, lender.keys_len);
  avis_strmap_release(&m);
  assert_int_equal(get(&lender, "k5"), 5);
  avis_strmap_release(&lender);
}

/* avis_read_word() is memcpy into a zeroed word, for every length. */
static void read_word_is_a_padded_copy(void **state) {
  (void)state;
  char text[24];
  for (size_t i = 0; i < sizeof text; i++)
    text[i] = (char)(0xA5 ^ (i * 37));
  for (size_t n = 0; n <= 16; n++) {
    uint64_t expected = 0;
    memcpy(&expected, text + 3, n < 8 ? n : 8);
    assert_true(avis_read_word(text + 3, n) == expected);
  }
}

/* Model files hold hash tables built with avis_hash(): its values must not
 * change. */
static void hash_values_are_stable(void **state) {
  (void)state;
  static const struct {
    const char *key;
    uint64_t hash;
  } pinned[] = {
      {"", 0x17fb89ee9dcab42aULL},
      {"a", 0xc8e7028115800f1bULL},
      {"de", 0x2d0509d0f765dd00ULL},
      {"abc", 0xe843f0003ca18f31ULL},
      {"pour", 0xc8d311d518144de4ULL},
      {"abcdefg", 0x157bf84d1e6bf16dULL},
      {"abcdefgh", 0xdff9b354b4994ce5ULL},
      {"gouvernement", 0x2e4d77872132e500ULL},
      {"élection présidentielle", 0xd61b5b6b31309986ULL},
  };
  for (size_t i = 0; i < sizeof pinned / sizeof *pinned; i++)
    assert_true(avis_hash(pinned[i].key, strlen(pinned[i].key)) ==
                pinned[i].hash);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(empty_map_finds_nothing),
      cmocka_unit_test(put_then_get),
      cmocka_unit_test(put_replaces),
      cmocka_unit_test(empty_key),
      cmocka_unit_test(binary_keys),
      cmocka_unit_test(grows_to_100k_keys),
      cmocka_unit_test(clear_empties_and_allows_reuse),
      cmocka_unit_test(borrowed_map_copies_on_write),
      cmocka_unit_test(read_word_is_a_padded_copy),
      cmocka_unit_test(hash_values_are_stable),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
