/* Options shared by `avis train` and `avis evaluate --cv`: how documents
 * are read and how the classifier is trained. */
#ifndef AVIS_CLI_TRAIN_CLI_H
#define AVIS_CLI_TRAIN_CLI_H

#include <getopt.h>

#include "avis_train.h"
#include "train_data.h"

#define MAX_UNLABELLED 64
#define MAX_INPUTS 256

typedef struct {
  avis_classifier_kind kind;
  const char *topics, *data_dir, *describe, *date;
  const char *unlabelled[MAX_UNLABELLED];
  size_t nunlabelled;
  input_format format;
  const char *text_fields, *labels_field;
  double smoothing, unlabelled_weight;
  double weights[MAX_INPUTS]; /* per labelled input, from --weight */
  size_t nweights;
  unsigned long long seed;
  unsigned em, min_df, max_terms, features, threads;
  int variant;
  avis_model *model;
  avis_train_options *opts;
} train_cli;

enum {
  TOPT_KIND = 300, TOPT_TOPICS, TOPT_UNLABELLED, TOPT_FORMAT, TOPT_TEXT_FIELD,
  TOPT_LABELS_FIELD, TOPT_SEED, TOPT_SMOOTHING, TOPT_EM, TOPT_UNLABELLED_WEIGHT,
  TOPT_MIN_DF, TOPT_MAX_TERMS, TOPT_VARIANT, TOPT_FEATURES, TOPT_DATA_DIR,
  TOPT_DESCRIBE, TOPT_DATE, TOPT_WEIGHT, TOPT_THREADS
};

#define TRAIN_LONG_OPTIONS                                              \
  {"kind", required_argument, NULL, TOPT_KIND},                         \
  {"topics", required_argument, NULL, TOPT_TOPICS},                     \
  {"unlabelled", required_argument, NULL, TOPT_UNLABELLED},             \
  {"format", required_argument, NULL, TOPT_FORMAT},                     \
  {"text-field", required_argument, NULL, TOPT_TEXT_FIELD},             \
  {"labels-field", required_argument, NULL, TOPT_LABELS_FIELD},         \
  {"seed", required_argument, NULL, TOPT_SEED},                         \
  {"smoothing", required_argument, NULL, TOPT_SMOOTHING},               \
  {"em", required_argument, NULL, TOPT_EM},                             \
  {"unlabelled-weight", required_argument, NULL, TOPT_UNLABELLED_WEIGHT}, \
  {"min-df", required_argument, NULL, TOPT_MIN_DF},                     \
  {"max-terms", required_argument, NULL, TOPT_MAX_TERMS},               \
  {"variant", required_argument, NULL, TOPT_VARIANT},                   \
  {"features", required_argument, NULL, TOPT_FEATURES},                 \
  {"data-dir", required_argument, NULL, TOPT_DATA_DIR},                 \
  {"describe", required_argument, NULL, TOPT_DESCRIBE},                 \
  {"date", required_argument, NULL, TOPT_DATE},                         \
  {"weight", required_argument, NULL, TOPT_WEIGHT},                     \
  {"threads", required_argument, NULL, TOPT_THREADS}

#define TRAIN_OPTIONS_HELP                                                   \
  "  --kind K             topics (default: shares, several tags) or classes\n" \
  "                       (one label, e.g. pos/neg sentiment)\n"              \
  "  --topics FILE        topic definitions: '[id] Name' then seed words\n"   \
  "  --unlabelled INPUT   unlabelled documents for EM (repeatable)\n"         \
  "  --format F           auto, jsonl, tsv, text, lines (default auto)\n"     \
  "  --text-field LIST    JSON fields joined as the text (default text)\n"    \
  "  --labels-field NAME  JSON field with the labels (default labels)\n"      \
  "  --seed N             seed of every split (default 1)\n"                  \
  "  --smoothing A        pseudo-counts per term (default: cross-validated)\n" \
  "  --em N               EM iterations (default 4)\n"                        \
  "  --unlabelled-weight W weight of an unlabelled document (default 0.3)\n"  \
  "  --min-df N           keep terms in N documents or more (default 3)\n"    \
  "  --max-terms N        keep at most N terms, the most frequent\n"          \
  "  --variant V          auto, nb or cnb (complement) (default auto)\n"      \
  "  --features F         log-l2 (default), log, l2 or counts\n"              \
  "  --data-dir DIR       data directory (stop words)\n"                    \
  "  --weight LIST        weights of the labelled INPUTs, comma-separated,\n" \
  "                       in order (default 1 each)\n"                    \
  "  -j, --threads N      threads reading and training (default: every\n" \
  "                       core); the model is the same for any N\n"

extern const struct option train_cli_long_options[];

/* A model holding only what reading training text needs (the stop words
 * and modifier lists of the data directory); NULL after printing why. */
avis_model *train_cli_stopwords_model(const char *data_dir);

void train_cli_init(train_cli *t);
void train_cli_release(train_cli *t);
/* Handles one option; 0, or -1 after printing why it is wrong. */
int train_cli_option(train_cli *t, int c, const char *arg);
/* Creates t->opts from the options. 0 or -1. */
int train_cli_options(train_cli *t);
/* Loads the model (stop words) and reads the labelled inputs, then the
 * unlabelled ones, into a new corpus. Returns -1 to go on, else an exit
 * status. */
int train_cli_read(train_cli *t, int n, char **inputs,
                   void (*on_doc)(void *, const char *const *, size_t),
                   void *user, avis_corpus **out);

#endif
