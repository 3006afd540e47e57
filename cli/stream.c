/* `analyze --stream`: one document a line of standard input, as a JSON
 * object (JSON Lines) or as plain text (--lines), and one JSON record a
 * line of output, in input order. A line that cannot be analysed gives an
 * error record and the stream goes on. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "cli.h"
#include "jsonl_fast.h"

#define READ_CHUNK (1 << 16)
/* A JSON string may take six bytes for each byte of its text (\u0001). */
#define ESCAPE_GROWTH 6
#define LINE_SLACK ((size_t)1 << 20)
/* Lines handed to the workers at once: a line is cut from the buffer much
 * faster than it is analysed. */
#define STREAM_BATCH 16

/* Lines of a file descriptor, each at most max_line bytes: the bytes of a
 * longer line are dropped as they are read, so that memory stays bounded. */
typedef struct {
  int fd;
  char *buf;
  size_t cap, start, end;
  int eof;
  size_t max_line; /* 0: no limit */
} line_reader;

typedef struct {
  record_spec spec;
  int lines;
  const char *id_field, *text_field;
  size_t max_line;
  line_reader in;
} stream_run_ctx;

static int fill(line_reader *r, pool *p) {
  size_t have = r->end - r->start;
  if (r->start > 0) {
    memmove(r->buf, r->buf + r->start, have);
    r->start = 0;
    r->end = have;
  }
  if (r->end == r->cap) {
    size_t cap = r->cap ? r->cap * 2 : READ_CHUNK;
    char *buf = realloc(r->buf, cap);
    if (!buf)
      return ENOMEM;
    r->buf = buf;
    r->cap = cap;
  }
  ssize_t got;
  do {
    pool_blocking(p, 1);
    got = read(r->fd, r->buf + r->end, r->cap - r->end);
    pool_blocking(p, 0);
  } while (got < 0 && errno == EINTR);
  if (got < 0)
    return errno;
  if (got == 0)
    r->eof = 1;
  r->end += (size_t)got;
  return 0;
}

/* The next line, without its newline, valid until the next call: returns
 * 1, 0 at the end of the input, or an errno value negated. A last line
 * without a newline counts. *too_long says that the line was longer than
 * the limit: its bytes were dropped and *len is 0. */
static int next_line(line_reader *r, pool *p, const char **line, size_t *len,
                     int *too_long) {
  size_t scanned = 0; /* bytes after start known to hold no newline */
  *too_long = 0;
  for (;;) {
    /* Before the first read there is no buffer, and memchr(NULL, ...) is
     * undefined even for no bytes. */
    char *nl = r->buf ? memchr(r->buf + r->start + scanned, '\n',
                               r->end - r->start - scanned)
                      : NULL;
    if (nl || (r->eof && (r->start < r->end || *too_long))) {
      size_t end = nl ? (size_t)(nl - r->buf) : r->end;
      *line = r->buf + r->start;
      *len = *too_long ? 0 : end - r->start;
      r->start = nl ? end + 1 : end;
      return 1;
    }
    if (r->eof)
      return 0;
    scanned = r->end - r->start;
    if (r->max_line && scanned > r->max_line) {
      *too_long = 1;
      r->start = r->end = 0;
      scanned = 0;
    }
    int err = fill(r, p);
    if (err)
      return -err;
  }
}

static int produce_lines(void *ctx, pool *p) {
  stream_run_ctx *c = ctx;
  for (size_t n = 1;; n++) {
    const char *line = NULL;
    size_t len = 0;
    int too_long;
    int rc = next_line(&c->in, p, &line, &len, &too_long);
    if (rc <= 0)
      return -rc;
    doc_job job = {0};
    job.line = n;
    job.too_long = too_long;
    job.len = len;
    job.weight = len;
    if (!(job.data = malloc(len + 1)))
      return ENOMEM;
    memcpy(job.data, line, len);
    job.data[len] = '\0';
    if (pool_submit(p, &job))
      return 0;
  }
}

/* ---- One line ------------------------------------------------------------- */

