#include "stem.h"

#include <libstemmer.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "avis.h"
#include "error.h"

/* Stems are kept NUL-terminated in blocks that never move, so that the
 * pointer avis_stem() returned for one word survives the words cached
 * after it, as stem.h promises; only a clear of the cache frees them.
 * Callers still copy a stem before their next avis_stem() call, because
 * that call may be the one that finds the cache full and clears it (the
 * analyzer copies every stem into its result).
 *
 * The cache maps a word straight to the place of its stem, block number ×
 * BLOCK_SIZE + offset, rather than to an entry of a side table: one memory
 * access fewer on the path every running word takes. A stem longer than a
 * block gets a block of its own, at offset 0. */
#define BLOCK_SIZE 65536u
#define MAX_BLOCKS (UINT32_MAX / BLOCK_SIZE)

struct avis_stemmer {
  struct sb_stemmer *sb;
  avis_strmap cache;  /* normalised word -> place of its stem */
  avis_vec blocks;    /* char *, the storage of the stems */
  size_t block_used;  /* bytes used in the last block */
  size_t hits;
};

int avis_stemmer_new(avis_stemmer **out) {
  *out = NULL;
  avis_stemmer *st = calloc(1, sizeof *st);
  if (!st)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory creating a stemmer");
  st->sb = sb_stemmer_new("french", "UTF_8");
  if (!st->sb) {
    free(st);
    return avis_fail(AVIS_ERR_STEMMER,
                     "libstemmer has no French stemmer for UTF-8");
  }
  *out = st;
  return 0;
}

static void clear_cache(avis_stemmer *st) {
  char **blocks = st->blocks.data;
  for (size_t i = 0; i < st->blocks.len; i++)
    free(blocks[i]);
  st->blocks.len = 0;
  st->block_used = 0;
  avis_strmap_clear(&st->cache);
}

void avis_stemmer_free(avis_stemmer *st) {
  if (!st)
    return;
  sb_stemmer_delete(st->sb);
  clear_cache(st);
  avis_vec_release(&st->blocks);
  avis_strmap_release(&st->cache);
  free(st);
}

static const char *stem_at(const avis_stemmer *st, uint32_t place) {
  return ((char *const *)st->blocks.data)[place / BLOCK_SIZE] +
         place % BLOCK_SIZE;
}

/* Starts a block with room for `need` bytes; a larger one than usual is
 * left full, so that the next stem starts another. */
static int add_block(avis_stemmer *st, size_t need) {
  char *block = malloc(need > BLOCK_SIZE ? need : BLOCK_SIZE);
  char **slot = block ? avis_vec_push(&st->blocks, sizeof *slot) : NULL;
  if (!slot) {
    free(block);
    return AVIS_ERR_NOMEM;
  }
  *slot = block;
  st->block_used = 0;
  return 0;
}

/* Copies a stem into the blocks; 0 and its place, or AVIS_ERR_NOMEM. */
static int store_stem(avis_stemmer *st, const char *stem, size_t len,
                      uint32_t *place) {
  if ((!st->blocks.len || BLOCK_SIZE - st->block_used < len + 1) &&
      add_block(st, len + 1))
    return AVIS_ERR_NOMEM;
  *place = (uint32_t)((st->blocks.len - 1) * BLOCK_SIZE + st->block_used);
  char *p = ((char **)st->blocks.data)[st->blocks.len - 1] + st->block_used;
  memcpy(p, stem, len);
  p[len] = '\0';
  st->block_used = len + 1 > BLOCK_SIZE ? BLOCK_SIZE : st->block_used + len + 1;
  return 0;
}

/* Stems a word missing from the cache and caches it. */
static int stem_and_cache(avis_stemmer *st, const char *word, size_t len,
                          uint32_t *place) {
  /* Clearing before the cache or the places overflow keeps both bounded;
   * one stem adds at most one block. */
  if (st->cache.count >= AVIS_STEM_CACHE_MAX || st->blocks.len >= MAX_BLOCKS)
    clear_cache(st);
  const sb_symbol *stem =
      sb_stemmer_stem(st->sb, (const sb_symbol *)word, (int)len);
  if (!stem ||
      store_stem(st, (const char *)stem, (size_t)sb_stemmer_length(st->sb),
                 place) ||
      avis_strmap_put(&st->cache, word, len, *place))
    return avis_fail(AVIS_ERR_NOMEM, "out of memory stemming a word");
  return 0;
}

const char *avis_stem(avis_stemmer *st, const char *word, size_t len,
                      size_t *stem_len) {
  uint32_t place;
  if (avis_strmap_get(&st->cache, word, len, &place))
    st->hits++;
  else if (len > INT_MAX) {
    avis_fail(AVIS_ERR_TOO_LARGE, "cannot stem a word of %zu bytes", len);
    return NULL;
  } else if (stem_and_cache(st, word, len, &place))
    return NULL;
  const char *stem = stem_at(st, place);
  *stem_len = strlen(stem);
  return stem;
}

const char *avis_stem_uncached(avis_stemmer *st, const char *word, size_t len,
                               size_t *stem_len) {
  if (len > INT_MAX) {
    avis_fail(AVIS_ERR_TOO_LARGE, "cannot stem a word of %zu bytes", len);
    return NULL;
  }
  const sb_symbol *stem =
      sb_stemmer_stem(st->sb, (const sb_symbol *)word, (int)len);
  if (!stem) {
    avis_fail(AVIS_ERR_NOMEM, "out of memory stemming a word");
    return NULL;
  }
  *stem_len = (size_t)sb_stemmer_length(st->sb);
  return (const char *)stem;
}

size_t avis_stemmer_cache_size(const avis_stemmer *st) {
  return st->cache.count;
}

size_t avis_stemmer_cache_hits(const avis_stemmer *st) { return st->hits; }
