/*
 * Unit tests of the fast path for a new leaf under an intermediate already
 * validated (x509/issuer_cache.h, fast_validate in chain_validate.c; issue
 * 11 item 4). Each test first validates a chain under an intermediate I
 * (which caches I's validated path), then a NEW leaf, and asserts that:
 *   - the verdict, the detail, the profile deviations (the warnings) and
 *     the revocation facts are exactly those of the full validation (the
 *     same chain validated without the cache, as a verifier with an empty
 *     cache does);
 *   - a good leaf was accepted by the fast path (its hit counter moved and
 *     OpenSSL's whole-path validation did not run for it), and a bad one
 *     never was: it failed for its own reason, decided by the full path.
 * The fixture is signer_cert_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "signer_cert_fixture.h"
#include "x509/issuer_cache.h"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */
/* ------------------------------------------------------------------------ */

struct verdict {
    clid_err rc;
    char detail[256];
    unsigned dev;
    clid__revocation rev;
    unsigned long openssl_runs;
};

static struct verdict run(const clid_ctx *ctx, clid__issuer_cache *ic, const char *pem,
                          int64_t at)
{
    struct verdict v;
    memset(&v, 0, sizeof v);
    clid__signer_cert *c = NULL;
    assert_int_equal(clid__signer_cert_load_ic(pem, strlen(pem), ic, &c), CLID_OK);
    v.rc = clid__signer_cert_validate_ic(&ctx->trust, ic, c, at, NULL, &v.rev, &v.dev, v.detail,
                                         sizeof v.detail);
    v.openssl_runs = c->openssl_runs;
    clid__signer_cert_release(c);
    return v;
}

/* Validates `pem` at `at` with the cache `ic` and without any cache; both
 * must give `want` with the same detail, deviations and revocation facts.
 * Returns whether the fast path accepted it. */
static int same_as_full(const clid_ctx *ctx, clid__issuer_cache *ic, const char *pem, int64_t at,
                        clid_err want)
{
    unsigned long hits = clid__issuer_cache_fast_hits(ic);
    struct verdict fast = run(ctx, ic, pem, at);
    int accepted = clid__issuer_cache_fast_hits(ic) != hits;
    struct verdict full = run(ctx, NULL, pem, at);
    assert_string_equal(clid_err_name(fast.rc), clid_err_name(want));
    assert_string_equal(clid_err_name(full.rc), clid_err_name(want));
    assert_string_equal(fast.detail, full.detail);
    assert_int_equal(fast.dev, full.dev);
    assert_int_equal(fast.rev.checked, full.rev.checked);
    assert_int_equal(fast.rev.soft, full.rev.soft);
    assert_int_equal(fast.rev.unavailable, full.rev.unavailable);
    assert_int_equal(fast.rev.revoked, full.rev.revoked);
    assert_int_equal(full.openssl_runs, 1);
    /* The fast path only ever accepts: a failure is the full path's. */
    if (want != CLID_OK)
        assert_false(accepted);
    if (accepted)
        assert_int_equal(fast.openssl_runs, 0);
    return accepted;
}

static void new_leaf_is_fast(const clid_ctx *ctx, clid__issuer_cache *ic, const char *pem,
                             int64_t at)
{
    assert_true(same_as_full(ctx, ic, pem, at, CLID_OK));
}

static void new_leaf_fails(const clid_ctx *ctx, clid__issuer_cache *ic, const char *pem,
                           int64_t at, clid_err want)
{
    (void)same_as_full(ctx, ic, pem, at, want);
}

static clid__issuer_cache *new_cache(void)
{
    clid__issuer_cache *ic = NULL;
    assert_int_equal(clid__issuer_cache_new(CLID__ISSUER_CACHE_DEFAULT, &ic), CLID_OK);
    return ic;
}

/* The first call under an intermediate: validated in full, and its path
 * above the leaf cached. */
static void seed(const clid_ctx *ctx, clid__issuer_cache *ic, const char *pem, int64_t at)
{
    size_t before = clid__issuer_cache_size(ic);
    struct verdict v = run(ctx, ic, pem, at);
    assert_string_equal(clid_err_name(v.rc), "CLID_OK");
    assert_int_equal(v.openssl_runs, 1);
    assert_true(clid__issuer_cache_size(ic) >= before);
    assert_true(clid__issuer_cache_size(ic) >= 1);
}

static tp_cert *sp_leaf(const char *cn, const tp_cert *issuer)
{
    return tp_issue(&(tp_spec){.cn = cn, .tnauth = "spc:709J"}, issuer);
}

static char *chain_of(const tp_cert *a, const tp_cert *b)
{
    return tp_cat(a->pem, b->pem, NULL);
}

/* ------------------------------------------------------------------------ */
/* The fast path is taken, and gives what the full path gives                */
/* ------------------------------------------------------------------------ */

