/*
 * The x5u fetcher's cache (fetch_internal.h): bodies by URL in memory, with
 * an expiry; failures for a short time (negative entries); retrievals in
 * flight, so that threads asking for the same URL at once share one
 * transfer; and the optional persistent directory (fetch_disk.c).
 *
 * One mutex guards everything and is never held during a transfer or a
 * file operation: lookups copy what they need and leave. Waiting for an
 * in-flight retrieval uses a condition variable on CLOCK_MONOTONIC, bounded
 * by the caller's wait, so a hung leader cannot hang its followers longer
 * than their own fetch would have taken.
 *
 * Bounds: CACHE_MAX_ENTRIES entries and CACHE_MAX_BYTES of bodies, least
 * recently used evicted first; failures count as entries, so a flood of
 * bad URLs evicts good chains (they are fetched again), never grows memory.
 *
 * Fork: as in certcache.c, every entry point compares getpid() with the pid
 * recorded at creation. A child starts with an empty cache, new lock and
 * condition variable, no retrievals in flight and zero counters.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fetch/fetch_disk.h"
#include "fetch/fetch_internal.h"
#include "core/internal.h"

#define CACHE_MAX_ENTRIES 1024
#define CACHE_MAX_BYTES (8u * 1024 * 1024)
#define N_BUCKETS 512 /* a power of two; chains stay short at CACHE_MAX_ENTRIES */

struct fentry {
    char *url;
    uint8_t *body; /* NULL for a failure */
    size_t len;
    clid_err err;  /* CLID_OK, or the failure being remembered */
    int64_t expires;
    struct fentry *hnext;
    struct fentry *prev; /* LRU: head is the most recently used */
    struct fentry *next;
};

/* A retrieval in flight, shared by its leader and the threads waiting. */
struct inflight {
    char *url;
    int done;
    unsigned refs;
    clid__fresult res; /* valid once done */
    struct inflight *next;
};

struct clid__fcache {
    pthread_mutex_t lock;
    pthread_cond_t cond; /* broadcast when any retrieval ends */
    pid_t pid;
    struct fentry *buckets[N_BUCKETS];
    struct fentry *head;
    struct fentry *tail;
    size_t n;
    size_t bytes;
    struct inflight *flights;
    char *dir;
    unsigned writes; /* disk writes since the last sweep */
    clid_fetcher_stats stats; /* updated atomically */
};

static size_t bucket_of(const char *url)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *url; url++) {
        h ^= (unsigned char)*url;
        h *= 1099511628211ull;
    }
    return (size_t)(h & (N_BUCKETS - 1));
}

static int init_sync(clid__fcache *c)
{
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca) != 0)
        return -1;
    int rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (rc == 0)
        rc = pthread_cond_init(&c->cond, &ca);
    pthread_condattr_destroy(&ca);
    if (rc != 0)
        return -1;
    if (pthread_mutex_init(&c->lock, NULL) != 0) {
        pthread_cond_destroy(&c->cond);
        return -1;
    }
    return 0;
}

static void result_clear(clid__fresult *r)
{
    free(r->body);
    *r = (clid__fresult){0};
}

/* A malloc'd copy of `src` into *dst; CLID_ERR_NOMEM leaves *dst an error. */
static void result_copy(clid__fresult *dst, const clid__fresult *src)
{
    *dst = *src;
    dst->body = NULL;
    if (src->err != CLID_OK)
        return;
    dst->body = malloc(src->len ? src->len : 1);
    if (dst->body == NULL) {
        *dst = (clid__fresult){.err = CLID_ERR_NOMEM};
        return;
    }
    memcpy(dst->body, src->body, src->len);
}

/* ------------------------------------------------------------------------ */
/* Entries (caller holds the lock)                                           */
/* ------------------------------------------------------------------------ */

static void entry_free(struct fentry *e)
{
    free(e->url);
    free(e->body);
    free(e);
}

static struct fentry *find(clid__fcache *c, const char *url)
{
    for (struct fentry *e = c->buckets[bucket_of(url)]; e; e = e->hnext)
        if (strcmp(e->url, url) == 0)
            return e;
    return NULL;
}

static void lru_unlink(clid__fcache *c, struct fentry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    e->prev = e->next = NULL;
}

