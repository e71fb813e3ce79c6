/*
 * lib/src/passport.c: canonical PASSporT building (RFC 8225 §9) and strict
 * parsing of received ones (RFC 8225, RFC 8588 shaken, RFC 8946 div).
 */
#include "stir_core_test.h"

#include <openssl/ec.h>

#include "b64url.h"
#include "es256.h"
#include "identity.h"
#include "passport.h"

#include <openssl/pem.h>

/* ------------------------------------------------------------------------ */
/* helpers                                                                   */

static char *b64(const void *data, size_t len)
{
    char *s = malloc(clid__b64url_encoded_len(len) + 1);
    assert_non_null(s);
    s[clid__b64url_encode(data, len, s)] = '\0';
    return s;
}

/* Decodes one base64url part of a JWS into a malloc'd NUL-terminated string. */
static char *part(const char *jws, int index)
{
    const char *p = jws;
    for (int i = 0; i < index; i++) {
        p = strchr(p, '.');
        assert_non_null(p);
        p++;
    }
    const char *e = strchr(p, '.');
    size_t n = e != NULL ? (size_t)(e - p) : strlen(p);
    char *out = malloc(n + 1);
    assert_non_null(out);
    size_t len = 0;
    sc_assert_ok(clid__b64url_decode(p, n, (uint8_t *)out, n, &len));
    out[len] = '\0';
    return out;
}

static const uint8_t SIG64[64] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

/* "b64(header).b64(claims).b64(sig)" */
static char *make_jws_sig(const char *header, const char *claims, const uint8_t *sig,
                          size_t sig_len)
{
    char *h = b64(header, strlen(header));
    char *c = b64(claims, strlen(claims));
    char *s = b64(sig, sig_len);
    char *jws = sc_fmt("%s.%s.%s", h, c, s);
    free(h);
    free(c);
    free(s);
    return jws;
}

static char *make_jws(const char *header, const char *claims)
{
    return make_jws_sig(header, claims, SIG64, sizeof SIG64);
}

