/*
 * clid serve: out-of-band SHAKEN (issue 12; OOB-SPEC.md; docs/serve.md
 * "Out-of-band SHAKEN").
 *
 *   cps.c        the Call Placement Service routes: POST/GET
 *                /passports/{DEST}/{ORIG}, GET /health
 *   cps_mesh.c   republication of accepted publishes to peer CPSs
 *                (ATIS-1000096 mesh), off the request path
 *   cps_store*.c the store (memory or Redis, cps_store.h)
 *   oob_gw.c     POST /stir/v1/oob/egress and /stir/v1/oob/ingress, the
 *                gateway endpoints proxies call
 * The token checks, the client and the gateway flow are libclid's
 * (clid_oob.h); this is the server around them.
 */
#ifndef CLID_TOOL_SERVE_OOB_H
#define CLID_TOOL_SERVE_OOB_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <clid/clid_oob.h>

#include "serve/config.h"
#include "serve/cps_store.h"

struct serve_server;
struct serve_snap;

typedef struct cps_mesh_item {
    char dest[CLID_TN_BUF], orig[CLID_TN_BUF], spc[CLID_OOB_ID_BUF];
    int64_t exp;
    char **pp;
    size_t n;
} cps_mesh_item;

typedef struct serve_oob {
    cps_store *store;
    /* the mesh */
    clid_fetcher *peer_policy;
    clid_oob_client *peer[SERVE_OOB_MAX_PEERS];
    size_t npeers;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    cps_mesh_item *q; /* ring of cap items */
    size_t qcap, qhead, qlen;
    int stopping, started;
    pthread_t thread;
    /* the gateway */
    clid_fetcher *gw_policy;
    clid_oob_client *gw;
    /* counters for /metrics */
    atomic_ullong publishes, retrieves, republishes_in, store_errors;
    atomic_ullong mesh_queued, mesh_sent, mesh_failed, mesh_dropped;
} serve_oob;

/* Builds the store, the peer and gateway clients and starts the mesh
 * thread, as the configuration says (nothing when oob is absent). 0 or -1
 * with one line in err[cap]. */
int serve_oob_start(struct serve_server *s, char *err, size_t cap);
/* Stops the mesh thread (queued republications are dropped, counted) and
 * frees everything. Call after the HTTP daemons stopped. */
void serve_oob_stop(struct serve_server *s);

typedef struct serve_oob_reply {
    unsigned status;
    json_t *body;
    const char *reason;      /* clid_err name (static) */
    const char *hname, *hval; /* one extra header (WWW-Authenticate), or NULL */
} serve_oob_reply;

/* POST/GET /passports/{DEST}/{ORIG} (`publish` 1 for POST) and GET
 * /health (url "/health"). */
void serve_cps_passports(struct serve_server *s, struct serve_snap *snap, int publish,
                         const char *url, const char *authorization, const char *body,
                         size_t len, serve_oob_reply *out);
void serve_cps_health(struct serve_server *s, serve_oob_reply *out);
/* Queues the republication of an accepted publish to every peer; a full
 * queue drops it (counted). */
void cps_mesh_enqueue(serve_oob *o, const char *dest, const char *orig, const char *spc,
                      int64_t exp, const clid_oob_passports *pp);
int cps_mesh_start(struct serve_server *s, char *err, size_t cap);
void cps_mesh_stop(serve_oob *o);

/* POST /stir/v1/oob/egress (`ingress` 0) and /stir/v1/oob/ingress. */
void serve_oob_gateway(struct serve_server *s, struct serve_snap *snap, int ingress,
                       const char *body, size_t len, serve_oob_reply *out);

/* A JSON error reply {"error":{"code":"CLID_ERR_...","message":...}}. */
void serve_oob_error(serve_oob_reply *out, unsigned status, clid_err e, const char *detail);

#endif
