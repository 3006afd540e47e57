/* Shared pieces of the avis command-line program. It uses only the public
 * header: anything it needs from the library is public API. */
#ifndef AVIS_CLI_H
#define AVIS_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "avis.h"

/* Exit statuses, documented in `avis --help` and docs/cli.md. */
enum {
  AVIS_EXIT_OK = 0,
  AVIS_EXIT_INPUT = 1,  /* at least one input could not be analysed */
  AVIS_EXIT_USAGE = 2,  /* bad command line */
  AVIS_EXIT_DATA = 3,   /* data files (lexicons) could not be loaded */
  AVIS_EXIT_OUTPUT = 4  /* writing the output failed */
};

int cmd_analyze(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_evaluate(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_data_image(int argc, char **argv);

/* The data directory: `explicit` if given, else $AVIS_DATA_DIR, else the
 * installed one (avis_default_data_dir()), else the source tree (a program
 * run from its build tree). NULL when none holds the default lexicon. */
const char *cli_find_data_dir(const char *explicit_dir);

/* Text report of one analysis (report_text.c). */
void report_text(FILE *out, const char *name, const avis_result *r,
                 const avis_model *model, int show_tokens);

/* HTML reports (report_html.c): self-contained pages, inline CSS and SVG,
 * no script. They return 0, or -1 when out of memory or writing failed. */
int report_html(FILE *out, const char *name, const avis_result *r);

/* A batch summary page: documents are added as they are analysed (in
 * output order), the page is written at the end. */
typedef struct html_batch html_batch;
typedef struct {
  const char *name;
  const char *error; /* why it could not be analysed; NULL when it was */
  avis_label label;
  double score;
  uint64_t topics;   /* bit i: topic i of the topic model was tagged */
} html_doc;
/* `topic_model` (may be NULL) names the topics; it must outlive the batch. */
html_batch *html_batch_new(const avis_classifier *topic_model);
int html_batch_add(html_batch *b, const html_doc *doc);
int html_batch_write(const html_batch *b, FILE *out);
void html_batch_free(html_batch *b);

/* The same pages in memory (malloc'ed; NULL when out of memory), for the
 * batch workers: the report of a document, and the page of an input that
 * could not be analysed. */
char *report_html_string(const char *name, const avis_result *r, size_t *len);
char *report_html_error_string(const char *name, const char *code,
                               const char *message, size_t *len);
char *html_batch_string(const html_batch *b, size_t *len);

/* report.css, embedded at build time. */
extern const char avis_report_css[];
extern const size_t avis_report_css_len;

#endif
