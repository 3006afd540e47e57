/* Classifier model files: writer, validating loader, text dump. The layout
 * is specified in docs/model-format.md; every count, offset and length read
 * from a file is checked against the file's size before it is used. */
#define _POSIX_C_SOURCE 200809L
#include "topicfile.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "decode.h"
#include "error.h"
#include "strmap.h"

#define SECTION_ENTRY_SIZE 24u
#define PARAMS_SIZE 40u
#define LABEL_RECORD_SIZE 24u
#define TERM_RECORD_SIZE 8u
#define MAX_SECTIONS 16u
/* Far more than any real model, small enough that products cannot overflow. */
#define MAX_LABELS 1024u
#define MAX_TERMS (1u << 24)

enum { SEC_PARM, SEC_LABL, SEC_TERM, SEC_HASH, SEC_WGHT, SEC_PROV, NSEC };
static const char section_tags[NSEC][5] = {"PARM", "LABL", "TERM",
                                           "HASH", "WGHT", "PROV"};

/* ---- Checksums and numbers -------------------------------------------- */

/* CRC-32 (the polynomial of zlib and PNG): zlib's, which computes several
 * words at once and checks the default model and data image at twice the
 * speed of a table-driven loop over eight bytes; those checksums are the
 * largest part of a fresh `analyze`'s start-up. */
uint32_t avis_crc32(uint32_t crc, const void *data, size_t n) {
  return (uint32_t)crc32_z(crc, data, n);
}

void avis_format_fixed(char *buf, size_t size, double x, int decimals) {
  if (!isfinite(x)) {
    snprintf(buf, size, "%s", isnan(x) ? "nan" : x < 0 ? "-inf" : "inf");
    return;
  }
  if (decimals < 0)
    decimals = 0;
  if (decimals > 9)
    decimals = 9;
  double scale = 1;
  for (int i = 0; i < decimals; i++)
    scale *= 10;
  double r = floor(fabs(x) * scale + 0.5);
  if (r > 9e15) {
    snprintf(buf, size, "%s%.0f", x < 0 ? "-" : "", fabs(x));
    return;
  }
  unsigned long long v = (unsigned long long)r;
  unsigned long long ip = v / (unsigned long long)scale;
  unsigned long long fp = v % (unsigned long long)scale;
  if (decimals > 0)
    snprintf(buf, size, "%s%llu.%0*llu", x < 0 && v ? "-" : "", ip, decimals,
             fp);
  else
    snprintf(buf, size, "%s%llu", x < 0 && v ? "-" : "", ip);
}

/* Parameters and weights are doubles while training; the file holds
 * floats. */
static int put_f32(avis_buf *b, double v) {
  return avis_f32_put(b, (float)v);
}

static void set_u32(avis_buf *b, size_t at, uint32_t v) {
  unsigned char *p = (unsigned char *)b->data + at;
  for (int i = 0; i < 4; i++)
    p[i] = (unsigned char)(v >> (8 * i));
}

static void set_u64(avis_buf *b, size_t at, uint64_t v) {
  set_u32(b, at, (uint32_t)v);
  set_u32(b, at + 4, (uint32_t)(v >> 32));
}

/* ---- Writer ------------------------------------------------------------ */

static int pad_to_8(avis_buf *b) {
  static const char zeros[8];
  return avis_buf_append(b, zeros, (8 - b->len % 8) % 8);
}

/* Appends a string and its NUL to a pool, giving its offset. */
static int pool_add(avis_buf *pool, const char *s, uint32_t *off,
                    uint32_t *len) {
  size_t n = strlen(s);
  if (n > UINT32_MAX / 4 || pool->len > UINT32_MAX / 2)
    return AVIS_ERR_TOO_LARGE;
  *off = (uint32_t)pool->len;
  *len = (uint32_t)n;
  return avis_buf_append(pool, s, n + 1);
}

static int write_params(avis_buf *b, const avis_nb_params *p) {
  return avis_le32_put(b, p->kind) || avis_le32_put(b, p->nlabels) ||
         avis_le32_put(b, p->nterms) || avis_le32_put(b, p->flags) ||
         put_f32(b, p->scale) || put_f32(b, p->doc_weight) ||
         put_f32(b, p->alpha) || avis_le32_put(b, p->passage_terms) ||
         put_f32(b, p->passage_win) || put_f32(b, p->tag_floor);
}

