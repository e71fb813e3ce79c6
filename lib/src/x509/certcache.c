/*
 * The verifier's certificate cache (certcache.h): two chained hash indexes
 * (x5u URL; SHA-256 of the chain bytes) over one set of entries, kept in
 * least-recently-used order and bounded, under one mutex.
 *
 * Keys: an entry put with a URL is found by that URL (until it expires) and
 * by its chain hash; an entry put without one (a chain given by the caller
 * or by the offline map) only by its hash. A put replaces the entry with the
 * same key (the URL, else the hash among URL-less entries).
 *
 * Fork: forking workers (Kamailio, OpenSIPS) inherit the parent's cache,
 * possibly with its mutex held by a thread that does not exist in the child.
 * Every entry point compares getpid() with the pid recorded at creation;
 * the first call in a new process re-creates the lock and empties the cache.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "x509/certcache.h"
#include "core/internal.h"

#define MIN_BUCKETS 16

struct entry {
    char *url; /* NULL: hash-only */
    clid__signer_cert *cert;
    int64_t expires;
    struct entry *url_next;  /* bucket chain in the URL index */
    struct entry *hash_next; /* bucket chain in the hash index */
    struct entry *prev;      /* LRU list: head is the most recently used */
    struct entry *next;
};

struct clid__cert_cache {
    pthread_mutex_t lock;
    pid_t pid;
    size_t max;
    size_t n;
    size_t n_buckets; /* a power of two, for both indexes */
    struct entry **url_idx;
    struct entry **hash_idx;
    struct entry *head;
    struct entry *tail;
};

/* FNV-1a. URLs come from Identity headers, so an attacker could aim at one
 * bucket; the cache is bounded, so the worst case is a scan of max_entries
 * short strings, not unbounded work. */
static size_t url_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return (size_t)h;
}

/* The chain hash is already uniformly distributed: use its first bytes. */
static size_t chain_hash(const uint8_t hash[32])
{
    uint64_t h;
    memcpy(&h, hash, sizeof h);
    return (size_t)h;
}

static struct entry **url_slot(clid__cert_cache *cc, const char *url)
{
    return &cc->url_idx[url_hash(url) & (cc->n_buckets - 1)];
}

static struct entry **hash_slot(clid__cert_cache *cc, const uint8_t hash[32])
{
    return &cc->hash_idx[chain_hash(hash) & (cc->n_buckets - 1)];
}

/* ------------------------------------------------------------------------ */
/* LRU list and indexes (caller holds the lock)                              */
/* ------------------------------------------------------------------------ */

static void lru_unlink(clid__cert_cache *cc, struct entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        cc->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        cc->tail = e->prev;
    e->prev = e->next = NULL;
}

static void lru_push_front(clid__cert_cache *cc, struct entry *e)
{
    e->prev = NULL;
    e->next = cc->head;
    if (cc->head)
        cc->head->prev = e;
    cc->head = e;
    if (cc->tail == NULL)
        cc->tail = e;
}

static void touch(clid__cert_cache *cc, struct entry *e)
{
    if (cc->head != e) {
        lru_unlink(cc, e);
        lru_push_front(cc, e);
    }
}

static void index_insert(clid__cert_cache *cc, struct entry *e)
{
    if (e->url) {
        struct entry **s = url_slot(cc, e->url);
        e->url_next = *s;
        *s = e;
    }
    struct entry **h = hash_slot(cc, e->cert->chain_hash);
    e->hash_next = *h;
    *h = e;
}

static void index_remove(clid__cert_cache *cc, struct entry *e)
{
    if (e->url) {
        for (struct entry **p = url_slot(cc, e->url); *p; p = &(*p)->url_next)
            if (*p == e) {
                *p = e->url_next;
                break;
            }
    }
    for (struct entry **p = hash_slot(cc, e->cert->chain_hash); *p; p = &(*p)->hash_next)
        if (*p == e) {
            *p = e->hash_next;
            break;
        }
}

/* Unlinks `e` from everything and pushes it on `graveyard` (linked through
 * `next`), to be freed after the lock is released: releasing a certificate
 * frees OpenSSL objects, which need not hold up other threads. */
static void detach(clid__cert_cache *cc, struct entry *e, struct entry **graveyard)
{
    index_remove(cc, e);
    lru_unlink(cc, e);
    cc->n--;
    e->next = *graveyard;
    *graveyard = e;
}

static void bury(struct entry *graveyard)
{
    while (graveyard) {
        struct entry *e = graveyard;
        graveyard = e->next;
        clid__signer_cert_release(e->cert);
        free(e->url);
        free(e);
    }
}

