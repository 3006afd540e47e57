/* Training options and the topic definition (seed) file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "nb.h"

int avis_train_options_new(avis_train_options **out, avis_classifier_kind kind) {
  if (!out || (kind != AVIS_CLASSIFIER_TOPICS && kind != AVIS_CLASSIFIER_CLASSES))
    return avis_fail(AVIS_ERR_ARG, "avis_train_options_new: bad argument");
  avis_train_options *o = calloc(1, sizeof *o);
  *out = o;
  if (!o)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  o->kind = kind;
  o->cv_folds = 3;
  o->em_iterations = 4;
  o->unlabelled_weight = 0.3;
  o->min_df = 3;
  o->passage_terms = 40;
  o->min_seed_hits = 3;
  o->doc_weight = kind == AVIS_CLASSIFIER_TOPICS ? 0.25 : 1.0;
  o->min_own = 0.5;
  o->seed_prior = 0.01;
  o->variant = -1;
  o->flags = AVIS_NB_LOG_TF | AVIS_NB_L2;
  o->uniform_prior = 1;
  o->seed = 1;
  o->threads = 1;
  return 0;
}

static void free_topics(avis_train_options *o) {
  for (size_t i = 0; i < o->ntopics; i++) {
    free(o->topics[i].id);
    free(o->topics[i].name);
    avis_buf_release(&o->topics[i].seeds);
  }
  free(o->topics);
  o->topics = NULL;
  o->ntopics = 0;
}

void avis_train_options_free(avis_train_options *o) {
  if (!o)
    return;
  free_topics(o);
  free(o->command);
  free(o->data);
  free(o->date);
  free(o);
}

static char *copy_n(const char *s, size_t n) {
  char *p = malloc(n + 1);
  if (p) {
    memcpy(p, s, n);
    p[n] = '\0';
  }
  return p;
}

static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int valid_id(const char *s, size_t n) {
  if (n == 0 || n > 64)
    return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-' || c == '.'))
      return 0;
  }
  return 1;
}

/* "[id] French name" starts a topic. */
static int add_topic_line(avis_train_options *o, const char *p, const char *end,
                          const char *path, size_t line) {
  const char *close = memchr(p, ']', (size_t)(end - p));
  if (!close || !valid_id(p + 1, (size_t)(close - p - 1)))
    return avis_fail(AVIS_ERR_FORMAT, "%s:%zu: expected '[id] Name' with an id "
                     "of a-z 0-9 _ - .", path, line);
  if (o->ntopics >= AVIS_MAX_LABELS)
    return avis_fail(AVIS_ERR_FORMAT, "%s:%zu: more than %d topics", path, line,
                     AVIS_MAX_LABELS);
  const char *name = close + 1;
  while (name < end && is_space(*name))
    name++;
  avis_topic_def *grown = realloc(o->topics, (o->ntopics + 1) * sizeof *grown);
  if (!grown)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  o->topics = grown;
  avis_topic_def *t = &o->topics[o->ntopics];
  memset(t, 0, sizeof *t);
  t->id = copy_n(p + 1, (size_t)(close - p - 1));
  if (name < end)
    t->name = copy_n(name, (size_t)(end - name));
  else if (t->id)
    t->name = copy_n(t->id, strlen(t->id));
  o->ntopics++;
  if (!t->id || !t->name)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i + 1 < o->ntopics; i++)
    if (strcmp(o->topics[i].id, t->id) == 0)
      return avis_fail(AVIS_ERR_FORMAT, "%s:%zu: topic '%s' defined twice",
                       path, line, t->id);
  return 0;
}

static int add_seed_words(avis_train_options *o, const char *p, const char *end,
                          const char *path, size_t line) {
  if (!o->ntopics)
    return avis_fail(AVIS_ERR_FORMAT, "%s:%zu: seed words before the first "
                     "'[id] Name' line", path, line);
  avis_topic_def *t = &o->topics[o->ntopics - 1];
  while (p < end) {
    while (p < end && is_space(*p))
      p++;
    const char *w = p;
    while (p < end && !is_space(*p))
      p++;
    if (p > w) {
      if (avis_buf_append(&t->seeds, w, (size_t)(p - w)) ||
          avis_buf_putc(&t->seeds, '\0'))
        return avis_fail(AVIS_ERR_NOMEM, "out of memory");
      t->nseeds++;
    }
  }
  return 0;
}