static int write_labels(avis_buf *b, const avis_nb_params *p,
                        const avis_nb_label_spec *labels) {
  avis_buf pool = {0};
  int rc = 0;
  for (uint32_t i = 0; !rc && i < p->nlabels; i++) {
    uint32_t io, il, no, nl;
    rc = pool_add(&pool, labels[i].id, &io, &il) ||
         pool_add(&pool, labels[i].name, &no, &nl) || avis_le32_put(b, io) ||
         avis_le32_put(b, il) || avis_le32_put(b, no) || avis_le32_put(b, nl) ||
         put_f32(b, labels[i].threshold) || put_f32(b, labels[i].bias);
  }
  if (!rc)
    rc = avis_buf_append(b, pool.data, pool.len);
  avis_buf_release(&pool);
  return rc;
}

static int write_terms(avis_buf *b, const avis_nb_params *p,
                       const char *const *terms) {
  avis_buf pool = {0};
  int rc = 0;
  for (uint32_t i = 0; !rc && i < p->nterms; i++) {
    uint32_t off, len;
    rc = pool_add(&pool, terms[i], &off, &len) || avis_le32_put(b, off) ||
         avis_le32_put(b, len);
  }
  if (!rc)
    rc = avis_buf_append(b, pool.data, pool.len);
  avis_buf_release(&pool);
  return rc;
}

static uint32_t table_size(uint32_t nterms) {
  uint32_t n = 16;
  while (n < 2 * nterms)
    n *= 2;
  return n;
}

static int write_hash(avis_buf *b, const avis_nb_params *p,
                      const char *const *terms) {
  uint32_t n = table_size(p->nterms);
  uint32_t *slots = calloc(n, sizeof *slots);
  if (!slots)
    return AVIS_ERR_NOMEM;
  for (uint32_t i = 0; i < p->nterms; i++) {
    uint32_t s = (uint32_t)avis_hash(terms[i], strlen(terms[i])) & (n - 1);
    while (slots[s])
      s = (s + 1) & (n - 1);
    slots[s] = i + 1;
  }
  int rc = avis_le32_put(b, n) || avis_le32_put(b, 0);
  for (uint32_t i = 0; !rc && i < n; i++)
    rc = avis_le32_put(b, slots[i]);
  free(slots);
  return rc;
}

static int write_weights(avis_buf *b, const avis_nb_params *p,
                         const double *w) {
  size_t n = (size_t)p->nterms * p->nlabels;
  int rc = avis_buf_reserve(b, 4 * n);
  for (size_t i = 0; !rc && i < n; i++)
    rc = put_f32(b, w[i]);
  return rc;
}

static int write_section(avis_buf *b, int which, const avis_nb_params *p,
                         const avis_nb_label_spec *labels,
                         const char *const *terms, const double *weights,
                         const char *provenance) {
  switch (which) {
  case SEC_PARM: return write_params(b, p);
  case SEC_LABL: return write_labels(b, p, labels);
  case SEC_TERM: return write_terms(b, p, terms);
  case SEC_HASH: return write_hash(b, p, terms);
  case SEC_WGHT: return write_weights(b, p, weights);
  default: return avis_buf_append(b, provenance, strlen(provenance) + 1);
  }
}

int avis_model_file_begin(avis_buf *out, uint32_t nsections) {
  static const char zeros[AVIS_MODEL_HEADER_SIZE];
  avis_buf_clear(out);
  int rc = avis_buf_append(out, zeros, AVIS_MODEL_HEADER_SIZE);
  for (uint32_t s = 0; !rc && s < nsections; s++)
    rc = avis_buf_append(out, zeros, SECTION_ENTRY_SIZE);
  return rc;
}

int avis_model_file_section_begin(avis_buf *out, size_t *start) {
  int rc = pad_to_8(out);
  *start = out->len;
  return rc;
}

void avis_model_file_section_end(avis_buf *out, uint32_t index,
                                 const char *tag, size_t start) {
  size_t at = AVIS_MODEL_HEADER_SIZE + (size_t)index * SECTION_ENTRY_SIZE;
  memcpy(out->data + at, tag, 4);
  set_u64(out, at + 8, start);
  set_u64(out, at + 16, out->len - start);
}

void avis_model_file_finish(avis_buf *out, uint32_t nsections) {
  memcpy(out->data, AVIS_MODEL_MAGIC, 8);
  set_u32(out, 8, AVIS_MODEL_VERSION);
  set_u32(out, 12, AVIS_MODEL_HEADER_SIZE);
  set_u64(out, 16, out->len);
  set_u32(out, 24, nsections);
  set_u32(out, 28, avis_crc32(0, out->data + AVIS_MODEL_HEADER_SIZE,
                              out->len - AVIS_MODEL_HEADER_SIZE));
  set_u32(out, 32, avis_crc32(0, out->data, 32));
}

