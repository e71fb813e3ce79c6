/*
 * clid serve, part H: the HTTP service around the API handlers
 * (SERVE-SPEC; docs/serve.md).
 *
 *   cmd_serve.c      the command line, the service's life: config, listen,
 *                    ready file, signals (SIGTERM/SIGINT stop, SIGHUP reload)
 *   config*.c        the configuration file and the bearer tokens (config.h)
 *   http.c           the libmicrohttpd daemons: start, graceful stop
 *   http_handler.c   routes, limits (413, 415, 503), auth, replies
 *   http_watchdog.c  the total per-request timeout (slow clients are cut)
 *   metrics.c        counters and the Prometheus text of GET /metrics
 *   log.c            one JSON line per request (and per event) on stderr
 *   reload.c         the snapshot requests use, swapped atomically
 *   demo.c           --demo: a throwaway CA and signer, curl commands
 *   cps*.c, oob_gw.c out-of-band SHAKEN: the CPS and the gateway (oob.h)
 */
#ifndef CLID_TOOL_SERVE_SERVER_H
#define CLID_TOOL_SERVE_SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include <microhttpd.h>

#include "serve/api.h"
#include "serve/config.h"
#include "serve/oob.h"
#include "serve/state.h"

/* ---- the snapshot (reload.c) ------------------------------------------ */

/* What a request uses, swapped as one on SIGHUP: the library state and the
 * signing tokens. A request holds a reference from its start to its reply,
 * so a reload never pulls anything from under it. */
typedef struct serve_snap {
    atomic_uint refs;
    serve_state *st;
    serve_tokens tokens;
    unsigned generation;
} serve_snap;

/* ---- metrics (metrics.c) ---------------------------------------------- */

enum {
    SERVE_R_SIGNING = SERVE_EP_SIGNING,
    SERVE_R_VERIFICATION = SERVE_EP_VERIFICATION,
    SERVE_R_SIP = SERVE_EP_SIP,
    SERVE_R_SIP_DIV = SERVE_EP_SIP_DIV,
    SERVE_R_HEALTHZ,
    SERVE_R_METRICS,
    SERVE_R_X5U,
    SERVE_R_OTHER,
    /* out-of-band SHAKEN (oob.h), only when configured */
    SERVE_R_CPS_PUBLISH,
    SERVE_R_CPS_RETRIEVE,
    SERVE_R_CPS_HEALTH,
    SERVE_R_OOB_EGRESS,
    SERVE_R_OOB_INGRESS,
    SERVE_R_COUNT
};
#define SERVE_NBUCKETS 12
#define SERVE_MAX_REASONS 128

typedef struct serve_metrics {
    atomic_ullong status[SERVE_R_COUNT][600];
    atomic_ullong lat_bucket[SERVE_EP_NCOUNT][SERVE_NBUCKETS + 1]; /* last: +Inf */
    atomic_ullong lat_sum_us[SERVE_EP_NCOUNT];
    atomic_ullong lat_count[SERVE_EP_NCOUNT];
    atomic_llong in_flight;
    atomic_ullong cut_slow, over_limit, reload_ok, reload_failed;
    pthread_mutex_t mu; /* the verdict table */
    const char *reason[SERVE_MAX_REASONS];
    unsigned long long reason_count[SERVE_MAX_REASONS];
    size_t nreason;
    const serve_oob *oob; /* its counters, when out-of-band SHAKEN is configured */
} serve_metrics;

int serve_metrics_init(serve_metrics *m);
void serve_metrics_destroy(serve_metrics *m);
void serve_metrics_request(serve_metrics *m, int route, unsigned status, int64_t us);
/* `reason` is static (a clid_err name): counted by pointer, then by text. */
void serve_metrics_verdict(serve_metrics *m, const char *reason);
/* The Prometheus text exposition (malloc'ed) with the snapshot's counters. */
char *serve_metrics_render(serve_metrics *m, const serve_snap *snap, size_t *len);
const char *serve_route_name(int route);

