/*
 * The passports body of out-of-band SHAKEN: {"passports":["<JWS>",...]},
 * the publish body and the retrieve answer (RFC 9888 §5; the array shape of
 * ATIS-1000096 §7 as published samples use it, OOB-SPEC "Wire"), its
 * digest for the publish token, and the Identity header value that carries
 * a retrieved PASSporT in band (RFC 8224 §4.1). JSON through jansson.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/internal.h"
#include "oob/oob_internal.h"
#include "passport/identity.h"
#include "passport/passport.h"

static int is_b64url_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_';
}

/* Three non-empty base64url parts separated by dots (RFC 7515 §7.1): the
 * full form a CPS stores; a compact "..s" PASSporT cannot be rebuilt by the
 * retriever (RFC 8225 §7 needs the SIP request it no longer has). */
static int is_full_jws(const char *s, size_t len)
{
    size_t parts = 1, run = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '.') {
            if (run == 0)
                return 0;
            parts++;
            run = 0;
        } else if (is_b64url_char(s[i])) {
            run++;
        } else {
            return 0;
        }
    }
    return parts == 3 && run > 0;
}

void clid_oob_passports_free(clid_oob_passports *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->n; i++)
        free(p->v[i]);
    free(p);
}

size_t clid_oob_passports_count(const clid_oob_passports *p)
{
    return p == NULL ? 0 : p->n;
}

const char *clid_oob_passports_get(const clid_oob_passports *p, size_t i)
{
    return p == NULL || i >= p->n ? NULL : p->v[i];
}

static clid_err fill(const json_t *arr, size_t max, clid_oob_passports *p)
{
    size_t n = json_array_size(arr);
    CLID_ENSURE(n >= 1, CLID_ERR_OOB_BODY_PARSE);
    CLID_ENSURE(n <= max, CLID_ERR_OOB_TOO_MANY_PASSPORTS);
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(arr, i);
        CLID_ENSURE(json_is_string(e), CLID_ERR_OOB_BODY_PARSE);
        const char *s = json_string_value(e);
        size_t len = json_string_length(e);
        CLID_ENSURE(len <= CLID_OOB_MAX_PASSPORT_LEN && is_full_jws(s, len),
                    CLID_ERR_OOB_BODY_PARSE);
        p->v[i] = clid__strndup(s, len);
        CLID_ENSURE(p->v[i] != NULL, CLID_ERR_NOMEM);
        p->n = i + 1;
    }
    return CLID_OK;
}

