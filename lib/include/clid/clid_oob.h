/*
 * clid: out-of-band SHAKEN through a Call Placement Service (CPS).
 *
 * An Identity header cannot cross an ISUP/TDM segment. At the SIP->TDM edge
 * the call's PASSporTs are published to a CPS; at the TDM->SIP edge they
 * are retrieved by the call's numbers and verified as if they had come in
 * band (RFC 8816 architecture, RFC 9888, ATIS-1000096 mesh of CPSs,
 * ATIS-1000105 one agreed CPS). docs/oob.md says which parts follow a
 * published text and which are inferred (the ATIS texts are not public).
 *
 * Three layers, all in libclid (no libmicrohttpd, no hiredis):
 *  1. the CPS bearer token: built and signed by a clid_signer, checked by a
 *     clid_verifier with the same trust anchors, CRLs and certificate
 *     profile as PASSporTs (clid_oob_token_sign, clid_oob_check_request);
 *  2. the client: publish and retrieve over libcurl, under a clid_fetcher's
 *     URL and address policy; the CPS URL is configured, never taken from a
 *     message (clid_oob_client_*);
 *  3. the gateway flow for proxies: publish an INVITE's PASSporTs at the
 *     egress, and at the ingress turn a retrieval into an Identity header
 *     plus verstat (clid_oob_egress, clid_oob_ingress).
 * The store (memory or Redis) and the HTTP server are in `clid serve`.
 *
 * Wire format (docs/oob.md):
 *   POST /passports/{DEST}/{ORIG}  body {"passports":["<JWS>",...]} -> 201
 *   GET  /passports/{DEST}/{ORIG}  -> 200 {"passports":[...]} or 404
 *   Authorization: Bearer <JWT>, header {"alg":"ES256","typ":"JWT","x5u":URL}, claims
 *     iat, exp, action ("publish"|"retrieve"), iss (the requester's SPC),
 *     aud (the CPS), jti, orig {"tn":TN}, dest {"tn":[TN]},
 *     spc (publish, optional: only a retriever with this SPC gets the record,
 *          ATIS-1000105),
 *     passports (publish: "sha256-" + base64 (RFC 4648 §4, padded) of the
 *          SHA-256 of the compact JSON array ["<JWS>",...], no spaces).
 *   DEST and ORIG are canonical TNs (clid_tn_canonicalize), digits only.
 *
 * Thread safety: a clid_oob_client is configured first, then used from any
 * number of threads (each call is one libcurl easy handle). Grants are
 * per call. No thread is started; retries sleep in the calling thread.
 */
#ifndef CLID_OOB_H
#define CLID_OOB_H

#include <stddef.h>
#include <stdint.h>

#include <clid/clid.h>
#include <clid/clid_fetch.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Limits (a CPS refuses more; docs/oob.md "Limits")                         */
/* ------------------------------------------------------------------------ */

#define CLID_OOB_MAX_PASSPORTS 8       /* per publish and per retrieved record */
#define CLID_OOB_MAX_PASSPORT_LEN 4096 /* one PASSporT, full form "h.c.s" */
#define CLID_OOB_MAX_BODY 40960        /* a publish or retrieve body */
#define CLID_OOB_MAX_TOKEN 8192        /* the bearer token */
#define CLID_OOB_MAX_RETENTION 60      /* publish: exp - iat, seconds (ATIS-1000105) */
#define CLID_OOB_MAX_TOKEN_LIFETIME 60 /* retrieve: exp - iat, seconds */
#define CLID_OOB_ID_BUF 129            /* iss, spc, aud, jti: at most 128 printable ASCII */
#define CLID_OOB_DIGEST_BUF 52         /* "sha256-" + 44 base64 + NUL */

typedef enum clid_oob_action {
    CLID_OOB_PUBLISH = 1,
    CLID_OOB_RETRIEVE = 2,
    /* A CPS forwarding an accepted publish to its peers (ATIS-1000096 mesh):
     * POST like a publish, token action "republish", signed by the
     * forwarding CPS; a CPS accepts it only from an iss it lists as a peer
     * and never forwards it again (docs/oob.md, inferred). */
    CLID_OOB_REPUBLISH = 3
} clid_oob_action;

/* ------------------------------------------------------------------------ */
/* Token and body                                                            */
/* ------------------------------------------------------------------------ */

