/*
 * Unit tests of the signer chain (chain_validate.c): one test per rejection
 * of clid__signer_cert_validate (time, CRLs, trust and shape, the leaf,
 * critical and repeated extensions, RFC 9060 delegates), each asserting
 * the exact code. The fixture is signer_cert_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "verify/ctx_internal.h"
#include "signer_cert_fixture.h"

/* ------------------------------------------------------------------------ */
/* Validation: time                                                          */
/* ------------------------------------------------------------------------ */

static void leaf_validity_bounds(void **state)
{
    (void)state;
    clid_ctx *ctx = ctx_trusting(root);
    int64_t nb = TP_T0 - 30 * TP_DAY, na = TP_T0 + 365 * TP_DAY;
    /* RFC 5280 §4.1.2.5 makes both ends inclusive; OpenSSL 3.0 counts the
     * notAfter second itself as expired. clid follows OpenSSL. */
    assert_int_equal(validate_pem(ctx, chain, nb), CLID_OK);
    assert_int_equal(validate_pem(ctx, chain, na - 1), CLID_OK);
    clid_ctx_free(ctx);
}

static void leaf_expired(void **state)
{
    (void)state;
    clid_ctx *ctx = ctx_trusting(root);
    clid__signer_cert *c = load(chain);
    char detail[256];
    assert_int_equal(clid__signer_cert_validate(&ctx->trust, c, TP_T0 + 365 * TP_DAY, detail,
                                                sizeof detail),
                     CLID_ERR_CERT_EXPIRED);
    assert_non_null(strstr(detail, "expired"));
    assert_non_null(strstr(detail, "depth 0"));
    clid__signer_cert_release(c);
    clid_ctx_free(ctx);
}

static void leaf_not_yet_valid(void **state)
{
    (void)state;
    clid_ctx *ctx = ctx_trusting(root);
    assert_int_equal(validate_pem(ctx, chain, TP_T0 - 30 * TP_DAY - 1),
                     CLID_ERR_CERT_NOT_YET_VALID);
    clid_ctx_free(ctx);
}

static void intermediate_expired_and_not_yet_valid(void **state)
{
    (void)state;
    /* An STI-CA valid for 10 days around T0, a leaf valid for a year. */
    tp_cert *ca = tp_issue(&(tp_spec){.cn = "Short STI-CA", .ca = 1,
                                      .not_before = TP_T0 - 5 * TP_DAY,
                                      .not_after = TP_T0 + 5 * TP_DAY},
                           root);
    tp_cert *lf = tp_issue(&(tp_spec){.cn = "SP", .tnauth = "spc:709J",
                                      .not_before = TP_T0 - 100 * TP_DAY,
                                      .not_after = TP_T0 + 100 * TP_DAY},
                           ca);
    clid_ctx *ctx = ctx_trusting(root);
    char *pem = tp_cat(lf->pem, ca->pem, NULL);
    assert_int_equal(validate_pem(ctx, pem, TP_T0), CLID_OK);
    clid__signer_cert *c = load(pem);
    char detail[256];
    assert_int_equal(clid__signer_cert_validate(&ctx->trust, c, TP_T0 + 6 * TP_DAY, detail, sizeof detail),
                     CLID_ERR_CERT_EXPIRED);
    assert_non_null(strstr(detail, "depth 1"));
    assert_int_equal(clid__signer_cert_validate(&ctx->trust, c, TP_T0 - 6 * TP_DAY, detail, sizeof detail),
                     CLID_ERR_CERT_NOT_YET_VALID);
    assert_non_null(strstr(detail, "depth 1"));
    clid__signer_cert_release(c);
    free(pem);
    clid_ctx_free(ctx);
    tp_free(lf);
    tp_free(ca);
}

/* ------------------------------------------------------------------------ */
/* Validation: CRLs                                                          */
/* ------------------------------------------------------------------------ */

static void crl_if_present_without_crls(void **state)
{
    (void)state;
    /* The default policy: no CRL loaded, nothing to check. */
    clid_ctx *ctx = ctx_trusting(root);
    assert_int_equal(ctx->trust.crl_policy, CLID_CRL_IF_PRESENT);
    assert_int_equal(validate_pem(ctx, chain, TP_T0), CLID_OK);
    /* A CRL of the STI-CA not listing the leaf; none of the root. */
    add_crl(ctx, crl_of(inter, (long[]){1}, 1));
    assert_int_equal(validate_pem(ctx, chain, TP_T0), CLID_OK);
    clid_ctx_free(ctx);
}

