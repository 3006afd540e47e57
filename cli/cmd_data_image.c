/* `avis data-image`: builds and checks the data image of a data directory
 * (docs/model-format.md, "Data images"). */
#include <string.h>

#include "avis_train.h"
#include "cli.h"

static void data_image_usage(FILE *out) {
  fputs("Usage: avis data-image build [DATA_DIR] [-o FILE]\n"
        "       avis data-image check [DATA_DIR] [--image FILE]\n"
        "Compile the default lexicon, modifier list and stop words of a data\n"
        "directory into the image that 'analyze' maps at start-up instead of\n"
        "parsing them (DATA_DIR/lexicons/fr-default.avd unless FILE is given).\n"
        "'check' says whether the image is what 'build' would write now; it\n"
        "exits with 0 when it is, 1 when not (the image is then not used, or\n"
        "must be rebuilt), 3 when the data files cannot be read.\n"
        "DATA_DIR defaults to $AVIS_DATA_DIR, else the installed data, else\n"
        "the source tree.\n",
        out);
}

static const char *status_name(avis_data_image_status s) {
  static const char *const names[] = {"up to date", "missing", "damaged",
                                      "stale",      "foreign", "different"};
  return (unsigned)s < sizeof names / sizeof *names ? names[s] : "unknown";
}

static int build(const char *data_dir, const char *image) {
  if (avis_data_image_build(data_dir, image) != 0) {
    fprintf(stderr, "avis data-image: %s\n", avis_last_error());
    return AVIS_EXIT_DATA;
  }
  return AVIS_EXIT_OK;
}

static int check(const char *data_dir, const char *image) {
  avis_data_image_status status;
  char why[512], dflt[4096];
  if (!image) {
    snprintf(dflt, sizeof dflt, "%s/lexicons/fr-default.avd", data_dir);
    image = dflt;
  }
  if (avis_data_image_check(data_dir, image, &status, why, sizeof why) != 0) {
    fprintf(stderr, "avis data-image: %s\n", avis_last_error());
    return AVIS_EXIT_DATA;
  }
  printf("%s: %s", image, status_name(status));
  if (status != AVIS_DATA_IMAGE_CURRENT)
    printf(": %s", why);
  putchar('\n');
  return status == AVIS_DATA_IMAGE_CURRENT ? AVIS_EXIT_OK : AVIS_EXIT_INPUT;
}

int cmd_data_image(int argc, char **argv) {
  const char *action = argc > 1 ? argv[1] : "";
  int is_build = strcmp(action, "build") == 0;
  if (strcmp(action, "-h") == 0 || strcmp(action, "--help") == 0) {
    data_image_usage(stdout);
    return AVIS_EXIT_OK;
  }
  if (!is_build && strcmp(action, "check") != 0) {
    data_image_usage(stderr);
    return AVIS_EXIT_USAGE;
  }
  const char *dir = NULL, *image = NULL;
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];
    int image_option = is_build ? strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0
                                : strcmp(a, "--image") == 0;
    if (image_option && i + 1 < argc && !image) {
      image = argv[++i];
    } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      data_image_usage(stdout);
      return AVIS_EXIT_OK;
    } else if (!dir && a[0] != '-') {
      dir = a;
    } else {
      data_image_usage(stderr);
      return AVIS_EXIT_USAGE;
    }
  }
  const char *data_dir = cli_find_data_dir(dir);
  if (!data_dir) {
    fputs("avis data-image: no data directory holds lexicons/fr-polarity.tsv;"
          " give one\n", stderr);
    return AVIS_EXIT_DATA;
  }
  return is_build ? build(data_dir, image) : check(data_dir, image);
}
