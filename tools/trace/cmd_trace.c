/*
 * clid trace [options] FILE...
 * clid trace -i IFACE [--filter BPF] [options]
 *
 * Validates the caller identity of every call in pcap/pcapng captures, SIP
 * text logs, or live on an interface (issue 11; docs/trace.md): one row per
 * INVITE leg (and per other request carrying Identity), verified at its
 * packet's capture time, with the far end's final response; then a summary.
 * Exit status: 0 the run completed (whatever the verdicts), 1 a fatal error
 * (read error, out of memory, output not written), 64 usage, 66 an input
 * (capture, interface, trust file) cannot be opened.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <clid/clid_capture.h>

#include "commands.h"
#include "fetch_setup.h"
#include "trace/cli.h"

void cmd_trace_help(FILE *f)
{
    fputs("usage: clid trace [options] FILE...\n"
          "       clid trace -i IFACE [--filter BPF] [options]\n"
          "\n"
          "Verifies the Identity of every call in pcap/pcapng captures or SIP text logs\n"
          "(Kamailio/OpenSIPS message logs, SIPp -trace_msg), or live on an interface\n"
          "(Ctrl-C prints the report). One row per INVITE leg and per other request\n"
          "carrying Identity, verified at its packet's capture time, with the final\n"
          "response; retransmissions folded, forks and re-INVITEs kept apart. Then a\n"
          "summary: verdicts, reasons, signers, the signers failing most.\n"
          "\n"
          "input:\n"
          "  -i, --interface IFACE  live capture (needs CAP_NET_RAW)\n"
          "  --filter BPF       capture filter for -i (e.g. 'udp port 5060')\n"
          "  --limit-message N, --limit-streams N, --limit-stream-buffer N,\n"
          "  --limit-fragments N, --limit-datagram N, --limit-idle SECONDS\n"
          "                     capture limits (docs/trace.md; 0 = default)\n"
          "  --call-timeout S   capture seconds after which a leg without final response\n"
          "                     is reported (default 32)\n"
          "certificates (offline by default):\n"
          "  --trust FILE|DIR   trust anchors (repeatable)\n"
          "  --crl FILE, --crl-signer FILE  CRLs and STI-PA CRL signers (repeatable)\n"
          "  --x5u-map URL=FILE the chain for URL (repeatable)\n"
          "  --cert-dir DIR     the chain for an x5u URL is DIR/<last URL segment>[.pem]\n"
          "  --fetch            fetch other x5u URLs over the network (URL policy as\n"
          "                     clid verify: --allow-http-x5u, --allow-private-x5u,\n"
          "                     --x5u-ca FILE, --cache-dir DIR)\n"
          "policy (as clid verify): --crl-policy P, --tn-policy spc|tn, --accept-ppt PPT,\n"
          "  --require-entity, --strict, --cert-profile shaken|q3063, --max-age SECONDS\n"
          "output:\n"
          "  (default)          a table of calls and the summary on standard output\n"
          "  --calls N          at most N rows in the table (0: summary only)\n"
          "  --json             one JSON document {\"calls\": [...], \"summary\": {...}}\n"
          "  --csv              the calls as CSV (RFC 4180, spreadsheet-safe)\n"
          "  --html FILE        a self-contained HTML report with charts\n"
          "  --threads N        verification threads (default: all cores)\n"
          "  --no-progress      no progress bar (it is shown only on a terminal)\n"
          "\n"
          "exit status: 0 the run completed (whatever the verdicts), 1 fatal error,\n"
          "64 usage error, 66 an input cannot be opened\n",
          f);
}

static const tool_opt trace_opts[TO_COUNT] = {
    [TO_IFACE] = {"--interface", "-i", 1, 0},
    [TO_FILTER] = {"--filter", NULL, 1, 0},
    [TO_FETCH] = {"--fetch", NULL, 0, 0},
    [TO_MAP] = {"--x5u-map", NULL, 1, 1},
    [TO_CERT_DIR] = {"--cert-dir", NULL, 1, 0},
    [TO_TRUST] = {"--trust", NULL, 1, 1},
    [TO_CRL] = {"--crl", NULL, 1, 1},
    [TO_CRL_SIGNER] = {"--crl-signer", NULL, 1, 1},
    [TO_CRL_POLICY] = {"--crl-policy", NULL, 1, 0},
    [TO_TN_POLICY] = {"--tn-policy", NULL, 1, 0},
    [TO_PPT] = {"--accept-ppt", NULL, 1, 1},
    [TO_REQ_ENTITY] = {"--require-entity", NULL, 0, 0},
    [TO_STRICT] = {"--strict", NULL, 0, 0},
    [TO_CERT_PROFILE] = {"--cert-profile", NULL, 1, 0},
    [TO_MAX_AGE] = {"--max-age", NULL, 1, 0},
    [TO_ALLOW_HTTP] = {"--allow-http-x5u", NULL, 0, 0},
    [TO_ALLOW_PRIVATE] = {"--allow-private-x5u", NULL, 0, 0},
    [TO_X5U_CA] = {"--x5u-ca", NULL, 1, 0},
    [TO_CACHE_DIR] = {"--cache-dir", NULL, 1, 0},
    [TO_THREADS] = {"--threads", NULL, 1, 0},
    [TO_JSON] = {"--json", NULL, 0, 0},
    [TO_CSV] = {"--csv", NULL, 0, 0},
    [TO_HTML] = {"--html", NULL, 1, 0},
    [TO_NO_PROGRESS] = {"--no-progress", NULL, 0, 0},
    [TO_CALLS] = {"--calls", NULL, 1, 0},
    [TO_LIM_MESSAGE] = {"--limit-message", NULL, 1, 0},
    [TO_LIM_STREAMS] = {"--limit-streams", NULL, 1, 0},
    [TO_LIM_STREAM_BUF] = {"--limit-stream-buffer", NULL, 1, 0},
    [TO_LIM_FRAGMENTS] = {"--limit-fragments", NULL, 1, 0},
    [TO_LIM_DATAGRAM] = {"--limit-datagram", NULL, 1, 0},
    [TO_LIM_IDLE] = {"--limit-idle", NULL, 1, 0},
    [TO_CALL_TIMEOUT] = {"--call-timeout", NULL, 1, 0},
    [TO_HELP] = {"--help", "-h", 0, 0},
};

/* The capture being read, for the signal handler (clid_capture_break is
 * async-signal-safe). The tool's, not the library's: one run at a time. */
