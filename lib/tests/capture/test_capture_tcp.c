/*
 * SIP over TCP (cap_tcp.c): stream reassembly per direction, split and
 * coalesced messages, retransmissions, out-of-order segments, gaps,
 * overlapping segments with other bytes, Content-Length framing (absent = 0,
 * compact form), too-large messages (a 1 MB header), TLS, SYN/FIN/RST, and the
 * stream limits (max_streams, idle_timeout).
 */
#include "capture/cap_fixture.h"

#include <pcap/pcap.h>

#define A "10.1.0.1"
#define B "10.1.0.2"

static char big[1200000];

static void tcp(cf_pcap *w, int64_t sec, uint32_t seq, int flags, const char *d, size_t len)
{
    cf_add_tcp4(w, sec, A, 40000, B, 5060, seq, flags | CF_ACK, d, len);
}

static void split_and_coalesced(void **state)
{
    (void)state;
    char inv[4096];
    snprintf(inv, sizeof inv, "%s", cf_invite("split", 300, 1));
    size_t il = strlen(inv);
    cf_pcap *w = cf_pcap_new(DLT_EN10MB);
    uint32_t seq = 1000;
    tcp(w, 1, seq, CF_SYN, NULL, 0);
    seq++;
    /* One message in three segments, cut inside the start line, a header and the body. */
    size_t cuts[] = {0, 10, 150, il};
    for (int i = 0; i < 3; i++) {
        tcp(w, 2 + i, seq, CF_PSH, inv + cuts[i], cuts[i + 1] - cuts[i]);
        seq += (uint32_t)(cuts[i + 1] - cuts[i]);
    }
    /* Three messages in one segment: with "l:", without Content-Length (0 on a stream). */
    char three[4096];
    const char *r1 = cf_response(100, "split");
    const char *noc = cf_invite("nocl", 0, 0);
    int n = snprintf(three, sizeof three, "%s", r1);
    n += snprintf(three + n, sizeof three - (size_t)n, "%s", noc);
    n += snprintf(three + n, sizeof three - (size_t)n, "%s", r1);
    tcp(w, 9, seq, CF_PSH, three, (size_t)n);
    seq += (uint32_t)n;
    tcp(w, 10, seq, CF_FIN, NULL, 0);
    cf_run r;
    cf_run_pcap(&r, w, NULL);
    assert_int_equal(r.nmsg, 4);
    assert_string_equal(r.msg[0].data, inv);
    assert_int_equal(r.msg[0].m.packet, 4);
    assert_int_equal(r.msg[0].m.ts_sec, 4);
    assert_int_equal(r.msg[0].m.transport, CLID_CAPTURE_TCP);
    assert_string_equal(r.msg[0].m.src, A);
    assert_int_equal(r.msg[0].m.sport, 40000);
    assert_string_equal(r.msg[1].data, r1);
    assert_string_equal(r.msg[2].data, noc);
    assert_string_equal(r.msg[3].data, r1);
    for (int i = 1; i < 4; i++)
        assert_int_equal(r.msg[i].m.packet, 5);
    assert_int_equal(r.nwarn, 0);
    assert_int_equal(r.st.tcp_streams, 1);
    cf_run_free(&r);
    cf_pcap_free(w);
}

static void retransmission_and_reorder(void **state)
{
    (void)state;
    char inv[4096];
    snprintf(inv, sizeof inv, "%s", cf_invite("rt", 100, 1));
    size_t il = strlen(inv);
    cf_pcap *w = cf_pcap_new(DLT_EN10MB);
    /* No SYN captured: the stream is joined at a message start. */
    tcp(w, 1, 5000, 0, inv, 200);
    tcp(w, 1, 5000, 0, inv, 200); /* retransmitted: once only */
    /* Second message first, then the rest of the first (out of order). */
    const char *ok = cf_response(200, "rt");
    tcp(w, 2, 5000 + (uint32_t)il, 0, ok, strlen(ok));
    tcp(w, 3, 5200, 0, inv + 200, il - 200);
    tcp(w, 4, 5200, 0, inv + 200, il - 200); /* retransmitted after use */
    cf_run r;
    cf_run_pcap(&r, w, NULL);
    assert_int_equal(r.nmsg, 2);
    assert_string_equal(r.msg[0].data, inv);
    assert_string_equal(r.msg[1].data, ok);
    /* Both completed when the hole was filled, by packet 4. */
    assert_int_equal(r.msg[0].m.packet, 4);
    assert_int_equal(r.msg[1].m.packet, 4);
    assert_int_equal(r.nwarn, 0);
    cf_run_free(&r);
    cf_pcap_free(w);
}

