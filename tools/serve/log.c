/*
 * clid serve: structured logs, one JSON object per line on stderr, each
 * written with a single write(2) so lines of concurrent requests never
 * interleave. Request lines carry no telephone number unless log.numbers
 * is true (they are personal data); client-supplied text (the path) is
 * JSON-escaped, invalid UTF-8 shown as \xNN (tool_json_string).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "serve/server.h"
#include "util.h"

static const char *const level_name[] = {"error", "warn", "info", "debug"};

static void emit(json_t *o)
{
    struct timespec t;
    struct tm tm;
    char ts[40];
    clock_gettime(CLOCK_REALTIME, &t);
    gmtime_r(&t.tv_sec, &tm);
    size_t n = strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(ts + n, sizeof ts - n, ".%03ldZ", t.tv_nsec / 1000000);
    json_object_set_new(o, "ts", json_string(ts));
    char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    json_decref(o);
    if (line == NULL)
        return;
    size_t len = strlen(line);
    line[len] = '\n'; /* the NUL becomes the newline: one write */
    ssize_t w = write(STDERR_FILENO, line, len + 1);
    (void)w; /* a log that cannot be written does not stop the service */
    free(line);
}

void serve_log_request(const serve_config *cfg, const serve_log_req *r)
{
    json_t *o = json_object();
    if (o == NULL)
        return;
    json_object_set_new(o, "level", json_string(r->status >= 500 ? "warn" : "info"));
    json_object_set_new(o, "event", json_string("request"));
    json_object_set_new(o, "method", tool_json_string(r->method));
    json_object_set_new(o, "path", tool_json_string(r->path));
    json_object_set_new(o, "status", json_integer(r->status));
    json_object_set_new(o, "ms", json_real((double)(long long)(r->ms * 1000) / 1000.0));
    if (r->peer && *r->peer)
        json_object_set_new(o, "peer", json_string(r->peer));
    if (r->reason)
        json_object_set_new(o, "reason", json_string(r->reason));
    if (r->verstat)
        json_object_set_new(o, "verstat", json_string(r->verstat));
    if (cfg->log_numbers) {
        if (r->orig)
            json_object_set_new(o, "orig", tool_json_string(r->orig));
        if (r->dest)
            json_object_set_new(o, "dest", tool_json_string(r->dest));
    }
    emit(o);
}

void serve_log_event(const serve_config *cfg, int level, const char *event, ...)
{
    if (cfg != NULL && level > cfg->log_level)
        return;
    json_t *o = json_object();
    if (o == NULL)
        return;
    json_object_set_new(o, "level", json_string(level_name[level & 3]));
    json_object_set_new(o, "event", json_string(event));
    va_list ap;
    va_start(ap, event);
    for (const char *k = va_arg(ap, const char *); k != NULL; k = va_arg(ap, const char *)) {
        const char *v = va_arg(ap, const char *);
        json_object_set_new(o, k, tool_json_string(v ? v : ""));
    }
    va_end(ap);
    emit(o);
}
