/* The smallest complete avis program: load the default data, analyse one
 * text, print its sentiment as "name<TAB>label<TAB>score".
 *
 *   minimal [FILE]        (standard input without FILE)
 *
 * Built against an installed avis with either of:
 *   cc minimal.c $(pkg-config --cflags --libs avis) -o minimal
 *   find_package(avis) and target_link_libraries(minimal avis::avis)
 */
#include <avis.h>
#include <stdio.h>
#include <stdlib.h>

/* Reads a whole stream into memory the caller frees; NULL on failure. */
static char *read_stream(FILE *in, size_t *len) {
  size_t cap = 1 << 16, n = 0, got;
  char *buf = malloc(cap);
  while (buf && (got = fread(buf + n, 1, cap - n, in)) > 0) {
    n += got;
    if (n == cap) {
      char *grown = realloc(buf, cap *= 2);
      if (!grown)
        free(buf);
      buf = grown;
    }
  }
  if (buf && ferror(in)) {
    free(buf);
    buf = NULL;
  }
  *len = n;
  return buf;
}

int main(int argc, char **argv) {
  const char *name = argc > 1 ? argv[1] : "-";
  FILE *in = argc > 1 ? fopen(name, "rb") : stdin;
  size_t len = 0;
  char *text = in ? read_stream(in, &len) : NULL;
  if (in && in != stdin)
    fclose(in);
  if (!text) {
    perror(name);
    return 1;
  }

  /* The program, not the library, decides where the data is: the
   * AVIS_DATA_DIR variable if set, else the installed data. */
  const char *data_dir = getenv("AVIS_DATA_DIR");
  if (!data_dir || !*data_dir)
    data_dir = avis_default_data_dir();

  avis_model_options *opts = NULL;
  avis_model *model = NULL;       /* shared, immutable once loaded */
  avis_analyzer *analyzer = NULL; /* one per thread */
  avis_result *result = NULL;     /* owned by us */
  int rc = avis_model_options_new(&opts);
  if (rc == AVIS_OK)
    rc = avis_model_options_set_data_dir(opts, data_dir);
  if (rc == AVIS_OK)
    rc = avis_model_load(&model, opts);
  if (rc == AVIS_OK)
    rc = avis_analyzer_new(&analyzer, model);
  if (rc == AVIS_OK)
    rc = avis_analyze(analyzer, text, len, &result);

  if (rc == AVIS_OK)
    printf("%s\t%s\t%+.3f\n", name, avis_label_name(avis_result_label(result)),
           avis_result_score(result));
  else
    fprintf(stderr, "minimal: %s: %s\n", avis_strerror(rc), avis_last_error());

  avis_result_free(result); /* every _free accepts NULL */
  avis_analyzer_free(analyzer);
  avis_model_free(model); /* after every analyzer built on it */
  avis_model_options_free(opts);
  free(text);
  return rc == AVIS_OK ? 0 : 1;
}
