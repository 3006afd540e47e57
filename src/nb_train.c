/* Naive Bayes training (docs/topics.md):
 *  1. the topics: those of the seed file, then any other corpus label;
 *  2. the vocabulary: terms in at least min_df training documents;
 *  3. seed labelling: an unlabelled document whose seed words clearly point
 *     to one topic is that topic's (McCallum and Nigam 1999);
 *  4. the documents whose topics are known (labelled or seed-labelled) fall
 *     into folds whose counts are kept apart: the model of "all but fold
 *     f" is a subtraction of count matrices, never another pass over the
 *     text;
 *  5. cross-validation chooses the smoothing, the variant and the softmax
 *     scale;
 *  6. EM over the other unlabelled documents refines the counts;
 *  7. held-out documents, alone and mixed into multi-topic documents,
 *     calibrate each topic's tagging threshold and the passage rule;
 *  8. the model file is written and loaded back as the result.
 * Counting (document frequencies, term counts, the counts of each topic),
 * cross-validation, EM and calibration run as tasks on threads; each task
 * writes to places of its own and sums in the order a single thread
 * would, so the model does not depend on their number. */
#include <gsl/gsl_matrix.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "nb.h"

#define CV_SEED_SALT 0x5DEECE66DULL
#define MIX_SEED_SALT 0x2545F4914F6CDD1DULL
#define MIN_CALIBRATION_DOCS 10
#define DEFAULT_THRESHOLD 0.25
/* Score units of a topic that must never win (silence_absent_topics()). */
#define ABSENT_BIAS -1000.0
/* Synthetic multi-topic documents built from each fold's held-out ones:
 * twice as many as there are, within these bounds, in chunks. */
#define MIN_MIXTURES_PER_FOLD 200
#define MAX_MIXTURES_PER_FOLD 600
#define MIXTURE_CHUNK 100

static const double alpha_grid[] = {0.01, 0.03, 0.1, 0.3, 1.0};
#define NALPHA (sizeof alpha_grid / sizeof *alpha_grid)

/* How a training document takes part. */
enum { FREE = 0, LABELLED = 1, SEEDED = 2 };

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
  uint64_t seeded;      /* topics with a seed word in the vocabulary */
  avis_csr x;           /* raw counts of the training documents */
  float *f;             /* feature values, aligned with x.ids */
  double *p;            /* nd x k: how much each document counts for a topic */
  double *dw;           /* nd: document weight in the counts */
  unsigned char *role;  /* nd: FREE, LABELLED or SEEDED */
  unsigned *fold;       /* nd: fold of a LABELLED or SEEDED document */
  uint64_t seed_only;   /* topics without labelled documents */
  uint64_t absent;      /* topics nothing teaches (find_absent_topics) */
  gsl_matrix **fold_counts; /* per fold: counts of its LABELLED and SEEDED */
  gsl_matrix *known;        /* their sum over all folds */
  gsl_matrix *free_counts;  /* counts of the FREE documents */
  size_t nlabelled, nseeded, nunlabelled;
  int complement;
  double alpha, scale, cv_f1;
  double passage_win, tag_floor; /* of the tagging rule (nb.h) */
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

