/*
 * Unit tests of clid_verify_identities (verify_chain.c; RFC 8946 §6): a
 * shaken PASSporT and div PASSporTs signed by the networks that diverted
 * the call, in any header order; each broken link with its exact code, the
 * failed link's index and the detail naming it; each div's own failure
 * (signature, freshness, authority) as the chain's; no div as before.
 * Networks: O (the originating SP, SPC 709J) signs the original; B, C and
 * D hold TN certificates for the numbers they forward.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include <clid/clid.h>

#include "support/clid_test.h"
#include "support/testpki.h"

#define URL_O "https://cert.example.org/o.pem"
#define URL_B "https://cert.example.org/b.pem"
#define URL_C "https://cert.example.org/c.pem"
#define URL_X "https://cert.example.org/x.pem"
#define A_TN "12155550001"
#define B_TN "12155550002"
#define C_TN "12155550003"
#define D_TN "12155550004"
#define ORIGID "4b3e8f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5b"

static int64_t t0 = TP_T0;
static tp_cert *root, *inter, *cert_o, *cert_b, *cert_c, *cert_x;
static char *chains[4];
static clid_signer *s_o, *s_b, *s_c, *s_x;
static clid_ctx *ctx;
static clid_verifier *ver;

static int setup(void **state)
{
    (void)state;
    root = tp_test_root();
    inter = tp_test_stica(root);
    cert_o = tp_issue(&(tp_spec){.cn = "O", .tnauth = "spc:709J"}, inter);
    cert_b = tp_issue(&(tp_spec){.cn = "B", .tnauth = "tn:" B_TN}, inter);
    cert_c = tp_issue(&(tp_spec){.cn = "C", .tnauth = "tn:" C_TN}, inter);
    cert_x = tp_issue(&(tp_spec){.cn = "X", .tnauth = "tn:12155550099"}, inter);
    const tp_cert *certs[4] = {cert_o, cert_b, cert_c, cert_x};
    const char *urls[4] = {URL_O, URL_B, URL_C, URL_X};
    ctx = tp_ctx_new(root, &t0);
    for (size_t i = 0; i < 4; i++) {
        chains[i] = tp_cat(certs[i]->pem, inter->pem, NULL);
        tp_ctx_map(ctx, urls[i], chains[i]);
    }
    assert_err(clid_ctx_accept_ppt(ctx, "shaken"), CLID_OK);
    assert_err(clid_ctx_accept_ppt(ctx, "div"), CLID_OK);
    ver = tp_verifier_new(ctx);
    s_o = tp_signer_new(cert_o, URL_O, &t0);
    s_b = tp_signer_new(cert_b, URL_B, &t0);
    s_c = tp_signer_new(cert_c, URL_C, &t0);
    s_x = tp_signer_key(cert_x->key, NULL, URL_X, &t0); /* no pre-flight check */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    clid_signer_free(s_o);
    clid_signer_free(s_b);
    clid_signer_free(s_c);
    clid_signer_free(s_x);
    clid_verifier_free(ver);
    clid_ctx_free(ctx);
    for (size_t i = 0; i < 4; i++)
        free(chains[i]);
    tp_free(cert_o);
    tp_free(cert_b);
    tp_free(cert_c);
    tp_free(cert_x);
    tp_free(inter);
    tp_free(root);
    return 0;
}

/* A PASSporT orig -> dest by `s`: shaken, or div from `div` when set. */
static char *pp(const clid_signer *s, const char *orig, const char *dest, const char *div,
                int64_t iat)
{
    const char *dests[1] = {dest};
    clid_claims c = {.orig = orig, .dest = dests, .dest_count = 1, .attest = 'A',
                     .origid = ORIGID, .iat = iat, .div = div};
    char buf[CLID_IDENTITY_MAX_LEN];
    size_t len = 0;
    assert_err(clid_sign_identity(s, &c, buf, sizeof buf, &len), CLID_OK);
    char *v = strdup(buf);
    assert_non_null(v);
    return v;
}

