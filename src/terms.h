/* The term pipeline shared by every topic model: which tokens become terms,
 * how raw text is read into terms, and a corpus of documents held as term
 * sequences over one vocabulary, with their labels. docs/topics.md gives the
 * rules. */
#ifndef AVIS_TERMS_H
#define AVIS_TERMS_H

#include <stddef.h>
#include <stdint.h>

#include "avis_train.h"
#include "buf.h"
#include "stem.h"
#include "strmap.h"
#include "tokenize.h"
#include "wordcache.h"

/* In a term sequence, separates one sentence from the next. */
#define AVIS_TERM_BREAK UINT32_MAX
/* A corpus holds at most this many distinct labels (one bit each). */
#define AVIS_MAX_LABELS 64

/* One term of a document: its text in the owner's string buffer, and the
 * token and sentence it comes from. */
typedef struct {
  uint32_t off, len;
  uint32_t tok, sentence;
} avis_term;

/* The term a token becomes, if any: 1 and its text in *s and *n, 0 when
 * none, or AVIS_ERR_NOMEM. `arena` holds the token's normalised form and
 * stem. A word (not an elided clitic) becomes its stem when its normalised
 * form has two characters or more, holds a letter and is not a stop word;
 * a hashtag becomes the stem of its word (valid until the stemmer's next
 * call; the stemmer is only used for hashtags); numbers, URLs, e-mail
 * addresses, handles, emoji and punctuation become nothing. The rules look
 * at the token's kind, its elision flag and its strings, nothing else: the
 * word cache (wordcache.h) relies on it. */
int avis_token_term(const avis_tok *t, const char *arena,
                    const avis_strmap *stopwords, avis_stemmer *stemmer,
                    const char **s, size_t *n);

/* Appends the terms of tokenised text (avis_token_term()) to `terms`
 * (avis_term) and their text, NUL-terminated, to `strings`. 0 or
 * AVIS_ERR_NOMEM. */
int avis_terms_from_tokens(const avis_tok *toks, size_t ntok, const char *arena,
                           const avis_strmap *stopwords, avis_stemmer *stemmer,
                           avis_vec *terms, avis_buf *strings);

/* Reads raw text into terms: decode, tokenise, normalise, stem, filter.
 * One reader per thread; its buffers are reused from one text to the next. */
typedef struct {
  avis_stemmer *stemmer;
  avis_word_cache *words; /* normalises and stems each distinct token once */
  const avis_strmap *stopwords;
  int forms; /* terms are normalised words rather than their stems */
  avis_buf text, arena, strings;
  avis_vec toks, terms; /* avis_tok, avis_term (text in `strings`) */
} avis_term_reader;

int avis_term_reader_init(avis_term_reader *r, const avis_strmap *stopwords);
void avis_term_reader_release(avis_term_reader *r);
/* Replaces the reader's terms with those of `bytes`. Fails like
 * avis_decode() for empty or binary input. */
int avis_term_reader_read(avis_term_reader *r, const char *bytes, size_t len);

/* Reads raw text straight into term numbers, for a thread that reads many
 * documents. Each distinct term text gets a number of this reader's own
 * (`numbers`, in order of first appearance). The term a token becomes
 * depends only on its bytes and its kind (avis_token_term()), so each
 * distinct word or hashtag is worked out once (normalised, tested against
 * the stop words, stemmed when it is a term) and its term number is then
 * remembered by its bytes: a token seen before costs one lookup, with no
 * normalising, stemming, stop-word test or lookup of its term text.
 * Tokens of other kinds and elided clitics never become terms and cost
 * nothing. The numbers are those of the terms avis_term_reader_read()
 * finds, in the same order. */
typedef struct avis_token_slot avis_token_slot; /* terms.c */
typedef struct avis_token_key avis_token_key;   /* terms.c */

typedef struct {
  avis_term_reader reader;
  /* Stems through avis_stem_uncached(), without the stem cache of
   * avis_stem(): the table below already remembers each token's term, and
   * a stem cache would only be a second table to fill. */
  avis_stemmer *snowball;
  avis_strmap numbers;     /* term text -> number */
  /* Words and hashtags seen -> number + 1, or 0 for no term: an open
   * addressing table whose slots hold a token's first 16 bytes, so that
   * most lookups read a single cache line. */
  avis_token_slot *tokens;
  size_t ntokens, nslots;  /* nslots: a power of two, at least 2 ntokens */
  avis_token_slot *front;  /* recent short tokens, in a small table */
  avis_buf tails;          /* bytes 16.. of longer tokens */
  avis_vec keys;           /* avis_token_key of the current text's tokens */
  int forms;               /* the reader's `forms` the table is for */
} avis_term_numberer;

