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

#define CLID_PASSPORT_MAX_DEST 16
#define CLID_UUID_BUF 37
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
    char attest;                 /* 0 when absent */
    char origid[CLID_UUID_BUF];  /* "" when absent */
    char div[CLID_TN_BUF];       /* "" when absent */
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
 * Parses a full "h.c.s" JWS and checks each member's presence and type:
 *   header: alg == "ES256" (CLID_ERR_PASSPORT_ALG), typ == "passport"
 *     (CLID_ERR_PASSPORT_TYP), ppt a string if present, x5u a string
 *     (CLID_ERR_PASSPORT_X5U);
 *   claims: iat an integer >= 0 (CLID_ERR_PASSPORT_IAT), orig {"tn": str}
 *     (CLID_ERR_PASSPORT_ORIG; TN canonicalized), dest {"tn": [str, ...]}
 *     (CLID_ERR_PASSPORT_DEST), and for ppt "shaken" attest in A/B/C
 *     (CLID_ERR_PASSPORT_ATTEST) and origid a UUID (CLID_ERR_PASSPORT_ORIGID);
 *     for ppt "div" div {"tn": str} (CLID_ERR_PASSPORT_DIV).
 * Malformed structure: CLID_ERR_JWS_SYNTAX, CLID_ERR_BASE64, CLID_ERR_JSON
 * (also for duplicate members). Whether the ppt is *accepted* is the
 * verifier's policy, not checked here. A compact "..s" form sets `compact`
 * and returns CLID_OK with only the signature filled in.
 */
clid_err clid__passport_parse(const char *jws, size_t len, clid__passport *p);

/* Inputs for building, already validated/canonicalized by the signer. */
typedef struct clid__passport_in {
    const char *ppt;     /* "shaken" or "div" */
    const char *x5u;
    int64_t iat;
    const char *orig;
    const char *const *dest;
    size_t dest_count;
    char attest;         /* shaken */
    const char *origid;  /* shaken */
    const char *div;     /* div */
} clid__passport_in;

/* Builds the canonical header and claims (RFC 8225 §9: members sorted, no
 * whitespace) and returns the malloc'd signing input "<b64 h>.<b64 c>". */
clid_err clid__passport_signing_input(const clid__passport_in *in, char **out, size_t *out_len);

/* Rebuilds the signing input of a compact PASSporT (RFC 8225 §7) from what
 * the SIP request says. */
clid_err clid__passport_compact_input(const clid__passport_in *in, char **out, size_t *out_len);

/* 1 when s is a UUID in 8-4-4-4-12 hex form (RFC 4122 §3). */
int clid__is_uuid(const char *s);

#endif
