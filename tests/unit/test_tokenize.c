/* Tokeniser and sentence segmenter.
 *
 * Most cases are table rows: an input and the expected tokens, written as
 * one string so that a failure prints both lists side by side. A token is
 * its text, then "/kind" unless it is a word, then "+el", "+hy", "+inv"
 * for the elision, hyphen and inverted-pronoun flags; tokens are separated
 * by " | ". Sentence rows list the sentences, separated by " || ". Every
 * output, including the hostile inputs at the end, is also checked for the
 * invariants any token list must satisfy. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tokenize.h"

typedef struct {
  const char *name;
  const char *input;
  const char *expected;
} row;

/* ---- Rendering and invariants -------------------------------------------- */

static const char *const kind_suffix[] = {
    "", "/num", "/url", "/mail", "/at", "/tag", "/emoji", "/emoticon", "/p"};

static void append(avis_buf *b, const void *p, size_t n) {
  assert_int_equal(avis_buf_append(b, p, n), 0);
}

static void append_str(avis_buf *b, const char *s) { append(b, s, strlen(s)); }

static void render_tokens(avis_buf *b, const char *text, const avis_vec *v,
                          unsigned flags_shown) {
  static const struct {
    unsigned flag;
    const char *name;
  } names[] = {{AVIS_TF_ELISION, "+el"}, {AVIS_TF_HYPHEN, "+hy"},
               {AVIS_TF_INVERTED, "+inv"}, {AVIS_TF_CAPITAL, "+cap"},
               {AVIS_TF_ALLCAPS, "+caps"}};
  const avis_tok *t = v->data;
  for (size_t i = 0; i < v->len; i++) {
    if (i)
      append_str(b, " | ");
    append(b, text + t[i].start, t[i].len);
    append_str(b, kind_suffix[t[i].kind]);
    for (size_t k = 0; k < sizeof names / sizeof *names; k++)
      if (t[i].flags & flags_shown & names[k].flag)
        append_str(b, names[k].name);
  }
}

static void render_sentences(avis_buf *b, const char *text,
                             const avis_vec *v) {
  const avis_tok *t = v->data;
  size_t begin = 0;
  for (size_t i = 0; i < v->len; i++) {
    if (i && t[i].sentence != t[i - 1].sentence) {
      append_str(b, " || ");
      begin = i;
    }
    if (t[i].flags & AVIS_TF_SENT_END)
      append(b, text + t[begin].start,
             t[i].start + t[i].len - t[begin].start);
  }
}

/* What holds for any input: tokens are non-empty, in order, inside the
 * text, with no normalised form or stem yet; punctuation, and only it,
 * carries AVIS_TF_EXCLAIM when it holds '!'; sentences are numbered 0, 1,
 * 2... and each one's last token, and only it, carries AVIS_TF_SENT_END. */
static void check_invariants(const char *text, const avis_tok *t, size_t n,
                             size_t len) {
  for (size_t i = 0; i < n; i++) {
    assert_true(t[i].len > 0);
    assert_int_equal(!!(t[i].flags & AVIS_TF_EXCLAIM),
                     t[i].kind == AVIS_TOKEN_PUNCT &&
                         memchr(text + t[i].start, '!', t[i].len));
    assert_true(!t[i].norm_off && !t[i].norm_len && !t[i].stem_off &&
                !t[i].stem_len);
    assert_true((size_t)t[i].start + t[i].len <= len);
    assert_true(t[i].kind <= AVIS_TOKEN_PUNCT);
    if (i == 0) {
      assert_int_equal(t[i].sentence, 0);
      continue;
    }
    assert_true(t[i].start >= t[i - 1].start + t[i - 1].len);
    int new_sentence = t[i].sentence != t[i - 1].sentence;
    assert_int_equal(t[i].sentence, t[i - 1].sentence + new_sentence);
    assert_int_equal(!!(t[i - 1].flags & AVIS_TF_SENT_END), new_sentence);
  }
  if (n)
    assert_true(t[n - 1].flags & AVIS_TF_SENT_END);
}

static void tokenize_checked(const char *text, size_t len, avis_vec *v) {
  assert_int_equal(avis_tokenize(text, len, v), 0);
  check_invariants(text, v->data, v->len, len);
}

static void check_row(const row *r, unsigned flags_shown, int sentences) {
  avis_vec v = {0};
  avis_buf got = {0};
  tokenize_checked(r->input, strlen(r->input), &v);
  if (sentences)
    render_sentences(&got, r->input, &v);
  else
    render_tokens(&got, r->input, &v, flags_shown);
  assert_string_equal(got.data ? got.data : "", r->expected);
  avis_buf_release(&got);
  avis_vec_release(&v);
}

static void test_token_row(void **state) {
  check_row(*state, AVIS_TF_ELISION | AVIS_TF_HYPHEN | AVIS_TF_INVERTED, 0);
}

static void test_case_row(void **state) {
  check_row(*state, AVIS_TF_CAPITAL | AVIS_TF_ALLCAPS, 0);
}

