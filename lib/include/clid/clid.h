/*
 * clid: certificate-based calling line identity for SIP.
 *
 * The one header most users include. It declares:
 *   - telephone number canonicalization (RFC 8224 §8.3);
 *   - clid_ctx: trust anchors, CRLs, verification policy and the clock;
 *   - clid_signer: builds PASSporTs (RFC 8225, ppt "shaken" RFC 8588, "div"
 *     RFC 8946) and RFC 8224 Identity header values;
 *   - clid_verifier: the verification pipeline (docs/verification.md) with
 *     a cache of parsed and validated certificates;
 *   - clid_result: what a verification found.
 *
 * Conventions for every function here:
 * Ownership: handles returned through `out` belong to the caller and are
 *   released with the matching _free (NULL is a no-op). Strings returned by
 *   getters are borrowed and live as long as the handle they came from.
 * Thread safety: a clid_ctx or clid_signer is configured by one thread and
 *   then only read; after configuration it may be shared by any number of
 *   threads. A clid_verifier is safe to share (its cache locks internally).
 *   A clid_result belongs to one thread at a time. No function starts a
 *   thread, and all state lives in handles (no hidden globals; the asn1c
 *   runtime is primed once under pthread_once, see asn1_codec.c).
 * Fork: handles may be used in a child after fork(); a verifier's cache
 *   notices the new process and starts empty.
 * Time: never read behind the caller's back. Each ctx and signer has a clock
 *   callback (default: time()); a verification may also pass an explicit
 *   "now" (trace analysis).
 * Errors: every fallible function returns clid_err (clid_errors.h);
 *   CLID_ERR_INVALID_ARGUMENT for NULL handles or pointers.
 */
#ifndef CLID_H
#define CLID_H

#include <stddef.h>
#include <stdint.h>

#include <clid/clid_errors.h>
#include <clid/clid_export.h>
#include <clid/clid_ext.h>
#include <clid/clid_lint.h>
#include <clid/clid_version.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Telephone numbers (RFC 8224 §8.3)                                         */
/* ------------------------------------------------------------------------ */

#define CLID_TN_BUF 16 /* 15 characters and the NUL */

/*
 * Canonicalizes the user part of a tel: or sip: URI, or a bare number, as
 * RFC 8224 §8.3 says: URI parameters (";tgrp=...", ";user=phone") are cut
 * off first, visual separators ("-", ".", "(", ")", and spaces) removed, a
 * leading "+" dropped. What remains must be 1..15 of "0123456789#*", else
 * CLID_ERR_BAD_TN. `out` needs CLID_TN_BUF bytes and is "" on failure.
 * A local number (no leading "+") with a ";phone-context=" parameter is
 * globalized (RFC 3966 §5.1.5, RFC 8224 §8.3): when the context is a global
 * number prefix ("+" and digits, visual separators allowed) the result is
 * the prefix's digits followed by the local number's ("5551212;
 * phone-context=+1-212" gives "12125551212"); a domain context, or a prefix
 * that is not one, is CLID_ERR_TN_PHONE_CONTEXT: such a number cannot be
 * named globally and is never signed or matched. A global number ("+...")
 * with a phone-context parameter is CLID_ERR_TN_PHONE_CONTEXT too (RFC 3966
 * §5.1.5 allows the parameter on local numbers only), and so are the
 * parameter given twice or empty (RFC 3966 §3: exactly one context) and a
 * local service code with '#' or '*' (no prefix makes it global). The
 * parameter name is case-insensitive and may stand anywhere among the
 * parameters; a globalized number longer than 15 digits is CLID_ERR_BAD_TN.
 * Whole URIs are accepted too: a leading "tel:", "sip:" or "sips:" (any
 * case) is skipped and everything from the first ';', '@' or '?' is cut, so
 * "sip:+1-215-555-1212;tgrp=x@example.com;user=phone" gives "12155551212".
 * Not accepted: name-addr forms ("<sip:...>", display names) and %-escapes.
 * Inputs longer than 256 characters are refused (CLID_ERR_BAD_TN).
 */
CLID_API CLID_WUR clid_err clid_tn_canonicalize(const char *in, char out[CLID_TN_BUF]);

/* ------------------------------------------------------------------------ */
/* Context: trust, policy, clock                                             */
/* ------------------------------------------------------------------------ */

/* Seconds since the Unix epoch. */
typedef int64_t (*clid_clock_fn)(void *arg);

typedef struct clid_ctx clid_ctx;

/* How a TNAuthList authorizes the orig TN (docs/verification.md). */
typedef enum clid_tn_policy {
    CLID_TN_POLICY_SPC_OR_TN = 0, /* SHAKEN: an SPC entry authorizes any TN (default) */
    CLID_TN_POLICY_TN_REQUIRED = 1 /* a TN or range entry must cover the orig TN */
} clid_tn_policy;

