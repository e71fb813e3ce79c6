/*
 * lib/src/core/es256.c: ES256 (RFC 7518 §3.4) signing and verification with raw
 * r||s signatures, the DER <-> raw conversions, the key checks and the
 * thread-safe context pool.
 */
#include "support/stir_core_test.h"

#include <pthread.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "core/b64url.h"
#include "core/es256.h"

static EVP_PKEY *pem_pubkey(const char *pem)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    assert_non_null(b);
    EVP_PKEY *k = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
    BIO_free(b);
    assert_non_null(k);
    return k;
}

static EVP_PKEY *pem_privkey(const char *pem)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    assert_non_null(b);
    EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
    BIO_free(b);
    assert_non_null(k);
    return k;
}

/* The public half of k as its own EVP_PKEY (via SubjectPublicKeyInfo). */
static EVP_PKEY *public_only(EVP_PKEY *k)
{
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(k, &der);
    assert_true(n > 0);
    const unsigned char *p = der;
    EVP_PKEY *pub = d2i_PUBKEY(NULL, &p, n);
    OPENSSL_free(der);
    assert_non_null(pub);
    return pub;
}

static void b64_decode_or_fail(const char *t, uint8_t *out, size_t cap, size_t *len)
{
    sc_assert_ok(clid__b64url_decode(t, strlen(t), out, cap, len));
}

/* ------------------------------------------------------------------------ */

typedef struct keys {
    EVP_PKEY *pkey;
    clid__es256_key *signer;
    clid__es256_key *verifier;
} keys;

static int keys_setup(void **state)
{
    keys *k = calloc(1, sizeof *k);
    assert_non_null(k);
    k->pkey = EVP_EC_gen("P-256");
    assert_non_null(k->pkey);
    EVP_PKEY *pub = public_only(k->pkey);
    sc_assert_ok(clid__es256_key_new(k->pkey, 1, &k->signer));
    sc_assert_ok(clid__es256_key_new(pub, 0, &k->verifier));
    EVP_PKEY_free(pub); /* the key object holds its own reference */
    *state = k;
    return 0;
}

static int keys_teardown(void **state)
{
    keys *k = *state;
    clid__es256_key_free(k->signer);
    clid__es256_key_free(k->verifier);
    EVP_PKEY_free(k->pkey);
    free(k);
    return 0;
}

static const char MSG[] = "eyJhbGciOiJFUzI1NiJ9.eyJpYXQiOjF9";

static void roundtrip_and_tamper(void **state)
{
    keys *k = *state;
    uint8_t sig[64];
    sc_assert_ok(clid__es256_sign(k->signer, (const uint8_t *)MSG, strlen(MSG), sig));
    sc_assert_ok(clid__es256_verify(k->verifier, (const uint8_t *)MSG, strlen(MSG), sig, 64));
    /* the signing key verifies too (it has the public half) */
    assert_ptr_equal(clid__es256_key_pkey(k->signer), k->pkey);
    sc_assert_ok(clid__es256_verify(k->signer, (const uint8_t *)MSG, strlen(MSG), sig, 64));

    /* every single-bit change of the message or the signature fails */
    char msg[sizeof MSG];
    memcpy(msg, MSG, sizeof MSG);
    for (size_t i = 0; i < strlen(MSG); i++) {
        msg[i] ^= 0x01;
        sc_assert_err(clid__es256_verify(k->verifier, (const uint8_t *)msg, strlen(MSG), sig, 64),
                      CLID_ERR_SIGNATURE_INVALID);
        msg[i] ^= 0x01;
    }
    for (size_t i = 0; i < 64; i++) {
        sig[i] ^= 0x80;
        sc_assert_err(clid__es256_verify(k->verifier, (const uint8_t *)MSG, strlen(MSG), sig, 64),
                      CLID_ERR_SIGNATURE_INVALID);
        sig[i] ^= 0x80;
    }
    /* truncated message, appended byte, empty message */
    sc_assert_err(clid__es256_verify(k->verifier, (const uint8_t *)MSG, strlen(MSG) - 1, sig, 64),
                  CLID_ERR_SIGNATURE_INVALID);
    sc_assert_err(clid__es256_verify(k->verifier, (const uint8_t *)MSG, sizeof MSG, sig, 64),
                  CLID_ERR_SIGNATURE_INVALID);
    sc_assert_ok(clid__es256_sign(k->signer, NULL, 0, sig));
    sc_assert_ok(clid__es256_verify(k->verifier, NULL, 0, sig, 64));

    /* ECDSA is randomized: two signatures differ, both verify */
    uint8_t s2[64];
    sc_assert_ok(clid__es256_sign(k->signer, (const uint8_t *)MSG, strlen(MSG), sig));
    sc_assert_ok(clid__es256_sign(k->signer, (const uint8_t *)MSG, strlen(MSG), s2));
    assert_memory_not_equal(sig, s2, 64);
    sc_assert_ok(clid__es256_verify(k->verifier, (const uint8_t *)MSG, strlen(MSG), s2, 64));

    /* a different key does not verify */
    EVP_PKEY *other = EVP_EC_gen("P-256");
    clid__es256_key *ov = NULL;
    sc_assert_ok(clid__es256_key_new(other, 0, &ov));
    sc_assert_err(clid__es256_verify(ov, (const uint8_t *)MSG, strlen(MSG), s2, 64),
                  CLID_ERR_SIGNATURE_INVALID);
    clid__es256_key_free(ov);
    EVP_PKEY_free(other);
}

