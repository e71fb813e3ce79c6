/*
 * The verifier's cache of fetched CRLs (crl_store.h): a short list of URLs
 * (SHAKEN has one), most recently used first, under one mutex that is never
 * held during a fetch or a parse.
 *
 * Refresh on demand: an entry answers until its `due` time; the first
 * verification after it fetches in its own thread while the others keep the
 * CRL the entry holds (stale-while-revalidate); without a CRL yet, they
 * fetch too, and the fetcher (fetch_cache.c) makes them share its one
 * transfer. A fetched CRL replaces the held one unless it is older (a
 * server that went back in time); a failed fetch keeps the held one, and
 * whether that one is still current is the check's question (crl_check.c).
 *
 * Fork: as in certcache.c, the first call in a new process drops what it
 * inherited (abandoning it if another thread held the lock at fork time)
 * and re-creates the lock; counters restart at zero.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/internal.h"
#include "x509/crl_store.h"

struct centry {
    char *url;
    clid__crl *crl;    /* NULL until a fetch succeeded */
    int64_t due;       /* ask the fetcher again from then on */
    clid_err last_err; /* of the last fetch */
    int fetching;      /* a thread is fetching it now */
    struct centry *next;
};

struct clid__crl_store {
    pthread_mutex_t lock;
    pid_t pid;
    struct centry *head;
    size_t n;
    uint64_t fetches, failures, hits; /* atomic */
};

static void entry_free(struct centry *e)
{
    if (e == NULL)
        return;
    clid__crl_release(e->crl);
    free(e->url);
    free(e);
}

static void free_list(struct centry *e)
{
    while (e != NULL) {
        struct centry *next = e->next;
        entry_free(e);
        e = next;
    }
}

