/*
 * The verifier's cache of validated intermediates (issuer_cache.h): a small
 * array of entries (a handful of intermediates sign most calls), least
 * recently used out, under one mutex. Lookups compare 32-byte hashes over
 * at most max_entries entries: no attacker-chosen key decides the work.
 *
 * Fork: as in certcache.c, every entry point compares getpid() with the pid
 * recorded; the first call in a new process re-creates the lock (when a
 * thread of the parent held it the entries are abandoned: a leak in the
 * child, never a crash) and empties the cache.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "core/internal.h"
#include "x509/issuer_cache.h"

struct clid__issuer_cache {
    pthread_mutex_t lock;
    pid_t pid;
    size_t max;
    size_t n;
    clid__issuer **e;       /* n entries */
    uint64_t *used;         /* last use, per entry */
    uint64_t clock;
    unsigned long fast_hits; /* atomic */
};

static void entry_free(clid__issuer *e)
{
    if (e == NULL)
        return;
    for (int i = 0; i < e->n; i++)
        X509_free(e->upper[i]);
    X509_STORE_free(e->anchor);
    free(e);
}

void clid__issuer_release(clid__issuer *e)
{
    if (e != NULL && __atomic_sub_fetch(&e->refs, 1, __ATOMIC_ACQ_REL) == 0)
        entry_free(e);
}

