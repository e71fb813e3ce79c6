/*
 * clid_oob_token_sign and clid_oob_check_request (clid_oob.h, OOB-SPEC):
 * the round trips, then every reason a CPS refuses a request, one defect
 * at a time, each asserted by its exact code; byte-by-byte truncation of a
 * valid token and body never passes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "oob_fixture.h"

/* ------------------------------------------------------------------------ */
/* Round trips                                                               */
/* ------------------------------------------------------------------------ */

static void test_publish_round_trip(void **state)
{
    (void)state;
    const char *pp[] = {pp1, pp2};
    clid_oob_token_params p = publish_params(pp, 2);
    p.spc = "5678";
    char *tok = sign_token(s1234, &p);
    char *body = body_of(pp, 2);
    clid_oob_request rq = publish_rq(tok, body);
    clid_oob_grant *g = NULL;
    assert_int_equal(clid_oob_grant_new(&g), CLID_OK);
    clid_oob_check_opts o = {.aud = AUD};
    assert_int_equal(clid_oob_check_request(ver, &o, &rq, g), CLID_OK);
    assert_int_equal(clid_oob_grant_action(g), CLID_OOB_PUBLISH);
    assert_string_equal(clid_oob_grant_orig(g), ORIG);
    assert_string_equal(clid_oob_grant_dest(g), DEST);
    /* iss defaults to the first SPC of the signer's certificate. */
    assert_string_equal(clid_oob_grant_iss(g), "1234");
    assert_string_equal(clid_oob_grant_spc(g), "5678");
    /* jti defaults to a random UUID (36 characters). */
    assert_int_equal(strlen(clid_oob_grant_jti(g)), 36);
    assert_int_equal(clid_oob_grant_iat(g), t0);
    assert_int_equal(clid_oob_grant_exp(g), t0 + 60); /* publish default retention */
    const clid_oob_passports *got = clid_oob_grant_passports(g);
    assert_int_equal(clid_oob_passports_count(got), 2);
    assert_string_equal(clid_oob_passports_get(got, 0), pp1);
    assert_string_equal(clid_oob_passports_get(got, 1), pp2);
    assert_string_equal(clid_oob_grant_detail(g), "");
    /* The grant is reset by the next check. */
    clid_oob_request bad = publish_rq(NULL, body);
    assert_int_equal(clid_oob_check_request(ver, &o, &bad, g), CLID_ERR_OOB_TOKEN_MISSING);
    assert_null(clid_oob_grant_passports(g));
    clid_oob_grant_free(g);
    free(tok);
    free(body);
}

static void test_retrieve_round_trip(void **state)
{
    (void)state;
    clid_oob_token_params p = retrieve_params();
    p.jti = "my-jti";
    p.spc = "5678";
    char *tok = sign_token(s5678, &p);
    clid_oob_request rq = retrieve_rq(tok);
    clid_oob_grant *g = NULL;
    assert_int_equal(clid_oob_grant_new(&g), CLID_OK);
    clid_oob_check_opts o = {.aud = AUD};
    assert_int_equal(clid_oob_check_request(ver, &o, &rq, g), CLID_OK);
    assert_int_equal(clid_oob_grant_action(g), CLID_OOB_RETRIEVE);
    assert_string_equal(clid_oob_grant_iss(g), "5678");
    assert_string_equal(clid_oob_grant_jti(g), "my-jti");
    assert_int_equal(clid_oob_grant_exp(g), t0 + 30); /* retrieve default lifetime */
    assert_null(clid_oob_grant_passports(g));
    /* now 0: the context's clock (t0). */
    rq.now = 0;
    assert_int_equal(clid_oob_check_request(ver, &o, &rq, g), CLID_OK);
    clid_oob_grant_free(g);
    free(tok);
}

