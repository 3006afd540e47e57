/* The per-analyzer word cache: what the model says about each distinct
 * token, worked out once.
 *
 * Without it a token would pay for up to eight hash lookups (its stem in
 * the stem cache, its form in the lexicon, in the modifier lists and in
 * both their tables of expression heads, its stem in the lexicon's stem
 * table, the stop words, the vocabularies of the topic and sentiment
 * classifiers) and every occurrence would be normalised again. The model
 * never changes, so all of that is a function of the token's bytes and of
 * its role (a stemmed word, a hashtag, an elided clitic, ...): the cache
 * keys it by the bytes and computes it on the first occurrence. Each token
 * then costs one lookup, and its strings are copied into the document's
 * arena once per document rather than once per occurrence. Bounded: when
 * it holds AVIS_WORD_CACHE_MAX forms, it keeps those of the most recent
 * documents (at most half) and drops the others. */
#ifndef AVIS_WORDCACHE_H
#define AVIS_WORDCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "lexicon.h"
#include "stem.h"
#include "strmap.h"
#include "tokenize.h"

/* Room for 262,144 forms: 16 MB of entries and 2 MB of slots (each in
 * pages of 2 MiB, backed only as they are written) and, on news, a few MB
 * of strings per analyzer. The 36,000 OrangeSum articles hold 174,000
 * distinct forms. With room for half as many, the cache worked out 202,000
 * forms over them at -j1, each costing a stemming and about ten hash
 * lookups, and 527,000 over 100,000 articles at -j2 (both analyzers
 * evicting and working the same words out again); with this room, 174,000
 * and 323,000: 4 to 5% less time over the 100,000 articles, and no
 * difference above the machine's noise over the 36,000 at -j1. A longer
 * tail of words, as a stream of millions of articles has, is evicted as
 * before. */
#define AVIS_WORD_CACHE_MAX 262144
/* Asks for the cache line at p ahead of its use: a hint, never a fault.
 * The cache's lookups and topic scoring hide memory latency with it. */
#if defined(__GNUC__)
#define AVIS_PREFETCH(p) __builtin_prefetch(p)
#else
#define AVIS_PREFETCH(p) ((void)(p))
#endif

/* Index of nothing in avis_word's fields. */
#define AVIS_WORD_NONE UINT32_MAX

/* The classifiers whose term ids avis_word holds. */
enum { AVIS_WORD_TOPICS, AVIS_WORD_CLASSES, AVIS_WORD_CLASSIFIERS };

/* What the model says about one token, by index so that a document's
 * tokens take little room; AVIS_WORD_NONE when absent. */
typedef struct {
  uint32_t lex_form; /* lexicon entry of the normalised form */
  uint32_t lex_stem; /* lexicon stem entry of the stem (stemmed words) */
  uint32_t mod;      /* modifier list item of the normalised form */
  uint32_t term[AVIS_WORD_CLASSIFIERS]; /* classifier term id of the
                                           token's topic term */
  uint8_t lex_mwe;  /* longest lexicon expression, in words, the form
                       starts; 0 when none */
  uint8_t mod_mwe;  /* the same in the modifier lists */
  /* Bits rather than bytes, so that avis_word stays 24 bytes and the
   * cache's entry one cache line. */
  unsigned mwe_tail : 1; /* the form may be a later word of an expression
                            of either: when the next token's is not, no
                            expression starts at this one */
  unsigned function_word : 1; /* avis_is_function_word() of the form */
  unsigned inert : 1; /* avis_sentiment_inert() of the word in its role:
                         sentiment scoring only counts it, unless an
                         expression starts at it */
} avis_word;

_Static_assert(sizeof(avis_word) == 24, "avis_word grew");

/* The parts of a model the cache consults; any may be NULL. */
typedef struct {
  const avis_lexicon *lexicon;
  const avis_modifiers *modifiers;
  const avis_strmap *stopwords;
  const avis_classifier *classifiers[AVIS_WORD_CLASSIFIERS];
} avis_word_sources;

typedef struct avis_word_cache avis_word_cache;

/* A cache over `sources` (copied; what they point to must outlive the
 * cache), stemming with `stemmer`, which it uses but does not own.
 * 0 or AVIS_ERR_NOMEM. */
int avis_word_cache_new(avis_word_cache **out, const avis_word_sources *sources,
                        avis_stemmer *stemmer);
void avis_word_cache_free(avis_word_cache *c);

/* Words are stemmed; elided clitics and other kinds are not. */
static inline int avis_tok_is_stemmed(const avis_tok *t) {
  return t->kind == AVIS_TOKEN_WORD && !(t->flags & AVIS_TF_ELISION);
}

/* Sets the normalised form and the stem of toks[0..ntok) of `text`, valid
 * UTF-8 (a token that is not stemmed is its own stem), appending each
 * distinct string to `arena` once, and points *words at what the model
 * says about each token: ntok entries, valid until the next call. 0,
 * AVIS_ERR_NOMEM, AVIS_ERR_TOO_LARGE (the arena would pass 4 GiB) or
 * AVIS_ERR_ARG (text that is not UTF-8). */
int avis_word_cache_resolve(avis_word_cache *c, const char *text,
                            avis_tok *toks, size_t ntok, avis_buf *arena,
                            const avis_word **words);

/* Distinct token forms held, for tests and benchmarks. */
size_t avis_word_cache_size(const avis_word_cache *c);

/* The lexicon entry and modifier behind an avis_word's index, or NULL. */
static inline const avis_lex_entry *avis_word_entry(const avis_lexicon *lex,
                                                    uint32_t i) {
  return i == AVIS_WORD_NONE ? NULL
                             : (const avis_lex_entry *)lex->entries.data + i;
}

static inline const avis_modifier *
avis_word_modifier(const avis_modifiers *mods, uint32_t i) {
  return i == AVIS_WORD_NONE ? NULL
                             : (const avis_modifier *)mods->items.data + i;
}

#endif
