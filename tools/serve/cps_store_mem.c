/*
 * clid serve: the CPS memory store (cps_store.h), for one replica.
 *
 * A chained hash map (FNV-1a) under one mutex: the work under it is a few
 * string compares, far below a request's token verification. Bounded: at
 * most max_records keys (records and jti entries alike, OOB-SPEC.md), a
 * new key beyond that is CLID_ERR_OOB_STORE_FULL (503) once the expired
 * ones are swept. Expired keys are swept incrementally (a few buckets per
 * call) and all at once when the map is full, so memory follows the live
 * set without a thread of its own.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <clid/clid_oob.h>

#include "serve/cps_store.h"

typedef struct mem_entry {
    int64_t exp;
    char *spc;
    char **pp;
    size_t n;
} mem_entry;

typedef struct mem_node {
    struct mem_node *next;
    int64_t exp;          /* the key's: max of its entries' (a jti: its own) */
    mem_entry *e;         /* record entries, oldest first; NULL for a jti */
    size_t ne;
    char key[];
} mem_node;

typedef struct mem_store {
    cps_store base;
    pthread_mutex_t mu;
    mem_node **b;
    size_t nb;            /* a power of two */
    size_t count, max;
    size_t sweep_at;      /* the next bucket of the incremental sweep */
} mem_store;

#define SWEEP_STEP 4

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static void entry_clear(mem_entry *e)
{
    free(e->spc);
    for (size_t i = 0; i < e->n; i++)
        free(e->pp[i]);
    free(e->pp);
    memset(e, 0, sizeof *e);
}

static void node_free(mem_node *n)
{
    for (size_t i = 0; i < n->ne; i++)
        entry_clear(&n->e[i]);
    free(n->e);
    free(n);
}

/* Unlinks and frees the expired nodes of bucket i. */
static void sweep_bucket(mem_store *m, size_t i, int64_t now)
{
    mem_node **pp = &m->b[i];
    while (*pp != NULL) {
        mem_node *n = *pp;
        if (n->exp <= now) {
            *pp = n->next;
            node_free(n);
            m->count--;
        } else {
            pp = &n->next;
        }
    }
}

static void sweep_some(mem_store *m, int64_t now)
{
    for (int k = 0; k < SWEEP_STEP; k++) {
        sweep_bucket(m, m->sweep_at, now);
        m->sweep_at = (m->sweep_at + 1) & (m->nb - 1);
    }
}

static mem_node *find(mem_store *m, const char *key, int64_t now)
{
    size_t i = (size_t)fnv(key) & (m->nb - 1);
    sweep_bucket(m, i, now); /* an expired key is as good as absent */
    for (mem_node *n = m->b[i]; n != NULL; n = n->next)
        if (strcmp(n->key, key) == 0)
            return n;
    return NULL;
}

/* A new node for key, or NULL with *e: STORE_FULL or NOMEM. */
static mem_node *insert(mem_store *m, const char *key, int64_t now, clid_err *e)
{
    if (m->count >= m->max) {
        for (size_t i = 0; i < m->nb; i++)
            sweep_bucket(m, i, now);
        if (m->count >= m->max) {
            *e = CLID_ERR_OOB_STORE_FULL;
            return NULL;
        }
    }
    size_t len = strlen(key);
    mem_node *n = calloc(1, sizeof *n + len + 1);
    if (n == NULL) {
        *e = CLID_ERR_NOMEM;
        return NULL;
    }
    memcpy(n->key, key, len + 1);
    size_t i = (size_t)fnv(key) & (m->nb - 1);
    n->next = m->b[i];
    m->b[i] = n;
    m->count++;
    return n;
}

static clid_err mem_claim(cps_store *s, const char *key, int64_t now, int64_t ttl)
{
    mem_store *m = (mem_store *)s;
    clid_err e = CLID_OK;
    pthread_mutex_lock(&m->mu);
    sweep_some(m, now);
    if (find(m, key, now) != NULL) {
        e = CLID_ERR_OOB_TOKEN_REPLAY;
    } else {
        mem_node *n = insert(m, key, now, &e);
        if (n != NULL)
            n->exp = now + (ttl > 0 ? ttl : 1);
    }
    pthread_mutex_unlock(&m->mu);
    return e;
}

static clid_err entry_fill(mem_entry *en, int64_t exp, const char *spc, const char *const *pp,
                           size_t n)
{
    en->exp = exp;
    en->spc = strdup(spc ? spc : "");
    en->pp = calloc(n ? n : 1, sizeof *en->pp);
    if (en->spc == NULL || en->pp == NULL) {
        entry_clear(en);
        return CLID_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        if ((en->pp[i] = strdup(pp[i])) == NULL) {
            entry_clear(en);
            return CLID_ERR_NOMEM;
        }
        en->n++;
    }
    return CLID_OK;
}

