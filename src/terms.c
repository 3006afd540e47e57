/* The term pipeline of the topic models and the corpus of documents. */
#include "terms.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "error.h"
#include "model.h"
#include "normalize.h"

static int has_letter(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x80 || (unsigned)((c | 0x20) - 'a') < 26u)
      return 1;
  }
  return 0;
}

/* What token t becomes (avis_token_term()), given its normalised form:
 * the stem of that form, the stem of the word of a hashtag, or nothing. */
enum { NO_TERM, WORD_TERM, HASHTAG_TERM };

static int term_rule(const avis_tok *t, const char *norm, size_t len,
                     const avis_strmap *stopwords) {
  uint32_t v;
  if (t->kind == AVIS_TOKEN_WORD) {
    /* Five bytes or more of UTF-8 hold two code points at least: only
     * shorter forms are counted. */
    if ((t->flags & AVIS_TF_ELISION) ||
        (len < 5 && avis_utf8_count(norm, len) < 2) || !has_letter(norm, len))
      return NO_TERM;
    return stopwords && avis_strmap_get(stopwords, norm, len, &v) ? NO_TERM
                                                                   : WORD_TERM;
  }
  return t->kind == AVIS_TOKEN_HASHTAG && len > 2 &&
                 has_letter(norm + 1, len - 1)
             ? HASHTAG_TERM
             : NO_TERM;
}

static int push_term(avis_vec *terms, avis_buf *strings, const char *s,
                     size_t n, uint32_t tok, uint32_t sentence) {
  avis_term *term = avis_vec_push(terms, sizeof *term);
  if (!term)
    return AVIS_ERR_NOMEM;
  term->off = (uint32_t)strings->len;
  term->len = (uint32_t)n;
  term->tok = tok;
  term->sentence = sentence;
  if (avis_buf_append(strings, s, n) || avis_buf_putc(strings, '\0'))
    return AVIS_ERR_NOMEM;
  return 0;
}

int avis_token_term(const avis_tok *t, const char *arena,
                    const avis_strmap *stopwords, avis_stemmer *stemmer,
                    const char **s, size_t *n) {
  const char *norm = arena + t->norm_off;
  switch (term_rule(t, norm, t->norm_len, stopwords)) {
  case WORD_TERM:
    *s = arena + t->stem_off;
    *n = t->stem_len;
    return 1;
  case HASHTAG_TERM:
    *s = avis_stem(stemmer, norm + 1, t->norm_len - 1, n);
    return *s ? 1 : AVIS_ERR_NOMEM;
  default:
    return 0;
  }
}

int avis_terms_from_tokens(const avis_tok *toks, size_t ntok, const char *arena,
                           const avis_strmap *stopwords, avis_stemmer *stemmer,
                           avis_vec *terms, avis_buf *strings) {
  for (size_t i = 0; i < ntok; i++) {
    const char *s;
    size_t n;
    int rc = avis_token_term(&toks[i], arena, stopwords, stemmer, &s, &n);
    if (rc < 0 || (rc > 0 && push_term(terms, strings, s, n, (uint32_t)i,
                                       toks[i].sentence)))
      return AVIS_ERR_NOMEM;
  }
  return 0;
}

int avis_term_reader_init(avis_term_reader *r, const avis_strmap *stopwords) {
  memset(r, 0, sizeof *r);
  r->stopwords = stopwords;
  avis_word_sources sources = {.stopwords = stopwords};
  int rc = avis_stemmer_new(&r->stemmer);
  if (!rc)
    rc = avis_word_cache_new(&r->words, &sources, r->stemmer);
  return rc;
}

void avis_term_reader_release(avis_term_reader *r) {
  avis_word_cache_free(r->words);
  avis_stemmer_free(r->stemmer);
  avis_buf_release(&r->text);
  avis_buf_release(&r->arena);
  avis_buf_release(&r->strings);
  avis_vec_release(&r->toks);
  avis_vec_release(&r->terms);
  memset(r, 0, sizeof *r);
}

