/* French tokeniser and sentence segmenter. The rules are listed in
 * tokenize.h and explained for users in docs/tokenizer.md.
 *
 * The text is read once, left to right. Every scanner either consumes what
 * it reads or gives up after a look-ahead of a few characters; the one
 * longer look-ahead (is this run of characters an e-mail address or a host
 * name?) is made once per run. A sentence boundary is decided when the
 * token after the full stop arrives. So the time is linear in the input,
 * whatever it holds. ASCII is classified through a table; utf8proc is asked
 * only about other characters. Common words take a shortcut
 * (common_word_end()) that gives up, to the general rules, on anything it
 * is not sure of; a word is then read at most twice. */
#include "buf.h"
#include "tokenize.h"

#include <string.h>
#include <utf8proc.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* emit_inline() runs once per token; the work it rarely needs (case
 * flags, sentence ends) is kept out of it, so that the common path stays
 * short and saves few registers. The few functions of the common path
 * (one word or punctuation mark and the space after it) are inlined. */
#if defined(__GNUC__)
#define COLD __attribute__((noinline))
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define COLD
#define ALWAYS_INLINE inline
#endif

/* ---- Character classes ------------------------------------------------- */

enum {
  C_SPACE = 0x001,  /* separates tokens: white space, control characters */
  C_UPPER = 0x002,  /* upper- or title-case letter */
  C_LOWER = 0x004,  /* lower-case letter */
  C_LETTER = 0x008, /* any letter */
  C_DIGIT = 0x010,  /* decimal digit */
  C_WORD = 0x020,   /* continues a word: letters, digits, marks, '_' */
  C_MARK = 0x040,   /* combining mark: part of the character before it */
  C_FORMAT = 0x080, /* invisible: soft hyphen, joiners, byte-order mark */
  C_ADDR = 0x100,   /* ASCII allowed in e-mail local parts and host names */
  C_PLAIN = 0x200,  /* ASCII that may follow a word without changing it */
  C_OPENS = 0x400   /* ASCII that may open a keycap, URL, emoticon, handle,
                       hashtag or number: scan_token() tries those first */
};

#define SP (C_SPACE | C_PLAIN)
#define PL C_PLAIN
#define AD C_ADDR
#define UP (C_UPPER | C_LETTER | C_WORD | C_ADDR)
#define LO (C_LOWER | C_LETTER | C_WORD | C_ADDR)
#define DG (C_DIGIT | C_WORD | C_ADDR | C_OPENS)
#define OP (C_PLAIN | C_OPENS)
#define UO (UP | C_OPENS)
#define LOO (LO | C_OPENS)
/* Indexed by byte: bytes from 0x80 up start or continue other characters
 * and have no class here. */
static const uint16_t ascii_class[256] = {
    SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP,
    SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP,
    /* space ! " # $ % & ' ( ) * + , - . / */
    SP, PL, PL, OP, PL, AD, PL, 0,  PL, PL, OP, AD, PL, AD | C_OPENS, AD, PL,
    /* 0-9 : ; < = > ? */
    DG, DG, DG, DG, DG, DG, DG, DG, DG, DG, OP, OP, OP, OP, PL, PL,
    /* @ A-O (F H: ftp:// http://) */
    C_OPENS, UP, UP, UP, UP, UP, UO, UP, UO, UP, UP, UP, UP, UP, UP, UP,
    /* P-Z (W: www.; X: xD) [ \ ] ^ _ */
    UP, UP, UP, UP, UP, UP, UP, UO, UO, UP, UP, PL, PL, PL, OP, C_WORD | AD,
    /* ` a-o */
    PL, LO, LO, LO, LO, LO, LOO, LO, LOO, LO, LO, LO, LO, LO, LO, LO,
    /* p-z { | } ~ DEL */
    LO, LO, LO, LO, LO, LO, LO, LOO, LOO, LO, LO, PL, PL, PL, PL, SP};
#undef SP
#undef PL
#undef AD
#undef UP
#undef LO
#undef DG
#undef OP
#undef UO
#undef LOO

static unsigned unicode_class(int32_t cp) {
  if (cp == 0x02BC)
    return 0; /* a modifier letter to Unicode, an apostrophe in French */
  switch (utf8proc_category(cp)) {
  case UTF8PROC_CATEGORY_LU:
  case UTF8PROC_CATEGORY_LT:
    return C_UPPER | C_LETTER | C_WORD;
  case UTF8PROC_CATEGORY_LL:
    return C_LOWER | C_LETTER | C_WORD;
  case UTF8PROC_CATEGORY_LM:
  case UTF8PROC_CATEGORY_LO:
    return C_LETTER | C_WORD;
  case UTF8PROC_CATEGORY_MN:
  case UTF8PROC_CATEGORY_MC:
  case UTF8PROC_CATEGORY_ME:
    return C_MARK | C_WORD;
  case UTF8PROC_CATEGORY_ND:
    return C_DIGIT | C_WORD;
  case UTF8PROC_CATEGORY_NL:
  case UTF8PROC_CATEGORY_NO: /* m², ½: part of a word, never its start */
    return C_WORD;
  case UTF8PROC_CATEGORY_ZS:
  case UTF8PROC_CATEGORY_ZL:
  case UTF8PROC_CATEGORY_ZP:
  case UTF8PROC_CATEGORY_CC:
    return C_SPACE;
  case UTF8PROC_CATEGORY_CF:
    /* A zero-width space marks a break; the other format characters
     * (soft hyphen, joiners) are invisible inside a word. */
    return cp == 0x200B ? C_SPACE : C_FORMAT;
  default:
    return 0;
  }
}

typedef struct {
  const unsigned char *s;
  size_t len;
  size_t pos;          /* where the next token is looked for */
  avis_vec *out;
  size_t first;        /* index in `out` of this call's first token */
  /* The tokens of `out`, kept here rather than read through it: emitting
   * a token then reads and writes only this structure, and out->len is
   * brought up to date when the vector grows and when the call returns. */
  avis_tok *toks;
  size_t ntok, cap;
  size_t last_end;     /* end of the last token emitted */
  size_t addr_checked; /* address runs starting before this were tried */
  uint32_t sentence;
  int para_break;      /* a blank line since the last token */
  int pending;         /* PENDING_*: the last full stop may end a sentence */
  int placing;         /* para_break or pending: one test per token */
  int nospace_ok;      /* ...even with no space after it (jeudi.Le) */
  int spaced;          /* white space seen since that full stop */
#if defined(__SSE2__)
  size_t window;       /* start of the bytes french_word_end() classified */
  uint64_t window_words; /* which of them a common word may hold, as bits */
#endif
} tokenizer;

typedef struct {
  int32_t cp;   /* -1 past the end of the text */
  unsigned cls; /* C_* */
  size_t n;     /* length in bytes */
} decoded;

static inline decoded char_at(const tokenizer *t, size_t p) {
  decoded c = {-1, 0, 0};
  if (p >= t->len)
    return c;
  if (t->s[p] < 0x80) {
    c.cp = t->s[p];
    c.cls = ascii_class[t->s[p]];
    c.n = 1;
    return c;
  }
  if (t->s[p] == 0xC3 && p + 1 < t->len && (t->s[p + 1] & 0xC0) == 0x80) {
    /* À..ÿ, most of the accented letters of French, without a lookup. */
    c.cp = 0xC0 | (t->s[p + 1] & 0x3F);
    c.n = 2;
    if (c.cp != 0xD7 && c.cp != 0xF7)
      c.cls = C_LETTER | C_WORD | (c.cp < 0xDF ? C_UPPER : C_LOWER);
    return c;
  }
  utf8proc_int32_t cp;
  utf8proc_ssize_t n =
      utf8proc_iterate(t->s + p, (utf8proc_ssize_t)(t->len - p), &cp);
  if (n < 1) {
    /* Not UTF-8 after all: one unclassified byte, so the scan moves on. */
    c.cp = 0xFFFD;
    c.n = 1;
    return c;
  }
  c.cp = cp;
  c.cls = unicode_class(cp);
  c.n = (size_t)n;
  return c;
}

