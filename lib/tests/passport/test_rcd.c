/*
 * Rich Call Data claims (RFC 9795; passport/rcd.c): parsing with its
 * reason for every defect, ppt "rcd", digests, JSON pointers, and the
 * signer's canonical claims.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "passport/rcd.h"
#include "passport_fixture.h"

#define HDR_RCD                                                                                   \
    "{\"alg\":\"ES256\",\"ppt\":\"rcd\",\"typ\":\"passport\",\"x5u\":\"https://cert.example.org/a\"}"
#define BASE "\"dest\":{\"tn\":[\"12155552000\"]},\"iat\":1795305094,\"orig\":{\"tn\":\"12155551000\"}"
#define SHAKEN_BASE "\"attest\":\"A\"," BASE ",\"origid\":\"" UUID "\""
/* sha256 of "" in SRI form. */
#define D_EMPTY "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="

static clid_err parse_claims(const char *hdr, const char *claims, clid__passport *p)
{
    uint8_t sig[64] = {0};
    char *jws = make_jws_sig(hdr, claims, sig, sizeof sig);
    clid_err rc = parse(jws, p);
    free(jws);
    return rc;
}

static void expect_shaken(const char *extra, clid_err code)
{
    char claims[4096];
    snprintf(claims, sizeof claims, "{" SHAKEN_BASE "%s}", extra);
    clid__passport p;
    clid__passport_init(&p);
    assert_string_equal(clid_err_name(parse_claims(HDR_SHAKEN, claims, &p)), clid_err_name(code));
    clid__passport_clear(&p);
}

static void parse_good(void **state)
{
    (void)state;
    clid__passport p;
    clid__passport_init(&p);
    const char *claims =
        "{" SHAKEN_BASE ",\"crn\":\"Order\",\"rcd\":{\"icn\":\"https://x.example/i.png\","
        "\"jcl\":\"https://x.example/j.json\",\"nam\":\"Alice\"},"
        "\"rcdi\":{\"/icn\":\"" D_EMPTY "\",\"/jcl\":\"" D_EMPTY "\"}}";
    assert_int_equal(parse_claims(HDR_SHAKEN, claims, &p), CLID_OK);
    assert_true(p.rcd.present);
    assert_string_equal(p.rcd.nam, "Alice");
    assert_string_equal(p.rcd.crn, "Order");
    assert_string_equal(p.rcd.jcl, "https://x.example/j.json");
    assert_int_equal(p.rcd.n_rcdi, 2);
    clid__passport_clear(&p);

    /* ppt "rcd": orig, dest, iat and rcd; no attest or origid. */
    assert_int_equal(parse_claims(HDR_RCD, "{" BASE ",\"rcd\":{\"nam\":\"Bob\"}}", &p), CLID_OK);
    assert_string_equal(p.rcd.nam, "Bob");
    clid__passport_clear(&p);
    assert_int_equal(parse_claims(HDR_RCD, "{" BASE "}", &p), CLID_ERR_RCD_SYNTAX);
    clid__passport_clear(&p);

    /* An inline jCard with a uri property and its digest (one level). */
    expect_shaken(",\"rcd\":{\"jcd\":[\"vcard\",[[\"logo\",{},\"uri\",\"https://x.example/l\"]]],"
                  "\"nam\":\"A\"},\"rcdi\":{\"/jcd/1/0/3\":\"" D_EMPTY "\"}",
                  CLID_OK);
}

