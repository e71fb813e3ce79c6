/*
 * Hostile and broken input (issue 11, "Bad input"): truncated files, bogus
 * record lengths, snaplen-cut packets, link types clid does not read, every
 * truncation of a capture mixing all the paths, API misuse; and live capture
 * on loopback (skipped without the permission to capture).
 */
#include "capture/cap_fixture.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <pcap/pcap.h>

static uint8_t b1[70000], b2[70000], b3[70000];

/* A capture with UDP, TCP (split), IPv6 and fragments: messages of each kind. */
static cf_pcap *mixed(void)
{
    cf_pcap *w = cf_pcap_new(DLT_EN10MB);
    const char *inv = cf_invite("mixed-udp", 20, 1);
    cf_add_udp4(w, 1, "10.0.0.1", 5060, "10.0.0.2", 5060, inv, strlen(inv));
    char t[2048];
    snprintf(t, sizeof t, "%s", cf_invite("mixed-tcp", 20, 1));
    cf_add_tcp4(w, 2, "10.0.0.1", 40000, "10.0.0.2", 5060, 1, CF_ACK, t, 100);
    cf_add_tcp4(w, 2, "10.0.0.1", 40000, "10.0.0.2", 5060, 101, CF_ACK, t + 100,
                strlen(t) - 100);
    inv = cf_invite("mixed-v6", 0, 1);
    size_t n = cf_udp(b1, 5060, 5060, inv, strlen(inv));
    n = cf_ip6(b2, "2001:db8::1", "2001:db8::2", 17, NULL, 0, b1, n);
    n = cf_eth(b3, NULL, 0, 0x86dd, b2, n);
    cf_pcap_add(w, 3, 0, b3, n, n);
    inv = cf_invite("mixed-frag", 1500, 1);
    n = cf_udp(b1, 5060, 5060, inv, strlen(inv));
    size_t f1 = cf_ip4(b2, "10.0.0.1", "10.0.0.2", 17, 77, 0x2000, 0, b1, 1000);
    size_t e1 = cf_eth(b3, NULL, 0, 0x0800, b2, f1);
    cf_pcap_add(w, 4, 0, b3, e1, e1);
    size_t f2 = cf_ip4(b2, "10.0.0.1", "10.0.0.2", 17, 77, 1000 / 8, 0, b1 + 1000, n - 1000);
    size_t e2 = cf_eth(b3, NULL, 0, 0x0800, b2, f2);
    cf_pcap_add(w, 4, 0, b3, e2, e2);
    return w;
}

static void truncated_file(void **state)
{
    (void)state;
    cf_pcap *w = mixed();
    size_t len;
    const uint8_t *b = cf_pcap_bytes(w, &len);
    cf_run r;
    assert_ok(cf_run_bytes(&r, b, len, NULL));
    assert_int_equal(r.nmsg, 4);
    assert_int_equal(r.nwarn, 0);
    cf_run_free(&r);
    /* Cut inside the last record: three messages, a warning, the end. */
    assert_ok(cf_run_bytes(&r, b, len - 10, NULL));
    assert_err(r.end, CLID_ERR_CAPTURE_END);
    assert_int_equal(r.nmsg, 3);
    assert_int_equal(cf_warns(&r, "truncated"), 1);
    assert_int_equal(r.warn[0].packet, 6);
    /* The first fragment never completes. */
    assert_int_equal(cf_warns(&r, "frag-incomplete"), 1);
    cf_run_free(&r);
    /* Every truncation: never a crash, never more messages. */
    for (size_t cut = 0; cut < len; cut++) {
        clid_err rc = cf_run_bytes(&r, b, cut, NULL);
        if (cut < 24)
            assert_err(rc, CLID_ERR_CAPTURE_OPEN);
        else
            assert_true(r.nmsg <= 4);
        cf_run_free(&r);
    }
    cf_pcap_free(w);
}

static void bogus_lengths(void **state)
{
    (void)state;
    cf_pcap *w = mixed();
    size_t len;
    const uint8_t *b = cf_pcap_bytes(w, &len);
    uint8_t *copy = malloc(len);
    assert_non_null(copy);
    /* Record 2's caplen (host order, at 24 + 16 + caplen1 + 8) made huge. */
    memcpy(copy, b, len);
    uint32_t cap1;
    memcpy(&cap1, copy + 24 + 8, 4);
    size_t rec2 = 24 + 16 + cap1;
    uint32_t huge = 0xfffffff0u;
    memcpy(copy + rec2 + 8, &huge, 4);
    cf_run r;
    assert_ok(cf_run_bytes(&r, copy, len, NULL));
    assert_err(r.end, CLID_ERR_CAPTURE_END);
    assert_int_equal(r.nmsg, 1);
    assert_int_equal(cf_warns(&r, "malformed"), 1);
    assert_int_equal(r.warn[0].packet, 2);
    assert_non_null(strstr(r.warn[0].text, "capture ends early"));
    cf_run_free(&r);
    /* The IPv4 total length of the first packet larger than the packet. */
    memcpy(copy, b, len);
    copy[24 + 16 + 14 + 2] = 0xff;
    assert_ok(cf_run_bytes(&r, copy, len, NULL));
    assert_int_equal(r.nmsg, 3);
    assert_int_equal(cf_warns(&r, "malformed"), 1);
    assert_int_equal(r.warn[0].packet, 1);
    cf_run_free(&r);
    /* Every single-byte change of the capture: no crash (ASan, valgrind). */
    for (size_t i = 0; i < len; i++) {
        memcpy(copy, b, len);
        copy[i] ^= 0xa5;
        (void)cf_run_bytes(&r, copy, len, NULL);
        cf_run_free(&r);
    }
    free(copy);
    cf_pcap_free(w);
}

