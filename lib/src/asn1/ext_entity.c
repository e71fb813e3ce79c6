/*
 * SignallingEntity values: the network entity's verifiable identifiers in
 * clid's Q.3063 profile (docs/q3063-profile.md), in the spirit of the CSP
 * identifiers of Q.3062 Annex A.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asn1/ext_values.h"

static const char *const role_names[] = {
    [CLID_ROLE_ORIGINATING_GATEWAY] = "originating-gateway",
    [CLID_ROLE_INTERNATIONAL_GATEWAY] = "international-gateway",
    [CLID_ROLE_TRANSIT] = "transit",
    [CLID_ROLE_VERIFIER] = "verifier",
};

static int valid_role(clid_entity_role r)
{
    return (unsigned)r < CLID_ARRAY_LEN(role_names);
}

const char *clid_entity_role_name(clid_entity_role r)
{
    return valid_role(r) ? role_names[r] : "unknown";
}

clid_err clid_entity_role_from_name(const char *name, clid_entity_role *out)
{
    static const struct {
        const char *name;
        clid_entity_role role;
    } aliases[] = {
        {"originating-gateway", CLID_ROLE_ORIGINATING_GATEWAY},
        {"originating", CLID_ROLE_ORIGINATING_GATEWAY},
        {"international-gateway", CLID_ROLE_INTERNATIONAL_GATEWAY},
        {"international", CLID_ROLE_INTERNATIONAL_GATEWAY},
        {"ssgw", CLID_ROLE_INTERNATIONAL_GATEWAY},
        {"transit", CLID_ROLE_TRANSIT},
        {"verifier", CLID_ROLE_VERIFIER},
    };
    CLID_ENSURE(name != NULL && out != NULL, CLID_ERR_INVALID_ARGUMENT);
    for (size_t i = 0; i < CLID_ARRAY_LEN(aliases); i++) {
        if (strcmp(aliases[i].name, name) == 0) {
            *out = aliases[i].role;
            return CLID_OK;
        }
    }
    return CLID_ERR_BAD_ENTITY;
}

clid_err clid_entity_new(clid_entity_role role, clid_entity **out)
{
    CLID_ENSURE(out != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out = NULL;
    CLID_ENSURE(valid_role(role), CLID_ERR_BAD_ENTITY);
    clid_entity *e = calloc(1, sizeof *e);
    CLID_ENSURE(e != NULL, CLID_ERR_NOMEM);
    e->role = role;
    *out = e;
    return CLID_OK;
}

void clid_entity_free(clid_entity *e)
{
    if (e == NULL)
        return;
    clid__strlist_clear(&e->countries);
    free(e->carrier);
    free(e->operator_name);
    free(e);
}

clid_err clid__entity_add_country(clid_entity *e, const char *cc, size_t len)
{
    CLID_ENSURE(len <= 3 && clid__all_digits(cc, len), CLID_ERR_BAD_ENTITY);
    /* E.164 country codes never start with 0 (that is the trunk prefix). */
    CLID_ENSURE(cc[0] != '0', CLID_ERR_BAD_ENTITY);
    CLID_ENSURE(e->countries.n < CLID_ENTITY_MAX_LIST, CLID_ERR_BAD_ENTITY);
    for (size_t i = 0; i < e->countries.n; i++)
        CLID_ENSURE(!(strlen(e->countries.v[i]) == len && memcmp(e->countries.v[i], cc, len) == 0),
                    CLID_ERR_BAD_ENTITY);
    return clid__strlist_push(&e->countries, cc, len);
}

clid_err clid__entity_set_carrier(clid_entity *e, const char *icc, size_t len)
{
    CLID_ENSURE(len >= 1 && len <= 6, CLID_ERR_BAD_ENTITY);
    for (size_t i = 0; i < len; i++)
        CLID_ENSURE((icc[i] >= 'A' && icc[i] <= 'Z') || (icc[i] >= '0' && icc[i] <= '9'),
                    CLID_ERR_BAD_ENTITY);
    char *c = clid__strndup(icc, len);
    CLID_ENSURE(c != NULL, CLID_ERR_NOMEM);
    free(e->carrier);
    e->carrier = c;
    return CLID_OK;
}

