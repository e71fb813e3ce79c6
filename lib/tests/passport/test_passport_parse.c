/*
 * lib/src/passport/passport.c: strict parsing of received PASSporTs (RFC 8225,
 * RFC 8588 shaken, RFC 8946 div), one code per defect, and the diagnostics
 * kept from a refused one. The helpers shared with test_passport.c are in
 * passport_fixture.h.
 */
#include "support/stir_core_test.h"

#include "core/es256.h"
#include "passport/passport.h"
#include "passport_fixture.h"

/* ------------------------------------------------------------------------ */
/* helpers                                                                   */

static const uint8_t SIG64[64] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

static char *make_jws(const char *header, const char *claims)
{
    return make_jws_sig(header, claims, SIG64, sizeof SIG64);
}

static void expect(const char *what, const char *header, const char *claims, clid_err expected)
{
    char *jws = make_jws(header, claims);
    clid__passport p;
    clid__passport_init(&p);
    clid_err rc = parse(jws, &p);
    if (rc != expected)
        fail_msg("%s: got %s, expected %s", what, clid_err_name(rc), clid_err_name(expected));
    clid__passport_clear(&p);
    free(jws);
}

/* ------------------------------------------------------------------------ */
/* parsing                                                                   */

static void parse_secsipidx(void **state)
{
    (void)state;
    char *jws = make_jws(HDR_SHAKEN, SECSIPIDX_CLAIMS);
    clid__passport p;
    clid__passport_init(&p);
    sc_assert_ok(parse(jws, &p));
    assert_string_equal(p.alg, "ES256");
    assert_string_equal(p.typ, "passport");
    assert_string_equal(p.ppt, "shaken");
    assert_string_equal(p.x5u, "http://127.0.0.1:8090/v1/pub/ec256-cert.pem");
    assert_int_equal(p.iat, 1795305094);
    assert_string_equal(p.orig, "12155551000");
    assert_null(p.orig_uri);
    assert_int_equal(p.dest_count, 1);
    assert_string_equal(p.dest[0], "12155552000");
    assert_int_equal(p.dest_uri_count, 0);
    assert_int_equal(p.attest, 'A');
    assert_string_equal(p.origid, UUID);
    assert_string_equal(p.div, "");
    assert_int_equal(p.compact, 0);
    assert_int_equal(p.sig_len, 64);
    assert_memory_equal(p.sig, SIG64, 64);
    assert_non_null(p.claims);
    assert_string_equal(json_string_value(json_object_get(p.claims, "attest")), "A");
    /* the signing input is the received text, not a re-serialization */
    const char *d2 = strrchr(jws, '.');
    assert_int_equal(p.signing_input_len, (size_t)(d2 - jws));
    assert_memory_equal(p.signing_input, jws, p.signing_input_len);
    assert_int_equal(p.signing_input[p.signing_input_len], '\0');

    /* parsing again into the same struct frees what it held */
    sc_assert_ok(parse(jws, &p));
    clid__passport_clear(&p);
    clid__passport_clear(&p); /* idempotent */
    clid__passport_clear(NULL);
    free(jws);
}

/* RFC 8225 Appendix A (the RFC's final token): no ppt, dest as a URI. */
static const char RFC8225_TOKEN[] =
    "eyJhbGciOiJFUzI1NiIsInR5cCI6InBhc3Nwb3J0IiwieDV1IjoiaHR0cHM6Ly9jZXJ0LmV4YW1wbGUub3JnL3Bh"
    "c3Nwb3J0LmNlciJ9"
    ".eyJkZXN0Ijp7InVyaSI6WyJzaXA6YWxpY2VAZXhhbXBsZS5jb20iXX0sImlhdCI6MTQ3MTM3NTQxOCwib3JpZyI6"
    "eyJ0biI6IjEyMTU1NTUxMjEyIn19"
    ".VLBCIVDCaeK6M4hLJb6SHQvacAQVvoiiEOWQ_iUkqk79UD81fHQ0E1b3_GluIkba7UWYRM47ZbNFdOJquE35cw";

static void parse_rfc8225_appendix_a(void **state)
{
    (void)state;
    clid__passport p;
    clid__passport_init(&p);
    sc_assert_ok(parse(RFC8225_TOKEN, &p));
    assert_string_equal(p.alg, "ES256");
    assert_string_equal(p.typ, "passport");
    assert_string_equal(p.ppt, "");
    assert_string_equal(p.x5u, "https://cert.example.org/passport.cer");
    assert_int_equal(p.iat, 1471375418);
    assert_string_equal(p.orig, "12155551212");
    assert_int_equal(p.dest_count, 0);
    assert_int_equal(p.dest_uri_count, 1);
    assert_string_equal(p.dest_uri[0], "sip:alice@example.com");
    assert_int_equal(p.attest, 0);
    assert_string_equal(p.origid, "");
    assert_int_equal(p.sig_len, 64);
    assert_int_equal(p.signing_input_len, strrchr(RFC8225_TOKEN, '.') - RFC8225_TOKEN);
    clid__passport_clear(&p);

    /* RFC 8225 §7.1 as published (iat as a string, erratum 5985) is refused */
    expect("RFC 8225 §7.1 iat string", HDR_NOPPT,
           "{\"dest\":{\"uri\":[\"sip:alice@example.com\"]},\"iat\":\"1443208345\","
           "\"orig\":{\"tn\":\"12155551212\"}}",
           CLID_ERR_PASSPORT_IAT);
}

