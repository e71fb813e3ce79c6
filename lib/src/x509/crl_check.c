/*
 * The revocation checks over a validated chain (crl.h): for each
 * certificate below the trust anchor, the CRLs its distribution points name,
 * taken from the context or fetched (crl_store.c), their signers, and the
 * verdict.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "core/internal.h"
#include "x509/crl.h"
#include "x509/x509_load.h"
#include "x509/crl_store.h"

/* RFC 2253 text of a name (printable ASCII), for details. */
static void name_text(const X509_NAME *n, char *out, size_t cap)
{
    out[0] = '\0';
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL)
        return;
    if (X509_NAME_print_ex(bio, n, 0, XN_FLAG_RFC2253) >= 0) {
        char *data = NULL;
        long len = BIO_get_mem_data(bio, &data);
        if (len >= 0)
            snprintf(out, cap, "%.*s", (int)len, data ? data : "");
    }
    BIO_free(bio);
}

static void time_text(int64_t t, char *out, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, cap, "%lld", (long long)t);
}

/* ------------------------------------------------------------------------ */
/* The chain as the checks see it                                            */
/* ------------------------------------------------------------------------ */

clid_err clid__crl_path_new(STACK_OF(X509) *chain, unsigned generation, unsigned unchecked,
                            clid__crl_path **out, char *detail, size_t cap)
{
    *out = NULL;
    int n = sk_X509_num(chain);
    CLID_ENSURE(n >= 1 && n <= CLID__CRL_PATH_MAX, CLID_ERR_CERT_CHAIN_TOO_LONG);
    clid__crl_path *p = calloc(1, sizeof *p);
    CLID_ENSURE(p != NULL, CLID_ERR_NOMEM);
    p->generation = generation;
    p->unchecked = unchecked;
    clid_err rc = CLID_OK;
    for (int i = 0; i < n && rc == CLID_OK; i++) {
        X509 *x = sk_X509_value(chain, i);
        X509_up_ref(x);
        p->certs[i] = x;
        p->n = i + 1;
        int crit = 0;
        p->dps[i] = X509_get_ext_d2i(x, NID_crl_distribution_points, &crit, NULL);
        /* -1: absent. Anything else without a value: repeated (RFC 5280
         * §4.2) or not decodable; OpenSSL refuses such a chain already. */
        if (p->dps[i] == NULL && crit != -1) {
            clid__detail(detail, cap, "the CRL distribution points of the certificate at depth %d are "
                             "repeated or do not decode", i);
            rc = CLID_ERR_CERT_CHAIN_INVALID;
        }
    }
    if (rc != CLID_OK) {
        clid__crl_path_free_all(p);
        return rc;
    }
    *out = p;
    return CLID_OK;
}

int clid__crl_path_matches(const clid__crl_path *p, STACK_OF(X509) *chain, unsigned generation,
                           unsigned unchecked)
{
    if (p->generation != generation || p->unchecked != unchecked || p->n != sk_X509_num(chain))
        return 0;
    for (int i = 0; i < p->n; i++)
        if (p->certs[i] != sk_X509_value(chain, i))
            return 0;
    return 1;
}

void clid__crl_path_free_all(clid__crl_path *p)
{
    while (p != NULL) {
        clid__crl_path *next = p->next;
        for (int i = 0; i < p->n; i++) {
            X509_free(p->certs[i]);
            CRL_DIST_POINTS_free(p->dps[i]);
        }
        free(p);
        p = next;
    }
}

/* ------------------------------------------------------------------------ */
/* Distribution points                                                       */
/* ------------------------------------------------------------------------ */

static int is_http_url(const GENERAL_NAME *g, const char **url)
{
    if (g->type != GEN_URI)
        return 0;
    const ASN1_IA5STRING *s = g->d.uniformResourceIdentifier;
    const char *u = (const char *)ASN1_STRING_get0_data(s);
    int n = ASN1_STRING_length(s);
    /* A URL clid may hand to a fetcher: http(s), no embedded NUL. */
    if (u == NULL || n < 8 || memchr(u, '\0', (size_t)n) != NULL || (size_t)n != strlen(u))
        return 0;
    if (strncasecmp(u, "https://", 8) != 0 && strncasecmp(u, "http://", 7) != 0)
        return 0;
    *url = u;
    return 1;
}

