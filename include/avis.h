/*
 * avis — French sentiment and topic analysis.
 *
 * The public header: everything needed to analyse text with existing
 * models, under the stability promise of docs/api.md ("Versions"). Every
 * public name starts with `avis_` (types and functions) or `AVIS_` (macros
 * and enum constants). docs/api.md is a guide with a complete program;
 * examples/ has it and a multi-threaded one.
 *
 * Building models (training corpora, naive Bayes and LDA training, writing
 * model files, evaluation) is declared in avis_train.h, which includes this
 * header and is not yet covered by that promise.
 *
 * Objects and ownership
 * ---------------------
 *   avis_model_options  what to load: data directory, extra lexicons.
 *   avis_model          the loaded, immutable resources (lexicons, modifier
 *                       lists, stop words). Built once, then shared.
 *   avis_analyzer       a per-thread workspace bound to one model: stemmer,
 *                       stem cache, scratch buffers.
 *   avis_result         the analysis of one document, owned by the caller.
 *
 * Every `_new`/`_load` function returning an object through `**out` hands
 * ownership to the caller, who releases it with the matching `_free`.
 * Every `_free(NULL)` is a no-op. Strings returned by accessors belong to
 * the object they were read from and live as long as it does. Memory
 * returned by avis_result_to_json() is released with avis_free().
 *
 * Errors
 * ------
 * Functions that can fail return an `int`: AVIS_OK (0) on success, or one of
 * the negative avis_error codes. avis_strerror() names a code;
 * avis_last_error() gives a detailed message for the last failure in the
 * calling thread (for example the file and line of a bad lexicon entry).
 * The library never prints, never exits, and never reads the environment:
 * it only opens the paths its caller gives it (avis_default_data_dir() says
 * where the installed data is, for a caller who wants it).
 *
 * Threads
 * -------
 * An avis_model is immutable once loaded: any number of threads may share
 * one, as long as it outlives every analyzer built on it. An avis_analyzer
 * must be used by one thread at a time (libstemmer keeps state in its
 * stemmer, and the analyzer reuses its buffers); create one per thread.
 * An avis_result is independent of the analyzer that produced it and may be
 * read from any thread. avis_last_error() is per thread.
 */
#ifndef AVIS_H
#define AVIS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(AVIS_STATIC_DEFINE)
#define AVIS_EXPORT
#elif defined(_WIN32)
#ifdef AVIS_BUILDING_LIBRARY
#define AVIS_EXPORT __declspec(dllexport)
#else
#define AVIS_EXPORT __declspec(dllimport)
#endif
#else
#define AVIS_EXPORT __attribute__((visibility("default")))
#endif

/* ---- Versions ----------------------------------------------------------
 * Two numbers, independent of each other:
 *   - the API version below (MAJOR.MINOR.PATCH) changes with the source
 *     interface: a minor release adds functions, each marked "Since X.Y"
 *     where it is declared; until 1.0 a minor release may also change them;
 *   - the ABI version is the shared library's SOVERSION (libavis.so.0): it
 *     changes only when binary compatibility breaks (a removed function, a
 *     changed signature, enum value or struct layout).
 * File formats carry their own versions: model files a magic number and a
 * format version (docs/model-format.md), lexicons are versionless text
 * (docs/lexicon-format.md). The header holds only the public, stable
 * interface; the library's internals are not installed.
 */
#define AVIS_VERSION_MAJOR 0
#define AVIS_VERSION_MINOR 1
#define AVIS_VERSION_PATCH 0
#define AVIS_VERSION_STRING "0.1.0"
#define AVIS_VERSION_NUMBER \
  ((AVIS_VERSION_MAJOR << 16) | (AVIS_VERSION_MINOR << 8) | AVIS_VERSION_PATCH)

/* Version of the library actually linked, as "MAJOR.MINOR.PATCH", which
 * may be newer than the header a program was compiled with. Static string.
 * Since 0.1. */
AVIS_EXPORT const char *avis_version(void);
/* Same, as AVIS_VERSION_NUMBER encodes it: a program can compare it with
 * the AVIS_VERSION_NUMBER it was built with. Since 0.1. */
AVIS_EXPORT int avis_version_number(void);

