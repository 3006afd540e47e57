/* LDA: the sampler on a corpus with planted topics, determinism of training
 * and fold-in, model files (round trip, damaged files), and the quality
 * measures on a toy model whose values are worked out by hand. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "avis_train.h"
#include "buf.h"
#include "lda.h"
#include "topicfile.h"

#define K 4
#define WORDS 12  /* per planted topic */
#define DOCS 240
#define DOC_LEN 50

typedef struct {
  avis_model *model;
  avis_corpus *corpus;
} fixture;

/* A tiny deterministic generator, so that the corpus does not depend on
 * the C library's rand(). */
static uint32_t next(uint64_t *s) {
  *s = *s * 6364136223846793005ull + 1442695040888963407ull;
  return (uint32_t)(*s >> 33);
}

/* Every document mixes two planted topics, 75/25; topic t's words are
 * "t<t>w<i>". */
static avis_corpus *planted_corpus(avis_model *model) {
  avis_corpus *c;
  assert_int_equal(avis_corpus_new(&c, model), 0);
  assert_int_equal(avis_corpus_set_terms(c, AVIS_TERMS_TOKENS), 0);
  uint64_t s = 42;
  for (int d = 0; d < DOCS; d++) {
    char line[DOC_LEN * 8];
    size_t len = 0;
    int a = (int)(next(&s) % K), b = (a + 1 + (int)(next(&s) % (K - 1))) % K;
    for (int i = 0; i < DOC_LEN; i++) {
      int t = next(&s) % 4 ? a : b;
      len += (size_t)snprintf(line + len, sizeof line - len, "%st%dw%u",
                              i ? " " : "", t, next(&s) % WORDS);
    }
    assert_int_equal(avis_corpus_add_tokens(c, line, len), 0);
  }
  return c;
}

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  avis_model_options *mo;
  assert_int_equal(avis_model_options_new(&mo), 0);
  assert_int_equal(avis_model_load(&f->model, mo), 0);
  avis_model_options_free(mo);
  f->corpus = planted_corpus(f->model);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  avis_corpus_free(f->corpus);
  avis_model_free(f->model);
  free(f);
  return 0;
}

static avis_lda *train(const avis_corpus *c, unsigned threads, uint64_t seed,
                       unsigned iterations) {
  avis_lda_options *o;
  avis_lda *lda = NULL;
  assert_int_equal(avis_lda_options_new(&o), 0);
  assert_int_equal(avis_lda_options_set_topics(o, K), 0);
  assert_int_equal(avis_lda_options_set_iterations(o, iterations), 0);
  assert_int_equal(avis_lda_options_set_threads(o, threads), 0);
  assert_int_equal(avis_lda_options_set_seed(o, seed), 0);
  assert_int_equal(avis_lda_options_set_vocabulary(o, 1, 1.0, 0), 0);
  assert_int_equal(avis_lda_options_set_pruning(o, 1, 0), 0);
  assert_int_equal(avis_lda_options_set_provenance(o, "test", "planted", "-"), 0);
  assert_int_equal(avis_lda_train(&lda, c, o), 0);
  avis_lda_options_free(o);
  return lda;
}

static void image_of(const avis_lda *lda, avis_buf *b) {
  assert_int_equal(avis_lda_file_write(lda, b), 0);
}

/* Each learnt topic puts almost all its mass on one planted topic's words,
 * and every planted topic is found. */
static void test_recovers_planted_topics(void **state) {
  fixture *f = *state;
  for (unsigned threads = 1; threads <= 2; threads++) {
    avis_lda *lda = train(f->corpus, threads, 7, 200);
    int found[K] = {0};
    for (size_t k = 0; k < K; k++) {
      double mass[K] = {0};
      for (size_t i = 0; i < avis_lda_topic_word_count(lda, k); i++) {
        const char *w;
        double p;
        avis_lda_topic_word(lda, k, i, &w, &p);
        mass[w[1] - '0'] += p;
      }
      int best = 0;
      for (int t = 1; t < K; t++)
        if (mass[t] > mass[best])
          best = t;
      assert_true(mass[best] > 0.95);
      found[best] = 1;
    }
    for (int t = 0; t < K; t++)
      assert_true(found[t]);
    avis_lda_free(lda);
  }
}

