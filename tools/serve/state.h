/*
 * clid serve: the snapshot every request uses (issue 10, SERVE-SPEC part A).
 *
 * A serve_state is an immutable, refcounted bundle of what requests need:
 * one clid_ctx (trust anchors, CRLs, policy, the x5u map), one fetcher when
 * x5u/CRL retrieval is on, ONE shared clid_verifier (one certificate cache
 * for every thread: clid.h says a verifier "is safe to share (its cache
 * locks internally)", a configured ctx may be read by any number of
 * threads), and an optional clid_signer. It is built from configuration
 * values (serve_state_cfg, filled by H's config loader) and never changed
 * afterwards; a reload builds a new one and swaps the pointer atomically.
 * Requests hold a reference for their duration (serve_state_ref/unref, a
 * C11 atomic counter): the last unref frees it, so an old snapshot lives
 * until its last in-flight request finishes.
 *
 * Tool code: public libclid API, jansson, OpenSSL only where the API lacks
 * something.
 */
#ifndef CLID_TOOL_SERVE_STATE_H
#define CLID_TOOL_SERVE_STATE_H

#include <stddef.h>

#include <clid/clid.h>
#include <clid/clid_fetch.h>

typedef struct serve_state serve_state;

/*
 * What a snapshot is built from. Every pointer is borrowed for the duration
 * of serve_state_new only (the files are read there; nothing is kept). Zero
 * / NULL members mean the library's default. Lists are (pointer, count).
 */
typedef struct serve_state_cfg {          /* filled by H's config loader */
    const char *const *trust; size_t ntrust;          /* files or dirs of trust anchors */
    const char *const *crl; size_t ncrl;              /* CRL files */
    const char *const *crl_signer; size_t ncrl_signer;
    int crl_fetch; const char *const *crl_url_allow; size_t ncrl_url_allow;
    const char *crl_policy;                           /* "require"/"warn"/... as clid verify */
    int strict; const char *cert_profile;             /* NULL = none */
    unsigned max_age;                                 /* freshness, s */
    /* x5u */
    int x5u_fetch; const char *x5u_ca; int allow_private; int allow_http;
    const char *cache_dir; unsigned cache_entries; unsigned fetch_timeout_ms;
    const char *const *x5u_map; size_t nx5u_map;      /* "URL=FILE" */
    /* signer (optional) */
    const char *sign_key; const char *sign_cert; const char *sign_x5u;
    const char *ppt_accept[4]; /* NULL-terminated, default shaken */
} serve_state_cfg;

/*
 * Member meanings (the names `clid verify` uses, docs/serve-api.md):
 *   trust          each a PEM file or a directory of .pem/.crt files; at
 *                  least one is needed for serve_state_ready
 *   crl            CRL files (DER or PEM); crl_signer: PEM certificates of
 *                  the STI-PA CRL signer (clid_ctx_add_crl_signer_file)
 *   crl_fetch      1: retrieve the CRLs certificates name (needs the
 *                  fetcher; made even when x5u_fetch is 0) for URLs under
 *                  crl_url_allow (none given: "https://")
 *   crl_policy     NULL or "if-present" (default), "required", "ignore"
 *                  (the spelling of clid verify --crl-policy)
 *   strict         1: profile deviations fail (clid_ctx_set_strict)
 *   cert_profile   NULL, "none", "shaken" or "q3063"
 *   max_age        iat freshness in seconds; 0: CLID_DEFAULT_MAX_AGE
 *   x5u_fetch      1: fetch x5u URLs the map does not cover (clid_fetch.h
 *                  policy: https only unless allow_http, public addresses
 *                  only unless allow_private; x5u_ca replaces the system
 *                  store; cache_dir persists bodies; fetch_timeout_ms is the
 *                  connect and total timeout, 0: the fetcher's default)
 *   cache_entries  the verifier's certificate cache bound; 0: the default
 *                  (1024). The cache cannot be turned off here.
 *   x5u_map        "URL=FILE" (split at the last '=', as clid verify does): the
 *                  chain for URL is FILE (clid_ctx_add_x5u_file)
 *   sign_key       the signer's P-256 key PEM; with it the state can sign.
 *                  sign_cert (its chain PEM, kept for serving at the x5u
 *                  path) and sign_x5u (the URL put in every Identity) are
 *                  then required too
 *   ppt_accept     up to 4 accepted ppt values, ending at the first NULL;
 *                  none: {"shaken"}
 */

/*
 * Error messages name the member with the config file's key path
 * ("verify.trust[1]", "sign.key") so H can print them as they are.
 *
 * Builds a snapshot. `clock` (NULL: time()) is installed on the ctx, the
 * fetcher and the signer, so tests can move time; a request may still pass
 * its own "now" (serve_api_handle). Returns 0 and *out (one reference), or
 * -1 with one line in err[cap] naming the member and the reason (e.g.
 * "verify.trust[1]: /x.pem: CLID_ERR_CERT_PARSE: ..."); nothing is kept on
 * failure. Reads files: call it from the thread that loads configuration.
 */
int serve_state_new(const serve_state_cfg *c, clid_clock_fn clock, void *clock_arg,
                    serve_state **out, char *err, size_t cap);

/* Adds a reference (atomic, any thread) and returns s; NULL is a no-op.
 * Whoever holds "the current state" pointer must load it and take the
 * reference under the lock the reload holds to swap it: between an
 * unlocked load and the increment, a swap could drop the last reference
 * (test_serve_api.c threads_share_and_swap shows the pattern). */
serve_state *serve_state_ref(serve_state *s);
/* Drops a reference (atomic, any thread); the last one frees the snapshot.
 * NULL is a no-op. */
void serve_state_unref(serve_state *s);

/* 1 when at least one trust anchor is loaded (GET /healthz), else 0. */
int serve_state_ready(const serve_state *s);
/* 1 when a signer is configured (sign_key/sign_cert/sign_x5u), else 0. */
int serve_state_can_sign(const serve_state *s);
/* The signer's certificate chain PEM (sign_cert's contents, as read), for
 * serving at serve_state_x5u_path; NULL without a signer. Borrowed: lives as
 * long as the caller's reference. *len (optional) gets its length. */
const char *serve_state_chain_pem(const serve_state *s, size_t *len);
/* The path part of sign_x5u ("/certs/sp.pem"; "/" when the URL has none),
 * or NULL without a signer. Borrowed like serve_state_chain_pem. */
const char *serve_state_x5u_path(const serve_state *s);
/* Counters for /metrics: the verifier's and the fetcher's (zeros when there
 * is no fetcher). Either pointer may be NULL. */
void serve_state_stats(const serve_state *s, clid_verifier_stats *v, clid_fetcher_stats *f);

/* ------------------------------------------------------------------------ */
/* For api*.c (not for H): the handles a request uses. Borrowed; valid while */
/* the caller holds a reference.                                             */
/* ------------------------------------------------------------------------ */
clid_verifier *serve_state_verifier(const serve_state *s);
const clid_signer *serve_state_signer(const serve_state *s); /* NULL: cannot sign */
const clid_ctx *serve_state_ctx(const serve_state *s);

#endif