/* splitmix64 as a stream: deterministic draws for the mixtures. */
static uint64_t next_random(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/* Runs fn(ctx, worker, i) for every i in [0, n) on up to `threads`
 * threads (the calling one included), each i once; `worker` (below
 * `threads`) lets a task use its thread's scratch space. Tasks write to
 * places of their own, so results do not depend on the number of
 * threads. */
typedef void (*task_fn)(void *ctx, unsigned worker, size_t i);

typedef struct {
  task_fn fn;
  void *ctx;
  size_t n, next;
  pthread_mutex_t lock;
} task_queue;

typedef struct {
  task_queue *q;
  unsigned worker;
} task_runner;

static void *run_queue(void *arg) {
  task_runner *r = arg;
  task_queue *q = r->q;
  for (;;) {
    pthread_mutex_lock(&q->lock);
    size_t i = q->next < q->n ? q->next++ : q->n;
    pthread_mutex_unlock(&q->lock);
    if (i == q->n)
      return NULL;
    q->fn(q->ctx, r->worker, i);
  }
}

static void run_tasks(unsigned threads, size_t n, task_fn fn, void *ctx) {
  task_queue q = {fn, ctx, n, 0, PTHREAD_MUTEX_INITIALIZER};
  task_runner r[256];
  pthread_t th[256];
  unsigned started = 0;
  if (threads > n)
    threads = n ? (unsigned)n : 1;
  for (unsigned w = 0; w < threads; w++)
    r[w] = (task_runner){&q, w};
  for (; started + 1 < threads; started++)
    if (pthread_create(&th[started], NULL, run_queue, &r[started + 1]) != 0)
      break;
  run_queue(&r[0]);
  for (unsigned w = 0; w < started; w++)
    pthread_join(th[w], NULL);
  pthread_mutex_destroy(&q.lock);
}

static unsigned threads_for(const trainer *t, size_t tasks) {
  unsigned n = t->o->threads ? t->o->threads : 1;
  return tasks < n ? (tasks ? (unsigned)tasks : 1) : n;
}

/* Per-thread room for a model: counts and weights. */
typedef struct {
  gsl_matrix *n;
  float *w;
} model_space;

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

/* A candidate term of the vocabulary, sorted without global state so that
 * trainings may run at once on several threads. */
typedef struct {
  uint32_t id, df;
  const char *text;
} vocab_entry;

static int by_df_then_text(const void *a, const void *b) {
  const vocab_entry *x = a, *y = b;
  if (x->df != y->df)
    return x->df > y->df ? -1 : 1;
  return strcmp(x->text, y->text);
}

static int by_text(const void *a, const void *b) {
  return strcmp(((const vocab_entry *)a)->text,
                ((const vocab_entry *)b)->text);
}

/* Passes over the training documents run as one task per part of them,
 * parts of consecutive documents put together in order afterwards. */
static size_t part_count(const trainer *t) {
  size_t parts = threads_for(t, t->nd);
  return parts ? parts : 1;
}

static size_t part_start(const trainer *t, size_t parts, size_t i) {
  return t->nd / parts * i + (i < t->nd % parts ? i : t->nd % parts);
}

typedef struct {
  const trainer *t;
  size_t nterms, parts;
  uint32_t **df; /* per part */
} df_run;

/* Task i: the document frequencies of part i. */
static void df_task(void *ctx, unsigned worker, size_t i) {
  (void)worker;
  df_run *r = ctx;
  const trainer *t = r->t;
  uint32_t *df = avis_zeroed_alloc(r->nterms * sizeof *df);
  uint32_t *last = avis_zeroed_alloc(r->nterms * sizeof *last);
  size_t end = part_start(t, r->parts, i + 1);
  for (size_t d = part_start(t, r->parts, i); df && last && d < end; d++) {
    size_t n;
    const uint32_t *seq = avis_corpus_doc(t->c, t->docs[d], &n);
    for (size_t j = 0; j < n; j++)
      if (seq[j] != AVIS_TERM_BREAK && last[seq[j]] != d + 1) {
        last[seq[j]] = (uint32_t)(d + 1);
        df[seq[j]]++;
      }
  }
  free(last);
  if (!last) {
    free(df);
    df = NULL;
  }
  r->df[i] = df;
}

/* Document frequencies over the training documents only. */
static uint32_t *training_df(const trainer *t, size_t nterms) {
  size_t parts = part_count(t);
  df_run r = {t, nterms, parts, calloc(parts, sizeof *r.df)};
  if (!r.df)
    return NULL;
  run_tasks(threads_for(t, parts), parts, df_task, &r);
  uint32_t *df = r.df[0];
  for (size_t i = 1; i < parts; i++) {
    for (size_t v = 0; df && r.df[i] && v < nterms; v++)
      df[v] += r.df[i][v];
    if (!r.df[i]) {
      free(df);
      df = NULL;
    }
    free(r.df[i]);
  }
  free(r.df);
  return df;
}

static int build_vocab(trainer *t) {
  size_t nterms = t->c->terms.count;
  uint32_t *df = training_df(t, nterms);
  vocab_entry *e = malloc((nterms ? nterms : 1) * sizeof *e);
  t->map = malloc((nterms ? nterms : 1) * sizeof *t->map);
  t->vocab = malloc((nterms ? nterms : 1) * sizeof *t->vocab);
  if (!df || !e || !t->map || !t->vocab) {
    free(df);
    free(e);
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  }
  uint32_t n = 0;
  for (uint32_t i = 0; i < nterms; i++)
    if (df[i] >= t->o->min_df)
      e[n++] = (vocab_entry){i, df[i], avis_corpus_term(t->c, i, NULL)};
  if (t->o->max_terms && n > t->o->max_terms) {
    qsort(e, n, sizeof *e, by_df_then_text);
    n = t->o->max_terms;
  }
  qsort(e, n, sizeof *e, by_text);
  for (size_t i = 0; i < nterms; i++)
    t->map[i] = AVIS_TERM_BREAK;
  for (uint32_t v = 0; v < n; v++) {
    t->vocab[v] = e[v].id;
    t->map[e[v].id] = v;
  }
  free(df);
  free(e);
  t->nterms = n;
  if (n == 0)
    return avis_fail(AVIS_ERR_ARG, "no term occurs in %u training documents",
                     t->o->min_df);
  return 0;
}

typedef struct {
  const trainer *t;
  size_t parts;
  avis_csr *x; /* per part: its documents' counts */
  int *rc;
} count_part_run;

static void count_part_task(void *ctx, unsigned worker, size_t i) {
  (void)worker;
  count_part_run *r = ctx;
  const trainer *t = r->t;
  size_t lo = part_start(t, r->parts, i), hi = part_start(t, r->parts, i + 1);
  r->rc[i] = avis_corpus_count(t->c, t->docs + lo, hi - lo, t->map, &r->x[i]);
}

/* Room for the parts' rows, put together in order, in t->x and t->f. */
static int alloc_features(trainer *t, const avis_csr *x, size_t parts) {
  size_t nnz = 0;
  for (size_t i = 0; i < parts; i++)
    nnz += x[i].row[x[i].nrows];
  t->x.row = malloc((t->nd + 1) * sizeof *t->x.row);
  t->x.ids = malloc((nnz ? nnz : 1) * sizeof *t->x.ids);
  t->x.counts = malloc((nnz ? nnz : 1) * sizeof *t->x.counts);
  t->f = malloc((nnz ? nnz : 1) * sizeof *t->f);
  if (!t->x.row || !t->x.ids || !t->x.counts || !t->f)
    return AVIS_ERR_NOMEM;
  t->x.row[t->nd] = nnz;
  t->x.nrows = t->nd;
  return 0;
}

typedef struct {
  trainer *t;
  size_t parts;
  const avis_csr *x;
} join_run;

/* Task i: copies part i into its place (after the parts before it) and
 * computes its documents' feature values. */
static void join_task(void *ctx, unsigned worker, size_t i) {
  (void)worker;
  join_run *r = ctx;
  trainer *t = r->t;
  const avis_csr *x = &r->x[i];
  size_t at = 0, first = part_start(t, r->parts, i), n = x->row[x->nrows];
  for (size_t p = 0; p < i; p++)
    at += r->x[p].row[r->x[p].nrows];
  for (size_t d = 0; d < x->nrows; d++)
    t->x.row[first + d] = at + x->row[d];
  memcpy(t->x.ids + at, x->ids, n * sizeof *x->ids);
  memcpy(t->x.counts + at, x->counts, n * sizeof *x->counts);
  memcpy(t->f + at, x->counts, n * sizeof *x->counts);
  /* Row ends from the part's own rows: the next part's first row may not
   * be in place yet. */
  for (size_t d = 0; d < x->nrows; d++)
    avis_nb_transform(t->f + at + x->row[d], x->row[d + 1] - x->row[d],
                      t->o->flags);
}

/* The training documents' counts and feature values, counted part by part
 * on the threads and put together in order. */
static int build_features(trainer *t) {
  size_t parts = part_count(t);
  unsigned threads = threads_for(t, parts);
  count_part_run r = {t, parts, calloc(parts, sizeof *r.x),
                      calloc(parts, sizeof *r.rc)};
  int rc = r.x && r.rc ? 0 : AVIS_ERR_NOMEM;
  if (!rc)
    run_tasks(threads, parts, count_part_task, &r);
  for (size_t i = 0; !rc && i < parts; i++)
    rc = r.rc[i];
  if (!rc)
    rc = alloc_features(t, r.x, parts);
  if (!rc) {
    join_run j = {t, parts, r.x};
    run_tasks(threads, parts, join_task, &j);
  }
  for (size_t i = 0; r.x && i < parts; i++)
    avis_csr_release(&r.x[i]);
  free(r.x);
  free(r.rc);
  return rc ? avis_fail(AVIS_ERR_NOMEM, "out of memory") : 0;
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
      t->seeded |= (uint64_t)1 << i;
      known++;
    }
    if (def->nseeds)
      say(t, "topic %s: %zu of %zu seed words in the vocabulary", def->id,
          known, def->nseeds);
  }
  avis_term_reader_release(&r);
  return rc;
}

