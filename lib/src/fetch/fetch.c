/*
 * The x5u and CRL fetcher (clid_fetch.h): configuration, and the order of a fetch:
 * URL policy (url_policy.c), cache and in-flight retrievals
 * (fetch_cache.c, fetch_disk.c), and when nothing cached answers, one
 * transfer (fetch_xfer.c) whose outcome is cached, failures included.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <clid/clid_fetch.h>

#include "fetch/fetch_internal.h"
#include "core/internal.h"

#define DEFAULT_TIMEOUT_MS 2000 /* DESIGN.md */
#define DEFAULT_MAX_SIZE CLID_CHAIN_MAX_LEN
#define MAX_SIZE_LIMIT (1024u * 1024)
#define DEFAULT_NEGATIVE_TTL 30
#define TIMEOUT_LIMIT_MS 600000u
#define NEGATIVE_TTL_LIMIT 86400u

struct clid_fetcher {
    clid__fetch_cfg cfg;
    unsigned neg_ttl;
    clid_clock_fn clock;
    void *clock_arg;
    clid__fcache *cache;
};

/* ------------------------------------------------------------------------ */
/* Configuration                                                             */
/* ------------------------------------------------------------------------ */

clid_err clid_fetcher_new(clid_fetcher **out)
{
    CLID_ENSURE(out != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out = NULL;
    CLID_TRY(clid__xfer_global_init());
    clid_fetcher *f = calloc(1, sizeof *f);
    CLID_ENSURE(f != NULL, CLID_ERR_NOMEM);
    f->cfg.connect_ms = DEFAULT_TIMEOUT_MS;
    f->cfg.total_ms = DEFAULT_TIMEOUT_MS;
    f->cfg.max_size = DEFAULT_MAX_SIZE;
    f->cfg.crl_max_size = CLID_FETCH_CRL_DEFAULT_MAX;
    f->neg_ttl = DEFAULT_NEGATIVE_TTL;
    clid_err rc = clid__fcache_new(&f->cache);
    if (rc != CLID_OK) {
        free(f);
        return rc;
    }
    *out = f;
    return CLID_OK;
}

void clid_fetcher_free(clid_fetcher *f)
{
    if (f == NULL)
        return;
    clid__fcache_free(f->cache);
    clid__xfer_trust_reset(&f->cfg);
    free(f->cfg.ca_file);
    free(f);
}

clid_err clid_fetcher_allow_http(clid_fetcher *f, int allow)
{
    CLID_ENSURE(f != NULL, CLID_ERR_INVALID_ARGUMENT);
    f->cfg.pol.allow_http = allow != 0;
    return CLID_OK;
}

clid_err clid_fetcher_allow_private(clid_fetcher *f, int allow)
{
    CLID_ENSURE(f != NULL, CLID_ERR_INVALID_ARGUMENT);
    f->cfg.pol.allow_private = allow != 0;
    return CLID_OK;
}

clid_err clid_fetcher_allow_port(clid_fetcher *f, unsigned port)
{
    CLID_ENSURE(f != NULL && port >= 1 && port <= 65535, CLID_ERR_INVALID_ARGUMENT);
    for (size_t i = 0; i < f->cfg.pol.n_ports; i++)
        if (f->cfg.pol.ports[i] == port)
            return CLID_OK;
    CLID_ENSURE(f->cfg.pol.n_ports < CLID__MAX_PORTS, CLID_ERR_INVALID_ARGUMENT);
    f->cfg.pol.ports[f->cfg.pol.n_ports++] = port;
    return CLID_OK;
}

clid_err clid_fetcher_allow_query(clid_fetcher *f, int allow)
{
    CLID_ENSURE(f != NULL, CLID_ERR_INVALID_ARGUMENT);
    f->cfg.pol.allow_query = allow != 0;
    return CLID_OK;
}

clid_err clid_fetcher_set_timeouts(clid_fetcher *f, unsigned connect_ms, unsigned total_ms)
{
    CLID_ENSURE(f != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(connect_ms >= 1 && connect_ms <= TIMEOUT_LIMIT_MS, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(total_ms >= 1 && total_ms <= TIMEOUT_LIMIT_MS, CLID_ERR_INVALID_ARGUMENT);
    f->cfg.connect_ms = connect_ms;
    f->cfg.total_ms = total_ms;
    return CLID_OK;
}

clid_err clid_fetcher_set_max_size(clid_fetcher *f, size_t bytes)
{
    CLID_ENSURE(f != NULL && bytes >= 1 && bytes <= MAX_SIZE_LIMIT, CLID_ERR_INVALID_ARGUMENT);
    f->cfg.max_size = bytes;
    return CLID_OK;
}

clid_err clid_fetcher_set_crl_max_size(clid_fetcher *f, size_t bytes)
{
    CLID_ENSURE(f != NULL && bytes >= 1 && bytes <= CLID_CRL_MAX_LEN, CLID_ERR_INVALID_ARGUMENT);
    f->cfg.crl_max_size = bytes;
    return CLID_OK;
}

clid_err clid_fetcher_set_ca_file(clid_fetcher *f, const char *path)
{
    CLID_ENSURE(f != NULL, CLID_ERR_INVALID_ARGUMENT);
    char *copy = NULL;
    if (path != NULL) {
        CLID_ENSURE(path[0] != '\0', CLID_ERR_INVALID_ARGUMENT);
        CLID_ENSURE(access(path, R_OK) == 0, CLID_ERR_IO);
        copy = clid__strndup(path, strlen(path));
        CLID_ENSURE(copy != NULL, CLID_ERR_NOMEM);
    }
    free(f->cfg.ca_file);
    f->cfg.ca_file = copy;
    clid__xfer_trust_reset(&f->cfg);
    return CLID_OK;
}

clid_err clid_fetcher_set_negative_ttl(clid_fetcher *f, unsigned seconds)
{
    CLID_ENSURE(f != NULL && seconds <= NEGATIVE_TTL_LIMIT, CLID_ERR_INVALID_ARGUMENT);
    f->neg_ttl = seconds;
    return CLID_OK;
}

clid_err clid_fetcher_set_cache_dir(clid_fetcher *f, const char *dir)
{
    CLID_ENSURE(f != NULL, CLID_ERR_INVALID_ARGUMENT);
    return clid__fcache_set_dir(f->cache, dir);
}

clid_err clid_fetcher_set_clock(clid_fetcher *f, clid_clock_fn fn, void *arg)
{
    CLID_ENSURE(f != NULL, CLID_ERR_INVALID_ARGUMENT);
    f->clock = fn;
    f->clock_arg = fn ? arg : NULL;
    return CLID_OK;
}

clid_err clid_fetcher_check_url(const clid_fetcher *f, const char *url)
{
    CLID_ENSURE(f != NULL && url != NULL, CLID_ERR_INVALID_ARGUMENT);
    clid__url u;
    return clid__url_check(&f->cfg.pol, url, &u);
}

clid_err clid__fetcher_cfg_copy(const clid_fetcher *f, clid__fetch_cfg *out)
{
    CLID_ENSURE(f != NULL && out != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out = f->cfg;
    out->trust = NULL; /* the copy loads its own */
    out->ca_file = NULL;
    if (f->cfg.ca_file != NULL) {
        out->ca_file = clid__strndup(f->cfg.ca_file, strlen(f->cfg.ca_file));
        CLID_ENSURE(out->ca_file != NULL, CLID_ERR_NOMEM);
    }
    return CLID_OK;
}

void clid__fetch_cfg_release(clid__fetch_cfg *c)
{
    if (c == NULL)
        return;
    clid__xfer_trust_reset(c);
    free(c->ca_file);
    c->ca_file = NULL;
}

void clid_fetcher_get_stats(const clid_fetcher *f, clid_fetcher_stats *out)
{
    if (out == NULL)
        return;
    memset(out, 0, sizeof *out);
    if (f != NULL)
        clid__fcache_stats(f->cache, out);
}

static int64_t fetcher_now(const clid_fetcher *f)
{
    return f->clock ? f->clock(f->clock_arg) : (int64_t)time(NULL);
}

/* Failures worth remembering: those of the network and the server. */
static int negative_cacheable(clid_err e)
{
    return clid_err_class_of(e) == CLID_CLASS_FETCH && e != CLID_ERR_X5U_NEGATIVE_CACHED;
}

/* The cache key: the URL for x5u, "crl " or "rcd " and the URL for a CRL
 * or Rich Call Data content (a space never occurs in a URL the policy
 * accepts), so that one URL asked for as two kinds is never answered with
 * the other's body. */
static char *cache_key(enum clid__fetch_kind kind, const char *url)
{
    if (kind == CLID__FETCH_X5U)
        return clid__strndup(url, strlen(url));
    size_t n = strlen(url);
    char *k = malloc(n + 5);
    if (k != NULL) {
        memcpy(k, kind == CLID__FETCH_CRL ? "crl " : "rcd ", 4);
        memcpy(k + 4, url, n + 1);
    }
    return k;
}

static clid_err fetch_kind(clid_fetcher *f, enum clid__fetch_kind kind, const char *url,
                           uint8_t *buf, size_t cap, size_t *len, int64_t *max_age_s)
{
    CLID_ENSURE(f != NULL && url != NULL && len != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(buf != NULL || cap == 0, CLID_ERR_INVALID_ARGUMENT);
    *len = 0;
    if (max_age_s != NULL)
        *max_age_s = -1;

    clid_fetcher_stats d = {0};
    clid__url u;
    clid_err rc = clid__url_check(&f->cfg.pol, url, &u);
    if (rc != CLID_OK) {
        d.failures = 1;
        clid__fcache_count(f->cache, &d);
        return rc;
    }

    int64_t now = fetcher_now(f);
    char *key = cache_key(kind, url);
    if (key == NULL) {
        d.failures = 1;
        clid__fcache_count(f->cache, &d);
        return CLID_ERR_NOMEM;
    }
    clid__fresult res;
    /* A follower waits as long as its own transfer could have taken, plus
     * a second for the leader's name resolution. */
    unsigned wait_ms = f->cfg.total_ms + 1000;
    switch (clid__fcache_begin(f->cache, key, now, wait_ms, &res)) {
    case CLID__FC_HIT:
        d.cache_hits = 1;
        break;
    case CLID__FC_NEGATIVE:
        d.negative_hits = 1;
        break;
    case CLID__FC_JOINED:
        d.cache_hits = res.err == CLID_OK;
        break;
    case CLID__FC_LEAD: {
        clid__xfer_outcome o = {0};
        res = (clid__fresult){.max_age = -1};
        res.err = clid__xfer_run(&f->cfg, kind, url, &u, now, &res, &o);
        d.requests = (uint64_t)o.started;
        unsigned neg = negative_cacheable(res.err) ? f->neg_ttl : 0;
        clid__fcache_finish(f->cache, key, &res, now, o.expires, neg, o.no_store);
        break;
    }
    }

    rc = res.err;
    if (rc == CLID_OK && res.len > cap)
        rc = CLID_ERR_X5U_TOO_LARGE;
    if (rc == CLID_OK) {
        memcpy(buf, res.body, res.len);
        *len = res.len;
        if (max_age_s != NULL)
            *max_age_s = res.max_age;
    }
    d.failures = rc != CLID_OK && rc != CLID_ERR_X5U_NEGATIVE_CACHED;
    free(res.body);
    free(key);
    clid__fcache_count(f->cache, &d);
    return rc;
}

clid_err clid_fetcher_fetch(void *arg, const char *url, uint8_t *buf, size_t cap, size_t *len,
                            int64_t *max_age_s)
{
    return fetch_kind(arg, CLID__FETCH_X5U, url, buf, cap, len, max_age_s);
}

clid_err clid_fetcher_fetch_crl(void *arg, const char *url, uint8_t *buf, size_t cap,
                                size_t *len, int64_t *max_age_s)
{
    return fetch_kind(arg, CLID__FETCH_CRL, url, buf, cap, len, max_age_s);
}

clid_err clid_fetcher_fetch_rcd(void *arg, const char *url, uint8_t *buf, size_t cap,
                                size_t *len, int64_t *max_age_s)
{
    return fetch_kind(arg, CLID__FETCH_RCD, url, buf, cap, len, max_age_s);
}
