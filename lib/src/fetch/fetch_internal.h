/*
 * Internals of the x5u fetcher (clid_fetch.h), shared by fetch.c (the API),
 * fetch_xfer.c (one transfer), url_policy.c (URL syntax and address
 * policy), http_fresh.c (Cache-Control / Expires / HTTP-date) and
 * fetch_cache.c with fetch_disk.c (memory and disk cache), fetch_http.c
 * (requests to a configured service: the CPS client, lib/src/oob), and
 * reachable by the unit tests and the fuzz target.
 */
#ifndef CLID_FETCH_INTERNAL_H
#define CLID_FETCH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <clid/clid_fetch.h>

/* ------------------------------------------------------------------------ */
/* URL policy (url_policy.c)                                                 */
/* ------------------------------------------------------------------------ */

#define CLID__URL_MAX 2048   /* longer x5u URLs are refused */
#define CLID__HOST_MAX 253   /* RFC 1035 §2.3.4, without a trailing dot */
#define CLID__MAX_PORTS 16

enum clid__host_kind { CLID__HOST_NAME, CLID__HOST_IPV4, CLID__HOST_IPV6 };

/* What the policy needs from a URL; `host` is as written (IPv6 without its
 * brackets), NUL-terminated. */
typedef struct clid__url {
    int https;
    enum clid__host_kind kind;
    char host[CLID__HOST_MAX + 1];
    unsigned port; /* explicit, else 443 or 80 */
    int has_query;
    int has_fragment;
} clid__url;

typedef struct clid__url_policy {
    int allow_http;
    int allow_query;
    int allow_private;
    unsigned ports[CLID__MAX_PORTS];
    size_t n_ports; /* 0: any port */
} clid__url_policy;

/* Parses `url` (NUL-terminated) into *u: CLID_OK or CLID_ERR_X5U_URL_POLICY
 * when it is not an absolute http(s) URL of the strict form clid accepts
 * (url_policy.c says which). No policy is applied. */
clid_err clid__url_parse(const char *url, clid__url *u);
/* clid__url_parse, then the policy's scheme, port, query and fragment rules,
 * and for IP literals the address rule. */
clid_err clid__url_check(const clid__url_policy *p, const char *url, clid__url *u);
/* 1 when the address may be connected to under the default policy: not
 * loopback, private, shared (100.64/10), link-local, unique-local,
 * unspecified, multicast, reserved, nor one of those embedded in an IPv6
 * address (IPv4-mapped, -compatible, -translated, well-known NAT64, 6to4,
 * Teredo server and client); local-use NAT64 (64:ff9b:1::/48) is refused. */
int clid__addr_is_public(const struct sockaddr *sa);

/* ------------------------------------------------------------------------ */
/* HTTP freshness (http_fresh.c)                                             */
/* ------------------------------------------------------------------------ */

/* The response headers that decide how long a body may be cached; each is
 * the field value (NULL when absent), not NUL-terminated, with its length. */
typedef struct clid__fresh_hdrs {
    const char *cache_control; /* repeated fields joined with ',' */
    size_t cache_control_len;
    const char *expires;
    size_t expires_len;
    const char *date;
    size_t date_len;
    const char *age;
    size_t age_len;
} clid__fresh_hdrs;

/* The freshness lifetime (RFC 9111 §4.2.1) in seconds from `now` (the
 * fetcher's clock), minus the Age the response already has: s-maxage, else
 * max-age, else Expires - Date (Expires - now without a Date). no-cache and
 * no-store give 0, and so does a malformed or repeated directive or an
 * invalid Expires (§4.2.1, §5.3). -1 when the response carries no freshness
 * information at all. *no_store (may be NULL) is set when the response
 * forbids non-volatile storage. Never more than 2^31 (§1.2.2). */
int64_t clid__http_freshness(const clid__fresh_hdrs *h, int64_t now, int *no_store);

/* An HTTP-date (RFC 9110 §5.6.7: IMF-fixdate, RFC 850 or asctime form) as
 * Unix seconds: 0 on success, -1 when malformed. */
int clid__http_date_parse(const char *s, size_t len, int64_t *out);

/* ------------------------------------------------------------------------ */
/* Cache (fetch_cache.c)                                                     */
/* ------------------------------------------------------------------------ */

/* How long a good response is kept (DESIGN.md: [5 min, 24 h]). */
#define CLID__X5U_TTL_MIN 300
#define CLID__X5U_TTL_MAX 86400
/* A CRL: until its nextUpdate, within [1 min, 24 h] (clid_fetch.h). */
#define CLID__CRL_FETCH_TTL_MIN 60
#define CLID__CRL_FETCH_TTL_MAX 86400

typedef struct clid__fcache clid__fcache;

/* The outcome of one retrieval, as cached and as handed to waiters. */
typedef struct clid__fresult {
    clid_err err;
    uint8_t *body; /* malloc'd, `len` bytes; NULL on error */
    size_t len;
    int64_t max_age; /* what clid_fetch_fn reports */
} clid__fresult;

clid_err clid__fcache_new(clid__fcache **out);
void clid__fcache_free(clid__fcache *c);
/* Persistent directory (created 0700; NULL: none). */
clid_err clid__fcache_set_dir(clid__fcache *c, const char *dir);

/* How a lookup went. */
enum clid__fc_state {
    CLID__FC_HIT,      /* *res holds a copy of the cached body */
    CLID__FC_NEGATIVE, /* a recent failure: CLID_ERR_X5U_NEGATIVE_CACHED */
    CLID__FC_JOINED,   /* another thread fetched it meanwhile: *res is its result */
    CLID__FC_LEAD      /* the caller must fetch and then call clid__fcache_finish */
};

