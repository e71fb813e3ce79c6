/*
 * Validation of the signer's chain (signer_cert.h) at a given time with
 * OpenSSL's X509_STORE, completed by what OpenSSL cannot know about STIR:
 *
 *   - critical extensions clid processes (RFC 5280 §4.2: a certificate with
 *     a critical extension the verifier does not recognize is refused) are
 *     accepted, every other unhandled critical extension is refused;
 *   - the leaf must be an end entity able to sign (RFC 5280 §4.2.1.3,
 *     §4.2.1.9) with a P-256 key (ES256, RFC 8225 §5 / RFC 7518 §3.4);
 *   - each TNAuthList in the chain must decode (RFC 8226 §9) and appear once
 *     (RFC 5280 §4.2), and each must lie within the nearest one above it,
 *     with no list-less certificate below a list (RFC 9060 §4);
 *   - the RFC 5280 profile rules the deployed ecosystem breaks are reported
 *     as deviations (warnings, or failures under the strict policy);
 *   - under a certificate profile (clid_ctx_set_cert_profile), the chain
 *     below the trust anchor conforms to it (profile_enforce.h).
 *
 * A successful validation is memoized as the time window over which it
 * holds, so a warm verification does no signature checks at all. The CRLs
 * that the certificates' distribution points name (x509/crl.h) are checked
 * after it on every verification, outside the memo.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "core/internal.h"
#include "x509/crl.h"
#include "x509/issuer_cache.h"
#include "x509/profile_enforce.h"
#include "x509/signer_cert.h"
#include "x509/trust.h"
#include "x509/x509_load.h"

/* ------------------------------------------------------------------------ */
/* The validation memo (a seqlock: see signer_cert.h)                       */
/* ------------------------------------------------------------------------ */

/* Whether the memo answers a validation at `at`; if so *path gets the
 * validated chain and *deviations the deviations that validation found. */
