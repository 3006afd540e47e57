/* `avis analyze` / `analyze`: options, the model, and the run: files and
 * directories (batch.c) or a stream of lines (stream.c). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "cli.h"

#define MAX_JOBS 1024

typedef struct {
  int strict, no_default_lexicon;
  const char *data_dir;
  avis_model_options *model_opts;
  batch_opts run;
} analyze_opts;

static void analyze_usage(FILE *out) {
  fputs(
      "Usage: analyze [OPTIONS] FILE|DIR...\n"
      "       analyze --stream [--lines] [OPTIONS] < INPUT\n"
      "       avis analyze ...\n"
      "Analyse French text files ('-' reads standard input; directories are\n"
      "walked): sentiment, the words that drove it, key sentences, topics and\n"
      "document statistics.\n"
      "\n"
      "Output:\n"
      "  --format F           text, jsonl, csv, tsv or html (default: text\n"
      "                       for one file, jsonl for several or a\n"
      "                       directory); html: a self-contained page, a\n"
      "                       report for one input, a summary for several\n"
      "  --json               same as --format jsonl\n"
      "  --pretty             indent the JSON\n"
      "  --tokens             include the tokens (kind, stem, sentence)\n"
      "  --full               JSON records of several inputs or a stream: the\n"
      "                       whole result (drivers, sentences, key\n"
      "                       sentences), not only the document-level fields\n"
      "  -o, --output FILE    write to FILE (replaced only once complete)\n"
      "  -q, --quiet          no progress line, no summary\n"
      "  --summary-json FILE  write the summary of the run as JSON\n"
      "  --input-errors-ok    exit 0 even when some inputs failed (they are\n"
      "                       still reported as error records)\n"
      "Batch:\n"
      "  -j, --jobs N         worker threads (default: one per core)\n"
      "  --include GLOB       in directories, only files whose name matches\n"
      "                       (repeatable)\n"
      "  --exclude GLOB       in directories, skip files and folders whose\n"
      "                       name matches (repeatable)\n"
      "Stream (standard input to standard output, one record a line):\n"
      "  --stream             read JSON Lines: {\"id\": ..., \"text\": ...}\n"
      "  --lines              read one plain-text document a line\n"
      "  --id-field NAME      field holding the id (default id)\n"
      "  --text-field NAME    field holding the text (default text)\n"
      "Data:\n"
      "  --data-dir DIR       default data directory (else $AVIS_DATA_DIR,\n"
      "                       else the installed one)\n"
      "  --lexicon FILE       add a polarity lexicon (repeatable)\n"
      "  --lexicon-format F   format of the next --lexicon: auto, tsv, feel,\n"
      "                       vader (default auto)\n"
      "  --no-default-lexicon use only the lexicons given with --lexicon\n"
      "  --strict             reject a lexicon with any malformed line\n"
      "  --model FILE         topic model (default: models/topics-fr.avm in\n"
      "                       the data directory)\n"
      "  --no-topics          do not tag topics\n"
      "  --sentiment-model FILE  also report this supervised sentiment\n"
      "                       classifier's label ('avis train nb --kind classes')\n"
      "  --lda MODEL          also report the document's mixture of the topics\n"
      "                       of an LDA model ('avis train lda')\n"
      "Limits:\n"
      "  --max-bytes N        reject inputs larger than N bytes (default\n"
      "                       67108864; 0 = no limit)\n"
      "  --max-tokens N       analyse only the first N tokens of a document\n"
      "                       and mark it truncated (default 0 = no limit)\n"
      "Other:\n"
      "  -h, --help           show this help\n"
      "  -V, --version        show the version\n"
      "\n"
      "Exit status: 0 success, 1 an input could not be analysed, 2 usage\n"
      "error, 3 data files could not be loaded, 4 output error.\n",
      out);
}

enum {
  OPT_JSON = 256, OPT_PRETTY, OPT_TOKENS, OPT_DATA_DIR, OPT_LEXICON,
  OPT_LEXICON_FORMAT, OPT_NO_DEFAULT_LEXICON, OPT_STRICT, OPT_MAX_BYTES,
  OPT_MAX_TOKENS,
  OPT_MODEL, OPT_NO_TOPICS, OPT_SENTIMENT_MODEL, OPT_FORMAT,
  OPT_SUMMARY_JSON, OPT_INPUT_ERRORS_OK, OPT_INCLUDE, OPT_EXCLUDE, OPT_STREAM,
  OPT_LINES, OPT_ID_FIELD, OPT_TEXT_FIELD, OPT_LDA, OPT_FULL
};

static const struct option long_options[] = {
    {"json", no_argument, NULL, OPT_JSON},
    {"pretty", no_argument, NULL, OPT_PRETTY},
    {"tokens", no_argument, NULL, OPT_TOKENS},
    {"full", no_argument, NULL, OPT_FULL},
    {"data-dir", required_argument, NULL, OPT_DATA_DIR},
    {"lexicon", required_argument, NULL, OPT_LEXICON},
    {"lexicon-format", required_argument, NULL, OPT_LEXICON_FORMAT},
    {"no-default-lexicon", no_argument, NULL, OPT_NO_DEFAULT_LEXICON},
    {"strict", no_argument, NULL, OPT_STRICT},
    {"max-bytes", required_argument, NULL, OPT_MAX_BYTES},
    {"max-tokens", required_argument, NULL, OPT_MAX_TOKENS},
    {"model", required_argument, NULL, OPT_MODEL},
    {"no-topics", no_argument, NULL, OPT_NO_TOPICS},
    {"sentiment-model", required_argument, NULL, OPT_SENTIMENT_MODEL},
    {"lda", required_argument, NULL, OPT_LDA},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"output", required_argument, NULL, 'o'},
    {"quiet", no_argument, NULL, 'q'},
    {"summary-json", required_argument, NULL, OPT_SUMMARY_JSON},
    {"input-errors-ok", no_argument, NULL, OPT_INPUT_ERRORS_OK},
    {"jobs", required_argument, NULL, 'j'},
    {"include", required_argument, NULL, OPT_INCLUDE},
    {"exclude", required_argument, NULL, OPT_EXCLUDE},
    {"stream", no_argument, NULL, OPT_STREAM},
    {"lines", no_argument, NULL, OPT_LINES},
    {"id-field", required_argument, NULL, OPT_ID_FIELD},
    {"text-field", required_argument, NULL, OPT_TEXT_FIELD},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0}};

static int parse_format(const char *s, avis_lexicon_format *out) {
  static const char *const names[] = {"auto", "tsv", "feel", "vader"};
  for (int i = 0; i < 4; i++)
    if (strcmp(s, names[i]) == 0) {
      *out = (avis_lexicon_format)i;
      return 0;
    }
  return -1;
}

static int parse_size(const char *s, size_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s || *end || *s == '-')
    return -1;
  *out = (size_t)v;
  return 0;
}

/* A --max-* option's count; 0, or -1 after saying what is wrong. */
static int parse_limit(const char *option, const char *unit, size_t *out) {
  if (parse_size(optarg, out) == 0)
    return 0;
  fprintf(stderr, "analyze: --%s needs a %s count, not '%s'\n", option, unit,
          optarg);
  return -1;
}

