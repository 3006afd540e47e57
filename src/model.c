#include "model.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "lda.h"
#include "normalize.h"

typedef struct {
  char *path;
  avis_lexicon_format format;
} lexicon_request;

struct avis_model_options {
  char *data_dir;
  lexicon_request *lexicons;
  size_t nlexicons;
  int use_default_lexicon;
  int strict;
  char *topic_model;     /* NULL: the default one, when present */
  char *sentiment_model; /* NULL: none */
  int no_topics;
  char *lda_model;       /* NULL: none */
  int no_data_image;
};

int avis_model_options_new(avis_model_options **out) {
  if (!out)
    return avis_fail(AVIS_ERR_ARG, "avis_model_options_new: NULL out");
  *out = calloc(1, sizeof **out);
  if (!*out)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  (*out)->use_default_lexicon = 1;
  return 0;
}

void avis_model_options_free(avis_model_options *opts) {
  if (!opts)
    return;
  for (size_t i = 0; i < opts->nlexicons; i++)
    free(opts->lexicons[i].path);
  free(opts->lexicons);
  free(opts->data_dir);
  free(opts->topic_model);
  free(opts->sentiment_model);
  free(opts->lda_model);
  free(opts);
}

static char *copy_string(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  if (p)
    memcpy(p, s, n);
  return p;
}

int avis_model_options_set_data_dir(avis_model_options *opts, const char *dir) {
  if (!opts || !dir)
    return avis_fail(AVIS_ERR_ARG, "avis_model_options_set_data_dir: NULL argument");
  char *copy = copy_string(dir);
  if (!copy)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  free(opts->data_dir);
  opts->data_dir = copy;
  return 0;
}

int avis_model_options_add_lexicon(avis_model_options *opts, const char *path,
                                   avis_lexicon_format format) {
  if (!opts || !path)
    return avis_fail(AVIS_ERR_ARG, "avis_model_options_add_lexicon: NULL argument");
  if (format < AVIS_LEXICON_AUTO || format > AVIS_LEXICON_VADER)
    return avis_fail(AVIS_ERR_ARG, "%s: unknown lexicon format %d", path,
                     (int)format);
  lexicon_request *grown =
      realloc(opts->lexicons, (opts->nlexicons + 1) * sizeof *grown);
  if (!grown)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  opts->lexicons = grown;
  char *copy = copy_string(path);
  if (!copy)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  opts->lexicons[opts->nlexicons].path = copy;
  opts->lexicons[opts->nlexicons].format = format;
  opts->nlexicons++;
  return 0;
}

int avis_model_options_use_default_lexicon(avis_model_options *opts, int yes) {
  if (!opts)
    return avis_fail(AVIS_ERR_ARG, "avis_model_options_use_default_lexicon: NULL options");
  opts->use_default_lexicon = yes != 0;
  return 0;
}

int avis_model_options_set_strict(avis_model_options *opts, int yes) {
  if (!opts)
    return avis_fail(AVIS_ERR_ARG, "avis_model_options_set_strict: NULL options");
  opts->strict = yes != 0;
  return 0;
}

/* Replaces an optional path; NULL clears it. */
static int set_path(char **slot, const char *path) {
  char *copy = path ? copy_string(path) : NULL;
  if (path && !copy)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  free(*slot);
  *slot = copy;
  return 0;
}

int avis_model_options_set_topic_model(avis_model_options *opts,
                                       const char *path) {
  if (!opts)
    return avis_fail(AVIS_ERR_ARG, "avis_model_options_set_topic_model: NULL options");
  return set_path(&opts->topic_model, path);
}

int avis_model_options_use_topics(avis_model_options *opts, int yes) {
  if (!opts)
    return avis_fail(AVIS_ERR_ARG, "avis_model_options_use_topics: NULL options");
  opts->no_topics = !yes;
  return 0;
}

int avis_model_options_set_sentiment_model(avis_model_options *opts,
                                           const char *path) {
  if (!opts)
    return avis_fail(AVIS_ERR_ARG, "avis_model_options_set_sentiment_model: NULL options");
  return set_path(&opts->sentiment_model, path);
}

