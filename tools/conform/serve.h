/*
 * clid conform serve: the conformance suite's x5u / CRL server
 * (CONFORM-SPEC "The generated suite"; docs/interop.md, "The x5u server").
 *
 *   serve.c         the command line, the daemon's life: listen, ready file,
 *                   SIGTERM/SIGINT, clean stop
 *   serve_http.c    the request handler (libmicrohttpd): methods, routes,
 *                   files, the access log
 *   serve_path.c    request paths: normalised and confined under the root
 *   serve_routes.c  DIR/routes.json: the failing x5u behaviours
 *
 * Tool code: libmicrohttpd (with its GnuTLS) is linked into the clid tool
 * only, never into libclid.
 */
#ifndef CLID_TOOL_CONFORM_SERVE_H
#define CLID_TOOL_CONFORM_SERVE_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <microhttpd.h>

typedef struct conform_serve_opts {
    const char *root;       /* the directory served (DIR/www) */
    const char *cert_pem;   /* TLS certificate (chain) PEM; NULL with http */
    const char *key_pem;    /* its private key PEM; NULL with http */
    int http;               /* 1: plain HTTP (CRL distribution points are http URLs) */
    unsigned port;          /* 0: the kernel picks */
    const char *ready_file; /* NULL: none; else {"port":N,"pid":P} once listening */
    const char *bind;       /* an IPv4 or IPv6 literal; NULL: 127.0.0.1 */
} conform_serve_opts;

/*
 * Serves until SIGTERM or SIGINT, then stops cleanly (requests in progress
 * are finished or cut, every thread joined) and returns TOOL_EXIT_OK.
 * Before listening: TOOL_EXIT_NOINPUT (root, certificate or key cannot be
 * read), TOOL_EXIT_DATAERR (routes.json is bad), TOOL_EXIT_FAIL (cannot
 * listen, e.g. the port is taken); one line printed.
 * Blocks SIGTERM and SIGINT in the calling thread while it runs.
 */
int conform_serve(const conform_serve_opts *o);

/* clid conform serve ARGS (argv[0] is "serve"). */
int conform_serve_cmd(int argc, char **argv);
void conform_serve_help(FILE *f);

/* ------------------------------------------------------------------------ */
/* Internal to serve*.c                                                      */
/* ------------------------------------------------------------------------ */

#define SERVE_MAX_PATH 1024      /* a request path, and a route's */
#define SERVE_MAX_DEPTH 32       /* path components */
#define SERVE_MAX_ROUTES 1024
#define SERVE_MAX_DELAY_MS 600000 /* 10 minutes */
#define SERVE_MAX_BODY_BYTES ((int64_t)1 << 32)
#define SERVE_ROUTES_FILE "routes.json"

/* One entry of routes.json. Applied in this order: delay_ms, then the
 * first of redirect, body_bytes, status; with none of those, the file. */
typedef struct serve_route {
    char *path;         /* "/x5u/slow.pem": normalised (serve_path_normalise) */
    int status;         /* 0: none; else 100..599 */
    long delay_ms;      /* 0: none */
    char *redirect;     /* NULL: none; else the Location ("/other" or an http(s) URL) */
    int64_t body_bytes; /* -1: none */
} serve_route;

typedef struct serve_routes {
    serve_route *v;
    size_t n;
} serve_routes;

/* Loads ROOT/routes.json (absent: no routes). Every member is checked;
 * unknown keys are refused. TOOL_EXIT_* after printing one line. */
int serve_routes_load(int rootfd, const char *root_label, serve_routes *out);
const serve_route *serve_routes_find(const serve_routes *r, const char *path);
void serve_routes_free(serve_routes *r);

/*
 * A request path (as libmicrohttpd passes it: percent-decoded, without the
 * query) made canonical: "/" then components joined by single slashes, "."
 * and empty components dropped. Refused (-1): not starting with '/', a ".."
 * component, a control character or backslash, longer than cap or
 * SERVE_MAX_PATH, deeper than SERVE_MAX_DEPTH. 0 on success.
 */
int serve_path_normalise(const char *url, char *out, size_t cap);

/*
 * Opens the normalised path under the root directory `rootfd`, one
 * component at a time with O_NOFOLLOW: no symbolic link is followed, so
 * nothing outside the root is reachable. Returns the file descriptor of a
 * regular file (its stat in *st), or -1 with the HTTP status to answer in
 * *status: 404 (absent, a directory, "/"), 403 (a symbolic link, another
 * file type, unreadable).
 */
int serve_path_open(int rootfd, const char *norm, struct stat *st, int *status);

/* The MHD_OPTION_UNESCAPE_CALLBACK: %HH decoded like libmicrohttpd's own,
 * except %00, which becomes 0x01 so that the path is refused rather than
 * cut short at the NUL. */
size_t serve_unescape(void *cls, struct MHD_Connection *c, char *s);

/* The Content-Type of a served file, by its extension. */
const char *serve_content_type(const char *norm);

/* What the request handler shares (serve_http.c), owned by conform_serve. */
typedef struct serve_state {
    int rootfd;
    serve_routes routes;
    pthread_mutex_t mu; /* with cv: delays end early when the server stops */
    pthread_cond_t cv;  /* CLOCK_MONOTONIC */
    int stopping;
} serve_state;

/* 0/-1: the mutex and the condition variable. */
int serve_state_init(serve_state *s);
void serve_state_destroy(serve_state *s);
/* Wakes every delayed request: the server is stopping. */
void serve_state_stop(serve_state *s);

/* The libmicrohttpd access handler; `cls` is the serve_state. */
enum MHD_Result serve_handle(void *cls, struct MHD_Connection *c, const char *url,
                             const char *method, const char *version, const char *upload_data,
                             size_t *upload_size, void **con_cls);

#endif /* CLID_TOOL_CONFORM_SERVE_H */
