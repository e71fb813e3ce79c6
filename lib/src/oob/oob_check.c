/*
 * The CPS side of out-of-band SHAKEN: checking one publish or retrieve
 * request (clid_oob_check_request) and the HTTP status of each outcome.
 *
 * Order: cheap checks first, so that a forged request never costs an x5u
 * fetch or a signature verification (as in verify.c):
 *   1. the path's numbers are TNs                      -> CLID_ERR_BAD_TN
 *   2. Authorization: Bearer (RFC 6750 §2.1)           -> TOKEN_MISSING
 *   3. size and JWT syntax, claims' presence and form  -> TOKEN_PARSE
 *   4. aud, action, time, orig/dest binding            -> AUDIENCE, ACTION,
 *                                                         EXPIRED/LIFETIME, BINDING
 *   5. the x5u chain validated and the ES256 signature, through the
 *      PASSporT pipeline's own code (verify/verify_internal.h), with the
 *      authority step: iss (and a retrieve's spc) an SPC of the
 *      certificate's TNAuthList (RFC 8226 §9)          -> SPC_NOT_AUTHORIZED
 *   6. publish: the body, its digest against the token's "passports", and
 *      each PASSporT's orig/dest against the path       -> BODY_PARSE,
 *                                                         DIGEST_MISMATCH, PASSPORT_MISMATCH
 * The jti replay check needs the CPS's store: the caller's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/internal.h"
#include "oob/oob_internal.h"
#include "passport/passport.h"
#include "verify/ctx_internal.h"
#include "verify/result_internal.h"
#include "verify/verify_internal.h"

struct clid_oob_grant {
    clid_oob_action action;
    char orig[CLID_TN_BUF];
    char dest[CLID_TN_BUF];
    char iss[CLID_OOB_ID_BUF];
    char spc[CLID_OOB_ID_BUF];
    char jti[CLID_OOB_ID_BUF];
    int64_t iat;
    int64_t exp;
    clid_oob_passports *passports;
    char detail[256];
};

clid_err clid_oob_grant_new(clid_oob_grant **out)
{
    CLID_ENSURE(out != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out = calloc(1, sizeof **out);
    return *out != NULL ? CLID_OK : CLID_ERR_NOMEM;
}

void clid_oob_grant_free(clid_oob_grant *g)
{
    if (g == NULL)
        return;
    clid_oob_passports_free(g->passports);
    free(g);
}

static void grant_reset(clid_oob_grant *g)
{
    clid_oob_passports_free(g->passports);
    memset(g, 0, sizeof *g);
}

clid_oob_action clid_oob_grant_action(const clid_oob_grant *g)
{
    return g != NULL ? g->action : (clid_oob_action)0;
}
const char *clid_oob_grant_orig(const clid_oob_grant *g)
{
    return g != NULL ? g->orig : "";
}
const char *clid_oob_grant_dest(const clid_oob_grant *g)
{
    return g != NULL ? g->dest : "";
}
const char *clid_oob_grant_iss(const clid_oob_grant *g)
{
    return g != NULL ? g->iss : "";
}
const char *clid_oob_grant_spc(const clid_oob_grant *g)
{
    return g != NULL ? g->spc : "";
}
const char *clid_oob_grant_jti(const clid_oob_grant *g)
{
    return g != NULL ? g->jti : "";
}
int64_t clid_oob_grant_iat(const clid_oob_grant *g)
{
    return g != NULL ? g->iat : 0;
}
int64_t clid_oob_grant_exp(const clid_oob_grant *g)
{
    return g != NULL ? g->exp : 0;
}
const clid_oob_passports *clid_oob_grant_passports(const clid_oob_grant *g)
{
    return g != NULL ? g->passports : NULL;
}
const char *clid_oob_grant_detail(const clid_oob_grant *g)
{
    return g != NULL ? g->detail : "";
}

static void set_detail(clid_oob_grant *g, const char *d)
{
    snprintf(g->detail, sizeof g->detail, "%s", d);
}

/* ------------------------------------------------------------------------ */
/* Step 2: the bearer token                                                  */
/* ------------------------------------------------------------------------ */

static int is_sp(char c)
{
    return c == ' ' || c == '\t';
}

/* RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token; the scheme name is
 * case-insensitive (RFC 9110 §11.1). Surrounding whitespace of the field
 * value is not part of it (RFC 9110 §5.5). */
