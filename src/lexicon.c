#include "lexicon.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "error.h"
#include "lexicon_io.h"
#include "normalize.h"

/* ---- Checked file reading ------------------------------------------------ */

static size_t line_of(const char *data, size_t off) {
  size_t line = 1;
  const char *p = data, *end = data + off;
  while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
    line++;
    p++;
  }
  return line;
}

int avis_datafile_check(const char *name, const char *data, size_t len) {
  const char *nul = memchr(data, '\0', len);
  if (nul)
    return avis_fail(AVIS_ERR_BINARY, "%s:%zu: binary file (NUL byte)", name,
                     line_of(data, (size_t)(nul - data)));
  size_t valid = avis_utf8_valid_prefix(data, len);
  if (valid < len)
    return avis_fail(AVIS_ERR_ENCODING, "%s:%zu: not valid UTF-8", name,
                     line_of(data, valid));
  return 0;
}

static int read_all(FILE *f, const char *path, avis_buf *out) {
  for (;;) {
    if (avis_buf_reserve(out, 65536))
      return AVIS_ERR_NOMEM;
    size_t room = out->cap - out->len - 1;
    size_t left = AVIS_DATAFILE_MAX + 1 - out->len;
    size_t got = fread(out->data + out->len, 1, room < left ? room : left, f);
    out->len += got;
    out->data[out->len] = '\0';
    if (out->len > AVIS_DATAFILE_MAX)
      return avis_fail(AVIS_ERR_TOO_LARGE, "%s: larger than %zu MiB", path,
                       AVIS_DATAFILE_MAX >> 20);
    if (got == 0)
      break;
  }
  if (ferror(f))
    return avis_fail(AVIS_ERR_IO, "%s: %s", path, strerror(errno));
  return 0;
}

int avis_datafile_read(const char *path, avis_buf *out) {
  avis_buf_clear(out);
  errno = 0;
  FILE *f = fopen(path, "rb");
  if (!f)
    return avis_fail(AVIS_ERR_IO, "%s: %s", path,
                     errno ? strerror(errno) : "cannot open");
  int rc = read_all(f, path, out);
  fclose(f);
  return rc;
}

/* ---- Lines and fields ---------------------------------------------------- */

void avis_lines_init(avis_line_reader *r, const char *data, size_t len) {
  r->p = data;
  r->end = data + len;
  r->line = 0;
  if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
    r->p += 3;
}

int avis_lines_next(avis_line_reader *r, const char **s, size_t *n) {
  if (r->p >= r->end)
    return 0;
  const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
  const char *stop = nl ? nl : r->end;
  *s = r->p;
  *n = (size_t)(stop - r->p);
  if (*n && (*s)[*n - 1] == '\r')
    (*n)--;
  r->p = nl ? nl + 1 : r->end;
  r->line++;
  return 1;
}

static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

int avis_line_is_blank(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!is_space(s[i]))
      return 0;
  return 1;
}

static avis_span trim(avis_span f) {
  while (f.n && is_space(f.s[0])) {
    f.s++;
    f.n--;
  }
  while (f.n && is_space(f.s[f.n - 1]))
    f.n--;
  return f;
}

int avis_span_is(avis_span f, const char *lit) {
  size_t n = strlen(lit);
  return f.n == n && memcmp(f.s, lit, n) == 0;
}

int avis_line_magic(const char *s, size_t n, const char *kind,
                    unsigned *version) {
  avis_span rest = trim((avis_span){s, n});
  size_t k = strlen(kind);
  if (rest.n < 1 || rest.s[0] != '#')
    return 0;
  rest = trim((avis_span){rest.s + 1, rest.n - 1});
  if (rest.n < k || memcmp(rest.s, kind, k) != 0 ||
      (rest.n > k && !is_space(rest.s[k])))
    return 0;
  rest = trim((avis_span){rest.s + k, rest.n - k});
  unsigned v = 0;
  for (size_t i = 0; i < rest.n; i++) {
    if (rest.s[i] < '0' || rest.s[i] > '9' || v > 1000) {
      v = 0;
      break;
    }
    v = v * 10 + (unsigned)(rest.s[i] - '0');
  }
  *version = v;
  return 1;
}

