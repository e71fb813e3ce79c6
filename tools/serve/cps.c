/*
 * clid serve: the Call Placement Service routes (RFC 8816 §5, RFC 9888;
 * ATIS-1000105 one CPS, ATIS-1000096 mesh; OOB-SPEC.md "Wire").
 *
 *   POST /passports/{DEST}/{ORIG}  publish (or a peer's republish) -> 201 {}
 *   GET  /passports/{DEST}/{ORIG}  retrieve -> 200 {"passports":[...]} | 404
 *   GET  /health                   200 ok | 503 degraded (the store)
 *
 * Order of checks: the request and its bearer token (clid_oob_check_request
 * with the snapshot's verifier: same trust anchors, CRLs and certificate
 * profile as PASSporTs), a republish only from a configured peer's SPC,
 * then the replay check (the token's jti claimed in the store before any
 * effect), then the store. Statuses: clid_oob_http_status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "serve/oob.h"
#include "serve/server.h"

#define CPS_SEG_MAX 64 /* a path number: 15 digits, with room for what is refused */

void serve_oob_error(serve_oob_reply *out, unsigned status, clid_err e, const char *detail)
{
    char msg[512];
    snprintf(msg, sizeof msg, "%s%s%s", clid_err_str(e), detail && detail[0] ? ": " : "",
             detail ? detail : "");
    out->status = status;
    out->reason = clid_err_name(e);
    out->body = json_pack("{s:{s:s,s:s}}", "error", "code", clid_err_name(e), "message", msg);
}

/* "/passports/{DEST}/{ORIG}": 0 with the two segments, -1 otherwise. */
static int split_path(const char *url, char dest[CPS_SEG_MAX], char orig[CPS_SEG_MAX])
{
    static const char pre[] = "/passports/";
    if (strncmp(url, pre, sizeof pre - 1) != 0)
        return -1;
    const char *d = url + sizeof pre - 1;
    const char *slash = strchr(d, '/');
    if (slash == NULL || slash == d || (size_t)(slash - d) >= CPS_SEG_MAX)
        return -1;
    const char *o = slash + 1;
    size_t olen = strlen(o);
    if (olen == 0 || olen >= CPS_SEG_MAX || strchr(o, '/') != NULL)
        return -1;
    memcpy(dest, d, (size_t)(slash - d));
    dest[slash - d] = '\0';
    memcpy(orig, o, olen + 1);
    return 0;
}

static void reject(serve_oob_reply *out, clid_err e, const clid_oob_grant *g)
{
    int st = clid_oob_http_status(e);
    serve_oob_error(out, st >= 400 && st <= 599 ? (unsigned)st : 500, e,
                    g ? clid_oob_grant_detail(g) : NULL);
    if (out->status == 401) {
        /* RFC 6750 §3: the challenge; invalid_token when one was given. */
        out->hname = "WWW-Authenticate";
        out->hval = e == CLID_ERR_OOB_TOKEN_MISSING ? "Bearer realm=\"cps\""
                                                    : "Bearer realm=\"cps\", error=\"invalid_token\"";
    }
}

static int is_peer(const serve_config *c, const char *iss)
{
    for (size_t i = 0; i < c->oob.npeers; i++)
        if (strcmp(c->oob.peers[i].spc, iss) == 0)
            return 1;
    return 0;
}

static void publish(serve_server *s, serve_snap *snap, const char *dest, const char *orig,
                    const char *authz, const char *body, size_t len, serve_oob_reply *out)
{
    serve_oob *o = &s->oob;
    clid_oob_grant *g = NULL;
    clid_err e = clid_oob_grant_new(&g);
    if (e != CLID_OK) {
        reject(out, e, NULL);
        return;
    }
    clid_oob_check_opts co = {.aud = s->cfg->oob.aud, .max_passports = 0};
    clid_oob_request rq = {.action = CLID_OOB_PUBLISH, .dest = dest, .orig = orig,
                           .authorization = authz, .body = body, .body_len = len, .now = 0};
    e = clid_oob_check_request(serve_state_verifier(snap->st), &co, &rq, g);
    int64_t now = (int64_t)time(NULL);
    int republish = e == CLID_OK && clid_oob_grant_action(g) == CLID_OOB_REPUBLISH;
    /* ATIS-1000096 mesh (inferred): a republish only from a CPS this one
     * lists as a peer, identified by the SPC its token certificate holds. */
    if (republish && !is_peer(s->cfg, clid_oob_grant_iss(g)))
        e = CLID_ERR_OOB_SPC_NOT_AUTHORIZED;
    char key[CLID_OOB_ID_BUF * 2 + 8];
    if (e == CLID_OK) {
        unsigned fresh = s->cfg->st.max_age ? s->cfg->st.max_age : 60;
        if (cps_key_jti(key, sizeof key, clid_oob_grant_iss(g), clid_oob_grant_jti(g)) != 0)
            e = CLID_ERR_OOB_TOKEN_PARSE;
        else
            e = o->store->ops->claim(o->store, key, now,
                                     clid_oob_grant_exp(g) - now + (int64_t)fresh);
    }
    const clid_oob_passports *pp = e == CLID_OK ? clid_oob_grant_passports(g) : NULL;
    if (e == CLID_OK) {
        size_t n = clid_oob_passports_count(pp);
        const char *v[CLID_OOB_MAX_PASSPORTS];
        for (size_t i = 0; i < n && i < CLID_OOB_MAX_PASSPORTS; i++)
            v[i] = clid_oob_passports_get(pp, i);
        if (cps_key_record(key, sizeof key, clid_oob_grant_dest(g), clid_oob_grant_orig(g)) != 0)
            e = CLID_ERR_BAD_TN;
        else
            e = o->store->ops->put(o->store, key, now, clid_oob_grant_exp(g),
                                   clid_oob_grant_spc(g), v,
                                   n < CLID_OOB_MAX_PASSPORTS ? n : CLID_OOB_MAX_PASSPORTS);
    }
    if (e != CLID_OK) {
        if (e == CLID_ERR_OOB_STORE_UNAVAILABLE || e == CLID_ERR_OOB_STORE_FULL)
            atomic_fetch_add(&o->store_errors, 1);
        reject(out, e, g);
        clid_oob_grant_free(g);
        return;
    }
    atomic_fetch_add(republish ? &o->republishes_in : &o->publishes, 1);
    /* A republish is never forwarded again (no loops in the mesh). */
    if (!republish && o->npeers > 0)
        cps_mesh_enqueue(o, clid_oob_grant_dest(g), clid_oob_grant_orig(g),
                         clid_oob_grant_spc(g), clid_oob_grant_exp(g), pp);
    clid_oob_grant_free(g);
    out->status = 201;
    out->reason = clid_err_name(CLID_OK);
    out->body = json_object();
}