static int parse_jobs(const char *s, unsigned *out) {
  size_t n;
  if (parse_size(s, &n) || n < 1 || n > MAX_JOBS) {
    fprintf(stderr, "analyze: --jobs needs a number from 1 to %d, not '%s'\n",
            MAX_JOBS, s);
    return -1;
  }
  *out = (unsigned)n;
  return 0;
}

/* Options of the run (batch.h). Returns 0, 1 when `c` is not one of
 * them, or -1 on a bad value (reported). */
static int parse_run_option(int c, batch_opts *run) {
  switch (c) {
  case OPT_JSON: run->format = FORMAT_JSONL; return 0;
  case OPT_PRETTY: run->pretty = 1; return 0;
  case OPT_TOKENS: run->tokens = 1; return 0;
  case OPT_FULL: run->full = 1; return 0;
  case OPT_FORMAT:
    if (parse_out_format(optarg, &run->format) == 0)
      return 0;
    fprintf(stderr, "analyze: unknown output format '%s' "
                    "(text, jsonl, csv, tsv, html)\n", optarg);
    return -1;
  case 'o': run->output = optarg; return 0;
  case 'q': run->quiet = 1; return 0;
  case OPT_SUMMARY_JSON: run->summary_json = optarg; return 0;
  case OPT_INPUT_ERRORS_OK: run->input_errors_ok = 1; return 0;
  case 'j': return parse_jobs(optarg, &run->jobs);
  case OPT_INCLUDE: return str_list_add(&run->include, optarg);
  case OPT_EXCLUDE: return str_list_add(&run->exclude, optarg);
  case OPT_STREAM: run->stream = 1; return 0;
  case OPT_LINES: run->stream = run->lines = 1; return 0;
  case OPT_ID_FIELD: run->id_field = optarg; return 0;
  case OPT_TEXT_FIELD: run->text_field = optarg; return 0;
  case OPT_MAX_BYTES: return parse_limit("max-bytes", "byte", &run->max_bytes);
  case OPT_MAX_TOKENS:
    return parse_limit("max-tokens", "token", &run->max_tokens);
  default: return 1;
  }
}

/* Inputs and run options that cannot go together. Returns -1 to continue,
 * or an exit status. */
static int check_run(int argc, const batch_opts *run) {
  if (run->stream && optind < argc) {
    fputs("analyze: --stream reads standard input: no FILE is taken\n",
          stderr);
    return AVIS_EXIT_USAGE;
  }
  if (run->stream && ((run->format && run->format != FORMAT_JSONL) ||
                      run->pretty)) {
    fputs("analyze: --stream writes JSON Lines: --format and --pretty do "
          "not apply\n", stderr);
    return AVIS_EXIT_USAGE;
  }
  if (!run->stream && optind >= argc) {
    fputs("analyze: no input given (a FILE, a DIR, or '-' for standard "
          "input)\n", stderr);
    return AVIS_EXIT_USAGE;
  }
  return -1;
}