/* A distribution point this module checks: not limited to some reasons
 * (RFC 5280 §4.2.1.13: such a point alone does not cover every reason),
 * and either with a cRLIssuer directory name or, to be fetched, an http(s)
 * URL. *indirect says which. */
static int dp_usable(const clid__trust *trust, const DIST_POINT *dp, int *indirect)
{
    if (dp->reasons != NULL)
        return 0;
    *indirect = dp->CRLissuer != NULL;
    if (*indirect)
        return clid__crl_dp_issuer(dp) != NULL;
    if (trust->crl_fetch == NULL || dp->distpoint == NULL || dp->distpoint->type != 0)
        return 0;
    const GENERAL_NAMES *names = dp->distpoint->name.fullname;
    const char *url;
    for (int i = 0; i < sk_GENERAL_NAME_num(names); i++)
        if (is_http_url(sk_GENERAL_NAME_value(names, i), &url))
            return 1;
    return 0;
}

int clid__crl_dp_handles(const clid__trust *trust, X509 *x)
{
    int crit = 0, indirect = 0, yes = 0;
    STACK_OF(DIST_POINT) *dps = X509_get_ext_d2i(x, NID_crl_distribution_points, &crit, NULL);
    for (int i = 0; i < sk_DIST_POINT_num(dps) && !yes; i++)
        yes = dp_usable(trust, sk_DIST_POINT_value(dps, i), &indirect);
    CRL_DIST_POINTS_free(dps);
    return yes;
}

int clid__crl_url_allowed(const clid__trust *trust, const char *url)
{
    size_t ul = strlen(url);
    for (size_t i = 0; i < trust->n_crl_prefixes; i++) {
        const char *p = trust->crl_prefixes[i];
        size_t pl = strlen(p);
        if (pl > ul || memcmp(url, p, pl) != 0)
            continue;
        /* A boundary: "https://crl.example" must not allow
         * "https://crl.example.evil/". */
        if (p[pl - 1] == '/' || url[pl] == '\0' || url[pl] == '/')
            return 1;
    }
    return 0;
}

/* The first http(s) URL of `dp` the allow-list admits; NULL with `why`. */
static const char *pick_url(const clid__trust *trust, const DIST_POINT *dp, char *why, size_t cap)
{
    if (dp->distpoint == NULL || dp->distpoint->type != 0) {
        clid__detail(why, cap, "the distribution point has no URL to fetch");
        return NULL;
    }
    const GENERAL_NAMES *names = dp->distpoint->name.fullname;
    const char *url = NULL, *refused = NULL;
    for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
        if (!is_http_url(sk_GENERAL_NAME_value(names, i), &url))
            continue;
        if (clid__crl_url_allowed(trust, url))
            return url;
        if (refused == NULL)
            refused = url;
    }
    if (refused != NULL)
        clid__detail(why, cap, "CRL URL %.160s is not under an allowed prefix (clid_ctx_add_crl_url_prefix)",
            refused);
    else
        clid__detail(why, cap, "the distribution point has no http(s) URL");
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Signers                                                                   */
/* ------------------------------------------------------------------------ */

