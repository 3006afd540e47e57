/* LDA training by collapsed Gibbs sampling with the SparseLDA sampler (Yao,
 * Mimno and McCallum 2009): the conditional of a token's topic splits into
 * a smoothing bucket, a document bucket and a word bucket, so that a draw
 * costs O(topics of the document + topics of the word) rather than O(K).
 * Documents are split between threads that sample against their own copy
 * of the topic-word counts, merged after every sweep (AD-LDA, Newman et
 * al. 2009). The document-topic prior is learnt by Minka's fixed-point
 * iteration on count histograms, as MALLET does. docs/lda.md. */
#define _POSIX_C_SOURCE 200809L
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_gamma.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "lda.h"
#include "nb.h"
#include "terms.h"

struct avis_lda_options {
  unsigned k, iterations, opt_interval, opt_burn_in, threads;
  unsigned min_df, max_terms, min_count, top_words, seed_weight;
  double alpha_total, beta, max_df_share;
  uint64_t seed;
  avis_train_options *seed_topics; /* parsed seed file, or NULL */
  char *command, *data, *date;
  void (*progress)(void *user, const char *message);
  void *progress_user;
};

/* ---- Options ------------------------------------------------------------- */

int avis_lda_options_new(avis_lda_options **out) {
  if (!out)
    return avis_fail(AVIS_ERR_ARG, "avis_lda_options_new: NULL argument");
  avis_lda_options *o = calloc(1, sizeof *o);
  *out = o;
  if (!o)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  o->k = 50;
  o->iterations = 200;
  o->opt_interval = 10;
  o->opt_burn_in = 50;
  o->threads = 1;
  o->min_df = 5;
  o->max_df_share = 0.5;
  o->min_count = 2;
  o->alpha_total = 5.0;
  o->beta = 0.01;
  o->seed = 1;
  return 0;
}

void avis_lda_options_free(avis_lda_options *o) {
  if (!o)
    return;
  avis_train_options_free(o->seed_topics);
  free(o->command);
  free(o->data);
  free(o->date);
  free(o);
}

#define NEED(cond, what)                                                      \
  do {                                                                        \
    if (!o || !(cond))                                                        \
      return avis_fail(AVIS_ERR_ARG, "%s", what);                             \
  } while (0)

int avis_lda_options_set_topics(avis_lda_options *o, unsigned k) {
  NEED(k >= 2 && k <= AVIS_LDA_MAX_TOPICS, "an LDA model has 2 to 1024 topics");
  o->k = k;
  return 0;
}

int avis_lda_options_set_iterations(avis_lda_options *o, unsigned iterations) {
  NEED(iterations >= 1, "at least one iteration");
  o->iterations = iterations;
  return 0;
}

int avis_lda_options_set_priors(avis_lda_options *o, double alpha_total,
                                double beta) {
  NEED(alpha_total > 0 && alpha_total < 1e6 && beta > 0 && beta < 1e3,
       "priors must be positive");
  o->alpha_total = alpha_total;
  o->beta = beta;
  return 0;
}

int avis_lda_options_set_optimize(avis_lda_options *o, unsigned interval,
                                  unsigned burn_in) {
  NEED(1, "avis_lda_options_set_optimize: NULL options");
  o->opt_interval = interval;
  o->opt_burn_in = burn_in;
  return 0;
}

int avis_lda_options_set_threads(avis_lda_options *o, unsigned threads) {
  NEED(threads >= 1 && threads <= 256, "1 to 256 threads");
  o->threads = threads;
  return 0;
}

int avis_lda_options_set_seed(avis_lda_options *o, uint64_t seed) {
  NEED(1, "avis_lda_options_set_seed: NULL options");
  o->seed = seed;
  return 0;
}

int avis_lda_options_set_vocabulary(avis_lda_options *o, unsigned min_df,
                                    double max_df_share, unsigned max_terms) {
  NEED(max_df_share > 0 && max_df_share <= 1, "max_df_share must be in (0, 1]");
  o->min_df = min_df;
  o->max_df_share = max_df_share;
  o->max_terms = max_terms;
  return 0;
}

int avis_lda_options_set_seed_words(avis_lda_options *o, const char *path,
                                    unsigned weight) {
  NEED(path, "avis_lda_options_set_seed_words: NULL argument");
  avis_train_options *t;
  int rc = avis_train_options_new(&t, AVIS_CLASSIFIER_TOPICS);
  if (!rc && (rc = avis_train_options_set_topics(t, path)) != 0)
    avis_train_options_free(t);
  if (rc)
    return rc;
  avis_train_options_free(o->seed_topics);
  o->seed_topics = t;
  o->seed_weight = weight;
  return 0;
}

int avis_lda_options_set_pruning(avis_lda_options *o, unsigned min_count,
                                 unsigned top_words) {
  NEED(1, "avis_lda_options_set_pruning: NULL options");
  o->min_count = min_count;
  o->top_words = top_words;
  return 0;
}

static int set_text(char **dst, const char *s) {
  char *copy = NULL;
  if (s && !(copy = malloc(strlen(s) + 1)))
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  if (copy)
    strcpy(copy, s);
  free(*dst);
  *dst = copy;
  return 0;
}

