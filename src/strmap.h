/* Open-addressing hash map from byte strings to 32-bit values. Keys are
 * copied into the map's own arena. Used for lexicons, modifier lists, stop
 * words and the stem cache. A map is read-only safe: lookups never modify
 * it, so a loaded map can be shared between threads.
 *
 * A map may also borrow its arrays from memory that outlives it (a mapped
 * data image, src/dataimage.c): it then never frees nor writes them. A
 * put into a borrowed map first copies them into arrays of its own, and a
 * clear lets go of them, so that a borrowed map behaves as any other;
 * lookups take the same path either way. */
#ifndef AVIS_STRMAP_H
#define AVIS_STRMAP_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A slot holds the entry index + 1 (0 = empty) and 32 bits of the key's
 * hash, so that a probe rarely touches an entry whose key differs; an
 * entry keeps its key's place and its value together. Lookups thus cost
 * about three cache misses, and every token pays for several lookups. */
typedef struct {
  uint32_t entry;
  uint32_t hash;
} avis_strmap_slot;

typedef struct {
  uint32_t koff, klen, val;
} avis_strmap_entry;

typedef struct {
  avis_strmap_slot *slots;
  size_t nslots; /* power of two */
  avis_strmap_entry *entries;
  size_t count;
  size_t cap;
  char *keys;
  size_t keys_len, keys_cap;
  int borrowed; /* the arrays belong to someone else: copy before writing */
} avis_strmap;

uint64_t avis_hash(const char *s, size_t n);

/* The first min(n, 8) bytes of s as a word, zero-padded: what
 * memcpy(&w, s, n) into a zeroed w gives, without a call for the variable
 * length. On little-endian machines the word is put together from loads
 * rather than in a buffer, whose narrow stores a wide load would have to
 * wait for. */
static inline uint64_t avis_read_word(const char *s, size_t n) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (n >= 8) {
    uint64_t w;
    memcpy(&w, s, 8);
    return w;
  }
  if (n >= 4) {
    uint32_t lo, hi;
    memcpy(&lo, s, 4);
    memcpy(&hi, s + n - 4, 4);
    return (uint64_t)lo | (uint64_t)hi << (8 * (n - 4));
  }
  if (n == 0)
    return 0;
  const unsigned char *u = (const unsigned char *)s;
  return (uint64_t)u[0] | (uint64_t)u[n / 2] << (8 * (n / 2)) |
         (uint64_t)u[n - 1] << (8 * (n - 1));
#else
  unsigned char b[8] = {0};
  memcpy(b, s, n < 8 ? n : 8);
  uint64_t w;
  memcpy(&w, b, 8);
  return w;
#endif
}

/* Inserts or replaces. 0 or AVIS_ERR_NOMEM. */
int avis_strmap_put(avis_strmap *m, const char *key, size_t n, uint32_t val);
/* 1 and *val when found, else 0. */
int avis_strmap_get(const avis_strmap *m, const char *key, size_t n,
                    uint32_t *val);
/* avis_strmap_get() with the key's avis_hash(), `h`, already known: every
 * map hashes its keys alike, so a caller that looks one key up in several
 * maps hashes it once. */
int avis_strmap_get_hashed(const avis_strmap *m, const char *key, size_t n,
                           uint64_t h, uint32_t *val);
/* Makes `m` (empty) a view of tables laid out as a map of its own would
 * hold them: `nslots` (a power of two, more than `count`) slots, `count`
 * entries, `keys_len` bytes of keys, each followed by a NUL. They must
 * stay valid and unchanged while the map uses them; the caller checks
 * every index and offset in them first. */
void avis_strmap_borrow(avis_strmap *m, const avis_strmap_slot *slots,
                        size_t nslots, const avis_strmap_entry *entries,
                        size_t count, const char *keys, size_t keys_len);
/* The key of entry i (0 <= i < count), in insertion order. */
const char *avis_strmap_key(const avis_strmap *m, size_t i, size_t *n);
void avis_strmap_clear(avis_strmap *m);
void avis_strmap_release(avis_strmap *m);

#endif
