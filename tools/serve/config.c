/*
 * clid serve --config FILE: reading and checking the file (config.h).
 * Every mistake is reported, not only the first: an operator fixes a file
 * in one round.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <clid/clid_oob.h>

#include "serve/config.h"
#include "util.h"

typedef struct vctx {
    const char *file;
    int nerr;
} vctx;

static void bad(vctx *v, const char *path, const char *fmt, ...) TOOL_PRINTF(3, 4);
static void bad(vctx *v, const char *path, const char *fmt, ...)
{
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    char *p = tool_sanitize(path, strlen(path));
    tool_error("serve: %s: %s: %s", v->file, p ? p : "?", why);
    free(p);
    v->nerr++;
}

static void join(char *out, size_t cap, const char *path, const char *key)
{
    snprintf(out, cap, "%s%s%s", path, *path ? "." : "", key);
}

/* Unknown keys are mistakes: a misspelt member must not silently become
 * "absent" (e.g. "trsut" leaving the verifier without anchors). */
static void check_keys(vctx *v, json_t *obj, const char *path, const char *const *known)
{
    const char *k;
    json_t *val;
    json_object_foreach(obj, k, val) {
        size_t i;
        for (i = 0; known[i] != NULL; i++)
            if (strcmp(known[i], k) == 0)
                break;
        if (known[i] == NULL) {
            char p[256];
            join(p, sizeof p, path, k);
            bad(v, p, "unknown key");
        }
    }
}

/* The object member `key` of obj, or NULL (absent or null). A present
 * member of another type than object is a mistake. */
static json_t *get_obj(vctx *v, json_t *obj, const char *path, const char *key)
{
    json_t *o = obj ? json_object_get(obj, key) : NULL;
    if (o == NULL || json_is_null(o))
        return NULL;
    if (!json_is_object(o)) {
        char p[256];
        join(p, sizeof p, path, key);
        bad(v, p, "expected an object");
        return NULL;
    }
    return o;
}

static const char *get_str(vctx *v, json_t *obj, const char *path, const char *key)
{
    json_t *s = obj ? json_object_get(obj, key) : NULL;
    if (s == NULL || json_is_null(s))
        return NULL;
    char p[256];
    join(p, sizeof p, path, key);
    if (!json_is_string(s)) {
        bad(v, p, "expected a string");
        return NULL;
    }
    const char *t = json_string_value(s);
    if (*t == '\0' || strlen(t) != json_string_length(s)) {
        bad(v, p, "expected a non-empty string without NUL");
        return NULL;
    }
    return t;
}

static unsigned get_uint(vctx *v, json_t *obj, const char *path, const char *key, unsigned def,
                         unsigned min, unsigned max)
{
    json_t *n = obj ? json_object_get(obj, key) : NULL;
    if (n == NULL || json_is_null(n))
        return def;
    char p[256];
    join(p, sizeof p, path, key);
    if (!json_is_integer(n) || json_integer_value(n) < (json_int_t)min ||
        json_integer_value(n) > (json_int_t)max) {
        bad(v, p, "expected an integer from %u to %u", min, max);
        return def;
    }
    return (unsigned)json_integer_value(n);
}

static int get_bool(vctx *v, json_t *obj, const char *path, const char *key, int def)
{
    json_t *b = obj ? json_object_get(obj, key) : NULL;
    if (b == NULL || json_is_null(b))
        return def;
    if (!json_is_boolean(b)) {
        char p[256];
        join(p, sizeof p, path, key);
        bad(v, p, "expected true or false");
        return def;
    }
    return json_is_true(b);
}

/* A readable regular file (dir_ok: or a directory). */
static void check_file(vctx *v, const char *path, const char *file, int dir_ok)
{
    struct stat st;
    if (file == NULL)
        return;
    if (stat(file, &st) != 0 || access(file, R_OK) != 0)
        bad(v, path, "%s: cannot be read", file);
    else if (!S_ISREG(st.st_mode) && !(dir_ok && S_ISDIR(st.st_mode)))
        bad(v, path, "%s: not a regular file%s", file, dir_ok ? " or directory" : "");
}

