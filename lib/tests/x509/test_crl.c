/*
 * Unit tests of revocation as deployed (x509/crl.h) with loaded CRLs: the
 * STI-PA's indirect CRL (RFC 5280 §5.2.5) against a SHAKEN chain whose
 * certificates name it in their CRL Distribution Points (ATIS-1000080).
 * Each way a CRL or its signer can be wrong has its test, so that whatever
 * clid claims to check is shown to be checked: the signer's key, its path
 * to an anchor, its cRLSign bit, the entries' certificateIssuer, the CRL's
 * time, scope and extensions. Fetching and the cache are in
 * test_crl_store.c. The fixture is crl_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crl_fixture.h"

/* ------------------------------------------------------------------------ */
/* Entries: (issuer, serial) (RFC 5280 §5.3.3)                               */
/* ------------------------------------------------------------------------ */

static void revoked_leaf_caught(void **state)
{
    (void)state;
    clid_ctx *ctx = shaken_ctx(1);
    add_crl(ctx, stipa_crl((tp_revoked[]){{.serial = leaf->serial, .issuer = inter}}, 1));
    clid__revocation rev;
    char detail[256];
    assert_int_equal(check_chain(ctx, NULL, chain, TP_T0, &rev, detail), CLID_ERR_CERT_REVOKED);
    assert_true(rev.revoked);
    assert_non_null(strstr(detail, "depth 0"));
    clid_ctx_free(ctx);
}

static void not_listed_passes_and_is_checked(void **state)
{
    (void)state;
    clid_ctx *ctx = shaken_ctx(1);
    add_crl(ctx, stipa_crl((tp_revoked[]){{.serial = 1, .issuer = inter}}, 1));
    clid__revocation rev;
    assert_int_equal(check_at_t0(ctx, &rev), CLID_OK);
    /* Both certificates below the anchor: the leaf and the STI-CA. */
    assert_true(rev.checked);
    assert_false(rev.unavailable);
    assert_int_equal(rev.soft, CLID_OK);
    clid_ctx_free(ctx);
}

static void same_serial_under_another_issuer(void **state)
{
    (void)state;
    clid_ctx *ctx = shaken_ctx(1);
    /* The leaf's serial, but certificateIssuer another STI-CA. */
    add_crl(ctx, stipa_crl((tp_revoked[]){{.serial = leaf->serial, .issuer = other_inter}}, 1));
    clid__revocation rev;
    assert_int_equal(check_at_t0(ctx, &rev), CLID_OK);
    assert_true(rev.checked);
    clid_ctx_free(ctx);

    /* No certificateIssuer on the first entry: it is the CRL issuer's own
     * certificate (the STI-PA's), not the STI-CA's. */
    ctx = shaken_ctx(1);
    add_crl(ctx, stipa_crl((tp_revoked[]){{.serial = leaf->serial}}, 1));
    assert_int_equal(check_at_t0(ctx, &rev), CLID_OK);
    clid_ctx_free(ctx);

    /* An entry without certificateIssuer inherits the one of the entry
     * before it: the leaf's serial after an entry naming the STI-CA. */
    ctx = shaken_ctx(1);
    add_crl(ctx, stipa_crl((tp_revoked[]){{.serial = 5, .issuer = inter},
                                          {.serial = leaf->serial}},
                           2));
    assert_int_equal(check_at_t0(ctx, &rev), CLID_ERR_CERT_REVOKED);
    clid_ctx_free(ctx);

    /* ... and a later certificateIssuer ends it. */
    ctx = shaken_ctx(1);
    add_crl(ctx, stipa_crl((tp_revoked[]){{.serial = 5, .issuer = inter},
                                          {.serial = 6, .issuer = other_inter},
                                          {.serial = leaf->serial}},
                           3));
    assert_int_equal(check_at_t0(ctx, &rev), CLID_OK);
    clid_ctx_free(ctx);
}

static void revoked_intermediate_caught(void **state)
{
    (void)state;
    clid_ctx *ctx = shaken_ctx(1);
    add_crl(ctx, stipa_crl((tp_revoked[]){{.serial = inter->serial, .issuer = root}}, 1));
    clid__revocation rev;
    char detail[256];
    assert_int_equal(check_chain(ctx, NULL, chain, TP_T0, &rev, detail), CLID_ERR_CERT_REVOKED);
    assert_non_null(strstr(detail, "depth 1"));
    clid_ctx_free(ctx);
}

