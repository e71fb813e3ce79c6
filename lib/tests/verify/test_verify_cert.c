/*
 * Unit tests of the verification pipeline (verify.c) through
 * clid_verify_identity, steps 7 and 8: one test per reason code chain
 * validation and the signer's authority (TNAuthList, delegate
 * certificates, claim constraints, SignallingEntity) can give, each
 * asserting the exact code, the verstat and the SIP status. The fixture is
 * verify_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "verify_fixture.h"

/* ------------------------------------------------------------------------ */
/* Step 7: chain validation                                                  */
/* ------------------------------------------------------------------------ */

static void cert_untrusted(void **state)
{
    (void)state;
    expect_free(sign_default(untrusted_leaf->key, URL_UNTRUSTED), CLID_ERR_CERT_UNTRUSTED,
                FAILED, 437);
    /* A self-signed leaf. */
    tp_cert *self = tp_issue(&(tp_spec){.cn = "self", .tnauth = "spc:709J"}, NULL);
    check(run(&(scen){.leaf = self}), CLID_ERR_CERT_UNTRUSTED, FAILED, 437);
    tp_free(self);
    /* The intermediate missing from the chain. */
    check(run(&(scen){.leaf = sp}), CLID_ERR_CERT_UNTRUSTED, FAILED, 437);
    /* An empty trust store. */
    clid_ctx *c = NULL;
    assert_int_equal(clid_ctx_new(&c), CLID_OK);
    assert_int_equal(clid_ctx_set_clock(c, tp_fixed_clock, &t0), CLID_OK);
    tp_ctx_map(c, URL_SP, chain_sp);
    clid_verifier *v = tp_verifier_new(c);
    char *hdr = sign_default(sp->key, URL_SP);
    clid_verify_input in = input(hdr);
    check(verify_on(v, &in), CLID_ERR_CERT_UNTRUSTED, FAILED, 437);
    free(hdr);
    clid_verifier_free(v);
    clid_ctx_free(c);
}

static void cert_expired_and_not_yet_valid(void **state)
{
    (void)state;
    tp_cert *old = tp_issue(&(tp_spec){.cn = "old", .tnauth = "spc:709J",
                                       .not_before = TP_T0 - 400 * TP_DAY,
                                       .not_after = TP_T0 - TP_DAY},
                            inter);
    check(run_leaf(old), CLID_ERR_CERT_EXPIRED, FAILED, 437);
    assert_true(strlen(clid_result_detail(res)) > 0);
    tp_cert *young = tp_issue(&(tp_spec){.cn = "young", .tnauth = "spc:709J",
                                         .not_before = TP_T0 + TP_DAY,
                                         .not_after = TP_T0 + 400 * TP_DAY},
                              inter);
    check(run_leaf(young), CLID_ERR_CERT_NOT_YET_VALID, FAILED, 437);
    tp_free(old);
    tp_free(young);
}

static void cert_revoked(void **state)
{
    (void)state;
    tp_cert *leaf = tp_issue(&(tp_spec){.cn = "revoked", .tnauth = "spc:709J"}, inter);
    char *crl = tp_crl(inter, TP_T0 - TP_DAY, TP_T0 + 7 * TP_DAY, &leaf->serial, 1, 0);
    check(run(&(scen){.leaf = leaf, .ca1 = inter, .crl = crl}), CLID_ERR_CERT_REVOKED, FAILED,
          437);
    /* The same CRL does not touch another certificate. */
    check(run(&(scen){.leaf = sp, .ca1 = inter, .crl = crl}), CLID_OK, PASSED, 0);
    free(crl);
    tp_free(leaf);
}

static void crl_invalid(void **state)
{
    (void)state;
    char *bad_sig = tp_crl(inter, TP_T0 - TP_DAY, TP_T0 + 7 * TP_DAY, NULL, 0, TP_CRL_BAD_SIG);
    check(run(&(scen){.leaf = sp, .ca1 = inter, .crl = bad_sig}), CLID_ERR_CRL_INVALID, FAILED,
          437);
    char *expired = tp_crl(inter, TP_T0 - 7 * TP_DAY, TP_T0 - TP_DAY, NULL, 0, 0);
    check(run(&(scen){.leaf = sp, .ca1 = inter, .crl = expired}), CLID_ERR_CRL_INVALID, FAILED,
          437);
    free(bad_sig);
    free(expired);
}

