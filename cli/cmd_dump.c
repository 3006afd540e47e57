/* `avis dump`: a model file as readable text. */
#include <string.h>

#include "cli.h"

static void dump_usage(FILE *out) {
  fputs("Usage: avis dump [--weights] MODEL\n"
        "Print a model file as text: parameters, training provenance, labels\n"
        "with their thresholds and strongest terms; --weights adds every\n"
        "term's weights. For an LDA model: its topics and their top words\n"
        "(--weights: every saved word).\n",
        out);
}

int cmd_dump(int argc, char **argv) {
  unsigned flags = 0;
  const char *path = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--weights") == 0) {
      flags |= AVIS_DUMP_WEIGHTS;
    } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      dump_usage(stdout);
      return AVIS_EXIT_OK;
    } else if (!path && argv[i][0] != '-') {
      path = argv[i];
    } else {
      dump_usage(stderr);
      return AVIS_EXIT_USAGE;
    }
  }
  if (!path) {
    dump_usage(stderr);
    return AVIS_EXIT_USAGE;
  }
  avis_classifier *cl = NULL;
  avis_lda *lda = NULL;
  char *text = NULL, lda_error[512];
  size_t len = 0;
  int rc = avis_lda_load(&lda, path);
  snprintf(lda_error, sizeof lda_error, "%s", avis_last_error());
  if (!rc)
    rc = avis_lda_dump(lda, flags, &text, &len);
  else if ((rc = avis_classifier_load(&cl, path)) == 0)
    rc = avis_classifier_dump(cl, flags, &text, &len);
  else if (strstr(avis_last_error(), "section PARM is missing"))
    fprintf(stderr, "avis dump: %s\n", lda_error); /* an LDA file */
  else
    fprintf(stderr, "avis dump: %s\n", avis_last_error());
  avis_classifier_free(cl);
  avis_lda_free(lda);
  if (rc)
    return AVIS_EXIT_DATA;
  int ok = fwrite(text, 1, len, stdout) == len && fflush(stdout) == 0;
  avis_free(text);
  return ok ? AVIS_EXIT_OK : AVIS_EXIT_OUTPUT;
}
