/* One loaded model shared by several threads, one analyzer a thread.
 *
 *   threads N FILE...
 *
 * Analyses the files with N threads and prints one line a file, in the
 * order given: "name<TAB>label<TAB>score", the lines `minimal FILE` prints,
 * whatever N is. The data directory is $AVIS_DATA_DIR, else the installed
 * one.
 */
#define _POSIX_C_SOURCE 200809L /* fileno */
#include <avis.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_THREADS 64

typedef struct {
  const char *path;
  int rc; /* AVIS_OK, or why this file failed; -1 until analysed */
  char message[256];
  avis_label label;
  double score;
} job;

typedef struct {
  const avis_model *model; /* read by every thread, never changed */
  job *jobs;
  size_t njobs;
  atomic_size_t next; /* the next job to take */
} work_queue;

/* The file's bytes in memory the caller frees; NULL when unreadable. */
static char *load_file(const char *path, size_t *len) {
  struct stat st;
  FILE *f = fopen(path, "rb");
  char *data = NULL;
  if (f && fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)) {
    data = malloc((size_t)st.st_size + 1);
    *len = data ? fread(data, 1, (size_t)st.st_size, f) : 0;
  }
  if (f)
    fclose(f);
  return data;
}

static void run_job(avis_analyzer *an, job *j) {
  size_t len = 0;
  char *data = load_file(j->path, &len);
  avis_result *r = NULL;
  if (!data) {
    j->rc = AVIS_ERR_IO;
    snprintf(j->message, sizeof j->message, "cannot read the file");
    return;
  }
  j->rc = avis_analyze(an, data, len, &r);
  free(data);
  if (j->rc != AVIS_OK) {
    /* avis_last_error() is per thread: read it in the thread that failed. */
    snprintf(j->message, sizeof j->message, "%s", avis_last_error());
    return;
  }
  j->label = avis_result_label(r);
  j->score = avis_result_score(r);
  avis_result_free(r);
}

typedef struct {
  work_queue *queue;
  pthread_t id;
  char error[256]; /* why the thread could not work, or "" */
} worker;

static void *work(void *arg) {
  worker *w = arg;
  avis_analyzer *an; /* this thread's own */
  if (avis_analyzer_new(&an, w->queue->model) != AVIS_OK) {
    snprintf(w->error, sizeof w->error, "%s", avis_last_error());
    return NULL;
  }
  size_t i;
  while ((i = atomic_fetch_add(&w->queue->next, 1)) < w->queue->njobs)
    run_job(an, &w->queue->jobs[i]);
  avis_analyzer_free(an);
  return NULL;
}

static avis_model *load_model(void) {
  const char *dir = getenv("AVIS_DATA_DIR");
  if (!dir || !*dir)
    dir = avis_default_data_dir();
  avis_model_options *opts;
  avis_model *model = NULL;
  if (avis_model_options_new(&opts) != AVIS_OK)
    return NULL;
  if (avis_model_options_set_data_dir(opts, dir) == AVIS_OK)
    avis_model_load(&model, opts);
  avis_model_options_free(opts);
  return model;
}

int main(int argc, char **argv) {
  int nthreads = argc > 2 ? atoi(argv[1]) : 0;
  if (nthreads < 1 || nthreads > MAX_THREADS) {
    fprintf(stderr, "usage: threads N FILE...   (1 <= N <= %d)\n",
            MAX_THREADS);
    return 2;
  }
  avis_model *model = load_model();
  if (!model) {
    fprintf(stderr, "threads: %s\n", avis_last_error());
    return 1;
  }
  work_queue q = {.model = model, .njobs = (size_t)argc - 2};
  q.jobs = calloc(q.njobs, sizeof *q.jobs);
  for (size_t i = 0; q.jobs && i < q.njobs; i++)
    q.jobs[i] = (job){.path = argv[i + 2], .rc = -1,
                      .message = "not analysed: no thread could start"};
  atomic_init(&q.next, 0);

  worker workers[MAX_THREADS] = {0};
  int started = 0, status = q.jobs ? 0 : 1;
  while (q.jobs && started < nthreads) {
    workers[started].queue = &q;
    if (pthread_create(&workers[started].id, NULL, work, &workers[started]))
      break;
    started++;
  }
  for (int t = 0; t < started; t++) {
    pthread_join(workers[t].id, NULL);
    if (workers[t].error[0]) {
      fprintf(stderr, "threads: %s\n", workers[t].error);
      status = 1;
    }
  }
  for (size_t i = 0; q.jobs && i < q.njobs; i++) {
    const job *j = &q.jobs[i];
    if (j->rc == AVIS_OK)
      printf("%s\t%s\t%+.3f\n", j->path, avis_label_name(j->label), j->score);
    else {
      fprintf(stderr, "threads: %s: %s\n", j->path, j->message);
      status = 1;
    }
  }
  free(q.jobs);
  avis_model_free(model); /* after every analyzer: the threads are joined */
  return status;
}
