/* `analyze --format html`: self-contained HTML reports. Inline CSS and SVG,
 * no script and no network, so that a report opens anywhere, offline. The
 * charts are the dashboard example's (examples/dashboard/app.js): the same
 * geometry, and the same stylesheet (report.css). */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Chart geometry, shared with examples/dashboard/app.js. */
#define CHART_WIDTH 800
#define TIMELINE_HEIGHT 220
#define PAD_LEFT 40
#define PAD_RIGHT 14
#define PAD_TOP 12
#define PAD_BOTTOM 26
#define BAR_ROW 26
#define BAR_LABEL 220
#define TOPICS_SHOWN 10
#define DRIVERS_SHOWN 12
#define KEY_SENTENCES 3
#define HISTOGRAM_BINS 20
#define DOCUMENTS_SHOWN 10
#define ERRORS_SHOWN 200

static void put_escaped(FILE *out, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    switch (s[i]) {
    case '&': fputs("&amp;", out); break;
    case '<': fputs("&lt;", out); break;
    case '>': fputs("&gt;", out); break;
    case '"': fputs("&quot;", out); break;
    case '\'': fputs("&#39;", out); break;
    default: fputc(s[i], out);
    }
  }
}

static void put_text(FILE *out, const char *s) { put_escaped(out, s, strlen(s)); }

static const char *sign_class(double v) {
  return v > 0 ? "pos" : v < 0 ? "neg" : "neu";
}

static void page_start(FILE *out, const char *title, const char *subtitle) {
  fputs("<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"generator\" content=\"avis ", out);
  put_text(out, avis_version());
  fputs("\">\n<title>", out);
  put_text(out, title);
  fputs(" · avis</title>\n<style>\n", out);
  fwrite(avis_report_css, 1, avis_report_css_len, out);
  fputs("</style>\n</head>\n<body>\n<header class=\"top\"><h1>", out);
  put_text(out, title);
  fputs("</h1><div class=\"sub\">", out);
  put_text(out, subtitle);
  fputs("</div></header>\n<main>\n", out);
}

static void page_end(FILE *out) { fputs("</main>\n</body>\n</html>\n", out); }

/* A bar of a horizontal bar chart: `fraction` of the longest bar. */
typedef struct {
  const char *name;
  double fraction;
  char value[32];
  int muted;
} bar_row;

static void write_bars(FILE *out, const char *chart_class, const bar_row *rows,
                       size_t n) {
  const int span = CHART_WIDTH - BAR_LABEL - 70;
  fprintf(out, "<svg class=\"chart %s\" viewBox=\"0 0 %d %zu\" role=\"img\">\n",
          chart_class, CHART_WIDTH, n * BAR_ROW + 4);
  for (size_t i = 0; i < n; i++) {
    double y = (double)i * BAR_ROW + 4;
    double w = rows[i].fraction > 0 ? rows[i].fraction * span : 0;
    fprintf(out, "<text class=\"name\" x=\"0\" y=\"%.1f\">", y + 15);
    put_text(out, rows[i].name);
    fprintf(out, "</text><rect class=\"bar%s\" x=\"%d\" y=\"%.1f\" width=\"%.1f\" "
                 "height=\"%d\" rx=\"3\"><title>",
            rows[i].muted ? " untagged" : "", BAR_LABEL, y + 2, w, BAR_ROW - 8);
    put_text(out, rows[i].name);
    fprintf(out, ": %s</title></rect><text x=\"%.1f\" y=\"%.1f\">%s</text>\n",
            rows[i].value, BAR_LABEL + w + 6, y + 15, rows[i].value);
  }
  fputs("</svg>\n", out);
}

/* ---- One document ------------------------------------------------------ */

