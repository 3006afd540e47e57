/* JSON serialisation of a result (schema: docs/json-schema.md), written
 * straight into one buffer. Building a jansson tree for every document and
 * dumping it cost more than the whole analysis (docs/ARCHITECTURE.md gives
 * the figures), so the writer below produces the very bytes jansson's
 * json_dumps() wrote with JSON_INDENT(2) or JSON_COMPACT,
 * JSON_PRESERVE_ORDER and JSON_REAL_PRECISION(6): the same layout, string
 * escapes, UTF-8 checks and number forms, whatever the C locale. jansson
 * still reads JSON elsewhere. */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "lda.h"
#include "model.h"
#include "tokenize.h"
#include "topics.h"

#define KEY_SENTENCES 3
#define INDENT 2

typedef struct {
  avis_buf out; /* not NUL-terminated until the end */
  int pretty;
  unsigned depth;
  int empty;  /* the innermost open object or array has no member yet */
  int failed; /* AVIS_ERR_NOMEM, or AVIS_ERR_ENCODING for text not in UTF-8 */
} writer;

/* Room for n more bytes: where to write them, or NULL once failed. */
static inline char *room(writer *w, size_t n) {
  if (w->failed)
    return NULL;
  if (w->out.cap - w->out.len <= n && avis_buf_reserve(&w->out, n)) {
    w->failed = AVIS_ERR_NOMEM;
    return NULL;
  }
  return w->out.data + w->out.len;
}

static void put_bytes(writer *w, const void *s, size_t n) {
  char *o = room(w, n);
  if (o) {
    memcpy(o, s, n);
    w->out.len += n;
  }
}

static inline void put_char(writer *w, char c) {
  char *o = room(w, 1);
  if (o) {
    *o = c;
    w->out.len++;
  }
}

static void newline(writer *w) {
  size_t n = (size_t)w->depth * INDENT;
  char *o = room(w, n + 1);
  if (o) {
    *o = '\n';
    memset(o + 1, ' ', n);
    w->out.len += n + 1;
  }
}

/* Before each member of an object or array: the separator and, when
 * indenting, the line break. */
static inline void next_member(writer *w) {
  if (!w->empty)
    put_char(w, ',');
  if (w->pretty)
    newline(w);
  w->empty = 0;
}

static void begin(writer *w, char c) {
  put_char(w, c);
  w->depth++;
  w->empty = 1;
}

static void end(writer *w, char c) {
  w->depth--;
  if (!w->empty && w->pretty)
    newline(w);
  put_char(w, c);
  w->empty = 0;
}

/* Length of the well-formed UTF-8 sequence at s[0..n) that does not start
 * with an ASCII byte (RFC 3629: no overlong forms, no surrogates, nothing
 * above U+10FFFF), or 0. */
static size_t utf8_sequence(const unsigned char *s, size_t n) {
  unsigned char c = s[0];
  if (c >= 0xC2 && c <= 0xDF)
    return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    return n >= 3 && s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    return n >= 4 && s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 &&
                   (s[3] & 0xC0) == 0x80
               ? 4
               : 0;
  }
  return 0;
}

/* The escape of a byte that JSON does not allow as it is. */
static void put_escape(writer *w, unsigned char c) {
  static const char hex[] = "0123456789ABCDEF";
  char e[6] = {'\\', (char)c};
  size_t n = 2;
  switch (c) {
  case '"':
  case '\\':
    break;
  case '\b':
    e[1] = 'b';
    break;
  case '\f':
    e[1] = 'f';
    break;
  case '\n':
    e[1] = 'n';
    break;
  case '\r':
    e[1] = 'r';
    break;
  case '\t':
    e[1] = 't';
    break;
  default:
    memcpy(e + 1, "u00", 3);
    e[4] = hex[c >> 4];
    e[5] = hex[c & 15];
    n = 6;
  }
  put_bytes(w, e, n);
}

/* 1 when none of the eight bytes of x needs a look: none below 0x20, no
 * '"' or '\\', nothing beyond ASCII. */
