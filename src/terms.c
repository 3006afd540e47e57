/* The term pipeline of the topic models and the corpus of documents. */
#include "terms.h"

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

static int is_term_word(const avis_tok *t, const char *norm,
                        const avis_strmap *stopwords) {
  if (t->kind != AVIS_TOKEN_WORD || (t->flags & AVIS_TF_ELISION))
    return 0;
  if (avis_utf8_count(norm, t->norm_len) < 2 || !has_letter(norm, t->norm_len))
    return 0;
  uint32_t v;
  return !stopwords || !avis_strmap_get(stopwords, norm, t->norm_len, &v);
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
  if (is_term_word(t, norm, stopwords)) {
    *s = arena + t->stem_off;
    *n = t->stem_len;
    return 1;
  }
  if (t->kind != AVIS_TOKEN_HASHTAG || t->norm_len <= 2 ||
      !has_letter(norm + 1, t->norm_len - 1))
    return 0;
  *s = avis_stem(stemmer, norm + 1, t->norm_len - 1, n);
  return *s ? 1 : AVIS_ERR_NOMEM;
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

int avis_term_reader_read(avis_term_reader *r, const char *bytes, size_t len) {
  avis_encoding enc;
  const avis_word *words;
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
  if ((rc = avis_tokenize(r->text.data, r->text.len, &r->toks)) != 0 ||
      (rc = avis_word_cache_resolve(r->words, r->text.data, r->toks.data,
                                    r->toks.len, &r->arena, &words)) != 0 ||
      (rc = avis_terms_from_tokens(r->toks.data, r->toks.len, r->arena.data,
                                   r->stopwords, r->stemmer, &r->terms,
                                   &r->strings)) != 0 ||
      (r->forms && (rc = terms_to_forms(r)) != 0))
    return avis_fail(rc, "out of memory while reading terms");
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

static int push_u32(avis_vec *v, uint32_t x) {
  uint32_t *p = avis_vec_push(v, sizeof *p);
  if (!p)
    return AVIS_ERR_NOMEM;
  *p = x;
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
  size_t nterms = c->terms.count;
  size_t *where = calloc(nterms ? nterms : 1, sizeof *where);
  out->row = malloc((ndocs + 1) * sizeof *out->row);
  int rc = out->row && where ? 0 : AVIS_ERR_NOMEM;
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