static void evict_to(clid__cert_cache *cc, size_t max, struct entry **graveyard)
{
    while (cc->n > max && cc->tail)
        detach(cc, cc->tail, graveyard);
}

/* Doubles the indexes when the load factor passes 1. A failed allocation
 * only leaves longer chains. */
static void maybe_grow(clid__cert_cache *cc)
{
    if (cc->n < cc->n_buckets || cc->n_buckets > SIZE_MAX / 2 / sizeof(struct entry *))
        return;
    size_t nb = cc->n_buckets * 2;
    struct entry **u = calloc(nb, sizeof *u);
    struct entry **h = calloc(nb, sizeof *h);
    if (u == NULL || h == NULL) {
        free(u);
        free(h);
        return;
    }
    free(cc->url_idx);
    free(cc->hash_idx);
    cc->url_idx = u;
    cc->hash_idx = h;
    cc->n_buckets = nb;
    for (struct entry *e = cc->head; e; e = e->next)
        index_insert(cc, e);
}

static struct entry *find_url(clid__cert_cache *cc, const char *url)
{
    for (struct entry *e = *url_slot(cc, url); e; e = e->url_next)
        if (strcmp(e->url, url) == 0)
            return e;
    return NULL;
}

/* An entry with this hash; with `url_less`, only among entries put without
 * a URL. Entries with equal hashes were parsed from equal bytes, so any one
 * will do. */
