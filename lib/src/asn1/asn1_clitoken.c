/*
 * The CLI token's asn1c bridge (clitoken_codec.h): CliToken values to and
 * from strict DER. Like asn1_codec.c, this file includes generated headers
 * and nothing above it does (deps notes §1.3). It shares asn1_codec.c's
 * pthread_once priming (A5), which calls clid__asn1_clitoken_prime().
 */
#define ASN_DEBUG(...) ((void)0) /* A5: must precede the generated headers */

#include <stdlib.h>
#include <string.h>

#include <clid/clid_isup.h>

#include "asn1/asn1_codec.h"
#include "asn1/clitoken_codec.h"
#include "core/internal.h"

#include "CliToken.h"

/* The largest version-1 token: 16 destinations and a 512-character x5u
 * stay below this; a longer input is refused before asn1c sees it. */
#define TOKEN_DER_MAX CLID_CLI_TOKEN_MAX

static void free_token(CliToken_t *a)
{
    if (a != NULL)
        asn_DEF_CliToken.free_struct(&asn_DEF_CliToken, a, 0);
}

static int set_os(OCTET_STRING_t *os, const void *buf, size_t len)
{
    return OCTET_STRING_fromBuf(os, (const char *)buf, (int)len) == 0;
}

static int valid_tn(const char *s)
{
    return clid__is_tn(s, strnlen(s, CLID_TN_BUF));
}

/* The checks the encoder makes before asn1c's (which A2 weakens). */
static int valid_values(const clid__cli_token *t)
{
    size_t x5u_len = strnlen(t->x5u, sizeof t->x5u);
    if ((t->attest != 'A' && t->attest != 'B' && t->attest != 'C') || t->iat < 0 ||
        x5u_len == 0 || x5u_len > CLID__CLI_TOKEN_X5U_MAX ||
        !clid__is_printable_ascii(t->x5u, x5u_len))
        return 0;
    if (t->orig[0] != '\0' && !valid_tn(t->orig))
        return 0;
    if (t->dest_count > CLID__CLI_TOKEN_DEST_MAX)
        return 0;
    for (size_t i = 0; i < t->dest_count; i++)
        if (!valid_tn(t->dest[i]))
            return 0;
    return 1;
}

static clid_err to_asn1(const clid__cli_token *t, CliToken_t *a)
{
    a->version = 1;
    a->body.present = CliTokenBody_PR_shaken;
    ShakenToken_t *s = &a->body.choice.shaken;
    if (!set_os(&s->signature, t->sig, sizeof t->sig) ||
        asn_long2INTEGER(&s->attest, (long)(t->attest - 'A')) != 0 ||
        asn_long2INTEGER(&s->iat, (long)t->iat) != 0 ||
        !set_os(&s->origid, t->origid, sizeof t->origid) ||
        !set_os(&s->x5u, t->x5u, strlen(t->x5u)))
        return CLID_ERR_NOMEM;
    if (t->orig[0] != '\0') {
        s->orig = OCTET_STRING_new_fromBuf(&asn_DEF_CliTokenTN, t->orig, (int)strlen(t->orig));
        if (s->orig == NULL)
            return CLID_ERR_NOMEM;
    }
    if (t->dest_count > 0) {
        s->dest = calloc(1, sizeof *s->dest);
        if (s->dest == NULL)
            return CLID_ERR_NOMEM;
        for (size_t i = 0; i < t->dest_count; i++) {
            CliTokenTN_t *tn =
                OCTET_STRING_new_fromBuf(&asn_DEF_CliTokenTN, t->dest[i], (int)strlen(t->dest[i]));
            if (tn == NULL)
                return CLID_ERR_NOMEM;
            if (ASN_SEQUENCE_ADD(&s->dest->list, tn) != 0) {
                asn_DEF_CliTokenTN.free_struct(&asn_DEF_CliTokenTN, tn, 0);
                return CLID_ERR_NOMEM;
            }
        }
    }
    return CLID_OK;
}

/* asn1c's DER of `a` into a malloc'd buffer. */
static clid_err der_of(CliToken_t *a, uint8_t **der, size_t *len)
{
    asn_enc_rval_t er = der_encode(&asn_DEF_CliToken, a, NULL, NULL);
    if (er.encoded < 0)
        return CLID_ERR_INVALID_ARGUMENT;
    size_t n = (size_t)er.encoded;
    uint8_t *buf = malloc(n ? n : 1);
    if (buf == NULL)
        return CLID_ERR_NOMEM;
    er = der_encode_to_buffer(&asn_DEF_CliToken, a, buf, n);
    if (er.encoded < 0 || (size_t)er.encoded != n) {
        free(buf);
        return CLID_ERR_INTERNAL;
    }
    *der = buf;
    *len = n;
    return CLID_OK;
}

static clid_err encode_raw(const clid__cli_token *t, uint8_t **der, size_t *len)
{
    CLID_ENSURE(t != NULL && der != NULL && len != NULL, CLID_ERR_INVALID_ARGUMENT);
    *der = NULL;
    *len = 0;
    CLID_ENSURE(valid_values(t), CLID_ERR_INVALID_ARGUMENT);
    CliToken_t *a = calloc(1, sizeof *a);
    CLID_ENSURE(a != NULL, CLID_ERR_NOMEM);
    clid_err rc = to_asn1(t, a);
    if (rc == CLID_OK && asn_check_constraints(&asn_DEF_CliToken, a, NULL, NULL) != 0)
        rc = CLID_ERR_INVALID_ARGUMENT;
    if (rc == CLID_OK)
        rc = der_of(a, der, len);
    free_token(a);
    return rc;
}

