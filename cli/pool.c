/* Worker threads that analyse documents in parallel and hand them back in
 * input order. One producer thread queues jobs, the workers (each with its
 * own analyzer over the shared model) fill them, and the caller's thread
 * takes them back in order. Jobs live in a ring of `window` slots between
 * the producer and the writer: a slow document holds the others back, but
 * memory never holds more than the window, whatever the number of
 * documents. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "batch.h"

enum { SLOT_FREE, SLOT_QUEUED, SLOT_DONE };

/* The producer may queue jobs (pool_config.batch), and the writer hands
 * back the free slots, a few at a time: one lock for each, rather than one
 * for each document, spares the lock traffic (and the waits on a lock
 * whose holder the system preempted) that four threads on two cores
 * otherwise pay. */
#define SUBMIT_BATCH 16
#define RETURN_BATCH 32

struct pool {
  pool_config cfg;
  pthread_mutex_t mu;
  pthread_cond_t room;    /* the producer may queue */
  pthread_cond_t work;    /* a worker may take a job */
  pthread_cond_t done;    /* the writer may take a job */
  doc_job *jobs;
  /* Set under the lock, but read by the writer without it: a slot it
   * sees done holds a finished job. */
  _Atomic unsigned char *state;
  size_t submitted, taken, emitted; /* job counts: taken by workers,
                                       handed back to the writer (and
                                       their slots returned) */
  uint64_t weight;        /* bytes held by jobs whose slots are not
                             returned */
  /* The producer's jobs not yet queued (producer only). */
  doc_job pending[SUBMIT_BATCH];
  size_t npending;
  /* Jobs handed back whose slots are not yet returned (writer only). */
  size_t written;
  uint64_t written_weight;
  /* Threads waiting on each condition: a thread is woken only when one
   * waits, and the producer only once half the window is free, so that a
   * document does not cost a round of context switches. */
  int producer_waits, workers_waiting, writer_waits;
  int closed, aborted, producer_status;
  pthread_t producer;
  int producer_started;
  pthread_t *threads;
  pool_worker *workers;
  unsigned started;
};

typedef struct {
  pool *p;
  unsigned index;
} worker_arg;

void doc_job_release(doc_job *job) {
  free(job->data);
  free(job->record);
  free(job->outcome.message);
  job->data = job->record = job->outcome.message = NULL;
}

/* Queues the pending jobs, waiting for room for each. -1 when the pool
 * was aborted: the jobs not queued are freed. */
static int flush_pending(pool *p) {
  size_t i = 0;
  pthread_mutex_lock(&p->mu);
  for (; i < p->npending && !p->aborted; i++) {
    doc_job *job = &p->pending[i];
    while (!p->aborted &&
           (p->submitted - p->emitted >= p->cfg.window ||
            (p->submitted > p->emitted &&
             p->weight + job->weight > p->cfg.max_weight))) {
      if (p->workers_waiting)
        pthread_cond_signal(&p->work);
      p->producer_waits = 1;
      pthread_cond_wait(&p->room, &p->mu);
      p->producer_waits = 0;
    }
    if (p->aborted)
      break;
    size_t slot = p->submitted % p->cfg.window;
    p->jobs[slot] = *job;
    atomic_store_explicit(&p->state[slot], SLOT_QUEUED, memory_order_relaxed);
    p->submitted++;
    p->weight += job->weight;
  }
  int wake_worker = p->workers_waiting > 0;
  pthread_mutex_unlock(&p->mu);
  if (wake_worker)
    pthread_cond_signal(&p->work);
  size_t n = p->npending;
  p->npending = 0;
  for (size_t k = i; k < n; k++)
    doc_job_release(&p->pending[k]);
  return i < n ? -1 : 0;
}

int pool_submit(pool *p, doc_job *job) {
  p->pending[p->npending++] = *job;
  return p->npending >= p->cfg.batch ? flush_pending(p) : 0;
}

void pool_blocking(pool *p, int blocking) {
  /* Queued jobs must not wait for input that may be slow to come (a live
   * stream). */
  if (blocking && p->npending)
    flush_pending(p);
  int old;
  pthread_setcancelstate(blocking ? PTHREAD_CANCEL_ENABLE
                                  : PTHREAD_CANCEL_DISABLE, &old);
}