/*
 * When CRLs are consulted. Whenever a certificate is checked, its issuer's
 * CRL must be signed by that issuer and current at the verification time,
 * else CLID_ERR_CRL_INVALID; a listed certificate is CLID_ERR_CERT_REVOKED.
 * A CRL whose authorityKeyIdentifier names another key is not the issuer's
 * CRL (RFC 5280 §6.3.3) and is not used.
 */
typedef enum clid_crl_policy {
    CLID_CRL_IF_PRESENT = 0, /* check every certificate whose issuer's CRL is loaded; skip
                                the others (default). A certificate whose CRL distribution
                                point names a CRL that cannot be had (see "Revocation as
                                deployed" below) passes with the warning
                                CLID_ERR_CRL_UNAVAILABLE */
    CLID_CRL_REQUIRED = 1,   /* every certificate of the chain needs its issuer's CRL, so
                                every CA of the chain, the trust anchor included, must
                                have one loaded; missing is CLID_ERR_CRL_INVALID. A
                                certificate whose CRL distribution point names a CRL is
                                covered by that CRL instead, and fails with
                                CLID_ERR_CRL_UNAVAILABLE when it cannot be had */
    CLID_CRL_IGNORE = 2      /* never check revocation */
} clid_crl_policy;

/* Defaults (DESIGN.md "Defaults that matter"). */
#define CLID_DEFAULT_MAX_AGE 60        /* seconds an iat may lie in the past */
#define CLID_DEFAULT_MAX_SKEW 60       /* seconds an iat may lie in the future */
#define CLID_DEFAULT_MAX_CHAIN_DEPTH 4 /* certificates below the trust anchor */
#define CLID_IDENTITY_MAX_LEN 8192     /* an Identity header value */
#define CLID_CHAIN_MAX_LEN 65536       /* a PEM certificate chain */

CLID_API CLID_WUR clid_err clid_ctx_new(clid_ctx **out);
CLID_API void clid_ctx_free(clid_ctx *ctx);

/* Trust anchors: PEM files with one or more CA certificates, a directory of
 * such files (every regular file ending in .pem or .crt, hidden files
 * excepted), or a buffer. Text outside the PEM blocks is allowed (RFC 7468
 * §2); a block that is not a well-formed CERTIFICATE, or a file or directory
 * without any certificate, is CLID_ERR_CERT_PARSE and adds nothing (each
 * call is all or nothing); an unreadable file or directory is CLID_ERR_IO.
 * Anchors are taken as configured: RFC 5280 profile checks (keyUsage,
 * key identifiers) apply to the certificates below them only. */
CLID_API CLID_WUR clid_err clid_ctx_add_trust_file(clid_ctx *ctx, const char *path);
CLID_API CLID_WUR clid_err clid_ctx_add_trust_dir(clid_ctx *ctx, const char *dir);
CLID_API CLID_WUR clid_err clid_ctx_add_trust_pem(clid_ctx *ctx, const char *pem, size_t len);
/* CRLs: one DER CRL, or PEM with one or more X509 CRL blocks, else
 * CLID_ERR_CERT_PARSE. Their signatures are checked against the chain's CA
 * during verification, not at load time. */
CLID_API CLID_WUR clid_err clid_ctx_add_crl_file(clid_ctx *ctx, const char *path);
CLID_API CLID_WUR clid_err clid_ctx_add_crl_pem(clid_ctx *ctx, const char *pem, size_t len);
CLID_API CLID_WUR clid_err clid_ctx_set_crl_policy(clid_ctx *ctx, clid_crl_policy p);

/* Offline certificate retrieval: the chain for `url` is the PEM in `path`
 * (read now) or `pem`, at most CLID_CHAIN_MAX_LEN bytes
 * (CLID_ERR_X5U_TOO_LARGE). The contents are parsed when a verification
 * uses them, so a deliberately broken chain can be mapped for tests. The
 * URL is printable ASCII without spaces, at most 4096 bytes; mapping a URL
 * again replaces its chain. Consulted before any fetcher. */
CLID_API CLID_WUR clid_err clid_ctx_add_x5u_file(clid_ctx *ctx, const char *url, const char *path);
CLID_API CLID_WUR clid_err clid_ctx_add_x5u_pem(clid_ctx *ctx, const char *url, const char *pem,
                                                size_t len);

/*
 * Certificate retrieval for URLs the offline map does not hold. The callback
 * stores at most `cap` bytes of the PEM chain for `url` into `buf` and their
 * number into *len, and may set *max_age_s to how long the response may be
 * cached (-1 when the server said nothing). It returns CLID_OK or one of the
 * CLID_ERR_X5U_* codes. It may be called from several threads at once.
 * clid_fetch.h provides a libcurl fetcher with a URL policy and a cache.
 */
