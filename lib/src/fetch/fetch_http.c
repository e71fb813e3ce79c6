/*
 * One request to a configured HTTP service (fetch_internal.h): the CPS
 * client's POST and GET. Same rules as an x5u transfer (fetch_curl.h,
 * fetch_xfer.c): URL policy, resolution in the calling thread with every
 * address checked and curl pinned to them, socket guard, no redirect, no
 * proxy, no content decoding, HTTP/1.1, the fetcher's CA file. What
 * differs: a method and a body, request headers (Authorization,
 * Content-Type), and any status is an answer for the caller to read, with
 * its body bounded by max_body whatever the status.
 *
 * The CPS URL is configuration, never taken from a message (clid_oob.h);
 * the policy still applies, so that a configuration mistake cannot point
 * clid at an internal address unless private addresses were allowed.
 */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "fetch/fetch_curl.h"
#include "fetch/fetch_internal.h"

#define HDR_BYTES_MAX (32u * 1024) /* all response header lines together */
#define MAX_REQ_HEADERS 8

struct http {
    clid__sock_guard guard;
    clid__body body; /* one byte reserved: the body is NUL-terminated */
    size_t hdr_bytes;
    int too_large;
    int hdr_too_large;
};

static size_t on_header(char *line, size_t size, size_t nmemb, void *ud)
{
    (void)line;
    struct http *x = ud;
    size_t n = size * nmemb;
    if (n > HDR_BYTES_MAX - x->hdr_bytes) {
        x->hdr_too_large = 1;
        return 0;
    }
    x->hdr_bytes += n;
    return n;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    struct http *x = ud;
    size_t n = size * nmemb;
    int e = clid__body_append(&x->body, data, n);
    x->too_large |= e == CLID__BODY_TOO_LARGE;
    return e == 0 ? n : 0; /* 0: curl stops with CURLE_WRITE_ERROR */
}

/* The request's own options: method, body and headers. */
static clid_err set_request(CURL *h, const clid__http_req *rq, struct http *x,
                            struct curl_slist **hdrs)
{
    CURLcode e = CURLE_OK;
#define SET(opt, val)                                                                             \
    do {                                                                                          \
        if (e == CURLE_OK)                                                                        \
            e = curl_easy_setopt(h, opt, val);                                                    \
    } while (0)
    for (size_t i = 0; i < rq->n_headers; i++) {
        struct curl_slist *l = curl_slist_append(*hdrs, rq->headers[i]);
        CLID_ENSURE(l != NULL, CLID_ERR_NOMEM);
        *hdrs = l;
    }
    if (strcmp(rq->method, "POST") == 0) {
        /* No "Expect: 100-continue": curl would wait up to a second for
         * the interim answer on bodies over 1 KiB, out of a budget of one. */
        struct curl_slist *l = curl_slist_append(*hdrs, "Expect:");
        CLID_ENSURE(l != NULL, CLID_ERR_NOMEM);
        *hdrs = l;
        SET(CURLOPT_POST, 1L);
        SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
        SET(CURLOPT_POSTFIELDS, rq->body != NULL ? rq->body : "");
    } else {
        SET(CURLOPT_HTTPGET, 1L);
    }
    SET(CURLOPT_HTTPHEADER, *hdrs);
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->body.max);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, x);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, x);
#undef SET
    return e == CURLE_OK ? CLID_OK : CLID_ERR_INTERNAL;
}

/* Header fields the caller gives are printable ASCII "Name: value": a CR
 * or LF would let a value start another field. */
static int header_ok(const char *s)
{
    const char *colon = strchr(s, ':');
    if (colon == NULL || colon == s)
        return 0;
    for (const char *p = s; *p != '\0'; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7E)
            return 0;
    return 1;
}

static clid_err check_request(const clid__http_req *rq)
{
    CLID_ENSURE(rq->method != NULL && rq->url != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(strcmp(rq->method, "GET") == 0 || strcmp(rq->method, "POST") == 0,
                CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(rq->n_headers <= MAX_REQ_HEADERS, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(rq->n_headers == 0 || rq->headers != NULL, CLID_ERR_INVALID_ARGUMENT);
    for (size_t i = 0; i < rq->n_headers; i++)
        CLID_ENSURE(rq->headers[i] != NULL && header_ok(rq->headers[i]),
                    CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(rq->body != NULL || rq->body_len == 0, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(rq->total_ms >= 1 && rq->max_body >= 1, CLID_ERR_INVALID_ARGUMENT);
    return CLID_OK;
}

/* The outcome: a status line decides (the caller reads it), except when
 * the socket guard refused an address or the headers were a flood. */
static clid_err classify(CURL *h, const struct http *x, CURLcode rc, clid__http_resp *resp)
{
    long status = 0;
    (void)curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (x->guard.blocked)
        return CLID_ERR_X5U_URL_POLICY;
    if (x->hdr_too_large)
        return CLID_ERR_X5U_TOO_LARGE;
    /* An announced Content-Length over the cap stops before the body. */
    if (status > 0 && (x->too_large || rc == CURLE_FILESIZE_EXCEEDED)) {
        resp->status = status;
        resp->too_large = 1;
        return CLID_OK;
    }
    /* A 2xx must arrive whole; any other status is an answer even when its
     * body was cut short (the caller reads no body from it). */
    if (status > 0 && (rc == CURLE_OK || status < 200 || status > 299)) {
        resp->status = status;
        return CLID_OK;
    }
    return rc == CURLE_OK ? CLID_ERR_X5U_UNREACHABLE : clid__curl_map(rc);
}

void clid__http_resp_free(clid__http_resp *resp)
{
    if (resp == NULL)
        return;
    free(resp->body);
    memset(resp, 0, sizeof *resp);
}

clid_err clid__http_run(clid__fetch_cfg *cfg, const clid__http_req *rq, clid__http_resp *resp)
{
    CLID_ENSURE(cfg != NULL && rq != NULL && resp != NULL, CLID_ERR_INVALID_ARGUMENT);
    memset(resp, 0, sizeof *resp);
    CLID_TRY(check_request(rq));
    CLID_TRY(clid__xfer_global_init());
    clid__url u;
    CLID_TRY(clid__url_check(&cfg->pol, rq->url, &u));
    struct curl_slist *pin = NULL;
    CLID_TRY(clid__curl_resolve_pin(cfg, &u, &pin));

    struct http x = {.guard = {.allow_private = cfg->pol.allow_private},
                     .body = {.max = rq->max_body, .reserve = 1}};
    struct curl_slist *hdrs = NULL;
    CURL *h = curl_easy_init();
    clid_err err = h == NULL ? CLID_ERR_INTERNAL
                             : clid__curl_base_options(cfg, h, rq->url, &u, pin, &x.guard,
                                                       rq->total_ms);
    if (err == CLID_OK)
        err = set_request(h, rq, &x, &hdrs);
    if (err == CLID_OK)
        err = classify(h, &x, clid__curl_perform(h), resp);
    if (err == CLID_OK && !resp->too_large) {
        resp->body = x.body.buf;
        resp->len = x.body.len;
        x.body.buf = NULL;
    }
    curl_easy_cleanup(h);
    curl_slist_free_all(hdrs);
    curl_slist_free_all(pin);
    free(x.body.buf);
    return err;
}
