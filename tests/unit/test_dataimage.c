/* Data images (src/dataimage.c): the committed image is current, a model
 * loaded from it holds exactly the tables a parse builds and analyses
 * alike, and a stale, damaged or truncated image is not used (the model
 * parses instead) and never crashes the loader. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "avis.h"
#include "avis_train.h"
#include "dataimage.h"
#include "model.h"
#include "topicfile.h"

static const char *const articles[] = {
    "critique-film-positive.txt", "critique-restaurant-negative.txt",
    "depeche-economie.txt", "post-reseau-social.txt",
    "tribune-application-video.txt", "avis-cp1252.txt"};

/* Short texts for negation, intensity, contrast, expressions and stems. */
static const char *const sentences[] = {
    "Je n'ai pas aimé ce film, vraiment pas terrible.",
    "Un chef-d'œuvre à couper le souffle, mais un peu trop long.",
    "Ce n'est pas mal du tout ; les acteurs sont excellents !",
    "Les syndicats dénoncent une réforme injuste et décevante.",
    "Très bien joué, bien que la fin soit bâclée. Une perte de temps ?"};

static const char *const data_files[] = {
    "lexicons/fr-polarity.tsv", "lexicons/modifiers.tsv",
    "lexicons/stopwords-fr.txt", "lexicons/fr-default.avd"};

/* ---- Helpers -------------------------------------------------------------- */

static int read_file(const char *path, avis_buf *out) {
  avis_buf_clear(out);
  return avis_buf_read_file(out, path);
}

static void write_file(const char *path, const void *data, size_t len) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, len, f), len);
  assert_int_equal(fclose(f), 0);
}

static char *join(const char *dir, const char *rel) {
  char *p = avis_data_path(dir, rel);
  assert_non_null(p);
  return p;
}

/* An empty temporary data directory, with its lexicons/ folder. */
static char *new_data_dir(void) {
  char tmpl[] = "/tmp/avis-image-XXXXXX";
  assert_non_null(mkdtemp(tmpl));
  char *dir = strdup(tmpl);
  char *lex = join(dir, "lexicons");
  assert_int_equal(mkdir(lex, 0700), 0);
  free(lex);
  return dir;
}

/* A temporary data directory holding a copy of the repository's data
 * files, image included. */
static char *copy_data_dir(void) {
  char *dir = new_data_dir();
  avis_buf b = {0};
  for (size_t i = 0; i < sizeof data_files / sizeof *data_files; i++) {
    char *from = join(AVIS_TEST_DATA_DIR, data_files[i]);
    char *to = join(dir, data_files[i]);
    assert_int_equal(read_file(from, &b), 0);
    write_file(to, b.data, b.len);
    free(from);
    free(to);
  }
  avis_buf_release(&b);
  return dir;
}

static void remove_data_dir(char *dir) {
  for (size_t i = 0; i < sizeof data_files / sizeof *data_files; i++) {
    char *p = join(dir, data_files[i]);
    unlink(p);
    free(p);
  }
  char *lex = join(dir, "lexicons");
  rmdir(lex);
  free(lex);
  rmdir(dir);
  free(dir);
}

static avis_model *load(const char *dir, int image, int strict) {
  avis_model_options *opts;
  avis_model *m = NULL;
  assert_int_equal(avis_model_options_new(&opts), 0);
  assert_int_equal(avis_model_options_set_data_dir(opts, dir), 0);
  assert_int_equal(avis_model_options_use_topics(opts, 0), 0);
  assert_int_equal(avis_model_options_use_data_image(opts, image), 0);
  assert_int_equal(avis_model_options_set_strict(opts, strict), 0);
  int rc = avis_model_load(&m, opts);
  avis_model_options_free(opts);
  assert_int_equal(rc, 0);
  return m;
}

/* The status of the repository's image; a test that needs the image in
 * use skips when it was built with other library versions than these. */
