/*
 * avis_train.h: building models with avis. Training corpora, naive Bayes
 * and LDA training, writing model files, evaluation on held-out documents.
 *
 * Opt-in: a program that analyses text with existing models needs avis.h
 * alone. This header includes avis.h and adds what the `avis train`,
 * `avis evaluate` and `avis topics` commands are built on.
 *
 * Not yet stable. Added in 0.1, this interface is outside the API and ABI
 * promise of avis.h (docs/api.md, "Versions"): any release, minor ones
 * included, may change or remove its functions, types and constants, and
 * such a change does not bump the shared library's SOVERSION. A program
 * that includes this header should be built against the release it runs
 * with: check avis_version_number() against AVIS_VERSION_NUMBER at start.
 *
 * The rules of avis.h hold here too: every `_new` returning an object
 * through `**out` hands it to the caller, who releases it with the
 * matching `_free` (`_free(NULL)` is a no-op); functions that can fail
 * return 0 or a negative avis_error code, with details in
 * avis_last_error(). A corpus is used by one thread at a time; training
 * starts threads of its own and returns once they are done; a trained
 * classifier or LDA model is immutable and may be shared between threads.
 */
#ifndef AVIS_TRAIN_H
#define AVIS_TRAIN_H

#include "avis.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Corpora ------------------------------------------------------------
 * The documents a model is trained or evaluated on, read into the terms of
 * the topic pipeline with the stop words of an avis_model.
 */
typedef struct avis_corpus avis_corpus;

/* An empty corpus reading text with the model's stop words; the model must
 * outlive it. Since 0.1. */
AVIS_EXPORT int avis_corpus_new(avis_corpus **out, const avis_model *model);
/* Releases a corpus, before the model it reads with. */
AVIS_EXPORT void avis_corpus_free(avis_corpus *corpus);
/* Adds a document (decoded like avis_analyze() input) with its labels; no
 * label makes it unlabelled text. At most 64 distinct labels. Empty or
 * binary text fails like avis_analyze() and is not added. Since 0.1. */
AVIS_EXPORT int avis_corpus_add(avis_corpus *corpus, const char *text,
                                size_t len, const char *const *labels,
                                size_t nlabels);
/* Same, with a weight in (0, 100] (1 for avis_corpus_add()): how much the
 * document counts in training, e.g. to make a small in-domain set count as
 * much as a large one. Since 0.1. */
AVIS_EXPORT int avis_corpus_add_weighted(avis_corpus *corpus, const char *text,
                                         size_t len, const char *const *labels,
                                         size_t nlabels, double weight);
/* One text of avis_corpus_add_batch(). */
typedef struct {
  const char *text;
  size_t len;
  const char *const *labels;
  size_t nlabels;
  double weight; /* in (0, 100] */
} avis_corpus_text;

/* How many threads avis_corpus_add_batch() reads with, 1 to 256 (default
 * 1). The corpus comes out the same whatever their number. Since 0.1. */
AVIS_EXPORT int avis_corpus_set_threads(avis_corpus *corpus, unsigned threads);
/* Adds docs[0..n) in order, as n calls of avis_corpus_add_weighted()
 * would, with the same result, but reads them on the corpus's threads;
 * the calling thread waits for them. status[i] gets what that call would
 * have returned for docs[i]: 0 when added, a negative code when not (empty
 * or binary text, a bad weight or label). Returns 0, or AVIS_ERR_NOMEM,
 * AVIS_ERR_ARG (bad arguments, a corpus of AVIS_TERMS_TOKENS) when the
 * batch could not be read; status[] then tells which documents were added.
 * Since 0.1. */
AVIS_EXPORT int avis_corpus_add_batch(avis_corpus *corpus,
                                      const avis_corpus_text *docs, size_t n,
                                      int *status);
/* Documents added so far. Since 0.1. */
AVIS_EXPORT size_t avis_corpus_size(const avis_corpus *corpus);
/* The fold (0 .. folds-1) of document `doc` for a given seed: the split
 * that avis_train_options_set_holdout() and cross-validation use. Since 0.1. */
AVIS_EXPORT unsigned avis_corpus_fold(size_t doc, unsigned folds,
                                      uint64_t seed);

