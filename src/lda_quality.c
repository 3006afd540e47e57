/* Quality of an LDA model (docs/lda.md): held-out perplexity by document
 * completion, and the coherence of each topic's top words (UMass, NPMI)
 * from document co-occurrence in a reference corpus. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "lda.h"
#include "terms.h"

void avis_lda_quality_release(avis_lda_quality *q) {
  if (!q)
    return;
  free(q->topic_umass);
  free(q->topic_npmi);
  memset(q, 0, sizeof *q);
}

/* ---- Perplexity -------------------------------------------------------- */

/* Each document's first half of known tokens gives its mixture by fold-in;
 * the second half is scored under that mixture. Documents with fewer than
 * two known tokens are skipped. */
static int completion(const avis_lda *m, const avis_corpus *c, uint64_t seed,
                      avis_lda_quality *q) {
  avis_vec ids = {0};
  avis_lda_work w = {0};
  double *theta = malloc(m->k * sizeof *theta), ll = 0;
  int rc = theta ? 0 : AVIS_ERR_NOMEM;
  for (size_t d = 0; !rc && d < avis_corpus_size(c); d++) {
    if ((rc = avis_lda_doc_ids(m, c, d, &ids)) != 0 || ids.len < 2)
      continue;
    const uint32_t *x = ids.data;
    size_t half = ids.len / 2;
    if ((rc = avis_lda_fold_in(m, x, half, 0, seed + d, &w, theta)) != 0)
      break;
    for (size_t i = half; i < ids.len; i++) {
      const float *phi = m->phi + (size_t)x[i] * m->k;
      double p = 0;
      for (uint32_t j = 0; j < m->k; j++)
        p += theta[j] * phi[j];
      ll += log(p);
    }
    q->tokens += ids.len - half;
    q->docs++;
  }
  free(theta);
  avis_vec_release(&ids);
  avis_lda_work_release(&w);
  if (rc)
    return avis_fail(rc, "out of memory");
  q->log_likelihood = q->tokens ? ll / (double)q->tokens : 0;
  q->perplexity = q->tokens ? exp(-q->log_likelihood) : 0;
  return 0;
}

/* ---- Coherence --------------------------------------------------------- */

static double pair_npmi(double both, double a, double b, double n) {
  if (both == 0)
    return -1;
  double p = both / n;
  if (p >= 1)
    return 1;
  return log(p / ((a / n) * (b / n))) / -log(p);
}

void avis_lda_coherence(const uint32_t *lists, size_t nlists, size_t top,
                        const uint32_t *df, const uint32_t *co, size_t nw,
                        size_t ndocs, double *umass, double *npmi) {
  for (size_t t = 0; t < nlists; t++) {
    const uint32_t *w = lists + t * top;
    double u = 0, p = 0;
    size_t nu = 0, np = 0;
    for (size_t m = 1; m < top; m++)
      for (size_t l = 0; l < m; l++) {
        double both = co[(size_t)w[m] * nw + w[l]];
        if (df[w[l]]) {
          u += log((both + 1) / df[w[l]]);
          nu++;
        }
        p += pair_npmi(both, df[w[m]], df[w[l]], (double)ndocs);
        np++;
      }
    umass[t] = nu ? u / (double)nu : 0;
    npmi[t] = np ? p / (double)np : 0;
  }
}

/* The top words of every topic as indices into the table of distinct ones;
 * index_of[model term] is that index or UINT32_MAX. */
static size_t top_word_table(const avis_lda *m, size_t top, uint32_t *lists,
                             uint32_t *index_of) {
  size_t nw = 0;
  for (uint32_t t = 0; t < m->nterms; t++)
    index_of[t] = UINT32_MAX;
  for (uint32_t j = 0; j < m->k; j++)
    for (size_t i = 0; i < top; i++) {
      uint32_t t = m->top[j][i];
      if (index_of[t] == UINT32_MAX)
        index_of[t] = (uint32_t)nw++;
      lists[j * top + i] = index_of[t];
    }
  return nw;
}

