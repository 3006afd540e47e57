/* LDA models: building from training counts (with pruning), the derived
 * tables every reader uses, accessors, fold-in inference and the topic
 * mixture of an analysed document. */
#include "lda.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "model.h"
#include "terms.h"
#include "topicfile.h"
#include "topics.h"

void avis_lda_free(avis_lda *m) {
  if (!m)
    return;
  free(m->alpha);
  free(m->topic_total);
  free(m->row);
  free(m->entry_topic);
  free(m->entry_count);
  avis_buf_release(&m->term_pool);
  free(m->term_off);
  avis_strmap_release(&m->lookup);
  free(m->provenance);
  free(m->phi);
  for (uint32_t j = 0; m->top && j < m->k; j++)
    free(m->top[j]);
  free(m->top);
  free(m->ntop);
  for (uint32_t j = 0; m->label && j < m->k; j++)
    free(m->label[j]);
  free(m->label);
  free(m);
}

/* ---- Building from training counts --------------------------------------- */

typedef struct {
  uint32_t count, term;
} ranked;

static int by_count_desc(const void *a, const void *b) {
  const ranked *x = a, *y = b;
  if (x->count != y->count)
    return x->count < y->count ? 1 : -1;
  return (x->term > y->term) - (x->term < y->term);
}

/* keep[t * k + j] says whether term t's count in topic j is saved. */
static int choose_entries(const avis_lda_spec *s, unsigned char *keep) {
  size_t k = s->k;
  for (size_t i = 0; i < (size_t)s->nterms * k; i++)
    keep[i] = s->counts[i] > 0 && s->counts[i] >= s->min_count;
  if (!s->top_words)
    return 0;
  ranked *r = malloc((size_t)s->nterms * sizeof *r);
  if (!r)
    return AVIS_ERR_NOMEM;
  for (size_t j = 0; j < k; j++) {
    size_t n = 0;
    for (uint32_t t = 0; t < s->nterms; t++)
      if (keep[t * k + j])
        r[n++] = (ranked){s->counts[t * k + j], t};
    qsort(r, n, sizeof *r, by_count_desc);
    for (size_t i = s->top_words; i < n; i++)
      keep[(size_t)r[i].term * k + j] = 0;
  }
  free(r);
  return 0;
}

static int fill_entries(avis_lda *m, const avis_lda_spec *s,
                        const unsigned char *keep) {
  size_t k = s->k, nent = 0, nterms = 0;
  for (uint32_t t = 0; t < s->nterms; t++) {
    size_t n = 0;
    for (size_t j = 0; j < k; j++)
      n += keep[t * k + j];
    nent += n;
    nterms += n > 0;
  }
  m->row = malloc((nterms + 1) * sizeof *m->row);
  m->term_off = malloc((nterms ? nterms : 1) * sizeof *m->term_off);
  m->entry_topic = malloc((nent ? nent : 1) * sizeof *m->entry_topic);
  m->entry_count = malloc((nent ? nent : 1) * sizeof *m->entry_count);
  if (!m->row || !m->term_off || !m->entry_topic || !m->entry_count)
    return AVIS_ERR_NOMEM;
  size_t e = 0;
  m->nterms = 0;
  for (uint32_t t = 0; t < s->nterms; t++) {
    size_t first = e;
    for (size_t j = 0; j < k; j++)
      if (keep[t * k + j]) {
        m->entry_topic[e] = (uint16_t)j;
        m->entry_count[e++] = s->counts[t * k + j];
      }
    if (e == first)
      continue;
    m->row[m->nterms] = (uint32_t)first;
    m->term_off[m->nterms++] = (uint32_t)m->term_pool.len;
    if (avis_buf_append(&m->term_pool, s->terms[t], strlen(s->terms[t]) + 1))
      return AVIS_ERR_NOMEM;
  }
  m->row[m->nterms] = (uint32_t)e;
  return 0;
}

