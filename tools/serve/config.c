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

#include "serve/config_int.h"
#include "util.h"

void cfg_bad(vctx *v, const char *path, const char *fmt, ...)
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

void cfg_join(char *out, size_t cap, const char *path, const char *key)
{
    snprintf(out, cap, "%s%s%s", path, *path ? "." : "", key);
}

/* Unknown keys are mistakes: a misspelt member must not silently become
 * "absent" (e.g. "trsut" leaving the verifier without anchors). */
void cfg_check_keys(vctx *v, json_t *obj, const char *path, const char *const *known)
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
            cfg_join(p, sizeof p, path, k);
            cfg_bad(v, p, "unknown key");
        }
    }
}

/* The object member `key` of obj, or NULL (absent or null). A present
 * member of another type than object is a mistake. */
json_t *cfg_get_obj(vctx *v, json_t *obj, const char *path, const char *key)
{
    json_t *o = obj ? json_object_get(obj, key) : NULL;
    if (o == NULL || json_is_null(o))
        return NULL;
    if (!json_is_object(o)) {
        char p[256];
        cfg_join(p, sizeof p, path, key);
        cfg_bad(v, p, "expected an object");
        return NULL;
    }
    return o;
}

const char *cfg_get_str(vctx *v, json_t *obj, const char *path, const char *key)
{
    json_t *s = obj ? json_object_get(obj, key) : NULL;
    if (s == NULL || json_is_null(s))
        return NULL;
    char p[256];
    cfg_join(p, sizeof p, path, key);
    if (!json_is_string(s)) {
        cfg_bad(v, p, "expected a string");
        return NULL;
    }
    const char *t = json_string_value(s);
    if (*t == '\0' || strlen(t) != json_string_length(s)) {
        cfg_bad(v, p, "expected a non-empty string without NUL");
        return NULL;
    }
    return t;
}

unsigned cfg_get_uint(vctx *v, json_t *obj, const char *path, const char *key, unsigned def,
                         unsigned min, unsigned max)
{
    json_t *n = obj ? json_object_get(obj, key) : NULL;
    if (n == NULL || json_is_null(n))
        return def;
    char p[256];
    cfg_join(p, sizeof p, path, key);
    if (!json_is_integer(n) || json_integer_value(n) < (json_int_t)min ||
        json_integer_value(n) > (json_int_t)max) {
        cfg_bad(v, p, "expected an integer from %u to %u", min, max);
        return def;
    }
    return (unsigned)json_integer_value(n);
}

int cfg_get_bool(vctx *v, json_t *obj, const char *path, const char *key, int def)
{
    json_t *b = obj ? json_object_get(obj, key) : NULL;
    if (b == NULL || json_is_null(b))
        return def;
    if (!json_is_boolean(b)) {
        char p[256];
        cfg_join(p, sizeof p, path, key);
        cfg_bad(v, p, "expected true or false");
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
        cfg_bad(v, path, "%s: cannot be read", file);
    else if (!S_ISREG(st.st_mode) && !(dir_ok && S_ISDIR(st.st_mode)))
        cfg_bad(v, path, "%s: not a regular file%s", file, dir_ok ? " or directory" : "");
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
    cfg_join(p, sizeof p, path, key);
    if (!json_is_array(a) || json_array_size(a) > SERVE_MAX_LIST) {
        cfg_bad(v, p, "expected an array of at most %d strings", SERVE_MAX_LIST);
        return NULL;
    }
    const char **out = calloc(json_array_size(a) + 1, sizeof *out);
    if (out == NULL) {
        cfg_bad(v, p, "out of memory");
        return NULL;
    }
    size_t i;
    json_t *e;
    json_array_foreach(a, i, e) {
        snprintf(q, sizeof q, "%s[%zu]", p, i);
        if (!json_is_string(e) || json_string_length(e) == 0 ||
            strlen(json_string_value(e)) != json_string_length(e)) {
            cfg_bad(v, q, "expected a non-empty string");
            continue;
        }
        out[*n] = json_string_value(e);
        if (files)
            check_file(v, q, out[*n], dir_ok);
        (*n)++;
    }
    return out;
}

const char *cfg_get_enum(vctx *v, json_t *obj, const char *path, const char *key,
                            const char *const *allowed)
{
    const char *s = cfg_get_str(v, obj, path, key);
    if (s == NULL)
        return NULL;
    for (size_t i = 0; allowed[i] != NULL; i++)
        if (strcmp(allowed[i], s) == 0)
            return s;
    char p[256], list[256] = "";
    cfg_join(p, sizeof p, path, key);
    for (size_t i = 0; allowed[i] != NULL; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                 allowed[i]);
    cfg_bad(v, p, "'%s': expected one of %s", s, list);
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
        cfg_bad(v, "listen", "expected an array of 1 to %d {\"address\":..,\"port\":..} objects",
            SERVE_MAX_LISTEN);
        return;
    }
    size_t i;
    json_t *e;
    json_array_foreach(l, i, e) {
        char p[64];
        snprintf(p, sizeof p, "listen[%zu]", i);
        if (!json_is_object(e)) {
            cfg_bad(v, p, "expected an object");
            continue;
        }
        static const char *const keys[] = {"address", "port", NULL};
        cfg_check_keys(v, e, p, keys);
        serve_listen *s = &c->listen[c->nlisten];
        s->address = cfg_get_str(v, e, p, "address");
        if (s->address == NULL) {
            char q[80];
            cfg_join(q, sizeof q, p, "address");
            cfg_bad(v, q, "required: an IPv4 or IPv6 literal");
            continue;
        }
        s->port = cfg_get_uint(v, e, p, "port", 0, 0, 65535);
        c->nlisten++;
    }
}

