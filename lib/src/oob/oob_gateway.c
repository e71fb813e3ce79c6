/*
 * The gateway flow of out-of-band SHAKEN (clid_oob.h; RFC 9888 §5, RFC 8816
 * §7): at the SIP->TDM egress the request's PASSporTs are published under
 * its numbers; at the TDM->SIP ingress a request without Identity gets them
 * back, verified, as an Identity header plus verstat, as if they had come
 * in band.
 *
 * Time: both sides run within a budget (a proxy must not hold a call for
 * the CPS). The ingress retries after a 404 because publish and call setup
 * race (RFC 9888 §5.2, inferred: the egress publishes as the INVITE leaves,
 * and the TDM leg can be faster than the HTTP request); it sleeps in the
 * calling thread (clid starts no thread) and never past the budget.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <clid/clid_oob.h>
#include <clid/clid_sip.h>

#include "core/internal.h"
#include "oob/oob_client_internal.h"
#include "sip/sip_internal.h"
#include "verify/result_internal.h"

#define DEFAULT_BUDGET_MS 1000
#define DEFAULT_RETRY_MS 100

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static unsigned min_u(unsigned a, unsigned b)
{
    return a < b ? a : b;
}

/* ------------------------------------------------------------------------ */
/* Egress                                                                    */
/* ------------------------------------------------------------------------ */

/*
 * The full-form PASSporTs of the Identity values: the part before the
 * first ';' (RFC 8224 §4.1 "Identity: <jws>;info=<...>"). A compact form
 * ("h..s", RFC 8225 §7) is skipped: its claims live in the SIP request,
 * which the TDM segment does not carry, so a retriever could never rebuild
 * it. The values are cut in place in `buf`.
 */
static size_t full_passports(char *buf, const char *ids[], size_t n, const char *out[])
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char *v = buf + (ids[i] - buf); /* the values live in buf */
        char *semi = strchr(v, ';');
        if (semi != NULL)
            *semi = '\0';
        char *dot = strchr(v, '.');
        char *dot2 = dot != NULL ? strchr(dot + 1, '.') : NULL;
        /* "h.c.s" with a header and claims: empty, compact ("h..s") or
         * not a JWS at all, there is nothing to publish. */
        if (dot == NULL || dot == v || dot2 == NULL || dot2 == dot + 1)
            continue;
        out[k++] = v;
    }
    return k;
}