int avis_lda_build(avis_lda **out, const avis_lda_spec *s) {
  *out = NULL;
  avis_lda *m = calloc(1, sizeof *m);
  unsigned char *keep = malloc((size_t)s->nterms * s->k + 1);
  int rc = m && keep ? 0 : AVIS_ERR_NOMEM;
  if (!rc) {
    m->k = s->k;
    m->vocab = s->nterms;
    m->terms_kind = s->terms_kind;
    m->beta = s->beta;
    m->alpha = malloc(s->k * sizeof *m->alpha);
    m->topic_total = calloc(s->k, sizeof *m->topic_total);
    m->provenance = malloc(strlen(s->provenance) + 1);
    rc = m->alpha && m->topic_total && m->provenance ? 0 : AVIS_ERR_NOMEM;
  }
  if (!rc) {
    strcpy(m->provenance, s->provenance);
    for (uint32_t j = 0; j < s->k; j++) {
      m->alpha[j] = s->alpha[j];
      m->alpha_sum += s->alpha[j];
    }
    for (size_t i = 0; i < (size_t)s->nterms * s->k; i++)
      m->topic_total[i % s->k] += s->counts[i];
    for (uint32_t j = 0; j < s->k; j++)
      m->tokens += m->topic_total[j];
    rc = choose_entries(s, keep);
  }
  if (!rc)
    rc = fill_entries(m, s, keep);
  if (!rc)
    rc = avis_lda_derive(m);
  free(keep);
  if (rc) {
    avis_lda_free(m);
    return rc == AVIS_ERR_NOMEM ? avis_fail(rc, "out of memory building the "
                                            "LDA model") : rc;
  }
  *out = m;
  return 0;
}

/* ---- Derived tables -------------------------------------------------------- */

static const char *term_text(const avis_lda *m, uint32_t t) {
  return m->term_pool.data + m->term_off[t];
}

static int build_lookup(avis_lda *m) {
  for (uint32_t t = 0; t < m->nterms; t++) {
    const char *s = term_text(m, t);
    uint32_t prev;
    if (avis_strmap_get(&m->lookup, s, strlen(s), &prev))
      return avis_fail(AVIS_ERR_FORMAT, "term '%s' appears twice", s);
    if (avis_strmap_put(&m->lookup, s, strlen(s), t))
      return AVIS_ERR_NOMEM;
  }
  return 0;
}

static int build_phi(avis_lda *m) {
  m->phi = malloc(((size_t)m->nterms * m->k + 1) * sizeof *m->phi);
  double *inv = malloc(m->k * sizeof *inv);
  if (!m->phi || !inv) {
    free(inv);
    return AVIS_ERR_NOMEM;
  }
  for (uint32_t j = 0; j < m->k; j++)
    inv[j] = 1.0 / ((double)m->topic_total[j] + m->vocab * m->beta);
  for (uint32_t t = 0; t < m->nterms; t++) {
    float *row = m->phi + (size_t)t * m->k;
    for (uint32_t j = 0; j < m->k; j++)
      row[j] = (float)(m->beta * inv[j]);
    for (uint32_t e = m->row[t]; e < m->row[t + 1]; e++) {
      uint32_t j = m->entry_topic[e];
      row[j] = (float)((m->entry_count[e] + m->beta) * inv[j]);
    }
  }
  free(inv);
  return 0;
}

/* Sorts r[0..n) by decreasing count, keeping the order of equal counts:
 * a least-significant-digit radix sort, a byte a pass, skipping the bytes
 * all counts share. Loading a model sorts every topic's entries, and
 * qsort made that most of the load time. */
static void sort_by_count_desc(ranked *r, ranked *tmp, size_t n) {
  for (unsigned shift = 0; shift < 32; shift += 8) {
    size_t bucket[257] = {0};
    for (size_t i = 0; i < n; i++)
      bucket[(~r[i].count >> shift & 0xFF) + 1]++;
    if (n == 0 || bucket[(~r[0].count >> shift & 0xFF) + 1] == n)
      continue;
    for (int b = 0; b < 256; b++)
      bucket[b + 1] += bucket[b];
    for (size_t i = 0; i < n; i++)
      tmp[bucket[~r[i].count >> shift & 0xFF]++] = r[i];
    memcpy(r, tmp, n * sizeof *r);
  }
}

/* Each topic's terms by decreasing count, which is decreasing phi; equal
 * counts by term number, the order in which they are gathered. */
