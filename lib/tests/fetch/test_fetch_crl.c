/*
 * CRL retrieval (clid_fetcher_fetch_crl) against the local HTTPS server,
 * lib/tests/fetch/x5u_server.py (see fetch_fixture.h), and the STI-PA's
 * indirect CRL fetched end to end by a verifier: served over HTTPS on
 * loopback, cached, refreshed after nextUpdate, refused outside the URL
 * allow-list, bounded when huge or slow, shared by concurrent
 * verifications, and kept in the persistent directory.
 *
 * Without /usr/bin/python3 these tests are skipped with a message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/pem.h>

#include "fetch_fixture.h"
#include "fetch/fetch_internal.h"

#define ORIG "12025550100"
#define DEST "13035550199"
#define X5U "https://cert.example.org/dp.pem" /* mapped: only the CRL is fetched */

/* The SHAKEN PKI of these tests, made once the server's port is known:
 * root (the fixture's) -> dp_inter -> dp_leaf, both naming the STI-PA's CRL
 * at crl_url with cRLIssuer "STI-PA CRL" (stipa, under root). */
static tp_cert *stipa, *dp_inter, *dp_leaf;
static char *dp_chain;
static char crl_url[256], crl_file[160];

static int setup(void **state)
{
    group_setup(state);
    if (server_pid <= 0)
        return 0;
    snprintf(crl_url, sizeof crl_url, "%s", https("/crl/sti-pa.crl"));
    snprintf(crl_file, sizeof crl_file, "%s/sti-pa.crl", tmpdir);
    stipa = tp_issue(&(tp_spec){.cn = "STI-PA CRL", .ku = "critical,cRLSign"}, root);
    dp_inter = tp_issue(&(tp_spec){.cn = "STI-CA DP", .ca = 1, .not_before = TP_T0 - 365 * TP_DAY,
                                   .not_after = TP_T0 + 3 * 365 * TP_DAY, .crl_dp_url = crl_url,
                                   .crl_dp_issuer = stipa},
                        root);
    dp_leaf = tp_issue(&(tp_spec){.cn = "SHAKEN 709J", .tnauth = "spc:709J",
                                  .crl_dp_url = crl_url, .crl_dp_issuer = stipa},
                       dp_inter);
    dp_chain = tp_cat(dp_leaf->pem, dp_inter->pem, NULL);
    return 0;
}

static int teardown(void **state)
{
    tp_free(stipa);
    tp_free(dp_inter);
    tp_free(dp_leaf);
    free(dp_chain);
    return group_teardown(state);
}

/* Writes a CRL of the STI-PA into <tmpdir>/name for the server: DER,
 * revoking `serial` (0: nothing) of dp_inter, valid from `last` to `next`,
 * its issuingDistributionPoint naming `idp_url` (NULL: no name). */
static void publish_as(const char *name, const char *idp_url, long serial, int64_t last,
                       int64_t next)
{
    tp_revoked r = {.serial = serial ? serial : 1, .issuer = dp_inter};
    tp_crl_spec s = {.signer = stipa, .last = last, .next = next, .revoked = &r, .n = 1,
                     .idp = 1, .indirect = 1, .idp_url = idp_url, .der = 1};
    size_t len = 0;
    char *der = tp_crl_ex(&s, &len);
    char tmp[240], path[200];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    write_file(tmp, der, len);
    assert_int_equal(rename(tmp, path), 0); /* the server never reads half a file */
    free(der);
}

/* The STI-PA's CRL at crl_url. */
static void publish(long serial, int64_t last, int64_t next)
{
    publish_as("sti-pa.crl", crl_url, serial, last, next);
}

/* ------------------------------------------------------------------------ */
/* The fetcher                                                               */
/* ------------------------------------------------------------------------ */

