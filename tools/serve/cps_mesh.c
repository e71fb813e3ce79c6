/*
 * clid serve: the CPS mesh (ATIS-1000096, inferred: docs/oob.md) and the
 * OOB part of the service's life (serve_oob_start/stop).
 *
 * After an accepted publish (never a republish: no loops), the same
 * PASSporTs, with the same spc restriction and the retention they have
 * left, are POSTed to every peer with a token of action "republish" signed
 * by this service's signer (sign.*). That happens in one thread of its
 * own fed by a bounded queue, so a slow or dead peer never delays the
 * publisher's 201; a full queue drops the republication (counted in
 * /metrics: clid_serve_oob_mesh_total{result="dropped"}).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "serve/oob.h"
#include "serve/server.h"

static void item_clear(cps_mesh_item *it)
{
    cps_strings_free(it->pp, it->n);
    memset(it, 0, sizeof *it);
}

void cps_mesh_enqueue(serve_oob *o, const char *dest, const char *orig, const char *spc,
                      int64_t exp, const clid_oob_passports *pp)
{
    cps_mesh_item it;
    memset(&it, 0, sizeof it);
    size_t n = clid_oob_passports_count(pp);
    it.pp = calloc(n ? n : 1, sizeof *it.pp);
    if (it.pp == NULL) {
        atomic_fetch_add(&o->mesh_dropped, 1);
        return;
    }
    for (; it.n < n; it.n++)
        if ((it.pp[it.n] = strdup(clid_oob_passports_get(pp, it.n))) == NULL) {
            item_clear(&it);
            atomic_fetch_add(&o->mesh_dropped, 1);
            return;
        }
    snprintf(it.dest, sizeof it.dest, "%s", dest);
    snprintf(it.orig, sizeof it.orig, "%s", orig);
    snprintf(it.spc, sizeof it.spc, "%s", spc ? spc : "");
    it.exp = exp;
    pthread_mutex_lock(&o->mu);
    if (o->qlen == o->qcap || o->stopping) {
        pthread_mutex_unlock(&o->mu);
        item_clear(&it);
        atomic_fetch_add(&o->mesh_dropped, 1);
        return;
    }
    o->q[(o->qhead + o->qlen) % o->qcap] = it;
    o->qlen++;
    atomic_fetch_add(&o->mesh_queued, 1);
    pthread_cond_signal(&o->cv);
    pthread_mutex_unlock(&o->mu);
}

static void send_item(serve_server *s, cps_mesh_item *it)
{
    serve_oob *o = &s->oob;
    int64_t now = (int64_t)time(NULL);
    if (it->exp <= now) { /* nothing left to retain: too late to forward */
        atomic_fetch_add(&o->mesh_failed, o->npeers);
        return;
    }
    int64_t left = it->exp - now;
    serve_snap *snap = serve_snap_acquire(s);
    const clid_signer *sg = snap && snap->st ? serve_state_signer(snap->st) : NULL;
    for (size_t i = 0; i < o->npeers; i++) {
        clid_oob_publish_opts po = {
            .orig = it->orig, .dest = it->dest, .passports = (const char *const *)it->pp,
            .passport_count = it->n, .spc = it->spc[0] ? it->spc : NULL,
            .retention = (unsigned)(left > CLID_OOB_MAX_RETENTION ? CLID_OOB_MAX_RETENTION : left),
            .republish = 1};
        int http = 0;
        clid_err e = sg ? clid_oob_publish(o->peer[i], sg, &po, &http) : CLID_ERR_INVALID_ARGUMENT;
        if (e == CLID_OK) {
            atomic_fetch_add(&o->mesh_sent, 1);
        } else {
            atomic_fetch_add(&o->mesh_failed, 1);
            char st[16];
            snprintf(st, sizeof st, "%d", http);
            serve_log_event(s->cfg, SERVE_LOG_WARN, "oob_republish", "peer",
                            s->cfg->oob.peers[i].url, "reason", clid_err_name(e), "http", st,
                            NULL);
        }
    }
    serve_snap_release(snap);
}

static void *mesh_main(void *arg)
{
    serve_server *s = arg;
    serve_oob *o = &s->oob;
    pthread_mutex_lock(&o->mu);
    for (;;) {
        while (o->qlen == 0 && !o->stopping)
            pthread_cond_wait(&o->cv, &o->mu);
        if (o->stopping)
            break;
        cps_mesh_item it = o->q[o->qhead];
        o->qhead = (o->qhead + 1) % o->qcap;
        o->qlen--;
        pthread_mutex_unlock(&o->mu);
        send_item(s, &it);
        item_clear(&it);
        pthread_mutex_lock(&o->mu);
    }
    pthread_mutex_unlock(&o->mu);
    return NULL;
}

