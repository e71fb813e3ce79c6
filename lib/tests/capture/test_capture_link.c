/*
 * Link layers, IP and UDP (clid_capture.h; issue 11 item 1): every link type
 * clid reads, VLAN and QinQ tags, IPv4 options, IPv6 extension headers, SIP
 * over UDP on any port with several messages per datagram, and what is not
 * SIP. Each capture is written by the test with libpcap's writer.
 */
#include "capture/cap_fixture.h"

#include <pcap/pcap.h>

static uint8_t b1[70000], b2[70000], b3[70000];

/* One UDP INVITE inside the given link type; IPv4 or IPv6. */
static void one_link(int dlt, const uint8_t *hdr, size_t hlen, int v6, const char *what)
{
    const char *inv = cf_invite(what, 10, 1);
    size_t n = cf_udp(b1, 5062, 5060, inv, strlen(inv));
    n = v6 ? cf_ip6(b2, "2001:db8::1", "2001:db8::2", 17, NULL, 0, b1, n)
           : cf_ip4(b2, "192.0.2.1", "192.0.2.2", 17, 7, 0, 0, b1, n);
    memcpy(b3, hdr, hlen);
    memcpy(b3 + hlen, b2, n);
    cf_pcap *w = cf_pcap_new(dlt);
    cf_pcap_add(w, 1700000000, 250000, b3, hlen + n, hlen + n);
    cf_run r;
    cf_run_pcap(&r, w, NULL);
    if (r.nmsg != 1)
        fail_msg("%s: %zu messages", what, r.nmsg);
    assert_int_equal(r.nwarn, 0);
    assert_int_equal(r.msg[0].m.len, strlen(inv));
    assert_memory_equal(r.msg[0].data, inv, strlen(inv));
    assert_int_equal(r.msg[0].m.transport, CLID_CAPTURE_UDP);
    assert_int_equal(r.msg[0].m.ip_version, v6 ? 6 : 4);
    assert_string_equal(r.msg[0].m.src, v6 ? "2001:db8::1" : "192.0.2.1");
    assert_string_equal(r.msg[0].m.dst, v6 ? "2001:db8::2" : "192.0.2.2");
    assert_int_equal(r.msg[0].m.sport, 5062);
    assert_int_equal(r.msg[0].m.dport, 5060);
    assert_int_equal(r.msg[0].m.packet, 1);
    assert_int_equal(r.msg[0].m.ts_sec, 1700000000);
    assert_int_equal(r.msg[0].m.ts_usec, 250000);
    assert_int_equal(r.st.packets, 1);
    cf_run_free(&r);
    cf_pcap_free(w);
}

static void link_types(void **state)
{
    (void)state;
    uint8_t h[64];
    /* Ethernet, plain / 802.1Q / QinQ (802.1ad outer) / 0x9100 outer. */
    const uint16_t q[] = {0x8100}, qinq[] = {0x88a8, 0x8100}, old[] = {0x9100, 0x8100};
    for (int v6 = 0; v6 < 2; v6++) {
        uint16_t et = v6 ? 0x86dd : 0x0800;
        size_t n = cf_eth(h, NULL, 0, et, "", 0);
        one_link(DLT_EN10MB, h, n, v6, "eth");
        n = cf_eth(h, q, 1, et, "", 0);
        one_link(DLT_EN10MB, h, n, v6, "vlan");
        n = cf_eth(h, qinq, 2, et, "", 0);
        one_link(DLT_EN10MB, h, n, v6, "qinq");
        n = cf_eth(h, old, 2, et, "", 0);
        one_link(DLT_EN10MB, h, n, v6, "qinq9100");
        /* Linux cooked v1: packet type, ARPHRD, address length, 8 address bytes, protocol. */
        memset(h, 0, 16);
        h[3] = 1;
        h[5] = 6;
        h[14] = (uint8_t)(et >> 8);
        h[15] = (uint8_t)et;
        one_link(DLT_LINUX_SLL, h, 16, v6, "sll");
        /* Linux cooked v2: protocol first, then reserved, ifindex, ARPHRD, ... */
        memset(h, 0, 20);
        h[0] = (uint8_t)(et >> 8);
        h[1] = (uint8_t)et;
        h[9] = 1;
        one_link(DLT_LINUX_SLL2, h, 20, v6, "sll2");
        one_link(DLT_RAW, h, 0, v6, "raw");
        one_link(v6 ? DLT_IPV6 : DLT_IPV4, h, 0, v6, "ipv4/ipv6");
        /* BSD loopback: AF in the writer's order (NULL) or network order (LOOP);
         * AF_INET6 is 24, 28 or 30 depending on the OS. */
        uint32_t af = v6 ? 30 : 2;
        memcpy(h, &af, 4);
        one_link(DLT_NULL, h, 4, v6, "null");
        h[0] = 0;
        h[1] = 0;
        h[2] = 0;
        h[3] = (uint8_t)(v6 ? 24 : 2);
        one_link(DLT_LOOP, h, 4, v6, "loop");
    }
}

