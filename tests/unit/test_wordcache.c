/* The word cache: every token gets the normalised form and stem it would
 * get from avis_normalize() and avis_stem(), and what the lexicon and the
 * modifier lists say about it, whether it is met for the first time, again
 * in the same document, in a later one, or after the cache was full. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avis.h"
#include "lexicon.h"
#include "normalize.h"
#include "stem.h"
#include "tokenize.h"
#include "wordcache.h"

static const char lexicon_tsv[] = "bon\t0.7\n"
                                  "gouvernement\t0.2\n"
                                  "pas mal\t0.3\n"
                                  "très bien\t0.8\n";

static const char modifiers_tsv[] = "pas\tnegator\t1\n"
                                    "très\tintensifier\t1.5\n"
                                    "un peu\tdiminisher\t0.6\n";

typedef struct {
  avis_lexicon lex;
  avis_modifiers mods;
  avis_stemmer *stemmer, *reference; /* the cache's, and one to compare */
  avis_word_cache *cache;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  if (!f)
    return -1;
  avis_word_sources sources = {.lexicon = &f->lex, .modifiers = &f->mods};
  if (avis_stemmer_new(&f->stemmer) || avis_stemmer_new(&f->reference) ||
      avis_lexicon_load_buffer(&f->lex, "test", lexicon_tsv,
                               sizeof lexicon_tsv - 1, AVIS_LEXICON_TSV, 1) ||
      avis_lexicon_finish(&f->lex, f->stemmer) ||
      avis_modifiers_load_buffer(&f->mods, "test", modifiers_tsv,
                                 sizeof modifiers_tsv - 1) ||
      avis_word_cache_new(&f->cache, &sources, f->stemmer))
    return -1;
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  avis_word_cache_free(f->cache);
  avis_lexicon_release(&f->lex);
  avis_modifiers_release(&f->mods);
  avis_stemmer_free(f->stemmer);
  avis_stemmer_free(f->reference);
  free(f);
  return 0;
}

typedef struct {
  avis_vec toks;
  avis_buf arena;
  const avis_word *words;
} document;

static void resolve(fixture *f, const char *text, document *d) {
  memset(d, 0, sizeof *d);
  assert_int_equal(avis_tokenize(text, strlen(text), &d->toks), 0);
  assert_int_equal(avis_word_cache_resolve(f->cache, text, d->toks.data,
                                           d->toks.len, &d->arena, &d->words),
                   0);
}

static void release(document *d) {
  avis_vec_release(&d->toks);
  avis_buf_release(&d->arena);
}

/* Each token's strings are those the stages give it one by one. */
static void check_strings(fixture *f, const char *text, const document *d) {
  const avis_tok *toks = d->toks.data;
  for (size_t i = 0; i < d->toks.len; i++) {
    const avis_tok *t = &toks[i];
    avis_buf norm = {0};
    uint32_t off, len;
    assert_int_equal(avis_normalize(&norm, text + t->start, t->len, &off, &len),
                     0);
    assert_int_equal(t->norm_len, len);
    assert_memory_equal(d->arena.data + t->norm_off, norm.data + off, len);
    assert_int_equal(d->arena.data[t->norm_off + len], '\0');
    const char *stem = norm.data + off;
    size_t slen = len;
    if (avis_tok_is_stemmed(t))
      stem = avis_stem(f->reference, norm.data + off, len, &slen);
    assert_non_null(stem);
    assert_int_equal(t->stem_len, slen);
    assert_memory_equal(d->arena.data + t->stem_off, stem, slen);
    assert_int_equal(d->arena.data[t->stem_off + slen], '\0');
    avis_buf_release(&norm);
  }
}

static const char sample[] =
    "L’ŒUVRE est très bien, pas mal même ! Le gouvernement, les "
    "gouvernements : #Génial, n’est-ce pas ? ﬁn Straße 3,5 % :-) 😀 "
    "https://exemple.fr/Page l’œuvre";

static void strings_match_the_stages(void **state) {
  fixture *f = *state;
  document d;
  resolve(f, sample, &d);
  check_strings(f, sample, &d);
  release(&d);
}

static size_t find_token(const char *text, const document *d,
                         const char *word) {
  const avis_tok *toks = d->toks.data;
  for (size_t i = 0; i < d->toks.len; i++)
    if (toks[i].len == strlen(word) &&
        memcmp(text + toks[i].start, word, toks[i].len) == 0)
      return i;
  fail_msg("no token '%s'", word);
  return 0;
}

