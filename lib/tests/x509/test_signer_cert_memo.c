/*
 * Unit tests of the signer chain (chain_validate.c): the validation memo
 * (what it skips, what invalidates it, its window) and four threads
 * validating one chain. The fixture is signer_cert_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>

#include "signer_cert_fixture.h"

/* ------------------------------------------------------------------------ */
/* The validation memo                                                       */
/* ------------------------------------------------------------------------ */

static unsigned long runs(const clid__signer_cert *c)
{
    return __atomic_load_n(&c->openssl_runs, __ATOMIC_SEQ_CST);
}

static void memo_skips_openssl_inside_window(void **state)
{
    (void)state;
    clid_ctx *ctx = ctx_trusting(root);
    clid__signer_cert *c = load(chain);
    assert_int_equal(clid__signer_cert_validate(&ctx->trust, c, TP_T0, NULL, 0), CLID_OK);
    assert_int_equal(runs(c), 1);
    /* The window: latest notBefore .. earliest notAfter - 1 of the chain. */
    assert_int_equal(c->ok_from, TP_T0 - 30 * TP_DAY);
    assert_int_equal(c->ok_until, TP_T0 + 365 * TP_DAY - 1);
    for (int64_t at = TP_T0 - 30 * TP_DAY; at < TP_T0 + 365 * TP_DAY; at += 7 * TP_DAY)
        assert_int_equal(clid__signer_cert_validate(&ctx->trust, c, at, NULL, 0), CLID_OK);
    assert_int_equal(clid__signer_cert_validate(&ctx->trust, c, TP_T0 + 365 * TP_DAY - 1, NULL, 0),
                     CLID_OK);
    assert_int_equal(runs(c), 1);

    /* Outside the window OpenSSL runs again, and the failure is reported. */
    assert_int_equal(clid__signer_cert_validate(&ctx->trust, c, TP_T0 + 365 * TP_DAY, NULL, 0),
                     CLID_ERR_CERT_EXPIRED);
    assert_int_equal(runs(c), 2);
    assert_int_equal(clid__signer_cert_validate(&ctx->trust, c, TP_T0 - 31 * TP_DAY, NULL, 0),
                     CLID_ERR_CERT_NOT_YET_VALID);
    assert_int_equal(runs(c), 3);
    /* A failure does not erase the memo. */
    assert_int_equal(clid__signer_cert_validate(&ctx->trust, c, TP_T0, NULL, 0), CLID_OK);
    assert_int_equal(runs(c), 3);
    clid__signer_cert_release(c);
    clid_ctx_free(ctx);
}

static void memo_invalidated_by_configuration_change(void **state)
{
    (void)state;
    clid_ctx *ctx = ctx_trusting(root);
    clid__signer_cert *c = load(chain);
    assert_int_equal(clid__signer_cert_validate(&ctx->trust, c, TP_T0, NULL, 0), CLID_OK);
    assert_int_equal(runs(c), 1);
    /* A CRL revoking the leaf arrives: the memo must not hide it. */
    add_crl(ctx, crl_of(inter, (long[]){leaf->serial}, 1));
    assert_int_equal(clid__signer_cert_validate(&ctx->trust, c, TP_T0, NULL, 0), CLID_ERR_CERT_REVOKED);
    assert_int_equal(runs(c), 2);
    /* Any change re-validates, even one that cannot matter. */
    assert_int_equal(clid_ctx_set_crl_policy(ctx, CLID_CRL_IGNORE), CLID_OK);
    assert_int_equal(clid__signer_cert_validate(&ctx->trust, c, TP_T0, NULL, 0), CLID_OK);
    assert_int_equal(runs(c), 3);
    assert_int_equal(clid__signer_cert_validate(&ctx->trust, c, TP_T0, NULL, 0), CLID_OK);
    assert_int_equal(runs(c), 3);
    assert_int_equal(clid_ctx_set_freshness(ctx, 30, 30), CLID_OK);
    assert_int_equal(clid__signer_cert_validate(&ctx->trust, c, TP_T0, NULL, 0), CLID_OK);
    assert_int_equal(runs(c), 4);
    clid__signer_cert_release(c);
    clid_ctx_free(ctx);
}

