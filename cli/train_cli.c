/* Options shared by `avis train` and `avis evaluate --cv`. */
#include "train_cli.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const struct option train_cli_long_options[] = {
    TRAIN_LONG_OPTIONS,
    {"output", required_argument, NULL, 'o'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

void train_cli_init(train_cli *t) {
  memset(t, 0, sizeof *t);
  t->kind = AVIS_CLASSIFIER_TOPICS;
  t->text_fields = "text";
  t->labels_field = "labels";
  t->seed = 1;
  t->em = 4;
  t->unlabelled_weight = 0.3;
  t->min_df = 3;
  t->variant = -1;
  t->features = AVIS_FEATURE_LOG_TF | AVIS_FEATURE_L2;
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  t->threads = cores > 0 ? (unsigned)(cores < 256 ? cores : 256) : 1;
}

void train_cli_release(train_cli *t) {
  avis_train_options_free(t->opts);
  avis_model_free(t->model);
  t->opts = NULL;
  t->model = NULL;
}

static int parse_number(const char *arg, double lo, double hi, double *out) {
  char *end;
  errno = 0;
  double v = strtod(arg, &end); /* digits and '.' only: see check below */
  if (errno || end == arg || *end || !(v >= lo && v <= hi) ||
      strchr(arg, ',')) {
    fprintf(stderr, "avis: '%s' is not a number in [%g, %g]\n", arg, lo, hi);
    return -1;
  }
  *out = v;
  return 0;
}

static int parse_unsigned(const char *arg, unsigned *out) {
  double v;
  if (parse_number(arg, 0, 1e9, &v) || v != (double)(unsigned)v)
    return -1;
  *out = (unsigned)v;
  return 0;
}

static int parse_choice(const char *arg, const char *const *names, int n) {
  for (int i = 0; i < n; i++)
    if (strcmp(arg, names[i]) == 0)
      return i;
  fprintf(stderr, "avis: unknown value '%s'\n", arg);
  return -1;
}

static int parse_weights(train_cli *t, const char *arg) {
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", arg);
  t->nweights = 0;
  for (char *p = strtok(buf, ","); p; p = strtok(NULL, ",")) {
    if (t->nweights == MAX_INPUTS ||
        parse_number(p, 1e-6, 100, &t->weights[t->nweights]))
      return -1;
    t->nweights++;
  }
  return 0;
}

int train_cli_option(train_cli *t, int c, const char *arg) {
  static const char *const kinds[] = {"topics", "classes"};
  static const char *const variants[] = {"auto", "nb", "cnb"};
  static const char *const features[] = {"counts", "log", "l2", "log-l2"};
  double v;
  int i;
  switch (c) {
  case TOPT_KIND:
    if ((i = parse_choice(arg, kinds, 2)) < 0)
      return -1;
    t->kind = (avis_classifier_kind)i;
    return 0;
  case TOPT_TOPICS: t->topics = arg; return 0;
  case TOPT_UNLABELLED:
    if (t->nunlabelled == MAX_UNLABELLED) {
      fputs("avis: too many --unlabelled inputs\n", stderr);
      return -1;
    }
    t->unlabelled[t->nunlabelled++] = arg;
    return 0;
  case TOPT_FORMAT:
    if (parse_input_format(arg, &t->format)) {
      fprintf(stderr, "avis: unknown format '%s'\n", arg);
      return -1;
    }
    return 0;
  case TOPT_TEXT_FIELD: t->text_fields = arg; return 0;
  case TOPT_LABELS_FIELD: t->labels_field = arg; return 0;
  case TOPT_SEED:
    if (parse_number(arg, 0, 1e18, &v))
      return -1;
    t->seed = (unsigned long long)v;
    return 0;
  case TOPT_SMOOTHING: return parse_number(arg, 0, 100, &t->smoothing);
  case TOPT_EM: return parse_unsigned(arg, &t->em);
  case TOPT_UNLABELLED_WEIGHT:
    return parse_number(arg, 0, 1, &t->unlabelled_weight);
  case TOPT_MIN_DF: return parse_unsigned(arg, &t->min_df);
  case TOPT_MAX_TERMS: return parse_unsigned(arg, &t->max_terms);
  case TOPT_VARIANT:
    if ((i = parse_choice(arg, variants, 3)) < 0)
      return -1;
    t->variant = i - 1;
    return 0;
  case TOPT_FEATURES:
    if ((i = parse_choice(arg, features, 4)) < 0)
      return -1;
    t->features = (unsigned)i;
    return 0;
  case TOPT_DATA_DIR: t->data_dir = arg; return 0;
  case TOPT_DESCRIBE: t->describe = arg; return 0;
  case TOPT_DATE: t->date = arg; return 0;
  case TOPT_WEIGHT: return parse_weights(t, arg);
  case 'j':
  case TOPT_THREADS:
    if (parse_unsigned(arg, &t->threads) || t->threads < 1 ||
        t->threads > 256) {
      fprintf(stderr, "avis: -j/--threads needs a number from 1 to 256\n");
      return -1;
    }
    return 0;
  default: return -1;
  }
}

int train_cli_options(train_cli *t) {
  avis_train_options_free(t->opts);
  t->opts = NULL;
  int rc = avis_train_options_new(&t->opts, t->kind);
  if (!rc && t->topics)
    rc = avis_train_options_set_topics(t->opts, t->topics);
  if (!rc)
    rc = avis_train_options_set_smoothing(t->opts, t->smoothing) ||
         avis_train_options_set_seed(t->opts, t->seed) ||
         avis_train_options_set_em(t->opts, t->em, t->unlabelled_weight) ||
         avis_train_options_set_min_df(t->opts, t->min_df ? t->min_df : 1,
                                       t->max_terms) ||
         avis_train_options_set_variant(t->opts, t->variant, t->features) ||
         avis_train_options_set_threads(t->opts, t->threads);
  if (rc) {
    fprintf(stderr, "avis: %s\n", avis_last_error());
    return -1;
  }
  return 0;
}

avis_model *train_cli_stopwords_model(const char *data_dir) {
  const char *dir = cli_find_data_dir(data_dir);
  avis_model_options *mo = NULL;
  avis_model *m = NULL;
  if (!dir) {
    fputs("avis: no data directory found: use --data-dir DIR or set "
          "AVIS_DATA_DIR\n", stderr);
    return NULL;
  }
  int rc = avis_model_options_new(&mo);
  if (!rc)
    rc = avis_model_options_set_data_dir(mo, dir) ||
         avis_model_options_use_default_lexicon(mo, 0) ||
         avis_model_options_use_topics(mo, 0) || avis_model_load(&m, mo);
  if (rc)
    fprintf(stderr, "avis: %s\n", avis_last_error());
  avis_model_options_free(mo);
  return m;
}

int train_cli_read(train_cli *t, int n, char **inputs,
                   void (*on_doc)(void *, const char *const *, size_t),
                   void *user, avis_corpus **out) {
  *out = NULL;
  if (!(t->model = train_cli_stopwords_model(t->data_dir)))
    return AVIS_EXIT_DATA;
  if (avis_corpus_new(out, t->model) ||
      avis_corpus_set_threads(*out, t->threads)) {
    fprintf(stderr, "avis: %s\n", avis_last_error());
    return AVIS_EXIT_DATA;
  }
  reader_state st = {.corpus = *out, .format = t->format, .labelled = 1,
                     .text_fields = t->text_fields,
                     .labels_field = t->labels_field, .weight = 1.0,
                     .on_doc = on_doc, .user = user,
                     .async = t->threads > 1};
  int status = -1;
  for (int i = 0; status < 0 && i < n; i++) {
    st.weight = (size_t)i < t->nweights ? t->weights[i] : 1.0;
    if (read_input(&st, inputs[i]))
      status = AVIS_EXIT_INPUT;
  }
  st.labelled = 0;
  st.weight = 1.0;
  for (size_t i = 0; status < 0 && i < t->nunlabelled; i++)
    if (read_input(&st, t->unlabelled[i]))
      status = AVIS_EXIT_INPUT;
  if (status < 0 && st.skipped)
    fprintf(stderr, "avis: %zu empty or unreadable documents skipped\n",
            st.skipped);
  reader_state_release(&st);
  return status;
}
