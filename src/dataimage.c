/* Data images: writer, validating loader, and the build and check behind
 * `avis data-image`. The layout is specified in docs/model-format.md ("Data
 * images"); it lives in the container of the model files (topicfile.h).
 * Every count, offset and index read from an image is checked before it is
 * used, even though an image whose checksum holds was written by the
 * builder: the fuzz target feeds the loader crafted ones. */
#define _POSIX_C_SOURCE 200809L
#include "dataimage.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

#include "avis_train.h"
#include "error.h"
#include "lexicon_io.h"
#include "model.h"
#include "normalize.h"
#include "stem.h"
#include "topicfile.h"

#define IMAGE_VERSION 1u
#define NSOURCES 3u
#define IDENTITY_SIZE 128u
#define VERSION_FIELD 32u
#define SOURCE_HEADER_SIZE 32u
#define MAP_HEADER_SIZE 16u
#define ENTRY_RECORD_SIZE 12u
#define MODIFIER_RECORD_SIZE 8u
/* Far beyond the default data (7,000 terms), small enough that no size
 * computed from these can overflow. */
#define MAX_ITEMS (1u << 24)
#define MAX_IMAGE_SIZE ((size_t)1 << 30)
/* The builder's tables are at most half full; a crafted image could make
 * every lookup walk one long run of occupied slots. */
#define MAX_PROBE_RUN 1024u

enum {
  SEC_DIMG, SEC_LSRC, SEC_LENT, SEC_LFRM, SEC_LSTM, SEC_LMWE,
  SEC_MITM, SEC_MFRM, SEC_MMWE, SEC_STOP, NSEC
};
static const char section_tags[NSEC][5] = {
    "DIMG", "LSRC", "LENT", "LFRM", "LSTM", "LMWE",
    "MITM", "MFRM", "MMWE", "STOP"};

/* The source files, in the order of the identity section. */
static const char *const source_files[NSOURCES] = {
    AVIS_DEFAULT_LEXICON, AVIS_DEFAULT_MODIFIERS, AVIS_DEFAULT_STOPWORDS};

#define BAD(...) avis_fail(AVIS_ERR_FORMAT, __VA_ARGS__)

/* ---- Identity: the sources and the libraries an image was built from -- */

/* Words whose normalised forms and Snowball stems stand for the behaviour
 * of utf8proc, src/normalize.c and libstemmer: case folding, NFC,
 * apostrophes, ligatures, and the suffix classes of the French stemmer. */
static const char *const probe_words[] = {
    "continuation", "continuelle", "abaissement", "généralement",
    "heureusement", "nationalité", "cherchaient", "finissions", "mangeâmes",
    "amoureuses", "décevantes", "chevaux", "jeux", "travaillé",
    "gouvernement", "évidemment", "impressionnante", "inoubliables",
    "catastrophique", "bouleversant", "pourrait", "déçue", "ennuyeux",
    "magnifiquement", "tristesse", "réussites", "créatrices", "logiques",
    "fidèlement", "hôpitaux", "reçurent", "naïveté", "ÉCOLE", "Ça",
    "\xEF\xAC\x81nale",              /* ﬁnale: ligature */
    "l\xE2\x80\x99" "avis",          /* l’avis: typographic apostrophe */
    "in\xC2\xAD" "croyable",         /* soft hyphen */
    "e\xCC\x81t\xC3\xA9",            /* été with a combining accent */
    "C\xC5\x92UR", "\xC5\x93uvre",   /* CŒUR, œuvre */
    "STRA\xC3\x9F" "E", "\xCE\x9F\xCE\x94\xCE\x9F\xCE\xA3", /* STRAßE, ΟΔΟΣ */
    "\xEF\xBC\xA1\xEF\xBC\xA2",      /* ＡＢ: fullwidth */
    "arc\xE2\x80\x91" "en\xE2\x80\x90" "ciel"};               /* non-ASCII hyphens */

/* avis_hash() of every probe's normalised form and stem: the slot tables
 * of an image are laid out by avis_hash(), so it is part of the print. */