static void write_gauge(FILE *out, double score) {
  double x = 10 + (score + 1) / 2 * (CHART_WIDTH - 20) - 6;
  fprintf(out,
          "<svg class=\"gauge\" viewBox=\"0 0 %d 34\" role=\"img\" "
          "aria-label=\"score %+.3f\">\n"
          "<defs><linearGradient id=\"gauge-gradient\">"
          "<stop offset=\"0\" stop-color=\"#b42318\"/>"
          "<stop offset=\".5\" stop-color=\"#d9dee5\"/>"
          "<stop offset=\"1\" stop-color=\"#1a7f4b\"/></linearGradient></defs>\n"
          "<rect class=\"track\" x=\"10\" y=\"6\" width=\"%d\" height=\"8\" rx=\"4\"/>\n"
          "<path class=\"needle\" d=\"M%.1f 0 h12 l-6 14 z\"/>\n"
          "<text x=\"10\" y=\"30\">-1</text>"
          "<text x=\"%d\" y=\"30\" text-anchor=\"middle\">0</text>"
          "<text x=\"%d\" y=\"30\" text-anchor=\"end\">+1</text>\n</svg>\n",
          CHART_WIDTH, score, CHART_WIDTH - 20, x, CHART_WIDTH / 2,
          CHART_WIDTH - 10);
}

static void write_verdict(FILE *out, const avis_result *r) {
  avis_label label = avis_result_label(r);
  const char *sentiment_class;
  fputs("<section class=\"card sentiment\"><h2>Sentiment</h2>\n"
        "<div class=\"verdict\"><span class=\"label ", out);
  fputs(avis_label_name(label), out);
  fputs("\">", out);
  put_text(out, avis_label_name_fr(label));
  fprintf(out, "</span><span class=\"score\">%+.3f</span>"
               "<span class=\"meta\">subjectivity %.2f</span>",
          avis_result_score(r), avis_result_subjectivity(r));
  if (avis_result_sentiment_class(r, &sentiment_class, NULL) == 0) {
    fputs("<span class=\"meta\">classifier: ", out);
    put_text(out, sentiment_class);
    fputs("</span>", out);
  }
  fputs("</div>\n", out);
  write_gauge(out, avis_result_score(r));
  fputs("</section>\n", out);
}

static double timeline_x(size_t i, size_t n) {
  double span = CHART_WIDTH - PAD_LEFT - PAD_RIGHT;
  return n < 2 ? PAD_LEFT + span / 2 : PAD_LEFT + span * (double)i / (double)(n - 1);
}

static double timeline_y(double score) {
  double half = (TIMELINE_HEIGHT - PAD_TOP - PAD_BOTTOM) / 2.0;
  return PAD_TOP + half - score * half;
}

static void write_timeline_axes(FILE *out, size_t n) {
  static const double ticks[] = {1, 0.5, 0, -0.5, -1};
  for (size_t t = 0; t < sizeof ticks / sizeof *ticks; t++) {
    double y = timeline_y(ticks[t]);
    fprintf(out, "<line class=\"%s\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>"
                 "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%+.1f</text>\n",
            ticks[t] == 0 ? "zero" : "axis", PAD_LEFT, CHART_WIDTH - PAD_RIGHT,
            y, y, PAD_LEFT - 6, y + 4, ticks[t]);
  }
  fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">1</text>",
          timeline_x(0, n), TIMELINE_HEIGHT - 6);
  if (n > 1)
    fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%zu</text>",
            timeline_x(n - 1, n), TIMELINE_HEIGHT - 6, n);
  fputc('\n', out);
}

/* One point a sentence, at its score; its tooltip quotes the sentence. */
static void write_timeline(FILE *out, const avis_result *r) {
  size_t n = avis_result_sentence_count(r), text_len;
  const char *text = avis_result_text(r, &text_len);
  double radius = n <= 60 ? 4.5 : n <= 250 ? 3 : 1.8;
  fprintf(out, "<section class=\"card\"><h2>Sentiment sentence by sentence</h2>\n"
               "<svg class=\"chart timeline\" viewBox=\"0 0 %d %d\" role=\"img\" "
               "data-sentences=\"%zu\">\n",
          CHART_WIDTH, TIMELINE_HEIGHT, n);
  write_timeline_axes(out, n);
  fputs("<polyline class=\"trace\" points=\"", out);
  for (size_t i = 0; i < n; i++) {
    double score;
    avis_result_sentence(r, i, NULL, NULL, &score);
    fprintf(out, "%s%.1f,%.1f", i ? " " : "", timeline_x(i, n), timeline_y(score));
  }
  fputs("\"/>\n", out);
  for (size_t i = 0; i < n; i++) {
    size_t start, len;
    double score;
    avis_result_sentence(r, i, &start, &len, &score);
    fprintf(out, "<circle class=\"point %s\" cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\">"
                 "<title>%zu: %+.2f  ",
            sign_class(score), timeline_x(i, n), timeline_y(score), radius, i + 1,
            score);
    put_escaped(out, text + start, len);
    fputs("</title></circle>\n", out);
  }
  fputs("</svg>\n</section>\n", out);
}

