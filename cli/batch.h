/* Analysing many documents: files and directories (batch.c, walk.c) or a
 * stream of JSON Lines (stream.c), by worker threads that share one model
 * (pool.c), written in input order as JSON Lines, CSV, TSV or text
 * (record.c, output.c), with a progress line and a summary (progress.c).
 * docs/batch.md describes the behaviour. */
#ifndef AVIS_CLI_BATCH_H
#define AVIS_CLI_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "avis.h"

typedef enum {
  FORMAT_DEFAULT = 0, /* text for one file, JSON Lines otherwise */
  FORMAT_TEXT,
  FORMAT_JSONL,
  FORMAT_CSV,
  FORMAT_TSV,
  FORMAT_HTML,        /* one page: a document's report (report_html.c) */
  FORMAT_HTML_SUMMARY /* html for several inputs: one summary page, written
                         by the writer; the workers build no record */
} out_format;

/* "text", "jsonl", "csv", "tsv", "html" to a format; -1 when unknown. */
int parse_out_format(const char *name, out_format *out);

typedef struct {
  const char **v;
  size_t len, cap;
} str_list;

int str_list_add(str_list *list, const char *s);
void str_list_free(str_list *list);

/* What `analyze` was asked to do with its inputs and output. */
typedef struct {
  out_format format;
  int pretty, tokens;
  int full;               /* --full: whole results in JSON Lines records */
  size_t max_bytes;       /* 0: no limit */
  size_t max_tokens;      /* 0: no limit; longer documents are truncated */
  unsigned jobs;          /* worker threads; 0: one per online core */
  const char *output;     /* -o FILE; NULL or "-" for standard output */
  const char *summary_json;
  int quiet;              /* no progress line, no summary */
  int input_errors_ok;    /* exit 0 even when inputs failed */
  str_list include, exclude;
  int stream, lines;
  const char *id_field, *text_field;
} batch_opts;

/* Analyses files and directories (batch.c). Returns an exit status. */
int batch_run(char **inputs, size_t ninputs, const avis_model *model,
              const batch_opts *o);
/* Analyses JSON Lines or plain lines from standard input (stream.c). */
int stream_run(const avis_model *model, const batch_opts *o);

/* ---- walk.c: the inputs, found and sorted ------------------------------ */
typedef struct {
  char *path;          /* as named, or joined below a directory argument */
  const char *code;    /* set when the walk itself failed: error code */
  char *message;       /* and why (malloc'ed) */
  uint64_t size;       /* bytes, from stat (0 when unknown or not asked) */
  int regular;         /* a regular file when walked */
} walk_entry;

typedef struct {
  walk_entry *v;
  size_t len, cap;
  uint64_t bytes;      /* sum of the sizes */
  int saw_directory;   /* an argument was a directory */
  int sizes;           /* set by the caller: the files below a directory
                          need their sizes (else a file the directory says
                          is regular is not stat'ed) */
} walk_list;

/* Adds `arg`: a directory is walked recursively (files whose base name
 * matches an --include pattern, if any, and no --exclude pattern; a
 * directory matching --exclude is not entered), anything else is added as
 * named. Folders that cannot be read and symbolic link loops are added as
 * entries with an error. Returns 0, or -1 when out of memory. */
int walk_add(walk_list *list, const char *arg, const str_list *include,
             const str_list *exclude);
/* Sorts by path, byte order. */
void walk_sort(walk_list *list);
/* Whether a run shows its progress line. */
int progress_wanted(const batch_opts *o);
void walk_list_free(walk_list *list);

/* ---- pool.c: worker threads, results handed back in input order -------- */

/* The outcome of one document, for the summary. */
typedef struct {
  const char *error;   /* error code (static string); NULL when analysed */
  char *message;       /* why it failed (malloc'ed), or NULL */
  avis_label label;
  double score;
  uint64_t topics;     /* bit i: topic i of the topic model was tagged */
  uint64_t bytes;      /* input bytes */
} doc_outcome;

/* One document on its way through the pool. */
typedef struct {
  /* Set by the producer. */
  const walk_entry *entry; /* batch: the file */
  char *data;              /* stream: the line; batch: the file's bytes,
                              when read ahead (malloc'ed) */
  size_t len;
  int read_ahead;          /* batch: data, len and read_error are set */
  int read_error;          /* batch: errno of reading ahead, or 0 */
  size_t line;             /* stream: 1-based line number */
  int too_long;            /* stream: the line exceeded the limit */
  uint64_t weight;         /* bytes this job may hold, for the memory bound */
  /* Set by the worker. */
  char *record;            /* formatted output (malloc'ed) */
  size_t record_len;
  doc_outcome outcome;
} doc_job;