/* ---- Errors ------------------------------------------------------------ */
typedef enum {
  AVIS_OK = 0,
  AVIS_ERR_NOMEM = -1,    /* out of memory */
  AVIS_ERR_ARG = -2,      /* invalid argument (NULL, bad option value) */
  AVIS_ERR_IO = -3,       /* a file could not be opened or read */
  AVIS_ERR_EMPTY = -4,    /* the input holds no text */
  AVIS_ERR_BINARY = -5,   /* the input is binary (NUL bytes, control data) */
  AVIS_ERR_ENCODING = -6, /* the input is neither UTF-8 nor Windows-1252 */
  AVIS_ERR_TOO_LARGE = -7,/* the input exceeds a configured limit */
  AVIS_ERR_FORMAT = -8,   /* a data file (lexicon, list) is malformed */
  AVIS_ERR_STEMMER = -9   /* the Snowball French stemmer is unavailable */
} avis_error;

/* A short English description of an error code (static string). Since 0.1. */
AVIS_EXPORT const char *avis_strerror(int code);
/* Details of the last error raised in this thread, or "" if none. The
 * string stays valid until the next failing call in the same thread.
 * Since 0.1. */
AVIS_EXPORT const char *avis_last_error(void);
/* Releases memory the library returned for the caller to free. Since 0.1. */
AVIS_EXPORT void avis_free(void *ptr);

/* ---- Model ------------------------------------------------------------- */
typedef struct avis_model_options avis_model_options;
typedef struct avis_model avis_model;

/* Lexicon file formats (docs/lexicon-format.md). */
typedef enum {
  AVIS_LEXICON_AUTO = 0, /* detect from the first lines */
  AVIS_LEXICON_TSV = 1,  /* avis's own term<TAB>polarity[...] format */
  AVIS_LEXICON_FEEL = 2, /* FEEL CSV: id;word;polarity;joy;fear;sadness;anger;surprise;disgust */
  AVIS_LEXICON_VADER = 3 /* VADER: word<TAB>mean[<TAB>sd<TAB>ratings] */
} avis_lexicon_format;

/* Creates empty options. Since 0.1. */
AVIS_EXPORT int avis_model_options_new(avis_model_options **out);
/* Releases options; the model loaded with them does not need them. */
AVIS_EXPORT void avis_model_options_free(avis_model_options *opts);
/* The directory holding the default data (lexicons/, stopwords). When not
 * set, no default data is loaded and only added lexicons are used. The
 * directory is copied. AVIS_ERR_ARG when an argument is NULL. Since 0.1. */
AVIS_EXPORT int avis_model_options_set_data_dir(avis_model_options *opts,
                                                const char *dir);
/* The data directory that `cmake --install` fills (lexicons/, models/):
 * <prefix>/share/avis beside the installed library when it holds the
 * default lexicon, so that an installed tree may be moved as a whole; else
 * the data directory fixed when the library was built, whether or not it
 * exists. The library never uses it by itself: pass it to
 * avis_model_options_set_data_dir() to opt in. It does not read
 * AVIS_DATA_DIR; a program honouring that variable checks it first.
 * Static string, never NULL; safe to call from any thread. Since 0.1. */
AVIS_EXPORT const char *avis_default_data_dir(void);
/* Adds a polarity lexicon, loaded after the default one; its entries take
 * precedence over earlier lexicons for the same term. Since 0.1. */
AVIS_EXPORT int avis_model_options_add_lexicon(avis_model_options *opts,
                                               const char *path,
                                               avis_lexicon_format format);
/* Whether to load the default polarity lexicon from the data directory
 * (default 1). Modifier lists and stop words are always loaded from it.
 * Since 0.1. */
AVIS_EXPORT int avis_model_options_use_default_lexicon(avis_model_options *opts,
                                                       int yes);
/* Strict loading: a malformed lexicon line fails the load instead of being
 * skipped and counted (default 0). Since 0.1. */
AVIS_EXPORT int avis_model_options_set_strict(avis_model_options *opts,
                                              int yes);
/* The topic model file (docs/model-format.md) that analysis tags topics
 * with. When not set, models/topics-fr.avm below the data directory is
 * loaded if it exists; NULL restores that default. Since 0.1. */
