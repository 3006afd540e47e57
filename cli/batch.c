/* Batch analysis of files and directories, and the loop that writes the
 * records of a run (files or stream) in input order. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "cli.h"

/* Jobs in flight per worker. The writer is woken once a quarter of the
 * window is ready and the reader once half of it is free, so a wide
 * window spares a round of thread wake-ups for every few documents (16
 * per worker made three times the futex calls, and a run over 3,000
 * articles 4-5% slower). MAX_WEIGHT still bounds the bytes it holds. */
#define WINDOW_PER_WORKER 64
#define MIN_WINDOW 256
#define MAX_WEIGHT ((uint64_t)256 << 20)
#define READ_CHUNK (1 << 16)
#define WAIT_MS 200

unsigned default_jobs(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (unsigned)n : 1;
}

void pool_size(pool_config *cfg, const batch_opts *o, size_t inputs) {
  unsigned jobs = o->jobs ? o->jobs : default_jobs();
  cfg->workers = inputs && inputs < jobs ? (unsigned)inputs : jobs;
  cfg->window = (size_t)cfg->workers * WINDOW_PER_WORKER;
  if (cfg->window < MIN_WINDOW)
    cfg->window = MIN_WINDOW;
  cfg->max_weight = MAX_WEIGHT;
  cfg->max_bytes = o->max_bytes;
  cfg->max_tokens = o->max_tokens;
}

/* ---- The writer ----------------------------------------------------------- */

static int write_summary_json(const char *path, const summary *s) {
  strbuf b = {0};
  summary_json(&b, s);
  size_t len;
  char *text = sb_take(&b, &len);
  output out;
  int rc = text ? output_open(&out, path) : -1;
  if (rc == 0)
    rc = output_write(&out, text, len);
  if (text && output_close(&out, rc == 0))
    rc = -1;
  if (rc) {
    if (text)
      output_report(&out);
    else
      fputs("analyze: out of memory\n", stderr);
  }
  free(text);
  return rc;
}

/* Waits for the next job, flushing what was written first (to a pipe or a
 * terminal, or anywhere in a live run), so that a reader sees each record
 * as soon as it is ready. */
static int next_job(pool *p, doc_job *job, output *out, progress *prog,
                    int live) {
  int rc = pool_next(p, job, 0);
  if (rc == POOL_WAIT && (live || !out->regular) && output_flush(out))
    return -1;
  while (rc == POOL_WAIT) {
    progress_tick(prog);
    rc = pool_next(p, job, WAIT_MS);
  }
  return rc;
}

static const char *job_name(const doc_job *job) {
  if (!job->entry)
    return "<stdin>";
  return strcmp(job->entry->path, "-") == 0 ? "<stdin>" : job->entry->path;
}

/* --format html for several inputs: the documents are gathered as they
 * come, and one summary page is written at the end (report_html.c). */
static int add_html_doc(html_batch *html, const doc_job *job) {
  const doc_outcome *oc = &job->outcome;
  html_doc doc = {job_name(job), NULL, oc->label, oc->score, oc->topics};
  if (oc->error)
    doc.error = oc->message ? oc->message : oc->error;
  if (html_batch_add(html, &doc) == 0)
    return 0;
  fputs("analyze: out of memory\n", stderr);
  return -2;
}

static int write_html_summary(const html_batch *html, output *out) {
  size_t len = 0;
  char *page = html_batch_string(html, &len);
  if (!page) {
    fputs("analyze: out of memory\n", stderr);
    return -2;
  }
  int rc = output_write(out, page, len);
  free(page);
  return rc;
}

/* Writes the records in order as the workers finish them. Returns 0, or
 * -1 when the output failed (reported). */
static int write_records(pool *p, output *out, const run_plan *plan,
                         summary *sum, progress *prog) {
  doc_job job;
  int rc = 0, first = 1, got;
  html_batch *html = NULL;
  if (plan->format == FORMAT_HTML_SUMMARY && !(html = html_batch_new(sum->topics))) {
    fputs("analyze: out of memory\n", stderr);
    return -2;
  }
  while (rc == 0 && (got = next_job(p, &job, out, prog, plan->live)) != POOL_END) {
    if (got < 0) {
      rc = -1;
      break;
    }
    if (!job.record && !html) {
      progress_clear(prog);
      fprintf(stderr, "analyze: %s: out of memory\n", job_name(&job));
      rc = -2;
    } else {
      if (job.outcome.error && plan->name_failures) {
        progress_clear(prog);
        fprintf(stderr, "analyze: %s: %s\n", job_name(&job),
                job.outcome.message ? job.outcome.message : job.outcome.error);
      }
      if (plan->format == FORMAT_TEXT && !first)
        rc = output_write(out, "\n", 1);
      if (html)
        rc = add_html_doc(html, &job);
      else if (rc == 0)
        rc = output_write(out, job.record, job.record_len);
      summary_add(sum, &job.outcome);
      progress_add(prog, job.outcome.bytes);
      first = 0;
    }
    doc_job_release(&job);
  }
  if (rc == 0 && html)
    rc = write_html_summary(html, out);
  html_batch_free(html);
  if (rc == -1) {
    progress_clear(prog);
    output_report(out);
  }
  return rc;
}