static void parse_variants(void **state)
{
    (void)state;
    clid__passport p;
    clid__passport_init(&p);
    /* reordered members, whitespace, unknown members and claims (RFC 8225
     * §5.2.2: ignored, but kept), TNs in canonical form ('#' and '*' too) */
    char *jws = make_jws(
        " { \"x5u\" : \"https://a.example/c\", \"typ\":\"passport\", \"kid\":7, "
        "\"alg\":\"ES256\", \"ppt\":\"shaken\" } ",
        "{\"rcd\":{\"nam\":\"Alice\"},\"origid\":\"123E4567-E89B-12D3-A456-426614174000\","
        "\"orig\":{\"tn\":\"12155551000\"},\"iat\":0,\"dest\":{\"tn\":[\"12155552000\","
        "\"12155552001\",\"*67#\"],\"uri\":[\"sip:bob@example.com\"]},\"attest\":\"C\"}");
    sc_assert_ok(parse(jws, &p));
    assert_string_equal(p.orig, "12155551000");
    assert_int_equal(p.dest_count, 3);
    assert_string_equal(p.dest[0], "12155552000");
    assert_string_equal(p.dest[1], "12155552001");
    assert_string_equal(p.dest[2], "*67#");
    assert_int_equal(p.dest_uri_count, 1);
    assert_string_equal(p.dest_uri[0], "sip:bob@example.com");
    assert_int_equal(p.iat, 0);
    assert_int_equal(p.attest, 'C');
    assert_non_null(json_object_get(p.claims, "rcd"));
    clid__passport_clear(&p);
    free(jws);

    /* div */
    jws = make_jws(HDR_DIV, CLAIMS_DIV);
    sc_assert_ok(parse(jws, &p));
    assert_string_equal(p.ppt, "div");
    assert_string_equal(p.div, "12155553000");
    assert_int_equal(p.attest, 0);
    clid__passport_clear(&p);
    free(jws);

    /* no ppt: orig as a URI is fine (RFC 8225 §5.2.1) */
    jws = make_jws(HDR_NOPPT, "{\"dest\":{\"tn\":[\"1\"]},\"iat\":5,"
                              "\"orig\":{\"uri\":\"sip:alice@example.com\"}}");
    sc_assert_ok(parse(jws, &p));
    assert_string_equal(p.orig, "");
    assert_string_equal(p.orig_uri, "sip:alice@example.com");
    clid__passport_clear(&p);
    free(jws);

    /* 16 destinations: the maximum */
    char claims[1024] = "{\"attest\":\"A\",\"dest\":{\"tn\":[\"1\"";
    for (int i = 1; i < 16; i++)
        strcat(claims, ",\"1\"");
    strcat(claims, "]},\"iat\":1,\"orig\":{\"tn\":\"1\"},\"origid\":\"" UUID "\"}");
    jws = make_jws(HDR_SHAKEN, claims);
    sc_assert_ok(parse(jws, &p));
    assert_int_equal(p.dest_count, 16);
    clid__passport_clear(&p);
    free(jws);
}

