/* A growable byte buffer. Used as an arena for normalised strings and for
 * building output. The zero value is an empty buffer. */
#ifndef AVIS_BUF_H
#define AVIS_BUF_H

#include <stddef.h>
#include <string.h>

typedef struct {
  char *data;
  size_t len;
  size_t cap;
} avis_buf;

/* Makes room for `extra` more bytes plus a terminating NUL. 0 or AVIS_ERR_NOMEM. */
int avis_buf_reserve(avis_buf *b, size_t extra);
/* Appends bytes and keeps data NUL-terminated. 0 or AVIS_ERR_NOMEM. */
int avis_buf_append(avis_buf *b, const void *p, size_t n);
int avis_buf_putc(avis_buf *b, char c);
/* Appends printf-style text; a line longer than 1023 bytes is cut there
 * (used for readable dumps, never for data). 0 or a negative code. */
int avis_buf_appendf(avis_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Appends the whole content of the file at `path`. 0, or AVIS_ERR_IO /
 * AVIS_ERR_NOMEM with a message that names the file. */
int avis_buf_read_file(avis_buf *b, const char *path);
void avis_buf_clear(avis_buf *b);
void avis_buf_release(avis_buf *b);

/* Generic growable array of fixed-size elements (the zero value is empty). */
typedef struct {
  void *data;
  size_t len;
  size_t cap;
} avis_vec;

/* Makes room for one more element of `size` bytes. 0 or AVIS_ERR_NOMEM. */
int avis_vec_grow(avis_vec *v, size_t size);
/* Makes room for `n` elements in all, so that pushing up to them does not
 * reallocate. 0 or AVIS_ERR_NOMEM. */
int avis_vec_reserve(avis_vec *v, size_t n, size_t size);

/* Returns a pointer to a new zeroed element of `size` bytes, or NULL.
 * Inline: every token, term and bag entry is pushed one at a time. */
static inline void *avis_vec_push(avis_vec *v, size_t size) {
  if (v->len == v->cap && avis_vec_grow(v, size))
    return NULL;
  char *slot = (char *)v->data + v->len++ * size;
  memset(slot, 0, size);
  return slot;
}

void avis_vec_release(avis_vec *v);

#endif