/* Seed-word occurrences of document i per topic, in hits[]. */
static void count_seed_hits(const trainer *t, size_t i, double *hits) {
  for (size_t c = 0; c < t->k; c++)
    hits[c] = 0;
  for (size_t j = t->x.row[i]; j < t->x.row[i + 1]; j++) {
    uint64_t m = t->seed_mask[t->x.ids[j]];
    for (size_t c = 0; m; c++, m >>= 1)
      if (m & 1)
        hits[c] += t->x.counts[j];
  }
}

/* The topic among `candidates` that the seed hits point to, or -1 when
 * they are too few or split between topics. */
static int seed_topic(const trainer *t, const double *hits,
                      uint64_t candidates) {
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

/* A labelled document also counts, at the unlabelled weight, for a topic
 * no label teaches when that topic's seeds are as frequent in it as those
 * of its own topics: an article on a tech company's fine is about
 * regulation too. */
static void add_second_label(trainer *t, size_t i, const double *hits,
                             size_t *per_topic) {
  int s = seed_topic(t, hits, t->seed_only);
  if (s < 0)
    return;
  double own = 0;
  for (size_t c = 0; c < t->k; c++)
    if (t->gold[i] >> c & 1 && hits[c] > own)
      own = hits[c];
  if (hits[s] < own)
    return;
  t->p[i * t->k + (size_t)s] = t->o->unlabelled_weight;
  per_topic[s]++;
}

static int init_assignments(trainer *t) {
  size_t k = t->k;
  t->p = calloc(t->nd * k, sizeof *t->p);
  t->dw = calloc(t->nd, sizeof *t->dw);
  t->role = calloc(t->nd, sizeof *t->role);
  t->fold = calloc(t->nd, sizeof *t->fold);
  double *hits = calloc(k, sizeof *hits);
  size_t *per_topic = calloc(k, sizeof *per_topic);
  if (!t->p || !t->dw || !t->role || !t->fold || !hits || !per_topic) {
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
    count_seed_hits(t, i, hits);
    if (t->gold[i]) {
      t->role[i] = LABELLED;
      t->dw[i] = weight;
      for (size_t c = 0; c < k; c++)
        t->p[i * k + c] = (double)(t->gold[i] >> c & 1);
      if (t->seed_only)
        add_second_label(t, i, hits, per_topic);
      continue;
    }
    t->nunlabelled++;
    int s = seed_topic(t, hits, all);
    if (s < 0)
      continue;
    t->p[i * k + (size_t)s] = 1;
    t->dw[i] = weight;
    t->role[i] = SEEDED;
    t->nseeded++;
    per_topic[s]++;
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
  double *data = avis_zeroed_alloc(n * sizeof *data);
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

/* Row c of a matrix. The matrices are read and written through plain
 * pointers: without HAVE_INLINE, each gsl_matrix_get() is a call into the
 * library with a range check, and the loops below make millions. */
static inline double *row_of(const gsl_matrix *m, size_t c) {
  return m->data + c * m->tda;
}

/* Which documents count_task() sums: the known ones (LABELLED and
 * SEEDED), each into its fold's matrix, or the FREE ones with a weight,
 * into one matrix. */
typedef struct {
  const trainer *t;
  gsl_matrix *const *out; /* per fold, or one */
  int known;
} count_run;

/* Task c: row c of the counts, adding the documents in order. Each sum is
 * thus taken in the same order as when the documents are added one after
 * the other, whatever the number of threads. */
static void count_task(void *ctx, unsigned worker, size_t c) {
  (void)worker;
  const count_run *r = ctx;
  const trainer *t = r->t;
  for (size_t i = 0; i < t->nd; i++) {
    if (r->known ? t->role[i] == FREE : t->role[i] != FREE || !(t->dw[i] > 0))
      continue;
    double pc = t->dw[i] * t->p[i * t->k + c];
    if (pc <= 0)
      continue;
    double *row = row_of(r->out[r->known ? t->fold[i] : 0], c);
    for (size_t j = t->x.row[i]; j < t->x.row[i + 1]; j++)
      row[t->x.ids[j]] += pc * t->f[j];
  }
}

/* Seed words act as a prior: each adds a small share of its topic's mass
 * to its count, so that a topic learnt from few documents still listens to
 * the words that define it. */
static void add_seed_prior(const trainer *t, gsl_matrix *n) {
  if (t->o->seed_prior <= 0)
    return;
  for (size_t c = 0; c < t->k; c++) {
    if (!(t->seeded >> c & 1))
      continue;
    double *row = row_of(n, c), mass = 0;
    for (size_t j = 0; j < t->nterms; j++)
      mass += row[j];
    double extra = t->o->seed_prior * mass;
    for (size_t j = 0; j < t->nterms; j++)
      if (t->seed_mask[j] >> c & 1)
        row[j] += extra;
  }
}

/* The counts of a model that has not seen fold `skip` (all documents when
 * skip is cv_folds): the known documents of the other folds, the free
 * documents as EM last weighed them, and the seed prior. */
static void model_counts(const trainer *t, unsigned skip, gsl_matrix *out) {
  gsl_matrix_memcpy(out, t->known);
  if (skip < t->o->cv_folds)
    gsl_matrix_sub(out, t->fold_counts[skip]);
  gsl_matrix_add(out, t->free_counts);
  add_seed_prior(t, out);
}

/* Multinomial: w = log P(term | topic). Complement (Rennie et al. 2003):
 * w = -log P(term | every other topic), which evens out topics with very
 * different amounts of text. Smoothing shrinks each topic towards the whole
 * training text (McCallum and Nigam's shrinkage, the corpus as parent):
 * P(term | topic) = λ P_ML(term | topic) + (1 - λ) P(term | corpus), with
 * λ = T / (T + αV) for a topic of T counts (a Dirichlet prior of α
 * pseudo-counts per term on average, spread like the corpus). A topic
 * learnt from little text is thus not penalised for the common words it
 * happens not to contain; λ is kept at least min_own, so that such a
 * topic does not become the corpus itself, which would fit every document
 * that fits no other. Each term's weights are centred on their mean,
 * which changes no posterior and makes a weight read as "for this topic
 * rather than the others". */
static int weights_from_counts(const gsl_matrix *n, double alpha,
                               double min_own, int complement, float *w) {
  size_t k = n->size1, v = n->size2;
  double *total = calloc(k, sizeof *total), *own = calloc(k, sizeof *own);
  if (!total || !own) {
    free(total);
    free(own);
    return -1;
  }
  double all = 0, mass = alpha * (double)v;
  for (size_t c = 0; c < k; c++) {
    const double *row = row_of(n, c);
    double s = 0;
    for (size_t j = 0; j < v; j++)
      s += row[j];
    total[c] = s;
    all += s;
  }
  for (size_t c = 0; c < k; c++) {
    double t = complement ? all - total[c] : total[c];
    own[c] = t / (t + mass);
    if (!complement && own[c] < min_own)
      own[c] = min_own;
  }
  for (size_t j = 0; j < v; j++) {
    double col = 0, mean = 0;
    for (size_t c = 0; c < k; c++)
      col += n->data[c * n->tda + j];
    double corpus = (col + 1) / (all + (double)v);
    float *out = w + j * k;
    for (size_t c = 0; c < k; c++) {
      double ncj = complement ? col - n->data[c * n->tda + j]
                              : n->data[c * n->tda + j];
      double t = complement ? all - total[c] : total[c];
      double p = (t > 0 ? own[c] * ncj / t : 0) + (1 - own[c]) * corpus;
      double x = complement ? -log(p) : log(p);
      out[c] = (float)x;
      mean += x;
    }
    for (size_t c = 0; c < k; c++)
      out[c] = (float)(out[c] - mean / (double)k);
  }
  free(total);
  free(own);
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
  s->passage_win = t->passage_win;
  s->tag_floor = t->tag_floor;
}

static void score_doc(const trainer *t, const avis_nb_scorer *s, size_t i,
                      double *out) {
  size_t a = t->x.row[i];
  avis_nb_score_row(s, t->x.ids + a, t->f + a, t->x.row[i + 1] - a, out);
}

/* ---- 4. Folds ---------------------------------------------------------------- */

static void sum_free_counts(const trainer *t) {
  count_run r = {t, &t->free_counts, 0};
  gsl_matrix_set_zero(t->free_counts);
  run_tasks(threads_for(t, t->k), t->k, count_task, &r);
}

/* Topics that nothing teaches: no labelled or seed-labelled document and
 * no seed word in the vocabulary. Their word distribution would be the
 * corpus itself, which fits a document that fits no other topic better
 * than any real topic does: they take no part in EM and never win. */
static void find_absent_topics(trainer *t) {
  for (size_t c = 0; c < t->k; c++) {
    double mass = 0;
    const double *row = row_of(t->known, c);
    for (size_t j = 0; j < t->nterms; j++)
      mass += row[j] + (double)(t->seed_mask[j] >> c & 1);
    if (mass > 0)
      continue;
    t->absent |= (uint64_t)1 << c;
    say(t, "topic %s: no document and no seed word to learn it from; it "
        "will not be recognised", t->ids[c]);
  }
}

static int fold_matrices(trainer *t) {
  unsigned nf = t->o->cv_folds;
  t->fold_counts = calloc(nf, sizeof *t->fold_counts);
  t->known = matrix_new(t->k, t->nterms);
  t->free_counts = matrix_new(t->k, t->nterms);
  if (!t->fold_counts || !t->known || !t->free_counts)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  for (unsigned f = 0; f < nf; f++)
    if (!(t->fold_counts[f] = matrix_new(t->k, t->nterms)))
      return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  count_run r = {t, t->fold_counts, 1};
  run_tasks(threads_for(t, t->k), t->k, count_task, &r);
  for (unsigned f = 0; f < nf; f++)
    gsl_matrix_add(t->known, t->fold_counts[f]);
  sum_free_counts(t);
  find_absent_topics(t);
  return 0;
}

/* ---- 5. Cross-validation --------------------------------------------------- */

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

static void free_spaces(model_space *s, unsigned n) {
  for (unsigned i = 0; s && i < n; i++) {
    matrix_free(s[i].n);
    free(s[i].w);
  }
  free(s);
}

/* Room for one model per thread, or NULL when out of memory. */
static model_space *alloc_spaces(const trainer *t, unsigned n) {
  model_space *s = calloc(n, sizeof *s);
  for (unsigned i = 0; s && i < n; i++) {
    s[i].n = matrix_new(t->k, t->nterms);
    s[i].w = malloc((size_t)t->nterms * t->k * sizeof *s[i].w);
    if (!s[i].n || !s[i].w) {
      free_spaces(s, n);
      return NULL;
    }
  }
  return s;
}

/* One (variant, smoothing) candidate of cross-validation, with the
 * held-out scores (nd x k) of the labelled documents under it. */
typedef struct {
  int complement;
  double alpha;
  double *scores;
  double f1;
} cv_candidate;

/* Tasks that each build a model in their thread's model space. */
typedef struct {
  model_space *space;    /* per worker */
  unsigned char *failed; /* per task: ran out of memory */
} model_tasks;

/* Runs fn(ctx, worker, i) for i in [0, ntasks) with a model space per
 * thread in m. 0, or AVIS_ERR_NOMEM when a task or the spaces failed. */
static int run_model_tasks(const trainer *t, size_t ntasks, task_fn fn,
                           void *ctx, model_tasks *m) {
  unsigned threads = threads_for(t, ntasks);
  m->space = alloc_spaces(t, threads);
  m->failed = calloc(ntasks ? ntasks : 1, 1);
  int rc = m->space && m->failed ? 0 : AVIS_ERR_NOMEM;
  if (!rc)
    run_tasks(threads, ntasks, fn, ctx);
  for (size_t i = 0; !rc && i < ntasks; i++)
    if (m->failed[i])
      rc = AVIS_ERR_NOMEM;
  free_spaces(m->space, threads);
  free(m->failed);
  m->space = NULL;
  m->failed = NULL;
  return rc;
}

typedef struct {
  trainer *t;
  cv_candidate *cand;
  model_tasks m;
} cv_run;

/* Task i: candidate i / folds, trained without fold i % folds, scores
 * that fold's labelled documents. */
static void cv_task(void *ctx, unsigned worker, size_t i) {
  cv_run *r = ctx;
  trainer *t = r->t;
  unsigned f = (unsigned)(i % t->o->cv_folds);
  cv_candidate *c = &r->cand[i / t->o->cv_folds];
  model_space *m = &r->m.space[worker];
  model_counts(t, f, m->n);
  if (weights_from_counts(m->n, c->alpha, t->o->min_own, c->complement, m->w)) {
    r->m.failed[i] = 1;
    return;
  }
  avis_nb_scorer sc;
  make_scorer(t, m->w, &sc);
  for (size_t d = 0; d < t->nd; d++)
    if (t->gold[d] && t->fold[d] == f)
      score_doc(t, &sc, d, c->scores + d * t->k);
}

/* The macro-F1 of the arg-max of held-out scores. */
static double held_out_f1(const trainer *t, const double *scores) {
  size_t k = t->k;
  double *cm = calloc(3 * k, sizeof *cm);
  if (!cm)
    return -1;
  confusion m = {cm, cm + k, cm + 2 * k};
  for (size_t d = 0; d < t->nd; d++)
    if (t->gold[d])
      tally(t, d, scores + d * k, &m);
  double f1 = macro_f1(t, &m);
  free(cm);
  return f1;
}

/* Cross-validates every candidate: each fold's model is the counts minus
 * that fold's. 0 or AVIS_ERR_NOMEM. */
static int cross_validate(trainer *t, cv_candidate *cand, size_t ncand) {
  cv_run r = {t, cand, {NULL, NULL}};
  int rc = run_model_tasks(t, ncand * t->o->cv_folds, cv_task, &r, &r.m);
  for (size_t c = 0; !rc && c < ncand; c++)
    if ((cand[c].f1 = held_out_f1(t, cand[c].scores)) < 0)
      rc = AVIS_ERR_NOMEM;
  return rc;
}

/* The softmax scales tried: 2^(e/2) for e from -8 to 20. */
#define NSCALES 29

static double scale_at(size_t i) { return pow(2, ((int)i - 8) / 2.0); }

typedef struct {
  const trainer *t;
  const double *scores;
  double loss[NSCALES];
  size_t n[NSCALES];
} scale_run;

/* Task i: the held-out log-loss of the labelled documents at scale i. */
static void scale_task(void *ctx, unsigned worker, size_t i) {
  (void)worker;
  scale_run *r = ctx;
  const trainer *t = r->t;
  size_t k = t->k;
  double s = scale_at(i), post[AVIS_MAX_LABELS], loss = 0;
  size_t n = 0;
  for (size_t d = 0; d < t->nd; d++) {
    if (!t->gold[d])
      continue;
    avis_nb_softmax(r->scores + d * k, k, s, post);
    double p = 0;
    for (size_t c = 0; c < k; c++)
      if (t->gold[d] >> c & 1)
        p += post[c];
    loss -= log(p > 1e-300 ? p : 1e-300);
    n++;
  }
  r->loss[i] = loss;
  r->n[i] = n;
}

/* The scale that makes held-out posteriors honest: the one with the
 * smallest log-loss on the labelled documents. */
static void fit_scale(trainer *t, const double *scores) {
  scale_run r = {t, scores, {0}, {0}};
  double best_loss = INFINITY;
  run_tasks(threads_for(t, NSCALES), NSCALES, scale_task, &r);
  for (size_t i = 0; i < NSCALES; i++)
    if (r.n[i] && r.loss[i] / (double)r.n[i] < best_loss) {
      best_loss = r.loss[i] / (double)r.n[i];
      t->scale = scale_at(i);
    }
}

/* Chooses the variant and smoothing with the best cross-validated macro-F1
 * and fits the softmax scale to that choice's held-out scores. With two
 * labels the complement variant is the multinomial one (each label's
 * complement is the other label), so only the latter is tried. */
static int choose_smoothing(trainer *t) {
  char a[32], b[32];
  int first = t->o->variant < 0 ? 0 : t->o->variant;
  int last = t->o->variant < 0 ? (t->k > 2) : t->o->variant;
  size_t nalpha = t->o->alpha > 0 ? 1 : NALPHA, n = 0;
  cv_candidate cand[2 * NALPHA];
  double *scores = calloc((size_t)(last - first + 1) * nalpha * t->nd * t->k,
                          sizeof *scores);
  if (!scores)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  for (int v = first; v <= last; v++)
    for (size_t g = 0; g < nalpha; g++, n++)
      cand[n] = (cv_candidate){v, t->o->alpha > 0 ? t->o->alpha : alpha_grid[g],
                               scores + n * t->nd * t->k, 0};
  if (cross_validate(t, cand, n)) {
    free(scores);
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  }
  size_t best = 0;
  for (size_t c = 0; c < n; c++) {
    say(t, "cross-validation: %s, smoothing %s: macro-F1 %s",
        cand[c].complement ? "complement" : "multinomial",
        num(a, cand[c].alpha, 2), num(b, cand[c].f1, 4));
    if (cand[c].f1 > cand[best].f1)
      best = c;
  }
  t->cv_f1 = cand[best].f1;
  t->complement = cand[best].complement;
  t->alpha = cand[best].alpha;
  fit_scale(t, cand[best].scores);
  free(scores);
  return 0;
}

/* ---- 6. EM --------------------------------------------------------------- */

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

/* The share of each topic among the unlabelled documents, as a log
 * prior in score units: EM weighs a document's topics by how common they
 * are in the unlabelled text (McCallum and Nigam re-estimate class priors
 * as well), so that a topic known from a few seed-labelled documents does
 * not take every document that fits no topic well. */
static void em_prior(const trainer *t, double *prior) {
  double total = 0;
  for (size_t c = 0; c < t->k; c++)
    prior[c] = 1;
  for (size_t i = 0; i < t->nd; i++)
    if (!t->gold[i])
      for (size_t c = 0; c < t->k; c++)
        prior[c] += t->p[i * t->k + c];
  for (size_t c = 0; c < t->k; c++)
    total += prior[c];
  for (size_t c = 0; c < t->k; c++)
    prior[c] = t->absent >> c & 1 ? -INFINITY : log(prior[c] / total) / t->scale;
}

typedef struct {
  trainer *t;
  avis_nb_scorer sc;
  const double *prior;
} em_run;

#define EM_CHUNK 256

/* Task i: the posteriors of the free documents of chunk i. */
static void em_task(void *ctx, unsigned worker, size_t i) {
  (void)worker;
  em_run *r = ctx;
  trainer *t = r->t;
  size_t k = t->k, end = (i + 1) * EM_CHUNK < t->nd ? (i + 1) * EM_CHUNK : t->nd;
  double scores[AVIS_MAX_LABELS];
  for (size_t d = i * EM_CHUNK; d < end; d++) {
    if (t->role[d] != FREE)
      continue;
    score_doc(t, &r->sc, d, scores);
    for (size_t c = 0; c < k; c++)
      scores[c] += r->prior[c];
    avis_nb_softmax(scores, k, t->scale, t->p + d * k);
    t->dw[d] = avis_corpus_doc_weight(t->c, t->docs[d]) *
               t->o->unlabelled_weight;
  }
}

/* The free documents take the model's posteriors as soft labels, and their
 * counts are summed again. */
static int run_em(trainer *t, gsl_matrix *n) {
  double prior[AVIS_MAX_LABELS];
  em_run r = {t, {0}, prior};
  make_scorer(t, t->w, &r.sc);
  size_t chunks = (t->nd + EM_CHUNK - 1) / EM_CHUNK;
  for (unsigned it = 1; it <= t->o->em_iterations && t->nunlabelled; it++) {
    model_counts(t, t->o->cv_folds, n);
    if (weights_from_counts(n, t->alpha, t->o->min_own, t->complement, t->w))
      return avis_fail(AVIS_ERR_NOMEM, "out of memory");
    em_prior(t, prior);
    run_tasks(threads_for(t, chunks), chunks, em_task, &r);
    sum_free_counts(t);
    report_em(t, it);
  }
  return 0;
}

/* ---- 7. Calibration ---------------------------------------------------------- */

/* Appends the training document's terms as vocabulary ids, sentences kept,
 * stopping at the first sentence end after `max` terms (0: no limit). */
static int append_sequence(const trainer *t, size_t i, size_t max,
                           avis_vec *out) {
  size_t n, kept = 0;
  const uint32_t *seq = avis_corpus_doc(t->c, t->docs[i], &n);
  if (out->len) {
    uint32_t *p = avis_vec_push(out, sizeof *p);
    if (!p)
      return AVIS_ERR_NOMEM;
    *p = AVIS_TERM_BREAK;
  }
  for (size_t j = 0; j < n; j++) {
    if (seq[j] == AVIS_TERM_BREAK && max && kept >= max)
      break;
    uint32_t id = seq[j] == AVIS_TERM_BREAK ? AVIS_TERM_BREAK : t->map[seq[j]];
    if (seq[j] != AVIS_TERM_BREAK && id == AVIS_TERM_BREAK)
      continue;
    uint32_t *p = avis_vec_push(out, sizeof *p);
    if (!p)
      return AVIS_ERR_NOMEM;
    *p = id;
    kept += id != AVIS_TERM_BREAK;
  }
  return 0;
}

/* What calibration keeps of one held-out (possibly mixed) document: its
 * topics, and its shares and peaks (k each) as analysis computes them. */
typedef struct {
  uint64_t gold;
  size_t best;
  double *shares, *peak;
} calibration_doc;

typedef struct {
  calibration_doc *docs;
  size_t n, cap;
  double *values; /* the shares and peaks of every document */
} calibration_set;

static void calibration_set_release(calibration_set *s) {
  free(s->docs);
  free(s->values);
  memset(s, 0, sizeof *s);
}

/* The topics a known document is about. */
static uint64_t known_topics(const trainer *t, size_t i) {
  uint64_t m = 0;
  for (size_t c = 0; c < t->k; c++)
    if (t->p[i * t->k + c] > 0)
      m |= (uint64_t)1 << c;
  return m;
}

/* Each fold's held-out known documents by topic, so that mixtures can give
 * every topic the same chance whatever its amount of data. */
typedef struct {
  size_t *doc;   /* documents of topic c in fold f: doc[start[f*k+c] ..] */
  size_t *start; /* folds * k + 1 */
} fold_index;

static int index_folds(const trainer *t, fold_index *ix) {
  size_t k = t->k, nf = t->o->cv_folds, total = 0;
  ix->start = calloc(nf * k + 1, sizeof *ix->start);
  for (size_t i = 0; ix->start && i < t->nd; i++)
    if (t->role[i] != FREE)
      for (size_t c = 0; c < k; c++)
        if (t->p[i * k + c] > 0) {
          ix->start[t->fold[i] * k + c + 1]++;
          total++;
        }
  ix->doc = malloc((total ? total : 1) * sizeof *ix->doc);
  size_t *fill = calloc(nf * k, sizeof *fill);
  if (!ix->start || !ix->doc || !fill) {
    free(fill);
    return AVIS_ERR_NOMEM;
  }
  for (size_t b = 0; b < nf * k; b++)
    ix->start[b + 1] += ix->start[b];
  for (size_t i = 0; i < t->nd; i++)
    if (t->role[i] != FREE)
      for (size_t c = 0; c < k; c++)
        if (t->p[i * k + c] > 0) {
          size_t b = t->fold[i] * k + c;
          ix->doc[ix->start[b] + fill[b]++] = i;
        }
  free(fill);
  return 0;
}

/* A held-out document of topic c in fold f, or SIZE_MAX when none. */
static size_t pick_doc(const fold_index *ix, size_t b, uint64_t *rng) {
  size_t n = ix->start[b + 1] - ix->start[b];
  return n ? ix->doc[ix->start[b] + next_random(rng) % n] : SIZE_MAX;
}

/* A topic of fold f outside `avoid` with held-out documents, chosen
 * uniformly, or SIZE_MAX. */
static size_t pick_topic(const trainer *t, const fold_index *ix, unsigned f,
                         uint64_t avoid, uint64_t *rng) {
  size_t cand[AVIS_MAX_LABELS], n = 0;
  for (size_t c = 0; c < t->k; c++)
    if (!(avoid >> c & 1) && ix->start[f * t->k + c + 1] > ix->start[f * t->k + c])
      cand[n++] = c;
  return n ? cand[next_random(rng) % n] : SIZE_MAX;
}

/* One synthetic document of fold f: a held-out document, followed in two
 * cases out of three by the first passages of one or two documents of
 * other topics, as an article that spends a paragraph or two on something
 * else. Its gold topics are those of its parts. */
static int mix_document(const trainer *t, const fold_index *ix, unsigned f,
                        uint64_t *rng, avis_vec *seq, uint64_t *gold) {
  size_t c = pick_topic(t, ix, f, 0, rng);
  if (c == SIZE_MAX)
    return 1;
  size_t d = pick_doc(ix, f * t->k + c, rng);
  seq->len = 0;
  *gold = known_topics(t, d);
  if (append_sequence(t, d, 0, seq))
    return AVIS_ERR_NOMEM;
  unsigned draw = (unsigned)(next_random(rng) % 6);
  unsigned extra = draw < 3 ? 0 : draw < 5 ? 1 : 2;
  for (unsigned e = 0; e < extra; e++) {
    size_t o = pick_topic(t, ix, f, *gold, rng);
    if (o == SIZE_MAX)
      break;
    size_t od = pick_doc(ix, f * t->k + o, rng);
    size_t len = t->o->passage_terms * (1 + next_random(rng) % 2);
    *gold |= known_topics(t, od);
    if (append_sequence(t, od, len, seq))
      return AVIS_ERR_NOMEM;
  }
  return 0;
}

static int calibration_reserve(calibration_set *s, size_t n, size_t k) {
  s->docs = malloc(n * sizeof *s->docs);
  s->values = malloc(2 * n * k * sizeof *s->values);
  s->cap = n;
  return s->docs && s->values ? 0 : AVIS_ERR_NOMEM;
}

typedef struct {
  trainer *t;
  const fold_index *ix;
  float **w;            /* per fold: the weights of the model without it */
  calibration_set *set; /* chunks_per_fold × MIXTURE_CHUNK slots per fold */
  size_t chunks_per_fold;
  avis_vec *seq;        /* per worker */
  avis_nb_work *work;   /* per worker */
  unsigned char *failed; /* per task */
} mixture_run;

/* Task i: mixtures of one chunk of one fold, each drawn from a random
 * stream of its own chunk, so that they do not depend on the order the
 * tasks run in. A slot whose mixture could not be drawn keeps gold 0. */
static void mixture_task(void *ctx, unsigned worker, size_t i) {
  mixture_run *r = ctx;
  trainer *t = r->t;
  size_t k = t->k;
  unsigned f = (unsigned)(i / r->chunks_per_fold);
  uint64_t rng = (t->o->seed ^ MIX_SEED_SALT) + 0x9E3779B97F4A7C15ULL * i;
  avis_nb_scorer sc;
  make_scorer(t, r->w[f], &sc);
  for (size_t m = 0; m < MIXTURE_CHUNK; m++) {
    size_t slot = i * MIXTURE_CHUNK + m;
    calibration_doc *cd = &r->set->docs[slot];
    cd->gold = 0;
    cd->shares = r->set->values + 2 * slot * k;
    cd->peak = cd->shares + k;
    int rc = mix_document(t, r->ix, f, &rng, &r->seq[worker], &cd->gold);
    if (rc == 0)
      rc = avis_nb_predict(&sc, r->seq[worker].data, r->seq[worker].len,
                           &r->work[worker], cd->shares, NULL);
    if (rc < 0) {
      r->failed[i] = 1;
      cd->gold = 0;
    }
    if (rc || cd->gold == 0)
      continue;
    cd->best = 0;
    for (size_t c = 0; c < k; c++) {
      cd->peak[c] = r->work[worker].peak[c];
      if (cd->shares[c] > cd->shares[cd->best])
        cd->best = c;
    }
  }
}

/* Shares of synthetic documents mixed from each fold's held-out known
 * documents, under the model that has not seen that fold. */
static size_t mixture_chunks_per_fold(const trainer *t) {
  size_t known = 0;
  for (size_t i = 0; i < t->nd; i++)
    known += t->role[i] != FREE;
  size_t n = 2 * known / t->o->cv_folds;
  if (n < MIN_MIXTURES_PER_FOLD)
    n = MIN_MIXTURES_PER_FOLD;
  if (n > MAX_MIXTURES_PER_FOLD)
    n = MAX_MIXTURES_PER_FOLD;
  return (n + MIXTURE_CHUNK - 1) / MIXTURE_CHUNK;
}

/* The weights of each fold's model, computed at once. */
typedef struct {
  trainer *t;
  float **w; /* per fold */
  model_tasks m;
} fold_weights_run;

/* Task f: the weights of the model without fold f. */
static void fold_weights_task(void *ctx, unsigned worker, size_t f) {
  fold_weights_run *r = ctx;
  trainer *t = r->t;
  gsl_matrix *n = r->m.space[worker].n;
  model_counts(t, (unsigned)f, n);
  r->w[f] = malloc((size_t)t->nterms * t->k * sizeof *r->w[f]);
  r->m.failed[f] = !r->w[f] || weights_from_counts(n, t->alpha, t->o->min_own,
                                                  t->complement, r->w[f]);
}

static int fold_weights(trainer *t, float **w) {
  fold_weights_run r = {t, w, {NULL, NULL}};
  return run_model_tasks(t, t->o->cv_folds, fold_weights_task, &r, &r.m);
}

static int mixture_shares(trainer *t, calibration_set *set) {
  size_t k = t->k, nf = t->o->cv_folds, chunks = mixture_chunks_per_fold(t);
  size_t ntasks = nf * chunks, slots = ntasks * MIXTURE_CHUNK;
  unsigned threads = threads_for(t, ntasks);
  fold_index ix = {0};
  mixture_run r = {t, &ix, calloc(nf, sizeof *r.w), set, chunks,
                   calloc(threads, sizeof *r.seq),
                   calloc(threads, sizeof *r.work), calloc(ntasks, 1)};
  int rc = r.w && r.seq && r.work && r.failed &&
                   !calibration_reserve(set, slots, k)
               ? index_folds(t, &ix)
               : AVIS_ERR_NOMEM;
  if (!rc)
    rc = fold_weights(t, r.w);
  if (!rc)
    run_tasks(threads, ntasks, mixture_task, &r);
  for (size_t i = 0; !rc && i < ntasks; i++)
    if (r.failed[i])
      rc = AVIS_ERR_NOMEM;
  for (size_t i = 0; !rc && i < slots; i++)
    if (set->docs[i].gold)
      set->docs[set->n++] = set->docs[i];
  for (size_t f = 0; r.w && f < nf; f++)
    free(r.w[f]);
  for (unsigned w = 0; w < threads; w++) {
    if (r.seq)
      avis_vec_release(&r.seq[w]);
    if (r.work)
      avis_nb_work_release(&r.work[w]);
  }
  free(r.w);
  free(r.seq);
  free(r.work);
  free(r.failed);
  free(ix.doc);
  free(ix.start);
  return rc ? avis_fail(AVIS_ERR_NOMEM, "out of memory") : 0;
}

/* The grids tagging is calibrated on: share thresholds, passage_win (a
 * value above 1 turns peaks off) and tag_floor. */
#define NTHRESHOLDS 60
static const double peak_grid[] = {0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.01};
static const double floor_grid[] = {0.02, 0.03, 0.05, 0.08, 0.12};
#define NPEAK (sizeof peak_grid / sizeof *peak_grid)
#define NFLOOR (sizeof floor_grid / sizeof *floor_grid)

static double grid_threshold(int g) { return (g + 1) / 100.0; }

/* The highest grid threshold that `share` reaches, or -1. */
static int reached_threshold(double share) {
  int g = (int)floor(share * 100) - 1;
  if (g >= NTHRESHOLDS)
    g = NTHRESHOLDS - 1;
  while (g + 1 < NTHRESHOLDS && share >= grid_threshold(g + 1))
    g++;
  while (g >= 0 && share < grid_threshold(g))
    g--;
  return g;
}

/* The best F1 of topic c over the share thresholds from `lowest` up, given
 * the peak rule; the threshold in *th. Documents the peak rule tags count
 * whatever the threshold; the others are counted at the highest threshold
 * they reach, and a sweep from the top sums them up. */
static double best_threshold(const calibration_set *set, size_t c, double pw,
                             double floor, double lowest, double *th) {
  double tp_at[NTHRESHOLDS] = {0}, fp_at[NTHRESHOLDS] = {0};
  double tp = 0, fp = 0, pos = 0, f1[NTHRESHOLDS];
  for (size_t i = 0; i < set->n; i++) {
    const calibration_doc *d = &set->docs[i];
    int gold = (int)(d->gold >> c & 1);
    pos += gold;
    if (d->best == c || (d->peak[c] >= pw && d->shares[c] >= floor)) {
      tp += gold;
      fp += !gold;
      continue;
    }
    int g = reached_threshold(d->shares[c]);
    if (g >= 0)
      *(gold ? &tp_at[g] : &fp_at[g]) += 1;
  }
  for (int g = NTHRESHOLDS - 1; g >= 0; g--) {
    tp += tp_at[g];
    fp += fp_at[g];
    f1[g] = tp > 0 ? 2 * tp / (tp + fp + pos) : 0;
  }
  double best = -1;
  for (int g = 0; g < NTHRESHOLDS; g++)
    if (grid_threshold(g) >= lowest - 1e-9 && f1[g] > best) {
      best = f1[g];
      *th = grid_threshold(g);
    }
  return best;
}

/* Tagging rules that best agree with the held-out mixtures: each topic's
 * share threshold, and the peak and floor of the passage rule, chosen for
 * the best mean F1 over topics. Topics with too few held-out documents to
 * calibrate take the lowest calibrated threshold.
 *
 * No share threshold is below 1/K, the share of every topic when the text
 * says nothing the model knows: the mixtures are news like the training
 * data, on which lower thresholds can score well, but on anything else
 * (reviews, posts, off-topic news) the posterior is flat and such a
 * threshold tags topics at random. With the default model, the floor
 * raised the tags' micro-F1 on held-out OrangeSum articles and on another
 * news set, and cut the extra tags of film reviews by two thirds
 * (docs/topics.md). */
static void fit_tagging(trainer *t, const calibration_set *set) {
  size_t k = t->k, ncal = 0;
  double lowest = 1.0 / (double)k;
  if (lowest > grid_threshold(NTHRESHOLDS - 1))
    lowest = grid_threshold(NTHRESHOLDS - 1);
  int *calibrated = calloc(k, sizeof *calibrated);
  double *th = malloc(k * sizeof *th), *f1 = malloc(k * sizeof *f1);
  if (!calibrated || !th || !f1) {
    free(calibrated);
    free(th);
    free(f1);
    return;
  }
  for (size_t c = 0; c < k; c++) {
    size_t pos = 0;
    for (size_t i = 0; i < set->n; i++)
      pos += set->docs[i].gold >> c & 1;
    calibrated[c] = pos >= MIN_CALIBRATION_DOCS;
    ncal += (size_t)calibrated[c];
  }
  double best = -1;
  for (size_t a = 0; ncal && a < NPEAK; a++)
    for (size_t b = 0; b < NFLOOR; b++) {
      double sum = 0;
      for (size_t c = 0; c < k; c++)
        if (calibrated[c])
          sum += f1[c] = best_threshold(set, c, peak_grid[a], floor_grid[b],
                                        lowest, &th[c]);
      if (sum > best) {
        best = sum;
        t->passage_win = peak_grid[a] > 1 ? 1 : peak_grid[a];
        t->tag_floor = peak_grid[a] > 1 ? 1 : floor_grid[b];
        for (size_t c = 0; c < k; c++)
          t->threshold[c] = calibrated[c] ? th[c] : -1;
      }
    }
  double fallback = -1;
  char x[32], y[32];
  for (size_t c = 0; c < k; c++) {
    if (!calibrated[c])
      continue;
    say(t, "topic %s: tag from share %s (F1 %s on %zu held-out mixtures)",
        t->ids[c], num(x, t->threshold[c], 2),
        num(y, best_threshold(set, c, t->passage_win, t->tag_floor, lowest,
                              &th[c]), 3),
        set->n);
    if (fallback < 0 || t->threshold[c] < fallback)
      fallback = t->threshold[c];
  }
  for (size_t c = 0; c < k; c++)
    if (!calibrated[c])
      t->threshold[c] = fallback < 0 ? DEFAULT_THRESHOLD : fallback;
  say(t, "passages: a topic with a window of posterior %s and a share of %s "
      "is tagged", num(x, t->passage_win, 2), num(y, t->tag_floor, 2));
  free(calibrated);
  free(th);
  free(f1);
}

static int calibrate(trainer *t) {
  for (size_t c = 0; c < t->k; c++)
    t->threshold[c] = 0.5;
  t->passage_win = t->tag_floor = 1;
  if (t->o->kind != AVIS_CLASSIFIER_TOPICS)
    return 0;
  calibration_set set = {0};
  int rc = mixture_shares(t, &set);
  if (!rc)
    fit_tagging(t, &set);
  calibration_set_release(&set);
  return rc;
}

/* ---- 8. The model file ------------------------------------------------------ */

static int provenance(const trainer *t, avis_buf *out) {
  const avis_train_options *o = t->o;
  char text[2048], a[32], b[32], c[32], d[32];
  snprintf(text, sizeof text,
           "command: %s\ndata: %s\ndate: %s\ntrainer: avis %s naive Bayes\n"
           "documents: %zu labelled, %zu unlabelled (%zu seed-labelled)\n"
           "vocabulary: %u terms in at least %u documents\n"
           "variant: %s, smoothing %s towards the corpus (%u-fold "
           "cross-validated macro-F1 %s)\n"
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
                      (float)t->passage_win, (float)t->tag_floor};
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
  free(t->role);
  free(t->fold);
  for (unsigned f = 0; t->fold_counts && f < t->o->cv_folds; f++)
    matrix_free(t->fold_counts[f]);
  free(t->fold_counts);
  matrix_free(t->known);
  matrix_free(t->free_counts);
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

static int final_weights(trainer *t) {
  gsl_matrix *n = matrix_new(t->k, t->nterms);
  if (!n)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  int rc = run_em(t, n);
  if (!rc) {
    model_counts(t, t->o->cv_folds, n);
    if (weights_from_counts(n, t->alpha, t->o->min_own, t->complement, t->w))
      rc = avis_fail(AVIS_ERR_NOMEM, "out of memory");
  }
  matrix_free(n);
  return rc;
}

/* A topic nothing teaches gets a bias that keeps its posterior at 0. */
static void silence_absent_topics(trainer *t) {
  for (size_t c = 0; c < t->k; c++)
    if (t->absent >> c & 1)
      t->bias[c] = (float)(ABSENT_BIAS / t->scale);
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
      (rc = final_weights(t)))
    return rc;
  silence_absent_topics(t);
  if ((rc = calibrate(t)))
    return rc;
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
