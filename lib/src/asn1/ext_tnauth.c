/*
 * TNAuthList values (RFC 8226 §9): building, reading, comparing, and the
 * authority questions a verifier and a CA ask of them (does a list cover a
 * TN; does an issuer's list encompass a delegate's, RFC 9060 §4).
 */
#include <stdlib.h>
#include <string.h>

#include "asn1/ext_values.h"

clid_err clid_tnauth_new(clid_tnauth **out)
{
    CLID_ENSURE(out != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out = calloc(1, sizeof **out);
    return *out ? CLID_OK : CLID_ERR_NOMEM;
}

void clid_tnauth_free(clid_tnauth *l)
{
    if (l == NULL)
        return;
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i].value);
    free(l->items);
    free(l);
}

/* 10^digits - 1 without overflow for digits <= 15. */
static uint64_t max_for_digits(size_t digits)
{
    uint64_t m = 1;
    for (size_t i = 0; i < digits; i++)
        m *= 10;
    return m - 1;
}

static uint64_t digits_value(const char *s, size_t len)
{
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++)
        v = v * 10 + (uint64_t)(s[i] - '0');
    return v;
}

clid_err clid__tnauth_add(clid_tnauth *l, clid_tnauth_kind kind, const char *v, size_t len,
                          uint64_t count)
{
    CLID_ENSURE(l != NULL && v != NULL, CLID_ERR_INVALID_ARGUMENT);
    switch (kind) {
    case CLID_TNAUTH_SPC:
        CLID_ENSURE(len <= CLID_SPC_MAX_LEN && clid__is_printable_ascii(v, len), CLID_ERR_BAD_SPC);
        count = 0;
        break;
    case CLID_TNAUTH_TN:
        CLID_ENSURE(clid__is_tn(v, len), CLID_ERR_BAD_TN);
        count = 0;
        break;
    case CLID_TNAUTH_RANGE:
        CLID_ENSURE(clid__is_tn(v, len), CLID_ERR_BAD_TN);
        /* Ranges are numeric: '#' and '*' have no successor. */
        CLID_ENSURE(clid__all_digits(v, len), CLID_ERR_BAD_RANGE);
        CLID_ENSURE(count >= 2, CLID_ERR_BAD_RANGE);
        /* The last number must keep the start's length: 999+2 is not a
         * range of three-digit numbers. This also bounds count. */
        CLID_ENSURE(count - 1 <= max_for_digits(len) - digits_value(v, len), CLID_ERR_BAD_RANGE);
        break;
    default:
        return CLID_ERR_INVALID_ARGUMENT;
    }
    CLID_ENSURE(l->n < CLID_EXT_MAX_ENTRIES, CLID_ERR_DER_CONSTRAINT);
    CLID_TRY(clid__grow((void **)&l->items, &l->cap, l->n + 1, sizeof *l->items));
    char *copy = clid__strndup(v, len);
    CLID_ENSURE(copy != NULL, CLID_ERR_NOMEM);
    l->items[l->n].kind = kind;
    l->items[l->n].value = copy;
    l->items[l->n].count = count;
    l->n++;
    return CLID_OK;
}

clid_err clid_tnauth_add_spc(clid_tnauth *l, const char *spc)
{
    CLID_ENSURE(spc != NULL, CLID_ERR_INVALID_ARGUMENT);
    return clid__tnauth_add(l, CLID_TNAUTH_SPC, spc, strlen(spc), 0);
}

clid_err clid_tnauth_add_tn(clid_tnauth *l, const char *tn)
{
    CLID_ENSURE(tn != NULL, CLID_ERR_INVALID_ARGUMENT);
    return clid__tnauth_add(l, CLID_TNAUTH_TN, tn, strlen(tn), 0);
}

clid_err clid_tnauth_add_range(clid_tnauth *l, const char *start, uint64_t count)
{
    CLID_ENSURE(start != NULL, CLID_ERR_INVALID_ARGUMENT);
    return clid__tnauth_add(l, CLID_TNAUTH_RANGE, start, strlen(start), count);
}

