/*
 * clid serve: the request handler (libmicrohttpd access handler).
 *
 * Every refusal that does not need the body is answered on the first call
 * (headers only), before a byte of the body is read: 404, 405, 415, 401,
 * 503 (over the connection limit), and 413 when Content-Length already
 * says too much. libmicrohttpd then closes the connection rather than
 * reading the body. A body without Content-Length (chunked) that grows
 * beyond limits.body_bytes is discarded as it comes and answered 413 once
 * it has ended (a reply cannot be queued while the body is being read,
 * deps-breadth.md M1); one that goes on beyond 4 times the limit is cut.
 * Every body is JSON, errors {"error":{"code":"...","message":"..."}}.
 * The out-of-band SHAKEN routes are http_oob.c's.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <arpa/inet.h>

#include "serve/http_int.h"
#include "util.h"


static int64_t mono_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static void peer(struct MHD_Connection *c, char *out, size_t cap)
{
    const union MHD_ConnectionInfo *i = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    out[0] = '\0';
    if (i == NULL || i->client_addr == NULL)
        return;
    if (i->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)i->client_addr)->sin_addr,
                  out, (socklen_t)cap);
    else if (i->client_addr->sa_family == AF_INET6)
        inet_ntop(AF_INET6,
                  &((const struct sockaddr_in6 *)(const void *)i->client_addr)->sin6_addr, out,
                  (socklen_t)cap);
}

/* The call's numbers from a JSON request body, for the log when
 * log.numbers is on (personal data: off by default). */
static void numbers(const serve_req *rq, json_t **doc, const char **orig, const char **dest)
{
    *orig = *dest = NULL;
    *doc = rq->buf ? json_loadb(rq->buf, rq->len, 0, NULL) : NULL;
    if (*doc == NULL)
        return;
    json_t *r = json_object_get(*doc, rq->route == SERVE_R_SIGNING ? "signingRequest"
                                                                     : "verificationRequest");
    json_t *o = json_object_get(r, rq->route == SERVE_R_SIGNING ? "orig" : "from");
    json_t *d = json_object_get(r, rq->route == SERVE_R_SIGNING ? "dest" : "to");
    *orig = json_string_value(json_object_get(o, "tn"));
    json_t *tn = json_object_get(d, "tn");
    *dest = json_string_value(json_is_array(tn) ? json_array_get(tn, 0) : tn);
}

/* Queues `body` (JSON text, malloc'ed, taken) with `status`, and records
 * the request: metrics, then the log line. */
static enum MHD_Result reply(serve_server *s, struct MHD_Connection *c, serve_req *rq,
                             const char *method, const char *url, unsigned status, char *body,
                             size_t len, const char *ctype, const char *reason,
                             const char *verstat, const char *hname, const char *hval)
{
    enum MHD_Result ret = MHD_NO;
    struct MHD_Response *r = body != NULL ? MHD_create_response_from_buffer(
                                                len, body, MHD_RESPMEM_MUST_FREE)
                                          : NULL;
    if (r == NULL) {
        free(body);
        status = 500;
    } else {
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
        MHD_add_response_header(r, "Cache-Control", "no-store");
        if (hname != NULL)
            MHD_add_response_header(r, hname, hval);
        ret = MHD_queue_response(c, status, r);
        MHD_destroy_response(r);
    }
    rq->answered = 1;
    int64_t us = mono_us() - rq->t0_us;
    serve_metrics_request(&s->metrics, rq->route, status, us);
    if (s->cfg->log_level >= SERVE_LOG_INFO ||
        (status >= 500 && s->cfg->log_level >= SERVE_LOG_WARN)) {
        char addr[64];
        peer(c, addr, sizeof addr);
        serve_log_req l = {method, url, addr, status, (double)us / 1000.0, reason, verstat,
                           NULL, NULL};
        json_t *doc = NULL;
        if (s->cfg->log_numbers && (rq->route == SERVE_R_SIGNING || rq->route == SERVE_R_VERIFICATION))
            numbers(rq, &doc, &l.orig, &l.dest);
        serve_log_request(s->cfg, &l);
        json_decref(doc);
    }
    return ret;
}

