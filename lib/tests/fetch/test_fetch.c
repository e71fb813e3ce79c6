/*
 * Unit tests of the x5u fetcher (clid_fetch.h; fetch.c, url_policy.c,
 * http_fresh.c, fetch_cache.c, fetch_disk.c) that need no server: the URL
 * policy, the address policy, Cache-Control / Expires / HTTP-date, the
 * persistent file format and the configuration calls. Retrieval from the
 * local server is in test_fetch_server.c, fork, threads and the end-to-end
 * verification in test_fetch_threads.c; the fixture is fetch_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fetch/fetch_disk.h"
#include "fetch_fixture.h"
#include "fetch/fetch_internal.h"

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

/* IPv6 forms that embed an IPv4 address: each with a private and a public
 * one inside. The embedded address decides, or the form is refused
 * (docs/x5u.md, "Addresses"). */
static void test_embedded_ipv4(void **state)
{
    (void)state;
    static const struct {
        const char *form;
        const char *addr;
        int is_public;
    } t[] = {
        {"IPv4-mapped ::ffff:0:0/96", "::ffff:127.0.0.1", 0},
        {"IPv4-mapped ::ffff:0:0/96", "::ffff:8.8.8.8", 1},
        {"IPv4-compatible ::/96", "::10.0.0.1", 0},
        {"IPv4-compatible ::/96", "::8.8.8.8", 1},
        {"IPv4-translated ::ffff:0:0:0/96 (RFC 2765)", "::ffff:0:127.0.0.1", 0},
        {"IPv4-translated ::ffff:0:0:0/96 (RFC 2765)", "::ffff:0:169.254.169.254", 0},
        {"IPv4-translated ::ffff:0:0:0/96 (RFC 2765)", "::ffff:0:8.8.8.8", 1},
        {"well-known NAT64 64:ff9b::/96 (RFC 6052)", "64:ff9b::192.168.1.1", 0},
        {"well-known NAT64 64:ff9b::/96 (RFC 6052)", "64:ff9b::8.8.8.8", 1},
        /* refused whatever it embeds: the embedding is the operator's choice */
        {"local-use NAT64 64:ff9b:1::/48 (RFC 8215)", "64:ff9b:1::a00:1", 0},
        {"local-use NAT64 64:ff9b:1::/48 (RFC 8215)", "64:ff9b:1::808:808", 0},
        {"local-use NAT64 64:ff9b:1::/48 (RFC 8215)", "64:ff9b:1:808:8:800::", 0},
        {"local-use NAT64 64:ff9b:1::/48 (RFC 8215)", "64:ff9b:1:ffff::1", 0},
        /* Teredo 2001::/32 (RFC 4380): server 65.54.227.120 = 4136:e378, the
         * client's address inverted (10.0.0.1 -> f5ff:fffe, 127.0.0.1 ->
         * 80ff:fffe, 8.8.8.8 -> f7f7:f7f7) */
        {"Teredo 2001::/32, private client", "2001:0:4136:e378:8000:63bf:f5ff:fffe", 0},
        {"Teredo 2001::/32, loopback client", "2001:0:4136:e378:8000:63bf:80ff:fffe", 0},
        {"Teredo 2001::/32, private server", "2001:0:a00:1:8000:63bf:f7f7:f7f7", 0},
        {"Teredo 2001::/32, public server and client", "2001:0:4136:e378:8000:63bf:f7f7:f7f7",
         1},
        /* the client's bits as written are not its address */
        {"Teredo 2001::/32, client 127.0.0.1 not inverted", "2001:0:4136:e378:8000:63bf:7f00:1", 1},
        {"6to4 2002::/16 (RFC 3056)", "2002:a9fe:a9fe::1", 0},
        {"6to4 2002::/16 (RFC 3056)", "2002:808:808::1", 1},
        /* neighbours that embed nothing */
        {"2001:1::/32, not Teredo", "2001:1:a00:1::f5ff:fffe", 1},
        {"64:ff9b:2::/48, not NAT64", "64:ff9b:2::a00:1", 1},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        if (addr_public(t[i].addr) != t[i].is_public)
            fail_msg("%s: %s should be %s", t[i].form, t[i].addr,
                     t[i].is_public ? "allowed" : "refused");
        /* The same rule for a literal in the x5u URL. */
        char url[128];
        snprintf(url, sizeof url, "https://[%s]/sp.pem", t[i].addr);
        clid__url_policy p = {0};
        clid__url u;
        clid_err rc = clid__url_check(&p, url, &u);
        if (rc != (t[i].is_public ? CLID_OK : CLID_ERR_X5U_URL_POLICY))
            fail_msg("%s: %s: %s", t[i].form, url, clid_err_name(rc));
        p.allow_private = 1;
        assert_int_equal(clid__url_check(&p, url, &u), CLID_OK);
    }
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
    assert_int_equal(chmod(ww, 01777), 0); /* sticky like /tmp: still anyone's */
    assert_int_equal(clid__fdisk_prepare(ww), CLID_ERR_IO);
    assert_int_equal(clid__fdisk_prepare(""), CLID_ERR_INVALID_ARGUMENT);
}

