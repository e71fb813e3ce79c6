/*
 * clid: the one error model.
 *
 * Every failure in the library is one `clid_err` value. The values, their
 * names, texts, classes, and (for verification outcomes) the SIP response
 * and verstat they map to all come from the single table CLID_ERRORS below,
 * so they can never drift apart.
 *
 * Codes name meanings, never call sites. Where a verification step fails,
 * its code says which check failed, so that a SIP proxy can both answer with
 * the right status (RFC 8224 §6.2.2 and §13) and log a precise reason.
 */
#ifndef CLID_ERRORS_H
#define CLID_ERRORS_H

#include <clid/clid_export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error classes: what kind of thing went wrong (s2n's error types). */
typedef enum clid_err_class {
    CLID_CLASS_NONE = 0,  /* success */
    CLID_CLASS_USAGE,     /* the caller passed something unusable */
    CLID_CLASS_RESOURCE,  /* memory, files, internal library failures */
    CLID_CLASS_PARSE,     /* input is not well formed */
    CLID_CLASS_CRYPTO,    /* keys and signatures */
    CLID_CLASS_CERT,      /* certificates, chains, CRLs, certificate extensions */
    CLID_CLASS_POLICY,    /* well formed and signed, but refused by policy */
    CLID_CLASS_FETCH      /* retrieving the certificate named by x5u */
} clid_err_class;

/* verstat values (3GPP TS 24.229 §7.2A.20). */
typedef enum clid_verstat {
    CLID_VERSTAT_NO_VALIDATION = 0, /* "No-TN-Validation" */
    CLID_VERSTAT_PASSED,            /* "TN-Validation-Passed" */
    CLID_VERSTAT_FAILED             /* "TN-Validation-Failed" */
} clid_verstat;

/*
 * X(NAME, CLASS, SIP, VERSTAT, TEXT)
 *   CLASS   clid_err_class without the CLID_CLASS_ prefix
 *   SIP     the SIP response a verifier sends for this outcome (RFC 8224 §13:
 *           403 Stale Date, 428 Use Identity Header, 436 Bad Identity Info,
 *           437 Unsupported Credential, 438 Invalid Identity Header; 400 for a
 *           request that is not SIP at all), or 0 when the code is not a
 *           verification outcome (usage and resource errors)
 *   VERSTAT PASSED, FAILED or NO_VALIDATION
 *
 * Append new codes at the end of their group; never renumber released ones.
 */