static void good_new_leaves_take_the_fast_path(void **state)
{
    (void)state;
    clid_ctx *ctx = ctx_trusting(root);
    /* A CRL of I (listing others) and none of the root: both kinds of
     * revocation state (checked / no CRL) come out as in the full path. */
    add_crl(ctx, crl_of(inter, (long[]){90001, 90002}, 2));
    clid__issuer_cache *ic = new_cache();
    seed(ctx, ic, chain, TP_T0);
    for (int i = 0; i < 4; i++) {
        tp_cert *l = sp_leaf("SHAKEN 709J new", inter);
        char *pem = chain_of(l, inter);
        new_leaf_is_fast(ctx, ic, pem, TP_T0 + i * TP_DAY);
        /* The chain as served may end with the anchor. */
        char *with_root = tp_cat(pem, root->pem, NULL);
        new_leaf_is_fast(ctx, ic, with_root, TP_T0);
        free(with_root);
        free(pem);
        tp_free(l);
    }
    /* The intermediate is not parsed again: the new chain holds the cached
     * certificate itself. */
    tp_cert *l = sp_leaf("SHAKEN 709J parse", inter);
    char *pem = chain_of(l, inter);
    clid__signer_cert *c = NULL;
    assert_int_equal(clid__signer_cert_load_ic(pem, strlen(pem), ic, &c), CLID_OK);
    clid__issuer *e = NULL;
    for (int64_t at = TP_T0; e == NULL && at < TP_T0 + 1; at++) {
        uint8_t h[32];
        unsigned int n = 0;
        assert_int_equal(X509_digest(inter->x, EVP_sha256(), h, &n), 1);
        e = clid__issuer_cache_find(ic, h, ctx->trust.generation, TP_T0);
    }
    assert_non_null(e);
    assert_ptr_equal(sk_X509_value(c->chain, 1), e->upper[0]);
    clid__issuer_release(e);
    clid__signer_cert_release(c);
    free(pem);
    tp_free(l);

    /* No cache, no fast path: nothing recorded. */
    clid__issuer_cache_set_max(ic, 0);
    struct verdict v = run(ctx, ic, chain, TP_T0);
    assert_int_equal(v.rc, CLID_OK);
    assert_int_equal(clid__issuer_cache_size(ic), 0);
    clid__issuer_cache_free(ic);
    clid_ctx_free(ctx);
}

/* ------------------------------------------------------------------------ */
/* What the cached validation checked above the leaf still applies           */
/* ------------------------------------------------------------------------ */

static void intermediate_expired_or_not_yet_valid_later(void **state)
{
    (void)state;
    tp_cert *i2 = tp_issue(&(tp_spec){.cn = "Short STI-CA", .ca = 1,
                                      .not_before = TP_T0 - 10 * TP_DAY,
                                      .not_after = TP_T0 + 10 * TP_DAY},
                           root);
    tp_cert *l1 = sp_leaf("SHAKEN 709J a", i2), *l2 = sp_leaf("SHAKEN 709J b", i2);
    char *c1 = chain_of(l1, i2), *c2 = chain_of(l2, i2);
    clid_ctx *ctx = ctx_trusting(root);
    clid__issuer_cache *ic = new_cache();
    seed(ctx, ic, c1, TP_T0);
    new_leaf_is_fast(ctx, ic, c2, TP_T0 + 10 * TP_DAY - 1);
    /* I cached while valid fails at a later `now` past its notAfter, and
     * before its notBefore (the leaves are valid at both times). */
    new_leaf_fails(ctx, ic, c2, TP_T0 + 10 * TP_DAY, CLID_ERR_CERT_EXPIRED);
    new_leaf_fails(ctx, ic, c2, TP_T0 + 20 * TP_DAY, CLID_ERR_CERT_EXPIRED);
    new_leaf_fails(ctx, ic, c2, TP_T0 - 10 * TP_DAY - 1, CLID_ERR_CERT_NOT_YET_VALID);
    clid__issuer_cache_free(ic);
    clid_ctx_free(ctx);
    free(c1);
    free(c2);
    tp_free(l1);
    tp_free(l2);
    tp_free(i2);
}

static void root_expired_later(void **state)
{
    (void)state;
    tp_cert *r = tp_issue(&(tp_spec){.cn = "Short Root", .ca = 1,
                                     .not_before = TP_T0 - 100 * TP_DAY,
                                     .not_after = TP_T0 + 5 * TP_DAY},
                          NULL);
    tp_cert *i2 = tp_issue(&(tp_spec){.cn = "Long STI-CA", .ca = 1,
                                      .not_before = TP_T0 - 50 * TP_DAY,
                                      .not_after = TP_T0 + 300 * TP_DAY},
                           r);
    tp_cert *l1 = sp_leaf("SHAKEN 709J a", i2), *l2 = sp_leaf("SHAKEN 709J b", i2);
    char *c1 = chain_of(l1, i2), *c2 = chain_of(l2, i2);
    clid_ctx *ctx = ctx_trusting(r);
    clid__issuer_cache *ic = new_cache();
    seed(ctx, ic, c1, TP_T0);
    new_leaf_is_fast(ctx, ic, c2, TP_T0 + 5 * TP_DAY - 1);
    new_leaf_fails(ctx, ic, c2, TP_T0 + 5 * TP_DAY, CLID_ERR_CERT_EXPIRED);
    clid__issuer_cache_free(ic);
    clid_ctx_free(ctx);
    free(c1);
    free(c2);
    tp_free(l1);
    tp_free(l2);
    tp_free(i2);
    tp_free(r);
}

