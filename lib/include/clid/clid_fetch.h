/*
 * clid: retrieving the signer's certificate chain named by x5u/info, with
 * libcurl, under a URL policy, with a cache (RFC 8224 §6.2.2; DESIGN.md
 * pipeline step 3). Plug it into a context with
 *     clid_ctx_set_fetcher(ctx, clid_fetcher_fetch, fetcher);
 * or bring your own clid_fetch_fn.
 *
 * Why a policy: the URL comes from the call, that is from anyone; fetching
 * it is a known SSRF and denial-of-service vector (standards notes §7).
 * Defaults: https only; any port; no userinfo, query or fragment; redirects
 * refused; loopback, private, link-local and other non-public addresses
 * refused (checked on the resolved address, which curl is then pinned to,
 * so DNS cannot swap it afterwards); body at most 64 KiB; connect and total
 * timeouts 2 s.
 *
 * The host name is resolved with getaddrinfo() in the calling thread; curl
 * is handed the vetted address, so no resolver thread is started.
 *
 * Cache: successful bodies are kept for the server's Cache-Control max-age
 * (or Expires) bounded to [5 min, 24 h]; failures are remembered for a short
 * time (default 30 s) and answered with CLID_ERR_X5U_NEGATIVE_CACHED so a
 * dead server cannot slow every call. The cache is shared by threads (one
 * mutex, never held during a transfer), notices fork() (a child starts with
 * an empty cache), and can persist bodies in a directory so that a restarted
 * process does not refetch.
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

CLID_API CLID_WUR clid_err clid_fetcher_new(clid_fetcher **out);
CLID_API void clid_fetcher_free(clid_fetcher *f);

/* Policy. Call before sharing the fetcher. */
CLID_API CLID_WUR clid_err clid_fetcher_allow_http(clid_fetcher *f, int allow);
CLID_API CLID_WUR clid_err clid_fetcher_allow_private(clid_fetcher *f, int allow);
/* Restricts ports (e.g. 443 and 8443, as ATIS-1000074 §5.3.1 wants); none
 * added means any port. */
CLID_API CLID_WUR clid_err clid_fetcher_allow_port(clid_fetcher *f, unsigned port);
CLID_API CLID_WUR clid_err clid_fetcher_allow_query(clid_fetcher *f, int allow);
CLID_API CLID_WUR clid_err clid_fetcher_set_timeouts(clid_fetcher *f, unsigned connect_ms,
                                                     unsigned total_ms);
CLID_API CLID_WUR clid_err clid_fetcher_set_max_size(clid_fetcher *f, size_t bytes);
/* TLS trust for https x5u servers (default: the system store). */
CLID_API CLID_WUR clid_err clid_fetcher_set_ca_file(clid_fetcher *f, const char *path);
CLID_API CLID_WUR clid_err clid_fetcher_set_negative_ttl(clid_fetcher *f, unsigned seconds);
/* Persistent cache directory (created 0700 if missing; files 0600, written
 * atomically). */
CLID_API CLID_WUR clid_err clid_fetcher_set_cache_dir(clid_fetcher *f, const char *dir);
/* The fetcher's notion of time (cache expiry); default time(). */
CLID_API CLID_WUR clid_err clid_fetcher_set_clock(clid_fetcher *f, clid_clock_fn fn, void *arg);

/* Checks a URL against the policy without fetching (CLID_ERR_X5U_URL_POLICY). */
CLID_API CLID_WUR clid_err clid_fetcher_check_url(const clid_fetcher *f, const char *url);

/* A clid_fetch_fn: `arg` is the clid_fetcher. */
CLID_API clid_err clid_fetcher_fetch(void *arg, const char *url, uint8_t *buf, size_t cap,
                                     size_t *len, int64_t *max_age_s);

/* Counters for monitoring and tests. */
typedef struct clid_fetcher_stats {
    uint64_t requests;      /* HTTP transfers started */
    uint64_t cache_hits;
    uint64_t negative_hits;
    uint64_t failures;
} clid_fetcher_stats;
CLID_API void clid_fetcher_get_stats(const clid_fetcher *f, clid_fetcher_stats *out);

#ifdef __cplusplus
}
#endif
#endif /* CLID_FETCH_H */