/* Every negative case of issue 3 that belongs to the PASSporT, one code each. */
static void parse_rejects(void **state)
{
    (void)state;
#define CLAIMS_WITH(iat, orig, dest, attest, origid)                                              \
    "{\"attest\":" attest ",\"dest\":" dest ",\"iat\":" iat ",\"orig\":" orig                     \
    ",\"origid\":" origid "}"
#define OK_IAT "1795305094"
#define OK_ORIG "{\"tn\":\"12155551000\"}"
#define OK_DEST "{\"tn\":[\"12155552000\"]}"
#define OK_ATTEST "\"A\""
#define OK_ORIGID "\"" UUID "\""
#define C(iat, orig, dest, attest, origid) CLAIMS_WITH(iat, orig, dest, attest, origid)
    /* header */
    expect("alg none", "{\"alg\":\"none\",\"typ\":\"passport\",\"x5u\":\"https://a/b\"}",
           SECSIPIDX_CLAIMS, CLID_ERR_PASSPORT_ALG);
    expect("alg ES384", "{\"alg\":\"ES384\",\"typ\":\"passport\",\"x5u\":\"https://a/b\"}",
           SECSIPIDX_CLAIMS, CLID_ERR_PASSPORT_ALG);
    expect("alg es256", "{\"alg\":\"es256\",\"typ\":\"passport\",\"x5u\":\"https://a/b\"}",
           SECSIPIDX_CLAIMS, CLID_ERR_PASSPORT_ALG);
    expect("alg missing", "{\"typ\":\"passport\",\"x5u\":\"https://a/b\"}", SECSIPIDX_CLAIMS,
           CLID_ERR_PASSPORT_ALG);
    expect("alg number", "{\"alg\":256,\"typ\":\"passport\",\"x5u\":\"https://a/b\"}",
           SECSIPIDX_CLAIMS, CLID_ERR_PASSPORT_ALG);
    expect("typ JWT", "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"x5u\":\"https://a/b\"}",
           SECSIPIDX_CLAIMS, CLID_ERR_PASSPORT_TYP);
    expect("typ missing", "{\"alg\":\"ES256\",\"x5u\":\"https://a/b\"}", SECSIPIDX_CLAIMS,
           CLID_ERR_PASSPORT_TYP);
    expect("ppt number",
           "{\"alg\":\"ES256\",\"ppt\":1,\"typ\":\"passport\",\"x5u\":\"https://a/b\"}",
           SECSIPIDX_CLAIMS, CLID_ERR_PASSPORT_PPT);
    expect("ppt empty",
           "{\"alg\":\"ES256\",\"ppt\":\"\",\"typ\":\"passport\",\"x5u\":\"https://a/b\"}",
           SECSIPIDX_CLAIMS, CLID_ERR_PASSPORT_PPT);
    expect("ppt not a token",
           "{\"alg\":\"ES256\",\"ppt\":\"sha ken\",\"typ\":\"passport\",\"x5u\":\"https://a/b\"}",
           SECSIPIDX_CLAIMS, CLID_ERR_PASSPORT_PPT);
    expect("ppt too long",
           "{\"alg\":\"ES256\",\"ppt\":\"shakenshakenshaken\",\"typ\":\"passport\","
           "\"x5u\":\"https://a/b\"}",
           SECSIPIDX_CLAIMS, CLID_ERR_PASSPORT_PPT);
    expect("x5u missing", "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\"}",
           SECSIPIDX_CLAIMS, CLID_ERR_PASSPORT_X5U);
    expect("x5u number", "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":5}",
           SECSIPIDX_CLAIMS, CLID_ERR_PASSPORT_X5U);
    expect("x5u empty", "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"\"}",
           SECSIPIDX_CLAIMS, CLID_ERR_PASSPORT_X5U);
    expect("x5u CRLF",
           "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\","
           "\"x5u\":\"https://a/\\r\\nb\"}",
           SECSIPIDX_CLAIMS, CLID_ERR_PASSPORT_X5U);
    expect("x5u space",
           "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"https://a/ b\"}",
           SECSIPIDX_CLAIMS, CLID_ERR_PASSPORT_X5U);
    expect("crit", "{\"alg\":\"ES256\",\"crit\":[\"ppt\"],\"ppt\":\"shaken\",\"typ\":\"passport\","
                   "\"x5u\":\"https://a/b\"}",
           SECSIPIDX_CLAIMS, CLID_ERR_JSON);
    /* JSON structure */
    expect("header array", "[\"ES256\"]", SECSIPIDX_CLAIMS, CLID_ERR_JSON);
    expect("header string", "\"ES256\"", SECSIPIDX_CLAIMS, CLID_ERR_JSON);
    expect("header not JSON", "{alg:ES256}", SECSIPIDX_CLAIMS, CLID_ERR_JSON);
    expect("header trailing", HDR_SHAKEN "x", SECSIPIDX_CLAIMS, CLID_ERR_JSON);
    expect("header two objects", HDR_SHAKEN HDR_SHAKEN, SECSIPIDX_CLAIMS, CLID_ERR_JSON);
    expect("header duplicate",
           "{\"alg\":\"ES256\",\"alg\":\"none\",\"typ\":\"passport\",\"x5u\":\"https://a/b\"}",
           SECSIPIDX_CLAIMS, CLID_ERR_JSON);
    expect("claims duplicate", HDR_SHAKEN,
           "{\"attest\":\"A\",\"dest\":{\"tn\":[\"1\"]},\"iat\":1,\"orig\":{\"tn\":\"1\"},"
           "\"orig\":{\"tn\":\"2\"},\"origid\":\"" UUID "\"}",
           CLID_ERR_JSON);
    expect("nested duplicate", HDR_SHAKEN,
           C(OK_IAT, "{\"tn\":\"1\",\"tn\":\"2\"}", OK_DEST, OK_ATTEST, OK_ORIGID),
           CLID_ERR_JSON);
    expect("claims array", HDR_SHAKEN, "[]", CLID_ERR_JSON);
    expect("claims NUL escape", HDR_SHAKEN,
           C(OK_IAT, "{\"tn\":\"1\\u0000\"}", OK_DEST, OK_ATTEST, OK_ORIGID), CLID_ERR_JSON);
    expect("claims bad UTF-8", HDR_SHAKEN,
           C(OK_IAT, OK_ORIG, OK_DEST, OK_ATTEST, OK_ORIGID) "\xff", CLID_ERR_JSON);
    expect("iat too big for int64", HDR_SHAKEN,
           C("92233720368547758070", OK_ORIG, OK_DEST, OK_ATTEST, OK_ORIGID), CLID_ERR_JSON);
    /* iat */
    expect("iat string", HDR_SHAKEN, C("\"1795305094\"", OK_ORIG, OK_DEST, OK_ATTEST, OK_ORIGID),
           CLID_ERR_PASSPORT_IAT);
    expect("iat real", HDR_SHAKEN, C("1795305094.5", OK_ORIG, OK_DEST, OK_ATTEST, OK_ORIGID),
           CLID_ERR_PASSPORT_IAT);
    expect("iat real integral", HDR_SHAKEN,
           C("1.795305094e9", OK_ORIG, OK_DEST, OK_ATTEST, OK_ORIGID),
           CLID_ERR_PASSPORT_IAT);
    expect("iat negative", HDR_SHAKEN, C("-1", OK_ORIG, OK_DEST, OK_ATTEST, OK_ORIGID),
           CLID_ERR_PASSPORT_IAT);
    expect("iat null", HDR_SHAKEN, C("null", OK_ORIG, OK_DEST, OK_ATTEST, OK_ORIGID),
           CLID_ERR_PASSPORT_IAT);
    expect("iat missing", HDR_SHAKEN,
           "{\"attest\":\"A\",\"dest\":" OK_DEST ",\"orig\":" OK_ORIG ",\"origid\":" OK_ORIGID "}",
           CLID_ERR_PASSPORT_IAT);
    /* orig */
    expect("orig string", HDR_SHAKEN, C(OK_IAT, "\"12155551000\"", OK_DEST, OK_ATTEST, OK_ORIGID),
           CLID_ERR_PASSPORT_ORIG);
    expect("orig empty", HDR_SHAKEN, C(OK_IAT, "{}", OK_DEST, OK_ATTEST, OK_ORIGID),
           CLID_ERR_PASSPORT_ORIG);
    expect("orig two identities", HDR_NOPPT,
           "{\"dest\":" OK_DEST ",\"iat\":1,\"orig\":{\"tn\":\"1\",\"uri\":\"sip:a@b\"}}",
           CLID_ERR_PASSPORT_ORIG);
    expect("orig tn number", HDR_SHAKEN,
           C(OK_IAT, "{\"tn\":12155551000}", OK_DEST, OK_ATTEST, OK_ORIGID),
           CLID_ERR_PASSPORT_ORIG);
    expect("orig tn letters", HDR_SHAKEN,
           C(OK_IAT, "{\"tn\":\"1215555ABCD\"}", OK_DEST, OK_ATTEST, OK_ORIGID),
           CLID_ERR_PASSPORT_ORIG);
    expect("orig tn 16 digits", HDR_SHAKEN,
           C(OK_IAT, "{\"tn\":\"1234567890123456\"}", OK_DEST, OK_ATTEST, OK_ORIGID),
           CLID_ERR_PASSPORT_ORIG);
    expect("orig uri for shaken", HDR_SHAKEN,
           C(OK_IAT, "{\"uri\":\"sip:a@example.com\"}", OK_DEST, OK_ATTEST, OK_ORIGID),
           CLID_ERR_PASSPORT_ORIG);
    expect("orig uri with control", HDR_NOPPT,
           "{\"dest\":" OK_DEST ",\"iat\":1,\"orig\":{\"uri\":\"sip:a@b\\r\\n\"}}",
           CLID_ERR_PASSPORT_ORIG);
    /* A number in another spelling than RFC 8224 §8.3's canonical one: the
     * signer canonicalizes (RFC 8225 §5.2.1), the verifier does not. */
    static const char *const not_canonical[] = {
        "+12155551000", "+1-215-555-1000", "1 215 555 1000", "(215) 555.1000",
        "tel:+12155551000", "tel:12155551000;x=y", "sip:+12155551000@example.com",
        "sip:12155551000@example.com;user=phone", "12155551000;tgrp=t1", "TEL:12155551000",
        " 12155551000", "12155551000 ",
        /* a local number under a global prefix: a spelling of 12155551000
         * (RFC 3966 §5.1.5), still not the canonical one */
        "5551000;phone-context=+1-215", "tel:215-555-1000;phone-context=+1",
    };
    for (size_t i = 0; i < sizeof not_canonical / sizeof not_canonical[0]; i++) {
        char orig[96], dest[96], div[160];
        snprintf(orig, sizeof orig, "{\"tn\":\"%s\"}", not_canonical[i]);
        snprintf(dest, sizeof dest, "{\"tn\":[\"12155552000\",\"%s\"]}", not_canonical[i]);
        snprintf(div, sizeof div,
                 "{\"dest\":" OK_DEST ",\"div\":{\"tn\":\"%s\"},\"iat\":1,\"orig\":" OK_ORIG "}",
                 not_canonical[i]);
        char c1[256], c2[256];
        snprintf(c1, sizeof c1, "{\"attest\":\"A\",\"dest\":" OK_DEST ",\"iat\":1,\"orig\":%s,"
                 "\"origid\":" OK_ORIGID "}", orig);
        snprintf(c2, sizeof c2, "{\"attest\":\"A\",\"dest\":%s,\"iat\":1,\"orig\":" OK_ORIG
                 ",\"origid\":" OK_ORIGID "}", dest);
        expect(not_canonical[i], HDR_SHAKEN, c1, CLID_ERR_PASSPORT_TN_NOT_CANONICAL);
        expect(not_canonical[i], HDR_SHAKEN, c2, CLID_ERR_PASSPORT_TN_NOT_CANONICAL);
        expect(not_canonical[i], HDR_DIV, div, CLID_ERR_PASSPORT_TN_NOT_CANONICAL);
    }
    /* one under a domain context names no global number: no TN at all */
    expect("orig local number, domain context", HDR_SHAKEN,
           C(OK_IAT, "{\"tn\":\"5551000;phone-context=example.com\"}", OK_DEST, OK_ATTEST,
             OK_ORIGID),
           CLID_ERR_PASSPORT_ORIG);
    expect("orig missing", HDR_SHAKEN,
           "{\"attest\":\"A\",\"dest\":" OK_DEST ",\"iat\":1,\"origid\":" OK_ORIGID "}",
           CLID_ERR_PASSPORT_ORIG);
    /* dest */
    expect("dest string", HDR_SHAKEN, C(OK_IAT, OK_ORIG, "\"12155552000\"", OK_ATTEST, OK_ORIGID),
           CLID_ERR_PASSPORT_DEST);
    expect("dest tn string", HDR_SHAKEN,
           C(OK_IAT, OK_ORIG, "{\"tn\":\"12155552000\"}", OK_ATTEST, OK_ORIGID),
           CLID_ERR_PASSPORT_DEST);
    expect("dest tn empty", HDR_SHAKEN, C(OK_IAT, OK_ORIG, "{\"tn\":[]}", OK_ATTEST, OK_ORIGID),
           CLID_ERR_PASSPORT_DEST);
    expect("dest tn number", HDR_SHAKEN, C(OK_IAT, OK_ORIG, "{\"tn\":[1]}", OK_ATTEST, OK_ORIGID),
           CLID_ERR_PASSPORT_DEST);
    expect("dest bad tn", HDR_SHAKEN,
           C(OK_IAT, OK_ORIG, "{\"tn\":[\"1\",\"x\"]}", OK_ATTEST, OK_ORIGID),
           CLID_ERR_PASSPORT_DEST);
    expect("dest empty", HDR_SHAKEN, C(OK_IAT, OK_ORIG, "{}", OK_ATTEST, OK_ORIGID),
           CLID_ERR_PASSPORT_DEST);
    expect("dest uri only for shaken", HDR_SHAKEN,
           C(OK_IAT, OK_ORIG, "{\"uri\":[\"sip:a@b\"]}", OK_ATTEST, OK_ORIGID),
           CLID_ERR_PASSPORT_DEST);
    expect("dest uri empty", HDR_NOPPT,
           "{\"dest\":{\"tn\":[\"1\"],\"uri\":[]},\"iat\":1,\"orig\":{\"tn\":\"1\"}}",
           CLID_ERR_PASSPORT_DEST);
    expect("dest 17", HDR_SHAKEN,
           C(OK_IAT, OK_ORIG,
             "{\"tn\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\",\"11\",\"12\","
             "\"13\",\"14\",\"15\",\"16\",\"17\"]}",
             OK_ATTEST, OK_ORIGID),
           CLID_ERR_PASSPORT_DEST);
    expect("dest 16 tn + 1 uri", HDR_NOPPT,
           "{\"dest\":{\"tn\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\",\"11\","
           "\"12\",\"13\",\"14\",\"15\",\"16\"],\"uri\":[\"sip:a@b\"]},\"iat\":1,"
           "\"orig\":{\"tn\":\"1\"}}",
           CLID_ERR_PASSPORT_DEST);
    /* attest, origid (RFC 8588 §4) */
    expect("attest Z", HDR_SHAKEN, C(OK_IAT, OK_ORIG, OK_DEST, "\"Z\"", OK_ORIGID),
           CLID_ERR_PASSPORT_ATTEST);
    expect("attest a", HDR_SHAKEN, C(OK_IAT, OK_ORIG, OK_DEST, "\"a\"", OK_ORIGID),
           CLID_ERR_PASSPORT_ATTEST);
    expect("attest AB", HDR_SHAKEN, C(OK_IAT, OK_ORIG, OK_DEST, "\"AB\"", OK_ORIGID),
           CLID_ERR_PASSPORT_ATTEST);
    expect("attest empty", HDR_SHAKEN, C(OK_IAT, OK_ORIG, OK_DEST, "\"\"", OK_ORIGID),
           CLID_ERR_PASSPORT_ATTEST);
    expect("attest number", HDR_SHAKEN, C(OK_IAT, OK_ORIG, OK_DEST, "1", OK_ORIGID),
           CLID_ERR_PASSPORT_ATTEST);
    expect("attest missing", HDR_SHAKEN,
           "{\"dest\":" OK_DEST ",\"iat\":1,\"orig\":" OK_ORIG ",\"origid\":" OK_ORIGID "}",
           CLID_ERR_PASSPORT_ATTEST);
    expect("attest Z without ppt", HDR_NOPPT,
           "{\"attest\":\"Z\",\"dest\":" OK_DEST ",\"iat\":1,\"orig\":" OK_ORIG "}",
           CLID_ERR_PASSPORT_ATTEST);
    /* origid: a UUID, or another identifier of 1 to 128 printable ASCII
     * characters (parsed, flagged origid_not_uuid: whether to accept it is
     * the verifier's policy); anything else is refused. */
    expect("origid empty", HDR_SHAKEN, C(OK_IAT, OK_ORIG, OK_DEST, OK_ATTEST, "\"\""),
           CLID_ERR_PASSPORT_ORIGID);
    expect("origid a number", HDR_SHAKEN, C(OK_IAT, OK_ORIG, OK_DEST, OK_ATTEST, "123"),
           CLID_ERR_PASSPORT_ORIGID);
    expect("origid null", HDR_SHAKEN, C(OK_IAT, OK_ORIG, OK_DEST, OK_ATTEST, "null"),
           CLID_ERR_PASSPORT_ORIGID);
    expect("origid with a control character", HDR_SHAKEN,
           C(OK_IAT, OK_ORIG, OK_DEST, OK_ATTEST, "\"a\\u0001b\""), CLID_ERR_PASSPORT_ORIGID);
    expect("origid with a line feed", HDR_SHAKEN,
           C(OK_IAT, OK_ORIG, OK_DEST, OK_ATTEST, "\"a\\nb\""), CLID_ERR_PASSPORT_ORIGID);
    expect("origid not ASCII", HDR_SHAKEN,
           C(OK_IAT, OK_ORIG, OK_DEST, OK_ATTEST, "\"caf\\u00e9\""), CLID_ERR_PASSPORT_ORIGID);
    expect("origid missing", HDR_SHAKEN,
           "{\"attest\":\"A\",\"dest\":" OK_DEST ",\"iat\":1,\"orig\":" OK_ORIG "}",
           CLID_ERR_PASSPORT_ORIGID);
    /* div (RFC 8946 §3) */
    expect("div missing", HDR_DIV, "{\"dest\":" OK_DEST ",\"iat\":1,\"orig\":" OK_ORIG "}",
           CLID_ERR_PASSPORT_DIV);
    expect("div string", HDR_DIV,
           "{\"dest\":" OK_DEST ",\"div\":\"12155553000\",\"iat\":1,\"orig\":" OK_ORIG "}",
           CLID_ERR_PASSPORT_DIV);
    expect("div bad tn", HDR_DIV,
           "{\"dest\":" OK_DEST ",\"div\":{\"tn\":\"abc\"},\"iat\":1,\"orig\":" OK_ORIG "}",
           CLID_ERR_PASSPORT_DIV);
    expect("div uri", HDR_DIV,
           "{\"dest\":" OK_DEST ",\"div\":{\"uri\":\"sip:a@b\"},\"iat\":1,\"orig\":" OK_ORIG "}",
           CLID_ERR_PASSPORT_DIV);
}