static int policy(clid_fetcher **out, int http, int priv, unsigned timeout_ms)
{
    *out = NULL;
    if (clid_fetcher_new(out) != CLID_OK)
        return -1;
    if (clid_fetcher_allow_http(*out, http) != CLID_OK ||
        clid_fetcher_allow_private(*out, priv) != CLID_OK ||
        clid_fetcher_set_timeouts(*out, timeout_ms, timeout_ms) != CLID_OK) {
        clid_fetcher_free(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

static int client(const clid_fetcher *pol, const char *url, const char *aud, unsigned ms,
                  clid_oob_client **out, const char *path, char *err, size_t cap)
{
    clid_err e = clid_oob_client_new(pol, url, out);
    if (e == CLID_OK && aud != NULL)
        e = clid_oob_client_set_aud(*out, aud);
    if (e == CLID_OK)
        e = clid_oob_client_set_timeout_ms(*out, ms);
    if (e != CLID_OK) {
        snprintf(err, cap, "%s: %s: %s: %s", path, url, clid_err_name(e), clid_err_str(e));
        clid_oob_client_free(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

int cps_mesh_start(serve_server *s, char *err, size_t cap)
{
    serve_oob *o = &s->oob;
    const serve_oob_cfg *c = &s->cfg->oob;
    if (c->npeers == 0)
        return 0;
    if (policy(&o->peer_policy, c->peer_allow_http, c->peer_allow_private, 1000) != 0) {
        snprintf(err, cap, "oob.cps.peers: cannot make the HTTP client");
        return -1;
    }
    for (size_t i = 0; i < c->npeers; i++) {
        char p[48];
        snprintf(p, sizeof p, "oob.cps.peers[%zu].url", i);
        if (client(o->peer_policy, c->peers[i].url, c->peers[i].aud, 1000, &o->peer[i], p, err,
                   cap) != 0)
            return -1;
        o->npeers++;
    }
    o->qcap = c->mesh_queue;
    o->q = calloc(o->qcap, sizeof *o->q);
    if (o->q == NULL || pthread_mutex_init(&o->mu, NULL) != 0) {
        snprintf(err, cap, "oob.cps: out of memory");
        return -1;
    }
    if (pthread_cond_init(&o->cv, NULL) != 0) {
        pthread_mutex_destroy(&o->mu);
        snprintf(err, cap, "oob.cps: cannot create the mesh queue");
        return -1;
    }
    if (pthread_create(&o->thread, NULL, mesh_main, s) != 0) {
        pthread_cond_destroy(&o->cv);
        pthread_mutex_destroy(&o->mu);
        snprintf(err, cap, "oob.cps: cannot start the mesh thread");
        return -1;
    }
    o->started = 1;
    return 0;
}

void cps_mesh_stop(serve_oob *o)
{
    if (o->started) {
        pthread_mutex_lock(&o->mu);
        o->stopping = 1;
        pthread_cond_signal(&o->cv);
        pthread_mutex_unlock(&o->mu);
        pthread_join(o->thread, NULL);
        while (o->qlen > 0) {
            item_clear(&o->q[o->qhead]);
            o->qhead = (o->qhead + 1) % o->qcap;
            o->qlen--;
            atomic_fetch_add(&o->mesh_dropped, 1);
        }
        pthread_cond_destroy(&o->cv);
        pthread_mutex_destroy(&o->mu);
        o->started = 0;
    }
    free(o->q);
    o->q = NULL;
    for (size_t i = 0; i < o->npeers; i++)
        clid_oob_client_free(o->peer[i]);
    o->npeers = 0;
    clid_fetcher_free(o->peer_policy);
    o->peer_policy = NULL;
}

int serve_oob_start(serve_server *s, char *err, size_t cap)
{
    serve_oob *o = &s->oob;
    const serve_oob_cfg *c = &s->cfg->oob;
    if (c->cps) {
        int rc = c->redis ? cps_store_redis_new(c->redis_socket, c->redis_host, c->redis_port,
                                                c->redis_timeout_ms, &o->store, err, cap)
                          : cps_store_mem_new(c->max_records, &o->store, err, cap);
        if (rc != 0 || cps_mesh_start(s, err, cap) != 0)
            return -1;
    }
    if (c->gateway) {
        if (policy(&o->gw_policy, c->gw_allow_http, c->gw_allow_private, c->gw_budget_ms) != 0) {
            snprintf(err, cap, "oob.gateway: cannot make the HTTP client");
            return -1;
        }
        if (client(o->gw_policy, c->gw_url, c->gw_aud, c->gw_budget_ms, &o->gw,
                   "oob.gateway.cps_url", err, cap) != 0)
            return -1;
    }
    return 0;
}

void serve_oob_stop(serve_server *s)
{
    serve_oob *o = &s->oob;
    cps_mesh_stop(o);
    clid_oob_client_free(o->gw);
    o->gw = NULL;
    clid_fetcher_free(o->gw_policy);
    o->gw_policy = NULL;
    cps_store_free(o->store);
    o->store = NULL;
}
