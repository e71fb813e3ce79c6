/*
 * SIP-I signing and verification (clid_isup.h; docs/q3063-profile.md,
 * "SIP-I"): the Identity header of RFC 8224 and, for the ISUP leg, the same
 * PASSporT as clid's CLI token in the IAM's Application Transport Parameter
 * (Q.763 §3.82, Q.765 APM); on verification the consistency check of the
 * IAM's numbers against what was verified (a clid profile check: the number
 * an ISUP terminal displays is the Calling Party Number, Q.763 §3.10, not
 * the SIP From).
 *
 * The token path of verification puts the rebuilt Identity header into a
 * copy of the request and runs clid_sip_verify on it, so that Date, the
 * caller and callee binding and every pipeline step are those of a plain
 * SIP request: a token is never judged by weaker rules than a header.
 */
#include <stdlib.h>
#include <string.h>

#include <clid/clid_isup.h>
#include <clid/clid_sip.h>

#include "core/internal.h"
#include "sip/sip_internal.h"
#include "verify/result_internal.h"

#define DEFAULT_CC "1"

static const char *opt_cc(const clid_sipi_opts *o)
{
    return o != NULL && o->country_code != NULL ? o->country_code : DEFAULT_CC;
}

static unsigned opt_ctx(const clid_sipi_opts *o)
{
    return o != NULL && o->apm_context != 0 ? o->apm_context : CLID_ISUP_APM_CONTEXT_DEFAULT;
}

/* The request's IAM: its part and the parsed message. */
static clid_err load_iam(const char *msg, size_t len, clid_sipi_part *part, clid_isup_iam **iam)
{
    CLID_TRY(clid_sipi_find_isup(msg, len, part));
    CLID_ENSURE(part->offset <= len && part->len <= len - part->offset, CLID_ERR_ISUP_PARSE);
    return clid_isup_iam_parse((const uint8_t *)msg + part->offset, part->len, iam);
}

/* One of the IAM's numbers (Calling or Called Party Number) as a TN.
 * *present is 0 when the parameter is absent or carries no address signals
 * (Q.763 §3.10 d: APRI "address not available" comes without digits):
 * nothing is shown to the called party then, so nothing can be forged.
 * A trailing ST signal (0xF, end of pulsing, Q.763 §3.9 e) ends a called
 * number in en-bloc signalling and is no digit of it. *apri (optional)
 * receives the presentation indicator. Returns CLID_ERR_BAD_TN when the
 * number is present but no TN (subscriber NAI, unknown NAI, signals 0xB,
 * 0xC...). */
static clid_err iam_tn(const clid_isup_iam *iam, unsigned code, const char *cc,
                       char tn[CLID_TN_BUF], int *present, unsigned *apri)
{
    clid_isup_number n;
    tn[0] = '\0';
    *present = 0;
    clid_err rc = clid_isup_iam_get_number(iam, code, 0, &n);
    if (rc == CLID_ERR_ISUP_PARAM_ABSENT)
        return CLID_OK;
    CLID_TRY(rc);
    if (apri != NULL)
        *apri = n.apri;
    size_t d = strnlen(n.digits, sizeof n.digits);
    if (d > 0 && (n.digits[d - 1] == 'F' || n.digits[d - 1] == 'f'))
        n.digits[--d] = '\0';
    if (d == 0)
        return CLID_OK;
    *present = 1;
    return clid_isup_number_to_tn(&n, cc, tn);
}

/* ------------------------------------------------------------------------ */
/* Signing                                                                   */
/* ------------------------------------------------------------------------ */

/* The JWS of the Identity line clid_sip_sign inserted into `in` to make
 * `signed_msg`: the two differ only by "Identity: <value>" + line ending,
 * inserted where `in` has its empty line (a CR or LF, never 'I'), so the
 * first differing byte starts it. The JWS is the value up to its first ';'
 * (RFC 8224 §4.1). */
static clid_err inserted_jws(const char *in, size_t in_len, const char *signed_msg,
                             size_t signed_len, const char **jws, size_t *jws_len)
{
    size_t p = 0;
    while (p < in_len && p < signed_len && in[p] == signed_msg[p])
        p++;
    static const char name[] = "Identity: ";
    CLID_ENSURE(signed_len - p > sizeof name - 1 &&
                    memcmp(signed_msg + p, name, sizeof name - 1) == 0,
                CLID_ERR_INTERNAL);
    size_t s = p + sizeof name - 1, e = s;
    while (e < signed_len && signed_msg[e] != ';' && signed_msg[e] != '\r' &&
           signed_msg[e] != '\n')
        e++;
    *jws = signed_msg + s;
    *jws_len = e - s;
    return CLID_OK;
}

