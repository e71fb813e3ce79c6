/*
 * Unit tests of fetched CRLs (x509/crl_store.h) and of how they meet the
 * validation memo of chain_validate.c: a CRL is fetched once, kept until it is
 * due, fetched again on demand; a memoized chain validation never hides a
 * newer CRL that revokes, nor outlives a CRL that went stale; only allowed
 * URLs are fetched; a distribution point without cRLIssuer is fetched as
 * its issuer's CRL. The fetcher here is a function serving bytes from
 * memory; the libcurl fetcher against a server is in
 * lib/tests/fetch/test_fetch_crl.c. The fixture is crl_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "crl_fixture.h"

/* A CRL fetcher serving one body (or failing), counting its calls. */
typedef struct served {
    char *body; /* owned */
    size_t len;
    clid_err rc;
    int64_t max_age;
    unsigned calls; /* atomic */
    char last_url[256];
} served;

static clid_err serve(void *arg, const char *url, uint8_t *buf, size_t cap, size_t *len,
                      int64_t *max_age)
{
    served *s = arg;
    __atomic_add_fetch(&s->calls, 1, __ATOMIC_SEQ_CST);
    snprintf(s->last_url, sizeof s->last_url, "%s", url);
    assert_int_equal(cap, CLID_CRL_MAX_LEN);
    *len = 0;
    *max_age = s->max_age;
    if (s->rc != CLID_OK)
        return s->rc;
    memcpy(buf, s->body, s->len);
    *len = s->len;
    return CLID_OK;
}

static void set_body(served *s, char *pem)
{
    free(s->body);
    s->body = pem;
    s->len = strlen(pem);
    s->rc = CLID_OK;
}

static unsigned calls_of(served *s)
{
    return __atomic_load_n(&s->calls, __ATOMIC_SEQ_CST);
}

/* A context fetching URL_STIPA's prefix through `s`. */
static clid_ctx *fetching_ctx(served *s)
{
    clid_ctx *ctx = shaken_ctx(1);
    assert_int_equal(clid_ctx_set_crl_fetcher(ctx, serve, s), CLID_OK);
    assert_int_equal(clid_ctx_add_crl_url_prefix(ctx, "https://crl.sti-pa.test/"), CLID_OK);
    return ctx;
}

static clid__crl_store *new_store(void)
{
    clid__crl_store *st = NULL;
    assert_int_equal(clid__crl_store_new(&st), CLID_OK);
    return st;
}

static clid__signer_cert *load_chain(void)
{
    clid__signer_cert *c = NULL;
    assert_int_equal(clid__signer_cert_load(chain, strlen(chain), &c), CLID_OK);
    return c;
}

static clid_err validate(const clid_ctx *ctx, clid__crl_store *st, clid__signer_cert *c,
                         int64_t at, clid__revocation *rev)
{
    char detail[256];
    return clid__signer_cert_validate_rev(&ctx->trust, c, at, st, rev, NULL, detail, sizeof detail);
}

static unsigned long runs(const clid__signer_cert *c)
{
    return __atomic_load_n(&c->openssl_runs, __ATOMIC_SEQ_CST);
}

/* ------------------------------------------------------------------------ */
/* The cache                                                                 */
/* ------------------------------------------------------------------------ */

static void fetched_once_then_cached(void **state)
{
    (void)state;
    served s = {.max_age = -1};
    set_body(&s, stipa_crl(NULL, 0));
    clid_ctx *ctx = fetching_ctx(&s);
    clid__crl_store *st = new_store();
    clid__signer_cert *c = load_chain();
    clid__revocation rev;
    assert_int_equal(validate(ctx, st, c, TP_T0, &rev), CLID_OK);
    assert_true(rev.checked);
    assert_int_equal(calls_of(&s), 1);
    assert_string_equal(s.last_url, URL_STIPA);
    /* The leaf and the STI-CA name the same CRL: one fetch; then the cache
     * answers for a day (no caching word from the server). */
    for (int64_t at = TP_T0; at < TP_T0 + TP_DAY; at += 3600)
        assert_int_equal(validate(ctx, st, c, at, &rev), CLID_OK);
    assert_int_equal(calls_of(&s), 1);
    clid_verifier_stats vs = {0};
    clid__crl_store_stats(st, &vs);
    assert_int_equal(vs.crl_fetches, 1);
    assert_int_equal(vs.crl_fetch_failures, 0);
    assert_true(vs.crl_cache_hits >= 24);
    /* Then it is due: asked again. */
    assert_int_equal(validate(ctx, st, c, TP_T0 + TP_DAY + 1, &rev), CLID_OK);
    assert_int_equal(calls_of(&s), 2);
    /* Clearing the cache fetches again. */
    clid__crl_store_clear(st);
    assert_int_equal(validate(ctx, st, c, TP_T0 + TP_DAY + 2, &rev), CLID_OK);
    assert_int_equal(calls_of(&s), 3);
    clid__signer_cert_release(c);
    clid__crl_store_free(st);
    clid_ctx_free(ctx);
    free(s.body);
}

