/* A small web dashboard over avis: a page where an article is pasted or
 * uploaded, and `POST /api/analyze` (text in, JSON out) behind it.
 *
 *   dashboard [--host ADDR] [--port N] [--data-dir DIR] [--threads N]
 *             [--max-bytes N] [--timeout SECONDS]
 *
 * It listens on 127.0.0.1 (port 8080) unless told otherwise, prints the
 * address it listens on, and stops on SIGINT or SIGTERM. HTTP is handled by
 * libmicrohttpd with a pool of threads; the model is loaded once and shared,
 * and each request borrows one of the analyzers (one per thread).
 *
 * POST /api/analyze takes the text as the raw request body (UTF-8 or
 * Windows-1252, as a file is read) or as JSON {"text": "..."} with
 * Content-Type application/json. It answers with avis_result_to_json()'s
 * object plus "text", the decoded text that the byte offsets of "drivers"
 * and "sentences" refer to. Errors are JSON too:
 * {"error": {"code": "...", "message": "..."}}.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <avis.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The page, its script and the reports' stylesheet, embedded at build time. */
extern const char dashboard_index_html[], dashboard_app_js[], avis_report_css[];
extern const size_t dashboard_index_html_len, dashboard_app_js_len,
    avis_report_css_len;

#define MAX_THREADS 64

/* ---- Analyzers: one per server thread, lent for the time of a request --- */

typedef struct {
  pthread_mutex_t lock;
  pthread_cond_t returned;
  avis_analyzer *free_list[MAX_THREADS];
  size_t nfree, count;
} analyzer_pool;

static int pool_init(analyzer_pool *p, const avis_model *model, size_t n,
                     size_t max_bytes) {
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->returned, NULL);
  for (p->count = 0; p->count < n; p->count++) {
    avis_analyzer *an;
    if (avis_analyzer_new(&an, model) != AVIS_OK ||
        avis_analyzer_set_max_bytes(an, max_bytes) != AVIS_OK)
      return -1;
    p->free_list[p->nfree++] = an;
  }
  return 0;
}

static avis_analyzer *pool_borrow(analyzer_pool *p) {
  pthread_mutex_lock(&p->lock);
  while (p->nfree == 0)
    pthread_cond_wait(&p->returned, &p->lock);
  avis_analyzer *an = p->free_list[--p->nfree];
  pthread_mutex_unlock(&p->lock);
  return an;
}

static void pool_return(analyzer_pool *p, avis_analyzer *an) {
  pthread_mutex_lock(&p->lock);
  p->free_list[p->nfree++] = an;
  pthread_cond_signal(&p->returned);
  pthread_mutex_unlock(&p->lock);
}

static void pool_destroy(analyzer_pool *p) {
  for (size_t i = 0; i < p->nfree; i++)
    avis_analyzer_free(p->free_list[i]);
  pthread_cond_destroy(&p->returned);
  pthread_mutex_destroy(&p->lock);
}

/* ---- Requests ---------------------------------------------------------- */

typedef struct {
  analyzer_pool analyzers;
  size_t max_bytes; /* largest request body */
} server;

/* The body of a POST, gathered over the calls of the access handler. */
typedef struct {
  char *data;
  size_t len, cap;
  int too_large;
} request_body;

static enum MHD_Result send_bytes(struct MHD_Connection *c, unsigned status,
                                  const char *type, const char *data,
                                  size_t len, enum MHD_ResponseMemoryMode mode) {
  struct MHD_Response *r =
      MHD_create_response_from_buffer(len, (void *)data, mode);
  if (!r)
    return MHD_NO;
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(r, "Content-Security-Policy",
                          "default-src 'none'; script-src 'self'; "
                          "style-src 'self'; connect-src 'self'; "
                          "img-src 'self' data:; form-action 'none'; "
                          "frame-ancestors 'none'");
  enum MHD_Result ret = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return ret;
}

