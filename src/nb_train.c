/* Naive Bayes training (docs/topics.md):
 *  1. the topics: those of the seed file, then any other corpus label;
 *  2. the vocabulary: terms in at least min_df training documents;
 *  3. seed labelling: an unlabelled document whose seed words clearly point
 *     to one topic starts as that topic's (McCallum and Nigam 1999);
 *  4. cross-validation on the labelled documents chooses the smoothing and
 *     the variant (multinomial or complement), then fits the softmax scale
 *     and each topic's tagging threshold;
 *  5. EM over the unlabelled documents refines the counts;
 *  6. the model file is written and loaded back as the result. */
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "nb.h"

#define CV_SEED_SALT 0x5DEECE66DULL
#define MIN_CALIBRATION_DOCS 10
#define DEFAULT_THRESHOLD 0.25

static const double alpha_grid[] = {0.01, 0.03, 0.1, 0.3, 1.0};
#define NALPHA (sizeof alpha_grid / sizeof *alpha_grid)

typedef struct {
  const avis_corpus *c;
  const avis_train_options *o;
  size_t k;
  char **ids, **names;
  int bit_topic[AVIS_MAX_LABELS];
  size_t nd;
  size_t *docs;
  uint64_t *gold;       /* topic mask per training document */
  uint32_t nterms;
  uint32_t *map;        /* corpus term id -> vocabulary id or AVIS_TERM_BREAK */
  uint32_t *vocab;      /* vocabulary id -> corpus term id */
  uint64_t *seed_mask;  /* vocabulary id -> topics it is a seed of */
  avis_csr x;           /* raw counts of the training documents */
  float *f;             /* feature values, aligned with x.ids */
  double *p;            /* nd x k: how much each document counts for a topic */
  double *dw;           /* nd: document weight in the counts */
  unsigned *fold;       /* nd: cross-validation fold (labelled documents) */
  unsigned char *fixed; /* nd: seed-labelled with a topic only seeds teach */
  uint64_t seed_only;   /* topics without labelled documents */
  gsl_matrix **fold_counts; /* labelled counts per fold */
  gsl_matrix *seed_counts;  /* seed-labelled documents' counts */
  size_t nlabelled, nseeded, nunlabelled;
  int complement;
  double alpha, scale, cv_f1;
  double *threshold;
  float *w;             /* nterms x k weights */
  float *bias, *thr;    /* k */
} trainer;

static void say(const trainer *t, const char *fmt, ...) AVIS_PRINTF(2, 3);
static void say(const trainer *t, const char *fmt, ...) {
  if (!t->o->progress)
    return;
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  t->o->progress(t->o->progress_user, msg);
}

static const char *num(char *buf, double x, int decimals) {
  avis_format_fixed(buf, 32, x, decimals);
  return buf;
}

static char *dup_string(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  return p ? memcpy(p, s, n) : NULL;
}

/* ---- 1. Topics ----------------------------------------------------------- */

static int add_topic(trainer *t, const char *id, const char *name) {
  if (t->k >= AVIS_MAX_LABELS)
    return avis_fail(AVIS_ERR_ARG, "more than %d topics", AVIS_MAX_LABELS);
  t->ids[t->k] = dup_string(id);
  t->names[t->k] = dup_string(name);
  if (!t->ids[t->k] || !t->names[t->k])
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  t->k++;
  return 0;
}

static int init_topics(trainer *t) {
  const avis_train_options *o = t->o;
  t->ids = calloc(AVIS_MAX_LABELS, sizeof *t->ids);
  t->names = calloc(AVIS_MAX_LABELS, sizeof *t->names);
  if (!t->ids || !t->names)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  int rc = 0;
  for (size_t i = 0; !rc && i < o->ntopics; i++)
    rc = add_topic(t, o->topics[i].id, o->topics[i].name);
  for (size_t b = 0; !rc && b < t->c->labels.count; b++) {
    const char *label = avis_strmap_key(&t->c->labels, b, NULL);
    size_t i = 0;
    while (i < t->k && strcmp(t->ids[i], label) != 0)
      i++;
    if (i == t->k)
      rc = add_topic(t, label, label);
    t->bit_topic[b] = (int)i;
  }
  if (!rc && t->k < 2)
    rc = avis_fail(AVIS_ERR_ARG, "training needs at least two labels or "
                                 "topics (found %zu)", t->k);
  return rc;
}

/* ---- 2. Documents and vocabulary ------------------------------------------ */

