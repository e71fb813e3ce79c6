/*
 * The verifier's cache of fetched CRLs (crl_store.c): parsed CRLs by URL,
 * each kept until it is due for a refresh (its nextUpdate, at most 24 h, or
 * sooner when the fetcher says so), then fetched again on demand by the
 * verification that needs it. No thread is started: a refresh runs in the
 * calling thread, other threads keep using the CRL they have meanwhile, and
 * the clid_fetcher underneath makes concurrent retrievals of one URL share
 * one transfer. Bounded, thread-safe, fork-aware (a child starts empty).
 */
#ifndef CLID_X509_CRL_STORE_H
#define CLID_X509_CRL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <clid/clid.h>

#include "x509/crl.h"

typedef struct clid__crl_store clid__crl_store;

/* How long a fetched CRL is used before asking again: its nextUpdate,
 * within [CLID__CRL_TTL_MIN, CLID__CRL_TTL_MAX] from the fetch; a stale
 * one, or a failure, is asked again after CLID__CRL_RETRY seconds. */
#define CLID__CRL_TTL_MIN 60
#define CLID__CRL_TTL_MAX 86400
#define CLID__CRL_RETRY 10
#define CLID__CRL_STORE_MAX 64 /* URLs */

clid_err clid__crl_store_new(clid__crl_store **out);
void clid__crl_store_free(clid__crl_store *s);
void clid__crl_store_clear(clid__crl_store *s);

/*
 * The CRL for `url` at `now`: the cached one while it is not due, else one
 * fetched with `fn`/`arg` (a clid_fetch_fn given CLID_CRL_MAX_LEN bytes).
 * A failed refresh keeps the previous CRL (the check decides whether it is
 * still current). CLID_OK with *out referenced, or the fetch's failure
 * with `why` set (and *out NULL).
 */
clid_err clid__crl_store_get(clid__crl_store *s, clid_fetch_fn fn, void *arg, const char *url,
                             int64_t now, clid__crl **out, char *why, size_t cap);

/* Counters (clid_verifier_stats): crl_fetches, crl_fetch_failures,
 * crl_cache_hits are the store's; the others are left alone. */
void clid__crl_store_stats(const clid__crl_store *s, clid_verifier_stats *out);

#endif