int avis_lda_options_set_provenance(avis_lda_options *o, const char *command,
                                    const char *data, const char *date) {
  NEED(1, "avis_lda_options_set_provenance: NULL options");
  int rc = set_text(&o->command, command);
  if (!rc)
    rc = set_text(&o->data, data);
  if (!rc)
    rc = set_text(&o->date, date);
  return rc;
}

int avis_lda_options_set_progress(avis_lda_options *o,
                                  void (*fn)(void *, const char *), void *user) {
  NEED(1, "avis_lda_options_set_progress: NULL options");
  o->progress = fn;
  o->progress_user = user;
  return 0;
}

/* ---- Vocabulary and token arrays ----------------------------------------- */

/* map[corpus term] = model term, or AVIS_TERM_BREAK when dropped. */
typedef struct {
  uint32_t *map;
  uint32_t *corpus_id; /* nterms: the corpus term of each model term */
  uint32_t nterms;
} vocabulary;

static void vocabulary_release(vocabulary *v) {
  free(v->map);
  free(v->corpus_id);
}

typedef struct {
  uint32_t df, id;
} term_df;

static int by_df_desc(const void *a, const void *b) {
  const term_df *x = a, *y = b;
  if (x->df != y->df)
    return x->df < y->df ? 1 : -1;
  return (x->id > y->id) - (x->id < y->id);
}

