#define _DEFAULT_SOURCE /* madvise() */
#include "wordcache.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "error.h"
#include "normalize.h"
#include "sentiment.h"
#include "terms.h"
#include "topicfile.h"

/* Every token of every document is looked up here, so a lookup touches
 * two cache lines when it can: a slot, which holds the entry's index and
 * bits of the key's hash so that a probe rarely reads an entry whose key
 * differs, and the entry, one 64-byte line that holds the key's first
 * eight bytes and all that a token needs. Longer keys are compared in the
 * cache's strings, where the key, its normalised form and its stem (when
 * it differs from the form) follow one another. */

#define INDEX_BITS 19 /* enough for AVIS_WORD_CACHE_MAX entries */
#define INDEX_MASK ((1u << INDEX_BITS) - 1)
#define TAG(h) ((uint32_t)((h) >> 32) >> INDEX_BITS)
#define PREFIX 8

typedef struct {
  uint64_t prefix;             /* avis_read_word() of the key */
  uint32_t key_len;
  uint8_t role;                /* role_of() the token, or NO_ROLE */
  uint8_t stemmed;             /* the stem follows the form in the strings */
  uint32_t norm, norm_len;     /* the form, in the cache's strings */
  uint32_t stem_len;
  uint32_t doc;                /* the document that last copied its strings */
  uint32_t norm_off, stem_off; /* where, in that document's arena */
  avis_word word;
} entry;

#define NO_ROLE UINT8_MAX
/* The cache makes room past this size of strings too, so that a few
 * very long tokens cannot hold much memory either. */
#define MAX_STRING_BYTES ((size_t)32 << 20)
/* Ages, in documents, that eviction tells apart; older entries go first. */
#define EVICT_AGES 4096
/* A document's avis_word array larger than this is given back after the
 * next document rather than kept for the analyzer's lifetime. */
#define KEEP_WORDS 65536

struct avis_word_cache {
  avis_word_sources src;
  avis_stemmer *stemmer;
  /* The words after the first of the lexicon's and the modifier lists'
   * expressions. */
  avis_strmap tails;
  uint32_t *slots;  /* TAG << INDEX_BITS | entry index + 1; 0 when empty */
  size_t nslots;    /* a power of two, at least twice the entries */
  entry *entries;   /* 64-byte aligned */
  size_t count, cap;
  avis_buf strings; /* keys, normalised forms and stems, NUL-terminated */
  int strings_reserved; /* the strings moved to huge pages (or failed to) */
  avis_word *words; /* per token of the current document */
  size_t words_cap;
  uint32_t doc;     /* stamp of the current document, from 1 */
};

_Static_assert(AVIS_WORD_CACHE_MAX < INDEX_MASK, "entry index too wide");
_Static_assert(sizeof(entry) == 64, "an entry is one cache line");

/* Notes the words after the first of every expression (key with a space)
 * of `forms`. */
static int note_tails(avis_strmap *tails, const avis_strmap *forms) {
  for (size_t i = 0; i < forms->count; i++) {
    size_t n;
    const char *k = avis_strmap_key(forms, i, &n), *end = k + n;
    for (const char *sp; (sp = memchr(k, ' ', (size_t)(end - k))) != NULL;) {
      k = sp + 1;
      const char *next = memchr(k, ' ', (size_t)(end - k));
      if (avis_strmap_put(tails, k, (size_t)((next ? next : end) - k), 1))
        return AVIS_ERR_NOMEM;
    }
  }
  return 0;
}

int avis_word_cache_new(avis_word_cache **out, const avis_word_sources *sources,
                        avis_stemmer *stemmer) {
  *out = NULL;
  avis_word_cache *c = calloc(1, sizeof *c);
  int rc = c ? 0 : AVIS_ERR_NOMEM;
  if (!rc && sources->lexicon)
    rc = note_tails(&c->tails, &sources->lexicon->forms);
  if (!rc && sources->modifiers)
    rc = note_tails(&c->tails, &sources->modifiers->forms);
  if (rc) {
    avis_word_cache_free(c);
    return avis_fail(rc, "out of memory");
  }
  c->src = *sources;
  c->stemmer = stemmer;
  *out = c;
  return 0;
}

void avis_word_cache_free(avis_word_cache *c) {
  if (!c)
    return;
  avis_strmap_release(&c->tails);
  free(c->slots);
  free(c->entries);
  avis_buf_release(&c->strings);
  free(c->words);
  free(c);
}

