/*
 * clid_ctx: trust anchors, CRLs, the offline x5u map and verification
 * policy (clid.h). A context is configured by one thread and then only read;
 * every setter bumps `generation` so that validation results memoized
 * under an older configuration (x509/chain_validate.c) are never reused.
 *
 * Loading is atomic: a file that fails to parse leaves the context as it
 * was, so a caller may report the error and carry on.
 */
#include <dirent.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/err.h>

#include "verify/ctx_internal.h"
#include "core/internal.h"
#include "x509/crl.h"
#include "x509/x509_load.h"

/* Trust files and directories hold CA certificates: bound what one call may
 * add so a wrong path (a huge directory) fails instead of eating memory. */
#define CLID_TRUST_MAX_CERTS 100000
#define CLID_MAX_URL_LEN 4096
#define CLID_MAX_CHAIN_DEPTH 8
#define CLID_MAX_CRL_PREFIXES 64
#define CLID_CRL_SIGNERS_MAX 1000

/*
 * Generation numbers come from one process-wide counter rather than from
 * each context, so that two contexts never share a number: a certificate
 * validated under one context can then never be taken as validated under
 * another that happens to have seen as many changes (or that was allocated
 * at the same address after the first was freed).
 */
static unsigned generation_counter;

static void bump(clid_ctx *ctx)
{
    ctx->trust.generation = __atomic_add_fetch(&generation_counter, 1, __ATOMIC_RELAXED);
}

