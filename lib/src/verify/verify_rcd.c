/*
 * Claim constraints (RFC 8226 §8, RFC 9118) and Rich Call Data
 * verification (RFC 9795): what the signer's certificate allows it to
 * claim, and the content an rcd claim references checked against its
 * rcdi digest before any of it is presented (docs/rcd.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "passport/rcd.h"
#include "verify/ctx_internal.h"
#include "verify/result_internal.h"
#include "verify/verify_rcd.h"

/* ------------------------------------------------------------------------ */
/* Claim constraints                                                         */
/* ------------------------------------------------------------------------ */

static clid_err violated(clid_result *r, const char *what, const char *claim,
                         const char *member)
{
    char d[160];
    snprintf(d, sizeof d, "%s %.64s%s%.32s", what, claim, member ? "." : "", member ? member : "");
    clid__result_set_detail(r, d);
    return CLID_ERR_CLAIM_CONSTRAINT_VIOLATED;
}

/* The first member of `rcd` that `allowed` does not hold with an equal
 * value (NULL: none); RFC 9795 §8 / the brief's subset reading. */
static const char *rcd_outside(json_t *rcd, const json_t *allowed)
{
    const char *k;
    json_t *v;
    json_object_foreach(rcd, k, v) {
        if (!json_equal(v, json_object_get(allowed, k)))
            return k;
    }
    return NULL;
}

/*
 * Whether claim value `val` is one of the permitted values of entry i.
 * RFC 8226 §8 lists permitted values as UTF8Strings: a string claim
 * compares as a string; another value with the JSON the string holds
 * (json_equal: member order and spacing do not matter). For "rcd" the
 * subset rule of clid__check_claim_constraints; *member gets the first
 * member outside the first permitted object, for the detail.
 */
static int value_permitted(const char *claim, json_t *val, const clid_jwtcc *cc, size_t i,
                           const char **member)
{
    int is_rcd = strcmp(claim, "rcd") == 0 && json_is_object(val);
    for (size_t j = 0; j < clid_jwtcc_permitted_value_count(cc, i); j++) {
        const char *pv = clid_jwtcc_permitted_value(cc, i, j);
        if (json_is_string(val)) {
            if (strcmp(json_string_value(val), pv) == 0)
                return 1;
            continue;
        }
        json_error_t e;
        json_t *allowed = json_loads(pv, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &e);
        int ok = 0;
        if (is_rcd && json_is_object(allowed)) {
            const char *out = rcd_outside(val, allowed);
            ok = out == NULL;
            if (!ok && *member == NULL)
                *member = out;
        } else if (allowed != NULL) {
            ok = json_equal(val, allowed);
        }
        json_decref(allowed);
        if (ok)
            return 1;
    }
    return 0;
}

static int constrains_rcd(const clid_jwtcc *cc)
{
    for (size_t i = 0; cc != NULL && i < clid_jwtcc_permitted_count(cc); i++)
        if (strcmp(clid_jwtcc_permitted_claim(cc, i), "rcd") == 0)
            return 1;
    return 0;
}

clid_err clid__check_claim_constraints(clid_result *r, const clid_jwtcc *cc,
                                       const json_t *claims)
{
    if (cc == NULL)
        return CLID_OK;
    /* Said whether or not the values hold (clid_result_rcd). */
    if (constrains_rcd(cc))
        r->rcd_flags |= CLID_RCD_CONSTRAINED;
    for (size_t i = 0; i < clid_jwtcc_must_include_count(cc); i++)
        if (json_object_get(claims, clid_jwtcc_must_include(cc, i)) == NULL)
            return violated(r, "mustInclude", clid_jwtcc_must_include(cc, i), NULL);
    for (size_t i = 0; i < clid_jwtcc_must_exclude_count(cc); i++)
        if (json_object_get(claims, clid_jwtcc_must_exclude(cc, i)) != NULL)
            return violated(r, "mustExclude", clid_jwtcc_must_exclude(cc, i), NULL);
    for (size_t i = 0; i < clid_jwtcc_permitted_count(cc); i++) {
        const char *claim = clid_jwtcc_permitted_claim(cc, i);
        json_t *val = json_object_get(claims, claim);
        const char *member = NULL;
        if (val != NULL && !value_permitted(claim, val, cc, i, &member))
            return violated(r, "permittedValues", claim, member);
    }
    return CLID_OK;
}

/* ------------------------------------------------------------------------ */
/* Rich Call Data content                                                    */
/* ------------------------------------------------------------------------ */

enum ref_kind { REF_JCL, REF_ICN, REF_JCD };

struct ref {
    enum ref_kind kind;
    char pointer[32];
    const char *url;
    int ok; /* retrieved and equal to its digest */
};