static clid_capture *volatile g_capture;
static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
    clid_capture *c = g_capture;
    if (c != NULL)
        clid_capture_break(c);
}

typedef struct run {
    const tool_args *a;
    trace_corr *corr;
    trace_pool *pool;
    trace_agg agg;
    trace_html *html;
    trace_run_info info;
    int json, csv, table;
    long long calls_cap; /* -1: all */
    uint64_t printed, emitted;
    const char *file;    /* input being read */
    uint64_t warn_printed;
    char open_reason[256]; /* the capture's "open" warning, for the error line */
    /* progress */
    int progress, live_status;
    uint64_t total_bytes, done_bytes;
    struct timespec t0, last_draw;
    int status_shown;
    int begun; /* the JSON/CSV head is written with the first row or the report, so
                  an input that cannot be opened leaves standard output empty */
} run;

static void begin_output(run *r)
{
    if (r->begun)
        return;
    r->begun = 1;
    if (r->json)
        trace_json_begin(stdout);
    else if (r->csv)
        trace_csv_header(stdout);
}

static double since(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

static void clear_status(run *r)
{
    if (r->status_shown) {
        fputs("\r\033[K", stderr);
        r->status_shown = 0;
    }
}

/* Capture warnings: the first 20 printed (sanitized: packet data), all counted. */
static void on_warn(void *arg, uint64_t packet, const char *code, const char *text)
{
    run *r = arg;
    if (strcmp(code, "open") == 0) {
        char *t = tool_sanitize(text, strlen(text));
        snprintf(r->open_reason, sizeof r->open_reason, "%s", t ? t : "");
        free(t);
        return;
    }
    if (r->warn_printed >= 20)
        return;
    if (++r->warn_printed == 20)
        text = "(further warnings are only counted)";
    clear_status(r);
    char *t = tool_sanitize(text, strlen(text));
    char *fn = tool_sanitize(r->file ? r->file : "", r->file ? strlen(r->file) : 0);
    tool_error("trace: %s: packet %llu: %s: %s", fn ? fn : "", (unsigned long long)packet, code,
               t ? t : "");
    free(t);
    free(fn);
}

static void submit(void *arg, trace_row *row)
{
    trace_pool_submit(arg, row);
}

static int emit(run *r, trace_row *row)
{
    trace_pool_wait(r->pool, row);
    begin_output(r);
    trace_agg_add(&r->agg, row);
    trace_html_row(r->html, row);
    if (r->json) {
        if (trace_json_row(stdout, row, r->emitted == 0) != 0)
            return -1;
    } else if (r->csv) {
        trace_csv_row(stdout, row);
    } else if (r->calls_cap < 0 || (long long)r->printed < r->calls_cap) {
        clear_status(r);
        if (r->printed == 0)
            trace_text_header(stdout);
        trace_text_row(stdout, row);
        r->printed++;
    }
    r->emitted++;
    return 0;
}

static int drain(run *r, int all)
{
    trace_row *row;
    while ((row = trace_corr_pop(r->corr, all)) != NULL) {
        int bad = emit(r, row);
        trace_row_free(row);
        if (bad)
            return -1;
    }
    return 0;
}

static void draw_progress(run *r, uint64_t offset)
{
    double el = since(&r->t0);
    uint64_t done = r->done_bytes + offset;
    if (r->live_status) {
        fprintf(stderr,
                "\r\033[Klive: %llu calls  %llu passed  %llu failed  %llu unsigned  "
                "(Ctrl-C: report)",
                (unsigned long long)r->agg.calls,
                (unsigned long long)r->agg.by_verstat[CLID_VERSTAT_PASSED],
                (unsigned long long)r->agg.by_verstat[CLID_VERSTAT_FAILED],
                (unsigned long long)r->agg.by_verstat[CLID_VERSTAT_NO_VALIDATION]);
    } else {
        double frac = r->total_bytes ? (double)done / (double)r->total_bytes : 0;
        if (frac > 1)
            frac = 1;
        char bar[31];
        int n = (int)(frac * 30);
        for (int i = 0; i < 30; i++)
            bar[i] = i < n ? '#' : '.';
        bar[30] = '\0';
        /* verified, not released: rows wait for their final response */
        double rate = el > 0 ? (double)trace_pool_done(r->pool) / el : 0;
        double eta = frac > 0.001 ? el / frac - el : 0;
        fprintf(stderr, "\r\033[K[%s] %3.0f%% %.1f/%.1f MB  %.0f calls/s  ETA %d:%02d", bar,
                frac * 100, (double)done / 1e6, (double)r->total_bytes / 1e6, rate,
                (int)(eta / 60), (int)eta % 60);
    }
    r->status_shown = 1;
    clock_gettime(CLOCK_MONOTONIC, &r->last_draw);
}

static int parse_num(const char *opt, const char *s, unsigned long long max,
                     unsigned long long *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (s[0] == '-' || end == s || *end != '\0' || errno != 0 || v > max)
        return tool_usage_error("trace", "trace", "%s: not a number up to %llu", opt, max);
    *out = v;
    return TOOL_EXIT_OK;
}

static int limits(const tool_args *a, clid_capture_limits *l, uint32_t *call_timeout)
{
    memset(l, 0, sizeof *l);
    static const int opt[] = {TO_LIM_MESSAGE, TO_LIM_STREAMS, TO_LIM_STREAM_BUF, TO_LIM_FRAGMENTS,
                              TO_LIM_DATAGRAM};
    size_t *field[] = {&l->max_message, &l->max_streams, &l->max_stream_buffer,
                       &l->max_fragments, &l->max_datagram};
    for (size_t i = 0; i < 5; i++) {
        unsigned long long v = 0;
        if (a->seen[opt[i]]) {
            int rc = parse_num(trace_opts[opt[i]].name, a->value[opt[i]], 1ULL << 32, &v);
            if (rc != TOOL_EXIT_OK)
                return rc;
            *field[i] = (size_t)v;
        }
    }
    unsigned long long v = 0;
    if (a->seen[TO_LIM_IDLE]) {
        int rc = parse_num("--limit-idle", a->value[TO_LIM_IDLE], 86400, &v);
        if (rc != TOOL_EXIT_OK)
            return rc;
        l->idle_timeout = (uint32_t)v;
    }
    *call_timeout = 0;
    if (a->seen[TO_CALL_TIMEOUT]) {
        int rc = parse_num("--call-timeout", a->value[TO_CALL_TIMEOUT], 86400, &v);
        if (rc != TOOL_EXIT_OK)
            return rc;
        *call_timeout = (uint32_t)v;
    }
    return TOOL_EXIT_OK;
}

/* Reads one input to its end (or a signal). TOOL_EXIT_* */
static int read_input(run *r, const char *name, int live, const clid_capture_limits *lim)
{
    clid_capture *c = NULL;
    r->file = name;
    r->open_reason[0] = '\0';
    clid_err e = live ? clid_capture_open_live(name, r->a->value[TO_FILTER], lim, on_warn, r, &c)
                      : clid_capture_open_file(name, lim, on_warn, r, &c);
    if (e != CLID_OK) {
        clear_status(r);
        tool_error("trace: %s: %s: %s", name, clid_err_name(e),
                   r->open_reason[0] ? r->open_reason : clid_err_str(e));
        return TOOL_EXIT_NOINPUT;
    }
    if (live) /* the capture is on: tests and users can start sending now */
        fprintf(stderr, "clid: trace: capturing on %s (Ctrl-C or SIGTERM: report)\n", name);
    g_capture = c;
    if (g_stop) /* a signal before the capture was registered */
        clid_capture_break(c);
    clid_capture_msg m;
    uint64_t n = 0;
    int rc = TOOL_EXIT_OK;
    while ((e = clid_capture_next(c, &m)) == CLID_OK) {
        trace_msg tm = {m.packet, m.ts_sec, m.ts_usec, live ? NULL : name, m.transport, m.src,
                        m.dst, m.sport, m.dport, m.data, m.len};
        if (trace_corr_feed(r->corr, &tm) != 0 || drain(r, 0) != 0) {
            tool_error("trace: out of memory or output error");
            rc = TOOL_EXIT_FAIL;
            break;
        }
        /* files: look at the clock every 64 messages; live: at every one (few) */
        if (((r->progress && (++n & 63) == 0) || r->live_status) && since(&r->last_draw) > 0.2)
            draw_progress(r, clid_capture_offset(c));
    }
    g_capture = NULL;
    if (rc == TOOL_EXIT_OK && e != CLID_ERR_CAPTURE_END) {
        clear_status(r);
        tool_error("trace: %s: %s: %s", name, clid_err_name(e), clid_err_str(e));
        rc = TOOL_EXIT_FAIL;
    }
    clid_capture_stats st;
    clid_capture_get_stats(c, &st);
    r->info.packets += st.packets;
    r->info.messages += st.messages;
    r->info.warnings += st.warnings;
    r->info.dropped += st.dropped;
    r->info.tcp_streams += st.tcp_streams;
    r->info.fragments += st.fragments_reassembled;
    r->done_bytes += clid_capture_offset(c);
    clid_capture_free(c);
    return rc;
}

static int check_usage(const tool_args *a)
{
    if (a->seen[TO_JSON] && a->seen[TO_CSV])
        return tool_usage_error("trace", "trace", "--json and --csv: one or the other");
    if (a->seen[TO_IFACE] && a->npos > 0)
        return tool_usage_error("trace", "trace", "-i: no FILE with a live capture");
    if (!a->seen[TO_IFACE] && a->npos == 0)
        return tool_usage_error("trace", "trace", "a capture FILE or -i IFACE is needed");
    if (a->seen[TO_FILTER] && !a->seen[TO_IFACE])
        return tool_usage_error("trace", "trace", "--filter: only with -i (files are read whole)");
    if (a->seen[TO_CALLS] && (a->seen[TO_JSON] || a->seen[TO_CSV]))
        return tool_usage_error("trace", "trace", "--calls: for the table (--json and --csv "
                                "hold every call)");
    return TOOL_EXIT_OK;
}

static int outputs_end(run *r)
{
    trace_agg_finish(&r->agg);
    clear_status(r);
    begin_output(r);
    int bad = 0;
    if (r->json)
        bad |= trace_json_end(stdout, &r->agg, &r->info) != 0;
    else if (!r->csv)
        trace_text_summary(stdout, &r->agg, &r->info);
    if (r->a->seen[TO_HTML])
        bad |= trace_html_write(r->html, r->a->value[TO_HTML], &r->agg, &r->info) != 0;
    return bad ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
}

static int analyse(run *r, const tool_args *a, clid_verifier *v)
{
    clid_capture_limits lim;
    uint32_t call_timeout = 0;
    int rc = limits(a, &lim, &call_timeout);
    if (rc != TOOL_EXIT_OK)
        return rc;
    unsigned long long threads = (unsigned long long)sysconf(_SC_NPROCESSORS_ONLN);
    if (a->seen[TO_THREADS] &&
        ((rc = parse_num("--threads", a->value[TO_THREADS], 256, &threads)) != TOOL_EXIT_OK))
        return rc;
    if (threads < 1)
        threads = 1;
    r->info.threads = (int)threads;
    if ((r->pool = trace_pool_new(v, (int)threads)) == NULL) {
        tool_error("trace: cannot start verification threads");
        return TOOL_EXIT_FAIL;
    }
    trace_corr_cfg cc = {call_timeout, 0, 0, submit, r->pool};
    if ((r->corr = trace_corr_new(&cc)) == NULL ||
        (a->seen[TO_HTML] && (r->html = trace_html_new()) == NULL)) {
        tool_error("trace: out of memory");
        return TOOL_EXIT_FAIL;
    }
    int live = a->seen[TO_IFACE];
    r->info.live = live;
    r->info.inputs = live ? &a->value[TO_IFACE] : a->pos;
    r->info.ninputs = live ? 1 : a->npos;
    int tty = isatty(STDERR_FILENO) && !a->seen[TO_NO_PROGRESS];
    r->progress = tty && !live;
    r->live_status = tty && live;
    for (size_t i = 0; !live && i < a->npos; i++) {
        struct stat st;
        if (stat(a->pos[i], &st) == 0)
            r->total_bytes += (uint64_t)st.st_size;
    }
    clock_gettime(CLOCK_MONOTONIC, &r->t0);
    r->last_draw = r->t0;
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    g_stop = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    int in_rc = TOOL_EXIT_OK;
    for (size_t i = 0; in_rc == TOOL_EXIT_OK && !g_stop && i < r->info.ninputs; i++)
        in_rc = read_input(r, r->info.inputs[i], live, &lim);
    r->info.interrupted = g_stop != 0;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    /* An input that cannot be opened ends the run before any report: the
     * user named the wrong file, a partial report would mislead. */
    if (in_rc == TOOL_EXIT_NOINPUT && r->emitted == 0 && trace_corr_pending(r->corr) == 0)
        return in_rc;
    if (drain(r, 1) != 0)
        return TOOL_EXIT_FAIL;
    trace_corr_get_stats(r->corr, &r->info.corr);
    r->info.seconds = since(&r->t0);
    rc = outputs_end(r);
    return in_rc != TOOL_EXIT_OK ? in_rc : rc;
}

int cmd_trace(int argc, char **argv)
{
    tool_args a;
    int rc = tool_parse_args("trace", "trace", argc - 1, argv + 1, trace_opts, TO_COUNT, &a);
    if (rc != TOOL_EXIT_OK)
        return rc;
    if (a.seen[TO_HELP]) {
        cmd_trace_help(stdout);
        return TOOL_EXIT_OK;
    }
    if ((rc = check_usage(&a)) != TOOL_EXIT_OK)
        return rc;
    run r;
    memset(&r, 0, sizeof r);
    r.a = &a;
    r.json = a.seen[TO_JSON];
    r.csv = a.seen[TO_CSV];
    r.calls_cap = -1;
    if (a.seen[TO_CALLS]) {
        unsigned long long n = 0;
        if ((rc = parse_num("--calls", a.value[TO_CALLS], 1ULL << 40, &n)) != TOOL_EXIT_OK)
            return rc;
        r.calls_cap = (long long)n;
    }
    trace_agg_init(&r.agg);
    clid_ctx *ctx = NULL;
    clid_verifier *v = NULL;
    void *fetcher = NULL;
    trace_certdir cd;
    memset(&cd, 0, sizeof cd);
    if (clid_ctx_new(&ctx) != CLID_OK) {
        rc = TOOL_EXIT_FAIL;
        goto out;
    }
    if ((rc = trace_setup_ctx(ctx, &a, &cd, &fetcher)) != TOOL_EXIT_OK)
        goto out;
    /* Captures hold thousands of signers: cache them all, each parsed and
     * validated once per run (issue 11 item 4). */
    if (clid_verifier_new(ctx, &v) != CLID_OK ||
        clid_verifier_set_cache_size(v, 16384) != CLID_OK) {
        rc = TOOL_EXIT_FAIL;
        goto out;
    }
    rc = analyse(&r, &a, v);
out:
    trace_pool_free(r.pool); /* joins the workers before the verifier goes */
    trace_corr_free(r.corr);
    trace_html_free(r.html);
    trace_agg_free(&r.agg);
    clid_verifier_free(v);
    clid_ctx_free(ctx);
    tool_fetch_free(fetcher);
    return rc;
}