static clid_err run(const char *const *ids, size_t n, const char *dest, clid_result *res)
{
    clid_verify_input in = {.orig = A_TN, .dest = dest, .now = t0};
    return clid_verify_identities(ver, &in, ids, n, res);
}

static clid_result *result(void)
{
    clid_result *r = NULL;
    assert_err(clid_result_new(&r), CLID_OK);
    return r;
}

/* ------------------------------------------------------------------------ */
/* Chains that hold                                                          */
/* ------------------------------------------------------------------------ */

static void shaken_and_div(void **state)
{
    (void)state;
    char *o = pp(s_o, A_TN, B_TN, NULL, t0);
    char *d1 = pp(s_b, A_TN, C_TN, B_TN, t0 + 5);
    const char *ids[] = {o, d1};
    clid_result *r = result();
    assert_err(run(ids, 2, C_TN, r), CLID_OK);
    assert_int_equal(clid_result_verstat(r), CLID_VERSTAT_PASSED);
    /* the original's claims and signer, plus the link */
    assert_string_equal(clid_result_ppt(r), "shaken");
    assert_string_equal(clid_result_orig(r), A_TN);
    assert_string_equal(clid_result_dest(r, 0), B_TN);
    assert_string_equal(clid_result_signer_spc(r), "709J");
    assert_int_equal(clid_result_div_count(r), 1);
    assert_string_equal(clid_result_div_from(r, 0), B_TN);
    assert_string_equal(clid_result_div_to(r, 0), C_TN);
    assert_int_equal(clid_result_div_iat(r, 0), t0 + 5);
    assert_null(clid_result_div_spc(r, 0)); /* B's certificate has TNs only */
    assert_null(clid_result_div_from(r, 1));
    assert_int_equal(clid_result_div_iat(r, 1), 0);
    assert_int_equal(clid_result_div_failed_link(r), -1);
    /* a div signed by the SPC certificate reports its SPC */
    char *d_spc = pp(s_o, A_TN, C_TN, B_TN, t0);
    const char *ids2[] = {o, d_spc};
    assert_err(run(ids2, 2, C_TN, r), CLID_OK);
    assert_string_equal(clid_result_div_spc(r, 0), "709J");
    /* without a result object the same verdict */
    assert_err(run(ids, 2, C_TN, NULL), CLID_OK);
    clid_result_free(r);
    free(d_spc);
    free(d1);
    free(o);
}