static int build_top_lists(avis_lda *m) {
  uint32_t nent = m->row[m->nterms];
  m->top = calloc(m->k, sizeof *m->top);
  m->ntop = calloc(m->k, sizeof *m->ntop);
  uint32_t *start = calloc((size_t)m->k + 1, sizeof *start);
  ranked *r = malloc(((size_t)nent + 1) * sizeof *r);
  ranked *tmp = malloc(((size_t)nent + 1) * sizeof *tmp);
  int rc = m->top && m->ntop && start && r && tmp ? 0 : AVIS_ERR_NOMEM;
  for (uint32_t e = 0; !rc && e < nent; e++)
    start[m->entry_topic[e] + 1]++;
  for (uint32_t j = 0; !rc && j < m->k; j++)
    start[j + 1] += start[j];
  for (uint32_t t = 0; !rc && t < m->nterms; t++)
    for (uint32_t e = m->row[t]; e < m->row[t + 1]; e++) {
      uint32_t j = m->entry_topic[e];
      r[start[j] + m->ntop[j]++] = (ranked){m->entry_count[e], t};
    }
  for (uint32_t j = 0; !rc && j < m->k; j++) {
    sort_by_count_desc(r + start[j], tmp, m->ntop[j]);
    m->top[j] = malloc(((size_t)m->ntop[j] + 1) * sizeof *m->top[j]);
    if (!m->top[j]) {
      rc = AVIS_ERR_NOMEM;
      break;
    }
    for (uint32_t i = 0; i < m->ntop[j]; i++)
      m->top[j][i] = r[start[j] + i].term;
  }
  free(start);
  free(r);
  free(tmp);
  return rc;
}

static int build_labels(avis_lda *m) {
  m->label = calloc(m->k, sizeof *m->label);
  if (!m->label)
    return AVIS_ERR_NOMEM;
  for (uint32_t j = 0; j < m->k; j++) {
    avis_buf b = {0};
    int rc = 0;
    for (uint32_t i = 0; !rc && i < m->ntop[j] && i < AVIS_LDA_LABEL_WORDS; i++) {
      const char *w = term_text(m, m->top[j][i]);
      rc = (i && avis_buf_append(&b, ", ", 2)) || avis_buf_append(&b, w, strlen(w));
    }
    if (!rc && !b.data)
      rc = avis_buf_append(&b, "", 0);
    if (rc) {
      avis_buf_release(&b);
      return AVIS_ERR_NOMEM;
    }
    m->label[j] = b.data;
  }
  return 0;
}

int avis_lda_derive(avis_lda *m) {
  int rc = build_lookup(m);
  if (!rc)
    rc = build_phi(m);
  if (!rc)
    rc = build_top_lists(m);
  if (!rc)
    rc = build_labels(m);
  return rc;
}

uint32_t avis_lda_term_id(const avis_lda *m, const char *s, size_t n) {
  uint32_t id;
  return avis_strmap_get(&m->lookup, s, n, &id) ? id : UINT32_MAX;
}

/* ---- Public accessors -------------------------------------------------- */

size_t avis_lda_topic_count(const avis_lda *m) { return m ? m->k : 0; }
size_t avis_lda_term_count(const avis_lda *m) { return m ? m->nterms : 0; }

avis_terms_kind avis_lda_terms(const avis_lda *m) {
  return m ? m->terms_kind : AVIS_TERMS_STEMS;
}

int avis_lda_topic(const avis_lda *m, size_t k, const char **label,
                   double *share, double *alpha) {
  if (!m || k >= m->k)
    return avis_fail(AVIS_ERR_ARG, "avis_lda_topic: no topic %zu", k);
  if (label)
    *label = m->label[k];
  if (share)
    *share = m->tokens ? (double)m->topic_total[k] / (double)m->tokens : 0;
  if (alpha)
    *alpha = m->alpha[k];
  return 0;
}

double avis_lda_topic_floor(const avis_lda *m, size_t k) {
  if (!m || k >= m->k)
    return 0;
  return m->beta / ((double)m->topic_total[k] + m->vocab * m->beta);
}

size_t avis_lda_topic_word_count(const avis_lda *m, size_t k) {
  return m && k < m->k ? m->ntop[k] : 0;
}