static int probe_print(uint64_t *out) {
  avis_stemmer *st;
  if (avis_stemmer_new(&st))
    return -1;
  avis_buf norm = {0}, all = {0};
  int rc = 0;
  for (size_t i = 0; !rc && i < sizeof probe_words / sizeof *probe_words; i++) {
    uint32_t off, len;
    size_t stem_len;
    avis_buf_clear(&norm);
    rc = avis_normalize(&norm, probe_words[i], strlen(probe_words[i]), &off,
                        &len);
    const char *stem =
        rc ? NULL : avis_stem(st, norm.data + off, len, &stem_len);
    rc = !stem || avis_buf_append(&all, norm.data + off, (size_t)len + 1) ||
         avis_buf_append(&all, stem, stem_len + 1);
  }
  if (!rc)
    *out = avis_hash(all.data, all.len);
  avis_stemmer_free(st);
  avis_buf_release(&norm);
  avis_buf_release(&all);
  return rc ? -1 : 0;
}

/* Size and CRC-32 of a file. Silent (-1 on failure): a load that cannot
 * use the image parses instead, and the parse reports the problem. */
static int file_print(const char *path, uint64_t *size, uint32_t *crc) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return -1;
  unsigned char chunk[16384];
  size_t got;
  *size = 0;
  *crc = 0;
  while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
    *crc = avis_crc32(*crc, chunk, got);
    *size += got;
  }
  int failed = ferror(f);
  fclose(f);
  return failed ? -1 : 0;
}

static int put_version(avis_buf *b, const char *version) {
  char field[VERSION_FIELD] = {0};
  size_t n = strlen(version);
  memcpy(field, version, n < VERSION_FIELD - 1 ? n : VERSION_FIELD - 1);
  return avis_buf_append(b, field, VERSION_FIELD);
}

/* Appends the identity section of the sources now in data_dir and of this
 * library: what an image must carry to be used. Silent (-1 on failure). */
static int identity(avis_buf *out, const char *data_dir) {
  uint64_t print;
  if (probe_print(&print))
    return -1;
  int rc = avis_le32_put(out, IMAGE_VERSION) ||
           avis_le32_put(out, NSOURCES) || avis_le64_put(out, print);
  for (unsigned i = 0; !rc && i < NSOURCES; i++) {
    char *path = avis_data_path(data_dir, source_files[i]);
    uint64_t size;
    uint32_t crc;
    rc = !path || file_print(path, &size, &crc) ||
         avis_le64_put(out, size) || avis_le32_put(out, crc) ||
         avis_le32_put(out, 0);
    free(path);
  }
  if (!rc)
    rc = put_version(out, avis_version()) ||
         put_version(out, utf8proc_version());
  return rc ? -1 : 0;
}

/* ---- Writer ------------------------------------------------------------ */

static int write_source(avis_buf *b, const avis_lexicon *lex) {
  const avis_lex_source *src = lex->sources.data;
  /* The problem is stored without the path, which the loader supplies. */
  size_t plen = strlen(src->path);
  const char *problem = src->first_problem ? src->first_problem : "";
  if (strncmp(problem, src->path, plen) == 0)
    problem += plen;
  size_t n = strlen(problem);
  return avis_le32_put(b, (uint32_t)src->format) ||
         avis_le32_put(b, (uint32_t)src->has_emotions) ||
         avis_le32_put(b, (uint32_t)lex->has_emotions) ||
         avis_le32_put(b, (uint32_t)n) || avis_le64_put(b, src->entries) ||
         avis_le64_put(b, src->skipped) || avis_buf_append(b, problem, n + 1);
}

static int write_entries(avis_buf *b, const avis_lexicon *lex) {
  const avis_lex_entry *e = lex->entries.data;
  int rc = avis_le32_put(b, (uint32_t)lex->entries.len) || avis_le32_put(b, 0);
  for (size_t i = 0; !rc && i < lex->entries.len; i++) {
    unsigned char small[4] = {e[i].emotions, e[i].nwords,
                              (unsigned char)e[i].source,
                              (unsigned char)(e[i].source >> 8)};
    rc = avis_f32_put(b, e[i].polarity) || avis_f32_put(b, e[i].subjectivity) ||
         avis_buf_append(b, small, 4);
  }
  return rc;
}

static int write_modifiers(avis_buf *b, const avis_modifiers *mods) {
  const avis_modifier *m = mods->items.data;
  int rc = avis_le32_put(b, (uint32_t)mods->items.len) || avis_le32_put(b, 0);
  for (size_t i = 0; !rc && i < mods->items.len; i++) {
    unsigned char small[4] = {m[i].kind, m[i].nwords, 0, 0};
    rc = avis_buf_append(b, small, 4) || avis_f32_put(b, m[i].weight);
  }
  return rc;
}