/* Tagged topics and those with a visible share, as in the text report. */
static void write_topics(FILE *out, const avis_result *r) {
  bar_row rows[TOPICS_SHOWN];
  size_t n = 0;
  double top = 0;
  for (size_t i = 0; i < avis_result_topic_count(r) && n < TOPICS_SHOWN; i++) {
    const char *name;
    double share;
    int tagged;
    avis_result_topic(r, i, NULL, &name, &share, &tagged);
    if (!tagged && share < 0.005)
      continue;
    if (share > top)
      top = share;
    rows[n] = (bar_row){.name = name, .fraction = share, .muted = !tagged};
    snprintf(rows[n].value, sizeof rows[n].value, "%.0f%%", 100 * share);
    n++;
  }
  if (!n)
    return;
  for (size_t i = 0; i < n; i++)
    rows[i].fraction = top > 0 ? rows[i].fraction / top : 0;
  fputs("<section class=\"card\"><h2>Topics</h2>\n", out);
  write_bars(out, "topics", rows, n);
  fputs("<div class=\"meta\">Light bars: below the topic's tagging "
        "threshold.</div>\n</section>\n",
        out);
}

typedef struct {
  size_t start, len;
  double contribution;
  const char *term;
  unsigned rules;
} span;

static int by_start(const void *a, const void *b) {
  const span *x = a, *y = b;
  return x->start < y->start ? -1 : x->start > y->start;
}

static void put_rules(FILE *out, unsigned rules) {
  const char *sep = " (";
  for (unsigned bit = 1; bit && bit <= rules; bit <<= 1) {
    const char *name = rules & bit ? avis_rule_name(bit) : NULL;
    if (name) {
      fprintf(out, "%s%s", sep, name);
      sep = ", ";
    }
  }
  if (sep[0] == ',')
    fputc(')', out);
}

/* The whole text, each driver marked with the sign of its contribution. */
static int write_text(FILE *out, const avis_result *r) {
  size_t n = avis_result_driver_count(r), text_len, at = 0;
  const char *text = avis_result_text(r, &text_len);
  span *spans = malloc((n ? n : 1) * sizeof *spans);
  if (!spans)
    return -1;
  for (size_t i = 0; i < n; i++)
    avis_result_driver(r, i, &spans[i].start, &spans[i].len, &spans[i].term,
                       NULL, &spans[i].contribution, &spans[i].rules, NULL);
  qsort(spans, n, sizeof *spans, by_start);
  fputs("<section class=\"card\"><h2>Text</h2>\n<div class=\"legend\">"
        "<mark class=\"pos\">raises</mark> and <mark class=\"neg\">lowers</mark> "
        "the score</div>\n<div class=\"text\">",
        out);
  for (size_t i = 0; i < n; i++) {
    const span *s = &spans[i];
    if (s->start < at || s->start + s->len > text_len)
      continue; /* inside an expression already marked */
    put_escaped(out, text + at, s->start - at);
    fprintf(out, "<mark class=\"%s\" title=\"", sign_class(s->contribution));
    put_text(out, s->term);
    fprintf(out, " %+.2f", s->contribution);
    put_rules(out, s->rules);
    fputs("\">", out);
    put_escaped(out, text + s->start, s->len);
    fputs("</mark>", out);
    at = s->start + s->len;
  }
  put_escaped(out, text + at, text_len - at);
  fputs("</div>\n</section>\n", out);
  free(spans);
  return 0;
}

