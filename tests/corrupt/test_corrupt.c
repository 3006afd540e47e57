/* Golden corrupt files: a small valid model is written, then damaged in
 * each way docs/model-format.md guards against, and every damaged copy
 * must be rejected by avis_classifier_load() with AVIS_ERR_FORMAT and a
 * message naming the file and the problem. Lexicons with bad lines load
 * what they can and name the first bad line, or fail in strict mode. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "avis.h"
#include "topicfile.h"

#define LABEL_TABLE_OFFSET 64u /* the section table follows the header */
#define SECTION_ENTRY 24u

static avis_buf valid;
static char dir[] = "/tmp/avis-corrupt-XXXXXX";

static void build_valid_model(void) {
  avis_nb_params p = {0};
  p.kind = AVIS_CLASSIFIER_TOPICS;
  p.nlabels = 2;
  p.nterms = 3;
  p.flags = AVIS_NB_LOG_TF;
  p.scale = 1;
  p.doc_weight = 0.5f;
  p.alpha = 0.1f;
  p.passage_terms = 40;
  avis_nb_label_spec labels[2] = {{"politique", "Politique", 0.3, 0},
                                  {"sport", "Sport", 0.3, 0}};
  const char *terms[3] = {"gouvern", "match", "réform"};
  double weights[6] = {-1, -3, -3, -1, -1.5, -2.5};
  assert_int_equal(avis_model_file_write(&valid, &p, labels, terms, weights,
                                         "command: test\n"),
                   0);
}

static void put32(unsigned char *d, size_t at, uint32_t v) {
  for (int i = 0; i < 4; i++)
    d[at + i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *d, size_t at, uint64_t v) {
  put32(d, at, (uint32_t)v);
  put32(d, at + 4, (uint32_t)(v >> 32));
}

static uint32_t get32(const unsigned char *d, size_t at) {
  return (uint32_t)d[at] | (uint32_t)d[at + 1] << 8 |
         (uint32_t)d[at + 2] << 16 | (uint32_t)d[at + 3] << 24;
}

static uint64_t get64(const unsigned char *d, size_t at) {
  return get32(d, at) | (uint64_t)get32(d, at + 4) << 32;
}

/* Recomputes both checksums, so that a damage is caught by the check
 * meant for it rather than by the checksum. */
static void reseal(unsigned char *d, size_t len) {
  put32(d, 28, avis_crc32(0, d + AVIS_MODEL_HEADER_SIZE,
                          len - AVIS_MODEL_HEADER_SIZE));
  put32(d, 32, avis_crc32(0, d, 32));
}

/* Offset of the section entry tagged `tag`. */
static size_t section_entry(const unsigned char *d, const char *tag) {
  for (size_t i = 0; i < get32(d, 24); i++) {
    size_t at = LABEL_TABLE_OFFSET + i * SECTION_ENTRY;
    if (memcmp(d + at, tag, 4) == 0)
      return at;
  }
  fail_msg("no section %s", tag);
  return 0;
}

static size_t section_offset(const unsigned char *d, const char *tag) {
  return (size_t)get64(d, section_entry(d, tag) + 8);
}

typedef void damage_fn(unsigned char *d, size_t *len);

/* Writes the valid model damaged by `damage` and checks the load fails
 * with a message that names the file and holds `expected`. */
static void expect_rejected(const char *name, damage_fn *damage,
                            const char *expected) {
  size_t len = valid.len;
  unsigned char *d = malloc(len);
  assert_non_null(d);
  memcpy(d, valid.data, len);
  damage(d, &len);
  char path[256];
  snprintf(path, sizeof path, "%s/%s.avm", dir, name);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(d, 1, len, f), len);
  assert_int_equal(fclose(f), 0);
  free(d);
  avis_classifier *cl = (avis_classifier *)1;
  int rc = avis_classifier_load(&cl, path);
  if (rc != AVIS_ERR_FORMAT || !strstr(avis_last_error(), path) ||
      !strstr(avis_last_error(), expected))
    fail_msg("%s: rc %d, message '%s', expected '%s'", name, rc,
             avis_last_error(), expected);
  assert_null(cl);
  remove(path);
}

