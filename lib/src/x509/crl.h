/*
 * Revocation as deployed: the CRLs that certificates name in their CRL
 * Distribution Points (RFC 5280 §4.2.1.13), above all SHAKEN's, where every
 * STI certificate names one CRL of the policy administrator: an HTTPS URL
 * and a cRLIssuer naming the STI-PA CRL signer (ATIS-1000080), that is an
 * indirect CRL (RFC 5280 §5.2.5) whose entries carry the certificateIssuer
 * they belong to (§5.3.3).
 *
 * OpenSSL's path validation (chain_validate.c) keeps checking the CRLs issued
 * by the chain's own CAs (direct CRLs loaded in the context). This module
 * checks, on every verification and after the chain validated, each
 * certificate below the trust anchor whose distribution point this module
 * handles (clid__crl_dp_handles), with OpenSSL primitives and its own
 * rules, so that what is checked is what the tests prove:
 *
 *   - the CRL's issuer is the cRLIssuer (else the certificate's issuer),
 *     and an indirect one says so in its issuingDistributionPoint, whose
 *     scope (user/CA/attribute certificates, reasons, distribution point
 *     name) covers the certificate (§6.3.3 (b));
 *   - no critical extension clid does not process, no delta CRL, and
 *     certificateIssuer entries only in an indirect CRL (§5.3.3);
 *   - its signature verifies with a CRL signer: for an indirect CRL a
 *     certificate configured with clid_ctx_add_crl_signer_* or a trust
 *     anchor, with the CRL issuer's name, keyUsage cRLSign when keyUsage is
 *     present, and (configured ones) a path to a trust anchor at the
 *     verification time (§6.3.3 (f)); for a direct one the certificate's
 *     issuer in the validated chain;
 *   - it is current: thisUpdate <= at < nextUpdate (a CRL without
 *     nextUpdate is refused, §5.1.2.5);
 *   - the certificate is revoked when an entry has its serial under its
 *     issuer (the certificateIssuer of the entry, or of the entries before
 *     it, else the CRL issuer, §5.3.3). A stale CRL that lists the
 *     certificate still revokes it: revocation is final.
 *
 * The validation memo of chain_validate.c never covers these checks: they run
 * on every verification against the CRLs of the moment, so no memoized
 * success can outlive a CRL or hide a newer one.
 */
#ifndef CLID_X509_CRL_H
#define CLID_X509_CRL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <clid/clid.h>

#include "x509/trust.h"

/* ------------------------------------------------------------------------ */
/* One CRL                                                                   */
/* ------------------------------------------------------------------------ */

/*
 * A parsed CRL and the facts the checks need, immutable once made except
 * for its signer memo (a seqlock, as in signer_cert.h). Reference-counted:
 * the context, the verifier's CRL cache and running checks share it.
 */
typedef struct clid__crl {
    int refs;                /* atomic */
    X509_CRL *crl;
    uint8_t hash[32];        /* SHA-256 of its DER */
    int64_t this_update;
    int64_t next_update;
    ISSUING_DIST_POINT *idp; /* NULL when absent */
    int indirect;            /* issuingDistributionPoint indirectCRL */
    clid_err bad;            /* CLID_OK, or CLID_ERR_CRL_INVALID: unusable as it is */
    char why[160];           /* what makes it unusable */

    /* Signer memo (indirect CRLs): the signature verified with `memo_signer`
     * (a configured signer or trust anchor, alive as long as the context)
     * whose path held over [memo_from, memo_until], under `memo_gen`. */
    unsigned memo_seq;
    int memo_valid;
    unsigned memo_gen;
    const X509 *memo_signer;
    int64_t memo_from;
    int64_t memo_until;
    unsigned long sig_checks; /* test hook: signature verifications (atomic) */
} clid__crl;

/* Parses one CRL, DER or PEM (a single X509 CRL block), of at most
 * CLID_CRL_MAX_LEN bytes: CLID_ERR_CRL_NOT_A_CRL otherwise. A CRL that
 * parses but is unusable is returned with `bad` set. One reference. */
clid_err clid__crl_parse(const uint8_t *buf, size_t len, clid__crl **out);
/* The same for an X509_CRL already parsed (the wrapper takes a reference). */
clid_err clid__crl_wrap(X509_CRL *crl, clid__crl **out);
void clid__crl_ref(clid__crl *c);
void clid__crl_release(clid__crl *c);

