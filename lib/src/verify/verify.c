/*
 * The verification pipeline (DESIGN.md; docs/verification.md).
 *
 * Order of the checks. Every step has its own reason code, but the order is
 * chosen so that a request that fails a cheap check never costs a network
 * fetch or a signature verification (a forged header must not be able to
 * make a verifier download URLs or burn CPU):
 *   1. Identity header syntax (RFC 8224 §4.1)            -> 438 / 436
 *   2. PASSporT structure and claims (RFC 8225, 8588, 8946) -> 438
 *   3. ppt accepted; Identity ppt and PASSporT ppt agree; x5u == info;
 *      profile deviations of the header and claims (warnings, or strict)
 *   4. freshness: iat vs now, SIP Date vs iat (RFC 8224 §6.2.2) -> 403
 *   5. binding: orig and dest against the request (RFC 8224 §6.2.2) -> 438
 *   6. certificate: given chain, offline map, cache, fetcher -> 436
 *   7. chain validation at `now`, CRLs, delegation (RFC 9060) -> 437;
 *      the chain's profile deviations (warnings, or strict); then the CRLs
 *      the certificates' distribution points name, fetched only now that
 *      the chain is known to come from a trusted issuer (x509/crl.h)
 *   8. authority: TNAuthList covers the TN (RFC 8226 §9), claim constraints
 *      (RFC 8226 §8, RFC 9118), SignallingEntity (Q.3063 profile) -> 437/438
 *   9. signature, ES256 raw r||s (RFC 7518 §3.4)          -> 438
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "x509/certcache.h"
#include "x509/crl_store.h"
#include "x509/issuer_cache.h"
#include "verify/ctx_internal.h"
#include "passport/identity.h"
#include "core/internal.h"
#include "passport/passport.h"
#include "verify/result_internal.h"
#include "verify/verify_internal.h"
#include "verify/verify_rcd.h"

#define DEFAULT_CACHE_ENTRIES 1024
/* Cache lifetime bounds for fetched chains (DESIGN.md defaults). */
#define X5U_TTL_MIN 300
#define X5U_TTL_MAX 86400
#define X5U_TTL_FOREVER INT64_MAX

struct clid_verifier {
    const clid_ctx *ctx;
    clid__cert_cache *cache;
    clid__issuer_cache *issuers; /* validated intermediates (x509/issuer_cache.h) */
    clid__crl_store *crls;       /* fetched CRLs (revocation as deployed) */
    uint64_t verifications;      /* clid_verifier_stats, atomic */
    uint64_t crl_unavailable;
    uint64_t crl_revoked;
};

clid_err clid_verifier_new(const clid_ctx *ctx, clid_verifier **out)
{
    CLID_ENSURE(ctx != NULL && out != NULL, CLID_ERR_INVALID_ARGUMENT);
    clid_verifier *v = calloc(1, sizeof *v);
    CLID_ENSURE(v != NULL, CLID_ERR_NOMEM);
    v->ctx = ctx;
    clid_err rc = clid__cert_cache_new(DEFAULT_CACHE_ENTRIES, &v->cache);
    if (rc == CLID_OK)
        rc = clid__crl_store_new(&v->crls);
    if (rc == CLID_OK)
        rc = clid__issuer_cache_new(CLID__ISSUER_CACHE_DEFAULT, &v->issuers);
    if (rc != CLID_OK) {
        clid__crl_store_free(v->crls);
        clid__cert_cache_free(v->cache);
        free(v);
        return rc;
    }
    *out = v;
    return CLID_OK;
}

void clid_verifier_free(clid_verifier *v)
{
    if (v == NULL)
        return;
    clid__cert_cache_free(v->cache);
    clid__crl_store_free(v->crls);
    clid__issuer_cache_free(v->issuers);
    free(v);
}

