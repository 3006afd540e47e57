/* Reals written without printf where their digits are certain. */
#include "number.h"

#include <math.h>
#include <string.h>

/* printf's "%.6g" of x where its digits are certain without printf, which
 * costs more than the rest of a record's numbers: writes them to out (room
 * for 16 bytes) and returns their length, or 0 when printf must write x.
 *
 * Those are zero, and 1e-4 <= |x| < 1e6, which "%.6g" writes as fixed
 * point with k decimals when x * 10^k rounds to six digits. 10^k is exact
 * for k <= 9, so y = x * 10^k below 2^20 is within 2^-34 of the exact
 * product: when y lies in [100001, 999999) and its fraction is not within
 * 1e-6 of a half, the exact product rounds, to nearest, to the same
 * six-digit integer as y does, with no carry into a seventh digit. printf
 * then writes that integer with a point before its last k digits, and drops
 * the trailing zeros of the fraction, and the point with them. */
size_t format_g6(char *out, double x) {
  static const double pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4,
                                 1e5, 1e6, 1e7, 1e8, 1e9};
  char *p = out;
  if (signbit(x))
    *p++ = '-';
  if (x == 0) {
    *p++ = '0';
    return (size_t)(p - out);
  }
  double a = fabs(x);
  if (!(a >= 1e-4 && a < 1e6))
    return 0;
  int k = 0;
  double y = a;
  while (y < 100001.0 && k < 9)
    y = a * pow10[++k];
  if (y < 100001.0 || y >= 999999.0)
    return 0;
  double whole = floor(y), frac = y - whole;
  if (fabs(frac - 0.5) < 1e-6)
    return 0;
  unsigned digits = (unsigned)whole + (frac > 0.5);
  char d[6];
  for (int i = 5; i >= 0; i--, digits /= 10)
    d[i] = (char)('0' + digits % 10);
  int last = 5; /* the last digit written: trailing zeros of the fraction go */
  while (last >= 6 - k && d[last] == '0')
    last--;
  if (k <= 5) {
    memcpy(p, d, (size_t)(6 - k));
    p += 6 - k;
    if (last >= 6 - k) {
      *p++ = '.';
      memcpy(p, d + 6 - k, (size_t)(last - (6 - k) + 1));
      p += last - (6 - k) + 1;
    }
  } else {
    *p++ = '0';
    *p++ = '.';
    for (int i = 6; i < k; i++)
      *p++ = '0';
    memcpy(p, d, (size_t)last + 1);
    p += last + 1;
  }
  return (size_t)(p - out);
}
