/*
 * The CLI token (clid's Q.3063 profile, docs/q3063-profile.md "CLI token"):
 * a SHAKEN PASSporT (RFC 8225, RFC 8588) re-encoded as the DER of
 * asn1/CLID-CLI-Token-2026.asn for the ISUP leg, where a 272-octet MTP3
 * message (Q.703) has no room for the JWS text.
 *
 * The token keeps only what the canonical PASSporT cannot derive: the
 * signature, attest, iat, origid's 128 bits, x5u, and orig/dest when they
 * differ from the IAM's numbers. Everything else is fixed by clid's
 * canonical form (passport.c: RFC 8225 §9, members sorted, no whitespace),
 * so a PASSporT is turned into a token only after rebuilding it from the
 * token's fields reproduced the received JWS byte for byte: a signature is
 * over those bytes (RFC 7515 §5.2), and a token that did not rebuild them
 * would carry a signature that can never verify.
 */
#include <stdlib.h>
#include <string.h>

#include <clid/clid_isup.h>

#include "asn1/clitoken_codec.h"
#include "core/b64url.h"
#include "core/internal.h"
#include "isup/cli_token.h"
#include "passport/identity.h"
#include "passport/passport.h"

/* ------------------------------------------------------------------------ */
/* origid: UUID text <-> 16 bytes                                            */
/* ------------------------------------------------------------------------ */

static int hex_val(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* RFC 4122 §3: 8-4-4-4-12 hex digits. Upper-case digits are read too; the
 * rebuild writes lower case (§3 "output as lower case"), so such an origid
 * fails the byte comparison and is reported not reconstructible. */
static int uuid_to_bytes(const char *s, uint8_t out[CLID__CLI_TOKEN_ORIGID_LEN])
{
    if (strlen(s) != 36 || !clid__is_uuid(s))
        return 0;
    size_t o = 0;
    for (size_t i = 0; i < 36 && o < CLID__CLI_TOKEN_ORIGID_LEN;) {
        if (s[i] == '-') {
            i++;
            continue;
        }
        int hi = hex_val(s[i]), lo = hex_val(s[i + 1]);
        if (hi < 0 || lo < 0)
            return 0;
        out[o++] = (uint8_t)(hi << 4 | lo);
        i += 2;
    }
    return o == CLID__CLI_TOKEN_ORIGID_LEN;
}

static void uuid_text(const uint8_t b[CLID__CLI_TOKEN_ORIGID_LEN], char out[CLID_UUID_BUF])
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < CLID__CLI_TOKEN_ORIGID_LEN; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 0x0f];
    }
    out[o] = '\0';
}

/* ------------------------------------------------------------------------ */
/* Rebuilding                                                                */
/* ------------------------------------------------------------------------ */

/* An IAM number as a TN; NULL gives "". */
static clid_err canon_opt(const char *in, char out[CLID_TN_BUF])
{
    out[0] = '\0';
    return in == NULL ? CLID_OK : clid_tn_canonicalize(in, out);
}

/* The JWS of `t` with these orig/dest, as clid_sign_passport writes it
 * (the same builder, passport.c), malloc'd. CLID_ERR_INVALID_ARGUMENT when
 * the values make no SHAKEN PASSporT. */
static clid_err rebuild_jws(const clid__cli_token *t, const char *orig, const char *const *dest,
                            size_t dest_count, char **jws, size_t *jws_len)
{
    char origid[CLID_UUID_BUF];
    uuid_text(t->origid, origid);
    clid__passport_in in = {
        .ppt = "shaken",
        .x5u = t->x5u,
        .iat = t->iat,
        .orig = orig,
        .dest = dest,
        .dest_count = dest_count,
        .attest = t->attest,
        .origid = origid,
    };
    char *input = NULL;
    size_t input_len = 0;
    CLID_TRY(clid__passport_signing_input(&in, &input, &input_len));
    size_t sig_chars = clid__b64url_encoded_len(sizeof t->sig);
    char *s = malloc(input_len + 1 + sig_chars + 1);
    if (s == NULL) {
        free(input);
        return CLID_ERR_NOMEM;
    }
    memcpy(s, input, input_len);
    s[input_len] = '.';
    clid__b64url_encode(t->sig, sizeof t->sig, s + input_len + 1);
    s[input_len + 1 + sig_chars] = '\0';
    free(input);
    *jws = s;
    *jws_len = input_len + 1 + sig_chars;
    return CLID_OK;
}

