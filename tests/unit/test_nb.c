/* Naive Bayes: numerics, training on a small corpus with a topic known
 * only from seed words, determinism, shares and evidence. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avis.h"
#include "nb.h"

static const char *const sport_docs[] = {
    "Le club a gagné le match de football grâce à un but de son attaquant.",
    "Les joueurs et leur entraîneur préparent la finale du championnat.",
    "Le match de rugby s'est terminé par une victoire du club local.",
    "L'équipe de football a perdu le match malgré deux buts de son joueur.",
    "Le championnat reprend : le club recrute un joueur et un entraîneur.",
    "Victoire de l'équipe en finale, le but du joueur a fait la différence.",
};
static const char *const food_docs[] = {
    "La recette de la tarte demande du beurre, de la farine et du sucre.",
    "Le chef prépare une sauce au beurre pour accompagner le poisson.",
    "Cette recette de gâteau au chocolat se cuisine en trente minutes.",
    "Le cuisinier ajoute du sucre et de la farine à la pâte de la tarte.",
    "Pour la sauce, le chef fait fondre le beurre puis ajoute le poisson.",
    "Un gâteau simple : farine, sucre, beurre et chocolat, puis la cuisson.",
};
static const char *const weather_docs[] = {
    "La météo annonce de la pluie et un orage pour demain matin.",
    "Les prévisions météo parlent de neige, de vent et de pluie.",
    "Un orage violent et de fortes pluies sont attendus selon la météo.",
    "Après la pluie, la météo prévoit du vent et un ciel couvert.",
};

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

static void add_all(avis_corpus *c, const char *const *docs, size_t n,
                    const char *label) {
  for (size_t i = 0; i < n; i++)
    assert_int_equal(avis_corpus_add(c, docs[i], strlen(docs[i]), &label,
                                     label ? 1 : 0),
                     0);
}

static const char *seeds_file(void) {
  static char path[] = "/tmp/avis-test-seeds-XXXXXX";
  static int made;
  if (!made) {
    FILE *f = fdopen(mkstemp(path), "w");
    fputs("[sport] Sport\nmatch club joueur\n[food] Cuisine\nrecette beurre\n"
          "[weather] Météo\nmétéo pluie orage vent neige\n", f);
    fclose(f);
    made = 1;
  }
  return path;
}

static avis_classifier *train_threads(avis_corpus *c, unsigned threads) {
  avis_train_options *o;
  avis_classifier *cl = NULL;
  assert_int_equal(avis_train_options_new(&o, AVIS_CLASSIFIER_TOPICS), 0);
  assert_int_equal(avis_train_options_set_topics(o, seeds_file()), 0);
  avis_train_options_set_min_df(o, 1, 0);
  assert_int_equal(avis_train_options_set_threads(o, threads), 0);
  assert_int_equal(avis_classifier_train(&cl, c, o), 0);
  avis_train_options_free(o);
  return cl;
}

static avis_classifier *train(avis_corpus *c) { return train_threads(c, 1); }

static avis_corpus *corpus(avis_model *m) {
  avis_corpus *c;
  assert_int_equal(avis_corpus_new(&c, m), 0);
  add_all(c, sport_docs, 6, "sport");
  add_all(c, food_docs, 6, "food");
  add_all(c, weather_docs, 4, NULL);
  return c;
}

/* The same documents as corpus(), read in one batch on `threads` threads. */
static avis_corpus *batch_corpus(avis_model *m, unsigned threads) {
  static const char *const sport = "sport", *const food = "food";
  avis_corpus_text docs[16];
  int status[16];
  for (size_t i = 0; i < 16; i++) {
    const char *text = i < 6 ? sport_docs[i] : i < 12 ? food_docs[i - 6]
                                                       : weather_docs[i - 12];
    docs[i] = (avis_corpus_text){text, strlen(text), i < 6 ? &sport : &food,
                                 i < 12, 1.0};
  }
  avis_corpus *c;
  assert_int_equal(avis_corpus_new(&c, m), 0);
  assert_int_equal(avis_corpus_set_threads(c, threads), 0);
  assert_int_equal(avis_corpus_add_batch(c, docs, 16, status), 0);
  for (size_t i = 0; i < 16; i++)
    assert_int_equal(status[i], 0);
  return c;
}

