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
#include <unistd.h>

#include "avis_train.h"
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

/* ---- Scoring against a plain reimplementation -------------------------- */

/* A hand-made topic scorer: 6 terms, 3 labels, log(1 + tf) features of
 * unit length, passages of 3 terms. */
#define T_TERMS 6
#define T_LABELS 3
static const float t_weights[T_TERMS * T_LABELS] = {
    -0.5f, -1.5f, -2.0f, -1.0f, -0.2f, -2.5f, -2.0f, -1.0f, -0.1f,
    -0.7f, -0.8f, -0.9f, -3.0f, -0.4f, -1.1f, -1.2f, -2.2f, -0.3f};
static const float t_bias[T_LABELS] = {-1.0f, -1.1f, -1.2f};
static const float t_threshold[T_LABELS] = {0.5f, 0.5f, 0.5f};

static avis_nb_scorer test_scorer(void) {
  avis_nb_scorer s = {0};
  s.nlabels = T_LABELS;
  s.nterms = T_TERMS;
  s.flags = AVIS_NB_LOG_TF | AVIS_NB_L2;
  s.passage_terms = 3;
  s.multi_label = 1;
  s.weights = t_weights;
  s.bias = t_bias;
  s.threshold = t_threshold;
  s.scale = 0.7;
  s.doc_weight = 0.25;
  s.passage_win = 0.4;
  s.tag_floor = 0.02;
  return s;
}

/* The most labels of the test scorers: rows of 4 (padded), 8 and 20
 * weights, the last wider than those with loops of their own in nb.c. */
#define W_LABELS_MAX 18

/* The posterior of seq[0..n) from a bag counted by a linear search, in
 * order of first occurrence. */
static void plain_posterior(const avis_nb_scorer *s, const uint32_t *seq,
                            size_t n, double *post) {
  uint32_t ids[T_TERMS];
  float vals[T_TERMS];
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (seq[i] == AVIS_TERM_BREAK)
      continue;
    size_t j = 0;
    while (j < m && ids[j] != seq[i])
      j++;
    if (j == m) {
      ids[m] = seq[i];
      vals[m++] = 0;
    }
    vals[j] += 1;
  }
  double scores[W_LABELS_MAX];
  avis_nb_transform(vals, m, s->flags);
  avis_nb_score_row(s, ids, vals, m, scores);
  avis_nb_softmax(scores, s->nlabels, s->scale, post);
}

/* The shares avis_nb_predict() documents: the whole document's posterior
 * weighted doc_weight, each passage's weighted by its share of the terms. */
static void plain_shares(const avis_nb_scorer *s, const uint32_t *seq,
                         size_t n, double *shares) {
  double post[T_LABELS];
  size_t nterms = 0, start = 0, count = 0;
  for (size_t i = 0; i < n; i++)
    nterms += seq[i] != AVIS_TERM_BREAK;
  plain_posterior(s, seq, n, post);
  for (size_t c = 0; c < T_LABELS; c++)
    shares[c] = s->doc_weight * post[c];
  for (size_t i = 0; i <= n; i++) {
    if (i < n && seq[i] != AVIS_TERM_BREAK) {
      count++;
      continue;
    }
    if (count && (count >= s->passage_terms || i == n)) {
      plain_posterior(s, seq + start, i - start, post);
      for (size_t c = 0; c < T_LABELS; c++)
        shares[c] += (1 - s->doc_weight) * (double)count / (double)nterms *
                     post[c];
      start = i + 1;
      count = 0;
    }
  }
}

/* Test documents: sentences, repeated terms, and a count beyond the
 * table of logarithms. */
