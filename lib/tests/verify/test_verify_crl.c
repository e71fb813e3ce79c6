/*
 * Revocation as deployed through the whole pipeline (clid_verify_identity):
 * a signer whose certificates name the STI-PA's indirect CRL in their CRL
 * Distribution Points. What the caller sees: the verdict (437 for a revoked
 * signer), the warning CLID_ERR_CRL_UNAVAILABLE when the CRL cannot be had
 * and the policy lets the call pass, clid_result_revocation_checked, and
 * the verifier's counters. The checks themselves are tested in
 * lib/tests/x509/test_crl*.c; the fixture is verify_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "verify_fixture.h"

#define URL_CRL "https://crl.sti-pa.test/sti-pa.crl"

static tp_cert *stipa, *dp_inter, *dp_leaf;
static char *dp_chain;

static int setup(void **state)
{
    group_setup(state);
    stipa = tp_issue(&(tp_spec){.cn = "STI-PA CRL", .ku = "critical,cRLSign"}, root);
    dp_inter = tp_issue(&(tp_spec){.cn = "Test STI-CA 2", .ca = 1,
                                   .not_before = TP_T0 - 365 * TP_DAY,
                                   .not_after = TP_T0 + 3 * 365 * TP_DAY,
                                   .crl_dp_url = URL_CRL, .crl_dp_issuer = stipa},
                        root);
    dp_leaf = tp_issue(&(tp_spec){.cn = "SHAKEN 709J", .tnauth = "spc:709J",
                                  .crl_dp_url = URL_CRL, .crl_dp_issuer = stipa},
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

static char *stipa_crl_revoking(const tp_cert *revoked)
{
    tp_revoked r = {.serial = revoked ? revoked->serial : 1, .issuer = dp_inter};
    tp_crl_spec s = {.signer = stipa, .last = TP_T0 - TP_DAY, .next = TP_T0 + 7 * TP_DAY,
                     .revoked = &r, .n = 1, .idp = 1, .indirect = 1, .idp_url = URL_CRL};
    return tp_crl_ex(&s, NULL);
}

/* A context trusting root, serving dp_chain at URL_X, with stipa as CRL
 * signer. */
static clid_ctx *dp_ctx(void)
{
    clid_ctx *c = bare_ctx();
    tp_ctx_map(c, URL_X, dp_chain);
    assert_int_equal(clid_ctx_add_crl_signer_pem(c, stipa->pem, strlen(stipa->pem)), CLID_OK);
    return c;
}

static clid_err verify_dp(clid_verifier *v)
{
    char *id = sign_default(dp_leaf->key, URL_X);
    clid_verify_input in = input(id);
    clid_err rc = verify_on(v, &in);
    free(id);
    return rc;
}

static void unavailable_is_a_warning(void **state)
{
    (void)state;
    clid_ctx *c = dp_ctx();
    clid_verifier *v = tp_verifier_new(c);
    assert_int_equal(verify_dp(v), CLID_OK);
    check(CLID_OK, CLID_OK, PASSED, 0);
    assert_int_equal(clid_result_warning_count(res), 1);
    assert_int_equal(clid_result_warning(res, 0), CLID_ERR_CRL_UNAVAILABLE);
    assert_int_equal(clid_result_revocation_checked(res), 0);
    assert_non_null(strstr(clid_result_detail(res), "no CRL of"));
    /* A later failure is the reason and keeps the detail its own; the
     * warning stays listed. */
    assert_int_equal(clid_ctx_set_tn_policy(c, CLID_TN_POLICY_TN_REQUIRED), CLID_OK);
    assert_int_equal(verify_dp(v), CLID_ERR_TN_NOT_AUTHORIZED);
    assert_string_equal(clid_result_detail(res), "");
    assert_int_equal(clid_result_warning(res, 0), CLID_ERR_CRL_UNAVAILABLE);
    assert_int_equal(clid_ctx_set_tn_policy(c, CLID_TN_POLICY_SPC_OR_TN), CLID_OK);
    /* The strict policy is about the signer's profile: it does not turn an
     * unavailable CRL into a failure (the CRL policy does). */
    assert_int_equal(clid_ctx_set_strict(c, 1), CLID_OK);
    assert_int_equal(verify_dp(v), CLID_OK);
    assert_int_equal(clid_ctx_set_crl_policy(c, CLID_CRL_REQUIRED), CLID_OK);
    assert_int_equal(verify_dp(v), CLID_ERR_CRL_UNAVAILABLE);
    check(CLID_ERR_CRL_UNAVAILABLE, CLID_ERR_CRL_UNAVAILABLE, FAILED, 437);
    clid_verifier_stats st;
    clid_verifier_get_stats(v, &st);
    assert_int_equal(st.verifications, 4);
    assert_int_equal(st.crl_unavailable, 4);
    assert_int_equal(st.crl_revoked, 0);
    assert_int_equal(st.crl_fetches, 0);
    clid_verifier_free(v);
    clid_ctx_free(c);
}