size_t avis_split_fields(const char *s, size_t n, char sep, avis_span *f,
                         size_t max) {
  size_t count = 0;
  const char *end = s + n;
  for (;;) {
    const char *at = memchr(s, sep, (size_t)(end - s));
    const char *stop = at ? at : end;
    if (count == max)
      return max + 1;
    f[count++] = trim((avis_span){s, (size_t)(stop - s)});
    if (!at)
      return count;
    s = at + 1;
  }
}

/* ---- Decimals ---------------------------------------------------------------
 * strtod() follows LC_NUMERIC, and under a French locale it would stop at
 * the point of "0.5". Up to 18 significant digits are kept, far beyond a
 * float's precision. */

#define MAX_DIGITS 40

int avis_parse_decimal(avis_span f, double *out, const char **problem) {
  size_t i = 0, digits = 0;
  int neg = 0, sig = 0, scale = 0;
  uint64_t mant = 0;
  if (i < f.n && (f.s[i] == '+' || f.s[i] == '-'))
    neg = f.s[i++] == '-';
  for (int frac = 0; i < f.n; i++) {
    char c = f.s[i];
    if (c == '.' && !frac) {
      frac = 1;
      continue;
    }
    if (c < '0' || c > '9')
      break;
    if (++digits > MAX_DIGITS)
      break;
    if (sig < 18) {
      mant = mant * 10 + (uint64_t)(c - '0');
      sig += mant != 0;
      scale -= frac;
    } else {
      scale += !frac;
    }
  }
  if (i < f.n || digits == 0) {
    *problem = memchr(f.s, ',', f.n) ? "decimal comma: write 0.5, not 0,5"
                                     : "not a decimal number";
    return AVIS_ERR_FORMAT;
  }
  double v = (double)mant;
  for (; scale < 0; scale++)
    v /= 10;
  for (; scale > 0; scale--)
    v *= 10;
  *out = neg ? -v : v;
  return 0;
}

/* ---- Terms --------------------------------------------------------------- */

/* Length of the white space at s[0..n): ASCII, U+00A0 and U+202F. */
static size_t space_len(const char *s, size_t n) {
  if (n && is_space(s[0]))
    return 1;
  if (n >= 2 && memcmp(s, "\xC2\xA0", 2) == 0)
    return 2;
  if (n >= 3 && memcmp(s, "\xE2\x80\xAF", 3) == 0)
    return 3;
  return 0;
}

/* Length of an elided clitic with its apostrophe at the start of a
 * normalised word (l'avis -> 2), or 0. As in the tokeniser, a hyphenated
 * word stays whole (c'est-à-dire), and so does a bare clitic (n'). */
static size_t clitic_len(const char *w, size_t n) {
  static const char *const clitics[] = {
      "c", "d", "j", "l", "m", "n", "s", "t", "qu", "jusqu", "lorsqu",
      "puisqu", "quoiqu"};
  const char *apos = memchr(w, '\'', n);
  if (!apos || memchr(w, '-', n) || (size_t)(apos - w) + 1 == n)
    return 0;
  size_t k = (size_t)(apos - w);
  for (size_t i = 0; i < sizeof clitics / sizeof *clitics; i++)
    if (strlen(clitics[i]) == k && memcmp(w, clitics[i], k) == 0)
      return k + 1;
  return 0;
}

static int append_word(avis_buf *out, const char *w, size_t n,
                       unsigned *nwords) {
  if (out->len && avis_buf_putc(out, ' '))
    return AVIS_ERR_NOMEM;
  (*nwords)++;
  return avis_buf_append(out, w, n);
}

static int add_normalized_word(avis_buf *out, avis_buf *scratch,
                               const char *s, size_t n, unsigned *nwords) {
  uint32_t off, len;
  avis_buf_clear(scratch);
  int rc = avis_normalize(scratch, s, n, &off, &len);
  if (rc || len == 0)
    return rc;
  const char *w = scratch->data + off;
  size_t c = clitic_len(w, len);
  if (c && (rc = append_word(out, w, c, nwords)) != 0)
    return rc;
  return append_word(out, w + c, len - c, nwords);
}

