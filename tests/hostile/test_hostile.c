/* Hostile inputs: each pathological document (pathological.c) must be
 * analysed to completion, under the time limit ctest sets, with a sane
 * result. Usage: test_hostile DATA_DIR CASE. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "avis.h"
#include "pathological.h"

static int failures;

#define EXPECT(cond)                                                           \
  do {                                                                         \
    if (!(cond)) {                                                             \
      printf("not ok - %s:%d: %s\n", __FILE__, __LINE__, #cond);               \
      failures++;                                                              \
    }                                                                          \
  } while (0)

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* What every result must satisfy, whatever the input. */
static void check_sane(const avis_result *r) {
  double score = avis_result_score(r);
  EXPECT(score >= -1 && score <= 1);
  EXPECT(avis_result_subjectivity(r) >= 0 && avis_result_subjectivity(r) <= 1);
  size_t len, n = avis_result_sentence_count(r);
  avis_result_text(r, &len);
  for (size_t i = 0; i < n; i++) {
    size_t start, slen;
    double s;
    EXPECT(avis_result_sentence(r, i, &start, &slen, &s) == 0);
    EXPECT(start + slen <= len && s >= -1 && s <= 1);
  }
  EXPECT(avis_result_word_count(r) <= avis_result_token_count(r));
}

/* What each case must give, beyond sanity. */
static void check_case(const char *name, const avis_result *r, size_t units) {
  size_t words = avis_result_word_count(r);
  size_t tokens = avis_result_token_count(r);
  avis_label label = avis_result_label(r);
  if (strcmp(name, "long-line") == 0) {
    EXPECT(avis_result_sentence_count(r) == 1);
    EXPECT(words == 11 * units + 2); /* 11 words a unit, then "et voilà" */
    EXPECT(avis_result_driver_count(r) > 0);
  } else if (strcmp(name, "negators") == 0) {
    EXPECT(words == units + 4); /* Ce film est ... bon; n' is not a word */
    EXPECT(avis_result_driver_count(r) <= 1); /* the negators rate nothing */
  } else if (strcmp(name, "exclamations") == 0) {
    EXPECT(words == 1 && label == AVIS_POSITIVE);
  } else if (strcmp(name, "long-sentence") == 0 ||
             strcmp(name, "token-limit") == 0) {
    EXPECT(avis_result_sentence_count(r) == 1);
  } else if (strcmp(name, "emoji") == 0) {
    EXPECT(words == 0 && tokens == 5 * units); /* each sequence one token */
  } else if (strcmp(name, "combining") == 0) {
    EXPECT(words == 0 && label == AVIS_NEUTRAL);
  } else if (strcmp(name, "zero-width") == 0) {
    EXPECT(words == units); /* bon<ZWJ>heur is one word, bonheur */
    EXPECT(label == AVIS_POSITIVE);
  } else if (strcmp(name, "elisions") == 0) {
    EXPECT(words >= 1 && tokens >= 2);
  }
}

static avis_analyzer *new_analyzer(const char *data_dir, avis_model **model) {
  avis_model_options *opts = NULL;
  avis_analyzer *a = NULL;
  if (avis_model_options_new(&opts) ||
      avis_model_options_set_data_dir(opts, data_dir) ||
      avis_model_load(model, opts) || avis_analyzer_new(&a, *model)) {
    printf("Bail out! cannot load the model: %s\n", avis_last_error());
    exit(1);
  }
  avis_model_options_free(opts);
  return a;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "Usage: %s DATA_DIR CASE\n", argv[0]);
    return 2;
  }
  const char *name = argv[2];
  /* token-limit: the long sentence again, cut by the analyzer's limit. */
  int limited = strcmp(name, "token-limit") == 0;
  const avis_patho_case *c = avis_patho_find(limited ? "long-sentence" : name);
  if (!c) {
    fprintf(stderr, "%s: unknown case\n", name);
    return 2;
  }
  avis_model *model;
  avis_analyzer *a = new_analyzer(argv[1], &model);
  size_t len;
  char *doc = avis_patho_make(c, c->units, &len);
  if (!doc) {
    printf("Bail out! out of memory\n");
    return 1;
  }
  if (limited)
    avis_analyzer_set_max_tokens(a, 1000);
  double t0 = now();
  avis_result *r = NULL;
  int rc = avis_analyze(a, doc, len, &r);
  double elapsed = now() - t0;
  EXPECT(rc == 0);
  if (rc == 0) {
    check_sane(r);
    check_case(name, r, c->units);
    if (limited)
      EXPECT(avis_result_token_count(r) == 1000 && avis_result_truncated(r));
    else
      EXPECT(!avis_result_truncated(r));
    if (strcmp(name, "long-sentence") == 0)
      EXPECT(avis_result_token_count(r) == 5 * c->units);
  } else {
    printf("# %s\n", avis_last_error());
  }
  printf("# %s: %s, %zu bytes, %.2f s\n", name, c->what, len, elapsed);
  if (!failures)
    printf("ok - %s\n", name);
  avis_result_free(r);
  free(doc);
  avis_analyzer_free(a);
  avis_model_free(model);
  return failures ? 1 : 0;
}
