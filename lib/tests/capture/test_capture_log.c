/*
 * SIP text logs (cap_log.c): SIPp -trace_msg files and Kamailio "clid-trace"
 * xlog entries, in the shapes SIPp 3.6.1 and Kamailio 5.6.3 write them (both
 * checked against the real programs; docs/trace.md shows them).
 */
#include "capture/cap_fixture.h"

#include <unistd.h>

static char logbuf[1 << 20];

static void sipp_trace_msg(void **state)
{
    (void)state;
    char inv[2048], ok[1024];
    snprintf(inv, sizeof inv, "%s", cf_invite("sipp-1", 129, 1));
    snprintf(ok, sizeof ok, "%s", cf_response(200, "sipp-1"));
    int n = snprintf(logbuf, sizeof logbuf,
                     "----------------------------------------------- 2026-12-02 10:16:34.789673\n"
                     "UDP message sent (%zu bytes):\n\n%s\n"
                     "----------------------------------------------- 2026-12-02 10:16:34.791569\n"
                     "UDP message received [%zu] bytes :\n\n%s\n"
                     "some other line SIPp may write\n"
                     "----------------------------------------------- 2026-12-02 10:16:35.000001\n"
                     "TCP message received [%zu] bytes :\n\n%s\n",
                     strlen(inv), inv, strlen(ok), ok, strlen(ok), ok);
    cf_run r;
    assert_ok(cf_run_bytes(&r, logbuf, (size_t)n, NULL));
    assert_err(r.end, CLID_ERR_CAPTURE_END);
    assert_int_equal(r.nmsg, 3);
    assert_string_equal(r.msg[0].data, inv);
    assert_string_equal(r.msg[1].data, ok);
    assert_string_equal(r.msg[2].data, ok);
    assert_int_equal(r.msg[0].m.transport, CLID_CAPTURE_LOG);
    assert_int_equal(r.msg[0].m.ip_version, 0);
    assert_string_equal(r.msg[0].m.src, "");
    /* 2026-12-02 10:16:34 UTC */
    assert_int_equal(r.msg[0].m.ts_sec, 1796206594);
    assert_int_equal(r.msg[0].m.ts_usec, 789673);
    assert_int_equal(r.msg[2].m.ts_sec, 1796206595);
    assert_int_equal(r.msg[2].m.ts_usec, 1);
    /* "packet" = the log line that ends the message: the INVITE's 9 lines
     * start at line 4, its body (without a line end) is line 12. */
    assert_int_equal(r.msg[0].m.packet, 12);
    assert_int_equal(r.nwarn, 0);
    assert_int_equal(r.st.packets, 3);
    cf_run_free(&r);
}

static void sipp_bad_blocks(void **state)
{
    (void)state;
    const char *ok = cf_response(180, "x");
    int n = snprintf(logbuf, sizeof logbuf,
                     "----------------------------------------------- 2026-12-02 10:16:34.789673\n"
                     "UDP message sent (999999 bytes):\n\n%s\n"
                     "----------------------------------------------- 2026-12-02 10:16:35.000000\n"
                     "nonsense\n"
                     "----------------------------------------------- 2026-12-02 10:16:36.000000\n"
                     "UDP message sent (%zu bytes):\n\n%s\n"
                     "----------------------------------------------- 2026-12-02 10:16:37.000000\n"
                     "UDP message sent (500 bytes):\n\nshort",
                     ok, strlen(ok), ok);
    cf_run r;
    clid_capture_limits lim = {.max_message = 100000};
    assert_ok(cf_run_bytes(&r, logbuf, (size_t)n, &lim));
    /* 999999 > max_message: skipped to the end of the file. */
    assert_int_equal(r.nmsg, 0);
    assert_int_equal(cf_warns(&r, "too-large"), 1);
    cf_run_free(&r);
    assert_ok(cf_run_bytes(&r, logbuf, (size_t)n, NULL));
    assert_int_equal(r.nmsg, 0);
    cf_run_free(&r);
    /* Without the oversized block: the malformed one is warned, the good one
     * read, the truncated one warned. */
    char *second = strstr(logbuf, "-----------------------------------------------"
                                  " 2026-12-02 10:16:35");
    assert_non_null(second);
    assert_ok(cf_run_bytes(&r, second, strlen(second), NULL));
    assert_int_equal(r.nmsg, 1);
    assert_string_equal(r.msg[0].data, ok);
    assert_int_equal(cf_warns(&r, "malformed"), 1);
    assert_int_equal(cf_warns(&r, "truncated"), 1);
    cf_run_free(&r);
}

