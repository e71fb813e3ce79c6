/* Unit tests of clid_ctx configuration (ctx.c) and the PEM/DER loaders. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "verify/ctx_internal.h"
#include "support/testpki.h"

static tp_cert *root_a, *root_b, *leaf;
static char *crl_a, *crl_b;
static char tmpdir[64];

static int group_setup(void **state)
{
    (void)state;
    root_a = tp_issue(&(tp_spec){.cn = "Root A", .ca = 1}, NULL);
    root_b = tp_issue(&(tp_spec){.cn = "Root B", .ca = 1}, NULL);
    leaf = tp_issue(&(tp_spec){.cn = "Leaf", .tnauth = "spc:709J"}, root_a);
    crl_a = tp_crl(root_a, TP_T0 - TP_DAY, TP_T0 + TP_DAY, NULL, 0, 0);
    crl_b = tp_crl(root_b, TP_T0 - TP_DAY, TP_T0 + TP_DAY, (long[]){7}, 1, 0);
    strcpy(tmpdir, "/tmp/clid_test_ctx_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static void rm_rf(const char *dir)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

static int group_teardown(void **state)
{
    (void)state;
    tp_free(root_a);
    tp_free(root_b);
    tp_free(leaf);
    free(crl_a);
    free(crl_b);
    rm_rf(tmpdir);
    return 0;
}

static int ctx_setup(void **state)
{
    clid_ctx *ctx = NULL;
    if (clid_ctx_new(&ctx) != CLID_OK)
        return -1;
    *state = ctx;
    return 0;
}

static int ctx_teardown(void **state)
{
    clid_ctx_free(*state);
    return 0;
}

/* Writes `len` bytes to tmpdir/name; returns the path (static buffer). */
static const char *write_file(const char *name, const void *data, size_t len)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    return path;
}

static int store_count(const clid_ctx *ctx)
{
    return sk_X509_OBJECT_num(X509_STORE_get0_objects(ctx->trust.store));
}

/* ------------------------------------------------------------------------ */

static void defaults(void **state)
{
    clid_ctx *ctx = *state;
    assert_non_null(ctx->trust.store);
    assert_int_equal(store_count(ctx), 0);
    assert_int_equal(sk_X509_CRL_num(ctx->trust.crls), 0);
    assert_int_equal(ctx->trust.crl_policy, CLID_CRL_IF_PRESENT);
    assert_int_equal(ctx->max_age, CLID_DEFAULT_MAX_AGE);
    assert_int_equal(ctx->max_skew, CLID_DEFAULT_MAX_SKEW);
    assert_int_equal(ctx->trust.tn_policy, CLID_TN_POLICY_SPC_OR_TN);
    assert_int_equal(ctx->trust.max_depth, CLID_DEFAULT_MAX_CHAIN_DEPTH);
    assert_int_equal(ctx->require_tnauth, 1);
    assert_int_equal(ctx->require_entity, 0);
    assert_null(ctx->fetch);
    assert_null(ctx->clock);
    assert_int_equal(ctx->n_x5u, 0);
    assert_true(clid__ctx_ppt_accepted(ctx, "shaken"));
    assert_false(clid__ctx_ppt_accepted(ctx, "div"));
    assert_false(clid__ctx_ppt_accepted(ctx, "SHAKEN"));
    assert_null(clid__ctx_x5u_lookup(ctx, "https://x.example/a.pem"));
}

