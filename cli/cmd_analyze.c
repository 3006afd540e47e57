/* `avis analyze` / `analyze`: analyse files or standard input. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

typedef struct {
  int json, pretty, tokens, strict, no_default_lexicon;
  const char *data_dir;
  size_t max_bytes;
  avis_model_options *model_opts;
} analyze_opts;

static void analyze_usage(FILE *out) {
  fputs(
      "Usage: analyze [OPTIONS] FILE...\n"
      "       avis analyze [OPTIONS] FILE...\n"
      "Analyse French text files ('-' reads standard input): sentiment, the\n"
      "words that drove it, key sentences and document statistics.\n"
      "\n"
      "Output:\n"
      "  --json               JSON (one object a line for several inputs)\n"
      "  --pretty             indent the JSON\n"
      "  --tokens             include the tokens (kind, stem, sentence)\n"
      "Data:\n"
      "  --data-dir DIR       default data directory (else $AVIS_DATA_DIR,\n"
      "                       else the installed one)\n"
      "  --lexicon FILE       add a polarity lexicon (repeatable)\n"
      "  --lexicon-format F   format of the next --lexicon: auto, tsv, feel,\n"
      "                       vader (default auto)\n"
      "  --no-default-lexicon use only the lexicons given with --lexicon\n"
      "  --strict             reject a lexicon with any malformed line\n"
      "Limits:\n"
      "  --max-bytes N        reject inputs larger than N bytes (default\n"
      "                       67108864; 0 = no limit)\n"
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
  OPT_LEXICON_FORMAT, OPT_NO_DEFAULT_LEXICON, OPT_STRICT, OPT_MAX_BYTES
};

static const struct option long_options[] = {
    {"json", no_argument, NULL, OPT_JSON},
    {"pretty", no_argument, NULL, OPT_PRETTY},
    {"tokens", no_argument, NULL, OPT_TOKENS},
    {"data-dir", required_argument, NULL, OPT_DATA_DIR},
    {"lexicon", required_argument, NULL, OPT_LEXICON},
    {"lexicon-format", required_argument, NULL, OPT_LEXICON_FORMAT},
    {"no-default-lexicon", no_argument, NULL, OPT_NO_DEFAULT_LEXICON},
    {"strict", no_argument, NULL, OPT_STRICT},
    {"max-bytes", required_argument, NULL, OPT_MAX_BYTES},
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

/* Returns -1 to continue, or an exit status. */
static int parse_options(int argc, char **argv, analyze_opts *o) {
  avis_lexicon_format format = AVIS_LEXICON_AUTO;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "hV", long_options, NULL)) != -1) {
    switch (c) {
    case OPT_JSON: o->json = 1; break;
    case OPT_PRETTY: o->pretty = 1; break;
    case OPT_TOKENS: o->tokens = 1; break;
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
    case OPT_MAX_BYTES:
      if (parse_size(optarg, &o->max_bytes)) {
        fprintf(stderr, "analyze: --max-bytes needs a byte count, not '%s'\n",
                optarg);
        return AVIS_EXIT_USAGE;
      }
      break;
    case 'h': analyze_usage(stdout); return AVIS_EXIT_OK;
    case 'V': printf("avis %s\n", avis_version()); return AVIS_EXIT_OK;
    default: analyze_usage(stderr); return AVIS_EXIT_USAGE;
    }
  }
  if (optind >= argc) {
    fputs("analyze: no input given (a FILE, or '-' for standard input)\n",
          stderr);
    return AVIS_EXIT_USAGE;
  }
  return -1;
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
  return model;
}

/* Reads at most limit + 1 bytes, so that an oversized input is detected
 * without reading all of it. *data is malloc'ed. Returns 0 or errno. */
static int read_input(const char *path, size_t limit, char **data,
                      size_t *len) {
  FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  if (!f)
    return errno;
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
    fclose(f);
    return EISDIR;
  }
  size_t cap = 1 << 16, n = 0, want = limit ? limit + 1 : SIZE_MAX;
  char *buf = malloc(cap);
  int err = buf ? 0 : ENOMEM;
  while (!err && n < want) {
    if (n == cap) {
      char *grown = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
      if (!grown) {
        err = ENOMEM;
        break;
      }
      buf = grown;
      cap *= 2;
    }
    size_t chunk = cap - n < want - n ? cap - n : want - n;
    size_t got = fread(buf + n, 1, chunk, f);
    n += got;
    if (got < chunk) {
      if (ferror(f))
        err = errno ? errno : EIO;
      break;
    }
  }
  if (f != stdin)
    fclose(f);
  if (err) {
    free(buf);
    return err;
  }
  *data = buf;
  *len = n;
  return 0;
}

