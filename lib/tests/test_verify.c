/*
 * Unit tests of the verification pipeline (verify.c, result.c) through
 * clid_verify_identity: one test per reason code the pipeline can return,
 * each asserting the exact code, the verstat and the SIP status; then the
 * certificate sources (offline map, given chain, fetcher and its cache),
 * the result object, the warm path, and four threads on one verifier.
 *
 * Headers with a single defect are forged by hand: the JOSE header and
 * claims are written as JSON text, base64url-encoded and signed with the
 * signer certificate's key, so that only the defect under test is present.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "b64url.h"
#include "es256.h"
#include "result_internal.h"
#include "signer_cert.h"
#include "testpki.h"

#define T0_STR "1767225600" /* TP_T0 */
#define URL_SP "https://cert.example.org/sp.pem"
#define URL_RANGE "https://cert.example.org/range.pem"
#define URL_UNTRUSTED "https://cert.example.org/untrusted.pem"
#define URL_X "https://cert.example.org/x.pem" /* per-test contexts */
#define URL_F "https://fetch.example.org/sp.pem"
#define ORIG "12025550100"
#define DEST "13035550199"
#define ORIGID "4b3e8f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5b"

#define PASSED CLID_VERSTAT_PASSED
#define FAILED CLID_VERSTAT_FAILED
#define NOVAL CLID_VERSTAT_NO_VALIDATION

/* JSON building blocks for forged PASSporTs (RFC 8225 canonical order). */
#define Q(s) "\"" s "\""
#define HDR(alg, ppt, typ, x5u)                                                                   \
    "{\"alg\":" alg ",\"ppt\":" ppt ",\"typ\":" typ ",\"x5u\":" x5u "}"
#define HDR_SP HDR(Q("ES256"), Q("shaken"), Q("passport"), Q(URL_SP))
#define HDR_X HDR(Q("ES256"), Q("shaken"), Q("passport"), Q(URL_X))
#define CLAIMS(attest, dest, iat, orig, origid)                                                   \
    "{\"attest\":" attest ",\"dest\":" dest ",\"iat\":" iat ",\"orig\":" orig                     \
    ",\"origid\":" origid "}"
#define C_DEST "{\"tn\":[" Q(DEST) "]}"
#define C_ORIG "{\"tn\":" Q(ORIG) "}"
#define CLAIMS_OK CLAIMS(Q("A"), C_DEST, T0_STR, C_ORIG, Q(ORIGID))
#define PARAMS_SP ";info=<" URL_SP ">;alg=ES256;ppt=shaken"
#define PARAMS_X ";info=<" URL_X ">;alg=ES256;ppt=shaken"

static tp_cert *root, *inter, *sp, *range_leaf, *other_root, *other_inter, *untrusted_leaf;
static char *chain_sp, *chain_range, *chain_untrusted;
static int64_t t0 = TP_T0;

/* The shared context (trust: root; clock: TP_T0; x5u map: URL_SP, URL_RANGE,
 * URL_UNTRUSTED), verifier and result. */
static clid_ctx *ctx;
static clid_verifier *ver;
static clid_result *res;

static int64_t fixed_clock(void *arg)
{
    return *(const int64_t *)arg;
}

static char *key_pem(EVP_PKEY *k)
{
    BIO *bio = BIO_new(BIO_s_mem());
    assert_non_null(bio);
    assert_int_equal(PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL), 1);
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    memcpy(s, data, (size_t)n);
    s[n] = '\0';
    BIO_free(bio);
    return s;
}

static void map_chain(clid_ctx *c, const char *url, const char *pem)
{
    assert_int_equal(clid_ctx_add_x5u_pem(c, url, pem, strlen(pem)), CLID_OK);
}

/* A context trusting `root`, with the fixed clock and nothing mapped. */
static clid_ctx *bare_ctx(void)
{
    clid_ctx *c = NULL;
    assert_int_equal(clid_ctx_new(&c), CLID_OK);
    assert_int_equal(clid_ctx_add_trust_pem(c, root->pem, strlen(root->pem)), CLID_OK);
    assert_int_equal(clid_ctx_set_clock(c, fixed_clock, &t0), CLID_OK);
    return c;
}

/* bare_ctx with the shared map. */
static clid_ctx *new_ctx(void)
{
    clid_ctx *c = bare_ctx();
    map_chain(c, URL_SP, chain_sp);
    map_chain(c, URL_RANGE, chain_range);
    map_chain(c, URL_UNTRUSTED, chain_untrusted);
    return c;
}

static clid_verifier *new_verifier(const clid_ctx *c)
{
    clid_verifier *v = NULL;
    assert_int_equal(clid_verifier_new(c, &v), CLID_OK);
    return v;
}

