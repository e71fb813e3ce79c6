/*
 * Unit tests of the verification pipeline (verify.c, result.c) through
 * clid_verify_identity, the caller's side: the arguments, the result object
 * after a success, a failure and a reset, freshness (iat against the clock
 * and the Date header) and the binding of the PASSporT to the call's orig
 * and dest. The fixture is verify_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "verify/result_internal.h"
#include "verify_fixture.h"

/* ------------------------------------------------------------------------ */
/* Arguments and the result                                                  */
/* ------------------------------------------------------------------------ */

static void arguments(void **state)
{
    (void)state;
    char *hdr = sign_default(sp->key, URL_SP);
    clid_verify_input in = input(hdr);
    assert_int_equal(clid_verify_identity(NULL, &in, res), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_verify_identity(ver, NULL, res), CLID_ERR_INVALID_ARGUMENT);
    /* No result object: the verdict is the return value alone. */
    assert_int_equal(clid_verify_identity(ver, &in, NULL), CLID_OK);
    in.dest = "19995550000";
    assert_int_equal(clid_verify_identity(ver, &in, NULL), CLID_ERR_DEST_MISMATCH);
    in.identity = NULL;
    assert_int_equal(clid_verify_identity(ver, &in, NULL), CLID_ERR_NO_IDENTITY);
    /* Failures after the certificate was obtained (it is referenced). */
    char *bad = forge_ex(HDR_SP, CLAIMS_OK, CLAIMS_OK, range_leaf->key, SIG_RAW, PARAMS_SP);
    in = input(bad);
    assert_int_equal(clid_verify_identity(ver, &in, NULL), CLID_ERR_SIGNATURE_INVALID);
    free(bad);
    free(hdr);
    assert_int_equal(clid_result_new(NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_verifier_new(NULL, &(clid_verifier *){NULL}),
                     CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_verifier_new(ctx, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_verifier_set_cache_size(NULL, 1), CLID_ERR_INVALID_ARGUMENT);
    clid_verifier_free(NULL);
    clid_verifier_clear_cache(NULL);
    clid_result_free(NULL);
    clid_result_reset(NULL);
}

static void result_after_failure(void **state)
{
    (void)state;
    /* A defect in the claims: what was parsed before it is kept. */
    expect_free(forge(HDR_SP, CLAIMS(Q("Z"), C_DEST, T0_STR, C_ORIG, Q(ORIGID)), PARAMS_SP),
                CLID_ERR_PASSPORT_ATTEST, FAILED, 438);
    assert_string_equal(clid_result_ppt(res), "shaken");
    assert_string_equal(clid_result_orig(res), ORIG);
    assert_int_equal(clid_result_dest_count(res), 1);
    assert_string_equal(clid_result_dest(res, 0), DEST);
    assert_int_equal(clid_result_iat(res), TP_T0);
    assert_string_equal(clid_result_x5u(res), URL_SP);
    assert_int_equal(clid_result_attest(res), 0);
    assert_null(clid_result_origid(res));
    assert_null(clid_result_signer_subject(res));

    /* A freshness failure: every claim, no certificate yet. */
    char *hdr = sign_default(sp->key, URL_SP);
    clid_verify_input in = input(hdr);
    in.now = TP_T0 + 3600;
    check(verify_on(ver, &in), CLID_ERR_IAT_STALE, FAILED, 403);
    assert_string_equal(clid_result_orig(res), ORIG);
    assert_int_equal(clid_result_attest(res), 'A');
    assert_string_equal(clid_result_origid(res), ORIGID);
    assert_null(clid_result_signer_subject(res));
    free(hdr);

    /* A certificate failure: claims and the signer's facts. */
    hdr = sign_default(untrusted_leaf->key, URL_UNTRUSTED);
    expect(hdr, CLID_ERR_CERT_UNTRUSTED, FAILED, 437);
    assert_string_equal(clid_result_orig(res), ORIG);
    assert_string_equal(clid_result_signer_subject(res), "CN=SHAKEN 709J");
    assert_string_equal(clid_result_signer_spc(res), "709J");
    assert_true(strlen(clid_result_detail(res)) > 0);
    free(hdr);

    /* Nothing parsable: no claims. */
    expect("abc;info=<" URL_SP ">", CLID_ERR_JWS_SYNTAX, FAILED, 438);
    assert_null(clid_result_orig(res));
    assert_null(clid_result_ppt(res));
    assert_int_equal(clid_result_dest_count(res), 0);
    assert_int_equal(clid_result_iat(res), 0);
    assert_null(clid_result_signer_subject(res));
}

static void result_reset_and_reuse(void **state)
{
    (void)state;
    clid_result *r = NULL;
    assert_int_equal(clid_result_new(&r), CLID_OK);
    /* Nothing verified yet. */
    assert_int_equal(clid_result_reason(r), CLID_ERR_NO_IDENTITY);
    assert_int_equal(clid_result_verstat(r), NOVAL);
    assert_null(clid_result_orig(r));
    assert_null(clid_result_x5u(r));
    assert_string_equal(clid_result_detail(r), "");

    char *hdr = sign_default(sp->key, URL_SP);
    clid_verify_input in = input(hdr);
    assert_int_equal(clid_verify_identity(ver, &in, r), CLID_OK);
    assert_non_null(clid_result_signer_subject(r));
    clid_result_reset(r);
    assert_int_equal(clid_result_reason(r), CLID_ERR_NO_IDENTITY);
    assert_int_equal(clid_result_verstat(r), NOVAL);
    assert_null(clid_result_orig(r));
    assert_null(clid_result_x5u(r));
    assert_int_equal(clid_result_iat(r), 0);
    assert_null(clid_result_signer_subject(r));
    assert_null(clid_result_signer_spc(r));
    assert_null(clid_result_signer_tnauth(r));

    /* Reused without a reset: a later failure leaves nothing of the
     * earlier success behind. */
    assert_int_equal(clid_verify_identity(ver, &in, r), CLID_OK);
    in.identity = "";
    assert_int_equal(clid_verify_identity(ver, &in, r), CLID_ERR_NO_IDENTITY);
    assert_null(clid_result_orig(r));
    assert_null(clid_result_signer_subject(r));
    assert_null(clid_result_signer_spc(r));
    clid_result_free(r);
    free(hdr);

    /* NULL results read as empty. */
    assert_int_equal(clid_result_reason(NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_null(clid_result_orig(NULL));
    assert_null(clid_result_signer_subject(NULL));
    assert_string_equal(clid_result_detail(NULL), "");
}

/* ------------------------------------------------------------------------ */
/* Freshness and binding                                                     */
/* ------------------------------------------------------------------------ */

/* The warning list: lenient records each deviation once, in order, up to
 * the cap; strict returns it as the failure and records nothing; reset
 * empties it. */
static void result_warnings(void **state)
{
    (void)state;
    clid_result *r = NULL;
    assert_int_equal(clid_result_new(&r), CLID_OK);
    assert_int_equal(clid_result_warning_count(r), 0);
    assert_int_equal(clid_result_warning(r, 0), CLID_OK);
    assert_int_equal(clid_result_warning_count(NULL), 0);
    assert_int_equal(clid_result_warning(NULL, 0), CLID_OK);

    assert_int_equal(clid__result_deviation(r, 1, CLID_ERR_PASSPORT_ORIGID), CLID_ERR_PASSPORT_ORIGID);
    assert_int_equal(clid_result_warning_count(r), 0);
    assert_int_equal(clid__result_deviation(r, 0, CLID_ERR_PASSPORT_ORIGID), CLID_OK);
    assert_int_equal(clid__result_deviation(r, 0, CLID_ERR_IDENTITY_ALG), CLID_OK);
    assert_int_equal(clid__result_deviation(r, 0, CLID_ERR_PASSPORT_ORIGID), CLID_OK);
    assert_int_equal(clid_result_warning_count(r), 2);
    assert_int_equal(clid_result_warning(r, 0), CLID_ERR_PASSPORT_ORIGID);
    assert_int_equal(clid_result_warning(r, 1), CLID_ERR_IDENTITY_ALG);
    assert_int_equal(clid_result_warning(r, 2), CLID_OK);

    clid_result_reset(r);
    assert_int_equal(clid_result_warning_count(r), 0);
    /* Distinct codes beyond the cap are dropped, never overflow. */
    for (int code = 1; code < 3 * CLID_RESULT_MAX_WARNINGS; code++)
        assert_int_equal(clid__result_deviation(r, 0, (clid_err)code), CLID_OK);
    assert_int_equal(clid_result_warning_count(r), CLID_RESULT_MAX_WARNINGS);
    assert_int_equal(clid_result_warning(r, CLID_RESULT_MAX_WARNINGS - 1),
                     (clid_err)CLID_RESULT_MAX_WARNINGS);
    clid_result_free(r);
}

static void verify_at(const char *hdr, int64_t now, int64_t date, clid_err code,
                      clid_verstat vs, int sip)
{
    clid_verify_input in = input(hdr);
    in.now = now;
    in.date = date;
    check(verify_on(ver, &in), code, vs, sip);
}

static void iat_stale(void **state)
{
    (void)state;
    char *hdr = sign_default(sp->key, URL_SP);
    verify_at(hdr, TP_T0 + CLID_DEFAULT_MAX_AGE, 0, CLID_OK, PASSED, 0);
    verify_at(hdr, TP_T0 + CLID_DEFAULT_MAX_AGE + 1, 0, CLID_ERR_IAT_STALE, FAILED, 403);
    verify_at(hdr, TP_T0 + 86400, 0, CLID_ERR_IAT_STALE, FAILED, 403);

    /* The context's clock is the default "now". */
    int64_t later = TP_T0 + CLID_DEFAULT_MAX_AGE + 1;
    clid_ctx *c = new_ctx();
    assert_int_equal(clid_ctx_set_clock(c, tp_fixed_clock, &later), CLID_OK);
    clid_verifier *v = tp_verifier_new(c);
    clid_verify_input in = input(hdr);
    check(verify_on(v, &in), CLID_ERR_IAT_STALE, FAILED, 403);
    /* A configured window. */
    assert_int_equal(clid_ctx_set_freshness(c, 10, 5), CLID_OK);
    in.now = TP_T0 + 10;
    check(verify_on(v, &in), CLID_OK, PASSED, 0);
    in.now = TP_T0 + 11;
    check(verify_on(v, &in), CLID_ERR_IAT_STALE, FAILED, 403);
    in.now = TP_T0 - 5;
    check(verify_on(v, &in), CLID_OK, PASSED, 0);
    in.now = TP_T0 - 6;
    check(verify_on(v, &in), CLID_ERR_IAT_FUTURE, FAILED, 403);
    clid_verifier_free(v);
    clid_ctx_free(c);
    free(hdr);
}

static void iat_future(void **state)
{
    (void)state;
    char *hdr = sign_default(sp->key, URL_SP);
    verify_at(hdr, TP_T0 - CLID_DEFAULT_MAX_SKEW, 0, CLID_OK, PASSED, 0);
    verify_at(hdr, TP_T0 - CLID_DEFAULT_MAX_SKEW - 1, 0, CLID_ERR_IAT_FUTURE, FAILED, 403);
    verify_at(hdr, TP_T0 - 86400, 0, CLID_ERR_IAT_FUTURE, FAILED, 403);
    free(hdr);
}

static void date_mismatch(void **state)
{
    (void)state;
    char *hdr = sign_default(sp->key, URL_SP);
    verify_at(hdr, TP_T0, TP_T0 + CLID_DEFAULT_MAX_AGE, CLID_OK, PASSED, 0);
    verify_at(hdr, TP_T0, TP_T0 - CLID_DEFAULT_MAX_AGE, CLID_OK, PASSED, 0);
    verify_at(hdr, TP_T0, TP_T0 + CLID_DEFAULT_MAX_AGE + 1, CLID_ERR_DATE_MISMATCH, FAILED, 403);
    verify_at(hdr, TP_T0, TP_T0 - CLID_DEFAULT_MAX_AGE - 1, CLID_ERR_DATE_MISMATCH, FAILED, 403);
    /* Whatever the caller's Date says, the difference does not overflow. */
    verify_at(hdr, TP_T0, INT64_MIN, CLID_ERR_DATE_MISMATCH, FAILED, 403);
    verify_at(hdr, TP_T0, INT64_MAX, CLID_ERR_DATE_MISMATCH, FAILED, 403);
    verify_at(hdr, TP_T0, -1, CLID_ERR_DATE_MISMATCH, FAILED, 403);
    free(hdr);
}

static void orig_mismatch(void **state)
{
    (void)state;
    char *hdr = sign_default(sp->key, URL_SP);
    clid_verify_input in = input(hdr);
    in.orig = "12025550101";
    check(verify_on(ver, &in), CLID_ERR_ORIG_MISMATCH, FAILED, 438);
    in.orig = "anonymous";
    check(verify_on(ver, &in), CLID_ERR_ORIG_MISMATCH, FAILED, 438);
    /* Compared after canonicalization (RFC 8224 §8.3). */
    in.orig = "sip:+1-202-555-0100@example.com;user=phone";
    check(verify_on(ver, &in), CLID_OK, PASSED, 0);
    in.orig = "tel:+1(202)555-0100";
    check(verify_on(ver, &in), CLID_OK, PASSED, 0);
    free(hdr);
}

static void dest_mismatch(void **state)
{
    (void)state;
    static const char *const dests[] = {"13035550100", DEST, "442079460000"};
    clid_claims c = default_claims();
    c.dest = dests;
    c.dest_count = 3;
    char *hdr = sign_hdr(sp->key, URL_SP, &c);
    clid_verify_input in = input(hdr);
    for (size_t i = 0; i < 3; i++) {
        in.dest = dests[i];
        check(verify_on(ver, &in), CLID_OK, PASSED, 0);
    }
    in.dest = "tel:+44-20-7946-0000";
    check(verify_on(ver, &in), CLID_OK, PASSED, 0);
    in.dest = "13035550101";
    check(verify_on(ver, &in), CLID_ERR_DEST_MISMATCH, FAILED, 438);
    in.dest = "not a number";
    check(verify_on(ver, &in), CLID_ERR_DEST_MISMATCH, FAILED, 438);
    free(hdr);
}

/* "No number given" is an explicit choice (clid_verify_input.skip), never a
 * NULL; the result says what was bound. */
static void binding_explicit(void **state)
{
    (void)state;
    char *hdr = sign_default(sp->key, URL_SP);
    clid_verify_input in = input(hdr);
    /* The footgun: a NULL number used to mean "not checked", so a caller
     * that forgot it got TN-Validation-Passed for any call. */
    in.orig = NULL;
    assert_int_equal(verify_on(ver, &in), CLID_ERR_INVALID_ARGUMENT);
    in = input(hdr);
    in.dest = NULL;
    assert_int_equal(verify_on(ver, &in), CLID_ERR_INVALID_ARGUMENT);
    in.orig = NULL;
    assert_int_equal(verify_on(ver, &in), CLID_ERR_INVALID_ARGUMENT);
    /* A number and its skip flag together, or unknown flags. */
    in = input(hdr);
    in.skip = CLID_VERIFY_SKIP_ORIG_BINDING;
    assert_int_equal(verify_on(ver, &in), CLID_ERR_INVALID_ARGUMENT);
    in = input(hdr);
    in.skip = 0x4u;
    assert_int_equal(verify_on(ver, &in), CLID_ERR_INVALID_ARGUMENT);

    /* Both bound: the legitimate case, and the result says so. */
    in = input(hdr);
    check(verify_on(ver, &in), CLID_OK, PASSED, 0);
    assert_int_equal(clid_result_binding_checked(res), CLID_BINDING_ORIG | CLID_BINDING_DEST);
    /* Explicitly skipped, one or both: passes, and says what was bound. */
    in.orig = NULL;
    in.skip = CLID_VERIFY_SKIP_ORIG_BINDING;
    check(verify_on(ver, &in), CLID_OK, PASSED, 0);
    assert_int_equal(clid_result_binding_checked(res), CLID_BINDING_DEST);
    in = input(hdr);
    in.dest = NULL;
    in.skip = CLID_VERIFY_SKIP_DEST_BINDING;
    check(verify_on(ver, &in), CLID_OK, PASSED, 0);
    assert_int_equal(clid_result_binding_checked(res), CLID_BINDING_ORIG);
    in.orig = NULL;
    in.skip |= CLID_VERIFY_SKIP_ORIG_BINDING;
    check(verify_on(ver, &in), CLID_OK, PASSED, 0);
    assert_int_equal(clid_result_binding_checked(res), 0u);
    /* A skipped binding does not excuse the other one. */
    in = input(hdr);
    in.dest = NULL;
    in.skip = CLID_VERIFY_SKIP_DEST_BINDING;
    in.orig = "12025550101";
    check(verify_on(ver, &in), CLID_ERR_ORIG_MISMATCH, FAILED, 438);
    assert_int_equal(clid_result_binding_checked(res), 0u);
    /* Not reached: 0; and held though a later step failed: still said. */
    in = input(hdr);
    in.now = TP_T0 + 3600;
    check(verify_on(ver, &in), CLID_ERR_IAT_STALE, FAILED, 403);
    assert_int_equal(clid_result_binding_checked(res), 0u);
    in = input(hdr);
    in.chain_pem = chain_untrusted;
    in.chain_len = strlen(chain_untrusted);
    check(verify_on(ver, &in), CLID_ERR_CERT_UNTRUSTED, FAILED, 437);
    assert_int_equal(clid_result_binding_checked(res), CLID_BINDING_ORIG | CLID_BINDING_DEST);
    assert_int_equal(clid_result_binding_checked(NULL), 0u);
    free(hdr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arguments),
        cmocka_unit_test(result_after_failure),
        cmocka_unit_test(result_reset_and_reuse),
        cmocka_unit_test(result_warnings),
        cmocka_unit_test(iat_stale),
        cmocka_unit_test(iat_future),
        cmocka_unit_test(date_mismatch),
        cmocka_unit_test(orig_mismatch),
        cmocka_unit_test(dest_mismatch),
        cmocka_unit_test(binding_explicit),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