/* Chooses the corpus's terms; AVIS_ERR_ARG once it holds documents.
 * Since 0.1. */
AVIS_EXPORT int avis_corpus_set_terms(avis_corpus *corpus, avis_terms_kind kind);
/* Adds one pre-tokenised document: tokens separated by spaces or tabs,
 * taken as they are (no decoding beyond UTF-8 validation, no stemming, no
 * stop words). The corpus must be of AVIS_TERMS_TOKENS. A line without
 * tokens fails with AVIS_ERR_EMPTY and adds nothing. Since 0.1. */
AVIS_EXPORT int avis_corpus_add_tokens(avis_corpus *corpus, const char *line,
                                       size_t len);

/* ---- Naive Bayes classifiers: training, evaluation (docs/topics.md) ---- */
typedef struct avis_train_options avis_train_options;

/* Training options with the defaults of docs/topics.md. Since 0.1. */
AVIS_EXPORT int avis_train_options_new(avis_train_options **out,
                                       avis_classifier_kind kind);
/* Releases training options. */
AVIS_EXPORT void avis_train_options_free(avis_train_options *opts);
/* A topic definition file: "[id] French name" lines, each followed by seed
 * words. Topics are taken in its order; corpus labels it lacks are added
 * after them. Since 0.1. */
AVIS_EXPORT int avis_train_options_set_topics(avis_train_options *opts,
                                              const char *path);
/* Smoothing: pseudo-counts per term, spread like the whole training text
 * (docs/topics.md); 0 (default) chooses it by cross-validation. Since 0.1. */
AVIS_EXPORT int avis_train_options_set_smoothing(avis_train_options *opts,
                                                 double alpha);
/* The seed of every split; training is deterministic given it. Since 0.1. */
AVIS_EXPORT int avis_train_options_set_seed(avis_train_options *opts,
                                            uint64_t seed);
/* EM iterations over unlabelled documents (default 4) and the weight of an
 * unlabelled document against a labelled one (default 0.3). Since 0.1. */
AVIS_EXPORT int avis_train_options_set_em(avis_train_options *opts,
                                          unsigned iterations,
                                          double unlabelled_weight);
/* Keep terms found in at least min_df training documents (default 3), and
 * at most max_terms of them, the most frequent (0: no limit). Since 0.1. */
AVIS_EXPORT int avis_train_options_set_min_df(avis_train_options *opts,
                                              unsigned min_df,
                                              unsigned max_terms);
/* Feature transforms of term counts (bit flags). */
#define AVIS_FEATURE_LOG_TF 0x1u /* log(1 + count) */
#define AVIS_FEATURE_L2 0x2u     /* unit-length document vectors */
/* Variant: -1 chosen by cross-validation (default), 0 multinomial, 1
 * complement naive Bayes; features: AVIS_FEATURE_* (default both). Since 0.1. */
AVIS_EXPORT int avis_train_options_set_variant(avis_train_options *opts,
                                               int variant, unsigned features);
/* Trains without the documents of fold `fold` of `folds` (0 folds: use
 * all), for held-out evaluation. Since 0.1. */
AVIS_EXPORT int avis_train_options_set_holdout(avis_train_options *opts,
                                               unsigned fold, unsigned folds);
/* Threads training runs its cross-validation, EM and calibration on, 1 to
 * 256 (default 1); the calling thread waits for them. The model is the
 * same whatever their number. Since 0.1. */
AVIS_EXPORT int avis_train_options_set_threads(avis_train_options *opts,
                                               unsigned threads);
/* Recorded in the model file: the command, a description of the data, a
 * date. The library never reads the clock itself. Since 0.1. */
AVIS_EXPORT int avis_train_options_set_provenance(avis_train_options *opts,
                                                  const char *command,
                                                  const char *data,
                                                  const char *date);
/* Called with one line of progress at each training step. Since 0.1. */
AVIS_EXPORT int avis_train_options_set_progress(
    avis_train_options *opts, void (*fn)(void *user, const char *message),
    void *user);

/* Trains a classifier on a corpus. Since 0.1. */
AVIS_EXPORT int avis_classifier_train(avis_classifier **out,
                                      const avis_corpus *corpus,
                                      const avis_train_options *opts);