static int select_docs(trainer *t) {
  size_t n = avis_corpus_doc_count(t->c);
  t->docs = malloc((n ? n : 1) * sizeof *t->docs);
  t->gold = calloc(n ? n : 1, sizeof *t->gold);
  if (!t->docs || !t->gold)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  for (size_t d = 0; d < n; d++) {
    if (t->o->holdout_folds &&
        avis_nb_fold(d, t->o->holdout_folds, t->o->seed) == t->o->holdout_fold)
      continue;
    uint64_t mask = avis_corpus_doc_label_mask(t->c, d), topics = 0;
    for (int b = 0; b < AVIS_MAX_LABELS; b++)
      if (mask >> b & 1)
        topics |= (uint64_t)1 << t->bit_topic[b];
    t->gold[t->nd] = topics;
    t->docs[t->nd++] = d;
    if (topics)
      t->nlabelled++;
  }
  if (t->nlabelled == 0)
    return avis_fail(AVIS_ERR_ARG, "no labelled document to train on");
  return 0;
}

typedef struct {
  const avis_corpus *c;
  const uint32_t *df;
} vocab_order;

static vocab_order sort_ctx; /* qsort has no context argument */

static int by_df_then_text(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  if (sort_ctx.df[x] != sort_ctx.df[y])
    return sort_ctx.df[x] > sort_ctx.df[y] ? -1 : 1;
  return strcmp(avis_corpus_term(sort_ctx.c, x, NULL),
                avis_corpus_term(sort_ctx.c, y, NULL));
}

static int by_text(const void *a, const void *b) {
  return strcmp(avis_corpus_term(sort_ctx.c, *(const uint32_t *)a, NULL),
                avis_corpus_term(sort_ctx.c, *(const uint32_t *)b, NULL));
}

/* Document frequencies over the training documents only. */
static uint32_t *training_df(const trainer *t, size_t nterms) {
  uint32_t *df = calloc(nterms ? nterms : 1, sizeof *df);
  uint32_t *last = calloc(nterms ? nterms : 1, sizeof *last);
  if (df && last)
    for (size_t i = 0; i < t->nd; i++) {
      size_t n;
      const uint32_t *seq = avis_corpus_doc(t->c, t->docs[i], &n);
      for (size_t j = 0; j < n; j++)
        if (seq[j] != AVIS_TERM_BREAK && last[seq[j]] != i + 1) {
          last[seq[j]] = (uint32_t)(i + 1);
          df[seq[j]]++;
        }
    }
  free(last);
  return df;
}

static int build_vocab(trainer *t) {
  size_t nterms = t->c->terms.count;
  uint32_t *df = training_df(t, nterms);
  t->map = malloc((nterms ? nterms : 1) * sizeof *t->map);
  t->vocab = malloc((nterms ? nterms : 1) * sizeof *t->vocab);
  if (!df || !t->map || !t->vocab) {
    free(df);
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  }
  uint32_t n = 0;
  for (uint32_t i = 0; i < nterms; i++)
    if (df[i] >= t->o->min_df)
      t->vocab[n++] = i;
  sort_ctx.c = t->c;
  sort_ctx.df = df;
  if (t->o->max_terms && n > t->o->max_terms) {
    qsort(t->vocab, n, sizeof *t->vocab, by_df_then_text);
    n = t->o->max_terms;
  }
  qsort(t->vocab, n, sizeof *t->vocab, by_text);
  free(df);
  for (size_t i = 0; i < nterms; i++)
    t->map[i] = AVIS_TERM_BREAK;
  for (uint32_t v = 0; v < n; v++)
    t->map[t->vocab[v]] = v;
  t->nterms = n;
  if (n == 0)
    return avis_fail(AVIS_ERR_ARG, "no term occurs in %u training documents",
                     t->o->min_df);
  return 0;
}

static int build_features(trainer *t) {
  int rc = avis_corpus_count(t->c, t->docs, t->nd, t->map, &t->x);
  if (rc)
    return rc;
  size_t nnz = t->x.row[t->nd];
  t->f = malloc((nnz ? nnz : 1) * sizeof *t->f);
  if (!t->f)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  memcpy(t->f, t->x.counts, nnz * sizeof *t->f);
  for (size_t i = 0; i < t->nd; i++)
    avis_nb_transform(t->f + t->x.row[i], t->x.row[i + 1] - t->x.row[i],
                      t->o->flags);
  return 0;
}

/* ---- 3. Seed words ------------------------------------------------------- */

