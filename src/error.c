#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "avis.h"

static _Thread_local char last_error[1024];

int avis_fail(int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(last_error, sizeof last_error, fmt, ap);
  va_end(ap);
  return code;
}

const char *avis_last_error(void) { return last_error; }

const char *avis_strerror(int code) {
  switch (code) {
  case AVIS_OK: return "success";
  case AVIS_ERR_NOMEM: return "out of memory";
  case AVIS_ERR_ARG: return "invalid argument";
  case AVIS_ERR_IO: return "input/output error";
  case AVIS_ERR_EMPTY: return "empty input";
  case AVIS_ERR_BINARY: return "binary input";
  case AVIS_ERR_ENCODING: return "unsupported encoding";
  case AVIS_ERR_TOO_LARGE: return "input too large";
  case AVIS_ERR_FORMAT: return "malformed data file";
  case AVIS_ERR_STEMMER: return "French stemmer unavailable";
  default: return "unknown error";
  }
}

void avis_free(void *ptr) { free(ptr); }

const char *avis_version(void) { return AVIS_VERSION_STRING; }

int avis_version_number(void) { return AVIS_VERSION_NUMBER; }