/* The IAM's numbers must be those signed: a signer never vouches for a
 * call whose ISUP side would display (or route to) another number than the
 * PASSporT names; its verification would fail the consistency check. */
static clid_err check_iam_for_signing(const clid_isup_iam *iam, const char *cc, const char *orig,
                                      const char *dest, char cg[CLID_TN_BUF], int *cg_present,
                                      char cd[CLID_TN_BUF], int *cd_present)
{
    clid_err rc = iam_tn(iam, CLID_ISUP_CALLING_PARTY_NUMBER, cc, cg, cg_present, NULL);
    if (rc == CLID_ERR_BAD_TN || (rc == CLID_OK && *cg_present && strcmp(cg, orig) != 0))
        return CLID_ERR_ISUP_CALLING_MISMATCH;
    CLID_TRY(rc);
    rc = iam_tn(iam, CLID_ISUP_CALLED_PARTY_NUMBER, cc, cd, cd_present, NULL);
    if (rc == CLID_ERR_BAD_TN || (rc == CLID_OK && *cd_present && strcmp(cd, dest) != 0))
        return CLID_ERR_ISUP_CALLED_MISMATCH;
    return rc;
}

/* The token of `jws`, re-signed by the SSGW when the PASSporT cannot be
 * rebuilt from a token (Q.3063's signing gateway). */
static clid_err make_token(const clid_sipi_opts *o, const char *jws, size_t jws_len,
                           const char *cg, const char *cd, uint8_t *tok, size_t cap,
                           size_t *tok_len)
{
    clid_err rc = clid_cli_token_from_passport(jws, jws_len, cg, cd, tok, cap, tok_len);
    if (rc == CLID_ERR_CLI_TOKEN_NOT_RECONSTRUCTIBLE && o != NULL && o->ssgw != NULL)
        rc = clid_cli_token_resign(o->ssgw, jws, jws_len, cg, cd, tok, cap, tok_len);
    return rc;
}

static clid_err sign_iam(const clid_signer *s, const clid_sip_sign_opts *so,
                         const clid_sipi_opts *o, const char *msg, size_t len,
                         clid_isup_iam *iam, char *out, size_t cap, size_t *out_len)
{
    char orig[CLID_TN_BUF], dest[CLID_TN_BUF], cg[CLID_TN_BUF], cd[CLID_TN_BUF];
    int cg_present = 0, cd_present = 0;
    CLID_TRY(clid_sip_get_tns(msg, len, orig, dest));
    CLID_TRY(check_iam_for_signing(iam, opt_cc(o), orig, dest, cg, &cg_present, cd,
                                   &cd_present));

    size_t signed_cap = len + CLID_SIP_SIGN_EXTRA + 1, signed_len = 0;
    char *signed_msg = malloc(signed_cap);
    CLID_ENSURE(signed_msg != NULL, CLID_ERR_NOMEM);
    uint8_t tok[CLID_CLI_TOKEN_MAX], isup[CLID_ISUP_MAX_LEN];
    size_t tok_len = 0, isup_len = 0;
    const char *jws = NULL;
    size_t jws_len = 0;
    clid_err rc = clid_sip_sign(s, so, msg, len, signed_msg, signed_cap, &signed_len);
    if (rc == CLID_OK)
        rc = inserted_jws(msg, len, signed_msg, signed_len, &jws, &jws_len);
    if (rc == CLID_OK)
        rc = make_token(o, jws, jws_len, cg_present ? cg : NULL, cd_present ? cd : NULL, tok,
                        sizeof tok, &tok_len);
    if (rc == CLID_OK)
        rc = clid_isup_iam_set_apm(iam, opt_ctx(o), tok, tok_len);
    if (rc == CLID_OK)
        rc = clid_isup_iam_encode(iam, isup, sizeof isup, &isup_len);
    if (rc == CLID_ERR_BUFFER_TOO_SMALL)
        rc = CLID_ERR_ISUP_TOO_LARGE;
    if (rc == CLID_OK)
        rc = clid_sipi_replace_isup(signed_msg, signed_len, isup, isup_len, out, cap, out_len);
    free(signed_msg);
    return rc;
}