int avis_lda_topic_word(const avis_lda *m, size_t k, size_t i,
                        const char **word, double *weight) {
  if (!m || k >= m->k || i >= m->ntop[k])
    return avis_fail(AVIS_ERR_ARG, "avis_lda_topic_word: no word %zu in topic "
                     "%zu", i, k);
  uint32_t t = m->top[k][i];
  if (word)
    *word = term_text(m, t);
  if (weight)
    *weight = m->phi[(size_t)t * m->k + k];
  return 0;
}

const char *avis_lda_provenance(const avis_lda *m) {
  return m ? m->provenance : "";
}

/* ---- Fold-in --------------------------------------------------------------- */

void avis_lda_work_release(avis_lda_work *w) {
  avis_vec_release(&w->z);
  free(w->p);
  free(w->sum);
  free(w->ndk);
  memset(w, 0, sizeof *w);
}

static int work_ready(avis_lda_work *w, size_t k, size_t n) {
  if (w->k != k) {
    free(w->p);
    free(w->sum);
    free(w->ndk);
    w->p = malloc(k * sizeof *w->p);
    w->sum = malloc(k * sizeof *w->sum);
    w->ndk = malloc(k * sizeof *w->ndk);
    w->k = w->p && w->sum && w->ndk ? k : 0;
    if (!w->k)
      return AVIS_ERR_NOMEM;
  }
  w->z.len = 0;
  for (size_t i = 0; i < n; i++)
    if (!avis_vec_push(&w->z, sizeof(uint16_t)))
      return AVIS_ERR_NOMEM;
  return 0;
}

/* Draws a topic with probability proportional to p[0..k), whose total is
 * `total`. */
static uint32_t draw(gsl_rng *rng, const double *p, uint32_t k, double total) {
  double u = gsl_rng_uniform(rng) * total;
  for (uint32_t j = 0; j + 1 < k; j++)
    if ((u -= p[j]) < 0)
      return j;
  return k - 1;
}

static void sweep(const avis_lda *m, const uint32_t *w, size_t n, uint16_t *z,
                  uint32_t *ndk, double *p, gsl_rng *rng) {
  for (size_t i = 0; i < n; i++) {
    const float *phi = m->phi + (size_t)w[i] * m->k;
    ndk[z[i]]--;
    double total = 0;
    for (uint32_t j = 0; j < m->k; j++)
      total += p[j] = (ndk[j] + m->alpha[j]) * phi[j];
    z[i] = (uint16_t)draw(rng, p, m->k, total);
    ndk[z[i]]++;
  }
}

int avis_lda_fold_in(const avis_lda *m, const uint32_t *w, size_t n,
                     unsigned iterations, uint64_t seed, avis_lda_work *work,
                     double *theta) {
  if (!iterations)
    iterations = AVIS_LDA_DEFAULT_FOLD_IN;
  if (work_ready(work, m->k, n))
    return AVIS_ERR_NOMEM;
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!rng)
    return AVIS_ERR_NOMEM;
  gsl_rng_set(rng, (unsigned long)seed);
  uint16_t *z = work->z.data;
  memset(work->ndk, 0, m->k * sizeof *work->ndk);
  memset(work->sum, 0, m->k * sizeof *work->sum);
  /* Start from each word's own topic preference under the prior. */
  for (size_t i = 0; i < n; i++) {
    const float *phi = m->phi + (size_t)w[i] * m->k;
    double total = 0;
    for (uint32_t j = 0; j < m->k; j++)
      total += work->p[j] = m->alpha[j] * phi[j];
    z[i] = (uint16_t)draw(rng, work->p, m->k, total);
    work->ndk[z[i]]++;
  }
  /* The second half of the sweeps is averaged. */
  unsigned burn = iterations / 2, kept = 0;
  for (unsigned it = 0; it < iterations; it++) {
    sweep(m, w, n, z, work->ndk, work->p, rng);
    if (it >= burn) {
      for (uint32_t j = 0; j < m->k; j++)
        work->sum[j] += work->ndk[j];
      kept++;
    }
  }
  gsl_rng_free(rng);
  for (uint32_t j = 0; j < m->k; j++)
    theta[j] = (work->sum[j] / kept + m->alpha[j]) / ((double)n + m->alpha_sum);
  return 0;
}