static void test_sentence_row(void **state) { check_row(*state, 0, 1); }

/* ---- Tokens ---------------------------------------------------------------- */

static const row token_rows[] = {
    /* Elisions */
    {"elision, straight apostrophe", "l'application",
     "l'+el | application"},
    {"elision, typographic apostrophe", "l’application",
     "l’+el | application"},
    {"elision, left quotation mark", "d‘abord", "d‘+el | abord"},
    {"elision, modifier letter apostrophe", "lʼhôtel", "lʼ+el | hôtel"},
    {"elision, capital", "L’État", "L’+el | État"},
    {"elision, all capitals", "QU'IL VIENT", "QU'+el | IL | VIENT"},
    {"elision, long clitics",
     "jusqu'à lorsqu'il puisqu'elle quoiqu'on",
     "jusqu'+el | à | lorsqu'+el | il | puisqu'+el | elle | quoiqu'+el | on"},
    {"elision, one-letter clitics", "j'ai m'a n'est s'il t'es c'est d'or",
     "j'+el | ai | m'+el | a | n'+el | est | s'+el | il | t'+el | es | "
     "c'+el | est | d'+el | or"},
    {"apostrophe inside a word",
     "aujourd’hui presqu’île prud'homme quelqu'un",
     "aujourd’hui | presqu’île | prud'homme | quelqu'un"},
    {"elision before a word with an apostrophe", "qu'aujourd'hui",
     "qu'+el | aujourd'hui"},
    {"repeated elisions", "l'l'l'l'", "l'+el | l'+el | l'+el | l | '/p"},
    {"apostrophe before a space", "l' arbre", "l | '/p | arbre"},
    {"single quotes around a word", "‘bonjour’", "‘/p | bonjour | ’/p"},
    {"English contraction stays whole", "don't", "don't"},
    {"elision before a digit is not one", "l'2", "l | '/p | 2/num"},

    /* Compounds and inverted pronouns */
    {"compound peut-être", "peut-être", "peut-être+hy"},
    {"compound c'est-à-dire", "c'est-à-dire", "c'est-à-dire+hy"},
    {"compound C’est-à-dire", "C’est-à-dire,", "C’est-à-dire+hy | ,/p"},
    {"compound names", "Saint-Étienne vis-à-vis",
     "Saint-Étienne+hy | vis-à-vis+hy"},
    {"compounds with ci and là", "celui-ci là-bas", "celui-ci+hy | là-bas+hy"},
    {"rendez-vous stays whole", "Rendez-vous au rendez-vous",
     "Rendez-vous+hy | au | rendez-vous+hy"},
    {"garde-à-vous stays whole", "garde-à-vous", "garde-à-vous+hy"},
    {"inversion with euphonic t", "a-t-il", "a | il+inv"},
    {"y a-t-il", "Y a-t-il", "Y | a | il+inv"},
    {"inversion est-ce", "est-ce", "est | ce+inv"},
    {"qu'est-ce que c'est", "Qu'est-ce que c'est",
     "Qu'+el | est | ce+inv | que | c'+el | est"},
    {"inversion nous", "pouvons-nous", "pouvons | nous+inv"},
    {"inversion elle", "dit-elle", "dit | elle+inv"},
    {"inversion ils", "vont-ils", "vont | ils+inv"},
    {"inversion on with t", "va-t-on", "va | on+inv"},
    {"inversion in capitals", "A-T-IL", "A | IL+inv"},
    {"elision then inversion", "s'est-il", "s'+el | est | il+inv"},
    {"inversion je and tu", "Puis-je ? As-tu", "Puis | je+inv | ?/p | As | tu+inv"},
    {"vous after an imperative is split", "Dépêchez-vous",
     "Dépêchez | vous+inv"},
    {"inversion after a compound", "peut-être-a-t-il",
     "peut-être-a+hy | il+inv"},
    {"object pronoun after an imperative stays", "dis-moi allons-y",
     "dis-moi+hy | allons-y+hy"},
    {"three-part compound", "arc-en-ciel", "arc-en-ciel+hy"},
    {"compound with digits", "covid-19", "covid-19+hy"},
    {"non-breaking hyphen", "non‑stop", "non‑stop+hy"},
    {"dangling hyphen", "pré- et post-opératoire",
     "pré | -/p | et | post-opératoire+hy"},
    {"inclusive writing", "étudiant·e·s", "étudiant·e·s"},
    {"soft hyphen inside a word", "pa\xC2\xADra\xC2\xADpluie",
     "pa\xC2\xADra\xC2\xADpluie"},
    {"zero-width joiner inside a word", "mot\xE2\x80\x8Dmot",
     "mot\xE2\x80\x8Dmot"},
    {"zero-width space separates", "mot\xE2\x80\x8Bmot", "mot | mot"},
    {"trailing soft hyphen is dropped", "mot\xC2\xAD !", "mot | !/p"},

    /* Numbers */
    {"year", "2024", "2024/num"},
    {"thousands with spaces", "1 000 000 habitants",
     "1 000 000/num | habitants"},
    {"thousands with no-break spaces", "1\xC2\xA0" "000 et 2\xE2\x80\xAF" "500",
     "1\xC2\xA0" "000/num | et | 2\xE2\x80\xAF" "500/num"},
    {"decimal comma and percent", "3,5 %", "3,5/num | %/p"},
    {"decimal point", "12.5", "12.5/num"},
    {"ordinals", "1er 3e 2nde 3ème", "1er/num | 3e/num | 2nde/num | 3ème/num"},
    {"hours", "15h30 15h", "15h30/num | 15h/num"},
    {"four digits do not group", "en 2024 500 personnes",
     "en | 2024/num | 500/num | personnes"},
    {"grouped decimal", "1 000,50 €", "1 000,50/num | €/p"},
    {"digits and letters", "4G 100km", "4G | 100km"},
    {"decimal then unit", "3,5km", "3,5/num | km"},
    {"sign is punctuation", "-5", "-/p | 5/num"},
    {"number then full stop", "2024.", "2024/num | ./p"},

    /* URLs and e-mail addresses */
    {"URL with brackets", "https://fr.wikipedia.org/wiki/Lyon_(ville).",
     "https://fr.wikipedia.org/wiki/Lyon_(ville)/url | ./p"},
    {"URL in brackets", "(voir http://exemple.fr/page)",
     "(/p | voir | http://exemple.fr/page/url | )/p"},
    {"www address", "www.example.fr, merci", "www.example.fr/url | ,/p | merci"},
    {"URL in capitals", "HTTPS://EXEMPLE.FR", "HTTPS://EXEMPLE.FR/url"},
    {"bare host name", "commandé sur amazon.fr hier",
     "commandé | sur | amazon.fr/url | hier"},
    {"numbers and capitals end no host name", "100.000 exemple.FR site.fr",
     "100.000/num | exemple | ./p | FR | site.fr/url"},
    {"bare host name with a path", "site.fr/contact?x=1",
     "site.fr/contact?x=1/url"},
    {"URL in guillemets", "«https://a.fr»", "«/p | https://a.fr/url | »/p"},
    {"e-mail address", "marie.dupont@exemple.fr.",
     "marie.dupont@exemple.fr/mail | ./p"},
    {"e-mail with plus and hyphens", "contact+promo@mon-site.co.uk",
     "contact+promo@mon-site.co.uk/mail"},
    {"no e-mail without a domain", "jean@localhost", "jean | @localhost/at"},

    /* Handles and hashtags */
    {"handle", "@marie_d merci", "@marie_d/at | merci"},
    {"handle with a dot", "@jean.dupont.", "@jean.dupont/at | ./p"},
    {"hashtags", "#génial #2024 #JO2024",
     "#génial/tag | #/p | 2024/num | #JO2024/tag"},
    {"lone at sign", "@ 3", "@/p | 3/num"},

    /* Emoji */
    {"emoji", "😀", "😀/emoji"},
    {"ZWJ family", "👨‍👩‍👧‍👦", "👨‍👩‍👧‍👦/emoji"},
    {"flags", "🇫🇷🇧🇪", "🇫🇷/emoji | 🇧🇪/emoji"},
    {"skin tone", "👍🏽", "👍🏽/emoji"},
    {"variation selector", "❤️ ❤", "❤️/emoji | ❤/emoji"},
    {"emoji glued to a word", "super😂😂", "super | 😂/emoji | 😂/emoji"},
    {"subdivision flag", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "🏴󠁧󠁢󠁳󠁣󠁴󠁿/emoji"},
    {"rainbow flag", "🏳️‍🌈", "🏳️‍🌈/emoji"},
    {"keycap", "1️⃣ #️⃣", "1️⃣/emoji | #️⃣/emoji"},
    {"text symbols are not emoji", "© ‼ ‼️", "©/p | ‼/p | ‼️/emoji"},

    /* Emoticons */
    {"emoticons", ":-) :) :( :-( ;) :D :P :/ :'( <3 xD ^^",
     ":-)/emoticon | :)/emoticon | :(/emoticon | :-(/emoticon | ;)/emoticon | "
     ":D/emoticon | :P/emoticon | ://emoticon | :'(/emoticon | "
     "<3/emoticon | xD/emoticon | ^^/emoticon"},
    {"emoticon glued to a word", "super:))", "super | :))/emoticon"},
    {"word glued to an emoticon", "^^merci :)bisous",
     "^^/emoticon | merci | :)/emoticon | bisous"},
    {"letter emoticons", ":DDD :Pas", ":DDD/emoticon | :/p | Pas"},
    {"colon before a name", "Note :Dupont", "Note | :/p | Dupont"},
    {"less than a number", "<30", "</p | 30/num"},
    {"emoticon marks before white space", "a : b - c ;\t^ = < x\n:",
     "a | :/p | b | -/p | c | ;/p | ^/p | =/p | </p | x | :/p"},

    /* Punctuation and spacing */
    {"question and exclamation", "Quoi ?! Non...",
     "Quoi | ?!/p | Non | .../p"},
    {"ellipsis character", "Attendez…", "Attendez | …/p"},
    {"run of exclamation marks", "!!!", "!!!/p"},
    {"guillemets with no-break spaces", "«\xC2\xA0" "Bonjour\xC2\xA0»",
     "«/p | Bonjour | »/p"},
    {"no-break spaces before ; : ! ?",
     "Attention\xE2\x80\xAF: danger\xC2\xA0; non\xC2\xA0! vraiment\xC2\xA0?",
     "Attention | :/p | danger | ;/p | non | !/p | vraiment | ?/p"},
    {"CRLF", "Bonjour\r\nà tous", "Bonjour | à | tous"},
    {"decomposed accents", "cafe\xCC\x81 e\xCC\x81te\xCC\x81",
     "cafe\xCC\x81 | e\xCC\x81te\xCC\x81"},
    {"combining marks alone", "\xCC\x81\xCC\x81\xCC\x81",
     "\xCC\x81\xCC\x81\xCC\x81/p"},
    {"zero-width characters alone",
     "\xE2\x80\x8D\xE2\x80\x8C\xE2\x81\xA0\xEF\xBB\xBF", ""},
    {"dashes and brackets", "—(a)", "—/p | (/p | a | )/p"},
    {"ASCII punctuation, one mark a token", ",,\"'()_&",
     ",/p | ,/p | \"/p | '/p | (/p | )/p | _/p | &/p"},
    {"ASCII punctuation with a combining mark", ",\xCC\x81x ,\xCC\x81",
     ",\xCC\x81/p | x | ,\xCC\x81/p"},
    {"Latin-1 letters and signs", "à ×2 ÷ Été", "à | ×/p | 2/num | ÷/p | Été"},
    {"invalid UTF-8 does not stop the scan", "a\xFF\x80z", "a | \xFF/p | \x80/p | z"},
};

