/*
 * ES256 (RFC 7518 §3.4): ECDSA P-256 with SHA-256, signatures as the raw
 * 64-byte r||s, never DER (the #1 interop bug: standards notes §3, §7).
 *
 * The key objects pre-fetch what OpenSSL 3 would otherwise look up on every
 * call (the SHA-256 implementation, initialized EVP_PKEY_CTX), because at
 * carrier call rates that lookup costs as much as the arithmetic. They are
 * immutable after creation and safe to use from several threads.
 */
#ifndef CLID_ES256_H
#define CLID_ES256_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include <clid/clid_errors.h>

#define CLID_ES256_SIG_LEN 64

typedef struct clid__es256_key clid__es256_key;

/* Takes a reference to `pkey` (EVP_PKEY_up_ref). CLID_ERR_KEY_TYPE unless
 * it is an EC key on P-256 (with its private scalar when `private_key`).
 * `private_key` enables signing; every key verifies. */
clid_err clid__es256_key_new(EVP_PKEY *pkey, int private_key, clid__es256_key **out);
void clid__es256_key_free(clid__es256_key *k);
EVP_PKEY *clid__es256_key_pkey(const clid__es256_key *k); /* borrowed */

/* Signs SHA-256(msg) and writes raw r||s. */
clid_err clid__es256_sign(const clid__es256_key *k, const uint8_t *msg, size_t n,
                          uint8_t sig[CLID_ES256_SIG_LEN]);
/* CLID_ERR_SIGNATURE_FORMAT when sig_len != 64 (e.g. a DER signature),
 * CLID_ERR_SIGNATURE_INVALID when it does not verify. */
clid_err clid__es256_verify(const clid__es256_key *k, const uint8_t *msg, size_t n,
                            const uint8_t *sig, size_t sig_len);

/* Conversions, exposed for tests and for peers that hand us DER. */
clid_err clid__ecdsa_der_to_raw(const uint8_t *der, size_t len, uint8_t raw[CLID_ES256_SIG_LEN]);
clid_err clid__ecdsa_raw_to_der(const uint8_t raw[CLID_ES256_SIG_LEN], uint8_t *der, size_t cap,
                                size_t *len);

/* 1 when pkey is an EC key on P-256. */
int clid__is_p256(const EVP_PKEY *pkey);

#endif