static avis_data_image_status repository_image(void) {
  avis_data_image_status status;
  char why[512];
  assert_int_equal(
      avis_data_image_check(AVIS_TEST_DATA_DIR, NULL, &status, why, sizeof why),
      0);
  if (status != AVIS_DATA_IMAGE_CURRENT)
    print_message("lexicons/fr-default.avd: %s\n", why);
  /* Other utf8proc or Snowball versions are the machine's business; an
   * image of another avis version is a rebuild forgotten at a release,
   * after which every start-up would parse again. */
  char built_by[64];
  snprintf(built_by, sizeof built_by, "built by avis %s ", avis_version());
  if (status == AVIS_DATA_IMAGE_FOREIGN &&
      strncmp(why, "built by avis ", 14) == 0 &&
      strncmp(why, built_by, strlen(built_by)) != 0)
    fail_msg("rebuild lexicons/fr-default.avd (tools/build_data_image.sh)");
  return status;
}

static void skip_unless_current(void) {
  if (repository_image() == AVIS_DATA_IMAGE_FOREIGN)
    skip();
}

/* The full JSON report of a text. */
static char *report(const avis_model *m, const char *text, size_t len) {
  avis_analyzer *an;
  avis_result *r;
  char *json;
  size_t json_len;
  assert_int_equal(avis_analyzer_new(&an, m), 0);
  assert_int_equal(avis_analyze(an, text, len, &r), 0);
  assert_int_equal(avis_result_to_json(r, 0, &json, &json_len), 0);
  avis_result_free(r);
  avis_analyzer_free(an);
  return json;
}

static void assert_same_reports(const avis_model *a, const avis_model *b) {
  avis_buf text = {0};
  for (size_t i = 0; i < sizeof articles / sizeof *articles; i++) {
    char *path = join(AVIS_TEST_DATA_DIR "/examples/articles", articles[i]);
    assert_int_equal(read_file(path, &text), 0);
    char *ja = report(a, text.data, text.len), *jb = report(b, text.data, text.len);
    assert_string_equal(ja, jb);
    avis_free(ja);
    avis_free(jb);
    free(path);
  }
  for (size_t i = 0; i < sizeof sentences / sizeof *sentences; i++) {
    char *ja = report(a, sentences[i], strlen(sentences[i]));
    char *jb = report(b, sentences[i], strlen(sentences[i]));
    assert_string_equal(ja, jb);
    avis_free(ja);
    avis_free(jb);
  }
  avis_buf_release(&text);
}

static void assert_same_map(const avis_strmap *a, const avis_strmap *b) {
  assert_int_equal(a->nslots, b->nslots);
  assert_int_equal(a->count, b->count);
  assert_int_equal(a->keys_len, b->keys_len);
  if (!a->nslots)
    return;
  assert_memory_equal(a->slots, b->slots, a->nslots * sizeof *a->slots);
  assert_memory_equal(a->entries, b->entries, a->count * sizeof *a->entries);
  assert_memory_equal(a->keys, b->keys, a->keys_len);
}

static void assert_same_vec(const avis_vec *a, const avis_vec *b, size_t size) {
  assert_int_equal(a->len, b->len);
  assert_memory_equal(a->data, b->data, a->len * size);
}

static void assert_same_lexicon_info(const avis_model *a, const avis_model *b) {
  assert_int_equal(avis_model_lexicon_count(a), avis_model_lexicon_count(b));
  for (size_t i = 0; i < avis_model_lexicon_count(a); i++) {
    const char *pa, *pb;
    size_t ea, eb, sa, sb;
    avis_lexicon_format fa, fb;
    int ha, hb;
    assert_int_equal(avis_model_lexicon_info(a, i, &pa, &ea, &sa, &fa, &ha), 0);
    assert_int_equal(avis_model_lexicon_info(b, i, &pb, &eb, &sb, &fb, &hb), 0);
    assert_string_equal(pa, pb);
    assert_int_equal(ea, eb);
    assert_int_equal(sa, sb);
    assert_int_equal(fa, fb);
    assert_int_equal(ha, hb);
    const char *qa = avis_model_lexicon_problem(a, i);
    const char *qb = avis_model_lexicon_problem(b, i);
    assert_true(!qa == !qb);
    if (qa)
      assert_string_equal(qa, qb);
  }
}

