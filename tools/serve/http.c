/*
 * clid serve: the libmicrohttpd daemons (one per listen address) and their
 * graceful stop.
 *
 * Threading (deps-breadth.md §1): MHD_USE_INTERNAL_POLLING_THREAD with a
 * thread pool of limits.threads (default: the cores), each thread with its
 * own epoll; a handler runs on the thread of its connection, so the API
 * handlers (a verification may fetch an x5u, bounded by fetch_timeout_ms)
 * are called from limits.threads threads at most. MHD_USE_ITC is needed by
 * MHD_quiesce_daemon (graceful stop).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "httpd.h"
#include "serve/server.h"
#include "util.h"

/* libmicrohttpd's own messages (a client that went away, a TLS handshake
 * that failed) as JSON log lines at debug level: the log stays one JSON
 * object per line. */
static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    serve_server *s = cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    serve_log_event(s->cfg, SERVE_LOG_DEBUG, "httpd", "message", msg, NULL);
}

int serve_http_start(serve_server *s)
{
    const serve_config *c = s->cfg;
    int rc;
    if (c->tls_cert != NULL &&
        ((rc = httpd_read_pem("serve", c->tls_cert, &s->tls_cert)) != TOOL_EXIT_OK ||
         (rc = httpd_read_pem("serve", c->tls_key, &s->tls_key)) != TOOL_EXIT_OK))
        return rc;
    if (serve_watchdog_start(&s->wd, s, c->connections, c->request_timeout_s) != 0) {
        tool_error("serve: cannot start the connection watchdog");
        return TOOL_EXIT_FAIL;
    }
    for (size_t i = 0; i < c->nlisten; i++) {
        httpd_addr addr;
        int v6;
        if (httpd_parse_addr(c->listen[i].address, c->listen[i].port, &addr, &v6) != 0) {
            tool_error("serve: listen[%zu].address '%s': expected an IPv4 or IPv6 literal", i,
                       c->listen[i].address);
            return SERVE_EXIT_CONFIG;
        }
        unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                         MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0) |
                         (s->tls_cert ? MHD_USE_TLS : 0);
        /* MHD's own connection limit leaves headroom above ours: connections
         * beyond limits.connections are accepted and answered 503 (a client
         * learns the service is busy instead of hanging in the backlog);
         * only beyond the headroom do they wait in the kernel's backlog. */
        unsigned hard = c->connections + c->connections / 4 + 16;
        struct MHD_OptionItem ops[] = {
            {MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)c->threads, NULL},
            {MHD_OPTION_CONNECTION_LIMIT, (intptr_t)hard, NULL},
            {MHD_OPTION_PER_IP_CONNECTION_LIMIT, 0, NULL},
            /* Idle timeout; the total per-request one is the watchdog's. */
            {MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)c->connection_timeout_s, NULL},
            /* Request line and headers within 32 KiB: beyond, MHD answers 431. */
            {MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)32768, NULL},
            {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, s},
            {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)serve_http_completed, s},
            {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)serve_watchdog_notify, &s->wd},
            {s->listen_fd[i] >= 0 ? MHD_OPTION_LISTEN_SOCKET : MHD_OPTION_SOCK_ADDR,
             s->listen_fd[i] >= 0 ? s->listen_fd[i] : 0,
             s->listen_fd[i] >= 0 ? NULL : &addr.sa},
            {s->tls_cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, s->tls_cert},
            {MHD_OPTION_HTTPS_MEM_KEY, 0, s->tls_key},
            {MHD_OPTION_END, 0, NULL},
        };
        s->d[i] = MHD_start_daemon(flags, (uint16_t)c->listen[i].port, NULL, NULL,
                                   serve_http_handle, s, MHD_OPTION_ARRAY, ops, MHD_OPTION_END);
        if (s->d[i] == NULL) {
            tool_error("serve: cannot listen on %s port %u (taken, or the TLS certificate and "
                       "key do not match)",
                       c->listen[i].address, c->listen[i].port);
            return TOOL_EXIT_FAIL;
        }
        s->listen_fd[i] = -1; /* MHD's now */
        s->nd = i + 1;
        const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d[i], MHD_DAEMON_INFO_BIND_PORT);
        s->port[i] = info != NULL ? info->port : 0;
        if (s->port[i] == 0) {
            tool_error("serve: cannot tell the port listened on");
            return TOOL_EXIT_FAIL;
        }
    }
    return TOOL_EXIT_OK;
}

/*
 * Graceful stop: every daemon stops accepting (MHD_quiesce_daemon, then
 * the listening socket is closed at once: after quiesce it would still
 * take connections into the backlog that nobody serves, deps-breadth.md
 * M3; closed, a new client is refused and a load balancer fails over),
 * requests in progress finish (waited for up to grace_s), then the daemons
 * stop (idle keep-alive connections are closed) and their threads join.
 */
void serve_http_stop(serve_server *s, unsigned grace_s)
{
    atomic_store(&s->stopping, 1);
    for (size_t i = 0; i < s->nd; i++) {
        if (s->d[i] == NULL)
            continue;
        MHD_socket fd = MHD_quiesce_daemon(s->d[i]);
        if (fd != MHD_INVALID_SOCKET)
            close(fd);
    }
    int64_t until = serve_mono_ms() + (int64_t)grace_s * 1000;
    while (atomic_load(&s->metrics.in_flight) > 0 && serve_mono_ms() < until) {
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    for (size_t i = 0; i < s->nd; i++) {
        if (s->d[i] != NULL)
            MHD_stop_daemon(s->d[i]);
        s->d[i] = NULL;
    }
    serve_watchdog_stop(&s->wd);
    for (size_t i = 0; i < SERVE_MAX_LISTEN; i++)
        if (s->listen_fd[i] >= 0) {
            close(s->listen_fd[i]);
            s->listen_fd[i] = -1;
        }
    if (s->tls_key != NULL)
        OPENSSL_cleanse(s->tls_key, strlen(s->tls_key));
    free(s->tls_key);
    free(s->tls_cert);
    s->tls_key = s->tls_cert = NULL;
}