/* A DER signature (the #1 interop bug) and any other size: its own code. */
static void signature_format(void **state)
{
    keys *k = *state;
    uint8_t raw[64], der[80];
    size_t der_len = 0;
    sc_assert_ok(clid__es256_sign(k->signer, (const uint8_t *)MSG, strlen(MSG), raw));
    sc_assert_ok(clid__ecdsa_raw_to_der(raw, der, sizeof der, &der_len));
    assert_true(der_len >= 8 && der_len <= 72);
    sc_assert_err(clid__es256_verify(k->verifier, (const uint8_t *)MSG, strlen(MSG), der, der_len),
                  CLID_ERR_SIGNATURE_FORMAT);
    for (size_t n = 0; n <= 80; n++) {
        if (n == 64)
            continue;
        uint8_t buf[80] = {0};
        memcpy(buf, raw, n < 64 ? n : 64);
        sc_assert_err(clid__es256_verify(k->verifier, (const uint8_t *)MSG, strlen(MSG), buf, n),
                      CLID_ERR_SIGNATURE_FORMAT);
    }
    sc_assert_err(clid__es256_verify(k->verifier, (const uint8_t *)MSG, strlen(MSG), NULL, 0),
                  CLID_ERR_SIGNATURE_FORMAT);
}

static const char P256_N[] = "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551";

/* (r, n - s) is as valid as (r, s): ES256 has no low-S rule, so clid
 * accepts both rather than inventing one. Degenerate values are refused. */
