/*
 * The request handler of clid conform serve (libmicrohttpd, one thread per
 * connection: a delayed answer holds only its own connection's thread, so
 * other requests are served meanwhile).
 *
 * GET and HEAD only (405 with Allow otherwise, RFC 9110 §15.5.6). The path
 * is normalised and confined under the root (serve_path.c); routes.json
 * may delay, redirect, answer a status or an N-byte body instead of the
 * file. One access log line per request on stderr:
 *   METHOD PATH STATUS "USER-AGENT"
 * and before it, for a delayed request, METHOD PATH delay N ms "USER-AGENT"
 * when the delay starts (a test can tell that the request is being held);
 * with control and non-UTF-8 bytes of the client's text escaped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conform/serve.h"
#include "util.h"

int serve_state_init(serve_state *s)
{
    pthread_condattr_t a;
    if (pthread_mutex_init(&s->mu, NULL) != 0)
        return -1;
    if (pthread_condattr_init(&a) != 0) {
        pthread_mutex_destroy(&s->mu);
        return -1;
    }
    /* Delays are durations: immune to the wall clock being set. */
    int ok = pthread_condattr_setclock(&a, CLOCK_MONOTONIC) == 0 &&
             pthread_cond_init(&s->cv, &a) == 0;
    pthread_condattr_destroy(&a);
    if (!ok) {
        pthread_mutex_destroy(&s->mu);
        return -1;
    }
    s->stopping = 0;
    return 0;
}

void serve_state_destroy(serve_state *s)
{
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
}

void serve_state_stop(serve_state *s)
{
    pthread_mutex_lock(&s->mu);
    s->stopping = 1;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* Waits `ms` milliseconds, or less when the server stops. */
static void delay(serve_state *s, long ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&s->mu);
    while (!s->stopping && pthread_cond_timedwait(&s->cv, &s->mu, &until) != ETIMEDOUT)
        ;
    pthread_mutex_unlock(&s->mu);
}

/* One line per request, written with a single write(2) so that lines of
 * concurrent requests never interleave. `delay_ms` > 0: the line a delayed
 * request writes when its delay starts, "delay N ms" in place of the
 * status (the status line follows when it is answered). */
static void log_line(struct MHD_Connection *c, const char *method, const char *url,
                     unsigned status, long delay_ms)
{
    const char *ua = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_USER_AGENT);
    char *m = tool_sanitize(method, strnlen(method, 32));
    char *u = tool_sanitize(url, strnlen(url, SERVE_MAX_PATH + 64));
    char *a = ua != NULL ? tool_sanitize(ua, strnlen(ua, 256)) : NULL;
    char line[2048];
    char what[48];
    if (delay_ms > 0)
        snprintf(what, sizeof what, "delay %ld ms", delay_ms);
    else
        snprintf(what, sizeof what, "%u", status);
    int n = snprintf(line, sizeof line, "%s %s %s \"%s\"\n", m ? m : "?", u ? u : "?", what,
                     a ? a : "-");
    if (n > 0) {
        size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
        if ((size_t)n >= sizeof line)
            line[len - 1] = '\n';
        ssize_t w = write(STDERR_FILENO, line, len);
        (void)w; /* a log that cannot be written does not stop the server */
    }
    free(m);
    free(u);
    free(a);
}

static void access_log(struct MHD_Connection *c, const char *method, const char *url,
                       unsigned status)
{
    log_line(c, method, url, status, 0);
}

static enum MHD_Result queue(struct MHD_Connection *c, const char *method, const char *url,
                             unsigned status, struct MHD_Response *r)
{
    if (r == NULL) {
        access_log(c, method, url, 500);
        return MHD_NO; /* out of memory: the connection is closed */
    }
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    access_log(c, method, url, status);
    return ret;
}