struct refs {
    struct ref r[CLID_RCD_MAX_FETCHES];
    size_t n;
    int dropped; /* URLs beyond CLID_RCD_MAX_FETCHES: never retrieved */
};

static void add_ref(struct refs *rs, enum ref_kind kind, const char *pointer, const char *url)
{
    if (rs->n >= CLID_RCD_MAX_FETCHES) {
        rs->dropped = 1;
        return;
    }
    struct ref *f = &rs->r[rs->n++];
    f->kind = kind;
    snprintf(f->pointer, sizeof f->pointer, "%s", pointer);
    f->url = url;
    f->ok = 0;
}

/* The "uri" properties of an inline jCard: "/jcd/1/<i>/3" (RFC 9795 §6:
 * pointers are rooted at the rcd claim). `jcd` stays alive while refs are
 * used. */
static void jcd_refs(const json_t *jcd, struct refs *rs)
{
    const json_t *props = json_array_get(jcd, 1);
    for (size_t i = 0; i < json_array_size(props); i++) {
        const json_t *p = json_array_get(props, i);
        const json_t *type = json_array_get(p, 2);
        const json_t *val = json_array_get(p, 3);
        if (json_is_string(type) && strcmp(json_string_value(type), "uri") == 0 &&
            json_is_string(val)) {
            char ptr[32];
            snprintf(ptr, sizeof ptr, "/jcd/1/%zu/3", i);
            add_ref(rs, REF_JCD, ptr, json_string_value(val));
        }
    }
}

static const clid__rcd_digest *find_digest(const clid__rcd *rcd, const char *pointer)
{
    for (size_t i = 0; i < rcd->n_rcdi; i++)
        if (strcmp(rcd->rcdi[i].pointer, pointer) == 0)
            return &rcd->rcdi[i];
    return NULL;
}

static void note(clid_result *r, const char *pointer, clid_err e)
{
    /* The first note wins: a passing result's detail says what was left
     * out, a failing one what failed. */
    if (r->detail[0] != '\0')
        return;
    char d[96];
    snprintf(d, sizeof d, "rcd %s: %s", pointer, clid_err_name(e));
    clid__result_set_detail(r, d);
}

/* Retrieves and checks one reference. CLID_OK with f->ok set or a warning
 * recorded; or the failure. *jcard gets a jcl body (malloc'd text). */
static clid_err check_ref(const clid_ctx *ctx, clid_result *r, const clid__rcd *rcd,
                          struct ref *f, char **jcard)
{
    const clid__rcd_digest *d = find_digest(rcd, f->pointer);
    if (d == NULL) {
        clid__result_warn(r, CLID_ERR_RCD_DIGEST_MISSING);
        note(r, f->pointer, CLID_ERR_RCD_DIGEST_MISSING);
        return CLID_OK;
    }
    size_t cap = f->kind == REF_JCL ? CLID_RCD_JCARD_MAX_LEN : CLID_RCD_ICON_MAX_LEN;
    const uint8_t *data = NULL;
    size_t len = 0;
    uint8_t *buf = NULL;
    const struct clid_rcd_map_entry *m = clid__ctx_rcd_lookup(ctx, f->url);
    if (m != NULL) {
        data = m->data;
        len = m->len;
    } else if (ctx->rcd_fetch != NULL) {
        buf = malloc(cap);
        CLID_ENSURE(buf != NULL, CLID_ERR_NOMEM);
        int64_t max_age = -1;
        clid_err fe = ctx->rcd_fetch(ctx->rcd_fetch_arg, f->url, buf, cap, &len, &max_age);
        if (fe == CLID_ERR_X5U_TOO_LARGE) {
            free(buf);
            note(r, f->pointer, fe);
            return CLID_ERR_RCD_CONTENT_INVALID; /* served, but more than allowed */
        }
        if (fe != CLID_OK) {
            free(buf);
            clid__result_warn(r, CLID_ERR_RCD_CONTENT_UNAVAILABLE);
            note(r, f->pointer, fe);
            return CLID_OK;
        }
        data = buf;
    } else {
        clid__result_warn(r, CLID_ERR_RCD_CONTENT_UNAVAILABLE);
        note(r, f->pointer, CLID_ERR_RCD_CONTENT_UNAVAILABLE);
        return CLID_OK;
    }

