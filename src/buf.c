#include "buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avis.h"
#include "error.h"

int avis_buf_reserve(avis_buf *b, size_t extra) {
  if (extra > SIZE_MAX / 2 - b->len)
    return AVIS_ERR_NOMEM;
  size_t need = b->len + extra + 1;
  if (need <= b->cap)
    return 0;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need)
    cap *= 2;
  char *p = realloc(b->data, cap);
  if (!p)
    return AVIS_ERR_NOMEM;
  b->data = p;
  b->cap = cap;
  return 0;
}

int avis_buf_append(avis_buf *b, const void *p, size_t n) {
  if (avis_buf_reserve(b, n))
    return AVIS_ERR_NOMEM;
  if (n)
    memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
  return 0;
}

int avis_buf_putc(avis_buf *b, char c) { return avis_buf_append(b, &c, 1); }

int avis_buf_appendf(avis_buf *b, const char *fmt, ...) {
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n < 0)
    return AVIS_ERR_FORMAT;
  return avis_buf_append(b, line,
                         (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

int avis_buf_read_file(avis_buf *b, const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return avis_fail(AVIS_ERR_IO, "%s: %s", path, strerror(errno));
  char chunk[65536];
  size_t n;
  int rc = 0;
  while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
    rc = avis_buf_append(b, chunk, n);
  if (rc)
    rc = avis_fail(AVIS_ERR_NOMEM, "%s: out of memory", path);
  else if (ferror(f))
    rc = avis_fail(AVIS_ERR_IO, "%s: read error", path);
  fclose(f);
  return rc;
}

void avis_buf_clear(avis_buf *b) {
  b->len = 0;
  if (b->data)
    b->data[0] = '\0';
}

void avis_buf_release(avis_buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

int avis_vec_reserve(avis_vec *v, size_t n, size_t size) {
  if (n <= v->cap)
    return 0;
  if (n > SIZE_MAX / size)
    return AVIS_ERR_NOMEM;
  void *p = realloc(v->data, n * size);
  if (!p)
    return AVIS_ERR_NOMEM;
  v->data = p;
  v->cap = n;
  return 0;
}

int avis_vec_grow(avis_vec *v, size_t size) {
  if (v->cap > SIZE_MAX / 2)
    return AVIS_ERR_NOMEM;
  return avis_vec_reserve(v, v->cap ? v->cap * 2 : 16, size);
}

void avis_vec_release(avis_vec *v) {
  free(v->data);
  v->data = NULL;
  v->len = v->cap = 0;
}