static void write_drivers(FILE *out, const avis_result *r) {
  size_t n = avis_result_driver_count(r), text_len;
  const char *text = avis_result_text(r, &text_len);
  if (!n)
    return;
  fputs("<section class=\"card\"><h2>Words that drove the score</h2>\n<table>"
        "<tr><th>Contribution</th><th>Text</th><th>Lexicon entry</th>"
        "<th>Rules</th><th>Sentence</th></tr>\n",
        out);
  for (size_t i = 0; i < n && i < DRIVERS_SHOWN; i++) {
    size_t start, len, sentence;
    const char *term;
    double contribution;
    unsigned rules;
    avis_result_driver(r, i, &start, &len, &term, NULL, &contribution, &rules,
                       &sentence);
    fprintf(out, "<tr><td class=\"num %s\">%+.2f</td><td>",
            sign_class(contribution), contribution);
    put_escaped(out, text + start, len);
    fputs("</td><td>", out);
    put_text(out, term);
    fputs("</td><td>", out);
    for (unsigned bit = 1, first = 1; bit && bit <= rules; bit <<= 1)
      if ((rules & bit) && avis_rule_name(bit)) {
        fprintf(out, "%s%s", first ? "" : ", ", avis_rule_name(bit));
        first = 0;
      }
    fprintf(out, "</td><td class=\"num\">%zu</td></tr>\n", sentence + 1);
  }
  fputs("</table>\n", out);
  if (n > DRIVERS_SHOWN)
    fprintf(out, "<div class=\"meta\">… and %zu more</div>\n", n - DRIVERS_SHOWN);
  fputs("</section>\n", out);
}

static void write_key_sentences(FILE *out, const avis_result *r,
                                avis_label which, const char *title) {
  size_t idx[KEY_SENTENCES], text_len;
  size_t n = avis_result_key_sentences(r, which, idx, KEY_SENTENCES);
  const char *text = avis_result_text(r, &text_len);
  fprintf(out, "<section class=\"card\"><h2>%s</h2>\n<table>\n", title);
  for (size_t i = 0; i < n; i++) {
    size_t start, len;
    double score;
    avis_result_sentence(r, idx[i], &start, &len, &score);
    fprintf(out, "<tr><td class=\"num %s\">%+.2f</td><td>", sign_class(score),
            score);
    put_escaped(out, text + start, len);
    fputs("</td></tr>\n", out);
  }
  if (!n)
    fputs("<tr><td class=\"meta\">none</td></tr>\n", out);
  fputs("</table>\n</section>\n", out);
}

static void write_document_meta(FILE *out, const avis_result *r) {
  fprintf(out, "<div class=\"card meta\"><span>%s</span><span>%zu characters"
               "</span><span>%zu words</span><span>%zu sentences</span>",
          avis_encoding_name(avis_result_encoding(r)), avis_result_char_count(r),
          avis_result_word_count(r), avis_result_sentence_count(r));
  if (avis_result_truncated(r))
    fputs("<span>only the beginning was analysed</span>", out);
  fputs("</div>\n", out);
}

int report_html(FILE *out, const char *name, const avis_result *r) {
  char subtitle[64];
  snprintf(subtitle, sizeof subtitle, "avis %s · sentiment report",
           avis_version());
  page_start(out, name, subtitle);
  write_document_meta(out, r);
  write_verdict(out, r);
  write_timeline(out, r);
  write_topics(out, r);
  fputs("<div class=\"grid\">\n", out);
  write_key_sentences(out, r, AVIS_POSITIVE, "Most positive sentences");
  write_key_sentences(out, r, AVIS_NEGATIVE, "Most negative sentences");
  fputs("</div>\n<br>\n", out);
  int rc = write_text(out, r);
  write_drivers(out, r);
  page_end(out);
  return rc || ferror(out) ? -1 : 0;
}

/* ---- A batch: one summary page ------------------------------------------ */

typedef struct {
  char *name;
  char *error; /* NULL when analysed */
  avis_label label;
  double score;
  uint64_t topics;
} batch_doc;

struct html_batch {
  const avis_classifier *topic_model;
  batch_doc *docs;
  size_t ndocs, cap;
};

html_batch *html_batch_new(const avis_classifier *topic_model) {
  html_batch *b = calloc(1, sizeof *b);
  if (b)
    b->topic_model = topic_model;
  return b;
}

