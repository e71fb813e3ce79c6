/*
 * Seeded test PKIs (clid ca init/issue --seed S; docs/ca.md "Seeded test
 * PKIs"): every key and serial is derived from the seed and a label, so
 * that a conformance suite generated twice with one seed has the same
 * keys, names and serials. Anyone who knows the seed has every private key:
 * test PKIs only.
 *
 * Derivation: HKDF-SHA256 (RFC 5869) with IKM = the seed, salt
 * "clid ca seed v1", info "key:LABEL" or "serial:LABEL[#N]".
 *   key     48 octets (128 bits more than the order, so the reduction's
 *           bias is below 2^-128; FIPS 186-5 §A.2.1's "extra random bits"
 *           method), d = (v mod (n - 1)) + 1, a valid P-256 scalar 1..n-1;
 *           the public point Q = d*G, the key built with EVP_PKEY_fromdata.
 *   serial  16 octets with ca_serial_random's shape (positive, 16 octets,
 *           low 32 bits not counter-like); a candidate of that shape is
 *           never rejected, a non-conforming one is derived again with #N.
 */
#include "ca.h"

#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#define SEED_SALT "clid ca seed v1"

int ca_seed_ok(const char *seed)
{
    size_t n = strlen(seed);
    if (n == 0 || n > CA_MAX_SEED)
        return 0;
    for (const char *p = seed; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7F)
            return 0;
    return 1;
}

/* HKDF-SHA256(seed, salt, "PREFIX:LABEL") into out[0..len). 0/-1. */
static int derive(const char *seed, const char *prefix, const char *label, unsigned char *out,
                  size_t len)
{
    char info[CA_MAX_SEED_LABEL + 32];
    int n = snprintf(info, sizeof info, "%s:%s", prefix, label);
    if (n < 0 || (size_t)n >= sizeof info)
        return -1;
    /* OSSL_PARAM takes non-const pointers: writable copies. */
    char digest[] = "SHA256", salt[] = SEED_SALT, ikm[CA_MAX_SEED + 1];
    size_t ikm_len = strlen(seed);
    if (ikm_len == 0 || ikm_len > CA_MAX_SEED)
        return -1;
    memcpy(ikm, seed, ikm_len);
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *kctx = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
    OSSL_PARAM p[5];
    p[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
    p[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, ikm, ikm_len);
    p[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt, sizeof salt - 1);
    p[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, (size_t)n);
    p[4] = OSSL_PARAM_construct_end();
    int ok = kctx != NULL && EVP_KDF_derive(kctx, out, len, p) == 1;
    OPENSSL_cleanse(ikm, sizeof ikm);
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);
    return ok ? 0 : -1;
}

EVP_PKEY *ca_seed_key(const char *seed, const char *label)
{
    unsigned char v[48], pub[65];
    EVP_PKEY *key = NULL;
    EC_GROUP *group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    EC_POINT *q = group != NULL ? EC_POINT_new(group) : NULL;
    BN_CTX *bn = BN_CTX_new();
    BIGNUM *d = BN_secure_new(), *nm1 = BN_new();
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    int ok = q != NULL && bn != NULL && d != NULL && nm1 != NULL && bld != NULL &&
             pctx != NULL && derive(seed, "key", label, v, sizeof v) == 0 &&
             BN_bin2bn(v, sizeof v, d) != NULL &&
             /* d = (v mod (n - 1)) + 1: never 0, never n. */
             BN_copy(nm1, EC_GROUP_get0_order(group)) != NULL && BN_sub_word(nm1, 1) == 1 &&
             BN_mod(d, d, nm1, bn) == 1 && BN_add_word(d, 1) == 1 &&
             EC_POINT_mul(group, q, d, NULL, NULL, bn) == 1 &&
             EC_POINT_point2oct(group, q, POINT_CONVERSION_UNCOMPRESSED, pub, sizeof pub, bn) ==
                 sizeof pub &&
             OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ==
                 1 &&
             OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) == 1 &&
             OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub) ==
                 1 &&
             (params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
             EVP_PKEY_fromdata_init(pctx) == 1 &&
             EVP_PKEY_fromdata(pctx, &key, EVP_PKEY_KEYPAIR, params) == 1;
    OPENSSL_cleanse(v, sizeof v);
    OSSL_PARAM_free(params); /* holds a copy of d: cleared (secure BN) below */
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(pctx);
    BN_clear_free(d);
    BN_free(nm1);
    BN_CTX_free(bn);
    EC_POINT_free(q);
    EC_GROUP_free(group);
    if (!ok) {
        EVP_PKEY_free(key);
        return NULL;
    }
    return key;
}

int ca_seed_serial(const char *seed, const char *label, unsigned counter, ca_serial *out)
{
    char l[CA_MAX_SEED_LABEL + 16];
    unsigned char b[16];
    for (unsigned k = counter; k < counter + 64; k++) {
        int n = k == 0 ? snprintf(l, sizeof l, "%s", label)
                       : snprintf(l, sizeof l, "%s#%u", label, k);
        if (n < 0 || (size_t)n >= sizeof l || derive(seed, "serial", l, b, sizeof b) != 0)
            return -1;
        b[0] = (unsigned char)((b[0] & 0x3F) | 0x40);
        if (b[12] == 0 && b[13] == 0)
            continue; /* counter-like low bits (ca_serial_random): the next one */
        for (size_t i = 0; i < sizeof b; i++)
            snprintf(out->hex + 2 * i, 3, "%02X", b[i]);
        return 0;
    }
    return -1;
}
