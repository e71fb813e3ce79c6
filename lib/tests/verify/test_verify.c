/*
 * Unit tests of the verification pipeline (verify.c) through
 * clid_verify_identity, steps 1 and 2: one test per reason code the
 * Identity header and the PASSporT can give, each asserting the exact code,
 * the verstat and the SIP status; and the other PASSporT forms (compact,
 * div). The request and the result object are in test_verify_request.c,
 * the certificate sources in test_verify_sources.c, chain validation and
 * authority in test_verify_cert.c, the cache and threads in
 * test_verify_threads.c; the fixture they share is verify_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "passport/passport.h"
#include "verify_fixture.h"

/* ------------------------------------------------------------------------ */
/* Success                                                                   */
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
    /* Without orig/dest in the request, binding is checked unless skipped
     * explicitly (test_verify_request.c, binding_explicit). */
    clid_verify_input in = {.identity = hdr};
    assert_int_equal(verify_on(ver, &in), CLID_ERR_INVALID_ARGUMENT);
    in.skip = CLID_VERIFY_SKIP_ORIG_BINDING | CLID_VERIFY_SKIP_DEST_BINDING;
    check(verify_on(ver, &in), CLID_OK, PASSED, 0);
    assert_int_equal(clid_result_binding_checked(res), 0u);
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

/* Verifies `hdr` (taken) with the shared lenient verifier, expecting a pass
 * whose warnings are exactly `warn` (n of them), then with a strict one,
 * expecting the first of them as the failure (or a pass when n is 0). */
