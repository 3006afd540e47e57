/* Normalisation of token text: the form lexicons, stop words and the
 * stemmer see. */
#ifndef AVIS_NORMALIZE_H
#define AVIS_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"

/* Appends the normalised form of s[0..len) (valid UTF-8) to `arena`:
 * NFC, case-folded (utf8proc's full case folding, but ß, œ and æ are kept
 * as letters), typographic apostrophes (U+2019 U+2018 U+02BC U+2032 U+FF07)
 * as ', soft hyphens (U+00AD) and zero-width characters (U+200B..U+200D,
 * U+2060, U+FEFF) removed, Latin ligatures U+FB00..U+FB06 expanded
 * (ﬁ → fi), non-ASCII hyphens (U+2010, U+2011) as '-'. Pure ASCII input
 * takes a fast path that only lower-cases. The result is NUL-terminated
 * inside the arena; *off and *nlen locate it. 0 or a negative code. */
int avis_normalize(avis_buf *arena, const char *s, size_t len, uint32_t *off,
                   uint32_t *nlen);

/* 1 if every letter of s[0..len) is upper-case and there are at least two
 * letters (ALL CAPS emphasis); 0 otherwise. */
int avis_is_all_caps(const char *s, size_t len);

/* Number of Unicode code points in valid UTF-8. */
size_t avis_utf8_count(const char *s, size_t len);

#endif