/* ------------------------------------------------------------------------ */
/* The signer (RFC 5280 §6.3.3 (f))                                          */
/* ------------------------------------------------------------------------ */

static void crl_signed_by_untrusted_key(void **state)
{
    (void)state;
    /* The STI-PA's name, another key; the real signer is configured. */
    tp_cert *impostor = tp_issue(&(tp_spec){.cn = "STI-PA CRL", .ku = "critical,cRLSign"}, NULL);
    clid_ctx *ctx = shaken_ctx(1);
    tp_crl_spec s = stipa_spec(NULL, 0);
    s.signer = impostor;
    s.name_of = stipa;
    add_crl(ctx, tp_crl_ex(&s, NULL));
    clid__revocation rev;
    char detail[256];
    assert_int_equal(check_chain(ctx, NULL, chain, TP_T0, &rev, detail), CLID_ERR_CRL_INVALID);
    assert_non_null(strstr(detail, "signature does not verify"));
    clid_ctx_free(ctx);

    /* The impostor configured as a signer does not help: it has no path
     * to the trust anchor. */
    ctx = shaken_ctx(0);
    assert_int_equal(clid_ctx_add_crl_signer_pem(ctx, impostor->pem, strlen(impostor->pem)),
                     CLID_OK);
    add_crl(ctx, tp_crl_ex(&s, NULL));
    assert_int_equal(check_chain(ctx, NULL, chain, TP_T0, &rev, detail), CLID_ERR_CRL_INVALID);
    assert_non_null(strstr(detail, "no valid path to a trust anchor"));
    clid_ctx_free(ctx);
    tp_free(impostor);
}

static void signer_must_be_configured(void **state)
{
    (void)state;
    clid_ctx *ctx = shaken_ctx(0);
    add_crl(ctx, stipa_crl(NULL, 0));
    clid__revocation rev;
    char detail[256];
    assert_int_equal(check_chain(ctx, NULL, chain, TP_T0, &rev, detail), CLID_ERR_CRL_INVALID);
    assert_non_null(strstr(detail, "no CRL signer"));
    clid_ctx_free(ctx);
}

static void signer_without_crl_sign(void **state)
{
    (void)state;
    tp_cert *ds = tp_issue(&(tp_spec){.cn = "STI-PA CRL", .ku = "critical,digitalSignature"},
                           root);
    clid_ctx *ctx = shaken_ctx(0);
    assert_int_equal(clid_ctx_add_crl_signer_pem(ctx, ds->pem, strlen(ds->pem)), CLID_OK);
    tp_crl_spec s = stipa_spec(NULL, 0);
    s.signer = ds;
    add_crl(ctx, tp_crl_ex(&s, NULL));
    clid__revocation rev;
    char detail[256];
    assert_int_equal(check_chain(ctx, NULL, chain, TP_T0, &rev, detail), CLID_ERR_CRL_INVALID);
    assert_non_null(strstr(detail, "cRLSign"));
    clid_ctx_free(ctx);

    /* No keyUsage at all: every use allowed (RFC 5280 §4.2.1.3). */
    tp_cert *noku = tp_issue(&(tp_spec){.cn = "STI-PA CRL", .ku = ""}, root);
    ctx = shaken_ctx(0);
    assert_int_equal(clid_ctx_add_crl_signer_pem(ctx, noku->pem, strlen(noku->pem)), CLID_OK);
    s.signer = noku;
    add_crl(ctx, tp_crl_ex(&s, NULL));
    assert_int_equal(check_chain(ctx, NULL, chain, TP_T0, &rev, NULL), CLID_OK);
    assert_true(rev.checked);
    clid_ctx_free(ctx);
    tp_free(ds);
    tp_free(noku);
}