static int has_class(const tokenizer *t, size_t p, unsigned cls) {
  return (char_at(t, p).cls & cls) != 0;
}

static int ascii_digit_at(const tokenizer *t, size_t p) {
  return p < t->len && t->s[p] >= '0' && t->s[p] <= '9';
}

/* Length of `lit` if the text at p starts with it, 0 otherwise; with
 * `fold`, ASCII capitals in the text compare as lower case. */
static size_t prefix_len(const tokenizer *t, size_t p, const char *lit,
                         int fold) {
  size_t i = 0;
  for (; lit[i]; i++) {
    if (p + i >= t->len)
      return 0;
    unsigned char x = t->s[p + i];
    if (fold && x >= 'A' && x <= 'Z')
      x = (unsigned char)(x + ('a' - 'A'));
    if (x != (unsigned char)lit[i])
      return 0;
  }
  return i;
}

static size_t starts_with(const tokenizer *t, size_t p, const char *lit) {
  return prefix_len(t, p, lit, 0);
}

static size_t starts_with_folded(const tokenizer *t, size_t p,
                                 const char *lit) {
  return prefix_len(t, p, lit, 1);
}

/* ' ’ ‘ ʼ */
static size_t apostrophe_len(const tokenizer *t, size_t p) {
  if (p >= t->len)
    return 0;
  switch (t->s[p]) {
  case '\'':
    return 1;
  case 0xE2:
    return starts_with(t, p, "\xE2\x80\x99") ? 3
                                              : starts_with(t, p, "\xE2\x80\x98");
  case 0xCA:
    return starts_with(t, p, "\xCA\xBC");
  default:
    return 0;
  }
}

/* - and the Unicode hyphens U+2010, U+2011 */
static size_t hyphen_len(const tokenizer *t, size_t p) {
  if (p >= t->len)
    return 0;
  if (t->s[p] == '-')
    return 1;
  if (t->s[p] != 0xE2)
    return 0;
  return starts_with(t, p, "\xE2\x80\x90") ? 3
                                            : starts_with(t, p, "\xE2\x80\x91");
}

/* Start of the character that ends at e (never before p). */
static size_t char_start_before(const tokenizer *t, size_t p, size_t e) {
  size_t b = e - 1;
  while (b > p && e - b < 4 && (t->s[b] & 0xC0) == 0x80)
    b--;
  return b;
}

static size_t mark_run_end(const tokenizer *t, size_t p) {
  decoded c;
  while ((c = char_at(t, p)).cls & C_MARK)
    p += c.n;
  return p;
}

static size_t digits_end(const tokenizer *t, size_t p) {
  while (ascii_digit_at(t, p))
    p++;
  return p;
}

/* Invisible characters, and the middle dot of inclusive writing
 * (étudiant·e·s), join two parts of a word without being one. */
static int is_joiner(decoded c) {
  return (c.cls & C_FORMAT) || c.cp == 0x00B7;
}

/* End of the run of ASCII letters, digits and '_' at p: ascii_word_end()
 * runs once per segment of a word that the general rules read, and
 * without SSE2 at least once per word, inlined. A loop over the bytes would
 * mispredict its exit at the end of nearly every word; where the machine
 * allows, sixteen (SSE2) or eight bytes are classified at once instead,
 * and most words end within the first block. The bytes are taken one at a
 * time only near the end of the text, or on other machines. */
static size_t ascii_word_end_bytes(const tokenizer *t, size_t p) {
  while (p < t->len && (ascii_class[t->s[p]] & C_WORD))
    p++;
  return p;
}

#if defined(__SSE2__)
/* The bytes of v in [lo, hi], as 0xFF: adding 0x80 - lo moves that range to
 * the lowest signed values, and every other byte, 0x80 and above included,
 * above them. */
static inline __m128i bytes_between(__m128i v, int lo, int hi) {
  __m128i shifted = _mm_add_epi8(v, _mm_set1_epi8((char)(0x80 - lo)));
  return _mm_cmplt_epi8(shifted, _mm_set1_epi8((char)(hi - lo - 127)));
}

/* The ASCII letters, digits and '_' of v, as 0xFF. */
static inline __m128i ascii_word_bytes(__m128i v) {
  /* | 0x20 turns exactly the capitals into a..z. */
  return _mm_or_si128(
      _mm_or_si128(
          bytes_between(_mm_or_si128(v, _mm_set1_epi8(0x20)), 'a', 'z'),
          bytes_between(v, '0', '9')),
      _mm_cmpeq_epi8(v, _mm_set1_epi8('_')));
}

static ALWAYS_INLINE size_t ascii_word_end(const tokenizer *t, size_t p) {
  for (; p + 16 <= t->len; p += 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(t->s + p));
    __m128i word = ascii_word_bytes(v);
    unsigned other = ~(unsigned)_mm_movemask_epi8(word) & 0xFFFFu;
    if (other)
      return p + (size_t)__builtin_ctz(other);
  }
  return ascii_word_end_bytes(t, p);
}
#elif defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ONES 0x0101010101010101ULL
#define HIGH_BITS 0x8080808080808080ULL

/* The high bit of each byte of v (all below 0x80) in [lo, hi]. */
static uint64_t bytes_between(uint64_t v, unsigned lo, unsigned hi) {
  return (v + ONES * (0x80 - lo)) & ~(v + ONES * (0x7F - hi)) & HIGH_BITS;
}

static ALWAYS_INLINE size_t ascii_word_end(const tokenizer *t, size_t p) {
  for (; p + 8 <= t->len; p += 8) {
    uint64_t w;
    memcpy(&w, t->s + p, sizeof w);
    uint64_t v = w & ~HIGH_BITS;
    /* | 0x20 turns exactly the capitals into a..z; & ~w drops the bytes
     * from 0x80 up. */
    uint64_t word = (bytes_between(v | ONES * 0x20, 'a', 'z') |
                     bytes_between(v, '0', '9') |
                     bytes_between(v, '_', '_')) & ~w;
    if (word != HIGH_BITS)
      return p + (size_t)__builtin_ctzll(~word & HIGH_BITS) / 8;
  }
  return ascii_word_end_bytes(t, p);
}
#undef ONES
#undef HIGH_BITS
#else
static size_t ascii_word_end(const tokenizer *t, size_t p) {
  return ascii_word_end_bytes(t, p);
}
#endif

/* Whether b may follow C3 in a Latin-1 letter (À..ÿ but × and ÷), as
 * char_at() classes them. */
static int is_latin1_second(unsigned char b) {
  return (b & 0xC0) == 0x80 && b != 0x97 && b != 0xB7;
}

/* french_word_end(): the end of the run of ASCII letters, digits, '_' and
 * Latin-1 letters at p, which is not inside a character.
 *
 * A word with an accented letter would leave a scan of ASCII at each of
 * them, and whether it does is hard to foresee: with SSE2 the pairs are
 * classified with the ASCII bytes. Most words are short, and classifying
 * sixteen bytes for each of them would classify most bytes several times:
 * the bytes of a window of 64 are classified once instead, into a bit
 * mask that the words inside it share. */
#if defined(__SSE2__)
#define WINDOW 64

/* Bit masks of v's ASCII letters, digits and '_' (returned), of its C3
 * bytes (*lead) and of the bytes that may follow C3 in a Latin-1 letter
 * (*second). */
static inline unsigned common_word_bytes(__m128i v, unsigned *lead,
                                         unsigned *second) {
  /* As signed bytes, 80..BF are those below (char)0xC0; & 0xDF turns
   * B7 into 97. */
  __m128i not_letter = _mm_cmpeq_epi8(
      _mm_and_si128(v, _mm_set1_epi8((char)0xDF)), _mm_set1_epi8((char)0x97));
  __m128i tail = _mm_andnot_si128(not_letter,
                                  _mm_cmplt_epi8(v, _mm_set1_epi8((char)0xC0)));
  *lead =
      (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xC3)));
  *second = (unsigned)_mm_movemask_epi8(tail);
  return (unsigned)_mm_movemask_epi8(ascii_word_bytes(v));
}