static size_t test_document(int which, uint32_t *seq, size_t cap) {
  static const uint32_t a[] = {0, 1, 1, AVIS_TERM_BREAK, 2, 0, 3,
                               AVIS_TERM_BREAK, 4, AVIS_TERM_BREAK, 5, 5, 1};
  static const uint32_t b[] = {3, 4, AVIS_TERM_BREAK, 4, 4, 2};
  size_t n = 0;
  if (which == 0) {
    memcpy(seq, a, sizeof a);
    return sizeof a / sizeof *a;
  }
  if (which == 1) {
    memcpy(seq, b, sizeof b);
    return sizeof b / sizeof *b;
  }
  for (size_t i = 0; n + 2 < cap && i < AVIS_NB_LOG_TABLE + 40; i++) {
    seq[n++] = i % 7 == 0 ? 5 : 2;
    if (i % 50 == 49)
      seq[n++] = AVIS_TERM_BREAK;
  }
  return n;
}

static void scoring_matches_plain_bags(void **state) {
  (void)state;
  avis_nb_scorer s = test_scorer();
  avis_nb_work reused = {0};
  uint32_t seq[512];
  /* The same work across documents must keep nothing of the last one. */
  static const int order[] = {0, 1, 2, 0, 2, 1};
  for (size_t d = 0; d < sizeof order / sizeof *order; d++) {
    size_t n = test_document(order[d], seq, 512);
    double shares[T_LABELS], fresh_shares[T_LABELS], want[T_LABELS];
    int tagged[T_LABELS], fresh_tagged[T_LABELS];
    avis_nb_work fresh = {0};
    assert_int_equal(avis_nb_predict(&s, seq, n, &reused, shares, tagged), 0);
    assert_int_equal(
        avis_nb_predict(&s, seq, n, &fresh, fresh_shares, fresh_tagged), 0);
    plain_shares(&s, seq, n, want);
    for (size_t c = 0; c < T_LABELS; c++) {
      assert_true(shares[c] == want[c]);
      assert_true(fresh_shares[c] == want[c]);
      assert_int_equal(tagged[c], fresh_tagged[c]);
    }
    /* Without tags, every peak. */
    assert_int_equal(avis_nb_predict(&s, seq, n, &reused, shares, NULL), 0);
    assert_int_equal(avis_nb_predict(&s, seq, n, &fresh, fresh_shares, NULL),
                     0);
    for (size_t c = 0; c < T_LABELS; c++) {
      assert_true(shares[c] == want[c]);
      assert_true(reused.peak[c] == fresh.peak[c]);
      assert_true(reused.peak[c] > 0 && reused.peak[c] < 1);
    }
    avis_nb_work_release(&fresh);
  }
  avis_nb_work_release(&reused);
}

/* Tagging works out only the peaks its tags need (nb.h): its tags are
 * those the rule gives with every peak, whether the thresholds and the
 * floor leave no label, some or all to the peaks, and whether passage_win
 * is reached in the first window, later or never. */
static void tags_need_only_some_peaks(void **state) {
  (void)state;
  static const float thresholds[][T_LABELS] = {
      {0.5f, 0.5f, 0.5f}, {0.2f, 0.9f, 0.35f}, {0.9f, 0.9f, 0.9f}, {0, 0, 0}};
  static const double floors[] = {0.0, 0.02, 0.3, 1.0};
  static const double wins[] = {0.0, 0.3, 0.4, 0.45, 0.6, 1.0};
  avis_nb_scorer s = test_scorer();
  avis_nb_work every = {0}, some = {0};
  uint32_t seq[512];
  size_t by_peak = 0, short_of_peak = 0;
  for (int which = 0; which < 3; which++) {
    size_t n = test_document(which, seq, 512);
    for (size_t t = 0; t < sizeof thresholds / sizeof *thresholds; t++)
      for (size_t f = 0; f < sizeof floors / sizeof *floors; f++)
        for (size_t p = 0; p < sizeof wins / sizeof *wins; p++) {
          s.threshold = thresholds[t];
          s.tag_floor = floors[f];
          s.passage_win = wins[p];
          double want_shares[T_LABELS], shares[T_LABELS];
          int tagged[T_LABELS];
          assert_int_equal(
              avis_nb_predict(&s, seq, n, &every, want_shares, NULL), 0);
          assert_int_equal(avis_nb_predict(&s, seq, n, &some, shares, tagged),
                           0);
          size_t best = 0;
          for (size_t c = 1; c < T_LABELS; c++)
            if (want_shares[c] > want_shares[best])
              best = c;
          for (size_t c = 0; c < T_LABELS; c++) {
            assert_true(shares[c] == want_shares[c]);
            int by_share = c == best || shares[c] >= s.threshold[c];
            int peak_rule = every.peak[c] >= s.passage_win &&
                            shares[c] >= s.tag_floor;
            assert_int_equal(tagged[c], by_share || peak_rule);
            by_peak += !by_share && peak_rule;
            short_of_peak += !by_share && shares[c] >= s.tag_floor &&
                             !peak_rule;
          }
        }
  }
  /* The peaks decided some tags each way. */
  assert_true(by_peak > 0);
  assert_true(short_of_peak > 0);
  avis_nb_work_release(&every);
  avis_nb_work_release(&some);
}