static void memo_not_shared_between_contexts(void **state)
{
    (void)state;
    clid_ctx *trusting = ctx_trusting(root);
    clid_ctx *other = ctx_trusting(other_root);
    clid__signer_cert *c = load(chain);
    assert_int_equal(clid__signer_cert_validate(&trusting->trust, c, TP_T0, NULL, 0), CLID_OK);
    assert_int_equal(clid__signer_cert_validate(&other->trust, c, TP_T0, NULL, 0),
                     CLID_ERR_CERT_UNTRUSTED);
    assert_int_equal(runs(c), 2);
    clid__signer_cert_release(c);
    clid_ctx_free(trusting);
    clid_ctx_free(other);
}

static void memo_window_bounded_by_crls(void **state)
{
    (void)state;
    clid_ctx *ctx = ctx_trusting(root);
    add_crl(ctx, tp_crl(inter, TP_T0 - TP_DAY, TP_T0 + TP_DAY, NULL, 0, 0));
    clid__signer_cert *c = load(chain);
    assert_int_equal(clid__signer_cert_validate(&ctx->trust, c, TP_T0, NULL, 0), CLID_OK);
    assert_int_equal(c->ok_from, TP_T0 - TP_DAY);
    assert_int_equal(c->ok_until, TP_T0 + TP_DAY - 1);
    /* Past the CRL's nextUpdate the memo does not apply: the CRL expired. */
    assert_int_equal(clid__signer_cert_validate(&ctx->trust, c, TP_T0 + TP_DAY, NULL, 0),
                     CLID_ERR_CRL_INVALID);
    assert_int_equal(runs(c), 2);
    clid__signer_cert_release(c);
    clid_ctx_free(ctx);
}

struct thread_arg {
    const clid_ctx *ctx;
    clid__signer_cert *c;
    int failures;
};

static void *validate_loop(void *p)
{
    struct thread_arg *a = p;
    for (int i = 0; i < 300; i++) {
        int64_t at = TP_T0 + (i % 50) * TP_DAY;
        if (clid__signer_cert_validate(&a->ctx->trust, a->c, at, NULL, 0) != CLID_OK)
            a->failures++;
        /* Every 50th call is outside the window. */
        if (i % 50 == 0 &&
            clid__signer_cert_validate(&a->ctx->trust, a->c, TP_T0 + 400 * TP_DAY, NULL, 0) !=
                CLID_ERR_CERT_EXPIRED)
            a->failures++;
    }
    return NULL;
}

static void four_threads_share_one_chain(void **state)
{
    (void)state;
    clid_ctx *ctx = ctx_trusting(root);
    add_crl(ctx, tp_crl(inter, TP_T0 - TP_DAY, TP_T0 + 1000 * TP_DAY, (long[]){1}, 1, 0));
    clid__signer_cert *c = load(chain);
    pthread_t t[4];
    struct thread_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (struct thread_arg){.ctx = ctx, .c = c};
        assert_int_equal(pthread_create(&t[i], NULL, validate_loop, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(args[i].failures, 0);
    }
    /* 24 out-of-window runs, plus a few concurrent first validations. */
    assert_true(runs(c) >= 25 && runs(c) <= 24 + 4 + 24);
    clid__signer_cert_release(c);
    clid_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(memo_skips_openssl_inside_window),
        cmocka_unit_test(memo_invalidated_by_configuration_change),
        cmocka_unit_test(memo_not_shared_between_contexts),
        cmocka_unit_test(memo_window_bounded_by_crls),
        cmocka_unit_test(four_threads_share_one_chain),
    };
    return cmocka_run_group_tests_name("signer_cert_memo", tests, group_setup, group_teardown);
}