/* The map as it is in memory: the slots, the entries, the keys. */
static int write_map(avis_buf *b, const avis_strmap *m) {
  int rc = avis_le32_put(b, (uint32_t)m->nslots) ||
           avis_le32_put(b, (uint32_t)m->count) ||
           avis_le32_put(b, (uint32_t)m->keys_len) || avis_le32_put(b, 0);
  for (size_t i = 0; !rc && i < m->nslots; i++)
    rc = avis_le32_put(b, m->slots[i].entry) ||
         avis_le32_put(b, m->slots[i].hash);
  for (size_t i = 0; !rc && i < m->count; i++)
    rc = avis_le32_put(b, m->entries[i].koff) ||
         avis_le32_put(b, m->entries[i].klen) ||
         avis_le32_put(b, m->entries[i].val);
  return rc || avis_buf_append(b, m->keys, m->keys_len);
}

static int write_section(avis_buf *b, int which, const avis_buf *id,
                         const avis_model *m) {
  switch (which) {
  case SEC_DIMG: return avis_buf_append(b, id->data, id->len);
  case SEC_LSRC: return write_source(b, &m->lexicon);
  case SEC_LENT: return write_entries(b, &m->lexicon);
  case SEC_LFRM: return write_map(b, &m->lexicon.forms);
  case SEC_LSTM: return write_map(b, &m->lexicon.stems);
  case SEC_LMWE: return write_map(b, &m->lexicon.mwe_first);
  case SEC_MITM: return write_modifiers(b, &m->modifiers);
  case SEC_MFRM: return write_map(b, &m->modifiers.forms);
  case SEC_MMWE: return write_map(b, &m->modifiers.mwe_first);
  default: return write_map(b, &m->stopwords);
  }
}

static int write_image(avis_buf *out, const avis_buf *id, const avis_model *m) {
  int rc = avis_model_file_begin(out, NSEC);
  for (int s = 0; !rc && s < NSEC; s++) {
    size_t start;
    if ((rc = avis_model_file_section_begin(out, &start)) != 0 ||
        (rc = write_section(out, s, id, m)) != 0)
      break;
    avis_model_file_section_end(out, (uint32_t)s, section_tags[s], start);
  }
  if (rc)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory writing a data image");
  avis_model_file_finish(out, NSEC);
  return 0;
}

/* ---- Loader ------------------------------------------------------------ */

typedef avis_file_section section;

/* Fields of the identity that tell what it is; what it says is compared
 * with the sources by avis_data_image_open(). */
static int read_identity(const section *s, const char *name) {
  if (s->size != IDENTITY_SIZE || avis_le32_get(s->data) != IMAGE_VERSION ||
      avis_le32_get(s->data + 4) != NSOURCES)
    return BAD("%s: DIMG section malformed or of another version", name);
  return 0;
}

static int add_source(const section *s, const char *name,
                      const char *lexicon_path, avis_lexicon *lex) {
  const unsigned char *d = s->data;
  uint32_t plen = s->size >= SOURCE_HEADER_SIZE ? avis_le32_get(d + 12) : 0;
  if (s->size < SOURCE_HEADER_SIZE || s->size != SOURCE_HEADER_SIZE + (uint64_t)plen + 1 ||
      d[SOURCE_HEADER_SIZE + plen] != '\0' ||
      memchr(d + SOURCE_HEADER_SIZE, '\0', plen))
    return BAD("%s: LSRC section malformed", name);
  uint32_t format = avis_le32_get(d), emotions = avis_le32_get(d + 4),
           all_emotions = avis_le32_get(d + 8);
  uint64_t entries = avis_le64_get(d + 16), skipped = avis_le64_get(d + 24);
  if (format > AVIS_LEXICON_VADER || emotions > 1 || all_emotions > 1 ||
      entries > AVIS_DATAFILE_MAX || skipped > AVIS_DATAFILE_MAX ||
      !skipped != !plen)
    return BAD("%s: LSRC section out of range", name);
  avis_lex_source *src = avis_vec_push(&lex->sources, sizeof *src);
  size_t path_len = strlen(lexicon_path);
  if (!src || !(src->path = malloc(path_len + 1)) ||
      (plen && !(src->first_problem = malloc(path_len + plen + 1))))
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  memcpy(src->path, lexicon_path, path_len + 1);
  if (plen) {
    memcpy(src->first_problem, lexicon_path, path_len);
    memcpy(src->first_problem + path_len, d + SOURCE_HEADER_SIZE, plen + 1);
  }
  src->format = (avis_lexicon_format)format;
  src->has_emotions = (int)emotions;
  src->entries = (size_t)entries;
  src->skipped = (size_t)skipped;
  lex->has_emotions = (int)all_emotions;
  return 0;
}

