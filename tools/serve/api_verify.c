/*
 * clid serve: POST /stir/v1/verification (ATIS-1000082-like).
 *   {"verificationRequest":{"from":{"tn":"..."},"to":{"tn":["..."]},
 *                           "time":N,"identity":"..."}}
 *   -> 200 {"verificationResponse":{"verstat":"...","reason":"CLID_...",
 *           "reasoncode":438,"reasontext":"...","warnings":[...], ...}}
 * A failed verification is a verdict, not an HTTP error: always 200.
 */
#include "serve/api_int.h"

#include <stdio.h>

#include "rcd_args.h"

json_t *api_verdict(const clid_result *res, clid_err e, serve_reply *out)
{
    clid_verstat vs = clid_err_verstat(e);
    json_t *v = json_object();
    json_t *w = json_array();
    if (!v || !w) {
        json_decref(v);
        json_decref(w);
        return NULL;
    }
    out->verstat = clid_verstat_str(vs);
    out->reason = clid_err_name(e);
    json_object_set_new(v, "verstat", json_string(out->verstat));
    json_object_set_new(v, "reason", json_string(out->reason));
    /* reasoncode: the SIP response an RFC 8224 §6.2.2 verifier sends for
     * this outcome (403/428/436/437/438; docs/errors.md), absent on a pass. */
    int sip = clid_err_sip_status(e);
    if (e != CLID_OK && sip != 0) {
        json_object_set_new(v, "reasoncode", json_integer(sip));
        json_object_set_new(v, "reasontext", json_string(clid_err_sip_reason(e)));
    }
    if (e != CLID_OK)
        json_object_set_new(v, "message", json_string(clid_err_str(e)));
    for (size_t i = 0; res && i < clid_result_warning_count(res); i++)
        json_array_append_new(w, json_string(clid_err_name(clid_result_warning(res, i))));
    json_object_set_new(v, "warnings", w);
    if (!res)
        return v;
    const char *d = clid_result_detail(res);
    if (d && d[0])
        json_object_set_new(v, "detail", json_string(d));
    char att = clid_result_attest(res);
    if (att) {
        char a[2] = {att, '\0'};
        json_object_set_new(v, "attest", json_string(a));
    }
    const char *s;
    if ((s = clid_result_origid(res)) != NULL)
        json_object_set_new(v, "origid", json_string(s));
    if (clid_result_iat(res) > 0)
        json_object_set_new(v, "iat", json_integer(clid_result_iat(res)));
    if ((s = clid_result_x5u(res)) != NULL)
        json_object_set_new(v, "x5u", json_string(s));
    /* Rich Call Data (RFC 9795; docs/rcd.md): only what verified, as
     * `clid verify --json` writes it; null when the PASSporT carries none. */
    json_object_set_new(v, "rcd", tool_rcd_json(res));
    return v;
}

/* verify failures that are ours, not the call's (no SIP status). */
static int verify_internal(serve_reply *out, clid_err e)
{
    return api_error(out, 500, SERVE_CODE_INTERNAL, e, NULL, "verification failed: %s: %s",
                     clid_err_name(e), clid_err_str(e));
}

static int read_request(json_t *rq, clid_verify_input *in, char orig[CLID_TN_BUF],
                        char dest[CLID_TN_BUF], serve_reply *out)
{
    json_t *f, *t, *tns, *j;
    if (api_member(rq, "from", "verificationRequest.from", JSON_OBJECT, 1, &f, out) != 0 ||
        api_member(f, "tn", "verificationRequest.from.tn", JSON_STRING, 1, &j, out) != 0 ||
        api_tn(j, "verificationRequest.from.tn", orig, out) != 0)
        return -1;
    if (api_member(rq, "to", "verificationRequest.to", JSON_OBJECT, 1, &t, out) != 0 ||
        api_member(t, "tn", "verificationRequest.to.tn", JSON_ARRAY, 1, &tns, out) != 0)
        return -1;
    /* The request's callee: one number (ATIS-1000082 carries it in an
     * array); the PASSporT's dest must contain it (RFC 8224 §6.2 step 1). */
    if (json_array_size(tns) != 1)
        return api_error(out, 400, SERVE_CODE_VALUE, CLID_ERR_INVALID_ARGUMENT,
                         "verificationRequest.to.tn",
                         "verificationRequest.to.tn: must hold exactly one number (the "
                         "request's callee), got %zu",
                         json_array_size(tns));
    if (api_tn(json_array_get(tns, 0), "verificationRequest.to.tn[0]", dest, out) != 0)
        return -1;
    if (api_member(rq, "identity", "verificationRequest.identity", JSON_STRING, 1, &j, out) !=
            0 ||
        api_printable(j, "verificationRequest.identity", CLID_IDENTITY_MAX_LEN, 1, &in->identity,
                      out) != 0)
        return -1;
    int has_time = 0;
    int64_t tm = 0;
    if (api_int(rq, "time", "verificationRequest.time", 0, 1, INT64_C(253402300799), &tm,
                &has_time, out) != 0)
        return -1;
    if (has_time)
        in->now = tm;
    in->orig = orig;
    in->dest = dest;
    return 0;
}

void api_verify(serve_state *st, const char *body, size_t len, int64_t now, serve_reply *out)
{
    json_t *root, *rq;
    if (api_parse(body, len, &root, out) != 0)
        return;
    clid_verify_input in = {.now = now};
    char orig[CLID_TN_BUF], dest[CLID_TN_BUF];
    clid_result *res = NULL;
    if (api_member(root, "verificationRequest", "verificationRequest", JSON_OBJECT, 1, &rq,
                   out) != 0 ||
        read_request(rq, &in, orig, dest, out) != 0)
        goto done;
    clid_err e = clid_result_new(&res);
    if (e != CLID_OK) {
        verify_internal(out, e);
        goto done;
    }
    e = clid_verify_identity(serve_state_verifier(st), &in, res);
    if (e != CLID_OK && clid_err_sip_status(e) == 0) {
        verify_internal(out, e);
        goto done;
    }
    json_t *v = api_verdict(res, e, out);
    if (!v || !(out->body = json_pack("{s:o}", "verificationResponse", v))) {
        api_error(out, 500, SERVE_CODE_INTERNAL, CLID_ERR_NOMEM, NULL, "out of memory");
        goto done;
    }
    out->http_status = 200;
done:
    clid_result_free(res);
    json_decref(root);
}
