#include "strmap.h"

#include <stdlib.h>
#include <string.h>

#include "avis.h"

static uint64_t mix(uint64_t h) {
  h ^= h >> 32;
  h *= 0xd6e8feb86659fd93ULL;
  h ^= h >> 32;
  return h;
}

/* Hashes eight bytes at a time: every token of every document is looked
 * up (stem cache, lexicon, stop words), so this sits on the hot path. The
 * tail is read as one zero-padded word. */
uint64_t avis_hash(const char *s, size_t n) {
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ (uint64_t)n;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    h = mix(h ^ w) * 0x9e3779b97f4a7c15ULL;
  }
  if (i < n)
    h = mix(h ^ avis_read_word(s + i, n - i)) * 0x9e3779b97f4a7c15ULL;
  return mix(h);
}

/* Keys are mostly words of a few bytes, for which a call to memcmp costs
 * more than the comparison. */
static int same_bytes(const char *a, const char *b, size_t n) {
  for (; n >= 8; a += 8, b += 8, n -= 8) {
    uint64_t x, y;
    memcpy(&x, a, 8);
    memcpy(&y, b, 8);
    if (x != y)
      return 0;
  }
  while (n--)
    if (*a++ != *b++)
      return 0;
  return 1;
}

/* Slot of `key`, or of the empty slot where it would go. */
static size_t find_slot(const avis_strmap *m, const char *key, size_t n,
                        uint64_t h) {
  size_t mask = m->nslots - 1;
  size_t i = (size_t)h & mask;
  uint32_t h32 = (uint32_t)(h >> 32);
  for (;;) {
    const avis_strmap_slot *s = &m->slots[i];
    if (s->entry == 0)
      return i;
    if (s->hash == h32) {
      const avis_strmap_entry *e = &m->entries[s->entry - 1];
      if (e->klen == n && same_bytes(m->keys + e->koff, key, n))
        return i;
    }
    i = (i + 1) & mask;
  }
}

static int grow_slots(avis_strmap *m) {
  size_t n = m->nslots ? m->nslots * 2 : 64;
  avis_strmap_slot *slots = calloc(n, sizeof *slots);
  if (!slots)
    return AVIS_ERR_NOMEM;
  for (size_t i = 0; i < m->nslots; i++) {
    avis_strmap_slot s = m->slots[i];
    if (!s.entry)
      continue;
    const avis_strmap_entry *e = &m->entries[s.entry - 1];
    size_t j = (size_t)avis_hash(m->keys + e->koff, e->klen) & (n - 1);
    while (slots[j].entry)
      j = (j + 1) & (n - 1);
    slots[j] = s;
  }
  free(m->slots);
  m->slots = slots;
  m->nslots = n;
  return 0;
}

static int grow_entries(avis_strmap *m) {
  size_t cap = m->cap ? m->cap * 2 : 32;
  avis_strmap_entry *entries = realloc(m->entries, cap * sizeof *entries);
  if (!entries)
    return AVIS_ERR_NOMEM;
  m->entries = entries;
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

/* Copies a borrowed map's arrays into its own, before its first change. */
static int own_arrays(avis_strmap *m) {
  size_t cap = m->count > 32 ? m->count : 32;
  size_t keys_cap = m->keys_len > 1024 ? m->keys_len : 1024;
  avis_strmap_slot *slots = malloc(m->nslots * sizeof *slots);
  avis_strmap_entry *entries = malloc(cap * sizeof *entries);
  char *keys = malloc(keys_cap);
  if (!slots || !entries || !keys) {
    free(slots);
    free(entries);
    free(keys);
    return AVIS_ERR_NOMEM;
  }
  memcpy(slots, m->slots, m->nslots * sizeof *slots);
  memcpy(entries, m->entries, m->count * sizeof *entries);
  memcpy(keys, m->keys, m->keys_len);
  m->slots = slots;
  m->entries = entries;
  m->cap = cap;
  m->keys = keys;
  m->keys_cap = keys_cap;
  m->borrowed = 0;
  return 0;
}

void avis_strmap_borrow(avis_strmap *m, const avis_strmap_slot *slots,
                        size_t nslots, const avis_strmap_entry *entries,
                        size_t count, const char *keys, size_t keys_len) {
  avis_strmap_release(m);
  if (!nslots)
    return;
  /* Never written through: put() copies first, clear() and release()
   * only let go. */
  m->slots = (avis_strmap_slot *)slots;
  m->nslots = nslots;
  m->entries = (avis_strmap_entry *)entries;
  m->count = m->cap = count;
  m->keys = (char *)keys;
  m->keys_len = m->keys_cap = keys_len;
  m->borrowed = 1;
}

int avis_strmap_put(avis_strmap *m, const char *key, size_t n, uint32_t val) {
  if (m->borrowed && own_arrays(m))
    return AVIS_ERR_NOMEM;
  /* At most half full: lookups then probe about 1.5 slots. */
  if ((m->count + 1) * 2 > m->nslots && grow_slots(m))
    return AVIS_ERR_NOMEM;
  uint64_t h = avis_hash(key, n);
  size_t i = find_slot(m, key, n, h);
  if (m->slots[i].entry) {
    m->entries[m->slots[i].entry - 1].val = val;
    return 0;
  }
  if (m->count == m->cap && grow_entries(m))
    return AVIS_ERR_NOMEM;
  if (store_key(m, key, n))
    return AVIS_ERR_NOMEM;
  size_t e = m->count++;
  m->entries[e].koff = (uint32_t)m->keys_len;
  m->entries[e].klen = (uint32_t)n;
  m->entries[e].val = val;
  m->keys_len += n + 1;
  m->slots[i].entry = (uint32_t)e + 1;
  m->slots[i].hash = (uint32_t)(h >> 32);
  return 0;
}

int avis_strmap_get(const avis_strmap *m, const char *key, size_t n,
                    uint32_t *val) {
  return m->nslots && avis_strmap_get_hashed(m, key, n, avis_hash(key, n), val);
}

int avis_strmap_get_hashed(const avis_strmap *m, const char *key, size_t n,
                           uint64_t h, uint32_t *val) {
  if (!m->nslots)
    return 0;
  size_t i = find_slot(m, key, n, h);
  if (!m->slots[i].entry)
    return 0;
  if (val)
    *val = m->entries[m->slots[i].entry - 1].val;
  return 1;
}

const char *avis_strmap_key(const avis_strmap *m, size_t i, size_t *n) {
  if (n)
    *n = m->entries[i].klen;
  return m->keys + m->entries[i].koff;
}

void avis_strmap_clear(avis_strmap *m) {
  if (m->borrowed) {
    avis_strmap_release(m);
    return;
  }
  if (m->slots)
    memset(m->slots, 0, m->nslots * sizeof *m->slots);
  m->count = 0;
  m->keys_len = 0;
}

void avis_strmap_release(avis_strmap *m) {
  if (!m->borrowed) {
    free(m->slots);
    free(m->entries);
    free(m->keys);
  }
  memset(m, 0, sizeof *m);
}