int progress_wanted(const batch_opts *o) {
  return !o->quiet && isatty(STDERR_FILENO);
}

int run_pool(const avis_model *model, pool_config *cfg, const batch_opts *o,
             const run_plan *plan) {
  output out;
  if (output_open(&out, o->output)) {
    output_report(&out);
    output_close(&out, 0);
    return AVIS_EXIT_OUTPUT;
  }
  strbuf header = {0};
  record_header(&header, plan->format);
  size_t header_len;
  char *header_text = sb_take(&header, &header_len);
  int rc = header_len ? output_write(&out, header_text, header_len) : 0;
  free(header_text);
  pool *p = NULL;
  if (rc == 0 && pool_start(&p, model, cfg)) {
    output_close(&out, 0);
    return AVIS_EXIT_DATA;
  }
  summary sum;
  summary_init(&sum, avis_model_topic_model(model));
  progress prog;
  progress_init(&prog, progress_wanted(o), plan->total, plan->total_bytes);
  if (rc == 0)
    rc = write_records(p, &out, plan, &sum, &prog);
  else
    output_report(&out);
  if (p && rc)
    pool_abort(p);
  int input_err = p ? pool_finish(p) : 0;
  progress_clear(&prog);
  sum.seconds = now_seconds() - prog.start;
  if (output_close(&out, rc == 0) && rc == 0) {
    output_report(&out);
    rc = -1;
  }
  if (rc)
    return AVIS_EXIT_OUTPUT;
  if (input_err)
    fprintf(stderr, "analyze: error reading standard input: %s\n",
            strerror(input_err));
  if (plan->show_summary && !o->quiet)
    summary_print(stderr, &sum);
  if (o->summary_json && write_summary_json(o->summary_json, &sum))
    return AVIS_EXIT_OUTPUT;
  if (input_err || (sum.failed && !o->input_errors_ok))
    return AVIS_EXIT_INPUT;
  return AVIS_EXIT_OK;
}

/* ---- Files ---------------------------------------------------------------- */

typedef struct {
  record_spec spec;
  size_t max_bytes;
  const walk_list *list;
} file_run;

/* Not a regular file any more: read_input() leaves it to the worker. */
#define NOT_REGULAR (-1)

/* Reads at most limit + 1 bytes, so that an oversized input is detected
 * without reading all of it. *data is malloc'ed. Returns 0 or errno; with
 * `regular_only`, NOT_REGULAR for anything but a regular file, which is
 * then neither waited for (a FIFO's open) nor read. */
static int read_input(const char *path, size_t limit, int regular_only,
                      char **data, size_t *len) {
  int fd = strcmp(path, "-") == 0
               ? STDIN_FILENO
               : open(path, O_RDONLY | (regular_only ? O_NONBLOCK : 0));
  if (fd < 0)
    return errno;
  struct stat st;
  int known = fstat(fd, &st) == 0;
  int regular = known && S_ISREG(st.st_mode);
  if (regular_only && !regular) {
    if (fd != STDIN_FILENO)
      close(fd);
    return NOT_REGULAR;
  }
  int err = known && S_ISDIR(st.st_mode) ? EISDIR : 0;
  size_t want = limit ? limit + 1 : SIZE_MAX, n = 0;
  /* A regular file is read into one buffer of its size, plus a byte to
   * see the end of the file. */
  size_t cap = regular && (uint64_t)st.st_size < want
                   ? (size_t)st.st_size + 1 : READ_CHUNK;
  char *buf = err ? NULL : malloc(cap);
  if (!err && !buf)
    err = ENOMEM;
  while (!err && n < want) {
    if (n == cap) {
      char *grown = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
      if (!grown) {
        err = ENOMEM;
        break;
      }
      buf = grown;
      cap *= 2;
    }
    size_t chunk = cap - n < want - n ? cap - n : want - n;
    ssize_t got = read(fd, buf + n, chunk);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0)
      err = errno;
    if (got <= 0)
      break;
    n += (size_t)got;
    /* A regular file that gave the size fstat() saw, short of the byte
     * asked for beyond it, is at its end: the read() that would say so
     * is spared, one in two on a walk of small files. A file that grew
     * since fills the buffer and is read on; one whose size fstat() does
     * not tell (procfs says 0, sysfs 4096) ends as before, at a read()
     * of nothing. */
    if (regular && n == (size_t)st.st_size && n < cap)
      break;
  }
  if (fd != STDIN_FILENO)
    close(fd);
  if (err) {
    free(buf);
    return err;
  }
  *data = buf;
  *len = n;
  return 0;
}

