/*
 * Unit tests of the x5u fetcher (clid_fetch.h; fetch.c, url_policy.c,
 * http_fresh.c, fetch_cache.c, fetch_disk.c).
 *
 * Parsers first (URL policy, address policy, Cache-Control / Expires /
 * HTTP-date, the persistent file format), then retrieval against a local
 * server: lib/tests/x5u_server.py, started by the group setup (fork + exec
 * of /usr/bin/python3, its ports read from its first line of output) and
 * killed by PID at teardown. It listens on 127.0.0.1 only, so the fetchers
 * here allow private addresses, except where the test is that they do not.
 * The server counts requests per path (GET /count over plain HTTP), which is
 * how "the server saw one request" is asserted.
 *
 * Without /usr/bin/python3 the server tests are skipped with a message; the
 * parser tests still run.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <clid/clid_fetch.h>

#include "fetch_disk.h"
#include "fetch_internal.h"
#include "testpki.h"

#ifndef X5U_SERVER
#error "X5U_SERVER: path of x5u_server.py"
#endif
#define PYTHON "/usr/bin/python3"
#define ORIG "12025550100"
#define DEST "13035550199"
#define BUF_CAP CLID_CHAIN_MAX_LEN

static char tmpdir[64];
static pid_t server_pid = -1;
static int port_https, port_http, port_badtls, port_badname;
static char ca_file[128];
static int64_t t_now = TP_T0;
static tp_cert *root, *inter, *sp;
static char *chain_sp;
static uint8_t *buf;
static unsigned dir_serial;

static int64_t test_clock(void *arg)
{
    return *(const int64_t *)arg;
}

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

static void write_file(const char *path, const void *p, size_t n)
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

static int group_setup(void **state)
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

static int group_teardown(void **state)
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

#define NEED_SERVER()                                                                             \
    do {                                                                                          \
        if (server_pid <= 0)                                                                      \
            skip();                                                                               \
    } while (0)

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
static int count(const char *path)
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

static const char *url_of(const char *host, int port, const char *path)
{
    static char url[256];
    snprintf(url, sizeof url, "https://%s:%d%s", host, port, path);
    return url;
}

static const char *https(const char *path)
{
    return url_of("localhost", port_https, path);
}

/* A fetcher for the local server: loopback allowed, the test CA, the test
 * clock, and timeouts generous enough for valgrind. */
static clid_fetcher *new_fetcher(void)
{
    clid_fetcher *f = NULL;
    assert_int_equal(clid_fetcher_new(&f), CLID_OK);
    assert_int_equal(clid_fetcher_allow_private(f, 1), CLID_OK);
    assert_int_equal(clid_fetcher_set_ca_file(f, ca_file), CLID_OK);
    assert_int_equal(clid_fetcher_set_clock(f, test_clock, &t_now), CLID_OK);
    assert_int_equal(clid_fetcher_set_timeouts(f, 10000, 20000), CLID_OK);
    return f;
}

static clid_err fetch(clid_fetcher *f, const char *url, size_t *len, int64_t *max_age)
{
    size_t l = 0;
    int64_t m = 0;
    clid_err rc = clid_fetcher_fetch(f, url, buf, BUF_CAP, len ? len : &l, max_age ? max_age : &m);
    return rc;
}

static void assert_stats(const clid_fetcher *f, uint64_t requests, uint64_t hits,
                         uint64_t negative, uint64_t failures)
{
    clid_fetcher_stats s;
    clid_fetcher_get_stats(f, &s);
    assert_int_equal(s.requests, requests);
    assert_int_equal(s.cache_hits, hits);
    assert_int_equal(s.negative_hits, negative);
    assert_int_equal(s.failures, failures);
}

/* A new directory for a persistent cache. */
static const char *new_cache_dir(void)
{
    static char dir[128];
    snprintf(dir, sizeof dir, "%s/cache%u", tmpdir, dir_serial++);
    return dir;
}

/* ------------------------------------------------------------------------ */
/* URL policy                                                                */
/* ------------------------------------------------------------------------ */

static void test_url_policy_table(void **state)
{
    (void)state;
    static const struct {
        const char *url;
        clid_err want; /* under the default policy */
    } cases[] = {
        {"https://cert.example.org/sp.pem", CLID_OK},
        {"HTTPS://Cert.Example.ORG/sp.pem", CLID_OK},
        {"https://cert.example.org", CLID_OK},
        {"https://cert.example.org:8443/sti/sp.pem", CLID_OK},
        {"https://cert2.sticr.att.net:8443/a/b/c.pem", CLID_OK}, /* asterisk#1271 */
        {"https://cert.example.org:443/sp.pem", CLID_OK},
        {"https://x_y.example.org/a%20b.pem", CLID_OK},
        {"https://8.8.8.8/sp.pem", CLID_OK},
        {"https://[2001:db8::1]/sp.pem", CLID_OK},
        {"https://[2001:db8::1]:8443/sp.pem", CLID_OK},
        {"https://cert.example.org/a:b@c/!$&'()*+,;=~.pem", CLID_OK},
        /* scheme */
        {"http://cert.example.org/sp.pem", CLID_ERR_X5U_URL_POLICY},
        {"ftp://cert.example.org/sp.pem", CLID_ERR_X5U_URL_POLICY},
        {"file:///etc/passwd", CLID_ERR_X5U_URL_POLICY},
        {"https:/cert.example.org/sp.pem", CLID_ERR_X5U_URL_POLICY},
        {"//cert.example.org/sp.pem", CLID_ERR_X5U_URL_POLICY},
        {"cert.example.org/sp.pem", CLID_ERR_X5U_URL_POLICY},
        {"", CLID_ERR_X5U_URL_POLICY},
        /* userinfo, query, fragment */
        {"https://user@cert.example.org/sp.pem", CLID_ERR_X5U_URL_POLICY},
        {"https://user:pw@cert.example.org/sp.pem", CLID_ERR_X5U_URL_POLICY},
        {"https://cert.example.org@169.254.169.254/", CLID_ERR_X5U_URL_POLICY},
        {"https://cert.example.org/sp.pem?a=b", CLID_ERR_X5U_URL_POLICY},
        {"https://cert.example.org/sp.pem#frag", CLID_ERR_X5U_URL_POLICY},
        {"https://cert.example.org/sp.pem?", CLID_ERR_X5U_URL_POLICY},
        /* host */
        {"https:///sp.pem", CLID_ERR_X5U_URL_POLICY},
        {"https://cert..example.org/", CLID_ERR_X5U_URL_POLICY},
        {"https://.example.org/", CLID_ERR_X5U_URL_POLICY},
        {"https://cert.example.org./", CLID_ERR_X5U_URL_POLICY},
        {"https://-cert.example.org/", CLID_ERR_X5U_URL_POLICY},
        {"https://cert-.example.org/", CLID_ERR_X5U_URL_POLICY},
        {"https://c%65rt.example.org/", CLID_ERR_X5U_URL_POLICY},
        {"https://cert.example.org\\@evil/", CLID_ERR_X5U_URL_POLICY},
        {"https://127.1/", CLID_ERR_X5U_URL_POLICY},
        {"https://0x7f.0.0.1/", CLID_ERR_X5U_URL_POLICY},
        {"https://2130706433/", CLID_ERR_X5U_URL_POLICY},
        {"https://010.0.0.1/", CLID_ERR_X5U_URL_POLICY},
        {"https://256.1.1.1/", CLID_ERR_X5U_URL_POLICY},
        {"https://1.2.3.4.5/", CLID_ERR_X5U_URL_POLICY},
        {"https://example.123/", CLID_ERR_X5U_URL_POLICY},
        {"https://[::1/", CLID_ERR_X5U_URL_POLICY},
        {"https://[fe80::1%25eth0]/", CLID_ERR_X5U_URL_POLICY},
        {"https://[2001:db8::1]x/", CLID_ERR_X5U_URL_POLICY},
        {"https://[not:an:address]/", CLID_ERR_X5U_URL_POLICY},
        /* the address rule on literals */
        {"https://127.0.0.1/", CLID_ERR_X5U_URL_POLICY},
        {"https://10.1.2.3/", CLID_ERR_X5U_URL_POLICY},
        {"https://169.254.169.254/latest/meta-data/", CLID_ERR_X5U_URL_POLICY},
        {"https://[::1]/", CLID_ERR_X5U_URL_POLICY},
        {"https://[::ffff:127.0.0.1]/", CLID_ERR_X5U_URL_POLICY},
        {"https://[::ffff:10.0.0.1]/", CLID_ERR_X5U_URL_POLICY},
        {"https://[fd00::1]/", CLID_ERR_X5U_URL_POLICY},
        {"https://0.0.0.0/", CLID_ERR_X5U_URL_POLICY},
        /* port */
        {"https://cert.example.org:/", CLID_ERR_X5U_URL_POLICY},
        {"https://cert.example.org:0/", CLID_ERR_X5U_URL_POLICY},
        {"https://cert.example.org:65536/", CLID_ERR_X5U_URL_POLICY},
        {"https://cert.example.org:0443/", CLID_ERR_X5U_URL_POLICY},
        {"https://cert.example.org:44a/", CLID_ERR_X5U_URL_POLICY},
        {"https://cert.example.org:443:443/", CLID_ERR_X5U_URL_POLICY},
        {"https://cert.example.org:-1/", CLID_ERR_X5U_URL_POLICY},
        /* characters */
        {"https://cert.example.org/a b.pem", CLID_ERR_X5U_URL_POLICY},
        {"https://cert.example.org/a\tb.pem", CLID_ERR_X5U_URL_POLICY},
        {"https://cert.example.org/a\r\nHost: evil", CLID_ERR_X5U_URL_POLICY},
        {"https://cert.example.org/a\x7f", CLID_ERR_X5U_URL_POLICY},
        {"https://cert.example.org/caf\xc3\xa9.pem", CLID_ERR_X5U_URL_POLICY},
        {"https://cert.example.org/a\\b.pem", CLID_ERR_X5U_URL_POLICY},
        {"https://cert.example.org/a<b>.pem", CLID_ERR_X5U_URL_POLICY},
        {"https://cert.example.org/a\"b.pem", CLID_ERR_X5U_URL_POLICY},
        {"https://cert.example.org/a%2.pem", CLID_ERR_X5U_URL_POLICY},
        {"https://cert.example.org/a%zz.pem", CLID_ERR_X5U_URL_POLICY},
        {"https://cert.example.org/a%", CLID_ERR_X5U_URL_POLICY},
    };
    clid_fetcher *f = NULL;
    assert_int_equal(clid_fetcher_new(&f), CLID_OK);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        clid_err got = clid_fetcher_check_url(f, cases[i].url);
        if (got != cases[i].want)
            fail_msg("%s: got %s, want %s", cases[i].url, clid_err_name(got),
                     clid_err_name(cases[i].want));
    }
    clid_fetcher_free(f);
}