static void snaplen_cuts(void **state)
{
    (void)state;
    cf_pcap *w = cf_pcap_new(DLT_EN10MB);
    char inv[2048]; /* cf_invite's buffer is reused below */
    snprintf(inv, sizeof inv, "%s", cf_invite("cut", 100, 1));
    size_t n = cf_udp(b1, 5060, 5060, inv, strlen(inv));
    n = cf_ip4(b2, "10.0.0.1", "10.0.0.2", 17, 1, 0, 0, b1, n);
    n = cf_eth(b3, NULL, 0, 0x0800, b2, n);
    cf_pcap_add(w, 1, 0, b3, 200, n); /* cut inside the SIP headers */
    cf_pcap_add(w, 2, 0, b3, 30, n);  /* cut inside the IPv4 header */
    cf_pcap_add(w, 3, 0, b3, n, n);   /* whole */
    char t[2048];
    snprintf(t, sizeof t, "%s", cf_invite("cut-tcp", 10, 1));
    size_t tl = strlen(t);
    n = cf_tcp(b1, 40000, 5060, 1, CF_ACK, t, tl);
    n = cf_ip4(b2, "10.0.0.1", "10.0.0.2", 6, 1, 0, 0, b1, n);
    n = cf_eth(b3, NULL, 0, 0x0800, b2, n);
    cf_pcap_add(w, 4, 0, b3, n - 20, n); /* TCP segment cut: its bytes missing */
    const char *ok = cf_response(200, "cut-tcp");
    cf_add_tcp4(w, 5, "10.0.0.1", 40000, "10.0.0.2", 5060, 1 + (uint32_t)tl, CF_ACK, ok,
                strlen(ok));
    cf_run r;
    cf_run_pcap(&r, w, NULL);
    assert_int_equal(r.nmsg, 2);
    assert_string_equal(r.msg[0].data, inv);
    assert_int_equal(r.msg[0].m.packet, 3);
    assert_string_equal(r.msg[1].data, ok);
    assert_int_equal(cf_warns(&r, "snaplen"), 3);
    assert_int_equal(r.warn[0].packet, 1);
    assert_int_equal(r.warn[1].packet, 2);
    assert_int_equal(r.warn[2].packet, 4);
    cf_run_free(&r);
    cf_pcap_free(w);
}

static void unsupported_and_empty(void **state)
{
    (void)state;
    cf_run r;
    cf_pcap *w = cf_pcap_new(DLT_IEEE802_11);
    size_t len;
    const uint8_t *b = cf_pcap_bytes(w, &len);
    assert_err(cf_run_bytes(&r, b, len, NULL), CLID_ERR_CAPTURE_OPEN);
    assert_int_equal(r.nwarn, 1);
    assert_non_null(strstr(r.warn[0].text, "link type 105"));
    cf_pcap_free(w);
    /* A pcap header alone: no messages. */
    w = cf_pcap_new(DLT_EN10MB);
    cf_run_pcap(&r, w, NULL);
    assert_int_equal(r.nmsg, 0);
    assert_int_equal(r.nwarn, 0);
    cf_pcap_free(w);
    /* pcap magic, garbage after it. */
    static const uint8_t junk[] = {0xd4, 0xc3, 0xb2, 0xa1, 9, 9, 9, 9, 9};
    assert_err(cf_run_bytes(&r, junk, sizeof junk, NULL), CLID_ERR_CAPTURE_OPEN);
    assert_string_equal(r.warn[0].code, "open");
}

