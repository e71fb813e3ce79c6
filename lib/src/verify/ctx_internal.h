/* The clid_ctx structure, shared by ctx.c (configuration), signer_cert.c
 * (validation) and verify.c (the pipeline). Read-only once configured. */
#ifndef CLID_CTX_INTERNAL_H
#define CLID_CTX_INTERNAL_H

#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <clid/clid.h>

#define CLID_MAX_PPT 4

struct clid_x5u_map_entry {
    char *url;
    char *pem;
    size_t len;
    uint8_t hash[32]; /* SHA-256 of pem[0..len): the verifier caches map entries by content */
};

struct clid_ctx {
    X509_STORE *store;            /* trust anchors (X509_STORE locks internally) */
    STACK_OF(X509_CRL) *crls;     /* handed to each X509_STORE_CTX */
    clid_crl_policy crl_policy;
    struct clid_x5u_map_entry *x5u_map;
    size_t n_x5u;
    size_t cap_x5u;
    clid_fetch_fn fetch;
    void *fetch_arg;
    unsigned max_age;
    unsigned max_skew;
    clid_tn_policy tn_policy;
    char ppt[CLID_MAX_PPT][16];
    size_t n_ppt;
    int ppt_customized;           /* the first clid_ctx_accept_ppt replaces the default */
    unsigned max_depth;
    int require_tnauth;
    int require_entity;
    clid_clock_fn clock;
    void *clock_arg;
    unsigned generation;          /* changed by every configuration change: cached
                                     validation results are tied to it. Values come
                                     from one process-wide counter, so no two
                                     contexts ever share one */
};

/* Finds the offline chain for `url` (exact match; the map is sorted and
 * searched by bisection); NULL when the map has none. The entry's `pem` is
 * NUL-terminated after `len` bytes. */
const struct clid_x5u_map_entry *clid__ctx_x5u_lookup(const clid_ctx *ctx, const char *url);
int clid__ctx_ppt_accepted(const clid_ctx *ctx, const char *ppt);

#endif
