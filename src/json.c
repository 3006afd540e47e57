/* JSON serialisation of a result (schema: docs/json-schema.md). Built with
 * jansson, which escapes strings correctly and writes numbers without
 * regard to the C locale. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "model.h"
#include "tokenize.h"

#define KEY_SENTENCES 3

/* Set when any allocation fails while building the tree, so that the
 * builders stay free of error plumbing and the failure is reported once. */
static _Thread_local int build_failed;

/* Adds `value` under `key`, taking ownership of it. */
static void put(json_t *obj, const char *key, json_t *value) {
  if (!obj)
    json_decref(value);
  if (!obj || json_object_set_new(obj, key, value))
    build_failed = 1;
}

static void append(json_t *arr, json_t *value) {
  if (!arr)
    json_decref(value);
  if (!arr || json_array_append_new(arr, value))
    build_failed = 1;
}

static json_t *span_text(const avis_result *r, size_t start, size_t len) {
  return json_stringn(r->text.data + start, len);
}

static json_t *stats_json(const avis_result *r) {
  json_t *o = json_object();
  put(o, "characters", json_integer((json_int_t)r->chars));
  put(o, "words", json_integer((json_int_t)r->words));
  put(o, "sentences", json_integer((json_int_t)r->nsentences));
  put(o, "tokens", json_integer((json_int_t)r->tokens.len));
  return o;
}

static json_t *rules_json(unsigned rules) {
  json_t *a = json_array();
  for (unsigned b = 1; b && b <= rules; b <<= 1)
    if ((rules & b) && avis_rule_name(b))
      append(a, json_string(avis_rule_name(b)));
  return a;
}

static json_t *driver_json(const avis_result *r, size_t i) {
  size_t start, len, sentence;
  const char *term;
  double polarity, contribution;
  unsigned rules;
  avis_result_driver(r, i, &start, &len, &term, &polarity, &contribution,
                     &rules, &sentence);
  json_t *o = json_object();
  put(o, "text", span_text(r, start, len));
  put(o, "term", json_string(term));
  put(o, "polarity", json_real(polarity));
  put(o, "contribution", json_real(contribution));
  put(o, "rules", rules_json(rules));
  put(o, "sentence", json_integer((json_int_t)sentence));
  put(o, "start", json_integer((json_int_t)start));
  put(o, "length", json_integer((json_int_t)len));
  return o;
}

static json_t *emotions_json(const avis_result *r) {
  json_t *o = json_object();
  for (int e = 0; e < AVIS_EMOTION_COUNT; e++)
    put(o, avis_emotion_name((avis_emotion)e),
        json_real(r->sentiment.emotions[e]));
  return o;
}

/* The supervised classifier's label, beside the lexicon score. */
static json_t *classifier_json(const avis_result *r) {
  const char *label;
  double probability;
  avis_result_sentiment_class(r, &label, &probability);
  json_t *o = json_object();
  put(o, "label", json_string(label));
  put(o, "probability", json_real(probability));
  return o;
}

static json_t *sentiment_json(const avis_result *r) {
  const avis_sentiment *s = &r->sentiment;
  json_t *o = json_object();
  put(o, "score", json_real(s->score));
  put(o, "label", json_string(avis_label_name(s->label)));
  put(o, "label_fr", json_string(avis_label_name_fr(s->label)));
  put(o, "subjectivity", json_real(s->subjectivity));
  json_t *drivers = json_array();
  for (size_t i = 0; i < s->drivers.len; i++)
    append(drivers, driver_json(r, i));
  put(o, "drivers", drivers);
  if (s->has_emotions)
    put(o, "emotions", emotions_json(r));
  if (r->has_class)
    put(o, "classifier", classifier_json(r));
  return o;
}

static json_t *topic_json(const avis_result *r, size_t i) {
  const char *id, *name, *word;
  double share;
  int tagged;
  avis_result_topic(r, i, &id, &name, &share, &tagged);
  json_t *o = json_object();
  put(o, "id", json_string(id));
  put(o, "name", json_string(name));
  put(o, "share", json_real(share));
  put(o, "tagged", json_boolean(tagged));
  json_t *evidence = json_array();
  for (size_t j = 0; j < avis_result_topic_evidence_count(r, i); j++) {
    avis_result_topic_evidence(r, i, j, &word, NULL);
    append(evidence, json_string(word));
  }
  put(o, "evidence", evidence);
  return o;
}

