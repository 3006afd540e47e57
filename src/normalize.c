#include "normalize.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "avis.h"
#include "error.h"

/* Normalisation runs in up to three passes, cheapest first, each falling
 * back to the next only when it meets something it cannot handle:
 *  1. ASCII: lower-case the bytes;
 *  2. Latin: every code point below U+0300 (no combining mark, so the text
 *     is already NFC) and its full case folding is its lower case;
 *  3. full: utf8proc's NFC with full case folding.
 * French words nearly always end in pass 1 or 2. */

#define DROP (-1)
#define SHARP_S 0xDF

/* The replacements that come before case folding; DROP removes. */
static utf8proc_int32_t premap(utf8proc_int32_t cp) {
  switch (cp) {
  case 0x2019: case 0x2018: case 0x02BC: case 0x2032: case 0xFF07:
    return '\'';
  case 0x2010: case 0x2011:
    return '-';
  case 0x00AD: case 0x200B: case 0x200C: case 0x200D: case 0x2060:
  case 0xFEFF:
    return DROP;
  case 0x1E9E:
    /* Capital sharp s lower-cases to ß, which stays a letter. */
    return SHARP_S;
  default:
    return cp;
  }
}

/* Code points below U+0300 whose full case folding is not their lower
 * case (µ → μ, İ → i̇, ŉ → ʼn, ſ → s); ß is one too, but kept as it is.
 * test_normalize checks this list against utf8proc. */
static int folds_unlike_lower(utf8proc_int32_t cp) {
  return cp == 0xB5 || cp == 0x130 || cp == 0x149 || cp == 0x17F;
}

/* Lower case of a code point below U+0300. Latin-1 capitals, among them
 * nearly all of French's, sit 0x20 below their lower case (except ×, D7);
 * the rest is left to utf8proc. */
static utf8proc_int32_t latin_lower(utf8proc_int32_t cp) {
  if (cp >= 0x100)
    return utf8proc_tolower(cp);
  if ((cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7))
    return cp + 0x20;
  return cp;
}

/* Length of the code point at s, or a negative utf8proc error. The one-
 * and two-byte forms, all that French text needs, are decoded inline. */
static utf8proc_ssize_t next_cp(const unsigned char *s, size_t len,
                                utf8proc_int32_t *cp) {
  if (s[0] < 0x80) {
    *cp = s[0];
    return 1;
  }
  if (s[0] >= 0xC2 && s[0] < 0xE0 && len >= 2 && (s[1] & 0xC0) == 0x80) {
    *cp = (utf8proc_int32_t)((s[0] & 0x1Fu) << 6 | (s[1] & 0x3Fu));
    return 2;
  }
  return utf8proc_iterate(s, (utf8proc_ssize_t)len, cp);
}

static int invalid_utf8(void) {
  return avis_fail(AVIS_ERR_ARG, "normalisation of invalid UTF-8");
}

/* Reads the code point at s[*i] through premap(), skipping those it drops,
 * and moves *i past it: 1 and *cp, 0 at the end, or a negative code. */
static int next_mapped(const unsigned char *s, size_t len, size_t *i,
                       utf8proc_int32_t *cp) {
  while (*i < len) {
    utf8proc_ssize_t n = next_cp(s + *i, len - *i, cp);
    if (n < 0)
      return invalid_utf8();
    *i += (size_t)n;
    *cp = premap(*cp);
    if (*cp != DROP)
      return 1;
  }
  return 0;
}

/* Pass 1. Appends s lower-cased up to its first non-ASCII byte; returns
 * how many bytes it consumed. The caller reserved the room. */
static size_t lower_ascii(avis_buf *arena, const unsigned char *s,
                          size_t len) {
  char *o = arena->data + arena->len;
  size_t i = 0;
  for (; i < len && s[i] < 0x80; i++)
    o[i] = (char)((unsigned)(s[i] - 'A') < 26u ? s[i] | 0x20 : s[i]);
  arena->len += i;
  return i;
}

/* Pass 2. 1 when done, 0 when s needs the full pass, or a negative code.
 * Its output is never longer than its input: a two-byte code point whose
 * lower case needs three bytes (Ⱥ → ⱥ) is left to the full pass. The
 * caller reserved that much room. */
static int lower_latin(avis_buf *arena, const unsigned char *s, size_t len) {
  utf8proc_uint8_t *o = (utf8proc_uint8_t *)arena->data + arena->len;
  size_t i = 0, n = 0;
  utf8proc_int32_t cp;
  int rc;
  while ((rc = next_mapped(s, len, &i, &cp)) > 0) {
    if (cp >= 0x300 || folds_unlike_lower(cp))
      return 0;
    utf8proc_int32_t lower = latin_lower(cp);
    if (lower >= 0x800)
      return 0;
    n += (size_t)utf8proc_encode_char(lower, o + n);
  }
  if (rc < 0)
    return rc;
  arena->len += n;
  return 1;
}

static int append_cp(avis_buf *arena, utf8proc_int32_t cp) {
  if (avis_buf_reserve(arena, 4))
    return AVIS_ERR_NOMEM;
  arena->len += (size_t)utf8proc_encode_char(
      cp, (utf8proc_uint8_t *)arena->data + arena->len);
  return 0;
}