/* Which planted topic a learnt topic's heaviest word comes from. */
static int planted_of(const avis_lda *lda, size_t k) {
  const char *w;
  avis_lda_topic_word(lda, k, 0, &w, NULL);
  return w[1] - '0';
}

static void test_seed_words_steer_topics(void **state) {
  fixture *f = *state;
  for (uint64_t seed = 1; seed <= 3; seed++) {
    avis_lda_options *o;
    avis_lda *lda;
    assert_int_equal(avis_lda_options_new(&o), 0);
    assert_int_equal(avis_lda_options_set_topics(o, K), 0);
    assert_int_equal(avis_lda_options_set_iterations(o, 100), 0);
    assert_int_equal(avis_lda_options_set_seed(o, seed), 0);
    assert_int_equal(avis_lda_options_set_vocabulary(o, 1, 1.0, 0), 0);
    assert_int_equal(avis_lda_options_set_seed_words(
                         o, AVIS_TEST_FIXTURES "/lda/planted.seeds", 20), 0);
    assert_int_equal(avis_lda_train(&lda, f->corpus, o), 0);
    assert_int_equal(planted_of(lda, 0), 2);
    assert_int_equal(planted_of(lda, 1), 0);
    avis_lda_free(lda);
    avis_lda_options_free(o);
  }
}

static void test_same_seed_same_model(void **state) {
  fixture *f = *state;
  for (unsigned threads = 1; threads <= 2; threads++) {
    avis_lda *a = train(f->corpus, threads, 3, 20);
    avis_lda *b = train(f->corpus, threads, 3, 20);
    avis_lda *c = train(f->corpus, threads, 4, 20);
    avis_buf ia = {0}, ib = {0}, ic = {0};
    image_of(a, &ia);
    image_of(b, &ib);
    image_of(c, &ic);
    assert_int_equal(ia.len, ib.len);
    assert_memory_equal(ia.data, ib.data, ia.len);
    assert_true(ia.len != ic.len || memcmp(ia.data, ic.data, ia.len) != 0);
    avis_buf_release(&ia);
    avis_buf_release(&ib);
    avis_buf_release(&ic);
    avis_lda_free(a);
    avis_lda_free(b);
    avis_lda_free(c);
  }
}

static void test_fold_in_is_deterministic(void **state) {
  fixture *f = *state;
  avis_lda *lda = train(f->corpus, 1, 1, 100);
  double t1[K], t2[K], sum = 0;
  assert_int_equal(avis_lda_infer(lda, f->corpus, 5, 0, 99, t1), 0);
  assert_int_equal(avis_lda_infer(lda, f->corpus, 5, 0, 99, t2), 0);
  assert_memory_equal(t1, t2, sizeof t1);
  for (int k = 0; k < K; k++)
    sum += t1[k];
  assert_true(fabs(sum - 1) < 1e-9);
  /* Two planted topics, 75/25: the heaviest takes well over half. */
  double top = 0;
  for (int k = 0; k < K; k++)
    top = t1[k] > top ? t1[k] : top;
  assert_true(top > 0.55);
  avis_lda_free(lda);
}

/* ---- Files ------------------------------------------------------------- */

static avis_lda *small_model(void **state) {
  fixture *f = *state;
  return train(f->corpus, 1, 1, 10);
}

static void test_round_trip(void **state) {
  avis_lda *lda = small_model(state), *back;
  avis_buf a = {0}, b = {0};
  image_of(lda, &a);
  assert_int_equal(avis_lda_file_parse(&back, (unsigned char *)a.data, a.len,
                                       "mem"), 0);
  image_of(back, &b);
  assert_int_equal(a.len, b.len);
  assert_memory_equal(a.data, b.data, a.len);
  assert_int_equal(avis_lda_topic_count(back), K);
  assert_string_equal(avis_lda_provenance(back), avis_lda_provenance(lda));
  const char *path = "test_lda_round_trip.lda";
  assert_int_equal(avis_lda_save(lda, path), 0);
  avis_lda *loaded;
  assert_int_equal(avis_lda_load(&loaded, path), 0);
  assert_int_equal(avis_lda_term_count(loaded), avis_lda_term_count(lda));
  remove(path);
  avis_lda_free(loaded);
  avis_lda_free(back);
  avis_lda_free(lda);
  avis_buf_release(&a);
  avis_buf_release(&b);
}

