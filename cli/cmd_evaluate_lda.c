/* `avis evaluate lda`: held-out perplexity and topic coherence of an LDA
 * model (docs/lda.md). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lda_cli.h"

static void usage(FILE *out) {
  fputs("Usage: avis evaluate lda [OPTIONS] MODEL HELDOUT...\n"
        "Held-out perplexity (document completion: the first half of each\n"
        "document gives its topic mixture, the second half is scored) and\n"
        "the UMass and NPMI coherence of every topic's top words, counted\n"
        "over the documents of a reference corpus (default: HELDOUT).\n"
        "\n"
        "  --reference FILE   reference corpus for coherence (repeatable)\n"
        "  --top N            words per topic for coherence (default 10)\n"
        "  --seed N           seed of the fold-in sampler (default 1)\n"
        "  --format F         auto, jsonl, tsv, text, lines or tokens\n"
        "  --text-field LIST  JSON fields joined as the text (default text)\n"
        "  --data-dir DIR     data directory (stop words)\n"
        "  --topics           also print every topic's coherence\n"
        "  -h, --help         show this help\n",
        out);
}

enum { OPT_REFERENCE = 500, OPT_TOP, OPT_SEED, OPT_FORMAT, OPT_TEXT_FIELD,
       OPT_DATA_DIR, OPT_TOPICS };

static const struct option long_options[] = {
    {"reference", required_argument, NULL, OPT_REFERENCE},
    {"top", required_argument, NULL, OPT_TOP},
    {"seed", required_argument, NULL, OPT_SEED},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"text-field", required_argument, NULL, OPT_TEXT_FIELD},
    {"data-dir", required_argument, NULL, OPT_DATA_DIR},
    {"topics", no_argument, NULL, OPT_TOPICS},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

#define MAX_REFERENCES 64

static void print_quality(const avis_lda *lda, const avis_lda_quality *q,
                          int per_topic) {
  printf("held-out documents  %zu\n", q->docs);
  printf("held-out tokens     %zu\n", q->tokens);
  printf("log-likelihood      %.4f per token\n", q->log_likelihood);
  printf("perplexity          %.1f\n", q->perplexity);
  printf("coherence UMass     %.4f\n", q->umass);
  printf("coherence NPMI      %.4f\n", q->npmi);
  for (size_t k = 0; per_topic && k < avis_lda_topic_count(lda); k++) {
    const char *label;
    avis_lda_topic(lda, k, &label, NULL, NULL);
    printf("  topic %3zu  UMass %8.4f  NPMI %7.4f  %s\n", k, q->topic_umass[k],
           q->topic_npmi[k], label);
  }
}

static int evaluate(const lda_input *in, const char *model_path, int nheld,
                    char **held, int nref, char **refs, unsigned top,
                    unsigned long long seed, int per_topic) {
  avis_lda *lda = NULL;
  if (avis_lda_load(&lda, model_path)) {
    fprintf(stderr, "avis evaluate: %s\n", avis_last_error());
    return AVIS_EXIT_DATA;
  }
  lda_input mine = *in;
  if (avis_lda_terms(lda) == AVIS_TERMS_TOKENS)
    mine.tokens = 1;
  else
    mine.terms = avis_lda_terms(lda);
  avis_model *m1 = NULL, *m2 = NULL;
  avis_corpus *heldout = NULL, *reference = NULL;
  int status = lda_read_corpus(&mine, nheld, held, &m1, &heldout);
  if (!status && nref)
    status = lda_read_corpus(&mine, nref, refs, &m2, &reference);
  avis_lda_quality q;
  if (!status && avis_lda_evaluate(lda, heldout, reference ? reference : heldout,
                                   top, seed, &q)) {
    fprintf(stderr, "avis evaluate: %s\n", avis_last_error());
    status = AVIS_EXIT_DATA;
  } else if (!status) {
    print_quality(lda, &q, per_topic);
    avis_lda_quality_release(&q);
  }
  avis_corpus_free(heldout);
  avis_corpus_free(reference);
  avis_model_free(m1);
  avis_model_free(m2);
  avis_lda_free(lda);
  return status;
}

int cmd_evaluate_lda(int argc, char **argv) {
  lda_input in = {.format = INPUT_AUTO, .terms = AVIS_TERMS_STEMS,
                  .text_fields = "text"};
  char *refs[MAX_REFERENCES];
  int nref = 0, per_topic = 0, c;
  unsigned top = 10;
  unsigned long long seed = 1;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
    int bad = 0;
    switch (c) {
    case 'h': usage(stdout); return AVIS_EXIT_OK;
    case OPT_REFERENCE:
      bad = nref == MAX_REFERENCES;
      if (!bad)
        refs[nref++] = optarg;
      break;
    case OPT_TOP: top = (unsigned)strtoul(optarg, NULL, 10); bad = top < 2; break;
    case OPT_SEED: seed = strtoull(optarg, NULL, 10); break;
    case OPT_FORMAT: bad = lda_parse_format(optarg, &in); break;
    case OPT_TEXT_FIELD: in.text_fields = optarg; break;
    case OPT_DATA_DIR: in.data_dir = optarg; break;
    case OPT_TOPICS: per_topic = 1; break;
    default: bad = 1;
    }
    if (bad) {
      usage(stderr);
      return AVIS_EXIT_USAGE;
    }
  }
  if (argc - optind < 2) {
    usage(stderr);
    return AVIS_EXIT_USAGE;
  }
  return evaluate(&in, argv[optind], argc - optind - 1, argv + optind + 1,
                  nref, refs, top, seed, per_topic);
}
