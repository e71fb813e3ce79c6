/*
 * The fixture shared by the x5u fetcher tests (test_fetch*.c): see
 * fetch_fixture.h.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "fetch_fixture.h"
#include "fetch/fetch_internal.h"

#ifndef X5U_SERVER
#error "X5U_SERVER: path of x5u_server.py"
#endif
#define PYTHON "/usr/bin/python3"

char tmpdir[64];
pid_t server_pid = -1;
int port_https, port_http, port_badtls, port_badname;
static char ca_file[128];
int64_t t_now = TP_T0;
tp_cert *root, *inter, *sp;
char *chain_sp;
uint8_t *buf;
static unsigned dir_serial;

/* ------------------------------------------------------------------------ */
/* Server                                                                    */
/* ------------------------------------------------------------------------ */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void write_file(const char *path, const void *p, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(p, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
}

/* Starts the server; 0 when it is up, -1 when python3 is missing. */
static int start_server(void)
{
    if (access(PYTHON, X_OK) != 0) {
        fprintf(stderr, "test_fetch: %s not found: skipping the tests that need the local "
                        "x5u server\n", PYTHON);
        return -1;
    }
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execl(PYTHON, PYTHON, X5U_SERVER, tmpdir, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    server_pid = pid;
    char line[256];
    size_t n = 0;
    /* Key generation and start-up take well under a second; under valgrind
     * the test itself is slow, the server is not. */
    while (n < sizeof line - 1) {
        struct pollfd p = {.fd = fds[0], .events = POLLIN};
        if (poll(&p, 1, 30000) != 1)
            fail_msg("x5u_server.py did not say READY within 30 s");
        if (read(fds[0], line + n, 1) != 1)
            fail_msg("x5u_server.py exited before it was ready (its errors are above; it "
                     "needs the openssl command)");
        if (line[n] == '\n')
            break;
        n++;
    }
    line[n] = '\0';
    close(fds[0]);
    assert_int_equal(sscanf(line, "READY https=%d http=%d badtls=%d badname=%d", &port_https,
                            &port_http, &port_badtls, &port_badname),
                     4);
    return 0;
}

int group_setup(void **state)
{
    (void)state;
    strcpy(tmpdir, "/tmp/clid-fetch-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    snprintf(ca_file, sizeof ca_file, "%s/ca.pem", tmpdir);
    root = tp_issue(&(tp_spec){.cn = "Test Root", .ca = 1, .not_before = TP_T0 - 3650 * TP_DAY,
                               .not_after = TP_T0 + 3650 * TP_DAY},
                    NULL);
    inter = tp_issue(&(tp_spec){.cn = "Test STI-CA", .ca = 1, .not_before = TP_T0 - 365 * TP_DAY,
                                .not_after = TP_T0 + 3 * 365 * TP_DAY},
                     root);
    sp = tp_issue(&(tp_spec){.cn = "SHAKEN 709J", .tnauth = "spc:709J"}, inter);
    chain_sp = tp_cat(sp->pem, inter->pem, NULL);
    char path[128];
    snprintf(path, sizeof path, "%s/chain.pem", tmpdir);
    write_file(path, chain_sp, strlen(chain_sp));
    buf = malloc(BUF_CAP);
    assert_non_null(buf);
    assert_int_equal(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
    (void)start_server();
    return 0;
}

int group_teardown(void **state)
{
    (void)state;
    if (server_pid > 0) {
        kill(server_pid, SIGTERM);
        waitpid(server_pid, NULL, 0);
    }
    nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    tp_free(sp);
    tp_free(inter);
    tp_free(root);
    free(chain_sp);
    free(buf);
    curl_global_cleanup();
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Fetching from the server                                                  */
/* ------------------------------------------------------------------------ */

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
    char *out = ud;
    size_t have = strlen(out), add = size * n;
    if (add > 4095 - have)
        add = 4095 - have;
    memcpy(out + have, p, add);
    out[have + add] = '\0';
    return size * n;
}

/* How many requests the server has seen for `path`. */
int count(const char *path)
{
    char url[64], text[4096] = "";
    snprintf(url, sizeof url, "http://127.0.0.1:%d/count", port_http);
    CURL *h = curl_easy_init();
    assert_non_null(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, text);
    curl_easy_setopt(h, CURLOPT_PROXY, "");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    assert_int_equal(curl_easy_perform(h), CURLE_OK);
    curl_easy_cleanup(h);
    size_t pl = strlen(path);
    for (char *line = text; *line;) {
        char *nl = strchr(line, '\n');
        if (strncmp(line, path, pl) == 0 && line[pl] == ' ')
            return atoi(line + pl + 1);
        if (nl == NULL)
            break;
        line = nl + 1;
    }
    return 0;
}

const char *url_of(const char *host, int port, const char *path)
{
    static char url[256];
    snprintf(url, sizeof url, "https://%s:%d%s", host, port, path);
    return url;
}

const char *https(const char *path)
{
    return url_of("localhost", port_https, path);
}

/* A fetcher for the local server: loopback allowed, the test CA, the test
 * clock, and timeouts generous enough for valgrind. */
clid_fetcher *new_fetcher(void)
{
    clid_fetcher *f = NULL;
    assert_int_equal(clid_fetcher_new(&f), CLID_OK);
    assert_int_equal(clid_fetcher_allow_private(f, 1), CLID_OK);
    assert_int_equal(clid_fetcher_set_ca_file(f, ca_file), CLID_OK);
    assert_int_equal(clid_fetcher_set_clock(f, tp_fixed_clock, &t_now), CLID_OK);
    assert_int_equal(clid_fetcher_set_timeouts(f, 10000, 20000), CLID_OK);
    return f;
}

clid_err fetch(clid_fetcher *f, const char *url, size_t *len, int64_t *max_age)
{
    size_t l = 0;
    int64_t m = 0;
    clid_err rc = clid_fetcher_fetch(f, url, buf, BUF_CAP, len ? len : &l, max_age ? max_age : &m);
    return rc;
}

void assert_stats(const clid_fetcher *f, uint64_t requests, uint64_t hits, uint64_t negative,
                  uint64_t failures)
{
    clid_fetcher_stats s;
    clid_fetcher_get_stats(f, &s);
    assert_int_equal(s.requests, requests);
    assert_int_equal(s.cache_hits, hits);
    assert_int_equal(s.negative_hits, negative);
    assert_int_equal(s.failures, failures);
}

/* A new directory for a persistent cache. */
const char *new_cache_dir(void)
{
    static char dir[128];
    snprintf(dir, sizeof dir, "%s/cache%u", tmpdir, dir_serial++);
    return dir;
}

/* ------------------------------------------------------------------------ */
/* Persistent file format                                                    */
/* ------------------------------------------------------------------------ */

char *cache_file_path(const char *dir, const char *url)
{
    char name[65];
    assert_int_equal(clid__fcache_file_name(url, name), CLID_OK);
    char *p = malloc(strlen(dir) + 70);
    assert_non_null(p);
    sprintf(p, "%s/%s", dir, name);
    return p;
}

uint8_t *read_whole(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    uint8_t *p = malloc(1 << 17);
    assert_non_null(p);
    *n = fread(p, 1, 1 << 17, fp);
    fclose(fp);
    return p;
}
