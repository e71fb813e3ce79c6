/*
 * JWT claim constraints: RFC 8226 §8 JWTClaimConstraints and RFC 9118 §4
 * EnhancedJWTClaimConstraints, as one value type with a kind. A value must
 * hold at least one field to be encoded (the WITH COMPONENTS constraint,
 * which asn1c 0.9.28 does not enforce: deps notes A3).
 */
#include <stdlib.h>
#include <string.h>

#include "asn1/ext_values.h"

clid_err clid_jwtcc_new(clid_jwtcc_kind kind, clid_jwtcc **out)
{
    CLID_ENSURE(out != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out = NULL;
    CLID_ENSURE(kind == CLID_JWTCC_RFC8226 || kind == CLID_JWTCC_RFC9118,
                CLID_ERR_INVALID_ARGUMENT);
    clid_jwtcc *c = calloc(1, sizeof *c);
    CLID_ENSURE(c != NULL, CLID_ERR_NOMEM);
    c->kind = kind;
    *out = c;
    return CLID_OK;
}

void clid_jwtcc_free(clid_jwtcc *c)
{
    if (c == NULL)
        return;
    clid__strlist_clear(&c->must_include);
    clid__strlist_clear(&c->must_exclude);
    for (size_t i = 0; i < c->n_perm; i++) {
        free(c->perm[i].claim);
        clid__strlist_clear(&c->perm[i].values);
    }
    free(c->perm);
    free(c);
}

/* Claim names end up as JSON member names compared byte for byte: keep them
 * to printable ASCII without the characters JSON would escape. */
static int valid_claim_name(const char *s, size_t len)
{
    if (len > CLID_CLAIM_NAME_MAX_LEN || !clid__is_printable_ascii(s, len))
        return 0;
    return memchr(s, '"', len) == NULL && memchr(s, '\\', len) == NULL;
}

static int valid_claim_value(const char *s, size_t len)
{
    return len <= CLID_CLAIM_VALUE_MAX_LEN && clid__is_clean_utf8(s, len);
}

static int strlist_contains_n(const clid_strlist *l, const char *s, size_t len)
{
    for (size_t i = 0; i < l->n; i++)
        if (strlen(l->v[i]) == len && memcmp(l->v[i], s, len) == 0)
            return 1;
    return 0;
}

clid_err clid__jwtcc_add_name(clid_jwtcc *c, clid_strlist *list, const char *name, size_t len)
{
    CLID_ENSURE(valid_claim_name(name, len), CLID_ERR_BAD_CLAIM_CONSTRAINT);
    CLID_ENSURE(!strlist_contains_n(list, name, len), CLID_ERR_BAD_CLAIM_CONSTRAINT);
    CLID_ENSURE(list->n < CLID_EXT_MAX_ENTRIES, CLID_ERR_DER_CONSTRAINT);
    (void)c;
    return clid__strlist_push(list, name, len);
}

clid_err clid__jwtcc_add_permitted(clid_jwtcc *c, const char *claim, size_t claim_len,
                                   const char *value, size_t value_len)
{
    CLID_ENSURE(valid_claim_name(claim, claim_len), CLID_ERR_BAD_CLAIM_CONSTRAINT);
    CLID_ENSURE(valid_claim_value(value, value_len), CLID_ERR_BAD_CLAIM_CONSTRAINT);
    struct clid_jwtcc_permitted *p = NULL;
    for (size_t i = 0; i < c->n_perm; i++)
        if (strlen(c->perm[i].claim) == claim_len &&
            memcmp(c->perm[i].claim, claim, claim_len) == 0)
            p = &c->perm[i];
    if (p == NULL) {
        CLID_ENSURE(c->n_perm < CLID_EXT_MAX_ENTRIES, CLID_ERR_DER_CONSTRAINT);
        CLID_TRY(clid__grow((void **)&c->perm, &c->cap_perm, c->n_perm + 1, sizeof *c->perm));
        p = &c->perm[c->n_perm];
        memset(p, 0, sizeof *p);
        p->claim = clid__strndup(claim, claim_len);
        CLID_ENSURE(p->claim != NULL, CLID_ERR_NOMEM);
        c->n_perm++;
    }
    CLID_ENSURE(!strlist_contains_n(&p->values, value, value_len), CLID_ERR_BAD_CLAIM_CONSTRAINT);
    CLID_ENSURE(p->values.n < CLID_EXT_MAX_ENTRIES, CLID_ERR_DER_CONSTRAINT);
    return clid__strlist_push(&p->values, value, value_len);
}

clid_err clid_jwtcc_add_must_include(clid_jwtcc *c, const char *claim)
{
    CLID_ENSURE(c != NULL && claim != NULL, CLID_ERR_INVALID_ARGUMENT);
    return clid__jwtcc_add_name(c, &c->must_include, claim, strlen(claim));
}

clid_err clid_jwtcc_add_must_exclude(clid_jwtcc *c, const char *claim)
{
    CLID_ENSURE(c != NULL && claim != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(c->kind == CLID_JWTCC_RFC9118, CLID_ERR_UNSUPPORTED);
    return clid__jwtcc_add_name(c, &c->must_exclude, claim, strlen(claim));
}

clid_err clid_jwtcc_add_permitted(clid_jwtcc *c, const char *claim, const char *value)
{
    CLID_ENSURE(c != NULL && claim != NULL && value != NULL, CLID_ERR_INVALID_ARGUMENT);
    return clid__jwtcc_add_permitted(c, claim, strlen(claim), value, strlen(value));
}

clid_err clid_jwtcc_dup(const clid_jwtcc *c, clid_jwtcc **out)
{
    CLID_ENSURE(c != NULL && out != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out = NULL;
    clid_jwtcc *d = NULL;
    CLID_TRY(clid_jwtcc_new(c->kind, &d));
    clid_err rc = clid__strlist_copy(&d->must_include, &c->must_include);
    if (rc == CLID_OK)
        rc = clid__strlist_copy(&d->must_exclude, &c->must_exclude);
    for (size_t i = 0; rc == CLID_OK && i < c->n_perm; i++)
        for (size_t j = 0; rc == CLID_OK && j < c->perm[i].values.n; j++)
            rc = clid_jwtcc_add_permitted(d, c->perm[i].claim, c->perm[i].values.v[j]);
    if (rc != CLID_OK) {
        clid_jwtcc_free(d);
        return rc;
    }
    *out = d;
    return CLID_OK;
}

clid_jwtcc_kind clid_jwtcc_get_kind(const clid_jwtcc *c)
{
    return c ? c->kind : CLID_JWTCC_RFC8226;
}

size_t clid_jwtcc_must_include_count(const clid_jwtcc *c)
{
    return c ? c->must_include.n : 0;
}

const char *clid_jwtcc_must_include(const clid_jwtcc *c, size_t i)
{
    return c && i < c->must_include.n ? c->must_include.v[i] : NULL;
}

size_t clid_jwtcc_must_exclude_count(const clid_jwtcc *c)
{
    return c ? c->must_exclude.n : 0;
}

const char *clid_jwtcc_must_exclude(const clid_jwtcc *c, size_t i)
{
    return c && i < c->must_exclude.n ? c->must_exclude.v[i] : NULL;
}

size_t clid_jwtcc_permitted_count(const clid_jwtcc *c)
{
    return c ? c->n_perm : 0;
}

const char *clid_jwtcc_permitted_claim(const clid_jwtcc *c, size_t i)
{
    return c && i < c->n_perm ? c->perm[i].claim : NULL;
}

size_t clid_jwtcc_permitted_value_count(const clid_jwtcc *c, size_t i)
{
    return c && i < c->n_perm ? c->perm[i].values.n : 0;
}

const char *clid_jwtcc_permitted_value(const clid_jwtcc *c, size_t i, size_t j)
{
    if (c == NULL || i >= c->n_perm || j >= c->perm[i].values.n)
        return NULL;
    return c->perm[i].values.v[j];
}



int clid_jwtcc_equal(const clid_jwtcc *a, const clid_jwtcc *b)
{
    if (a == NULL || b == NULL || a->kind != b->kind || a->n_perm != b->n_perm)
        return 0;
    if (!clid__strlist_equal(&a->must_include, &b->must_include) ||
        !clid__strlist_equal(&a->must_exclude, &b->must_exclude))
        return 0;
    for (size_t i = 0; i < a->n_perm; i++)
        if (strcmp(a->perm[i].claim, b->perm[i].claim) != 0 ||
            !clid__strlist_equal(&a->perm[i].values, &b->perm[i].values))
            return 0;
    return 1;
}