static char *dump(const avis_classifier *cl) {
  char *text;
  assert_int_equal(avis_classifier_dump(cl, AVIS_DUMP_WEIGHTS, &text, NULL), 0);
  return text;
}

static size_t best(const double *shares, size_t k) {
  size_t b = 0;
  for (size_t i = 1; i < k; i++)
    if (shares[i] > shares[b])
      b = i;
  return b;
}

static void softmax_is_stable(void **state) {
  (void)state;
  double scores[3] = {1000, 999, -1000}, post[3];
  avis_nb_softmax(scores, 3, 1, post);
  assert_true(isfinite(post[0]) && post[0] > 0.7 && post[2] < 1e-12);
  assert_true(fabs(post[0] + post[1] + post[2] - 1) < 1e-12);
}

static void trains_and_tags(void **state) {
  (void)state;
  avis_model *m = model();
  avis_corpus *c = corpus(m);
  avis_classifier *cl = train(c);
  assert_int_equal(avis_classifier_label_count(cl), 3);
  const char *id;
  avis_classifier_label(cl, 2, &id, NULL, NULL);
  assert_string_equal(id, "weather");
  double shares[3];
  int tagged[3];
  for (size_t d = 0; d < avis_corpus_size(c); d++) {
    assert_int_equal(avis_classifier_predict(cl, c, d, shares, tagged), 0);
    assert_true(fabs(shares[0] + shares[1] + shares[2] - 1) < 1e-9);
    assert_int_equal(best(shares, 3), d < 6 ? 0 : d < 12 ? 1 : 2);
    assert_true(tagged[best(shares, 3)]);
  }
  avis_classifier_free(cl);
  avis_corpus_free(c);
  avis_model_free(m);
}

static void training_is_deterministic(void **state) {
  (void)state;
  avis_model *m = model();
  avis_corpus *c = corpus(m);
  avis_classifier *a = train(c), *b = train(c);
  char *da, *db;
  assert_int_equal(avis_classifier_dump(a, AVIS_DUMP_WEIGHTS, &da, NULL), 0);
  assert_int_equal(avis_classifier_dump(b, AVIS_DUMP_WEIGHTS, &db, NULL), 0);
  assert_string_equal(da, db);
  avis_free(da);
  avis_free(db);
  avis_classifier_free(a);
  avis_classifier_free(b);
  avis_corpus_free(c);
  avis_model_free(m);
}

/* Reading in batches on several threads and training on several threads
 * change nothing in the model. */
static void threads_change_nothing(void **state) {
  (void)state;
  avis_model *m = model();
  avis_corpus *one = corpus(m), *many = batch_corpus(m, 3);
  assert_int_equal(avis_corpus_size(many), 16);
  avis_classifier *a = train_threads(one, 1), *b = train_threads(many, 4);
  char *da = dump(a), *db = dump(b);
  assert_string_equal(da, db);
  avis_free(da);
  avis_free(db);
  avis_classifier_free(a);
  avis_classifier_free(b);
  avis_corpus_free(one);
  avis_corpus_free(many);
  avis_model_free(m);
}

/* A batch says which texts it could not add, and adds the others. */
static void batch_reports_rejected_texts(void **state) {
  (void)state;
  static const char *const label = "sport";
  avis_model *m = model();
  avis_corpus *c;
  const char binary[] = "ab\0\0\0cd\0\0";
  avis_corpus_text docs[4] = {
      {sport_docs[0], strlen(sport_docs[0]), &label, 1, 1.0},
      {"", 0, NULL, 0, 1.0},
      {binary, sizeof binary - 1, NULL, 0, 1.0},
      {sport_docs[1], strlen(sport_docs[1]), &label, 1, 0.0}};
  int status[4];
  assert_int_equal(avis_corpus_new(&c, m), 0);
  assert_int_equal(avis_corpus_set_threads(c, 2), 0);
  assert_int_equal(avis_corpus_add_batch(c, docs, 4, status), 0);
  assert_int_equal(status[0], 0);
  assert_int_equal(status[1], AVIS_ERR_EMPTY);
  assert_int_equal(status[2], AVIS_ERR_BINARY);
  assert_int_equal(status[3], AVIS_ERR_ARG);
  assert_int_equal(avis_corpus_size(c), 1);
  avis_corpus_free(c);
  avis_model_free(m);
}