typedef struct pool pool;

/* What a worker keeps from one document to the next. */
typedef struct {
  avis_analyzer *analyzer;
  avis_result *result;  /* the last document's result, or NULL: the next
                           analysis reuses its memory (avis_analyze_reuse()) */
} pool_worker;

typedef struct {
  unsigned workers;
  size_t window;           /* most jobs between producer and writer */
  uint64_t max_weight;     /* most bytes they may hold (one job may exceed) */
  size_t max_bytes;        /* the analyzers' input limit */
  size_t max_tokens;       /* and their token limit */
  /* Jobs the producer hands over at once (0: one at a time): more when
   * making a job costs much less than analysing it, so that the workers
   * are not kept waiting (at most 16). */
  size_t batch;
  /* Runs in its own thread; submits jobs with pool_submit(). Returns 0, or
   * an errno value that pool_finish() hands back. */
  int (*produce)(void *ctx, pool *p);
  /* Runs in a worker thread: analyses job->data or job->entry with the
   * worker's analyzer and fills job->record and job->outcome. */
  void (*work)(void *ctx, pool_worker *w, doc_job *job);
  void *ctx;
} pool_config;

/* Creates one analyzer per worker, then starts the workers and the
 * producer. On failure prints why and returns -1. */
int pool_start(pool **out, const avis_model *model, const pool_config *cfg);
/* Producer side: queues a job, waiting while the window is full. Jobs
 * reach the workers a few at a time, and all of them before the producer
 * blocks (pool_blocking()) or returns. Returns 0, or -1 when the pool was
 * aborted (the jobs not queued are then freed). */
int pool_submit(pool *p, doc_job *job);
/* A producer about to block on input calls pool_blocking(p, 1) before and
 * pool_blocking(p, 0) after: pool_abort() may end the thread in between. */
void pool_blocking(pool *p, int blocking);

enum { POOL_JOB = 1, POOL_END = 0, POOL_WAIT = -1 };
/* Writer side: the next job in input order (POOL_JOB), or POOL_END when
 * the producer finished and every job was handed back. When the next job
 * is not ready it waits up to `wait_ms` and returns POOL_WAIT. The caller
 * owns job->record, job->data and job->outcome.message. */
int pool_next(pool *p, doc_job *job, int wait_ms);
/* Stops the producer and the workers early (after an output error). */
void pool_abort(pool *p);
/* Joins every thread and frees the pool. Returns the producer's status. */
int pool_finish(pool *p);

void doc_job_release(doc_job *job);

/* The number of online cores. */
unsigned default_jobs(void);
/* Workers, window and memory bound of a pool for `inputs` documents (0:
 * unknown). */
void pool_size(pool_config *cfg, const batch_opts *o, size_t inputs);

/* What a run writes besides its records (batch.c). */
typedef struct {
  out_format format;
  int name_failures;      /* name each failed input on stderr */
  int show_summary;       /* print the summary (unless --quiet) */
  int live;               /* flush each record as soon as it is ready, even
                             to a regular file (stream mode) */
  size_t total;           /* inputs, for the progress line; 0: unknown */
  uint64_t total_bytes;
} run_plan;

/* Runs the pool and writes its records in order to the output, then the
 * summary. Returns an exit status. */
int run_pool(const avis_model *model, pool_config *cfg, const batch_opts *o,
             const run_plan *plan);

/* ---- record.c: one output record -------------------------------------- */

/* Error codes of error records (docs/batch.md). */
#define ERR_UNREADABLE "unreadable"
#define ERR_SYMLINK_LOOP "symlink_loop"
#define ERR_MALFORMED "malformed"
#define ERR_MISSING_FIELD "missing_field"
#define ERR_ENCODING "encoding"
#define ERR_TOO_LARGE "too_large"
#define ERR_NOMEM "out_of_memory"

/* The error code of a failed avis_analyze(). */
const char *error_code_of(int rc);

/* How records are written. */
typedef struct {
  out_format format;
  unsigned json_flags;             /* AVIS_JSON_* */
  const avis_model *model;         /* for the text report */
  const avis_classifier *topics;   /* the model's topic model, or NULL */
  int full;                        /* JSON: the whole result, not only the
                                      document-level fields */
} record_spec;

/* A growable byte string. */
typedef struct {
  char *data;
  size_t len, cap;
  int failed;          /* an allocation failed */
} strbuf;

/* What a document's record usually takes, JSON Lines or a table row:
 * workers make room for it at once. */
