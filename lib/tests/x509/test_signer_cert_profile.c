/*
 * Unit tests of the signer chain (chain_validate.c): the RFC 5280 profile
 * deviations that validation accepts and reports (CLID__DEV_*,
 * docs/verification.md "Strict and lenient"), each alone, those that stay
 * failures, the trust anchor's exemption, and the deviations remembered
 * with the validation memo. The fixture is signer_cert_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "signer_cert_fixture.h"

/* Validates leaf + ca under the shared root at TP_T0; *dev gets the bits. */
static clid_err validate2(const tp_cert *l, const tp_cert *ca, unsigned *dev)
{
    clid_ctx *ctx = ctx_trusting(root);
    char *pem = tp_cat(l->pem, ca->pem, NULL);
    clid__signer_cert *c = load(pem);
    char detail[256];
    *dev = 12345;
    clid_err rc = clid__signer_cert_validate_dev(&ctx->trust, c, TP_T0, detail, sizeof detail, dev);
    if (rc != CLID_OK) {
        assert_int_equal(*dev, 0);
        assert_true(strlen(detail) > 0);
    }
    clid__signer_cert_release(c);
    free(pem);
    clid_ctx_free(ctx);
    return rc;
}

/* A leaf made by `ls` under an STI-CA made by `cs`, both under root. */
static clid_err validate_specs(const tp_spec *cs, const tp_spec *ls, unsigned *dev)
{
    tp_cert *ca = tp_issue(cs, root);
    tp_cert *l = tp_issue(ls, ca);
    clid_err rc = validate2(l, ca, dev);
    tp_free(l);
    tp_free(ca);
    return rc;
}

#define CA_SPEC(...) (&(tp_spec){.cn = "STI-CA", .ca = 1, __VA_ARGS__})
#define LEAF_SPEC(...) (&(tp_spec){.cn = "SHAKEN 709J", .tnauth = "spc:709J", __VA_ARGS__})

static void conforming_chain_has_none(void **state)
{
    (void)state;
    unsigned dev = 0;
    assert_int_equal(validate2(leaf, inter, &dev), CLID_OK);
    assert_int_equal(dev, 0);
}

/* RFC 5280 §4.2.1.1: production SHAKEN intermediates lack the AKI. */
static void missing_aki(void **state)
{
    (void)state;
    unsigned dev = 0;
    assert_int_equal(validate_specs(CA_SPEC(.aki = ""), LEAF_SPEC(), &dev), CLID_OK);
    assert_int_equal(dev, CLID__DEV_NO_AKI);
    assert_int_equal(validate_specs(CA_SPEC(), LEAF_SPEC(.aki = ""), &dev), CLID_OK);
    assert_int_equal(dev, CLID__DEV_NO_AKI);
    /* An AKI naming the issuer and serial but no keyIdentifier, which RFC
     * 5280 §4.2.1.1 requires: the same deviation. */
    assert_int_equal(validate_specs(CA_SPEC(), LEAF_SPEC(.aki = "issuer:always"), &dev), CLID_OK);
    assert_int_equal(dev, CLID__DEV_NO_AKI);
    /* Both forms together: conforming. */
    assert_int_equal(validate_specs(CA_SPEC(), LEAF_SPEC(.aki = "keyid:always,issuer:always"), &dev),
                     CLID_OK);
    assert_int_equal(dev, 0);
}

/* §4.2.1.2: a CA's SKI; an end entity's is only a SHOULD. */
static void missing_ski(void **state)
{
    (void)state;
    unsigned dev = 0;
    /* The CA has no key id, so its leaf's AKI cannot have one either. */
    assert_int_equal(validate_specs(CA_SPEC(.ski = ""), LEAF_SPEC(.aki = "issuer:always"), &dev),
                     CLID_OK);
    assert_int_equal(dev, CLID__DEV_NO_SKI | CLID__DEV_NO_AKI);
    assert_int_equal(validate_specs(CA_SPEC(), LEAF_SPEC(.ski = ""), &dev), CLID_OK);
    assert_int_equal(dev, 0);
}

