/* `avis topics`: the topics of an LDA model, their top words and weights. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lda_cli.h"

static void usage(FILE *out) {
  fputs("Usage: avis topics [--json] [--words N] MODEL\n"
        "List the topics of an LDA model: a short label made of its top\n"
        "words, its share of the training tokens, and its top words with\n"
        "their probability in the topic.\n"
        "\n"
        "  --json      an array of {id, label, share, alpha, floor, words:\n"
        "              [{word, weight}, ...]}, best words first ('floor' is\n"
        "              the weight of a known word the list leaves out)\n"
        "  --words N   words per topic (default 10; 0: every saved word)\n"
        "  -h, --help  show this help\n",
        out);
}

static size_t words_of(const avis_lda *lda, size_t k, size_t max) {
  size_t n = avis_lda_topic_word_count(lda, k);
  return max && max < n ? max : n;
}

static int print_text(const avis_lda *lda, size_t max) {
  for (size_t k = 0; k < avis_lda_topic_count(lda); k++) {
    const char *label, *word;
    double share, weight;
    avis_lda_topic(lda, k, &label, &share, NULL);
    printf("topic %zu  %.1f%%  %s\n ", k, 100 * share, label);
    for (size_t i = 0; i < words_of(lda, k, max); i++) {
      avis_lda_topic_word(lda, k, i, &word, &weight);
      printf(" %s %.4f", word, weight);
    }
    putchar('\n');
  }
  return fflush(stdout) == 0 && !ferror(stdout) ? 0 : -1;
}

static json_t *topic_json(const avis_lda *lda, size_t k, size_t max) {
  const char *label, *word;
  double share, alpha, weight;
  avis_lda_topic(lda, k, &label, &share, &alpha);
  json_t *t = json_object(), *words = json_array();
  json_object_set_new(t, "id", json_integer((json_int_t)k));
  json_object_set_new(t, "label", json_string(label));
  json_object_set_new(t, "share", json_real(share));
  json_object_set_new(t, "alpha", json_real(alpha));
  json_object_set_new(t, "floor", json_real(avis_lda_topic_floor(lda, k)));
  for (size_t i = 0; i < words_of(lda, k, max); i++) {
    avis_lda_topic_word(lda, k, i, &word, &weight);
    json_t *w = json_object();
    json_object_set_new(w, "word", json_string(word));
    json_object_set_new(w, "weight", json_real(weight));
    json_array_append_new(words, w);
  }
  json_object_set_new(t, "words", words);
  return t;
}

static int print_json(const avis_lda *lda, size_t max) {
  json_t *all = json_array();
  for (size_t k = 0; k < avis_lda_topic_count(lda); k++)
    json_array_append_new(all, topic_json(lda, k, max));
  int rc = json_dumpf(all, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                       JSON_REAL_PRECISION(8));
  json_decref(all);
  if (!rc)
    putchar('\n');
  return !rc && fflush(stdout) == 0 && !ferror(stdout) ? 0 : -1;
}

int cmd_topics(int argc, char **argv) {
  int json = 0;
  size_t max = 10;
  const char *path = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--json") == 0) {
      json = 1;
    } else if (strcmp(argv[i], "--words") == 0 && i + 1 < argc) {
      char *end;
      max = strtoul(argv[++i], &end, 10);
      if (*end || end == argv[i] || argv[i][0] == '-') {
        usage(stderr);
        return AVIS_EXIT_USAGE;
      }
    } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      usage(stdout);
      return AVIS_EXIT_OK;
    } else if (!path && argv[i][0] != '-') {
      path = argv[i];
    } else {
      usage(stderr);
      return AVIS_EXIT_USAGE;
    }
  }
  if (!path) {
    usage(stderr);
    return AVIS_EXIT_USAGE;
  }
  avis_lda *lda = NULL;
  if (avis_lda_load(&lda, path)) {
    fprintf(stderr, "avis topics: %s\n", avis_last_error());
    return AVIS_EXIT_DATA;
  }
  int rc = json ? print_json(lda, max) : print_text(lda, max);
  avis_lda_free(lda);
  return rc ? AVIS_EXIT_OUTPUT : AVIS_EXIT_OK;
}