int avis_normalize_term(avis_buf *out, avis_buf *scratch, const char *s,
                        size_t n, unsigned *nwords, const char **problem) {
  avis_buf_clear(out);
  *nwords = 0;
  size_t i = 0;
  while (i < n) {
    size_t sp = space_len(s + i, n - i);
    if (sp) {
      i += sp;
      continue;
    }
    size_t start = i;
    while (i < n && !space_len(s + i, n - i))
      i++;
    int rc = add_normalized_word(out, scratch, s + start, i - start, nwords);
    if (rc)
      return rc;
    if (*nwords > AVIS_TERM_MAX_WORDS || out->len > AVIS_TERM_MAX_BYTES) {
      *problem = "term too long (at most 8 words, 256 bytes)";
      return AVIS_ERR_FORMAT;
    }
  }
  if (*nwords == 0) {
    *problem = "empty term";
    return AVIS_ERR_FORMAT;
  }
  return 0;
}

/* ---- Loading ------------------------------------------------------------- */

typedef struct {
  avis_lexicon *lex;
  uint16_t source;
  int has_emotions;
  avis_buf term, scratch;
  const char *problem;
  char detail[96]; /* holds a problem that quotes the input */
} loader;

static int bad(loader *ld, const char *problem) {
  ld->problem = problem;
  return AVIS_ERR_FORMAT;
}

static avis_lex_entry *entry_at(const avis_lexicon *lex, uint32_t i) {
  return (avis_lex_entry *)lex->entries.data + i;
}

int avis_put_item(avis_strmap *forms, avis_vec *items, const char *key,
                  size_t n, const void *item, size_t size) {
  uint32_t idx;
  if (avis_strmap_get(forms, key, n, &idx)) {
    memcpy((char *)items->data + (size_t)idx * size, item, size);
    return 0;
  }
  if (forms->count >= UINT32_MAX / 2)
    return avis_fail(AVIS_ERR_TOO_LARGE, "too many terms");
  void *slot = avis_vec_push(items, size);
  if (!slot)
    return AVIS_ERR_NOMEM;
  memcpy(slot, item, size);
  return avis_strmap_put(forms, key, n, (uint32_t)forms->count);
}

int avis_note_first_word(avis_strmap *first_words, const char *term,
                         size_t n, unsigned nwords) {
  const char *space = memchr(term, ' ', n);
  size_t first = space ? (size_t)(space - term) : n;
  uint32_t longest = 0;
  avis_strmap_get(first_words, term, first, &longest);
  return nwords > longest ? avis_strmap_put(first_words, term, first, nwords)
                          : 0;
}

/* Stores `e` under the normalised form of `term`; a form already present
 * is replaced (later lines and files override earlier ones). Each form's
 * entry has the form's index; stem entries come after them. */
static int store(loader *ld, avis_span term, avis_lex_entry e) {
  unsigned nwords;
  int rc = avis_normalize_term(&ld->term, &ld->scratch, term.s, term.n,
                               &nwords, &ld->problem);
  if (rc)
    return rc;
  e.nwords = (uint8_t)nwords;
  e.source = ld->source;
  return avis_put_item(&ld->lex->forms, &ld->lex->entries, ld->term.data,
                       ld->term.len, &e, sizeof e);
}

static avis_lex_entry plain_entry(double polarity) {
  avis_lex_entry e = {0};
  e.polarity = (float)polarity;
  e.subjectivity = -1;
  return e;
}

/* avis TSV: term, polarity[, subjectivity[, emotions]]. */

static const char *const emotion_names[AVIS_EMOTION_COUNT][2] = {
    {"joie", "joie"},           {"peur", "peur"},
    {"tristesse", "tristesse"}, {"colère", "colere"},
    {"surprise", "surprise"},   {"dégoût", "degout"}};

static int parse_emotions(loader *ld, avis_span f, uint8_t *bits) {
  avis_span names[AVIS_EMOTION_COUNT * 2];
  size_t n = avis_split_fields(f.s, f.n, ',', names, AVIS_EMOTION_COUNT * 2);
  if (n > AVIS_EMOTION_COUNT * 2)
    return bad(ld, "too many emotions");
  for (size_t i = 0; i < n; i++) {
    int e = 0;
    while (e < AVIS_EMOTION_COUNT &&
           !avis_span_is(names[i], emotion_names[e][0]) &&
           !avis_span_is(names[i], emotion_names[e][1]))
      e++;
    if (e == AVIS_EMOTION_COUNT) {
      snprintf(ld->detail, sizeof ld->detail, "unknown emotion '%.*s'",
               (int)(names[i].n > 40 ? 40 : names[i].n), names[i].s);
      return bad(ld, ld->detail);
    }
    *bits |= (uint8_t)(1u << e);
  }
  return 0;
}

