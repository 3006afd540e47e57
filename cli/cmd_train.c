/* `avis train nb`: trains a naive Bayes topic model or sentiment classifier
 * from labelled and unlabelled documents and a topic (seed) file. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "train_cli.h"

static void train_usage(FILE *out) {
  fputs(
      "Usage: avis train nb [OPTIONS] -o MODEL INPUT...\n"
      "Train a naive Bayes topic model (or, with --kind classes, a sentiment\n"
      "classifier) from labelled INPUTs, unlabelled text and seed words.\n"
      "\n"
      "Inputs (format from the name, or --format):\n"
      "  DIR                  a subdirectory per label, a file per document\n"
      "  FILE.tsv             label[,label...]<TAB>text lines\n"
      "  FILE.jsonl           JSON Lines with a labels array and a text\n"
      "  FILE                 one document (or '-' for lines on stdin)\n"
      "\n"
      "Options:\n"
      TRAIN_OPTIONS_HELP
      "  -o, --output FILE    the model file to write (required)\n"
      "  --describe TEXT      description of the data, kept in the model\n"
      "  --date DATE          training date kept in the model (default:\n"
      "                       $SOURCE_DATE_EPOCH, else today, UTC)\n"
      "  -h, --help           show this help\n",
      out);
}

static void print_progress(void *user, const char *message) {
  (void)user;
  fprintf(stderr, "  %s\n", message);
}

/* The date recorded in the model: given, else $SOURCE_DATE_EPOCH (so that
 * rebuilding a model gives the same bytes), else today. */
static void training_date(const char *given, char *buf, size_t size) {
  if (given) {
    snprintf(buf, size, "%s", given);
    return;
  }
  const char *epoch = getenv("SOURCE_DATE_EPOCH");
  time_t t = epoch && *epoch ? (time_t)strtoll(epoch, NULL, 10) : time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, size, "%Y-%m-%d", &tm);
}

/* The arguments given to -j or --threads, as getopt handed them over:
 * pointers into argv, which getopt reorders but never copies. */
#define MAX_THREAD_ARGS 16
typedef struct {
  const char *arg[MAX_THREAD_ARGS];
  size_t n;
} thread_args;

/* 1 when argv[i] holds a thread count: 2 when it is the whole argument
 * (after -j or --threads), 1 when it is attached (-j2, --threads=2). */
static int holds_thread_count(const thread_args *ta, const char *a) {
  for (size_t k = 0; k < ta->n; k++)
    if (ta->arg[k] == a)
      return 2;
    else if (ta->arg[k] > a && ta->arg[k] <= a + strlen(a))
      return 1;
  return 0;
}

/* The command recorded in the model, without the thread count: it does
 * not change the model, so leaving it out gives the same file whatever
 * the number of threads. */
static char *joined_command(int argc, char **argv, const thread_args *ta) {
  size_t n = 8;
  char *skip = calloc((size_t)argc + 1, 1);
  for (int i = 0; skip && i < argc; i++) {
    n += strlen(argv[i]) + 1;
    int h = holds_thread_count(ta, argv[i]);
    if (h)
      skip[i] = 1;
    if (h == 2 && i > 0)
      skip[i - 1] = 1;
  }
  char *s = skip ? malloc(n) : NULL;
  if (s) {
    strcpy(s, "avis");
    for (int i = 0; i < argc; i++)
      if (!skip[i]) {
        strcat(s, " ");
        strcat(s, argv[i]);
      }
  }
  free(skip);
  return s;
}

static void print_summary(const avis_classifier *cl, const char *path,
                          double seconds) {
  fprintf(stderr, "avis: wrote %s: %zu labels, %zu terms, in %.1f s\n", path,
          avis_classifier_label_count(cl), avis_classifier_term_count(cl),
          seconds);
  for (size_t i = 0; i < avis_classifier_label_count(cl); i++) {
    const char *id, *name;
    double threshold;
    avis_classifier_label(cl, i, &id, &name, &threshold);
    fprintf(stderr, "  %-14s %-28s tag from %.3f\n", id, name, threshold);
  }
}

static int train_and_save(train_cli *t, avis_corpus *corpus, int argc,
                          char **argv, const thread_args *ta,
                          const char *output) {
  char date[64];
  training_date(t->date, date, sizeof date);
  char *command = joined_command(argc, argv, ta);
  avis_classifier *cl = NULL;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int rc = command ? train_cli_options(t) : -1;
  if (!rc)
    rc = avis_train_options_set_provenance(t->opts, command,
                                           t->describe ? t->describe : "", date) ||
         avis_train_options_set_progress(t->opts, print_progress, NULL) ||
         avis_classifier_train(&cl, corpus, t->opts) ||
         avis_classifier_save(cl, output);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (rc)
    fprintf(stderr, "avis train: %s\n", avis_last_error());
  else
    print_summary(cl, output, (double)(t1.tv_sec - t0.tv_sec) +
                                  (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
  avis_classifier_free(cl);
  free(command);
  return rc ? AVIS_EXIT_DATA : AVIS_EXIT_OK;
}

int cmd_train(int argc, char **argv) {
  if (argc < 2 || strcmp(argv[1], "nb") != 0) {
    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 ||
                      strcmp(argv[1], "--help") == 0)) {
      train_usage(stdout);
      return AVIS_EXIT_OK;
    }
    fputs("avis train: name the model type: 'avis train nb ...'\n", stderr);
    train_usage(stderr);
    return AVIS_EXIT_USAGE;
  }
  train_cli t;
  train_cli_init(&t);
  const char *output = NULL;
  thread_args ta = {{NULL}, 0};
  int c, status = -1;
  optind = 1;
  while (status < 0 &&
         (c = getopt_long(argc - 1, argv + 1, "ho:j:", train_cli_long_options,
                          NULL)) != -1) {
    if ((c == 'j' || c == TOPT_THREADS) && ta.n < MAX_THREAD_ARGS)
      ta.arg[ta.n++] = optarg;
    if (c == 'o')
      output = optarg;
    else if (c == 'h')
      status = (train_usage(stdout), AVIS_EXIT_OK);
    else if (train_cli_option(&t, c, optarg))
      status = (train_usage(stderr), AVIS_EXIT_USAGE);
  }
  if (status < 0 && (!output || optind >= argc - 1)) {
    fputs("avis train: needs -o MODEL and at least one INPUT\n", stderr);
    status = AVIS_EXIT_USAGE;
  }
  avis_corpus *corpus = NULL;
  if (status < 0)
    status = train_cli_read(&t, argc - 1 - optind, argv + 1 + optind, NULL,
                            NULL, &corpus);
  if (status < 0)
    status = train_and_save(&t, corpus, argc, argv, &ta, output);
  avis_corpus_free(corpus);
  train_cli_release(&t);
  return status;
}