static void intermediate_revoked_after_caching(void **state)
{
    (void)state;
    clid_ctx *ctx = ctx_trusting(root);
    clid__issuer_cache *ic = new_cache();
    seed(ctx, ic, chain, TP_T0);
    tp_cert *l2 = sp_leaf("SHAKEN 709J b", inter);
    char *c2 = chain_of(l2, inter);
    new_leaf_is_fast(ctx, ic, c2, TP_T0);
    /* The root's CRL now revokes I: the cached path must not hide it. */
    add_crl(ctx, crl_of(root, (long[]){inter->serial}, 1));
    new_leaf_fails(ctx, ic, c2, TP_T0, CLID_ERR_CERT_REVOKED);
    clid__issuer_cache_free(ic);
    clid_ctx_free(ctx);
    free(c2);
    tp_free(l2);
}

static void crl_over_intermediate_reaches_next_update(void **state)
{
    (void)state;
    clid_ctx *ctx = ctx_trusting(root);
    /* The root's CRL (not listing I) is current until T0 + 5 days. */
    add_crl(ctx, tp_crl(root, TP_T0 - TP_DAY, TP_T0 + 5 * TP_DAY, (long[]){777}, 1, 0));
    clid__issuer_cache *ic = new_cache();
    seed(ctx, ic, chain, TP_T0);
    tp_cert *l2 = sp_leaf("SHAKEN 709J b", inter);
    char *c2 = chain_of(l2, inter);
    new_leaf_is_fast(ctx, ic, c2, TP_T0 + 5 * TP_DAY - 1);
    new_leaf_fails(ctx, ic, c2, TP_T0 + 5 * TP_DAY, CLID_ERR_CRL_INVALID);
    clid__issuer_cache_free(ic);
    clid_ctx_free(ctx);
    free(c2);
    tp_free(l2);
}

/* Any configuration change (here: trust anchors cleared by a new context
 * generation through the CRL policy) invalidates the cached path. */
static void configuration_change_invalidates(void **state)
{
    (void)state;
    clid_ctx *ctx = ctx_trusting(root);
    clid__issuer_cache *ic = new_cache();
    seed(ctx, ic, chain, TP_T0);
    tp_cert *l2 = sp_leaf("SHAKEN 709J b", inter);
    char *c2 = chain_of(l2, inter);
    assert_int_equal(clid_ctx_set_crl_policy(ctx, CLID_CRL_REQUIRED), CLID_OK);
    /* Under CLID_CRL_REQUIRED and no CRL at all, the full path refuses. */
    new_leaf_fails(ctx, ic, c2, TP_T0, CLID_ERR_CRL_INVALID);
    clid__issuer_cache_free(ic);
    clid_ctx_free(ctx);
    free(c2);
    tp_free(l2);
}

/* ------------------------------------------------------------------------ */
/* Name chaining and keys                                                    */
/* ------------------------------------------------------------------------ */

static void leaf_signed_by_another_key_with_the_intermediates_name(void **state)
{
    (void)state;
    /* An impostor CA with I's name and another key (and its own SKI). */
    tp_cert *evil = tp_issue(&(tp_spec){.cn = "Test STI-CA", .ca = 1}, other_root);
    clid_ctx *ctx = ctx_trusting(root);
    clid__issuer_cache *ic = new_cache();
    seed(ctx, ic, chain, TP_T0);

    /* Its leaf served with the real I: AKI names the impostor's key. */
    tp_cert *l1 = sp_leaf("SHAKEN 709J evil", evil);
    char *c1 = chain_of(l1, inter);
    new_leaf_fails(ctx, ic, c1, TP_T0, CLID_ERR_CERT_UNTRUSTED);
    /* Without AKI the issuer is found by name: the signature decides. */
    tp_cert *l2 = tp_issue(&(tp_spec){.cn = "SHAKEN 709J evil2", .tnauth = "spc:709J",
                                      .no_aki_ski = 1},
                           evil);
    char *c2 = chain_of(l2, inter);
    new_leaf_fails(ctx, ic, c2, TP_T0, CLID_ERR_CERT_CHAIN_INVALID);
    /* Served with the impostor: not the cached intermediate. */
    char *c3 = chain_of(l1, evil);
    new_leaf_fails(ctx, ic, c3, TP_T0, CLID_ERR_CERT_UNTRUSTED);

    /* Signed with I's key but naming another key in its AKI. */
    tp_cert fake = {.x = evil->x, .key = inter->key};
    tp_cert *l4 = sp_leaf("SHAKEN 709J wrong aki", &fake);
    char *c4 = chain_of(l4, inter);
    new_leaf_fails(ctx, ic, c4, TP_T0, CLID_ERR_CERT_UNTRUSTED);
    /* Strict policy: the profile is OpenSSL's X509_STRICT in both paths
     * whatever clid's policy; the verdict is still the full path's. */
    assert_int_equal(clid_ctx_set_strict(ctx, 1), CLID_OK);
    seed(ctx, ic, chain, TP_T0);
    new_leaf_fails(ctx, ic, c4, TP_T0, CLID_ERR_CERT_UNTRUSTED);

    clid__issuer_cache_free(ic);
    clid_ctx_free(ctx);
    free(c1);
    free(c2);
    free(c3);
    free(c4);
    tp_free(l1);
    tp_free(l2);
    tp_free(l4);
    tp_free(evil);
}