static int memo_covers(clid__signer_cert *c, unsigned generation, int64_t at,
                       const clid__crl_path **path, unsigned *deviations)
{
    unsigned s1 = __atomic_load_n(&c->memo_seq, __ATOMIC_ACQUIRE);
    if (s1 & 1u)
        return 0; /* being written: validate the slow way rather than wait */
    int valid = __atomic_load_n(&c->ok_valid, __ATOMIC_RELAXED);
    unsigned gen = __atomic_load_n(&c->ok_generation, __ATOMIC_RELAXED);
    int64_t from = __atomic_load_n(&c->ok_from, __ATOMIC_RELAXED);
    int64_t until = __atomic_load_n(&c->ok_until, __ATOMIC_RELAXED);
    const clid__crl_path *ok_path = __atomic_load_n(&c->ok_path, __ATOMIC_RELAXED);
    unsigned dev = __atomic_load_n(&c->ok_deviations, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (__atomic_load_n(&c->memo_seq, __ATOMIC_RELAXED) != s1)
        return 0;
    if (!(valid && gen == generation && from <= at && at <= until))
        return 0;
    *path = ok_path;
    *deviations = dev;
    return 1;
}

static void memo_store(clid__signer_cert *c, unsigned generation, int64_t from, int64_t until,
                       const clid__crl_path *path, unsigned deviations)
{
    unsigned s = __atomic_load_n(&c->memo_seq, __ATOMIC_RELAXED);
    /* Another writer holds the sequence: its result is as good as ours, and
     * a writer must never wait (see signer_cert.h on fork). */
    if ((s & 1u) || !__atomic_compare_exchange_n(&c->memo_seq, &s, s + 1, 0, __ATOMIC_ACQUIRE,
                                                 __ATOMIC_RELAXED))
        return;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    __atomic_store_n(&c->ok_valid, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&c->ok_generation, generation, __ATOMIC_RELAXED);
    __atomic_store_n(&c->ok_from, from, __ATOMIC_RELAXED);
    __atomic_store_n(&c->ok_until, until, __ATOMIC_RELAXED);
    __atomic_store_n(&c->ok_path, path, __ATOMIC_RELAXED);
    __atomic_store_n(&c->ok_deviations, deviations, __ATOMIC_RELAXED);
    __atomic_store_n(&c->memo_seq, s + 2, __ATOMIC_RELEASE);
}

/* ------------------------------------------------------------------------ */
/* OpenSSL path validation                                                   */
/* ------------------------------------------------------------------------ */

struct verify_state {
    clid_crl_policy crl_policy;
    const clid__trust *trust;
    unsigned unchecked;  /* depths OpenSSL found no CRL for (x509/crl.h) */
    unsigned deviations; /* CLID__DEV_* accepted below the trust anchor */
    unsigned dev_upper;  /* those of them found above the leaf (issuer_cache.h) */
};

static int oid_is(const ASN1_OBJECT *obj, const char *oid)
{
    char buf[96];
    int n = OBJ_obj2txt(buf, sizeof buf, obj, 1);
    return n > 0 && (size_t)n < sizeof buf && strcmp(buf, oid) == 0;
}

/*
 * Whether clid processes every critical extension of `x` that OpenSSL does
 * not. TNAuthList is processed wherever it appears (decoding and the RFC
 * 9060 §4 check below). Claim constraints (RFC 8226 §8, RFC 9118) and the
 * SignallingEntity are enforced by the verifier on the leaf only, so on a CA
 * certificate they are not understood and a critical one is refused.
 */
static int critical_exts_understood(X509 *x, int is_leaf)
{
    for (int i = 0; i < X509_get_ext_count(x); i++) {
        X509_EXTENSION *ext = X509_get_ext(x, i);
        if (!X509_EXTENSION_get_critical(ext) || X509_supported_extension(ext))
            continue;
        const ASN1_OBJECT *obj = X509_EXTENSION_get_object(ext);
        if (oid_is(obj, CLID_OID_TNAUTHLIST))
            continue;
        if (is_leaf && (oid_is(obj, CLID_OID_JWT_CLAIM_CONSTRAINTS) ||
                        oid_is(obj, CLID_OID_ENHANCED_JWT_CLAIM_CONSTRAINTS) ||
                        oid_is(obj, CLID_OID_SIGNALLING_ENTITY)))
            continue;
        return 0;
    }
    return 1;
}

/*
 * Certificate-profile checks OpenSSL makes only with X509_V_FLAG_X509_STRICT
 * (RFC 5280 §4.2.1.1-3, §4.2.1.9, §4.1.2.4/6). They are kept for every
 * certificate below the trust anchor, but not for the anchor itself: RFC
 * 5280 §6.1.1 (d) takes the anchor as configured input, not as a
 * certificate to check, and common test roots (`openssl req -x509` with the
 * stock configuration) have no keyUsage. Below the anchor, those that are
 * profile properties are deviations (profile_deviation), the others fail.
 */
static int strict_profile_error(int err)
{
    switch (err) {
    case X509_V_ERR_CA_CERT_MISSING_KEY_USAGE:
    case X509_V_ERR_MISSING_SUBJECT_KEY_IDENTIFIER:
    case X509_V_ERR_MISSING_AUTHORITY_KEY_IDENTIFIER:
    case X509_V_ERR_CA_BCONS_NOT_CRITICAL:
    case X509_V_ERR_PATHLEN_INVALID_FOR_NON_CA:
    case X509_V_ERR_PATHLEN_WITHOUT_KU_KEY_CERT_SIGN:
    case X509_V_ERR_KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA:
    case X509_V_ERR_ISSUER_NAME_EMPTY:
    case X509_V_ERR_SUBJECT_NAME_EMPTY:
    case X509_V_ERR_EMPTY_SUBJECT_SAN_NOT_CRITICAL:
    case X509_V_ERR_EMPTY_SUBJECT_ALT_NAME:
    case X509_V_ERR_SIGNATURE_ALGORITHM_INCONSISTENCY:
    case X509_V_ERR_AUTHORITY_KEY_IDENTIFIER_CRITICAL:
    case X509_V_ERR_SUBJECT_KEY_IDENTIFIER_CRITICAL:
    case X509_V_ERR_EXTENSIONS_REQUIRE_VERSION_3:
        return 1;
    default:
        return 0;
    }
}

/*
 * Which of the strict profile checks are profile properties rather than
 * security properties (docs/verification.md, "Strict and lenient"): none of
 * them changes which key signed what or what a certificate may do, because
 * OpenSSL's path validation does not rely on them (it matches issuers by
 * name and verifies every signature; it enforces basicConstraints and
 * keyUsage whether or not they are critical or present).
 *   - AKI and SKI (RFC 5280 §4.2.1.1, §4.2.1.2) help build paths; SHAKEN
 *     intermediates in production lack the AKI (standards notes §10), and
 *     deployed verifiers accept them.
 *   - basicConstraints not critical on a CA (§4.2.1.9): it is processed all
 *     the same; criticality only tells verifiers that do not know it.
 *   - no keyUsage on a CA (§4.2.1.3): basicConstraints cA still decides
 *     that it is a CA; without keyUsage the key is not restricted further.
 *   - pathLenConstraint where it has no effect (§4.2.1.9: on a non-CA, or a
 *     CA whose keyUsage lacks keyCertSign, which then cannot sign
 *     certificates anyway: OpenSSL refuses it as an issuer).
 * Kept as failures: AKI or SKI marked critical (§4.2.1.1, §4.2.1.2 forbid
 * it; OpenSSL 3.0, like `openssl verify`, refuses them as unhandled critical
 * extensions before its profile check, and no deployment is known to need
 * them), empty issuer or subject names (§4.1.2.4, §4.1.2.6: the
 * path is built by names), keyCertSign on a non-CA (a certificate claiming
 * an authority it does not have; another verifier may honour it), an empty
 * or non-critical subjectAltName standing for an empty subject (§4.2.1.6),
 * signature algorithms that disagree (§4.1.1.2: what was signed with what),
 * extensions in a v1/v2 certificate.
 */
static unsigned profile_deviation(int err)
{
    switch (err) {
    case X509_V_ERR_MISSING_AUTHORITY_KEY_IDENTIFIER:
        return CLID__DEV_NO_AKI;
    case X509_V_ERR_MISSING_SUBJECT_KEY_IDENTIFIER:
        return CLID__DEV_NO_SKI;
    case X509_V_ERR_CA_BCONS_NOT_CRITICAL:
        return CLID__DEV_BC_NOT_CRITICAL;
    case X509_V_ERR_CA_CERT_MISSING_KEY_USAGE:
        return CLID__DEV_CA_NO_KEY_USAGE;
    case X509_V_ERR_PATHLEN_INVALID_FOR_NON_CA:
    case X509_V_ERR_PATHLEN_WITHOUT_KU_KEY_CERT_SIGN:
        return CLID__DEV_PATHLEN_MISPLACED;
    default:
        return 0;
    }
}

clid_err clid__chain_deviation_code(unsigned i)
{
    static const clid_err codes[CLID__DEV_COUNT] = {
        CLID_ERR_CERT_NO_AKI,           CLID_ERR_CERT_NO_SKI,
        CLID_ERR_CERT_BC_NOT_CRITICAL,  CLID_ERR_CERT_CA_NO_KEY_USAGE,
        CLID_ERR_CERT_PATHLEN_MISPLACED, CLID_ERR_CERT_KEY_USAGE_NOT_DER,
    };
    return i < CLID__DEV_COUNT ? codes[i] : CLID_ERR_INTERNAL;
}

static int verify_cb(int ok, X509_STORE_CTX *sctx)
{
    if (ok)
        return 1;
    struct verify_state *st = X509_STORE_CTX_get_app_data(sctx);
    int err = X509_STORE_CTX_get_error(sctx);
    int depth = X509_STORE_CTX_get_error_depth(sctx);
    switch (err) {
    case X509_V_ERR_UNABLE_TO_GET_CRL: {
        /* CLID_CRL_IF_PRESENT: a certificate whose issuer published no CRL
         * here is not checked. Only the absence is forgiven; a CRL that is
         * present but bad still fails. A certificate whose distribution
         * point names a CRL that crl.c checks is left to it, which then
         * applies the policy; so is the trust anchor itself, which RFC 5280
         * §6.1 takes as given (OpenSSL's CRL_CHECK_ALL asks for its CRL too;
         * the anchor's CRL is still required for what the anchor issued). */
        struct verify_state *w = X509_STORE_CTX_get_app_data(sctx);
        STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(sctx);
        if (depth >= 0 && depth < 32)
            w->unchecked |= 1u << depth;
        return st->crl_policy == CLID_CRL_IF_PRESENT ||
               (chain != NULL && depth == sk_X509_num(chain) - 1) ||
               clid__crl_dp_handles(st->trust, X509_STORE_CTX_get_current_cert(sctx));
    }
    case X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION: {
        X509 *x = X509_STORE_CTX_get_current_cert(sctx);
        return x != NULL && critical_exts_understood(x, depth == 0);
    }
    default:
        if (strict_profile_error(err)) {
            STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(sctx);
            if (chain != NULL && depth == sk_X509_num(chain) - 1 && depth > 0)
                return 1; /* the trust anchor */
            unsigned dev = profile_deviation(err);
            st->deviations |= dev;
            if (depth > 0)
                st->dev_upper |= dev;
            return dev != 0;
        }
        return 0;
    }
}

static clid_err map_verify_error(int err)
{
    switch (err) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return CLID_ERR_CERT_EXPIRED;
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return CLID_ERR_CERT_NOT_YET_VALID;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_CERT_REJECTED:
        return CLID_ERR_CERT_UNTRUSTED;
    case X509_V_ERR_CERT_CHAIN_TOO_LONG:
        return CLID_ERR_CERT_CHAIN_TOO_LONG;
    case X509_V_ERR_CERT_REVOKED:
        return CLID_ERR_CERT_REVOKED;
    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
    case X509_V_ERR_CRL_SIGNATURE_FAILURE:
    case X509_V_ERR_CRL_NOT_YET_VALID:
    case X509_V_ERR_CRL_HAS_EXPIRED:
    case X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD:
    case X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
    case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
    case X509_V_ERR_KEYUSAGE_NO_CRL_SIGN:
    case X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION:
    case X509_V_ERR_DIFFERENT_CRL_SCOPE:
    case X509_V_ERR_CRL_PATH_VALIDATION_ERROR:
        return CLID_ERR_CRL_INVALID;
    case X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION:
        return CLID_ERR_CERT_CRITICAL_EXT;
    case X509_V_ERR_OUT_OF_MEM:
        return CLID_ERR_NOMEM;
    default:
        /* Signatures, basic constraints, path length, name chaining, the
         * RFC 5280 profile checks: the chain itself is wrong. */
        return CLID_ERR_CERT_CHAIN_INVALID;
    }
}

