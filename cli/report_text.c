/* The human-readable report of one analysis. */
#include <string.h>

#include "cli.h"

#define KEY_SENTENCES 3
#define DRIVERS_SHOWN 12
#define QUOTE_BYTES 200

/* Prints text[0..len) on one line: line breaks and tabs become spaces, and
 * a long span is cut at a character boundary with an ellipsis. */
static void print_quoted(FILE *out, const char *text, size_t len) {
  size_t n = len;
  int cut = 0;
  if (n > QUOTE_BYTES) {
    n = QUOTE_BYTES;
    while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
      n--;
    cut = 1;
  }
  fputs("« ", out);
  for (size_t i = 0; i < n; i++) {
    char c = text[i];
    fputc(c == '\n' || c == '\r' || c == '\t' ? ' ' : c, out);
  }
  fputs(cut ? "… »" : " »", out);
}

static void print_rules(FILE *out, unsigned rules) {
  const char *sep = "";
  for (unsigned b = 1; b && b <= rules; b <<= 1)
    if ((rules & b) && avis_rule_name(b)) {
      fprintf(out, "%s%s", sep, avis_rule_name(b));
      sep = ", ";
    }
}

static void report_header(FILE *out, const char *name, const avis_result *r,
                          const avis_model *model) {
  fprintf(out, "%s\n", name);
  fprintf(out, "  encoding     %s\n",
          avis_encoding_name(avis_result_encoding(r)));
  fprintf(out, "  characters   %zu\n", avis_result_char_count(r));
  fprintf(out, "  words        %zu\n", avis_result_word_count(r));
  fprintf(out, "  sentences    %zu\n", avis_result_sentence_count(r));
  if (avis_result_truncated(r))
    fputs("  truncated    yes: only the first tokens were analysed "
          "(--max-tokens)\n", out);
  for (size_t i = 0; i < avis_model_lexicon_count(model); i++) {
    const char *path;
    size_t entries;
    avis_model_lexicon_info(model, i, &path, &entries, NULL, NULL, NULL);
    fprintf(out, "  %s %s (%zu entries)\n", i ? "            " : "lexicon     ",
            path, entries);
  }
}

static void report_sentiment(FILE *out, const avis_result *r) {
  avis_label label = avis_result_label(r);
  fprintf(out, "\nSentiment    %s (%s), score %+.3f, subjectivity %.2f\n",
          avis_label_name(label), avis_label_name_fr(label),
          avis_result_score(r), avis_result_subjectivity(r));
}

static void report_key_sentences(FILE *out, const avis_result *r,
                                 avis_label which, const char *title) {
  size_t idx[KEY_SENTENCES];
  size_t n = avis_result_key_sentences(r, which, idx, KEY_SENTENCES);
  if (!n)
    return;
  const char *text = avis_result_text(r, NULL);
  fprintf(out, "\n%s\n", title);
  for (size_t i = 0; i < n; i++) {
    size_t start, len;
    double score;
    avis_result_sentence(r, idx[i], &start, &len, &score);
    fprintf(out, "  %+.2f  ", score);
    print_quoted(out, text + start, len);
    fputc('\n', out);
  }
}

static void report_drivers(FILE *out, const avis_result *r) {
  size_t n = avis_result_driver_count(r);
  if (!n)
    return;
  const char *text = avis_result_text(r, NULL);
  fprintf(out, "\nWords that drove the score\n");
  for (size_t i = 0; i < n && i < DRIVERS_SHOWN; i++) {
    size_t start, len;
    const char *term;
    double contribution;
    unsigned rules;
    avis_result_driver(r, i, &start, &len, &term, NULL, &contribution, &rules,
                       NULL);
    fprintf(out, "  %+.2f  %.*s", contribution, (int)len, text + start);
    if (strlen(term) != len || strncmp(term, text + start, len) != 0)
      fprintf(out, " [%s]", term);
    if (rules) {
      fputs("  (", out);
      print_rules(out, rules);
      fputc(')', out);
    }
    fputc('\n', out);
  }
  if (n > DRIVERS_SHOWN)
    fprintf(out, "  … and %zu more\n", n - DRIVERS_SHOWN);
}

static void report_sentiment_class(FILE *out, const avis_result *r) {
  const char *label;
  double probability;
  if (avis_result_sentiment_class(r, &label, &probability) == 0)
    fprintf(out, "Classifier   %s (probability %.2f)\n", label, probability);
}

