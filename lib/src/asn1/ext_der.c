/*
 * The public DER entry points of the extension values (clid_ext.h): thin
 * wrappers over the codec bridge that check arguments and deliver the
 * encoding into the caller's buffer.
 */
#include <stdlib.h>
#include <string.h>

#include "asn1/asn1_codec.h"

clid_err clid__deliver_der(uint8_t *der, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    *out_len = len;
    clid_err rc = CLID_OK;
    if (out == NULL)
        rc = CLID_OK; /* a size query (clid_ext.h) */
    else if (cap < len)
        rc = CLID_ERR_BUFFER_TOO_SMALL;
    else
        memcpy(out, der, len);
    free(der);
    return rc;
}

clid_err clid_tnauth_encode(const clid_tnauth *l, uint8_t *out, size_t cap, size_t *out_len)
{
    CLID_ENSURE(l != NULL && out_len != NULL, CLID_ERR_INVALID_ARGUMENT);
    uint8_t *der = NULL;
    size_t len = 0;
    CLID_TRY(clid__asn1_tnauth_encode(l, &der, &len));
    return clid__deliver_der(der, len, out, cap, out_len);
}

clid_err clid_tnauth_decode(const uint8_t *der, size_t len, clid_tnauth **out)
{
    CLID_ENSURE(out != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out = NULL;
    CLID_ENSURE(der != NULL || len == 0, CLID_ERR_INVALID_ARGUMENT);
    return clid__asn1_tnauth_decode(der, len, out);
}

clid_err clid_jwtcc_encode(const clid_jwtcc *c, uint8_t *out, size_t cap, size_t *out_len)
{
    CLID_ENSURE(c != NULL && out_len != NULL, CLID_ERR_INVALID_ARGUMENT);
    uint8_t *der = NULL;
    size_t len = 0;
    CLID_TRY(clid__asn1_jwtcc_encode(c, &der, &len));
    return clid__deliver_der(der, len, out, cap, out_len);
}

clid_err clid_jwtcc_decode(clid_jwtcc_kind kind, const uint8_t *der, size_t len, clid_jwtcc **out)
{
    CLID_ENSURE(out != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out = NULL;
    CLID_ENSURE(der != NULL || len == 0, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(kind == CLID_JWTCC_RFC8226 || kind == CLID_JWTCC_RFC9118,
                CLID_ERR_INVALID_ARGUMENT);
    return clid__asn1_jwtcc_decode(kind, der, len, out);
}

clid_err clid_entity_encode(const clid_entity *e, uint8_t *out, size_t cap, size_t *out_len)
{
    CLID_ENSURE(e != NULL && out_len != NULL, CLID_ERR_INVALID_ARGUMENT);
    uint8_t *der = NULL;
    size_t len = 0;
    CLID_TRY(clid__asn1_entity_encode(e, &der, &len));
    return clid__deliver_der(der, len, out, cap, out_len);
}

clid_err clid_entity_decode(const uint8_t *der, size_t len, clid_entity **out)
{
    CLID_ENSURE(out != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out = NULL;
    CLID_ENSURE(der != NULL || len == 0, CLID_ERR_INVALID_ARGUMENT);
    return clid__asn1_entity_decode(der, len, out);
}