static int group_setup(void **state)
{
    (void)state;
    assert_int_equal(TP_T0, 1767225600);
    root = tp_issue(&(tp_spec){.cn = "Test Root", .ca = 1, .not_before = TP_T0 - 3650 * TP_DAY,
                               .not_after = TP_T0 + 3650 * TP_DAY},
                    NULL);
    inter = tp_issue(&(tp_spec){.cn = "Test STI-CA", .ca = 1, .not_before = TP_T0 - 365 * TP_DAY,
                                .not_after = TP_T0 + 3 * 365 * TP_DAY},
                     root);
    sp = tp_issue(&(tp_spec){.cn = "SHAKEN 709J", .tnauth = "spc:709J"}, inter);
    range_leaf = tp_issue(&(tp_spec){.cn = "SHAKEN range", .tnauth = "range:12025550000+100"},
                          inter);
    other_root = tp_issue(&(tp_spec){.cn = "Test Root", .ca = 1}, NULL); /* same name */
    other_inter = tp_issue(&(tp_spec){.cn = "Test STI-CA", .ca = 1}, other_root);
    untrusted_leaf = tp_issue(&(tp_spec){.cn = "SHAKEN 709J", .tnauth = "spc:709J"},
                              other_inter);
    chain_sp = tp_cat(sp->pem, inter->pem, NULL);
    chain_range = tp_cat(range_leaf->pem, inter->pem, NULL);
    chain_untrusted = tp_cat(untrusted_leaf->pem, other_inter->pem, NULL);
    ctx = new_ctx();
    ver = new_verifier(ctx);
    assert_int_equal(clid_result_new(&res), CLID_OK);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    clid_result_free(res);
    clid_verifier_free(ver);
    clid_ctx_free(ctx);
    tp_cert *all[] = {root, inter, sp, range_leaf, other_root, other_inter, untrusted_leaf};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        tp_free(all[i]);
    free(chain_sp);
    free(chain_range);
    free(chain_untrusted);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Making headers                                                            */
/* ------------------------------------------------------------------------ */

static clid_claims default_claims(void)
{
    static const char *const dest[] = {DEST};
    return (clid_claims){.orig = ORIG, .dest = dest, .dest_count = 1, .attest = 'A',
                         .origid = ORIGID};
}

/* An Identity value for `c` signed by clid with `key` for `x5u` (no
 * certificate on the signer, so no pre-flight: the verifier must refuse). */
static char *sign_hdr(EVP_PKEY *key, const char *x5u, const clid_claims *c)
{
    char *pem = key_pem(key);
    clid_signer *s = NULL;
    assert_int_equal(clid_signer_new(&s), CLID_OK);
    assert_int_equal(clid_signer_set_key_pem(s, pem, strlen(pem)), CLID_OK);
    assert_int_equal(clid_signer_set_x5u(s, x5u), CLID_OK);
    assert_int_equal(clid_signer_set_clock(s, fixed_clock, &t0), CLID_OK);
    free(pem);
    size_t need = 0;
    assert_int_equal(clid_sign_identity(s, c, NULL, 0, &need), CLID_ERR_BUFFER_TOO_SMALL);
    char *out = malloc(need);
    assert_non_null(out);
    size_t len = 0;
    assert_int_equal(clid_sign_identity(s, c, out, need, &len), CLID_OK);
    clid_signer_free(s);
    return out;
}

static char *sign_default(EVP_PKEY *key, const char *x5u)
{
    clid_claims c = default_claims();
    return sign_hdr(key, x5u, &c);
}

static char *b64(const void *data, size_t n)
{
    char *s = malloc(clid__b64url_encoded_len(n) + 1);
    assert_non_null(s);
    s[clid__b64url_encode(data, n, s)] = '\0';
    return s;
}

enum sig_form { SIG_RAW, SIG_DER, SIG_SHORT };

/*
 * "<b64 hdr>.<b64 claims>.<b64 sig><params>", where sig is `key`'s ES256
 * signature over the header and `signed_claims` (normally `claims`: a
 * different text makes a tampered PASSporT), raw r||s or DER.
 */
static char *forge_ex(const char *hdr, const char *claims, const char *signed_claims,
                      EVP_PKEY *key, enum sig_form form, const char *params)
{
    char *h = b64(hdr, strlen(hdr));
    char *c = b64(claims, strlen(claims));
    char *cs = b64(signed_claims, strlen(signed_claims));
    char *input = tp_cat(h, ".", cs, NULL);
    clid__es256_key *k = NULL;
    assert_int_equal(clid__es256_key_new(key, 1, &k), CLID_OK);
    uint8_t raw[CLID_ES256_SIG_LEN];
    assert_int_equal(clid__es256_sign(k, (const uint8_t *)input, strlen(input), raw), CLID_OK);
    clid__es256_key_free(k);
    char *sig = NULL;
    if (form == SIG_DER) {
        uint8_t der[80];
        size_t der_len = 0;
        assert_int_equal(clid__ecdsa_raw_to_der(raw, der, sizeof der, &der_len), CLID_OK);
        sig = b64(der, der_len);
    } else {
        sig = b64(raw, form == SIG_SHORT ? 63 : sizeof raw);
    }
    char *out = tp_cat(h, ".", c, ".", sig, params, NULL);
    free(h);
    free(c);
    free(cs);
    free(input);
    free(sig);
    return out;
}

static char *forge(const char *hdr, const char *claims, const char *params)
{
    return forge_ex(hdr, claims, claims, sp->key, SIG_RAW, params);
}

/* ------------------------------------------------------------------------ */
/* Verifying                                                                 */
/* ------------------------------------------------------------------------ */

static clid_verify_input input(const char *identity)
{
    return (clid_verify_input){.identity = identity, .orig = ORIG, .dest = DEST};
}

/* The code, and the result's reason, verstat and SIP status. Names are
 * compared so that a failure prints them. */
static void check(clid_err rc, clid_err code, clid_verstat vs, int sip)
{
    assert_string_equal(clid_err_name(rc), clid_err_name(code));
    assert_string_equal(clid_err_name(clid_result_reason(res)), clid_err_name(code));
    assert_int_equal(clid_result_verstat(res), vs);
    assert_int_equal(clid_result_sip_status(res), sip);
}

static clid_err verify_on(clid_verifier *v, const clid_verify_input *in)
{
    return clid_verify_identity(v, in, res);
}

/* Verifies `identity` (orig ORIG, dest DEST) with the shared verifier. */
static void expect(const char *identity, clid_err code, clid_verstat vs, int sip)
{
    clid_verify_input in = input(identity);
    check(verify_on(ver, &in), code, vs, sip);
}

/* Same, taking ownership of `identity`. */
static void expect_free(char *identity, clid_err code, clid_verstat vs, int sip)
{
    expect(identity, code, vs, sip);
    free(identity);
}

/*
 * A scenario with its own context: `leaf` (and `ca1`, `ca2` after it) is
 * served at URL_X; the header is `identity` or, when NULL, one signed by
 * `key` (NULL: the leaf's) for orig (NULL: ORIG) and div. `cfg` adjusts the
 * context, `crl` is loaded into it.
 */
typedef struct scen {
    const tp_cert *leaf, *ca1, *ca2;
    EVP_PKEY *key;
    const char *orig;
    const char *div;
    const char *identity;
    const char *crl;
    void (*cfg)(clid_ctx *);
} scen;

static clid_err run(const scen *s)
{
    clid_ctx *c = bare_ctx();
    char *chain = tp_cat(s->leaf->pem, s->ca1 ? s->ca1->pem : "", s->ca2 ? s->ca2->pem : "",
                         NULL);
    map_chain(c, URL_X, chain);
    free(chain);
    if (s->crl)
        assert_int_equal(clid_ctx_add_crl_pem(c, s->crl, strlen(s->crl)), CLID_OK);
    if (s->cfg)
        s->cfg(c);
    clid_verifier *v = new_verifier(c);
    char *hdr = NULL;
    clid_claims cl = default_claims();
    cl.orig = s->orig ? s->orig : ORIG;
    cl.div = s->div;
    if (s->identity == NULL)
        hdr = sign_hdr(s->key ? s->key : s->leaf->key, URL_X, &cl);
    clid_verify_input in = input(s->identity ? s->identity : hdr);
    in.orig = cl.orig;
    clid_err rc = verify_on(v, &in);
    free(hdr);
    clid_verifier_free(v);
    clid_ctx_free(c);
    return rc;
}

/* leaf under inter at URL_X, signed by itself, default claims. */
static clid_err run_leaf(const tp_cert *leaf)
{
    return run(&(scen){.leaf = leaf, .ca1 = inter});
}

/* ------------------------------------------------------------------------ */
/* Success and the result                                                    */
/* ------------------------------------------------------------------------ */

static void success(void **state)
{
    (void)state;
    char *hdr = sign_default(sp->key, URL_SP);
    expect(hdr, CLID_OK, PASSED, 0);
    assert_string_equal(clid_result_ppt(res), "shaken");
    assert_string_equal(clid_result_orig(res), ORIG);
    assert_int_equal(clid_result_dest_count(res), 1);
    assert_string_equal(clid_result_dest(res, 0), DEST);
    assert_null(clid_result_dest(res, 1));
    assert_int_equal(clid_result_attest(res), 'A');
    assert_string_equal(clid_result_origid(res), ORIGID);
    assert_null(clid_result_div(res));
    assert_int_equal(clid_result_iat(res), TP_T0);
    assert_string_equal(clid_result_x5u(res), URL_SP);
    assert_string_equal(clid_result_detail(res), "");
    /* The signer's facts. */
    assert_string_equal(clid_result_signer_subject(res), "CN=SHAKEN 709J");
    assert_string_equal(clid_result_signer_issuer(res), "CN=Test STI-CA");
    char serial[32];
    snprintf(serial, sizeof serial, "%lX", sp->serial);
    assert_string_equal(clid_result_signer_serial(res), serial);
    assert_int_equal(clid_result_signer_not_after(res), TP_T0 + 365 * TP_DAY);
    assert_string_equal(clid_result_signer_spc(res), "709J");
    const clid_tnauth *tn = clid_result_signer_tnauth(res);
    assert_non_null(tn);
    assert_int_equal(clid_tnauth_count(tn), 1);
    clid_tnauth_entry e;
    assert_int_equal(clid_tnauth_get(tn, 0, &e), CLID_OK);
    assert_int_equal(e.kind, CLID_TNAUTH_SPC);
    assert_string_equal(e.value, "709J");
    assert_null(clid_result_signer_entity(res));

    /* A forged header built like clid's passes too: the forging is sound,
     * so the forged negative cases below carry only their own defect. */
    expect_free(forge(HDR_SP, CLAIMS_OK, PARAMS_SP), CLID_OK, PASSED, 0);
    /* Without orig/dest in the request, binding is not checked. */
    clid_verify_input in = {.identity = hdr};
    check(verify_on(ver, &in), CLID_OK, PASSED, 0);
    /* Range leaf: the SPC is absent. */
    clid_claims c = default_claims();
    c.orig = "12025550042";
    char *h2 = sign_hdr(range_leaf->key, URL_RANGE, &c);
    in = input(h2);
    in.orig = c.orig;
    check(verify_on(ver, &in), CLID_OK, PASSED, 0);
    assert_null(clid_result_signer_spc(res));
    assert_string_equal(clid_result_signer_subject(res), "CN=SHAKEN range");
    free(h2);
    free(hdr);
}

static void arguments(void **state)
{
    (void)state;
    char *hdr = sign_default(sp->key, URL_SP);
    clid_verify_input in = input(hdr);
    assert_int_equal(clid_verify_identity(NULL, &in, res), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_verify_identity(ver, NULL, res), CLID_ERR_INVALID_ARGUMENT);
    /* No result object: the verdict is the return value alone. */
    assert_int_equal(clid_verify_identity(ver, &in, NULL), CLID_OK);
    in.dest = "19995550000";
    assert_int_equal(clid_verify_identity(ver, &in, NULL), CLID_ERR_DEST_MISMATCH);
    in.identity = NULL;
    assert_int_equal(clid_verify_identity(ver, &in, NULL), CLID_ERR_NO_IDENTITY);
    /* Failures after the certificate was obtained (it is referenced). */
    char *bad = forge_ex(HDR_SP, CLAIMS_OK, CLAIMS_OK, range_leaf->key, SIG_RAW, PARAMS_SP);
    in = input(bad);
    assert_int_equal(clid_verify_identity(ver, &in, NULL), CLID_ERR_SIGNATURE_INVALID);
    free(bad);
    free(hdr);
    assert_int_equal(clid_result_new(NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_verifier_new(NULL, &(clid_verifier *){NULL}),
                     CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_verifier_new(ctx, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_verifier_set_cache_size(NULL, 1), CLID_ERR_INVALID_ARGUMENT);
    clid_verifier_free(NULL);
    clid_verifier_clear_cache(NULL);
    clid_result_free(NULL);
    clid_result_reset(NULL);
}

static void result_after_failure(void **state)
{
    (void)state;
    /* A defect in the claims: what was parsed before it is kept. */
    expect_free(forge(HDR_SP, CLAIMS(Q("Z"), C_DEST, T0_STR, C_ORIG, Q(ORIGID)), PARAMS_SP),
                CLID_ERR_PASSPORT_ATTEST, FAILED, 438);
    assert_string_equal(clid_result_ppt(res), "shaken");
    assert_string_equal(clid_result_orig(res), ORIG);
    assert_int_equal(clid_result_dest_count(res), 1);
    assert_string_equal(clid_result_dest(res, 0), DEST);
    assert_int_equal(clid_result_iat(res), TP_T0);
    assert_string_equal(clid_result_x5u(res), URL_SP);
    assert_int_equal(clid_result_attest(res), 0);
    assert_null(clid_result_origid(res));
    assert_null(clid_result_signer_subject(res));

    /* A freshness failure: every claim, no certificate yet. */
    char *hdr = sign_default(sp->key, URL_SP);
    clid_verify_input in = input(hdr);
    in.now = TP_T0 + 3600;
    check(verify_on(ver, &in), CLID_ERR_IAT_STALE, FAILED, 403);
    assert_string_equal(clid_result_orig(res), ORIG);
    assert_int_equal(clid_result_attest(res), 'A');
    assert_string_equal(clid_result_origid(res), ORIGID);
    assert_null(clid_result_signer_subject(res));
    free(hdr);

    /* A certificate failure: claims and the signer's facts. */
    hdr = sign_default(untrusted_leaf->key, URL_UNTRUSTED);
    expect(hdr, CLID_ERR_CERT_UNTRUSTED, FAILED, 437);
    assert_string_equal(clid_result_orig(res), ORIG);
    assert_string_equal(clid_result_signer_subject(res), "CN=SHAKEN 709J");
    assert_string_equal(clid_result_signer_spc(res), "709J");
    assert_true(strlen(clid_result_detail(res)) > 0);
    free(hdr);

    /* Nothing parsable: no claims. */
    expect("abc;info=<" URL_SP ">", CLID_ERR_JWS_SYNTAX, FAILED, 438);
    assert_null(clid_result_orig(res));
    assert_null(clid_result_ppt(res));
    assert_int_equal(clid_result_dest_count(res), 0);
    assert_int_equal(clid_result_iat(res), 0);
    assert_null(clid_result_signer_subject(res));
}

static void result_reset_and_reuse(void **state)
{
    (void)state;
    clid_result *r = NULL;
    assert_int_equal(clid_result_new(&r), CLID_OK);
    /* Nothing verified yet. */
    assert_int_equal(clid_result_reason(r), CLID_ERR_NO_IDENTITY);
    assert_int_equal(clid_result_verstat(r), NOVAL);
    assert_null(clid_result_orig(r));
    assert_null(clid_result_x5u(r));
    assert_string_equal(clid_result_detail(r), "");

    char *hdr = sign_default(sp->key, URL_SP);
    clid_verify_input in = input(hdr);
    assert_int_equal(clid_verify_identity(ver, &in, r), CLID_OK);
    assert_non_null(clid_result_signer_subject(r));
    clid_result_reset(r);
    assert_int_equal(clid_result_reason(r), CLID_ERR_NO_IDENTITY);
    assert_int_equal(clid_result_verstat(r), NOVAL);
    assert_null(clid_result_orig(r));
    assert_null(clid_result_x5u(r));
    assert_int_equal(clid_result_iat(r), 0);
    assert_null(clid_result_signer_subject(r));
    assert_null(clid_result_signer_spc(r));
    assert_null(clid_result_signer_tnauth(r));

    /* Reused without a reset: a later failure leaves nothing of the
     * earlier success behind. */
    assert_int_equal(clid_verify_identity(ver, &in, r), CLID_OK);
    in.identity = "";
    assert_int_equal(clid_verify_identity(ver, &in, r), CLID_ERR_NO_IDENTITY);
    assert_null(clid_result_orig(r));
    assert_null(clid_result_signer_subject(r));
    assert_null(clid_result_signer_spc(r));
    clid_result_free(r);
    free(hdr);

    /* NULL results read as empty. */
    assert_int_equal(clid_result_reason(NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_null(clid_result_orig(NULL));
    assert_null(clid_result_signer_subject(NULL));
    assert_string_equal(clid_result_detail(NULL), "");
}

/* ------------------------------------------------------------------------ */
/* Step 1: the Identity header                                               */
/* ------------------------------------------------------------------------ */

static void no_identity(void **state)
{
    (void)state;
    clid_verify_input in = {.identity = NULL, .orig = ORIG, .dest = DEST};
    check(verify_on(ver, &in), CLID_ERR_NO_IDENTITY, NOVAL, 428);
    in.identity = "";
    check(verify_on(ver, &in), CLID_ERR_NO_IDENTITY, NOVAL, 428);
}

static void identity_syntax(void **state)
{
    (void)state;
    char *hdr = sign_default(sp->key, URL_SP);
    char *crlf = tp_cat(hdr, "\r\nX-Evil: 1", NULL);
    expect_free(crlf, CLID_ERR_IDENTITY_SYNTAX, FAILED, 438);
    static const char *bad[] = {
        ";info=<" URL_SP ">",                     /* no digest */
        "a!b.c;info=<" URL_SP ">",                /* not a digest character */
        "a.b.c;info=<" URL_SP,                    /* unterminated URI */
        "a.b.c;info=<no-scheme>",                 /* not an absolute URI */
        "a.b.c;info=<" URL_SP ">;info=<" URL_SP ">", /* repeated */
        "a.b.c;info=<" URL_SP ">;ppt=\"sha ken\"", /* not a token */
        "a.b.c info=<" URL_SP ">",                /* missing ';' */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect(bad[i], CLID_ERR_IDENTITY_SYNTAX, FAILED, 438);
    free(hdr);
}

static void identity_too_large(void **state)
{
    (void)state;
    /* Exactly CLID_IDENTITY_MAX_LEN is parsed (and fails later, on the
     * JWS); one byte more is refused outright. */
    static const char tail[] = ";info=<" URL_SP ">";
    char *big = malloc(CLID_IDENTITY_MAX_LEN + 2);
    assert_non_null(big);
    size_t digest = CLID_IDENTITY_MAX_LEN - (sizeof tail - 1);
    memset(big, 'A', digest);
    memcpy(big + digest, tail, sizeof tail);
    assert_int_equal(strlen(big), CLID_IDENTITY_MAX_LEN);
    expect(big, CLID_ERR_JWS_SYNTAX, FAILED, 438);
    memset(big, 'A', digest + 1);
    memcpy(big + digest + 1, tail, sizeof tail);
    expect(big, CLID_ERR_IDENTITY_TOO_LARGE, FAILED, 438);
    free(big);
}

static void identity_no_info(void **state)
{
    (void)state;
    char *jws = forge(HDR_SP, CLAIMS_OK, "");
    char *hdr = tp_cat(jws, ";alg=ES256;ppt=shaken", NULL);
    expect_free(hdr, CLID_ERR_IDENTITY_NO_INFO, FAILED, 436);
    expect(jws, CLID_ERR_IDENTITY_NO_INFO, FAILED, 436);
    free(jws);
}

static void identity_alg(void **state)
{
    (void)state;
    expect_free(forge(HDR_SP, CLAIMS_OK, ";info=<" URL_SP ">;alg=ES384;ppt=shaken"),
                CLID_ERR_IDENTITY_ALG, FAILED, 438);
    expect_free(forge(HDR_SP, CLAIMS_OK, ";info=<" URL_SP ">;alg=es256;ppt=shaken"),
                CLID_ERR_IDENTITY_ALG, FAILED, 438);
    /* alg may be left out (RFC 8224 §4.1 makes it optional). */
    expect_free(forge(HDR_SP, CLAIMS_OK, ";info=<" URL_SP ">;ppt=shaken"), CLID_OK, PASSED, 0);
}

static void identity_ppt(void **state)
{
    (void)state;
    /* The header's ppt parameter disagrees with the PASSporT's. */
    expect_free(forge(HDR_SP, CLAIMS_OK, ";info=<" URL_SP ">;alg=ES256;ppt=div"),
                CLID_ERR_IDENTITY_PPT, FAILED, 438);
    /* Tolerated: absent, quoted, other order, whitespace. */
    expect_free(forge(HDR_SP, CLAIMS_OK, ";info=<" URL_SP ">;alg=ES256"), CLID_OK, PASSED, 0);
    expect_free(forge(HDR_SP, CLAIMS_OK, ";ppt=\"shaken\";alg=ES256;info=<" URL_SP ">"),
                CLID_OK, PASSED, 0);
    expect_free(forge(HDR_SP, CLAIMS_OK, " ; info = <" URL_SP "> ; ppt = shaken"), CLID_OK,
                PASSED, 0);
}

/* ------------------------------------------------------------------------ */
/* Step 2: the PASSporT                                                      */
/* ------------------------------------------------------------------------ */

static void jws_syntax(void **state)
{
    (void)state;
    expect("abc;info=<" URL_SP ">", CLID_ERR_JWS_SYNTAX, FAILED, 438);
    expect("abc.def;info=<" URL_SP ">", CLID_ERR_JWS_SYNTAX, FAILED, 438);
    expect("a.b.c.d;info=<" URL_SP ">", CLID_ERR_JWS_SYNTAX, FAILED, 438);
    expect("abcd..efgh;info=<" URL_SP ">", CLID_ERR_JWS_SYNTAX, FAILED, 438);
    expect(".abcd.efgh;info=<" URL_SP ">", CLID_ERR_JWS_SYNTAX, FAILED, 438);
}

static void base64(void **state)
{
    (void)state;
    char *h = b64(HDR_SP, strlen(HDR_SP));
    char *c = b64(CLAIMS_OK, strlen(CLAIMS_OK));
    /* One character is never base64url (4n+1); nor are unused bits set. */
    char *bad_h = tp_cat("A.", c, ".AAAA" PARAMS_SP, NULL);
    expect_free(bad_h, CLID_ERR_BASE64, FAILED, 438);
    char *bad_c = tp_cat(h, ".eyB.AAAA" PARAMS_SP, NULL);
    expect_free(bad_c, CLID_ERR_BASE64, FAILED, 438);
    char *bad_s = tp_cat(h, ".", c, ".A" PARAMS_SP, NULL);
    expect_free(bad_s, CLID_ERR_BASE64, FAILED, 438);
    free(h);
    free(c);
}

static void json(void **state)
{
    (void)state;
    /* A repeated member (RFC 7515 §4: must be refused or the last taken;
     * clid refuses, an ambiguity is an attack surface). */
    expect_free(forge("{\"alg\":\"ES256\",\"alg\":\"ES256\",\"ppt\":\"shaken\","
                      "\"typ\":\"passport\",\"x5u\":\"" URL_SP "\"}",
                      CLAIMS_OK, PARAMS_SP),
                CLID_ERR_JSON, FAILED, 438);
    expect_free(forge(HDR_SP,
                      "{\"attest\":\"A\",\"dest\":" C_DEST ",\"iat\":" T0_STR ",\"iat\":" T0_STR
                      ",\"orig\":" C_ORIG ",\"origid\":\"" ORIGID "\"}",
                      PARAMS_SP),
                CLID_ERR_JSON, FAILED, 438);
    expect_free(forge("[\"ES256\"]", CLAIMS_OK, PARAMS_SP), CLID_ERR_JSON, FAILED, 438);
    expect_free(forge(HDR_SP, "{\"attest\":", PARAMS_SP), CLID_ERR_JSON, FAILED, 438);
    /* A "crit" header names an extension clid does not understand. */
    expect_free(forge("{\"alg\":\"ES256\",\"crit\":[\"x\"],\"ppt\":\"shaken\",\"typ\":\"passport\","
                      "\"x\":1,\"x5u\":\"" URL_SP "\"}",
                      CLAIMS_OK, PARAMS_SP),
                CLID_ERR_JSON, FAILED, 438);
}

static void passport_typ(void **state)
{
    (void)state;
    expect_free(forge(HDR(Q("ES256"), Q("shaken"), Q("JWT"), Q(URL_SP)), CLAIMS_OK, PARAMS_SP),
                CLID_ERR_PASSPORT_TYP, FAILED, 438);
    expect_free(forge("{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"x5u\":\"" URL_SP "\"}", CLAIMS_OK,
                      PARAMS_SP),
                CLID_ERR_PASSPORT_TYP, FAILED, 438);
}

static void passport_alg(void **state)
{
    (void)state;
    /* Signed by the SP's key, with the Identity alg parameter still ES256:
     * only the JWS header's alg is wrong. */
    expect_free(forge(HDR(Q("none"), Q("shaken"), Q("passport"), Q(URL_SP)), CLAIMS_OK,
                      PARAMS_SP),
                CLID_ERR_PASSPORT_ALG, FAILED, 438);
    expect_free(forge(HDR(Q("ES384"), Q("shaken"), Q("passport"), Q(URL_SP)), CLAIMS_OK,
                      PARAMS_SP),
                CLID_ERR_PASSPORT_ALG, FAILED, 438);
    expect_free(forge(HDR("256", Q("shaken"), Q("passport"), Q(URL_SP)), CLAIMS_OK, PARAMS_SP),
                CLID_ERR_PASSPORT_ALG, FAILED, 438);
    /* "none" with the empty signature such tokens carry. */
    char *h = b64(HDR(Q("none"), Q("shaken"), Q("passport"), Q(URL_SP)),
                  strlen(HDR(Q("none"), Q("shaken"), Q("passport"), Q(URL_SP))));
    char *c = b64(CLAIMS_OK, strlen(CLAIMS_OK));
    char *none = tp_cat(h, ".", c, "." PARAMS_SP, NULL);
    expect_free(none, CLID_ERR_PASSPORT_ALG, FAILED, 438);
    free(h);
    free(c);
}

#define HDR_DIV HDR(Q("ES256"), Q("div"), Q("passport"), Q(URL_SP))
#define CLAIMS_DIV                                                                                \
    "{\"dest\":" C_DEST ",\"div\":{\"tn\":\"12025550123\"},\"iat\":" T0_STR ",\"orig\":" C_ORIG "}"
#define PARAMS_SP_DIV ";info=<" URL_SP ">;alg=ES256;ppt=div"

static void passport_ppt(void **state)
{
    (void)state;
    /* A div PASSporT where only shaken is accepted (the default). */
    char *div = forge(HDR_DIV, CLAIMS_DIV, PARAMS_SP_DIV);
    expect(div, CLID_ERR_PASSPORT_PPT, FAILED, 438);
    /* No ppt at all: a basic PASSporT, not accepted either. */
    expect_free(forge("{\"alg\":\"ES256\",\"typ\":\"passport\",\"x5u\":\"" URL_SP "\"}",
                      CLAIMS_OK, ";info=<" URL_SP ">;alg=ES256"),
                CLID_ERR_PASSPORT_PPT, FAILED, 438);
    /* Not a token. */
    expect_free(forge(HDR(Q("ES256"), "7", Q("passport"), Q(URL_SP)), CLAIMS_OK,
                      ";info=<" URL_SP ">"),
                CLID_ERR_PASSPORT_PPT, FAILED, 438);
    expect_free(forge(HDR(Q("ES256"), Q("sha ken"), Q("passport"), Q(URL_SP)), CLAIMS_OK,
                      ";info=<" URL_SP ">"),
                CLID_ERR_PASSPORT_PPT, FAILED, 438);

    /* Accepted once the context accepts div. */
    clid_ctx *c = new_ctx();
    assert_int_equal(clid_ctx_accept_ppt(c, "shaken"), CLID_OK);
    assert_int_equal(clid_ctx_accept_ppt(c, "div"), CLID_OK);
    clid_verifier *v = new_verifier(c);
    clid_verify_input in = input(div);
    check(verify_on(v, &in), CLID_OK, PASSED, 0);
    assert_string_equal(clid_result_ppt(res), "div");
    assert_string_equal(clid_result_div(res), "12025550123");
    char *shaken = sign_default(sp->key, URL_SP);
    in = input(shaken);
    check(verify_on(v, &in), CLID_OK, PASSED, 0);
    clid_verifier_free(v);
    clid_ctx_free(c);

    /* The first clid_ctx_accept_ppt replaces the default. */
    c = new_ctx();
    assert_int_equal(clid_ctx_accept_ppt(c, "div"), CLID_OK);
    v = new_verifier(c);
    check(verify_on(v, &in), CLID_ERR_PASSPORT_PPT, FAILED, 438);
    clid_verifier_free(v);
    clid_ctx_free(c);
    free(shaken);
    free(div);
}

static void passport_x5u(void **state)
{
    (void)state;
    expect_free(forge("{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\"}", CLAIMS_OK,
                      PARAMS_SP),
                CLID_ERR_PASSPORT_X5U, FAILED, 438);
    expect_free(forge(HDR(Q("ES256"), Q("shaken"), Q("passport"), "42"), CLAIMS_OK, PARAMS_SP),
                CLID_ERR_PASSPORT_X5U, FAILED, 438);
    expect_free(forge(HDR(Q("ES256"), Q("shaken"), Q("passport"), Q("https://a b")), CLAIMS_OK,
                      PARAMS_SP),
                CLID_ERR_PASSPORT_X5U, FAILED, 438);
}

/* A fetcher serving chains from a table, counting its calls. */
typedef struct fetch_table {
    size_t n;
    const char *url[6];
    const char *pem[6];
    int64_t max_age;
    clid_err rc;      /* returned instead of a chain unless CLID_OK */
    int overflow;     /* claims more bytes than `cap` */
    unsigned calls;   /* atomic */
} fetch_table;

static clid_err table_fetch(void *arg, const char *url, uint8_t *buf, size_t cap, size_t *len,
                            int64_t *max_age)
{
    fetch_table *t = arg;
    __atomic_add_fetch(&t->calls, 1, __ATOMIC_SEQ_CST);
    if (t->rc != CLID_OK)
        return t->rc;
    for (size_t i = 0; i < t->n; i++) {
        if (strcmp(url, t->url[i]) != 0)
            continue;
        size_t n = strlen(t->pem[i]);
        if (n > cap)
            return CLID_ERR_X5U_TOO_LARGE;
        memcpy(buf, t->pem[i], n);
        *len = t->overflow ? cap + 1 : n;
        *max_age = t->max_age;
        return CLID_OK;
    }
    return CLID_ERR_X5U_HTTP_STATUS;
}

static unsigned calls(fetch_table *t)
{
    return __atomic_load_n(&t->calls, __ATOMIC_SEQ_CST);
}

static void passport_x5u_mismatch(void **state)
{
    (void)state;
    expect_free(forge(HDR(Q("ES256"), Q("shaken"), Q("passport"), Q("https://evil.example/x.pem")),
                      CLAIMS_OK, PARAMS_SP),
                CLID_ERR_PASSPORT_X5U_MISMATCH, FAILED, 438);
    expect_free(forge(HDR_SP, CLAIMS_OK, ";info=<" URL_SP "?>;alg=ES256;ppt=shaken"),
                CLID_ERR_PASSPORT_X5U_MISMATCH, FAILED, 438);
    /* Refused before any retrieval: the forged URL is never fetched. */
    fetch_table ft = {.n = 1, .url = {"https://evil.example/x.pem"}, .pem = {chain_sp}};
    clid_ctx *c = bare_ctx();
    assert_int_equal(clid_ctx_set_fetcher(c, table_fetch, &ft), CLID_OK);
    clid_verifier *v = new_verifier(c);
    char *hdr = forge(HDR(Q("ES256"), Q("shaken"), Q("passport"), Q(URL_SP)), CLAIMS_OK,
                      ";info=<https://evil.example/x.pem>;alg=ES256;ppt=shaken");
    clid_verify_input in = input(hdr);
    check(verify_on(v, &in), CLID_ERR_PASSPORT_X5U_MISMATCH, FAILED, 438);
    assert_int_equal(calls(&ft), 0);
    free(hdr);
    clid_verifier_free(v);
    clid_ctx_free(c);
}

static void passport_iat(void **state)
{
    (void)state;
    static const char *bad[] = {Q(T0_STR), T0_STR ".5", "-1", "null", "{}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char claims[512];
        snprintf(claims, sizeof claims, CLAIMS(Q("A"), C_DEST, "%s", C_ORIG, Q(ORIGID)), bad[i]);
        expect_free(forge(HDR_SP, claims, PARAMS_SP), CLID_ERR_PASSPORT_IAT, FAILED, 438);
    }
    expect_free(forge(HDR_SP,
                      "{\"attest\":\"A\",\"dest\":" C_DEST ",\"orig\":" C_ORIG
                      ",\"origid\":\"" ORIGID "\"}",
                      PARAMS_SP),
                CLID_ERR_PASSPORT_IAT, FAILED, 438);
}

static void passport_orig(void **state)
{
    (void)state;
    static const char *bad[] = {Q(ORIG), "{\"tn\":\"abc\"}", "{\"tn\":12025550100}", "{}",
                                "{\"tn\":\"" ORIG "\",\"uri\":\"sip:a@b\"}",
                                /* shaken is about numbers (RFC 8588) */
                                "{\"uri\":\"sip:alice@example.com\"}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char claims[512];
        snprintf(claims, sizeof claims, CLAIMS(Q("A"), C_DEST, T0_STR, "%s", Q(ORIGID)), bad[i]);
        expect_free(forge(HDR_SP, claims, PARAMS_SP), CLID_ERR_PASSPORT_ORIG, FAILED, 438);
    }
}

static void passport_dest(void **state)
{
    (void)state;
    static const char *bad[] = {Q(DEST), "{\"tn\":\"" DEST "\"}", "{\"tn\":[]}",
                                "{\"tn\":[\"x\"]}", "{\"tn\":[13035550199]}", "{}",
                                ("{\"tn\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\","
                                 "\"10\",\"11\",\"12\",\"13\",\"14\",\"15\",\"16\",\"17\"]}")};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char claims[512];
        snprintf(claims, sizeof claims, CLAIMS(Q("A"), "%s", T0_STR, C_ORIG, Q(ORIGID)), bad[i]);
        expect_free(forge(HDR_SP, claims, PARAMS_SP), CLID_ERR_PASSPORT_DEST, FAILED, 438);
    }
}

static void passport_attest(void **state)
{
    (void)state;
    static const char *bad[] = {Q("Z"), Q("a"), Q("AB"), Q(""), "65", "null"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char claims[512];
        snprintf(claims, sizeof claims, CLAIMS("%s", C_DEST, T0_STR, C_ORIG, Q(ORIGID)), bad[i]);
        expect_free(forge(HDR_SP, claims, PARAMS_SP), CLID_ERR_PASSPORT_ATTEST, FAILED, 438);
    }
    expect_free(forge(HDR_SP,
                      "{\"dest\":" C_DEST ",\"iat\":" T0_STR ",\"orig\":" C_ORIG
                      ",\"origid\":\"" ORIGID "\"}",
                      PARAMS_SP),
                CLID_ERR_PASSPORT_ATTEST, FAILED, 438);
}

static void passport_origid(void **state)
{
    (void)state;
    static const char *bad[] = {Q("123"), Q("4b3e8f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5"), Q(""), "1",
                                Q("4b3e8f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5bX")};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char claims[512];
        snprintf(claims, sizeof claims, CLAIMS(Q("A"), C_DEST, T0_STR, C_ORIG, "%s"), bad[i]);
        expect_free(forge(HDR_SP, claims, PARAMS_SP), CLID_ERR_PASSPORT_ORIGID, FAILED, 438);
    }
    expect_free(forge(HDR_SP,
                      "{\"attest\":\"A\",\"dest\":" C_DEST ",\"iat\":" T0_STR ",\"orig\":" C_ORIG
                      "}",
                      PARAMS_SP),
                CLID_ERR_PASSPORT_ORIGID, FAILED, 438);
}

static void passport_div(void **state)
{
    (void)state;
    expect_free(forge(HDR_DIV,
                      "{\"dest\":" C_DEST ",\"div\":\"12025550123\",\"iat\":" T0_STR
                      ",\"orig\":" C_ORIG "}",
                      PARAMS_SP_DIV),
                CLID_ERR_PASSPORT_DIV, FAILED, 438);
    expect_free(forge(HDR_DIV, "{\"dest\":" C_DEST ",\"iat\":" T0_STR ",\"orig\":" C_ORIG "}",
                      PARAMS_SP_DIV),
                CLID_ERR_PASSPORT_DIV, FAILED, 438);
}

static void signature_format(void **state)
{
    (void)state;
    /* The DER form of a valid signature over the right input (the most
     * common interop bug), and a raw one a byte short. */
    expect_free(forge_ex(HDR_SP, CLAIMS_OK, CLAIMS_OK, sp->key, SIG_DER, PARAMS_SP),
                CLID_ERR_SIGNATURE_FORMAT, FAILED, 438);
    expect_free(forge_ex(HDR_SP, CLAIMS_OK, CLAIMS_OK, sp->key, SIG_SHORT, PARAMS_SP),
                CLID_ERR_SIGNATURE_FORMAT, FAILED, 438);
}

static void signature_invalid(void **state)
{
    (void)state;
    /* Claims changed after signing (another destination). */
    const char *other = CLAIMS(Q("A"), "{\"tn\":[\"13035550100\"]}", T0_STR, C_ORIG, Q(ORIGID));
    char *tampered = forge_ex(HDR_SP, other, CLAIMS_OK, sp->key, SIG_RAW, PARAMS_SP);
    clid_verify_input in = input(tampered);
    in.dest = "13035550100";
    check(verify_on(ver, &in), CLID_ERR_SIGNATURE_INVALID, FAILED, 438);
    free(tampered);
    /* Signed by a key that is not the certificate's. */
    EVP_PKEY *k = EVP_EC_gen("P-256");
    assert_non_null(k);
    expect_free(forge_ex(HDR_SP, CLAIMS_OK, CLAIMS_OK, k, SIG_RAW, PARAMS_SP),
                CLID_ERR_SIGNATURE_INVALID, FAILED, 438);
    EVP_PKEY_free(k);
    /* One signature character changed. */
    char *hdr = sign_default(sp->key, URL_SP);
    char *semi = strchr(hdr, ';');
    char *ch = semi - 20;
    *ch = *ch == 'A' ? 'B' : 'A';
    expect_free(hdr, CLID_ERR_SIGNATURE_INVALID, FAILED, 438);
}

/* ------------------------------------------------------------------------ */
/* Freshness and binding                                                     */
/* ------------------------------------------------------------------------ */

static void verify_at(const char *hdr, int64_t now, int64_t date, clid_err code,
                      clid_verstat vs, int sip)
{
    clid_verify_input in = input(hdr);
    in.now = now;
    in.date = date;
    check(verify_on(ver, &in), code, vs, sip);
}

static void iat_stale(void **state)
{
    (void)state;
    char *hdr = sign_default(sp->key, URL_SP);
    verify_at(hdr, TP_T0 + CLID_DEFAULT_MAX_AGE, 0, CLID_OK, PASSED, 0);
    verify_at(hdr, TP_T0 + CLID_DEFAULT_MAX_AGE + 1, 0, CLID_ERR_IAT_STALE, FAILED, 403);
    verify_at(hdr, TP_T0 + 86400, 0, CLID_ERR_IAT_STALE, FAILED, 403);

    /* The context's clock is the default "now". */
    int64_t later = TP_T0 + CLID_DEFAULT_MAX_AGE + 1;
    clid_ctx *c = new_ctx();
    assert_int_equal(clid_ctx_set_clock(c, fixed_clock, &later), CLID_OK);
    clid_verifier *v = new_verifier(c);
    clid_verify_input in = input(hdr);
    check(verify_on(v, &in), CLID_ERR_IAT_STALE, FAILED, 403);
    /* A configured window. */
    assert_int_equal(clid_ctx_set_freshness(c, 10, 5), CLID_OK);
    in.now = TP_T0 + 10;
    check(verify_on(v, &in), CLID_OK, PASSED, 0);
    in.now = TP_T0 + 11;
    check(verify_on(v, &in), CLID_ERR_IAT_STALE, FAILED, 403);
    in.now = TP_T0 - 5;
    check(verify_on(v, &in), CLID_OK, PASSED, 0);
    in.now = TP_T0 - 6;
    check(verify_on(v, &in), CLID_ERR_IAT_FUTURE, FAILED, 403);
    clid_verifier_free(v);
    clid_ctx_free(c);
    free(hdr);
}

static void iat_future(void **state)
{
    (void)state;
    char *hdr = sign_default(sp->key, URL_SP);
    verify_at(hdr, TP_T0 - CLID_DEFAULT_MAX_SKEW, 0, CLID_OK, PASSED, 0);
    verify_at(hdr, TP_T0 - CLID_DEFAULT_MAX_SKEW - 1, 0, CLID_ERR_IAT_FUTURE, FAILED, 403);
    verify_at(hdr, TP_T0 - 86400, 0, CLID_ERR_IAT_FUTURE, FAILED, 403);
    free(hdr);
}

static void date_mismatch(void **state)
{
    (void)state;
    char *hdr = sign_default(sp->key, URL_SP);
    verify_at(hdr, TP_T0, TP_T0 + CLID_DEFAULT_MAX_AGE, CLID_OK, PASSED, 0);
    verify_at(hdr, TP_T0, TP_T0 - CLID_DEFAULT_MAX_AGE, CLID_OK, PASSED, 0);
    verify_at(hdr, TP_T0, TP_T0 + CLID_DEFAULT_MAX_AGE + 1, CLID_ERR_DATE_MISMATCH, FAILED, 403);
    verify_at(hdr, TP_T0, TP_T0 - CLID_DEFAULT_MAX_AGE - 1, CLID_ERR_DATE_MISMATCH, FAILED, 403);
    /* Whatever the caller's Date says, the difference does not overflow. */
    verify_at(hdr, TP_T0, INT64_MIN, CLID_ERR_DATE_MISMATCH, FAILED, 403);
    verify_at(hdr, TP_T0, INT64_MAX, CLID_ERR_DATE_MISMATCH, FAILED, 403);
    verify_at(hdr, TP_T0, -1, CLID_ERR_DATE_MISMATCH, FAILED, 403);
    free(hdr);
}

static void orig_mismatch(void **state)
{
    (void)state;
    char *hdr = sign_default(sp->key, URL_SP);
    clid_verify_input in = input(hdr);
    in.orig = "12025550101";
    check(verify_on(ver, &in), CLID_ERR_ORIG_MISMATCH, FAILED, 438);
    in.orig = "anonymous";
    check(verify_on(ver, &in), CLID_ERR_ORIG_MISMATCH, FAILED, 438);
    /* Compared after canonicalization (RFC 8224 §8.3). */
    in.orig = "sip:+1-202-555-0100@example.com;user=phone";
    check(verify_on(ver, &in), CLID_OK, PASSED, 0);
    in.orig = "tel:+1(202)555-0100";
    check(verify_on(ver, &in), CLID_OK, PASSED, 0);
    free(hdr);
}

static void dest_mismatch(void **state)
{
    (void)state;
    static const char *const dests[] = {"13035550100", DEST, "442079460000"};
    clid_claims c = default_claims();
    c.dest = dests;
    c.dest_count = 3;
    char *hdr = sign_hdr(sp->key, URL_SP, &c);
    clid_verify_input in = input(hdr);
    for (size_t i = 0; i < 3; i++) {
        in.dest = dests[i];
        check(verify_on(ver, &in), CLID_OK, PASSED, 0);
    }
    in.dest = "tel:+44-20-7946-0000";
    check(verify_on(ver, &in), CLID_OK, PASSED, 0);
    in.dest = "13035550101";
    check(verify_on(ver, &in), CLID_ERR_DEST_MISMATCH, FAILED, 438);
    in.dest = "not a number";
    check(verify_on(ver, &in), CLID_ERR_DEST_MISMATCH, FAILED, 438);
    free(hdr);
}

/* ------------------------------------------------------------------------ */
/* Certificate sources                                                       */
/* ------------------------------------------------------------------------ */

static void x5u_unmapped(void **state)
{
    (void)state;
    char *hdr = sign_default(sp->key, "https://unmapped.example/x.pem");
    expect_free(hdr, CLID_ERR_X5U_UNMAPPED, FAILED, 436);
    assert_string_equal(clid_result_x5u(res), "https://unmapped.example/x.pem");
    assert_null(clid_result_signer_subject(res));
}

static void x5u_map(void **state)
{
    (void)state;
    /* From a file, read when mapped. */
    char path[] = "/tmp/clid_test_verify_chainXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, chain_range, strlen(chain_range)), (ssize_t)strlen(chain_range));
    close(fd);
    clid_ctx *c = bare_ctx();
    assert_int_equal(clid_ctx_add_x5u_file(c, URL_X, path), CLID_OK);
    unlink(path);
    clid_verifier *v = new_verifier(c);
    clid_claims cl = default_claims();
    cl.orig = "12025550042";
    char *hdr = sign_hdr(range_leaf->key, URL_X, &cl);
    clid_verify_input in = input(hdr);
    in.orig = cl.orig;
    check(verify_on(v, &in), CLID_OK, PASSED, 0);
    assert_string_equal(clid_result_signer_subject(res), "CN=SHAKEN range");
    free(hdr);
    clid_verifier_free(v);
    clid_ctx_free(c);

    /* What the map serves is parsed at verification. */
    static const char *junk[] = {
        "no PEM here",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    };
    for (size_t i = 0; i < 2; i++) {
        c = bare_ctx();
        map_chain(c, URL_X, junk[i]);
        v = new_verifier(c);
        hdr = sign_default(sp->key, URL_X);
        in = input(hdr);
        check(verify_on(v, &in), CLID_ERR_X5U_NOT_PEM, FAILED, 436);
        free(hdr);
        clid_verifier_free(v);
        clid_ctx_free(c);
    }
    /* A certificate block that is not a certificate. */
    char *bad = tp_cat("-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n",
                       inter->pem, NULL);
    c = bare_ctx();
    map_chain(c, URL_X, bad);
    v = new_verifier(c);
    hdr = sign_default(sp->key, URL_X);
    in = input(hdr);
    check(verify_on(v, &in), CLID_ERR_CERT_PARSE, FAILED, 437);
    free(hdr);
    free(bad);
    clid_verifier_free(v);
    clid_ctx_free(c);
}

static void x5u_map_replaced(void **state)
{
    (void)state;
    /* Mapping a URL again replaces its chain (clid.h), also for a verifier
     * that has already used the old one. */
    clid_ctx *c = bare_ctx();
    map_chain(c, URL_X, chain_sp);
    clid_verifier *v = new_verifier(c);
    char *hdr = sign_default(sp->key, URL_X);
    clid_verify_input in = input(hdr);
    check(verify_on(v, &in), CLID_OK, PASSED, 0);
    map_chain(c, URL_X, chain_untrusted);
    check(verify_on(v, &in), CLID_ERR_CERT_UNTRUSTED, FAILED, 437);
    map_chain(c, URL_X, chain_sp);
    check(verify_on(v, &in), CLID_OK, PASSED, 0);
    free(hdr);
    clid_verifier_free(v);
    clid_ctx_free(c);
}

static void chain_given(void **state)
{
    (void)state;
    /* The caller's chain is used whatever x5u says. */
    char *hdr = sign_default(sp->key, "https://unmapped.example/x.pem");
    clid_verify_input in = input(hdr);
    in.chain_pem = chain_sp;
    in.chain_len = strlen(chain_sp);
    check(verify_on(ver, &in), CLID_OK, PASSED, 0);
    assert_string_equal(clid_result_signer_subject(res), "CN=SHAKEN 709J");
    /* ... and it must be the signer's. */
    clid_claims c = default_claims();
    c.orig = "12025550042";
    char *in_range = sign_hdr(sp->key, "https://unmapped.example/x.pem", &c);
    clid_verify_input in2 = input(in_range);
    in2.orig = c.orig;
    in2.chain_pem = chain_range;
    in2.chain_len = strlen(chain_range);
    check(verify_on(ver, &in2), CLID_ERR_SIGNATURE_INVALID, FAILED, 438);
    free(in_range);
    in.chain_pem = chain_untrusted;
    in.chain_len = strlen(chain_untrusted);
    check(verify_on(ver, &in), CLID_ERR_CERT_UNTRUSTED, FAILED, 437);
    /* Bounded. */
    char *huge = malloc(CLID_CHAIN_MAX_LEN + 2);
    assert_non_null(huge);
    memset(huge, '\n', CLID_CHAIN_MAX_LEN + 1);
    huge[CLID_CHAIN_MAX_LEN + 1] = '\0';
    memcpy(huge, chain_sp, strlen(chain_sp));
    in.chain_pem = huge;
    in.chain_len = CLID_CHAIN_MAX_LEN + 1;
    check(verify_on(ver, &in), CLID_ERR_X5U_TOO_LARGE, FAILED, 436);
    in.chain_len = CLID_CHAIN_MAX_LEN;
    check(verify_on(ver, &in), CLID_OK, PASSED, 0);
    free(huge);
    free(hdr);
}

/* A header by sp for URL_F with iat `iat`, verified at `iat`. */
static clid_err verify_fetched(clid_verifier *v, int64_t iat)
{
    clid_claims c = default_claims();
    c.iat = iat;
    char *hdr = sign_hdr(sp->key, URL_F, &c);
    clid_verify_input in = input(hdr);
    in.now = iat;
    clid_err rc = verify_on(v, &in);
    free(hdr);
    return rc;
}

/* Fetches at TP_T0, then checks the chain is still cached at `until` - 1
 * and fetched again at `until`. */
static void fetch_expiry_case(int64_t max_age, int64_t until, const char *pem)
{
    fetch_table ft = {.n = 1, .url = {URL_F}, .pem = {pem}, .max_age = max_age};
    clid_ctx *c = bare_ctx();
    assert_int_equal(clid_ctx_set_fetcher(c, table_fetch, &ft), CLID_OK);
    clid_verifier *v = new_verifier(c);
    for (int i = 0; i < 5; i++)
        assert_int_equal(verify_fetched(v, TP_T0 + i), CLID_OK);
    assert_int_equal(calls(&ft), 1);
    assert_int_equal(verify_fetched(v, until - 1), CLID_OK);
    assert_int_equal(calls(&ft), 1);
    (void)verify_fetched(v, until);
    assert_int_equal(calls(&ft), 2);
    clid_verifier_free(v);
    clid_ctx_free(c);
}

static void fetcher_cache(void **state)
{
    (void)state;
    /* max-age honoured, and bounded to [5 min, 24 h]. */
    fetch_expiry_case(600, TP_T0 + 600, chain_sp);
    fetch_expiry_case(10, TP_T0 + 300, chain_sp);
    fetch_expiry_case(-1, TP_T0 + 86400, chain_sp);
    fetch_expiry_case(INT64_C(1) << 40, TP_T0 + 86400, chain_sp);
    /* Never past the leaf's notAfter. */
    tp_cert *shortlived = tp_issue(&(tp_spec){.cn = "short", .tnauth = "spc:709J",
                                              .not_before = TP_T0 - TP_DAY,
                                              .not_after = TP_T0 + 1000},
                                   inter);
    char *chain = tp_cat(shortlived->pem, inter->pem, NULL);
    fetch_table ft = {.n = 1, .url = {URL_F}, .pem = {chain}, .max_age = -1};
    clid_ctx *c = bare_ctx();
    assert_int_equal(clid_ctx_set_fetcher(c, table_fetch, &ft), CLID_OK);
    clid_verifier *v = new_verifier(c);
    clid_claims cl = default_claims();
    for (int64_t at = TP_T0; at <= TP_T0 + 1000; at += 500) {
        cl.iat = at;
        char *hdr = sign_hdr(shortlived->key, URL_F, &cl);
        clid_verify_input in = input(hdr);
        in.now = at;
        clid_err rc = verify_on(v, &in);
        assert_int_equal(rc, at < TP_T0 + 1000 ? CLID_OK : CLID_ERR_CERT_EXPIRED);
        assert_int_equal(calls(&ft), at < TP_T0 + 1000 ? 1 : 2);
        free(hdr);
    }
    clid_verifier_free(v);
    clid_ctx_free(c);
    free(chain);
    tp_free(shortlived);

    /* The offline map comes first. */
    ft = (fetch_table){.n = 1, .url = {URL_SP}, .pem = {chain_range}};
    c = new_ctx();
    assert_int_equal(clid_ctx_set_fetcher(c, table_fetch, &ft), CLID_OK);
    v = new_verifier(c);
    char *hdr = sign_default(sp->key, URL_SP);
    clid_verify_input in = input(hdr);
    check(verify_on(v, &in), CLID_OK, PASSED, 0);
    assert_int_equal(calls(&ft), 0);
    free(hdr);
    clid_verifier_free(v);
    clid_ctx_free(c);

    /* Cheap checks come before any retrieval. */
    ft = (fetch_table){.n = 1, .url = {URL_F}, .pem = {chain_sp}};
    c = bare_ctx();
    assert_int_equal(clid_ctx_set_fetcher(c, table_fetch, &ft), CLID_OK);
    v = new_verifier(c);
    hdr = sign_default(sp->key, URL_F);
    in = input(hdr);
    in.now = TP_T0 + 3600;
    check(verify_on(v, &in), CLID_ERR_IAT_STALE, FAILED, 403);
    in = input(hdr);
    in.orig = "19995550000";
    check(verify_on(v, &in), CLID_ERR_ORIG_MISMATCH, FAILED, 438);
    char *der = forge_ex(HDR(Q("ES256"), Q("shaken"), Q("passport"), Q(URL_F)), CLAIMS_OK,
                         CLAIMS_OK, sp->key, SIG_DER,
                         ";info=<" URL_F ">;alg=ES256;ppt=shaken");
    in = input(der);
    check(verify_on(v, &in), CLID_ERR_SIGNATURE_FORMAT, FAILED, 438);
    assert_int_equal(calls(&ft), 0);
    free(der);
    free(hdr);
    clid_verifier_free(v);
    clid_ctx_free(c);
}

static void fetcher_errors(void **state)
{
    (void)state;
    static const clid_err codes[] = {
        CLID_ERR_X5U_URL_POLICY, CLID_ERR_X5U_UNREACHABLE, CLID_ERR_X5U_TIMEOUT,
        CLID_ERR_X5U_HTTP_STATUS, CLID_ERR_X5U_REDIRECT, CLID_ERR_X5U_TOO_LARGE,
        CLID_ERR_X5U_NOT_PEM, CLID_ERR_X5U_NEGATIVE_CACHED, CLID_ERR_X5U_TLS,
    };
    fetch_table ft = {.n = 1, .url = {URL_F}, .pem = {chain_sp}, .max_age = 600};
    clid_ctx *c = bare_ctx();
    assert_int_equal(clid_ctx_set_fetcher(c, table_fetch, &ft), CLID_OK);
    clid_verifier *v = new_verifier(c);
    char *hdr = sign_default(sp->key, URL_F);
    clid_verify_input in = input(hdr);
    unsigned n = 0;
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        ft.rc = codes[i];
        check(verify_on(v, &in), codes[i], FAILED, 436);
        /* A failure is not cached here (negative caching is the fetcher's). */
        assert_int_equal(calls(&ft), ++n);
    }
    /* A fetcher claiming more than the buffer holds. */
    ft.rc = CLID_OK;
    ft.overflow = 1;
    check(verify_on(v, &in), CLID_ERR_X5U_TOO_LARGE, FAILED, 436);
    ft.overflow = 0;
    /* A body that is not PEM. */
    ft.pem[0] = "<html>404</html>";
    check(verify_on(v, &in), CLID_ERR_X5U_NOT_PEM, FAILED, 436);
    /* Recovers. */
    ft.pem[0] = chain_sp;
    check(verify_on(v, &in), CLID_OK, PASSED, 0);
    n = calls(&ft);
    check(verify_on(v, &in), CLID_OK, PASSED, 0);
    assert_int_equal(calls(&ft), n);
    assert_int_equal(clid_ctx_set_fetcher(NULL, table_fetch, &ft), CLID_ERR_INVALID_ARGUMENT);
    free(hdr);
    clid_verifier_free(v);
    clid_ctx_free(c);
}

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
    assert_int_equal(clid_ctx_set_clock(c, fixed_clock, &t0), CLID_OK);
    map_chain(c, URL_SP, chain_sp);
    clid_verifier *v = new_verifier(c);
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

/* ------------------------------------------------------------------------ */
/* Other PASSporT forms                                                      */
/* ------------------------------------------------------------------------ */

static void compact_refused(void **state)
{
    (void)state;
    char *pem = key_pem(sp->key);
    clid_signer *s = NULL;
    assert_int_equal(clid_signer_new(&s), CLID_OK);
    assert_int_equal(clid_signer_set_key_pem(s, pem, strlen(pem)), CLID_OK);
    assert_int_equal(clid_signer_set_x5u(s, URL_SP), CLID_OK);
    assert_int_equal(clid_signer_set_clock(s, fixed_clock, &t0), CLID_OK);
    clid_claims c = default_claims();
    char buf[256];
    size_t len = 0;
    assert_int_equal(clid_sign_passport(s, &c, 1, buf, sizeof buf - 64, &len), CLID_OK);
    char *hdr = tp_cat(buf, PARAMS_SP, NULL);
    expect_free(hdr, CLID_ERR_PASSPORT_COMPACT, FAILED, 438);
    assert_null(clid_result_orig(res));
    clid_signer_free(s);
    free(pem);
}

static void accept_div(clid_ctx *c)
{
    assert_int_equal(clid_ctx_accept_ppt(c, "shaken"), CLID_OK);
    assert_int_equal(clid_ctx_accept_ppt(c, "div"), CLID_OK);
}

static void div_accepted(void **state)
{
    (void)state;
    /* Authority is on the diverting number (RFC 8946): the range leaf
     * covers it, not the caller. */
    check(run(&(scen){.leaf = range_leaf, .ca1 = inter, .orig = "14155550100",
                      .div = "12025550042", .cfg = accept_div}),
          CLID_OK, PASSED, 0);
    assert_string_equal(clid_result_ppt(res), "div");
    assert_string_equal(clid_result_div(res), "12025550042");
    assert_string_equal(clid_result_orig(res), "14155550100");
    assert_int_equal(clid_result_attest(res), 0);
    assert_null(clid_result_origid(res));
    check(run(&(scen){.leaf = range_leaf, .ca1 = inter, .orig = "12025550042",
                      .div = "14155550100", .cfg = accept_div}),
          CLID_ERR_TN_NOT_AUTHORIZED, FAILED, 437);
    /* Not accepted by default. */
    check(run(&(scen){.leaf = range_leaf, .ca1 = inter, .orig = "14155550100",
                      .div = "12025550042"}),
          CLID_ERR_PASSPORT_PPT, FAILED, 438);
}

/* ------------------------------------------------------------------------ */
/* The certificate cache                                                     */
/* ------------------------------------------------------------------------ */

static unsigned long openssl_runs(const clid_result *r)
{
    assert_non_null(r->signer);
    return __atomic_load_n(&r->signer->openssl_runs, __ATOMIC_SEQ_CST);
}

static void warm_path(void **state)
{
    (void)state;
    fetch_table ft = {.n = 1, .url = {URL_F}, .pem = {chain_sp}, .max_age = 3600};
    clid_ctx *c = bare_ctx();
    assert_int_equal(clid_ctx_set_fetcher(c, table_fetch, &ft), CLID_OK);
    clid_verifier *v = new_verifier(c);
    static const char *const dest2[] = {"13035550100"};
    clid_claims c1 = default_claims(), c2 = default_claims();
    c2.dest = dest2;
    c2.origid = NULL;
    c2.attest = 'B';
    char *h1 = sign_hdr(sp->key, URL_F, &c1);
    char *h2 = sign_hdr(sp->key, URL_F, &c2);
    clid_verify_input in1 = input(h1), in2 = input(h2);
    in2.dest = dest2[0];

    check(verify_on(v, &in1), CLID_OK, PASSED, 0);
    assert_int_equal(calls(&ft), 1);
    assert_int_equal(openssl_runs(res), 1);
    const clid__signer_cert *first = res->signer;
    /* A different header with the same x5u: no fetch, no parse, no chain
     * validation; only the signature check and the cheap ones. */
    check(verify_on(v, &in2), CLID_OK, PASSED, 0);
    assert_ptr_equal(res->signer, first);
    assert_int_equal(openssl_runs(res), 1);
    assert_int_equal(calls(&ft), 1);
    /* A warm failure is as precise as a cold one. */
    in2.dest = DEST;
    check(verify_on(v, &in2), CLID_ERR_DEST_MISMATCH, FAILED, 438);
    in2.dest = dest2[0];

    /* After clearing, everything happens once more. */
    clid_verifier_clear_cache(v);
    check(verify_on(v, &in2), CLID_OK, PASSED, 0);
    assert_int_equal(calls(&ft), 2);
    assert_int_equal(openssl_runs(res), 1);

    /* Without a cache every verification fetches and validates. */
    assert_int_equal(clid_verifier_set_cache_size(v, 0), CLID_OK);
    check(verify_on(v, &in1), CLID_OK, PASSED, 0);
    check(verify_on(v, &in2), CLID_OK, PASSED, 0);
    assert_int_equal(calls(&ft), 4);
    assert_int_equal(openssl_runs(res), 1);
    clid_verifier_free(v);
    clid_ctx_free(c);

    /* The offline map and a given chain are cached too. */
    v = new_verifier(ctx);
    in1 = input(h1);
    in1.chain_pem = chain_sp;
    in1.chain_len = strlen(chain_sp);
    in2 = input(h2);
    in2.dest = dest2[0];
    in2.chain_pem = chain_sp;
    in2.chain_len = strlen(chain_sp);
    check(verify_on(v, &in1), CLID_OK, PASSED, 0);
    first = res->signer;
    check(verify_on(v, &in2), CLID_OK, PASSED, 0);
    assert_ptr_equal(res->signer, first);
    assert_int_equal(openssl_runs(res), 1);
    char *m1 = sign_hdr(sp->key, URL_SP, &c1);
    char *m2 = sign_hdr(sp->key, URL_SP, &c2);
    in1 = input(m1);
    in2 = input(m2);
    in2.dest = dest2[0];
    check(verify_on(v, &in1), CLID_OK, PASSED, 0);
    first = res->signer;
    check(verify_on(v, &in2), CLID_OK, PASSED, 0);
    assert_ptr_equal(res->signer, first);
    assert_int_equal(openssl_runs(res), 1);
    clid_verifier_free(v);
    free(m1);
    free(m2);
    free(h1);
    free(h2);
}

static void cache_eviction_lru(void **state)
{
    (void)state;
    tp_cert *leaves[3];
    char *chains[3], *hdrs[3];
    static const char *const urls[] = {"https://e.example/0.pem", "https://e.example/1.pem",
                                       "https://e.example/2.pem"};
    fetch_table ft = {.n = 3, .max_age = 3600};
    for (size_t i = 0; i < 3; i++) {
        leaves[i] = tp_issue(&(tp_spec){.cn = "SHAKEN 709J", .tnauth = "spc:709J"}, inter);
        chains[i] = tp_cat(leaves[i]->pem, inter->pem, NULL);
        ft.url[i] = urls[i];
        ft.pem[i] = chains[i];
        hdrs[i] = sign_default(leaves[i]->key, urls[i]);
    }
    clid_ctx *c = bare_ctx();
    assert_int_equal(clid_ctx_set_fetcher(c, table_fetch, &ft), CLID_OK);
    clid_verifier *v = new_verifier(c);
    assert_int_equal(clid_verifier_set_cache_size(v, 2), CLID_OK);
    static const struct {
        size_t hdr;
        unsigned calls;
    } steps[] = {{0, 1}, {1, 2}, {0, 2}, {2, 3}, {0, 3}, {1, 4}, {2, 5}, {1, 5}};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        clid_verify_input in = input(hdrs[steps[i].hdr]);
        check(verify_on(v, &in), CLID_OK, PASSED, 0);
        assert_int_equal(calls(&ft), steps[i].calls);
    }
    clid_verifier_free(v);
    clid_ctx_free(c);
    for (size_t i = 0; i < 3; i++) {
        tp_free(leaves[i]);
        free(chains[i]);
        free(hdrs[i]);
    }
}

/* ------------------------------------------------------------------------ */
/* Threads                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct tcase {
    char *identity;
    const char *orig;
    const char *dest;
    int64_t now;
    const char *chain;
    clid_err want;
} tcase;

typedef struct targ {
    clid_verifier *v;
    const tcase *cases;
    size_t n_cases;
    size_t iters;
    size_t offset;
    int failures;
} targ;

static void *verify_loop(void *p)
{
    targ *a = p;
    clid_result *r = NULL;
    if (clid_result_new(&r) != CLID_OK) {
        a->failures++;
        return NULL;
    }
    for (size_t i = 0; i < a->iters; i++) {
        const tcase *tc = &a->cases[(a->offset + i) % a->n_cases];
        clid_verify_input in = {.identity = tc->identity, .orig = tc->orig, .dest = tc->dest,
                                .now = tc->now, .chain_pem = tc->chain,
                                .chain_len = tc->chain ? strlen(tc->chain) : 0};
        /* Every third verification without a result object. */
        clid_result *use = i % 3 == 2 ? NULL : r;
        clid_err rc = clid_verify_identity(a->v, &in, use);
        if (rc != tc->want || (use != NULL && clid_result_reason(use) != tc->want))
            a->failures++;
        else if (use != NULL && rc == CLID_OK &&
                 (clid_result_orig(use) == NULL || strcmp(clid_result_orig(use), tc->orig) != 0 ||
                  clid_result_signer_subject(use) == NULL))
            a->failures++;
    }
    clid_result_free(r);
    return NULL;
}