static int by_id(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

/* Terms in min_df documents or more and in at most max_df_share of them;
 * with max_terms, the most widespread of those, kept in corpus order. */
static int choose_vocabulary(const avis_corpus *c, const avis_lda_options *o,
                             vocabulary *v) {
  memset(v, 0, sizeof *v);
  size_t n = c->terms.count, ndocs = avis_corpus_doc_count(c);
  const uint32_t *df = c->df.data;
  double max_df = o->max_df_share * (double)ndocs;
  v->map = malloc((n + 1) * sizeof *v->map);
  v->corpus_id = malloc((n + 1) * sizeof *v->corpus_id);
  term_df *r = malloc((n + 1) * sizeof *r);
  if (!v->map || !v->corpus_id || !r) {
    free(r);
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  }
  uint32_t kept = 0;
  for (uint32_t t = 0; t < n; t++)
    if (df[t] >= o->min_df && df[t] <= max_df)
      r[kept++] = (term_df){df[t], t};
  if (o->max_terms && kept > o->max_terms) {
    qsort(r, kept, sizeof *r, by_df_desc);
    kept = o->max_terms;
  }
  for (uint32_t i = 0; i < kept; i++)
    v->corpus_id[i] = r[i].id;
  free(r);
  qsort(v->corpus_id, kept, sizeof *v->corpus_id, by_id);
  for (uint32_t t = 0; t < n; t++)
    v->map[t] = AVIS_TERM_BREAK;
  for (uint32_t i = 0; i < kept; i++)
    v->map[v->corpus_id[i]] = i;
  v->nterms = kept;
  return 0;
}

int avis_lda_export_tokens(const avis_corpus *c, const avis_lda_options *o,
                           const char *path) {
  if (!c || !o || !path)
    return avis_fail(AVIS_ERR_ARG, "avis_lda_export_tokens: NULL argument");
  vocabulary v;
  int rc = choose_vocabulary(c, o, &v);
  if (rc)
    return rc;
  FILE *f = fopen(path, "wb");
  if (!f) {
    vocabulary_release(&v);
    return avis_fail(AVIS_ERR_IO, "%s: cannot write", path);
  }
  for (size_t d = 0; d < avis_corpus_doc_count(c); d++) {
    size_t n, written = 0, len;
    const uint32_t *seq = avis_corpus_doc(c, d, &n);
    for (size_t i = 0; i < n; i++) {
      if (seq[i] == AVIS_TERM_BREAK || v.map[seq[i]] == AVIS_TERM_BREAK)
        continue;
      const char *s = avis_corpus_term(c, seq[i], &len);
      if (written++)
        fputc(' ', f);
      fwrite(s, 1, len, f);
    }
    if (written)
      fputc('\n', f);
  }
  vocabulary_release(&v);
  if (ferror(f) | fclose(f))
    return avis_fail(AVIS_ERR_IO, "%s: write error", path);
  return 0;
}

/* ---- The sampler's state ---------------------------------------------------- */

/* A token is (term << bits) | topic, 4 bytes; a term's topic counts are a
 * row of K packed words (count << bits) | topic, sorted by decreasing
 * count, ended by 0 (MALLET's layout), so that the word bucket walks only
 * the topics the term has, heaviest first. */
typedef struct trainer trainer;

typedef struct {
  trainer *t;
  unsigned id;
  size_t d0, d1;          /* documents [d0, d1) */
  uint32_t *rows;         /* V rows of K packed counts: this thread's copy */
  uint32_t *nk;           /* K: this thread's topic sizes */
  double *inv;            /* K: 1 / (n_k + V beta) */
  double *coef;           /* K: (alpha_k + n_dk) / (n_k + V beta) */
  uint32_t *ndk;          /* K: counts of the current document */
  uint16_t *dtopics;      /* topics of the current document */
  double *qv;             /* K: word-bucket terms */
  uint32_t w0, w1;        /* words [w0, w1) this thread merges */
  int64_t *merged;        /* K: merge scratch */
  uint32_t *packed, *seen;
  gsl_rng *rng;
} worker;

struct trainer {
  const avis_lda_options *o;
  uint32_t k, v, bits, mask;
  double beta, vbeta;
  double *alpha;
  double alpha_sum;
  uint32_t *tok;          /* N tokens */
  size_t ntok;
  size_t *doc;            /* ndocs + 1 */
  size_t ndocs, max_doc_len;
  uint32_t *counts;       /* V x K merged counts */
  uint32_t *nk;           /* K merged sizes */
  uint32_t *extra;        /* V x K seed pseudo-counts, or NULL */
  worker *w;
  unsigned nthreads;
  vocabulary vocab;
};

static void say(const trainer *t, const char *fmt, ...) AVIS_PRINTF(2, 3);
static void say(const trainer *t, const char *fmt, ...) {
  if (!t->o->progress)
    return;
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  t->o->progress(t->o->progress_user, line);
}

static int build_tokens(trainer *t, const avis_corpus *c) {
  size_t total = 0, ndocs = avis_corpus_doc_count(c);
  for (size_t d = 0; d < ndocs; d++) {
    size_t n;
    const uint32_t *seq = avis_corpus_doc(c, d, &n);
    for (size_t i = 0; i < n; i++)
      total += seq[i] != AVIS_TERM_BREAK && t->vocab.map[seq[i]] != AVIS_TERM_BREAK;
  }
  t->tok = malloc((total + 1) * sizeof *t->tok);
  t->doc = malloc((ndocs + 1) * sizeof *t->doc);
  if (!t->tok || !t->doc)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory for %zu tokens", total);
  t->ntok = 0;
  t->ndocs = 0;
  t->doc[0] = 0;
  for (size_t d = 0; d < ndocs; d++) {
    size_t n;
    const uint32_t *seq = avis_corpus_doc(c, d, &n);
    for (size_t i = 0; i < n; i++)
      if (seq[i] != AVIS_TERM_BREAK && t->vocab.map[seq[i]] != AVIS_TERM_BREAK)
        t->tok[t->ntok++] = t->vocab.map[seq[i]] << t->bits;
    if (t->ntok > t->doc[t->ndocs]) {
      size_t len = t->ntok - t->doc[t->ndocs];
      if (len > t->max_doc_len)
        t->max_doc_len = len;
      t->doc[++t->ndocs] = t->ntok;
    }
  }
  return 0;
}

/* Seed words: their pseudo-counts in their topic, and the topic their
 * tokens start in. */
static int map_seed_words(trainer *t, const avis_corpus *c, uint32_t *seed_of) {
  const avis_train_options *st = t->o->seed_topics;
  uint32_t weight = t->o->seed_weight;
  if (!weight)
    weight = (uint32_t)(t->ntok / ((size_t)t->k * 1000)) + 1;
  t->extra = calloc((size_t)t->v * t->k, sizeof *t->extra);
  if (!t->extra)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  avis_term_reader r;
  int rc = avis_term_reader_init(&r, c->reader.stopwords);
  r.forms = c->reader.forms;
  for (size_t i = 0; !rc && i < st->ntopics && i < t->k; i++) {
    const avis_topic_def *def = &st->topics[i];
    const char *word = def->seeds.data;
    size_t known = 0;
    for (size_t s = 0; s < def->nseeds; s++, word += strlen(word) + 1) {
      const char *term = word;
      size_t len = strlen(word);
      if (c->kind != AVIS_TERMS_TOKENS) {
        if (avis_term_reader_read(&r, word, len) != 0 || r.terms.len != 1)
          continue;
        const avis_term *tm = r.terms.data;
        term = r.strings.data + tm->off;
        len = tm->len;
      }
      uint32_t id;
      if (!avis_strmap_get(&c->terms, term, len, &id) ||
          t->vocab.map[id] == AVIS_TERM_BREAK)
        continue;
      id = t->vocab.map[id];
      t->extra[(size_t)id * t->k + i] += weight;
      if (seed_of[id] == UINT32_MAX)
        seed_of[id] = (uint32_t)i;
      known++;
    }
    say(t, "topic %zu (%s): %zu of %zu seed words in the vocabulary, "
        "weight %u", i, def->id, known, def->nseeds, weight);
  }
  avis_term_reader_release(&r);
  return rc;
}

/* ---- Merging counts -------------------------------------------------------- */

static void count_tokens(trainer *t) {
  size_t vk = (size_t)t->v * t->k;
  if (t->extra)
    memcpy(t->counts, t->extra, vk * sizeof *t->counts);
  else
    memset(t->counts, 0, vk * sizeof *t->counts);
  memset(t->nk, 0, t->k * sizeof *t->nk);
  for (size_t i = 0; i < t->ntok; i++) {
    uint32_t x = t->tok[i];
    t->counts[(size_t)(x >> t->bits) * t->k + (x & t->mask)]++;
    t->nk[x & t->mask]++;
  }
  for (size_t i = 0; t->extra && i < vk; i += t->k)
    for (uint32_t j = 0; j < t->k; j++)
      t->nk[j] += t->extra[i + j];
}

static void sort_row_desc(uint32_t *row, size_t n) {
  for (size_t i = 1; i < n; i++) {
    uint32_t x = row[i];
    size_t j = i;
    while (j > 0 && row[j - 1] < x) {
      row[j] = row[j - 1];
      j--;
    }
    row[j] = x;
  }
}

/* The counts become every thread's copy. */
static void share_counts(trainer *t) {
  uint32_t *rows = t->w[0].rows;
  for (uint32_t w = 0; w < t->v; w++) {
    uint32_t *row = rows + (size_t)w * t->k;
    const uint32_t *c = t->counts + (size_t)w * t->k;
    size_t n = 0;
    for (uint32_t j = 0; j < t->k; j++)
      if (c[j])
        row[n++] = c[j] << t->bits | j;
    sort_row_desc(row, n);
    if (n < t->k)
      memset(row + n, 0, (t->k - n) * sizeof *row);
  }
  for (unsigned i = 0; i < t->nthreads; i++) {
    if (i > 0)
      memcpy(t->w[i].rows, rows, (size_t)t->v * t->k * sizeof *rows);
    memcpy(t->w[i].nk, t->nk, t->k * sizeof *t->nk);
  }
}

static void merge(trainer *t) {
  count_tokens(t);
  share_counts(t);
}

/* ---- Sampling ----------------------------------------------------------------- */

static void row_decrement(uint32_t *row, uint32_t k, uint32_t bits,
                          uint32_t mask, uint32_t topic) {
  uint32_t j = 0;
  while ((row[j] & mask) != topic)
    j++;
  uint32_t c = (row[j] >> bits) - 1;
  if (c == 0) {
    for (; j + 1 < k && row[j + 1]; j++)
      row[j] = row[j + 1];
    row[j] = 0;
    return;
  }
  row[j] = c << bits | topic;
  for (; j + 1 < k && row[j + 1] > row[j]; j++) {
    uint32_t x = row[j];
    row[j] = row[j + 1];
    row[j + 1] = x;
  }
}

/* `at` is the topic's position when known, else k. */
static void row_increment(uint32_t *row, uint32_t k, uint32_t bits,
                          uint32_t mask, uint32_t topic, uint32_t at) {
  uint32_t j = at;
  if (j >= k)
    for (j = 0; row[j] && (row[j] & mask) != topic; j++)
      ;
  row[j] = row[j] ? row[j] + (1u << bits) : 1u << bits | topic;
  for (; j > 0 && row[j] > row[j - 1]; j--) {
    uint32_t x = row[j];
    row[j] = row[j - 1];
    row[j - 1] = x;
  }
}

/* Per-topic inverse denominators 1 / (n_k + V beta), the word-bucket
 * coefficients at document boundaries, and the smoothing-only mass
 * s = sum of alpha_k beta / (n_k + V beta). */
static double reset_topic_terms(const trainer *t, worker *w) {
  double s = 0;
  for (uint32_t j = 0; j < t->k; j++) {
    w->inv[j] = 1.0 / (w->nk[j] + t->vbeta);
    w->coef[j] = t->alpha[j] * w->inv[j];
    s += t->alpha[j] * t->beta * w->inv[j];
  }
  return s;
}

/* Moves topic j's count in the current document and in the thread's
 * topic sizes by `delta`, keeping s, r and the coefficients in step. */
static inline void shift_topic(const trainer *t, worker *w, uint32_t j,
                               int delta, double *s, double *r) {
  double ab = t->alpha[j] * t->beta, before = w->inv[j];
  *s -= ab * before;
  *r -= w->ndk[j] * t->beta * before;
  w->ndk[j] += (uint32_t)delta;
  w->nk[j] += (uint32_t)delta;
  double inv = w->inv[j] = 1.0 / (w->nk[j] + t->vbeta);
  *s += ab * inv;
  *r += w->ndk[j] * t->beta * inv;
  w->coef[j] = (t->alpha[j] + w->ndk[j]) * inv;
}

/* Draws a new topic for `word` with the token itself removed from the
 * counts; `at` gets its position in the row when drawn from the word
 * bucket, else k. */
static uint32_t draw_topic(const trainer *t, worker *w, const uint32_t *row,
                           size_t ndt, double s, double r, uint32_t *at) {
  const uint32_t k = t->k, bits = t->bits, mask = t->mask;
  double q = 0, *qv = w->qv;
  uint32_t len = 0;
  for (; len < k && row[len]; len++)
    q += qv[len] = w->coef[row[len] & mask] * (row[len] >> bits);
  double u = gsl_rng_uniform(w->rng) * (s + r + q);
  *at = k;
  if (u < q) {
    uint32_t j = 0;
    while (j + 1 < len && (u -= qv[j]) > 0)
      j++;
    *at = j;
    return row[j] & mask;
  }
  if ((u -= q) < r && ndt > 0) {
    u /= t->beta;
    size_t p = 0;
    while (p + 1 < ndt &&
           (u -= w->ndk[w->dtopics[p]] * w->inv[w->dtopics[p]]) > 0)
      p++;
    return w->dtopics[p];
  }
  u = (u - r) / t->beta;
  uint32_t j = 0;
  while (j + 1 < k && (u -= t->alpha[j] * w->inv[j]) > 0)
    j++;
  return j;
}

#define PREFETCH_AHEAD 8

/* A row's first two cache lines hold its 32 heaviest topics. */
static inline void prefetch_row(const uint32_t *row, uint32_t k) {
#if defined(__GNUC__)
  __builtin_prefetch(row);
  if (k > 16)
    __builtin_prefetch(row + 16);
#else
  (void)row;
  (void)k;
#endif
}

/* One Gibbs pass over document d. */
static void sample_doc(trainer *t, worker *w, size_t d, double *s_mass) {
  const uint32_t k = t->k, bits = t->bits, mask = t->mask;
  uint32_t *tok = t->tok + t->doc[d];
  /* The prefetch reads ahead no further than this worker's documents: the
   * tokens after them are another thread's to rewrite. */
  const uint32_t *end = t->tok + t->doc[w->d1];
  size_t n = t->doc[d + 1] - t->doc[d], ndt = 0;
  double s = *s_mass, r = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t z = tok[i] & mask;
    if (w->ndk[z]++ == 0)
      w->dtopics[ndt++] = (uint16_t)z;
  }
  for (size_t i = 0; i < ndt; i++) {
    uint32_t z = w->dtopics[i];
    r += w->ndk[z] * t->beta * w->inv[z];
    w->coef[z] = (t->alpha[z] + w->ndk[z]) * w->inv[z];
  }
  for (size_t i = 0; i < n; i++) {
    uint32_t word = tok[i] >> bits, old = tok[i] & mask;
    uint32_t *row = w->rows + (size_t)word * k;
    /* The row of a word a few tokens ahead is fetched while this one is
     * sampled: the row's cache miss is most of a draw's cost. */
    if (tok + i + PREFETCH_AHEAD < end)
      prefetch_row(w->rows + (size_t)(tok[i + PREFETCH_AHEAD] >> bits) * k, k);
    shift_topic(t, w, old, -1, &s, &r);
    if (w->ndk[old] == 0) {
      size_t p = 0;
      while (w->dtopics[p] != old)
        p++;
      w->dtopics[p] = w->dtopics[--ndt];
    }
    row_decrement(row, k, bits, mask, old);
    uint32_t at, nt = draw_topic(t, w, row, ndt, s, r, &at);
    if (w->ndk[nt] == 0)
      w->dtopics[ndt++] = (uint16_t)nt;
    shift_topic(t, w, nt, +1, &s, &r);
    row_increment(row, k, bits, mask, nt, at);
    tok[i] = word << bits | nt;
  }
  for (size_t i = 0; i < ndt; i++) {
    uint32_t z = w->dtopics[i];
    w->ndk[z] = 0;
    w->coef[z] = t->alpha[z] * w->inv[z];
  }
  *s_mass = s;
}