/* ---- Capital letters --------------------------------------------------------- */

static const row case_rows[] = {
    {"capitals", "BONJOUR Bonjour bonjour A É ÉTÉ",
     "BONJOUR+cap+caps | Bonjour+cap | bonjour | A+cap | É+cap | "
     "ÉTÉ+cap+caps"},
    {"capitals with an elision", "L'ÉTAT", "L'+cap | ÉTAT+cap+caps"},
    {"capitals in a hashtag", "#BOYCOTT", "#BOYCOTT/tag+cap+caps"},
    {"mixed case", "McDonald iPhone OK!",
     "McDonald+cap | iPhone | OK+cap+caps | !/p"},
    {"decomposed capitals", "E\xCC\x81TE\xCC\x81", "E\xCC\x81TE\xCC\x81+cap+caps"},
};

/* ---- Sentences ---------------------------------------------------------------- */

static const row sentence_rows[] = {
    {"two sentences", "Il pleut. Nous restons.",
     "Il pleut. || Nous restons."},
    {"titles", "M. Dupont est là. Mme Durand aussi.",
     "M. Dupont est là. || Mme Durand aussi."},
    {"initials", "J. K. Rowling a écrit. Le livre plaît.",
     "J. K. Rowling a écrit. || Le livre plaît."},
    {"av. J.-C.", "Il est né en 52 av. J.-C. César l'a dit.",
     "Il est né en 52 av. J.-C. César l'a dit."},
    {"abbreviations before numbers", "Voir p. 12 et le vol. 3. Fin.",
     "Voir p. 12 et le vol. 3. || Fin."},
    {"vol. without a number", "J'ai raté mon vol. Le suivant part demain.",
     "J'ai raté mon vol. || Le suivant part demain."},
    {"titles with full stops",
     "Le 3 févr. 2024, Mlle. Roux et le Dr. Blanc, cf. annexe. Fin.",
     "Le 3 févr. 2024, Mlle. Roux et le Dr. Blanc, cf. annexe. || Fin."},
    {"months", "Rendez-vous le 3 janv. 2025 à Lyon.",
     "Rendez-vous le 3 janv. 2025 à Lyon."},
    {"env. and n°", "Ça coûte env. 30 € (n° 5). Bien.",
     "Ça coûte env. 30 € (n° 5). || Bien."},
    {"decimal numbers", "Il pèse 3.5 kg. Il coûte 12,5 €.",
     "Il pèse 3.5 kg. || Il coûte 12,5 €."},
    {"ellipsis before lower case", "Je ne sais pas... peut-être demain.",
     "Je ne sais pas... peut-être demain."},
    {"ellipsis before a capital", "Je ne sais pas… Demain peut-être.",
     "Je ne sais pas… || Demain peut-être."},
    {"closing guillemet", "Il a dit « c'est fini. » Puis il est parti.",
     "Il a dit « c'est fini. » || Puis il est parti."},
    {"reported speech continues", "« Tu viens ? » demanda-t-elle.",
     "« Tu viens ? » demanda-t-elle."},
    {"closing straight quote", "Il dit : \"Fini.\" Puis rien.",
     "Il dit : \"Fini.\" || Puis rien."},
    {"opening straight quote", "Il part. \"Bonjour\", dit-il.",
     "Il part. || \"Bonjour\", dit-il."},
    {"closing bracket", "(Voir plus haut.) Ensuite on part.",
     "(Voir plus haut.) || Ensuite on part."},
    {"missing space", "C'était jeudi.Le gouvernement a parlé.",
     "C'était jeudi. || Le gouvernement a parlé."},
    {"missing space after a number", "Le 3.5 est un nombre.Et alors",
     "Le 3.5 est un nombre. || Et alors"},
    {"missing space after an exclamation", "C'est ouf !!!Je reviens",
     "C'est ouf !!! || Je reviens"},
    {"missing space after a question mark", "Quoi?Non", "Quoi? || Non"},
    {"missing space after a title", "M.Dupont est là.",
     "M.Dupont est là."},
    {"no split before capitals", "Le fichier.PDF est là.",
     "Le fichier.PDF est là."},
    {"URL before the full stop", "Visitez www.example.fr. Merci.",
     "Visitez www.example.fr. || Merci."},
    {"e-mail inside a sentence", "Écrivez à marie.dupont@exemple.fr pour info.",
     "Écrivez à marie.dupont@exemple.fr pour info."},
    {"blank line", "Paragraphe un\n\nParagraphe deux",
     "Paragraphe un || Paragraphe deux"},
    {"blank line with CRLF", "Ligne un\r\n \r\nLigne deux",
     "Ligne un || Ligne deux"},
    {"single line break", "Ligne un\nligne deux", "Ligne un\nligne deux"},
    {"paragraph separator", "Un\xE2\x80\xA9" "Deux", "Un || Deux"},
    {"emoji after the end", "Génial ! 😍 Je recommande.",
     "Génial ! 😍 || Je recommande."},
    {"emoticon after the end", "Super !!! :) À refaire",
     "Super !!! :) || À refaire"},
    {"spaced punctuation run", "Quoi ? ! Non.", "Quoi ? ! || Non."},
    {"digit starts a sentence", "Il a payé 3 000 €. 2 000 de trop.",
     "Il a payé 3 000 €. || 2 000 de trop."},
    {"cf. and etc.", "Cf. le chapitre 2. Ensuite, etc. Fin",
     "Cf. le chapitre 2. || Ensuite, etc. || Fin"},
    {"etc. before a comma", "Prix, taxes, etc., et plus.",
     "Prix, taxes, etc., et plus."},
    {"unit letter", "Il faisait 30°C. Horrible.",
     "Il faisait 30°C. || Horrible."},
    {"lower-case letter before a word", "Il est 15 h. Puis il part.",
     "Il est 15 h. || Puis il part."},
    {"no-break space before ? and !", "Vraiment\xC2\xA0? Oui\xC2\xA0!",
     "Vraiment\xC2\xA0? || Oui\xC2\xA0!"},
    {"exclamation before lower case", "Oh ! quelle surprise.",
     "Oh ! quelle surprise."},
    {"emoji only", "😀😀😀", "😀😀😀"},
    {"no final punctuation", "Fin", "Fin"},
    {"empty text", "", ""},
};