static void crl_fetched_and_cached(void **state)
{
    (void)state;
    NEED_SERVER();
    t_now = TP_T0;
    publish(0, TP_T0 - TP_DAY, TP_T0 + 2 * 3600);
    clid_fetcher *f = new_fetcher();
    size_t len = 0;
    int64_t age = 0;
    int before = count("/crl/sti-pa.crl");
    assert_int_equal(clid_fetcher_fetch_crl(f, crl_url, buf, BUF_CAP, &len, &age), CLID_OK);
    assert_true(len > 0 && buf[0] == 0x30);
    assert_int_equal(age, -1); /* no caching headers */
    /* Cached until nextUpdate (2 h here, below the 24 h bound). */
    t_now = TP_T0 + 2 * 3600 - 1;
    assert_int_equal(clid_fetcher_fetch_crl(f, crl_url, buf, BUF_CAP, &len, &age), CLID_OK);
    assert_int_equal(age, 1);
    assert_int_equal(count("/crl/sti-pa.crl"), before + 1);
    t_now = TP_T0 + 2 * 3600;
    assert_int_equal(clid_fetcher_fetch_crl(f, crl_url, buf, BUF_CAP, &len, &age), CLID_OK);
    assert_int_equal(count("/crl/sti-pa.crl"), before + 2);
    /* That one is stale already (the publisher is late): kept a minute. */
    t_now += 59;
    assert_int_equal(clid_fetcher_fetch_crl(f, crl_url, buf, BUF_CAP, &len, &age), CLID_OK);
    assert_int_equal(count("/crl/sti-pa.crl"), before + 2);
    t_now += 1;
    assert_int_equal(clid_fetcher_fetch_crl(f, crl_url, buf, BUF_CAP, &len, &age), CLID_OK);
    assert_int_equal(count("/crl/sti-pa.crl"), before + 3);
    assert_stats(f, 3, 2, 0, 0);
    /* The server's max-age shortens the lifetime (not below 1 min). */
    t_now = TP_T0;
    const char *aged = https("/crlage/sti-pa.crl");
    char url2[256];
    snprintf(url2, sizeof url2, "%s", aged);
    publish(0, TP_T0 - TP_DAY, TP_T0 + 7 * TP_DAY);
    assert_int_equal(clid_fetcher_fetch_crl(f, url2, buf, BUF_CAP, &len, &age), CLID_OK);
    assert_int_equal(age, 120);
    t_now = TP_T0 + 119;
    assert_int_equal(clid_fetcher_fetch_crl(f, url2, buf, BUF_CAP, &len, &age), CLID_OK);
    assert_int_equal(count("/crlage/sti-pa.crl"), 1);
    t_now = TP_T0 + 120;
    assert_int_equal(clid_fetcher_fetch_crl(f, url2, buf, BUF_CAP, &len, &age), CLID_OK);
    assert_int_equal(count("/crlage/sti-pa.crl"), 2);
    clid_fetcher_free(f);
}

static void crl_expiry_bounds(void **state)
{
    (void)state;
    assert_int_equal(clid__crl_cache_expiry(1000, -1, 1000 + 3600), 1000 + 3600);
    assert_int_equal(clid__crl_cache_expiry(1000, -1, 1000 + 7 * 86400), 1000 + 86400);
    assert_int_equal(clid__crl_cache_expiry(1000, 10, 1000 + 3600), 1000 + 60);
    assert_int_equal(clid__crl_cache_expiry(1000, 600, 1000 + 3600), 1000 + 600);
    assert_int_equal(clid__crl_cache_expiry(1000, 600, 1000 + 30), 1000 + 30);
    assert_int_equal(clid__crl_cache_expiry(1000, 600, 1000), 1000 + 60);
    assert_int_equal(clid__crl_cache_expiry(1000, -1, 0), 1000 + 60); /* no nextUpdate */
}