static void two_intermediates_same_name_different_keys(void **state)
{
    (void)state;
    tp_cert *i2 = tp_issue(&(tp_spec){.cn = "Test STI-CA", .ca = 1}, root); /* I's name */
    tp_cert *l1 = sp_leaf("SHAKEN 709J one", inter), *l2 = sp_leaf("SHAKEN 709J two", i2);
    char *c1 = chain_of(l1, inter), *c2 = chain_of(l2, i2);
    char *crossed = chain_of(l2, inter);
    clid_ctx *ctx = ctx_trusting(root);
    clid__issuer_cache *ic = new_cache();
    seed(ctx, ic, chain, TP_T0);
    /* i2 is another intermediate: validated in full, then cached too. */
    assert_false(same_as_full(ctx, ic, c2, TP_T0, CLID_OK));
    assert_int_equal(clid__issuer_cache_size(ic), 2);
    new_leaf_is_fast(ctx, ic, c1, TP_T0);
    tp_cert *l3 = sp_leaf("SHAKEN 709J three", i2);
    char *c3 = chain_of(l3, i2);
    new_leaf_is_fast(ctx, ic, c3, TP_T0);
    /* i2's leaf served with I: I's key does not verify it. */
    new_leaf_fails(ctx, ic, crossed, TP_T0, CLID_ERR_CERT_UNTRUSTED);
    clid__issuer_cache_free(ic);
    clid_ctx_free(ctx);
    free(c1);
    free(c2);
    free(c3);
    free(crossed);
    tp_free(l1);
    tp_free(l2);
    tp_free(l3);
    tp_free(i2);
}

/* ------------------------------------------------------------------------ */
/* Constraints of the path applied to the new leaf                           */
/* ------------------------------------------------------------------------ */

static void path_length_and_ca_false_abuse(void **state)
{
    (void)state;
    /* I with pathLen 0: it may issue leaves, not CAs. */
    tp_cert *i0 = tp_issue(&(tp_spec){.cn = "PathLen0 STI-CA", .ca = 1,
                                      .bc = "critical,CA:TRUE,pathlen:0"},
                           root);
    tp_cert *l1 = sp_leaf("SHAKEN 709J a", i0);
    tp_cert *sub = tp_issue(&(tp_spec){.cn = "Sub CA", .ca = 1}, i0);
    tp_cert *l2 = sp_leaf("SHAKEN 709J under sub", sub);
    char *c1 = chain_of(l1, i0);
    char *c2 = tp_cat(l2->pem, sub->pem, i0->pem, NULL);
    clid_ctx *ctx = ctx_trusting(root);
    clid__issuer_cache *ic = new_cache();
    seed(ctx, ic, c1, TP_T0);
    new_leaf_fails(ctx, ic, c2, TP_T0, CLID_ERR_CERT_CHAIN_INVALID);

    /* A leaf (CA:FALSE) of the cached I used as an issuer. */
    tp_cert *l3 = tp_issue(&(tp_spec){.cn = "SHAKEN 709J by a leaf", .tnauth = "spc:709J"}, l1);
    char *c3 = tp_cat(l3->pem, l1->pem, i0->pem, NULL);
    new_leaf_fails(ctx, ic, c3, TP_T0, CLID_ERR_CERT_CHAIN_INVALID);
    char *c4 = chain_of(l3, i0); /* claiming I directly */
    new_leaf_fails(ctx, ic, c4, TP_T0, CLID_ERR_CERT_UNTRUSTED);

    /* A new leaf that is itself a CA, under the cached I. */
    tp_cert *l5 = tp_issue(&(tp_spec){.cn = "SHAKEN 709J CA leaf", .ca = 1, .tnauth = "spc:709J"},
                           i0);
    char *c5 = chain_of(l5, i0);
    new_leaf_fails(ctx, ic, c5, TP_T0, CLID_ERR_CERT_PURPOSE);
    clid__issuer_cache_free(ic);
    clid_ctx_free(ctx);

    /* A root with pathLen 0 cannot have I below it: nothing is cached. */
    tp_cert *r0 = tp_issue(&(tp_spec){.cn = "PathLen0 Root", .ca = 1,
                                      .bc = "critical,CA:TRUE,pathlen:0"},
                           NULL);
    tp_cert *ir = tp_issue(&(tp_spec){.cn = "Under PathLen0", .ca = 1}, r0);
    tp_cert *lr = sp_leaf("SHAKEN 709J r", ir);
    char *cr = chain_of(lr, ir);
    ctx = ctx_trusting(r0);
    ic = new_cache();
    new_leaf_fails(ctx, ic, cr, TP_T0, CLID_ERR_CERT_CHAIN_INVALID);
    assert_int_equal(clid__issuer_cache_size(ic), 0);
    clid__issuer_cache_free(ic);
    clid_ctx_free(ctx);

    free(c1);
    free(c2);
    free(c3);
    free(c4);
    free(c5);
    free(cr);
    tp_free(l1);
    tp_free(l2);
    tp_free(l3);
    tp_free(l5);
    tp_free(sub);
    tp_free(i0);
    tp_free(lr);
    tp_free(ir);
    tp_free(r0);
}