static clid_err mem_put(cps_store *s, const char *key, int64_t now, int64_t exp, const char *spc,
                        const char *const *pp, size_t n)
{
    mem_store *m = (mem_store *)s;
    mem_entry en;
    memset(&en, 0, sizeof en);
    clid_err e = entry_fill(&en, exp, spc, pp, n);
    if (e != CLID_OK)
        return e;
    pthread_mutex_lock(&m->mu);
    sweep_some(m, now);
    mem_node *nd = find(m, key, now);
    if (nd == NULL)
        nd = insert(m, key, now, &e);
    if (nd != NULL) {
        /* Drop the expired entries, then the oldest beyond the bound (the
         * Redis LTRIM to the last CLID_OOB_MAX_PASSPORTS). */
        size_t w = 0;
        for (size_t i = 0; i < nd->ne; i++) {
            if (nd->e[i].exp > now)
                nd->e[w++] = nd->e[i];
            else
                entry_clear(&nd->e[i]);
        }
        nd->ne = w;
        if (nd->ne == CLID_OOB_MAX_PASSPORTS) {
            entry_clear(&nd->e[0]);
            memmove(nd->e, nd->e + 1, (nd->ne - 1) * sizeof *nd->e);
            nd->ne--;
        }
        if (nd->e == NULL && (nd->e = calloc(CLID_OOB_MAX_PASSPORTS, sizeof *nd->e)) == NULL) {
            e = CLID_ERR_NOMEM;
        } else {
            nd->e[nd->ne++] = en;
            memset(&en, 0, sizeof en);
            if (exp > nd->exp)
                nd->exp = exp;
        }
    }
    pthread_mutex_unlock(&m->mu);
    entry_clear(&en);
    return e;
}

static clid_err mem_get(cps_store *s, const char *key, int64_t now, const char *iss, size_t max,
                        char ***out, size_t *n)
{
    mem_store *m = (mem_store *)s;
    char **v = calloc(max ? max : 1, sizeof *v);
    size_t k = 0;
    clid_err e = CLID_OK;
    *out = NULL;
    *n = 0;
    if (v == NULL)
        return CLID_ERR_NOMEM;
    pthread_mutex_lock(&m->mu);
    sweep_some(m, now);
    mem_node *nd = find(m, key, now);
    for (size_t i = nd ? nd->ne : 0; i-- > 0 && e == CLID_OK;) {
        const mem_entry *en = &nd->e[i];
        if (en->exp <= now || (en->spc[0] != '\0' && (iss == NULL || strcmp(en->spc, iss) != 0)))
            continue;
        for (size_t j = 0; j < en->n; j++)
            if (cps_collect_add(v, &k, max, en->pp[j]) != 0) {
                e = CLID_ERR_NOMEM;
                break;
            }
    }
    pthread_mutex_unlock(&m->mu);
    if (e == CLID_OK && k == 0)
        e = CLID_ERR_OOB_NOT_FOUND;
    if (e != CLID_OK) {
        cps_strings_free(v, k);
        return e;
    }
    *out = v;
    *n = k;
    return CLID_OK;
}

static int mem_healthy(cps_store *s)
{
    (void)s;
    return 1;
}

static void mem_destroy(cps_store *s)
{
    mem_store *m = (mem_store *)s;
    for (size_t i = 0; i < m->nb; i++)
        while (m->b[i] != NULL) {
            mem_node *n = m->b[i];
            m->b[i] = n->next;
            node_free(n);
        }
    free(m->b);
    pthread_mutex_destroy(&m->mu);
    free(m);
}

static const cps_store_ops mem_ops = {mem_claim, mem_put, mem_get, mem_healthy, mem_destroy};

int cps_store_mem_new(size_t max_records, cps_store **out, char *err, size_t cap)
{
    mem_store *m = calloc(1, sizeof *m);
    *out = NULL;
    if (m == NULL || pthread_mutex_init(&m->mu, NULL) != 0) {
        free(m);
        snprintf(err, cap, "oob.cps: cannot create the memory store");
        return -1;
    }
    /* About one key per bucket at the bound, within [1024, 2^20]. */
    size_t nb = 1024;
    while (nb < max_records && nb < ((size_t)1 << 20))
        nb <<= 1;
    m->b = calloc(nb, sizeof *m->b);
    if (m->b == NULL) {
        pthread_mutex_destroy(&m->mu);
        free(m);
        snprintf(err, cap, "oob.cps: out of memory");
        return -1;
    }
    m->nb = nb;
    m->max = max_records;
    m->base.ops = &mem_ops;
    m->base.name = "memory";
    *out = &m->base;
    return 0;
}