clid_err clid__cli_token_rebuild(const uint8_t *tok, size_t tok_len, const char *iam_orig,
                                 const char *iam_dest, char **jws, size_t *jws_len, char **x5u)
{
    CLID_ENSURE(jws != NULL && jws_len != NULL && x5u != NULL, CLID_ERR_INVALID_ARGUMENT);
    *jws = NULL;
    *jws_len = 0;
    *x5u = NULL;
    CLID_ENSURE(tok != NULL || tok_len == 0, CLID_ERR_INVALID_ARGUMENT);
    char io[CLID_TN_BUF], id[CLID_TN_BUF];
    CLID_TRY(canon_opt(iam_orig, io));
    CLID_TRY(canon_opt(iam_dest, id));

    clid__cli_token t;
    CLID_TRY(clid__asn1_clitoken_decode(tok, tok_len, &t));
    /* An omitted number stands for the IAM's (docs "CLI token"): without
     * one the token rebuilds no PASSporT. */
    const char *orig = t.orig[0] != '\0' ? t.orig : io;
    CLID_ENSURE(orig[0] != '\0', CLID_ERR_CLI_TOKEN_PARSE);
    const char *dest[CLID__CLI_TOKEN_DEST_MAX];
    size_t n = t.dest_count;
    for (size_t i = 0; i < n; i++)
        dest[i] = t.dest[i];
    if (n == 0) {
        CLID_ENSURE(id[0] != '\0', CLID_ERR_CLI_TOKEN_PARSE);
        dest[n++] = id;
    }
    char *s = NULL;
    size_t len = 0;
    clid_err rc = rebuild_jws(&t, orig, dest, n, &s, &len);
    if (rc == CLID_ERR_INVALID_ARGUMENT)
        rc = CLID_ERR_CLI_TOKEN_PARSE; /* decoded values always build; kept for safety */
    CLID_TRY(rc);
    char *u = clid__strndup(t.x5u, strlen(t.x5u));
    if (u == NULL) {
        free(s);
        return CLID_ERR_NOMEM;
    }
    *jws = s;
    *jws_len = len;
    *x5u = u;
    return CLID_OK;
}

/* ------------------------------------------------------------------------ */
/* PASSporT -> token                                                         */
/* ------------------------------------------------------------------------ */

/* The token of a parsed PASSporT, or NOT_RECONSTRUCTIBLE when the PASSporT
 * holds something the token cannot (a URI identity, another ppt, a non-UUID
 * origid, the compact form) or is not in clid's canonical form. */
static clid_err tokenize(const clid__passport *p, const char *jws, size_t jws_len, const char *io,
                         const char *id, clid__cli_token *t)
{
    const clid_err no = CLID_ERR_CLI_TOKEN_NOT_RECONSTRUCTIBLE;
    /* RFC 8225 §7: the compact form has no header or claims to keep. */
    CLID_ENSURE(!p->compact, no);
    CLID_ENSURE(strcmp(p->ppt, "shaken") == 0 && p->x5u != NULL, no);
    CLID_ENSURE(strlen(p->x5u) <= CLID__CLI_TOKEN_X5U_MAX, no);
    CLID_ENSURE(p->orig_uri == NULL && p->dest_uri_count == 0 && p->dest_count > 0, no);
    CLID_ENSURE(!p->origid_not_uuid, no);

    memset(t, 0, sizeof *t);
    CLID_ENSURE(p->sig_len == sizeof t->sig, CLID_ERR_SIGNATURE_FORMAT); /* parse checked it */
    memcpy(t->sig, p->sig, sizeof t->sig);
    t->attest = p->attest;
    t->iat = p->iat;
    CLID_ENSURE(uuid_to_bytes(p->origid, t->origid), no);
    memcpy(t->x5u, p->x5u, strlen(p->x5u) + 1);

    const char *dest[CLID_PASSPORT_MAX_DEST];
    for (size_t i = 0; i < p->dest_count; i++)
        dest[i] = p->dest[i];
    char *re = NULL;
    size_t re_len = 0;
    clid_err rc = rebuild_jws(t, p->orig, dest, p->dest_count, &re, &re_len);
    if (rc == CLID_ERR_INVALID_ARGUMENT)
        rc = no;
    CLID_TRY(rc);
    int same = re_len == jws_len && memcmp(re, jws, jws_len) == 0;
    free(re);
    CLID_ENSURE(same, no);

    /* Only now drop what the IAM carries (Q.763 §3.9, §3.10). */
    if (io[0] == '\0' || strcmp(io, p->orig) != 0)
        memcpy(t->orig, p->orig, sizeof t->orig);
    if (id[0] == '\0' || p->dest_count != 1 || strcmp(id, p->dest[0]) != 0) {
        memcpy(t->dest, p->dest, p->dest_count * sizeof p->dest[0]);
        t->dest_count = p->dest_count;
    }
    return CLID_OK;
}

/* The binary buffer contract of clid_isup.h: *out_len is the length, or
 * the size needed on CLID_ERR_BUFFER_TOO_SMALL. */
static clid_err deliver(uint8_t *der, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    *out_len = len;
    clid_err rc = CLID_OK;
    if (out == NULL || cap < len)
        rc = CLID_ERR_BUFFER_TOO_SMALL;
    else
        memcpy(out, der, len);
    free(der);
    return rc;
}