static void gap_resynchronises(void **state)
{
    (void)state;
    char one[4096], two[4096];
    snprintf(one, sizeof one, "%s", cf_invite("gap1", 50, 1));
    snprintf(two, sizeof two, "%s", cf_invite("gap2", 50, 1));
    size_t l1 = strlen(one), l2 = strlen(two);
    cf_pcap *w = cf_pcap_new(DLT_EN10MB);
    tcp(w, 1, 99, CF_SYN, NULL, 0);
    tcp(w, 2, 100, 0, one, 100);
    /* bytes 100..150 of `one` never captured; the rest and the second message: */
    char rest[8192];
    memcpy(rest, one + 150, l1 - 150);
    memcpy(rest + l1 - 150, two, l2);
    tcp(w, 3, 100 + 150, 0, rest, l1 - 150 + l2);
    tcp(w, 4, 100 + (uint32_t)(l1 + l2), CF_FIN, NULL, 0);
    cf_run r;
    cf_run_pcap(&r, w, NULL);
    /* The FIN came before the hole was filled: the stream waits, then at the
     * end of the capture the gap is declared and framing resynchronises. */
    assert_int_equal(r.nmsg, 1);
    assert_string_equal(r.msg[0].data, two);
    assert_int_equal(r.msg[0].m.packet, 3);
    assert_int_equal(cf_warns(&r, "tcp-gap"), 1);
    assert_int_equal(r.warn[0].packet, 3);
    assert_non_null(strstr(r.warn[0].text, "50 bytes missing"));
    assert_int_equal(r.st.dropped, 1);
    cf_run_free(&r);
    cf_pcap_free(w);
}

static void gap_by_buffer_limit(void **state)
{
    (void)state;
    /* A lost segment, then more than max_stream_buffer of later data: the gap
     * is declared as soon as the buffer is full, not at the end. */
    clid_capture_limits lim = {.max_message = 4096, .max_stream_buffer = 8192};
    cf_pcap *w = cf_pcap_new(DLT_EN10MB);
    char msgs[20][2048];
    uint32_t seq = 1;
    tcp(w, 1, 0, CF_SYN, NULL, 0);
    for (int i = 0; i < 20; i++) {
        char id[16];
        snprintf(id, sizeof id, "m%d", i);
        snprintf(msgs[i], sizeof msgs[i], "%s", cf_invite(id, 1000, 1));
        size_t l = strlen(msgs[i]);
        if (i != 2) /* message 2 is never captured */
            tcp(w, 2 + i, seq, 0, msgs[i], l);
        seq += (uint32_t)l;
    }
    cf_run r;
    cf_run_pcap(&r, w, &lim);
    assert_int_equal(r.nmsg, 19);
    assert_int_equal(cf_warns(&r, "tcp-gap"), 1);
    assert_string_equal(r.msg[2].data, msgs[3]);
    /* Declared while reading, at the packet that overflowed the buffer. */
    assert_true(r.warn[0].packet > 0);
    assert_true(r.msg[2].m.packet < 2 + 19);
    cf_run_free(&r);
    cf_pcap_free(w);
}

static void overlap_with_other_bytes(void **state)
{
    (void)state;
    char inv[4096], evil[4096];
    snprintf(inv, sizeof inv, "%s", cf_invite("ovl", 100, 1));
    size_t il = strlen(inv);
    memcpy(evil, inv, il);
    memcpy(evil + 120, "EVIL", 4);
    cf_pcap *w = cf_pcap_new(DLT_EN10MB);
    tcp(w, 1, 0, CF_SYN, NULL, 0);
    tcp(w, 2, 1, 0, inv, 150);
    tcp(w, 3, 1 + 100, 0, evil + 100, 80);      /* overlaps 100..150, differs at 120 */
    tcp(w, 4, 1 + 180, 0, inv + 180, il - 180); /* the rest */
    cf_run r;
    cf_run_pcap(&r, w, NULL);
    assert_int_equal(r.nmsg, 1);
    /* First copy wins for 100..150, the new bytes 150..180 come from `evil`,
     * which equal the original there. */
    assert_string_equal(r.msg[0].data, inv);
    assert_int_equal(cf_warns(&r, "tcp-overlap"), 1);
    assert_int_equal(r.warn[0].packet, 3);
    cf_run_free(&r);
    cf_pcap_free(w);
}

