/*
 * ES256 (RFC 7518 §3.4) on OpenSSL 3 EVP.
 *
 * Speed: OpenSSL 3 looks up algorithm implementations through its provider
 * machinery, and EVP_DigestSign/VerifyInit pay for that lookup plus context
 * setup on every call: at carrier call rates that overhead is a sizeable
 * fraction of the P-256 arithmetic itself. So a key object fetches SHA-256
 * once, hashes with EVP_Digest, and signs/verifies the digest with an
 * EVP_PKEY_CTX that was initialized once. An EVP_PKEY_CTX is not safe for
 * concurrent use, so each key keeps a small pool of initialized contexts:
 * a call pops one (or initializes a new one when the pool is empty) and
 * pushes it back afterwards. The pool lock is only ever try-locked, so a
 * contended or inherited-locked mutex (a fork() while another thread held
 * it) costs a fresh context, never a wait or a deadlock.
 */
#include <pthread.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>

#include "core/es256.h"
#include "core/internal.h"

/* Enough for every thread of a busy host to find a ready context; beyond
 * it, surplus contexts are freed. */
#define CTX_POOL_MAX 16

/* A DER ECDSA-Sig-Value for P-256 is at most 72 bytes (RFC 3279 §2.2.3). */
#define ECDSA_DER_MAX 72

/* The only mutable part of a key, allocated on its own so that a const
 * key (immutable to its users) still reaches it. */
struct ctx_pool {
    pthread_mutex_t lock;
    EVP_PKEY_CTX *ctx[CTX_POOL_MAX];
    size_t n;
};

enum { OP_SIGN = 0, OP_VERIFY = 1 };

struct clid__es256_key {
    EVP_PKEY *pkey;
    EVP_MD *sha256;
    int private_key;
    struct ctx_pool *pool[2]; /* by operation: a signing key verifies too */
};

int clid__is_p256(const EVP_PKEY *pkey)
{
    if (pkey == NULL || !EVP_PKEY_is_a(pkey, "EC"))
        return 0;
    char name[64];
    size_t len = 0;
    if (!EVP_PKEY_get_group_name(pkey, name, sizeof name, &len))
        return 0;
    /* OpenSSL reports its short name; accept the NIST and SEC aliases too. */
    int nid = OBJ_sn2nid(name);
    if (nid == NID_undef)
        nid = EC_curve_nist2nid(name);
    return nid == NID_X9_62_prime256v1;
}

/* 1 when the key holds the private scalar. */
static int has_private(const EVP_PKEY *pkey)
{
    BIGNUM *d = NULL;
    if (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d))
        return 0;
    BN_clear_free(d);
    return 1;
}

static EVP_PKEY_CTX *ctx_new(const clid__es256_key *k, int op)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
    if (c == NULL)
        return NULL;
    int ok = op == OP_SIGN ? EVP_PKEY_sign_init(c) : EVP_PKEY_verify_init(c);
    if (ok != 1) {
        EVP_PKEY_CTX_free(c);
        return NULL;
    }
    return c;
}

static EVP_PKEY_CTX *ctx_get(const clid__es256_key *k, int op)
{
    struct ctx_pool *p = k->pool[op];
    EVP_PKEY_CTX *c = NULL;
    if (pthread_mutex_trylock(&p->lock) == 0) {
        if (p->n > 0)
            c = p->ctx[--p->n];
        pthread_mutex_unlock(&p->lock);
    }
    return c != NULL ? c : ctx_new(k, op);
}

static void ctx_put(const clid__es256_key *k, int op, EVP_PKEY_CTX *c)
{
    struct ctx_pool *p = k->pool[op];
    if (pthread_mutex_trylock(&p->lock) == 0) {
        if (p->n < CTX_POOL_MAX) {
            p->ctx[p->n++] = c;
            c = NULL;
        }
        pthread_mutex_unlock(&p->lock);
    }
    EVP_PKEY_CTX_free(c);
}