clid_err clid_tnauth_dup(const clid_tnauth *l, clid_tnauth **out)
{
    CLID_ENSURE(l != NULL && out != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out = NULL;
    clid_tnauth *c = NULL;
    CLID_TRY(clid_tnauth_new(&c));
    for (size_t i = 0; i < l->n; i++) {
        const struct clid_tnauth_item *it = &l->items[i];
        clid_err rc = clid__tnauth_add(c, it->kind, it->value, strlen(it->value), it->count);
        if (rc != CLID_OK) {
            clid_tnauth_free(c);
            return rc;
        }
    }
    *out = c;
    return CLID_OK;
}

size_t clid_tnauth_count(const clid_tnauth *l)
{
    return l ? l->n : 0;
}

clid_err clid_tnauth_get(const clid_tnauth *l, size_t i, clid_tnauth_entry *out)
{
    CLID_ENSURE(l != NULL && out != NULL && i < l->n, CLID_ERR_INVALID_ARGUMENT);
    out->kind = l->items[i].kind;
    out->value = l->items[i].value;
    out->count = l->items[i].count;
    return CLID_OK;
}



int clid_tnauth_equal(const clid_tnauth *a, const clid_tnauth *b)
{
    if (a == NULL || b == NULL || a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++) {
        const struct clid_tnauth_item *x = &a->items[i], *y = &b->items[i];
        if (x->kind != y->kind || x->count != y->count || strcmp(x->value, y->value) != 0)
            return 0;
    }
    return 1;
}

/* Whether range item `r` contains the TN `tn` of length `len`. */
static int range_contains(const struct clid_tnauth_item *r, const char *tn, size_t len)
{
    size_t rlen = strlen(r->value);
    if (rlen != len || !clid__all_digits(tn, len))
        return 0;
    uint64_t start = digits_value(r->value, rlen);
    uint64_t v = digits_value(tn, len);
    return v >= start && v - start < r->count;
}

/* Whether parent range `p` contains child range `c` entirely. */
static int range_contains_range(const struct clid_tnauth_item *p, const struct clid_tnauth_item *c)
{
    size_t plen = strlen(p->value), clen = strlen(c->value);
    if (plen != clen)
        return 0;
    uint64_t ps = digits_value(p->value, plen), cs = digits_value(c->value, clen);
    /* Both ends are within 10^15, so the sums cannot overflow. */
    return cs >= ps && cs + c->count <= ps + p->count;
}

static int covers_item_tn(const clid_tnauth *l, const char *tn, size_t len, int spc_any)
{
    for (size_t i = 0; i < l->n; i++) {
        const struct clid_tnauth_item *it = &l->items[i];
        switch (it->kind) {
        case CLID_TNAUTH_SPC:
            if (spc_any)
                return 1;
            break;
        case CLID_TNAUTH_TN:
            if (strlen(it->value) == len && memcmp(it->value, tn, len) == 0)
                return 1;
            break;
        case CLID_TNAUTH_RANGE:
            if (range_contains(it, tn, len))
                return 1;
            break;
        }
    }
    return 0;
}

int clid_tnauth_covers_tn(const clid_tnauth *l, const char *tn, int spc_covers_any_tn)
{
    if (l == NULL || tn == NULL)
        return 0;
    size_t len = strlen(tn);
    if (!clid__is_tn(tn, len))
        return 0;
    return covers_item_tn(l, tn, len, spc_covers_any_tn);
}

/* A child range is encompassed by a parent range containing it, or by parent
 * SPC (when allowed), or, number by number, by the parent's TNs and ranges.
 * Each walked number scans the whole parent list, so the walk is capped, and
 * the cap is one budget for the whole clid_tnauth_encompasses call: capped
 * per range, a child of ~4000 ranges of 10000 numbers against a 4096-entry
 * parent (both within the decoder's limits) took minutes of CPU. */
#define CLID_RANGE_WALK_MAX 10000

static int range_encompassed(const clid_tnauth *parent, const struct clid_tnauth_item *c,
                             int spc_any, uint64_t *walk_budget)
{
    for (size_t i = 0; i < parent->n; i++) {
        const struct clid_tnauth_item *p = &parent->items[i];
        if (p->kind == CLID_TNAUTH_SPC && spc_any)
            return 1;
        if (p->kind == CLID_TNAUTH_RANGE && range_contains_range(p, c))
            return 1;
    }
    if (c->count > *walk_budget)
        return 0;
    *walk_budget -= c->count;
    size_t len = strlen(c->value);
    uint64_t start = digits_value(c->value, len);
    char buf[16];
    for (uint64_t k = 0; k < c->count; k++) {
        uint64_t v = start + k;
        for (size_t d = len; d-- > 0;) {
            buf[d] = (char)('0' + v % 10);
            v /= 10;
        }
        buf[len] = '\0';
        if (!covers_item_tn(parent, buf, len, spc_any))
            return 0;
    }
    return 1;
}

int clid_tnauth_encompasses(const clid_tnauth *parent, const clid_tnauth *child,
                            int spc_covers_any_tn)
{
    if (parent == NULL || child == NULL || child->n == 0)
        return 0;
    uint64_t walk_budget = CLID_RANGE_WALK_MAX;
    for (size_t i = 0; i < child->n; i++) {
        const struct clid_tnauth_item *c = &child->items[i];
        int ok = 0;
        switch (c->kind) {
        case CLID_TNAUTH_SPC:
            for (size_t j = 0; j < parent->n && !ok; j++)
                ok = parent->items[j].kind == CLID_TNAUTH_SPC &&
                     strcmp(parent->items[j].value, c->value) == 0;
            break;
        case CLID_TNAUTH_TN:
            ok = covers_item_tn(parent, c->value, strlen(c->value), spc_covers_any_tn);
            break;
        case CLID_TNAUTH_RANGE:
            ok = range_encompassed(parent, c, spc_covers_any_tn, &walk_budget);
            break;
        }
        if (!ok)
            return 0;
    }
    return 1;
}
