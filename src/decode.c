#include "decode.h"

#include <stdint.h>
#include <string.h>
#include <utf8proc.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "error.h"

#define HIGH_BITS 0x8080808080808080ULL
#define ONES 0x0101010101010101ULL

static uint64_t load8(const unsigned char *p) {
  uint64_t w;
  memcpy(&w, p, sizeof w);
  return w;
}

/* Length of the valid sequence starting with lead byte s[0] (0x80 or
 * above), or 0 if it is not a valid one. The second-byte ranges are those
 * of RFC 3629 section 4: they exclude overlongs (E0, F0), surrogates (ED)
 * and code points past U+10FFFF (F4). */
static inline size_t utf8_sequence_length(const unsigned char *s,
                                          size_t avail) {
  unsigned char c = s[0];
  size_t n;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF)
    n = 2;
  else if (c >= 0xE0 && c <= 0xEF)
    n = 3;
  else if (c >= 0xF0 && c <= 0xF4)
    n = 4;
  else
    return 0;
  if (c == 0xE0)
    lo = 0xA0;
  else if (c == 0xED)
    hi = 0x9F;
  else if (c == 0xF0)
    lo = 0x90;
  else if (c == 0xF4)
    hi = 0x8F;
  if (avail < n || s[1] < lo || s[1] > hi)
    return 0;
  for (size_t i = 2; i < n; i++)
    if ((s[i] & 0xC0) != 0x80)
      return 0;
  return n;
}

size_t avis_utf8_valid_prefix(const char *str, size_t len) {
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0;
  while (i < len) {
    /* French text is mostly ASCII: skip it a word at a time. */
    while (i + 8 <= len && !(load8(s + i) & HIGH_BITS))
      i += 8;
    while (i < len && s[i] < 0x80)
      i++;
    if (i == len)
      break;
    size_t n = utf8_sequence_length(s + i, len - i);
    if (!n)
      break;
    i += n;
  }
  return i;
}

static int nul_at(size_t offset) {
  return avis_fail(AVIS_ERR_BINARY, "binary input: NUL byte at offset %zu",
                   offset);
}

/* Control characters that text does not contain: C0 controls other than
 * tab, LF, FF and CR, and DEL. */
static int is_binary_control(unsigned char c) {
  return (c < 0x20 && c != '\t' && c != '\n' && c != '\f' && c != '\r') ||
         c == 0x7F;
}

/* Whether the word holds a byte below 0x20 or equal to 0x7F. Exact for
 * bytes below 0x80; a byte at or above 0x80 may give a false positive,
 * which only sends the word to the byte-by-byte count. */
static int may_hold_control(uint64_t w) {
  uint64_t below_space = (w - 0x20 * ONES) & ~w;
  uint64_t del = w ^ (0x7F * ONES);
  uint64_t is_del = (del - ONES) & ~del;
  return ((below_space | is_del) & HIGH_BITS) != 0;
}

/* Counts the binary control bytes of s[from..len); fails at the first
 * NUL, giving its offset in s. */
static int count_controls(const unsigned char *s, size_t from, size_t len,
                          size_t *count) {
  size_t n = 0;
  size_t i = from;
  while (i < len) {
    if (i + 8 <= len && !may_hold_control(load8(s + i))) {
      i += 8;
      continue;
    }
    size_t end = i + 8 < len ? i + 8 : len;
    for (; i < end; i++) {
      if (s[i] == 0)
        return nul_at(i);
      n += (size_t)is_binary_control(s[i]);
    }
  }
  *count = n;
  return 0;
}

/* What one pass over the input finds. */
typedef struct {
  size_t controls; /* binary control bytes */
  size_t valid;    /* length of the longest valid UTF-8 prefix */
  size_t trailing; /* continuation bytes in that prefix */
} input_scan;

/* Length of the run of plain text at the start of s[0..avail): ASCII
 * without control characters, and, where the machine allows, two-byte
 * UTF-8 sequences (é, à, ç: the accented letters of French), whose
 * continuation bytes are added to *trailing. The answer may be shorter,
 * where a block holds a byte it cannot place: scan_input() takes the next
 * bytes one at a time in any case, so a short answer costs time, never
 * correctness. It never ends inside a sequence it counted. */
