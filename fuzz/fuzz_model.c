/* Fuzz target: the classifier model-file loader (docs/model-format.md),
 * then what a loaded model is used for: lookups, the text dump, topic
 * tagging and the supervised sentiment label of an analysis.
 *
 * Input: one option byte, then the file.
 *   bit 0  recompute the two checksums and the length field first, so that
 *          mutations reach the checks behind them instead of stopping at
 *          "checksum mismatch"
 *   bit 1  dump every weight
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "avis.h"
#include "model.h"
#include "topicfile.h"
#include "fuzz_check.h"

static const char sample[] =
    "Le gouvernement annonce une réforme des retraites. Les syndicats "
    "dénoncent un projet injuste, mais le match de football était superbe !";

/* A model without data files: the fuzzed classifier is plugged into a
 * copy of it. */
static const avis_model *base_model(void) {
  static avis_model *model;
  if (!model) {
    avis_model_options *opts;
    CHECK(avis_model_options_new(&opts) == 0);
    CHECK(avis_model_load(&model, opts) == 0);
    avis_model_options_free(opts);
  }
  return model;
}

static void put_le32(unsigned char *p, uint32_t v) {
  for (int i = 0; i < 4; i++)
    p[i] = (unsigned char)(v >> (8 * i));
}

static void fix_checksums(unsigned char *d, size_t len) {
  if (len < AVIS_MODEL_HEADER_SIZE)
    return;
  for (int i = 0; i < 8; i++)
    d[16 + i] = (unsigned char)((uint64_t)len >> (8 * i));
  put_le32(d + 28, avis_crc32(0, d + AVIS_MODEL_HEADER_SIZE,
                              len - AVIS_MODEL_HEADER_SIZE));
  put_le32(d + 32, avis_crc32(0, d, 32));
}

static void use_classifier(const avis_classifier *cl, unsigned opt) {
  size_t nlabels = avis_classifier_label_count(cl);
  size_t nterms = avis_classifier_term_count(cl);
  CHECK(nlabels > 0);
  for (size_t i = 0; i < nlabels; i++) {
    const char *id, *name;
    double threshold;
    CHECK(avis_classifier_label(cl, i, &id, &name, &threshold) == 0);
    CHECK(id && *id && name && threshold >= 0 && threshold <= 1);
  }
  /* A file from the writer finds every term where it is; one made to pass
   * the checks may hold a table that misses some, or repeated terms, but a
   * lookup never answers with another string. */
  for (uint32_t t = 0; t < nterms; t++) {
    size_t len, found_len;
    const char *s = avis_classifier_term_text(cl, t, &len);
    CHECK(s[len] == '\0' && strlen(s) == len);
    uint32_t u = avis_classifier_term(cl, s, len);
    if (u == UINT32_MAX)
      continue;
    CHECK(u < nterms);
    const char *found = avis_classifier_term_text(cl, u, &found_len);
    CHECK(found_len == len && memcmp(found, s, len) == 0);
  }
  CHECK(avis_classifier_provenance(cl) != NULL);
  char *dump;
  size_t dump_len;
  CHECK(avis_classifier_dump(cl, (opt & 2) ? AVIS_DUMP_WEIGHTS : 0, &dump,
                             &dump_len) == 0);
  CHECK(strlen(dump) == dump_len);
  avis_free(dump);

  avis_model m = *base_model();
  if (avis_classifier_get_kind(cl) == AVIS_CLASSIFIER_TOPICS)
    m.topics = (avis_classifier *)cl;
  else
    m.sentiment_classifier = (avis_classifier *)cl;
  avis_analyzer *a;
  avis_result *r;
  CHECK(avis_analyzer_new(&a, &m) == 0);
  CHECK(avis_analyze(a, sample, sizeof sample - 1, &r) == 0);
  CHECK(avis_result_topic_count(r) ==
        (m.topics ? avis_classifier_label_count(m.topics) : 0));
  char *json;
  CHECK(avis_result_to_json(r, 0, &json, NULL) == 0);
  avis_free(json);
  avis_result_free(r);
  avis_analyzer_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  unsigned opt = data[0];
  size_t len = size - 1;
  /* The loader wants the 8-byte alignment a mapped file has. */
  void *image = malloc(len ? len : 1);
  CHECK(image != NULL);
  memcpy(image, data + 1, len);
  if (opt & 1)
    fix_checksums(image, len);
  avis_classifier *cl = NULL;
  int rc = avis_model_file_parse(&cl, image, len, 1, "fuzz.avm");
  if (rc) {
    CHECK(!cl && rc < 0 && *avis_last_error());
    return 0;
  }
  use_classifier(cl, opt);
  avis_classifier_free(cl);
  return 0;
}
