/*
 * The asn1c bridge (asn1_codec.c): the only code that sees the generated
 * asn1c types. It converts between them and the values of ext_values.h with
 * strict DER; ext_der.c (the public clid_*_encode/decode) and ext_x509.c
 * (extensions in X509 objects) call it.
 */
#ifndef CLID_ASN1_CODEC_H
#define CLID_ASN1_CODEC_H

#include "asn1/ext_values.h"

/* Encoders return a malloc'd DER buffer. */
clid_err clid__asn1_tnauth_encode(const clid_tnauth *l, uint8_t **der, size_t *len);
clid_err clid__asn1_tnauth_decode(const uint8_t *der, size_t len, clid_tnauth **out);
clid_err clid__asn1_jwtcc_encode(const clid_jwtcc *c, uint8_t **der, size_t *len);
clid_err clid__asn1_jwtcc_decode(clid_jwtcc_kind kind, const uint8_t *der, size_t len,
                                 clid_jwtcc **out);
clid_err clid__asn1_entity_encode(const clid_entity *e, uint8_t **der, size_t *len);
clid_err clid__asn1_entity_decode(const uint8_t *der, size_t len, clid_entity **out);

/* Runs once, before any other use of the asn1c runtime, a round trip of
 * every generated type (A5: descriptors mutate on first use); every entry
 * point into asn1c calls it first (asn1_clitoken.c too). */
void clid__asn1_ensure_primed(void);

/* Copies a malloc'd encoding into the caller's buffer (the public _encode
 * contract) and frees it. */
clid_err clid__deliver_der(uint8_t *der, size_t len, uint8_t *out, size_t cap, size_t *out_len);

#endif /* CLID_ASN1_CODEC_H */