int avis_term_numberer_init(avis_term_numberer *n,
                            const avis_strmap *stopwords);
void avis_term_numberer_release(avis_term_numberer *n);
/* Appends the numbers of the terms of `bytes` to `seq` (uint32_t), with
 * AVIS_TERM_BREAK between terms of different sentences, as
 * avis_term_reader_read() would find them (terms of forms when
 * n->reader.forms is set). Fails like it; on failure `seq` may hold part
 * of the document. */
int avis_term_numberer_read(avis_term_numberer *n, const char *bytes,
                            size_t len, avis_vec *seq);

/* n bytes of zeros, written rather than left to calloc(): a fresh page of
 * calloc() is mapped to the shared zero page by its first read, and copied
 * on its first write, each copy stopping the process's other threads to
 * flush their TLBs; the counting and hash tables below read before they
 * write. NULL when out of memory. */
void *avis_zeroed_alloc(size_t n);

/* Sparse document-term counts in compressed rows: the terms of row d are
 * ids[row[d] .. row[d+1]), in order of first occurrence, with their
 * counts. */
typedef struct {
  size_t nrows;
  size_t *row;
  uint32_t *ids;
  float *counts;
} avis_csr;

void avis_csr_release(avis_csr *m);

/* The threads that read documents for avis_corpus_add_batch()
 * (corpus_read.c). */
typedef struct avis_corpus_readers avis_corpus_readers;
void avis_corpus_readers_free(avis_corpus_readers *r);

/* The public avis_corpus: documents as term-id sequences (sentences
 * separated by AVIS_TERM_BREAK) over the corpus's own term table, with
 * document frequencies and label bit masks. */
struct avis_corpus {
  avis_term_reader reader;
  avis_strmap terms;   /* term text -> corpus term id */
  avis_vec df;         /* uint32_t per term id */
  avis_vec last_doc;   /* uint32_t per term id: last document + 1 that had it */
  avis_vec seq;        /* uint32_t */
  avis_vec doc_start;  /* size_t per document, and one past the last */
  avis_vec doc_labels; /* uint64_t per document */
  avis_vec doc_bytes;  /* size_t per document: input size */
  avis_vec doc_weight; /* double per document */
  avis_strmap labels;  /* label id -> bit */
  avis_terms_kind kind;
  avis_corpus_readers *readers; /* avis_corpus_add_batch()'s threads */
};

size_t avis_corpus_doc_count(const avis_corpus *c);
/* The term-id sequence of document d. */
const uint32_t *avis_corpus_doc(const avis_corpus *c, size_t d, size_t *n);
uint64_t avis_corpus_doc_label_mask(const avis_corpus *c, size_t d);
double avis_corpus_doc_weight(const avis_corpus *c, size_t d);
/* The text of corpus term `id`. */
const char *avis_corpus_term(const avis_corpus *c, uint32_t id, size_t *len);

/* Building blocks of avis_corpus_add_weighted() and
 * avis_corpus_add_batch(). check_doc: AVIS_ERR_ARG for a weight outside
 * (0, 100], AVIS_ERR_TOO_LARGE when the corpus is full. label_mask: the
 * label bits, adding new labels (AVIS_ERR_ARG past AVIS_MAX_LABELS).
 * intern: the id of a term's text, adding it, counted in document `doc`;
 * count_term: the same for a known id. append: adds a document whose
 * terms fill(corpus, doc, user) pushes to c->seq (0 or AVIS_ERR_NOMEM);
 * on failure, nothing of it is kept. */
int avis_corpus_check_doc(const avis_corpus *c, double weight);
int avis_corpus_label_mask(avis_corpus *c, const char *const *labels,
                           size_t n, uint64_t *mask);
int avis_corpus_intern(avis_corpus *c, const char *s, size_t n, uint32_t doc,
                       uint32_t *id);
void avis_corpus_count_term(avis_corpus *c, uint32_t id, uint32_t doc);
int avis_corpus_append(avis_corpus *c, uint64_t mask, size_t bytes,
                       double weight,
                       int (*fill)(avis_corpus *, uint32_t, void *),
                       void *user);

/* Counts the terms of documents docs[0..ndocs) into rows, keeping only
 * terms with map[id] != AVIS_TERM_BREAK and renaming them to map[id]. */
int avis_corpus_count(const avis_corpus *c, const size_t *docs, size_t ndocs,
                      const uint32_t *map, avis_csr *out);

#endif
