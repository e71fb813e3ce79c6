/*
 * clid trace's correlation (tools/trace/corr.c, sipmsg.c) with in-memory
 * SIP messages, no capture and no verification: retransmissions folded,
 * forks (two To-tags), re-INVITEs and proxy hops kept apart, responses
 * before or without their INVITE, unsigned calls, several Identity headers,
 * the release order and timing of rows; and the CSV cell quoting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "trace/trace.h"

/* An INVITE (or another method) with Call-ID, CSeq, branch, optional To tag
 * and 0..2 Identity headers; CRLF line endings. */
static size_t req(char *buf, size_t cap, const char *method, const char *callid, unsigned cseq,
                  const char *branch, const char *to_tag, int identities, const char *ident)
{
    int n = snprintf(buf, cap,
                     "%s sip:+12155552000@10.0.0.2 SIP/2.0\r\n"
                     "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=%s;rport\r\n"
                     "Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bKolder\r\n"
                     "From: <sip:+12155550123@10.0.0.1>;tag=f1\r\n"
                     "To: <sip:+12155552000@10.0.0.2>%s%s\r\n"
                     "Call-ID: %s\r\n"
                     "CSeq: %u %s\r\n",
                     method, branch, to_tag ? ";tag=" : "", to_tag ? to_tag : "", callid, cseq,
                     method);
    for (int i = 0; i < identities; i++)
        n += snprintf(buf + n, cap - (size_t)n, "Identity: %s%d;info=<https://x/y.pem>\r\n",
                      ident ? ident : "eyJ.a.b", i);
    n += snprintf(buf + n, cap - (size_t)n, "Content-Length: 0\r\n\r\n");
    return (size_t)n;
}

static size_t resp(char *buf, size_t cap, int status, const char *callid, unsigned cseq,
                   const char *method, const char *branch, const char *to_tag)
{
    return (size_t)snprintf(buf, cap,
                            "SIP/2.0 %d Whatever\r\n"
                            "v: SIP/2.0/UDP 10.0.0.1:5060;branch=%s\r\n"
                            "f: <sip:+12155550123@10.0.0.1>;tag=f1\r\n"
                            "t: <sip:+12155552000@10.0.0.2>%s%s\r\n"
                            "i: %s\r\n"
                            "CSeq: %u %s\r\n"
                            "l: 0\r\n\r\n",
                            status, branch, to_tag ? ";tag=" : "", to_tag ? to_tag : "",
                            callid, cseq, method);
}

typedef struct fx {
    trace_corr *c;
    uint64_t packet;
    int64_t now;
    int submitted;
} fx;

static void count_submit(void *arg, trace_row *r)
{
    (void)r;
    ((fx *)arg)->submitted++;
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    trace_corr_cfg cfg = {10, 2, 0, count_submit, f};
    f->c = trace_corr_new(&cfg);
    f->now = 1700000000;
    *state = f;
    return f->c ? 0 : -1;
}

static int teardown(void **state)
{
    fx *f = *state;
    trace_corr_free(f->c);
    free(f);
    return 0;
}

static void feed(fx *f, const char *data, size_t len, int64_t dt)
{
    f->now += dt;
    trace_msg m = {++f->packet, f->now, 0, "mem", 1, "10.0.0.1", "10.0.0.2", 5060, 5060, data,
                   len};
    assert_int_equal(trace_corr_feed(f->c, &m), 0);
}

#define FEED_REQ(f, dt, ...)                                                                   \
    do {                                                                                       \
        char b_[2048];                                                                         \
        size_t n_ = req(b_, sizeof b_, __VA_ARGS__);                                           \
        feed(f, b_, n_, dt);                                                                   \
    } while (0)
#define FEED_RESP(f, dt, ...)                                                                  \
    do {                                                                                       \
        char b_[2048];                                                                         \
        size_t n_ = resp(b_, sizeof b_, __VA_ARGS__);                                          \
        feed(f, b_, n_, dt);                                                                   \
    } while (0)