static void *sample_range(void *arg) {
  worker *w = arg;
  trainer *t = w->t;
  double s = reset_topic_terms(t, w);
  for (size_t d = w->d0; d < w->d1; d++) {
    sample_doc(t, w, d, &s);
    if ((d - w->d0) % 256 == 255)
      s = reset_topic_terms(t, w); /* against rounding drift */
  }
  return NULL;
}

/* Random initial topics, except that seed words start in their topic. */
static int init_topics(trainer *t, const avis_corpus *c) {
  uint32_t *seed_of = malloc(((size_t)t->v + 1) * sizeof *seed_of);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  int rc = seed_of && rng ? 0 : avis_fail(AVIS_ERR_NOMEM, "out of memory");
  for (uint32_t i = 0; !rc && i < t->v; i++)
    seed_of[i] = UINT32_MAX;
  if (!rc && t->o->seed_topics)
    rc = map_seed_words(t, c, seed_of);
  if (!rc) {
    gsl_rng_set(rng, (unsigned long)t->o->seed);
    for (size_t i = 0; i < t->ntok; i++) {
      uint32_t w = t->tok[i] >> t->bits;
      uint32_t z = seed_of[w] != UINT32_MAX
                       ? seed_of[w]
                       : (uint32_t)gsl_rng_uniform_int(rng, t->k);
      t->tok[i] = w << t->bits | z;
    }
    merge(t);
  }
  free(seed_of);
  gsl_rng_free(rng);
  return rc;
}