/* Each label's highest posterior over the windows nb.h describes, each
 * window's bag counted afresh. */
static void plain_peaks(const avis_nb_scorer *s, const uint32_t *seq,
                        size_t n, double *peak) {
  double post[W_LABELS_MAX];
  for (size_t c = 0; c < s->nlabels; c++)
    peak[c] = 0;
  size_t start = 0;
  while (start < n) {
    size_t end = start, count = 0;
    while (end < n &&
           !(seq[end] == AVIS_TERM_BREAK && count >= s->passage_terms))
      count += seq[end++] != AVIS_TERM_BREAK;
    if (count >= s->passage_terms || start == 0) {
      plain_posterior(s, seq + start, end - start, post);
      for (size_t c = 0; c < s->nlabels; c++)
        if (post[c] > peak[c])
          peak[c] = post[c];
    }
    if (end == n)
      break;
    while (start < n && seq[start] != AVIS_TERM_BREAK)
      start++;
    start++;
  }
}

/* The peaks of the sliding windows are those of windows counted afresh,
 * whatever the number of labels, up to rounding: the windows' sums are
 * kept running, and their features are not rounded to floats. */
static void peaks_match_plain_windows(void **state) {
  (void)state;
  static const uint32_t label_counts[] = {3, 7, W_LABELS_MAX};
  float weights[T_TERMS * W_LABELS_MAX], bias[W_LABELS_MAX];
  float threshold[W_LABELS_MAX];
  uint32_t seq[512];
  for (size_t l = 0; l < sizeof label_counts / sizeof *label_counts; l++) {
    avis_nb_scorer s = test_scorer();
    uint32_t k = label_counts[l];
    for (uint32_t t = 0; t < T_TERMS; t++)
      for (uint32_t c = 0; c < k; c++)
        weights[t * k + c] = -0.1f - (float)((t * 7 + c * 3) % 11) * 0.23f;
    for (uint32_t c = 0; c < k; c++) {
      bias[c] = -1.0f - 0.05f * (float)c;
      threshold[c] = 0.5f;
    }
    s.nlabels = k;
    s.weights = weights;
    s.bias = bias;
    s.threshold = threshold;
    avis_nb_work w = {0};
    for (int which = 0; which < 3; which++) {
      size_t n = test_document(which, seq, 512);
      double shares[W_LABELS_MAX], want[W_LABELS_MAX];
      assert_int_equal(avis_nb_predict(&s, seq, n, &w, shares, NULL), 0);
      plain_peaks(&s, seq, n, want);
      for (size_t c = 0; c < k; c++)
        assert_true(fabs(w.peak[c] - want[c]) < 1e-6);
    }
    avis_nb_work_release(&w);
  }
}

/* Evidence: log(1 + count) × (weight for the label - mean weight), the
 * strongest first, each with the first place its term occurs; lists of
 * every length up to more than a document's positive pushes, and none. */
#define EVIDENCE_MAX 4

