/* clid serve: the API handlers (stub; the real ones follow). */
#include "serve/api.h"

void serve_api_handle(serve_state *st, serve_ep ep, const char *body, size_t len,
                      int64_t now, serve_reply *out)
{
    (void)st;
    (void)ep;
    (void)body;
    (void)len;
    (void)now;
    out->http_status = 501;
    out->body = json_pack("{s:{s:s,s:s}}", "error", "code", "not_implemented", "message",
                          "the API handlers are not implemented yet");
    out->reason = "CLID_ERR_UNSUPPORTED";
    out->verstat = NULL;
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
    default: return "unknown";
    }
}
