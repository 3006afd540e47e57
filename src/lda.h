/* LDA topic models (docs/lda.md): the in-memory model shared by training,
 * the file reader and writer, fold-in inference and the quality measures. */
#ifndef AVIS_LDA_H
#define AVIS_LDA_H

#include <stddef.h>
#include <stdint.h>

#include "avis_train.h"
#include "buf.h"
#include "stem.h"
#include "strmap.h"

#define AVIS_LDA_MAX_TOPICS 1024u
#define AVIS_LDA_MAX_TERMS (1u << 24)
#define AVIS_LDA_DEFAULT_FOLD_IN 50u
/* Words of a topic's label. */
#define AVIS_LDA_LABEL_WORDS 3u

/* A model: topic-word counts kept as a sparse matrix by term (the counts a
 * term has in each topic where it was kept), with each topic's full token
 * count so that pruned terms keep their share of the smoothing. */
struct avis_lda {
  uint32_t k, nterms;
  uint32_t vocab;         /* terms when trained, before pruning */
  avis_terms_kind terms_kind;
  double beta;
  double *alpha;          /* k */
  double alpha_sum;
  uint64_t *topic_total;  /* k: tokens assigned to the topic when trained */
  uint64_t tokens;        /* training tokens */
  uint32_t *row;          /* nterms + 1: entries of term t are row[t]..row[t+1] */
  uint16_t *entry_topic;  /* row[nterms] */
  uint32_t *entry_count;
  avis_buf term_pool;     /* NUL-terminated terms */
  uint32_t *term_off;     /* nterms */
  avis_strmap lookup;     /* term -> id */
  char *provenance;
  /* Derived when the model is built or loaded. */
  float *phi;             /* nterms rows of k: p(term | topic) */
  uint32_t **top;         /* k lists of term ids, best first */
  uint32_t *ntop;         /* k */
  char **label;           /* k */
};

/* What training hands to the model builder: dense counts before pruning. */
typedef struct {
  uint32_t k, nterms;
  avis_terms_kind terms_kind;
  double beta;
  const double *alpha;
  const uint32_t *counts;      /* nterms rows of k */
  const char *const *terms;    /* nterms */
  unsigned min_count, top_words;
  const char *provenance;
} avis_lda_spec;

/* Builds a model from training counts, pruned as the spec says. */
int avis_lda_build(avis_lda **out, const avis_lda_spec *spec);
/* Fills the derived tables (phi, top words, labels) of a model whose
 * counts are set, and its term lookup. */
int avis_lda_derive(avis_lda *m);

/* Serialises a model (docs/lda.md, on the container of topicfile.h). */
int avis_lda_file_write(const avis_lda *m, avis_buf *out);
/* Checks and reads a model image; `name` names the file in errors. */
int avis_lda_file_parse(avis_lda **out, const unsigned char *data, size_t len,
                        const char *name);

/* Term id of a string, or UINT32_MAX. */
uint32_t avis_lda_term_id(const avis_lda *m, const char *s, size_t n);

/* Reusable buffers for fold-in; the zero value is ready. */
typedef struct {
  avis_vec z;       /* uint16_t per token */
  double *p, *sum;  /* k each */
  uint32_t *ndk;    /* k */
  size_t k;
} avis_lda_work;

void avis_lda_work_release(avis_lda_work *w);

/* Topic mixture theta[k] of the term ids w[0..n) (ids of the model) by
 * fold-in Gibbs sampling with the topics fixed; deterministic for a seed.
 * With n == 0 theta is the prior's mean. */
int avis_lda_fold_in(const avis_lda *m, const uint32_t *w, size_t n,
                     unsigned iterations, uint64_t seed, avis_lda_work *work,
                     double *theta);

/* Top words of a topic that a result copies for its JSON. */
#define AVIS_LDA_RESULT_WORDS 5u
/* Topics lighter than this are left out of a result's JSON. */
#define AVIS_LDA_JSON_MIN_WEIGHT 0.01

/* One topic of a document's mixture (avis_result's `lda`). The topic's
 * label and top words are copied into the result, which must not depend on
 * the model living on. */
typedef struct {
  uint32_t topic;
  double weight;
  uint32_t label_off;      /* in the result's arena */
  uint32_t words, nwords;  /* first and count in the result's lda_words */
} avis_lda_hit;

/* Fills r->lda, ranked by weight, from the result's tokens. */
int avis_lda_annotate(const avis_lda *m, const avis_strmap *stopwords,
                      avis_stemmer *stemmer, avis_result *r);

/* The terms of corpus document d as model term ids; unknown ones dropped. */
int avis_lda_doc_ids(const avis_lda *m, const avis_corpus *c, size_t d,
                     avis_vec *ids);

/* Coherence (lda_quality.c) of topics given as lists of `top` word indices
 * (best first) into a table of nw words: df[i] reference documents hold
 * word i, co[i * nw + j] hold both i and j, out of ndocs. UMass (Mimno et
 * al. 2011) and NPMI (Bouma 2009) averaged over the pairs of a topic. */
void avis_lda_coherence(const uint32_t *lists, size_t nlists, size_t top,
                        const uint32_t *df, const uint32_t *co, size_t nw,
                        size_t ndocs, double *umass, double *npmi);

#endif
