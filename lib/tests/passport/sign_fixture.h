/*
 * The fixture shared by the signer tests (test_sign*.c): a test PKI with
 * leaves for an SPC, a range and no TNAuthList, their keys as PEM, and the
 * means to make a signer, sign into a buffer and take the JWS apart.
 */
#ifndef CLID_TEST_SIGN_FIXTURE_H
#define CLID_TEST_SIGN_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>

#include <clid/clid.h>

#include "support/testpki.h"

#define X5U "https://cert.example.org/sp.pem"
#define ORIG "12025550100"
#define DEST "13035550199"
#define ORIGID "4b3e8f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5b"

extern tp_cert *root, *inter, *leaf_spc, *leaf_range, *leaf_notn;
extern char *key_spc;   /* leaf_spc's key, PKCS#8 PEM */
extern char *key_range; /* leaf_range's key, PKCS#8 PEM */
extern int64_t t0;      /* TP_T0 */

/* cmocka group setup and teardown: the PKI and keys above. */
int group_setup(void **state);
int group_teardown(void **state);

enum key_form { PKCS8, SEC1, PKCS8_ENCRYPTED, SEC1_ENCRYPTED };

/* `k` as a malloc'd PEM in `form` (encrypted ones with the passphrase
 * "secret"). */
char *key_pem(EVP_PKEY *k, enum key_form form);

/* A signer with `key` (PEM), optionally `cert`, X5U and the fixed clock. */
clid_signer *new_signer(const char *key, const tp_cert *cert);
/* orig ORIG, dest DEST, attest A. */
clid_claims default_claims(void);
/* clid_sign_identity into buf[cap], checking the length on success. */
clid_err sign_into(const clid_signer *s, const clid_claims *c, char *buf, size_t cap);

/* The JSON object in base64url part [b64, b64+n). */
json_t *decode_part(const char *b64, size_t n);
/* The decoded bytes of a base64url part, NUL-terminated, into out[cap]. */
size_t decode_bytes(const char *b64, size_t n, char *out, size_t cap);

/* The three parts of the JWS at the start of `v` (up to ';' or the end). */
typedef struct jws_parts {
    const char *h, *c, *s;
    size_t h_len, c_len, s_len;
} jws_parts;

jws_parts split_jws(const char *v);

#endif /* CLID_TEST_SIGN_FIXTURE_H */