static void run_threads(clid_verifier *v, const tcase *cases, size_t n_cases, size_t iters)
{
    pthread_t th[4];
    targ args[4];
    for (size_t t = 0; t < 4; t++) {
        args[t] = (targ){.v = v, .cases = cases, .n_cases = n_cases, .iters = iters,
                         .offset = t * 3};
        assert_int_equal(pthread_create(&th[t], NULL, verify_loop, &args[t]), 0);
    }
    for (size_t t = 0; t < 4; t++) {
        assert_int_equal(pthread_join(th[t], NULL), 0);
        assert_int_equal(args[t].failures, 0);
    }
}

static void four_threads_one_verifier(void **state)
{
    (void)state;
    EVP_PKEY *stranger = EVP_EC_gen("P-256");
    assert_non_null(stranger);
    clid_claims in_range = default_claims(), out_of_range = default_claims();
    in_range.orig = "12025550042";
    out_of_range.orig = "12025559999";
    tcase cases[] = {
        {sign_default(sp->key, URL_SP), ORIG, DEST, 0, NULL, CLID_OK},
        {sign_hdr(range_leaf->key, URL_RANGE, &in_range), "12025550042", DEST, 0, NULL, CLID_OK},
        {sign_default(sp->key, URL_SP), ORIG, "19995550000", 0, NULL, CLID_ERR_DEST_MISMATCH},
        {forge_ex(HDR_SP, CLAIMS_OK, CLAIMS_OK, stranger, SIG_RAW, PARAMS_SP), ORIG, DEST, 0,
         NULL, CLID_ERR_SIGNATURE_INVALID},
        {sign_hdr(range_leaf->key, URL_RANGE, &out_of_range), "12025559999", DEST, 0, NULL,
         CLID_ERR_TN_NOT_AUTHORIZED},
        {sign_default(untrusted_leaf->key, URL_UNTRUSTED), ORIG, DEST, 0, NULL,
         CLID_ERR_CERT_UNTRUSTED},
        {sign_default(sp->key, URL_SP), ORIG, DEST, TP_T0 + 61, NULL, CLID_ERR_IAT_STALE},
        {NULL, ORIG, DEST, 0, NULL, CLID_ERR_NO_IDENTITY},
        {sign_default(sp->key, "https://unmapped.example/x.pem"), ORIG, DEST, 0, chain_sp,
         CLID_OK},
        {forge_ex(HDR_SP, CLAIMS_OK, CLAIMS_OK, sp->key, SIG_DER, PARAMS_SP), ORIG, DEST, 0, NULL,
         CLID_ERR_SIGNATURE_FORMAT},
        {sign_default(sp->key, "https://unmapped.example/y.pem"), ORIG, DEST, 0, NULL,
         CLID_ERR_X5U_UNMAPPED},
    };
    size_t n = sizeof cases / sizeof cases[0];
    /* A fresh verifier, so the threads race on the cold path too. */
    clid_verifier *v = new_verifier(ctx);
    run_threads(v, cases, n, 60);
    clid_verifier_free(v);
    for (size_t i = 0; i < n; i++)
        free(cases[i].identity);
    EVP_PKEY_free(stranger);
}

