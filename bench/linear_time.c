/* Times the analysis of each pathological document (tests/hostile/) at
 * doubling sizes and prints how the time grows: a ratio near 2 per
 * doubling is linear, near 4 quadratic.
 * Usage: linear_time DATA_DIR [STEPS [DIVISOR [CASE...]]]
 * Sizes start at the case's size divided by DIVISOR (default 8), or more
 * when that is too quick to time, and double STEPS times (default 3).
 * Prints one line per case with its growth per doubling (the geometric
 * mean of the ratios) and, last, the worst; the exit status is 0 whatever
 * the ratios (linear_time.sh judges). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "avis.h"
#include "pathological.h"

#define RUNS 3

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Best of RUNS, in seconds; negative when the analysis fails. */
static double time_case(avis_analyzer *a, const avis_patho_case *c,
                        size_t units) {
  size_t len;
  char *doc = avis_patho_make(c, units, &len);
  if (!doc)
    return -1;
  double best = -1;
  for (int i = 0; i < RUNS; i++) {
    avis_result *r;
    double t0 = now();
    int rc = avis_analyze(a, doc, len, &r);
    double t = now() - t0;
    avis_result_free(r);
    if (rc) {
      fprintf(stderr, "%s: %s\n", c->name, avis_last_error());
      best = -1;
      break;
    }
    if (best < 0 || t < best)
      best = t;
  }
  free(doc);
  return best;
}

static int selected(const char *name, int argc, char **argv) {
  if (argc <= 4)
    return 1;
  for (int i = 4; i < argc; i++)
    if (strcmp(argv[i], name) == 0)
      return 1;
  return 0;
}

/* The first size: the case's size divided by `divisor`, doubled until one
 * analysis takes MIN_TIME, so that the clock's resolution and the noise of
 * a busy machine do not set the ratios. */
#define MIN_TIME 0.02
#define MAX_UNITS ((size_t)1 << 26)

static size_t first_size(avis_analyzer *a, const avis_patho_case *c,
                         size_t divisor) {
  size_t units = c->units / divisor ? c->units / divisor : 1;
  while (units < MAX_UNITS) {
    double t = time_case(a, c, units);
    if (t < 0 || t >= MIN_TIME)
      break;
    units *= 2;
  }
  return units;
}

static double run_case(avis_analyzer *a, const avis_patho_case *c, int steps,
                       size_t divisor) {
  size_t units = first_size(a, c, divisor);
  double prev = -1, first = -1;
  printf("%-14s %9zu units", c->name, units);
  for (int s = 0; s <= steps; s++, units *= 2) {
    double t = time_case(a, c, units);
    if (t < 0) {
      printf(" failed\n");
      return -1;
    }
    printf(" %8.4fs", t);
    if (prev > 0)
      printf(" (x%.2f)", t / prev);
    else
      first = t;
    prev = t;
  }
  /* One noisy step should not decide: the growth per doubling is the
   * geometric mean over all of them. */
  double growth = steps > 0 ? pow(prev / first, 1.0 / steps) : 1;
  printf("  per doubling x%.2f\n", growth);
  return growth;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "Usage: %s DATA_DIR [STEPS [DIVISOR [CASE...]]]\n", argv[0]);
    return 2;
  }
  int steps = argc > 2 ? atoi(argv[2]) : 3;
  size_t divisor = argc > 3 ? (size_t)strtoul(argv[3], NULL, 10) : 8;
  avis_model_options *opts;
  avis_model *model;
  avis_analyzer *a;
  if (avis_model_options_new(&opts) ||
      avis_model_options_set_data_dir(opts, argv[1]) ||
      avis_model_load(&model, opts) || avis_analyzer_new(&a, model)) {
    fprintf(stderr, "%s\n", avis_last_error());
    return 1;
  }
  avis_model_options_free(opts);
  avis_analyzer_set_max_bytes(a, 0);
  printf("time per document, best of %d; (xR) = time ratio to the previous "
         "size, which doubles\n", RUNS);
  double worst = 0;
  int failed = 0;
  for (const avis_patho_case *c = avis_patho_cases; c->name; c++) {
    if (!selected(c->name, argc, argv))
      continue;
    double w = run_case(a, c, steps, divisor ? divisor : 1);
    failed |= w < 0;
    if (w > worst)
      worst = w;
  }
  printf("worst growth per doubling: %.2f\n", worst);
  avis_analyzer_free(a);
  avis_model_free(model);
  return failed;
}