static void signer_expired(void **state)
{
    (void)state;
    tp_cert *old = tp_issue(&(tp_spec){.cn = "STI-PA CRL", .ku = "critical,cRLSign",
                                       .not_before = TP_T0 - 100 * TP_DAY,
                                       .not_after = TP_T0 - 10 * TP_DAY},
                            root);
    clid_ctx *ctx = shaken_ctx(0);
    assert_int_equal(clid_ctx_add_crl_signer_pem(ctx, old->pem, strlen(old->pem)), CLID_OK);
    tp_crl_spec s = stipa_spec(NULL, 0);
    s.signer = old;
    add_crl(ctx, tp_crl_ex(&s, NULL));
    clid__revocation rev;
    char detail[256];
    assert_int_equal(check_chain(ctx, NULL, chain, TP_T0, &rev, detail), CLID_ERR_CRL_INVALID);
    assert_non_null(strstr(detail, "expired"));
    clid_ctx_free(ctx);
    tp_free(old);
}

static void anchor_signs_its_own_indirect_crl(void **state)
{
    (void)state;
    /* A distribution point whose cRLIssuer is the trust anchor itself. */
    tp_cert *l = tp_issue(&(tp_spec){.cn = "SHAKEN 1234", .tnauth = "spc:1234",
                                     .crl_dp_url = URL_STIPA, .crl_dp_issuer = root},
                          inter);
    char *pem = tp_cat(l->pem, inter->pem, NULL);
    clid_ctx *ctx = shaken_ctx(1);
    add_crl(ctx, stipa_crl(NULL, 0)); /* for the STI-CA */
    tp_crl_spec s = {.signer = root, .last = TP_T0 - TP_DAY, .next = TP_T0 + TP_DAY,
                     .revoked = (tp_revoked[]){{.serial = l->serial, .issuer = inter}}, .n = 1,
                     .idp = 1, .indirect = 1};
    add_crl(ctx, tp_crl_ex(&s, NULL));
    clid__revocation rev;
    assert_int_equal(check_chain(ctx, NULL, pem, TP_T0, &rev, NULL), CLID_ERR_CERT_REVOKED);
    clid_ctx_free(ctx);
    free(pem);
    tp_free(l);
}

/* ------------------------------------------------------------------------ */
/* Time                                                                      */
/* ------------------------------------------------------------------------ */

static void expired_crl_per_policy(void **state)
{
    (void)state;
    tp_crl_spec s = stipa_spec(NULL, 0);
    s.last = TP_T0 - 10 * TP_DAY;
    s.next = TP_T0 - TP_DAY;
    clid_ctx *ctx = shaken_ctx(1);
    add_crl(ctx, tp_crl_ex(&s, NULL));
    clid__revocation rev;
    char detail[256];
    /* IF_PRESENT (default): passes, saying revocation was not checked. */
    assert_int_equal(check_chain(ctx, NULL, chain, TP_T0, &rev, detail), CLID_OK);
    assert_int_equal(rev.soft, CLID_ERR_CRL_UNAVAILABLE);
    assert_true(rev.unavailable);
    assert_false(rev.checked);
    assert_non_null(strstr(detail, "stale"));
    /* REQUIRED: fails. */
    assert_int_equal(clid_ctx_set_crl_policy(ctx, CLID_CRL_REQUIRED), CLID_OK);
    assert_int_equal(check_chain(ctx, NULL, chain, TP_T0, &rev, detail),
                     CLID_ERR_CRL_UNAVAILABLE);
    /* At a time within it, it is current. */
    assert_int_equal(check_chain(ctx, NULL, chain, TP_T0 - 2 * TP_DAY, &rev, NULL), CLID_OK);
    assert_true(rev.checked);
    clid_ctx_free(ctx);

    /* A stale CRL that lists the leaf still revokes it. */
    s.revoked = (tp_revoked[]){{.serial = leaf->serial, .issuer = inter}};
    s.n = 1;
    ctx = shaken_ctx(1);
    add_crl(ctx, tp_crl_ex(&s, NULL));
    assert_int_equal(check_at_t0(ctx, &rev), CLID_ERR_CERT_REVOKED);
    clid_ctx_free(ctx);
}