/* Forms mode: each term becomes the normalised word its token holds (a
 * hashtag, its word without the '#'). */
static int terms_to_forms(avis_term_reader *r) {
  avis_term *terms = r->terms.data;
  const avis_tok *toks = r->toks.data;
  for (size_t i = 0; i < r->terms.len; i++) {
    const avis_tok *t = &toks[terms[i].tok];
    size_t skip = t->kind == AVIS_TOKEN_HASHTAG;
    terms[i].off = (uint32_t)r->strings.len;
    terms[i].len = t->norm_len - (uint32_t)skip;
    if (avis_buf_append(&r->strings, r->arena.data + t->norm_off + skip,
                        terms[i].len) ||
        avis_buf_putc(&r->strings, '\0'))
      return AVIS_ERR_NOMEM;
  }
  return 0;
}

/* Decodes and tokenises `bytes` into the reader's text and tokens, and
 * forgets the previous text's strings and terms. */
static int read_tokens(avis_term_reader *r, const char *bytes, size_t len) {
  avis_encoding enc;
  avis_buf_clear(&r->arena);
  avis_buf_clear(&r->strings);
  r->toks.len = 0;
  r->terms.len = 0;
  int rc = avis_decode(bytes, len, &r->text, &enc);
  if (rc)
    return rc;
  if (r->text.len > UINT32_MAX / 2)
    return avis_fail(AVIS_ERR_TOO_LARGE, "text of %zu bytes is too large",
                     r->text.len);
  if ((rc = avis_tokenize(r->text.data, r->text.len, &r->toks)) != 0)
    return avis_fail(rc, "out of memory while reading terms");
  return 0;
}

int avis_term_reader_read(avis_term_reader *r, const char *bytes, size_t len) {
  const avis_word *words;
  int rc = read_tokens(r, bytes, len);
  if (rc)
    return rc;
  if ((rc = avis_word_cache_resolve(r->words, r->text.data, r->toks.data,
                                    r->toks.len, &r->arena, &words)) != 0 ||
      (rc = avis_terms_from_tokens(r->toks.data, r->toks.len, r->arena.data,
                                   r->stopwords, r->stemmer, &r->terms,
                                   &r->strings)) != 0 ||
      (r->forms && (rc = terms_to_forms(r)) != 0))
    return avis_fail(rc, "out of memory while reading terms");
  return 0;
}

/* Called through a volatile pointer so that the compiler cannot turn
 * malloc() and memset() back into calloc(). */
static void *(*volatile fill_bytes)(void *, int, size_t) = memset;

void *avis_zeroed_alloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (p)
    fill_bytes(p, 0, n ? n : 1);
  return p;
}

/* ---- Term numbers ------------------------------------------------------ */

/* Distinct tokens a numberer remembers, and bytes of their tails, before
 * it starts again, so that a long run over varied text cannot hold much
 * memory (a token takes at most two slots of 32 bytes). */
#define MAX_CACHED_TOKENS ((size_t)1 << 18)
#define MAX_TAIL_BYTES ((size_t)16 << 20)
#define HEAD 16
#define FRONT_SLOTS 4096 /* the front table's, below */

struct avis_token_slot {
  uint64_t head[2];  /* the token's first 16 bytes, zero-padded */
  uint32_t kind_len; /* length << 1 | hashtag; 0: an empty slot */
  uint32_t value;    /* term number + 1, or 0: no term */
  uint32_t tail;     /* where bytes 16.. are in `tails` */
  uint32_t hash;     /* of the token, which places it */
};

_Static_assert(sizeof(avis_token_slot) == 32, "two token slots a cache line");

static int push_u32(avis_vec *v, uint32_t x) {
  uint32_t *p = avis_vec_push(v, sizeof *p);
  if (!p)
    return AVIS_ERR_NOMEM;
  *p = x;
  return 0;
}

int avis_term_numberer_init(avis_term_numberer *n,
                            const avis_strmap *stopwords) {
  memset(n, 0, sizeof *n);
  int rc = avis_term_reader_init(&n->reader, stopwords);
  if (!rc)
    rc = avis_stemmer_new(&n->snowball);
  return rc;
}