/* Parses `jws` from an exact-size heap copy and checks the result code. */
static clid_err parse(const char *jws, clid__passport *p)
{
    size_t n = strlen(jws);
    char *exact = sc_exact(jws, n);
    clid_err rc = clid__passport_parse(exact, n, p);
    free(exact);
    return rc;
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

#define HDR_SHAKEN                                                                                \
    "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\","                                 \
    "\"x5u\":\"http://127.0.0.1:8090/v1/pub/ec256-cert.pem\"}"
#define HDR_DIV                                                                                   \
    "{\"alg\":\"ES256\",\"ppt\":\"div\",\"typ\":\"passport\","                                    \
    "\"x5u\":\"https://cert.example.org/a\"}"
#define HDR_NOPPT "{\"alg\":\"ES256\",\"typ\":\"passport\",\"x5u\":\"https://cert.example.org/a\"}"
#define UUID "123e4567-e89b-12d3-a456-426614174000"
/* peers notes §2.4: what secsipidx signs for these claims */
#define SECSIPIDX_CLAIMS                                                                          \
    "{\"attest\":\"A\",\"dest\":{\"tn\":[\"12155552000\"]},\"iat\":1795305094,"                   \
    "\"orig\":{\"tn\":\"12155551000\"},\"origid\":\"" UUID "\"}"
#define CLAIMS_DIV                                                                                \
    "{\"dest\":{\"tn\":[\"12155552000\"]},\"div\":{\"tn\":\"12155553000\"},\"iat\":1795305094,"   \
    "\"orig\":{\"tn\":\"12155551000\"}}"

static const char *const DEST1[] = {"12155552000"};

static clid__passport_in secsipidx_in(void)
{
    clid__passport_in in = {
        .ppt = "shaken",
        .x5u = "http://127.0.0.1:8090/v1/pub/ec256-cert.pem",
        .iat = 1795305094,
        .orig = "12155551000",
        .dest = DEST1,
        .dest_count = 1,
        .attest = 'A',
        .origid = UUID,
    };
    return in;
}

/* ------------------------------------------------------------------------ */
/* building                                                                  */

/* Byte-identical to secsipidx for the same claims (peers notes §2.4). */
static void golden_secsipidx(void **state)
{
    (void)state;
    clid__passport_in in = secsipidx_in();
    char *si = NULL;
    size_t len = 0;
    sc_assert_ok(clid__passport_signing_input(&in, &si, &len));
    assert_int_equal(strlen(si), len);
    char *h = part(si, 0), *c = part(si, 1);
    assert_string_equal(h, HDR_SHAKEN);
    assert_string_equal(c, SECSIPIDX_CLAIMS);
    /* the header as secsipidx's Identity values start */
    assert_memory_equal(si, "eyJhbGciOiJFUzI1NiIs", 20);
    /* '/' is not escaped */
    assert_non_null(strstr(h, "http://127.0.0.1:8090/v1/pub/"));
    free(h);
    free(c);

    char *ci = NULL;
    size_t cl = 0;
    sc_assert_ok(clid__passport_signing_input(&in, &ci, &cl));
    assert_int_equal(cl, len);
    assert_string_equal(ci, si);
    free(ci);
    free(si);
}

static void golden_div(void **state)
{
    (void)state;
    const char *dest[] = {"12155552000"};
    clid__passport_in in = {.ppt = "div",
                            .x5u = "https://cert.example.org/a",
                            .iat = 1795305094,
                            .orig = "12155551000",
                            .dest = dest,
                            .dest_count = 1,
                            .attest = 'A', /* ignored: div has no attest/origid */
                            .origid = UUID,
                            .div = "12155553000"};
    char *si = NULL;
    size_t len = 0;
    sc_assert_ok(clid__passport_signing_input(&in, &si, &len));
    char *h = part(si, 0), *c = part(si, 1);
    assert_string_equal(h, HDR_DIV);
    assert_string_equal(c, CLAIMS_DIV);
    free(h);
    free(c);
    free(si);
}

/* The signer's pre-encoded header (clid__passport_header_b64) gives the
 * same signing input as the header built per call, for both PASSporT types. */
static void header_b64_matches(void **state)
{
    (void)state;
    const char *dest[] = {"12155552000"};
    clid__passport_in ins[2] = {secsipidx_in(),
                                {.ppt = "div",
                                 .x5u = "https://cert.example.org/a",
                                 .iat = 1795305094,
                                 .orig = "12155551000",
                                 .dest = dest,
                                 .dest_count = 1,
                                 .div = "12155553000"}};
    for (size_t i = 0; i < 2; i++) {
        clid__passport_in in = ins[i];
        char *built = NULL, *hdr = NULL, *cached = NULL;
        size_t built_len = 0, hdr_len = 0, cached_len = 0;
        sc_assert_ok(clid__passport_signing_input(&in, &built, &built_len));
        sc_assert_ok(clid__passport_header_b64(in.ppt, in.x5u, &hdr, &hdr_len));
        assert_int_equal(strlen(hdr), hdr_len);
        in.header_b64 = hdr;
        in.header_b64_len = hdr_len;
        sc_assert_ok(clid__passport_signing_input(&in, &cached, &cached_len));
        assert_int_equal(cached_len, built_len);
        assert_string_equal(cached, built);
        char *h = part(cached, 0);
        assert_string_equal(h, i == 0 ? HDR_SHAKEN : HDR_DIV);
        free(h);
        free(built);
        free(hdr);
        free(cached);
    }
    char *hdr = NULL;
    size_t len = 0;
    sc_assert_err(clid__passport_header_b64("shaken2", "https://a", &hdr, &len),
                  CLID_ERR_INVALID_ARGUMENT);
    sc_assert_err(clid__passport_header_b64("shaken", "https://a b", &hdr, &len),
                  CLID_ERR_INVALID_ARGUMENT);
    sc_assert_err(clid__passport_header_b64(NULL, "https://a", &hdr, &len),
                  CLID_ERR_INVALID_ARGUMENT);
    sc_assert_err(clid__passport_header_b64("div", "https://a", NULL, &len),
                  CLID_ERR_INVALID_ARGUMENT);
    assert_null(hdr);
}

/* jansson's canonical serialization of the same objects: the reference the
 * direct writer in passport.c must match byte for byte. */
static char *jansson_reference(const clid__passport_in *in, int claims)
{
    json_t *o;
    if (!claims) {
        o = json_pack("{s:s, s:s, s:s, s:s}", "typ", "passport", "x5u", in->x5u, "ppt", in->ppt,
                      "alg", "ES256");
    } else {
        json_t *dest = json_array();
        for (size_t i = 0; i < in->dest_count; i++)
            json_array_append_new(dest, json_string(in->dest[i]));
        o = json_pack("{s:I, s:{s:s}, s:{s:o}}", "iat", (json_int_t)in->iat, "orig", "tn",
                      in->orig, "dest", "tn", dest);
        if (strcmp(in->ppt, "div") == 0) {
            json_object_set_new(o, "div", json_pack("{s:s}", "tn", in->div));
        } else {
            char a[2] = {in->attest, 0};
            json_object_set_new(o, "origid", json_string(in->origid));
            json_object_set_new(o, "attest", json_string(a));
        }
    }
    assert_non_null(o);
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    assert_non_null(s);
    return s;
}

static void matches_jansson(void **state)
{
    (void)state;
    const char *d3[] = {"12155552000", "*67", "4930901820"};
    const char *d16[16];
    for (int i = 0; i < 16; i++)
        d16[i] = "123456789012345";
    static const char *const x5us[] = {
        "https://cert.example.org/passport.cer",
        "https://a.example/p?q=1&r=<2>",      /* '&', '<', '>' stay literal in jansson */
        "https://a.example/\"quoted\"\\back", /* the only escapes */
        "http://[::1]:8443/x~y",
    };
    static const int64_t iats[] = {0, 1, 1443208345, 9223372036854775807LL};
    for (size_t x = 0; x < sizeof x5us / sizeof x5us[0]; x++) {
        for (size_t t = 0; t < sizeof iats / sizeof iats[0]; t++) {
            for (int kind = 0; kind < 3; kind++) {
                clid__passport_in in = secsipidx_in();
                in.x5u = x5us[x];
                in.iat = iats[t];
                if (kind == 1) {
                    in.dest = d3;
                    in.dest_count = 3;
                    in.attest = 'C';
                } else if (kind == 2) {
                    in.ppt = "div";
                    in.div = "*31#";
                    in.dest = d16;
                    in.dest_count = 16;
                }
                char *si = NULL;
                size_t len = 0;
                sc_assert_ok(clid__passport_signing_input(&in, &si, &len));
                char *h = part(si, 0), *c = part(si, 1);
                char *rh = jansson_reference(&in, 0), *rc = jansson_reference(&in, 1);
                assert_string_equal(h, rh);
                assert_string_equal(c, rc);
                free(h);
                free(c);
                free(rh);
                free(rc);
                free(si);
            }
        }
    }
}

static void signing_input_refuses(void **state)
{
    (void)state;
    const char *bad_dest[] = {"1215555200a"};
    const char *null_dest[] = {NULL};
    const char *d17[17];
    for (int i = 0; i < 17; i++)
        d17[i] = "1";
    for (int i = 0;; i++) {
        clid__passport_in in = secsipidx_in();
        switch (i) {
        case 0: in.ppt = "rcd"; break;
        case 1: in.ppt = NULL; break;
        case 2: in.x5u = NULL; break;
        case 3: in.x5u = "https://a.example/with space"; break;
        case 4: in.x5u = "https://a.example/\r\nX: y"; break;
        case 5: in.x5u = "https://a.example/\xc3\xa9"; break;
        case 6: in.x5u = ""; break;
        case 7: in.iat = -1; break;
        case 8: in.orig = "+12155551000"; break; /* not canonical */
        case 9: in.orig = "1234567890123456"; break;
        case 10: in.orig = NULL; break;
        case 11: in.dest_count = 0; break;
        case 12: in.dest = d17; in.dest_count = 17; break;
        case 13: in.dest = bad_dest; break;
        case 14: in.dest = null_dest; break;
        case 15: in.dest = NULL; break;
        case 16: in.attest = 'Z'; break;
        case 17: in.attest = 0; break;
        case 18: in.origid = "123e4567-e89b-12d3-a456-42661417400"; break;
        case 19: in.origid = NULL; break;
        case 20: in.ppt = "div"; in.div = NULL; break;
        case 21: in.ppt = "div"; in.div = "abc"; break;
        default: goto done;
        }
        char *si = (char *)&si;
        size_t len = 99;
        clid_err rc = clid__passport_signing_input(&in, &si, &len);
        if (rc != CLID_ERR_INVALID_ARGUMENT)
            fail_msg("case %d: got %s", i, clid_err_name(rc));
        assert_null(si);
        assert_int_equal(len, 0);
    }
done:
    {
        clid__passport_in in = secsipidx_in();
        char *si = NULL;
        size_t len = 0;
        sc_assert_err(clid__passport_signing_input(NULL, &si, &len), CLID_ERR_INVALID_ARGUMENT);
        sc_assert_err(clid__passport_signing_input(&in, NULL, &len), CLID_ERR_INVALID_ARGUMENT);
        sc_assert_err(clid__passport_signing_input(&in, &si, NULL), CLID_ERR_INVALID_ARGUMENT);
        /* a 2 KiB x5u still fits */
        char x5u[2049];
        memset(x5u, 'a', sizeof x5u - 1);
        memcpy(x5u, "https://", 8);
        x5u[2048] = '\0';
        in.x5u = x5u;
        sc_assert_ok(clid__passport_signing_input(&in, &si, &len));
        free(si);
    }
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
     * §5.2.2: ignored, but kept), TNs canonicalized */
    char *jws = make_jws(
        " { \"x5u\" : \"https://a.example/c\", \"typ\":\"passport\", \"kid\":7, "
        "\"alg\":\"ES256\", \"ppt\":\"shaken\" } ",
        "{\"rcd\":{\"nam\":\"Alice\"},\"origid\":\"123E4567-E89B-12D3-A456-426614174000\","
        "\"orig\":{\"tn\":\"+1-215-555-1000\"},\"iat\":0,\"dest\":{\"tn\":[\"+1 215 555 2000\","
        "\"12155552001\"],\"uri\":[\"sip:bob@example.com\"]},\"attest\":\"C\"}");
    sc_assert_ok(parse(jws, &p));
    assert_string_equal(p.orig, "12155551000");
    assert_int_equal(p.dest_count, 2);
    assert_string_equal(p.dest[0], "12155552000");
    assert_string_equal(p.dest[1], "12155552001");
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
    expect("origid not a UUID", HDR_SHAKEN, C(OK_IAT, OK_ORIG, OK_DEST, OK_ATTEST, "\"abc\""),
           CLID_ERR_PASSPORT_ORIGID);
    expect("origid short", HDR_SHAKEN,
           C(OK_IAT, OK_ORIG, OK_DEST, OK_ATTEST, "\"123e4567-e89b-12d3-a456-42661417400\""),
           CLID_ERR_PASSPORT_ORIGID);
    expect("origid long", HDR_SHAKEN,
           C(OK_IAT, OK_ORIG, OK_DEST, OK_ATTEST, "\"123e4567-e89b-12d3-a456-4266141740000\""),
           CLID_ERR_PASSPORT_ORIGID);
    expect("origid braces", HDR_SHAKEN,
           C(OK_IAT, OK_ORIG, OK_DEST, OK_ATTEST, "\"{23e4567-e89b-12d3-a456-42661417400}\""),
           CLID_ERR_PASSPORT_ORIGID);
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
#undef C
}

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

