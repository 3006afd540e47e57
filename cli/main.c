/* avis: French sentiment and topic analysis from the command line.
 * Installed with a link `analyze` that behaves as `avis analyze`. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lda_cli.h"

static void usage(FILE *out) {
  fputs("Usage: avis COMMAND [OPTIONS] [ARGS]\n"
        "       analyze [OPTIONS] FILE...   (same as 'avis analyze')\n"
        "\n"
        "Commands:\n"
        "  analyze   sentiment, topics and statistics of French texts\n"
        "  train     train a topic model or sentiment classifier ('train nb'),\n"
        "            or discover topics ('train lda')\n"
        "  evaluate  evaluate a model, or cross-validate training;\n"
        "            'evaluate lda': perplexity and coherence of an LDA model\n"
        "  topics    list the topics of an LDA model\n"
        "  dump      print a model file as text\n"
        "  data-image  build or check the compiled default data files\n"
        "\n"
        "Options:\n"
        "  -h, --help      show this help\n"
        "  -V, --version   show the version\n"
        "\n"
        "Run 'avis COMMAND --help' for a command's options.\n",
        out);
}

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

int main(int argc, char **argv) {
  if (argc > 0 && strcmp(base_name(argv[0]), "analyze") == 0)
    return cmd_analyze(argc, argv);
  if (argc < 2) {
    usage(stderr);
    return AVIS_EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
    usage(stdout);
    return AVIS_EXIT_OK;
  }
  if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
    printf("avis %s\n", avis_version());
    return AVIS_EXIT_OK;
  }
  if (strcmp(cmd, "analyze") == 0)
    return cmd_analyze(argc - 1, argv + 1);
  if (strcmp(cmd, "train") == 0 && argc > 2 && strcmp(argv[2], "lda") == 0)
    return cmd_train_lda(argc - 2, argv + 2);
  if (strcmp(cmd, "train") == 0)
    return cmd_train(argc - 1, argv + 1);
  if (strcmp(cmd, "evaluate") == 0 && argc > 2 && strcmp(argv[2], "lda") == 0)
    return cmd_evaluate_lda(argc - 2, argv + 2);
  if (strcmp(cmd, "topics") == 0)
    return cmd_topics(argc - 1, argv + 1);
  if (strcmp(cmd, "evaluate") == 0)
    return cmd_evaluate(argc - 1, argv + 1);
  if (strcmp(cmd, "dump") == 0)
    return cmd_dump(argc - 1, argv + 1);
  if (strcmp(cmd, "data-image") == 0)
    return cmd_data_image(argc - 1, argv + 1);
  fprintf(stderr, "avis: unknown command '%s'\n", cmd);
  usage(stderr);
  return AVIS_EXIT_USAGE;
}