AVIS_EXPORT int avis_model_options_set_topic_model(avis_model_options *opts,
                                                   const char *path);
/* Whether to tag topics at all (default 1). Since 0.1. */
AVIS_EXPORT int avis_model_options_use_topics(avis_model_options *opts,
                                              int yes);
/* A supervised sentiment classifier (trained by avis_classifier_train()
 * from labelled reviews) whose label analysis reports beside the lexicon
 * score; none by default. Since 0.1. */
AVIS_EXPORT int avis_model_options_set_sentiment_model(avis_model_options *opts,
                                                       const char *path);

/* Loads a model: AVIS_ERR_IO when a file cannot be read, AVIS_ERR_FORMAT
 * when one is malformed, AVIS_ERR_NOMEM. On failure *out is NULL and
 * avis_last_error() names the file and the problem. The model is immutable:
 * any number of threads may use it at once. Since 0.1. */
AVIS_EXPORT int avis_model_load(avis_model **out, const avis_model_options *opts);
/* Releases a model, after every analyzer and corpus built on it. */
AVIS_EXPORT void avis_model_free(avis_model *model);

/* The polarity lexicons the model holds, in load order. Since 0.1. */
AVIS_EXPORT size_t avis_model_lexicon_count(const avis_model *model);
/* Path as given, entry count, lines skipped as malformed, format, and
 * whether it carries emotions. Any out-pointer may be NULL. Since 0.1. */
AVIS_EXPORT int avis_model_lexicon_info(const avis_model *model, size_t i,
                                        const char **path, size_t *entries,
                                        size_t *skipped,
                                        avis_lexicon_format *format,
                                        int *has_emotions);
/* The first malformed line skipped in lexicon i, as "PATH:LINE: problem",
 * or NULL when no line was skipped. The string lives as long as the model.
 * Since 0.1. */
AVIS_EXPORT const char *avis_model_lexicon_problem(const avis_model *model,
                                                   size_t i);

typedef struct avis_classifier avis_classifier;
/* The topic model the model tags with, or NULL when it has none; it lives
 * as long as the model. Since 0.1. */
AVIS_EXPORT const avis_classifier *avis_model_topic_model(const avis_model *model);
/* The supervised sentiment classifier, or NULL. Since 0.1. */
AVIS_EXPORT const avis_classifier *avis_model_sentiment_model(const avis_model *model);

/* ---- Analyzer ---------------------------------------------------------- */
typedef struct avis_analyzer avis_analyzer;
typedef struct avis_result avis_result;

/* Creates an analyzer: a workspace used by one thread at a time (create
 * one per thread). The model must outlive it. AVIS_ERR_STEMMER when the
 * Snowball French stemmer cannot be created. Since 0.1. */
AVIS_EXPORT int avis_analyzer_new(avis_analyzer **out, const avis_model *model);
/* Releases an analyzer; the results it produced stay valid. */
AVIS_EXPORT void avis_analyzer_free(avis_analyzer *analyzer);

/* Largest input accepted by avis_analyze(), in bytes (default 64 MiB); a
 * larger input fails with AVIS_ERR_TOO_LARGE. 0 means no limit. Since 0.1. */
AVIS_EXPORT int avis_analyzer_set_max_bytes(avis_analyzer *analyzer,
                                            size_t max_bytes);

/* Largest number of tokens analysed per document (default 0: no limit).
 * A document with more tokens is not an error: its text is cut after the
 * last token that fits, the analysis covers that prefix only, and
 * avis_result_truncated() says so (docs/limits.md). Since 0.1. */
AVIS_EXPORT int avis_analyzer_set_max_tokens(avis_analyzer *analyzer,
                                             size_t max_tokens);

/* Analyses `len` bytes of text (not NUL-terminated; the bytes are not kept).
 * Valid UTF-8 is used as is (a BOM dropped); other text is decoded as
 * Windows-1252. Empty, binary (NUL bytes or mostly control characters) and
 * oversized inputs fail with AVIS_ERR_EMPTY, AVIS_ERR_BINARY and
 * AVIS_ERR_TOO_LARGE; *out is then NULL. The result belongs to the caller
 * and does not depend on the analyzer. Since 0.1. */