void html_batch_free(html_batch *b) {
  if (!b)
    return;
  for (size_t i = 0; i < b->ndocs; i++) {
    free(b->docs[i].name);
    free(b->docs[i].error);
  }
  free(b->docs);
  free(b);
}

static char *copy_string(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  return p ? memcpy(p, s, n) : NULL;
}

int html_batch_add(html_batch *b, const html_doc *doc) {
  if (b->ndocs == b->cap) {
    size_t cap = b->cap ? 2 * b->cap : 64;
    batch_doc *grown = realloc(b->docs, cap * sizeof *grown);
    if (!grown)
      return -1;
    b->docs = grown;
    b->cap = cap;
  }
  batch_doc *d = &b->docs[b->ndocs];
  *d = (batch_doc){.name = copy_string(doc->name),
                   .error = doc->error ? copy_string(doc->error) : NULL,
                   .label = doc->label, .score = doc->score,
                   .topics = doc->topics};
  if (!d->name || (doc->error && !d->error)) {
    free(d->name);
    free(d->error);
    return -1;
  }
  b->ndocs++;
  return 0;
}

/* Name of topic i of the batch's topic model. */
static const char *topic_name(const html_batch *b, size_t i) {
  const char *name = NULL;
  avis_classifier_label(b->topic_model, i, NULL, &name, NULL);
  return name ? name : "?";
}

static void write_batch_stats(FILE *out, const html_batch *b, size_t analysed) {
  size_t labels[3] = {0};
  double sum = 0;
  for (size_t i = 0; i < b->ndocs; i++)
    if (!b->docs[i].error) {
      labels[b->docs[i].label + 1]++;
      sum += b->docs[i].score;
    }
  fprintf(out,
          "<section class=\"card\"><h2>Documents</h2><div class=\"stats\">"
          "<div><b>%zu</b><span>documents</span></div>"
          "<div><b>%zu</b><span>errors</span></div>"
          "<div><b class=\"pos\">%zu</b><span>positive</span></div>"
          "<div><b>%zu</b><span>neutral</span></div>"
          "<div><b class=\"neg\">%zu</b><span>negative</span></div>"
          "<div><b>%+.3f</b><span>mean score</span></div>"
          "</div></section>\n",
          b->ndocs, b->ndocs - analysed, labels[AVIS_POSITIVE + 1],
          labels[AVIS_NEUTRAL + 1], labels[AVIS_NEGATIVE + 1],
          analysed ? sum / (double)analysed : 0.0);
}

/* Document scores in HISTOGRAM_BINS bins over [-1, 1]. */
static void write_histogram(FILE *out, const html_batch *b) {
  size_t bins[HISTOGRAM_BINS] = {0}, top = 0;
  for (size_t i = 0; i < b->ndocs; i++) {
    if (b->docs[i].error)
      continue;
    int k = (int)((b->docs[i].score + 1) / 2 * HISTOGRAM_BINS);
    k = k < 0 ? 0 : k >= HISTOGRAM_BINS ? HISTOGRAM_BINS - 1 : k;
    if (++bins[k] > top)
      top = bins[k];
  }
  const double plot_h = TIMELINE_HEIGHT - PAD_TOP - PAD_BOTTOM;
  const double step = (double)(CHART_WIDTH - PAD_LEFT - PAD_RIGHT) / HISTOGRAM_BINS;
  fprintf(out, "<section class=\"card\"><h2>Distribution of scores</h2>\n"
               "<svg class=\"chart histogram\" viewBox=\"0 0 %d %d\" role=\"img\">\n"
               "<line class=\"axis\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>\n",
          CHART_WIDTH, TIMELINE_HEIGHT, PAD_LEFT, CHART_WIDTH - PAD_RIGHT,
          PAD_TOP + plot_h, PAD_TOP + plot_h);
  for (int k = 0; k < HISTOGRAM_BINS; k++) {
    double lo = -1 + 2.0 * k / HISTOGRAM_BINS, hi = lo + 2.0 / HISTOGRAM_BINS;
    double h = top ? plot_h * (double)bins[k] / (double)top : 0;
    fprintf(out, "<rect class=\"bar %s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                 "height=\"%.1f\"><title>%+.1f to %+.1f: %zu</title></rect>\n",
            hi <= 0 ? "neg" : "pos", PAD_LEFT + k * step + 1, PAD_TOP + plot_h - h,
            step - 2, h, lo, hi, bins[k]);
  }
  for (int t = -2; t <= 2; t++)
    fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%+.1f</text>",
            PAD_LEFT + (t + 2) * step * HISTOGRAM_BINS / 4, TIMELINE_HEIGHT - 6,
            t / 2.0);
  fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%zu</text>\n</svg>\n"
               "</section>\n",
          PAD_LEFT - 6, PAD_TOP + 10, top);
}