static void revoked_leaf_if_present(void **state)
{
    (void)state;
    clid_ctx *ctx = ctx_trusting(root);
    add_crl(ctx, crl_of(inter, (long[]){1, leaf->serial}, 2));
    assert_int_equal(validate_pem(ctx, chain, TP_T0), CLID_ERR_CERT_REVOKED);
    clid_ctx_free(ctx);
}

static void revoked_leaf_required(void **state)
{
    (void)state;
    clid_ctx *ctx = ctx_trusting(root);
    assert_int_equal(clid_ctx_set_crl_policy(ctx, CLID_CRL_REQUIRED), CLID_OK);
    add_crl(ctx, crl_of(root, NULL, 0));
    add_crl(ctx, crl_of(inter, (long[]){leaf->serial}, 1));
    assert_int_equal(validate_pem(ctx, chain, TP_T0), CLID_ERR_CERT_REVOKED);
    clid_ctx_free(ctx);
}

static void revoked_intermediate(void **state)
{
    (void)state;
    clid_ctx *ctx = ctx_trusting(root);
    add_crl(ctx, crl_of(root, (long[]){inter->serial}, 1));
    char detail[256];
    clid__signer_cert *c = load(chain);
    assert_int_equal(clid__signer_cert_validate(&ctx->trust, c, TP_T0, detail, sizeof detail),
                     CLID_ERR_CERT_REVOKED);
    assert_non_null(strstr(detail, "depth 1"));
    clid__signer_cert_release(c);
    clid_ctx_free(ctx);
}

static void crl_required_and_complete(void **state)
{
    (void)state;
    clid_ctx *ctx = ctx_trusting(root);
    assert_int_equal(clid_ctx_set_crl_policy(ctx, CLID_CRL_REQUIRED), CLID_OK);
    add_crl(ctx, crl_of(root, NULL, 0));
    add_crl(ctx, crl_of(inter, (long[]){1}, 1));
    assert_int_equal(validate_pem(ctx, chain, TP_T0), CLID_OK);
    clid_ctx_free(ctx);
}

static void crl_required_but_missing(void **state)
{
    (void)state;
    clid_ctx *ctx = ctx_trusting(root);
    assert_int_equal(clid_ctx_set_crl_policy(ctx, CLID_CRL_REQUIRED), CLID_OK);
    assert_int_equal(validate_pem(ctx, chain, TP_T0), CLID_ERR_CRL_INVALID);
    /* The STI-CA's CRL alone is not enough: the root's is missing. */
    add_crl(ctx, crl_of(inter, NULL, 0));
    assert_int_equal(validate_pem(ctx, chain, TP_T0), CLID_ERR_CRL_INVALID);
    clid_ctx_free(ctx);
}

static void crl_ignored(void **state)
{
    (void)state;
    clid_ctx *ctx = ctx_trusting(root);
    add_crl(ctx, crl_of(inter, (long[]){leaf->serial}, 1));
    add_crl(ctx, tp_crl(root, TP_T0 - TP_DAY, TP_T0 + TP_DAY, NULL, 0, 1));
    assert_int_equal(clid_ctx_set_crl_policy(ctx, CLID_CRL_IGNORE), CLID_OK);
    assert_int_equal(validate_pem(ctx, chain, TP_T0), CLID_OK);
    clid_ctx_free(ctx);
}