/* Canonical reordering sorts each run of combining marks in time quadratic
 * in its length, so runs are kept short as Unicode's stream-safe format
 * does (UAX #15): after 30 marks in a row, a combining grapheme joiner (a
 * starter) is inserted. No real word has such a run. */
#define MAX_NONSTARTERS 30
#define CGJ 0x034F

static int premap_all(avis_buf *out, const unsigned char *s, size_t len) {
  size_t i = 0, run = 0;
  utf8proc_int32_t cp;
  int rc;
  while ((rc = next_mapped(s, len, &i, &cp)) > 0) {
    if (utf8proc_get_property(cp)->combining_class == 0)
      run = 0;
    else if (++run > MAX_NONSTARTERS) {
      if (append_cp(out, CGJ))
        return AVIS_ERR_NOMEM;
      run = 1;
    }
    if (append_cp(out, cp))
      return AVIS_ERR_NOMEM;
  }
  return rc;
}

static int fold_nfc(avis_buf *arena, const char *s, size_t len) {
  utf8proc_uint8_t *folded;
  utf8proc_ssize_t n = utf8proc_map(
      (const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &folded,
      UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
  if (n < 0)
    return n == UTF8PROC_ERROR_NOMEM
               ? AVIS_ERR_NOMEM
               : avis_fail(AVIS_ERR_ARG, "normalisation: %s",
                           utf8proc_errmsg(n));
  int rc = avis_buf_append(arena, folded, (size_t)n);
  free(folded);
  return rc;
}

/* The first ß (UTF-8 C3 9F) of s[0..end), or end. */
static const char *find_sharp_s(const char *s, const char *end) {
  for (const char *p = s; (p = memchr(p, 0xC3, (size_t)(end - p))); p++)
    if (p + 1 < end && (unsigned char)p[1] == 0x9F)
      return p;
  return end;
}

/* Pass 3. Full case folding would turn ß into ss, so the text is folded in
 * pieces between its ß, which are copied as they are. ß is a starter that
 * composes with nothing, so the pieces' NFC forms join into the NFC form
 * of the whole. */
static int fold_keeping_sharp_s(avis_buf *arena, const char *s, size_t len) {
  const char *end = s + len;
  for (;;) {
    const char *cut = find_sharp_s(s, end);
    int rc = fold_nfc(arena, s, (size_t)(cut - s));
    if (rc || cut == end)
      return rc;
    if (avis_buf_append(arena, cut, 2))
      return AVIS_ERR_NOMEM;
    s = cut + 2;
  }
}

static int normalize_full(avis_buf *arena, const unsigned char *s,
                          size_t len) {
  avis_buf mapped = {0};
  int rc = premap_all(&mapped, s, len);
  if (!rc && mapped.len)
    rc = fold_keeping_sharp_s(arena, mapped.data, mapped.len);
  avis_buf_release(&mapped);
  return rc;
}

int avis_normalize(avis_buf *arena, const char *str, size_t len,
                   uint32_t *off, uint32_t *nlen) {
  const unsigned char *s = (const unsigned char *)str;
  size_t start = arena->len;
  /* Room for what passes 1 and 2 write, and the NUL after it. */
  if (avis_buf_reserve(arena, len + 1))
    return AVIS_ERR_NOMEM;
  int rc = 1;
  size_t i = lower_ascii(arena, s, len);
  if (i < len)
    rc = lower_latin(arena, s + i, len - i);
  if (rc == 0) {
    arena->len = start;
    rc = normalize_full(arena, s, len);
    if (rc == 0 && avis_buf_reserve(arena, 1))
      rc = AVIS_ERR_NOMEM;
  }
  if (rc >= 0 && arena->len >= UINT32_MAX)
    rc = avis_fail(AVIS_ERR_TOO_LARGE, "normalised text exceeds 4 GiB");
  if (rc < 0) {
    arena->len = start;
    return rc;
  }
  *off = (uint32_t)start;
  *nlen = (uint32_t)(arena->len - start);
  arena->data[arena->len++] = '\0';
  arena->data[arena->len] = '\0';
  return 0;
}

/* -1 for a lower-case letter, 1 for an upper- or title-case one, 0 for
 * anything else (uncased letters included). */
static int letter_case(utf8proc_int32_t cp) {
  if (cp < 0x80)
    return (unsigned)(cp - 'a') < 26u ? -1 : (unsigned)(cp - 'A') < 26u;
  utf8proc_category_t cat = utf8proc_category(cp);
  if (cat == UTF8PROC_CATEGORY_LL)
    return -1;
  return cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LT;
}

int avis_is_all_caps(const char *str, size_t len) {
  const unsigned char *s = (const unsigned char *)str;
  size_t upper = 0;
  size_t i = 0;
  while (i < len) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = next_cp(s + i, len - i, &cp);
    if (n < 0)
      return 0;
    i += (size_t)n;
    int c = letter_case(cp);
    if (c < 0)
      return 0;
    upper += (size_t)c;
  }
  return upper >= 2;
}

size_t avis_utf8_count(const char *s, size_t len) {
  size_t n = 0;
  for (size_t i = 0; i < len; i++)
    n += ((unsigned char)s[i] & 0xC0) != 0x80;
  return n;
}
