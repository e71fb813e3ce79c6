/*
 * lib/src/core/b64url.c: base64url without padding (RFC 4648 §5, RFC 7515 §2),
 * with a strict decoder (one text per byte string).
 */
#include "support/stir_core_test.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/b64url.h"

/* RFC 4648 §10 test vectors, in the URL alphabet without padding. */
static const struct {
    const char *bytes;
    const char *text;
} rfc4648[] = {
    {"", ""},         {"f", "Zg"},          {"fo", "Zm8"},        {"foo", "Zm9v"},
    {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
};

static void vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rfc4648 / sizeof rfc4648[0]; i++) {
        const char *b = rfc4648[i].bytes, *t = rfc4648[i].text;
        size_t bl = strlen(b), tl = strlen(t);
        char enc[16];
        assert_int_equal(clid__b64url_encoded_len(bl), tl);
        assert_int_equal(clid__b64url_encode((const uint8_t *)b, bl, enc), tl);
        assert_memory_equal(enc, t, tl);
        uint8_t dec[16];
        size_t dl = 99;
        char *exact = sc_exact(t, tl);
        sc_assert_ok(clid__b64url_decode(exact, tl, dec, sizeof dec, &dl));
        assert_int_equal(dl, bl);
        assert_memory_equal(dec, b, bl);
        assert_int_equal(clid__b64url_decoded_max(tl), bl);
        free(exact);
    }
}

/* The URL alphabet: '-' and '_' where standard base64 has '+' and '/'. */
static void url_alphabet(void **state)
{
    (void)state;
    const uint8_t b[] = {0xfb, 0xff, 0xbf};
    char enc[4];
    clid__b64url_encode(b, 3, enc);
    assert_memory_equal(enc, "-_-_", 4);
    uint8_t dec[3];
    size_t dl = 0;
    sc_assert_ok(clid__b64url_decode("-_-_", 4, dec, sizeof dec, &dl));
    assert_memory_equal(dec, b, 3);
    sc_assert_err(clid__b64url_decode("+/+/", 4, dec, sizeof dec, &dl), CLID_ERR_BASE64);
}

/* Agreement with OpenSSL's base64 (translated alphabet, padding stripped)
 * for every length up to 300 bytes of random data. */
static void matches_openssl(void **state)
{
    (void)state;
    uint8_t in[300];
    char mine[404], ref[404 + 4];
    uint8_t back[300];
    for (size_t n = 0; n <= sizeof in; n++) {
        assert_int_equal(RAND_bytes(in, (int)sizeof in), 1);
        size_t m = clid__b64url_encode(in, n, mine);
        int r = EVP_EncodeBlock((unsigned char *)ref, in, (int)n);
        size_t rl = (size_t)r;
        while (rl > 0 && ref[rl - 1] == '=')
            rl--;
        for (size_t k = 0; k < rl; k++)
            ref[k] = ref[k] == '+' ? '-' : ref[k] == '/' ? '_' : ref[k];
        assert_int_equal(m, rl);
        assert_memory_equal(mine, ref, m);
        char *exact = sc_exact(mine, m);
        size_t bl = 0;
        sc_assert_ok(clid__b64url_decode(exact, m, back, n, &bl)); /* cap exactly n */
        assert_int_equal(bl, n);
        assert_memory_equal(back, in, n);
        free(exact);
    }
}

static void rejects(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t len;
    } bad[] = {
        {"Zg==", 4},      /* padding (RFC 7515 §2: none) */
        {"Zm8=", 4},
        {"Zg=", 3},
        {"Z", 1},         /* 1 mod 4 */
        {"Zm9vY", 5},
        {"Zh", 2},        /* unused bits not zero: "Zg" is the only form of "f" */
        {"Zm9", 3},       /* likewise for "fo" (Zm8) */
        {"Zm 9v", 5},     /* whitespace */
        {"Zm9v\n", 5},
        {"Zm\r\n9v", 6},
        {"Zm9v\0Zg", 7},  /* embedded NUL */
        {"Zm9+", 4},      /* standard alphabet */
        {"Zm9/", 4},
        {"Zm.v", 4},
        {"Zm9\xc3\xa9", 5},
    };
    uint8_t out[16];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *exact = sc_exact(bad[i].text, bad[i].len);
        size_t ol = 77;
        clid_err rc = clid__b64url_decode(exact, bad[i].len, out, sizeof out, &ol);
        if (rc != CLID_ERR_BASE64)
            fail_msg("case %zu: got %s", i, clid_err_name(rc));
        assert_int_equal(ol, 0);
        free(exact);
    }
}

static void buffer_and_arguments(void **state)
{
    (void)state;
    uint8_t out[6];
    size_t ol = 0;
    sc_assert_err(clid__b64url_decode("Zm9vYmFy", 8, out, 5, &ol), CLID_ERR_BUFFER_TOO_SMALL);
    sc_assert_ok(clid__b64url_decode("Zm9vYmFy", 8, out, 6, &ol));
    assert_int_equal(ol, 6);
    sc_assert_err(clid__b64url_decode("Zm9v", 4, NULL, 0, &ol), CLID_ERR_BUFFER_TOO_SMALL);
    sc_assert_ok(clid__b64url_decode("", 0, NULL, 0, &ol));
    assert_int_equal(ol, 0);
    sc_assert_ok(clid__b64url_decode(NULL, 0, NULL, 0, NULL));
    sc_assert_err(clid__b64url_decode(NULL, 4, out, sizeof out, &ol), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid__b64url_decoded_max(0), 0);
    assert_int_equal(clid__b64url_decoded_max(1), 0);
    assert_int_equal(clid__b64url_decoded_max(2), 1);
    assert_int_equal(clid__b64url_decoded_max(3), 2);
    assert_int_equal(clid__b64url_decoded_max(86), 64); /* an ES256 signature */
    assert_int_equal(clid__b64url_encoded_len(64), 86);
}

/*
 * Strictness as a property: every text of up to 3 characters over a
 * 66-symbol set (the alphabet, '=' and '+') either is refused or is the
 * encoding of what it decodes to.
 */
static void one_text_per_value(void **state)
{
    (void)state;
    static const char sym[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+";
    const size_t ns = sizeof sym - 1;
    size_t accepted = 0;
    char t[3], back[4];
    uint8_t dec[3];
    for (size_t len = 1; len <= 3; len++) {
        size_t total = 1;
        for (size_t k = 0; k < len; k++)
            total *= ns;
        for (size_t idx = 0; idx < total; idx++) {
            size_t v = idx;
            for (size_t k = 0; k < len; k++) {
                t[k] = sym[v % ns];
                v /= ns;
            }
            size_t dl = 0;
            if (clid__b64url_decode(t, len, dec, sizeof dec, &dl) != CLID_OK)
                continue;
            accepted++;
            size_t el = clid__b64url_encode(dec, dl, back);
            assert_int_equal(el, len);
            assert_memory_equal(back, t, len);
        }
    }
    /* 2 characters encode 256 values, 3 characters 65536. */
    assert_int_equal(accepted, 256 + 65536);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(vectors),
        cmocka_unit_test(url_alphabet),
        cmocka_unit_test(matches_openssl),
        cmocka_unit_test(rejects),
        cmocka_unit_test(buffer_and_arguments),
        cmocka_unit_test(one_text_per_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
