/* Fuzz target: avis_analyze() on arbitrary bytes, then every accessor of
 * the result and its JSON, checking what the header promises (spans inside
 * the text, scores in range, JSON that parses back).
 *
 * Input: one option byte, then the document.
 *   bit 0-1  token limit: none, 1, 7 or 64 tokens
 *   bit 2    JSON with the token list
 *   bit 3    indented JSON
 *   bit 4    a model whose added lexicon carries emotions
 */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "avis.h"
#include "fuzz_check.h"

static avis_model *load_model(int emotions) {
  avis_model_options *opts = NULL;
  avis_model *model = NULL;
  CHECK(avis_model_options_new(&opts) == 0);
  CHECK(avis_model_options_set_data_dir(opts, AVIS_FUZZ_DATA_DIR) == 0);
  if (emotions)
    CHECK(avis_model_options_add_lexicon(
              opts, AVIS_FUZZ_FIXTURES "/lexicons/feel.csv",
              AVIS_LEXICON_FEEL) == 0);
  CHECK(avis_model_load(&model, opts) == 0);
  avis_model_options_free(opts);
  return model;
}

/* Both models live for the whole run, as a server's would. */
static avis_analyzer *analyzer_for(int emotions) {
  static avis_analyzer *analyzers[2];
  if (!analyzers[emotions]) {
    avis_model *model = load_model(emotions);
    CHECK(avis_analyzer_new(&analyzers[emotions], model) == 0);
  }
  return analyzers[emotions];
}

static int in_text(size_t start, size_t len, size_t text_len) {
  return start <= text_len && len <= text_len - start;
}

static int unit_range(double x) { return x >= -1.0 && x <= 1.0; }

static void check_tokens(const avis_result *r, size_t text_len) {
  size_t n = avis_result_token_count(r), nsent = avis_result_sentence_count(r);
  size_t prev_end = 0;
  for (size_t i = 0; i < n; i++) {
    avis_token_kind kind;
    size_t start, len, sentence;
    const char *norm, *stem;
    CHECK(avis_result_token(r, i, &kind, &start, &len, &norm, &stem,
                            &sentence) == 0);
    CHECK(in_text(start, len, text_len) && len > 0 && start >= prev_end);
    CHECK(norm && stem && sentence < nsent);
    CHECK(avis_token_kind_name(kind) != NULL);
    prev_end = start + len;
  }
  CHECK(avis_result_token(r, n, NULL, NULL, NULL, NULL, NULL, NULL) != 0);
}

static void check_sentences(const avis_result *r, size_t text_len) {
  size_t n = avis_result_sentence_count(r);
  for (size_t i = 0; i < n; i++) {
    size_t start, len;
    double score;
    CHECK(avis_result_sentence(r, i, &start, &len, &score) == 0);
    CHECK(in_text(start, len, text_len) && unit_range(score));
  }
  size_t idx[4];
  size_t k = avis_result_key_sentences(r, AVIS_POSITIVE, idx, 4);
  for (size_t i = 0; i < k; i++)
    CHECK(idx[i] < n);
  k = avis_result_key_sentences(r, AVIS_NEGATIVE, idx, 4);
  for (size_t i = 0; i < k; i++)
    CHECK(idx[i] < n);
}

static void check_sentiment(const avis_result *r, size_t text_len) {
  CHECK(unit_range(avis_result_score(r)));
  double subj = avis_result_subjectivity(r);
  CHECK(subj >= 0 && subj <= 1);
  CHECK(avis_label_name(avis_result_label(r)) != NULL);
  size_t n = avis_result_driver_count(r);
  for (size_t i = 0; i < n; i++) {
    size_t start, len, sentence;
    const char *term;
    double polarity, contribution;
    unsigned rules;
    CHECK(avis_result_driver(r, i, &start, &len, &term, &polarity,
                             &contribution, &rules, &sentence) == 0);
    CHECK(in_text(start, len, text_len) && term && unit_range(polarity));
    CHECK(isfinite(contribution) &&
          sentence < avis_result_sentence_count(r));
  }
  for (int e = 0; e < AVIS_EMOTION_COUNT; e++) {
    double share = avis_result_emotion(r, (avis_emotion)e);
    CHECK(share >= 0 && share <= 1);
  }
}

static void check_topics(const avis_result *r) {
  size_t n = avis_result_topic_count(r);
  for (size_t i = 0; i < n; i++) {
    const char *id, *name;
    double share;
    int tagged;
    CHECK(avis_result_topic(r, i, &id, &name, &share, &tagged) == 0);
    CHECK(id && name && share >= 0 && share <= 1.000001);
    for (size_t j = 0; j < avis_result_topic_evidence_count(r, i); j++) {
      const char *word;
      double weight;
      CHECK(avis_result_topic_evidence(r, i, j, &word, &weight) == 0);
      CHECK(word && isfinite(weight));
    }
  }
}

static void check_json(const avis_result *r, unsigned flags) {
  char *text;
  size_t len;
  CHECK(avis_result_to_json(r, flags, &text, &len) == 0);
  CHECK(strlen(text) == len);
  json_error_t err;
  json_t *root = json_loadb(text, len, 0, &err);
  CHECK(root && json_is_object(root));
  CHECK(json_integer_value(json_object_get(
            json_object_get(root, "stats"), "tokens")) ==
        (json_int_t)avis_result_token_count(r));
  CHECK(json_is_true(json_object_get(root, "truncated")) ==
        avis_result_truncated(r));
  json_decref(root);
  avis_free(text);
}

static const size_t token_limits[4] = {0, 1, 7, 64};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  unsigned opt = data[0];
  avis_analyzer *a = analyzer_for((opt >> 4) & 1);
  size_t max_tokens = token_limits[opt & 3];
  CHECK(avis_analyzer_set_max_tokens(a, max_tokens) == 0);
  avis_result *r = NULL;
  int rc = avis_analyze(a, (const char *)data + 1, size - 1, &r);
  if (rc) {
    CHECK(r == NULL && rc < 0 && avis_strerror(rc) && *avis_last_error());
    return 0;
  }
  size_t text_len;
  const char *text = avis_result_text(r, &text_len);
  CHECK(text && strlen(text) == text_len);
  CHECK(avis_result_char_count(r) <= text_len);
  CHECK(avis_result_word_count(r) <= avis_result_token_count(r));
  CHECK(!max_tokens || avis_result_token_count(r) <= max_tokens);
  check_tokens(r, text_len);
  check_sentences(r, text_len);
  check_sentiment(r, text_len);
  check_topics(r);
  check_json(r, ((opt & 4) ? AVIS_JSON_TOKENS : 0) |
                    ((opt & 8) ? AVIS_JSON_PRETTY : 0));
  avis_result_free(r);
  return 0;
}
