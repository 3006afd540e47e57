/* One output record per document: a JSON Lines object, a CSV or TSV row,
 * or a text report (docs/batch.md lists the columns). Records are built by
 * the workers, so that the writer only copies bytes. */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "batch.h"
#include "cli.h"
#include "number.h"

int parse_out_format(const char *name, out_format *out) {
  static const struct { const char *name; out_format format; } names[] = {
      {"text", FORMAT_TEXT}, {"jsonl", FORMAT_JSONL}, {"json", FORMAT_JSONL},
      {"csv", FORMAT_CSV}, {"tsv", FORMAT_TSV}, {"html", FORMAT_HTML}};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(name, names[i].name) == 0) {
      *out = names[i].format;
      return 0;
    }
  return -1;
}

int str_list_add(str_list *list, const char *s) {
  if (list->len == list->cap) {
    size_t cap = list->cap ? list->cap * 2 : 4;
    const char **v = realloc(list->v, cap * sizeof *v);
    if (!v)
      return -1;
    list->v = v;
    list->cap = cap;
  }
  list->v[list->len++] = s;
  return 0;
}

void str_list_free(str_list *list) {
  free(list->v);
  list->v = NULL;
  list->len = list->cap = 0;
}

/* ---- strbuf ------------------------------------------------------------- */

int sb_reserve(strbuf *b, size_t more) {
  if (b->failed)
    return -1;
  if (more <= b->cap - b->len)
    return 0;
  size_t cap = b->cap ? b->cap : 256;
  while (cap - b->len < more) {
    if (cap > SIZE_MAX / 2) {
      b->failed = 1;
      return -1;
    }
    cap *= 2;
  }
  char *data = realloc(b->data, cap);
  if (!data) {
    b->failed = 1;
    return -1;
  }
  b->data = data;
  b->cap = cap;
  return 0;
}

void sb_add(strbuf *b, const char *s, size_t len) {
  if (len && sb_reserve(b, len) == 0) {
    memcpy(b->data + b->len, s, len);
    b->len += len;
  }
}

/* sb_add() without a call when the bytes fit, as nearly all do: a record
 * is made of a few hundred short pieces. */
static inline void sb_put(strbuf *b, const char *s, size_t len) {
  if (len && len <= b->cap - b->len && !b->failed) {
    memcpy(b->data + b->len, s, len);
    b->len += len;
  } else {
    sb_add(b, s, len);
  }
}

void sb_adds(strbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

static void sb_addc(strbuf *b, char c) {
  if (b->len < b->cap && !b->failed)
    b->data[b->len++] = c;
  else
    sb_add(b, &c, 1);
}

char *sb_take(strbuf *b, size_t *len) {
  char *data = b->failed ? NULL : b->data;
  if (b->failed)
    free(b->data);
  if (len)
    *len = data ? b->len : 0;
  b->data = NULL;
  b->len = b->cap = 0;
  b->failed = 0;
  return data;
}

#if defined(__SSE2__)
/* Whether the bytes of block v that stop a run (mask m) are all beyond
 * ASCII and pair up, within the block, into well-formed two-byte UTF-8
 * sequences (a lead from 0xC2 to 0xDF, then a continuation from 0x80 to
 * 0xBF): the letters of French (é, à, ç, ...) and « », which then do not
 * end the run. A lead in the block's last byte ends it, and so does a
 * continuation in its first, whose lead, if any, is not in the block. */
static int two_byte_letters(__m128i v, unsigned m) {
  unsigned high = (unsigned)_mm_movemask_epi8(v);
  /* Signed: leads are -62 to -33, continuations -128 to -65. */
  unsigned lead = (unsigned)_mm_movemask_epi8(
      _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(-63)),
                    _mm_cmplt_epi8(v, _mm_set1_epi8(-32))));
  unsigned cont =
      (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(v, _mm_set1_epi8(-64)));
  return m == high && high == (lead | cont) && lead << 1 == cont;
}
#endif

size_t json_plain_run(const unsigned char *s, size_t n) {
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'),
                space = _mm_set1_epi8(0x20);
  for (; i + 16 <= n; i += 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
    /* Signed, bytes from 0x80 are below the space too. */
    __m128i stop = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
        _mm_cmplt_epi8(v, space));
    unsigned m = (unsigned)_mm_movemask_epi8(stop);
    if (m && !two_byte_letters(v, m))
      return i + (size_t)__builtin_ctz(m);
  }