/* §4.2.1.9 and §4.2.1.3 on CA certificates. */
static void ca_basic_constraints_and_key_usage(void **state)
{
    (void)state;
    unsigned dev = 0;
    assert_int_equal(validate_specs(CA_SPEC(.bc = "CA:TRUE"), LEAF_SPEC(), &dev), CLID_OK);
    assert_int_equal(dev, CLID__DEV_BC_NOT_CRITICAL);
    assert_int_equal(validate_specs(CA_SPEC(.ku = ""), LEAF_SPEC(), &dev), CLID_OK);
    assert_int_equal(dev, CLID__DEV_CA_NO_KEY_USAGE);
    /* A non-critical basicConstraints on an end entity is fine. */
    assert_int_equal(validate_specs(CA_SPEC(), LEAF_SPEC(.bc = "CA:FALSE"), &dev), CLID_OK);
    assert_int_equal(dev, 0);
    /* Several at once: one bit each. */
    assert_int_equal(validate_specs(CA_SPEC(.bc = "CA:TRUE", .ku = "", .aki = ""),
                                    LEAF_SPEC(), &dev),
                     CLID_OK);
    assert_int_equal(dev, CLID__DEV_BC_NOT_CRITICAL | CLID__DEV_CA_NO_KEY_USAGE | CLID__DEV_NO_AKI);
}

/* AKI or SKI marked critical: OpenSSL refuses them as unhandled critical
 * extensions (as `openssl verify` does), and so does clid. */
static void key_identifiers_critical(void **state)
{
    (void)state;
    unsigned dev = 0;
    assert_int_equal(validate_specs(CA_SPEC(), LEAF_SPEC(.aki = "critical,keyid:always"), &dev),
                     CLID_ERR_CERT_CRITICAL_EXT);
    assert_int_equal(validate_specs(CA_SPEC(.ski = "critical,hash"), LEAF_SPEC(), &dev),
                     CLID_ERR_CERT_CRITICAL_EXT);
}

static void pathlen_misplaced(void **state)
{
    (void)state;
    unsigned dev = 0;
    assert_int_equal(validate_specs(CA_SPEC(), LEAF_SPEC(.bc = "critical,CA:FALSE,pathlen:0"), &dev),
                     CLID_OK);
    assert_int_equal(dev, CLID__DEV_PATHLEN_MISPLACED);
}

/* X.690 §11.2.2: 317 production certificates carry `03 02 00 80`. */
static void key_usage_not_der(void **state)
{
    (void)state;
    unsigned dev = 0;
    assert_int_equal(validate_specs(CA_SPEC(), LEAF_SPEC(.ku = "critical,DER:03:02:00:80"), &dev),
                     CLID_OK);
    assert_int_equal(dev, CLID__DEV_KEY_USAGE_NOT_DER);
    /* The DER form of the same value, and of keyCertSign|cRLSign. */
    assert_int_equal(validate_specs(CA_SPEC(.ku = "critical,DER:03:02:01:06"),
                                    LEAF_SPEC(.ku = "critical,DER:03:02:07:80"), &dev),
                     CLID_OK);
    assert_int_equal(dev, 0);
    /* The CA's keyCertSign|cRLSign with a trailing zero bit. */
    assert_int_equal(validate_specs(CA_SPEC(.ku = "critical,DER:03:02:00:06"), LEAF_SPEC(), &dev),
                     CLID_OK);
    assert_int_equal(dev, CLID__DEV_KEY_USAGE_NOT_DER);
    /* Read as OpenSSL reads it: digitalSignature is there. A non-DER
     * keyUsage without it still fails the leaf's purpose. */
    assert_int_equal(validate_specs(CA_SPEC(), LEAF_SPEC(.ku = "critical,DER:03:02:00:40"), &dev),
                     CLID_ERR_CERT_PURPOSE);
}

/* The strict checks that protect something stay failures. */
static void security_rules_still_fail(void **state)
{
    (void)state;
    unsigned dev = 0;
    /* keyCertSign on an end entity (RFC 5280 §4.2.1.3, §4.2.1.9). */
    assert_int_equal(validate_specs(CA_SPEC(),
                                    LEAF_SPEC(.ku = "critical,digitalSignature,keyCertSign"), &dev),
                     CLID_ERR_CERT_CHAIN_INVALID);
    /* A CA whose keyUsage does not allow keyCertSign cannot issue. */
    assert_int_equal(validate_specs(CA_SPEC(.ku = "critical,cRLSign"), LEAF_SPEC(), &dev),
                     CLID_ERR_CERT_CHAIN_INVALID);
    /* An intermediate that is no CA cannot issue, critical or not. */
    assert_int_equal(validate_specs(CA_SPEC(.bc = "CA:FALSE"), LEAF_SPEC(), &dev),
                     CLID_ERR_CERT_CHAIN_INVALID);
    /* A deviation does not excuse a real failure. */
    tp_cert *ca = tp_issue(CA_SPEC(.aki = ""), root);
    tp_cert *old = tp_issue(LEAF_SPEC(.not_before = TP_T0 - 400 * TP_DAY,
                                      .not_after = TP_T0 - TP_DAY),
                            ca);
    assert_int_equal(validate2(old, ca, &dev), CLID_ERR_CERT_EXPIRED);
    tp_free(old);
    tp_free(ca);
}