/* The first directoryName of a cRLIssuer (NULL when it has none). */
const X509_NAME *clid__crl_dp_issuer(const DIST_POINT *dp);

/*
 * Whether `c` is the CRL that distribution point `dp` of a certificate names
 * (RFC 5280 §6.3.3 (b)): issued by `crl_issuer`, marked indirect when `dp`
 * has a cRLIssuer, and in scope for a certificate that is a CA (`is_ca`) or
 * not. 1 yes; 0 no, with the reason in `why`.
 */
int clid__crl_in_scope(const clid__crl *c, const DIST_POINT *dp, const X509_NAME *crl_issuer,
                       int is_ca, char *why, size_t cap);

/* Whether `c` lists certificate `x`: an entry with its serial whose issuer
 * (RFC 5280 §5.3.3) is x's issuer. 1 revoked, 0 not listed. */
int clid__crl_lists(const clid__crl *c, X509 *x);

/* ------------------------------------------------------------------------ */
/* The validated chain, as the revocation checks see it                      */
/* ------------------------------------------------------------------------ */

#define CLID__CRL_PATH_MAX 12 /* more than the deepest chain plus its anchor */

/*
 * A validated chain (leaf first, trust anchor last) with each certificate's
 * CRL distribution points decoded once, and which certificates OpenSSL
 * found no direct CRL for. Immutable; chain_validate.c keeps the ones it made
 * for as long as the chain's cache entry lives.
 */
typedef struct clid__crl_path {
    unsigned generation;
    int n;
    X509 *certs[CLID__CRL_PATH_MAX];                 /* references */
    STACK_OF(DIST_POINT) *dps[CLID__CRL_PATH_MAX];   /* NULL: no extension */
    unsigned unchecked; /* bit i: OpenSSL found no CRL of the issuer of certs[i] */
    struct clid__crl_path *next;
} clid__crl_path;

/* CLID_ERR_CERT_CHAIN_INVALID (detail set) when a CRL distribution points
 * extension does not decode. */
clid_err clid__crl_path_new(STACK_OF(X509) *chain, unsigned generation, unsigned unchecked,
                            clid__crl_path **out, char *detail, size_t cap);
int clid__crl_path_matches(const clid__crl_path *p, STACK_OF(X509) *chain, unsigned generation,
                           unsigned unchecked);
/* Frees `p` and every path after it. */
void clid__crl_path_free_all(clid__crl_path *p);

/*
 * Whether this module checks `x` through one of its distribution points:
 * one without reasons that has a cRLIssuer (an indirect CRL), or, when
 * `trust` has a CRL fetcher, one with an http(s) URL (its issuer's CRL,
 * fetched). Path validation uses it to leave such a certificate to this
 * module under CLID_CRL_REQUIRED.
 */
int clid__crl_dp_handles(const clid__trust *trust, X509 *x);

/* ------------------------------------------------------------------------ */
/* The check                                                                 */
/* ------------------------------------------------------------------------ */

struct clid__crl_store;

/* What a check found besides its return code. */
typedef struct clid__revocation {
    int checked;       /* every certificate below the anchor checked against a current CRL */
    clid_err soft;     /* CLID_ERR_CRL_UNAVAILABLE when a CRL could not be had and the
                          policy let the verification pass; else CLID_OK */
    int unavailable;   /* a CRL could not be had (soft or not) */
    int revoked;       /* a CRL of a distribution point revoked a certificate */
} clid__revocation;

/*
 * The checks above for every certificate of `p` below the anchor at time
 * `at`, with CRLs loaded in `trust` and, through `store` (may be NULL),
 * fetched. Returns CLID_OK (see `rev`), CLID_ERR_CERT_REVOKED,
 * CLID_ERR_CRL_INVALID, or CLID_ERR_CRL_UNAVAILABLE under CLID_CRL_REQUIRED;
 * `detail` says which certificate and CRL, also for a soft failure.
 * Thread-safe.
 */
clid_err clid__crl_check(const clid__trust *trust, struct clid__crl_store *store,
                         const clid__crl_path *p, int64_t at, clid__revocation *rev,
                         char *detail, size_t cap);

/* Whether `url` lies under one of the trust's allowed prefixes. */
int clid__crl_url_allowed(const clid__trust *trust, const char *url);

#endif