#endif
  while (i < n && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' && s[i] != '\\')
    i++;
  return i;
}

size_t utf8_sequence_at(const unsigned char *s, size_t n) {
  unsigned char c = s[0];
  if (c < 0x80)
    return 1;
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

/* The escape of a byte below 0x20, '"' or '\\', as jansson writes it. */
static void sb_add_escape(strbuf *b, unsigned char c) {
  static const char hex[] = "0123456789ABCDEF";
  char e[6] = {'\\', (char)c, '0', '0', 0, 0};
  size_t n = 2;
  switch (c) {
  case '"': case '\\': break;
  case '\b': e[1] = 'b'; break;
  case '\f': e[1] = 'f'; break;
  case '\n': e[1] = 'n'; break;
  case '\r': e[1] = 'r'; break;
  case '\t': e[1] = 't'; break;
  default:
    e[1] = 'u';
    e[4] = hex[c >> 4];
    e[5] = hex[c & 15];
    n = 6;
  }
  sb_add(b, e, n);
}

/* Written directly rather than through jansson: records carry a few dozen
 * strings each. */
void sb_add_json_string(strbuf *b, const char *str) {
  const unsigned char *s = (const unsigned char *)str;
  size_t n = strlen(str), run = 0;
  sb_addc(b, '"');
  for (size_t i = 0; i < n;) {
    i += json_plain_run(s + i, n - i);
    if (i == n)
      break;
    unsigned char c = s[i];
    size_t k = c >= 0x80 ? utf8_sequence_at(s + i, n - i) : 0;
    if (k) {
      i += k;
      continue;
    }
    sb_put(b, str + run, i - run);
    if (c >= 0x80)
      sb_add(b, "\xEF\xBF\xBD", 3); /* U+FFFD for a stray byte */
    else
      sb_add_escape(b, c);
    run = ++i;
  }
  sb_put(b, str + run, n - run);
  sb_addc(b, '"');
}

/* A number with a full stop as decimal separator whatever the locale, with
 * the precision of the JSON output, into num[32], NUL-terminated. */
static void format_number(char *num, double x) {
  size_t n = format_g6(num, x);
  if (n) {
    num[n] = '\0';
    return;
  }
  snprintf(num, 32, "%.6g", x);
  for (char *c = num; *c; c++)
    if (*c == ',')
      *c = '.';
}

/* x in decimal into num[24], NUL-terminated; returns its length. */
static size_t format_size(char *num, size_t x) {
  char digits[24], *p = digits + sizeof digits;
  do
    *--p = (char)('0' + x % 10);
  while (x /= 10);
  size_t n = (size_t)(digits + sizeof digits - p);
  memcpy(num, p, n);
  num[n] = '\0';
  return n;
}

void sb_add_size(strbuf *b, size_t x) {
  char num[24];
  sb_put(b, num, format_size(num, x));
}

/* A real as the library's JSON has it (jansson's form): six significant
 * digits, a full stop, ".0" after an integral value, and the exponent
 * without '+' or leading zeros, so that a reader types every value of a
 * field alike. Values without a JSON form are written null. */
static void sb_add_json_real(strbuf *b, double x) {
  char num[40];
  int n = isfinite(x) ? (int)format_g6(num, x) : -1;
  if (n == 0)
    n = snprintf(num, sizeof num - 2, "%.6g", x);
  else if (n > 0)
    num[n] = '\0';
  if (n < 0 || (size_t)n >= sizeof num - 2) {
    sb_adds(b, "null");
    return;
  }
  char *e = strchr(num, 'e'), *comma = strchr(num, ',');
  if (comma)
    *comma = '.';
  if (e) {
    char *to = e + 1 + (e[1] == '-'), *from = e + 1 + (e[1] == '-' || e[1] == '+');
    while (*from == '0' && from[1])
      from++;
    memmove(to, from, strlen(from) + 1);
    n = (int)strlen(num);
  } else if (!strchr(num, '.')) {
    memcpy(num + n, ".0", 2);
    n += 2;
  }
  sb_put(b, num, (size_t)n);
}

/* ---- JSON members ------------------------------------------------------- */

static size_t skip_space(const char *s, size_t i, size_t n) {
  while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
    i++;
  return i;
}

/* s[i] is an opening quote: the index after the closing one. */
static size_t skip_string(const char *s, size_t i, size_t n) {
  for (i++; i < n && s[i] != '"'; i++)
    if (s[i] == '\\')
      i++;
  return i < n ? i + 1 : n;
}

static size_t skip_value(const char *s, size_t i, size_t n) {
  if (s[i] == '"')
    return skip_string(s, i, n);
  if (s[i] == '{' || s[i] == '[') {
    int depth = 0;
    while (i < n) {
      char c = s[i];
      if (c == '"') {
        i = skip_string(s, i, n);
        continue;
      }
      if (c == '{' || c == '[')
        depth++;
      else if ((c == '}' || c == ']') && --depth == 0)
        return i + 1;
      i++;
    }
    return n;
  }
  while (i < n && !strchr(",}] \t\r\n", s[i]))
    i++;
  return i;
}

size_t json_object_members(const char *s, size_t n, json_member **out) {
  size_t count = 0, cap = 0;
  json_member *v = NULL;
  size_t i = skip_space(s, 0, n);
  if (i < n && s[i] == '{')
    i++;
  for (;;) {
    i = skip_space(s, i, n);
    if (i >= n || s[i] != '"')
      break;
    json_member m = {0};
    m.key = s + i;
    i = skip_string(s, i, n);
    m.key_len = (size_t)(s + i - m.key);
    i = skip_space(s, i, n);
    i = skip_space(s, i + 1, n); /* the colon */
    if (i >= n)
      break;
    m.value = s + i;
    i = skip_value(s, i, n);
    m.value_len = (size_t)(s + i - m.value);
    if (count == cap) {
      cap = cap ? cap * 2 : 8;
      json_member *grown = realloc(v, cap * sizeof *v);
      if (!grown) {
        free(v);
        return (size_t)-1;
      }
      v = grown;
    }
    v[count++] = m;
    i = skip_space(s, i, n);
    if (i < n && s[i] == ',')
      i++;
  }
  *out = v;
  return count;
}

/* Whether member m is named in `set`, members of a record written here,
 * whose keys hold no escapes. */
static int member_in(const json_member *m, const json_member *set, size_t n) {
  const char *name = m->name ? m->name : m->key + 1;
  size_t len = m->name ? strlen(m->name) : m->key_len - 2;
  for (size_t i = 0; i < n; i++)
    if (set[i].key_len == len + 2 && memcmp(set[i].key + 1, name, len) == 0)
      return 1;
  return 0;
}

/* `{` lead, extra members, body `}`: body holds the record's own members
 * (without braces), which win over an extra member of the same name. */
static void json_record(strbuf *b, const record_head *head, const char *body,
                        size_t body_len) {
  json_member *own = NULL;
  size_t nown = head->nextra ? json_object_members(body, body_len, &own) : 0;
  if (nown == (size_t)-1) {
    b->failed = 1;
    return;
  }
  size_t room = head->lead_len + body_len + 5;
  for (size_t i = 0; i < head->nextra; i++)
    room += head->extra[i].key_len + head->extra[i].value_len + 2;
  if (sb_reserve(b, room))
    return;
  sb_addc(b, '{');
  const char *sep = "";
  if (head->lead_len) {
    sb_add(b, head->lead, head->lead_len);
    sep = ",";
  }
  for (size_t i = 0; i < head->nextra; i++) {
    const json_member *m = &head->extra[i];
    if (member_in(m, own, nown))
      continue;
    sb_adds(b, sep);
    sb_add(b, m->key, m->key_len);
    sb_addc(b, ':');
    sb_add(b, m->value, m->value_len);
    sep = ",";
  }
  if (body_len) {
    sb_adds(b, sep);
    sb_add(b, body, body_len);
  }
  sb_adds(b, "}\n");
  free(own);
}

/* ---- Document-level JSON records ---------------------------------------- */

/* `"k":` after the separator sep. */
static void json_key(strbuf *b, const char *sep, const char *k) {
  size_t nsep = strlen(sep), nk = strlen(k);
  if (sb_reserve(b, nsep + nk + 3))
    return;
  char *p = b->data + b->len;
  memcpy(p, sep, nsep);
  p += nsep;
  *p++ = '"';
  memcpy(p, k, nk);
  p += nk;
  *p++ = '"';
  *p++ = ':';
  b->len = (size_t)(p - b->data);
}

static void json_key_size(strbuf *b, const char *sep, const char *k,
                          size_t v) {
  json_key(b, sep, k);
  sb_add_size(b, v);
}

static void json_key_real(strbuf *b, const char *sep, const char *k,
                          double v) {
  json_key(b, sep, k);
  sb_add_json_real(b, v);
}

static void json_key_string(strbuf *b, const char *sep, const char *k,
                            const char *v) {
  json_key(b, sep, k);
  sb_add_json_string(b, v);
}

static void doc_stats(strbuf *b, const avis_result *r) {
  json_key(b, ",", "stats");
  json_key_size(b, "{", "characters", avis_result_char_count(r));
  json_key_size(b, ",", "words", avis_result_word_count(r));
  json_key_size(b, ",", "sentences", avis_result_sentence_count(r));
  json_key_size(b, ",", "tokens", avis_result_token_count(r));
  sb_addc(b, '}');
}

static void doc_sentiment(strbuf *b, const avis_result *r) {
  avis_label label = avis_result_label(r);
  const char *class_label;
  double probability;
  json_key(b, ",", "sentiment");
  json_key_real(b, "{", "score", avis_result_score(r));
  json_key_string(b, ",", "label", avis_label_name(label));
  json_key_string(b, ",", "label_fr", avis_label_name_fr(label));
  json_key_real(b, ",", "subjectivity", avis_result_subjectivity(r));
  if (avis_result_has_emotions(r)) {
    json_key(b, ",", "emotions");
    for (int e = 0; e < AVIS_EMOTION_COUNT; e++)
      json_key_real(b, e ? "," : "{", avis_emotion_name((avis_emotion)e),
                    avis_result_emotion(r, (avis_emotion)e));
    sb_addc(b, '}');
  }
  if (avis_result_sentiment_class(r, &class_label, &probability) == 0) {
    json_key(b, ",", "classifier");
    json_key_string(b, "{", "label", class_label);
    json_key_real(b, ",", "probability", probability);
    sb_addc(b, '}');
  }
  sb_addc(b, '}');
}

/* The tagged topics, strongest first, with their evidence. */
static void doc_topics(strbuf *b, const avis_result *r) {
  const char *sep = "[";
  json_key(b, ",", "topics");
  for (size_t i = 0; i < avis_result_topic_count(r); i++) {
    const char *id, *name, *word;
    double share;
    int tagged;
    if (avis_result_topic(r, i, &id, &name, &share, &tagged) || !tagged)
      continue;
    sb_adds(b, sep);
    json_key_string(b, "{", "id", id);
    json_key_string(b, ",", "name", name);
    json_key_real(b, ",", "share", share);
    json_key(b, ",", "tagged");
    sb_adds(b, "true");
    json_key(b, ",", "evidence");
    sb_addc(b, '[');
    for (size_t j = 0; j < avis_result_topic_evidence_count(r, i); j++) {
      avis_result_topic_evidence(r, i, j, &word, NULL);
      if (j)
        sb_addc(b, ',');
      sb_add_json_string(b, word);
    }
    sb_adds(b, "]}");
    sep = ",";
  }
  sb_adds(b, *sep == '[' ? "[]" : "]");
}

/* The LDA mixture: the ids and weights of the topics of 1% or more (the
 * topics' words are the model's: `avis topics MODEL`). */
static void doc_lda(strbuf *b, const avis_result *r) {
  size_t n = avis_result_lda_topic_count(r);
  if (!n)
    return;
  json_key(b, ",", "lda");
  json_key(b, "{", "topics");
  for (size_t i = 0; i < n; i++) {
    size_t topic;
    double weight;
    avis_result_lda_topic(r, i, &topic, &weight);
    if (i > 0 && weight < 0.01)
      break;
    json_key_size(b, i ? ",{" : "[{", "id", topic);
    json_key_real(b, ",", "weight", weight);
    sb_addc(b, '}');
  }
  sb_adds(b, "]}");
}

/* A document's record without its sentences and drivers: what a batch or
 * a stream usually keeps, at an eighth of the size of the full result
 * (docs/batch.md). The members are those of the full result, in its
 * order. */
static void doc_fields(strbuf *b, const char *sep, const avis_result *r) {
  json_key_string(b, sep, "version", avis_version());
  json_key_string(b, ",", "encoding",
                  avis_encoding_name(avis_result_encoding(r)));
  if (avis_result_truncated(r)) {
    json_key(b, ",", "truncated");
    sb_adds(b, "true");
  }
  doc_stats(b, r);
  doc_sentiment(b, r);
  doc_topics(b, r);
  doc_lda(b, r);
}

/* --pretty: the record indented the way the library indents. Records are
 * read back with jansson, which keeps the members in order. */
static void indent_record(strbuf *b, size_t from) {
  json_t *root = json_loadb(b->data + from, b->len - from, 0, NULL);
  char *text = root ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                           JSON_REAL_PRECISION(6))
                    : NULL;
  json_decref(root);
  if (!text) {
    b->failed = 1;
    return;
  }
  b->len = from;
  sb_adds(b, text);
  sb_addc(b, '\n');
  free(text);
}

