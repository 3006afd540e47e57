/* The public API as an embedding program sees it: ownership, errors,
 * accessors, JSON, and one model shared by several threads. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "avis.h"

static const char review[] =
    "Un film magnifique, vraiment émouvant. Les acteurs sont excellents !\n"
    "Je n’ai pas aimé la fin, trop longue.";

static int load_model(void **state) {
  avis_model_options *opts;
  avis_model *model;
  if (avis_model_options_new(&opts) ||
      avis_model_options_set_data_dir(opts, AVIS_TEST_DATA_DIR) ||
      avis_model_load(&model, opts))
    return -1;
  avis_model_options_free(opts);
  *state = model;
  return 0;
}

static int free_model(void **state) {
  avis_model_free(*state);
  return 0;
}

static avis_result *analyze_text(const avis_model *model, const char *text,
                                 size_t len) {
  avis_analyzer *an;
  avis_result *r = NULL;
  assert_int_equal(avis_analyzer_new(&an, model), AVIS_OK);
  assert_int_equal(avis_analyze(an, text, len, &r), AVIS_OK);
  avis_analyzer_free(an);
  return r;
}

static void test_versions(void **state) {
  (void)state;
  assert_string_equal(avis_version(), AVIS_VERSION_STRING);
  assert_int_equal(avis_version_number(), AVIS_VERSION_NUMBER);
}

static void test_free_null_is_noop(void **state) {
  (void)state;
  avis_model_options_free(NULL);
  avis_model_free(NULL);
  avis_analyzer_free(NULL);
  avis_result_free(NULL);
  avis_free(NULL);
}

static void test_errors_have_names_and_details(void **state) {
  (void)state;
  for (int code = AVIS_ERR_STEMMER; code <= AVIS_OK; code++)
    assert_string_not_equal(avis_strerror(code), "unknown error");
  assert_string_equal(avis_strerror(42), "unknown error");
  assert_int_equal(avis_model_load(NULL, NULL), AVIS_ERR_ARG);
  assert_non_null(strstr(avis_last_error(), "NULL"));
}

static void test_missing_lexicon_names_the_file(void **state) {
  (void)state;
  avis_model_options *opts;
  avis_model *model = (avis_model *)1;
  assert_int_equal(avis_model_options_new(&opts), AVIS_OK);
  assert_int_equal(avis_model_options_add_lexicon(opts, "/nonexistent/lex.tsv",
                                                  AVIS_LEXICON_TSV), AVIS_OK);
  assert_int_equal(avis_model_load(&model, opts), AVIS_ERR_IO);
  assert_null(model);
  assert_non_null(strstr(avis_last_error(), "/nonexistent/lex.tsv"));
  avis_model_options_free(opts);
}

static void test_default_data_is_loaded(void **state) {
  const avis_model *model = *state;
  assert_true(avis_model_lexicon_count(model) >= 1);
  const char *path;
  size_t entries, skipped;
  assert_int_equal(avis_model_lexicon_info(model, 0, &path, &entries, &skipped,
                                           NULL, NULL), AVIS_OK);
  assert_non_null(strstr(path, "fr-polarity.tsv"));
  assert_true(entries > 1000);
  assert_int_equal(skipped, 0);
  assert_int_equal(avis_model_lexicon_info(model, 99, NULL, NULL, NULL, NULL,
                                           NULL), AVIS_ERR_ARG);
}

static void test_result_accessors(void **state) {
  avis_result *r = analyze_text(*state, review, sizeof review - 1);
  size_t len;
  const char *text = avis_result_text(r, &len);
  assert_int_equal(len, sizeof review - 1);
  assert_memory_equal(text, review, len);
  assert_int_equal(avis_result_encoding(r), AVIS_ENCODING_UTF8);
  assert_int_equal(avis_result_sentence_count(r), 3);
  assert_int_equal(avis_result_word_count(r), 17); /* n’ belongs to ai */
  assert_true(avis_result_char_count(r) < len); /* accents are 2 bytes */

  /* Every token's span quotes the original text. */
  for (size_t i = 0; i < avis_result_token_count(r); i++) {
    avis_token_kind kind;
    size_t start, length, sentence;
    const char *norm, *stem;
    assert_int_equal(avis_result_token(r, i, &kind, &start, &length, &norm,
                                       &stem, &sentence), AVIS_OK);
    assert_true(start + length <= len);
    assert_true(sentence < 3);
    if (kind == AVIS_TOKEN_WORD && memcmp(text + start, "Les", 3) == 0)
      assert_string_equal(norm, "les");
  }
  assert_int_equal(avis_result_token(r, 10000, NULL, NULL, NULL, NULL, NULL,
                                     NULL), AVIS_ERR_ARG);
  double score = avis_result_score(r);
  assert_true(score >= -1.0 && score <= 1.0);
  assert_true(avis_result_driver_count(r) >= 3);
  avis_result_free(r);
}