static void ipv4_options_and_ipv6_extensions(void **state)
{
    (void)state;
    const char *inv = cf_invite("ext", 0, 1);
    cf_pcap *w = cf_pcap_new(DLT_EN10MB);
    /* IPv4 with 12 bytes of options (IHL 8). */
    size_t n = cf_udp(b1, 5060, 5060, inv, strlen(inv));
    n = cf_ip4(b2, "198.51.100.1", "198.51.100.2", 17, 1, 0, 12, b1, n);
    n = cf_eth(b3, NULL, 0, 0x0800, b2, n);
    cf_pcap_add(w, 10, 0, b3, n, n);
    /* IPv6: hop-by-hop (8) -> routing (24) -> destination options (16) -> UDP. */
    uint8_t ext[48] = {0};
    ext[0] = 43;  /* hop-by-hop: next = routing */
    ext[1] = 0;   /* 8 bytes */
    ext[2] = 1;   /* PadN */
    ext[3] = 4;
    ext[8] = 60;  /* routing: next = destination options */
    ext[9] = 2;   /* 24 bytes */
    ext[10] = 4;  /* a routing type clid need not understand */
    ext[32] = 17; /* destination options: next = UDP */
    ext[33] = 1;  /* 16 bytes */
    ext[34] = 1;
    ext[35] = 12;
    n = cf_udp(b1, 5060, 5080, inv, strlen(inv));
    n = cf_ip6(b2, "2001:db8::a", "2001:db8::b", 0, ext, sizeof ext, b1, n);
    n = cf_eth(b3, NULL, 0, 0x86dd, b2, n);
    cf_pcap_add(w, 11, 0, b3, n, n);
    /* An extension header chain running past the packet: a warning. */
    ext[33] = 200;
    n = cf_udp(b1, 5060, 5080, inv, strlen(inv));
    n = cf_ip6(b2, "2001:db8::a", "2001:db8::b", 0, ext, sizeof ext, b1, n);
    n = cf_eth(b3, NULL, 0, 0x86dd, b2, n);
    cf_pcap_add(w, 12, 0, b3, n, n);
    cf_run r;
    cf_run_pcap(&r, w, NULL);
    assert_int_equal(r.nmsg, 2);
    assert_string_equal(r.msg[0].data, inv);
    assert_string_equal(r.msg[1].data, inv);
    assert_int_equal(r.msg[1].m.ip_version, 6);
    assert_int_equal(r.msg[1].m.dport, 5080);
    assert_int_equal(cf_warns(&r, "malformed"), 1);
    assert_int_equal(r.warn[0].packet, 3);
    cf_run_free(&r);
    cf_pcap_free(w);
}