void avis_term_numberer_release(avis_term_numberer *n) {
  avis_term_reader_release(&n->reader);
  avis_stemmer_free(n->snowball);
  avis_strmap_release(&n->numbers);
  free(n->tokens);
  free(n->front);
  avis_buf_release(&n->tails);
  avis_vec_release(&n->keys);
  memset(n, 0, sizeof *n);
}

/* A token as the table keys it: its bytes, its head and its hash. */
struct avis_token_key {
  const char *s;
  uint32_t n, kind_len;
  uint64_t head[2], hash;
  uint32_t tok;   /* its index among the document's tokens */
  uint32_t value; /* when known: found in the front table ahead */
  int known;
};
typedef avis_token_key token_key;

static inline uint64_t mix(uint64_t h) {
  h *= 0x9e3779b97f4a7c15ULL;
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ULL;
  return h ^ h >> 32;
}

static inline token_key key_of(const char *s, uint32_t n, int hashtag) {
  token_key k = {s, n, n << 1 | (hashtag != 0), {0, 0}, 0, 0, 0, 0};
  k.head[0] = avis_read_word(s, n);
  if (n > 8)
    k.head[1] = avis_read_word(s + 8, n - 8);
  uint64_t h = mix(k.head[0] ^ (uint64_t)k.kind_len << 40) ^ k.head[1];
  for (uint32_t i = HEAD; i < n; i += 8)
    h = mix(h) ^ avis_read_word(s + i, n - i);
  k.hash = mix(h);
  return k;
}

static inline int same_token(const avis_term_numberer *n,
                             const avis_token_slot *t, const token_key *k) {
  return t->kind_len == k->kind_len && t->head[0] == k->head[0] &&
         t->head[1] == k->head[1] &&
         (k->n <= HEAD ||
          memcmp(n->tails.data + t->tail, k->s + HEAD, k->n - HEAD) == 0);
}

/* The slot of key k, or the empty slot where it would go. */
static inline avis_token_slot *find_token(const avis_term_numberer *n,
                                          const token_key *k) {
  size_t mask = n->nslots - 1;
  for (size_t i = (uint32_t)k->hash & mask;; i = (i + 1) & mask)
    if (!n->tokens[i].kind_len || same_token(n, &n->tokens[i], k))
      return &n->tokens[i];
}

/* Forgets every token (keeping the room). */
static void clear_tokens(avis_term_numberer *n) {
  if (n->tokens)
    memset(n->tokens, 0, n->nslots * sizeof *n->tokens);
  if (n->front)
    memset(n->front, 0, FRONT_SLOTS * sizeof *n->front);
  n->ntokens = 0;
  avis_buf_clear(&n->tails);
}

/* Room for one more token: the slots stay at least twice as many. The
 * table starts again past MAX_CACHED_TOKENS or MAX_TAIL_BYTES. */
static int reserve_token(avis_term_numberer *n) {
  if (n->ntokens >= MAX_CACHED_TOKENS || n->tails.len >= MAX_TAIL_BYTES)
    clear_tokens(n);
  if (2 * (n->ntokens + 1) <= n->nslots)
    return 0;
  size_t cap = n->nslots ? 2 * n->nslots : 4096, mask = cap - 1;
  avis_token_slot *slots = avis_zeroed_alloc(cap * sizeof *slots);
  if (!slots)
    return AVIS_ERR_NOMEM;
  for (size_t i = 0; i < n->nslots; i++) {
    if (!n->tokens[i].kind_len)
      continue;
    size_t j = n->tokens[i].hash & mask;
    while (slots[j].kind_len)
      j = (j + 1) & mask;
    slots[j] = n->tokens[i];
  }
  free(n->tokens);
  n->tokens = slots;
  n->nslots = cap;
  return 0;
}

/* Words and hashtags are the only kinds of tokens that may become terms,
 * and an elided clitic never does (avis_token_term()). */