static void test_json_schema_basics(void **state) {
  avis_result *r = analyze_text(*state, review, sizeof review - 1);
  char *json;
  size_t len;
  assert_int_equal(avis_result_to_json(r, AVIS_JSON_TOKENS, &json, &len),
                   AVIS_OK);
  assert_int_equal(strlen(json), len);
  json_error_t err;
  json_t *root = json_loads(json, 0, &err);
  assert_non_null(root);
  json_t *sentiment = json_object_get(root, "sentiment");
  double score = json_number_value(json_object_get(sentiment, "score"));
  assert_true(score >= -1.0 && score <= 1.0);
  const char *label = json_string_value(json_object_get(sentiment, "label"));
  assert_non_null(label);
  assert_string_equal(label, avis_label_name(avis_result_label(r)));
  assert_int_equal(json_array_size(json_object_get(root, "sentences")), 3);
  assert_int_equal(json_array_size(json_object_get(root, "tokens")),
                   avis_result_token_count(r));
  json_decref(root);
  avis_free(json);
  avis_result_free(r);
}

/* Strings are escaped after runs of plain bytes found several at a time:
 * a quote, a backslash, a control character and an accented letter are
 * written right wherever they fall in a run. */
static void test_json_escapes_at_every_offset(void **state) {
  avis_analyzer *an;
  assert_int_equal(avis_analyzer_new(&an, *state), AVIS_OK);
  for (size_t k = 0; k < 40; k++) {
    char text[128];
    memset(text, 'a', k);
    static const char tail[] =
        " \"bon\" \\ un film vraiment long\tgénial\x01 fin";
    memcpy(text + k, tail, sizeof tail);
    size_t len = k + sizeof tail - 1;
    avis_result *r = NULL;
    assert_int_equal(avis_analyze(an, text, len, &r), AVIS_OK);
    char *json;
    size_t json_len;
    assert_int_equal(avis_result_to_json(r, 0, &json, &json_len), AVIS_OK);
    json_error_t err;
    json_t *root = json_loads(json, 0, &err);
    assert_non_null(root);
    json_t *sentence = json_array_get(json_object_get(root, "sentences"), 0);
    size_t start =
        (size_t)json_integer_value(json_object_get(sentence, "start"));
    size_t length =
        (size_t)json_integer_value(json_object_get(sentence, "length"));
    const char *got = json_string_value(json_object_get(sentence, "text"));
    assert_non_null(got);
    assert_true(start + length <= len && length > 20);
    assert_int_equal(strlen(got), length);
    assert_memory_equal(got, text + start, length);
    json_decref(root);
    avis_free(json);
    avis_result_free(r);
  }
  avis_analyzer_free(an);
}

static void test_input_errors(void **state) {
  avis_analyzer *an;
  avis_result *r = (avis_result *)1;
  assert_int_equal(avis_analyzer_new(&an, *state), AVIS_OK);
  assert_int_equal(avis_analyze(an, "", 0, &r), AVIS_ERR_EMPTY);
  assert_null(r);
  assert_int_equal(avis_analyze(an, "a\0b", 3, &r), AVIS_ERR_BINARY);
  assert_int_equal(avis_analyzer_set_max_bytes(an, 8), AVIS_OK);
  assert_int_equal(avis_analyze(an, review, sizeof review - 1, &r),
                   AVIS_ERR_TOO_LARGE);
  assert_non_null(strstr(avis_last_error(), "limit"));
  avis_analyzer_free(an);
}

/* avis_analyze_reuse() gives, document after document, the results
 * avis_analyze() gives, whether the memory is reused, given back after a
 * long document, or the call fails; and *result is NULL after a failure. */
