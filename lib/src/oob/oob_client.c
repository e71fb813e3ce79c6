/*
 * The CPS client (clid_oob.h): publish and retrieve over libcurl under a
 * clid_fetcher's URL and address policy (fetch_http.c), and the
 * verification of what was retrieved, PASSporT by PASSporT, exactly as
 * Identity headers (RFC 9888: the retriever verifies; the CPS does not).
 *
 * Wire (docs/oob.md; the shape of the public ATIS-1000096 §7 samples):
 *   POST {base}passports/{DEST}/{ORIG}  {"passports":[...]}  -> 201
 *   GET  {base}passports/{DEST}/{ORIG}                       -> 200 body, 404
 * with "Authorization: Bearer <token>" (clid_oob_token_sign).
 *
 * Errors: a status other than the expected one is CLID_ERR_OOB_CPS_STATUS
 * (404 on retrieve: CLID_ERR_OOB_NOT_FOUND); a transfer that did not get a
 * status (connection refused, TLS, timeout) is CLID_ERR_OOB_CPS_UNREACHABLE;
 * a CPS name that resolves to an address the policy refuses stays
 * CLID_ERR_X5U_URL_POLICY (a configuration error, not an outage); a 200
 * whose body exceeds CLID_OOB_MAX_BODY is CLID_ERR_OOB_BODY_PARSE, like any
 * body clid_oob_passports_parse refuses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <clid/clid_oob.h>

#include "core/internal.h"
#include "fetch/fetch_internal.h"
#include "oob/oob_client_internal.h"
#include "verify/result_internal.h"

#define DEFAULT_TIMEOUT_MS 1000
#define TIMEOUT_LIMIT_MS 600000u
#define DEFAULT_RETENTION CLID_OOB_MAX_RETENTION
#define BEARER "Authorization: Bearer "
/* "passports/" + DEST + "/" + ORIG */
#define PATH_MAX_LEN (10 + 2 * (CLID_TN_BUF - 1) + 1)

struct clid_oob_client {
    clid__fetch_cfg cfg; /* a copy of the policy's: see clid__fetcher_cfg_copy */
    char *base;          /* the CPS URL, ending with '/' */
    char aud[CLID_OOB_ID_BUF];
    unsigned timeout_ms;
};

/* ------------------------------------------------------------------------ */
/* Configuration                                                             */
/* ------------------------------------------------------------------------ */

/* An id of the token (aud): 1..128 printable ASCII. */
static int id_ok(const char *s)
{
    size_t n = strnlen(s, CLID_OOB_ID_BUF);
    return n >= 1 && n < CLID_OOB_ID_BUF && clid__is_printable_ascii(s, n);
}

