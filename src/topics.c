/* Topic tagging of an analysed document: its terms, mapped to each
 * classifier's vocabulary, scored by nb.c; the result keeps shares, tags
 * and evidence words. */
#include "topics.h"

#include <stdlib.h>
#include <string.h>

#include "nb.h"
#include "terms.h"

static int push_u32(avis_vec *v, uint32_t x) {
  uint32_t *p = avis_vec_push(v, sizeof *p);
  if (!p)
    return AVIS_ERR_NOMEM;
  *p = x;
  return 0;
}

/* The document's terms as term ids of classifier `which` (the word
 * cache's lookups), sentences separated; tok[] gets, per kept term, the
 * token it came from. */
static int map_terms(const avis_result *r, const avis_word *words, int which,
                     avis_vec *seq, avis_vec *tok) {
  const avis_tok *t = r->tokens.data;
  uint32_t sentence = 0;
  seq->len = tok->len = 0;
  if (avis_vec_reserve(seq, r->tokens.len + r->nsentences, sizeof(uint32_t)) ||
      avis_vec_reserve(tok, r->tokens.len, sizeof(uint32_t)))
    return AVIS_ERR_NOMEM;
  for (size_t i = 0; i < r->tokens.len; i++) {
    uint32_t id = words[i].term[which];
    if (id == AVIS_WORD_NONE)
      continue;
    if (seq->len && t[i].sentence != sentence &&
        push_u32(seq, AVIS_TERM_BREAK))
      return AVIS_ERR_NOMEM;
    sentence = t[i].sentence;
    if (push_u32(seq, id) || push_u32(tok, (uint32_t)i))
      return AVIS_ERR_NOMEM;
  }
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

static int add_evidence(const avis_nb_scorer *s, const avis_vec *seq,
                        const avis_vec *tok, uint32_t c, avis_nb_work *w,
                        avis_result *r, avis_topic_hit *hit) {
  uint32_t ids[AVIS_EVIDENCE_MAX];
  double weight[AVIS_EVIDENCE_MAX];
  size_t n = avis_nb_evidence(s, seq->data, seq->len, c, w, ids, weight,
                              AVIS_EVIDENCE_MAX);
  const uint32_t *sq = seq->data, *tk = tok->data;
  const avis_tok *toks = r->tokens.data;
  hit->evidence = (uint32_t)r->evidence.len;
  for (size_t e = 0; e < n; e++) {
    size_t j = 0, t = 0;
    for (; j < seq->len; j++)
      if (sq[j] != AVIS_TERM_BREAK && sq[j] == ids[e])
        break;
      else
        t += sq[j] != AVIS_TERM_BREAK;
    avis_topic_word *word = avis_vec_push(&r->evidence, sizeof *word);
    if (!word)
      return AVIS_ERR_NOMEM;
    word->word_off = toks[tk[t]].norm_off;
    word->weight = weight[e];
  }
  hit->nevidence = (uint32_t)n;
  return 0;
}

static int tag_topics(const avis_classifier *cl, const avis_vec *seq,
                      const avis_vec *tok, avis_nb_work *w, avis_result *r) {
  avis_nb_scorer s;
  avis_nb_scorer_of(&s, cl);
  size_t k = s.nlabels;
  double *shares = malloc(k * sizeof *shares);
  int *tagged = malloc(k * sizeof *tagged);
  size_t *order = malloc(k * sizeof *order);
  int rc = shares && tagged && order ? 0 : AVIS_ERR_NOMEM;
  if (!rc)
    rc = avis_nb_predict(&s, seq->data, seq->len, w, shares, tagged);
  if (!rc)
    rank(shares, k, order);
  for (size_t i = 0; !rc && i < k; i++) {
    size_t c = order[i];
    avis_topic_hit *hit = avis_vec_push(&r->topics, sizeof *hit);
    rc = hit ? 0 : AVIS_ERR_NOMEM;
    if (!rc)
      rc = copy_to_arena(&r->arena, cl->labels[c].id, &hit->id_off) ||
           copy_to_arena(&r->arena, cl->labels[c].name, &hit->name_off);
    if (rc)
      break;
    hit->share = shares[c];
    hit->tagged = tagged[c];
    if (tagged[c])
      rc = add_evidence(&s, seq, tok, (uint32_t)c, w, r, hit);
  }
  free(shares);
  free(tagged);
  free(order);
  return rc;
}

static int classify(const avis_classifier *cl, const avis_vec *seq,
                    avis_nb_work *w, avis_result *r) {
  avis_nb_scorer s;
  avis_nb_scorer_of(&s, cl);
  double *shares = malloc(s.nlabels * sizeof *shares);
  int rc = shares ? avis_nb_predict(&s, seq->data, seq->len, w, shares, NULL)
                  : AVIS_ERR_NOMEM;
  size_t best = 0;
  for (size_t c = 1; !rc && c < s.nlabels; c++)
    if (shares[c] > shares[best])
      best = c;
  if (!rc && !(rc = copy_to_arena(&r->arena, cl->labels[best].id,
                                  &r->class_off))) {
    r->has_class = 1;
    r->class_prob = shares[best];
  }
  free(shares);
  return rc;
}

int avis_topics_annotate(const avis_model *m, const avis_word *words,
                         avis_result *r) {
  if (!m->topics && !m->sentiment_classifier)
    return 0;
  avis_vec seq = {0}, tok = {0};
  avis_nb_work w = {0};
  int rc = 0;
  if (m->topics && !(rc = map_terms(r, words, AVIS_WORD_TOPICS, &seq, &tok)))
    rc = tag_topics(m->topics, &seq, &tok, &w, r);
  if (!rc && m->sentiment_classifier &&
      !(rc = map_terms(r, words, AVIS_WORD_CLASSES, &seq, &tok)))
    rc = classify(m->sentiment_classifier, &seq, &w, r);
  avis_vec_release(&seq);
  avis_vec_release(&tok);
  avis_nb_work_release(&w);
  return rc;
}