static void high_s_and_degenerate(void **state)
{
    keys *k = *state;
    uint8_t sig[64];
    sc_assert_ok(clid__es256_sign(k->signer, (const uint8_t *)MSG, strlen(MSG), sig));
    BIGNUM *n = NULL;
    assert_true(BN_hex2bn(&n, P256_N) > 0);
    BIGNUM *s = BN_bin2bn(sig + 32, 32, NULL);
    BIGNUM *t = BN_new();
    assert_non_null(s);
    assert_non_null(t);
    assert_true(BN_sub(t, n, s));
    uint8_t flipped[64];
    memcpy(flipped, sig, 32);
    assert_int_equal(BN_bn2binpad(t, flipped + 32, 32), 32);
    assert_memory_not_equal(flipped, sig, 64);
    sc_assert_ok(clid__es256_verify(k->verifier, (const uint8_t *)MSG, strlen(MSG), flipped, 64));

    /* r = 0, s = 0, r = n, s = n, all ones: invalid, never a crash */
    uint8_t bad[64];
    memcpy(bad, sig, 64);
    memset(bad, 0, 32);
    sc_assert_err(clid__es256_verify(k->verifier, (const uint8_t *)MSG, strlen(MSG), bad, 64),
                  CLID_ERR_SIGNATURE_INVALID);
    memcpy(bad, sig, 64);
    memset(bad + 32, 0, 32);
    sc_assert_err(clid__es256_verify(k->verifier, (const uint8_t *)MSG, strlen(MSG), bad, 64),
                  CLID_ERR_SIGNATURE_INVALID);
    memcpy(bad, sig, 64);
    assert_int_equal(BN_bn2binpad(n, bad, 32), 32);
    sc_assert_err(clid__es256_verify(k->verifier, (const uint8_t *)MSG, strlen(MSG), bad, 64),
                  CLID_ERR_SIGNATURE_INVALID);
    memcpy(bad, sig, 64);
    assert_int_equal(BN_bn2binpad(n, bad + 32, 32), 32);
    sc_assert_err(clid__es256_verify(k->verifier, (const uint8_t *)MSG, strlen(MSG), bad, 64),
                  CLID_ERR_SIGNATURE_INVALID);
    memset(bad, 0xff, 64);
    sc_assert_err(clid__es256_verify(k->verifier, (const uint8_t *)MSG, strlen(MSG), bad, 64),
                  CLID_ERR_SIGNATURE_INVALID);
    BN_free(n);
    BN_free(s);
    BN_free(t);
}

/* ------------------------------------------------------------------------ */
/* Keys                                                                      */