static void crl_not_yet_valid(void **state)
{
    (void)state;
    tp_crl_spec s = stipa_spec((tp_revoked[]){{.serial = leaf->serial, .issuer = inter}}, 1);
    s.last = TP_T0 + TP_DAY;
    s.next = TP_T0 + 8 * TP_DAY;
    clid_ctx *ctx = shaken_ctx(1);
    add_crl(ctx, tp_crl_ex(&s, NULL));
    clid__revocation rev;
    char detail[256];
    /* Not usable at TP_T0, listing included. */
    assert_int_equal(check_chain(ctx, NULL, chain, TP_T0, &rev, detail), CLID_OK);
    assert_int_equal(rev.soft, CLID_ERR_CRL_UNAVAILABLE);
    assert_non_null(strstr(detail, "not yet valid"));
    assert_int_equal(check_chain(ctx, NULL, chain, TP_T0 + 2 * TP_DAY, &rev, NULL),
                     CLID_ERR_CERT_REVOKED);
    clid_ctx_free(ctx);
}

static void newest_current_crl_wins(void **state)
{
    (void)state;
    /* An old stale CRL and a current one: the current one checks. */
    tp_crl_spec old = stipa_spec(NULL, 0);
    old.last = TP_T0 - 20 * TP_DAY;
    old.next = TP_T0 - 10 * TP_DAY;
    clid_ctx *ctx = shaken_ctx(1);
    add_crl(ctx, tp_crl_ex(&old, NULL));
    add_crl(ctx, stipa_crl(NULL, 0));
    clid__revocation rev;
    assert_int_equal(check_at_t0(ctx, &rev), CLID_OK);
    assert_true(rev.checked);
    assert_int_equal(rev.soft, CLID_OK);
    clid_ctx_free(ctx);
}

/* ------------------------------------------------------------------------ */
/* Scope and form (RFC 5280 §5.2.5, §6.3.3 (b))                              */
/* ------------------------------------------------------------------------ */

static clid_err with_spec(const tp_crl_spec *s, clid__revocation *rev, char *detail)
{
    clid_ctx *ctx = shaken_ctx(1);
    add_crl(ctx, tp_crl_ex(s, NULL));
    clid_err rc = check_chain(ctx, NULL, chain, TP_T0, rev, detail);
    clid_ctx_free(ctx);
    return rc;
}

static void scope_must_cover(void **state)
{
    (void)state;
    clid__revocation rev;
    char detail[256];
    tp_revoked both[] = {{.serial = leaf->serial, .issuer = inter}};

    /* Not marked indirect: not the CRL the cRLIssuer asks for. */
    tp_crl_spec s = stipa_spec(both, 1);
    s.indirect = 0;
    s.revoked = (tp_revoked[]){{.serial = leaf->serial}};
    assert_int_equal(with_spec(&s, &rev, detail), CLID_OK);
    assert_int_equal(rev.soft, CLID_ERR_CRL_UNAVAILABLE);
    assert_non_null(strstr(detail, "not marked indirect"));
    s.idp = 0;
    assert_int_equal(with_spec(&s, &rev, detail), CLID_OK);
    assert_int_equal(rev.soft, CLID_ERR_CRL_UNAVAILABLE);

    /* certificateIssuer entries in a CRL not marked indirect (§5.3.3). */
    s = stipa_spec(both, 1);
    s.indirect = 0;
    assert_int_equal(with_spec(&s, &rev, detail), CLID_ERR_CRL_INVALID);
    assert_non_null(strstr(detail, "not indirect"));

    /* Another distribution point name. */
    s = stipa_spec(both, 1);
    s.idp_url = "https://crl.sti-pa.test/other.crl";
    assert_int_equal(with_spec(&s, &rev, detail), CLID_OK);
    assert_non_null(strstr(detail, "another distribution point"));
    /* No distribution point name: any. */
    s.idp_url = NULL;
    assert_int_equal(with_spec(&s, &rev, detail), CLID_ERR_CERT_REVOKED);

    /* CA certificates only: the leaf is not covered (and the STI-CA is). */
    s = stipa_spec(both, 1);
    s.only_ca = 1;
    assert_int_equal(with_spec(&s, &rev, detail), CLID_OK);
    assert_non_null(strstr(detail, "depth 0"));
    assert_non_null(strstr(detail, "CA certificates only"));
    /* End entities only: the STI-CA is not. */
    s = stipa_spec(NULL, 0);
    s.only_user = 1;
    assert_int_equal(with_spec(&s, &rev, detail), CLID_OK);
    assert_int_equal(rev.soft, CLID_ERR_CRL_UNAVAILABLE);
    assert_non_null(strstr(detail, "depth 1"));
    /* Some reasons only: a partial CRL is not enough. */
    s = stipa_spec(both, 1);
    s.some_reasons = 1;
    assert_int_equal(with_spec(&s, &rev, detail), CLID_OK);
    assert_int_equal(rev.soft, CLID_ERR_CRL_UNAVAILABLE);
}