typedef struct clid_oob_token_params {
    clid_oob_action action;
    const char *aud;  /* the CPS's audience (its configured name; the client uses its URL host) */
    const char *iss;  /* the requester's SPC; NULL: the first SPC of the signer's certificate
                         (CLID_ERR_INVALID_ARGUMENT when the signer has no certificate or
                         none) */
    const char *spc;  /* publish only, optional: the SPC allowed to retrieve (ATIS-1000105) */
    const char *orig; /* calling TN (canonicalized by clid) */
    const char *dest; /* called TN (canonicalized by clid) */
    const char *const *passports; /* publish: what the digest covers (exact strings sent) */
    size_t passport_count;
    int64_t iat;      /* 0: the signer's clock */
    unsigned ttl;     /* exp - iat in seconds, 1..60; 0: 60 for publish, 30 for retrieve */
    const char *jti;  /* NULL: a random version-4 UUID */
} clid_oob_token_params;

/* Builds and signs the bearer token (ES256, x5u = the signer's x5u). Same
 * buffer contract as clid_sign_identity. */
CLID_API CLID_WUR clid_err clid_oob_token_sign(const clid_signer *s,
                                               const clid_oob_token_params *p, char *out,
                                               size_t cap, size_t *out_len);

/* "sha256-<base64>" over the compact JSON array of `passports`. */
CLID_API CLID_WUR clid_err clid_oob_passports_digest(const char *const *passports, size_t n,
                                                     char out[CLID_OOB_DIGEST_BUF]);

/* {"passports":["...",...]}: the publish body and the retrieve answer. */
CLID_API CLID_WUR clid_err clid_oob_body_build(const char *const *passports, size_t n,
                                               char *out, size_t cap, size_t *out_len);

/* A parsed passports body (publish body or retrieve answer). */
typedef struct clid_oob_passports clid_oob_passports;
/* Parses {"passports":[...]} strictly: an object with exactly that member,
 * 1..CLID_OOB_MAX_PASSPORTS strings of at most CLID_OOB_MAX_PASSPORT_LEN
 * characters each, each three base64url parts (non-empty header, claims and
 * signature), body at most CLID_OOB_MAX_BODY. CLID_ERR_OOB_BODY_PARSE or
 * CLID_ERR_OOB_TOO_MANY_PASSPORTS. */
CLID_API CLID_WUR clid_err clid_oob_passports_parse(const char *body, size_t len,
                                                    clid_oob_passports **out);
CLID_API void clid_oob_passports_free(clid_oob_passports *p);
CLID_API size_t clid_oob_passports_count(const clid_oob_passports *p);
CLID_API const char *clid_oob_passports_get(const clid_oob_passports *p, size_t i);
/* The identity header value that carries PASSporT i in band:
 * "<jws>;info=<x5u>;alg=ES256;ppt=<ppt>" (RFC 8224 §4.1), from its own
 * header's x5u and ppt. CLID_ERR_PASSPORT_* when the PASSporT's header is
 * unusable. Same buffer contract as clid_sign_identity. */
CLID_API CLID_WUR clid_err clid_oob_passport_identity(const char *passport, char *out, size_t cap,
                                                      size_t *out_len);

/* ------------------------------------------------------------------------ */
/* CPS side: checking a request (the store and HTTP are the server's)        */
/* ------------------------------------------------------------------------ */

typedef struct clid_oob_request {
    clid_oob_action action;     /* from the method: POST publish (the token may say publish
                                   or republish: clid_oob_grant_action tells), GET retrieve */
    const char *dest;           /* {DEST} of the path, as received */
    const char *orig;           /* {ORIG} of the path, as received */
    const char *authorization;  /* the Authorization field value, NULL when absent */
    const char *body;           /* publish: the body; retrieve: NULL */
    size_t body_len;
    int64_t now;                /* 0: the verifier's context clock */
} clid_oob_request;

typedef struct clid_oob_check_opts {
    const char *aud;            /* this CPS's audience; required */
    unsigned max_passports;     /* 0: CLID_OOB_MAX_PASSPORTS */
} clid_oob_check_opts;

typedef struct clid_oob_grant clid_oob_grant;
CLID_API CLID_WUR clid_err clid_oob_grant_new(clid_oob_grant **out);
CLID_API void clid_oob_grant_free(clid_oob_grant *g);