static int none(avis_span f) { return f.n == 0 || avis_span_is(f, "-"); }

static int parse_tsv(loader *ld, const char *s, size_t n) {
  avis_span f[4];
  size_t nf = avis_split_fields(s, n, '\t', f, 4);
  if (nf < 2 || nf > 4)
    return bad(ld, "expected term<TAB>polarity[<TAB>subjectivity"
                   "[<TAB>emotions]]");
  double polarity, subjectivity;
  if (avis_parse_decimal(f[1], &polarity, &ld->problem))
    return AVIS_ERR_FORMAT;
  if (polarity < -1 || polarity > 1)
    return bad(ld, "polarity outside [-1, 1]");
  avis_lex_entry e = plain_entry(polarity);
  if (nf >= 3 && !none(f[2])) {
    if (avis_parse_decimal(f[2], &subjectivity, &ld->problem))
      return AVIS_ERR_FORMAT;
    if (subjectivity < 0 || subjectivity > 1)
      return bad(ld, "subjectivity outside [0, 1]");
    e.subjectivity = (float)subjectivity;
  }
  if (nf == 4 && !none(f[3]) && parse_emotions(ld, f[3], &e.emotions))
    return AVIS_ERR_FORMAT;
  int rc = store(ld, f[0], e);
  /* A fourth column, even "-", says the file rates emotions. */
  if (!rc && nf == 4)
    ld->has_emotions = 1;
  return rc;
}

/* FEEL: id;word;polarity;joy;fear;sadness;anger;surprise;disgust, the six
 * emotions in avis_emotion order. */

static int is_feel_header(const char *s, size_t n) {
  return n >= 8 && memcmp(s, "id;word;", 8) == 0;
}

static int parse_feel(loader *ld, const char *s, size_t n) {
  avis_span f[9];
  if (avis_split_fields(s, n, ';', f, 9) != 9)
    return bad(ld, "expected 9 fields separated by ';'");
  double polarity;
  if (avis_span_is(f[2], "positive"))
    polarity = 0.5;
  else if (avis_span_is(f[2], "negative"))
    polarity = -0.5;
  else
    return bad(ld, "polarity is neither 'positive' nor 'negative'");
  avis_lex_entry e = plain_entry(polarity);
  for (int i = 0; i < AVIS_EMOTION_COUNT; i++) {
    if (avis_span_is(f[3 + i], "1"))
      e.emotions |= (uint8_t)(1u << i);
    else if (!avis_span_is(f[3 + i], "0"))
      return bad(ld, "emotion flag is neither 0 nor 1");
  }
  return store(ld, f[1], e);
}

/* VADER: word<TAB>mean[<TAB>sd<TAB>ratings], or vader_FR's word->mean. */

static const char *last_arrow(const char *s, size_t n) {
  for (size_t i = n; i-- > 1;)
    if (s[i - 1] == '-' && s[i] == '>')
      return s + i - 1;
  return NULL;
}

static int parse_vader(loader *ld, const char *s, size_t n) {
  avis_span f[4];
  const char *arrow;
  if (memchr(s, '\t', n)) {
    if (avis_split_fields(s, n, '\t', f, 4) < 2)
      return bad(ld, "expected word<TAB>mean");
  } else if ((arrow = last_arrow(s, n)) != NULL) {
    f[0] = (avis_span){s, (size_t)(arrow - s)};
    f[1] = (avis_span){arrow + 2, n - (size_t)(arrow - s) - 2};
  } else {
    return bad(ld, "expected word<TAB>mean or word->mean");
  }
  double mean;
  if (avis_parse_decimal(trim(f[1]), &mean, &ld->problem))
    return AVIS_ERR_FORMAT;
  if (mean < -4 || mean > 4)
    return bad(ld, "mean outside [-4, 4]");
  return store(ld, f[0], plain_entry(mean / 4));
}

/* ---- Format detection ---------------------------------------------------- */

