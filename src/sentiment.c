/* Sentiment scoring: one left-to-right pass over the tokens of each
 * sentence. Polar terms become drivers; the rules (negation, intensifiers,
 * contrast, emphasis, questions) scale a driver's contribution when it is
 * found or, for rules that look back (a negator after the verb, a contrast
 * marker), scale the drivers of the current clause or segment once, so the
 * whole pass stays linear. docs/sentiment.md describes the rules and the
 * formula for users; the constants below are the ones it quotes. */
#include "sentiment.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  double negation;        /* factor on a negated term: flips and shrinks */
  double before_contrast; /* terms before mais, pourtant, ... */
  double caps;            /* a polar word in ALL CAPS */
  double exclamation;     /* every term of a sentence holding '!' */
  double question;        /* every term of a sentence ending in '?' */
  double boost_max;       /* cap on stacked intensifiers */
  unsigned window;        /* words an intensifier or diminisher reaches */
  unsigned negation_window; /* words a negator reaches */
  double stem;            /* a term matched by its stem only */
  double bias;            /* calibration offset, paid by every driver */
  double damping;         /* evidence mass that halves a lone term's score */
  double neutral_band;    /* |score| up to this is neutral */
  double pas_mal;         /* built-in "pas mal" when no lexicon has it */
  double pas_terrible;    /* built-in "pas terrible" likewise */
} sentiment_params;

static const sentiment_params params = {
    .negation = -0.6,
    .before_contrast = 0.5,
    .caps = 1.5,
    .exclamation = 1.3,
    .question = 0.5,
    .boost_max = 2.0,
    .window = 3,
    .negation_window = 4,
    .stem = 0.6,
    .bias = 0.1,
    .damping = 1.0,
    .neutral_band = 0.02,
    .pas_mal = 0.4,
    .pas_terrible = -0.4,
};

/* Longest expression tried, in tokens (elided clitics count). */
#define MAX_EXPRESSION_TOKENS 8

/* ---- Static tables --------------------------------------------------- */

typedef struct {
  const char *s;
  float polarity;
} polar_symbol;

/* Emoticons by normalised (case-folded) form, so ":D" is ":d". */
static const polar_symbol emoticons[] = {
    {":)", 0.5f},   {":-)", 0.5f},  {"=)", 0.5f},   {":]", 0.5f},
    {":d", 0.6f},   {":-d", 0.6f},  {"xd", 0.5f},   {";)", 0.4f},
    {";-)", 0.4f},  {"<3", 0.6f},   {"^^", 0.4f},   {":p", 0.3f},
    {":-p", 0.3f},  {":(", -0.5f},  {":-(", -0.5f}, {":'(", -0.6f},
    {":/", -0.4f},  {":-/", -0.4f}, {":s", -0.3f},  {"</3", -0.6f},
    {">:(", -0.6f},
};

/* Emoji without variation selector or skin tone. */
static const polar_symbol emoji[] = {
    {u8"\U0001F600", 0.6f},  /* grinning face */
    {u8"\U0001F603", 0.6f},  /* grinning face with big eyes */
    {u8"\U0001F604", 0.6f},  /* grinning face with smiling eyes */
    {u8"\U0001F601", 0.6f},  /* beaming face */
    {u8"\U0001F602", 0.4f},  /* tears of joy */
    {u8"\U0001F60A", 0.6f},  /* smiling face with smiling eyes */
    {u8"\U0001F642", 0.4f},  /* slightly smiling face */
    {u8"\U0001F609", 0.4f},  /* winking face */
    {u8"\U0001F60D", 0.7f},  /* heart eyes */
    {u8"\U0001F970", 0.7f},  /* smiling face with hearts */
    {u8"\U0001F929", 0.7f},  /* star-struck */
    {u8"\U0001F618", 0.6f},  /* blowing a kiss */
    {u8"\U0001F44D", 0.5f},  /* thumbs up */
    {u8"\U0001F44F", 0.5f},  /* clapping hands */
    {u8"\u2764", 0.6f},      /* red heart */
    {u8"\u2665", 0.6f},      /* heart suit */
    {u8"\U0001F495", 0.6f},  /* two hearts */
    {u8"\U0001F496", 0.6f},  /* sparkling heart */
    {u8"\U0001F389", 0.5f},  /* party popper */
    {u8"\U0001F4AF", 0.5f},  /* hundred points */
    {u8"\U0001F61E", -0.5f}, /* disappointed face */
    {u8"\U0001F614", -0.4f}, /* pensive face */
    {u8"\U0001F615", -0.4f}, /* confused face */
    {u8"\U0001F641", -0.4f}, /* slightly frowning face */
    {u8"\u2639", -0.5f},     /* frowning face */
    {u8"\U0001F622", -0.5f}, /* crying face */
    {u8"\U0001F62D", -0.6f}, /* loudly crying face */
    {u8"\U0001F629", -0.5f}, /* weary face */
    {u8"\U0001F62B", -0.5f}, /* tired face */
    {u8"\U0001F621", -0.7f}, /* pouting face */
    {u8"\U0001F620", -0.6f}, /* angry face */
    {u8"\U0001F92C", -0.7f}, /* face with symbols on mouth */
    {u8"\U0001F624", -0.5f}, /* face with steam from nose */
    {u8"\U0001F44E", -0.6f}, /* thumbs down */
    {u8"\U0001F494", -0.6f}, /* broken heart */
    {u8"\U0001F92E", -0.7f}, /* face vomiting */
    {u8"\U0001F922", -0.6f}, /* nauseated face */
    {u8"\U0001F612", -0.5f}, /* unamused face */
    {u8"\U0001F644", -0.5f}, /* face with rolling eyes */
    {u8"\U0001F634", -0.4f}, /* sleeping face */
    {u8"\U0001F4A9", -0.5f}, /* pile of poo */
};