static void due_at_next_update_or_max_age(void **state)
{
    (void)state;
    /* nextUpdate in 2 hours, the server says 10 minutes: 10 minutes. */
    served s = {.max_age = 600};
    tp_crl_spec spec = stipa_spec(NULL, 0);
    spec.next = TP_T0 + 7200;
    set_body(&s, tp_crl_ex(&spec, NULL));
    clid_ctx *ctx = fetching_ctx(&s);
    clid__crl_store *st = new_store();
    clid__signer_cert *c = load_chain();
    clid__revocation rev;
    assert_int_equal(validate(ctx, st, c, TP_T0, &rev), CLID_OK);
    assert_int_equal(validate(ctx, st, c, TP_T0 + 599, &rev), CLID_OK);
    assert_int_equal(calls_of(&s), 1);
    assert_int_equal(validate(ctx, st, c, TP_T0 + 600, &rev), CLID_OK);
    assert_int_equal(calls_of(&s), 2);
    /* A server saying 1 s is held to the 60 s floor. */
    s.max_age = 1;
    assert_int_equal(validate(ctx, st, c, TP_T0 + 1200, &rev), CLID_OK);
    assert_int_equal(calls_of(&s), 3);
    assert_int_equal(validate(ctx, st, c, TP_T0 + 1259, &rev), CLID_OK);
    assert_int_equal(calls_of(&s), 3);
    /* Without a word from the server, nextUpdate decides. */
    s.max_age = -1;
    assert_int_equal(validate(ctx, st, c, TP_T0 + 1260, &rev), CLID_OK);
    assert_int_equal(calls_of(&s), 4);
    assert_int_equal(validate(ctx, st, c, TP_T0 + 7199, &rev), CLID_OK);
    assert_int_equal(calls_of(&s), 4);
    clid__signer_cert_release(c);
    clid__crl_store_free(st);
    clid_ctx_free(ctx);
    free(s.body);
}

/* ------------------------------------------------------------------------ */
/* The memo meets fetched CRLs                                               */
/* ------------------------------------------------------------------------ */

static void memo_does_not_hide_newer_revoking_crl(void **state)
{
    (void)state;
    served s = {.max_age = 3600};
    set_body(&s, stipa_crl(NULL, 0));
    clid_ctx *ctx = fetching_ctx(&s);
    clid__crl_store *st = new_store();
    clid__signer_cert *c = load_chain();
    clid__revocation rev;
    assert_int_equal(validate(ctx, st, c, TP_T0, &rev), CLID_OK);
    assert_int_equal(runs(c), 1);
    /* The STI-PA revokes the leaf in a newer CRL. */
    tp_crl_spec spec = stipa_spec((tp_revoked[]){{.serial = leaf->serial, .issuer = inter}}, 1);
    spec.last = TP_T0 + 60;
    set_body(&s, tp_crl_ex(&spec, NULL));
    /* Until the cached one is due it is used ... */
    assert_int_equal(validate(ctx, st, c, TP_T0 + 1800, &rev), CLID_OK);
    /* ... then the new one is fetched and revokes, although the chain's
     * validation is still memoized (OpenSSL did not run again). */
    assert_int_equal(validate(ctx, st, c, TP_T0 + 3600, &rev), CLID_ERR_CERT_REVOKED);
    assert_true(rev.revoked);
    assert_int_equal(runs(c), 1);
    assert_int_equal(calls_of(&s), 2);
    /* A server that goes back in time does not undo it. */
    set_body(&s, stipa_crl(NULL, 0));
    assert_int_equal(validate(ctx, st, c, TP_T0 + 2 * 3600, &rev), CLID_ERR_CERT_REVOKED);
    assert_int_equal(calls_of(&s), 3);
    clid__signer_cert_release(c);
    clid__crl_store_free(st);
    clid_ctx_free(ctx);
    free(s.body);
}