static trace_row *pop_all(fx *f)
{
    return trace_corr_pop(f->c, 1);
}

static void test_retransmissions_folded(void **state)
{
    fx *f = *state;
    FEED_REQ(f, 0, "INVITE", "c1@x", 1, "z9hG4bK1", NULL, 1, NULL);
    FEED_REQ(f, 0, "INVITE", "c1@x", 1, "z9hG4bK1", NULL, 1, NULL);
    FEED_REQ(f, 1, "INVITE", "c1@x", 1, "z9hG4bK1", NULL, 1, NULL);
    FEED_RESP(f, 0, 100, "c1@x", 1, "INVITE", "z9hG4bK1", NULL);
    FEED_RESP(f, 0, 486, "c1@x", 1, "INVITE", "z9hG4bK1", "t1");
    FEED_RESP(f, 0, 486, "c1@x", 1, "INVITE", "z9hG4bK1", "t1"); /* retransmitted response */
    assert_int_equal(f->submitted, 1);
    trace_row *r = pop_all(f);
    assert_non_null(r);
    assert_int_equal(r->retransmissions, 2);
    assert_int_equal(r->final_status, 486);
    assert_int_equal(r->final_packet, 5);
    assert_int_equal(r->packet, 1);
    assert_int_equal(r->identities, 1);
    assert_int_equal(r->flags, 0);
    assert_int_equal(r->forks, 0);
    trace_row_free(r);
    assert_null(pop_all(f));
    trace_corr_stats st;
    trace_corr_get_stats(f->c, &st);
    assert_int_equal(st.retransmissions, 2);
    assert_int_equal(st.rows, 1);
}

static void test_forks_two_to_tags(void **state)
{
    fx *f = *state;
    FEED_REQ(f, 0, "INVITE", "fork@x", 7, "z9hG4bKf", NULL, 1, NULL);
    FEED_RESP(f, 0, 180, "fork@x", 7, "INVITE", "z9hG4bKf", "a");
    FEED_RESP(f, 0, 180, "fork@x", 7, "INVITE", "z9hG4bKf", "b");
    FEED_RESP(f, 0, 180, "fork@x", 7, "INVITE", "z9hG4bKf", "b");
    FEED_RESP(f, 0, 200, "fork@x", 7, "INVITE", "z9hG4bKf", "b");
    FEED_RESP(f, 0, 603, "fork@x", 7, "INVITE", "z9hG4bKf", "a");
    trace_row *r = pop_all(f);
    assert_non_null(r);
    assert_int_equal(r->final_status, 200); /* the first final response */
    assert_int_equal(r->forks, 1);          /* two legs: one more than one */
    assert_int_equal(r->ntags, 2);
    trace_row_free(r);
    assert_null(pop_all(f));
}

static void test_reinvite_separate_row(void **state)
{
    fx *f = *state;
    FEED_REQ(f, 0, "INVITE", "re@x", 1, "z9hG4bKa", NULL, 1, "eyJ.first.");
    FEED_RESP(f, 0, 200, "re@x", 1, "INVITE", "z9hG4bKa", "t9");
    FEED_REQ(f, 0, "ACK", "re@x", 1, "z9hG4bKack", "t9", 0, NULL);
    FEED_REQ(f, 5, "INVITE", "re@x", 2, "z9hG4bKb", "t9", 1, "eyJ.second.");
    FEED_RESP(f, 0, 491, "re@x", 2, "INVITE", "z9hG4bKb", "t9");
    trace_row *r1 = pop_all(f), *r2 = pop_all(f);
    assert_non_null(r1);
    assert_non_null(r2);
    assert_int_equal(r1->cseq, 1);
    assert_int_equal(r1->final_status, 200);
    assert_int_equal(r1->flags & TRACE_ROW_REINVITE, 0);
    assert_int_equal(r2->cseq, 2);
    assert_int_equal(r2->final_status, 491);
    assert_true(r2->flags & TRACE_ROW_REINVITE);
    assert_true(r1->seq < r2->seq);
    trace_row_free(r1);
    trace_row_free(r2);
    assert_null(pop_all(f));
    trace_corr_stats st;
    trace_corr_get_stats(f->c, &st);
    assert_int_equal(st.ignored_requests, 1); /* the ACK */
}

