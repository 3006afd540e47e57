/* The term pipeline: which tokens become terms, and the corpus. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "avis_train.h"
#include "model.h"
#include "terms.h"

static void read_terms(void **state) {
  (void)state;
  avis_strmap stop = {0};
  assert_int_equal(avis_strmap_put(&stop, "les", 3, 1), 0);
  avis_term_reader r;
  assert_int_equal(avis_term_reader_init(&r, &stop), 0);
  const char *text = "Les joueurs l'emportent 3 à 1. Voir https://exemple.fr #Football";
  assert_int_equal(avis_term_reader_read(&r, text, strlen(text)), 0);
  const avis_term *t = r.terms.data;
  const char *expect[] = {"joueur", "emportent", "voir", "footbal"};
  assert_int_equal(r.terms.len, 4);
  for (size_t i = 0; i < 4; i++) {
    const char *s = r.strings.data + t[i].off;
    /* Stems: compare prefixes the Snowball stemmer keeps. */
    assert_memory_equal(s, expect[i], 4);
  }
  assert_int_equal(t[0].sentence, 0);
  assert_int_equal(t[2].sentence, 1);
  avis_term_reader_release(&r);
  avis_strmap_release(&stop);
}

static avis_model *model(void) {
  avis_model_options *o;
  avis_model *m = NULL;
  assert_int_equal(avis_model_options_new(&o), 0);
  avis_model_options_set_data_dir(o, AVIS_TEST_DATA_DIR);
  avis_model_options_use_topics(o, 0);
  assert_int_equal(avis_model_load(&m, o), 0);
  avis_model_options_free(o);
  return m;
}

static void corpus_counts(void **state) {
  (void)state;
  avis_model *m = model();
  avis_corpus *c;
  assert_int_equal(avis_corpus_new(&c, m), 0);
  const char *sport[] = {"sport"};
  const char *a = "Le match de football. Le football triomphe.";
  const char *b = "Une recette de cuisine.";
  assert_int_equal(avis_corpus_add(c, a, strlen(a), sport, 1), 0);
  assert_int_equal(avis_corpus_add(c, b, strlen(b), NULL, 0), 0);
  assert_int_equal(avis_corpus_add(c, "   ", 3, NULL, 0), AVIS_ERR_EMPTY);
  assert_int_equal(avis_corpus_size(c), 2);
  assert_int_equal(avis_corpus_doc_label_mask(c, 0), 1);
  assert_int_equal(avis_corpus_doc_label_mask(c, 1), 0);
  size_t n;
  const uint32_t *seq = avis_corpus_doc(c, 0, &n);
  /* match footbal | footbal triomph: one break between the sentences */
  assert_int_equal(n, 5);
  assert_int_equal(seq[2], AVIS_TERM_BREAK);
  assert_int_equal(seq[1], seq[3]);
  uint32_t ident[16];
  for (uint32_t i = 0; i < 16; i++)
    ident[i] = i < c->terms.count ? i : AVIS_TERM_BREAK;
  size_t docs[] = {0, 1};
  avis_csr x;
  assert_int_equal(avis_corpus_count(c, docs, 2, ident, &x), 0);
  assert_int_equal(x.row[1] - x.row[0], 3); /* match, footbal x2, triomph */
  float total = 0;
  for (size_t j = x.row[0]; j < x.row[1]; j++)
    total += x.counts[j];
  assert_true(total == 4.0f);
  assert_int_equal(((uint32_t *)c->df.data)[seq[1]], 1);
  avis_csr_release(&x);
  avis_corpus_free(c);
  avis_model_free(m);
}

/* The terms of `text` as the reader finds them, as "a b | c" (| between
 * sentences). */
static void reader_terms(avis_term_reader *r, const char *text, char *out) {
  assert_int_equal(avis_term_reader_read(r, text, strlen(text)), 0);
  const avis_term *t = r->terms.data;
  out[0] = '\0';
  for (size_t i = 0; i < r->terms.len; i++) {
    if (i)
      strcat(out, t[i].sentence != t[i - 1].sentence ? " | " : " ");
    strncat(out, r->strings.data + t[i].off, t[i].len);
  }
}

/* The same from the numberer's numbers. */
static void numbered_terms(avis_term_numberer *n, const char *text, char *out) {
  avis_vec seq = {0};
  assert_int_equal(avis_term_numberer_read(n, text, strlen(text), &seq), 0);
  const uint32_t *x = seq.data;
  out[0] = '\0';
  for (size_t i = 0; i < seq.len; i++) {
    if (x[i] == AVIS_TERM_BREAK) {
      strcat(out, " |");
      continue;
    }
    size_t len;
    const char *s = avis_strmap_key(&n->numbers, x[i], &len);
    if (i)
      strcat(out, " ");
    strncat(out, s, len);
  }
  avis_vec_release(&seq);
}

/* A numberer remembers each token's term: read twice, with the tokens
 * already known the second time, and in both modes, its numbers spell the
 * terms the reader finds. The texts hold stop words in several cases,
 * elisions, hashtags, a word that is only a stop word in lower case
 * ("Les"), numbers, an URL, one-letter words and sentences without
 * terms. */
static void numbers_match_terms(void **state) {
  (void)state;
  avis_model *m = model();
  static const char *const texts[] = {
      "Les joueurs l'emportent 3 à 1. Voir https://exemple.fr #Football",
      ("LES JOUEURS ont gagné. Ah ! Oui. Le joueur, les joueurs : #football "
       "et #Football, d'accord ; y a-t-il 2 buts ?"),
      "Une recette : beurre, farine, sucre. Le beurre fond. BEURRE fondu.",
  };
  for (int forms = 0; forms < 2; forms++) {
    avis_term_reader r;
    avis_term_numberer n;
    assert_int_equal(avis_term_reader_init(&r, &m->stopwords), 0);
    assert_int_equal(avis_term_numberer_init(&n, &m->stopwords), 0);
    r.forms = n.reader.forms = forms;
    for (int round = 0; round < 2; round++)
      for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        char want[1024], got[1024];
        reader_terms(&r, texts[i], want);
        numbered_terms(&n, texts[i], got);
        assert_string_equal(got, want);
        assert_true(strlen(want) > 0);
      }
    avis_term_numberer_release(&n);
    avis_term_reader_release(&r);
  }
  avis_model_free(m);
}

/* Switching a numberer to forms after it has read stems forgets the
 * tokens it remembered. */
static void numberer_follows_mode(void **state) {
  (void)state;
  avis_model *m = model();
  avis_term_numberer n;
  assert_int_equal(avis_term_numberer_init(&n, &m->stopwords), 0);
  char stems[256], forms[256];
  numbered_terms(&n, "Les joueurs jouent.", stems);
  n.reader.forms = 1;
  numbered_terms(&n, "Les joueurs jouent.", forms);
  assert_string_equal(forms, "joueurs jouent");
  assert_string_not_equal(stems, forms);
  avis_term_numberer_release(&n);
  avis_model_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(read_terms),
      cmocka_unit_test(corpus_counts),
      cmocka_unit_test(numbers_match_terms),
      cmocka_unit_test(numberer_follows_mode),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