/* A table's header: `count` records of `record` bytes after 8 bytes. */
static int read_count(const section *s, const char *name, const char *tag,
                      uint32_t record, uint32_t *count) {
  *count = s->size >= 8 ? avis_le32_get(s->data) : 0;
  if (s->size < 8 || *count > MAX_ITEMS || avis_le32_get(s->data + 4) ||
      s->size != 8 + (uint64_t)*count * record)
    return BAD("%s: %s section malformed", name, tag);
  return 0;
}

static int in_range(float x, float lo, float hi) { return x >= lo && x <= hi; }

/* The entries are copied, not borrowed: an avis_vec owns its array. */
static int read_entries(const section *s, const char *name, avis_lexicon *lex) {
  uint32_t n;
  int rc = read_count(s, name, "LENT", ENTRY_RECORD_SIZE, &n);
  if (rc)
    return rc;
  if (n && avis_vec_reserve(&lex->entries, n, sizeof(avis_lex_entry)))
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  avis_lex_entry *e = lex->entries.data;
  if (n) /* an empty vector has no array, and memset() wants one */
    memset(e, 0, (size_t)n * sizeof *e);
  for (uint32_t i = 0; i < n; i++) {
    const unsigned char *r = s->data + 8 + (size_t)i * ENTRY_RECORD_SIZE;
    e[i].polarity = avis_f32_get(r);
    e[i].subjectivity = avis_f32_get(r + 4);
    e[i].emotions = r[8];
    e[i].nwords = r[9];
    e[i].source = (uint16_t)(r[10] | r[11] << 8);
    if (!in_range(e[i].polarity, -1, 1) ||
        !(e[i].subjectivity == -1 || in_range(e[i].subjectivity, 0, 1)) ||
        e[i].emotions >> AVIS_EMOTION_COUNT || e[i].nwords < 1 ||
        e[i].nwords > AVIS_TERM_MAX_WORDS || e[i].source != 0)
      return BAD("%s: lexicon entry %u out of range", name, i);
  }
  lex->entries.len = n;
  return 0;
}

static int read_modifiers(const section *s, const char *name,
                          avis_modifiers *mods) {
  uint32_t n;
  int rc = read_count(s, name, "MITM", MODIFIER_RECORD_SIZE, &n);
  if (rc)
    return rc;
  if (n && avis_vec_reserve(&mods->items, n, sizeof(avis_modifier)))
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  avis_modifier *m = mods->items.data;
  if (n)
    memset(m, 0, (size_t)n * sizeof *m);
  for (uint32_t i = 0; i < n; i++) {
    const unsigned char *r = s->data + 8 + (size_t)i * MODIFIER_RECORD_SIZE;
    m[i].kind = r[0];
    m[i].nwords = r[1];
    m[i].weight = avis_f32_get(r + 4);
    if (m[i].kind == AVIS_MOD_NONE || m[i].kind > AVIS_MOD_CONTRAST ||
        m[i].nwords < 1 || m[i].nwords > AVIS_TERM_MAX_WORDS || r[2] || r[3] ||
        !isfinite(m[i].weight))
      return BAD("%s: modifier %u out of range", name, i);
  }
  mods->items.len = n;
  return 0;
}

/* Longest run of occupied slots, counted from an empty one so that a run
 * wrapping around the end is seen whole. The caller ensures one is empty. */
static size_t longest_run(const avis_strmap_slot *slots, size_t n) {
  size_t start = 0;
  while (slots[start].entry)
    start++;
  size_t longest = 0, run = 0;
  for (size_t k = 1; k <= n; k++) {
    run = slots[(start + k) & (n - 1)].entry ? run + 1 : 0;
    if (run > longest)
      longest = run;
  }
  return longest;
}

