/* Reading training and evaluation documents into a corpus: a directory per
 * label, label<TAB>text lines, JSON Lines with a labels array and a text,
 * or plain text (docs/topics.md). */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "train_data.h"

#define MAX_DOC_LABELS 16

static int ends_with(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int is_directory(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static input_format detect(const char *path, input_format f) {
  if (f != INPUT_AUTO)
    return f;
  if (is_directory(path))
    return INPUT_DIRECTORY;
  if (ends_with(path, ".jsonl") || ends_with(path, ".ndjson") ||
      ends_with(path, ".json"))
    return INPUT_JSONL;
  if (ends_with(path, ".tsv"))
    return INPUT_TSV;
  return INPUT_TEXT;
}

/* Documents are handed to the library this many at a time (or sooner,
 * past BATCH_BYTES), which reads them on the corpus's threads. The first
 * batches are smaller, so that reading starts early. */
#define BATCH_DOCS 4096
#define FIRST_BATCH_DOCS 512
#define BATCH_BYTES (32u << 20)
#define LINE_BUFFER (1u << 20)

static int grow(void **p, size_t *cap, size_t need, size_t size) {
  if (need <= *cap)
    return 0;
  size_t n = *cap ? *cap : 64;
  while (n < need)
    n *= 2;
  void *q = realloc(*p, n * size);
  if (!q)
    return -1;
  *p = q;
  *cap = n;
  return 0;
}

static int keep_bytes(batch_buffers *b, const char *s, size_t len,
                      size_t *at) {
  if (grow((void **)&b->bytes, &b->bytes_cap, b->nbytes + len + 1, 1))
    return -1;
  *at = b->nbytes;
  memcpy(b->bytes + b->nbytes, s, len);
  b->bytes[b->nbytes + len] = '\0';
  b->nbytes += len + 1;
  return 0;
}

static void release_batch(batch_buffers *b) {
  free(b->bytes);
  free(b->pending);
  free(b->label_at);
  memset(b, 0, sizeof *b);
}

struct batch_feed {
  reader_state *st;
  batch_buffers batch; /* the batch being added */
  pthread_t thread;
  int running, rc;
  size_t batches;      /* added so far, which sets the next one's size */
};

static void swap_batch(reader_state *st, batch_buffers *b) {
  batch_buffers filling = st->batch;
  st->batch = *b;
  *b = filling;
}

/* Adds a batch to the corpus; a text the library rejects (empty, binary)
 * is counted and skipped. The counts and the on_doc calls are made here,
 * in document order. */
static int add_batch(reader_state *st, batch_buffers *b) {
  size_t n = b->npending;
  if (n == 0)
    return 0;
  avis_corpus_text *docs = malloc(n * sizeof *docs);
  const char **labels = malloc((b->nlabel_at ? b->nlabel_at : 1) *
                               sizeof *labels);
  int *status = malloc(n * sizeof *status);
  int rc = docs && labels && status ? 0 : -1;
  for (size_t i = 0; !rc && i < b->nlabel_at; i++)
    labels[i] = b->bytes + b->label_at[i];
  for (size_t i = 0; !rc && i < n; i++) {
    const struct pending_doc *p = &b->pending[i];
    docs[i] = (avis_corpus_text){b->bytes + p->text, p->len,
                                 labels + p->label, p->nlabels, p->weight};
  }
  if (rc)
    fputs("avis: out of memory\n", stderr);
  else if ((rc = avis_corpus_add_batch(st->corpus, docs, n, status)) != 0)
    fprintf(stderr, "avis: %s\n", avis_last_error());
  for (size_t i = 0; !rc && i < n; i++) {
    if (status[i] == AVIS_ERR_EMPTY || status[i] == AVIS_ERR_BINARY ||
        status[i] == AVIS_ERR_ENCODING) {
      st->skipped++;
      continue;
    }
    if (status[i]) {
      fprintf(stderr, "avis: %s\n", avis_last_error());
      rc = -1;
      break;
    }
    st->added++;
    if (st->on_doc)
      st->on_doc(st->user, docs[i].labels, docs[i].nlabels);
    if (st->added % 5000 == 0)
      fprintf(stderr, "  %zu documents read\n", st->added);
  }
  b->npending = b->nbytes = b->nlabel_at = 0;
  free(docs);
  free(labels);
  free(status);
  return rc ? -1 : 0;
}

static void *feed_batch(void *arg) {
  struct batch_feed *f = arg;
  f->rc = add_batch(f->st, &f->batch);
  return NULL;
}

/* Waits for the batch being added; 0, or -1 when it failed. */
static int wait_feed(reader_state *st) {
  struct batch_feed *f = st->feed;
  if (!f || !f->running)
    return 0;
  pthread_join(f->thread, NULL);
  f->running = 0;
  return f->rc;
}

/* Hands the pending documents to the library: at once, or, with async,
 * on a thread that adds them while the caller goes on parsing the next
 * batch (whose reading thus overlaps the library's). */
static int flush(reader_state *st) {
  if (wait_feed(st))
    return -1;
  if (!st->feed && !(st->feed = calloc(1, sizeof *st->feed))) {
    fputs("avis: out of memory\n", stderr);
    return -1;
  }
  struct batch_feed *f = st->feed;
  if (!st->batch.npending)
    return 0;
  f->st = st;
  f->batches++;
  swap_batch(st, &f->batch);
  if (st->async &&
      pthread_create(&f->thread, NULL, feed_batch, f) == 0) {
    f->running = 1;
    return 0;
  }
  return add_batch(st, &f->batch);
}

/* The size of the batch being filled. */
static size_t batch_docs(const reader_state *st) {
  size_t done = st->feed ? st->feed->batches : 0;
  return done >= 3 ? BATCH_DOCS : (size_t)FIRST_BATCH_DOCS << done;
}

/* Queues one document, adding the queue to the corpus when it is full. */
static int add(reader_state *st, const char *text, size_t len,
               const char *const *labels, size_t n) {
  batch_buffers *b = &st->batch;
  if (!st->labelled)
    n = 0;
  if (grow((void **)&b->pending, &b->pending_cap, b->npending + 1,
           sizeof *b->pending) ||
      grow((void **)&b->label_at, &b->label_at_cap, b->nlabel_at + n,
           sizeof *b->label_at)) {
    fputs("avis: out of memory\n", stderr);
    return -1;
  }
  struct pending_doc *p = &b->pending[b->npending];
  p->len = len;
  p->label = b->nlabel_at;
  p->nlabels = n;
  p->weight = st->weight;
  int rc = keep_bytes(b, text, len, &p->text);
  for (size_t i = 0; !rc && i < n; i++)
    rc = keep_bytes(b, labels[i], strlen(labels[i]),
                    &b->label_at[b->nlabel_at++]);
  if (rc) {
    fputs("avis: out of memory\n", stderr);
    return -1;
  }
  b->npending++;
  if (b->npending >= batch_docs(st) || b->nbytes >= BATCH_BYTES)
    return flush(st);
  return 0;
}

void reader_state_release(reader_state *st) {
  wait_feed(st);
  if (st->feed) {
    release_batch(&st->feed->batch);
    free(st->feed);
    st->feed = NULL;
  }
  release_batch(&st->batch);
}

/* Splits "a,b" in place into labels. */
static size_t split_labels(char *s, const char **labels) {
  size_t n = 0;
  for (char *p = s; *p && n < MAX_DOC_LABELS;) {
    char *comma = strchr(p, ',');
    if (comma)
      *comma = '\0';
    if (*p)
      labels[n++] = p;
    if (!comma)
      break;
    p = comma + 1;
  }
  return n;
}

static void chomp(char *line, ssize_t *len) {
  while (*len > 0 && (line[*len - 1] == '\n' || line[*len - 1] == '\r'))
    line[--*len] = '\0';
}

static int read_tsv_line(reader_state *st, char *line, ssize_t len) {
  char *tab = memchr(line, '\t', (size_t)len);
  if (!tab)
    return add(st, line, (size_t)len, NULL, 0);
  *tab = '\0';
  const char *labels[MAX_DOC_LABELS];
  size_t n = split_labels(line, labels);
  return add(st, tab + 1, (size_t)(line + len - tab - 1), labels, n);
}

/* The text fields (comma-separated names) joined by blank lines. */
static int json_text(const json_t *doc, const char *fields, char **out,
                     size_t *len) {
  size_t cap = 0, n = 0;
  char *buf = NULL;
  const char *f = fields;
  while (*f) {
    const char *comma = strchr(f, ',');
    size_t flen = comma ? (size_t)(comma - f) : strlen(f);
    char name[128];
    if (flen < sizeof name) {
      memcpy(name, f, flen);
      name[flen] = '\0';
      const json_t *v = json_object_get(doc, name);
      if (json_is_string(v)) {
        size_t vlen = json_string_length(v);
        if (n + vlen + 3 > cap) {
          cap = 2 * (n + vlen + 3);
          char *grown = realloc(buf, cap);
          if (!grown) {
            free(buf);
            return -1;
          }
          buf = grown;
        }
        if (n)
          memcpy(buf + n, "\n\n", 2), n += 2;
        memcpy(buf + n, json_string_value(v), vlen);
        n += vlen;
      }
    }
    f += flen + (comma ? 1 : 0);
  }
  *out = buf;
  *len = n;
  return 0;
}

static int read_json_line(reader_state *st, const char *line, size_t lineno,
                          const char *path) {
  json_error_t err;
  json_t *doc = json_loads(line, JSON_REJECT_DUPLICATES, &err);
  if (!json_is_object(doc)) {
    fprintf(stderr, "avis: %s:%zu: not a JSON object: %s\n", path, lineno,
            err.text);
    json_decref(doc);
    return -1;
  }
  const char *labels[MAX_DOC_LABELS];
  size_t n = 0;
  const json_t *lab = json_object_get(doc, st->labels_field);
  if (json_is_string(lab))
    labels[n++] = json_string_value(lab);
  for (size_t i = 0; json_is_array(lab) && i < json_array_size(lab) &&
                     n < MAX_DOC_LABELS; i++)
    if (json_is_string(json_array_get(lab, i)))
      labels[n++] = json_string_value(json_array_get(lab, i));
  char *text = NULL;
  size_t len = 0;
  int rc = json_text(doc, st->text_fields, &text, &len);
  if (rc)
    fprintf(stderr, "avis: out of memory\n");
  else if (len)
    rc = add(st, text, len, labels, n);
  else
    st->skipped++;
  free(text);
  json_decref(doc);
  return rc;
}

static int read_lines(reader_state *st, const char *path, input_format fmt) {
  FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "avis: %s: %s\n", path, strerror(errno));
    return -1;
  }
  /* A corpus is read in large blocks: tens of megabytes in 4 KiB reads
   * cost thousands of system calls. */
  setvbuf(f, NULL, _IOFBF, LINE_BUFFER);
  char *line = NULL;
  size_t cap = 0, lineno = 0;
  ssize_t len;
  int rc = 0;
  while (!rc && (len = getline(&line, &cap, f)) >= 0) {
    lineno++;
    chomp(line, &len);
    if (len == 0)
      continue;
    if (fmt == INPUT_JSONL)
      rc = read_json_line(st, line, lineno, path);
    else if (fmt == INPUT_TSV)
      rc = read_tsv_line(st, line, len);
    else
      rc = add(st, line, (size_t)len, NULL, 0);
  }
  free(line);
  if (f != stdin)
    fclose(f);
  return rc;
}