static void test_republish_on_post(void **state)
{
    (void)state;
    const char *pp[] = {pp1};
    clid_oob_token_params p = publish_params(pp, 1);
    p.action = CLID_OOB_REPUBLISH;
    char *tok = sign_token(s1234, &p);
    char *body = body_of(pp, 1);
    clid_oob_request rq = publish_rq(tok, body);
    clid_oob_grant *g = NULL;
    assert_int_equal(clid_oob_grant_new(&g), CLID_OK);
    clid_oob_check_opts o = {.aud = AUD};
    assert_int_equal(clid_oob_check_request(ver, &o, &rq, g), CLID_OK);
    assert_int_equal(clid_oob_grant_action(g), CLID_OOB_REPUBLISH);
    clid_oob_grant_free(g);
    free(tok);
    free(body);
}

static void test_bearer_scheme(void **state)
{
    (void)state;
    char *tok = sign_token(s5678, &(clid_oob_token_params){.action = CLID_OOB_RETRIEVE,
                                                           .aud = AUD, .orig = ORIG,
                                                           .dest = DEST});
    char auth[CLID_OOB_MAX_TOKEN + 64];
    clid_oob_request rq = retrieve_rq(tok);
    rq.authorization = auth;
    /* RFC 6750 §2.1 with a case-insensitive scheme (RFC 9110 §11.1). */
    snprintf(auth, sizeof auth, "bEaReR   %s  ", tok);
    expect_rq(&rq, CLID_OK);
    const char *bad[] = {"", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer\x01x",
                         "Bearerx.y.z"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(auth, sizeof auth, "%s", bad[i]);
        expect_rq(&rq, CLID_ERR_OOB_TOKEN_MISSING);
    }
    rq.authorization = NULL;
    expect_rq(&rq, CLID_ERR_OOB_TOKEN_MISSING);
    free(tok);
}

/* ------------------------------------------------------------------------ */
/* The token's form                                                          */
/* ------------------------------------------------------------------------ */

static void test_garbled_tokens(void **state)
{
    (void)state;
    const char *bad[] = {"abc", "a.b", "a.b.c.d", ".b.c", "a..c", "a.b.", "e30.e30.e30",
                         "!!!.e30.AAAA"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        clid_oob_request rq = retrieve_rq(bad[i]);
        expect_rq(&rq, CLID_ERR_OOB_TOKEN_PARSE);
    }
    /* Longer than CLID_OOB_MAX_TOKEN: refused before decoding. */
    char *big = malloc(CLID_OOB_MAX_TOKEN + 2);
    assert_non_null(big);
    memset(big, 'A', CLID_OOB_MAX_TOKEN + 1);
    big[10] = '.';
    big[20] = '.';
    big[CLID_OOB_MAX_TOKEN + 1] = '\0';
    clid_oob_request rq = retrieve_rq(big);
    expect_rq(&rq, CLID_ERR_OOB_TOKEN_PARSE);
    free(big);
}

static void expect_forged(const char *hdr, const char *claims, clid_err code)
{
    char *tok = forge_token(hdr, claims, sp1234->key);
    clid_oob_request rq = retrieve_rq(tok);
    expect_rq(&rq, code);
    free(tok);
}

