/* Where records go. A regular file named with -o is written to a
 * temporary file beside it and renamed over it only when complete, so that
 * a failed run never leaves a truncated file in its place; anything else
 * (a pipe, a terminal, /dev/null) is written directly and never replaced.
 * Every write is checked: a full disk or a closed pipe ends the run. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"

#define OUTPUT_BUFFER (1 << 16)

/* The temporary file to remove if the run is interrupted. */
static char pending_temp[PATH_MAX];
static volatile sig_atomic_t have_pending_temp;

static void remove_pending_temp(int sig) {
  if (have_pending_temp)
    unlink(pending_temp);
  raise(sig); /* the handler was reset: the signal now ends the program */
}

static void watch_temp(const char *path) {
  size_t n = strlen(path);
  if (n >= sizeof pending_temp)
    return;
  memcpy(pending_temp, path, n + 1);
  have_pending_temp = 1;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = remove_pending_temp;
  sa.sa_flags = SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
}

static void unwatch_temp(void) {
  have_pending_temp = 0;
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  signal(SIGHUP, SIG_DFL);
}

static int fail(output *o, int err) {
  if (!o->err)
    o->err = err ? err : EIO;
  return -1;
}

/* "DIR/.BASE.XXXXXX" beside `target`. */
static char *temp_name(const char *target) {
  const char *slash = strrchr(target, '/');
  size_t dir = slash ? (size_t)(slash - target) + 1 : 0;
  const char *base = target + dir;
  size_t n = dir + 1 + strlen(base) + sizeof ".XXXXXX";
  char *name = malloc(n);
  if (name)
    snprintf(name, n, "%.*s.%s.XXXXXX", (int)dir, target, base);
  return name;
}

static mode_t new_file_mode(void) {
  mode_t mask = umask(0);
  umask(mask);
  return 0666 & ~mask;
}

static int open_temp(output *o, const char *path, const struct stat *existing) {
  o->target = existing ? realpath(path, NULL) : strdup(path);
  if (!o->target)
    return fail(o, errno);
  o->temp = temp_name(o->target);
  if (!o->temp)
    return fail(o, errno);
  int fd = mkstemp(o->temp);
  if (fd < 0) {
    free(o->temp);
    o->temp = NULL;
    return fail(o, errno);
  }
  watch_temp(o->temp);
  mode_t mode = existing ? existing->st_mode & 07777 : new_file_mode();
  if (fchmod(fd, mode) != 0 || !(o->f = fdopen(fd, "w"))) {
    int err = errno;
    close(fd);
    unlink(o->temp);
    unwatch_temp();
    return fail(o, err);
  }
  o->regular = 1;
  return 0;
}

int output_open(output *o, const char *path) {
  *o = (output){0};
  struct stat st;
  if (!path || strcmp(path, "-") == 0) {
    o->f = stdout;
    o->name = "standard output";
    o->regular = fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode);
    if (!isatty(STDOUT_FILENO))
      setvbuf(stdout, NULL, _IOFBF, OUTPUT_BUFFER);
    return 0;
  }
  o->name = path;
  int exists = stat(path, &st) == 0;
  if (exists && !S_ISREG(st.st_mode)) {
    o->f = fopen(path, "w");
    return o->f ? 0 : fail(o, errno);
  }
  if (open_temp(o, path, exists ? &st : NULL))
    return -1;
  setvbuf(o->f, NULL, _IOFBF, OUTPUT_BUFFER);
  return 0;
}

int output_write(output *o, const char *data, size_t len) {
  if (o->err)
    return -1;
  if (fwrite(data, 1, len, o->f) != len)
    return fail(o, errno);
  return 0;
}

int output_flush(output *o) {
  if (o->err)
    return -1;
  return fflush(o->f) == 0 ? 0 : fail(o, errno);
}

int output_close(output *o, int keep) {
  if (o->f && (fflush(o->f) != 0 || ferror(o->f)))
    fail(o, errno);
  if (o->f && o->temp) {
    if (!o->err && keep && fsync(fileno(o->f)) != 0)
      fail(o, errno);
    if (fclose(o->f) != 0)
      fail(o, errno);
    if (!o->err && keep && rename(o->temp, o->target) != 0)
      fail(o, errno);
    if (o->err || !keep)
      unlink(o->temp);
    unwatch_temp();
  } else if (o->f && o->f != stdout && fclose(o->f) != 0) {
    fail(o, errno);
  }
  o->f = NULL;
  free(o->temp);
  free(o->target);
  o->temp = o->target = NULL;
  return o->err ? -1 : 0;
}

void output_report(const output *o) {
  fprintf(stderr, "analyze: error writing %s: %s\n", o->name ? o->name : "",
          strerror(o->err));
}