static clid_err bearer(const char *auth, const char **tok, size_t *len)
{
    CLID_ENSURE(auth != NULL, CLID_ERR_OOB_TOKEN_MISSING);
    while (is_sp(*auth))
        auth++;
    CLID_ENSURE(strncasecmp(auth, "Bearer", 6) == 0 && is_sp(auth[6]), CLID_ERR_OOB_TOKEN_MISSING);
    auth += 6;
    while (is_sp(*auth))
        auth++;
    size_t n = strlen(auth);
    while (n > 0 && is_sp(auth[n - 1]))
        n--;
    CLID_ENSURE(n > 0, CLID_ERR_OOB_TOKEN_MISSING);
    *tok = auth;
    *len = n;
    return CLID_OK;
}

/* ------------------------------------------------------------------------ */
/* Step 4: what the claims must equal                                        */
/* ------------------------------------------------------------------------ */

static clid_err check_action(clid_oob_action req, clid_oob_action tok)
{
    /* POST carries a publish, or a peer CPS's republish (ATIS-1000096
     * mesh); whether that iss is a peer is the server's question. */
    if (req == CLID_OOB_PUBLISH || req == CLID_OOB_REPUBLISH)
        return tok == CLID_OOB_PUBLISH || tok == CLID_OOB_REPUBLISH ? CLID_OK
                                                                     : CLID_ERR_OOB_TOKEN_ACTION;
    return tok == CLID_OOB_RETRIEVE ? CLID_OK : CLID_ERR_OOB_TOKEN_ACTION;
}

static clid_err check_time(const clid_ctx *ctx, const clid__oob_token *t, int64_t now)
{
    /* Retention of a publish and lifetime of a retrieve token: at most 60 s
     * (ATIS-1000105, inferred; OOB-SPEC "Token"). */
    if (t->exp <= t->iat || t->exp - t->iat > CLID_OOB_MAX_TOKEN_LIFETIME)
        return CLID_ERR_OOB_TOKEN_LIFETIME;
    /* iat freshness as for PASSporTs (clid_ctx_set_freshness). The
     * differences are taken in uint64_t: `now` is the caller's value and
     * may be anything (the difference of two int64 always fits). */
    if (t->iat < now && (uint64_t)now - (uint64_t)t->iat > ctx->max_age)
        return CLID_ERR_OOB_TOKEN_EXPIRED;
    if (t->iat > now && (uint64_t)t->iat - (uint64_t)now > ctx->max_skew)
        return CLID_ERR_OOB_TOKEN_EXPIRED;
    return t->exp > now ? CLID_OK : CLID_ERR_OOB_TOKEN_EXPIRED;
}

/* ------------------------------------------------------------------------ */
/* Step 5: authority (called by clid__verify_signed between chain and sig)   */
/* ------------------------------------------------------------------------ */

static int has_spc(const clid_tnauth *l, const char *spc)
{
    for (size_t i = 0; i < clid_tnauth_count(l); i++) {
        clid_tnauth_entry e;
        if (clid_tnauth_get(l, i, &e) == CLID_OK && e.kind == CLID_TNAUTH_SPC &&
            strcmp(e.value, spc) == 0)
            return 1;
    }
    return 0;
}

static clid_err authorize_token(void *arg, const clid_ctx *ctx, clid_result *r,
                                const clid__signer_cert *c)
{
    (void)ctx, (void)r;
    const clid__oob_token *t = arg;
    /* A malformed or repeated TNAuthList is reported as such, never read. */
    if (c->tnauth == NULL)
        return c->tnauth_err != CLID_ERR_EXT_ABSENT ? c->tnauth_err
                                                     : CLID_ERR_OOB_SPC_NOT_AUTHORIZED;
    /* RFC 8226 §9: an SPC entry is the certificate's authority for that
     * service provider; a token speaks for its iss. */
    CLID_ENSURE(has_spc(c->tnauth, t->iss), CLID_ERR_OOB_SPC_NOT_AUTHORIZED);
    /* A retrieve's spc names the retriever (ATIS-1000105): itself. */
    if (t->action == CLID_OOB_RETRIEVE && t->spc[0] != '\0')
        CLID_ENSURE(strcmp(t->spc, t->iss) == 0, CLID_ERR_OOB_SPC_NOT_AUTHORIZED);
    return CLID_OK;
}