#define RECORD_ROOM 1024
/* Makes room for `more` bytes: 0, or -1 once an allocation failed. */
int sb_reserve(strbuf *b, size_t more);
void sb_add(strbuf *b, const char *s, size_t len);
void sb_adds(strbuf *b, const char *s);
/* Appends x in decimal. */
void sb_add_size(strbuf *b, size_t x);
/* Length of the well-formed UTF-8 sequence at s[0..n) (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF; 1 for ASCII), or
 * 0. */
size_t utf8_sequence_at(const unsigned char *s, size_t n);
/* The length of a run at s[0..n), which starts where a character does,
 * of bytes that a JSON string holds as they are: ASCII but for a quote, a
 * backslash and control characters, and, where the run is tested 16 bytes
 * at a time, well-formed two-byte UTF-8 sequences. A text is mostly such
 * runs. The run may stop short of the longest: what follows it is read
 * one character at a time. */
size_t json_plain_run(const unsigned char *s, size_t n);
/* Appends `s` as a JSON string; invalid UTF-8 becomes U+FFFD. */
void sb_add_json_string(strbuf *b, const char *s);
/* Hands the bytes over: NULL after a failed allocation. */
char *sb_take(strbuf *b, size_t *len);

/* A member of a JSON object, as raw JSON text: the key with its quotes,
 * and the value; `name` is the key decoded when known (NULL otherwise), so
 * that "\u0073tats" is seen to be "stats". */
typedef struct {
  const char *key, *value;
  size_t key_len, value_len;
  const char *name;
} json_member;

/* The members of the JSON object text s[0..n), which a parser has already
 * accepted, in order, into a malloc'ed array. Returns their number, or
 * (size_t)-1 when out of memory. */
size_t json_object_members(const char *s, size_t n, json_member **out);

/* The lead of a JSON record: its first members, raw ("\"path\":\"a.txt\""),
 * then members passed through from the input, dropped when the record has
 * a member of the same name. */
typedef struct {
  const char *lead;
  size_t lead_len;
  const json_member *extra;
  size_t nextra;
} record_head;

/* Fills the outcome of an analysed document. */
void outcome_of_result(doc_outcome *oc, const avis_result *r,
                       const record_spec *spec);
/* The record of an analysed document: `name` for text, CSV and TSV, `head`
 * for JSON. */
void record_result(strbuf *b, const record_spec *spec, const char *name,
                   const record_head *head, const avis_result *r);
/* The record of a document that could not be analysed. */
void record_error(strbuf *b, const record_spec *spec, const char *name,
                  const record_head *head, const char *code,
                  const char *message);
/* The first line of a CSV or TSV output; nothing for the others. */
void record_header(strbuf *b, out_format format);

/* ---- output.c: where records go ----------------------------------------- */
typedef struct {
  FILE *f;
  const char *name;   /* for messages */
  char *target;       /* the file replaced when complete */
  char *temp;         /* the temporary file written meanwhile, or NULL */
  int regular;        /* writing to a regular file (no need to flush early) */
  int err;            /* errno of the first failure */
} output;

/* Opens standard output (path NULL or "-"), a temporary file beside a
 * regular or new file, or anything else (a pipe, a device) directly.
 * Returns 0, or -1 with o->err set. */
int output_open(output *o, const char *path);
int output_write(output *o, const char *data, size_t len);
int output_flush(output *o);
/* Completes the output: a temporary file is renamed over its target when
 * `keep`, removed otherwise. Returns 0, or -1 with o->err set. */
int output_close(output *o, int keep);
/* Prints "analyze: error writing NAME: REASON" on stderr. */
void output_report(const output *o);

/* ---- progress.c: progress line and summary ------------------------------ */
typedef struct {
  int enabled;
  size_t done, total;          /* total 0: unknown (stream) */
  uint64_t bytes, total_bytes;
  double start, last_draw;
  int drawn;
} progress;

double now_seconds(void);
void progress_init(progress *p, int enabled, size_t total,
                   uint64_t total_bytes);
void progress_add(progress *p, uint64_t bytes);
/* Redraws the line if it is due. */
void progress_tick(progress *p);
/* Erases the line (before other messages, and at the end). */
void progress_clear(progress *p);

#define SUMMARY_CODES 16

typedef struct {
  size_t documents, failed;
  struct { const char *code; size_t count; } errors[SUMMARY_CODES];
  size_t labels[3];            /* negative, neutral, positive */
  double score_sum;
  const avis_classifier *topics;
  size_t topic_counts[64];
  uint64_t bytes;
  double seconds;
} summary;

void summary_init(summary *s, const avis_classifier *topics);
void summary_add(summary *s, const doc_outcome *oc);
void summary_print(FILE *out, const summary *s);
/* Writes the summary as a JSON object (docs/batch.md). */
void summary_json(strbuf *b, const summary *s);

#endif
