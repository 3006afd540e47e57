/* Reading many documents into a corpus on several threads
 * (avis_corpus_add_batch()).
 *
 * The batch is cut into chunks of consecutive documents, which the threads
 * (the calling one included) take in order, each reading a chunk with its
 * own term numberer (terms.h): terms numbered in the thread's own table,
 * the number of every distinct token remembered. The calling thread
 * appends the chunks, in order, as soon as each is read, and reads one
 * itself when the next is not ready; appending thus overlaps reading
 * rather than following it. Appending turns a thread's numbers into corpus
 * term ids with an array lookup (interning the term's text the first time
 * the number is appended), so corpus ids are given in order of first
 * appearance, document by document, and labels in order too: the corpus is
 * the one that adding the documents one by one builds, whatever the number
 * of threads and whichever thread reads which chunk. A thread keeps its
 * numberer from one batch to the next, so that its caches stay warm. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "terms.h"

#define MAX_THREADS 256
#define UNMAPPED UINT32_MAX
/* A chunk ends after the document that takes it to this many bytes: small
 * enough that the threads finish a batch together and that the last
 * chunk, appended after every thread is done, is short. */
#define CHUNK_BYTES ((size_t)128 << 10)

/* One thread's reading, and what the calling thread knows of its
 * numbers. */
typedef struct {
  avis_term_numberer num; /* used by the reading thread only */
  /* Used by the calling thread only, per number of `num`: its corpus term
   * id or UNMAPPED, and where its text is in `names`. */
  avis_vec global; /* uint32_t */
  avis_vec name_at; /* size_t */
  avis_buf names;
} reader_thread;

/* A run of documents and what reading them gave. */
typedef struct {
  size_t first, count;
  unsigned reader; /* which reader_thread read it */
  int done;        /* under the batch's lock */
  int failed;      /* AVIS_ERR_NOMEM when it could not be read */
  avis_vec seq;    /* uint32_t: the reader's numbers and AVIS_TERM_BREAK */
  avis_vec ends;   /* size_t per document: the end of its run in seq */
  avis_buf names;  /* the texts of the numbers new in this chunk, in order */
  size_t nnames;
} chunk;

struct avis_corpus_readers {
  unsigned n;
  reader_thread *t;
  chunk *chunks; /* kept from one batch to the next, buffers and all */
  size_t nchunks, chunks_cap;
};

static void chunk_release(chunk *k) {
  avis_vec_release(&k->seq);
  avis_vec_release(&k->ends);
  avis_buf_release(&k->names);
}