static void check_fork(clid__issuer_cache *ic)
{
    pid_t me = getpid();
    for (;;) {
        pid_t seen = __atomic_load_n(&ic->pid, __ATOMIC_ACQUIRE);
        if (seen == me)
            return;
        if (seen == -me) {
            sched_yield();
            continue;
        }
        if (__atomic_compare_exchange_n(&ic->pid, &seen, -me, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            break;
    }
    size_t n = 0;
    clid__issuer **old = NULL;
    if (pthread_mutex_trylock(&ic->lock) == 0) {
        n = ic->n;
        old = ic->e;
        ic->e = NULL;
        ic->n = 0;
        free(ic->used);
        ic->used = NULL;
        pthread_mutex_unlock(&ic->lock);
    } else {
        (void)pthread_mutex_init(&ic->lock, NULL);
        ic->e = NULL; /* abandoned: possibly half-updated */
        ic->used = NULL;
        ic->n = 0;
    }
    /* The arrays are reallocated on the next put. */
    __atomic_store_n(&ic->pid, me, __ATOMIC_RELEASE);
    for (size_t i = 0; i < n; i++)
        clid__issuer_release(old[i]);
    free(old);
}

clid_err clid__issuer_cache_new(size_t max_entries, clid__issuer_cache **out)
{
    CLID_ENSURE(out != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out = NULL;
    clid__issuer_cache *ic = calloc(1, sizeof *ic);
    if (ic == NULL)
        return CLID_ERR_NOMEM;
    if (pthread_mutex_init(&ic->lock, NULL) != 0) {
        free(ic);
        return CLID_ERR_NOMEM;
    }
    ic->max = max_entries;
    ic->pid = getpid();
    *out = ic;
    return CLID_OK;
}

/* Takes every entry out under the lock; the caller releases them. */
static clid__issuer **take_all(clid__issuer_cache *ic, size_t *n)
{
    pthread_mutex_lock(&ic->lock);
    clid__issuer **e = ic->e;
    *n = ic->n;
    ic->e = NULL;
    ic->n = 0;
    free(ic->used);
    ic->used = NULL;
    pthread_mutex_unlock(&ic->lock);
    return e;
}

void clid__issuer_cache_clear(clid__issuer_cache *ic)
{
    if (ic == NULL)
        return;
    check_fork(ic);
    size_t n = 0;
    clid__issuer **e = take_all(ic, &n);
    for (size_t i = 0; i < n; i++)
        clid__issuer_release(e[i]);
    free(e);
}

void clid__issuer_cache_set_max(clid__issuer_cache *ic, size_t max_entries)
{
    if (ic == NULL)
        return;
    check_fork(ic);
    size_t n = 0;
    pthread_mutex_lock(&ic->lock);
    ic->max = max_entries; /* take_all reallocates nothing: the next put does */
    pthread_mutex_unlock(&ic->lock);
    clid__issuer **e = take_all(ic, &n);
    for (size_t i = 0; i < n; i++)
        clid__issuer_release(e[i]);
    free(e);
}

void clid__issuer_cache_free(clid__issuer_cache *ic)
{
    if (ic == NULL)
        return;
    clid__issuer_cache_clear(ic);
    pthread_mutex_destroy(&ic->lock);
    free(ic);
}

clid__issuer *clid__issuer_cache_find(clid__issuer_cache *ic, const uint8_t h[32],
                                      unsigned generation, int64_t at)
{
    if (ic == NULL)
        return NULL;
    check_fork(ic);
    clid__issuer *found = NULL;
    pthread_mutex_lock(&ic->lock);
    for (size_t i = 0; i < ic->n; i++) {
        clid__issuer *e = ic->e[i];
        if (e->generation == generation && e->from <= at && at <= e->until &&
            memcmp(e->hash[0], h, 32) == 0) {
            found = e;
            __atomic_add_fetch(&e->refs, 1, __ATOMIC_RELAXED);
            ic->used[i] = ++ic->clock;
            break;
        }
    }
    pthread_mutex_unlock(&ic->lock);
    return found;
}

X509 *clid__issuer_cache_cert(clid__issuer_cache *ic, const uint8_t h[32])
{
    if (ic == NULL)
        return NULL;
    check_fork(ic);
    X509 *x = NULL;
    pthread_mutex_lock(&ic->lock);
    for (size_t i = 0; i < ic->n && x == NULL; i++)
        for (int j = 0; j < ic->e[i]->n; j++)
            if (memcmp(ic->e[i]->hash[j], h, 32) == 0) {
                x = ic->e[i]->upper[j];
                X509_up_ref(x);
                break;
            }
    pthread_mutex_unlock(&ic->lock);
    return x;
}

/* Constraints that OpenSSL applies from a certificate to every certificate
 * below it, which a partial chain ending at the intermediate would not
 * apply to a new leaf: RFC 5280 §4.2.1.10 (name constraints), §4.2.1.11,
 * §4.2.1.5, §4.2.1.14 (policies; OpenSSL processes them when asked to). */
static int constrains_below(X509 *x)
{
    static const int nids[] = {NID_name_constraints, NID_policy_constraints,
                               NID_policy_mappings, NID_inhibit_any_policy};
    for (size_t i = 0; i < CLID_ARRAY_LEN(nids); i++)
        if (X509_get_ext_by_NID(x, nids[i], -1) >= 0)
            return 1;
    return 0;
}

static clid__issuer *entry_new(STACK_OF(X509) *chain, unsigned generation, int64_t from,
                               int64_t until, unsigned dev, unsigned unchecked)
{
    int n = sk_X509_num(chain) - 1;
    if (n < 2 || n > CLID__CRL_PATH_MAX)
        return NULL;
    for (int i = 2; i <= n; i++)
        if (constrains_below(sk_X509_value(chain, i)))
            return NULL;
    clid__issuer *e = calloc(1, sizeof *e);
    if (e == NULL)
        return NULL;
    e->refs = 1;
    for (int i = 0; i < n; i++) {
        X509 *x = sk_X509_value(chain, i + 1);
        unsigned int len = 0;
        if (X509_digest(x, EVP_sha256(), e->hash[i], &len) != 1 || len != 32) {
            entry_free(e);
            return NULL;
        }
        X509_up_ref(x);
        e->upper[e->n++] = x;
    }
    e->anchor = X509_STORE_new();
    if (e->anchor == NULL || X509_STORE_add_cert(e->anchor, e->upper[0]) != 1) {
        entry_free(e);
        return NULL;
    }
    e->generation = generation;
    e->from = from;
    e->until = until;
    e->dev = dev;
    e->unchecked = unchecked & ~1u;
    return e;
}

void clid__issuer_cache_put(clid__issuer_cache *ic, STACK_OF(X509) *chain, unsigned generation,
                            int64_t from, int64_t until, unsigned dev, unsigned unchecked)
{
    if (ic == NULL || chain == NULL)
        return;
    check_fork(ic);
    if (ic->max == 0)
        return;
    clid__issuer *ne = entry_new(chain, generation, from, until, dev, unchecked);
    if (ne == NULL)
        return; /* not cacheable, or out of memory: the full validation stays */
    clid__issuer *gone = NULL;
    pthread_mutex_lock(&ic->lock);
    size_t slot = ic->n;
    for (size_t i = 0; i < ic->n; i++)
        if (memcmp(ic->e[i]->hash[0], ne->hash[0], 32) == 0) {
            slot = i; /* the same intermediate: the newer validation replaces it */
            break;
        }
    if (slot == ic->n && ic->n >= ic->max) {
        slot = 0;
        for (size_t i = 1; i < ic->n; i++)
            if (ic->used[i] < ic->used[slot])
                slot = i;
    }
    if (slot == ic->n) {
        if (ic->e == NULL) {
            ic->e = calloc(ic->max, sizeof *ic->e);
            ic->used = calloc(ic->max, sizeof *ic->used);
        }
        if (ic->e == NULL || ic->used == NULL) {
            pthread_mutex_unlock(&ic->lock);
            clid__issuer_release(ne);
            return;
        }
        ic->n++;
    } else {
        gone = ic->e[slot];
    }
    ic->e[slot] = ne;
    ic->used[slot] = ++ic->clock;
    pthread_mutex_unlock(&ic->lock);
    clid__issuer_release(gone);
}

size_t clid__issuer_cache_size(clid__issuer_cache *ic)
{
    if (ic == NULL)
        return 0;
    check_fork(ic);
    pthread_mutex_lock(&ic->lock);
    size_t n = ic->n;
    pthread_mutex_unlock(&ic->lock);
    return n;
}

unsigned long clid__issuer_cache_fast_hits(clid__issuer_cache *ic)
{
    return ic == NULL ? 0 : __atomic_load_n(&ic->fast_hits, __ATOMIC_RELAXED);
}

void clid__issuer_cache_count_hit(clid__issuer_cache *ic)
{
    if (ic != NULL)
        __atomic_add_fetch(&ic->fast_hits, 1, __ATOMIC_RELAXED);
}
