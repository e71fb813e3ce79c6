/*
 * The verifier's cache of signer certificates, keyed by x5u URL (with an
 * expiry from the fetch) and by the SHA-256 of the chain bytes (for chains
 * given by the caller or by the offline map). Bounded (LRU), thread-safe
 * (one mutex; lookups are short), and fork-aware: a cache used in a new
 * process (getpid() changed) empties itself and re-creates its lock.
 */
#ifndef CLID_CERTCACHE_H
#define CLID_CERTCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "x509/signer_cert.h"

typedef struct clid__cert_cache clid__cert_cache;

clid_err clid__cert_cache_new(size_t max_entries, clid__cert_cache **out);
void clid__cert_cache_free(clid__cert_cache *cc);
void clid__cert_cache_clear(clid__cert_cache *cc);
clid_err clid__cert_cache_set_max(clid__cert_cache *cc, size_t max_entries);

/* A referenced entry for `url` whose expiry is after `now`, or NULL. */
clid__signer_cert *clid__cert_cache_get_url(clid__cert_cache *cc, const char *url, int64_t now);
/* A referenced entry with this chain hash, or NULL. */
clid__signer_cert *clid__cert_cache_get_hash(clid__cert_cache *cc, const uint8_t hash[32]);
/* Inserts (or replaces) `c` for `url` (may be NULL: hash only) until
 * `expires`; the cache takes its own reference. */
void clid__cert_cache_put(clid__cert_cache *cc, const char *url, clid__signer_cert *c,
                          int64_t expires);

#endif
