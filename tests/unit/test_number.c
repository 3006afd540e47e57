/* The records' printf-free numbers (cli/number.c) against printf itself:
 * wherever format_g6() writes a number, it must be the bytes of
 * snprintf("%.6g"), over random doubles of every magnitude, over the
 * values a record usually holds, and next to the rounding ties and the
 * powers of ten where the digits change. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "number.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static size_t fast_count, total_count;

/* Checks x, and returns 1 when format_g6() wrote it. */
static int check(double x) {
  char fast[32], slow[64];
  size_t n = format_g6(fast, x);
  total_count++;
  if (!n)
    return 0;
  fast_count++;
  int m = snprintf(slow, sizeof slow, "%.6g", x);
  if ((size_t)m != n || memcmp(fast, slow, n) != 0) {
    fast[n < sizeof fast ? n : sizeof fast - 1] = '\0';
    fail_msg("%.17g: \"%s\" where printf writes \"%s\"", x, fast, slow);
  }
  return 1;
}

static double from_bits(uint64_t bits) {
  double x;
  memcpy(&x, &bits, sizeof x);
  return x;
}

static void random_bit_patterns(void **state) {
  (void)state;
  for (int i = 0; i < 1000000; i++)
    check(from_bits(next()));
  check(0.0);
  check(-0.0);
  check(INFINITY);
  check(NAN);
}

/* Magnitudes from 1e-5 to 1e7, evenly on a log scale, both signs: most
 * take the fast path, so that it is the one under test. */
static void log_uniform(void **state) {
  (void)state;
  size_t fast_before = fast_count, total_before = total_count;
  for (int i = 0; i < 1000000; i++) {
    double u = (double)(next() >> 11) / 9007199254740992.0;
    double x = pow(10.0, -5.0 + 12.0 * u);
    check(next() & 1 ? -x : x);
  }
  assert_true((fast_count - fast_before) * 2 > total_count - total_before);
}

/* Six-digit decimals and the halves between them, and their neighbours a
 * few units in the last place away, at every decimal exponent the fast
 * path covers; and the powers of ten. */
static void ties_and_edges(void **state) {
  (void)state;
  for (int e = -4; e <= 5; e++) {
    double scale = pow(10.0, e - 5);
    for (int i = 0; i < 20000; i++) {
      uint64_t digits = 100000 + next() % 900000;
      double bases[2] = {(double)digits * scale, ((double)digits + 0.5) * scale};
      for (int b = 0; b < 2; b++) {
        double x = bases[b];
        check(x);
        double up = x, down = x;
        for (int k = 0; k < 3; k++) {
          up = nextafter(up, INFINITY);
          down = nextafter(down, 0.0);
          check(up);
          check(down);
        }
      }
    }
    for (double x = pow(10.0, e), k = 0; k < 4; k++) {
      check(x);
      check(-x);
      x = nextafter(x, k < 2 ? INFINITY : 0.0);
    }
  }
  /* Scores and shares as records hold them. */
  for (int i = -1000; i <= 1000; i++)
    check(i / 1000.0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(random_bit_patterns),
      cmocka_unit_test(log_uniform),
      cmocka_unit_test(ties_and_edges),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