static int may_be_term(const avis_tok *t) {
  return (t->kind == AVIS_TOKEN_WORD && !(t->flags & AVIS_TF_ELISION)) ||
         t->kind == AVIS_TOKEN_HASHTAG;
}

/* The term of token t and its number: *v is the number + 1, or 0 when t
 * becomes no term. The term is the one avis_term_reader_read() finds, the
 * word cache's normalised form and stem being avis_normalize() and the
 * Snowball stem of it; but a token that becomes no term (a stop word, a
 * letter) is not stemmed, and nothing the analysis alone needs (lexicon,
 * modifiers) is looked up. */
static int number_token(avis_term_numberer *n, const avis_tok *t,
                        uint32_t *v) {
  avis_term_reader *r = &n->reader;
  uint32_t off, norm_len;
  *v = 0;
  avis_buf_clear(&r->arena);
  int rc = avis_normalize(&r->arena, r->text.data + t->start, t->len, &off,
                          &norm_len);
  if (rc)
    return rc;
  const char *norm = r->arena.data + off;
  int rule = term_rule(t, norm, norm_len, r->stopwords);
  if (rule == NO_TERM)
    return 0;
  size_t skip = rule == HASHTAG_TERM, len = norm_len - skip;
  const char *s = norm + skip;
  if (!r->forms) {
    if (len > INT_MAX)
      return AVIS_ERR_TOO_LARGE;
    s = avis_stem_uncached(n->snowball, s, len, &len);
    if (!s)
      return AVIS_ERR_NOMEM;
  }
  uint32_t x;
  if (!avis_strmap_get(&n->numbers, s, len, &x)) {
    x = (uint32_t)n->numbers.count;
    if (x == UINT32_MAX - 1 || avis_strmap_put(&n->numbers, s, len, x))
      return AVIS_ERR_NOMEM;
  }
  *v = x + 1;
  return 0;
}

/* The front table: the most recent tokens of up to 16 bytes, one per
 * place, in 128 KiB that stay in the cache. The table of every token is
 * megabytes, and on small pages most of its lookups would miss the TLB as
 * well as the cache; the common tokens, most of any text, are found here
 * instead, and the rare ones' slots are fetched ahead. A token's value
 * never changes, so a front entry never goes stale. */
static inline avis_token_slot *front_of(const avis_term_numberer *n,
                                        const token_key *k) {
  return &n->front[(k->hash >> 40) & (FRONT_SLOTS - 1)];
}

static inline int in_front(const avis_term_numberer *n, const token_key *k,
                           uint32_t *v) {
  const avis_token_slot *f = front_of(n, k);
  if (f->kind_len != k->kind_len || f->head[0] != k->head[0] ||
      f->head[1] != k->head[1] || k->n > HEAD)
    return 0;
  *v = f->value;
  return 1;
}

static inline void put_front(avis_term_numberer *n, const token_key *k,
                             uint32_t v) {
  if (k->n > HEAD)
    return;
  avis_token_slot *f = front_of(n, k);
  f->head[0] = k->head[0];
  f->head[1] = k->head[1];
  f->kind_len = k->kind_len;
  f->value = v;
}

/* The value of token t, of key k (number + 1, or 0), remembering it when
 * new. */
static int token_value(avis_term_numberer *n, const avis_tok *t,
                       const token_key *key, uint32_t *v) {
  const char *bytes = key->s;
  token_key k = *key;
  avis_token_slot *slot = n->nslots ? find_token(n, &k) : NULL;
  if (slot && slot->kind_len) {
    *v = slot->value;
    put_front(n, &k, *v);
    return 0;
  }
  int rc = number_token(n, t, v);
  if (rc || (rc = reserve_token(n)) != 0)
    return rc;
  slot = find_token(n, &k);
  slot->head[0] = k.head[0];
  slot->head[1] = k.head[1];
  slot->kind_len = k.kind_len;
  slot->value = *v;
  slot->hash = (uint32_t)k.hash;
  slot->tail = (uint32_t)n->tails.len;
  if (k.n > HEAD &&
      (n->tails.len + k.n >= UINT32_MAX ||
       avis_buf_append(&n->tails, bytes + HEAD, k.n - HEAD))) {
    slot->kind_len = 0;
    return AVIS_ERR_NOMEM;
  }
  n->ntokens++;
  put_front(n, &k, *v);
  return 0;
}

