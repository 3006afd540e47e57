/* Read access to an avis_result, and the names of its enumerations. */
#include <stdlib.h>

#include "error.h"
#include "lda.h"
#include "model.h"
#include "topics.h"

void avis_result_free(avis_result *r) {
  if (!r)
    return;
  avis_buf_release(&r->text);
  avis_buf_release(&r->arena);
  avis_buf_release(&r->lexicons);
  avis_vec_release(&r->tokens);
  avis_vec_release(&r->sent_spans);
  avis_vec_release(&r->topics);
  avis_vec_release(&r->evidence);
  avis_vec_release(&r->lda);
  avis_vec_release(&r->lda_words);
  avis_sentiment_release(&r->sentiment);
  free(r);
}

const char *avis_encoding_name(avis_encoding e) {
  switch (e) {
  case AVIS_ENCODING_UTF8: return "utf-8";
  case AVIS_ENCODING_UTF8_BOM: return "utf-8-bom";
  case AVIS_ENCODING_CP1252: return "windows-1252";
  }
  return "unknown";
}

const char *avis_token_kind_name(avis_token_kind k) {
  static const char *const names[] = {"word",  "number",  "url",
                                      "email", "handle",  "hashtag",
                                      "emoji", "emoticon", "punct"};
  return (unsigned)k < sizeof names / sizeof *names ? names[k] : "unknown";
}

const char *avis_label_name(avis_label l) {
  return l < 0 ? "negative" : l > 0 ? "positive" : "neutral";
}

const char *avis_label_name_fr(avis_label l) {
  return l < 0 ? "négatif" : l > 0 ? "positif" : "neutre";
}

const char *avis_emotion_name(avis_emotion e) {
  static const char *const names[AVIS_EMOTION_COUNT] = {
      "joie", "peur", "tristesse", "colère", "surprise", "dégoût"};
  return (unsigned)e < AVIS_EMOTION_COUNT ? names[e] : "unknown";
}

avis_encoding avis_result_encoding(const avis_result *r) {
  return r ? r->encoding : AVIS_ENCODING_UTF8;
}

const char *avis_result_text(const avis_result *r, size_t *len) {
  if (len)
    *len = r ? r->text.len : 0;
  return r && r->text.data ? r->text.data : "";
}

size_t avis_result_char_count(const avis_result *r) { return r ? r->chars : 0; }
size_t avis_result_word_count(const avis_result *r) { return r ? r->words : 0; }
int avis_result_truncated(const avis_result *r) {
  return r ? r->truncated : 0;
}
size_t avis_result_token_count(const avis_result *r) {
  return r ? r->tokens.len : 0;
}

int avis_result_token(const avis_result *r, size_t i, avis_token_kind *kind,
                      size_t *start, size_t *length, const char **norm,
                      const char **stem, size_t *sentence) {
  if (!r || i >= r->tokens.len)
    return avis_fail(AVIS_ERR_ARG, "avis_result_token: no token %zu", i);
  const avis_tok *t = (const avis_tok *)r->tokens.data + i;
  if (kind)
    *kind = (avis_token_kind)t->kind;
  if (start)
    *start = t->start;
  if (length)
    *length = t->len;
  if (norm)
    *norm = r->arena.data + t->norm_off;
  if (stem)
    *stem = r->arena.data + t->stem_off;
  if (sentence)
    *sentence = t->sentence;
  return 0;
}

size_t avis_result_sentence_count(const avis_result *r) {
  return r ? r->nsentences : 0;
}

int avis_result_sentence(const avis_result *r, size_t i, size_t *start,
                         size_t *length, double *score) {
  if (!r || i >= r->nsentences)
    return avis_fail(AVIS_ERR_ARG, "avis_result_sentence: no sentence %zu", i);
  const uint32_t *span = (const uint32_t *)r->sent_spans.data + 2 * i;
  if (start)
    *start = span[0];
  if (length)
    *length = span[1] - span[0];
  if (score)
    *score = i < r->sentiment.sentences.len
                 ? ((const double *)r->sentiment.sentences.data)[i] : 0.0;
  return 0;
}

double avis_result_score(const avis_result *r) {
  return r ? r->sentiment.score : 0.0;
}

avis_label avis_result_label(const avis_result *r) {
  return r ? r->sentiment.label : AVIS_NEUTRAL;
}

double avis_result_subjectivity(const avis_result *r) {
  return r ? r->sentiment.subjectivity : 0.0;
}

size_t avis_result_driver_count(const avis_result *r) {
  return r ? r->sentiment.drivers.len : 0;
}

