/* LDA model files: the container of every avis model file (topicfile.h)
 * with the sections of docs/lda.md. Every count, offset and length is
 * checked before it is used, and the numbers are copied out of the image
 * in little-endian order, whatever the host's. */
#define _POSIX_C_SOURCE 200809L
#include "lda.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "error.h"
#include "topicfile.h"

enum { SEC_LDAP, SEC_ALPH, SEC_TERM, SEC_TWCT, SEC_PROV, NSEC };
static const char section_tags[NSEC][5] = {"LDAP", "ALPH", "TERM", "TWCT",
                                           "PROV"};
#define PARAMS_SIZE 40u
/* A saved count: topic in the low bits, count above. */
#define TOPIC_BITS 10u
#define MAX_SAVED_COUNT ((1u << (32 - TOPIC_BITS)) - 1)

static int put_f64(avis_buf *b, double v) {
  uint64_t u;
  memcpy(&u, &v, sizeof u);
  return avis_le64_put(b, u);
}

static double get_f64(const unsigned char *p) {
  uint64_t u = avis_le64_get(p);
  double d;
  memcpy(&d, &u, sizeof d);
  return d;
}

/* ---- Writer ------------------------------------------------------------ */

static int write_params(avis_buf *b, const avis_lda *m) {
  return avis_le32_put(b, m->k) || avis_le32_put(b, m->nterms) ||
         avis_le32_put(b, (uint32_t)m->terms_kind) || avis_le32_put(b, m->vocab) ||
         put_f64(b, m->beta) || avis_le64_put(b, m->tokens) ||
         avis_le32_put(b, m->row[m->nterms]) || avis_le32_put(b, 0);
}

static int write_alpha(avis_buf *b, const avis_lda *m) {
  int rc = 0;
  for (uint32_t j = 0; !rc && j < m->k; j++)
    rc = put_f64(b, m->alpha[j]);
  for (uint32_t j = 0; !rc && j < m->k; j++)
    rc = avis_le64_put(b, m->topic_total[j]);
  return rc;
}

static int write_terms(avis_buf *b, const avis_lda *m) {
  int rc = 0;
  for (uint32_t t = 0; !rc && t < m->nterms; t++)
    rc = avis_le32_put(b, m->term_off[t]) ||
         avis_le32_put(b, (uint32_t)strlen(m->term_pool.data + m->term_off[t]));
  return rc || avis_buf_append(b, m->term_pool.data, m->term_pool.len);
}

static int write_counts(avis_buf *b, const avis_lda *m) {
  uint32_t nent = m->row[m->nterms];
  int rc = avis_buf_reserve(b, 4 * ((size_t)m->nterms + 1 + nent));
  for (uint32_t t = 0; !rc && t <= m->nterms; t++)
    rc = avis_le32_put(b, m->row[t]);
  for (uint32_t e = 0; !rc && e < nent; e++) {
    if (m->entry_count[e] > MAX_SAVED_COUNT)
      return AVIS_ERR_TOO_LARGE;
    rc = avis_le32_put(b, m->entry_count[e] << TOPIC_BITS | m->entry_topic[e]);
  }
  return rc;
}

static int write_section(avis_buf *b, int which, const avis_lda *m) {
  switch (which) {
  case SEC_LDAP: return write_params(b, m);
  case SEC_ALPH: return write_alpha(b, m);
  case SEC_TERM: return write_terms(b, m);
  case SEC_TWCT: return write_counts(b, m);
  default: return avis_buf_append(b, m->provenance, strlen(m->provenance) + 1);
  }
}

int avis_lda_file_write(const avis_lda *m, avis_buf *out) {
  int rc = avis_model_file_begin(out, NSEC);
  for (int s = 0; !rc && s < NSEC; s++) {
    size_t start;
    if ((rc = avis_model_file_section_begin(out, &start)) != 0 ||
        (rc = write_section(out, s, m)) != 0)
      break;
    avis_model_file_section_end(out, (uint32_t)s, section_tags[s], start);
  }
  if (rc == AVIS_ERR_TOO_LARGE)
    return avis_fail(rc, "a topic-word count exceeds %u, the most a model "
                     "file holds", MAX_SAVED_COUNT);
  if (rc)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory writing a model");
  avis_model_file_finish(out, NSEC);
  return 0;
}

/* ---- Reader ------------------------------------------------------------ */

#define BAD(...) avis_fail(AVIS_ERR_FORMAT, __VA_ARGS__)

