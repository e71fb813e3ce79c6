/*
 * What a chain is validated against: the trust anchors, the CRLs and the
 * validation policy. The verification context (verify/ctx_internal.h)
 * embeds one and configures it; the x509 module reads it and knows nothing
 * else of the context, so certificates sit below verification (DESIGN.md
 * "Layers and folders"). Read-only once configured.
 */
#ifndef CLID_X509_TRUST_H
#define CLID_X509_TRUST_H

#include <openssl/x509.h>

#include <clid/clid.h>

struct clid__crl;

typedef struct clid__trust {
    X509_STORE *store;        /* trust anchors (X509_STORE locks internally) */
    STACK_OF(X509_CRL) *crls; /* handed to each X509_STORE_CTX */
    /* Revocation as deployed (x509/crl.h): the same CRLs parsed for the
     * distribution-point checks, the certificates that may sign CRLs for
     * other issuers, and CRL retrieval (fetcher and URL allow-list). */
    struct clid__crl **crl_list;
    size_t n_crl_list;
    STACK_OF(X509) *crl_signers;
    clid_fetch_fn crl_fetch;
    void *crl_fetch_arg;
    char **crl_prefixes;
    size_t n_crl_prefixes;
    clid_crl_policy crl_policy;
    clid_tn_policy tn_policy; /* how a TNAuthList SPC counts in delegation checks */
    unsigned max_depth;       /* certificates below the anchor, the leaf included */
    clid_cert_profile cert_profile; /* profile the chain below the anchor must conform to
                                       (profile_enforce.c), or NONE */
    unsigned generation;      /* changed by every configuration change of the owning
                                 context: cached validation results are tied to it.
                                 Values come from one process-wide counter, so no
                                 two contexts ever share one */
} clid__trust;

#endif