/* Sends `value` as JSON and releases it. */
static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status,
                                 json_t *value) {
  /* The precision of avis_result_to_json(), so that numbers read back
   * from it are written as the library wrote them. */
  char *text = value ? json_dumps(value, JSON_COMPACT | JSON_REAL_PRECISION(6))
                     : NULL;
  json_decref(value);
  if (!text)
    return MHD_NO;
  return send_bytes(c, status, "application/json; charset=utf-8", text,
                    strlen(text), MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status,
                                  const char *code, const char *message) {
  return send_json(c, status, json_pack("{s:{s:s, s:s}}", "error", "code", code,
                                        "message", message));
}

static const char *error_code(int rc) {
  switch (rc) {
  case AVIS_ERR_EMPTY: return "empty";
  case AVIS_ERR_BINARY: return "binary";
  case AVIS_ERR_ENCODING: return "encoding";
  case AVIS_ERR_TOO_LARGE: return "too_large";
  case AVIS_ERR_NOMEM: return "out_of_memory";
  default: return "analysis_failed";
  }
}

/* The result as JSON, with the decoded text the byte offsets refer to. */
static json_t *result_json(const avis_result *r) {
  char *library_json;
  if (avis_result_to_json(r, 0, &library_json, NULL) != AVIS_OK)
    return NULL;
  json_t *obj = json_loads(library_json, 0, NULL);
  avis_free(library_json);
  size_t len;
  const char *text = avis_result_text(r, &len);
  if (obj && json_object_set_new(obj, "text", json_stringn(text, len)) != 0) {
    json_decref(obj);
    obj = NULL;
  }
  return obj;
}

static enum MHD_Result analyze_text(struct MHD_Connection *c, server *s,
                                    const char *text, size_t len) {
  avis_analyzer *an = pool_borrow(&s->analyzers);
  avis_result *r = NULL;
  int rc = avis_analyze(an, text, len, &r);
  char message[512];
  if (rc != AVIS_OK)
    snprintf(message, sizeof message, "%s", avis_last_error());
  pool_return(&s->analyzers, an);
  if (rc != AVIS_OK)
    return send_error(c,
                      rc == AVIS_ERR_TOO_LARGE ? MHD_HTTP_CONTENT_TOO_LARGE
                      : rc == AVIS_ERR_NOMEM   ? MHD_HTTP_INTERNAL_SERVER_ERROR
                                               : MHD_HTTP_UNPROCESSABLE_CONTENT,
                      error_code(rc), message);
  json_t *body = result_json(r);
  avis_result_free(r);
  if (!body)
    return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out_of_memory",
                      "out of memory");
  return send_json(c, MHD_HTTP_OK, body);
}

static int is_json_request(struct MHD_Connection *c) {
  const char *type =
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
  return type && strncmp(type, "application/json", 16) == 0;
}

/* {"text": "..."}: the text may hold any character, NUL included (which
 * the analysis then rejects as binary). */
static enum MHD_Result analyze_json(struct MHD_Connection *c, server *s,
                                    const request_body *body) {
  json_error_t err;
  json_t *req = json_loadb(body->data, body->len, JSON_ALLOW_NUL, &err);
  if (!req) {
    char message[256];
    snprintf(message, sizeof message, "bad JSON at line %d, column %d: %s",
             err.line, err.column, err.text);
    return send_error(c, MHD_HTTP_BAD_REQUEST, "bad_json", message);
  }
  json_t *text = json_object_get(req, "text");
  enum MHD_Result ret;
  if (!json_is_string(text))
    ret = send_error(c, MHD_HTTP_BAD_REQUEST, "missing_text",
                     "expected a JSON object with a string member \"text\"");
  else
    ret = analyze_text(c, s, json_string_value(text), json_string_length(text));
  json_decref(req);
  return ret;
}

/* Appends upload data, up to the server's limit. */
static void gather(request_body *body, const char *data, size_t len,
                   size_t limit) {
  if (body->too_large || len > limit - body->len) {
    body->too_large = 1;
    return;
  }
  if (body->len + len > body->cap) {
    size_t cap = body->cap ? body->cap : 16384;
    while (cap < body->len + len)
      cap *= 2;
    char *grown = realloc(body->data, cap);
    if (!grown) {
      body->too_large = 1;
      return;
    }
    body->data = grown;
    body->cap = cap;
  }
  memcpy(body->data + body->len, data, len);
  body->len += len;
}