/* Tagged topics first (the list is ranked by share), then the others with a
 * visible share. */
/* printf's field widths count bytes; a column of French names needs them
 * counted in characters. */
static void print_padded(FILE *out, const char *s, int width) {
  int chars = 0;
  for (const char *p = s; *p; p++)
    chars += ((unsigned char)*p & 0xC0) != 0x80;
  fputs(s, out);
  for (; chars < width; chars++)
    fputc(' ', out);
}

static void report_topics(FILE *out, const avis_result *r) {
  size_t n = avis_result_topic_count(r);
  if (!n)
    return;
  fputs("\nTopics\n", out);
  for (size_t i = 0; i < n; i++) {
    const char *id, *name, *word;
    double share;
    int tagged;
    avis_result_topic(r, i, &id, &name, &share, &tagged);
    if (!tagged && share < 0.005)
      continue;
    fprintf(out, "  %c %5.1f%%  ", tagged ? '*' : ' ', 100 * share);
    print_padded(out, name, 26);
    fprintf(out, " %-12s", id);
    for (size_t j = 0; j < avis_result_topic_evidence_count(r, i); j++) {
      avis_result_topic_evidence(r, i, j, &word, NULL);
      fprintf(out, "%s%s", j ? ", " : " ", word);
    }
    fputc('\n', out);
  }
  fputs("  (* tagged)\n", out);
}

/* The document's main LDA topics: those of 5% or more (at least one), with
 * the model's top words of each. */
#define LDA_TOPICS_SHOWN 5
#define LDA_WORDS_SHOWN 8
static void report_lda(FILE *out, const avis_result *r, const avis_model *m) {
  const avis_lda *lda = avis_model_lda(m);
  size_t n = avis_result_lda_topic_count(r);
  if (!lda || !n)
    return;
  fputs("\nLDA topics\n", out);
  for (size_t i = 0; i < n && i < LDA_TOPICS_SHOWN; i++) {
    size_t k;
    double weight;
    avis_result_lda_topic(r, i, &k, &weight);
    if (i > 0 && weight < 0.05)
      break;
    fprintf(out, "  %5.1f%%  topic %-3zu ", 100 * weight, k);
    for (size_t j = 0; j < avis_lda_topic_word_count(lda, k) &&
                       j < LDA_WORDS_SHOWN; j++) {
      const char *word;
      avis_lda_topic_word(lda, k, j, &word, NULL);
      fprintf(out, "%s%s", j ? ", " : " ", word);
    }
    fputc('\n', out);
  }
}

static void report_emotions(FILE *out, const avis_result *r) {
  if (!avis_result_has_emotions(r))
    return;
  fputs("\nEmotions    ", out);
  for (int e = 0; e < AVIS_EMOTION_COUNT; e++)
    fprintf(out, " %s %.2f", avis_emotion_name((avis_emotion)e),
            avis_result_emotion(r, (avis_emotion)e));
  fputc('\n', out);
}

static void report_tokens(FILE *out, const avis_result *r) {
  const char *text = avis_result_text(r, NULL);
  fprintf(out, "\nTokens\n  %-5s %-4s %-9s %-24s %-24s %s\n", "#", "sent",
          "kind", "text", "norm", "stem");
  for (size_t i = 0; i < avis_result_token_count(r); i++) {
    avis_token_kind kind;
    size_t start, len, sentence;
    const char *norm, *stem;
    avis_result_token(r, i, &kind, &start, &len, &norm, &stem, &sentence);
    fprintf(out, "  %-5zu %-4zu %-9s %-24.*s %-24s %s\n", i, sentence,
            avis_token_kind_name(kind), (int)len, text + start, norm, stem);
  }
}

void report_text(FILE *out, const char *name, const avis_result *r,
                 const avis_model *model, int show_tokens) {
  report_header(out, name, r, model);
  report_sentiment(out, r);
  report_sentiment_class(out, r);
  report_key_sentences(out, r, AVIS_POSITIVE, "Most positive sentences");
  report_key_sentences(out, r, AVIS_NEGATIVE, "Most negative sentences");
  report_drivers(out, r);
  report_emotions(out, r);
  report_topics(out, r);
  report_lda(out, r, model);
  if (show_tokens)
    report_tokens(out, r);
}
