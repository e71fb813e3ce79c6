/*
 * clid serve: the configuration file (SERVE-SPEC "Configuration file",
 * docs/serve.md "Configuration reference").
 *
 * One JSON file read with jansson (JSON_REJECT_DUPLICATES: a key given twice
 * is a mistake, not "the last one wins"). Every member is checked before
 * the service starts; unknown keys are mistakes too (a misspelt "trust"
 * must not silently leave the verifier without anchors). Each mistake is
 * printed on its own line with its key path (and line:column for syntax
 * errors), all of them, then the command exits 78 (EX_CONFIG).
 */
#ifndef CLID_TOOL_SERVE_CONFIG_H
#define CLID_TOOL_SERVE_CONFIG_H

#include <stddef.h>

#include <jansson.h>

#include "serve/state.h"

#define SERVE_EXIT_CONFIG 78 /* EX_CONFIG (sysexits.h) */
#define SERVE_MAX_LISTEN 8
#define SERVE_MAX_LIST 64          /* entries of one list (trust, crl, ...) */
#define SERVE_MAX_BODY (16u << 20) /* limits.body_bytes upper bound */

enum { SERVE_LOG_ERROR, SERVE_LOG_WARN, SERVE_LOG_INFO, SERVE_LOG_DEBUG };

typedef struct serve_listen {
    const char *address; /* an IPv4 or IPv6 literal */
    unsigned port;       /* 0: the kernel picks */
} serve_listen;

/* oob.cps and oob.gateway (OOB-SPEC.md; docs/serve.md "Out-of-band SHAKEN"). */
#define SERVE_OOB_MAX_PEERS 16
typedef struct serve_oob_peer {
    const char *url, *aud, *spc;
} serve_oob_peer;

typedef struct serve_oob_cfg {
    int cps;                 /* oob.cps given: the CPS routes are served */
    const char *aud;         /* this CPS's audience (tokens' aud must equal it) */
    int redis;               /* store "redis" (else "memory") */
    unsigned max_records;    /* memory store bound (records and jti entries) */
    const char *redis_socket, *redis_host;
    unsigned redis_port, redis_timeout_ms;
    serve_oob_peer peers[SERVE_OOB_MAX_PEERS];
    size_t npeers;
    unsigned mesh_queue;     /* republications waiting, at most */
    int peer_allow_http, peer_allow_private;
    int gateway;             /* oob.gateway given: /stir/v1/oob/egress and ingress */
    const char *gw_url, *gw_aud;
    unsigned gw_budget_ms, gw_retry_ms;
    int gw_allow_http, gw_allow_private;
} serve_oob_cfg;

typedef struct serve_config {
    json_t *root;          /* owns every string below that points into it */
    serve_listen listen[SERVE_MAX_LISTEN];
    size_t nlisten;
    const char *tls_cert, *tls_key; /* both or neither */
    size_t body_bytes;
    unsigned connections, connection_timeout_s, request_timeout_s, threads;
    const char *tokens_file; /* auth.signing_tokens_file; NULL: none */
    int log_level, log_numbers;
    const char *ready_file;
    int demo;              /* --demo: signing open (loopback only) */
    serve_state_cfg st;    /* what serve_state_new takes; lists below */
    const char **lists[5]; /* trust, crl, crl_signer, crl_url_allow, x5u_map */
    char **map_owned;      /* the "URL=FILE" strings of verify.x5u_map */
    size_t nmap_owned;
    serve_oob_cfg oob;
} serve_config;

/*
 * Reads and checks FILE. 0 and *out filled; or SERVE_EXIT_CONFIG after
 * printing every mistake ("clid: serve: FILE: PATH: why"), or
 * TOOL_EXIT_NOINPUT when the file cannot be read. `demo`: signing does not
 * need auth (the caller binds loopback only).
 */
int serve_config_load(const char *file, int demo, serve_config *out);
void serve_config_free(serve_config *c);

/* Bearer tokens of the signing endpoint (auth.signing_tokens_file): one per
 * line, '#' comments and blank lines skipped, at least 16 visible ASCII
 * characters each. Kept as SHA-256 digests only. */
typedef struct serve_tokens {
    unsigned char (*h)[32];
    size_t n;
} serve_tokens;

/* 0, or -1 with one line in err[cap]. */
int serve_tokens_load(const char *file, serve_tokens *out, char *err, size_t cap);
/* 1 when `authorization` (the header value, NULL: absent) is "Bearer T"
 * with T one of the tokens; compared in constant time over every token
 * (digests, so neither a prefix nor the length leaks). */
int serve_tokens_check(const serve_tokens *t, const char *authorization);
void serve_tokens_free(serve_tokens *t);

#endif /* CLID_TOOL_SERVE_CONFIG_H */