static void udp_framing(void **state)
{
    (void)state;
    char two[4096];
    /* Two messages in one datagram, framed by Content-Length, the last one
     * without it (its body runs to the end of the datagram, RFC 3261 §18.3). */
    snprintf(two, sizeof two, "%s", cf_invite("a", 5, 1));
    size_t l1 = strlen(two);
    snprintf(two + l1, sizeof two - l1, "%s", cf_invite("b", 7, 0));
    size_t l2 = strlen(two) - l1;
    cf_pcap *w = cf_pcap_new(DLT_EN10MB);
    cf_add_udp4(w, 100, "10.0.0.1", 40000, "10.0.0.2", 40002, two, l1 + l2);
    /* CRLF keep-alive: nothing, no warning. */
    cf_add_udp4(w, 101, "10.0.0.1", 5060, "10.0.0.2", 5060, "\r\n\r\n", 4);
    /* Content-Length past the end of the datagram: dropped with a warning. */
    const char *inv = cf_invite("c", 0, 0);
    char bad[2048];
    snprintf(bad, sizeof bad, "%.*sContent-Length: 50\r\n\r\nshort", (int)strlen(inv) - 2, inv);
    cf_add_udp4(w, 102, "10.0.0.1", 5060, "10.0.0.2", 5060, bad, strlen(bad));
    /* RTP-like payload on another port: ignored silently; on 5060: a warning. */
    uint8_t rtp[172] = {0x80, 0x00};
    cf_add_udp4(w, 103, "10.0.0.1", 20000, "10.0.0.2", 20002, rtp, sizeof rtp);
    cf_add_udp4(w, 104, "10.0.0.1", 5060, "10.0.0.2", 5060, rtp, sizeof rtp);
    /* A response on a non-standard port. */
    const char *ok = cf_response(200, "a");
    cf_add_udp4(w, 105, "10.0.0.2", 40002, "10.0.0.1", 40000, ok, strlen(ok));
    /* An HTTP request is not SIP. */
    const char *http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    cf_add_udp4(w, 106, "10.0.0.1", 5060, "10.0.0.2", 5060, http, strlen(http));
    /* Too large for max_message: skipped with a warning. */
    const char *big = cf_invite("big", 3000, 1);
    cf_add_udp4(w, 107, "10.0.0.1", 5060, "10.0.0.2", 5060, big, strlen(big));
    cf_run r;
    clid_capture_limits lim = {.max_message = 2048};
    cf_run_pcap(&r, w, &lim);
    assert_int_equal(r.nmsg, 3);
    assert_int_equal(r.msg[0].m.len, l1);
    assert_memory_equal(r.msg[0].data, two, l1);
    assert_int_equal(r.msg[1].m.len, l2);
    assert_memory_equal(r.msg[1].data, two + l1, l2);
    assert_int_equal(r.msg[0].m.packet, 1);
    assert_int_equal(r.msg[1].m.packet, 1);
    assert_string_equal(r.msg[2].data, ok);
    assert_int_equal(r.msg[2].m.packet, 6);
    assert_int_equal(r.msg[2].m.ts_sec, 105);
    assert_int_equal(cf_warns(&r, "bad-length"), 1);
    assert_int_equal(cf_warns(&r, "not-sip"), 2);
    assert_int_equal(cf_warns(&r, "too-large"), 1);
    assert_int_equal(r.nwarn, 4);
    assert_int_equal(r.st.warnings, 4);
    assert_int_equal(r.st.packets, 8);
    assert_int_equal(r.st.dropped, 2);
    /* Warnings carry the packet number. */
    for (size_t i = 0; i < r.nwarn; i++) {
        if (strcmp(r.warn[i].code, "bad-length") == 0)
            assert_int_equal(r.warn[i].packet, 3);
        if (strcmp(r.warn[i].code, "too-large") == 0)
            assert_int_equal(r.warn[i].packet, 8);
    }
    cf_run_free(&r);
    cf_pcap_free(w);
}