int avis_model_file_write(avis_buf *out, const avis_nb_params *p,
                          const avis_nb_label_spec *labels,
                          const char *const *terms, const double *weights,
                          const char *provenance) {
  if (p->nlabels == 0 || p->nlabels > MAX_LABELS || p->nterms > MAX_TERMS)
    return avis_fail(AVIS_ERR_ARG, "a model needs 1 to %u labels and at most "
                     "%u terms", MAX_LABELS, MAX_TERMS);
  int rc = avis_model_file_begin(out, NSEC);
  for (int s = 0; !rc && s < NSEC; s++) {
    size_t start;
    if ((rc = avis_model_file_section_begin(out, &start)) != 0 ||
        (rc = write_section(out, s, p, labels, terms, weights, provenance)) != 0)
      break;
    avis_model_file_section_end(out, (uint32_t)s, section_tags[s], start);
  }
  if (rc)
    return avis_fail(rc == AVIS_ERR_TOO_LARGE ? rc : AVIS_ERR_NOMEM,
                     "out of memory writing a model");
  avis_model_file_finish(out, NSEC);
  return 0;
}

/* ---- Loader ------------------------------------------------------------ */

typedef avis_file_section section;

#define BAD(...) avis_fail(AVIS_ERR_FORMAT, __VA_ARGS__)

static int check_header(const unsigned char *d, size_t len, const char *name) {
  if (len < AVIS_MODEL_HEADER_SIZE || memcmp(d, AVIS_MODEL_MAGIC, 8) != 0)
    return BAD("%s: not an avis model file (no magic number)", name);
  if (avis_le32_get(d + 32) != avis_crc32(0, d, 32))
    return BAD("%s: header checksum mismatch: the file is damaged", name);
  for (size_t i = 36; i < AVIS_MODEL_HEADER_SIZE; i++)
    if (d[i] != 0)
      return BAD("%s: reserved header bytes are not zero", name);
  if (avis_le32_get(d + 8) != AVIS_MODEL_VERSION)
    return BAD("%s: model format version %u; this library reads version %u",
               name, avis_le32_get(d + 8), AVIS_MODEL_VERSION);
  if (avis_le32_get(d + 12) != AVIS_MODEL_HEADER_SIZE)
    return BAD("%s: header size %u, expected %u", name, avis_le32_get(d + 12),
               AVIS_MODEL_HEADER_SIZE);
  if (avis_le64_get(d + 16) != len)
    return BAD("%s: truncated or extended: the header says %llu bytes, the "
               "file has %zu", name, (unsigned long long)avis_le64_get(d + 16), len);
  uint32_t n = avis_le32_get(d + 24);
  if (n > MAX_SECTIONS ||
      AVIS_MODEL_HEADER_SIZE + (uint64_t)n * SECTION_ENTRY_SIZE > len)
    return BAD("%s: section table of %u entries extends beyond the file",
               name, n);
  if (avis_le32_get(d + 28) != avis_crc32(0, d + AVIS_MODEL_HEADER_SIZE,
                                    len - AVIS_MODEL_HEADER_SIZE))
    return BAD("%s: checksum mismatch: the file is damaged", name);
  return 0;
}

/* Unknown tags are skipped (later versions may add some), a known one
 * twice is an error. */
int avis_model_file_sections(const unsigned char *d, size_t len,
                             const char *name, const char (*tags)[5],
                             size_t ntags, avis_file_section *sec) {
  int rc = check_header(d, len, name);
  if (rc)
    return rc;
  uint32_t n = avis_le32_get(d + 24);
  memset(sec, 0, ntags * sizeof *sec);
  for (uint32_t i = 0; i < n; i++) {
    const unsigned char *e = d + AVIS_MODEL_HEADER_SIZE + i * SECTION_ENTRY_SIZE;
    uint64_t off = avis_le64_get(e + 8), size = avis_le64_get(e + 16);
    if (off % 8 || off < AVIS_MODEL_HEADER_SIZE || off > len ||
        size > len - off)
      return BAD("%s: section %.4s (offset %llu, %llu bytes) extends beyond "
                 "the end of the file or is misaligned", name, (const char *)e,
                 (unsigned long long)off, (unsigned long long)size);
    for (size_t s = 0; s < ntags; s++) {
      if (memcmp(e, tags[s], 4) != 0)
        continue;
      if (sec[s].data)
        return BAD("%s: section %s appears twice", name, tags[s]);
      sec[s].data = d + off;
      sec[s].size = size;
    }
  }
  for (size_t s = 0; s < ntags; s++)
    if (!sec[s].data)
      return BAD("%s: section %s is missing", name, tags[s]);
  return 0;
}