static int map_seeds(trainer *t) {
  t->seed_mask = calloc(t->nterms, sizeof *t->seed_mask);
  if (!t->seed_mask)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  avis_term_reader r;
  int rc = avis_term_reader_init(&r, t->c->reader.stopwords);
  for (size_t i = 0; !rc && i < t->o->ntopics; i++) {
    const avis_topic_def *def = &t->o->topics[i];
    const char *word = def->seeds.data;
    size_t known = 0;
    for (size_t s = 0; !rc && s < def->nseeds; s++, word += strlen(word) + 1) {
      if (avis_term_reader_read(&r, word, strlen(word)) != 0 || r.terms.len != 1)
        continue;
      const avis_term *term = r.terms.data;
      uint32_t id;
      if (!avis_strmap_get(&t->c->terms, r.strings.data + term->off,
                           term->len, &id) || t->map[id] == AVIS_TERM_BREAK)
        continue;
      t->seed_mask[t->map[id]] |= (uint64_t)1 << i;
      known++;
    }
    if (def->nseeds)
      say(t, "topic %s: %zu of %zu seed words in the vocabulary", def->id,
          known, def->nseeds);
  }
  avis_term_reader_release(&r);
  return rc;
}

/* The topic among `candidates` that a document's seed words point to, or
 * -1 when they are too few or split between topics. */
static int seed_topic(const trainer *t, size_t i, uint64_t candidates,
                      double *hits) {
  for (size_t c = 0; c < t->k; c++)
    hits[c] = 0;
  for (size_t j = t->x.row[i]; j < t->x.row[i + 1]; j++) {
    uint64_t m = t->seed_mask[t->x.ids[j]];
    for (size_t c = 0; m; c++, m >>= 1)
      if (m & 1)
        hits[c] += t->x.counts[j];
  }
  double best_hits = 0, second_hits = 0;
  int best = -1;
  for (size_t c = 0; c < t->k; c++) {
    if (!(candidates >> c & 1))
      continue;
    if (hits[c] > best_hits) {
      second_hits = best_hits;
      best_hits = hits[c];
      best = (int)c;
    } else if (hits[c] > second_hits) {
      second_hits = hits[c];
    }
  }
  if (best_hits < t->o->min_seed_hits || best_hits < 2 * second_hits)
    return -1;
  return best;
}

static int init_assignments(trainer *t) {
  size_t k = t->k;
  t->p = calloc(t->nd * k, sizeof *t->p);
  t->dw = calloc(t->nd, sizeof *t->dw);
  t->fold = calloc(t->nd, sizeof *t->fold);
  t->fixed = calloc(t->nd, sizeof *t->fixed);
  double *hits = calloc(k, sizeof *hits);
  size_t *per_topic = calloc(k, sizeof *per_topic);
  if (!t->p || !t->dw || !t->fold || !t->fixed || !hits || !per_topic) {
    free(hits);
    free(per_topic);
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  }
  uint64_t all = k < 64 ? ((uint64_t)1 << k) - 1 : ~(uint64_t)0, labelled = 0;
  for (size_t i = 0; i < t->nd; i++)
    labelled |= t->gold[i];
  t->seed_only = all & ~labelled;
  for (size_t i = 0; i < t->nd; i++) {
    t->fold[i] = avis_nb_fold(t->docs[i], t->o->cv_folds,
                              t->o->seed ^ CV_SEED_SALT);
    double weight = avis_corpus_doc_weight(t->c, t->docs[i]);
    if (t->gold[i]) {
      t->dw[i] = weight;
      for (size_t c = 0; c < k; c++)
        t->p[i * k + c] = (double)(t->gold[i] >> c & 1);
      int s = t->seed_only ? seed_topic(t, i, t->seed_only, hits) : -1;
      if (s >= 0) {
        t->p[i * k + (size_t)s] = t->o->unlabelled_weight;
        per_topic[s]++;
      }
      continue;
    }
    t->nunlabelled++;
    int s = seed_topic(t, i, all, hits);
    if (s >= 0) {
      t->p[i * k + (size_t)s] = 1;
      t->dw[i] = weight * t->o->unlabelled_weight;
      t->fixed[i] = (unsigned char)(t->seed_only >> s & 1);
      t->nseeded++;
      per_topic[s]++;
    }
  }
  for (size_t c = 0; c < k; c++)
    if (per_topic[c])
      say(t, "seed words give %zu documents the topic %s%s", per_topic[c],
          t->ids[c], t->seed_only >> c & 1 ? " (known from seeds only)" : "");
  free(hits);
  free(per_topic);
  return 0;
}

/* ---- Counts and weights ---------------------------------------------------- */

/* Matrices are allocated here rather than by GSL, whose allocation failure
 * would call its error handler (by default, abort) instead of returning. */
static gsl_matrix *matrix_new(size_t rows, size_t cols) {
  size_t n = rows * cols;
  gsl_matrix *m = calloc(1, sizeof *m);
  double *data = calloc(n ? n : 1, sizeof *data);
  if (!m || !data) {
    free(m);
    free(data);
    return NULL;
  }
  m->size1 = rows;
  m->size2 = cols;
  m->tda = cols;
  m->data = data;
  return m;
}