static void unusable_forms_refused(void **state)
{
    (void)state;
    clid__revocation rev;
    char detail[256];
    tp_revoked leaf_entry[] = {{.serial = leaf->serial, .issuer = inter}};
    tp_crl_spec s = stipa_spec(NULL, 0);
    s.critical_unknown = 1;
    assert_int_equal(with_spec(&s, &rev, detail), CLID_ERR_CRL_INVALID);
    assert_non_null(strstr(detail, "unsupported critical CRL extension"));

    s = stipa_spec((tp_revoked[]){{.serial = 9, .issuer = inter, .critical_unknown = 1}}, 1);
    assert_int_equal(with_spec(&s, &rev, detail), CLID_ERR_CRL_INVALID);
    assert_non_null(strstr(detail, "unsupported critical extension"));

    s = stipa_spec(NULL, 0);
    s.delta = 1;
    assert_int_equal(with_spec(&s, &rev, detail), CLID_ERR_CRL_INVALID);
    assert_non_null(strstr(detail, "delta"));

    s = stipa_spec(leaf_entry, 1);
    s.next = 0;
    assert_int_equal(with_spec(&s, &rev, detail), CLID_ERR_CRL_INVALID);
    assert_non_null(strstr(detail, "nextUpdate"));
}

/* ------------------------------------------------------------------------ */
/* Policy                                                                    */
/* ------------------------------------------------------------------------ */

static void nothing_to_check_with_per_policy(void **state)
{
    (void)state;
    clid__revocation rev;
    char detail[256];
    /* No CRL of the STI-PA, no fetcher: said, not silent. */
    clid_ctx *ctx = shaken_ctx(1);
    assert_int_equal(check_chain(ctx, NULL, chain, TP_T0, &rev, detail), CLID_OK);
    assert_int_equal(rev.soft, CLID_ERR_CRL_UNAVAILABLE);
    assert_false(rev.checked);
    assert_non_null(strstr(detail, "no CRL of"));
    assert_int_equal(clid_ctx_set_crl_policy(ctx, CLID_CRL_REQUIRED), CLID_OK);
    assert_int_equal(check_at_t0(ctx, &rev), CLID_ERR_CRL_UNAVAILABLE);
    /* IGNORE: nothing at all, not even with a revoking CRL. */
    add_crl(ctx, stipa_crl((tp_revoked[]){{.serial = leaf->serial, .issuer = inter}}, 1));
    assert_int_equal(clid_ctx_set_crl_policy(ctx, CLID_CRL_IGNORE), CLID_OK);
    assert_int_equal(check_at_t0(ctx, &rev), CLID_OK);
    assert_false(rev.checked);
    assert_false(rev.unavailable);
    clid_ctx_free(ctx);
}

static void required_covered_by_indirect_crl(void **state)
{
    (void)state;
    /* REQUIRED with the STI-PA's CRL only: no direct CRL of the root or
     * the STI-CA is needed for certificates that name the STI-PA's. */
    clid_ctx *ctx = shaken_ctx(1);
    assert_int_equal(clid_ctx_set_crl_policy(ctx, CLID_CRL_REQUIRED), CLID_OK);
    add_crl(ctx, stipa_crl(NULL, 0));
    clid__revocation rev;
    assert_int_equal(check_at_t0(ctx, &rev), CLID_OK);
    assert_true(rev.checked);
    clid_ctx_free(ctx);

    /* A certificate without distribution point under REQUIRED still needs
     * its issuer's direct CRL (the existing behaviour). */
    tp_cert *plain = tp_issue(&(tp_spec){.cn = "SHAKEN 1111", .tnauth = "spc:1111"}, inter);
    char *pem = tp_cat(plain->pem, inter->pem, NULL);
    ctx = shaken_ctx(1);
    assert_int_equal(clid_ctx_set_crl_policy(ctx, CLID_CRL_REQUIRED), CLID_OK);
    add_crl(ctx, stipa_crl(NULL, 0));
    assert_int_equal(check_chain(ctx, NULL, pem, TP_T0, &rev, NULL), CLID_ERR_CRL_INVALID);
    add_crl(ctx, tp_crl(inter, TP_T0 - TP_DAY, TP_T0 + TP_DAY, NULL, 0, 0));
    assert_int_equal(check_chain(ctx, NULL, pem, TP_T0, &rev, NULL), CLID_OK);
    assert_true(rev.checked);
    clid_ctx_free(ctx);
    free(pem);
    tp_free(plain);
}

