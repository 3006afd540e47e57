/* What the polarity-lexicon and modifier-list loaders share: checked
 * whole-file reads, lines and fields, locale-independent decimals, term
 * normalisation, and the term -> item tables both build. Internal to the
 * lexicon stage: implemented in lexicon.c, used by it and modifiers.c.
 *
 * Parsing helpers report a malformed value by returning AVIS_ERR_FORMAT
 * with a static description in *problem and without touching the
 * per-thread error message: the caller knows the file and line, and
 * decides whether the line fails the load or is skipped. */
#ifndef AVIS_LEXICON_IO_H
#define AVIS_LEXICON_IO_H

#include <stddef.h>
#include "buf.h"
#include "strmap.h"

/* Largest data file read, and limits on one term (docs/lexicon-format.md). */
#define AVIS_DATAFILE_MAX ((size_t)256 << 20)
#define AVIS_TERM_MAX_WORDS 8
#define AVIS_TERM_MAX_BYTES 256

/* Reads a whole file into `out` (cleared first; NUL-terminated). Errors
 * name the file: AVIS_ERR_IO, or AVIS_ERR_TOO_LARGE past
 * AVIS_DATAFILE_MAX. */
int avis_datafile_read(const char *path, avis_buf *out);
/* Rejects binary data (a NUL byte: AVIS_ERR_BINARY) and invalid UTF-8
 * (AVIS_ERR_ENCODING), with a message naming `name` and the line. The
 * loaders run it on every buffer before parsing. */
int avis_datafile_check(const char *name, const char *data, size_t len);

/* Lines of a buffer, without their LF or CRLF; a leading UTF-8 BOM is
 * skipped. `line` is the 1-based number of the line last returned. */
typedef struct {
  const char *p, *end;
  size_t line;
} avis_line_reader;

void avis_lines_init(avis_line_reader *r, const char *data, size_t len);
/* 1 and the next line, or 0 at the end. */
int avis_lines_next(avis_line_reader *r, const char **s, size_t *n);
/* 1 if the line is empty or white space only. */
int avis_line_is_blank(const char *s, size_t n);
/* 1 if the line is a format header "# KIND VERSION" (e.g. "# avis-lexicon
 * 1"); *version gets VERSION, or 0 when it is not a plain number. */
int avis_line_magic(const char *s, size_t n, const char *kind,
                    unsigned *version);

typedef struct {
  const char *s;
  size_t n;
} avis_span;

/* Splits s[0..n) at every `sep` into at most `max` fields, each trimmed
 * of ASCII spaces. Returns the number of fields, or max + 1 when there
 * are more. */
size_t avis_split_fields(const char *s, size_t n, char sep, avis_span *f,
                         size_t max);
/* 1 if the span is exactly the NUL-terminated `lit`. */
int avis_span_is(avis_span f, const char *lit);

/* Parses a decimal number: optional sign, digits, optional point and
 * digits ("-0.35", "+2", ".5"). Never depends on the C locale. 0, or
 * AVIS_ERR_FORMAT (a decimal comma gets its own description). */
int avis_parse_decimal(avis_span f, double *out, const char **problem);

/* Normalises a term into `out` (cleared first): words split at white
 * space (including no-break spaces), each word normalised with
 * avis_normalize(), an elided clitic (l' d' qu' jusqu' ...) split off as
 * its own word as the tokeniser does unless the word is hyphenated, words
 * joined by single spaces. `scratch` is working space. *nwords gets the
 * word count. AVIS_ERR_FORMAT for an empty term or one over the limits. */
int avis_normalize_term(avis_buf *out, avis_buf *scratch, const char *s,
                        size_t n, unsigned *nwords, const char **problem);

/* Stores `item` (`size` bytes) under `key`: replaces the item of a key
 * already in `forms`, else appends it to `items`, where its index is the
 * key's index in `forms`. 0, AVIS_ERR_NOMEM or AVIS_ERR_TOO_LARGE. */
int avis_put_item(avis_strmap *forms, avis_vec *items, const char *key,
                  size_t n, const void *item, size_t size);
/* Records in `first_words` that an expression of `nwords` words starts
 * with the first word of `term`, keeping the longest count. */
int avis_note_first_word(avis_strmap *first_words, const char *term,
                         size_t n, unsigned nwords);

#endif
