/* Fuzz target: the data-image loader (docs/model-format.md, "Data images"),
 * then what a model does with the tables it gives: lookups of every key,
 * and an analysis through a model holding them.
 *
 * Input: one option byte, then the image.
 *   bit 0  recompute the two checksums and the length field first (the
 *          magic and version reset too), so that mutations reach the
 *          checks behind them instead of stopping at "checksum mismatch"
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "avis.h"
#include "dataimage.h"
#include "model.h"
#include "topicfile.h"
#include "fuzz_check.h"

static const char sample[] =
    "Je n'ai pas aimé ce film, vraiment pas terrible. Un coup de cœur "
    "pourtant : les acteurs sont bons, mais la fin est un peu mauvaise.";

/* Recomputes the length field and the checksums (and resets the magic and
 * version), keeping the section count the input gives. */
static void fix_checksums(unsigned char *d, size_t len) {
  if (len < AVIS_MODEL_HEADER_SIZE)
    return;
  avis_buf b = {(char *)d, len, len};
  avis_model_file_finish(&b, avis_le32_get(d + 24));
}

/* A damaged hash may hide a key; whatever is found is in range. */
static void check_lookups(const avis_lexicon *lex, const avis_modifiers *mods,
                          const avis_strmap *stop) {
  for (size_t i = 0; i < lex->forms.count; i++) {
    size_t n;
    const char *k = avis_strmap_key(&lex->forms, i, &n);
    CHECK(k[n] == '\0');
    const avis_lex_entry *e = avis_lexicon_form(lex, k, n);
    CHECK(!e || (e->nwords >= 1 && e->polarity >= -1 && e->polarity <= 1));
    e = avis_lexicon_stem(lex, k, n);
    CHECK(!e || e->nwords >= 1);
    CHECK(avis_lexicon_mwe_max(lex, k, n) <= 8);
  }
  for (size_t i = 0; i < mods->forms.count; i++) {
    size_t n;
    const char *k = avis_strmap_key(&mods->forms, i, &n);
    const avis_modifier *m = avis_modifiers_get(mods, k, n);
    CHECK(!m || (m->kind != AVIS_MOD_NONE && m->nwords >= 1));
  }
  for (size_t i = 0; i < stop->count; i++) {
    size_t n;
    const char *k = avis_strmap_key(stop, i, &n);
    uint32_t v = 0;
    CHECK(!avis_strmap_get(stop, k, n, &v) || v <= 1);
  }
}

static void analyze_with(const avis_lexicon *lex, const avis_modifiers *mods,
                         const avis_strmap *stop) {
  /* A model of these tables alone: no topic model, no classifier. */
  avis_model m = {.lexicon = *lex, .modifiers = *mods, .stopwords = *stop};
  avis_analyzer *a;
  avis_result *r;
  CHECK(avis_analyzer_new(&a, &m) == 0);
  CHECK(avis_analyze(a, sample, sizeof sample - 1, &r) == 0);
  double score = avis_result_score(r);
  CHECK(score >= -1 && score <= 1);
  avis_result_free(r);
  avis_analyzer_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  size_t len = size - 1;
  /* The loader wants 8-byte aligned bytes, as a mapped file is. */
  unsigned char *image = malloc(len ? len : 1);
  CHECK(image);
  memcpy(image, data + 1, len);
  if (data[0] & 1)
    fix_checksums(image, len);
  avis_lexicon lex = {0};
  avis_modifiers mods = {0};
  avis_strmap stop = {0};
  avis_data_tables t = {&lex, &mods, &stop};
  int rc = avis_data_image_parse(image, len, "image.avd", "lexicon.tsv", &t);
  if (rc) {
    CHECK(rc < 0 && *avis_last_error());
    CHECK(lex.sources.len == 0 && lex.forms.count == 0 && mods.items.len == 0);
  } else {
    CHECK(lex.sources.len == 1);
    check_lookups(&lex, &mods, &stop);
    analyze_with(&lex, &mods, &stop);
  }
  avis_lexicon_release(&lex);
  avis_modifiers_release(&mods);
  avis_strmap_release(&stop);
  free(image);
  return 0;
}
