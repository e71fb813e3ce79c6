/*
 * clid serve: the API handlers (issue 10, SERVE-SPEC part A).
 *
 * One request body in, one JSON reply out. No HTTP here: H's http*.c reads
 * the body (enforcing the size limit, 413, and the Content-Type, 415),
 * authenticates signing, calls serve_api_handle, and writes
 * out->http_status with out->body serialized. docs/serve-api.md is the
 * reference of every request, response and error.
 *
 * Thread safety: serve_api_handle may run in any number of threads at once
 * on one shared serve_state (the caller holds a reference for the call).
 */
#ifndef CLID_TOOL_SERVE_API_H
#define CLID_TOOL_SERVE_API_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "serve/state.h"

typedef enum {
    SERVE_EP_SIGNING,      /* POST /stir/v1/signing: JSON signingRequest */
    SERVE_EP_VERIFICATION, /* POST /stir/v1/verification: JSON verificationRequest */
    SERVE_EP_SIP,          /* POST /stir/v1/sip: the raw SIP request (message/sipfrag,
                              application/sip) */
    SERVE_EP_SIP_DIV,      /* POST /stir/v1/sip/div: the raw retargeted request; signs its
                              div PASSporT (RFC 8946); bearer token as signing */
    SERVE_EP_NCOUNT
} serve_ep;

typedef struct serve_reply {
    int http_status;       /* 200, 400, 413, 415, 422, 500, ... */
    json_t *body;          /* always a JSON object; error bodies: {"error":{"code":"...","message":"..."}} */
    const char *reason;    /* clid_err name of the verdict/error (metrics label), static */
    const char *verstat;   /* verification only, static, else NULL */
} serve_reply;

/*
 * Handles one request of endpoint `ep` with body[0..len) (not necessarily
 * NUL-terminated; may contain NULs, which are refused). `now` is the
 * request's time in Unix seconds (H passes its clock; 0: the state's
 * clock): the verification time when the request gives none, and the
 * signing iat when the request gives none. Never fails to fill `out`:
 * every outcome, errors included, is an http_status and a JSON object body
 * (owned by out; release with serve_reply_clear). A verification that
 * fails is still HTTP 200 with the verdict in the body; 4xx/5xx are for
 * requests that could not be handled (docs/serve-api.md, "Errors").
 * Signing without a signer is 503 "signing_not_configured".
 */
void serve_api_handle(serve_state *st, serve_ep ep, const char *body, size_t len,
                      int64_t now, serve_reply *out);
/* Releases out->body and zeroes *r; safe on a zeroed or cleared reply. */
void serve_reply_clear(serve_reply *r);

/* The endpoint's name for logs and metrics labels: "signing",
 * "verification", "sip"; "unknown" otherwise. */
const char *serve_ep_name(serve_ep ep);

#endif