static void lookups_match_the_model(void **state) {
  fixture *f = *state;
  document d;
  resolve(f, sample, &d);
  const avis_word *w = d.words;
  size_t tres = find_token(sample, &d, "très");
  assert_ptr_equal(avis_word_modifier(&f->mods, w[tres].mod),
                   avis_modifiers_get(&f->mods, "très", strlen("très")));
  assert_non_null(avis_word_modifier(&f->mods, w[tres].mod));
  assert_int_equal(w[tres].lex_mwe, 2);
  assert_int_equal(w[tres].mod_mwe, 0);
  size_t pas = find_token(sample, &d, "pas");
  assert_int_equal(w[pas].lex_mwe, 2);
  assert_non_null(avis_word_modifier(&f->mods, w[pas].mod));
  /* "gouvernements" is not in the lexicon, its stem is. */
  size_t gouv = find_token(sample, &d, "gouvernements");
  assert_null(avis_word_entry(&f->lex, w[gouv].lex_form));
  assert_ptr_equal(avis_word_entry(&f->lex, w[gouv].lex_stem),
                   avis_lexicon_stem(&f->lex, "gouvern", strlen("gouvern")));
  assert_non_null(avis_word_entry(&f->lex, w[gouv].lex_stem));
  size_t est = find_token(sample, &d, "est");
  assert_null(avis_word_entry(&f->lex, w[est].lex_form));
  assert_null(avis_word_modifier(&f->mods, w[est].mod));
  assert_int_equal(w[est].lex_mwe, 0);
  /* Sentiment scoring only counts a function word or a word the model
   * knows nothing of, not a modifier or a lexicon term by form or stem. */
  assert_true(w[est].inert);
  assert_true(w[find_token(sample, &d, "Le")].inert);
  assert_true(w[find_token(sample, &d, "même")].inert);
  assert_false(w[pas].inert);
  assert_false(w[tres].inert);
  assert_false(w[gouv].inert);
  assert_false(w[find_token(sample, &d, "gouvernement")].inert);
  /* Without classifiers, no token has a term id. */
  for (size_t i = 0; i < d.toks.len; i++)
    for (int k = 0; k < AVIS_WORD_CLASSIFIERS; k++)
      assert_int_equal(w[i].term[k], AVIS_WORD_NONE);
  release(&d);
}

/* A repeated word's strings are in the arena once; the next document has
 * its own copies, and the cache does not grow for words it knows. */
static void strings_copied_once_per_document(void **state) {
  fixture *f = *state;
  static const char text[] = "Bon, bon et bon. Bon !";
  document a, b;
  resolve(f, text, &a);
  const avis_tok *ta = a.toks.data;
  assert_int_equal(ta[0].norm_off, ta[6].norm_off); /* Bon, Bon */
  assert_int_equal(ta[2].norm_off, ta[4].norm_off); /* bon, bon */
  size_t size = avis_word_cache_size(f->cache);
  resolve(f, text, &b);
  assert_int_equal(avis_word_cache_size(f->cache), size);
  assert_int_equal(a.arena.len, b.arena.len);
  check_strings(f, text, &b);
  release(&a);
  release(&b);
}

/* The same bytes in two roles: a word, which is stemmed, and something
 * that is not (an elided clitic, as the tokeniser would never make it);
 * another word between them. */
static void roles_of_the_same_bytes(void **state) {
  fixture *f = *state;
  static const char text[] = "Gouvernements bon Gouvernements Gouvernements";
  avis_tok toks[4] = {
      {.start = 0,
       .len = 13,
       .kind = AVIS_TOKEN_WORD,
       .flags = AVIS_TF_ELISION},
      {.start = 14, .len = 3, .kind = AVIS_TOKEN_WORD},
      {.start = 18, .len = 13, .kind = AVIS_TOKEN_WORD},
      {.start = 32,
       .len = 13,
       .kind = AVIS_TOKEN_WORD,
       .flags = AVIS_TF_ELISION},
  };
  for (int pass = 0; pass < 2; pass++) {
    avis_buf arena = {0};
    const avis_word *words;
    assert_int_equal(
        avis_word_cache_resolve(f->cache, text, toks, 4, &arena, &words), 0);
    document d = {.toks = {.data = toks, .len = 4, .cap = 4}, .arena = arena};
    check_strings(f, text, &d);
    assert_int_equal(toks[0].stem_off, toks[0].norm_off);
    assert_string_equal(arena.data + toks[2].stem_off, "gouvern");
    assert_int_equal(toks[3].stem_off, toks[3].norm_off);
    assert_null(avis_word_entry(&f->lex, words[0].lex_stem));
    assert_non_null(avis_word_entry(&f->lex, words[1].lex_form));
    assert_non_null(avis_word_entry(&f->lex, words[2].lex_stem));
    assert_null(avis_word_entry(&f->lex, words[3].lex_stem));
    avis_buf_release(&arena);
  }
}