/* ---- The shortcut for common words --------------------------------------- */

/* Tokenises text[0..len) from an allocation of exactly len bytes, so that
 * a read past the end shows under the sanitizers, both ways; the tokens
 * must be the same, spans, kinds, flags and sentences included. */
static void assert_same_both_ways(const char *text, size_t len) {
  char *copy = malloc(len ? len : 1);
  assert_non_null(copy);
  memcpy(copy, text, len);
  avis_vec fast = {0}, general = {0};
  tokenize_checked(copy, len, &fast);
  assert_int_equal(avis_tokenize_general(copy, len, &general), 0);
  avis_buf want = {0}, got = {0};
  unsigned all = AVIS_TF_ELISION | AVIS_TF_HYPHEN | AVIS_TF_INVERTED |
                 AVIS_TF_CAPITAL | AVIS_TF_ALLCAPS;
  render_tokens(&want, copy, &general, all);
  render_tokens(&got, copy, &fast, all);
  assert_string_equal(got.data ? got.data : "", want.data ? want.data : "");
  assert_int_equal(fast.len, general.len);
  if (fast.len)
    assert_memory_equal(fast.data, general.data, fast.len * sizeof(avis_tok));
  avis_buf_release(&want);
  avis_buf_release(&got);
  avis_vec_release(&fast);
  avis_vec_release(&general);
  free(copy);
}