clid_err clid_oob_client_new(const clid_fetcher *policy, const char *cps_url,
                             clid_oob_client **out)
{
    CLID_ENSURE(out != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out = NULL;
    CLID_ENSURE(policy != NULL && cps_url != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_TRY(clid_fetcher_check_url(policy, cps_url));
    clid__url u;
    CLID_TRY(clid__url_parse(cps_url, &u));
    /* The client appends the path: a query or fragment in the base would
     * swallow it. */
    CLID_ENSURE(!u.has_query && !u.has_fragment, CLID_ERR_X5U_URL_POLICY);
    size_t n = strlen(cps_url);
    CLID_ENSURE(n + 1 + PATH_MAX_LEN <= CLID__URL_MAX, CLID_ERR_X5U_URL_POLICY);
    /* The default audience is the host: it must be a token id. */
    size_t host_len = strlen(u.host);
    CLID_ENSURE(host_len < CLID_OOB_ID_BUF, CLID_ERR_INVALID_ARGUMENT);

    clid_oob_client *c = calloc(1, sizeof *c);
    CLID_ENSURE(c != NULL, CLID_ERR_NOMEM);
    c->timeout_ms = DEFAULT_TIMEOUT_MS;
    c->base = malloc(n + 2);
    clid_err rc = c->base == NULL ? CLID_ERR_NOMEM : clid__fetcher_cfg_copy(policy, &c->cfg);
    if (rc != CLID_OK) {
        free(c->base);
        free(c);
        return rc;
    }
    memcpy(c->base, cps_url, n + 1);
    /* "https://cps.example.net" and "https://cps.example.net/oob" are
     * directories: the path goes after a '/'. */
    if (n == 0 || cps_url[n - 1] != '/')
        memcpy(c->base + n, "/", 2);
    /* The default audience is the host (the public samples use the CPS
     * host name; a CPS configured with another name needs set_aud). */
    memcpy(c->aud, u.host, host_len + 1);
    *out = c;
    return CLID_OK;
}

void clid_oob_client_free(clid_oob_client *c)
{
    if (c == NULL)
        return;
    clid__fetch_cfg_release(&c->cfg);
    free(c->base);
    free(c);
}

clid_err clid_oob_client_set_aud(clid_oob_client *c, const char *aud)
{
    CLID_ENSURE(c != NULL && aud != NULL && id_ok(aud), CLID_ERR_INVALID_ARGUMENT);
    snprintf(c->aud, sizeof c->aud, "%s", aud);
    return CLID_OK;
}

clid_err clid_oob_client_set_timeout_ms(clid_oob_client *c, unsigned ms)
{
    CLID_ENSURE(c != NULL && ms >= 1 && ms <= TIMEOUT_LIMIT_MS, CLID_ERR_INVALID_ARGUMENT);
    c->timeout_ms = ms;
    return CLID_OK;
}

unsigned clid__oob_client_timeout(const clid_oob_client *c)
{
    return c->timeout_ms;
}

/* ------------------------------------------------------------------------ */
/* Requests                                                                  */
/* ------------------------------------------------------------------------ */

/* A path number: canonical (clid_tn_canonicalize) and digits only, the
 * form the CPS keys records by (docs/oob.md), so '#' or '*' never reach a
 * URL. */
static clid_err path_tn(const char *in, char out[CLID_TN_BUF])
{
    CLID_ENSURE(in != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_TRY(clid_tn_canonicalize(in, out));
    CLID_ENSURE(clid__all_digits(out, strlen(out)), CLID_ERR_BAD_TN);
    return CLID_OK;
}

static void make_url(const clid_oob_client *c, const char *dest, const char *orig, char *url,
                     size_t cap)
{
    snprintf(url, cap, "%spassports/%s/%s", c->base, dest, orig);
}

/* A transfer error as the client reports it (top of file). */
static clid_err transfer_error(clid_err e)
{
    switch (e) {
    case CLID_ERR_X5U_URL_POLICY:
    case CLID_ERR_NOMEM:
    case CLID_ERR_INTERNAL:
    case CLID_ERR_INVALID_ARGUMENT:
        return e;
    default:
        return CLID_ERR_OOB_CPS_UNREACHABLE;
    }
}

/* Sends one request with the bearer token; resp is the caller's. */
static clid_err send_request(clid_oob_client *c, const char *method, const char *url,
                             const char *token, size_t token_len, const char *body,
                             size_t body_len, unsigned timeout_ms, clid__http_resp *resp)
{
    char *auth = malloc(sizeof BEARER + token_len);
    CLID_ENSURE(auth != NULL, CLID_ERR_NOMEM);
    memcpy(auth, BEARER, sizeof BEARER - 1);
    memcpy(auth + sizeof BEARER - 1, token, token_len + 1);
    const char *hdrs[3] = {auth, "Accept: application/json", "Content-Type: application/json"};
    clid__http_req rq = {.method = method, .url = url, .headers = hdrs,
                         .n_headers = body != NULL ? 3 : 2, .body = body, .body_len = body_len,
                         .total_ms = timeout_ms, .max_body = CLID_OOB_MAX_BODY};
    clid_err rc = clid__http_run(&c->cfg, &rq, resp);
    free(auth);
    return rc == CLID_OK ? CLID_OK : transfer_error(rc);
}

clid_err clid__oob_publish_ms(clid_oob_client *c, const clid_signer *s,
                              const clid_oob_publish_opts *o, unsigned timeout_ms,
                              int *http_status)
{
    if (http_status != NULL)
        *http_status = 0;
    CLID_ENSURE(c != NULL && s != NULL && o != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(timeout_ms >= 1 && timeout_ms <= TIMEOUT_LIMIT_MS, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(o->passports != NULL && o->passport_count >= 1 &&
                    o->passport_count <= CLID_OOB_MAX_PASSPORTS,
                CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(o->retention <= CLID_OOB_MAX_RETENTION, CLID_ERR_INVALID_ARGUMENT);
    char orig[CLID_TN_BUF], dest[CLID_TN_BUF];
    CLID_TRY(path_tn(o->orig, orig));
    CLID_TRY(path_tn(o->dest, dest));

    char *body = malloc(CLID_OOB_MAX_BODY + 1);
    char *token = malloc(CLID_OOB_MAX_TOKEN);
    clid_err rc = body != NULL && token != NULL ? CLID_OK : CLID_ERR_NOMEM;
    size_t body_len = 0, token_len = 0;
    if (rc == CLID_OK)
        rc = clid_oob_body_build(o->passports, o->passport_count, body, CLID_OOB_MAX_BODY + 1,
                                 &body_len);
    if (rc == CLID_ERR_BUFFER_TOO_SMALL)
        rc = CLID_ERR_OOB_TOO_MANY_PASSPORTS; /* more than a CPS takes (clid_oob.h limits) */
    if (rc == CLID_OK) {
        /* The token's retention is its lifetime: the CPS deletes the
         * record at exp (ATIS-1000105, at most 60 s). */
        clid_oob_token_params p = {
            .action = o->republish ? CLID_OOB_REPUBLISH : CLID_OOB_PUBLISH,
            .aud = c->aud, .spc = o->spc, .orig = orig, .dest = dest,
            .passports = o->passports, .passport_count = o->passport_count,
            .ttl = o->retention != 0 ? o->retention : DEFAULT_RETENTION};
        rc = clid_oob_token_sign(s, &p, token, CLID_OOB_MAX_TOKEN, &token_len);
    }
    clid__http_resp resp = {0};
    if (rc == CLID_OK) {
        char url[CLID__URL_MAX + 1];
        make_url(c, dest, orig, url, sizeof url);
        rc = send_request(c, "POST", url, token, token_len, body, body_len, timeout_ms, &resp);
    }
    if (rc == CLID_OK) {
        if (http_status != NULL)
            *http_status = (int)resp.status;
        rc = resp.status == 201 ? CLID_OK : CLID_ERR_OOB_CPS_STATUS;
    }
    clid__http_resp_free(&resp);
    free(body);
    free(token);
    return rc;
}

clid_err clid_oob_publish(clid_oob_client *c, const clid_signer *token_signer,
                          const clid_oob_publish_opts *o, int *http_status)
{
    CLID_ENSURE(c != NULL, CLID_ERR_INVALID_ARGUMENT);
    return clid__oob_publish_ms(c, token_signer, o, c->timeout_ms, http_status);
}

clid_err clid__oob_retrieve_ms(clid_oob_client *c, const clid_signer *s, const char *orig_in,
                               const char *dest_in, unsigned timeout_ms,
                               clid_oob_passports **out, int *http_status)
{
    if (http_status != NULL)
        *http_status = 0;
    CLID_ENSURE(out != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out = NULL;
    CLID_ENSURE(c != NULL && s != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(timeout_ms >= 1 && timeout_ms <= TIMEOUT_LIMIT_MS, CLID_ERR_INVALID_ARGUMENT);
    char orig[CLID_TN_BUF], dest[CLID_TN_BUF];
    CLID_TRY(path_tn(orig_in, orig));
    CLID_TRY(path_tn(dest_in, dest));

    char *token = malloc(CLID_OOB_MAX_TOKEN);
    CLID_ENSURE(token != NULL, CLID_ERR_NOMEM);
    size_t token_len = 0;
    clid_oob_token_params p = {.action = CLID_OOB_RETRIEVE, .aud = c->aud, .orig = orig,
                               .dest = dest};
    clid_err rc = clid_oob_token_sign(s, &p, token, CLID_OOB_MAX_TOKEN, &token_len);
    clid__http_resp resp = {0};
    if (rc == CLID_OK) {
        char url[CLID__URL_MAX + 1];
        make_url(c, dest, orig, url, sizeof url);
        rc = send_request(c, "GET", url, token, token_len, NULL, 0, timeout_ms, &resp);
    }
    free(token);
    if (rc == CLID_OK) {
        if (http_status != NULL)
            *http_status = (int)resp.status;
        if (resp.status == 404)
            rc = CLID_ERR_OOB_NOT_FOUND;
        else if (resp.status != 200)
            rc = CLID_ERR_OOB_CPS_STATUS;
        else if (resp.too_large || resp.body == NULL)
            rc = CLID_ERR_OOB_BODY_PARSE;
        else
            rc = clid_oob_passports_parse((const char *)resp.body, resp.len, out);
    }
    clid__http_resp_free(&resp);
    return rc;
}

clid_err clid_oob_retrieve(clid_oob_client *c, const clid_signer *token_signer,
                           const char *orig, const char *dest, clid_oob_passports **out,
                           int *http_status)
{
    if (c == NULL) {
        if (out != NULL)
            *out = NULL;
        return CLID_ERR_INVALID_ARGUMENT;
    }
    return clid__oob_retrieve_ms(c, token_signer, orig, dest, c->timeout_ms, out, http_status);
}

/* ------------------------------------------------------------------------ */
/* Verification of what was retrieved                                        */
/* ------------------------------------------------------------------------ */

/* One PASSporT as an Identity header value, verified against the call. */
static clid_err verify_one(clid_verifier *v, const char *passport, const char *orig,
                           const char *dest, int64_t now, clid_result *r)
{
    char *identity = malloc(CLID_IDENTITY_MAX_LEN);
    CLID_ENSURE(identity != NULL, CLID_ERR_NOMEM);
    size_t n = 0;
    clid_err rc = clid_oob_passport_identity(passport, identity, CLID_IDENTITY_MAX_LEN, &n);
    if (rc == CLID_OK) {
        clid_verify_input in;
        memset(&in, 0, sizeof in);
        in.identity = identity;
        in.orig = orig;
        in.dest = dest;
        in.now = now;
        rc = clid_verify_identity(v, &in, r);
    } else {
        clid__result_set_detail(r, "retrieved PASSporT has no usable header (x5u, ppt)");
    }
    r->reason = rc;
    free(identity);
    return rc;
}

clid_err clid_oob_verify_passports(clid_verifier *v, const clid_oob_passports *p,
                                   const char *orig, const char *dest, int64_t now,
                                   clid_result *res, size_t *best)
{
    CLID_ENSURE(v != NULL && p != NULL && orig != NULL && dest != NULL,
                CLID_ERR_INVALID_ARGUMENT);
    clid_result local;
    memset(&local, 0, sizeof local);
    clid_result *r = res != NULL ? res : &local;
    clid_result_reset(r);
    size_t n = clid_oob_passports_count(p);
    clid_err decided = CLID_ERR_OOB_NOT_FOUND;
    r->reason = decided;
    size_t chosen = 0;
    /* RFC 8224 §6.2 (as for several Identity headers): a verifier may act
     * on any valid one; the first that passes decides, else the first
     * failure, so a later bad PASSporT cannot hide a good one. */
    for (size_t i = 0; i < n; i++) {
        clid_result other;
        memset(&other, 0, sizeof other);
        clid_err rc = verify_one(v, clid_oob_passports_get(p, i), orig, dest, now, &other);
        if (i > 0 && rc != CLID_OK) {
            clid_result_reset(&other);
            continue;
        }
        clid_result_reset(r);
        *r = other; /* takes over its references */
        decided = rc;
        chosen = i;
        if (rc == CLID_OK)
            break;
    }
    if (best != NULL)
        *best = chosen;
    if (r == &local)
        clid_result_reset(&local);
    return decided;
}