static void test_hop_other_branch(void **state)
{
    fx *f = *state;
    /* the same INVITE seen before and after a proxy: new top Via branch */
    FEED_REQ(f, 0, "INVITE", "hop@x", 3, "z9hG4bKuac", NULL, 1, NULL);
    FEED_REQ(f, 0, "INVITE", "hop@x", 3, "z9hG4bKproxy", NULL, 1, NULL);
    FEED_RESP(f, 0, 404, "hop@x", 3, "INVITE", "z9hG4bKproxy", "p");
    FEED_RESP(f, 0, 404, "hop@x", 3, "INVITE", "z9hG4bKuac", "p");
    trace_row *a = pop_all(f), *b = pop_all(f);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(a->flags & TRACE_ROW_HOP, 0);
    assert_true(b->flags & TRACE_ROW_HOP);
    assert_string_equal(a->branch, "z9hG4bKuac");
    assert_int_equal(a->final_packet, 4);
    assert_int_equal(b->final_packet, 3);
    trace_row_free(a);
    trace_row_free(b);
}

static void test_response_before_and_without_invite(void **state)
{
    fx *f = *state;
    FEED_RESP(f, 0, 200, "early@x", 1, "INVITE", "z9hG4bKe", "t");
    FEED_RESP(f, 0, 480, "lonely@x", 1, "INVITE", "z9hG4bKl", "t");
    FEED_REQ(f, 0, "INVITE", "early@x", 1, "z9hG4bKe", NULL, 1, NULL);
    trace_row *r = pop_all(f);
    assert_non_null(r);
    assert_string_equal(r->callid, "early@x");
    assert_int_equal(r->final_status, 200);
    assert_int_equal(r->final_packet, 1);
    trace_row_free(r);
    assert_null(pop_all(f));
    trace_corr_stats st;
    trace_corr_get_stats(f->c, &st);
    assert_int_equal(st.orphan_responses, 1); /* lonely@x */
    assert_int_equal(st.rows, 1);
}

static void test_unsigned_and_other_methods(void **state)
{
    fx *f = *state;
    FEED_REQ(f, 0, "INVITE", "u@x", 1, "z9hG4bKu", NULL, 0, NULL);
    FEED_REQ(f, 0, "OPTIONS", "o@x", 1, "z9hG4bKo", NULL, 0, NULL);
    FEED_REQ(f, 0, "MESSAGE", "m@x", 1, "z9hG4bKm", NULL, 1, NULL);
    feed(f, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27, 0);
    trace_row *u = pop_all(f), *m = pop_all(f);
    assert_non_null(u);
    assert_non_null(m);
    assert_int_equal(u->identities, 0);
    assert_string_equal(u->method, "INVITE");
    assert_int_equal(u->flags, TRACE_ROW_TIMEOUT);
    assert_string_equal(m->method, "MESSAGE");
    assert_null(pop_all(f));
    trace_row_free(u);
    trace_row_free(m);
    trace_corr_stats st;
    trace_corr_get_stats(f->c, &st);
    assert_int_equal(st.not_sip, 1);
    assert_int_equal(st.ignored_requests, 1);
}

static void test_multiple_identity_headers(void **state)
{
    fx *f = *state;
    FEED_REQ(f, 0, "INVITE", "two@x", 1, "z9hG4bK2", NULL, 2, NULL);
    /* same branch, other Identity bytes: not a retransmission */
    FEED_REQ(f, 0, "INVITE", "two@x", 1, "z9hG4bK2", NULL, 2, "eyJ.other.");
    trace_row *a = pop_all(f), *b = pop_all(f);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(a->identities, 2);
    assert_int_not_equal(a->identity_hash, b->identity_hash);
    assert_int_equal(a->retransmissions, 0);
    trace_row_free(a);
    trace_row_free(b);
}