int avis_lda_doc_ids(const avis_lda *m, const avis_corpus *c, size_t d,
                     avis_vec *ids) {
  size_t n;
  const uint32_t *seq = avis_corpus_doc(c, d, &n);
  ids->len = 0;
  for (size_t i = 0; i < n; i++) {
    if (seq[i] == AVIS_TERM_BREAK)
      continue;
    size_t len;
    const char *s = avis_corpus_term(c, seq[i], &len);
    uint32_t id = avis_lda_term_id(m, s, len);
    uint32_t *slot = id == UINT32_MAX ? NULL : avis_vec_push(ids, sizeof *slot);
    if (id != UINT32_MAX && !slot)
      return AVIS_ERR_NOMEM;
    if (slot)
      *slot = id;
  }
  return 0;
}

int avis_lda_infer(const avis_lda *m, const avis_corpus *c, size_t doc,
                   unsigned iterations, uint64_t seed, double *theta) {
  if (!m || !c || !theta || doc >= avis_corpus_size(c))
    return avis_fail(AVIS_ERR_ARG, "avis_lda_infer: bad argument");
  avis_vec ids = {0};
  avis_lda_work w = {0};
  int rc = avis_lda_doc_ids(m, c, doc, &ids);
  if (!rc)
    rc = avis_lda_fold_in(m, ids.data, ids.len, iterations, seed, &w, theta);
  avis_vec_release(&ids);
  avis_lda_work_release(&w);
  return rc ? avis_fail(rc, "out of memory") : 0;
}

/* ---- The mixture of an analysed document --------------------------------- */

/* The text a token contributes under the model's kind of terms. */
static void term_of(const avis_lda *m, const avis_term *t, const avis_tok *toks,
                    const char *arena, const char *strings, const char **s,
                    size_t *n) {
  if (m->terms_kind == AVIS_TERMS_STEMS) {
    *s = strings + t->off;
    *n = t->len;
    return;
  }
  const avis_tok *tok = &toks[t->tok];
  size_t skip = tok->kind == AVIS_TOKEN_HASHTAG;
  *s = arena + tok->norm_off + skip;
  *n = tok->norm_len - skip;
}

static int copy_to_arena(avis_buf *arena, const char *s, uint32_t *off) {
  *off = (uint32_t)arena->len;
  return avis_buf_append(arena, s, strlen(s) + 1);
}

/* The label and top words of a hit's topic, copied into the result. */
static int describe_hit(const avis_lda *m, avis_lda_hit *hit, avis_result *r) {
  uint32_t j = hit->topic;
  hit->words = (uint32_t)r->lda_words.len;
  hit->nwords = m->ntop[j] < AVIS_LDA_RESULT_WORDS ? m->ntop[j]
                                                   : AVIS_LDA_RESULT_WORDS;
  if (copy_to_arena(&r->arena, m->label[j], &hit->label_off))
    return AVIS_ERR_NOMEM;
  for (uint32_t i = 0; i < hit->nwords; i++) {
    avis_topic_word *w = avis_vec_push(&r->lda_words, sizeof *w);
    if (!w || copy_to_arena(&r->arena, term_text(m, m->top[j][i]), &w->word_off))
      return AVIS_ERR_NOMEM;
    w->weight = m->phi[(size_t)m->top[j][i] * m->k + j];
  }
  return 0;
}

static int rank_mixture(const avis_lda *m, const double *theta, avis_result *r) {
  for (uint32_t j = 0; j < m->k; j++) {
    avis_lda_hit *hit = avis_vec_push(&r->lda, sizeof *hit);
    if (!hit)
      return AVIS_ERR_NOMEM;
    size_t pos = r->lda.len - 1;
    avis_lda_hit *hits = r->lda.data;
    while (pos > 0 && hits[pos - 1].weight < theta[j]) {
      hits[pos] = hits[pos - 1];
      pos--;
    }
    hits[pos].topic = j;
    hits[pos].weight = theta[j];
  }
  avis_lda_hit *hits = r->lda.data;
  for (size_t i = 0; i < r->lda.len; i++)
    if (describe_hit(m, &hits[i], r))
      return AVIS_ERR_NOMEM;
  return 0;
}

