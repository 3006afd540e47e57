/* Error reporting inside the library: every failure sets the per-thread
 * detail message that avis_last_error() returns. */
#ifndef AVIS_ERROR_H
#define AVIS_ERROR_H

#if defined(__GNUC__)
#define AVIS_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define AVIS_PRINTF(f, a)
#endif

/* Records a detail message and returns `code`, so that callers can write
 * `return avis_fail(AVIS_ERR_IO, "%s: %s", path, strerror(errno));`. */
int avis_fail(int code, const char *fmt, ...) AVIS_PRINTF(2, 3);

#endif