static void crl_bad_signature(void **state)
{
    (void)state;
    clid_ctx *ctx = ctx_trusting(root);
    add_crl(ctx, tp_crl(inter, TP_T0 - TP_DAY, TP_T0 + TP_DAY, NULL, 0, 1));
    assert_int_equal(validate_pem(ctx, chain, TP_T0), CLID_ERR_CRL_INVALID);
    clid_ctx_free(ctx);
    /* A CRL carrying the STI-CA's name but signed by another key. */
    tp_cert *impostor = tp_issue(&(tp_spec){.cn = "Test STI-CA", .ca = 1}, root);
    ctx = ctx_trusting(root);
    add_crl(ctx, tp_crl(impostor, TP_T0 - TP_DAY, TP_T0 + TP_DAY, (long[]){leaf->serial}, 1,
                        TP_CRL_NO_AKI));
    assert_int_equal(validate_pem(ctx, chain, TP_T0), CLID_ERR_CRL_INVALID);
    clid_ctx_free(ctx);
    /* With an authorityKeyIdentifier naming the other key, it is not the
     * STI-CA's CRL at all (RFC 5280 §6.3.3 (f)): OpenSSL does not select
     * it, so for CLID_CRL_IF_PRESENT the STI-CA has no CRL here ... */
    ctx = ctx_trusting(root);
    add_crl(ctx, crl_of(impostor, (long[]){leaf->serial}, 1));
    assert_int_equal(validate_pem(ctx, chain, TP_T0), CLID_OK);
    /* ... and for CLID_CRL_REQUIRED its CRL is missing. */
    add_crl(ctx, crl_of(root, NULL, 0));
    assert_int_equal(clid_ctx_set_crl_policy(ctx, CLID_CRL_REQUIRED), CLID_OK);
    assert_int_equal(validate_pem(ctx, chain, TP_T0), CLID_ERR_CRL_INVALID);
    clid_ctx_free(ctx);
    tp_free(impostor);
}

static void crl_expired(void **state)
{
    (void)state;
    clid_ctx *ctx = ctx_trusting(root);
    add_crl(ctx, tp_crl(inter, TP_T0 - 10 * TP_DAY, TP_T0 - TP_DAY, NULL, 0, 0));
    assert_int_equal(validate_pem(ctx, chain, TP_T0), CLID_ERR_CRL_INVALID);
    clid_ctx_free(ctx);
}

static void crl_not_yet_valid(void **state)
{
    (void)state;
    clid_ctx *ctx = ctx_trusting(root);
    add_crl(ctx, tp_crl(inter, TP_T0 + TP_DAY, TP_T0 + 10 * TP_DAY, NULL, 0, 0));
    assert_int_equal(validate_pem(ctx, chain, TP_T0), CLID_ERR_CRL_INVALID);
    clid_ctx_free(ctx);
}

/* ------------------------------------------------------------------------ */
/* Validation: trust and shape                                               */
/* ------------------------------------------------------------------------ */

static void untrusted_root(void **state)
{
    (void)state;
    /* Same name as the real root, different key. */
    clid_ctx *ctx = ctx_trusting(other_root);
    assert_int_equal(validate_pem(ctx, chain, TP_T0), CLID_ERR_CERT_UNTRUSTED);
    clid_ctx_free(ctx);
    /* No anchors at all. */
    ctx = ctx_trusting(NULL);
    assert_int_equal(validate_pem(ctx, chain, TP_T0), CLID_ERR_CERT_UNTRUSTED);
    clid_ctx_free(ctx);
    /* The intermediate is missing (the Kamailio leaf-only cache bug). */
    ctx = ctx_trusting(root);
    assert_int_equal(validate_pem(ctx, leaf->pem, TP_T0), CLID_ERR_CERT_UNTRUSTED);
    /* A self-signed leaf. */
    tp_cert *self = tp_issue(&(tp_spec){.cn = "self", .tnauth = "spc:709J"}, NULL);
    assert_int_equal(validate_pem(ctx, self->pem, TP_T0), CLID_ERR_CERT_UNTRUSTED);
    tp_free(self);
    /* The chain served with an untrusted root appended. */
    char *pem = tp_cat(chain, other_root->pem, NULL);
    assert_int_equal(validate_pem(ctx, pem, TP_T0), CLID_OK);
    free(pem);
    clid_ctx_free(ctx);
}

static void chain_too_long(void **state)
{
    (void)state;
    clid_ctx *ctx = ctx_trusting(root);
    /* Leaf and STI-CA: two certificates below the anchor. */
    assert_int_equal(clid_ctx_set_max_chain_depth(ctx, 1), CLID_OK);
    assert_int_equal(validate_pem(ctx, chain, TP_T0), CLID_ERR_CERT_CHAIN_TOO_LONG);
    assert_int_equal(clid_ctx_set_max_chain_depth(ctx, 2), CLID_OK);
    assert_int_equal(validate_pem(ctx, chain, TP_T0), CLID_OK);
    clid_ctx_free(ctx);
}

