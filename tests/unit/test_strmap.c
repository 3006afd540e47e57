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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(empty_map_finds_nothing),
      cmocka_unit_test(put_then_get),
      cmocka_unit_test(put_replaces),
      cmocka_unit_test(empty_key),
      cmocka_unit_test(binary_keys),
      cmocka_unit_test(grows_to_100k_keys),
      cmocka_unit_test(clear_empties_and_allows_reuse),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