static void start_lines(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int want;
    } v[] = {
        {"INVITE sip:a@b SIP/2.0\r\n", CAP_SIP_YES},
        {"MESSAGE sip:a@b SIP/2.0\n", CAP_SIP_YES},
        {"X-EXT.1 tel:+1555 SIP/2.0\r\n", CAP_SIP_YES},
        {"SIP/2.0 200 OK\r\n", CAP_SIP_YES},
        {"SIP/2.0 699 \r\n", CAP_SIP_YES},
        {"SIP/2.0 100\r\n", CAP_SIP_YES},
        {"SIP/2.0 099 x\r\n", CAP_SIP_NO},
        {"SIP/2.0 20 OK\r\n", CAP_SIP_NO},
        {"SIP/3.0 200 OK\r\n", CAP_SIP_NO},
        {"INVITE sip:a@b SIP/2.0 \r\n", CAP_SIP_NO},
        {"INVITE  sip:a@b SIP/2.0\r\n", CAP_SIP_NO},
        {"GET / HTTP/1.1\r\n", CAP_SIP_NO},
        {"INVITE sip:a@b HTTP/1.1\r\n", CAP_SIP_NO},
        {"INVITE sip:a@b SIP/2.0", CAP_SIP_MORE},
        {"INVITE sip:a@b SIP/2.0\r", CAP_SIP_MORE},
        {"INVI", CAP_SIP_MORE},
        {"SIP/2", CAP_SIP_MORE},
        {"", CAP_SIP_MORE},
        {"\x16\x03\x01", CAP_SIP_NO},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (capture__sip_start(v[i].s, strlen(v[i].s)) != v[i].want)
            fail_msg("\"%s\": got %d", v[i].s, capture__sip_start(v[i].s, strlen(v[i].s)));
    /* Content-Length: both forms, case, spaces, repeats, junk. */
    static const struct {
        const char *h;
        long long want;
    } cl[] = {
        {"INVITE x SIP/2.0\r\nContent-Length: 12\r\n\r\n", 12},
        {"INVITE x SIP/2.0\r\ncontent-length :7 \r\n\r\n", 7},
        {"INVITE x SIP/2.0\r\nl:3\r\n\r\n", 3},
        {"INVITE x SIP/2.0\r\nVia: x\r\n\r\n", -1},
        {"INVITE x SIP/2.0\r\nContent-Length: 1\r\nl: 2\r\n\r\n", -2},
        {"INVITE x SIP/2.0\r\nContent-Length: 2\r\nl: 2\r\n\r\n", 2},
        {"INVITE x SIP/2.0\r\nContent-Length: -1\r\n\r\n", -2},
        {"INVITE x SIP/2.0\r\nContent-Length: 12345678901\r\n\r\n", -2},
        {"INVITE x SIP/2.0\r\nContent-Length: 1 2\r\n\r\n", -2},
        {"INVITE x SIP/2.0\r\nContent-Lengthy: 5\r\n\r\n", -1},
    };
    for (size_t i = 0; i < sizeof cl / sizeof cl[0]; i++) {
        size_t he = capture__sip_header_end(cl[i].h, strlen(cl[i].h), 0);
        assert_int_equal(he, strlen(cl[i].h));
        if (capture__sip_content_length(cl[i].h, he) != cl[i].want)
            fail_msg("case %zu: %lld", i, capture__sip_content_length(cl[i].h, he));
    }
    assert_int_equal(capture__sip_header_end("INVITE x SIP/2.0\r\nA: b\r\n", 25, 0), 0);
    assert_int_equal(capture__sip_header_end("INVITE x SIP/2.0\nA: b\n\nbody", 27, 0), 23);
    /* Resumed scans find the same end, whatever the pieces. */
    const char *h = "INVITE x SIP/2.0\r\nA: b\r\n\r\nbody";
    size_t hl = strlen(h);
    for (size_t piece = 1; piece < 8; piece++) {
        size_t scanned = 0, got = 0;
        for (size_t n = piece; n <= hl && !got; n += piece) {
            got = capture__sip_header_end(h, n, scanned);
            scanned = n;
        }
        if (!got)
            got = capture__sip_header_end(h, hl, scanned);
        assert_int_equal(got, hl - 4);
    }
}

static void other_ethertypes_ignored(void **state)
{
    (void)state;
    cf_pcap *w = cf_pcap_new(DLT_EN10MB);
    uint8_t arp[28] = {0, 1, 8, 0, 6, 4, 0, 1};
    size_t n = cf_eth(b3, NULL, 0, 0x0806, arp, sizeof arp);
    cf_pcap_add(w, 1, 0, b3, n, n);
    /* A short frame: warned, not a crash. */
    cf_pcap_add(w, 2, 0, b3, 13, 13);
    cf_run r;
    cf_run_pcap(&r, w, NULL);
    assert_int_equal(r.nmsg, 0);
    assert_int_equal(r.nwarn, 1);
    assert_string_equal(r.warn[0].code, "malformed");
    assert_int_equal(r.warn[0].packet, 2);
    cf_run_free(&r);
    cf_pcap_free(w);
}


