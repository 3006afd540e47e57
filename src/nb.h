/* Multinomial naive Bayes over term counts: scoring (shares, tags,
 * evidence) and training (smoothing and variant chosen by cross-validation,
 * seed words and EM for topics without labels, calibrated scale and
 * per-label thresholds). docs/topics.md explains the method. */
#ifndef AVIS_NB_H
#define AVIS_NB_H

#include <stddef.h>
#include <stdint.h>

#include "avis_train.h"
#include "buf.h"
#include "terms.h"
#include "topicfile.h"

/* What scoring needs: a loaded classifier provides one, training builds
 * temporary ones for its folds. */
typedef struct {
  uint32_t nlabels, nterms, flags, passage_terms;
  int multi_label;          /* topics: shares mix passages, several tags */
  const float *weights;     /* nterms rows of nlabels */
  const float *bias;        /* nlabels */
  const float *threshold;   /* nlabels */
  double scale, doc_weight;
  double passage_win, tag_floor;
} avis_nb_scorer;

void avis_nb_scorer_of(avis_nb_scorer *s, const avis_classifier *cl);

/* Size of the tables of log(1 + count) in avis_nb_work: counts of a term
 * in one document rarely reach it. */
#define AVIS_NB_LOG_TABLE 128

/* Sequences longer than this leave the room they took in avis_nb_work
 * once scored, rather than keeping it for the work's lifetime. */
#define AVIS_NB_KEEP_TERMS 65536

/* Reusable buffers for scoring, kept from one document to the next; the
 * zero value is ready. After avis_nb_predict() without tags, peak[c] is
 * the highest posterior label c reaches in a window of the document (see
 * there); the document's bag is kept for avis_nb_evidence().
 *
 * The document's bag is counted in a dense array indexed by term id rather
 * than in a hash table: a document touches a few hundred of the model's
 * terms, and only those slots are cleared afterwards, so a bag costs one
 * array access per term. Its passages and windows then count by the
 * index of each term in that bag (the sequence is rewritten in those
 * indices as the bag is counted), in arrays of the bag's size, and read
 * the weights from a copy of the bag's rows as doubles: contiguous, padded
 * to a multiple of four labels, so that adding a row is a few vector
 * instructions and no conversion. log(1 + count) comes from a table for
 * small counts. */
typedef struct {
  uint32_t *slot;           /* per term id: during avis_nb_predict(), its
                               index in the document's bag + 1; all 0
                               between calls */
  size_t nslots;
  uint32_t *ids;            /* a passage's bag: indices in the document's
                               bag, first seen first */
  float *vals;              /* their counts, then features; in a window,
                               each document term's count */
  uint32_t *place;          /* per document term: its index in the
                               passage's bag + 1; all 0 between passages */
  uint32_t *doc_ids;        /* the whole document's bag: distinct term ids,
                               first seen first */
  float *doc_vals;          /* their counts, then features before the
                               unit-length scaling */
  uint32_t *doc_first;      /* where each of its terms first occurs */
  double *doc_mean;         /* mean weight of each term over the labels */
  double *feat;             /* a bag's features as scoring reads them */
  size_t doc_len, cap;
  int doc_means_ready;
  uint32_t *local;          /* the sequence with each term as its index in
                               the document's bag, breaks kept */
  size_t local_cap;
  double *rows;             /* doc_len rows of `stride` weights, the
                               labels' then zeros */
  size_t stride, rows_cap;
  double *bias;             /* stride entries, zero beyond the labels */
  double *scores, *post, *peak; /* stride entries */
  uint32_t *undecided;      /* labels whose tag the peaks decide */
  size_t k;                 /* entries of the arrays above */
  int tables_ready;
  float log_f[AVIS_NB_LOG_TABLE];  /* (float)log1p(n) */
  double log_d[AVIS_NB_LOG_TABLE]; /* log1p(n) */
  /* log1p(n + 1) - log1p(n) and the same of the squares, as doubles */
  double log_step[AVIS_NB_LOG_TABLE - 1], square_step[AVIS_NB_LOG_TABLE - 1];
} avis_nb_work;

void avis_nb_work_release(avis_nb_work *w);

/* Feature values from counts, in place: AVIS_NB_LOG_TF, then AVIS_NB_L2. */
void avis_nb_transform(float *vals, size_t n, unsigned flags);
/* out[c] = bias[c] + sum of vals[i] * weight[ids[i]][c]. */
void avis_nb_score_row(const avis_nb_scorer *s, const uint32_t *ids,
                       const float *vals, size_t n, double *out);
/* post = softmax(scale * scores), computed as log-sum-exp. */
void avis_nb_softmax(const double *scores, size_t k, double scale,
                     double *post);

/* Shares of a term-id sequence (ids below s->nterms, sentences separated by
 * AVIS_TERM_BREAK): the whole-document posterior mixed with the
 * length-weighted posteriors of its passages. shares[] and tagged[] have
 * nlabels entries; shares sum to 1 (all 0 for a sequence without terms).
 * A window is a run of whole sentences of at least passage_terms terms
 * starting at any sentence (the whole document when it is shorter); a
 * topic's peak is its highest posterior in a window. A topic is tagged
 * when its share reaches its threshold, or when its peak reaches
 * passage_win and its share reaches tag_floor; the first-ranked one always
 * is. A class model tags only its first-ranked class.
 *
 * The windows are a third of the cost, and the tags need only the peaks
 * of the topics their shares leave undecided (below the threshold, at or
 * above the floor), and only until each has reached passage_win: with
 * `tagged`, that is all that is worked out, and w->peak means nothing
 * afterwards. Without `tagged` (calibration, which tries other
 * passage_win and floors), every peak is. */
int avis_nb_predict(const avis_nb_scorer *s, const uint32_t *seq, size_t n,
                    avis_nb_work *w, double *shares, int *tagged);

/* Up to `max` term ids of the document last given to avis_nb_predict()
 * with `w` that pushed label c most above the average label, strongest
 * first; their weights in weight[] and, when `first` is not NULL, the
 * index in the sequence of each one's first occurrence in first[]. */
size_t avis_nb_evidence(const avis_nb_scorer *s, uint32_t c, avis_nb_work *w,
                        uint32_t *ids, double *weight, uint32_t *first,
                        size_t max);

/* One topic of a seed file: id, French name, seed terms (stemmed). */
typedef struct {
  char *id, *name;
  avis_buf seeds; /* NUL-separated terms */
  size_t nseeds;
} avis_topic_def;

struct avis_train_options {
  avis_classifier_kind kind;
  double alpha;             /* 0: chosen by cross-validation */
  unsigned cv_folds;
  unsigned em_iterations;
  double unlabelled_weight;
  unsigned min_df, max_terms, passage_terms, min_seed_hits;
  double doc_weight, seed_prior;
  double min_own;           /* least share of a topic's own text in its
                               term distribution (nb_train.c) */
  int variant;              /* -1 chosen by cross-validation, 0 NB, 1 complement */
  unsigned flags;           /* AVIS_NB_* */
  int uniform_prior;
  uint64_t seed;
  unsigned threads;
  unsigned holdout_fold, holdout_folds;
  avis_topic_def *topics;
  size_t ntopics;
  char *command, *data, *date;
  void (*progress)(void *user, const char *message);
  void *progress_user;
};

/* Which of `folds` folds document d falls in, for a given seed. */
unsigned avis_nb_fold(size_t d, unsigned folds, uint64_t seed);

#endif