/* origid values that are not UUIDs: kept, and flagged for the verifier. */
static void parse_origid_not_uuid(void **state)
{
    (void)state;
    static const char *const odd[] = {
        "abc", "123e4567-e89b-12d3-a456-42661417400", "123e4567-e89b-12d3-a456-4266141740000",
        "{23e4567-e89b-12d3-a456-42661417400}", "986279842-79894328-45254-42543525243", "a b"};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        char origid[160];
        snprintf(origid, sizeof origid, "\"%s\"", odd[i]);
        char claims[512];
        snprintf(claims, sizeof claims, C(OK_IAT, OK_ORIG, OK_DEST, OK_ATTEST, "%s"), origid);
        char *jws = make_jws(HDR_SHAKEN, claims);
        clid__passport p;
        clid__passport_init(&p);
        sc_assert_ok(parse(jws, &p));
        assert_string_equal(p.origid, odd[i]);
        assert_int_equal(p.origid_not_uuid, 1);
        clid__passport_clear(&p);
        free(jws);
    }
    /* A UUID, in either case (RFC 4122 §3: case-insensitive on input). */
    char *jws = make_jws(HDR_SHAKEN, C(OK_IAT, OK_ORIG, OK_DEST, OK_ATTEST,
                                       "\"123E4567-E89B-12D3-A456-426614174000\""));
    clid__passport p;
    clid__passport_init(&p);
    sc_assert_ok(parse(jws, &p));
    assert_int_equal(p.origid_not_uuid, 0);
    clid__passport_clear(&p);
    free(jws);
    /* The length bound: 128 characters, not 129. */
    char longest[CLID_ORIGID_MAX + 4];
    char claims[512];
    for (int extra = 0; extra < 2; extra++) {
        longest[0] = '"';
        memset(longest + 1, 'x', CLID_ORIGID_MAX + (size_t)extra);
        strcpy(longest + 1 + CLID_ORIGID_MAX + extra, "\"");
        snprintf(claims, sizeof claims, C(OK_IAT, OK_ORIG, OK_DEST, OK_ATTEST, "%s"), longest);
        jws = make_jws(HDR_SHAKEN, claims);
        clid__passport_init(&p);
        clid_err rc = parse(jws, &p);
        assert_int_equal(rc, extra ? CLID_ERR_PASSPORT_ORIGID : CLID_OK);
        if (!extra)
            assert_int_equal(strlen(p.origid), CLID_ORIGID_MAX);
        clid__passport_clear(&p);
        free(jws);
    }
}
#undef C