AVIS_EXPORT int avis_analyze(avis_analyzer *analyzer, const char *bytes,
                             size_t len, avis_result **out);
/* Releases a result and every string read from it. */
AVIS_EXPORT void avis_result_free(avis_result *result);
/* avis_analyze() for a program that is done with each result before the
 * next document: when *result holds an earlier result, that result is
 * gone (its strings with it) and its memory, unless it grew past a few
 * MiB for a long document, holds the new one. *result is then the new
 * result, or NULL after a failure. Since 0.1. */
AVIS_EXPORT int avis_analyze_reuse(avis_analyzer *analyzer, const char *bytes,
                                   size_t len, avis_result **result);

/* ---- Result: document ---------------------------------------------------- */
typedef enum {
  AVIS_ENCODING_UTF8 = 0,
  AVIS_ENCODING_UTF8_BOM = 1, /* UTF-8 with a byte-order mark (dropped) */
  AVIS_ENCODING_CP1252 = 2    /* not UTF-8: decoded as Windows-1252 */
} avis_encoding;

/* "utf-8", "utf-8-bom" or "windows-1252". Since 0.1. */
AVIS_EXPORT const char *avis_encoding_name(avis_encoding encoding);
/* How the input was decoded. Since 0.1. */
AVIS_EXPORT avis_encoding avis_result_encoding(const avis_result *r);
/* The decoded UTF-8 text that every span (token, sentence) refers to.
 * Since 0.1. */
AVIS_EXPORT const char *avis_result_text(const avis_result *r, size_t *len);
/* Unicode characters of the decoded text. Since 0.1. */
AVIS_EXPORT size_t avis_result_char_count(const avis_result *r);
/* Word tokens (words, numbers; not punctuation, emoji, URLs). Since 0.1. */
AVIS_EXPORT size_t avis_result_word_count(const avis_result *r);
/* 1 when the document had more tokens than the analyzer's limit and only
 * its beginning was analysed (avis_analyzer_set_max_tokens()), else 0.
 * Since 0.1. */
AVIS_EXPORT int avis_result_truncated(const avis_result *r);

/* ---- Result: tokens ---------------------------------------------------- */
typedef enum {
  AVIS_TOKEN_WORD = 0,
  AVIS_TOKEN_NUMBER = 1,
  AVIS_TOKEN_URL = 2,
  AVIS_TOKEN_EMAIL = 3,
  AVIS_TOKEN_HANDLE = 4,   /* @name */
  AVIS_TOKEN_HASHTAG = 5,  /* #name */
  AVIS_TOKEN_EMOJI = 6,
  AVIS_TOKEN_EMOTICON = 7, /* :-) :( ;) <3 ... */
  AVIS_TOKEN_PUNCT = 8
} avis_token_kind;

/* "word", "number", "url", "email", "handle", "hashtag", "emoji",
 * "emoticon" or "punct". Since 0.1. */
AVIS_EXPORT const char *avis_token_kind_name(avis_token_kind kind);
/* Tokens of every kind, punctuation included. Since 0.1. */
AVIS_EXPORT size_t avis_result_token_count(const avis_result *r);
/* Reads token i. `start`/`length` are a byte span of avis_result_text();
 * `norm` is the normalised form (NFC, case-folded, typographic apostrophe
 * as '), `stem` its Snowball stem (equal to norm for non-words), `sentence`
 * its 0-based sentence. Any out-pointer may be NULL. Since 0.1. */
AVIS_EXPORT int avis_result_token(const avis_result *r, size_t i,
                                  avis_token_kind *kind, size_t *start,
                                  size_t *length, const char **norm,
                                  const char **stem, size_t *sentence);

/* ---- Result: sentences ------------------------------------------------- */
/* Sentences of the document, in order. Since 0.1. */
AVIS_EXPORT size_t avis_result_sentence_count(const avis_result *r);
/* Byte span of sentence i in avis_result_text() and its sentiment score in
 * [-1, 1] (0 when it holds no polar word). Since 0.1. */
AVIS_EXPORT int avis_result_sentence(const avis_result *r, size_t i,
                                     size_t *start, size_t *length,
                                     double *score);

