/* The fixture of the revocation-as-deployed tests: see crl_fixture.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "crl_fixture.h"

tp_cert *root, *inter, *leaf, *stipa, *other_inter;
char *chain;

int group_setup(void **state)
{
    (void)state;
    root = tp_issue(&(tp_spec){.cn = "Test Root", .ca = 1, .not_before = TP_T0 - 3650 * TP_DAY,
                               .not_after = TP_T0 + 3650 * TP_DAY},
                    NULL);
    stipa = tp_issue(&(tp_spec){.cn = "STI-PA CRL", .ku = "critical,cRLSign",
                                .not_before = TP_T0 - 365 * TP_DAY,
                                .not_after = TP_T0 + 3 * 365 * TP_DAY},
                     root);
    inter = tp_issue(&(tp_spec){.cn = "Test STI-CA", .ca = 1, .not_before = TP_T0 - 365 * TP_DAY,
                                .not_after = TP_T0 + 3 * 365 * TP_DAY, .crl_dp_url = URL_STIPA,
                                .crl_dp_issuer = stipa},
                     root);
    other_inter = tp_issue(&(tp_spec){.cn = "Other STI-CA", .ca = 1}, root);
    leaf = tp_issue(&(tp_spec){.cn = "SHAKEN 709J", .tnauth = "spc:709J", .crl_dp_url = URL_STIPA,
                               .crl_dp_issuer = stipa},
                    inter);
    chain = tp_cat(leaf->pem, inter->pem, NULL);
    return 0;
}

int group_teardown(void **state)
{
    (void)state;
    tp_free(root);
    tp_free(stipa);
    tp_free(inter);
    tp_free(other_inter);
    tp_free(leaf);
    free(chain);
    return 0;
}

clid_ctx *shaken_ctx(int with_signer)
{
    clid_ctx *ctx = NULL;
    assert_int_equal(clid_ctx_new(&ctx), CLID_OK);
    assert_int_equal(clid_ctx_add_trust_pem(ctx, root->pem, strlen(root->pem)), CLID_OK);
    if (with_signer)
        assert_int_equal(clid_ctx_add_crl_signer_pem(ctx, stipa->pem, strlen(stipa->pem)),
                         CLID_OK);
    return ctx;
}

void add_crl(clid_ctx *ctx, char *pem)
{
    assert_int_equal(clid_ctx_add_crl_pem(ctx, pem, strlen(pem)), CLID_OK);
    free(pem);
}

tp_crl_spec stipa_spec(const tp_revoked *r, size_t n)
{
    return (tp_crl_spec){.signer = stipa, .last = TP_T0 - TP_DAY, .next = TP_T0 + 7 * TP_DAY,
                         .revoked = r, .n = n, .idp = 1, .indirect = 1, .idp_url = URL_STIPA};
}

char *stipa_crl(const tp_revoked *r, size_t n)
{
    tp_crl_spec s = stipa_spec(r, n);
    return tp_crl_ex(&s, NULL);
}

clid_err check_chain(const clid_ctx *ctx, clid__crl_store *store, const char *pem, int64_t at,
                     clid__revocation *rev, char *detail)
{
    clid__signer_cert *c = NULL;
    assert_int_equal(clid__signer_cert_load(pem, strlen(pem), &c), CLID_OK);
    char local[256];
    char *d = detail ? detail : local;
    clid_err rc = clid__signer_cert_validate_rev(&ctx->trust, c, at, store, rev, NULL, d, 256);
    if (rc != CLID_OK)
        assert_true(strlen(d) > 0);
    clid__signer_cert_release(c);
    return rc;
}

clid_err check_at_t0(const clid_ctx *ctx, clid__revocation *rev)
{
    return check_chain(ctx, NULL, chain, TP_T0, rev, NULL);
}
