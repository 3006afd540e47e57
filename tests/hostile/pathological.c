#include "pathological.h"

#include <stdlib.h>
#include <string.h>

const avis_patho_case avis_patho_cases[] = {
    {"long-line", "a 50 MB single line of ordinary sentences", "",
     "Le film est très bon mais la fin déçoit un peu, ", "et voilà.",
     50000000 / 50},
    {"negators", "1,000,000 repeated negators", "Ce film n'est ", "pas ",
     "bon.", 1000000},
    {"exclamations", "100,000 exclamation marks", "Super", "!", "", 100000},
    {"long-sentence", "a 200,000-token sentence", "",
     "film très bon pas mauvais ", "", 40000},
    {"emoji", "only emoji: ZWJ sequences, skin tones, flags",
     "", "\xF0\x9F\x98\x8D\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD"
     "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7"
     "\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7\xE2\x9D\xA4\xEF\xB8\x8F ", "", 100000},
    /* Two classes of combining marks in the order canonical ordering must
     * reverse. */
    {"combining", "only combining marks, in reverse canonical order", "",
     "\xCC\x81\xCC\x96", "", 100000},
    {"zero-width", "zero-width characters, alone and inside words", "",
     "\xE2\x80\x8B\xE2\x80\x8C\xE2\x80\x8D\xE2\x81\xA0\xEF\xBB\xBF"
     "bon\xE2\x80\x8Dheur\xE2\x81\xA0 ", "", 100000},
    {"elisions", "deeply repeated elisions without a space", "",
     "l'qu'd'jusqu'", "avis", 100000},
    {NULL, NULL, NULL, NULL, NULL, 0}};

const avis_patho_case *avis_patho_find(const char *name) {
  for (const avis_patho_case *c = avis_patho_cases; c->name; c++)
    if (strcmp(c->name, name) == 0)
      return c;
  return NULL;
}

char *avis_patho_make(const avis_patho_case *c, size_t units, size_t *len) {
  size_t np = strlen(c->prefix), nu = strlen(c->unit), ns = strlen(c->suffix);
  size_t n = np + units * nu + ns;
  char *s = malloc(n + 1);
  if (!s)
    return NULL;
  char *p = s;
  memcpy(p, c->prefix, np);
  p += np;
  for (size_t i = 0; i < units; i++, p += nu)
    memcpy(p, c->unit, nu);
  memcpy(p, c->suffix, ns + 1);
  *len = n;
  return s;
}
