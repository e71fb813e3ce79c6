/*
 * Unit tests of the verification pipeline (verify.c) through
 * clid_verify_identity: where the signer's certificate comes from (the
 * offline x5u map, a chain given with the request, the fetcher) and how
 * the fetched chains are kept. The fixture is verify_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "verify_fixture.h"

/* ------------------------------------------------------------------------ */
/* Certificate sources                                                       */
/* ------------------------------------------------------------------------ */

static void x5u_unmapped(void **state)
{
    (void)state;
    char *hdr = sign_default(sp->key, "https://unmapped.example/x.pem");
    expect_free(hdr, CLID_ERR_X5U_UNMAPPED, FAILED, 436);
    assert_string_equal(clid_result_x5u(res), "https://unmapped.example/x.pem");
    assert_null(clid_result_signer_subject(res));
}

static void x5u_map(void **state)
{
    (void)state;
    /* From a file, read when mapped. */
    char path[] = "/tmp/clid_test_verify_chainXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, chain_range, strlen(chain_range)), (ssize_t)strlen(chain_range));
    close(fd);
    clid_ctx *c = bare_ctx();
    assert_int_equal(clid_ctx_add_x5u_file(c, URL_X, path), CLID_OK);
    unlink(path);
    clid_verifier *v = tp_verifier_new(c);
    clid_claims cl = default_claims();
    cl.orig = "12025550042";
    char *hdr = sign_hdr(range_leaf->key, URL_X, &cl);
    clid_verify_input in = input(hdr);
    in.orig = cl.orig;
    check(verify_on(v, &in), CLID_OK, PASSED, 0);
    assert_string_equal(clid_result_signer_subject(res), "CN=SHAKEN range");
    free(hdr);
    clid_verifier_free(v);
    clid_ctx_free(c);

    /* What the map serves is parsed at verification. */
    static const char *junk[] = {
        "no PEM here",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    };
    for (size_t i = 0; i < 2; i++) {
        c = bare_ctx();
        tp_ctx_map(c, URL_X, junk[i]);
        v = tp_verifier_new(c);
        hdr = sign_default(sp->key, URL_X);
        in = input(hdr);
        check(verify_on(v, &in), CLID_ERR_X5U_NOT_PEM, FAILED, 436);
        free(hdr);
        clid_verifier_free(v);
        clid_ctx_free(c);
    }
    /* A certificate block that is not a certificate. */
    char *bad = tp_cat("-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n",
                       inter->pem, NULL);
    c = bare_ctx();
    tp_ctx_map(c, URL_X, bad);
    v = tp_verifier_new(c);
    hdr = sign_default(sp->key, URL_X);
    in = input(hdr);
    check(verify_on(v, &in), CLID_ERR_CERT_PARSE, FAILED, 437);
    free(hdr);
    free(bad);
    clid_verifier_free(v);
    clid_ctx_free(c);
}

static void x5u_map_replaced(void **state)
{
    (void)state;
    /* Mapping a URL again replaces its chain (clid.h), also for a verifier
     * that has already used the old one. */
    clid_ctx *c = bare_ctx();
    tp_ctx_map(c, URL_X, chain_sp);
    clid_verifier *v = tp_verifier_new(c);
    char *hdr = sign_default(sp->key, URL_X);
    clid_verify_input in = input(hdr);
    check(verify_on(v, &in), CLID_OK, PASSED, 0);
    tp_ctx_map(c, URL_X, chain_untrusted);
    check(verify_on(v, &in), CLID_ERR_CERT_UNTRUSTED, FAILED, 437);
    tp_ctx_map(c, URL_X, chain_sp);
    check(verify_on(v, &in), CLID_OK, PASSED, 0);
    free(hdr);
    clid_verifier_free(v);
    clid_ctx_free(c);
}

