/*
 * clid conform serve --root DIR (--cert-pem F --key-pem F | --http)
 *     [--port N] [--ready-file F] [--bind ADDR]
 *
 * The suite's x5u and CRL server (CONFORM-SPEC "The generated suite"):
 * HTTPS with libmicrohttpd and its GnuTLS, on loopback unless --bind says
 * otherwise, on a port the kernel picks unless --port says otherwise. Once
 * listening it writes {"port": N, "pid": P} to the ready file atomically
 * (a temporary file renamed), so a test or the runner polls for the file
 * instead of sleeping. It serves until SIGTERM or SIGINT, then stops
 * cleanly and exits 0.
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

#include <openssl/crypto.h>

#include "conform/conform.h"
#include "conform/serve.h"
#include "httpd.h"
#include "util.h"

void conform_serve_help(FILE *f)
{
    fputs("usage: clid conform serve --root DIR (--cert-pem FILE --key-pem FILE | --http)\n"
          "                          [--port N] [--ready-file FILE] [--bind ADDR]\n"
          "\n"
          "Serves DIR (a generated suite's www/) over HTTPS for x5u and CRL retrieval,\n"
          "until SIGTERM or SIGINT (then exit 0). GET and HEAD only; paths stay under DIR\n"
          "(no '..', no symbolic link followed). DIR/routes.json changes what paths do:\n"
          "  {\"/path\": {\"status\": 404} | {\"delay_ms\": N} | {\"redirect\": \"/other\"} |\n"
          "             {\"body_bytes\": N}, ...}\n"
          "Access log on stderr: METHOD PATH STATUS \"USER-AGENT\", one line per request.\n"
          "\n"
          "  --cert-pem FILE    the server's certificate (and chain), PEM\n"
          "  --key-pem FILE     its private key, PEM (unencrypted)\n"
          "  --http             plain HTTP instead (CRL distribution points are http URLs)\n"
          "  --port N           0 (default): the kernel picks a free port\n"
          "  --ready-file FILE  once listening, {\"port\":N,\"pid\":P} written there atomically\n"
          "  --bind ADDR        IPv4 or IPv6 literal to listen on (default 127.0.0.1)\n"
          "\n"
          "Manual: docs/cli.md (clid conform serve)\n",
          f);
}

static const tool_opt serve_opts[] = {
    {"--root", NULL, 1, 0},       {"--cert-pem", NULL, 1, 0}, {"--key-pem", NULL, 1, 0},
    {"--port", NULL, 1, 0},       {"--ready-file", NULL, 1, 0}, {"--bind", NULL, 1, 0},
    {"--http", NULL, 0, 0},       {"--help", "-h", 0, 0},
};
enum { O_ROOT, O_CERT, O_KEY, O_PORT, O_READY, O_BIND, O_HTTP, O_HELP };

int conform_serve_cmd(int argc, char **argv)
{
    tool_args a;
    int rc = tool_parse_args("conform serve", "conform", argc - 1, argv + 1, serve_opts,
                             sizeof serve_opts / sizeof serve_opts[0], &a);
    if (rc != TOOL_EXIT_OK)
        return rc;
    if (a.seen[O_HELP]) {
        conform_serve_help(stdout);
        return TOOL_EXIT_OK;
    }
    if (a.npos != 0)
        return tool_usage_error("conform serve", "conform", "unexpected operand '%s'", a.pos[0]);
    conform_serve_opts o = {
        .root = a.value[O_ROOT],
        .cert_pem = a.value[O_CERT],
        .key_pem = a.value[O_KEY],
        .http = a.seen[O_HTTP] != 0,
        .ready_file = a.value[O_READY],
        .bind = a.value[O_BIND],
    };
    if (o.root == NULL)
        return tool_usage_error("conform serve", "conform", "--root DIR is required");
    if (o.http && (o.cert_pem || o.key_pem))
        return tool_usage_error("conform serve", "conform",
                                "--http serves plain HTTP: no --cert-pem or --key-pem");
    if (!o.http && (o.cert_pem == NULL || o.key_pem == NULL))
        return tool_usage_error("conform serve", "conform",
                                "HTTPS needs --cert-pem FILE and --key-pem FILE (or --http)");
    if (a.value[O_PORT] != NULL) {
        char *end;
        errno = 0;
        unsigned long p = strtoul(a.value[O_PORT], &end, 10);
        if (errno != 0 || *end != '\0' || end == a.value[O_PORT] || p > 65535 ||
            a.value[O_PORT][0] == '-' || a.value[O_PORT][0] == '+')
            return tool_usage_error("conform serve", "conform",
                                    "--port '%s': expected 0..65535 (0: the kernel picks)",
                                    a.value[O_PORT]);
        o.port = (unsigned)p;
    }
    return conform_serve(&o);
}

int conform_serve(const conform_serve_opts *o)
{
    int rc;
    char *cert = NULL, *key = NULL;
    serve_state s;
    httpd_addr addr;
    int v6;
    const char *bind = o->bind ? o->bind : "127.0.0.1";
    if (httpd_parse_addr(bind, o->port, &addr, &v6) != 0)
        return tool_usage_error("conform serve", "conform",
                                "--bind '%s': expected an IPv4 or IPv6 address literal", bind);
    memset(&s, 0, sizeof s);
    s.rootfd = open(o->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (s.rootfd < 0) {
        tool_error("conform serve: %s: %s", o->root, strerror(errno));
        return TOOL_EXIT_NOINPUT;
    }
    if ((rc = serve_routes_load(s.rootfd, o->root, &s.routes)) != TOOL_EXIT_OK ||
        (!o->http && ((rc = httpd_read_pem("conform serve", o->cert_pem, &cert)) != TOOL_EXIT_OK ||
                      (rc = httpd_read_pem("conform serve", o->key_pem, &key)) != TOOL_EXIT_OK))) {
        close(s.rootfd);
        serve_routes_free(&s.routes);
        free(cert);
        free(key);
        return rc;
    }
    if (serve_state_init(&s) != 0) {
        tool_error("conform serve: cannot create the server's locks");
        close(s.rootfd);
        serve_routes_free(&s.routes);
        free(cert);
        free(key);
        return TOOL_EXIT_FAIL;
    }
    /* SIGTERM and SIGINT blocked in every thread (the daemon's inherit the
     * mask) and taken by sigwait below: no handler, no async-signal rules.
     * SIGPIPE ignored: a client that goes away must not kill the server. */
    sigset_t stop, old;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, &old);
    struct sigaction ign = {.sa_handler = SIG_IGN}, dfl = {.sa_handler = SIG_DFL}, old_pipe,
                     old_term, old_int;
    sigemptyset(&ign.sa_mask);
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGPIPE, &ign, &old_pipe);
    /* A shell starts background jobs with SIGINT ignored; POSIX leaves
     * sigwait on an ignored signal unspecified: the default action while
     * blocked (never taken: sigwait consumes the signal). */
    sigaction(SIGTERM, &dfl, &old_term);
    sigaction(SIGINT, &dfl, &old_int);

    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0) | (o->http ? 0 : MHD_USE_TLS);
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)o->port, NULL, NULL, serve_handle, &s, MHD_OPTION_SOCK_ADDR, &addr.sa,
        MHD_OPTION_CONNECTION_LIMIT, 128u, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
        /* Request line and headers within 32 KiB: longer is answered 414/431. */
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768, MHD_OPTION_UNESCAPE_CALLBACK,
        serve_unescape, NULL,
        o->http ? MHD_OPTION_END : MHD_OPTION_HTTPS_MEM_CERT, cert, MHD_OPTION_HTTPS_MEM_KEY,
        key, MHD_OPTION_END);
    if (d == NULL) {
        tool_error("conform serve: cannot listen on %s port %u (taken, or the certificate and "
                   "key do not match)",
                   bind, o->port);
        rc = TOOL_EXIT_FAIL;
    } else {
        const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
        unsigned port = info != NULL ? info->port : 0;
        rc = TOOL_EXIT_OK;
        if (port == 0) {
            tool_error("conform serve: cannot tell the port listened on");
            rc = TOOL_EXIT_FAIL;
        } else if (o->ready_file != NULL && httpd_write_ready("conform serve", o->ready_file, port) != 0) {
            rc = TOOL_EXIT_FAIL;
        } else {
            printf("%s://%s%s%s:%u/\n", o->http ? "http" : "https", v6 ? "[" : "", bind,
                   v6 ? "]" : "", port);
            fflush(stdout);
            int sig = 0;
            while (sigwait(&stop, &sig) != 0)
                ;
        }
        /* Delayed requests give up their wait, then the daemon joins them. */
        serve_state_stop(&s);
        MHD_stop_daemon(d);
    }
    sigaction(SIGPIPE, &old_pipe, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGINT, &old_int, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    serve_state_destroy(&s);
    serve_routes_free(&s.routes);
    close(s.rootfd);
    if (key != NULL)
        OPENSSL_cleanse(key, strlen(key));
    free(cert);
    free(key);
    return rc;
}
