/*
 * Unit tests of clid_sip_get_diversion (sip_history.c): History-Info
 * (RFC 7044) and Diversion (RFC 5806) read from requests built here, each
 * refusal with its exact code, and every truncation of the header values.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <clid/clid.h>
#include <clid/clid_sip.h>

#include "support/clid_test.h"

/* A retargeted INVITE: Request-URI `ruri`, then `headers` (CRLF-separated
 * lines, each ending in CRLF) before the empty line. malloc'd, exact size. */
static char *request(const char *ruri, const char *headers, size_t *len)
{
    const char *parts[] = {"INVITE ", ruri, " SIP/2.0\r\n",
                           "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\r\n"
                           "From: <sip:+12155550001@a.example>;tag=1\r\n"
                           "To: <sip:+12155550002@b.example>\r\n"
                           "Call-ID: div-1@a.example\r\n"
                           "CSeq: 1 INVITE\r\n",
                           headers, "Content-Length: 0\r\n\r\n"};
    size_t n = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        n += strlen(parts[i]);
    char *out = malloc(n); /* no NUL: ASan sees any over-read */
    assert_non_null(out);
    size_t o = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        memcpy(out + o, parts[i], strlen(parts[i]));
        o += strlen(parts[i]);
    }
    *len = n;
    return out;
}

static clid_err get(const char *ruri, const char *headers, char div[CLID_TN_BUF],
                    char target[CLID_TN_BUF])
{
    size_t len = 0;
    char *m = request(ruri, headers, &len);
    clid_err rc = clid_sip_get_diversion(m, len, div, target);
    free(m);
    return rc;
}

static void expect_ok(const char *ruri, const char *headers, const char *want_div,
                      const char *want_target)
{
    char div[CLID_TN_BUF], target[CLID_TN_BUF];
    assert_err(get(ruri, headers, div, target), CLID_OK);
    assert_string_equal(div, want_div);
    assert_string_equal(target, want_target);
}

static void expect_err(const char *ruri, const char *headers, clid_err want)
{
    char div[CLID_TN_BUF] = "x", target[CLID_TN_BUF] = "x";
    assert_err(get(ruri, headers, div, target), want);
    assert_string_equal(div, "");
    assert_string_equal(target, "");
}

#define RURI3 "sip:+12155550003@c.example"
#define HI_BASE                                                                                   \
    "History-Info: <sip:+12155550002@b.example>;index=1,"                                        \
    " <sip:+12155550003@c.example;cause=302>;index=1.1;rc=1\r\n"

static void history_info_basic(void **state)
{
    (void)state;
    expect_ok(RURI3, HI_BASE, "12155550002", "12155550003");
    /* split over two headers, tel URIs, mp instead of rc */
    expect_ok(RURI3,
              "History-Info: <tel:+1-215-555-0002>;index=1\r\n"
              "History-Info: <tel:+12155550003>;index=1.1;mp=1\r\n",
              "12155550002", "12155550003");
    /* two retargetings: the last decides */
    expect_ok("sip:+12155550004@d.example",
              "History-Info: <sip:+12155550002@b.example>;index=1,"
              "<sip:+12155550003@c.example>;index=1.1;rc=1,"
              "<sip:+12155550004@d.example>;index=1.1.1;rc=1.1\r\n",
              "12155550003", "12155550004");
    /* np (no retargeting) entries after the last rc: the last entry is the target,
     * the rc entry's parent the diverting number */
    expect_ok(RURI3,
              "History-Info: <sip:+12155550002@b.example>;index=1,"
              "<sip:+12155550003@c.example>;index=1.1;rc=1,"
              "<sip:+12155550003@p.example;user=phone>;index=1.1.1;np=1.1\r\n",
              "12155550002", "12155550003");
    /* extension parameters and escaped headers in the URI are fine; names any case */
    expect_ok(RURI3,
              "History-Info: <sip:+12155550002@b.example?Reason=SIP%3Bcause%3D302>;"
              "INDEX=1;foo=\"a;b\",<sip:+12155550003@c.example>;Index=1.1;RC=1;bar\r\n",
              "12155550002", "12155550003");
    /* the last entry names no number: the Request-URI's */
    expect_ok(RURI3,
              "History-Info: <sip:+12155550002@b.example>;index=1,"
              "<sip:carol@c.example>;index=1.1;rc=1\r\n",
              "12155550002", "12155550003");
}