static void load_verify(vctx *v, serve_config *c, json_t *root)
{
    json_t *o = cfg_get_obj(v, root, "", "verify");
    serve_state_cfg *s = &c->st;
    if (o == NULL)
        return;
    static const char *const keys[] = {
        "trust",      "crl",           "crl_signer",  "crl_fetch",    "crl_url_allow",
        "crl_policy", "strict",        "cert_profile", "max_age",     "x5u_fetch",
        "x5u_ca",     "allow_private", "allow_http",  "cache_dir",    "cache_entries",
        "fetch_timeout_ms", "x5u_map", "ppt_accept",  NULL};
    cfg_check_keys(v, o, "verify", keys);
    c->lists[0] = get_list(v, o, "verify", "trust", &s->ntrust, 1, 1);
    s->trust = c->lists[0];
    c->lists[1] = get_list(v, o, "verify", "crl", &s->ncrl, 1, 0);
    s->crl = c->lists[1];
    c->lists[2] = get_list(v, o, "verify", "crl_signer", &s->ncrl_signer, 1, 0);
    s->crl_signer = c->lists[2];
    s->crl_fetch = cfg_get_bool(v, o, "verify", "crl_fetch", 0);
    c->lists[3] = get_list(v, o, "verify", "crl_url_allow", &s->ncrl_url_allow, 0, 0);
    s->crl_url_allow = c->lists[3];
    static const char *const policies[] = {"if-present", "required", "ignore", NULL};
    s->crl_policy = cfg_get_enum(v, o, "verify", "crl_policy", policies);
    s->strict = cfg_get_bool(v, o, "verify", "strict", 0);
    static const char *const profiles[] = {"none", "shaken", "q3063", NULL};
    s->cert_profile = cfg_get_enum(v, o, "verify", "cert_profile", profiles);
    s->max_age = cfg_get_uint(v, o, "verify", "max_age", 0, 1, 86400);
    s->x5u_fetch = cfg_get_bool(v, o, "verify", "x5u_fetch", 0);
    s->x5u_ca = cfg_get_str(v, o, "verify", "x5u_ca");
    check_file(v, "verify.x5u_ca", s->x5u_ca, 0);
    s->allow_private = cfg_get_bool(v, o, "verify", "allow_private", 0);
    s->allow_http = cfg_get_bool(v, o, "verify", "allow_http", 0);
    s->cache_dir = cfg_get_str(v, o, "verify", "cache_dir");
    if (s->cache_dir != NULL) {
        struct stat st;
        if (stat(s->cache_dir, &st) != 0 || !S_ISDIR(st.st_mode) ||
            access(s->cache_dir, W_OK | X_OK) != 0)
            cfg_bad(v, "verify.cache_dir", "%s: not a writable directory", s->cache_dir);
    }
    s->cache_entries = cfg_get_uint(v, o, "verify", "cache_entries", 0, 1, 1000000);
    s->fetch_timeout_ms = cfg_get_uint(v, o, "verify", "fetch_timeout_ms", 0, 100, 60000);
    /* x5u_map: {"URL": "FILE", ...} here; "URL=FILE" for the state. */
    json_t *m = json_object_get(o, "x5u_map");
    if (m != NULL && !json_is_null(m)) {
        if (!json_is_object(m) || json_object_size(m) > SERVE_MAX_LIST) {
            cfg_bad(v, "verify.x5u_map", "expected an object {\"URL\": \"FILE\", ...} of at most %d",
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
                    cfg_bad(v, p, "expected a file name");
                    continue;
                }
                if (strstr(url, "://") == NULL) {
                    cfg_bad(v, p, "the key must be an absolute URL");
                    continue;
                }
                check_file(v, p, json_string_value(f), 0);
                size_t len = strlen(url) + json_string_length(f) + 2;
                char *e = c->map_owned && c->lists[4] ? malloc(len) : NULL;
                if (e == NULL) {
                    cfg_bad(v, p, "out of memory");
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
        cfg_bad(v, "verify.ppt_accept", "at most 3 values");
    for (size_t i = 0; i < nppt && i < 3; i++)
        s->ppt_accept[i] = ppt[i];
    free(ppt);
}

static void load_sign(vctx *v, serve_config *c, json_t *root)
{
    json_t *o = cfg_get_obj(v, root, "", "sign");
    if (o == NULL)
        return;
    static const char *const keys[] = {"key", "cert", "x5u", NULL};
    cfg_check_keys(v, o, "sign", keys);
    c->st.sign_key = cfg_get_str(v, o, "sign", "key");
    c->st.sign_cert = cfg_get_str(v, o, "sign", "cert");
    c->st.sign_x5u = cfg_get_str(v, o, "sign", "x5u");
    static const char *const names[] = {"sign.key", "sign.cert", "sign.x5u"};
    const char *vals[] = {c->st.sign_key, c->st.sign_cert, c->st.sign_x5u};
    for (int i = 0; i < 3; i++)
        if (vals[i] == NULL)
            cfg_bad(v, names[i], "required when \"sign\" is given");
    check_file(v, "sign.key", c->st.sign_key, 0);
    check_file(v, "sign.cert", c->st.sign_cert, 0);
    if (c->st.sign_x5u != NULL && strncmp(c->st.sign_x5u, "https://", 8) != 0 &&
        strncmp(c->st.sign_x5u, "http://", 7) != 0)
        cfg_bad(v, "sign.x5u", "expected an http(s) URL");
}

static int check(vctx *v, serve_config *c, json_t *root)
{
    static const char *const keys[] = {"listen", "tls", "limits", "auth", "log",
                                       "verify", "sign", "ready_file", "oob", NULL};
    cfg_check_keys(v, root, "", keys);
    load_listen(v, c, root);

    json_t *tls = cfg_get_obj(v, root, "", "tls");
    if (tls != NULL) {
        static const char *const k[] = {"cert", "key", NULL};
        cfg_check_keys(v, tls, "tls", k);
        c->tls_cert = cfg_get_str(v, tls, "tls", "cert");
        c->tls_key = cfg_get_str(v, tls, "tls", "key");
        if (c->tls_cert == NULL || c->tls_key == NULL)
            cfg_bad(v, "tls", "both \"cert\" and \"key\" are required (or \"tls\": null)");
        check_file(v, "tls.cert", c->tls_cert, 0);
        check_file(v, "tls.key", c->tls_key, 0);
    }

    json_t *lim = cfg_get_obj(v, root, "", "limits");
    static const char *const lk[] = {"body_bytes", "connections", "connection_timeout_s",
                                     "request_timeout_s", "threads", NULL};
    if (lim != NULL)
        cfg_check_keys(v, lim, "limits", lk);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    c->body_bytes = cfg_get_uint(v, lim, "limits", "body_bytes", 65536, 1024, SERVE_MAX_BODY);
    c->connections = cfg_get_uint(v, lim, "limits", "connections", 1024, 1, 60000);
    c->connection_timeout_s = cfg_get_uint(v, lim, "limits", "connection_timeout_s", 10, 1, 3600);
    c->request_timeout_s = cfg_get_uint(v, lim, "limits", "request_timeout_s", 30, 1, 3600);
    c->threads = cfg_get_uint(v, lim, "limits", "threads", cores > 0 ? (unsigned)cores : 1, 1, 256);

    json_t *auth = cfg_get_obj(v, root, "", "auth");
    if (auth != NULL) {
        static const char *const k[] = {"signing_tokens_file", NULL};
        cfg_check_keys(v, auth, "auth", k);
        c->tokens_file = cfg_get_str(v, auth, "auth", "signing_tokens_file");
        check_file(v, "auth.signing_tokens_file", c->tokens_file, 0);
        if (c->tokens_file != NULL) {
            serve_tokens t;
            char why[256];
            if (access(c->tokens_file, R_OK) == 0 &&
                serve_tokens_load(c->tokens_file, &t, why, sizeof why) != 0)
                cfg_bad(v, "auth.signing_tokens_file", "%s", why);
            else if (access(c->tokens_file, R_OK) == 0)
                serve_tokens_free(&t);
        }
    }

    json_t *log = cfg_get_obj(v, root, "", "log");
    if (log != NULL) {
        static const char *const k[] = {"level", "numbers", NULL};
        cfg_check_keys(v, log, "log", k);
    }
    static const char *const levels[] = {"error", "warn", "info", "debug", NULL};
    const char *lv = cfg_get_enum(v, log, "log", "level", levels);
    c->log_level = SERVE_LOG_INFO;
    for (int i = 0; lv != NULL && levels[i] != NULL; i++)
        if (strcmp(levels[i], lv) == 0)
            c->log_level = i;
    c->log_numbers = cfg_get_bool(v, log, "log", "numbers", 0);

    load_verify(v, c, root);
    load_sign(v, c, root);
    cfg_load_oob(v, c, root);
    c->ready_file = cfg_get_str(v, root, "", "ready_file");

    /* Signing is never open to anyone by default (issue 10 §3): outside
     * --demo (which binds loopback only) it needs bearer tokens. */
    if (c->st.sign_key != NULL && c->tokens_file == NULL && !c->demo)
        cfg_bad(v, "auth.signing_tokens_file",
            "required when \"sign\" is configured: signing is never open without credentials");
    if (c->demo)
        for (size_t i = 0; i < c->nlisten; i++)
            if (c->listen[i].address != NULL && !is_loopback(c->listen[i].address))
                cfg_bad(v, "listen", "--demo listens on loopback only");
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
        cfg_bad(&v, "(top)", "expected a JSON object");
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