static void depth_one(clid_ctx *c)
{
    assert_int_equal(clid_ctx_set_max_chain_depth(c, 1), CLID_OK);
}

static void depth_two(clid_ctx *c)
{
    assert_int_equal(clid_ctx_set_max_chain_depth(c, 2), CLID_OK);
}

static void cert_chain_too_long(void **state)
{
    (void)state;
    /* leaf + STI-CA below the root: two certificates. */
    check(run(&(scen){.leaf = sp, .ca1 = inter, .cfg = depth_one}), CLID_ERR_CERT_CHAIN_TOO_LONG,
          FAILED, 437);
    check(run(&(scen){.leaf = sp, .ca1 = inter, .cfg = depth_two}), CLID_OK, PASSED, 0);
}

static void cert_chain_invalid(void **state)
{
    (void)state;
    /* Issued by a certificate that is not a CA. */
    tp_cert *notca = tp_issue(&(tp_spec){.cn = "not a CA"}, root);
    tp_cert *leaf = tp_issue(&(tp_spec){.cn = "leaf", .tnauth = "spc:709J"}, notca);
    check(run(&(scen){.leaf = leaf, .ca1 = notca}), CLID_ERR_CERT_CHAIN_INVALID, FAILED, 437);
    tp_free(leaf);
    tp_free(notca);
}

static void cert_purpose(void **state)
{
    (void)state;
    tp_cert *ka = tp_issue(&(tp_spec){.cn = "KA", .tnauth = "spc:709J",
                                      .ku = "critical,keyAgreement"},
                           inter);
    check(run_leaf(ka), CLID_ERR_CERT_PURPOSE, FAILED, 437);
    tp_cert *ca = tp_issue(&(tp_spec){.cn = "CA leaf", .ca = 1, .tnauth = "spc:709J"}, inter);
    check(run_leaf(ca), CLID_ERR_CERT_PURPOSE, FAILED, 437);
    tp_free(ka);
    tp_free(ca);
}

static void cert_critical_ext(void **state)
{
    (void)state;
    tp_cert *x = tp_issue(&(tp_spec){.cn = "crit", .tnauth = "spc:709J",
                                     .critical_oid = "1.3.6.1.4.1.99999.1"},
                          inter);
    check(run_leaf(x), CLID_ERR_CERT_CRITICAL_EXT, FAILED, 437);
    tp_free(x);
    /* Critical extensions clid processes are accepted. */
    x = tp_issue(&(tp_spec){.cn = "crit ok", .tnauth = "spc:709J", .tnauth_critical = 1,
                            .jwtcc_critical = 1, .entity_critical = 1},
                 inter);
    check(run_leaf(x), CLID_OK, PASSED, 0);
    tp_free(x);
}

static void key_type(void **state)
{
    (void)state;
    tp_cert *rsa = tp_issue(&(tp_spec){.cn = "RSA", .tnauth = "spc:709J", .rsa = 1}, inter);
    check(run(&(scen){.leaf = rsa, .ca1 = inter, .key = sp->key}), CLID_ERR_KEY_TYPE, FAILED,
          437);
    tp_free(rsa);
}

/* ------------------------------------------------------------------------ */
/* Step 8: authority                                                         */
/* ------------------------------------------------------------------------ */

static void no_tnauth_optional(clid_ctx *c)
{
    assert_int_equal(clid_ctx_set_require_tnauth(c, 0), CLID_OK);
}

static void cert_no_tnauth(void **state)
{
    (void)state;
    tp_cert *x = tp_issue(&(tp_spec){.cn = "no list"}, inter);
    check(run_leaf(x), CLID_ERR_CERT_NO_TNAUTH, FAILED, 437);
    check(run(&(scen){.leaf = x, .ca1 = inter, .cfg = no_tnauth_optional}), CLID_OK, PASSED, 0);
    tp_free(x);
}

