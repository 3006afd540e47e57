/* Open-addressing hash map from byte strings to 32-bit values. Keys are
 * copied into the map's own arena. Used for lexicons, modifier lists, stop
 * words and the stem cache. A map is read-only safe: lookups never modify
 * it, so a loaded map can be shared between threads. */
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
} avis_strmap;

uint64_t avis_hash(const char *s, size_t n);

/* The first min(n, 8) bytes of s as a word, zero-padded: what
 * memcpy(&w, s, n) into a zeroed w gives, without a call for the variable
 * length. */
static inline uint64_t avis_read_word(const char *s, size_t n) {
  unsigned char b[8] = {0};
  if (n >= 8) {
    memcpy(b, s, 8);
  } else if (n >= 4) {
    memcpy(b, s, 4);
    memcpy(b + n - 4, s + n - 4, 4);
  } else if (n > 0) {
    b[0] = (unsigned char)s[0];
    b[n / 2] = (unsigned char)s[n / 2];
    b[n - 1] = (unsigned char)s[n - 1];
  }
  uint64_t w;
  memcpy(&w, b, 8);
  return w;
}
/* Inserts or replaces. 0 or AVIS_ERR_NOMEM. */
int avis_strmap_put(avis_strmap *m, const char *key, size_t n, uint32_t val);
/* 1 and *val when found, else 0. */
int avis_strmap_get(const avis_strmap *m, const char *key, size_t n,
                    uint32_t *val);
/* The key of entry i (0 <= i < count), in insertion order. */
const char *avis_strmap_key(const avis_strmap *m, size_t i, size_t *n);
void avis_strmap_clear(avis_strmap *m);
void avis_strmap_release(avis_strmap *m);

#endif