static void test_release_order_and_timing(void **state)
{
    fx *f = *state; /* idle 10 s, grace 2 s */
    FEED_REQ(f, 0, "INVITE", "slow@x", 1, "z9hG4bKs", NULL, 1, NULL);
    FEED_REQ(f, 0, "INVITE", "fast@x", 1, "z9hG4bKq", NULL, 1, NULL);
    FEED_RESP(f, 0, 200, "fast@x", 1, "INVITE", "z9hG4bKq", "t");
    FEED_REQ(f, 3, "OPTIONS", "tick@x", 1, "z9hG4bKt", NULL, 0, NULL);
    /* fast@x is complete, but slow@x came first: nothing is released yet */
    assert_null(trace_corr_pop(f->c, 0));
    FEED_REQ(f, 8, "OPTIONS", "tick@x", 2, "z9hG4bKt2", NULL, 0, NULL);
    trace_row *a = trace_corr_pop(f->c, 0);
    assert_non_null(a);
    assert_string_equal(a->callid, "slow@x");
    assert_true(a->flags & TRACE_ROW_TIMEOUT);
    trace_row *b = trace_corr_pop(f->c, 0);
    assert_non_null(b);
    assert_string_equal(b->callid, "fast@x");
    assert_int_equal(b->flags & TRACE_ROW_TIMEOUT, 0);
    assert_null(trace_corr_pop(f->c, 0));
    assert_int_equal(trace_corr_pending(f->c), 0);
    trace_row_free(a);
    trace_row_free(b);
    /* a late retransmission after the row left is a new row, not a crash */
    FEED_REQ(f, 0, "INVITE", "slow@x", 1, "z9hG4bKs", NULL, 1, NULL);
    a = pop_all(f);
    assert_non_null(a);
    trace_row_free(a);
}

/* A flood of unanswered INVITEs: never more than max_pending rows held. */
static void test_max_pending_bounds_memory(void **state)
{
    (void)state;
    fx f = {0};
    trace_corr_cfg cfg = {3600, 4, 3, NULL, NULL};
    f.c = trace_corr_new(&cfg);
    f.now = 1700000000;
    assert_non_null(f.c);
    uint64_t released = 0;
    for (int i = 0; i < 100; i++) {
        char id[32];
        snprintf(id, sizeof id, "flood-%d@x", i);
        FEED_REQ(&f, 0, "INVITE", id, 1, "z9hG4bKf", NULL, 1, NULL);
        trace_row *r;
        while ((r = trace_corr_pop(f.c, 0)) != NULL) {
            char want[32];
            snprintf(want, sizeof want, "flood-%llu@x", (unsigned long long)released);
            assert_string_equal(r->callid, want); /* oldest first */
            assert_true(r->flags & TRACE_ROW_TIMEOUT);
            trace_row_free(r);
            released++;
        }
        assert_true(trace_corr_pending(f.c) <= 3);
    }
    assert_int_equal(released, 97);
    trace_corr_free(f.c);
}

