/* The fixture shared by the out-of-band SHAKEN tests: see oob_fixture.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/b64url.h"
#include "core/es256.h"
#include "oob_fixture.h"

tp_cert *root, *inter, *sp1234, *sp5678, *sp9999, *notn, *other_root, *untrusted;
int64_t t0 = TP_T0;
clid_ctx *ctx;
clid_verifier *ver;
clid_signer *s1234, *s5678, *s9999, *suntrusted;
char *pp1, *pp2, *pp_other;
static char *chains[5];

static char *passport(const char *orig)
{
    const char *dest[] = {DEST};
    clid_claims c = {.orig = orig, .dest = dest, .dest_count = 1, .attest = 'A'};
    char buf[2048];
    size_t len = 0;
    assert_int_equal(clid_sign_passport(s1234, &c, 0, buf, sizeof buf, &len), CLID_OK);
    return strdup(buf);
}

int group_setup(void **state)
{
    (void)state;
    root = tp_test_root();
    inter = tp_test_stica(root);
    sp1234 = tp_issue(&(tp_spec){.cn = "SHAKEN 1234", .tnauth = "spc:1234"}, inter);
    sp5678 = tp_issue(&(tp_spec){.cn = "SHAKEN 5678", .tnauth = "spc:5678"}, inter);
    sp9999 = tp_issue(&(tp_spec){.cn = "SHAKEN 9999", .tnauth = "spc:9999"}, inter);
    notn = tp_issue(&(tp_spec){.cn = "No TNAuthList"}, inter);
    other_root = tp_issue(&(tp_spec){.cn = "Test Root", .ca = 1}, NULL);
    untrusted = tp_issue(&(tp_spec){.cn = "SHAKEN 1234", .tnauth = "spc:1234"}, other_root);
    chains[0] = tp_cat(sp1234->pem, inter->pem, NULL);
    chains[1] = tp_cat(sp5678->pem, inter->pem, NULL);
    chains[2] = tp_cat(sp9999->pem, inter->pem, NULL);
    chains[3] = tp_cat(notn->pem, inter->pem, NULL);
    chains[4] = tp_cat(untrusted->pem, NULL);
    const char *urls[] = {URL_1234, URL_5678, URL_9999, URL_NOTN, URL_UNTRUSTED};
    ctx = tp_ctx_new(root, &t0);
    for (size_t i = 0; i < 5; i++)
        tp_ctx_map(ctx, urls[i], chains[i]);
    ver = tp_verifier_new(ctx);
    s1234 = tp_signer_new(sp1234, URL_1234, &t0);
    s5678 = tp_signer_new(sp5678, URL_5678, &t0);
    s9999 = tp_signer_new(sp9999, URL_9999, &t0);
    suntrusted = tp_signer_new(untrusted, URL_UNTRUSTED, &t0);
    pp1 = passport(ORIG);
    pp2 = passport(ORIG);
    pp_other = passport("12025550111");
    return 0;
}

int group_teardown(void **state)
{
    (void)state;
    clid_signer_free(s1234);
    clid_signer_free(s5678);
    clid_signer_free(s9999);
    clid_signer_free(suntrusted);
    clid_verifier_free(ver);
    clid_ctx_free(ctx);
    tp_cert *all[] = {root, inter, sp1234, sp5678, sp9999, notn, other_root, untrusted};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        tp_free(all[i]);
    for (size_t i = 0; i < 5; i++)
        free(chains[i]);
    free(pp1);
    free(pp2);
    free(pp_other);
    return 0;
}

char *sign_token(const clid_signer *s, const clid_oob_token_params *p)
{
    char buf[CLID_OOB_MAX_TOKEN];
    size_t len = 0;
    assert_int_equal(clid_oob_token_sign(s, p, buf, sizeof buf, &len), CLID_OK);
    assert_int_equal(strlen(buf), len);
    return strdup(buf);
}

clid_oob_token_params publish_params(const char *const *pp, size_t n)
{
    return (clid_oob_token_params){.action = CLID_OOB_PUBLISH, .aud = AUD, .orig = ORIG,
                                   .dest = DEST, .passports = pp, .passport_count = n};
}

clid_oob_token_params retrieve_params(void)
{
    return (clid_oob_token_params){.action = CLID_OOB_RETRIEVE, .aud = AUD, .orig = ORIG,
                                   .dest = DEST};
}

char *body_of(const char *const *pp, size_t n)
{
    char buf[CLID_OOB_MAX_BODY + 1];
    size_t len = 0;
    assert_int_equal(clid_oob_body_build(pp, n, buf, sizeof buf, &len), CLID_OK);
    return strdup(buf);
}

static char *b64(const void *data, size_t n)
{
    char *out = malloc(clid__b64url_encoded_len(n) + 1);
    assert_non_null(out);
    out[clid__b64url_encode(data, n, out)] = '\0';
    return out;
}

char *forge_token(const char *hdr, const char *claims, EVP_PKEY *key)
{
    char *h = b64(hdr, strlen(hdr));
    char *c = b64(claims, strlen(claims));
    char *input = tp_cat(h, ".", c, NULL);
    clid__es256_key *k = NULL;
    assert_int_equal(clid__es256_key_new(key, 1, &k), CLID_OK);
    uint8_t raw[CLID_ES256_SIG_LEN];
    assert_int_equal(clid__es256_sign(k, (const uint8_t *)input, strlen(input), raw), CLID_OK);
    clid__es256_key_free(k);
    char *sig = b64(raw, sizeof raw);
    char *out = tp_cat(input, ".", sig, NULL);
    free(h);
    free(c);
    free(input);
    free(sig);
    return out;
}

static json_t *base_claims(const char *action)
{
    json_t *c = json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:{s:s},s:{s:[s]}}", "iat", (json_int_t)t0,
                          "exp", (json_int_t)(t0 + 30), "action", action, "iss", "1234", "aud",
                          AUD, "jti", "jti-1", "orig", "tn", ORIG, "dest", "tn", DEST);
    assert_non_null(c);
    return c;
}

json_t *publish_claims(void)
{
    json_t *c = base_claims("publish");
    const char *pp[] = {pp1};
    char d[CLID_OOB_DIGEST_BUF];
    assert_int_equal(clid_oob_passports_digest(pp, 1, d), CLID_OK);
    assert_int_equal(json_object_set_new(c, "passports", json_string(d)), 0);
    return c;
}

json_t *retrieve_claims(void)
{
    return base_claims("retrieve");
}

char *forge_json(const json_t *claims)
{
    char *c = json_dumps(claims, JSON_COMPACT);
    assert_non_null(c);
    char *t = forge_token(HDR_OK, c, sp1234->key);
    free(c);
    return t;
}

static char auth_buf[CLID_OOB_MAX_TOKEN * 2 + 64];

static const char *bearer(const char *token)
{
    if (token == NULL)
        return NULL;
    snprintf(auth_buf, sizeof auth_buf, "Bearer %s", token);
    return auth_buf;
}

clid_oob_request publish_rq(const char *token, const char *body)
{
    return (clid_oob_request){.action = CLID_OOB_PUBLISH, .dest = DEST, .orig = ORIG,
                              .authorization = bearer(token), .body = body,
                              .body_len = body != NULL ? strlen(body) : 0, .now = t0};
}

clid_oob_request retrieve_rq(const char *token)
{
    return (clid_oob_request){.action = CLID_OOB_RETRIEVE, .dest = DEST, .orig = ORIG,
                              .authorization = bearer(token), .now = t0};
}

void expect_rq(const clid_oob_request *rq, clid_err code)
{
    clid_oob_grant *g = NULL;
    assert_int_equal(clid_oob_grant_new(&g), CLID_OK);
    clid_oob_check_opts o = {.aud = AUD};
    clid_err rc = clid_oob_check_request(ver, &o, rq, g);
    if (rc != code)
        print_error("detail: %s\n", clid_oob_grant_detail(g));
    assert_string_equal(clid_err_name(rc), clid_err_name(code));
    clid_oob_grant_free(g);
}
