/*
 * The Identity values of one request verified together (clid.h
 * clid_verify_identities; docs/verification.md, docs/sip.md "Diverted
 * calls").
 *
 * Without a div PASSporT: each value through the pipeline, the request
 * passes when one passes (RFC 8224 §6.2), the result the deciding one's.
 *
 * With div PASSporTs, a chain (RFC 8946 §6):
 *   1. the original: a non-div PASSporT that passes bound to the caller,
 *      its dest not bound (the request was retargeted since it was signed);
 *      none passes: the original's failure decides;
 *   2. the links, ordered by following the chain from the original (each
 *      next link the div PASSporT whose "div" is a dest of the one before,
 *      RFC 8946 §3), not by header order; then checked with the claims
 *      alone, so that a broken chain costs no fetch: each link's orig is
 *      the original's (CLID_ERR_DIV_CHAIN_ORIG), no number is diverted from
 *      twice (CLID_ERR_DIV_CHAIN_LOOP), no div PASSporT is left over that
 *      chains to nothing (CLID_ERR_DIV_CHAIN_LINK), the last PASSporT's
 *      dest names the request's current target (CLID_ERR_DIV_CHAIN_DEST);
 *   3. each link through the pipeline with its bindings skipped (the chain
 *      checks above bind it): signature, freshness, x5u, its signer's
 *      authority over its "div" number (RFC 8946 §3, verify.c
 *      check_authority). A failure is the chain's, at that link.
 * A chain the caller gave (in->chain_pem) is the original's: the divs are
 * signed by other networks and found by their x5u.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "verify/ctx_internal.h"
#include "passport/identity.h"
#include "passport/passport.h"
#include "verify/result_internal.h"
#include "verify/verify_internal.h"

/* Values verified together: the request's, then the originals that div-o
 * PASSporTs carry (RFC 8946 §5). */
#define CHAIN_MAX (2 * CLID_VERIFY_MAX_IDENTITIES)

/* What each value says before any verification: only to classify and order
 * (nothing here is trusted until step 3 verified it). */
typedef struct chain_in {
    clid__passport p[CHAIN_MAX];
    int parsed[CHAIN_MAX];
    int div[CHAIN_MAX]; /* a div or div-o PASSporT of a ppt the context accepts */
    size_t n;
} chain_in;

static void chain_in_clear(chain_in *c)
{
    for (size_t i = 0; i < c->n; i++)
        clid__passport_clear(&c->p[i]);
}

/* RFC 8224 §6.2.2: a PASSporT of a type the verifier does not accept
 * counts as none, so a div is a link only where "div" (or "div-o") is
 * accepted; elsewhere it is one more value that does not verify. */
static void chain_in_read(const clid_ctx *ctx, chain_in *c, const char *const *ids, size_t n)
{
    c->n = 0;
    for (size_t i = 0; i < n; i++) {
        clid__passport_init(&c->p[i]);
        c->n = i + 1;
        clid__identity id;
        const char *s = ids[i] != NULL ? ids[i] : "";
        c->parsed[i] = clid__identity_parse(s, strlen(s), &id) == CLID_OK &&
                       clid__passport_parse(id.jws.ptr, id.jws.len, &c->p[i]) == CLID_OK &&
                       !c->p[i].compact;
        c->div[i] = c->parsed[i] &&
                    (strcmp(c->p[i].ppt, "div") == 0 || strcmp(c->p[i].ppt, "div-o") == 0) &&
                    clid__ctx_ppt_accepted(ctx, c->p[i].ppt);
    }
}

static int is_div(const chain_in *c, size_t i)
{
    return c->div[i];
}

/*
 * RFC 8946 §5: a div-o PASSporT carries the original it extends in "opt"
 * (full form), for a request that lost the original's own Identity header.
 * That original is verified like one the request carries: as an Identity
 * value "<opt>;info=<its x5u>;ppt=<its ppt>" (x5u == info is checked by
 * the pipeline; a PASSporT without one fails there). ids[n..) receive
 * them, malloc'd (freed by the caller); returns the new count.
 */