static void jws_structure(void **state)
{
    (void)state;
    char *good = make_jws(HDR_SHAKEN, SECSIPIDX_CLAIMS);
    const char *d1 = strchr(good, '.'), *d2 = strrchr(good, '.');
    char *h = sc_fmt("%.*s", (int)(d1 - good), good);
    char *c = sc_fmt("%.*s", (int)(d2 - d1 - 1), d1 + 1);
    const char *s = d2 + 1;
    /* each case: the JWS built from the good parts h, c, s */
    for (int i = 0;; i++) {
        char *jws;
        clid_err want;
        switch (i) {
        case 0: jws = sc_fmt("%s%s%s", h, c, s); want = CLID_ERR_JWS_SYNTAX; break;
        case 1: jws = sc_fmt("%s.%s%s", h, c, s); want = CLID_ERR_JWS_SYNTAX; break;
        case 2: jws = sc_fmt("%s.%s.%s.", h, c, s); want = CLID_ERR_JWS_SYNTAX; break;
        case 3: jws = sc_fmt("%s.%s..%s", h, c, s); want = CLID_ERR_JWS_SYNTAX; break;
        case 4: jws = sc_fmt(".%s.%s", c, s); want = CLID_ERR_JWS_SYNTAX; break; /* no header */
        case 5: jws = sc_fmt("%s..%s", h, s); want = CLID_ERR_JWS_SYNTAX; break; /* no claims */
        case 6: jws = sc_fmt("%s.%s.", h, c); want = CLID_ERR_SIGNATURE_FORMAT; break;
        case 7: jws = sc_fmt("%s=.%s.%s", h, c, s); want = CLID_ERR_BASE64; break; /* padding */
        case 8: jws = sc_fmt("%s.%s=.%s", h, c, s); want = CLID_ERR_BASE64; break;
        case 9: jws = sc_fmt("%s.%s.%s==", h, c, s); want = CLID_ERR_BASE64; break;
        case 10: jws = sc_fmt(" %s.%s.%s", h, c, s); want = CLID_ERR_BASE64; break;
        case 11: jws = sc_fmt("%s.%s.%s ", h, c, s); want = CLID_ERR_BASE64; break;
        case 12: jws = sc_fmt("%s.%s.%s\r\n", h, c, s); want = CLID_ERR_BASE64; break;
        case 13: jws = sc_fmt("%s.%s+.%s", h, c, s); want = CLID_ERR_BASE64; break;
        /* 87 and 88 characters decode to 65 and 66 bytes; 89 is 1 mod 4 */
        case 14: jws = sc_fmt("%s.%s.%sA", h, c, s); want = CLID_ERR_SIGNATURE_FORMAT; break;
        case 15: jws = sc_fmt("%s.%s.%sAA", h, c, s); want = CLID_ERR_SIGNATURE_FORMAT; break;
        case 16: jws = sc_fmt("%s.%s.%sAAA", h, c, s); want = CLID_ERR_BASE64; break;
        case 17: jws = sc_fmt("%s.%s.%s", h, c, s); want = CLID_OK; break;
        default: jws = NULL; want = CLID_OK; break;
        }
        if (jws == NULL)
            break;
        clid__passport p;
        clid__passport_init(&p);
        clid_err rc = parse(jws, &p);
        if (rc != want)
            fail_msg("case %d: got %s, expected %s", i, clid_err_name(rc), clid_err_name(want));
        clid__passport_clear(&p);
        free(jws);
    }
    free(h);
    free(c);
    free(good);

    clid__passport p;
    clid__passport_init(&p);
    sc_assert_err(parse("", &p), CLID_ERR_JWS_SYNTAX);
    sc_assert_err(parse(".", &p), CLID_ERR_JWS_SYNTAX);
    sc_assert_err(parse("..", &p), CLID_ERR_SIGNATURE_FORMAT);
    sc_assert_err(clid__passport_parse(NULL, 0, &p), CLID_ERR_JWS_SYNTAX);
    sc_assert_err(clid__passport_parse(NULL, 5, &p), CLID_ERR_INVALID_ARGUMENT);
    sc_assert_err(clid__passport_parse("a.b.c", 5, NULL), CLID_ERR_INVALID_ARGUMENT);
}