static void ext_duplicate_and_malformed(void **state)
{
    (void)state;
    tp_cert *x = tp_issue(&(tp_spec){.cn = "dup", .tnauth = "spc:709J", .tnauth_twice = 1},
                          inter);
    check(run_leaf(x), CLID_ERR_EXT_DUPLICATE, FAILED, 437);
    /* Not excused when a TNAuthList is not required. */
    check(run(&(scen){.leaf = x, .ca1 = inter, .cfg = no_tnauth_optional}),
          CLID_ERR_EXT_DUPLICATE, FAILED, 437);
    tp_free(x);
    /* Long-form length: BER, not DER. */
    static const uint8_t ber[] = {0x30, 0x81, 0x08, 0xA0, 0x06, 0x16, 0x04, '7', '0', '9', 'J'};
    x = tp_issue(&(tp_spec){.cn = "ber", .tnauth_raw = ber, .tnauth_raw_len = sizeof ber}, inter);
    check(run_leaf(x), CLID_ERR_DER_NOT_CANONICAL, FAILED, 437);
    tp_free(x);
    /* An SPC with a space in it. */
    static const uint8_t spc[] = {0x30, 0x08, 0xA0, 0x06, 0x16, 0x04, '7', ' ', '9', 'J'};
    x = tp_issue(&(tp_spec){.cn = "spc", .tnauth_raw = spc, .tnauth_raw_len = sizeof spc}, inter);
    check(run_leaf(x), CLID_ERR_BAD_SPC, FAILED, 437);
    tp_free(x);
}

/* Malformed or repeated extension fields on the leaf are never ignored:
 * each gives its decoding code (437). */
static void extension_decoding(void **state)
{
    (void)state;
    static const uint8_t tn_letter[] = {0x30, 0x07, 0xA2, 0x05, 0x16, 0x03, '1', '2', 'A'};
    static const uint8_t trailing[] = {0x30, 0x08, 0xA0, 0x06, 0x16, 0x04, '7', '0', '9', 'J',
                                       0x00};
    static const uint8_t truncated[] = {0x30, 0x08, 0xA0, 0x06, 0x16, 0x04, '7', '0'};
    /* 99999 + 2 numbers would need six digits. */
    static const uint8_t long_range[] = {0x30, 0x0E, 0xA1, 0x0C, 0x30, 0x0A, 0x16, 0x05, '9',
                                         '9',  '9',  '9',  '9',  0x02, 0x01, 0x02};
    static const uint8_t empty_seq[] = {0x30, 0x00};
    static const uint8_t octets[] = {0x04, 0x00};
    static const uint8_t jwtcc_orig[] = {0x30, 0x0a, 0xa0, 0x08, 0x30, 0x06, 0x16, 0x04,
                                         'o',  'r',  'i',  'g'};
    static const uint8_t entity_transit[] = {0x30, 0x03, 0x80, 0x01, 0x02};
    static const uint8_t entity_role9[] = {0x30, 0x03, 0x80, 0x01, 0x09};
    static const struct {
        const char *oid; /* NULL: the TNAuthList itself */
        const uint8_t *der;
        size_t len;
        clid_err want;
    } cases[] = {
        {NULL, tn_letter, sizeof tn_letter, CLID_ERR_DER_CONSTRAINT},
        {NULL, trailing, sizeof trailing, CLID_ERR_DER_TRAILING_DATA},
        {NULL, truncated, sizeof truncated, CLID_ERR_DER_MALFORMED},
        {NULL, long_range, sizeof long_range, CLID_ERR_BAD_RANGE},
        {CLID_OID_JWT_CLAIM_CONSTRAINTS, empty_seq, sizeof empty_seq, CLID_ERR_DER_CONSTRAINT},
        {CLID_OID_JWT_CLAIM_CONSTRAINTS, octets, sizeof octets, CLID_ERR_DER_MALFORMED},
        {CLID_OID_ENHANCED_JWT_CLAIM_CONSTRAINTS, octets, sizeof octets, CLID_ERR_DER_MALFORMED},
        {CLID_OID_SIGNALLING_ENTITY, octets, sizeof octets, CLID_ERR_DER_MALFORMED},
        {CLID_OID_SIGNALLING_ENTITY, entity_role9, sizeof entity_role9, CLID_ERR_BAD_ENTITY},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tp_spec spec = {.cn = "bad extension"};
        if (cases[i].oid == NULL) {
            spec.tnauth_raw = cases[i].der;
            spec.tnauth_raw_len = cases[i].len;
        } else {
            spec.tnauth = "spc:709J";
            spec.raw_oid = cases[i].oid;
            spec.raw_der = cases[i].der;
            spec.raw_der_len = cases[i].len;
        }
        tp_cert *x = tp_issue(&spec, inter);
        clid_err rc = run_leaf(x);
        check(rc, cases[i].want, FAILED, 437);
        tp_free(x);
    }
    /* The same extension twice, each copy well formed. */
    clid_jwtcc *j = NULL;
    assert_int_equal(clid_jwtcc_new(CLID_JWTCC_RFC8226, &j), CLID_OK);
    assert_int_equal(clid_jwtcc_add_must_include(j, "orig"), CLID_OK);
    tp_cert *x = tp_issue(&(tp_spec){.cn = "two jwtcc", .tnauth = "spc:709J", .jwtcc = j,
                                     .raw_oid = CLID_OID_JWT_CLAIM_CONSTRAINTS,
                                     .raw_der = jwtcc_orig, .raw_der_len = sizeof jwtcc_orig},
                          inter);
    clid_jwtcc_free(j);
    check(run_leaf(x), CLID_ERR_EXT_DUPLICATE, FAILED, 437);
    tp_free(x);
    clid_entity *e = NULL;
    assert_int_equal(clid_entity_new(CLID_ROLE_ORIGINATING_GATEWAY, &e), CLID_OK);
    x = tp_issue(&(tp_spec){.cn = "two entities", .tnauth = "spc:709J", .entity = e,
                            .raw_oid = CLID_OID_SIGNALLING_ENTITY, .raw_der = entity_transit,
                            .raw_der_len = sizeof entity_transit},
                 inter);
    clid_entity_free(e);
    check(run_leaf(x), CLID_ERR_EXT_DUPLICATE, FAILED, 437);
    tp_free(x);
}

