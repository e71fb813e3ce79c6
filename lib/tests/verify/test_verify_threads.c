/*
 * Unit tests of the verification pipeline (verify.c) through
 * clid_verify_identity: the certificate cache (the warm path, LRU
 * eviction) and four threads on one verifier. The fixture is
 * verify_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "verify/result_internal.h"
#include "x509/signer_cert.h"
#include "verify_fixture.h"

/* ------------------------------------------------------------------------ */
/* The certificate cache                                                     */
/* ------------------------------------------------------------------------ */

static unsigned long openssl_runs(const clid_result *r)
{
    assert_non_null(r->signer);
    return __atomic_load_n(&r->signer->openssl_runs, __ATOMIC_SEQ_CST);
}

static void warm_path(void **state)
{
    (void)state;
    fetch_table ft = {.n = 1, .url = {URL_F}, .pem = {chain_sp}, .max_age = 3600};
    clid_ctx *c = bare_ctx();
    assert_int_equal(clid_ctx_set_fetcher(c, table_fetch, &ft), CLID_OK);
    clid_verifier *v = tp_verifier_new(c);
    static const char *const dest2[] = {"13035550100"};
    clid_claims c1 = default_claims(), c2 = default_claims();
    c2.dest = dest2;
    c2.origid = NULL;
    c2.attest = 'B';
    char *h1 = sign_hdr(sp->key, URL_F, &c1);
    char *h2 = sign_hdr(sp->key, URL_F, &c2);
    clid_verify_input in1 = input(h1), in2 = input(h2);
    in2.dest = dest2[0];

    check(verify_on(v, &in1), CLID_OK, PASSED, 0);
    assert_int_equal(calls(&ft), 1);
    assert_int_equal(openssl_runs(res), 1);
    const clid__signer_cert *first = res->signer;
    /* A different header with the same x5u: no fetch, no parse, no chain
     * validation; only the signature check and the cheap ones. */
    check(verify_on(v, &in2), CLID_OK, PASSED, 0);
    assert_ptr_equal(res->signer, first);
    assert_int_equal(openssl_runs(res), 1);
    assert_int_equal(calls(&ft), 1);
    /* A warm failure is as precise as a cold one. */
    in2.dest = DEST;
    check(verify_on(v, &in2), CLID_ERR_DEST_MISMATCH, FAILED, 438);
    in2.dest = dest2[0];

    /* After clearing, everything happens once more. */
    clid_verifier_clear_cache(v);
    check(verify_on(v, &in2), CLID_OK, PASSED, 0);
    assert_int_equal(calls(&ft), 2);
    assert_int_equal(openssl_runs(res), 1);

    /* Without a cache every verification fetches and validates. */
    assert_int_equal(clid_verifier_set_cache_size(v, 0), CLID_OK);
    check(verify_on(v, &in1), CLID_OK, PASSED, 0);
    check(verify_on(v, &in2), CLID_OK, PASSED, 0);
    assert_int_equal(calls(&ft), 4);
    assert_int_equal(openssl_runs(res), 1);
    clid_verifier_free(v);
    clid_ctx_free(c);

    /* The offline map and a given chain are cached too. */
    v = tp_verifier_new(ctx);
    in1 = input(h1);
    in1.chain_pem = chain_sp;
    in1.chain_len = strlen(chain_sp);
    in2 = input(h2);
    in2.dest = dest2[0];
    in2.chain_pem = chain_sp;
    in2.chain_len = strlen(chain_sp);
    check(verify_on(v, &in1), CLID_OK, PASSED, 0);
    first = res->signer;
    check(verify_on(v, &in2), CLID_OK, PASSED, 0);
    assert_ptr_equal(res->signer, first);
    assert_int_equal(openssl_runs(res), 1);
    char *m1 = sign_hdr(sp->key, URL_SP, &c1);
    char *m2 = sign_hdr(sp->key, URL_SP, &c2);
    in1 = input(m1);
    in2 = input(m2);
    in2.dest = dest2[0];
    check(verify_on(v, &in1), CLID_OK, PASSED, 0);
    first = res->signer;
    check(verify_on(v, &in2), CLID_OK, PASSED, 0);
    assert_ptr_equal(res->signer, first);
    assert_int_equal(openssl_runs(res), 1);
    clid_verifier_free(v);
    free(m1);
    free(m2);
    free(h1);
    free(h2);
}

