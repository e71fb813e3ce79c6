/*
 * PASSporT (RFC 8225) with the SHAKEN (RFC 8588) and div (RFC 8946)
 * extensions: building the canonical JSON and signing input, and parsing
 * and checking a received JWS. JSON goes through jansson.
 */
#ifndef CLID_PASSPORT_H
#define CLID_PASSPORT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <clid/clid.h>

#include "passport/rcd.h"

#define CLID_PASSPORT_MAX_DEST 16
#define CLID_UUID_BUF 37
/* A received origid: a UUID, or (a profile deviation, docs/verification.md)
 * another identifier of at most CLID_ORIGID_MAX printable ASCII bytes. */
#define CLID_ORIGID_MAX 128
#define CLID_ORIGID_BUF (CLID_ORIGID_MAX + 1)
#define CLID_PPT_BUF 16
#define CLID_PASSPORT_MAX_LEN CLID_IDENTITY_MAX_LEN

/* A parsed PASSporT. Strings are owned (freed by clid__passport_clear). */
typedef struct clid__passport {
    /* JOSE header (RFC 8225 §4) */
    char alg[16];
    char typ[16];
    char ppt[CLID_PPT_BUF]; /* "" when absent */
    char *x5u;              /* NULL when absent */
    /* claims (RFC 8225 §5, RFC 8588 §4, RFC 8946 §3) */
    int64_t iat;
    char orig[CLID_TN_BUF];
    char dest[CLID_PASSPORT_MAX_DEST][CLID_TN_BUF];
    size_t dest_count;
    char *orig_uri;              /* orig {"uri": ...} (RFC 8225 §5.2.1); NULL when a TN */
    char *dest_uri[CLID_PASSPORT_MAX_DEST]; /* dest {"uri": [...]} entries */
    size_t dest_uri_count;       /* dest_count + dest_uri_count <= CLID_PASSPORT_MAX_DEST */
    char attest;                 /* 0 when absent */
    char origid[CLID_ORIGID_BUF]; /* "" when absent */
    int origid_not_uuid;         /* origid present but not a UUID (RFC 8588 §4) */
    char div[CLID_TN_BUF];       /* "" when absent */
    char *opt;                   /* ppt "div-o": the "opt" claim, a full-form PASSporT
                                    (RFC 8946 §5); NULL otherwise */
    clid__rcd rcd;               /* RFC 9795 rcd, crn, rcdi (passport/rcd.h) */
    json_t *claims;              /* the whole claims object (claim constraints) */
    /* JWS pieces */
    char *signing_input;         /* "<b64 header>.<b64 claims>" */
    size_t signing_input_len;
    uint8_t sig[80];
    size_t sig_len;              /* decoded signature length (64 expected) */
    int compact;                 /* the JWS was "..s" (RFC 8225 §7) */
} clid__passport;

void clid__passport_init(clid__passport *p);
void clid__passport_clear(clid__passport *p);