static int read_params(const section *s, const char *name, avis_nb_params *p) {
  if (s->size != PARAMS_SIZE)
    return BAD("%s: PARM section has %llu bytes, expected %u", name,
               (unsigned long long)s->size, PARAMS_SIZE);
  const unsigned char *d = s->data;
  p->kind = avis_le32_get(d);
  p->nlabels = avis_le32_get(d + 4);
  p->nterms = avis_le32_get(d + 8);
  p->flags = avis_le32_get(d + 12);
  p->scale = avis_f32_get(d + 16);
  p->doc_weight = avis_f32_get(d + 20);
  p->alpha = avis_f32_get(d + 24);
  p->passage_terms = avis_le32_get(d + 28);
  p->passage_win = avis_f32_get(d + 32);
  p->tag_floor = avis_f32_get(d + 36);
  if (p->kind > AVIS_CLASSIFIER_CLASSES)
    return BAD("%s: unknown model kind %u", name, p->kind);
  if (p->nlabels == 0 || p->nlabels > MAX_LABELS)
    return BAD("%s: %u labels (1 to %u allowed)", name, p->nlabels, MAX_LABELS);
  if (p->nterms > MAX_TERMS)
    return BAD("%s: %u terms (at most %u allowed)", name, p->nterms, MAX_TERMS);
  if (p->flags & ~(AVIS_NB_LOG_TF | AVIS_NB_L2))
    return BAD("%s: unknown feature flags 0x%x", name, p->flags);
  if (!(p->scale > 0 && p->scale < 1e6) ||
      !(p->doc_weight >= 0 && p->doc_weight <= 1) || !isfinite(p->alpha) ||
      p->passage_terms == 0 || !(p->passage_win >= 0 && p->passage_win <= 1) ||
      !(p->tag_floor >= 0 && p->tag_floor <= 1))
    return BAD("%s: parameters out of range", name);
  return 0;
}

/* A string of a pool: inside it, NUL-terminated, valid UTF-8. */
static const char *pool_string(const unsigned char *pool, uint64_t pool_len,
                               uint32_t off, uint32_t len) {
  if (off > pool_len || len >= pool_len - off || pool[off + len] != '\0')
    return NULL;
  const char *s = (const char *)pool + off;
  if (memchr(s, '\0', len) || avis_utf8_valid_prefix(s, len) != len)
    return NULL;
  return s;
}

static int read_labels(const section *s, const char *name, avis_classifier *cl) {
  uint32_t n = cl->p.nlabels;
  uint64_t table = (uint64_t)n * LABEL_RECORD_SIZE;
  if (s->size < table)
    return BAD("%s: LABL section too small for %u labels", name, n);
  cl->labels = calloc(n, sizeof *cl->labels);
  cl->bias = calloc(n, sizeof *cl->bias);
  cl->threshold = calloc(n, sizeof *cl->threshold);
  if (!cl->labels || !cl->bias || !cl->threshold)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  const unsigned char *pool = s->data + table;
  for (uint32_t i = 0; i < n; i++) {
    const unsigned char *r = s->data + (size_t)i * LABEL_RECORD_SIZE;
    avis_nb_label *l = &cl->labels[i];
    l->id = pool_string(pool, s->size - table, avis_le32_get(r), avis_le32_get(r + 4));
    l->name = pool_string(pool, s->size - table, avis_le32_get(r + 8), avis_le32_get(r + 12));
    l->threshold = avis_f32_get(r + 16);
    l->bias = avis_f32_get(r + 20);
    if (!l->id || !l->name || !*l->id)
      return BAD("%s: label %u: id or name out of bounds or not UTF-8", name, i);
    if (!(l->threshold >= 0 && l->threshold <= 1) || !isfinite(l->bias))
      return BAD("%s: label %u (%s): threshold or bias out of range", name, i,
                 l->id);
    cl->bias[i] = l->bias;
    cl->threshold[i] = l->threshold;
  }
  return 0;
}

/* The NUL bytes of p[0..n), eight at a time: in each byte of y the high
 * bit is set exactly when the byte is 0 (no carry crosses bytes, as
 * every byte of the sum is at most 0xFE); the multiplication adds the
 * eight bits up in the top byte. */
static size_t count_nuls(const unsigned char *p, size_t n) {
  const uint64_t low7 = 0x7F7F7F7F7F7F7F7FULL;
  size_t count = 0, i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, p + i, 8);
    uint64_t y = ~(((w & low7) + low7) | w | low7);
    count += (size_t)(((y >> 7) * 0x0101010101010101ULL) >> 56);
  }
  for (; i < n; i++)
    count += p[i] == 0;
  return count;
}