int avis_model_options_use_data_image(avis_model_options *opts, int yes) {
  if (!opts)
    return avis_fail(AVIS_ERR_ARG, "avis_model_options_use_data_image: NULL options");
  opts->no_data_image = !yes;
  return 0;
}

char *avis_data_path(const char *data_dir, const char *rel) {
  size_t a = strlen(data_dir), b = strlen(rel);
  char *p = malloc(a + b + 2);
  if (!p)
    return NULL;
  memcpy(p, data_dir, a);
  p[a] = '/';
  memcpy(p + a + 1, rel, b + 1);
  return p;
}

/* Stop words: one word a line, '#' starts a comment. They are normalised
 * like tokens so that "Ça" in a list matches "ça" in text. */
static int load_stopwords(avis_strmap *map, const char *path) {
  avis_buf file = {0}, norm = {0};
  int rc = avis_buf_read_file(&file, path);
  const char *p = file.data, *end = file.data + file.len;
  while (!rc && p < end) {
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    const char *line_end = eol ? eol : end;
    const char *q = line_end;
    while (q > p && (q[-1] == '\r' || q[-1] == ' ' || q[-1] == '\t'))
      q--;
    if (q > p && *p != '#') {
      uint32_t off, len;
      avis_buf_clear(&norm);
      rc = avis_normalize(&norm, p, (size_t)(q - p), &off, &len);
      if (!rc)
        rc = avis_strmap_put(map, norm.data + off, len, 1);
    }
    p = line_end + 1;
  }
  avis_buf_release(&file);
  avis_buf_release(&norm);
  return rc;
}

/* The data image stands for exactly the default tables, finished: with
 * the default lexicon and no other, whose stem table nothing rebuilds. */
static int may_use_data_image(const avis_model_options *opts) {
  return !opts->no_data_image && opts->use_default_lexicon &&
         opts->nlexicons == 0;
}

static int parse_data_files(avis_model *m, const avis_model_options *opts,
                            const char *lexicon, const char *modifiers,
                            const char *stopwords) {
  int rc = 0;
  if (opts->use_default_lexicon)
    rc = avis_lexicon_load_file(&m->lexicon, lexicon, AVIS_LEXICON_TSV,
                                opts->strict);
  if (!rc)
    rc = avis_modifiers_load_file(&m->modifiers, modifiers);
  if (!rc)
    rc = load_stopwords(&m->stopwords, stopwords);
  return rc;
}

/* The image when it is exactly what parsing would give, else the parse. */
static int load_data_files(avis_model *m, const avis_model_options *opts) {
  char *lexicon = avis_data_path(opts->data_dir, AVIS_DEFAULT_LEXICON);
  char *modifiers = avis_data_path(opts->data_dir, AVIS_DEFAULT_MODIFIERS);
  char *stopwords = avis_data_path(opts->data_dir, AVIS_DEFAULT_STOPWORDS);
  avis_data_tables tables = {&m->lexicon, &m->modifiers, &m->stopwords};
  int rc = 0;
  if (!lexicon || !modifiers || !stopwords)
    rc = avis_fail(AVIS_ERR_NOMEM, "out of memory");
  else if (!may_use_data_image(opts) ||
           !avis_data_image_open(&m->image, &tables, opts->data_dir, lexicon,
                                 opts->strict))
    rc = parse_data_files(m, opts, lexicon, modifiers, stopwords);
  free(lexicon);
  free(modifiers);
  free(stopwords);
  return rc;
}

/* The topic model given, else the default one when the data directory has
 * it; the sentiment classifier only when given. */
static int load_classifiers(avis_model *m, const avis_model_options *opts) {
  int rc = 0;
  if (opts->topic_model && !opts->no_topics) {
    rc = avis_classifier_load(&m->topics, opts->topic_model);
  } else if (opts->data_dir && !opts->no_topics) {
    char *path = avis_data_path(opts->data_dir, AVIS_DEFAULT_TOPICS);
    if (!path)
      return avis_fail(AVIS_ERR_NOMEM, "out of memory");
    FILE *f = fopen(path, "rb");
    if (f) {
      fclose(f);
      rc = avis_classifier_load(&m->topics, path);
    }
    free(path);
  }
  if (!rc && opts->sentiment_model)
    rc = avis_classifier_load(&m->sentiment_classifier, opts->sentiment_model);
  if (!rc && opts->lda_model)
    rc = avis_lda_load(&m->lda, opts->lda_model);
  return rc;
}

