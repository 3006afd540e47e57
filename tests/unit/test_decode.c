#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "normalize.h"

/* Decodes a string literal (its terminating NUL excluded). */
#define DECODE(lit, out, enc) avis_decode(lit, sizeof lit - 1, out, enc)
#define PREFIX(lit) avis_utf8_valid_prefix(lit, sizeof lit - 1)

static void assert_decodes_to(const char *bytes, size_t len,
                              const char *expected, avis_encoding encoding) {
  avis_buf out = {0};
  avis_encoding enc;
  assert_int_equal(avis_decode(bytes, len, &out, &enc), AVIS_OK);
  assert_int_equal(enc, encoding);
  assert_int_equal(out.len, strlen(expected));
  assert_memory_equal(out.data, expected, out.len);
  avis_buf_release(&out);
}

static void assert_fails(const char *bytes, size_t len, int code) {
  avis_buf out = {0};
  avis_encoding enc;
  assert_int_equal(avis_decode(bytes, len, &out, &enc), code);
  assert_true(avis_last_error()[0] != '\0');
  avis_buf_release(&out);
}

static void utf8_is_copied(void **state) {
  (void)state;
  static const char text[] = "Un été très chaud, où l’on a dû fêter Noël 😀.";
  assert_decodes_to(text, sizeof text - 1, text, AVIS_ENCODING_UTF8);
}

static void bom_is_dropped(void **state) {
  (void)state;
  static const char text[] = "\xEF\xBB\xBFça va";
  assert_decodes_to(text, sizeof text - 1, "ça va", AVIS_ENCODING_UTF8_BOM);
}

static void bom_alone_is_empty(void **state) {
  (void)state;
  assert_fails("\xEF\xBB\xBF", 3, AVIS_ERR_EMPTY);
}

static void line_ends_are_kept(void **state) {
  (void)state;
  static const char text[] = "une\r\ndeux\rtrois\n";
  assert_decodes_to(text, sizeof text - 1, text, AVIS_ENCODING_UTF8);
}

static void cp1252_french_text(void **state) {
  (void)state;
  static const char text[] = "caf\xE9 \xE9t\xE9 \x9Cuvre \x80 \x92\xC7" "a\x85";
  assert_decodes_to(text, sizeof text - 1, "café été œuvre € ’Ça…",
                    AVIS_ENCODING_CP1252);
}

static void cp1252_whole_c1_range(void **state) {
  (void)state;
  static const char *const expected[32] = {
      "€", "\uFFFD", "‚", "ƒ", "„", "…", "†", "‡", "ˆ", "‰", "Š",
      "‹", "Œ", "\uFFFD", "Ž", "\uFFFD", "\uFFFD", "‘", "’", "“", "”", "•",
      "–", "—", "˜", "™", "š", "›", "œ", "\uFFFD", "ž", "Ÿ"};
  for (int i = 0; i < 32; i++) {
    char bytes[2] = {'x', (char)(0x80 + i)};
    char want[8];
    snprintf(want, sizeof want, "x%s", expected[i]);
    assert_decodes_to(bytes, 2, want, AVIS_ENCODING_CP1252);
  }
}

static void cp1252_latin1_range(void **state) {
  (void)state;
  assert_decodes_to("\xA0x\xAB\xBB\xC0\xFF", 6, "\u00A0x«»Àÿ",
                    AVIS_ENCODING_CP1252);
}

static void valid_boundaries(void **state) {
  (void)state;
  assert_int_equal(PREFIX("\xC2\x80"), 2);             /* U+0080 */
  assert_int_equal(PREFIX("\xDF\xBF"), 2);             /* U+07FF */
  assert_int_equal(PREFIX("\xE0\xA0\x80"), 3);         /* U+0800 */
  assert_int_equal(PREFIX("\xED\x9F\xBF"), 3);         /* U+D7FF */
  assert_int_equal(PREFIX("\xEE\x80\x80"), 3);         /* U+E000 */
  assert_int_equal(PREFIX("\xEF\xBF\xBF"), 3);         /* U+FFFF */
  assert_int_equal(PREFIX("\xF0\x90\x80\x80"), 4);     /* U+10000 */
  assert_int_equal(PREFIX("\xF4\x8F\xBF\xBF"), 4);     /* U+10FFFF */
}