/* shaken + div + div, in every header order: the links in chain order. */
static void two_divs_any_order(void **state)
{
    (void)state;
    char *o = pp(s_o, A_TN, B_TN, NULL, t0);
    char *d1 = pp(s_b, A_TN, C_TN, B_TN, t0);
    char *d2 = pp(s_c, A_TN, D_TN, C_TN, t0);
    const char *v[3] = {o, d1, d2};
    static const int perm[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                   {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    clid_result *r = result();
    for (size_t k = 0; k < 6; k++) {
        const char *ids[3] = {v[perm[k][0]], v[perm[k][1]], v[perm[k][2]]};
        assert_err(run(ids, 3, D_TN, r), CLID_OK);
        assert_int_equal(clid_result_div_count(r), 2);
        assert_string_equal(clid_result_div_from(r, 0), B_TN);
        assert_string_equal(clid_result_div_to(r, 0), C_TN);
        assert_string_equal(clid_result_div_from(r, 1), C_TN);
        assert_string_equal(clid_result_div_to(r, 1), D_TN);
        assert_string_equal(clid_result_ppt(r), "shaken");
    }
    clid_result_free(r);
    free(o);
    free(d1);
    free(d2);
}

/* ------------------------------------------------------------------------ */
/* Broken links                                                              */
/* ------------------------------------------------------------------------ */

static void expect_link(const char *const *ids, size_t n, const char *dest, clid_err want,
                        int link, const char *detail_prefix)
{
    clid_result *r = result();
    assert_err(run(ids, n, dest, r), want);
    assert_err(clid_result_reason(r), want);
    assert_int_equal(clid_result_verstat(r), CLID_VERSTAT_FAILED);
    assert_int_equal(clid_result_div_failed_link(r), link);
    if (detail_prefix != NULL)
        assert_memory_equal(clid_result_detail(r), detail_prefix, strlen(detail_prefix));
    clid_result_free(r);
    assert_err(run(ids, n, dest, NULL), want);
}

static void broken_links(void **state)
{
    (void)state;
    char *o = pp(s_o, A_TN, B_TN, NULL, t0);
    char *d1 = pp(s_b, A_TN, C_TN, B_TN, t0);
    /* orig changed in the div */
    char *d1_orig = pp(s_b, "12155550077", C_TN, B_TN, t0);
    expect_link((const char *[]){o, d1_orig}, 2, C_TN, CLID_ERR_DIV_CHAIN_ORIG, 0,
                "div #1 (" B_TN " -> " C_TN "): ");
    /* the div diverts from a number that is no dest of the original */
    char *d_x = pp(s_c, A_TN, D_TN, C_TN, t0);
    expect_link((const char *[]){o, d_x}, 2, D_TN, CLID_ERR_DIV_CHAIN_LINK, 0,
                "div #1 (" C_TN " -> " D_TN "): ");
    /* ... at the second link */
    char *d2_x = pp(s_x, A_TN, D_TN, "12155550088", t0);
    expect_link((const char *[]){d2_x, o, d1}, 3, D_TN, CLID_ERR_DIV_CHAIN_LINK, 1, NULL);
    /* the last dest is not the request's target */
    expect_link((const char *[]){o, d1}, 2, D_TN, CLID_ERR_DIV_CHAIN_DEST, 0,
                "div #1 (" B_TN " -> " C_TN "): ");
    /* ... nor the original's dest alone */
    expect_link((const char *[]){o, d1}, 2, B_TN, CLID_ERR_DIV_CHAIN_DEST, 0, NULL);
    /* a loop: B -> C, C -> B, B -> D */
    char *d2_back = pp(s_c, A_TN, B_TN, C_TN, t0);
    char *d3 = pp(s_b, A_TN, D_TN, B_TN, t0);
    expect_link((const char *[]){o, d1, d2_back, d3}, 4, D_TN, CLID_ERR_DIV_CHAIN_LOOP, 2,
                "div #3 (" B_TN " -> " D_TN "): ");
    /* B -> C twice (a second div from B left over) */
    expect_link((const char *[]){o, d1, d3}, 3, C_TN, CLID_ERR_DIV_CHAIN_LOOP, 1, NULL);
    free(d2_back);
    free(d3);
    free(d2_x);
    free(d_x);
    free(d1_orig);
    free(d1);
    free(o);
}

/* Each div's own verification failure is the chain's, at that link. */
static void link_failures(void **state)
{
    (void)state;
    char *o = pp(s_o, A_TN, B_TN, NULL, t0);
    char *d1 = pp(s_b, A_TN, C_TN, B_TN, t0);
    /* signed by a certificate that does not cover the diverting number */
    char *d_x = pp(s_x, A_TN, C_TN, B_TN, t0);
    expect_link((const char *[]){o, d_x}, 2, C_TN, CLID_ERR_TN_NOT_AUTHORIZED, 0,
                "div #1 (" B_TN " -> " C_TN "): ");
    /* stale */
    char *d_old = pp(s_b, A_TN, C_TN, B_TN, t0 - 3600);
    expect_link((const char *[]){o, d_old}, 2, C_TN, CLID_ERR_IAT_STALE, 0, NULL);
    /* a bad signature at the second link */
    char *d2 = pp(s_c, A_TN, D_TN, C_TN, t0);
    char *dot = strchr(d2, ';');
    assert_non_null(dot);
    while (*--dot != '.')
        ;
    dot[3] = dot[3] == 'A' ? 'B' : 'A';
    expect_link((const char *[]){o, d1, d2}, 3, D_TN, CLID_ERR_SIGNATURE_INVALID, 1,
                "div #2 (" C_TN " -> " D_TN "): ");
    /* a div that does not parse is no link: the original's verdict stands
     * (as next to any other unreadable header) */
    const char *ids_junk[] = {o, "garbage;info=<" URL_B ">;ppt=div"};
    clid_result *r = result();
    assert_err(run(ids_junk, 2, B_TN, r), CLID_OK);
    assert_int_equal(clid_result_div_count(r), 0);
    clid_result_free(r);
    free(d2);
    free(d_old);
    free(d_x);
    free(d1);
    free(o);
}

static void without_original(void **state)
{
    (void)state;
    char *o_old = pp(s_o, A_TN, B_TN, NULL, t0 - 3600);
    char *o_other = pp(s_o, "12155550077", B_TN, NULL, t0);
    char *d1 = pp(s_b, A_TN, C_TN, B_TN, t0);
    /* a div alone (or two) is never a pass */
    expect_link((const char *[]){d1}, 1, C_TN, CLID_ERR_DIV_WITHOUT_ORIGINAL, -1, NULL);
    expect_link((const char *[]){d1, d1}, 2, C_TN, CLID_ERR_DIV_WITHOUT_ORIGINAL, -1, NULL);
    /* a div alone with its own defect reports it */
    expect_link((const char *[]){d1}, 1, D_TN, CLID_ERR_DEST_MISMATCH, -1, NULL);
    /* the original fails: its failure, no link named */
    expect_link((const char *[]){o_old, d1}, 2, C_TN, CLID_ERR_IAT_STALE, -1, NULL);
    expect_link((const char *[]){d1, o_other}, 2, C_TN, CLID_ERR_ORIG_MISMATCH, -1, NULL);
    free(d1);
    free(o_other);
    free(o_old);
}

/* Without div PASSporTs: clid_verify_identity on each, one pass is enough. */
static void no_div(void **state)
{
    (void)state;
    char *o = pp(s_o, A_TN, B_TN, NULL, t0);
    char *o_old = pp(s_o, A_TN, B_TN, NULL, t0 - 3600);
    clid_result *r = result();
    assert_err(run((const char *[]){o_old, o}, 2, B_TN, r), CLID_OK);
    assert_int_equal(clid_result_div_count(r), 0);
    assert_int_equal(clid_result_div_failed_link(r), -1);
    assert_err(run((const char *[]){o_old, ""}, 2, B_TN, r), CLID_ERR_IAT_STALE);
    assert_err(run((const char *[]){""}, 1, B_TN, r), CLID_ERR_NO_IDENTITY);
    assert_err(run(NULL, 0, B_TN, r), CLID_ERR_NO_IDENTITY);
    /* more than CLID_VERIFY_MAX_IDENTITIES: the later ones are ignored */
    const char *many[CLID_VERIFY_MAX_IDENTITIES + 1];
    for (size_t i = 0; i < CLID_VERIFY_MAX_IDENTITIES; i++)
        many[i] = o_old;
    many[CLID_VERIFY_MAX_IDENTITIES] = o;
    assert_err(run(many, CLID_VERIFY_MAX_IDENTITIES + 1, B_TN, r), CLID_ERR_IAT_STALE);
    /* arguments */
    clid_verify_input in = {.identity = o, .orig = A_TN, .dest = B_TN, .now = t0};
    assert_err(clid_verify_identities(ver, &in, (const char *[]){o}, 1, r),
               CLID_ERR_INVALID_ARGUMENT);
    in.identity = NULL;
    assert_err(clid_verify_identities(NULL, &in, (const char *[]){o}, 1, r),
               CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_verify_identities(ver, &in, NULL, 1, r), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_result_div_count(NULL), 0);
    assert_int_equal(clid_result_div_failed_link(NULL), -1);
    assert_null(clid_result_div_opt(NULL));
    clid_result_free(r);
    free(o_old);
    free(o);
}

/* A verifier that does not accept "div": a div counts as none (RFC 8224
 * §6.2.2), the original decides as before div chains. */
static void div_not_accepted(void **state)
{
    (void)state;
    clid_ctx *c = tp_ctx_new(root, &t0);
    tp_ctx_map(c, URL_O, chains[0]);
    tp_ctx_map(c, URL_B, chains[1]);
    clid_verifier *v = tp_verifier_new(c);
    char *o = pp(s_o, A_TN, B_TN, NULL, t0);
    char *d_stray = pp(s_o, A_TN, B_TN, "12155550077", t0);
    clid_verify_input in = {.orig = A_TN, .dest = B_TN, .now = t0};
    clid_result *r = result();
    assert_err(clid_verify_identities(v, &in, (const char *[]){d_stray, o}, 2, r), CLID_OK);
    assert_int_equal(clid_result_div_count(r), 0);
    assert_err(clid_verify_identities(v, &in, (const char *[]){d_stray}, 1, r),
               CLID_ERR_PASSPORT_PPT_UNSUPPORTED);
    /* the same with "div" accepted: a broken chain */
    assert_err(clid_verify_identities(ver, &in, (const char *[]){d_stray, o}, 2, r),
               CLID_ERR_DIV_CHAIN_LINK);
    clid_result_free(r);
    free(d_stray);
    free(o);
    clid_verifier_free(v);
    clid_ctx_free(c);
}

/* ------------------------------------------------------------------------ */
/* div-o (RFC 8946 §5)                                                       */
/* ------------------------------------------------------------------------ */

static char *b64url(const unsigned char *d, size_t n)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *o = malloc(n * 4 / 3 + 4);
    assert_non_null(o);
    size_t k = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)d[i] << 16 | (i + 1 < n ? (unsigned)d[i + 1] << 8 : 0) |
                     (i + 2 < n ? d[i + 2] : 0);
        o[k++] = a[v >> 18 & 63];
        o[k++] = a[v >> 12 & 63];
        if (i + 1 < n)
            o[k++] = a[v >> 6 & 63];
        if (i + 2 < n)
            o[k++] = a[v & 63];
    }
    o[k] = '\0';
    return o;
}