/*
 * Checks one CPS request: the path's numbers, the bearer token (syntax,
 * ES256 signature by the certificate its x5u names, that chain validated at
 * `now` against the verifier's trust anchors and CRLs, iss and spc among the
 * certificate's TNAuthList SPCs, aud, action, iat freshness, exp ahead of
 * now and at most 60 s after iat, orig/dest equal to the path's), and for a
 * publish the body: parsed, the digest equal to the token's `passports`,
 * every PASSporT a full PASSporT whose orig and one of whose dest are the
 * path's numbers. The replay check (jti) is the caller's, with its store:
 * the grant gives iss, jti and exp. CLID_OK fills `g`; otherwise the reason,
 * with `g` holding what was learned (clid_oob_grant_detail for logs).
 */
CLID_API CLID_WUR clid_err clid_oob_check_request(clid_verifier *v, const clid_oob_check_opts *o,
                                                  const clid_oob_request *rq, clid_oob_grant *g);
CLID_API clid_oob_action clid_oob_grant_action(const clid_oob_grant *g);
CLID_API const char *clid_oob_grant_orig(const clid_oob_grant *g);  /* canonical TN */
CLID_API const char *clid_oob_grant_dest(const clid_oob_grant *g);  /* canonical TN */
CLID_API const char *clid_oob_grant_iss(const clid_oob_grant *g);   /* requester's SPC */
CLID_API const char *clid_oob_grant_spc(const clid_oob_grant *g);   /* publish restriction, "" none */
CLID_API const char *clid_oob_grant_jti(const clid_oob_grant *g);
CLID_API int64_t clid_oob_grant_iat(const clid_oob_grant *g);
CLID_API int64_t clid_oob_grant_exp(const clid_oob_grant *g);
/* Publish: the checked PASSporTs, owned by the grant. */
CLID_API const clid_oob_passports *clid_oob_grant_passports(const clid_oob_grant *g);
CLID_API const char *clid_oob_grant_detail(const clid_oob_grant *g); /* "" when none */
/* The HTTP status a CPS answers with for `e` (docs/oob.md "Errors"): 201/200
 * for CLID_OK by action is the caller's; 400, 401, 403, 404, 409, 413, 503. */
CLID_API int clid_oob_http_status(clid_err e);

/* ------------------------------------------------------------------------ */
/* Client                                                                    */
/* ------------------------------------------------------------------------ */

typedef struct clid_oob_client clid_oob_client;

/* `cps_url` is the CPS base ("https://cps.example.net/oob/"; the client
 * appends "passports/{DEST}/{ORIG}"), checked against `policy`'s URL and
 * address rules (clid_fetcher_check_url), whose CA file and timeouts the
 * transfers use. `policy` is kept by reference: free the client first. */
CLID_API CLID_WUR clid_err clid_oob_client_new(const clid_fetcher *policy, const char *cps_url,
                                               clid_oob_client **out);
CLID_API void clid_oob_client_free(clid_oob_client *c);
/* Audience put in tokens; default: the host of cps_url. */
CLID_API CLID_WUR clid_err clid_oob_client_set_aud(clid_oob_client *c, const char *aud);
/* Total time one publish or retrieve transfer may take (default 1000 ms). */
CLID_API CLID_WUR clid_err clid_oob_client_set_timeout_ms(clid_oob_client *c, unsigned ms);

typedef struct clid_oob_publish_opts {
    const char *orig;
    const char *dest;
    const char *const *passports;
    size_t passport_count;
    const char *spc;      /* optional ATIS-1000105 restriction */
    unsigned retention;   /* seconds, 1..60; 0: 60 */
    int republish;        /* 1: token action "republish" (a CPS forwarding to a peer) */
} clid_oob_publish_opts;

/* Signs a publish token with `token_signer` and POSTs. CLID_OK on 201;
 * CLID_ERR_OOB_CPS_STATUS (with *http_status set: any other status, a
 * redirect included, which is never followed) or
 * CLID_ERR_OOB_CPS_UNREACHABLE (no status: connection, TLS, timeout)
 * otherwise. Before sending: CLID_ERR_BAD_TN (a number that is not digits
 * once canonical), CLID_ERR_INVALID_ARGUMENT (0 or more than
 * CLID_OOB_MAX_PASSPORTS, retention over 60), CLID_ERR_OOB_TOO_MANY_PASSPORTS
 * (body over CLID_OOB_MAX_BODY), the token's errors; CLID_ERR_X5U_URL_POLICY
 * when the CPS name resolves to an address the policy refuses.
 * http_status may be NULL (0 when no status arrived). */
