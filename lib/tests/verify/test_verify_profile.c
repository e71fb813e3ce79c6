/*
 * The verifier's certificate-profile policy (clid_ctx_set_cert_profile):
 * a signer chain that does not conform is refused with
 * CLID_ERR_CERT_PROFILE (437) and the rule and clause in the detail, the
 * same chain passes without the policy, a conforming chain passes with it,
 * and warm verifications answer from the chain's memo (no new path
 * validation). The fixture is verify_fixture.h; the chains are made by
 * support/lintpki.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "support/lintpki.h"
#include "verify/ctx_internal.h"
#include "x509/profile_enforce.h"
#include "verify/result_internal.h"
#include "verify_fixture.h"

static tp_cert *sroot, *sinter, *sp_ok, *sp_direct, *inter_nodp, *sp_under_nodp;
static char *chain_ok, *chain_direct, *chain_nodp;

static int setup(void **state)
{
    group_setup(state);
    lp_shaken_chain(&sroot, &sinter, &sp_ok);
    /* SPC 709J with a CRL distribution point lacking the cRLIssuer. */
    sp_direct = lp_issue(&(lp_spec){.subject = LP_SHAKEN_EE_SUBJECT,
                                    .ext = LP_BC_EE LP_KU_EE LP_SKI LP_AKI LP_CP LP_CRLDP_DIRECT
                                        LP_SPC},
                         sinter);
    /* An STI-CA without CRL distribution points, and a conforming SP below it. */
    inter_nodp = lp_issue(&(lp_spec){.subject = LP_SHAKEN_INTER_SUBJECT,
                                     .ext = LP_BC_CA LP_KU_CA LP_SKI LP_AKI LP_CP},
                          sroot);
    sp_under_nodp =
        lp_issue(&(lp_spec){.subject = LP_SHAKEN_EE_SUBJECT, .ext = LP_SHAKEN_EE_EXT}, inter_nodp);
    chain_ok = lp_pem(sp_ok, sinter, NULL);
    chain_direct = lp_pem(sp_direct, sinter, NULL);
    chain_nodp = lp_pem(sp_under_nodp, inter_nodp, NULL);
    return 0;
}

static int teardown(void **state)
{
    tp_cert *all[] = {sroot, sinter, sp_ok, sp_direct, inter_nodp, sp_under_nodp};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        tp_free(all[i]);
    free(chain_ok);
    free(chain_direct);
    free(chain_nodp);
    return group_teardown(state);
}

/* A context trusting sroot, at TP_T0, URL_X serving `chain`, with `p`. */
static clid_ctx *profile_ctx(const char *chain, clid_cert_profile p)
{
    clid_ctx *c = tp_ctx_new(sroot, &t0);
    tp_ctx_map(c, URL_X, chain);
    assert_int_equal(clid_ctx_set_cert_profile(c, p), CLID_OK);
    return c;
}

static clid_err verify_with(clid_verifier *v, const tp_cert *leaf)
{
    char *hdr = sign_default(leaf->key, URL_X);
    clid_verify_input in = input(hdr);
    clid_err rc = verify_on(v, &in);
    free(hdr);
    return rc;
}

static unsigned long openssl_runs(void)
{
    return __atomic_load_n(&res->signer->openssl_runs, __ATOMIC_SEQ_CST);
}

static void refused_with_rule_and_clause(void **state)
{
    (void)state;
    /* Without the policy the chain verifies: the missing cRLIssuer is a
     * profile property, not a security one. */
    clid_ctx *c = profile_ctx(chain_direct, CLID_CERT_PROFILE_NONE);
    clid_verifier *v = tp_verifier_new(c);
    check(verify_with(v, sp_direct), CLID_OK, PASSED, 0);
    clid_verifier_free(v);
    clid_ctx_free(c);

    c = profile_ctx(chain_direct, CLID_CERT_PROFILE_SHAKEN);
    v = tp_verifier_new(c);
    check(verify_with(v, sp_direct), CLID_ERR_CERT_PROFILE, FAILED, 437);
    char *d = strdup(clid_result_detail(res));
    assert_non_null(d);
    assert_string_equal(d, "sti.crldp.issuer (ATIS-1000080 v005 §6.4.1): certificate 0: the "
                           "distribution point has no cRLIssuer directory name "
                           "[CN=SHAKEN 709J,O=Example Telecom,C=US]");
    assert_int_equal(openssl_runs(), 1);

    /* Warm: refused again, from the memo, without a new path validation. */
    for (int i = 0; i < 5; i++) {
        check(verify_with(v, sp_direct), CLID_ERR_CERT_PROFILE, FAILED, 437);
        assert_string_equal(clid_result_detail(res), d);
    }
    assert_int_equal(openssl_runs(), 1);
    free(d);
    clid_verifier_free(v);
    clid_ctx_free(c);
}

static void conforming_chain_passes_warm_for_free(void **state)
{
    (void)state;
    clid_ctx *c = profile_ctx(chain_ok, CLID_CERT_PROFILE_SHAKEN);
    clid_verifier *v = tp_verifier_new(c);
    for (int i = 0; i < 5; i++)
        check(verify_with(v, sp_ok), CLID_OK, PASSED, 0);
    /* One path validation, whose success window the memo keeps. */
    assert_int_equal(openssl_runs(), 1);
    clid_err verdict = CLID_ERR_INTERNAL;
    assert_int_equal(clid__profile_memo_get(&c->trust, res->signer, &verdict, NULL, 0), 1);
    assert_int_equal(verdict, CLID_OK);
    clid_verifier_free(v);
    clid_ctx_free(c);
}