/* "<b64 hdr>.<b64 claims>.<raw ES256 sig by key><params>", by hand: the
 * div-o PASSporTs below are written independently of clid's signer (whose
 * output div_o_signed compares with them). */
static char *forge(const char *hdr, const char *claims, EVP_PKEY *key, const char *params)
{
    char *h = b64url((const unsigned char *)hdr, strlen(hdr));
    char *c = b64url((const unsigned char *)claims, strlen(claims));
    size_t in_len = strlen(h) + 1 + strlen(c);
    char *in = malloc(in_len + 1);
    assert_non_null(in);
    snprintf(in, in_len + 1, "%s.%s", h, c);
    unsigned char der[80];
    size_t der_len = sizeof der;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    assert_non_null(md);
    assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key), 1);
    assert_int_equal(EVP_DigestSign(md, der, &der_len, (const unsigned char *)in, in_len), 1);
    EVP_MD_CTX_free(md);
    const unsigned char *pd = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &pd, (long)der_len);
    assert_non_null(sig);
    unsigned char raw[64];
    assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, 32), 32);
    assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + 32, 32), 32);
    ECDSA_SIG_free(sig);
    char *sg = b64url(raw, 64);
    size_t n = in_len + strlen(sg) + strlen(params) + 2;
    char *out = malloc(n);
    assert_non_null(out);
    snprintf(out, n, "%s.%s%s", in, sg, params);
    free(h);
    free(c);
    free(in);
    free(sg);
    return out;
}

