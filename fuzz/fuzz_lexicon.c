/* Fuzz target: the polarity-lexicon loaders (avis TSV, FEEL, VADER and
 * format detection) and the modifier-list loader, from a buffer, followed
 * by the stem table and lookups of what was loaded.
 *
 * Input: one option byte, then the file.
 *   bit 0-1  format: auto, TSV, FEEL, VADER
 *   bit 2    strict loading
 *   bit 3    the modifier-list loader instead
 *   bit 4    split the file at its first form feed into two files loaded
 *            one after the other (overrides across files, the stem table
 *            rebuilt after a second load)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "avis.h"
#include "lexicon.h"
#include "stem.h"
#include "fuzz_check.h"

static avis_stemmer *stemmer(void) {
  static avis_stemmer *st;
  if (!st)
    CHECK(avis_stemmer_new(&st) == 0);
  return st;
}

/* A failed load must say why; a strict one never skips a line. */
static void check_load(int rc, const avis_lexicon *lex, size_t sources_before,
                       int strict) {
  if (rc) {
    CHECK(rc < 0 && *avis_last_error());
    return;
  }
  CHECK(lex->sources.len == sources_before + 1);
  const avis_lex_source *src =
      (const avis_lex_source *)lex->sources.data + sources_before;
  CHECK(!strict || src->skipped == 0);
  /* The first skipped line is named: "first.tsv:LINE: problem". */
  CHECK(!src->skipped == !src->first_problem);
  CHECK(!src->first_problem ||
        strncmp(src->first_problem, src->path, strlen(src->path)) == 0);
}

/* Every form finds its own entry, and its stem finds one too. */
static void check_lookups(const avis_lexicon *lex) {
  for (size_t i = 0; i < lex->forms.count; i++) {
    size_t n, slen;
    const char *key = avis_strmap_key(&lex->forms, i, &n);
    const avis_lex_entry *e = avis_lexicon_form(lex, key, n);
    CHECK(e && e->polarity >= -1 && e->polarity <= 1 && e->nwords >= 1);
    if (e->nwords > 1) {
      CHECK(avis_lexicon_mwe_max(lex, key, (size_t)(strchr(key, ' ') - key)) >=
            e->nwords);
      continue;
    }
    const char *stem = avis_stem(stemmer(), key, n, &slen);
    CHECK(stem && avis_lexicon_stem(lex, stem, slen));
  }
}

static void fuzz_lexicon(const char *data, size_t size, unsigned opt) {
  avis_lexicon lex = {0};
  avis_lexicon_format format = (avis_lexicon_format)(opt & 3);
  int strict = (opt >> 2) & 1;
  const char *ff = (opt & 16) ? memchr(data, '\f', size) : NULL;
  size_t first = ff ? (size_t)(ff - data) : size;
  int rc = avis_lexicon_load_buffer(&lex, "first.tsv", data, first, format,
                                    strict);
  check_load(rc, &lex, 0, strict);
  if (!rc && ff) {
    size_t before = lex.sources.len;
    rc = avis_lexicon_load_buffer(&lex, "second.tsv", ff + 1,
                                  size - first - 1, format, strict);
    check_load(rc, &lex, before, strict);
  }
  if (!rc) {
    CHECK(avis_lexicon_finish(&lex, stemmer()) == 0);
    check_lookups(&lex);
  }
  avis_lexicon_release(&lex);
}

static void fuzz_modifiers(const char *data, size_t size) {
  avis_modifiers mods = {0};
  int rc = avis_modifiers_load_buffer(&mods, "mods.tsv", data, size);
  if (rc) {
    CHECK(rc < 0 && *avis_last_error());
  } else {
    for (size_t i = 0; i < mods.forms.count; i++) {
      size_t n;
      const char *key = avis_strmap_key(&mods.forms, i, &n);
      const avis_modifier *m = avis_modifiers_get(&mods, key, n);
      CHECK(m && m->kind != AVIS_MOD_NONE && m->nwords >= 1);
    }
  }
  avis_modifiers_release(&mods);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  const char *text = (const char *)data + 1;
  if (data[0] & 8)
    fuzz_modifiers(text, size - 1);
  else
    fuzz_lexicon(text, size - 1, data[0]);
  return 0;
}