clid_err clid__oob_passports_parse_max(const char *body, size_t len, size_t max,
                                       clid_oob_passports **out)
{
    CLID_ENSURE(out != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out = NULL;
    CLID_ENSURE(body != NULL || len == 0, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(max >= 1 && max <= CLID_OOB_MAX_PASSPORTS, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(body != NULL && len > 0 && len <= CLID_OOB_MAX_BODY, CLID_ERR_OOB_BODY_PARSE);
    json_error_t jerr;
    /* Duplicate members refused: two "passports" would be read differently
     * by different CPS implementations (OOB-SPEC "strict JSON"). */
    json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    const json_t *arr = json_object_get(j, "passports");
    clid_err rc = CLID_ERR_OOB_BODY_PARSE;
    clid_oob_passports *p = NULL;
    if (json_is_object(j) && json_object_size(j) == 1 && json_is_array(arr)) {
        p = calloc(1, sizeof *p);
        rc = p != NULL ? fill(arr, max, p) : CLID_ERR_NOMEM;
    }
    json_decref(j);
    if (rc != CLID_OK) {
        clid_oob_passports_free(p);
        return rc;
    }
    *out = p;
    return CLID_OK;
}

clid_err clid_oob_passports_parse(const char *body, size_t len, clid_oob_passports **out)
{
    return clid__oob_passports_parse_max(body, len, CLID_OOB_MAX_PASSPORTS, out);
}

/* The JSON array of the PASSporTs; NULL when out of memory. */
static json_t *passports_array(const char *const *passports, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr != NULL && i < n; i++) {
        if (json_array_append_new(arr, json_string(passports[i])) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    return arr;
}

static int passports_ok(const char *const *passports, size_t n)
{
    if (passports == NULL || n < 1 || n > CLID_OOB_MAX_PASSPORTS)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (passports[i] == NULL || strlen(passports[i]) > CLID_OOB_MAX_PASSPORT_LEN ||
            !is_full_jws(passports[i], strlen(passports[i])))
            return 0;
    return 1;
}

clid_err clid_oob_passports_digest(const char *const *passports, size_t n,
                                   char out[CLID_OOB_DIGEST_BUF])
{
    CLID_ENSURE(out != NULL && passports_ok(passports, n), CLID_ERR_INVALID_ARGUMENT);
    json_t *arr = passports_array(passports, n);
    CLID_ENSURE(arr != NULL, CLID_ERR_NOMEM);
    /* OOB-SPEC "Token": the digest covers json_dumps(array, JSON_COMPACT),
     * i.e. ["a","b"]; JWS characters never need escaping, so every JSON
     * library produces the same bytes. */
    char *ser = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    CLID_ENSURE(ser != NULL, CLID_ERR_NOMEM);
    uint8_t h[32];
    unsigned hn = 0;
    int ok = EVP_Digest(ser, strlen(ser), h, &hn, EVP_sha256(), NULL) == 1 && hn == 32;
    free(ser);
    CLID_ENSURE(ok, CLID_ERR_INTERNAL);
    /* base64 with padding, RFC 4648 §4: 44 characters for 32 bytes. */
    memcpy(out, "sha256-", 7);
    int w = EVP_EncodeBlock((unsigned char *)out + 7, h, 32);
    CLID_ENSURE(w == 44, CLID_ERR_INTERNAL);
    out[7 + 44] = '\0';
    return CLID_OK;
}

clid_err clid_oob_body_build(const char *const *passports, size_t n, char *out, size_t cap,
                             size_t *out_len)
{
    CLID_ENSURE(out_len != NULL && passports_ok(passports, n), CLID_ERR_INVALID_ARGUMENT);
    json_t *obj = json_object();
    json_t *arr = passports_array(passports, n);
    if (obj == NULL || arr == NULL || json_object_set_new(obj, "passports", arr) != 0) {
        json_decref(obj);
        return CLID_ERR_NOMEM;
    }
    char *ser = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    CLID_ENSURE(ser != NULL, CLID_ERR_NOMEM);
    size_t len = strlen(ser);
    clid_err rc = CLID_OK;
    if (out == NULL || cap <= len) {
        *out_len = len + 1;
        rc = CLID_ERR_BUFFER_TOO_SMALL;
    } else {
        memcpy(out, ser, len + 1);
        *out_len = len;
    }
    free(ser);
    return rc;
}

clid_err clid_oob_passport_identity(const char *passport, char *out, size_t cap, size_t *out_len)
{
    CLID_ENSURE(passport != NULL && out_len != NULL, CLID_ERR_INVALID_ARGUMENT);
    size_t len = strlen(passport);
    clid__passport p;
    clid__passport_init(&p);
    clid_err rc = clid__passport_parse(passport, len, &p);
    /* A compact form has no header to take x5u and ppt from. */
    if (rc == CLID_OK && p.compact)
        rc = CLID_ERR_PASSPORT_COMPACT;
    /* RFC 8224 §4.1: a PASSporT of another type than the basic one carries
     * ppt in the header; SHAKEN and div PASSporTs always have one. */
    if (rc == CLID_OK && p.ppt[0] == '\0')
        rc = CLID_ERR_PASSPORT_PPT;
    if (rc == CLID_OK)
        rc = clid__identity_format(passport, len, p.x5u, p.ppt, out, cap, out_len);
    clid__passport_clear(&p);
    return rc;
}