static json_t *topics_json(const avis_result *r) {
  json_t *a = json_array();
  for (size_t i = 0; i < avis_result_topic_count(r); i++)
    append(a, topic_json(r, i));
  return a;
}

static json_t *sentences_json(const avis_result *r) {
  json_t *a = json_array();
  for (size_t i = 0; i < r->nsentences; i++) {
    size_t start, len;
    double score;
    avis_result_sentence(r, i, &start, &len, &score);
    json_t *o = json_object();
    put(o, "start", json_integer((json_int_t)start));
    put(o, "length", json_integer((json_int_t)len));
    put(o, "score", json_real(score));
    put(o, "text", span_text(r, start, len));
    append(a, o);
  }
  return a;
}

static json_t *key_sentences_json(const avis_result *r, avis_label which) {
  size_t idx[KEY_SENTENCES];
  size_t n = avis_result_key_sentences(r, which, idx, KEY_SENTENCES);
  json_t *a = json_array();
  for (size_t i = 0; i < n; i++)
    append(a, json_integer((json_int_t)idx[i]));
  return a;
}

static json_t *tokens_json(const avis_result *r) {
  json_t *a = json_array();
  const avis_tok *toks = r->tokens.data;
  for (size_t i = 0; i < r->tokens.len; i++) {
    const avis_tok *t = &toks[i];
    json_t *o = json_object();
    put(o, "text", span_text(r, t->start, t->len));
    put(o, "kind", json_string(avis_token_kind_name((avis_token_kind)t->kind)));
    put(o, "norm", json_stringn(r->arena.data + t->norm_off, t->norm_len));
    put(o, "stem", json_stringn(r->arena.data + t->stem_off, t->stem_len));
    put(o, "sentence", json_integer(t->sentence));
    put(o, "start", json_integer(t->start));
    put(o, "length", json_integer(t->len));
    append(a, o);
  }
  return a;
}

static json_t *lexicons_json(const avis_result *r) {
  json_t *a = json_array();
  const char *p = r->lexicons.data;
  for (size_t i = 0; i < r->nlexicons; i++, p += strlen(p) + 1)
    append(a, json_string(p));
  return a;
}

static json_t *result_json(const avis_result *r, unsigned flags) {
  json_t *o = json_object();
  put(o, "version", json_string(AVIS_VERSION_STRING));
  put(o, "encoding", json_string(avis_encoding_name(r->encoding)));
  put(o, "stats", stats_json(r));
  put(o, "lexicons", lexicons_json(r));
  put(o, "sentiment", sentiment_json(r));
  put(o, "sentences", sentences_json(r));
  json_t *key = json_object();
  put(key, "positive", key_sentences_json(r, AVIS_POSITIVE));
  put(key, "negative", key_sentences_json(r, AVIS_NEGATIVE));
  put(o, "key_sentences", key);
  put(o, "topics", topics_json(r));
  if (flags & AVIS_JSON_TOKENS)
    put(o, "tokens", tokens_json(r));
  return o;
}

int avis_result_to_json(const avis_result *r, unsigned flags, char **out,
                        size_t *len) {
  if (!r || !out)
    return avis_fail(AVIS_ERR_ARG, "avis_result_to_json: NULL argument");
  *out = NULL;
  build_failed = 0;
  json_t *root = result_json(r, flags);
  size_t dump_flags = JSON_REAL_PRECISION(6) | JSON_PRESERVE_ORDER |
                      (flags & AVIS_JSON_PRETTY ? JSON_INDENT(2) : JSON_COMPACT);
  char *text = root && !build_failed ? json_dumps(root, dump_flags) : NULL;
  json_decref(root);
  if (!text) {
    free(text);
    return avis_fail(AVIS_ERR_NOMEM, "out of memory while writing JSON");
  }
  *out = text;
  if (len)
    *len = strlen(text);
  return 0;
}