/*
 * The RFC 9060 §4 check and the TNAuthList well-formedness over the validated
 * chain (leaf first, trust anchor last). The leaf's list was decoded at load.
 *
 * Authority over numbers only ever narrows down a certification path: every
 * TNAuthList must lie within the nearest TNAuthList above it, whatever
 * certificates lie between (comparing a list with its direct issuer's only
 * let a CA without a list reset the scope: an SP CA limited to a range could
 * issue a list-less sub-CA whose leaf claims any number). Below the first
 * certificate that carries a list, every certificate must carry one: RFC
 * 9060 §4 defines delegation only by CA certificates that carry a TNAuthList
 * and RFC 8226 §9 scopes a certificate's authority by its own list, so a
 * list-less certificate there could only claim authority its issuer never
 * had (docs/verification.md, "Delegation"). Above that first list (the
 * STI-CA and root of ATIS-1000080, which carry none) nothing is checked.
 */
#define TNAUTH_CHAIN_MAX 16

static clid_err check_tnauth_chain(const clid__trust *trust, const clid__signer_cert *c,
                                   STACK_OF(X509) *chain, char *detail, size_t cap)
{
    int n = sk_X509_num(chain);
    clid_tnauth *lists[TNAUTH_CHAIN_MAX] = {NULL}; /* decoded here, depths >= 1 */
    clid_err rc = CLID_OK;
    int spc_any = trust->tn_policy == CLID_TN_POLICY_SPC_OR_TN;

    if (n > TNAUTH_CHAIN_MAX)
        return CLID_ERR_CERT_CHAIN_TOO_LONG; /* bounded by max_depth long before */
    if (c->tnauth_err != CLID_OK && c->tnauth_err != CLID_ERR_EXT_ABSENT) {
        clid__detail(detail, cap, "TNAuthList of the certificate at depth 0: %s",
                   clid_err_str(c->tnauth_err));
        return c->tnauth_err;
    }
    for (int i = 1; i < n && rc == CLID_OK; i++) {
        clid_err e = clid_x509_get_tnauth(sk_X509_value(chain, i), &lists[i], NULL);
        if (e != CLID_OK && e != CLID_ERR_EXT_ABSENT) {
            clid__detail(detail, cap, "TNAuthList of the certificate at depth %d: %s", i,
                       clid_err_str(e));
            rc = e;
        }
    }
    /* From the trust anchor down: `above` is the nearest list seen so far. */
    int above_depth = -1;
    for (int i = n - 1; i >= 0 && rc == CLID_OK; i--) {
        const clid_tnauth *own = i == 0 ? c->tnauth : lists[i];
        const clid_tnauth *above = above_depth > 0 ? lists[above_depth] : NULL;
        if (own == NULL) {
            if (above != NULL) {
                clid__detail(detail, cap,
                           "the certificate at depth %d has no TNAuthList below the one at "
                           "depth %d",
                           i, above_depth);
                rc = CLID_ERR_DELEGATE_NO_TNAUTH;
            }
            continue;
        }
        if (above != NULL && !clid_tnauth_encompasses(above, own, spc_any)) {
            clid__detail(detail, cap, "TNAuthList at depth %d is not within the one at depth %d",
                       i, above_depth);
            rc = CLID_ERR_DELEGATE_NOT_ENCOMPASSED;
        }
        above_depth = i;
    }
    for (int i = 1; i < n; i++)
        clid_tnauth_free(lists[i]);
    return rc;
}