/* One word's merged counts after a sweep: each thread's row holds the
 * previous merged counts plus its own changes, so the new counts are the
 * sum of the rows minus (threads - 1) times the previous ones. The new row
 * starts from the first thread's order, nearly sorted already. */
static void merge_word(trainer *t, worker *w, uint32_t word) {
  const uint32_t k = t->k, bits = t->bits, mask = t->mask;
  uint32_t *prev = t->counts + (size_t)word * k;
  int64_t *m = w->merged;
  for (uint32_t j = 0; j < k; j++)
    m[j] = -(int64_t)(t->nthreads - 1) * prev[j];
  for (unsigned i = 0; i < t->nthreads; i++) {
    const uint32_t *row = t->w[i].rows + (size_t)word * k;
    for (uint32_t e = 0; e < k && row[e]; e++)
      m[row[e] & mask] += row[e] >> bits;
  }
  const uint32_t *first = t->w[0].rows + (size_t)word * k;
  uint32_t n = 0;
  for (uint32_t e = 0; e < k && first[e]; e++) {
    uint32_t j = first[e] & mask;
    w->seen[j] = 1;
    if (m[j] > 0)
      w->packed[n++] = (uint32_t)m[j] << bits | j;
  }
  for (uint32_t j = 0; j < k; j++) {
    if (m[j] > 0 && !w->seen[j])
      w->packed[n++] = (uint32_t)m[j] << bits | j;
    prev[j] = (uint32_t)m[j];
  }
  for (uint32_t e = 0; e < k && first[e]; e++)
    w->seen[first[e] & mask] = 0;
  sort_row_desc(w->packed, n);
  for (unsigned i = 0; i < t->nthreads; i++) {
    uint32_t *row = t->w[i].rows + (size_t)word * k;
    memcpy(row, w->packed, n * sizeof *row);
    memset(row + n, 0, (k - n) * sizeof *row);
  }
}