static void four_threads_cache_eviction(void **state)
{
    (void)state;
    /* Four chains through a cache of two: entries are evicted while other
     * threads still hold them (reference counting keeps them alive). */
    tp_cert *leaves[4];
    char *chains[4];
    tcase cases[4];
    static const char *const urls[] = {"https://e.example/0.pem", "https://e.example/1.pem",
                                       "https://e.example/2.pem", "https://e.example/3.pem"};
    fetch_table ft = {.n = 4, .max_age = 3600};
    for (size_t i = 0; i < 4; i++) {
        leaves[i] = tp_issue(&(tp_spec){.cn = "SHAKEN 709J", .tnauth = "spc:709J"}, inter);
        chains[i] = tp_cat(leaves[i]->pem, inter->pem, NULL);
        ft.url[i] = urls[i];
        ft.pem[i] = chains[i];
        cases[i] = (tcase){sign_default(leaves[i]->key, urls[i]), ORIG, DEST, 0, NULL, CLID_OK};
    }
    clid_ctx *c = bare_ctx();
    assert_int_equal(clid_ctx_set_fetcher(c, table_fetch, &ft), CLID_OK);
    clid_verifier *v = new_verifier(c);
    assert_int_equal(clid_verifier_set_cache_size(v, 2), CLID_OK);
    run_threads(v, cases, 4, 40);
    /* More fetches than chains: entries were evicted and fetched again. */
    assert_true(calls(&ft) > 4);
    clid_verifier_free(v);
    clid_ctx_free(c);
    for (size_t i = 0; i < 4; i++) {
        tp_free(leaves[i]);
        free(chains[i]);
        free(cases[i].identity);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(success),
        cmocka_unit_test(arguments),
        cmocka_unit_test(result_after_failure),
        cmocka_unit_test(result_reset_and_reuse),
        cmocka_unit_test(no_identity),
        cmocka_unit_test(identity_syntax),
        cmocka_unit_test(identity_too_large),
        cmocka_unit_test(identity_no_info),
        cmocka_unit_test(identity_alg),
        cmocka_unit_test(identity_ppt),
        cmocka_unit_test(jws_syntax),
        cmocka_unit_test(base64),
        cmocka_unit_test(json),
        cmocka_unit_test(passport_typ),
        cmocka_unit_test(passport_alg),
        cmocka_unit_test(passport_ppt),
        cmocka_unit_test(passport_x5u),
        cmocka_unit_test(passport_x5u_mismatch),
        cmocka_unit_test(passport_iat),
        cmocka_unit_test(passport_orig),
        cmocka_unit_test(passport_dest),
        cmocka_unit_test(passport_attest),
        cmocka_unit_test(passport_origid),
        cmocka_unit_test(passport_div),
        cmocka_unit_test(signature_format),
        cmocka_unit_test(signature_invalid),
        cmocka_unit_test(iat_stale),
        cmocka_unit_test(iat_future),
        cmocka_unit_test(date_mismatch),
        cmocka_unit_test(orig_mismatch),
        cmocka_unit_test(dest_mismatch),
        cmocka_unit_test(x5u_unmapped),
        cmocka_unit_test(x5u_map),
        cmocka_unit_test(x5u_map_replaced),
        cmocka_unit_test(chain_given),
        cmocka_unit_test(fetcher_cache),
        cmocka_unit_test(fetcher_errors),
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
        cmocka_unit_test(delegate_not_encompassed),
        cmocka_unit_test(claim_constraints),
        cmocka_unit_test(entity_not_authorized),
        cmocka_unit_test(compact_refused),
        cmocka_unit_test(div_accepted),
        cmocka_unit_test(warm_path),
        cmocka_unit_test(cache_eviction_lru),
        cmocka_unit_test(four_threads_one_verifier),
        cmocka_unit_test(four_threads_cache_eviction),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