/* Every table, byte for byte, and what the public API reports. */
static void assert_same_tables(const avis_model *a, const avis_model *b) {
  assert_same_vec(&a->lexicon.entries, &b->lexicon.entries,
                  sizeof(avis_lex_entry));
  assert_same_map(&a->lexicon.forms, &b->lexicon.forms);
  assert_same_map(&a->lexicon.stems, &b->lexicon.stems);
  assert_same_map(&a->lexicon.mwe_first, &b->lexicon.mwe_first);
  assert_int_equal(a->lexicon.has_emotions, b->lexicon.has_emotions);
  assert_int_equal(a->modifiers.items.len, b->modifiers.items.len);
  for (size_t i = 0; i < a->modifiers.items.len; i++) {
    const avis_modifier *ma = (const avis_modifier *)a->modifiers.items.data + i;
    const avis_modifier *mb = (const avis_modifier *)b->modifiers.items.data + i;
    assert_int_equal(ma->kind, mb->kind);
    assert_int_equal(ma->nwords, mb->nwords);
    assert_true(ma->weight == mb->weight);
  }
  assert_same_map(&a->modifiers.forms, &b->modifiers.forms);
  assert_same_map(&a->modifiers.mwe_first, &b->modifiers.mwe_first);
  assert_same_map(&a->stopwords, &b->stopwords);
  assert_same_lexicon_info(a, b);
  assert_int_equal(a->lexicon_names.len, b->lexicon_names.len);
  assert_memory_equal(a->lexicon_names.data, b->lexicon_names.data,
                      a->lexicon_names.len);
}

/* Replaces byte `at` of a data file with `c`. */
static void patch_file(const char *dir, const char *rel, size_t at, char c) {
  char *path = join(dir, rel);
  avis_buf b = {0};
  assert_int_equal(read_file(path, &b), 0);
  assert_true(at < b.len && b.data[at] != c);
  b.data[at] = c;
  write_file(path, b.data, b.len);
  avis_buf_release(&b);
  free(path);
}

/* Offset of the first occurrence of `needle` in a data file. */
static size_t find_in_file(const char *dir, const char *rel,
                           const char *needle) {
  char *path = join(dir, rel);
  avis_buf b = {0};
  assert_int_equal(read_file(path, &b), 0);
  const char *hit = strstr(b.data, needle);
  assert_non_null(hit);
  size_t at = (size_t)(hit - b.data);
  avis_buf_release(&b);
  free(path);
  return at;
}

/* ---- Tests -------------------------------------------------------------- */

/* Fails when a data file was edited without rebuilding the image
 * (tools/build_data_image.sh): the sources' checksums are compared
 * whatever the libraries; the bytes of a fresh build only when the image
 * was built with this library's versions of avis, utf8proc and Snowball. */
static void test_committed_image_is_current(void **state) {
  (void)state;
  avis_data_image_status status = repository_image();
  if (status == AVIS_DATA_IMAGE_FOREIGN)
    skip();
  assert_int_equal(status, AVIS_DATA_IMAGE_CURRENT);
}

static void test_image_gives_the_parsed_tables(void **state) {
  (void)state;
  skip_unless_current();
  avis_model *mapped = load(AVIS_TEST_DATA_DIR, 1, 0);
  avis_model *parsed = load(AVIS_TEST_DATA_DIR, 0, 0);
  assert_true(avis_model_uses_data_image(mapped));
  assert_false(avis_model_uses_data_image(parsed));
  assert_same_tables(mapped, parsed);
  assert_same_reports(mapped, parsed);
  avis_model_free(mapped);
  avis_model_free(parsed);
}

/* Only the default set is compiled: any other set of lexicons parses. */
static void test_other_options_parse(void **state) {
  (void)state;
  avis_model_options *opts;
  avis_model *m;
  assert_int_equal(avis_model_options_new(&opts), 0);
  assert_int_equal(avis_model_options_set_data_dir(opts, AVIS_TEST_DATA_DIR), 0);
  assert_int_equal(avis_model_options_use_topics(opts, 0), 0);
  assert_int_equal(avis_model_options_add_lexicon(
                       opts, AVIS_TEST_DATA_DIR "/lexicons/avis-news.tsv",
                       AVIS_LEXICON_AUTO),
                   0);
  assert_int_equal(avis_model_load(&m, opts), 0);
  assert_false(avis_model_uses_data_image(m));
  assert_int_equal(avis_model_lexicon_count(m), 2);
  avis_model_free(m);
  assert_int_equal(avis_model_options_use_default_lexicon(opts, 0), 0);
  assert_int_equal(avis_model_load(&m, opts), 0);
  assert_false(avis_model_uses_data_image(m));
  assert_int_equal(avis_model_lexicon_count(m), 1);
  avis_model_free(m);
  avis_model_options_free(opts);
}

