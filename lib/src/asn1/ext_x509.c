/*
 * Certificate extension fields in OpenSSL X509 objects. OpenSSL 3.0 has no
 * names for these OIDs, so everything goes by numeric OID, parsed per call
 * with OBJ_txt2obj(oid, 1): OBJ_create is not thread-safe (deps notes O3).
 */
#include <limits.h>
#include <stdlib.h>

#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "asn1/asn1_codec.h"

/* Finds the single extension with `oid`. OpenSSL does not reject a repeated
 * unknown extension (deps notes O1), so look for a second one ourselves. */
static clid_err find_ext(const X509 *x, const char *oid, X509_EXTENSION **ext)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    if (obj == NULL)
        return CLID_ERR_INVALID_ARGUMENT;
    int idx = X509_get_ext_by_OBJ(x, obj, -1);
    int dup = idx >= 0 ? X509_get_ext_by_OBJ(x, obj, idx) : -1;
    ASN1_OBJECT_free(obj);
    if (idx < 0)
        return CLID_ERR_EXT_ABSENT;
    if (dup >= 0)
        return CLID_ERR_EXT_DUPLICATE;
    *ext = X509_get_ext(x, idx);
    return *ext ? CLID_OK : CLID_ERR_INTERNAL;
}

clid_err clid_x509_get_ext_der(const X509 *x, const char *oid, const uint8_t **der, size_t *len,
                               int *critical)
{
    CLID_ENSURE(x != NULL && oid != NULL && der != NULL && len != NULL, CLID_ERR_INVALID_ARGUMENT);
    X509_EXTENSION *ext = NULL;
    CLID_TRY(find_ext(x, oid, &ext));
    const ASN1_OCTET_STRING *os = X509_EXTENSION_get_data(ext);
    *der = ASN1_STRING_get0_data(os);
    *len = (size_t)ASN1_STRING_length(os);
    if (critical)
        *critical = X509_EXTENSION_get_critical(ext) > 0;
    return CLID_OK;
}

clid_err clid_x509_add_ext_der(X509 *x, const char *oid, int critical, const uint8_t *der,
                               size_t len)
{
    CLID_ENSURE(x != NULL && oid != NULL && der != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(len > 0 && len <= CLID_EXT_MAX_DER, CLID_ERR_INVALID_ARGUMENT);
    X509_EXTENSION *existing = NULL;
    clid_err rc = find_ext(x, oid, &existing);
    if (rc == CLID_OK || rc == CLID_ERR_EXT_DUPLICATE)
        return CLID_ERR_EXT_DUPLICATE;
    if (rc != CLID_ERR_EXT_ABSENT)
        return rc;

    rc = CLID_ERR_NOMEM;
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    X509_EXTENSION *ext = NULL;
    if (obj == NULL || os == NULL || !ASN1_OCTET_STRING_set(os, der, (int)len))
        goto out;
    ext = X509_EXTENSION_create_by_OBJ(NULL, obj, critical ? 1 : 0, os);
    if (ext == NULL)
        goto out;
    rc = X509_add_ext(x, ext, -1) == 1 ? CLID_OK : CLID_ERR_INTERNAL;
out:
    X509_EXTENSION_free(ext);
    ASN1_OCTET_STRING_free(os);
    ASN1_OBJECT_free(obj);
    return rc;
}

clid_err clid_x509_get_tnauth(const X509 *x, clid_tnauth **out, int *critical)
{
    CLID_ENSURE(out != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out = NULL;
    const uint8_t *der = NULL;
    size_t len = 0;
    CLID_TRY(clid_x509_get_ext_der(x, CLID_OID_TNAUTHLIST, &der, &len, critical));
    return clid_tnauth_decode(der, len, out);
}

clid_err clid_x509_add_tnauth(X509 *x, const clid_tnauth *l, int critical)
{
    CLID_ENSURE(x != NULL && l != NULL, CLID_ERR_INVALID_ARGUMENT);
    uint8_t *der = NULL;
    size_t len = 0;
    CLID_TRY(clid__asn1_tnauth_encode(l, &der, &len));
    clid_err rc = clid_x509_add_ext_der(x, CLID_OID_TNAUTHLIST, critical, der, len);
    free(der);
    return rc;
}

static const char *jwtcc_oid(clid_jwtcc_kind kind)
{
    return kind == CLID_JWTCC_RFC9118 ? CLID_OID_ENHANCED_JWT_CLAIM_CONSTRAINTS
                                      : CLID_OID_JWT_CLAIM_CONSTRAINTS;
}

clid_err clid_x509_get_jwtcc(const X509 *x, clid_jwtcc_kind kind, clid_jwtcc **out, int *critical)
{
    CLID_ENSURE(out != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out = NULL;
    CLID_ENSURE(kind == CLID_JWTCC_RFC8226 || kind == CLID_JWTCC_RFC9118,
                CLID_ERR_INVALID_ARGUMENT);
    const uint8_t *der = NULL;
    size_t len = 0;
    CLID_TRY(clid_x509_get_ext_der(x, jwtcc_oid(kind), &der, &len, critical));
    return clid_jwtcc_decode(kind, der, len, out);
}

clid_err clid_x509_add_jwtcc(X509 *x, const clid_jwtcc *c, int critical)
{
    CLID_ENSURE(x != NULL && c != NULL, CLID_ERR_INVALID_ARGUMENT);
    uint8_t *der = NULL;
    size_t len = 0;
    CLID_TRY(clid__asn1_jwtcc_encode(c, &der, &len));
    clid_err rc = clid_x509_add_ext_der(x, jwtcc_oid(c->kind), critical, der, len);
    free(der);
    return rc;
}

clid_err clid_x509_get_entity(const X509 *x, clid_entity **out, int *critical)
{
    CLID_ENSURE(out != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out = NULL;
    const uint8_t *der = NULL;
    size_t len = 0;
    CLID_TRY(clid_x509_get_ext_der(x, CLID_OID_SIGNALLING_ENTITY, &der, &len, critical));
    return clid_entity_decode(der, len, out);
}

clid_err clid_x509_add_entity(X509 *x, const clid_entity *e, int critical)
{
    CLID_ENSURE(x != NULL && e != NULL, CLID_ERR_INVALID_ARGUMENT);
    uint8_t *der = NULL;
    size_t len = 0;
    CLID_TRY(clid__asn1_entity_encode(e, &der, &len));
    clid_err rc = clid_x509_add_ext_der(x, CLID_OID_SIGNALLING_ENTITY, critical, der, len);
    free(der);
    return rc;
}