static void retrieve(serve_server *s, serve_snap *snap, const char *dest, const char *orig,
                     const char *authz, serve_oob_reply *out)
{
    serve_oob *o = &s->oob;
    clid_oob_grant *g = NULL;
    clid_err e = clid_oob_grant_new(&g);
    if (e != CLID_OK) {
        reject(out, e, NULL);
        return;
    }
    clid_oob_check_opts co = {.aud = s->cfg->oob.aud, .max_passports = 0};
    clid_oob_request rq = {.action = CLID_OOB_RETRIEVE, .dest = dest, .orig = orig,
                           .authorization = authz, .body = NULL, .body_len = 0, .now = 0};
    e = clid_oob_check_request(serve_state_verifier(snap->st), &co, &rq, g);
    int64_t now = (int64_t)time(NULL);
    char key[CLID_OOB_ID_BUF * 2 + 8];
    if (e == CLID_OK) {
        unsigned fresh = s->cfg->st.max_age ? s->cfg->st.max_age : 60;
        if (cps_key_jti(key, sizeof key, clid_oob_grant_iss(g), clid_oob_grant_jti(g)) != 0)
            e = CLID_ERR_OOB_TOKEN_PARSE;
        else
            e = o->store->ops->claim(o->store, key, now,
                                     clid_oob_grant_exp(g) - now + (int64_t)fresh);
    }
    char **v = NULL;
    size_t n = 0;
    if (e == CLID_OK) {
        if (cps_key_record(key, sizeof key, clid_oob_grant_dest(g), clid_oob_grant_orig(g)) != 0)
            e = CLID_ERR_BAD_TN;
        else
            e = o->store->ops->get(o->store, key, now, clid_oob_grant_iss(g),
                                   CLID_OOB_MAX_PASSPORTS, &v, &n);
    }
    if (e != CLID_OK) {
        if (e == CLID_ERR_OOB_STORE_UNAVAILABLE || e == CLID_ERR_OOB_STORE_FULL)
            atomic_fetch_add(&o->store_errors, 1);
        reject(out, e, g);
        clid_oob_grant_free(g);
        return;
    }
    clid_oob_grant_free(g);
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    cps_strings_free(v, n);
    atomic_fetch_add(&o->retrieves, 1);
    out->body = a ? json_pack("{s:o}", "passports", a) : NULL;
    if (out->body == NULL) {
        serve_oob_error(out, 500, CLID_ERR_NOMEM, NULL);
        return;
    }
    out->status = 200;
    out->reason = clid_err_name(CLID_OK);
}

void serve_cps_passports(serve_server *s, serve_snap *snap, int is_publish, const char *url,
                         const char *authorization, const char *body, size_t len,
                         serve_oob_reply *out)
{
    char dest[CPS_SEG_MAX], orig[CPS_SEG_MAX];
    memset(out, 0, sizeof *out);
    if (split_path(url, dest, orig) != 0) {
        serve_oob_error(out, 404, CLID_ERR_OOB_NOT_FOUND, "expected /passports/{DEST}/{ORIG}");
        return;
    }
    if (is_publish)
        publish(s, snap, dest, orig, authorization, body, len, out);
    else
        retrieve(s, snap, dest, orig, authorization, out);
}

void serve_cps_health(serve_server *s, serve_oob_reply *out)
{
    memset(out, 0, sizeof *out);
    cps_store *st = s->oob.store;
    int ok = st != NULL && st->ops->healthy(st) && !atomic_load(&s->stopping);
    out->status = ok ? 200 : 503;
    out->body = json_pack("{s:s,s:s}", "status", ok ? "ok" : "degraded", "store",
                          st ? st->name : "none");
    out->reason = ok ? clid_err_name(CLID_OK) : clid_err_name(CLID_ERR_OOB_STORE_UNAVAILABLE);
}
