/*
 * clid serve: POST /stir/v1/signing (ATIS-1000082-like).
 *   {"signingRequest":{"attest":"A","dest":{"tn":["..."]},"iat":N,
 *                      "orig":{"tn":"..."},"origid":"UUID",
 *                      "rcd":{"nam":"...","crn":"...","jcl":"URL",...}}}
 *   -> 200 {"signingResponse":{"identity":"..."}}
 * iat and origid are optional (the request's time; a random UUID); rcd
 * adds Rich Call Data claims (RFC 9795, clid_claims.rcd; docs/rcd.md).
 */
#include "serve/api_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* RFC 4122 text form, any case: what RFC 8588 §4 asks of origid and the
 * signer accepts (a non-UUID origid is only a verifier's lenient warning). */
static int is_uuid(const char *s)
{
    if (strlen(s) != SERVE_ORIGID_LEN)
        return 0;
    for (size_t i = 0; i < SERVE_ORIGID_LEN; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : strchr("0123456789abcdefABCDEF", s[i]) == NULL || s[i] == '\0')
            return 0;
    }
    return 1;
}

/* The library's refusal of claims that passed our validation: a key or
 * certificate problem is ours (500); an orig outside the certificate's
 * TNAuthList is the client's request we cannot honour (422). */
static void sign_failed(serve_reply *out, clid_err e)
{
    clid_err_class c = clid_err_class_of(e);
    if (e == CLID_ERR_TN_NOT_AUTHORIZED || c == CLID_CLASS_POLICY || c == CLID_CLASS_PARSE)
        api_error(out, 422, SERVE_CODE_SIGNING_REFUSED, e, NULL, "signing refused: %s: %s",
                  clid_err_name(e), clid_err_str(e));
    else
        api_error(out, 500, SERVE_CODE_INTERNAL, e, NULL, "signing failed: %s: %s",
                  clid_err_name(e), clid_err_str(e));
}

static int read_claims(json_t *rq, int64_t now, clid_claims *cl, char orig[CLID_TN_BUF],
                       char dest[SERVE_MAX_DEST][CLID_TN_BUF], const char **dptr,
                       serve_reply *out)
{
    json_t *j, *o, *d, *tns;
    const char *s;
    if (api_member(rq, "attest", "signingRequest.attest", JSON_STRING, 1, &j, out) != 0 ||
        api_printable(j, "signingRequest.attest", 1, 0, &s, out) != 0)
        return -1;
    if (strchr("ABC", s[0]) == NULL)
        return api_error(out, 400, SERVE_CODE_VALUE, CLID_ERR_INVALID_ARGUMENT,
                         "signingRequest.attest",
                         "signingRequest.attest: must be \"A\", \"B\" or \"C\" (RFC 8588 §4)");
    cl->attest = s[0];

    if (api_member(rq, "orig", "signingRequest.orig", JSON_OBJECT, 1, &o, out) != 0 ||
        api_member(o, "tn", "signingRequest.orig.tn", JSON_STRING, 1, &j, out) != 0 ||
        api_tn(j, "signingRequest.orig.tn", orig, out) != 0)
        return -1;
    cl->orig = orig;

    if (api_member(rq, "dest", "signingRequest.dest", JSON_OBJECT, 1, &d, out) != 0 ||
        api_member(d, "tn", "signingRequest.dest.tn", JSON_ARRAY, 1, &tns, out) != 0)
        return -1;
    size_t n = json_array_size(tns);
    if (n < 1 || n > SERVE_MAX_DEST)
        return api_error(out, 400, SERVE_CODE_VALUE, CLID_ERR_INVALID_ARGUMENT,
                         "signingRequest.dest.tn",
                         "signingRequest.dest.tn: must hold 1..%d numbers, got %zu",
                         SERVE_MAX_DEST, n);
    for (size_t i = 0; i < n; i++) {
        char path[SERVE_PATH_MAX];
        snprintf(path, sizeof path, "signingRequest.dest.tn[%zu]", i);
        if (api_tn(json_array_get(tns, i), path, dest[i], out) != 0)
            return -1;
        dptr[i] = dest[i];
    }
    cl->dest = dptr;
    cl->dest_count = n;

    int64_t iat = 0;
    int has_iat = 0;
    if (api_int(rq, "iat", "signingRequest.iat", 0, 1, INT64_C(253402300799), &iat, &has_iat,
                out) != 0)
        return -1;
    cl->iat = has_iat ? iat : now; /* now 0: the signer's clock */

    if (api_member(rq, "origid", "signingRequest.origid", JSON_STRING, 0, &j, out) != 0)
        return -1;
    if (j) {
        if (api_printable(j, "signingRequest.origid", SERVE_ORIGID_LEN, 0, &s, out) != 0)
            return -1;
        if (!is_uuid(s))
            return api_error(out, 400, SERVE_CODE_VALUE, CLID_ERR_PASSPORT_ORIGID,
                             "signingRequest.origid",
                             "signingRequest.origid: must be a UUID (RFC 8588 §4)");
        cl->origid = s;
    }
    return 0;
}

/* A string member of signingRequest.rcd (a C string: api_parse refuses
 * "\u0000", so none is cut short). */
