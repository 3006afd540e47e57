#include "strmap.h"

#include <stdlib.h>
#include <string.h>

#include "avis.h"

/* FNV-1a: short keys (words) dominate, where it is as good as anything. */
uint64_t avis_hash(const char *s, size_t n) {
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)s[i];
    h *= 1099511628211ULL;
  }
  return h;
}

static int keys_equal(const avis_strmap *m, uint32_t e, const char *k,
                      size_t n) {
  return m->klen[e] == n && memcmp(m->keys + m->koff[e], k, n) == 0;
}

/* Slot of `key`, or of the empty slot where it would go. */
static size_t find_slot(const avis_strmap *m, const char *key, size_t n,
                        uint64_t h) {
  size_t mask = m->nslots - 1;
  size_t i = (size_t)h & mask;
  for (;;) {
    uint32_t s = m->slots[i];
    if (s == 0)
      return i;
    if (m->hashes[s - 1] == h && keys_equal(m, s - 1, key, n))
      return i;
    i = (i + 1) & mask;
  }
}

static int grow_slots(avis_strmap *m) {
  size_t n = m->nslots ? m->nslots * 2 : 64;
  uint32_t *slots = calloc(n, sizeof *slots);
  if (!slots)
    return AVIS_ERR_NOMEM;
  for (size_t e = 0; e < m->count; e++) {
    size_t i = (size_t)m->hashes[e] & (n - 1);
    while (slots[i])
      i = (i + 1) & (n - 1);
    slots[i] = (uint32_t)e + 1;
  }
  free(m->slots);
  m->slots = slots;
  m->nslots = n;
  return 0;
}

static int grow_entries(avis_strmap *m) {
  size_t cap = m->cap ? m->cap * 2 : 32;
  uint32_t *koff = realloc(m->koff, cap * sizeof *koff);
  if (!koff)
    return AVIS_ERR_NOMEM;
  m->koff = koff;
  uint32_t *klen = realloc(m->klen, cap * sizeof *klen);
  if (!klen)
    return AVIS_ERR_NOMEM;
  m->klen = klen;
  uint32_t *vals = realloc(m->vals, cap * sizeof *vals);
  if (!vals)
    return AVIS_ERR_NOMEM;
  m->vals = vals;
  uint64_t *hashes = realloc(m->hashes, cap * sizeof *hashes);
  if (!hashes)
    return AVIS_ERR_NOMEM;
  m->hashes = hashes;
  m->cap = cap;
  return 0;
}

static int store_key(avis_strmap *m, const char *key, size_t n) {
  if (n > UINT32_MAX / 2 || m->keys_len > UINT32_MAX - n - 1)
    return AVIS_ERR_NOMEM;
  if (m->keys_len + n + 1 > m->keys_cap) {
    size_t cap = m->keys_cap ? m->keys_cap : 1024;
    while (cap < m->keys_len + n + 1)
      cap *= 2;
    char *k = realloc(m->keys, cap);
    if (!k)
      return AVIS_ERR_NOMEM;
    m->keys = k;
    m->keys_cap = cap;
  }
  memcpy(m->keys + m->keys_len, key, n);
  m->keys[m->keys_len + n] = '\0';
  return 0;
}

int avis_strmap_put(avis_strmap *m, const char *key, size_t n, uint32_t val) {
  if ((m->count + 1) * 4 > m->nslots * 3 && grow_slots(m))
    return AVIS_ERR_NOMEM;
  uint64_t h = avis_hash(key, n);
  size_t i = find_slot(m, key, n, h);
  if (m->slots[i]) {
    m->vals[m->slots[i] - 1] = val;
    return 0;
  }
  if (m->count == m->cap && grow_entries(m))
    return AVIS_ERR_NOMEM;
  if (store_key(m, key, n))
    return AVIS_ERR_NOMEM;
  size_t e = m->count++;
  m->koff[e] = (uint32_t)m->keys_len;
  m->klen[e] = (uint32_t)n;
  m->vals[e] = val;
  m->hashes[e] = h;
  m->keys_len += n + 1;
  m->slots[i] = (uint32_t)e + 1;
  return 0;
}

int avis_strmap_get(const avis_strmap *m, const char *key, size_t n,
                    uint32_t *val) {
  if (!m->nslots)
    return 0;
  size_t i = find_slot(m, key, n, avis_hash(key, n));
  if (!m->slots[i])
    return 0;
  if (val)
    *val = m->vals[m->slots[i] - 1];
  return 1;
}

const char *avis_strmap_key(const avis_strmap *m, size_t i, size_t *n) {
  if (n)
    *n = m->klen[i];
  return m->keys + m->koff[i];
}

void avis_strmap_clear(avis_strmap *m) {
  if (m->slots)
    memset(m->slots, 0, m->nslots * sizeof *m->slots);
  m->count = 0;
  m->keys_len = 0;
}

void avis_strmap_release(avis_strmap *m) {
  free(m->slots);
  free(m->koff);
  free(m->klen);
  free(m->vals);
  free(m->hashes);
  free(m->keys);
  memset(m, 0, sizeof *m);
}
