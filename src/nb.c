/* Naive Bayes scoring: bags of terms, log-sum-exp posteriors, passage
 * shares, tags and evidence. Training is in nb_train.c. */
#include "nb.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

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
  free(w->place);
  free(w->doc_ids);
  free(w->doc_vals);
  free(w->doc_first);
  free(w->doc_mean);
  free(w->feat);
  free(w->rows);
  free(w->bias);
  free(w->scores);
  free(w->post);
  free(w->peak);
  free(w->undecided);
  free(w->local);
  memset(w, 0, sizeof *w);
}

/* Rows of weights are added four labels at a time, in a form compilers
 * turn into vector instructions. Each label's sum still takes its terms
 * one by one in the same order, so the results are the same to the bit
 * as adding one label at a time. */
#define LABEL_BLOCK 4

static size_t row_stride(size_t k) {
  return (k + LABEL_BLOCK - 1) / LABEL_BLOCK * LABEL_BLOCK;
}

/* Rows of at most this many weights (up to 16 labels) are worked on by
 * copies of the loops over a row made for their stride. */
#define FIXED_STRIDE_MAX 16

/* Calls f(..., stride) with the stride a constant when it is one of the
 * fixed ones: the loops over a row then unroll, and sums over a row stay
 * in registers. Each value still goes through the same operations in the
 * same order, so the results are the same to the bit whatever the copy. */
#define BY_STRIDE(stride, f, ...)                                            \
  do {                                                                       \
    switch (stride) {                                                        \
    case 4: f(__VA_ARGS__, 4); break;                                        \
    case 8: f(__VA_ARGS__, 8); break;                                        \
    case 12: f(__VA_ARGS__, 12); break;                                      \
    case 16: f(__VA_ARGS__, 16); break;                                      \
    default: f(__VA_ARGS__, stride);                                         \
    }                                                                        \
  } while (0)

static int reserve_labels(avis_nb_work *w, size_t k) {
  size_t stride = row_stride(k);
  w->stride = stride;
  if (w->k >= stride)
    return 0;
  free(w->bias);
  free(w->scores);
  free(w->post);
  free(w->peak);
  free(w->undecided);
  w->bias = malloc(stride * sizeof *w->bias);
  w->scores = malloc(stride * sizeof *w->scores);
  w->post = malloc(stride * sizeof *w->post);
  w->peak = malloc(stride * sizeof *w->peak);
  w->undecided = malloc(stride * sizeof *w->undecided);
  w->k = w->bias && w->scores && w->post && w->peak && w->undecided ? stride
                                                                     : 0;
  return w->k ? 0 : AVIS_ERR_NOMEM;
}

/* A bag has at most as many entries as the model has terms, whatever the
 * length of the document. */
static int reserve_bags(avis_nb_work *w, size_t n) {
  if (w->cap >= n)
    return 0;
  void *p[] = {realloc(w->ids, n * sizeof *w->ids),
               realloc(w->vals, n * sizeof *w->vals),
               realloc(w->place, n * sizeof *w->place),
               realloc(w->doc_ids, n * sizeof *w->doc_ids),
               realloc(w->doc_vals, n * sizeof *w->doc_vals),
               realloc(w->doc_first, n * sizeof *w->doc_first),
               realloc(w->doc_mean, n * sizeof *w->doc_mean),
               realloc(w->feat, n * sizeof *w->feat)};
  /* Whatever moved is kept, so that a failure leaks nothing. */
  if (p[0]) w->ids = p[0];
  if (p[1]) w->vals = p[1];
  if (p[2]) w->place = p[2];
  if (p[3]) w->doc_ids = p[3];
  if (p[4]) w->doc_vals = p[4];
  if (p[5]) w->doc_first = p[5];
  if (p[6]) w->doc_mean = p[6];
  if (p[7]) w->feat = p[7];
  for (size_t i = 0; i < sizeof p / sizeof *p; i++)
    if (!p[i])
      return AVIS_ERR_NOMEM;
  /* New places start out of every passage. */
  memset(w->place + w->cap, 0, (n - w->cap) * sizeof *w->place);
  w->cap = n;
  return 0;
}

