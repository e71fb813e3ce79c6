/*
 * Target "clid": clid's own verifier, in process, through the public API
 * (clid_sip.h) on each case's invite.sip, configured as an event's
 * verifier would be: the suite's trust anchors, CRLs and STI-PA CRL
 * signers, PASSporT types shaken and div (RFC 8588, RFC 8946), CRLs
 * fetched from the suite's server, verification time = the case's
 * call.at.
 *
 * Two fetchers: URLs under the suite's base URL go to one that may reach
 * loopback and trusts the suite's TLS CA (the event's own x5u host); every
 * other URL goes to one with the library's default policy (https only, no
 * private or loopback address), so the catalogue's "x5u on a private
 * address" cases meet the policy a deployed verifier has. A fresh context,
 * verifier and fetchers per case: no case sees another's cache.
 */
#include <stdlib.h>
#include <string.h>

#include <clid/clid_fetch.h>
#include <clid/clid_sip.h>

#include "conform/run.h"
#include "util.h"

typedef struct route {
    const char *base; /* the suite's base URL */
    clid_fetcher *suite, *world;
} route;

/* Does url lie under base at a path boundary? */
static int under(const char *url, const char *base)
{
    size_t n = strlen(base);
    if (n == 0 || strncmp(url, base, n) != 0)
        return 0;
    return base[n - 1] == '/' || url[n] == '/' || url[n] == '\0';
}

static clid_err fetch_x5u(void *arg, const char *url, uint8_t *buf, size_t cap, size_t *len,
                          int64_t *max_age_s)
{
    route *r = arg;
    return clid_fetcher_fetch(under(url, r->base) ? r->suite : r->world, url, buf, cap, len,
                              max_age_s);
}

static clid_err fetch_crl(void *arg, const char *url, uint8_t *buf, size_t cap, size_t *len,
                          int64_t *max_age_s)
{
    route *r = arg;
    return clid_fetcher_fetch_crl(under(url, r->base) ? r->suite : r->world, url, buf, cap, len,
                                  max_age_s);
}

/* Adds each path of suite.json's member `key` (a string or an array). */
static clid_err add_files(clid_ctx *ctx, const conform_suite *s, const char *key,
                          clid_err (*add)(clid_ctx *, const char *), char *err, size_t cap)
{
    json_t *v = json_object_get(s->json, key);
    json_t *one = json_is_string(v) ? v : NULL;
    size_t n = one ? 1 : json_is_array(v) ? json_array_size(v) : 0;
    for (size_t i = 0; i < n; i++) {
        const char *rel = json_string_value(one ? one : json_array_get(v, i));
        if (rel == NULL)
            continue;
        char *p = conform_suite_path(s, rel);
        clid_err e = p ? add(ctx, p) : CLID_ERR_NOMEM;
        if (e != CLID_OK) {
            conform_fmt(err, cap, "suite.json %s '%s': %s", key, rel, clid_err_name(e));
            free(p);
            return e;
        }
        free(p);
    }
    return CLID_OK;
}

static int64_t case_at(const conform_case *c)
{
    json_t *call = json_object_get(c->json, "call");
    json_t *at = json_object_get(call, "at");
    return json_is_integer(at) ? (int64_t)json_integer_value(at) : 0;
}

static int clid_open(conform_target *t, const conform_suite *s, const conform_run_opts *o)
{
    (void)t;
    (void)s;
    (void)o;
    return 0;
}

static void clid_close(conform_target *t)
{
    (void)t;
}