clid_err clid_oob_egress(clid_oob_client *c, const clid_signer *token_signer, const char *msg,
                         size_t len, unsigned budget_ms, size_t *published)
{
    if (published != NULL)
        *published = 0;
    CLID_ENSURE(c != NULL && token_signer != NULL && msg != NULL, CLID_ERR_INVALID_ARGUMENT);
    const char *ids[CLID_SIP_MAX_IDENTITIES];
    size_t n = 0;
    char *buf = NULL;
    CLID_TRY(clid__sip_request_identities(msg, len, ids, &n, &buf));
    const char *pp[CLID_SIP_MAX_IDENTITIES];
    size_t k = buf != NULL ? full_passports(buf, ids, n, pp) : 0;
    clid_err rc = k == 0 ? CLID_ERR_NO_IDENTITY : CLID_OK;
    char orig[CLID_TN_BUF], dest[CLID_TN_BUF];
    if (rc == CLID_OK)
        rc = clid_sip_get_tns(msg, len, orig, dest);
    if (rc == CLID_OK) {
        unsigned t = clid__oob_client_timeout(c);
        clid_oob_publish_opts o = {.orig = orig, .dest = dest, .passports = pp,
                                   .passport_count = k};
        rc = clid__oob_publish_ms(c, token_signer, &o, budget_ms ? min_u(t, budget_ms) : t,
                                  NULL);
    }
    if (rc == CLID_OK && published != NULL)
        *published = k;
    free(buf);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Ingress                                                                   */
/* ------------------------------------------------------------------------ */

/* Retrieves until a record comes back, a failure other than 404 occurs, or
 * the budget is spent. */
static clid_err retrieve_within(clid_oob_client *c, const clid_signer *s, const char *orig,
                                const char *dest, unsigned budget_ms, unsigned retry_ms,
                                clid_oob_passports **out)
{
    uint64_t deadline = mono_ms() + budget_ms;
    int answered_404 = 0;
    for (;;) {
        uint64_t now = mono_ms();
        if (now >= deadline)
            return CLID_ERR_OOB_NOT_FOUND;
        unsigned left = (unsigned)(deadline - now);
        clid_err rc = clid__oob_retrieve_ms(c, s, orig, dest,
                                            min_u(clid__oob_client_timeout(c), left), out, NULL);
        /* A retry cut short by the end of our own budget, after the CPS
         * already answered 404, says nothing new about the CPS: the call
         * has no record (No-TN-Validation), not an unreachable CPS. */
        if (rc == CLID_ERR_OOB_CPS_UNREACHABLE && answered_404 && mono_ms() >= deadline)
            return CLID_ERR_OOB_NOT_FOUND;
        if (rc != CLID_ERR_OOB_NOT_FOUND)
            return rc;
        answered_404 = 1;
        now = mono_ms();
        /* Another attempt only when it would start before the deadline. */
        if (now + retry_ms >= deadline)
            return CLID_ERR_OOB_NOT_FOUND;
        sleep_ms(retry_ms);
    }
}

/* The request with `identity` (NULL: none) added as its last header field,
 * then the verstat of `rc` on the caller's URI (clid_sip_add_verstat). */
static clid_err write_request(const char *msg, size_t len, const char *identity, clid_err rc,
                              char *out, size_t cap, size_t *out_len)
{
    clid_verstat vs = clid_err_verstat(rc);
    if (identity == NULL)
        return clid_sip_add_verstat(msg, len, vs, out, cap, out_len);
    clid__sip_raw raw;
    CLID_TRY(clid__sip_raw_scan(msg, len, &raw));
    size_t ilen = strlen(identity);
    CLID_TRY(clid__sip_check_value(identity, ilen));
    char *line = malloc(ilen + 16);
    CLID_ENSURE(line != NULL, CLID_ERR_NOMEM);
    clid__sip_edit e;
    size_t tmp_cap = len + ilen + 16;
    char *tmp = malloc(tmp_cap);
    size_t tmp_len = 0;
    clid_err err = tmp == NULL ? CLID_ERR_NOMEM
                               : clid__sip_identity_edit(&raw, identity, ilen, line, ilen + 16, &e);
    if (err == CLID_OK)
        err = clid__sip_apply(msg, len, &e, 1, tmp, tmp_cap, &tmp_len);
    if (err == CLID_OK)
        err = clid_sip_add_verstat(tmp, tmp_len, vs, out, cap, out_len);
    free(tmp);
    free(line);
    return err;
}

/* Whether the request carries a (non-empty) Identity header. */
static clid_err has_identity(const char *msg, size_t len, int *yes)
{
    const char *ids[CLID_SIP_MAX_IDENTITIES];
    size_t n = 0;
    char *buf = NULL;
    CLID_TRY(clid__sip_request_identities(msg, len, ids, &n, &buf));
    *yes = 0;
    for (size_t i = 0; i < n; i++)
        *yes |= ids[i][0] != '\0';
    free(buf);
    return CLID_OK;
}

clid_err clid_oob_ingress(clid_oob_client *c, const clid_signer *token_signer,
                          clid_verifier *v, const clid_oob_ingress_opts *o, const char *msg,
                          size_t len, clid_result *res, char *out, size_t cap, size_t *out_len)
{
    CLID_ENSURE(c != NULL && token_signer != NULL && v != NULL && msg != NULL && out_len != NULL,
                CLID_ERR_INVALID_ARGUMENT);
    clid_result local;
    memset(&local, 0, sizeof local);
    clid_result *r = res != NULL ? res : &local;
    clid_result_reset(r);

    int signed_in_band = 0;
    clid_err rc = has_identity(msg, len, &signed_in_band);
    /* RFC 9888 §5.2: the retrieval stands in for a missing Identity; a
     * request that has one is verified in band (clid_sip_verify). */
    if (rc == CLID_OK && signed_in_band)
        rc = CLID_ERR_INVALID_ARGUMENT;
    char orig[CLID_TN_BUF], dest[CLID_TN_BUF];
    if (rc == CLID_OK)
        rc = clid_sip_get_tns(msg, len, orig, dest);
    if (rc != CLID_OK) {
        r->reason = rc;
        if (r == &local)
            clid_result_reset(&local);
        return rc;
    }

    unsigned budget = o != NULL && o->budget_ms ? o->budget_ms : DEFAULT_BUDGET_MS;
    unsigned retry = o != NULL && o->retry_ms ? o->retry_ms : DEFAULT_RETRY_MS;
    int64_t now = o != NULL ? o->now : 0;
    clid_oob_passports *pp = NULL;
    rc = retrieve_within(c, token_signer, orig, dest, budget, retry, &pp);
    char *identity = NULL;
    if (rc == CLID_OK) {
        size_t best = 0;
        rc = clid_oob_verify_passports(v, pp, orig, dest, now, r, &best);
        identity = rc == CLID_OK ? malloc(CLID_IDENTITY_MAX_LEN) : NULL;
        size_t ilen = 0;
        if (rc == CLID_OK && identity == NULL)
            rc = CLID_ERR_NOMEM;
        else if (rc == CLID_OK)
            rc = clid_oob_passport_identity(clid_oob_passports_get(pp, best), identity,
                                            CLID_IDENTITY_MAX_LEN, &ilen);
        r->reason = rc;
    } else {
        /* Nothing retrieved (404 until the budget ran out, or the CPS
         * failed): the call goes on unverified, verstat No-TN-Validation. */
        r->reason = rc;
    }
    clid_oob_passports_free(pp);
    clid_err wrc = write_request(msg, len, rc == CLID_OK ? identity : NULL, rc, out, cap, out_len);
    free(identity);
    if (r == &local)
        clid_result_reset(&local);
    return wrc != CLID_OK ? wrc : rc;
}