/* A short text body saying what the status is: readable in a log or curl -v. */
static struct MHD_Response *text(unsigned status, const char *extra)
{
    char body[256];
    int n = snprintf(body, sizeof body, "%u%s%s\n", status, extra ? " " : "", extra ? extra : "");
    struct MHD_Response *r = MHD_create_response_from_buffer(
        n > 0 ? (size_t)n : 0, body, MHD_RESPMEM_MUST_COPY);
    if (r != NULL)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
    return r;
}

/* body_bytes: N bytes of 'A' streamed in blocks, never N allocated (the
 * oversized-x5u case asks for more than any verifier should take). */
static ssize_t fill(void *cls, uint64_t pos, char *buf, size_t max)
{
    uint64_t total = *(const uint64_t *)cls;
    if (pos >= total)
        return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = total - pos < max ? (size_t)(total - pos) : max;
    memset(buf, 'A', n);
    return (ssize_t)n;
}

static struct MHD_Response *bytes(int64_t n)
{
    uint64_t *total = malloc(sizeof *total);
    if (total == NULL)
        return NULL;
    *total = (uint64_t)n;
    struct MHD_Response *r = MHD_create_response_from_callback((uint64_t)n, 16384, fill, total,
                                                               free);
    if (r == NULL) {
        free(total);
        return NULL;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/pem-certificate-chain");
    return r;
}

static enum MHD_Result file(serve_state *s, struct MHD_Connection *c, const char *method,
                            const char *url, const char *norm)
{
    struct stat st;
    int status;
    /* The server's configuration is not content. */
    int fd = strcmp(norm, "/" SERVE_ROUTES_FILE) == 0 ? (status = 404, -1)
                                                       : serve_path_open(s->rootfd, norm, &st,
                                                                         &status);
    if (fd < 0)
        return queue(c, method, url, (unsigned)status,
                     text((unsigned)status, status == 404 ? "not found" : "forbidden"));
    /* MHD owns fd from here (closed with the response, or now on failure). */
    struct MHD_Response *r = MHD_create_response_from_fd64((uint64_t)st.st_size, fd);
    if (r == NULL) {
        close(fd);
        return queue(c, method, url, 500, NULL);
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, serve_content_type(norm));
    return queue(c, method, url, MHD_HTTP_OK, r);
}

enum MHD_Result serve_handle(void *cls, struct MHD_Connection *c, const char *url,
                             const char *method, const char *version, const char *upload_data,
                             size_t *upload_size, void **con_cls)
{
    serve_state *s = cls;
    (void)version;
    (void)upload_data;
    (void)con_cls;
    *upload_size = 0; /* a body (of a refused method) is never read */
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
        struct MHD_Response *r = text(405, "method not allowed: GET and HEAD only");
        if (r != NULL)
            MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
        return queue(c, method, url, MHD_HTTP_METHOD_NOT_ALLOWED, r);
    }
    char norm[SERVE_MAX_PATH + 1];
    if (serve_path_normalise(url, norm, sizeof norm) != 0)
        return queue(c, method, url, MHD_HTTP_FORBIDDEN, text(403, "path refused"));
    const serve_route *rt = serve_routes_find(&s->routes, norm);
    if (rt == NULL)
        return file(s, c, method, url, norm);
    if (rt->delay_ms > 0) {
        log_line(c, method, url, 0, rt->delay_ms);
        delay(s, rt->delay_ms);
    }
    if (rt->redirect != NULL) {
        unsigned st = rt->status ? (unsigned)rt->status : MHD_HTTP_FOUND;
        struct MHD_Response *r = text(st, rt->redirect);
        if (r != NULL && MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, rt->redirect) != MHD_YES) {
            MHD_destroy_response(r);
            r = NULL;
        }
        return queue(c, method, url, st, r);
    }
    if (rt->body_bytes >= 0)
        return queue(c, method, url, rt->status ? (unsigned)rt->status : MHD_HTTP_OK,
                     bytes(rt->body_bytes));
    if (rt->status != 0)
        return queue(c, method, url, (unsigned)rt->status, text((unsigned)rt->status, NULL));
    return file(s, c, method, url, norm);
}