static void direct_and_indirect_together(void **state)
{
    (void)state;
    /* The STI-CA's own CRL revokes the leaf: OpenSSL's direct check still
     * applies to a certificate that also names the STI-PA's CRL. */
    clid_ctx *ctx = shaken_ctx(1);
    add_crl(ctx, stipa_crl(NULL, 0));
    add_crl(ctx, tp_crl(inter, TP_T0 - TP_DAY, TP_T0 + TP_DAY, (long[]){leaf->serial}, 1, 0));
    clid__revocation rev;
    assert_int_equal(check_at_t0(ctx, &rev), CLID_ERR_CERT_REVOKED);
    clid_ctx_free(ctx);
}

static void partial_distribution_point_not_handled(void **state)
{
    (void)state;
    /* A point limited to some reasons does not alone cover the leaf: not
     * checked, and not reported as unavailable either. */
    tp_cert *l = tp_issue(&(tp_spec){.cn = "SHAKEN 2222", .tnauth = "spc:2222",
                                     .crl_dp_url = URL_STIPA, .crl_dp_issuer = stipa,
                                     .crl_dp_reasons = 1},
                          inter);
    char *pem = tp_cat(l->pem, inter->pem, NULL);
    clid_ctx *ctx = shaken_ctx(1);
    add_crl(ctx, stipa_crl(NULL, 0));
    clid__revocation rev;
    assert_int_equal(check_chain(ctx, NULL, pem, TP_T0, &rev, NULL), CLID_OK);
    assert_false(rev.checked);
    assert_int_equal(rev.soft, CLID_OK);
    clid_ctx_free(ctx);
    free(pem);
    tp_free(l);
}

/* ------------------------------------------------------------------------ */
/* Signer memo                                                               */
/* ------------------------------------------------------------------------ */

static void signer_memo_spares_signature_checks(void **state)
{
    (void)state;
    clid_ctx *ctx = shaken_ctx(1);
    add_crl(ctx, stipa_crl(NULL, 0));
    clid__crl *c = ctx->trust.crl_list[0];
    clid__revocation rev;
    for (int i = 0; i < 5; i++)
        assert_int_equal(check_at_t0(ctx, &rev), CLID_OK);
    /* Once (for the leaf's check; the STI-CA's uses the memo). */
    assert_int_equal(__atomic_load_n(&c->sig_checks, __ATOMIC_SEQ_CST), 1);
    /* A configuration change checks again. */
    assert_int_equal(clid_ctx_set_freshness(ctx, 30, 30), CLID_OK);
    assert_int_equal(check_at_t0(ctx, &rev), CLID_OK);
    assert_int_equal(__atomic_load_n(&c->sig_checks, __ATOMIC_SEQ_CST), 2);
    /* Outside the signer's validity the memo does not apply. */
    assert_int_equal(check_chain(ctx, NULL, chain, TP_T0 + 3 * 365 * TP_DAY + 1, &rev, NULL),
                     CLID_ERR_CERT_EXPIRED);
    clid_ctx_free(ctx);
}

/* ------------------------------------------------------------------------ */
/* Parsing                                                                   */
/* ------------------------------------------------------------------------ */