static void chain_signature_invalid(void **state)
{
    (void)state;
    /* The leaf with one bit of its signature flipped. */
    unsigned char *der = NULL;
    int len = i2d_X509(leaf->x, &der);
    assert_true(len > 0);
    der[len - 1] ^= 0x01;
    BIO *bio = BIO_new(BIO_s_mem());
    assert_true(PEM_write_bio(bio, PEM_STRING_X509, "", der, len) > 0);
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    char *tampered = strndup(data, (size_t)n);
    BIO_free(bio);
    OPENSSL_free(der);
    clid_ctx *ctx = ctx_trusting(root);
    char *pem = tp_cat(tampered, inter->pem, NULL);
    clid__signer_cert *c = load(pem);
    char detail[256];
    assert_int_equal(clid__signer_cert_validate(&ctx->trust, c, TP_T0, detail, sizeof detail),
                     CLID_ERR_CERT_CHAIN_INVALID);
    assert_non_null(strstr(detail, "signature"));
    clid__signer_cert_release(c);
    free(pem);
    free(tampered);

    /* A leaf naming the STI-CA as issuer, signed by another key with that
     * name: its AKI matches no certificate offered, so no path exists. */
    tp_cert *impostor = tp_issue(&(tp_spec){.cn = "Test STI-CA", .ca = 1}, root);
    tp_cert *lf = tp_issue(&(tp_spec){.cn = "forged", .tnauth = "spc:709J"}, impostor);
    pem = tp_cat(lf->pem, inter->pem, NULL);
    assert_int_equal(validate_pem(ctx, pem, TP_T0), CLID_ERR_CERT_UNTRUSTED);
    free(pem);
    tp_free(lf);
    tp_free(impostor);
    clid_ctx_free(ctx);
}

static void intermediate_not_a_ca(void **state)
{
    (void)state;
    tp_cert *ee = tp_issue(&(tp_spec){.cn = "not a CA", .tnauth = "spc:709J"}, root);
    tp_cert *lf = tp_issue(&(tp_spec){.cn = "under EE", .tnauth = "spc:709J"}, ee);
    clid_ctx *ctx = ctx_trusting(root);
    char *pem = tp_cat(lf->pem, ee->pem, NULL);
    assert_int_equal(validate_pem(ctx, pem, TP_T0), CLID_ERR_CERT_CHAIN_INVALID);
    free(pem);
    clid_ctx_free(ctx);
    tp_free(lf);
    tp_free(ee);
}

/* ------------------------------------------------------------------------ */
/* Validation: the leaf                                                      */
/* ------------------------------------------------------------------------ */

static void leaf_is_ca(void **state)
{
    (void)state;
    tp_cert *x = tp_issue(&(tp_spec){.cn = "CA leaf", .ca = 1, .tnauth = "spc:709J",
                                     .ku = "critical,keyCertSign,cRLSign,digitalSignature"},
                          inter);
    assert_int_equal(validate_under_inter(x->pem), CLID_ERR_CERT_PURPOSE);
    tp_free(x);
    /* cA set, even with a keyUsage that could not sign certificates. */
    x = tp_issue(&(tp_spec){.cn = "CA leaf 2", .ca = 1, .tnauth = "spc:709J",
                            .ku = "critical,digitalSignature"},
                 inter);
    assert_int_equal(validate_under_inter(x->pem), CLID_ERR_CERT_PURPOSE);
    tp_free(x);
}

static void leaf_key_usage_without_digital_signature(void **state)
{
    (void)state;
    tp_cert *x = tp_issue(&(tp_spec){.cn = "KA leaf", .tnauth = "spc:709J",
                                     .ku = "critical,keyAgreement"},
                          inter);
    assert_int_equal(validate_under_inter(x->pem), CLID_ERR_CERT_PURPOSE);
    tp_free(x);
    /* No keyUsage at all: not restricted (RFC 5280 §4.2.1.3). */
    x = tp_issue(&(tp_spec){.cn = "no KU", .tnauth = "spc:709J", .ku = ""}, inter);
    assert_int_equal(validate_under_inter(x->pem), CLID_OK);
    tp_free(x);
}

