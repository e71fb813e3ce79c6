/*
 * Unit tests of the verification pipeline (verify.c): profile deviations
 * of the signer's certificates (docs/verification.md, "Strict and
 * lenient"), accepted with a warning by default and the failure under the
 * strict policy, the same on a warm verification (answered by the
 * validation memo) as on the cold one. The fixture is verify_fixture.h.
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

static void strict_on(clid_ctx *c)
{
    assert_int_equal(clid_ctx_set_strict(c, 1), CLID_OK);
}

/* The warnings of the shared result, in order, are exactly `codes`. */
static void warnings_are(const clid_err *codes, size_t n)
{
    assert_int_equal(clid_result_warning_count(res), n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(clid_err_name(clid_result_warning(res, i)), clid_err_name(codes[i]));
}

/* A context serving leaf + ca at URL_X, strict or not, with its verifier. */
typedef struct world {
    clid_ctx *c;
    clid_verifier *v;
    char *hdr;
} world;

static world make_world(const tp_cert *l, const tp_cert *ca, int strict)
{
    world w;
    w.c = bare_ctx();
    char *pem = tp_cat(l->pem, ca->pem, NULL);
    tp_ctx_map(w.c, URL_X, pem);
    free(pem);
    if (strict)
        strict_on(w.c);
    w.v = tp_verifier_new(w.c);
    w.hdr = sign_default(l->key, URL_X);
    return w;
}

static void free_world(world *w)
{
    free(w->hdr);
    clid_verifier_free(w->v);
    clid_ctx_free(w->c);
}

static unsigned long openssl_runs(void)
{
    assert_non_null(res->signer);
    return __atomic_load_n(&res->signer->openssl_runs, __ATOMIC_SEQ_CST);
}

/* Production SHAKEN intermediates lack the AKI (RFC 5280 §4.2.1.1). */
static void intermediate_without_aki(void **state)
{
    (void)state;
    tp_cert *ca = tp_issue(&(tp_spec){.cn = "STI-CA no AKI", .ca = 1, .aki = ""}, root);
    tp_cert *l = tp_issue(&(tp_spec){.cn = "SHAKEN 709J", .tnauth = "spc:709J"}, ca);
    const clid_err want[] = {CLID_ERR_CERT_NO_AKI};

    check(run(&(scen){.leaf = l, .ca1 = ca}), CLID_OK, PASSED, 0);
    warnings_are(want, 1);
    check(run(&(scen){.leaf = l, .ca1 = ca, .cfg = strict_on}), CLID_ERR_CERT_NO_AKI, FAILED,
          437);
    warnings_are(NULL, 0);
    /* The conforming neighbour: no warning, strict or not. */
    check(run(&(scen){.leaf = sp, .ca1 = inter}), CLID_OK, PASSED, 0);
    warnings_are(NULL, 0);
    check(run(&(scen){.leaf = sp, .ca1 = inter, .cfg = strict_on}), CLID_OK, PASSED, 0);
    warnings_are(NULL, 0);
    tp_free(l);
    tp_free(ca);
}

/* Cold and warm verifications report the same deviations; the warm one is
 * answered by the validation memo (no second OpenSSL run). */
static void warm_reports_what_cold_did(void **state)
{
    (void)state;
    tp_cert *ca = tp_issue(&(tp_spec){.cn = "STI-CA", .ca = 1, .aki = "", .bc = "CA:TRUE"}, root);
    tp_cert *l = tp_issue(&(tp_spec){.cn = "SHAKEN 709J", .tnauth = "spc:709J",
                                     .ku = "critical,DER:03:02:00:80"},
                          ca);
    const clid_err want[] = {CLID_ERR_CERT_NO_AKI, CLID_ERR_CERT_BC_NOT_CRITICAL,
                             CLID_ERR_CERT_KEY_USAGE_NOT_DER};

    world w = make_world(l, ca, 0);
    for (int i = 0; i < 3; i++) {
        clid_verify_input in = input(w.hdr);
        check(verify_on(w.v, &in), CLID_OK, PASSED, 0);
        warnings_are(want, 3);
        assert_int_equal(openssl_runs(), 1);
    }
    free_world(&w);

    /* Strict: the first deviation is the failure, cold and warm alike,
     * while the memo still spares the second validation. */
    w = make_world(l, ca, 1);
    for (int i = 0; i < 2; i++) {
        clid_verify_input in = input(w.hdr);
        check(verify_on(w.v, &in), CLID_ERR_CERT_NO_AKI, FAILED, 437);
        warnings_are(NULL, 0);
        assert_int_equal(openssl_runs(), 1);
    }
    free_world(&w);
    tp_free(l);
    tp_free(ca);
}

/* A deviation never hides a failure that comes later in the pipeline. */
static void deviation_then_failure(void **state)
{
    (void)state;
    tp_cert *ca = tp_issue(&(tp_spec){.cn = "STI-CA", .ca = 1, .aki = ""}, root);
    tp_cert *l = tp_issue(&(tp_spec){.cn = "range", .tnauth = "range:12025550000+10"}, ca);
    const clid_err want[] = {CLID_ERR_CERT_NO_AKI};
    check(run(&(scen){.leaf = l, .ca1 = ca}), CLID_ERR_TN_NOT_AUTHORIZED, FAILED, 437);
    warnings_are(want, 1);
    /* Signed by another key: the signature fails after the chain. */
    check(run(&(scen){.leaf = l, .ca1 = ca, .key = sp->key, .orig = "12025550001"}),
          CLID_ERR_SIGNATURE_INVALID, FAILED, 438);
    warnings_are(want, 1);
    tp_free(l);
    tp_free(ca);
}

/* ATIS-1000080 v005 wants an SPC of upper-case letters and digits; 82
 * production certificates carry lower-case ones. */
static void spc_form(void **state)
{
    (void)state;
    static const char *const odd[] = {"spc:709j", "spc:abcd", "spc:70-9J"};
    const clid_err want[] = {CLID_ERR_CERT_SPC_FORM};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        tp_cert *l = tp_issue(&(tp_spec){.cn = "SHAKEN", .tnauth = odd[i]}, inter);
        check(run_leaf(l), CLID_OK, PASSED, 0);
        warnings_are(want, 1);
        check(run(&(scen){.leaf = l, .ca1 = inter, .cfg = strict_on}), CLID_ERR_CERT_SPC_FORM,
              FAILED, 437);
        tp_free(l);
    }
    /* A Q.3063-profile certificate (with a SignallingEntity) is no SHAKEN
     * one: RFC 8226's IA5String is its rule. */
    clid_entity *e = NULL;
    assert_int_equal(clid_entity_new(CLID_ROLE_ORIGINATING_GATEWAY, &e), CLID_OK);
    tp_cert *q = tp_issue(&(tp_spec){.cn = "q3063", .tnauth = "spc:709j", .entity = e}, inter);
    check(run(&(scen){.leaf = q, .ca1 = inter, .cfg = strict_on}), CLID_OK, PASSED, 0);
    warnings_are(NULL, 0);
    tp_free(q);
    clid_entity_free(e);
    /* The conforming neighbour, and a TN-only delegate list. */
    check(run(&(scen){.leaf = sp, .ca1 = inter, .cfg = strict_on}), CLID_OK, PASSED, 0);
    tp_cert *tn = tp_issue(&(tp_spec){.cn = "delegate", .tnauth = "tn:" ORIG}, inter);
    check(run(&(scen){.leaf = tn, .ca1 = inter, .cfg = strict_on}), CLID_OK, PASSED, 0);
    tp_free(tn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(intermediate_without_aki),
        cmocka_unit_test(warm_reports_what_cold_did),
        cmocka_unit_test(deviation_then_failure),
        cmocka_unit_test(spc_form),
    };
    return cmocka_run_group_tests_name("verify_lenient", tests, group_setup, group_teardown);
}
