/*
 * Unit tests of the x5u fetcher (clid_fetch.h) against the local server,
 * lib/tests/fetch/x5u_server.py (see fetch_fixture.h): retrieval and its failures
 * (HTTP status, timeout, size, redirect, not PEM, TLS, unreachable, URL and
 * address policy), then the memory cache (hits, expiry, the chain's
 * notAfter, negative entries) and the persistent cache directory.
 *
 * Without /usr/bin/python3 these tests are skipped with a message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "fetch_fixture.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
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
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