/* A list of strings (or one string) into a malloc'ed array. */
static const char **get_list(vctx *v, json_t *obj, const char *path, const char *key,
                             size_t *n, int files, int dir_ok)
{
    json_t *a = obj ? json_object_get(obj, key) : NULL;
    char p[256], q[300];
    *n = 0;
    if (a == NULL || json_is_null(a))
        return NULL;
    join(p, sizeof p, path, key);
    if (!json_is_array(a) || json_array_size(a) > SERVE_MAX_LIST) {
        bad(v, p, "expected an array of at most %d strings", SERVE_MAX_LIST);
        return NULL;
    }
    const char **out = calloc(json_array_size(a) + 1, sizeof *out);
    if (out == NULL) {
        bad(v, p, "out of memory");
        return NULL;
    }
    size_t i;
    json_t *e;
    json_array_foreach(a, i, e) {
        snprintf(q, sizeof q, "%s[%zu]", p, i);
        if (!json_is_string(e) || json_string_length(e) == 0 ||
            strlen(json_string_value(e)) != json_string_length(e)) {
            bad(v, q, "expected a non-empty string");
            continue;
        }
        out[*n] = json_string_value(e);
        if (files)
            check_file(v, q, out[*n], dir_ok);
        (*n)++;
    }
    return out;
}

static const char *get_enum(vctx *v, json_t *obj, const char *path, const char *key,
                            const char *const *allowed)
{
    const char *s = get_str(v, obj, path, key);
    if (s == NULL)
        return NULL;
    for (size_t i = 0; allowed[i] != NULL; i++)
        if (strcmp(allowed[i], s) == 0)
            return s;
    char p[256], list[256] = "";
    join(p, sizeof p, path, key);
    for (size_t i = 0; allowed[i] != NULL; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                 allowed[i]);
    bad(v, p, "'%s': expected one of %s", s, list);
    return NULL;
}

static int is_loopback(const char *a)
{
    return strncmp(a, "127.", 4) == 0 || strcmp(a, "::1") == 0;
}

static void load_listen(vctx *v, serve_config *c, json_t *root)
{
    json_t *l = json_object_get(root, "listen");
    if (l == NULL || json_is_null(l)) {
        c->listen[0].address = "127.0.0.1";
        c->nlisten = 1;
        return;
    }
    if (!json_is_array(l) || json_array_size(l) == 0 || json_array_size(l) > SERVE_MAX_LISTEN) {
        bad(v, "listen", "expected an array of 1 to %d {\"address\":..,\"port\":..} objects",
            SERVE_MAX_LISTEN);
        return;
    }
    size_t i;
    json_t *e;
    json_array_foreach(l, i, e) {
        char p[64];
        snprintf(p, sizeof p, "listen[%zu]", i);
        if (!json_is_object(e)) {
            bad(v, p, "expected an object");
            continue;
        }
        static const char *const keys[] = {"address", "port", NULL};
        check_keys(v, e, p, keys);
        serve_listen *s = &c->listen[c->nlisten];
        s->address = get_str(v, e, p, "address");
        if (s->address == NULL) {
            char q[80];
            join(q, sizeof q, p, "address");
            bad(v, q, "required: an IPv4 or IPv6 literal");
            continue;
        }
        s->port = get_uint(v, e, p, "port", 0, 0, 65535);
        c->nlisten++;
    }
}

