/* `avis evaluate`: a model on labelled data, or k-fold cross-validation of
 * training: accuracy, micro/macro-F1, per-label precision, recall and F1,
 * confusion matrix, and for topic models the quality of the tags. */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "train_cli.h"

#define MAX_NAMES 128

typedef struct {
  char **gold;      /* per document: labels joined by ',' ("" unlabelled) */
  size_t ndocs, cap;
} gold_list;

/* Label names: the model's first, then gold labels it does not know. */
typedef struct {
  const char *name[MAX_NAMES];
  size_t n, nmodel;
  double *tp, *fp, *fn, *ttp, *tfp, *tfn; /* arg-max, then tags */
  double *confusion;                      /* n x n: gold row, predicted column */
  size_t docs, correct;
} scores;

static void evaluate_usage(FILE *out) {
  fputs(
      "Usage: avis evaluate --model MODEL [OPTIONS] INPUT...\n"
      "       avis evaluate --cv K [TRAINING OPTIONS] INPUT...\n"
      "Evaluate a model on labelled INPUTs (formats as for 'avis train'), or\n"
      "cross-validate training with K folds: accuracy, micro- and macro-F1,\n"
      "per-label precision, recall and F1, confusion matrix.\n"
      "\n"
      "  --model FILE         the model to evaluate\n"
      "  --cv K               train on K-1 folds, test on the other, K times\n"
      "  --predictions FILE   write doc<TAB>gold<TAB>predicted<TAB>tags lines\n"
      TRAIN_OPTIONS_HELP
      "  -h, --help           show this help\n",
      out);
}

static void record_doc(void *user, const char *const *labels, size_t n) {
  gold_list *g = user;
  if (g->ndocs == g->cap) {
    size_t cap = g->cap ? 2 * g->cap : 1024;
    char **grown = realloc(g->gold, cap * sizeof *grown);
    if (!grown)
      return;
    g->gold = grown;
    g->cap = cap;
  }
  size_t len = 1;
  for (size_t i = 0; i < n; i++)
    len += strlen(labels[i]) + 1;
  char *s = malloc(len);
  if (s) {
    s[0] = '\0';
    for (size_t i = 0; i < n; i++) {
      if (i)
        strcat(s, ",");
      strcat(s, labels[i]);
    }
  }
  g->gold[g->ndocs++] = s;
}

static size_t label_index(scores *s, const char *name) {
  for (size_t i = 0; i < s->n; i++)
    if (strcmp(s->name[i], name) == 0)
      return i;
  if (s->n == MAX_NAMES)
    return MAX_NAMES - 1;
  s->name[s->n] = name;
  return s->n++;
}

static int scores_init(scores *s, const avis_classifier *cl, gold_list *g) {
  memset(s, 0, sizeof *s);
  for (size_t i = 0; i < avis_classifier_label_count(cl); i++)
    avis_classifier_label(cl, i, &s->name[s->n++], NULL, NULL);
  s->nmodel = s->n;
  for (size_t d = 0; d < g->ndocs; d++) {
    char *p = g->gold[d];
    for (char *q = p; p && *p; p = q) {
      q = strchr(p, ',');
      if (q)
        *q = '\0';
      label_index(s, p);
      if (q)
        *q++ = ',';
      else
        break;
    }
  }
  double *m = calloc(6 * MAX_NAMES + MAX_NAMES * MAX_NAMES, sizeof *m);
  if (!m)
    return -1;
  s->tp = m;
  s->fp = m + MAX_NAMES;
  s->fn = m + 2 * MAX_NAMES;
  s->ttp = m + 3 * MAX_NAMES;
  s->tfp = m + 4 * MAX_NAMES;
  s->tfn = m + 5 * MAX_NAMES;
  s->confusion = m + 6 * MAX_NAMES;
  return 0;
}

/* Gold label indices of a document. */
static size_t gold_indices(scores *s, const char *gold, size_t *idx) {
  size_t n = 0;
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", gold);
  for (char *p = buf, *q; *p && n < 16; p = q + 1) {
    q = strchr(p, ',');
    if (q)
      *q = '\0';
    idx[n++] = label_index(s, p);
    if (!q)
      break;
  }
  return n;
}

static int has(const size_t *idx, size_t n, size_t x) {
  for (size_t i = 0; i < n; i++)
    if (idx[i] == x)
      return 1;
  return 0;
}

static void tally(scores *s, const char *gold, const double *shares,
                  const int *tagged, FILE *pred, size_t doc) {
  size_t idx[16], n = gold_indices(s, gold, idx), best = 0;
  for (size_t c = 1; c < s->nmodel; c++)
    if (shares[c] > shares[best])
      best = c;
  s->docs++;
  s->correct += has(idx, n, best);
  if (!has(idx, n, best))
    s->fp[best]++;
  for (size_t i = 0; i < n; i++)
    *(idx[i] == best ? &s->tp[best] : &s->fn[idx[i]]) += 1;
  if (n == 1)
    s->confusion[idx[0] * MAX_NAMES + best]++;
  for (size_t c = 0; c < s->n; c++) {
    int t = c < s->nmodel && tagged[c], g = has(idx, n, c);
    s->ttp[c] += t && g;
    s->tfp[c] += t && !g;
    s->tfn[c] += !t && g;
  }
  if (pred) {
    fprintf(pred, "%zu\t%s\t%s\t", doc, gold, s->name[best]);
    const char *sep = "";
    for (size_t c = 0; c < s->nmodel; c++)
      if (tagged[c]) {
        fprintf(pred, "%s%s", sep, s->name[c]);
        sep = ",";
      }
    fputc('\n', pred);
  }
}