/* Room for scoring a sequence of n entries with s. */
static int work_reserve(avis_nb_work *w, const avis_nb_scorer *s, size_t n) {
  if (reserve_labels(w, s->nlabels))
    return AVIS_ERR_NOMEM;
  if (w->local_cap < n) {
    free(w->local);
    w->local = malloc(n * sizeof *w->local);
    w->local_cap = w->local ? n : 0;
    if (!w->local)
      return AVIS_ERR_NOMEM;
  }
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
    for (size_t i = 0; i + 1 < AVIS_NB_LOG_TABLE; i++) {
      double before = w->log_d[i], after = w->log_d[i + 1];
      w->log_step[i] = after - before;
      w->square_step[i] = after * after - before * before;
    }
    w->tables_ready = 1;
  }
  for (size_t c = 0; c < w->stride; c++)
    w->bias[c] = c < s->nlabels ? s->bias[c] : 0;
  return reserve_bags(w, n < s->nterms ? n : s->nterms);
}

static void log_counts(float *vals, size_t n) {
  for (size_t i = 0; i < n; i++)
    vals[i] = (float)log1p(vals[i]);
}

static double inverse_norm(const float *vals, size_t n) {
  double ss = 0;
  for (size_t i = 0; i < n; i++)
    ss += (double)vals[i] * vals[i];
  return ss > 0 ? 1 / sqrt(ss) : 0;
}

static void unit_length(float *vals, size_t n) {
  double inv = inverse_norm(vals, n);
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
  return count < AVIS_NB_LOG_TABLE ? w->log_f[(int)count]
                                   : (float)log1p(count);
}

static inline double log_count_d(const avis_nb_work *w, float count) {
  return count < AVIS_NB_LOG_TABLE ? w->log_d[(int)count] : log1p(count);
}

/* Scoring reads the row of weights of every term of the document, a few
 * hundred rows scattered over a megabyte or more of model: asking for each
 * one when its term is first met lets them arrive while the document is
 * still being counted, rather than one at a time when the rows are
 * copied. A row may straddle two cache lines. */
static inline void prefetch_row(const avis_nb_scorer *s, uint32_t id) {
  const float *row = s->weights + (size_t)id * s->nlabels;
  AVIS_PREFETCH(row);
  AVIS_PREFETCH(row + s->nlabels - 1);
}

/* The bag of the whole sequence in w->doc_ids, w->doc_vals (counts) and
 * w->doc_first, and each of its ids' index + 1 in w->slot, until
 * forget_document(); the sequence by those indices in w->local. Its number
 * of terms. */
static size_t count_document(const avis_nb_scorer *s, avis_nb_work *w,
                             const uint32_t *seq, size_t n) {
  uint32_t *slot = w->slot, *ids = w->doc_ids, *first = w->doc_first;
  uint32_t *local = w->local;
  float *vals = w->doc_vals;
  size_t m = 0, nterms = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t id = seq[i];
    if (id == AVIS_TERM_BREAK) {
      local[i] = AVIS_TERM_BREAK;
      continue;
    }
    nterms++;
    uint32_t j = slot[id];
    if (!j) {
      prefetch_row(s, id);
      slot[id] = j = (uint32_t)++m;
      ids[m - 1] = id;
      vals[m - 1] = 0;
      first[m - 1] = (uint32_t)i;
    }
    local[i] = j - 1;
    vals[j - 1] += 1;
  }
  w->doc_len = m;
  return nterms;
}

static void forget_document(avis_nb_work *w) {
  for (size_t j = 0; j < w->doc_len; j++)
    w->slot[w->doc_ids[j]] = 0;
}

/* copy_rows() for rows of `stride` weights. Only the last block of a row
 * may be padding. When the model's nterms × k weights go on past the
 * row's end, the row is read whole, the floats beyond it (the next row's)
 * converted with it and then overwritten by zeros: the row then converts
 * in one loop of a constant count, with no test per label. */
