/* `avis train lda`: an LDA topic model from unlabelled documents. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "lda_cli.h"

static void usage(FILE *out) {
  fputs(
      "Usage: avis train lda [OPTIONS] -o MODEL INPUT...\n"
      "Discover the topics of unlabelled documents (LDA, collapsed Gibbs\n"
      "sampling) and write a model for 'avis topics' and 'analyze --lda'.\n"
      "\n"
      "Inputs: the formats of 'avis train nb' (directory, .jsonl, .tsv, text)\n"
      "or, with --format tokens, pre-tokenised text: one document a line,\n"
      "tokens separated by spaces and used as they are.\n"
      "\n"
      "Options:\n"
      "  -k, --topics N        number of topics (default 50)\n"
      "  -n, --iterations N    Gibbs sweeps (default 200)\n"
      "  -j, --threads N       sampling threads (default: every core)\n"
      "  --seed N              random seed (default 1); same seed and threads,\n"
      "                        same model\n"
      "  --alpha A             total of the document-topic prior (default 5)\n"
      "  --beta B              topic-word prior (default 0.01)\n"
      "  --optimize N          learn the document-topic prior every N\n"
      "                        iterations (default 10; 0: keep it symmetric)\n"
      "  --burn-in N           iterations before the first update (default 50)\n"
      "  --seed-words FILE     steer topic i with the seed words of the i-th\n"
      "                        '[id] Name' of FILE\n"
      "  --seed-weight N       pseudo-counts a seed word adds to its topic\n"
      "  --terms T             stems (default) or forms (words, not stemmed)\n"
      "  --min-df N            keep terms in N documents or more (default 5)\n"
      "  --max-df F            drop terms in more than F of them (default 0.5)\n"
      "  --max-terms N         keep at most N terms, the most widespread\n"
      "  --min-count N         save counts of N or more (default 2)\n"
      "  --top-words N         save at most N terms per topic (default all)\n"
      "  --format F            auto, jsonl, tsv, text, lines or tokens\n"
      "  --text-field LIST     JSON fields joined as the text (default text)\n"
      "  --data-dir DIR        data directory (stop words)\n"
      "  --export-tokens FILE  write the documents, restricted to the\n"
      "                        vocabulary, as pre-tokenised text, and stop\n"
      "  --describe TEXT       description of the data, kept in the model\n"
      "  --date DATE           date kept in the model (default: today, UTC)\n"
      "  -o, --output FILE     the model file to write\n"
      "  -h, --help            show this help\n",
      out);
}

enum {
  OPT_SEED = 400, OPT_ALPHA, OPT_BETA, OPT_OPTIMIZE, OPT_BURN_IN,
  OPT_SEED_WORDS, OPT_SEED_WEIGHT, OPT_TERMS, OPT_MIN_DF, OPT_MAX_DF,
  OPT_MAX_TERMS, OPT_MIN_COUNT, OPT_TOP_WORDS, OPT_FORMAT, OPT_TEXT_FIELD,
  OPT_DATA_DIR, OPT_EXPORT, OPT_DESCRIBE, OPT_DATE
};

static const struct option long_options[] = {
    {"topics", required_argument, NULL, 'k'},
    {"iterations", required_argument, NULL, 'n'},
    {"threads", required_argument, NULL, 'j'},
    {"output", required_argument, NULL, 'o'},
    {"help", no_argument, NULL, 'h'},
    {"seed", required_argument, NULL, OPT_SEED},
    {"alpha", required_argument, NULL, OPT_ALPHA},
    {"beta", required_argument, NULL, OPT_BETA},
    {"optimize", required_argument, NULL, OPT_OPTIMIZE},
    {"burn-in", required_argument, NULL, OPT_BURN_IN},
    {"seed-words", required_argument, NULL, OPT_SEED_WORDS},
    {"seed-weight", required_argument, NULL, OPT_SEED_WEIGHT},
    {"terms", required_argument, NULL, OPT_TERMS},
    {"min-df", required_argument, NULL, OPT_MIN_DF},
    {"max-df", required_argument, NULL, OPT_MAX_DF},
    {"max-terms", required_argument, NULL, OPT_MAX_TERMS},
    {"min-count", required_argument, NULL, OPT_MIN_COUNT},
    {"top-words", required_argument, NULL, OPT_TOP_WORDS},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"text-field", required_argument, NULL, OPT_TEXT_FIELD},
    {"data-dir", required_argument, NULL, OPT_DATA_DIR},
    {"export-tokens", required_argument, NULL, OPT_EXPORT},
    {"describe", required_argument, NULL, OPT_DESCRIBE},
    {"date", required_argument, NULL, OPT_DATE},
    {NULL, 0, NULL, 0}};

typedef struct {
  lda_input in;
  unsigned k, iterations, threads, optimize, burn_in, seed_weight;
  unsigned min_df, max_terms, min_count, top_words;
  double alpha, beta, max_df;
  unsigned long long seed;
  const char *seed_words, *output, *export_path, *describe, *date;
} settings;

static int parse_unsigned(const char *s, unsigned *out) {
  char *end;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (errno || *end || end == s || v > 1u << 30 || *s == '-')
    return -1;
  *out = (unsigned)v;
  return 0;
}

/* Numbers are read the C way whatever the locale: the CLI never calls
 * setlocale, so strtod reads '.' decimals. */
