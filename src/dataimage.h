/* Data images (docs/model-format.md, "Data images"): the default lexicon,
 * modifier list and stop words of a data directory, as a model holds them
 * once loaded, in one file that a model maps instead of parsing the three
 * text files. An image is a cache: a model uses it only when it is exactly
 * what parsing would give (the same source bytes, the same versions of
 * avis, utf8proc and the Snowball stemmer), and anything else about it
 * (missing, stale, damaged) sends the model back to parsing. */
#ifndef AVIS_DATAIMAGE_H
#define AVIS_DATAIMAGE_H

#include <stddef.h>

#include "buf.h"
#include "lexicon.h"
#include "strmap.h"

/* The tables an image holds. */
typedef struct {
  avis_lexicon *lexicon; /* finished: stems and expressions built */
  avis_modifiers *modifiers;
  avis_strmap *stopwords;
} avis_data_tables;

/* A mapped image, which the tables read from it borrow their maps from. */
typedef struct {
  void *map;
  size_t len;
} avis_data_image;

/* Maps DATA_DIR/lexicons/fr-default.avd and fills the empty tables from it,
 * when it matches the sources in DATA_DIR and this library. `lexicon_path`
 * names the lexicon as a parse of DATA_DIR/lexicons/fr-polarity.tsv would.
 * With `strict`, an image of a lexicon that has malformed lines is not
 * used: a strict parse fails on them. 1 when the image is used; 0 when it
 * is not, with the tables left empty for the caller to parse into. */
int avis_data_image_open(avis_data_image *img, const avis_data_tables *t,
                         const char *data_dir, const char *lexicon_path,
                         int strict);
/* Unmaps; the tables borrowing from it must be released first. */
void avis_data_image_close(avis_data_image *img);

/* Checks the image d[0..len) (8-byte aligned) and fills the empty tables
 * from it; the maps point into `d`, which must outlive them. Every count,
 * offset and index is checked before use; the identity section's fields
 * are not compared with any sources (avis_data_image_open() does that).
 * `name` names the image in messages. 0, or AVIS_ERR_FORMAT or
 * AVIS_ERR_NOMEM, the tables then left empty. */
int avis_data_image_parse(const unsigned char *d, size_t len,
                          const char *name, const char *lexicon_path,
                          const avis_data_tables *t);

#endif