static void rsa_leaf(void **state)
{
    (void)state;
    tp_cert *x = tp_issue(&(tp_spec){.cn = "RSA leaf", .tnauth = "spc:709J", .rsa = 1}, inter);
    assert_int_equal(validate_under_inter(x->pem), CLID_ERR_KEY_TYPE);
    tp_free(x);
}

/* ------------------------------------------------------------------------ */
/* Validation: critical and repeated extensions                              */
/* ------------------------------------------------------------------------ */

static void critical_tnauth_accepted(void **state)
{
    (void)state;
    /* RFC 8226 §9 lets the TNAuthList be critical; OpenSSL does not know
     * it (deps notes O2), clid does. */
    tp_cert *x = tp_issue(&(tp_spec){.cn = "crit", .tnauth = "spc:709J", .tnauth_critical = 1},
                          inter);
    assert_int_equal(validate_under_inter(x->pem), CLID_OK);
    tp_free(x);
}

static void critical_unknown_extension_refused(void **state)
{
    (void)state;
    tp_cert *x = tp_issue(&(tp_spec){.cn = "unknown", .tnauth = "spc:709J",
                                     .critical_oid = "1.3.6.1.4.1.99999.1.1"},
                          inter);
    assert_int_equal(validate_under_inter(x->pem), CLID_ERR_CERT_CRITICAL_EXT);
    tp_free(x);
    /* Even next to a critical TNAuthList that alone would be fine. */
    x = tp_issue(&(tp_spec){.cn = "both", .tnauth = "spc:709J", .tnauth_critical = 1,
                            .critical_oid = "1.3.6.1.4.1.99999.1.1"},
                 inter);
    assert_int_equal(validate_under_inter(x->pem), CLID_ERR_CERT_CRITICAL_EXT);
    tp_free(x);
}

static void critical_extensions_by_position(void **state)
{
    (void)state;
    /* On the leaf, critical claim constraints and SignallingEntity are
     * understood (the verifier enforces them). */
    tp_cert *x = tp_issue(&(tp_spec){.cn = "gw", .tnauth = "spc:709J", .entity_critical = 1,
                                     .jwtcc_critical = 1},
                          inter);
    assert_int_equal(validate_under_inter(x->pem), CLID_OK);
    tp_free(x);

    /* On a CA they are not enforced by anyone, hence refused; a critical
     * TNAuthList or unknown extension on a CA behaves as on a leaf. */
    const tp_spec ca_specs[] = {
        {.cn = "CA entity", .ca = 1, .entity_critical = 1},
        {.cn = "CA jwtcc", .ca = 1, .jwtcc_critical = 1},
        {.cn = "CA unknown", .ca = 1, .critical_oid = "1.3.6.1.4.1.99999.1.1"},
        {.cn = "CA tnauth", .ca = 1, .tnauth = "spc:709J", .tnauth_critical = 1},
    };
    const clid_err expect[] = {CLID_ERR_CERT_CRITICAL_EXT, CLID_ERR_CERT_CRITICAL_EXT,
                               CLID_ERR_CERT_CRITICAL_EXT, CLID_OK};
    clid_ctx *ctx = ctx_trusting(root);
    for (size_t i = 0; i < sizeof ca_specs / sizeof *ca_specs; i++) {
        tp_cert *ca = tp_issue(&ca_specs[i], root);
        tp_cert *lf = tp_issue(&(tp_spec){.cn = "leaf", .tnauth = "spc:709J"}, ca);
        char *pem = tp_cat(lf->pem, ca->pem, NULL);
        assert_int_equal(validate_pem(ctx, pem, TP_T0), expect[i]);
        free(pem);
        tp_free(lf);
        tp_free(ca);
    }
    clid_ctx_free(ctx);
}