static int read_file(reader_state *st, const char *path, const char *label) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "avis: %s: %s\n", path, strerror(errno));
    return -1;
  }
  char *buf = NULL;
  size_t len = 0, cap = 0, got;
  int rc = 0;
  do {
    if (len + 65536 > cap) {
      char *grown = realloc(buf, cap = 2 * (len + 65536));
      if (!grown) {
        rc = -1;
        break;
      }
      buf = grown;
    }
    got = fread(buf + len, 1, cap - len, f);
    len += got;
  } while (got > 0);
  fclose(f);
  if (!rc)
    rc = label ? add(st, buf, len, &label, 1) : add(st, buf, len, NULL, 0);
  free(buf);
  return rc;
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Entries of a directory, sorted so that reading order is reproducible. */
static char **list_dir(const char *path, size_t *n) {
  DIR *d = opendir(path);
  char **names = NULL;
  size_t cap = 0;
  *n = 0;
  if (!d)
    return NULL;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    if (*n == cap) {
      char **grown = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof *grown);
      if (!grown)
        break;
      names = grown;
    }
    names[*n] = strdup(e->d_name);
    if (names[*n])
      (*n)++;
  }
  closedir(d);
  if (names)
    qsort(names, *n, sizeof *names, compare_names);
  return names;
}