static void checked_with_the_crl(void **state)
{
    (void)state;
    clid_ctx *c = dp_ctx();
    char *crl = stipa_crl_revoking(NULL);
    assert_int_equal(clid_ctx_add_crl_pem(c, crl, strlen(crl)), CLID_OK);
    free(crl);
    clid_verifier *v = tp_verifier_new(c);
    assert_int_equal(verify_dp(v), CLID_OK);
    assert_int_equal(clid_result_warning_count(res), 0);
    assert_int_equal(clid_result_revocation_checked(res), 1);
    assert_string_equal(clid_result_detail(res), "");
    clid_verifier_free(v);
    clid_ctx_free(c);
}

static void revoked_signer_is_437(void **state)
{
    (void)state;
    clid_ctx *c = dp_ctx();
    char *crl = stipa_crl_revoking(dp_leaf);
    assert_int_equal(clid_ctx_add_crl_pem(c, crl, strlen(crl)), CLID_OK);
    free(crl);
    clid_verifier *v = tp_verifier_new(c);
    assert_int_equal(verify_dp(v), CLID_ERR_CERT_REVOKED);
    check(CLID_ERR_CERT_REVOKED, CLID_ERR_CERT_REVOKED, FAILED, 437);
    assert_int_equal(clid_result_revocation_checked(res), 0);
    assert_non_null(strstr(clid_result_detail(res), "revoked"));
    clid_verifier_stats st;
    clid_verifier_get_stats(v, &st);
    assert_int_equal(st.crl_revoked, 1);
    clid_verifier_free(v);
    clid_ctx_free(c);
}

/* A CRL fetcher serving the STI-PA's CRL from memory. */
static char *served_crl;
static unsigned served_calls;

static clid_err serve_crl(void *arg, const char *url, uint8_t *buf, size_t cap, size_t *len,
                          int64_t *max_age)
{
    (void)arg;
    served_calls++;
    assert_string_equal(url, URL_CRL);
    size_t n = strlen(served_crl);
    assert_true(n <= cap);
    memcpy(buf, served_crl, n);
    *len = n;
    *max_age = -1;
    return CLID_OK;
}

static void fetched_and_counted(void **state)
{
    (void)state;
    clid_ctx *c = dp_ctx();
    served_crl = stipa_crl_revoking(NULL);
    served_calls = 0;
    assert_int_equal(clid_ctx_set_crl_fetcher(c, serve_crl, NULL), CLID_OK);
    assert_int_equal(clid_ctx_add_crl_url_prefix(c, "https://crl.sti-pa.test/"), CLID_OK);
    clid_verifier *v = tp_verifier_new(c);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(verify_dp(v), CLID_OK);
        assert_int_equal(clid_result_revocation_checked(res), 1);
    }
    assert_int_equal(served_calls, 1);
    clid_verifier_stats st;
    clid_verifier_get_stats(v, &st);
    assert_int_equal(st.verifications, 5);
    assert_int_equal(st.crl_fetches, 1);
    assert_int_equal(st.crl_fetch_failures, 0);
    assert_true(st.crl_cache_hits >= 9); /* leaf and STI-CA, every call but the first's first */
    /* Clearing the verifier's caches drops the CRL too. */
    clid_verifier_clear_cache(v);
    assert_int_equal(verify_dp(v), CLID_OK);
    assert_int_equal(served_calls, 2);
    clid_verifier_get_stats(NULL, &st);
    assert_int_equal(st.verifications, 0);
    clid_verifier_get_stats(v, NULL);
    clid_verifier_free(v);
    clid_ctx_free(c);
    free(served_crl);
}

static void old_chains_unaffected(void **state)
{
    (void)state;
    /* A chain whose certificates name no CRL: no warning, not checked
     * (nothing loaded), as before. */
    clid_ctx *c = new_ctx();
    clid_verifier *v = tp_verifier_new(c);
    char *id = sign_default(sp->key, URL_SP);
    clid_verify_input in = input(id);
    assert_int_equal(verify_on(v, &in), CLID_OK);
    assert_int_equal(clid_result_warning_count(res), 0);
    assert_int_equal(clid_result_revocation_checked(res), 0);
    /* With the STI-CA's and the root's CRLs loaded: checked. */
    char *ci = tp_crl(inter, TP_T0 - TP_DAY, TP_T0 + TP_DAY, NULL, 0, 0);
    char *cr = tp_crl(root, TP_T0 - TP_DAY, TP_T0 + TP_DAY, NULL, 0, 0);
    assert_int_equal(clid_ctx_add_crl_pem(c, ci, strlen(ci)), CLID_OK);
    assert_int_equal(clid_ctx_add_crl_pem(c, cr, strlen(cr)), CLID_OK);
    assert_int_equal(verify_on(v, &in), CLID_OK);
    assert_int_equal(clid_result_revocation_checked(res), 1);
    assert_int_equal(clid_result_revocation_checked(NULL), 0);
    free(ci);
    free(cr);
    free(id);
    clid_verifier_free(v);
    clid_ctx_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unavailable_is_a_warning),
        cmocka_unit_test(checked_with_the_crl),
        cmocka_unit_test(revoked_signer_is_437),
        cmocka_unit_test(fetched_and_counted),
        cmocka_unit_test(old_chains_unaffected),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