static void duplicated_tnauth(void **state)
{
    (void)state;
    tp_cert *x = tp_issue(&(tp_spec){.cn = "dup", .tnauth = "spc:709J", .tnauth_twice = 1},
                          inter);
    assert_int_equal(validate_under_inter(x->pem), CLID_ERR_EXT_DUPLICATE);
    tp_free(x);
    /* On the intermediate too (OpenSSL does not see it, deps notes O1). */
    tp_cert *ca = tp_issue(&(tp_spec){.cn = "dup CA", .ca = 1, .tnauth = "spc:709J",
                                      .tnauth_twice = 1},
                           root);
    tp_cert *lf = tp_issue(&(tp_spec){.cn = "leaf", .tnauth = "spc:709J"}, ca);
    clid_ctx *ctx = ctx_trusting(root);
    char *pem = tp_cat(lf->pem, ca->pem, NULL);
    char detail[256];
    clid__signer_cert *c = load(pem);
    assert_int_equal(clid__signer_cert_validate(&ctx->trust, c, TP_T0, detail, sizeof detail),
                     CLID_ERR_EXT_DUPLICATE);
    assert_non_null(strstr(detail, "depth 1"));
    clid__signer_cert_release(c);
    free(pem);
    clid_ctx_free(ctx);
    tp_free(lf);
    tp_free(ca);
}

static void malformed_tnauth(void **state)
{
    (void)state;
    /* SPC "709J" with a long-form length: BER, not DER. */
    static const uint8_t ber[] = {0x30, 0x81, 0x08, 0xA0, 0x06, 0x16, 0x04, '7', '0', '9', 'J'};
    tp_cert *x = tp_issue(&(tp_spec){.cn = "ber", .tnauth_raw = ber, .tnauth_raw_len = sizeof ber},
                          inter);
    assert_int_equal(validate_under_inter(x->pem), CLID_ERR_DER_NOT_CANONICAL);
    tp_free(x);
    /* An empty list (RFC 8226: SIZE (1..MAX)), on the intermediate. */
    static const uint8_t empty[] = {0x30, 0x00};
    tp_cert *ca = tp_issue(&(tp_spec){.cn = "empty CA", .ca = 1, .tnauth_raw = empty,
                                      .tnauth_raw_len = sizeof empty},
                           root);
    tp_cert *lf = tp_issue(&(tp_spec){.cn = "leaf", .tnauth = "spc:709J"}, ca);
    clid_ctx *ctx = ctx_trusting(root);
    char *pem = tp_cat(lf->pem, ca->pem, NULL);
    assert_int_equal(validate_pem(ctx, pem, TP_T0), CLID_ERR_DER_CONSTRAINT);
    free(pem);
    clid_ctx_free(ctx);
    tp_free(lf);
    tp_free(ca);
}

/* ------------------------------------------------------------------------ */
/* Validation: RFC 9060 delegate certificates                                */
/* ------------------------------------------------------------------------ */

/* root -> inter (STI-CA, no TNAuthList) -> sp (CA with `sp_list`)
 * -> delegate (`delegate_list`), validated at TP_T0 under `policy`. */
static clid_err delegate_case(const char *sp_list, const char *delegate_list,
                              clid_tn_policy policy)
{
    tp_cert *sp = tp_issue(&(tp_spec){.cn = "SP CA", .ca = 1, .tnauth = sp_list}, inter);
    tp_cert *dg = tp_issue(&(tp_spec){.cn = "delegate", .tnauth = delegate_list}, sp);
    clid_ctx *ctx = ctx_trusting(root);
    assert_int_equal(clid_ctx_set_tn_policy(ctx, policy), CLID_OK);
    char *pem = tp_cat(dg->pem, sp->pem, inter->pem, NULL);
    clid_err rc = validate_pem(ctx, pem, TP_T0);
    free(pem);
    clid_ctx_free(ctx);
    tp_free(dg);
    tp_free(sp);
    return rc;
}

static void delegate_encompassed(void **state)
{
    (void)state;
    const clid_tn_policy spc = CLID_TN_POLICY_SPC_OR_TN, tn = CLID_TN_POLICY_TN_REQUIRED;
    /* A TN and a sub-range inside the SP's range. */
    assert_int_equal(delegate_case("range:12025550000+100", "tn:12025550042", tn), CLID_OK);
    assert_int_equal(delegate_case("range:12025550000+100", "range:12025550010+20", tn), CLID_OK);
    assert_int_equal(delegate_case("range:12025550000+100,tn:13105550000",
                                   "tn:13105550000,tn:12025550099", tn),
                     CLID_OK);
    /* The same SPC. */
    assert_int_equal(delegate_case("spc:709J", "spc:709J", tn), CLID_OK);
    /* An SPC parent covers any TN when the policy lets an SPC authorize. */
    assert_int_equal(delegate_case("spc:709J", "tn:12025550042", spc), CLID_OK);
}

