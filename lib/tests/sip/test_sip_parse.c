/*
 * Unit tests of the SIP adapter's parsers: the Date parser
 * (clid_sip_parse_date) and the raw scanner of sip_parse.c (start line,
 * header fields, name-addr lists, parameters, numbers in URIs). The fixture
 * is sip_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sip_fixture.h"
#include "sip/sip_internal.h"

/* ------------------------------------------------------------------------ */
/* Date parser                                                               */
/* ------------------------------------------------------------------------ */

static void parse_date(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int64_t t; /* 0: invalid */
    } v[] = {
        {"Sun, 06 Nov 1994 08:49:37 GMT", 784111777}, /* RFC 1123 / RFC 2616 example */
        {"Sat, 13 Nov 2010 23:29:00 GMT", 1289690940}, /* RFC 3261 §20.17 */
        {"Thu, 01 Jan 2026 00:00:00 GMT", TP_T0},
        {"thu, 01 jan 2026 00:00:00 gmt", TP_T0}, /* ABNF strings are case-insensitive */
        {"Thu, 01 Jan 1970 00:00:01 GMT", 1},
        {"Thu, 01 Jan 1970 00:00:00 GMT", 0},     /* the epoch means "no Date" */
        {"Wed, 31 Dec 1969 23:59:59 GMT", 0},
        {"Thu, 29 Feb 2024 12:00:00 GMT", 1709208000},
        {"Thu, 29 Feb 2024 12:00:00 GMT ", 0},
        {" Thu, 29 Feb 2024 12:00:00 GMT", 0},
        {"Fri, 29 Feb 2023 12:00:00 GMT", 0},     /* no leap day */
        {"Tue, 29 Feb 2000 12:00:00 GMT", 951825600}, /* 400-year leap */
        {"Mon, 29 Feb 2100 12:00:00 GMT", 0},
        {"Fri, 01 Jan 2026 00:00:00 GMT", 0},     /* wrong weekday */
        {"Thu, 32 Jan 2026 00:00:00 GMT", 0},
        {"Thu, 00 Jan 2026 00:00:00 GMT", 0},
        {"Thu, 01 Jan 2026 24:00:00 GMT", 0},
        {"Thu, 01 Jan 2026 00:60:00 GMT", 0},
        {"Thu, 01 Jan 2026 00:00:60 GMT", 0},
        {"Thu, 01 Jan 2026 00:00:00 UTC", 0},
        {"Thu, 01 Jan 2026 00:00:00 +0000", 0},
        {"Thu, 1 Jan 2026 00:00:00 GMT", 0},
        {"Thu 01 Jan 2026 00:00:00 GMT", 0},
        {"Thu,  01 Jan 2026 00:00:00 GMT", 0},
        {"Thu, 01 Jan 26 00:00:00 GMT", 0},
        {"Thu, 01 Jna 2026 00:00:00 GMT", 0},
        {"Thursday, 01-Jan-26 00:00:00 GMT", 0},  /* RFC 850 */
        {"Thu Jan  1 00:00:00 2026", 0},          /* asctime */
        {"2026-01-01T00:00:00Z", 0},
        {"Thu, 01 Jan 2026 0a:00:00 GMT", 0},
        {"Thu, 01 Jan 2026 00:00:00 GMT\r\nX: y", 0},
        {"", 0},
        {"Fri, 31 Dec 9999 23:59:59 GMT", 253402300799},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        int64_t t = -1;
        clid_err rc = clid_sip_parse_date(v[i].s, &t);
        if (v[i].t == 0) {
            if (rc != CLID_ERR_DATE_INVALID || t != 0)
                fail_msg("'%s' accepted (%lld)", v[i].s, (long long)t);
        } else if (rc != CLID_OK || t != v[i].t) {
            fail_msg("'%s': %s %lld, expected %lld", v[i].s, clid_err_name(rc), (long long)t,
                     (long long)v[i].t);
        }
    }
    /* Every day of 1970..2100 round-trips through its own weekday. */
    static const char *const wk[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int64_t day = 1;
    for (int y = 1970; y <= 2100; y++) {
        for (int m = 0; m < 12; m++) {
            static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
            int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            int days = md[m] + (m == 1 && leap);
            for (int d = 1; d <= days; d++, day++) {
                char s[40];
                int64_t t = 0;
                snprintf(s, sizeof s, "%s, %02d %s %04d 00:00:01 GMT", wk[(day - 1 + 4) % 7], d,
                         mo[m], y);
                assert_err(clid_sip_parse_date(s, &t), CLID_OK);
                assert_int_equal(t, (day - 1) * 86400 + 1);
            }
        }
    }
    int64_t t;
    assert_err(clid_sip_parse_date(NULL, &t), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_sip_parse_date("x", NULL), CLID_ERR_INVALID_ARGUMENT);
}