/* One byte changed in any source file: the image is stale, the model
 * parses, and the change shows. */
static void test_stale_image_is_not_used(void **state) {
  (void)state;
  skip_unless_current();
  char *dir = copy_data_dir();
  avis_model *before = load(dir, 1, 0);
  assert_true(avis_model_uses_data_image(before));
  /* "excellent\t0.8..." becomes "excellent\t-.8...": a rated word flips. */
  size_t at = find_in_file(dir, "lexicons/fr-polarity.tsv", "\nexcellent\t");
  patch_file(dir, "lexicons/fr-polarity.tsv", at + 11, '-');
  avis_model *mapped = load(dir, 1, 0), *parsed = load(dir, 0, 0);
  assert_false(avis_model_uses_data_image(mapped));
  assert_same_tables(mapped, parsed);
  assert_same_reports(mapped, parsed);
  const char *text = "Un repas excellent.";
  char *was = report(before, text, strlen(text));
  char *now = report(mapped, text, strlen(text));
  assert_string_not_equal(was, now);
  avis_free(was);
  avis_free(now);
  avis_model_free(mapped);
  avis_model_free(parsed);
  avis_data_image_status status;
  char why[512];
  assert_int_equal(avis_data_image_check(dir, NULL, &status, why, sizeof why), 0);
  assert_int_equal(status, AVIS_DATA_IMAGE_STALE);
  assert_non_null(strstr(why, "fr-polarity.tsv"));

  /* Rebuilt, it is used again, and holds the change. */
  assert_int_equal(avis_data_image_build(dir, NULL), 0);
  mapped = load(dir, 1, 0);
  parsed = load(dir, 0, 0);
  assert_true(avis_model_uses_data_image(mapped));
  assert_same_tables(mapped, parsed);
  avis_model_free(mapped);
  avis_model_free(parsed);

  /* The other two sources count as much. */
  patch_file(dir, "lexicons/modifiers.tsv",
             find_in_file(dir, "lexicons/modifiers.tsv", "\ntrès\t") + 1, 'T');
  mapped = load(dir, 1, 0);
  assert_false(avis_model_uses_data_image(mapped));
  avis_model_free(mapped);
  assert_int_equal(avis_data_image_build(dir, NULL), 0);
  patch_file(dir, "lexicons/stopwords-fr.txt", 0, '#');
  mapped = load(dir, 1, 0);
  assert_false(avis_model_uses_data_image(mapped));
  avis_model_free(mapped);
  avis_model_free(before);
  remove_data_dir(dir);
}

/* A lexicon with a malformed line: the image reports it as the parse
 * does, under the path the model was given; a strict load fails alike. */
static void test_skipped_lines_are_reported_alike(void **state) {
  (void)state;
  skip_unless_current();
  char *dir = copy_data_dir();
  size_t at = find_in_file(dir, "lexicons/fr-polarity.tsv", "\nexcellent\t");
  patch_file(dir, "lexicons/fr-polarity.tsv", at + 11, 'x');
  assert_int_equal(avis_data_image_build(dir, NULL), 0);
  avis_model *mapped = load(dir, 1, 0), *parsed = load(dir, 0, 0);
  assert_true(avis_model_uses_data_image(mapped));
  assert_same_tables(mapped, parsed);
  const char *problem = avis_model_lexicon_problem(mapped, 0);
  assert_non_null(problem);
  assert_int_equal(strncmp(problem, dir, strlen(dir)), 0);
  avis_model_free(mapped);
  avis_model_free(parsed);

  avis_model_options *opts;
  avis_model *m = NULL;
  assert_int_equal(avis_model_options_new(&opts), 0);
  assert_int_equal(avis_model_options_set_data_dir(opts, dir), 0);
  assert_int_equal(avis_model_options_set_strict(opts, 1), 0);
  assert_int_equal(avis_model_load(&m, opts), AVIS_ERR_FORMAT);
  assert_null(m);
  assert_non_null(strstr(avis_last_error(), "fr-polarity.tsv:"));
  avis_model_options_free(opts);
  remove_data_dir(dir);
}