/* Words that take the shortcut, and words beside them that just miss it:
 * what follows decides (a space, punctuation, a full stop that may start
 * a host name, an apostrophe, a hyphen, a joiner, a mark), and so do the
 * letters (ASCII, Latin-1, others). */
static const char *const shortcut_inputs[] = {
    "maison", "Maison", "MAISON", "été", "Été", "ÉTÉ", "À", "à çà", "Noël.",
    "façade, puis", "Élysée… Oui", "Paris... Non", "Paris.fr", "paris.fr/x",
    "Jean.Dupont@ex.fr", "fin.Le", "fin..Le", "fin.-x", "fin.@x.fr",
    "éte.fr", "caf\xC3\xA9.com", "l'été", "L’État", "qu’il", "QU'IL",
    "jusqu'à", "Lorsqu’Élise", "l' été", "l'", "l’", "l’ ", "l'2",
    "aujourd'hui", "d'aujourd'hui", "prud’homme", "c'est-à-dire",
    "C’est-à-dire", "m'as-tu-vu", "qu'en-dira-t-on", "été-là", "dit-elle",
    "peut‐être", "non‑stop", "mot\xC2\xA0!", "mot\xE2\x80\xAF;", "«mot»",
    "“mot”", "mot×2", "mot÷2", "caf\xC3", "e\xCC\x81t\xC3\xA9",
    "été\xCC\x81", "étudiant·e·s", "pa\xC2\xADra", "mot\xC2\xAD !",
    "ok\xE2\x80\x8Bok", "mot\xE2\x80\x8Dmot", "Œuvre", "cœur", "ßa", "x²",
    "a_b", "_a", "a%", "a+b", "a-", "A.", "J. K. Rowling", "M. Dupont",
    "vol. 3", "Mme. Roux", "4G", "xD", "xDé", "Xavier", "www.a.fr",
    "http://a.fr", "wé", "lʼhôtel", "d‘abord", "don't", "e\xFF", "é\x80",
    "😀mot", "mot😀", "mot:)", "mot#tag", "mot@", "Mot.Le", "MOT.Le",
    "Il part.Élise reste.", "Été 2024. Ça va",
    /* Longer than the blocks the end of an ASCII run is looked for in. */
    "anticonstitutionnellement", "Anticonstitutionnellement.",
    "ANTICONSTITUTIONNELLEMENT", "inconstitutionnalité d'été",
    "intergouvernementalisation_2024 x", "l'anticonstitutionnellement",
    /* Latin-1 letters at every place in a block and across its end, and
     * the two C3 pairs that are not letters. */
    "xéxéxéxéxéxéxéxéxéxéxé x", "éééééééééééééééééé.fr",
    "aaaaaaaaaaaaaaé x", "aaaaaaaaaaaaaaaé x", "aaaaaaaaaaaaaaa×2",
    "aaaaaaaaaaaaaa×2", "aaaaaaaaaaaaaaaa÷", "ÉLÉPHANTSÉLÉPHANTSÉ.Le",
    "aaaaaaaaaaaaaa\xC3\xC3\xA9", ("aaaaaaaaaaaaaaé\xA9" "b"),
    "aaaaaaaaaaaaaaaa\xC3\xA9\xCC\x81z"};

