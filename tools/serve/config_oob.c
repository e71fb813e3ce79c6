/*
 * clid serve --config FILE: the "oob" member (oob.cps, oob.gateway;
 * OOB-SPEC.md "clid serve config", docs/serve.md), checked as strictly as
 * the rest of the file (config.c).
 */
#include <stdio.h>
#include <string.h>

#include <clid/clid_oob.h>

#include "serve/config_int.h"

/* An http(s) URL ending in '/' (the client appends "passports/..."). */
static void check_base_url(vctx *v, const char *path, const char *url)
{
    if (url == NULL)
        return;
    if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
        cfg_bad(v, path, "expected an http(s) URL");
    else if (url[strlen(url) - 1] != '/')
        cfg_bad(v, path, "expected a base URL ending in '/'");
}

/* An audience, iss or spc: 1..128 printable ASCII (clid_oob.h CLID_OOB_ID_BUF). */
static const char *get_id(vctx *v, json_t *obj, const char *path, const char *key, int required)
{
    const char *s = cfg_get_str(v, obj, path, key);
    char p[256];
    cfg_join(p, sizeof p, path, key);
    if (s == NULL) {
        if (required && (obj == NULL || json_object_get(obj, key) == NULL ||
                         json_is_null(json_object_get(obj, key))))
            cfg_bad(v, p, "required");
        return NULL;
    }
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x21 || s[i] > 0x7e) {
            cfg_bad(v, p, "expected printable ASCII without spaces");
            return NULL;
        }
    if (n >= CLID_OOB_ID_BUF) {
        cfg_bad(v, p, "at most %d characters", CLID_OOB_ID_BUF - 1);
        return NULL;
    }
    return s;
}

/* oob.cps: the Call Placement Service (RFC 8816, ATIS-1000096 mesh). */
static void load_oob_cps(vctx *v, serve_config *c, json_t *o)
{
    serve_oob_cfg *q = &c->oob;
    static const char *const keys[] = {"aud",        "store",      "max_records",
                                       "redis",      "peers",      "mesh_queue",
                                       "allow_http", "allow_private", NULL};
    cfg_check_keys(v, o, "oob.cps", keys);
    q->cps = 1;
    q->aud = get_id(v, o, "oob.cps", "aud", 1);
    static const char *const stores[] = {"memory", "redis", NULL};
    const char *st = cfg_get_enum(v, o, "oob.cps", "store", stores);
    q->redis = st != NULL && strcmp(st, "redis") == 0;
    q->max_records = cfg_get_uint(v, o, "oob.cps", "max_records", 100000, 1, 100000000);
    q->mesh_queue = cfg_get_uint(v, o, "oob.cps", "mesh_queue", 1024, 1, 1000000);
    q->peer_allow_http = cfg_get_bool(v, o, "oob.cps", "allow_http", 0);
    q->peer_allow_private = cfg_get_bool(v, o, "oob.cps", "allow_private", 0);
    json_t *r = cfg_get_obj(v, o, "oob.cps", "redis");
    if (r != NULL) {
        static const char *const rk[] = {"socket", "host", "port", "timeout_ms", NULL};
        cfg_check_keys(v, r, "oob.cps.redis", rk);
        q->redis_socket = cfg_get_str(v, r, "oob.cps.redis", "socket");
        q->redis_host = cfg_get_str(v, r, "oob.cps.redis", "host");
        q->redis_port = cfg_get_uint(v, r, "oob.cps.redis", "port", 6379, 1, 65535);
        q->redis_timeout_ms = cfg_get_uint(v, r, "oob.cps.redis", "timeout_ms", 500, 10, 60000);
        if ((q->redis_socket != NULL) == (q->redis_host != NULL))
            cfg_bad(v, "oob.cps.redis", "expected exactly one of \"socket\" or \"host\"");
    }
    if (q->redis && r == NULL)
        cfg_bad(v, "oob.cps.redis", "required when \"store\" is \"redis\"");
    if (!q->redis && r != NULL)
        cfg_bad(v, "oob.cps.redis", "given, but \"store\" is not \"redis\"");
    json_t *peers = json_object_get(o, "peers");
    if (peers != NULL && !json_is_null(peers)) {
        if (!json_is_array(peers) || json_array_size(peers) > SERVE_OOB_MAX_PEERS) {
            cfg_bad(v, "oob.cps.peers", "expected an array of at most %d objects",
                SERVE_OOB_MAX_PEERS);
        } else {
            size_t i;
            json_t *e;
            json_array_foreach(peers, i, e) {
                char p[64];
                snprintf(p, sizeof p, "oob.cps.peers[%zu]", i);
                if (!json_is_object(e)) {
                    cfg_bad(v, p, "expected an object {\"url\",\"aud\",\"spc\"}");
                    continue;
                }
                static const char *const pk[] = {"url", "aud", "spc", NULL};
                cfg_check_keys(v, e, p, pk);
                serve_oob_peer *pe = &q->peers[q->npeers];
                pe->url = cfg_get_str(v, e, p, "url");
                char u[80];
                cfg_join(u, sizeof u, p, "url");
                if (pe->url == NULL)
                    cfg_bad(v, u, "required");
                check_base_url(v, u, pe->url);
                pe->aud = get_id(v, e, p, "aud", 1);
                pe->spc = get_id(v, e, p, "spc", 1);
                q->npeers++;
            }
        }
    }
}

/* oob.gateway: the proxy-facing egress/ingress endpoints and their CPS. */
static void load_oob_gateway(vctx *v, serve_config *c, json_t *o)
{
    serve_oob_cfg *q = &c->oob;
    static const char *const keys[] = {"cps_url",  "aud",        "budget_ms",
                                       "retry_ms", "allow_http", "allow_private", NULL};
    cfg_check_keys(v, o, "oob.gateway", keys);
    q->gateway = 1;
    q->gw_url = cfg_get_str(v, o, "oob.gateway", "cps_url");
    if (q->gw_url == NULL)
        cfg_bad(v, "oob.gateway.cps_url", "required");
    check_base_url(v, "oob.gateway.cps_url", q->gw_url);
    q->gw_aud = get_id(v, o, "oob.gateway", "aud", 0);
    q->gw_budget_ms = cfg_get_uint(v, o, "oob.gateway", "budget_ms", 1000, 10, 60000);
    q->gw_retry_ms = cfg_get_uint(v, o, "oob.gateway", "retry_ms", 100, 1, 10000);
    q->gw_allow_http = cfg_get_bool(v, o, "oob.gateway", "allow_http", 0);
    q->gw_allow_private = cfg_get_bool(v, o, "oob.gateway", "allow_private", 0);
}

void cfg_load_oob(vctx *v, serve_config *c, json_t *root)
{
    json_t *o = cfg_get_obj(v, root, "", "oob");
    if (o == NULL)
        return;
    static const char *const keys[] = {"cps", "gateway", NULL};
    cfg_check_keys(v, o, "oob", keys);
    json_t *cps = cfg_get_obj(v, o, "oob", "cps");
    if (cps != NULL)
        load_oob_cps(v, c, cps);
    json_t *gw = cfg_get_obj(v, o, "oob", "gateway");
    if (gw != NULL)
        load_oob_gateway(v, c, gw);
    /* The republish and gateway tokens are signed by the service's signer
     * (OOB-SPEC.md "clid serve config"). */
    if ((c->oob.npeers > 0 || c->oob.gateway) && c->st.sign_key == NULL)
        cfg_bad(v, c->oob.gateway ? "oob.gateway" : "oob.cps.peers",
            "needs \"sign\": its tokens are signed by the service's signer");
}
