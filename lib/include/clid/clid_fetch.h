/*
 * clid: retrieving the signer's certificate chain named by x5u/info, with
 * libcurl, under a URL policy, with a cache (RFC 8224 §6.2.2; DESIGN.md
 * pipeline step 3). Plug it into a context with
 *     clid_ctx_set_fetcher(ctx, clid_fetcher_fetch, fetcher);
 * or bring your own clid_fetch_fn. docs/x5u.md has the whole story.
 *
 * Why a policy: the URL comes from the call, that is from anyone; fetching
 * it is a known SSRF and denial-of-service vector (standards notes §7).
 * Defaults: https only; any port; no userinfo, query or fragment; redirects
 * refused; loopback, private, link-local and other non-public addresses
 * refused (checked on the resolved address, which curl is then pinned to,
 * so DNS cannot swap it afterwards); body at most 64 KiB; connect and total
 * timeouts 2 s.
 *
 * The host name is resolved with getaddrinfo() in the calling thread (its
 * time is the system resolver's: /etc/resolv.conf timeout and attempts);
 * curl is handed the vetted addresses, so no resolver thread is started.
 * clid starts no thread at all.
 *
 * Cache: successful bodies are kept for the server's Cache-Control max-age
 * (or Expires) bounded to [5 min, 24 h] (24 h when the server says nothing)
 * and never past the earliest notAfter in the chain; failures are
 * remembered for a short time (default 30 s) and answered with
 * CLID_ERR_X5U_NEGATIVE_CACHED so a dead server cannot slow every call.
 * Threads asking for a URL that another thread is fetching wait for that
 * transfer instead of starting their own. The cache is shared by threads
 * (one mutex, never held during a transfer or a file operation), notices
 * fork() (a child starts with an empty cache and zero counters), and can
 * persist bodies in a directory so that a restarted process, or a sibling
 * worker, does not refetch.
 *
 * CRLs: the same fetcher retrieves the CRLs that certificates name in their
 * CRL Distribution Points (clid_ctx_set_crl_fetcher with
 * clid_fetcher_fetch_crl): same URL and address policy, timeouts, cache and
 * persistent directory, its own size limit (1 MiB by default), a body that
 * must be one CRL, and a cache lifetime from the CRL's nextUpdate
 * (docs/x5u.md, "CRL retrieval").
 *
 * Thread safety: configure first (the setters are not synchronized), then
 * call clid_fetcher_fetch, clid_fetcher_check_url and clid_fetcher_get_stats
 * from any number of threads. clid_fetcher_free when no call is running.
 *
 * Process-wide state: the first clid_fetcher_new calls
 * curl_global_init(CURL_GLOBAL_DEFAULT), once, under pthread_once (libcurl
 * 7.84+ built thread-safe allows this from any thread). clid never calls
 * curl_global_cleanup: the host may use libcurl too.
 */
#ifndef CLID_FETCH_H
#define CLID_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include <clid/clid.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct clid_fetcher clid_fetcher;

/* Ownership: the caller frees with clid_fetcher_free (NULL is a no-op).
 * Errors: CLID_ERR_NOMEM; CLID_ERR_INTERNAL when libcurl cannot start. */
CLID_API CLID_WUR clid_err clid_fetcher_new(clid_fetcher **out);
CLID_API void clid_fetcher_free(clid_fetcher *f);

/* Policy. Call before sharing the fetcher. Each returns CLID_OK, or
 * CLID_ERR_INVALID_ARGUMENT for a NULL fetcher or a value out of range. */
CLID_API CLID_WUR clid_err clid_fetcher_allow_http(clid_fetcher *f, int allow);
/* Loopback, RFC 1918, 100.64/10, link-local, unique-local, multicast,
 * reserved and unspecified addresses, and IPv6 forms embedding them. */
CLID_API CLID_WUR clid_err clid_fetcher_allow_private(clid_fetcher *f, int allow);
/* Restricts ports (e.g. 443 and 8443, as ATIS-1000074 §5.3.1 wants); none
 * added means any port. A URL without a port uses 443 (http: 80) for this
 * check. Port 1..65535, at most 16 ports. */
CLID_API CLID_WUR clid_err clid_fetcher_allow_port(clid_fetcher *f, unsigned port);
/* Queries only: a fragment is refused whatever this says (it is never sent
 * to the server, so it could only make two cache keys of one resource). */
CLID_API CLID_WUR clid_err clid_fetcher_allow_query(clid_fetcher *f, int allow);
/* Each 1..600000 ms; total covers the whole transfer, connection included
 * (name resolution is the system resolver's, see above). */
CLID_API CLID_WUR clid_err clid_fetcher_set_timeouts(clid_fetcher *f, unsigned connect_ms,
                                                     unsigned total_ms);
/* 1 byte .. 1 MiB (default CLID_CHAIN_MAX_LEN, 64 KiB). */
CLID_API CLID_WUR clid_err clid_fetcher_set_max_size(clid_fetcher *f, size_t bytes);
/* The CRL size limit: 1 byte .. CLID_CRL_MAX_LEN (4 MiB); default
 * CLID_FETCH_CRL_DEFAULT_MAX (1 MiB: an STI-PA CRL is a few KiB today,
 * and grows with every revocation until certificates expire). */
