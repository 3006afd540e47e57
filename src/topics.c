/* Topic tagging of an analysed document: its terms, mapped to each
 * classifier's vocabulary, scored by nb.c; the result keeps shares, tags
 * and evidence words. */
#include "topics.h"

#include <stdlib.h>
#include <string.h>

#include "nb.h"
#include "terms.h"

/* What tagging keeps from one document to the next. */
struct avis_topics_work {
  avis_vec seq; /* the document's term ids, sentences separated */
  avis_vec tok; /* per entry of seq, the token it came from */
  avis_nb_work topics, classes;
  double *shares;
  int *tagged;
  size_t *order;
  size_t k;
};

/* Sequences longer than this are given back after the document rather
 * than kept for the analyzer's lifetime. */
#define KEEP_TERMS 65536

int avis_topics_work_new(avis_topics_work **out) {
  *out = calloc(1, sizeof **out);
  return *out ? 0 : AVIS_ERR_NOMEM;
}

void avis_topics_work_free(avis_topics_work *w) {
  if (!w)
    return;
  avis_vec_release(&w->seq);
  avis_vec_release(&w->tok);
  avis_nb_work_release(&w->topics);
  avis_nb_work_release(&w->classes);
  free(w->shares);
  free(w->tagged);
  free(w->order);
  free(w);
}

static int reserve_labels(avis_topics_work *w, size_t k) {
  if (w->k >= k)
    return 0;
  free(w->shares);
  free(w->tagged);
  free(w->order);
  w->shares = malloc(k * sizeof *w->shares);
  w->tagged = malloc(k * sizeof *w->tagged);
  w->order = malloc(k * sizeof *w->order);
  w->k = w->shares && w->tagged && w->order ? k : 0;
  return w->k ? 0 : AVIS_ERR_NOMEM;
}

/* The document's terms as term ids of classifier `which` (the word
 * cache's lookups), sentences separated by AVIS_TERM_BREAK; w->tok gets,
 * per entry, the token it came from. Whether a token is a term follows
 * no pattern a branch could predict: each token is written at the end of
 * the sequence, which only a term then extends. */
static int map_terms(const avis_result *r, const avis_word *words, int which,
                     avis_topics_work *w) {
  const avis_tok *t = r->tokens.data;
  size_t room = r->tokens.len + r->nsentences;
  if (avis_vec_reserve(&w->seq, room, sizeof(uint32_t)) ||
      avis_vec_reserve(&w->tok, room, sizeof(uint32_t)))
    return AVIS_ERR_NOMEM;
  uint32_t *seq = w->seq.data, *tok = w->tok.data, sentence = 0;
  /* In locals: the stores to seq[] and tok[] might otherwise be taken to
   * change r's fields, to be read again for every token. */
  size_t n = 0, ntokens = r->tokens.len;
  for (size_t i = 0; i < ntokens; i++) {
    uint32_t id = words[i].term[which];
    size_t is_term = id != AVIS_WORD_NONE;
    /* Tested first: a new sentence is rare. */
    if (t[i].sentence != sentence && is_term) {
      if (n) {
        seq[n] = AVIS_TERM_BREAK;
        tok[n++] = UINT32_MAX;
      }
      sentence = t[i].sentence;
    }
    seq[n] = id;
    tok[n] = (uint32_t)i;
    n += is_term;
  }
  w->seq.len = w->tok.len = n;
  return 0;
}

static int copy_to_arena(avis_buf *arena, const char *s, uint32_t *off) {
  *off = (uint32_t)arena->len;
  return avis_buf_append(arena, s, strlen(s) + 1);
}

/* Labels in decreasing share, ties in label order. */
static void rank(const double *shares, size_t k, size_t *order) {
  for (size_t i = 0; i < k; i++) {
    size_t j = i;
    while (j > 0 && shares[order[j - 1]] < shares[i]) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = i;
  }
}

/* The words of the document that pushed topic c most: each the first
 * occurrence of its term. */
static int add_evidence(const avis_nb_scorer *s, uint32_t c,
                        avis_topics_work *w, avis_result *r,
                        avis_topic_hit *hit) {
  uint32_t ids[AVIS_EVIDENCE_MAX], first[AVIS_EVIDENCE_MAX];
  double weight[AVIS_EVIDENCE_MAX];
  size_t n = avis_nb_evidence(s, c, &w->topics, ids, weight, first,
                              AVIS_EVIDENCE_MAX);
  const uint32_t *tok = w->tok.data;
  const avis_tok *toks = r->tokens.data;
  hit->evidence = (uint32_t)r->evidence.len;
  for (size_t e = 0; e < n; e++) {
    avis_topic_word *word = avis_vec_push(&r->evidence, sizeof *word);
    if (!word)
      return AVIS_ERR_NOMEM;
    word->word_off = toks[tok[first[e]]].norm_off;
    word->weight = weight[e];
  }
  hit->nevidence = (uint32_t)n;
  return 0;
}

static int tag_topics(const avis_classifier *cl, avis_topics_work *w,
                      avis_result *r) {
  avis_nb_scorer s;
  avis_nb_scorer_of(&s, cl);
  size_t k = s.nlabels;
  int rc = reserve_labels(w, k);
  if (!rc)
    rc = avis_nb_predict(&s, w->seq.data, w->seq.len, &w->topics, w->shares,
                         w->tagged);
  if (!rc) {
    rank(w->shares, k, w->order);
    rc = avis_vec_reserve(&r->topics, k, sizeof(avis_topic_hit));
  }
  for (size_t i = 0; !rc && i < k; i++) {
    size_t c = w->order[i];
    avis_topic_hit *hit = avis_vec_push(&r->topics, sizeof *hit);
    if (copy_to_arena(&r->arena, cl->labels[c].id, &hit->id_off) ||
        copy_to_arena(&r->arena, cl->labels[c].name, &hit->name_off)) {
      rc = AVIS_ERR_NOMEM;
      break;
    }
    hit->share = w->shares[c];
    hit->tagged = w->tagged[c];
    if (w->tagged[c])
      rc = add_evidence(&s, (uint32_t)c, w, r, hit);
  }
  return rc;
}

static int classify(const avis_classifier *cl, avis_topics_work *w,
                    avis_result *r) {
  avis_nb_scorer s;
  avis_nb_scorer_of(&s, cl);
  int rc = reserve_labels(w, s.nlabels);
  if (!rc)
    rc = avis_nb_predict(&s, w->seq.data, w->seq.len, &w->classes, w->shares,
                         NULL);
  size_t best = 0;
  for (size_t c = 1; !rc && c < s.nlabels; c++)
    if (w->shares[c] > w->shares[best])
      best = c;
  if (!rc && !(rc = copy_to_arena(&r->arena, cl->labels[best].id,
                                  &r->class_off))) {
    r->has_class = 1;
    r->class_prob = w->shares[best];
  }
  return rc;
}

int avis_topics_annotate(const avis_model *m, const avis_word *words,
                         avis_topics_work *w, avis_result *r) {
  if (!m->topics && !m->sentiment_classifier)
    return 0;
  int rc = 0;
  if (m->topics && !(rc = map_terms(r, words, AVIS_WORD_TOPICS, w)))
    rc = tag_topics(m->topics, w, r);
  const avis_classifier *classes = m->sentiment_classifier;
  if (!rc && classes &&
      !(rc = map_terms(r, words, AVIS_WORD_CLASSES, w)))
    rc = classify(classes, w, r);
  if (w->seq.cap > KEEP_TERMS) {
    avis_vec_release(&w->seq);
    avis_vec_release(&w->tok);
  }
  return rc;
}
