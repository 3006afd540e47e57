/* Sentiment accuracy and throughput driver; uses only the public API.
 *
 *   eval_sentiment DATA_DIR FILE               one line per document:
 *                                              gold<TAB>predicted<TAB>score
 *   eval_sentiment --throughput DATA_DIR FILE  documents, bytes, seconds
 *                                              and MB/s of avis_analyze()
 *
 * FILE holds one document a line as label<TAB>text (the label may be
 * empty). Predicted labels are written "neg", "neu" or "pos", as the
 * evaluation sets write them. bench/eval_sentiment.py compares them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "avis.h"

typedef struct {
  char *data;
  size_t len;
} text_file;

static int read_file(const char *path, text_file *f) {
  FILE *fp = fopen(path, "rb");
  if (!fp) {
    perror(path);
    return -1;
  }
  size_t cap = 1 << 20;
  f->data = malloc(cap);
  f->len = 0;
  size_t n;
  while (f->data && (n = fread(f->data + f->len, 1, cap - f->len, fp)) > 0) {
    f->len += n;
    if (f->len == cap) {
      char *grown = realloc(f->data, cap *= 2);
      if (!grown)
        free(f->data);
      f->data = grown;
    }
  }
  int bad = ferror(fp) || !f->data;
  fclose(fp);
  if (bad) {
    fprintf(stderr, "%s: read error or out of memory\n", path);
    free(f->data);
    return -1;
  }
  return 0;
}

/* Splits the next line off *p: its label and its text. */
static int next_line(char **p, char *end, const char **label,
                     const char **text, size_t *text_len) {
  if (*p >= end)
    return 0;
  char *line = *p;
  char *eol = memchr(line, '\n', (size_t)(end - line));
  if (!eol)
    eol = end;
  *p = eol + 1;
  char *stop = eol;
  if (stop > line && stop[-1] == '\r')
    stop--;
  *stop = '\0';
  char *tab = memchr(line, '\t', (size_t)(stop - line));
  *label = tab ? line : "";
  *text = tab ? tab + 1 : line;
  if (tab)
    *tab = '\0';
  *text_len = (size_t)(stop - *text);
  return 1;
}

static const char *short_label(avis_label l) {
  return l < 0 ? "neg" : l > 0 ? "pos" : "neu";
}

static double now(void) {
  struct timespec ts;
  timespec_get(&ts, TIME_UTC);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Analyses every line; prints predictions unless `quiet`. An empty text is
 * predicted neutral with score 0. */
static int run(avis_analyzer *an, text_file *f, int quiet, size_t *docs,
               size_t *bytes) {
  char *p = f->data, *end = f->data + f->len;
  const char *label, *text;
  size_t len;
  while (next_line(&p, end, &label, &text, &len)) {
    if (len == 0 && !*label)
      continue;
    avis_result *r = NULL;
    int rc = avis_analyze(an, text, len, &r);
    if (rc && rc != AVIS_ERR_EMPTY) {
      fprintf(stderr, "line %zu: %s: %s\n", *docs + 1, avis_strerror(rc),
              avis_last_error());
      return -1;
    }
    double score = r ? avis_result_score(r) : 0.0;
    avis_label pred = r ? avis_result_label(r) : AVIS_NEUTRAL;
    if (!quiet)
      printf("%s\t%s\t%.6f\n", label, short_label(pred), score);
    avis_result_free(r);
    (*docs)++;
    *bytes += len;
  }
  return 0;
}

static int usage(void) {
  fprintf(stderr, "usage: eval_sentiment [--throughput] DATA_DIR FILE\n");
  return 2;
}

int main(int argc, char **argv) {
  int throughput = argc > 1 && strcmp(argv[1], "--throughput") == 0;
  if (argc != 3 + throughput)
    return usage();
  const char *data_dir = argv[1 + throughput];
  const char *path = argv[2 + throughput];

  text_file f;
  if (read_file(path, &f))
    return 1;
  avis_model_options *opts = NULL;
  avis_model *model = NULL;
  avis_analyzer *an = NULL;
  double t0 = now();
  int rc = avis_model_options_new(&opts);
  if (!rc)
    rc = avis_model_options_set_data_dir(opts, data_dir);
  if (!rc)
    rc = avis_model_load(&model, opts);
  if (!rc)
    rc = avis_analyzer_new(&an, model);
  if (rc) {
    fprintf(stderr, "eval_sentiment: %s: %s\n", avis_strerror(rc),
            avis_last_error());
    free(f.data);
    avis_model_options_free(opts);
    avis_model_free(model);
    return 1;
  }
  double t1 = now();
  size_t docs = 0, bytes = 0;
  int failed = run(an, &f, throughput, &docs, &bytes);
  double t2 = now();
  if (!failed && throughput)
    printf("documents %zu\nbytes %zu\nload_seconds %.3f\nseconds %.3f\n"
           "mb_per_s %.2f\n",
           docs, bytes, t1 - t0, t2 - t1,
           (double)bytes / 1e6 / (t2 - t1 > 0 ? t2 - t1 : 1e-9));
  avis_analyzer_free(an);
  avis_model_free(model);
  avis_model_options_free(opts);
  free(f.data);
  return failed ? 1 : 0;
}