static void tn_required(clid_ctx *c)
{
    assert_int_equal(clid_ctx_set_tn_policy(c, CLID_TN_POLICY_TN_REQUIRED), CLID_OK);
}

static void tn_not_authorized(void **state)
{
    (void)state;
    /* An SPC alone authorizes no TN when TN coverage is required. */
    check(run(&(scen){.leaf = sp, .ca1 = inter, .cfg = tn_required}), CLID_ERR_TN_NOT_AUTHORIZED,
          FAILED, 437);
    check(run(&(scen){.leaf = sp, .ca1 = inter}), CLID_OK, PASSED, 0);
    /* Outside the range, under either policy. */
    check(run(&(scen){.leaf = range_leaf, .ca1 = inter, .orig = "12025550100"}),
          CLID_ERR_TN_NOT_AUTHORIZED, FAILED, 437);
    check(run(&(scen){.leaf = range_leaf, .ca1 = inter, .orig = "1202555000"}),
          CLID_ERR_TN_NOT_AUTHORIZED, FAILED, 437);
    check(run(&(scen){.leaf = range_leaf, .ca1 = inter, .orig = "12025550100", .cfg = tn_required}),
          CLID_ERR_TN_NOT_AUTHORIZED, FAILED, 437);
    check(run(&(scen){.leaf = range_leaf, .ca1 = inter, .orig = "12025550099", .cfg = tn_required}),
          CLID_OK, PASSED, 0);
    check(run(&(scen){.leaf = range_leaf, .ca1 = inter, .orig = "12025550000"}), CLID_OK, PASSED,
          0);
}

/* RFC 8226 §9's TelephoneNumberRange is extensible: a range carrying an
 * extension addition of a later module version authorizes what its root
 * says, no more (X.680; asn1/der_struct.h). Before, such a certificate was
 * refused as CLID_ERR_DER_NOT_CANONICAL. */