/* Returns -1 to continue, or an exit status. */
static int parse_options(int argc, char **argv, analyze_opts *o) {
  avis_lexicon_format format = AVIS_LEXICON_AUTO;
  int c, rc;
  optind = 1;
  while ((c = getopt_long(argc, argv, "hVqj:o:", long_options, NULL)) != -1) {
    if ((rc = parse_run_option(c, &o->run)) <= 0) {
      if (rc < 0)
        return AVIS_EXIT_USAGE;
      continue;
    }
    switch (c) {
    case OPT_DATA_DIR: o->data_dir = optarg; break;
    case OPT_NO_DEFAULT_LEXICON: o->no_default_lexicon = 1; break;
    case OPT_STRICT: o->strict = 1; break;
    case OPT_LEXICON:
      if (avis_model_options_add_lexicon(o->model_opts, optarg, format))
        return AVIS_EXIT_USAGE;
      break;
    case OPT_LEXICON_FORMAT:
      if (parse_format(optarg, &format)) {
        fprintf(stderr, "analyze: unknown lexicon format '%s' "
                        "(auto, tsv, feel, vader)\n", optarg);
        return AVIS_EXIT_USAGE;
      }
      break;
    case OPT_MODEL:
      if (avis_model_options_set_topic_model(o->model_opts, optarg))
        return AVIS_EXIT_USAGE;
      break;
    case OPT_NO_TOPICS: avis_model_options_use_topics(o->model_opts, 0); break;
    case OPT_SENTIMENT_MODEL:
      if (avis_model_options_set_sentiment_model(o->model_opts, optarg))
        return AVIS_EXIT_USAGE;
      break;
    case OPT_LDA:
      if (avis_model_options_set_lda_model(o->model_opts, optarg))
        return AVIS_EXIT_USAGE;
      break;
    case 'h': analyze_usage(stdout); return AVIS_EXIT_OK;
    case 'V': printf("avis %s\n", avis_version()); return AVIS_EXIT_OK;
    default: analyze_usage(stderr); return AVIS_EXIT_USAGE;
    }
  }
  return check_run(argc, &o->run);
}

/* Malformed lexicon lines are skipped unless --strict: say where. */
static void warn_skipped_lines(const avis_model *model) {
  for (size_t i = 0; i < avis_model_lexicon_count(model); i++) {
    const char *problem = avis_model_lexicon_problem(model, i);
    size_t skipped = 0;
    avis_model_lexicon_info(model, i, NULL, NULL, &skipped, NULL, NULL);
    if (problem)
      fprintf(stderr, "analyze: warning: %s (%zu malformed line%s skipped)\n",
              problem, skipped, skipped == 1 ? "" : "s");
  }
}

static avis_model *load_model(analyze_opts *o) {
  const char *dir = cli_find_data_dir(o->data_dir);
  if (!dir) {
    fputs("analyze: no data directory found: use --data-dir DIR or set "
          "AVIS_DATA_DIR\n", stderr);
    return NULL;
  }
  avis_model *model = NULL;
  int rc = avis_model_options_set_data_dir(o->model_opts, dir);
  if (!rc)
    rc = avis_model_options_use_default_lexicon(o->model_opts,
                                                !o->no_default_lexicon);
  if (!rc)
    rc = avis_model_options_set_strict(o->model_opts, o->strict);
  if (!rc)
    rc = avis_model_load(&model, o->model_opts);
  if (rc)
    fprintf(stderr, "analyze: %s\n", avis_last_error());
  else
    warn_skipped_lines(model);
  return model;
}

static int run(int argc, char **argv, const avis_model *model,
               const batch_opts *o) {
  /* A closed pipe is reported as an output error (exit 4), not a silent
   * death by SIGPIPE. */
  signal(SIGPIPE, SIG_IGN);
  if (o->stream)
    return stream_run(model, o);
  return batch_run(argv + optind, (size_t)(argc - optind), model, o);
}

int cmd_analyze(int argc, char **argv) {
  analyze_opts o = {0};
  o.run.max_bytes = (size_t)64 << 20;
  o.run.id_field = "id";
  o.run.text_field = "text";
  if (avis_model_options_new(&o.model_opts)) {
    fputs("analyze: out of memory\n", stderr);
    return AVIS_EXIT_DATA;
  }
  int status = parse_options(argc, argv, &o);
  if (status < 0) {
    avis_model *model = load_model(&o);
    status = model ? run(argc, argv, model, &o.run) : AVIS_EXIT_DATA;
    avis_model_free(model);
  }
  avis_model_options_free(o.model_opts);
  str_list_free(&o.run.include);
  str_list_free(&o.run.exclude);
  return status;
}