static void matrix_free(gsl_matrix *m) {
  if (m)
    free(m->data);
  free(m);
}

static void add_doc_counts(const trainer *t, size_t i, double weight,
                           gsl_matrix *n) {
  for (size_t c = 0; c < t->k; c++) {
    double pc = weight * t->p[i * t->k + c];
    if (pc <= 0)
      continue;
    double *row = gsl_matrix_ptr(n, c, 0);
    for (size_t j = t->x.row[i]; j < t->x.row[i + 1]; j++)
      row[t->x.ids[j]] += pc * t->f[j];
  }
}

/* Multinomial: w = log P(term | topic). Complement (Rennie et al. 2003):
 * w = -log P(term | every other topic), which evens out topics with very
 * different amounts of text. Each term's weights are centred on their mean,
 * which changes no posterior and makes a weight read as "for this topic
 * rather than the others". */
static int weights_from_counts(const gsl_matrix *n, double alpha,
                               int complement, float *w) {
  size_t k = n->size1, v = n->size2;
  double *total_data = calloc(k, sizeof *total_data);
  if (!total_data)
    return -1;
  gsl_vector_view total_view = gsl_vector_view_array(total_data, k);
  gsl_vector *total = &total_view.vector;
  double all = 0;
  for (size_t c = 0; c < k; c++) {
    gsl_vector_const_view row = gsl_matrix_const_row(n, c);
    double s = 0;
    for (size_t j = 0; j < v; j++)
      s += gsl_vector_get(&row.vector, j);
    gsl_vector_set(total, c, s);
    all += s;
  }
  for (size_t j = 0; j < v; j++) {
    double col = 0, mean = 0;
    for (size_t c = 0; c < k; c++)
      col += gsl_matrix_get(n, c, j);
    float *out = w + j * k;
    for (size_t c = 0; c < k; c++) {
      double ncj = gsl_matrix_get(n, c, j), tc = gsl_vector_get(total, c);
      double x = complement
                     ? -(log(col - ncj + alpha) - log(all - tc + alpha * (double)v))
                     : log(ncj + alpha) - log(tc + alpha * (double)v);
      out[c] = (float)x;
      mean += x;
    }
    for (size_t c = 0; c < k; c++)
      out[c] = (float)(out[c] - mean / (double)k);
  }
  free(total_data);
  return 0;
}

static void make_scorer(const trainer *t, const float *w,
                        avis_nb_scorer *s) {
  memset(s, 0, sizeof *s);
  s->nlabels = (uint32_t)t->k;
  s->nterms = t->nterms;
  s->flags = t->o->flags;
  s->passage_terms = t->o->passage_terms;
  s->multi_label = t->o->kind == AVIS_CLASSIFIER_TOPICS;
  s->weights = w;
  s->bias = t->bias;
  s->threshold = t->thr;
  s->scale = t->scale;
  s->doc_weight = t->o->doc_weight;
  s->passage_win = t->o->passage_win;
  s->tag_floor = t->o->tag_floor;
}

static void score_doc(const trainer *t, const avis_nb_scorer *s, size_t i,
                      double *out) {
  size_t a = t->x.row[i];
  avis_nb_score_row(s, t->x.ids + a, t->f + a, t->x.row[i + 1] - a, out);
}

/* ---- 4. Cross-validation --------------------------------------------------- */

static int fold_matrices(trainer *t) {
  unsigned nf = t->o->cv_folds;
  t->fold_counts = calloc(nf, sizeof *t->fold_counts);
  t->seed_counts = matrix_new(t->k, t->nterms);
  if (!t->fold_counts || !t->seed_counts)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  for (unsigned f = 0; f < nf; f++)
    if (!(t->fold_counts[f] = matrix_new(t->k, t->nterms)))
      return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < t->nd; i++) {
    if (t->gold[i])
      add_doc_counts(t, i, t->dw[i], t->fold_counts[t->fold[i]]);
    else if (t->dw[i] > 0)
      add_doc_counts(t, i, t->dw[i], t->seed_counts);
  }
  return 0;
}

/* Seed words act as a prior: each adds a small share of its topic's mass
 * to its count, so that a topic learnt from few documents still listens to
 * the words that define it. */