static int declared_too_large(struct MHD_Connection *c, size_t limit) {
  const char *length = MHD_lookup_connection_value(
      c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
  return length && strtoull(length, NULL, 10) > limit;
}

static enum MHD_Result serve_api(struct MHD_Connection *c, server *s,
                                 const char *method, const char *upload,
                                 size_t *upload_size, void **state) {
  if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
    return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",
                      "use POST");
  request_body *body = *state;
  if (!body) {
    /* First call: headers only. An announced oversized body is refused
     * before it is read. */
    if (declared_too_large(c, s->max_bytes))
      return send_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "too_large",
                        "the request body exceeds the server's limit");
    *state = body = calloc(1, sizeof *body);
    return body ? MHD_YES : MHD_NO;
  }
  if (*upload_size) {
    gather(body, upload, *upload_size, s->max_bytes);
    *upload_size = 0;
    return MHD_YES;
  }
  if (body->too_large)
    return send_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "too_large",
                      "the request body exceeds the server's limit");
  if (is_json_request(c))
    return analyze_json(c, s, body);
  return analyze_text(c, s, body->data ? body->data : "", body->len);
}

static enum MHD_Result serve_static(struct MHD_Connection *c, const char *url,
                                    const char *method) {
  static const struct {
    const char *url, *type;
    const char *data;
    const size_t *len;
  } files[] = {
      {"/", "text/html; charset=utf-8", dashboard_index_html,
       &dashboard_index_html_len},
      {"/app.js", "text/javascript; charset=utf-8", dashboard_app_js,
       &dashboard_app_js_len},
      {"/report.css", "text/css; charset=utf-8", avis_report_css,
       &avis_report_css_len},
  };
  for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
    if (strcmp(url, files[i].url) != 0)
      continue;
    if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
      return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",
                        "use GET");
    return send_bytes(c, MHD_HTTP_OK, files[i].type, files[i].data,
                      *files[i].len, MHD_RESPMEM_PERSISTENT);
  }
  return send_error(c, MHD_HTTP_NOT_FOUND, "not_found", "no such page");
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c,
                              const char *url, const char *method,
                              const char *version, const char *upload,
                              size_t *upload_size, void **state) {
  (void)version;
  if (strcmp(url, "/api/analyze") == 0)
    return serve_api(c, cls, method, upload, upload_size, state);
  return serve_static(c, url, method);
}

static void request_done(void *cls, struct MHD_Connection *c, void **state,
                         enum MHD_RequestTerminationCode code) {
  (void)cls, (void)c, (void)code;
  request_body *body = *state;
  if (body) {
    free(body->data);
    free(body);
    *state = NULL;
  }
}

/* ---- Start-up ---------------------------------------------------------- */

typedef struct {
  const char *host, *data_dir;
  unsigned port, threads, timeout;
  size_t max_bytes;
} options;

static void usage(FILE *out) {
  fputs("Usage: dashboard [OPTIONS]\n"
        "Serves a page that analyses French articles, and POST /api/analyze.\n"
        "\n"
        "  --host ADDR       IPv4 address to listen on (default 127.0.0.1)\n"
        "  --port N          port (default 8080; 0 picks a free one)\n"
        "  --data-dir DIR    avis data (default $AVIS_DATA_DIR, else the\n"
        "                    installed data)\n"
        "  --threads N       server threads, one analyzer each (default 4)\n"
        "  --max-bytes N     largest request body (default 1048576)\n"
        "  --timeout S       close idle connections after S seconds (default 15)\n"
        "  -h, --help        show this help\n",
        out);
}

static int parse_number(const char *s, unsigned long long max,
                        unsigned long long *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s || *end || *s == '-' || v > max)
    return -1;
  *out = v;
  return 0;
}