/* Writes the model file (through a temporary file renamed into place).
 * Since 0.1. */
AVIS_EXPORT int avis_classifier_save(const avis_classifier *cl,
                                     const char *path);
/* Shares (label_count entries, in label order) and tags of corpus document
 * `doc`; `tagged` may be NULL. Since 0.1. */
AVIS_EXPORT int avis_classifier_predict(const avis_classifier *cl,
                                        const avis_corpus *corpus, size_t doc,
                                        double *shares, int *tagged);

/* ---- LDA topic models: training, evaluation (docs/lda.md) -------------- */
typedef struct avis_lda_options avis_lda_options;

/* Options with the defaults of docs/lda.md: 50 topics, 200 iterations,
 * symmetric priors (alpha_k = 5 / K, beta = 0.01), the document-topic prior
 * optimised every 10 iterations after the first 50, one thread, seed 1.
 * Since 0.1. */
AVIS_EXPORT int avis_lda_options_new(avis_lda_options **out);
/* Releases options; NULL is a no-op. Since 0.1. */
AVIS_EXPORT void avis_lda_options_free(avis_lda_options *opts);
/* Number of topics, 2 to 1024. Since 0.1. */
AVIS_EXPORT int avis_lda_options_set_topics(avis_lda_options *opts, unsigned k);
/* Gibbs sweeps over the corpus. Since 0.1. */
AVIS_EXPORT int avis_lda_options_set_iterations(avis_lda_options *opts,
                                               unsigned iterations);
/* Symmetric priors: the document-topic prior's total (alpha_k = total / K)
 * and the topic-word prior beta. Since 0.1. */
AVIS_EXPORT int avis_lda_options_set_priors(avis_lda_options *opts,
                                           double alpha_total, double beta);
/* Minka's fixed-point update of the document-topic prior every `interval`
 * iterations once `burn_in` are done; interval 0 keeps it symmetric and
 * fixed. Since 0.1. */
AVIS_EXPORT int avis_lda_options_set_optimize(avis_lda_options *opts,
                                             unsigned interval,
                                             unsigned burn_in);
/* Sampling threads (documents are split between them; their topic counts
 * are merged after every iteration). The model depends on the seed and on
 * the thread count, not on timing. Since 0.1. */
AVIS_EXPORT int avis_lda_options_set_threads(avis_lda_options *opts,
                                            unsigned threads);
/* Seed of the GSL random number generator (default 1). Since 0.1. */
AVIS_EXPORT int avis_lda_options_set_seed(avis_lda_options *opts,
                                         uint64_t seed);
/* Vocabulary: terms in at least min_df documents and at most max_df_share
 * of them (default 5 and 0.5), at most max_terms of the most frequent (0: no
 * limit). Since 0.1. */
AVIS_EXPORT int avis_lda_options_set_vocabulary(avis_lda_options *opts,
                                               unsigned min_df,
                                               double max_df_share,
                                               unsigned max_terms);
/* Seeded topics: a topic definition file (the format of
 * avis_train_options_set_topics()); topic i is steered by the seed words of
 * its i-th definition, whose prior weight in it rises by `weight`
 * pseudo-counts (0: 0.1% of an average topic's tokens). Since 0.1. */
AVIS_EXPORT int avis_lda_options_set_seed_words(avis_lda_options *opts,
                                               const char *path,
                                               unsigned weight);
/* Pruning of the saved model: a term's count in a topic is kept when it
 * reaches min_count (default 2), and at most top_words terms per topic
 * (default 0: no limit). Since 0.1. */
AVIS_EXPORT int avis_lda_options_set_pruning(avis_lda_options *opts,
                                            unsigned min_count,
                                            unsigned top_words);
/* Training provenance recorded in the model file (any may be NULL); the
 * library never reads the clock. Since 0.1. */
AVIS_EXPORT int avis_lda_options_set_provenance(avis_lda_options *opts,
                                               const char *command,
                                               const char *data,
                                               const char *date);
/* Called with one line of progress per iteration: iteration, tokens per
 * second and, every 10 iterations, log-likelihood per token. Since 0.1. */
AVIS_EXPORT int avis_lda_options_set_progress(
    avis_lda_options *opts, void (*fn)(void *user, const char *message),
    void *user);