clid_err clid__entity_add_plmn(clid_entity *e, const char *mcc, size_t mcc_len, const char *mnc,
                               size_t mnc_len)
{
    CLID_ENSURE(mcc_len == 3 && clid__all_digits(mcc, 3), CLID_ERR_BAD_ENTITY);
    CLID_ENSURE((mnc_len == 2 || mnc_len == 3) && clid__all_digits(mnc, mnc_len),
                CLID_ERR_BAD_ENTITY);
    CLID_ENSURE(e->n_plmn < CLID_ENTITY_MAX_LIST, CLID_ERR_BAD_ENTITY);
    struct clid_entity_plmn p = {{0}, {0}};
    memcpy(p.mcc, mcc, 3);
    memcpy(p.mnc, mnc, mnc_len);
    for (size_t i = 0; i < e->n_plmn; i++)
        CLID_ENSURE(strcmp(e->plmn[i].mcc, p.mcc) != 0 || strcmp(e->plmn[i].mnc, p.mnc) != 0,
                    CLID_ERR_BAD_ENTITY);
    e->plmn[e->n_plmn++] = p;
    return CLID_OK;
}

clid_err clid__entity_set_operator_name(clid_entity *e, const char *name, size_t len)
{
    CLID_ENSURE(len >= 1 && len <= CLID_ENTITY_OPERATOR_MAX_LEN && clid__is_clean_utf8(name, len),
                CLID_ERR_BAD_ENTITY);
    char *c = clid__strndup(name, len);
    CLID_ENSURE(c != NULL, CLID_ERR_NOMEM);
    free(e->operator_name);
    e->operator_name = c;
    return CLID_OK;
}

clid_err clid_entity_add_country(clid_entity *e, const char *cc)
{
    CLID_ENSURE(e != NULL && cc != NULL, CLID_ERR_INVALID_ARGUMENT);
    return clid__entity_add_country(e, cc, strlen(cc));
}

clid_err clid_entity_set_carrier(clid_entity *e, const char *icc)
{
    CLID_ENSURE(e != NULL && icc != NULL, CLID_ERR_INVALID_ARGUMENT);
    return clid__entity_set_carrier(e, icc, strlen(icc));
}

clid_err clid_entity_add_plmn(clid_entity *e, const char *mcc, const char *mnc)
{
    CLID_ENSURE(e != NULL && mcc != NULL && mnc != NULL, CLID_ERR_INVALID_ARGUMENT);
    return clid__entity_add_plmn(e, mcc, strlen(mcc), mnc, strlen(mnc));
}

