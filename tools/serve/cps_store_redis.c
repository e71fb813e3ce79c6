/*
 * clid serve: the CPS Redis store (cps_store.h), shared by replicas.
 *
 * hiredis 0.14: a redisContext is not thread-safe (deps-breadth.md §3, trap
 * R1), so each request thread has its own, kept in a pthread key of the
 * store (freed when the thread ends). Connect and IO are bounded by
 * timeout_ms. A command that fails on an existing connection (Redis
 * restarted, idle connection closed) is retried once on a new connection;
 * a second failure is CLID_ERR_OOB_STORE_UNAVAILABLE (503), the service
 * stays up and GET /health says degraded until Redis answers again.
 *
 * Replay: SET jti:... 1 NX EX ttl (atomic across replicas). Records: a
 * Lua script appends the entry (RPUSH), keeps the last
 * CLID_OOB_MAX_PASSPORTS (LTRIM) and extends the key's life to the latest
 * entry's exp (EXPIRE only upward), atomically; reads are LRANGE, entries
 * filtered by exp and spc here (cps_entry_collect), exactly as the memory
 * store does.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include <clid/clid_oob.h>

#include "serve/cps_store.h"

typedef struct redis_store {
    cps_store base;
    pthread_key_t key;
    char *socket, *host;
    unsigned port;
    struct timeval tv;
} redis_store;

static void ctx_free(void *p)
{
    if (p != NULL)
        redisFree(p);
}

/* This thread's connection, made now if there is none; NULL when Redis
 * cannot be reached. */
static redisContext *ctx(redis_store *r)
{
    redisContext *c = pthread_getspecific(r->key);
    if (c != NULL)
        return c;
    c = r->socket ? redisConnectUnixWithTimeout(r->socket, r->tv)
                  : redisConnectWithTimeout(r->host, (int)r->port, r->tv);
    if (c == NULL)
        return NULL;
    if (c->err != 0 || redisSetTimeout(c, r->tv) != REDIS_OK) {
        redisFree(c);
        return NULL;
    }
    if (pthread_setspecific(r->key, c) != 0) {
        redisFree(c);
        return NULL;
    }
    return c;
}

static void drop(redis_store *r)
{
    redisContext *c = pthread_getspecific(r->key);
    if (c != NULL) {
        pthread_setspecific(r->key, NULL);
        redisFree(c);
    }
}

/* One command; NULL when Redis is unavailable (the reply of an error is
 * returned as such: the caller decides). */
static redisReply *run(redis_store *r, int argc, const char **argv, const size_t *lens)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        int fresh = pthread_getspecific(r->key) == NULL;
        redisContext *c = ctx(r);
        if (c == NULL)
            return NULL;
        redisReply *rep = redisCommandArgv(c, argc, argv, lens);
        if (rep != NULL)
            return rep;
        drop(r);
        if (fresh) /* a new connection failed: Redis is down, no retry */
            return NULL;
    }
    return NULL;
}

static clid_err redis_claim(cps_store *s, const char *key, int64_t now, int64_t ttl)
{
    redis_store *r = (redis_store *)s;
    char ex[24];
    (void)now;
    snprintf(ex, sizeof ex, "%lld", (long long)(ttl > 0 ? ttl : 1));
    const char *argv[] = {"SET", key, "1", "NX", "EX", ex};
    size_t lens[] = {3, strlen(key), 1, 2, 2, strlen(ex)};
    redisReply *rep = run(r, 6, argv, lens);
    clid_err e;
    if (rep == NULL || rep->type == REDIS_REPLY_ERROR)
        e = CLID_ERR_OOB_STORE_UNAVAILABLE;
    else if (rep->type == REDIS_REPLY_NIL)
        e = CLID_ERR_OOB_TOKEN_REPLAY;
    else
        e = CLID_OK;
    if (rep != NULL)
        freeReplyObject(rep);
    return e;
}

static const char put_script[] =
    "redis.call('RPUSH', KEYS[1], ARGV[1]) "
    "redis.call('LTRIM', KEYS[1], -tonumber(ARGV[3]), -1) "
    "local t = redis.call('TTL', KEYS[1]) "
    "if t < tonumber(ARGV[2]) then redis.call('EXPIRE', KEYS[1], ARGV[2]) end "
    "return 1";