static void too_large(void **state)
{
    (void)state;
    /* A 1 MB header, then a good message; and a Content-Length past max_message. */
    int n = snprintf(big, sizeof big, "INVITE sip:x@y SIP/2.0\r\nX-Big: ");
    memset(big + n, 'a', 1000000);
    n += 1000000;
    n += snprintf(big + n, sizeof big - (size_t)n, "\r\n\r\n");
    char good[2048], hugecl[2048];
    snprintf(good, sizeof good, "%s", cf_invite("good", 10, 1));
    snprintf(hugecl, sizeof hugecl, "%s", cf_invite("huge", 0, 0));
    size_t hl = strlen(hugecl) - 2;
    snprintf(hugecl + hl, sizeof hugecl - hl, "Content-Length: 100000\r\n\r\n");
    cf_pcap *w = cf_pcap_new(DLT_EN10MB);
    uint32_t seq = 1;
    tcp(w, 1, 0, CF_SYN, NULL, 0);
    for (int off = 0; off < n; off += 1400) {
        int len = n - off < 1400 ? n - off : 1400;
        tcp(w, 2, seq, 0, big + off, (size_t)len);
        seq += (uint32_t)len;
    }
    tcp(w, 3, seq, 0, good, strlen(good));
    seq += (uint32_t)strlen(good);
    tcp(w, 4, seq, 0, hugecl, strlen(hugecl));
    seq += (uint32_t)strlen(hugecl);
    memset(big, 'b', 100000); /* its body, skipped exactly */
    for (int off = 0; off < 100000; off += 1400) {
        int len = 100000 - off < 1400 ? 100000 - off : 1400;
        tcp(w, 5, seq, 0, big + off, (size_t)len);
        seq += (uint32_t)len;
    }
    tcp(w, 6, seq, 0, good, strlen(good));
    cf_run r;
    cf_run_pcap(&r, w, NULL);
    assert_int_equal(r.nmsg, 2);
    assert_string_equal(r.msg[0].data, good);
    assert_string_equal(r.msg[1].data, good);
    assert_int_equal(cf_warns(&r, "too-large"), 2);
    assert_int_equal(r.st.dropped, 2);
    cf_run_free(&r);
    cf_pcap_free(w);
}

static void tls_and_non_sip(void **state)
{
    (void)state;
    static const uint8_t hello[] = {0x16, 0x03, 0x01, 0x00, 0x40, 0x01, 0x00, 0x00, 0x3c, 0x03,
                                    0x03};
    static const uint8_t server[] = {0x16, 0x03, 0x03, 0x00, 0x40, 0x02, 0x00, 0x00, 0x3c};
    cf_pcap *w = cf_pcap_new(DLT_EN10MB);
    /* TLS on 5061, both directions: one warning for the connection. */
    cf_add_tcp4(w, 1, A, 40001, B, 5061, 0, CF_SYN, NULL, 0);
    cf_add_tcp4(w, 1, B, 5061, A, 40001, 0, CF_SYN | CF_ACK, NULL, 0);
    cf_add_tcp4(w, 1, A, 40001, B, 5061, 1, CF_ACK, hello, sizeof hello);
    cf_add_tcp4(w, 1, B, 5061, A, 40001, 1, CF_ACK, server, sizeof server);
    cf_add_tcp4(w, 1, A, 40001, B, 5061, 1 + sizeof hello, CF_ACK, "INVITE", 6);
    /* A ClientHello on any port. */
    cf_add_tcp4(w, 2, A, 40002, B, 443, 0, CF_SYN, NULL, 0);
    cf_add_tcp4(w, 2, A, 40002, B, 443, 1, CF_ACK, hello, sizeof hello);
    /* HTTP on port 80: silent; the same on 5060: one warning. */
    const char *http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    cf_add_tcp4(w, 3, A, 40003, B, 80, 0, CF_SYN, NULL, 0);
    cf_add_tcp4(w, 3, A, 40003, B, 80, 1, CF_ACK, http, strlen(http));
    cf_add_tcp4(w, 3, A, 40004, B, 5060, 0, CF_SYN, NULL, 0);
    cf_add_tcp4(w, 3, A, 40004, B, 5060, 1, CF_ACK, http, strlen(http));
    cf_add_tcp4(w, 3, A, 40004, B, 5060, 1 + (uint32_t)strlen(http), CF_ACK, http, strlen(http));
    cf_run r;
    cf_run_pcap(&r, w, NULL);
    assert_int_equal(r.nmsg, 0);
    assert_int_equal(cf_warns(&r, "tls"), 2);
    assert_int_equal(r.warn[0].packet, 3);
    assert_non_null(strstr(r.warn[0].text, "SIP over TLS is not decodable"));
    assert_int_equal(cf_warns(&r, "not-sip"), 1);
    assert_int_equal(r.nwarn, 3);
    cf_run_free(&r);
    cf_pcap_free(w);
}