size_t avis_word_cache_size(const avis_word_cache *c) { return c->count; }

static void clear(avis_word_cache *c) {
  if (c->slots)
    memset(c->slots, 0, c->nslots * sizeof *c->slots);
  c->count = 0;
  avis_buf_clear(&c->strings);
}

/* ---- The table --------------------------------------------------------- */

/* A key, its first bytes and its hash: a multiply-xorshift over eight
 * bytes at a time, enough to spread words over the slots, and cheaper than
 * avis_hash(), whose values files depend on. */
typedef struct {
  const char *s;
  size_t n;
  uint64_t prefix, hash;
} key;

static inline uint64_t mix(uint64_t h) {
  h *= 0x9e3779b97f4a7c15ULL;
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ULL;
  return h ^ h >> 32;
}

/* avis_read_word() of the key at s, in one load rather than after its
 * branches on the length, which keys of every length would mispredict: a
 * key shorter than PREFIX bytes is read in the PREFIX bytes that end with
 * it, when the `before` bytes in front of it may be read. */
static inline uint64_t read_prefix(const char *s, size_t n, size_t before) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (n && n + before >= PREFIX) {
    size_t back = (PREFIX - n) & -(size_t)(n < PREFIX);
    uint64_t w;
    memcpy(&w, s - back, PREFIX);
    return w >> 8 * back;
  }
#endif
  (void)before;
  return avis_read_word(s, n);
}

static inline key key_at(const char *s, size_t n, size_t before) {
  key k = {s, n, read_prefix(s, n, before), 0};
  uint64_t h = mix(k.prefix ^ (uint64_t)n << 56);
  for (size_t i = PREFIX; i < n; i += PREFIX)
    h = mix(h ^ avis_read_word(s + i, n - i));
  k.hash = h;
  return k;
}

static size_t key_offset(const entry *e) {
  return e->norm - e->key_len - 1;
}

static const char *key_of(const avis_word_cache *c, const entry *e) {
  return c->strings.data + key_offset(e);
}

/* For laying the slots out again. */
static uint64_t hash_of(const avis_word_cache *c, const entry *e) {
  return key_at(key_of(c, e), e->key_len, key_offset(e)).hash;
}

/* Keys are words of a few bytes, for which a call to memcmp() costs more
 * than the comparison. */
static inline int same_bytes(const char *a, const char *b, size_t n) {
  for (; n >= 8; a += 8, b += 8, n -= 8)
    if (avis_read_word(a, 8) != avis_read_word(b, 8))
      return 0;
  return n == 0 || avis_read_word(a, n) == avis_read_word(b, n);
}

static inline int same_key(const avis_word_cache *c, const entry *e,
                           const key *k) {
  return e->key_len == k->n && e->prefix == k->prefix &&
         (k->n <= PREFIX ||
          same_bytes(key_of(c, e) + PREFIX, k->s + PREFIX, k->n - PREFIX));
}

/* The slot of the entry for k, or of the empty slot where it would go. */
static inline size_t find(const avis_word_cache *c, const key *k) {
  size_t mask = c->nslots - 1, i = (size_t)k->hash & mask;
  uint32_t tag = TAG(k->hash);
  for (uint32_t v; (v = c->slots[i]) != 0; i = (i + 1) & mask)
    if (v >> INDEX_BITS == tag &&
        same_key(c, &c->entries[(v & INDEX_MASK) - 1], k))
      break;
  return i;
}

/* Most of a lookup is waiting for memory: for its slot, for its entry,
 * whose address is in the slot, and for the entry's strings, whose
 * address is in the entry, when it compares a long key or copies the
 * strings into a new document's arena. The entries and strings of a large
 * cache do not fit in the processor's caches. The tokens of a document
 * are all known before they are looked up, so while the loop works on one
 * token it asks for the slot of the token SLOT_AHEAD places ahead, for the
 * entry of the token ENTRY_AHEAD places ahead, whose slot has come by
 * then, and for the strings of the token STRINGS_AHEAD places ahead, whose
 * entry has come. Each step is given a few tokens of work to arrive: with
 * the steps closer (8, 4, 2), lookups still waited for the entry and the
 * strings. A prefetch is only a hint: a table that moves meanwhile is no
 * harm. */
#define SLOT_AHEAD 16 /* a power of two: the keys ahead are in a ring */
#define ENTRY_AHEAD 8
#define STRINGS_AHEAD 4