static void test_url_policy_knobs(void **state)
{
    (void)state;
    clid_fetcher *f = NULL;
    assert_int_equal(clid_fetcher_new(&f), CLID_OK);
    const char *http = "http://cert.example.org/sp.pem";
    const char *query = "https://cert.example.org/sp.pem?v=2&x=/a?b";
    assert_int_equal(clid_fetcher_check_url(f, http), CLID_ERR_X5U_URL_POLICY);
    assert_int_equal(clid_fetcher_allow_http(f, 1), CLID_OK);
    assert_int_equal(clid_fetcher_check_url(f, http), CLID_OK);

    assert_int_equal(clid_fetcher_check_url(f, query), CLID_ERR_X5U_URL_POLICY);
    assert_int_equal(clid_fetcher_allow_query(f, 1), CLID_OK);
    assert_int_equal(clid_fetcher_check_url(f, query), CLID_OK);
    /* Fragments and userinfo stay refused whatever the knobs. */
    assert_int_equal(clid_fetcher_check_url(f, "https://cert.example.org/sp.pem#x"),
                     CLID_ERR_X5U_URL_POLICY);
    assert_int_equal(clid_fetcher_check_url(f, "https://u@cert.example.org/sp.pem"),
                     CLID_ERR_X5U_URL_POLICY);

    /* Ports: any until one is allowed; then only those (443 and 8443 both
     * pass: asterisk#1271 refused 8443 while claiming to allow it). */
    assert_int_equal(clid_fetcher_check_url(f, "https://c.example.org:9999/"), CLID_OK);
    assert_int_equal(clid_fetcher_allow_port(f, 443), CLID_OK);
    assert_int_equal(clid_fetcher_allow_port(f, 8443), CLID_OK);
    assert_int_equal(clid_fetcher_allow_port(f, 8443), CLID_OK); /* again: no-op */
    assert_int_equal(clid_fetcher_check_url(f, "https://c.example.org/"), CLID_OK);
    assert_int_equal(clid_fetcher_check_url(f, "https://c.example.org:443/"), CLID_OK);
    assert_int_equal(clid_fetcher_check_url(f, "https://c.example.org:8443/"), CLID_OK);
    assert_int_equal(clid_fetcher_check_url(f, "https://c.example.org:9999/"),
                     CLID_ERR_X5U_URL_POLICY);
    /* http's default port is 80, not in the list */
    assert_int_equal(clid_fetcher_check_url(f, http), CLID_ERR_X5U_URL_POLICY);

    /* Private literals pass only with allow_private. */
    assert_int_equal(clid_fetcher_check_url(f, "https://127.0.0.1/"), CLID_ERR_X5U_URL_POLICY);
    assert_int_equal(clid_fetcher_allow_private(f, 1), CLID_OK);
    assert_int_equal(clid_fetcher_check_url(f, "https://127.0.0.1/"), CLID_OK);
    assert_int_equal(clid_fetcher_check_url(f, "https://[::1]/"), CLID_OK);
    /* ... but not spellings of them that parsers disagree on */
    assert_int_equal(clid_fetcher_check_url(f, "https://127.1/"), CLID_ERR_X5U_URL_POLICY);

    /* Length: 2048 bytes pass, 2049 do not. */
    char *longu = malloc(2050);
    assert_non_null(longu);
    memcpy(longu, "https://c.example.org/", 22);
    memset(longu + 22, 'a', 2048 - 22);
    longu[2048] = '\0';
    assert_int_equal(clid_fetcher_check_url(f, longu), CLID_OK);
    longu[2048] = 'a';
    longu[2049] = '\0';
    assert_int_equal(clid_fetcher_check_url(f, longu), CLID_ERR_X5U_URL_POLICY);
    free(longu);
    /* A 63-byte label passes, 64 do not; a 253-byte name passes, 254 not. */
    char host[300];
    snprintf(host, sizeof host, "https://%.63s.example.org/",
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    assert_int_equal(clid_fetcher_check_url(f, host), CLID_OK);
    snprintf(host, sizeof host, "https://%.64s.example.org/",
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    assert_int_equal(clid_fetcher_check_url(f, host), CLID_ERR_X5U_URL_POLICY);
    /* 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 bytes; one more is too long. */
    char name[300];
    memset(host, 'a', 63);
    host[63] = '\0';
    snprintf(name, sizeof name, "https://%.63s.%.63s.%.63s.%.61s/", host, host, host, host);
    assert_int_equal(clid_fetcher_check_url(f, name), CLID_OK);
    snprintf(name, sizeof name, "https://%.63s.%.63s.%.63s.%.62s/", host, host, host, host);
    assert_int_equal(clid_fetcher_check_url(f, name), CLID_ERR_X5U_URL_POLICY);
    clid_fetcher_free(f);
}

static void test_url_parse_fields(void **state)
{
    (void)state;
    clid__url u;
    assert_int_equal(clid__url_parse("https://Cert.Example.org:8443/a", &u), CLID_OK);
    assert_true(u.https);
    assert_int_equal(u.kind, CLID__HOST_NAME);
    assert_string_equal(u.host, "Cert.Example.org");
    assert_int_equal(u.port, 8443);
    assert_int_equal(clid__url_parse("http://192.0.2.1/a?b#c", &u), CLID_OK);
    assert_false(u.https);
    assert_int_equal(u.kind, CLID__HOST_IPV4);
    assert_int_equal(u.port, 80);
    assert_true(u.has_query);
    assert_true(u.has_fragment);
    assert_int_equal(clid__url_parse("https://[2001:db8::7]/", &u), CLID_OK);
    assert_int_equal(u.kind, CLID__HOST_IPV6);
    assert_string_equal(u.host, "2001:db8::7");
    assert_int_equal(u.port, 443);
    assert_int_equal(clid__url_parse(NULL, &u), CLID_ERR_INVALID_ARGUMENT);
}

/* Every prefix of valid URLs, each in a buffer of exactly its size (so an
 * over-read is caught by ASan and valgrind): never a crash, and the same
 * answer as a hand-written expectation for the prefixes that must pass. */
static void test_url_truncation(void **state)
{
    (void)state;
    static const char *const urls[] = {
        "https://cert.example.org:8443/sti/chain%2F1.pem?v=2",
        "https://[2001:db8::1]:443/a.pem",
        "http://192.0.2.10:80/x",
    };
    clid__url_policy pol = {.allow_http = 1, .allow_query = 1};
    for (size_t k = 0; k < sizeof urls / sizeof urls[0]; k++) {
        size_t n = strlen(urls[k]);
        for (size_t len = 0; len <= n; len++) {
            char *p = malloc(len + 1);
            assert_non_null(p);
            memcpy(p, urls[k], len);
            p[len] = '\0';
            clid__url u;
            clid_err rc = clid__url_check(&pol, p, &u);
            assert_true(rc == CLID_OK || rc == CLID_ERR_X5U_URL_POLICY);
            free(p);
        }
    }
    /* The prefixes that are URLs in their own right. */
    assert_int_equal(clid__url_parse("https://c", &(clid__url){0}), CLID_OK);
    assert_int_equal(clid__url_parse("https://", &(clid__url){0}), CLID_ERR_X5U_URL_POLICY);
    assert_int_equal(clid__url_parse("https://c:", &(clid__url){0}), CLID_ERR_X5U_URL_POLICY);
    assert_int_equal(clid__url_parse("https://c:8", &(clid__url){0}), CLID_OK);
    assert_int_equal(clid__url_parse("https://[2001:db8::1", &(clid__url){0}),
                     CLID_ERR_X5U_URL_POLICY);
    assert_int_equal(clid__url_parse("https://c/a%2", &(clid__url){0}), CLID_ERR_X5U_URL_POLICY);
    assert_int_equal(clid__url_parse("https://192.0.2.1", &(clid__url){0}), CLID_OK);
    assert_int_equal(clid__url_parse("https://192.0.2.", &(clid__url){0}),
                     CLID_ERR_X5U_URL_POLICY);
    assert_int_equal(clid__url_parse("https://192.0.2", &(clid__url){0}),
                     CLID_ERR_X5U_URL_POLICY);
}

/* A control, space, DEL or non-ASCII byte anywhere refuses the URL. */
static void test_url_bad_bytes(void **state)
{
    (void)state;
    const char *good = "https://cert.example.org:8443/sti/chain.pem";
    static const char bad[] = {'\r', '\n', '\t', ' ', 0x01, 0x7f, (char)0x80, (char)0xff};
    clid__url_policy pol = {0};
    size_t n = strlen(good);
    char p[64];
    for (size_t i = 0; i < n; i++)
        for (size_t b = 0; b < sizeof bad; b++) {
            memcpy(p, good, n + 1);
            p[i] = bad[b];
            clid__url u;
            assert_int_equal(clid__url_check(&pol, p, &u), CLID_ERR_X5U_URL_POLICY);
        }
}

static int addr_public(const char *text)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    if (strchr(text, ':')) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        assert_int_equal(inet_pton(AF_INET6, text, &a->sin6_addr), 1);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        assert_int_equal(inet_pton(AF_INET, text, &a->sin_addr), 1);
    }
    return clid__addr_is_public((struct sockaddr *)&ss);
}

