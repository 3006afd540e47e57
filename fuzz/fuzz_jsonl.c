/* Fuzz target: one line of `analyze --stream` input, through the pieces the
 * stream is built from (cli/record.c): the line parsed as the stream
 * parses it, its members scanned raw by json_object_members(), its text
 * analysed, and the output record written in each format. Checks that the
 * raw scan pairs one for one with the parsed members (the stream passes
 * members through on that promise) and that a JSON record parses back.
 *
 * Input: one option byte, then the line.
 *   bit 0-2  output format: JSON Lines, CSV, TSV, text, HTML
 *   bit 3    JSON with the token list
 *   bit 4    JSON Lines records with the whole result (--full)
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "avis.h"
#include "batch.h"
#include "fuzz_check.h"

/* The flags cli/stream.c parses a line with. */
#define LINE_FLAGS (JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL)

static const out_format formats[8] = {FORMAT_JSONL, FORMAT_CSV, FORMAT_TSV,
                                      FORMAT_TEXT,  FORMAT_HTML, FORMAT_JSONL,
                                      FORMAT_JSONL, FORMAT_JSONL};

static const avis_model *model(void) {
  static avis_model *m;
  if (!m) {
    avis_model_options *opts;
    CHECK(avis_model_options_new(&opts) == 0);
    CHECK(avis_model_options_set_data_dir(opts, AVIS_FUZZ_DATA_DIR) == 0);
    CHECK(avis_model_load(&m, opts) == 0);
    avis_model_options_free(opts);
  }
  return m;
}

static avis_analyzer *analyzer(void) {
  static avis_analyzer *a;
  if (!a)
    CHECK(avis_analyzer_new(&a, model()) == 0);
  return a;
}

/* Raw member i must be parsed member i: same key, equal value. */
static void check_member(const json_member *m, void *it) {
  json_t *key = json_loadb(m->key, m->key_len, JSON_DECODE_ANY | JSON_ALLOW_NUL,
                           NULL);
  CHECK(key && json_is_string(key));
  CHECK(json_string_length(key) == json_object_iter_key_len(it));
  CHECK(memcmp(json_string_value(key), json_object_iter_key(it),
               json_string_length(key)) == 0);
  json_t *value = json_loadb(m->value, m->value_len, LINE_FLAGS | JSON_DECODE_ANY,
                             NULL);
  CHECK(value && json_equal(value, json_object_iter_value(it)));
  json_decref(key);
  json_decref(value);
}

/* Members the stream does not pass through: the text, and the names of
 * the record's lead. */
static int is_own_field(const char *key) {
  return strcmp(key, "text") == 0 || strcmp(key, "id") == 0 ||
         strcmp(key, "line") == 0;
}

static void check_record(const strbuf *b, out_format format) {
  CHECK(!b->failed);
  if (format != FORMAT_JSONL)
    return;
  /* Members pass through raw: an integer beyond 64 bits, a \u0000, stay as
   * written. */
  json_t *rec = json_loadb(b->data, b->len,
                           JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL |
                               JSON_ALLOW_NUL,
                           NULL);
  CHECK(rec && json_is_object(rec));
  json_decref(rec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  const char *line = (const char *)data + 1;
  size_t len = size - 1;
  record_spec spec = {formats[data[0] & 7],
                      (data[0] & 8) ? AVIS_JSON_TOKENS : 0u, model(),
                      avis_model_topic_model(model()), (data[0] & 16) != 0};
  /* The stream refuses a line with a raw NUL byte before parsing it. */
  json_t *root = memchr(line, '\0', len) ? NULL
                                          : json_loadb(line, len, LINE_FLAGS, NULL);
  json_member *members = NULL, *extra = NULL;
  size_t n = 0, nextra = 0;
  if (root && json_is_object(root)) {
    n = json_object_members(line, len, &members);
    CHECK(n == json_object_size(root));
    extra = malloc((n ? n : 1) * sizeof *extra);
    CHECK(extra != NULL);
    void *it = json_object_iter(root);
    for (size_t i = 0; i < n; i++, it = json_object_iter_next(root, it)) {
      check_member(&members[i], it);
      if (!is_own_field(json_object_iter_key(it)))
        extra[nextra++] = members[i];
    }
  }
  json_t *text = root ? json_object_get(root, "text") : NULL;
  record_head head = {"\"line\":1", 8, extra, nextra};
  strbuf b = {0};
  avis_result *r = NULL;
  if (json_is_string(text) &&
      avis_analyze(analyzer(), json_string_value(text),
                   json_string_length(text), &r) == 0)
    record_result(&b, &spec, "line 1", &head, r);
  else
    record_error(&b, &spec, "line 1", &head, ERR_MALFORMED, "not analysed");
  check_record(&b, spec.format);
  free(b.data);
  avis_result_free(r);
  free(members);
  free(extra);
  json_decref(root);
  return 0;
}