static ALWAYS_INLINE void copy_rows_of(const avis_nb_scorer *s,
                                       avis_nb_work *w, size_t stride) {
  size_t k = s->nlabels, m = w->doc_len, end = (size_t)s->nterms * k;
  size_t pad = stride - k;
  const float *weights = s->weights;
  const uint32_t *ids = w->doc_ids;
  double *rows = w->rows;
  for (size_t j = 0; j < m; j++) {
    size_t at = (size_t)ids[j] * k;
    const float *from = weights + at;
    double *to = rows + j * stride;
    if (at + stride <= end) {
      for (size_t c = 0; c < stride; c++)
        to[c] = from[c];
    } else {
      for (size_t c = 0; c < k; c++)
        to[c] = from[c];
    }
    /* At most LABEL_BLOCK - 1 of padding: tests of constants, unrolled,
     * rather than a loop of a count known only at run time. */
    for (size_t c = 1; c < LABEL_BLOCK; c++)
      if (c <= pad)
        to[stride - c] = 0;
  }
}

/* The rows of the document's terms as doubles (which they convert to
 * exactly), padded with zeros to the stride. */
static int copy_rows(const avis_nb_scorer *s, avis_nb_work *w) {
  size_t stride = w->stride, m = w->doc_len;
  if (w->rows_cap < m) {
    free(w->rows);
    w->rows = malloc(m * stride * sizeof *w->rows);
    w->rows_cap = w->rows ? m : 0;
    if (!w->rows)
      return AVIS_ERR_NOMEM;
  }
  BY_STRIDE(stride, copy_rows_of, s, w);
  return 0;
}

/* Counts to features, before the unit-length scaling, in place; the
 * factor of that scaling (1 without it), as inverse_norm() gives it: its
 * sum of squares takes each feature as it is written, in the same order,
 * instead of in a second pass. */