static void syn_fin_rst_and_limits(void **state)
{
    (void)state;
    char inv[2048];
    snprintf(inv, sizeof inv, "%s", cf_invite("conn", 20, 1));
    size_t il = strlen(inv);
    cf_pcap *w = cf_pcap_new(DLT_EN10MB);
    /* Connection 1: message, FIN (the stream is closed). */
    tcp(w, 1, 100, CF_SYN, NULL, 0);
    tcp(w, 1, 100, CF_SYN, NULL, 0); /* retransmitted SYN */
    tcp(w, 1, 101, 0, inv, il);
    tcp(w, 1, 101 + (uint32_t)il, CF_FIN, NULL, 0);
    /* Connection 2 on the same 4-tuple, another ISN; RST inside a message. */
    tcp(w, 2, 90000, CF_SYN, NULL, 0);
    tcp(w, 2, 90001, 0, inv, il);
    tcp(w, 2, 90001 + (uint32_t)il, 0, inv, 40);
    tcp(w, 2, 90001 + (uint32_t)il + 40, CF_RST, NULL, 0);
    /* Idle expiry: a partial message at t=10, other traffic at t=100. */
    cf_add_tcp4(w, 10, A, 41000, B, 5060, 1, 0, inv, 100);
    cf_add_udp4(w, 100, A, 5060, B, 5060, "\r\n", 2);
    /* Eviction at max_streams (4): six more streams with partial messages. */
    for (uint16_t p = 0; p < 6; p++)
        cf_add_tcp4(w, 101, A, (uint16_t)(42000 + p), B, 5060, 1, 0, inv, 100);
    cf_run r;
    clid_capture_limits lim = {.max_streams = 4};
    cf_run_pcap(&r, w, &lim);
    assert_int_equal(r.nmsg, 2);
    assert_string_equal(r.msg[0].data, inv);
    assert_string_equal(r.msg[1].data, inv);
    assert_int_equal(r.msg[1].m.packet, 6);
    /* RST (packet 8), expiry (packet 10), 2 evictions, 4 streams at the end. */
    assert_int_equal(cf_warns(&r, "tcp-incomplete"), 1 + 1 + 2 + 4);
    assert_int_equal(cf_warns(&r, "tcp-evicted"), 1);
    assert_int_equal(r.st.tcp_streams, 2 + 1 + 6);
    assert_int_equal(r.warn[0].packet, 8);
    assert_int_equal(r.warn[1].packet, 10);
    cf_run_free(&r);
    cf_pcap_free(w);
}

static void ipv6_tcp_both_directions(void **state)
{
    (void)state;
    static uint8_t s1[4096], s2[4096], s3[4096];
    char inv[2048], ok[1024];
    snprintf(inv, sizeof inv, "%s", cf_invite("v6", 0, 1));
    snprintf(ok, sizeof ok, "%s", cf_response(486, "v6"));
    cf_pcap *w = cf_pcap_new(DLT_LINUX_SLL2);
    const struct {
        const char *src, *dst, *msg;
        uint16_t sp, dp;
    } p[] = {{"2001:db8::1", "2001:db8::2", inv, 5060, 5060},
             {"2001:db8::2", "2001:db8::1", ok, 5060, 5060}};
    for (int i = 0; i < 2; i++) {
        size_t n = cf_tcp(s1, p[i].sp, p[i].dp, 7, CF_ACK, p[i].msg, strlen(p[i].msg));
        n = cf_ip6(s2, p[i].src, p[i].dst, 6, NULL, 0, s1, n);
        memset(s3, 0, 20);
        s3[0] = 0x86;
        s3[1] = 0xdd;
        memcpy(s3 + 20, s2, n);
        cf_pcap_add(w, 5, 0, s3, n + 20, n + 20);
    }
    cf_run r;
    cf_run_pcap(&r, w, NULL);
    assert_int_equal(r.nmsg, 2);
    assert_string_equal(r.msg[1].data, ok);
    assert_string_equal(r.msg[1].m.src, "2001:db8::2");
    assert_int_equal(r.st.tcp_streams, 2);
    cf_run_free(&r);
    cf_pcap_free(w);
}