int avis_lda_annotate(const avis_lda *m, const avis_strmap *stopwords,
                      avis_stemmer *stemmer, avis_result *r) {
  avis_vec terms = {0}, ids = {0};
  avis_buf strings = {0};
  avis_lda_work w = {0};
  double *theta = malloc(m->k * sizeof *theta);
  const avis_tok *toks = r->tokens.data;
  int rc = theta ? avis_terms_from_tokens(toks, r->tokens.len, r->arena.data,
                                          stopwords, stemmer, &terms, &strings)
                 : AVIS_ERR_NOMEM;
  const avis_term *t = terms.data;
  for (size_t i = 0; !rc && i < terms.len; i++) {
    const char *s;
    size_t n;
    term_of(m, &t[i], toks, r->arena.data, strings.data, &s, &n);
    uint32_t id = avis_lda_term_id(m, s, n);
    uint32_t *slot = id == UINT32_MAX ? NULL : avis_vec_push(&ids, sizeof *slot);
    if (id != UINT32_MAX && !slot)
      rc = AVIS_ERR_NOMEM;
    else if (slot)
      *slot = id;
  }
  if (!rc && ids.len)
    rc = avis_lda_fold_in(m, ids.data, ids.len, 0, 1, &w, theta);
  if (!rc && ids.len)
    rc = rank_mixture(m, theta, r);
  free(theta);
  avis_vec_release(&terms);
  avis_vec_release(&ids);
  avis_buf_release(&strings);
  avis_lda_work_release(&w);
  return rc;
}

/* ---- Dump ------------------------------------------------------------------ */

static const char *fixed(char *buf, double x, int decimals) {
  avis_format_fixed(buf, 32, x, decimals);
  return buf;
}

static const char *const kind_names[] = {"stems", "forms", "tokens"};

static int dump_topic(avis_buf *b, const avis_lda *m, uint32_t j, size_t words) {
  char n1[32], n2[32];
  double share;
  avis_lda_topic(m, j, NULL, &share, NULL);
  int rc = avis_buf_appendf(b, "topic %u\t%s\talpha %s\tshare %s\n", j, m->label[j],
                   fixed(n1, m->alpha[j], 5), fixed(n2, share, 4));
  for (size_t i = 0; !rc && i < m->ntop[j] && i < words; i++) {
    uint32_t t = m->top[j][i];
    rc = avis_buf_appendf(b, "  %s\t%s\n", term_text(m, t),
                 fixed(n1, m->phi[(size_t)t * m->k + j], 6));
  }
  return rc;
}

int avis_lda_dump(const avis_lda *m, unsigned flags, char **out, size_t *len) {
  if (!m || !out)
    return avis_fail(AVIS_ERR_ARG, "avis_lda_dump: NULL argument");
  char n1[32];
  avis_buf b = {0};
  size_t words = flags & AVIS_DUMP_WEIGHTS ? (size_t)-1 : 10;
  int rc = avis_buf_appendf(&b, "avis LDA model, format version %u\n", AVIS_MODEL_VERSION) ||
           avis_buf_appendf(&b, "topics          %u\nterms           %u (of %u trained)\n",
                   m->k, m->nterms, m->vocab) ||
           avis_buf_appendf(&b, "term kind       %s\n", kind_names[m->terms_kind]) ||
           avis_buf_appendf(&b, "beta            %s\n", fixed(n1, m->beta, 5)) ||
           avis_buf_appendf(&b, "tokens          %llu\nkept counts     %u\n",
                   (unsigned long long)m->tokens, m->row[m->nterms]) ||
           avis_buf_appendf(&b, "\n[provenance]\n") ||
           avis_buf_append(&b, m->provenance, strlen(m->provenance)) ||
           avis_buf_appendf(&b, "\n[topics]\n");
  for (uint32_t j = 0; !rc && j < m->k; j++)
    rc = dump_topic(&b, m, j, words);
  if (rc) {
    avis_buf_release(&b);
    return avis_fail(AVIS_ERR_NOMEM, "out of memory writing the dump");
  }
  *out = b.data;
  if (len)
    *len = b.len;
  return 0;
}