static void parse_forms(void **state)
{
    (void)state;
    size_t len = 0;
    tp_crl_spec s = stipa_spec(NULL, 0);
    s.der = 1;
    char *der = tp_crl_ex(&s, &len);
    clid__crl *c = NULL;
    assert_int_equal(clid__crl_parse((const uint8_t *)der, len, &c), CLID_OK);
    assert_int_equal(c->bad, CLID_OK);
    assert_true(c->indirect);
    assert_int_equal(c->this_update, TP_T0 - TP_DAY);
    assert_int_equal(c->next_update, TP_T0 + 7 * TP_DAY);
    clid__crl_release(c);
    /* Every truncation is refused, never half-read. */
    for (size_t n = 0; n < len; n++) {
        c = NULL;
        assert_int_equal(clid__crl_parse((const uint8_t *)der, n, &c),
                         n == 0 ? CLID_ERR_CRL_NOT_A_CRL : CLID_ERR_CRL_NOT_A_CRL);
        assert_null(c);
    }
    /* Trailing bytes. */
    char *longer = malloc(len + 1);
    memcpy(longer, der, len);
    longer[len] = 0;
    assert_int_equal(clid__crl_parse((const uint8_t *)longer, len + 1, &c),
                     CLID_ERR_CRL_NOT_A_CRL);
    free(longer);
    free(der);
    /* PEM, one block. */
    char *pem = stipa_crl(NULL, 0);
    assert_int_equal(clid__crl_parse((const uint8_t *)pem, strlen(pem), &c), CLID_OK);
    clid__crl_release(c);
    /* Two blocks: not one CRL. */
    char *two = tp_cat(pem, pem, NULL);
    assert_int_equal(clid__crl_parse((const uint8_t *)two, strlen(two), &c),
                     CLID_ERR_CRL_NOT_A_CRL);
    free(two);
    free(pem);
    /* A certificate. */
    assert_int_equal(clid__crl_parse((const uint8_t *)leaf->pem, strlen(leaf->pem), &c),
                     CLID_ERR_CRL_NOT_A_CRL);
}