/* Each slot names an entry or none, as many name one as there are
 * entries (so at least one is empty, which ends every probe), and no
 * probe runs long. */
static int check_slots(const avis_strmap_slot *slots, size_t nslots,
                       size_t count) {
  if (!nslots)
    return 0;
  size_t used = 0;
  for (size_t i = 0; i < nslots; i++) {
    if (slots[i].entry > count)
      return -1;
    used += slots[i].entry != 0;
  }
  return used == count && longest_run(slots, nslots) <= MAX_PROBE_RUN ? 0 : -1;
}

/* Each key lies inside the pool, NUL after it; each value is at most
 * `max_val`. */
static int check_entries(const avis_strmap_entry *e, size_t count,
                         const char *keys, size_t keys_len, uint32_t max_val) {
  for (size_t i = 0; i < count; i++)
    if (e[i].koff >= keys_len || e[i].klen >= keys_len - e[i].koff ||
        keys[e[i].koff + e[i].klen] != '\0' || e[i].val > max_val)
      return -1;
  return 0;
}

/* A map section: u32 nslots, count, keys_len, 0; the slots; the entries;
 * the keys. The map borrows the three arrays. */
static int read_map(const section *s, const char *name, const char *tag,
                    uint32_t max_val, avis_strmap *m) {
  const unsigned char *d = s->data;
  if (s->size < MAP_HEADER_SIZE || avis_le32_get(d + 12))
    return BAD("%s: %s section malformed", name, tag);
  uint32_t nslots = avis_le32_get(d), count = avis_le32_get(d + 4),
           keys_len = avis_le32_get(d + 8);
  uint64_t slots_size = (uint64_t)nslots * sizeof(avis_strmap_slot);
  uint64_t entries_size = (uint64_t)count * sizeof(avis_strmap_entry);
  if (nslots > 2 * MAX_ITEMS || (nslots & (nslots - 1)) ||
      (nslots ? count >= nslots : (count || keys_len)) ||
      s->size != MAP_HEADER_SIZE + slots_size + entries_size + keys_len)
    return BAD("%s: %s section malformed (%u slots, %u entries)", name, tag,
               nslots, count);
  const avis_strmap_slot *slots = (const avis_strmap_slot *)(d + MAP_HEADER_SIZE);
  const avis_strmap_entry *entries =
      (const avis_strmap_entry *)(d + MAP_HEADER_SIZE + slots_size);
  const char *keys = (const char *)d + MAP_HEADER_SIZE + slots_size + entries_size;
  if (check_slots(slots, nslots, count))
    return BAD("%s: %s section: slots do not match the entries", name, tag);
  if (check_entries(entries, count, keys, keys_len, max_val))
    return BAD("%s: %s section: a key or value out of range", name, tag);
  avis_strmap_borrow(m, slots, nslots, entries, count, keys, keys_len);
  return 0;
}

static int read_tables(const section *sec, const char *name,
                       const char *lexicon_path, const avis_data_tables *t) {
  avis_lexicon *lex = t->lexicon;
  avis_modifiers *mods = t->modifiers;
  int rc;
  if ((rc = read_identity(&sec[SEC_DIMG], name)) ||
      (rc = add_source(&sec[SEC_LSRC], name, lexicon_path, lex)) ||
      (rc = read_entries(&sec[SEC_LENT], name, lex)) ||
      (rc = read_modifiers(&sec[SEC_MITM], name, mods)))
    return rc;
  if (!lex->entries.len || !mods->items.len)
    return BAD("%s: no lexicon entries or no modifiers", name);
  /* Values index the entries (forms, stems), count words (expressions) or
   * say "present" (stop words). */
  uint32_t last_entry = (uint32_t)lex->entries.len - 1;
  uint32_t last_item = (uint32_t)mods->items.len - 1;
  if ((rc = read_map(&sec[SEC_LFRM], name, "LFRM", last_entry, &lex->forms)) ||
      (rc = read_map(&sec[SEC_LSTM], name, "LSTM", last_entry, &lex->stems)) ||
      (rc = read_map(&sec[SEC_LMWE], name, "LMWE", AVIS_TERM_MAX_WORDS,
                     &lex->mwe_first)) ||
      (rc = read_map(&sec[SEC_MFRM], name, "MFRM", last_item, &mods->forms)) ||
      (rc = read_map(&sec[SEC_MMWE], name, "MMWE", AVIS_TERM_MAX_WORDS,
                     &mods->mwe_first)) ||
      (rc = read_map(&sec[SEC_STOP], name, "STOP", 1, t->stopwords)))
    return rc;
  /* Form i's entry is entry i (lexicon.c), stem entries come after. */
  if (lex->forms.count > lex->entries.len ||
      mods->forms.count != mods->items.len)
    return BAD("%s: tables and entries do not match", name);
  return 0;
}

