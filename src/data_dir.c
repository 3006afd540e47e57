/* The default data directory: where `cmake --install` put the lexicons and
 * models, found relative to the installed library so that an installed
 * tree can be moved as a whole. */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "avis.h"

/* Set by the build: the data directory fixed at configure time, and the
 * path from the library's directory to the data directory. */
#ifndef AVIS_INSTALL_DATA_DIR
#define AVIS_INSTALL_DATA_DIR "/usr/local/share/avis"
#endif
#ifndef AVIS_LIB_TO_DATA_DIR
#define AVIS_LIB_TO_DATA_DIR "../share/avis"
#endif

#define DATA_MARKER "/lexicons/fr-polarity.tsv"

static char default_dir[PATH_MAX] = AVIS_INSTALL_DATA_DIR;
static pthread_once_t default_dir_once = PTHREAD_ONCE_INIT;

static int holds_default_data(const char *dir) {
  char path[PATH_MAX];
  int n = snprintf(path, sizeof path, "%s" DATA_MARKER, dir);
  return n > 0 && (size_t)n < sizeof path && access(path, R_OK) == 0;
}

/* <directory of the object holding this code>/<AVIS_LIB_TO_DATA_DIR>: the
 * shared library, or the program a static library was linked into. */
static void find_default_data_dir(void) {
  static const char self = 0;
  Dl_info info;
  if (!dladdr(&self, &info) || !info.dli_fname)
    return;
  const char *slash = strrchr(info.dli_fname, '/');
  if (!slash)
    return;
  char beside[PATH_MAX], resolved[PATH_MAX];
  int n = snprintf(beside, sizeof beside, "%.*s/%s",
                   (int)(slash - info.dli_fname), info.dli_fname,
                   AVIS_LIB_TO_DATA_DIR);
  if (n <= 0 || (size_t)n >= sizeof beside || !holds_default_data(beside))
    return;
  const char *dir = realpath(beside, resolved) ? resolved : beside;
  snprintf(default_dir, sizeof default_dir, "%s", dir);
}

const char *avis_default_data_dir(void) {
  pthread_once(&default_dir_once, find_default_data_dir);
  return default_dir;
}