/* RFC 5280 §6.1.1 (d): the anchor is input, not checked against the profile. */
static void trust_anchor_exempt(void **state)
{
    (void)state;
    /* No keyUsage, basicConstraints not critical, no AKI: all forgiven on
     * the anchor (and the same on the STI-CA would be reported). */
    tp_cert *bare = tp_issue(&(tp_spec){.cn = "Bare Root", .ca = 1, .bc = "CA:TRUE", .ku = "",
                                        .aki = ""},
                             NULL);
    tp_cert *ca = tp_issue(CA_SPEC(), bare);
    tp_cert *l = tp_issue(LEAF_SPEC(), ca);
    clid_ctx *ctx = ctx_trusting(bare);
    char *pem = tp_cat(l->pem, ca->pem, NULL);
    clid__signer_cert *c = load(pem);
    unsigned dev = 99;
    assert_int_equal(clid__signer_cert_validate_dev(&ctx->trust, c, TP_T0, NULL, 0, &dev), CLID_OK);
    assert_int_equal(dev, 0);
    clid__signer_cert_release(c);
    free(pem);
    clid_ctx_free(ctx);
    tp_free(l);
    tp_free(ca);
    tp_free(bare);
}

/* The memo keeps the deviations: a warm validation reports what the cold
 * one found, without running OpenSSL again. */
static void memo_keeps_deviations(void **state)
{
    (void)state;
    tp_cert *ca = tp_issue(CA_SPEC(.aki = "", .bc = "CA:TRUE"), root);
    tp_cert *l = tp_issue(LEAF_SPEC(.ku = "critical,DER:03:02:00:80"), ca);
    clid_ctx *ctx = ctx_trusting(root);
    char *pem = tp_cat(l->pem, ca->pem, NULL);
    clid__signer_cert *c = load(pem);
    const unsigned want = CLID__DEV_NO_AKI | CLID__DEV_BC_NOT_CRITICAL | CLID__DEV_KEY_USAGE_NOT_DER;
    unsigned dev = 0;
    assert_int_equal(clid__signer_cert_validate_dev(&ctx->trust, c, TP_T0, NULL, 0, &dev), CLID_OK);
    assert_int_equal(dev, want);
    assert_int_equal(__atomic_load_n(&c->openssl_runs, __ATOMIC_SEQ_CST), 1);
    for (int i = 0; i < 3; i++) {
        dev = 0;
        assert_int_equal(clid__signer_cert_validate_dev(&ctx->trust, c, TP_T0 + i, NULL, 0, &dev),
                         CLID_OK);
        assert_int_equal(dev, want);
    }
    assert_int_equal(__atomic_load_n(&c->openssl_runs, __ATOMIC_SEQ_CST), 1);
    /* Without the out parameter it is the plain validation. */
    assert_int_equal(clid__signer_cert_validate(&ctx->trust, c, TP_T0, NULL, 0), CLID_OK);
    clid__signer_cert_release(c);
    free(pem);
    clid_ctx_free(ctx);
    tp_free(l);
    tp_free(ca);
}

static void deviation_codes(void **state)
{
    (void)state;
    assert_int_equal(clid__chain_deviation_code(0), CLID_ERR_CERT_NO_AKI);
    assert_int_equal(clid__chain_deviation_code(CLID__DEV_COUNT - 1), CLID_ERR_CERT_KEY_USAGE_NOT_DER);
    assert_int_equal(clid__chain_deviation_code(CLID__DEV_COUNT), CLID_ERR_INTERNAL);
    for (unsigned i = 0; i < CLID__DEV_COUNT; i++)
        assert_int_equal(clid_err_sip_status(clid__chain_deviation_code(i)), 437);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(conforming_chain_has_none),
        cmocka_unit_test(missing_aki),
        cmocka_unit_test(missing_ski),
        cmocka_unit_test(ca_basic_constraints_and_key_usage),
        cmocka_unit_test(key_identifiers_critical),
        cmocka_unit_test(pathlen_misplaced),
        cmocka_unit_test(key_usage_not_der),
        cmocka_unit_test(security_rules_still_fail),
        cmocka_unit_test(trust_anchor_exempt),
        cmocka_unit_test(memo_keeps_deviations),
        cmocka_unit_test(deviation_codes),
    };
    return cmocka_run_group_tests_name("signer_cert_profile", tests, group_setup, group_teardown);
}