/* Name constraints (RFC 5280 §4.2.1.10), dNSName example.com, and
 * subjectAltNames inside and outside it. */
static const uint8_t nc_example_com[] = {0x30, 0x11, 0xa0, 0x0f, 0x30, 0x0d, 0x82, 0x0b, 'e',
                                         'x',  'a',  'm',  'p',  'l',  'e',  '.',  'c',  'o',
                                         'm'};
static const uint8_t san_evil_net[] = {0x30, 0x0a, 0x82, 0x08, 'e', 'v', 'i', 'l', '.', 'n', 'e',
                                       't'};
static const uint8_t san_a_example_com[] = {0x30, 0x0f, 0x82, 0x0d, 'a', '.', 'e', 'x', 'a', 'm',
                                            'p',  'l',  'e',  '.',  'c', 'o', 'm'};

static void name_constraints(void **state)
{
    (void)state;
    /* On I: OpenSSL applies them to the new leaf in the partial chain. */
    tp_cert *i_nc = tp_issue(&(tp_spec){.cn = "NC STI-CA", .ca = 1, .raw_oid = "2.5.29.30",
                                        .raw_der = nc_example_com,
                                        .raw_der_len = sizeof nc_example_com},
                             root);
    tp_cert *in1 = tp_issue(&(tp_spec){.cn = "SHAKEN in", .tnauth = "spc:709J",
                                       .raw_oid = "2.5.29.17", .raw_der = san_a_example_com,
                                       .raw_der_len = sizeof san_a_example_com},
                            i_nc);
    tp_cert *in2 = tp_issue(&(tp_spec){.cn = "SHAKEN in 2", .tnauth = "spc:709J",
                                       .raw_oid = "2.5.29.17", .raw_der = san_a_example_com,
                                       .raw_der_len = sizeof san_a_example_com},
                            i_nc);
    tp_cert *out = tp_issue(&(tp_spec){.cn = "SHAKEN out", .tnauth = "spc:709J",
                                       .raw_oid = "2.5.29.17", .raw_der = san_evil_net,
                                       .raw_der_len = sizeof san_evil_net},
                            i_nc);
    char *c1 = chain_of(in1, i_nc), *c2 = chain_of(in2, i_nc), *c3 = chain_of(out, i_nc);
    clid_ctx *ctx = ctx_trusting(root);
    clid__issuer_cache *ic = new_cache();
    seed(ctx, ic, c1, TP_T0);
    new_leaf_is_fast(ctx, ic, c2, TP_T0);
    new_leaf_fails(ctx, ic, c3, TP_T0, CLID_ERR_CERT_CHAIN_INVALID);
    clid__issuer_cache_free(ic);
    clid_ctx_free(ctx);

    /* Above I (here on the root): a partial chain would not apply them to
     * the new leaf, so such a path is never cached. */
    tp_cert *r_nc = tp_issue(&(tp_spec){.cn = "NC Root", .ca = 1, .raw_oid = "2.5.29.30",
                                        .raw_der = nc_example_com,
                                        .raw_der_len = sizeof nc_example_com},
                             NULL);
    tp_cert *ir = tp_issue(&(tp_spec){.cn = "Under NC Root", .ca = 1}, r_nc);
    tp_cert *l1 = sp_leaf("SHAKEN 709J a", ir), *l2 = sp_leaf("SHAKEN 709J b", ir);
    tp_cert *l3 = tp_issue(&(tp_spec){.cn = "SHAKEN out", .tnauth = "spc:709J",
                                      .raw_oid = "2.5.29.17", .raw_der = san_evil_net,
                                      .raw_der_len = sizeof san_evil_net},
                           ir);
    char *r1 = chain_of(l1, ir), *r2 = chain_of(l2, ir), *r3 = chain_of(l3, ir);
    ctx = ctx_trusting(r_nc);
    ic = new_cache();
    assert_int_equal(run(ctx, ic, r1, TP_T0).rc, CLID_OK);
    assert_int_equal(clid__issuer_cache_size(ic), 0);
    assert_false(same_as_full(ctx, ic, r2, TP_T0, CLID_OK));
    new_leaf_fails(ctx, ic, r3, TP_T0, CLID_ERR_CERT_CHAIN_INVALID);
    clid__issuer_cache_free(ic);
    clid_ctx_free(ctx);

    free(c1);
    free(c2);
    free(c3);
    free(r1);
    free(r2);
    free(r3);
    tp_free(in1);
    tp_free(in2);
    tp_free(out);
    tp_free(i_nc);
    tp_free(l1);
    tp_free(l2);
    tp_free(l3);
    tp_free(ir);
    tp_free(r_nc);
}