/* What a line holds, once read. */
typedef struct {
  const char *text;
  size_t len;
  const json_member *id;        /* raw id, or NULL */
  json_member *members;         /* every member of the object */
  json_member *extra;           /* those passed through */
  size_t nextra;
  json_t *root;
  char *owned_text;             /* the decoded text, when not in place */
  const char *code;             /* why the line cannot be analysed */
  char message[256];
} line_doc;

static void line_fail(line_doc *d, const char *code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  d->code = code;
  vsnprintf(d->message, sizeof d->message, fmt, ap);
  va_end(ap);
}

/* The members of the object in `data`, split into the id, the text (taken
 * from the parsed object) and the ones passed through. Jansson keeps the
 * members in input order and duplicates are rejected, so its keys (with
 * escapes decoded) pair with the raw members one for one. */
static void split_members(line_doc *d, const char *data, size_t len,
                          const stream_run_ctx *c) {
  size_t n = json_object_members(data, len, &d->members);
  d->extra = n == (size_t)-1 ? NULL : malloc((n ? n : 1) * sizeof *d->extra);
  if (!d->extra) {
    line_fail(d, ERR_NOMEM, "out of memory");
    return;
  }
  void *it = json_object_iter(d->root);
  for (size_t i = 0; i < n && it; i++, it = json_object_iter_next(d->root, it)) {
    const char *key = json_object_iter_key(it);
    if (strcmp(key, c->id_field) == 0)
      d->id = &d->members[i];
    else if (strcmp(key, c->text_field) != 0 && strcmp(key, "id") != 0 &&
             strcmp(key, "line") != 0) {
      d->extra[d->nextra] = d->members[i];
      d->extra[d->nextra++].name = key;
    }
  }
  json_t *text = json_object_get(d->root, c->text_field);
  if (!text)
    line_fail(d, ERR_MISSING_FIELD, "no \"%s\" field", c->text_field);
  else if (!json_is_string(text))
    line_fail(d, ERR_MALFORMED, "the \"%s\" field is not a string",
              c->text_field);
  else {
    d->text = json_string_value(text);
    d->len = json_string_length(text);
  }
}

/* The common line, read without jansson (jsonl_fast.h). 1 when done (d
 * filled, or failed with out_of_memory), 0 when jansson must read it. */
static int read_plain_line(line_doc *d, const char *data, size_t len,
                           const stream_run_ctx *c) {
  jsonl_fast_line l;
  if (!jsonl_fast_read(&l, data, len, c->text_field))
    return 0;
  json_member *m = l.members;
  size_t count = l.count;
  const json_member *text = l.text;
  int nomem = 0;
  if (l.text_escaped) {
    d->owned_text =
        jsonl_fast_unescape(text->value + 1, text->value_len - 2, &d->len);
    nomem = !d->owned_text;
    d->text = d->owned_text;
  } else {
    d->text = text->value + 1;
    d->len = text->value_len - 2;
  }
  d->members = m;
  d->extra = malloc((count ? count : 1) * sizeof *d->extra);
  if (nomem || !d->extra) {
    line_fail(d, ERR_NOMEM, "out of memory");
    return 1;
  }
  for (size_t k = 0; k < count; k++)
    if (jsonl_fast_key_is(&m[k], c->id_field))
      d->id = &m[k];
    else if (!jsonl_fast_key_is(&m[k], c->text_field) &&
             !jsonl_fast_key_is(&m[k], "id") &&
             !jsonl_fast_key_is(&m[k], "line"))
      d->extra[d->nextra++] = m[k];
  return 1;
}

static int blank(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (!strchr(" \t\r", s[i]))
      return 0;
  return 1;
}

static void read_json_line(line_doc *d, const char *data, size_t len,
                           const stream_run_ctx *c) {
  json_error_t e;
  if (blank(data, len)) {
    line_fail(d, "empty", "empty line");
    return;
  }
  /* JSON has no raw NUL byte (a string writes \u0000). Jansson skips one
   * between tokens, where json_object_members() would stop, and the raw
   * members would no longer pair with the parsed ones. */
  const char *nul = memchr(data, '\0', len);
  if (nul) {
    line_fail(d, ERR_MALFORMED, "NUL byte (column %zu)",
              (size_t)(nul - data) + 1);
    return;
  }
  if (read_plain_line(d, data, len, c))
    return;
  d->root = json_loadb(data, len,
                       JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL |
                           JSON_DECODE_INT_AS_REAL,
                       &e);
  if (!d->root)
    line_fail(d,
              json_error_code(&e) == json_error_invalid_utf8 ? ERR_ENCODING
                                                             : ERR_MALFORMED,
              "%s (column %d)", e.text, e.column);
  else if (!json_is_object(d->root))
    line_fail(d, ERR_MALFORMED, "not a JSON object");
  else
    split_members(d, data, len, c);
}