/* Keys of one to eight bytes are told apart by their bytes alone, whether
 * fewer than eight bytes of the text come before them (the first keys) or
 * more, and are read right again in a later document: every letter and
 * pair of letters, each followed by a word of one to eight letters. */
static void short_keys(void **state) {
  fixture *f = *state;
  char text[26 * 27 * 12 + 1];
  size_t len = 0;
  for (int a = 0; a < 26; a++)
    for (int b = -1; b < 26; b++) {
      text[len++] = (char)('a' + a);
      if (b >= 0)
        text[len++] = (char)('a' + b);
      text[len++] = ' ';
      len +=
          (size_t)sprintf(text + len, "%.*s ", (a + b + 2) % 8 + 1, "Bcdefghi");
    }
  text[len] = '\0';
  for (int pass = 0; pass < 2; pass++) {
    document d;
    resolve(f, text, &d);
    check_strings(f, text, &d);
    release(&d);
  }
  assert_int_equal(avis_word_cache_size(f->cache), 26 * 27 + 8);
}

/* A growing cache moves its entries and strings, once past a few
 * thousand forms, into the room it keeps for all it may hold: forms met
 * before the move are found after it rather than made again, and every
 * token still reads right. */
static void growth_keeps_forms(void **state) {
  fixture *f = *state;
  enum { FORMS = 20000, WORD = 10 };
  char *text = malloc(FORMS * WORD + 1);
  assert_non_null(text);
  for (size_t i = 0; i < FORMS; i++) {
    char *w = text + i * WORD;
    memcpy(w, "Gouv", 4);
    for (size_t k = 0, n = i; k < 5; k++, n /= 26)
      w[4 + k] = (char)('a' + n % 26);
    w[WORD - 1] = ' ';
  }
  text[FORMS * WORD] = '\0';
  /* The first tenth alone, then all, then the first tenth again. */
  static const size_t forms[] = {FORMS / 10, FORMS, FORMS / 10};
  for (int pass = 0; pass < 3; pass++) {
    char saved = text[forms[pass] * WORD];
    text[forms[pass] * WORD] = '\0';
    document d;
    resolve(f, text, &d);
    assert_int_equal(d.toks.len, forms[pass]);
    assert_int_equal(avis_word_cache_size(f->cache), pass ? FORMS : FORMS / 10);
    check_strings(f, text, &d);
    release(&d);
    text[forms[pass] * WORD] = saved;
  }
  free(text);
}

/* Past AVIS_WORD_CACHE_MAX forms the cache starts again, even in the
 * middle of a document, and every token still reads right. */
static void bounded(void **state) {
  fixture *f = *state;
  size_t n = AVIS_WORD_CACHE_MAX + 1000;
  char *text = malloc(n * 8);
  avis_tok *toks = calloc(n, sizeof *toks);
  assert_non_null(text);
  assert_non_null(toks);
  size_t len = 0;
  for (size_t i = 0; i < n; i++) {
    toks[i].start = (uint32_t)len;
    toks[i].len = (uint32_t)sprintf(text + len, "N%zu", i);
    toks[i].kind = AVIS_TOKEN_NUMBER;
    len += toks[i].len;
    text[len++] = ' ';
  }
  avis_buf arena = {0};
  const avis_word *words;
  assert_int_equal(
      avis_word_cache_resolve(f->cache, text, toks, n, &arena, &words), 0);
  assert_true(avis_word_cache_size(f->cache) <= AVIS_WORD_CACHE_MAX);
  for (size_t i = 0; i < n; i += 997) {
    char expected[16];
    int k = snprintf(expected, sizeof expected, "n%zu", i);
    assert_int_equal(toks[i].norm_len, k);
    assert_string_equal(arena.data + toks[i].norm_off, expected);
  }
  avis_buf_release(&arena);
  free(toks);
  free(text);
}