#define CLID_ERRORS(X)                                                                            \
    X(CLID_OK, NONE, 0, PASSED, "success")                                                        \
    /* usage and resource */                                                                      \
    X(CLID_ERR_INVALID_ARGUMENT, USAGE, 0, NO_VALIDATION,                                         \
      "invalid argument: NULL pointer, value out of range or unusable combination")              \
    X(CLID_ERR_BUFFER_TOO_SMALL, USAGE, 0, NO_VALIDATION,                                         \
      "output buffer too small; *out_len holds the size needed")                                  \
    X(CLID_ERR_UNSUPPORTED, USAGE, 0, NO_VALIDATION,                                              \
      "feature or algorithm not supported by this build or profile")                              \
    X(CLID_ERR_HEADER_INJECTION, USAGE, 0, NO_VALIDATION,                                         \
      "CR, LF or another control character in a value clid would write into a header")           \
    X(CLID_ERR_NOMEM, RESOURCE, 0, NO_VALIDATION, "out of memory")                                \
    X(CLID_ERR_IO, RESOURCE, 0, NO_VALIDATION, "file could not be read or written")               \
    X(CLID_ERR_INTERNAL, RESOURCE, 0, NO_VALIDATION,                                              \
      "internal error: a dependency such as OpenSSL failed unexpectedly")                         \
    /* values: telephone numbers and certificate extension fields */                              \
    X(CLID_ERR_BAD_TN, PARSE, 438, FAILED,                                                        \
      "telephone number is not 1 to 15 digits, '#' or '*' after canonicalization")                \
    X(CLID_ERR_BAD_SPC, PARSE, 437, FAILED,                                                       \
      "service provider code is empty, too long or has forbidden characters")                     \
    X(CLID_ERR_BAD_RANGE, PARSE, 437, FAILED,                                                     \
      "telephone number range: count below 2, or the range runs past its number length")          \
    X(CLID_ERR_BAD_CLAIM_CONSTRAINT, PARSE, 437, FAILED,                                          \
      "JWT claim constraint: empty, or a claim name or value of the wrong form")                  \
    X(CLID_ERR_BAD_ENTITY, PARSE, 437, FAILED,                                                    \
      "SignallingEntity: unknown role, or a country, carrier, PLMN, point code or name of the "   \
      "wrong form")                                                                               \
    /* DER decoding of certificate extension fields */                                            \
    X(CLID_ERR_DER_MALFORMED, PARSE, 437, FAILED,                                                 \
      "extension value is not an encoding of its ASN.1 type (tag, length or truncation)")         \
    X(CLID_ERR_DER_NOT_CANONICAL, PARSE, 437, FAILED,                                             \
      "extension value does not re-encode to the same DER: a BER-only form (long-form or "        \
      "indefinite length, constructed string, padded integer) or a field out of place")           \
    X(CLID_ERR_DER_TRAILING_DATA, PARSE, 437, FAILED,                                             \
      "bytes follow the encoded extension value")                                                 \
    X(CLID_ERR_DER_CONSTRAINT, PARSE, 437, FAILED,                                                \
      "decoded value violates its ASN.1 constraints (empty list, size, alphabet or range)")       \
    X(CLID_ERR_EXT_ABSENT, CERT, 437, FAILED, "certificate does not carry the extension")         \
    X(CLID_ERR_EXT_DUPLICATE, CERT, 437, FAILED,                                                  \
      "certificate carries the same extension more than once (RFC 5280 §4.2)")                    \
    /* keys and certificates as files */                                                          \
    X(CLID_ERR_KEY_PARSE, CRYPTO, 0, NO_VALIDATION, "private key could not be read")              \
    X(CLID_ERR_KEY_TYPE, CRYPTO, 437, FAILED,                                                     \
      "key is not an EC P-256 key (ES256 needs P-256, RFC 7518 §3.4)")                            \
    X(CLID_ERR_CERT_PARSE, CERT, 437, FAILED, "certificate or CRL is not valid DER/PEM")          \
    X(CLID_ERR_KEY_MISMATCH, CRYPTO, 0, NO_VALIDATION,                                            \
      "private key does not belong to the signer's certificate")                                 \
    /* Identity header and PASSporT: RFC 8224 §4.1, RFC 8225, RFC 8588 */                         \
    X(CLID_ERR_NO_IDENTITY, POLICY, 428, NO_VALIDATION,                                           \
      "request carries no Identity header (RFC 8224 §6.2.2: 428 Use Identity Header)")            \
    X(CLID_ERR_IDENTITY_SYNTAX, PARSE, 438, FAILED,                                               \
      "Identity header value is malformed (RFC 8224 §4.1)")                                       \
    X(CLID_ERR_IDENTITY_TOO_LARGE, PARSE, 438, FAILED,                                            \
      "Identity header or PASSporT exceeds its size limit")                                       \
    X(CLID_ERR_IDENTITY_NO_INFO, PARSE, 436, FAILED,                                              \
      "Identity header has no info parameter naming the signer's certificate")                    \
    X(CLID_ERR_IDENTITY_ALG, PARSE, 438, FAILED, "Identity alg parameter is not ES256")           \
    X(CLID_ERR_IDENTITY_PPT, PARSE, 438, FAILED,                                                  \
      "Identity ppt parameter disagrees with the PASSporT's ppt (RFC 8224 §4.1)")                 \
    X(CLID_ERR_JWS_SYNTAX, PARSE, 438, FAILED,                                                    \
      "PASSporT is not three base64url parts separated by '.' (RFC 7515 §7.1)")                   \
    X(CLID_ERR_BASE64, PARSE, 438, FAILED, "invalid base64url (RFC 4648 §5, no padding)")         \
    X(CLID_ERR_JSON, PARSE, 438, FAILED,                                                          \
      "PASSporT header or claims are not a JSON object, or repeat a member")                      \
    X(CLID_ERR_PASSPORT_TYP, PARSE, 438, FAILED, "PASSporT typ is not \"passport\"")              \
    X(CLID_ERR_PASSPORT_ALG, PARSE, 438, FAILED,                                                  \
      "PASSporT alg is not ES256 (none, ES384 and others are refused)")                           \
    X(CLID_ERR_PASSPORT_PPT, PARSE, 438, FAILED,                                                  \
      "PASSporT ppt is not a token of at most 15 characters")                                     \
    X(CLID_ERR_PASSPORT_X5U, PARSE, 438, FAILED, "PASSporT x5u is missing or not a string")       \
    X(CLID_ERR_PASSPORT_X5U_MISMATCH, PARSE, 438, FAILED,                                         \
      "PASSporT x5u differs from the Identity info parameter")                                    \
    X(CLID_ERR_PASSPORT_IAT, PARSE, 438, FAILED,                                                  \
      "PASSporT iat is missing or not an integer NumericDate (RFC 8225 §5.1.1)")                   \
    X(CLID_ERR_PASSPORT_ORIG, PARSE, 438, FAILED,                                                 \
      "PASSporT orig is missing or not {\"tn\": string} (RFC 8225 §5.2.1)")                       \
    X(CLID_ERR_PASSPORT_DEST, PARSE, 438, FAILED,                                                 \
      "PASSporT dest is missing or not {\"tn\": [strings]} (RFC 8225 §5.2.1)")                    \
    X(CLID_ERR_PASSPORT_ATTEST, PARSE, 438, FAILED,                                               \
      "PASSporT attest is missing or not A, B or C (RFC 8588 §4)")                                \
    X(CLID_ERR_PASSPORT_ORIGID, PARSE, 438, FAILED,                                               \
      "PASSporT origid is missing, or not a string of 1 to 128 printable characters (RFC 8588 "   \
      "§4; signing: not a UUID)")                                                                 \
    X(CLID_ERR_PASSPORT_DIV, PARSE, 438, FAILED,                                                  \
      "PASSporT div claim is malformed (RFC 8946 §3)")                                            \
    X(CLID_ERR_PASSPORT_COMPACT, PARSE, 438, FAILED,                                              \
      "compact PASSporT: clid verifies the full form only (ATIS-1000074 §5.3.3; the claims "      \
      "cannot be rebuilt from the request)")                                                      \
    X(CLID_ERR_SIGNATURE_FORMAT, CRYPTO, 438, FAILED,                                             \
      "signature is not 64 bytes of raw r||s (a DER-encoded ECDSA signature is refused, "         \
      "RFC 7518 §3.4)")                                                                           \
    X(CLID_ERR_SIGNATURE_INVALID, CRYPTO, 438, FAILED,                                            \
      "signature does not verify with the signer certificate's key")                              \
    X(CLID_ERR_DIV_WITHOUT_ORIGINAL, POLICY, 438, FAILED,                                         \
      "div PASSporT without a verified original PASSporT it extends (RFC 8946 §3): never a "      \
      "pass on its own")                                                                          \
    X(CLID_ERR_PASSPORT_TN_NOT_CANONICAL, PARSE, 438, FAILED,                                     \
      "PASSporT tn value is a telephone number but not in canonical form (RFC 8224 §8.3: only "   \
      "digits, '#' and '*'; no '+', separators, URI or parameters); the signer canonicalizes "   \
      "(RFC 8225 §5.2.1)")                                                                        \
    /* Identity and PASSporT profile deviations: a warning by default, the failure under strict */ \
    X(CLID_ERR_PASSPORT_ORIGID_NOT_UUID, PARSE, 438, FAILED,                                      \
      "PASSporT origid is not a UUID (RFC 8588 §4)")                                              \
    X(CLID_ERR_IDENTITY_ALG_ABSENT, PARSE, 438, FAILED,                                           \
      "Identity header has no alg parameter (ES256 implied, RFC 8224 §4.1; SHAKEN sends it)")     \
    X(CLID_ERR_IDENTITY_PPT_ABSENT, PARSE, 438, FAILED,                                           \
      "Identity header has no ppt parameter for a PASSporT that has a ppt (RFC 8224 §4.1)")       \
    X(CLID_ERR_PASSPORT_PPT_UNSUPPORTED, POLICY, 428, NO_VALIDATION,                              \
      "PASSporT type is not one this verifier accepts: as if there were no Identity header "      \
      "(RFC 8224 §6.2.2: 428)")                                                                   \
    /* freshness and binding to the request */                                                    \
    X(CLID_ERR_IAT_STALE, POLICY, 403, FAILED,                                                    \
      "iat is older than the freshness window (RFC 8224 §6.2.2: 403 Stale Date)")                 \
    X(CLID_ERR_IAT_FUTURE, POLICY, 403, FAILED,                                                   \
      "iat lies in the future beyond the allowed clock skew")                                     \
    X(CLID_ERR_DATE_INVALID, PARSE, 403, FAILED,                                                  \
      "SIP Date header is not an RFC 3261 §20.17 date")                                           \
    X(CLID_ERR_DATE_MISMATCH, POLICY, 403, FAILED,                                                \
      "SIP Date header and iat differ by more than the freshness window (RFC 8224 §4.1)")         \
    X(CLID_ERR_ORIG_MISMATCH, POLICY, 438, FAILED,                                                \
      "PASSporT orig does not match the request's calling number")                                \
    X(CLID_ERR_DEST_MISMATCH, POLICY, 438, FAILED,                                                \
      "PASSporT dest does not include the request's called number")                               \
    /* the signer's certificate: chain and authority */                                           \
    X(CLID_ERR_CERT_UNTRUSTED, CERT, 437, FAILED,                                                 \
      "certificate chain does not lead to a configured trust anchor")                             \
    X(CLID_ERR_CERT_EXPIRED, CERT, 437, FAILED,                                                   \
      "a certificate in the chain had expired at the verification time")                          \
    X(CLID_ERR_CERT_NOT_YET_VALID, CERT, 437, FAILED,                                             \
      "a certificate in the chain was not yet valid at the verification time")                    \
    X(CLID_ERR_CERT_REVOKED, CERT, 437, FAILED, "a certificate in the chain is revoked")          \
    X(CLID_ERR_CRL_INVALID, CERT, 437, FAILED,                                                    \
      "a CRL is missing, expired, not yet valid or has a bad signature")                          \
    X(CLID_ERR_CERT_CHAIN_INVALID, CERT, 437, FAILED,                                             \
      "certificate chain is invalid (signature, basic constraints, path length or name chaining)")\
    X(CLID_ERR_CERT_CHAIN_TOO_LONG, CERT, 437, FAILED,                                            \
      "certificate chain is longer than the configured maximum depth")                            \
    X(CLID_ERR_CERT_PURPOSE, CERT, 437, FAILED,                                                   \
      "signer certificate is a CA or its key usage does not allow digitalSignature")              \
    X(CLID_ERR_CERT_CRITICAL_EXT, CERT, 437, FAILED,                                              \
      "certificate has a critical extension clid does not understand")                            \
    X(CLID_ERR_CERT_NO_TNAUTH, CERT, 437, FAILED,                                                 \
      "signer certificate has no TNAuthList (RFC 8226 §9)")                                       \
    X(CLID_ERR_TN_NOT_AUTHORIZED, POLICY, 437, FAILED,                                            \
      "signer certificate's TNAuthList does not cover the orig telephone number")                 \
    X(CLID_ERR_DELEGATE_NOT_ENCOMPASSED, POLICY, 437, FAILED,                                     \
      "delegate certificate's TNAuthList is not encompassed by its issuer's (RFC 9060 §4)")       \
    X(CLID_ERR_CLAIM_CONSTRAINT_VIOLATED, POLICY, 438, FAILED,                                    \
      "PASSporT violates the certificate's JWT claim constraints (RFC 8226 §8, RFC 9118)")         \
    X(CLID_ERR_ENTITY_NOT_AUTHORIZED, POLICY, 437, FAILED,                                        \
      "signer's SignallingEntity may not vouch for this calling number (role or country code)")   \
    X(CLID_ERR_CERT_PROFILE, CERT, 437, FAILED,                                                   \
      "signer's chain does not conform to the certificate profile the verifier requires "         \
      "(ATIS-1000080 or clid's Q.3063 profile; the detail names the rule and its clause)")        \
    X(CLID_ERR_DELEGATE_NO_TNAUTH, CERT, 437, FAILED,                                             \
      "a certificate below a TNAuthList-bearing CA carries no TNAuthList, so nothing bounds "     \
      "its authority (RFC 9060 §4)")                                                              \
    X(CLID_ERR_CRL_UNAVAILABLE, CERT, 437, FAILED,                                                \
      "no current CRL could be obtained for a certificate's CRL distribution point (none "       \
      "configured, URL not allowed, retrieval failed, or the CRL is stale or not yet valid)")    \
    /* certificate-profile deviations: a warning by default, the failure under strict */          \
    X(CLID_ERR_CERT_NO_AKI, CERT, 437, FAILED,                                                    \
      "a certificate below the trust anchor has no authorityKeyIdentifier (RFC 5280 §4.2.1.1)")   \
    X(CLID_ERR_CERT_NO_SKI, CERT, 437, FAILED,                                                    \
      "a CA certificate below the trust anchor has no subjectKeyIdentifier (RFC 5280 §4.2.1.2)")  \
    X(CLID_ERR_CERT_BC_NOT_CRITICAL, CERT, 437, FAILED,                                           \
      "a CA certificate's basicConstraints is not marked critical (RFC 5280 §4.2.1.9)")          \
    X(CLID_ERR_CERT_CA_NO_KEY_USAGE, CERT, 437, FAILED,                                           \
      "a CA certificate below the trust anchor has no keyUsage (RFC 5280 §4.2.1.3)")              \
    X(CLID_ERR_CERT_PATHLEN_MISPLACED, CERT, 437, FAILED,                                         \
      "pathLenConstraint on a certificate that may not sign certificates (RFC 5280 §4.2.1.9)")   \
    X(CLID_ERR_CERT_KEY_USAGE_NOT_DER, CERT, 437, FAILED,                                         \
      "keyUsage is not DER: trailing zero bits (X.690 §11.2.2, RFC 5280 §4.2.1.3)")               \
    X(CLID_ERR_CERT_SPC_FORM, CERT, 437, FAILED,                                                  \
      "signer certificate's SPC is not upper-case letters and digits (ATIS-1000080 v005)")        \
    /* x5u retrieval: RFC 8224 §6.2.2, 436 Bad Identity Info */                                   \
    X(CLID_ERR_X5U_URL_POLICY, FETCH, 436, FAILED,                                                \
      "x5u URL refused by policy (scheme, port, userinfo, query, fragment or address)")           \
    X(CLID_ERR_X5U_UNREACHABLE, FETCH, 436, FAILED,                                               \
      "x5u host could not be resolved or connected to")                                           \
    X(CLID_ERR_X5U_TIMEOUT, FETCH, 436, FAILED, "x5u retrieval timed out")                        \
    X(CLID_ERR_X5U_HTTP_STATUS, FETCH, 436, FAILED, "x5u server answered with a status other than 200") \
    X(CLID_ERR_X5U_REDIRECT, FETCH, 436, FAILED, "x5u server answered with a redirect (refused)") \
    X(CLID_ERR_X5U_TOO_LARGE, FETCH, 436, FAILED, "x5u response exceeds the size limit")          \
    X(CLID_ERR_X5U_NOT_PEM, FETCH, 436, FAILED,                                                   \
      "x5u response is not a PEM certificate chain")                                              \
    X(CLID_ERR_X5U_UNMAPPED, FETCH, 436, FAILED,                                                  \
      "no certificate is available for this x5u URL (not in the offline map, no fetcher)")        \
    X(CLID_ERR_X5U_NEGATIVE_CACHED, FETCH, 436, FAILED,                                           \
      "a recent retrieval of this x5u URL failed; not retried yet")                               \
    X(CLID_ERR_X5U_TLS, FETCH, 436, FAILED,                                                       \
      "TLS with the x5u server failed (certificate or handshake)")                                \
    X(CLID_ERR_CRL_NOT_A_CRL, FETCH, 436, FAILED,                                                 \
      "CRL distribution point response is not one CRL (DER, or PEM X509 CRL)")                    \
    /* whole SIP requests */                                                                      \
    X(CLID_ERR_SIP_PARSE, PARSE, 400, NO_VALIDATION, "not a parsable SIP request")                \
    X(CLID_ERR_SIP_TOO_LARGE, PARSE, 400, NO_VALIDATION,                                          \
      "SIP message exceeds the size limit")                                                       \
    X(CLID_ERR_SIP_NO_CALLER, POLICY, 0, NO_VALIDATION,                                           \
      "request has no usable calling telephone number (anonymous or not a TN)")                   \
    X(CLID_ERR_SIP_NO_CALLEE, POLICY, 0, NO_VALIDATION,                                           \
      "request has no usable called telephone number")                                            \
    /* captures and SIP logs read by libclid_capture (clid_capture.h) */                          \
    X(CLID_ERR_CAPTURE_END, RESOURCE, 0, NO_VALIDATION,                                           \
      "end of the capture input (not a failure: no more messages)")                               \
    X(CLID_ERR_CAPTURE_OPEN, RESOURCE, 0, NO_VALIDATION,                                          \
      "capture file or interface cannot be opened, or the file is neither a pcap/pcapng "         \
      "capture nor a SIP log of a known shape")                                                   \
    X(CLID_ERR_CAPTURE_READ, RESOURCE, 0, NO_VALIDATION,                                          \
      "fatal error while reading a capture")                                                      \
    /* out-of-band SHAKEN: Call Placement Service tokens, records and transfers (clid_oob.h) */   \
    X(CLID_ERR_OOB_TOKEN_MISSING, POLICY, 0, NO_VALIDATION,                                       \
      "CPS request has no Authorization: Bearer token")                                           \
    X(CLID_ERR_OOB_TOKEN_PARSE, PARSE, 0, NO_VALIDATION,                                          \
      "CPS bearer token is not a well-formed ES256 JWT with x5u and the required claims")         \
    X(CLID_ERR_OOB_TOKEN_AUDIENCE, POLICY, 0, NO_VALIDATION,                                      \
      "CPS bearer token is for another audience (aud)")                                           \
    X(CLID_ERR_OOB_TOKEN_ACTION, POLICY, 0, NO_VALIDATION,                                        \
      "CPS bearer token action does not match the request (publish or retrieve)")                 \
    X(CLID_ERR_OOB_TOKEN_EXPIRED, POLICY, 0, NO_VALIDATION,                                       \
      "CPS bearer token has expired or its iat is outside the freshness window")                  \
    X(CLID_ERR_OOB_TOKEN_LIFETIME, POLICY, 0, NO_VALIDATION,                                      \
      "CPS bearer token exp is too far ahead of its iat (retention at most 60 s)")                \
    X(CLID_ERR_OOB_TOKEN_BINDING, POLICY, 0, NO_VALIDATION,                                       \
      "CPS bearer token orig/dest claims do not match the request's numbers")                     \
    X(CLID_ERR_OOB_TOKEN_REPLAY, POLICY, 0, NO_VALIDATION,                                        \
      "CPS bearer token was already used (jti replay)")                                           \
    X(CLID_ERR_OOB_SPC_NOT_AUTHORIZED, POLICY, 0, NO_VALIDATION,                                  \
      "CPS bearer token iss/spc is not an SPC of the token's certificate TNAuthList")             \
    X(CLID_ERR_OOB_DIGEST_MISMATCH, POLICY, 0, NO_VALIDATION,                                     \
      "CPS publish body does not match the token's passports digest")                             \
    X(CLID_ERR_OOB_BODY_PARSE, PARSE, 0, NO_VALIDATION,                                           \
      "CPS body is not {\"passports\":[...]} of PASSporT strings within the size limits")          \
    X(CLID_ERR_OOB_TOO_MANY_PASSPORTS, POLICY, 0, NO_VALIDATION,                                  \
      "CPS publish or record holds more PASSporTs than allowed")                                  \
    X(CLID_ERR_OOB_PASSPORT_MISMATCH, POLICY, 0, NO_VALIDATION,                                   \
      "published PASSporT is not a PASSporT for the request's orig and dest")                     \
    X(CLID_ERR_OOB_NOT_FOUND, POLICY, 0, NO_VALIDATION,                                           \
      "CPS holds no PASSporT for this call (out of band: No-TN-Validation)")                      \
    X(CLID_ERR_OOB_STORE_FULL, RESOURCE, 0, NO_VALIDATION,                                        \
      "CPS store is at its record limit")                                                         \
    X(CLID_ERR_OOB_STORE_UNAVAILABLE, RESOURCE, 0, NO_VALIDATION,                                 \
      "CPS store (Redis) is unavailable")                                                         \
    X(CLID_ERR_OOB_CPS_UNREACHABLE, FETCH, 0, NO_VALIDATION,                                      \
      "CPS could not be reached (connection, TLS or time budget)")                                \
    X(CLID_ERR_OOB_CPS_STATUS, FETCH, 0, NO_VALIDATION,                                           \
      "CPS answered with an unexpected HTTP status")                                              \
    /* SIP-I and ISUP (clid_isup.h; docs/q3063-profile.md) */                                     \
    X(CLID_ERR_ISUP_PARSE, PARSE, 400, NO_VALIDATION,                                             \
      "ISUP message is malformed (pointer, length, parameter or segment)")                        \
    X(CLID_ERR_ISUP_TOO_LARGE, PARSE, 400, NO_VALIDATION, "ISUP message exceeds the size limit")  \
    X(CLID_ERR_ISUP_ABSENT, POLICY, 0, NO_VALIDATION,                                             \
      "SIP request carries no application/ISUP body")                                             \
    X(CLID_ERR_ISUP_PARAM_ABSENT, POLICY, 0, NO_VALIDATION,                                       \
      "ISUP message does not carry that parameter")                                               \
    X(CLID_ERR_ISUP_CALLING_MISMATCH, POLICY, 438, FAILED,                                        \
      "IAM Calling Party Number differs from the verified PASSporT's orig (clid profile check)")  \
    X(CLID_ERR_ISUP_CALLED_MISMATCH, POLICY, 438, FAILED,                                         \
      "IAM Called Party Number differs from the request's callee (clid profile check)")          \
    X(CLID_ERR_ISUP_PRESENTATION_RESTRICTED, POLICY, 0, NO_VALIDATION,                            \
      "IAM calling number is presentation restricted (reported, never a failure)")               \
    X(CLID_ERR_CLI_TOKEN_PARSE, PARSE, 438, FAILED,                                               \
      "CLI token is not strict DER of a known version, or rebuilds no PASSporT")                  \
    X(CLID_ERR_CLI_TOKEN_NOT_RECONSTRUCTIBLE, USAGE, 0, NO_VALIDATION,                            \
      "PASSporT cannot be rebuilt bit for bit from a CLI token (re-sign it at the gateway)")       \
    /* PASSporT extensions (issue 14; docs/rcd.md, docs/sip.md "Diverted calls") */               \
    X(CLID_ERR_TN_PHONE_CONTEXT, PARSE, 438, FAILED,                                              \
      "local number whose phone-context is not a global number prefix (RFC 3966 §5.1.5)")        \
    X(CLID_ERR_RCD_SYNTAX, PARSE, 438, FAILED,                                                    \
      "rcd, crn or rcdi claim is malformed (RFC 9795)")                                           \
    X(CLID_ERR_RCD_DIGEST_ALG, PARSE, 438, FAILED,                                                \
      "rcdi digest names an unknown algorithm (RFC 9795)")                                        \
    X(CLID_ERR_RCD_DIGEST_MISMATCH, POLICY, 438, FAILED,                                          \
      "content an rcd claim references does not match its rcdi digest (RFC 9795)")               \
    X(CLID_ERR_RCD_DIGEST_MISSING, POLICY, 438, FAILED,                                           \
      "rcd claim references a URL without an rcdi digest: its content is not presented")          \
    X(CLID_ERR_RCD_CONTENT_INVALID, PARSE, 438, FAILED,                                           \
      "content an rcd claim references is unacceptable (not a jCard, too large, nested URL)")     \
    X(CLID_ERR_RCD_CONTENT_UNAVAILABLE, FETCH, 436, FAILED,                                       \
      "content an rcd claim references could not be retrieved: it is not presented")             \
    X(CLID_ERR_DIV_CHAIN_ORIG, POLICY, 438, FAILED,                                               \
      "div PASSporT's orig differs from the original PASSporT's orig (RFC 8946 §6)")             \
    X(CLID_ERR_DIV_CHAIN_LINK, POLICY, 438, FAILED,                                               \
      "div PASSporT's div is not a dest of the PASSporT before it (RFC 8946 §6)")                \
    X(CLID_ERR_DIV_CHAIN_LOOP, POLICY, 438, FAILED,                                               \
      "div chain diverts from a number twice, or has more links than PASSporTs")                 \
    X(CLID_ERR_DIV_CHAIN_DEST, POLICY, 438, FAILED,                                               \
      "last PASSporT of the div chain does not name the request's target (RFC 8946 §6)")         \
    X(CLID_ERR_DIV_OPT, PARSE, 438, FAILED,                                                       \
      "div-o PASSporT's opt claim is not a full-form PASSporT (RFC 8946 §5)")                    \
    X(CLID_ERR_SIP_HISTORY_INFO, PARSE, 0, NO_VALIDATION,                                         \
      "History-Info or Diversion header is malformed or has too many entries (RFC 7044, 5806)")   \
    X(CLID_ERR_SIP_NO_DIVERSION, POLICY, 0, NO_VALIDATION,                                        \
      "request names no diverting number (no History-Info retargeting entry, no Diversion)")