/* Classifies the window that starts at p, with the bytes on either side
 * of it, so that a Latin-1 letter across its start or its end counts as
 * it does anywhere else. Past the end of the text it reads zeros, which
 * no word holds. */
static COLD void load_window(tokenizer *t, size_t p) {
  const unsigned char *s = t->s + p;
  unsigned char last[WINDOW];
  uint64_t lead_before = p > 0 && s[-1] == 0xC3;
  uint64_t second_after = 0;
  if (t->len - p > WINDOW) {
    second_after = is_latin1_second(s[WINDOW]);
  } else {
    memset(last, 0, sizeof last);
    memcpy(last, s, t->len - p);
    s = last;
  }
  uint64_t ascii = 0, lead = 0, second = 0;
  for (unsigned i = 0; i < WINDOW; i += 16) {
    unsigned l, n;
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
    ascii |= (uint64_t)common_word_bytes(v, &l, &n) << i;
    lead |= (uint64_t)l << i;
    second |= (uint64_t)n << i;
  }
  /* The second bytes after a C3, and the C3 before them. */
  uint64_t seconds = second & (lead << 1 | lead_before);
  uint64_t leads = seconds >> 1 | (lead & second_after << (WINDOW - 1));
  t->window = p;
  t->window_words = ascii | seconds | leads;
}

static ALWAYS_INLINE size_t french_word_end(tokenizer *t, size_t p) {
  for (;;) {
    if (p - t->window >= WINDOW)
      load_window(t, p);
    uint64_t other = ~t->window_words >> (p - t->window);
    if (other)
      return p + (size_t)__builtin_ctzll(other);
    p = t->window + WINDOW;
  }
}
#undef WINDOW
#else
static ALWAYS_INLINE size_t french_word_end(const tokenizer *t, size_t p) {
  for (;;) {
    p = ascii_word_end(t, p);
    if (p + 1 >= t->len || t->s[p] != 0xC3 || !is_latin1_second(t->s[p + 1]))
      return p;
    p += 2;
  }
}
#endif

/* Whether s[a..b) is all ASCII. */
static int ascii_only(const tokenizer *t, size_t a, size_t b) {
  for (; a < b; a++)
    if (t->s[a] >= 0x80)
      return 0;
  return 1;
}

/* End of the run of word characters starting at p. */
static size_t segment_end(const tokenizer *t, size_t p) {
  for (;;) {
    p = ascii_word_end(t, p);
    if (p >= t->len || t->s[p] < 0x80)
      return p;
    decoded c = char_at(t, p);
    if (c.cls & C_WORD) {
      p += c.n;
      continue;
    }
    if (!is_joiner(c))
      return p;
    size_t q = p;
    while (is_joiner(c = char_at(t, q)))
      q += c.n;
    if (!(c.cls & C_WORD))
      return p;
    p = q;
  }
}

static int equals_folded(const tokenizer *t, size_t a, size_t b,
                         const char *lit) {
  return b > a && starts_with_folded(t, a, lit) == b - a;
}

static int in_list(const tokenizer *t, size_t a, size_t b,
                   const char *const *list, size_t count) {
  unsigned char first = t->s[a];
  if (first >= 'A' && first <= 'Z')
    first = (unsigned char)(first + ('a' - 'A'));
  for (size_t i = 0; i < count; i++)
    if ((unsigned char)list[i][0] == first && equals_folded(t, a, b, list[i]))
      return 1;
  return 0;
}

#define IN_LIST(t, a, b, list) \
  in_list(t, a, b, list, sizeof(list) / sizeof(list)[0])

/* ---- Word lists -------------------------------------------------------- */

static const char *const clitics[] = {
    "l", "d", "j", "m", "n", "s", "t", "c",
    "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"};

static COLD int in_clitics(const tokenizer *t, size_t a, size_t b) {
  return IN_LIST(t, a, b, clitics);
}

/* Whether s[a..b) is one of the clitics. Most elided words are one
 * letter; those are settled inline, without going through the list. */
static inline int is_clitic(const tokenizer *t, size_t a, size_t b) {
  if (b - a == 1) {
    switch (t->s[a] | 0x20) {
    case 'l': case 'd': case 'j': case 'm': case 'n': case 's': case 't':
    case 'c':
      return 1;
    default:
      return 0;
    }
  }
  return in_clitics(t, a, b);
}

static const char *const subject_pronouns[] = {
    "je", "tu", "il", "elle", "on", "nous", "vous", "ils", "elles", "ce"};

/* Lexicalised compounds that the elision or inversion rules would
 * otherwise cut up. Written in lower case with the ASCII apostrophe. An
 * array of arrays, so that their first letters are known when compiling
 * (fixed_compound_len()). */
static const char fixed_compounds[][24] = {
    "c'est-à-dire", "qu'en-dira-t-on", "m'as-tu-vu", "rendez-vous",
    "garde-à-vous"};

/* Letters glued to a number that still make one number: 1er, 2e, 3ème. */
static const char *const ordinal_suffixes[] = {
    "er", "re", "ère", "ere", "e", "ème", "eme", "es", "ers", "res",
    "èmes", "emes", "nd", "nde", "nds", "ndes"};

/* An abbreviation and its length in bytes, which is compared first. */
typedef struct {
  const char *text;
  unsigned char len;
} abbreviation;

#define ABBR(s) {s, sizeof s - 1}

/* Full stops after these never end a sentence (M. Dupont, cf. la note).
 * "etc." is not one of them: it usually does end the sentence. An entry
 * written with a capital matches only as written, so "MM." (messieurs)
 * does not catch "5 mm." */
static const abbreviation abbreviations[] = {
    ABBR("MM"),   ABBR("mme"),  ABBR("mmes"), ABBR("mlle"), ABBR("mlles"),
    ABBR("Me"),   ABBR("mgr"),  ABBR("dr"),   ABBR("pr"),   ABBR("prof"),
    ABBR("st"),   ABBR("ste"),  ABBR("sts"),  ABBR("stes"), ABBR("mr"),
    ABBR("jr"),   ABBR("sr"),   ABBR("cie"),  ABBR("cf"),   ABBR("ex"),
    ABBR("av"),   ABBR("apr"),  ABBR("coll"), ABBR("ibid"), ABBR("vs"),
    ABBR("qqn"),  ABBR("qqch"), ABBR("resp")};

/* Abbreviations that introduce a number (vol. 2, art. 12, janv. 2024).
 * Their full stop ends a sentence unless a number follows: "J'ai raté
 * mon vol. Le suivant..." */
static const abbreviation number_abbreviations[] = {
    ABBR("vol"),  ABBR("art"),  ABBR("no"),    ABBR("pp"),   ABBR("chap"),
    ABBR("fig"),  ABBR("env"),  ABBR("tél"),   ABBR("tel"),  ABBR("réf"),
    ABBR("ref"),  ABBR("min"),  ABBR("max"),   ABBR("approx"),
    ABBR("janv"), ABBR("févr"), ABBR("fév"),   ABBR("avr"),  ABBR("juil"),
    ABBR("juill"), ABBR("sept"), ABBR("oct"),  ABBR("nov"),  ABBR("déc"),
    ABBR("dec")};

#undef ABBR

/* In bytes, over both lists: longer words need no lookup. */
#define LONGEST_ABBREVIATION 6

/* Top-level domains recognised in bare host names (amazon.fr), in lower
 * case only: "jeudi.Le" is a missing space, not a host. */
static const char *const top_level_domains[] = {
    "fr", "com", "org", "net", "eu", "be", "ch", "io", "info"};

