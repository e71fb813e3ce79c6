/*
 * clid serve: the out-of-band gateway endpoints for proxies (OOB-SPEC.md
 * "Gateway endpoints"; RFC 8816 §4 the SIP<->TDM edges).
 *
 *   POST /stir/v1/oob/egress   SIP->TDM: the request's PASSporTs published
 *        -> 200 {"oobEgressResponse":{"published":N,"reason":"CLID_OK"}}
 *           (no Identity: published 0, reason CLID_ERR_NO_IDENTITY);
 *           the CPS failing -> 502 (the proxy continues the call anyway)
 *   POST /stir/v1/oob/ingress  TDM->SIP: retrieved, verified
 *        -> 200 {"oobIngressResponse":{"verstat","reason","identity"|null,
 *                "caller"|null}}; a request with Identity -> 400
 * The body is the SIP request (message/sipfrag or application/sip). The
 * tokens are signed by the service's signer; the CPS is oob.gateway's.
 * "caller" is exactly /stir/v1/sip's (api_caller_edit): the proxy applies
 * one edit whichever path verified the call.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <clid/clid_sip.h>

#include "serve/api_int.h"
#include "serve/oob.h"
#include "serve/server.h"

/* The value of the first Identity header field of the rewritten request
 * (the one clid_oob_ingress added), NULL when there is none. */
static json_t *identity_of(const char *m, size_t len)
{
    size_t i = 0;
    while (i < len && m[i] != '\n') /* the request line */
        i++;
    while (++i < len) {
        size_t ls = i;
        while (i < len && m[i] != '\n')
            i++;
        size_t le = i > ls && m[i - 1] == '\r' ? i - 1 : i;
        if (le == ls)
            break; /* the end of the header */
        if (le - ls > 9 && strncasecmp(m + ls, "Identity", 8) == 0) {
            size_t c = ls + 8;
            while (c < le && (m[c] == ' ' || m[c] == '\t'))
                c++;
            if (c < le && m[c] == ':') {
                c++;
                while (c < le && (m[c] == ' ' || m[c] == '\t'))
                    c++;
                return json_stringn(m + c, le - c);
            }
        }
    }
    return NULL;
}

static void egress(serve_server *s, const clid_signer *sg, const char *body, size_t len,
                   serve_oob_reply *out)
{
    size_t published = 0;
    clid_err e = clid_oob_egress(s->oob.gw, sg, body, len, s->cfg->oob.gw_budget_ms, &published);
    if (e == CLID_OK || e == CLID_ERR_NO_IDENTITY) {
        out->status = 200;
        out->reason = clid_err_name(e);
        out->body = json_pack("{s:{s:I,s:s}}", "oobEgressResponse", "published",
                              (json_int_t)published, "reason", clid_err_name(e));
        return;
    }
    clid_err_class c = clid_err_class_of(e);
    serve_oob_error(out, c == CLID_CLASS_PARSE || e == CLID_ERR_SIP_NO_CALLER ||
                                 e == CLID_ERR_SIP_NO_CALLEE || e == CLID_ERR_BAD_TN
                             ? 400
                             : 502,
                    e, NULL);
}

static void ingress(serve_server *s, serve_snap *snap, const clid_signer *sg, const char *body,
                    size_t len, serve_oob_reply *out)
{
    clid_result *res = NULL;
    size_t cap = len + CLID_OOB_MAX_PASSPORT_LEN + 4096 + CLID_SIP_VERSTAT_EXTRA;
    char *buf = malloc(cap);
    if (buf == NULL || clid_result_new(&res) != CLID_OK) {
        free(buf);
        serve_oob_error(out, 500, CLID_ERR_NOMEM, NULL);
        return;
    }
    clid_oob_ingress_opts io = {.budget_ms = s->cfg->oob.gw_budget_ms,
                                .retry_ms = s->cfg->oob.gw_retry_ms, .now = 0};
    size_t olen = 0;
    clid_err e = clid_oob_ingress(s->oob.gw, sg, serve_state_verifier(snap->st), &io, body, len,
                                  res, buf, cap, &olen);
    clid_result_free(res);
    if (e == CLID_ERR_INVALID_ARGUMENT || clid_err_class_of(e) == CLID_CLASS_PARSE ||
        e == CLID_ERR_SIP_NO_CALLER || e == CLID_ERR_SIP_NO_CALLEE) {
        free(buf);
        serve_oob_error(out, 400, e,
                        e == CLID_ERR_INVALID_ARGUMENT
                            ? "the request carries Identity: verify it in band (/stir/v1/sip)"
                            : NULL);
        return;
    }
    clid_verstat vs = clid_err_verstat(e);
    /* Whatever failed (CPS unreachable, nothing published, a PASSporT that
     * does not verify), the proxy gets a verstat to apply and continues:
     * RFC 8816 §7, the call is not refused for want of a CPS. */
    json_t *id = e == CLID_OK && olen > 0 ? identity_of(buf, olen) : NULL;
    free(buf);
    json_t *caller = api_caller_edit(body, len, vs);
    json_t *r = json_object();
    if (caller == NULL || r == NULL ||
        json_object_set_new(r, "verstat", json_string(clid_verstat_str(vs))) != 0 ||
        json_object_set_new(r, "reason", json_string(clid_err_name(e))) != 0 ||
        json_object_set_new(r, "identity", id ? id : json_null()) != 0 ||
        json_object_set_new(r, "caller", caller) != 0) {
        json_decref(r);
        serve_oob_error(out, 500, CLID_ERR_NOMEM, NULL);
        return;
    }
    out->status = 200;
    out->reason = clid_err_name(e);
    out->body = json_pack("{s:o}", "oobIngressResponse", r);
}

void serve_oob_gateway(serve_server *s, serve_snap *snap, int is_ingress, const char *body,
                       size_t len, serve_oob_reply *out)
{
    memset(out, 0, sizeof *out);
    const clid_signer *sg = serve_state_signer(snap->st);
    if (sg == NULL || s->oob.gw == NULL) {
        serve_oob_error(out, 503, CLID_ERR_INVALID_ARGUMENT,
                        "the gateway needs oob.gateway and sign.* configured");
        return;
    }
    if (len == 0) {
        serve_oob_error(out, 400, CLID_ERR_SIP_PARSE, "the body is empty; a SIP request is expected");
        return;
    }
    if (is_ingress)
        ingress(s, snap, sg, body, len, out);
    else
        egress(s, sg, body, len, out);
}