static void key_types(void **state)
{
    (void)state;
    clid__es256_key *k = (clid__es256_key *)&k; /* poison: must be reset */
    sc_assert_err(clid__es256_key_new(NULL, 0, &k), CLID_ERR_INVALID_ARGUMENT);
    assert_null(k);
    EVP_PKEY *p256 = EVP_EC_gen("P-256");
    sc_assert_err(clid__es256_key_new(p256, 0, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid__is_p256(p256), 1);

    EVP_PKEY *p384 = EVP_EC_gen("P-384");
    assert_int_equal(clid__is_p256(p384), 0);
    k = (clid__es256_key *)&k;
    sc_assert_err(clid__es256_key_new(p384, 1, &k), CLID_ERR_KEY_TYPE);
    assert_null(k);
    EVP_PKEY *k256 = EVP_EC_gen("secp256k1"); /* a 256-bit curve, but not P-256 */
    sc_assert_err(clid__es256_key_new(k256, 0, &k), CLID_ERR_KEY_TYPE);
    EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    assert_non_null(ed);
    sc_assert_err(clid__es256_key_new(ed, 0, &k), CLID_ERR_KEY_TYPE);
    assert_int_equal(clid__is_p256(NULL), 0);

    /* a public key cannot become a signing key */
    EVP_PKEY *pub = public_only(p256);
    sc_assert_err(clid__es256_key_new(pub, 1, &k), CLID_ERR_KEY_TYPE);
    assert_null(k);
    sc_assert_ok(clid__es256_key_new(pub, 0, &k));
    uint8_t sig[64];
    sc_assert_err(clid__es256_sign(k, (const uint8_t *)"x", 1, sig), CLID_ERR_INVALID_ARGUMENT);
    clid__es256_key_free(k);
    clid__es256_key_free(NULL);
    assert_null(clid__es256_key_pkey(NULL));

    EVP_PKEY_free(pub);
    EVP_PKEY_free(ed);
    EVP_PKEY_free(k256);
    EVP_PKEY_free(p384);
    EVP_PKEY_free(p256);
}

/* ------------------------------------------------------------------------ */
/* Published vectors                                                         */

/* RFC 7515 Appendix A.3: the ES256 JWS example. The key is the RFC's JWK
 * (x = f83OJ3D2..., y = x_FEzRu9...) as SubjectPublicKeyInfo. */
static const char RFC7515_A3_PUB[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEf83OJ3D2xF1Bg8vub9tLe1gHMzV7\n"
    "6e8Tus9uPHvRVEXH8UTNG72bfocs3+257rn0s2ldbqkLJK2KRiMohYjlrQ==\n"
    "-----END PUBLIC KEY-----\n";
static const char RFC7515_A3_INPUT[] =
    "eyJhbGciOiJFUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"
    "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
static const char RFC7515_A3_SIG[] =
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

/* RFC 8225 Appendix A: the example private key (A.1, PKCS#8) and public
 * key (A.2). They are not a pair: A.2 is the key of the drafts' example
 * (draft-ietf-stir-passport-08 Appendix A), whose token below verifies with
 * it; the final RFC's token does not verify with either key (checked also
 * with python3-cryptography). clid's parser test (test_passport.c) uses
 * the RFC token; here the signatures are checked as they are. */
static const char RFC8225_A1_PRIV[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgi7q2TZvN9VDFg8Vy\n"
    "qCP06bETrR2v8MRvr89rn4i+UAahRANCAAQWfaj1HUETpoNCrOtp9KA8o0V79IuW\n"
    "ARKt9C1cFPkyd3FBP4SeiNZxQhDrD0tdBHls3/wFe8++K2FrPyQF9vuh\n"
    "-----END PRIVATE KEY-----\n";
static const char RFC8225_A2_PUB[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE8HNbQd/TmvCKwPKHkMF9fScavGeH\n"
    "78YTU8qLS8I5HLHSSmlATLcslQMhNC/OhlWBYC626nIlo7XeebYS7Sb37g==\n"
    "-----END PUBLIC KEY-----\n";
static const char RFC8225_HDR[] =
    "eyJhbGciOiJFUzI1NiIsInR5cCI6InBhc3Nwb3J0IiwieDV1IjoiaHR0cHM6Ly9jZXJ0LmV4YW1wbGUub3JnL3Bh"
    "c3Nwb3J0LmNlciJ9";
/* {"dest":{"uri":["sip:alice@example.com"]},"iat":"1443208345","orig":{"tn":"12155551212"}} */
static const char DRAFT08_CLAIMS[] =
    "eyJkZXN0Ijp7InVyaSI6WyJzaXA6YWxpY2VAZXhhbXBsZS5jb20iXX0sImlhdCI6IjE0NDMyMDgzNDUiLCJvcmln"
    "Ijp7InRuIjoiMTIxNTU1NTEyMTIifX0";
static const char DRAFT08_SIG[] =
    "rq3pjT1hoRwakEGjHCnWSwUnshd0-zJ6F1VOgFWSjHBr8Qjpjlk-cpFYpFYsojNCpTzO3QfPOlckGaS6hEck7w";
/* {"dest":{"uri":["sip:alice@example.com"]},"iat":1471375418,"orig":{"tn":"12155551212"}} */
static const char RFC8225_CLAIMS[] =
    "eyJkZXN0Ijp7InVyaSI6WyJzaXA6YWxpY2VAZXhhbXBsZS5jb20iXX0sImlhdCI6MTQ3MTM3NTQxOCwib3JpZyI6"
    "eyJ0biI6IjEyMTU1NTUxMjEyIn19";
static const char RFC8225_SIG[] =
    "VLBCIVDCaeK6M4hLJb6SHQvacAQVvoiiEOWQ_iUkqk79UD81fHQ0E1b3_GluIkba7UWYRM47ZbNFdOJquE35cw";

static void verify_vector(const char *pub_pem, const char *input, const char *sig_b64,
                          clid_err expected)
{
    EVP_PKEY *pub = pem_pubkey(pub_pem);
    clid__es256_key *k = NULL;
    sc_assert_ok(clid__es256_key_new(pub, 0, &k));
    uint8_t sig[64];
    size_t sl = 0;
    b64_decode_or_fail(sig_b64, sig, sizeof sig, &sl);
    assert_int_equal(sl, 64);
    sc_assert_err(clid__es256_verify(k, (const uint8_t *)input, strlen(input), sig, sl), expected);
    clid__es256_key_free(k);
    EVP_PKEY_free(pub);
}

static void rfc7515_a3(void **state)
{
    (void)state;
    verify_vector(RFC7515_A3_PUB, RFC7515_A3_INPUT, RFC7515_A3_SIG, CLID_OK);
}

static void rfc8225_appendix_a(void **state)
{
    (void)state;
    char *draft_input = sc_fmt("%s.%s", RFC8225_HDR, DRAFT08_CLAIMS);
    char *rfc_input = sc_fmt("%s.%s", RFC8225_HDR, RFC8225_CLAIMS);
    /* the A.2 public key verifies the example as the drafts published it */
    verify_vector(RFC8225_A2_PUB, draft_input, DRAFT08_SIG, CLID_OK);
    verify_vector(RFC8225_A2_PUB, rfc_input, DRAFT08_SIG, CLID_ERR_SIGNATURE_INVALID);
    /* the RFC's own token: its signature matches neither published key */
    verify_vector(RFC8225_A2_PUB, rfc_input, RFC8225_SIG, CLID_ERR_SIGNATURE_INVALID);
    EVP_PKEY *a1 = pem_privkey(RFC8225_A1_PRIV);
    EVP_PKEY *a1pub = public_only(a1);
    clid__es256_key *v = NULL, *s = NULL;
    sc_assert_ok(clid__es256_key_new(a1pub, 0, &v));
    uint8_t sig[64];
    size_t sl = 0;
    b64_decode_or_fail(RFC8225_SIG, sig, sizeof sig, &sl);
    sc_assert_err(clid__es256_verify(v, (const uint8_t *)rfc_input, strlen(rfc_input), sig, sl),
                  CLID_ERR_SIGNATURE_INVALID);
    /* the A.1 key signs the RFC's signing input, and that verifies */
    sc_assert_ok(clid__es256_key_new(a1, 1, &s));
    sc_assert_ok(clid__es256_sign(s, (const uint8_t *)rfc_input, strlen(rfc_input), sig));
    sc_assert_ok(clid__es256_verify(v, (const uint8_t *)rfc_input, strlen(rfc_input), sig, 64));
    clid__es256_key_free(s);
    clid__es256_key_free(v);
    EVP_PKEY_free(a1pub);
    EVP_PKEY_free(a1);
    free(draft_input);
    free(rfc_input);
}

/* ------------------------------------------------------------------------ */
/* The openssl CLI as an independent signer                                  */

static char *write_temp(const char *tag, const void *data, size_t len)
{
    const char *dir = getenv("TMPDIR");
    char *path = sc_fmt("%s/clid_es256_%s_XXXXXX", dir != NULL ? dir : "/tmp", tag);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    return path;
}

static void openssl_cli_signature(void **state)
{
    keys *k = *state;
    if (system("openssl version >/dev/null 2>&1") != 0)
        skip();
    BIO *b = BIO_new(BIO_s_mem());
    assert_non_null(b);
    assert_int_equal(PEM_write_bio_PrivateKey(b, k->pkey, NULL, NULL, 0, NULL, NULL), 1);
    char *pem = NULL;
    long pem_len = BIO_get_mem_data(b, &pem);
    char *key_path = write_temp("key", pem, (size_t)pem_len);
    BIO_free(b);
    char *msg_path = write_temp("msg", MSG, strlen(MSG));
    char *sig_path = write_temp("sig", "", 0);
    char *cmd = sc_fmt("openssl dgst -sha256 -sign '%s' -out '%s' '%s'", key_path, sig_path,
                       msg_path);
    assert_int_equal(system(cmd), 0);

    uint8_t der[128];
    FILE *f = fopen(sig_path, "rb");
    assert_non_null(f);
    size_t der_len = fread(der, 1, sizeof der, f);
    fclose(f);
    assert_true(der_len >= 8 && der_len <= 72);

    /* as sent by old Asterisk (DER): refused with its own code */
    sc_assert_err(clid__es256_verify(k->verifier, (const uint8_t *)MSG, strlen(MSG), der, der_len),
                  CLID_ERR_SIGNATURE_FORMAT);
    /* converted to raw r||s: verifies */
    uint8_t raw[64];
    sc_assert_ok(clid__ecdsa_der_to_raw(der, der_len, raw));
    sc_assert_ok(clid__es256_verify(k->verifier, (const uint8_t *)MSG, strlen(MSG), raw, 64));
    /* and over a different message it does not */
    sc_assert_err(clid__es256_verify(k->verifier, (const uint8_t *)MSG, strlen(MSG) - 2, raw, 64),
                  CLID_ERR_SIGNATURE_INVALID);

    unlink(key_path);
    unlink(msg_path);
    unlink(sig_path);
    free(cmd);
    free(key_path);
    free(msg_path);
    free(sig_path);
}

/* ------------------------------------------------------------------------ */
/* DER <-> raw                                                               */

/* OpenSSL's view of a raw signature, as DER. */
static size_t openssl_der(const uint8_t raw[64], uint8_t *out)
{
    ECDSA_SIG *s = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(raw, 32, NULL), *sv = BN_bin2bn(raw + 32, 32, NULL);
    assert_non_null(s);
    assert_int_equal(ECDSA_SIG_set0(s, r, sv), 1);
    unsigned char *q = out;
    int n = i2d_ECDSA_SIG(s, &q);
    ECDSA_SIG_free(s);
    assert_true(n > 0);
    return (size_t)n;
}

static void check_conversion(const uint8_t raw[64])
{
    uint8_t mine[80], ref[80], back[64];
    size_t ml = 0;
    sc_assert_ok(clid__ecdsa_raw_to_der(raw, mine, sizeof mine, &ml));
    size_t rl = openssl_der(raw, ref);
    assert_int_equal(ml, rl);
    assert_memory_equal(mine, ref, ml);
    sc_assert_ok(clid__ecdsa_der_to_raw(ref, rl, back));
    assert_memory_equal(back, raw, 64);
    /* every proper prefix is refused, each read stays inside it */
    for (size_t n = 0; n < rl; n++) {
        uint8_t *p = malloc(n ? n : 1);
        assert_non_null(p);
        memcpy(p, ref, n);
        sc_assert_err(clid__ecdsa_der_to_raw(p, n, back), CLID_ERR_SIGNATURE_FORMAT);
        free(p);
    }
}

static void der_conversions(void **state)
{
    (void)state;
    uint8_t raw[64];
    for (int i = 0; i < 500; i++) {
        assert_int_equal(RAND_bytes(raw, sizeof raw), 1);
        /* vary the leading bytes: short integers, high bits set or not */
        if (i % 5 == 1)
            memset(raw, 0, (size_t)(i % 33));
        if (i % 7 == 2)
            memset(raw + 32, 0, (size_t)(i % 33));
        if (i % 3 == 0)
            raw[0] |= 0x80;
        check_conversion(raw);
    }
    memset(raw, 0, sizeof raw); /* r = s = 0: "02 01 00" each */
    check_conversion(raw);
    memset(raw, 0xff, sizeof raw);
    check_conversion(raw);

    uint8_t der[80];
    size_t len = 0;
    sc_assert_err(clid__ecdsa_raw_to_der(raw, der, 8, &len), CLID_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(len, 72); /* the size needed */
    sc_assert_err(clid__ecdsa_raw_to_der(raw, NULL, 0, &len), CLID_ERR_BUFFER_TOO_SMALL);
    sc_assert_err(clid__ecdsa_raw_to_der(NULL, der, sizeof der, &len), CLID_ERR_INVALID_ARGUMENT);
    sc_assert_err(clid__ecdsa_der_to_raw(NULL, 8, raw), CLID_ERR_INVALID_ARGUMENT);
}

/* BER that is not DER, or not an ECDSA-Sig-Value at all. */
static void der_rejects(void **state)
{
    (void)state;
    static const struct {
        const char *what;
        uint8_t der[16];
        size_t len;
    } bad[] = {
        {"valid (control)", {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02}, 8},
        {"long-form length", {0x30, 0x81, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02}, 9},
        {"padded r", {0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x02}, 9},
        {"negative r", {0x30, 0x06, 0x02, 0x01, 0x81, 0x02, 0x01, 0x02}, 8},
        {"empty r", {0x30, 0x05, 0x02, 0x00, 0x02, 0x01, 0x02}, 7},
        {"trailing byte", {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02, 0x00}, 9},
        {"byte after seq", {0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02, 0x05}, 9},
        {"short seq length", {0x30, 0x05, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02}, 8},
        {"set, not sequence", {0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02}, 8},
        {"octet string s", {0x30, 0x06, 0x02, 0x01, 0x01, 0x04, 0x01, 0x02}, 8},
        {"one integer", {0x30, 0x03, 0x02, 0x01, 0x01}, 5},
        {"three integers", {0x30, 0x09, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02, 0x02, 0x01, 0x03}, 11},
    };
    uint8_t raw[64];
    sc_assert_ok(clid__ecdsa_der_to_raw(bad[0].der, bad[0].len, raw));
    for (size_t i = 1; i < sizeof bad / sizeof bad[0]; i++) {
        clid_err rc = clid__ecdsa_der_to_raw(bad[i].der, bad[i].len, raw);
        if (rc != CLID_ERR_SIGNATURE_FORMAT)
            fail_msg("%s: got %s", bad[i].what, clid_err_name(rc));
    }
    /* a 33-byte integer that is not 0x00-padded, or a 34-byte one, does
     * not fit P-256 */
    uint8_t big[80] = {0x30, 0x00, 0x02, 33};
    memset(big + 4, 0x11, 33);
    big[37] = 0x02;
    big[38] = 0x01;
    big[39] = 0x01;
    big[1] = 38;
    sc_assert_err(clid__ecdsa_der_to_raw(big, 40, raw), CLID_ERR_SIGNATURE_FORMAT);
    big[4] = 0x00; /* padded 32-byte value whose top byte lacks the high bit */
    sc_assert_err(clid__ecdsa_der_to_raw(big, 40, raw), CLID_ERR_SIGNATURE_FORMAT);
    big[5] = 0x91; /* now the padding is required: valid */
    sc_assert_ok(clid__ecdsa_der_to_raw(big, 40, raw));
    assert_int_equal(raw[0], 0x91);
}

/* ------------------------------------------------------------------------ */
/* Threads: one key object shared by several threads (the pool)              */

#define N_THREADS 4
#define N_ROUNDS 150

static void *worker(void *arg)
{
    keys *k = arg;
    for (int i = 0; i < N_ROUNDS; i++) {
        uint8_t sig[64];
        char msg[32];
        int n = snprintf(msg, sizeof msg, "message %d", i);
        if (clid__es256_sign(k->signer, (const uint8_t *)msg, (size_t)n, sig) != CLID_OK)
            return (void *)1;
        if (clid__es256_verify(k->verifier, (const uint8_t *)msg, (size_t)n, sig, 64) != CLID_OK)
            return (void *)2;
        if (clid__es256_verify(k->signer, (const uint8_t *)msg, (size_t)n, sig, 64) != CLID_OK)
            return (void *)3;
        if (clid__es256_verify(k->signer, (const uint8_t *)msg, (size_t)n - 1, sig, 64) !=
            CLID_ERR_SIGNATURE_INVALID)
            return (void *)4;
    }
    return NULL;
}

static void threads(void **state)
{
    keys *k = *state;
    pthread_t t[N_THREADS];
    for (int i = 0; i < N_THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, worker, k), 0);
    for (int i = 0; i < N_THREADS; i++) {
        void *ret = (void *)&ret;
        assert_int_equal(pthread_join(t[i], &ret), 0);
        assert_null(ret);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(roundtrip_and_tamper, keys_setup, keys_teardown),
        cmocka_unit_test_setup_teardown(signature_format, keys_setup, keys_teardown),
        cmocka_unit_test_setup_teardown(high_s_and_degenerate, keys_setup, keys_teardown),
        cmocka_unit_test(key_types),
        cmocka_unit_test(rfc7515_a3),
        cmocka_unit_test(rfc8225_appendix_a),
        cmocka_unit_test_setup_teardown(openssl_cli_signature, keys_setup, keys_teardown),
        cmocka_unit_test(der_conversions),
        cmocka_unit_test(der_rejects),
        cmocka_unit_test_setup_teardown(threads, keys_setup, keys_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
