/* Pathological documents, generated on demand rather than stored: the
 * hostile-input tests analyse them under a time limit, and the linear-time
 * benchmark times them at doubling sizes. */
#ifndef AVIS_PATHOLOGICAL_H
#define AVIS_PATHOLOGICAL_H

#include <stddef.h>

typedef struct {
  const char *name;
  const char *what;   /* one line for reports */
  const char *prefix; /* written once before the units */
  const char *unit;   /* repeated */
  const char *suffix; /* written once after them */
  size_t units;       /* repetitions at scale 1 */
} avis_patho_case;

/* The cases, ended by an entry whose name is NULL. */
extern const avis_patho_case avis_patho_cases[];

/* The case called `name`, or NULL. */
const avis_patho_case *avis_patho_find(const char *name);

/* Builds a case with `units` repetitions of its unit; *len gets its size.
 * The caller frees the result; NULL when out of memory. */
char *avis_patho_make(const avis_patho_case *c, size_t units, size_t *len);

#endif