static void parse_negatives(void **state)
{
    (void)state;
    expect_shaken(",\"rcd\":{\"jcd\":[\"vcard\",[]],\"jcl\":\"https://x.example/j\",\"nam\":\"A\"}",
                  CLID_ERR_RCD_SYNTAX);                                  /* jcd and jcl */
    expect_shaken(",\"rcd\":{\"nam\":7}", CLID_ERR_RCD_SYNTAX);           /* nam not a string */
    expect_shaken(",\"rcd\":{\"icn\":\"https://x.example/i\"}", CLID_ERR_RCD_SYNTAX); /* no nam */
    expect_shaken(",\"rcd\":\"Alice\"", CLID_ERR_RCD_SYNTAX);
    expect_shaken(",\"rcd\":{\"nam\":\"A\\u0007\"}", CLID_ERR_RCD_SYNTAX); /* control char */
    expect_shaken(",\"crn\":\"a\\nb\"", CLID_ERR_RCD_SYNTAX);
    expect_shaken(",\"rcd\":{\"icn\":\"ftp://x.example/i\",\"nam\":\"A\"}", CLID_ERR_RCD_SYNTAX);
    expect_shaken(",\"rcd\":{\"icn\":\"https://x.example/a b\",\"nam\":\"A\"}",
                  CLID_ERR_RCD_SYNTAX);
    expect_shaken(",\"rcd\":{\"jcd\":{\"fn\":\"A\"},\"nam\":\"A\"}", CLID_ERR_RCD_SYNTAX);
    expect_shaken(",\"rcd\":{\"jcd\":[\"vcard\",[[\"fn\",{},\"text\"]]],\"nam\":\"A\"}",
                  CLID_ERR_RCD_SYNTAX); /* property without a value */
    expect_shaken(",\"rcd\":{\"icn\":\"https://x.example/i\",\"nam\":\"A\"},"
                  "\"rcdi\":{\"/icn\":\"md5-1B2M2Y8AsgTpgAmY7PhCfg==\"}",
                  CLID_ERR_RCD_DIGEST_ALG);
    expect_shaken(",\"rcd\":{\"icn\":\"https://x.example/i\",\"nam\":\"A\"},"
                  "\"rcdi\":{\"/icn\":\"47DEQpj8HBSa\"}",
                  CLID_ERR_RCD_DIGEST_ALG); /* no algorithm */
    expect_shaken(",\"rcd\":{\"icn\":\"https://x.example/i\",\"nam\":\"A\"},"
                  "\"rcdi\":{\"/icn\":\"sha256-47DEQpj8HBSa\"}",
                  CLID_ERR_RCD_SYNTAX); /* truncated */
    expect_shaken(",\"rcd\":{\"nam\":\"A\"},\"rcdi\":{\"/icn\":\"" D_EMPTY "\"}",
                  CLID_ERR_RCD_SYNTAX); /* pointer to an absent member */
    expect_shaken(",\"rcdi\":{\"/icn\":\"" D_EMPTY "\"}", CLID_ERR_RCD_SYNTAX); /* no rcd */
    expect_shaken(",\"rcd\":{\"icn\":\"https://x.example/i\",\"nam\":\"A\"},\"rcdi\":[]",
                  CLID_ERR_RCD_SYNTAX);
    expect_shaken(",\"rcd\":{\"icn\":\"https://x.example/i\",\"nam\":\"A\"},"
                  "\"rcdi\":{\"/icn\":7}",
                  CLID_ERR_RCD_SYNTAX);

    /* A huge inline jCard: beyond the Identity header bound first. */
    size_t n = CLID_PASSPORT_MAX_LEN;
    char *big = malloc(n + 200);
    int o = snprintf(big, n + 200, ",\"rcd\":{\"nam\":\"A\",\"jcd\":[\"vcard\",[[\"note\",{},"
                                   "\"text\",\"");
    memset(big + o, 'x', n - (size_t)o);
    strcpy(big + n, "\"]]]}");
    char claims[2 * CLID_PASSPORT_MAX_LEN];
    snprintf(claims, sizeof claims, "{" SHAKEN_BASE "%s}", big);
    clid__passport p;
    clid__passport_init(&p);
    uint8_t sig[64] = {0};
    char *jws = make_jws_sig(HDR_SHAKEN, claims, sig, sizeof sig);
    assert_int_equal(clid__passport_parse(jws, strlen(jws), &p), CLID_ERR_IDENTITY_TOO_LARGE);
    clid__passport_clear(&p);
    free(jws);
    free(big);
}

static void pointers_and_digests(void **state)
{
    (void)state;
    json_error_t e;
    json_t *j = json_loads("{\"a/b\":{\"c~d\":[\"x\",\"y\"]}}", 0, &e);
    assert_string_equal(json_string_value(clid__rcd_pointer_get(j, "/a~1b/c~0d/1")), "y");
    assert_null(clid__rcd_pointer_get(j, "/a~1b/c~0d/01"));
    assert_null(clid__rcd_pointer_get(j, "/a~2b"));
    assert_null(clid__rcd_pointer_get(j, "a"));
    json_decref(j);

    clid__rcd_alg alg = 0;
    assert_int_equal(clid__rcd_digest_parse(D_EMPTY, strlen(D_EMPTY), &alg), CLID_OK);
    assert_int_equal(alg, CLID__RCD_SHA256);
    assert_true(clid__rcd_digest_matches(alg, D_EMPTY, (const uint8_t *)"", 0));
    assert_false(clid__rcd_digest_matches(alg, D_EMPTY, (const uint8_t *)"x", 1));
    char d[96];
    assert_int_equal(clid__rcd_digest_format(CLID__RCD_SHA512, (const uint8_t *)"", 0, d,
                                             sizeof d),
                     CLID_OK);
    assert_int_equal(clid__rcd_digest_parse(d, strlen(d), &alg), CLID_OK);
    assert_int_equal(alg, CLID__RCD_SHA512);
    assert_int_equal(clid__rcd_digest_parse("sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk=", 33, &alg),
                     CLID_ERR_RCD_DIGEST_ALG);
}

static void build_claims(void **state)
{
    (void)state;
    json_t *c = json_object();
    clid_rcd r = {.nam = "Alice", .crn = "Order", .icn = "https://x.example/i",
                  .icn_content = (const uint8_t *)"", .icn_content_len = 0};
    assert_int_equal(clid__rcd_add_claims(c, &r), CLID_OK);
    char *s = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(s, "{\"crn\":\"Order\",\"rcd\":{\"icn\":\"https://x.example/i\","
                           "\"nam\":\"Alice\"},\"rcdi\":{\"/icn\":\"" D_EMPTY "\"}}");
    free(s);
    json_decref(c);

    /* What clid.h forbids. */
    const clid_rcd bad[] = {
        {.nam = NULL},
        {.nam = ""},
        {.nam = "A\x01"},
        {.nam = "A", .jcd = "[\"vcard\",[]]", .jcl = "https://x.example/j"},
        {.nam = "A", .jcd = "{}"},
        {.nam = "A", .jcd = "[\"vcard\",[[\"logo\",{},\"uri\",\"https://x.example/l\"]]]"},
        {.nam = "A", .icn = "javascript:x"},
        {.nam = "A", .icn_content = (const uint8_t *)"x", .icn_content_len = 1},
        {.nam = "A", .apn = "not a number"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        c = json_object();
        assert_int_equal(clid__rcd_add_claims(c, &bad[i]), CLID_ERR_INVALID_ARGUMENT);
        json_decref(c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_good),
        cmocka_unit_test(parse_negatives),
        cmocka_unit_test(pointers_and_digests),
        cmocka_unit_test(build_claims),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