static void api_misuse(void **state)
{
    (void)state;
    clid_capture_msg m;
    clid_capture *c = NULL;
    assert_err(clid_capture_next(NULL, &m), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_capture_open_file("x", NULL, NULL, NULL, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_capture_open_live(NULL, NULL, NULL, NULL, NULL, &c),
               CLID_ERR_INVALID_ARGUMENT);
    clid_capture_break(NULL);
    clid_capture_free(NULL);
    assert_int_equal(clid_capture_offset(NULL), 0);
    clid_capture_stats st = {.packets = 9};
    clid_capture_get_stats(NULL, &st);
    assert_int_equal(st.packets, 0);
    clid_capture_get_stats(NULL, NULL);
    /* Limits: 0 = default; a stream buffer never smaller than a message. */
    clid_capture_limits l;
    capture__limits(&l, NULL);
    assert_int_equal(l.max_message, 65536);
    assert_int_equal(l.max_streams, 65536);
    assert_int_equal(l.max_stream_buffer, 262144);
    assert_int_equal(l.max_fragments, 4096);
    assert_int_equal(l.max_datagram, 65535);
    assert_int_equal(l.idle_timeout, 60);
    clid_capture_limits in = {.max_message = 1000000, .max_stream_buffer = 10};
    capture__limits(&l, &in);
    assert_int_equal(l.max_stream_buffer, 1000000);
}

/* Live capture on loopback: a UDP SIP message sent after the handle is
 * active is captured; clid_capture_break ends clid_capture_next. Needs
 * CAP_NET_RAW: skipped (with a note) when the interface cannot be opened. */
typedef struct live_warn {
    char text[512];
} live_warn;

static void live_on_warn(void *arg, uint64_t packet, const char *code, const char *text)
{
    (void)packet;
    live_warn *w = arg;
    snprintf(w->text, sizeof w->text, "%s: %s", code, text);
}

static void *breaker(void *arg)
{
    clid_capture_break(arg);
    return NULL;
}

static void live_loopback(void **state)
{
    (void)state;
    live_warn lw = {""};
    clid_capture *c = NULL;
    /* A bad filter: pcap's message, CLID_ERR_CAPTURE_OPEN. */
    clid_err rc = clid_capture_open_live("lo", "udp port nonsense(", NULL, live_on_warn, &lw, &c);
    assert_err(rc, CLID_ERR_CAPTURE_OPEN);
    assert_null(c);
    if (strstr(lw.text, "ermission") || strstr(lw.text, "not permitted")) {
        print_message("live capture not permitted here, skipped: %s\n", lw.text);
        skip();
    }
    assert_non_null(strstr(lw.text, "filter"));
    assert_err(clid_capture_open_live("no-such-if0", NULL, NULL, live_on_warn, &lw, &c),
               CLID_ERR_CAPTURE_OPEN);
    /* A socket on a kernel-picked port, the filter naming it. */
    int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(rx >= 0 && tx >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(rx, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t al = sizeof a;
    assert_int_equal(getsockname(rx, (struct sockaddr *)&a, &al), 0);
    char filter[64];
    snprintf(filter, sizeof filter, "udp dst port %u", (unsigned)ntohs(a.sin_port));
    assert_ok(clid_capture_open_live("lo", filter, NULL, live_on_warn, &lw, &c));
    const char *inv = cf_invite("live", 10, 1);
    assert_int_equal(sendto(tx, inv, strlen(inv), 0, (struct sockaddr *)&a, sizeof a),
                     (ssize_t)strlen(inv));
    clid_capture_msg m;
    assert_ok(clid_capture_next(c, &m));
    assert_int_equal(m.len, strlen(inv));
    assert_memory_equal(m.data, inv, m.len);
    assert_string_equal(m.src, "127.0.0.1");
    assert_int_equal(m.dport, ntohs(a.sin_port));
    assert_int_equal(clid_capture_offset(c), 0);
    /* Packets already captured when the break comes are still returned
     * (loopback delivers to the capture socket within sendto). */
    const char *ok = cf_response(200, "live");
    for (int i = 0; i < 2; i++)
        assert_int_equal(sendto(tx, ok, strlen(ok), 0, (struct sockaddr *)&a, sizeof a),
                         (ssize_t)strlen(ok));
    clid_capture_break(c);
    for (int i = 0; i < 2; i++) {
        assert_ok(clid_capture_next(c, &m));
        assert_string_equal(m.data, ok);
    }
    assert_err(clid_capture_next(c, &m), CLID_ERR_CAPTURE_END);
    clid_capture_free(c);
    /* Break from another thread while clid_capture_next waits (or before it
     * does): it returns CLID_ERR_CAPTURE_END either way, and stays ended. */
    assert_ok(clid_capture_open_live("lo", filter, NULL, live_on_warn, &lw, &c));
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, breaker, c), 0);
    assert_err(clid_capture_next(c, &m), CLID_ERR_CAPTURE_END);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_err(clid_capture_next(c, &m), CLID_ERR_CAPTURE_END);
    clid_capture_free(c);
    close(rx);
    close(tx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(truncated_file),        cmocka_unit_test(bogus_lengths),
        cmocka_unit_test(snaplen_cuts),          cmocka_unit_test(unsupported_and_empty),
        cmocka_unit_test(api_misuse),            cmocka_unit_test(live_loopback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