static void *producer_main(void *arg) {
  pool *p = arg;
  int old;
  /* Cancellation is allowed only while the producer waits for input
   * (pool_blocking()), never while it holds the lock. */
  pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
  int status = p->cfg.produce(p->cfg.ctx, p);
  if (p->npending)
    flush_pending(p);
  pthread_mutex_lock(&p->mu);
  p->producer_status = status;
  p->closed = 1;
  pthread_cond_broadcast(&p->work);
  pthread_cond_broadcast(&p->done);
  pthread_mutex_unlock(&p->mu);
  return NULL;
}

static void *worker_main(void *arg) {
  worker_arg *w = arg;
  pool *p = w->p;
  pool_worker *worker = &p->workers[w->index];
  free(w);
  /* The writer is signalled once the lock is released, so that it does
   * not wake only to wait for the lock. */
  int wake_writer = 0;
  pthread_mutex_lock(&p->mu);
  for (;;) {
    while (!p->aborted && !p->closed && p->taken == p->submitted) {
      if (wake_writer)
        pthread_cond_signal(&p->done);
      wake_writer = 0;
      p->workers_waiting++;
      pthread_cond_wait(&p->work, &p->mu);
      p->workers_waiting--;
    }
    if (p->aborted || p->taken == p->submitted)
      break;
    size_t seq = p->taken++;
    doc_job *job = &p->jobs[seq % p->cfg.window];
    pthread_mutex_unlock(&p->mu);
    if (wake_writer)
      pthread_cond_signal(&p->done);
    p->cfg.work(p->cfg.ctx, worker, job);
    pthread_mutex_lock(&p->mu);
    atomic_store_explicit(&p->state[seq % p->cfg.window], SLOT_DONE,
                          memory_order_release);
    /* The writer is woken when its next job is ready, once a few are
     * (or when nothing is left to do, so that a live stream is written
     * at once). */
    wake_writer = p->writer_waits &&
                  atomic_load_explicit(&p->state[p->emitted % p->cfg.window],
                                       memory_order_relaxed) == SLOT_DONE &&
                  (p->taken == p->submitted ||
                   seq + 1 - p->emitted >= p->cfg.window / 4);
  }
  pthread_mutex_unlock(&p->mu);
  if (wake_writer)
    pthread_cond_signal(&p->done);
  return NULL;
}

static void deadline_in(struct timespec *ts, int ms) {
  clock_gettime(CLOCK_REALTIME, ts);
  ts->tv_sec += ms / 1000;
  ts->tv_nsec += (long)(ms % 1000) * 1000000L;
  if (ts->tv_nsec >= 1000000000L) {
    ts->tv_sec++;
    ts->tv_nsec -= 1000000000L;
  }
}

/* Hands the next job back if it is done. The slot is not yet returned:
 * the producer cannot reuse it, and no lock is needed. */
static int take_done(pool *p, doc_job *job) {
  size_t slot = p->written % p->cfg.window;
  if (atomic_load_explicit(&p->state[slot], memory_order_acquire) !=
      SLOT_DONE)
    return 0;
  *job = p->jobs[slot];
  atomic_store_explicit(&p->state[slot], SLOT_FREE, memory_order_relaxed);
  p->written++;
  p->written_weight += job->weight;
  return 1;
}

/* Returns the slots of the jobs handed back (under the lock). */
static void return_slots(pool *p) {
  p->emitted = p->written;
  p->weight -= p->written_weight;
  p->written_weight = 0;
  if (p->producer_waits &&
      p->cfg.window - (p->submitted - p->emitted) >= p->cfg.window / 2 &&
      p->weight <= p->cfg.max_weight / 2)
    pthread_cond_signal(&p->room);
}

int pool_next(pool *p, doc_job *job, int wait_ms) {
  if (p->written - p->emitted < RETURN_BATCH && take_done(p, job))
    return POOL_JOB;
  int rc;
  struct timespec deadline;
  int timed = 0;
  pthread_mutex_lock(&p->mu);
  return_slots(p);
  for (;;) {
    if (take_done(p, job)) {
      rc = POOL_JOB;
      break;
    }
    if (p->aborted || (p->closed && p->emitted == p->submitted)) {
      rc = POOL_END;
      break;
    }
    if (wait_ms == 0) {
      rc = POOL_WAIT;
      break;
    }
    if (!timed) {
      deadline_in(&deadline, wait_ms);
      timed = 1;
    }
    p->writer_waits = 1;
    int waited = pthread_cond_timedwait(&p->done, &p->mu, &deadline);
    p->writer_waits = 0;
    if (waited == ETIMEDOUT) {
      rc = POOL_WAIT;
      break;
    }
  }
  pthread_mutex_unlock(&p->mu);
  return rc;
}