static void delegate_not_encompassed(void **state)
{
    (void)state;
    /* RFC 9060: an SP CA with a range delegates to leaves within it. */
    tp_cert *spca = tp_issue(&(tp_spec){.cn = "SP CA", .ca = 1,
                                        .tnauth = "range:12025550000+100"},
                             inter);
    tp_cert *in1 = tp_issue(&(tp_spec){.cn = "Delegate in", .tnauth = "tn:12025550001"}, spca);
    tp_cert *in2 = tp_issue(&(tp_spec){.cn = "Delegate in 2", .tnauth = "tn:12025550002"}, spca);
    tp_cert *out = tp_issue(&(tp_spec){.cn = "Delegate out", .tnauth = "tn:13035550100"}, spca);
    tp_cert *none = tp_issue(&(tp_spec){.cn = "Delegate none"}, spca);
    char *c1 = tp_cat(in1->pem, spca->pem, inter->pem, NULL);
    char *c2 = tp_cat(in2->pem, spca->pem, inter->pem, NULL);
    char *c3 = tp_cat(out->pem, spca->pem, inter->pem, NULL);
    char *c4 = tp_cat(none->pem, spca->pem, inter->pem, NULL);
    clid_ctx *ctx = ctx_trusting(root);
    assert_int_equal(clid_ctx_set_tn_policy(ctx, CLID_TN_POLICY_TN_REQUIRED), CLID_OK);
    clid__issuer_cache *ic = new_cache();
    seed(ctx, ic, c1, TP_T0);
    new_leaf_is_fast(ctx, ic, c2, TP_T0);
    new_leaf_fails(ctx, ic, c3, TP_T0, CLID_ERR_DELEGATE_NOT_ENCOMPASSED);
    new_leaf_fails(ctx, ic, c4, TP_T0, CLID_ERR_DELEGATE_NO_TNAUTH);
    clid__issuer_cache_free(ic);
    clid_ctx_free(ctx);
    free(c1);
    free(c2);
    free(c3);
    free(c4);
    tp_free(in1);
    tp_free(in2);
    tp_free(out);
    tp_free(none);
    tp_free(spca);
}

/* ------------------------------------------------------------------------ */
/* The leaf's own checks                                                      */
/* ------------------------------------------------------------------------ */

static void leaf_revoked_by_the_intermediates_crl(void **state)
{
    (void)state;
    tp_cert *bad = sp_leaf("SHAKEN 709J revoked", inter);
    tp_cert *good = sp_leaf("SHAKEN 709J good", inter);
    char *cb = chain_of(bad, inter), *cg = chain_of(good, inter);
    clid_ctx *ctx = ctx_trusting(root);
    add_crl(ctx, crl_of(inter, (long[]){bad->serial}, 1));
    clid__issuer_cache *ic = new_cache();
    seed(ctx, ic, chain, TP_T0);
    new_leaf_fails(ctx, ic, cb, TP_T0, CLID_ERR_CERT_REVOKED);
    new_leaf_is_fast(ctx, ic, cg, TP_T0);
    /* Still revoked once the CRL was found usable for good leaves. */
    new_leaf_fails(ctx, ic, cb, TP_T0, CLID_ERR_CERT_REVOKED);
    /* Past the CRL's nextUpdate the full path decides (stale CRL). */
    new_leaf_fails(ctx, ic, cg, TP_T0 + 7 * TP_DAY, CLID_ERR_CRL_INVALID);
    clid__issuer_cache_free(ic);
    clid_ctx_free(ctx);

    /* A CRL of I with a bad signature, or another form: never the fast
     * path's to accept. */
    ctx = ctx_trusting(root);
    add_crl(ctx, tp_crl(inter, TP_T0 - TP_DAY, TP_T0 + 7 * TP_DAY, (long[]){1}, 1,
                        TP_CRL_BAD_SIG));
    ic = new_cache();
    new_leaf_fails(ctx, ic, chain, TP_T0, CLID_ERR_CRL_INVALID);
    new_leaf_fails(ctx, ic, cg, TP_T0, CLID_ERR_CRL_INVALID);
    assert_int_equal(clid__issuer_cache_size(ic), 0);
    clid__issuer_cache_free(ic);
    clid_ctx_free(ctx);
    free(cb);
    free(cg);
    tp_free(bad);
    tp_free(good);
}

static void leaf_expired_or_not_yet_valid(void **state)
{
    (void)state;
    tp_cert *old = tp_issue(&(tp_spec){.cn = "SHAKEN 709J old", .tnauth = "spc:709J",
                                       .not_before = TP_T0 - 60 * TP_DAY,
                                       .not_after = TP_T0 - TP_DAY},
                            inter);
    tp_cert *future = tp_issue(&(tp_spec){.cn = "SHAKEN 709J future", .tnauth = "spc:709J",
                                          .not_before = TP_T0 + TP_DAY,
                                          .not_after = TP_T0 + 60 * TP_DAY},
                               inter);
    char *co = chain_of(old, inter), *cf = chain_of(future, inter);
    clid_ctx *ctx = ctx_trusting(root);
    clid__issuer_cache *ic = new_cache();
    seed(ctx, ic, chain, TP_T0);
    new_leaf_fails(ctx, ic, co, TP_T0, CLID_ERR_CERT_EXPIRED);
    new_leaf_fails(ctx, ic, cf, TP_T0, CLID_ERR_CERT_NOT_YET_VALID);
    new_leaf_is_fast(ctx, ic, cf, TP_T0 + TP_DAY);
    clid__issuer_cache_free(ic);
    clid_ctx_free(ctx);
    free(co);
    free(cf);
    tp_free(old);
    tp_free(future);
}

