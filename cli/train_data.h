/* Reading labelled and unlabelled documents for `train` and `evaluate`. */
#ifndef AVIS_CLI_TRAIN_DATA_H
#define AVIS_CLI_TRAIN_DATA_H

#include <stddef.h>
#include <stdio.h>

#include "avis_train.h"

typedef enum {
  INPUT_AUTO,      /* by name: directory, *.jsonl, *.tsv, else text */
  INPUT_DIRECTORY, /* a subdirectory per label, a file per document */
  INPUT_JSONL,     /* one JSON object a line: labels and text fields */
  INPUT_TSV,       /* label[,label...]<TAB>text, one document a line */
  INPUT_TEXT,      /* the whole file is one document */
  INPUT_LINES      /* one document a line */
} input_format;

/* Documents waiting to be added together (avis_corpus_add_batch()): their
 * texts and labels are copied, NUL-terminated, into `bytes`. */
typedef struct {
  char *bytes;
  size_t nbytes, bytes_cap;
  struct pending_doc {
    size_t text, len;       /* offset and length of the text in bytes */
    size_t label, nlabels;  /* first and count in label_at */
    double weight;
  } *pending;
  size_t npending, pending_cap;
  size_t *label_at;         /* offsets of labels in bytes */
  size_t nlabel_at, label_at_cap;
} batch_buffers;

typedef struct {
  avis_corpus *corpus;
  input_format format;
  int labelled;              /* 0: labels in the input are ignored */
  const char *text_fields;   /* JSON: comma-separated fields joined as text */
  const char *labels_field;  /* JSON: array of strings, or one string */
  double weight;             /* of each document read */
  /* Called for every document added, with its labels. */
  void (*on_doc)(void *user, const char *const *labels, size_t n);
  void *user;
  size_t added, skipped;
  batch_buffers batch;      /* the batch being filled */
  /* With async, a full batch is added on a thread of its own while the
   * next one fills (train_data.c). */
  int async;
  struct batch_feed *feed;
} reader_state;

/* Reads one input (a path, or '-' for standard input) into the corpus,
 * reporting on stderr. 0, or -1 after printing the error. */
int read_input(reader_state *st, const char *path);
/* Releases what reading keeps between inputs. */
void reader_state_release(reader_state *st);

/* "auto", "jsonl", "tsv", "text" or "lines". 0 or -1. */
int parse_input_format(const char *s, input_format *out);

#endif