/* Makes a damaged image's checksums hold again (its magic, version and
 * length reset too), so that the damage reaches the checks behind them. */
static void fix_checksums(unsigned char *d, size_t len) {
  avis_buf b = {(char *)d, len, len};
  avis_model_file_finish(&b, avis_le32_get(d + 24));
}

/* Parses image bytes (copied to a buffer of their exact size); lookups of
 * all the keys of what is accepted must stay in bounds. */
static int try_parse(const unsigned char *d, size_t len) {
  unsigned char *copy = malloc(len ? len : 1); /* malloc aligns to 8 */
  assert_non_null(copy);
  memcpy(copy, d, len);
  avis_lexicon lex = {0};
  avis_modifiers mods = {0};
  avis_strmap stop = {0};
  avis_data_tables t = {&lex, &mods, &stop};
  int rc = avis_data_image_parse(copy, len, "image", "lexicon.tsv", &t);
  if (!rc) {
    /* A damaged hash may hide a key; any entry found must be in range. */
    for (size_t i = 0; i < lex.forms.count; i++) {
      size_t n;
      const char *k = avis_strmap_key(&lex.forms, i, &n);
      const avis_lex_entry *e = avis_lexicon_form(&lex, k, n);
      assert_true(!e || (e->nwords >= 1 && e->nwords <= 8));
      assert_true(avis_lexicon_mwe_max(&lex, k, n) <= 8);
    }
    for (size_t i = 0; i < mods.forms.count; i++) {
      size_t n;
      const char *k = avis_strmap_key(&mods.forms, i, &n);
      const avis_modifier *m = avis_modifiers_get(&mods, k, n);
      assert_true(!m || m->kind != AVIS_MOD_NONE);
    }
  } else {
    assert_true(rc < 0 && *avis_last_error());
  }
  avis_lexicon_release(&lex);
  avis_modifiers_release(&mods);
  avis_strmap_release(&stop);
  free(copy);
  return rc;
}

/* A small data directory, whose image is small enough to damage at every
 * byte. Its lexicon has expressions, stems shared by several forms, an
 * emotion, and a malformed line. */
static char *tiny_data_dir(void) {
  static const char lexicon[] =
      "# avis-lexicon 1\n"
      "bon\t0.5\t0.6\nbonne\t0.6\t0.6\nbons\t0.4\nmauvais\t-0.6\t0.7\n"
      "pas mal\t0.4\ncoup de c\xC5\x93ur\t0.8\t0.9\n"
      "ennuyeux\t-0.5\t0.8\ttristesse\ncass\xC3\xA9\t2\nmal\t-0.5\n";
  static const char modifiers[] =
      "ne\tne\t1\npas\tnegator\t1\ntr\xC3\xA8s\tintensifier\t1.5\n"
      "un peu\tdiminisher\t0.6\nmais\tcontrast\t1.5\n";
  static const char stopwords[] = "le\nla\nles\nde\n";
  const char *const content[] = {lexicon, modifiers, stopwords};
  char *dir = new_data_dir();
  for (size_t i = 0; i < 3; i++) {
    char *path = join(dir, data_files[i]);
    write_file(path, content[i], strlen(content[i]));
    free(path);
  }
  assert_int_equal(avis_data_image_build(dir, NULL), 0);
  return dir;
}

/* Every truncation and every flipped bit of a small image: rejected by
 * the checksums; with the checksums fixed, rejected by the bounds checks
 * or accepted with values still in range, never read out of bounds. */
static void test_damaged_images_are_rejected(void **state) {
  (void)state;
  char *dir = tiny_data_dir();
  char *path = join(dir, "lexicons/fr-default.avd");
  avis_buf img = {0};
  assert_int_equal(read_file(path, &img), 0);
  const unsigned char *d = (const unsigned char *)img.data;
  assert_int_equal(try_parse(d, img.len), 0);
  for (size_t len = 0; len < img.len; len++)
    assert_int_not_equal(try_parse(d, len), 0);
  unsigned char *bad = malloc(img.len);
  assert_non_null(bad);
  for (size_t at = 0; at < img.len; at++) {
    for (unsigned bit = 0; bit < 8; bit++) {
      memcpy(bad, d, img.len);
      bad[at] ^= (unsigned char)(1u << bit);
      assert_int_not_equal(try_parse(bad, img.len), 0);
      fix_checksums(bad, img.len);
      try_parse(bad, img.len);
    }
  }
  free(bad);
  free(path);
  avis_buf_release(&img);
  remove_data_dir(dir);
}

