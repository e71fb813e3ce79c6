/*
 * clid serve: the CPS store (OOB-SPEC.md "Store semantics"), two backends
 * with identical behaviour:
 *   cps_store_mem.c    a bounded hash map in this process (one replica)
 *   cps_store_redis.c  Redis through hiredis, shared by replicas
 *
 * Keys: "jti:<iss>:<jti>" (replay, RFC 8225 §5.2 jti's purpose applied to
 * the CPS token) and "pp:<dest>:<orig>" (the record: a list of entries
 * {exp, spc, passports[]}, one per accepted publish, the last
 * CLID_OOB_MAX_PASSPORTS kept). An entry is visible until its exp (the
 * publish token's exp is the retention, ATIS-1000105, inferred).
 *
 * Every function may be called from any number of threads at once. Times
 * are passed in (Unix seconds) so that tests control them.
 */
#ifndef CLID_TOOL_SERVE_CPS_STORE_H
#define CLID_TOOL_SERVE_CPS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <clid/clid.h>

typedef struct cps_store cps_store;

typedef struct cps_store_ops {
    /* Claims jti key `key` for ttl seconds: CLID_OK the first time,
     * CLID_ERR_OOB_TOKEN_REPLAY when it is held, CLID_ERR_OOB_STORE_FULL or
     * CLID_ERR_OOB_STORE_UNAVAILABLE. */
    clid_err (*claim)(cps_store *s, const char *key, int64_t now, int64_t ttl);
    /* Appends an entry to record `key`. spc "" or NULL: no restriction. */
    clid_err (*put)(cps_store *s, const char *key, int64_t now, int64_t exp, const char *spc,
                    const char *const *pp, size_t n);
    /* The passports of the live entries of `key` that `iss` may see, newest
     * first, deduplicated, at most `max`: *out is a malloc'ed array of
     * malloc'ed strings (cps_strings_free). CLID_ERR_OOB_NOT_FOUND when
     * none. */
    clid_err (*get)(cps_store *s, const char *key, int64_t now, const char *iss, size_t max,
                    char ***out, size_t *n);
    /* 1 when the store answers now. */
    int (*healthy)(cps_store *s);
    void (*destroy)(cps_store *s);
} cps_store_ops;

struct cps_store {
    const cps_store_ops *ops;
    const char *name; /* "memory" or "redis" (GET /health) */
};

/* 0 and *out, or -1 with one line in err[cap]. */
int cps_store_mem_new(size_t max_records, cps_store **out, char *err, size_t cap);
/* socket (a Unix socket path) or host:port; timeout_ms for connect and IO.
 * Connects lazily: a Redis that is down at start makes /health degraded,
 * not the service fail. */
int cps_store_redis_new(const char *socket, const char *host, unsigned port,
                        unsigned timeout_ms, cps_store **out, char *err, size_t cap);

static inline void cps_store_free(cps_store *s)
{
    if (s != NULL)
        s->ops->destroy(s);
}

void cps_strings_free(char **v, size_t n);
/* Appends a copy of p to out[0..*n) unless there or full (max). 0, or -1
 * without memory. */
int cps_collect_add(char **out, size_t *n, size_t max, const char *p);

/* The keys; 0 or -1 when they would not fit in cap. */
int cps_key_jti(char *out, size_t cap, const char *iss, const char *jti);
int cps_key_record(char *out, size_t cap, const char *dest, const char *orig);

/* One stored entry as JSON text {"exp":N,"spc":"..","passports":[..]}
 * (the Redis list element; malloc'ed) and back. */
char *cps_entry_encode(int64_t exp, const char *spc, const char *const *pp, size_t n);

/* Adds the passports of entry JSON `text` to out[*n..max) when it is live
 * at `now` and visible to `iss`, skipping duplicates. 0, or -1 on a
 * malformed entry or no memory. */
int cps_entry_collect(const char *text, size_t len, int64_t now, const char *iss, size_t max,
                      char **out, size_t *n);

#endif