/* Longest function word, in bytes ("faudrait", "étaient"). */
#define FUNCTION_WORD_MAX 8

/* Closed-class words that are never polar, whatever a lexicon says (some
 * general-purpose lexicons rate "avoir" or "comme"). Sorted bytewise; each
 * padded with NULs to FUNCTION_WORD_MAX bytes, so that it compares as one
 * integer (padded_key()). */
static const char function_words[][FUNCTION_WORD_MAX] = {
    "a", "ai", "aie", "aient", "aies", "ait", "as", "au", "aux", "avaient",
    "avais", "avait", "avec", "avez", "aviez", "avions", "avoir", "avons",
    "ayant", "c'", "car", "ce", "ceci", "cela", "celle", "celles", "celui",
    "ces", "cet", "cette", "ceux", "chaque", "chez", "comme", "d'", "dans",
    "de", "des", "donc", "du", "elle", "elles", "en", "es", "est", "et",
    "eu", "eue", "eues", "eus", "eut", "eux", "fallait", "faudra",
    "faudrait", "faut", "furent", "fut", "il", "ils", "j'", "je", "l'", "la",
    "le", "les", "leur", "leurs", "lui", "m'", "ma", "me", "mes", "moi",
    "mon", "n'", "ne", "nos", "notre", "nous", "on", "ont", "or", "ou", "où",
    "par", "parce", "pour", "qu'", "quand", "que", "quel", "quelle",
    "quelles", "quels", "qui", "quoi", "s'", "sa", "se", "sera", "serai",
    "seraient", "serait", "seront", "ses", "si", "soi", "soit", "sommes",
    "son", "sont", "suis", "sur", "t'", "ta", "te", "tes", "toi", "ton",
    "tous", "tout", "toute", "toutes", "tu", "un", "une", "unes", "uns",
    "vos", "votre", "vous", "y", "à", "ça", "étaient", "étais", "était",
    "étant", "été", "être",
};

/* ---- Small string helpers ------------------------------------------- */

static int equals(const char *s, size_t n, const char *lit) {
  return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* equals() for a string literal: the lengths are compared first and the
 * bytes with a memcmp of known size, so most words are told apart without
 * reading them. */
#define EQUALS_LITERAL(s, n, lit)                                              \
  ((n) == sizeof(lit) - 1 && memcmp((s), (lit), sizeof(lit) - 1) == 0)

static int has_byte(const char *s, size_t n, char c) {
  for (size_t i = 0; i < n; i++)
    if (s[i] == c)
      return 1;
  return 0;
}

/* The FUNCTION_WORD_MAX bytes at p as a big-endian integer: the keys of
 * NUL-padded strings order as strcmp() orders the strings. */
static uint64_t padded_key(const char *p) {
  const unsigned char *u = (const unsigned char *)p;
  uint64_t key = 0;
  for (size_t i = 0; i < FUNCTION_WORD_MAX; i++)
    key = key << 8 | u[i];
  return key;
}

/* The word cache asks about every distinct form: one integer comparison
 * per step of the search rather than a strcmp(). */
int avis_is_function_word(const char *norm, size_t len) {
  if (len > FUNCTION_WORD_MAX)
    return 0;
  /* padded_key() of the form read as a C string, as strcmp() would. */
  uint64_t key = 0;
  size_t n = 0;
  for (; n < len && norm[n]; n++)
    key = key << 8 | (unsigned char)norm[n];
  for (; n < FUNCTION_WORD_MAX; n++)
    key <<= 8;
  size_t lo = 0, hi = sizeof function_words / sizeof *function_words;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    uint64_t k = padded_key(function_words[mid]);
    if (key == k)
      return 1;
    if (key < k)
      hi = mid;
    else
      lo = mid + 1;
  }
  return 0;
}

int avis_sentiment_inert(const avis_word *w, const char *norm, size_t len,
                         int elided) {
  /* The forms that read_builtin_pas() and read_que() look for at the
   * word itself. */
  if (w->mod != AVIS_WORD_NONE || EQUALS_LITERAL(norm, len, "pas") ||
      EQUALS_LITERAL(norm, len, "que") || EQUALS_LITERAL(norm, len, "qu'"))
    return 0;
  return elided || w->function_word ||
         (w->lex_form == AVIS_WORD_NONE && w->lex_stem == AVIS_WORD_NONE);
}

static float symbol_polarity(const polar_symbol *table, size_t n,
                             const char *s, size_t len) {
  for (size_t i = 0; i < n; i++)
    if (equals(s, len, table[i].s))
      return table[i].polarity;
  return 0.0f;
}

/* An emoji's base: variation selector U+FE0F and skin tones U+1F3FB..
 * U+1F3FF dropped, so that ❤️ and ❤ or 👍🏽 and 👍 are one entry. */
static size_t emoji_base(const char *s, size_t len, char *out, size_t cap) {
  size_t n = 0;
  for (size_t i = 0; i < len;) {
    const unsigned char *u = (const unsigned char *)s + i;
    if (i + 3 <= len && u[0] == 0xEF && u[1] == 0xB8 && u[2] == 0x8F) {
      i += 3;
    } else if (i + 4 <= len && u[0] == 0xF0 && u[1] == 0x9F && u[2] == 0x8F &&
               u[3] >= 0xBB && u[3] <= 0xBF) {
      i += 4;
    } else {
      if (n + 1 >= cap)
        return 0;
      out[n++] = s[i++];
    }
  }
  return n;
}

/* ---- The scorer ------------------------------------------------------ */

