/* The loaded, immutable model and the per-thread analyzer. */
#ifndef AVIS_MODEL_H
#define AVIS_MODEL_H

#include "avis.h"
#include "buf.h"
#include "dataimage.h"
#include "lexicon.h"
#include "sentiment.h"
#include "stem.h"
#include "strmap.h"
#include "wordcache.h"

/* Default data below the data directory (docs/ARCHITECTURE.md). */
#define AVIS_DEFAULT_LEXICON "lexicons/fr-polarity.tsv"
#define AVIS_DEFAULT_MODIFIERS "lexicons/modifiers.tsv"
#define AVIS_DEFAULT_STOPWORDS "lexicons/stopwords-fr.txt"
#define AVIS_DEFAULT_TOPICS "models/topics-fr.avm"
#define AVIS_DEFAULT_DATA_IMAGE "lexicons/fr-default.avd"

struct avis_model {
  avis_lexicon lexicon;
  avis_modifiers modifiers;
  avis_strmap stopwords;
  avis_data_image image;  /* mapped when the three above come from it */
  avis_buf lexicon_names; /* lexicon paths, each NUL-terminated, in order */
  avis_classifier *topics;    /* topic model, or NULL (src/topics.c) */
  avis_classifier *sentiment_classifier; /* supervised sentiment, or NULL */
  avis_lda *lda;              /* LDA topic model, or NULL (src/lda.c) */
};

/* Whether avis_model_load() may use the data image (default 1): tests and
 * the image builder turn it off to get the parsed tables. */
int avis_model_options_use_data_image(avis_model_options *opts, int yes);
/* 1 when the model's default tables come from the data image. */
int avis_model_uses_data_image(const avis_model *m);
/* data_dir + "/" + rel, malloc'ed, or NULL when out of memory. */
char *avis_data_path(const char *data_dir, const char *rel);

struct avis_analyzer {
  const avis_model *model;
  avis_stemmer *stemmer;
  avis_word_cache *words; /* what the model says about each token form */
  struct avis_topics_work *topics; /* tagging buffers (topics.c) */
  size_t max_bytes;
  size_t max_tokens; /* 0: no limit */
};

/* What avis_analyze() hands back; every string is inside `arena`. */
/* avis_analyze_reuse() empties a result for the next document by keeping
 * the members that own memory (analyze.c: result_clear()): a new such
 * member must be kept or released there too. */
struct avis_result {
  avis_encoding encoding;
  avis_buf text;       /* decoded UTF-8 */
  avis_buf arena;      /* normalised forms, stems, driver terms */
  avis_vec tokens;     /* avis_tok */
  size_t nsentences;
  avis_vec sent_spans; /* uint32_t start, end pairs per sentence */
  size_t chars, words;
  int truncated;       /* cut at the analyzer's token limit */
  avis_sentiment sentiment;
  avis_buf lexicons;   /* copy of the model's lexicon_names */
  size_t nlexicons;
  avis_vec topics;     /* avis_topic_hit (topics.h), ranked by share */
  avis_vec evidence;   /* avis_topic_word, the topics' evidence words */
  int has_class;       /* the supervised sentiment classifier ran */
  uint32_t class_off;  /* its label, in the arena */
  double class_prob;
  avis_vec lda;        /* avis_lda_hit (lda.h), by decreasing weight */
  avis_vec lda_words;  /* avis_topic_word (topics.h), the hits' top words */
};

#endif
