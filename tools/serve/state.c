/*
 * clid serve: the snapshot (state.h). Everything a request uses is built
 * here, once, from configuration values, then only read: the clid_ctx, the
 * fetcher and the signer are "configured by one thread and then only read"
 * (clid.h, Thread safety), and the ONE clid_verifier is shared by every
 * request thread ("safe to share (its cache locks internally)"), so all
 * threads warm and use one certificate cache.
 */
#include "serve/state.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <clid/clid_fetch.h>
#include <clid/clid_lint.h>

struct serve_state {
    atomic_size_t refs;
    clid_ctx *ctx;
    clid_fetcher *fetcher; /* NULL: no x5u or CRL retrieval */
    clid_verifier *verifier;
    clid_signer *signer; /* NULL: cannot sign */
    char *chain_pem;     /* the signer's chain as read from sign_cert */
    size_t chain_len;
    char *x5u_path;
    size_t ntrust_loaded;
};

static int fail(char *err, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t cap, const char *fmt, ...)
{
    if (err && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, cap, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* "KEY: PATH: CLID_ERR_X: text" */
static int fail_clid(char *err, size_t cap, const char *key, const char *path, clid_err e)
{
    if (path)
        return fail(err, cap, "%s: %s: %s: %s", key, path, clid_err_name(e), clid_err_str(e));
    return fail(err, cap, "%s: %s: %s", key, clid_err_name(e), clid_err_str(e));
}

/* Reads a whole file of at most `max` bytes, NUL-terminated. */
static int read_small_file(const char *path, size_t max, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    char *buf = malloc(max + 2);
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    int bad = !buf || ferror(f) || n > max;
    fclose(f);
    if (bad) {
        free(buf);
        return -1;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

/* The path of an http(s) URL: from the first '/' after "scheme://host" to
 * the query or fragment; "/" when there is none. */
static char *url_path(const char *url)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    p = p + strcspn(p, "/?#");
    if (*p != '/')
        return strdup("/");
    return strndup(p, strcspn(p, "?#"));
}

static int load_trust(clid_ctx *ctx, const serve_state_cfg *c, char *err, size_t cap)
{
    for (size_t i = 0; i < c->ntrust; i++) {
        char key[48];
        snprintf(key, sizeof key, "verify.trust[%zu]", i);
        struct stat st;
        if (!c->trust[i] || stat(c->trust[i], &st) != 0)
            return fail(err, cap, "%s: %s: cannot be read", key, c->trust[i] ? c->trust[i] : "(null)");
        clid_err e = S_ISDIR(st.st_mode) ? clid_ctx_add_trust_dir(ctx, c->trust[i])
                                         : clid_ctx_add_trust_file(ctx, c->trust[i]);
        if (e != CLID_OK)
            return fail_clid(err, cap, key, c->trust[i], e);
    }
    for (size_t i = 0; i < c->ncrl; i++) {
        char key[48];
        snprintf(key, sizeof key, "verify.crl[%zu]", i);
        clid_err e = c->crl[i] ? clid_ctx_add_crl_file(ctx, c->crl[i]) : CLID_ERR_INVALID_ARGUMENT;
        if (e != CLID_OK)
            return fail_clid(err, cap, key, c->crl[i], e);
    }
    for (size_t i = 0; i < c->ncrl_signer; i++) {
        char key[48];
        snprintf(key, sizeof key, "verify.crl_signer[%zu]", i);
        clid_err e = c->crl_signer[i] ? clid_ctx_add_crl_signer_file(ctx, c->crl_signer[i])
                                      : CLID_ERR_INVALID_ARGUMENT;
        if (e != CLID_OK)
            return fail_clid(err, cap, key, c->crl_signer[i], e);
    }
    return 0;
}

static int set_policy(clid_ctx *ctx, const serve_state_cfg *c, clid_clock_fn clock, void *arg,
                      char *err, size_t cap)
{
    clid_err e;
    if (c->crl_policy) {
        /* The spelling of clid verify --crl-policy. */
        clid_crl_policy p;
        if (strcmp(c->crl_policy, "if-present") == 0)
            p = CLID_CRL_IF_PRESENT;
        else if (strcmp(c->crl_policy, "required") == 0)
            p = CLID_CRL_REQUIRED;
        else if (strcmp(c->crl_policy, "ignore") == 0)
            p = CLID_CRL_IGNORE;
        else
            return fail(err, cap, "verify.crl_policy: must be if-present, required or ignore");
        if ((e = clid_ctx_set_crl_policy(ctx, p)) != CLID_OK)
            return fail_clid(err, cap, "verify.crl_policy", NULL, e);
    }
    if ((e = clid_ctx_set_strict(ctx, c->strict ? 1 : 0)) != CLID_OK)
        return fail_clid(err, cap, "verify.strict", NULL, e);
    if (c->cert_profile) {
        clid_cert_profile p = CLID_CERT_PROFILE_NONE;
        if (clid_cert_profile_from_name(c->cert_profile, &p) != CLID_OK)
            return fail(err, cap, "verify.cert_profile: must be none, shaken or q3063");
        if ((e = clid_ctx_set_cert_profile(ctx, p)) != CLID_OK)
            return fail_clid(err, cap, "verify.cert_profile", NULL, e);
    }
    if (c->max_age) {
        e = clid_ctx_set_freshness(ctx, c->max_age, CLID_DEFAULT_MAX_SKEW);
        if (e != CLID_OK)
            return fail_clid(err, cap, "verify.max_age", NULL, e);
    }
    for (size_t i = 0; i < 4 && c->ppt_accept[i]; i++) {
        if ((e = clid_ctx_accept_ppt(ctx, c->ppt_accept[i])) != CLID_OK) {
            char key[48];
            snprintf(key, sizeof key, "verify.ppt_accept[%zu]", i);
            return fail_clid(err, cap, key, NULL, e);
        }
    }
    for (size_t i = 0; i < c->nx5u_map; i++) {
        char key[48];
        snprintf(key, sizeof key, "verify.x5u_map[%zu]", i);
        /* URL=FILE split at the last '=' (URLs may have '=' in a query), as
         * clid verify --x5u-map. */
        const char *m = c->x5u_map[i];
        const char *eq = m ? strrchr(m, '=') : NULL;
        if (!eq || eq == m || eq[1] == '\0')
            return fail(err, cap, "%s: wants URL=FILE", key);
        char *url = strndup(m, (size_t)(eq - m));
        if (!url)
            return fail(err, cap, "%s: out of memory", key);
        e = clid_ctx_add_x5u_file(ctx, url, eq + 1);
        free(url);
        if (e != CLID_OK)
            return fail_clid(err, cap, key, eq + 1, e);
    }
    if (clock && (e = clid_ctx_set_clock(ctx, clock, arg)) != CLID_OK)
        return fail_clid(err, cap, "clock", NULL, e);
    return 0;
}

static int make_fetcher(serve_state *s, const serve_state_cfg *c, clid_clock_fn clock,
                        void *arg, char *err, size_t cap)
{
    if (!c->x5u_fetch && !c->crl_fetch)
        return 0;
    clid_err e = clid_fetcher_new(&s->fetcher);
    if (e != CLID_OK)
        return fail_clid(err, cap, "verify.x5u_fetch", NULL, e);
    if ((e = clid_fetcher_allow_http(s->fetcher, c->allow_http ? 1 : 0)) != CLID_OK)
        return fail_clid(err, cap, "verify.allow_http", NULL, e);
    if ((e = clid_fetcher_allow_private(s->fetcher, c->allow_private ? 1 : 0)) != CLID_OK)
        return fail_clid(err, cap, "verify.allow_private", NULL, e);
    if (c->fetch_timeout_ms &&
        (e = clid_fetcher_set_timeouts(s->fetcher, c->fetch_timeout_ms, c->fetch_timeout_ms)) !=
            CLID_OK)
        return fail_clid(err, cap, "verify.fetch_timeout_ms", NULL, e);
    if (c->x5u_ca && (e = clid_fetcher_set_ca_file(s->fetcher, c->x5u_ca)) != CLID_OK)
        return fail_clid(err, cap, "verify.x5u_ca", c->x5u_ca, e);
    if (c->cache_dir && (e = clid_fetcher_set_cache_dir(s->fetcher, c->cache_dir)) != CLID_OK)
        return fail_clid(err, cap, "verify.cache_dir", c->cache_dir, e);
    if (clock && (e = clid_fetcher_set_clock(s->fetcher, clock, arg)) != CLID_OK)
        return fail_clid(err, cap, "clock", NULL, e);
    if (c->x5u_fetch && (e = clid_ctx_set_fetcher(s->ctx, clid_fetcher_fetch, s->fetcher)) != CLID_OK)
        return fail_clid(err, cap, "verify.x5u_fetch", NULL, e);
    /* Rich Call Data content (jcl, icn; RFC 9795) is fetched like x5u: the
     * same URL and address policy and cache (docs/rcd.md). */
    if (c->x5u_fetch &&
        (e = clid_ctx_set_rcd_fetcher(s->ctx, clid_fetcher_fetch_rcd, s->fetcher)) != CLID_OK)
        return fail_clid(err, cap, "verify.x5u_fetch", NULL, e);
    if (c->crl_fetch) {
        if ((e = clid_ctx_set_crl_fetcher(s->ctx, clid_fetcher_fetch_crl, s->fetcher)) != CLID_OK)
            return fail_clid(err, cap, "verify.crl_fetch", NULL, e);
        /* None given: any https URL, as clid verify --crl-fetch. */
        size_t n = c->ncrl_url_allow ? c->ncrl_url_allow : 1;
        for (size_t i = 0; i < n; i++) {
            const char *p = c->ncrl_url_allow ? c->crl_url_allow[i] : "https://";
            if (!p || (e = clid_ctx_add_crl_url_prefix(s->ctx, p)) != CLID_OK) {
                char key[48];
                snprintf(key, sizeof key, "verify.crl_url_allow[%zu]", i);
                return fail_clid(err, cap, key, NULL, p ? e : CLID_ERR_INVALID_ARGUMENT);
            }
        }
    }
    return 0;
}

static int make_signer(serve_state *s, const serve_state_cfg *c, clid_clock_fn clock, void *arg,
                       char *err, size_t cap)
{
    if (!c->sign_key && !c->sign_cert && !c->sign_x5u)
        return 0;
    /* All three or none: an Identity whose x5u does not serve the key's
     * certificate fails every verifier (436/437), so it is refused here. */
    if (!c->sign_key)
        return fail(err, cap, "sign.key: missing (sign.cert and sign.x5u need it)");
    if (!c->sign_cert)
        return fail(err, cap, "sign.cert: missing (the chain served at sign.x5u)");
    if (!c->sign_x5u)
        return fail(err, cap, "sign.x5u: missing (the URL put in every Identity)");
    clid_err e = clid_signer_new(&s->signer);
    if (e != CLID_OK)
        return fail_clid(err, cap, "sign", NULL, e);
    if ((e = clid_signer_set_key_file(s->signer, c->sign_key)) != CLID_OK)
        return fail_clid(err, cap, "sign.key", c->sign_key, e);
    if (read_small_file(c->sign_cert, CLID_CHAIN_MAX_LEN, &s->chain_pem, &s->chain_len) != 0)
        return fail(err, cap, "sign.cert: %s: cannot be read, or larger than %u bytes",
                    c->sign_cert, (unsigned)CLID_CHAIN_MAX_LEN);
    if ((e = clid_signer_set_cert_pem(s->signer, s->chain_pem, s->chain_len)) != CLID_OK)
        return fail_clid(err, cap, "sign.cert", c->sign_cert, e);
    if ((e = clid_signer_set_x5u(s->signer, c->sign_x5u)) != CLID_OK)
        return fail_clid(err, cap, "sign.x5u", c->sign_x5u, e);
    if (clock && (e = clid_signer_set_clock(s->signer, clock, arg)) != CLID_OK)
        return fail_clid(err, cap, "clock", NULL, e);
    if (!(s->x5u_path = url_path(c->sign_x5u)))
        return fail(err, cap, "sign.x5u: out of memory");
    return 0;
}

static void state_free(serve_state *s)
{
    if (!s)
        return;
    clid_verifier_free(s->verifier); /* before the ctx it refers to */
    clid_ctx_free(s->ctx);
    clid_fetcher_free(s->fetcher);
    clid_signer_free(s->signer);
    free(s->chain_pem);
    free(s->x5u_path);
    free(s);
}

int serve_state_new(const serve_state_cfg *c, clid_clock_fn clock, void *clock_arg,
                    serve_state **out, char *err, size_t cap)
{
    if (err && cap)
        err[0] = '\0';
    if (!out)
        return fail(err, cap, "serve_state_new: no output");
    *out = NULL;
    if (!c)
        return fail(err, cap, "serve_state_new: no configuration");
    serve_state *s = calloc(1, sizeof *s);
    if (!s)
        return fail(err, cap, "out of memory");
    atomic_init(&s->refs, 1);
    clid_err e = clid_ctx_new(&s->ctx);
    if (e != CLID_OK) {
        state_free(s);
        return fail_clid(err, cap, "verify", NULL, e);
    }
    if (load_trust(s->ctx, c, err, cap) != 0 || set_policy(s->ctx, c, clock, clock_arg, err, cap) != 0 ||
        make_fetcher(s, c, clock, clock_arg, err, cap) != 0 ||
        make_signer(s, c, clock, clock_arg, err, cap) != 0) {
        state_free(s);
        return -1;
    }
    s->ntrust_loaded = c->ntrust;
    if ((e = clid_verifier_new(s->ctx, &s->verifier)) != CLID_OK ||
        (c->cache_entries && (e = clid_verifier_set_cache_size(s->verifier, c->cache_entries)) !=
                                 CLID_OK)) {
        state_free(s);
        return fail_clid(err, cap, "verify.cache_entries", NULL, e);
    }
    *out = s;
    return 0;
}

serve_state *serve_state_ref(serve_state *s)
{
    if (s)
        atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    return s;
}

void serve_state_unref(serve_state *s)
{
    /* Release on every drop, acquire before freeing: the thread that frees
     * sees every other thread's use of the snapshot finished. */
    if (s && atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1)
        state_free(s);
}

int serve_state_ready(const serve_state *s) { return s && s->ntrust_loaded > 0; }
int serve_state_can_sign(const serve_state *s) { return s && s->signer != NULL; }

const char *serve_state_chain_pem(const serve_state *s, size_t *len)
{
    if (len)
        *len = s && s->signer ? s->chain_len : 0;
    return s && s->signer ? s->chain_pem : NULL;
}

const char *serve_state_x5u_path(const serve_state *s) { return s ? s->x5u_path : NULL; }

void serve_state_stats(const serve_state *s, clid_verifier_stats *v, clid_fetcher_stats *f)
{
    if (v) {
        *v = (clid_verifier_stats){0};
        if (s)
            clid_verifier_get_stats(s->verifier, v);
    }
    if (f) {
        *f = (clid_fetcher_stats){0};
        if (s && s->fetcher)
            clid_fetcher_get_stats(s->fetcher, f);
    }
}

clid_verifier *serve_state_verifier(const serve_state *s) { return s ? s->verifier : NULL; }
const clid_signer *serve_state_signer(const serve_state *s) { return s ? s->signer : NULL; }
const clid_ctx *serve_state_ctx(const serve_state *s) { return s ? s->ctx : NULL; }
