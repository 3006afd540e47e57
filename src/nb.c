/* Naive Bayes scoring: bags of terms, log-sum-exp posteriors, passage
 * shares, tags and evidence. Training is in nb_train.c. */
#include "nb.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

void avis_nb_scorer_of(avis_nb_scorer *s, const avis_classifier *cl) {
  s->nlabels = cl->p.nlabels;
  s->nterms = cl->p.nterms;
  s->flags = cl->p.flags;
  s->passage_terms = cl->p.passage_terms;
  s->multi_label = cl->p.kind == AVIS_CLASSIFIER_TOPICS;
  s->weights = cl->weights;
  s->bias = cl->bias;
  s->threshold = cl->threshold;
  s->scale = cl->p.scale;
  s->doc_weight = cl->p.doc_weight;
  s->passage_win = cl->p.passage_win;
  s->tag_floor = cl->p.tag_floor;
}

void avis_nb_work_release(avis_nb_work *w) {
  avis_vec_release(&w->ids);
  avis_vec_release(&w->bag_ids);
  avis_vec_release(&w->bag_vals);
  free(w->scores);
  free(w->post);
  free(w->peak);
  memset(w, 0, sizeof *w);
}

static int work_reserve(avis_nb_work *w, size_t k) {
  if (w->k >= k)
    return 0;
  free(w->scores);
  free(w->post);
  free(w->peak);
  w->scores = malloc(k * sizeof *w->scores);
  w->post = malloc(k * sizeof *w->post);
  w->peak = malloc(k * sizeof *w->peak);
  w->k = w->scores && w->post && w->peak ? k : 0;
  return w->k ? 0 : AVIS_ERR_NOMEM;
}

void avis_nb_transform(float *vals, size_t n, unsigned flags) {
  if (flags & AVIS_NB_LOG_TF)
    for (size_t i = 0; i < n; i++)
      vals[i] = (float)log1p(vals[i]);
  if (flags & AVIS_NB_L2) {
    double ss = 0;
    for (size_t i = 0; i < n; i++)
      ss += (double)vals[i] * vals[i];
    double inv = ss > 0 ? 1 / sqrt(ss) : 0;
    for (size_t i = 0; i < n; i++)
      vals[i] = (float)(vals[i] * inv);
  }
}

static int push_u32(avis_vec *v, uint32_t x) {
  uint32_t *p = avis_vec_push(v, sizeof *p);
  if (!p)
    return AVIS_ERR_NOMEM;
  *p = x;
  return 0;
}

/* An empty open-addressing table of at least 2n slots in w->ids, each the
 * bag index of a term + 1 (0: empty); its size - 1 in *mask. */
static int bag_table(avis_nb_work *w, size_t n, size_t *mask) {
  size_t size = 16;
  while (size < 2 * n)
    size *= 2;
  if (avis_vec_reserve(&w->ids, size, sizeof(uint32_t)))
    return AVIS_ERR_NOMEM;
  memset(w->ids.data, 0, size * sizeof(uint32_t));
  w->ids.len = size;
  *mask = size - 1;
  return 0;
}

/* The count of term id in the bag (w->bag_ids, w->bag_vals), found
 * through the table, added with a count of 0 when new; NULL when out of
 * memory. */
static float *bag_count(avis_nb_work *w, size_t mask, uint32_t id) {
  uint32_t *slot = w->ids.data;
  size_t h = (id * 0x9E3779B1u) & mask;
  while (slot[h] && ((const uint32_t *)w->bag_ids.data)[slot[h] - 1] != id)
    h = (h + 1) & mask;
  if (!slot[h]) {
    if (!avis_vec_push(&w->bag_vals, sizeof(float)) ||
        push_u32(&w->bag_ids, id))
      return NULL;
    slot[h] = (uint32_t)w->bag_ids.len;
  }
  return (float *)w->bag_vals.data + slot[h] - 1;
}

/* The bag of seq[0..n): distinct ids in order of first occurrence, with
 * their transformed counts, in w->bag_ids and w->bag_vals. Counting goes
 * through a small hash table rather than a sort: windows make this the
 * inner loop of tagging. */
static int make_bag(const uint32_t *seq, size_t n, unsigned flags,
                    avis_nb_work *w) {
  size_t mask;
  w->bag_ids.len = w->bag_vals.len = 0;
  if (bag_table(w, n, &mask))
    return AVIS_ERR_NOMEM;
  for (size_t i = 0; i < n; i++) {
    if (seq[i] == AVIS_TERM_BREAK)
      continue;
    float *count = bag_count(w, mask, seq[i]);
    if (!count)
      return AVIS_ERR_NOMEM;
    *count += 1;
  }
  avis_nb_transform(w->bag_vals.data, w->bag_vals.len, flags);
  return 0;
}