static double f1(double tp, double fp, double fn) {
  return tp > 0 ? 2 * tp / (2 * tp + fp + fn) : 0;
}

/* Micro- and macro-F1 over the labels that occur in the gold data. */
static void averages(const scores *s, const double *tp, const double *fp,
                     const double *fn, double *micro, double *macro) {
  double a = 0, b = 0, c = 0, sum = 0;
  size_t n = 0;
  for (size_t i = 0; i < s->n; i++) {
    a += tp[i];
    b += fp[i];
    c += fn[i];
    if (tp[i] + fn[i] > 0) {
      sum += f1(tp[i], fp[i], fn[i]);
      n++;
    }
  }
  *micro = f1(a, b, c);
  *macro = n ? sum / (double)n : 0;
}

static void print_report(const scores *s, int topics) {
  double micro, macro;
  averages(s, s->tp, s->fp, s->fn, &micro, &macro);
  printf("documents  %zu\naccuracy   %.4f\nmicro-F1   %.4f\nmacro-F1   %.4f\n",
         s->docs, s->docs ? (double)s->correct / (double)s->docs : 0, micro,
         macro);
  if (topics) {
    averages(s, s->ttp, s->tfp, s->tfn, &micro, &macro);
    printf("tags       micro-F1 %.4f  macro-F1 %.4f\n", micro, macro);
  }
  printf("\n%-16s %9s %9s %9s %7s\n", "label", "precision", "recall", "F1",
         "support");
  for (size_t i = 0; i < s->n; i++) {
    double tp = s->tp[i], fp = s->fp[i], fn = s->fn[i];
    if (tp + fp + fn == 0)
      continue;
    printf("%-16s %9.4f %9.4f %9.4f %7.0f\n", s->name[i],
           tp + fp ? tp / (tp + fp) : 0, tp + fn ? tp / (tp + fn) : 0,
           f1(tp, fp, fn), tp + fn);
  }
  printf("\nconfusion (rows: gold, columns: predicted)\n%-16s", "");
  for (size_t j = 0; j < s->n; j++)
    printf(" %6.6s", s->name[j]);
  putchar('\n');
  for (size_t i = 0; i < s->n; i++) {
    double row = 0;
    for (size_t j = 0; j < s->n; j++)
      row += s->confusion[i * MAX_NAMES + j];
    if (row == 0)
      continue;
    printf("%-16s", s->name[i]);
    for (size_t j = 0; j < s->n; j++)
      printf(" %6.0f", s->confusion[i * MAX_NAMES + j]);
    putchar('\n');
  }
}

/* The predictions of documents doc[0..n), made on threads: each thread
 * takes a run of them and writes their shares and tags (k each) and
 * status in places of its own. */
typedef struct {
  const avis_classifier *cl;
  const avis_corpus *corpus;
  const size_t *doc;
  size_t k;
  double *shares;
  int *tagged, *rc;
  size_t first, end; /* this thread's run */
} prediction_run;

static void *predict_run(void *arg) {
  prediction_run *r = arg;
  for (size_t i = r->first; i < r->end; i++)
    r->rc[i] = avis_classifier_predict(r->cl, r->corpus, r->doc[i],
                                       r->shares + i * r->k,
                                       r->tagged + i * r->k);
  return NULL;
}

static void predict_all(prediction_run *base, size_t n, unsigned threads) {
  prediction_run runs[256];
  pthread_t th[256];
  unsigned started = 0;
  if (threads > n)
    threads = n ? (unsigned)n : 1;
  for (unsigned w = 0; w < threads; w++) {
    runs[w] = *base;
    runs[w].first = n * w / threads;
    runs[w].end = n * (w + 1) / threads;
  }
  for (; started + 1 < threads; started++)
    if (pthread_create(&th[started], NULL, predict_run, &runs[started + 1]))
      break;
  for (unsigned w = started + 1; w < threads; w++)
    predict_run(&runs[w]);
  predict_run(&runs[0]);
  for (unsigned w = 0; w < started; w++)
    pthread_join(th[w], NULL);
}

/* Scores the documents of `fold` (every one when folds is 0), predicted on
 * `threads` threads and tallied in order. */
