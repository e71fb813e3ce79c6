/*
 * The signer's certificate chain as the verifier uses it: parsed once,
 * its facts extracted once (leaf key, TNAuthList, claim constraints,
 * SignallingEntity, names), validated against the context's trust anchors
 * and CRLs at a given time, and cached (certcache.h).
 *
 * An entry is immutable after loading except for its validation memo, which
 * is published through a sequence counter (a seqlock whose readers never
 * wait and whose writers never block: after fork() a lock held by a thread
 * that no longer exists could otherwise hang the child); entries are
 * reference-counted so a cache eviction never frees one that a verification
 * is still using.
 */
#ifndef CLID_SIGNER_CERT_H
#define CLID_SIGNER_CERT_H

#include <stdint.h>

#include <openssl/x509.h>

#include <clid/clid.h>

#include "core/es256.h"
#include "x509/crl.h"
#include "x509/trust.h"

typedef struct clid__signer_cert {
    int refs;                       /* atomic (__atomic builtins) */
    STACK_OF(X509) *chain;          /* leaf first, as served at x5u */
    uint8_t chain_hash[32];         /* SHA-256 of the PEM bytes it came from */
    clid__es256_key *key;           /* the leaf's public key (P-256), NULL if not P-256 */
    clid_err key_err;               /* why key is NULL */
    clid_tnauth *tnauth;            /* NULL when absent */
    clid_err tnauth_err;            /* CLID_OK, CLID_ERR_EXT_ABSENT, _DUPLICATE, DER errors */
    clid_jwtcc *jwtcc;              /* RFC 8226 claim constraints or NULL */
    clid_jwtcc *ejwtcc;             /* RFC 9118 ones or NULL */
    clid_err jwtcc_err;             /* first decoding error of the two, or CLID_OK */
    clid_entity *entity;            /* NULL when absent */
    clid_err entity_err;            /* like tnauth_err (CLID_ERR_BAD_ENTITY too) */
    char *subject;                  /* RFC 2253 */
    char *issuer;
    char *serial;                   /* hex */
    int64_t not_before;             /* of the leaf */
    int64_t not_after;

    /* Validation memo: a successful validation at some time holds for any
     * time in [ok_from, ok_until] under the same context generation. Every
     * field is accessed with __atomic builtins; memo_seq is odd while a
     * writer is updating the others. */
    unsigned memo_seq;
    int ok_valid;
    unsigned ok_generation;
    int64_t ok_from;
    int64_t ok_until;
    const clid__crl_path *ok_path;  /* the validated chain, for the revocation checks */

    /* Every validated chain made for this entry (x509/crl.h), newest first,
     * pushed atomically and freed with the entry: a memo reader may hold
     * any of them. One per context generation in practice. */
    clid__crl_path *paths;
    unsigned ok_deviations;         /* CLID__DEV_* found by that validation */

    /* Test hook: how many validations of this entry ran OpenSSL's path
     * validation, i.e. were not answered by the memo (atomic). */
    unsigned long openssl_runs;

    /* Certificate-profile verdicts, one per context generation that asked
     * (profile_enforce.c): a list pushed with atomic CAS, freed with the
     * entry. */
    struct clid__profile_memo *profile_memo;
} clid__signer_cert;

/* Most certificates accepted in one chain (leaf, intermediates, and a root
 * some servers append): more than the deepest chain clid_ctx allows (8). */
#define CLID_CHAIN_MAX_CERTS 10

/*
 * Parses a PEM chain (leaf first, then intermediates) and extracts its
 * facts. No trust decision is made here. Text outside the PEM blocks is
 * allowed (RFC 7468 §2); blocks other than CERTIFICATE, PEM headers, bad
 * base64 and bytes after a certificate's DER are not.
 * CLID_ERR_X5U_TOO_LARGE above CLID_CHAIN_MAX_LEN bytes,
 * CLID_ERR_X5U_NOT_PEM when there is no PEM block at all or a block is not
 * a certificate, CLID_ERR_CERT_PARSE when a certificate block does not
 * parse, CLID_ERR_CERT_CHAIN_TOO_LONG above CLID_CHAIN_MAX_CERTS. A leaf
 * key that is not P-256, or extensions that do not decode, do not fail the
 * load: they are recorded (key_err, tnauth_err, ...) for the verifier to
 * report at the right step. On success *out has one reference.
 */
clid_err clid__signer_cert_load(const char *pem, size_t len, clid__signer_cert **out);
void clid__signer_cert_ref(clid__signer_cert *c);
void clid__signer_cert_release(clid__signer_cert *c);

