/*
 * clid serve: the snapshot requests use, and SIGHUP.
 *
 * A snapshot is the library state (serve_state: trust anchors, CRLs,
 * signer) and the signing tokens, built together from the files the
 * configuration names. The server's pointer to it is swapped under a mutex
 * held for a pointer copy and a reference increment only; a request keeps
 * its reference until its reply is queued, so the old snapshot is freed by
 * whichever of the last request and the reload lets go of it last. A reload
 * that fails (a file missing, unreadable, not a certificate, a key that
 * does not match) changes nothing: the old snapshot keeps serving, and the
 * reason is logged.
 */
#include <stdlib.h>
#include <string.h>

#include "serve/server.h"

int serve_snap_build(const serve_config *cfg, unsigned generation, serve_snap **out, char *err,
                     size_t cap)
{
    serve_snap *n = calloc(1, sizeof *n);
    *out = NULL;
    if (n == NULL) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    atomic_init(&n->refs, 1);
    n->generation = generation;
    if (cfg->tokens_file != NULL &&
        serve_tokens_load(cfg->tokens_file, &n->tokens, err, cap) != 0) {
        free(n);
        return -1;
    }
    if (serve_state_new(&cfg->st, NULL, NULL, &n->st, err, cap) != 0) {
        serve_tokens_free(&n->tokens);
        free(n);
        return -1;
    }
    *out = n;
    return 0;
}

serve_snap *serve_snap_acquire(serve_server *s)
{
    pthread_mutex_lock(&s->mu);
    serve_snap *p = s->snap;
    if (p != NULL)
        atomic_fetch_add(&p->refs, 1);
    pthread_mutex_unlock(&s->mu);
    return p;
}

void serve_snap_release(serve_snap *p)
{
    if (p == NULL || atomic_fetch_sub(&p->refs, 1) != 1)
        return;
    serve_state_unref(p->st);
    serve_tokens_free(&p->tokens);
    free(p);
}

void serve_snap_install(serve_server *s, serve_snap *n)
{
    pthread_mutex_lock(&s->mu);
    serve_snap *old = s->snap;
    s->snap = n;
    pthread_mutex_unlock(&s->mu);
    serve_snap_release(old);
}

int serve_reload(serve_server *s)
{
    char err[512] = "";
    serve_snap *cur = serve_snap_acquire(s);
    unsigned gen = cur ? cur->generation + 1 : 1;
    serve_snap_release(cur);
    serve_snap *n;
    if (serve_snap_build(s->cfg, gen, &n, err, sizeof err) != 0) {
        atomic_fetch_add(&s->metrics.reload_failed, 1);
        serve_log_event(s->cfg, SERVE_LOG_ERROR, "reload", "result",
                        "failed: the previous configuration is kept", "why", err, NULL);
        return -1;
    }
    serve_snap_install(s, n);
    atomic_fetch_add(&s->metrics.reload_ok, 1);
    char g[16];
    snprintf(g, sizeof g, "%u", gen);
    serve_log_event(s->cfg, SERVE_LOG_INFO, "reload", "result", "ok", "generation", g, NULL);
    return 0;
}