/* The warnings (profile deviations) of the path above the leaf come from the
 * cached validation, the leaf's from this one: together, the full path's. */
static void lenient_warnings_identical(void **state)
{
    (void)state;
    /* I: basicConstraints not critical and no keyUsage (deviations). */
    tp_cert *i2 = tp_issue(&(tp_spec){.cn = "Lax STI-CA", .ca = 1, .bc = "CA:TRUE", .ku = ""},
                           root);
    tp_cert *l1 = sp_leaf("SHAKEN 709J a", i2);
    tp_cert *l2 = tp_issue(&(tp_spec){.cn = "SHAKEN 709J no aki", .tnauth = "spc:709J",
                                      .no_aki_ski = 1},
                           i2);
    tp_cert *l3 = sp_leaf("SHAKEN 709J c", i2);
    char *c1 = chain_of(l1, i2), *c2 = chain_of(l2, i2), *c3 = chain_of(l3, i2);
    clid_ctx *ctx = ctx_trusting(root);
    clid__issuer_cache *ic = new_cache();
    seed(ctx, ic, c1, TP_T0);
    new_leaf_is_fast(ctx, ic, c2, TP_T0);
    new_leaf_is_fast(ctx, ic, c3, TP_T0);
    struct verdict v = run(ctx, ic, c2, TP_T0);
    assert_int_equal(v.dev, CLID__DEV_NO_AKI | CLID__DEV_BC_NOT_CRITICAL |
                                CLID__DEV_CA_NO_KEY_USAGE);
    v = run(ctx, ic, c3, TP_T0);
    assert_int_equal(v.dev, CLID__DEV_BC_NOT_CRITICAL | CLID__DEV_CA_NO_KEY_USAGE);
    clid__issuer_cache_free(ic);
    clid_ctx_free(ctx);
    free(c1);
    free(c2);
    free(c3);
    tp_free(l1);
    tp_free(l2);
    tp_free(l3);
    tp_free(i2);
}

/* ------------------------------------------------------------------------ */
/* Equivalence over a set of leaves, and threads                             */
/* ------------------------------------------------------------------------ */

static void equivalence_over_leaf_kinds(void **state)
{
    (void)state;
    tp_cert *evil = tp_issue(&(tp_spec){.cn = "Test STI-CA", .ca = 1}, other_root);
    tp_cert *revoked = sp_leaf("SHAKEN 709J revoked", inter);
    const tp_spec kinds[] = {
        {.cn = "good", .tnauth = "spc:709J"},
        {.cn = "good tn", .tnauth = "tn:12025550100"},
        {.cn = "no tnauth"},
        {.cn = "no aki", .tnauth = "spc:709J", .no_aki_ski = 1},
        {.cn = "expired", .tnauth = "spc:709J", .not_before = TP_T0 - 9 * TP_DAY,
         .not_after = TP_T0 - TP_DAY},
        {.cn = "ca", .ca = 1, .tnauth = "spc:709J"},
        {.cn = "no digitalSignature", .tnauth = "spc:709J", .ku = "critical,keyEncipherment"},
        {.cn = "rsa", .tnauth = "spc:709J", .rsa = 1},
        {.cn = "critical unknown", .tnauth = "spc:709J", .critical_oid = "1.3.6.1.4.1.99999.1"},
        {.cn = "critical tnauth", .tnauth = "spc:709J", .tnauth_critical = 1},
        {.cn = "tnauth twice", .tnauth = "spc:709J", .tnauth_twice = 1},
        {.cn = "keyCertSign", .tnauth = "spc:709J", .ku = "critical,digitalSignature,keyCertSign"},
    };
    const clid_err want[] = {
        CLID_OK, CLID_OK, CLID_OK, CLID_OK, CLID_ERR_CERT_EXPIRED, CLID_ERR_CERT_PURPOSE,
        CLID_ERR_CERT_PURPOSE, CLID_ERR_KEY_TYPE, CLID_ERR_CERT_CRITICAL_EXT, CLID_OK,
        CLID_ERR_EXT_DUPLICATE, CLID_ERR_CERT_CHAIN_INVALID,
    };
    clid_ctx *ctx = ctx_trusting(root);
    add_crl(ctx, crl_of(inter, (long[]){revoked->serial}, 1));
    for (int strict = 0; strict <= 1; strict++) {
        assert_int_equal(clid_ctx_set_strict(ctx, strict), CLID_OK);
        clid__issuer_cache *ic = new_cache();
        seed(ctx, ic, chain, TP_T0);
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            tp_cert *l = tp_issue(&kinds[k], inter);
            char *pem = chain_of(l, inter);
            int fast = same_as_full(ctx, ic, pem, TP_T0, want[k]);
            assert_int_equal(fast, want[k] == CLID_OK);
            free(pem);
            tp_free(l);
        }
        char *pem = chain_of(revoked, inter);
        new_leaf_fails(ctx, ic, pem, TP_T0, CLID_ERR_CERT_REVOKED);
        free(pem);
        tp_cert *l = sp_leaf("evil", evil);
        pem = chain_of(l, inter);
        new_leaf_fails(ctx, ic, pem, TP_T0, CLID_ERR_CERT_UNTRUSTED);
        free(pem);
        tp_free(l);
        clid__issuer_cache_free(ic);
    }
    clid_ctx_free(ctx);
    tp_free(evil);
    tp_free(revoked);
}