static void test_valid_model_loads(void **state) {
  (void)state;
  char path[256];
  snprintf(path, sizeof path, "%s/valid.avm", dir);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(valid.data, 1, valid.len, f), valid.len);
  assert_int_equal(fclose(f), 0);
  avis_classifier *cl = NULL;
  assert_int_equal(avis_classifier_load(&cl, path), 0);
  assert_int_equal(avis_classifier_label_count(cl), 2);
  assert_int_equal(avis_classifier_term_count(cl), 3);
  avis_classifier_free(cl);
  remove(path);
}

static void truncate_half(unsigned char *d, size_t *len) {
  (void)d;
  *len /= 2;
}

static void truncate_last_byte(unsigned char *d, size_t *len) {
  (void)d;
  *len -= 1;
}

static void truncate_into_header(unsigned char *d, size_t *len) {
  (void)d;
  *len = 20;
}

static void flip_body_bit(unsigned char *d, size_t *len) {
  d[*len - 3] ^= 0x10;
}

static void flip_header_bit(unsigned char *d, size_t *len) {
  (void)len;
  d[24] ^= 0x01;
}

static void wrong_magic(unsigned char *d, size_t *len) {
  (void)len;
  memcpy(d, "\x89PNG\r\n\x1a\n", 8);
}

static void future_version(unsigned char *d, size_t *len) {
  put32(d, 8, AVIS_MODEL_VERSION + 1);
  reseal(d, *len);
}

static void too_many_labels(unsigned char *d, size_t *len) {
  put32(d, section_offset(d, "PARM") + 4, UINT32_MAX);
  reseal(d, *len);
}

static void too_many_terms(unsigned char *d, size_t *len) {
  put32(d, section_offset(d, "PARM") + 8, UINT32_MAX);
  reseal(d, *len);
}

/* A term count the loader accepts on its own, whose table cannot fit. */
static void terms_beyond_section(unsigned char *d, size_t *len) {
  put32(d, section_offset(d, "PARM") + 8, 1u << 20);
  reseal(d, *len);
}

static void too_many_sections(unsigned char *d, size_t *len) {
  put32(d, 24, UINT32_MAX);
  reseal(d, *len);
}

static void section_offset_past_end(unsigned char *d, size_t *len) {
  put64(d, section_entry(d, "WGHT") + 8, (uint64_t)*len + 8);
  reseal(d, *len);
}

/* offset + size wraps around 2^64 */
static void section_size_wraps(unsigned char *d, size_t *len) {
  put64(d, section_entry(d, "TERM") + 16, UINT64_MAX - 7);
  reseal(d, *len);
}

static void term_offset_past_pool(unsigned char *d, size_t *len) {
  put32(d, section_offset(d, "TERM"), 0x7FFFFFF0u);
  reseal(d, *len);
}

static void label_length_overflows(unsigned char *d, size_t *len) {
  put32(d, section_offset(d, "LABL") + 4, UINT32_MAX);
  reseal(d, *len);
}

static void hash_names_missing_term(unsigned char *d, size_t *len) {
  size_t hash = section_offset(d, "HASH");
  uint32_t nslots = get32(d, hash);
  for (uint32_t i = 0; i < nslots; i++)
    if (get32(d, hash + 8 + 4 * i) != 0) {
      put32(d, hash + 8 + 4 * i, 99);
      break;
    }
  reseal(d, *len);
}

static void weight_not_finite(unsigned char *d, size_t *len) {
  put32(d, section_offset(d, "WGHT"), 0x7FC00000u); /* NaN */
  reseal(d, *len);
}

static void missing_section(unsigned char *d, size_t *len) {
  memcpy(d + section_entry(d, "PROV"), "XXXX", 4);
  reseal(d, *len);
}

