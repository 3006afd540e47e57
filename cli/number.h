/* printf's "%.6g" without printf, where it can be done exactly: the
 * records' numbers, a few per document, cost more through printf than the
 * rest of a record. */
#ifndef AVIS_CLI_NUMBER_H
#define AVIS_CLI_NUMBER_H

#include <stddef.h>

/* Writes what snprintf(out, n, "%.6g", x) writes, without its NUL, and
 * returns its length (at most 12 bytes; out has room for 16), or 0 when
 * the digits are not certain without printf, which must then write x.
 * Covers zero and 1e-4 <= |x| < 1e6 away from rounding ties. */
size_t format_g6(char *out, double x);

#endif