static char *json_of(const avis_result *r) {
  char *json;
  size_t len;
  assert_int_equal(avis_result_to_json(r, AVIS_JSON_TOKENS, &json, &len),
                   AVIS_OK);
  return json;
}

static void test_analyze_reuse(void **state) {
  static const char other[] =
      "Le gouvernement annonce une nouvelle loi sur la publicité en ligne. "
      "Les annonceurs sont furieux, mais les associations applaudissent.";
  size_t long_len = 6000 * (sizeof review - 1); /* past the kept size */
  char *long_text = malloc(long_len);
  assert_non_null(long_text);
  for (size_t i = 0; i < 6000; i++)
    memcpy(long_text + i * (sizeof review - 1), review, sizeof review - 1);
  const struct {
    const char *text;
    size_t len;
    int rc;
  } docs[] = {
      {review, sizeof review - 1, AVIS_OK},
      {other, sizeof other - 1, AVIS_OK},
      {long_text, long_len, AVIS_OK},
      {review, sizeof review - 1, AVIS_OK},
      {"", 0, AVIS_ERR_EMPTY},
      {other, sizeof other - 1, AVIS_OK},
      {review, 10, AVIS_OK},
  };
  avis_analyzer *fresh, *reusing;
  assert_int_equal(avis_analyzer_new(&fresh, *state), AVIS_OK);
  assert_int_equal(avis_analyzer_new(&reusing, *state), AVIS_OK);
  avis_result *kept = NULL;
  for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
    avis_result *r = NULL;
    assert_int_equal(avis_analyze(fresh, docs[i].text, docs[i].len, &r),
                     docs[i].rc);
    assert_int_equal(
        avis_analyze_reuse(reusing, docs[i].text, docs[i].len, &kept),
        docs[i].rc);
    if (docs[i].rc) {
      assert_null(kept);
      continue;
    }
    char *want = json_of(r), *got = json_of(kept);
    assert_string_equal(got, want);
    avis_free(want);
    avis_free(got);
    avis_result_free(r);
  }
  assert_int_equal(avis_analyze_reuse(reusing, NULL, 1, &kept), AVIS_ERR_ARG);
  assert_null(kept);
  avis_result_free(kept);
  avis_analyzer_free(fresh);
  avis_analyzer_free(reusing);
  free(long_text);
}

typedef struct {
  const avis_model *model;
  char *json;
} thread_job;

static void *analyze_in_thread(void *arg) {
  thread_job *job = arg;
  avis_analyzer *an;
  if (avis_analyzer_new(&an, job->model))
    return NULL;
  for (int round = 0; round < 50; round++) {
    avis_result *r;
    if (avis_analyze(an, review, sizeof review - 1, &r))
      break;
    avis_free(job->json);
    job->json = NULL;
    avis_result_to_json(r, 0, &job->json, NULL);
    avis_result_free(r);
  }
  avis_analyzer_free(an);
  return NULL;
}

/* One model, one analyzer a thread: every thread gets the same result. */
static void test_shared_model_across_threads(void **state) {
  enum { N = 4 };
  pthread_t threads[N];
  thread_job jobs[N];
  for (int i = 0; i < N; i++) {
    jobs[i].model = *state;
    jobs[i].json = NULL;
    assert_int_equal(pthread_create(&threads[i], NULL, analyze_in_thread,
                                    &jobs[i]), 0);
  }
  for (int i = 0; i < N; i++)
    pthread_join(threads[i], NULL);
  for (int i = 0; i < N; i++) {
    assert_non_null(jobs[i].json);
    assert_string_equal(jobs[i].json, jobs[0].json);
  }
  for (int i = 0; i < N; i++)
    avis_free(jobs[i].json);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_versions),
      cmocka_unit_test(test_free_null_is_noop),
      cmocka_unit_test(test_errors_have_names_and_details),
      cmocka_unit_test(test_missing_lexicon_names_the_file),
      cmocka_unit_test(test_default_data_is_loaded),
      cmocka_unit_test(test_result_accessors),
      cmocka_unit_test(test_json_schema_basics),
      cmocka_unit_test(test_json_escapes_at_every_offset),
      cmocka_unit_test(test_input_errors),
      cmocka_unit_test(test_analyze_reuse),
      cmocka_unit_test(test_shared_model_across_threads),
  };
  return cmocka_run_group_tests(tests, load_model, free_model);
}