typedef clid_err (*clid_fetch_fn)(void *arg, const char *url, uint8_t *buf, size_t cap,
                                  size_t *len, int64_t *max_age_s);
CLID_API CLID_WUR clid_err clid_ctx_set_fetcher(clid_ctx *ctx, clid_fetch_fn fn, void *arg);

/*
 * Revocation as deployed (docs/verification.md, "Revocation"). A
 * certificate's CRL Distribution Points extension (RFC 5280 §4.2.1.13) names
 * the CRL that covers it. In SHAKEN (ATIS-1000080) that is one CRL published
 * by the policy administrator: an HTTPS URL and a cRLIssuer naming the STI-PA
 * CRL signer, i.e. an indirect CRL (RFC 5280 §5.2.5) whose entries name the
 * certificate issuer they belong to (§5.3.3). For every certificate below
 * the trust anchor whose distribution point has a cRLIssuer, clid takes the
 * CRL from those loaded with clid_ctx_add_crl_* (matched by issuer name) or,
 * with a CRL fetcher, from the distribution point's URL; with a CRL fetcher,
 * a distribution point without cRLIssuer whose issuer's CRL is not loaded is
 * fetched too (a direct CRL, signed by the certificate's issuer). A CRL is
 * used when its signer is a certificate added here or a trust anchor, with
 * the subject the CRL names as issuer, keyUsage cRLSign when it has a
 * keyUsage, and (for an added one) a certification path to a trust anchor at
 * the verification time; its issuingDistributionPoint must mark it indirect
 * when it is, and cover the certificate. A revoked entry for the
 * certificate's issuer and serial is CLID_ERR_CERT_REVOKED; a CRL that is
 * present but unusable (bad signature, unknown signer, unknown critical
 * extension) is CLID_ERR_CRL_INVALID; no current CRL is
 * CLID_ERR_CRL_UNAVAILABLE, a warning or the failure per clid_crl_policy.
 */
/* Certificates allowed to sign CRLs for other issuers (the STI-PA CRL
 * signer): PEM with one or more certificates, as for trust anchors. They are
 * not trust anchors. */
CLID_API CLID_WUR clid_err clid_ctx_add_crl_signer_file(clid_ctx *ctx, const char *path);
CLID_API CLID_WUR clid_err clid_ctx_add_crl_signer_pem(clid_ctx *ctx, const char *pem,
                                                       size_t len);
/* Largest CRL a CRL fetcher is handed a buffer for. */
#define CLID_CRL_MAX_LEN (4u * 1024u * 1024u)
/*
 * CRL retrieval: a clid_fetch_fn as for x5u, given a buffer of
 * CLID_CRL_MAX_LEN bytes, storing one CRL (DER or PEM); *max_age_s is how
 * long it may be kept before asking again (-1: the CRL's nextUpdate
 * decides). clid_fetch.h's clid_fetcher_fetch_crl is one. A CRL is fetched
 * only after the chain naming it validated, only for URLs under a prefix
 * added with clid_ctx_add_crl_url_prefix, and kept by the verifier until
 * its nextUpdate (at most 24 h, then asked again). NULL: no retrieval.
 */
CLID_API CLID_WUR clid_err clid_ctx_set_crl_fetcher(clid_ctx *ctx, clid_fetch_fn fn, void *arg);
/* Allows fetching CRL URLs that begin with `prefix` at a boundary: the
 * prefix ends with '/', or the URL continues with '/' or ends there
 * ("https://crl.example" allows "https://crl.example/x.crl", not
 * "https://crl.example.evil/"). Bytes compared exactly; printable ASCII
 * without spaces, 1..4096 bytes; at most 64 prefixes. None: nothing is
 * fetched. */
CLID_API CLID_WUR clid_err clid_ctx_add_crl_url_prefix(clid_ctx *ctx, const char *prefix);

/*
 * Rich Call Data content (RFC 9795; docs/rcd.md). An rcd claim may name a
 * jCard ("jcl") or an icon ("icn") by URL, with an "rcdi" digest of the
 * content. The verifier retrieves that content only to check its digest,
 * and presents it (clid_result_rcd_*) only when the digest matched:
 *   - offline: clid_ctx_add_rcd_content maps a URL to its bytes (tests,
 *     trace analysis), consulted first;
 *   - online: a clid_fetch_fn (clid_fetch.h's clid_fetcher_fetch_rcd: the
 *     x5u URL and address policy, cache and timeouts), handed a buffer of
 *     CLID_RCD_JCARD_MAX_LEN or CLID_RCD_ICON_MAX_LEN bytes.
 * Neither: URL content is not checked and not presented (the warning
 * CLID_ERR_RCD_CONTENT_UNAVAILABLE), while the signed values (nam, crn,
 * inline jcd) still are. Content is fetched only after the PASSporT's
 * signature and the signer's authority verified, and at most
 * CLID_RCD_MAX_FETCHES URLs per PASSporT.
 */