static const char *const emoticons[] = {
    ":-)", ":)", ":-(", ":(", ":-D", ":D", ":-P", ":P", ":-p", ":p",
    ":-/", ":/", ":'(", ":'-(", ":-o", ":o", ":-O", ":O", ":-|", ":|",
    ":-*", ":*", ";-)", ";)", ";-(", ";(", ";-D", ";D", ";-P", ";P",
    ";p", "=)", "=(", "=D", "<3", "</3", "^^", "^_^", "-_-", "xD", "XD"};

static int is_entry(const tokenizer *t, size_t a, size_t b,
                    const char *entry) {
  if (entry[0] >= 'A' && entry[0] <= 'Z')
    return starts_with(t, a, entry) == b - a;
  return equals_folded(t, a, b, entry);
}

/* Nearly every sentence asks this of its last word: the length and the
 * first letter rule out most entries before any comparison. */
static int in_abbreviations(const tokenizer *t, size_t a, size_t b,
                            const abbreviation *list, size_t count) {
  size_t n = b - a;
  if (n > LONGEST_ABBREVIATION)
    return 0;
  unsigned char first = t->s[a] | 0x20;
  for (size_t i = 0; i < count; i++)
    if (list[i].len == n && (list[i].text[0] | 0x20) == first &&
        is_entry(t, a, b, list[i].text))
      return 1;
  return 0;
}

/* ---- Emitting tokens and placing them in sentences --------------------- */

enum { PENDING_NONE, PENDING_END, PENDING_END_UNLESS_NUMBER };

static avis_tok *tok_at(const tokenizer *t, size_t i) {
  return t->toks + i;
}

static avis_tok *last_tok(const tokenizer *t) {
  return t->ntok > t->first ? tok_at(t, t->ntok - 1) : NULL;
}

/* Whether the next token needs place_in_sentence(). */
static void update_placing(tokenizer *t) {
  t->placing = t->para_break || t->pending != PENDING_NONE;
}

static int is_terminal(int32_t cp) {
  return cp == '.' || cp == '!' || cp == '?' || cp == 0x2026 ||
         cp == 0x203C || (cp >= 0x2047 && cp <= 0x2049);
}

/* Class of the letter at or after *p in s[*p..b), 0 if there is none;
 * *p moves past it. */
static unsigned next_letter(const tokenizer *t, size_t *p, size_t b) {
  while (*p < b) {
    decoded c = char_at(t, *p);
    *p += c.n;
    if (c.cls & C_LETTER)
      return c.cls;
  }
  return 0;
}

/* Stops at the first lower-case letter, which is usually the first
 * letter: then neither flag applies. word_case_flags() settles the
 * commonest cases before calling this. */
static COLD unsigned case_flags(const tokenizer *t, size_t a, size_t b) {
  unsigned cls = next_letter(t, &a, b);
  if (!(cls & C_UPPER))
    return 0;
  size_t upper = 1;
  while ((cls = next_letter(t, &a, b)))
    if (cls & C_LOWER)
      return AVIS_TF_CAPITAL;
    else if (cls & C_UPPER)
      upper++;
  return AVIS_TF_CAPITAL | (upper >= 2 ? AVIS_TF_ALLCAPS : 0);
}

/* Ends the current sentence with token i, unless that is done already. */
static void end_sentence_at(tokenizer *t, size_t i) {
  avis_tok *tok = tok_at(t, i);
  if (tok->flags & AVIS_TF_SENT_END)
    return;
  tok->flags |= AVIS_TF_SENT_END;
  t->sentence++;
}

/* Tokens that stay with the sentence whose full stop they follow:
 * further terminal punctuation, closing quotes and brackets (« Fini. »),
 * emoji and emoticons. A straight quote closes only when glued to it. */
static int is_trailer(const tokenizer *t, const avis_tok *next, int gap) {
  if (next->kind == AVIS_TOKEN_EMOJI || next->kind == AVIS_TOKEN_EMOTICON)
    return 1;
  if (next->kind != AVIS_TOKEN_PUNCT)
    return 0;
  int32_t cp = char_at(t, next->start).cp;
  if (is_terminal(cp))
    return 1;
  if (cp == ')' || cp == ']' || cp == '}' || cp == 0xBB || cp == 0x201D ||
      cp == 0x203A)
    return 1;
  return !gap && (cp == '"' || cp == '\'' || cp == 0x2019);
}

/* A sentence starts with anything but a lower-case letter or the
 * punctuation that continues a clause. */
static int starts_sentence(const tokenizer *t, const avis_tok *next) {
  decoded c = char_at(t, next->start);
  return !(c.cls & C_LOWER) && c.cp != ',' && c.cp != ';' && c.cp != ':';
}

static int boundary_before(const tokenizer *t, const avis_tok *next) {
  if (t->pending == PENDING_END_UNLESS_NUMBER &&
      next->kind == AVIS_TOKEN_NUMBER)
    return 0;
  if (!t->spaced)
    return t->nospace_ok && next->kind == AVIS_TOKEN_WORD &&
           (next->flags & (AVIS_TF_CAPITAL | AVIS_TF_ALLCAPS)) ==
               AVIS_TF_CAPITAL;
  return starts_sentence(t, next);
}

/* Decides whether a sentence ends before `next`, the token just added,
 * after a blank line or a full stop. */
static void decide_sentence(tokenizer *t, const avis_tok *next) {
  size_t i = t->ntok - 1;
  if (t->para_break) {
    t->para_break = 0;
    t->pending = PENDING_NONE;
    if (i > t->first)
      end_sentence_at(t, i - 1);
    return;
  }
  int gap = next->start != t->last_end;
  t->spaced |= gap;
  if (is_trailer(t, next, gap))
    return;
  if (boundary_before(t, next))
    end_sentence_at(t, i - 1);
  t->pending = PENDING_NONE;
}

static COLD void place_in_sentence(tokenizer *t, avis_tok *next) {
  decide_sentence(t, next);
  update_placing(t);
  next->sentence = t->sentence;
}

static int is_single_letter(const tokenizer *t, const avis_tok *tok) {
  decoded c = char_at(t, tok->start);
  return (c.cls & C_LETTER) &&
         mark_run_end(t, tok->start + c.n) == tok->start + tok->len;
}

/* "25°C" is a unit, not an initial: its letter follows a digit or a
 * symbol. */
static int follows_quantity(const tokenizer *t, size_t a) {
  if (a == 0)
    return 0;
  decoded c = char_at(t, char_start_before(t, 0, a));
  utf8proc_category_t cat = utf8proc_category(c.cp);
  return (c.cls & C_DIGIT) ||
         (cat >= UTF8PROC_CATEGORY_SM && cat <= UTF8PROC_CATEGORY_SO);
}

/* What a full stop after the word `prev` means. Initials (J. K. Rowling)
 * and titles never end a sentence; a lower-case letter (p. 12), a unit
 * (25°C) and abbreviations such as vol. or art. do unless a number
 * follows. */
static int pending_after_word(const tokenizer *t, const avis_tok *prev,
                              int single_letter) {
  size_t a = prev->start, b = prev->start + prev->len;
  if (single_letter)
    return has_class(t, a, C_UPPER) && !follows_quantity(t, a)
               ? PENDING_NONE
               : PENDING_END_UNLESS_NUMBER;
  if (in_abbreviations(t, a, b, abbreviations,
                       sizeof abbreviations / sizeof *abbreviations))
    return PENDING_NONE;
  if (in_abbreviations(t, a, b, number_abbreviations,
                       sizeof number_abbreviations /
                           sizeof *number_abbreviations))
    return PENDING_END_UNLESS_NUMBER;
  return PENDING_END;
}

/* 1 if the terminal run s[a..b) holds a question or exclamation mark. */
static int asks_or_exclaims(const tokenizer *t, size_t a, size_t b) {
  while (a < b) {
    decoded c = char_at(t, a);
    if (is_terminal(c.cp) && c.cp != '.' && c.cp != 0x2026)
      return 1;
    a += c.n;
  }
  return 0;
}