static void load_verify(vctx *v, serve_config *c, json_t *root)
{
    json_t *o = get_obj(v, root, "", "verify");
    serve_state_cfg *s = &c->st;
    if (o == NULL)
        return;
    static const char *const keys[] = {
        "trust",      "crl",           "crl_signer",  "crl_fetch",    "crl_url_allow",
        "crl_policy", "strict",        "cert_profile", "max_age",     "x5u_fetch",
        "x5u_ca",     "allow_private", "allow_http",  "cache_dir",    "cache_entries",
        "fetch_timeout_ms", "x5u_map", "ppt_accept",  NULL};
    check_keys(v, o, "verify", keys);
    c->lists[0] = get_list(v, o, "verify", "trust", &s->ntrust, 1, 1);
    s->trust = c->lists[0];
    c->lists[1] = get_list(v, o, "verify", "crl", &s->ncrl, 1, 0);
    s->crl = c->lists[1];
    c->lists[2] = get_list(v, o, "verify", "crl_signer", &s->ncrl_signer, 1, 0);
    s->crl_signer = c->lists[2];
    s->crl_fetch = get_bool(v, o, "verify", "crl_fetch", 0);
    c->lists[3] = get_list(v, o, "verify", "crl_url_allow", &s->ncrl_url_allow, 0, 0);
    s->crl_url_allow = c->lists[3];
    static const char *const policies[] = {"if-present", "required", "ignore", NULL};
    s->crl_policy = get_enum(v, o, "verify", "crl_policy", policies);
    s->strict = get_bool(v, o, "verify", "strict", 0);
    static const char *const profiles[] = {"none", "shaken", "q3063", NULL};
    s->cert_profile = get_enum(v, o, "verify", "cert_profile", profiles);
    s->max_age = get_uint(v, o, "verify", "max_age", 0, 1, 86400);
    s->x5u_fetch = get_bool(v, o, "verify", "x5u_fetch", 0);
    s->x5u_ca = get_str(v, o, "verify", "x5u_ca");
    check_file(v, "verify.x5u_ca", s->x5u_ca, 0);
    s->allow_private = get_bool(v, o, "verify", "allow_private", 0);
    s->allow_http = get_bool(v, o, "verify", "allow_http", 0);
    s->cache_dir = get_str(v, o, "verify", "cache_dir");
    if (s->cache_dir != NULL) {
        struct stat st;
        if (stat(s->cache_dir, &st) != 0 || !S_ISDIR(st.st_mode) ||
            access(s->cache_dir, W_OK | X_OK) != 0)
            bad(v, "verify.cache_dir", "%s: not a writable directory", s->cache_dir);
    }
    s->cache_entries = get_uint(v, o, "verify", "cache_entries", 0, 1, 1000000);
    s->fetch_timeout_ms = get_uint(v, o, "verify", "fetch_timeout_ms", 0, 100, 60000);
    /* x5u_map: {"URL": "FILE", ...} here; "URL=FILE" for the state. */
    json_t *m = json_object_get(o, "x5u_map");
    if (m != NULL && !json_is_null(m)) {
        if (!json_is_object(m) || json_object_size(m) > SERVE_MAX_LIST) {
            bad(v, "verify.x5u_map", "expected an object {\"URL\": \"FILE\", ...} of at most %d",
                SERVE_MAX_LIST);
        } else {
            size_t n = json_object_size(m);
            c->lists[4] = calloc(n + 1, sizeof *c->lists[4]);
            c->map_owned = calloc(n + 1, sizeof *c->map_owned);
            const char *url;
            json_t *f;
            json_object_foreach(m, url, f) {
                char p[512];
                snprintf(p, sizeof p, "verify.x5u_map.%s", url);
                if (!json_is_string(f) || json_string_length(f) == 0) {
                    bad(v, p, "expected a file name");
                    continue;
                }
                if (strstr(url, "://") == NULL) {
                    bad(v, p, "the key must be an absolute URL");
                    continue;
                }
                check_file(v, p, json_string_value(f), 0);
                size_t len = strlen(url) + json_string_length(f) + 2;
                char *e = c->map_owned && c->lists[4] ? malloc(len) : NULL;
                if (e == NULL) {
                    bad(v, p, "out of memory");
                    continue;
                }
                snprintf(e, len, "%s=%s", url, json_string_value(f));
                c->map_owned[c->nmap_owned++] = e;
                c->lists[4][s->nx5u_map++] = e;
            }
            s->x5u_map = c->lists[4];
        }
    }
    size_t nppt = 0;
    const char **ppt = get_list(v, o, "verify", "ppt_accept", &nppt, 0, 0);
    if (nppt > 3)
        bad(v, "verify.ppt_accept", "at most 3 values");
    for (size_t i = 0; i < nppt && i < 3; i++)
        s->ppt_accept[i] = ppt[i];
    free(ppt);
}

static void load_sign(vctx *v, serve_config *c, json_t *root)
{
    json_t *o = get_obj(v, root, "", "sign");
    if (o == NULL)
        return;
    static const char *const keys[] = {"key", "cert", "x5u", NULL};
    check_keys(v, o, "sign", keys);
    c->st.sign_key = get_str(v, o, "sign", "key");
    c->st.sign_cert = get_str(v, o, "sign", "cert");
    c->st.sign_x5u = get_str(v, o, "sign", "x5u");
    static const char *const names[] = {"sign.key", "sign.cert", "sign.x5u"};
    const char *vals[] = {c->st.sign_key, c->st.sign_cert, c->st.sign_x5u};
    for (int i = 0; i < 3; i++)
        if (vals[i] == NULL)
            bad(v, names[i], "required when \"sign\" is given");
    check_file(v, "sign.key", c->st.sign_key, 0);
    check_file(v, "sign.cert", c->st.sign_cert, 0);
    if (c->st.sign_x5u != NULL && strncmp(c->st.sign_x5u, "https://", 8) != 0 &&
        strncmp(c->st.sign_x5u, "http://", 7) != 0)
        bad(v, "sign.x5u", "expected an http(s) URL");
}

