#include "lexicon.h"

#include <string.h>

#include "error.h"
#include "lexicon_io.h"

/* Kind names as written in modifiers.tsv, indexed by avis_mod_kind. */
static const char *const kind_names[] = {
    NULL, "ne", "negator", "neg_plus", "intensifier", "diminisher", "contrast"};

#define KIND_COUNT (sizeof kind_names / sizeof *kind_names)
#define MAX_WEIGHT 10.0

static avis_mod_kind parse_kind(avis_span f) {
  for (size_t k = 1; k < KIND_COUNT; k++)
    if (avis_span_is(f, kind_names[k]))
      return (avis_mod_kind)k;
  return AVIS_MOD_NONE;
}

/* The weight's meaning, and so its range, depends on the kind; the
 * negation kinds carry a weight only to keep one line shape. */
static const char *check_weight(avis_mod_kind kind, double w) {
  switch (kind) {
  case AVIS_MOD_INTENSIFIER:
    return w > 1 && w <= MAX_WEIGHT ? NULL
                                    : "intensifier weight outside (1, 10]";
  case AVIS_MOD_DIMINISHER:
    return w >= -1 && w < 1 ? NULL : "diminisher weight outside [-1, 1)";
  case AVIS_MOD_CONTRAST:
    return w > 0 && w <= MAX_WEIGHT ? NULL : "contrast weight outside (0, 10]";
  default:
    return NULL;
  }
}

typedef struct {
  avis_modifiers *mods;
  avis_buf term, scratch;
  const char *problem;
} loader;

/* Stores a modifier under its normalised term; a later line for the same
 * term replaces the earlier one. */
static int store(loader *ld, avis_span term, avis_modifier m) {
  unsigned nwords;
  int rc = avis_normalize_term(&ld->term, &ld->scratch, term.s, term.n,
                               &nwords, &ld->problem);
  if (rc)
    return rc;
  avis_modifiers *mods = ld->mods;
  m.nwords = (uint8_t)nwords;
  rc = avis_put_item(&mods->forms, &mods->items, ld->term.data, ld->term.len,
                     &m, sizeof m);
  if (!rc && nwords > 1)
    rc = avis_note_first_word(&mods->mwe_first, ld->term.data, ld->term.len,
                              nwords);
  return rc;
}

static int parse_line(loader *ld, const char *s, size_t n) {
  avis_span f[3];
  if (avis_split_fields(s, n, '\t', f, 3) != 3) {
    ld->problem = "expected term<TAB>kind<TAB>weight";
    return AVIS_ERR_FORMAT;
  }
  avis_modifier m = {0};
  m.kind = (uint8_t)parse_kind(f[1]);
  if (m.kind == AVIS_MOD_NONE) {
    ld->problem = "unknown kind (ne, negator, neg_plus, intensifier, "
                  "diminisher, contrast)";
    return AVIS_ERR_FORMAT;
  }
  double w;
  if (avis_parse_decimal(f[2], &w, &ld->problem))
    return AVIS_ERR_FORMAT;
  if ((ld->problem = check_weight((avis_mod_kind)m.kind, w)) != NULL)
    return AVIS_ERR_FORMAT;
  m.weight = (float)w;
  return store(ld, f[0], m);
}

static int load_lines(loader *ld, const char *name, const char *data,
                      size_t len) {
  avis_line_reader r;
  const char *s;
  size_t n;
  unsigned version;
  avis_lines_init(&r, data, len);
  while (avis_lines_next(&r, &s, &n)) {
    if (r.line == 1 && avis_line_magic(s, n, "avis-modifiers", &version) &&
        version != 1)
      return avis_fail(AVIS_ERR_FORMAT,
                       "%s:1: unsupported avis-modifiers version (this "
                       "library reads version 1)",
                       name);
    if (avis_line_is_blank(s, n) || s[0] == '#')
      continue;
    int rc = parse_line(ld, s, n);
    if (rc == AVIS_ERR_FORMAT)
      return avis_fail(rc, "%s:%zu: %s", name, r.line, ld->problem);
    if (rc)
      return rc;
  }
  return 0;
}

int avis_modifiers_load_buffer(avis_modifiers *mods, const char *name,
                               const char *data, size_t len) {
  if (!mods || !name || (!data && len))
    return avis_fail(AVIS_ERR_ARG, "avis_modifiers_load_buffer: NULL argument");
  if (!data)
    data = "";
  int rc = avis_datafile_check(name, data, len);
  if (rc)
    return rc;
  loader ld = {.mods = mods};
  rc = load_lines(&ld, name, data, len);
  avis_buf_release(&ld.term);
  avis_buf_release(&ld.scratch);
  return rc;
}

int avis_modifiers_load_file(avis_modifiers *mods, const char *path) {
  if (!mods || !path)
    return avis_fail(AVIS_ERR_ARG, "avis_modifiers_load_file: NULL argument");
  avis_buf data = {0};
  int rc = avis_datafile_read(path, &data);
  if (!rc)
    rc = avis_modifiers_load_buffer(mods, path, data.data, data.len);
  avis_buf_release(&data);
  return rc;
}

void avis_modifiers_release(avis_modifiers *mods) {
  if (!mods)
    return;
  avis_vec_release(&mods->items);
  avis_strmap_release(&mods->forms);
  avis_strmap_release(&mods->mwe_first);
}

const avis_modifier *avis_modifiers_get(const avis_modifiers *mods,
                                        const char *norm, size_t len) {
  return mods && norm ? avis_modifiers_get_hashed(mods, norm, len,
                                                  avis_hash(norm, len))
                      : NULL;
}

unsigned avis_modifiers_mwe_max(const avis_modifiers *mods, const char *norm,
                                size_t len) {
  return mods && norm ? avis_modifiers_mwe_max_hashed(mods, norm, len,
                                                      avis_hash(norm, len))
                      : 0;
}

const avis_modifier *avis_modifiers_get_hashed(const avis_modifiers *mods,
                                               const char *norm, size_t len,
                                               uint64_t h) {
  uint32_t i;
  if (!mods || !norm || !avis_strmap_get_hashed(&mods->forms, norm, len, h, &i))
    return NULL;
  return (const avis_modifier *)mods->items.data + i;
}

unsigned avis_modifiers_mwe_max_hashed(const avis_modifiers *mods,
                                       const char *norm, size_t len,
                                       uint64_t h) {
  uint32_t words = 0;
  if (mods && norm)
    avis_strmap_get_hashed(&mods->mwe_first, norm, len, h, &words);
  return words;
}