static void test_address_policy(void **state)
{
    (void)state;
    static const char *const refused[] = {
        "0.0.0.0", "0.1.2.3", "10.0.0.1", "10.255.255.255", "100.64.0.1", "100.127.255.254",
        "127.0.0.1", "127.255.255.255", "169.254.169.254", "172.16.0.1", "172.31.255.255",
        "192.0.0.8", "192.168.1.1", "198.18.0.1", "198.19.255.255", "224.0.0.1",
        "239.255.255.250", "240.0.0.1", "255.255.255.255",
        "::", "::1", "::ffff:127.0.0.1", "::ffff:10.1.2.3", "::ffff:169.254.169.254",
        "::127.0.0.1", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::1",
        "2002:c0a8:101::1", "fe80::1", "febf::1", "fec0::1", "fc00::1", "fd12:3456::1",
        "ff02::1", "ff05::2",
    };
    static const char *const allowed[] = {
        "1.1.1.1", "8.8.8.8", "100.63.255.255", "100.128.0.1", "172.15.255.255",
        "172.32.0.1", "192.0.2.1", "192.169.0.1", "198.17.255.255", "198.20.0.1",
        "223.255.255.255", "11.0.0.1", "2001:db8::1", "2606:4700::1111", "::ffff:8.8.8.8",
        "64:ff9b::808:808", "2002:808:808::1", "fe00::1", "fbff::1",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (addr_public(refused[i]))
            fail_msg("%s should be refused", refused[i]);
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        if (!addr_public(allowed[i]))
            fail_msg("%s should be allowed", allowed[i]);
    struct sockaddr unix_sa = {.sa_family = AF_UNIX};
    assert_false(clid__addr_is_public(&unix_sa));
    assert_false(clid__addr_is_public(NULL));
}

/* ------------------------------------------------------------------------ */
/* Freshness parsers                                                         */
/* ------------------------------------------------------------------------ */

static int64_t fresh(const char *cc, const char *expires, const char *date, const char *age,
                     int *no_store)
{
    clid__fresh_hdrs h = {
        .cache_control = cc, .cache_control_len = cc ? strlen(cc) : 0,
        .expires = expires, .expires_len = expires ? strlen(expires) : 0,
        .date = date, .date_len = date ? strlen(date) : 0,
        .age = age, .age_len = age ? strlen(age) : 0,
    };
    return clid__http_freshness(&h, 784111777 /* Sun, 06 Nov 1994 08:49:37 GMT */, no_store);
}

static void test_cache_control(void **state)
{
    (void)state;
    static const struct {
        const char *cc;
        int64_t want;
        int no_store;
    } cases[] = {
        {"max-age=600", 600, 0},
        {"MAX-AGE=600", 600, 0},
        {"public, max-age=600", 600, 0},
        {" max-age=600 , public ", 600, 0},
        {",,max-age=600,,", 600, 0},
        {"max-age=\"600\"", 600, 0},
        {"max-age=0", 0, 0},
        {"s-maxage=60, max-age=600", 60, 0},
        {"max-age=600, s-maxage=60", 60, 0},
        {"max-age=99999999999999999999999", INT64_C(2147483648), 0},
        {"no-store", 0, 1},
        {"max-age=600, no-store", 0, 1},
        {"no-cache", 0, 0},
        {"no-cache, max-age=600", 0, 0},
        {"no-cache=\"Set-Cookie\", max-age=600", 600, 0},
        {"private, max-age=600", 600, 0},
        {"must-revalidate, max-age=600, ext=\"a,b\"", 600, 0},
        {"public", -1, 0},
        {"", -1, 0},
        {"max-age=abc", 0, 0},
        {"max-age=", 0, 0},
        {"max-age", 0, 0},
        {"max-age=-1", 0, 0},
        {"max-age=6 00", 0, 0},
        {"max-age=1, max-age=2", 0, 0},
        {"max-age=\"60\\0\"", 0, 0},
        {"max-age=\"600", 0, 0},
        {"=600", 0, 0},
        {"max age=600", 0, 0},
        {"max-age=600;", 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int ns = -1;
        int64_t got = fresh(cases[i].cc, NULL, NULL, NULL, &ns);
        if (got != cases[i].want || ns != cases[i].no_store)
            fail_msg("Cache-Control \"%s\": got %lld no_store %d", cases[i].cc, (long long)got,
                     ns);
    }
    /* Cache-Control wins over Expires; Age is subtracted. */
    assert_int_equal(fresh("max-age=600", "Sun, 06 Nov 1994 09:49:37 GMT", NULL, NULL, NULL),
                     600);
    assert_int_equal(fresh("max-age=600", NULL, NULL, "100", NULL), 500);
    assert_int_equal(fresh("max-age=600", NULL, NULL, "700", NULL), 0);
    assert_int_equal(fresh("max-age=600", NULL, NULL, "x", NULL), 600); /* bad Age ignored */
    assert_int_equal(fresh(NULL, NULL, NULL, "100", NULL), -1);
    assert_int_equal(clid__http_freshness(NULL, 0, NULL), -1);
}

static void test_expires(void **state)
{
    (void)state;
    /* Without Date: relative to the clock (784111777). */
    assert_int_equal(fresh(NULL, "Sun, 06 Nov 1994 09:49:37 GMT", NULL, NULL, NULL), 3600);
    /* With Date: Expires - Date, whatever the clock says. */
    assert_int_equal(fresh(NULL, "Mon, 01 Jan 2024 00:15:00 GMT", "Mon, 01 Jan 2024 00:00:00 GMT",
                           NULL, NULL),
                     900);
    /* A bad Date falls back to the clock. */
    assert_int_equal(fresh(NULL, "Sun, 06 Nov 1994 08:59:37 GMT", "yesterday", NULL, NULL), 600);
    /* In the past, "0", garbage: stale. */
    assert_int_equal(fresh(NULL, "Sun, 06 Nov 1994 07:49:37 GMT", NULL, NULL, NULL), 0);
    assert_int_equal(fresh(NULL, "0", NULL, NULL, NULL), 0);
    assert_int_equal(fresh(NULL, "", NULL, NULL, NULL), 0);
    assert_int_equal(fresh(NULL, "-1", NULL, NULL, NULL), 0);
    /* Age applies to Expires too. */
    assert_int_equal(fresh(NULL, "Sun, 06 Nov 1994 09:49:37 GMT", NULL, "600", NULL), 3000);
    /* Nothing at all. */
    assert_int_equal(fresh(NULL, NULL, NULL, NULL, NULL), -1);
}

static void test_http_date(void **state)
{
    (void)state;
    static const char *const same[] = {
        "Sun, 06 Nov 1994 08:49:37 GMT",  /* IMF-fixdate */
        "Sunday, 06-Nov-94 08:49:37 GMT", /* RFC 850 */
        "Sun Nov  6 08:49:37 1994",       /* asctime */
        "  Sun, 06 Nov 1994 08:49:37 GMT ",
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        int64_t t = 0;
        assert_int_equal(clid__http_date_parse(same[i], strlen(same[i]), &t), 0);
        assert_int_equal(t, 784111777);
    }
    int64_t t = 0;
    const char *s = "Thu, 01 Jan 1970 00:00:00 GMT";
    assert_int_equal(clid__http_date_parse(s, strlen(s), &t), 0);
    assert_int_equal(t, 0);
    s = "Tue, 29 Feb 2028 23:59:60 GMT"; /* leap day, leap second */
    assert_int_equal(clid__http_date_parse(s, strlen(s), &t), 0);
    assert_int_equal(t, 1835481600);
    s = "Fri, 31 Dec 9999 23:59:59 GMT";
    assert_int_equal(clid__http_date_parse(s, strlen(s), &t), 0);
    assert_int_equal(t, INT64_C(253402300799));
    s = "Thursday, 01-Jan-70 00:00:00 GMT";
    assert_int_equal(clid__http_date_parse(s, strlen(s), &t), 0);
    assert_int_equal(t, 0);
    s = "Saturday, 01-Jan-00 00:00:00 GMT";
    assert_int_equal(clid__http_date_parse(s, strlen(s), &t), 0);
    assert_int_equal(t, 946684800);

    static const char *const bad[] = {
        "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Nov 1994 08:49:37",
        "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun, 06 nov 1994 08:49:37 GMT", "Sun, 31 Feb 1994 08:49:37 GMT",
        "Sun, 29 Feb 2100 08:49:37 GMT", "Sun, 00 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:60:00 GMT",
        "Sun, 06 Nov 1994 08:49:61 GMT", "Sun, 06 Nov 1899 08:49:37 GMT",
        "Xyz, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMTx",
        "Sun, 06 Nov 1994 8:49:37 GMT",  "Sun Nov 6 08:49:37 1994", "Sun Nov  6 08:49:37 94",
        "Sunday, 06-Nov-1994 08:49:37 GMT", "Sun, 06-Nov-94 08:49:37 GMT", "0", "", " ",
        "Sun, 06 Nov 1994 08:49:37 GMT\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (clid__http_date_parse(bad[i], strlen(bad[i]), &t) != -1)
            fail_msg("\"%s\" should be refused", bad[i]);
    /* Every strict prefix is malformed, read from an exact-size buffer. */
    const char *full = "Sun, 06 Nov 1994 08:49:37 GMT";
    for (size_t len = 0; len < strlen(full); len++) {
        char *p = malloc(len ? len : 1);
        assert_non_null(p);
        memcpy(p, full, len);
        assert_int_equal(clid__http_date_parse(p, len, &t), -1);
        free(p);
    }
    assert_int_equal(clid__http_date_parse(NULL, 0, &t), -1);
}

/* ------------------------------------------------------------------------ */
/* Persistent file format                                                    */
/* ------------------------------------------------------------------------ */

static char *cache_file_path(const char *dir, const char *url)
{
    char name[65];
    assert_int_equal(clid__fcache_file_name(url, name), CLID_OK);
    char *p = malloc(strlen(dir) + 70);
    assert_non_null(p);
    sprintf(p, "%s/%s", dir, name);
    return p;
}

static uint8_t *read_whole(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    uint8_t *p = malloc(1 << 17);
    assert_non_null(p);
    *n = fread(p, 1, 1 << 17, fp);
    fclose(fp);
    return p;
}

static void test_disk_format(void **state)
{
    (void)state;
    const char *dir = new_cache_dir();
    const char *url = "https://cert.example.org/sp.pem";
    assert_int_equal(clid__fdisk_prepare(dir), CLID_OK);
    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    clid__fdisk_write(dir, url, (const uint8_t *)chain_sp, strlen(chain_sp), TP_T0 + 600);
    char *path = cache_file_path(dir, url);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    uint8_t *body = NULL;
    size_t len = 0;
    int64_t exp = 0;
    assert_int_equal(clid__fdisk_read(dir, url, TP_T0, &body, &len, &exp), CLID_OK);
    assert_int_equal(len, strlen(chain_sp));
    assert_memory_equal(body, chain_sp, len);
    assert_int_equal(exp, TP_T0 + 600);
    free(body);
    /* Another URL never gets this file's body, even under its name. */
    char *other = cache_file_path(dir, "https://other.example.org/");
    assert_int_equal(rename(path, other), 0);
    assert_int_equal(clid__fdisk_read(dir, "https://other.example.org/", TP_T0, &body, &len, &exp),
                     CLID_ERR_IO);
    assert_int_equal(access(other, F_OK), -1); /* removed */
    free(other);

    /* Every single-byte change and every truncation is detected, and the
     * damaged file removed. */
    clid__fdisk_write(dir, url, (const uint8_t *)chain_sp, strlen(chain_sp), TP_T0 + 600);
    size_t n = 0;
    uint8_t *good = read_whole(path, &n);
    for (size_t i = 0; i < n; i++) {
        good[i] ^= 0x01;
        write_file(path, good, n);
        good[i] ^= 0x01;
        if (clid__fdisk_read(dir, url, TP_T0, &body, &len, &exp) != CLID_ERR_IO)
            fail_msg("flipped byte %zu accepted", i);
        assert_int_equal(access(path, F_OK), -1);
    }
    for (size_t cut = 0; cut < n; cut++) {
        write_file(path, good, cut);
        assert_int_equal(clid__fdisk_read(dir, url, TP_T0, &body, &len, &exp), CLID_ERR_IO);
    }
    /* Intact again, then expired: removed at the first read past expiry. */
    write_file(path, good, n);
    assert_int_equal(clid__fdisk_read(dir, url, TP_T0 + 599, &body, &len, &exp), CLID_OK);
    free(body);
    assert_int_equal(clid__fdisk_read(dir, url, TP_T0 + 600, &body, &len, &exp), CLID_ERR_IO);
    assert_int_equal(access(path, F_OK), -1);
    /* A file claiming more than 24 h serves 24 h. */
    clid__fdisk_write(dir, url, (const uint8_t *)chain_sp, strlen(chain_sp), TP_T0 + 10 * 86400);
    assert_int_equal(clid__fdisk_read(dir, url, TP_T0, &body, &len, &exp), CLID_OK);
    assert_int_equal(exp, TP_T0 + 86400);
    free(body);
    assert_int_equal(unlink(path), 0);

    /* The sweep removes expired and damaged files, keeps current ones and
     * other files, and removes temporary files only when old. */
    write_file(path, good, n);
    char *junk = cache_file_path(dir, "https://junk.example.org/");
    write_file(junk, "junk", 4);
    char tmp_old[256], tmp_new[256], keep[256];
    snprintf(tmp_old, sizeof tmp_old, "%s/.tmp-old", dir);
    snprintf(tmp_new, sizeof tmp_new, "%s/.tmp-new", dir);
    snprintf(keep, sizeof keep, "%s/README", dir);
    write_file(tmp_old, "x", 1);
    write_file(tmp_new, "x", 1);
    write_file(keep, "x", 1);
    struct timespec old_times[2] = {{.tv_sec = time(NULL) - 7200}, {.tv_sec = time(NULL) - 7200}};
    assert_int_equal(utimensat(AT_FDCWD, tmp_old, old_times, 0), 0);
    clid__fdisk_sweep(dir, TP_T0);
    assert_int_equal(access(path, F_OK), 0);
    assert_int_equal(access(junk, F_OK), -1);
    assert_int_equal(access(tmp_old, F_OK), -1);
    assert_int_equal(access(tmp_new, F_OK), 0);
    assert_int_equal(access(keep, F_OK), 0);
    clid__fdisk_sweep(dir, TP_T0 + 600);
    assert_int_equal(access(path, F_OK), -1);
    free(junk);
    free(good);
    free(path);

    /* Directories: a file is not one; a world-writable one is refused. */
    assert_int_equal(clid__fdisk_prepare(keep), CLID_ERR_IO);
    char ww[256];
    snprintf(ww, sizeof ww, "%s/ww", tmpdir);
    assert_int_equal(mkdir(ww, 0700), 0);
    assert_int_equal(chmod(ww, 0777), 0);
    assert_int_equal(clid__fdisk_prepare(ww), CLID_ERR_IO);
    assert_int_equal(clid__fdisk_prepare(""), CLID_ERR_INVALID_ARGUMENT);
}

/* ------------------------------------------------------------------------ */
/* Configuration                                                             */
/* ------------------------------------------------------------------------ */

static void test_config_args(void **state)
{
    (void)state;
    clid_fetcher *f = NULL;
    assert_int_equal(clid_fetcher_new(NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_fetcher_new(&f), CLID_OK);
    assert_int_equal(clid_fetcher_set_timeouts(f, 0, 100), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_fetcher_set_timeouts(f, 100, 0), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_fetcher_set_timeouts(f, 600001, 100), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_fetcher_set_timeouts(f, 100, 200), CLID_OK);
    assert_int_equal(clid_fetcher_set_max_size(f, 0), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_fetcher_set_max_size(f, 1024 * 1024 + 1), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_fetcher_set_max_size(f, 1024 * 1024), CLID_OK);
    assert_int_equal(clid_fetcher_allow_port(f, 0), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_fetcher_allow_port(f, 65536), CLID_ERR_INVALID_ARGUMENT);
    for (unsigned p = 1; p <= 16; p++)
        assert_int_equal(clid_fetcher_allow_port(f, p), CLID_OK);
    assert_int_equal(clid_fetcher_allow_port(f, 17), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_fetcher_set_negative_ttl(f, 86401), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_fetcher_set_negative_ttl(f, 0), CLID_OK);
    assert_int_equal(clid_fetcher_set_ca_file(f, "/nonexistent/ca.pem"), CLID_ERR_IO);
    assert_int_equal(clid_fetcher_set_ca_file(f, ""), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_fetcher_set_ca_file(f, NULL), CLID_OK);
    assert_int_equal(clid_fetcher_set_cache_dir(f, "/proc/version/x"), CLID_ERR_IO);
    assert_int_equal(clid_fetcher_set_cache_dir(f, NULL), CLID_OK);
    assert_int_equal(clid_fetcher_set_clock(f, NULL, NULL), CLID_OK);
    assert_int_equal(clid_fetcher_check_url(f, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_fetcher_check_url(NULL, "https://a.example/"),
                     CLID_ERR_INVALID_ARGUMENT);
    size_t len = 1;
    int64_t age = 0;
    assert_int_equal(clid_fetcher_fetch(NULL, "https://a.example/", buf, BUF_CAP, &len, &age),
                     CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_fetcher_fetch(f, NULL, buf, BUF_CAP, &len, &age),
                     CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_fetcher_fetch(f, "https://a.example/", NULL, 10, &len, &age),
                     CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_fetcher_fetch(f, "https://a.example/", buf, BUF_CAP, NULL, &age),
                     CLID_ERR_INVALID_ARGUMENT);
    /* A URL refused by policy never reaches the network or the cache. */
    assert_int_equal(clid_fetcher_fetch(f, "https://127.0.0.1/", buf, BUF_CAP, &len, &age),
                     CLID_ERR_X5U_URL_POLICY);
    assert_int_equal(len, 0);
    assert_int_equal(age, -1);
    assert_stats(f, 0, 0, 0, 1);
    clid_fetcher_stats s;
    clid_fetcher_get_stats(NULL, &s);
    assert_int_equal(s.requests, 0);
    clid_fetcher_get_stats(f, NULL);
    clid_fetcher_free(f);
    clid_fetcher_free(NULL);
}

/* ------------------------------------------------------------------------ */
/* Retrieval from the local server                                           */
/* ------------------------------------------------------------------------ */

static void test_fetch_success(void **state)
{
    (void)state;
    NEED_SERVER();
    t_now = TP_T0;
    clid_fetcher *f = new_fetcher();
    size_t len = 0;
    int64_t age = 0;
    int before = count("/chain.pem");
    assert_int_equal(fetch(f, https("/chain.pem"), &len, &age), CLID_OK);
    assert_int_equal(len, strlen(chain_sp));
    assert_memory_equal(buf, chain_sp, len);
    assert_int_equal(age, 600);
    assert_int_equal(count("/chain.pem"), before + 1);
    assert_stats(f, 1, 0, 0, 0);
    /* An IPv4 literal (the server certificate names 127.0.0.1 too). */
    assert_int_equal(fetch(f, url_of("127.0.0.1", port_https, "/plain.pem"), &len, &age),
                     CLID_OK);
    assert_int_equal(age, -1); /* no caching headers */
    /* Expires with Date: the lifetime on the server's clock. */
    assert_int_equal(fetch(f, https("/expires.pem"), &len, &age), CLID_OK);
    assert_true(age >= 899 && age <= 901);
    assert_int_equal(fetch(f, https("/nocache.pem"), &len, &age), CLID_OK);
    assert_int_equal(age, 0);
    clid_fetcher_free(f);
}

static void test_fetch_http_status(void **state)
{
    (void)state;
    NEED_SERVER();
    clid_fetcher *f = new_fetcher();
    size_t len = 7;
    assert_int_equal(fetch(f, https("/404"), &len, NULL), CLID_ERR_X5U_HTTP_STATUS);
    assert_int_equal(len, 0);
    assert_int_equal(fetch(f, https("/other-missing"), NULL, NULL), CLID_ERR_X5U_HTTP_STATUS);
    assert_stats(f, 2, 0, 0, 2);
    clid_fetcher_free(f);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void test_fetch_timeout(void **state)
{
    (void)state;
    NEED_SERVER();
    clid_fetcher *f = new_fetcher();
    assert_int_equal(clid_fetcher_set_timeouts(f, 500, 500), CLID_OK);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(fetch(f, https("/slow"), NULL, NULL), CLID_ERR_X5U_TIMEOUT);
    double took = seconds_since(&t0);
    assert_true(took >= 0.45 && took < 5.0);
    clid_fetcher_free(f);
}

static void test_fetch_too_large(void **state)
{
    (void)state;
    NEED_SERVER();
    clid_fetcher *f = new_fetcher();
    /* Announced by Content-Length, and streamed to the close. */
    assert_int_equal(fetch(f, https("/big"), NULL, NULL), CLID_ERR_X5U_TOO_LARGE);
    assert_int_equal(fetch(f, https("/bigstream"), NULL, NULL), CLID_ERR_X5U_TOO_LARGE);
    /* Headers are bounded too (32 KiB in all). */
    assert_int_equal(fetch(f, https("/bigheaders"), NULL, NULL), CLID_ERR_X5U_TOO_LARGE);
    /* A smaller cap than the chain. */
    assert_int_equal(clid_fetcher_set_max_size(f, 100), CLID_OK);
    assert_int_equal(fetch(f, https("/plain.pem"), NULL, NULL), CLID_ERR_X5U_TOO_LARGE);
    clid_fetcher_free(f);
    /* A caller's buffer smaller than the body. */
    f = new_fetcher();
    size_t len = 0;
    int64_t age = 0;
    assert_int_equal(clid_fetcher_fetch(f, https("/chain.pem"), buf, 100, &len, &age),
                     CLID_ERR_X5U_TOO_LARGE);
    assert_int_equal(len, 0);
    /* ... which is about the buffer, not the body: a big enough one gets it
     * from the cache. */
    assert_int_equal(fetch(f, https("/chain.pem"), &len, NULL), CLID_OK);
    assert_stats(f, 1, 1, 0, 1);
    clid_fetcher_free(f);
}

static void test_fetch_redirect(void **state)
{
    (void)state;
    NEED_SERVER();
    clid_fetcher *f = new_fetcher();
    int before = count("/chain.pem");
    assert_int_equal(fetch(f, https("/redirect"), NULL, NULL), CLID_ERR_X5U_REDIRECT);
    assert_int_equal(count("/chain.pem"), before); /* not followed */
    clid_fetcher_free(f);
}

static void test_fetch_not_pem(void **state)
{
    (void)state;
    NEED_SERVER();
    clid_fetcher *f = new_fetcher();
    assert_int_equal(fetch(f, https("/notpem"), NULL, NULL), CLID_ERR_X5U_NOT_PEM);
    clid_fetcher_free(f);
}

static void test_fetch_tls(void **state)
{
    (void)state;
    NEED_SERVER();
    clid_fetcher *f = new_fetcher();
    int before = count("/chain.pem");
    assert_int_equal(fetch(f, url_of("localhost", port_badtls, "/chain.pem"), NULL, NULL),
                     CLID_ERR_X5U_TLS);
    /* The name must match too: a certificate from the trusted CA for
     * another name. */
    assert_int_equal(fetch(f, url_of("localhost", port_badname, "/chain.pem"), NULL, NULL),
                     CLID_ERR_X5U_TLS);
    /* Plain HTTP spoken to a TLS port. */
    assert_int_equal(fetch(f, url_of("localhost", port_http, "/chain.pem"), NULL, NULL),
                     CLID_ERR_X5U_TLS);
    assert_int_equal(count("/chain.pem"), before);
    clid_fetcher_free(f);
    /* Without the test CA, the system store does not know the server. */
    f = new_fetcher();
    assert_int_equal(clid_fetcher_set_ca_file(f, NULL), CLID_OK);
    assert_int_equal(fetch(f, https("/chain.pem"), NULL, NULL), CLID_ERR_X5U_TLS);
    clid_fetcher_free(f);
}

static void test_fetch_unreachable(void **state)
{
    (void)state;
    NEED_SERVER();
    /* A port nobody listens on: bind one, note it, close it. */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &al), 0);
    close(s);
    clid_fetcher *f = new_fetcher();
    assert_int_equal(fetch(f, url_of("127.0.0.1", ntohs(a.sin_port), "/x.pem"), NULL, NULL),
                     CLID_ERR_X5U_UNREACHABLE);
    clid_fetcher_free(f);
}

static void test_fetch_http_policy(void **state)
{
    (void)state;
    NEED_SERVER();
    clid_fetcher *f = new_fetcher();
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/chain.pem", port_http);
    int before = count("/chain.pem");
    assert_int_equal(fetch(f, url, NULL, NULL), CLID_ERR_X5U_URL_POLICY);
    assert_int_equal(count("/chain.pem"), before);
    assert_int_equal(clid_fetcher_allow_http(f, 1), CLID_OK);
    size_t len = 0;
    assert_int_equal(fetch(f, url, &len, NULL), CLID_OK);
    assert_int_equal(len, strlen(chain_sp));
    assert_int_equal(count("/chain.pem"), before + 1);
    clid_fetcher_free(f);
}

/* Loopback under the default address policy: by name (refused after
 * resolution), as literals, and through an allowed-looking spelling. */
static void test_fetch_private_refused(void **state)
{
    (void)state;
    NEED_SERVER();
    clid_fetcher *f = new_fetcher();
    assert_int_equal(clid_fetcher_allow_private(f, 0), CLID_OK);
    int before = count("/chain.pem");
    assert_int_equal(fetch(f, https("/chain.pem"), NULL, NULL), CLID_ERR_X5U_URL_POLICY);
    assert_int_equal(fetch(f, url_of("127.0.0.1", port_https, "/chain.pem"), NULL, NULL),
                     CLID_ERR_X5U_URL_POLICY);
    assert_int_equal(fetch(f, url_of("[::1]", port_https, "/chain.pem"), NULL, NULL),
                     CLID_ERR_X5U_URL_POLICY);
    assert_int_equal(fetch(f, url_of("[::ffff:127.0.0.1]", port_https, "/chain.pem"), NULL, NULL),
                     CLID_ERR_X5U_URL_POLICY);
    assert_int_equal(count("/chain.pem"), before);
    assert_stats(f, 0, 0, 0, 4);
    clid_fetcher_free(f);
}

static void test_fetch_url_policy(void **state)
{
    (void)state;
    NEED_SERVER();
    clid_fetcher *f = new_fetcher();
    char url[160];
    snprintf(url, sizeof url, "https://user@localhost:%d/chain.pem", port_https);
    assert_int_equal(fetch(f, url, NULL, NULL), CLID_ERR_X5U_URL_POLICY);
    snprintf(url, sizeof url, "https://localhost:%d/chain.pem#f", port_https);
    assert_int_equal(fetch(f, url, NULL, NULL), CLID_ERR_X5U_URL_POLICY);
    snprintf(url, sizeof url, "https://localhost:%d/chain.pem?v=1", port_https);
    assert_int_equal(fetch(f, url, NULL, NULL), CLID_ERR_X5U_URL_POLICY);
    assert_int_equal(clid_fetcher_allow_query(f, 1), CLID_OK);
    assert_int_equal(fetch(f, url, NULL, NULL), CLID_OK);
    /* Ports: the server's is not among 443 and 8443. */
    assert_int_equal(clid_fetcher_allow_port(f, 443), CLID_OK);
    assert_int_equal(clid_fetcher_allow_port(f, 8443), CLID_OK);
    assert_int_equal(fetch(f, https("/plain.pem"), NULL, NULL), CLID_ERR_X5U_URL_POLICY);
    assert_int_equal(clid_fetcher_allow_port(f, (unsigned)port_https), CLID_OK);
    assert_int_equal(fetch(f, https("/plain.pem"), NULL, NULL), CLID_OK);
    clid_fetcher_free(f);
}

/* ------------------------------------------------------------------------ */
/* Cache                                                                     */
/* ------------------------------------------------------------------------ */

static void test_cache_hit(void **state)
{
    (void)state;
    NEED_SERVER();
    t_now = TP_T0;
    clid_fetcher *f = new_fetcher();
    int before = count("/chain.pem");
    int64_t age = 0;
    size_t len = 0;
    for (int i = 0; i < 10; i++) {
        t_now = TP_T0 + i;
        assert_int_equal(fetch(f, https("/chain.pem"), &len, &age), CLID_OK);
        assert_int_equal(len, strlen(chain_sp));
        assert_memory_equal(buf, chain_sp, len);
        /* The first answer reports the server's max-age, hits what is left. */
        assert_int_equal(age, 600 - i);
    }
    assert_int_equal(count("/chain.pem"), before + 1);
    assert_stats(f, 1, 9, 0, 0);
    clid_fetcher_free(f);
}

/* Expiry on the fetcher's clock: max-age 600; no-store and no-cache rise
 * to the 5-minute floor; no headers: 24 hours; Expires: 900 s. */
static void test_cache_expiry(void **state)
{
    (void)state;
    NEED_SERVER();
    static const struct {
        const char *path;
        int64_t ttl;
    } cases[] = {
        {"/chain.pem", 600},
        {"/nocache.pem", 300},
        {"/plain.pem", 86400},
        {"/expires.pem", 900},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        t_now = TP_T0;
        clid_fetcher *f = new_fetcher();
        const char *path = cases[i].path;
        int before = count(path);
        assert_int_equal(fetch(f, https(path), NULL, NULL), CLID_OK);
        /* Expires is computed from the server's Date, which may lag a second
         * behind its Expires: allow one second either side there. */
        int64_t slack = cases[i].ttl == 900 ? 2 : 0;
        t_now = TP_T0 + cases[i].ttl - 1 - slack;
        assert_int_equal(fetch(f, https(path), NULL, NULL), CLID_OK);
        assert_int_equal(count(path), before + 1);
        t_now = TP_T0 + cases[i].ttl + slack;
        assert_int_equal(fetch(f, https(path), NULL, NULL), CLID_OK);
        assert_int_equal(count(path), before + 2);
        clid_fetcher_free(f);
    }
}

/* The chain's notAfter caps the lifetime: the leaf here expires one minute
 * after the clock, well inside max-age=600. */
static void test_cache_not_after(void **state)
{
    (void)state;
    NEED_SERVER();
    int64_t not_after = 0;
    BIO *bio = BIO_new_mem_buf(sp->pem, -1);
    X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    assert_non_null(x);
    struct tm tm;
    assert_int_equal(ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm), 1);
    not_after = (int64_t)timegm(&tm);
    X509_free(x);
    BIO_free(bio);

    clid_fetcher *f = new_fetcher();
    t_now = not_after - 60;
    int before = count("/chain.pem");
    assert_int_equal(fetch(f, https("/chain.pem"), NULL, NULL), CLID_OK);
    t_now = not_after - 1;
    assert_int_equal(fetch(f, https("/chain.pem"), NULL, NULL), CLID_OK);
    assert_int_equal(count("/chain.pem"), before + 1);
    t_now = not_after;
    assert_int_equal(fetch(f, https("/chain.pem"), NULL, NULL), CLID_OK);
    assert_int_equal(count("/chain.pem"), before + 2);
    clid_fetcher_free(f);
}

static void test_negative_cache(void **state)
{
    (void)state;
    NEED_SERVER();
    t_now = TP_T0;
    clid_fetcher *f = new_fetcher();
    int before = count("/404");
    assert_int_equal(fetch(f, https("/404"), NULL, NULL), CLID_ERR_X5U_HTTP_STATUS);
    assert_int_equal(fetch(f, https("/404"), NULL, NULL), CLID_ERR_X5U_NEGATIVE_CACHED);
    t_now = TP_T0 + 29;
    assert_int_equal(fetch(f, https("/404"), NULL, NULL), CLID_ERR_X5U_NEGATIVE_CACHED);
    assert_int_equal(count("/404"), before + 1);
    t_now = TP_T0 + 30;
    assert_int_equal(fetch(f, https("/404"), NULL, NULL), CLID_ERR_X5U_HTTP_STATUS);
    assert_int_equal(count("/404"), before + 2);
    assert_stats(f, 2, 0, 2, 2);
    /* Other failures too: a timeout is not retried at once. */
    assert_int_equal(clid_fetcher_set_timeouts(f, 300, 300), CLID_OK);
    int slow = count("/slow");
    assert_int_equal(fetch(f, https("/slow"), NULL, NULL), CLID_ERR_X5U_TIMEOUT);
    assert_int_equal(fetch(f, https("/slow"), NULL, NULL), CLID_ERR_X5U_NEGATIVE_CACHED);
    assert_int_equal(count("/slow"), slow + 1);
    /* Policy refusals cost nothing and are not remembered. */
    assert_int_equal(fetch(f, "https://u@localhost/", NULL, NULL), CLID_ERR_X5U_URL_POLICY);
    assert_int_equal(fetch(f, "https://u@localhost/", NULL, NULL), CLID_ERR_X5U_URL_POLICY);
    clid_fetcher_free(f);

    /* A negative TTL of 0 remembers nothing. */
    f = new_fetcher();
    assert_int_equal(clid_fetcher_set_negative_ttl(f, 0), CLID_OK);
    before = count("/404");
    assert_int_equal(fetch(f, https("/404"), NULL, NULL), CLID_ERR_X5U_HTTP_STATUS);
    assert_int_equal(fetch(f, https("/404"), NULL, NULL), CLID_ERR_X5U_HTTP_STATUS);
    assert_int_equal(count("/404"), before + 2);
    clid_fetcher_free(f);
}

static void test_persistent_dir(void **state)
{
    (void)state;
    NEED_SERVER();
    t_now = TP_T0;
    const char *dir = new_cache_dir();
    char dirbuf[128];
    snprintf(dirbuf, sizeof dirbuf, "%s", dir);
    clid_fetcher *f1 = new_fetcher();
    assert_int_equal(clid_fetcher_set_cache_dir(f1, dirbuf), CLID_OK);
    int before = count("/chain.pem");
    assert_int_equal(fetch(f1, https("/chain.pem"), NULL, NULL), CLID_OK);
    assert_int_equal(count("/chain.pem"), before + 1);
    clid_fetcher_free(f1);

    /* A second fetcher (a restarted process) reads the file: no request. */
    clid_fetcher *f2 = new_fetcher();
    assert_int_equal(clid_fetcher_set_cache_dir(f2, dirbuf), CLID_OK);
    size_t len = 0;
    int64_t age = 0;
    t_now = TP_T0 + 100;
    assert_int_equal(fetch(f2, https("/chain.pem"), &len, &age), CLID_OK);
    assert_int_equal(len, strlen(chain_sp));
    assert_memory_equal(buf, chain_sp, len);
    assert_int_equal(age, 500);
    assert_int_equal(count("/chain.pem"), before + 1);
    assert_stats(f2, 0, 1, 0, 0);
    clid_fetcher_free(f2);

    /* A corrupted file is ignored (and replaced by the next fetch). */
    char *path = cache_file_path(dirbuf, https("/chain.pem"));
    size_t n = 0;
    uint8_t *good = read_whole(path, &n);
    good[n / 2] ^= 0x20;
    write_file(path, good, n);
    free(good);
    clid_fetcher *f3 = new_fetcher();
    assert_int_equal(clid_fetcher_set_cache_dir(f3, dirbuf), CLID_OK);
    assert_int_equal(fetch(f3, https("/chain.pem"), &len, NULL), CLID_OK);
    assert_memory_equal(buf, chain_sp, len);
    assert_int_equal(count("/chain.pem"), before + 2);
    clid_fetcher_free(f3);
    clid_fetcher *f4 = new_fetcher();
    assert_int_equal(clid_fetcher_set_cache_dir(f4, dirbuf), CLID_OK);
    assert_int_equal(fetch(f4, https("/chain.pem"), NULL, NULL), CLID_OK);
    assert_int_equal(count("/chain.pem"), before + 2);
    /* Past the expiry the file no longer serves. */
    t_now = TP_T0 + 100 + 600;
    clid_fetcher_free(f4);
    f4 = new_fetcher();
    assert_int_equal(clid_fetcher_set_cache_dir(f4, dirbuf), CLID_OK);
    assert_int_equal(fetch(f4, https("/chain.pem"), NULL, NULL), CLID_OK);
    assert_int_equal(count("/chain.pem"), before + 3);
    clid_fetcher_free(f4);
    free(path);

    /* no-store keeps a body off the disk (memory still has its floor). */
    t_now = TP_T0;
    clid_fetcher *f5 = new_fetcher();
    assert_int_equal(clid_fetcher_set_cache_dir(f5, dirbuf), CLID_OK);
    assert_int_equal(fetch(f5, https("/nocache.pem"), NULL, NULL), CLID_OK);
    path = cache_file_path(dirbuf, https("/nocache.pem"));
    assert_int_equal(access(path, F_OK), -1);
    free(path);
    clid_fetcher_free(f5);
}

/* ------------------------------------------------------------------------ */
/* Fork, threads                                                             */
/* ------------------------------------------------------------------------ */

/* The checks a forked child runs; 0 when all pass. */
static int child_checks(clid_fetcher *f)
{
    size_t len = 0;
    int64_t age = 0;
    clid_fetcher_stats s;
    clid_fetcher_get_stats(f, &s);
    if (s.requests != 0 || s.cache_hits != 0) /* the parent's are not the child's */
        return 6;
    if (clid_fetcher_fetch(f, https("/chain.pem"), buf, BUF_CAP, &len, &age) != CLID_OK)
        return 1;
    if (len != strlen(chain_sp) || memcmp(buf, chain_sp, len) != 0)
        return 2;
    clid_fetcher_get_stats(f, &s);
    if (s.requests != 1 || s.cache_hits != 0)
        return 3;
    if (clid_fetcher_fetch(f, https("/chain.pem"), buf, BUF_CAP, &len, &age) != CLID_OK)
        return 4;
    clid_fetcher_get_stats(f, &s);
    if (s.requests != 1 || s.cache_hits != 1)
        return 5;
    clid_fetcher_free(f);
    return 0;
}

/*
 * The child starts with an empty cache and fresh counters, and fetches
 * fine. It abandons, by design, the trust store its parent loaded (a
 * parent thread may have held its lock at fork time): so, as in
 * test_certcache, it reports through a pipe and replaces itself with
 * true(1), and no leak checker audits that image.
 */
static void test_fork(void **state)
{
    (void)state;
    NEED_SERVER();
    t_now = TP_T0;
    clid_fetcher *f = new_fetcher();
    int before = count("/chain.pem");
    assert_int_equal(fetch(f, https("/chain.pem"), NULL, NULL), CLID_OK);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        unsigned char b = (unsigned char)child_checks(f);
        if (write(fds[1], &b, 1) != 1)
            _exit(1);
        execlp("true", "true", (char *)NULL);
        _exit(2);
    }
    close(fds[1]);
    unsigned char b = 0xff;
    assert_int_equal(read(fds[0], &b, 1), 1);
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(b, 0);
    assert_int_equal(count("/chain.pem"), before + 2);
    /* The parent's cache is untouched. */
    assert_int_equal(fetch(f, https("/chain.pem"), NULL, NULL), CLID_OK);
    assert_int_equal(count("/chain.pem"), before + 2);
    assert_stats(f, 1, 1, 0, 0);
    clid_fetcher_free(f);
}

struct worker {
    clid_fetcher *f;
    const char *url;
    pthread_barrier_t *barrier;
    clid_err rc;
    size_t len;
    uint8_t *buf;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    int64_t age = 0;
    pthread_barrier_wait(w->barrier);
    w->rc = clid_fetcher_fetch(w->f, w->url, w->buf, BUF_CAP, &w->len, &age);
    return NULL;
}

/* Four threads ask for one slow URL at once: one transfer, four answers
 * (the others wait for it). Then four URLs at once, each fetched. */
static void test_threads(void **state)
{
    (void)state;
    NEED_SERVER();
    t_now = TP_T0;
    clid_fetcher *f = new_fetcher();
    pthread_barrier_t barrier;
    struct worker w[4];
    pthread_t th[4];
    char urls[4][128];
    int before = count("/delay.pem");
    assert_int_equal(pthread_barrier_init(&barrier, NULL, 4), 0);
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){.f = f, .url = urls[i], .barrier = &barrier,
                               .buf = malloc(BUF_CAP)};
        assert_non_null(w[i].buf);
        snprintf(urls[i], sizeof urls[i], "%s", https("/delay.pem"));
        assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(w[i].rc, CLID_OK);
        assert_int_equal(w[i].len, strlen(chain_sp));
        assert_memory_equal(w[i].buf, chain_sp, w[i].len);
    }
    assert_int_equal(count("/delay.pem"), before + 1);
    assert_stats(f, 1, 3, 0, 0);
    clid_fetcher_free(f);

    /* Different URLs in parallel: each its own transfer, the mutex never
     * held across one (four 300 ms transfers end well before 4 x 300 ms
     * would; not asserted on time, which valgrind stretches). */
    f = new_fetcher();
    assert_int_equal(clid_fetcher_allow_query(f, 1), CLID_OK);
    for (int i = 0; i < 4; i++) {
        w[i].f = f;
        snprintf(urls[i], sizeof urls[i], "%s?t=%d", https("/delay.pem"), i);
        assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(w[i].rc, CLID_OK);
        free(w[i].buf);
    }
    assert_int_equal(count("/delay.pem"), before + 5);
    assert_stats(f, 4, 0, 0, 0);
    pthread_barrier_destroy(&barrier);
    clid_fetcher_free(f);
}