static void test_shortcut_words(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof shortcut_inputs / sizeof *shortcut_inputs;
       i++) {
    const char *s = shortcut_inputs[i];
    size_t len = strlen(s);
    /* Every prefix: the text may end anywhere, inside a letter too. */
    for (size_t n = 0; n <= len; n++)
      assert_same_both_ways(s, n);
  }
}

/* Pieces of French text and of the characters that change how a word
 * ends, put together at random: the shortcut and the general rules must
 * agree on all of them. */
static void test_shortcut_random(void **state) {
  (void)state;
  static const char *const pieces[] = {
      "a", "e", "l", "d", "qu", "jusqu", "c", "t", "il", "elle", "nous",
      "ce", "est", "A", "L", "QU", "Il", "IL", "é", "É", "à", "ç", "ÿ", "ß",
      "×", "œ", "Œ", "'", "’", "‘", "ʼ", "-", "‐", ".", "..", "…", ",", ";",
      "!", "?", " ", " ", " ", "\n\n", "\xC2\xA0", "\xE2\x80\xAF", "@",
      "#", "+", "%", "_", "1", "3,5", "fr", "www.", "\xCC\x81",
      "\xC2\xAD", "·", "\xE2\x80\x8D", "\xE2\x80\x8B", "😀", "«", "»",
      "\"", ")", "x", "D", ":)", "²", "µ", "\xC3", "\xFF", "er", "-t-",
      "M", "vol", "°"};
  uint32_t seed = 12345;
  char text[96];
  for (int round = 0; round < 30000; round++) {
    size_t len = 0;
    seed = seed * 1103515245u + 12345u;
    int count = 1 + (int)(seed >> 16) % 10;
    for (int k = 0; k < count; k++) {
      seed = seed * 1103515245u + 12345u;
      const char *p = pieces[(seed >> 16) % (sizeof pieces / sizeof *pieces)];
      size_t n = strlen(p);
      if (len + n > sizeof text)
        break;
      memcpy(text + len, p, n);
      len += n;
    }
    assert_same_both_ways(text, len);
  }
}