enum MHD_Result serve_http_reply_json(serve_server *s, struct MHD_Connection *c, serve_req *rq,
                                      const char *method, const char *url, unsigned status,
                                      json_t *body, const char *reason, const char *verstat,
                                      const char *hname, const char *hval)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    return reply(s, c, rq, method, url, status, text, text ? strlen(text) : 0,
                 "application/json", reason, verstat, hname, hval);
}

static enum MHD_Result error(serve_server *s, struct MHD_Connection *c, serve_req *rq,
                             const char *method, const char *url, unsigned status,
                             const char *code, const char *message, const char *hname,
                             const char *hval)
{
    json_t *b = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", message);
    return serve_http_reply_json(s, c, rq, method, url, status, b, code, NULL, hname, hval);
}

int serve_http_media_is(const char *ct, const char *want)
{
    if (ct == NULL)
        return 0;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    size_t n = strlen(want);
    if (strncasecmp(ct, want, n) != 0)
        return 0;
    ct += n;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    return *ct == '\0' || *ct == ';';
}

static int route_of(serve_snap *snap, const char *url)
{
    if (strcmp(url, "/stir/v1/signing") == 0)
        return SERVE_R_SIGNING;
    if (strcmp(url, "/stir/v1/verification") == 0)
        return SERVE_R_VERIFICATION;
    if (strcmp(url, "/stir/v1/sip") == 0)
        return SERVE_R_SIP;
    if (strcmp(url, "/stir/v1/sip/div") == 0)
        return SERVE_R_SIP_DIV;
    if (strcmp(url, "/healthz") == 0)
        return SERVE_R_HEALTHZ;
    if (strcmp(url, "/metrics") == 0)
        return SERVE_R_METRICS;
    const char *x5u = snap && snap->st ? serve_state_x5u_path(snap->st) : NULL;
    if (x5u != NULL && strcmp(url, x5u) == 0)
        return SERVE_R_X5U;
    return SERVE_R_OTHER;
}

/* GET routes, answered on the first call. */
static enum MHD_Result get_route(serve_server *s, struct MHD_Connection *c, serve_req *rq,
                                 const char *method, const char *url, serve_snap *snap)
{
    if (rq->route == SERVE_R_HEALTHZ) {
        int ready = snap != NULL && snap->st != NULL && serve_state_ready(snap->st) &&
                    !atomic_load(&s->stopping);
        json_t *b = json_pack("{s:s,s:i}", "status", ready ? "ready" : "not ready",
                              "generation", snap ? (int)snap->generation : 0);
        return serve_http_reply_json(s, c, rq, method, url, ready ? 200 : 503, b, NULL, NULL, NULL, NULL);
    }
    if (rq->route == SERVE_R_METRICS) {
        size_t len = 0;
        char *text = serve_metrics_render(&s->metrics, snap, &len);
        return reply(s, c, rq, method, url, text ? 200 : 500, text, len,
                     "text/plain; version=0.0.4; charset=utf-8", NULL, NULL, NULL, NULL);
    }
    /* The signer's chain at its x5u path (RFC 8224 §4.1 "info"; ATIS-1000074
     * §5.3.1: application/pem-certificate-chain, RFC 8555 §9.1). */
    size_t len = 0;
    const char *pem = snap && snap->st ? serve_state_chain_pem(snap->st, &len) : NULL;
    char *copy = pem ? malloc(len ? len : 1) : NULL;
    if (copy == NULL)
        return error(s, c, rq, method, url, 404, "not_found", "no certificate chain here", NULL,
                     NULL);
    memcpy(copy, pem, len);
    return reply(s, c, rq, method, url, 200, copy, len, "application/pem-certificate-chain", NULL,
                 NULL, NULL, NULL);
}