static int plain_word(uint64_t x) {
  const uint64_t ones = 0x0101010101010101ULL, highs = ones << 7;
  uint64_t quote = x ^ ones * '"', backslash = x ^ ones * '\\';
  uint64_t flagged = ((x - ones * 0x20) & ~x) | ((quote - ones) & ~quote) |
                     ((backslash - ones) & ~backslash) | x;
  return (flagged & highs) == 0;
}

/* A string of n bytes (NUL included), escaped; text that is not UTF-8
 * fails the whole document, as jansson refuses it. Bytes that need no
 * escape are copied in runs, found eight at a time. */
static void put_string(writer *w, const char *str, size_t n) {
  const unsigned char *s = (const unsigned char *)str;
  size_t run = 0;
  put_char(w, '"');
  for (size_t i = 0; i < n;) {
    uint64_t x;
    if (i + 8 <= n && (memcpy(&x, s + i, 8), plain_word(x))) {
      i += 8;
      continue;
    }
    unsigned char c = s[i];
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      i++;
    } else if (c >= 0x80) {
      size_t k = utf8_sequence(s + i, n - i);
      if (!k) {
        w->failed = AVIS_ERR_ENCODING;
        return;
      }
      i += k;
    } else {
      put_bytes(w, s + run, i - run);
      put_escape(w, c);
      run = ++i;
    }
  }
  put_bytes(w, s + run, n - run);
  put_char(w, '"');
}

static void put_cstring(writer *w, const char *s) {
  if (!s)
    w->failed = AVIS_ERR_ARG;
  else
    put_string(w, s, strlen(s));
}

static void put_integer(writer *w, long long v) {
  char buf[24], *p = buf + sizeof buf;
  unsigned long long u =
      v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
  do
    *--p = (char)('0' + u % 10);
  while (u /= 10);
  if (v < 0)
    *--p = '-';
  put_bytes(w, p, (size_t)(buf + sizeof buf - p));
}

/* A real as jansson writes one: printf's "%.6g", then ".0" when that reads
 * as an integer, and the exponent without '+' or leading zeros. */

/* That form of v for 1e-4 <= |v| < 1e6, the range of nearly every number
 * of a result, without printf; 0 when v is outside it or lies too close to
 * a rounding tie for double arithmetic to decide, and then printf is
 * asked. Scaling by an exact power of ten is correctly rounded, so six
 * significant digits come out exact away from ties. */
static size_t fast_real(double v, char *buf) {
  static const double powers[] = {1e0, 1e1, 1e2, 1e3, 1e4,
                                  1e5, 1e6, 1e7, 1e8, 1e9};
  static const double lower[] = {1e-4, 1e-3, 1e-2, 1e-1, 1e0,
                                 1e1,  1e2,  1e3,  1e4,  1e5};
  double a = fabs(v);
  if (!(a >= 1e-4 && a < 1e6))
    return 0;
  int x = 5; /* decimal exponent: 10^x <= a */
  while (a < lower[x + 4])
    x--;
  double scaled = a * powers[5 - x];
  double whole = (double)(uint32_t)scaled, frac = scaled - whole;
  if (fabs(frac - 0.5) < 1e-6)
    return 0;
  uint32_t digits = (uint32_t)whole + (frac > 0.5);
  if (digits == 1000000) {
    digits = 100000;
    x++;
  }
  if (digits < 100000 || x > 5)
    return 0;
  char d[6];
  for (int i = 5; i >= 0; i--, digits /= 10)
    d[i] = (char)('0' + digits % 10);
  int point = x >= 0 ? x + 1 : 0; /* digits before the decimal point */
  int last = 5;
  while (last >= point && d[last] == '0')
    last--;
  size_t n = 0;
  if (v < 0)
    buf[n++] = '-';
  if (x < 0) {
    buf[n++] = '0';
    buf[n++] = '.';
    for (int i = x + 1; i < 0; i++)
      buf[n++] = '0';
  }
  for (int i = 0; i <= last; i++) {
    if (i == point && x >= 0)
      buf[n++] = '.';
    buf[n++] = d[i];
  }
  if (last < point) {
    buf[n++] = '.';
    buf[n++] = '0';
  }
  return n;
}

