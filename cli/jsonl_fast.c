/* The common line of `analyze --stream`, read without jansson
 * (jsonl_fast.h says what it accepts, and why). */
#include "jsonl_fast.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
  const char *s;
  size_t i, n;
} scan;

static void scan_space(scan *p) {
  while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' ||
                         p->s[p->i] == '\r' || p->s[p->i] == '\n'))
    p->i++;
}

static int hex_digit(char c) {
  return c >= '0' && c <= '9'   ? c - '0'
         : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                : -1;
}

/* Four hex digits at s: their value, or -1. */
static long hex4(const char *s) {
  long v = 0;
  for (int k = 0; k < 4; k++) {
    int d = hex_digit(s[k]);
    if (d < 0)
      return -1;
    v = v << 4 | d;
  }
  return v;
}

/* UTF-8 of code point cp (below 0x110000) at o; its length. */
static size_t put_utf8(char *o, long cp) {
  if (cp < 0x80) {
    o[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    o[0] = (char)(0xC0 | cp >> 6);
    o[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    o[0] = (char)(0xE0 | cp >> 12);
    o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
    o[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  o[0] = (char)(0xF0 | cp >> 18);
  o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
  o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
  o[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* The escape at s (after its backslash): the bytes it takes in s, and
 * the code point it stands for in *cp; 0 when it is left to jansson (a
 * lone surrogate, \u0000, anything unknown). */
static size_t read_escape(const char *s, size_t avail, long *cp) {
  static const char simple[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
  if (avail < 1)
    return 0;
  for (const char *e = simple; *e; e += 2)
    if (s[0] == e[0]) {
      *cp = (unsigned char)e[1];
      return 1;
    }
  if (avail < 5 || s[0] != 'u')
    return 0;
  long v = hex4(s + 1);
  if (v <= 0 || (v >= 0xDC00 && v <= 0xDFFF))
    return 0;
  if (v < 0xD800 || v > 0xDBFF) {
    *cp = v;
    return 5;
  }
  long lo = avail >= 11 && s[5] == '\\' && s[6] == 'u' ? hex4(s + 7) : -1;
  if (lo < 0xDC00 || lo > 0xDFFF)
    return 0;
  *cp = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
  return 11;
}

/* The string at p->s[p->i] (an opening quote): valid UTF-8, no control
 * character, escapes jansson reads the same way. Moves past it; *escaped
 * says whether it holds escapes. 0 when it is left to jansson. */
static int scan_string(scan *p, int *escaped) {
  const unsigned char *s = (const unsigned char *)p->s;
  size_t i = p->i + 1;
  long cp;
  *escaped = 0;
  while (i < p->n) {
    i += json_plain_run(s + i, p->n - i);
    if (i == p->n)
      break;
    unsigned char c = s[i];
    if (c == '"') {
      p->i = i + 1;
      return 1;
    }
    /* What json_plain_run() stopped at: a backslash, a control
     * character or a byte beyond ASCII. */
    size_t k = c < 0x20    ? 0
               : c == '\\' ? read_escape(p->s + i + 1, p->n - i - 1, &cp)
                           : utf8_sequence_at(s + i, p->n - i);
    if (!k)
      return 0;
    if (c == '\\') {
      *escaped = 1;
      k++;
    }
    i += k;
  }
  return 0;
}

/* The escapes of s[0..n) are those scan_string() accepted, so that each
 * read_escape() below succeeds, and the decoded bytes are never more than
 * the escaped ones. */
char *jsonl_fast_unescape(const char *s, size_t n, size_t *len) {
  char *out = malloc(n + 1), *o = out;
  if (!out)
    return NULL;
  for (size_t i = 0; i < n;) {
    const char *bs = memchr(s + i, '\\', n - i);
    size_t run = bs ? (size_t)(bs - (s + i)) : n - i;
    memcpy(o, s + i, run);
    o += run;
    i += run;
    if (!bs)
      break;
    long cp = 0;
    i += 1 + read_escape(s + i + 1, n - i - 1, &cp);
    o += put_utf8(o, cp);
  }
  *o = '\0';
  *len = (size_t)(o - out);
  return out;
}

/* A number without exponent, or true, false, null. Numbers with an
 * exponent are left to jansson, which rejects those out of range. */
static int scan_scalar(scan *p) {
  static const char *const words[] = {"true", "false", "null"};
  for (size_t w = 0; w < 3; w++) {
    size_t k = strlen(words[w]);
    if (p->n - p->i >= k && memcmp(p->s + p->i, words[w], k) == 0) {
      p->i += k;
      return 1;
    }
  }
  size_t i = p->i;
  if (i < p->n && p->s[i] == '-')
    i++;
  size_t digits = i;
  while (i < p->n && p->s[i] >= '0' && p->s[i] <= '9')
    i++;
  if (i == digits || (p->s[digits] == '0' && i - digits > 1))
    return 0;
  if (i < p->n && p->s[i] == '.') {
    size_t frac = ++i;
    while (i < p->n && p->s[i] >= '0' && p->s[i] <= '9')
      i++;
    if (i == frac)
      return 0;
  }
  /* Beyond 300 digits a number could leave the range of a double. */
  if (i - p->i > 300 || (i < p->n && (p->s[i] == 'e' || p->s[i] == 'E')))
    return 0;
  p->i = i;
  return 1;
}

static int same_key(const json_member *a, const json_member *b) {
  return a->key_len == b->key_len && memcmp(a->key, b->key, a->key_len) == 0;
}

int jsonl_fast_key_is(const json_member *m, const char *name) {
  size_t n = strlen(name);
  return m->key_len == n + 2 && memcmp(m->key + 1, name, n) == 0;
}

int jsonl_fast_read(jsonl_fast_line *out, const char *data, size_t len,
                    const char *text_field) {
  scan p = {data, 0, len};
  json_member *m = NULL;
  size_t count = 0, cap = 0;
  int text_escaped = 0, ok = 0;
  memset(out, 0, sizeof *out);
  scan_space(&p);
  if (p.i >= p.n || data[p.i++] != '{')
    return 0;
  scan_space(&p);
  if (p.i < p.n && data[p.i] == '}')
    ok = 1, p.i++;
  while (!ok && p.i < p.n && data[p.i] == '"') {
    json_member mb = {0};
    int escaped;
    mb.key = data + p.i;
    if (!scan_string(&p, &escaped) || escaped)
      break;
    mb.key_len = (size_t)(data + p.i - mb.key);
    scan_space(&p);
    if (p.i >= p.n || data[p.i++] != ':')
      break;
    scan_space(&p);
    if (p.i >= p.n)
      break;
    mb.value = data + p.i;
    int is_string = data[p.i] == '"', value_escaped = 0;
    if (is_string ? !scan_string(&p, &value_escaped) : !scan_scalar(&p))
      break;
    mb.value_len = (size_t)(data + p.i - mb.value);
    for (size_t k = 0; k < count; k++)
      if (same_key(&m[k], &mb))
        goto leave;
    if (jsonl_fast_key_is(&mb, text_field)) {
      if (!is_string)
        break; /* jansson words the error */
      text_escaped = value_escaped;
    }
    if (count == JSONL_FAST_MAX_MEMBERS)
      goto leave;
    if (count == cap) {
      cap = cap ? 2 * cap : 8;
      json_member *grown = realloc(m, cap * sizeof *m);
      if (!grown)
        goto leave;
      m = grown;
    }
    m[count++] = mb;
    scan_space(&p);
    if (p.i < p.n && data[p.i] == ',') {
      p.i++;
      scan_space(&p);
      if (p.i >= p.n || data[p.i] != '"')
        break;
    } else if (p.i < p.n && data[p.i] == '}') {
      p.i++;
      ok = 1;
    } else {
      break;
    }
  }
  scan_space(&p);
  if (!ok || p.i != p.n)
    goto leave;
  for (size_t k = 0; k < count; k++)
    if (jsonl_fast_key_is(&m[k], text_field))
      out->text = &m[k];
  if (!out->text)
    goto leave; /* jansson words the missing field */
  out->members = m;
  out->count = count;
  out->text_escaped = text_escaped;
  return 1;
leave:
  free(m);
  out->text = NULL;
  return 0;
}