static void lru_front(clid__fcache *c, struct fentry *e)
{
    e->prev = NULL;
    e->next = c->head;
    if (c->head)
        c->head->prev = e;
    c->head = e;
    if (c->tail == NULL)
        c->tail = e;
}

/* Unlinks `e` and pushes it on *grave (through `next`) to be freed after
 * the lock is released. */
static void detach(clid__fcache *c, struct fentry *e, struct fentry **grave)
{
    for (struct fentry **p = &c->buckets[bucket_of(e->url)]; *p; p = &(*p)->hnext)
        if (*p == e) {
            *p = e->hnext;
            break;
        }
    lru_unlink(c, e);
    c->n--;
    c->bytes -= e->len;
    e->next = *grave;
    *grave = e;
}

static void bury(struct fentry *grave)
{
    while (grave) {
        struct fentry *e = grave;
        grave = e->next;
        entry_free(e);
    }
}

static void insert(clid__fcache *c, struct fentry *e, struct fentry **grave)
{
    struct fentry *old = find(c, e->url);
    if (old != NULL)
        detach(c, old, grave);
    size_t b = bucket_of(e->url);
    e->hnext = c->buckets[b];
    c->buckets[b] = e;
    lru_front(c, e);
    c->n++;
    c->bytes += e->len;
    while ((c->n > CACHE_MAX_ENTRIES || c->bytes > CACHE_MAX_BYTES) && c->tail != NULL)
        detach(c, c->tail, grave);
}

static struct inflight *find_flight(clid__fcache *c, const char *url)
{
    for (struct inflight *f = c->flights; f; f = f->next)
        if (strcmp(f->url, url) == 0)
            return f;
    return NULL;
}

static void flight_unlink(clid__fcache *c, struct inflight *f)
{
    for (struct inflight **p = &c->flights; *p; p = &(*p)->next)
        if (*p == f) {
            *p = f->next;
            break;
        }
}

static void flight_unref(struct inflight *f)
{
    if (--f->refs > 0)
        return;
    free(f->url);
    result_clear(&f->res);
    free(f);
}

/* ------------------------------------------------------------------------ */
/* Fork awareness                                                            */
/* ------------------------------------------------------------------------ */

static void drop_all(clid__fcache *c, struct fentry **grave)
{
    for (struct fentry *e = c->head, *nx; e; e = nx) {
        nx = e->next;
        e->next = *grave;
        *grave = e;
    }
    c->head = c->tail = NULL;
    memset(c->buckets, 0, sizeof c->buckets);
    c->n = 0;
    c->bytes = 0;
}

/*
 * See certcache.c check_fork. In the child, retrievals in flight belong to
 * threads that do not exist here: the list is abandoned (a small leak in
 * the child, never a wait for a leader that will not finish). If another
 * thread of the parent held the lock, the entries may be half-linked and
 * are abandoned too.
 */