#define CLID_RCD_JCARD_MAX_LEN (64u * 1024u)  /* a jCard (inline or fetched) */
#define CLID_RCD_ICON_MAX_LEN (512u * 1024u)  /* an icon or logo */
#define CLID_RCD_MAX_FETCHES 4
CLID_API CLID_WUR clid_err clid_ctx_set_rcd_fetcher(clid_ctx *ctx, clid_fetch_fn fn, void *arg);
/* The URL as for clid_ctx_add_x5u_pem; at most CLID_RCD_ICON_MAX_LEN bytes
 * (CLID_ERR_RCD_CONTENT_INVALID); mapping a URL again replaces it. */
CLID_API CLID_WUR clid_err clid_ctx_add_rcd_content(clid_ctx *ctx, const char *url,
                                                    const uint8_t *data, size_t len);

/* Freshness: an iat older than max_age or further than max_skew in the
 * future is refused (403 Stale Date). */
CLID_API CLID_WUR clid_err clid_ctx_set_freshness(clid_ctx *ctx, unsigned max_age_s,
                                                  unsigned max_skew_s);
CLID_API CLID_WUR clid_err clid_ctx_set_tn_policy(clid_ctx *ctx, clid_tn_policy p);
/* Accepted ppt values; the default is {"shaken"}. Calling this the first
 * time replaces the default. Up to 4 values, each 1..15 of [A-Za-z0-9._-]
 * (else CLID_ERR_INVALID_ARGUMENT). Any such token may be accepted, but only
 * "shaken" (RFC 8588), "div" and "div-o" (RFC 8946) and "rcd" (RFC 9795)
 * have their own claims verified. A "div" PASSporT is never a pass on its
 * own: it extends an original (CLID_ERR_DIV_WITHOUT_ORIGINAL; verified as a
 * chain by clid_verify_identities); a "div-o" carries its original in its
 * "opt" claim. rcd claims are verified in any PASSporT that carries them. */
CLID_API CLID_WUR clid_err clid_ctx_accept_ppt(clid_ctx *ctx, const char *ppt);
/* Most certificates below the trust anchor, the leaf included: 1..8
 * (default CLID_DEFAULT_MAX_CHAIN_DEPTH); longer chains fail with
 * CLID_ERR_CERT_CHAIN_TOO_LONG. */
CLID_API CLID_WUR clid_err clid_ctx_set_max_chain_depth(clid_ctx *ctx, unsigned depth);
/* Whether a leaf without TNAuthList is refused (default 1; RFC 8226 §9). */
CLID_API CLID_WUR clid_err clid_ctx_set_require_tnauth(clid_ctx *ctx, int require);
/* Q.3063 profile: whether the signer's SignallingEntity extension must be
 * present (default 0). When present it is always enforced: its role must be
 * one that signs (originating or international gateway) and, when it lists
 * country codes, the orig TN must begin with one of them. */
CLID_API CLID_WUR clid_err clid_ctx_set_require_entity(clid_ctx *ctx, int require);
/*
 * Strict policy (default 0). clid is strict where a rule stops a forgery and
 * lenient where the deployed ecosystem departs from a profile rule without
 * harm (docs/verification.md, "Strict and lenient"): such a deviation is
 * accepted by default and reported as a warning in the result
 * (clid_result_warning); under the strict policy it fails the verification
 * with its own reason. Security rules are never relaxed by either setting.
 */
CLID_API CLID_WUR clid_err clid_ctx_set_strict(clid_ctx *ctx, int strict);
/*
 * Certificate profile (default CLID_CERT_PROFILE_NONE; clid_lint.h,
 * docs/lint.md). With SHAKEN (ATIS-1000080 v005) or Q3063 (clid's Q.3063
 * profile) every certificate of the signer's chain below the trust anchor
 * must conform: a chain with any error-level finding is refused with
 * CLID_ERR_CERT_PROFILE (437), the first finding's rule and clause in the
 * result's detail; warnings do not refuse. A profile implies the strict
 * policy (clid_ctx_set_strict cannot turn it off while a profile is set;
 * setting NONE again leaves strict as it is). The verdict is computed once
 * per chain and kept with it, so warm verifications cost nothing more.
 */