static int parse_double(const char *s, double *out) {
  char *end;
  *out = strtod(s, &end);
  return *end || end == s ? -1 : 0;
}

static int option(settings *s, int c, const char *arg) {
  switch (c) {
  case 'k': return parse_unsigned(arg, &s->k);
  case 'n': return parse_unsigned(arg, &s->iterations);
  case 'j': return parse_unsigned(arg, &s->threads);
  case 'o': s->output = arg; return 0;
  case OPT_SEED: {
    char *end;
    s->seed = strtoull(arg, &end, 10);
    return *end || end == arg ? -1 : 0;
  }
  case OPT_ALPHA: return parse_double(arg, &s->alpha);
  case OPT_BETA: return parse_double(arg, &s->beta);
  case OPT_OPTIMIZE: return parse_unsigned(arg, &s->optimize);
  case OPT_BURN_IN: return parse_unsigned(arg, &s->burn_in);
  case OPT_SEED_WORDS: s->seed_words = arg; return 0;
  case OPT_SEED_WEIGHT: return parse_unsigned(arg, &s->seed_weight);
  case OPT_TERMS:
    if (strcmp(arg, "stems") && strcmp(arg, "forms"))
      return -1;
    s->in.terms = strcmp(arg, "forms") == 0 ? AVIS_TERMS_FORMS : AVIS_TERMS_STEMS;
    return 0;
  case OPT_MIN_DF: return parse_unsigned(arg, &s->min_df);
  case OPT_MAX_DF: return parse_double(arg, &s->max_df);
  case OPT_MAX_TERMS: return parse_unsigned(arg, &s->max_terms);
  case OPT_MIN_COUNT: return parse_unsigned(arg, &s->min_count);
  case OPT_TOP_WORDS: return parse_unsigned(arg, &s->top_words);
  case OPT_FORMAT: return lda_parse_format(arg, &s->in);
  case OPT_TEXT_FIELD: s->in.text_fields = arg; return 0;
  case OPT_DATA_DIR: s->in.data_dir = arg; return 0;
  case OPT_EXPORT: s->export_path = arg; return 0;
  case OPT_DESCRIBE: s->describe = arg; return 0;
  case OPT_DATE: s->date = arg; return 0;
  }
  return -1;
}

static void print_progress(void *user, const char *message) {
  (void)user;
  fprintf(stderr, "  %s\n", message);
}

static char *joined_command(int argc, char **argv) {
  size_t n = 16;
  for (int i = 0; i < argc; i++)
    n += strlen(argv[i]) + 1;
  char *s = malloc(n);
  if (!s)
    return NULL;
  strcpy(s, "avis train");
  for (int i = 0; i < argc; i++) {
    strcat(s, " ");
    strcat(s, argv[i]);
  }
  return s;
}