/* The shortcut classifies the bytes of 64 at a time: a first word of
 * every length up to past that block moves where the block ends inside a
 * long second word, so that the end falls between the two bytes of an
 * accented letter, before it and after it, in each of these words. */
static void test_shortcut_blocks(void **state) {
  (void)state;
  static const char *const repeated[] = {"é", "aé", "é×", "\xC3" "a", "É'",
                                         "é-"};
  char text[256];
  for (size_t k = 0; k < sizeof repeated / sizeof *repeated; k++) {
    for (size_t first = 1; first <= 80; first++) {
      memset(text, 'a', first);
      size_t len = first;
      text[len++] = ' ';
      size_t n = strlen(repeated[k]);
      while (len + n + 4 <= sizeof text && len < first + 1 + 100) {
        memcpy(text + len, repeated[k], n);
        len += n;
      }
      memcpy(text + len, " fin", 4);
      len += 4;
      assert_same_both_ways(text, len);
    }
  }
}

/* ---- Calls and hostile inputs -------------------------------------------------- */

static void test_appends_to_existing_tokens(void **state) {
  (void)state;
  avis_vec v = {0};
  assert_int_equal(avis_tokenize("Un. Deux.", 9, &v), 0);
  assert_int_equal(v.len, 4);
  assert_int_equal(avis_tokenize("Trois. Quatre", 13, &v), 0);
  const avis_tok *t = v.data;
  assert_int_equal(v.len, 7);
  assert_int_equal(t[3].sentence, 1);
  assert_int_equal(t[4].start, 0);
  assert_int_equal(t[4].sentence, 0);
  assert_int_equal(t[6].sentence, 1);
  assert_true(t[6].flags & AVIS_TF_SENT_END);
  avis_vec_release(&v);
}

/* The analyzer empties its token vector between documents: old tokens
 * left in its memory must not show through. */
static void test_reused_vector(void **state) {
  (void)state;
  avis_vec v = {0};
  for (int i = 0; i < 100; i++) {
    void *slot = avis_vec_push(&v, sizeof(avis_tok));
    assert_non_null(slot);
    memset(slot, 0xFF, sizeof(avis_tok));
  }
  v.len = 0;
  tokenize_checked("Un mot. Puis d'autres !", 23, &v);
  assert_int_equal(v.len, 7);
  avis_vec_release(&v);
}

static void test_bad_arguments(void **state) {
  (void)state;
  avis_vec v = {0};
  assert_int_equal(avis_tokenize("x", 1, NULL), AVIS_ERR_ARG);
  assert_int_equal(avis_tokenize(NULL, 1, &v), AVIS_ERR_ARG);
  assert_int_equal(avis_tokenize(NULL, 0, &v), 0);
  assert_int_equal(v.len, 0);
}

static void test_embedded_nul(void **state) {
  (void)state;
  avis_vec v = {0};
  tokenize_checked("un\0deux", 7, &v);
  assert_int_equal(v.len, 2);
  avis_vec_release(&v);
}

/* `count` copies of `unit`, optionally between a prefix and a suffix. */
static char *repeat(const char *prefix, const char *unit, size_t count,
                    const char *suffix, size_t *len) {
  size_t p = strlen(prefix), u = strlen(unit), s = strlen(suffix);
  *len = p + u * count + s;
  char *text = malloc(*len + 1);
  assert_non_null(text);
  memcpy(text, prefix, p);
  for (size_t i = 0; i < count; i++)
    memcpy(text + p + i * u, unit, u);
  memcpy(text + p + u * count, suffix, s + 1);
  return text;
}

typedef struct {
  const char *name;
  const char *prefix, *unit, *suffix;
  size_t count;
  size_t tokens;        /* expected token count */
  size_t first_len;     /* expected length of the first token, 0: any */
  avis_token_kind kind; /* of the first token */
} hostile;