/*
 * The window [*from, *until] in which this success holds: every certificate
 * of the chain and every CRL that could have been consulted is within its
 * validity. OpenSSL treats a certificate or CRL as expired from its
 * notAfter / nextUpdate second on (X509_cmp_time), hence the - 1.
 */
static clid_err success_window(const clid__trust *trust, STACK_OF(X509) *chain, int64_t *from,
                               int64_t *until)
{
    int64_t lo = INT64_MIN, hi = INT64_MAX;
    for (int i = 0; i < sk_X509_num(chain); i++) {
        X509 *x = sk_X509_value(chain, i);
        int64_t nb, na;
        if (!clid__asn1_time_unix(X509_get0_notBefore(x), &nb) ||
            !clid__asn1_time_unix(X509_get0_notAfter(x), &na))
            return CLID_ERR_CERT_PARSE;
        lo = nb > lo ? nb : lo;
        hi = na - 1 < hi ? na - 1 : hi;
    }
    if (trust->crl_policy != CLID_CRL_IGNORE) {
        /* OpenSSL picks among a CA's CRLs by their time validity: bound the
         * window by every CRL issued by a CA of this chain. (Indirect CRLs
         * are not OpenSSL's here, X509_V_FLAG_EXTENDED_CRL_SUPPORT is off:
         * crl.c checks them on every verification, outside this memo.) */
        for (int j = 0; j < sk_X509_CRL_num(trust->crls); j++) {
            X509_CRL *crl = sk_X509_CRL_value(trust->crls, j);
            int relevant = 0;
            for (int i = 0; i < sk_X509_num(chain) && !relevant; i++)
                relevant = X509_NAME_cmp(X509_CRL_get_issuer(crl),
                                         X509_get_issuer_name(sk_X509_value(chain, i))) == 0;
            if (!relevant)
                continue;
            int64_t last, next;
            if (!clid__asn1_time_unix(X509_CRL_get0_lastUpdate(crl), &last))
                return CLID_ERR_CRL_INVALID;
            lo = last > lo ? last : lo;
            if (X509_CRL_get0_nextUpdate(crl) != NULL) {
                if (!clid__asn1_time_unix(X509_CRL_get0_nextUpdate(crl), &next))
                    return CLID_ERR_CRL_INVALID;
                hi = next - 1 < hi ? next - 1 : hi;
            }
        }
    }
    *from = lo;
    *until = hi;
    return CLID_OK;
}

/*
 * X.690 §11.2.2: the DER of a BIT STRING with named bits (KeyUsage, RFC
 * 5280 §4.2.1.3) has no trailing zero bits: the last bit it encodes is a
 * 1. OpenSSL reads `03 02 00 80` (digitalSignature with seven zero bits
 * after it), which 317 production SHAKEN certificates carry (standards
 * notes §10), as `03 02 07 80`; the meaning is the same, and the signature
 * covers the bytes as they are, so this is a profile deviation.
 */
