/*
 * clid serve: POST /stir/v1/sip/div, the retargeting proxy's signing call
 * for diverted calls (RFC 8946 §4; docs/serve-api.md). The body is the
 * raw SIP request as the proxy is about to forward it: already retargeted
 * (its Request-URI is the new target) and with the History-Info (RFC 7044)
 * or Diversion (RFC 5806) entry that records the retargeting. clid reads
 * the diversion (clid_sip_get_diversion), verifies the request's original
 * PASSporT with this service's verifier (RFC 8946 §4: a div is signed only
 * for a call whose identity was verified; its dest is not bound, the
 * request is on its way elsewhere), checks that the new div extends the
 * chain the request carries, and signs it with this service's signer
 * (clid_sip_sign_div). The answer is what the proxy adds:
 *   {"sipDivResponse":{"identity":"<the Identity header value, ppt=div>",
 *                      "div":"<diverting TN>","dest":"<new target TN>"}}
 * Like /stir/v1/signing it needs a bearer token: it signs.
 * Errors (each with "error":{"reason":"CLID_ERR_..."}): 400 invalid_sip (not a request clid can read, no caller), 413,
 * 422 signing_refused with the reason (no diversion
 * CLID_ERR_SIP_NO_DIVERSION, a bad History-Info CLID_ERR_SIP_HISTORY_INFO,
 * a div that would not extend the chain CLID_ERR_DIV_CHAIN_LINK / _ORIG /
 * _LOOP, an original that does not verify: its reason, a diverting number
 * the certificate does not cover CLID_ERR_TN_NOT_AUTHORIZED), 503 when no
 * signer is configured.
 */
#include "serve/api_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <clid/clid_sip.h>

/* The end of the line starting at i (the index after its LF, or len). */
static size_t line_end(const char *m, size_t len, size_t i)
{
    const char *lf = memchr(m + i, '\n', len - i);
    return lf ? (size_t)(lf - m) + 1 : len;
}

/*
 * The value of the one header line clid_sip_sign_div inserted into msg to
 * make out: every line before it is the same in both, so it is the first
 * line of out that differs from msg's line at the same place. NULL when
 * that line is not an Identity header (it always is; a check, not a
 * branch anyone takes) or without memory.
 */
static json_t *inserted_identity(const char *msg, size_t len, const char *out, size_t olen)
{
    size_t i = 0;
    for (;;) {
        size_t me = line_end(msg, len, i), oe = line_end(out, olen, i);
        if (me != oe || memcmp(msg + i, out + i, oe - i) != 0)
            break;
        if (oe >= olen)
            return NULL;
        i = oe;
    }
    size_t e = line_end(out, olen, i);
    while (e > i && (out[e - 1] == '\n' || out[e - 1] == '\r'))
        e--;
    static const char name[] = "Identity:";
    if (e - i < sizeof name - 1 || strncasecmp(out + i, name, sizeof name - 1) != 0)
        return NULL;
    i += sizeof name - 1;
    while (i < e && (out[i] == ' ' || out[i] == '\t'))
        i++;
    return json_stringn(out + i, e - i);
}

static void div_error(serve_reply *out, clid_err e)
{
    if (e == CLID_ERR_SIP_PARSE || e == CLID_ERR_SIP_NO_CALLER || e == CLID_ERR_SIP_NO_CALLEE)
        api_error(out, 400, SERVE_CODE_INVALID_SIP, e, NULL, "%s: %s", clid_err_name(e),
                  clid_err_str(e));
    else if (e == CLID_ERR_SIP_TOO_LARGE)
        api_error(out, 413, SERVE_CODE_TOO_LARGE, e, NULL, "%s: %s", clid_err_name(e),
                  clid_err_str(e));
    else if (e == CLID_ERR_NOMEM || e == CLID_ERR_INTERNAL)
        api_error(out, 500, SERVE_CODE_INTERNAL, e, NULL, "signing failed: %s: %s",
                  clid_err_name(e), clid_err_str(e));
    else
        api_error(out, 422, SERVE_CODE_SIGNING_REFUSED, e, NULL, "div refused: %s: %s",
                  clid_err_name(e), clid_err_str(e));
}

/* The error reply, with the clid reason as a member of its own
 * ("error":{"reason":"CLID_ERR_..."}) for a proxy to log or forward. */
static void add_reason(serve_reply *out, clid_err e)
{
    json_t *err = json_object_get(out->body, "error");
    if (err)
        json_object_set_new(err, "reason", json_string(clid_err_name(e)));
}

static void div_refused(serve_reply *out, clid_err e)
{
    div_error(out, e);
    add_reason(out, e);
}

void api_sip_div(serve_state *st, const char *body, size_t len, int64_t now, serve_reply *out)
{
    const clid_signer *signer = serve_state_signer(st);
    if (!signer) {
        api_error(out, 503, SERVE_CODE_NOT_CONFIGURED, CLID_ERR_UNSUPPORTED, NULL,
                  "signing not configured (no sign.key, sign.cert and sign.x5u)");
        add_reason(out, CLID_ERR_UNSUPPORTED);
        return;
    }
    if (len == 0) {
        api_error(out, 400, SERVE_CODE_INVALID_SIP, CLID_ERR_SIP_PARSE, NULL,
                  "the body is empty; a SIP request is expected");
        add_reason(out, CLID_ERR_SIP_PARSE);
        return;
    }
    if (len > CLID_SIP_MAX_LEN) {
        api_error(out, 413, SERVE_CODE_TOO_LARGE, CLID_ERR_SIP_TOO_LARGE, NULL,
                  "a SIP request is at most %u bytes", (unsigned)CLID_SIP_MAX_LEN);
        add_reason(out, CLID_ERR_SIP_TOO_LARGE);
        return;
    }
    char div[CLID_TN_BUF], dest[CLID_TN_BUF];
    clid_err e = clid_sip_get_diversion(body, len, div, dest);
    if (e != CLID_OK) {
        div_refused(out, e);
        return;
    }
    clid_sip_verify_opts vo = {.now = now};
    clid_sip_div_opts o = {.iat = now, .verifier = serve_state_verifier(st), .verify_opts = &vo};
    size_t cap = len + CLID_SIP_SIGN_EXTRA + 1, olen = 0;
    char *signed_msg = malloc(cap);
    if (!signed_msg) {
        div_refused(out, CLID_ERR_NOMEM);
        return;
    }
    e = clid_sip_sign_div(signer, &o, body, len, signed_msg, cap, &olen);
    if (e != CLID_OK) {
        free(signed_msg);
        div_refused(out, e);
        return;
    }
    json_t *id = inserted_identity(body, len, signed_msg, olen);
    free(signed_msg);
    json_t *b = id ? json_pack("{s:{s:o,s:s,s:s}}", "sipDivResponse", "identity", id, "div", div,
                               "dest", dest)
                   : NULL;
    if (!b) {
        div_refused(out, CLID_ERR_NOMEM);
        return;
    }
    out->body = b;
    out->http_status = 200;
    out->reason = clid_err_name(CLID_OK);
}