/*
 * Parses a full "h.c.s" JWS (at most CLID_PASSPORT_MAX_LEN bytes, else
 * CLID_ERR_IDENTITY_TOO_LARGE) and checks each member's presence and type:
 *   header: alg == "ES256" (CLID_ERR_PASSPORT_ALG), typ == "passport"
 *     (CLID_ERR_PASSPORT_TYP), ppt a token if present (CLID_ERR_PASSPORT_PPT),
 *     x5u a string of printable ASCII (CLID_ERR_PASSPORT_X5U), no "crit"
 *     (CLID_ERR_JSON: clid understands no JWS extension, RFC 7515 §4.1.11);
 *   claims: iat an integer >= 0 (CLID_ERR_PASSPORT_IAT); orig {"tn": str} or
 *     {"uri": str} (CLID_ERR_PASSPORT_ORIG); dest {"tn": [str, ...]} and/or
 *     {"uri": [str, ...]}, non-empty, at most CLID_PASSPORT_MAX_DEST in all
 *     (CLID_ERR_PASSPORT_DEST); TNs canonicalized with clid_tn_canonicalize
 *     (one that does not canonicalize is an ORIG/DEST error). For ppt
 *     "shaken" and "div" orig must be a TN and dest must have TNs; for ppt
 *     "shaken" attest in A/B/C (CLID_ERR_PASSPORT_ATTEST) and origid are
 *     required (for other ppt values they are checked when present); origid
 *     is a string of 1 to CLID_ORIGID_MAX printable ASCII characters
 *     (CLID_ERR_PASSPORT_ORIGID otherwise), and when it is not a UUID
 *     `origid_not_uuid` says so: RFC 8588 §4 asks for a UUID, but whether to
 *     accept another identifier is the verifier's policy, not a parse error; for ppt "div" div {"tn": str} is required
 *     (CLID_ERR_PASSPORT_DIV); ppt "div-o" (RFC 8946 §5) has the div claims
 *     and "opt", a string holding a full-form PASSporT "h.c.s" (three
 *     non-empty base64url parts, at most CLID_PASSPORT_MAX_LEN bytes), else
 *     CLID_ERR_DIV_OPT; it is kept in `opt`, not parsed here; for ppt "rcd"
 *     orig and dest are TNs and the
 *     rcd claim is required; in any PASSporT the rcd, crn and rcdi claims
 *     are checked by clid__rcd_parse (CLID_ERR_RCD_SYNTAX,
 *     CLID_ERR_RCD_DIGEST_ALG) into `rcd`. Unknown header members and claims are
 *     ignored (RFC 8225 §5.2.2) but kept in `claims`.
 *   signature: base64url of exactly 64 bytes (CLID_ERR_SIGNATURE_FORMAT,
 *     e.g. for a DER signature): alg is ES256 by then, so a signature of
 *     another size can never verify and is refused before any x5u fetch.
 * Malformed structure: CLID_ERR_JWS_SYNTAX, CLID_ERR_BASE64, CLID_ERR_JSON
 * (also for duplicate members). Whether the ppt is *accepted* is the
 * verifier's policy, not checked here. A compact "..s" form sets `compact`
 * and returns CLID_OK with only the signature filled in.
 * `p` must have been initialized; it is cleared first. On failure it keeps
 * what was parsed before the defect (for the verification result); clear it
 * in any case.
 */
clid_err clid__passport_parse(const char *jws, size_t len, clid__passport *p);

/* Inputs for building, already validated/canonicalized by the signer. */
typedef struct clid__passport_in {
    const char *ppt;     /* "shaken", "div", "div-o" or "rcd" */
    const char *x5u;
    int64_t iat;
    const char *orig;
    const char *const *dest;
    size_t dest_count;
    char attest;         /* shaken */
    const char *origid;  /* shaken */
    const char *div;     /* div, div-o */
    const char *opt;     /* div-o: the original PASSporT, full form (RFC 8946 §5) */
    const clid_rcd *rcd; /* RFC 9795 claims (any ppt but div), or NULL; required
                            for ppt "rcd"; validated by clid__rcd_add_claims */
    /* Optional: clid__passport_header_b64(ppt, x5u) computed beforehand. A
     * signer's header is the same for every PASSporT it signs, and building
     * and serializing it is a quarter of clid's signing overhead
     * (docs/performance.md), so the signer encodes it once. NULL: built. */
    const char *header_b64;
    size_t header_b64_len;
} clid__passport_in;

/* The base64url of the canonical JOSE header (RFC 8225 §4, §9) of a
 * PASSporT with this ppt ("shaken", "div" or "rcd") and x5u, built with jansson as
 * clid__passport_signing_input builds it; malloc'd and NUL-terminated
 * (free() it). CLID_ERR_INVALID_ARGUMENT for another ppt or an x5u that is
 * not printable ASCII of at most 2048 bytes. */
clid_err clid__passport_header_b64(const char *ppt, const char *x5u, char **out, size_t *out_len);

/* Builds the canonical header and claims (RFC 8225 §9: members sorted, no
 * whitespace) and returns the malloc'd signing input "<b64 h>.<b64 c>"
 * (free() it). CLID_ERR_INVALID_ARGUMENT when `in` is not a valid
 * shaken/div PASSporT (TNs must already be canonical). When header_b64 is
 * set it is used as the header and must be clid__passport_header_b64 of
 * in->ppt and in->x5u (the caller's promise; not re-checked). */
clid_err clid__passport_signing_input(const clid__passport_in *in, char **out, size_t *out_len);


/* 1 when s is a UUID in 8-4-4-4-12 hex form (RFC 4122 §3). */
int clid__is_uuid(const char *s);

#endif