static inline void prefetch_slot(const avis_word_cache *c, const key *k) {
  if (c->nslots)
    AVIS_PREFETCH(&c->slots[(size_t)k->hash & (c->nslots - 1)]);
}

/* The entry in the key's home slot; a key further along the probe
 * sequence (rare at half load) is not fetched ahead. */
static inline void prefetch_entry(const avis_word_cache *c, const key *k) {
  if (!c->nslots)
    return;
  uint32_t v = c->slots[(size_t)k->hash & (c->nslots - 1)];
  if (v)
    AVIS_PREFETCH(&c->entries[(v & INDEX_MASK) - 1]);
}

/* The strings of the entry in the key's home slot, when the token will
 * read them: to compare a key longer than the entry's prefix, or to copy
 * its form and stem on its first use in the document. They start with the
 * key, which the form follows. */
static inline void prefetch_strings(const avis_word_cache *c, const key *k) {
  if (!c->nslots)
    return;
  uint32_t v = c->slots[(size_t)k->hash & (c->nslots - 1)];
  if (!v || v >> INDEX_BITS != TAG(k->hash))
    return;
  const entry *e = &c->entries[(v & INDEX_MASK) - 1];
  if (e->doc != c->doc || e->key_len > PREFIX)
    AVIS_PREFETCH(key_of(c, e));
}

static inline uint32_t index_at(const avis_word_cache *c, size_t slot) {
  return c->slots[slot] ? (c->slots[slot] & INDEX_MASK) - 1 : AVIS_WORD_NONE;
}

static void place(avis_word_cache *c, uint32_t index, uint64_t h) {
  size_t mask = c->nslots - 1, i = (size_t)h & mask;
  while (c->slots[i])
    i = (i + 1) & mask;
  c->slots[i] = TAG(h) << INDEX_BITS | (index + 1);
}

/* The entries, the slots and the strings of a full cache span megabytes,
 * which every token reaches at a random place: in pages of 4 KiB, most
 * lookups would also miss the processor's table of page translations.
 * Fresh memory in pages of 4 KiB also costs several times more to touch
 * for the first time than in huge pages. A table of at least HUGE_FROM
 * bytes is therefore rounded up to whole pages of 2 MiB, aligned to them
 * and offered to the kernel for huge pages (which it may decline); a
 * smaller one, such as those of a run over a few documents, is cache-line
 * aligned. With this threshold rather than 1 MiB, and the entries moved
 * once (see grow()), a run over 3,000 articles took 816 page faults rather
 * than 1,900. */
#define HUGE_PAGE ((size_t)2 << 20)
#define HUGE_FROM (HUGE_PAGE / 16)