static void check_fork(clid__fcache *c)
{
    pid_t me = getpid();
    for (;;) {
        pid_t seen = __atomic_load_n(&c->pid, __ATOMIC_ACQUIRE);
        if (seen == me)
            return;
        if (seen == -me) {
            sched_yield();
            continue;
        }
        if (__atomic_compare_exchange_n(&c->pid, &seen, -me, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            break;
    }
    struct fentry *grave = NULL;
    if (pthread_mutex_trylock(&c->lock) == 0) {
        drop_all(c, &grave);
        pthread_mutex_unlock(&c->lock);
    } else {
        c->head = c->tail = NULL;
        memset(c->buckets, 0, sizeof c->buckets);
        c->n = 0;
        c->bytes = 0;
    }
    /* Waiters of the parent may have been inside pthread_cond_wait: the
     * condition variable is as suspect as the lock. */
    (void)init_sync(c);
    c->flights = NULL;
    memset(&c->stats, 0, sizeof c->stats);
    __atomic_store_n(&c->pid, me, __ATOMIC_RELEASE);
    bury(grave);
}

/* ------------------------------------------------------------------------ */
/* API                                                                       */
/* ------------------------------------------------------------------------ */

clid_err clid__fcache_new(clid__fcache **out)
{
    CLID_ENSURE(out != NULL, CLID_ERR_INVALID_ARGUMENT);
    clid__fcache *c = calloc(1, sizeof *c);
    CLID_ENSURE(c != NULL, CLID_ERR_NOMEM);
    if (init_sync(c) != 0) {
        free(c);
        return CLID_ERR_NOMEM;
    }
    c->pid = getpid();
    *out = c;
    return CLID_OK;
}

void clid__fcache_free(clid__fcache *c)
{
    if (c == NULL)
        return;
    check_fork(c);
    struct fentry *grave = NULL;
    drop_all(c, &grave);
    bury(grave);
    /* Retrievals in flight at free time are a caller bug (free while in
     * use); their memory goes with the waiters' references. */
    pthread_cond_destroy(&c->cond);
    pthread_mutex_destroy(&c->lock);
    free(c->dir);
    free(c);
}

clid_err clid__fcache_set_dir(clid__fcache *c, const char *dir)
{
    CLID_ENSURE(c != NULL, CLID_ERR_INVALID_ARGUMENT);
    char *copy = NULL;
    if (dir != NULL) {
        CLID_TRY(clid__fdisk_prepare(dir));
        copy = clid__strndup(dir, strlen(dir));
        CLID_ENSURE(copy != NULL, CLID_ERR_NOMEM);
    }
    free(c->dir);
    c->dir = copy;
    return CLID_OK;
}

static void add(uint64_t *counter, uint64_t v)
{
    if (v != 0)
        __atomic_add_fetch(counter, v, __ATOMIC_RELAXED);
}

void clid__fcache_count(clid__fcache *c, clid_fetcher_stats *d)
{
    check_fork(c);
    add(&c->stats.requests, d->requests);
    add(&c->stats.cache_hits, d->cache_hits);
    add(&c->stats.negative_hits, d->negative_hits);
    add(&c->stats.failures, d->failures);
}

void clid__fcache_stats(const clid__fcache *c, clid_fetcher_stats *out)
{
    /* A child that has not fetched yet has not reset the counters: they
     * are its parent's, and it has none of its own. */
    if (__atomic_load_n(&c->pid, __ATOMIC_ACQUIRE) != getpid()) {
        memset(out, 0, sizeof *out);
        return;
    }
    out->requests = __atomic_load_n(&c->stats.requests, __ATOMIC_RELAXED);
    out->cache_hits = __atomic_load_n(&c->stats.cache_hits, __ATOMIC_RELAXED);
    out->negative_hits = __atomic_load_n(&c->stats.negative_hits, __ATOMIC_RELAXED);
    out->failures = __atomic_load_n(&c->stats.failures, __ATOMIC_RELAXED);
}

/* Waits (lock held) until `f` is done or wait_ms have passed. */
static void wait_for(clid__fcache *c, struct inflight *f, unsigned wait_ms)
{
    struct timespec dl;
    clock_gettime(CLOCK_MONOTONIC, &dl);
    dl.tv_sec += wait_ms / 1000;
    dl.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
    if (dl.tv_nsec >= 1000000000L) {
        dl.tv_sec++;
        dl.tv_nsec -= 1000000000L;
    }
    while (!f->done)
        if (pthread_cond_timedwait(&c->cond, &c->lock, &dl) == ETIMEDOUT)
            break;
}

/* Publishes a result (lock taken here): the cache entry `e` (may be NULL),
 * and the in-flight record's copy for its waiters. */
static void publish(clid__fcache *c, const char *url, struct fentry *e, const clid__fresult *res)
{
    clid__fresult copy;
    result_copy(&copy, res); /* before locking: waiters' copy */
    struct fentry *grave = NULL;
    pthread_mutex_lock(&c->lock);
    if (e != NULL)
        insert(c, e, &grave);
    struct inflight *f = find_flight(c, url);
    if (f != NULL && !f->done) {
        f->res = copy;
        copy = (clid__fresult){0};
        f->done = 1;
        flight_unlink(c, f);
        pthread_cond_broadcast(&c->cond);
        flight_unref(f); /* the leader's reference */
    }
    pthread_mutex_unlock(&c->lock);
    result_clear(&copy);
    bury(grave);
}

static struct fentry *new_entry(const char *url, const clid__fresult *res, int64_t expires)
{
    struct fentry *e = calloc(1, sizeof *e);
    if (e == NULL)
        return NULL;
    e->url = clid__strndup(url, strlen(url));
    e->err = res->err;
    e->expires = expires;
    if (res->err == CLID_OK) {
        e->body = malloc(res->len ? res->len : 1);
        e->len = res->len;
        if (e->body != NULL)
            memcpy(e->body, res->body, res->len);
    }
    if (e->url == NULL || (res->err == CLID_OK && e->body == NULL)) {
        entry_free(e);
        return NULL; /* out of memory: simply not cached */
    }
    return e;
}

/* Memory lookup under the lock; returns 1 with *st set when answered. */
static int lookup_memory(clid__fcache *c, const char *url, int64_t now, clid__fresult *res,
                         enum clid__fc_state *st, struct fentry **grave)
{
    struct fentry *e = find(c, url);
    if (e == NULL)
        return 0;
    if (e->expires <= now) {
        detach(c, e, grave);
        return 0;
    }
    lru_unlink(c, e);
    lru_front(c, e);
    if (e->err != CLID_OK) {
        res->err = CLID_ERR_X5U_NEGATIVE_CACHED;
        *st = CLID__FC_NEGATIVE;
        return 1;
    }
    clid__fresult hit = {.err = CLID_OK, .body = e->body, .len = e->len,
                         .max_age = e->expires - now};
    result_copy(res, &hit);
    *st = CLID__FC_HIT;
    return 1;
}

enum clid__fc_state clid__fcache_begin(clid__fcache *c, const char *url, int64_t now,
                                       unsigned wait_ms, clid__fresult *res)
{
    *res = (clid__fresult){.max_age = -1};
    check_fork(c);
    enum clid__fc_state st = CLID__FC_LEAD;
    struct fentry *grave = NULL;
    /* Allocated before locking; unused when someone else leads. */
    struct inflight *mine = calloc(1, sizeof *mine);
    if (mine != NULL && (mine->url = clid__strndup(url, strlen(url))) == NULL) {
        free(mine);
        mine = NULL;
    }

    pthread_mutex_lock(&c->lock);
    if (lookup_memory(c, url, now, res, &st, &grave)) {
        /* answered from memory */
    } else {
        struct inflight *f = find_flight(c, url);
        if (f != NULL) {
            f->refs++;
            wait_for(c, f, wait_ms);
            if (f->done)
                result_copy(res, &f->res);
            else
                *res = (clid__fresult){.err = CLID_ERR_X5U_TIMEOUT, .max_age = -1};
            flight_unref(f);
            st = CLID__FC_JOINED;
        } else if (mine != NULL) {
            mine->refs = 1;
            mine->next = c->flights;
            c->flights = mine;
            mine = NULL;
        }
    }
    pthread_mutex_unlock(&c->lock);
    bury(grave);
    if (mine != NULL) {
        free(mine->url);
        free(mine);
    }
    if (st != CLID__FC_LEAD || c->dir == NULL)
        return st;

    /* Leading: the persistent directory may have it (another process, or
     * this one before a restart). */
    uint8_t *body = NULL;
    size_t len = 0;
    int64_t expires = 0;
    if (clid__fdisk_read(c->dir, url, now, &body, &len, &expires) != CLID_OK)
        return CLID__FC_LEAD;
    clid__fresult disk = {.err = CLID_OK, .body = body, .len = len, .max_age = expires - now};
    publish(c, url, new_entry(url, &disk, expires), &disk);
    *res = disk;
    return CLID__FC_HIT;
}

void clid__fcache_finish(clid__fcache *c, const char *url, const clid__fresult *res,
                         int64_t now, int64_t expires, unsigned neg_ttl, int no_store)
{
    check_fork(c);
    struct fentry *e = NULL;
    if (res->err == CLID_OK && expires > now)
        e = new_entry(url, res, expires);
    else if (res->err != CLID_OK && neg_ttl > 0)
        e = new_entry(url, res, now + neg_ttl);
    publish(c, url, e, res);

    if (res->err != CLID_OK || expires <= now || no_store || c->dir == NULL)
        return;
    clid__fdisk_write(c->dir, url, res->body, res->len, expires);
    /* Expired files are removed when read; a sweep now and then removes
     * those of URLs never asked for again, so the directory stays bounded
     * by what was fetched within the longest TTL. */
    if (__atomic_add_fetch(&c->writes, 1, __ATOMIC_RELAXED) % 64 == 0)
        clid__fdisk_sweep(c->dir, now);
}