static int key_usage_not_der(X509 *x)
{
    int idx = X509_get_ext_by_NID(x, NID_key_usage, -1);
    if (idx < 0)
        return 0;
    const ASN1_OCTET_STRING *os = X509_EXTENSION_get_data(X509_get_ext(x, idx));
    const unsigned char *p = ASN1_STRING_get0_data(os);
    int n = ASN1_STRING_length(os);
    if (n < 3 || p[0] != 0x03)
        return 0; /* not a BIT STRING: OpenSSL has refused it already */
    if (p[1] != n - 2)
        return 1; /* not the one short-form length */
    unsigned unused = p[2];
    if (n == 3)
        return unused != 0;
    unsigned last = p[n - 1];
    return unused > 7 || (last & ((1u << unused) - 1)) != 0 || ((last >> unused) & 1u) == 0;
}

/* Deviations OpenSSL does not report, over the validated chain but its
 * trust anchor. */
static unsigned chain_der_deviations(STACK_OF(X509) *chain)
{
    unsigned dev = 0;
    for (int i = 0; i + 1 < sk_X509_num(chain); i++)
        if (key_usage_not_der(sk_X509_value(chain, i)))
            dev |= CLID__DEV_KEY_USAGE_NOT_DER;
    return dev;
}

/* Checks on the validated chain that OpenSSL does not make. */
static clid_err check_validated(const clid__trust *trust, const clid__signer_cert *c,
                                STACK_OF(X509) *chain, char *detail, size_t cap)
{
    X509 *leaf = sk_X509_value(chain, 0);
    /* RFC 5280 §4.2.1.9: a CA key signs certificates and CRLs; a PASSporT
     * signer is an end entity. Refuse cA set whatever the keyUsage says
     * (X509_check_ca alone answers "not a CA" for cA with a keyUsage lacking
     * keyCertSign), and what X509_check_ca calls a CA (e.g. keyCertSign
     * without basicConstraints). */
    if ((X509_get_extension_flags(leaf) & EXFLAG_CA) != 0 || X509_check_ca(leaf) != 0) {
        clid__detail(detail, cap, "the signer certificate is a CA certificate");
        return CLID_ERR_CERT_PURPOSE;
    }
    /* RFC 5280 §4.2.1.3: when keyUsage is present it limits the key; a
     * PASSporT signature needs digitalSignature. (No keyUsage: all bits.) */
    if ((X509_get_key_usage(leaf) & KU_DIGITAL_SIGNATURE) == 0) {
        clid__detail(detail, cap, "the signer certificate's keyUsage lacks digitalSignature");
        return CLID_ERR_CERT_PURPOSE;
    }
    if (c->key == NULL) {
        clid__detail(detail, cap, "the signer certificate's key is not EC P-256");
        return c->key_err != CLID_OK ? c->key_err : CLID_ERR_KEY_TYPE;
    }
    return check_tnauth_chain(trust, c, chain, detail, cap);
}

/* The revocation checks' view of the validated chain: one made earlier for
 * the same chain and configuration, else a new one, kept with the entry. */
static clid_err chain_path(const clid__trust *trust, clid__signer_cert *c, STACK_OF(X509) *chain,
                           unsigned unchecked, const clid__crl_path **out, char *detail,
                           size_t cap)
{
    clid__crl_path *head = __atomic_load_n(&c->paths, __ATOMIC_ACQUIRE);
    for (clid__crl_path *p = head; p != NULL; p = p->next)
        if (clid__crl_path_matches(p, chain, trust->generation, unchecked)) {
            *out = p;
            return CLID_OK;
        }
    clid__crl_path *p = NULL;
    CLID_TRY(clid__crl_path_new(chain, trust->generation, unchecked, &p, detail, cap));
    p->next = head;
    while (!__atomic_compare_exchange_n(&c->paths, &p->next, p, 1, __ATOMIC_RELEASE,
                                        __ATOMIC_ACQUIRE))
        ;
    *out = p;
    return CLID_OK;
}