static void history_info_refused(void **state)
{
    (void)state;
    const clid_err H = CLID_ERR_SIP_HISTORY_INFO;
    static const char *const bad[] = {
        /* bogus indices */
        "History-Info: <sip:+12155550002@b.example>;index=01\r\n",
        "History-Info: <sip:+12155550002@b.example>;index=1.\r\n",
        "History-Info: <sip:+12155550002@b.example>;index=.1\r\n",
        "History-Info: <sip:+12155550002@b.example>;index=1..1\r\n",
        "History-Info: <sip:+12155550002@b.example>;index=1.a\r\n",
        "History-Info: <sip:+12155550002@b.example>;index=-1\r\n",
        "History-Info: <sip:+12155550002@b.example>;index=\r\n",
        "History-Info: <sip:+12155550002@b.example>;index\r\n",
        "History-Info: <sip:+12155550002@b.example>;index=1.00\r\n",
        "History-Info: <sip:+12155550002@b.example>;index=\"1\"\r\n",
        /* an index of 64 characters */
        "History-Info: <sip:+12155550002@b.example>;index=1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1"
        ".1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.12\r\n",
        /* no index, two indices */
        "History-Info: <sip:+12155550002@b.example>\r\n",
        "History-Info: <sip:+12155550002@b.example>;index=1;index=2\r\n",
        /* duplicate index, across headers too */
        "History-Info: <sip:+12155550002@b.example>;index=1,<sip:+12155550003@c.example>;index=1\r\n",
        "History-Info: <sip:+12155550002@b.example>;index=1\r\n"
        "History-Info: <sip:+12155550003@c.example>;index=1;rc=1\r\n",
        /* rc/mp/np naming nothing, naming itself, naming a later entry */
        "History-Info: <sip:+12155550002@b.example>;index=1,<sip:+12155550003@c.example>;index=1.1;rc=2\r\n",
        "History-Info: <sip:+12155550003@c.example>;index=1;rc=1\r\n",
        "History-Info: <sip:+12155550002@b.example>;index=1;mp=1.1,<sip:+12155550003@c.example>;index=1.1\r\n",
        "History-Info: <sip:+12155550002@b.example>;index=1,<sip:+12155550003@c.example>;index=1.1;np=3\r\n",
        /* two target parameters, a bad rc value */
        "History-Info: <sip:+12155550002@b.example>;index=1,<sip:+12155550003@c.example>;index=1.1;rc=1;mp=1\r\n",
        "History-Info: <sip:+12155550002@b.example>;index=1,<sip:+12155550003@c.example>;index=1.1;rc=x\r\n",
        /* not name-addr, empty, empty entry, junk after the address, unterminated */
        "History-Info: sip:+12155550002@b.example;index=1\r\n",
        "History-Info:\r\n",
        "History-Info: <sip:+12155550002@b.example>;index=1,,<sip:+12155550003@c.example>;index=2\r\n",
        "History-Info: <sip:+12155550002@b.example> junk;index=1\r\n",
        "History-Info: <sip:+12155550002@b.example;index=1\r\n",
        /* Diversion: a counter of three digits or letters, an empty entry */
        "Diversion: <sip:+12155550002@b.example>;counter=100\r\n",
        "Diversion: <sip:+12155550002@b.example>;counter=a\r\n",
        "Diversion: <sip:+12155550002@b.example>;counter=1;counter=2\r\n",
        "Diversion: <sip:+12155550002@b.example>,\r\n",
        "Diversion:\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        print_message("bad[%zu]\n", i);
        expect_err(RURI3, bad[i], H);
    }
    /* a malformed History-Info fails the request even next to a good Diversion */
    expect_err(RURI3,
               "Diversion: <sip:+12155550002@b.example>\r\n"
               "History-Info: <sip:+12155550002@b.example>;index=1;index=1\r\n",
               H);
}