static const hostile hostile_inputs[] = {
    {"50 MB single line", "", "a", "", 50u << 20, 1, 50u << 20,
     AVIS_TOKEN_WORD},
    {"5 MB line of prose", "",
     "Qu'est-ce que c'est ? M. Dupont a-t-il payé 1 000 € sur www.ex.fr… ",
     "", 70000, 18 * 70000, 3, AVIS_TOKEN_WORD},
    {"100,000 exclamation marks", "", "!", "", 100000, 1, 100000,
     AVIS_TOKEN_PUNCT},
    {"1,000,000 times ne pas", "", "ne pas ", "", 1000000, 2000000, 2,
     AVIS_TOKEN_WORD},
    {"emoji only", "", "😀", "", 100000, 100000, 4, AVIS_TOKEN_EMOJI},
    {"combining marks only", "", "\xCC\x81", "", 100000, 1, 200000,
     AVIS_TOKEN_PUNCT},
    {"zero-width characters only", "", "\xE2\x80\x8D", "", 100000, 0, 0,
     AVIS_TOKEN_WORD},
    {"repeated elisions", "", "l'", "", 100000, 100001, 2, AVIS_TOKEN_WORD},
    {"very long compound", "", "a-", "il", 100000, 2, 199999,
     AVIS_TOKEN_WORD},
    {"initials", "", "a.", "", 100000, 200000, 1, AVIS_TOKEN_WORD},
    {"huge grouped number", "1", " 000", "", 100000, 1, 400001,
     AVIS_TOKEN_NUMBER},
    {"dotted run without an at sign", "", "a.", "@x", 500000, 1000001, 1,
     AVIS_TOKEN_WORD},
    {"dotted run with an at sign", "", "ab.", "ab@x.fr", 300000, 1, 900007,
     AVIS_TOKEN_EMAIL},
    {"long URL", "http://", "a", "", 1000000, 1, 1000007, AVIS_TOKEN_URL},
    {"URL of closing brackets", "http://x", ")", "", 100000, 100001, 8,
     AVIS_TOKEN_URL},
    {"emoticons", "", ":)", "", 100000, 100000, 2, AVIS_TOKEN_EMOTICON},
    {"run of carets", "", "^", "a", 100000, 2, 100000, AVIS_TOKEN_EMOTICON},
    {"hearts glued to a word", "", "<3", "a", 100000, 100001, 2,
     AVIS_TOKEN_EMOTICON},
    {"hash signs", "", "#", "", 100000, 100000, 1, AVIS_TOKEN_PUNCT},
    {"at signs", "", "@", "", 100000, 100000, 1, AVIS_TOKEN_PUNCT},
    {"apostrophes", "", "'", "", 100000, 100000, 1, AVIS_TOKEN_PUNCT},
    {"long ZWJ sequence", "👨", "\xE2\x80\x8D👨", "", 100000, 1, 700004,
     AVIS_TOKEN_EMOJI},
    {"regional indicators", "", "🇫", "", 100001, 50001, 8, AVIS_TOKEN_EMOJI},
    {"soft hyphens", "", "a\xC2\xAD", "", 100000, 1, 299998,
     AVIS_TOKEN_WORD},
    {"invalid bytes", "", "\xFF\xC3", "", 100000, 200000, 1,
     AVIS_TOKEN_PUNCT},
    {"blank lines", "", "a\n\n", "", 100000, 100000, 1, AVIS_TOKEN_WORD},
};

static void test_hostile(void **state) {
  const hostile *h = *state;
  size_t len;
  char *text = repeat(h->prefix, h->unit, h->count, h->suffix, &len);
  avis_vec v = {0};
  tokenize_checked(text, len, &v);
  assert_int_equal(v.len, h->tokens);
  if (v.len) {
    const avis_tok *t = v.data;
    assert_int_equal(t[0].kind, h->kind);
    if (h->first_len)
      assert_int_equal(t[0].len, h->first_len);
  }
  avis_vec_release(&v);
  free(text);
}

/* ---- Test list --------------------------------------------------------------- */

#define COUNT(a) (sizeof(a) / sizeof(a)[0])

static struct CMUnitTest table_test(const char *name, CMUnitTestFunction fn,
                                    const void *data) {
  struct CMUnitTest t = {name, fn, NULL, NULL, (void *)data};
  return t;
}

int main(void) {
  static const struct CMUnitTest fixed[] = {
      cmocka_unit_test(test_appends_to_existing_tokens),
      cmocka_unit_test(test_reused_vector),
      cmocka_unit_test(test_bad_arguments),
      cmocka_unit_test(test_embedded_nul),
      cmocka_unit_test(test_shortcut_words),
      cmocka_unit_test(test_shortcut_random),
      cmocka_unit_test(test_shortcut_blocks),
  };
  size_t total = COUNT(fixed) + COUNT(token_rows) + COUNT(case_rows) +
                 COUNT(sentence_rows) + COUNT(hostile_inputs);
  struct CMUnitTest *tests = malloc(total * sizeof *tests);
  if (!tests)
    return 1;
  size_t n = 0;
  for (size_t i = 0; i < COUNT(fixed); i++)
    tests[n++] = fixed[i];
  for (size_t i = 0; i < COUNT(token_rows); i++)
    tests[n++] = table_test(token_rows[i].name, test_token_row, &token_rows[i]);
  for (size_t i = 0; i < COUNT(case_rows); i++)
    tests[n++] = table_test(case_rows[i].name, test_case_row, &case_rows[i]);
  for (size_t i = 0; i < COUNT(sentence_rows); i++)
    tests[n++] = table_test(sentence_rows[i].name, test_sentence_row,
                            &sentence_rows[i]);
  for (size_t i = 0; i < COUNT(hostile_inputs); i++)
    tests[n++] = table_test(hostile_inputs[i].name, test_hostile,
                            &hostile_inputs[i]);
  int failed = _cmocka_run_group_tests("tokenize", tests, n, NULL, NULL);
  free(tests);
  return failed;
}