static clid_err path_validate(const clid__trust *trust, clid__issuer_cache *ic,
                              clid__signer_cert *c, int64_t at, char *detail, size_t cap,
                              int64_t *from, int64_t *until, const clid__crl_path **path,
                              unsigned *deviations)
{
    clid_err rc = CLID_ERR_NOMEM;
    X509_STORE_CTX *sctx = X509_STORE_CTX_new();
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    struct verify_state st = {.crl_policy = trust->crl_policy, .trust = trust, .deviations = 0};

    if (sctx == NULL || untrusted == NULL)
        goto out;
    for (int i = 1; i < sk_X509_num(c->chain); i++)
        if (!sk_X509_push(untrusted, sk_X509_value(c->chain, i)))
            goto out;
    rc = CLID_ERR_INTERNAL;
    if (X509_STORE_CTX_init(sctx, trust->store, sk_X509_value(c->chain, 0), untrusted) != 1)
        goto out;
    X509_STORE_CTX_set_app_data(sctx, &st);
    X509_STORE_CTX_set_verify_cb(sctx, verify_cb);

    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(sctx);
    X509_VERIFY_PARAM_set_time(param, (time_t)at);
    /* OpenSSL's depth counts intermediates only; clid's counts every
     * certificate below the trust anchor, the leaf included. */
    X509_VERIFY_PARAM_set_depth(param, (int)trust->max_depth - 1);
    /* Strict: the RFC 5280 profile checks (AKI/SKI, keyUsage on CAs, critical
     * basicConstraints, non-empty names) on every certificate below the
     * anchor. STIR chains come from STI-CAs that follow ATIS-1000080, which
     * requires them. */
    unsigned long flags = X509_V_FLAG_X509_STRICT;
    if (trust->crl_policy != CLID_CRL_IGNORE) {
        /* RFC 5280 §6.3 for every certificate of the chain, not only the
         * leaf: a revoked intermediate revokes everything below it. */
        X509_STORE_CTX_set0_crls(sctx, trust->crls);
        flags |= X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
    }
    X509_VERIFY_PARAM_set_flags(param, flags);

    int ok = X509_verify_cert(sctx);
    if (ok != 1) {
        int err = X509_STORE_CTX_get_error(sctx);
        if (err == X509_V_OK) {
            rc = CLID_ERR_INTERNAL;
            clid__detail(detail, cap, "X509_verify_cert failed without a reason");
        } else {
            rc = map_verify_error(err);
            clid__detail(detail, cap, "%s (certificate at depth %d)",
                       X509_verify_cert_error_string(err), X509_STORE_CTX_get_error_depth(sctx));
        }
        goto out;
    }
    STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(sctx);
    if (chain == NULL || sk_X509_num(chain) < 1) {
        rc = CLID_ERR_INTERNAL;
        goto out;
    }
    rc = check_validated(trust, c, chain, detail, cap);
    if (rc == CLID_OK)
        rc = clid__profile_enforce(trust, c, chain, detail, cap);
    if (rc == CLID_OK)
        rc = success_window(trust, chain, from, until);
    if (rc == CLID_OK)
        rc = chain_path(trust, c, chain, st.unchecked, path, detail, cap);
    if (rc == CLID_OK)
        *deviations = st.deviations | chain_der_deviations(chain);
    /* The path above this leaf is now known good under this configuration
     * over [from, until]: a new leaf of the same intermediate can be
     * validated against it (fast_validate). */
    if (rc == CLID_OK && *from <= at && at <= *until)
        clid__issuer_cache_put(ic, chain, trust->generation, *from, *until, st.dev_upper,
                               st.unchecked);
out:
    X509_STORE_CTX_free(sctx);
    sk_X509_free(untrusted);
    return rc;
}

/*
 * Whether CRL `crl` of the intermediate `iss` is one that OpenSSL's
 * X509_V_FLAG_CRL_CHECK would take and accept for a leaf of `iss`, whatever
 * the leaf: a complete direct CRL (no issuingDistributionPoint, no delta,
 * no critical extension), with nextUpdate (RFC 5280 §5.1.2.5), its AKI (if
 * any) naming `iss`'s key by identifier only, `iss` allowed to sign CRLs
 * (keyUsage cRLSign when it has a keyUsage, §4.2.1.3) and the signature
 * verified with `iss`'s key. Anything else: 0, and the full validation
 * decides.
 */
static int crl_usable(X509_CRL *crl, X509 *iss)
{
    if (X509_CRL_get0_nextUpdate(crl) == NULL)
        return 0;
    for (int i = 0; i < X509_CRL_get_ext_count(crl); i++)
        if (X509_EXTENSION_get_critical(X509_CRL_get_ext(crl, i)))
            return 0;
    if (X509_CRL_get_ext_by_NID(crl, NID_issuing_distribution_point, -1) >= 0 ||
        X509_CRL_get_ext_by_NID(crl, NID_delta_crl, -1) >= 0)
        return 0;
    int crit = 0;
    AUTHORITY_KEYID *akid = X509_CRL_get_ext_d2i(crl, NID_authority_key_identifier, &crit, NULL);
    if (akid == NULL && crit != -1)
        return 0; /* present but not decodable, or repeated */
    if (akid != NULL) {
        const ASN1_OCTET_STRING *skid = X509_get0_subject_key_id(iss);
        int ok = akid->issuer == NULL && akid->serial == NULL &&
                 (akid->keyid == NULL ||
                  (skid != NULL && ASN1_OCTET_STRING_cmp(akid->keyid, skid) == 0));
        AUTHORITY_KEYID_free(akid);
        if (!ok)
            return 0;
    }
    if ((X509_get_extension_flags(iss) & EXFLAG_KUSAGE) != 0 &&
        (X509_get_key_usage(iss) & KU_CRL_SIGN) == 0)
        return 0;
    EVP_PKEY *key = X509_get0_pubkey(iss);
    return key != NULL && X509_CRL_verify(crl, key) == 1;
}

/* crl_usable, remembered in the entry (the same CRL object under the same
 * generation is the same CRL). */
static int crl_usable_memo(clid__issuer *e, X509_CRL *crl)
{
    for (int i = 0; i < CLID__ISSUER_CRL_MEMO; i++)
        if (__atomic_load_n(&e->crl_ok[i], __ATOMIC_ACQUIRE) == crl)
            return 1;
    if (!crl_usable(crl, e->upper[0]))
        return 0;
    for (int i = 0; i < CLID__ISSUER_CRL_MEMO; i++) {
        const X509_CRL *expected = NULL;
        if (__atomic_compare_exchange_n(&e->crl_ok[i], &expected, crl, 0, __ATOMIC_RELEASE,
                                        __ATOMIC_RELAXED) ||
            expected == crl)
            break;
    }
    return 1;
}

