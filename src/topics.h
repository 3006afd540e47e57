/* Topic tagging of an analysed document, and the supervised sentiment
 * label: the classifiers of the model applied to the result's terms. */
#ifndef AVIS_TOPICS_H
#define AVIS_TOPICS_H

#include <stdint.h>

#include "model.h"

#define AVIS_EVIDENCE_MAX 5

typedef struct {
  uint32_t id_off, name_off; /* in the result's arena */
  double share;
  int tagged;
  uint32_t evidence, nevidence; /* first and count in the result's evidence */
} avis_topic_hit;

typedef struct {
  uint32_t word_off; /* normalised word, in the result's arena */
  double weight;
} avis_topic_word;

/* Buffers for tagging, kept by an analyzer from one document to the
 * next (one per thread, like the analyzer). */
typedef struct avis_topics_work avis_topics_work;

/* 0 or AVIS_ERR_NOMEM. */
int avis_topics_work_new(avis_topics_work **out);
void avis_topics_work_free(avis_topics_work *w);

/* Fills r->topics, r->evidence and the sentiment class from the model's
 * classifiers (those it has). r's tokens carry their normalised forms and
 * stems, and `words` their terms' ids in the classifiers
 * (avis_word_cache_resolve()). 0 or AVIS_ERR_NOMEM. */
int avis_topics_annotate(const avis_model *m, const avis_word *words,
                         avis_topics_work *w, avis_result *r);

#endif