void avis_nb_score_row(const avis_nb_scorer *s, const uint32_t *ids,
                       const float *vals, size_t n, double *out) {
  size_t k = s->nlabels;
  for (size_t c = 0; c < k; c++)
    out[c] = s->bias[c];
  for (size_t i = 0; i < n; i++) {
    const float *w = s->weights + (size_t)ids[i] * k;
    double v = vals[i];
    for (size_t c = 0; c < k; c++)
      out[c] += v * w[c];
  }
}

void avis_nb_softmax(const double *scores, size_t k, double scale,
                     double *post) {
  double max = -INFINITY, sum = 0;
  for (size_t c = 0; c < k; c++)
    if (scale * scores[c] > max)
      max = scale * scores[c];
  for (size_t c = 0; c < k; c++)
    sum += post[c] = exp(scale * scores[c] - max);
  for (size_t c = 0; c < k; c++)
    post[c] /= sum;
}

/* The posterior of seq[0..n) in w->post; weight × it is added to shares[]
 * when given. */
static int add_posterior(const avis_nb_scorer *s, const uint32_t *seq,
                         size_t n, double weight, avis_nb_work *w,
                         double *shares) {
  if (make_bag(seq, n, s->flags, w))
    return AVIS_ERR_NOMEM;
  avis_nb_score_row(s, w->bag_ids.data, w->bag_vals.data, w->bag_ids.len,
                    w->scores);
  avis_nb_softmax(w->scores, s->nlabels, s->scale, w->post);
  for (size_t c = 0; shares && c < s->nlabels; c++)
    shares[c] += weight * w->post[c];
  return 0;
}

/* Passages gather whole sentences until they hold passage_terms terms, so
 * that a paragraph on advertising inside an article on a ban shows as such
 * instead of being outvoted by the rest of the article. */
static int add_passages(const avis_nb_scorer *s, const uint32_t *seq, size_t n,
                        size_t nterms, double weight, avis_nb_work *w,
                        double *shares) {
  size_t start = 0, count = 0;
  for (size_t i = 0; i <= n; i++) {
    int end = i == n || seq[i] == AVIS_TERM_BREAK;
    if (!end) {
      count++;
      continue;
    }
    if (count && (count >= s->passage_terms || i == n)) {
      double share = weight * (double)count / (double)nterms;
      if (add_posterior(s, seq + start, i - start, share, w, shares))
        return AVIS_ERR_NOMEM;
      start = i + 1;
      count = 0;
    }
  }
  return 0;
}

/* A window's running sums: each term's count in the bag (bag_count()),
 * u[c] = sum of g(count) × weight[term][c]
 * and q = sum of g(count)², where g is the feature transform before the
 * unit-length scaling. Sliding a window then costs a few updates per term
 * instead of a new bag. */
typedef struct {
  double *u, q;
  size_t mask;
} window_sums;

static double feature_of(double count, unsigned flags) {
  return flags & AVIS_NB_LOG_TF ? log1p(count) : count;
}

/* Adds `delta` (1 or -1) occurrences of term id to the window. */
static int window_update(const avis_nb_scorer *s, avis_nb_work *w,
                         window_sums *ws, uint32_t id, int delta) {
  float *count = bag_count(w, ws->mask, id);
  if (!count)
    return AVIS_ERR_NOMEM;
  double before = feature_of(*count, s->flags);
  *count += (float)delta;
  double after = feature_of(*count, s->flags), change = after - before;
  const float *row = s->weights + (size_t)id * s->nlabels;
  for (size_t c = 0; c < s->nlabels; c++)
    ws->u[c] += change * row[c];
  ws->q += after * after - before * before;
  return 0;
}

/* The window's posterior in w->post, and each label's peak raised to it. */
static void window_peak(const avis_nb_scorer *s, avis_nb_work *w,
                        const window_sums *ws) {
  double norm = s->flags & AVIS_NB_L2 ? sqrt(ws->q > 0 ? ws->q : 0) : 1;
  double inv = norm > 0 ? 1 / norm : 0;
  for (size_t c = 0; c < s->nlabels; c++)
    w->post[c] = s->bias[c] + ws->u[c] * inv;
  avis_nb_softmax(w->post, s->nlabels, s->scale, w->post);
  for (size_t c = 0; c < s->nlabels; c++)
    if (w->post[c] > w->peak[c])
      w->peak[c] = w->post[c];
}

/* Each label's highest posterior over the windows that start at each
 * sentence: the windows overlap, so a paragraph on another topic is seen
 * whole wherever it starts. A window ends at the first sentence end after
 * passage_terms terms (or at the end); one that reaches the end is the
 * last. */