static int score_docs(const avis_classifier *cl, const avis_corpus *corpus,
                      gold_list *g, scores *s, unsigned fold, unsigned folds,
                      unsigned long long seed, unsigned threads, FILE *pred) {
  size_t k = avis_classifier_label_count(cl), n = 0;
  size_t *doc = malloc((g->ndocs ? g->ndocs : 1) * sizeof *doc);
  for (size_t d = 0; doc && d < g->ndocs; d++)
    if (g->gold[d] && *g->gold[d] &&
        (!folds || avis_corpus_fold(d, folds, seed) == fold))
      doc[n++] = d;
  prediction_run r = {cl, corpus, doc, k,
                      malloc((n ? n : 1) * k * sizeof *r.shares),
                      malloc((n ? n : 1) * k * sizeof *r.tagged),
                      malloc((n ? n : 1) * sizeof *r.rc), 0, 0};
  int rc = doc && r.shares && r.tagged && r.rc ? 0 : -1;
  if (!rc)
    predict_all(&r, n, threads);
  for (size_t i = 0; !rc && i < n; i++)
    if ((rc = r.rc[i]) == 0)
      tally(s, g->gold[doc[i]], r.shares + i * k, r.tagged + i * k, pred,
            doc[i]);
  free(doc);
  free(r.shares);
  free(r.tagged);
  free(r.rc);
  return rc;
}

/* The first fold's classifier is handed back in *first: the label names in
 * `s` point into it. */
static int cross_validate(train_cli *t, avis_corpus *corpus, gold_list *g,
                          scores *s, unsigned folds, FILE *pred,
                          avis_classifier **first) {
  int rc = train_cli_options(t);
  for (unsigned f = 0; !rc && f < folds; f++) {
    avis_classifier *cl = NULL;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = avis_train_options_set_holdout(t->opts, f, folds) ||
         avis_classifier_train(&cl, corpus, t->opts);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!rc && f == 0)
      rc = scores_init(s, cl, g);
    if (!rc)
      rc = score_docs(cl, corpus, g, s, f, folds, t->seed, t->threads, pred);
    if (!rc)
      fprintf(stderr, "avis evaluate: fold %u of %u trained in %.1f s\n", f + 1,
              folds, (double)(t1.tv_sec - t0.tv_sec) +
                         (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    if (f == 0)
      *first = cl;
    else
      avis_classifier_free(cl);
  }
  return rc;
}

static int run(train_cli *t, const char *model_path, unsigned folds,
               const char *pred_path, avis_corpus *corpus, gold_list *g) {
  scores s = {0};
  FILE *pred = pred_path ? fopen(pred_path, "w") : NULL;
  avis_classifier *cl = NULL;
  int rc = pred_path && !pred ? -1 : 0, topics = t->kind == AVIS_CLASSIFIER_TOPICS;
  if (!rc && folds) {
    rc = cross_validate(t, corpus, g, &s, folds, pred, &cl);
  } else if (!rc) {
    rc = avis_classifier_load(&cl, model_path) || scores_init(&s, cl, g) ||
         score_docs(cl, corpus, g, &s, 0, 0, 0, t->threads, pred);
    topics = cl && avis_classifier_get_kind(cl) == AVIS_CLASSIFIER_TOPICS;
  }
  if (rc)
    fprintf(stderr, "avis evaluate: %s\n",
            pred_path && !pred ? "cannot write the predictions" : avis_last_error());
  else
    print_report(&s, topics);
  if (pred)
    fclose(pred);
  avis_classifier_free(cl);
  free(s.tp);
  return rc ? AVIS_EXIT_DATA : AVIS_EXIT_OK;
}

enum { EOPT_MODEL = 400, EOPT_CV, EOPT_PREDICTIONS };

int cmd_evaluate(int argc, char **argv) {
  static const struct option options[] = {
      TRAIN_LONG_OPTIONS,
      {"model", required_argument, NULL, EOPT_MODEL},
      {"cv", required_argument, NULL, EOPT_CV},
      {"predictions", required_argument, NULL, EOPT_PREDICTIONS},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  train_cli t;
  train_cli_init(&t);
  const char *model = NULL, *pred = NULL;
  unsigned folds = 0;
  int c, status = -1;
  optind = 1;
  while (status < 0 && (c = getopt_long(argc, argv, "hj:", options, NULL)) != -1) {
    if (c == EOPT_MODEL)
      model = optarg;
    else if (c == EOPT_PREDICTIONS)
      pred = optarg;
    else if (c == EOPT_CV)
      folds = (unsigned)strtoul(optarg, NULL, 10);
    else if (c == 'h')
      status = (evaluate_usage(stdout), AVIS_EXIT_OK);
    else if (train_cli_option(&t, c, optarg))
      status = (evaluate_usage(stderr), AVIS_EXIT_USAGE);
  }
  if (status < 0 && ((!model) == (folds == 0) || folds == 1 || folds > 100 ||
                     optind >= argc)) {
    fputs("avis evaluate: give --model FILE or --cv K (2 to 100), and INPUTs\n",
          stderr);
    status = AVIS_EXIT_USAGE;
  }
  gold_list g = {0};
  avis_corpus *corpus = NULL;
  if (status < 0)
    status = train_cli_read(&t, argc - optind, argv + optind, record_doc, &g,
                            &corpus);
  if (status < 0)
    status = run(&t, model, folds, pred, corpus, &g);
  for (size_t d = 0; d < g.ndocs; d++)
    free(g.gold[d]);
  free(g.gold);
  avis_corpus_free(corpus);
  train_cli_release(&t);
  return status;
}