CLID_API CLID_WUR clid_err clid_oob_publish(clid_oob_client *c, const clid_signer *token_signer,
                                            const clid_oob_publish_opts *o, int *http_status);

/* Signs a retrieve token and GETs. CLID_OK with *out (free with
 * clid_oob_passports_free); CLID_ERR_OOB_NOT_FOUND on 404;
 * CLID_ERR_OOB_BODY_PARSE (or _TOO_MANY_PASSPORTS) for a 200 whose body
 * clid_oob_passports_parse refuses, one over CLID_OOB_MAX_BODY included
 * (not read past the limit); otherwise as clid_oob_publish. */
CLID_API CLID_WUR clid_err clid_oob_retrieve(clid_oob_client *c, const clid_signer *token_signer,
                                             const char *orig, const char *dest,
                                             clid_oob_passports **out, int *http_status);

/*
 * Verifies every retrieved PASSporT exactly as an Identity header
 * (clid_verify_identity with the call's orig, dest and now) and keeps the
 * best verdict: the first that passes, else the first failure. `res` gets
 * that verdict; *best (optional) its index. Returns the verdict's code.
 */
CLID_API CLID_WUR clid_err clid_oob_verify_passports(clid_verifier *v,
                                                     const clid_oob_passports *p,
                                                     const char *orig, const char *dest,
                                                     int64_t now, clid_result *res, size_t *best);

/* ------------------------------------------------------------------------ */
/* Gateway flow                                                              */
/* ------------------------------------------------------------------------ */

/*
 * SIP->TDM egress: publishes the full-form PASSporTs of the request's
 * Identity headers under its (orig, dest) (clid_sip_get_tns), within
 * `budget_ms` in all (0: the client's timeout). *published (optional) gets
 * their number. Compact PASSporTs ("h..s") are skipped: their claims stay
 * in the SIP request, which the TDM segment drops. A request without
 * Identity (or with compact ones only): CLID_ERR_NO_IDENTITY, nothing sent.
 * Errors of clid_sip_get_tns and clid_oob_publish otherwise.
 */
CLID_API CLID_WUR clid_err clid_oob_egress(clid_oob_client *c, const clid_signer *token_signer,
                                           const char *msg, size_t len, unsigned budget_ms,
                                           size_t *published);

typedef struct clid_oob_ingress_opts {
    unsigned budget_ms;    /* whole retrieval, retries included; 0: 1000 */
    unsigned retry_ms;     /* pause between retrievals after a 404 (publish and call setup
                              race, RFC 9888); 0: 100 */
    int64_t now;           /* 0: the verifier's context clock */
} clid_oob_ingress_opts;

/*
 * TDM->SIP ingress: for a request without Identity, retrieves by its
 * (orig, dest), retrying after a 404 until the budget is spent, verifies
 * (clid_oob_verify_passports), and writes the request with the best
 * PASSporT as an Identity header (when one passed) and verstat
 * (clid_sip_add_verstat) into out[cap]. CLID_ERR_OOB_NOT_FOUND: nothing
 * retrieved, out has verstat=No-TN-Validation; so has it when the CPS
 * failed (CLID_ERR_OOB_CPS_STATUS, _CPS_UNREACHABLE, _BODY_PARSE: the call
 * goes on unverified). A failed verification writes verstat
 * TN-Validation-Failed and no Identity header. A request that already has
 * a (non-empty) Identity: CLID_ERR_INVALID_ARGUMENT (verify it in band).
 * `res` (optional) gets the verdict (its reason: the verdict's code). Same
 * buffer contract as clid_sign_identity, but a size query retrieves again:
 * give len + CLID_SIP_SIGN_EXTRA + CLID_SIP_VERSTAT_EXTRA + 1 bytes (or
 * CLID_SIP_MAX_LEN + 1), which always fits.
 */
CLID_API CLID_WUR clid_err clid_oob_ingress(clid_oob_client *c, const clid_signer *token_signer,
                                            clid_verifier *v, const clid_oob_ingress_opts *o,
                                            const char *msg, size_t len, clid_result *res,
                                            char *out, size_t cap, size_t *out_len);

#ifdef __cplusplus
}
#endif
#endif /* CLID_OOB_H */
