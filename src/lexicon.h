/* Polarity lexicons and modifier lists: loading and lookup.
 * File formats: docs/lexicon-format.md. */
#ifndef AVIS_LEXICON_H
#define AVIS_LEXICON_H

#include <stddef.h>
#include <stdint.h>
#include "avis.h"
#include "buf.h"
#include "stem.h"
#include "strmap.h"

/* One polar term. All lexicon scales are mapped onto polarity in [-1, 1]:
 * avis TSV as is, AFINN-style -5..5 divided by 5 (done by the build
 * script), VADER's -4..4 divided by 4, FEEL's binary polarity as ±0.5. */
typedef struct {
  float polarity;
  float subjectivity; /* [0, 1]; negative when the source has none */
  uint8_t emotions;   /* bit e set for avis_emotion e */
  uint8_t nwords;     /* 1, or the word count of a multi-word expression */
  uint16_t source;    /* index of the lexicon file it came from */
} avis_lex_entry;

typedef struct {
  char *path;
  avis_lexicon_format format;
  size_t entries, skipped;
  int has_emotions;
  char *first_problem; /* "PATH:LINE: problem" of the first skipped line */
} avis_lex_source;

/* The merged polarity lexicon of a model: later files override earlier
 * ones for the same normalised form. */
typedef struct {
  avis_vec entries;      /* avis_lex_entry */
  avis_strmap forms;     /* normalised form -> entry index; an expression's
                            words are joined by single spaces */
  avis_strmap stems;     /* Snowball stem of a single-word form -> entry
                            index of the stem entry (the mean of the forms
                            that share the stem) */
  avis_strmap mwe_first; /* first word of an expression -> longest word
                            count of expressions starting with it */
  avis_vec sources;      /* avis_lex_source */
  int has_emotions;
} avis_lexicon;

/* Loads one lexicon file into `lex`, normalising each term with
 * avis_normalize() so it matches token forms. With `strict`, the first
 * malformed line fails the load (AVIS_ERR_FORMAT, message "PATH:LINE:
 * problem"); otherwise malformed lines are counted in the source's
 * `skipped`, and the first is described in its `first_problem`. AVIS_LEXICON_AUTO detects the format from the first
 * non-comment line. Stems are not built here: call avis_lexicon_finish()
 * once every file is loaded. */
int avis_lexicon_load_file(avis_lexicon *lex, const char *path,
                           avis_lexicon_format format, int strict);
/* Same, from a buffer; `name` is used in messages. */
int avis_lexicon_load_buffer(avis_lexicon *lex, const char *name,
                             const char *data, size_t len,
                             avis_lexicon_format format, int strict);
/* Builds the stem table with `st`. */
int avis_lexicon_finish(avis_lexicon *lex, avis_stemmer *st);
void avis_lexicon_release(avis_lexicon *lex);

/* Lookups. NULL when absent. */
const avis_lex_entry *avis_lexicon_form(const avis_lexicon *lex,
                                        const char *norm, size_t len);
const avis_lex_entry *avis_lexicon_stem(const avis_lexicon *lex,
                                        const char *stem, size_t len);
/* Longest expression word count that starts with this form, or 0. */
unsigned avis_lexicon_mwe_max(const avis_lexicon *lex, const char *norm,
                              size_t len);
/* avis_lexicon_form() and avis_lexicon_mwe_max() of a form whose
 * avis_hash() is `h` (avis_strmap_get_hashed()). */
const avis_lex_entry *avis_lexicon_form_hashed(const avis_lexicon *lex,
                                               const char *norm, size_t len,
                                               uint64_t h);
unsigned avis_lexicon_mwe_max_hashed(const avis_lexicon *lex, const char *norm,
                                     size_t len, uint64_t h);

/* Modifier lists (lexicons/modifiers.tsv): term<TAB>kind<TAB>weight. */
typedef enum {
  AVIS_MOD_NONE = 0,
  AVIS_MOD_NE,          /* ne, n' : opens a split negation */
  AVIS_MOD_NEGATOR,     /* pas, jamais, rien, guère, aucun, sans, ... */
  AVIS_MOD_NEG_PLUS,    /* plus: a negator only after ne */
  AVIS_MOD_INTENSIFIER, /* très, vraiment, ... (weight > 1) */
  AVIS_MOD_DIMINISHER,  /* peu, légèrement, ... (weight < 1) */
  AVIS_MOD_CONTRAST     /* mais, pourtant, ... (weight of the clause after) */
} avis_mod_kind;

typedef struct {
  uint8_t kind;   /* avis_mod_kind */
  uint8_t nwords; /* expressions like "un peu", "en revanche" */
  float weight;
} avis_modifier;

typedef struct {
  avis_vec items;        /* avis_modifier */
  avis_strmap forms;     /* normalised form -> item index */
  avis_strmap mwe_first; /* first word -> longest word count */
} avis_modifiers;

int avis_modifiers_load_file(avis_modifiers *mods, const char *path);
int avis_modifiers_load_buffer(avis_modifiers *mods, const char *name,
                               const char *data, size_t len);
void avis_modifiers_release(avis_modifiers *mods);
const avis_modifier *avis_modifiers_get(const avis_modifiers *mods,
                                        const char *norm, size_t len);
unsigned avis_modifiers_mwe_max(const avis_modifiers *mods, const char *norm,
                                size_t len);
/* The same two of a form whose avis_hash() is `h`. */
const avis_modifier *avis_modifiers_get_hashed(const avis_modifiers *mods,
                                               const char *norm, size_t len,
                                               uint64_t h);
unsigned avis_modifiers_mwe_max_hashed(const avis_modifiers *mods,
                                       const char *norm, size_t len,
                                       uint64_t h);

#endif