CLID_API CLID_WUR clid_err clid_ctx_set_cert_profile(clid_ctx *ctx, clid_cert_profile p);
CLID_API CLID_WUR clid_err clid_ctx_set_clock(clid_ctx *ctx, clid_clock_fn fn, void *arg);
/* The context's current time (its clock, or time()). */
CLID_API int64_t clid_ctx_now(const clid_ctx *ctx);

/* ------------------------------------------------------------------------ */
/* Signing                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct clid_signer clid_signer;

/* What to sign. TNs are canonicalized by clid (clid_tn_canonicalize). */
typedef struct clid_claims {
    const char *orig;              /* calling TN */
    const char *const *dest;       /* called TNs (at least one) */
    size_t dest_count;
    char attest;                   /* 'A', 'B' or 'C' (RFC 8588 §4); ppt "shaken" */
    const char *origid;            /* UUID (RFC 8588 §4); NULL: a random version-4 UUID */
    int64_t iat;                   /* 0: the signer's clock */
    const char *div;               /* RFC 8946: the diverting TN; when set the PASSporT
                                      has ppt "div" and carries no attest/origid */
    const struct clid_rcd *rcd;    /* RFC 9795 Rich Call Data claims, or NULL */
    int ppt_rcd;                   /* 1: a ppt "rcd" PASSporT (RFC 9795): orig, dest, iat
                                      and the rcd claims, no attest/origid/div; needs rcd */
    const char *opt;               /* RFC 8946 §5, with div: the original PASSporT in full
                                      form ("header.claims.signature") that this one carries
                                      as "opt"; the PASSporT then has ppt "div-o" (for a hop
                                      that loses the original's own Identity header). NULL:
                                      none */
} clid_claims;

/*
 * Rich Call Data (RFC 9795; docs/rcd.md). Strings are UTF-8 without
 * control characters. nam is required (RFC 9795: the "rcd" claim carries
 * a display name); jcd and jcl exclude each other. A URL (jcl, icn) is
 * https (http allowed for tests), printable ASCII, at most 2048 bytes.
 * Integrity ("rcdi"): when the bytes a URL serves are given here, the
 * signer adds the rcdi digest of them ("sha256-" and base64, keyed by the
 * JSON pointer "/jcl" or "/icn"); a verifier then checks what it retrieves
 * against it. A URL without its content is signed without a digest, and a
 * verifier will not present what it serves (CLID_ERR_RCD_DIGEST_MISSING).
 * Inline jcd content is covered by the signature itself. crn is a
 * top-level claim (the call reason), not a member of "rcd".
 * Errors from signing: CLID_ERR_INVALID_ARGUMENT for anything above
 * violated, or jcd that is not a jCard (JSON array ["vcard", [...]], at
 * most CLID_RCD_JCARD_MAX_LEN bytes, no URL-valued property: RFC 9795
 * allows one level of URL reference).
 */
typedef struct clid_rcd {
    const char *nam;                 /* display name, 1..256 bytes */
    const char *apn;                 /* alternate presentation number (a TN), or NULL */
    const char *jcd;                 /* inline jCard (RFC 7095) as JSON text, or NULL */
    const char *jcl;                 /* jCard URL, or NULL */
    const uint8_t *jcl_content;      /* the bytes jcl serves (adds rcdi "/jcl"), or NULL */
    size_t jcl_content_len;
    const char *icn;                 /* icon URL, or NULL */
    const uint8_t *icn_content;      /* the bytes icn serves (adds rcdi "/icn"), or NULL */
    size_t icn_content_len;
    const char *crn;                 /* call reason (claim "crn"), 1..256 bytes, or NULL */
} clid_rcd;

CLID_API CLID_WUR clid_err clid_signer_new(clid_signer **out);
CLID_API void clid_signer_free(clid_signer *s);
/* The private key: PEM (PKCS#8 or SEC1) of an EC P-256 key, else
 * CLID_ERR_KEY_PARSE or CLID_ERR_KEY_TYPE. */
CLID_API CLID_WUR clid_err clid_signer_set_key_file(clid_signer *s, const char *path);
CLID_API CLID_WUR clid_err clid_signer_set_key_pem(clid_signer *s, const char *pem, size_t len);
/* Optional: the certificate (chain) the x5u URL serves. When set, the key
 * must match it and signing refuses an orig TN outside its TNAuthList
 * (CLID_ERR_TN_NOT_AUTHORIZED), so mistakes surface at the signer. */
CLID_API CLID_WUR clid_err clid_signer_set_cert_file(clid_signer *s, const char *path);
CLID_API CLID_WUR clid_err clid_signer_set_cert_pem(clid_signer *s, const char *pem, size_t len);
/* The x5u / info URL: https or http, no CR, LF, '<', '>' or spaces. */
CLID_API CLID_WUR clid_err clid_signer_set_x5u(clid_signer *s, const char *url);
CLID_API CLID_WUR clid_err clid_signer_set_clock(clid_signer *s, clid_clock_fn fn, void *arg);