clid_err clid_verifier_set_cache_size(clid_verifier *v, size_t entries)
{
    CLID_ENSURE(v != NULL, CLID_ERR_INVALID_ARGUMENT);
    /* No cache means no validated intermediates either: every
     * verification then validates its whole chain. */
    clid__issuer_cache_set_max(v->issuers, entries == 0 ? 0 : CLID__ISSUER_CACHE_DEFAULT);
    return clid__cert_cache_set_max(v->cache, entries);
}

void clid_verifier_clear_cache(clid_verifier *v)
{
    if (v != NULL) {
        clid__cert_cache_clear(v->cache);
        clid__crl_store_clear(v->crls);
        clid__issuer_cache_clear(v->issuers);
    }
}

void clid_verifier_get_stats(const clid_verifier *v, clid_verifier_stats *out)
{
    if (out == NULL)
        return;
    memset(out, 0, sizeof *out);
    if (v == NULL)
        return;
    clid__crl_store_stats(v->crls, out);
    out->verifications = __atomic_load_n(&v->verifications, __ATOMIC_RELAXED);
    out->crl_unavailable = __atomic_load_n(&v->crl_unavailable, __ATOMIC_RELAXED);
    out->crl_revoked = __atomic_load_n(&v->crl_revoked, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------------------ */
/* Steps 3 to 5: checks on the claims alone                                  */
/* ------------------------------------------------------------------------ */

static int slice_eq(clid__slice s, const char *str)
{
    size_t n = strlen(str);
    return s.len == n && memcmp(s.ptr, str, n) == 0;
}

static clid_err check_header_agreement(const clid_ctx *ctx, const clid__identity *id,
                                       const clid__passport *p)
{
    /* RFC 8224 §4.1: the ppt parameter names the PASSporT's type; when both
     * are present they must agree. An absent parameter is a profile
     * deviation (check_header_profile); an absent PASSporT ppt is a basic
     * PASSporT. */
    if (id->ppt.ptr != NULL && !slice_eq(id->ppt, p->ppt))
        return CLID_ERR_IDENTITY_PPT;
    /* RFC 8224 §6.2.2: 428 is sent when no Identity header field "without a
     * "ppt" parameter or with a supported "ppt" value has been received": a
     * PASSporT of a type the verifier does not accept counts as none
     * (No-TN-Validation), not as a broken one. */
    if (!clid__ctx_ppt_accepted(ctx, p->ppt))
        return CLID_ERR_PASSPORT_PPT_UNSUPPORTED;
    /* RFC 8225 §5.2.1 / ATIS-1000074 §5.3.1: x5u must equal info, or a
     * signer could point the verifier at one certificate and claim another. */
    if (p->x5u == NULL)
        return CLID_ERR_PASSPORT_X5U;
    if (!slice_eq(id->info, p->x5u))
        return CLID_ERR_PASSPORT_X5U_MISMATCH;
    return CLID_OK;
}

/*
 * Profile deviations of the header and PASSporT (docs/verification.md,
 * "Strict and lenient"), each a warning or, strict, the failure. None of
 * them is a security property: what they are about is signed, or proves
 * nothing.
 *   - alg absent: RFC 8224 §4.1 makes ES256 the default, and the PASSporT's
 *     own (signed) alg must be ES256 anyway (CLID_ERR_PASSPORT_ALG); SHAKEN
 *     Identity headers carry ";alg=ES256", so its absence is reported.
 *   - ppt absent while the PASSporT has one: RFC 8224 §4.1 wants the
 *     parameter for a PASSporT of a type other than the basic one; the
 *     signed PASSporT ppt is what is checked against the accepted types.
 *   - an origid that is not a UUID (RFC 8588 §4): an opaque value the
 *     signer chooses; a national regulator's test plan has calls with other
 *     identifiers expected to pass.
 * A present but wrong alg or ppt, or a missing or unprintable origid, stays
 * a failure (parse and check_header_agreement).
 */
static clid_err check_header_profile(const clid_ctx *ctx, clid_result *r,
                                     const clid__identity *id, const clid__passport *p)
{
    if (id->alg.ptr == NULL)
        CLID_TRY(clid__result_deviation(r, ctx->strict, CLID_ERR_IDENTITY_ALG_ABSENT));
    if (id->ppt.ptr == NULL && p->ppt[0] != '\0')
        CLID_TRY(clid__result_deviation(r, ctx->strict, CLID_ERR_IDENTITY_PPT_ABSENT));
    if (p->origid_not_uuid)
        CLID_TRY(clid__result_deviation(r, ctx->strict, CLID_ERR_PASSPORT_ORIGID_NOT_UUID));
    return CLID_OK;
}

/* |a - b| without overflow: the SIP Date is the caller's value and may be
 * anything (the difference of two int64 always fits in a uint64). */
static uint64_t abs_diff(int64_t a, int64_t b)
{
    return a > b ? (uint64_t)a - (uint64_t)b : (uint64_t)b - (uint64_t)a;
}

static clid_err check_freshness(const clid_ctx *ctx, const clid__passport *p, int64_t now,
                                int64_t date)
{
    if (p->iat < now && now - p->iat > (int64_t)ctx->max_age)
        return CLID_ERR_IAT_STALE;
    if (p->iat > now && p->iat - now > (int64_t)ctx->max_skew)
        return CLID_ERR_IAT_FUTURE;
    /* RFC 8224 §4.1 and §6.2.2: iat and the Date header describe the same
     * moment; a larger gap than the freshness window means one was edited. */
    if (date != 0 && abs_diff(date, p->iat) > (uint64_t)ctx->max_age)
        return CLID_ERR_DATE_MISMATCH;
    return CLID_OK;
}

/* RFC 8224 §6.2 step 1: the PASSporT's orig and dest against the request.
 * Only what the caller explicitly skipped is left out (clid_verify_input). */
static clid_err check_binding(const clid__passport *p, const clid_verify_input *in, unsigned *bound)
{
    char tn[CLID_TN_BUF];
    *bound = 0;
    if (!(in->skip & CLID_VERIFY_SKIP_ORIG_BINDING)) {
        /* A caller that is not a TN cannot match a TN-based PASSporT. */
        if (clid_tn_canonicalize(in->orig, tn) != CLID_OK || strcmp(tn, p->orig) != 0)
            return CLID_ERR_ORIG_MISMATCH;
    }
    if (!(in->skip & CLID_VERIFY_SKIP_DEST_BINDING)) {
        if (clid_tn_canonicalize(in->dest, tn) != CLID_OK)
            return CLID_ERR_DEST_MISMATCH;
        int found = 0;
        for (size_t i = 0; i < p->dest_count && !found; i++)
            found = strcmp(tn, p->dest[i]) == 0;
        if (!found)
            return CLID_ERR_DEST_MISMATCH;
    }
    *bound = (in->skip & CLID_VERIFY_SKIP_ORIG_BINDING ? 0 : CLID_BINDING_ORIG) |
             (in->skip & CLID_VERIFY_SKIP_DEST_BINDING ? 0 : CLID_BINDING_DEST);
    return CLID_OK;
}

/* "No number given" is an explicit choice, never a NULL: a caller that
 * forgot a number must not get a verdict that checked less than it thinks. */
static int binding_input_ok(const clid_verify_input *in)
{
    const unsigned known = CLID_VERIFY_SKIP_ORIG_BINDING | CLID_VERIFY_SKIP_DEST_BINDING;
    if ((in->skip & ~known) != 0)
        return 0;
    if ((in->orig == NULL) != ((in->skip & CLID_VERIFY_SKIP_ORIG_BINDING) != 0))
        return 0;
    return (in->dest == NULL) == ((in->skip & CLID_VERIFY_SKIP_DEST_BINDING) != 0);
}

/* ------------------------------------------------------------------------ */
/* Step 6: the signer's certificate                                          */
/* ------------------------------------------------------------------------ */

static clid_err sha256(const void *data, size_t len, uint8_t out[32])
{
    unsigned int n = 0;
    return EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) == 1 && n == 32 ? CLID_OK
                                                                            : CLID_ERR_INTERNAL;
}

/* Loads a chain not found in the cache and caches it. */
static clid_err load_and_cache(clid_verifier *v, const char *url, const char *pem, size_t len,
                               int64_t expires, clid__signer_cert **out)
{
    clid__signer_cert *c = NULL;
    CLID_TRY(clid__signer_cert_load_ic(pem, len, v->issuers, &c));
    clid__cert_cache_put(v->cache, url, c, expires);
    *out = c;
    return CLID_OK;
}

/* How long a fetched chain may be used: the server's max-age bounded to
 * [5 min, 24 h] (DESIGN.md), and never past the leaf's notAfter. */
static int64_t fetched_expiry(int64_t now, int64_t max_age, const clid__signer_cert *c)
{
    int64_t ttl = max_age < 0 ? X5U_TTL_MAX : max_age;
    if (ttl < X5U_TTL_MIN)
        ttl = X5U_TTL_MIN;
    if (ttl > X5U_TTL_MAX)
        ttl = X5U_TTL_MAX;
    int64_t until = now + ttl;
    return c->not_after > 0 && c->not_after < until ? c->not_after : until;
}

static clid_err get_signer_cert(clid_verifier *v, const clid_verify_input *in, const char *url,
                                int64_t now, clid__signer_cert **out)
{
    const clid_ctx *ctx = v->ctx;
    *out = NULL;

    if (in->chain_pem != NULL) {
        /* Given by the caller: identified by content, not by URL. */
        CLID_ENSURE(in->chain_len <= CLID_CHAIN_MAX_LEN, CLID_ERR_X5U_TOO_LARGE);
        uint8_t h[32];
        CLID_TRY(sha256(in->chain_pem, in->chain_len, h));
        *out = clid__cert_cache_get_hash(v->cache, h);
        if (*out != NULL)
            return CLID_OK;
        return load_and_cache(v, NULL, in->chain_pem, in->chain_len, X5U_TTL_FOREVER, out);
    }

    /* The offline map comes before the URL cache, and its chains are
     * cached by content: mapping a URL again replaces its chain (clid.h),
     * also for a verifier that has used the old one. */
    const struct clid_x5u_map_entry *m = clid__ctx_x5u_lookup(ctx, url);
    if (m != NULL) {
        *out = clid__cert_cache_get_hash(v->cache, m->hash);
        if (*out != NULL)
            return CLID_OK;
        return load_and_cache(v, NULL, m->pem, m->len, X5U_TTL_FOREVER, out);
    }

    *out = clid__cert_cache_get_url(v->cache, url, now);
    if (*out != NULL)
        return CLID_OK;

    CLID_ENSURE(ctx->fetch != NULL, CLID_ERR_X5U_UNMAPPED);
    uint8_t *buf = malloc(CLID_CHAIN_MAX_LEN);
    CLID_ENSURE(buf != NULL, CLID_ERR_NOMEM);
    size_t len = 0;
    int64_t max_age = -1;
    clid_err rc = ctx->fetch(ctx->fetch_arg, url, buf, CLID_CHAIN_MAX_LEN, &len, &max_age);
    if (rc == CLID_OK && len > CLID_CHAIN_MAX_LEN)
        rc = CLID_ERR_X5U_TOO_LARGE; /* a misbehaving fetcher */
    clid__signer_cert *c = NULL;
    if (rc == CLID_OK)
        rc = clid__signer_cert_load_ic((const char *)buf, len, v->issuers, &c);
    free(buf);
    CLID_TRY(rc);
    clid__cert_cache_put(v->cache, url, c, fetched_expiry(now, max_age, c));
    *out = c;
    return CLID_OK;
}

/* ------------------------------------------------------------------------ */
/* Step 7: profile deviations of the validated chain                         */
/* ------------------------------------------------------------------------ */

/* Each deviation the chain validation accepted (signer_cert.h), in bit
 * order: a warning, or under the strict policy the failure. They come from
 * the validation memo too, so a warm verification reports what the cold
 * one did. */
static clid_err report_chain_deviations(const clid_ctx *ctx, clid_result *r, unsigned dev)
{
    for (unsigned i = 0; i < CLID__DEV_COUNT; i++)
        if (dev & (1u << i))
            CLID_TRY(clid__result_deviation(r, ctx->strict, clid__chain_deviation_code(i)));
    return CLID_OK;
}

/* ------------------------------------------------------------------------ */
/* Step 8: authority                                                         */
/* ------------------------------------------------------------------------ */

/* ATIS-1000080 v005: an SPC is upper-case letters and digits. A profile
 * rule of SHAKEN certificates (a certificate with clid's SignallingEntity
 * is a Q.3063-profile one, where RFC 8226 §9's IA5String is the rule): an
 * SPC authorizes by being vetted, not by its spelling, and 82 production
 * certificates carry lower-case ones (standards notes §10). */
static int spc_atis_form(const char *spc)
{
    if (*spc == '\0')
        return 0;
    for (; *spc; spc++)
        if (!((*spc >= 'A' && *spc <= 'Z') || (*spc >= '0' && *spc <= '9')))
            return 0;
    return 1;
}

static clid_err check_spc_form(const clid_ctx *ctx, clid_result *r, const clid__signer_cert *c)
{
    if (c->tnauth == NULL || c->entity != NULL)
        return CLID_OK;
    for (size_t i = 0; i < clid_tnauth_count(c->tnauth); i++) {
        clid_tnauth_entry e;
        if (clid_tnauth_get(c->tnauth, i, &e) == CLID_OK && e.kind == CLID_TNAUTH_SPC &&
            !spc_atis_form(e.value))
            return clid__result_deviation(r, ctx->strict, CLID_ERR_CERT_SPC_FORM);
    }
    return CLID_OK;
}

/* Q.3063 profile (docs/q3063-profile.md): only gateways that originate or
 * hand over international calls sign, and only for the country codes they
 * are listed for. */
static clid_err check_entity(const clid_ctx *ctx, const clid__signer_cert *c, const char *tn)
{
    if (c->entity == NULL) {
        if (c->entity_err != CLID_ERR_EXT_ABSENT)
            return c->entity_err; /* duplicated or malformed: never ignored */
        return ctx->require_entity ? CLID_ERR_ENTITY_NOT_AUTHORIZED : CLID_OK;
    }
    clid_entity_role role = clid_entity_get_role(c->entity);
    if (role != CLID_ROLE_ORIGINATING_GATEWAY && role != CLID_ROLE_INTERNATIONAL_GATEWAY)
        return CLID_ERR_ENTITY_NOT_AUTHORIZED;
    size_t n = clid_entity_country_count(c->entity);
    if (n == 0)
        return CLID_OK;
    for (size_t i = 0; i < n; i++) {
        const char *cc = clid_entity_country(c->entity, i);
        if (strncmp(tn, cc, strlen(cc)) == 0)
            return CLID_OK;
    }
    return CLID_ERR_ENTITY_NOT_AUTHORIZED;
}

static clid_err check_authority(const clid_ctx *ctx, clid_result *r, const clid__signer_cert *c,
                                const clid__passport *p)
{
    CLID_ENSURE(c->key != NULL, c->key_err != CLID_OK ? c->key_err : CLID_ERR_KEY_TYPE);
    /* RFC 8946 §3: the signer of a div PASSporT vouches for the diverting
     * number; otherwise for the caller. */
    const char *tn = p->div[0] ? p->div : p->orig;
    if (c->tnauth == NULL) {
        if (c->tnauth_err != CLID_ERR_EXT_ABSENT)
            return c->tnauth_err;
        if (ctx->require_tnauth)
            return CLID_ERR_CERT_NO_TNAUTH;
    } else {
        int spc_any = ctx->trust.tn_policy == CLID_TN_POLICY_SPC_OR_TN;
        if (!clid_tnauth_covers_tn(c->tnauth, tn, spc_any))
            return CLID_ERR_TN_NOT_AUTHORIZED;
        CLID_TRY(check_spc_form(ctx, r, c));
    }
    if (c->jwtcc_err != CLID_OK && c->jwtcc_err != CLID_ERR_EXT_ABSENT)
        return c->jwtcc_err;
    /* RFC 8226 §8, RFC 9118 (rcd members: RFC 9795; verify_rcd.c). */
    CLID_TRY(clid__check_claim_constraints(r, c->jwtcc, p->claims));
    CLID_TRY(clid__check_claim_constraints(r, c->ejwtcc, p->claims));
    return check_entity(ctx, c, tn);
}

/* ------------------------------------------------------------------------ */
/* Steps 6 to 9 for any JWS: certificate, chain, authority, signature        */
/* ------------------------------------------------------------------------ */

const clid_ctx *clid__verifier_ctx(const clid_verifier *v)
{
    return v->ctx;
}

clid_err clid__verify_signed(clid_verifier *v, clid_result *r, clid__signed_check *sc)
{
    const clid_ctx *ctx = v->ctx;
    sc->signer = NULL;
    sc->soft = CLID_OK;
    sc->detail[0] = '\0';
    clid_verify_input given = {.chain_pem = sc->chain_pem, .chain_len = sc->chain_len};
    CLID_TRY(get_signer_cert(v, &given, sc->x5u, sc->now, &sc->signer));
    clid__result_set_signer(r, sc->signer);
    clid__revocation rev = {0};
    unsigned dev = 0;
    clid_err rc = clid__signer_cert_validate_ic(&ctx->trust, v->issuers, sc->signer, sc->now,
                                                v->crls, &rev, &dev, sc->detail,
                                                sizeof sc->detail);
    r->revocation_checked = rc == CLID_OK && rev.checked;
    if (rev.unavailable)
        __atomic_add_fetch(&v->crl_unavailable, 1, __ATOMIC_RELAXED);
    if (rev.revoked)
        __atomic_add_fetch(&v->crl_revoked, 1, __ATOMIC_RELAXED);
    if (rc != CLID_OK) {
        clid__result_set_detail(r, sc->detail);
        return rc;
    }
    /* A CRL could not be had and the policy lets the call pass: said in the
     * result (a warning; the detail once the call passed), never silently.
     * Not a profile deviation: clid_crl_policy, not the strict policy,
     * decides. */
    sc->soft = rev.soft;
    if (rev.soft != CLID_OK)
        CLID_TRY(clid__result_deviation(r, 0, rev.soft));
    CLID_TRY(report_chain_deviations(ctx, r, dev));
    /* A leaf key that is not P-256 is reported here, before any use. */
    CLID_ENSURE(sc->signer->key != NULL,
                sc->signer->key_err != CLID_OK ? sc->signer->key_err : CLID_ERR_KEY_TYPE);
    if (sc->authorize != NULL)
        CLID_TRY(sc->authorize(sc->authorize_arg, ctx, r, sc->signer));
    return clid__es256_verify(sc->signer->key, sc->signing_input, sc->signing_input_len, sc->sig,
                              sc->sig_len);
}

static clid_err authorize_passport(void *arg, const clid_ctx *ctx, clid_result *r,
                                   const clid__signer_cert *c)
{
    return check_authority(ctx, r, c, arg);
}

/* ------------------------------------------------------------------------ */
/* The pipeline                                                              */
/* ------------------------------------------------------------------------ */

static clid_err run_pipeline(clid_verifier *v, const clid_verify_input *in, clid_result *r,
                             clid__passport *p, clid__signer_cert **signer)
{
    const clid_ctx *ctx = v->ctx;
    if (in->identity == NULL || in->identity[0] == '\0')
        return CLID_ERR_NO_IDENTITY;
    int64_t now = in->now != 0 ? in->now : clid_ctx_now(ctx);

    clid__identity id;
    CLID_TRY(clid__identity_parse(in->identity, strlen(in->identity), &id));
    clid_err rc = clid__passport_parse(id.jws.ptr, id.jws.len, p);
    /* The result gets what was parsed even when a later member is bad
     * (clid.h: "everything learned on the way"); passport.c keeps it. */
    if (!p->compact)
        CLID_TRY(clid__result_set_claims(r, p));
    CLID_TRY(rc);
    /* A compact PASSporT (RFC 8225 §7) carries only its signature; the
     * header and claims would have to be rebuilt from SIP. SHAKEN's attest
     * and origid, and div's diverting number, are not in the request, and
     * ATIS-1000074 §5.3.3 requires the full form, so clid does not verify
     * compact forms (it produces them: clid_sign_passport). */
    CLID_ENSURE(!p->compact, CLID_ERR_PASSPORT_COMPACT);
    CLID_TRY(check_header_agreement(ctx, &id, p));
    CLID_TRY(check_header_profile(ctx, r, &id, p));
    CLID_TRY(check_freshness(ctx, p, now, in->date));
    CLID_TRY(check_binding(p, in, &r->bound));

    clid__signed_check sc = {
        .chain_pem = in->chain_pem,
        .chain_len = in->chain_len,
        .x5u = p->x5u,
        .now = now,
        .signing_input = (const uint8_t *)p->signing_input,
        .signing_input_len = p->signing_input_len,
        .sig = p->sig,
        .sig_len = p->sig_len,
        .authorize = authorize_passport,
        .authorize_arg = p,
    };
    rc = clid__verify_signed(v, r, &sc);
    *signer = sc.signer;
    CLID_TRY(rc);
    /* RFC 8946 §3: a div PASSporT is made by a retargeting entity from the
     * PASSporT it received, and vouches only for the diverting number (its
     * "div"), not for the caller in its "orig". Verified alone it would
     * pass a caller no certificate covers, so it never passes here: only
     * next to a verified original whose dest and orig it chains to (the
     * chain check comes with div chains). Its own checks ran above, so a
     * broken div still reports its own defect. */
    CLID_ENSURE(strcmp(p->ppt, "div") != 0, CLID_ERR_DIV_WITHOUT_ORIGINAL);
    /* RFC 9795: rcd content is retrieved only now that the signature and
     * the signer's authority verified (verify_rcd.c). */
    CLID_TRY(clid__verify_rcd(ctx, r, p, sc.signer));
    /* The call passes without a revocation check: the detail says why. */
    if (sc.soft != CLID_OK)
        clid__result_set_detail(r, sc.detail);
    return CLID_OK;
}

clid_err clid_verify_identity(clid_verifier *v, const clid_verify_input *in, clid_result *res)
{
    CLID_ENSURE(v != NULL && in != NULL && binding_input_ok(in), CLID_ERR_INVALID_ARGUMENT);
    __atomic_add_fetch(&v->verifications, 1, __ATOMIC_RELAXED);
    clid_result local;
    clid_result *r = res;
    if (r == NULL) {
        memset(&local, 0, sizeof local);
        r = &local;
    } else {
        clid_result_reset(r);
    }

    clid__passport p;
    clid__passport_init(&p);
    clid__signer_cert *signer = NULL;
    clid_err rc = run_pipeline(v, in, r, &p, &signer);
    clid__passport_clear(&p);
    clid__signer_cert_release(signer);
    r->reason = rc;
    if (r == &local) {
        clid__result_rcd_clear(&local);
        free(local.x5u);
        clid__signer_cert_release(local.signer);
    }
    return rc;
}