/* Called after a run of terminal punctuation was emitted. */
static COLD void open_pending(tokenizer *t) {
  const avis_tok *term = last_tok(t);
  const avis_tok *prev =
      t->ntok - 1 > t->first ? tok_at(t, t->ntok - 2) : NULL;
  if (prev && prev->start + prev->len != term->start)
    prev = NULL; /* only a word glued to the stop is an abbreviation */
  int word = prev && prev->kind == AVIS_TOKEN_WORD;
  int single_letter = word && is_single_letter(t, prev);
  t->pending = PENDING_END;
  if (word && term->len == 1 && t->s[term->start] == '.')
    t->pending = pending_after_word(t, prev, single_letter);
  /* "jeudi.Le" and "ouf !!!Je" are missing spaces; "A.B" or "e.Le" are
   * not. */
  t->nospace_ok = (word && !(prev->flags & AVIS_TF_ALLCAPS) &&
                   !single_letter) ||
                  (prev && prev->kind == AVIS_TOKEN_NUMBER) ||
                  asks_or_exclaims(t, term->start, term->start + term->len);
  t->spaced = 0;
  update_placing(t);
}

/* The analyzer reserves room for the tokens beforehand: growing the
 * vector is rare, and kept out of the inlined new_tok(). */
static COLD avis_tok *push_tok(tokenizer *t) {
  avis_vec *v = t->out;
  v->len = t->ntok;
  avis_tok *tok = avis_vec_push(v, sizeof(avis_tok));
  t->toks = v->data;
  t->cap = v->cap;
  t->ntok = v->len;
  return tok;
}

/* A slot for one more token. While there is room this skips the call and
 * the clearing in avis_vec_push(): it runs once per token, and
 * emit_inline() sets every field. */
static ALWAYS_INLINE avis_tok *new_tok(tokenizer *t) {
  if (t->ntok < t->cap)
    return t->toks + t->ntok++;
  return push_tok(t);
}

/* Case flags of a word, hashtag or handle. Most words start with a
 * lower-case letter, ASCII or Latin-1 (no flag), or with an ASCII capital
 * and a lower-case letter (capital only): those need no call and no
 * decoding. */
static inline unsigned word_case_flags(const tokenizer *t, size_t a,
                                       size_t b) {
  if (ascii_class[t->s[a]] & C_LOWER)
    return 0;
  /* ß à é ç ... ÿ: C3 9F to C3 BF but C3 B7 (÷), which char_at() takes
   * for lower-case letters. The word's first character is then its first
   * letter. */
  if (t->s[a] == 0xC3 && b - a >= 2 && t->s[a + 1] >= 0x9F &&
      t->s[a + 1] <= 0xBF && t->s[a + 1] != 0xB7)
    return 0;
  if (b - a >= 2 && (ascii_class[t->s[a]] & C_UPPER) &&
      (ascii_class[t->s[a + 1]] & C_LOWER))
    return AVIS_TF_CAPITAL;
  return case_flags(t, a, b);
}

/* Appends a token and places it in its sentence: 0 or AVIS_ERR_NOMEM.
 * Inlined where the common words and punctuation are emitted, so that the
 * checks on the kind fold away there; emit() serves the other tokens. A
 * run of terminal punctuation is emitted by scan_terminal(), which also
 * opens the pending sentence end. */
static ALWAYS_INLINE int emit_inline(tokenizer *t, size_t start, size_t end,
                                     avis_token_kind kind, unsigned flags) {
  avis_tok *tok = new_tok(t);
  if (!tok)
    return AVIS_ERR_NOMEM;
  if (kind == AVIS_TOKEN_WORD || kind == AVIS_TOKEN_HASHTAG ||
      kind == AVIS_TOKEN_HANDLE)
    flags |= word_case_flags(t, start, end);
  /* Written whole, so that the stores can be merged. */
  *tok = (avis_tok){.start = (uint32_t)start,
                    .len = (uint32_t)(end - start),
                    .sentence = t->sentence,
                    .kind = (uint16_t)kind,
                    .flags = (uint16_t)flags};
  if (t->placing)
    place_in_sentence(t, tok);
  t->last_end = end;
  t->pos = end;
  return 0;
}

static COLD int emit(tokenizer *t, size_t start, size_t end,
                     avis_token_kind kind, unsigned flags) {
  return emit_inline(t, start, end, kind, flags);
}

/* ---- URLs, e-mail addresses, handles, hashtags -------------------------- */

static int ends_url(decoded c) {
  if (c.cp < 0 || (c.cls & C_SPACE))
    return 1;
  if (c.cp == '<' || c.cp == '>' || c.cp == '"')
    return 1;
  if (c.cp < 0x80)
    return 0;
  utf8proc_category_t cat = utf8proc_category(c.cp);
  return cat == UTF8PROC_CATEGORY_PI || cat == UTF8PROC_CATEGORY_PF;
}

static int is_url_tail_punct(decoded c) {
  if (c.cp < 0x80)
    return c.cp > 0 && strchr(".,;:!?'*", c.cp) != NULL;
  utf8proc_category_t cat = utf8proc_category(c.cp);
  return cat == UTF8PROC_CATEGORY_PO || cat == UTF8PROC_CATEGORY_PE;
}

/* Punctuation that ends the sentence or clause around a URL is not part
 * of it; a closing bracket is, when the URL opened one (Wikipedia). */
static size_t trim_url_tail(const tokenizer *t, size_t p, size_t e,
                            long depth) {
  while (e > p) {
    size_t b = char_start_before(t, p, e);
    decoded c = char_at(t, b);
    if (b + c.n != e)
      break;
    if (c.cp == ')' || c.cp == ']' || c.cp == '}') {
      if (depth >= 0)
        break;
      depth++;
    } else if (!is_url_tail_punct(c)) {
      break;
    }
    e = b;
  }
  return e;
}

static size_t url_end(const tokenizer *t, size_t p) {
  long depth = 0; /* brackets opened minus closed */
  size_t e = p;
  decoded c;
  while (!ends_url(c = char_at(t, e))) {
    if (c.cp == '(' || c.cp == '[' || c.cp == '{')
      depth++;
    else if (c.cp == ')' || c.cp == ']' || c.cp == '}')
      depth--;
    e += c.n;
  }
  return trim_url_tail(t, p, e, depth);
}

static size_t url_len(const tokenizer *t, size_t p) {
  static const char *const schemes[] = {"https://", "http://", "ftp://"};
  if (p + 1 >= t->len)
    return 0;
  unsigned char first = t->s[p] | 0x20, second = t->s[p + 1] | 0x20;
  if (!(second == 't' && (first == 'h' || first == 'f')) &&
      !(first == 'w' && second == 'w'))
    return 0;
  for (size_t i = 0; i < sizeof schemes / sizeof *schemes; i++) {
    size_t n = starts_with_folded(t, p, schemes[i]);
    size_t body = p + n;
    if (n && !ends_url(char_at(t, body))) {
      size_t e = url_end(t, body);
      return e > body ? e - p : 0;
    }
  }
  if (starts_with_folded(t, p, "www.") && has_class(t, p + 4, C_LETTER | C_DIGIT))
    return url_end(t, p) - p;
  return 0;
}

static int is_host_char(unsigned char b) {
  return b == '-' || b == '.' || (ascii_class[b] & (C_LETTER | C_DIGIT));
}

/* End of the host name at p (a.b.fr), or 0. Labels are not empty and the
 * last one has at least two letters; with `known_tld`, it must be one of
 * top_level_domains, as written. */
static size_t host_end(const tokenizer *t, size_t p, int known_tld) {
  size_t e = p, dot = 0;
  while (e < t->len && is_host_char(t->s[e]))
    e++;
  while (e > p && (t->s[e - 1] == '.' || t->s[e - 1] == '-'))
    e--;
  for (size_t i = p; i < e; i++) {
    if (t->s[i] != '.')
      continue;
    if (i == p || t->s[i - 1] == '.')
      return 0;
    dot = i;
  }
  if (!dot || e - dot < 3 || has_class(t, e, C_WORD))
    return 0;
  if (!known_tld)
    return e;
  /* The entries are in lower case: most candidates are numbers
   * (100.000), which this rules out before the list. */
  if (!(ascii_class[t->s[dot + 1]] & C_LOWER))
    return 0;
  for (size_t i = 0; i < sizeof top_level_domains / sizeof *top_level_domains;
       i++)
    if (starts_with(t, dot + 1, top_level_domains[i]) == e - dot - 1)
      return e;
  return 0;
}