typedef enum clid_err {
#define CLID_X_ENUM(name, cls, sip, verstat, text) name,
    CLID_ERRORS(CLID_X_ENUM)
#undef CLID_X_ENUM
    CLID_ERR__COUNT /* not an error; the number of codes */
} clid_err;

/* "CLID_ERR_CERT_EXPIRED"; "CLID_ERR_UNKNOWN" for a value outside the table. */
CLID_API const char *clid_err_name(clid_err e);
/* English sentence fragment, never NULL. */
CLID_API const char *clid_err_str(clid_err e);
CLID_API clid_err_class clid_err_class_of(clid_err e);
/* "usage", "resource", "parse", "crypto", "certificate", "policy", "fetch", "none". */
CLID_API const char *clid_err_class_name(clid_err_class c);
/* SIP response for a verification outcome (403/428/436/437/438/400), 0 otherwise. */
CLID_API int clid_err_sip_status(clid_err e);
/* Reason phrase for that response ("Stale Date", ...), "" when clid_err_sip_status is 0. */
CLID_API const char *clid_err_sip_reason(clid_err e);
CLID_API clid_verstat clid_err_verstat(clid_err e);
/* "TN-Validation-Passed", "TN-Validation-Failed", "No-TN-Validation". */
CLID_API const char *clid_verstat_str(clid_verstat v);
/* Looks a code up by its name; CLID_ERR__COUNT when unknown. */
CLID_API clid_err clid_err_from_name(const char *name);

#ifdef __cplusplus
}
#endif
#endif /* CLID_ERRORS_H */
