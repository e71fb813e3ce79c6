/*
 * The libcurl pieces every clid transfer shares (fetch_xfer.c has them and
 * says why each option is what it is): the x5u/CRL transfer of
 * fetch_xfer.c and the CPS requests of fetch_http.c resolve, check and pin
 * addresses, guard sockets and refuse redirects the same way. Private to
 * lib/src/fetch: no public header includes curl.
 */
#ifndef CLID_FETCH_CURL_H
#define CLID_FETCH_CURL_H

#include <curl/curl.h>

#include "fetch/fetch_internal.h"

/* The socket callback's state: whether non-public addresses may be
 * connected to, and whether one was refused (then the outcome is
 * CLID_ERR_X5U_URL_POLICY, whatever curl says). */
typedef struct clid__sock_guard {
    int allow_private;
    int blocked;
} clid__sock_guard;

/* getaddrinfo in the calling thread, every address checked against the
 * policy, and a CURLOPT_RESOLVE entry pinning curl to them (*pin NULL for
 * an IP literal). CLID_ERR_X5U_URL_POLICY, CLID_ERR_X5U_UNREACHABLE. */
clid_err clid__curl_resolve_pin(const clid__fetch_cfg *f, const clid__url *u,
                                struct curl_slist **pin);

/* The options of every transfer: protocols, no redirect, no proxy, no
 * signal, HTTP/1.1, no content decoding, the socket guard, the timeouts
 * (connection: the fetcher's, at most total_ms), TLS with the fetcher's
 * trust store, the pin. CLID_ERR_INTERNAL if this libcurl lacks an option;
 * CLID_ERR_X5U_TLS when no trust anchor could be loaded. */
clid_err clid__curl_base_options(clid__fetch_cfg *f, CURL *h, const char *url, const clid__url *u,
                                 struct curl_slist *pin, clid__sock_guard *g, unsigned total_ms);

/* curl_easy_perform with SIGPIPE held back in this thread only. */
CURLcode clid__curl_perform(CURL *h);

/* A failed curl transfer as a CLID_ERR_X5U_* reason (TIMEOUT, TOO_LARGE,
 * URL_POLICY, TLS, UNREACHABLE) or CLID_ERR_NOMEM. */
clid_err clid__curl_map(CURLcode rc);

/* A received body, bounded: at most `max` bytes, with `reserve` spare
 * bytes kept after them (1: room for a NUL terminator). */
typedef struct clid__body {
    uint8_t *buf;
    size_t len;
    size_t cap;
    size_t max;
    size_t reserve;
} clid__body;

/* Appends data[0..n) to b, growing it by doubling up to max + reserve.
 * 0 on success; CLID__BODY_TOO_LARGE when the body would pass max,
 * CLID__BODY_NOMEM when memory ran out (b unchanged either way). */
enum { CLID__BODY_TOO_LARGE = 1, CLID__BODY_NOMEM = 2 };
int clid__body_append(clid__body *b, const char *data, size_t n);

#endif /* CLID_FETCH_CURL_H */
