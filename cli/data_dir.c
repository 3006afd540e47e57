#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define MARKER "/lexicons/fr-polarity.tsv"

static int holds_data(const char *dir) {
  static char path[PATH_MAX];
  size_t n = strlen(dir);
  if (n + sizeof MARKER > sizeof path)
    return 0;
  memcpy(path, dir, n);
  memcpy(path + n, MARKER, sizeof MARKER);
  return access(path, R_OK) == 0;
}

/* <prefix>/share/avis when the program runs from <prefix>/bin, so that an
 * installed tree can be moved as a whole. */
static const char *relative_to_program(void) {
  static char dir[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 32);
  if (n <= 0)
    return NULL;
  dir[n] = '\0';
  char *slash = strrchr(dir, '/');
  if (!slash)
    return NULL;
  *slash = '\0';
  slash = strrchr(dir, '/');
  if (!slash || strcmp(slash, "/bin") != 0)
    return NULL;
  strcpy(slash, "/share/avis");
  return dir;
}

const char *cli_find_data_dir(const char *explicit_dir) {
  if (explicit_dir)
    return explicit_dir;
  const char *env = getenv("AVIS_DATA_DIR");
  if (env && *env)
    return env;
  const char *candidates[] = {relative_to_program(), AVIS_INSTALL_DATA_DIR,
                              AVIS_SOURCE_DATA_DIR};
  for (size_t i = 0; i < sizeof candidates / sizeof *candidates; i++)
    if (candidates[i] && holds_data(candidates[i]))
      return candidates[i];
  return NULL;
}