static void delegate_not_encompassed(void **state)
{
    (void)state;
    const clid_tn_policy spc = CLID_TN_POLICY_SPC_OR_TN, tn = CLID_TN_POLICY_TN_REQUIRED;
    assert_int_equal(delegate_case("range:12025550000+100", "tn:12025559999", tn),
                     CLID_ERR_DELEGATE_NOT_ENCOMPASSED);
    /* A range sticking out of the parent's by one number. */
    assert_int_equal(delegate_case("range:12025550000+100", "range:12025550090+11", tn),
                     CLID_ERR_DELEGATE_NOT_ENCOMPASSED);
    /* One good entry does not excuse a bad one. */
    assert_int_equal(delegate_case("range:12025550000+100", "tn:12025550001,tn:13105550000", spc),
                     CLID_ERR_DELEGATE_NOT_ENCOMPASSED);
    assert_int_equal(delegate_case("spc:709J", "spc:123A", spc),
                     CLID_ERR_DELEGATE_NOT_ENCOMPASSED);
    /* Without the SPC policy an SPC parent covers no TN. */
    assert_int_equal(delegate_case("spc:709J", "tn:12025550042", tn),
                     CLID_ERR_DELEGATE_NOT_ENCOMPASSED);
    /* A delegate may not claim an SPC under a parent holding numbers. */
    assert_int_equal(delegate_case("range:12025550000+100", "spc:709J", spc),
                     CLID_ERR_DELEGATE_NOT_ENCOMPASSED);
}

/* root -> inter -> SP CA (`sp_list`) -> sub-CA (`sub_list`, NULL: none)
 * -> leaf (`leaf_list`, NULL: none), validated at TP_T0 under the default
 * policy; `detail` receives the validation's text. */
static clid_err sub_ca_case(const char *sp_list, const char *sub_list, const char *leaf_list,
                            char *detail, size_t cap)
{
    tp_cert *sp = tp_issue(&(tp_spec){.cn = "SP CA", .ca = 1, .tnauth = sp_list}, inter);
    tp_cert *sub = tp_issue(&(tp_spec){.cn = "sub-CA", .ca = 1, .tnauth = sub_list}, sp);
    tp_cert *lf = tp_issue(&(tp_spec){.cn = "leaf", .tnauth = leaf_list}, sub);
    clid_ctx *ctx = ctx_trusting(root);
    char *pem = tp_cat(lf->pem, sub->pem, sp->pem, inter->pem, NULL);
    clid__signer_cert *c = load(pem);
    clid_err rc = clid__signer_cert_validate(&ctx->trust, c, TP_T0, detail, cap);
    clid__signer_cert_release(c);
    free(pem);
    clid_ctx_free(ctx);
    tp_free(lf);
    tp_free(sub);
    tp_free(sp);
    return rc;
}

static void delegate_through_list_less_sub_ca(void **state)
{
    (void)state;
    char detail[256];
    /* The attack: an SP CA limited to a range issues a sub-CA without a
     * TNAuthList, which issues a leaf for a number outside the range. Each
     * list compared with its direct issuer's only, nothing was checked. */
    assert_int_equal(sub_ca_case("range:12025550000+100", NULL, "tn:13105550000", detail,
                                 sizeof detail),
                     CLID_ERR_DELEGATE_NO_TNAUTH);
    assert_non_null(strstr(detail, "depth 1"));
    assert_non_null(strstr(detail, "depth 2"));
    /* Refused outright, even for a number within the SP CA's range: RFC
     * 9060 §4 delegates only through CAs that carry a TNAuthList. */
    assert_int_equal(sub_ca_case("range:12025550000+100", NULL, "tn:12025550042", detail,
                                 sizeof detail),
                     CLID_ERR_DELEGATE_NO_TNAUTH);
    /* A leaf without a list below a list is no better than a sub-CA. */
    assert_int_equal(sub_ca_case("range:12025550000+100", "range:12025550000+50", NULL, detail,
                                 sizeof detail),
                     CLID_ERR_DELEGATE_NO_TNAUTH);
    assert_non_null(strstr(detail, "depth 0"));
}

