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

/* Snowball's French stemmer exists for Latin-1 as well as for UTF-8, and
 * the Latin-1 one, which reads a letter a byte rather than decoding each,
 * stems a word in about 45% fewer instructions. French words are nearly
 * all written in Latin-1's letters, so a word that is (its bytes ASCII or
 * the two-byte sequences C2 xx and C3 xx, U+0080..U+00FF) is stemmed in
 * Latin-1 and its stem turned back into UTF-8. Both stemmers run the
 * same algorithm over the same code points, so the stems are the same;
 * other words (œ, foreign letters, or bytes that are not UTF-8) keep the
 * UTF-8 stemmer. So does a word to convert that is longer than
 * LATIN1_MAX bytes, so that the conversions work in fixed buffers (an
 * ASCII word, its own Latin-1 form, is not copied). */
#define LATIN1_MAX 256

struct avis_stemmer {
  struct sb_stemmer *sb;     /* UTF-8 */
  struct sb_stemmer *latin1; /* ISO-8859-1 */
  unsigned char word[LATIN1_MAX];   /* a word in Latin-1 */
  char stem[2 * LATIN1_MAX + 1];    /* its stem, back in UTF-8 */
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
  st->latin1 = st->sb ? sb_stemmer_new("french", "ISO_8859_1") : NULL;
  if (!st->latin1) {
    if (st->sb)
      sb_stemmer_delete(st->sb);
    free(st);
    return avis_fail(AVIS_ERR_STEMMER, "libstemmer lacks its French stemmer "
                                       "for UTF-8 or for ISO-8859-1");
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
  sb_stemmer_delete(st->latin1);
  clear_cache(st);
  avis_vec_release(&st->blocks);
  avis_strmap_release(&st->cache);
  free(st);
}

/* 1 when one of the n (at most 8) bytes at s has its high bit set. */
static inline int any_high(const unsigned char *s, size_t n) {
  return (avis_read_word((const char *)s, n) & 0x8080808080808080ULL) != 0;
}

/* The Latin-1 form of a word and its length, the form in st->word, or
 * NULL when it has none (or is longer than LATIN1_MAX bytes); an ASCII
 * word is its own Latin-1 form. */
static const unsigned char *to_latin1(avis_stemmer *st, const char *word,
                                      size_t len, size_t *n) {
  const unsigned char *s = (const unsigned char *)word;
  size_t i = 0;
  while (i + 8 <= len && !any_high(s + i, 8))
    i += 8;
  if (i + 8 > len && !any_high(s + i, len - i)) {
    *n = len;
    return s;
  }
  if (len > LATIN1_MAX)
    return NULL;
  unsigned char *d = st->word;
  memcpy(d, s, i);
  size_t j = i;
  while (i < len) {
    unsigned char c = s[i];
    if (c < 0x80) {
      d[j++] = c;
      i++;
    } else if ((c & 0xFE) == 0xC2 && i + 1 < len && (s[i + 1] & 0xC0) == 0x80) {
      d[j++] = (unsigned char)((c & 3) << 6 | (s[i + 1] & 0x3F));
      i += 2;
    } else {
      return NULL;
    }
  }
  *n = j;
  return d;
}

/* Snowball's stem of a normalised word, NUL-terminated, valid until the
 * next call; *stem_len its length. NULL on allocation failure. */
static const char *snowball(avis_stemmer *st, const char *word, size_t len,
                            size_t *stem_len) {
  size_t wlen;
  const unsigned char *w = to_latin1(st, word, len, &wlen);
  if (w) {
    const sb_symbol *stem = sb_stemmer_stem(st->latin1, w, (int)wlen);
    if (!stem)
      return NULL;
    size_t n = (size_t)sb_stemmer_length(st->latin1), high = 0;
    for (size_t i = 0; i < n; i++)
      high += stem[i] >> 7;
    *stem_len = n + high;
    if (!high)
      return (const char *)stem;
    /* A longer stem with accents (from a long ASCII word, if Snowball
     * ever gave one) is left to the UTF-8 stemmer below. */
    if (n <= LATIN1_MAX) {
      char *d = st->stem;
      for (size_t i = 0; i < n; i++)
        if (stem[i] < 0x80) {
          *d++ = (char)stem[i];
        } else {
          *d++ = (char)(0xC0 | stem[i] >> 6);
          *d++ = (char)(0x80 | (stem[i] & 0x3F));
        }
      *d = '\0';
      return st->stem;
    }
  }
  const sb_symbol *stem = sb_stemmer_stem(st->sb, (const sb_symbol *)word,
                                          (int)len);
  if (!stem)
    return NULL;
  *stem_len = (size_t)sb_stemmer_length(st->sb);
  return (const char *)stem;
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
  size_t n;
  const char *stem = snowball(st, word, len, &n);
  if (!stem || store_stem(st, stem, n, place) ||
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
  const char *stem = snowball(st, word, len, stem_len);
  if (!stem)
    avis_fail(AVIS_ERR_NOMEM, "out of memory stemming a word");
  return stem;
}

size_t avis_stemmer_cache_size(const avis_stemmer *st) {
  return st->cache.count;
}

size_t avis_stemmer_cache_hits(const avis_stemmer *st) { return st->hits; }