    clid_err rc = CLID_OK;
    if (len > cap)
        rc = CLID_ERR_RCD_CONTENT_INVALID; /* a map entry, or a misbehaving fetcher */
    else if (!clid__rcd_digest_matches(d->alg, d->value, data, len))
        rc = CLID_ERR_RCD_DIGEST_MISMATCH;
    if (rc == CLID_OK && f->kind == REF_JCL) {
        /* RFC 9795 §5: jcl names a jCard, and what it references holds no
         * further URI. */
        json_error_t e;
        json_t *j = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &e);
        if (j == NULL || !clid__rcd_is_jcard(j, 0))
            rc = CLID_ERR_RCD_CONTENT_INVALID;
        json_decref(j);
        if (rc == CLID_OK) {
            *jcard = clid__strndup((const char *)data, len);
            if (*jcard == NULL)
                rc = CLID_ERR_NOMEM;
        }
    }
    free(buf);
    if (rc != CLID_OK) {
        r->detail[0] = '\0';
        note(r, f->pointer, rc);
        return rc;
    }
    f->ok = 1;
    return CLID_OK;
}

static clid_err dup_opt(const char *s, char **out)
{
    if (s == NULL)
        return CLID_OK;
    *out = clid__strndup(s, strlen(s));
    return *out != NULL ? CLID_OK : CLID_ERR_NOMEM;
}

static clid_err present(clid_result *r, const clid__rcd *rcd, const struct refs *rs)
{
    int jcd_ok = 1;
    for (size_t i = 0; i < rs->n; i++)
        if (rs->r[i].kind == REF_JCD && !rs->r[i].ok)
            jcd_ok = 0;
    /* Signed values: presented (claim constraints held). */
    CLID_TRY(dup_opt(rcd->nam, &r->rcd_nam));
    CLID_TRY(dup_opt(rcd->apn, &r->rcd_apn));
    CLID_TRY(dup_opt(rcd->crn, &r->rcd_crn));
    /* An inline jCard whose URIs did not all verify is not presented (a
     * device would fetch them). */
    if (rcd->jcd != NULL && jcd_ok && !rs->dropped)
        CLID_TRY(dup_opt(rcd->jcd, &r->rcd_jcard));
    for (size_t i = 0; i < rs->n; i++) {
        const struct ref *f = &rs->r[i];
        if (!f->ok || f->kind == REF_JCD)
            continue;
        const char *dg = find_digest(rcd, f->pointer)->value;
        if (f->kind == REF_JCL) {
            CLID_TRY(dup_opt(rcd->jcl, &r->rcd_jcl));
            CLID_TRY(dup_opt(dg, &r->rcd_digest_jcl));
        } else {
            CLID_TRY(dup_opt(rcd->icn, &r->rcd_icn));
            CLID_TRY(dup_opt(dg, &r->rcd_digest_icn));
        }
    }
    return CLID_OK;
}

clid_err clid__verify_rcd(const clid_ctx *ctx, clid_result *r, const clid__passport *p,
                          const clid__signer_cert *c)
{
    (void)c; /* CLID_RCD_CONSTRAINED: clid__check_claim_constraints */
    const clid__rcd *rcd = &p->rcd;
    if (!rcd->present)
        return CLID_OK;

    struct refs rs = {.n = 0};
    json_t *jcd = NULL;
    if (rcd->jcl != NULL)
        add_ref(&rs, REF_JCL, "/jcl", rcd->jcl);
    if (rcd->icn != NULL)
        add_ref(&rs, REF_ICN, "/icn", rcd->icn);
    if (rcd->jcd != NULL) {
        json_error_t e;
        jcd = json_loads(rcd->jcd, 0, &e);
        CLID_ENSURE(jcd != NULL, CLID_ERR_INTERNAL); /* clid's own serialization */
        jcd_refs(jcd, &rs);
    }
    if (rs.dropped) {
        clid__result_warn(r, CLID_ERR_RCD_CONTENT_UNAVAILABLE);
        note(r, "(more URLs than CLID_RCD_MAX_FETCHES)", CLID_ERR_RCD_CONTENT_UNAVAILABLE);
    }

    char *jcl_body = NULL;
    clid_err rc = CLID_OK;
    for (size_t i = 0; i < rs.n && rc == CLID_OK; i++)
        rc = check_ref(ctx, r, rcd, &rs.r[i], &jcl_body);
    int all_ok = !rs.dropped;
    for (size_t i = 0; i < rs.n; i++)
        all_ok = all_ok && rs.r[i].ok;
    if (rc == CLID_OK) {
        /* jcl's body is the jCard (jcd and jcl never come together). */
        r->rcd_jcard = jcl_body;
        jcl_body = NULL;
        if (all_ok)
            r->rcd_flags |= CLID_RCD_CONTENT_OK;
        rc = present(r, rcd, &rs);
    }
    free(jcl_body);
    json_decref(jcd);
    if (rc != CLID_OK) {
        /* Nothing of a failed verification is kept; the flags say what
         * the PASSporT carried and what the certificate constrained. */
        unsigned flags = r->rcd_flags & (CLID_RCD_PRESENT | CLID_RCD_CONSTRAINED);
        clid__result_rcd_clear(r);
        r->rcd_flags = flags;
    }
    return rc;
}