#if defined(__SSE2__)
/* The number of bits set in each byte value. */
#define B2(n) n, n + 1, n + 1, n + 2
#define B4(n) B2(n), B2(n + 1), B2(n + 1), B2(n + 2)
#define B6(n) B4(n), B4(n + 1), B4(n + 1), B4(n + 2)
static const unsigned char bits_set[256] = {B6(0), B6(1), B6(1), B6(2)};
#undef B2
#undef B4
#undef B6

/* The number of bits set in a 16-bit mask. */
static unsigned bits16(unsigned x) {
  return (unsigned)bits_set[x & 0xFF] + bits_set[(x >> 8) & 0xFF];
}

/* The bytes of v that start a two-byte sequence (a lead C2..DF followed
 * by a continuation byte), as 0xFF. As signed bytes, leads are -62..-33
 * and continuation bytes -128..-65; a lead in the last byte has its
 * continuation in the next block and is not counted. */
static inline __m128i pair_starts(__m128i v) {
  __m128i lead = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(-63)),
                               _mm_cmplt_epi8(v, _mm_set1_epi8(-32)));
  __m128i cont = _mm_cmplt_epi8(v, _mm_set1_epi8(-64));
  return _mm_and_si128(lead, _mm_srli_si128(cont, 1));
}

/* Every block is classified the same way, with or without bytes from 0x80
 * up: whether a block holds an accented letter is hard to foresee, and a
 * branch on it would often be mispredicted. The pairs are counted in a
 * vector, summed once at the end. */
static size_t plain_run(const unsigned char *s, size_t avail,
                        size_t *trailing) {
  size_t i = 0;
  __m128i counted = _mm_setzero_si128(); /* pairs, in two 64-bit sums */
  for (; i + 16 <= avail; i += 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
    /* As signed bytes, those below 0x20 and those from 0x80 up are the ones
     * below 0x20. */
    __m128i other = _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
                                 _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F)));
    /* Of those, the bytes of two-byte sequences are plain. */
    __m128i pairs = pair_starts(v);
    __m128i placed = _mm_or_si128(pairs, _mm_slli_si128(pairs, 1));
    unsigned bad = (unsigned)_mm_movemask_epi8(_mm_andnot_si128(placed, other));
    if (bad) {
      unsigned at = (unsigned)__builtin_ctz(bad);
      unsigned before = (1u << at) - 1;
      *trailing += bits16((unsigned)_mm_movemask_epi8(pairs) & before);
      i += at;
      break;
    }
    counted = _mm_add_epi64(
        counted, _mm_sad_epu8(_mm_and_si128(pairs, _mm_set1_epi8(1)),
                              _mm_setzero_si128()));
  }
  uint64_t sums[2];
  _mm_storeu_si128((__m128i *)(void *)sums, counted);
  *trailing += (size_t)(sums[0] + sums[1]);
  return i;
}
#else
/* Bytes before the first one from 0x80 up in a word that holds one (its
 * high bits in `high`); 0 where the byte order is not known, and the bytes
 * are then taken one at a time. */
static size_t ascii_bytes_before(uint64_t high) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return (size_t)__builtin_ctzll(high) / 8;
#else
  (void)high;
  return 0;
#endif
}

static size_t plain_run(const unsigned char *s, size_t avail,
                        size_t *trailing) {
  (void)trailing; /* two-byte sequences are left to the caller */
  size_t i = 0;
  for (; i + 8 <= avail; i += 8) {
    uint64_t w = load8(s + i);
    if (may_hold_control(w))
      return i;
    uint64_t high = w & HIGH_BITS;
    if (high)
      return i + ascii_bytes_before(high);
  }
  return i;
}
#endif

/* Counts the control bytes, checks UTF-8 and counts the continuation bytes
 * (so the characters) in one pass rather than three: each is cheap, but
 * every document pays for all of them. French text is mostly ASCII
 * without controls, read a block at a time up to the next accented
 * letter. */
