/*
 * lib/src/passport/passport.c: canonical PASSporT building (RFC 8225 §9), and what
 * clid builds and signs parses and verifies, as secsipidx's tokens do.
 * Strict parsing of received PASSporTs is in test_passport_parse.c; the
 * helpers they share are in passport_fixture.h.
 */
#include "support/stir_core_test.h"

#include <openssl/ec.h>

#include "core/b64url.h"
#include "core/es256.h"
#include "passport/identity.h"
#include "passport/passport.h"
#include "passport_fixture.h"

#include <openssl/pem.h>

/* ------------------------------------------------------------------------ */
/* helpers                                                                   */

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
        cmocka_unit_test(sign_parse_verify),
        cmocka_unit_test(secsipidx_interop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