/* ---- Result: sentiment (docs/sentiment.md explains the formula) -------- */
typedef enum {
  AVIS_NEGATIVE = -1,
  AVIS_NEUTRAL = 0,
  AVIS_POSITIVE = 1
} avis_label;

/* "negative", "neutral" or "positive". Since 0.1. */
AVIS_EXPORT const char *avis_label_name(avis_label label);
/* "négatif", "neutre" or "positif". Since 0.1. */
AVIS_EXPORT const char *avis_label_name_fr(avis_label label);
/* Document score in [-1, 1]. Since 0.1. */
AVIS_EXPORT double avis_result_score(const avis_result *r);
/* The label of the score, with the neutral band of docs/sentiment.md.
 * Since 0.1. */
AVIS_EXPORT avis_label avis_result_label(const avis_result *r);
/* Share of words carrying polarity or subjectivity, in [0, 1]. Since 0.1. */
AVIS_EXPORT double avis_result_subjectivity(const avis_result *r);

/* Rules applied to a polar term (bit flags in a driver's `rules`). */
#define AVIS_RULE_NEGATED     0x0001u /* inside a negation scope */
#define AVIS_RULE_INTENSIFIED 0x0002u /* after très, vraiment, ... */
#define AVIS_RULE_DIMINISHED  0x0004u /* after peu, légèrement, ... */
#define AVIS_RULE_CONTRAST    0x0008u /* clause after mais, pourtant, ... */
#define AVIS_RULE_BEFORE_CONTRAST 0x0010u /* clause before a contrast */
#define AVIS_RULE_EMPHASIS    0x0020u /* ALL CAPS or '!' */
#define AVIS_RULE_QUESTION    0x0040u /* in a question */
#define AVIS_RULE_STEM        0x0080u /* matched by stem, not surface form */
#define AVIS_RULE_EXPRESSION  0x0100u /* multi-word expression */

/* Name of one AVIS_RULE_* bit: "negated", "intensified", "diminished",
 * "after_contrast", "before_contrast", "emphasis", "question", "stem",
 * "expression"; NULL for anything else. Since 0.1. */
AVIS_EXPORT const char *avis_rule_name(unsigned rule);

/* Writes to idx[] the indices of up to `max` sentences whose score has the
 * sign of `which` (AVIS_POSITIVE or AVIS_NEGATIVE), strongest first, and
 * returns how many were written. Since 0.1. */
AVIS_EXPORT size_t avis_result_key_sentences(const avis_result *r,
                                             avis_label which, size_t *idx,
                                             size_t max);

/* Polar terms that drove the score, strongest absolute contribution first.
 * Since 0.1. */
AVIS_EXPORT size_t avis_result_driver_count(const avis_result *r);
/* Driver i: its byte span in the text (a multi-word expression spans all
 * its words), the matched lexicon term, the lexicon polarity, the
 * contribution after rules, the rule flags and its sentence. Any
 * out-pointer may be NULL. Since 0.1. */
AVIS_EXPORT int avis_result_driver(const avis_result *r, size_t i,
                                   size_t *start, size_t *length,
                                   const char **term, double *polarity,
                                   double *contribution, unsigned *rules,
                                   size_t *sentence);

/* Emotions, when a loaded lexicon has them (FEEL, or TSV with emotions). */
typedef enum {
  AVIS_EMOTION_JOIE = 0,
  AVIS_EMOTION_PEUR = 1,
  AVIS_EMOTION_TRISTESSE = 2,
  AVIS_EMOTION_COLERE = 3,
  AVIS_EMOTION_SURPRISE = 4,
  AVIS_EMOTION_DEGOUT = 5,
  AVIS_EMOTION_COUNT = 6
} avis_emotion;

/* "joie", "peur", "tristesse", "colère", "surprise", "dégoût". Since 0.1. */
AVIS_EXPORT const char *avis_emotion_name(avis_emotion emotion);
/* 1 if any lexicon of the model carries emotions. Since 0.1. */
AVIS_EXPORT int avis_result_has_emotions(const avis_result *r);
/* Share of the document's emotion-bearing words that carry this emotion,
 * in [0, 1]. Since 0.1. */