/* ---- CSV and TSV -------------------------------------------------------- */

static const char *const columns[] = {"path", "label", "score",
                                      "subjectivity", "topics", "words",
                                      "encoding", "error", "message"};
#define NCOLUMNS (sizeof columns / sizeof columns[0])

/* RFC 4180: a field holding a comma, a quote or a line break is quoted,
 * and its quotes doubled. */
static void csv_cell(strbuf *b, const char *s) {
  if (!strpbrk(s, ",\"\r\n")) {
    sb_adds(b, s);
    return;
  }
  sb_addc(b, '"');
  for (const char *q; (q = strchr(s, '"')); s = q + 1) {
    sb_add(b, s, (size_t)(q - s) + 1);
    sb_addc(b, '"');
  }
  sb_adds(b, s);
  sb_addc(b, '"');
}

/* TSV cannot hold tabs or line breaks: they are written as \t, \n, \r,
 * and a backslash as \\. */
static void tsv_cell(strbuf *b, const char *s) {
  for (; *s; s++) {
    const char *esc = *s == '\t' ? "\\t" : *s == '\n' ? "\\n"
                    : *s == '\r' ? "\\r" : *s == '\\' ? "\\\\" : NULL;
    if (esc)
      sb_adds(b, esc);
    else
      sb_addc(b, *s);
  }
}