/* CLID_SIP_MAX_HISTORY entries are read; one more (or 100) is refused. */
static void history_info_bounds(void **state)
{
    (void)state;
    for (size_t count = CLID_SIP_MAX_HISTORY; count <= 100; count += 100 - CLID_SIP_MAX_HISTORY) {
        for (int split = 0; split <= 1; split++) {
            char *h = malloc(count * 80 + 64);
            assert_non_null(h);
            size_t o = (size_t)sprintf(h, "History-Info: <sip:+12155550100@x.example>;index=1");
            for (size_t i = 1; i < count; i++)
                o += (size_t)sprintf(h + o, "%s<sip:+121555501%02zu@x.example>;index=1.%zu;rc=1",
                                     split ? "\r\nHistory-Info: " : ",", i % 100, i);
            sprintf(h + o, "\r\n");
            if (count <= CLID_SIP_MAX_HISTORY) {
                char want[CLID_TN_BUF];
                snprintf(want, sizeof want, "121555501%02zu", (count - 1) % 100);
                expect_ok(RURI3, h, "12155550100", want);
            } else {
                expect_err(RURI3, h, CLID_ERR_SIP_HISTORY_INFO);
            }
            free(h);
        }
    }
    /* as many Diversion entries */
    char *h = malloc(100 * 60 + 64);
    assert_non_null(h);
    size_t o = (size_t)sprintf(h, "Diversion: <sip:+12155550100@x.example>");
    for (size_t i = 1; i < 100; i++)
        o += (size_t)sprintf(h + o, ",<sip:+121555501%02zu@x.example>", i);
    sprintf(h + o, "\r\n");
    expect_err(RURI3, h, CLID_ERR_SIP_HISTORY_INFO);
    free(h);
}

static void history_info_not_tns(void **state)
{
    (void)state;
    /* the entry diverted from is no number: History-Info names no diverting TN */
    expect_err(RURI3,
               "History-Info: <sip:bob@b.example>;index=1,<sip:+12155550003@c.example>;index=1.1;rc=1\r\n",
               CLID_ERR_SIP_NO_DIVERSION);
    /* ... then Diversion is read */
    expect_ok(RURI3,
              "History-Info: <sip:bob@b.example>;index=1,<sip:+12155550003@c.example>;index=1.1;rc=1\r\n"
              "Diversion: <tel:+12155550009>;reason=unconditional\r\n",
              "12155550009", "12155550003");
    /* History-Info without any retargeting entry: Diversion, else none */
    expect_err(RURI3, "History-Info: <sip:+12155550002@b.example>;index=1\r\n",
               CLID_ERR_SIP_NO_DIVERSION);
    /* nothing at all */
    expect_err(RURI3, "", CLID_ERR_SIP_NO_DIVERSION);
    /* neither the last entry nor the Request-URI names a number */
    expect_err("sip:carol@c.example",
               "History-Info: <sip:+12155550002@b.example>;index=1,"
               "<sip:carol@c.example>;index=1.1;rc=1\r\n",
               CLID_ERR_SIP_NO_CALLEE);
    expect_err("sip:carol@c.example", "Diversion: <sip:+12155550002@b.example>\r\n",
               CLID_ERR_SIP_NO_CALLEE);
}

static void diversion_forms(void **state)
{
    (void)state;
    /* the topmost entry is the most recent diversion (RFC 5806 §4) */
    expect_ok(RURI3,
              "Diversion: <sip:+12155550002@b.example>;reason=no-answer;counter=1;privacy=off,"
              " \"Old\" <sip:+12155550009@b.example>;reason=user-busy\r\n"
              "Diversion: <sip:+12155550008@b.example>\r\n",
              "12155550002", "12155550003");
    /* addr-spec form, tel URI, quoted reason, folded line */
    expect_ok(RURI3, "Diversion: tel:+1-215-555-0002;reason=\"deflection\"\r\n",
              "12155550002", "12155550003");
    expect_ok(RURI3, "Diversion: <sip:12155550002@b.example;user=phone>\r\n ;reason=unknown\r\n",
              "12155550002", "12155550003");
    /* a Request-URI that is tel */
    expect_ok("tel:+12155550003", "Diversion: <sip:+12155550002@b.example>\r\n", "12155550002",
              "12155550003");
    /* the topmost entry is no number */
    expect_err(RURI3,
               "Diversion: <sip:bob@b.example>,<sip:+12155550009@b.example>\r\n",
               CLID_ERR_SIP_NO_DIVERSION);
}