static void delegate_through_sub_ca_with_list(void **state)
{
    (void)state;
    char detail[256];
    /* The legitimate neighbour: the sub-CA carries a list within the SP
     * CA's, and the leaf's number lies within it. */
    assert_int_equal(sub_ca_case("range:12025550000+100", "range:12025550000+50",
                                 "tn:12025550042", detail, sizeof detail),
                     CLID_OK);
    assert_string_equal(detail, "");
    /* The leaf is checked against the nearest list above it (the sub-CA's),
     * not only the SP CA's. */
    assert_int_equal(sub_ca_case("range:12025550000+100", "range:12025550000+50",
                                 "tn:12025550077", detail, sizeof detail),
                     CLID_ERR_DELEGATE_NOT_ENCOMPASSED);
    assert_non_null(strstr(detail, "depth 0 is not within the one at depth 1"));
    /* A sub-CA wider than the SP CA. */
    assert_int_equal(sub_ca_case("range:12025550000+100", "range:12025550000+1000",
                                 "tn:12025550042", detail, sizeof detail),
                     CLID_ERR_DELEGATE_NOT_ENCOMPASSED);
    assert_non_null(strstr(detail, "depth 1 is not within the one at depth 2"));
    /* Lists start below list-less CAs (root, STI-CA): nothing above them. */
    assert_int_equal(sub_ca_case(NULL, "range:12025550000+50", "tn:12025550042", detail,
                                 sizeof detail),
                     CLID_OK);
}

static void leaf_list_under_plain_sti_ca(void **state)
{
    (void)state;
    /* The STI-CA carries no TNAuthList (ATIS-1000080): nothing to check. */
    tp_cert *x = tp_issue(&(tp_spec){.cn = "tn leaf", .tnauth = "tn:12025550100"}, inter);
    assert_int_equal(validate_under_inter(x->pem), CLID_OK);
    tp_free(x);
    /* A leaf without TNAuthList is the pipeline's business, not this one's. */
    x = tp_issue(&(tp_spec){.cn = "no list"}, inter);
    assert_int_equal(validate_under_inter(x->pem), CLID_OK);
    tp_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(leaf_validity_bounds),
        cmocka_unit_test(leaf_expired),
        cmocka_unit_test(leaf_not_yet_valid),
        cmocka_unit_test(intermediate_expired_and_not_yet_valid),
        cmocka_unit_test(crl_if_present_without_crls),
        cmocka_unit_test(revoked_leaf_if_present),
        cmocka_unit_test(revoked_leaf_required),
        cmocka_unit_test(revoked_intermediate),
        cmocka_unit_test(crl_required_and_complete),
        cmocka_unit_test(crl_required_but_missing),
        cmocka_unit_test(crl_ignored),
        cmocka_unit_test(crl_bad_signature),
        cmocka_unit_test(crl_expired),
        cmocka_unit_test(crl_not_yet_valid),
        cmocka_unit_test(untrusted_root),
        cmocka_unit_test(chain_too_long),
        cmocka_unit_test(chain_signature_invalid),
        cmocka_unit_test(intermediate_not_a_ca),
        cmocka_unit_test(leaf_is_ca),
        cmocka_unit_test(leaf_key_usage_without_digital_signature),
        cmocka_unit_test(rsa_leaf),
        cmocka_unit_test(critical_tnauth_accepted),
        cmocka_unit_test(critical_unknown_extension_refused),
        cmocka_unit_test(critical_extensions_by_position),
        cmocka_unit_test(duplicated_tnauth),
        cmocka_unit_test(malformed_tnauth),
        cmocka_unit_test(delegate_encompassed),
        cmocka_unit_test(delegate_not_encompassed),
        cmocka_unit_test(leaf_list_under_plain_sti_ca),
        cmocka_unit_test(delegate_through_list_less_sub_ca),
        cmocka_unit_test(delegate_through_sub_ca_with_list),
    };
    return cmocka_run_group_tests_name("signer_cert_chain", tests, group_setup, group_teardown);
}