static void tnauth_range_extension_addition(void **state)
{
    (void)state;
    /* range {"12025550000", 100}, then INTEGER 7 and [3] { NULL } */
    static const uint8_t range_plus[] = {
        0x30, 0x1b, 0xa1, 0x19, 0x30, 0x17, 0x16, 0x0b, '1', '2', '0', '2', '5', '5', '5', '0',
        '0',  '0',  '0',  0x02, 0x01, 0x64, 0x02, 0x01, 0x07, 0xa3, 0x02, 0x05, 0x00};
    tp_cert *x = tp_issue(&(tp_spec){.cn = "range+", .tnauth_raw = range_plus,
                                     .tnauth_raw_len = sizeof range_plus},
                          inter);
    check(run(&(scen){.leaf = x, .ca1 = inter, .orig = "12025550099", .cfg = tn_required}),
          CLID_OK, PASSED, 0);
    assert_int_equal(clid_result_warning_count(res), 0);
    check(run(&(scen){.leaf = x, .ca1 = inter, .orig = "12025550100", .cfg = tn_required}),
          CLID_ERR_TN_NOT_AUTHORIZED, FAILED, 437);
    tp_free(x);
    /* An addition in a BER form is still refused. */
    static const uint8_t range_ber[] = {
        0x30, 0x17, 0xa1, 0x15, 0x30, 0x13, 0x16, 0x0b, '1', '2', '0', '2', '5', '5', '5', '0',
        '0',  '0',  '0',  0x02, 0x01, 0x64, 0x05, 0x81, 0x00};
    x = tp_issue(&(tp_spec){.cn = "range ber", .tnauth_raw = range_ber,
                            .tnauth_raw_len = sizeof range_ber},
                 inter);
    check(run(&(scen){.leaf = x, .ca1 = inter, .orig = "12025550099"}),
          CLID_ERR_DER_NOT_CANONICAL, FAILED, 437);
    tp_free(x);
    /* A count of 2^64: the range error it is. */
    static const uint8_t range_huge[] = {
        0x30, 0x1c, 0xa1, 0x1a, 0x30, 0x18, 0x16, 0x0b, '1', '2', '0', '2', '5', '5', '5', '0',
        '0',  '0',  '0',  0x02, 0x09, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    x = tp_issue(&(tp_spec){.cn = "range huge", .tnauth_raw = range_huge,
                            .tnauth_raw_len = sizeof range_huge},
                 inter);
    check(run(&(scen){.leaf = x, .ca1 = inter, .orig = "12025550099"}), CLID_ERR_BAD_RANGE,
          FAILED, 437);
    tp_free(x);
}

static void delegate_not_encompassed(void **state)
{
    (void)state;
    /* RFC 9060: root -> STI-CA -> SP (a CA holding a range) -> delegate. */
    tp_cert *spca = tp_issue(&(tp_spec){.cn = "SP CA", .ca = 1, .tnauth = "range:12025550000+100"},
                             inter);
    tp_cert *good = tp_issue(&(tp_spec){.cn = "delegate", .tnauth = "range:12025550010+10"}, spca);
    tp_cert *bad = tp_issue(&(tp_spec){.cn = "rogue delegate", .tnauth = "tn:12025560001"}, spca);
    check(run(&(scen){.leaf = good, .ca1 = spca, .ca2 = inter, .orig = "12025550015"}), CLID_OK,
          PASSED, 0);
    check(run(&(scen){.leaf = bad, .ca1 = spca, .ca2 = inter, .orig = "12025560001"}),
          CLID_ERR_DELEGATE_NOT_ENCOMPASSED, FAILED, 437);
    /* Encompassed, but the delegate's own list does not hold the caller. */
    check(run(&(scen){.leaf = good, .ca1 = spca, .ca2 = inter, .orig = "12025550005"}),
          CLID_ERR_TN_NOT_AUTHORIZED, FAILED, 437);
    tp_free(good);
    tp_free(bad);
    tp_free(spca);
}

static void delegate_through_list_less_sub_ca(void **state)
{
    (void)state;
    /* The attack: an SP CA limited to a range issues a sub-CA without a
     * TNAuthList, whose leaf signs for a number outside that range. */
    tp_cert *spca = tp_issue(&(tp_spec){.cn = "SP CA", .ca = 1, .tnauth = "range:12025550000+100"},
                             inter);
    tp_cert *bare = tp_issue(&(tp_spec){.cn = "list-less sub-CA", .ca = 1}, spca);
    tp_cert *rogue = tp_issue(&(tp_spec){.cn = "rogue", .tnauth = "tn:13105550000"}, bare);
    check(run(&(scen){.leaf = rogue, .ca1 = bare, .ca2 = spca, .ca3 = inter,
                      .orig = "13105550000"}),
          CLID_ERR_DELEGATE_NO_TNAUTH, FAILED, 437);
    assert_non_null(strstr(clid_result_detail(res), "depth 1"));
    /* The legitimate neighbour: a sub-CA holding part of the SP CA's range
     * and a leaf for a number within it. */
    tp_cert *sub = tp_issue(&(tp_spec){.cn = "sub-CA", .ca = 1, .tnauth = "range:12025550000+50"},
                            spca);
    tp_cert *lf = tp_issue(&(tp_spec){.cn = "customer", .tnauth = "tn:12025550042"}, sub);
    check(run(&(scen){.leaf = lf, .ca1 = sub, .ca2 = spca, .ca3 = inter,
                      .orig = "12025550042"}),
          CLID_OK, PASSED, 0);
    tp_free(lf);
    tp_free(sub);
    tp_free(rogue);
    tp_free(bare);
    tp_free(spca);
}

#define HDR_X_CLAIMS_RCD                                                                          \
    "{\"attest\":\"A\",\"dest\":" C_DEST ",\"iat\":" T0_STR ",\"orig\":" C_ORIG                   \
    ",\"origid\":\"" ORIGID "\",\"rcd\":{\"nam\":\"Alice\"}}"

static void claim_constraints(void **state)
{
    (void)state;
    /* RFC 8226 §8 mustInclude: a claim the PASSporT lacks. */
    clid_jwtcc *j = NULL;
    assert_int_equal(clid_jwtcc_new(CLID_JWTCC_RFC8226, &j), CLID_OK);
    assert_int_equal(clid_jwtcc_add_must_include(j, "rcd"), CLID_OK);
    tp_cert *x = tp_issue(&(tp_spec){.cn = "must include", .tnauth = "spc:709J", .jwtcc = j},
                          inter);
    clid_jwtcc_free(j);
    check(run_leaf(x), CLID_ERR_CLAIM_CONSTRAINT_VIOLATED, FAILED, 438);
    char *with_rcd = forge_ex(HDR_X, HDR_X_CLAIMS_RCD, HDR_X_CLAIMS_RCD, x->key, SIG_RAW, PARAMS_X);
    check(run(&(scen){.leaf = x, .ca1 = inter, .identity = with_rcd}), CLID_OK, PASSED, 0);
    free(with_rcd);
    tp_free(x);

    /* permittedValues: attest may only be B or C. */
    assert_int_equal(clid_jwtcc_new(CLID_JWTCC_RFC8226, &j), CLID_OK);
    assert_int_equal(clid_jwtcc_add_must_include(j, "attest"), CLID_OK);
    assert_int_equal(clid_jwtcc_add_permitted(j, "attest", "B"), CLID_OK);
    assert_int_equal(clid_jwtcc_add_permitted(j, "attest", "C"), CLID_OK);
    x = tp_issue(&(tp_spec){.cn = "permitted", .tnauth = "spc:709J", .jwtcc = j}, inter);
    clid_jwtcc_free(j);
    check(run_leaf(x), CLID_ERR_CLAIM_CONSTRAINT_VIOLATED, FAILED, 438);
    char *attest_b = forge_ex(HDR_X, CLAIMS(Q("B"), C_DEST, T0_STR, C_ORIG, Q(ORIGID)),
                              CLAIMS(Q("B"), C_DEST, T0_STR, C_ORIG, Q(ORIGID)), x->key, SIG_RAW,
                              PARAMS_X);
    check(run(&(scen){.leaf = x, .ca1 = inter, .identity = attest_b}), CLID_OK, PASSED, 0);
    free(attest_b);
    tp_free(x);

    /* permittedValues on an object claim compare its canonical JSON. */
    assert_int_equal(clid_jwtcc_new(CLID_JWTCC_RFC8226, &j), CLID_OK);
    assert_int_equal(clid_jwtcc_add_permitted(j, "orig", "{\"tn\":\"" ORIG "\"}"), CLID_OK);
    x = tp_issue(&(tp_spec){.cn = "orig", .tnauth = "spc:709J", .jwtcc = j}, inter);
    clid_jwtcc_free(j);
    check(run_leaf(x), CLID_OK, PASSED, 0);
    check(run(&(scen){.leaf = x, .ca1 = inter, .orig = "12025550101"}),
          CLID_ERR_CLAIM_CONSTRAINT_VIOLATED, FAILED, 438);
    tp_free(x);

    /* RFC 9118 mustExclude: a claim the PASSporT carries. */
    assert_int_equal(clid_jwtcc_new(CLID_JWTCC_RFC9118, &j), CLID_OK);
    assert_int_equal(clid_jwtcc_add_must_exclude(j, "rcd"), CLID_OK);
    x = tp_issue(&(tp_spec){.cn = "must exclude", .tnauth = "spc:709J", .jwtcc = j}, inter);
    clid_jwtcc_free(j);
    check(run_leaf(x), CLID_OK, PASSED, 0);
    with_rcd = forge_ex(HDR_X, HDR_X_CLAIMS_RCD, HDR_X_CLAIMS_RCD, x->key, SIG_RAW, PARAMS_X);
    check(run(&(scen){.leaf = x, .ca1 = inter, .identity = with_rcd}),
          CLID_ERR_CLAIM_CONSTRAINT_VIOLATED, FAILED, 438);
    free(with_rcd);
    tp_free(x);
}

/* A leaf with a SignallingEntity of `role` listing `countries` (NULL-ended). */
static tp_cert *entity_leaf(clid_entity_role role, const char *const *countries)
{
    clid_entity *e = NULL;
    assert_int_equal(clid_entity_new(role, &e), CLID_OK);
    for (size_t i = 0; countries != NULL && countries[i] != NULL; i++)
        assert_int_equal(clid_entity_add_country(e, countries[i]), CLID_OK);
    tp_cert *x = tp_issue(&(tp_spec){.cn = "gateway", .tnauth = "spc:709J", .entity = e}, inter);
    clid_entity_free(e);
    return x;
}

static void entity_required(clid_ctx *c)
{
    assert_int_equal(clid_ctx_set_require_entity(c, 1), CLID_OK);
}

static void entity_not_authorized(void **state)
{
    (void)state;
    static const char *const us[] = {"1", NULL};
    static const char *const uk[] = {"44", NULL};
    static const char *const uk_us[] = {"44", "1", NULL};

    /* Roles that do not sign. */
    tp_cert *x = entity_leaf(CLID_ROLE_VERIFIER, us);
    check(run_leaf(x), CLID_ERR_ENTITY_NOT_AUTHORIZED, FAILED, 437);
    tp_free(x);
    x = entity_leaf(CLID_ROLE_TRANSIT, NULL);
    check(run_leaf(x), CLID_ERR_ENTITY_NOT_AUTHORIZED, FAILED, 437);
    tp_free(x);
    /* A country code that is not the caller's. */
    x = entity_leaf(CLID_ROLE_INTERNATIONAL_GATEWAY, uk);
    check(run_leaf(x), CLID_ERR_ENTITY_NOT_AUTHORIZED, FAILED, 437);
    check(run(&(scen){.leaf = x, .ca1 = inter, .orig = "442079460000"}), CLID_OK, PASSED, 0);
    tp_free(x);
    /* Signing roles for the caller's country pass, and the result shows
     * the entity. */
    x = entity_leaf(CLID_ROLE_ORIGINATING_GATEWAY, us);
    check(run_leaf(x), CLID_OK, PASSED, 0);
    const clid_entity *e = clid_result_signer_entity(res);
    assert_non_null(e);
    assert_int_equal(clid_entity_get_role(e), CLID_ROLE_ORIGINATING_GATEWAY);
    assert_string_equal(clid_entity_country(e, 0), "1");
    check(run(&(scen){.leaf = x, .ca1 = inter, .cfg = entity_required}), CLID_OK, PASSED, 0);
    tp_free(x);
    x = entity_leaf(CLID_ROLE_INTERNATIONAL_GATEWAY, uk_us);
    check(run_leaf(x), CLID_OK, PASSED, 0);
    tp_free(x);
    x = entity_leaf(CLID_ROLE_ORIGINATING_GATEWAY, NULL);
    check(run_leaf(x), CLID_OK, PASSED, 0);
    tp_free(x);
    /* Required but absent. */
    check(run(&(scen){.leaf = sp, .ca1 = inter, .cfg = entity_required}),
          CLID_ERR_ENTITY_NOT_AUTHORIZED, FAILED, 437);
    check(run(&(scen){.leaf = sp, .ca1 = inter}), CLID_OK, PASSED, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cert_untrusted),
        cmocka_unit_test(cert_expired_and_not_yet_valid),
        cmocka_unit_test(cert_revoked),
        cmocka_unit_test(crl_invalid),
        cmocka_unit_test(cert_chain_too_long),
        cmocka_unit_test(cert_chain_invalid),
        cmocka_unit_test(cert_purpose),
        cmocka_unit_test(cert_critical_ext),
        cmocka_unit_test(key_type),
        cmocka_unit_test(cert_no_tnauth),
        cmocka_unit_test(ext_duplicate_and_malformed),
        cmocka_unit_test(extension_decoding),
        cmocka_unit_test(tn_not_authorized),
        cmocka_unit_test(tnauth_range_extension_addition),
        cmocka_unit_test(delegate_not_encompassed),
        cmocka_unit_test(delegate_through_list_less_sub_ca),
        cmocka_unit_test(claim_constraints),
        cmocka_unit_test(entity_not_authorized),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