static void chain_given(void **state)
{
    (void)state;
    /* The caller's chain is used whatever x5u says. */
    char *hdr = sign_default(sp->key, "https://unmapped.example/x.pem");
    clid_verify_input in = input(hdr);
    in.chain_pem = chain_sp;
    in.chain_len = strlen(chain_sp);
    check(verify_on(ver, &in), CLID_OK, PASSED, 0);
    assert_string_equal(clid_result_signer_subject(res), "CN=SHAKEN 709J");
    /* ... and it must be the signer's. */
    clid_claims c = default_claims();
    c.orig = "12025550042";
    char *in_range = sign_hdr(sp->key, "https://unmapped.example/x.pem", &c);
    clid_verify_input in2 = input(in_range);
    in2.orig = c.orig;
    in2.chain_pem = chain_range;
    in2.chain_len = strlen(chain_range);
    check(verify_on(ver, &in2), CLID_ERR_SIGNATURE_INVALID, FAILED, 438);
    free(in_range);
    in.chain_pem = chain_untrusted;
    in.chain_len = strlen(chain_untrusted);
    check(verify_on(ver, &in), CLID_ERR_CERT_UNTRUSTED, FAILED, 437);
    /* Bounded. */
    char *huge = malloc(CLID_CHAIN_MAX_LEN + 2);
    assert_non_null(huge);
    memset(huge, '\n', CLID_CHAIN_MAX_LEN + 1);
    huge[CLID_CHAIN_MAX_LEN + 1] = '\0';
    memcpy(huge, chain_sp, strlen(chain_sp));
    in.chain_pem = huge;
    in.chain_len = CLID_CHAIN_MAX_LEN + 1;
    check(verify_on(ver, &in), CLID_ERR_X5U_TOO_LARGE, FAILED, 436);
    in.chain_len = CLID_CHAIN_MAX_LEN;
    check(verify_on(ver, &in), CLID_OK, PASSED, 0);
    free(huge);
    free(hdr);
}

/* A header by sp for URL_F with iat `iat`, verified at `iat`. */
static clid_err verify_fetched(clid_verifier *v, int64_t iat)
{
    clid_claims c = default_claims();
    c.iat = iat;
    char *hdr = sign_hdr(sp->key, URL_F, &c);
    clid_verify_input in = input(hdr);
    in.now = iat;
    clid_err rc = verify_on(v, &in);
    free(hdr);
    return rc;
}

/* Fetches at TP_T0, then checks the chain is still cached at `until` - 1
 * and fetched again at `until`. */
static void fetch_expiry_case(int64_t max_age, int64_t until, const char *pem)
{
    fetch_table ft = {.n = 1, .url = {URL_F}, .pem = {pem}, .max_age = max_age};
    clid_ctx *c = bare_ctx();
    assert_int_equal(clid_ctx_set_fetcher(c, table_fetch, &ft), CLID_OK);
    clid_verifier *v = tp_verifier_new(c);
    for (int i = 0; i < 5; i++)
        assert_int_equal(verify_fetched(v, TP_T0 + i), CLID_OK);
    assert_int_equal(calls(&ft), 1);
    assert_int_equal(verify_fetched(v, until - 1), CLID_OK);
    assert_int_equal(calls(&ft), 1);
    (void)verify_fetched(v, until);
    assert_int_equal(calls(&ft), 2);
    clid_verifier_free(v);
    clid_ctx_free(c);
}