#define THREADS 4
#define PER_THREAD 8

struct thread_arg {
    const clid_ctx *ctx;
    clid__issuer_cache *ic;
    char *pem[PER_THREAD];
    int ok;
};

static void *thread_main(void *p)
{
    struct thread_arg *a = p;
    a->ok = 1;
    for (int i = 0; i < PER_THREAD; i++) {
        clid__signer_cert *c = NULL;
        if (clid__signer_cert_load_ic(a->pem[i], strlen(a->pem[i]), a->ic, &c) != CLID_OK) {
            a->ok = 0;
            continue;
        }
        if (clid__signer_cert_validate_ic(&a->ctx->trust, a->ic, c, TP_T0, NULL, NULL, NULL, NULL,
                                          0) != CLID_OK)
            a->ok = 0;
        clid__signer_cert_release(c);
    }
    return NULL;
}

/* Threads validating distinct new leaves at once, while the cache is
 * cleared under them: every verdict is right. */
static void threads_share_the_cache(void **state)
{
    (void)state;
    clid_ctx *ctx = ctx_trusting(root);
    add_crl(ctx, crl_of(inter, (long[]){90001}, 1));
    clid__issuer_cache *ic = new_cache();
    struct thread_arg args[THREADS];
    tp_cert *leaves[THREADS][PER_THREAD];
    for (int t = 0; t < THREADS; t++) {
        args[t] = (struct thread_arg){.ctx = ctx, .ic = ic};
        for (int i = 0; i < PER_THREAD; i++) {
            leaves[t][i] = sp_leaf("SHAKEN 709J thread", inter);
            args[t].pem[i] = chain_of(leaves[t][i], inter);
        }
    }
    pthread_t th[THREADS];
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(pthread_create(&th[t], NULL, thread_main, &args[t]), 0);
    clid__issuer_cache_clear(ic);
    for (int t = 0; t < THREADS; t++) {
        assert_int_equal(pthread_join(th[t], NULL), 0);
        assert_true(args[t].ok);
    }
    for (int t = 0; t < THREADS; t++)
        for (int i = 0; i < PER_THREAD; i++) {
            free(args[t].pem[i]);
            tp_free(leaves[t][i]);
        }
    clid__issuer_cache_free(ic);
    clid_ctx_free(ctx);
}

/* A forked worker (Kamailio, OpenSIPS) inherits the parent's cache: the
 * child starts with an empty one that works, the parent keeps its own. The
 * child reports with its exit status (_exit: nothing of the parent's image
 * is audited twice). */
static void fork_child_starts_empty(void **state)
{
    (void)state;
    clid_ctx *ctx = ctx_trusting(root);
    clid__issuer_cache *ic = new_cache();
    seed(ctx, ic, chain, TP_T0);
    tp_cert *l2 = sp_leaf("SHAKEN 709J b", inter);
    char *c2 = chain_of(l2, inter);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int code = 0;
        if (clid__issuer_cache_size(ic) != 0)
            code = 1;
        unsigned long hits = clid__issuer_cache_fast_hits(ic);
        if (run(ctx, ic, c2, TP_T0).rc != CLID_OK || clid__issuer_cache_fast_hits(ic) != hits)
            code = code ? code : 2; /* validated in full, and cached again */
        if (clid__issuer_cache_size(ic) != 1)
            code = code ? code : 3;
        if (run(ctx, ic, chain, TP_T0).rc != CLID_OK || clid__issuer_cache_fast_hits(ic) != hits + 1)
            code = code ? code : 4; /* and then fast */
        _exit(code);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(clid__issuer_cache_size(ic), 1);
    new_leaf_is_fast(ctx, ic, c2, TP_T0);
    clid__issuer_cache_free(ic);
    clid_ctx_free(ctx);
    free(c2);
    tp_free(l2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_new_leaves_take_the_fast_path),
        cmocka_unit_test(intermediate_expired_or_not_yet_valid_later),
        cmocka_unit_test(root_expired_later),
        cmocka_unit_test(intermediate_revoked_after_caching),
        cmocka_unit_test(crl_over_intermediate_reaches_next_update),
        cmocka_unit_test(configuration_change_invalidates),
        cmocka_unit_test(leaf_signed_by_another_key_with_the_intermediates_name),
        cmocka_unit_test(two_intermediates_same_name_different_keys),
        cmocka_unit_test(path_length_and_ca_false_abuse),
        cmocka_unit_test(name_constraints),
        cmocka_unit_test(delegate_not_encompassed),
        cmocka_unit_test(leaf_revoked_by_the_intermediates_crl),
        cmocka_unit_test(leaf_expired_or_not_yet_valid),
        cmocka_unit_test(lenient_warnings_identical),
        cmocka_unit_test(equivalence_over_leaf_kinds),
        cmocka_unit_test(threads_share_the_cache),
        cmocka_unit_test(fork_child_starts_empty),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