/*
 * The leaf's revocation against the CRLs of the context, as the full
 * validation's X509_V_FLAG_CRL_CHECK(_ALL) does it at depth 0, without
 * verifying the same CRL's signature for every new leaf: the CRLs issued
 * by the leaf's issuer (by name, as OpenSSL selects them) must all be
 * usable (crl_usable) and current at `at` (thisUpdate <= at < nextUpdate,
 * X509_cmp_time's rule), and none may list the leaf. With none at all, the
 * leaf is unchecked (bit 0 of *unchecked) and passes only where verify_cb
 * lets X509_V_ERR_UNABLE_TO_GET_CRL pass. 1: the full validation would
 * accept the leaf's revocation state; 0: let it decide (a listed leaf, a
 * CRL of another form, a stale one).
 */
static int leaf_crl_ok(const clid__trust *trust, clid__issuer *e, X509 *leaf, int64_t at,
                       unsigned *unchecked)
{
    if (trust->crl_policy == CLID_CRL_IGNORE)
        return 1;
    const X509_NAME *iss_name = X509_get_subject_name(e->upper[0]);
    int found = 0;
    for (int j = 0; j < sk_X509_CRL_num(trust->crls); j++) {
        X509_CRL *crl = sk_X509_CRL_value(trust->crls, j);
        if (X509_NAME_cmp(X509_CRL_get_issuer(crl), iss_name) != 0)
            continue;
        found = 1;
        int64_t last, next;
        if (!clid__asn1_time_unix(X509_CRL_get0_lastUpdate(crl), &last) ||
            !clid__asn1_time_unix(X509_CRL_get0_nextUpdate(crl), &next) ||
            !(last <= at && at < next) || !crl_usable_memo(e, crl))
            return 0;
        X509_REVOKED *r = NULL;
        if (X509_CRL_get0_by_cert(crl, &r, leaf) != 0)
            return 0; /* listed: the full validation says how */
    }
    if (found)
        return 1;
    *unchecked |= 1u;
    return trust->crl_policy == CLID_CRL_IF_PRESENT || clid__crl_dp_handles(trust, leaf);
}

/*
 * A new leaf under an intermediate whose path to a trust anchor OpenSSL
 * validated in full under this configuration (issuer_cache.h): OpenSSL
 * validates the leaf alone, with that intermediate as its only trust
 * anchor (X509_V_FLAG_PARTIAL_CHAIN), so the leaf's issuer is found by
 * name and AKI/SKI and its signature checked with THAT intermediate's key,
 * and its validity, extensions, the RFC 5280 profile
 * (X509_V_FLAG_X509_STRICT) and the intermediate's name constraints are
 * checked by OpenSSL as in the full validation. The leaf's CRL is
 * leaf_crl_ok's: the intermediate's CRLs, found usable once (signature
 * included), looked up for the leaf. What the full validation checked
 * above the leaf is the cached entry's: it is used only under the same
 * context generation (anchors, CRLs and policy unchanged) and inside its
 * window (every certificate above and every CRL of their issuers valid at
 * `at`); certificates above the intermediate with constraints on what lies
 * below them are never cached (issuer_cache.h). The checks that follow
 * OpenSSL's (check_validated, the profile, RFC 9060 delegation, the
 * window, the distribution-point CRLs) run on the whole chain, leaf +
 * cached path, as after a full validation.
 *
 * It only ever accepts: 1 when the chain holds, with the same window
 * inputs, validated path and deviations as a full validation; 0 for
 * anything else (no entry, a served chain that is not the cached path, any
 * failure), and the full validation then decides, so every failure and its
 * reason are those of the full path (docs/verification.md, "Validated
 * intermediates").
 */
static int fast_validate(const clid__trust *trust, clid__issuer_cache *ic, clid__signer_cert *c,
                         int64_t at, int64_t *from, int64_t *until, const clid__crl_path **path,
                         unsigned *deviations)
{
    int n = sk_X509_num(c->chain);
    uint8_t h[32];
    unsigned int hlen = 0;
    if (ic == NULL || n < 2 ||
        X509_digest(sk_X509_value(c->chain, 1), EVP_sha256(), h, &hlen) != 1 || hlen != 32)
        return 0;
    clid__issuer *e = clid__issuer_cache_find(ic, h, trust->generation, at);
    if (e == NULL)
        return 0;
    int ok = 0;
    X509_STORE_CTX *sctx = NULL;
    STACK_OF(X509) *full = NULL;
    X509 *leaf = sk_X509_value(c->chain, 0);
    struct verify_state st = {.crl_policy = trust->crl_policy, .trust = trust};

    /* The chain as served above the leaf is the validated path, or its
     * beginning (the anchor is often left out): nothing else is trusted. */
    if (n - 1 > e->n)
        goto out;
    for (int i = 1; i < n; i++)
        if (X509_cmp(sk_X509_value(c->chain, i), e->upper[i - 1]) != 0)
            goto out;
    sctx = X509_STORE_CTX_new();
    if (sctx == NULL || X509_STORE_CTX_init(sctx, e->anchor, leaf, NULL) != 1)
        goto out;
    X509_STORE_CTX_set_app_data(sctx, &st);
    X509_STORE_CTX_set_verify_cb(sctx, verify_cb);
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(sctx);
    X509_VERIFY_PARAM_set_time(param, (time_t)at);
    X509_VERIFY_PARAM_set_depth(param, (int)trust->max_depth - 1);
    /* No CRL flags: the leaf's CRL is leaf_crl_ok's (below), the
     * intermediate's revocation (and the anchor's CRL over it) the cached
     * validation's, bound to the CRLs of this generation and their window. */
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT | X509_V_FLAG_PARTIAL_CHAIN);
    if (X509_verify_cert(sctx) != 1)
        goto out;
    STACK_OF(X509) *vc = X509_STORE_CTX_get0_chain(sctx);
    if (vc == NULL || sk_X509_num(vc) != 2 || sk_X509_value(vc, 0) != leaf ||
        X509_cmp(sk_X509_value(vc, 1), e->upper[0]) != 0)
        goto out;

    full = sk_X509_new_reserve(NULL, e->n + 1);
    if (full == NULL || !sk_X509_push(full, leaf))
        goto out;
    for (int i = 0; i < e->n; i++)
        if (!sk_X509_push(full, e->upper[i]))
            goto out;
    int64_t lo = 0, hi = -1;
    if (check_validated(trust, c, full, NULL, 0) != CLID_OK ||
        clid__profile_enforce(trust, c, full, NULL, 0) != CLID_OK ||
        success_window(trust, full, &lo, &hi) != CLID_OK)
        goto out;
    lo = e->from > lo ? e->from : lo;
    hi = e->until < hi ? e->until : hi;
    if (!(lo <= at && at <= hi))
        goto out;
    /* Which depths had no CRL, as CRL_CHECK_ALL would have found them: the
     * leaf's from leaf_crl_ok, the others from the cached validation. */
    unsigned unchecked = e->unchecked;
    if (!leaf_crl_ok(trust, e, leaf, at, &unchecked))
        goto out;
    if (chain_path(trust, c, full, unchecked, path, NULL, 0) != CLID_OK)
        goto out;
    *deviations = st.deviations | e->dev | chain_der_deviations(full);
    *from = lo;
    *until = hi;
    ok = 1;