/* The same through printf, with a full stop whatever the locale's decimal
 * point; 0 on failure. */
static size_t printf_real(double v, char *buf, size_t cap) {
  int len = snprintf(buf, cap - 2, "%.6g", v);
  if (len < 0 || (size_t)len >= cap - 2)
    return 0;
  size_t n = (size_t)len;
  const char *point = localeconv()->decimal_point;
  char *p;
  if (*point != '.' && (p = strchr(buf, *point)) != NULL)
    *p = '.';
  char *e = strchr(buf, 'e');
  if (!e && !strchr(buf, '.')) {
    memcpy(buf + n, ".0", 2);
    n += 2;
  } else if (e) {
    char *from = e + 1, *to = e + 1;
    if (*from == '-')
      from++, to++;
    else if (*from == '+')
      from++;
    while (*from == '0' && from[1])
      from++;
    memmove(to, from, (size_t)(buf + n - from));
    n -= (size_t)(from - to);
  }
  return n;
}

/* Infinities and NaN have no JSON form. */
static void put_real(writer *w, double v) {
  char buf[40];
  size_t n = 0;
  if (v == 0) {
    const char *zero = signbit(v) ? "-0.0" : "0.0";
    n = strlen(zero);
    memcpy(buf, zero, n);
  } else if (isfinite(v) && (n = fast_real(v, buf)) == 0) {
    n = printf_real(v, buf, sizeof buf);
  }
  if (n)
    put_bytes(w, buf, n);
  else
    w->failed = AVIS_ERR_ARG;
}

/* ---- Members ----------------------------------------------------------- */

/* A member's key; keys are names of the schema, which need no escape. */
static inline void key(writer *w, const char *k) {
  size_t n = strlen(k);
  next_member(w);
  char *o = room(w, n + 4);
  if (o) {
    o[0] = '"';
    memcpy(o + 1, k, n);
    memcpy(o + n + 1, "\": ", 3);
    w->out.len += n + 2 + (size_t)w->pretty + 1;
  }
}

static void key_string(writer *w, const char *k, const char *s, size_t n) {
  key(w, k);
  put_string(w, s, n);
}

static void key_cstring(writer *w, const char *k, const char *s) {
  key(w, k);
  put_cstring(w, s);
}

static void key_integer(writer *w, const char *k, long long v) {
  key(w, k);
  put_integer(w, v);
}

static void key_real(writer *w, const char *k, double v) {
  key(w, k);
  put_real(w, v);
}

static void key_open(writer *w, const char *k, char c) {
  key(w, k);
  begin(w, c);
}

static void item_cstring(writer *w, const char *s) {
  next_member(w);
  put_cstring(w, s);
}

static void item_open(writer *w, char c) {
  next_member(w);
  begin(w, c);
}

/* ---- The result -------------------------------------------------------- */

static void key_span(writer *w, const char *k, const avis_result *r,
                     size_t start, size_t len) {
  key_string(w, k, r->text.data + start, len);
}

static void stats_json(writer *w, const avis_result *r) {
  key_open(w, "stats", '{');
  key_integer(w, "characters", (long long)r->chars);
  key_integer(w, "words", (long long)r->words);
  key_integer(w, "sentences", (long long)r->nsentences);
  key_integer(w, "tokens", (long long)r->tokens.len);
  end(w, '}');
}

static void rules_json(writer *w, unsigned rules) {
  key_open(w, "rules", '[');
  for (unsigned b = 1; b && b <= rules; b <<= 1)
    if ((rules & b) && avis_rule_name(b))
      item_cstring(w, avis_rule_name(b));
  end(w, ']');
}

static void driver_json(writer *w, const avis_result *r, size_t i) {
  size_t start, len, sentence;
  const char *term;
  double polarity, contribution;
  unsigned rules;
  avis_result_driver(r, i, &start, &len, &term, &polarity, &contribution,
                     &rules, &sentence);
  item_open(w, '{');
  key_span(w, "text", r, start, len);
  key_cstring(w, "term", term);
  key_real(w, "polarity", polarity);
  key_real(w, "contribution", contribution);
  rules_json(w, rules);
  key_integer(w, "sentence", (long long)sentence);
  key_integer(w, "start", (long long)start);
  key_integer(w, "length", (long long)len);
  end(w, '}');
}

