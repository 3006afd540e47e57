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
  free(w->slot);
  free(w->ids);
  free(w->vals);
  free(w->doc_ids);
  free(w->doc_vals);
  free(w->doc_first);
  free(w->doc_mean);
  free(w->scores);
  free(w->post);
  free(w->peak);
  free(w->undecided);
  memset(w, 0, sizeof *w);
}

static int reserve_labels(avis_nb_work *w, size_t k) {
  if (w->k >= k)
    return 0;
  free(w->scores);
  free(w->post);
  free(w->peak);
  free(w->undecided);
  w->scores = malloc(k * sizeof *w->scores);
  w->post = malloc(k * sizeof *w->post);
  w->peak = malloc(k * sizeof *w->peak);
  w->undecided = malloc(k * sizeof *w->undecided);
  w->k = w->scores && w->post && w->peak && w->undecided ? k : 0;
  return w->k ? 0 : AVIS_ERR_NOMEM;
}

/* A bag has at most as many entries as the model has terms, whatever the
 * length of the document. */
static int reserve_bags(avis_nb_work *w, size_t n) {
  if (w->cap >= n)
    return 0;
  void *p[] = {realloc(w->ids, n * sizeof *w->ids),
               realloc(w->vals, n * sizeof *w->vals),
               realloc(w->doc_ids, n * sizeof *w->doc_ids),
               realloc(w->doc_vals, n * sizeof *w->doc_vals),
               realloc(w->doc_first, n * sizeof *w->doc_first),
               realloc(w->doc_mean, n * sizeof *w->doc_mean)};
  /* Whatever moved is kept, so that a failure leaks nothing. */
  if (p[0]) w->ids = p[0];
  if (p[1]) w->vals = p[1];
  if (p[2]) w->doc_ids = p[2];
  if (p[3]) w->doc_vals = p[3];
  if (p[4]) w->doc_first = p[4];
  if (p[5]) w->doc_mean = p[5];
  for (size_t i = 0; i < sizeof p / sizeof *p; i++)
    if (!p[i])
      return AVIS_ERR_NOMEM;
  w->cap = n;
  return 0;
}

/* Room for scoring a sequence of n entries with s. */
static int work_reserve(avis_nb_work *w, const avis_nb_scorer *s, size_t n) {
  if (reserve_labels(w, s->nlabels))
    return AVIS_ERR_NOMEM;
  if (w->nslots < s->nterms) {
    free(w->slot);
    w->slot = calloc(s->nterms, sizeof *w->slot);
    w->nslots = w->slot ? s->nterms : 0;
    if (!w->slot)
      return AVIS_ERR_NOMEM;
  }
  if (!w->tables_ready) {
    for (size_t i = 0; i < AVIS_NB_LOG_TABLE; i++) {
      w->log_d[i] = log1p((double)i);
      w->log_f[i] = (float)w->log_d[i];
    }
    w->tables_ready = 1;
  }
  return reserve_bags(w, n < s->nterms ? n : s->nterms);
}

static void log_counts(float *vals, size_t n) {
  for (size_t i = 0; i < n; i++)
    vals[i] = (float)log1p(vals[i]);
}

static void unit_length(float *vals, size_t n) {
  double ss = 0;
  for (size_t i = 0; i < n; i++)
    ss += (double)vals[i] * vals[i];
  double inv = ss > 0 ? 1 / sqrt(ss) : 0;
  for (size_t i = 0; i < n; i++)
    vals[i] = (float)(vals[i] * inv);
}

void avis_nb_transform(float *vals, size_t n, unsigned flags) {
  if (flags & AVIS_NB_LOG_TF)
    log_counts(vals, n);
  if (flags & AVIS_NB_L2)
    unit_length(vals, n);
}

/* log1p(count) of a whole count, from the table when it is small: the
 * same value log1p() gives. */
static inline float log_count_f(const avis_nb_work *w, float count) {
  return count < AVIS_NB_LOG_TABLE ? w->log_f[(size_t)count]
                                   : (float)log1p(count);
}

static inline double log_count_d(const avis_nb_work *w, float count) {
  return count < AVIS_NB_LOG_TABLE ? w->log_d[(size_t)count] : log1p(count);
}

/* The bag of seq[0..n) in w->ids and w->vals: distinct ids in order of
 * first occurrence, with their counts; its size. With `first`, where each
 * id first occurs. */
static size_t count_bag(avis_nb_work *w, const uint32_t *seq, size_t n,
                        uint32_t *first) {
  uint32_t *slot = w->slot, *ids = w->ids;
  float *vals = w->vals;
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t id = seq[i];
    if (id == AVIS_TERM_BREAK)
      continue;
    uint32_t j = slot[id];
    if (!j) {
      slot[id] = j = (uint32_t)++m;
      ids[m - 1] = id;
      vals[m - 1] = 0;
      if (first)
        first[m - 1] = (uint32_t)i;
    }
    vals[j - 1] += 1;
  }
  for (size_t j = 0; j < m; j++)
    slot[ids[j]] = 0;
  return m;
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

