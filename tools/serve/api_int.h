/*
 * clid serve: internal to api*.c (the request validation helpers and the
 * three endpoint handlers). docs/serve-api.md documents what they accept.
 *
 *   api.c         dispatch, error replies, the reply's lifetime
 *   api_json.c    strict JSON input: parsing, members, types, TNs
 *   api_sign.c    POST /stir/v1/signing
 *   api_verify.c  POST /stir/v1/verification (and the verdict's JSON)
 *   api_sip.c     POST /stir/v1/sip: a whole SIP request
 *   api_div.c     POST /stir/v1/sip/div: the div PASSporT of a retargeted request
 */
#ifndef CLID_TOOL_SERVE_API_INT_H
#define CLID_TOOL_SERVE_API_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <clid/clid.h>

#include "serve/api.h"

/* Bounds on what a request may carry (docs/serve-api.md, "Limits"). */
#define SERVE_TN_MAX_LEN 32   /* a "tn" string: 15 digits and their visual separators */
#define SERVE_MAX_DEST 16     /* dest.tn entries: the library's PASSporT limit */
#define SERVE_ORIGID_LEN 36   /* a UUID, RFC 4122 text form (RFC 8588 §4) */
#define SERVE_PATH_MAX 96     /* a JSON path in an error message */

/* Error "code" values of {"error":{"code":...}} (docs/serve-api.md). */
#define SERVE_CODE_INVALID_JSON "invalid_json"
#define SERVE_CODE_MISSING "missing_member"
#define SERVE_CODE_TYPE "wrong_type"
#define SERVE_CODE_VALUE "invalid_value"
#define SERVE_CODE_INVALID_SIP "invalid_sip"
#define SERVE_CODE_TOO_LARGE "too_large"
#define SERVE_CODE_SIGNING_REFUSED "signing_refused"
#define SERVE_CODE_NOT_CONFIGURED "signing_not_configured"
#define SERVE_CODE_INTERNAL "internal_error"

/* Fills `out` with an error reply: http_status, {"error":{"code","message"
 * [,"path"]}}, reason = clid_err_name(reason). `path` may be NULL. Returns
 * -1 so that validators can `return api_error(...)`. */
int api_error(serve_reply *out, int status, const char *code, clid_err reason, const char *path,
              const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* The body as one JSON object: 0, or -1 with a 400 in `out`. Duplicate
 * member names are refused (JSON_REJECT_DUPLICATES): two values for one
 * claim would let a proxy and clid read different requests. */
int api_parse(const char *body, size_t len, json_t **root, serve_reply *out);

/* obj[key] of JSON type `type` at `path` (the member's full path, e.g.
 * "signingRequest.orig"). A missing member: *val = NULL and 0 when
 * optional, a 400 when required. A JSON null counts as missing. */
int api_member(json_t *obj, const char *key, const char *path, json_type type, int required,
               json_t **val, serve_reply *out);
/* An integer member in [min, max]: a real (1.5, 1e9) is wrong_type. */
int api_int(json_t *obj, const char *key, const char *path, int required, int64_t min,
            int64_t max, int64_t *v, int *present, serve_reply *out);
/* A telephone number string (docs/serve-api.md, "Telephone numbers") into
 * its canonical form (clid_tn_canonicalize). */
int api_tn(json_t *v, const char *path, char out_tn[CLID_TN_BUF], serve_reply *out);
/* A string of printable ASCII (0x21..0x7e, and SP when `space`), 1..max
 * bytes. */
int api_printable(json_t *v, const char *path, size_t max, int space, const char **s,
                  serve_reply *out);

/* The handlers; `now` as serve_api_handle. */
void api_sign(serve_state *st, const char *body, size_t len, int64_t now, serve_reply *out);
void api_verify(serve_state *st, const char *body, size_t len, int64_t now, serve_reply *out);
void api_sip(serve_state *st, const char *body, size_t len, int64_t now, serve_reply *out);
void api_sip_div(serve_state *st, const char *body, size_t len, int64_t now, serve_reply *out);

/* The verdict members shared by the verification and SIP responses:
 * verstat, reason, reasoncode and reasontext (when not passed), warnings,
 * detail (when any), the PASSporT facts learned (attest, origid, iat,
 * x5u) and its verified Rich Call Data (rcd, or null). Sets out->reason and
 * out->verstat. NULL on allocation failure. */
json_t *api_verdict(const clid_result *res, clid_err e, serve_reply *out);

/* The "caller" member of /stir/v1/sip: {"header","value","old_value"} of
 * the caller's field marked with verstat `vs`, json_null() when no URI
 * names a TN caller, NULL without memory. Shared with the OOB ingress
 * endpoint (oob_gw.c), whose answer mirrors it. */
json_t *api_caller_edit(const char *msg, size_t len, clid_verstat vs);

#endif
