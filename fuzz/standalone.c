/* Runs a fuzz target over files, without libFuzzer: each argument is a file
 * or a directory of files (a corpus), fed one at a time to
 * LLVMFuzzerTestOneInput(). A crash or an abort() in the target fails the
 * run; so does an argument that cannot be read, so that a misspelt corpus
 * path is not a silent pass. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    return -1;
  }
  uint8_t *data = NULL;
  size_t len = 0, cap = 0, got;
  do {
    if (len == cap) {
      cap = cap ? 2 * cap : 4096;
      uint8_t *grown = realloc(data, cap);
      if (!grown) {
        fprintf(stderr, "%s: out of memory\n", path);
        free(data);
        fclose(f);
        return -1;
      }
      data = grown;
    }
    got = fread(data + len, 1, cap - len, f);
    len += got;
  } while (got > 0);
  int failed = ferror(f);
  fclose(f);
  if (failed) {
    perror(path);
    free(data);
    return -1;
  }
  /* An exact-size copy, so that a read past the input is caught. */
  uint8_t *exact = malloc(len ? len : 1);
  if (exact) {
    memcpy(exact, data, len);
    LLVMFuzzerTestOneInput(exact, len);
  }
  free(exact);
  free(data);
  return exact ? 1 : -1;
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file of a directory, in name order. */
static int run_dir(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) {
    perror(dir);
    return -1;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *e;
  int count = 0;
  while (count >= 0 && (e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    if (n == cap) {
      cap = cap ? 2 * cap : 64;
      char **grown = realloc(names, cap * sizeof *names);
      if (!grown) {
        count = -1;
        break;
      }
      names = grown;
    }
    size_t len = strlen(dir) + strlen(e->d_name) + 2;
    if ((names[n] = malloc(len)) == NULL) {
      count = -1;
      break;
    }
    snprintf(names[n++], len, "%s/%s", dir, e->d_name);
  }
  closedir(d);
  if (n)
    qsort(names, n, sizeof *names, compare_names);
  for (size_t i = 0; i < n; i++) {
    struct stat st;
    if (count >= 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
      int rc = run_file(names[i]);
      count = rc < 0 ? -1 : count + rc;
    }
    free(names[i]);
  }
  free(names);
  return count;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "Usage: %s FILE|DIR...\n", argv[0]);
    return 2;
  }
  long total = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      perror(argv[i]);
      return 1;
    }
    int n = S_ISDIR(st.st_mode) ? run_dir(argv[i]) : run_file(argv[i]);
    if (n < 0)
      return 1;
    total += n;
  }
  printf("%s: %ld inputs ran cleanly\n", argv[0], total);
  return 0;
}