/* An IA5String of `a` as a C string: no embedded NUL (asn1c decodes one:
 * deps notes §1.5), at most cap - 1 bytes. */
static int copy_str(const OCTET_STRING_t *os, char *out, size_t cap)
{
    size_t n = (size_t)os->size;
    if (n == 0 || n >= cap || memchr(os->buf, '\0', n) != NULL)
        return 0;
    memcpy(out, os->buf, n);
    out[n] = '\0';
    return 1;
}

/* The values of a decoded token, with the checks asn1c skips or weakens
 * (A2: FROM/SIZE of derived types; A3: SEQUENCE OF sizes). */
static clid_err from_asn1(const CliToken_t *a, clid__cli_token *t)
{
    CLID_ENSURE(a->version == 1, CLID_ERR_CLI_TOKEN_PARSE);
    CLID_ENSURE(a->body.present == CliTokenBody_PR_shaken, CLID_ERR_CLI_TOKEN_PARSE);
    const ShakenToken_t *s = &a->body.choice.shaken;
    memset(t, 0, sizeof *t);
    long v = 0;
    CLID_ENSURE(s->signature.size == CLID__CLI_TOKEN_SIG_LEN &&
                    s->origid.size == CLID__CLI_TOKEN_ORIGID_LEN,
                CLID_ERR_CLI_TOKEN_PARSE);
    memcpy(t->sig, s->signature.buf, CLID__CLI_TOKEN_SIG_LEN);
    memcpy(t->origid, s->origid.buf, CLID__CLI_TOKEN_ORIGID_LEN);
    CLID_ENSURE(asn_INTEGER2long(&s->attest, &v) == 0 && v >= 0 && v <= 2,
                CLID_ERR_CLI_TOKEN_PARSE);
    t->attest = (char)('A' + v);
    CLID_ENSURE(asn_INTEGER2long(&s->iat, &v) == 0 && v >= 0, CLID_ERR_CLI_TOKEN_PARSE);
    t->iat = (int64_t)v;
    CLID_ENSURE(copy_str(&s->x5u, t->x5u, sizeof t->x5u), CLID_ERR_CLI_TOKEN_PARSE);
    if (s->orig != NULL)
        CLID_ENSURE(copy_str(s->orig, t->orig, sizeof t->orig), CLID_ERR_CLI_TOKEN_PARSE);
    if (s->dest != NULL) {
        int n = s->dest->list.count;
        CLID_ENSURE(n >= 1 && n <= CLID__CLI_TOKEN_DEST_MAX, CLID_ERR_CLI_TOKEN_PARSE);
        for (int i = 0; i < n; i++)
            CLID_ENSURE(copy_str(s->dest->list.array[i], t->dest[i], sizeof t->dest[i]),
                        CLID_ERR_CLI_TOKEN_PARSE);
        t->dest_count = (size_t)n;
    }
    /* The encoder's own rules: a token clid would not write is refused. */
    CLID_ENSURE(valid_values(t), CLID_ERR_CLI_TOKEN_PARSE);
    return CLID_OK;
}

static clid_err decode_raw(const uint8_t *der, size_t len, clid__cli_token *out)
{
    CLID_ENSURE(out != NULL && (der != NULL || len == 0), CLID_ERR_INVALID_ARGUMENT);
    memset(out, 0, sizeof *out);
    CLID_ENSURE(len > 0 && len <= TOKEN_DER_MAX, CLID_ERR_CLI_TOKEN_PARSE);

    CliToken_t *a = NULL;
    uint8_t *re = NULL;
    size_t re_len = 0;
    clid_err rc = CLID_ERR_CLI_TOKEN_PARSE;
    /* A4: ber_decode is BER; RC_WMORE for truncation, consumed < len for
     * trailing bytes. Strict DER is "decodes completely and re-encodes to
     * the same bytes". */
    asn_dec_rval_t rv = ber_decode(NULL, &asn_DEF_CliToken, (void **)&a, der, len);
    if (rv.code == RC_OK && rv.consumed == len && der_of(a, &re, &re_len) == CLID_OK &&
        re_len == len && memcmp(re, der, len) == 0 &&
        asn_check_constraints(&asn_DEF_CliToken, a, NULL, NULL) == 0)
        rc = from_asn1(a, out);
    if (rc != CLID_OK)
        memset(out, 0, sizeof *out);
    free(re);
    free_token(a);
    return rc;
}

void clid__asn1_clitoken_prime(void)
{
    clid__cli_token t, d;
    memset(&t, 0, sizeof t);
    t.attest = 'A';
    t.iat = 1700000000;
    memcpy(t.x5u, "https://cert.example/a.pem", sizeof "https://cert.example/a.pem");
    memcpy(t.orig, "12025551000", sizeof "12025551000");
    memcpy(t.dest[0], "12025552000", sizeof "12025552000");
    t.dest_count = 1;
    uint8_t *der = NULL;
    size_t len = 0;
    if (encode_raw(&t, &der, &len) == CLID_OK) {
        (void)decode_raw(der, len, &d);
        free(der);
    }
}

clid_err clid__asn1_clitoken_encode(const clid__cli_token *t, uint8_t **der, size_t *len)
{
    clid__asn1_ensure_primed();
    return encode_raw(t, der, len);
}

clid_err clid__asn1_clitoken_decode(const uint8_t *der, size_t len, clid__cli_token *out)
{
    clid__asn1_ensure_primed();
    return decode_raw(der, len, out);
}