/* The keys of the tokens that may become terms, in order: so that the
 * slot of a token some places ahead can be fetched while this one is
 * looked up. Most tokens are known and a lookup is one cache miss at most,
 * which the fetch hides. */
#define LOOKAHEAD 8

static int token_keys(avis_term_numberer *n) {
  const avis_tok *toks = n->reader.toks.data;
  n->keys.len = 0;
  for (size_t i = 0; i < n->reader.toks.len; i++) {
    if (!may_be_term(&toks[i]))
      continue;
    token_key *k = avis_vec_push(&n->keys, sizeof *k);
    if (!k)
      return AVIS_ERR_NOMEM;
    *k = key_of(n->reader.text.data + toks[i].start, toks[i].len,
                toks[i].kind == AVIS_TOKEN_HASHTAG);
    k->tok = (uint32_t)i;
  }
  return 0;
}

static inline void prefetch_slot(const avis_term_numberer *n,
                                 const token_key *k) {
#if defined(__GNUC__)
  if (n->nslots)
    __builtin_prefetch(&n->tokens[(uint32_t)k->hash & (n->nslots - 1)]);
#else
  (void)n;
  (void)k;
#endif
}

int avis_term_numberer_read(avis_term_numberer *n, const char *bytes,
                            size_t len, avis_vec *seq) {
  avis_term_reader *r = &n->reader;
  if (n->forms != r->forms) {
    clear_tokens(n);
    n->forms = r->forms;
  }
  int rc = read_tokens(r, bytes, len);
  if (rc)
    return rc;
  if ((!n->front &&
       !(n->front = avis_zeroed_alloc(FRONT_SLOTS * sizeof *n->front))) ||
      token_keys(n))
    return avis_fail(AVIS_ERR_NOMEM, "out of memory while reading terms");
  const avis_tok *toks = r->toks.data;
  token_key *keys = n->keys.data;
  uint32_t sentence = 0;
  int first = 1;
  for (size_t i = 0; i < n->keys.len; i++) {
    token_key *ahead = i + LOOKAHEAD < n->keys.len ? &keys[i + LOOKAHEAD]
                                                   : NULL;
    if (ahead && !(ahead->known = in_front(n, ahead, &ahead->value)))
      prefetch_slot(n, ahead);
    const avis_tok *t = &toks[keys[i].tok];
    uint32_t v = keys[i].value;
    if (!keys[i].known && !in_front(n, &keys[i], &v) &&
        (rc = token_value(n, t, &keys[i], &v)) != 0)
      return avis_fail(rc, "out of memory while reading terms");
    if (!v)
      continue;
    if ((!first && t->sentence != sentence &&
         push_u32(seq, AVIS_TERM_BREAK)) ||
        push_u32(seq, v - 1))
      return avis_fail(AVIS_ERR_NOMEM, "out of memory while reading terms");
    sentence = t->sentence;
    first = 0;
  }
  return 0;
}

void avis_csr_release(avis_csr *m) {
  free(m->row);
  free(m->ids);
  free(m->counts);
  memset(m, 0, sizeof *m);
}

/* ---- Corpus ------------------------------------------------------------ */

int avis_corpus_new(avis_corpus **out, const avis_model *model) {
  if (!out || !model)
    return avis_fail(AVIS_ERR_ARG, "avis_corpus_new: NULL argument");
  *out = NULL;
  avis_corpus *c = calloc(1, sizeof *c);
  if (!c)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  int rc = avis_term_reader_init(&c->reader, &model->stopwords);
  size_t *zero = rc ? NULL : avis_vec_push(&c->doc_start, sizeof *zero);
  if (rc || !zero) {
    avis_corpus_free(c);
    return rc ? rc : avis_fail(AVIS_ERR_NOMEM, "out of memory");
  }
  *out = c;
  return 0;
}