static char *join(const char *dir, const char *name) {
  size_t a = strlen(dir), b = strlen(name);
  char *p = malloc(a + b + 2);
  if (p) {
    memcpy(p, dir, a);
    p[a] = '/';
    memcpy(p + a + 1, name, b + 1);
  }
  return p;
}

/* A labelled directory has a subdirectory per label; an unlabelled one, or
 * a label's, holds one document per file. */
static int read_directory(reader_state *st, const char *path,
                          const char *label) {
  size_t n;
  char **names = list_dir(path, &n);
  if (!names && n == 0 && !is_directory(path)) {
    fprintf(stderr, "avis: %s: cannot list the directory\n", path);
    return -1;
  }
  int rc = 0;
  for (size_t i = 0; i < n; i++) {
    char *full = join(path, names[i]);
    if (!rc && full) {
      if (is_directory(full))
        rc = !label && st->labelled ? read_directory(st, full, names[i]) : 0;
      else
        rc = read_file(st, full, label);
    }
    free(full);
    free(names[i]);
  }
  free(names);
  return rc;
}

int read_input(reader_state *st, const char *path) {
  input_format fmt = detect(path, st->format);
  size_t before = st->added;
  int rc;
  if (fmt == INPUT_DIRECTORY)
    rc = read_directory(st, path, NULL);
  else if (fmt == INPUT_TEXT)
    rc = strcmp(path, "-") == 0 ? read_lines(st, path, INPUT_LINES)
                                : read_file(st, path, NULL);
  else
    rc = read_lines(st, path, fmt);
  if (!rc)
    rc = flush(st);
  if (wait_feed(st))
    rc = -1;
  if (!rc)
    fprintf(stderr, "avis: %s: %zu %s documents\n", path, st->added - before,
            st->labelled ? "labelled" : "unlabelled");
  return rc;
}

int parse_input_format(const char *s, input_format *out) {
  static const char *const names[] = {"auto", "jsonl", "tsv", "text", "lines"};
  static const input_format values[] = {INPUT_AUTO, INPUT_JSONL, INPUT_TSV,
                                        INPUT_TEXT, INPUT_LINES};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (strcmp(s, names[i]) == 0) {
      *out = values[i];
      return 0;
    }
  return -1;
}
