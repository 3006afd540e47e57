/* Snowball French stemming with a per-analyzer cache. */
#ifndef AVIS_STEM_H
#define AVIS_STEM_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "strmap.h"

typedef struct avis_stemmer avis_stemmer;

/* Creates a French Snowball stemmer of UTF-8 words with an empty cache (it
 * stems the words Latin-1 can write with Snowball's Latin-1 stemmer, which
 * gives the same stems faster: see stem.c). 0, AVIS_ERR_NOMEM or
 * AVIS_ERR_STEMMER. */
int avis_stemmer_new(avis_stemmer **out);
void avis_stemmer_free(avis_stemmer *st);

/* Stems a normalised word. Returns a pointer to the stem (NUL-terminated,
 * valid until the stemmer is freed or its cache cleared) and its length,
 * or NULL on allocation failure. Repeated words are answered from the
 * cache; the cache is cleared when it exceeds `AVIS_STEM_CACHE_MAX`
 * entries so that memory stays bounded over millions of documents. */
#define AVIS_STEM_CACHE_MAX 200000
const char *avis_stem(avis_stemmer *st, const char *word, size_t len,
                      size_t *stem_len);

/* Stems a normalised word without the cache: the stem (NUL-terminated)
 * stays valid only until the next call on this stemmer. For a caller that
 * keeps its own cache of words, such as the analyzer's word cache, whose
 * misses would nearly all miss this cache too and only fill it; NULL on
 * allocation failure or for a word of more than INT_MAX bytes. */
const char *avis_stem_uncached(avis_stemmer *st, const char *word, size_t len,
                               size_t *stem_len);

/* Cache statistics, for tests and benchmarks. */
size_t avis_stemmer_cache_size(const avis_stemmer *st);
size_t avis_stemmer_cache_hits(const avis_stemmer *st);

#endif
