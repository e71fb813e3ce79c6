/*
 * clid serve: the API entry point (api.h). Dispatches to the endpoint
 * handlers and builds error replies. Every path fills the reply with a
 * status and a JSON object, so H never has to invent a body.
 */
#include "serve/api_int.h"

#include <stdarg.h>
#include <stdio.h>

int api_error(serve_reply *out, int status, const char *code, clid_err reason, const char *path,
              const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_decref(out->body);
    json_t *err = json_pack("{s:s,s:s}", "code", code, "message", msg);
    if (err && path)
        json_object_set_new(err, "path", json_string(path));
    out->body = err ? json_pack("{s:o}", "error", err) : NULL;
    out->http_status = status;
    out->reason = clid_err_name(reason);
    out->verstat = NULL;
    return -1;
}

/* The last resort when even an error object cannot be allocated: H still
 * gets a status (and writes its own fixed body for a NULL one). */
static void ensure_body(serve_reply *out)
{
    if (out->body == NULL) {
        out->http_status = 500;
        out->reason = clid_err_name(CLID_ERR_NOMEM);
        out->verstat = NULL;
    }
}

void serve_api_handle(serve_state *st, serve_ep ep, const char *body, size_t len, int64_t now,
                      serve_reply *out)
{
    *out = (serve_reply){0};
    if (st == NULL || (body == NULL && len > 0)) {
        api_error(out, 500, SERVE_CODE_INTERNAL, CLID_ERR_INVALID_ARGUMENT, NULL,
                  "no configuration loaded");
    } else {
        if (body == NULL)
            body = "";
        switch (ep) {
        case SERVE_EP_SIGNING: api_sign(st, body, len, now, out); break;
        case SERVE_EP_VERIFICATION: api_verify(st, body, len, now, out); break;
        case SERVE_EP_SIP: api_sip(st, body, len, now, out); break;
        case SERVE_EP_SIP_DIV: api_sip_div(st, body, len, now, out); break;
        default:
            api_error(out, 500, SERVE_CODE_INTERNAL, CLID_ERR_INVALID_ARGUMENT, NULL,
                      "unknown endpoint");
        }
    }
    ensure_body(out);
}

void serve_reply_clear(serve_reply *r)
{
    if (!r)
        return;
    json_decref(r->body);
    *r = (serve_reply){0};
}

const char *serve_ep_name(serve_ep ep)
{
    switch (ep) {
    case SERVE_EP_SIGNING: return "signing";
    case SERVE_EP_VERIFICATION: return "verification";
    case SERVE_EP_SIP: return "sip";
    case SERVE_EP_SIP_DIV: return "sip_div";
    default: return "unknown";
    }
}
