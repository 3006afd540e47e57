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
  avis_word_sources sources = {
      .lexicon = &model->lexicon,
      .modifiers = &model->modifiers,
      .stopwords = &model->stopwords,
      .classifiers = {[AVIS_WORD_TOPICS] = model->topics,
                      [AVIS_WORD_CLASSES] = model->sentiment_classifier}};
  int rc = avis_stemmer_new(&a->stemmer);
  if (!rc)
    rc = avis_word_cache_new(&a->words, &sources, a->stemmer);
  if (!rc && avis_topics_work_new(&a->topics))
    rc = avis_fail(AVIS_ERR_NOMEM, "out of memory");
  if (rc) {
    avis_analyzer_free(a);
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
  avis_word_cache_free(a->words);
  avis_topics_work_free(a->topics);
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

/* One pass over the tokens for the words a reader would count (elided
 * clitics belong to the next word) and the sentences: a sentence spans
 * from its first token to the end of its last. The spans are reserved at
 * once, the tokens' sentence numbers being ascending. */
static int scan_tokens(avis_result *r) {
  const avis_tok *toks = r->tokens.data;
  size_t n = r->tokens.len, words = 0;
  r->nsentences = n ? toks[n - 1].sentence + 1 : 0;
  if (avis_vec_reserve(&r->sent_spans, r->nsentences, 2 * sizeof(uint32_t)))
    return AVIS_ERR_NOMEM;
  for (size_t i = 0; i < n;) {
    uint32_t sentence = toks[i].sentence;
    size_t j = i;
    do {
      words += avis_tok_is_stemmed(&toks[j]) ||
               toks[j].kind == AVIS_TOKEN_NUMBER;
      j++;
    } while (j < n && toks[j].sentence == sentence);
    uint32_t *span = avis_vec_push(&r->sent_spans, 2 * sizeof *span);
    if (!span)
      return AVIS_ERR_NOMEM;
    span[0] = toks[i].start;
    span[1] = toks[j - 1].start + toks[j - 1].len;
    i = j;
  }
  r->words = words;
  return 0;
}

/* Room for what a document of this size usually holds, taken at once
 * rather than by doubling: French news runs to about one token per five
 * bytes, and the arena (each distinct form and its stem, the driver terms,
 * the topic labels) to about the size of the text. */
static int reserve(avis_result *r) {
  size_t n = r->text.len;
  if (avis_vec_reserve(&r->tokens, n / 5 + 16, sizeof(avis_tok)) ||
      avis_buf_reserve(&r->arena, n + n / 8 + 256))
    return AVIS_ERR_NOMEM;
  return 0;
}

static int run_stages(avis_analyzer *a, const char *bytes, size_t len,
                      avis_result *r) {
  size_t chars;
  int rc = avis_decode_counted(bytes, len, &r->text, &r->encoding, &chars);
  if (rc)
    return rc;
  if ((rc = reserve(r)) != 0)
    return avis_fail(rc, "out of memory");
  if ((rc = avis_tokenize(r->text.data, r->text.len, &r->tokens)) != 0)
    return avis_fail(rc, "tokenising: %s", avis_strerror(rc));
  truncate_tokens(r, a->max_tokens);
  r->chars = r->truncated ? avis_utf8_count(r->text.data, r->text.len) : chars;
  const avis_word *words;
  if ((rc = avis_word_cache_resolve(a->words, r->text.data, r->tokens.data,
                                    r->tokens.len, &r->arena, &words)) != 0)
    return rc;
  if ((rc = scan_tokens(r)) != 0)
    return avis_fail(rc, "out of memory");
  const avis_model *m = a->model;
  if ((rc = avis_buf_append(&r->lexicons, m->lexicon_names.data,
                            m->lexicon_names.len)) != 0)
    return avis_fail(rc, "out of memory");
  r->nlexicons = m->lexicon.sources.len;
  rc = avis_sentiment_score(r->tokens.data, words, r->tokens.len,
                            r->nsentences, &r->arena, &m->lexicon,
                            &m->modifiers, &r->sentiment);
  if (!rc)
    rc = avis_topics_annotate(m, words, a->topics, r);
  if (!rc && m->lda)
    rc = avis_lda_annotate(m->lda, &m->stopwords, a->stemmer, r);
  return rc == AVIS_ERR_NOMEM ? avis_fail(rc, "out of memory") : rc;
}

/* Analyses into r, an empty result, or into a new one when r is NULL: 0
 * and *out set, or an error code with r freed. */
static int analyze(avis_analyzer *a, const char *bytes, size_t len,
                   avis_result *r, avis_result **out) {
  size_t limit = a->max_bytes && a->max_bytes < AVIS_HARD_MAX_BYTES
                     ? a->max_bytes : AVIS_HARD_MAX_BYTES;
  if (len > limit) {
    avis_result_free(r);
    return avis_fail(AVIS_ERR_TOO_LARGE,
                     "input of %zu bytes exceeds the limit of %zu bytes", len,
                     limit);
  }
  if (!r && !(r = calloc(1, sizeof *r)))
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  int rc = run_stages(a, bytes, len, r);
  if (rc) {
    avis_result_free(r);
    return rc;
  }
  *out = r;
  return 0;
}

int avis_analyze(avis_analyzer *a, const char *bytes, size_t len,
                 avis_result **out) {
  if (!a || !out || (!bytes && len))
    return avis_fail(AVIS_ERR_ARG, "avis_analyze: NULL argument");
  *out = NULL;
  return analyze(a, bytes, len, NULL, out);
}

/* A result holding more memory than this is freed rather than reused, so
 * that one long document does not make every later one keep its size. */
#define KEEP_RESULT_BYTES ((size_t)4 << 20)

/* Empties a result for the next document, keeping its arrays' memory. The
 * sentiment's arrays are released: avis_sentiment_score() starts them
 * anew. */
static void result_clear(avis_result *r) {
  avis_result kept = {0};
  kept.text = r->text;
  kept.arena = r->arena;
  kept.tokens = r->tokens;
  kept.sent_spans = r->sent_spans;
  kept.lexicons = r->lexicons;
  kept.topics = r->topics;
  kept.evidence = r->evidence;
  kept.lda = r->lda;
  kept.lda_words = r->lda_words;
  avis_sentiment_release(&r->sentiment);
  *r = kept;
  avis_buf_clear(&r->text);
  avis_buf_clear(&r->arena);
  avis_buf_clear(&r->lexicons);
  r->tokens.len = r->sent_spans.len = r->topics.len = r->evidence.len = 0;
  r->lda.len = r->lda_words.len = 0;
}

int avis_analyze_reuse(avis_analyzer *a, const char *bytes, size_t len,
                       avis_result **result) {
  if (!result)
    return avis_fail(AVIS_ERR_ARG, "avis_analyze_reuse: NULL argument");
  avis_result *r = *result;
  *result = NULL;
  if (!a || (!bytes && len)) {
    avis_result_free(r);
    return avis_fail(AVIS_ERR_ARG, "avis_analyze_reuse: NULL argument");
  }
  if (r && r->text.cap + r->arena.cap + r->tokens.cap * sizeof(avis_tok) +
                   r->sent_spans.cap * 2 * sizeof(uint32_t) >
               KEEP_RESULT_BYTES) {
    avis_result_free(r);
    r = NULL;
  }
  if (r)
    result_clear(r);
  return analyze(a, bytes, len, r, result);
}