/*
 * Writes the full Identity header value (RFC 8224 §4.1):
 *   <header>.<claims>.<signature>;info=<x5u>;alg=ES256;ppt=shaken
 * (ppt=div for a div PASSporT, ppt=rcd for c->ppt_rcd)
 * NUL-terminated into out[cap]; *out_len is the length without the NUL (or,
 * on CLID_ERR_BUFFER_TOO_SMALL, the capacity needed including the NUL).
 */
CLID_API CLID_WUR clid_err clid_sign_identity(const clid_signer *s, const clid_claims *c,
                                              char *out, size_t cap, size_t *out_len);
/* The PASSporT alone (RFC 8225 §7): full "h.c.s", or compact "..s" when
 * `compact` is set. Same buffer contract. */
CLID_API CLID_WUR clid_err clid_sign_passport(const clid_signer *s, const clid_claims *c,
                                              int compact, char *out, size_t cap,
                                              size_t *out_len);

/* ------------------------------------------------------------------------ */
/* Verification                                                              */
/* ------------------------------------------------------------------------ */

typedef struct clid_verifier clid_verifier;
typedef struct clid_result clid_result;

/* The verifier keeps `ctx` by reference: free the verifier first. */
CLID_API CLID_WUR clid_err clid_verifier_new(const clid_ctx *ctx, clid_verifier **out);
CLID_API void clid_verifier_free(clid_verifier *v);
/* Bound on cached certificates (default 1024); 0 disables caching, that of
 * validated intermediates too (docs/verification.md, "Validated
 * intermediates"; at most 64 of those are kept otherwise). */
CLID_API CLID_WUR clid_err clid_verifier_set_cache_size(clid_verifier *v, size_t entries);
/* Drops every cached certificate, validated intermediate and CRL. */
CLID_API void clid_verifier_clear_cache(clid_verifier *v);

/*
 * Bindings a caller deliberately leaves unchecked (clid_verify_input.skip),
 * for analysis of a PASSporT without its request. Never in a verifier that
 * decides on calls: a PASSporT that is not bound to the request's numbers
 * can be replayed on any call (RFC 8224 §6.2 step 1).
 */
#define CLID_VERIFY_SKIP_ORIG_BINDING 0x1u /* do not compare orig with the request */
#define CLID_VERIFY_SKIP_DEST_BINDING 0x2u /* do not look for the request's callee in dest */
/* Counters for monitoring (a /metrics endpoint), since the verifier was made
 * (or since fork()). Read with relaxed atomics: each is exact, the set is
 * not a snapshot. */
typedef struct clid_verifier_stats {
    uint64_t verifications;      /* clid_verify_identity calls */
    uint64_t crl_fetches;        /* CRL retrievals through the context's CRL fetcher */
    uint64_t crl_fetch_failures; /* ... that failed (any clid_err) */
    uint64_t crl_cache_hits;     /* CRLs answered from the verifier's CRL cache */
    uint64_t crl_unavailable;    /* verifications where a CRL could not be had (warning or
                                    failure, CLID_ERR_CRL_UNAVAILABLE) */
    uint64_t crl_revoked;        /* verifications failed by a CRL of a distribution point */
} clid_verifier_stats;
CLID_API void clid_verifier_get_stats(const clid_verifier *v, clid_verifier_stats *out);

/* What the request says, for binding (DESIGN.md pipeline step 8) and time. */
typedef struct clid_verify_input {
    const char *identity;      /* one Identity header value; NULL or "": the request carries
                                  none (CLID_ERR_NO_IDENTITY) */
    const char *orig;          /* the request's calling TN or URI user part; required unless
                                  skip has CLID_VERIFY_SKIP_ORIG_BINDING, when it must be NULL */
    const char *dest;          /* the request's called TN; required unless skip has
                                  CLID_VERIFY_SKIP_DEST_BINDING, when it must be NULL */
    int64_t now;               /* verification time; 0: the context's clock */
    int64_t date;              /* SIP Date header as Unix time; 0: absent */
    const char *chain_pem;     /* the signer's chain given by the caller; NULL: use x5u */
    size_t chain_len;
    unsigned skip;             /* CLID_VERIFY_SKIP_*: bindings explicitly not checked; 0: both
                                  checked. A NULL orig or dest is never taken as "skip". */
} clid_verify_input;