/* The writer puts the terms one after another in the pool, each ended by
 * its NUL, so that the whole pool is checked in two passes (UTF-8, and
 * one NUL a term) rather than term by term: loading is what every fresh
 * `analyze` process pays before its first word. A term then can neither
 * hold a NUL nor cut a character, as the next one starts after a NUL. */
static int read_terms(const section *s, const char *name, avis_classifier *cl) {
  uint64_t table = (uint64_t)cl->p.nterms * TERM_RECORD_SIZE;
  if (s->size < table)
    return BAD("%s: TERM section too small for %u terms", name, cl->p.nterms);
  cl->term_ref = (const uint32_t *)s->data;
  cl->term_pool = (const char *)s->data + table;
  const unsigned char *pool = s->data + table;
  uint64_t pool_len = s->size - table, at = 0;
  for (uint32_t i = 0; i < cl->p.nterms; i++) {
    const unsigned char *r = s->data + (size_t)i * TERM_RECORD_SIZE;
    uint32_t off = avis_le32_get(r), len = avis_le32_get(r + 4);
    if (off != at || len >= pool_len - at || pool[at + len] != '\0')
      return BAD("%s: term %u out of bounds or not UTF-8", name, i);
    at += (uint64_t)len + 1;
  }
  size_t nuls = count_nuls(pool, (size_t)at);
  if (nuls != cl->p.nterms ||
      avis_utf8_valid_prefix((const char *)pool, at) != at)
    return BAD("%s: term strings hold a NUL or are not UTF-8", name);
  return 0;
}

/* A table the writer builds at most half full has runs of a few dozen
 * occupied slots; a crafted file could make it one run, and every lookup
 * (the load checks them all) would then walk it: quadratic loading. */
#define MAX_PROBE_RUN 1024u

/* Longest run of occupied slots, counted from an empty one so that a run
 * wrapping around the end is seen whole. The caller ensures one is empty. */
static uint32_t longest_run(const uint32_t *slots, uint32_t n) {
  uint32_t start = 0;
  while (avis_le32_get((const unsigned char *)&slots[start]) != 0)
    start++;
  /* Without branches on the slots, whose pattern nothing can predict. */
  uint32_t longest = 0, run = 0;
  for (uint32_t k = 1; k <= n; k++) {
    uint32_t i = (start + k) & (n - 1);
    uint32_t occupied = avis_le32_get((const unsigned char *)&slots[i]) != 0;
    run = (run + 1) & (0u - occupied);
    longest = run > longest ? run : longest;
  }
  return longest;
}

/* The table must name only terms that exist, as many slots as there are
 * terms, and have no long runs of occupied slots. */
static int read_hash(const section *s, const char *name, avis_classifier *cl) {
  uint32_t n = s->size >= 8 ? avis_le32_get(s->data) : 0;
  if (n < 16 || (n & (n - 1)) || n < cl->p.nterms + 1 ||
      s->size != 8 + (uint64_t)n * 4)
    return BAD("%s: HASH section malformed (%u slots)", name, n);
  cl->slots = (const uint32_t *)(s->data + 8);
  cl->nslots = n;
  /* The largest slot value over the whole table first, in one loop the
   * compiler can vectorise; the culprit is looked for only when it is too
   * large. */
  uint32_t used = 0, largest = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t v = avis_le32_get(s->data + 8 + (size_t)i * 4);
    largest = v > largest ? v : largest;
    used += v != 0;
  }
  for (uint32_t i = 0; largest > cl->p.nterms && i < n; i++) {
    uint32_t v = avis_le32_get(s->data + 8 + (size_t)i * 4);
    if (v > cl->p.nterms)
      return BAD("%s: hash slot %u names term %u of %u", name, i, v,
                 cl->p.nterms);
  }
  if (used != cl->p.nterms)
    return BAD("%s: hash table holds %u terms, expected %u", name, used,
               cl->p.nterms);
  uint32_t run = longest_run(cl->slots, n);
  if (run > MAX_PROBE_RUN)
    return BAD("%s: hash table has a run of %u occupied slots (at most %u)",
               name, run, MAX_PROBE_RUN);
  return 0;
}