/* pcapng (written here block by block: libpcap 1.10 writes only pcap):
 * Section Header, Interface Description (Ethernet, default µs resolution),
 * Enhanced Packet blocks; read through libpcap like pcap. */
static size_t put_block(uint8_t *out, uint32_t type, const uint8_t *body, size_t blen)
{
    size_t pad = (4 - blen % 4) % 4, total = 12 + blen + pad;
    uint32_t t32 = (uint32_t)total;
    memcpy(out, &type, 4);
    memcpy(out + 4, &t32, 4);
    memcpy(out + 8, body, blen);
    memset(out + 8 + blen, 0, pad);
    memcpy(out + 8 + blen + pad, &t32, 4);
    return total;
}

static void pcapng(void **state)
{
    (void)state;
    static uint8_t file[20000];
    uint8_t body[4096];
    size_t o = 0;
    /* SHB: byte-order magic, version 1.0, section length unknown (-1). */
    uint32_t magic = 0x1a2b3c4d;
    memcpy(body, &magic, 4);
    uint16_t v[2] = {1, 0};
    memcpy(body + 4, v, 4);
    memset(body + 8, 0xff, 8);
    o += put_block(file + o, 0x0a0d0d0a, body, 16);
    /* IDB: LINKTYPE_ETHERNET, snaplen 65535. */
    uint16_t lt[2] = {1, 0};
    uint32_t snap = 65535;
    memcpy(body, lt, 4);
    memcpy(body + 4, &snap, 4);
    o += put_block(file + o, 1, body, 8);
    const char *msgs[2];
    char m0[1024], m1[1024];
    snprintf(m0, sizeof m0, "%s", cf_invite("ng-1", 3, 1));
    snprintf(m1, sizeof m1, "%s", cf_response(183, "ng-1"));
    msgs[0] = m0;
    msgs[1] = m1;
    for (int i = 0; i < 2; i++) {
        size_t n = cf_udp(b1, 5060, 5060, msgs[i], strlen(msgs[i]));
        n = cf_ip4(b2, "192.0.2.7", "192.0.2.8", 17, 1, 0, 0, b1, n);
        n = cf_eth(b3, NULL, 0, 0x0800, b2, n);
        /* EPB: interface 0, timestamp in µs (high, low), caplen, len, data. */
        uint64_t ts = (uint64_t)(1700000000 + i) * 1000000u + 123456u;
        uint32_t f[5] = {0, (uint32_t)(ts >> 32), (uint32_t)ts, (uint32_t)n, (uint32_t)n};
        memcpy(body, f, sizeof f);
        memcpy(body + sizeof f, b3, n);
        o += put_block(file + o, 6, body, sizeof f + n);
    }
    cf_run r;
    assert_ok(cf_run_bytes(&r, file, o, NULL));
    assert_err(r.end, CLID_ERR_CAPTURE_END);
    assert_int_equal(r.nmsg, 2);
    assert_string_equal(r.msg[0].data, m0);
    assert_string_equal(r.msg[1].data, m1);
    assert_int_equal(r.msg[1].m.packet, 2);
    assert_int_equal(r.msg[1].m.ts_sec, 1700000001);
    assert_int_equal(r.msg[1].m.ts_usec, 123456);
    assert_string_equal(r.msg[1].m.dst, "192.0.2.8");
    assert_int_equal(r.nwarn, 0);
    cf_run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(link_types),
        cmocka_unit_test(ipv4_options_and_ipv6_extensions),
        cmocka_unit_test(udp_framing),
        cmocka_unit_test(start_lines),
        cmocka_unit_test(other_ethertypes_ignored),
        cmocka_unit_test(pcapng),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