/*
 * Validates the chain to the trust anchors of `trust` at time `at`, with
 * CRLs per its policy, depth limit, the RFC 5280 profile
 * (X509_V_FLAG_X509_STRICT below the trust anchor; the deviations below are
 * accepted and reported, not failed), critical extensions
 * (TNAuthList accepted anywhere; claim constraints and SignallingEntity on
 * the leaf only, where the verifier enforces them; anything else unhandled
 * refused), the leaf's purpose (not a CA; keyUsage, when present, with
 * digitalSignature) and key (P-256), every TNAuthList of the chain
 * (well-formed, not repeated), and RFC 9060 delegation (every TNAuthList
 * must be encompassed by the nearest one above it in the path, and below
 * the first certificate carrying one every certificate must carry one).
 * Whether the leaf has a TNAuthList covering the orig TN is the pipeline's
 * question, not this one's.
 * Returns CLID_OK or the precise code: CLID_ERR_CERT_* (UNTRUSTED, EXPIRED,
 * NOT_YET_VALID, REVOKED, CHAIN_INVALID, CHAIN_TOO_LONG, PURPOSE,
 * CRITICAL_EXT), CLID_ERR_CRL_INVALID, CLID_ERR_KEY_TYPE, the TNAuthList's
 * CLID_ERR_EXT_DUPLICATE / CLID_ERR_DER_* / CLID_ERR_BAD_*, or
 * CLID_ERR_DELEGATE_NOT_ENCOMPASSED / CLID_ERR_DELEGATE_NO_TNAUTH,
 * CLID_ERR_CERT_PROFILE (the context's certificate profile,
 * profile_enforce.h); `detail` (optional) receives OpenSSL's text (or
 * clid's) for the failure and the depth(s) concerned, "" on success.
 * Cheap (no signature checks) when the memo covers `at`. Thread-safe.
 */
clid_err clid__signer_cert_validate(const clid__trust *trust, clid__signer_cert *c, int64_t at,
                                    char *detail, size_t detail_cap);

/*
 * Certificate-profile deviations (docs/verification.md, "Strict and
 * lenient"): rules of the RFC 5280 profile that deployed STIR chains break
 * without weakening what the chain proves. Validation accepts them and
 * reports them as these bits; the verifier turns each into a warning, or
 * under its strict policy into the failure (clid__result_deviation). They
 * are checked on every certificate below the trust anchor, like the rest
 * of the profile.
 */
enum {
    CLID__DEV_NO_AKI = 1u << 0,             /* RFC 5280 §4.2.1.1 */
    CLID__DEV_NO_SKI = 1u << 1,             /* §4.2.1.2, CA certificates */
    CLID__DEV_BC_NOT_CRITICAL = 1u << 2,    /* §4.2.1.9, CA certificates */
    CLID__DEV_CA_NO_KEY_USAGE = 1u << 3,    /* §4.2.1.3, CA certificates */
    CLID__DEV_PATHLEN_MISPLACED = 1u << 4,  /* §4.2.1.9 */
    CLID__DEV_KEY_USAGE_NOT_DER = 1u << 5,  /* X.690 §11.2.2 */
    CLID__DEV_COUNT = 6
};

/* The clid_err naming deviation bit number `i` (0 .. CLID__DEV_COUNT-1). */
clid_err clid__chain_deviation_code(unsigned i);

/*
 * clid__signer_cert_validate, also giving the CLID__DEV_* bits of the
 * validated chain in *deviations (0 on failure): the same for a validation
 * answered by the memo as for the one that filled it, so a warm
 * verification reports what the cold one did.
 */
clid_err clid__signer_cert_validate_dev(const clid__trust *trust, clid__signer_cert *c,
                                        int64_t at, char *detail, size_t detail_cap,
                                        unsigned *deviations);

/*
 * clid__signer_cert_validate, then revocation as deployed (x509/crl.h) on
 * the validated chain, on every call (never memoized): CRLs named by the
 * certificates' distribution points, loaded in `trust` or fetched through
 * `store` (NULL: loaded ones only). Also CLID_ERR_CRL_UNAVAILABLE under
 * CLID_CRL_REQUIRED. `rev` (may be NULL) says whether revocation was
 * checked and whether a CRL could not be had; it is set once the chain
 * validated. `deviations` (may be NULL) receives the chain's CLID__DEV_*
 * bits as clid__signer_cert_validate_dev gives them.
 */
struct clid__crl_store;
clid_err clid__signer_cert_validate_rev(const clid__trust *trust, clid__signer_cert *c,
                                        int64_t at, struct clid__crl_store *store,
                                        clid__revocation *rev, unsigned *deviations,
                                        char *detail, size_t detail_cap);

/*
 * clid__signer_cert_validate_rev with the verifier's cache of validated
 * intermediates (issuer_cache.h; NULL: none): a leaf whose issuer's path
 * was validated before is validated against it (one signature check), and
 * a successful full validation records its path there.
 */
struct clid__issuer_cache;
clid_err clid__signer_cert_validate_ic(const clid__trust *trust, struct clid__issuer_cache *ic,
                                       clid__signer_cert *c, int64_t at,
                                       struct clid__crl_store *store, clid__revocation *rev,
                                       unsigned *deviations, char *detail, size_t detail_cap);

/* clid__signer_cert_load taking the certificates after the leaf from `ic`
 * when it holds the same bytes parsed (NULL: parses everything). */
clid_err clid__signer_cert_load_ic(const char *pem, size_t len, struct clid__issuer_cache *ic,
                                   clid__signer_cert **out);

#endif