static void emotions_json(writer *w, const avis_result *r) {
  key_open(w, "emotions", '{');
  for (int e = 0; e < AVIS_EMOTION_COUNT; e++)
    key_real(w, avis_emotion_name((avis_emotion)e), r->sentiment.emotions[e]);
  end(w, '}');
}

/* The supervised classifier's label, beside the lexicon score. */
static void classifier_json(writer *w, const avis_result *r) {
  const char *label;
  double probability;
  avis_result_sentiment_class(r, &label, &probability);
  key_open(w, "classifier", '{');
  key_cstring(w, "label", label);
  key_real(w, "probability", probability);
  end(w, '}');
}

static void sentiment_json(writer *w, const avis_result *r) {
  const avis_sentiment *s = &r->sentiment;
  key_open(w, "sentiment", '{');
  key_real(w, "score", s->score);
  key_cstring(w, "label", avis_label_name(s->label));
  key_cstring(w, "label_fr", avis_label_name_fr(s->label));
  key_real(w, "subjectivity", s->subjectivity);
  key_open(w, "drivers", '[');
  for (size_t i = 0; i < s->drivers.len; i++)
    driver_json(w, r, i);
  end(w, ']');
  if (s->has_emotions)
    emotions_json(w, r);
  if (r->has_class)
    classifier_json(w, r);
  end(w, '}');
}

static void topic_json(writer *w, const avis_result *r, size_t i) {
  const char *id, *name, *word;
  double share;
  int tagged;
  avis_result_topic(r, i, &id, &name, &share, &tagged);
  item_open(w, '{');
  key_cstring(w, "id", id);
  key_cstring(w, "name", name);
  key_real(w, "share", share);
  key(w, "tagged");
  put_bytes(w, tagged ? "true" : "false", tagged ? 4 : 5);
  key_open(w, "evidence", '[');
  for (size_t j = 0; j < avis_result_topic_evidence_count(r, i); j++) {
    avis_result_topic_evidence(r, i, j, &word, NULL);
    item_cstring(w, word);
  }
  end(w, ']');
  end(w, '}');
}

static void topics_json(writer *w, const avis_result *r) {
  key_open(w, "topics", '[');
  for (size_t i = 0; i < avis_result_topic_count(r); i++)
    topic_json(w, r, i);
  end(w, ']');
}

static void sentences_json(writer *w, const avis_result *r) {
  key_open(w, "sentences", '[');
  for (size_t i = 0; i < r->nsentences; i++) {
    size_t start, len;
    double score;
    avis_result_sentence(r, i, &start, &len, &score);
    item_open(w, '{');
    key_integer(w, "start", (long long)start);
    key_integer(w, "length", (long long)len);
    key_real(w, "score", score);
    key_span(w, "text", r, start, len);
    end(w, '}');
  }
  end(w, ']');
}

static void key_sentences_json(writer *w, const char *k, const avis_result *r,
                               avis_label which) {
  size_t idx[KEY_SENTENCES];
  size_t n = avis_result_key_sentences(r, which, idx, KEY_SENTENCES);
  key_open(w, k, '[');
  for (size_t i = 0; i < n; i++) {
    next_member(w);
    put_integer(w, (long long)idx[i]);
  }
  end(w, ']');
}

static void tokens_json(writer *w, const avis_result *r) {
  const avis_tok *toks = r->tokens.data;
  key_open(w, "tokens", '[');
  for (size_t i = 0; i < r->tokens.len; i++) {
    const avis_tok *t = &toks[i];
    item_open(w, '{');
    key_span(w, "text", r, t->start, t->len);
    key_cstring(w, "kind", avis_token_kind_name((avis_token_kind)t->kind));
    key_string(w, "norm", r->arena.data + t->norm_off, t->norm_len);
    key_string(w, "stem", r->arena.data + t->stem_off, t->stem_len);
    key_integer(w, "sentence", t->sentence);
    key_integer(w, "start", t->start);
    key_integer(w, "length", t->len);
    end(w, '}');
  }
  end(w, ']');
}