#define DIVO_HDR "{\"alg\":\"ES256\",\"ppt\":\"div-o\",\"typ\":\"passport\",\"x5u\":\"" URL_B "\"}"
#define DIVO_PARAMS ";info=<" URL_B ">;alg=ES256;ppt=div-o"

/* A div-o B -> C by B carrying `opt` (raw JSON value text). */
static char *div_o(const char *opt_json, int64_t iat)
{
    char claims[12000];
    snprintf(claims, sizeof claims,
             "{\"dest\":{\"tn\":[\"" C_TN "\"]},\"div\":{\"tn\":\"" B_TN "\"},\"iat\":%lld,"
             "\"opt\":%s,\"orig\":{\"tn\":\"" A_TN "\"}}",
             (long long)iat, opt_json);
    return forge(DIVO_HDR, claims, cert_b->key, DIVO_PARAMS);
}

/* The JWS of an Identity value, quoted as a JSON string. */
static char *quoted_jws(const char *identity)
{
    size_t n = strcspn(identity, ";");
    char *q = malloc(n + 3);
    assert_non_null(q);
    q[0] = '"';
    memcpy(q + 1, identity, n);
    q[n + 1] = '"';
    q[n + 2] = '\0';
    return q;
}

/* A context with every signer's chain mapped and the ppts accepted. */
static clid_ctx *ctx_accepting(const char *const *ppts, size_t n)
{
    clid_ctx *c = tp_ctx_new(root, &t0);
    const char *urls[4] = {URL_O, URL_B, URL_C, URL_X};
    for (size_t i = 0; i < 4; i++)
        tp_ctx_map(c, urls[i], chains[i]);
    for (size_t i = 0; i < n; i++)
        assert_err(clid_ctx_accept_ppt(c, ppts[i]), CLID_OK);
    return c;
}