static int rcd_str(json_t *r, const char *key, const char *path, int required, const char **s,
                   serve_reply *out)
{
    json_t *j;
    *s = NULL;
    if (api_member(r, key, path, JSON_STRING, required, &j, out) != 0)
        return -1;
    *s = j != NULL ? json_string_value(j) : NULL;
    return 0;
}

/* signingRequest.rcd, optional: nam (required in it), apn, crn, jcl, icn,
 * and jcd, a jCard as JSON (an array), kept as text in *jcd_text (free it).
 * Shapes here; the values' rules are the library's (clid_rcd in clid.h:
 * lengths, text without controls, http(s) URLs, a jCard without URIs, not
 * both jcd and jcl), refused as a whole after signing. The content digests
 * (rcdi) need the bytes a URL serves: the library and `clid sign` take
 * them, this API does not, so verifiers present no jcl/icn content signed
 * here (docs/rcd.md). */
static int read_rcd(json_t *rq, clid_rcd *rcd, char apn[CLID_TN_BUF], char **jcd_text,
                    serve_reply *out)
{
    json_t *r, *j;
    if (api_member(rq, "rcd", "signingRequest.rcd", JSON_OBJECT, 0, &r, out) != 0)
        return -1;
    if (r == NULL)
        return 0;
    if (rcd_str(r, "nam", "signingRequest.rcd.nam", 1, &rcd->nam, out) != 0 ||
        rcd_str(r, "crn", "signingRequest.rcd.crn", 0, &rcd->crn, out) != 0 ||
        rcd_str(r, "jcl", "signingRequest.rcd.jcl", 0, &rcd->jcl, out) != 0 ||
        rcd_str(r, "icn", "signingRequest.rcd.icn", 0, &rcd->icn, out) != 0)
        return -1;
    if (api_member(r, "apn", "signingRequest.rcd.apn", JSON_STRING, 0, &j, out) != 0 ||
        (j != NULL && api_tn(j, "signingRequest.rcd.apn", apn, out) != 0))
        return -1;
    rcd->apn = j != NULL ? apn : NULL;
    if (api_member(r, "jcd", "signingRequest.rcd.jcd", JSON_ARRAY, 0, &j, out) != 0)
        return -1;
    if (j != NULL) {
        *jcd_text = json_dumps(j, JSON_COMPACT);
        if (*jcd_text == NULL)
            return api_error(out, 500, SERVE_CODE_INTERNAL, CLID_ERR_NOMEM, NULL,
                             "out of memory");
        rcd->jcd = *jcd_text;
    }
    return 0;
}

void api_sign(serve_state *st, const char *body, size_t len, int64_t now, serve_reply *out)
{
    const clid_signer *signer = serve_state_signer(st);
    if (!signer) {
        /* 503, not 501: the server implements signing, this configuration
         * has no signer; a reload may add one, and a load balancer may try
         * another replica (docs/serve-api.md). */
        api_error(out, 503, SERVE_CODE_NOT_CONFIGURED, CLID_ERR_UNSUPPORTED, NULL,
                  "signing not configured (no sign.key, sign.cert and sign.x5u)");
        return;
    }
    json_t *root, *rq;
    if (api_parse(body, len, &root, out) != 0)
        return;
    clid_claims cl = {0};
    char orig[CLID_TN_BUF], apn[CLID_TN_BUF];
    char dest[SERVE_MAX_DEST][CLID_TN_BUF];
    const char *dptr[SERVE_MAX_DEST];
    clid_rcd rcd = {0};
    char *jcd_text = NULL;
    if (api_member(root, "signingRequest", "signingRequest", JSON_OBJECT, 1, &rq, out) != 0 ||
        read_claims(rq, now, &cl, orig, dest, dptr, out) != 0 ||
        read_rcd(rq, &rcd, apn, &jcd_text, out) != 0) {
        free(jcd_text);
        json_decref(root);
        return;
    }
    if (rcd.nam != NULL)
        cl.rcd = &rcd;
    char identity[CLID_IDENTITY_MAX_LEN + 1];
    size_t ilen = 0;
    clid_err e = clid_sign_identity(signer, &cl, identity, sizeof identity, &ilen);
    json_decref(root); /* cl's strings borrowed from it: not used after this */
    free(jcd_text);
    if (e == CLID_ERR_INVALID_ARGUMENT && cl.rcd != NULL) {
        /* every other member was checked above: the RCD broke a rule of
         * clid_rcd's */
        api_error(out, 400, SERVE_CODE_VALUE, e, "signingRequest.rcd",
                  "signingRequest.rcd: not acceptable Rich Call Data (docs/rcd.md): nam and "
                  "crn 1..256 bytes of text without control characters, jcl and icn http(s) "
                  "URLs of printable ASCII, jcd a jCard without URI values, not both jcd and "
                  "jcl");
        return;
    }
    if (e != CLID_OK) {
        sign_failed(out, e);
        return;
    }
    json_t *b = json_pack("{s:{s:s%}}", "signingResponse", "identity", identity, ilen);
    if (!b) {
        api_error(out, 500, SERVE_CODE_INTERNAL, CLID_ERR_NOMEM, NULL, "out of memory");
        return;
    }
    out->body = b;
    out->http_status = 200;
    out->reason = clid_err_name(CLID_OK);
}
