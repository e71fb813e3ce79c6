/* The clid_ctx structure, shared by ctx.c (configuration) and verify.c (the
 * pipeline); the chain validation of x509/chain_validate.c sees only its
 * `trust` member. Read-only once configured. */
#ifndef CLID_CTX_INTERNAL_H
#define CLID_CTX_INTERNAL_H

#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <clid/clid.h>

#include "x509/trust.h"

#define CLID_MAX_PPT 4

struct clid_x5u_map_entry {
    char *url;
    char *pem;
    size_t len;
    uint8_t hash[32]; /* SHA-256 of pem[0..len): the verifier caches map entries by content */
};

/* Offline Rich Call Data content (clid_ctx_add_rcd_content), sorted by URL. */
struct clid_rcd_map_entry {
    char *url;
    uint8_t *data;
    size_t len;
};

struct clid_ctx {
    clid__trust trust;            /* anchors, CRLs, chain policy, generation */
    struct clid_x5u_map_entry *x5u_map;
    size_t n_x5u;
    size_t cap_x5u;
    clid_fetch_fn fetch;
    void *fetch_arg;
    struct clid_rcd_map_entry *rcd_map; /* RFC 9795 content (verify_rcd.c) */
    size_t n_rcd;
    size_t cap_rcd;
    clid_fetch_fn rcd_fetch;
    void *rcd_fetch_arg;
    unsigned max_age;
    unsigned max_skew;
    char ppt[CLID_MAX_PPT][16];
    size_t n_ppt;
    int ppt_customized;           /* the first clid_ctx_accept_ppt replaces the default */
    int require_tnauth;
    int require_entity;
    int strict;                   /* profile deviations fail instead of warning */
    clid_clock_fn clock;
    void *clock_arg;
};

/* Finds the offline chain for `url` (exact match; the map is sorted and
 * searched by bisection); NULL when the map has none. The entry's `pem` is
 * NUL-terminated after `len` bytes. */
const struct clid_x5u_map_entry *clid__ctx_x5u_lookup(const clid_ctx *ctx, const char *url);
/* The offline RCD content mapped to `url`, or NULL. */
const struct clid_rcd_map_entry *clid__ctx_rcd_lookup(const clid_ctx *ctx, const char *url);
int clid__ctx_ppt_accepted(const clid_ctx *ctx, const char *ppt);

#endif