/* The repository's image, cut short at a sample of lengths. */
static void test_truncated_images_are_rejected(void **state) {
  (void)state;
  avis_buf img = {0};
  assert_int_equal(
      read_file(AVIS_TEST_DATA_DIR "/lexicons/fr-default.avd", &img), 0);
  const unsigned char *d = (const unsigned char *)img.data;
  assert_int_equal(try_parse(d, img.len), 0);
  for (size_t len = 0; len < img.len; len += len < 1024 ? 1 : 4093)
    assert_int_not_equal(try_parse(d, len), 0);
  avis_buf_release(&img);
}

/* Through avis_model_load(): a damaged image file is ignored. */
static void test_damaged_image_files_fall_back(void **state) {
  (void)state;
  char *dir = copy_data_dir();
  char *path = join(dir, "lexicons/fr-default.avd");
  avis_buf img = {0};
  assert_int_equal(read_file(path, &img), 0);
  avis_model *parsed = load(dir, 0, 0);
  const size_t cuts[] = {0, 1, 63, 64, 200, 4096, 100000, img.len / 2,
                         img.len - 1};
  for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
    write_file(path, img.data, cuts[i]);
    avis_model *m = load(dir, 1, 0);
    assert_false(avis_model_uses_data_image(m));
    assert_same_tables(m, parsed);
    avis_model_free(m);
  }
  img.data[img.len / 3] ^= 1;
  write_file(path, img.data, img.len);
  avis_model *m = load(dir, 1, 0);
  assert_false(avis_model_uses_data_image(m));
  assert_same_reports(m, parsed);
  avis_model_free(m);
  avis_data_image_status status;
  char why[512];
  assert_int_equal(avis_data_image_check(dir, NULL, &status, why, sizeof why), 0);
  assert_int_equal(status, AVIS_DATA_IMAGE_DAMAGED);
  assert_non_null(strstr(why, "checksum"));
  unlink(path);
  assert_int_equal(avis_data_image_check(dir, NULL, &status, why, sizeof why), 0);
  assert_int_equal(status, AVIS_DATA_IMAGE_MISSING);
  m = load(dir, 1, 0);
  assert_false(avis_model_uses_data_image(m));
  avis_model_free(m);
  avis_model_free(parsed);
  avis_buf_release(&img);
  free(path);
  remove_data_dir(dir);
}

/* The same sources give the same bytes. */
static void test_builds_are_reproducible(void **state) {
  (void)state;
  char *dir = copy_data_dir();
  char *a = join(dir, "a.avd"), *b = join(dir, "b.avd");
  assert_int_equal(avis_data_image_build(dir, a), 0);
  assert_int_equal(avis_data_image_build(dir, b), 0);
  avis_buf ba = {0}, bb = {0};
  assert_int_equal(read_file(a, &ba), 0);
  assert_int_equal(read_file(b, &bb), 0);
  assert_int_equal(ba.len, bb.len);
  assert_memory_equal(ba.data, bb.data, ba.len);
  avis_buf_release(&ba);
  avis_buf_release(&bb);
  unlink(a);
  unlink(b);
  free(a);
  free(b);
  remove_data_dir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_committed_image_is_current),
      cmocka_unit_test(test_image_gives_the_parsed_tables),
      cmocka_unit_test(test_other_options_parse),
      cmocka_unit_test(test_stale_image_is_not_used),
      cmocka_unit_test(test_skipped_lines_are_reported_alike),
      cmocka_unit_test(test_damaged_images_are_rejected),
      cmocka_unit_test(test_truncated_images_are_rejected),
      cmocka_unit_test(test_damaged_image_files_fall_back),
      cmocka_unit_test(test_builds_are_reproducible),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