static void crl_body_must_be_a_crl(void **state)
{
    (void)state;
    NEED_SERVER();
    t_now = TP_T0;
    clid_fetcher *f = new_fetcher();
    size_t len = 7;
    int64_t age = 0;
    /* A certificate chain is not a CRL; the same URL as x5u is a chain:
     * the two are cached apart. */
    int before = count("/chain.pem");
    assert_int_equal(clid_fetcher_fetch_crl(f, https("/chain.pem"), buf, BUF_CAP, &len, &age),
                     CLID_ERR_CRL_NOT_A_CRL);
    assert_int_equal(len, 0);
    assert_int_equal(fetch(f, https("/chain.pem"), &len, NULL), CLID_OK);
    assert_int_equal(count("/chain.pem"), before + 2);
    /* ... and the failure is remembered (negative cache). */
    assert_int_equal(clid_fetcher_fetch_crl(f, https("/chain.pem"), buf, BUF_CAP, &len, &age),
                     CLID_ERR_X5U_NEGATIVE_CACHED);
    assert_int_equal(count("/chain.pem"), before + 2);
    assert_int_equal(clid_fetcher_fetch_crl(f, https("/notpem"), buf, BUF_CAP, &len, &age),
                     CLID_ERR_CRL_NOT_A_CRL);
    /* PEM, one block, is fine; two are not. */
    publish(0, TP_T0 - TP_DAY, TP_T0 + TP_DAY);
    size_t dl = 0;
    uint8_t *der = read_whole(crl_file, &dl);
    BIO *bio = BIO_new(BIO_s_mem());
    assert_true(PEM_write_bio(bio, PEM_STRING_X509_CRL, "", der, (long)dl) > 0);
    char *pem = NULL;
    long pl = BIO_get_mem_data(bio, &pem);
    char path[200];
    snprintf(path, sizeof path, "%s/one.pem", tmpdir);
    write_file(path, pem, (size_t)pl);
    assert_int_equal(clid_fetcher_fetch_crl(f, https("/crl/one.pem"), buf, BUF_CAP, &len, &age),
                     CLID_OK);
    assert_int_equal(len, (size_t)pl);
    char *two = malloc(2 * (size_t)pl);
    memcpy(two, pem, (size_t)pl);
    memcpy(two + pl, pem, (size_t)pl);
    snprintf(path, sizeof path, "%s/two.pem", tmpdir);
    write_file(path, two, 2 * (size_t)pl);
    assert_int_equal(clid_fetcher_fetch_crl(f, https("/crl/two.pem"), buf, BUF_CAP, &len, &age),
                     CLID_ERR_CRL_NOT_A_CRL);
    /* DER with a byte more. */
    uint8_t *longer = malloc(dl + 1);
    memcpy(longer, der, dl);
    longer[dl] = 0;
    snprintf(path, sizeof path, "%s/longer.crl", tmpdir);
    write_file(path, longer, dl + 1);
    assert_int_equal(clid_fetcher_fetch_crl(f, https("/crl/longer.crl"), buf, BUF_CAP, &len,
                                            &age),
                     CLID_ERR_CRL_NOT_A_CRL);
    free(longer);
    free(two);
    BIO_free(bio);
    free(der);
    clid_fetcher_free(f);
}

static void huge_or_slow_crl_bounded(void **state)
{
    (void)state;
    NEED_SERVER();
    t_now = TP_T0;
    clid_fetcher *f = new_fetcher();
    size_t len = 0;
    int64_t age = 0;
    /* 2 MiB, above the default 1 MiB: refused before the body. */
    assert_int_equal(clid_fetcher_fetch_crl(f, https("/bigcrl"), buf, BUF_CAP, &len, &age),
                     CLID_ERR_X5U_TOO_LARGE);
    clid_fetcher_free(f);
    /* Within a raised limit it is read, and is no CRL (only a caller's
     * buffer of CLID_CRL_MAX_LEN can take it). */
    f = new_fetcher();
    assert_int_equal(clid_fetcher_set_crl_max_size(f, CLID_CRL_MAX_LEN), CLID_OK);
    uint8_t *big = malloc(CLID_CRL_MAX_LEN);
    assert_int_equal(clid_fetcher_fetch_crl(f, https("/bigcrl"), big, CLID_CRL_MAX_LEN, &len,
                                            &age),
                     CLID_ERR_CRL_NOT_A_CRL);
    free(big);
    /* A limit below a real CRL. */
    publish(0, TP_T0 - TP_DAY, TP_T0 + TP_DAY);
    assert_int_equal(clid_fetcher_set_crl_max_size(f, 100), CLID_OK);
    assert_int_equal(clid_fetcher_fetch_crl(f, crl_url, buf, BUF_CAP, &len, &age),
                     CLID_ERR_X5U_TOO_LARGE);
    /* The x5u limit does not apply to CRLs, nor the reverse. */
    assert_int_equal(clid_fetcher_set_crl_max_size(f, CLID_FETCH_CRL_DEFAULT_MAX), CLID_OK);
    assert_int_equal(clid_fetcher_set_max_size(f, 10), CLID_OK);
    assert_int_equal(clid_fetcher_fetch_crl(f, https("/crlage/sti-pa.crl"), buf, BUF_CAP, &len,
                                            &age),
                     CLID_OK);
    /* Limits. */
    assert_int_equal(clid_fetcher_set_crl_max_size(f, 0), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_fetcher_set_crl_max_size(f, CLID_CRL_MAX_LEN + 1),
                     CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_fetcher_set_crl_max_size(NULL, 100), CLID_ERR_INVALID_ARGUMENT);
    clid_fetcher_free(f);
    /* Slow: the total timeout holds. */
    f = new_fetcher();
    assert_int_equal(clid_fetcher_set_timeouts(f, 500, 500), CLID_OK);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(clid_fetcher_fetch_crl(f, https("/slow"), buf, BUF_CAP, &len, &age),
                     CLID_ERR_X5U_TIMEOUT);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_true(took >= 0.45 && took < 5.0);
    clid_fetcher_free(f);
}