AVIS_EXPORT double avis_result_emotion(const avis_result *r, avis_emotion e);

/* ---- Result: topics (docs/topics.md) ------------------------------------
 * Every topic of the model's topic model, ranked by share; none when the
 * model has no topic model. Since 0.1. */
AVIS_EXPORT size_t avis_result_topic_count(const avis_result *r);
/* Topic i: its stable id ("regulation"), its French name ("Réglementation"),
 * its share of the document in [0, 1] (shares sum to 1, or are all 0 for a
 * text without content words) and whether it is tagged (its share reached
 * the threshold training calibrated for it; the first topic always is).
 * Any out-pointer may be NULL. Since 0.1. */
AVIS_EXPORT int avis_result_topic(const avis_result *r, size_t i,
                                  const char **id, const char **name,
                                  double *share, int *tagged);
/* Words of the document that pushed topic i most, strongest first (at most
 * five, for tagged topics only). Since 0.1. */
AVIS_EXPORT size_t avis_result_topic_evidence_count(const avis_result *r,
                                                    size_t i);
/* Evidence word j of topic i, as written in the document (normalised),
 * and its weight. Any out-pointer may be NULL. Since 0.1. */
AVIS_EXPORT int avis_result_topic_evidence(const avis_result *r, size_t i,
                                           size_t j, const char **word,
                                           double *weight);
/* The supervised sentiment classifier's label ("pos", "neg", ... as it was
 * trained) and its probability. AVIS_ERR_ARG when the model has no
 * sentiment classifier. Since 0.1. */
AVIS_EXPORT int avis_result_sentiment_class(const avis_result *r,
                                            const char **label,
                                            double *probability);

/* ---- Output ------------------------------------------------------------ */
#define AVIS_JSON_TOKENS 0x1u /* include the token list */
#define AVIS_JSON_PRETTY 0x2u /* indent (default: one line) */

/* Serialises a result as JSON (schema: docs/json-schema.md). `*out` is
 * NUL-terminated and released with avis_free(). Since 0.1. */
AVIS_EXPORT int avis_result_to_json(const avis_result *r, unsigned flags,
                                    char **out, size_t *len);

/* ---- Classifiers: model files (docs/topics.md) --------------------------
 * A classifier is a naive Bayes model over the terms of the topic pipeline
 * (stems of content words). A topic classifier gives every document shares
 * over its topics and tags several; a class classifier (sentiment) picks
 * one label. A loaded classifier is immutable and may be shared between
 * threads. Training one and evaluating it on a corpus are declared in
 * avis_train.h.
 */
typedef enum {
  AVIS_CLASSIFIER_TOPICS = 0,  /* multi-label topics with shares */
  AVIS_CLASSIFIER_CLASSES = 1  /* one label per document (sentiment) */
} avis_classifier_kind;

/* Loads a model file, checking every part of it; on failure
 * avis_last_error() names the file and the problem. Since 0.1. */
AVIS_EXPORT int avis_classifier_load(avis_classifier **out, const char *path);
/* Releases a classifier; not one a model owns (avis_model_topic_model()). */
AVIS_EXPORT void avis_classifier_free(avis_classifier *cl);
/* Topics or classes. Since 0.1. */
AVIS_EXPORT avis_classifier_kind avis_classifier_get_kind(const avis_classifier *cl);
/* Its labels (topics or classes), and the terms of its vocabulary.
 * Since 0.1. */
AVIS_EXPORT size_t avis_classifier_label_count(const avis_classifier *cl);
AVIS_EXPORT size_t avis_classifier_term_count(const avis_classifier *cl);
/* Label i: id, display name, tagging threshold. Any out-pointer may be
 * NULL. Since 0.1. */
AVIS_EXPORT int avis_classifier_label(const avis_classifier *cl, size_t i,
                                      const char **id, const char **name,
                                      double *threshold);
/* The training provenance recorded in the file ("key: value" lines); it
 * lives as long as the classifier. Since 0.1. */
AVIS_EXPORT const char *avis_classifier_provenance(const avis_classifier *cl);
#define AVIS_DUMP_WEIGHTS 0x1u /* every term's weights, not only the top */
/* A readable text dump of a model; `*out` is released with avis_free().
 * Since 0.1. */
