/* The common line of `analyze --stream`, read without jansson.
 *
 * Most lines are one object of a few members whose values are strings,
 * numbers, true, false or null. Reading those directly, and taking the
 * text in place when it holds no escape, costs a fraction of building a
 * jansson tree. The reader accepts only lines that jansson accepts with
 * the same meaning; anything else (nested values, escaped keys,
 * exponents, surrogates, \u0000, duplicate keys, more than
 * JSONL_FAST_MAX_MEMBERS members, and every error) is left to jansson, so
 * that its checks and messages stay the reference.
 * fuzz/fuzz_jsonl_fast.c holds it to that promise. */
#ifndef AVIS_CLI_JSONL_FAST_H
#define AVIS_CLI_JSONL_FAST_H

#include <stddef.h>

#include "batch.h"

/* The reader finds duplicate keys by comparing each key with those before
 * it, in time that grows with the square of their number: a line of
 * 40,000 members took a second, against 0.05 s through jansson's hash
 * table, and a line may be hundreds of megabytes long. */
#define JSONL_FAST_MAX_MEMBERS 64

/* A line the reader accepted. */
typedef struct {
  json_member *members;     /* every member, raw, in order (malloc'ed);
                               keys hold no escapes, so `name` is NULL */
  size_t count;
  const json_member *text;  /* the text field, a string, among members */
  int text_escaped;         /* its value holds escapes: decode it with
                               jsonl_fast_unescape() before use */
} jsonl_fast_line;

/* Reads the JSON object line data[0..len), whose text field is named
 * text_field. 1 when accepted: *out is filled and the caller frees
 * out->members. 0 when jansson must read the line (including when out of
 * memory): *out is left empty. */
int jsonl_fast_read(jsonl_fast_line *out, const char *data, size_t len,
                    const char *text_field);

/* The decoded bytes of the string value s[0..n) of an accepted member
 * (its quotes excluded), NUL-terminated in a malloc'ed buffer; NULL when
 * out of memory. */
char *jsonl_fast_unescape(const char *s, size_t n, size_t *len);

/* Whether the raw, unescaped key of m is `name`. */
int jsonl_fast_key_is(const json_member *m, const char *name);

#endif