static void table_row(strbuf *b, out_format format, const char *const *cells) {
  for (size_t i = 0; i < NCOLUMNS; i++) {
    if (i)
      sb_addc(b, format == FORMAT_CSV ? ',' : '\t');
    if (format == FORMAT_CSV)
      csv_cell(b, cells[i]);
    else
      tsv_cell(b, cells[i]);
  }
  sb_adds(b, format == FORMAT_CSV ? "\r\n" : "\n");
}

void record_header(strbuf *b, out_format format) {
  if (format == FORMAT_CSV || format == FORMAT_TSV)
    table_row(b, format, columns);
}

/* Ids of the tagged topics, strongest first, separated by ';'. */
static void tagged_topics(strbuf *b, const avis_result *r) {
  for (size_t i = 0; i < avis_result_topic_count(r); i++) {
    const char *id;
    int tagged;
    if (avis_result_topic(r, i, &id, NULL, NULL, &tagged) == 0 && tagged) {
      if (b->len)
        sb_addc(b, ';');
      sb_adds(b, id);
    }
  }
  sb_addc(b, '\0');
}

static void table_result(strbuf *b, out_format format, const char *name,
                         const avis_result *r) {
  char score[32], subjectivity[32], words[24];
  strbuf topics = {0};
  format_number(score, avis_result_score(r));
  format_number(subjectivity, avis_result_subjectivity(r));
  format_size(words, avis_result_word_count(r));
  tagged_topics(&topics, r);
  const char *cells[NCOLUMNS] = {
      name, avis_label_name(avis_result_label(r)), score, subjectivity,
      topics.data ? topics.data : "", words,
      avis_encoding_name(avis_result_encoding(r)), "", ""};
  table_row(b, format, cells);
  free(topics.data);
}