/* Built by clid, signed with ES256, parsed back and verified; any change
 * to the claims breaks the signature. */
static void sign_parse_verify(void **state)
{
    (void)state;
    EVP_PKEY *pkey = EVP_EC_gen("P-256");
    clid__es256_key *k = NULL;
    sc_assert_ok(clid__es256_key_new(pkey, 1, &k));
    clid__passport_in in = secsipidx_in();
    char *si = NULL;
    size_t len = 0;
    sc_assert_ok(clid__passport_signing_input(&in, &si, &len));
    uint8_t sig[64];
    sc_assert_ok(clid__es256_sign(k, (const uint8_t *)si, len, sig));
    char *s = b64(sig, sizeof sig);
    char *jws = sc_fmt("%s.%s", si, s);

    clid__passport p;
    clid__passport_init(&p);
    sc_assert_ok(parse(jws, &p));
    assert_int_equal(p.signing_input_len, len);
    assert_string_equal(p.signing_input, si);
    sc_assert_ok(clid__es256_verify(k, (const uint8_t *)p.signing_input, p.signing_input_len,
                                    p.sig, p.sig_len));
    clid__passport_clear(&p);

    /* tampered claims: parse fine, signature fails */
    char *claims = part(si, 1);
    char *evil = strstr(claims, "12155551000");
    assert_non_null(evil);
    evil[10] = '9';
    char *forged = make_jws_sig(HDR_SHAKEN, claims, sig, sizeof sig);
    sc_assert_ok(parse(forged, &p));
    assert_string_equal(p.orig, "12155551009");
    sc_assert_err(clid__es256_verify(k, (const uint8_t *)p.signing_input, p.signing_input_len,
                                     p.sig, p.sig_len),
                  CLID_ERR_SIGNATURE_INVALID);
    clid__passport_clear(&p);

    /* the same claims re-serialized differently (spaces) are another text:
     * the signature covers the bytes, not the meaning */
    char *spaced = make_jws_sig(HDR_SHAKEN,
                                "{ \"attest\":\"A\",\"dest\":{\"tn\":[\"12155552000\"]},"
                                "\"iat\":1795305094,\"orig\":{\"tn\":\"12155551000\"},"
                                "\"origid\":\"" UUID "\"}",
                                sig, sizeof sig);
    sc_assert_ok(parse(spaced, &p));
    sc_assert_err(clid__es256_verify(k, (const uint8_t *)p.signing_input, p.signing_input_len,
                                     p.sig, p.sig_len),
                  CLID_ERR_SIGNATURE_INVALID);
    clid__passport_clear(&p);

    /* compact form: the verifier rebuilds the same input from SIP */
    char *compact = sc_fmt("..%s", s);
    sc_assert_ok(parse(compact, &p));
    char *rebuilt = NULL;
    size_t rl = 0;
    sc_assert_ok(clid__passport_signing_input(&in, &rebuilt, &rl));
    sc_assert_ok(clid__es256_verify(k, (const uint8_t *)rebuilt, rl, p.sig, p.sig_len));
    clid__passport_clear(&p);

    free(rebuilt);
    free(compact);
    free(spaced);
    free(forged);
    free(claims);
    free(jws);
    free(s);
    free(si);
    clid__es256_key_free(k);
    EVP_PKEY_free(pkey);
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

/*
 * An Identity value made by secsipidx 1.2.0 (`secsipidx -sign-full -orig-tn
 * 12155551000 -dest-tn 12155552000 -attest A -orig-id <UUID> -x5u <URL> -k
 * KEY`), with the public half of KEY: clid parses it, verifies it, and
 * builds the very same signing input from the same claims.
 */
static const char SSX_VALUE[] =
    "eyJhbGciOiJFUzI1NiIsInBwdCI6InNoYWtlbiIsInR5cCI6InBhc3Nwb3J0IiwieDV1IjoiaHR0cDovLzEyNy4wLjAu"
    "MTo4MDkwL3YxL3B1Yi9lYzI1Ni1jZXJ0LnBlbSJ9.eyJhdHRlc3QiOiJBIiwiZGVzdCI6eyJ0biI6WyIxMjE1NTU1Mj"
    "AwMCJdfSwiaWF0IjoxNzk1MzA3ODM3LCJvcmlnIjp7InRuIjoiMTIxNTU1NTEwMDAifSwib3JpZ2lkIjoiMTIzZTQ1"
    "NjctZTg5Yi0xMmQzLWE0NTYtNDI2NjE0MTc0MDAwIn0.9pwcUEKT2Op6wLkG7LIw-vZFNawFuel6UpeRjU2G_5v9hMM1"
    "Bv5pHq_iLgikWXQrO5gEsdySkEUQpVfRCuhZMA;info=<http://127.0.0.1:8090/v1/pub/ec256-cert.pem>;"
    "alg=ES256;ppt=shaken";
static const char SSX_PUB[] = "-----BEGIN PUBLIC KEY-----\n"
                              "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE28ObUl3TayFKO6FglAhpbkLk2158\n"
                              "R+i2Doi7P5RSVOoda/foBa1aPNRBVX+aFCCuwA7jSuxBBPEZWtN0dPIu9A==\n"
                              "-----END PUBLIC KEY-----\n";

static void secsipidx_interop(void **state)
{
    (void)state;
    clid__identity id;
    sc_assert_ok(clid__identity_parse(SSX_VALUE, strlen(SSX_VALUE), &id));
    assert_int_equal(id.ppt.len, 6);
    clid__passport p;
    clid__passport_init(&p);
    sc_assert_ok(clid__passport_parse(id.jws.ptr, id.jws.len, &p));
    assert_int_equal(p.iat, 1795307837);
    assert_int_equal(strlen(p.x5u), id.info.len);
    assert_memory_equal(p.x5u, id.info.ptr, id.info.len);

    BIO *b = BIO_new_mem_buf(SSX_PUB, -1);
    EVP_PKEY *pub = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
    BIO_free(b);
    assert_non_null(pub);
    clid__es256_key *k = NULL;
    sc_assert_ok(clid__es256_key_new(pub, 0, &k));
    sc_assert_ok(clid__es256_verify(k, (const uint8_t *)p.signing_input, p.signing_input_len,
                                    p.sig, p.sig_len));

    clid__passport_in in = secsipidx_in();
    in.iat = p.iat;
    char *si = NULL;
    size_t len = 0;
    sc_assert_ok(clid__passport_signing_input(&in, &si, &len));
    assert_int_equal(len, p.signing_input_len);
    assert_string_equal(si, p.signing_input);

    free(si);
    clid__es256_key_free(k);
    EVP_PKEY_free(pub);
    clid__passport_clear(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(golden_secsipidx),
        cmocka_unit_test(golden_div),
        cmocka_unit_test(header_b64_matches),
        cmocka_unit_test(matches_jansson),
        cmocka_unit_test(signing_input_refuses),
        cmocka_unit_test(parse_secsipidx),
        cmocka_unit_test(parse_rfc8225_appendix_a),
        cmocka_unit_test(parse_variants),
        cmocka_unit_test(parse_rejects),
        cmocka_unit_test(jws_structure),
        cmocka_unit_test(signature_sizes),
        cmocka_unit_test(compact_form),
        cmocka_unit_test(size_bounds),
        cmocka_unit_test(truncations),
        cmocka_unit_test(uuid),
        cmocka_unit_test(sign_parse_verify),
        cmocka_unit_test(secsipidx_interop),
        cmocka_unit_test(diagnostics_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