static int read_params(const avis_file_section *s, const char *name,
                       avis_lda *m, uint32_t *nentries) {
  if (s->size != PARAMS_SIZE)
    return BAD("%s: LDAP section has %llu bytes, expected %u", name,
               (unsigned long long)s->size, PARAMS_SIZE);
  const unsigned char *d = s->data;
  m->k = avis_le32_get(d);
  m->nterms = avis_le32_get(d + 4);
  uint32_t kind = avis_le32_get(d + 8);
  m->vocab = avis_le32_get(d + 12);
  m->beta = get_f64(d + 16);
  m->tokens = avis_le64_get(d + 24);
  *nentries = avis_le32_get(d + 32);
  if (m->k < 2 || m->k > AVIS_LDA_MAX_TOPICS)
    return BAD("%s: %u topics; a model has 2 to %u", name, m->k,
               AVIS_LDA_MAX_TOPICS);
  if (m->nterms > AVIS_LDA_MAX_TERMS || m->vocab < m->nterms)
    return BAD("%s: %u terms of %u: out of range", name, m->nterms, m->vocab);
  if (kind > AVIS_TERMS_TOKENS)
    return BAD("%s: unknown term kind %u", name, kind);
  m->terms_kind = (avis_terms_kind)kind;
  if (!(m->beta > 0 && m->beta < 1e6))
    return BAD("%s: beta out of range", name);
  if ((uint64_t)*nentries > (uint64_t)m->nterms * m->k)
    return BAD("%s: %u counts for %u terms and %u topics", name, *nentries,
               m->nterms, m->k);
  return 0;
}

static int read_alpha(const avis_file_section *s, const char *name,
                      avis_lda *m) {
  if (s->size != (uint64_t)m->k * 16)
    return BAD("%s: ALPH section has %llu bytes, expected %llu", name,
               (unsigned long long)s->size, (unsigned long long)m->k * 16);
  m->alpha = malloc(m->k * sizeof *m->alpha);
  m->topic_total = malloc(m->k * sizeof *m->topic_total);
  if (!m->alpha || !m->topic_total)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  uint64_t sum = 0;
  for (uint32_t j = 0; j < m->k; j++) {
    m->alpha[j] = get_f64(s->data + 8 * (size_t)j);
    m->topic_total[j] = avis_le64_get(s->data + 8 * ((size_t)m->k + j));
    if (!(m->alpha[j] > 0 && m->alpha[j] < 1e6))
      return BAD("%s: alpha of topic %u out of range", name, j);
    if (m->topic_total[j] > m->tokens - sum)
      return BAD("%s: topic sizes overflow the %llu tokens", name,
                 (unsigned long long)m->tokens);
    sum += m->topic_total[j];
    m->alpha_sum += m->alpha[j];
  }
  if (sum != m->tokens)
    return BAD("%s: topic sizes add up to %llu, not %llu tokens", name,
               (unsigned long long)sum, (unsigned long long)m->tokens);
  return 0;
}

/* Terms: a table of (offset, length) into a pool of NUL-terminated UTF-8. */
static int read_terms(const avis_file_section *s, const char *name,
                      avis_lda *m) {
  uint64_t table = (uint64_t)m->nterms * 8;
  if (s->size < table)
    return BAD("%s: TERM section too small for %u terms", name, m->nterms);
  uint64_t pool_len = s->size - table;
  const char *pool = (const char *)s->data + table;
  m->term_off = malloc(((size_t)m->nterms + 1) * sizeof *m->term_off);
  if (!m->term_off || avis_buf_append(&m->term_pool, pool, (size_t)pool_len))
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  for (uint32_t t = 0; t < m->nterms; t++) {
    uint32_t off = avis_le32_get(s->data + 8 * (size_t)t);
    uint32_t len = avis_le32_get(s->data + 8 * (size_t)t + 4);
    if (off > pool_len || len == 0 || len >= pool_len - off ||
        pool[off + len] != '\0' || memchr(pool + off, '\0', len) ||
        avis_utf8_valid_prefix(pool + off, len) != len)
      return BAD("%s: term %u out of bounds, empty or not UTF-8", name, t);
    m->term_off[t] = off;
  }
  return 0;
}