#define CLID_FETCH_CRL_DEFAULT_MAX (1024u * 1024u)
CLID_API CLID_WUR clid_err clid_fetcher_set_crl_max_size(clid_fetcher *f, size_t bytes);
/* TLS trust for https x5u servers: a PEM file that replaces the system
 * store (NULL: back to the system store, libcurl's default bundle). Read at
 * the first TLS transfer and shared by all of them. CLID_ERR_IO when the
 * file is not readable now. */
CLID_API CLID_WUR clid_err clid_fetcher_set_ca_file(clid_fetcher *f, const char *path);
/* How long failures are remembered, 0..86400 s (default 30; 0: never). */
CLID_API CLID_WUR clid_err clid_fetcher_set_negative_ttl(clid_fetcher *f, unsigned seconds);
/* Persistent cache directory (created 0700 if missing; files 0600, written
 * atomically; NULL: none). CLID_ERR_IO when it cannot be created or used,
 * or when anyone may write to it. Several processes may share one. */
CLID_API CLID_WUR clid_err clid_fetcher_set_cache_dir(clid_fetcher *f, const char *dir);
/* The fetcher's notion of time (cache expiry); default time(). */
CLID_API CLID_WUR clid_err clid_fetcher_set_clock(clid_fetcher *f, clid_clock_fn fn, void *arg);

/* Checks a URL against the policy without fetching or resolving
 * (CLID_ERR_X5U_URL_POLICY; IP literals are checked against the address
 * rule, names only when fetched). */
CLID_API CLID_WUR clid_err clid_fetcher_check_url(const clid_fetcher *f, const char *url);

/*
 * A clid_fetch_fn: `arg` is the clid_fetcher. On success the body (a PEM
 * chain: at least one CERTIFICATE block; Content-Type is not trusted) is in
 * buf[0..*len), and *max_age_s is the server's freshness lifetime when this
 * call fetched it (-1: no caching headers; 0: no-store, no-cache or a
 * malformed value), or the seconds the cached copy has left when the cache
 * answered. Errors: CLID_ERR_X5U_URL_POLICY, _UNREACHABLE, _TIMEOUT,
 * _HTTP_STATUS, _REDIRECT, _TOO_LARGE (also when the body exceeds `cap`),
 * _NOT_PEM, _TLS, _NEGATIVE_CACHED (all 436); CLID_ERR_INVALID_ARGUMENT,
 * CLID_ERR_NOMEM, CLID_ERR_INTERNAL.
 */
CLID_API clid_err clid_fetcher_fetch(void *arg, const char *url, uint8_t *buf, size_t cap,
                                     size_t *len, int64_t *max_age_s);

/*
 * A clid_fetch_fn for CRLs (clid_ctx_set_crl_fetcher): `arg` is the
 * clid_fetcher. The same policy, timeouts and caches as
 * clid_fetcher_fetch, kept apart from x5u bodies (a URL fetched as a CRL is
 * a different cache entry from the same URL fetched as a chain). The body
 * must be one CRL, DER or PEM (CLID_ERR_CRL_NOT_A_CRL otherwise), at most
 * the CRL size limit (CLID_ERR_X5U_TOO_LARGE). It is cached until the CRL's
 * nextUpdate, within [1 min, 24 h] and no longer than the server's
 * Cache-Control/Expires allows (at least 1 min); a stale CRL (nextUpdate
 * passed) is kept 1 min, so a late publisher is asked once a minute at
 * most. *max_age_s as for clid_fetcher_fetch. Errors: those of
 * clid_fetcher_fetch, and CLID_ERR_CRL_NOT_A_CRL.
 */
CLID_API clid_err clid_fetcher_fetch_crl(void *arg, const char *url, uint8_t *buf, size_t cap,
                                         size_t *len, int64_t *max_age_s);

/*
 * A clid_fetch_fn for Rich Call Data content (clid_ctx_set_rcd_fetcher;
 * RFC 9795 jcl and icn URLs): `arg` is the clid_fetcher. The same URL and
 * address policy (redirects refused, private addresses refused unless
 * allowed), timeouts, cache and persistent directory as x5u, cached under a
 * key of its own (a URL fetched as x5u and as RCD content is two entries);
 * any body of at most `cap` bytes (the library passes
 * CLID_RCD_JCARD_MAX_LEN or CLID_RCD_ICON_MAX_LEN); Content-Type is not
 * trusted. *max_age_s as for clid_fetcher_fetch. Errors: those of
 * clid_fetcher_fetch but _NOT_PEM (all CLID_ERR_X5U_*: the caller reports
 * them as CLID_ERR_RCD_CONTENT_UNAVAILABLE, with the detail).
 */
CLID_API clid_err clid_fetcher_fetch_rcd(void *arg, const char *url, uint8_t *buf, size_t cap,
                                         size_t *len, int64_t *max_age_s);

/* Counters for monitoring and tests, since creation (or since fork()).
 * CRL retrievals count with the others. */
typedef struct clid_fetcher_stats {
    uint64_t requests;      /* HTTP transfers started */
    uint64_t cache_hits;    /* answered from memory, disk, or another thread's transfer */
    uint64_t negative_hits; /* answered CLID_ERR_X5U_NEGATIVE_CACHED */
    uint64_t failures;      /* calls that returned any other error */
} clid_fetcher_stats;
CLID_API void clid_fetcher_get_stats(const clid_fetcher *f, clid_fetcher_stats *out);

#ifdef __cplusplus
}
#endif
#endif /* CLID_FETCH_H */