static int scan_input(const unsigned char *s, size_t len, input_scan *out) {
  size_t i = 0, controls = 0, trailing = 0;
  for (;;) {
    i += plain_run(s + i, len - i, &trailing);
    if (i >= len)
      break;
    if (s[i] < 0x80) {
      if (s[i] == 0)
        return nul_at(i);
      controls += (size_t)is_binary_control(s[i]);
      i++;
      continue;
    }
    size_t n = utf8_sequence_length(s + i, len - i);
    if (!n) {
      /* Not UTF-8: only the controls remain to be counted. */
      size_t rest = 0;
      int rc = count_controls(s, i, len, &rest);
      out->controls = controls + rest;
      out->valid = i;
      out->trailing = trailing;
      return rc;
    }
    trailing += n - 1;
    i += n;
  }
  out->controls = controls;
  out->valid = len;
  out->trailing = trailing;
  return 0;
}

/* Windows-1252 0x80..0x9F; the five bytes it leaves undefined map to
 * U+FFFD. 0xA0..0xFF are the Latin-1 code points of the same value. */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
    0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

/* Writes the UTF-8 form of a code point below U+10000; returns its length. */
static size_t encode_bmp(unsigned cp, char *out) {
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  out[0] = (char)(0xE0 | (cp >> 12));
  out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
  out[2] = (char)(0x80 | (cp & 0x3F));
  return 3;
}

static int decode_cp1252(const unsigned char *s, size_t len, avis_buf *out) {
  /* No byte grows to more than three. */
  if (len > SIZE_MAX / 3 || avis_buf_reserve(out, 3 * len))
    return avis_fail(AVIS_ERR_NOMEM, "out of memory decoding %zu bytes", len);
  char *o = out->data;
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = s[i];
    if (c < 0x80)
      o[n++] = (char)c;
    else
      n += encode_bmp(c < 0xA0 ? cp1252_high[c - 0x80] : c, o + n);
  }
  out->len = n;
  o[n] = '\0';
  return 0;
}

static int is_space(utf8proc_int32_t cp) {
  if (cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0x85)
    return 1;
  utf8proc_category_t cat = utf8proc_category(cp);
  return cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL ||
         cat == UTF8PROC_CATEGORY_ZP;
}

/* Whether valid UTF-8 text holds anything but white space. */
static int has_text(const char *s, size_t len) {
  const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
  size_t i = 0;
  while (i < len) {
    utf8proc_int32_t cp;
    i += (size_t)utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
    if (!is_space(cp))
      return 1;
  }
  return 0;
}

static int copy_utf8(const unsigned char *s, size_t len, avis_buf *out,
                     avis_encoding *encoding) {
  static const unsigned char bom[3] = {0xEF, 0xBB, 0xBF};
  *encoding = AVIS_ENCODING_UTF8;
  if (len >= 3 && memcmp(s, bom, 3) == 0) {
    *encoding = AVIS_ENCODING_UTF8_BOM;
    s += 3;
    len -= 3;
  }
  if (avis_buf_append(out, s, len))
    return avis_fail(AVIS_ERR_NOMEM, "out of memory copying %zu bytes", len);
  return 0;
}

int avis_decode_counted(const char *bytes, size_t len, avis_buf *out,
                        avis_encoding *encoding, size_t *chars) {
  const unsigned char *s = (const unsigned char *)bytes;
  input_scan scan = {0, 0, 0};
  avis_buf_clear(out);
  *encoding = AVIS_ENCODING_UTF8;
  int rc = scan_input(s, len, &scan);
  if (rc)
    return rc;
  if (scan.controls > len / 10)
    return avis_fail(AVIS_ERR_BINARY,
                     "binary input: %zu of %zu bytes are control characters",
                     scan.controls, len);
  if (scan.valid == len) {
    rc = copy_utf8(s, len, out, encoding);
    /* A byte-order mark is one character, dropped. */
    *chars = len - scan.trailing - (*encoding == AVIS_ENCODING_UTF8_BOM);
  } else {
    *encoding = AVIS_ENCODING_CP1252;
    rc = decode_cp1252(s, len, out);
    *chars = len; /* one character a byte */
  }
  if (rc)
    return rc;
  if (!has_text(out->data, out->len))
    return avis_fail(AVIS_ERR_EMPTY, "empty input: no text, only white space");
  return 0;
}

int avis_decode(const char *bytes, size_t len, avis_buf *out,
                avis_encoding *encoding) {
  size_t chars;
  return avis_decode_counted(bytes, len, out, encoding, &chars);
}