static void test_corrupt_models_rejected(void **state) {
  (void)state;
  expect_rejected("truncated-half", truncate_half, "truncated");
  expect_rejected("truncated-last-byte", truncate_last_byte, "truncated");
  expect_rejected("truncated-header", truncate_into_header,
                  "not an avis model file");
  expect_rejected("flipped-body-bit", flip_body_bit, "checksum mismatch");
  expect_rejected("flipped-header-bit", flip_header_bit,
                  "header checksum mismatch");
  expect_rejected("wrong-magic", wrong_magic, "no magic number");
  expect_rejected("future-version", future_version, "format version 2");
  expect_rejected("label-count-overflow", too_many_labels, "labels (1 to");
  expect_rejected("term-count-overflow", too_many_terms, "terms (at most");
  expect_rejected("terms-beyond-section", terms_beyond_section,
                  "TERM section too small");
  expect_rejected("section-count-overflow", too_many_sections,
                  "section table");
  expect_rejected("section-past-end", section_offset_past_end,
                  "extends beyond the end");
  expect_rejected("section-size-wraps", section_size_wraps,
                  "extends beyond the end");
  expect_rejected("term-offset-past-pool", term_offset_past_pool,
                  "term 0 out of bounds");
  expect_rejected("label-length-overflow", label_length_overflows,
                  "label 0: id or name out of bounds");
  expect_rejected("hash-bad-term", hash_names_missing_term, "hash slot");
  expect_rejected("weight-nan", weight_not_finite, "not a finite number");
  expect_rejected("missing-section", missing_section, "PROV is missing");
}

/* A model with more terms than the longest run a loader accepts, its hash
 * table rewritten as one run of occupied slots: every term is still where
 * a lookup finds it, but loading would probe quadratically. */
#define CLUSTER_TERMS 1100u

static void test_clustered_hash_rejected(void **state) {
  (void)state;
  avis_nb_params p = {0};
  p.kind = AVIS_CLASSIFIER_TOPICS;
  p.nlabels = 2;
  p.nterms = CLUSTER_TERMS;
  p.scale = 1;
  p.passage_terms = 40;
  avis_nb_label_spec labels[2] = {{"politique", "Politique", 0.3, 0},
                                  {"sport", "Sport", 0.3, 0}};
  static char names[CLUSTER_TERMS][8];
  const char *terms[CLUSTER_TERMS];
  static double weights[2 * CLUSTER_TERMS];
  for (unsigned i = 0; i < CLUSTER_TERMS; i++) {
    snprintf(names[i], sizeof names[i], "t%04u", i);
    terms[i] = names[i];
    weights[2 * i] = weights[2 * i + 1] = -1;
  }
  avis_buf big = {0};
  assert_int_equal(avis_model_file_write(&big, &p, labels, terms, weights,
                                         "command: test\n"), 0);
  unsigned char *d = (unsigned char *)big.data;
  size_t hash = section_offset(d, "HASH");
  uint32_t nslots = get32(d, hash);
  for (uint32_t i = 0; i < nslots; i++)
    put32(d, hash + 8 + 4 * (size_t)i, i < CLUSTER_TERMS ? i + 1 : 0);
  reseal(d, big.len);
  char path[256];
  snprintf(path, sizeof path, "%s/clustered-hash.avm", dir);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(d, 1, big.len, f), big.len);
  assert_int_equal(fclose(f), 0);
  avis_buf_release(&big);
  avis_classifier *cl = (avis_classifier *)1;
  assert_int_equal(avis_classifier_load(&cl, path), AVIS_ERR_FORMAT);
  assert_non_null(strstr(avis_last_error(), "run of 1100 occupied slots"));
  assert_null(cl);
  remove(path);
}

/* ---- Lexicons with bad lines ------------------------------------------- */

static avis_model *load_lexicon(const char *file, avis_lexicon_format format,
                                int strict, int *rc) {
  char path[512];
  snprintf(path, sizeof path, "%s/lexicons/%s", AVIS_CORRUPT_DIR, file);
  avis_model_options *opts = NULL;
  avis_model *model = NULL;
  assert_int_equal(avis_model_options_new(&opts), 0);
  assert_int_equal(avis_model_options_add_lexicon(opts, path, format), 0);
  assert_int_equal(avis_model_options_set_strict(opts, strict), 0);
  *rc = avis_model_load(&model, opts);
  avis_model_options_free(opts);
  return model;
}

/* Without strict loading the good lines load, the bad ones are counted and
 * the first is named with its file and line. */