static void crl_in_persistent_dir(void **state)
{
    (void)state;
    NEED_SERVER();
    t_now = TP_T0;
    publish(0, TP_T0 - TP_DAY, TP_T0 + TP_DAY);
    const char *dir = new_cache_dir();
    clid_fetcher *a = new_fetcher();
    assert_int_equal(clid_fetcher_set_cache_dir(a, dir), CLID_OK);
    size_t len = 0, len2 = 0;
    int64_t age = 0;
    int before = count("/crl/sti-pa.crl");
    assert_int_equal(clid_fetcher_fetch_crl(a, crl_url, buf, BUF_CAP, &len, &age), CLID_OK);
    uint8_t *first = malloc(len);
    memcpy(first, buf, len);
    /* Another fetcher (a restarted process) reads it from the directory. */
    clid_fetcher *b = new_fetcher();
    assert_int_equal(clid_fetcher_set_cache_dir(b, dir), CLID_OK);
    assert_int_equal(clid_fetcher_fetch_crl(b, crl_url, buf, BUF_CAP, &len2, &age), CLID_OK);
    assert_int_equal(len2, len);
    assert_memory_equal(buf, first, len);
    assert_int_equal(count("/crl/sti-pa.crl"), before + 1);
    assert_stats(b, 0, 1, 0, 0);
    /* ... not as an x5u chain: that is another entry. */
    assert_int_equal(fetch(b, crl_url, &len2, NULL), CLID_ERR_X5U_NOT_PEM);
    assert_int_equal(count("/crl/sti-pa.crl"), before + 2);
    free(first);
    clid_fetcher_free(a);
    clid_fetcher_free(b);
}

/* ------------------------------------------------------------------------ */
/* End to end: a verifier fetching the STI-PA's CRL                          */
/* ------------------------------------------------------------------------ */

static char *sign_dp(void)
{
    static const char *const dest[] = {DEST};
    clid_claims c = {.orig = ORIG, .dest = dest, .dest_count = 1, .attest = 'A'};
    clid_signer *s = tp_signer_key(dp_leaf->key, NULL, X5U, &t_now);
    char *out = malloc(4096);
    size_t len = 0;
    assert_int_equal(clid_sign_identity(s, &c, out, 4096, &len), CLID_OK);
    clid_signer_free(s);
    return out;
}

typedef struct e2e {
    clid_fetcher *f;
    clid_ctx *ctx;
    clid_verifier *v;
    clid_result *res;
} e2e;

/* A context trusting root with stipa as CRL signer, dp_chain mapped at
 * X5U, the fetcher fetching CRLs under `prefix`. */
static void e2e_open(e2e *e, const char *prefix)
{
    e->f = new_fetcher();
    assert_int_equal(clid_ctx_new(&e->ctx), CLID_OK);
    assert_int_equal(clid_ctx_add_trust_pem(e->ctx, root->pem, strlen(root->pem)), CLID_OK);
    assert_int_equal(clid_ctx_add_crl_signer_pem(e->ctx, stipa->pem, strlen(stipa->pem)),
                     CLID_OK);
    assert_int_equal(clid_ctx_add_x5u_pem(e->ctx, X5U, dp_chain, strlen(dp_chain)), CLID_OK);
    assert_int_equal(clid_ctx_set_clock(e->ctx, tp_fixed_clock, &t_now), CLID_OK);
    assert_int_equal(clid_ctx_set_crl_fetcher(e->ctx, clid_fetcher_fetch_crl, e->f), CLID_OK);
    if (prefix)
        assert_int_equal(clid_ctx_add_crl_url_prefix(e->ctx, prefix), CLID_OK);
    assert_int_equal(clid_verifier_new(e->ctx, &e->v), CLID_OK);
    assert_int_equal(clid_result_new(&e->res), CLID_OK);
}