static void fetcher_cache(void **state)
{
    (void)state;
    /* max-age honoured, and bounded to [5 min, 24 h]. */
    fetch_expiry_case(600, TP_T0 + 600, chain_sp);
    fetch_expiry_case(10, TP_T0 + 300, chain_sp);
    fetch_expiry_case(-1, TP_T0 + 86400, chain_sp);
    fetch_expiry_case(INT64_C(1) << 40, TP_T0 + 86400, chain_sp);
    /* Never past the leaf's notAfter. */
    tp_cert *shortlived = tp_issue(&(tp_spec){.cn = "short", .tnauth = "spc:709J",
                                              .not_before = TP_T0 - TP_DAY,
                                              .not_after = TP_T0 + 1000},
                                   inter);
    char *chain = tp_cat(shortlived->pem, inter->pem, NULL);
    fetch_table ft = {.n = 1, .url = {URL_F}, .pem = {chain}, .max_age = -1};
    clid_ctx *c = bare_ctx();
    assert_int_equal(clid_ctx_set_fetcher(c, table_fetch, &ft), CLID_OK);
    clid_verifier *v = tp_verifier_new(c);
    clid_claims cl = default_claims();
    for (int64_t at = TP_T0; at <= TP_T0 + 1000; at += 500) {
        cl.iat = at;
        char *hdr = sign_hdr(shortlived->key, URL_F, &cl);
        clid_verify_input in = input(hdr);
        in.now = at;
        clid_err rc = verify_on(v, &in);
        assert_int_equal(rc, at < TP_T0 + 1000 ? CLID_OK : CLID_ERR_CERT_EXPIRED);
        assert_int_equal(calls(&ft), at < TP_T0 + 1000 ? 1 : 2);
        free(hdr);
    }
    clid_verifier_free(v);
    clid_ctx_free(c);
    free(chain);
    tp_free(shortlived);

    /* The offline map comes first. */
    ft = (fetch_table){.n = 1, .url = {URL_SP}, .pem = {chain_range}};
    c = new_ctx();
    assert_int_equal(clid_ctx_set_fetcher(c, table_fetch, &ft), CLID_OK);
    v = tp_verifier_new(c);
    char *hdr = sign_default(sp->key, URL_SP);
    clid_verify_input in = input(hdr);
    check(verify_on(v, &in), CLID_OK, PASSED, 0);
    assert_int_equal(calls(&ft), 0);
    free(hdr);
    clid_verifier_free(v);
    clid_ctx_free(c);

    /* Cheap checks come before any retrieval. */
    ft = (fetch_table){.n = 1, .url = {URL_F}, .pem = {chain_sp}};
    c = bare_ctx();
    assert_int_equal(clid_ctx_set_fetcher(c, table_fetch, &ft), CLID_OK);
    v = tp_verifier_new(c);
    hdr = sign_default(sp->key, URL_F);
    in = input(hdr);
    in.now = TP_T0 + 3600;
    check(verify_on(v, &in), CLID_ERR_IAT_STALE, FAILED, 403);
    in = input(hdr);
    in.orig = "19995550000";
    check(verify_on(v, &in), CLID_ERR_ORIG_MISMATCH, FAILED, 438);
    char *der = forge_ex(HDR(Q("ES256"), Q("shaken"), Q("passport"), Q(URL_F)), CLAIMS_OK,
                         CLAIMS_OK, sp->key, SIG_DER,
                         ";info=<" URL_F ">;alg=ES256;ppt=shaken");
    in = input(der);
    check(verify_on(v, &in), CLID_ERR_SIGNATURE_FORMAT, FAILED, 438);
    assert_int_equal(calls(&ft), 0);
    free(der);
    free(hdr);
    clid_verifier_free(v);
    clid_ctx_free(c);
}

static void fetcher_errors(void **state)
{
    (void)state;
    static const clid_err codes[] = {
        CLID_ERR_X5U_URL_POLICY, CLID_ERR_X5U_UNREACHABLE, CLID_ERR_X5U_TIMEOUT,
        CLID_ERR_X5U_HTTP_STATUS, CLID_ERR_X5U_REDIRECT, CLID_ERR_X5U_TOO_LARGE,
        CLID_ERR_X5U_NOT_PEM, CLID_ERR_X5U_NEGATIVE_CACHED, CLID_ERR_X5U_TLS,
    };
    fetch_table ft = {.n = 1, .url = {URL_F}, .pem = {chain_sp}, .max_age = 600};
    clid_ctx *c = bare_ctx();
    assert_int_equal(clid_ctx_set_fetcher(c, table_fetch, &ft), CLID_OK);
    clid_verifier *v = tp_verifier_new(c);
    char *hdr = sign_default(sp->key, URL_F);
    clid_verify_input in = input(hdr);
    unsigned n = 0;
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        ft.rc = codes[i];
        check(verify_on(v, &in), codes[i], FAILED, 436);
        /* A failure is not cached here (negative caching is the fetcher's). */
        assert_int_equal(calls(&ft), ++n);
    }
    /* A fetcher claiming more than the buffer holds. */
    ft.rc = CLID_OK;
    ft.overflow = 1;
    check(verify_on(v, &in), CLID_ERR_X5U_TOO_LARGE, FAILED, 436);
    ft.overflow = 0;
    /* A body that is not PEM. */
    ft.pem[0] = "<html>404</html>";
    check(verify_on(v, &in), CLID_ERR_X5U_NOT_PEM, FAILED, 436);
    /* Recovers. */
    ft.pem[0] = chain_sp;
    check(verify_on(v, &in), CLID_OK, PASSED, 0);
    n = calls(&ft);
    check(verify_on(v, &in), CLID_OK, PASSED, 0);
    assert_int_equal(calls(&ft), n);
    assert_int_equal(clid_ctx_set_fetcher(NULL, table_fetch, &ft), CLID_ERR_INVALID_ARGUMENT);
    free(hdr);
    clid_verifier_free(v);
    clid_ctx_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(x5u_unmapped),
        cmocka_unit_test(x5u_map),
        cmocka_unit_test(x5u_map_replaced),
        cmocka_unit_test(chain_given),
        cmocka_unit_test(fetcher_cache),
        cmocka_unit_test(fetcher_errors),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