static void *merge_words(void *arg) {
  worker *w = arg;
  for (uint32_t word = w->w0; word < w->w1; word++)
    merge_word(w->t, w, word);
  return NULL;
}

/* Runs fn on every worker, each in its own thread. */
static int on_every_worker(trainer *t, void *(*fn)(void *)) {
  pthread_t *th = malloc(t->nthreads * sizeof *th);
  if (!th)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  unsigned started = 0;
  for (; started < t->nthreads; started++)
    if (pthread_create(&th[started], NULL, fn, &t->w[started]) != 0)
      break;
  for (unsigned i = 0; i < started; i++)
    pthread_join(th[i], NULL);
  free(th);
  return started < t->nthreads
             ? avis_fail(AVIS_ERR_NOMEM, "cannot start a sampling thread") : 0;
}

/* A sweep on every thread, then the counts merged (in parallel, by word). */
static int sweep(trainer *t) {
  if (t->nthreads == 1) {
    sample_range(&t->w[0]);
    return 0;
  }
  int rc = on_every_worker(t, sample_range);
  if (!rc)
    rc = on_every_worker(t, merge_words);
  if (rc)
    return rc;
  for (uint32_t j = 0; j < t->k; j++) {
    int64_t n = -(int64_t)(t->nthreads - 1) * t->nk[j];
    for (unsigned i = 0; i < t->nthreads; i++)
      n += t->w[i].nk[j];
    t->nk[j] = (uint32_t)n;
  }
  for (unsigned i = 0; i < t->nthreads; i++)
    memcpy(t->w[i].nk, t->nk, t->k * sizeof *t->nk);
  return 0;
}

/* ---- Prior optimisation and likelihood ---------------------------------------- */

/* Minka's fixed-point iteration for a Dirichlet's parameters from
 * histograms: hist[j][c] documents have c tokens in topic j, len_hist[n]
 * documents have n tokens (MALLET's Dirichlet.learnParameters, with its
 * Gamma(1.001, 1) hyper-prior). */
static void learn_alpha(trainer *t, const uint32_t *hist, const uint32_t *len_hist,
                        const uint32_t *max_count) {
  size_t width = t->max_doc_len + 1;
  for (int it = 0; it < 200; it++) {
    double denom = 0, dig = 0;
    for (size_t n = 1; n < width; n++) {
      dig += 1.0 / (t->alpha_sum + n - 1);
      denom += len_hist[n] * dig;
    }
    denom -= 1.0;
    double sum = 0;
    for (uint32_t j = 0; j < t->k; j++) {
      double old = t->alpha[j], num = 0;
      dig = 0;
      for (size_t c = 1; c <= max_count[j]; c++) {
        dig += 1.0 / (old + c - 1);
        num += hist[j * width + c] * dig;
      }
      t->alpha[j] = (old * num + 0.001) / denom;
      if (!(t->alpha[j] > 1e-10))
        t->alpha[j] = 1e-10;
      sum += t->alpha[j];
    }
    t->alpha_sum = sum;
  }
}

static int optimize_alpha(trainer *t) {
  size_t width = t->max_doc_len + 1;
  uint32_t *hist = calloc(t->k * width, sizeof *hist);
  uint32_t *len_hist = calloc(width, sizeof *len_hist);
  uint32_t *max_count = calloc(t->k, sizeof *max_count);
  uint32_t *ndk = calloc(t->k, sizeof *ndk);
  int rc = hist && len_hist && max_count && ndk ? 0 : AVIS_ERR_NOMEM;
  for (size_t d = 0; !rc && d < t->ndocs; d++) {
    for (size_t i = t->doc[d]; i < t->doc[d + 1]; i++)
      ndk[t->tok[i] & t->mask]++;
    len_hist[t->doc[d + 1] - t->doc[d]]++;
    for (uint32_t j = 0; j < t->k; j++)
      if (ndk[j]) {
        hist[j * width + ndk[j]]++;
        if (ndk[j] > max_count[j])
          max_count[j] = ndk[j];
        ndk[j] = 0;
      }
  }
  if (!rc)
    learn_alpha(t, hist, len_hist, max_count);
  free(hist);
  free(len_hist);
  free(max_count);
  free(ndk);
  return rc ? avis_fail(rc, "out of memory") : 0;
}