/* The whole document's bag, kept for avis_nb_evidence(): its features
 * before the unit-length scaling. */
static void keep_document_bag(avis_nb_work *w, size_t m) {
  memcpy(w->doc_ids, w->ids, m * sizeof *w->ids);
  memcpy(w->doc_vals, w->vals, m * sizeof *w->vals);
  w->doc_len = m;
  w->doc_means_ready = 0;
}

/* The posterior of seq[0..n) in w->post; weight × it is added to shares[]
 * when given. `whole`: seq is the whole document, whose bag is kept. */
static void add_posterior(const avis_nb_scorer *s, const uint32_t *seq,
                          size_t n, double weight, int whole, avis_nb_work *w,
                          double *shares) {
  size_t m = count_bag(w, seq, n, whole ? w->doc_first : NULL);
  if (s->flags & AVIS_NB_LOG_TF)
    for (size_t i = 0; i < m; i++)
      w->vals[i] = log_count_f(w, w->vals[i]);
  if (whole)
    keep_document_bag(w, m);
  if (s->flags & AVIS_NB_L2)
    unit_length(w->vals, m);
  avis_nb_score_row(s, w->ids, w->vals, m, w->scores);
  avis_nb_softmax(w->scores, s->nlabels, s->scale, w->post);
  for (size_t c = 0; shares && c < s->nlabels; c++)
    shares[c] += weight * w->post[c];
}

/* Passages gather whole sentences until they hold passage_terms terms, so
 * that a paragraph on advertising inside an article on a ban shows as such
 * instead of being outvoted by the rest of the article. */
static void add_passages(const avis_nb_scorer *s, const uint32_t *seq,
                         size_t n, size_t nterms, double weight,
                         avis_nb_work *w, double *shares) {
  size_t start = 0, count = 0;
  for (size_t i = 0; i <= n; i++) {
    int end = i == n || seq[i] == AVIS_TERM_BREAK;
    if (!end) {
      count++;
      continue;
    }
    if (count && (count >= s->passage_terms || i == n)) {
      double share = weight * (double)count / (double)nterms;
      add_posterior(s, seq + start, i - start, share, 0, w, shares);
      start = i + 1;
      count = 0;
    }
  }
}

/* A window's running sums: each term's count in the bag (w->ids and
 * w->vals, found through w->slot), u[c] = sum of g(count) × weight[term][c]
 * and q = sum of g(count)², where g is the feature transform before the
 * unit-length scaling. Sliding a window then costs a few updates per term
 * instead of a new bag. */
typedef struct {
  double *u, q;
  size_t len; /* entries of the bag */
} window_sums;

static inline double feature_of(const avis_nb_work *w, float count,
                                unsigned flags) {
  return flags & AVIS_NB_LOG_TF ? log_count_d(w, count) : count;
}