static void memory_budget(void **state)
{
    (void)state;
    /* All streams together hold at most 64 stream buffers: 100 streams each
     * holding 600 bytes of an unfinished message, with 1 KiB buffers, leave
     * at most 64 KiB held; the least recently used are evicted. */
    clid_capture_limits lim = {.max_message = 1024, .max_stream_buffer = 1024};
    char inv[2048];
    snprintf(inv, sizeof inv, "%s", cf_invite("budget", 500, 1));
    cf_pcap *w = cf_pcap_new(DLT_EN10MB);
    for (uint16_t p = 0; p < 100; p++)
        cf_add_tcp4(w, 1, A, (uint16_t)(30000 + p), B, 5060, 1, CF_ACK, inv, 600);
    /* A stream between messages holds nothing: 100 complete messages on
     * 100 more streams evict no one. */
    const char *ok = cf_response(200, "budget");
    for (uint16_t p = 0; p < 100; p++)
        cf_add_tcp4(w, 2, B, 5060, A, (uint16_t)(30000 + p), 1, CF_ACK, ok, strlen(ok));
    cf_run r;
    cf_run_pcap(&r, w, &lim);
    assert_int_equal(r.nmsg, 100);
    /* 1 KiB each: streams 65..100 push out 36 older ones. */
    assert_int_equal(cf_warns(&r, "tcp-evicted"), 2); /* the 1st and the 10th */
    assert_int_equal(cf_warns(&r, "tcp-incomplete"), 100);
    assert_int_equal(r.st.dropped, 36 + 100);
    assert_int_equal(r.st.tcp_streams, 200);
    cf_run_free(&r);
    cf_pcap_free(w);
}


static void old_hole_given_up(void **state)
{
    (void)state;
    /* A segment lost by the capture on a long-lived connection: the
     * messages after it are not held until the buffer fills or the stream
     * ends, but released once the hole is older than 10 s of capture time. */
    cf_pcap *w = cf_pcap_new(DLT_EN10MB);
    char m[20][1024];
    uint32_t seq = 1;
    tcp(w, 0, 0, CF_SYN, NULL, 0);
    for (int i = 0; i < 20; i++) {
        char id[16];
        snprintf(id, sizeof id, "hole%d", i);
        snprintf(m[i], sizeof m[i], "%s", cf_invite(id, 10, 1));
        size_t l = strlen(m[i]);
        if (i != 1) /* lost */
            tcp(w, i, seq, 0, m[i], l);
        seq += (uint32_t)l;
    }
    cf_run r;
    cf_run_pcap(&r, w, NULL);
    assert_int_equal(r.nmsg, 19);
    assert_int_equal(cf_warns(&r, "tcp-gap"), 1);
    /* Message 2 arrived at t=2 (packet 3, after the SYN and message 0); the
     * hole was given up at t=13 (packet 14), then each message as it came. */
    assert_int_equal(r.warn[0].packet, 14);
    assert_string_equal(r.msg[1].data, m[2]);
    assert_int_equal(r.msg[1].m.packet, 3);
    assert_int_equal(r.msg[1].m.ts_sec, 2);
    assert_string_equal(r.msg[18].data, m[19]);
    assert_int_equal(r.msg[18].m.packet, 20);
    cf_run_free(&r);
    cf_pcap_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(split_and_coalesced),
        cmocka_unit_test(retransmission_and_reorder),
        cmocka_unit_test(gap_resynchronises),
        cmocka_unit_test(gap_by_buffer_limit),
        cmocka_unit_test(overlap_with_other_bytes),
        cmocka_unit_test(too_large),
        cmocka_unit_test(tls_and_non_sip),
        cmocka_unit_test(syn_fin_rst_and_limits),
        cmocka_unit_test(ipv6_tcp_both_directions),
        cmocka_unit_test(memory_budget),
        cmocka_unit_test(old_hole_given_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