static void lenient_and_strict(char *hdr, const clid_err *warn, size_t n)
{
    expect(hdr, CLID_OK, PASSED, 0);
    assert_int_equal(clid_result_warning_count(res), n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(clid_err_name(clid_result_warning(res, i)), clid_err_name(warn[i]));
    clid_ctx *strict = new_ctx();
    assert_int_equal(clid_ctx_set_strict(strict, 1), CLID_OK);
    clid_verifier *sv = tp_verifier_new(strict);
    clid_verify_input in = input(hdr);
    if (n > 0)
        check(verify_on(sv, &in), warn[0], FAILED, clid_err_sip_status(warn[0]));
    else
        check(verify_on(sv, &in), CLID_OK, PASSED, 0);
    assert_int_equal(clid_result_warning_count(res), 0);
    clid_verifier_free(sv);
    clid_ctx_free(strict);
    free(hdr);
}

static void identity_alg(void **state)
{
    (void)state;
    /* A present alg must be ES256, whatever the policy. */
    expect_free(forge(HDR_SP, CLAIMS_OK, ";info=<" URL_SP ">;alg=ES384;ppt=shaken"),
                CLID_ERR_IDENTITY_ALG, FAILED, 438);
    expect_free(forge(HDR_SP, CLAIMS_OK, ";info=<" URL_SP ">;alg=es256;ppt=shaken"),
                CLID_ERR_IDENTITY_ALG, FAILED, 438);
    /* Left out: RFC 8224 §4.1 implies ES256, SHAKEN sends it; a profile
     * deviation (a warning, or strict the failure). */
    static const clid_err no_alg[] = {CLID_ERR_IDENTITY_ALG_ABSENT};
    lenient_and_strict(forge(HDR_SP, CLAIMS_OK, ";info=<" URL_SP ">;ppt=shaken"), no_alg, 1);
    lenient_and_strict(forge(HDR_SP, CLAIMS_OK, PARAMS_SP), NULL, 0);
}

static void identity_ppt(void **state)
{
    (void)state;
    /* The header's ppt parameter disagrees with the PASSporT's. */
    expect_free(forge(HDR_SP, CLAIMS_OK, ";info=<" URL_SP ">;alg=ES256;ppt=div"),
                CLID_ERR_IDENTITY_PPT, FAILED, 438);
    /* Absent while the PASSporT has a ppt (RFC 8224 §4.1): a deviation. */
    static const clid_err no_ppt[] = {CLID_ERR_IDENTITY_PPT_ABSENT};
    lenient_and_strict(forge(HDR_SP, CLAIMS_OK, ";info=<" URL_SP ">;alg=ES256"), no_ppt, 1);
    /* Both absent: two warnings, in the order of the header. */
    static const clid_err neither[] = {CLID_ERR_IDENTITY_ALG_ABSENT, CLID_ERR_IDENTITY_PPT_ABSENT};
    lenient_and_strict(forge(HDR_SP, CLAIMS_OK, ";info=<" URL_SP ">"), neither, 2);
    /* Tolerated without a word: quoted, other order, whitespace. */
    lenient_and_strict(forge(HDR_SP, CLAIMS_OK, ";ppt=\"shaken\";alg=ES256;info=<" URL_SP ">"),
                       NULL, 0);
    lenient_and_strict(forge(HDR_SP, CLAIMS_OK, " ; info = <" URL_SP "> ; alg=ES256 ; ppt = shaken"),
                       NULL, 0);
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
    /* RFC 8224 §6.2.2: no Identity of a supported type is 428, as for none. */
    expect(div, CLID_ERR_PASSPORT_PPT_UNSUPPORTED, NOVAL, 428);
    /* No ppt at all: a basic PASSporT, not accepted either. */
    expect_free(forge("{\"alg\":\"ES256\",\"typ\":\"passport\",\"x5u\":\"" URL_SP "\"}",
                      CLAIMS_OK, ";info=<" URL_SP ">;alg=ES256"),
                CLID_ERR_PASSPORT_PPT_UNSUPPORTED, NOVAL, 428);
    /* Not a token. */
    expect_free(forge(HDR(Q("ES256"), "7", Q("passport"), Q(URL_SP)), CLAIMS_OK,
                      ";info=<" URL_SP ">"),
                CLID_ERR_PASSPORT_PPT, FAILED, 438);
    expect_free(forge(HDR(Q("ES256"), Q("sha ken"), Q("passport"), Q(URL_SP)), CLAIMS_OK,
                      ";info=<" URL_SP ">"),
                CLID_ERR_PASSPORT_PPT, FAILED, 438);

    /* Accepted once the context accepts div, and verified (its facts are
     * in the result), but never a pass on its own (RFC 8946). */
    clid_ctx *c = new_ctx();
    assert_int_equal(clid_ctx_accept_ppt(c, "shaken"), CLID_OK);
    assert_int_equal(clid_ctx_accept_ppt(c, "div"), CLID_OK);
    clid_verifier *v = tp_verifier_new(c);
    clid_verify_input in = input(div);
    check(verify_on(v, &in), CLID_ERR_DIV_WITHOUT_ORIGINAL, FAILED, 438);
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
    v = tp_verifier_new(c);
    check(verify_on(v, &in), CLID_ERR_PASSPORT_PPT_UNSUPPORTED, NOVAL, 428);
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
    clid_verifier *v = tp_verifier_new(c);
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
    /* Missing, empty, not a string, unprintable or too long: refused. */
    char too_long[CLID_ORIGID_MAX + 4] = "\"";
    memset(too_long + 1, 'x', CLID_ORIGID_MAX + 1);
    strcpy(too_long + CLID_ORIGID_MAX + 2, "\"");
    const char *bad[] = {Q(""), "1", "null", Q("a\\u0007b"), too_long};
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

/* RFC 8588 §4 asks for a UUID; another identifier is a profile deviation
 * (a national regulator's test plan has such calls, expected to pass): a
 * warning by default, the failure under the strict policy. */
static void passport_origid_not_uuid(void **state)
{
    (void)state;
    static const char *const odd[] = {Q("123"), Q("4b3e8f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5"),
                                      Q("4b3e8f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5bX"),
                                      Q("986279842-79894328-45254-42543525243")};
    clid_ctx *strict = new_ctx();
    assert_int_equal(clid_ctx_set_strict(strict, 1), CLID_OK);
    clid_verifier *sv = tp_verifier_new(strict);
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        char claims[512];
        snprintf(claims, sizeof claims, CLAIMS(Q("A"), C_DEST, T0_STR, C_ORIG, "%s"), odd[i]);
        char *hdr = forge(HDR_SP, claims, PARAMS_SP);
        expect(hdr, CLID_OK, PASSED, 0);
        assert_int_equal(clid_result_warning_count(res), 1);
        assert_int_equal(clid_result_warning(res, 0), CLID_ERR_PASSPORT_ORIGID_NOT_UUID);
        assert_non_null(clid_result_origid(res));
        clid_verify_input in = input(hdr);
        check(verify_on(sv, &in), CLID_ERR_PASSPORT_ORIGID_NOT_UUID, FAILED, 438);
        free(hdr);
    }
    /* A UUID: no warning, strict or not. */
    char *hdr = forge(HDR_SP, CLAIMS_OK, PARAMS_SP);
    expect(hdr, CLID_OK, PASSED, 0);
    assert_int_equal(clid_result_warning_count(res), 0);
    clid_verify_input in = input(hdr);
    check(verify_on(sv, &in), CLID_OK, PASSED, 0);
    free(hdr);
    clid_verifier_free(sv);
    clid_ctx_free(strict);
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
/* Other PASSporT forms                                                      */
/* ------------------------------------------------------------------------ */

static void compact_refused(void **state)
{
    (void)state;
    clid_signer *s = tp_signer_key(sp->key, NULL, URL_SP, &t0);
    clid_claims c = default_claims();
    char buf[256];
    size_t len = 0;
    assert_int_equal(clid_sign_passport(s, &c, 1, buf, sizeof buf - 64, &len), CLID_OK);
    char *hdr = tp_cat(buf, PARAMS_SP, NULL);
    expect_free(hdr, CLID_ERR_PASSPORT_COMPACT, FAILED, 438);
    assert_null(clid_result_orig(res));
    clid_signer_free(s);
}

static void accept_div(clid_ctx *c)
{
    assert_int_equal(clid_ctx_accept_ppt(c, "shaken"), CLID_OK);
    assert_int_equal(clid_ctx_accept_ppt(c, "div"), CLID_OK);
}

/* The claims' numbers must be canonical as signed (RFC 8225 §5.2.1, RFC
 * 8224 §8.3); the request's numbers are canonicalized by the verifier. */
static void claims_not_canonical(void **state)
{
    (void)state;
    static const char *const origs[] = {
        "{\"tn\":\"+12025550100\"}", "{\"tn\":\"+1-202-555-0100\"}",
        "{\"tn\":\"sip:+12025550100@example.com\"}", "{\"tn\":\"tel:12025550100;x=y\"}",
    };
    for (size_t i = 0; i < sizeof origs / sizeof origs[0]; i++) {
        char claims[512];
        snprintf(claims, sizeof claims, CLAIMS(Q("A"), C_DEST, T0_STR, "%s", Q(ORIGID)), origs[i]);
        expect_free(forge(HDR_SP, claims, PARAMS_SP), CLID_ERR_PASSPORT_TN_NOT_CANONICAL, FAILED,
                    438);
    }
    char claims[512];
    snprintf(claims, sizeof claims, CLAIMS(Q("A"), "%s", T0_STR, C_ORIG, Q(ORIGID)),
             "{\"tn\":[\"+1 303 555 0199\"]}");
    expect_free(forge(HDR_SP, claims, PARAMS_SP), CLID_ERR_PASSPORT_TN_NOT_CANONICAL, FAILED,
                438);
    /* The neighbour: canonical claims, with the request's numbers in SIP
     * spellings that the verifier canonicalizes. */
    char *h = forge(HDR_SP, CLAIMS_OK, PARAMS_SP);
    clid_verify_input in = input(h);
    in.orig = "sip:+1-202-555-0100@example.com;user=phone";
    in.dest = "tel:+1-303-555-0199";
    check(verify_on(ver, &in), CLID_OK, PASSED, 0);
    free(h);
}

static void div_alone_never_passes(void **state)
{
    (void)state;
    /* The attack: with div accepted, a div PASSporT whose orig no
     * certificate covers. Its authority is on the diverting number (RFC
     * 8946), which the range leaf covers; alone it used to pass, vouching
     * for a caller (14155550100) outside the signer's range. */
    check(run(&(scen){.leaf = range_leaf, .ca1 = inter, .orig = "14155550100",
                      .div = "12025550042", .cfg = accept_div}),
          CLID_ERR_DIV_WITHOUT_ORIGINAL, FAILED, 438);
    /* Everything it was checked for is in the result. */
    assert_string_equal(clid_result_ppt(res), "div");
    assert_string_equal(clid_result_div(res), "12025550042");
    assert_string_equal(clid_result_orig(res), "14155550100");
    assert_int_equal(clid_result_attest(res), 0);
    assert_null(clid_result_origid(res));
    assert_non_null(clid_result_signer_subject(res));
    /* Not even when the caller is within the certificate. */
    check(run(&(scen){.leaf = range_leaf, .ca1 = inter, .orig = "12025550043",
                      .div = "12025550042", .cfg = accept_div}),
          CLID_ERR_DIV_WITHOUT_ORIGINAL, FAILED, 438);
    /* A div's own defects are still its own failure. */
    check(run(&(scen){.leaf = range_leaf, .ca1 = inter, .orig = "12025550042",
                      .div = "14155550100", .cfg = accept_div}),
          CLID_ERR_TN_NOT_AUTHORIZED, FAILED, 437);
    /* Not accepted by default. */
    check(run(&(scen){.leaf = range_leaf, .ca1 = inter, .orig = "14155550100",
                      .div = "12025550042"}),
          CLID_ERR_PASSPORT_PPT_UNSUPPORTED, NOVAL, 428);
    /* The legitimate neighbour: a shaken PASSporT from the same signer for
     * a covered caller, under the same policy. */
    check(run(&(scen){.leaf = range_leaf, .ca1 = inter, .orig = "12025550042",
                      .cfg = accept_div}),
          CLID_OK, PASSED, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(success),
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
        cmocka_unit_test(passport_origid_not_uuid),
        cmocka_unit_test(passport_div),
        cmocka_unit_test(signature_format),
        cmocka_unit_test(signature_invalid),
        cmocka_unit_test(compact_refused),
        cmocka_unit_test(claims_not_canonical),
        cmocka_unit_test(div_alone_never_passes),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