int serve_http_token_ok(serve_server *s, struct MHD_Connection *c, serve_snap *snap,
                        const char **why, const char **challenge)
{
    *why = *challenge = NULL;
    if (s->cfg->demo)
        return 1;
    const char *az = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_AUTHORIZATION);
    if (snap != NULL && serve_tokens_check(&snap->tokens, az))
        return 1;
    /* RFC 6750 §3: the challenge; invalid_token when one was given. */
    *why = az ? "the bearer token is not valid" : "a bearer token is required";
    *challenge = az ? "Bearer realm=\"clid\", error=\"invalid_token\"" : "Bearer realm=\"clid\"";
    return 0;
}

/* The first call: headers only. Returns 1 when answered (or failed). */
static int first_call(serve_server *s, struct MHD_Connection *c, serve_req *rq,
                      const char *method, const char *url, serve_snap *snap,
                      enum MHD_Result *ret)
{
    *ret = MHD_YES;
    if (rq->conn != NULL && rq->conn->over) {
        atomic_fetch_add(&s->metrics.over_limit, 1);
        *ret = error(s, c, rq, method, url, 503, "overloaded",
                     "too many connections: retry later", "Connection", "close");
        return 1;
    }
    if (rq->route > SERVE_R_OTHER)
        return serve_http_oob_first_call(s, c, rq, method, url, snap, ret);
    if (rq->route >= SERVE_R_HEALTHZ && rq->route != SERVE_R_OTHER) {
        if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
            *ret = error(s, c, rq, method, url, 405, "method_not_allowed", "GET or HEAD only",
                         "Allow", "GET, HEAD");
            return 1;
        }
        /* Answered on the last call: a reply queued before the request
         * is whole makes libmicrohttpd close the connection, and GETs
         * (probes, scrapes) are best kept alive. */
        return 0;
    }
    if (rq->route == SERVE_R_OTHER) {
        *ret = error(s, c, rq, method, url, 404, "not_found", "no such resource", NULL, NULL);
        return 1;
    }
    if (strcmp(method, "POST") != 0) {
        *ret = error(s, c, rq, method, url, 405, "method_not_allowed", "POST only", "Allow",
                     "POST");
        return 1;
    }
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    int raw_sip = rq->route == SERVE_R_SIP || rq->route == SERVE_R_SIP_DIV;
    int ok = raw_sip ? serve_http_media_is(ct, "message/sipfrag") || serve_http_media_is(ct, "application/sip")
                     : serve_http_media_is(ct, "application/json");
    if (!ok) {
        *ret = error(s, c, rq, method, url, 415, "unsupported_media_type",
                     raw_sip
                         ? "Content-Type must be message/sipfrag or application/sip"
                         : "Content-Type must be application/json",
                     NULL, NULL);
        return 1;
    }
    /* Both routes sign: a div PASSporT vouches for a diversion as much as
     * a shaken one for a caller. */
    const char *why, *challenge;
    if ((rq->route == SERVE_R_SIGNING || rq->route == SERVE_R_SIP_DIV) &&
        !serve_http_token_ok(s, c, snap, &why, &challenge)) {
        *ret = error(s, c, rq, method, url, 401, "unauthorized", why,
                     MHD_HTTP_HEADER_WWW_AUTHENTICATE, challenge);
        return 1;
    }
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl != NULL && strtoull(cl, NULL, 10) > rq->limit) {
        char msg[96];
        snprintf(msg, sizeof msg, "the body is larger than %zu bytes", rq->limit);
        *ret = error(s, c, rq, method, url, 413, "payload_too_large", msg, "Connection", "close");
        return 1;
    }
    return 0;
}