static int load_all(avis_model *m, const avis_model_options *opts) {
  int rc = opts->data_dir ? load_data_files(m, opts) : 0;
  if (!rc)
    rc = load_classifiers(m, opts);
  for (size_t i = 0; !rc && i < opts->nlexicons; i++)
    rc = avis_lexicon_load_file(&m->lexicon, opts->lexicons[i].path,
                                opts->lexicons[i].format, opts->strict);
  if (rc)
    return rc;
  if (!m->image.map) {
    avis_stemmer *st;
    if ((rc = avis_stemmer_new(&st)) != 0)
      return rc;
    rc = avis_lexicon_finish(&m->lexicon, st);
    avis_stemmer_free(st);
  }
  const avis_lex_source *src = m->lexicon.sources.data;
  for (size_t i = 0; !rc && i < m->lexicon.sources.len; i++)
    rc = avis_buf_append(&m->lexicon_names, src[i].path, strlen(src[i].path) + 1);
  return rc;
}

int avis_model_load(avis_model **out, const avis_model_options *opts) {
  if (!out || !opts)
    return avis_fail(AVIS_ERR_ARG, "avis_model_load: NULL argument");
  *out = NULL;
  avis_model *m = calloc(1, sizeof *m);
  if (!m)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  int rc = load_all(m, opts);
  if (rc) {
    avis_model_free(m);
    return rc;
  }
  *out = m;
  return 0;
}

void avis_model_free(avis_model *m) {
  if (!m)
    return;
  avis_lexicon_release(&m->lexicon);
  avis_modifiers_release(&m->modifiers);
  avis_strmap_release(&m->stopwords);
  avis_data_image_close(&m->image);
  avis_buf_release(&m->lexicon_names);
  avis_classifier_free(m->topics);
  avis_classifier_free(m->sentiment_classifier);
  avis_lda_free(m->lda);
  free(m);
}

int avis_model_uses_data_image(const avis_model *m) {
  return m && m->image.map;
}

size_t avis_model_lexicon_count(const avis_model *m) {
  return m ? m->lexicon.sources.len : 0;
}

int avis_model_lexicon_info(const avis_model *m, size_t i, const char **path,
                            size_t *entries, size_t *skipped,
                            avis_lexicon_format *format, int *has_emotions) {
  if (!m || i >= m->lexicon.sources.len)
    return avis_fail(AVIS_ERR_ARG, "avis_model_lexicon_info: no lexicon %zu", i);
  const avis_lex_source *s = (const avis_lex_source *)m->lexicon.sources.data + i;
  if (path)
    *path = s->path;
  if (entries)
    *entries = s->entries;
  if (skipped)
    *skipped = s->skipped;
  if (format)
    *format = s->format;
  if (has_emotions)
    *has_emotions = s->has_emotions;
  return 0;
}

const char *avis_model_lexicon_problem(const avis_model *m, size_t i) {
  if (!m || i >= m->lexicon.sources.len)
    return NULL;
  return ((const avis_lex_source *)m->lexicon.sources.data)[i].first_problem;
}

const avis_classifier *avis_model_topic_model(const avis_model *m) {
  return m ? m->topics : NULL;
}

const avis_classifier *avis_model_sentiment_model(const avis_model *m) {
  return m ? m->sentiment_classifier : NULL;
}

int avis_model_options_set_lda_model(avis_model_options *opts,
                                     const char *path) {
  if (!opts)
    return avis_fail(AVIS_ERR_ARG, "avis_model_options_set_lda_model: NULL options");
  return set_path(&opts->lda_model, path);
}

const avis_lda *avis_model_lda(const avis_model *m) {
  return m ? m->lda : NULL;
}