/* An http(s) URL ending in '/' (the client appends "passports/..."). */
static void check_base_url(vctx *v, const char *path, const char *url)
{
    if (url == NULL)
        return;
    if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
        bad(v, path, "expected an http(s) URL");
    else if (url[strlen(url) - 1] != '/')
        bad(v, path, "expected a base URL ending in '/'");
}

/* An audience, iss or spc: 1..128 printable ASCII (clid_oob.h CLID_OOB_ID_BUF). */
static const char *get_id(vctx *v, json_t *obj, const char *path, const char *key, int required)
{
    const char *s = get_str(v, obj, path, key);
    char p[256];
    join(p, sizeof p, path, key);
    if (s == NULL) {
        if (required && (obj == NULL || json_object_get(obj, key) == NULL ||
                         json_is_null(json_object_get(obj, key))))
            bad(v, p, "required");
        return NULL;
    }
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x21 || s[i] > 0x7e) {
            bad(v, p, "expected printable ASCII without spaces");
            return NULL;
        }
    if (n >= CLID_OOB_ID_BUF) {
        bad(v, p, "at most %d characters", CLID_OOB_ID_BUF - 1);
        return NULL;
    }
    return s;
}

/* oob.cps: the Call Placement Service (RFC 8816, ATIS-1000096 mesh). */
static void load_oob_cps(vctx *v, serve_config *c, json_t *o)
{
    serve_oob_cfg *q = &c->oob;
    static const char *const keys[] = {"aud",        "store",      "max_records",
                                       "redis",      "peers",      "mesh_queue",
                                       "allow_http", "allow_private", NULL};
    check_keys(v, o, "oob.cps", keys);
    q->cps = 1;
    q->aud = get_id(v, o, "oob.cps", "aud", 1);
    static const char *const stores[] = {"memory", "redis", NULL};
    const char *st = get_enum(v, o, "oob.cps", "store", stores);
    q->redis = st != NULL && strcmp(st, "redis") == 0;
    q->max_records = get_uint(v, o, "oob.cps", "max_records", 100000, 1, 100000000);
    q->mesh_queue = get_uint(v, o, "oob.cps", "mesh_queue", 1024, 1, 1000000);
    q->peer_allow_http = get_bool(v, o, "oob.cps", "allow_http", 0);
    q->peer_allow_private = get_bool(v, o, "oob.cps", "allow_private", 0);
    json_t *r = get_obj(v, o, "oob.cps", "redis");
    if (r != NULL) {
        static const char *const rk[] = {"socket", "host", "port", "timeout_ms", NULL};
        check_keys(v, r, "oob.cps.redis", rk);
        q->redis_socket = get_str(v, r, "oob.cps.redis", "socket");
        q->redis_host = get_str(v, r, "oob.cps.redis", "host");
        q->redis_port = get_uint(v, r, "oob.cps.redis", "port", 6379, 1, 65535);
        q->redis_timeout_ms = get_uint(v, r, "oob.cps.redis", "timeout_ms", 500, 10, 60000);
        if ((q->redis_socket != NULL) == (q->redis_host != NULL))
            bad(v, "oob.cps.redis", "expected exactly one of \"socket\" or \"host\"");
    }
    if (q->redis && r == NULL)
        bad(v, "oob.cps.redis", "required when \"store\" is \"redis\"");
    if (!q->redis && r != NULL)
        bad(v, "oob.cps.redis", "given, but \"store\" is not \"redis\"");
    json_t *peers = json_object_get(o, "peers");
    if (peers != NULL && !json_is_null(peers)) {
        if (!json_is_array(peers) || json_array_size(peers) > SERVE_OOB_MAX_PEERS) {
            bad(v, "oob.cps.peers", "expected an array of at most %d objects",
                SERVE_OOB_MAX_PEERS);
        } else {
            size_t i;
            json_t *e;
            json_array_foreach(peers, i, e) {
                char p[64];
                snprintf(p, sizeof p, "oob.cps.peers[%zu]", i);
                if (!json_is_object(e)) {
                    bad(v, p, "expected an object {\"url\",\"aud\",\"spc\"}");
                    continue;
                }
                static const char *const pk[] = {"url", "aud", "spc", NULL};
                check_keys(v, e, p, pk);
                serve_oob_peer *pe = &q->peers[q->npeers];
                pe->url = get_str(v, e, p, "url");
                char u[80];
                join(u, sizeof u, p, "url");
                if (pe->url == NULL)
                    bad(v, u, "required");
                check_base_url(v, u, pe->url);
                pe->aud = get_id(v, e, p, "aud", 1);
                pe->spc = get_id(v, e, p, "spc", 1);
                q->npeers++;
            }
        }
    }
}