static void null_arguments(void **state)
{
    clid_ctx *ctx = *state;
    assert_int_equal(clid_ctx_new(NULL), CLID_ERR_INVALID_ARGUMENT);
    clid_ctx_free(NULL);
    assert_int_equal(clid_ctx_add_trust_file(NULL, "x"), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_add_trust_file(ctx, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_add_trust_dir(NULL, "x"), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_add_trust_dir(ctx, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_add_trust_pem(NULL, "x", 1), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_add_trust_pem(ctx, NULL, 1), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_add_crl_file(NULL, "x"), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_add_crl_file(ctx, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_add_crl_pem(NULL, "x", 1), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_add_crl_pem(ctx, NULL, 1), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_set_crl_policy(NULL, CLID_CRL_IGNORE), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_add_x5u_file(NULL, "u", "p"), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_add_x5u_file(ctx, NULL, "p"), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_add_x5u_file(ctx, "u", NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_add_x5u_pem(NULL, "u", "p", 1), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_add_x5u_pem(ctx, NULL, "p", 1), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_add_x5u_pem(ctx, "u", NULL, 1), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_set_fetcher(NULL, NULL, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_set_freshness(NULL, 1, 1), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_set_tn_policy(NULL, CLID_TN_POLICY_SPC_OR_TN),
                     CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_accept_ppt(NULL, "div"), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_accept_ppt(ctx, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_set_max_chain_depth(NULL, 2), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_set_require_tnauth(NULL, 1), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_set_require_entity(NULL, 1), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_set_clock(NULL, NULL, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_null(clid__ctx_x5u_lookup(NULL, "u"));
    assert_null(clid__ctx_x5u_lookup(ctx, NULL));
    assert_false(clid__ctx_ppt_accepted(NULL, "shaken"));
    assert_false(clid__ctx_ppt_accepted(ctx, NULL));
}

/* ------------------------------------------------------------------------ */
/* Trust anchors                                                             */
/* ------------------------------------------------------------------------ */

static void trust_pem(void **state)
{
    clid_ctx *ctx = *state;
    assert_int_equal(clid_ctx_add_trust_pem(ctx, root_a->pem, strlen(root_a->pem)), CLID_OK);
    assert_int_equal(store_count(ctx), 1);
    /* The same anchor again is not an error and not a second anchor. */
    assert_int_equal(clid_ctx_add_trust_pem(ctx, root_a->pem, strlen(root_a->pem)), CLID_OK);
    assert_int_equal(store_count(ctx), 1);
    /* Several certificates in one buffer, with explanatory text around
     * them (RFC 7468 §2), as in bundles written by `openssl x509 -text`. */
    char *bundle = tp_cat("Root B\nsubject=CN = Root B\n", root_b->pem, "\n# trailing note\n",
                          NULL);
    clid_ctx *ctx2 = NULL;
    assert_int_equal(clid_ctx_new(&ctx2), CLID_OK);
    char *two = tp_cat(root_a->pem, bundle, NULL);
    assert_int_equal(clid_ctx_add_trust_pem(ctx2, two, strlen(two)), CLID_OK);
    assert_int_equal(store_count(ctx2), 2);
    clid_ctx_free(ctx2);
    free(two);
    free(bundle);
}

static void trust_pem_refused(void **state)
{
    clid_ctx *ctx = *state;
    /* No certificate at all: refused, so a wrong file never means "trust nothing". */
    assert_int_equal(clid_ctx_add_trust_pem(ctx, "", 0), CLID_ERR_CERT_PARSE);
    const char *text = "just some text\n";
    assert_int_equal(clid_ctx_add_trust_pem(ctx, text, strlen(text)), CLID_ERR_CERT_PARSE);
    const char *bad64 = "-----BEGIN CERTIFICATE-----\n!!!!notbase64!!!!\n"
                        "-----END CERTIFICATE-----\n";
    assert_int_equal(clid_ctx_add_trust_pem(ctx, bad64, strlen(bad64)), CLID_ERR_CERT_PARSE);
    /* A CRL block where certificates are expected. */
    assert_int_equal(clid_ctx_add_trust_pem(ctx, crl_a, strlen(crl_a)), CLID_ERR_CERT_PARSE);
    /* Truncated: BEGIN without END. */
    size_t half = strlen(root_a->pem) / 2;
    assert_int_equal(clid_ctx_add_trust_pem(ctx, root_a->pem, half), CLID_ERR_CERT_PARSE);
    /* One good and one bad block: nothing is added (loading is atomic). */
    char *mixed = tp_cat(root_a->pem, bad64, NULL);
    unsigned gen = ctx->trust.generation;
    assert_int_equal(clid_ctx_add_trust_pem(ctx, mixed, strlen(mixed)), CLID_ERR_CERT_PARSE);
    assert_int_equal(store_count(ctx), 0);
    assert_int_equal(ctx->trust.generation, gen);
    free(mixed);
    /* Trailing bytes inside a certificate block. */
    char *trail = tp_pem_with_trailing(root_a, 3);
    assert_int_equal(clid_ctx_add_trust_pem(ctx, trail, strlen(trail)), CLID_ERR_CERT_PARSE);
    free(trail);
}

static void trust_file(void **state)
{
    clid_ctx *ctx = *state;
    const char *p = write_file("root_a.pem", root_a->pem, strlen(root_a->pem));
    assert_int_equal(clid_ctx_add_trust_file(ctx, p), CLID_OK);
    assert_int_equal(store_count(ctx), 1);

    char missing[300];
    snprintf(missing, sizeof missing, "%s/does-not-exist.pem", tmpdir);
    assert_int_equal(clid_ctx_add_trust_file(ctx, missing), CLID_ERR_IO);
    /* A directory is not a trust file. */
    assert_int_equal(clid_ctx_add_trust_file(ctx, tmpdir), CLID_ERR_IO);
    p = write_file("empty.pem", "", 0);
    assert_int_equal(clid_ctx_add_trust_file(ctx, p), CLID_ERR_CERT_PARSE);
    p = write_file("text.pem", "hello\n", 6);
    assert_int_equal(clid_ctx_add_trust_file(ctx, p), CLID_ERR_CERT_PARSE);
    assert_int_equal(store_count(ctx), 1);
}

static void trust_dir(void **state)
{
    clid_ctx *ctx = *state;
    char dir[300], sub[400];
    snprintf(dir, sizeof dir, "%s/anchors", tmpdir);
    assert_int_equal(mkdir(dir, 0700), 0);

    /* Empty directory: refused like an empty file. */
    assert_int_equal(clid_ctx_add_trust_dir(ctx, dir), CLID_ERR_CERT_PARSE);

    write_file("anchors/a.pem", root_a->pem, strlen(root_a->pem));
    write_file("anchors/b.crt", root_b->pem, strlen(root_b->pem));
    /* Not .pem/.crt, or hidden: not read (they would not parse). */
    write_file("anchors/readme.txt", "not a cert", 10);
    write_file("anchors/.swap.pem", "not a cert", 10);
    snprintf(sub, sizeof sub, "%s/sub.pem", dir);
    assert_int_equal(mkdir(sub, 0700), 0); /* a directory named *.pem is skipped */
    assert_int_equal(clid_ctx_add_trust_dir(ctx, dir), CLID_OK);
    assert_int_equal(store_count(ctx), 2);

    /* One bad .pem spoils the whole directory, and nothing is added. */
    clid_ctx *ctx2 = NULL;
    assert_int_equal(clid_ctx_new(&ctx2), CLID_OK);
    write_file("anchors/bad.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
               59);
    assert_int_equal(clid_ctx_add_trust_dir(ctx2, dir), CLID_ERR_CERT_PARSE);
    assert_int_equal(store_count(ctx2), 0);
    clid_ctx_free(ctx2);

    snprintf(sub, sizeof sub, "%s/nope", tmpdir);
    assert_int_equal(clid_ctx_add_trust_dir(ctx, sub), CLID_ERR_IO);
    rm_rf(dir);
}

/* ------------------------------------------------------------------------ */
/* CRLs                                                                      */
/* ------------------------------------------------------------------------ */

static unsigned char *pem_to_der(const char *pem, int *len)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    X509_CRL *crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
    assert_non_null(crl);
    unsigned char *der = NULL;
    *len = i2d_X509_CRL(crl, &der);
    assert_true(*len > 0);
    X509_CRL_free(crl);
    BIO_free(bio);
    return der;
}

static void crls_pem_and_der(void **state)
{
    clid_ctx *ctx = *state;
    assert_int_equal(clid_ctx_add_crl_pem(ctx, crl_a, strlen(crl_a)), CLID_OK);
    assert_int_equal(sk_X509_CRL_num(ctx->trust.crls), 1);
    char *two = tp_cat(crl_a, "\n", crl_b, NULL);
    assert_int_equal(clid_ctx_add_crl_pem(ctx, two, strlen(two)), CLID_OK);
    assert_int_equal(sk_X509_CRL_num(ctx->trust.crls), 3);
    free(two);

    int len = 0;
    unsigned char *der = pem_to_der(crl_b, &len);
    assert_int_equal(clid_ctx_add_crl_pem(ctx, (const char *)der, (size_t)len), CLID_OK);
    const char *p = write_file("crl.der", der, (size_t)len);
    assert_int_equal(clid_ctx_add_crl_file(ctx, p), CLID_OK);
    p = write_file("crl.pem", crl_a, strlen(crl_a));
    assert_int_equal(clid_ctx_add_crl_file(ctx, p), CLID_OK);
    assert_int_equal(sk_X509_CRL_num(ctx->trust.crls), 6);
    OPENSSL_free(der);
}

static void crls_refused(void **state)
{
    clid_ctx *ctx = *state;
    assert_int_equal(clid_ctx_add_crl_pem(ctx, "", 0), CLID_ERR_CERT_PARSE);
    assert_int_equal(clid_ctx_add_crl_pem(ctx, "text\n", 5), CLID_ERR_CERT_PARSE);
    /* A certificate is not a CRL. */
    assert_int_equal(clid_ctx_add_crl_pem(ctx, root_a->pem, strlen(root_a->pem)),
                     CLID_ERR_CERT_PARSE);
    /* DER with a byte after the CertificateList. */
    int len = 0;
    unsigned char *der = pem_to_der(crl_a, &len);
    unsigned char *longer = malloc((size_t)len + 1);
    memcpy(longer, der, (size_t)len);
    longer[len] = 0;
    assert_int_equal(clid_ctx_add_crl_pem(ctx, (const char *)longer, (size_t)len + 1),
                     CLID_ERR_CERT_PARSE);
    /* Truncated DER. */
    assert_int_equal(clid_ctx_add_crl_pem(ctx, (const char *)der, (size_t)len - 1),
                     CLID_ERR_CERT_PARSE);
    free(longer);
    OPENSSL_free(der);
    /* A good CRL followed by a bad block: nothing added. */
    char *mixed = tp_cat(crl_a, "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n", NULL);
    assert_int_equal(clid_ctx_add_crl_pem(ctx, mixed, strlen(mixed)), CLID_ERR_CERT_PARSE);
    free(mixed);
    assert_int_equal(sk_X509_CRL_num(ctx->trust.crls), 0);

    char missing[300];
    snprintf(missing, sizeof missing, "%s/nope.crl", tmpdir);
    assert_int_equal(clid_ctx_add_crl_file(ctx, missing), CLID_ERR_IO);
}

static void crl_policy(void **state)
{
    clid_ctx *ctx = *state;
    assert_int_equal(clid_ctx_set_crl_policy(ctx, CLID_CRL_REQUIRED), CLID_OK);
    assert_int_equal(ctx->trust.crl_policy, CLID_CRL_REQUIRED);
    assert_int_equal(clid_ctx_set_crl_policy(ctx, CLID_CRL_IGNORE), CLID_OK);
    assert_int_equal(ctx->trust.crl_policy, CLID_CRL_IGNORE);
    assert_int_equal(clid_ctx_set_crl_policy(ctx, (clid_crl_policy)3), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_set_crl_policy(ctx, (clid_crl_policy)-1), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(ctx->trust.crl_policy, CLID_CRL_IGNORE);
}

/* ------------------------------------------------------------------------ */
/* Offline x5u map                                                           */
/* ------------------------------------------------------------------------ */

static void x5u_map(void **state)
{
    clid_ctx *ctx = *state;
    const char *url = "https://cr.example/sp.pem";
    assert_int_equal(clid_ctx_add_x5u_pem(ctx, url, leaf->pem, strlen(leaf->pem)), CLID_OK);
    const struct clid_x5u_map_entry *e = clid__ctx_x5u_lookup(ctx, url);
    assert_non_null(e);
    assert_string_equal(e->url, url);
    assert_int_equal(e->len, strlen(leaf->pem));
    assert_memory_equal(e->pem, leaf->pem, e->len);
    assert_int_equal(e->pem[e->len], '\0');
    assert_null(clid__ctx_x5u_lookup(ctx, "https://cr.example/sp.pem2"));
    assert_null(clid__ctx_x5u_lookup(ctx, "https://cr.example/sp.pe"));

    /* The latest mapping for a URL wins. */
    assert_int_equal(clid_ctx_add_x5u_pem(ctx, url, root_a->pem, strlen(root_a->pem)), CLID_OK);
    e = clid__ctx_x5u_lookup(ctx, url);
    assert_non_null(e);
    assert_memory_equal(e->pem, root_a->pem, e->len);
    assert_int_equal(ctx->n_x5u, 1);

    /* Contents are not parsed when added: a lab may map a broken chain on
     * purpose, and the verifier reports it (436) when a call uses it. */
    assert_int_equal(clid_ctx_add_x5u_pem(ctx, "https://cr.example/broken.pem", "garbage", 7),
                     CLID_OK);
    assert_int_equal(clid_ctx_add_x5u_pem(ctx, "https://cr.example/empty.pem", "", 0), CLID_OK);
}

static void x5u_map_many(void **state)
{
    clid_ctx *ctx = *state;
    char url[64], body[32];
    /* Inserted out of order; looked up by binary search. */
    for (int i = 0; i < 64; i++) {
        int k = (i * 37) % 64;
        snprintf(url, sizeof url, "https://cr.example/%02d.pem", k);
        snprintf(body, sizeof body, "chain %d", k);
        assert_int_equal(clid_ctx_add_x5u_pem(ctx, url, body, strlen(body)), CLID_OK);
    }
    assert_int_equal(ctx->n_x5u, 64);
    for (int k = 0; k < 64; k++) {
        snprintf(url, sizeof url, "https://cr.example/%02d.pem", k);
        snprintf(body, sizeof body, "chain %d", k);
        const struct clid_x5u_map_entry *e = clid__ctx_x5u_lookup(ctx, url);
        assert_non_null(e);
        assert_string_equal(e->pem, body);
    }
    assert_null(clid__ctx_x5u_lookup(ctx, "https://cr.example/64.pem"));
    assert_null(clid__ctx_x5u_lookup(ctx, ""));
}

/* The RCD content map shares the x5u map's bisection and insertion
 * (ctx.c url_map_*): out-of-order inserts, a replacement, binary content
 * with NULs and an empty body all come back as given. */
static void rcd_map_many(void **state)
{
    clid_ctx *ctx = *state;
    char url[64];
    uint8_t body[8];
    for (int i = 0; i < 64; i++) {
        int k = (i * 37) % 64;
        snprintf(url, sizeof url, "https://rcd.example/%02d.json", k);
        memset(body, 0, sizeof body);
        body[3] = (uint8_t)k;
        assert_int_equal(clid_ctx_add_rcd_content(ctx, url, body, sizeof body), CLID_OK);
    }
    assert_int_equal(ctx->n_rcd, 64);
    assert_int_equal(clid_ctx_add_rcd_content(ctx, "https://rcd.example/07.json", NULL, 0), CLID_OK);
    assert_int_equal(ctx->n_rcd, 64);
    for (int k = 0; k < 64; k++) {
        snprintf(url, sizeof url, "https://rcd.example/%02d.json", k);
        const struct clid_rcd_map_entry *e = clid__ctx_rcd_lookup(ctx, url);
        assert_non_null(e);
        assert_int_equal(e->len, k == 7 ? 0 : sizeof body);
        if (k != 7) {
            assert_int_equal(e->data[0], 0);
            assert_int_equal(e->data[3], k);
        }
    }
    assert_null(clid__ctx_rcd_lookup(ctx, "https://rcd.example/64.json"));
    assert_null(clid__ctx_rcd_lookup(ctx, "https://rcd.example/0"));
    assert_null(clid__ctx_x5u_lookup(ctx, "https://rcd.example/01.json"));
}

static void x5u_file(void **state)
{
    clid_ctx *ctx = *state;
    const char *p = write_file("chain.pem", leaf->pem, strlen(leaf->pem));
    char path[600];
    snprintf(path, sizeof path, "%s", p);
    assert_int_equal(clid_ctx_add_x5u_file(ctx, "https://cr.example/a.pem", path), CLID_OK);
    /* Read now: changing the file later changes nothing. */
    write_file("chain.pem", "changed", 7);
    const struct clid_x5u_map_entry *e = clid__ctx_x5u_lookup(ctx, "https://cr.example/a.pem");
    assert_non_null(e);
    assert_string_equal(e->pem, leaf->pem);

    char missing[300];
    snprintf(missing, sizeof missing, "%s/nope.pem", tmpdir);
    assert_int_equal(clid_ctx_add_x5u_file(ctx, "https://cr.example/b.pem", missing), CLID_ERR_IO);

    /* Bounded like a fetched chain. */
    size_t big = CLID_CHAIN_MAX_LEN + 1;
    char *buf = malloc(big);
    memset(buf, 'A', big);
    p = write_file("big.pem", buf, big);
    snprintf(path, sizeof path, "%s", p);
    assert_int_equal(clid_ctx_add_x5u_file(ctx, "https://cr.example/big.pem", path),
                     CLID_ERR_X5U_TOO_LARGE);
    assert_int_equal(clid_ctx_add_x5u_pem(ctx, "https://cr.example/big.pem", buf, big),
                     CLID_ERR_X5U_TOO_LARGE);
    /* Exactly at the limit is fine. */
    p = write_file("max.pem", buf, big - 1);
    snprintf(path, sizeof path, "%s", p);
    assert_int_equal(clid_ctx_add_x5u_file(ctx, "https://cr.example/max.pem", path), CLID_OK);
    free(buf);
    assert_null(clid__ctx_x5u_lookup(ctx, "https://cr.example/big.pem"));
    assert_int_equal(ctx->n_x5u, 2);
}

static void x5u_bad_urls(void **state)
{
    clid_ctx *ctx = *state;
    const char *bad[] = {"", "https://a b/c.pem", "https://a/c.pem\r\nX: y", "https://a/\x7f",
                         "https://a/\xc3\xa9"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(clid_ctx_add_x5u_pem(ctx, bad[i], "x", 1), CLID_ERR_INVALID_ARGUMENT);
    char *longurl = malloc(5000);
    memset(longurl, 'a', 4999);
    longurl[4999] = '\0';
    assert_int_equal(clid_ctx_add_x5u_pem(ctx, longurl, "x", 1), CLID_ERR_INVALID_ARGUMENT);
    free(longurl);
    assert_int_equal(ctx->n_x5u, 0);
}

/* ------------------------------------------------------------------------ */
/* Policy                                                                    */
/* ------------------------------------------------------------------------ */

static clid_err fake_fetch(void *arg, const char *url, uint8_t *buf, size_t cap, size_t *len,
                           int64_t *max_age_s)
{
    (void)arg, (void)url, (void)buf, (void)cap, (void)len, (void)max_age_s;
    return CLID_ERR_X5U_UNREACHABLE;
}

static void fetcher(void **state)
{
    clid_ctx *ctx = *state;
    int tag = 0;
    assert_int_equal(clid_ctx_set_fetcher(ctx, fake_fetch, &tag), CLID_OK);
    assert_ptr_equal(ctx->fetch, fake_fetch);
    assert_ptr_equal(ctx->fetch_arg, &tag);
    assert_int_equal(clid_ctx_set_fetcher(ctx, NULL, &tag), CLID_OK);
    assert_null(ctx->fetch);
    assert_null(ctx->fetch_arg);
}

static void freshness_and_tn_policy(void **state)
{
    clid_ctx *ctx = *state;
    assert_int_equal(clid_ctx_set_freshness(ctx, 300, 5), CLID_OK);
    assert_int_equal(ctx->max_age, 300);
    assert_int_equal(ctx->max_skew, 5);
    assert_int_equal(clid_ctx_set_tn_policy(ctx, CLID_TN_POLICY_TN_REQUIRED), CLID_OK);
    assert_int_equal(ctx->trust.tn_policy, CLID_TN_POLICY_TN_REQUIRED);
    assert_int_equal(clid_ctx_set_tn_policy(ctx, (clid_tn_policy)2), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(ctx->trust.tn_policy, CLID_TN_POLICY_TN_REQUIRED);
}

static void accept_ppt(void **state)
{
    clid_ctx *ctx = *state;
    /* The first call replaces the default {"shaken"}. */
    assert_int_equal(clid_ctx_accept_ppt(ctx, "div"), CLID_OK);
    assert_true(clid__ctx_ppt_accepted(ctx, "div"));
    assert_false(clid__ctx_ppt_accepted(ctx, "shaken"));
    assert_int_equal(clid_ctx_accept_ppt(ctx, "shaken"), CLID_OK);
    assert_true(clid__ctx_ppt_accepted(ctx, "shaken"));
    /* Accepting twice is harmless. */
    assert_int_equal(clid_ctx_accept_ppt(ctx, "shaken"), CLID_OK);
    assert_int_equal(ctx->n_ppt, 2);
    /* Other registered types are tokens clid can accept (see clid.h). */
    assert_int_equal(clid_ctx_accept_ppt(ctx, "rcd"), CLID_OK);
    assert_int_equal(clid_ctx_accept_ppt(ctx, "div-o"), CLID_OK);
    assert_true(clid__ctx_ppt_accepted(ctx, "div-o"));
    /* At most CLID_MAX_PPT values. */
    assert_int_equal(clid_ctx_accept_ppt(ctx, "rph"), CLID_ERR_INVALID_ARGUMENT);
    assert_false(clid__ctx_ppt_accepted(ctx, "rph"));
}

static void accept_ppt_refused(void **state)
{
    clid_ctx *ctx = *state;
    const char *bad[] = {"", "sha ken", "shaken;x", "\"shaken\"", "0123456789abcdef",
                         "sh\xc3\xa4ken"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(clid_ctx_accept_ppt(ctx, bad[i]), CLID_ERR_INVALID_ARGUMENT);
    /* A refused value does not clear the default. */
    assert_true(clid__ctx_ppt_accepted(ctx, "shaken"));
    /* 15 characters is the longest. */
    assert_int_equal(clid_ctx_accept_ppt(ctx, "0123456789abcde"), CLID_OK);
    assert_true(clid__ctx_ppt_accepted(ctx, "0123456789abcde"));
}

static void chain_depth(void **state)
{
    clid_ctx *ctx = *state;
    assert_int_equal(clid_ctx_set_max_chain_depth(ctx, 0), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_ctx_set_max_chain_depth(ctx, 9), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(ctx->trust.max_depth, CLID_DEFAULT_MAX_CHAIN_DEPTH);
    assert_int_equal(clid_ctx_set_max_chain_depth(ctx, 1), CLID_OK);
    assert_int_equal(ctx->trust.max_depth, 1);
    assert_int_equal(clid_ctx_set_max_chain_depth(ctx, 8), CLID_OK);
    assert_int_equal(ctx->trust.max_depth, 8);
}

static void require_flags(void **state)
{
    clid_ctx *ctx = *state;
    assert_int_equal(clid_ctx_set_require_tnauth(ctx, 0), CLID_OK);
    assert_int_equal(ctx->require_tnauth, 0);
    assert_int_equal(clid_ctx_set_require_tnauth(ctx, 42), CLID_OK);
    assert_int_equal(ctx->require_tnauth, 1);
    assert_int_equal(clid_ctx_set_require_entity(ctx, 7), CLID_OK);
    assert_int_equal(ctx->require_entity, 1);
    assert_int_equal(clid_ctx_set_require_entity(ctx, 0), CLID_OK);
    assert_int_equal(ctx->require_entity, 0);
    assert_int_equal(ctx->strict, 0); /* lenient by default */
    assert_int_equal(clid_ctx_set_strict(ctx, 3), CLID_OK);
    assert_int_equal(ctx->strict, 1);
    assert_int_equal(clid_ctx_set_strict(NULL, 1), CLID_ERR_INVALID_ARGUMENT);
}

static void clock_default_and_custom(void **state)
{
    clid_ctx *ctx = *state;
    int64_t before = (int64_t)time(NULL);
    int64_t now = clid_ctx_now(ctx);
    int64_t after = (int64_t)time(NULL);
    assert_true(now >= before && now <= after);
    int64_t pinned = TP_T0;
    assert_int_equal(clid_ctx_set_clock(ctx, tp_fixed_clock, &pinned), CLID_OK);
    assert_int_equal(clid_ctx_now(ctx), TP_T0);
    pinned += 5;
    assert_int_equal(clid_ctx_now(ctx), TP_T0 + 5);
    assert_int_equal(clid_ctx_set_clock(ctx, NULL, NULL), CLID_OK);
    assert_true(clid_ctx_now(ctx) >= before);
    assert_true(clid_ctx_now(NULL) >= before);
}

static void every_change_bumps_generation(void **state)
{
    clid_ctx *ctx = *state;
    int64_t t = 0;
    unsigned seen[32];
    size_t n = 0;
    seen[n++] = ctx->trust.generation;
#define CHANGE(call)                                                                              \
    do {                                                                                          \
        assert_int_equal((call), CLID_OK);                                                        \
        for (size_t i_ = 0; i_ < n; i_++)                                                         \
            assert_int_not_equal(ctx->trust.generation, seen[i_]);                                      \
        seen[n++] = ctx->trust.generation;                                                              \
    } while (0)
    CHANGE(clid_ctx_add_trust_pem(ctx, root_a->pem, strlen(root_a->pem)));
    CHANGE(clid_ctx_add_crl_pem(ctx, crl_a, strlen(crl_a)));
    CHANGE(clid_ctx_set_crl_policy(ctx, CLID_CRL_REQUIRED));
    CHANGE(clid_ctx_add_x5u_pem(ctx, "https://a/x.pem", "x", 1));
    CHANGE(clid_ctx_add_x5u_pem(ctx, "https://a/x.pem", "y", 1));
    CHANGE(clid_ctx_set_fetcher(ctx, fake_fetch, NULL));
    CHANGE(clid_ctx_set_freshness(ctx, 1, 2));
    CHANGE(clid_ctx_set_tn_policy(ctx, CLID_TN_POLICY_TN_REQUIRED));
    CHANGE(clid_ctx_accept_ppt(ctx, "div"));
    CHANGE(clid_ctx_set_max_chain_depth(ctx, 3));
    CHANGE(clid_ctx_set_require_tnauth(ctx, 0));
    CHANGE(clid_ctx_set_require_entity(ctx, 1));
    CHANGE(clid_ctx_set_strict(ctx, 1));
    CHANGE(clid_ctx_set_clock(ctx, tp_fixed_clock, &t));
#undef CHANGE
    /* Another context never shares a generation with this one, so a memo
     * made under one can never be taken for the other (chain_validate.c). */
    clid_ctx *other = NULL;
    assert_int_equal(clid_ctx_new(&other), CLID_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_not_equal(other->trust.generation, seen[i]);
    clid_ctx_free(other);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, ctx_setup, ctx_teardown)
    const struct CMUnitTest tests[] = {
        T(defaults),
        T(null_arguments),
        T(trust_pem),
        T(trust_pem_refused),
        T(trust_file),
        T(trust_dir),
        T(crls_pem_and_der),
        T(crls_refused),
        T(crl_policy),
        T(x5u_map),
        T(x5u_map_many),
        T(rcd_map_many),
        T(x5u_file),
        T(x5u_bad_urls),
        T(fetcher),
        T(freshness_and_tn_policy),
        T(accept_ppt),
        T(accept_ppt_refused),
        T(chain_depth),
        T(require_flags),
        T(clock_default_and_custom),
        T(every_change_bumps_generation),
    };
#undef T
    return cmocka_run_group_tests_name("ctx", tests, group_setup, group_teardown);
}