static void cache_eviction_lru(void **state)
{
    (void)state;
    tp_cert *leaves[3];
    char *chains[3], *hdrs[3];
    static const char *const urls[] = {"https://e.example/0.pem", "https://e.example/1.pem",
                                       "https://e.example/2.pem"};
    fetch_table ft = {.n = 3, .max_age = 3600};
    for (size_t i = 0; i < 3; i++) {
        leaves[i] = tp_issue(&(tp_spec){.cn = "SHAKEN 709J", .tnauth = "spc:709J"}, inter);
        chains[i] = tp_cat(leaves[i]->pem, inter->pem, NULL);
        ft.url[i] = urls[i];
        ft.pem[i] = chains[i];
        hdrs[i] = sign_default(leaves[i]->key, urls[i]);
    }
    clid_ctx *c = bare_ctx();
    assert_int_equal(clid_ctx_set_fetcher(c, table_fetch, &ft), CLID_OK);
    clid_verifier *v = tp_verifier_new(c);
    assert_int_equal(clid_verifier_set_cache_size(v, 2), CLID_OK);
    static const struct {
        size_t hdr;
        unsigned calls;
    } steps[] = {{0, 1}, {1, 2}, {0, 2}, {2, 3}, {0, 3}, {1, 4}, {2, 5}, {1, 5}};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        clid_verify_input in = input(hdrs[steps[i].hdr]);
        check(verify_on(v, &in), CLID_OK, PASSED, 0);
        assert_int_equal(calls(&ft), steps[i].calls);
    }
    clid_verifier_free(v);
    clid_ctx_free(c);
    for (size_t i = 0; i < 3; i++) {
        tp_free(leaves[i]);
        free(chains[i]);
        free(hdrs[i]);
    }
}

/* ------------------------------------------------------------------------ */
/* Threads                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct tcase {
    char *identity;
    const char *orig;
    const char *dest;
    int64_t now;
    const char *chain;
    clid_err want;
} tcase;

typedef struct targ {
    clid_verifier *v;
    const tcase *cases;
    size_t n_cases;
    size_t iters;
    size_t offset;
    int failures;
} targ;

static void *verify_loop(void *p)
{
    targ *a = p;
    clid_result *r = NULL;
    if (clid_result_new(&r) != CLID_OK) {
        a->failures++;
        return NULL;
    }
    for (size_t i = 0; i < a->iters; i++) {
        const tcase *tc = &a->cases[(a->offset + i) % a->n_cases];
        clid_verify_input in = {.identity = tc->identity, .orig = tc->orig, .dest = tc->dest,
                                .now = tc->now, .chain_pem = tc->chain,
                                .chain_len = tc->chain ? strlen(tc->chain) : 0};
        /* Every third verification without a result object. */
        clid_result *use = i % 3 == 2 ? NULL : r;
        clid_err rc = clid_verify_identity(a->v, &in, use);
        if (rc != tc->want || (use != NULL && clid_result_reason(use) != tc->want))
            a->failures++;
        else if (use != NULL && rc == CLID_OK &&
                 (clid_result_orig(use) == NULL || strcmp(clid_result_orig(use), tc->orig) != 0 ||
                  clid_result_signer_subject(use) == NULL))
            a->failures++;
    }
    clid_result_free(r);
    return NULL;
}

static void run_threads(clid_verifier *v, const tcase *cases, size_t n_cases, size_t iters)
{
    pthread_t th[4];
    targ args[4];
    for (size_t t = 0; t < 4; t++) {
        args[t] = (targ){.v = v, .cases = cases, .n_cases = n_cases, .iters = iters,
                         .offset = t * 3};
        assert_int_equal(pthread_create(&th[t], NULL, verify_loop, &args[t]), 0);
    }
    for (size_t t = 0; t < 4; t++) {
        assert_int_equal(pthread_join(th[t], NULL), 0);
        assert_int_equal(args[t].failures, 0);
    }
}