/* oob.gateway: the proxy-facing egress/ingress endpoints and their CPS. */
static void load_oob_gateway(vctx *v, serve_config *c, json_t *o)
{
    serve_oob_cfg *q = &c->oob;
    static const char *const keys[] = {"cps_url",  "aud",        "budget_ms",
                                       "retry_ms", "allow_http", "allow_private", NULL};
    check_keys(v, o, "oob.gateway", keys);
    q->gateway = 1;
    q->gw_url = get_str(v, o, "oob.gateway", "cps_url");
    if (q->gw_url == NULL)
        bad(v, "oob.gateway.cps_url", "required");
    check_base_url(v, "oob.gateway.cps_url", q->gw_url);
    q->gw_aud = get_id(v, o, "oob.gateway", "aud", 0);
    q->gw_budget_ms = get_uint(v, o, "oob.gateway", "budget_ms", 1000, 10, 60000);
    q->gw_retry_ms = get_uint(v, o, "oob.gateway", "retry_ms", 100, 1, 10000);
    q->gw_allow_http = get_bool(v, o, "oob.gateway", "allow_http", 0);
    q->gw_allow_private = get_bool(v, o, "oob.gateway", "allow_private", 0);
}

static void load_oob(vctx *v, serve_config *c, json_t *root)
{
    json_t *o = get_obj(v, root, "", "oob");
    if (o == NULL)
        return;
    static const char *const keys[] = {"cps", "gateway", NULL};
    check_keys(v, o, "oob", keys);
    json_t *cps = get_obj(v, o, "oob", "cps");
    if (cps != NULL)
        load_oob_cps(v, c, cps);
    json_t *gw = get_obj(v, o, "oob", "gateway");
    if (gw != NULL)
        load_oob_gateway(v, c, gw);
    /* The republish and gateway tokens are signed by the service's signer
     * (OOB-SPEC.md "clid serve config"). */
    if ((c->oob.npeers > 0 || c->oob.gateway) && c->st.sign_key == NULL)
        bad(v, c->oob.gateway ? "oob.gateway" : "oob.cps.peers",
            "needs \"sign\": its tokens are signed by the service's signer");
}