static int parse_topics(avis_train_options *o, const char *text, size_t len,
                        const char *path) {
  const char *p = text, *end = text + len;
  int rc = 0;
  for (size_t line = 1; !rc && p < end; line++) {
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    const char *stop = eol ? eol : end;
    const char *hash = memchr(p, '#', (size_t)(stop - p));
    const char *q = hash ? hash : stop;
    while (p < q && is_space(*p))
      p++;
    while (q > p && is_space(q[-1]))
      q--;
    if (q > p)
      rc = *p == '[' ? add_topic_line(o, p, q, path, line)
                     : add_seed_words(o, p, q, path, line);
    p = stop + 1;
  }
  if (!rc && o->ntopics == 0)
    rc = avis_fail(AVIS_ERR_FORMAT, "%s: no topic defined", path);
  return rc;
}

int avis_train_options_set_topics(avis_train_options *o, const char *path) {
  if (!o || !path)
    return avis_fail(AVIS_ERR_ARG, "avis_train_options_set_topics: NULL argument");
  avis_buf text = {0};
  int rc = avis_buf_read_file(&text, path);
  free_topics(o);
  if (!rc)
    rc = parse_topics(o, text.data ? text.data : "", text.len, path);
  avis_buf_release(&text);
  if (rc) {
    free_topics(o);
    return rc == AVIS_ERR_NOMEM ? avis_fail(rc, "out of memory") : rc;
  }
  return 0;
}

int avis_train_options_set_smoothing(avis_train_options *o, double alpha) {
  if (!o || !(alpha >= 0 && alpha <= 100))
    return avis_fail(AVIS_ERR_ARG, "smoothing must be in [0, 100] (0: chosen by "
                                   "cross-validation)");
  o->alpha = alpha;
  return 0;
}

int avis_train_options_set_seed(avis_train_options *o, uint64_t seed) {
  if (!o)
    return avis_fail(AVIS_ERR_ARG, "avis_train_options_set_seed: NULL options");
  o->seed = seed;
  return 0;
}

int avis_train_options_set_em(avis_train_options *o, unsigned iterations,
                              double unlabelled_weight) {
  if (!o || iterations > 100 || !(unlabelled_weight >= 0 && unlabelled_weight <= 1))
    return avis_fail(AVIS_ERR_ARG, "EM: at most 100 iterations, unlabelled "
                                   "weight in [0, 1]");
  o->em_iterations = iterations;
  o->unlabelled_weight = unlabelled_weight;
  return 0;
}

int avis_train_options_set_min_df(avis_train_options *o, unsigned min_df,
                                  unsigned max_terms) {
  if (!o || min_df == 0)
    return avis_fail(AVIS_ERR_ARG, "the minimum document frequency is at least 1");
  o->min_df = min_df;
  o->max_terms = max_terms;
  return 0;
}

int avis_train_options_set_variant(avis_train_options *o, int variant,
                                   unsigned features) {
  if (!o || variant < -1 || variant > 1 ||
      (features & ~(AVIS_NB_LOG_TF | AVIS_NB_L2)))
    return avis_fail(AVIS_ERR_ARG, "unknown variant or feature flags");
  o->variant = variant;
  o->flags = features;
  return 0;
}

int avis_train_options_set_threads(avis_train_options *o, unsigned threads) {
  if (!o || threads < 1 || threads > 256)
    return avis_fail(AVIS_ERR_ARG, "training threads: 1 to 256");
  o->threads = threads;
  return 0;
}

int avis_train_options_set_holdout(avis_train_options *o, unsigned fold,
                                   unsigned folds) {
  if (!o || (folds && fold >= folds) || folds == 1)
    return avis_fail(AVIS_ERR_ARG, "hold-out fold %u of %u", fold, folds);
  o->holdout_fold = fold;
  o->holdout_folds = folds;
  return 0;
}

static int replace(char **slot, const char *s) {
  char *copy = s ? copy_n(s, strlen(s)) : NULL;
  if (s && !copy)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  free(*slot);
  *slot = copy;
  return 0;
}

int avis_train_options_set_provenance(avis_train_options *o,
                                      const char *command, const char *data,
                                      const char *date) {
  if (!o)
    return avis_fail(AVIS_ERR_ARG, "avis_train_options_set_provenance: NULL options");
  return replace(&o->command, command) || replace(&o->data, data) ||
                 replace(&o->date, date)
             ? AVIS_ERR_NOMEM
             : 0;
}

int avis_train_options_set_progress(avis_train_options *o,
                                    void (*fn)(void *user, const char *message),
                                    void *user) {
  if (!o)
    return avis_fail(AVIS_ERR_ARG, "avis_train_options_set_progress: NULL options");
  o->progress = fn;
  o->progress_user = user;
  return 0;
}

unsigned avis_corpus_fold(size_t doc, unsigned folds, uint64_t seed) {
  return avis_nb_fold(doc, folds, seed);
}