/* log p(w, z) per token under the current counts (the collapsed joint). */
static double log_likelihood(const trainer *t) {
  double ll = 0, lg_beta = gsl_sf_lngamma(t->beta);
  uint32_t *ndk = calloc(t->k, sizeof *ndk);
  if (!ndk)
    return NAN;
  for (size_t d = 0; d < t->ndocs; d++) {
    for (size_t i = t->doc[d]; i < t->doc[d + 1]; i++)
      ndk[t->tok[i] & t->mask]++;
    for (uint32_t j = 0; j < t->k; j++)
      if (ndk[j]) {
        ll += gsl_sf_lngamma(t->alpha[j] + ndk[j]) - gsl_sf_lngamma(t->alpha[j]);
        ndk[j] = 0;
      }
    ll -= gsl_sf_lngamma(t->alpha_sum + (double)(t->doc[d + 1] - t->doc[d])) -
          gsl_sf_lngamma(t->alpha_sum);
  }
  free(ndk);
  for (size_t i = 0; i < (size_t)t->v * t->k; i++)
    if (t->counts[i])
      ll += gsl_sf_lngamma(t->beta + t->counts[i]) - lg_beta;
  for (uint32_t j = 0; j < t->k; j++)
    ll -= gsl_sf_lngamma(t->vbeta + t->nk[j]) - gsl_sf_lngamma(t->vbeta);
  return ll / (double)(t->ntok ? t->ntok : 1);
}

/* ---- Setup and the training loop --------------------------------------------- */

static void trainer_release(trainer *t) {
  for (unsigned i = 0; t->w && i < t->nthreads; i++) {
    free(t->w[i].rows);
    free(t->w[i].nk);
    free(t->w[i].inv);
    free(t->w[i].coef);
    free(t->w[i].ndk);
    free(t->w[i].dtopics);
    free(t->w[i].qv);
    free(t->w[i].merged);
    free(t->w[i].packed);
    free(t->w[i].seen);
    if (t->w[i].rng)
      gsl_rng_free(t->w[i].rng);
  }
  free(t->w);
  free(t->alpha);
  free(t->tok);
  free(t->doc);
  free(t->counts);
  free(t->nk);
  free(t->extra);
  vocabulary_release(&t->vocab);
}

/* Contiguous ranges of documents with about the same number of tokens. */
static void split_documents(trainer *t) {
  size_t d = 0;
  for (unsigned i = 0; i < t->nthreads; i++) {
    t->w[i].d0 = d;
    size_t goal = t->ntok / t->nthreads * (i + 1);
    while (d < t->ndocs && (t->doc[d] < goal || i + 1 == t->nthreads))
      d++;
    t->w[i].d1 = d;
  }
}

static int make_workers(trainer *t) {
  t->w = calloc(t->nthreads, sizeof *t->w);
  if (!t->w)
    return AVIS_ERR_NOMEM;
  size_t vk = (size_t)t->v * t->k;
  for (unsigned i = 0; i < t->nthreads; i++) {
    worker *w = &t->w[i];
    w->t = t;
    w->id = i;
    w->rows = malloc((vk + 1) * sizeof *w->rows);
    w->nk = malloc(t->k * sizeof *w->nk);
    w->inv = malloc(t->k * sizeof *w->inv);
    w->coef = malloc(t->k * sizeof *w->coef);
    w->ndk = calloc(t->k, sizeof *w->ndk);
    w->dtopics = malloc(t->k * sizeof *w->dtopics);
    w->qv = malloc(t->k * sizeof *w->qv);
    w->merged = malloc(t->k * sizeof *w->merged);
    w->packed = malloc(t->k * sizeof *w->packed);
    w->seen = calloc(t->k, sizeof *w->seen);
    w->w0 = (uint32_t)((uint64_t)t->v * i / t->nthreads);
    w->w1 = (uint32_t)((uint64_t)t->v * (i + 1) / t->nthreads);
    w->rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!w->merged || !w->packed || !w->seen ||
        !w->rows || !w->nk || !w->inv || !w->coef || !w->ndk || !w->dtopics || !w->qv ||
        !w->rng)
      return AVIS_ERR_NOMEM;
    gsl_rng_set(w->rng, (unsigned long)(t->o->seed * 1000003u + i + 1));
  }
  split_documents(t);
  return 0;
}

static uint32_t bits_for(uint32_t k) {
  uint32_t b = 1;
  while ((1u << b) < k)
    b++;
  return b;
}