/* Looks `url` up at `now`: memory, then an in-flight retrieval by another
 * thread (waits up to wait_ms for it), then the persistent directory. */
enum clid__fc_state clid__fcache_begin(clid__fcache *c, const char *url, int64_t now,
                                       unsigned wait_ms, clid__fresult *res);
/* Ends the retrieval the caller leads: caches `res` (positive until
 * `expires`, a failure for neg_ttl seconds when neg_ttl > 0), writes a
 * positive one to disk unless `no_store`, and wakes the waiters. The cache
 * copies what it keeps; `res` stays the caller's. */
void clid__fcache_finish(clid__fcache *c, const char *url, const clid__fresult *res,
                         int64_t now, int64_t expires, unsigned neg_ttl, int no_store);

/* Counters; `requests` and `failures` are bumped by fetch.c. */
void clid__fcache_count(clid__fcache *c, clid_fetcher_stats *delta);
void clid__fcache_stats(const clid__fcache *c, clid_fetcher_stats *out);

/* Persistent files: the name of the file for `url` (64 hex digits of its
 * SHA-256 and a NUL). */
clid_err clid__fcache_file_name(const char *url, char name[65]);

/* ------------------------------------------------------------------------ */
/* One transfer (fetch_xfer.c)                                               */
/* ------------------------------------------------------------------------ */

typedef struct clid__trust_rec clid__trust_rec;

/* What a transfer needs to know of the fetcher's configuration. */
typedef struct clid__fetch_cfg {
    clid__url_policy pol;
    unsigned connect_ms;
    unsigned total_ms;
    size_t max_size;
    size_t crl_max_size;
    char *ca_file;          /* NULL: the system store */
    clid__trust_rec *trust; /* the loaded trust store (fetch_xfer.c), atomically swapped */
} clid__fetch_cfg;

typedef struct clid__xfer_outcome {
    int started;     /* an HTTP transfer began (counted as a request) */
    int64_t expires; /* on success: when the cached body stops serving */
    int no_store;    /* on success: keep it off the disk */
} clid__xfer_outcome;

/* curl_global_init, once per process (pthread_once). */
clid_err clid__xfer_global_init(void);
/* Drops the loaded trust store (the CA file changed, or the fetcher goes). */
void clid__xfer_trust_reset(clid__fetch_cfg *cfg);

/* What is fetched: a certificate chain (x5u), a CRL, or Rich Call Data
 * content (RFC 9795 jcl/icn: any body, at most CLID_RCD_ICON_MAX_LEN). */
enum clid__fetch_kind { CLID__FETCH_X5U, CLID__FETCH_CRL, CLID__FETCH_RCD };

/* Resolves and checks the host of `url` (parsed into *u by the policy),
 * retrieves it, and on success hands the body over in *res (res->max_age:
 * the server's freshness lifetime, -1 when it said nothing). Returns the
 * outcome's code: CLID_OK or a CLID_ERR_X5U_* reason (CLID_ERR_CRL_NOT_A_CRL
 * for a CRL body that is not one). */
clid_err clid__xfer_run(clid__fetch_cfg *cfg, enum clid__fetch_kind kind, const char *url,
                        const clid__url *u, int64_t now, clid__fresult *res,
                        clid__xfer_outcome *o);

/* The cache lifetime of a CRL fetched at `now`: see clid_fetcher_fetch_crl.
 * `fresh` is the HTTP freshness (-1: none), `next_update` 0 when unknown. */
int64_t clid__crl_cache_expiry(int64_t now, int64_t fresh, int64_t next_update);

/* ------------------------------------------------------------------------ */
/* Requests to a configured service (fetch_http.c): the CPS client           */
/* ------------------------------------------------------------------------ */

/* A copy of the fetcher's URL and address policy, CA file and connection
 * timeout, with its own trust store (loaded at the first TLS request):
 * the CPS client keeps it, so it never writes into the fetcher it was
 * configured from. Release with clid__fetch_cfg_release. */
clid_err clid__fetcher_cfg_copy(const clid_fetcher *f, clid__fetch_cfg *out);
void clid__fetch_cfg_release(clid__fetch_cfg *c);

typedef struct clid__http_req {
    const char *method;         /* "GET" or "POST" */
    const char *url;            /* checked against the policy here too */
    const char *const *headers; /* complete "Name: value" fields, no CR or LF */
    size_t n_headers;
    const char *body;           /* POST */
    size_t body_len;
    unsigned total_ms;          /* the whole transfer, connection included */
    size_t max_body;            /* the most of a response body kept */
} clid__http_req;

typedef struct clid__http_resp {
    long status;       /* the final status, 0 when none arrived */
    uint8_t *body;     /* malloc'd (NUL-terminated), `len` bytes; NULL when empty */
    size_t len;
    int too_large;     /* the body exceeded max_body: `body` is NULL */
} clid__http_resp;

/*
 * One request under the fetcher's rules (fetch_curl.h): the URL policy,
 * resolution in the calling thread with every address checked and curl
 * pinned to them, the socket guard, no redirect followed (a 3xx is a
 * status like any other), no proxy, the CA file. CLID_OK whenever a status
 * line arrived, whatever the status (the caller decides what it means);
 * else CLID_ERR_X5U_URL_POLICY, _UNREACHABLE, _TIMEOUT, _TLS,
 * CLID_ERR_NOMEM, CLID_ERR_INTERNAL. `resp` is the caller's to release
 * with clid__http_resp_free, on error too.
 */
clid_err clid__http_run(clid__fetch_cfg *cfg, const clid__http_req *rq, clid__http_resp *resp);
void clid__http_resp_free(clid__http_resp *resp);

#endif
