/*
 * The verifier's cache of validated intermediates (issue 11 item 4): for
 * each CA certificate that issued the leaf of a chain OpenSSL validated in
 * full, the validated path above that leaf (the intermediate first, the
 * trust anchor last), the context generation and the time window in which
 * that validation provably holds, and what it reported about the
 * certificates above the leaf (profile deviations, CRLs not found).
 *
 * chain_validate.c uses an entry to validate a NEW leaf issued by the same
 * intermediate with one OpenSSL partial-chain validation (the intermediate
 * as the only trust anchor: one signature check) instead of a whole path
 * validation, and x509 loading (signer_cert.c) uses the entries' parsed
 * certificates instead of parsing the same intermediate again. Why this is
 * as safe as the full validation: docs/verification.md, "Validated
 * intermediates".
 *
 * Bounded (least recently used out), thread-safe (one mutex, short
 * critical sections; entries are reference-counted so an eviction never
 * frees one in use), fork-aware like certcache.c (a cache first used in a
 * new process empties itself and re-creates its lock).
 */
#ifndef CLID_X509_ISSUER_CACHE_H
#define CLID_X509_ISSUER_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include <clid/clid_errors.h>

#include "x509/crl.h"

typedef struct clid__issuer_cache clid__issuer_cache;

#define CLID__ISSUER_CRL_MEMO 8

/* One validated path above a leaf. Immutable once published but for the
 * CRL memo. */
typedef struct clid__issuer {
    int refs;                           /* atomic */
    int n;                              /* certificates in `upper` (>= 2) */
    X509 *upper[CLID__CRL_PATH_MAX];    /* references: intermediate first, anchor last */
    uint8_t hash[CLID__CRL_PATH_MAX][32]; /* SHA-256 of each one's DER */
    X509_STORE *anchor;                 /* upper[0] alone, for X509_V_FLAG_PARTIAL_CHAIN */
    unsigned generation;                /* clid__trust.generation of the validation */
    int64_t from, until;                /* the window of that validation (its leaf included) */
    unsigned dev;                       /* CLID__DEV_* OpenSSL reported at depths >= 1 */
    unsigned unchecked;                 /* no CRL found for depth i (bit i), i >= 1 */
    /* CRLs of the context issued by upper[0] that chain_validate.c found
     * usable for its leaves (form, AKI, and signature by upper[0]'s key),
     * filled in with atomic compare-and-swap: each is checked once per
     * entry. Compared as pointers only; the generation ties them to the
     * context's CRL set. */
    const X509_CRL *crl_ok[CLID__ISSUER_CRL_MEMO];
} clid__issuer;

#define CLID__ISSUER_CACHE_DEFAULT 64

clid_err clid__issuer_cache_new(size_t max_entries, clid__issuer_cache **out);
void clid__issuer_cache_free(clid__issuer_cache *ic);
void clid__issuer_cache_clear(clid__issuer_cache *ic);
/* At most `max_entries` from now on (0: nothing is cached); empties it. */
void clid__issuer_cache_set_max(clid__issuer_cache *ic, size_t max_entries);

/* The entry whose intermediate has DER hash `h`, validated under
 * `generation` with `at` inside its window; referenced, or NULL. */
clid__issuer *clid__issuer_cache_find(clid__issuer_cache *ic, const uint8_t h[32],
                                      unsigned generation, int64_t at);
void clid__issuer_release(clid__issuer *e);

/* A certificate held by an entry whose DER has hash `h` (X509_up_ref'd:
 * the caller frees it), or NULL. The same bytes parse to the same
 * certificate, so this saves the parse and nothing else. */
X509 *clid__issuer_cache_cert(clid__issuer_cache *ic, const uint8_t h[32]);

/*
 * Records the path above the leaf of `chain`, as OpenSSL validated it
 * (leaf first, trust anchor last, at least 3 certificates), under
 * `generation`, valid over [from, until], with the deviations and
 * CRL-less depths found at depths >= 1. Replaces an entry for the same
 * intermediate. Nothing is recorded when a certificate above the
 * intermediate carries a constraint that a partial chain would not apply to
 * a new leaf (name constraints, policy constraints or mappings,
 * inhibitAnyPolicy): those chains always take the full validation.
 */
void clid__issuer_cache_put(clid__issuer_cache *ic, STACK_OF(X509) *chain, unsigned generation,
                            int64_t from, int64_t until, unsigned dev, unsigned unchecked);

/* Test hooks: entries held; partial-chain validations that accepted a leaf. */
size_t clid__issuer_cache_size(clid__issuer_cache *ic);
unsigned long clid__issuer_cache_fast_hits(clid__issuer_cache *ic);
void clid__issuer_cache_count_hit(clid__issuer_cache *ic);

#endif