static void evidence_matches_plain_bags(void **state) {
  (void)state;
  avis_nb_scorer s = test_scorer();
  avis_nb_work w = {0};
  uint32_t seq[512];
  for (int which = 0; which < 3; which++) {
    size_t n = test_document(which, seq, 512);
    double shares[T_LABELS];
    assert_int_equal(avis_nb_predict(&s, seq, n, &w, shares, NULL), 0);
    for (uint32_t c = 0; c < T_LABELS; c++)
      for (size_t max = 0; max <= EVIDENCE_MAX; max++) {
        uint32_t ids[EVIDENCE_MAX], first[EVIDENCE_MAX];
        double weight[EVIDENCE_MAX];
        size_t found = avis_nb_evidence(&s, c, &w, ids, weight, first, max);
        /* Every term with a positive push, by a quadratic scan, the
         * strongest kept in order, ties first come first. */
        double best[EVIDENCE_MAX];
        uint32_t best_id[EVIDENCE_MAX];
        size_t want = 0;
        for (size_t i = 0; i < n; i++) {
          if (seq[i] == AVIS_TERM_BREAK)
            continue;
          size_t seen = 0, count = 0;
          for (size_t j = 0; j < n; j++) {
            seen += j < i && seq[j] == seq[i];
            count += seq[j] == seq[i];
          }
          const float *row = t_weights + seq[i] * T_LABELS;
          double mean = ((double)row[0] + row[1] + row[2]) / T_LABELS;
          double push = (float)log1p((double)count) * (row[c] - mean);
          if (seen || push <= 0)
            continue;
          size_t kept = want < max ? want : max, pos = kept;
          while (pos > 0 && best[pos - 1] < push)
            pos--;
          if (pos < max) {
            for (size_t e = kept < max ? kept : max - 1; e > pos; e--)
              best[e] = best[e - 1], best_id[e] = best_id[e - 1];
            best[pos] = push, best_id[pos] = seq[i];
          }
          want++;
        }
        assert_int_equal(found, want < max ? want : max);
        for (size_t e = 0; e < found; e++) {
          assert_int_equal(ids[e], best_id[e]);
          assert_true(fabs(weight[e] - best[e]) < 1e-12);
          assert_int_equal(seq[first[e]], ids[e]);
          for (size_t j = 0; j < first[e]; j++)
            assert_true(seq[j] != ids[e]);
        }
      }
  }
  avis_nb_work_release(&w);
}

/* ---- Thread counts ------------------------------------------------------- */

/* Document d of a corpus written for the test below: three sentences of
 * its topic's words in an order of its own, and a word spelt from d, so
 * that each thread's run meets terms the other runs have not. */
static void generated_text(size_t d, char *out, size_t cap) {
  static const char *const words[3][8] = {
      {"match", "club", "joueur", "entraîneur", "championnat", "victoire",
       "équipe", "stade"},
      {"recette", "beurre", "farine", "sucre", "chef", "sauce", "gâteau",
       "cuisson"},
      {"météo", "pluie", "orage", "vent", "neige", "nuage", "tempête",
       "prévision"}};
  uint64_t x = 0x9E3779B97F4A7C15ULL * (d + 1);
  size_t n = (size_t)snprintf(out, cap, "Le mot zk%c%c revient.",
                              'a' + (int)(d % 26), 'a' + (int)(d / 26 % 26));
  for (int s = 0; s < 3; s++) {
    for (int w = 0; w < 6 && n < cap; w++) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      n += (size_t)snprintf(out + n, cap - n, " %s%s",
                            words[d % 3][x >> 61], w == 5 ? "." : "");
    }
  }
}

/* Labels: sport and food documents, but every fifth, are labelled; the
 * weather ones never are (their topic comes from seed words and EM). */
static const char *generated_label(size_t d) {
  static const char *const labels[] = {"sport", "food"};
  return d % 3 == 2 || d % 5 == 0 ? NULL : labels[d % 3];
}

#define GENERATED_DOCS 150

/* The corpus, read one document at a time (threads 0) or in batches of
 * `batch` documents on `threads` threads. */