static void test_header_defects(void **state)
{
    (void)state;
    json_t *c = retrieve_claims();
    char *cs = json_dumps(c, JSON_COMPACT);
    json_decref(c);
    expect_forged(HDR_OK, cs, CLID_OK);
    /* typ is optional (RFC 7519 §5.1). */
    expect_forged("{\"alg\":\"ES256\",\"x5u\":\"" URL_1234 "\"}", cs, CLID_OK);
    const char *bad[] = {
        "{\"alg\":\"none\",\"typ\":\"JWT\",\"x5u\":\"" URL_1234 "\"}",
        "{\"alg\":\"ES384\",\"typ\":\"JWT\",\"x5u\":\"" URL_1234 "\"}",
        "{\"typ\":\"JWT\",\"x5u\":\"" URL_1234 "\"}",
        "{\"alg\":\"ES256\",\"typ\":\"JWT\"}",
        "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"x5u\":7}",
        "{\"alg\":\"ES256\",\"typ\":\"passport\",\"x5u\":\"" URL_1234 "\"}",
        "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"x5u\":\"" URL_1234 "\",\"crit\":[\"x\"]}",
        "{\"alg\":\"ES256\",\"alg\":\"ES256\",\"typ\":\"JWT\",\"x5u\":\"" URL_1234 "\"}",
        "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"x5u\":\"" URL_1234 "\"",
        "[\"alg\"]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_forged(bad[i], cs, CLID_ERR_OOB_TOKEN_PARSE);
    free(cs);
}

static void test_claim_defects(void **state)
{
    (void)state;
    /* Every required claim, one missing at a time. */
    const char *req[] = {"iat", "exp", "action", "iss", "aud", "jti", "orig", "dest",
                         "passports"};
    for (size_t i = 0; i < sizeof req / sizeof req[0]; i++) {
        json_t *c = publish_claims();
        assert_int_equal(json_object_del(c, req[i]), 0);
        char *tok = forge_json(c);
        const char *pp[] = {pp1};
        char *body = body_of(pp, 1);
        clid_oob_request rq = publish_rq(tok, body);
        expect_rq(&rq, CLID_ERR_OOB_TOKEN_PARSE);
        json_decref(c);
        free(tok);
        free(body);
    }
    /* Wrong types and forms. */
    struct {
        const char *key;
        json_t *val;
    } bad[] = {
        {"iat", json_string("1767225600")},
        {"iat", json_real(1767225600.5)},
        {"exp", json_integer(-5)},
        {"action", json_string("delete")},
        {"action", json_integer(1)},
        {"iss", json_string("")},
        {"iss", json_string("12 34")},
        {"jti", json_string("\x7f")},
        {"aud", json_pack("[s]", AUD)},
        {"spc", json_integer(5678)},
        {"orig", json_pack("{s:s}", "tn", "not a number")},
        {"orig", json_pack("{s:s,s:s}", "tn", ORIG, "uri", "sip:x@y")},
        {"orig", json_pack("[s]", ORIG)},
        {"dest", json_pack("{s:[s,s]}", "tn", DEST, ORIG)},
        {"dest", json_pack("{s:[]}", "tn")},
        {"dest", json_pack("{s:s}", "tn", DEST)},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *c = retrieve_claims();
        assert_int_equal(json_object_set_new(c, bad[i].key, bad[i].val), 0);
        char *tok = forge_json(c);
        clid_oob_request rq = retrieve_rq(tok);
        print_message("claim %s\n", bad[i].key);
        expect_rq(&rq, CLID_ERR_OOB_TOKEN_PARSE);
        json_decref(c);
        free(tok);
    }
    /* Not JSON, and duplicate members (JSON_REJECT_DUPLICATES). */
    expect_forged(HDR_OK, "{\"iat\":1767225600", CLID_ERR_OOB_TOKEN_PARSE);
    json_t *c = retrieve_claims();
    char *cs = json_dumps(c, JSON_COMPACT);
    json_decref(c);
    char *dup = tp_cat("{\"aud\":\"evil\",", cs + 1, NULL);
    expect_forged(HDR_OK, dup, CLID_ERR_OOB_TOKEN_PARSE);
    free(dup);
    free(cs);
    /* Unknown claims are ignored. */
    c = retrieve_claims();
    assert_int_equal(json_object_set_new(c, "x-extra", json_true()), 0);
    char *tok = forge_json(c);
    clid_oob_request rq = retrieve_rq(tok);
    expect_rq(&rq, CLID_OK);
    json_decref(c);
    free(tok);
}

/* ------------------------------------------------------------------------ */
/* What the claims must equal                                                */
/* ------------------------------------------------------------------------ */

static void expect_claims(json_t *c, clid_err code)
{
    char *tok = forge_json(c);
    clid_oob_request rq = retrieve_rq(tok);
    expect_rq(&rq, code);
    json_decref(c);
    free(tok);
}

static void test_audience_action(void **state)
{
    (void)state;
    json_t *c = retrieve_claims();
    json_object_set_new(c, "aud", json_string("cps.other.net"));
    expect_claims(c, CLID_ERR_OOB_TOKEN_AUDIENCE);
    /* A publish token on a GET, a retrieve token on a POST. */
    expect_claims(publish_claims(), CLID_ERR_OOB_TOKEN_ACTION);
    char *tok = forge_json(c = retrieve_claims());
    json_decref(c);
    const char *pp[] = {pp1};
    char *body = body_of(pp, 1);
    clid_oob_request rq = publish_rq(tok, body);
    expect_rq(&rq, CLID_ERR_OOB_TOKEN_ACTION);
    free(tok);
    free(body);
}

static void set_times(json_t *c, int64_t iat, int64_t exp)
{
    json_object_set_new(c, "iat", json_integer(iat));
    json_object_set_new(c, "exp", json_integer(exp));
}

static void test_time(void **state)
{
    (void)state;
    json_t *c = retrieve_claims();
    set_times(c, t0 - 10, t0 + 50); /* the full 60 s */
    expect_claims(c, CLID_OK);
    c = retrieve_claims();
    set_times(c, t0 - 10, t0 + 51); /* exp - iat = 61 */
    expect_claims(c, CLID_ERR_OOB_TOKEN_LIFETIME);
    c = retrieve_claims();
    set_times(c, t0, t0); /* exp - iat = 0 */
    expect_claims(c, CLID_ERR_OOB_TOKEN_LIFETIME);
    c = retrieve_claims();
    set_times(c, t0 - 30, t0); /* exp reached */
    expect_claims(c, CLID_ERR_OOB_TOKEN_EXPIRED);
    c = retrieve_claims();
    set_times(c, t0 - 61, t0 - 20); /* iat stale (and expired) */
    expect_claims(c, CLID_ERR_OOB_TOKEN_EXPIRED);
    c = retrieve_claims();
    set_times(c, t0 + 61, t0 + 100); /* iat beyond the skew */
    expect_claims(c, CLID_ERR_OOB_TOKEN_EXPIRED);
    c = retrieve_claims();
    set_times(c, t0 + 60, t0 + 100); /* iat at the skew limit */
    expect_claims(c, CLID_OK);
    /* The signed token itself, checked a minute later. */
    char *tok = sign_token(s5678, &(clid_oob_token_params){.action = CLID_OOB_RETRIEVE,
                                                           .aud = AUD, .orig = ORIG,
                                                           .dest = DEST});
    clid_oob_request rq = retrieve_rq(tok);
    rq.now = t0 + 30;
    expect_rq(&rq, CLID_ERR_OOB_TOKEN_EXPIRED);
    free(tok);
}

static void test_binding(void **state)
{
    (void)state;
    char *tok = sign_token(s5678, &(clid_oob_token_params){.action = CLID_OOB_RETRIEVE,
                                                           .aud = AUD, .orig = "+1-202-555-0100",
                                                           .dest = DEST});
    clid_oob_request rq = retrieve_rq(tok);
    expect_rq(&rq, CLID_OK);
    rq.orig = "+12025550100"; /* the same number, canonicalized */
    expect_rq(&rq, CLID_OK);
    rq.orig = "12025550101";
    expect_rq(&rq, CLID_ERR_OOB_TOKEN_BINDING);
    rq.orig = ORIG;
    rq.dest = "13035550198";
    expect_rq(&rq, CLID_ERR_OOB_TOKEN_BINDING);
    /* Path segments that are not numbers: refused before the token. */
    const char *bad[] = {"abc", "", "1202555010012345678", "12a4"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rq.dest = bad[i];
        expect_rq(&rq, CLID_ERR_BAD_TN);
    }
    rq.dest = NULL;
    expect_rq(&rq, CLID_ERR_BAD_TN);
    free(tok);
}

/* ------------------------------------------------------------------------ */
/* The certificate: chain, authority, signature                              */
/* ------------------------------------------------------------------------ */

static void test_authority(void **state)
{
    (void)state;
    clid_oob_token_params p = retrieve_params();
    p.iss = "1234"; /* not an SPC of the 9999 certificate */
    char *tok = sign_token(s9999, &p);
    clid_oob_request rq = retrieve_rq(tok);
    expect_rq(&rq, CLID_ERR_OOB_SPC_NOT_AUTHORIZED);
    free(tok);
    /* A retrieve's spc must be its iss. */
    p = retrieve_params();
    p.spc = "1234";
    tok = sign_token(s5678, &p);
    rq = retrieve_rq(tok);
    expect_rq(&rq, CLID_ERR_OOB_SPC_NOT_AUTHORIZED);
    free(tok);
    /* A certificate without TNAuthList has no SPC. */
    json_t *c = retrieve_claims();
    char *cs = json_dumps(c, JSON_COMPACT);
    json_decref(c);
    tok = forge_token("{\"alg\":\"ES256\",\"typ\":\"JWT\",\"x5u\":\"" URL_NOTN "\"}", cs,
                      notn->key);
    rq = retrieve_rq(tok);
    expect_rq(&rq, CLID_ERR_OOB_SPC_NOT_AUTHORIZED);
    free(tok);
    /* The authority is checked before the signature: the 9999 chain with
     * 1234's key is refused for its SPC. */
    tok = forge_token("{\"alg\":\"ES256\",\"typ\":\"JWT\",\"x5u\":\"" URL_9999 "\"}", cs,
                      sp1234->key);
    rq = retrieve_rq(tok);
    expect_rq(&rq, CLID_ERR_OOB_SPC_NOT_AUTHORIZED);
    free(tok);
    free(cs);
}

static void test_chain_and_signature(void **state)
{
    (void)state;
    clid_oob_token_params p = retrieve_params();
    p.iss = "1234";
    char *tok = sign_token(suntrusted, &p);
    clid_oob_request rq = retrieve_rq(tok);
    expect_rq(&rq, CLID_ERR_CERT_UNTRUSTED);
    assert_int_equal(clid_oob_http_status(CLID_ERR_CERT_UNTRUSTED), 401);
    free(tok);
    /* An x5u the verifier cannot map or fetch. */
    json_t *c = retrieve_claims();
    char *cs = json_dumps(c, JSON_COMPACT);
    json_decref(c);
    tok = forge_token("{\"alg\":\"ES256\",\"typ\":\"JWT\",\"x5u\":\"" URL_UNMAPPED "\"}", cs,
                      sp1234->key);
    rq = retrieve_rq(tok);
    expect_rq(&rq, CLID_ERR_X5U_UNMAPPED);
    free(tok);
    /* Signed by another key than the certificate's. */
    tok = forge_token(HDR_OK, cs, sp5678->key);
    rq = retrieve_rq(tok);
    expect_rq(&rq, CLID_ERR_SIGNATURE_INVALID);
    free(tok);
    free(cs);
    /* One character of the signature changed. */
    tok = sign_token(s1234, &(clid_oob_token_params){.action = CLID_OOB_RETRIEVE, .aud = AUD,
                                                     .orig = ORIG, .dest = DEST});
    char *sig = strrchr(tok, '.') + 1;
    sig[10] = sig[10] == 'A' ? 'B' : 'A';
    rq = retrieve_rq(tok);
    expect_rq(&rq, CLID_ERR_SIGNATURE_INVALID);
    free(tok);
}

/* ------------------------------------------------------------------------ */
/* The publish body                                                          */
/* ------------------------------------------------------------------------ */

static void expect_publish(const char *const *signed_pp, size_t n, const char *body,
                           clid_err code)
{
    char *tok = sign_token(s1234, &(clid_oob_token_params){
                                      .action = CLID_OOB_PUBLISH, .aud = AUD, .orig = ORIG,
                                      .dest = DEST, .passports = signed_pp,
                                      .passport_count = n});
    clid_oob_request rq = publish_rq(tok, body);
    expect_rq(&rq, code);
    free(tok);
}

static void test_publish_body(void **state)
{
    (void)state;
    const char *one[] = {pp1};
    const char *two[] = {pp1, pp2};
    const char *swapped[] = {pp2, pp1};
    char *b1 = body_of(one, 1);
    char *b2 = body_of(two, 2);
    char *bs = body_of(swapped, 2);
    expect_publish(one, 1, b1, CLID_OK);
    /* The digest covers exactly the array sent, order included. */
    expect_publish(one, 1, b2, CLID_ERR_OOB_DIGEST_MISMATCH);
    expect_publish(two, 2, bs, CLID_ERR_OOB_DIGEST_MISMATCH);
    expect_publish(two, 2, NULL, CLID_ERR_OOB_BODY_PARSE);
    expect_publish(two, 2, "{\"passports\":[]}", CLID_ERR_OOB_BODY_PARSE);
    /* A PASSporT for another caller. */
    const char *other[] = {pp1, pp_other};
    char *bo = body_of(other, 2);
    expect_publish(other, 2, bo, CLID_ERR_OOB_PASSPORT_MISMATCH);
    /* Not a PASSporT at all (three base64url parts, not JSON inside). */
    const char *junk[] = {"abc.def.ghi"};
    char *bj = body_of(junk, 1);
    expect_publish(junk, 1, bj, CLID_ERR_JSON);
    assert_int_equal(clid_oob_http_status(CLID_ERR_JSON), 400);
    /* Too many: nine PASSporTs, or more than the CPS's own limit. */
    char big[9 * 2100 + 64] = "{\"passports\":[";
    for (int i = 0; i < 9; i++) {
        strcat(big, i ? ",\"" : "\"");
        strcat(big, pp1);
        strcat(big, "\"");
    }
    strcat(big, "]}");
    expect_publish(one, 1, big, CLID_ERR_OOB_TOO_MANY_PASSPORTS);
    char *tok = sign_token(s1234, &(clid_oob_token_params){
                                      .action = CLID_OOB_PUBLISH, .aud = AUD, .orig = ORIG,
                                      .dest = DEST, .passports = two, .passport_count = 2});
    clid_oob_request rq = publish_rq(tok, b2);
    clid_oob_grant *g = NULL;
    assert_int_equal(clid_oob_grant_new(&g), CLID_OK);
    clid_oob_check_opts o = {.aud = AUD, .max_passports = 1};
    assert_int_equal(clid_oob_check_request(ver, &o, &rq, g), CLID_ERR_OOB_TOO_MANY_PASSPORTS);
    /* Longer than CLID_OOB_MAX_BODY: refused whatever it holds. */
    char *huge = malloc(CLID_OOB_MAX_BODY + 2);
    assert_non_null(huge);
    memset(huge, ' ', CLID_OOB_MAX_BODY + 1);
    memcpy(huge, b2, strlen(b2));
    huge[CLID_OOB_MAX_BODY + 1] = '\0';
    rq = publish_rq(tok, huge);
    o.max_passports = 0;
    assert_int_equal(clid_oob_check_request(ver, &o, &rq, g), CLID_ERR_OOB_BODY_PARSE);
    clid_oob_grant_free(g);
    free(huge);
    free(tok);
    free(b1);
    free(b2);
    free(bs);
    free(bo);
    free(bj);
}

/* ------------------------------------------------------------------------ */
/* Truncation: no prefix of a valid token or body passes or crashes          */
/* ------------------------------------------------------------------------ */

static void test_truncation(void **state)
{
    (void)state;
    const char *two[] = {pp1, pp2};
    char *tok = sign_token(s1234, &(clid_oob_token_params){
                                      .action = CLID_OOB_PUBLISH, .aud = AUD, .orig = ORIG,
                                      .dest = DEST, .passports = two, .passport_count = 2});
    char *body = body_of(two, 2);
    clid_oob_grant *g = NULL;
    assert_int_equal(clid_oob_grant_new(&g), CLID_OK);
    clid_oob_check_opts o = {.aud = AUD};
    clid_oob_request rq = publish_rq(tok, body);
    assert_int_equal(clid_oob_check_request(ver, &o, &rq, g), CLID_OK);
    size_t tl = strlen(tok);
    for (size_t n = 0; n < tl; n++) {
        char *cut = strndup(tok, n);
        rq = publish_rq(cut, body);
        assert_int_not_equal(clid_oob_check_request(ver, &o, &rq, g), CLID_OK);
        free(cut);
    }
    rq = publish_rq(tok, body);
    size_t bl = strlen(body);
    for (size_t n = 0; n < bl; n++) {
        rq.body_len = n; /* not NUL-terminated at n: the length is the bound */
        assert_int_not_equal(clid_oob_check_request(ver, &o, &rq, g), CLID_OK);
    }
    clid_oob_grant_free(g);
    free(tok);
    free(body);
}

/* ------------------------------------------------------------------------ */
/* Signing arguments and the HTTP status map                                 */
/* ------------------------------------------------------------------------ */

static void test_sign_arguments(void **state)
{
    (void)state;
    char buf[CLID_OOB_MAX_TOKEN];
    size_t len = 0;
    const char *one[] = {pp1};
    clid_oob_token_params p = publish_params(one, 1);
    assert_int_equal(clid_oob_token_sign(s1234, &p, buf, 10, &len), CLID_ERR_BUFFER_TOO_SMALL);
    assert_true(len > 10);
    assert_int_equal(clid_oob_token_sign(s1234, &p, buf, len, &len), CLID_OK);
    p.ttl = 61;
    assert_int_equal(clid_oob_token_sign(s1234, &p, buf, sizeof buf, &len),
                     CLID_ERR_INVALID_ARGUMENT);
    p = publish_params(NULL, 0);
    assert_int_equal(clid_oob_token_sign(s1234, &p, buf, sizeof buf, &len),
                     CLID_ERR_INVALID_ARGUMENT);
    p = retrieve_params();
    p.action = (clid_oob_action)9;
    assert_int_equal(clid_oob_token_sign(s1234, &p, buf, sizeof buf, &len),
                     CLID_ERR_INVALID_ARGUMENT);
    p = retrieve_params();
    p.orig = "not a number";
    assert_int_equal(clid_oob_token_sign(s1234, &p, buf, sizeof buf, &len), CLID_ERR_BAD_TN);
    p = retrieve_params();
    p.aud = NULL;
    assert_int_equal(clid_oob_token_sign(s1234, &p, buf, sizeof buf, &len),
                     CLID_ERR_INVALID_ARGUMENT);
    /* No certificate: iss must be given. */
    clid_signer *s = NULL;
    assert_int_equal(clid_signer_new(&s), CLID_OK);
    p = retrieve_params();
    assert_int_equal(clid_oob_token_sign(s, &p, buf, sizeof buf, &len),
                     CLID_ERR_INVALID_ARGUMENT); /* no key, no x5u */
    clid_signer_free(s);
    s = tp_signer_new(notn, URL_NOTN, &t0);
    assert_int_equal(clid_oob_token_sign(s, &p, buf, sizeof buf, &len),
                     CLID_ERR_INVALID_ARGUMENT);
    p.iss = "1234";
    assert_int_equal(clid_oob_token_sign(s, &p, buf, sizeof buf, &len), CLID_OK);
    clid_signer_free(s);
}

static void test_http_status(void **state)
{
    (void)state;
    struct {
        clid_err e;
        int status;
    } map[] = {
        {CLID_OK, 200},
        {CLID_ERR_OOB_TOKEN_MISSING, 401},
        {CLID_ERR_OOB_TOKEN_PARSE, 401},
        {CLID_ERR_OOB_TOKEN_EXPIRED, 401},
        {CLID_ERR_OOB_TOKEN_LIFETIME, 401},
        {CLID_ERR_OOB_TOKEN_AUDIENCE, 401},
        {CLID_ERR_CERT_UNTRUSTED, 401},
        {CLID_ERR_CERT_EXPIRED, 401},
        {CLID_ERR_CERT_REVOKED, 401},
        {CLID_ERR_X5U_UNMAPPED, 401},
        {CLID_ERR_X5U_TIMEOUT, 401},
        {CLID_ERR_SIGNATURE_INVALID, 401},
        {CLID_ERR_EXT_DUPLICATE, 401},
        {CLID_ERR_DER_MALFORMED, 401},
        {CLID_ERR_OOB_SPC_NOT_AUTHORIZED, 403},
        {CLID_ERR_OOB_TOKEN_ACTION, 403},
        {CLID_ERR_OOB_TOKEN_BINDING, 403},
        {CLID_ERR_OOB_DIGEST_MISMATCH, 403},
        {CLID_ERR_OOB_TOKEN_REPLAY, 409},
        {CLID_ERR_OOB_BODY_PARSE, 400},
        {CLID_ERR_BAD_TN, 400},
        {CLID_ERR_OOB_PASSPORT_MISMATCH, 400},
        {CLID_ERR_PASSPORT_ORIG, 400},
        {CLID_ERR_PASSPORT_COMPACT, 400},
        {CLID_ERR_OOB_TOO_MANY_PASSPORTS, 413},
        {CLID_ERR_OOB_NOT_FOUND, 404},
        {CLID_ERR_OOB_STORE_FULL, 503},
        {CLID_ERR_OOB_STORE_UNAVAILABLE, 503},
        {CLID_ERR_OOB_CPS_UNREACHABLE, 502},
        {CLID_ERR_OOB_CPS_STATUS, 502},
        {CLID_ERR_NOMEM, 500},
        {CLID_ERR_INVALID_ARGUMENT, 500},
        {(clid_err)-1, 500},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        print_message("%s\n", clid_err_name(map[i].e));
        assert_int_equal(clid_oob_http_status(map[i].e), map[i].status);
    }
}

static void test_check_arguments(void **state)
{
    (void)state;
    clid_oob_grant *g = NULL;
    assert_int_equal(clid_oob_grant_new(&g), CLID_OK);
    clid_oob_request rq = retrieve_rq("a.b.c");
    clid_oob_check_opts o = {.aud = AUD};
    assert_int_equal(clid_oob_check_request(NULL, &o, &rq, g), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_oob_check_request(ver, NULL, &rq, g), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_oob_check_request(ver, &o, NULL, g), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_oob_check_request(ver, &o, &rq, NULL), CLID_ERR_INVALID_ARGUMENT);
    o.aud = NULL;
    assert_int_equal(clid_oob_check_request(ver, &o, &rq, g), CLID_ERR_INVALID_ARGUMENT);
    clid_oob_grant_free(g);
    /* Accessors on NULL. */
    assert_string_equal(clid_oob_grant_iss(NULL), "");
    assert_null(clid_oob_grant_passports(NULL));
    clid_oob_grant_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_publish_round_trip),
        cmocka_unit_test(test_retrieve_round_trip),
        cmocka_unit_test(test_republish_on_post),
        cmocka_unit_test(test_bearer_scheme),
        cmocka_unit_test(test_garbled_tokens),
        cmocka_unit_test(test_header_defects),
        cmocka_unit_test(test_claim_defects),
        cmocka_unit_test(test_audience_action),
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_binding),
        cmocka_unit_test(test_authority),
        cmocka_unit_test(test_chain_and_signature),
        cmocka_unit_test(test_publish_body),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_sign_arguments),
        cmocka_unit_test(test_http_status),
        cmocka_unit_test(test_check_arguments),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