/*
 * Runs the pipeline: header syntax, PASSporT, certificate retrieval (given
 * chain, offline map, cache, fetcher), chain validation at `now`, authority
 * (TNAuthList, delegates, claim constraints, SignallingEntity), signature,
 * freshness, binding. Returns CLID_OK when the identity is verified, else
 * the reason; `res` (optional) receives the verdict and everything learned
 * on the way (claims, signer facts), even on failure.
 * CLID_ERR_INVALID_ARGUMENT when orig or dest is NULL without its skip flag,
 * set together with it, or skip has unknown bits; a "passed" verdict then
 * says what was bound (clid_result_binding_checked).
 */
CLID_API CLID_WUR clid_err clid_verify_identity(clid_verifier *v, const clid_verify_input *in,
                                                clid_result *res);

/*
 * Verifies the Identity header values of one request together (RFC 8224
 * §6.2; RFC 8946 §6): in->identity must be NULL, ids[0..n) are the values
 * in message order (at most CLID_VERIFY_MAX_IDENTITIES, later ones
 * ignored). Without a "div" PASSporT: each is verified with
 * clid_verify_identity against `in`, and the request passes when one
 * passes (the result is the deciding one's, as clid_sip_verify says). With
 * "div" PASSporTs: a chain. The original (a passing non-div PASSporT bound
 * to the caller; its dest is not bound to the request) starts it; each div
 * PASSporT must itself verify (signature, freshness, its signer's
 * authority over its "div" number) with orig equal to the original's orig
 * (CLID_ERR_DIV_CHAIN_ORIG) and div equal to a dest of the PASSporT before
 * it (CLID_ERR_DIV_CHAIN_LINK); a number diverted from twice is
 * CLID_ERR_DIV_CHAIN_LOOP; the last PASSporT's dest must name in->dest,
 * the request's current target (CLID_ERR_DIV_CHAIN_DEST). Links are
 * ordered by following the chain, not by header order. The result is the
 * original's claims and signer, plus the links (clid_result_div_*); a
 * broken link fails the request with its reason and
 * clid_result_div_failed_link says which (the detail names it as
 * "div #k (FROM -> TO): ..." with k = index + 1). Details (docs/sip.md
 * "Diverted calls"): only "div"/"div-o" PASSporTs of a ppt the context
 * accepts are links (others count as none, RFC 8224 §6.2.2); the chain
 * rules run on the claims before any link's certificate is fetched, then
 * each link is verified in chain order; a "div-o"'s "opt" original is a
 * candidate original like the request's own; in->chain_pem is the
 * original's chain (each div is found by its x5u); with
 * CLID_VERIFY_SKIP_DEST_BINDING the last dest is not checked. A div whose
 * own verification fails gives that reason at its link.
 */
#define CLID_VERIFY_MAX_IDENTITIES 8
CLID_API CLID_WUR clid_err clid_verify_identities(clid_verifier *v, const clid_verify_input *in,
                                                  const char *const *ids, size_t n,
                                                  clid_result *res);

CLID_API CLID_WUR clid_err clid_result_new(clid_result **out);
CLID_API void clid_result_free(clid_result *r);
CLID_API void clid_result_reset(clid_result *r);

CLID_API clid_err clid_result_reason(const clid_result *r);
CLID_API clid_verstat clid_result_verstat(const clid_result *r);
/* 0 when verification passed, else the SIP response (clid_err_sip_status). */
CLID_API int clid_result_sip_status(const clid_result *r);
/* Optional detail for logs (e.g. OpenSSL's chain error text); "" if none. */
CLID_API const char *clid_result_detail(const clid_result *r);
/*
 * The bindings checked and held (CLID_BINDING_ORIG: orig equals the
 * request's caller; CLID_BINDING_DEST: the request's callee is in dest).
 * A verification that passed without both was asked to skip the missing
 * ones (clid_verify_input.skip): say so wherever the verdict is shown. 0
 * when the binding step was not reached or failed (the reason says which).
 */
#define CLID_BINDING_ORIG 0x1u
#define CLID_BINDING_DEST 0x2u
CLID_API unsigned clid_result_binding_checked(const clid_result *r);

/*
 * Profile deviations accepted under the lenient (default) policy, in the
 * order found, each a clid_err naming the rule (clid_err_name, clid_err_str;
 * docs/verification.md has the table with the clause of each). A
 * verification that passed with warnings is still TN-Validation-Passed.
 * At most CLID_RESULT_MAX_WARNINGS are kept, each code once; an index out
 * of range gives CLID_OK.
 */
#define CLID_RESULT_MAX_WARNINGS 16
CLID_API size_t clid_result_warning_count(const clid_result *r);
CLID_API clid_err clid_result_warning(const clid_result *r, size_t i);

/* 1 when every certificate of the signer's chain below the trust anchor was
 * checked against a current CRL (its issuer's, or the one its CRL
 * distribution point names), 0 otherwise: the policy is CLID_CRL_IGNORE, a
 * certificate has no CRL to check (nothing loaded, no distribution point),
 * a CRL could not be had (the warning CLID_ERR_CRL_UNAVAILABLE), or the
 * verification stopped before the chain was validated. */