typedef struct {
  size_t topic, docs;
} topic_count;

static int by_docs_desc(const void *a, const void *b) {
  const topic_count *x = a, *y = b;
  if (x->docs != y->docs)
    return x->docs < y->docs ? 1 : -1;
  return x->topic < y->topic ? -1 : x->topic > y->topic;
}

/* How many documents each topic was tagged in, most first. */
static void write_batch_topics(FILE *out, const html_batch *b, size_t analysed) {
  size_t ntopics = b->topic_model ? avis_classifier_label_count(b->topic_model) : 0;
  topic_count counts[64];
  bar_row rows[64];
  if (ntopics > 64)
    ntopics = 64;
  for (size_t t = 0; t < ntopics; t++) {
    counts[t] = (topic_count){.topic = t};
    for (size_t i = 0; i < b->ndocs; i++)
      counts[t].docs += !b->docs[i].error && (b->docs[i].topics >> t & 1);
  }
  qsort(counts, ntopics, sizeof *counts, by_docs_desc);
  size_t n = 0;
  while (n < ntopics && counts[n].docs > 0) {
    rows[n] = (bar_row){.name = topic_name(b, counts[n].topic),
                        .fraction = (double)counts[n].docs / (double)counts[0].docs};
    snprintf(rows[n].value, sizeof rows[n].value, "%zu (%.0f%%)", counts[n].docs,
             100.0 * (double)counts[n].docs / (double)(analysed ? analysed : 1));
    n++;
  }
  if (!n)
    return;
  fputs("<section class=\"card\"><h2>Topics: documents tagged</h2>\n", out);
  write_bars(out, "topics", rows, n);
  fputs("</section>\n", out);
}

typedef struct {
  size_t doc;
  double score;
} ranked;

/* Highest score first; ties in input order. */
static int by_score_desc(const void *a, const void *b) {
  const ranked *x = a, *y = b;
  if (x->score != y->score)
    return x->score < y->score ? 1 : -1;
  return x->doc < y->doc ? -1 : x->doc > y->doc;
}

static void write_ranking(FILE *out, const html_batch *b, const ranked *order,
                          size_t n, int step, const char *title) {
  fprintf(out, "<section class=\"card ranking\"><h2>%s</h2>\n<table>"
               "<tr><th>Score</th><th>Document</th><th>Topics</th></tr>\n",
          title);
  for (size_t i = 0; i < n; i++) {
    const batch_doc *d = &b->docs[order[step * (ptrdiff_t)i].doc];
    fprintf(out, "<tr><td class=\"num %s\">%+.3f</td><td>", sign_class(d->score),
            d->score);
    put_text(out, d->name);
    fputs("</td><td>", out);
    for (size_t t = 0, first = 1; t < 64; t++)
      if (d->topics >> t & 1) {
        fputs(first ? "" : ", ", out);
        put_text(out, topic_name(b, t));
        first = 0;
      }
    fputs("</td></tr>\n", out);
  }
  if (!n)
    fputs("<tr><td class=\"meta\">none</td></tr>\n", out);
  fputs("</table>\n</section>\n", out);
}

/* The most positive documents, and the most negative ones: the same ranking
 * read from its other end. */