static void put32(unsigned char *p, uint32_t v) {
  for (int i = 0; i < 4; i++)
    p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

/* After an edit, the checksums are made right again, so that the loader's
 * field checks (not the checksum) must catch it. */
static void reseal(unsigned char *d, size_t len) {
  put32(d + 28, avis_crc32(0, d + 64, len - 64));
  put32(d + 32, avis_crc32(0, d, 32));
}

/* Offset of a section's entry in the table. */
static unsigned char *section_entry(unsigned char *d, const char *tag) {
  uint32_t n = get32(d + 24);
  for (uint32_t i = 0; i < n; i++)
    if (memcmp(d + 64 + 24 * i, tag, 4) == 0)
      return d + 64 + 24 * i;
  fail_msg("no section %s", tag);
  return NULL;
}

static void expect_rejected(const unsigned char *d, size_t len,
                            const char *why) {
  avis_lda *m = NULL;
  int rc = avis_lda_file_parse(&m, d, len, "bad.lda");
  assert_int_equal(rc, AVIS_ERR_FORMAT);
  assert_null(m);
  if (!strstr(avis_last_error(), why))
    fail_msg("error '%s' does not mention '%s'", avis_last_error(), why);
}

static void test_damaged_files(void **state) {
  avis_lda *lda = small_model(state);
  avis_buf img = {0};
  image_of(lda, &img);
  size_t len = img.len;
  unsigned char *d = malloc(len);

  memcpy(d, img.data, len);
  expect_rejected(d, len - 9, "truncated");

  memcpy(d, img.data, len);
  d[len / 2] ^= 0x10;
  expect_rejected(d, len, "checksum");

  memcpy(d, img.data, len);
  d[1] = 'X';
  expect_rejected(d, len, "magic");

  memcpy(d, img.data, len);
  put32(d + 8, 99);
  reseal(d, len);
  expect_rejected(d, len, "version 99");

  /* A count far above its topic's size. */
  memcpy(d, img.data, len);
  unsigned char *e = section_entry(d, "TWCT");
  uint32_t off = get32(e + 8);
  uint32_t nterms = get32(d + get32(section_entry(d, "LDAP") + 8) + 4);
  unsigned char *first_count = d + off + 4 * ((size_t)nterms + 1);
  put32(first_count, get32(first_count) | 0xFFFFF000u);
  reseal(d, len);
  expect_rejected(d, len, "overflow");

  /* A section said to lie past the end of the file. */
  memcpy(d, img.data, len);
  e = section_entry(d, "TERM");
  put32(e + 8, (uint32_t)len + 64);
  reseal(d, len);
  expect_rejected(d, len, "beyond the end");

  /* Count rows pointing past the entries. */
  memcpy(d, img.data, len);
  e = section_entry(d, "TWCT");
  off = get32(e + 8);
  put32(d + off + 4, 0x7FFFFFFF);
  reseal(d, len);
  expect_rejected(d, len, "past the end");

  /* A naive Bayes file's container, without the LDA sections. */
  memcpy(d, img.data, len);
  memcpy(section_entry(d, "LDAP"), "PARM", 4);
  reseal(d, len);
  expect_rejected(d, len, "not an LDA model");

  free(d);
  avis_buf_release(&img);
  avis_lda_free(lda);
}

/* ---- Quality on a toy model ----------------------------------------------
 * Two topics with the same counts, a: 3 and b: 1, beta 0.5, two terms:
 * phi(a) = 3.5 / 5 = 0.7 and phi(b) = 1.5 / 5 = 0.3 in both, so whatever
 * mixture fold-in finds, p(w) = phi(w).
 * Held out: "a a b b" scores its second half b b, "a b a" its last two b a:
 * log-likelihood (3 ln 0.3 + ln 0.7) / 4 per token.
 * Reference corpus "a b", "a", "a", "b": D(a) = 3, D(b) = 2, D(a,b) = 1 of 4.
 * Top words a then b: UMass = ln((1 + 1) / 3) = -0.405465;
 * NPMI = ln(0.25 / (0.75 * 0.5)) / -ln(0.25) = -0.292481. */
static avis_lda *toy_model(void) {
  static const uint32_t counts[] = {3, 3, 1, 1};
  static const double alpha[] = {0.5, 0.5};
  static const char *const terms[] = {"a", "b"};
  avis_lda_spec spec = {.k = 2, .nterms = 2, .terms_kind = AVIS_TERMS_TOKENS,
                        .beta = 0.5, .alpha = alpha, .counts = counts,
                        .terms = terms, .min_count = 1, .provenance = "toy"};
  avis_lda *m;
  assert_int_equal(avis_lda_build(&m, &spec), 0);
  return m;
}

static avis_corpus *toy_corpus(avis_model *model, const char *const *docs,
                               size_t n) {
  avis_corpus *c;
  assert_int_equal(avis_corpus_new(&c, model), 0);
  assert_int_equal(avis_corpus_set_terms(c, AVIS_TERMS_TOKENS), 0);
  for (size_t i = 0; i < n; i++)
    assert_int_equal(avis_corpus_add_tokens(c, docs[i], strlen(docs[i])), 0);
  return c;
}

static void test_quality_by_hand(void **state) {
  fixture *f = *state;
  static const char *const held[] = {"a a b b", "a b a", "z"};
  static const char *const ref[] = {"a b", "a", "a", "b"};
  avis_lda *m = toy_model();
  avis_corpus *h = toy_corpus(f->model, held, 3);
  avis_corpus *r = toy_corpus(f->model, ref, 4);
  avis_lda_quality q;
  assert_int_equal(avis_lda_evaluate(m, h, r, 10, 1, &q), 0);
  double ll = (3 * log(0.3) + log(0.7)) / 4;
  assert_int_equal(q.tokens, 4);
  assert_int_equal(q.docs, 2);
  assert_true(fabs(q.log_likelihood - ll) < 1e-6);
  assert_true(fabs(q.perplexity - exp(-ll)) < 1e-4);
  assert_true(fabs(q.umass - log(2.0 / 3)) < 1e-9);
  assert_true(fabs(q.npmi - (-0.2924812503605781)) < 1e-9);
  avis_lda_quality_release(&q);
  avis_corpus_free(h);
  avis_corpus_free(r);
  avis_lda_free(m);
}

static void test_bad_arguments(void **state) {
  (void)state;
  avis_lda_options *o;
  assert_int_equal(avis_lda_options_new(&o), 0);
  assert_int_equal(avis_lda_options_set_topics(o, 1), AVIS_ERR_ARG);
  assert_int_equal(avis_lda_options_set_topics(o, 5000), AVIS_ERR_ARG);
  assert_int_equal(avis_lda_options_set_priors(o, 0, 0.1), AVIS_ERR_ARG);
  assert_int_equal(avis_lda_options_set_threads(o, 0), AVIS_ERR_ARG);
  avis_lda_options_free(o);
  avis_lda_free(NULL);
  avis_lda_options_free(NULL);
  avis_lda *m;
  assert_int_equal(avis_lda_load(&m, "/nonexistent/model.lda"), AVIS_ERR_IO);
  assert_null(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_recovers_planted_topics, setup, teardown),
      cmocka_unit_test_setup_teardown(test_seed_words_steer_topics, setup, teardown),
      cmocka_unit_test_setup_teardown(test_same_seed_same_model, setup, teardown),
      cmocka_unit_test_setup_teardown(test_fold_in_is_deterministic, setup, teardown),
      cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
      cmocka_unit_test_setup_teardown(test_damaged_files, setup, teardown),
      cmocka_unit_test_setup_teardown(test_quality_by_hand, setup, teardown),
      cmocka_unit_test(test_bad_arguments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
