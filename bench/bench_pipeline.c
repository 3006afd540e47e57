/* Throughput of the text stages: decode, tokenise, normalise and stem each
 * line of a file (or of standard input) as one document, the way the
 * analyzer does (normalisation and stemming go through its word cache,
 * here without a model to look words up in), and report bytes, tokens,
 * time per stage and MB/s.
 *
 *   bench_pipeline [--general] [FILE]
 *
 * The input is read whole before the clock starts, so that only the
 * stages are timed. Lines that are empty or binary are counted and
 * skipped. --general tokenises with avis_tokenize_general(), without the
 * tokeniser's shortcut for common words, to show what it saves. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "avis.h"
#include "buf.h"
#include "decode.h"
#include "stem.h"
#include "tokenize.h"
#include "wordcache.h"

enum { DECODE, TOKENIZE, NORMALIZE_STEM, STAGES };
static const char *const stage_names[STAGES] = {"decode", "tokenize",
                                                "normalize_stem"};

typedef struct {
  avis_stemmer *stemmer;
  avis_word_cache *words;
  avis_buf text;   /* the decoded document */
  avis_vec tokens; /* avis_tok */
  avis_buf arena;  /* normalised forms and stems */
  int (*tokenize)(const char *, size_t, avis_vec *);
  size_t docs, skipped, tokens_total, bytes;
  double seconds[STAGES];
} bench;

static double now(void) {
  struct timespec ts;
  timespec_get(&ts, TIME_UTC);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int read_all(FILE *f, avis_buf *out) {
  char chunk[1 << 16];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
    if (avis_buf_append(out, chunk, n))
      return AVIS_ERR_NOMEM;
  return ferror(f) ? AVIS_ERR_IO : 0;
}

static int run_document(bench *b, const char *doc, size_t len) {
  avis_encoding enc;
  double t0 = now();
  int rc = avis_decode(doc, len, &b->text, &enc);
  double t1 = now();
  b->seconds[DECODE] += t1 - t0;
  if (rc == AVIS_ERR_EMPTY || rc == AVIS_ERR_BINARY) {
    b->skipped++;
    return 0;
  }
  if (rc)
    return rc;
  b->tokens.len = 0;
  avis_buf_clear(&b->arena);
  rc = b->tokenize(b->text.data, b->text.len, &b->tokens);
  double t2 = now();
  const avis_word *words;
  if (!rc)
    rc = avis_word_cache_resolve(b->words, b->text.data, b->tokens.data,
                                 b->tokens.len, &b->arena, &words);
  double t3 = now();
  b->seconds[TOKENIZE] += t2 - t1;
  b->seconds[NORMALIZE_STEM] += t3 - t2;
  b->docs++;
  b->tokens_total += b->tokens.len;
  return rc;
}

static int run_lines(bench *b, const char *s, size_t len) {
  const char *end = s + len;
  while (s < end) {
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    const char *line_end = nl ? nl : end;
    int rc = run_document(b, s, (size_t)(line_end - s));
    if (rc)
      return rc;
    b->bytes += (size_t)(line_end - s) + (nl != NULL);
    s = line_end + (nl != NULL);
  }
  return 0;
}

static void report(const bench *b, double seconds) {
  printf("bytes %zu\ndocuments %zu\nskipped %zu\ntokens %zu\n", b->bytes,
         b->docs, b->skipped, b->tokens_total);
  for (int i = 0; i < STAGES; i++)
    printf("seconds_%s %.3f\n", stage_names[i], b->seconds[i]);
  printf("cached_forms %zu\nseconds %.3f\nMB/s %.1f\n",
         avis_word_cache_size(b->words), seconds,
         seconds > 0 ? (double)b->bytes / seconds / 1e6 : 0.0);
}

static void release(bench *b) {
  avis_word_cache_free(b->words);
  avis_stemmer_free(b->stemmer);
  avis_buf_release(&b->text);
  avis_vec_release(&b->tokens);
  avis_buf_release(&b->arena);
}

int main(int argc, char **argv) {
  int general = argc > 1 && strcmp(argv[1], "--general") == 0;
  argc -= general;
  argv += general;
  if (argc > 2) {
    fprintf(stderr, "usage: bench_pipeline [--general] [FILE]\n");
    return 2;
  }
  FILE *f = argc == 2 ? fopen(argv[1], "rb") : stdin;
  if (!f) {
    perror(argv[1]);
    return 1;
  }
  avis_buf input = {0};
  int rc = read_all(f, &input);
  if (f != stdin)
    fclose(f);
  if (rc) {
    fprintf(stderr, "bench_pipeline: cannot read %s\n",
            argc == 2 ? argv[1] : "standard input");
    avis_buf_release(&input);
    return 1;
  }
  bench b = {0};
  b.tokenize = general ? avis_tokenize_general : avis_tokenize;
  avis_word_sources none = {0};
  rc = avis_stemmer_new(&b.stemmer);
  if (!rc)
    rc = avis_word_cache_new(&b.words, &none, b.stemmer);
  double start = now();
  if (!rc)
    rc = run_lines(&b, input.data ? input.data : "", input.len);
  double seconds = now() - start;
  if (rc)
    fprintf(stderr, "bench_pipeline: %s: %s\n", avis_strerror(rc),
            avis_last_error());
  else
    report(&b, seconds);
  release(&b);
  avis_buf_release(&input);
  return rc ? 1 : 0;
}
