/*
 * clid serve: GET /metrics, the Prometheus text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/).
 * Counters are C11 atomics updated by the request threads; the verdict
 * table (reasons are clid_err names, a bounded set) takes a mutex.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "serve/server.h"

/* Latency buckets, seconds (le labels), and in microseconds. */
static const char *const le_text[SERVE_NBUCKETS] = {"0.0005", "0.001", "0.0025", "0.005",
                                                    "0.01",   "0.025", "0.05",   "0.1",
                                                    "0.25",   "0.5",   "1",      "2.5"};
static const int64_t le_us[SERVE_NBUCKETS] = {500,   1000,   2500,   5000,   10000,  25000,
                                              50000, 100000, 250000, 500000, 1000000, 2500000};

const char *serve_route_name(int route)
{
    static const char *const names[SERVE_R_COUNT] = {"signing", "verification", "sip", "sip_div", "healthz",
                                                     "metrics", "x5u",          "other",
                                                     "cps_publish", "cps_retrieve",
                                                     "cps_health", "oob_egress", "oob_ingress"};
    return route >= 0 && route < SERVE_R_COUNT ? names[route] : "other";
}

int serve_metrics_init(serve_metrics *m)
{
    memset(m, 0, sizeof *m);
    return pthread_mutex_init(&m->mu, NULL) == 0 ? 0 : -1;
}

void serve_metrics_destroy(serve_metrics *m)
{
    pthread_mutex_destroy(&m->mu);
}

void serve_metrics_request(serve_metrics *m, int route, unsigned status, int64_t us)
{
    if (route < 0 || route >= SERVE_R_COUNT)
        route = SERVE_R_OTHER;
    atomic_fetch_add(&m->status[route][status < 600 ? status : 599], 1);
    if (route < SERVE_EP_NCOUNT) {
        int b = 0;
        while (b < SERVE_NBUCKETS && us > le_us[b])
            b++;
        atomic_fetch_add(&m->lat_bucket[route][b], 1);
        atomic_fetch_add(&m->lat_sum_us[route], (unsigned long long)(us > 0 ? us : 0));
        atomic_fetch_add(&m->lat_count[route], 1);
    }
}

void serve_metrics_verdict(serve_metrics *m, const char *reason)
{
    pthread_mutex_lock(&m->mu);
    size_t i;
    for (i = 0; i < m->nreason; i++)
        if (m->reason[i] == reason || strcmp(m->reason[i], reason) == 0)
            break;
    if (i == m->nreason && m->nreason < SERVE_MAX_REASONS)
        m->reason[m->nreason++] = reason;
    if (i < m->nreason)
        m->reason_count[i]++;
    pthread_mutex_unlock(&m->mu);
}

typedef struct buf {
    char *p;
    size_t len, cap;
    int oom;
} buf;

