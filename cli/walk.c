/* The inputs of a batch: arguments as named, directories walked
 * recursively. Only paths are kept (and sizes, for the progress line), so
 * that 100,000 files cost a few megabytes; the texts are read later, by
 * the workers. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* d_type of readdir() */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "batch.h"

/* A directory being walked, and the chain of its ancestors, to recognise a
 * symbolic link leading back up the tree. */
typedef struct ancestor {
  dev_t dev;
  ino_t ino;
  const char *path;
  const struct ancestor *parent;
} ancestor;

typedef struct {
  walk_list *list;
  const str_list *include, *exclude;
} walk_ctx;

static int push(walk_list *list, char *path, const char *code, char *message,
                uint64_t size, int regular) {
  if (list->len == list->cap) {
    size_t cap = list->cap ? list->cap * 2 : 64;
    walk_entry *v = realloc(list->v, cap * sizeof *v);
    if (!v) {
      free(path);
      free(message);
      return -1;
    }
    list->v = v;
    list->cap = cap;
  }
  list->v[list->len++] = (walk_entry){path, code, message, size, regular};
  list->bytes += size;
  return 0;
}

static int push_copy(walk_list *list, const char *path, uint64_t size,
                     int regular) {
  char *copy = strdup(path);
  return copy ? push(list, copy, NULL, NULL, size, regular) : -1;
}

/* An entry for a path the walk could not go through. */
static int push_error(walk_list *list, const char *path, const char *code,
                      const char *fmt, const char *detail) {
  char *copy = strdup(path);
  size_t n = strlen(fmt) + strlen(detail);
  char *message = malloc(n);
  if (!copy || !message) {
    free(copy);
    free(message);
    return -1;
  }
  snprintf(message, n, fmt, detail);
  return push(list, copy, code, message, 0, 0);
}

static int matches_any(const str_list *patterns, const char *name) {
  for (size_t i = 0; i < patterns->len; i++)
    if (fnmatch(patterns->v[i], name, 0) == 0)
      return 1;
  return 0;
}

static char *join(const char *dir, const char *name) {
  size_t d = strlen(dir), n = strlen(name);
  int slash = d > 0 && dir[d - 1] != '/';
  char *path = malloc(d + slash + n + 1);
  if (path) {
    memcpy(path, dir, d);
    if (slash)
      path[d] = '/';
    memcpy(path + d + slash, name, n + 1);
  }
  return path;
}

/* A name found in a directory, and what stat() said of it: only what the
 * walk reads, since a directory's names are all held at once. */
typedef struct {
  char *name;
  int err;             /* errno of stat(), or 0 */
  mode_t mode;
  dev_t dev;
  ino_t ino;
  uint64_t size;
} dir_entry;

static const ancestor *find_ancestor(const ancestor *a, dev_t dev, ino_t ino) {
  for (; a; a = a->parent)
    if (a->dev == dev && a->ino == ino)
      return a;
  return NULL;
}

/* stat() of a name in the open directory `d`; a regular file the
 * directory says is one needs none, unless its size is wanted. */
static int stat_entry(const walk_ctx *w, DIR *d, const struct dirent *e,
                      dir_entry *v) {
  v->mode = S_IFREG;
  v->dev = 0;
  v->ino = 0;
  v->size = 0;
  if (e->d_type == DT_REG && !w->list->sizes)
    return 0;
  struct stat st;
  if (fstatat(dirfd(d), e->d_name, &st, 0) != 0)
    return errno;
  v->mode = st.st_mode;
  v->dev = st.st_dev;
  v->ino = st.st_ino;
  v->size = (uint64_t)st.st_size;
  return 0;
}

static void free_entries(dir_entry *v, size_t len) {
  for (size_t i = 0; i < len; i++)
    free(v[i].name);
  free(v);
}

/* The names in a directory that are not excluded, each with its stat(),
 * read at once so that no directory stays open while its subdirectories
 * are walked (deep trees would run out of file descriptors). Each name is
 * looked up from the open directory, not from the root of its path. The
 * array ends with a NULL name; NULL with errno set on failure. */