static avis_lexicon_format detect_line(const char *s, size_t n) {
  avis_span f[9];
  int tabs = memchr(s, '\t', n) != NULL;
  if (!tabs &&
      (is_feel_header(s, n) || avis_split_fields(s, n, ';', f, 9) == 9))
    return AVIS_LEXICON_FEEL;
  if (!tabs && last_arrow(s, n))
    return AVIS_LEXICON_VADER;
  if (!tabs)
    return AVIS_LEXICON_AUTO;
  size_t nf = avis_split_fields(s, n, '\t', f, 5);
  if (nf >= 4 && f[3].n && f[3].s[0] == '[')
    return AVIS_LEXICON_VADER;
  return AVIS_LEXICON_TSV;
}

static int detect_format(const char *name, const char *data, size_t len,
                         avis_lexicon_format *format) {
  avis_line_reader r;
  const char *s;
  size_t n;
  unsigned version;
  avis_lines_init(&r, data, len);
  *format = AVIS_LEXICON_TSV;
  while (avis_lines_next(&r, &s, &n)) {
    if (r.line == 1 && avis_line_magic(s, n, "avis-lexicon", &version))
      return 0;
    if (avis_line_is_blank(s, n) || s[0] == '#')
      continue;
    *format = detect_line(s, n);
    if (*format == AVIS_LEXICON_AUTO)
      return avis_fail(AVIS_ERR_FORMAT,
                       "%s:%zu: cannot tell the lexicon format (TSV, FEEL, "
                       "VADER) from this line; give the format explicitly",
                       name, r.line);
    return 0;
  }
  return 0;
}

/* ---- Sources and the load loop ------------------------------------------- */

static int add_source(avis_lexicon *lex, const char *name,
                      avis_lexicon_format format, uint16_t *index) {
  if (lex->sources.len >= UINT16_MAX)
    return avis_fail(AVIS_ERR_TOO_LARGE, "%s: too many lexicon files", name);
  char *path = malloc(strlen(name) + 1);
  if (!path)
    return AVIS_ERR_NOMEM;
  strcpy(path, name);
  avis_lex_source *src = avis_vec_push(&lex->sources, sizeof *src);
  if (!src) {
    free(path);
    return AVIS_ERR_NOMEM;
  }
  src->path = path;
  src->format = format;
  *index = (uint16_t)(lex->sources.len - 1);
  return 0;
}

static int parse_line(loader *ld, avis_lexicon_format format, const char *s,
                      size_t n) {
  switch (format) {
  case AVIS_LEXICON_FEEL: return parse_feel(ld, s, n);
  case AVIS_LEXICON_VADER: return parse_vader(ld, s, n);
  default: return parse_tsv(ld, s, n);
  }
}

/* 1 for lines that hold no entry: blank lines, the FEEL header, and
 * comments in the avis TSV format (the other formats have none). */
static int is_skippable(avis_lexicon_format format, const char *s, size_t n) {
  if (avis_line_is_blank(s, n))
    return 1;
  if (format == AVIS_LEXICON_FEEL)
    return is_feel_header(s, n);
  return format == AVIS_LEXICON_TSV && s[0] == '#';
}

static int check_version(const char *name, const char *s, size_t n) {
  unsigned version;
  if (avis_line_magic(s, n, "avis-lexicon", &version) && version != 1)
    return avis_fail(AVIS_ERR_FORMAT,
                     "%s:1: unsupported avis-lexicon version (this library "
                     "reads version 1)",
                     name);
  return 0;
}

/* "name:line: problem", malloc'ed, or NULL when out of memory. */
static char *describe_line(const char *name, size_t line, const char *problem) {
  int n = snprintf(NULL, 0, "%s:%zu: %s", name, line, problem);
  char *s = n < 0 ? NULL : malloc((size_t)n + 1);
  if (s)
    snprintf(s, (size_t)n + 1, "%s:%zu: %s", name, line, problem);
  return s;
}

static int load_lines(loader *ld, const char *name, const char *data,
                      size_t len, avis_lexicon_format format, int strict,
                      avis_lex_source *counts) {
  avis_line_reader r;
  const char *s;
  size_t n;
  avis_lines_init(&r, data, len);
  while (avis_lines_next(&r, &s, &n)) {
    if (r.line == 1 && check_version(name, s, n))
      return AVIS_ERR_FORMAT;
    if (is_skippable(format, s, n))
      continue;
    int rc = parse_line(ld, format, s, n);
    if (rc == AVIS_ERR_FORMAT && strict)
      return avis_fail(rc, "%s:%zu: %s", name, r.line, ld->problem);
    if (rc == AVIS_ERR_FORMAT) {
      if (!counts->skipped++ &&
          !(counts->first_problem = describe_line(name, r.line, ld->problem)))
        return AVIS_ERR_NOMEM;
    } else if (rc) {
      return rc;
    } else {
      counts->entries++;
    }
  }
  return 0;
}