CLID_API int clid_result_revocation_checked(const clid_result *r);

/* Claims, when the PASSporT could be parsed (NULL / 0 otherwise). */
CLID_API const char *clid_result_ppt(const clid_result *r);
CLID_API const char *clid_result_orig(const clid_result *r);
CLID_API size_t clid_result_dest_count(const clid_result *r);
CLID_API const char *clid_result_dest(const clid_result *r, size_t i);
CLID_API char clid_result_attest(const clid_result *r); /* 'A', 'B', 'C' or 0 */
/* A UUID, or (with the CLID_ERR_PASSPORT_ORIGID_NOT_UUID warning) another
 * identifier of at most 128 printable ASCII characters. */
CLID_API const char *clid_result_origid(const clid_result *r);
CLID_API const char *clid_result_div(const clid_result *r);
/* A "div-o" PASSporT (RFC 8946 §5): the original PASSporT its "opt" claim
 * carries (full form "h.c.s"), or NULL. */
CLID_API const char *clid_result_div_opt(const clid_result *r);
CLID_API int64_t clid_result_iat(const clid_result *r);
CLID_API const char *clid_result_x5u(const clid_result *r);

/* The signer's certificate, when it could be obtained and parsed. */
CLID_API const char *clid_result_signer_subject(const clid_result *r); /* RFC 2253 form */
CLID_API const char *clid_result_signer_issuer(const clid_result *r);
CLID_API const char *clid_result_signer_serial(const clid_result *r); /* hex */
CLID_API int64_t clid_result_signer_not_after(const clid_result *r);
/* The first SPC of the TNAuthList, or NULL. */
CLID_API const char *clid_result_signer_spc(const clid_result *r);
CLID_API const clid_tnauth *clid_result_signer_tnauth(const clid_result *r);
CLID_API const clid_entity *clid_result_signer_entity(const clid_result *r);

/*
 * Diverted calls (clid_verify_identities, clid_sip_verify): the div
 * PASSporTs of the chain in chain order, each with its diverting number
 * ("div"), its new target (the first dest), its iat and its signer's first
 * SPC (NULL when none). Link i is 0-based; out of range gives NULL/0.
 */
CLID_API size_t clid_result_div_count(const clid_result *r);
CLID_API const char *clid_result_div_from(const clid_result *r, size_t i);
CLID_API const char *clid_result_div_to(const clid_result *r, size_t i);
CLID_API int64_t clid_result_div_iat(const clid_result *r, size_t i);
CLID_API const char *clid_result_div_spc(const clid_result *r, size_t i);
/* The index of the link that broke the chain, or -1 (none, or no chain). */
CLID_API int clid_result_div_failed_link(const clid_result *r);

/*
 * Rich Call Data (RFC 9795; docs/rcd.md). clid_result_rcd says what the
 * PASSporT carried and what held; the value getters return a value only
 * when the verification passed and that value is verified: signed, within
 * the signer certificate's claim constraints, and for content behind a URL,
 * retrieved and equal to its rcdi digest. Anything else is NULL: what is
 * not verified is never presented as verified.
 */
#define CLID_RCD_PRESENT 0x1u     /* the PASSporT carries an rcd claim (or crn) */
#define CLID_RCD_CONSTRAINED 0x2u /* the signer's certificate constrains rcd values
                                     (JWTClaimConstraints / EnhancedJWTClaimConstraints
                                     permittedValues for "rcd"): its issuer vetted them */
#define CLID_RCD_CONTENT_OK 0x4u  /* every URL it names had an rcdi digest and the
                                     content retrieved matched it */
CLID_API unsigned clid_result_rcd(const clid_result *r);
CLID_API const char *clid_result_rcd_name(const clid_result *r);      /* "nam" */
CLID_API const char *clid_result_rcd_apn(const clid_result *r);       /* "apn" */
CLID_API const char *clid_result_rcd_reason(const clid_result *r);    /* "crn" */
/* The jCard as JSON text: the inline jcd, or what jcl served. */
CLID_API const char *clid_result_rcd_jcard(const clid_result *r);
CLID_API const char *clid_result_rcd_jcard_url(const clid_result *r); /* "jcl" */
CLID_API const char *clid_result_rcd_icon_url(const clid_result *r);  /* "icn" */
/* The rcdi digest of "/jcl" or "/icn" ("sha256-..."), for RFC 9796's
 * integrity parameter; NULL when none. */
CLID_API const char *clid_result_rcd_digest(const clid_result *r, const char *pointer);

#ifdef __cplusplus
}
#endif
#endif /* CLID_H */
