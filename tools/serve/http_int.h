/*
 * clid serve: what the HTTP layer's files share (http_handler.c, the
 * request handler; http_oob.c, the out-of-band SHAKEN routes). Private to
 * tools/serve.
 */
#ifndef CLID_SERVE_HTTP_INT_H
#define CLID_SERVE_HTTP_INT_H

#include "serve/server.h"

/* One HTTP request from its first call to its completion. */
typedef struct serve_req {
    int64_t t0_us;
    int route;
    char *buf;
    size_t len, cap, discarded;
    int too_big;
    int answered;
    size_t limit; /* the body's bound: limits.body_bytes, or less for a route */
    serve_conn *conn;
} serve_req;

/* Queues `body` (taken) as JSON with `status` and records the request
 * (metrics, log line); hname/hval: one extra response header, or NULL. */
enum MHD_Result serve_http_reply_json(serve_server *s, struct MHD_Connection *c, serve_req *rq,
                                      const char *method, const char *url, unsigned status,
                                      json_t *body, const char *reason, const char *verstat,
                                      const char *hname, const char *hval);
/* The media type of Content-Type (before any parameter) is `want`,
 * compared case-insensitively (RFC 9110 §8.3.1). */
int serve_http_media_is(const char *ct, const char *want);

/* Whether the request carries one of the configured bearer tokens (any
 * request in demo mode): what guards the routes that sign. 0 with *why
 * (the message) and *challenge (the WWW-Authenticate value, RFC 6750 §3)
 * when it does not. */
int serve_http_token_ok(serve_server *s, struct MHD_Connection *c, serve_snap *snap,
                        const char **why, const char **challenge);

/* The out-of-band SHAKEN route of (method, url) when configured, else -1
 * (http_oob.c). */
int serve_http_oob_route(const serve_server *s, const char *method, const char *url);
/* Its first call (method, media type, token, declared length): 1 when
 * answered (*ret set), 0 to read the body. */
int serve_http_oob_first_call(serve_server *s, struct MHD_Connection *c, serve_req *rq,
                              const char *method, const char *url, serve_snap *snap,
                              enum MHD_Result *ret);
/* Its last call: the answer. */
enum MHD_Result serve_http_oob_last_call(serve_server *s, struct MHD_Connection *c,
                                         serve_req *rq, const char *method, const char *url,
                                         serve_snap *snap);

#endif