/* Configures ctx for the suite; CLID_OK or the error, described in err. */
static clid_err setup(clid_ctx *ctx, const conform_suite *s, route *r, char *err, size_t cap)
{
    clid_err e;
    const char *tls_ca = conform_json_str(s->json, "tls_ca");
    char *ca = tls_ca ? conform_suite_path(s, tls_ca) : NULL;
    if ((e = add_files(ctx, s, "trust", clid_ctx_add_trust_file, err, cap)) != CLID_OK ||
        (e = add_files(ctx, s, "crls", clid_ctx_add_crl_file, err, cap)) != CLID_OK ||
        (e = add_files(ctx, s, "crl_signers", clid_ctx_add_crl_signer_file, err, cap)) !=
            CLID_OK)
        goto out;
    if ((e = clid_ctx_accept_ppt(ctx, "shaken")) != CLID_OK ||
        (e = clid_ctx_accept_ppt(ctx, "div")) != CLID_OK) {
        conform_fmt(err, cap, "accept ppt: %s", clid_err_name(e));
        goto out;
    }
    if ((e = clid_fetcher_new(&r->suite)) != CLID_OK ||
        (e = clid_fetcher_new(&r->world)) != CLID_OK ||
        (e = clid_fetcher_allow_private(r->suite, 1)) != CLID_OK ||
        (ca != NULL && (e = clid_fetcher_set_ca_file(r->suite, ca)) != CLID_OK) ||
        (e = clid_fetcher_set_negative_ttl(r->suite, 0)) != CLID_OK ||
        (e = clid_ctx_set_fetcher(ctx, fetch_x5u, r)) != CLID_OK ||
        (e = clid_ctx_set_crl_fetcher(ctx, fetch_crl, r)) != CLID_OK ||
        (r->base[0] != '\0' && (e = clid_ctx_add_crl_url_prefix(ctx, r->base)) != CLID_OK)) {
        conform_fmt(err, cap, "fetcher (tls_ca %s): %s", tls_ca ? tls_ca : "none",
                    clid_err_name(e));
        goto out;
    }
out:
    free(ca);
    return e;
}

static void clid_ask(conform_target *t, const conform_suite *s, const conform_case *c,
                     const conform_run_opts *o, conform_obs *obs)
{
    (void)t;
    (void)o;
    route r = {conform_json_str(s->json, "base_url"), NULL, NULL};
    if (r.base == NULL)
        r.base = "";
    clid_ctx *ctx = NULL;
    clid_verifier *v = NULL;
    clid_result *res = NULL;
    uint8_t *msg = NULL;
    size_t len = 0;
    size_t n = strlen(c->dir) + 16;
    char *path = malloc(n);
    if (path == NULL || clid_ctx_new(&ctx) != CLID_OK || clid_result_new(&res) != CLID_OK) {
        obs->error = 1;
        conform_fmt(obs->detail, sizeof obs->detail, "out of memory");
        goto out;
    }
    snprintf(path, n, "%s/invite.sip", c->dir);
    if (tool_read_file(path, CLID_SIP_MAX_LEN + 1, &msg, &len) != TOOL_EXIT_OK) {
        obs->error = 1;
        conform_fmt(obs->detail, sizeof obs->detail, "cannot read %s", path);
        goto out;
    }
    if (setup(ctx, s, &r, obs->detail, sizeof obs->detail) != CLID_OK ||
        clid_verifier_new(ctx, &v) != CLID_OK) {
        obs->error = 1;
        goto out;
    }
    clid_sip_verify_opts so = {.now = case_at(c)};
    clid_err verdict = clid_sip_verify(v, &so, (const char *)msg, len, res);
    (void)verdict; /* the result holds it, with the rest */
    conform_fmt(obs->verstat, sizeof obs->verstat, "%s",
                clid_verstat_str(clid_result_verstat(res)));
    obs->sip = clid_result_sip_status(res);
    conform_fmt(obs->reason, sizeof obs->reason, "%s", clid_err_name(clid_result_reason(res)));
    conform_fmt(obs->detail, sizeof obs->detail, "%s", clid_result_detail(res));
out:
    free(path);
    free(msg);
    clid_verifier_free(v);
    clid_result_free(res);
    clid_ctx_free(ctx);
    clid_fetcher_free(r.suite);
    clid_fetcher_free(r.world);
}

const conform_adapter conform_adapter_clid = {clid_open, clid_ask, clid_close};