static void memo_does_not_outlive_crl(void **state)
{
    (void)state;
    served s = {.max_age = -1};
    tp_crl_spec spec = stipa_spec(NULL, 0);
    spec.next = TP_T0 + 3600;
    set_body(&s, tp_crl_ex(&spec, NULL));
    clid_ctx *ctx = fetching_ctx(&s);
    clid__crl_store *st = new_store();
    clid__signer_cert *c = load_chain();
    clid__revocation rev;
    assert_int_equal(validate(ctx, st, c, TP_T0, &rev), CLID_OK);
    assert_true(rev.checked);
    /* The publisher is down past nextUpdate: the chain's validation is
     * still memoized, but revocation is no longer known. */
    s.rc = CLID_ERR_X5U_UNREACHABLE;
    assert_int_equal(validate(ctx, st, c, TP_T0 + 3600, &rev), CLID_OK);
    assert_int_equal(rev.soft, CLID_ERR_CRL_UNAVAILABLE);
    assert_false(rev.checked);
    assert_int_equal(runs(c), 1);
    assert_int_equal(calls_of(&s), 2);
    assert_int_equal(clid_ctx_set_crl_policy(ctx, CLID_CRL_REQUIRED), CLID_OK);
    assert_int_equal(validate(ctx, st, c, TP_T0 + 3600 + 5, &rev), CLID_ERR_CRL_UNAVAILABLE);
    /* A failure is not retried before CLID__CRL_RETRY seconds ... */
    assert_int_equal(calls_of(&s), 2);
    /* ... then it is, and a fresh CRL restores the check. */
    spec.last = TP_T0 + 3000;
    spec.next = TP_T0 + 7 * TP_DAY;
    set_body(&s, tp_crl_ex(&spec, NULL));
    assert_int_equal(validate(ctx, st, c, TP_T0 + 3600 + CLID__CRL_RETRY, &rev), CLID_OK);
    assert_true(rev.checked);
    assert_int_equal(calls_of(&s), 3);
    clid__signer_cert_release(c);
    clid__crl_store_free(st);
    clid_ctx_free(ctx);
    free(s.body);
}

static void failed_refresh_keeps_current_crl(void **state)
{
    (void)state;
    served s = {.max_age = 60};
    set_body(&s, stipa_crl((tp_revoked[]){{.serial = leaf->serial, .issuer = inter}}, 1));
    clid_ctx *ctx = fetching_ctx(&s);
    clid__crl_store *st = new_store();
    clid__signer_cert *c = load_chain();
    clid__revocation rev;
    assert_int_equal(validate(ctx, st, c, TP_T0, &rev), CLID_ERR_CERT_REVOKED);
    /* The refresh fails: the CRL held is current and still revokes. */
    s.rc = CLID_ERR_X5U_TIMEOUT;
    assert_int_equal(validate(ctx, st, c, TP_T0 + 120, &rev), CLID_ERR_CERT_REVOKED);
    assert_int_equal(calls_of(&s), 2);
    clid_verifier_stats vs = {0};
    clid__crl_store_stats(st, &vs);
    assert_int_equal(vs.crl_fetch_failures, 1);
    clid__signer_cert_release(c);
    clid__crl_store_free(st);
    clid_ctx_free(ctx);
    free(s.body);
}

/* ------------------------------------------------------------------------ */
/* What is fetched                                                           */
/* ------------------------------------------------------------------------ */