static void url_prefixes(void **state)
{
    (void)state;
    clid_ctx *ctx = shaken_ctx(0);
    assert_false(clid__crl_url_allowed(&ctx->trust, "https://crl.example/x.crl"));
    assert_int_equal(clid_ctx_add_crl_url_prefix(ctx, "https://crl.example"), CLID_OK);
    assert_int_equal(clid_ctx_add_crl_url_prefix(ctx, "https://crl.example"), CLID_OK);
    assert_int_equal(ctx->trust.n_crl_prefixes, 1);
    assert_true(clid__crl_url_allowed(&ctx->trust, "https://crl.example/x.crl"));
    assert_true(clid__crl_url_allowed(&ctx->trust, "https://crl.example"));
    assert_false(clid__crl_url_allowed(&ctx->trust, "https://crl.example.evil/x.crl"));
    assert_false(clid__crl_url_allowed(&ctx->trust, "https://crl.exampl"));
    assert_false(clid__crl_url_allowed(&ctx->trust, "http://crl.example/x.crl"));
    assert_int_equal(clid_ctx_add_crl_url_prefix(ctx, "https://p.example/crls/"), CLID_OK);
    assert_true(clid__crl_url_allowed(&ctx->trust, "https://p.example/crls/a.crl"));
    assert_false(clid__crl_url_allowed(&ctx->trust, "https://p.example/crlsx"));
    assert_false(clid__crl_url_allowed(&ctx->trust, "https://p.example/crls"));
    /* Refused prefixes. */
    assert_int_equal(clid_ctx_add_crl_url_prefix(ctx, ""), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_add_crl_url_prefix(ctx, "https://a b"), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_add_crl_url_prefix(ctx, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_add_crl_url_prefix(NULL, "x"), CLID_ERR_INVALID_ARGUMENT);
    clid_ctx_free(ctx);
}

static void context_setters(void **state)
{
    (void)state;
    clid_ctx *ctx = shaken_ctx(0);
    unsigned g0 = ctx->trust.generation;
    /* Signers: PEM certificates, all or nothing. */
    assert_int_equal(clid_ctx_add_crl_signer_pem(ctx, stipa->pem, strlen(stipa->pem)), CLID_OK);
    assert_int_not_equal(ctx->trust.generation, g0);
    assert_int_equal(sk_X509_num(ctx->trust.crl_signers), 1);
    char *two = tp_cat(stipa->pem, "junk\n", "-----BEGIN X509 CRL-----\nAA==\n-----END X509 CRL-----\n",
                       NULL);
    assert_int_equal(clid_ctx_add_crl_signer_pem(ctx, two, strlen(two)), CLID_ERR_CERT_PARSE);
    assert_int_equal(clid_ctx_add_crl_signer_pem(ctx, "", 0), CLID_ERR_CERT_PARSE);
    assert_int_equal(sk_X509_num(ctx->trust.crl_signers), 1);
    free(two);
    assert_int_equal(clid_ctx_add_crl_signer_file(ctx, "/nonexistent/signer.pem"), CLID_ERR_IO);
    assert_int_equal(clid_ctx_add_crl_signer_pem(NULL, "x", 1), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_add_crl_signer_pem(ctx, NULL, 1), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_add_crl_signer_file(NULL, "x"), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_add_crl_signer_file(ctx, NULL), CLID_ERR_INVALID_ARGUMENT);
    char path[] = "/tmp/clid-crl-signer-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, stipa->pem, strlen(stipa->pem)), (ssize_t)strlen(stipa->pem));
    close(fd);
    assert_int_equal(clid_ctx_add_crl_signer_file(ctx, path), CLID_OK);
    unlink(path);
    /* The fetcher and the prefixes change the generation too. */
    unsigned g1 = ctx->trust.generation;
    assert_int_equal(clid_ctx_set_crl_fetcher(ctx, NULL, NULL), CLID_OK);
    assert_int_not_equal(ctx->trust.generation, g1);
    unsigned g2 = ctx->trust.generation;
    assert_int_equal(clid_ctx_add_crl_url_prefix(ctx, "https://x/"), CLID_OK);
    assert_int_not_equal(ctx->trust.generation, g2);
    assert_int_equal(clid_ctx_set_crl_fetcher(NULL, NULL, NULL), CLID_ERR_INVALID_ARGUMENT);
    /* At most 64 prefixes. */
    char pfx[32];
    for (int i = 1; i < 64; i++) {
        snprintf(pfx, sizeof pfx, "https://p%d/", i);
        assert_int_equal(clid_ctx_add_crl_url_prefix(ctx, pfx), CLID_OK);
    }
    assert_int_equal(clid_ctx_add_crl_url_prefix(ctx, "https://one-too-many/"),
                     CLID_ERR_INVALID_ARGUMENT);
    /* Loaded CRLs get their distribution-point view, bad or not. */
    tp_crl_spec s = stipa_spec(NULL, 0);
    s.delta = 1;
    add_crl(ctx, tp_crl_ex(&s, NULL));
    add_crl(ctx, stipa_crl(NULL, 0));
    assert_int_equal(ctx->trust.n_crl_list, 2);
    assert_int_equal(ctx->trust.crl_list[0]->bad, CLID_ERR_CRL_INVALID);
    assert_int_equal(ctx->trust.crl_list[1]->bad, CLID_OK);
    clid_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(revoked_leaf_caught),
        cmocka_unit_test(not_listed_passes_and_is_checked),
        cmocka_unit_test(same_serial_under_another_issuer),
        cmocka_unit_test(revoked_intermediate_caught),
        cmocka_unit_test(crl_signed_by_untrusted_key),
        cmocka_unit_test(signer_must_be_configured),
        cmocka_unit_test(signer_without_crl_sign),
        cmocka_unit_test(signer_expired),
        cmocka_unit_test(anchor_signs_its_own_indirect_crl),
        cmocka_unit_test(expired_crl_per_policy),
        cmocka_unit_test(crl_not_yet_valid),
        cmocka_unit_test(newest_current_crl_wins),
        cmocka_unit_test(scope_must_cover),
        cmocka_unit_test(unusable_forms_refused),
        cmocka_unit_test(nothing_to_check_with_per_policy),
        cmocka_unit_test(required_covered_by_indirect_crl),
        cmocka_unit_test(direct_and_indirect_together),
        cmocka_unit_test(partial_distribution_point_not_handled),
        cmocka_unit_test(signer_memo_spares_signature_checks),
        cmocka_unit_test(parse_forms),
        cmocka_unit_test(url_prefixes),
        cmocka_unit_test(context_setters),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
