/* Reading many documents into a corpus on several threads
 * (avis_corpus_add_batch()).
 *
 * Each thread reads a contiguous run of the batch with its own term reader
 * and numbers the terms it meets in its own table; the calling thread then
 * appends the documents in order, turning each thread's numbers into
 * corpus term ids with an array lookup (a string lookup the first time a
 * thread's number is seen). Corpus ids are thus given in order of first
 * appearance, document by document, and labels in order too: the corpus is
 * the one that adding the documents one by one builds, whatever the number
 * of threads. A thread keeps its reader and its numbers from one batch to
 * the next, so that its caches stay warm. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "terms.h"

#define MAX_THREADS 256
#define UNMAPPED UINT32_MAX

typedef struct {
  avis_term_reader reader;
  avis_strmap local;  /* term text -> this thread's number */
  avis_vec global;    /* uint32_t per number: corpus term id or UNMAPPED */
  /* The current batch: documents first .. first+count-1. */
  const avis_corpus_text *docs;
  size_t first, count;
  int *status;
  avis_vec seq;  /* uint32_t: numbers and AVIS_TERM_BREAK, document after document */
  avis_vec ends; /* size_t per document: the end of its run in seq */
  int failed;    /* AVIS_ERR_NOMEM when the thread could not finish */
} reader_thread;

struct avis_corpus_readers {
  unsigned n;
  reader_thread *t;
};

void avis_corpus_readers_free(avis_corpus_readers *r) {
  if (!r)
    return;
  for (unsigned i = 0; i < r->n; i++) {
    avis_term_reader_release(&r->t[i].reader);
    avis_strmap_release(&r->t[i].local);
    avis_vec_release(&r->t[i].global);
    avis_vec_release(&r->t[i].seq);
    avis_vec_release(&r->t[i].ends);
  }
  free(r->t);
  free(r);
}

int avis_corpus_set_threads(avis_corpus *c, unsigned threads) {
  if (!c || threads < 1 || threads > MAX_THREADS)
    return avis_fail(AVIS_ERR_ARG, "avis_corpus_set_threads: 1 to %d threads",
                     MAX_THREADS);
  if (c->readers && c->readers->n == threads)
    return 0;
  avis_corpus_readers_free(c->readers);
  c->readers = calloc(1, sizeof *c->readers);
  reader_thread *t = calloc(threads, sizeof *t);
  int rc = c->readers && t ? 0 : AVIS_ERR_NOMEM;
  if (c->readers)
    c->readers->t = t;
  for (unsigned i = 0; !rc && i < threads; i++, c->readers->n++)
    rc = avis_term_reader_init(&t[i].reader, c->reader.stopwords);
  if (rc) {
    avis_corpus_readers_free(c->readers);
    c->readers = NULL;
    return rc == AVIS_ERR_NOMEM ? avis_fail(rc, "out of memory") : rc;
  }
  return 0;
}

static int push_u32(avis_vec *v, uint32_t x) {
  uint32_t *p = avis_vec_push(v, sizeof *p);
  if (!p)
    return AVIS_ERR_NOMEM;
  *p = x;
  return 0;
}

/* Appends the reader's terms to t->seq as this thread's numbers. */
static int number_terms(reader_thread *t) {
  const avis_term *terms = t->reader.terms.data;
  const char *strings = t->reader.strings.data;
  for (size_t i = 0; i < t->reader.terms.len; i++) {
    if (i > 0 && terms[i].sentence != terms[i - 1].sentence &&
        push_u32(&t->seq, AVIS_TERM_BREAK))
      return AVIS_ERR_NOMEM;
    const char *s = strings + terms[i].off;
    uint32_t x;
    if (!avis_strmap_get(&t->local, s, terms[i].len, &x)) {
      x = (uint32_t)t->local.count;
      if (avis_strmap_put(&t->local, s, terms[i].len, x) ||
          push_u32(&t->global, UNMAPPED))
        return AVIS_ERR_NOMEM;
    }
    if (push_u32(&t->seq, x))
      return AVIS_ERR_NOMEM;
  }
  return 0;
}

static void *read_run(void *arg) {
  reader_thread *t = arg;
  t->seq.len = t->ends.len = 0;
  t->failed = 0;
  for (size_t i = t->first; i < t->first + t->count; i++) {
    const avis_corpus_text *d = &t->docs[i];
    int rc = d->text || !d->len
                 ? avis_term_reader_read(&t->reader, d->text, d->len)
                 : AVIS_ERR_ARG;
    if (!rc)
      rc = number_terms(t);
    size_t *end = avis_vec_push(&t->ends, sizeof *end);
    if (rc == AVIS_ERR_NOMEM || !end) {
      t->failed = AVIS_ERR_NOMEM;
      break;
    }
    *end = t->seq.len;
    t->status[i] = rc;
  }
  return NULL;
}