clid_err clid_cli_token_from_passport(const char *jws, size_t jws_len, const char *iam_orig,
                                      const char *iam_dest, uint8_t *out, size_t cap,
                                      size_t *out_len)
{
    CLID_ENSURE(out_len != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out_len = 0;
    CLID_ENSURE(jws != NULL, CLID_ERR_INVALID_ARGUMENT);
    char io[CLID_TN_BUF], id[CLID_TN_BUF];
    CLID_TRY(canon_opt(iam_orig, io));
    CLID_TRY(canon_opt(iam_dest, id));

    clid__passport p;
    clid__passport_init(&p);
    clid__cli_token t;
    clid_err rc = clid__passport_parse(jws, jws_len, &p);
    if (rc == CLID_OK)
        rc = tokenize(&p, jws, jws_len, io, id, &t);
    clid__passport_clear(&p);
    CLID_TRY(rc);
    uint8_t *der = NULL;
    size_t len = 0;
    rc = clid__asn1_clitoken_encode(&t, &der, &len);
    if (rc == CLID_ERR_INVALID_ARGUMENT)
        rc = CLID_ERR_CLI_TOKEN_NOT_RECONSTRUCTIBLE;
    CLID_TRY(rc);
    return deliver(der, len, out, cap, out_len);
}

/* ------------------------------------------------------------------------ */
/* Token -> Identity                                                         */
/* ------------------------------------------------------------------------ */

clid_err clid_cli_token_to_identity(const uint8_t *tok, size_t tok_len, const char *iam_orig,
                                    const char *iam_dest, char *out, size_t cap, size_t *out_len)
{
    CLID_ENSURE(out_len != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out_len = 0;
    CLID_ENSURE(tok != NULL, CLID_ERR_INVALID_ARGUMENT);
    char *jws = NULL, *x5u = NULL;
    size_t jws_len = 0;
    CLID_TRY(clid__cli_token_rebuild(tok, tok_len, iam_orig, iam_dest, &jws, &jws_len, &x5u));
    clid_err rc = clid__identity_format(jws, jws_len, x5u, "shaken", out, cap, out_len);
    /* An x5u that a header cannot carry ('<', '>'): no Identity to rebuild. */
    if (rc == CLID_ERR_HEADER_INJECTION)
        rc = CLID_ERR_CLI_TOKEN_PARSE;
    free(jws);
    free(x5u);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Re-signing at the SSGW (Q.3063 §8.1)                                      */
/* ------------------------------------------------------------------------ */

/* clid_sign_passport writes the origid as given: lower case it so that the
 * new PASSporT is reconstructible. */
static void lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'F')
            *s = (char)(*s - 'A' + 'a');
}

clid_err clid_cli_token_resign(const clid_signer *ssgw, const char *jws, size_t jws_len,
                               const char *iam_orig, const char *iam_dest, uint8_t *out,
                               size_t cap, size_t *out_len)
{
    CLID_ENSURE(out_len != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out_len = 0;
    CLID_ENSURE(ssgw != NULL && jws != NULL, CLID_ERR_INVALID_ARGUMENT);

    clid__passport p;
    clid__passport_init(&p);
    clid_err rc = clid__passport_parse(jws, jws_len, &p);
    /* Only a SHAKEN PASSporT about TNs is re-signed as one: a compact form
     * has no claims, and turning another ppt (div, rcd) or a URI identity
     * into a SHAKEN one would change what is asserted. */
    if (rc == CLID_OK &&
        (p.compact || strcmp(p.ppt, "shaken") != 0 || p.orig_uri != NULL ||
         p.dest_uri_count != 0 || p.dest_count == 0))
        rc = CLID_ERR_CLI_TOKEN_NOT_RECONSTRUCTIBLE;
    if (rc != CLID_OK) {
        clid__passport_clear(&p);
        return rc;
    }

    const char *dest[CLID_PASSPORT_MAX_DEST];
    for (size_t i = 0; i < p.dest_count; i++)
        dest[i] = p.dest[i];
    char origid[CLID_ORIGID_BUF];
    memcpy(origid, p.origid, sizeof origid);
    lower(origid);
    /* RFC 8588 §4 asks for a UUID; a non-UUID origid (which the token
     * cannot carry) is replaced by a fresh one, as an originating
     * signer would have made. iat is kept: it dates the call, and the
     * verifier's freshness check applies to it. */
    clid_claims c = {
        .orig = p.orig,
        .dest = dest,
        .dest_count = p.dest_count,
        .attest = p.attest,
        .origid = p.origid_not_uuid ? NULL : origid,
        .iat = p.iat,
    };
    char buf[CLID_PASSPORT_MAX_LEN];
    size_t len = 0;
    rc = clid_sign_passport(ssgw, &c, 0, buf, sizeof buf, &len);
    clid__passport_clear(&p);
    CLID_TRY(rc);
    return clid_cli_token_from_passport(buf, len, iam_orig, iam_dest, out, cap, out_len);
}