/* ------------------------------------------------------------------------ */
/* The raw scanner                                                           */
/* ------------------------------------------------------------------------ */

static void raw_scanner(void **state)
{
    (void)state;
    clid__sip_raw r;
    static const char crlf[] = "INVITE sip:a@b SIP/2.0\r\nA: 1\r\nB : two\r\n  more\r\n\r\nbody";
    assert_err(clid__sip_raw_scan(crlf, sizeof crlf - 1, &r), CLID_OK);
    assert_int_equal(r.crlf, 1);
    assert_int_equal(r.headers, 24);
    assert_int_equal(r.blank, (size_t)(strstr(crlf, "\r\n\r\n") - crlf) + 2);
    assert_int_equal(r.body, sizeof crlf - 1 - 4);
    size_t pos = r.headers;
    clid__sip_field f;
    assert_true(clid__sip_next_field(&r, &pos, &f));
    assert_true(clid__sip_field_is(&r, &f, "a", 0));
    assert_int_equal(f.end - f.value, 1);
    assert_true(clid__sip_next_field(&r, &pos, &f));
    assert_true(clid__sip_field_is(&r, &f, "B", 0));
    assert_memory_equal(crlf + f.value, "two\r\n  more", f.end - f.value);
    assert_false(clid__sip_next_field(&r, &pos, &f));

    static const char lf[] = "INVITE sip:a@b SIP/2.0\nf: x\n\n";
    assert_err(clid__sip_raw_scan(lf, sizeof lf - 1, &r), CLID_OK);
    assert_int_equal(r.crlf, 0);
    pos = r.headers;
    assert_true(clid__sip_next_field(&r, &pos, &f));
    assert_true(clid__sip_field_is(&r, &f, "from", 'f'));
    assert_false(clid__sip_field_is(&r, &f, "from", 0));

    static const char *const bad[] = {
        "INVITE sip:a@b SIP/2.0\r\nA: 1\r\n",          /* no empty line */
        "INVITE sip:a@b SIP/2.0\r\nA: 1\r\r\n\r\n",    /* bare CR */
        "INVITE sip:a@b SIP/2.0\r\nA: 1\x01\r\n\r\n",  /* control */
        "INVITE sip:a@b SIP/2.0\r\nA: 1\x7f\r\n\r\n",  /* DEL */
        "INVITE sip:a@b SIP/2.0\r\n \r\n\r\n",         /* whitespace-only line */
        "INVITE sip:a@b SIP/2.0\r\n cont\r\n\r\n",     /* continuation of the start line */
        "INVITE sip:a@b SIP/2.0\r\nNoColon\r\n\r\n",
        "INVITE sip:a@b SIP/2.0\r\n: x\r\n\r\n",
        "INVITE sip:a@b SIP/2.0\r\nA(b): x\r\n\r\n",
        "\r\nA: 1\r\n\r\n",                           /* empty start line */
        "INVITE sip:a@b\r\n\r\nX: SIP/2.0\r\n\r\n",    /* no version: libosip2 reads on */
        "INVITE sip:a@b SIP/2.0 x\r\nA: 1\r\n\r\n",
        "INVITE  sip:a@b SIP/2.0\r\nA: 1\r\n\r\n",
        "INVITE sip:a@b SIP/2.\r\nA: 1\r\n\r\n",
        "INVITE sip:a@b SIP/.0\r\nA: 1\r\n\r\n",
        "INVITE sip:a@b HTTP/1.1\r\nA: 1\r\n\r\n",
        "SIP/2.0 200 OK\r\nA: 1\r\n\r\n",
        " INVITE sip:a@b SIP/2.0\r\n\r\n",
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (clid__sip_raw_scan(bad[i], strlen(bad[i]), &r) != CLID_ERR_SIP_PARSE)
            fail_msg("accepted: %s", bad[i]);
    /* a NUL in a header */
    static const char nul[] = "INVITE sip:a@b SIP/2.0\r\nA: 1\0x\r\n\r\n";
    assert_err(clid__sip_raw_scan(nul, sizeof nul - 1, &r), CLID_ERR_SIP_PARSE);
    /* but anything in the body */
    static const char body[] = "INVITE sip:a@b SIP/2.0\r\nA: 1\r\n\r\n\0\r\x01";
    assert_err(clid__sip_raw_scan(body, sizeof body - 1, &r), CLID_OK);
}

static void raw_addresses(void **state)
{
    (void)state;
    static const char v[] = "\"A, \\\"B\\\" <x>\" <sip:+1@h;user=phone>;tag=\"q,;\" , "
                            "Bob Smith <tel:+2;p=1>, sip:+3@h;tag=4,<sip:4@h>";
    size_t pos = 0, end = sizeof v - 1;
    clid__sip_addr a;
    assert_err(clid__sip_next_addr(v, &pos, end, &a), CLID_OK);
    assert_true(a.bracketed);
    assert_memory_equal(v + a.uri, "sip:+1@h;user=phone", a.uri_end - a.uri);
    assert_memory_equal(v + a.params, ";tag=\"q,;\"", a.end - a.params);
    assert_err(clid__sip_next_addr(v, &pos, end, &a), CLID_OK);
    assert_memory_equal(v + a.start, "Bob Smith <tel:+2;p=1>", a.end - a.start);
    assert_memory_equal(v + a.uri, "tel:+2;p=1", a.uri_end - a.uri);
    assert_err(clid__sip_next_addr(v, &pos, end, &a), CLID_OK);
    assert_false(a.bracketed);
    assert_memory_equal(v + a.uri, "sip:+3@h", a.uri_end - a.uri);
    assert_memory_equal(v + a.params, ";tag=4", a.end - a.params);
    assert_err(clid__sip_next_addr(v, &pos, end, &a), CLID_OK);
    assert_memory_equal(v + a.uri, "sip:4@h", a.uri_end - a.uri);
    assert_int_equal(pos, end);

    static const char *const bad[] = {"", "  ", ",<sip:a@b>", "\"open <sip:a@b>", "<sip:a@b",
                                      "\"x\" sip:a@b", "a\"b\" <sip:x@y>", "<>", "\"x\"<>"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pos = 0;
        if (clid__sip_next_addr(bad[i], &pos, strlen(bad[i]), &a) != CLID_ERR_SIP_PARSE)
            fail_msg("accepted address: '%s'", bad[i]);
    }

    /* RFC 3261 §25.1 forms libosip2's name-addr parser refuses but clid
     * must read (LAQUOT = SWS "<"), and what is no address at all. */
    static const struct {
        const char *v;
        const char *uri; /* NULL: refused */
    } forms[] = {
        {"\"A\"\t<sip:+1@h>", "sip:+1@h"},
        {"Bob\t<sip:+1@h>", "sip:+1@h"},
        {"Bob\r\n\t<tel:+1>", "tel:+1"},
        {"Bob<sip:+1@h>", "sip:+1@h"},
        {"O'Neil Jr. <sip:+1@h>", "sip:+1@h"},
        {"Jos\xc3\xa9 <sip:+1@h>", "sip:+1@h"},
        {"<sip:+1@h> ;tag=1", "sip:+1@h"},
        {"sip:+1@h\t;tag=1", "sip:+1@h"},
        {"<sip:+1@h>\t, <tel:+2>", "sip:+1@h"},
        {"< sip:+1@h>", NULL},
        {"<sip:+1@h >", NULL},
        {"<\tsip:+1@h>", NULL},
        {"<sip:+1 2@h>", NULL},
        {"<sip:+1\"@h>", NULL},
        {"sip:+2@x <sip:+1@h>", NULL},   /* a display name that is a URI */
        {"+2@x <sip:+1@h>", NULL},
        {"Bob/Alice <sip:+1@h>", NULL},
        {"<sip:+1@h> junk", NULL},
        {"<sip:+1@h> <sip:+2@h>", NULL},
        {"sip:+1@h junk", NULL},
        {"sip:+1@h <sip:+2@h>", NULL},
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        pos = 0;
        size_t n = strlen(forms[i].v);
        clid_err rc = clid__sip_next_addr(forms[i].v, &pos, n, &a);
        if (forms[i].uri == NULL ? rc != CLID_ERR_SIP_PARSE
                                 : rc != CLID_OK || a.uri_end - a.uri != strlen(forms[i].uri) ||
                                       memcmp(forms[i].v + a.uri, forms[i].uri,
                                              a.uri_end - a.uri) != 0)
            fail_msg("address '%s': %s", forms[i].v, clid_err_name(rc));
    }

    static const char p[] = " ; a = 1 ;B;c=\"x;y\";;d=e";
    pos = 0;
    clid__sip_param prm;
    const char *names[] = {"a", "b", "c", "", "d"};
    for (size_t i = 0; i < 5; i++) {
        assert_true(clid__sip_next_param(p, &pos, sizeof p - 1, &prm));
        assert_true(prm.name_len == strlen(names[i]));
        assert_true(clid__sip_param_is(p, &prm, names[i]));
    }
    assert_false(clid__sip_next_param(p, &pos, sizeof p - 1, &prm));

    char tn[CLID_TN_BUF];
    static const struct {
        const char *uri;
        const char *tn; /* NULL: not a number */
    } u[] = {
        {"sip:+1-202-555-0100@h;user=phone", "12025550100"},
        {"sips:12025550100@h", "12025550100"},
        {"SIP:%2b12025550100@h", "12025550100"},
        {"sip:+12025550100;tgrp=x;trunk-context=y@h", "12025550100"},
        {"sip:+12025550100:secret@h", "12025550100"},
        {"tel:+1(202)555.0100;ext=1", "12025550100"},
        {"TEL:+12025550100", "12025550100"},
        /* phone-context in the user part globalizes (RFC 3966 §5.1.5) */
        {"tel:555-0100;phone-context=+1-202", "12025550100"},
        {"tel:5550100;ext=1;PHONE-CONTEXT=+1202", "12025550100"},
        {"sip:5550100;phone-context=+1-202@h;user=phone", "12025550100"},
        {"sip:5550100;phone%2Dcontext=%2B1202@h", "12025550100"},
        {"sip:5550100@h;phone-context=+1202", "5550100"}, /* a URI parameter */
        {"tel:5550100;phone-context=example.com", NULL},
        {"sip:5550100;phone-context=+1%3B2@h", NULL},
        {"sip:5550100;phone-context=+1%zz@h", NULL},
        {"tel:+12025550100;phone-context=+1", NULL},
        {"sip:alice@h", NULL},
        {"sip:+1202?5550100@h", NULL}, /* '?' is a user character, not a number's end */
        {"sip:+1202%3F5550100@h", NULL},
        {"tel:+1202?5550100", NULL},
        {"sip:+1202%3B1@h", NULL},
        {"sip:anonymous@anonymous.invalid", NULL},
        {"sip:h", NULL},
        {"sip:+1%0D%0A@h", NULL},
        {"sip:+1%00@h", NULL},
        {"sip:+1%2@h", NULL},
        {"sip:%zz@h", NULL},
        {"tel:sip:12025550100", NULL},
        {"mailto:12025550100@h", NULL},
        {"urn:service:sos", NULL},
        {"12025550100", NULL},
    };
    for (size_t i = 0; i < sizeof u / sizeof u[0]; i++) {
        clid_err rc = clid__sip_uri_text_tn(u[i].uri, strlen(u[i].uri), tn);
        if (u[i].tn != NULL ? (rc != CLID_OK || strcmp(tn, u[i].tn) != 0) : rc == CLID_OK)
            fail_msg("%s: %s '%s'", u[i].uri, clid_err_name(rc), tn);
    }
}

/* Folded lines read as one SP (RFC 3261 §7.3.1), other whitespace kept. */
static void raw_field_text(void **state)
{
    (void)state;
    static const char m[] = "INVITE sip:+1@h SIP/2.0\r\n"
                            "Date : Thu, 01 Jan 2026\r\n \t00:00:30 GMT \r\n"
                            "X:  a\t b  \r\n\r\n";
    clid__sip_raw r;
    assert_err(clid__sip_raw_scan(m, sizeof m - 1, &r), CLID_OK);
    size_t pos = r.headers;
    clid__sip_field f;
    char out[128];
    assert_true(clid__sip_next_field(&r, &pos, &f));
    assert_true(clid__sip_field_is(&r, &f, "date", 0));
    assert_int_equal(clid__sip_field_text(&r, &f, out), strlen("Thu, 01 Jan 2026 00:00:30 GMT"));
    assert_string_equal(out, "Thu, 01 Jan 2026 00:00:30 GMT");
    assert_true(clid__sip_next_field(&r, &pos, &f));
    (void)clid__sip_field_text(&r, &f, out);
    assert_string_equal(out, "a\t b");
    assert_false(clid__sip_next_field(&r, &pos, &f));
    size_t u, u_end;
    clid__sip_request_uri(&r, &u, &u_end);
    assert_memory_equal(m + u, "sip:+1@h", u_end - u);
    assert_int_equal(u_end - u, 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_date),
        cmocka_unit_test(raw_scanner),
        cmocka_unit_test(raw_addresses),
        cmocka_unit_test(raw_field_text),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