void pool_abort(pool *p) {
  pthread_mutex_lock(&p->mu);
  p->aborted = 1;
  pthread_cond_broadcast(&p->room);
  pthread_cond_broadcast(&p->work);
  pthread_cond_broadcast(&p->done);
  pthread_mutex_unlock(&p->mu);
  if (p->producer_started)
    pthread_cancel(p->producer);
}

static void pool_free(pool *p) {
  for (unsigned i = 0; p->workers && i < p->cfg.workers; i++) {
    avis_result_free(p->workers[i].result);
    avis_analyzer_free(p->workers[i].analyzer);
  }
  pthread_mutex_destroy(&p->mu);
  pthread_cond_destroy(&p->room);
  pthread_cond_destroy(&p->work);
  pthread_cond_destroy(&p->done);
  free(p->workers);
  free(p->threads);
  free(p->jobs);
  free(p->state);
  free(p);
}

int pool_finish(pool *p) {
  if (p->producer_started)
    pthread_join(p->producer, NULL);
  for (unsigned i = 0; i < p->started; i++)
    pthread_join(p->threads[i], NULL);
  for (size_t seq = p->written; seq < p->submitted; seq++)
    doc_job_release(&p->jobs[seq % p->cfg.window]);
  int status = p->producer_status;
  pool_free(p);
  return status;
}

static int start_thread(pthread_t *t, void *(*fn)(void *), void *arg) {
  int rc = pthread_create(t, NULL, fn, arg);
  if (rc)
    fprintf(stderr, "analyze: cannot start a thread: %s\n", strerror(rc));
  return rc;
}

int pool_start(pool **out, const avis_model *model, const pool_config *cfg) {
  pool *p = calloc(1, sizeof *p);
  if (!p)
    goto nomem;
  p->cfg = *cfg;
  if (p->cfg.batch == 0)
    p->cfg.batch = 1;
  if (p->cfg.batch > SUBMIT_BATCH)
    p->cfg.batch = SUBMIT_BATCH;
  pthread_mutex_init(&p->mu, NULL);
  pthread_cond_init(&p->room, NULL);
  pthread_cond_init(&p->work, NULL);
  pthread_cond_init(&p->done, NULL);
  p->jobs = calloc(cfg->window, sizeof *p->jobs);
  p->state = calloc(cfg->window, sizeof *p->state);
  p->threads = calloc(cfg->workers, sizeof *p->threads);
  p->workers = calloc(cfg->workers, sizeof *p->workers);
  if (!p->jobs || !p->state || !p->threads || !p->workers) {
    pool_free(p);
    goto nomem;
  }
  for (unsigned i = 0; i < cfg->workers; i++)
    if (avis_analyzer_new(&p->workers[i].analyzer, model) ||
        avis_analyzer_set_max_bytes(p->workers[i].analyzer, cfg->max_bytes) ||
        avis_analyzer_set_max_tokens(p->workers[i].analyzer,
                                     cfg->max_tokens)) {
      fprintf(stderr, "analyze: %s\n", avis_last_error());
      pool_free(p);
      return -1;
    }
  for (unsigned i = 0; i < cfg->workers; i++) {
    worker_arg *w = malloc(sizeof *w);
    if (!w)
      break;
    *w = (worker_arg){p, i};
    if (start_thread(&p->threads[i], worker_main, w)) {
      free(w);
      break;
    }
    p->started++;
  }
  if (p->started == cfg->workers &&
      start_thread(&p->producer, producer_main, p) == 0)
    p->producer_started = 1;
  if (!p->producer_started) {
    pool_abort(p);
    pool_finish(p);
    return -1;
  }
  *out = p;
  return 0;
nomem:
  fputs("analyze: out of memory\n", stderr);
  return -1;
}