static void four_threads_one_verifier(void **state)
{
    (void)state;
    EVP_PKEY *stranger = EVP_EC_gen("P-256");
    assert_non_null(stranger);
    clid_claims in_range = default_claims(), out_of_range = default_claims();
    in_range.orig = "12025550042";
    out_of_range.orig = "12025559999";
    tcase cases[] = {
        {sign_default(sp->key, URL_SP), ORIG, DEST, 0, NULL, CLID_OK},
        {sign_hdr(range_leaf->key, URL_RANGE, &in_range), "12025550042", DEST, 0, NULL, CLID_OK},
        {sign_default(sp->key, URL_SP), ORIG, "19995550000", 0, NULL, CLID_ERR_DEST_MISMATCH},
        {forge_ex(HDR_SP, CLAIMS_OK, CLAIMS_OK, stranger, SIG_RAW, PARAMS_SP), ORIG, DEST, 0,
         NULL, CLID_ERR_SIGNATURE_INVALID},
        {sign_hdr(range_leaf->key, URL_RANGE, &out_of_range), "12025559999", DEST, 0, NULL,
         CLID_ERR_TN_NOT_AUTHORIZED},
        {sign_default(untrusted_leaf->key, URL_UNTRUSTED), ORIG, DEST, 0, NULL,
         CLID_ERR_CERT_UNTRUSTED},
        {sign_default(sp->key, URL_SP), ORIG, DEST, TP_T0 + 61, NULL, CLID_ERR_IAT_STALE},
        {NULL, ORIG, DEST, 0, NULL, CLID_ERR_NO_IDENTITY},
        {sign_default(sp->key, "https://unmapped.example/x.pem"), ORIG, DEST, 0, chain_sp,
         CLID_OK},
        {forge_ex(HDR_SP, CLAIMS_OK, CLAIMS_OK, sp->key, SIG_DER, PARAMS_SP), ORIG, DEST, 0, NULL,
         CLID_ERR_SIGNATURE_FORMAT},
        {sign_default(sp->key, "https://unmapped.example/y.pem"), ORIG, DEST, 0, NULL,
         CLID_ERR_X5U_UNMAPPED},
    };
    size_t n = sizeof cases / sizeof cases[0];
    /* A fresh verifier, so the threads race on the cold path too. */
    clid_verifier *v = tp_verifier_new(ctx);
    run_threads(v, cases, n, 60);
    clid_verifier_free(v);
    for (size_t i = 0; i < n; i++)
        free(cases[i].identity);
    EVP_PKEY_free(stranger);
}

static void four_threads_cache_eviction(void **state)
{
    (void)state;
    /* Four chains through a cache of two: entries are evicted while other
     * threads still hold them (reference counting keeps them alive). */
    tp_cert *leaves[4];
    char *chains[4];
    tcase cases[4];
    static const char *const urls[] = {"https://e.example/0.pem", "https://e.example/1.pem",
                                       "https://e.example/2.pem", "https://e.example/3.pem"};
    fetch_table ft = {.n = 4, .max_age = 3600};
    for (size_t i = 0; i < 4; i++) {
        leaves[i] = tp_issue(&(tp_spec){.cn = "SHAKEN 709J", .tnauth = "spc:709J"}, inter);
        chains[i] = tp_cat(leaves[i]->pem, inter->pem, NULL);
        ft.url[i] = urls[i];
        ft.pem[i] = chains[i];
        cases[i] = (tcase){sign_default(leaves[i]->key, urls[i]), ORIG, DEST, 0, NULL, CLID_OK};
    }
    clid_ctx *c = bare_ctx();
    assert_int_equal(clid_ctx_set_fetcher(c, table_fetch, &ft), CLID_OK);
    clid_verifier *v = tp_verifier_new(c);
    assert_int_equal(clid_verifier_set_cache_size(v, 2), CLID_OK);
    run_threads(v, cases, 4, 40);
    /* More fetches than chains: entries were evicted and fetched again. */
    assert_true(calls(&ft) > 4);
    clid_verifier_free(v);
    clid_ctx_free(c);
    for (size_t i = 0; i < 4; i++) {
        tp_free(leaves[i]);
        free(chains[i]);
        free(cases[i].identity);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(warm_path),
        cmocka_unit_test(cache_eviction_lru),
        cmocka_unit_test(four_threads_one_verifier),
        cmocka_unit_test(four_threads_cache_eviction),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