/* Every certificate below the anchor is checked, not only the signer's. */
static void intermediate_checked(void **state)
{
    (void)state;
    clid_ctx *c = profile_ctx(chain_nodp, CLID_CERT_PROFILE_SHAKEN);
    clid_verifier *v = tp_verifier_new(c);
    check(verify_with(v, sp_under_nodp), CLID_ERR_CERT_PROFILE, FAILED, 437);
    assert_true(strncmp(clid_result_detail(res),
                        "crldp.present (ATIS-1000080 v005 §6.4.1): certificate 1: ",
                        strlen("crldp.present (ATIS-1000080 v005 §6.4.1): certificate 1: ")) == 0);
    clid_verifier_free(v);
    clid_ctx_free(c);
}

/* The trust anchor is configuration, not checked (RFC 5280 §6.1.1 (d)): a
 * root breaking the profile (certificatePolicies, CRL DP) still anchors. */
static void anchor_not_checked(void **state)
{
    (void)state;
    tp_cert *r = lp_issue(&(lp_spec){.subject = LP_SHAKEN_ROOT_SUBJECT,
                                     .ext = LP_SHAKEN_ROOT_EXT LP_CP LP_CRLDP},
                          NULL);
    tp_cert *i =
        lp_issue(&(lp_spec){.subject = LP_SHAKEN_INTER_SUBJECT, .ext = LP_SHAKEN_INTER_EXT}, r);
    tp_cert *e = lp_issue(&(lp_spec){.subject = LP_SHAKEN_EE_SUBJECT, .ext = LP_SHAKEN_EE_EXT}, i);
    char *pem = lp_pem(e, i, r, NULL); /* the root served in the chain too */
    clid_ctx *c = tp_ctx_new(r, &t0);
    tp_ctx_map(c, URL_X, pem);
    assert_int_equal(clid_ctx_set_cert_profile(c, CLID_CERT_PROFILE_SHAKEN), CLID_OK);
    clid_verifier *v = tp_verifier_new(c);
    check(verify_with(v, e), CLID_OK, PASSED, 0);
    clid_verifier_free(v);
    clid_ctx_free(c);
    free(pem);
    tp_free(r);
    tp_free(i);
    tp_free(e);
}

/* A SHAKEN chain under the Q.3063 profile: the end entity lacks its
 * SignallingEntity. Changing the profile re-evaluates (new generation). */
static void profile_change_reevaluates(void **state)
{
    (void)state;
    clid_ctx *c = profile_ctx(chain_ok, CLID_CERT_PROFILE_Q3063);
    clid_verifier *v = tp_verifier_new(c);
    check(verify_with(v, sp_ok), CLID_ERR_CERT_PROFILE, FAILED, 437);
    assert_true(strncmp(clid_result_detail(res), "q3063.entity.present (clid Q.3063 profile §4.3)",
                        strlen("q3063.entity.present (clid Q.3063 profile §4.3)")) == 0);
    assert_int_equal(clid_ctx_set_cert_profile(c, CLID_CERT_PROFILE_SHAKEN), CLID_OK);
    check(verify_with(v, sp_ok), CLID_OK, PASSED, 0);
    assert_int_equal(clid_ctx_set_cert_profile(c, CLID_CERT_PROFILE_Q3063), CLID_OK);
    check(verify_with(v, sp_ok), CLID_ERR_CERT_PROFILE, FAILED, 437);
    assert_int_equal(clid_ctx_set_cert_profile(c, CLID_CERT_PROFILE_NONE), CLID_OK);
    check(verify_with(v, sp_ok), CLID_OK, PASSED, 0);
    clid_verifier_free(v);
    clid_ctx_free(c);
}

static void profile_implies_strict(void **state)
{
    (void)state;
    clid_ctx *c = NULL;
    assert_int_equal(clid_ctx_new(&c), CLID_OK);
    assert_int_equal(c->trust.cert_profile, CLID_CERT_PROFILE_NONE);
    assert_int_equal(c->strict, 0);
    assert_int_equal(clid_ctx_set_cert_profile(c, CLID_CERT_PROFILE_SHAKEN), CLID_OK);
    assert_int_equal(c->strict, 1);
    assert_int_equal(clid_ctx_set_strict(c, 0), CLID_OK);
    assert_int_equal(c->strict, 1);
    assert_int_equal(clid_ctx_set_cert_profile(c, CLID_CERT_PROFILE_NONE), CLID_OK);
    assert_int_equal(clid_ctx_set_strict(c, 0), CLID_OK);
    assert_int_equal(c->strict, 0);
    assert_int_equal(clid_ctx_set_cert_profile(c, (clid_cert_profile)3),
                     CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_set_cert_profile(NULL, CLID_CERT_PROFILE_SHAKEN),
                     CLID_ERR_INVALID_ARGUMENT);
    clid_ctx_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(refused_with_rule_and_clause),
        cmocka_unit_test(conforming_chain_passes_warm_for_free),
        cmocka_unit_test(intermediate_checked),
        cmocka_unit_test(anchor_not_checked),
        cmocka_unit_test(profile_change_reevaluates),
        cmocka_unit_test(profile_implies_strict),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