static void put(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(buf *b, const char *fmt, ...)
{
    for (;;) {
        if (b->oom)
            return;
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = 1;
            return;
        }
        if (b->p != NULL && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap * 2 : 8192;
        while (cap < b->len + (size_t)n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (p == NULL) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
}

char *serve_metrics_render(serve_metrics *m, const serve_snap *snap, size_t *len)
{
    buf b = {0};
    put(&b, "# HELP clid_serve_requests_total HTTP requests answered, by endpoint and status.\n"
            "# TYPE clid_serve_requests_total counter\n");
    for (int r = 0; r < SERVE_R_COUNT; r++)
        for (int st = 0; st < 600; st++) {
            unsigned long long n = atomic_load(&m->status[r][st]);
            if (n != 0)
                put(&b, "clid_serve_requests_total{endpoint=\"%s\",status=\"%d\"} %llu\n",
                    serve_route_name(r), st, n);
        }
    put(&b, "# HELP clid_serve_verdicts_total Verification verdicts, by clid reason.\n"
            "# TYPE clid_serve_verdicts_total counter\n");
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; i < m->nreason; i++)
        put(&b, "clid_serve_verdicts_total{reason=\"%s\"} %llu\n", m->reason[i],
            m->reason_count[i]);
    pthread_mutex_unlock(&m->mu);
    put(&b, "# HELP clid_serve_request_duration_seconds Time from the request's headers to "
            "its reply, API endpoints.\n"
            "# TYPE clid_serve_request_duration_seconds histogram\n");
    for (int e = 0; e < SERVE_EP_NCOUNT; e++) {
        unsigned long long cum = 0;
        for (int i = 0; i <= SERVE_NBUCKETS; i++) {
            cum += atomic_load(&m->lat_bucket[e][i]);
            put(&b, "clid_serve_request_duration_seconds_bucket{endpoint=\"%s\",le=\"%s\"} %llu\n",
                serve_route_name(e), i < SERVE_NBUCKETS ? le_text[i] : "+Inf", cum);
        }
        unsigned long long sum = atomic_load(&m->lat_sum_us[e]);
        put(&b, "clid_serve_request_duration_seconds_sum{endpoint=\"%s\"} %llu.%06llu\n",
            serve_route_name(e), sum / 1000000, sum % 1000000);
        put(&b, "clid_serve_request_duration_seconds_count{endpoint=\"%s\"} %llu\n",
            serve_route_name(e), atomic_load(&m->lat_count[e]));
    }
    put(&b, "# HELP clid_serve_in_flight_requests Requests being received or answered.\n"
            "# TYPE clid_serve_in_flight_requests gauge\n"
            "clid_serve_in_flight_requests %lld\n",
        (long long)atomic_load(&m->in_flight));
    put(&b, "# HELP clid_serve_slow_clients_cut_total Connections cut at limits.request_timeout_s.\n"
            "# TYPE clid_serve_slow_clients_cut_total counter\n"
            "clid_serve_slow_clients_cut_total %llu\n"
            "# HELP clid_serve_over_limit_total Requests answered 503 beyond limits.connections.\n"
            "# TYPE clid_serve_over_limit_total counter\n"
            "clid_serve_over_limit_total %llu\n"
            "# HELP clid_serve_reloads_total SIGHUP reloads, by result.\n"
            "# TYPE clid_serve_reloads_total counter\n"
            "clid_serve_reloads_total{result=\"ok\"} %llu\n"
            "clid_serve_reloads_total{result=\"failed\"} %llu\n",
        atomic_load(&m->cut_slow), atomic_load(&m->over_limit), atomic_load(&m->reload_ok),
        atomic_load(&m->reload_failed));
    clid_verifier_stats v;
    clid_fetcher_stats f;
    memset(&v, 0, sizeof v);
    memset(&f, 0, sizeof f);
    if (snap != NULL && snap->st != NULL)
        serve_state_stats(snap->st, &v, &f);
    /* Counters of the current snapshot: they start again from 0 after a
     * reload (a counter reset, which Prometheus' rate() tolerates). */
    static const struct {
        const char *name, *help;
        size_t off;
        int fetcher;
    } c[] = {
        {"clid_serve_verifications_total", "Verifications by the shared verifier.",
         offsetof(clid_verifier_stats, verifications), 0},
        {"clid_serve_crl_fetches_total", "CRL retrievals.", offsetof(clid_verifier_stats, crl_fetches), 0},
        {"clid_serve_crl_fetch_failures_total", "CRL retrievals that failed.",
         offsetof(clid_verifier_stats, crl_fetch_failures), 0},
        {"clid_serve_crl_cache_hits_total", "CRLs answered from the CRL cache.",
         offsetof(clid_verifier_stats, crl_cache_hits), 0},
        {"clid_serve_crl_unavailable_total", "Verifications where a CRL could not be had.",
         offsetof(clid_verifier_stats, crl_unavailable), 0},
        {"clid_serve_crl_revoked_total", "Verifications failed by a CRL.",
         offsetof(clid_verifier_stats, crl_revoked), 0},
        {"clid_serve_x5u_fetches_total", "x5u HTTP transfers started.",
         offsetof(clid_fetcher_stats, requests), 1},
        {"clid_serve_x5u_cache_hits_total", "x5u chains answered from the fetcher's cache.",
         offsetof(clid_fetcher_stats, cache_hits), 1},
        {"clid_serve_x5u_negative_hits_total", "x5u answered from the negative cache.",
         offsetof(clid_fetcher_stats, negative_hits), 1},
        {"clid_serve_x5u_fetch_failures_total", "x5u retrievals that failed.",
         offsetof(clid_fetcher_stats, failures), 1},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        uint64_t val;
        memcpy(&val, (const char *)(c[i].fetcher ? (const void *)&f : (const void *)&v) + c[i].off,
               sizeof val);
        put(&b, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", c[i].name, c[i].help, c[i].name,
            c[i].name, (unsigned long long)val);
    }
    if (m->oob != NULL) {
        const serve_oob *o = m->oob;
        put(&b, "# HELP clid_serve_oob_cps_total CPS requests that took effect, by kind.\n"
                "# TYPE clid_serve_oob_cps_total counter\n"
                "clid_serve_oob_cps_total{kind=\"publish\"} %llu\n"
                "clid_serve_oob_cps_total{kind=\"retrieve\"} %llu\n"
                "clid_serve_oob_cps_total{kind=\"republish_in\"} %llu\n"
                "# HELP clid_serve_oob_store_errors_total CPS store failures (full, unavailable).\n"
                "# TYPE clid_serve_oob_store_errors_total counter\n"
                "clid_serve_oob_store_errors_total %llu\n"
                "# HELP clid_serve_oob_mesh_total Republications to peer CPSs, by result.\n"
                "# TYPE clid_serve_oob_mesh_total counter\n"
                "clid_serve_oob_mesh_total{result=\"queued\"} %llu\n"
                "clid_serve_oob_mesh_total{result=\"sent\"} %llu\n"
                "clid_serve_oob_mesh_total{result=\"failed\"} %llu\n"
                "clid_serve_oob_mesh_total{result=\"dropped\"} %llu\n",
            atomic_load(&o->publishes), atomic_load(&o->retrieves),
            atomic_load(&o->republishes_in), atomic_load(&o->store_errors),
            atomic_load(&o->mesh_queued), atomic_load(&o->mesh_sent),
            atomic_load(&o->mesh_failed), atomic_load(&o->mesh_dropped));
    }
    put(&b, "# HELP clid_serve_config_generation The snapshot in use (1 at start, +1 per "
            "successful reload).\n# TYPE clid_serve_config_generation gauge\n"
            "clid_serve_config_generation %u\n",
        snap ? snap->generation : 0);
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    *len = b.len;
    return b.p;
}