/* Only this user may write to the persistent directory: a group-writable
 * one or one owned by another user is refused like a world-writable one. */
static void test_disk_dir_owner(void **state)
{
    (void)state;
    char d[256];
    snprintf(d, sizeof d, "%s/owner", tmpdir);
    assert_int_equal(mkdir(d, 0700), 0);
    assert_int_equal(clid__fdisk_prepare(d), CLID_OK);
    assert_int_equal(chmod(d, 0750), 0); /* readable by the group: fine */
    assert_int_equal(clid__fdisk_prepare(d), CLID_OK);
    assert_int_equal(chmod(d, 0770), 0);
    assert_int_equal(clid__fdisk_prepare(d), CLID_ERR_IO);
    assert_int_equal(chmod(d, 0720), 0);
    assert_int_equal(clid__fdisk_prepare(d), CLID_ERR_IO);
    assert_int_equal(chmod(d, 0700), 0);
    assert_int_equal(clid__fdisk_prepare(d), CLID_OK);
    /* The fetcher refuses it too. */
    clid_fetcher *f = NULL;
    assert_int_equal(clid_fetcher_new(&f), CLID_OK);
    assert_int_equal(clid_fetcher_set_cache_dir(f, d), CLID_OK);
    assert_int_equal(chmod(d, 0770), 0);
    assert_int_equal(clid_fetcher_set_cache_dir(f, d), CLID_ERR_IO);
    assert_int_equal(chmod(d, 0700), 0);

    /* Owned by another user (mode 0700, so only the owner's umask and
     * chmod stand between it and a planted file). Making one needs root. */
    uid_t other = geteuid() == 65534 ? 65533 : 65534;
    if (chown(d, other, (gid_t)-1) != 0) {
        clid_fetcher_free(f);
        print_message("skipping the other-owner case: chown to uid %u needs root\n",
                      (unsigned)other);
        skip();
    }
    assert_int_equal(clid__fdisk_prepare(d), CLID_ERR_IO);
    assert_int_equal(clid_fetcher_set_cache_dir(f, d), CLID_ERR_IO);
    /* Back to this user: accepted again. */
    assert_int_equal(chown(d, geteuid(), (gid_t)-1), 0);
    assert_int_equal(clid__fdisk_prepare(d), CLID_OK);
    clid_fetcher_free(f);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_policy_table),
        cmocka_unit_test(test_url_policy_knobs),
        cmocka_unit_test(test_url_parse_fields),
        cmocka_unit_test(test_url_truncation),
        cmocka_unit_test(test_url_bad_bytes),
        cmocka_unit_test(test_address_policy),
        cmocka_unit_test(test_embedded_ipv4),
        cmocka_unit_test(test_disk_dir_owner),
        cmocka_unit_test(test_cache_control),
        cmocka_unit_test(test_expires),
        cmocka_unit_test(test_http_date),
        cmocka_unit_test(test_disk_format),
        cmocka_unit_test(test_config_args),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