AVIS_EXPORT int avis_classifier_dump(const avis_classifier *cl, unsigned flags,
                                     char **out, size_t *len);

/* ---- LDA topic models (docs/lda.md) -------------------------------------
 * Latent Dirichlet allocation discovers the topics of a corpus without
 * labels and describes a document as a mixture of them. A loaded avis_lda
 * is immutable and may be shared between threads. Training one and
 * measuring it on held-out documents are declared in avis_train.h.
 */
typedef struct avis_lda avis_lda;

/* What the terms of an LDA model are (avis_lda_terms()), and those of a
 * corpus (avis_corpus_set_terms() in avis_train.h). */
typedef enum {
  AVIS_TERMS_STEMS = 0,  /* stems of content words (default) */
  AVIS_TERMS_FORMS = 1,  /* normalised content words, not stemmed */
  AVIS_TERMS_TOKENS = 2  /* pre-tokenised text: tokens used as they are */
} avis_terms_kind;

/* Loads a model file, checking every part of it; on failure
 * avis_last_error() names the file and the problem. Since 0.1. */
AVIS_EXPORT int avis_lda_load(avis_lda **out, const char *path);
/* Releases a model; NULL is a no-op. Since 0.1. */
AVIS_EXPORT void avis_lda_free(avis_lda *lda);

/* Number of topics K, and of terms in the model's vocabulary. Since 0.1. */
AVIS_EXPORT size_t avis_lda_topic_count(const avis_lda *lda);
AVIS_EXPORT size_t avis_lda_term_count(const avis_lda *lda);
/* What the model's terms are (stems, normalised forms or pre-tokenised
 * tokens), as it was trained: new documents are read the same way.
 * Since 0.1. */
AVIS_EXPORT avis_terms_kind avis_lda_terms(const avis_lda *lda);
/* Topic k: a short label made of its top words, its share of the training
 * tokens and its document-topic prior alpha_k. Any out-pointer may be NULL.
 * Since 0.1. */
AVIS_EXPORT int avis_lda_topic(const avis_lda *lda, size_t k,
                               const char **label, double *share,
                               double *alpha);
/* The weight in topic k of a known term that its word list leaves out
 * (pruned, or never seen in the topic). Since 0.1. */
AVIS_EXPORT double avis_lda_topic_floor(const avis_lda *lda, size_t k);
/* Terms of topic k with a weight, best first. Since 0.1. */
AVIS_EXPORT size_t avis_lda_topic_word_count(const avis_lda *lda, size_t k);
/* Term i of topic k, best first, and its probability in the topic; the
 * string lives as long as the model. Since 0.1. */
AVIS_EXPORT int avis_lda_topic_word(const avis_lda *lda, size_t k, size_t i,
                                    const char **word, double *weight);
/* The training provenance ("key: value" lines), owned by the model.
 * Since 0.1. */
AVIS_EXPORT const char *avis_lda_provenance(const avis_lda *lda);
/* A readable text dump; `*out` is released with avis_free(). With
 * AVIS_DUMP_WEIGHTS every kept term of every topic is listed. Since 0.1. */
AVIS_EXPORT int avis_lda_dump(const avis_lda *lda, unsigned flags, char **out,
                              size_t *len);

/* Analysis with an LDA model: avis_analyze() then gives each document's
 * topic mixture. None by default. Since 0.1. */
AVIS_EXPORT int avis_model_options_set_lda_model(avis_model_options *opts,
                                                 const char *path);
/* The model's LDA model, or NULL; it lives as long as the model.
 * Since 0.1. */
AVIS_EXPORT const avis_lda *avis_model_lda(const avis_model *model);
/* Topics of the document's mixture, by decreasing weight (all of the LDA
 * model's topics; none without one, or for a text without known terms).
 * Since 0.1. */
AVIS_EXPORT size_t avis_result_lda_topic_count(const avis_result *r);
/* The i-th heaviest topic: its index in the LDA model and its weight.
 * Since 0.1. */
AVIS_EXPORT int avis_result_lda_topic(const avis_result *r, size_t i,
                                      size_t *topic, double *weight);

#ifdef __cplusplus
}
#endif

#endif