/* JSON Lines error record for an input that could not be analysed, so that
 * every input appears in the output. */
static int print_error_record(const char *path, const char *code,
                              const char *message) {
  json_t *rec = json_pack("{s:s, s:{s:s, s:s}}", "path", path, "error", "code",
                          code, "message", message);
  int rc = rec ? json_dumpf(rec, stdout, JSON_COMPACT) : -1;
  json_decref(rec);
  return rc == 0 && putchar('\n') != EOF ? 0 : -1;
}

static const char *error_code_name(int rc) {
  switch (rc) {
  case AVIS_ERR_EMPTY: return "empty";
  case AVIS_ERR_BINARY: return "binary";
  case AVIS_ERR_ENCODING: return "encoding";
  case AVIS_ERR_TOO_LARGE: return "too_large";
  case AVIS_ERR_NOMEM: return "out_of_memory";
  default: return "unreadable";
  }
}

/* Prefixes the library's JSON object with the input's path. */
static int print_json_result(const char *path, const avis_result *r,
                             const analyze_opts *o) {
  char *json;
  unsigned flags = (o->tokens ? AVIS_JSON_TOKENS : 0) |
                   (o->pretty ? AVIS_JSON_PRETTY : 0);
  if (avis_result_to_json(r, flags, &json, NULL))
    return -1;
  json_t *jpath = json_string(path);
  char *quoted = jpath ? json_dumps(jpath, JSON_ENCODE_ANY) : NULL;
  int rc = quoted && printf("{\"path\":%s,%s\n", quoted, json + 1) > 0 ? 0 : -1;
  free(quoted);
  json_decref(jpath);
  avis_free(json);
  return rc;
}

/* 0 when analysed, 1 when the input failed (reported), -1 on output error. */
static int analyze_one(const char *path, avis_analyzer *an,
                       const avis_model *model, const analyze_opts *o) {
  const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
  char *data = NULL;
  size_t len = 0;
  int err = read_input(path, o->max_bytes, &data, &len);
  avis_result *r = NULL;
  int rc = err ? AVIS_ERR_IO : avis_analyze(an, data, len, &r);
  free(data);
  if (rc) {
    const char *msg = err ? strerror(err) : avis_last_error();
    fprintf(stderr, "analyze: %s: %s\n", name, msg);
    if (o->json && print_error_record(name, err ? "unreadable" : error_code_name(rc), msg))
      return -1;
    return 1;
  }
  int out_rc = 0;
  if (o->json)
    out_rc = print_json_result(name, r, o);
  else
    report_text(stdout, name, r, model, o->tokens);
  avis_result_free(r);
  return out_rc;
}

static int analyze_all(int argc, char **argv, analyze_opts *o,
                       const avis_model *model) {
  avis_analyzer *an;
  if (avis_analyzer_new(&an, model) ||
      avis_analyzer_set_max_bytes(an, o->max_bytes)) {
    fprintf(stderr, "analyze: %s\n", avis_last_error());
    return AVIS_EXIT_DATA;
  }
  int status = AVIS_EXIT_OK;
  for (int i = optind; i < argc; i++) {
    if (!o->json && i > optind)
      putchar('\n');
    int rc = analyze_one(argv[i], an, model, o);
    if (rc < 0) {
      status = AVIS_EXIT_OUTPUT;
      break;
    }
    if (rc > 0)
      status = AVIS_EXIT_INPUT;
  }
  avis_analyzer_free(an);
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fprintf(stderr, "analyze: error writing the output: %s\n", strerror(errno));
    status = AVIS_EXIT_OUTPUT;
  }
  return status;
}

int cmd_analyze(int argc, char **argv) {
  analyze_opts o = {0};
  o.max_bytes = (size_t)64 << 20;
  if (avis_model_options_new(&o.model_opts)) {
    fputs("analyze: out of memory\n", stderr);
    return AVIS_EXIT_DATA;
  }
  int status = parse_options(argc, argv, &o);
  if (status < 0) {
    avis_model *model = load_model(&o);
    status = model ? analyze_all(argc, argv, &o, model) : AVIS_EXIT_DATA;
    avis_model_free(model);
  }
  avis_model_options_free(o.model_opts);
  return status;
}