static void invalid_sequences(void **state) {
  (void)state;
  assert_int_equal(PREFIX("ab\xC0\xAF"), 2);           /* overlong '/' */
  assert_int_equal(PREFIX("ab\xC1\xBF"), 2);           /* overlong */
  assert_int_equal(PREFIX("ab\xE0\x80\xAF"), 2);       /* overlong */
  assert_int_equal(PREFIX("ab\xE0\x9F\xBF"), 2);       /* overlong U+07FF */
  assert_int_equal(PREFIX("ab\xF0\x8F\xBF\xBF"), 2);   /* overlong U+FFFF */
  assert_int_equal(PREFIX("ab\xED\xA0\x80"), 2);       /* surrogate D800 */
  assert_int_equal(PREFIX("ab\xED\xBF\xBF"), 2);       /* surrogate DFFF */
  assert_int_equal(PREFIX("ab\xF4\x90\x80\x80"), 2);   /* U+110000 */
  assert_int_equal(PREFIX("ab\xF5\x80\x80\x80"), 2);   /* lead F5 */
  assert_int_equal(PREFIX("ab\xFF"), 2);
  assert_int_equal(PREFIX("ab\x80"), 2);               /* lone continuation */
  assert_int_equal(PREFIX("caf\xC3"), 3);              /* truncated at end */
  assert_int_equal(PREFIX("\xE2\x82 x"), 0);           /* truncated inside */
  assert_int_equal(PREFIX("\xF0\x9F\x98"), 0);         /* truncated emoji */
  assert_int_equal(PREFIX("\xE2\x82\xAC\xE2\x82\x41"), 3);
}

static void invalid_input_falls_back_to_cp1252(void **state) {
  (void)state;
  /* Valid UTF-8 "é" followed by an overlong: the whole input is CP1252. */
  assert_decodes_to("\xC3\xA9\xC0\xAF", 4, "Ã©À¯", AVIS_ENCODING_CP1252);
  assert_decodes_to("\xED\xA0\x80", 3, "í\u00A0€", AVIS_ENCODING_CP1252);
}

/* An invalid byte at every offset of a long ASCII run, so that the word-
 * at-a-time scan stops at the right place whatever the alignment. */
static void prefix_inside_ascii_runs(void **state) {
  (void)state;
  char s[64];
  for (size_t bad = 0; bad < sizeof s; bad++) {
    memset(s, 'a', sizeof s);
    s[bad] = (char)0xFF;
    assert_int_equal(avis_utf8_valid_prefix(s, sizeof s), bad);
  }
  memset(s, 'a', sizeof s);
  assert_int_equal(avis_utf8_valid_prefix(s, sizeof s), sizeof s);
}

static void nul_byte_is_binary(void **state) {
  (void)state;
  assert_fails("du texte\0 et la suite", 21, AVIS_ERR_BINARY);
  assert_non_null(strstr(avis_last_error(), "offset 8"));
}

static void control_share_threshold(void **state) {
  (void)state;
  /* 100 bytes, accents and controls at every alignment: 10 controls is
   * at the limit, 11 is over it. */
  char s[100];
  for (size_t i = 0; i < sizeof s; i += 2) {
    s[i] = (char)0xC3;
    s[i + 1] = (char)0xA9;
  }
  for (size_t k = 0; k < 10; k++)
    s[k * 9 + 1] = (k % 2) ? 0x7F : 0x01;
  avis_buf out = {0};
  avis_encoding enc;
  assert_int_equal(avis_decode(s, sizeof s, &out, &enc), AVIS_OK);
  s[95] = 0x1B;
  assert_int_equal(avis_decode(s, sizeof s, &out, &enc), AVIS_ERR_BINARY);
  assert_non_null(strstr(avis_last_error(), "11 of 100"));
  avis_buf_release(&out);
}

static void text_controls_are_not_counted(void **state) {
  (void)state;
  static const char text[] = "a\tb\n\nc\r\nd\fe\tf\t\t\t\n";
  assert_decodes_to(text, sizeof text - 1, text, AVIS_ENCODING_UTF8);
}

static void mostly_controls_is_binary(void **state) {
  (void)state;
  assert_fails("\x01\x02\x03\x04zzzz", 8, AVIS_ERR_BINARY);
  assert_fails("\x1B[0m", 4, AVIS_ERR_BINARY);
}