static clid_err check_signed(clid_verifier *v, clid__oob_token *t, int64_t now, clid_oob_grant *g)
{
    clid_result r;
    memset(&r, 0, sizeof r);
    clid__signed_check sc = {
        .x5u = t->x5u,
        .now = now,
        .signing_input = (const uint8_t *)t->signing_input,
        .signing_input_len = t->signing_input_len,
        .sig = t->sig,
        .sig_len = t->sig_len,
        .authorize = authorize_token,
        .authorize_arg = t,
    };
    clid_err rc = clid__verify_signed(v, &r, &sc);
    if (rc != CLID_OK && sc.detail[0] != '\0')
        set_detail(g, sc.detail);
    clid__signer_cert_release(sc.signer);
    clid__signer_cert_release(r.signer);
    free(r.x5u);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Step 6: the publish body                                                  */
/* ------------------------------------------------------------------------ */

static clid_err check_passport(const char *jws, const char *orig, const char *dest)
{
    clid__passport p;
    clid__passport_init(&p);
    clid_err rc = clid__passport_parse(jws, strlen(jws), &p);
    if (rc == CLID_OK && p.compact)
        rc = CLID_ERR_PASSPORT_COMPACT;
    if (rc == CLID_OK && strcmp(p.orig, orig) != 0)
        rc = CLID_ERR_OOB_PASSPORT_MISMATCH;
    if (rc == CLID_OK) {
        int found = 0;
        for (size_t i = 0; i < p.dest_count && !found; i++)
            found = strcmp(p.dest[i], dest) == 0;
        if (!found)
            rc = CLID_ERR_OOB_PASSPORT_MISMATCH;
    }
    clid__passport_clear(&p);
    return rc;
}

static clid_err check_body(const clid_oob_check_opts *o, const clid_oob_request *rq,
                           const clid__oob_token *t, clid_oob_grant *g)
{
    size_t max = o->max_passports != 0 && o->max_passports < CLID_OOB_MAX_PASSPORTS
                     ? o->max_passports
                     : CLID_OOB_MAX_PASSPORTS;
    if (rq->body_len > CLID_OOB_MAX_BODY || rq->body == NULL)
        return CLID_ERR_OOB_BODY_PARSE;
    CLID_TRY(clid__oob_passports_parse_max(rq->body, rq->body_len, max, &g->passports));
    char digest[CLID_OOB_DIGEST_BUF];
    CLID_TRY(clid_oob_passports_digest((const char *const *)g->passports->v, g->passports->n,
                                       digest));
    CLID_ENSURE(strcmp(digest, t->passports) == 0, CLID_ERR_OOB_DIGEST_MISMATCH);
    for (size_t i = 0; i < g->passports->n; i++) {
        clid_err rc = check_passport(g->passports->v[i], g->orig, g->dest);
        if (rc != CLID_OK) {
            char d[64];
            snprintf(d, sizeof d, "PASSporT %zu", i);
            set_detail(g, d);
            return rc;
        }
    }
    return CLID_OK;
}

/* ------------------------------------------------------------------------ */
/* The request                                                               */
/* ------------------------------------------------------------------------ */

static clid_err check(clid_verifier *v, const clid_oob_check_opts *o, const clid_oob_request *rq,
                      clid_oob_grant *g, clid__oob_token *t)
{
    const clid_ctx *ctx = clid__verifier_ctx(v);
    if (rq->orig == NULL || clid_tn_canonicalize(rq->orig, g->orig) != CLID_OK ||
        rq->dest == NULL || clid_tn_canonicalize(rq->dest, g->dest) != CLID_OK) {
        set_detail(g, "a path number is not a TN");
        return CLID_ERR_BAD_TN;
    }
    const char *tok = NULL;
    size_t len = 0;
    CLID_TRY(bearer(rq->authorization, &tok, &len));
    const char *why = "";
    clid_err rc = clid__oob_token_parse(tok, len, t, &why);
    if (rc != CLID_OK) {
        set_detail(g, why);
        return rc;
    }
    /* What was learned, for logs, before the checks that may refuse it. */
    g->action = t->action;
    memcpy(g->iss, t->iss, sizeof g->iss);
    memcpy(g->jti, t->jti, sizeof g->jti);
    memcpy(g->spc, t->spc, sizeof g->spc);
    g->iat = t->iat;
    g->exp = t->exp;

    CLID_ENSURE(strcmp(t->aud, o->aud) == 0, CLID_ERR_OOB_TOKEN_AUDIENCE);
    CLID_TRY(check_action(rq->action, t->action));
    int64_t now = rq->now != 0 ? rq->now : clid_ctx_now(ctx);
    CLID_TRY(check_time(ctx, t, now));
    CLID_ENSURE(strcmp(t->orig, g->orig) == 0 && strcmp(t->dest, g->dest) == 0,
                CLID_ERR_OOB_TOKEN_BINDING);
    CLID_TRY(check_signed(v, t, now, g));
    if (t->action == CLID_OOB_RETRIEVE)
        return CLID_OK;
    return check_body(o, rq, t, g);
}

clid_err clid_oob_check_request(clid_verifier *v, const clid_oob_check_opts *o,
                                const clid_oob_request *rq, clid_oob_grant *g)
{
    CLID_ENSURE(v != NULL && o != NULL && rq != NULL && g != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(o->aud != NULL && o->aud[0] != '\0', CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(rq->action == CLID_OOB_PUBLISH || rq->action == CLID_OOB_RETRIEVE ||
                    rq->action == CLID_OOB_REPUBLISH,
                CLID_ERR_INVALID_ARGUMENT);
    grant_reset(g);
    clid__oob_token t;
    memset(&t, 0, sizeof t);
    clid_err rc = check(v, o, rq, g, &t);
    clid__oob_token_clear(&t);
    if (rc != CLID_OK && g->detail[0] == '\0')
        set_detail(g, clid_err_str(rc));
    return rc;
}

/* ------------------------------------------------------------------------ */
/* HTTP status (OOB-SPEC "HTTP status map", docs/oob.md "Errors")           */
/* ------------------------------------------------------------------------ */

int clid_oob_http_status(clid_err e)
{
    switch (e) {
    case CLID_OK:
        return 200;
    case CLID_ERR_OOB_TOKEN_MISSING:
    case CLID_ERR_OOB_TOKEN_PARSE:
    case CLID_ERR_OOB_TOKEN_EXPIRED:
    case CLID_ERR_OOB_TOKEN_LIFETIME:
    case CLID_ERR_OOB_TOKEN_AUDIENCE:
        return 401;
    case CLID_ERR_OOB_SPC_NOT_AUTHORIZED:
    case CLID_ERR_OOB_TOKEN_ACTION:
    case CLID_ERR_OOB_TOKEN_BINDING:
    /* The body is not what the token authorized (OOB-SPEC leaves it
     * unlisted; a refusal of authorization, like BINDING). */
    case CLID_ERR_OOB_DIGEST_MISMATCH:
        return 403;
    case CLID_ERR_OOB_TOKEN_REPLAY:
        return 409;
    case CLID_ERR_OOB_BODY_PARSE:
    case CLID_ERR_BAD_TN:
    case CLID_ERR_OOB_PASSPORT_MISMATCH:
        return 400;
    case CLID_ERR_OOB_TOO_MANY_PASSPORTS:
        return 413;
    case CLID_ERR_OOB_NOT_FOUND:
        return 404;
    case CLID_ERR_OOB_STORE_FULL:
    case CLID_ERR_OOB_STORE_UNAVAILABLE:
        return 503;
    /* Client side: what a gateway endpoint answers when the CPS failed. */
    case CLID_ERR_OOB_CPS_UNREACHABLE:
    case CLID_ERR_OOB_CPS_STATUS:
        return 502;
    default:
        break;
    }
    /* The token's certificate: what SIP answers with 436 (x5u) or 437
     * (credential) is, for the CPS, an unacceptable bearer credential. */
    int sip = clid_err_sip_status(e);
    if (sip == 436 || sip == 437)
        return 401;
    switch (clid_err_class_of(e)) {
    /* The token's certificate, its retrieval and its signature. */
    case CLID_CLASS_CERT:
    case CLID_CLASS_FETCH:
    case CLID_CLASS_CRYPTO:
        return 401;
    /* A published PASSporT that does not parse (CLID_ERR_PASSPORT_*, JSON,
     * base64url). */
    case CLID_CLASS_PARSE:
        return 400;
    default:
        return 500;
    }
}