/* What append_run() needs: a thread and the run of one document. */
typedef struct {
  reader_thread *t;
  size_t start, end;
} run;

static int append_run(avis_corpus *c, uint32_t doc, void *user) {
  run *r = user;
  const uint32_t *seq = r->t->seq.data;
  uint32_t *global = r->t->global.data;
  for (size_t i = r->start; i < r->end; i++) {
    uint32_t x = seq[i], id = AVIS_TERM_BREAK;
    if (x != AVIS_TERM_BREAK) {
      id = global[x];
      if (id == UNMAPPED) {
        size_t len;
        const char *s = avis_strmap_key(&r->t->local, x, &len);
        if (avis_corpus_intern(c, s, len, doc, &id))
          return AVIS_ERR_NOMEM;
        global[x] = id;
      } else {
        avis_corpus_count_term(c, id, doc);
      }
    }
    if (push_u32(&c->seq, id))
      return AVIS_ERR_NOMEM;
  }
  return 0;
}

/* Appends thread t's documents, in order, checking each as
 * avis_corpus_add_weighted() does: weight, then labels, then text. Returns
 * the number of documents done: all of them, or those before the one that
 * ran out of memory. */
static size_t append_thread(avis_corpus *c, reader_thread *t) {
  size_t start = 0;
  for (size_t k = 0; k < t->count; k++) {
    size_t i = t->first + k, end = ((const size_t *)t->ends.data)[k];
    const avis_corpus_text *d = &t->docs[i];
    uint64_t mask;
    int rc = avis_corpus_check_doc(c, d->weight);
    if (!rc && (d->nlabels && !d->labels))
      rc = avis_fail(AVIS_ERR_ARG, "avis_corpus_add_batch: NULL labels");
    if (!rc)
      rc = avis_corpus_label_mask(c, d->labels, d->nlabels, &mask);
    if (!rc)
      rc = t->status[i];
    if (!rc) {
      run r = {t, start, end};
      if (avis_corpus_append(c, mask, d->len, d->weight, append_run, &r))
        return k;
    }
    t->status[i] = rc;
    start = end;
  }
  return t->count;
}

/* Splits docs[0..n) into runs of about the same number of bytes, one per
 * thread (fewer when there are fewer documents). */
static unsigned split(avis_corpus_readers *rd, const avis_corpus_text *docs,
                      size_t n, int *status) {
  size_t total = 0, d = 0, bytes = 0;
  for (size_t i = 0; i < n; i++)
    total += docs[i].len + 1;
  unsigned used = 0;
  for (unsigned k = 0; k < rd->n && d < n; k++) {
    reader_thread *t = &rd->t[k];
    size_t goal = total / rd->n * (k + 1);
    t->docs = docs;
    t->status = status;
    t->first = d;
    do
      bytes += docs[d++].len + 1;
    while (d < n && (bytes < goal || k + 1 == rd->n));
    t->count = d - t->first;
    used++;
  }
  return used;
}

int avis_corpus_add_batch(avis_corpus *c, const avis_corpus_text *docs,
                          size_t n, int *status) {
  if (!c || (!docs && n) || (!status && n) || c->kind == AVIS_TERMS_TOKENS)
    return avis_fail(AVIS_ERR_ARG, "avis_corpus_add_batch: NULL argument or "
                                   "a corpus of tokens");
  if (!c->readers && avis_corpus_set_threads(c, 1))
    return AVIS_ERR_NOMEM;
  if (n == 0)
    return 0;
  avis_corpus_readers *rd = c->readers;
  for (size_t i = 0; i < n; i++)
    status[i] = AVIS_ERR_NOMEM;
  unsigned used = split(rd, docs, n, status), started = 0;
  pthread_t th[MAX_THREADS];
  for (unsigned k = 0; k < used; k++)
    rd->t[k].reader.forms = c->kind == AVIS_TERMS_FORMS;
  for (; started + 1 < used; started++)
    if (pthread_create(&th[started], NULL, read_run, &rd->t[started]) != 0)
      break;
  for (unsigned k = started; k < used; k++)
    read_run(&rd->t[k]);
  for (unsigned k = 0; k < started; k++)
    pthread_join(th[k], NULL);
  for (unsigned k = 0; k < used; k++) {
    reader_thread *t = &rd->t[k];
    size_t done = t->failed ? 0 : append_thread(c, t);
    if (done < t->count) {
      for (size_t i = t->first + done; i < n; i++)
        status[i] = AVIS_ERR_NOMEM;
      return avis_fail(AVIS_ERR_NOMEM, "out of memory reading documents");
    }
  }
  return 0;
}