out:
    sk_X509_free(full);
    X509_STORE_CTX_free(sctx);
    clid__issuer_release(e);
    return ok;
}

/* The memoized path validation: *path is the validated chain and
 * *deviations its profile deviations, the same whether the memo answered or
 * OpenSSL ran. */
static clid_err validate_chain(const clid__trust *trust, clid__issuer_cache *ic,
                               clid__signer_cert *c, int64_t at, char *detail, size_t detail_cap,
                               const clid__crl_path **path, unsigned *deviations)
{
    if (memo_covers(c, trust->generation, at, path, deviations))
        return CLID_OK;
    /* A chain already found not to conform to the required profile under
     * this configuration is refused without validating it again. */
    clid_err profile_rc = CLID_OK;
    if (clid__profile_memo_get(trust, c, &profile_rc, detail, detail_cap) && profile_rc != CLID_OK)
        return profile_rc;

    int64_t from = 0, until = -1;
    ERR_set_mark();
    if (fast_validate(trust, ic, c, at, &from, &until, path, deviations)) {
        ERR_pop_to_mark();
        clid__issuer_cache_count_hit(ic);
        memo_store(c, trust->generation, from, until, *path, *deviations);
        return CLID_OK;
    }
    __atomic_add_fetch(&c->openssl_runs, 1, __ATOMIC_RELAXED);
    clid_err rc =
        path_validate(trust, ic, c, at, detail, detail_cap, &from, &until, path, deviations);
    ERR_pop_to_mark();
    /* `at` lies inside the window whenever OpenSSL accepted the chain at
     * `at`; checking it keeps a clock quirk from poisoning the memo. */
    if (rc == CLID_OK && from <= at && at <= until)
        memo_store(c, trust->generation, from, until, *path, *deviations);
    return rc;
}

clid_err clid__signer_cert_validate_rev(const clid__trust *trust, clid__signer_cert *c,
                                        int64_t at, struct clid__crl_store *store,
                                        clid__revocation *rev, unsigned *deviations,
                                        char *detail, size_t detail_cap)
{
    return clid__signer_cert_validate_ic(trust, NULL, c, at, store, rev, deviations, detail,
                                         detail_cap);
}

clid_err clid__signer_cert_validate_ic(const clid__trust *trust, clid__issuer_cache *ic,
                                       clid__signer_cert *c, int64_t at,
                                       struct clid__crl_store *store, clid__revocation *rev,
                                       unsigned *deviations, char *detail, size_t detail_cap)
{
    unsigned dev = 0;
    if (deviations != NULL)
        *deviations = 0;
    CLID_ENSURE(trust != NULL && c != NULL && c->chain != NULL, CLID_ERR_INVALID_ARGUMENT);
    if (detail != NULL && detail_cap > 0)
        detail[0] = '\0';
    clid__revocation ignored;
    if (rev == NULL)
        rev = &ignored;
    *rev = (clid__revocation){0};
    const clid__crl_path *path = NULL;
    CLID_TRY(validate_chain(trust, ic, c, at, detail, detail_cap, &path, &dev));
    if (deviations != NULL)
        *deviations = dev;
    return clid__crl_check(trust, store, path, at, rev, detail, detail_cap);
}

clid_err clid__signer_cert_validate_dev(const clid__trust *trust, clid__signer_cert *c,
                                        int64_t at, char *detail, size_t detail_cap,
                                        unsigned *deviations)
{
    return clid__signer_cert_validate_rev(trust, c, at, NULL, NULL, deviations, detail,
                                          detail_cap);
}

clid_err clid__signer_cert_validate(const clid__trust *trust, clid__signer_cert *c, int64_t at,
                                    char *detail, size_t detail_cap)
{
    return clid__signer_cert_validate_rev(trust, c, at, NULL, NULL, NULL, detail, detail_cap);
}