static int check(vctx *v, serve_config *c, json_t *root)
{
    static const char *const keys[] = {"listen", "tls", "limits", "auth", "log",
                                       "verify", "sign", "ready_file", "oob", NULL};
    check_keys(v, root, "", keys);
    load_listen(v, c, root);

    json_t *tls = get_obj(v, root, "", "tls");
    if (tls != NULL) {
        static const char *const k[] = {"cert", "key", NULL};
        check_keys(v, tls, "tls", k);
        c->tls_cert = get_str(v, tls, "tls", "cert");
        c->tls_key = get_str(v, tls, "tls", "key");
        if (c->tls_cert == NULL || c->tls_key == NULL)
            bad(v, "tls", "both \"cert\" and \"key\" are required (or \"tls\": null)");
        check_file(v, "tls.cert", c->tls_cert, 0);
        check_file(v, "tls.key", c->tls_key, 0);
    }

    json_t *lim = get_obj(v, root, "", "limits");
    static const char *const lk[] = {"body_bytes", "connections", "connection_timeout_s",
                                     "request_timeout_s", "threads", NULL};
    if (lim != NULL)
        check_keys(v, lim, "limits", lk);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    c->body_bytes = get_uint(v, lim, "limits", "body_bytes", 65536, 1024, SERVE_MAX_BODY);
    c->connections = get_uint(v, lim, "limits", "connections", 1024, 1, 60000);
    c->connection_timeout_s = get_uint(v, lim, "limits", "connection_timeout_s", 10, 1, 3600);
    c->request_timeout_s = get_uint(v, lim, "limits", "request_timeout_s", 30, 1, 3600);
    c->threads = get_uint(v, lim, "limits", "threads", cores > 0 ? (unsigned)cores : 1, 1, 256);

    json_t *auth = get_obj(v, root, "", "auth");
    if (auth != NULL) {
        static const char *const k[] = {"signing_tokens_file", NULL};
        check_keys(v, auth, "auth", k);
        c->tokens_file = get_str(v, auth, "auth", "signing_tokens_file");
        check_file(v, "auth.signing_tokens_file", c->tokens_file, 0);
        if (c->tokens_file != NULL) {
            serve_tokens t;
            char why[256];
            if (access(c->tokens_file, R_OK) == 0 &&
                serve_tokens_load(c->tokens_file, &t, why, sizeof why) != 0)
                bad(v, "auth.signing_tokens_file", "%s", why);
            else if (access(c->tokens_file, R_OK) == 0)
                serve_tokens_free(&t);
        }
    }

    json_t *log = get_obj(v, root, "", "log");
    if (log != NULL) {
        static const char *const k[] = {"level", "numbers", NULL};
        check_keys(v, log, "log", k);
    }
    static const char *const levels[] = {"error", "warn", "info", "debug", NULL};
    const char *lv = get_enum(v, log, "log", "level", levels);
    c->log_level = SERVE_LOG_INFO;
    for (int i = 0; lv != NULL && levels[i] != NULL; i++)
        if (strcmp(levels[i], lv) == 0)
            c->log_level = i;
    c->log_numbers = get_bool(v, log, "log", "numbers", 0);

    load_verify(v, c, root);
    load_sign(v, c, root);
    load_oob(v, c, root);
    c->ready_file = get_str(v, root, "", "ready_file");

    /* Signing is never open to anyone by default (issue 10 §3): outside
     * --demo (which binds loopback only) it needs bearer tokens. */
    if (c->st.sign_key != NULL && c->tokens_file == NULL && !c->demo)
        bad(v, "auth.signing_tokens_file",
            "required when \"sign\" is configured: signing is never open without credentials");
    if (c->demo)
        for (size_t i = 0; i < c->nlisten; i++)
            if (c->listen[i].address != NULL && !is_loopback(c->listen[i].address))
                bad(v, "listen", "--demo listens on loopback only");
    return v->nerr;
}

int serve_config_load(const char *file, int demo, serve_config *out)
{
    memset(out, 0, sizeof *out);
    out->demo = demo;
    vctx v = {file, 0};
    uint8_t *buf;
    size_t len;
    int rc = tool_read_file(file, TOOL_MAX_FILE, &buf, &len);
    if (rc != TOOL_EXIT_OK)
        return rc == TOOL_EXIT_DATAERR ? SERVE_EXIT_CONFIG : rc;
    json_error_t e;
    out->root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &e);
    free(buf);
    if (out->root == NULL) {
        /* jansson's position of the syntax error (duplicates included). */
        tool_error("serve: %s:%d:%d: %s", file, e.line, e.column, e.text);
        return SERVE_EXIT_CONFIG;
    }
    if (!json_is_object(out->root)) {
        bad(&v, "(top)", "expected a JSON object");
        serve_config_free(out);
        return SERVE_EXIT_CONFIG;
    }
    if (check(&v, out, out->root) != 0) {
        tool_error("serve: %s: %d mistake%s", file, v.nerr, v.nerr == 1 ? "" : "s");
        serve_config_free(out);
        return SERVE_EXIT_CONFIG;
    }
    return TOOL_EXIT_OK;
}

void serve_config_free(serve_config *c)
{
    for (size_t i = 0; i < sizeof c->lists / sizeof c->lists[0]; i++)
        free(c->lists[i]);
    for (size_t i = 0; i < c->nmap_owned; i++)
        free(c->map_owned[i]);
    free(c->map_owned);
    json_decref(c->root);
    memset(c, 0, sizeof *c);
}