static void only_allowed_urls_fetched(void **state)
{
    (void)state;
    served s = {.max_age = -1};
    set_body(&s, stipa_crl(NULL, 0));
    clid_ctx *ctx = shaken_ctx(1);
    assert_int_equal(clid_ctx_set_crl_fetcher(ctx, serve, &s), CLID_OK);
    clid__crl_store *st = new_store();
    clid__signer_cert *c = load_chain();
    clid__revocation rev;
    char detail[256];
    /* No prefix: nothing is fetched. */
    assert_int_equal(clid__signer_cert_validate_rev(&ctx->trust, c, TP_T0, st, &rev, NULL, detail,
                                                    sizeof detail),
                     CLID_OK);
    assert_int_equal(rev.soft, CLID_ERR_CRL_UNAVAILABLE);
    assert_non_null(strstr(detail, "not under an allowed prefix"));
    /* A prefix that looks alike. */
    assert_int_equal(clid_ctx_add_crl_url_prefix(ctx, "https://crl.sti-pa.tes"), CLID_OK);
    assert_int_equal(validate(ctx, st, c, TP_T0, &rev), CLID_OK);
    assert_int_equal(rev.soft, CLID_ERR_CRL_UNAVAILABLE);
    assert_int_equal(calls_of(&s), 0);
    assert_int_equal(clid_ctx_add_crl_url_prefix(ctx, "https://crl.sti-pa.test"), CLID_OK);
    assert_int_equal(validate(ctx, st, c, TP_T0, &rev), CLID_OK);
    assert_true(rev.checked);
    assert_int_equal(calls_of(&s), 1);
    clid__signer_cert_release(c);
    clid__crl_store_free(st);
    clid_ctx_free(ctx);
    free(s.body);
}

static void untrusted_chain_never_fetches(void **state)
{
    (void)state;
    served s = {.max_age = -1};
    set_body(&s, stipa_crl(NULL, 0));
    clid_ctx *ctx = fetching_ctx(&s);
    clid__crl_store *st = new_store();
    /* The same chain under a context that does not trust its root. */
    clid_ctx *other = NULL;
    assert_int_equal(clid_ctx_new(&other), CLID_OK);
    assert_int_equal(clid_ctx_set_crl_fetcher(other, serve, &s), CLID_OK);
    assert_int_equal(clid_ctx_add_crl_url_prefix(other, "https://"), CLID_OK);
    assert_int_equal(clid_ctx_add_trust_pem(other, stipa->pem, strlen(stipa->pem)), CLID_OK);
    clid__signer_cert *c = load_chain();
    clid__revocation rev;
    assert_int_equal(validate(other, st, c, TP_T0, &rev), CLID_ERR_CERT_UNTRUSTED);
    assert_int_equal(calls_of(&s), 0);
    clid__signer_cert_release(c);
    clid__crl_store_free(st);
    clid_ctx_free(ctx);
    clid_ctx_free(other);
    free(s.body);
}

static void not_a_crl_is_unavailable(void **state)
{
    (void)state;
    served s = {.max_age = -1};
    set_body(&s, strdup(leaf->pem));
    clid_ctx *ctx = fetching_ctx(&s);
    clid__crl_store *st = new_store();
    clid__signer_cert *c = load_chain();
    clid__revocation rev;
    char detail[256];
    assert_int_equal(clid__signer_cert_validate_rev(&ctx->trust, c, TP_T0, st, &rev, NULL, detail,
                                                    sizeof detail),
                     CLID_OK);
    assert_int_equal(rev.soft, CLID_ERR_CRL_UNAVAILABLE);
    assert_non_null(strstr(detail, "CLID_ERR_CRL_NOT_A_CRL"));
    clid__signer_cert_release(c);
    clid__crl_store_free(st);
    clid_ctx_free(ctx);
    free(s.body);
}

