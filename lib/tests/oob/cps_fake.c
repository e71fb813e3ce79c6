/*
 * The scripted fake CPS (cps_fake.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <microhttpd.h>

#include "cps_fake.h"

#define MAX_SCRIPT 16

struct fake_cps {
    struct MHD_Daemon *d;
    unsigned port;
    pthread_mutex_t mu;
    fake_answer script[MAX_SCRIPT];
    size_t n_script;
    fake_req req[FAKE_MAX_REQ];
    size_t n_req;
};

struct conn {
    char *buf;
    size_t len;
};

static char *dup_or_null(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

static void clear_reqs(fake_cps *f)
{
    for (size_t i = 0; i < f->n_req; i++) {
        free(f->req[i].authorization);
        free(f->req[i].content_type);
        free(f->req[i].body);
    }
    memset(f->req, 0, sizeof f->req);
    f->n_req = 0;
}

/* The chunked answer: the body in pieces of 1000 bytes, size unknown. */
struct chunk_src {
    const char *p;
    size_t len;
};

static ssize_t chunk_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct chunk_src *s = cls;
    if (pos >= s->len)
        return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = s->len - (size_t)pos;
    if (n > max)
        n = max;
    if (n > 1000)
        n = 1000;
    memcpy(buf, s->p + pos, n);
    return (ssize_t)n;
}

static void chunk_free(void *cls)
{
    free(cls);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *data,
                               size_t *data_size, void **con_cls)
{
    (void)version;
    fake_cps *f = cls;
    struct conn *k = *con_cls;
    if (k == NULL) {
        k = calloc(1, sizeof *k);
        *con_cls = k;
        return k != NULL ? MHD_YES : MHD_NO;
    }
    if (*data_size > 0) {
        if (k->len + *data_size <= FAKE_MAX_BODY) {
            char *p = realloc(k->buf, k->len + *data_size + 1);
            if (p == NULL)
                return MHD_NO;
            memcpy(p + k->len, data, *data_size);
            k->buf = p;
            k->len += *data_size;
            k->buf[k->len] = 0;
        }
        *data_size = 0;
        return MHD_YES;
    }

    pthread_mutex_lock(&f->mu);
    size_t idx = f->n_req;
    if (f->n_req < FAKE_MAX_REQ) {
        fake_req *r = &f->req[f->n_req++];
        strncpy(r->method, method, sizeof r->method - 1);
        strncpy(r->url, url, sizeof r->url - 1);
        r->authorization =
            dup_or_null(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"));
        r->content_type =
            dup_or_null(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type"));
        r->body = k->buf != NULL ? k->buf : strdup("");
        r->body_len = k->len;
        k->buf = NULL;
    }
    fake_answer a = f->n_script == 0 ? (fake_answer){.status = 500}
                    : f->script[idx < f->n_script ? idx : f->n_script - 1];
    pthread_mutex_unlock(&f->mu);

    if (a.delay_ms > 0) {
        struct timespec ts = {.tv_sec = a.delay_ms / 1000,
                              .tv_nsec = (long)(a.delay_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    const char *body = a.body != NULL ? a.body : "";
    size_t len = a.body_len != 0 ? a.body_len : strlen(body);
    struct MHD_Response *r;
    if (a.chunked) {
        struct chunk_src *s = malloc(sizeof *s);
        if (s == NULL)
            return MHD_NO;
        *s = (struct chunk_src){body, len};
        r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1000, chunk_read, s, chunk_free);
    } else {
        r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
                                            MHD_RESPMEM_MUST_COPY);
    }
    if (r == NULL)
        return MHD_NO;
    (void)MHD_add_response_header(r, "Content-Type", "application/json");
    if (a.location != NULL)
        (void)MHD_add_response_header(r, "Location", a.location);
    enum MHD_Result ret = MHD_queue_response(c, a.status, r);
    MHD_destroy_response(r);
    return ret;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode why)
{
    (void)cls;
    (void)c;
    (void)why;
    struct conn *k = *con_cls;
    if (k != NULL) {
        free(k->buf);
        free(k);
    }
    *con_cls = NULL;
}

fake_cps *fake_start(void)
{
    fake_cps *f = calloc(1, sizeof *f);
    assert_non_null(f);
    pthread_mutex_init(&f->mu, NULL);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    f->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
                            NULL, NULL, handler, f, MHD_OPTION_SOCK_ADDR, &sa,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
                            MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
    assert_non_null(f->d);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(f->d, MHD_DAEMON_INFO_BIND_PORT);
    assert_non_null(info);
    f->port = info->port;
    assert_true(f->port > 0);
    return f;
}

void fake_stop(fake_cps *f)
{
    if (f == NULL)
        return;
    MHD_stop_daemon(f->d);
    clear_reqs(f);
    pthread_mutex_destroy(&f->mu);
    free(f);
}

unsigned fake_port(const fake_cps *f)
{
    return f->port;
}

void fake_script(fake_cps *f, const fake_answer *a, size_t n)
{
    assert_true(n <= MAX_SCRIPT);
    pthread_mutex_lock(&f->mu);
    clear_reqs(f);
    memcpy(f->script, a, n * sizeof *a);
    f->n_script = n;
    pthread_mutex_unlock(&f->mu);
}

size_t fake_count(fake_cps *f)
{
    pthread_mutex_lock(&f->mu);
    size_t n = f->n_req;
    pthread_mutex_unlock(&f->mu);
    return n;
}

const fake_req *fake_get(fake_cps *f, size_t i)
{
    pthread_mutex_lock(&f->mu);
    const fake_req *r = i < f->n_req ? &f->req[i] : NULL;
    pthread_mutex_unlock(&f->mu);
    return r;
}
