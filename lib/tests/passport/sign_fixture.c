/*
 * The fixture shared by the signer tests (test_sign*.c): see
 * sign_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "core/b64url.h"
#include "sign_fixture.h"

tp_cert *root, *inter, *leaf_spc, *leaf_range, *leaf_notn;
char *key_spc;
char *key_range;
int64_t t0 = TP_T0;
static const char *const one_dest[] = {DEST};

static char *bio_string(BIO *bio)
{
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    assert_true(n > 0);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    memcpy(s, data, (size_t)n);
    s[n] = '\0';
    return s;
}

char *key_pem(EVP_PKEY *k, enum key_form form)
{
    static unsigned char pass[] = "secret";
    BIO *bio = BIO_new(BIO_s_mem());
    assert_non_null(bio);
    int ok = 0;
    switch (form) {
    case PKCS8:
        ok = PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL);
        break;
    case SEC1:
        ok = PEM_write_bio_PrivateKey_traditional(bio, k, NULL, NULL, 0, NULL, NULL);
        break;
    case PKCS8_ENCRYPTED:
        ok = PEM_write_bio_PrivateKey(bio, k, EVP_aes_256_cbc(), pass, 6, NULL, NULL);
        break;
    case SEC1_ENCRYPTED:
        ok = PEM_write_bio_PrivateKey_traditional(bio, k, EVP_aes_256_cbc(), pass, 6, NULL,
                                                  NULL);
        break;
    }
    assert_int_equal(ok, 1);
    char *s = bio_string(bio);
    BIO_free(bio);
    return s;
}

int group_setup(void **state)
{
    (void)state;
    root = tp_test_root();
    inter = tp_issue(&(tp_spec){.cn = "Test STI-CA", .ca = 1}, root);
    leaf_spc = tp_issue(&(tp_spec){.cn = "SHAKEN 709J", .tnauth = "spc:709J"}, inter);
    leaf_range = tp_issue(&(tp_spec){.cn = "range",
                                     .tnauth = "range:12025550000+100,tn:13105550000"},
                          inter);
    leaf_notn = tp_issue(&(tp_spec){.cn = "no TNAuthList"}, inter);
    key_spc = key_pem(leaf_spc->key, PKCS8);
    key_range = key_pem(leaf_range->key, PKCS8);
    return 0;
}

int group_teardown(void **state)
{
    (void)state;
    tp_free(root);
    tp_free(inter);
    tp_free(leaf_spc);
    tp_free(leaf_range);
    tp_free(leaf_notn);
    free(key_spc);
    free(key_range);
    return 0;
}

/* A signer with `key` (PEM), optionally `cert`, X5U and the fixed clock. */
clid_signer *new_signer(const char *key, const tp_cert *cert)
{
    clid_signer *s = NULL;
    assert_int_equal(clid_signer_new(&s), CLID_OK);
    assert_int_equal(clid_signer_set_key_pem(s, key, strlen(key)), CLID_OK);
    if (cert != NULL)
        assert_int_equal(clid_signer_set_cert_pem(s, cert->pem, strlen(cert->pem)), CLID_OK);
    assert_int_equal(clid_signer_set_x5u(s, X5U), CLID_OK);
    assert_int_equal(clid_signer_set_clock(s, tp_fixed_clock, &t0), CLID_OK);
    return s;
}

clid_claims default_claims(void)
{
    return (clid_claims){.orig = ORIG, .dest = one_dest, .dest_count = 1, .attest = 'A'};
}

clid_err sign_into(const clid_signer *s, const clid_claims *c, char *buf, size_t cap)
{
    size_t len = 0;
    clid_err rc = clid_sign_identity(s, c, buf, cap, &len);
    if (rc == CLID_OK)
        assert_int_equal(len, strlen(buf));
    return rc;
}

/* The JSON object in base64url part [b64, b64+n). */
json_t *decode_part(const char *b64, size_t n)
{
    uint8_t buf[8192];
    size_t len = 0;
    assert_int_equal(clid__b64url_decode(b64, n, buf, sizeof buf, &len), CLID_OK);
    json_error_t err;
    json_t *j = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &err);
    assert_non_null(j);
    return j;
}

/* The decoded bytes of a base64url part, NUL-terminated, into out[cap]. */
size_t decode_bytes(const char *b64, size_t n, char *out, size_t cap)
{
    size_t len = 0;
    assert_int_equal(clid__b64url_decode(b64, n, (uint8_t *)out, cap - 1, &len), CLID_OK);
    out[len] = '\0';
    return len;
}
jws_parts split_jws(const char *v)
{
    jws_parts p;
    const char *end = strchr(v, ';');
    if (end == NULL)
        end = v + strlen(v);
    const char *d1 = memchr(v, '.', (size_t)(end - v));
    assert_non_null(d1);
    const char *d2 = memchr(d1 + 1, '.', (size_t)(end - d1 - 1));
    assert_non_null(d2);
    assert_null(memchr(d2 + 1, '.', (size_t)(end - d2 - 1)));
    p.h = v;
    p.h_len = (size_t)(d1 - v);
    p.c = d1 + 1;
    p.c_len = (size_t)(d2 - d1 - 1);
    p.s = d2 + 1;
    p.s_len = (size_t)(end - d2 - 1);
    return p;
}
