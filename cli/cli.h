/* Shared pieces of the avis command-line program. It uses only the public
 * header: anything it needs from the library is public API. */
#ifndef AVIS_CLI_H
#define AVIS_CLI_H

#include <stdio.h>

#include "avis.h"

/* Exit statuses, documented in `avis --help` and docs/cli.md. */
enum {
  AVIS_EXIT_OK = 0,
  AVIS_EXIT_INPUT = 1,  /* at least one input could not be analysed */
  AVIS_EXIT_USAGE = 2,  /* bad command line */
  AVIS_EXIT_DATA = 3,   /* data files (lexicons) could not be loaded */
  AVIS_EXIT_OUTPUT = 4  /* writing the output failed */
};

int cmd_analyze(int argc, char **argv);

/* The data directory: `explicit` if given, else $AVIS_DATA_DIR, else the
 * installed data directory next to the program, else the one fixed at
 * build time, else the source tree (a program run from its build tree).
 * NULL when none holds the default lexicon. */
const char *cli_find_data_dir(const char *explicit_dir);

/* Text report of one analysis (report_text.c). */
void report_text(FILE *out, const char *name, const avis_result *r,
                 const avis_model *model, int show_tokens);

#endif