static void add_seed_prior(const trainer *t, gsl_matrix *n) {
  if (t->o->seed_prior <= 0)
    return;
  for (size_t c = 0; c < t->k; c++) {
    gsl_vector_view row = gsl_matrix_row(n, c);
    double mass = 0;
    for (size_t j = 0; j < t->nterms; j++)
      mass += gsl_vector_get(&row.vector, j);
    double extra = t->o->seed_prior * mass;
    for (size_t j = 0; j < t->nterms; j++)
      if (t->seed_mask[j] >> c & 1)
        *gsl_vector_ptr(&row.vector, j) += extra;
  }
}

/* The counts of every labelled fold but `skip`, and the seed-labelled
 * documents. */
static void counts_without(const trainer *t, unsigned skip, gsl_matrix *out) {
  gsl_matrix_memcpy(out, t->seed_counts);
  for (unsigned f = 0; f < t->o->cv_folds; f++)
    if (f != skip)
      gsl_matrix_add(out, t->fold_counts[f]);
  add_seed_prior(t, out);
}

typedef struct {
  double *tp, *fp, *fn;
} confusion;

static double macro_f1(const trainer *t, const confusion *m) {
  double sum = 0;
  size_t n = 0;
  for (size_t c = 0; c < t->k; c++) {
    if (m->tp[c] + m->fn[c] == 0)
      continue;
    double d = 2 * m->tp[c] + m->fp[c] + m->fn[c];
    sum += d > 0 ? 2 * m->tp[c] / d : 0;
    n++;
  }
  return n ? sum / (double)n : 0;
}

static void tally(const trainer *t, size_t i, const double *scores,
                  confusion *m) {
  size_t best = 0;
  for (size_t c = 1; c < t->k; c++)
    if (scores[c] > scores[best])
      best = c;
  if (!(t->gold[i] >> best & 1))
    m->fp[best]++;
  for (size_t c = 0; c < t->k; c++)
    if (t->gold[i] >> c & 1)
      *(c == best ? &m->tp[c] : &m->fn[c]) += 1;
}

/* Held-out scores of every labelled document under (complement, alpha);
 * returns the macro-F1 of their arg-max, or -1 when out of memory. When
 * `scores` is given, each labelled document's scores are kept there. */
static double cross_validate(trainer *t, int complement, double alpha,
                             double *scores) {
  size_t k = t->k;
  gsl_matrix *n = matrix_new(k, t->nterms);
  float *w = malloc((size_t)t->nterms * k * sizeof *w);
  double *cm = calloc(3 * k, sizeof *cm), *s = malloc(k * sizeof *s);
  double f1 = -1;
  if (n && w && cm && s) {
    confusion m = {cm, cm + k, cm + 2 * k};
    avis_nb_scorer sc;
    int failed = 0;
    for (unsigned f = 0; !failed && f < t->o->cv_folds; f++) {
      counts_without(t, f, n);
      if ((failed = weights_from_counts(n, alpha, complement, w)) != 0)
        break;
      make_scorer(t, w, &sc);
      for (size_t i = 0; i < t->nd; i++) {
        if (!t->gold[i] || t->fold[i] != f)
          continue;
        double *out = scores ? scores + i * k : s;
        score_doc(t, &sc, i, out);
        tally(t, i, out, &m);
      }
    }
    f1 = failed ? -1 : macro_f1(t, &m);
  }
  matrix_free(n);
  free(w);
  free(cm);
  free(s);
  return f1;
}

static int choose_smoothing(trainer *t) {
  char a[32], b[32];
  int first = t->o->variant < 0 ? 0 : t->o->variant;
  int last = t->o->variant < 0 ? 1 : t->o->variant;
  t->cv_f1 = -1;
  for (int v = first; v <= last; v++)
    for (size_t g = 0; g < NALPHA; g++) {
      double alpha = t->o->alpha > 0 ? t->o->alpha : alpha_grid[g];
      double f1 = cross_validate(t, v, alpha, NULL);
      if (f1 < 0)
        return avis_fail(AVIS_ERR_NOMEM, "out of memory");
      say(t, "cross-validation: %s, smoothing %s: macro-F1 %s",
          v ? "complement" : "multinomial", num(a, alpha, 2), num(b, f1, 4));
      if (f1 > t->cv_f1) {
        t->cv_f1 = f1;
        t->complement = v;
        t->alpha = alpha;
      }
      if (t->o->alpha > 0)
        break;
    }
  return 0;
}

/* The scale that makes held-out posteriors honest: the one with the
 * smallest log-loss on the labelled documents. */