static void line_lead(strbuf *lead, const line_doc *d, const doc_job *job,
                      int lines_mode, int failed) {
  if (lines_mode) {
    sb_adds(lead, "\"id\":");
    sb_add_size(lead, job->line);
  } else if (d->id) {
    sb_adds(lead, "\"id\":");
    sb_add(lead, d->id->value, d->id->value_len);
  }
  if (failed || (!lines_mode && !d->id)) {
    sb_adds(lead, lead->len ? ",\"line\":" : "\"line\":");
    sb_add_size(lead, job->line);
  }
}

static void work_line(void *ctx, pool_worker *w, doc_job *job) {
  const stream_run_ctx *c = ctx;
  line_doc d = {0};
  if (job->too_long)
    line_fail(&d, ERR_TOO_LARGE, "line longer than %zu bytes", c->max_line);
  else if (c->lines) {
    d.text = job->data;
    d.len = job->len;
    if (d.len && d.text[d.len - 1] == '\r')
      d.len--;
  } else {
    read_json_line(&d, job->data, job->len, c);
  }
  /* The worker's last result is reused: records are built here, and
   * nothing keeps a result past its document. */
  avis_result *r = NULL;
  int rc = d.code ? 0 : avis_analyze_reuse(w->analyzer, d.text, d.len,
                                           &w->result);
  if (!d.code && !rc)
    r = w->result;
  if (rc)
    line_fail(&d, error_code_of(rc), "%s", avis_last_error());
  strbuf lead = {0}, b = {0};
  /* Room for a usual record at once, rather than by doubling. */
  sb_reserve(&b, RECORD_ROOM);
  line_lead(&lead, &d, job, c->lines, d.code != NULL);
  record_head head = {lead.data, lead.len, d.extra, d.nextra};
  if (lead.failed)
    b.failed = 1;
  else if (d.code) {
    record_error(&b, &c->spec, NULL, &head, d.code, d.message);
    job->outcome.error = d.code;
    job->outcome.message = strdup(d.message);
  } else {
    record_result(&b, &c->spec, NULL, &head, r);
    outcome_of_result(&job->outcome, r, &c->spec);
  }
  json_decref(d.root);
  free(d.owned_text);
  free(d.members);
  free(d.extra);
  free(lead.data);
  job->outcome.bytes = job->len + 1;
  job->record = sb_take(&b, &job->record_len);
}

static size_t line_limit(size_t max_bytes) {
  if (!max_bytes || max_bytes > (SIZE_MAX - LINE_SLACK) / ESCAPE_GROWTH)
    return 0;
  return max_bytes * ESCAPE_GROWTH + LINE_SLACK;
}

int stream_run(const avis_model *model, const batch_opts *o) {
  stream_run_ctx c = {{0}, o->lines, o->id_field, o->text_field, 0, {0}};
  c.spec.format = FORMAT_JSONL;
  c.spec.json_flags = o->tokens ? AVIS_JSON_TOKENS : 0;
  c.spec.full = o->full;
  c.spec.model = model;
  c.spec.topics = avis_model_topic_model(model);
  c.max_line = line_limit(o->max_bytes);
  c.in.fd = STDIN_FILENO;
  c.in.max_line = c.max_line;
  pool_config cfg = {0};
  pool_size(&cfg, o, 0);
  cfg.produce = produce_lines;
  cfg.batch = STREAM_BATCH;
  cfg.work = work_line;
  cfg.ctx = &c;
  run_plan plan = {FORMAT_JSONL, 0, 1, 1, 0, 0};
  int status = run_pool(model, &cfg, o, &plan);
  free(c.in.buf);
  return status;
}