void avis_corpus_free(avis_corpus *c) {
  if (!c)
    return;
  avis_term_reader_release(&c->reader);
  avis_corpus_readers_free(c->readers);
  avis_strmap_release(&c->terms);
  avis_strmap_release(&c->labels);
  avis_vec_release(&c->df);
  avis_vec_release(&c->last_doc);
  avis_vec_release(&c->seq);
  avis_vec_release(&c->doc_start);
  avis_vec_release(&c->doc_labels);
  avis_vec_release(&c->doc_bytes);
  avis_vec_release(&c->doc_weight);
  free(c);
}

int avis_corpus_label_mask(avis_corpus *c, const char *const *labels,
                           size_t n, uint64_t *mask) {
  *mask = 0;
  for (size_t i = 0; i < n; i++) {
    if (!labels[i] || !*labels[i])
      return avis_fail(AVIS_ERR_ARG, "avis_corpus_add: empty label");
    size_t len = strlen(labels[i]);
    uint32_t bit;
    if (!avis_strmap_get(&c->labels, labels[i], len, &bit)) {
      if (c->labels.count >= AVIS_MAX_LABELS)
        return avis_fail(AVIS_ERR_ARG, "more than %d labels (at '%s')",
                         AVIS_MAX_LABELS, labels[i]);
      bit = (uint32_t)c->labels.count;
      if (avis_strmap_put(&c->labels, labels[i], len, bit))
        return avis_fail(AVIS_ERR_NOMEM, "out of memory");
    }
    *mask |= (uint64_t)1 << bit;
  }
  return 0;
}

void avis_corpus_count_term(avis_corpus *c, uint32_t id, uint32_t doc) {
  uint32_t *last = (uint32_t *)c->last_doc.data + id;
  if (*last != doc + 1) {
    *last = doc + 1;
    ((uint32_t *)c->df.data)[id]++;
  }
}

int avis_corpus_intern(avis_corpus *c, const char *s, size_t n, uint32_t doc,
                       uint32_t *id) {
  if (!avis_strmap_get(&c->terms, s, n, id)) {
    *id = (uint32_t)c->terms.count;
    uint32_t *df = avis_vec_push(&c->df, sizeof *df);
    uint32_t *last = avis_vec_push(&c->last_doc, sizeof *last);
    if (!df || !last || avis_strmap_put(&c->terms, s, n, *id))
      return AVIS_ERR_NOMEM;
  }
  avis_corpus_count_term(c, *id, doc);
  return 0;
}

static int append_terms(avis_corpus *c, uint32_t doc, void *user) {
  (void)user;
  const avis_term *terms = c->reader.terms.data;
  const char *strings = c->reader.strings.data;
  for (size_t i = 0; i < c->reader.terms.len; i++) {
    uint32_t id;
    if (i > 0 && terms[i].sentence != terms[i - 1].sentence &&
        push_u32(&c->seq, AVIS_TERM_BREAK))
      return AVIS_ERR_NOMEM;
    if (avis_corpus_intern(c, strings + terms[i].off, terms[i].len, doc,
                           &id) ||
        push_u32(&c->seq, id))
      return AVIS_ERR_NOMEM;
  }
  return 0;
}

int avis_corpus_append(avis_corpus *c, uint64_t mask, size_t bytes,
                       double weight,
                       int (*fill)(avis_corpus *, uint32_t, void *),
                       void *user) {
  size_t ndocs = avis_corpus_doc_count(c), seq_len = c->seq.len;
  uint64_t *lab = avis_vec_push(&c->doc_labels, sizeof *lab);
  size_t *nbytes = avis_vec_push(&c->doc_bytes, sizeof *nbytes);
  double *w = avis_vec_push(&c->doc_weight, sizeof *w);
  size_t *end = lab && nbytes && w ? avis_vec_push(&c->doc_start, sizeof *end)
                                   : NULL;
  if (!end || fill(c, (uint32_t)ndocs, user)) {
    /* Undo the partial document so that the corpus stays consistent. */
    c->seq.len = seq_len;
    c->doc_labels.len = ndocs;
    c->doc_bytes.len = ndocs;
    c->doc_weight.len = ndocs;
    c->doc_start.len = ndocs + 1;
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  }
  *lab = mask;
  *nbytes = bytes;
  *w = weight;
  *end = c->seq.len;
  return 0;
}