/* phone-context numbers (RFC 3966 §5.1.5): whatever clid_tn_canonicalize
 * says of the number is what the diversion says. */
static void phone_context(void **state)
{
    (void)state;
    char want[CLID_TN_BUF];
    clid_err rc = clid_tn_canonicalize("5550002;phone-context=+1-215", want);
    char div[CLID_TN_BUF], target[CLID_TN_BUF];
    clid_err got = get(RURI3, "Diversion: <tel:5550002;phone-context=+1-215>\r\n", div, target);
    if (rc == CLID_OK) {
        assert_err(got, CLID_OK);
        assert_string_equal(div, want);
    } else {
        assert_err(got, rc == CLID_ERR_BAD_TN ? CLID_ERR_SIP_NO_DIVERSION : rc);
    }
    rc = clid_tn_canonicalize("5550002;phone-context=example.com", want);
    got = get(RURI3,
              "History-Info: <sip:5550002;phone-context=example.com@b.example;user=phone>;index=1,"
              "<sip:+12155550003@c.example>;index=1.1;rc=1\r\n",
              div, target);
    if (rc == CLID_OK)
        assert_err(got, CLID_OK);
    else
        assert_err(got, rc == CLID_ERR_BAD_TN ? CLID_ERR_SIP_NO_DIVERSION : rc);
}

/* Every truncation of the header section's History-Info / Diversion values,
 * fed as exact-size buffers: an answer, never a crash or an over-read. */
static void truncations(void **state)
{
    (void)state;
    static const char *const hs[] = {
        "History-Info: <sip:+12155550002@b.example?x=1>;index=1;foo=\"q\\\";\","
        " <sip:+12155550003@c.example;cause=302>;index=1.1;rc=1\r\n",
        "Diversion: \"A, b\" <sip:+12155550002@b.example>;reason=\"x;y\";counter=12,"
        " tel:+12155550009;privacy=full\r\n",
    };
    for (size_t k = 0; k < 2; k++) {
        size_t full = strlen(hs[k]) - 2; /* without its CRLF */
        for (size_t cut = 0; cut <= full; cut++) {
            char *h = malloc(cut + 3);
            assert_non_null(h);
            memcpy(h, hs[k], cut);
            memcpy(h + cut, "\r\n", 3);
            char div[CLID_TN_BUF], target[CLID_TN_BUF];
            clid_err rc = get(RURI3, h, div, target);
            assert_true(rc == CLID_OK || rc == CLID_ERR_SIP_HISTORY_INFO ||
                        rc == CLID_ERR_SIP_NO_DIVERSION || rc == CLID_ERR_SIP_PARSE);
            if (rc == CLID_OK)
                assert_string_equal(target, "12155550003");
            free(h);
        }
    }
}

static void arguments(void **state)
{
    (void)state;
    char div[CLID_TN_BUF], target[CLID_TN_BUF];
    assert_err(clid_sip_get_diversion(NULL, 0, div, target), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_sip_get_diversion("x", 1, NULL, target), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_sip_get_diversion("x", 1, div, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_sip_get_diversion("SIP/2.0 200 OK\r\n\r\n", 19, div, target),
               CLID_ERR_SIP_PARSE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(history_info_basic),  cmocka_unit_test(history_info_refused),
        cmocka_unit_test(history_info_bounds), cmocka_unit_test(history_info_not_tns),
        cmocka_unit_test(diversion_forms),     cmocka_unit_test(phone_context),
        cmocka_unit_test(truncations),         cmocka_unit_test(arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