static void release_tables(const avis_data_tables *t) {
  avis_lexicon_release(t->lexicon);
  avis_modifiers_release(t->modifiers);
  avis_strmap_release(t->stopwords);
}

/* Parses and hands back where the identity section is. */
static int parse(const unsigned char *d, size_t len, const char *name,
                 const char *lexicon_path, const avis_data_tables *t,
                 const unsigned char **id) {
  if (!avis_host_is_little_endian())
    return BAD("%s: data images are read on little-endian hosts only", name);
  if ((uintptr_t)d % 8)
    return avis_fail(AVIS_ERR_ARG, "%s: image not 8-byte aligned", name);
  section sec[NSEC];
  int rc = avis_model_file_sections(d, len, name, section_tags, NSEC, sec);
  if (!rc)
    rc = read_tables(sec, name, lexicon_path, t);
  if (rc) {
    release_tables(t);
    return rc;
  }
  *id = sec[SEC_DIMG].data;
  return 0;
}

int avis_data_image_parse(const unsigned char *d, size_t len,
                          const char *name, const char *lexicon_path,
                          const avis_data_tables *t) {
  const unsigned char *id;
  return parse(d, len, name, lexicon_path, t, &id);
}

/* Maps a file read-only; silent, as a missing image is no error. */
static int map_file(const char *path, avis_data_image *img) {
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return -1;
  struct stat st;
  void *map = MAP_FAILED;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
      st.st_size >= (off_t)AVIS_MODEL_HEADER_SIZE &&
      (uint64_t)st.st_size <= MAX_IMAGE_SIZE)
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (map == MAP_FAILED)
    return -1;
  img->map = map;
  img->len = (size_t)st.st_size;
  return 0;
}

int avis_data_image_open(avis_data_image *img, const avis_data_tables *t,
                         const char *data_dir, const char *lexicon_path,
                         int strict) {
  if (!avis_host_is_little_endian())
    return 0;
  char *path = avis_data_path(data_dir, AVIS_DEFAULT_DATA_IMAGE);
  avis_buf id = {0};
  const unsigned char *image_id;
  int used = path && map_file(path, img) == 0 && identity(&id, data_dir) == 0 &&
             parse(img->map, img->len, path, lexicon_path, t, &image_id) == 0;
  if (used && (memcmp(image_id, id.data, IDENTITY_SIZE) != 0 ||
               (strict && ((avis_lex_source *)t->lexicon->sources.data)->skipped))) {
    release_tables(t);
    used = 0;
  }
  if (!used)
    avis_data_image_close(img);
  avis_buf_release(&id);
  free(path);
  return used;
}

void avis_data_image_close(avis_data_image *img) {
  if (img->map)
    munmap(img->map, img->len);
  img->map = NULL;
  img->len = 0;
}

/* ---- Build and check --------------------------------------------------- */

/* The image of data_dir's sources as they are now, and its identity. */
static int build_image(avis_buf *out, avis_buf *id, const char *data_dir) {
  avis_model_options *opts;
  avis_model *m = NULL;
  int rc = avis_model_options_new(&opts);
  if (!rc && !(rc = avis_model_options_set_data_dir(opts, data_dir)) &&
      !(rc = avis_model_options_use_topics(opts, 0)) &&
      !(rc = avis_model_options_use_data_image(opts, 0)))
    rc = avis_model_load(&m, opts);
  avis_model_options_free(opts);
  if (!rc && identity(id, data_dir))
    rc = avis_fail(AVIS_ERR_IO, "%s: cannot read the default data files",
                   data_dir);
  if (!rc)
    rc = write_image(out, id, m);
  avis_model_free(m);
  return rc;
}

