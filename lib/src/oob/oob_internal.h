/*
 * Out-of-band SHAKEN (clid_oob.h): what the token, body and request-check
 * files share. Not exported.
 */
#ifndef CLID_OOB_INTERNAL_H
#define CLID_OOB_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <clid/clid.h>
#include <clid/clid_oob.h>

/* A parsed {"passports":[...]}: owned copies of the strings. */
struct clid_oob_passports {
    size_t n;
    char *v[CLID_OOB_MAX_PASSPORTS];
};

/* clid_oob_passports_parse with at most `max` (1..CLID_OOB_MAX_PASSPORTS)
 * PASSporTs: a CPS may be configured below the wire limit. */
clid_err clid__oob_passports_parse_max(const char *body, size_t len, size_t max,
                                       clid_oob_passports **out);

/* The largest x5u a token may name (the signer's own bound, sign.c). */
#define CLID__OOB_X5U_MAX 2048

/* A parsed bearer token: header and claims checked for presence, type and
 * form only (clid__oob_token_parse); what they must equal is oob_check.c's
 * question. */
typedef struct clid__oob_token {
    char *x5u;
    clid_oob_action action;
    int64_t iat;
    int64_t exp;
    char iss[CLID_OOB_ID_BUF];
    char aud[CLID_OOB_ID_BUF];
    char jti[CLID_OOB_ID_BUF];
    char spc[CLID_OOB_ID_BUF];          /* "" when absent */
    char passports[CLID_OOB_DIGEST_BUF]; /* "" when absent */
    char orig[CLID_TN_BUF];             /* canonical */
    char dest[CLID_TN_BUF];             /* canonical */
    char *signing_input;                /* "<b64 header>.<b64 claims>" */
    size_t signing_input_len;
    uint8_t sig[64];
    size_t sig_len;
} clid__oob_token;

/* Parses a compact JWT (at most CLID_OOB_MAX_TOKEN bytes): three base64url
 * parts, header {"alg":"ES256","typ":"JWT" (optional),"x5u":URL} without
 * "crit", claims as OOB-SPEC "Token" lists them (aud a string), strict JSON
 * (no duplicate members). CLID_ERR_OOB_TOKEN_PARSE for any defect (the
 * detail, when `detail` is not NULL, names which). Clear `t` in any case. */
clid_err clid__oob_token_parse(const char *tok, size_t len, clid__oob_token *t, const char **detail);
void clid__oob_token_clear(clid__oob_token *t);

/* 1 for 1..128 printable ASCII (iss, aud, jti, spc). */
int clid__oob_id_ok(const char *s, size_t len);

#endif