static int setup(trainer *t, const avis_corpus *c, const avis_lda_options *o) {
  memset(t, 0, sizeof *t);
  t->o = o;
  t->k = o->k;
  t->bits = bits_for(o->k);
  t->mask = (1u << t->bits) - 1;
  t->beta = o->beta;
  t->nthreads = o->threads;
  int rc = choose_vocabulary(c, o, &t->vocab);
  if (rc)
    return rc;
  t->v = t->vocab.nterms;
  if (t->v == 0)
    return avis_fail(AVIS_ERR_EMPTY, "no term is frequent enough to train on "
                     "(%zu documents)", avis_corpus_doc_count(c));
  if (t->v > (UINT32_MAX >> t->bits))
    return avis_fail(AVIS_ERR_TOO_LARGE, "%u terms: too many for %u topics",
                     t->v, t->k);
  t->vbeta = t->v * t->beta;
  if ((rc = build_tokens(t, c)) != 0)
    return rc;
  if (t->ntok >= (size_t)(UINT32_MAX >> t->bits))
    return avis_fail(AVIS_ERR_TOO_LARGE, "%zu tokens: too many for %u topics",
                     t->ntok, t->k);
  if (t->nthreads > t->ndocs)
    t->nthreads = t->ndocs ? (unsigned)t->ndocs : 1;
  t->alpha = malloc(t->k * sizeof *t->alpha);
  t->counts = malloc(((size_t)t->v * t->k + 1) * sizeof *t->counts);
  t->nk = malloc(t->k * sizeof *t->nk);
  if (!t->alpha || !t->counts || !t->nk || make_workers(t))
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  for (uint32_t j = 0; j < t->k; j++)
    t->alpha[j] = o->alpha_total / t->k;
  t->alpha_sum = o->alpha_total;
  say(t, "%zu documents, %zu tokens, %u terms, %u topics, %u threads",
      t->ndocs, t->ntok, t->v, t->k, t->nthreads);
  return init_topics(t, c);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int run(trainer *t) {
  const avis_lda_options *o = t->o;
  for (unsigned it = 1; it <= o->iterations; it++) {
    double start = now();
    int rc = sweep(t);
    if (rc)
      return rc;
    if (o->opt_interval && it > o->opt_burn_in && it % o->opt_interval == 0 &&
        (rc = optimize_alpha(t)) != 0)
      return rc;
    double secs = now() - start;
    if (it % 10 == 0 || it == o->iterations) {
      if (t->nthreads == 1)
        count_tokens(t);
      char ll[32];
      avis_format_fixed(ll, sizeof ll, log_likelihood(t), 4);
      say(t, "iteration %u/%u  %.2fM tokens/s  log-likelihood/token %s  "
          "alpha sum %.3f", it, o->iterations, t->ntok / secs / 1e6, ll,
          t->alpha_sum);
    } else {
      say(t, "iteration %u/%u  %.2fM tokens/s", it, o->iterations,
          t->ntok / secs / 1e6);
    }
  }
  count_tokens(t);
  return 0;
}

static int provenance_text(const avis_lda_options *o, const trainer *t,
                           avis_buf *b) {
  char line[512];
  snprintf(line, sizeof line,
           "command: %s\ndata: %s\ndate: %s\nmethod: collapsed Gibbs "
           "(SparseLDA), %u iterations, %u threads, seed %llu\npriors: alpha "
           "total %g%s, beta %g\nvocabulary: min_df %u, max_df_share %g, "
           "max_terms %u\n",
           o->command ? o->command : "", o->data ? o->data : "",
           o->date ? o->date : "", o->iterations, t->nthreads,
           (unsigned long long)o->seed, o->alpha_total,
           o->opt_interval ? " (optimised)" : "", o->beta, o->min_df,
           o->max_df_share, o->max_terms);
  return avis_buf_append(b, line, strlen(line));
}

static int build_model(trainer *t, const avis_corpus *c, avis_lda **out) {
  const char **terms = malloc(((size_t)t->v + 1) * sizeof *terms);
  avis_buf prov = {0};
  if (!terms || provenance_text(t->o, t, &prov)) {
    free(terms);
    avis_buf_release(&prov);
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  }
  for (uint32_t i = 0; i < t->v; i++)
    terms[i] = avis_corpus_term(c, t->vocab.corpus_id[i], NULL);
  avis_lda_spec spec = {
      .k = t->k, .nterms = t->v, .terms_kind = c->kind, .beta = t->beta,
      .alpha = t->alpha, .counts = t->counts, .terms = terms,
      .min_count = t->o->min_count, .top_words = t->o->top_words,
      .provenance = prov.data};
  int rc = avis_lda_build(out, &spec);
  free(terms);
  avis_buf_release(&prov);
  return rc;
}

int avis_lda_train(avis_lda **out, const avis_corpus *c,
                   const avis_lda_options *o) {
  if (!out || !c || !o)
    return avis_fail(AVIS_ERR_ARG, "avis_lda_train: NULL argument");
  *out = NULL;
  trainer t;
  int rc = setup(&t, c, o);
  if (!rc)
    rc = run(&t);
  if (!rc)
    rc = build_model(&t, c, out);
  trainer_release(&t);
  return rc;
}