clid_err clid__es256_key_new(EVP_PKEY *pkey, int private_key, clid__es256_key **out)
{
    CLID_ENSURE(out != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out = NULL;
    CLID_ENSURE(pkey != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(clid__is_p256(pkey), CLID_ERR_KEY_TYPE);
    /* A signing key without its private scalar is not a P-256 signing key. */
    CLID_ENSURE(!private_key || has_private(pkey), CLID_ERR_KEY_TYPE);

    clid__es256_key *k = OPENSSL_zalloc(sizeof *k);
    if (k == NULL)
        return CLID_ERR_NOMEM;
    for (int op = OP_SIGN; op <= OP_VERIFY; op++) {
        struct ctx_pool *p = OPENSSL_zalloc(sizeof *p);
        if (p == NULL || pthread_mutex_init(&p->lock, NULL) != 0) {
            OPENSSL_free(p);
            clid__es256_key_free(k);
            return CLID_ERR_NOMEM;
        }
        k->pool[op] = p;
    }
    k->private_key = private_key ? 1 : 0;
    k->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (k->sha256 == NULL || !EVP_PKEY_up_ref(pkey)) {
        clid__es256_key_free(k);
        return CLID_ERR_INTERNAL;
    }
    k->pkey = pkey;
    /* One ready context per use, so that a key that cannot be used fails
     * here rather than at the first call. */
    for (int op = k->private_key ? OP_SIGN : OP_VERIFY; op <= OP_VERIFY; op++) {
        EVP_PKEY_CTX *c = ctx_new(k, op);
        if (c == NULL) {
            clid__es256_key_free(k);
            return CLID_ERR_KEY_TYPE;
        }
        k->pool[op]->ctx[k->pool[op]->n++] = c;
    }
    *out = k;
    return CLID_OK;
}

void clid__es256_key_free(clid__es256_key *k)
{
    if (k == NULL)
        return;
    for (int op = OP_SIGN; op <= OP_VERIFY; op++) {
        struct ctx_pool *p = k->pool[op];
        if (p == NULL)
            continue;
        for (size_t i = 0; i < p->n; i++)
            EVP_PKEY_CTX_free(p->ctx[i]);
        pthread_mutex_destroy(&p->lock);
        OPENSSL_free(p);
    }
    EVP_MD_free(k->sha256);
    EVP_PKEY_free(k->pkey);
    OPENSSL_free(k);
}

EVP_PKEY *clid__es256_key_pkey(const clid__es256_key *k)
{
    return k != NULL ? k->pkey : NULL;
}

static clid_err digest(const clid__es256_key *k, const uint8_t *msg, size_t n, uint8_t md[32])
{
    unsigned int md_len = 0;
    if (EVP_Digest(msg, n, md, &md_len, k->sha256, NULL) != 1 || md_len != 32)
        return CLID_ERR_INTERNAL;
    return CLID_OK;
}

clid_err clid__es256_sign(const clid__es256_key *k, const uint8_t *msg, size_t n,
                          uint8_t sig[CLID_ES256_SIG_LEN])
{
    CLID_ENSURE(k != NULL && sig != NULL && (msg != NULL || n == 0), CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(k->private_key, CLID_ERR_INVALID_ARGUMENT);
    uint8_t md[32];
    CLID_TRY(digest(k, msg, n, md));

    EVP_PKEY_CTX *c = ctx_get(k, OP_SIGN);
    if (c == NULL)
        return CLID_ERR_NOMEM;
    uint8_t der[ECDSA_DER_MAX];
    size_t der_len = sizeof der;
    int ok = EVP_PKEY_sign(c, der, &der_len, md, sizeof md);
    ctx_put(k, OP_SIGN, c);
    if (ok != 1)
        return CLID_ERR_INTERNAL;
    /* JWS wants raw r||s, not DER (RFC 7518 §3.4). */
    clid_err rc = clid__ecdsa_der_to_raw(der, der_len, sig);
    return rc == CLID_OK ? CLID_OK : CLID_ERR_INTERNAL;
}

clid_err clid__es256_verify(const clid__es256_key *k, const uint8_t *msg, size_t n,
                            const uint8_t *sig, size_t sig_len)
{
    CLID_ENSURE(k != NULL && (msg != NULL || n == 0), CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(sig != NULL || sig_len == 0, CLID_ERR_INVALID_ARGUMENT);
    /* Exactly 64 bytes: a DER signature (70-72 bytes) is the classic interop
     * bug and is refused with its own code (standards notes §7 item 1). */
    CLID_ENSURE(sig_len == CLID_ES256_SIG_LEN, CLID_ERR_SIGNATURE_FORMAT);

    uint8_t der[ECDSA_DER_MAX];
    size_t der_len = 0;
    CLID_TRY(clid__ecdsa_raw_to_der(sig, der, sizeof der, &der_len));
    uint8_t md[32];
    CLID_TRY(digest(k, msg, n, md));

    EVP_PKEY_CTX *c = ctx_get(k, OP_VERIFY);
    if (c == NULL)
        return CLID_ERR_NOMEM;
    /* 1: valid; 0: invalid; <0: malformed (r or s zero or >= n, which the
     * raw form can express). High-S values are valid ECDSA and accepted:
     * ES256 defines no malleability rule. */
    int ok = EVP_PKEY_verify(c, der, der_len, md, sizeof md);
    ctx_put(k, OP_VERIFY, c);
    return ok == 1 ? CLID_OK : CLID_ERR_SIGNATURE_INVALID;
}

/*
 * DER <-> raw conversions, written out by hand: the ECDSA-Sig-Value of
 * P-256 (RFC 3279 §2.2.3, SEQUENCE { r INTEGER, s INTEGER }) is small and
 * fixed, and going through ECDSA_SIG/BIGNUM costs about 1 µs per call,
 * most of clid's overhead over a bare EVP_PKEY_sign. lib/tests/core/test_es256.c
 * checks both directions against OpenSSL's d2i/i2d_ECDSA_SIG.
 */

/* Reads one DER INTEGER holding a non-negative value of at most 32 bytes,
 * minimally encoded, into out[32] (left-padded with zeros). */
static int der_uint32(const uint8_t **pp, const uint8_t *end, uint8_t out[32])
{
    const uint8_t *p = *pp;
    if (end - p < 2 || p[0] != 0x02)
        return 0;
    size_t n = p[1];
    p += 2;
    /* Short-form length only (a P-256 integer needs at most 33 bytes), at
     * least one content byte. */
    if (n < 1 || n > 33 || (size_t)(end - p) < n)
        return 0;
    if (p[0] & 0x80)
        return 0; /* negative */
    if (n > 1 && p[0] == 0x00 && !(p[1] & 0x80))
        return 0; /* non-minimal leading zero */
    if (p[0] == 0x00 && n > 1) {
        p++;
        n--;
    }
    if (n > 32)
        return 0;
    memset(out, 0, 32 - n);
    memcpy(out + 32 - n, p, n);
    *pp = p + n;
    return 1;
}

clid_err clid__ecdsa_der_to_raw(const uint8_t *der, size_t len, uint8_t raw[CLID_ES256_SIG_LEN])
{
    CLID_ENSURE(der != NULL && raw != NULL, CLID_ERR_INVALID_ARGUMENT);
    /* SEQUENCE with a short-form length covering exactly the rest. */
    CLID_ENSURE(len >= 8 && len <= ECDSA_DER_MAX, CLID_ERR_SIGNATURE_FORMAT);
    CLID_ENSURE(der[0] == 0x30 && der[1] < 0x80 && (size_t)der[1] == len - 2,
                CLID_ERR_SIGNATURE_FORMAT);
    const uint8_t *p = der + 2;
    const uint8_t *end = der + len;
    uint8_t tmp[CLID_ES256_SIG_LEN];
    CLID_ENSURE(der_uint32(&p, end, tmp) && der_uint32(&p, end, tmp + 32) && p == end,
                CLID_ERR_SIGNATURE_FORMAT);
    memcpy(raw, tmp, sizeof tmp);
    return CLID_OK;
}

/* Writes the minimal DER INTEGER for the unsigned 32-byte value v. */
static size_t der_put_uint32(const uint8_t v[32], uint8_t *out)
{
    size_t skip = 0;
    while (skip < 31 && v[skip] == 0)
        skip++;
    size_t n = 32 - skip;
    int pad = (v[skip] & 0x80) != 0;
    out[0] = 0x02;
    out[1] = (uint8_t)(n + (size_t)pad);
    size_t o = 2;
    if (pad)
        out[o++] = 0x00;
    memcpy(out + o, v + skip, n);
    return o + n;
}

clid_err clid__ecdsa_raw_to_der(const uint8_t raw[CLID_ES256_SIG_LEN], uint8_t *der, size_t cap,
                                size_t *len)
{
    CLID_ENSURE(raw != NULL && len != NULL, CLID_ERR_INVALID_ARGUMENT);
    uint8_t buf[ECDSA_DER_MAX];
    size_t n = 2;
    n += der_put_uint32(raw, buf + n);
    n += der_put_uint32(raw + 32, buf + n);
    buf[0] = 0x30;
    buf[1] = (uint8_t)(n - 2);
    *len = n;
    if (der == NULL || cap < n)
        return CLID_ERR_BUFFER_TOO_SMALL;
    memcpy(der, buf, n);
    return CLID_OK;
}