/* Whether the character at `first`, after the first word or number of a
 * token, continues e-mail addresses and host names but not words: the
 * cheap test that spares most words the address scan. */
static int hints_address(const tokenizer *t, size_t first) {
  if (first >= t->len)
    return 0;
  switch (t->s[first]) {
  case '.': case '@': case '-': case '+': case '%':
    return 1;
  default:
    return 0;
  }
}

/* An e-mail address or a bare host name (amazon.fr, with an optional
 * path) at the token start. Tried once per run of address characters: a
 * later start in the same run would end at the same place. */
static size_t address_len(tokenizer *t, avis_token_kind *kind) {
  size_t p = t->pos;
  if (p < t->addr_checked || t->s[p] >= 0x80)
    return 0;
  size_t e = p;
  while (e < t->len && (ascii_class[t->s[e]] & C_ADDR))
    e++;
  t->addr_checked = e;
  if (e < t->len && t->s[e] == '@') {
    size_t d = host_end(t, e + 1, 0);
    *kind = AVIS_TOKEN_EMAIL;
    return d ? d - p : 0;
  }
  if (!memchr(t->s + p, '.', e - p))
    return 0;
  size_t h = host_end(t, p, 1);
  if (!h)
    return 0;
  *kind = AVIS_TOKEN_URL;
  return (h < t->len && t->s[h] == '/' ? url_end(t, h) : h) - p;
}

/* @name, @jean.dupont */
static size_t handle_len(const tokenizer *t, size_t p) {
  if (!has_class(t, p + 1, C_LETTER | C_DIGIT) && !starts_with(t, p + 1, "_"))
    return 0;
  size_t e = segment_end(t, p + 1);
  while (starts_with(t, e, ".") && has_class(t, e + 1, C_LETTER | C_DIGIT))
    e = segment_end(t, e + 1);
  return e - p;
}

/* #name, with at least one letter: "#1" is a number sign. */
static size_t hashtag_len(const tokenizer *t, size_t p) {
  size_t e = segment_end(t, p + 1);
  for (size_t q = p + 1; q < e;) {
    decoded c = char_at(t, q);
    if (c.cls & C_LETTER)
      return e - p;
    q += c.n;
  }
  return 0;
}

/* ---- Words: elisions, compounds, inverted pronouns --------------------- */

/* Code point of a text character as the fixed-compound list spells it. */
static int32_t folded(int32_t cp) {
  if (cp == 0x2019 || cp == 0x2018 || cp == 0x02BC)
    return '\'';
  if (cp == 0x2010 || cp == 0x2011)
    return '-';
  return utf8proc_tolower(cp);
}

/* Length of the text at p matching `entry` without case, or 0. */
static size_t folded_match(const tokenizer *t, size_t p, const char *entry) {
  if ((t->s[p] | 0x20) != entry[0])
    return 0; /* most words: no decoding needed */
  const utf8proc_uint8_t *e = (const utf8proc_uint8_t *)entry;
  size_t q = p;
  while (*e) {
    if (*e < 0x80 && q < t->len && t->s[q] < 0x80) {
      /* ASCII on both sides, most of the time: no decoding. */
      unsigned char x = t->s[q];
      if (x >= 'A' && x <= 'Z')
        x = (unsigned char)(x + ('a' - 'A'));
      if (x != *e)
        return 0;
      e++;
      q++;
      continue;
    }
    utf8proc_int32_t want;
    utf8proc_ssize_t n = utf8proc_iterate(e, -1, &want);
    decoded c = char_at(t, q);
    if (n < 1 || c.n == 0 || folded(c.cp) != want)
      return 0;
    e += n;
    q += c.n;
  }
  return has_class(t, q, C_WORD) ? 0 : q - p;
}

static COLD size_t fixed_compound_match(const tokenizer *t, size_t p) {
  for (size_t i = 0; i < sizeof fixed_compounds / sizeof *fixed_compounds;
       i++) {
    size_t n = folded_match(t, p, fixed_compounds[i]);
    if (n)
      return n;
  }
  return 0;
}

/* Every elision asks this, and most (l', d') start no entry: their first
 * letters are compared here, inlined, before any call. */
static inline size_t fixed_compound_len(const tokenizer *t, size_t p) {
  unsigned char first = t->s[p] | 0x20;
  for (size_t i = 0; i < sizeof fixed_compounds / sizeof *fixed_compounds;
       i++)
    if (first == (unsigned char)fixed_compounds[i][0])
      return fixed_compound_match(t, p);
  return 0;
}

/* A word being scanned: its span and where its last two hyphenated
 * segments start. That is all the inversion rule needs, however many
 * segments there are. */
typedef struct {
  size_t start, end;
  size_t seg, prev_seg;   /* starts of the last two segments */
  size_t hyph, prev_hyph; /* the hyphens in front of them */
  unsigned hyphens;
} word_shape;

static int emit_elision(tokenizer *t, size_t start, size_t end) {
  size_t fixed = fixed_compound_len(t, start);
  if (fixed)
    return emit(t, start, start + fixed, AVIS_TOKEN_WORD, AVIS_TF_HYPHEN);
  return emit(t, start, end, AVIS_TOKEN_WORD, AVIS_TF_ELISION);
}

static int ends_with_inverted_pronoun(const tokenizer *t,
                                      const word_shape *w) {
  return w->hyphens && IN_LIST(t, w->seg, w->end, subject_pronouns) &&
         fixed_compound_len(t, w->start) != w->end - w->start;
}

/* a-t-il → "a" + "il": the euphonic t belongs to no token. */
static int emit_inversion(tokenizer *t, const word_shape *w) {
  size_t head_end = w->hyph;
  unsigned head_hyphens = w->hyphens - 1;
  if (head_hyphens && equals_folded(t, w->prev_seg, w->hyph, "t")) {
    head_end = w->prev_hyph;
    head_hyphens--;
  }
  int rc = emit(t, w->start, head_end, AVIS_TOKEN_WORD,
                head_hyphens ? AVIS_TF_HYPHEN : 0);
  if (rc)
    return rc;
  return emit(t, w->seg, w->end, AVIS_TOKEN_WORD, AVIS_TF_INVERTED);
}

static int scan_word(tokenizer *t) {
  word_shape w = {0};
  w.start = w.seg = t->pos;
  size_t e = segment_end(t, w.start), n;
  avis_token_kind kind;
  if (hints_address(t, e) && (n = address_len(t, &kind)))
    return emit(t, w.start, w.start + n, kind, 0);
  for (;;) {
    n = apostrophe_len(t, e);
    if (n && has_class(t, e + n, C_LETTER)) {
      if (w.hyphens == 0 && is_clitic(t, w.start, e))
        return emit_elision(t, w.start, e + n);
      e = segment_end(t, e + n); /* aujourd'hui, prud'homme */
      continue;
    }
    n = hyphen_len(t, e);
    if (n && has_class(t, e + n, C_LETTER | C_DIGIT)) {
      w.prev_seg = w.seg;
      w.prev_hyph = w.hyph;
      w.hyph = e;
      w.seg = e + n;
      w.hyphens++;
      e = segment_end(t, w.seg);
      continue;
    }
    break;
  }
  w.end = e;
  if (ends_with_inverted_pronoun(t, &w))
    return emit_inversion(t, &w);
  return emit(t, w.start, w.end, AVIS_TOKEN_WORD,
              w.hyphens ? AVIS_TF_HYPHEN : 0);
}