/* Returns -1 to go on, else an exit status. */
static int parse_options(int argc, char **argv, options *o) {
  static const struct option longs[] = {
      {"host", required_argument, NULL, 'H'},
      {"port", required_argument, NULL, 'p'},
      {"data-dir", required_argument, NULL, 'd'},
      {"threads", required_argument, NULL, 't'},
      {"max-bytes", required_argument, NULL, 'm'},
      {"timeout", required_argument, NULL, 'T'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  int c;
  unsigned long long v;
  while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
    int bad = 0;
    switch (c) {
    case 'H': o->host = optarg; break;
    case 'd': o->data_dir = optarg; break;
    case 'p':
      bad = parse_number(optarg, 65535, &v);
      o->port = (unsigned)v;
      break;
    case 't':
      bad = parse_number(optarg, MAX_THREADS, &v) || v == 0;
      o->threads = (unsigned)v;
      break;
    case 'm':
      bad = parse_number(optarg, SIZE_MAX - 1, &v) || v == 0;
      o->max_bytes = (size_t)v;
      break;
    case 'T':
      bad = parse_number(optarg, 3600, &v) || v == 0;
      o->timeout = (unsigned)v;
      break;
    case 'h': usage(stdout); return 0;
    default: usage(stderr); return 2;
    }
    if (bad) {
      fprintf(stderr, "dashboard: bad value '%s' (see --help)\n", optarg);
      return 2;
    }
  }
  if (optind < argc) {
    usage(stderr);
    return 2;
  }
  return -1;
}

static avis_model *load_model(const char *dir) {
  avis_model_options *opts;
  avis_model *model = NULL;
  if (avis_model_options_new(&opts) == AVIS_OK &&
      avis_model_options_set_data_dir(opts, dir) == AVIS_OK)
    avis_model_load(&model, opts);
  avis_model_options_free(opts);
  if (!model)
    fprintf(stderr, "dashboard: %s\n", avis_last_error());
  return model;
}

static struct MHD_Daemon *start_daemon(server *s, const options *o) {
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)};
  if (inet_pton(AF_INET, o->host, &addr.sin_addr) != 1) {
    fprintf(stderr, "dashboard: '%s' is not an IPv4 address\n", o->host);
    return NULL;
  }
  struct MHD_Daemon *d = MHD_start_daemon(
      MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, (uint16_t)o->port,
      NULL, NULL, handle, s,
      MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
      MHD_OPTION_THREAD_POOL_SIZE, o->threads,
      MHD_OPTION_CONNECTION_TIMEOUT, o->timeout,
      MHD_OPTION_CONNECTION_LIMIT, 256u,
      MHD_OPTION_PER_IP_CONNECTION_LIMIT, 64u,
      MHD_OPTION_NOTIFY_COMPLETED, request_done, NULL,
      MHD_OPTION_END);
  if (!d)
    fprintf(stderr, "dashboard: cannot listen on %s:%u: %s\n", o->host,
            o->port, strerror(errno));
  return d;
}

int main(int argc, char **argv) {
  options o = {.host = "127.0.0.1", .port = 8080, .threads = 4,
               .timeout = 15, .max_bytes = 1 << 20};
  int status = parse_options(argc, argv, &o);
  if (status >= 0)
    return status;
  if (!o.data_dir && !((o.data_dir = getenv("AVIS_DATA_DIR")) && *o.data_dir))
    o.data_dir = avis_default_data_dir();

  /* Signals are taken by sigwait() below, not by the server's threads. */
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, NULL);

  avis_model *model = load_model(o.data_dir);
  if (!model)
    return 1;
  server s = {.max_bytes = o.max_bytes};
  struct MHD_Daemon *d = NULL;
  if (pool_init(&s.analyzers, model, o.threads, o.max_bytes) != 0)
    fprintf(stderr, "dashboard: %s\n", avis_last_error());
  else
    d = start_daemon(&s, &o);
  if (d) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("dashboard: listening on http://%s:%u/\n", o.host,
           info ? info->port : o.port);
    fflush(stdout);
    int sig;
    sigwait(&stop, &sig);
    MHD_stop_daemon(d);
  }
  pool_destroy(&s.analyzers);
  avis_model_free(model);
  return d ? 0 : 1;
}