static int memo_covers(clid__crl *c, unsigned gen, int64_t at)
{
    unsigned s1 = __atomic_load_n(&c->memo_seq, __ATOMIC_ACQUIRE);
    if (s1 & 1u)
        return 0;
    int valid = __atomic_load_n(&c->memo_valid, __ATOMIC_RELAXED);
    unsigned g = __atomic_load_n(&c->memo_gen, __ATOMIC_RELAXED);
    int64_t from = __atomic_load_n(&c->memo_from, __ATOMIC_RELAXED);
    int64_t until = __atomic_load_n(&c->memo_until, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (__atomic_load_n(&c->memo_seq, __ATOMIC_RELAXED) != s1)
        return 0;
    return valid && g == gen && from <= at && at <= until;
}

static void memo_store(clid__crl *c, unsigned gen, const X509 *signer, int64_t from,
                       int64_t until)
{
    unsigned s = __atomic_load_n(&c->memo_seq, __ATOMIC_RELAXED);
    if ((s & 1u) || !__atomic_compare_exchange_n(&c->memo_seq, &s, s + 1, 0, __ATOMIC_ACQUIRE,
                                                 __ATOMIC_RELAXED))
        return;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    __atomic_store_n(&c->memo_valid, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&c->memo_gen, gen, __ATOMIC_RELAXED);
    __atomic_store_n(&c->memo_signer, signer, __ATOMIC_RELAXED);
    __atomic_store_n(&c->memo_from, from, __ATOMIC_RELAXED);
    __atomic_store_n(&c->memo_until, until, __ATOMIC_RELAXED);
    __atomic_store_n(&c->memo_seq, s + 2, __ATOMIC_RELEASE);
}

/* Whether `x`'s key signed `c`, and x may sign CRLs (RFC 5280 §4.2.1.3:
 * cRLSign when keyUsage is present; X509_get_key_usage gives all bits
 * without one). */
static int signed_by(clid__crl *c, X509 *x, char *why, size_t cap)
{
    char subj[160];
    if ((X509_get_key_usage(x) & KU_CRL_SIGN) == 0) {
        name_text(X509_get_subject_name(x), subj, sizeof subj);
        clid__detail(why, cap, "the CRL signer candidate %s lacks keyUsage cRLSign", subj);
        return 0;
    }
    EVP_PKEY *pk = X509_get0_pubkey(x);
    __atomic_add_fetch(&c->sig_checks, 1, __ATOMIC_RELAXED);
    if (pk == NULL || X509_CRL_verify(c->crl, pk) != 1) {
        name_text(X509_get_subject_name(x), subj, sizeof subj);
        clid__detail(why, cap, "the CRL's signature does not verify with the key of %s", subj);
        return 0;
    }
    return 1;
}

/* The window in which `chain`'s certificates are all valid. */
static int chain_window(STACK_OF(X509) *chain, int64_t *from, int64_t *until)
{
    int64_t lo = INT64_MIN, hi = INT64_MAX;
    for (int i = 0; i < sk_X509_num(chain); i++) {
        X509 *x = sk_X509_value(chain, i);
        int64_t nb, na;
        if (!clid__asn1_time_unix(X509_get0_notBefore(x), &nb) || !clid__asn1_time_unix(X509_get0_notAfter(x), &na))
            return 0;
        lo = nb > lo ? nb : lo;
        hi = na - 1 < hi ? na - 1 : hi;
    }
    *from = lo;
    *until = hi;
    return 1;
}

/*
 * A certification path for a configured CRL signer to a trust anchor at
 * `at` (RFC 5280 §6.3.3 (f)), with the other configured signers as
 * intermediates; or the signer is itself an anchor (taken as configured,
 * RFC 5280 §6.1.1 (d), within its validity). Any anchor will do: in SHAKEN
 * each STI-CA has its own root, and the STI-PA CRL signer chains to the
 * STI-PA's. The signer's own revocation is not checked (no CRL for CRL
 * signers is published); removing it from the configuration revokes it.
 */
static int signer_path(const clid__trust *trust, X509 *x, int is_anchor, int64_t at,
                       int64_t *from, int64_t *until, char *why, size_t cap)
{
    char subj[160];
    if (is_anchor) {
        STACK_OF(X509) *one = sk_X509_new_null();
        int ok = one != NULL && sk_X509_push(one, x) && chain_window(one, from, until);
        sk_X509_free(one);
        if (ok && *from <= at && at <= *until)
            return 1;
        name_text(X509_get_subject_name(x), subj, sizeof subj);
        clid__detail(why, cap, "the CRL signer %s (a trust anchor) is not valid at the verification time",
            subj);
        return 0;
    }
    X509_STORE_CTX *sctx = X509_STORE_CTX_new();
    int ok = sctx != NULL && X509_STORE_CTX_init(sctx, trust->store, x, trust->crl_signers) == 1;
    if (ok) {
        X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(sctx);
        X509_VERIFY_PARAM_set_time(param, (time_t)at);
        X509_VERIFY_PARAM_set_depth(param, (int)trust->max_depth);
        ok = X509_verify_cert(sctx) == 1 &&
             chain_window(X509_STORE_CTX_get0_chain(sctx), from, until);
        if (!ok) {
            int err = X509_STORE_CTX_get_error(sctx);
            name_text(X509_get_subject_name(x), subj, sizeof subj);
            clid__detail(why, cap, "the CRL signer %s has no valid path to a trust anchor: %s", subj,
                X509_verify_cert_error_string(err));
        }
    }
    X509_STORE_CTX_free(sctx);
    return ok;
}

/* Trust anchors with subject `name`. */
static STACK_OF(X509) *anchors_named(const clid__trust *trust, const X509_NAME *name)
{
    X509_STORE_CTX *sctx = X509_STORE_CTX_new();
    STACK_OF(X509) *out = NULL;
    if (sctx != NULL && X509_STORE_CTX_init(sctx, trust->store, NULL, NULL) == 1)
        out = X509_STORE_CTX_get1_certs(sctx, name);
    X509_STORE_CTX_free(sctx);
    return out;
}

/* A signer for indirect CRL `c` at `at` among the configured CRL signers
 * and the trust anchors; memoized per CRL for the window it holds. */
static int indirect_signer_ok(const clid__trust *trust, clid__crl *c, int64_t at, char *why,
                              size_t cap)
{
    if (memo_covers(c, trust->generation, at))
        return 1;
    const X509_NAME *name = X509_CRL_get_issuer(c->crl);
    char subj[160];
    int found = 0, ok = 0;
    int64_t from = 0, until = -1;
    for (int i = 0; i < sk_X509_num(trust->crl_signers) && !ok; i++) {
        X509 *x = sk_X509_value(trust->crl_signers, i);
        if (X509_NAME_cmp(X509_get_subject_name(x), name) != 0)
            continue;
        found = 1;
        ok = signed_by(c, x, why, cap) &&
             signer_path(trust, x, 0, at, &from, &until, why, cap);
        if (ok)
            memo_store(c, trust->generation, x, from, until);
    }
    STACK_OF(X509) *anchors = ok ? NULL : anchors_named(trust, name);
    for (int i = 0; i < sk_X509_num(anchors) && !ok; i++) {
        X509 *x = sk_X509_value(anchors, i);
        found = 1;
        ok = signed_by(c, x, why, cap) &&
             signer_path(trust, x, 1, at, &from, &until, why, cap);
        /* The store keeps its own reference, alive as long as the context:
         * the memo may keep the pointer. */
        if (ok)
            memo_store(c, trust->generation, x, from, until);
    }
    sk_X509_pop_free(anchors, X509_free);
    if (!found) {
        name_text(name, subj, sizeof subj);
        clid__detail(why, cap, "no CRL signer certificate or trust anchor named %s "
                      "(clid_ctx_add_crl_signer_*)", subj);
    }
    return ok;
}

/* ------------------------------------------------------------------------ */
/* The check                                                                 */
/* ------------------------------------------------------------------------ */

/* Outcomes in increasing precedence: the strongest one found wins. */
enum outcome { O_NONE, O_UNAVAILABLE, O_INVALID, O_OK, O_REVOKED };

typedef struct run {
    const clid__trust *trust;
    clid__crl_store *store;
    const clid__crl_path *p;
    int64_t at;
} run;

typedef struct finding {
    enum outcome o;
    char why[256];
} finding;

static void note(finding *f, enum outcome o, const char *why)
{
    if (o > f->o) {
        f->o = o;
        snprintf(f->why, sizeof f->why, "%s", why);
    }
}

/* Where a candidate came from, for details: "CRL <url>", or "the loaded
 * CRL of <issuer>" (built only when a detail is written: the names cost a
 * BIO each). */
static void source_text(const clid__crl *c, const char *url, char *out, size_t cap)
{
    if (url != NULL) {
        snprintf(out, cap, "CRL %.180s", url);
        return;
    }
    char subj[160];
    name_text(X509_CRL_get_issuer(c->crl), subj, sizeof subj);
    snprintf(out, cap, "the loaded CRL of %s", subj);
}

/* Records outcome `o` with "<source>: <why>" when it beats what `f` has. */
static void note_from(finding *f, enum outcome o, const clid__crl *c, const char *url,
                      const char *why)
{
    if (o <= f->o)
        return;
    char source[224], msg[256];
    source_text(c, url, source, sizeof source);
    snprintf(msg, sizeof msg, "%.120s: %.130s", source, why);
    note(f, o, msg);
}

/* One candidate CRL for the certificate at depth i through `dp`; `url` is
 * where it was fetched from (NULL: loaded in the context). */
static void judge(const run *r, int i, const DIST_POINT *dp, const X509_NAME *crl_issuer,
                  clid__crl *c, const char *url, finding *f)
{
    X509 *x = r->p->certs[i];
    char why[200] = "", t[32];
    int is_ca = (X509_get_extension_flags(x) & EXFLAG_CA) != 0;
    if (c->bad != CLID_OK) {
        note_from(f, O_INVALID, c, url, c->why);
        return;
    }
    if (!clid__crl_in_scope(c, dp, crl_issuer, is_ca, why, sizeof why)) {
        note_from(f, O_UNAVAILABLE, c, url, why);
        return;
    }
    int ok = dp->CRLissuer != NULL ? indirect_signer_ok(r->trust, c, r->at, why, sizeof why)
                                   : signed_by(c, r->p->certs[i + 1], why, sizeof why);
    if (!ok) {
        note_from(f, O_INVALID, c, url, why);
        return;
    }
    if (r->at < c->this_update) {
        time_text(c->this_update, t, sizeof t);
        snprintf(why, sizeof why, "not yet valid (thisUpdate %s)", t);
        note_from(f, O_UNAVAILABLE, c, url, why);
        return;
    }
    /* Revocation is final: a stale CRL listing the certificate still
     * revokes it. */
    if (clid__crl_lists(c, x)) {
        char source[224], msg[256];
        source_text(c, url, source, sizeof source);
        snprintf(msg, sizeof msg, "the certificate at depth %d is revoked (%.200s)", i, source);
        note(f, O_REVOKED, msg);
        return;
    }
    if (r->at >= c->next_update) {
        time_text(c->next_update, t, sizeof t);
        snprintf(why, sizeof why, "stale (nextUpdate %s)", t);
        note_from(f, O_UNAVAILABLE, c, url, why);
        return;
    }
    note(f, O_OK, "");
}

/* Every CRL distribution point `dp` of the certificate at depth i may be
 * checked against: loaded ones (indirect: by issuer name) and the fetched
 * one. */
static void check_dp(const run *r, int i, const DIST_POINT *dp, int indirect, finding *f)
{
    X509 *x = r->p->certs[i];
    const X509_NAME *crl_issuer = indirect ? clid__crl_dp_issuer(dp) : X509_get_issuer_name(x);
    char subj[160], why[200];
    int candidates = 0;
    for (size_t k = 0; indirect && k < r->trust->n_crl_list && f->o != O_REVOKED; k++) {
        clid__crl *c = r->trust->crl_list[k];
        if (X509_NAME_cmp(X509_CRL_get_issuer(c->crl), crl_issuer) != 0)
            continue;
        candidates++;
        judge(r, i, dp, crl_issuer, c, NULL, f);
    }
    if (f->o == O_REVOKED || f->o == O_OK)
        return; /* no need to fetch */
    if (r->trust->crl_fetch == NULL || r->store == NULL) {
        if (candidates == 0) {
            name_text(crl_issuer, subj, sizeof subj);
            snprintf(why, sizeof why, "no CRL of %.120s is loaded and no CRL fetcher is set", subj);
            note(f, O_UNAVAILABLE, why);
        }
        return;
    }
    const char *url = pick_url(r->trust, dp, why, sizeof why);
    if (url == NULL) {
        note(f, O_UNAVAILABLE, why);
        return;
    }
    clid__crl *c = NULL;
    clid_err rc = clid__crl_store_get(r->store, r->trust->crl_fetch, r->trust->crl_fetch_arg,
                                      url, r->at, &c, why, sizeof why);
    if (rc != CLID_OK) {
        char msg[256];
        snprintf(msg, sizeof msg, "CRL %.120s: %.120s", url, why);
        note(f, O_UNAVAILABLE, msg);
        return;
    }
    judge(r, i, dp, crl_issuer, c, url, f);
    clid__crl_release(c);
}

static enum outcome check_depth(const run *r, int i, finding *f)
{
    STACK_OF(DIST_POINT) *dps = r->p->dps[i];
    /* OpenSSL checked this certificate against its issuer's loaded CRL. */
    int direct_done = (r->p->unchecked & (1u << i)) == 0;
    for (int k = 0; k < sk_DIST_POINT_num(dps) && f->o != O_REVOKED; k++) {
        const DIST_POINT *dp = sk_DIST_POINT_value(dps, k);
        int indirect = 0;
        if (!dp_usable(r->trust, dp, &indirect))
            continue;
        if (!indirect && direct_done)
            continue;
        check_dp(r, i, dp, indirect, f);
    }
    return f->o;
}

clid_err clid__crl_check(const clid__trust *trust, clid__crl_store *store,
                         const clid__crl_path *p, int64_t at, clid__revocation *rev,
                         char *detail, size_t cap)
{
    *rev = (clid__revocation){0};
    if (trust->crl_policy == CLID_CRL_IGNORE)
        return CLID_OK;
    run r = {.trust = trust, .store = store, .p = p, .at = at};
    finding invalid = {0}, unavailable = {0};
    int all = 1;
    ERR_set_mark();
    /* Below the trust anchor: RFC 5280 §6.1 takes the anchor as given. */
    for (int i = 0; i + 1 < p->n; i++) {
        finding f = {0};
        enum outcome o = check_depth(&r, i, &f);
        if (o == O_REVOKED) {
            ERR_pop_to_mark();
            rev->revoked = 1;
            clid__detail(detail, cap, "%s", f.why);
            return CLID_ERR_CERT_REVOKED;
        }
        if (o == O_INVALID && invalid.o == O_NONE)
            invalid = f;
        if (o == O_UNAVAILABLE && unavailable.o == O_NONE) {
            unavailable = f;
            snprintf(unavailable.why, sizeof unavailable.why, "certificate at depth %d: %.200s",
                     i, f.why);
        }
        all = all && (o == O_OK || (o == O_NONE && (p->unchecked & (1u << i)) == 0));
    }
    ERR_pop_to_mark();
    if (invalid.o != O_NONE) {
        clid__detail(detail, cap, "%s", invalid.why);
        return CLID_ERR_CRL_INVALID;
    }
    if (unavailable.o != O_NONE) {
        rev->unavailable = 1;
        clid__detail(detail, cap, "%s", unavailable.why);
        if (trust->crl_policy == CLID_CRL_REQUIRED)
            return CLID_ERR_CRL_UNAVAILABLE;
        rev->soft = CLID_ERR_CRL_UNAVAILABLE;
        return CLID_OK;
    }
    rev->checked = all;
    return CLID_OK;
}
