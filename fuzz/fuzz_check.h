/* What every fuzz target shares: the entry point that libFuzzer, or the
 * standalone driver that replays a corpus, calls with each input; and
 * CHECK, which aborts, so that a broken invariant is reported as a crash
 * together with the input that broke it. */
#ifndef AVIS_FUZZ_CHECK_H
#define AVIS_FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond))                                                               \
      abort();                                                                 \
  } while (0)

#endif