static struct entry *find_hash(clid__cert_cache *cc, const uint8_t hash[32], int url_less)
{
    for (struct entry *e = *hash_slot(cc, hash); e; e = e->hash_next)
        if (memcmp(e->cert->chain_hash, hash, 32) == 0 && !(url_less && e->url))
            return e;
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Fork awareness                                                            */
/* ------------------------------------------------------------------------ */

static void drop_all_unlocked(clid__cert_cache *cc, struct entry **graveyard)
{
    for (struct entry *e = cc->head, *nx; e; e = nx) {
        nx = e->next;
        e->next = *graveyard;
        *graveyard = e;
    }
    cc->head = cc->tail = NULL;
    cc->n = 0;
    memset(cc->url_idx, 0, cc->n_buckets * sizeof *cc->url_idx);
    memset(cc->hash_idx, 0, cc->n_buckets * sizeof *cc->hash_idx);
}

/*
 * Called without the lock at every entry point. In a forked child only the
 * forking thread exists. If the inherited mutex is free, the structure is
 * consistent and its entries are released properly; if another thread of
 * the parent held it, the lists may be half-updated, so they are abandoned
 * (a leak in the child, never a crash) and the mutex is re-created.
 *
 * The child may start threads before it first uses the cache: one of them
 * claims the reset by setting pid to the negated new pid, the others wait
 * for it. A negated pid of another process is a reset that a fork
 * interrupted in an ancestor, and is claimed again.
 */
static void check_fork(clid__cert_cache *cc)
{
    pid_t me = getpid();
    for (;;) {
        pid_t seen = __atomic_load_n(&cc->pid, __ATOMIC_ACQUIRE);
        if (seen == me)
            return;
        if (seen == -me) {
            sched_yield();
            continue;
        }
        if (__atomic_compare_exchange_n(&cc->pid, &seen, -me, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            break;
    }
    struct entry *graveyard = NULL;
    if (pthread_mutex_trylock(&cc->lock) == 0) {
        drop_all_unlocked(cc, &graveyard);
        pthread_mutex_unlock(&cc->lock);
    } else {
        (void)pthread_mutex_init(&cc->lock, NULL);
        cc->head = cc->tail = NULL;
        cc->n = 0;
        memset(cc->url_idx, 0, cc->n_buckets * sizeof *cc->url_idx);
        memset(cc->hash_idx, 0, cc->n_buckets * sizeof *cc->hash_idx);
    }
    __atomic_store_n(&cc->pid, me, __ATOMIC_RELEASE);
    bury(graveyard);
}

/* ------------------------------------------------------------------------ */
/* API                                                                       */
/* ------------------------------------------------------------------------ */

clid_err clid__cert_cache_new(size_t max_entries, clid__cert_cache **out)
{
    CLID_ENSURE(out != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out = NULL;
    clid__cert_cache *cc = calloc(1, sizeof *cc);
    if (cc == NULL)
        return CLID_ERR_NOMEM;
    cc->n_buckets = MIN_BUCKETS;
    cc->url_idx = calloc(cc->n_buckets, sizeof *cc->url_idx);
    cc->hash_idx = calloc(cc->n_buckets, sizeof *cc->hash_idx);
    if (cc->url_idx == NULL || cc->hash_idx == NULL || pthread_mutex_init(&cc->lock, NULL) != 0) {
        free(cc->url_idx);
        free(cc->hash_idx);
        free(cc);
        return CLID_ERR_NOMEM;
    }
    cc->max = max_entries;
    cc->pid = getpid();
    *out = cc;
    return CLID_OK;
}

void clid__cert_cache_free(clid__cert_cache *cc)
{
    if (cc == NULL)
        return;
    check_fork(cc);
    struct entry *graveyard = NULL;
    drop_all_unlocked(cc, &graveyard);
    bury(graveyard);
    pthread_mutex_destroy(&cc->lock);
    free(cc->url_idx);
    free(cc->hash_idx);
    free(cc);
}

void clid__cert_cache_clear(clid__cert_cache *cc)
{
    if (cc == NULL)
        return;
    check_fork(cc);
    struct entry *graveyard = NULL;
    pthread_mutex_lock(&cc->lock);
    drop_all_unlocked(cc, &graveyard);
    pthread_mutex_unlock(&cc->lock);
    bury(graveyard);
}

clid_err clid__cert_cache_set_max(clid__cert_cache *cc, size_t max_entries)
{
    CLID_ENSURE(cc != NULL, CLID_ERR_INVALID_ARGUMENT);
    check_fork(cc);
    struct entry *graveyard = NULL;
    pthread_mutex_lock(&cc->lock);
    cc->max = max_entries;
    evict_to(cc, max_entries, &graveyard);
    pthread_mutex_unlock(&cc->lock);
    bury(graveyard);
    return CLID_OK;
}

clid__signer_cert *clid__cert_cache_get_url(clid__cert_cache *cc, const char *url, int64_t now)
{
    if (cc == NULL || url == NULL)
        return NULL;
    check_fork(cc);
    clid__signer_cert *c = NULL;
    struct entry *graveyard = NULL;
    pthread_mutex_lock(&cc->lock);
    struct entry *e = find_url(cc, url);
    if (e != NULL && e->expires > now) {
        touch(cc, e);
        c = e->cert;
        clid__signer_cert_ref(c);
    } else if (e != NULL) {
        /* Stale: the caller is about to fetch and put a fresh one. */
        detach(cc, e, &graveyard);
    }
    pthread_mutex_unlock(&cc->lock);
    bury(graveyard);
    return c;
}

clid__signer_cert *clid__cert_cache_get_hash(clid__cert_cache *cc, const uint8_t hash[32])
{
    if (cc == NULL || hash == NULL)
        return NULL;
    check_fork(cc);
    clid__signer_cert *c = NULL;
    pthread_mutex_lock(&cc->lock);
    /* No expiry here: the same bytes always parse to the same chain, and its
     * validity at a given time is clid__signer_cert_validate's question. */
    struct entry *e = find_hash(cc, hash, 0);
    if (e != NULL) {
        touch(cc, e);
        c = e->cert;
        clid__signer_cert_ref(c);
    }
    pthread_mutex_unlock(&cc->lock);
    return c;
}

void clid__cert_cache_put(clid__cert_cache *cc, const char *url, clid__signer_cert *c,
                          int64_t expires)
{
    if (cc == NULL || c == NULL)
        return;
    check_fork(cc);
    /* Allocate before locking; a failure just means not caching. */
    struct entry *ne = calloc(1, sizeof *ne);
    char *u = url ? clid__strndup(url, strlen(url)) : NULL;
    if (ne == NULL || (url != NULL && u == NULL)) {
        free(ne);
        free(u);
        return;
    }
    ne->url = u;
    ne->cert = c;
    ne->expires = expires;
    clid__signer_cert_ref(c);

    struct entry *graveyard = NULL;
    pthread_mutex_lock(&cc->lock);
    if (cc->max == 0) {
        /* Caching disabled: nothing is kept. */
        ne->next = graveyard;
        graveyard = ne;
    } else {
        struct entry *old = url ? find_url(cc, url) : find_hash(cc, c->chain_hash, 1);
        if (old != NULL)
            detach(cc, old, &graveyard);
        index_insert(cc, ne);
        lru_push_front(cc, ne);
        cc->n++;
        evict_to(cc, cc->max, &graveyard);
        maybe_grow(cc);
    }
    pthread_mutex_unlock(&cc->lock);
    bury(graveyard);
}