static void check_fork(clid__crl_store *s)
{
    pid_t me = getpid();
    for (;;) {
        pid_t seen = __atomic_load_n(&s->pid, __ATOMIC_ACQUIRE);
        if (seen == me)
            return;
        if (seen == -me) {
            sched_yield();
            continue;
        }
        if (__atomic_compare_exchange_n(&s->pid, &seen, -me, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            break;
    }
    struct centry *old = NULL;
    if (pthread_mutex_trylock(&s->lock) == 0) {
        old = s->head;
        pthread_mutex_unlock(&s->lock);
    } /* else: half-linked, abandoned (a one-time leak in the child) */
    s->head = NULL;
    s->n = 0;
    (void)pthread_mutex_init(&s->lock, NULL);
    s->fetches = s->failures = s->hits = 0;
    __atomic_store_n(&s->pid, me, __ATOMIC_RELEASE);
    free_list(old);
}

clid_err clid__crl_store_new(clid__crl_store **out)
{
    CLID_ENSURE(out != NULL, CLID_ERR_INVALID_ARGUMENT);
    clid__crl_store *s = calloc(1, sizeof *s);
    CLID_ENSURE(s != NULL, CLID_ERR_NOMEM);
    if (pthread_mutex_init(&s->lock, NULL) != 0) {
        free(s);
        return CLID_ERR_NOMEM;
    }
    s->pid = getpid();
    *out = s;
    return CLID_OK;
}

void clid__crl_store_free(clid__crl_store *s)
{
    if (s == NULL)
        return;
    check_fork(s);
    free_list(s->head);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

void clid__crl_store_clear(clid__crl_store *s)
{
    if (s == NULL)
        return;
    check_fork(s);
    pthread_mutex_lock(&s->lock);
    struct centry *old = s->head;
    s->head = NULL;
    s->n = 0;
    pthread_mutex_unlock(&s->lock);
    free_list(old); /* an entry being fetched is re-made when its fetch ends */
}

void clid__crl_store_stats(const clid__crl_store *s, clid_verifier_stats *out)
{
    if (s == NULL || __atomic_load_n(&s->pid, __ATOMIC_ACQUIRE) != getpid())
        return;
    out->crl_fetches = __atomic_load_n(&s->fetches, __ATOMIC_RELAXED);
    out->crl_fetch_failures = __atomic_load_n(&s->failures, __ATOMIC_RELAXED);
    out->crl_cache_hits = __atomic_load_n(&s->hits, __ATOMIC_RELAXED);
}

/* The entry for `url`, moved to the front; NULL when none (lock held). */
static struct centry *find(clid__crl_store *s, const char *url)
{
    for (struct centry **pp = &s->head; *pp; pp = &(*pp)->next) {
        struct centry *e = *pp;
        if (strcmp(e->url, url) == 0) {
            *pp = e->next;
            e->next = s->head;
            s->head = e;
            return e;
        }
    }
    return NULL;
}

/* A new entry at the front, evicting the least recently used beyond the
 * bound (returned in *evicted to be freed unlocked). Lock held. */
static struct centry *add(clid__crl_store *s, const char *url, struct centry **evicted)
{
    struct centry *e = calloc(1, sizeof *e);
    if (e == NULL || (e->url = clid__strndup(url, strlen(url))) == NULL) {
        free(e);
        return NULL;
    }
    e->next = s->head;
    s->head = e;
    if (++s->n > CLID__CRL_STORE_MAX) {
        struct centry **pp = &s->head;
        while ((*pp)->next != NULL)
            pp = &(*pp)->next;
        if (!(*pp)->fetching) {
            *evicted = *pp;
            *pp = NULL;
            s->n--;
        }
    }
    return e;
}

/* When to ask again after a successful fetch at `now`. */
static int64_t due_after(const clid__crl *c, int64_t now, int64_t max_age)
{
    if (c->next_update <= now)
        return now + CLID__CRL_RETRY; /* stale already: the publisher is late */
    int64_t ttl = max_age < 0 ? CLID__CRL_TTL_MAX : max_age;
    if (ttl < CLID__CRL_TTL_MIN)
        ttl = CLID__CRL_TTL_MIN;
    if (ttl > CLID__CRL_TTL_MAX)
        ttl = CLID__CRL_TTL_MAX;
    return c->next_update < now + ttl ? c->next_update : now + ttl;
}

static clid_err fetch(clid_fetch_fn fn, void *arg, const char *url, clid__crl **out,
                      int64_t *max_age)
{
    uint8_t *buf = malloc(CLID_CRL_MAX_LEN);
    CLID_ENSURE(buf != NULL, CLID_ERR_NOMEM);
    size_t len = 0;
    *max_age = -1;
    clid_err rc = fn(arg, url, buf, CLID_CRL_MAX_LEN, &len, max_age);
    if (rc == CLID_OK && len > CLID_CRL_MAX_LEN)
        rc = CLID_ERR_X5U_TOO_LARGE; /* a misbehaving fetcher */
    if (rc == CLID_OK)
        rc = clid__crl_parse(buf, len, out);
    free(buf);
    return rc;
}

clid_err clid__crl_store_get(clid__crl_store *s, clid_fetch_fn fn, void *arg, const char *url,
                             int64_t now, clid__crl **out, char *why, size_t cap)
{
    *out = NULL;
    CLID_ENSURE(s != NULL && fn != NULL && url != NULL, CLID_ERR_INVALID_ARGUMENT);
    check_fork(s);
    clid_err rc;

    pthread_mutex_lock(&s->lock);
    struct centry *e = find(s, url);
    /* Answered by the entry: not due yet, or being refreshed by another
     * thread while it holds a CRL. */
    if (e != NULL && (now < e->due || (e->fetching && e->crl != NULL))) {
        clid__crl_ref(e->crl);
        *out = e->crl;
        rc = e->crl != NULL ? CLID_OK : e->last_err;
        pthread_mutex_unlock(&s->lock);
        if (rc == CLID_OK)
            __atomic_add_fetch(&s->hits, 1, __ATOMIC_RELAXED);
        else
            snprintf(why, cap, "retrieval failed recently: %s", clid_err_name(rc));
        return rc;
    }
    if (e != NULL)
        e->fetching = 1;
    pthread_mutex_unlock(&s->lock);

    clid__crl *got = NULL;
    int64_t max_age = -1;
    __atomic_add_fetch(&s->fetches, 1, __ATOMIC_RELAXED);
    rc = fetch(fn, arg, url, &got, &max_age);
    if (rc != CLID_OK)
        __atomic_add_fetch(&s->failures, 1, __ATOMIC_RELAXED);

    struct centry *evicted = NULL;
    clid__crl *drop = NULL;
    pthread_mutex_lock(&s->lock);
    e = find(s, url); /* it may have been evicted or cleared meanwhile */
    if (e == NULL)
        e = add(s, url, &evicted);
    if (e != NULL) {
        e->fetching = 0;
        e->last_err = rc;
        if (rc == CLID_OK) {
            /* Keep the newer of the two (a server that went back in time
             * does not undo a revocation already seen). */
            if (e->crl == NULL || got->this_update >= e->crl->this_update) {
                drop = e->crl;
                e->crl = got;
            } else {
                drop = got;
            }
            e->due = due_after(e->crl, now, max_age);
        } else {
            e->due = now + CLID__CRL_RETRY;
        }
        clid__crl_ref(e->crl);
        *out = e->crl;
    } else {
        *out = got; /* out of memory for the entry: use it uncached */
        got = NULL;
    }
    pthread_mutex_unlock(&s->lock);
    entry_free(evicted);
    clid__crl_release(drop);

    if (*out != NULL)
        return CLID_OK;
    snprintf(why, cap, "retrieval failed: %s", clid_err_name(rc));
    return rc;
}