static size_t add_opt_originals(const chain_in *c, const char **ids, size_t n, char **owned)
{
    size_t out = n;
    for (size_t i = 0; i < n; i++) {
        if (!c->div[i] || c->p[i].opt == NULL)
            continue;
        clid__passport o;
        clid__passport_init(&o);
        (void)clid__passport_parse(c->p[i].opt, strlen(c->p[i].opt), &o);
        const char *x5u = o.x5u != NULL ? o.x5u : "https://invalid.invalid/";
        size_t len = strlen(c->p[i].opt) + strlen(x5u) + sizeof o.ppt + 32;
        char *v = malloc(len);
        if (v != NULL) {
            snprintf(v, len, "%s;info=<%s>%s%s", c->p[i].opt, x5u, o.ppt[0] ? ";ppt=" : "",
                     o.ppt);
            owned[out - n] = v;
            ids[out++] = v;
        }
        clid__passport_clear(&o);
    }
    return out;
}

static int has_dest(const clid__passport *p, const char *tn)
{
    for (size_t i = 0; i < p->dest_count; i++)
        if (strcmp(p->dest[i], tn) == 0)
            return 1;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Without div: one of them passes                                           */
/* ------------------------------------------------------------------------ */

/*
 * How much an outcome says about the request: a pass, then any failure,
 * then a div PASSporT that only lacks its original, then an empty header
 * (no identity at all). One that says less never hides one that says more:
 * an empty "Identity:" added to a request cannot turn a failed verification
 * into No-TN-Validation.
 */
static int outcome_rank(clid_err rc)
{
    switch (rc) {
    case CLID_OK:
        return 3;
    case CLID_ERR_NO_IDENTITY:
        return 0;
    case CLID_ERR_DIV_WITHOUT_ORIGINAL:
        return 1;
    default:
        return 2;
    }
}

/* Verifies ids[i] for each i with use[i] until one passes; `res` keeps the
 * one that decided (*which, optional): the highest-ranked outcome, the
 * first of equals. */
static clid_err verify_each(clid_verifier *v, const char *const *ids, const int *use, size_t n,
                            clid_verify_input in, clid_result *res, size_t *which)
{
    clid_err decided = CLID_ERR_NO_IDENTITY;
    int any = 0;
    for (size_t i = 0; i < n; i++) {
        if (use != NULL && !use[i])
            continue;
        clid_result other;
        memset(&other, 0, sizeof other);
        in.identity = ids[i];
        clid_err rc = clid_verify_identity(v, &in, &other);
        if (any && outcome_rank(rc) <= outcome_rank(decided)) {
            clid_result_reset(&other);
            continue;
        }
        clid_result_reset(res);
        *res = other; /* takes over its references */
        decided = rc;
        if (which != NULL)
            *which = i;
        any = 1;
        if (rc == CLID_OK)
            break;
    }
    return decided;
}

/* ------------------------------------------------------------------------ */
/* With div: the chain                                                       */
/* ------------------------------------------------------------------------ */

/* The link k failed with rc: said in the result with the link named. */
static clid_err link_failed(clid_result *r, size_t k, clid_err rc, const char *why)
{
    const struct clid__div_link *l = &r->div_links[k];
    char d[sizeof r->detail];
    snprintf(d, sizeof d, "div #%zu (%s -> %s): %s", k + 1, l->from, l->to,
             why != NULL && why[0] != '\0' ? why : clid_err_str(rc));
    clid__result_set_detail(r, d);
    r->div_failed1 = (int)k + 1;
    return rc;
}

static void add_link(clid_result *r, const clid__passport *p)
{
    struct clid__div_link *l = &r->div_links[r->div_count++];
    memcpy(l->from, p->div, CLID_TN_BUF);
    memcpy(l->to, p->dest_count > 0 ? p->dest[0] : "", CLID_TN_BUF);
    l->iat = p->iat;
    l->signer = NULL;
}

/* Step 2: order[0..*count) are the links in chain order; CLID_OK or the
 * first broken link's reason (the result names it). */
static clid_err order_links(const chain_in *c, size_t original, const char *target,
                            size_t *order, size_t *count, clid_result *r)
{
    int used[CHAIN_MAX] = {0};
    const clid__passport *cur = &c->p[original];
    *count = 0;
    for (;;) {
        size_t next = c->n;
        for (size_t j = 0; j < c->n && next == c->n; j++)
            if (!used[j] && is_div(c, j) && has_dest(cur, c->p[j].div))
                next = j;
        if (next == c->n)
            break;
        if (r->div_count >= CLID_VERIFY_MAX_IDENTITIES)
            break; /* cannot happen: at most n <= CLID_VERIFY_MAX_IDENTITIES links */
        used[next] = 1;
        add_link(r, &c->p[next]);
        /* A number diverted from twice: the call came back to a number
         * that forwarded it already (RFC 8946 §6 leaves loops to policy;
         * clid refuses them, they only hide where the call came from). */
        for (size_t k = 0; k < *count; k++)
            if (strcmp(c->p[order[k]].div, c->p[next].div) == 0)
                return link_failed(r, *count, CLID_ERR_DIV_CHAIN_LOOP, NULL);
        order[(*count)++] = next;
        /* RFC 8946 §3: a div PASSporT keeps the original's orig. */
        if (strcmp(c->p[next].orig, c->p[original].orig) != 0)
            return link_failed(r, *count - 1, CLID_ERR_DIV_CHAIN_ORIG, NULL);
        cur = &c->p[next];
    }
    /* A div PASSporT the chain does not reach: its div is no dest of any
     * PASSporT before it. It is reported as the link after the chain. */
    for (size_t j = 0; j < c->n; j++) {
        if (used[j] || !is_div(c, j) || r->div_count >= CLID_VERIFY_MAX_IDENTITIES)
            continue;
        add_link(r, &c->p[j]);
        for (size_t k = 0; k < *count; k++)
            if (strcmp(c->p[order[k]].div, c->p[j].div) == 0)
                return link_failed(r, *count, CLID_ERR_DIV_CHAIN_LOOP, NULL);
        return link_failed(r, *count, CLID_ERR_DIV_CHAIN_LINK, NULL);
    }
    /* RFC 8946 §6: the last PASSporT's dest is where the request is going
     * now (its Request-URI after retargeting). */
    char tn[CLID_TN_BUF];
    if (*count > 0 && target != NULL &&
        (clid_tn_canonicalize(target, tn) != CLID_OK || !has_dest(cur, tn)))
        return link_failed(r, *count - 1, CLID_ERR_DIV_CHAIN_DEST, NULL);
    return CLID_OK;
}

/* Step 3: link k (ids[j]) through the pipeline, bound by the chain. */
static clid_err verify_link(clid_verifier *v, const clid_verify_input *in, const char *id,
                            size_t k, clid_result *r)
{
    clid_verify_input li = {.identity = id, .now = in->now, .date = in->date,
                            .skip = CLID_VERIFY_SKIP_ORIG_BINDING | CLID_VERIFY_SKIP_DEST_BINDING};
    clid_result lr;
    memset(&lr, 0, sizeof lr);
    clid_err rc = clid__verify_one(v, &li, 1, &lr);
    if (lr.signer != NULL) {
        clid__signer_cert_ref(lr.signer);
        r->div_links[k].signer = lr.signer;
    }
    /* what the link's verification accepted is the request's too */
    for (size_t i = 0; i < lr.n_warnings; i++)
        clid__result_warn(r, lr.warnings[i]);
    if (rc != CLID_OK)
        rc = link_failed(r, k, rc, lr.detail);
    clid_result_reset(&lr);
    return rc;
}

static clid_err verify_chain(clid_verifier *v, const clid_verify_input *in, const char *target,
                             const char *const *ids, const chain_in *c, clid_result *r)
{
    /* Step 1: the original, bound to the caller only. */
    int use[CHAIN_MAX];
    int any_original = 0;
    for (size_t i = 0; i < c->n; i++) {
        use[i] = !is_div(c, i);
        any_original |= use[i];
    }
    if (!any_original) {
        /* Only divs: each verified as alone, bound to the request (the best
         * a div can say is CLID_ERR_DIV_WITHOUT_ORIGINAL). */
        clid_verify_input alone = *in;
        alone.dest = target;
        return verify_each(v, ids, NULL, c->n, alone, r, NULL);
    }
    clid_verify_input orig_in = *in;
    orig_in.dest = NULL;
    orig_in.skip |= CLID_VERIFY_SKIP_DEST_BINDING;
    size_t original = c->n;
    clid_err rc = verify_each(v, ids, use, c->n, orig_in, r, &original);
    if (rc != CLID_OK)
        return rc;
    /* it passed, so it parsed the same way here; defensive all the same */
    CLID_ENSURE(original < c->n && c->parsed[original], CLID_ERR_INTERNAL);

    /* Step 2, then step 3 in chain order. */
    size_t order[CHAIN_MAX], count = 0;
    CLID_TRY(order_links(c, original, target, order, &count, r));
    for (size_t k = 0; k < count; k++)
        CLID_TRY(verify_link(v, in, ids[order[k]], k, r));
    /* the original a div-o of the chain carried (clid_result_div_opt) */
    for (size_t k = 0; k < count && r->div_opt == NULL; k++) {
        const char *opt = c->p[order[k]].opt;
        if (opt != NULL) {
            r->div_opt = clid__strndup(opt, strlen(opt));
            CLID_ENSURE(r->div_opt != NULL, CLID_ERR_NOMEM);
        }
    }
    /* The verdict is the original's, with the chain: its detail (a soft
     * revocation note) stays. */
    return CLID_OK;
}

clid_err clid__verify_chain(clid_verifier *v, const clid_verify_input *in, const char *target,
                            const char *const *ids, size_t n, clid_result *res)
{
    CLID_ENSURE(v != NULL && in != NULL && in->identity == NULL && (ids != NULL || n == 0),
                CLID_ERR_INVALID_ARGUMENT);
    if (n > CLID_VERIFY_MAX_IDENTITIES)
        n = CLID_VERIFY_MAX_IDENTITIES;
    clid_result local;
    memset(&local, 0, sizeof local);
    clid_result *r = res != NULL ? res : &local;
    clid_result_reset(r);

    chain_in *c = malloc(sizeof *c);
    CLID_ENSURE(c != NULL, CLID_ERR_NOMEM);
    chain_in_read(clid__verifier_ctx(v), c, ids, n);
    int any_div = 0;
    for (size_t i = 0; i < c->n; i++)
        any_div |= is_div(c, i);
    clid_err rc;
    if (n == 0) {
        rc = CLID_ERR_NO_IDENTITY;
    } else if (!any_div) {
        rc = verify_each(v, ids, NULL, n, *in, r, NULL);
    } else {
        const char *all[CHAIN_MAX];
        char *owned[CLID_VERIFY_MAX_IDENTITIES] = {NULL};
        memcpy(all, ids, n * sizeof *all);
        size_t total = add_opt_originals(c, all, n, owned);
        if (total > n) {
            chain_in_clear(c);
            chain_in_read(clid__verifier_ctx(v), c, all, total);
            /* what opt carries is an original (RFC 8946 §5), never a link:
             * at most n links, as many as the result holds */
            for (size_t i = n; i < total; i++)
                c->div[i] = 0;
        }
        rc = verify_chain(v, in, target != NULL ? target : in->dest, all, c, r);
        for (size_t i = 0; i < total - n; i++)
            free(owned[i]);
    }
    chain_in_clear(c);
    free(c);
    r->reason = rc;
    if (r == &local)
        clid_result_reset(&local);
    return rc;
}

clid_err clid_verify_identities(clid_verifier *v, const clid_verify_input *in,
                                const char *const *ids, size_t n, clid_result *res)
{
    return clid__verify_chain(v, in, NULL, ids, n, res);
}