static void div_o_carries_original(void **state)
{
    (void)state;
    clid_ctx *c = ctx_accepting((const char *const[]){"shaken", "div", "div-o"}, 3);
    clid_verifier *v = tp_verifier_new(c);
    clid_result *r = result();
    clid_verify_input in = {.orig = A_TN, .dest = C_TN, .now = t0};

    char *o = pp(s_o, A_TN, B_TN, NULL, t0);
    char *q = quoted_jws(o);
    char *dvo = div_o(q, t0);
    /* alone: the div-o and the original it carries */
    assert_err(clid_verify_identities(v, &in, (const char *[]){dvo}, 1, r), CLID_OK);
    assert_string_equal(clid_result_ppt(r), "shaken");
    assert_int_equal(clid_result_div_count(r), 1);
    assert_string_equal(clid_result_div_from(r, 0), B_TN);
    assert_non_null(clid_result_div_opt(r));
    assert_memory_equal(clid_result_div_opt(r), o, strcspn(o, ";"));
    /* next to the original's own header too */
    assert_err(clid_verify_identities(v, &in, (const char *[]){dvo, o}, 2, r), CLID_OK);
    /* verified alone with clid_verify_identity: no pass, the opt reported */
    clid_verify_input one = in;
    one.identity = dvo;
    assert_err(clid_verify_identity(v, &one, r), CLID_ERR_DIV_WITHOUT_ORIGINAL);
    assert_non_null(clid_result_div_opt(r));
    /* the carried original is stale: its failure */
    char *o_old = pp(s_o, A_TN, B_TN, NULL, t0 - 3600);
    char *q_old = quoted_jws(o_old);
    char *dvo_old = div_o(q_old, t0);
    assert_err(clid_verify_identities(v, &in, (const char *[]){dvo_old}, 1, r),
               CLID_ERR_IAT_STALE);
    /* the carried original's dest is not where the div-o diverts from */
    char *o_d = pp(s_o, A_TN, D_TN, NULL, t0);
    char *q_d = quoted_jws(o_d);
    char *dvo_d = div_o(q_d, t0);
    assert_err(clid_verify_identities(v, &in, (const char *[]){dvo_d}, 1, r),
               CLID_ERR_DIV_CHAIN_LINK);
    assert_int_equal(clid_result_div_failed_link(r), 0);
    /* malformed opt: not a string, two parts, not base64url, empty part */
    static const char *const bad[] = {"42", "\"abc.def\"", "\"a.b.c d\"", "\"a..c\"",
                                      "\"a.b.\"", "\"a.b.c.d\"", "{\"x\":1}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *x = div_o(bad[i], t0);
        one.identity = x;
        assert_err(clid_verify_identity(v, &one, r), CLID_ERR_DIV_OPT);
        /* a div-o that does not parse is no link: the original alone, whose
         * dest is not the request's */
        assert_err(clid_verify_identities(v, &in, (const char *[]){o, x}, 2, r),
                   CLID_ERR_DEST_MISMATCH);
        free(x);
    }
    free(dvo_d);
    free(q_d);
    free(o_d);
    free(dvo_old);
    free(q_old);
    free(o_old);
    free(dvo);
    free(q);
    free(o);
    clid_result_free(r);
    clid_verifier_free(v);
    clid_ctx_free(c);
}