/* ---- Numbers ------------------------------------------------------------ */

static size_t group_separator_len(const tokenizer *t, size_t p) {
  if (p < t->len && t->s[p] == ' ')
    return 1;
  if (starts_with(t, p, "\xC2\xA0")) /* no-break space */
    return 2;
  if (starts_with(t, p, "\xE2\x80\xAF")) /* narrow no-break space */
    return 3;
  return starts_with(t, p, "\xE2\x80\x89"); /* thin space */
}

static int three_digits_at(const tokenizer *t, size_t p) {
  return digits_end(t, p) == p + 3;
}

/* End of 1 000 000, 3,5, 12.5 or 192.168.0.1 whose first digits end at
 * `e`. A space separates thousands only after a group of at most three
 * digits and before exactly three: "en 2024 500 personnes" is two numbers. */
static size_t number_end(const tokenizer *t, size_t start, size_t e) {
  size_t group = e - start;
  int decimals = 0;
  for (;;) {
    size_t n;
    if (e < t->len && (t->s[e] == ',' || t->s[e] == '.') &&
        ascii_digit_at(t, e + 1)) {
      e = digits_end(t, e + 1);
      decimals = 1;
    } else if (!decimals && group <= 3 &&
               (n = group_separator_len(t, e)) && three_digits_at(t, e + n)) {
      e += n + 3;
      group = 3;
    } else {
      return e;
    }
  }
}

/* 1er, 3e, 2nde; 15h, 15h30. */
static int is_number_suffix(const tokenizer *t, size_t a, size_t b) {
  if (t->s[a] == 'h' || t->s[a] == 'H')
    return b - a <= 3 && digits_end(t, a + 1) == b;
  return IN_LIST(t, a, b, ordinal_suffixes);
}

static int scan_number(tokenizer *t) {
  size_t start = t->pos;
  size_t first = digits_end(t, start), n;
  avis_token_kind kind;
  if (hints_address(t, first) && (n = address_len(t, &kind)))
    return emit(t, start, start + n, kind, 0); /* 0612@free.fr */
  size_t e = number_end(t, start, first);
  if (has_class(t, e, C_LETTER)) {
    size_t w = segment_end(t, e);
    if (is_number_suffix(t, e, w))
      e = w;
    else if (e == first)
      return scan_word(t); /* 4G, 100km, 2CV */
  }
  return emit(t, start, mark_run_end(t, e), AVIS_TOKEN_NUMBER, 0);
}

/* ---- Emoji, emoticons, punctuation -------------------------------------- */

static int is_pictographic(int32_t cp) {
  int bc = utf8proc_get_property(cp)->boundclass;
  return bc == UTF8PROC_BOUNDCLASS_EXTENDED_PICTOGRAPHIC ||
         bc == UTF8PROC_BOUNDCLASS_E_ZWG;
}

static int is_regional(int32_t cp) { return cp >= 0x1F1E6 && cp <= 0x1F1FF; }

static int is_skin_tone(int32_t cp) { return cp >= 0x1F3FB && cp <= 0x1F3FF; }

/* Pictographs below U+2300 (©, ‼, ↔) are text unless a variation selector
 * asks for the emoji form. */
static int starts_emoji(const tokenizer *t, size_t p, decoded c) {
  if (c.cp < 0x80)
    return 0;
  if (is_regional(c.cp) || is_skin_tone(c.cp))
    return 1;
  return is_pictographic(c.cp) &&
         (c.cp >= 0x2300 || char_at(t, p + c.n).cp == 0xFE0F);
}

/* Variation selectors, skin tones, the keycap mark and the tag characters
 * of subdivision flags. */
static size_t emoji_modifiers_end(const tokenizer *t, size_t p) {
  decoded c;
  while (((c = char_at(t, p)).cls & C_MARK) || is_skin_tone(c.cp) ||
         (c.cp >= 0xE0020 && c.cp <= 0xE007F))
    p += c.n;
  return p;
}

/* One emoji: a flag (two regional indicators) or a pictograph with its
 * modifiers, joined by U+200D to further pictographs (👨‍👩‍👧). */
static size_t emoji_len(const tokenizer *t, size_t p, decoded c) {
  if (!starts_emoji(t, p, c))
    return 0;
  size_t e = p + c.n;
  if (is_regional(c.cp)) {
    decoded d = char_at(t, e);
    if (is_regional(d.cp))
      e += d.n;
    return emoji_modifiers_end(t, e) - p;
  }
  for (;;) {
    e = emoji_modifiers_end(t, e);
    decoded zwj = char_at(t, e);
    if (zwj.cp != 0x200D)
      return e - p;
    decoded next = char_at(t, e + zwj.n);
    if (!is_pictographic(next.cp))
      return e - p;
    e += zwj.n + next.n;
  }
}

/* 1️⃣ #️⃣ *️⃣ */
static size_t keycap_len(const tokenizer *t, size_t p) {
  unsigned char b = t->s[p];
  if (!((b >= '0' && b <= '9') || b == '#' || b == '*'))
    return 0;
  size_t q = p + 1;
  if (starts_with(t, q, "\xEF\xB8\x8F")) /* U+FE0F */
    q += 3;
  return starts_with(t, q, "\xE2\x83\xA3") ? q + 3 - p : 0; /* U+20E3 */
}

/* The longest emoticon at p, its last character repeatable (:))) <333).
 * One that ends in a letter or digit must not be glued to a following
 * word (":Dupont", "<30"); ":)" may be. */
static size_t emoticon_len(const tokenizer *t, size_t p) {
  switch (t->s[p]) {
  case ':': case ';': case '=': case '<': case '^': case '-': case 'x': case 'X':
    break;
  default:
    return 0;
  }
  /* Every emoticon has a second character, never a space: this spares
   * the list the dashes and colons of prose (" - ", "dit : "). */
  if (p + 1 >= t->len || (ascii_class[t->s[p + 1]] & C_SPACE))
    return 0;
  size_t best = 0;
  for (size_t i = 0; i < sizeof emoticons / sizeof *emoticons; i++) {
    if ((unsigned char)emoticons[i][0] != t->s[p])
      continue;
    size_t n = starts_with(t, p, emoticons[i]);
    if (n > best)
      best = n;
  }
  if (!best)
    return 0;
  size_t e = p + best;
  unsigned char last = t->s[e - 1];
  while (e < t->len && t->s[e] == last)
    e++;
  if ((ascii_class[last] & (C_LETTER | C_DIGIT)) &&
      has_class(t, e, C_LETTER | C_DIGIT))
    return 0;
  return e - p;
}

/* "...", "…", "?!", "!!!" are one token each. Only these runs can hold
 * '!', which the sentiment rules look for in every sentence: the flag
 * spares them reading each punctuation token's form. */
static int scan_terminal(tokenizer *t) {
  size_t e = t->pos;
  unsigned flags = 0;
  decoded c;
  while (is_terminal((c = char_at(t, e)).cp)) {
    if (c.cp == '!')
      flags = AVIS_TF_EXCLAIM;
    e = mark_run_end(t, e + c.n);
  }
  int rc = emit_inline(t, t->pos, e, AVIS_TOKEN_PUNCT, flags);
  if (!rc)
    open_pending(t);
  return rc;
}

/* ---- Driver -------------------------------------------------------------- */

/* Whether the full stops at e, after a word in ASCII, may belong to an
 * e-mail address or a host name (address_len()): only when an address
 * character or an at sign follows them. */
static int dots_may_continue_address(const tokenizer *t, size_t e) {
  while (e < t->len && t->s[e] == '.')
    e++;
  return e < t->len && (t->s[e] == '@' || (ascii_class[t->s[e]] & C_ADDR));
}

/* Most words are made of ASCII letters and the Latin-1 letters of French
 * (é, À, ç: C3 and one more byte), and end at white space or punctuation;
 * many are elided clitics (l', qu’). scan_word() finds the same tokens
 * after many more checks: an address scan before every full stop, each
 * character decoded through char_at(), the clitic list. This reads such a
 * word once and returns its end, or the end of the clitic and its
 * apostrophe with *elision set; 0 for anything it does not know to be
 * plain (hyphens, apostrophes inside a word, other letters, marks,
 * joiners, what may be an address), which scan_word() then decides. */