static void direct_distribution_point_fetched(void **state)
{
    (void)state;
    /* A distribution point without cRLIssuer: the issuer's own CRL at the
     * URL, fetched when the issuer's CRL is not loaded. */
    const char *url = "https://crl.sti-pa.test/sti-ca.crl";
    tp_cert *l = tp_issue(&(tp_spec){.cn = "SHAKEN 3333", .tnauth = "spc:3333", .crl_dp_url = url},
                          inter);
    char *pem = tp_cat(l->pem, inter->pem, NULL);
    served s = {.max_age = -1};
    set_body(&s, tp_crl(inter, TP_T0 - TP_DAY, TP_T0 + TP_DAY, (long[]){l->serial}, 1, 0));
    clid_ctx *ctx = fetching_ctx(&s);
    add_crl(ctx, stipa_crl(NULL, 0)); /* the STI-CA's own point (the STI-PA's CRL) */
    clid__crl_store *st = new_store();
    clid__revocation rev;
    assert_int_equal(check_chain(ctx, st, pem, TP_T0, &rev, NULL), CLID_ERR_CERT_REVOKED);
    assert_int_equal(calls_of(&s), 1);
    assert_string_equal(s.last_url, url);
    /* Under REQUIRED the fetched CRL covers the leaf (no loaded CRL of the
     * STI-CA needed), the STI-PA's the STI-CA, and the anchor is taken as
     * given. */
    set_body(&s, tp_crl(inter, TP_T0 - TP_DAY, TP_T0 + TP_DAY, NULL, 0, 0));
    clid__crl_store_clear(st);
    assert_int_equal(clid_ctx_set_crl_policy(ctx, CLID_CRL_REQUIRED), CLID_OK);
    assert_int_equal(check_chain(ctx, st, pem, TP_T0, &rev, NULL), CLID_OK);
    assert_true(rev.checked);
    assert_int_equal(clid_ctx_set_crl_policy(ctx, CLID_CRL_IF_PRESENT), CLID_OK);
    /* Signed by another key: refused. */
    tp_cert *impostor = tp_issue(&(tp_spec){.cn = "Test STI-CA", .ca = 1}, NULL);
    set_body(&s, tp_crl(impostor, TP_T0 - TP_DAY, TP_T0 + TP_DAY, NULL, 0, TP_CRL_NO_AKI));
    clid__crl_store_clear(st);
    assert_int_equal(check_chain(ctx, st, pem, TP_T0, &rev, NULL), CLID_ERR_CRL_INVALID);
    /* Without a CRL fetcher the point is not this module's (OpenSSL's
     * direct check, with nothing loaded: not checked). */
    assert_int_equal(clid_ctx_set_crl_fetcher(ctx, NULL, NULL), CLID_OK);
    assert_int_equal(check_chain(ctx, st, pem, TP_T0, &rev, NULL), CLID_OK);
    assert_false(rev.checked);
    assert_int_equal(rev.soft, CLID_OK);
    /* With the STI-CA's CRL loaded, OpenSSL checks it and nothing is
     * fetched. */
    assert_int_equal(clid_ctx_set_crl_fetcher(ctx, serve, &s), CLID_OK);
    add_crl(ctx, tp_crl(inter, TP_T0 - TP_DAY, TP_T0 + TP_DAY, NULL, 0, 0));
    unsigned before = calls_of(&s);
    assert_int_equal(check_chain(ctx, st, pem, TP_T0, &rev, NULL), CLID_OK);
    assert_true(rev.checked);
    assert_int_equal(calls_of(&s), before);
    clid__crl_store_free(st);
    clid_ctx_free(ctx);
    free(s.body);
    free(pem);
    tp_free(l);
    tp_free(impostor);
}

/* ------------------------------------------------------------------------ */
/* Threads                                                                   */
/* ------------------------------------------------------------------------ */

struct worker {
    const clid_ctx *ctx;
    clid__crl_store *st;
    clid__signer_cert *c;
    int bad;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < 200; i++) {
        clid__revocation rev;
        char detail[256];
        int64_t at = TP_T0 + (int64_t)i * 600; /* crosses several refreshes */
        if (clid__signer_cert_validate_rev(&w->ctx->trust, w->c, at, w->st, &rev, NULL, detail,
                                           sizeof detail) != CLID_OK ||
            !rev.checked)
            w->bad++;
    }
    return NULL;
}

static void threads_share_the_cache(void **state)
{
    (void)state;
    served s = {.max_age = 3600};
    set_body(&s, stipa_crl(NULL, 0));
    clid_ctx *ctx = fetching_ctx(&s);
    clid__crl_store *st = new_store();
    clid__signer_cert *c = load_chain();
    pthread_t t[4];
    struct worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){.ctx = ctx, .st = st, .c = c};
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(w[i].bad, 0);
    }
    /* 200 × 10 min spans 33 hours: a refresh per hour at most, per thread
     * that saw it due first. */
    assert_true(calls_of(&s) >= 1 && calls_of(&s) <= 4 * 35);
    clid__signer_cert_release(c);
    clid__crl_store_free(st);
    clid_ctx_free(ctx);
    free(s.body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fetched_once_then_cached),
        cmocka_unit_test(due_at_next_update_or_max_age),
        cmocka_unit_test(memo_does_not_hide_newer_revoking_crl),
        cmocka_unit_test(memo_does_not_outlive_crl),
        cmocka_unit_test(failed_refresh_keeps_current_crl),
        cmocka_unit_test(only_allowed_urls_fetched),
        cmocka_unit_test(untrusted_chain_never_fetches),
        cmocka_unit_test(not_a_crl_is_unavailable),
        cmocka_unit_test(direct_distribution_point_fetched),
        cmocka_unit_test(threads_share_the_cache),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