clid_err clid_sipi_sign(const clid_signer *s, const clid_sip_sign_opts *so,
                        const clid_sipi_opts *o, const char *msg, size_t len, char *out,
                        size_t cap, size_t *out_len)
{
    CLID_ENSURE(s != NULL && so != NULL && msg != NULL && out_len != NULL,
                CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(len <= CLID_SIP_MAX_LEN, CLID_ERR_SIP_TOO_LARGE);
    clid_sipi_part part;
    clid_isup_iam *iam = NULL;
    CLID_TRY(load_iam(msg, len, &part, &iam));
    clid_err rc = sign_iam(s, so, o, msg, len, iam, out, cap, out_len);
    clid_isup_iam_free(iam);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* TDM -> SIP                                                                */
/* ------------------------------------------------------------------------ */

static clid_err token_identity(const clid_sipi_opts *o, const clid_isup_iam *iam, char *value,
                               size_t cap, size_t *value_len)
{
    uint8_t tok[CLID_CLI_TOKEN_MAX];
    size_t tok_len = 0;
    clid_err rc = clid_isup_iam_get_apm(iam, opt_ctx(o), tok, sizeof tok, &tok_len);
    /* No token of clid's fits in more than CLID_CLI_TOKEN_MAX octets. */
    if (rc == CLID_ERR_BUFFER_TOO_SMALL)
        rc = CLID_ERR_CLI_TOKEN_PARSE;
    CLID_TRY(rc);
    char cg[CLID_TN_BUF], cd[CLID_TN_BUF];
    int cg_present = 0, cd_present = 0;
    /* A number that is no TN cannot stand for an omitted orig or dest: the
     * token then had to carry it (or the rebuilt PASSporT fails). */
    if (iam_tn(iam, CLID_ISUP_CALLING_PARTY_NUMBER, opt_cc(o), cg, &cg_present, NULL) != CLID_OK)
        cg_present = 0;
    if (iam_tn(iam, CLID_ISUP_CALLED_PARTY_NUMBER, opt_cc(o), cd, &cd_present, NULL) != CLID_OK)
        cd_present = 0;
    rc = clid_cli_token_to_identity(tok, tok_len, cg_present ? cg : NULL, cd_present ? cd : NULL,
                                    value, cap, value_len);
    if (rc == CLID_ERR_BUFFER_TOO_SMALL)
        rc = CLID_ERR_CLI_TOKEN_PARSE;
    CLID_TRY(rc);
    /* It goes into a header: printable ASCII only (deps notes S3). */
    return clid__sip_check_value(value, *value_len);
}

clid_err clid_sipi_token_to_identity(const clid_sipi_opts *o, const char *msg, size_t len,
                                     char *out, size_t cap, size_t *out_len)
{
    CLID_ENSURE(msg != NULL && out_len != NULL, CLID_ERR_INVALID_ARGUMENT);
    clid__sip_raw raw;
    CLID_TRY(clid__sip_raw_scan(msg, len, &raw));
    clid_sipi_part part;
    clid_isup_iam *iam = NULL;
    CLID_TRY(load_iam(msg, len, &part, &iam));
    char *value = malloc(CLID_IDENTITY_MAX_LEN);
    char *line = malloc(CLID_SIP_SIGN_EXTRA);
    size_t value_len = 0;
    clid_err rc = value != NULL && line != NULL ? CLID_OK : CLID_ERR_NOMEM;
    if (rc == CLID_OK)
        rc = token_identity(o, iam, value, CLID_IDENTITY_MAX_LEN, &value_len);
    clid__sip_edit e;
    if (rc == CLID_OK)
        rc = clid__sip_identity_edit(&raw, value, value_len, line, CLID_SIP_SIGN_EXTRA, &e);
    if (rc == CLID_OK)
        rc = clid__sip_apply(msg, len, &e, 1, out, cap, out_len);
    free(line);
    free(value);
    clid_isup_iam_free(iam);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Verification                                                              */
/* ------------------------------------------------------------------------ */

static clid_err fail(clid_result *r, clid_err rc, const char *detail)
{
    r->reason = rc;
    if (detail != NULL)
        clid__result_set_detail(r, detail);
    return rc;
}

/* The consistency check (docs/q3063-profile.md, "The consistency check"),
 * after the PASSporT passed: the Calling Party Number is what the ISUP side
 * displays (Q.763 §3.10), so it must be the verified orig; the Called Party
 * Number is where the ISUP side routes (Q.763 §3.9), so it must be the
 * callee the PASSporT was bound to. A forgery check: no policy relaxes it.
 * A number present but not convertible to a TN cannot be shown equal and
 * fails too. Presentation restricted (APRI 1) is reported as a warning. */
static clid_err consistency(const clid_sipi_opts *o, const clid_isup_iam *iam, const char *msg,
                            size_t len, clid_result *r)
{
    char tn[CLID_TN_BUF], orig[CLID_TN_BUF], dest[CLID_TN_BUF];
    int present = 0;
    unsigned apri = 0;
    clid_err rc = iam_tn(iam, CLID_ISUP_CALLING_PARTY_NUMBER, opt_cc(o), tn, &present, &apri);
    const char *verified = clid_result_orig(r);
    if (rc == CLID_ERR_BAD_TN)
        return fail(r, CLID_ERR_ISUP_CALLING_MISMATCH,
                    "IAM Calling Party Number is no E.164 number (NAI or signals)");
    if (rc != CLID_OK)
        return fail(r, rc, NULL);
    if (present && (verified == NULL || strcmp(tn, verified) != 0))
        return fail(r, CLID_ERR_ISUP_CALLING_MISMATCH,
                    "IAM Calling Party Number differs from the PASSporT's orig");

    rc = clid_sip_get_tns(msg, len, orig, dest);
    if (rc != CLID_OK && rc != CLID_ERR_SIP_NO_CALLER)
        return fail(r, rc, NULL);
    rc = iam_tn(iam, CLID_ISUP_CALLED_PARTY_NUMBER, opt_cc(o), tn, &present, NULL);
    if (rc == CLID_ERR_BAD_TN)
        return fail(r, CLID_ERR_ISUP_CALLED_MISMATCH,
                    "IAM Called Party Number is no E.164 number (NAI or signals)");
    if (rc != CLID_OK)
        return fail(r, rc, NULL);
    if (present && strcmp(tn, dest) != 0)
        return fail(r, CLID_ERR_ISUP_CALLED_MISMATCH,
                    "IAM Called Party Number differs from the request's callee");

    /* Q.763 §3.10 d: restricted is a display rule for the called party,
     * not a sign of forgery: reported under any policy, never failed. */
    if (apri == 1)
        clid__result_warn(r, CLID_ERR_ISUP_PRESENTATION_RESTRICTED);
    return CLID_OK;
}

/* The Identity header(s), or the token when there is none. */
static clid_err verify_identity(clid_verifier *v, const clid_sipi_opts *o, const char *msg,
                                size_t len, clid_result *r)
{
    clid_err rc = clid_sip_verify(v, &o->verify, msg, len, r);
    if (rc != CLID_ERR_NO_IDENTITY)
        return rc;
    size_t cap = len + CLID_SIP_SIGN_EXTRA + 1, n = 0;
    char *rebuilt = malloc(cap);
    CLID_ENSURE(rebuilt != NULL, CLID_ERR_NOMEM);
    rc = clid_sipi_token_to_identity(o, msg, len, rebuilt, cap, &n);
    if (rc == CLID_OK)
        rc = clid_sip_verify(v, &o->verify, rebuilt, n, r);
    else if (rc == CLID_ERR_ISUP_PARAM_ABSENT)
        rc = fail(r, CLID_ERR_NO_IDENTITY, NULL); /* no token either */
    else
        rc = fail(r, rc, "CLI token in the IAM");
    free(rebuilt);
    return rc;
}

static clid_err verify_sipi(clid_verifier *v, const clid_sipi_opts *o, const char *msg,
                            size_t len, clid_result *r)
{
    clid_sipi_part part;
    clid_isup_iam *iam = NULL;
    clid_err rc = load_iam(msg, len, &part, &iam);
    if (rc != CLID_OK)
        return fail(r, rc, "the SIP-I body");
    rc = verify_identity(v, o, msg, len, r);
    if (rc == CLID_OK)
        rc = consistency(o, iam, msg, len, r);
    clid_isup_iam_free(iam);
    return rc;
}

clid_err clid_sipi_verify(clid_verifier *v, const clid_sipi_opts *o, const char *msg, size_t len,
                          clid_result *res)
{
    CLID_ENSURE(v != NULL && msg != NULL, CLID_ERR_INVALID_ARGUMENT);
    static const clid_sipi_opts defaults; /* zero: all defaults */
    clid_result *r = res;
    if (r == NULL)
        CLID_TRY(clid_result_new(&r));
    clid_result_reset(r);
    clid_err rc = verify_sipi(v, o != NULL ? o : &defaults, msg, len, r);
    r->reason = rc;
    if (r != res)
        clid_result_free(r);
    return rc;
}