void avis_corpus_readers_free(avis_corpus_readers *r) {
  if (!r)
    return;
  for (unsigned i = 0; i < r->n; i++) {
    avis_term_numberer_release(&r->t[i].num);
    avis_vec_release(&r->t[i].global);
    avis_vec_release(&r->t[i].name_at);
    avis_buf_release(&r->t[i].names);
  }
  for (size_t i = 0; i < r->chunks_cap; i++)
    chunk_release(&r->chunks[i]);
  free(r->chunks);
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
  else
    free(t);
  for (unsigned i = 0; !rc && i < threads; i++, c->readers->n++)
    rc = avis_term_numberer_init(&t[i].num, c->reader.stopwords);
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

/* ---- The batch ------------------------------------------------------------ */

typedef struct {
  avis_corpus *c;
  const avis_corpus_text *docs;
  int *status;
  size_t next;  /* the next chunk to read */
  int stop;     /* take no more chunks */
  pthread_mutex_t lock;
  pthread_cond_t chunk_done;
} batch;

typedef struct {
  batch *b;
  unsigned reader;
} reading;

/* Reads chunk k with reader r: its documents' numbers, then the texts of
 * the numbers new in it, which the calling thread cannot read in the
 * numberer while this thread goes on numbering. */
static void read_chunk(batch *b, unsigned r, chunk *k) {
  avis_term_numberer *num = &b->c->readers->t[r].num;
  size_t known = num->numbers.count;
  k->reader = r;
  k->seq.len = k->ends.len = k->nnames = 0;
  k->failed = 0;
  avis_buf_clear(&k->names);
  for (size_t i = k->first; i < k->first + k->count; i++) {
    const avis_corpus_text *d = &b->docs[i];
    size_t start = k->seq.len;
    int rc = d->text || !d->len
                 ? avis_term_numberer_read(num, d->text, d->len, &k->seq)
                 : AVIS_ERR_ARG;
    size_t *end = avis_vec_push(&k->ends, sizeof *end);
    if (rc == AVIS_ERR_NOMEM || !end) {
      k->failed = AVIS_ERR_NOMEM;
      return;
    }
    if (rc)
      k->seq.len = start;
    *end = k->seq.len;
    b->status[i] = rc;
  }
  for (size_t x = known; x < num->numbers.count; x++, k->nnames++) {
    size_t len;
    const char *s = avis_strmap_key(&num->numbers, x, &len);
    if (avis_buf_append(&k->names, s, len + 1)) {
      k->failed = AVIS_ERR_NOMEM;
      return;
    }
  }
}

/* Takes the next chunk to read, or NULL; under the lock. */
static chunk *take_chunk(batch *b) {
  avis_corpus_readers *rd = b->c->readers;
  return b->stop || b->next == rd->nchunks ? NULL : &rd->chunks[b->next++];
}

static void finish_chunk(batch *b, chunk *k) {
  pthread_mutex_lock(&b->lock);
  k->done = 1;
  pthread_cond_broadcast(&b->chunk_done);
  pthread_mutex_unlock(&b->lock);
}

static void *read_chunks(void *arg) {
  reading *rg = arg;
  batch *b = rg->b;
  for (;;) {
    pthread_mutex_lock(&b->lock);
    chunk *k = take_chunk(b);
    pthread_mutex_unlock(&b->lock);
    if (!k)
      return NULL;
    read_chunk(b, rg->reader, k);
    finish_chunk(b, k);
  }
}

/* What append_doc() needs: a reader and the run of one document. */
typedef struct {
  reader_thread *t;
  const uint32_t *seq;
  size_t start, end;
} run;

static int append_doc(avis_corpus *c, uint32_t doc, void *user) {
  run *r = user;
  uint32_t *global = r->t->global.data;
  const size_t *name_at = r->t->name_at.data;
  for (size_t i = r->start; i < r->end; i++) {
    uint32_t x = r->seq[i], id = AVIS_TERM_BREAK;
    if (x != AVIS_TERM_BREAK) {
      id = global[x];
      if (id == UNMAPPED) {
        const char *s = r->t->names.data + name_at[x];
        if (avis_corpus_intern(c, s, strlen(s), doc, &id))
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

/* Gives the calling thread the numbers new in chunk k: not yet in the
 * corpus, and their texts. */
static int learn_names(reader_thread *t, const chunk *k) {
  const char *s = k->names.data;
  for (size_t i = 0; i < k->nnames; i++) {
    size_t len = strlen(s);
    size_t *at = avis_vec_push(&t->name_at, sizeof *at);
    if (!at || push_u32(&t->global, UNMAPPED))
      return AVIS_ERR_NOMEM;
    *at = t->names.len;
    if (avis_buf_append(&t->names, s, len + 1))
      return AVIS_ERR_NOMEM;
    s += len + 1;
  }
  return 0;
}

/* Appends chunk k's documents, in order, checking each as
 * avis_corpus_add_weighted() does: weight, then labels, then text.
 * AVIS_ERR_NOMEM when one could not be appended, in *stopped: the
 * documents before it were. */
static int append_chunk(batch *b, chunk *k, size_t *stopped) {
  avis_corpus *c = b->c;
  reader_thread *t = &c->readers->t[k->reader];
  *stopped = k->first;
  if (k->failed || learn_names(t, k))
    return AVIS_ERR_NOMEM;
  size_t start = 0;
  for (size_t j = 0; j < k->count; j++) {
    size_t i = k->first + j, end = ((const size_t *)k->ends.data)[j];
    const avis_corpus_text *d = &b->docs[i];
    uint64_t mask;
    int rc = avis_corpus_check_doc(c, d->weight);
    if (!rc && (d->nlabels && !d->labels))
      rc = avis_fail(AVIS_ERR_ARG, "avis_corpus_add_batch: NULL labels");
    if (!rc)
      rc = avis_corpus_label_mask(c, d->labels, d->nlabels, &mask);
    if (!rc)
      rc = b->status[i];
    if (!rc) {
      run r = {t, k->seq.data, start, end};
      *stopped = i;
      if (avis_corpus_append(c, mask, d->len, d->weight, append_doc, &r))
        return AVIS_ERR_NOMEM;
    }
    b->status[i] = rc;
    start = end;
  }
  return 0;
}

/* Cuts docs[0..n) into chunks of about CHUNK_BYTES. */
static int cut_chunks(avis_corpus_readers *rd, const avis_corpus_text *docs,
                      size_t n) {
  rd->nchunks = 0;
  for (size_t d = 0; d < n;) {
    if (rd->nchunks == rd->chunks_cap) {
      size_t cap = rd->chunks_cap ? 2 * rd->chunks_cap : 64;
      chunk *grown = realloc(rd->chunks, cap * sizeof *grown);
      if (!grown)
        return AVIS_ERR_NOMEM;
      memset(grown + rd->chunks_cap, 0, (cap - rd->chunks_cap) * sizeof *grown);
      rd->chunks = grown;
      rd->chunks_cap = cap;
    }
    chunk *k = &rd->chunks[rd->nchunks++];
    size_t bytes = 0;
    k->first = d;
    do
      bytes += docs[d++].len + 1;
    while (d < n && bytes < CHUNK_BYTES);
    k->count = d - k->first;
    k->done = 0;
  }
  return 0;
}

/* The calling thread's part: appends the chunks in order as they are
 * read, reading one whenever the next to append is not ready. 0, or
 * AVIS_ERR_NOMEM and in *stopped the first document not appended. */
static int read_and_append(batch *b, unsigned reader, size_t *stopped) {
  avis_corpus_readers *rd = b->c->readers;
  for (size_t a = 0; a < rd->nchunks;) {
    pthread_mutex_lock(&b->lock);
    chunk *k = rd->chunks[a].done ? NULL : take_chunk(b);
    while (!k && !rd->chunks[a].done)
      pthread_cond_wait(&b->chunk_done, &b->lock);
    pthread_mutex_unlock(&b->lock);
    if (k) {
      read_chunk(b, reader, k);
      finish_chunk(b, k);
      continue;
    }
    if (append_chunk(b, &rd->chunks[a], stopped))
      return AVIS_ERR_NOMEM;
    a++;
  }
  return 0;
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
  if (cut_chunks(rd, docs, n))
    return avis_fail(AVIS_ERR_NOMEM, "out of memory reading documents");
  for (unsigned k = 0; k < rd->n; k++)
    rd->t[k].num.reader.forms = c->kind == AVIS_TERMS_FORMS;
  batch b = {c, docs, status, 0, 0, PTHREAD_MUTEX_INITIALIZER,
             PTHREAD_COND_INITIALIZER};
  reading rg[MAX_THREADS];
  pthread_t th[MAX_THREADS];
  unsigned started = 0, want = rd->n < rd->nchunks ? rd->n : (unsigned)rd->nchunks;
  for (; started + 1 < want; started++) {
    rg[started] = (reading){&b, started + 1};
    if (pthread_create(&th[started], NULL, read_chunks, &rg[started]) != 0)
      break;
  }
  size_t stopped = n;
  int rc = read_and_append(&b, 0, &stopped);
  pthread_mutex_lock(&b.lock);
  b.stop = 1;
  pthread_mutex_unlock(&b.lock);
  for (unsigned k = 0; k < started; k++)
    pthread_join(th[k], NULL);
  pthread_mutex_destroy(&b.lock);
  pthread_cond_destroy(&b.chunk_done);
  if (rc) {
    for (size_t i = stopped; i < n; i++)
      status[i] = AVIS_ERR_NOMEM;
    /* Some chunk's numbers never reached the calling thread: start the
     * readers again rather than keep numbers it cannot name. */
    unsigned threads = rd->n;
    avis_corpus_readers_free(rd);
    c->readers = NULL;
    avis_corpus_set_threads(c, threads);
    return avis_fail(AVIS_ERR_NOMEM, "out of memory reading documents");
  }
  return 0;
}