static int read_weights(const section *s, const char *name,
                        avis_classifier *cl) {
  uint64_t n = (uint64_t)cl->p.nterms * cl->p.nlabels;
  if (s->size != n * 4)
    return BAD("%s: WGHT section has %llu bytes, expected %llu", name,
               (unsigned long long)s->size, (unsigned long long)n * 4);
  cl->weights = (const float *)s->data;
  /* All exponent bits set: infinite or not a number. One test for the
   * whole array, which the compiler can do many words at a time; the
   * first culprit is looked for only when there is one. */
  uint64_t bad = 0;
  uint64_t i = 0;
  if (avis_host_is_little_endian()) {
    /* Two at a time: adding one to an exponent of all ones carries into
     * its lane's top bit, and never further. */
    for (; i + 2 <= n; i += 2) {
      uint64_t w;
      memcpy(&w, s->data + 4 * i, 8);
      bad |= ((w & 0x7f8000007f800000ULL) + 0x0080000000800000ULL) &
             0x8000000080000000ULL;
    }
  }
  for (; i < n; i++) {
    uint32_t bits = avis_le32_get(s->data + 4 * i);
    bad |= (bits & 0x7f800000u) == 0x7f800000u;
  }
  for (uint64_t k = 0; bad && k < n; k++)
    if (!isfinite(avis_f32_get(s->data + 4 * k)))
      return BAD("%s: weight %llu is not a finite number", name,
                 (unsigned long long)k);
  return 0;
}

static int read_provenance(const section *s, const char *name,
                           avis_classifier *cl) {
  const char *text = (const char *)s->data;
  if (s->size == 0 || text[s->size - 1] != '\0' ||
      avis_utf8_valid_prefix(text, s->size - 1) != s->size - 1 ||
      strlen(text) != s->size - 1)
    return BAD("%s: PROV section is not NUL-terminated UTF-8 text", name);
  cl->provenance = text;
  return 0;
}

/* On a big-endian host the numeric arrays are turned around in place; the
 * image is then a private copy. */
static void swap_words(const void *p, size_t n) {
  unsigned char *b = (unsigned char *)(uintptr_t)p;
  for (size_t i = 0; i < n; i++, b += 4) {
    unsigned char t = b[0];
    b[0] = b[3];
    b[3] = t;
    t = b[1];
    b[1] = b[2];
    b[2] = t;
  }
}

static void to_host_order(avis_classifier *cl) {
  if (avis_host_is_little_endian())
    return;
  swap_words(cl->term_ref, 2 * (size_t)cl->p.nterms);
  swap_words(cl->slots, cl->nslots);
  swap_words(cl->weights, (size_t)cl->p.nterms * cl->p.nlabels);
}

static int parse_image(avis_classifier *cl, const unsigned char *d, size_t len,
                       const char *name) {
  section sec[NSEC];
  int rc;
  if ((rc = avis_model_file_sections(d, len, name, section_tags, NSEC, sec)) ||
      (rc = read_params(&sec[SEC_PARM], name, &cl->p)) ||
      (rc = read_labels(&sec[SEC_LABL], name, cl)) ||
      (rc = read_terms(&sec[SEC_TERM], name, cl)) ||
      (rc = read_hash(&sec[SEC_HASH], name, cl)) ||
      (rc = read_weights(&sec[SEC_WGHT], name, cl)) ||
      (rc = read_provenance(&sec[SEC_PROV], name, cl)))
    return rc;
  /* Every lookup stays within the table and the pool whatever the slots
   * hold (read_hash(), read_terms()), and the checksum says they are the
   * writer's: lookups are not tried one by one here. */
  to_host_order(cl);
  return 0;
}

int avis_model_file_parse(avis_classifier **out, void *data, size_t len,
                          int owned, const char *name) {
  *out = NULL;
  avis_classifier *cl = calloc(1, sizeof *cl);
  if (!cl) {
    if (owned)
      free(data);
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  }
  if (owned)
    cl->owned = data;
  if (((uintptr_t)data % 8) != 0) {
    avis_classifier_free(cl);
    return avis_fail(AVIS_ERR_ARG, "%s: model image is not 8-byte aligned",
                     name);
  }
  cl->image = data;
  cl->image_len = len;
  int rc = parse_image(cl, data, len, name);
  if (rc) {
    avis_classifier_free(cl);
    return rc;
  }
  *out = cl;
  return 0;
}

/* A private copy of the file, for big-endian hosts, which must swap. */
static int read_copy(int fd, size_t len, void **out) {
  void *p = malloc(len ? len : 1);
  size_t got = 0;
  while (p && got < len) {
    ssize_t n = pread(fd, (char *)p + got, len - got, (off_t)got);
    if (n <= 0) {
      free(p);
      return -1;
    }
    got += (size_t)n;
  }
  *out = p;
  return p ? 0 : -1;
}