/* clid_claims.opt: clid signs the div-o itself (RFC 8946 §5). Its signing
 * input is byte for byte the hand-written one (canonical JSON, RFC 8225
 * §9), it verifies as a chain with the original it carries, and what is
 * not a div-o's original is refused at signing. */
static void div_o_signed(void **state)
{
    (void)state;
    clid_ctx *c = ctx_accepting((const char *const[]){"shaken", "div-o"}, 2);
    clid_verifier *v = tp_verifier_new(c);
    clid_result *r = result();
    clid_verify_input in = {.orig = A_TN, .dest = C_TN, .now = t0};

    char *o = pp(s_o, A_TN, B_TN, NULL, t0);
    size_t jws_len = strcspn(o, ";");
    char *jws = strndup(o, jws_len);
    assert_non_null(jws);
    const char *dests[1] = {C_TN};
    clid_claims cl = {.orig = A_TN, .dest = dests, .dest_count = 1, .iat = t0, .div = B_TN,
                      .opt = jws};
    char buf[CLID_IDENTITY_MAX_LEN];
    size_t len = 0;
    assert_err(clid_sign_identity(s_b, &cl, buf, sizeof buf, &len), CLID_OK);
    assert_non_null(strstr(buf, DIVO_PARAMS));
    /* the same header and claims as the hand-written div-o */
    char *q = quoted_jws(o);
    char *hand = div_o(q, t0);
    size_t input_len = (size_t)(strchr(strchr(hand, '.') + 1, '.') - hand);
    assert_memory_equal(buf, hand, input_len);
    assert_int_equal(buf[input_len], '.');
    /* it verifies alone: the chain from the original it carries */
    assert_err(clid_verify_identities(v, &in, (const char *[]){buf}, 1, r), CLID_OK);
    assert_string_equal(clid_result_ppt(r), "shaken");
    assert_int_equal(clid_result_div_count(r), 1);
    assert_string_equal(clid_result_div_from(r, 0), B_TN);
    assert_string_equal(clid_result_div_opt(r), jws);
    /* refused at signing: opt without div, a compact or malformed original,
     * rcd on a div-o (it vouches for the diversion only) */
    clid_claims bad = cl;
    bad.div = NULL;
    assert_err(clid_sign_identity(s_b, &bad, buf, sizeof buf, &len), CLID_ERR_INVALID_ARGUMENT);
    static const char *const forms[] = {"", "a.b", "a..c", "a.b.", ".b.c", "a.b.c.d",
                                        "a.b.c;info=<x>", "a.b+.c", "a.b.c\r\n"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        bad = cl;
        bad.opt = forms[i];
        assert_err(clid_sign_identity(s_b, &bad, buf, sizeof buf, &len),
                   CLID_ERR_INVALID_ARGUMENT);
    }
    const clid_rcd rcd = {.nam = "Alice"};
    bad = cl;
    bad.rcd = &rcd;
    assert_err(clid_sign_identity(s_b, &bad, buf, sizeof buf, &len), CLID_ERR_INVALID_ARGUMENT);
    free(hand);
    free(q);
    free(jws);
    free(o);
    clid_result_free(r);
    clid_verifier_free(v);
    clid_ctx_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shaken_and_div), cmocka_unit_test(two_divs_any_order),
        cmocka_unit_test(div_o_signed),
        cmocka_unit_test(broken_links),   cmocka_unit_test(link_failures),
        cmocka_unit_test(without_original), cmocka_unit_test(no_div),
        cmocka_unit_test(div_o_carries_original), cmocka_unit_test(div_not_accepted),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