static void *table_alloc(size_t bytes) {
  if (bytes < HUGE_FROM)
    return aligned_alloc(64, (bytes + 63) & ~(size_t)63);
  size_t rounded = (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
  void *p = aligned_alloc(HUGE_PAGE, rounded);
#ifdef MADV_HUGEPAGE
  if (p)
    madvise(p, rounded, MADV_HUGEPAGE);
#endif
  return p;
}

/* Room for one more entry: the slots stay at least twice as many as the
 * entries (lookups then probe about 1.5 slots). Entries that would fill
 * HUGE_FROM bytes move, once, into room for all that the cache may hold,
 * as the strings do: the kernel only backs what is written, whereas
 * doubling would write every entry again into fresh memory and leave the
 * old arrays behind, touched for nothing. */
static int grow(avis_word_cache *c) {
  if (c->count == c->cap) {
    size_t cap = c->cap ? 2 * c->cap : 1024;
    if (cap * sizeof(entry) >= HUGE_FROM)
      cap = AVIS_WORD_CACHE_MAX;
    entry *entries = table_alloc(cap * sizeof *entries);
    if (!entries)
      return AVIS_ERR_NOMEM;
    if (c->count)
      memcpy(entries, c->entries, c->count * sizeof *entries);
    free(c->entries);
    c->entries = entries;
    c->cap = cap;
  }
  if ((c->count + 1) * 2 <= c->nslots)
    return 0;
  size_t n = c->nslots ? 2 * c->nslots : 2048;
  uint32_t *slots = table_alloc(n * sizeof *slots);
  if (slots)
    memset(slots, 0, n * sizeof *slots);
  if (!slots)
    return AVIS_ERR_NOMEM;
  free(c->slots);
  c->slots = slots;
  c->nslots = n;
  for (size_t i = 0; i < c->count; i++) {
    const entry *e = &c->entries[i];
    place(c, (uint32_t)i, hash_of(c, e));
  }
  return 0;
}

/* ---- What the model says ----------------------------------------------- */

/* What the role-dependent rules look at (terms.h). */
static uint8_t role_of(const avis_tok *t) {
  return (uint8_t)(t->kind << 1 | ((t->flags & AVIS_TF_ELISION) != 0));
}

static uint32_t index_of(const void *item, const void *base, size_t size) {
  return item ? (uint32_t)(((const char *)item - (const char *)base) / size)
              : AVIS_WORD_NONE;
}

static uint8_t expression_words(unsigned n) {
  return (uint8_t)(n > UINT8_MAX ? UINT8_MAX : n);
}

static const char *norm_of(const avis_word_cache *c, const entry *e) {
  return c->strings.data + e->norm;
}

static uint32_t stem_of(const entry *e) {
  return e->stemmed ? e->norm + e->norm_len + 1 : e->norm;
}

/* The role-independent part: the lexicon and modifier lists by form. A
 * form with a space in it might hold an expression's later word. The five
 * tables are looked up with one hash of the form. */
static void look_up_form(const avis_word_cache *c, const char *norm, size_t len,
                         avis_word *w) {
  const avis_lexicon *lex = c->src.lexicon;
  const avis_modifiers *mods = c->src.modifiers;
  uint64_t h = avis_hash(norm, len);
  memset(w, 0, sizeof *w);
  w->lex_form = w->lex_stem = w->mod = AVIS_WORD_NONE;
  for (int k = 0; k < AVIS_WORD_CLASSIFIERS; k++)
    w->term[k] = AVIS_WORD_NONE;
  if (lex) {
    w->lex_form = index_of(avis_lexicon_form_hashed(lex, norm, len, h),
                           lex->entries.data, sizeof(avis_lex_entry));
    w->lex_mwe =
        expression_words(avis_lexicon_mwe_max_hashed(lex, norm, len, h));
  }
  if (mods) {
    w->mod = index_of(avis_modifiers_get_hashed(mods, norm, len, h),
                      mods->items.data, sizeof(avis_modifier));
    w->mod_mwe =
        expression_words(avis_modifiers_mwe_max_hashed(mods, norm, len, h));
  }
  w->mwe_tail = avis_strmap_get_hashed(&c->tails, norm, len, h, NULL) ||
                memchr(norm, ' ', len) != NULL;
  w->function_word = (uint8_t)avis_is_function_word(norm, len);
}

/* Appends s and its NUL with one reservation; the buffer stays
 * NUL-terminated past them, as avis_buf_append() leaves it. */
static int append_string(avis_buf *b, const char *s, size_t n) {
  if (avis_buf_reserve(b, n + 1))
    return AVIS_ERR_NOMEM;
  memcpy(b->data + b->len, s, n);
  b->len += n + 1;
  b->data[b->len - 1] = b->data[b->len] = '\0';
  return b->len >= UINT32_MAX ? AVIS_ERR_TOO_LARGE : 0;
}

/* Room for `extra` more bytes of strings. Once they pass HUGE_FROM the
 * strings move, once, into a reservation of address space for all
 * that the cache may hold (MAX_STRING_BYTES, and a page for the strings
 * of the entry that passes it), in huge pages like the tables: the kernel
 * only backs what is written, and the strings are not copied again as
 * they grow. A small cache, such as that of a short run, keeps its
 * strings in ordinary memory. */
#define STRINGS_RESERVED (MAX_STRING_BYTES + HUGE_PAGE)

static int reserve_strings(avis_word_cache *c, size_t extra) {
  avis_buf *b = &c->strings;
  if (!c->strings_reserved && b->len + extra >= HUGE_FROM &&
      b->len + extra < STRINGS_RESERVED) {
    /* Without the reservation the strings grow as any buffer does. */
    c->strings_reserved = 1;
    char *p = table_alloc(STRINGS_RESERVED);
    if (p) {
      if (b->data)
        memcpy(p, b->data, b->len + 1);
      else
        p[0] = '\0';
      free(b->data);
      b->data = p;
      b->cap = STRINGS_RESERVED;
    }
  }
  return avis_buf_reserve(b, extra);
}

/* Bytes of the entry's strings: its key, form and stem. */
static size_t string_bytes(const entry *e) {
  return e->key_len + 1 + e->norm_len + 1 + (e->stemmed ? e->stem_len + 1 : 0);
}

/* Makes room in a full cache by keeping the entries used in the most
 * recent documents, at most half of the entries and of the strings' bytes,
 * rather than clearing it all: the function words and the common
 * vocabulary, which nearly every document needs, then survive, and only
 * rare words are worked out again. Entries and their strings keep their
 * order, so both are compacted in place. */
typedef struct {
  uint32_t count_by_age[EVICT_AGES];
  size_t bytes_by_age[EVICT_AGES];
  uint8_t reachable[AVIS_WORD_CACHE_MAX / 8]; /* bit per entry */
} eviction;

static void evict(avis_word_cache *c) {
  /* On the heap: an embedding program's threads may have small stacks. */
  eviction *ev = calloc(1, sizeof *ev);
  if (!ev) {
    clear(c);
    return;
  }
  uint32_t *count_by_age = ev->count_by_age;
  size_t *bytes_by_age = ev->bytes_by_age;
  uint8_t *reachable = ev->reachable;
  /* Replaced entries (see add_entry()) are in no slot. */
  for (size_t i = 0; i < c->nslots; i++) {
    uint32_t index = index_at(c, i);
    if (index == AVIS_WORD_NONE)
      continue;
    const entry *e = &c->entries[index];
    uint32_t age = e->doc ? c->doc - e->doc : UINT32_MAX;
    size_t bucket = age < EVICT_AGES ? age : EVICT_AGES - 1;
    reachable[index / 8] |= (uint8_t)(1u << index % 8);
    count_by_age[bucket]++;
    bytes_by_age[bucket] += string_bytes(e);
  }
  uint32_t young = 0; /* entries younger than this many documents stay */
  for (size_t kept = 0, bytes = 0; young < EVICT_AGES - 1; young++) {
    kept += count_by_age[young];
    bytes += bytes_by_age[young];
    if (kept > AVIS_WORD_CACHE_MAX / 2 || bytes > MAX_STRING_BYTES / 2)
      break;
  }
  memset(c->slots, 0, c->nslots * sizeof *c->slots);
  size_t count = 0, strings_len = 0;
  for (size_t i = 0; i < c->count; i++) {
    entry *e = &c->entries[i];
    if (!(reachable[i / 8] >> i % 8 & 1) || !e->doc || c->doc - e->doc >= young)
      continue;
    size_t n = string_bytes(e), from = key_offset(e);
    memmove(c->strings.data + strings_len, c->strings.data + from, n);
    e->norm = (uint32_t)(strings_len + e->key_len + 1);
    strings_len += n;
    if (count != i)
      c->entries[count] = *e;
    e = &c->entries[count];
    place(c, (uint32_t)count, hash_of(c, e));
    count++;
  }
  c->count = count;
  c->strings.len = strings_len;
  free(ev);
}

/* A new entry for key k: the key, then its normalised form, in the
 * strings. It replaces an entry for the same key (one that cannot take a
 * stem for a new role: see set_role()). */
static int add_entry(avis_word_cache *c, const key *k, uint32_t *index) {
  if (c->count >= AVIS_WORD_CACHE_MAX || c->strings.len >= MAX_STRING_BYTES)
    evict(c);
  size_t strings_len = c->strings.len;
  int rc = grow(c);
  entry *e = rc ? NULL : &c->entries[c->count];
  /* Room for the key and, most often, its form and stem. */
  if (!rc && k->n < MAX_STRING_BYTES)
    rc = reserve_strings(c, 3 * (k->n + 1));
  if (!rc && (rc = append_string(&c->strings, k->s, k->n)) == 0)
    rc = avis_normalize(&c->strings, k->s, k->n, &e->norm, &e->norm_len);
  if (rc) {
    c->strings.len = strings_len;
    return rc;
  }
  e->prefix = k->prefix;
  e->key_len = (uint32_t)k->n;
  e->role = NO_ROLE;
  look_up_form(c, norm_of(c, e), e->norm_len, &e->word);
  *index = (uint32_t)c->count;
  c->slots[find(c, k)] = TAG(k->hash) << INDEX_BITS | (*index + 1);
  c->count++;
  return 0;
}

/* The stem of a stemmed word, after its form in the strings. */
static int stem_entry(avis_word_cache *c, entry *e) {
  size_t n;
  /* The stemmer's own cache is passed by: over a news corpus three in
   * four of the words that miss here miss there too, and caching them
   * twice only costs memory and a lookup. */
  const char *stem =
      avis_stem_uncached(c->stemmer, norm_of(c, e), e->norm_len, &n);
  if (!stem)
    return AVIS_ERR_NOMEM;
  e->stem_len = (uint32_t)n;
  if (n == e->norm_len && memcmp(stem, norm_of(c, e), n) == 0)
    return 0;
  e->stemmed = 1;
  return append_string(&c->strings, stem, n);
}

/* The term ids of the term token t becomes (terms.h), its strings being
 * the entry's. Without a classifier (a run without topics, the training
 * corpus's reader) there is nothing to look up, and the stop-word test
 * is not paid for. */
static int look_up_terms(avis_word_cache *c, const entry *e, const avis_tok *t,
                         avis_word *w) {
  int any = 0;
  for (int k = 0; k < AVIS_WORD_CLASSIFIERS; k++)
    any |= c->src.classifiers[k] != NULL;
  if (!any)
    return 0;
  avis_tok probe = *t;
  probe.norm_off = e->norm;
  probe.norm_len = e->norm_len;
  probe.stem_off = stem_of(e);
  probe.stem_len = e->stem_len;
  const char *s;
  size_t n;
  int rc = avis_token_term(&probe, c->strings.data, c->src.stopwords,
                           c->stemmer, &s, &n);
  for (int k = 0; rc > 0 && k < AVIS_WORD_CLASSIFIERS; k++)
    if (c->src.classifiers[k])
      w->term[k] = avis_classifier_term(c->src.classifiers[k], s, n);
  return rc < 0 ? rc : 0;
}

/* The role-dependent part, for the role of token t. A stem goes right
 * after the form in the strings, which can only be while the form is the
 * last string there: 1 when it no longer is, and the entry must be made
 * again (which real text, where the same bytes hardly take two roles,
 * hardly needs). */
static int set_role(avis_word_cache *c, entry *e, const avis_tok *t) {
  int stemmed = avis_tok_is_stemmed(t);
  if (stemmed && c->strings.len != e->norm + e->norm_len + 1)
    return 1;
  e->role = role_of(t);
  e->doc = 0;
  e->stemmed = 0;
  e->stem_len = e->norm_len;
  e->word.lex_stem = AVIS_WORD_NONE;
  for (int k = 0; k < AVIS_WORD_CLASSIFIERS; k++)
    e->word.term[k] = AVIS_WORD_NONE;
  int rc = 0;
  if (stemmed && (rc = stem_entry(c, e)) == 0 && c->src.lexicon)
    e->word.lex_stem =
        index_of(avis_lexicon_stem(c->src.lexicon, c->strings.data + stem_of(e),
                                   e->stem_len),
                 c->src.lexicon->entries.data, sizeof(avis_lex_entry));
  if (!rc)
    rc = look_up_terms(c, e, t, &e->word);
  /* Inertness needs the stem's lexicon entry, so it is a fact of the
   * role. */
  e->word.inert = !rc && avis_sentiment_inert(&e->word, norm_of(c, e),
                                              e->norm_len,
                                              (t->flags & AVIS_TF_ELISION) != 0);
  if (rc)
    e->role = NO_ROLE;
  return rc;
}

/* ---- Tokens ------------------------------------------------------------ */

/* Strings of up to WIDE bytes are copied as one block of WIDE bytes,
 * which may read past them and write past the arena's content, within
 * what each holds: the strings of a word are a few bytes to a few dozen,
 * and branches on their length, in memcpy() or here, would be
 * mispredicted by words of every length. */
#define WIDE 32

/* The entry's strings, copied into this document's arena: the form and,
 * when it differs, the stem, which follows it in the cache's strings and
 * so in one copy. Whether it does is masked in rather than branched on,
 * for the same reason. */
static int copy_strings(avis_word_cache *c, entry *e, avis_buf *arena) {
  size_t stem_gap = (e->norm_len + 1) & -(size_t)e->stemmed;
  size_t n = e->norm_len + 1 + ((e->stem_len + 1) & -(size_t)e->stemmed);
  size_t room = n > WIDE ? n : WIDE;
  if (arena->len + n >= UINT32_MAX)
    return AVIS_ERR_TOO_LARGE;
  if (arena->cap - arena->len <= room && avis_buf_reserve(arena, room))
    return AVIS_ERR_NOMEM;
  e->norm_off = (uint32_t)arena->len;
  e->stem_off = e->norm_off + (uint32_t)stem_gap;
  char *d = arena->data + arena->len;
  if (n <= WIDE && e->norm + WIDE <= c->strings.cap) {
    char block[WIDE];
    memcpy(block, norm_of(c, e), WIDE);
    memcpy(d, block, WIDE);
  } else {
    memcpy(d, norm_of(c, e), n);
  }
  arena->len += n;
  arena->data[arena->len] = '\0';
  e->doc = c->doc;
  return 0;
}

/* The entry of token t (key k), made or made again for t's role. */
static int entry_for(avis_word_cache *c, const avis_tok *t, const key *k,
                     uint32_t *i) {
  *i = c->nslots ? index_at(c, find(c, k)) : AVIS_WORD_NONE;
  int rc = *i == AVIS_WORD_NONE ? add_entry(c, k, i) : 0;
  if (!rc && c->entries[*i].role != role_of(t) &&
      (rc = set_role(c, &c->entries[*i], t)) > 0 &&
      (rc = add_entry(c, k, i)) == 0)
    rc = set_role(c, &c->entries[*i], t);
  return rc;
}

static int resolve_token(avis_word_cache *c, avis_tok *t, const key *k,
                         avis_buf *arena, avis_word *w) {
  uint32_t i;
  int rc = entry_for(c, t, k, &i);
  entry *e = rc ? NULL : &c->entries[i];
  if (e && e->doc != c->doc)
    rc = copy_strings(c, e, arena);
  if (rc)
    return rc;
  t->norm_off = e->norm_off;
  t->norm_len = e->norm_len;
  t->stem_off = e->stem_off;
  t->stem_len = e->stem_len;
  *w = e->word;
  return 0;
}

/* Room for a document's words; a large array is not kept past it. */
static int reserve_words(avis_word_cache *c, size_t ntok) {
  if (ntok <= c->words_cap && c->words_cap <= KEEP_WORDS)
    return 0;
  size_t cap = ntok > 1024 ? ntok : 1024;
  avis_word *w =
      cap <= SIZE_MAX / sizeof *w ? realloc(c->words, cap * sizeof *w) : NULL;
  if (!w)
    return AVIS_ERR_NOMEM;
  c->words = w;
  c->words_cap = cap;
  return 0;
}

static int fail(int rc) {
  return rc == AVIS_ERR_NOMEM ? avis_fail(rc, "out of memory")
         : rc == AVIS_ERR_TOO_LARGE
             ? avis_fail(rc, "normalised text exceeds 4 GiB")
             : rc;
}

int avis_word_cache_resolve(avis_word_cache *c, const char *text,
                            avis_tok *toks, size_t ntok, avis_buf *arena,
                            const avis_word **words) {
  *words = NULL;
  if (reserve_words(c, ntok))
    return fail(AVIS_ERR_NOMEM);
  if (++c->doc == 0) {
    /* After 2^32 documents the stamps start again: none may be stale. */
    clear(c);
    c->doc = 1;
  }
  key ahead[SLOT_AHEAD];
  for (size_t i = 0; i < ntok && i < SLOT_AHEAD; i++) {
    ahead[i] = key_at(text + toks[i].start, toks[i].len, toks[i].start);
    prefetch_slot(c, &ahead[i]);
  }
  for (size_t i = 0; i < ntok; i++) {
    key k = ahead[i % SLOT_AHEAD];
    if (i + SLOT_AHEAD < ntok) {
      const avis_tok *t = &toks[i + SLOT_AHEAD];
      ahead[i % SLOT_AHEAD] = key_at(text + t->start, t->len, t->start);
      prefetch_slot(c, &ahead[i % SLOT_AHEAD]);
    }
    if (i + ENTRY_AHEAD < ntok)
      prefetch_entry(c, &ahead[(i + ENTRY_AHEAD) % SLOT_AHEAD]);
    if (i + STRINGS_AHEAD < ntok)
      prefetch_strings(c, &ahead[(i + STRINGS_AHEAD) % SLOT_AHEAD]);
    int rc = resolve_token(c, &toks[i], &k, arena, &c->words[i]);
    if (rc)
      return fail(rc);
  }
  *words = c->words;
  return 0;
}