int avis_lexicon_load_buffer(avis_lexicon *lex, const char *name,
                             const char *data, size_t len,
                             avis_lexicon_format format, int strict) {
  if (!lex || !name || (!data && len))
    return avis_fail(AVIS_ERR_ARG, "avis_lexicon_load_buffer: NULL argument");
  if (!data)
    data = "";
  int rc = avis_datafile_check(name, data, len);
  if (!rc && format == AVIS_LEXICON_AUTO)
    rc = detect_format(name, data, len, &format);
  uint16_t source = 0;
  if (!rc)
    rc = add_source(lex, name, format, &source);
  if (rc)
    return rc;
  /* Undo an earlier avis_lexicon_finish(): its stem entries and tables
   * would go stale. */
  lex->entries.len = lex->forms.count;
  avis_strmap_clear(&lex->stems);
  avis_strmap_clear(&lex->mwe_first);
  loader ld = {.lex = lex, .source = source};
  avis_lex_source counts = {0};
  rc = load_lines(&ld, name, data, len, format, strict, &counts);
  avis_lex_source *src = (avis_lex_source *)lex->sources.data + source;
  src->entries = counts.entries;
  src->skipped = counts.skipped;
  src->first_problem = counts.first_problem;
  src->has_emotions = format == AVIS_LEXICON_FEEL || ld.has_emotions;
  lex->has_emotions |= src->has_emotions;
  avis_buf_release(&ld.term);
  avis_buf_release(&ld.scratch);
  return rc;
}

int avis_lexicon_load_file(avis_lexicon *lex, const char *path,
                           avis_lexicon_format format, int strict) {
  if (!lex || !path)
    return avis_fail(AVIS_ERR_ARG, "avis_lexicon_load_file: NULL argument");
  avis_buf data = {0};
  int rc = avis_datafile_read(path, &data);
  if (!rc)
    rc = avis_lexicon_load_buffer(lex, path, data.data, data.len, format,
                                  strict);
  avis_buf_release(&data);
  return rc;
}

/* ---- Stems and expressions --------------------------------------------------
 * A stem entry averages the single-word forms that share the stem, taking
 * only the forms of the latest file that has any: a user lexicon that
 * rates "décevant" decides how an unlisted "décevantes" is rated. */

typedef struct {
  double polarity, subjectivity;
  uint32_t forms, subjective, first;
  uint8_t emotions;
  uint16_t source;
} stem_group;

static void group_add(stem_group *g, const avis_lex_entry *e, uint32_t form) {
  if (g->forms && e->source < g->source)
    return;
  if (!g->forms || e->source > g->source)
    *g = (stem_group){.first = form, .source = e->source};
  g->forms++;
  g->polarity += e->polarity;
  g->emotions |= e->emotions;
  if (e->subjectivity >= 0) {
    g->subjective++;
    g->subjectivity += e->subjectivity;
  }
}

static int add_to_stem_group(avis_lexicon *lex, avis_vec *groups,
                             avis_stemmer *st, uint32_t form) {
  size_t n, stem_len;
  const char *key = avis_strmap_key(&lex->forms, form, &n);
  const char *stem = avis_stem(st, key, n, &stem_len);
  if (!stem)
    return AVIS_ERR_NOMEM;
  uint32_t g;
  if (!avis_strmap_get(&lex->stems, stem, stem_len, &g)) {
    if (!avis_vec_push(groups, sizeof(stem_group)))
      return AVIS_ERR_NOMEM;
    g = (uint32_t)(groups->len - 1);
    if (avis_strmap_put(&lex->stems, stem, stem_len, g))
      return AVIS_ERR_NOMEM;
  }
  group_add((stem_group *)groups->data + g, entry_at(lex, form), form);
  return 0;
}

/* Points each stem at its entry: the form's own when one form has the
 * stem, else a new entry holding the means. */