/* ---- Records ------------------------------------------------------------ */

const char *error_code_of(int rc) {
  switch (rc) {
  case AVIS_ERR_EMPTY: return "empty";
  case AVIS_ERR_BINARY: return "binary";
  case AVIS_ERR_ENCODING: return ERR_ENCODING;
  case AVIS_ERR_TOO_LARGE: return ERR_TOO_LARGE;
  case AVIS_ERR_NOMEM: return ERR_NOMEM;
  default: return ERR_UNREADABLE;
  }
}

void outcome_of_result(doc_outcome *oc, const avis_result *r,
                       const record_spec *spec) {
  oc->error = NULL;
  oc->label = avis_result_label(r);
  oc->score = avis_result_score(r);
  oc->topics = 0;
  size_t nlabels = spec->topics ? avis_classifier_label_count(spec->topics) : 0;
  for (size_t i = 0, n = avis_result_topic_count(r); i < n; i++) {
    const char *id, *label;
    int tagged;
    if (avis_result_topic(r, i, &id, NULL, NULL, &tagged) || !tagged)
      continue;
    /* The summary counts the first 64 topics of the model. */
    for (size_t k = 0; k < nlabels && k < 64; k++)
      if (avis_classifier_label(spec->topics, k, &label, NULL, NULL) == 0 &&
          strcmp(label, id) == 0)
        oc->topics |= (uint64_t)1 << k;
  }
}