static dir_entry *read_entries(walk_ctx *w, const char *dir) {
  DIR *d = opendir(dir);
  if (!d)
    return NULL;
  size_t len = 0, cap = 16;
  dir_entry *v = malloc(cap * sizeof *v);
  struct dirent *e;
  int err = v ? 0 : ENOMEM;
  while (!err) {
    errno = 0;
    if (!(e = readdir(d))) {
      err = errno;
      break;
    }
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
        matches_any(w->exclude, e->d_name))
      continue;
    if (len + 1 == cap) {
      dir_entry *grown = realloc(v, cap * 2 * sizeof *v);
      if (!grown) {
        err = ENOMEM;
        break;
      }
      v = grown;
      cap *= 2;
    }
    if (!(v[len].name = strdup(e->d_name))) {
      err = ENOMEM;
      break;
    }
    v[len].err = stat_entry(w, d, e, &v[len]);
    len++;
  }
  closedir(d);
  if (v)
    v[len].name = NULL;
  if (err) {
    free_entries(v, len);
    errno = err;
    return NULL;
  }
  return v;
}

static int walk_dir(walk_ctx *w, const char *dir, const ancestor *self);

/* One name found in a directory: a file to analyse, a directory to walk,
 * or something to report. */
static int walk_entry_at(walk_ctx *w, const char *path, const dir_entry *e,
                         const ancestor *parent) {
  if (!e->err && S_ISDIR(e->mode)) {
    const ancestor *loop = find_ancestor(parent, e->dev, e->ino);
    if (loop)
      return push_error(w->list, path, ERR_SYMLINK_LOOP,
                        "symbolic link loop: leads back to %s", loop->path);
    ancestor self = {e->dev, e->ino, path, parent};
    return walk_dir(w, path, &self);
  }
  if (w->include->len && !matches_any(w->include, e->name))
    return 0;
  if (e->err)
    return e->err == ELOOP
               ? push_error(w->list, path, ERR_SYMLINK_LOOP, "%s",
                            "symbolic link loop")
               : push_error(w->list, path, ERR_UNREADABLE, "%s",
                            strerror(e->err));
  /* Pipes, sockets and devices inside a tree are not documents. */
  if (!S_ISREG(e->mode))
    return 0;
  return push_copy(w->list, path, e->size, 1);
}

static int walk_dir(walk_ctx *w, const char *dir, const ancestor *self) {
  dir_entry *v = read_entries(w, dir);
  if (!v)
    return errno == ENOMEM ? -1
                           : push_error(w->list, dir, ERR_UNREADABLE,
                                        "cannot read the directory: %s",
                                        strerror(errno));
  size_t n = 0;
  while (v[n].name)
    n++;
  int rc = 0;
  for (size_t i = 0; i < n && !rc; i++) {
    char *path = join(dir, v[i].name);
    rc = path ? walk_entry_at(w, path, &v[i], self) : -1;
    free(path);
  }
  free_entries(v, n);
  return rc;
}

int walk_add(walk_list *list, const char *arg, const str_list *include,
             const str_list *exclude) {
  struct stat st;
  int found = strcmp(arg, "-") != 0 && stat(arg, &st) == 0;
  if (!found || !S_ISDIR(st.st_mode))
    return push_copy(list, arg,
                     found && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0,
                     found && S_ISREG(st.st_mode));
  list->saw_directory = 1;
  walk_ctx w = {list, include, exclude};
  ancestor root = {st.st_dev, st.st_ino, arg, NULL};
  return walk_dir(&w, arg, &root);
}

static int by_path(const void *a, const void *b) {
  return strcmp(((const walk_entry *)a)->path, ((const walk_entry *)b)->path);
}

void walk_sort(walk_list *list) {
  if (list->len > 1)
    qsort(list->v, list->len, sizeof *list->v, by_path);
}

void walk_list_free(walk_list *list) {
  for (size_t i = 0; i < list->len; i++) {
    free(list->v[i].path);
    free(list->v[i].message);
  }
  free(list->v);
  *list = (walk_list){0};
}