int avis_result_driver(const avis_result *r, size_t i, size_t *start,
                       size_t *length, const char **term, double *polarity,
                       double *contribution, unsigned *rules,
                       size_t *sentence) {
  if (!r || i >= r->sentiment.drivers.len)
    return avis_fail(AVIS_ERR_ARG, "avis_result_driver: no driver %zu", i);
  const avis_driver *d = (const avis_driver *)r->sentiment.drivers.data + i;
  const avis_tok *toks = r->tokens.data;
  const avis_tok *first = &toks[d->tok], *last = &toks[d->tok + d->ntok - 1];
  if (start)
    *start = first->start;
  if (length)
    *length = last->start + last->len - first->start;
  if (term)
    *term = r->arena.data + d->term_off;
  if (polarity)
    *polarity = d->polarity;
  if (contribution)
    *contribution = d->contribution;
  if (rules)
    *rules = d->rules;
  if (sentence)
    *sentence = d->sentence;
  return 0;
}

int avis_result_has_emotions(const avis_result *r) {
  return r ? r->sentiment.has_emotions : 0;
}

double avis_result_emotion(const avis_result *r, avis_emotion e) {
  if (!r || (unsigned)e >= AVIS_EMOTION_COUNT)
    return 0.0;
  return r->sentiment.emotions[e];
}

const char *avis_rule_name(unsigned rule) {
  static const char *const names[] = {
      "negated",   "intensified", "diminished", "after_contrast",
      "before_contrast", "emphasis", "question", "stem", "expression"};
  for (unsigned b = 0; b < sizeof names / sizeof *names; b++)
    if (rule == 1u << b)
      return names[b];
  return NULL;
}

/* Insertion into a short sorted list: `max` is a handful, and one pass over
 * the sentences keeps this linear in the document. */
size_t avis_result_key_sentences(const avis_result *r, avis_label which,
                                 size_t *idx, size_t max) {
  if (!r || !idx || which == AVIS_NEUTRAL)
    return 0;
  const double *score = r->sentiment.sentences.data;
  size_t n = 0;
  for (size_t i = 0; i < r->sentiment.sentences.len; i++) {
    double s = score[i] * (double)which;
    if (s <= 0)
      continue;
    size_t pos = n < max ? n++ : max;
    while (pos > 0 && score[idx[pos - 1]] * (double)which < s) {
      if (pos < max)
        idx[pos] = idx[pos - 1];
      pos--;
    }
    if (pos < max)
      idx[pos] = i;
  }
  return n;
}

size_t avis_result_topic_count(const avis_result *r) {
  return r ? r->topics.len : 0;
}

int avis_result_topic(const avis_result *r, size_t i, const char **id,
                      const char **name, double *share, int *tagged) {
  if (!r || i >= r->topics.len)
    return avis_fail(AVIS_ERR_ARG, "avis_result_topic: no topic %zu", i);
  const avis_topic_hit *t = (const avis_topic_hit *)r->topics.data + i;
  if (id)
    *id = r->arena.data + t->id_off;
  if (name)
    *name = r->arena.data + t->name_off;
  if (share)
    *share = t->share;
  if (tagged)
    *tagged = t->tagged;
  return 0;
}

size_t avis_result_topic_evidence_count(const avis_result *r, size_t i) {
  if (!r || i >= r->topics.len)
    return 0;
  return ((const avis_topic_hit *)r->topics.data)[i].nevidence;
}

int avis_result_topic_evidence(const avis_result *r, size_t i, size_t j,
                               const char **word, double *weight) {
  if (j >= avis_result_topic_evidence_count(r, i))
    return avis_fail(AVIS_ERR_ARG,
                     "avis_result_topic_evidence: no evidence %zu of topic %zu",
                     j, i);
  const avis_topic_hit *t = (const avis_topic_hit *)r->topics.data + i;
  const avis_topic_word *w = (const avis_topic_word *)r->evidence.data +
                             t->evidence + j;
  if (word)
    *word = r->arena.data + w->word_off;
  if (weight)
    *weight = w->weight;
  return 0;
}

size_t avis_result_lda_topic_count(const avis_result *r) {
  return r ? r->lda.len : 0;
}

int avis_result_lda_topic(const avis_result *r, size_t i, size_t *topic,
                          double *weight) {
  if (!r || i >= r->lda.len)
    return avis_fail(AVIS_ERR_ARG, "avis_result_lda_topic: no topic %zu", i);
  const avis_lda_hit *h = (const avis_lda_hit *)r->lda.data + i;
  if (topic)
    *topic = h->topic;
  if (weight)
    *weight = h->weight;
  return 0;
}

int avis_result_sentiment_class(const avis_result *r, const char **label,
                                double *probability) {
  if (!r || !r->has_class)
    return avis_fail(AVIS_ERR_ARG, "no supervised sentiment classifier ran");
  if (label)
    *label = r->arena.data + r->class_off;
  if (probability)
    *probability = r->class_prob;
  return 0;
}