static int by_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

/* Document and pair frequencies of the table's words in the corpus. */
static int cooccurrence(const avis_lda *m, const avis_corpus *c,
                        const uint32_t *index_of, size_t nw, uint32_t *df,
                        uint32_t *co) {
  avis_vec ids = {0};
  int rc = 0;
  for (size_t d = 0; !rc && d < avis_corpus_size(c); d++) {
    if ((rc = avis_lda_doc_ids(m, c, d, &ids)) != 0)
      break;
    uint32_t *x = ids.data;
    size_t n = 0;
    for (size_t i = 0; i < ids.len; i++)
      if (index_of[x[i]] != UINT32_MAX)
        x[n++] = index_of[x[i]];
    qsort(x, n, sizeof *x, by_u32);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
      if (i == 0 || x[i] != x[i - 1])
        x[u++] = x[i];
    for (size_t i = 0; i < u; i++) {
      df[x[i]]++;
      for (size_t j = i + 1; j < u; j++) {
        co[(size_t)x[i] * nw + x[j]]++;
        co[(size_t)x[j] * nw + x[i]]++;
      }
    }
  }
  avis_vec_release(&ids);
  return rc;
}

static int coherence(const avis_lda *m, const avis_corpus *c, size_t top,
                     avis_lda_quality *q) {
  for (uint32_t j = 0; j < m->k; j++)
    if (m->ntop[j] < top)
      top = m->ntop[j];
  if (top < 2)
    return avis_fail(AVIS_ERR_ARG, "coherence needs two words per topic");
  uint32_t *lists = malloc((size_t)m->k * top * sizeof *lists);
  uint32_t *index_of = malloc(((size_t)m->nterms + 1) * sizeof *index_of);
  uint32_t *df = NULL, *co = NULL;
  int rc = lists && index_of ? 0 : AVIS_ERR_NOMEM;
  size_t nw = rc ? 0 : top_word_table(m, top, lists, index_of);
  if (!rc) {
    df = calloc(nw, sizeof *df);
    co = calloc(nw * nw, sizeof *co);
    rc = df && co ? 0 : AVIS_ERR_NOMEM;
  }
  if (!rc)
    rc = cooccurrence(m, c, index_of, nw, df, co);
  if (!rc) {
    avis_lda_coherence(lists, m->k, top, df, co, nw, avis_corpus_size(c),
                       q->topic_umass, q->topic_npmi);
    for (uint32_t j = 0; j < m->k; j++) {
      q->umass += q->topic_umass[j] / m->k;
      q->npmi += q->topic_npmi[j] / m->k;
    }
  }
  free(lists);
  free(index_of);
  free(df);
  free(co);
  return rc ? avis_fail(rc, "out of memory") : 0;
}

int avis_lda_evaluate(const avis_lda *m, const avis_corpus *heldout,
                      const avis_corpus *reference, unsigned top_words,
                      uint64_t seed, avis_lda_quality *q) {
  if (!q)
    return avis_fail(AVIS_ERR_ARG, "avis_lda_evaluate: NULL argument");
  memset(q, 0, sizeof *q);
  if (!m || !heldout || !reference)
    return avis_fail(AVIS_ERR_ARG, "avis_lda_evaluate: NULL argument");
  q->topic_umass = calloc(m->k, sizeof *q->topic_umass);
  q->topic_npmi = calloc(m->k, sizeof *q->topic_npmi);
  int rc = q->topic_umass && q->topic_npmi
               ? 0 : avis_fail(AVIS_ERR_NOMEM, "out of memory");
  if (!rc)
    rc = completion(m, heldout, seed, q);
  if (!rc)
    rc = coherence(m, reference, top_words ? top_words : 10, q);
  if (rc)
    avis_lda_quality_release(q);
  return rc;
}