typedef struct {
  const avis_tok *toks;
  const avis_word *info; /* what the model says about each token */
  avis_buf *arena;
  const avis_lexicon *lex;
  const avis_modifiers *mods;
  avis_sentiment *out;

  /* Sentence. */
  uint32_t sentence;
  unsigned sentence_rules; /* AVIS_RULE_EMPHASIS ('!'), AVIS_RULE_QUESTION */
  double sentence_factor;
  int seen_word;
  size_t prev_segment; /* first driver of the previous sentence's last segment */
  size_t segment;      /* first driver after the last contrast marker */
  double contrast;     /* weight after a contrast marker, else 0 */

  /* Clause: what a comma, a semicolon or a contrast marker ends. */
  int ne_open;         /* ne / n' read, its negator not yet */
  size_t ne_first;     /* first driver after that ne */
  int negated;         /* a ne-family negation (pas, jamais, ...) is open */
  int sans;            /* a "sans" negation is open */
  unsigned neg_words;   /* words read since the negator */
  double concession;   /* weight inside a malgré / bien que clause, else 0 */
  double boost;        /* pending intensifier/diminisher factor */
  unsigned boost_rule;
  unsigned boost_left; /* words it still reaches */

  /* Counts. */
  size_t words, subjective_words, emotion_terms;
  size_t emotion_words[AVIS_EMOTION_COUNT];
} scorer;

static const char *norm_of(const scorer *s, size_t i) {
  return s->arena->data + s->toks[i].norm_off;
}

/* Whether token i's normalised form is the string literal `lit`. */
#define FORM_IS(s, i, lit)                                                     \
  EQUALS_LITERAL(norm_of((s), (i)), (s)->toks[(i)].norm_len, lit)

static const avis_modifier *modifier_at(const scorer *s, size_t i) {
  return avis_word_modifier(s->mods, s->info[i].mod);
}

static avis_driver *driver_at(const scorer *s, size_t i) {
  return (avis_driver *)s->out->drivers.data + i;
}

static size_t driver_count(const scorer *s) { return s->out->drivers.len; }

/* Scales drivers [from, driver_count) once, marking them with `rule`. */
static void scale_drivers(scorer *s, size_t from, double factor,
                          unsigned rule) {
  for (size_t i = from; i < driver_count(s); i++) {
    avis_driver *d = driver_at(s, i);
    d->contribution = (float)(d->contribution * factor);
    d->rules |= (uint16_t)rule;
  }
}

static void reset_boost(scorer *s) {
  s->boost = 1.0;
  s->boost_rule = 0;
  s->boost_left = 0;
}

static void end_clause(scorer *s) {
  s->ne_open = 0;
  s->negated = 0;
  s->sans = 0;
  s->concession = 0.0;
  reset_boost(s);
}

static int is_clause_break(const char *p, size_t n) {
  if (n == 0)
    return 0;
  switch (p[0]) {
  case ',': case ';': case ':': case '.': case '!': case '?':
  case '(': case ')': case '[': case ']': case '\0':
    return 1;
  default:
    return EQUALS_LITERAL(p, n, u8"\u2026") ||
           EQUALS_LITERAL(p, n, u8"\u2013") || EQUALS_LITERAL(p, n, u8"\u2014");
  }
}

/* Punctuation after which a '?' no longer ends the sentence: a stop, or
 * an empty form (its characters all dropped by normalisation). */
static int is_stop(const char *p, size_t n) {
  switch (p[0]) {
  case '.': case '!': case '?': case '\0':
    return 1;
  default:
    return EQUALS_LITERAL(p, n, u8"\u2026");
  }
}

static int is_word(const avis_tok *t) { return t->kind == AVIS_TOKEN_WORD; }

/* Words a reader counts: elided clitics belong to the next word. */
static size_t count_words(const avis_tok *t, size_t n) {
  size_t w = 0;
  for (size_t i = 0; i < n; i++)
    w += is_word(&t[i]) && !(t[i].flags & AVIS_TF_ELISION);
  return w;
}

/* Whether the sentence [first, end) is a question: a '?' in its last
 * punctuation, after its last word or number (trailing emoji, links, tags
 * and closing quotes aside). Read from the end, it stops there. */
static int is_question(const scorer *s, size_t first, size_t end) {
  for (size_t i = end; i-- > first;) {
    const avis_tok *t = &s->toks[i];
    if (t->kind == AVIS_TOKEN_WORD || t->kind == AVIS_TOKEN_NUMBER)
      return 0;
    if (t->kind != AVIS_TOKEN_PUNCT)
      continue;
    const char *p = norm_of(s, i);
    if (has_byte(p, t->norm_len, '?'))
      return 1;
    if (is_stop(p, t->norm_len))
      return 0;
  }
  return 0;
}

/* The first token past the sentence of token `first`, found by probing
 * ever further ahead, then by bisection: sentence indexes never decrease,
 * and a sentence holds a few dozen tokens. */
