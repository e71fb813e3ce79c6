/*
 * clid serve --config FILE | --demo  [--ready-file FILE] [--check]
 *
 * The STI-AS / STI-VS REST service (issue 10; SERVE-SPEC; docs/serve.md).
 * The configuration is read and checked whole first (every mistake listed,
 * exit 78), the first snapshot (trust anchors, CRLs, signer, tokens) is
 * built, then the daemons listen and the ready file {"port":N,"pid":P} is
 * written. Signals are taken by sigwait in this thread (blocked in every
 * other, which inherit the mask): SIGHUP reloads, SIGTERM and SIGINT stop
 * gracefully.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "commands.h"
#include "httpd.h"
#include "serve/server.h"
#include "util.h"

void cmd_serve_help(FILE *f)
{
    fputs("usage: clid serve --config FILE [--ready-file FILE] [--check]\n"
          "       clid serve --demo [--ready-file FILE]\n"
          "\n"
          "An STI-AS / STI-VS REST service (ATIS-1000082 shape) on libmicrohttpd:\n"
          "  POST /stir/v1/signing        {\"signingRequest\":{...}} (bearer token required)\n"
          "  POST /stir/v1/verification   {\"verificationRequest\":{...}}\n"
          "  POST /stir/v1/sip            a whole SIP request (message/sipfrag)\n"
          "  GET  /healthz, /metrics (Prometheus), and the signer's chain at its x5u path\n"
          "  with oob.cps: POST/GET /passports/{DEST}/{ORIG} (a CPS), GET /health\n"
          "  with oob.gateway: POST /stir/v1/oob/egress, /stir/v1/oob/ingress\n"
          "SIGHUP reloads trust anchors, CRLs, signer and tokens (a bad file keeps the old);\n"
          "SIGTERM/SIGINT stop gracefully (requests in progress finish).\n"
          "\n"
          "  --config FILE      the JSON configuration (docs/serve.md); mistakes: exit 78\n"
          "  --demo             a throwaway CA and signer on loopback, and curl commands\n"
          "                     that sign and verify a call (nothing to configure)\n"
          "  --ready-file FILE  once listening, {\"port\":N,\"pid\":P} written there atomically\n"
          "                     (overrides the configuration's ready_file)\n"
          "  --check            check the configuration and its files, then exit (0 or 78)\n"
          "\n"
          "Manual: docs/serve.md; API: docs/serve-api.md\n",
          f);
}

static const tool_opt opts[] = {
    {"--config", NULL, 1, 0}, {"--demo", NULL, 0, 0},   {"--ready-file", NULL, 1, 0},
    {"--check", NULL, 0, 0},  {"--help", "-h", 0, 0},
};
enum { O_CONFIG, O_DEMO, O_READY, O_CHECK, O_HELP };

/* --demo: a loopback socket bound now, so that the signer's x5u URL can
 * carry the port before the daemon starts (it is then handed over). */
static int demo_socket(unsigned *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 128) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        tool_error("serve --demo: cannot listen on 127.0.0.1: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

static int serve_run(serve_server *s, const char *ready_file, const char *demo_dir)
{
    int rc = serve_http_start(s);
    if (rc != TOOL_EXIT_OK)
        return rc;
    if (ready_file != NULL && httpd_write_ready("serve", ready_file, s->port[0]) != 0)
        return TOOL_EXIT_FAIL;
    if (demo_dir != NULL) {
        serve_demo_print(stdout, demo_dir, s->port[0]);
    } else {
        for (size_t i = 0; i < s->nd; i++)
            printf("%s://%s%s%s:%u/\n", s->tls_cert ? "https" : "http",
                   strchr(s->cfg->listen[i].address, ':') ? "[" : "", s->cfg->listen[i].address,
                   strchr(s->cfg->listen[i].address, ':') ? "]" : "", s->port[i]);
        fflush(stdout);
    }
    char port[16], threads[16];
    snprintf(port, sizeof port, "%u", s->port[0]);
    snprintf(threads, sizeof threads, "%u", s->cfg->threads);
    serve_log_event(s->cfg, SERVE_LOG_INFO, "start", "port", port, "threads", threads,
                    "tls", s->tls_cert ? "on" : "off", NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0)
            continue;
        if (sig == SIGHUP) {
            serve_reload(s);
            continue;
        }
        serve_log_event(s->cfg, SERVE_LOG_INFO, "stop", "signal",
                        sig == SIGTERM ? "SIGTERM" : "SIGINT", NULL);
        return TOOL_EXIT_OK;
    }
}