int avis_corpus_check_doc(const avis_corpus *c, double weight) {
  if (!(weight > 0 && weight <= 100))
    return avis_fail(AVIS_ERR_ARG, "document weight %g not in (0, 100]",
                     weight);
  if (avis_corpus_doc_count(c) >= UINT32_MAX - 1)
    return avis_fail(AVIS_ERR_TOO_LARGE, "the corpus is full");
  return 0;
}

int avis_corpus_add(avis_corpus *c, const char *text, size_t len,
                    const char *const *labels, size_t nlabels) {
  return avis_corpus_add_weighted(c, text, len, labels, nlabels, 1.0);
}

int avis_corpus_add_weighted(avis_corpus *c, const char *text, size_t len,
                             const char *const *labels, size_t nlabels,
                             double weight) {
  if (!c || (!text && len) || (!labels && nlabels))
    return avis_fail(AVIS_ERR_ARG, "avis_corpus_add: NULL argument");
  uint64_t mask;
  int rc = avis_corpus_check_doc(c, weight);
  if (rc || (rc = avis_corpus_label_mask(c, labels, nlabels, &mask)) != 0 ||
      (rc = avis_term_reader_read(&c->reader, text, len)) != 0)
    return rc;
  return avis_corpus_append(c, mask, len, weight, append_terms, NULL);
}

int avis_corpus_set_terms(avis_corpus *c, avis_terms_kind kind) {
  if (!c || (unsigned)kind > AVIS_TERMS_TOKENS || avis_corpus_doc_count(c))
    return avis_fail(AVIS_ERR_ARG, "avis_corpus_set_terms: bad kind, or the "
                     "corpus already holds documents");
  c->kind = kind;
  c->reader.forms = kind == AVIS_TERMS_FORMS;
  return 0;
}

static int is_blank(char ch) { return ch == ' ' || ch == '\t' || ch == '\r'; }

int avis_corpus_add_tokens(avis_corpus *c, const char *line, size_t len) {
  if (!c || (!line && len) || c->kind != AVIS_TERMS_TOKENS)
    return avis_fail(AVIS_ERR_ARG, "avis_corpus_add_tokens: NULL argument or "
                     "not a corpus of tokens");
  size_t ndocs = avis_corpus_doc_count(c);
  if (ndocs >= UINT32_MAX - 1)
    return avis_fail(AVIS_ERR_TOO_LARGE, "the corpus is full");
  if (avis_utf8_valid_prefix(line, len) != len || memchr(line, '\0', len))
    return avis_fail(AVIS_ERR_ENCODING, "pre-tokenised text is not UTF-8");
  size_t seq_len = c->seq.len, ntok = 0;
  int rc = 0;
  for (size_t i = 0; !rc && i < len;) {
    while (i < len && is_blank(line[i]))
      i++;
    size_t start = i;
    while (i < len && !is_blank(line[i]))
      i++;
    uint32_t id;
    if (i > start && (rc = avis_corpus_intern(c, line + start, i - start,
                                              (uint32_t)ndocs, &id)) == 0)
      rc = push_u32(&c->seq, id), ntok++;
  }
  uint64_t *lab = rc || !ntok ? NULL : avis_vec_push(&c->doc_labels, sizeof *lab);
  size_t *bytes = lab ? avis_vec_push(&c->doc_bytes, sizeof *bytes) : NULL;
  size_t *end = bytes ? avis_vec_push(&c->doc_start, sizeof *end) : NULL;
  if (!end) {
    c->seq.len = seq_len;
    c->doc_labels.len = ndocs;
    c->doc_bytes.len = ndocs;
    if (!rc && !ntok)
      return avis_fail(AVIS_ERR_EMPTY, "a pre-tokenised document without tokens");
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  }
  *bytes = len;
  *end = c->seq.len;
  return 0;
}