clid_err clid_entity_add_ispc(clid_entity *e, unsigned ispc)
{
    CLID_ENSURE(e != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(ispc <= 16383 && e->n_ispc < CLID_ENTITY_MAX_LIST, CLID_ERR_BAD_ENTITY);
    for (size_t i = 0; i < e->n_ispc; i++)
        CLID_ENSURE(e->ispc[i] != ispc, CLID_ERR_BAD_ENTITY);
    e->ispc[e->n_ispc++] = ispc;
    return CLID_OK;
}

clid_err clid_entity_set_operator_name(clid_entity *e, const char *name)
{
    CLID_ENSURE(e != NULL && name != NULL, CLID_ERR_INVALID_ARGUMENT);
    return clid__entity_set_operator_name(e, name, strlen(name));
}

clid_err clid_entity_dup(const clid_entity *e, clid_entity **out)
{
    CLID_ENSURE(e != NULL && out != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out = NULL;
    clid_entity *d = NULL;
    CLID_TRY(clid_entity_new(e->role, &d));
    clid_err rc = clid__strlist_copy(&d->countries, &e->countries);
    if (rc == CLID_OK && e->carrier)
        rc = clid_entity_set_carrier(d, e->carrier);
    if (rc == CLID_OK && e->operator_name)
        rc = clid_entity_set_operator_name(d, e->operator_name);
    if (rc != CLID_OK) {
        clid_entity_free(d);
        return rc;
    }
    memcpy(d->plmn, e->plmn, sizeof e->plmn);
    d->n_plmn = e->n_plmn;
    memcpy(d->ispc, e->ispc, sizeof e->ispc);
    d->n_ispc = e->n_ispc;
    *out = d;
    return CLID_OK;
}

clid_entity_role clid_entity_get_role(const clid_entity *e)
{
    return e ? e->role : CLID_ROLE_ORIGINATING_GATEWAY;
}

size_t clid_entity_country_count(const clid_entity *e)
{
    return e ? e->countries.n : 0;
}

const char *clid_entity_country(const clid_entity *e, size_t i)
{
    return e && i < e->countries.n ? e->countries.v[i] : NULL;
}

const char *clid_entity_carrier(const clid_entity *e)
{
    return e ? e->carrier : NULL;
}

size_t clid_entity_plmn_count(const clid_entity *e)
{
    return e ? e->n_plmn : 0;
}

const char *clid_entity_plmn_mcc(const clid_entity *e, size_t i)
{
    return e && i < e->n_plmn ? e->plmn[i].mcc : NULL;
}

const char *clid_entity_plmn_mnc(const clid_entity *e, size_t i)
{
    return e && i < e->n_plmn ? e->plmn[i].mnc : NULL;
}

size_t clid_entity_ispc_count(const clid_entity *e)
{
    return e ? e->n_ispc : 0;
}

unsigned clid_entity_ispc(const clid_entity *e, size_t i)
{
    return e && i < e->n_ispc ? e->ispc[i] : 0;
}

const char *clid_entity_operator_name(const clid_entity *e)
{
    return e ? e->operator_name : NULL;
}



static int str_eq_opt(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

int clid_entity_equal(const clid_entity *a, const clid_entity *b)
{
    if (a == NULL || b == NULL || a->role != b->role || a->n_plmn != b->n_plmn ||
        a->n_ispc != b->n_ispc)
        return 0;
    if (!clid__strlist_equal(&a->countries, &b->countries) || !str_eq_opt(a->carrier, b->carrier) ||
        !str_eq_opt(a->operator_name, b->operator_name))
        return 0;
    for (size_t i = 0; i < a->n_plmn; i++)
        if (strcmp(a->plmn[i].mcc, b->plmn[i].mcc) != 0 || strcmp(a->plmn[i].mnc, b->plmn[i].mnc) != 0)
            return 0;
    for (size_t i = 0; i < a->n_ispc; i++)
        if (a->ispc[i] != b->ispc[i])
            return 0;
    return 1;
}

/* Q.708 §2.3: the 14-bit ISPC is written zone (3 bits) - area/network
 * (8 bits) - signalling point (3 bits). */
clid_err clid_ispc_parse(const char *text, unsigned *out)
{
    CLID_ENSURE(text != NULL && out != NULL, CLID_ERR_INVALID_ARGUMENT);
    unsigned part[3] = {0, 0, 0};
    size_t np = 0, digits = 0;
    for (const char *p = text;; p++) {
        if (*p >= '0' && *p <= '9') {
            CLID_ENSURE(digits < 5, CLID_ERR_BAD_ENTITY);
            part[np] = part[np] * 10 + (unsigned)(*p - '0');
            digits++;
        } else if (*p == '-' && digits > 0 && np < 2) {
            np++;
            digits = 0;
        } else if (*p == '\0' && digits > 0) {
            break;
        } else {
            return CLID_ERR_BAD_ENTITY;
        }
    }
    if (np == 0) {
        CLID_ENSURE(part[0] <= 16383, CLID_ERR_BAD_ENTITY);
        *out = part[0];
        return CLID_OK;
    }
    CLID_ENSURE(np == 2 && part[0] <= 7 && part[1] <= 255 && part[2] <= 7, CLID_ERR_BAD_ENTITY);
    *out = (part[0] << 11) | (part[1] << 3) | part[2];
    return CLID_OK;
}

clid_err clid_ispc_format(unsigned ispc, char *out, size_t cap)
{
    CLID_ENSURE(out != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(ispc <= 16383, CLID_ERR_BAD_ENTITY);
    int n = snprintf(out, cap, "%u-%u-%u", ispc >> 11, (ispc >> 3) & 0xff, ispc & 7);
    CLID_ENSURE(n > 0 && (size_t)n < cap, CLID_ERR_BUFFER_TOO_SMALL);
    return CLID_OK;
}