int cmd_serve(int argc, char **argv)
{
    tool_args a;
    int rc = tool_parse_args("serve", "serve", argc - 1, argv + 1, opts,
                             sizeof opts / sizeof opts[0], &a);
    if (rc != TOOL_EXIT_OK)
        return rc;
    if (a.seen[O_HELP]) {
        cmd_serve_help(stdout);
        return TOOL_EXIT_OK;
    }
    if (a.npos != 0)
        return tool_usage_error("serve", "serve", "unexpected operand '%s'", a.pos[0]);
    int demo = a.seen[O_DEMO] != 0;
    if (demo == (a.value[O_CONFIG] != NULL))
        return tool_usage_error("serve", "serve", "expects --config FILE or --demo");
    if (demo && a.seen[O_CHECK])
        return tool_usage_error("serve", "serve", "--check checks a --config FILE");

    serve_server s;
    serve_config cfg;
    memset(&s, 0, sizeof s);
    memset(&cfg, 0, sizeof cfg);
    for (size_t i = 0; i < SERVE_MAX_LISTEN; i++)
        s.listen_fd[i] = -1;
    char dir[4096] = "", file[4096];
    const char *config_file = a.value[O_CONFIG];

    /* Signals blocked before any thread exists (every thread inherits the
     * mask; this one takes them with sigwait). SIGPIPE ignored: a client
     * that goes away must not kill the service. A shell starts background
     * jobs with SIGINT ignored: back to the default action, never taken
     * while blocked. */
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    struct sigaction ign = {.sa_handler = SIG_IGN}, dfl = {.sa_handler = SIG_DFL}, o_pipe, o_term,
                     o_int, o_hup;
    sigemptyset(&ign.sa_mask);
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGPIPE, &ign, &o_pipe);
    sigaction(SIGTERM, &dfl, &o_term);
    sigaction(SIGINT, &dfl, &o_int);
    sigaction(SIGHUP, &dfl, &o_hup);

    if (demo) {
        unsigned port = 0;
        rc = serve_demo_pki(dir, sizeof dir);
        if (rc == TOOL_EXIT_OK && (s.listen_fd[0] = demo_socket(&port)) < 0)
            rc = TOOL_EXIT_FAIL;
        if (rc == TOOL_EXIT_OK)
            rc = serve_demo_config(dir, port, file, sizeof file);
        config_file = file;
    }
    if (rc == TOOL_EXIT_OK)
        rc = serve_config_load(config_file, demo, &cfg);
    serve_snap *snap = NULL;
    if (rc == TOOL_EXIT_OK) {
        char err[512] = "";
        if (serve_snap_build(&cfg, 1, &snap, err, sizeof err) != 0) {
            tool_error("serve: %s: %s", config_file, err);
            rc = SERVE_EXIT_CONFIG;
        }
    }
    if (rc == TOOL_EXIT_OK && a.seen[O_CHECK]) {
        printf("%s: ok\n", config_file);
    } else if (rc == TOOL_EXIT_OK) {
        s.cfg = &cfg;
        s.config_file = demo ? NULL : config_file;
        if (pthread_mutex_init(&s.mu, NULL) != 0 || serve_metrics_init(&s.metrics) != 0) {
            tool_error("serve: cannot create locks");
            rc = TOOL_EXIT_FAIL;
        } else {
            serve_snap_install(&s, snap);
            snap = NULL;
            char err[512] = "";
            if (serve_oob_start(&s, err, sizeof err) != 0) {
                tool_error("serve: %s: %s", config_file, err);
                rc = SERVE_EXIT_CONFIG;
            } else {
                if (cfg.oob.cps || cfg.oob.gateway)
                    s.metrics.oob = &s.oob;
                rc = serve_run(&s, a.value[O_READY] ? a.value[O_READY] : cfg.ready_file,
                               demo ? dir : NULL);
            }
            /* In-flight requests get up to the request timeout to finish. */
            serve_http_stop(&s, cfg.request_timeout_s);
            serve_oob_stop(&s);
            serve_snap_install(&s, NULL);
            serve_metrics_destroy(&s.metrics);
            pthread_mutex_destroy(&s.mu);
        }
    }
    serve_snap_release(snap);
    for (size_t i = 0; i < SERVE_MAX_LISTEN; i++)
        if (s.listen_fd[i] >= 0)
            close(s.listen_fd[i]);
    serve_config_free(&cfg);
    if (demo && dir[0] != '\0')
        serve_demo_cleanup(dir);
    sigaction(SIGPIPE, &o_pipe, NULL);
    sigaction(SIGTERM, &o_term, NULL);
    sigaction(SIGINT, &o_int, NULL);
    sigaction(SIGHUP, &o_hup, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}