static void e2e_close(e2e *e)
{
    clid_result_free(e->res);
    clid_verifier_free(e->v);
    clid_ctx_free(e->ctx);
    clid_fetcher_free(e->f);
}

static clid_err e2e_verify(e2e *e)
{
    char *hdr = sign_dp();
    clid_verify_input in = {.identity = hdr, .orig = ORIG, .dest = DEST};
    clid_err rc = clid_verify_identity(e->v, &in, e->res);
    free(hdr);
    return rc;
}

static void revoked_leaf_through_fetched_crl(void **state)
{
    (void)state;
    NEED_SERVER();
    t_now = TP_T0;
    publish(0, TP_T0 - TP_DAY, TP_T0 + 2 * 3600);
    e2e e;
    char prefix[128];
    snprintf(prefix, sizeof prefix, "https://localhost:%d/crl/", port_https);
    e2e_open(&e, prefix);
    int before = count("/crl/sti-pa.crl");
    /* Passes, checked; ten calls, one request. */
    for (int i = 0; i < 10; i++) {
        assert_int_equal(e2e_verify(&e), CLID_OK);
        assert_int_equal(clid_result_revocation_checked(e.res), 1);
        assert_int_equal(clid_result_warning_count(e.res), 0);
    }
    assert_int_equal(count("/crl/sti-pa.crl"), before + 1);
    /* The STI-PA revokes the leaf. Until nextUpdate the cached CRL holds;
     * after it the verifier fetches the new one, which revokes. */
    publish(dp_leaf->serial, TP_T0 + 3600, TP_T0 + 7 * TP_DAY);
    t_now = TP_T0 + 2 * 3600 - 120; /* the header's iat follows t_now */
    assert_int_equal(e2e_verify(&e), CLID_OK);
    assert_int_equal(count("/crl/sti-pa.crl"), before + 1);
    t_now = TP_T0 + 2 * 3600;
    assert_int_equal(e2e_verify(&e), CLID_ERR_CERT_REVOKED);
    assert_int_equal(clid_result_sip_status(e.res), 437);
    assert_int_equal(count("/crl/sti-pa.crl"), before + 2);
    clid_verifier_stats st;
    clid_verifier_get_stats(e.v, &st);
    assert_int_equal(st.crl_fetches, 2);
    assert_int_equal(st.crl_revoked, 1);
    assert_int_equal(st.verifications, 12);
    e2e_close(&e);
}

static void outside_allow_list_not_fetched(void **state)
{
    (void)state;
    NEED_SERVER();
    t_now = TP_T0;
    publish(dp_leaf->serial, TP_T0 - TP_DAY, TP_T0 + TP_DAY);
    e2e e;
    /* Allowed: another path on the same server. */
    char prefix[128];
    snprintf(prefix, sizeof prefix, "https://localhost:%d/other/", port_https);
    e2e_open(&e, prefix);
    int before = count("/crl/sti-pa.crl");
    assert_int_equal(e2e_verify(&e), CLID_OK);
    assert_int_equal(clid_result_warning_count(e.res), 1);
    assert_int_equal(clid_result_warning(e.res, 0), CLID_ERR_CRL_UNAVAILABLE);
    assert_int_equal(clid_result_revocation_checked(e.res), 0);
    assert_non_null(strstr(clid_result_detail(e.res), "not under an allowed prefix"));
    assert_int_equal(count("/crl/sti-pa.crl"), before);
    clid_fetcher_stats fs;
    clid_fetcher_get_stats(e.f, &fs);
    assert_int_equal(fs.requests, 0);
    e2e_close(&e);
}