static void fit_scale(trainer *t, const double *scores) {
  size_t k = t->k;
  double *post = malloc(k * sizeof *post), best_loss = INFINITY;
  if (!post)
    return;
  for (int e = -8; e <= 20; e++) {
    double s = pow(2, e / 2.0), loss = 0;
    size_t n = 0;
    for (size_t i = 0; i < t->nd; i++) {
      if (!t->gold[i])
        continue;
      avis_nb_softmax(scores + i * k, k, s, post);
      double p = 0;
      for (size_t c = 0; c < k; c++)
        if (t->gold[i] >> c & 1)
          p += post[c];
      loss -= log(p > 1e-300 ? p : 1e-300);
      n++;
    }
    if (n && loss / (double)n < best_loss) {
      best_loss = loss / (double)n;
      t->scale = s;
    }
  }
  free(post);
}

/* The training document's terms as vocabulary ids, sentences kept. */
static int mapped_sequence(const trainer *t, size_t i, avis_vec *out) {
  size_t n;
  const uint32_t *seq = avis_corpus_doc(t->c, t->docs[i], &n);
  out->len = 0;
  for (size_t j = 0; j < n; j++) {
    uint32_t id = seq[j] == AVIS_TERM_BREAK ? AVIS_TERM_BREAK : t->map[seq[j]];
    if (seq[j] != AVIS_TERM_BREAK && id == AVIS_TERM_BREAK)
      continue;
    uint32_t *p = avis_vec_push(out, sizeof *p);
    if (!p)
      return AVIS_ERR_NOMEM;
    *p = id;
  }
  return 0;
}

/* Held-out shares of every labelled document, as analysis computes them. */
static int held_out_shares(trainer *t, double *shares) {
  size_t k = t->k;
  gsl_matrix *n = matrix_new(k, t->nterms);
  float *w = malloc((size_t)t->nterms * k * sizeof *w);
  avis_vec seq = {0};
  avis_nb_work work = {0};
  int rc = n && w ? 0 : AVIS_ERR_NOMEM;
  avis_nb_scorer sc;
  for (unsigned f = 0; !rc && f < t->o->cv_folds; f++) {
    counts_without(t, f, n);
    if ((rc = weights_from_counts(n, t->alpha, t->complement, w)) != 0)
      break;
    make_scorer(t, w, &sc);
    for (size_t i = 0; !rc && i < t->nd; i++)
      if (t->gold[i] && t->fold[i] == f)
        rc = mapped_sequence(t, i, &seq) ||
             avis_nb_predict(&sc, seq.data, seq.len, &work, shares + i * k,
                             NULL);
  }
  matrix_free(n);
  free(w);
  avis_vec_release(&seq);
  avis_nb_work_release(&work);
  return rc ? avis_fail(AVIS_ERR_NOMEM, "out of memory") : 0;
}

/* Each topic's threshold is the share above which tagging it best agrees
 * with the held-out labels (F1). Topics with too few labelled documents to
 * calibrate take the lowest calibrated threshold: they are the topics that
 * cut across the labelled ones, and single-label data under-rates those. */
static void fit_thresholds(trainer *t, const double *shares) {
  size_t k = t->k, ncal = 0;
  double *cal = malloc(k * sizeof *cal);
  char a[32], b[32];
  for (size_t c = 0; c < k; c++) {
    t->threshold[c] = -1;
    size_t pos = 0;
    for (size_t i = 0; i < t->nd; i++)
      pos += t->gold[i] >> c & 1;
    if (pos < MIN_CALIBRATION_DOCS)
      continue;
    double best_f1 = -1;
    for (int g = 2; g <= 36; g++) {
      double th = g / 40.0, tp = 0, fp = 0, fn = 0;
      for (size_t i = 0; i < t->nd; i++) {
        if (!t->gold[i])
          continue;
        int gold = (int)(t->gold[i] >> c & 1), tag = shares[i * k + c] >= th;
        tp += gold && tag;
        fp += !gold && tag;
        fn += gold && !tag;
      }
      double f1 = tp > 0 ? 2 * tp / (2 * tp + fp + fn) : 0;
      if (f1 > best_f1) {
        best_f1 = f1;
        t->threshold[c] = th;
      }
    }
    say(t, "topic %s: tag from share %s (held-out F1 %s)", t->ids[c],
        num(a, t->threshold[c], 3), num(b, best_f1, 3));
    if (cal)
      cal[ncal++] = t->threshold[c];
  }
  double fallback = DEFAULT_THRESHOLD;
  if (cal && ncal) {
    for (size_t i = 1; i < ncal; i++)
      for (size_t j = i; j > 0 && cal[j - 1] > cal[j]; j--) {
        double x = cal[j];
        cal[j] = cal[j - 1];
        cal[j - 1] = x;
      }
    fallback = cal[0];
  }
  for (size_t c = 0; c < k; c++)
    if (t->threshold[c] < 0)
      t->threshold[c] = fallback;
  free(cal);
}

