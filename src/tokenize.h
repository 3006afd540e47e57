/* French tokeniser and sentence segmenter. */
#ifndef AVIS_TOKENIZE_H
#define AVIS_TOKENIZE_H

#include <stddef.h>
#include <stdint.h>
#include "avis.h"
#include "buf.h"

/* Token flags. */
#define AVIS_TF_ELISION   0x01u /* an elided clitic: l' d' qu' jusqu' ... */
#define AVIS_TF_HYPHEN    0x02u /* a hyphenated compound: peut-être */
#define AVIS_TF_INVERTED  0x04u /* an inverted subject pronoun: a-t-IL, est-CE */
#define AVIS_TF_ALLCAPS   0x08u /* written in capitals (2+ letters) */
#define AVIS_TF_CAPITAL   0x10u /* starts with a capital letter */
#define AVIS_TF_SENT_END  0x20u /* this token ends a sentence */
#define AVIS_TF_EXCLAIM   0x40u /* punctuation holding '!' */

typedef struct {
  uint32_t start, len;      /* byte span in the decoded text */
  uint32_t norm_off, norm_len; /* normalised form, in the analyzer's arena */
  uint32_t stem_off, stem_len; /* stem, in the analyzer's arena */
  uint32_t sentence;        /* 0-based sentence index */
  uint16_t kind;            /* avis_token_kind */
  uint16_t flags;           /* AVIS_TF_* */
} avis_tok;

/* Splits UTF-8 text into tokens, appended to `out` (an avis_vec of
 * avis_tok; it is not cleared). Only start, len, kind, flags and sentence
 * are set; the analyzer fills in the normalised form and stem.
 *
 * Rules (docs/tokenizer.md):
 *  - white space, including U+00A0 U+202F U+2009 and other Zs, separates;
 *  - elisions with ' or ’ (l' d' j' m' n' s' t' c' qu' jusqu' lorsqu'
 *    puisqu' quoiqu', any case) are split off as their own WORD token with
 *    AVIS_TF_ELISION; aujourd’hui, presqu’île, prud'homme stay whole;
 *  - hyphenated compounds stay one WORD (peut-être, c'est-à-dire,
 *    Saint-Étienne) except inverted subject pronouns, which are split:
 *    a-t-il → "a" + "il" (the euphonic -t- belongs to no token),
 *    est-ce → "est" + "ce", pouvons-nous → "pouvons" + "nous";
 *  - numbers: 2024, 3,5, 1 000 (space or narrow no-break space thousands),
 *    12.5, 1er, 3e, 15h30, and a following % is its own PUNCT token;
 *  - URLs (http://, https://, www.), e-mail addresses, @handles,
 *    #hashtags, emoji (including ZWJ sequences, skin tones, flags and
 *    variation selectors, as one token), emoticons (:-) :) :( :-( ;) :D :P
 *    :/ :'( <3 xD ^^);
 *  - every other non-space character is PUNCT ("..." and "…" and "?!" are
 *    one token each).
 * Sentences end after . ! ? … (and runs of them) followed by space and a
 * non-lower-case start, or by a closing quote/bracket; not after known
 * abbreviations (M. Mme Dr etc. p. ex. av. J.-C. n° ...), initials (J. K.),
 * or decimal points. "jeudi.Le" (no space, lower then upper) is split into
 * two sentences. A paragraph break (blank line) always ends a sentence.
 * Returns 0, AVIS_ERR_NOMEM, AVIS_ERR_ARG (NULL out, or NULL text with a
 * length) or AVIS_ERR_TOO_LARGE (4 GiB or more: spans are 32-bit). */
int avis_tokenize(const char *text, size_t len, avis_vec *out);

/* avis_tokenize() without its shortcut for common words: every word goes
 * through the general rules. The tokens are the same; the unit tests
 * compare the two. */
int avis_tokenize_general(const char *text, size_t len, avis_vec *out);

#endif
