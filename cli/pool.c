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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "batch.h"

enum { SLOT_FREE, SLOT_QUEUED, SLOT_DONE };

struct pool {
  pool_config cfg;
  pthread_mutex_t mu;
  pthread_cond_t room;    /* the producer may queue */
  pthread_cond_t work;    /* a worker may take a job */
  pthread_cond_t done;    /* the writer may take a job */
  doc_job *jobs;
  unsigned char *state;
  size_t submitted, taken, emitted; /* job counts: taken by workers,
                                       handed back to the writer */
  uint64_t weight;        /* bytes held by jobs not yet handed back */
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

int pool_submit(pool *p, doc_job *job) {
  pthread_mutex_lock(&p->mu);
  while (!p->aborted &&
         (p->submitted - p->emitted >= p->cfg.window ||
          (p->submitted > p->emitted &&
           p->weight + job->weight > p->cfg.max_weight))) {
    p->producer_waits = 1;
    pthread_cond_wait(&p->room, &p->mu);
    p->producer_waits = 0;
  }
  if (p->aborted) {
    pthread_mutex_unlock(&p->mu);
    doc_job_release(job);
    return -1;
  }
  size_t slot = p->submitted % p->cfg.window;
  p->jobs[slot] = *job;
  p->state[slot] = SLOT_QUEUED;
  p->submitted++;
  p->weight += job->weight;
  if (p->workers_waiting)
    pthread_cond_signal(&p->work);
  pthread_mutex_unlock(&p->mu);
  return 0;
}

void pool_blocking(pool *p, int blocking) {
  (void)p;
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
  pthread_mutex_lock(&p->mu);
  for (;;) {
    while (!p->aborted && !p->closed && p->taken == p->submitted) {
      p->workers_waiting++;
      pthread_cond_wait(&p->work, &p->mu);
      p->workers_waiting--;
    }
    if (p->aborted || p->taken == p->submitted)
      break;
    size_t seq = p->taken++;
    doc_job *job = &p->jobs[seq % p->cfg.window];
    pthread_mutex_unlock(&p->mu);
    p->cfg.work(p->cfg.ctx, worker, job);
    pthread_mutex_lock(&p->mu);
    p->state[seq % p->cfg.window] = SLOT_DONE;
    /* The writer is woken when its next job may be ready, once a few
     * are (or when nothing is left to do, so that a live stream is
     * written at once). */
    if (p->writer_waits && (p->taken == p->submitted ||
                            seq + 1 - p->emitted >= p->cfg.window / 4))
      pthread_cond_signal(&p->done);
  }
  pthread_mutex_unlock(&p->mu);
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

int pool_next(pool *p, doc_job *job, int wait_ms) {
  int rc;
  struct timespec deadline;
  int timed = 0;
  pthread_mutex_lock(&p->mu);
  for (;;) {
    size_t slot = p->emitted % p->cfg.window;
    if (p->emitted < p->submitted && p->state[slot] == SLOT_DONE) {
      *job = p->jobs[slot];
      p->state[slot] = SLOT_FREE;
      p->emitted++;
      p->weight -= job->weight;
      if (p->producer_waits &&
          p->cfg.window - (p->submitted - p->emitted) >= p->cfg.window / 2 &&
          p->weight <= p->cfg.max_weight / 2)
        pthread_cond_signal(&p->room);
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
  for (size_t seq = p->emitted; seq < p->submitted; seq++)
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
  pthread_mutex_init(&p->mu, NULL);
  pthread_cond_init(&p->room, NULL);
  pthread_cond_init(&p->work, NULL);
  pthread_cond_init(&p->done, NULL);
  p->jobs = calloc(cfg->window, sizeof *p->jobs);
  p->state = calloc(cfg->window, 1);
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