/* Adds `delta` (1 or -1) occurrences of term id to the window. */
static void window_update(const avis_nb_scorer *s, avis_nb_work *w,
                          window_sums *ws, uint32_t id, int delta) {
  uint32_t j = w->slot[id];
  if (!j) {
    w->slot[id] = j = (uint32_t)++ws->len;
    w->ids[j - 1] = id;
    w->vals[j - 1] = 0;
  }
  float *count = &w->vals[j - 1];
  double before = feature_of(w, *count, s->flags);
  *count += (float)delta;
  double after = feature_of(w, *count, s->flags), change = after - before;
  const float *row = s->weights + (size_t)id * s->nlabels;
  for (size_t c = 0; c < s->nlabels; c++)
    ws->u[c] += change * row[c];
  ws->q += after * after - before * before;
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

/* Whether every label of wanted[0..nwanted) has reached passage_win. */
static int peaks_reached(const avis_nb_scorer *s, const avis_nb_work *w,
                         const uint32_t *wanted, size_t nwanted) {
  for (size_t i = 0; i < nwanted; i++)
    if (!(w->peak[wanted[i]] >= s->passage_win))
      return 0;
  return 1;
}

/* Each label's highest posterior over the windows that start at each
 * sentence: the windows overlap, so a paragraph on another topic is seen
 * whole wherever it starts. A window ends at the first sentence end after
 * passage_terms terms (or at the end); one that reaches the end is the
 * last. With `wanted` (nwanted labels), the windows stop once each of
 * those labels has reached passage_win: a later window can only raise a
 * peak, which then decides no tag. */
static void find_peaks(const avis_nb_scorer *s, const uint32_t *seq, size_t n,
                       avis_nb_work *w, const uint32_t *wanted,
                       size_t nwanted) {
  window_sums ws = {w->scores, 0, 0};
  for (size_t c = 0; c < s->nlabels; c++)
    ws.u[c] = 0;
  size_t start = 0, end = 0, count = 0;
  while (start < n) {
    while (end < n && !(seq[end] == AVIS_TERM_BREAK &&
                        count >= s->passage_terms)) {
      if (seq[end] != AVIS_TERM_BREAK) {
        window_update(s, w, &ws, seq[end], 1);
        count++;
      }
      end++;
    }
    if (count >= s->passage_terms || start == 0)
      window_peak(s, w, &ws);
    if (end == n || (wanted && peaks_reached(s, w, wanted, nwanted)))
      break;
    for (; start < n && seq[start] != AVIS_TERM_BREAK; start++, count--)
      window_update(s, w, &ws, seq[start], -1);
    start++;
  }
  for (size_t j = 0; j < ws.len; j++)
    w->slot[w->ids[j]] = 0;
}

/* The labels whose tag the peak rule decides, in w->undecided: not the
 * first-ranked, below their threshold, at or above the floor. Their
 * count. */
static size_t undecided_labels(const avis_nb_scorer *s, const double *shares,
                               size_t best, avis_nb_work *w) {
  size_t n = 0;
  for (size_t c = 0; c < s->nlabels; c++)
    if (c != best && !(shares[c] >= s->threshold[c]) &&
        shares[c] >= s->tag_floor)
      w->undecided[n++] = (uint32_t)c;
  return n;
}

/* Tags by the rule of avis_nb_predict(). */
static void set_tags(const avis_nb_scorer *s, const double *shares,
                     size_t best, const avis_nb_work *w, int *tagged) {
  for (size_t c = 0; s->multi_label && c < s->nlabels; c++)
    tagged[c] = shares[c] >= s->threshold[c] ||
                (w->peak[c] >= s->passage_win && shares[c] >= s->tag_floor);
  tagged[best] = 1;
}

int avis_nb_predict(const avis_nb_scorer *s, const uint32_t *seq, size_t n,
                    avis_nb_work *w, double *shares, int *tagged) {
  size_t k = s->nlabels, nterms = 0;
  if (work_reserve(w, s, n))
    return AVIS_ERR_NOMEM;
  w->doc_len = 0;
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
  add_posterior(s, seq, n, dw, 1, w, shares);
  if (dw < 1)
    add_passages(s, seq, n, nterms, 1 - dw, w, shares);
  size_t best = 0;
  for (size_t c = 1; c < k; c++)
    if (shares[c] > shares[best])
      best = c;
  if (!tagged) {
    if (s->multi_label)
      find_peaks(s, seq, n, w, NULL, 0);
    return 0;
  }
  /* Tagging needs the peaks of the labels the shares leave undecided
   * only (on OrangeSum, one article in seven has none, and its windows
   * are skipped). */
  size_t left = s->multi_label ? undecided_labels(s, shares, best, w) : 0;
  if (left)
    find_peaks(s, seq, n, w, w->undecided, left);
  set_tags(s, shares, best, w, tagged);
  return 0;
}

/* Each term's mean weight over the labels does not depend on the label
 * asked for: worked out once per document. */
static void document_means(const avis_nb_scorer *s, avis_nb_work *w) {
  size_t k = s->nlabels;
  for (size_t i = 0; i < w->doc_len; i++) {
    const float *row = s->weights + (size_t)w->doc_ids[i] * k;
    double sum = 0;
    for (size_t j = 0; j < k; j++)
      sum += row[j];
    w->doc_mean[i] = sum / (double)k;
  }
  w->doc_means_ready = 1;
}

size_t avis_nb_evidence(const avis_nb_scorer *s, uint32_t c, avis_nb_work *w,
                        uint32_t *ids, double *weight, uint32_t *first,
                        size_t max) {
  if (!w->doc_means_ready)
    document_means(s, w);
  size_t k = s->nlabels, found = 0;
  for (size_t i = 0; i < w->doc_len; i++) {
    const float *row = s->weights + (size_t)w->doc_ids[i] * k;
    double push = w->doc_vals[i] * (row[c] - w->doc_mean[i]);
    if (push <= 0)
      continue;
    size_t pos = found < max ? found++ : max;
    while (pos > 0 && weight[pos - 1] < push) {
      if (pos < max) {
        ids[pos] = ids[pos - 1];
        weight[pos] = weight[pos - 1];
        if (first)
          first[pos] = first[pos - 1];
      }
      pos--;
    }
    if (pos < max) {
      ids[pos] = w->doc_ids[i];
      weight[pos] = push;
      if (first)
        first[pos] = w->doc_first[i];
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

static int push_u32(avis_vec *v, uint32_t x) {
  uint32_t *p = avis_vec_push(v, sizeof *p);
  if (!p)
    return AVIS_ERR_NOMEM;
  *p = x;
  return 0;
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