static int resolve_stem_groups(avis_lexicon *lex, const avis_vec *groups) {
  for (uint32_t i = 0; i < groups->len; i++) {
    const stem_group *g = (const stem_group *)groups->data + i;
    uint32_t target = g->first;
    if (g->forms > 1) {
      avis_lex_entry *e = avis_vec_push(&lex->entries, sizeof *e);
      if (!e)
        return AVIS_ERR_NOMEM;
      e->polarity = (float)(g->polarity / g->forms);
      e->subjectivity =
          g->subjective ? (float)(g->subjectivity / g->subjective) : -1;
      e->emotions = g->emotions;
      e->nwords = 1;
      e->source = g->source;
      target = (uint32_t)(lex->entries.len - 1);
    }
    size_t n;
    const char *stem = avis_strmap_key(&lex->stems, i, &n);
    if (avis_strmap_put(&lex->stems, stem, n, target))
      return AVIS_ERR_NOMEM;
  }
  return 0;
}

static int note_expression(avis_lexicon *lex, uint32_t form) {
  size_t n;
  const char *key = avis_strmap_key(&lex->forms, form, &n);
  return avis_note_first_word(&lex->mwe_first, key, n,
                              entry_at(lex, form)->nwords);
}

int avis_lexicon_finish(avis_lexicon *lex, avis_stemmer *st) {
  if (!lex || !st)
    return avis_fail(AVIS_ERR_ARG, "avis_lexicon_finish: NULL argument");
  lex->entries.len = lex->forms.count;
  avis_strmap_clear(&lex->stems);
  avis_strmap_clear(&lex->mwe_first);
  avis_vec groups = {0};
  int rc = 0;
  for (uint32_t i = 0; !rc && i < lex->forms.count; i++)
    rc = entry_at(lex, i)->nwords > 1 ? note_expression(lex, i)
                                      : add_to_stem_group(lex, &groups, st, i);
  if (!rc)
    rc = resolve_stem_groups(lex, &groups);
  avis_vec_release(&groups);
  return rc;
}

void avis_lexicon_release(avis_lexicon *lex) {
  if (!lex)
    return;
  for (size_t i = 0; i < lex->sources.len; i++) {
    free(((avis_lex_source *)lex->sources.data)[i].path);
    free(((avis_lex_source *)lex->sources.data)[i].first_problem);
  }
  avis_vec_release(&lex->sources);
  avis_vec_release(&lex->entries);
  avis_strmap_release(&lex->forms);
  avis_strmap_release(&lex->stems);
  avis_strmap_release(&lex->mwe_first);
  lex->has_emotions = 0;
}

/* ---- Lookups ------------------------------------------------------------- */

/* The entry of key s (n bytes, whose avis_hash() is h) in map. */
static const avis_lex_entry *lookup(const avis_lexicon *lex,
                                    const avis_strmap *map, const char *s,
                                    size_t n, uint64_t h) {
  uint32_t i;
  if (!avis_strmap_get_hashed(map, s, n, h, &i) || i >= lex->entries.len)
    return NULL;
  return entry_at(lex, i);
}

const avis_lex_entry *avis_lexicon_form(const avis_lexicon *lex,
                                        const char *norm, size_t len) {
  return lex && norm ? lookup(lex, &lex->forms, norm, len, avis_hash(norm, len))
                     : NULL;
}

const avis_lex_entry *avis_lexicon_stem(const avis_lexicon *lex,
                                        const char *stem, size_t len) {
  return lex && stem ? lookup(lex, &lex->stems, stem, len, avis_hash(stem, len))
                     : NULL;
}

unsigned avis_lexicon_mwe_max(const avis_lexicon *lex, const char *norm,
                              size_t len) {
  return lex && norm ? avis_lexicon_mwe_max_hashed(lex, norm, len,
                                                   avis_hash(norm, len))
                     : 0;
}

const avis_lex_entry *avis_lexicon_form_hashed(const avis_lexicon *lex,
                                               const char *norm, size_t len,
                                               uint64_t h) {
  return lex && norm ? lookup(lex, &lex->forms, norm, len, h) : NULL;
}

unsigned avis_lexicon_mwe_max_hashed(const avis_lexicon *lex, const char *norm,
                                     size_t len, uint64_t h) {
  uint32_t words = 0;
  if (lex && norm)
    avis_strmap_get_hashed(&lex->mwe_first, norm, len, h, &words);
  return words;
}