static void unavailable_crl_per_policy(void **state)
{
    (void)state;
    NEED_SERVER();
    t_now = TP_T0;
    /* The distribution point's URL answers 2 MiB: refused by size. */
    tp_cert *leaf2 = tp_issue(&(tp_spec){.cn = "SHAKEN 709J", .tnauth = "spc:709J",
                                         .crl_dp_url = https("/bigcrl"), .crl_dp_issuer = stipa},
                              dp_inter);
    publish(0, TP_T0 - TP_DAY, TP_T0 + TP_DAY);
    e2e e;
    char prefix[128];
    snprintf(prefix, sizeof prefix, "https://localhost:%d/", port_https);
    e2e_open(&e, prefix);
    char *chain2 = tp_cat(leaf2->pem, dp_inter->pem, NULL);
    assert_int_equal(clid_ctx_add_x5u_pem(e.ctx, X5U, chain2, strlen(chain2)), CLID_OK);
    EVP_PKEY *saved = dp_leaf->key;
    dp_leaf->key = leaf2->key;
    assert_int_equal(e2e_verify(&e), CLID_OK);
    assert_int_equal(clid_result_warning(e.res, 0), CLID_ERR_CRL_UNAVAILABLE);
    assert_non_null(strstr(clid_result_detail(e.res), "CLID_ERR_X5U_TOO_LARGE"));
    assert_int_equal(clid_ctx_set_crl_policy(e.ctx, CLID_CRL_REQUIRED), CLID_OK);
    assert_int_equal(e2e_verify(&e), CLID_ERR_CRL_UNAVAILABLE);
    assert_int_equal(clid_result_sip_status(e.res), 437);
    clid_verifier_stats st;
    clid_verifier_get_stats(e.v, &st);
    assert_int_equal(st.crl_unavailable, 2);
    dp_leaf->key = saved;
    free(chain2);
    e2e_close(&e);
    tp_free(leaf2);
}

struct racer {
    e2e *e;
    pthread_barrier_t *bar;
    clid_err rc;
};

static void *race(void *arg)
{
    struct racer *r = arg;
    r->rc = CLID_ERR_INTERNAL;
    char *hdr = sign_dp();
    pthread_barrier_wait(r->bar);
    clid_verify_input in = {.identity = hdr, .orig = ORIG, .dest = DEST};
    clid_result *res = NULL;
    if (clid_result_new(&res) == CLID_OK) {
        r->rc = clid_verify_identity(r->e->v, &in, res);
        if (r->rc == CLID_OK && !clid_result_revocation_checked(res))
            r->rc = CLID_ERR_CRL_UNAVAILABLE;
    }
    clid_result_free(res);
    free(hdr);
    return NULL;
}

static void concurrent_verifications_share_one_fetch(void **state)
{
    (void)state;
    NEED_SERVER();
    t_now = TP_T0;
    tp_cert *leaf3 = tp_issue(&(tp_spec){.cn = "SHAKEN 709J", .tnauth = "spc:709J",
                                         .crl_dp_url = https("/delaycrl/any.crl"),
                                         .crl_dp_issuer = stipa},
                              dp_inter);
    publish(0, TP_T0 - TP_DAY, TP_T0 + TP_DAY);
    publish_as("any.crl", NULL, 0, TP_T0 - TP_DAY, TP_T0 + TP_DAY);
    e2e e;
    char prefix[128];
    snprintf(prefix, sizeof prefix, "https://localhost:%d/", port_https);
    e2e_open(&e, prefix);
    char *chain3 = tp_cat(leaf3->pem, dp_inter->pem, NULL);
    assert_int_equal(clid_ctx_add_x5u_pem(e.ctx, X5U, chain3, strlen(chain3)), CLID_OK);
    EVP_PKEY *saved = dp_leaf->key;
    dp_leaf->key = leaf3->key;
    int before = count("/delaycrl/any.crl");
    pthread_barrier_t bar;
    pthread_barrier_init(&bar, NULL, 4);
    pthread_t t[4];
    struct racer r[4];
    for (int i = 0; i < 4; i++) {
        r[i] = (struct racer){.e = &e, .bar = &bar};
        assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(r[i].rc, CLID_OK);
    }
    pthread_barrier_destroy(&bar);
    /* The 300 ms answer was asked for once: the other threads waited for
     * that transfer (the fetcher's in-flight sharing). */
    assert_int_equal(count("/delaycrl/any.crl"), before + 1);
    dp_leaf->key = saved;
    free(chain3);
    e2e_close(&e);
    tp_free(leaf3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crl_expiry_bounds),
        cmocka_unit_test(crl_fetched_and_cached),
        cmocka_unit_test(crl_body_must_be_a_crl),
        cmocka_unit_test(huge_or_slow_crl_bounded),
        cmocka_unit_test(crl_in_persistent_dir),
        cmocka_unit_test(revoked_leaf_through_fetched_crl),
        cmocka_unit_test(outside_allow_list_not_fetched),
        cmocka_unit_test(unavailable_crl_per_policy),
        cmocka_unit_test(concurrent_verifications_share_one_fetch),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