static void test_sip_parse_forms(void **state)
{
    (void)state;
    trace_sip s;
    const char *m = "INVITE tel:+1 SIP/2.0\n"
                    "v : SIP/2.0/TCP h;branch=z9hG4bKX , SIP/2.0/UDP g;branch=z9hG4bKY\n"
                    "t: \"A;tag=no\" <sip:a@b;tag=inuri>;tag=yes\n"
                    "i:abc\n"
                    "CSeq:  42   INVITE\n"
                    "y: one\n"
                    "identity: two\n\n";
    assert_int_equal(trace_sip_parse(m, strlen(m), &s), 0);
    assert_true(s.is_request);
    assert_string_equal(s.method, "INVITE");
    assert_string_equal(s.branch, "z9hG4bKX");
    assert_string_equal(s.to_tag, "yes");
    assert_string_equal(s.callid, "abc");
    assert_int_equal(s.cseq, 42);
    assert_int_equal(s.identities, 2);
    const char *r = "SIP/2.0 183 Session Progress\r\nCall-ID: z\r\nCSeq: 1 INVITE\r\n\r\n";
    assert_int_equal(trace_sip_parse(r, strlen(r), &s), 0);
    assert_false(s.is_request);
    assert_int_equal(s.status, 183);
    assert_string_equal(s.method, "INVITE");
    const char *bad[] = {"SIP/2.0 20 OK\r\nCall-ID: z\r\nCSeq: 1 INVITE\r\n\r\n",
                         "invite sip:x SIP/2.0\r\nCall-ID: z\r\nCSeq: 1 INVITE\r\n\r\n",
                         "INVITE sip:x SIP/2.0\r\nCSeq: 1 INVITE\r\n\r\n",
                         "INVITE sip:x SIP/2.0\r\nCall-ID: z\r\n\r\n", "", "\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(trace_sip_parse(bad[i], strlen(bad[i]), &s), -1);
    /* a long Call-ID is cut, not overflowed */
    char big[4096];
    int n = snprintf(big, sizeof big, "BYE sip:x SIP/2.0\r\nCall-ID: ");
    memset(big + n, 'A', 1000);
    snprintf(big + n + 1000, sizeof big - (size_t)n - 1000, "\r\nCSeq: 2 BYE\r\n\r\n");
    assert_int_equal(trace_sip_parse(big, strlen(big), &s), 0);
    assert_int_equal(strlen(s.callid), TRACE_FIELD - 1);
}

/* Every prefix of a message, each in a buffer of exactly its size, and
 * every single-byte change: no read outside the buffer (valgrind and ASan
 * run this test), a result either way. */
static void test_sip_parse_truncations(void **state)
{
    (void)state;
    char m[2048];
    size_t n = req(m, sizeof m, "INVITE", "t@x", 77, "z9hG4bKt", "tt", 2, NULL);
    for (size_t i = 0; i <= n; i++) {
        char *b = malloc(i ? i : 1);
        assert_non_null(b);
        memcpy(b, m, i);
        trace_sip s;
        int rc = trace_sip_parse(b, i, &s);
        assert_true(rc == 0 || rc == -1);
        if (i == n) {
            assert_int_equal(rc, 0);
            assert_int_equal(s.cseq, 77);
        }
        free(b);
    }
    for (size_t i = 0; i < n; i++) {
        char *b = malloc(n);
        assert_non_null(b);
        memcpy(b, m, n);
        b[i] = (char)(b[i] ^ 0x5a);
        trace_sip s;
        int rc = trace_sip_parse(b, n, &s);
        assert_true(rc == 0 || rc == -1);
        free(b);
    }
}

static void test_csv_field(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    const char *in[] = {"plain", "=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "a,b", "q\"q", "",
                        "line\nbreak"};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        trace_csv_field(f, in[i]);
        fputc('|', f);
    }
    fclose(f);
    assert_string_equal(buf, "plain|\"'=HYPERLINK(\"\"x\"\")\"|\"'+1\"|\"'-2\"|\"'@SUM(A1)\"|"
                             "\"a,b\"|\"q\"\"q\"||line\\x0Abreak|");
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_retransmissions_folded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forks_two_to_tags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reinvite_separate_row, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hop_other_branch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_response_before_and_without_invite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsigned_and_other_methods, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multiple_identity_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_release_order_and_timing, setup, teardown),
        cmocka_unit_test(test_max_pending_bounds_memory),
        cmocka_unit_test(test_sip_parse_forms),
        cmocka_unit_test(test_sip_parse_truncations),
        cmocka_unit_test(test_csv_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