int avis_data_image_build(const char *data_dir, const char *path) {
  if (!data_dir)
    return avis_fail(AVIS_ERR_ARG, "avis_data_image_build: NULL data_dir");
  char *dflt = path ? NULL : avis_data_path(data_dir, AVIS_DEFAULT_DATA_IMAGE);
  if (!path && !dflt)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  avis_buf image = {0}, id = {0};
  int rc = build_image(&image, &id, data_dir);
  if (!rc)
    rc = avis_write_file_whole(path ? path : dflt, image.data, image.len);
  avis_buf_release(&image);
  avis_buf_release(&id);
  free(dflt);
  return rc;
}

/* Why an image whose bytes differ from a fresh build's differs: its
 * identity `old` against the fresh one `now`. */
static avis_data_image_status explain(const unsigned char *old,
                                      const unsigned char *now, char *why,
                                      size_t why_size) {
  for (unsigned i = 0; i < NSOURCES; i++) {
    const unsigned char *o = old + 16 + 16 * i, *n = now + 16 + 16 * i;
    if (memcmp(o, n, 16) != 0) {
      snprintf(why, why_size, "%s changed since the image was built",
               source_files[i]);
      return AVIS_DATA_IMAGE_STALE;
    }
  }
  const char *ov = (const char *)old + 64, *ou = ov + VERSION_FIELD;
  const char *nv = (const char *)now + 64, *nu = nv + VERSION_FIELD;
  if (memcmp(ov, nv, 2 * VERSION_FIELD) != 0) {
    snprintf(why, why_size,
             "built by avis %.31s with utf8proc %.31s; this is avis %.31s "
             "with utf8proc %.31s", ov, ou, nv, nu);
    return AVIS_DATA_IMAGE_FOREIGN;
  }
  if (memcmp(old + 8, now + 8, 8) != 0) {
    snprintf(why, why_size, "built with a normaliser or Snowball stemmer "
                            "that give other results than this library's");
    return AVIS_DATA_IMAGE_FOREIGN;
  }
  snprintf(why, why_size, "matches the sources and libraries, but a build "
                          "now writes other tables: the loaders changed");
  return AVIS_DATA_IMAGE_DIFFERENT;
}

/* Compares the image file's bytes `old` with a fresh build's. */
static avis_data_image_status compare(const avis_buf *old, const avis_buf *now,
                                      const avis_buf *id, const char *path,
                                      char *why, size_t why_size) {
  if (old->len == now->len && memcmp(old->data, now->data, now->len) == 0) {
    snprintf(why, why_size, "up to date");
    return AVIS_DATA_IMAGE_CURRENT;
  }
  avis_lexicon lex = {0};
  avis_modifiers mods = {0};
  avis_strmap stop = {0};
  avis_data_tables t = {&lex, &mods, &stop};
  const unsigned char *old_id;
  if (parse((const unsigned char *)old->data, old->len, path, "", &t,
            &old_id)) {
    snprintf(why, why_size, "%s", avis_last_error());
    return AVIS_DATA_IMAGE_DAMAGED;
  }
  release_tables(&t);
  return explain(old_id, (const unsigned char *)id->data, why, why_size);
}

int avis_data_image_check(const char *data_dir, const char *path,
                          avis_data_image_status *status, char *why,
                          size_t why_size) {
  if (!data_dir || !status)
    return avis_fail(AVIS_ERR_ARG, "avis_data_image_check: NULL argument");
  char none[1];
  if (!why || !why_size) {
    why = none;
    why_size = sizeof none;
  }
  char *dflt = path ? NULL : avis_data_path(data_dir, AVIS_DEFAULT_DATA_IMAGE);
  if (!path && !dflt)
    return avis_fail(AVIS_ERR_NOMEM, "out of memory");
  path = path ? path : dflt;
  avis_buf now = {0}, id = {0}, old = {0};
  int rc = build_image(&now, &id, data_dir);
  if (!rc && avis_buf_read_file(&old, path) != 0) {
    snprintf(why, why_size, "%s", avis_last_error());
    *status = AVIS_DATA_IMAGE_MISSING;
  } else if (!rc) {
    *status = compare(&old, &now, &id, path, why, why_size);
  }
  avis_buf_release(&now);
  avis_buf_release(&id);
  avis_buf_release(&old);
  free(dflt);
  return rc;
}