static int make_options(const settings *s, const char *command,
                        avis_lda_options **out) {
  char today[32];
  if (!s->date) {
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
  }
  avis_lda_options *o = NULL;
  int rc = avis_lda_options_new(&o) || avis_lda_options_set_topics(o, s->k) ||
           avis_lda_options_set_iterations(o, s->iterations) ||
           avis_lda_options_set_threads(o, s->threads) ||
           avis_lda_options_set_seed(o, s->seed) ||
           avis_lda_options_set_priors(o, s->alpha, s->beta) ||
           avis_lda_options_set_optimize(o, s->optimize, s->burn_in) ||
           avis_lda_options_set_vocabulary(o, s->min_df, s->max_df,
                                           s->max_terms) ||
           avis_lda_options_set_pruning(o, s->min_count, s->top_words) ||
           avis_lda_options_set_provenance(o, command,
                                           s->describe ? s->describe : "",
                                           s->date ? s->date : today) ||
           avis_lda_options_set_progress(o, print_progress, NULL) ||
           (s->seed_words &&
            avis_lda_options_set_seed_words(o, s->seed_words, s->seed_weight));
  *out = o;
  return rc;
}

static void print_summary(const avis_lda *lda, const char *path, double secs) {
  fprintf(stderr, "avis: wrote %s: %zu topics, %zu terms, in %.1f s\n", path,
          avis_lda_topic_count(lda), avis_lda_term_count(lda), secs);
  for (size_t j = 0; j < avis_lda_topic_count(lda); j++) {
    const char *label;
    double share;
    avis_lda_topic(lda, j, &label, &share, NULL);
    fprintf(stderr, "  %3zu  %5.1f%%  %s\n", j, 100 * share, label);
  }
}

static double seconds_since(const struct timespec *t0) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (double)(t1.tv_sec - t0->tv_sec) +
         (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static int run(const settings *s, int n, char **inputs, const char *command) {
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  avis_model *model = NULL;
  avis_corpus *corpus = NULL;
  avis_lda_options *o = NULL;
  avis_lda *lda = NULL;
  int status = lda_read_corpus(&s->in, n, inputs, &model, &corpus);
  if (!status) {
    fprintf(stderr, "avis: read %zu documents in %.1f s\n",
            avis_corpus_size(corpus), seconds_since(&t0));
    int rc = make_options(s, command, &o);
    if (!rc && s->export_path)
      rc = avis_lda_export_tokens(corpus, o, s->export_path);
    else if (!rc)
      rc = avis_lda_train(&lda, corpus, o) || avis_lda_save(lda, s->output);
    if (rc) {
      fprintf(stderr, "avis train lda: %s\n", avis_last_error());
      status = AVIS_EXIT_DATA;
    } else if (lda) {
      print_summary(lda, s->output, seconds_since(&t0));
    }
  }
  avis_lda_free(lda);
  avis_lda_options_free(o);
  avis_corpus_free(corpus);
  avis_model_free(model);
  return status;
}

int cmd_train_lda(int argc, char **argv) {
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  settings s = {.in = {.format = INPUT_AUTO, .terms = AVIS_TERMS_STEMS,
                       .text_fields = "text"},
                .k = 50, .iterations = 200, .threads = cores > 0 ? (unsigned)cores : 1,
                .optimize = 10, .burn_in = 50, .min_df = 5, .min_count = 2,
                .alpha = 5.0, .beta = 0.01, .max_df = 0.5, .seed = 1};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "k:n:j:o:h", long_options, NULL)) != -1) {
    if (c == 'h') {
      usage(stdout);
      return AVIS_EXIT_OK;
    }
    if (c == '?' || option(&s, c, optarg)) {
      if (c != '?')
        fprintf(stderr, "avis train lda: bad value '%s'\n", optarg);
      usage(stderr);
      return AVIS_EXIT_USAGE;
    }
  }
  if (optind >= argc || (!s.output && !s.export_path)) {
    fputs("avis train lda: give -o MODEL and at least one INPUT\n", stderr);
    usage(stderr);
    return AVIS_EXIT_USAGE;
  }
  char *command = joined_command(argc, argv);
  if (!command)
    return AVIS_EXIT_DATA;
  int status = run(&s, argc - optind, argv + optind, command);
  free(command);
  return status;
}