/* An article half on sport and half on cooking is tagged with both, and
 * with nothing else. */
static void mixed_document_has_both_tags(void **state) {
  (void)state;
  avis_model *m = model();
  avis_corpus *c;
  assert_int_equal(avis_corpus_new(&c, m), 0);
  add_all(c, sport_docs, 6, "sport");
  add_all(c, food_docs, 6, "food");
  char mixed[4096] = "";
  for (int half = 0; half < 2; half++)
    for (int round = 0; round < 2; round++)
      for (size_t i = 0; i < 6; i++) {
        strcat(mixed, half ? food_docs[i] : sport_docs[i]);
        strcat(mixed, " ");
      }
  assert_int_equal(avis_corpus_add(c, mixed, strlen(mixed), NULL, 0), 0);
  avis_train_options *o;
  avis_classifier *cl = NULL;
  assert_int_equal(avis_train_options_new(&o, AVIS_CLASSIFIER_TOPICS), 0);
  assert_int_equal(avis_train_options_set_topics(o, seeds_file()), 0);
  avis_train_options_set_min_df(o, 1, 0);
  assert_int_equal(avis_train_options_set_em(o, 0, 0.3), 0);
  assert_int_equal(avis_classifier_train(&cl, c, o), 0);
  double shares[3];
  int tagged[3];
  assert_int_equal(avis_classifier_predict(cl, c, 12, shares, tagged), 0);
  assert_true(tagged[0] && tagged[1]);
  assert_false(tagged[2]);
  avis_train_options_free(o);
  avis_classifier_free(cl);
  avis_corpus_free(c);
  avis_model_free(m);
}

static void analysis_reports_topics(void **state) {
  (void)state;
  avis_model *m = model();
  avis_corpus *c = corpus(m);
  avis_classifier *cl = train(c);
  const char *path = "/tmp/avis-test-model.avm";
  assert_int_equal(avis_classifier_save(cl, path), 0);
  avis_model_options *o;
  avis_model *tm;
  avis_model_options_new(&o);
  avis_model_options_set_data_dir(o, AVIS_TEST_DATA_DIR);
  avis_model_options_set_topic_model(o, path);
  assert_int_equal(avis_model_load(&tm, o), 0);
  avis_analyzer *an;
  avis_result *r;
  const char *text = "Le club a gagné le match. La météo annonce un orage et "
                     "de la pluie pour la finale.";
  assert_int_equal(avis_analyzer_new(&an, tm), 0);
  assert_int_equal(avis_analyze(an, text, strlen(text), &r), 0);
  assert_int_equal(avis_result_topic_count(r), 3);
  const char *id, *word;
  double share, prev = 1;
  int tagged;
  for (size_t i = 0; i < 3; i++) {
    avis_result_topic(r, i, &id, NULL, &share, &tagged);
    assert_true(share <= prev);
    prev = share;
  }
  avis_result_topic(r, 0, &id, NULL, &share, &tagged);
  assert_true(tagged);
  assert_true(avis_result_topic_evidence_count(r, 0) > 0);
  assert_int_equal(avis_result_topic_evidence(r, 0, 0, &word, NULL), 0);
  assert_true(strlen(word) > 0);
  assert_int_equal(avis_result_sentiment_class(r, NULL, NULL), AVIS_ERR_ARG);
  avis_result_free(r);
  avis_analyzer_free(an);
  avis_model_free(tm);
  avis_model_options_free(o);
  remove(path);
  avis_classifier_free(cl);
  avis_corpus_free(c);
  avis_model_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(softmax_is_stable),
      cmocka_unit_test(trains_and_tags),
      cmocka_unit_test(training_is_deterministic),
      cmocka_unit_test(threads_change_nothing),
      cmocka_unit_test(batch_reports_rejected_texts),
      cmocka_unit_test(mixed_document_has_both_tags),
      cmocka_unit_test(analysis_reports_topics),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  remove(seeds_file());
  return rc;
}