clid_err clid_ctx_new(clid_ctx **out)
{
    CLID_ENSURE(out != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out = NULL;
    clid_ctx *ctx = calloc(1, sizeof *ctx);
    if (ctx == NULL)
        return CLID_ERR_NOMEM;
    ctx->trust.store = X509_STORE_new();
    ctx->trust.crls = sk_X509_CRL_new_null();
    ctx->trust.crl_signers = sk_X509_new_null();
    if (ctx->trust.store == NULL || ctx->trust.crls == NULL || ctx->trust.crl_signers == NULL) {
        clid_ctx_free(ctx);
        return CLID_ERR_NOMEM;
    }
    ctx->trust.crl_policy = CLID_CRL_IF_PRESENT;
    ctx->max_age = CLID_DEFAULT_MAX_AGE;
    ctx->max_skew = CLID_DEFAULT_MAX_SKEW;
    ctx->trust.tn_policy = CLID_TN_POLICY_SPC_OR_TN;
    memcpy(ctx->ppt[0], "shaken", sizeof "shaken");
    ctx->n_ppt = 1;
    ctx->trust.max_depth = CLID_DEFAULT_MAX_CHAIN_DEPTH;
    ctx->require_tnauth = 1;
    bump(ctx);
    *out = ctx;
    return CLID_OK;
}

void clid_ctx_free(clid_ctx *ctx)
{
    if (ctx == NULL)
        return;
    X509_STORE_free(ctx->trust.store);
    sk_X509_CRL_pop_free(ctx->trust.crls, X509_CRL_free);
    for (size_t i = 0; i < ctx->trust.n_crl_list; i++)
        clid__crl_release(ctx->trust.crl_list[i]);
    free(ctx->trust.crl_list);
    sk_X509_pop_free(ctx->trust.crl_signers, X509_free);
    for (size_t i = 0; i < ctx->trust.n_crl_prefixes; i++)
        free(ctx->trust.crl_prefixes[i]);
    free(ctx->trust.crl_prefixes);
    for (size_t i = 0; i < ctx->n_x5u; i++) {
        free(ctx->x5u_map[i].url);
        free(ctx->x5u_map[i].pem);
    }
    free(ctx->x5u_map);
    for (size_t i = 0; i < ctx->n_rcd; i++) {
        free(ctx->rcd_map[i].url);
        free(ctx->rcd_map[i].data);
    }
    free(ctx->rcd_map);
    free(ctx);
}

/* ------------------------------------------------------------------------ */
/* Trust anchors                                                             */
/* ------------------------------------------------------------------------ */

/* Adds every certificate of `certs` to the store. X509_STORE_add_cert takes
 * its own reference and treats a certificate already present as success. */
static clid_err add_to_store(clid_ctx *ctx, STACK_OF(X509) *certs)
{
    clid_err rc = CLID_OK;
    ERR_set_mark();
    for (int i = 0; i < sk_X509_num(certs); i++) {
        if (X509_STORE_add_cert(ctx->trust.store, sk_X509_value(certs, i)) != 1) {
            rc = CLID_ERR_INTERNAL;
            break;
        }
    }
    ERR_pop_to_mark();
    bump(ctx);
    return rc;
}

/* A trust source without a certificate is a configuration mistake: running
 * with fewer anchors than intended must not go unnoticed. */
static const clid__pem_errs trust_errs = {
    .none = CLID_ERR_CERT_PARSE,
    .wrong_type = CLID_ERR_CERT_PARSE,
    .too_many = CLID_ERR_CERT_PARSE,
};

/* Reads `path` (at most CLID_FILE_MAX bytes) and hands its bytes to `add`. */
static clid_err add_from_file(clid_ctx *ctx, const char *path,
                              clid_err (*add)(clid_ctx *, const char *, size_t))
{
    char *buf = NULL;
    size_t len = 0;
    CLID_TRY(clid__read_file(path, CLID_FILE_MAX, CLID_ERR_IO, &buf, &len));
    clid_err rc = add(ctx, buf, len);
    free(buf);
    return rc;
}

static clid_err load_trust_file(const char *path, STACK_OF(X509) **certs)
{
    char *buf = NULL;
    size_t len = 0;
    CLID_TRY(clid__read_file(path, CLID_FILE_MAX, CLID_ERR_IO, &buf, &len));
    clid_err rc = clid__pem_certs(buf, len, CLID_TRUST_MAX_CERTS, &trust_errs, certs);
    free(buf);
    return rc;
}

clid_err clid_ctx_add_trust_file(clid_ctx *ctx, const char *path)
{
    CLID_ENSURE(ctx != NULL && path != NULL, CLID_ERR_INVALID_ARGUMENT);
    STACK_OF(X509) *certs = NULL;
    CLID_TRY(load_trust_file(path, &certs));
    clid_err rc = add_to_store(ctx, certs);
    sk_X509_pop_free(certs, X509_free);
    return rc;
}

static int trust_file_name(const char *name)
{
    size_t n = strlen(name);
    if (name[0] == '.')
        return 0; /* hidden files and editor leftovers */
    return (n > 4 && strcmp(name + n - 4, ".pem") == 0) ||
           (n > 4 && strcmp(name + n - 4, ".crt") == 0);
}

clid_err clid_ctx_add_trust_dir(clid_ctx *ctx, const char *dir)
{
    CLID_ENSURE(ctx != NULL && dir != NULL, CLID_ERR_INVALID_ARGUMENT);
    DIR *d = opendir(dir);
    if (d == NULL)
        return CLID_ERR_IO;
    STACK_OF(X509) *certs = NULL;
    clid_err rc = CLID_OK;
    size_t dlen = strlen(dir);
    struct dirent *de;
    while (rc == CLID_OK && (de = readdir(d)) != NULL) {
        if (!trust_file_name(de->d_name))
            continue;
        size_t nlen = strlen(de->d_name);
        char *path = malloc(dlen + 1 + nlen + 1);
        if (path == NULL) {
            rc = CLID_ERR_NOMEM;
            break;
        }
        memcpy(path, dir, dlen);
        path[dlen] = '/';
        memcpy(path + dlen + 1, de->d_name, nlen + 1);
        struct stat st;
        /* Only regular files (stat follows symlinks, as c_rehash'd dirs use). */
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
            rc = load_trust_file(path, &certs);
        free(path);
    }
    closedir(d);
    /* A directory without a certificate file is as wrong as an empty file. */
    if (rc == CLID_OK && certs == NULL)
        rc = CLID_ERR_CERT_PARSE;
    if (rc == CLID_OK)
        rc = add_to_store(ctx, certs);
    sk_X509_pop_free(certs, X509_free);
    return rc;
}

clid_err clid_ctx_add_trust_pem(clid_ctx *ctx, const char *pem, size_t len)
{
    CLID_ENSURE(ctx != NULL && pem != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(len <= CLID_FILE_MAX, CLID_ERR_INVALID_ARGUMENT);
    STACK_OF(X509) *certs = NULL;
    CLID_TRY(clid__pem_certs(pem, len, CLID_TRUST_MAX_CERTS, &trust_errs, &certs));
    clid_err rc = add_to_store(ctx, certs);
    sk_X509_pop_free(certs, X509_free);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* CRLs                                                                      */
/* ------------------------------------------------------------------------ */

static clid_err add_crls(clid_ctx *ctx, const char *buf, size_t len)
{
    STACK_OF(X509_CRL) *crls = NULL;
    CLID_TRY(clid__crls_parse(buf, len, &crls));
    /* Reserve room and make the distribution-point checks' view of each
     * CRL first (x509/crl.h), so that the move below cannot fail half-way. */
    int have = sk_X509_CRL_num(ctx->trust.crls), add = sk_X509_CRL_num(crls);
    size_t cap = ctx->trust.n_crl_list;
    clid__crl **wraps = calloc((size_t)add, sizeof *wraps);
    clid_err rc = wraps != NULL && sk_X509_CRL_reserve(ctx->trust.crls, have + add)
                      ? clid__grow((void **)&ctx->trust.crl_list, &cap,
                                   ctx->trust.n_crl_list + (size_t)add, sizeof *wraps)
                      : CLID_ERR_NOMEM;
    for (int i = 0; i < add && rc == CLID_OK; i++)
        rc = clid__crl_wrap(sk_X509_CRL_value(crls, i), &wraps[i]);
    if (rc != CLID_OK) {
        for (int i = 0; wraps != NULL && i < add; i++)
            clid__crl_release(wraps[i]);
        free(wraps);
        sk_X509_CRL_pop_free(crls, X509_CRL_free);
        return rc == CLID_ERR_CRL_NOT_A_CRL ? CLID_ERR_CERT_PARSE : rc;
    }
    for (int i = 0; i < add; i++) {
        (void)sk_X509_CRL_push(ctx->trust.crls, sk_X509_CRL_value(crls, i));
        ctx->trust.crl_list[ctx->trust.n_crl_list++] = wraps[i];
    }
    free(wraps);
    sk_X509_CRL_free(crls);
    bump(ctx);
    return CLID_OK;
}

clid_err clid_ctx_add_crl_file(clid_ctx *ctx, const char *path)
{
    CLID_ENSURE(ctx != NULL && path != NULL, CLID_ERR_INVALID_ARGUMENT);
    return add_from_file(ctx, path, add_crls);
}

clid_err clid_ctx_add_crl_pem(clid_ctx *ctx, const char *pem, size_t len)
{
    CLID_ENSURE(ctx != NULL && pem != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(len <= CLID_FILE_MAX, CLID_ERR_INVALID_ARGUMENT);
    return add_crls(ctx, pem, len);
}

/* ------------------------------------------------------------------------ */
/* Revocation as deployed: CRL signers and CRL retrieval                     */
/* ------------------------------------------------------------------------ */

static clid_err add_crl_signers(clid_ctx *ctx, const char *pem, size_t len)
{
    STACK_OF(X509) *certs = NULL;
    CLID_TRY(clid__pem_certs(pem, len, CLID_CRL_SIGNERS_MAX, &trust_errs, &certs));
    int have = sk_X509_num(ctx->trust.crl_signers), add = sk_X509_num(certs);
    clid_err rc = have + add <= CLID_CRL_SIGNERS_MAX ? CLID_OK : CLID_ERR_INVALID_ARGUMENT;
    if (rc == CLID_OK && !sk_X509_reserve(ctx->trust.crl_signers, have + add))
        rc = CLID_ERR_NOMEM;
    if (rc == CLID_OK) {
        for (int i = 0; i < add; i++) {
            X509 *x = sk_X509_value(certs, i);
            /* Decode the extensions now, single-threaded (signer_cert.c). */
            (void)X509_check_purpose(x, -1, 0);
            (void)sk_X509_push(ctx->trust.crl_signers, x);
        }
        sk_X509_free(certs);
        bump(ctx);
        return CLID_OK;
    }
    sk_X509_pop_free(certs, X509_free);
    return rc;
}

clid_err clid_ctx_add_crl_signer_file(clid_ctx *ctx, const char *path)
{
    CLID_ENSURE(ctx != NULL && path != NULL, CLID_ERR_INVALID_ARGUMENT);
    return add_from_file(ctx, path, add_crl_signers);
}

clid_err clid_ctx_add_crl_signer_pem(clid_ctx *ctx, const char *pem, size_t len)
{
    CLID_ENSURE(ctx != NULL && pem != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(len <= CLID_FILE_MAX, CLID_ERR_INVALID_ARGUMENT);
    return add_crl_signers(ctx, pem, len);
}

clid_err clid_ctx_set_crl_fetcher(clid_ctx *ctx, clid_fetch_fn fn, void *arg)
{
    CLID_ENSURE(ctx != NULL, CLID_ERR_INVALID_ARGUMENT);
    ctx->trust.crl_fetch = fn;
    ctx->trust.crl_fetch_arg = fn ? arg : NULL;
    bump(ctx);
    return CLID_OK;
}

clid_err clid_ctx_add_crl_url_prefix(clid_ctx *ctx, const char *prefix)
{
    CLID_ENSURE(ctx != NULL && prefix != NULL, CLID_ERR_INVALID_ARGUMENT);
    size_t n = strlen(prefix);
    CLID_ENSURE(n >= 1 && n <= CLID_MAX_URL_LEN && clid__is_printable_ascii(prefix, n),
                CLID_ERR_INVALID_ARGUMENT);
    for (size_t i = 0; i < ctx->trust.n_crl_prefixes; i++)
        if (strcmp(ctx->trust.crl_prefixes[i], prefix) == 0)
            return CLID_OK;
    CLID_ENSURE(ctx->trust.n_crl_prefixes < CLID_MAX_CRL_PREFIXES, CLID_ERR_INVALID_ARGUMENT);
    char *copy = clid__strndup(prefix, n);
    CLID_ENSURE(copy != NULL, CLID_ERR_NOMEM);
    size_t cap = ctx->trust.n_crl_prefixes;
    clid_err rc = clid__grow((void **)&ctx->trust.crl_prefixes, &cap,
                             ctx->trust.n_crl_prefixes + 1, sizeof(char *));
    if (rc != CLID_OK) {
        free(copy);
        return rc;
    }
    ctx->trust.crl_prefixes[ctx->trust.n_crl_prefixes++] = copy;
    bump(ctx);
    return CLID_OK;
}

clid_err clid_ctx_set_crl_policy(clid_ctx *ctx, clid_crl_policy p)
{
    CLID_ENSURE(ctx != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(p == CLID_CRL_IF_PRESENT || p == CLID_CRL_REQUIRED || p == CLID_CRL_IGNORE,
                CLID_ERR_INVALID_ARGUMENT);
    ctx->trust.crl_policy = p;
    bump(ctx);
    return CLID_OK;
}

/* ------------------------------------------------------------------------ */
/* Offline x5u map: kept sorted by URL for binary search                     */
/* ------------------------------------------------------------------------ */

/* The x5u map and the RCD content map (below) are both arrays of entries
 * whose first member is `char *url`, kept sorted by strcmp of it: one
 * bisection and one insertion serve both. */
_Static_assert(offsetof(struct clid_x5u_map_entry, url) == 0, "url leads the x5u entry");
_Static_assert(offsetof(struct clid_rcd_map_entry, url) == 0, "url leads the rcd entry");

/* Index of `url` among the n entries of `stride` bytes at `base`, or of
 * where it would go (*found = 0). */
static size_t url_map_find(const void *base, size_t n, size_t stride, const char *url, int *found)
{
    const unsigned char *b = base;
    size_t lo = 0, hi = n;
    *found = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *at_mid;
        memcpy(&at_mid, b + mid * stride, sizeof at_mid);
        int c = strcmp(at_mid, url);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Grows the map by one entry and opens a slot at `at` (shifting the tail);
 * the caller fills the slot and counts it. Nothing changes on failure. */
static clid_err url_map_open_slot(void **base, size_t n, size_t *cap, size_t stride, size_t at)
{
    CLID_TRY(clid__grow(base, cap, n + 1, stride));
    unsigned char *b = *base;
    memmove(b + (at + 1) * stride, b + at * stride, (n - at) * stride);
    return CLID_OK;
}

#define X5U_FIND(ctx, url, found)                                                              \
    url_map_find((ctx)->x5u_map, (ctx)->n_x5u, sizeof *(ctx)->x5u_map, (url), (found))
#define RCD_FIND(ctx, url, found)                                                              \
    url_map_find((ctx)->rcd_map, (ctx)->n_rcd, sizeof *(ctx)->rcd_map, (url), (found))

static int url_ok(const char *url)
{
    size_t n = strlen(url);
    if (n == 0 || n > CLID_MAX_URL_LEN)
        return 0;
    /* The URL is compared with the Identity info parameter, which cannot
     * hold controls or spaces (RFC 8224 §4.1: absoluteURI in <>). */
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)url[i] <= 0x20 || (unsigned char)url[i] >= 0x7F)
            return 0;
    return 1;
}

/* Takes ownership of `pem` (malloc'd, NUL-terminated) on success. */
static clid_err x5u_put(clid_ctx *ctx, const char *url, char *pem, size_t len)
{
    uint8_t hash[32];
    CLID_ENSURE(EVP_Digest(pem, len, hash, NULL, EVP_sha256(), NULL) == 1, CLID_ERR_INTERNAL);
    int found = 0;
    size_t at = X5U_FIND(ctx, url, &found);
    if (found) {
        /* The latest mapping wins, as with any configuration overriding
         * an earlier line. */
        free(ctx->x5u_map[at].pem);
        ctx->x5u_map[at].pem = pem;
        ctx->x5u_map[at].len = len;
        memcpy(ctx->x5u_map[at].hash, hash, sizeof hash);
        bump(ctx);
        return CLID_OK;
    }
    char *u = clid__strndup(url, strlen(url));
    if (u == NULL)
        return CLID_ERR_NOMEM;
    clid_err rc = url_map_open_slot((void **)&ctx->x5u_map, ctx->n_x5u, &ctx->cap_x5u,
                                    sizeof *ctx->x5u_map, at);
    if (rc != CLID_OK) {
        free(u);
        return rc;
    }
    ctx->x5u_map[at] = (struct clid_x5u_map_entry){.url = u, .pem = pem, .len = len};
    memcpy(ctx->x5u_map[at].hash, hash, sizeof hash);
    ctx->n_x5u++;
    bump(ctx);
    return CLID_OK;
}

clid_err clid_ctx_add_x5u_file(clid_ctx *ctx, const char *url, const char *path)
{
    CLID_ENSURE(ctx != NULL && url != NULL && path != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(url_ok(url), CLID_ERR_INVALID_ARGUMENT);
    char *buf = NULL;
    size_t len = 0;
    /* The same cap as a fetched chain: the map stands in for the network,
     * and the chain is only parsed when a verification needs it. */
    CLID_TRY(clid__read_file(path, CLID_CHAIN_MAX_LEN, CLID_ERR_X5U_TOO_LARGE, &buf, &len));
    clid_err rc = x5u_put(ctx, url, buf, len);
    if (rc != CLID_OK)
        free(buf);
    return rc;
}

clid_err clid_ctx_add_x5u_pem(clid_ctx *ctx, const char *url, const char *pem, size_t len)
{
    CLID_ENSURE(ctx != NULL && url != NULL && pem != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(url_ok(url), CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(len <= CLID_CHAIN_MAX_LEN, CLID_ERR_X5U_TOO_LARGE);
    char *copy = clid__strndup(pem, len);
    if (copy == NULL)
        return CLID_ERR_NOMEM;
    clid_err rc = x5u_put(ctx, url, copy, len);
    if (rc != CLID_OK)
        free(copy);
    return rc;
}

const struct clid_x5u_map_entry *clid__ctx_x5u_lookup(const clid_ctx *ctx, const char *url)
{
    if (ctx == NULL || url == NULL || ctx->n_x5u == 0)
        return NULL;
    int found = 0;
    size_t at = X5U_FIND(ctx, url, &found);
    return found ? &ctx->x5u_map[at] : NULL;
}

/* ------------------------------------------------------------------------ */
/* Rich Call Data content (RFC 9795): fetcher and offline map, the x5u      */
/* map's structure (url_map_find, url_map_open_slot)                        */
/* ------------------------------------------------------------------------ */

clid_err clid_ctx_set_rcd_fetcher(clid_ctx *ctx, clid_fetch_fn fn, void *arg)
{
    CLID_ENSURE(ctx != NULL, CLID_ERR_INVALID_ARGUMENT);
    ctx->rcd_fetch = fn;
    ctx->rcd_fetch_arg = fn ? arg : NULL;
    bump(ctx);
    return CLID_OK;
}

clid_err clid_ctx_add_rcd_content(clid_ctx *ctx, const char *url, const uint8_t *data,
                                  size_t len)
{
    CLID_ENSURE(ctx != NULL && url != NULL && (data != NULL || len == 0),
                CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(url_ok(url), CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(len <= CLID_RCD_ICON_MAX_LEN, CLID_ERR_RCD_CONTENT_INVALID);
    uint8_t *copy = malloc(len + 1); /* + 1: never malloc(0) */
    CLID_ENSURE(copy != NULL, CLID_ERR_NOMEM);
    if (len > 0)
        memcpy(copy, data, len);
    int found = 0;
    size_t at = RCD_FIND(ctx, url, &found);
    if (found) {
        free(ctx->rcd_map[at].data);
        ctx->rcd_map[at].data = copy;
        ctx->rcd_map[at].len = len;
        bump(ctx);
        return CLID_OK;
    }
    char *u = clid__strndup(url, strlen(url));
    clid_err rc = u == NULL ? CLID_ERR_NOMEM
                            : url_map_open_slot((void **)&ctx->rcd_map, ctx->n_rcd, &ctx->cap_rcd,
                                                sizeof *ctx->rcd_map, at);
    if (rc != CLID_OK) {
        free(u);
        free(copy);
        return rc;
    }
    ctx->rcd_map[at] = (struct clid_rcd_map_entry){.url = u, .data = copy, .len = len};
    ctx->n_rcd++;
    bump(ctx);
    return CLID_OK;
}

const struct clid_rcd_map_entry *clid__ctx_rcd_lookup(const clid_ctx *ctx, const char *url)
{
    if (ctx == NULL || url == NULL || ctx->n_rcd == 0)
        return NULL;
    int found = 0;
    size_t at = RCD_FIND(ctx, url, &found);
    return found ? &ctx->rcd_map[at] : NULL;
}

/* ------------------------------------------------------------------------ */
/* Policy                                                                    */
/* ------------------------------------------------------------------------ */

clid_err clid_ctx_set_fetcher(clid_ctx *ctx, clid_fetch_fn fn, void *arg)
{
    CLID_ENSURE(ctx != NULL, CLID_ERR_INVALID_ARGUMENT);
    ctx->fetch = fn;
    ctx->fetch_arg = fn ? arg : NULL;
    bump(ctx);
    return CLID_OK;
}

clid_err clid_ctx_set_freshness(clid_ctx *ctx, unsigned max_age_s, unsigned max_skew_s)
{
    CLID_ENSURE(ctx != NULL, CLID_ERR_INVALID_ARGUMENT);
    ctx->max_age = max_age_s;
    ctx->max_skew = max_skew_s;
    bump(ctx);
    return CLID_OK;
}

clid_err clid_ctx_set_tn_policy(clid_ctx *ctx, clid_tn_policy p)
{
    CLID_ENSURE(ctx != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(p == CLID_TN_POLICY_SPC_OR_TN || p == CLID_TN_POLICY_TN_REQUIRED,
                CLID_ERR_INVALID_ARGUMENT);
    ctx->trust.tn_policy = p;
    bump(ctx);
    return CLID_OK;
}

/* A ppt value is a JSON string in the PASSporT header and a token in the
 * Identity header (RFC 8224 §4.1); the IANA registry holds short lower-case
 * names ("shaken", "div", "div-o", "rph", "rcd"). Allow what fits that. */
static int ppt_token_ok(const char *ppt)
{
    size_t n = strlen(ppt);
    if (n == 0 || n >= sizeof(((clid_ctx *)0)->ppt[0]))
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = ppt[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_' || ch == '.'))
            return 0;
    }
    return 1;
}

clid_err clid_ctx_accept_ppt(clid_ctx *ctx, const char *ppt)
{
    CLID_ENSURE(ctx != NULL && ppt != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(ppt_token_ok(ppt), CLID_ERR_INVALID_ARGUMENT);
    if (!ctx->ppt_customized) {
        ctx->n_ppt = 0;
        ctx->ppt_customized = 1;
    }
    if (!clid__ctx_ppt_accepted(ctx, ppt)) {
        CLID_ENSURE(ctx->n_ppt < CLID_MAX_PPT, CLID_ERR_INVALID_ARGUMENT);
        memcpy(ctx->ppt[ctx->n_ppt], ppt, strlen(ppt) + 1);
        ctx->n_ppt++;
    }
    bump(ctx);
    return CLID_OK;
}

int clid__ctx_ppt_accepted(const clid_ctx *ctx, const char *ppt)
{
    if (ctx == NULL || ppt == NULL)
        return 0;
    for (size_t i = 0; i < ctx->n_ppt; i++)
        if (strcmp(ctx->ppt[i], ppt) == 0)
            return 1;
    return 0;
}

clid_err clid_ctx_set_max_chain_depth(clid_ctx *ctx, unsigned depth)
{
    CLID_ENSURE(ctx != NULL, CLID_ERR_INVALID_ARGUMENT);
    /* 1: the leaf is issued by a trust anchor; SHAKEN chains are 2 or 3. */
    CLID_ENSURE(depth >= 1 && depth <= CLID_MAX_CHAIN_DEPTH, CLID_ERR_INVALID_ARGUMENT);
    ctx->trust.max_depth = depth;
    bump(ctx);
    return CLID_OK;
}

clid_err clid_ctx_set_require_tnauth(clid_ctx *ctx, int require)
{
    CLID_ENSURE(ctx != NULL, CLID_ERR_INVALID_ARGUMENT);
    ctx->require_tnauth = require != 0;
    bump(ctx);
    return CLID_OK;
}

clid_err clid_ctx_set_require_entity(clid_ctx *ctx, int require)
{
    CLID_ENSURE(ctx != NULL, CLID_ERR_INVALID_ARGUMENT);
    ctx->require_entity = require != 0;
    bump(ctx);
    return CLID_OK;
}

clid_err clid_ctx_set_strict(clid_ctx *ctx, int strict)
{
    CLID_ENSURE(ctx != NULL, CLID_ERR_INVALID_ARGUMENT);
    /* A certificate profile implies the strict policy (clid.h). */
    ctx->strict = strict != 0 || ctx->trust.cert_profile != CLID_CERT_PROFILE_NONE;
    bump(ctx);
    return CLID_OK;
}

clid_err clid_ctx_set_cert_profile(clid_ctx *ctx, clid_cert_profile p)
{
    CLID_ENSURE(ctx != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(p == CLID_CERT_PROFILE_NONE || p == CLID_CERT_PROFILE_SHAKEN ||
                    p == CLID_CERT_PROFILE_Q3063,
                CLID_ERR_INVALID_ARGUMENT);
    ctx->trust.cert_profile = p;
    if (p != CLID_CERT_PROFILE_NONE)
        ctx->strict = 1;
    bump(ctx);
    return CLID_OK;
}

clid_err clid_ctx_set_clock(clid_ctx *ctx, clid_clock_fn fn, void *arg)
{
    CLID_ENSURE(ctx != NULL, CLID_ERR_INVALID_ARGUMENT);
    ctx->clock = fn;
    ctx->clock_arg = fn ? arg : NULL;
    bump(ctx);
    return CLID_OK;
}

int64_t clid_ctx_now(const clid_ctx *ctx)
{
    if (ctx != NULL && ctx->clock != NULL)
        return ctx->clock(ctx->clock_arg);
    /* The one place clid reads the system clock: the documented default. */
    return (int64_t)time(NULL);
}
