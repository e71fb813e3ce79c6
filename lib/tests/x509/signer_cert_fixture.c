/*
 * The fixture shared by the signer chain tests (test_signer_cert*.c): see
 * signer_cert_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "signer_cert_fixture.h"

tp_cert *root, *inter, *leaf, *other_root;
char *chain;

int group_setup(void **state)
{
    (void)state;
    root = tp_issue(&(tp_spec){.cn = "Test Root", .ca = 1, .not_before = TP_T0 - 3650 * TP_DAY,
                               .not_after = TP_T0 + 3650 * TP_DAY},
                    NULL);
    inter = tp_issue(&(tp_spec){.cn = "Test STI-CA", .ca = 1, .not_before = TP_T0 - 365 * TP_DAY,
                                .not_after = TP_T0 + 3 * 365 * TP_DAY},
                     root);
    leaf = tp_issue(&(tp_spec){.cn = "SHAKEN 709J", .tnauth = "spc:709J"}, inter);
    other_root = tp_issue(&(tp_spec){.cn = "Test Root", .ca = 1}, NULL); /* same name, other key */
    chain = tp_cat(leaf->pem, inter->pem, NULL);
    return 0;
}

int group_teardown(void **state)
{
    (void)state;
    tp_free(root);
    tp_free(inter);
    tp_free(leaf);
    tp_free(other_root);
    free(chain);
    return 0;
}

clid_ctx *ctx_trusting(const tp_cert *anchor)
{
    clid_ctx *ctx = NULL;
    assert_int_equal(clid_ctx_new(&ctx), CLID_OK);
    if (anchor)
        assert_int_equal(clid_ctx_add_trust_pem(ctx, anchor->pem, strlen(anchor->pem)), CLID_OK);
    return ctx;
}

clid__signer_cert *load(const char *pem)
{
    clid__signer_cert *c = NULL;
    assert_int_equal(clid__signer_cert_load(pem, strlen(pem), &c), CLID_OK);
    assert_non_null(c);
    return c;
}

void add_crl(clid_ctx *ctx, char *crl_pem)
{
    assert_int_equal(clid_ctx_add_crl_pem(ctx, crl_pem, strlen(crl_pem)), CLID_OK);
    free(crl_pem);
}

/* Loads `pem`, validates it under `ctx` at `at`, returns the code. */
clid_err validate_pem(const clid_ctx *ctx, const char *pem, int64_t at)
{
    clid__signer_cert *c = load(pem);
    char detail[256];
    clid_err rc = clid__signer_cert_validate(&ctx->trust, c, at, detail, sizeof detail);
    if (rc == CLID_OK)
        assert_string_equal(detail, "");
    else
        assert_true(strlen(detail) > 0);
    clid__signer_cert_release(c);
    return rc;
}

/* leaf_pem + inter under the shared root, validated at TP_T0. */
clid_err validate_under_inter(const char *leaf_pem)
{
    clid_ctx *ctx = ctx_trusting(root);
    char *pem = tp_cat(leaf_pem, inter->pem, NULL);
    clid_err rc = validate_pem(ctx, pem, TP_T0);
    free(pem);
    clid_ctx_free(ctx);
    return rc;
}

char *crl_of(const tp_cert *issuer, const long *revoked, size_t n)
{
    return tp_crl(issuer, TP_T0 - TP_DAY, TP_T0 + 7 * TP_DAY, revoked, n, 0);
}