static int find_peaks(const avis_nb_scorer *s, const uint32_t *seq, size_t n,
                      avis_nb_work *w) {
  window_sums ws = {w->scores, 0, 0};
  w->bag_ids.len = w->bag_vals.len = 0;
  if (bag_table(w, n, &ws.mask))
    return AVIS_ERR_NOMEM;
  for (size_t c = 0; c < s->nlabels; c++)
    ws.u[c] = 0;
  size_t start = 0, end = 0, count = 0;
  while (start < n) {
    while (end < n && !(seq[end] == AVIS_TERM_BREAK &&
                        count >= s->passage_terms)) {
      if (seq[end] != AVIS_TERM_BREAK) {
        if (window_update(s, w, &ws, seq[end], 1))
          return AVIS_ERR_NOMEM;
        count++;
      }
      end++;
    }
    if (count >= s->passage_terms || start == 0)
      window_peak(s, w, &ws);
    if (end == n)
      break;
    for (; start < n && seq[start] != AVIS_TERM_BREAK; start++, count--)
      if (window_update(s, w, &ws, seq[start], -1))
        return AVIS_ERR_NOMEM;
    start++;
  }
  return 0;
}

int avis_nb_predict(const avis_nb_scorer *s, const uint32_t *seq, size_t n,
                    avis_nb_work *w, double *shares, int *tagged) {
  size_t k = s->nlabels, nterms = 0;
  if (work_reserve(w, k))
    return AVIS_ERR_NOMEM;
  for (size_t c = 0; c < k; c++) {
    shares[c] = 0;
    w->peak[c] = 0;
    if (tagged)
      tagged[c] = 0;
  }
  for (size_t i = 0; i < n; i++)
    nterms += seq[i] != AVIS_TERM_BREAK;
  if (nterms == 0)
    return 0;
  double dw = s->multi_label ? s->doc_weight : 1.0;
  if (add_posterior(s, seq, n, dw, w, shares) ||
      (dw < 1 && add_passages(s, seq, n, nterms, 1 - dw, w, shares)) ||
      (s->multi_label && find_peaks(s, seq, n, w)))
    return AVIS_ERR_NOMEM;
  size_t best = 0;
  for (size_t c = 1; c < k; c++)
    if (shares[c] > shares[best])
      best = c;
  if (tagged) {
    for (size_t c = 0; s->multi_label && c < k; c++)
      tagged[c] = shares[c] >= s->threshold[c] ||
                  (w->peak[c] >= s->passage_win && shares[c] >= s->tag_floor);
    tagged[best] = 1;
  }
  return 0;
}

size_t avis_nb_evidence(const avis_nb_scorer *s, const uint32_t *seq,
                        size_t n, uint32_t c, avis_nb_work *w, uint32_t *ids,
                        double *weight, size_t max) {
  if (make_bag(seq, n, s->flags & AVIS_NB_LOG_TF, w))
    return 0;
  const uint32_t *bag = w->bag_ids.data;
  const float *vals = w->bag_vals.data;
  size_t k = s->nlabels, found = 0;
  for (size_t i = 0; i < w->bag_ids.len; i++) {
    const float *row = s->weights + (size_t)bag[i] * k;
    double mean = 0;
    for (size_t j = 0; j < k; j++)
      mean += row[j];
    double push = vals[i] * (row[c] - mean / (double)k);
    if (push <= 0)
      continue;
    size_t pos = found < max ? found++ : max;
    while (pos > 0 && weight[pos - 1] < push) {
      if (pos < max) {
        ids[pos] = ids[pos - 1];
        weight[pos] = weight[pos - 1];
      }
      pos--;
    }
    if (pos < max) {
      ids[pos] = bag[i];
      weight[pos] = push;
    }
  }
  return found;
}

/* splitmix64: a fixed, well-mixed function of (seed, document). */
unsigned avis_nb_fold(size_t d, unsigned folds, uint64_t seed) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ULL * ((uint64_t)d + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return folds ? (unsigned)(z % folds) : 0;
}

int avis_classifier_predict(const avis_classifier *cl, const avis_corpus *c,
                            size_t doc, double *shares, int *tagged) {
  if (!cl || !c || !shares || doc >= avis_corpus_doc_count(c))
    return avis_fail(AVIS_ERR_ARG, "avis_classifier_predict: bad argument");
  size_t n;
  const uint32_t *seq = avis_corpus_doc(c, doc, &n);
  avis_vec mapped = {0};
  avis_nb_work w = {0};
  int rc = 0;
  for (size_t i = 0; !rc && i < n; i++) {
    uint32_t id = AVIS_TERM_BREAK;
    if (seq[i] != AVIS_TERM_BREAK) {
      size_t len;
      const char *t = avis_corpus_term(c, seq[i], &len);
      id = avis_classifier_term(cl, t, len);
      if (id == UINT32_MAX)
        continue;
    }
    rc = push_u32(&mapped, id);
  }
  avis_nb_scorer s;
  avis_nb_scorer_of(&s, cl);
  if (!rc)
    rc = avis_nb_predict(&s, mapped.data, mapped.len, &w, shares, tagged);
  avis_vec_release(&mapped);
  avis_nb_work_release(&w);
  return rc ? avis_fail(AVIS_ERR_NOMEM, "out of memory") : 0;
}