/* The walk's regular files are read here, ahead of the workers, so that
 * reading one file (the system's time, or the disk's) overlaps with
 * analysing another even with a single worker; the window bounds the
 * bytes read ahead (job.weight). Anything else (standard input, a pipe
 * named on the command line) is read by its worker, where waiting for it
 * holds up no other document's reading. */
static int produce_files(void *ctx, pool *p) {
  const file_run *run = ctx;
  for (size_t i = 0; i < run->list->len; i++) {
    doc_job job = {0};
    job.entry = &run->list->v[i];
    job.weight = run->max_bytes && job.entry->size > run->max_bytes
                     ? run->max_bytes : job.entry->size;
    if (!job.entry->code && job.entry->regular) {
      int err = read_input(job.entry->path, run->max_bytes, 1, &job.data,
                           &job.len);
      job.read_ahead = err != NOT_REGULAR;
      job.read_error = job.read_ahead ? err : 0;
      /* The walk may not have asked for the size. */
      if (job.read_ahead)
        job.weight = job.len;
    }
    if (pool_submit(p, &job))
      break;
  }
  return 0;
}

static void fail_job(doc_job *job, strbuf *b, const record_spec *spec,
                     const char *name, const record_head *head,
                     const char *code, const char *message) {
  record_error(b, spec, name, head, code, message);
  job->outcome.error = code;
  job->outcome.message = strdup(message);
}

static void work_file(void *ctx, pool_worker *w, doc_job *job) {
  const file_run *run = ctx;
  const walk_entry *e = job->entry;
  const char *name = job_name(job);
  strbuf lead = {0}, b = {0};
  /* Room for a usual record at once, rather than by doubling. */
  if (run->spec.format != FORMAT_HTML_SUMMARY)
    sb_reserve(&b, RECORD_ROOM);
  sb_adds(&lead, "\"path\":");
  sb_add_json_string(&lead, name);
  record_head head = {lead.data, lead.len, NULL, 0};
  char *data = job->data;
  size_t len = job->len;
  job->data = NULL;
  int err = e->code ? 0 : job->read_ahead ? job->read_error : 0;
  if (!e->code && !job->read_ahead)
    err = read_input(e->path, run->max_bytes, 0, &data, &len);
  /* The worker's last result is reused: records are built here, and
   * nothing keeps a result past its document. */
  avis_result *r = NULL;
  int rc = e->code || err ? 0
                          : avis_analyze_reuse(w->analyzer, data, len,
                                               &w->result);
  if (!e->code && !err && !rc)
    r = w->result;
  free(data);
  if (lead.failed)
    b.failed = 1;
  else if (e->code)
    fail_job(job, &b, &run->spec, name, &head, e->code, e->message);
  else if (err)
    fail_job(job, &b, &run->spec, name, &head, ERR_UNREADABLE, strerror(err));
  else if (rc)
    fail_job(job, &b, &run->spec, name, &head, error_code_of(rc),
             avis_last_error());
  else {
    record_result(&b, &run->spec, name, &head, r);
    outcome_of_result(&job->outcome, r, &run->spec);
  }
  free(lead.data);
  job->outcome.bytes = len;
  job->record = sb_take(&b, &job->record_len);
}

int batch_run(char **inputs, size_t ninputs, const avis_model *model,
              const batch_opts *o) {
  walk_list list = {0};
  list.sizes = progress_wanted(o);
  for (size_t i = 0; i < ninputs; i++)
    if (walk_add(&list, inputs[i], &o->include, &o->exclude)) {
      fputs("analyze: out of memory\n", stderr);
      walk_list_free(&list);
      return AVIS_EXIT_INPUT;
    }
  walk_sort(&list);
  int several = ninputs > 1 || list.saw_directory;
  if (list.len == 0 && !o->quiet)
    fputs("analyze: no files to analyse\n", stderr);
  file_run run = {{0}, o->max_bytes, &list};
  run.spec.format = o->format != FORMAT_DEFAULT ? o->format
                    : several ? FORMAT_JSONL : FORMAT_TEXT;
  if (run.spec.format == FORMAT_HTML && several)
    run.spec.format = FORMAT_HTML_SUMMARY;
  run.spec.json_flags = (o->tokens ? AVIS_JSON_TOKENS : 0) |
                        (o->pretty ? AVIS_JSON_PRETTY : 0);
  run.spec.full = o->full || !several;
  run.spec.model = model;
  run.spec.topics = avis_model_topic_model(model);
  pool_config cfg = {0};
  pool_size(&cfg, o, list.len);
  cfg.produce = produce_files;
  cfg.work = work_file;
  cfg.ctx = &run;
  run_plan plan = {run.spec.format, 1, several, 0, list.len, list.bytes};
  int status = run_pool(model, &cfg, o, &plan);
  walk_list_free(&list);
  return status;
}