enum MHD_Result serve_http_handle(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls)
{
    serve_server *s = cls;
    serve_req *rq = *con_cls;
    (void)version;
    if (rq == NULL) {
        rq = calloc(1, sizeof *rq);
        if (rq == NULL)
            return MHD_NO;
        rq->t0_us = mono_us();
        const union MHD_ConnectionInfo *i =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        rq->conn = i != NULL ? i->socket_context : NULL;
        *con_cls = rq;
        atomic_fetch_add(&s->metrics.in_flight, 1);
        serve_snap *snap = serve_snap_acquire(s);
        rq->limit = s->cfg->body_bytes;
        rq->route = route_of(snap, url);
        int oob = serve_http_oob_route(s, method, url);
        if (oob >= 0)
            rq->route = oob;
        enum MHD_Result ret;
        int done = first_call(s, c, rq, method, url, snap, &ret);
        serve_snap_release(snap);
        return done ? ret : MHD_YES;
    }
    if (rq->answered) { /* a refused request's body is never read */
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size != 0) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (!rq->too_big && rq->len + n > rq->limit) {
            rq->too_big = 1;
            free(rq->buf);
            rq->buf = NULL;
            rq->discarded = rq->len;
            rq->len = rq->cap = 0;
        }
        if (rq->too_big) {
            rq->discarded += n;
            return rq->discarded > 4 * rq->limit ? MHD_NO : MHD_YES;
        }
        if (rq->len + n > rq->cap) {
            size_t cap = rq->cap ? rq->cap : 1024;
            while (cap < rq->len + n)
                cap *= 2;
            if (cap > rq->limit)
                cap = rq->limit;
            char *b = realloc(rq->buf, cap);
            if (b == NULL)
                return MHD_NO;
            rq->buf = b;
            rq->cap = cap;
        }
        memcpy(rq->buf + rq->len, upload_data, n);
        rq->len += n;
        return MHD_YES;
    }
    /* The last call: the whole request is here. */
    serve_watchdog_busy(&s->wd, rq->conn, 1);
    if (rq->route > SERVE_R_OTHER) {
        serve_snap *snap = serve_snap_acquire(s);
        enum MHD_Result r = serve_http_oob_last_call(s, c, rq, method, url, snap);
        serve_snap_release(snap);
        return r;
    }
    if (rq->too_big) {
        char msg[96];
        snprintf(msg, sizeof msg, "the body is larger than %zu bytes", s->cfg->body_bytes);
        return error(s, c, rq, method, url, 413, "payload_too_large", msg, NULL, NULL);
    }
    serve_snap *snap = serve_snap_acquire(s);
    if (rq->route >= SERVE_R_HEALTHZ) {
        enum MHD_Result r = get_route(s, c, rq, method, url, snap);
        serve_snap_release(snap);
        return r;
    }
    if (snap == NULL || snap->st == NULL) {
        serve_snap_release(snap);
        return error(s, c, rq, method, url, 503, "not_ready", "the service is starting", NULL,
                     NULL);
    }
    serve_reply out;
    memset(&out, 0, sizeof out);
    serve_api_handle(snap->st, (serve_ep)rq->route, rq->buf ? rq->buf : "", rq->len,
                     (int64_t)time(NULL), &out);
    if (out.http_status == 200 && rq->route != SERVE_R_SIGNING && rq->route != SERVE_R_SIP_DIV &&
        out.reason != NULL)
        serve_metrics_verdict(&s->metrics, out.reason);
    json_t *body = out.body;
    out.body = NULL;
    int st = out.http_status >= 200 && out.http_status <= 599 ? out.http_status : 500;
    if (body == NULL)
        body = json_pack("{s:{s:s,s:s}}", "error", "code", "internal", "message", "no reply");
    enum MHD_Result ret = serve_http_reply_json(s, c, rq, method, url, (unsigned)st, body, out.reason,
                                     out.verstat, NULL, NULL);
    serve_reply_clear(&out);
    serve_snap_release(snap);
    return ret;
}

void serve_http_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                          enum MHD_RequestTerminationCode toe)
{
    serve_server *s = cls;
    serve_req *rq = *con_cls;
    (void)toe;
    if (rq == NULL)
        return;
    serve_watchdog_busy(&s->wd, rq->conn, 0);
    (void)c;
    atomic_fetch_sub(&s->metrics.in_flight, 1);
    free(rq->buf);
    free(rq);
    *con_cls = NULL;
}
