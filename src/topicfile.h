/* Classifier model files (docs/model-format.md): the in-memory classifier,
 * the writer, the validating loader and the text dump. A loaded file is
 * mapped read-only and used in place; nothing in it is trusted before it has
 * been checked. */
#ifndef AVIS_TOPICFILE_H
#define AVIS_TOPICFILE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "avis_train.h"
#include "buf.h"

/* Model files are little-endian whatever the host (docs/model-format.md);
 * these read and append their integers byte by byte. */
static inline uint32_t avis_le32_get(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

static inline uint64_t avis_le64_get(const unsigned char *p) {
  return (uint64_t)avis_le32_get(p) | (uint64_t)avis_le32_get(p + 4) << 32;
}

static inline int avis_le32_put(avis_buf *b, uint32_t v) {
  unsigned char p[4] = {(unsigned char)v, (unsigned char)(v >> 8),
                        (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
  return avis_buf_append(b, p, 4);
}

/* A float stored as its IEEE-754 bits, little-endian. */
static inline float avis_f32_get(const unsigned char *p) {
  uint32_t u = avis_le32_get(p);
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

static inline int avis_f32_put(avis_buf *b, float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return avis_le32_put(b, u);
}

/* Mapped images are used in place only on little-endian hosts. */
static inline int avis_host_is_little_endian(void) {
  const uint16_t one = 1;
  return *(const unsigned char *)&one == 1;
}

static inline int avis_le64_put(avis_buf *b, uint64_t v) {
  return avis_le32_put(b, (uint32_t)v) || avis_le32_put(b, (uint32_t)(v >> 32));
}

#define AVIS_MODEL_MAGIC "\x89" "AVM\r\n\x1a\n"
#define AVIS_MODEL_VERSION 1u
#define AVIS_MODEL_HEADER_SIZE 64u

/* Feature transforms applied to term counts before scoring (PARM flags). */
#define AVIS_NB_LOG_TF AVIS_FEATURE_LOG_TF /* count n becomes log(1 + n) */
#define AVIS_NB_L2 AVIS_FEATURE_L2         /* unit-length count vectors */

typedef struct {
  const char *id, *name; /* NUL-terminated, inside the file */
  float threshold;       /* tag when the share reaches it */
  float bias;            /* added to the label's score */
} avis_nb_label;

/* What a model holds, whichever way it was made. */
typedef struct {
  uint32_t kind;          /* avis_classifier_kind */
  uint32_t nlabels, nterms;
  uint32_t flags;         /* AVIS_NB_* */
  float scale;            /* scores are multiplied by it before softmax */
  float doc_weight;       /* weight of the whole-document posterior in shares */
  float alpha;            /* smoothing the model was trained with */
  uint32_t passage_terms; /* a passage gathers sentences up to this many terms */
  float passage_win;      /* posterior with which a topic wins a passage */
  float tag_floor;        /* share a passage winner needs to be tagged */
} avis_nb_params;

struct avis_classifier {
  avis_nb_params p;
  avis_nb_label *labels;    /* nlabels */
  float *bias, *threshold;  /* nlabels each, copied from the labels */
  const uint32_t *term_ref; /* nterms pairs: offset in term_pool, length */
  const char *term_pool;
  const uint32_t *slots;    /* hash table: term index + 1, 0 when empty */
  uint32_t nslots;          /* a power of two */
  const float *weights;     /* nterms rows of nlabels */
  const char *provenance;   /* NUL-terminated text */
  const void *image;        /* the file's bytes */
  size_t image_len;
  void *map;                /* the mapped file, or NULL */
  size_t map_len;
  void *owned;              /* bytes held in memory instead of mapped */
};

/* A label and its numbers, as the trainer hands them to the writer. */
typedef struct {
  const char *id, *name;
  double threshold, bias;
} avis_nb_label_spec;

/* Serialises a model into `out` (cleared first): `terms` are nterms
 * NUL-terminated strings, `weights` nterms × nlabels values. */
int avis_model_file_write(avis_buf *out, const avis_nb_params *p,
                          const avis_nb_label_spec *labels,
                          const char *const *terms, const double *weights,
                          const char *provenance);

/* The container every model file shares: a header, a table of sections,
 * 8-byte-aligned sections. A writer calls begin, then section_begin,
 * writes the section's bytes and calls section_end for each section in
 * table order, then finish, which fills the header and checksums. */
int avis_model_file_begin(avis_buf *out, uint32_t nsections);
int avis_model_file_section_begin(avis_buf *out, size_t *start);
void avis_model_file_section_end(avis_buf *out, uint32_t index,
                                 const char *tag, size_t start);
void avis_model_file_finish(avis_buf *out, uint32_t nsections);

/* A section of a file image. */
typedef struct {
  const unsigned char *data;
  uint64_t size;
} avis_file_section;

/* Checks the header (magic, version, size, checksums) of the image
 * d[0..len) and finds the sections tagged tags[0..ntags): each must be
 * present once and lie inside the file. `name` names the file in errors. */
int avis_model_file_sections(const unsigned char *d, size_t len,
                             const char *name, const char (*tags)[5],
                             size_t ntags, avis_file_section *sec);

/* Checks and opens the file image data[0..len), which must stay valid and
 * unchanged while the classifier lives (it is taken over when `owned`).
 * `name` names the file in error messages. */
int avis_model_file_parse(avis_classifier **out, void *data, size_t len,
                          int owned, const char *name);

/* Index of a term, or UINT32_MAX when the model does not know it. */
uint32_t avis_classifier_term(const avis_classifier *cl, const char *s,
                              size_t n);
const char *avis_classifier_term_text(const avis_classifier *cl, uint32_t i,
                                      size_t *len);

/* CRC-32 (ISO-HDLC, the one of zlib and PNG) of data[0..n), continuing
 * from `crc` (0 to start). */
uint32_t avis_crc32(uint32_t crc, const void *data, size_t n);

/* Writes `len` bytes to path whole or not at all: to path.tmp, renamed
 * over path once written and closed; on failure path is untouched and the
 * error names it. */
int avis_write_file_whole(const char *path, const void *data, size_t len);

/* Formats x with `decimals` digits after a '.', whatever the C locale. */
void avis_format_fixed(char *buf, size_t size, double x, int decimals);

#endif
