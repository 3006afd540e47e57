/* Model files: round trip, and every kind of damage rejected with a
 * message that names the file. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avis.h"
#include "topicfile.h"

static const char *const terms[] = {"footbal", "match", "recet", "cuisin"};
static const double weights[] = {1, -1, 0.5, -0.5, -1, 1, -0.5, 0.5};

static void write_model(avis_buf *out) {
  avis_nb_params p = {AVIS_CLASSIFIER_TOPICS, 2, 4, AVIS_NB_LOG_TF, 1.5f,
                      0.5f, 0.1f, 40, 0.4f, 0.08f};
  avis_nb_label_spec labels[] = {{"sport", "Sport", 0.3, 0},
                                 {"food", "Cuisine é", 0.25, 0}};
  assert_int_equal(avis_model_file_write(out, &p, labels, terms, weights,
                                         "command: test\n"),
                   0);
}

/* A copy in malloc'ed (8-aligned) memory, parsed as an owned image. */
static int parse_copy(const avis_buf *b, size_t len, avis_classifier **cl) {
  void *copy = malloc(len ? len : 1);
  memcpy(copy, b->data, len);
  return avis_model_file_parse(cl, copy, len, 1, "test.avm");
}

/* The loader does not try every lookup (docs/model-format.md): the
 * writer's tables must find every term where it is. */
static void every_term_found(const avis_classifier *cl) {
  for (uint32_t t = 0; t < avis_classifier_term_count(cl); t++) {
    size_t len;
    const char *s = avis_classifier_term_text(cl, t, &len);
    assert_int_equal(avis_classifier_term(cl, s, len), t);
  }
}

static void shipped_model_finds_every_term(void **state) {
  (void)state;
  avis_classifier *cl;
  assert_int_equal(
      avis_classifier_load(&cl, AVIS_TEST_DATA_DIR "/models/topics-fr.avm"), 0);
  assert_true(avis_classifier_term_count(cl) > 1000);
  every_term_found(cl);
  avis_classifier_free(cl);
}

static void round_trip(void **state) {
  (void)state;
  avis_buf b = {0};
  write_model(&b);
  avis_classifier *cl;
  assert_int_equal(parse_copy(&b, b.len, &cl), 0);
  assert_int_equal(avis_classifier_label_count(cl), 2);
  assert_int_equal(avis_classifier_term_count(cl), 4);
  const char *id, *name;
  double th;
  assert_int_equal(avis_classifier_label(cl, 1, &id, &name, &th), 0);
  assert_string_equal(id, "food");
  assert_string_equal(name, "Cuisine é");
  assert_true(th > 0.249 && th < 0.251);
  assert_int_equal(avis_classifier_term(cl, "recet", 5), 2);
  assert_int_equal(avis_classifier_term(cl, "absent", 6), UINT32_MAX);
  every_term_found(cl);
  assert_string_equal(avis_classifier_provenance(cl), "command: test\n");
  char *text;
  assert_int_equal(avis_classifier_dump(cl, AVIS_DUMP_WEIGHTS, &text, NULL), 0);
  assert_non_null(strstr(text, "recet\t-1.00000\t1.00000"));
  avis_free(text);
  avis_classifier_free(cl);
  avis_buf_release(&b);
}

static void damage_is_rejected(void **state) {
  (void)state;
  avis_buf b = {0};
  write_model(&b);
  avis_classifier *cl;
  /* Every single flipped byte is caught (by a checksum or a check). */
  for (size_t i = 0; i < b.len; i++) {
    b.data[i] ^= 0x40;
    assert_int_not_equal(parse_copy(&b, b.len, &cl), 0);
    assert_null(cl);
    assert_non_null(strstr(avis_last_error(), "test.avm"));
    b.data[i] ^= 0x40;
  }
  for (size_t len = 0; len < b.len; len += 7) {
    assert_int_equal(parse_copy(&b, len, &cl), AVIS_ERR_FORMAT);
    assert_non_null(strstr(avis_last_error(), "test.avm"));
  }
  avis_buf_release(&b);
}

static void missing_file(void **state) {
  (void)state;
  avis_classifier *cl;
  assert_int_equal(avis_classifier_load(&cl, "/nonexistent/x.avm"),
                   AVIS_ERR_IO);
  assert_non_null(strstr(avis_last_error(), "/nonexistent/x.avm"));
}

/* The CRC one bit at a time, straight from its definition. */
static uint32_t crc_bitwise(uint32_t crc, const unsigned char *p, size_t n) {
  crc = ~crc;
  while (n--) {
    crc ^= *p++;
    for (int k = 0; k < 8; k++)
      crc = crc & 1 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
  }
  return ~crc;
}

static void crc_and_numbers(void **state) {
  (void)state;
  assert_int_equal(avis_crc32(0, "123456789", 9), 0xCBF43926u);
  /* The eight-byte steps agree with the definition at every length and
   * alignment, and when the data is checksummed in pieces. */
  unsigned char data[300];
  uint32_t x = 12345;
  for (size_t i = 0; i < sizeof data; i++) {
    x = x * 1103515245u + 12345u;
    data[i] = (unsigned char)(x >> 16);
  }
  for (size_t off = 0; off < 8; off++)
    for (size_t n = 0; off + n <= sizeof data; n += 1 + n / 16) {
      uint32_t want = crc_bitwise(0, data + off, n);
      assert_int_equal(avis_crc32(0, data + off, n), want);
      size_t half = n / 3;
      assert_int_equal(avis_crc32(avis_crc32(0, data + off, half),
                                  data + off + half, n - half),
                       want);
    }
  char buf[32];
  avis_format_fixed(buf, sizeof buf, -0.5, 3);
  assert_string_equal(buf, "-0.500");
  avis_format_fixed(buf, sizeof buf, 2.0 / 3.0, 2);
  assert_string_equal(buf, "0.67");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(round_trip),
      cmocka_unit_test(shipped_model_finds_every_term),
      cmocka_unit_test(damage_is_rejected),
      cmocka_unit_test(missing_file),
      cmocka_unit_test(crc_and_numbers),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
