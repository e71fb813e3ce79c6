/*
 * clid serve: the out-of-band SHAKEN routes of the HTTP layer (oob.h,
 * docs/oob.md): the CPS's /passports/ and /health, the gateway's
 * /stir/v1/oob/egress and /ingress. Refusals that need no body are
 * answered on the first call, as for every route (http_handler.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve/http_int.h"

/* The out-of-band SHAKEN routes, when configured (oob.h); -1 otherwise.
 * The method picks publish or retrieve on /passports/. */
int serve_http_oob_route(const serve_server *s, const char *method, const char *url)
{
    const serve_oob_cfg *o = &s->cfg->oob;
    if (o->cps && strcmp(url, "/health") == 0)
        return SERVE_R_CPS_HEALTH;
    if (o->cps && strncmp(url, "/passports/", 11) == 0)
        return strcmp(method, "POST") == 0 ? SERVE_R_CPS_PUBLISH : SERVE_R_CPS_RETRIEVE;
    if (o->gateway && strcmp(url, "/stir/v1/oob/egress") == 0)
        return SERVE_R_OOB_EGRESS;
    if (o->gateway && strcmp(url, "/stir/v1/oob/ingress") == 0)
        return SERVE_R_OOB_INGRESS;
    return -1;
}

static enum MHD_Result oob_reply(serve_server *s, struct MHD_Connection *c, serve_req *rq,
                                 const char *method, const char *url, serve_oob_reply *o)
{
    json_t *body = o->body;
    if (body == NULL)
        body = json_pack("{s:{s:s,s:s}}", "error", "code", "CLID_ERR_NOMEM", "message",
                         "no reply");
    unsigned st = o->status >= 200 && o->status <= 599 ? o->status : 500;
    return serve_http_reply_json(s, c, rq, method, url, st, body, o->reason, NULL, o->hname, o->hval);
}

static enum MHD_Result oob_error(serve_server *s, struct MHD_Connection *c, serve_req *rq,
                                 const char *method, const char *url, unsigned status,
                                 clid_err e, const char *detail, const char *hname,
                                 const char *hval)
{
    serve_oob_reply o;
    memset(&o, 0, sizeof o);
    serve_oob_error(&o, status, e, detail);
    o.hname = hname;
    o.hval = hval;
    return oob_reply(s, c, rq, method, url, &o);
}

/* The first call of an OOB route: method, media type, declared length. */
int serve_http_oob_first_call(serve_server *s, struct MHD_Connection *c, serve_req *rq,
                              const char *method, const char *url, serve_snap *snap,
                              enum MHD_Result *ret)
{
    int get = rq->route == SERVE_R_CPS_HEALTH || rq->route == SERVE_R_CPS_RETRIEVE;
    if (get && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        *ret = oob_error(s, c, rq, method, url, 405, CLID_ERR_INVALID_ARGUMENT,
                         "method not allowed", "Allow",
                         rq->route == SERVE_R_CPS_HEALTH ? "GET, HEAD" : "GET, POST");
        return 1;
    }
    if (get)
        return 0; /* answered on the last call (keep-alive, as /healthz) */
    if (strcmp(method, "POST") != 0) {
        *ret = oob_error(s, c, rq, method, url, 405, CLID_ERR_INVALID_ARGUMENT,
                         "method not allowed", "Allow", "POST");
        return 1;
    }
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    int sip = rq->route != SERVE_R_CPS_PUBLISH;
    if (sip ? !serve_http_media_is(ct, "message/sipfrag") && !serve_http_media_is(ct, "application/sip")
            : !serve_http_media_is(ct, "application/json")) {
        *ret = oob_error(s, c, rq, method, url, 415, sip ? CLID_ERR_SIP_PARSE
                                                         : CLID_ERR_OOB_BODY_PARSE,
                         sip ? "Content-Type must be message/sipfrag or application/sip"
                             : "Content-Type must be application/json",
                         NULL, NULL);
        return 1;
    }
    /* The gateway endpoints publish and retrieve under this provider's SPC
     * (their CPS tokens are signed with sign.*): the same bearer tokens as
     * /stir/v1/signing guard them (docs/oob.md). */
    int gateway = rq->route == SERVE_R_OOB_EGRESS || rq->route == SERVE_R_OOB_INGRESS;
    const char *why, *challenge;
    if (gateway && !serve_http_token_ok(s, c, snap, &why, &challenge)) {
        *ret = oob_error(s, c, rq, method, url, 401, CLID_ERR_OOB_TOKEN_MISSING, why,
                         MHD_HTTP_HEADER_WWW_AUTHENTICATE, challenge);
        return 1;
    }
    /* A publish body is bounded by CLID_OOB_MAX_BODY (clid_oob.h) whatever
     * limits.body_bytes allows. */
    if (rq->route == SERVE_R_CPS_PUBLISH && rq->limit > CLID_OOB_MAX_BODY)
        rq->limit = CLID_OOB_MAX_BODY;
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl != NULL && strtoull(cl, NULL, 10) > rq->limit) {
        char msg[96];
        snprintf(msg, sizeof msg, "the body is larger than %zu bytes", rq->limit);
        *ret = oob_error(s, c, rq, method, url, 413, CLID_ERR_OOB_TOO_MANY_PASSPORTS, msg,
                         "Connection", "close");
        return 1;
    }
    return 0;
}

/* The last call of an OOB route. */
enum MHD_Result serve_http_oob_last_call(serve_server *s, struct MHD_Connection *c,
                                         serve_req *rq, const char *method, const char *url,
                                         serve_snap *snap)
{
    serve_oob_reply o;
    memset(&o, 0, sizeof o);
    if (rq->too_big) {
        char msg[96];
        snprintf(msg, sizeof msg, "the body is larger than %zu bytes", rq->limit);
        return oob_error(s, c, rq, method, url, 413, CLID_ERR_OOB_TOO_MANY_PASSPORTS, msg, NULL,
                         NULL);
    }
    if (rq->route == SERVE_R_CPS_HEALTH) {
        serve_cps_health(s, &o);
        return oob_reply(s, c, rq, method, url, &o);
    }
    if (snap == NULL || snap->st == NULL || !serve_state_ready(snap->st))
        return oob_error(s, c, rq, method, url, 503, CLID_ERR_INVALID_ARGUMENT,
                         "the service is starting", NULL, NULL);
    const char *body = rq->buf ? rq->buf : "";
    if (rq->route == SERVE_R_OOB_EGRESS || rq->route == SERVE_R_OOB_INGRESS) {
        serve_oob_gateway(s, snap, rq->route == SERVE_R_OOB_INGRESS, body, rq->len, &o);
    } else {
        const char *az = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_AUTHORIZATION);
        serve_cps_passports(s, snap, rq->route == SERVE_R_CPS_PUBLISH, url, az, body, rq->len,
                            &o);
    }
    return oob_reply(s, c, rq, method, url, &o);
}
