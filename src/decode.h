/* Input decoding: raw bytes to UTF-8 text. */
#ifndef AVIS_DECODE_H
#define AVIS_DECODE_H

#include <stddef.h>
#include "avis.h"
#include "buf.h"

/* Decodes `len` bytes into `out` (cleared first) as UTF-8 text:
 *  - valid UTF-8 is copied as is, without a leading BOM;
 *  - anything else is decoded as Windows-1252 (bytes 0x81 0x8D 0x8F 0x90
 *    0x9D, undefined there, become U+FFFD);
 *  - CRLF and lone CR are kept (the tokeniser treats them as spaces).
 * Fails with AVIS_ERR_EMPTY when nothing but white space remains,
 * AVIS_ERR_BINARY when the input holds a NUL byte or more than 10% control
 * characters other than tab, LF, CR, FF. The detail message names no file:
 * callers that know the file name add it. */
int avis_decode(const char *bytes, size_t len, avis_buf *out,
                avis_encoding *encoding);

/* avis_decode(), also setting *chars to the number of characters (code
 * points) of the decoded text: they are counted in the pass that checks
 * the input rather than in one more pass over the text. */
int avis_decode_counted(const char *bytes, size_t len, avis_buf *out,
                        avis_encoding *encoding, size_t *chars);

/* Length of the longest prefix of s[0..len) that is valid UTF-8 (RFC 3629:
 * no overlongs, no surrogates, nothing past U+10FFFF). */
size_t avis_utf8_valid_prefix(const char *s, size_t len);

#endif
