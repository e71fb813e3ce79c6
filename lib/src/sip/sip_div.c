/*
 * Diverted calls at the retargeting proxy (clid_sip.h; RFC 8946 §4; docs/
 * sip.md "Diverted calls"): clid_sip_get_diversion reads who diverted the
 * call (sip_history.c), clid_sip_sign_div adds the div PASSporT that
 * vouches for it, chained to the PASSporTs the request already carries.
 */
#include <stdlib.h>
#include <string.h>

#include <clid/clid_sip.h>

#include "core/internal.h"
#include "passport/identity.h"
#include "passport/passport.h"
#include "sip/sip_internal.h"

clid_err clid_sip_get_diversion(const char *msg, size_t len, char div[CLID_TN_BUF],
                                char target[CLID_TN_BUF])
{
    CLID_ENSURE(msg != NULL && div != NULL && target != NULL, CLID_ERR_INVALID_ARGUMENT);
    div[0] = target[0] = '\0';
    clid__sip_raw raw;
    struct osip_message *m = NULL;
    CLID_TRY(clid__sip_open(msg, len, &raw, &m));
    clid__sip_req q = {&raw, m};
    clid_err rc = clid__sip_diversion(&q, div, target);
    clid__sip_close(m);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* The PASSporTs the request already carries                                 */
/* ------------------------------------------------------------------------ */

/* Parsed Identity values; those that do not parse (or are compact) are
 * left out: they chain to nothing, and a verifier refuses them anyway. */
typedef struct carried {
    clid__passport p[CLID_SIP_MAX_IDENTITIES];
    int ok[CLID_SIP_MAX_IDENTITIES];
    size_t n;
} carried;

static void carried_clear(carried *c)
{
    for (size_t i = 0; i < c->n; i++)
        clid__passport_clear(&c->p[i]);
}

static clid_err read_carried(const clid__sip_req *q, carried *c)
{
    const char *ids[CLID_SIP_MAX_IDENTITIES];
    char *buf = NULL;
    size_t n = 0;
    c->n = 0;
    CLID_TRY(clid__sip_identities(q, ids, &n, &buf));
    for (size_t i = 0; i < n; i++) {
        clid__passport_init(&c->p[i]);
        c->n = i + 1;
        clid__identity id;
        c->ok[i] = clid__identity_parse(ids[i], strlen(ids[i]), &id) == CLID_OK &&
                   clid__passport_parse(id.jws.ptr, id.jws.len, &c->p[i]) == CLID_OK &&
                   !c->p[i].compact && c->p[i].orig[0] != '\0';
    }
    free(buf);
    return CLID_OK;
}

/* div and div-o (RFC 8946 §5: a div carrying its original) both extend. */
static int is_div(const clid__passport *p)
{
    return strcmp(p->ppt, "div") == 0 || strcmp(p->ppt, "div-o") == 0;
}

static int has_dest(const clid__passport *p, const char *tn)
{
    for (size_t i = 0; i < p->dest_count; i++)
        if (strcmp(p->dest[i], tn) == 0)
            return 1;
    return 0;
}

/*
 * RFC 8946 §4: the new div extends the chain the request carries. Its end
 * is found by following it from the original (the first non-div PASSporT):
 * each next link a div whose "div" is a dest of the one before. Without an
 * original, the last div in message order is the end. The new div must
 * then have the chain's orig (CLID_ERR_DIV_CHAIN_ORIG), divert from a dest
 * of the end (CLID_ERR_DIV_CHAIN_LINK), and from a number not diverted from
 * before (CLID_ERR_DIV_CHAIN_LOOP).
 */
static clid_err check_extends(const carried *c, const char *orig, const char *div)
{
    int used[CLID_SIP_MAX_IDENTITIES] = {0};
    const clid__passport *start = NULL, *end = NULL;
    for (size_t i = 0; i < c->n && start == NULL; i++)
        if (c->ok[i] && !is_div(&c->p[i]))
            start = &c->p[i];
    for (size_t i = 0; i < c->n && start == NULL; i++)
        if (c->ok[i])
            end = &c->p[i]; /* divs only: the last one */
    if (start == NULL && end == NULL)
        return CLID_OK; /* nothing to chain to */
    if (start != NULL) {
        end = start;
        for (int moved = 1; moved;) {
            moved = 0;
            for (size_t i = 0; i < c->n && !moved; i++) {
                if (!c->ok[i] || used[i] || !is_div(&c->p[i]) || !has_dest(end, c->p[i].div))
                    continue;
                used[i] = 1;
                end = &c->p[i];
                moved = 1;
            }
        }
    }
    CLID_ENSURE(strcmp(orig, (start != NULL ? start : end)->orig) == 0, CLID_ERR_DIV_CHAIN_ORIG);
    CLID_ENSURE(has_dest(end, div), CLID_ERR_DIV_CHAIN_LINK);
    for (size_t i = 0; i < c->n; i++)
        CLID_ENSURE(!(c->ok[i] && is_div(&c->p[i]) && strcmp(c->p[i].div, div) == 0),
                    CLID_ERR_DIV_CHAIN_LOOP);
    return CLID_OK;
}

/* RFC 8946 §4: the retargeting entity signs only for a call whose identity
 * it verified. The original is bound to the caller, not to the callee: the
 * request is on its way to another target. One passing non-div PASSporT is
 * enough; else the first one's failure. */
static clid_err verify_original(const clid_sip_div_opts *o, const clid__sip_req *q,
                                const char *orig)
{
    static const clid_sip_verify_opts defaults = {0, 0, NULL, 0};
    const clid_sip_verify_opts *vo = o->verify_opts != NULL ? o->verify_opts : &defaults;
    const char *ids[CLID_SIP_MAX_IDENTITIES];
    char *buf = NULL;
    size_t n = 0;
    CLID_TRY(clid__sip_identities(q, ids, &n, &buf));
    clid_verify_input in = {.orig = orig, .skip = CLID_VERIFY_SKIP_DEST_BINDING,
                            .now = vo->now, .chain_pem = vo->chain_pem,
                            .chain_len = vo->chain_len};
    clid_err rc = vo->ignore_date ? CLID_OK : clid__sip_date(q, &in.date);
    clid_err first = CLID_ERR_NO_IDENTITY;
    for (size_t i = 0; rc == CLID_OK && i < n; i++) {
        in.identity = ids[i];
        clid_err vrc = clid_verify_identity(o->verifier, &in, NULL);
        if (vrc == CLID_OK) {
            free(buf);
            return CLID_OK;
        }
        /* a div is never the original (CLID_ERR_DIV_WITHOUT_ORIGINAL) */
        if (first == CLID_ERR_NO_IDENTITY || first == CLID_ERR_DIV_WITHOUT_ORIGINAL)
            first = vrc;
    }
    free(buf);
    return rc != CLID_OK ? rc : first;
}

static uint64_t abs_diff(int64_t a, int64_t b)
{
    return a > b ? (uint64_t)a - (uint64_t)b : (uint64_t)b - (uint64_t)a;
}

static clid_err div_value(const clid_signer *s, const clid_sip_div_opts *o,
                          const clid__sip_req *q, char *value, size_t cap, size_t *len)
{
    char orig[CLID_TN_BUF], div[CLID_TN_BUF], dest[CLID_TN_BUF];
    CLID_TRY(clid__sip_caller(q, orig, NULL, NULL));
    CLID_TRY(clid__sip_diversion(q, div, dest));
    int64_t date = 0;
    CLID_TRY(clid__sip_date(q, &date));
    int64_t iat = o->iat != 0 ? o->iat : clid__signer_now(s);
    /* RFC 8224 §4.1, as clid_sip_sign: a request whose Date is outside the
     * freshness window is not signed (its verifier would refuse it). */
    CLID_ENSURE(date == 0 || abs_diff(date, iat) <= CLID_DEFAULT_MAX_AGE, CLID_ERR_DATE_MISMATCH);

    carried c;
    CLID_TRY(read_carried(q, &c));
    clid_err rc = check_extends(&c, orig, div);
    carried_clear(&c);
    CLID_TRY(rc);
    if (o->verifier != NULL)
        CLID_TRY(verify_original(o, q, orig));

    /* RFC 8946 §3: orig as received, the new target as dest, the diverting
     * number as div; the signer must be authoritative for div (sign.c). */
    const char *dests[1] = {dest};
    clid_claims cl = {.orig = orig, .dest = dests, .dest_count = 1, .iat = iat, .div = div};
    CLID_TRY(clid_sign_identity(s, &cl, value, cap, len));
    return clid__sip_check_value(value, *len);
}

clid_err clid_sip_sign_div(const clid_signer *s, const clid_sip_div_opts *opts, const char *msg,
                           size_t len, char *out, size_t cap, size_t *out_len)
{
    static const clid_sip_div_opts defaults = {0, NULL, NULL};
    CLID_ENSURE(s != NULL && msg != NULL && out_len != NULL, CLID_ERR_INVALID_ARGUMENT);
    const clid_sip_div_opts *o = opts != NULL ? opts : &defaults;
    clid__sip_raw raw;
    struct osip_message *m = NULL;
    CLID_TRY(clid__sip_open(msg, len, &raw, &m));
    clid__sip_req q = {&raw, m};
    char value[CLID_IDENTITY_MAX_LEN];
    size_t value_len = 0;
    clid_err rc = div_value(s, o, &q, value, sizeof value, &value_len);
    clid__sip_close(m);
    if (rc == CLID_ERR_BUFFER_TOO_SMALL)
        rc = CLID_ERR_IDENTITY_TOO_LARGE;
    CLID_TRY(rc);

    char line[CLID_SIP_SIGN_EXTRA];
    clid__sip_edit e;
    CLID_TRY(clid__sip_identity_edit(&raw, value, value_len, line, sizeof line, &e));
    return clid__sip_apply(msg, len, &e, 1, out, cap, out_len);
}