static void text_result(strbuf *b, const record_spec *spec, const char *name,
                        const avis_result *r) {
  char *text = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&text, &len);
  if (!mem) {
    b->failed = 1;
    return;
  }
  report_text(mem, name, r, spec->model, (spec->json_flags & AVIS_JSON_TOKENS) != 0);
  if (fclose(mem) != 0)
    b->failed = 1;
  sb_add(b, text, len);
  free(text);
}

/* Appends an HTML page (report_html.c) and frees it; NULL: out of memory. */
static void add_page(strbuf *b, char *page, size_t len) {
  if (page)
    sb_add(b, page, len);
  else
    b->failed = 1;
  free(page);
}

void record_result(strbuf *b, const record_spec *spec, const char *name,
                   const record_head *head, const avis_result *r) {
  if (spec->format == FORMAT_CSV || spec->format == FORMAT_TSV) {
    table_result(b, spec->format, name, r);
  } else if (spec->format == FORMAT_TEXT) {
    text_result(b, spec, name, r);
  } else if (spec->format == FORMAT_HTML) {
    size_t len = 0;
    char *page = report_html_string(name, r, &len);
    add_page(b, page, len);
  } else if (spec->format == FORMAT_HTML_SUMMARY) {
    return;
  } else if (!spec->full && !(spec->json_flags & AVIS_JSON_TOKENS)) {
    size_t from = b->len;
    if (!head->nextra) {
      /* No member of the input to place: the record is written in place,
       * as json_record() would put it together. */
      sb_addc(b, '{');
      sb_put(b, head->lead, head->lead_len);
      doc_fields(b, head->lead_len ? "," : "", r);
      sb_adds(b, "}\n");
    } else {
      strbuf body = {0};
      doc_fields(&body, "", r);
      if (body.failed)
        b->failed = 1;
      else
        json_record(b, head, body.data, body.len);
      free(body.data);
    }
    if (!b->failed && (spec->json_flags & AVIS_JSON_PRETTY))
      indent_record(b, from);
  } else {
    char *json;
    size_t len;
    if (avis_result_to_json(r, spec->json_flags, &json, &len) || len < 2) {
      b->failed = 1;
      return;
    }
    json_record(b, head, json + 1, len - 2);
    avis_free(json);
  }
}

void record_error(strbuf *b, const record_spec *spec, const char *name,
                  const record_head *head, const char *code,
                  const char *message) {
  if (spec->format == FORMAT_CSV || spec->format == FORMAT_TSV) {
    const char *cells[NCOLUMNS] = {name, "", "", "", "", "", "", code, message};
    table_row(b, spec->format, cells);
  } else if (spec->format == FORMAT_HTML) {
    size_t len = 0;
    char *page = report_html_error_string(name, code, message, &len);
    add_page(b, page, len);
  } else if (spec->format == FORMAT_HTML_SUMMARY) {
    return;
  } else if (spec->format == FORMAT_TEXT) {
    sb_adds(b, name);
    sb_adds(b, "\n  error        ");
    sb_adds(b, code);
    sb_adds(b, ": ");
    sb_adds(b, message);
    sb_addc(b, '\n');
  } else {
    strbuf body = {0};
    sb_adds(&body, "\"error\":{\"code\":");
    sb_add_json_string(&body, code);
    sb_adds(&body, ",\"message\":");
    sb_add_json_string(&body, message);
    sb_addc(&body, '}');
    if (body.failed)
      b->failed = 1;
    else
      json_record(b, head, body.data, body.len);
    free(body.data);
  }
}