/* A full cache keeps the forms of the most recent documents and drops
 * the others: the words every document uses are not worked out again, and
 * every token still reads right, whether its entry was kept (and moved)
 * or made again. */
static void eviction_keeps_recent_forms(void **state) {
  fixture *f = *state;
  static const char common[] = "Le gouvernement est très bon";
  char text[96];
  /* Four new forms a document: enough documents to fill the cache once. */
  size_t docs = AVIS_WORD_CACHE_MAX / 4 + 100;
  for (size_t d = 0; d < docs; d++) {
    snprintf(text, sizeof text, "%s N%zua N%zub N%zuc N%zud", common, d, d,
             d, d);
    document doc;
    resolve(f, text, &doc);
    if (d % 4096 == 0 || d + 1 == docs)
      check_strings(f, text, &doc);
    release(&doc);
  }
  size_t size = avis_word_cache_size(f->cache);
  assert_true(size < AVIS_WORD_CACHE_MAX / 2 + 1000);
  /* The common words and the forms of a document read shortly before the
   * cache filled up were kept; the first document's forms were not. */
  document doc;
  snprintf(text, sizeof text, "%s N%zua", common, docs - 150);
  resolve(f, text, &doc);
  assert_int_equal(avis_word_cache_size(f->cache), size);
  check_strings(f, text, &doc);
  release(&doc);
  snprintf(text, sizeof text, "%s N0a", common);
  resolve(f, text, &doc);
  assert_int_equal(avis_word_cache_size(f->cache), size + 1);
  check_strings(f, text, &doc);
  assert_non_null(avis_word_entry(&f->lex, doc.words[1].lex_form));
  assert_non_null(avis_word_modifier(&f->mods, doc.words[3].mod));
  assert_non_null(avis_word_entry(&f->lex, doc.words[4].lex_form));
  release(&doc);
}

/* Long tokens move the cache's strings, within a document, to the room
 * it keeps for them, and one longer than all that room makes them move on
 * again: every token still reads right, and those met before are found
 * rather than made again. */
static void long_tokens(void **state) {
  fixture *f = *state;
  enum { LONG = 300000, NLONG = 6 };
  size_t huge = (size_t)12 << 20;
  char *text = malloc(NLONG * (LONG + 1) + huge + 1);
  assert_non_null(text);
  avis_tok toks[NLONG + 1];
  memset(toks, 0, sizeof toks);
  size_t len = 0;
  for (size_t i = 0; i <= NLONG; i++) {
    size_t n = i < NLONG ? LONG : huge;
    toks[i].start = (uint32_t)len;
    toks[i].len = (uint32_t)n;
    toks[i].kind = AVIS_TOKEN_WORD;
    text[len] = 'A';
    for (size_t j = 1; j < n; j++)
      text[len + j] = (char)('a' + (j * 7 + i) % 26);
    len += n;
    text[len++] = ' ';
  }
  /* The first half alone, then all the long tokens, then the longest
   * one, then the long ones again. */
  static const size_t first[] = {0, 0, NLONG, 0};
  static const size_t count[] = {NLONG / 2, NLONG, 1, NLONG};
  static const size_t size_after[] = {NLONG / 2, NLONG, NLONG + 1, NLONG + 1};
  for (int d = 0; d < 4; d++) {
    document doc = {0};
    doc.toks.data = &toks[first[d]];
    doc.toks.len = count[d];
    assert_int_equal(avis_word_cache_resolve(f->cache, text, &toks[first[d]],
                                             count[d], &doc.arena, &doc.words),
                     0);
    assert_int_equal(avis_word_cache_size(f->cache), size_after[d]);
    check_strings(f, text, &doc);
    avis_buf_release(&doc.arena);
  }
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(strings_match_the_stages, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(lookups_match_the_model, setup, teardown),
      cmocka_unit_test_setup_teardown(strings_copied_once_per_document, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(roles_of_the_same_bytes, setup, teardown),
      cmocka_unit_test_setup_teardown(short_keys, setup, teardown),
      cmocka_unit_test_setup_teardown(growth_keeps_forms, setup, teardown),
      cmocka_unit_test_setup_teardown(bounded, setup, teardown),
      cmocka_unit_test_setup_teardown(eviction_keeps_recent_forms, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(long_tokens, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
