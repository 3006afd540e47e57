/* The per-thread analyzer: runs the stages in order on one document.
 * bytes → decode → tokenise → normalise + stem → sentiment → topics. */
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "error.h"
#include "lda.h"
#include "model.h"
#include "normalize.h"
#include "tokenize.h"
#include "topics.h"

#define AVIS_DEFAULT_MAX_BYTES ((size_t)64 << 20)
/* Spans are 32-bit: nothing larger can be analysed whatever the limit. */
#define AVIS_HARD_MAX_BYTES ((size_t)UINT32_MAX / 2)

int avis_analyzer_new(avis_analyzer **out, const avis_model *model) {
  if (!out || !model)
    return avis_fail(AVIS_ERR_ARG, "avis_analyzer_new: NULL argument");
  *out = NULL;
  avis_analyzer *a = calloc(1, sizeof *a);
  if (!a)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  int rc = avis_stemmer_new(&a->stemmer);
  if (rc) {
    free(a);
    return rc;
  }
  a->model = model;
  a->max_bytes = AVIS_DEFAULT_MAX_BYTES;
  *out = a;
  return 0;
}

void avis_analyzer_free(avis_analyzer *a) {
  if (!a)
    return;
  avis_stemmer_free(a->stemmer);
  free(a);
}

int avis_analyzer_set_max_bytes(avis_analyzer *a, size_t max_bytes) {
  if (!a)
    return avis_fail(AVIS_ERR_ARG, "avis_analyzer_set_max_bytes: NULL analyzer");
  a->max_bytes = max_bytes;
  return 0;
}

int avis_analyzer_set_max_tokens(avis_analyzer *a, size_t max_tokens) {
  if (!a)
    return avis_fail(AVIS_ERR_ARG, "avis_analyzer_set_max_tokens: NULL analyzer");
  a->max_tokens = max_tokens;
  return 0;
}

/* Keeps the first `max` tokens and the text up to the end of the last of
 * them, so that every span and count of the result describes the same
 * prefix (docs/limits.md). */
static void truncate_tokens(avis_result *r, size_t max) {
  if (!max || r->tokens.len <= max)
    return;
  const avis_tok *last = (const avis_tok *)r->tokens.data + max - 1;
  r->tokens.len = max;
  r->text.len = (size_t)last->start + last->len;
  r->text.data[r->text.len] = '\0';
  r->truncated = 1;
}

static int is_stemmed(const avis_tok *t) {
  return t->kind == AVIS_TOKEN_WORD && !(t->flags & AVIS_TF_ELISION);
}

/* Words a reader would count: elided clitics belong to the next word. */
static int counts_as_word(const avis_tok *t) {
  return is_stemmed(t) || t->kind == AVIS_TOKEN_NUMBER;
}

/* Only words are stemmed; elided clitics and other kinds stem to
 * themselves. The stemmer's cache owns its strings, so the stem is copied
 * into the result's arena. */
static int set_terms(avis_analyzer *a, avis_result *r) {
  avis_tok *toks = r->tokens.data;
  for (size_t i = 0; i < r->tokens.len; i++) {
    avis_tok *t = &toks[i];
    int rc = avis_normalize(&r->arena, r->text.data + t->start, t->len,
                            &t->norm_off, &t->norm_len);
    if (rc)
      return rc;
    t->stem_off = t->norm_off;
    t->stem_len = t->norm_len;
    if (is_stemmed(t)) {
      size_t slen;
      const char *stem =
          avis_stem(a->stemmer, r->arena.data + t->norm_off, t->norm_len, &slen);
      if (!stem)
        return AVIS_ERR_NOMEM;
      if (slen != t->norm_len ||
          memcmp(stem, r->arena.data + t->norm_off, slen) != 0) {
        t->stem_off = (uint32_t)r->arena.len;
        t->stem_len = (uint32_t)slen;
        if (avis_buf_append(&r->arena, stem, slen) ||
            avis_buf_putc(&r->arena, '\0'))
          return AVIS_ERR_NOMEM;
      }
    }
    r->words += counts_as_word(t);
  }
  return 0;
}

/* A sentence spans from its first token to the end of its last. */
static int set_sentences(avis_result *r) {
  const avis_tok *toks = r->tokens.data;
  size_t n = r->tokens.len;
  r->nsentences = n ? toks[n - 1].sentence + 1 : 0;
  for (size_t i = 0; i < n; i++) {
    if (i == 0 || toks[i].sentence != toks[i - 1].sentence) {
      uint32_t *span = avis_vec_push(&r->sent_spans, 2 * sizeof *span);
      if (!span)
        return AVIS_ERR_NOMEM;
      span[0] = toks[i].start;
    }
    uint32_t *span = (uint32_t *)r->sent_spans.data + 2 * (r->sent_spans.len - 1);
    span[1] = toks[i].start + toks[i].len;
  }
  return 0;
}

static int run_stages(avis_analyzer *a, const char *bytes, size_t len,
                      avis_result *r) {
  int rc = avis_decode(bytes, len, &r->text, &r->encoding);
  if (rc)
    return rc;
  if ((rc = avis_tokenize(r->text.data, r->text.len, &r->tokens)) != 0)
    return avis_fail(rc, "tokenising: %s", avis_strerror(rc));
  truncate_tokens(r, a->max_tokens);
  r->chars = avis_utf8_count(r->text.data, r->text.len);
  if ((rc = set_terms(a, r)) != 0 || (rc = set_sentences(r)) != 0)
    return rc == AVIS_ERR_NOMEM ? avis_fail(rc, "out of memory") : rc;
  const avis_model *m = a->model;
  if ((rc = avis_buf_append(&r->lexicons, m->lexicon_names.data,
                            m->lexicon_names.len)) != 0)
    return avis_fail(rc, "out of memory");
  r->nlexicons = m->lexicon.sources.len;
  rc = avis_sentiment_score(r->tokens.data, r->tokens.len, r->nsentences,
                            &r->arena, &m->lexicon, &m->modifiers,
                            &r->sentiment);
  if (!rc)
    rc = avis_topics_annotate(m, a->stemmer, r);
  if (!rc && m->lda)
    rc = avis_lda_annotate(m->lda, &m->stopwords, a->stemmer, r);
  return rc == AVIS_ERR_NOMEM ? avis_fail(rc, "out of memory") : rc;
}

int avis_analyze(avis_analyzer *a, const char *bytes, size_t len,
                 avis_result **out) {
  if (!a || !out || (!bytes && len))
    return avis_fail(AVIS_ERR_ARG, "avis_analyze: NULL argument");
  *out = NULL;
  size_t limit = a->max_bytes && a->max_bytes < AVIS_HARD_MAX_BYTES
                     ? a->max_bytes : AVIS_HARD_MAX_BYTES;
  if (len > limit)
    return avis_fail(AVIS_ERR_TOO_LARGE,
                     "input of %zu bytes exceeds the limit of %zu bytes", len,
                     limit);
  avis_result *r = calloc(1, sizeof *r);
  if (!r)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  int rc = run_stages(a, bytes, len, r);
  if (rc) {
    avis_result_free(r);
    return rc;
  }
  *out = r;
  return 0;
}
