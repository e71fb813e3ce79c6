/*
 * clid serve: the total per-request timeout (limits.request_timeout_s).
 *
 * libmicrohttpd's MHD_OPTION_CONNECTION_TIMEOUT is an idle timeout: every
 * byte received resets it, so a client sending one byte per second
 * (slowloris) would hold its connection for ever. Every connection is
 * registered here (MHD_OPTION_NOTIFY_CONNECTION) with a deadline by which
 * its current request must have arrived whole; the deadline is renewed
 * when a request completes (keep-alive). A thread checks the deadlines and
 * shuts the socket down (shutdown(2), not close: the descriptor stays
 * libmicrohttpd's, which then sees the connection end and cleans up). A
 * request that is whole and being answered is never cut.
 *
 * The same registry counts open connections: those accepted beyond
 * limits.connections are marked `over` and their requests answered 503.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "serve/server.h"

int64_t serve_mono_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void *watch(void *arg)
{
    serve_watchdog *w = arg;
    pthread_mutex_lock(&w->mu);
    while (!w->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += 200 * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&w->cv, &w->mu, &until);
        if (w->stopping)
            break;
        int64_t now = serve_mono_ms();
        unsigned cut = 0;
        for (serve_conn *c = w->head.next; c != &w->head; c = c->next)
            if (!c->busy && !c->cut && now > c->deadline_ms) {
                c->cut = 1;
                shutdown(c->fd, SHUT_RDWR);
                cut++;
            }
        if (cut > 0) {
            atomic_fetch_add(&w->srv->metrics.cut_slow, cut);
            char n[16];
            snprintf(n, sizeof n, "%u", cut);
            pthread_mutex_unlock(&w->mu);
            serve_log_event(w->srv->cfg, SERVE_LOG_WARN, "slow_client_cut", "connections", n,
                            NULL);
            pthread_mutex_lock(&w->mu);
        }
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

int serve_watchdog_start(serve_watchdog *w, serve_server *srv, unsigned limit, unsigned timeout_s)
{
    memset(w, 0, sizeof *w);
    w->srv = srv;
    w->limit = limit;
    w->timeout_ms = (int64_t)timeout_s * 1000;
    w->head.next = w->head.prev = &w->head;
    pthread_condattr_t a;
    if (pthread_mutex_init(&w->mu, NULL) != 0)
        return -1;
    if (pthread_condattr_init(&a) != 0 || pthread_condattr_setclock(&a, CLOCK_MONOTONIC) != 0 ||
        pthread_cond_init(&w->cv, &a) != 0) {
        pthread_mutex_destroy(&w->mu);
        return -1;
    }
    pthread_condattr_destroy(&a);
    if (pthread_create(&w->thread, NULL, watch, w) != 0) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        return -1;
    }
    w->started = 1;
    return 0;
}

void serve_watchdog_stop(serve_watchdog *w)
{
    if (!w->started)
        return;
    pthread_mutex_lock(&w->mu);
    w->stopping = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    w->started = 0;
}

void serve_watchdog_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                           enum MHD_ConnectionNotificationCode toe)
{
    serve_watchdog *w = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        serve_conn *sc = calloc(1, sizeof *sc);
        *socket_context = sc;
        if (sc == NULL)
            return;
        const union MHD_ConnectionInfo *i =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        sc->fd = i != NULL ? i->connect_fd : -1;
        pthread_mutex_lock(&w->mu);
        sc->deadline_ms = serve_mono_ms() + w->timeout_ms;
        sc->over = ++w->count > w->limit;
        if (sc->fd >= 0) {
            sc->next = w->head.next;
            sc->prev = &w->head;
            w->head.next->prev = sc;
            w->head.next = sc;
        }
        pthread_mutex_unlock(&w->mu);
        return;
    }
    /* MHD_CONNECTION_NOTIFY_CLOSED: before libmicrohttpd closes the
     * descriptor, so the watchdog never shuts down a reused one. */
    serve_conn *sc = *socket_context;
    if (sc == NULL)
        return;
    pthread_mutex_lock(&w->mu);
    w->count--;
    if (sc->next != NULL) {
        sc->prev->next = sc->next;
        sc->next->prev = sc->prev;
    }
    pthread_mutex_unlock(&w->mu);
    free(sc);
    *socket_context = NULL;
}

void serve_watchdog_busy(serve_watchdog *w, serve_conn *sc, int busy)
{
    if (sc == NULL)
        return;
    pthread_mutex_lock(&w->mu);
    sc->busy = busy;
    if (!busy) /* the next request on this connection has its own time */
        sc->deadline_ms = serve_mono_ms() + w->timeout_ms;
    pthread_mutex_unlock(&w->mu);
}