/* ---- the connection watchdog (http_watchdog.c) ------------------------- */

typedef struct serve_conn {
    struct serve_conn *prev, *next;
    int fd;
    int64_t deadline_ms; /* monotonic; the current request must be read by then */
    int busy;            /* the request is whole and being answered: not cut */
    int cut;
    int over;            /* accepted beyond limits.connections: answered 503 */
} serve_conn;

typedef struct serve_watchdog {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    serve_conn head; /* circular list */
    unsigned count, limit;
    int64_t timeout_ms;
    int stopping;
    pthread_t thread;
    int started;
    struct serve_server *srv;
} serve_watchdog;

int serve_watchdog_start(serve_watchdog *w, struct serve_server *srv, unsigned limit,
                         unsigned timeout_s);
void serve_watchdog_stop(serve_watchdog *w);
/* MHD_OPTION_NOTIFY_CONNECTION */
void serve_watchdog_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                           enum MHD_ConnectionNotificationCode toe);
void serve_watchdog_busy(serve_watchdog *w, serve_conn *sc, int busy);
int64_t serve_mono_ms(void);

/* ---- the server ------------------------------------------------------- */

typedef struct serve_server {
    serve_config *cfg;
    const char *config_file; /* NULL with --demo */
    pthread_mutex_t mu;      /* guards snap (the pointer swap) */
    serve_snap *snap;
    serve_metrics metrics;
    serve_watchdog wd;
    struct MHD_Daemon *d[SERVE_MAX_LISTEN];
    unsigned port[SERVE_MAX_LISTEN];
    int listen_fd[SERVE_MAX_LISTEN]; /* -1: MHD binds; else a bound socket (--demo) */
    size_t nd;
    char *tls_cert, *tls_key; /* NUL-terminated PEM, alive until the daemons stop */
    atomic_int stopping;
    serve_oob oob; /* the CPS store and mesh, the gateway's client */
} serve_server;

/* reload.c */
/* Builds a snapshot from cfg (state + tokens). 0, or -1 with why. */
int serve_snap_build(const serve_config *cfg, unsigned generation, serve_snap **out, char *err,
                     size_t cap);
serve_snap *serve_snap_acquire(serve_server *s); /* NULL: none yet */
void serve_snap_release(serve_snap *snap);
/* Installs `snap` (the server takes the reference) and releases the old. */
void serve_snap_install(serve_server *s, serve_snap *snap);
/* SIGHUP: rebuild from the files, swap on success, keep the old on failure
 * (logged). 0 or -1. */
int serve_reload(serve_server *s);

/* http.c */
int serve_http_start(serve_server *s);           /* TOOL_EXIT_*, one line on failure */
void serve_http_stop(serve_server *s, unsigned grace_s); /* graceful */

/* http_handler.c */
enum MHD_Result serve_http_handle(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls);
void serve_http_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                          enum MHD_RequestTerminationCode toe);

/* log.c: one JSON object per line on stderr, written with one write(2). */
typedef struct serve_log_req {
    const char *method, *path, *peer;
    unsigned status;
    double ms;
    const char *reason, *verstat;
    const char *orig, *dest; /* only with log.numbers */
} serve_log_req;
void serve_log_request(const serve_config *cfg, const serve_log_req *r);
/* An event (start, reload, stop, slow client cut): level, event, then
 * key/value string pairs ending with NULL. */
void serve_log_event(const serve_config *cfg, int level, const char *event, ...);

/* demo.c: makes the PKI and writes DIR/config.json for the port. */
int serve_demo_pki(char *dir, size_t cap);
int serve_demo_config(const char *dir, unsigned port, char *file, size_t cap);
void serve_demo_print(FILE *f, const char *dir, unsigned port);
void serve_demo_cleanup(const char *dir);

#endif /* CLID_TOOL_SERVE_SERVER_H */