static int calibrate(trainer *t) {
  size_t k = t->k;
  double *buf = calloc(t->nd * k, sizeof *buf);
  if (!buf)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  int rc = 0;
  t->scale = 1;
  if (cross_validate(t, t->complement, t->alpha, buf) < 0)
    rc = avis_fail(AVIS_ERR_NOMEM, "out of memory");
  if (!rc)
    fit_scale(t, buf);
  for (size_t c = 0; c < k; c++)
    t->threshold[c] = 0.5;
  if (!rc && t->o->kind == AVIS_CLASSIFIER_TOPICS &&
      (rc = held_out_shares(t, buf)) == 0)
    fit_thresholds(t, buf);
  free(buf);
  return rc;
}

/* ---- 5. EM --------------------------------------------------------------- */

static void total_counts(const trainer *t, gsl_matrix *n) {
  gsl_matrix_set_zero(n);
  for (unsigned f = 0; f < t->o->cv_folds; f++)
    gsl_matrix_add(n, t->fold_counts[f]);
  for (size_t i = 0; i < t->nd; i++)
    if (!t->gold[i] && t->dw[i] > 0)
      add_doc_counts(t, i, t->dw[i], n);
  add_seed_prior(t, n);
}

static void report_em(const trainer *t, unsigned it) {
  char line[400], a[32];
  size_t len = 0;
  double *mass = calloc(t->k, sizeof *mass);
  if (!mass)
    return;
  for (size_t i = 0; i < t->nd; i++)
    if (!t->gold[i])
      for (size_t c = 0; c < t->k; c++)
        mass[c] += t->p[i * t->k + c];
  for (size_t c = 0; c < t->k && len < sizeof line - 40; c++)
    len += (size_t)snprintf(line + len, sizeof line - len, " %s %s", t->ids[c],
                            num(a, mass[c], 0));
  say(t, "EM iteration %u: unlabelled documents per topic:%s", it, line);
  free(mass);
}