size_t avis_corpus_size(const avis_corpus *c) {
  return c ? avis_corpus_doc_count(c) : 0;
}

size_t avis_corpus_doc_count(const avis_corpus *c) {
  return c->doc_start.len - 1;
}

const uint32_t *avis_corpus_doc(const avis_corpus *c, size_t d, size_t *n) {
  const size_t *start = c->doc_start.data;
  *n = start[d + 1] - start[d];
  return (const uint32_t *)c->seq.data + start[d];
}

uint64_t avis_corpus_doc_label_mask(const avis_corpus *c, size_t d) {
  return ((const uint64_t *)c->doc_labels.data)[d];
}

double avis_corpus_doc_weight(const avis_corpus *c, size_t d) {
  return ((const double *)c->doc_weight.data)[d];
}

const char *avis_corpus_term(const avis_corpus *c, uint32_t id, size_t *len) {
  return avis_strmap_key(&c->terms, id, len);
}

/* Appends one document's mapped terms with their counts, in order of
 * first occurrence: where[v] is the place of term v in the row being
 * built when it holds v (no clearing between rows needed). */
static int count_row(const avis_corpus *c, size_t d, const uint32_t *map,
                     size_t *where, avis_vec *ids, avis_vec *counts) {
  size_t n, row = ids->len;
  const uint32_t *seq = avis_corpus_doc(c, d, &n);
  for (size_t i = 0; i < n; i++) {
    if (seq[i] == AVIS_TERM_BREAK || map[seq[i]] == AVIS_TERM_BREAK)
      continue;
    uint32_t v = map[seq[i]];
    size_t p = where[v];
    if (p >= row && p < ids->len && ((const uint32_t *)ids->data)[p] == v) {
      ((float *)counts->data)[p] += 1;
      continue;
    }
    float *cnt = avis_vec_push(counts, sizeof *cnt);
    if (!cnt || push_u32(ids, v))
      return AVIS_ERR_NOMEM;
    *cnt = 1;
    where[v] = ids->len - 1;
  }
  return 0;
}

int avis_corpus_count(const avis_corpus *c, const size_t *docs, size_t ndocs,
                      const uint32_t *map, avis_csr *out) {
  memset(out, 0, sizeof *out);
  avis_vec ids = {0}, counts = {0};
  size_t *where = avis_zeroed_alloc(c->terms.count * sizeof *where);
  out->row = malloc((ndocs + 1) * sizeof *out->row);
  int rc = out->row && where ? 0 : AVIS_ERR_NOMEM;
  /* Room for every term the documents hold, which bounds the rows: growing
   * by doubling would copy the rows into fresh pages at every step, while
   * the part of this room never written costs no memory. */
  size_t most = 0;
  for (size_t i = 0; i < ndocs; i++) {
    size_t n;
    avis_corpus_doc(c, docs[i], &n);
    most += n;
  }
  if (!rc && (avis_vec_reserve(&ids, most ? most : 1, sizeof(uint32_t)) ||
              avis_vec_reserve(&counts, most ? most : 1, sizeof(float))))
    rc = AVIS_ERR_NOMEM;
  for (size_t i = 0; !rc && i < ndocs; i++) {
    out->row[i] = ids.len;
    rc = count_row(c, docs[i], map, where, &ids, &counts);
  }
  free(where);
  if (rc) {
    avis_vec_release(&ids);
    avis_vec_release(&counts);
    free(out->row);
    out->row = NULL;
    return avis_fail(AVIS_ERR_NOMEM, "out of memory counting terms");
  }
  out->row[ndocs] = ids.len;
  out->nrows = ndocs;
  out->ids = ids.data;
  out->counts = counts.data;
  return 0;
}