static void expect_skipped(const char *file, avis_lexicon_format format,
                           size_t entries, size_t skipped,
                           const char *problem) {
  int rc;
  avis_model *model = load_lexicon(file, format, 0, &rc);
  assert_int_equal(rc, 0);
  size_t got_entries, got_skipped;
  assert_int_equal(avis_model_lexicon_info(model, 0, NULL, &got_entries,
                                           &got_skipped, NULL, NULL),
                   0);
  assert_int_equal(got_entries, entries);
  assert_int_equal(got_skipped, skipped);
  const char *first = avis_model_lexicon_problem(model, 0);
  if (!first || !strstr(first, problem))
    fail_msg("%s: first problem '%s', expected '%s'", file,
             first ? first : "(none)", problem);
  avis_model_free(model);
}

/* With strict loading the first bad line fails the load. */
static void expect_strict_failure(const char *file, avis_lexicon_format format,
                                  const char *problem) {
  int rc;
  avis_model *model = load_lexicon(file, format, 1, &rc);
  assert_null(model);
  assert_int_equal(rc, AVIS_ERR_FORMAT);
  if (!strstr(avis_last_error(), problem))
    fail_msg("%s: message '%s', expected '%s'", file, avis_last_error(),
             problem);
}

static void test_lexicon_bad_lines(void **state) {
  (void)state;
  expect_skipped("bad-lines.tsv", AVIS_LEXICON_AUTO, 4, 4,
                 "lexicons/bad-lines.tsv:3: decimal comma");
  expect_strict_failure("bad-lines.tsv", AVIS_LEXICON_AUTO,
                        "lexicons/bad-lines.tsv:3: decimal comma");
  expect_skipped("bad-lines.csv", AVIS_LEXICON_FEEL, 2, 2,
                 "lexicons/bad-lines.csv:3: polarity is neither");
  expect_strict_failure("bad-lines.csv", AVIS_LEXICON_FEEL,
                        "lexicons/bad-lines.csv:3: polarity is neither");
  expect_skipped("bad-lines.vader", AVIS_LEXICON_VADER, 2, 2,
                 "lexicons/bad-lines.vader:2: not a decimal number");
  expect_strict_failure("bad-lines.vader", AVIS_LEXICON_VADER,
                        "lexicons/bad-lines.vader:2: not a decimal number");
}

/* What loads from a lexicon with bad lines is used: "excellent" rates. */
static void test_rest_of_lexicon_used(void **state) {
  (void)state;
  int rc;
  avis_model *model = load_lexicon("bad-lines.tsv", AVIS_LEXICON_TSV, 0, &rc);
  assert_int_equal(rc, 0);
  avis_analyzer *a;
  avis_result *r;
  assert_int_equal(avis_analyzer_new(&a, model), 0);
  assert_int_equal(avis_analyze(a, "Un repas excellent.", 19, &r), 0);
  assert_int_equal(avis_result_label(r), AVIS_POSITIVE);
  avis_result_free(r);
  avis_analyzer_free(a);
  avis_model_free(model);
}

/* A lexicon that is not text is refused whole, naming file and line. */
static void test_binary_lexicon_rejected(void **state) {
  (void)state;
  char path[256];
  snprintf(path, sizeof path, "%s/binary.tsv", dir);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  fputs("bon\t0.5\nmal\t-0.5\n", f);
  fwrite("nul\0\t-0.7\n", 1, 10, f);
  assert_int_equal(fclose(f), 0);
  avis_model_options *opts = NULL;
  avis_model *model = NULL;
  assert_int_equal(avis_model_options_new(&opts), 0);
  assert_int_equal(avis_model_options_add_lexicon(opts, path, AVIS_LEXICON_TSV),
                   0);
  assert_int_equal(avis_model_load(&model, opts), AVIS_ERR_BINARY);
  assert_null(model);
  assert_non_null(strstr(avis_last_error(), "binary.tsv:3: binary file"));
  avis_model_options_free(opts);
  remove(path);
}

static int setup(void **state) {
  (void)state;
  build_valid_model();
  return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  avis_buf_release(&valid);
  return rmdir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_valid_model_loads),
      cmocka_unit_test(test_corrupt_models_rejected),
      cmocka_unit_test(test_clustered_hash_rejected),
      cmocka_unit_test(test_lexicon_bad_lines),
      cmocka_unit_test(test_rest_of_lexicon_used),
      cmocka_unit_test(test_binary_lexicon_rejected),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