/* Trains a model on a corpus by collapsed Gibbs sampling. Since 0.1. */
AVIS_EXPORT int avis_lda_train(avis_lda **out, const avis_corpus *corpus,
                               const avis_lda_options *opts);
/* Writes the documents of a corpus, restricted to the vocabulary training
 * would use, as pre-tokenised text (one document a line), so that other
 * tools can be fed the same token stream. Since 0.1. */
AVIS_EXPORT int avis_lda_export_tokens(const avis_corpus *corpus,
                                       const avis_lda_options *opts,
                                       const char *path);
/* Writes a model file through a temporary file renamed into place.
 * Since 0.1. */
AVIS_EXPORT int avis_lda_save(const avis_lda *lda, const char *path);
/* Topic mixture (topic_count entries summing to 1) of corpus document `doc`
 * by fold-in Gibbs sampling with the topics fixed; the same seed gives the
 * same mixture. `iterations` 0 uses the default (50). Since 0.1. */
AVIS_EXPORT int avis_lda_infer(const avis_lda *lda, const avis_corpus *corpus,
                               size_t doc, unsigned iterations, uint64_t seed,
                               double *theta);

/* Quality of a model on held-out documents (docs/lda.md). */
typedef struct {
  double perplexity;    /* document completion, on the second half of each
                           document given the first */
  double log_likelihood;/* per held-out token (natural log) */
  size_t tokens, docs;  /* held-out tokens and documents used */
  double umass, npmi;   /* coherence of the top `top_words` words, averaged
                           over topics, on the reference corpus */
  double *topic_umass, *topic_npmi; /* per topic, topic_count each */
} avis_lda_quality;

/* Computes perplexity on `heldout` and coherence on `reference` (which may
 * be the same corpus); `top_words` 0 means 10. Release with
 * avis_lda_quality_release(). Since 0.1. */
AVIS_EXPORT int avis_lda_evaluate(const avis_lda *lda,
                                  const avis_corpus *heldout,
                                  const avis_corpus *reference,
                                  unsigned top_words, uint64_t seed,
                                  avis_lda_quality *out);
/* Releases the per-topic arrays of a quality report. Since 0.1. */
AVIS_EXPORT void avis_lda_quality_release(avis_lda_quality *q);

/* ---- Data images ----------------------------------------------------------
 * The default lexicon, modifier list and stop words of a data directory,
 * compiled into one file, lexicons/fr-default.avd, that avis_model_load()
 * maps instead of parsing the three text files when the image matches them
 * and this library exactly; otherwise it parses them, with the same result
 * (docs/model-format.md, "Data images").
 */
typedef enum {
  AVIS_DATA_IMAGE_CURRENT = 0, /* what a build would write now */
  AVIS_DATA_IMAGE_MISSING = 1, /* no image file (or it cannot be read) */
  AVIS_DATA_IMAGE_DAMAGED = 2, /* not an image, truncated, bad checksum */
  AVIS_DATA_IMAGE_STALE = 3,   /* a source file changed since the build */
  AVIS_DATA_IMAGE_FOREIGN = 4, /* built by other versions of avis, utf8proc
                                  or the Snowball stemmer */
  AVIS_DATA_IMAGE_DIFFERENT = 5 /* same sources and libraries, yet a build
                                   now writes other bytes */
} avis_data_image_status;

/* Builds the image of the data files in `data_dir` and writes it to `path`
 * (NULL: data_dir/lexicons/fr-default.avd) through a temporary file. The
 * same sources and libraries always give the same bytes. Since 0.1. */
AVIS_EXPORT int avis_data_image_build(const char *data_dir, const char *path);
/* Compares the image at `path` (NULL: the default place) with what
 * avis_data_image_build() would write now. 0 when it could tell: *status
 * says how they compare, and `why` (may be NULL) gets a one-line
 * explanation, cut to why_size bytes. A model uses an image that is
 * CURRENT (and one that is DIFFERENT, which a rebuild must fix). Negative
 * when the data files cannot be read or parsed. Since 0.1. */
AVIS_EXPORT int avis_data_image_check(const char *data_dir, const char *path,
                                      avis_data_image_status *status,
                                      char *why, size_t why_size);

#ifdef __cplusplus
}
#endif

#endif