/* DER-encoded and other wrong-size signatures: their own code. */
static void signature_sizes(void **state)
{
    (void)state;
    uint8_t der[72];
    size_t der_len = 0;
    uint8_t raw[64];
    memset(raw, 0x81, sizeof raw);
    sc_assert_ok(clid__ecdsa_raw_to_der(raw, der, sizeof der, &der_len));
    char *jws = make_jws_sig(HDR_SHAKEN, SECSIPIDX_CLAIMS, der, der_len);
    clid__passport p;
    clid__passport_init(&p);
    sc_assert_err(parse(jws, &p), CLID_ERR_SIGNATURE_FORMAT);
    assert_int_equal(p.sig_len, der_len); /* what was received, for the result */
    assert_non_null(p.claims);            /* claims parsed before the defect stay */
    assert_string_equal(p.orig, "12155551000");
    clid__passport_clear(&p);
    free(jws);
    uint8_t big[200] = {0};
    static const size_t sizes[] = {1, 32, 63, 65, 80, 81, 200};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        jws = make_jws_sig(HDR_SHAKEN, SECSIPIDX_CLAIMS, big, sizes[i]);
        sc_assert_err(parse(jws, &p), CLID_ERR_SIGNATURE_FORMAT);
        clid__passport_clear(&p);
        free(jws);
    }
}

