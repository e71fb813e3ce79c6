/*
 * Rich Call Data claims (RFC 9795): "rcd" (nam, apn, icn, jcd, jcl), "crn"
 * and "rcdi", for the signer (clid__rcd_add_claims) and the parser
 * (clid__rcd_parse, called by passport.c for every PASSporT), plus the
 * pieces the verifier (verify/verify_rcd.c) needs: jCard checks, JSON
 * pointers into the rcd claim, and integrity digests.
 *
 * Decisions (docs/rcd.md):
 *   - rcdi keys are JSON pointers (RFC 6901) whose root is the "rcd" claim
 *     object (RFC 9795 §6: "/icn", "/jcl", "/jcd/1/3/3" for a URI inside
 *     an inline jCard); each must name a string member that is present.
 *   - a digest is "<alg>-<base64 of the hash of the bytes the URI serves>"
 *     in the Subresource Integrity form RFC 9795 §6 refers to; alg is
 *     sha256, sha384 or sha512, anything else CLID_ERR_RCD_DIGEST_ALG.
 *   - one level of URI reference (RFC 9795 §5, "jcl"): an inline jCard may
 *     hold "uri"-typed properties (checked through their rcdi digests), a
 *     jCard retrieved from "jcl" may not (CLID_ERR_RCD_CONTENT_INVALID).
 */
#ifndef CLID_RCD_H
#define CLID_RCD_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <clid/clid.h>

#define CLID__RCD_STR_MAX 256     /* nam, crn (bytes) */
#define CLID__RCD_URL_MAX 2048    /* icn, jcl */
#define CLID__RCD_MAX_DIGESTS 8   /* rcdi members */
#define CLID__RCD_DIGEST_MAX 64   /* sha512 */

typedef enum clid__rcd_alg {
    CLID__RCD_SHA256 = 1,
    CLID__RCD_SHA384,
    CLID__RCD_SHA512,
} clid__rcd_alg;

typedef struct clid__rcd_digest {
    char *pointer;         /* "/jcl", relative to the rcd claim */
    char *value;           /* "sha256-..." as received */
    clid__rcd_alg alg;
} clid__rcd_digest;

/* The parsed claims; strings owned (clid__rcd_clear). */
typedef struct clid__rcd {
    int present;           /* an rcd, crn or rcdi claim was there */
    int has_rcd;           /* the "rcd" claim itself */
    char *nam;
    char *apn;             /* canonical TN, or NULL */
    char *jcd;             /* the inline jCard, canonical JSON, or NULL */
    char *jcl;
    char *icn;
    char *crn;
    clid__rcd_digest rcdi[CLID__RCD_MAX_DIGESTS];
    size_t n_rcdi;
} clid__rcd;

void clid__rcd_clear(clid__rcd *r);

/*
 * Reads the rcd, crn and rcdi claims of `claims` into `out` (cleared
 * first). Absent claims are fine unless `required` (ppt "rcd": the rcd
 * claim must be there). Malformed: CLID_ERR_RCD_SYNTAX; an rcdi digest of
 * an unknown algorithm: CLID_ERR_RCD_DIGEST_ALG.
 */
clid_err clid__rcd_parse(const json_t *claims, int required, clid__rcd *out);

/*
 * Validates `in` (clid.h clid_rcd) and adds "crn", "rcd" and "rcdi" to the
 * claims object `claims` (members added in any order: the caller dumps
 * with JSON_SORT_KEYS). CLID_ERR_INVALID_ARGUMENT for anything clid.h
 * forbids.
 */
clid_err clid__rcd_add_claims(json_t *claims, const clid_rcd *in);

/*
 * A jCard (RFC 7095 §3.2): ["vcard", [property, ...]], each property
 * [name, {params}, type, value, ...] with strings of clean UTF-8. With
 * `allow_uri` 0 a property of type "uri" is refused. Returns 1 when it is
 * one.
 */
int clid__rcd_is_jcard(json_t *j, int allow_uri);

/* RFC 6901: the member of `root` that `pointer` names, or NULL. */
const json_t *clid__rcd_pointer_get(const json_t *root, const char *pointer);

/* Parses a digest "<alg>-<base64>": CLID_OK, CLID_ERR_RCD_DIGEST_ALG for
 * an unknown alg, CLID_ERR_RCD_SYNTAX for a malformed value. */
clid_err clid__rcd_digest_parse(const char *s, size_t len, clid__rcd_alg *alg);

/* The digest string of `data` with `alg` ("sha256-" + base64) in out[cap]
 * (at least 96 bytes). */
clid_err clid__rcd_digest_format(clid__rcd_alg alg, const uint8_t *data, size_t len, char *out,
                                 size_t cap);

/* 1 when `got` (as received) is the digest of data[0..len) by `alg`;
 * compared in constant time (CRYPTO_memcmp). */
int clid__rcd_digest_matches(clid__rcd_alg alg, const char *got, const uint8_t *data,
                             size_t len);

#endif
