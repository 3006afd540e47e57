#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define MARKER "/lexicons/fr-polarity.tsv"

static int holds_data(const char *dir) {
  char path[PATH_MAX];
  size_t n = strlen(dir);
  if (n + sizeof MARKER > sizeof path)
    return 0;
  memcpy(path, dir, n);
  memcpy(path + n, MARKER, sizeof MARKER);
  return access(path, R_OK) == 0;
}

/* The installed data (found by the library next to itself, so that a moved
 * tree still works), else the source tree of a program run from its build
 * tree. */
const char *cli_find_data_dir(const char *explicit_dir) {
  if (explicit_dir)
    return explicit_dir;
  const char *env = getenv("AVIS_DATA_DIR");
  if (env && *env)
    return env;
  const char *candidates[] = {avis_default_data_dir(), AVIS_SOURCE_DATA_DIR};
  for (size_t i = 0; i < sizeof candidates / sizeof *candidates; i++)
    if (candidates[i] && holds_data(candidates[i]))
      return candidates[i];
  return NULL;
}