static int task_count(void)
{
    DIR *d = opendir("/proc/self/task");
    assert_non_null(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (de->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

struct sampler {
    volatile int stop;
    int max;
};

static void *sampler_main(void *arg)
{
    struct sampler *s = arg;
    while (!s->stop) {
        int n = task_count();
        if (n > s->max)
            s->max = n;
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

/* clid starts no thread: not for the transfer, and not for name resolution
 * (the host is a name, so this goes through getaddrinfo and the pinned
 * CURLOPT_RESOLVE entry; without the pin, curl's threaded resolver would
 * show up here). A sampler thread watches /proc/self/task during a 300 ms
 * transfer. */
static void test_no_threads(void **state)
{
    (void)state;
    NEED_SERVER();
    clid_fetcher *f = new_fetcher();
    int before = task_count();
    struct sampler s = {0};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, sampler_main, &s), 0);
    assert_int_equal(fetch(f, https("/delay.pem"), NULL, NULL), CLID_OK);
    assert_int_equal(fetch(f, url_of("127.0.0.1", port_https, "/delay.pem"), NULL, NULL),
                     CLID_OK);
    s.stop = 1;
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_true(s.max >= before + 1);   /* the sampler saw itself */
    assert_int_equal(s.max, before + 1); /* and nothing else */
    assert_int_equal(task_count(), before);
    clid_fetcher_free(f);
}

/* ------------------------------------------------------------------------ */
/* End to end                                                                */
/* ------------------------------------------------------------------------ */

static char *key_pem(EVP_PKEY *k)
{
    BIO *bio = BIO_new(BIO_s_mem());
    assert_non_null(bio);
    assert_int_equal(PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL), 1);
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    memcpy(s, data, (size_t)n);
    s[n] = '\0';
    BIO_free(bio);
    return s;
}

static char *sign_for(const char *x5u)
{
    static const char *const dest[] = {DEST};
    clid_claims c = {.orig = ORIG, .dest = dest, .dest_count = 1, .attest = 'A'};
    char *pem = key_pem(sp->key);
    clid_signer *s = NULL;
    assert_int_equal(clid_signer_new(&s), CLID_OK);
    assert_int_equal(clid_signer_set_key_pem(s, pem, strlen(pem)), CLID_OK);
    assert_int_equal(clid_signer_set_cert_pem(s, chain_sp, strlen(chain_sp)), CLID_OK);
    assert_int_equal(clid_signer_set_x5u(s, x5u), CLID_OK);
    assert_int_equal(clid_signer_set_clock(s, test_clock, &t_now), CLID_OK);
    free(pem);
    char *out = malloc(4096);
    assert_non_null(out);
    size_t len = 0;
    assert_int_equal(clid_sign_identity(s, &c, out, 4096, &len), CLID_OK);
    clid_signer_free(s);
    return out;
}

static void test_end_to_end(void **state)
{
    (void)state;
    NEED_SERVER();
    t_now = TP_T0;
    clid_fetcher *f = new_fetcher();
    clid_ctx *ctx = NULL;
    assert_int_equal(clid_ctx_new(&ctx), CLID_OK);
    assert_int_equal(clid_ctx_add_trust_pem(ctx, root->pem, strlen(root->pem)), CLID_OK);
    assert_int_equal(clid_ctx_set_clock(ctx, test_clock, &t_now), CLID_OK);
    assert_int_equal(clid_ctx_set_fetcher(ctx, clid_fetcher_fetch, f), CLID_OK);
    clid_verifier *v1 = NULL, *v2 = NULL;
    assert_int_equal(clid_verifier_new(ctx, &v1), CLID_OK);
    assert_int_equal(clid_verifier_new(ctx, &v2), CLID_OK);
    clid_result *res = NULL;
    assert_int_equal(clid_result_new(&res), CLID_OK);

    char *hdr = sign_for(https("/chain.pem"));
    clid_verify_input in = {.identity = hdr, .orig = ORIG, .dest = DEST};
    int before = count("/chain.pem");
    /* Five verifications on one verifier, five on another sharing the
     * fetcher: the server sees one request. */
    for (int i = 0; i < 10; i++) {
        clid_result_reset(res);
        assert_int_equal(clid_verify_identity(i < 5 ? v1 : v2, &in, res), CLID_OK);
        assert_int_equal(clid_result_verstat(res), CLID_VERSTAT_PASSED);
        assert_string_equal(clid_result_signer_spc(res), "709J");
    }
    assert_int_equal(count("/chain.pem"), before + 1);
    clid_fetcher_stats s;
    clid_fetcher_get_stats(f, &s);
    assert_int_equal(s.requests, 1);
    assert_int_equal(s.cache_hits, 1); /* v2's first miss; its later calls hit its own cache */
    free(hdr);

    /* A failing x5u: 436 with the precise reason. */
    hdr = sign_for(https("/404"));
    in.identity = hdr;
    clid_result_reset(res);
    assert_int_equal(clid_verify_identity(v1, &in, res), CLID_ERR_X5U_HTTP_STATUS);
    assert_int_equal(clid_result_sip_status(res), 436);
    assert_int_equal(clid_result_verstat(res), CLID_VERSTAT_FAILED);
    free(hdr);
    hdr = sign_for("https://127.0.0.1/sp.pem");
    in.identity = hdr;
    assert_int_equal(clid_fetcher_allow_private(f, 0), CLID_OK);
    clid_result_reset(res);
    assert_int_equal(clid_verify_identity(v1, &in, res), CLID_ERR_X5U_URL_POLICY);
    assert_int_equal(clid_result_sip_status(res), 436);
    free(hdr);

    clid_result_free(res);
    clid_verifier_free(v1);
    clid_verifier_free(v2);
    clid_ctx_free(ctx);
    clid_fetcher_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_policy_table),
        cmocka_unit_test(test_url_policy_knobs),
        cmocka_unit_test(test_url_parse_fields),
        cmocka_unit_test(test_url_truncation),
        cmocka_unit_test(test_url_bad_bytes),
        cmocka_unit_test(test_address_policy),
        cmocka_unit_test(test_cache_control),
        cmocka_unit_test(test_expires),
        cmocka_unit_test(test_http_date),
        cmocka_unit_test(test_disk_format),
        cmocka_unit_test(test_config_args),
        cmocka_unit_test(test_fetch_success),
        cmocka_unit_test(test_fetch_http_status),
        cmocka_unit_test(test_fetch_timeout),
        cmocka_unit_test(test_fetch_too_large),
        cmocka_unit_test(test_fetch_redirect),
        cmocka_unit_test(test_fetch_not_pem),
        cmocka_unit_test(test_fetch_tls),
        cmocka_unit_test(test_fetch_unreachable),
        cmocka_unit_test(test_fetch_http_policy),
        cmocka_unit_test(test_fetch_private_refused),
        cmocka_unit_test(test_fetch_url_policy),
        cmocka_unit_test(test_cache_hit),
        cmocka_unit_test(test_cache_expiry),
        cmocka_unit_test(test_cache_not_after),
        cmocka_unit_test(test_negative_cache),
        cmocka_unit_test(test_persistent_dir),
        cmocka_unit_test(test_fork),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_no_threads),
        cmocka_unit_test(test_end_to_end),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