static size_t common_word_end(tokenizer *t, size_t p, int *elision) {
  const unsigned char *s = t->s;
  size_t e = french_word_end(t, p);
  if (e == p)
    return 0;
  if (e >= t->len || (ascii_class[s[e]] & C_PLAIN))
    return e;
  if (s[e] == '.') /* an address is ASCII */
    return dots_may_continue_address(t, e) && ascii_only(t, p, e) ? 0 : e;
  size_t n = apostrophe_len(t, e);
  if (!n) {
    if (s[e] < 0x80)
      return 0; /* - @ + %: compounds and addresses */
    decoded c = char_at(t, e);
    if ((c.cls & C_WORD) || is_joiner(c) || hyphen_len(t, e))
      return 0; /* the word goes on, or may: scan_word() */
    return e;
  }
  /* An apostrophe: it ends the word unless a letter follows. */
  if (!has_class(t, e + n, C_LETTER))
    return e;
  if (!is_clitic(t, p, e))
    return 0; /* aujourd'hui, prud'homme */
  *elision = 1;
  return e + n;
}

/* Skips white space and stray invisible characters, noting a blank line. */
static void skip_space(tokenizer *t) {
  size_t p = t->pos;
  /* Most gaps are one space before an ASCII character that is not one. */
  if (p + 1 < t->len && t->s[p] == ' ' && t->s[p + 1] < 0x80 &&
      !(ascii_class[t->s[p + 1]] & C_SPACE)) {
    t->pos = p + 1;
    return;
  }
  int newlines = 0;
  while (p < t->len) {
    unsigned char b = t->s[p];
    if (b < 0x80) {
      if (!(ascii_class[b] & C_SPACE))
        break;
      if (b == '\n' || (b == '\r' && !starts_with(t, p + 1, "\n")))
        newlines++;
      p++;
      continue;
    }
    decoded c = char_at(t, p);
    if (!(c.cls & (C_SPACE | C_FORMAT)))
      break;
    if (c.cp == 0x2029) /* paragraph separator */
      newlines += 2;
    else if (c.cp == 0x2028 || c.cp == 0x85)
      newlines++;
    p += c.n;
  }
  if (newlines >= 2)
    t->para_break = t->placing = 1;
  t->pos = p;
}

static int emit_common_word(tokenizer *t, size_t start, size_t end,
                            int elision) {
  if (elision)
    return emit_elision(t, start, end);
  return emit_inline(t, start, end, AVIS_TOKEN_WORD, 0);
}

/* A punctuation mark of n bytes at p, with the combining marks after it. */
static ALWAYS_INLINE int emit_punct(tokenizer *t, size_t p, size_t n) {
  return emit_inline(t, p, mark_run_end(t, p + n), AVIS_TOKEN_PUNCT, 0);
}

/* What scan_other() returns when the token is a word after all. Its other
 * results are those of emit(): 0 or a negative AVIS_ERR_*. */
enum { WORD_FOLLOWS = 1 };

/* The tokens that do not start with a letter, and the words whose first
 * letter may also open something else (a URL: http, www) or is neither
 * ASCII nor Latin-1.
 * Kept apart from scan_token(), so that the shortcut for common words is
 * reached from one place. */
static int scan_other(tokenizer *t, size_t p) {
  size_t n;
  decoded c = char_at(t, p);
  if (c.cls & C_OPENS) {
    if ((n = keycap_len(t, p)))
      return emit(t, p, p + n, AVIS_TOKEN_EMOJI, 0);
    if ((c.cls & C_LETTER) && (n = url_len(t, p)))
      return emit(t, p, p + n, AVIS_TOKEN_URL, 0);
    if ((n = emoticon_len(t, p)))
      return emit(t, p, p + n, AVIS_TOKEN_EMOTICON, 0);
    if (c.cp == '@' && (n = handle_len(t, p)))
      return emit(t, p, p + n, AVIS_TOKEN_HANDLE, 0);
    if (c.cp == '#' && (n = hashtag_len(t, p)))
      return emit(t, p, p + n, AVIS_TOKEN_HASHTAG, 0);
    if (c.cls & C_DIGIT)
      return scan_number(t);
  }
  if (c.cls & C_LETTER)
    return WORD_FOLLOWS;
  if (c.cls & C_DIGIT)
    return scan_word(t);
  if ((n = emoji_len(t, p, c)))
    return emit(t, p, p + n, AVIS_TOKEN_EMOJI, 0);
  if (is_terminal(c.cp))
    return scan_terminal(t);
  return emit_punct(t, p, c.n);
}

/* Whether b is ASCII punctuation that scan_other() would take for a
 * token by itself: no letter or digit, nothing that opens an emoticon,
 * URL, handle or hashtag, no full stop (scan_terminal()). Commas, quotes
 * and brackets are a tenth of the tokens of news text; they are emitted
 * inline, without the call. */
static inline int is_plain_punct(unsigned char b) {
  return b < 0x80 && !(ascii_class[b] & (C_LETTER | C_OPENS)) &&
         !is_terminal(b);
}

/* Whether a Latin-1 letter (à, É: C3 and one more byte) starts at p: it
 * opens nothing but a word (à, été, État). */
static inline int latin1_letter_at(const tokenizer *t, size_t p) {
  return t->s[p] == 0xC3 && p + 1 < t->len && is_latin1_second(t->s[p + 1]);
}

/* With `general`, every word goes through scan_word(): the reference the
 * shortcut for common words is tested against. */
static ALWAYS_INLINE int scan_token(tokenizer *t, int general) {
  size_t p = t->pos, end;
  int elision = 0;
  /* Most tokens are words that start with an ASCII letter which opens
   * nothing else: the class of that byte suffices to send them to the
   * shortcut, with nothing decoded. So do Latin-1 letters, and plain ASCII
   * punctuation needs no call. The caller has checked that p is in the
   * text; bytes from 0x80 up have no class here. */
  if ((ascii_class[t->s[p]] & (C_LETTER | C_OPENS)) != C_LETTER &&
      !latin1_letter_at(t, p)) {
    if (is_plain_punct(t->s[p]))
      return emit_punct(t, p, 1);
    int rc = scan_other(t, p);
    if (rc != WORD_FOLLOWS)
      return rc;
  }
  if (!general && (end = common_word_end(t, p, &elision)))
    return emit_common_word(t, p, end, elision);
  return scan_word(t);
}

/* Inlined in both callers, so that the shortcut's test folds away. */
static ALWAYS_INLINE int tokenize(const char *text, size_t len, avis_vec *out,
                                  int general) {
  if (!out || (!text && len))
    return AVIS_ERR_ARG;
  if (len > UINT32_MAX)
    return AVIS_ERR_TOO_LARGE; /* token offsets are 32-bit */
  tokenizer t = {0};
  t.s = (const unsigned char *)text;
  t.len = len;
  t.out = out;
  t.first = t.ntok = out->len;
  t.toks = out->data;
  t.cap = out->cap;
#if defined(__SSE2__)
  /* No window yet: p - window then wraps around to a large value for
   * every p up to len. */
  t.window = len + 1;
#endif
  for (;;) {
    skip_space(&t);
    if (t.pos >= len)
      break;
    int rc = scan_token(&t, general);
    if (rc) {
      out->len = t.ntok;
      return rc;
    }
  }
  if (t.ntok > t.first)
    end_sentence_at(&t, t.ntok - 1);
  out->len = t.ntok;
  return 0;
}

int avis_tokenize(const char *text, size_t len, avis_vec *out) {
  return tokenize(text, len, out, 0);
}

int avis_tokenize_general(const char *text, size_t len, avis_vec *out) {
  return tokenize(text, len, out, 1);
}