static void empty_inputs(void **state) {
  (void)state;
  assert_fails("", 0, AVIS_ERR_EMPTY);
  assert_fails(" \t\r\n  \n", 7, AVIS_ERR_EMPTY);
  assert_fails("\xC2\xA0\xE2\x80\xAF\xE3\x80\x80", 8, AVIS_ERR_EMPTY);
  assert_fails("\xC2\x85\n", 3, AVIS_ERR_EMPTY); /* U+0085 next line */
  /* A lone 0xA0 is not UTF-8: a Windows-1252 no-break space. */
  assert_fails(" \xA0 ", 3, AVIS_ERR_EMPTY);
  assert_decodes_to(" . ", 3, " . ", AVIS_ENCODING_UTF8);
}

static void output_is_cleared_first(void **state) {
  (void)state;
  avis_buf out = {0};
  avis_encoding enc;
  assert_int_equal(DECODE("premier", &out, &enc), AVIS_OK);
  assert_int_equal(DECODE("deux", &out, &enc), AVIS_OK);
  assert_string_equal(out.data, "deux");
  assert_int_equal(out.len, 4);
  avis_buf_release(&out);
}

/* The characters counted while decoding are those of the decoded text,
 * whatever the encoding and wherever the multi-byte characters fall
 * against the word-at-a-time scan. */
static void assert_counts(const char *bytes, size_t len) {
  avis_buf out = {0};
  avis_encoding enc;
  size_t chars = 0;
  assert_int_equal(avis_decode_counted(bytes, len, &out, &enc, &chars),
                   AVIS_OK);
  assert_int_equal(chars, avis_utf8_count(out.data, out.len));
  avis_buf_release(&out);
}

static void characters_are_counted(void **state) {
  (void)state;
  static const char *const texts[] = {
      "a", "été", ("\xEF\xBB\xBF" "ça va"), "caf\xE9 \x80", "😀 €\t\n",
      "Un été très chaud, où l’on a dû fêter Noël 😀.",
      "\xC3\xA9\xC0\xAF"};
  char s[80];
  for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
    size_t n = strlen(texts[i]);
    assert_counts(texts[i], n);
    /* The same text at every offset after a run of ASCII. */
    for (size_t pad = 1; pad <= 16; pad++) {
      memset(s, 'x', pad);
      memcpy(s + pad, texts[i], n);
      assert_counts(s, pad + n);
    }
  }
}

/* The scan skips ASCII a word at a time up to the next byte from 0x80
 * up: an accented letter, a bad byte, a NUL or a control character at any
 * offset must be found all the same. */
static void scan_at_every_offset(void **state) {
  (void)state;
  char s[40];
  avis_buf out = {0};
  avis_encoding enc;
  size_t chars;
  for (size_t k = 0; k + 2 <= sizeof s; k++) {
    memset(s, 'a', sizeof s);
    memcpy(s + k, "\xC3\xA9", 2);
    assert_int_equal(avis_decode_counted(s, sizeof s, &out, &enc, &chars),
                     AVIS_OK);
    assert_int_equal(enc, AVIS_ENCODING_UTF8);
    assert_int_equal(chars, sizeof s - 1);
    s[k + 1] = 'a'; /* a lone lead byte: not UTF-8 */
    assert_int_equal(avis_decode_counted(s, sizeof s, &out, &enc, &chars),
                     AVIS_OK);
    assert_int_equal(enc, AVIS_ENCODING_CP1252);
    assert_int_equal(chars, sizeof s);
    memcpy(s + k, "\xC3\xA9", 2);
    s[(k + 7) % sizeof s] = '\0';
    assert_int_equal(avis_decode_counted(s, sizeof s, &out, &enc, &chars),
                     AVIS_ERR_BINARY);
    char offset[32];
    snprintf(offset, sizeof offset, "offset %zu", (k + 7) % sizeof s);
    assert_non_null(strstr(avis_last_error(), offset));
  }
  /* Five controls in 40 bytes pass the threshold wherever they are. */
  for (size_t k = 0; k + 5 <= sizeof s; k++) {
    memset(s, 'a', sizeof s);
    memcpy(s + 1, "\xC3\xA9", 2);
    memset(s + k, 0x1B, 5);
    assert_int_equal(avis_decode_counted(s, sizeof s, &out, &enc, &chars),
                     AVIS_ERR_BINARY);
    assert_non_null(strstr(avis_last_error(), "5 of 40"));
  }
  avis_buf_release(&out);
}