static size_t sentence_end(const avis_tok *toks, size_t first, size_t ntok) {
  uint32_t sentence = toks[first].sentence;
  size_t lo = first + 1, hi = lo; /* [first, lo) is in the sentence */
  for (size_t step = 1; hi < ntok && toks[hi].sentence == sentence;
       step *= 2) {
    lo = hi + 1;
    hi += step;
  }
  if (hi > ntok)
    hi = ntok;
  while (lo < hi) { /* the end is in [lo, hi] */
    size_t mid = lo + (hi - lo) / 2;
    if (toks[mid].sentence == sentence)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* Whether punctuation in [first, end) holds '!'. The tokeniser flags it
 * in the text, which its normalised form matches (normalisation neither
 * drops nor makes a '!'); the flags are merged without a test per token. */
static int exclaims(const avis_tok *toks, size_t first, size_t end) {
  unsigned flags = 0;
  for (size_t i = first; i < end; i++)
    flags |= toks[i].flags;
  return (flags & AVIS_TF_EXCLAIM) != 0;
}

/* Starts the sentence at token `first` and returns its end: the first
 * token of the next one. '!' anywhere emphasises the sentence; a question
 * has its terms weigh less. */
static size_t begin_sentence(scorer *s, size_t first, size_t ntok) {
  const avis_tok *toks = s->toks;
  size_t end = sentence_end(toks, first, ntok);
  unsigned rules = exclaims(toks, first, end) ? AVIS_RULE_EMPHASIS : 0;
  if (is_question(s, first, end))
    rules |= AVIS_RULE_QUESTION;
  s->sentence = toks[first].sentence;
  s->sentence_rules = rules;
  s->sentence_factor = 1.0;
  if (rules & AVIS_RULE_EMPHASIS)
    s->sentence_factor *= params.exclamation;
  if (rules & AVIS_RULE_QUESTION)
    s->sentence_factor *= params.question;
  s->seen_word = 0;
  s->prev_segment = s->segment;
  s->segment = driver_count(s);
  s->contrast = 0.0;
  end_clause(s);
  return end;
}

/* Adds a driver for tokens [tok, tok+ntok) with the rules in force. The
 * term is the lexicon key: [term_off, term_len) in the arena. `clause`
 * says whether clause rules (negation, intensifiers, capitals) apply;
 * emoji and emoticons only take sentence rules. */
static int add_driver(scorer *s, size_t tok, size_t ntok, double polarity,
                      unsigned rules, uint32_t term_off, uint32_t term_len,
                      int clause) {
  double c = polarity * s->sentence_factor;
  if (rules & AVIS_RULE_STEM)
    c *= params.stem;
  rules |= s->sentence_rules;
  if (s->contrast > 0.0) {
    c *= s->contrast;
    rules |= AVIS_RULE_CONTRAST;
  }
  if (s->concession > 0.0) {
    c *= s->concession;
    rules |= AVIS_RULE_BEFORE_CONTRAST;
  }
  if (clause) {
    if (s->boost_rule) {
      c *= s->boost;
      rules |= s->boost_rule;
      reset_boost(s);
    }
    for (size_t i = tok; i < tok + ntok; i++)
      if (s->toks[i].flags & AVIS_TF_ALLCAPS) {
        c *= params.caps;
        rules |= AVIS_RULE_EMPHASIS;
        break;
      }
    if (s->negated || s->sans) {
      c *= params.negation;
      rules |= AVIS_RULE_NEGATED;
    }
    if (s->negated && s->sans)
      c *= params.negation; /* pas sans intérêt: two negations */
  }
  avis_driver *d = avis_vec_push(&s->out->drivers, sizeof *d);
  if (!d)
    return AVIS_ERR_NOMEM;
  d->tok = (uint32_t)tok;
  d->ntok = (uint32_t)ntok;
  d->sentence = s->sentence;
  d->polarity = (float)polarity;
  d->contribution = (float)c;
  d->rules = (uint16_t)rules;
  d->term_off = term_off;
  d->term_len = term_len;
  return 0;
}

/* A matched lexicon entry: counts toward subjectivity and emotions, and
 * becomes a driver when it has a polarity. */
static int add_entry(scorer *s, size_t tok, size_t ntok,
                     const avis_lex_entry *e, unsigned rules,
                     uint32_t term_off, uint32_t term_len) {
  if (e->polarity != 0.0f || e->subjectivity > 0.0f)
    s->subjective_words += count_words(&s->toks[tok], ntok);
  if (e->emotions) {
    s->emotion_terms++;
    for (int k = 0; k < AVIS_EMOTION_COUNT; k++)
      s->emotion_words[k] += (e->emotions >> k) & 1u;
  }
  if (e->polarity == 0.0f)
    return 0;
  return add_driver(s, tok, ntok, e->polarity, rules, term_off, term_len, 1);
}

/* ---- Expressions ----------------------------------------------------- */

typedef struct {
  size_t ntok;                 /* 0 when none; the rest is then unset */
  size_t key_len;              /* its key is at the arena's end: key_at() */
  const avis_lex_entry *entry; /* a polar expression, or */
  const avis_modifier *mod;    /* a modifier expression */
} expression;

/* How many words from token i on an expression may span: no more than
 * the longest one its form starts, and every word after the first must
 * be one that some expression has after its first (the word cache's
 * mwe_tail), so the first other word ends every candidate. Most often 1:
 * nothing to look up. */
static size_t candidate_words(const scorer *s, size_t i, size_t end) {
  const avis_word *w = &s->info[i];
  if ((w->lex_mwe | w->mod_mwe) < 2)
    return 1;
  size_t max = w->lex_mwe > w->mod_mwe ? w->lex_mwe : w->mod_mwe;
  if (max > MAX_EXPRESSION_TOKENS)
    max = MAX_EXPRESSION_TOKENS;
  if (max > end - i)
    max = end - i;
  size_t n = 1;
  while (n < max && is_word(&s->toks[i + n]) && s->info[i + n].mwe_tail)
    n++;
  return n;
}

/* Candidate keys are written past the end of the arena, in room reserved
 * for them, rather than in a buffer of their own: no allocation per
 * document, and a key that becomes a driver's term is kept where it is
 * (keep_key()) instead of being copied. */
static char *key_at(const scorer *s) { return s->arena->data + s->arena->len; }

/* Writes the candidate keys of tokens [i, i+n) at key_at(): the words'
 * normalised forms joined by single spaces, an elided clitic being a word
 * of its own ("n' importe quoi"), as the lexicon loader writes its
 * expressions. ends[k] is the key length after k+1 tokens. 0 or
 * AVIS_ERR_NOMEM. */
static int build_keys(scorer *s, size_t i, size_t n,
                      size_t ends[MAX_EXPRESSION_TOKENS]) {
  size_t len = n - 1;
  for (size_t j = i; j < i + n; j++)
    len += s->toks[j].norm_len;
  /* Room for the key and the NUL that keep_key() puts after it. */
  if (avis_buf_reserve(s->arena, len + 1))
    return AVIS_ERR_NOMEM;
  char *key = key_at(s), *p = key;
  for (size_t j = 0; j < n; j++) {
    if (j > 0)
      *p++ = ' ';
    memcpy(p, norm_of(s, i + j), s->toks[i + j].norm_len);
    p += s->toks[i + j].norm_len;
    ends[j] = (size_t)(p - key);
  }
  return 0;
}

/* Makes the key_len bytes at key_at() a string of the arena, as
 * avis_buf_append() and avis_buf_putc('\0') would, and returns its
 * offset. build_keys() reserved the room. */
static uint32_t keep_key(scorer *s, size_t key_len) {
  avis_buf *a = s->arena;
  uint32_t off = (uint32_t)a->len;
  a->len += key_len;
  a->data[a->len++] = '\0';
  a->data[a->len] = '\0';
  return off;
}

/* The longest lexicon or modifier expression (two words or more) starting
 * at token i; a polar expression wins a tie. */
static int find_expression(scorer *s, size_t i, size_t end, expression *x) {
  x->ntok = 0;
  size_t n = candidate_words(s, i, end);
  if (n < 2)
    return 0;
  size_t ends[MAX_EXPRESSION_TOKENS];
  int rc = build_keys(s, i, n, ends);
  if (rc)
    return rc;
  const char *key = key_at(s);
  unsigned lex_max = s->info[i].lex_mwe;
  unsigned mod_max = s->info[i].mod_mwe;
  for (size_t k = n; k >= 2; k--) {
    const avis_lex_entry *e =
        k <= lex_max ? avis_lexicon_form(s->lex, key, ends[k - 1]) : NULL;
    const avis_modifier *m =
        !e && k <= mod_max ? avis_modifiers_get(s->mods, key, ends[k - 1])
                           : NULL;
    if (e || m) {
      x->ntok = k;
      x->key_len = ends[k - 1];
      x->entry = e;
      x->mod = m;
      break;
    }
  }
  return 0;
}

/* ---- Rules ------------------------------------------------------------- */

static int is_negator_kind(unsigned kind) {
  return kind == AVIS_MOD_NE || kind == AVIS_MOD_NEGATOR ||
         kind == AVIS_MOD_NEG_PLUS;
}

/* "Jamais vu un film aussi nul": without ne, jamais before a participle
 * of perception exclaims rather than negates. */
static int exclamative_jamais(const scorer *s, size_t i, size_t end) {
  if (i + 1 >= end || !is_word(&s->toks[i + 1]))
    return 0;
  return FORM_IS(s, i + 1, "vu") || FORM_IS(s, i + 1, "vue") ||
         FORM_IS(s, i + 1, "lu") || FORM_IS(s, i + 1, "entendu") ||
         FORM_IS(s, i + 1, "connu");
}

/* pas, jamais, rien, plus (after ne), ... A ne-family negator opens one
 * negation over the next words of its clause (params.negation_window) and
 * resolves a pending ne: the words between ne and it (the verb: "je
 * n'aime pas") are negated too. Further negators of the family join it
 * ("ne ... jamais rien" is one negation). "sans" opens its own, so "pas
 * sans intérêt" is a double negation, but "sans aucun", "sans rien" are
 * one. */
static void read_negator(scorer *s, size_t i, size_t end,
                         const avis_modifier *m) {
  if (FORM_IS(s, i, "sans")) {
    s->sans = 1;
    s->neg_words = 0;
    return;
  }
  if (s->negated || s->sans)
    return;
  if (!s->ne_open) {
    /* neg_plus words are nouns or comparatives without a ne before them:
     * plus beau, plus de, un point fort, une personne. */
    if (m->kind == AVIS_MOD_NEG_PLUS ||
        (FORM_IS(s, i, "jamais") && exclamative_jamais(s, i, end)))
      return;
  } else {
    scale_drivers(s, s->ne_first, params.negation, AVIS_RULE_NEGATED);
    s->ne_open = 0;
  }
  s->negated = 1;
  s->neg_words = 0;
  /* Ne ... plus que: restrictive ("il n'y a plus que des navets"). */
  if (m->kind == AVIS_MOD_NEG_PLUS && i + 1 < end &&
      (FORM_IS(s, i + 1, "que") || FORM_IS(s, i + 1, "qu'")))
    s->negated = 0;
}

/* Ne ... que without a negator before que is restrictive: "je ne regarde
 * que des bons films" negates nothing. */
static void read_que(scorer *s, size_t i) {
  if (s->ne_open && !s->negated &&
      (FORM_IS(s, i, "que") || FORM_IS(s, i, "qu'")))
    s->ne_open = 0;
}

/* Contrast markers. An adversative (mais, pourtant, en revanche: list
 * weight >= 1) makes what came before in the sentence (since the previous
 * marker) weigh less and what follows, to the end of the sentence, weigh
 * the marker's weight; one opening the sentence ("Mais ...") turns against
 * the previous sentence. A concessive (malgré, bien que, même si: weight
 * < 1) introduces what matters less: its weight holds to the end of its
 * own clause only, so "Même si les acteurs sont bons, le scénario est
 * raté" keeps the main clause whole. */
static void read_contrast(scorer *s, size_t i, size_t ntok, size_t end,
                          const avis_modifier *m) {
  if (ntok == 1 && FORM_IS(s, i, "mais") && i + 1 < end &&
      (FORM_IS(s, i + 1, "aussi") || FORM_IS(s, i + 1, "également") ||
       FORM_IS(s, i + 1, "encore")))
    return; /* non seulement ... mais aussi: additive */
  end_clause(s);
  if (m->weight < 1.0f) {
    s->concession = m->weight;
    return;
  }
  size_t from = s->seen_word ? s->segment : s->prev_segment;
  scale_drivers(s, from, params.before_contrast, AVIS_RULE_BEFORE_CONTRAST);
  s->segment = driver_count(s);
  s->contrast = m->weight;
}

static void read_boost(scorer *s, const avis_modifier *m) {
  unsigned rule = m->kind == AVIS_MOD_INTENSIFIER ? AVIS_RULE_INTENSIFIED
                                                  : AVIS_RULE_DIMINISHED;
  s->boost *= m->weight;
  if (fabs(s->boost) > params.boost_max)
    s->boost = copysign(params.boost_max, s->boost);
  s->boost_rule |= rule;
  s->boost_left = params.window;
}

static void read_modifier(scorer *s, size_t i, size_t ntok, size_t end,
                          const avis_modifier *m) {
  switch (m->kind) {
  case AVIS_MOD_NE:
    if (!s->ne_open && !s->negated) {
      s->ne_open = 1;
      s->ne_first = driver_count(s);
    }
    break;
  case AVIS_MOD_NEGATOR:
  case AVIS_MOD_NEG_PLUS:
    read_negator(s, i, end, m);
    break;
  case AVIS_MOD_INTENSIFIER:
  case AVIS_MOD_DIMINISHER:
    read_boost(s, m);
    break;
  case AVIS_MOD_CONTRAST:
    read_contrast(s, i, ntok, end, m);
    break;
  default:
    break;
  }
}

/* A polar expression that starts with a negator ("pas mal", "sans faute")
 * carries its negation: it answers a pending ne instead of negating. */
static int read_polar_expression(scorer *s, size_t i, const expression *x) {
  const avis_modifier *head = modifier_at(s, i);
  if (head && is_negator_kind(head->kind) && head->kind != AVIS_MOD_NE)
    s->ne_open = 0;
  uint32_t off = keep_key(s, x->key_len);
  return add_entry(s, i, x->ntok, x->entry, AVIS_RULE_EXPRESSION, off,
                   (uint32_t)x->key_len);
}

/* "pas mal" and "pas terrible" mean "rather good" and "rather bad"; when
 * no lexicon rates them, built-in values stand in. "pas mal de" is a
 * quantity ("pas mal de défauts") and rates nothing. Returns the tokens
 * consumed, 0 when the words are something else. */
static size_t read_builtin_pas(scorer *s, size_t i, size_t end, int *rc) {
  if (!FORM_IS(s, i, "pas") || i + 1 >= end || !is_word(&s->toks[i + 1]))
    return 0;
  double polarity;
  if (FORM_IS(s, i + 1, "mal"))
    polarity = params.pas_mal;
  else if (FORM_IS(s, i + 1, "terrible"))
    polarity = params.pas_terrible;
  else
    return 0;
  s->ne_open = 0;
  if (polarity > 0 && i + 2 < end && is_word(&s->toks[i + 2]) &&
      (FORM_IS(s, i + 2, "de") || FORM_IS(s, i + 2, "d'")))
    return 2;
  size_t ends[MAX_EXPRESSION_TOKENS];
  if ((*rc = build_keys(s, i, 2, ends)) != 0)
    return 0;
  uint32_t off = keep_key(s, ends[1]);
  s->subjective_words += 2;
  *rc = add_driver(s, i, 2, polarity, AVIS_RULE_EXPRESSION, off,
                   (uint32_t)ends[1], 1);
  return 2;
}

/* A single word: a modifier, a function word, or a lexicon term by its
 * form, else by its stem. */
static int read_single_word(scorer *s, size_t i, size_t end) {
  const avis_tok *t = &s->toks[i];
  const avis_word *w = &s->info[i];
  const avis_modifier *m = avis_word_modifier(s->mods, w->mod);
  if (m) {
    read_modifier(s, i, 1, end, m);
    return 0;
  }
  read_que(s, i);
  if (t->flags & AVIS_TF_ELISION)
    return 0;
  if (!w->function_word) {
    if (w->lex_form != AVIS_WORD_NONE)
      return add_entry(s, i, 1, avis_word_entry(s->lex, w->lex_form), 0,
                       t->norm_off, t->norm_len);
    if (w->lex_stem != AVIS_WORD_NONE)
      return add_entry(s, i, 1, avis_word_entry(s->lex, w->lex_stem),
                       AVIS_RULE_STEM, t->stem_off, t->stem_len);
  }
  if (s->boost_left && --s->boost_left == 0)
    reset_boost(s);
  return 0;
}

static int read_word(scorer *s, size_t i, size_t end, size_t *next) {
  if ((s->negated || s->sans) && ++s->neg_words > params.negation_window)
    s->negated = s->sans = 0;
  if (!(s->toks[i].flags & AVIS_TF_ELISION))
    s->words++;
  expression x;
  int rc = find_expression(s, i, end, &x);
  if (rc)
    return rc;
  /* After ne, plus negates: "n'est plus amusant" is not the comparative
   * expression "plus amusant". */
  if (x.ntok && x.entry && s->ne_open) {
    const avis_modifier *head = modifier_at(s, i);
    if (head && head->kind == AVIS_MOD_NEG_PLUS)
      x.ntok = 0;
  }
  if (x.ntok) {
    *next = i + x.ntok;
    s->words += count_words(&s->toks[i + 1], x.ntok - 1);
    if (x.entry)
      rc = read_polar_expression(s, i, &x);
    else
      read_modifier(s, i, x.ntok, end, x.mod);
  } else {
    size_t used = read_builtin_pas(s, i, end, &rc);
    if (rc)
      return rc;
    if (used) {
      *next = i + used;
      s->words += used - 1;
    } else {
      rc = read_single_word(s, i, end);
    }
  }
  s->seen_word = 1;
  return rc;
}

/* Emoji and emoticons: the lexicon first (as written, then an emoji's
 * base), then the built-in tables. */
static int read_symbol(scorer *s, size_t i) {
  const avis_tok *t = &s->toks[i];
  const char *w = norm_of(s, i);
  char base[32];
  size_t n = t->kind == AVIS_TOKEN_EMOJI
                 ? emoji_base(w, t->norm_len, base, sizeof base)
                 : 0;
  const avis_lex_entry *e = avis_lexicon_form(s->lex, w, t->norm_len);
  if (!e && n && n < t->norm_len)
    e = avis_lexicon_form(s->lex, base, n);
  if (e)
    return add_entry(s, i, 1, e, 0, t->norm_off, t->norm_len);
  double polarity =
      t->kind == AVIS_TOKEN_EMOTICON
          ? symbol_polarity(emoticons, sizeof emoticons / sizeof *emoticons, w,
                            t->norm_len)
          : symbol_polarity(emoji, sizeof emoji / sizeof *emoji, base, n);
  if (polarity == 0.0)
    return 0;
  return add_driver(s, i, 1, polarity, 0, t->norm_off, t->norm_len, 0);
}

/* #génial counts as génial. */
static int read_hashtag(scorer *s, size_t i) {
  const avis_tok *t = &s->toks[i];
  if (t->norm_len < 2 ||
      avis_is_function_word(norm_of(s, i) + 1, t->norm_len - 1))
    return 0;
  const avis_lex_entry *e =
      avis_lexicon_form(s->lex, norm_of(s, i) + 1, t->norm_len - 1);
  if (!e)
    return 0;
  return add_entry(s, i, 1, e, 0, t->norm_off + 1, t->norm_len - 1);
}

/* Whether token i is an inert word (avis_sentiment_inert()) at which no
 * expression starts, as most words are: candidate_words() is 1 for it,
 * told here from the word and the next token without the count. */
static int is_plain_word(const scorer *s, size_t i, size_t end) {
  const avis_word *w = &s->info[i];
  if (s->toks[i].kind != AVIS_TOKEN_WORD || !w->inert)
    return 0;
  return (w->lex_mwe | w->mod_mwe) < 2 || i + 1 == end ||
         !is_word(&s->toks[i + 1]) || !s->info[i + 1].mwe_tail;
}

/* What read_word() does for ntok plain words (is_plain_word()), nwords
 * of them counting as words (not elided clitics): no rule or term, only
 * the counts, updated once for the whole run. */
static void read_inert_run(scorer *s, size_t ntok, size_t nwords) {
  if (s->negated || s->sans) {
    if (ntok > params.negation_window - s->neg_words)
      s->negated = s->sans = 0;
    else
      s->neg_words += (unsigned)ntok;
  }
  s->words += nwords;
  if (s->boost_left) {
    if (nwords >= s->boost_left)
      reset_boost(s);
    else
      s->boost_left -= (unsigned)nwords;
  }
  s->seen_word = 1;
}

/* Reads the plain words from token i on, in one tight loop; returns the
 * first token after them. */
static size_t read_plain_words(scorer *s, size_t i, size_t end) {
  size_t first = i, nwords = 0;
  for (; i < end && is_plain_word(s, i, end); i++)
    nwords += !(s->toks[i].flags & AVIS_TF_ELISION);
  if (i > first)
    read_inert_run(s, i - first, nwords);
  return i;
}

/* Any token but a plain word (read_plain_words()). */
static int read_token(scorer *s, size_t i, size_t end, size_t *next) {
  const avis_tok *t = &s->toks[i];
  *next = i + 1;
  switch (t->kind) {
  case AVIS_TOKEN_WORD:
    return read_word(s, i, end, next);
  case AVIS_TOKEN_PUNCT:
    if (is_clause_break(norm_of(s, i), t->norm_len))
      end_clause(s);
    return 0;
  case AVIS_TOKEN_EMOJI:
  case AVIS_TOKEN_EMOTICON:
    return read_symbol(s, i);
  case AVIS_TOKEN_HASHTAG:
    return read_hashtag(s, i);
  default: /* numbers, links, addresses, handles */
    return 0;
  }
}

/* Scores the sentence starting at token `first`; *next is set past it. */
static int score_sentence(scorer *s, size_t first, size_t ntok, size_t *next) {
  size_t end = begin_sentence(s, first, ntok);
  *next = end;
  /* Plain words are most of a text. */
  for (size_t i = first;;) {
    i = read_plain_words(s, i, end);
    if (i == end)
      return 0;
    int rc = read_token(s, i, end, &i);
    if (rc)
      return rc;
  }
}

/* ---- Aggregation ---------------------------------------------------- */

/* The balance of calibrated contributions: net polarity over total
 * polarity mass, damped when there is little evidence. Unlike a squashed
 * sum it does not run to ±1 as a long article piles up terms, so a score
 * means the same for a tweet and for an op-ed; its sign is the sign of the
 * calibrated sum. */
static double balance(double net, double mass) {
  return mass > 0 ? net / (mass + params.damping) : 0.0;
}

/* Drivers go strongest first, then in text order: a total order, since
 * a token starts one driver at most, so that every correct sort gives the
 * same order. Drivers come in text order, so a driver's sort key is its
 * |contribution| above its index: the bits of a float that is not
 * negative order as the float does, and inverted they put the strongest
 * first. Sorting the keys moves 8 bytes where a driver is 32, and
 * compares integers. */
static uint64_t sort_key(const avis_driver *d, size_t i) {
  float strength = fabsf(d->contribution);
  uint32_t bits;
  memcpy(&bits, &strength, sizeof bits);
  return (uint64_t)(UINT32_MAX - bits) << 32 | (uint32_t)i;
}

static void insertion_sort(uint64_t *k, size_t n) {
  for (size_t i = 1; i < n; i++) {
    uint64_t x = k[i];
    size_t j = i;
    for (; j > 0 && x < k[j - 1]; j--)
      k[j] = k[j - 1];
    k[j] = x;
  }
}

static void merge(const uint64_t *a, size_t na, const uint64_t *b, size_t nb,
                  uint64_t *out) {
  while (na && nb) {
    if (*b < *a) {
      *out++ = *b++;
      nb--;
    } else {
      *out++ = *a++;
      na--;
    }
  }
  memcpy(out, a, na * sizeof *a);
  memcpy(out + na, b, nb * sizeof *b);
}

/* Sorts keys[0..n) into runs sorted by insertion, then merged through
 * tmp; returns where the sorted keys are, keys or tmp. */
#define SORT_RUN 16

static uint64_t *sort_keys(uint64_t *keys, uint64_t *tmp, size_t n) {
  for (size_t i = 0; i < n; i += SORT_RUN)
    insertion_sort(keys + i, n - i < SORT_RUN ? n - i : SORT_RUN);
  uint64_t *from = keys, *to = tmp;
  for (size_t width = SORT_RUN; width < n; width *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * width) {
      size_t mid = n - lo < width ? n : lo + width;
      size_t hi = n - lo < 2 * width ? n : lo + 2 * width;
      merge(from + lo, mid - lo, from + mid, hi - mid, to + lo);
    }
    uint64_t *t = from;
    from = to;
    to = t;
  }
  return from;
}

/* A document holds a few dozen drivers, sorted on the stack; a long one
 * borrows room from the heap. 0 or AVIS_ERR_NOMEM. */
#define SORT_STACK 64

/* The heap's room puts the keys after the drivers' copy. */
_Static_assert(sizeof(avis_driver) % _Alignof(uint64_t) == 0,
               "keys after drivers are misaligned");

static int sort_drivers(avis_driver *d, size_t n) {
  avis_driver stack_copy[SORT_STACK];
  uint64_t stack_keys[2 * SORT_STACK];
  avis_driver *copy = stack_copy;
  uint64_t *keys = stack_keys;
  if (n < 2)
    return 0;
  if (n > SORT_STACK) {
    if (!(copy = malloc(n * (sizeof *copy + 2 * sizeof *keys))))
      return AVIS_ERR_NOMEM;
    keys = (uint64_t *)(copy + n);
  }
  for (size_t i = 0; i < n; i++)
    keys[i] = sort_key(&d[i], i);
  memcpy(copy, d, n * sizeof *d);
  const uint64_t *sorted = sort_keys(keys, keys + n, n);
  for (size_t i = 0; i < n; i++)
    d[i] = copy[(uint32_t)sorted[i]];
  if (copy != stack_copy)
    free(copy);
  return 0;
}

/* Drivers come in sentence order, so each sentence's sums are made over
 * one run of them, with no array of sums beside the scores. */
static int aggregate(scorer *s, size_t nsent) {
  avis_sentiment *out = s->out;
  double *score = out->sentences.data;
  double total_net = 0.0, total_mass = 0.0;
  size_t ndrivers = driver_count(s);
  for (size_t i = 0; i < ndrivers;) {
    uint32_t sentence = driver_at(s, i)->sentence;
    double net = 0.0, mass = 0.0;
    for (; i < ndrivers && driver_at(s, i)->sentence == sentence; i++) {
      double c = driver_at(s, i)->contribution - params.bias;
      total_net += c;
      total_mass += fabs(c);
      net += c;
      mass += fabs(c);
    }
    if (sentence < nsent)
      score[sentence] = balance(net, mass);
  }
  out->score = balance(total_net, total_mass);
  out->label = avis_label_for_score(out->score);
  out->subjectivity =
      s->words ? fmin(1.0, (double)s->subjective_words / (double)s->words) : 0;
  for (int k = 0; k < AVIS_EMOTION_COUNT; k++)
    out->emotions[k] = s->emotion_terms ? (double)s->emotion_words[k] /
                                              (double)s->emotion_terms
                                        : 0.0;
  return sort_drivers(out->drivers.data, ndrivers);
}

/* Sentence scores, 0 until aggregate() sets those with drivers. */
static int alloc_sentences(avis_vec *v, size_t nsent) {
  if (!nsent)
    return 0;
  if (avis_vec_reserve(v, nsent, sizeof(double)))
    return AVIS_ERR_NOMEM;
  memset(v->data, 0, nsent * sizeof(double));
  v->len = nsent;
  return 0;
}

int avis_sentiment_score(const avis_tok *toks, const avis_word *words,
                         size_t ntok, size_t nsent, avis_buf *arena,
                         const avis_lexicon *lex, const avis_modifiers *mods,
                         avis_sentiment *out) {
  memset(out, 0, sizeof *out);
  out->has_emotions = lex->has_emotions;
  scorer s = {.toks = toks, .info = words, .arena = arena, .lex = lex,
              .mods = mods, .out = out};
  reset_boost(&s);
  int rc = alloc_sentences(&out->sentences, nsent);
  for (size_t first = 0; !rc && first < ntok;)
    rc = score_sentence(&s, first, ntok, &first);
  if (!rc)
    rc = aggregate(&s, nsent);
  if (rc)
    avis_sentiment_release(out);
  return rc;
}

void avis_sentiment_release(avis_sentiment *s) {
  if (!s)
    return;
  avis_vec_release(&s->drivers);
  avis_vec_release(&s->sentences);
}

avis_label avis_label_for_score(double score) {
  if (score > params.neutral_band)
    return AVIS_POSITIVE;
  if (score < -params.neutral_band)
    return AVIS_NEGATIVE;
  return AVIS_NEUTRAL;
}