static int run_em(trainer *t, gsl_matrix *n) {
  size_t k = t->k;
  avis_nb_scorer sc;
  make_scorer(t, t->w, &sc);
  double *scores = malloc(k * sizeof *scores);
  if (!scores)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  for (unsigned it = 1; it <= t->o->em_iterations && t->nunlabelled; it++) {
    total_counts(t, n);
    if (weights_from_counts(n, t->alpha, t->complement, t->w)) {
      free(scores);
      return avis_fail(AVIS_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < t->nd; i++) {
      if (t->gold[i] || t->fixed[i])
        continue;
      score_doc(t, &sc, i, scores);
      avis_nb_softmax(scores, k, t->scale, t->p + i * k);
      t->dw[i] = avis_corpus_doc_weight(t->c, t->docs[i]) *
                 t->o->unlabelled_weight;
    }
    report_em(t, it);
  }
  free(scores);
  return 0;
}

/* ---- 6. The model file ------------------------------------------------------ */

static int provenance(const trainer *t, avis_buf *out) {
  const avis_train_options *o = t->o;
  char text[2048], a[32], b[32], c[32], d[32];
  snprintf(text, sizeof text,
           "command: %s\ndata: %s\ndate: %s\ntrainer: avis %s naive Bayes\n"
           "documents: %zu labelled, %zu unlabelled (%zu seed-labelled)\n"
           "vocabulary: %u terms in at least %u documents\n"
           "variant: %s, smoothing %s (%u-fold cross-validated macro-F1 %s)\n"
           "features: %s%s\nscale: %s\n"
           "em: %u iterations, unlabelled weight %s\nseed: %llu\n",
           o->command ? o->command : "", o->data ? o->data : "",
           o->date ? o->date : "", AVIS_VERSION_STRING, t->nlabelled,
           t->nunlabelled, t->nseeded, t->nterms, o->min_df,
           t->complement ? "complement" : "multinomial", num(a, t->alpha, 3),
           o->cv_folds, num(b, t->cv_f1, 4),
           o->flags & AVIS_NB_LOG_TF ? "log(1+tf)" : "tf",
           o->flags & AVIS_NB_L2 ? ", unit length" : "", num(c, t->scale, 4),
           t->nunlabelled ? o->em_iterations : 0,
           num(d, o->unlabelled_weight, 3), (unsigned long long)o->seed);
  return avis_buf_append(out, text, strlen(text));
}

static int write_model(const trainer *t, avis_classifier **out) {
  size_t k = t->k;
  avis_nb_params p = {(uint32_t)t->o->kind, (uint32_t)k, t->nterms, t->o->flags,
                      (float)t->scale, (float)t->o->doc_weight,
                      (float)t->alpha, t->o->passage_terms,
                      (float)t->o->passage_win, (float)t->o->tag_floor};
  avis_nb_label_spec *labels = calloc(k, sizeof *labels);
  const char **terms = malloc(t->nterms * sizeof *terms);
  double *w = malloc((size_t)t->nterms * k * sizeof *w);
  avis_buf prov = {0}, file = {0};
  int rc = labels && terms && w && !provenance(t, &prov) ? 0 : AVIS_ERR_NOMEM;
  if (rc)
    rc = avis_fail(rc, "out of memory");
  for (size_t c = 0; !rc && c < k; c++)
    labels[c] = (avis_nb_label_spec){t->ids[c], t->names[c], t->threshold[c],
                                     t->bias[c]};
  for (uint32_t v = 0; !rc && v < t->nterms; v++)
    terms[v] = avis_corpus_term(t->c, t->vocab[v], NULL);
  for (size_t i = 0; !rc && i < (size_t)t->nterms * k; i++)
    w[i] = t->w[i];
  if (!rc)
    rc = avis_model_file_write(&file, &p, labels, terms, w, prov.data);
  if (!rc) {
    rc = avis_model_file_parse(out, file.data, file.len, 1, "trained model");
    file.data = NULL;
  }
  free(labels);
  free(terms);
  free(w);
  avis_buf_release(&prov);
  avis_buf_release(&file);
  return rc;
}

/* ---- Driver ---------------------------------------------------------------- */

static void trainer_release(trainer *t) {
  for (size_t c = 0; t->ids && c < t->k; c++) {
    free(t->ids[c]);
    free(t->names[c]);
  }
  free(t->ids);
  free(t->names);
  free(t->docs);
  free(t->gold);
  free(t->map);
  free(t->vocab);
  free(t->seed_mask);
  avis_csr_release(&t->x);
  free(t->f);
  free(t->p);
  free(t->dw);
  free(t->fold);
  free(t->fixed);
  for (unsigned f = 0; t->fold_counts && f < t->o->cv_folds; f++)
    matrix_free(t->fold_counts[f]);
  free(t->fold_counts);
  matrix_free(t->seed_counts);
  free(t->threshold);
  free(t->w);
  free(t->bias);
  free(t->thr);
}

static int alloc_parameters(trainer *t) {
  size_t k = t->k;
  t->threshold = calloc(k, sizeof *t->threshold);
  t->bias = calloc(k, sizeof *t->bias);
  t->thr = calloc(k, sizeof *t->thr);
  t->w = malloc((size_t)t->nterms * k * sizeof *t->w);
  if (!t->threshold || !t->bias || !t->thr || !t->w)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  return 0;
}

/* With class priors, the bias is the log share of the counted mass. */
static void set_bias(trainer *t) {
  if (t->o->uniform_prior)
    return;
  double all = 0;
  double *mass = calloc(t->k, sizeof *mass);
  if (!mass)
    return;
  for (size_t i = 0; i < t->nd; i++)
    for (size_t c = 0; c < t->k; c++)
      mass[c] += t->dw[i] * t->p[i * t->k + c];
  for (size_t c = 0; c < t->k; c++)
    all += mass[c];
  for (size_t c = 0; c < t->k; c++)
    t->bias[c] = (float)log((mass[c] + 1) / (all + (double)t->k));
  free(mass);
}

static int train(trainer *t, avis_classifier **out) {
  int rc;
  if ((rc = init_topics(t)) || (rc = select_docs(t)) || (rc = build_vocab(t)))
    return rc;
  say(t, "%zu documents (%zu labelled), %u terms, %zu topics", t->nd,
      t->nlabelled, t->nterms, t->k);
  if ((rc = build_features(t)) || (rc = map_seeds(t)) ||
      (rc = init_assignments(t)) || (rc = alloc_parameters(t)) ||
      (rc = fold_matrices(t)) || (rc = choose_smoothing(t)) ||
      (rc = calibrate(t)))
    return rc;
  gsl_matrix *n = matrix_new(t->k, t->nterms);
  if (!n)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  rc = run_em(t, n);
  if (!rc) {
    total_counts(t, n);
    rc = weights_from_counts(n, t->alpha, t->complement, t->w);
  }
  matrix_free(n);
  if (rc)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  set_bias(t);
  return write_model(t, out);
}

int avis_classifier_train(avis_classifier **out, const avis_corpus *c,
                          const avis_train_options *o) {
  if (!out || !c || !o)
    return avis_fail(AVIS_ERR_ARG, "avis_classifier_train: NULL argument");
  *out = NULL;
  trainer t = {0};
  t.c = c;
  t.o = o;
  int rc = train(&t, out);
  trainer_release(&t);
  return rc;
}
