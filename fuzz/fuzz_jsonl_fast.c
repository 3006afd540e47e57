/* Fuzz target: the common-line reader of `analyze --stream`
 * (cli/jsonl_fast.c), against jansson. The stream takes a line the reader
 * accepts without asking jansson, so whenever the reader accepts one,
 * jansson, with the flags the stream uses, must accept it too and find
 * the same members in the same order: the same names, the same kinds,
 * and the same values (decoded strings byte for byte, numbers equal as
 * doubles). Where the reader declines, the stream asks jansson, so
 * nothing is checked beyond the absence of crashes.
 *
 * Input: one option byte, then the line.
 *   bit 0-1  the text field's name: "text", "t", "" or "é"
 */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl_fast.h"
#include "fuzz_check.h"

/* The flags cli/stream.c parses a line with. */
#define LINE_FLAGS (JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL)

static const char *const text_fields[4] = {"text", "t", "", "\xc3\xa9"};

/* The raw span s[0..n) must lie inside the line. */
static void check_inside(const char *s, size_t n, const char *line,
                         size_t len) {
  CHECK(s >= line && n <= len && (size_t)(s - line) <= len - n);
}

/* A string value: its decoding is jansson's string, byte for byte. */
static void check_string(const json_member *m, const json_t *v) {
  CHECK(json_is_string(v));
  CHECK(m->value_len >= 2 && m->value[m->value_len - 1] == '"');
  size_t n;
  char *s = jsonl_fast_unescape(m->value + 1, m->value_len - 2, &n);
  CHECK(s != NULL);
  CHECK(n == json_string_length(v));
  CHECK(memcmp(s, json_string_value(v), n) == 0);
  free(s);
}

/* A number: jansson reads every number of a line as a double; the raw
 * text read by strtod() (the C locale: this process never sets one) must
 * be all number and give that double, sign of zero included. */
static void check_number(const json_member *m, const json_t *v) {
  CHECK(json_is_real(v));
  char *raw = malloc(m->value_len + 1);
  CHECK(raw != NULL);
  memcpy(raw, m->value, m->value_len);
  raw[m->value_len] = '\0';
  char *end;
  double d = strtod(raw, &end);
  CHECK(end == raw + m->value_len);
  CHECK(d == json_real_value(v) && !signbit(d) == !signbit(json_real_value(v)));
  free(raw);
}

static int raw_is(const json_member *m, const char *word) {
  return m->value_len == strlen(word) &&
         memcmp(m->value, word, m->value_len) == 0;
}

/* Member m, raw, is jansson's member at it. */
static void check_member(const json_member *m, void *it, const char *line,
                         size_t len) {
  check_inside(m->key, m->key_len, line, len);
  check_inside(m->value, m->value_len, line, len);
  /* Keys with escapes are declined, so the raw key is the name. */
  CHECK(m->key_len >= 2 && m->key[0] == '"' && m->key[m->key_len - 1] == '"');
  CHECK(!memchr(m->key, '\\', m->key_len));
  CHECK(m->key_len - 2 == json_object_iter_key_len(it));
  CHECK(memcmp(m->key + 1, json_object_iter_key(it), m->key_len - 2) == 0);
  const json_t *v = json_object_iter_value(it);
  CHECK(m->value_len > 0);
  switch (m->value[0]) {
  case '"': check_string(m, v); break;
  case 't': CHECK(raw_is(m, "true") && json_is_true(v)); break;
  case 'f': CHECK(raw_is(m, "false") && json_is_false(v)); break;
  case 'n': CHECK(raw_is(m, "null") && json_is_null(v)); break;
  default: check_number(m, v);
  }
}

/* The text member is the member of that name, a string, and the reader
 * says whether it holds escapes, which decides whether the stream may
 * take it in place (check_member() compared its decoding with jansson's
 * string; without escapes that is the raw text itself). */
static void check_text(const jsonl_fast_line *l, json_t *root,
                       const char *field) {
  CHECK(l->text >= l->members && l->text < l->members + l->count);
  CHECK(jsonl_fast_key_is(l->text, field));
  CHECK(json_is_string(json_object_get(root, field)));
  int escaped = memchr(l->text->value, '\\', l->text->value_len) != NULL;
  CHECK(escaped == !!l->text_escaped);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  const char *field = text_fields[data[0] & 3];
  const char *line = (const char *)data + 1;
  size_t len = size - 1;
  jsonl_fast_line l;
  if (!jsonl_fast_read(&l, line, len, field)) {
    CHECK(l.members == NULL && l.text == NULL);
    return 0;
  }
  json_error_t e;
  json_t *root = json_loadb(line, len, LINE_FLAGS, &e);
  CHECK(root && json_is_object(root));
  CHECK(json_object_size(root) == l.count);
  CHECK(l.count <= JSONL_FAST_MAX_MEMBERS);
  void *it = json_object_iter(root);
  for (size_t i = 0; i < l.count; i++, it = json_object_iter_next(root, it)) {
    CHECK(it != NULL);
    check_member(&l.members[i], it, line, len);
  }
  check_text(&l, root, field);
  json_decref(root);
  free(l.members);
  return 0;
}
