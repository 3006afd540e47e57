/* Open-addressing hash map from byte strings to 32-bit values. Keys are
 * copied into the map's own arena. Used for lexicons, modifier lists, stop
 * words and the stem cache. A map is read-only safe: lookups never modify
 * it, so a loaded map can be shared between threads. */
#ifndef AVIS_STRMAP_H
#define AVIS_STRMAP_H

#include <stddef.h>
#include <stdint.h>

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
