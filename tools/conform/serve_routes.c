/*
 * ROOT/routes.json of clid conform serve: the x5u behaviours a plain file
 * cannot give (CONFORM-SPEC "The generated suite"):
 *   {"/path": {"status": 404} | {"delay_ms": N} | {"redirect": "/other"} |
 *             {"body_bytes": N}, ...}
 * Members may be combined ({"delay_ms": 3000, "status": 503}); see
 * serve_route for the order. The file is the suite's own, but still
 * checked whole: bounded, every value in range, unknown keys refused (a
 * typo must not silently serve the plain file).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "conform/serve.h"
#include "util.h"

#define ROUTES_MAX_BYTES (1024 * 1024)

static int bad(const char *label, const char *key, const char *why)
{
    tool_error("conform serve: %s/%s: route '%s': %s", label, SERVE_ROUTES_FILE, key, why);
    return TOOL_EXIT_DATAERR;
}

/* A Location value: a path of this server or an absolute http(s) URL, one
 * line of printable ASCII (no header injection: RFC 9110 §5.5). */
static int location_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > SERVE_MAX_PATH)
        return 0;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7F)
            return 0;
    return s[0] == '/' || strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

static int load_one(const char *label, const char *key, json_t *v, serve_route *r)
{
    char norm[SERVE_MAX_PATH + 1];
    r->body_bytes = -1;
    if (serve_path_normalise(key, norm, sizeof norm) != 0 || strcmp(norm, key) != 0)
        return bad(label, key, "not a canonical path (starts with '/', no '.', '..', '//', "
                               "control characters or backslashes)");
    if (!json_is_object(v) || json_object_size(v) == 0)
        return bad(label, key, "expected an object with status, delay_ms, redirect or body_bytes");
    const char *k;
    json_t *m;
    json_object_foreach(v, k, m)
    {
        if (strcmp(k, "status") == 0) {
            if (!json_is_integer(m) || json_integer_value(m) < 100 ||
                json_integer_value(m) > 599)
                return bad(label, key, "status: an integer 100..599");
            r->status = (int)json_integer_value(m);
        } else if (strcmp(k, "delay_ms") == 0) {
            if (!json_is_integer(m) || json_integer_value(m) < 0 ||
                json_integer_value(m) > SERVE_MAX_DELAY_MS)
                return bad(label, key, "delay_ms: an integer 0..600000");
            r->delay_ms = (long)json_integer_value(m);
        } else if (strcmp(k, "redirect") == 0) {
            if (!json_is_string(m) || !location_ok(json_string_value(m)))
                return bad(label, key,
                           "redirect: a path ('/other') or an http(s) URL of printable ASCII, "
                           "at most 1024 bytes");
            if ((r->redirect = strdup(json_string_value(m))) == NULL)
                return bad(label, key, "out of memory");
        } else if (strcmp(k, "body_bytes") == 0) {
            if (!json_is_integer(m) || json_integer_value(m) < 0 ||
                json_integer_value(m) > SERVE_MAX_BODY_BYTES)
                return bad(label, key, "body_bytes: an integer 0..4294967296");
            r->body_bytes = (int64_t)json_integer_value(m);
        } else {
            return bad(label, key, "unknown member (status, delay_ms, redirect, body_bytes)");
        }
    }
    if (r->redirect != NULL && r->status != 0 && (r->status < 300 || r->status > 399))
        return bad(label, key, "redirect with a status that is not 3xx");
    if ((r->path = strdup(key)) == NULL)
        return bad(label, key, "out of memory");
    return TOOL_EXIT_OK;
}

int serve_routes_load(int rootfd, const char *label, serve_routes *out)
{
    memset(out, 0, sizeof *out);
    struct stat st;
    int status;
    int fd = serve_path_open(rootfd, "/" SERVE_ROUTES_FILE, &st, &status);
    if (fd < 0) {
        if (status == 404 && faccessat(rootfd, SERVE_ROUTES_FILE, F_OK, AT_SYMLINK_NOFOLLOW) != 0)
            return TOOL_EXIT_OK; /* no routes: every path is a plain file */
        tool_error("conform serve: %s/%s: not a regular file that can be read", label,
                   SERVE_ROUTES_FILE);
        return TOOL_EXIT_NOINPUT;
    }
    if (st.st_size > ROUTES_MAX_BYTES) {
        close(fd);
        tool_error("conform serve: %s/%s: larger than %d bytes", label, SERVE_ROUTES_FILE,
                   ROUTES_MAX_BYTES);
        return TOOL_EXIT_DATAERR;
    }
    json_error_t e;
    /* Duplicate keys refused: which of two entries would win is not obvious. */
    json_t *root = json_loadfd(fd, JSON_REJECT_DUPLICATES, &e);
    close(fd);
    if (root == NULL) {
        tool_error("conform serve: %s/%s: line %d: %s", label, SERVE_ROUTES_FILE, e.line, e.text);
        return TOOL_EXIT_DATAERR;
    }
    int rc = TOOL_EXIT_OK;
    if (!json_is_object(root) || json_object_size(root) > SERVE_MAX_ROUTES) {
        tool_error("conform serve: %s/%s: expected an object of at most %d routes", label,
                   SERVE_ROUTES_FILE, SERVE_MAX_ROUTES);
        rc = TOOL_EXIT_DATAERR;
    } else if ((out->v = calloc(json_object_size(root) + 1, sizeof *out->v)) == NULL) {
        tool_error("conform serve: out of memory");
        rc = TOOL_EXIT_FAIL;
    } else {
        const char *k;
        json_t *v;
        json_object_foreach(root, k, v)
        {
            rc = load_one(label, k, v, &out->v[out->n]);
            out->n++; /* counted even when it failed: freed with the others */
            if (rc != TOOL_EXIT_OK)
                break;
        }
    }
    json_decref(root);
    if (rc != TOOL_EXIT_OK)
        serve_routes_free(out);
    return rc;
}

const serve_route *serve_routes_find(const serve_routes *r, const char *path)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->v[i].path, path) == 0)
            return &r->v[i];
    return NULL;
}

void serve_routes_free(serve_routes *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].path);
        free(r->v[i].redirect);
    }
    free(r->v);
    memset(r, 0, sizeof *r);
}
