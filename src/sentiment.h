/* Sentiment scoring rules: negation, intensifiers, contrast, emphasis,
 * questions, expressions. The formula is documented in docs/sentiment.md. */
#ifndef AVIS_SENTIMENT_H
#define AVIS_SENTIMENT_H

#include <stddef.h>
#include <stdint.h>
#include "avis.h"
#include "buf.h"
#include "lexicon.h"
#include "tokenize.h"
#include "wordcache.h"

typedef struct {
  uint32_t tok, ntok;  /* first token and token count of the polar term */
  uint32_t sentence;
  float polarity;      /* as in the lexicon */
  float contribution;  /* after rules */
  uint16_t rules;      /* AVIS_RULE_* */
  uint32_t term_off, term_len; /* the matched lexicon key, in the arena */
} avis_driver;

typedef struct {
  double score;        /* document score in [-1, 1] */
  avis_label label;
  double subjectivity; /* [0, 1] */
  int has_emotions;
  double emotions[AVIS_EMOTION_COUNT];
  avis_vec drivers;    /* avis_driver, strongest |contribution| first */
  avis_vec sentences;  /* double per sentence: its score in [-1, 1] */
} avis_sentiment;

/* Scores a tokenised document. `toks` have their normalised form and stem
 * set (strings inside `arena`), and `words` what `lex` and `mods` say
 * about each of them (avis_word_cache_resolve()); their sentence indexes
 * never decrease (avis_tokenize() numbers them so) and `nsent` is the
 * sentence count. Driver terms are appended to `arena`, which may move:
 * hold offsets, not pointers; its bytes past its length are scratch room.
 * Runs in time linear in ntok. 0 or AVIS_ERR_NOMEM. */
int avis_sentiment_score(const avis_tok *toks, const avis_word *words,
                         size_t ntok, size_t nsent, avis_buf *arena,
                         const avis_lexicon *lex, const avis_modifiers *mods,
                         avis_sentiment *out);
void avis_sentiment_release(avis_sentiment *s);

/* Whether a normalised form (len bytes, NUL-terminated) is a closed-class
 * word that is never polar, whatever a lexicon says: "avoir", "comme",
 * ... The word cache notes it for each form it holds; the length lets
 * the many longer forms go without a look at the list. */
int avis_is_function_word(const char *norm, size_t len);

/* Whether sentiment scoring only counts word w, with normalised form
 * norm (len bytes), an elided clitic or not, unless an expression starts
 * at it: no modifier, no rule reads it ("pas", "que"), and no lexicon
 * term by its form or stem counts (there is none, the word is a function
 * word or an elided clitic). The word cache notes it for each form and
 * role, once the rest of w is known; avis_sentiment_score() then skips
 * the rules for the word, so its `words` must come from a cache over its
 * `lex` and `mods`. */
int avis_sentiment_inert(const avis_word *w, const char *norm, size_t len,
                         int elided);

/* The label for a document score (docs/sentiment.md: neutral band). */
avis_label avis_label_for_score(double score);

#endif