static double log_features(const avis_nb_scorer *s, const avis_nb_work *w,
                           float *vals, size_t m) {
  if (!(s->flags & AVIS_NB_LOG_TF))
    return s->flags & AVIS_NB_L2 ? inverse_norm(vals, m) : 1;
  if (!(s->flags & AVIS_NB_L2)) {
    for (size_t i = 0; i < m; i++)
      vals[i] = log_count_f(w, vals[i]);
    return 1;
  }
  double ss = 0;
  for (size_t i = 0; i < m; i++) {
    float f = log_count_f(w, vals[i]);
    vals[i] = f;
    ss += (double)f * f;
  }
  return ss > 0 ? 1 / sqrt(ss) : 0;
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

/* Labels c..c + LABEL_BLOCK × nblocks of score_bag(), summed in registers
 * over the whole bag. */
static ALWAYS_INLINE void score_blocks(const avis_nb_work *w,
                                       const uint32_t *local, size_t m,
                                       size_t c, size_t nblocks,
                                       size_t stride, double *out) {
  double sum[FIXED_STRIDE_MAX / LABEL_BLOCK][LABEL_BLOCK];
  for (size_t q = 0; q < nblocks; q++)
    for (size_t b = 0; b < LABEL_BLOCK; b++)
      sum[q][b] = w->bias[c + q * LABEL_BLOCK + b];
  for (size_t e = 0; e < m; e++) {
    const double *row = w->rows + local[e] * stride + c;
    double v = w->feat[e];
    for (size_t q = 0; q < nblocks; q++)
      for (size_t b = 0; b < LABEL_BLOCK; b++)
        sum[q][b] += v * row[q * LABEL_BLOCK + b];
  }
  for (size_t q = 0; q < nblocks; q++)
    for (size_t b = 0; b < LABEL_BLOCK; b++)
      out[c + q * LABEL_BLOCK + b] = sum[q][b];
}

/* score_bag() for rows of `stride` weights: a fixed stride in one pass
 * over the bag, a wider one two blocks of labels at a time. */
static ALWAYS_INLINE void score_bag_of(const avis_nb_work *w,
                                       const uint32_t *local, size_t m,
                                       double *out, size_t stride) {
  if (stride <= FIXED_STRIDE_MAX) {
    score_blocks(w, local, m, 0, stride / LABEL_BLOCK, stride, out);
    return;
  }
  size_t c = 0;
  for (; c + 2 * LABEL_BLOCK <= stride; c += 2 * LABEL_BLOCK)
    score_blocks(w, local, m, c, 2, stride, out);
  if (c < stride)
    score_blocks(w, local, m, c, 1, stride, out);
}

/* What avis_nb_score_row() gives for a bag of the document's terms, by
 * their indices in its bag, with features w->feat[0..m), in
 * out[0..stride). */
static void score_bag(const avis_nb_work *w, const uint32_t *local, size_t m,
                      double *out) {
  BY_STRIDE(w->stride, score_bag_of, w, local, m, out);
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

/* The posterior of a bag of the document's terms (see score_bag()) whose
 * features, before the unit-length scaling, are vals[0..m), in w->post;
 * weight × it is added to shares[]. `inv` is what log_features() gave for
 * them: the scaled features are the floats unit_length() gives. */
static void add_posterior(const avis_nb_scorer *s, const uint32_t *local,
                          const float *vals, size_t m, double inv,
                          double weight, avis_nb_work *w, double *shares) {
  for (size_t e = 0; e < m; e++)
    w->feat[e] = (float)(vals[e] * inv);
  score_bag(w, local, m, w->scores);
  avis_nb_softmax(w->scores, s->nlabels, s->scale, w->post);
  for (size_t c = 0; c < s->nlabels; c++)
    shares[c] += weight * w->post[c];
}

/* The whole document's posterior; its features stay in w->doc_vals for
 * avis_nb_evidence(). */
static void add_document(const avis_nb_scorer *s, double weight,
                         avis_nb_work *w, double *shares) {
  size_t m = w->doc_len;
  double inv = log_features(s, w, w->doc_vals, m);
  w->doc_means_ready = 0;
  for (size_t j = 0; j < m; j++)
    w->ids[j] = (uint32_t)j;
  add_posterior(s, w->ids, w->doc_vals, m, inv, weight, w, shares);
}

/* Passages gather whole sentences until they hold passage_terms terms, so
 * that a paragraph on advertising inside an article on a ban shows as such
 * instead of being outvoted by the rest of the article.
 *
 * A passage's bag is counted as its terms are met: in w->ids (indices in
 * the document's bag, first seen first) and w->vals (counts), with each
 * one's place there + 1 in w->place, cleared once the passage is
 * scored. */
static void add_passages(const avis_nb_scorer *s, const uint32_t *seq,
                         size_t n, size_t nterms, double weight,
                         avis_nb_work *w, double *shares) {
  uint32_t *place = w->place, *ids = w->ids;
  float *vals = w->vals;
  size_t m = 0, count = 0;
  for (size_t i = 0; i <= n; i++) {
    if (i < n && seq[i] != AVIS_TERM_BREAK) {
      uint32_t j = seq[i], p = place[j];
      if (!p) {
        place[j] = p = (uint32_t)++m;
        ids[m - 1] = j;
        vals[m - 1] = 0;
      }
      vals[p - 1] += 1;
      count++;
      continue;
    }
    if (count && (count >= s->passage_terms || i == n)) {
      double share = weight * (double)count / (double)nterms;
      for (size_t e = 0; e < m; e++)
        place[ids[e]] = 0;
      double inv = log_features(s, w, vals, m);
      add_posterior(s, ids, vals, m, inv, share, w, shares);
      m = 0;
      count = 0;
    }
  }
}

/* Two labels' window sums, updated together: with SSE2, as one vector
 * whose lanes are multiplied and added each as a double would be, so that
 * the results are the same to the bit. */
#if defined(__SSE2__)
typedef __m128d label_pair;

static inline label_pair pair_zero(void) { return _mm_setzero_pd(); }

/* u + x × row[0..2). */
static inline label_pair pair_add_scaled(label_pair u, double x,
                                         const double *row) {
  return _mm_add_pd(u, _mm_mul_pd(_mm_set1_pd(x), _mm_loadu_pd(row)));
}

static inline void pair_store(double *to, label_pair u) {
  _mm_storeu_pd(to, u);
}
#else
typedef struct {
  double d[2];
} label_pair;

static inline label_pair pair_zero(void) { return (label_pair){{0, 0}}; }

static inline label_pair pair_add_scaled(label_pair u, double x,
                                         const double *row) {
  u.d[0] += x * row[0];
  u.d[1] += x * row[1];
  return u;
}

static inline void pair_store(double *to, label_pair u) {
  to[0] = u.d[0];
  to[1] = u.d[1];
}
#endif

/* malloc() aligns for every type of at most max_align_t's alignment. */
_Static_assert(_Alignof(label_pair) <= _Alignof(max_align_t),
               "window sums may live in memory from malloc()");

/* A window's running sums: each document term's count in the window (in
 * w->vals), u[c] = sum of g(count) × weight[term][c] (by pairs of labels)
 * and q = sum of g(count)², where g is the feature transform before the
 * unit-length scaling. Sliding a window then costs a few updates per term
 * instead of a new bag. */
typedef struct {
  label_pair *u;
  double q;
} window_sums;

static inline double feature_of(const avis_nb_work *w, float count,
                                unsigned flags) {
  return flags & AVIS_NB_LOG_TF ? log_count_d(w, count) : count;
}

/* u[0..stride) += x × row[0..stride). */
static ALWAYS_INLINE void add_scaled_row(label_pair *restrict u,
                                         const double *restrict row,
                                         double x, size_t stride) {
  for (size_t c = 0; c < stride; c += LABEL_BLOCK)
    for (size_t b = 0; b < LABEL_BLOCK; b += 2)
      u[(c + b) / 2] = pair_add_scaled(u[(c + b) / 2], x, row + c + b);
}

/* Adds `delta` (1 or -1) occurrences of the document's term j to the
 * window. Between
 * small counts, the changes of log(1 + count) and of its square come from
 * tables of the very differences the features would give: a removal's are
 * an addition's negated, which a difference taken the other way round is
 * exactly. */
static ALWAYS_INLINE void window_update(const avis_nb_work *w,
                                        unsigned flags, float *counts,
                                        const double *rows, window_sums *ws,
                                        size_t j, int delta,
                                        size_t stride) {
  float *count = &counts[j];
  float low = delta > 0 ? *count : *count - 1; /* the smaller count */
  double change, square_change;
  if (flags & AVIS_NB_LOG_TF && low < AVIS_NB_LOG_TABLE - 1) {
    change = w->log_step[(int)low];
    square_change = w->square_step[(int)low];
    if (delta < 0) {
      change = -change;
      square_change = -square_change;
    }
    *count += (float)delta;
  } else {
    double before = feature_of(w, *count, flags);
    *count += (float)delta;
    double after = feature_of(w, *count, flags);
    change = after - before;
    square_change = after * after - before * before;
  }
  add_scaled_row(ws->u, rows + j * stride, change, stride);
  ws->q += square_change;
}

/* The window's scores, whose softmax is its posterior, in w->post (zero
 * beyond the labels). */
static ALWAYS_INLINE void window_scores(const avis_nb_scorer *s,
                                        avis_nb_work *w,
                                        const window_sums *ws,
                                        size_t stride) {
  double norm = s->flags & AVIS_NB_L2 ? sqrt(ws->q > 0 ? ws->q : 0) : 1;
  double inv = norm > 0 ? 1 / norm : 0;
  for (size_t c = 0; c < stride; c += LABEL_BLOCK)
    for (size_t b = 0; b < LABEL_BLOCK; b += 2)
      pair_store(w->post + c + b, ws->u[(c + b) / 2]);
  for (size_t c = 0; c < stride; c += LABEL_BLOCK)
    for (size_t b = 0; b < LABEL_BLOCK; b++)
      w->post[c + b] = w->bias[c + b] + w->post[c + b] * inv;
}

/* The window's posterior in w->post, from its scores there, and each
 * label's peak raised to it. */
static void window_peak(const avis_nb_scorer *s, avis_nb_work *w) {
  avis_nb_softmax(w->post, s->nlabels, s->scale, w->post);
  for (size_t c = 0; c < s->nlabels; c++)
    if (w->post[c] > w->peak[c])
      w->peak[c] = w->post[c];
}

/* exp() is within an ulp of the exact value: far less than this. */
#define EXP_MARGIN 1e-6

/* Whether the window, whose scores are in w->post, may raise a label of
 * wanted[0..nwanted) that is short of passage_win to it. A label's
 * posterior is exp(d) / sum, where d is its scaled score less the highest
 * and the sum includes exp(0) = 1: it is at most exp(d), which stays below
 * passage_win when d is below log_win (log(passage_win) less a margin).
 * Most windows are then decided without the softmax's exponentials. */
static int may_reach(const avis_nb_scorer *s, const avis_nb_work *w,
                     const uint32_t *wanted, size_t nwanted, double log_win) {
  double max = -INFINITY;
  for (size_t c = 0; c < s->nlabels; c++)
    if (s->scale * w->post[c] > max)
      max = s->scale * w->post[c];
  for (size_t i = 0; i < nwanted; i++) {
    uint32_t c = wanted[i];
    if (!(w->peak[c] >= s->passage_win) &&
        s->scale * w->post[c] - max >= log_win)
      return 1;
  }
  return 0;
}

/* Whether every label of wanted[0..nwanted) has reached passage_win. */
static int peaks_reached(const avis_nb_scorer *s, const avis_nb_work *w,
                         const uint32_t *wanted, size_t nwanted) {
  for (size_t i = 0; i < nwanted; i++)
    if (!(w->peak[wanted[i]] >= s->passage_win))
      return 0;
  return 1;
}

/* find_peaks() for rows of `stride` weights. With a fixed stride, the
 * window's sums are a local array that stays in registers instead of being
 * loaded and stored by every update: its loops go by blocks of labels
 * whose every index is a constant once unrolled, and it is updated by
 * pairs of labels, as vectors. */
static ALWAYS_INLINE void slide_windows(const avis_nb_scorer *s,
                                        const uint32_t *seq, size_t n,
                                        avis_nb_work *w,
                                        const uint32_t *wanted,
                                        size_t nwanted, size_t stride) {
  /* Wider rows keep their sums in w->scores: room enough, and malloc()'s
   * alignment, which suits a pair (see there). */
  label_pair local[FIXED_STRIDE_MAX / 2];
  window_sums ws = {stride <= FIXED_STRIDE_MAX ? local
                                               : (label_pair *)w->scores,
                    0};
  for (size_t c = 0; c < stride; c += LABEL_BLOCK)
    for (size_t b = 0; b < LABEL_BLOCK; b += 2)
      ws.u[(c + b) / 2] = pair_zero();
  /* In locals: the stores of the updates might otherwise be taken to
   * change them, to be read again by every update. */
  unsigned flags = s->flags;
  float *counts = w->vals;
  const double *rows = w->rows;
  for (size_t j = 0; j < w->doc_len; j++)
    counts[j] = 0;
  double log_win = s->passage_win > 0 ? log(s->passage_win) - EXP_MARGIN
                                      : -INFINITY;
  size_t start = 0, end = 0, count = 0;
  while (start < n) {
    while (end < n && !(seq[end] == AVIS_TERM_BREAK &&
                        count >= s->passage_terms)) {
      if (seq[end] != AVIS_TERM_BREAK) {
        window_update(w, flags, counts, rows, &ws, seq[end], 1, stride);
        count++;
      }
      end++;
    }
    if (count >= s->passage_terms || start == 0) {
      window_scores(s, w, &ws, stride);
      if (!wanted || may_reach(s, w, wanted, nwanted, log_win))
        window_peak(s, w);
    }
    if (end == n || (wanted && peaks_reached(s, w, wanted, nwanted)))
      break;
    for (; start < n && seq[start] != AVIS_TERM_BREAK; start++, count--)
      window_update(w, flags, counts, rows, &ws, seq[start], -1, stride);
    start++;
  }
}

/* Each label's highest posterior over the windows that start at each
 * sentence: the windows overlap, so a paragraph on another topic is seen
 * whole wherever it starts. A window ends at the first sentence end after
 * passage_terms terms (or at the end); one that reaches the end is the
 * last. With `wanted` (nwanted labels), the windows stop once each of
 * those labels has reached passage_win: a later window can only raise a
 * peak, which then decides no tag; and a window that raises none of them
 * to it leaves the peaks as they were, which changes no tag either. */
static void find_peaks(const avis_nb_scorer *s, const uint32_t *seq, size_t n,
                       avis_nb_work *w, const uint32_t *wanted,
                       size_t nwanted) {
  BY_STRIDE(w->stride, slide_windows, s, seq, n, w, wanted, nwanted);
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

/* Shares, peaks and tags of a document whose bag is counted and whose
 * rows are copied; seq[0..n) is its sequence by indices in the bag. */
static void predict_document(const avis_nb_scorer *s, const uint32_t *seq,
                             size_t n, size_t nterms, avis_nb_work *w,
                             double *shares, int *tagged) {
  size_t k = s->nlabels;
  double dw = s->multi_label ? s->doc_weight : 1.0;
  add_document(s, dw, w, shares);
  if (dw < 1)
    add_passages(s, seq, n, nterms, 1 - dw, w, shares);
  size_t best = 0;
  for (size_t c = 1; c < k; c++)
    if (shares[c] > shares[best])
      best = c;
  if (!tagged) {
    if (s->multi_label)
      find_peaks(s, seq, n, w, NULL, 0);
    return;
  }
  /* Tagging needs the peaks of the labels the shares leave undecided
   * only (on OrangeSum, one article in seven has none, and its windows
   * are skipped). */
  size_t left = s->multi_label ? undecided_labels(s, shares, best, w) : 0;
  if (left)
    find_peaks(s, seq, n, w, w->undecided, left);
  set_tags(s, shares, best, w, tagged);
}

int avis_nb_predict(const avis_nb_scorer *s, const uint32_t *seq, size_t n,
                    avis_nb_work *w, double *shares, int *tagged) {
  if (work_reserve(w, s, n))
    return AVIS_ERR_NOMEM;
  w->doc_len = 0;
  for (size_t c = 0; c < s->nlabels; c++) {
    shares[c] = 0;
    w->peak[c] = 0;
    if (tagged)
      tagged[c] = 0;
  }
  size_t nterms = count_document(s, w, seq, n);
  int rc = nterms ? copy_rows(s, w) : 0;
  if (nterms && !rc)
    predict_document(s, w->local, n, nterms, w, shares, tagged);
  forget_document(w);
  if (rc || !nterms)
    w->doc_len = 0;
  if (w->local_cap > AVIS_NB_KEEP_TERMS) {
    free(w->local);
    w->local = NULL;
    w->local_cap = 0;
  }
  return rc;
}

/* Each term's mean weight over the labels does not depend on the label
 * asked for: worked out once per document. The weights are added in label
 * order, then the row's padding: adding +0 leaves any sum as it was, and a
 * sum that starts at +0 is never -0. */
static ALWAYS_INLINE void document_means_of(const avis_nb_scorer *s,
                                            avis_nb_work *w, size_t stride) {
  size_t k = s->nlabels;
  for (size_t i = 0; i < w->doc_len; i++) {
    const double *row = w->rows + i * stride;
    double sum = 0;
    for (size_t c = 0; c < stride; c++)
      sum += row[c];
    w->doc_mean[i] = sum / (double)k;
  }
}

static void document_means(const avis_nb_scorer *s, avis_nb_work *w) {
  BY_STRIDE(w->stride, document_means_of, s, w);
  w->doc_means_ready = 1;
}

size_t avis_nb_evidence(const avis_nb_scorer *s, uint32_t c, avis_nb_work *w,
                        uint32_t *ids, double *weight, uint32_t *first,
                        size_t max) {
  if (!max)
    return 0;
  if (!w->doc_means_ready)
    document_means(s, w);
  size_t found = 0;
  /* What a push must pass to enter the list: above 0, and once the list
   * is full above its last, as the loop below would find. Most terms are
   * turned away at this one test, whose outcome soon hardly varies; two
   * tests, the first passed by about every other term, would be
   * mispredicted far more often. Pushes are never NaN: the weights are
   * finite. */
  double bar = 0;
  for (size_t i = 0; i < w->doc_len; i++) {
    double weight_c = w->rows[i * w->stride + c];
    double push = w->doc_vals[i] * (weight_c - w->doc_mean[i]);
    if (!(push > bar))
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
    if (found == max)
      bar = weight[max - 1];
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