/* RFC 8225 §7: "..s" carries only the signature. */
static void compact_form(void **state)
{
    (void)state;
    char *s = b64(SIG64, sizeof SIG64);
    char *jws = sc_fmt("..%s", s);
    clid__passport p;
    clid__passport_init(&p);
    sc_assert_ok(parse(jws, &p));
    assert_int_equal(p.compact, 1);
    assert_int_equal(p.sig_len, 64);
    assert_memory_equal(p.sig, SIG64, 64);
    assert_null(p.claims);
    assert_null(p.signing_input);
    assert_null(p.x5u);
    clid__passport_clear(&p);
    free(jws);
    jws = sc_fmt("..%s=", s);
    sc_assert_err(parse(jws, &p), CLID_ERR_BASE64);
    free(jws);
    free(s);
}

static void size_bounds(void **state)
{
    (void)state;
    /* an unknown claim inflates the token up to exactly the limit, then
     * one byte beyond it */
    clid__passport p;
    clid__passport_init(&p);
    for (size_t pad = 5900; pad < 6200; pad++) {
        char *filler = malloc(pad + 1);
        assert_non_null(filler);
        memset(filler, 'a', pad);
        filler[pad] = '\0';
        char *claims = sc_fmt("{\"x\":\"%s\",%s", filler, &SECSIPIDX_CLAIMS[1]);
        char *jws = make_jws(HDR_SHAKEN, claims);
        clid_err rc = parse(jws, &p);
        if (strlen(jws) <= CLID_PASSPORT_MAX_LEN)
            sc_assert_ok(rc);
        else
            sc_assert_err(rc, CLID_ERR_IDENTITY_TOO_LARGE);
        clid__passport_clear(&p);
        free(jws);
        free(claims);
        free(filler);
    }
}