static int read_counts(const avis_file_section *s, const char *name,
                       avis_lda *m, uint32_t nentries) {
  uint64_t want = 4 * ((uint64_t)m->nterms + 1 + nentries);
  if (s->size != want)
    return BAD("%s: TWCT section has %llu bytes, expected %llu", name,
               (unsigned long long)s->size, (unsigned long long)want);
  m->row = malloc(((size_t)m->nterms + 1) * sizeof *m->row);
  m->entry_topic = malloc(((size_t)nentries + 1) * sizeof *m->entry_topic);
  m->entry_count = malloc(((size_t)nentries + 1) * sizeof *m->entry_count);
  uint64_t *sum = calloc(m->k, sizeof *sum);
  int rc = m->row && m->entry_topic && m->entry_count && sum
               ? 0 : avis_fail(AVIS_ERR_NOMEM, "out of memory");
  const unsigned char *e = s->data + 4 * ((size_t)m->nterms + 1);
  for (uint32_t t = 0; !rc && t <= m->nterms; t++) {
    m->row[t] = avis_le32_get(s->data + 4 * (size_t)t);
    if ((t == 0 && m->row[t] != 0) || (t > 0 && m->row[t] <= m->row[t - 1]) ||
        m->row[t] > nentries || (t == m->nterms && m->row[t] != nentries))
      rc = BAD("%s: count row %u (%u) out of order or past the end", name, t,
               m->row[t]);
  }
  for (uint32_t t = 0; !rc && t < m->nterms; t++)
    for (uint32_t i = m->row[t]; !rc && i < m->row[t + 1]; i++) {
      uint32_t v = avis_le32_get(e + 4 * (size_t)i);
      uint32_t j = v & ((1u << TOPIC_BITS) - 1), c = v >> TOPIC_BITS;
      if (j >= m->k || (i > m->row[t] && j <= m->entry_topic[i - 1]) || c == 0)
        rc = BAD("%s: term %u: topic %u out of range or out of order, or a "
                 "zero count", name, t, j);
      else if ((sum[j] += c) > m->topic_total[j])
        rc = BAD("%s: counts of topic %u overflow its size %llu", name, j,
                 (unsigned long long)m->topic_total[j]);
      m->entry_topic[i] = (uint16_t)j;
      m->entry_count[i] = c;
    }
  free(sum);
  return rc;
}

static int read_provenance(const avis_file_section *s, const char *name,
                           avis_lda *m) {
  const char *text = (const char *)s->data;
  if (s->size == 0 || text[s->size - 1] != '\0' ||
      strlen(text) != s->size - 1 ||
      avis_utf8_valid_prefix(text, s->size - 1) != s->size - 1)
    return BAD("%s: PROV section is not NUL-terminated UTF-8 text", name);
  m->provenance = malloc(s->size);
  if (!m->provenance)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  memcpy(m->provenance, text, s->size);
  return 0;
}

int avis_lda_file_parse(avis_lda **out, const unsigned char *d, size_t len,
                        const char *name) {
  *out = NULL;
  avis_file_section sec[NSEC];
  uint32_t nentries = 0;
  avis_lda *m = calloc(1, sizeof *m);
  if (!m)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  int rc = avis_model_file_sections(d, len, name, section_tags, NSEC, sec);
  if (rc == AVIS_ERR_FORMAT && len >= 64 && !memcmp(d, AVIS_MODEL_MAGIC, 8) &&
      strstr(avis_last_error(), "section LDAP is missing"))
    rc = BAD("%s: not an LDA model (a naive Bayes topic model?)", name);
  if (!rc)
    rc = read_params(&sec[SEC_LDAP], name, m, &nentries);
  if (!rc)
    rc = read_alpha(&sec[SEC_ALPH], name, m);
  if (!rc)
    rc = read_terms(&sec[SEC_TERM], name, m);
  if (!rc)
    rc = read_counts(&sec[SEC_TWCT], name, m, nentries);
  if (!rc)
    rc = read_provenance(&sec[SEC_PROV], name, m);
  if (!rc && (rc = avis_lda_derive(m)) != 0) {
    char why[256];
    snprintf(why, sizeof why, "%s", avis_last_error());
    rc = rc == AVIS_ERR_NOMEM ? avis_fail(rc, "out of memory")
                              : BAD("%s: %s", name, why);
  }
  if (rc) {
    avis_lda_free(m);
    return rc;
  }
  *out = m;
  return 0;
}

/* ---- Files ------------------------------------------------------------- */

int avis_lda_load(avis_lda **out, const char *path) {
  if (!out || !path)
    return avis_fail(AVIS_ERR_ARG, "avis_lda_load: NULL argument");
  *out = NULL;
  avis_buf b = {0};
  int rc = avis_buf_read_file(&b, path);
  if (!rc)
    rc = avis_lda_file_parse(out, (const unsigned char *)b.data, b.len, path);
  avis_buf_release(&b);
  return rc;
}

int avis_lda_save(const avis_lda *m, const char *path) {
  if (!m || !path)
    return avis_fail(AVIS_ERR_ARG, "avis_lda_save: NULL argument");
  avis_buf b = {0};
  int rc = avis_lda_file_write(m, &b);
  if (!rc)
    rc = avis_write_file_whole(path, b.data, b.len);
  avis_buf_release(&b);
  return rc;
}
