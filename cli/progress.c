/* The progress line (stderr, only when it is a terminal) and the summary
 * of a run, as text and as JSON. */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "batch.h"

#define REDRAW_SECONDS 0.2

double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_init(progress *p, int enabled, size_t total,
                   uint64_t total_bytes) {
  *p = (progress){0};
  p->enabled = enabled;
  p->total = total;
  p->total_bytes = total_bytes;
  p->start = now_seconds();
}

void progress_add(progress *p, uint64_t bytes) {
  p->done++;
  p->bytes += bytes;
  progress_tick(p);
}

/* Seconds left: from the bytes when their total is known, else from the
 * documents. Negative when unknown. */
static double eta(const progress *p, double elapsed) {
  if (p->total_bytes && p->bytes && p->bytes <= p->total_bytes)
    return elapsed * (double)(p->total_bytes - p->bytes) / (double)p->bytes;
  if (p->total && p->done)
    return elapsed * (double)(p->total - p->done) / (double)p->done;
  return -1;
}

void progress_tick(progress *p) {
  if (!p->enabled)
    return;
  double t = now_seconds();
  if (p->drawn && t - p->last_draw < REDRAW_SECONDS)
    return;
  double elapsed = t - p->start;
  double mbps = elapsed > 0 ? (double)p->bytes / elapsed / 1e6 : 0;
  if (p->total)
    fprintf(stderr, "\ranalyze: %zu/%zu files, %.1f MB/s", p->done, p->total,
            mbps);
  else
    fprintf(stderr, "\ranalyze: %zu documents, %.1f MB/s", p->done, mbps);
  double left = eta(p, elapsed);
  if (left >= 0 && p->done < p->total)
    fprintf(stderr, ", ETA %d:%02d", (int)(left / 60), (int)left % 60);
  fputs("\033[K", stderr);
  fflush(stderr);
  p->drawn = 1;
  p->last_draw = t;
}

void progress_clear(progress *p) {
  if (p->enabled && p->drawn) {
    fputs("\r\033[K", stderr);
    fflush(stderr);
    p->drawn = 0;
  }
}

/* ---- Summary ------------------------------------------------------------ */

void summary_init(summary *s, const avis_classifier *topics) {
  *s = (summary){0};
  s->topics = topics;
}

static size_t topic_total(const summary *s) {
  size_t n = s->topics ? avis_classifier_label_count(s->topics) : 0;
  return n < 64 ? n : 64;
}

static const char *topic_id(const summary *s, size_t k) {
  const char *id = "";
  avis_classifier_label(s->topics, k, &id, NULL, NULL);
  return id;
}

void summary_add(summary *s, const doc_outcome *oc) {
  s->documents++;
  s->bytes += oc->bytes;
  if (oc->error) {
    s->failed++;
    size_t i = 0;
    while (i < SUMMARY_CODES && s->errors[i].code &&
           strcmp(s->errors[i].code, oc->error) != 0)
      i++;
    if (i < SUMMARY_CODES) {
      s->errors[i].code = oc->error;
      s->errors[i].count++;
    }
    return;
  }
  s->labels[oc->label + 1]++;
  s->score_sum += oc->score;
  for (size_t k = 0; k < topic_total(s); k++)
    if (oc->topics & ((uint64_t)1 << k))
      s->topic_counts[k]++;
}

static size_t analysed(const summary *s) { return s->documents - s->failed; }

void summary_print(FILE *out, const summary *s) {
  fprintf(out, "analyze: %zu document%s: %zu analysed, %zu failed",
          s->documents, s->documents == 1 ? "" : "s", analysed(s), s->failed);
  for (size_t i = 0; i < SUMMARY_CODES && s->errors[i].code; i++)
    fprintf(out, "%s%s %zu", i ? ", " : " (", s->errors[i].code,
            s->errors[i].count);
  fputs(s->errors[0].code ? ")\n" : "\n", out);
  if (analysed(s)) {
    fprintf(out, "  labels       positive %zu, neutral %zu, negative %zu\n",
            s->labels[2], s->labels[1], s->labels[0]);
    fprintf(out, "  mean score   %+.3f\n", s->score_sum / (double)analysed(s));
  }
  const char *sep = "  topics       ";
  for (size_t k = 0; k < topic_total(s); k++)
    if (s->topic_counts[k]) {
      fprintf(out, "%s%s %zu", sep, topic_id(s, k), s->topic_counts[k]);
      sep = ", ";
    }
  if (*sep == ',')
    fputc('\n', out);
  double mb = (double)s->bytes / 1e6;
  fprintf(out, "  read         %.1f MB in %.2f s", mb, s->seconds);
  if (s->seconds > 0)
    fprintf(out, ": %.1f MB/s, %.0f documents/s", mb / s->seconds,
            (double)s->documents / s->seconds);
  fputc('\n', out);
}

static json_t *counts_json(const summary *s) {
  json_t *errors = json_object();
  for (size_t i = 0; i < SUMMARY_CODES && s->errors[i].code; i++)
    json_object_set_new(errors, s->errors[i].code,
                        json_integer((json_int_t)s->errors[i].count));
  return errors;
}

static json_t *labels_json(const summary *s) {
  return json_pack("{sI, sI, sI}", "positive", (json_int_t)s->labels[2],
                   "neutral", (json_int_t)s->labels[1], "negative",
                   (json_int_t)s->labels[0]);
}

static json_t *topics_json(const summary *s) {
  json_t *topics = json_object();
  for (size_t k = 0; k < topic_total(s); k++)
    json_object_set_new(topics, topic_id(s, k),
                        json_integer((json_int_t)s->topic_counts[k]));
  return topics;
}

void summary_json(strbuf *b, const summary *s) {
  json_t *root = json_pack(
      "{sI, sI, sI, so, so, so, so, sI, sf}", "documents",
      (json_int_t)s->documents, "analysed", (json_int_t)analysed(s), "failed",
      (json_int_t)s->failed, "errors", counts_json(s), "labels",
      labels_json(s), "mean_score",
      analysed(s) ? json_real(s->score_sum / (double)analysed(s)) : json_null(),
      "topics", topics_json(s), "bytes", (json_int_t)s->bytes, "seconds",
      s->seconds);
  char *text = root ? json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(6))
                    : NULL;
  if (text) {
    sb_adds(b, text);
    sb_adds(b, "\n");
  } else {
    b->failed = 1;
  }
  free(text);
  json_decref(root);
}