/* Every proper prefix of a valid JWS fails cleanly (no leak, no read past
 * the prefix: each is its own exact-size allocation). */
static void truncations(void **state)
{
    (void)state;
    char *jws = make_jws(HDR_SHAKEN, SECSIPIDX_CLAIMS);
    size_t n = strlen(jws);
    for (size_t k = 0; k < n; k++) {
        char *prefix = sc_exact(jws, k);
        clid__passport p;
        clid__passport_init(&p);
        clid_err rc = clid__passport_parse(prefix, k, &p);
        if (rc == CLID_OK)
            fail_msg("prefix of %zu/%zu bytes accepted", k, n);
        assert_int_not_equal(clid_err_class_of(rc), CLID_CLASS_NONE);
        clid__passport_clear(&p);
        free(prefix);
    }
    free(jws);
}

static void uuid(void **state)
{
    (void)state;
    assert_true(clid__is_uuid(UUID));
    assert_true(clid__is_uuid("00000000-0000-0000-0000-000000000000"));
    assert_true(clid__is_uuid("ABCDEFAB-CDEF-ABCD-EFAB-CDEFABCDEFAB"));
    assert_false(clid__is_uuid(NULL));
    assert_false(clid__is_uuid(""));
    assert_false(clid__is_uuid("123e4567e89b12d3a456426614174000"));
    assert_false(clid__is_uuid("123e4567-e89b-12d3-a456-42661417400g"));
    assert_false(clid__is_uuid("123e4567-e89b-12d3-a456_426614174000"));
    assert_false(clid__is_uuid("123e4567-e89b-12d3-a456-4266141740000"));
    assert_false(clid__is_uuid("123e4567-e89b-12d3-a456-42661417400"));
    assert_false(clid__is_uuid(" 23e4567-e89b-12d3-a456-426614174000"));
}

/* What a refused header said is kept for the verification result, when it
 * is printable (it ends up in logs). */
static void diagnostics_kept(void **state)
{
    (void)state;
    clid__passport p;
    clid__passport_init(&p);
    char *jws =
        make_jws("{\"alg\":\"none\",\"typ\":\"JWT\",\"x5u\":\"https://a/b\"}", SECSIPIDX_CLAIMS);
    sc_assert_err(parse(jws, &p), CLID_ERR_PASSPORT_ALG);
    assert_string_equal(p.alg, "none");
    free(jws);
    jws = make_jws("{\"alg\":\"ES256\",\"typ\":\"JWT\",\"x5u\":\"https://a/b\"}", SECSIPIDX_CLAIMS);
    sc_assert_err(parse(jws, &p), CLID_ERR_PASSPORT_TYP);
    assert_string_equal(p.alg, "ES256");
    assert_string_equal(p.typ, "JWT");
    free(jws);
    jws = make_jws("{\"alg\":\"ES\\r\\n256\",\"typ\":\"passport\",\"x5u\":\"https://a/b\"}",
                   SECSIPIDX_CLAIMS);
    sc_assert_err(parse(jws, &p), CLID_ERR_PASSPORT_ALG);
    assert_string_equal(p.alg, "");
    free(jws);
    jws = make_jws("{\"alg\":\"ES256ES256ES256ES256\",\"typ\":\"passport\","
                   "\"x5u\":\"https://a/b\"}",
                   SECSIPIDX_CLAIMS);
    sc_assert_err(parse(jws, &p), CLID_ERR_PASSPORT_ALG);
    assert_string_equal(p.alg, "");
    free(jws);
    clid__passport_clear(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_secsipidx),
        cmocka_unit_test(parse_rfc8225_appendix_a),
        cmocka_unit_test(parse_variants),
        cmocka_unit_test(parse_origid_not_uuid),
        cmocka_unit_test(parse_rejects),
        cmocka_unit_test(jws_structure),
        cmocka_unit_test(signature_sizes),
        cmocka_unit_test(compact_form),
        cmocka_unit_test(size_bounds),
        cmocka_unit_test(truncations),
        cmocka_unit_test(uuid),
        cmocka_unit_test(diagnostics_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