static clid_err redis_put(cps_store *s, const char *key, int64_t now, int64_t exp,
                          const char *spc, const char *const *pp, size_t n)
{
    redis_store *r = (redis_store *)s;
    char *entry = cps_entry_encode(exp, spc, pp, n);
    if (entry == NULL)
        return CLID_ERR_NOMEM;
    char ttl[24], max[8];
    snprintf(ttl, sizeof ttl, "%lld", (long long)(exp > now ? exp - now : 1));
    snprintf(max, sizeof max, "%d", CLID_OOB_MAX_PASSPORTS);
    const char *argv[] = {"EVAL", put_script, "1", key, entry, ttl, max};
    size_t lens[] = {4, sizeof put_script - 1, 1, strlen(key), strlen(entry), strlen(ttl),
                     strlen(max)};
    redisReply *rep = run(r, 7, argv, lens);
    free(entry);
    clid_err e = rep == NULL || rep->type == REDIS_REPLY_ERROR ? CLID_ERR_OOB_STORE_UNAVAILABLE
                                                               : CLID_OK;
    if (rep != NULL)
        freeReplyObject(rep);
    return e;
}

static clid_err redis_get(cps_store *s, const char *key, int64_t now, const char *iss,
                          size_t max, char ***out, size_t *n)
{
    redis_store *r = (redis_store *)s;
    const char *argv[] = {"LRANGE", key, "0", "-1"};
    size_t lens[] = {6, strlen(key), 1, 2};
    *out = NULL;
    *n = 0;
    redisReply *rep = run(r, 4, argv, lens);
    if (rep == NULL || rep->type != REDIS_REPLY_ARRAY) {
        if (rep != NULL)
            freeReplyObject(rep);
        return CLID_ERR_OOB_STORE_UNAVAILABLE;
    }
    char **v = calloc(max ? max : 1, sizeof *v);
    size_t k = 0;
    clid_err e = v ? CLID_OK : CLID_ERR_NOMEM;
    /* Newest first, as the memory store. A malformed element (not
     * written by clid) is skipped: the store is not trusted blindly. */
    for (size_t i = rep->elements; e == CLID_OK && i-- > 0;) {
        redisReply *el = rep->element[i];
        if (el->type != REDIS_REPLY_STRING)
            continue;
        (void)cps_entry_collect(el->str, el->len, now, iss, max, v, &k);
        if (k == max)
            break;
    }
    freeReplyObject(rep);
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

static int redis_healthy(cps_store *s)
{
    redis_store *r = (redis_store *)s;
    const char *argv[] = {"PING"};
    size_t lens[] = {4};
    redisReply *rep = run(r, 1, argv, lens);
    int ok = rep != NULL && rep->type == REDIS_REPLY_STATUS;
    if (rep != NULL)
        freeReplyObject(rep);
    return ok;
}

static void redis_destroy(cps_store *s)
{
    redis_store *r = (redis_store *)s;
    /* Threads that ended freed theirs (the key's destructor); this one's
     * now. */
    drop(r);
    pthread_key_delete(r->key);
    free(r->socket);
    free(r->host);
    free(r);
}

static const cps_store_ops redis_ops = {redis_claim, redis_put, redis_get, redis_healthy,
                                        redis_destroy};

int cps_store_redis_new(const char *socket, const char *host, unsigned port,
                        unsigned timeout_ms, cps_store **out, char *err, size_t cap)
{
    redis_store *r = calloc(1, sizeof *r);
    *out = NULL;
    if (r == NULL || pthread_key_create(&r->key, ctx_free) != 0) {
        free(r);
        snprintf(err, cap, "oob.cps.redis: cannot create the store");
        return -1;
    }
    r->socket = socket ? strdup(socket) : NULL;
    r->host = host ? strdup(host) : NULL;
    if ((socket && !r->socket) || (host && !r->host)) {
        r->base.ops = &redis_ops;
        redis_destroy(&r->base);
        snprintf(err, cap, "oob.cps.redis: out of memory");
        return -1;
    }
    r->port = port;
    r->tv.tv_sec = timeout_ms / 1000;
    r->tv.tv_usec = (suseconds_t)(timeout_ms % 1000) * 1000;
    r->base.ops = &redis_ops;
    r->base.name = "redis";
    *out = &r->base;
    return 0;
}