/* Past an invalid sequence the input is no longer checked as UTF-8, but
 * its control characters and NUL bytes still count. */
static void controls_after_invalid_utf8(void **state) {
  (void)state;
  static const char nul[] = "caf\xE9 du texte\0 et la suite";
  assert_fails(nul, sizeof nul - 1, AVIS_ERR_BINARY);
  assert_non_null(strstr(avis_last_error(), "offset 13"));
  /* One control before the bad byte, two after it. */
  assert_fails("\x01\xFF\x02\x03zzzz", 8, AVIS_ERR_BINARY);
  assert_non_null(strstr(avis_last_error(), "3 of 8"));
}

/* Text dense in two-byte characters, which the scan checks a block at a
 * time, mixed with what it must leave to the byte-by-byte checks: other
 * sequences, stray continuation and lead bytes, controls. Whatever the
 * mix, the encoding and the count are those the definitions give. */
static void two_byte_sequences_in_blocks(void **state) {
  (void)state;
  static const char *const pieces[] = {
      "a", " ", "\xC3\xA9", "\xC3\x9F", "\xC2\xA0", "\xDF\xBF", "\xE2\x80\x99",
      "\xF0\x9F\x98\x80", "\t", "\xA9", "\xC3", "\xC1\xA9", "\x1B"};
  char s[96];
  avis_buf out = {0};
  avis_encoding enc;
  uint32_t seed = 12345;
  for (int round = 0; round < 4000; round++) {
    size_t n = 0;
    /* Mostly letters and accented letters; rarely anything else. */
    while (n + 4 < sizeof s) {
      seed = seed * 1103515245u + 12345u;
      unsigned r = (seed >> 16) % 100;
      size_t k;
      if (r < 40)
        k = 0;
      else if (r < 80)
        k = 2 + r % 4;
      else if (r < 90)
        k = 1;
      else if (r < 94)
        k = 6 + r % 3;
      else
        k = round % 2 ? 9 + r % 4 : 2; /* half the rounds are valid */
      size_t len = strlen(pieces[k]);
      memcpy(s + n, pieces[k], len);
      n += len;
    }
    s[0] = 'a'; /* never only white space */
    size_t controls = 0, trailing = 0;
    for (size_t i = 0; i < n; i++) {
      controls += s[i] == 0x1B;
      trailing += ((unsigned char)s[i] & 0xC0) == 0x80;
    }
    int valid = avis_utf8_valid_prefix(s, n) == n;
    size_t chars = 0;
    int rc = avis_decode_counted(s, n, &out, &enc, &chars);
    if (controls > n / 10) {
      assert_int_equal(rc, AVIS_ERR_BINARY);
      continue;
    }
    assert_int_equal(rc, AVIS_OK);
    assert_int_equal(enc, valid ? AVIS_ENCODING_UTF8 : AVIS_ENCODING_CP1252);
    assert_int_equal(chars, valid ? n - trailing : n);
  }
  avis_buf_release(&out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(utf8_is_copied),
      cmocka_unit_test(bom_is_dropped),
      cmocka_unit_test(bom_alone_is_empty),
      cmocka_unit_test(line_ends_are_kept),
      cmocka_unit_test(cp1252_french_text),
      cmocka_unit_test(cp1252_whole_c1_range),
      cmocka_unit_test(cp1252_latin1_range),
      cmocka_unit_test(valid_boundaries),
      cmocka_unit_test(invalid_sequences),
      cmocka_unit_test(invalid_input_falls_back_to_cp1252),
      cmocka_unit_test(prefix_inside_ascii_runs),
      cmocka_unit_test(nul_byte_is_binary),
      cmocka_unit_test(control_share_threshold),
      cmocka_unit_test(text_controls_are_not_counted),
      cmocka_unit_test(mostly_controls_is_binary),
      cmocka_unit_test(empty_inputs),
      cmocka_unit_test(output_is_cleared_first),
      cmocka_unit_test(characters_are_counted),
      cmocka_unit_test(scan_at_every_offset),
      cmocka_unit_test(controls_after_invalid_utf8),
      cmocka_unit_test(two_byte_sequences_in_blocks),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