int avis_classifier_load(avis_classifier **out, const char *path) {
  if (!out || !path)
    return avis_fail(AVIS_ERR_ARG, "avis_classifier_load: NULL argument");
  *out = NULL;
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return avis_fail(AVIS_ERR_IO, "%s: %s", path, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return avis_fail(AVIS_ERR_IO, "%s: not a regular file", path);
  }
  size_t len = (size_t)st.st_size;
  if (len < AVIS_MODEL_HEADER_SIZE) {
    close(fd);
    return avis_fail(AVIS_ERR_FORMAT, "%s: not an avis model file (%zu bytes)",
                     path, len);
  }
  void *data = NULL;
  int rc;
  if (avis_host_is_little_endian()) {
    data = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    rc = data == MAP_FAILED ? -1 : 0;
  } else {
    rc = read_copy(fd, len, &data);
  }
  close(fd);
  if (rc)
    return avis_fail(AVIS_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
  if (!avis_host_is_little_endian())
    return avis_model_file_parse(out, data, len, 1, path);
  if ((rc = avis_model_file_parse(out, data, len, 0, path)) != 0) {
    munmap(data, len);
    return rc;
  }
  (*out)->map = data;
  (*out)->map_len = len;
  return 0;
}

int avis_write_file_whole(const char *path, const void *data, size_t len) {
  size_t n = strlen(path);
  char *tmp = malloc(n + 5);
  if (!tmp)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  memcpy(tmp, path, n);
  memcpy(tmp + n, ".tmp", 5);
  FILE *f = fopen(tmp, "wb");
  int ok = f && fwrite(data, 1, len, f) == len;
  if (f && fclose(f) != 0)
    ok = 0;
  int rc = 0;
  if (!ok || rename(tmp, path) != 0) {
    rc = avis_fail(AVIS_ERR_IO, "%s: %s", path, strerror(errno));
    remove(tmp);
  }
  free(tmp);
  return rc;
}

int avis_classifier_save(const avis_classifier *cl, const char *path) {
  if (!cl || !path)
    return avis_fail(AVIS_ERR_ARG, "avis_classifier_save: NULL argument");
  return avis_write_file_whole(path, cl->image, cl->image_len);
}

void avis_classifier_free(avis_classifier *cl) {
  if (!cl)
    return;
  if (cl->map)
    munmap(cl->map, cl->map_len);
  free(cl->owned);
  free(cl->labels);
  free(cl->bias);
  free(cl->threshold);
  free(cl);
}

uint32_t avis_classifier_term(const avis_classifier *cl, const char *s,
                              size_t n) {
  uint32_t mask = cl->nslots - 1;
  uint32_t i = (uint32_t)avis_hash(s, n) & mask;
  for (uint32_t probes = 0; probes < cl->nslots; probes++) {
    uint32_t v = cl->slots[i];
    if (v == 0)
      return UINT32_MAX;
    const uint32_t *ref = cl->term_ref + 2 * (size_t)(v - 1);
    if (ref[1] == n && memcmp(cl->term_pool + ref[0], s, n) == 0)
      return v - 1;
    i = (i + 1) & mask;
  }
  return UINT32_MAX;
}

const char *avis_classifier_term_text(const avis_classifier *cl, uint32_t i,
                                      size_t *len) {
  const uint32_t *ref = cl->term_ref + 2 * (size_t)i;
  if (len)
    *len = ref[1];
  return cl->term_pool + ref[0];
}

/* ---- Public accessors and the dump -------------------------------------- */

avis_classifier_kind avis_classifier_get_kind(const avis_classifier *cl) {
  return cl ? (avis_classifier_kind)cl->p.kind : AVIS_CLASSIFIER_TOPICS;
}

size_t avis_classifier_label_count(const avis_classifier *cl) {
  return cl ? cl->p.nlabels : 0;
}

size_t avis_classifier_term_count(const avis_classifier *cl) {
  return cl ? cl->p.nterms : 0;
}

int avis_classifier_label(const avis_classifier *cl, size_t i, const char **id,
                          const char **name, double *threshold) {
  if (!cl || i >= cl->p.nlabels)
    return avis_fail(AVIS_ERR_ARG, "avis_classifier_label: no label %zu", i);
  if (id)
    *id = cl->labels[i].id;
  if (name)
    *name = cl->labels[i].name;
  if (threshold)
    *threshold = cl->labels[i].threshold;
  return 0;
}

const char *avis_classifier_provenance(const avis_classifier *cl) {
  return cl ? cl->provenance : "";
}

static const char *fixed(char *buf, double x, int decimals) {
  avis_format_fixed(buf, 32, x, decimals);
  return buf;
}

/* How far term t pushes label c above the average label. */
static double margin(const avis_classifier *cl, uint32_t t, uint32_t c) {
  const float *w = cl->weights + (size_t)t * cl->p.nlabels;
  double mean = 0;
  for (uint32_t k = 0; k < cl->p.nlabels; k++)
    mean += w[k];
  return w[c] - mean / cl->p.nlabels;
}

static int dump_top_terms(avis_buf *b, const avis_classifier *cl, uint32_t c,
                          size_t top) {
  uint32_t *best = calloc(top, sizeof *best);
  size_t n = 0;
  if (!best)
    return AVIS_ERR_NOMEM;
  for (uint32_t t = 0; t < cl->p.nterms; t++) {
    double m = margin(cl, t, c);
    size_t pos = n < top ? n++ : top;
    while (pos > 0 && margin(cl, best[pos - 1], c) < m) {
      if (pos < top)
        best[pos] = best[pos - 1];
      pos--;
    }
    if (pos < top)
      best[pos] = t;
  }
  int rc = avis_buf_appendf(b, "  top terms:");
  for (size_t i = 0; !rc && i < n; i++)
    rc = avis_buf_appendf(b, " %s", avis_classifier_term_text(cl, best[i], NULL));
  free(best);
  return rc ? rc : avis_buf_putc(b, '\n');
}

static int dump_weights(avis_buf *b, const avis_classifier *cl) {
  char num[32];
  int rc = avis_buf_appendf(b, "\n[weights] term then one weight per label\n");
  for (uint32_t t = 0; !rc && t < cl->p.nterms; t++) {
    rc = avis_buf_appendf(b, "%s", avis_classifier_term_text(cl, t, NULL));
    for (uint32_t c = 0; !rc && c < cl->p.nlabels; c++)
      rc = avis_buf_appendf(b, "\t%s",
                   fixed(num, cl->weights[(size_t)t * cl->p.nlabels + c], 5));
    if (!rc)
      rc = avis_buf_putc(b, '\n');
  }
  return rc;
}

static int dump_text(avis_buf *b, const avis_classifier *cl, unsigned flags) {
  char n1[32], n2[32], n3[32];
  const avis_nb_params *p = &cl->p;
  int rc = avis_buf_appendf(b, "avis model, format version %u\n", AVIS_MODEL_VERSION) ||
           avis_buf_appendf(b, "kind            %s\n",
                   p->kind == AVIS_CLASSIFIER_TOPICS ? "topics" : "classes") ||
           avis_buf_appendf(b, "labels          %u\nterms           %u\n", p->nlabels,
                   p->nterms) ||
           avis_buf_appendf(b, "features        %s%s\n",
                   p->flags & AVIS_NB_LOG_TF ? "log(1+tf)" : "tf",
                   p->flags & AVIS_NB_L2 ? ", unit length" : "") ||
           avis_buf_appendf(b, "smoothing       %s\nscale           %s\n",
                   fixed(n1, p->alpha, 4), fixed(n2, p->scale, 4)) ||
           avis_buf_appendf(b, "document weight %s\npassage terms   %u\n",
                   fixed(n3, p->doc_weight, 3), p->passage_terms) ||
           avis_buf_appendf(b, "passage win     %s\ntag floor       %s\n",
                   fixed(n1, p->passage_win, 3), fixed(n2, p->tag_floor, 3)) ||
           avis_buf_appendf(b, "\n[provenance]\n") ||
           avis_buf_append(b, cl->provenance, strlen(cl->provenance)) ||
           avis_buf_appendf(b, "\n[labels] id, name, threshold, bias\n");
  for (uint32_t c = 0; !rc && c < p->nlabels; c++) {
    const avis_nb_label *l = &cl->labels[c];
    rc = avis_buf_appendf(b, "%s\t%s\t%s\t%s\n", l->id, l->name,
                 fixed(n1, l->threshold, 3), fixed(n2, l->bias, 4)) ||
         dump_top_terms(b, cl, c, 25);
  }
  if (!rc && (flags & AVIS_DUMP_WEIGHTS))
    rc = dump_weights(b, cl);
  return rc;
}

int avis_classifier_dump(const avis_classifier *cl, unsigned flags, char **out,
                         size_t *len) {
  if (!cl || !out)
    return avis_fail(AVIS_ERR_ARG, "avis_classifier_dump: NULL argument");
  avis_buf b = {0};
  if (dump_text(&b, cl, flags)) {
    avis_buf_release(&b);
    return avis_fail(AVIS_ERR_NOMEM, "out of memory writing the dump");
  }
  *out = b.data;
  if (len)
    *len = b.len;
  return 0;
}