static int write_rankings(FILE *out, const html_batch *b, size_t analysed) {
  ranked *order = malloc((analysed ? analysed : 1) * sizeof *order);
  if (!order)
    return -1;
  size_t n = 0;
  for (size_t i = 0; i < b->ndocs; i++)
    if (!b->docs[i].error)
      order[n++] = (ranked){.doc = i, .score = b->docs[i].score};
  qsort(order, n, sizeof *order, by_score_desc);
  size_t positive = 0, negative = 0;
  while (positive < n && positive < DOCUMENTS_SHOWN && order[positive].score > 0)
    positive++;
  while (negative < n && negative < DOCUMENTS_SHOWN &&
         order[n - 1 - negative].score < 0)
    negative++;
  fputs("<div class=\"grid\">\n", out);
  write_ranking(out, b, order, positive, 1, "Most positive documents");
  write_ranking(out, b, n ? order + n - 1 : order, negative, -1,
                "Most negative documents");
  fputs("</div>\n<br>\n", out);
  free(order);
  return 0;
}

static void write_errors(FILE *out, const html_batch *b, size_t errors) {
  if (!errors)
    return;
  fputs("<section class=\"card errors\"><h2>Inputs that could not be analysed"
        "</h2>\n<table>\n", out);
  for (size_t i = 0, shown = 0; i < b->ndocs && shown < ERRORS_SHOWN; i++) {
    if (!b->docs[i].error)
      continue;
    fputs("<tr><td>", out);
    put_text(out, b->docs[i].name);
    fputs("</td><td class=\"neg\">", out);
    put_text(out, b->docs[i].error);
    fputs("</td></tr>\n", out);
    shown++;
  }
  fputs("</table>\n", out);
  if (errors > ERRORS_SHOWN)
    fprintf(out, "<div class=\"meta\">… and %zu more</div>\n",
            errors - ERRORS_SHOWN);
  fputs("</section>\n", out);
}

int html_batch_write(const html_batch *b, FILE *out) {
  size_t analysed = 0;
  for (size_t i = 0; i < b->ndocs; i++)
    analysed += !b->docs[i].error;
  char title[64], subtitle[64];
  snprintf(title, sizeof title, "%zu documents", b->ndocs);
  snprintf(subtitle, sizeof subtitle, "avis %s · batch summary", avis_version());
  page_start(out, title, subtitle);
  write_batch_stats(out, b, analysed);
  write_histogram(out, b);
  write_batch_topics(out, b, analysed);
  int rc = write_rankings(out, b, analysed);
  write_errors(out, b, b->ndocs - analysed);
  page_end(out);
  return rc || ferror(out) ? -1 : 0;
}

/* ---- In memory, for the batch workers ------------------------------------ */

typedef struct {
  const char *name, *code, *message;
  const avis_result *r;
  const html_batch *batch;
} page_args;

static int write_report_page(FILE *out, const page_args *a) {
  return report_html(out, a->name, a->r);
}

/* A failed input alone: the summary page of a batch of one. */
static int write_error_page(FILE *out, const page_args *a) {
  html_batch *b = html_batch_new(NULL);
  char message[512];
  snprintf(message, sizeof message, "%s: %s", a->code, a->message);
  html_doc doc = {.name = a->name, .error = message};
  int rc = b && html_batch_add(b, &doc) == 0 ? html_batch_write(b, out) : -1;
  html_batch_free(b);
  return rc;
}

static char *page_string(int (*write)(FILE *, const page_args *),
                         const page_args *a, size_t *len) {
  char *text = NULL;
  FILE *mem = open_memstream(&text, len);
  if (!mem)
    return NULL;
  int rc = write(mem, a);
  if (fclose(mem) != 0 || rc != 0) {
    free(text);
    return NULL;
  }
  return text;
}

char *report_html_string(const char *name, const avis_result *r, size_t *len) {
  page_args a = {.name = name, .r = r};
  return page_string(write_report_page, &a, len);
}

char *report_html_error_string(const char *name, const char *code,
                               const char *message, size_t *len) {
  page_args a = {.name = name, .code = code, .message = message};
  return page_string(write_error_page, &a, len);
}

static int write_batch_page(FILE *out, const page_args *a) {
  return html_batch_write(a->batch, out);
}

char *html_batch_string(const html_batch *b, size_t *len) {
  page_args a = {.batch = b};
  return page_string(write_batch_page, &a, len);
}