static void kamailio_stderr(void **state)
{
    (void)state;
    char inv[2048];
    snprintf(inv, sizeof inv, "%s", cf_invite("kam-1", 129, 1));
    const char *ok = "SIP/2.0 486 Busy Here\r\nCall-ID: kam-1\r\nCSeq: 1 INVITE\r\n\r\n";
    int n = snprintf(
        logbuf, sizeof logbuf,
        " 0(14288) INFO: <core> [main.c:2139]: main(): processes (at least): 6\n"
        " 1(15099) INFO: <script>: clid-trace 1796207397 188918 udp 127.0.0.1 5094 127.0.0.1 5093\n"
        "%s\n"
        " 1(15099) WARNING: <script>: something else\n"
        " 1(15099) INFO: <script>: clid-trace 1796207397 5123 tcp 2001:db8::2 5060 2001:db8::1 "
        "5070\n"
        "%s\n",
        inv, ok);
    cf_run r;
    assert_ok(cf_run_bytes(&r, logbuf, (size_t)n, NULL));
    assert_int_equal(r.nmsg, 2);
    assert_string_equal(r.msg[0].data, inv);
    assert_int_equal(r.msg[0].m.ts_sec, 1796207397);
    assert_int_equal(r.msg[0].m.ts_usec, 188918);
    assert_int_equal(r.msg[0].m.ip_version, 4);
    assert_string_equal(r.msg[0].m.src, "127.0.0.1");
    assert_int_equal(r.msg[0].m.sport, 5094);
    assert_int_equal(r.msg[0].m.dport, 5093);
    assert_int_equal(r.msg[0].m.transport, CLID_CAPTURE_LOG);
    assert_int_equal(r.msg[0].m.packet, 2 + 9); /* marker, then 9 lines */
    /* No Content-Length: the message ends with its headers. */
    assert_string_equal(r.msg[1].data, ok);
    assert_int_equal(r.msg[1].m.ts_usec, 5123);
    assert_int_equal(r.msg[1].m.ip_version, 6);
    assert_string_equal(r.msg[1].m.dst, "2001:db8::1");
    assert_int_equal(r.nwarn, 0);
    cf_run_free(&r);
}

static void kamailio_rsyslog(void **state)
{
    (void)state;
    /* rsyslog escapes control characters: CR LF -> #015#012. */
    const char *inv = cf_invite("kam-2", 4, 1);
    char esc[4096];
    size_t o = 0;
    for (const char *p = inv; *p; p++) {
        if (*p == '\r' || *p == '\n')
            o += (size_t)snprintf(esc + o, sizeof esc - o, "#%03o", (unsigned)*p);
        else
            esc[o++] = *p;
    }
    esc[o] = '\0';
    int n = snprintf(logbuf, sizeof logbuf,
                     "Dec  2 10:13:07 sbc1 kamailio[1234]: INFO: <script>: clid-trace 1796206387 "
                     "42 udp 192.0.2.10 5060 192.0.2.20 5060#012%s#012\n"
                     "Dec  2 10:13:08 sbc1 kamailio[1234]: INFO: <script>: clid-trace 17962 x\n",
                     esc);
    cf_run r;
    assert_ok(cf_run_bytes(&r, logbuf, (size_t)n, NULL));
    assert_int_equal(r.nmsg, 1);
    assert_string_equal(r.msg[0].data, inv);
    assert_int_equal(r.msg[0].m.packet, 1);
    assert_int_equal(r.msg[0].m.ts_usec, 42);
    assert_string_equal(r.msg[0].m.dst, "192.0.2.20");
    assert_int_equal(cf_warns(&r, "malformed"), 1);
    assert_int_equal(r.warn[0].packet, 2);
    cf_run_free(&r);
}

static void unknown_text_and_files(void **state)
{
    (void)state;
    cf_run r;
    const char *txt = "hello\nthis is not a log clid knows\n";
    assert_err(cf_run_bytes(&r, txt, strlen(txt), NULL), CLID_ERR_CAPTURE_OPEN);
    assert_int_equal(r.nwarn, 1);
    assert_string_equal(r.warn[0].code, "open");
    assert_non_null(strstr(r.warn[0].text, "SIPp"));
    assert_err(cf_run_bytes(&r, "", 0, NULL), CLID_ERR_CAPTURE_OPEN);
    /* Through the public entry point: a missing file, a directory. */
    clid_capture *c = (clid_capture *)1;
    assert_err(clid_capture_open_file("/nonexistent/x.pcap", NULL, NULL, NULL, &c),
               CLID_ERR_CAPTURE_OPEN);
    assert_null(c);
    assert_err(clid_capture_open_file(NULL, NULL, NULL, NULL, &c), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_capture_open_file("/tmp", NULL, NULL, NULL, &c), CLID_ERR_CAPTURE_OPEN);
    /* A real file on disk: offset and stats through the public API. */
    char path[] = "/tmp/clid_cap_log_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *ok = cf_response(200, "f");
    int n = snprintf(logbuf, sizeof logbuf,
                     "----------------------------------------------- 2026-12-02 10:16:34.789673\n"
                     "UDP message received [%zu] bytes :\n\n%s\n",
                     strlen(ok), ok);
    assert_int_equal(write(fd, logbuf, (size_t)n), n);
    close(fd);
    assert_ok(clid_capture_open_file(path, NULL, NULL, NULL, &c));
    clid_capture_msg m;
    assert_ok(clid_capture_next(c, &m));
    assert_string_equal(m.data, ok);
    assert_err(clid_capture_next(c, &m), CLID_ERR_CAPTURE_END);
    assert_err(clid_capture_next(c, &m), CLID_ERR_CAPTURE_END);
    assert_int_equal(clid_capture_offset(c), (uint64_t)n);
    clid_capture_stats st;
    clid_capture_get_stats(c, &st);
    assert_int_equal(st.messages, 1);
    clid_capture_free(c);
    /* clid_capture_break on a file: the end at once. */
    assert_ok(clid_capture_open_file(path, NULL, NULL, NULL, &c));
    clid_capture_break(c);
    assert_err(clid_capture_next(c, &m), CLID_ERR_CAPTURE_END);
    clid_capture_free(c);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sipp_trace_msg),   cmocka_unit_test(sipp_bad_blocks),
        cmocka_unit_test(kamailio_stderr),  cmocka_unit_test(kamailio_rsyslog),
        cmocka_unit_test(unknown_text_and_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
