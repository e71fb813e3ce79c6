/*
 * libFuzzer target: the x5u fetcher's parsers of untrusted text, that is
 * the URL from a call (url_policy.c) and the caching headers from whatever
 * server that URL names (http_fresh.c). The first byte picks the parser:
 *   'U'  the rest is a URL
 *   'C'  the rest is a Cache-Control value
 *   'D'  the rest is an HTTP-date
 *   'F'  the rest is "Cache-Control\nExpires\nDate\nAge" (missing lines:
 *        absent headers)
 * (any other byte: its low two bits pick one of them, in that order).
 *
 * Beyond the sanitizers, the target checks what the parsers promise:
 *   - a URL the parser accepts is printable ASCII of at most 2048 bytes, and
 *     libcurl's own URL parser reads the same host and port from it (what
 *     clid checks is what curl connects to); the default policy accepts a
 *     subset of what the permissive one accepts, never a private literal;
 *   - a freshness lifetime is -1 or within [0, 2^31], and 0 when no-store;
 *   - an accepted HTTP-date printed back as an IMF-fixdate parses to the
 *     same instant.
 * Corpus: fuzz/corpus/x5u_url/.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "fetch/fetch_internal.h"
#include "fuzz_common.h"

#define INPUT_MAX 4096

static char *dup_nul(const uint8_t *p, size_t n)
{
    char *s = malloc(n + 1);
    FUZZ_CHECK(s != NULL);
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

/* The host and port libcurl reads from `url` agree with clid's. */
static void same_as_curl(const char *url, const clid__url *u)
{
    CURLU *h = curl_url();
    FUZZ_CHECK(h != NULL);
    FUZZ_CHECK(curl_url_set(h, CURLUPART_URL, url, 0) == CURLUE_OK);
    char *host = NULL, *port = NULL;
    FUZZ_CHECK(curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK);
    FUZZ_CHECK(curl_url_get(h, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK);
    FUZZ_CHECK((unsigned)strtoul(port, NULL, 10) == u->port);
    if (u->kind == CLID__HOST_IPV6) {
        /* curl keeps the brackets and may normalise the spelling. */
        size_t n = strlen(host);
        FUZZ_CHECK(n > 2 && host[0] == '[' && host[n - 1] == ']');
        host[n - 1] = '\0';
        struct in6_addr a, b;
        FUZZ_CHECK(inet_pton(AF_INET6, host + 1, &a) == 1);
        FUZZ_CHECK(inet_pton(AF_INET6, u->host, &b) == 1);
        FUZZ_CHECK(memcmp(&a, &b, sizeof a) == 0);
    } else {
        FUZZ_CHECK(strcasecmp(host, u->host) == 0);
    }
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(h);
}

static void fuzz_url(const uint8_t *p, size_t n)
{
    char *url = dup_nul(p, n);
    clid__url u;
    clid_err rc = clid__url_parse(url, &u);
    FUZZ_CHECK(rc == CLID_OK || rc == CLID_ERR_X5U_URL_POLICY);
    if (rc == CLID_OK) {
        size_t len = strlen(url);
        FUZZ_CHECK(len <= CLID__URL_MAX);
        for (size_t i = 0; i < len; i++)
            FUZZ_CHECK(url[i] > 0x20 && url[i] < 0x7f);
        FUZZ_CHECK(u.host[0] != '\0' && strlen(u.host) <= CLID__HOST_MAX);
        FUZZ_CHECK(u.port >= 1 && u.port <= 65535);
        FUZZ_CHECK(strchr(u.host, '@') == NULL && strchr(u.host, '%') == NULL);
        /* curl drops the fragment itself; it never reaches the server. */
        if (!u.has_fragment)
            same_as_curl(url, &u);
    }

    clid__url_policy permissive = {.allow_http = 1, .allow_query = 1, .allow_private = 1};
    clid__url_policy strict = {0};
    clid__url uo, us;
    clid_err ro = clid__url_check(&permissive, url, &uo);
    clid_err rs = clid__url_check(&strict, url, &us);
    FUZZ_CHECK(ro == CLID_OK || ro == CLID_ERR_X5U_URL_POLICY);
    FUZZ_CHECK(rs == CLID_OK || rs == CLID_ERR_X5U_URL_POLICY);
    if (ro == CLID_OK)
        FUZZ_CHECK(rc == CLID_OK && !uo.has_fragment);
    if (rs == CLID_OK) {
        FUZZ_CHECK(ro == CLID_OK);
        FUZZ_CHECK(us.https && !us.has_query && !us.has_fragment);
        if (us.kind == CLID__HOST_IPV4) {
            struct sockaddr_in a = {.sin_family = AF_INET};
            FUZZ_CHECK(inet_pton(AF_INET, us.host, &a.sin_addr) == 1);
            FUZZ_CHECK(clid__addr_is_public((const struct sockaddr *)&a));
        } else if (us.kind == CLID__HOST_IPV6) {
            struct sockaddr_in6 a = {.sin6_family = AF_INET6};
            FUZZ_CHECK(inet_pton(AF_INET6, us.host, &a.sin6_addr) == 1);
            FUZZ_CHECK(clid__addr_is_public((const struct sockaddr *)&a));
        }
    }
    free(url);
}

static void check_lifetime(int64_t life, int no_store)
{
    FUZZ_CHECK(life == -1 || (life >= 0 && life <= INT64_C(2147483648)));
    if (no_store)
        FUZZ_CHECK(life == 0);
}

static void fuzz_cache_control(const uint8_t *p, size_t n)
{
    /* An exact-size copy, so that a read past the end is caught. */
    char *s = malloc(n ? n : 1);
    FUZZ_CHECK(s != NULL);
    memcpy(s, p, n);
    clid__fresh_hdrs h = {.cache_control = s, .cache_control_len = n};
    int no_store = 0;
    check_lifetime(clid__http_freshness(&h, 1767225600, &no_store), no_store);
    free(s);
}

static void fuzz_date(const uint8_t *p, size_t n)
{
    char *s = malloc(n ? n : 1);
    FUZZ_CHECK(s != NULL);
    memcpy(s, p, n);
    int64_t t = 0;
    if (clid__http_date_parse(s, n, &t) == 0) {
        time_t tt = (time_t)t;
        struct tm tm;
        FUZZ_CHECK(gmtime_r(&tt, &tm) != NULL);
        char again[64];
        size_t k = strftime(again, sizeof again, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        FUZZ_CHECK(k > 0);
        int64_t t2 = 0;
        FUZZ_CHECK(clid__http_date_parse(again, k, &t2) == 0);
        FUZZ_CHECK(t2 == t);
    }
    free(s);
}

/* "cc\nexpires\ndate\nage": each line one header (absent when missing). */
static void fuzz_fresh(const uint8_t *p, size_t n)
{
    char *s = malloc(n ? n : 1);
    FUZZ_CHECK(s != NULL);
    memcpy(s, p, n);
    const char *field[4] = {NULL, NULL, NULL, NULL};
    size_t len[4] = {0, 0, 0, 0};
    size_t start = 0;
    for (int k = 0; k < 4 && start <= n; k++) {
        const char *nl = memchr(s + start, '\n', n - start);
        size_t end = nl ? (size_t)(nl - s) : n;
        field[k] = s + start;
        len[k] = end - start;
        start = end + 1;
        if (nl == NULL)
            break;
    }
    clid__fresh_hdrs h = {
        .cache_control = field[0], .cache_control_len = len[0],
        .expires = field[1], .expires_len = len[1],
        .date = field[2], .date_len = len[2],
        .age = field[3], .age_len = len[3],
    };
    int no_store = 0;
    check_lifetime(clid__http_freshness(&h, 1767225600, &no_store), no_store);
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > INPUT_MAX)
        return 0;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    switch (data[0]) {
    case 'U':
        fuzz_url(p, n);
        break;
    case 'C':
        fuzz_cache_control(p, n);
        break;
    case 'D':
        fuzz_date(p, n);
        break;
    case 'F':
        fuzz_fresh(p, n);
        break;
    default: {
        void (*const pick[4])(const uint8_t *, size_t) = {fuzz_url, fuzz_cache_control,
                                                          fuzz_date, fuzz_fresh};
        pick[data[0] & 3](p, n);
    }
    }
    return 0;
}