/* The LDA mixture: topics of 1% or more, heaviest first. */
static void lda_json(writer *w, const avis_result *r) {
  const avis_lda_hit *hits = r->lda.data;
  const avis_topic_word *words = r->lda_words.data;
  key_open(w, "lda", '{');
  key_integer(w, "topic_count", (long long)r->lda.len);
  key_open(w, "topics", '[');
  for (size_t i = 0; i < r->lda.len; i++) {
    const avis_lda_hit *h = &hits[i];
    if (h->weight < AVIS_LDA_JSON_MIN_WEIGHT && i > 0)
      break;
    item_open(w, '{');
    key_integer(w, "id", h->topic);
    key_real(w, "weight", h->weight);
    key_cstring(w, "label", r->arena.data + h->label_off);
    key_open(w, "words", '[');
    for (uint32_t j = 0; j < h->nwords; j++) {
      item_open(w, '{');
      key_cstring(w, "word", r->arena.data + words[h->words + j].word_off);
      key_real(w, "weight", words[h->words + j].weight);
      end(w, '}');
    }
    end(w, ']');
    end(w, '}');
  }
  end(w, ']');
  end(w, '}');
}

static void lexicons_json(writer *w, const avis_result *r) {
  const char *p = r->lexicons.data;
  key_open(w, "lexicons", '[');
  for (size_t i = 0; i < r->nlexicons; i++, p += strlen(p) + 1)
    item_cstring(w, p);
  end(w, ']');
}

static void result_json(writer *w, const avis_result *r, unsigned flags) {
  begin(w, '{');
  key_cstring(w, "version", AVIS_VERSION_STRING);
  key_cstring(w, "encoding", avis_encoding_name(r->encoding));
  if (r->truncated) {
    key(w, "truncated");
    put_bytes(w, "true", 4);
  }
  stats_json(w, r);
  lexicons_json(w, r);
  sentiment_json(w, r);
  sentences_json(w, r);
  key_open(w, "key_sentences", '{');
  key_sentences_json(w, "positive", r, AVIS_POSITIVE);
  key_sentences_json(w, "negative", r, AVIS_NEGATIVE);
  end(w, '}');
  topics_json(w, r);
  if (r->lda.len)
    lda_json(w, r);
  if (flags & AVIS_JSON_TOKENS)
    tokens_json(w, r);
  end(w, '}');
}

/* Room for the usual output at once: the text about twice (the sentences,
 * the drivers' words), and per token its object when tokens are listed. */
static size_t expected_size(const avis_result *r, unsigned flags) {
  size_t n = 2 * r->text.len + 64 * r->nsentences + 4096;
  if (flags & AVIS_JSON_TOKENS)
    n += 160 * r->tokens.len;
  return n;
}

int avis_result_to_json(const avis_result *r, unsigned flags, char **out,
                        size_t *len) {
  if (!r || !out)
    return avis_fail(AVIS_ERR_ARG, "avis_result_to_json: NULL argument");
  *out = NULL;
  writer w = {.pretty = (flags & AVIS_JSON_PRETTY) != 0};
  if (avis_buf_reserve(&w.out, expected_size(r, flags)))
    w.failed = AVIS_ERR_NOMEM;
  else
    result_json(&w, r, flags);
  if (!w.failed && room(&w, 0))
    w.out.data[w.out.len] = '\0';
  if (w.failed) {
    avis_buf_release(&w.out);
    return avis_fail(w.failed, w.failed == AVIS_ERR_NOMEM
                                   ? "out of memory while writing JSON"
                               : w.failed == AVIS_ERR_ENCODING
                                   ? "a string of the result is not UTF-8"
                                   : "a value of the result has no JSON form");
  }
  *out = w.out.data;
  if (len)
    *len = w.out.len;
  return 0;
}
