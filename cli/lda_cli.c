/* Reading corpora for the LDA commands: the readers of the naive Bayes
 * trainer (train_data.c), and pre-tokenised text. */
#define _POSIX_C_SOURCE 200809L
#include "lda_cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "train_cli.h"

int lda_parse_format(const char *s, lda_input *in) {
  if (strcmp(s, "tokens") == 0) {
    in->tokens = 1;
    return 0;
  }
  in->tokens = 0;
  return parse_input_format(s, &in->format);
}

/* One document a line, tokens as they are; empty lines are skipped. */
static int read_tokens(avis_corpus *c, const char *path) {
  FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "avis: %s: %s\n", path, strerror(errno));
    return -1;
  }
  char *line = NULL;
  size_t cap = 0, lineno = 0, added = 0;
  ssize_t len;
  int rc = 0;
  while (!rc && (len = getline(&line, &cap, f)) >= 0) {
    lineno++;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
      len--;
    int err = avis_corpus_add_tokens(c, line, (size_t)len);
    if (err && err != AVIS_ERR_EMPTY) {
      fprintf(stderr, "avis: %s:%zu: %s\n", path, lineno, avis_last_error());
      rc = -1;
    }
    added += !err;
  }
  free(line);
  if (f != stdin)
    fclose(f);
  if (!rc)
    fprintf(stderr, "avis: %s: %zu pre-tokenised documents\n", path, added);
  return rc;
}

int lda_read_corpus(const lda_input *in, int n, char **paths,
                    avis_model **model, avis_corpus **out) {
  *out = NULL;
  if (!(*model = train_cli_stopwords_model(in->data_dir)))
    return AVIS_EXIT_DATA;
  if (avis_corpus_new(out, *model) ||
      avis_corpus_set_terms(*out, in->tokens ? AVIS_TERMS_TOKENS : in->terms)) {
    fprintf(stderr, "avis: %s\n", avis_last_error());
    return AVIS_EXIT_DATA;
  }
  reader_state st = {.corpus = *out, .format = in->format, .labelled = 0,
                     .text_fields = in->text_fields, .labels_field = "labels",
                     .weight = 1.0};
  for (int i = 0; i < n; i++)
    if (in->tokens ? read_tokens(*out, paths[i]) : read_input(&st, paths[i])) {
      reader_state_release(&st);
      return AVIS_EXIT_INPUT;
    }
  reader_state_release(&st);
  if (st.skipped)
    fprintf(stderr, "avis: %zu empty or unreadable documents skipped\n",
            st.skipped);
  if (avis_corpus_size(*out) == 0) {
    fputs("avis: no document to work on\n", stderr);
    return AVIS_EXIT_INPUT;
  }
  return 0;
}