static avis_corpus *generated_corpus(avis_model *m, unsigned threads,
                                     size_t batch) {
  static char text[GENERATED_DOCS][512];
  static const char *label[GENERATED_DOCS];
  avis_corpus_text docs[GENERATED_DOCS];
  int status[GENERATED_DOCS];
  avis_corpus *c;
  assert_int_equal(avis_corpus_new(&c, m), 0);
  for (size_t d = 0; d < GENERATED_DOCS; d++) {
    generated_text(d, text[d], sizeof text[d]);
    label[d] = generated_label(d);
    docs[d] = (avis_corpus_text){text[d], strlen(text[d]), &label[d],
                                 label[d] != NULL, 1.0};
    if (!threads)
      assert_int_equal(avis_corpus_add(c, text[d], strlen(text[d]), &label[d],
                                       label[d] != NULL),
                       0);
  }
  if (threads)
    assert_int_equal(avis_corpus_set_threads(c, threads), 0);
  for (size_t d = 0; threads && d < GENERATED_DOCS; d += batch) {
    size_t n = GENERATED_DOCS - d < batch ? GENERATED_DOCS - d : batch;
    assert_int_equal(avis_corpus_add_batch(c, docs + d, n, status), 0);
    for (size_t i = 0; i < n; i++)
      assert_int_equal(status[i], 0);
  }
  return c;
}

/* The bytes of the model trained on `c` with `threads` threads, as saved. */
static char *trained_bytes(avis_corpus *c, unsigned threads, size_t *len) {
  char path[64];
  snprintf(path, sizeof path, "/tmp/avis-test-nb-threads-%ld.avm",
           (long)getpid());
  avis_classifier *cl = train_threads(c, threads);
  assert_int_equal(avis_classifier_save(cl, path), 0);
  avis_classifier_free(cl);
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  char *bytes = malloc(1 << 20);
  assert_non_null(bytes);
  *len = fread(bytes, 1, 1 << 20, f);
  fclose(f);
  remove(path);
  assert_true(*len > 0 && *len < 1 << 20);
  return bytes;
}

/* The model file is the same, byte for byte, whether the corpus was read
 * one document at a time or in batches of any size on any number of
 * threads, and whatever the number of training threads: seed words, EM
 * over unlabelled documents, cross-validation and calibration included. */
static void thread_count_keeps_model_bytes(void **state) {
  (void)state;
  static const struct {
    unsigned read_threads;
    size_t batch;
    unsigned train_threads;
  } runs[] = {{2, 7, 2}, {3, 64, 3}, {5, GENERATED_DOCS, 8}, {1, 1, 4}};
  avis_model *m = model();
  avis_corpus *ref = generated_corpus(m, 0, 0);
  size_t ref_len;
  char *ref_bytes = trained_bytes(ref, 1, &ref_len);
  for (size_t r = 0; r < sizeof runs / sizeof *runs; r++) {
    avis_corpus *c = generated_corpus(m, runs[r].read_threads, runs[r].batch);
    size_t len;
    char *bytes = trained_bytes(c, runs[r].train_threads, &len);
    assert_int_equal(len, ref_len);
    assert_memory_equal(bytes, ref_bytes, len);
    free(bytes);
    avis_corpus_free(c);
  }
  free(ref_bytes);
  avis_corpus_free(ref);
  avis_model_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(softmax_is_stable),
      cmocka_unit_test(scoring_matches_plain_bags),
      cmocka_unit_test(tags_need_only_some_peaks),
      cmocka_unit_test(peaks_match_plain_windows),
      cmocka_unit_test(evidence_matches_plain_bags),
      cmocka_unit_test(trains_and_tags),
      cmocka_unit_test(training_is_deterministic),
      cmocka_unit_test(threads_change_nothing),
      cmocka_unit_test(batch_reports_rejected_texts),
      cmocka_unit_test(mixed_document_has_both_tags),
      cmocka_unit_test(analysis_reports_topics),
      cmocka_unit_test(thread_count_keeps_model_bytes),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  remove(seeds_file());
  return rc;
}
