/*
 * IP fragment reassembly (cap_frag.c): IPv4 and IPv6 fragments in any order,
 * duplicates, overlaps, the limits (max_fragments, max_datagram, the byte
 * budget), expiry by capture time, and fragment floods.
 */
#include "capture/cap_fixture.h"

#include <pcap/pcap.h>

static uint8_t udp[70000], b2[70000], b3[70000];

/* Adds fragment [off, off+len) of the UDP datagram `udp` as IPv4. */
static void frag4(cf_pcap *w, int64_t sec, uint16_t id, size_t off, size_t len, int more)
{
    uint16_t ff = (uint16_t)((more ? 0x2000 : 0) | (off / 8));
    size_t n = cf_ip4(b2, "203.0.113.1", "203.0.113.2", 17, id, ff, 0, udp + off, len);
    n = cf_eth(b3, NULL, 0, 0x0800, b2, n);
    cf_pcap_add(w, sec, 0, b3, n, n);
}

/* IPv6: a destination options header, then the Fragment header (RFC 8200 §4.5). */
static void frag6(cf_pcap *w, int64_t sec, uint32_t id, size_t off, size_t len, int more)
{
    uint8_t ext[16] = {0};
    ext[0] = 44; /* destination options (8 bytes): next = Fragment */
    ext[2] = 1;
    ext[3] = 4;
    ext[8] = 17; /* Fragment: next = UDP */
    ext[10] = (uint8_t)((off >> 8) & 0xff);
    ext[11] = (uint8_t)((off & 0xf8) | (more ? 1 : 0));
    ext[12] = (uint8_t)(id >> 24);
    ext[13] = (uint8_t)(id >> 16);
    ext[14] = (uint8_t)(id >> 8);
    ext[15] = (uint8_t)id;
    size_t n = cf_ip6(b2, "2001:db8::1", "2001:db8::2", 60, ext, sizeof ext, udp + off, len);
    n = cf_eth(b3, NULL, 0, 0x86dd, b2, n);
    cf_pcap_add(w, sec, 0, b3, n, n);
}

static size_t make_udp(const char *call_id, size_t body, const char **inv)
{
    *inv = cf_invite(call_id, body, 1);
    return cf_udp(udp, 5060, 5060, *inv, strlen(*inv));
}

static void ipv4_out_of_order(void **state)
{
    (void)state;
    const char *inv;
    size_t n = make_udp("frag4", 3000, &inv);
    cf_pcap *w = cf_pcap_new(DLT_EN10MB);
    frag4(w, 1, 9, 2960, n - 2960, 0); /* last first */
    frag4(w, 1, 9, 0, 1480, 1);
    frag4(w, 1, 9, 0, 1480, 1);        /* an exact duplicate: ignored */
    frag4(w, 2, 9, 1480, 1480, 1);     /* completes it */
    cf_run r;
    cf_run_pcap(&r, w, NULL);
    assert_int_equal(r.nmsg, 1);
    assert_string_equal(r.msg[0].data, inv);
    assert_int_equal(r.msg[0].m.packet, 4);
    assert_int_equal(r.msg[0].m.ts_sec, 2);
    assert_string_equal(r.msg[0].m.src, "203.0.113.1");
    assert_int_equal(r.st.fragments_reassembled, 1);
    assert_int_equal(r.nwarn, 0);
    cf_run_free(&r);
    cf_pcap_free(w);
}

static void ipv6_fragments(void **state)
{
    (void)state;
    const char *inv;
    size_t n = make_udp("frag6", 2500, &inv);
    cf_pcap *w = cf_pcap_new(DLT_EN10MB);
    frag6(w, 1, 0xdeadbeef, 1232, n - 1232, 0);
    frag6(w, 1, 0xdeadbeef, 0, 1232, 1);
    /* An atomic fragment (offset 0, no more): a datagram of its own. */
    const char *ok = cf_response(180, "frag6");
    size_t m = cf_udp(udp, 5060, 5060, ok, strlen(ok));
    frag6(w, 2, 77, 0, m, 0);
    cf_run r;
    cf_run_pcap(&r, w, NULL);
    assert_int_equal(r.nmsg, 2);
    assert_int_equal(r.msg[0].m.ip_version, 6);
    assert_int_equal(r.msg[0].m.packet, 2);
    assert_int_equal(r.msg[0].m.len, n - 8);
    assert_int_equal(cf_count(&r, "INVITE"), 1);
    assert_string_equal(r.msg[1].data, ok);
    assert_int_equal(r.st.fragments_reassembled, 1);
    assert_int_equal(r.nwarn, 0);
    cf_run_free(&r);
    cf_pcap_free(w);
}

static void overlaps_dropped(void **state)
{
    (void)state;
    const char *inv;
    size_t n = make_udp("ovl", 3000, &inv);
    cf_pcap *w = cf_pcap_new(DLT_EN10MB);
    frag4(w, 1, 5, 0, 1480, 1);
    udp[1000] ^= 0x20; /* the second copy of byte 1000 differs */
    frag4(w, 1, 5, 800, 1480, 1);
    udp[1000] ^= 0x20;
    frag4(w, 1, 5, 2280, n - 2280, 0);
    /* Two last fragments that disagree. */
    frag4(w, 2, 6, 1480, n - 1480, 0);
    frag4(w, 2, 6, 1480, n - 1488, 0);
    cf_run r;
    cf_run_pcap(&r, w, NULL);
    assert_int_equal(r.nmsg, 0);
    assert_int_equal(cf_warns(&r, "frag-overlap"), 2);
    assert_int_equal(r.warn[0].packet, 2);
    /* The rest of datagram 5 then waits alone and is dropped at the end. */
    assert_int_equal(cf_warns(&r, "frag-incomplete"), 1);
    assert_int_equal(r.st.fragments_reassembled, 0);
    assert_true(r.st.dropped >= 3);
    cf_run_free(&r);
    cf_pcap_free(w);
}

static void flood_and_limits(void **state)
{
    (void)state;
    const char *inv;
    size_t n = make_udp("flood", 1000, &inv);
    cf_pcap *w = cf_pcap_new(DLT_EN10MB);
    /* 150 first fragments of datagrams that never complete. */
    for (uint16_t id = 1; id <= 150; id++)
        frag4(w, 1, id, 0, 512, 1);
    /* A whole datagram still gets through. */
    frag4(w, 1, 999, 0, 512, 1);
    frag4(w, 1, 999, 512, n - 512, 0);
    /* Past max_datagram. */
    frag4(w, 1, 1000, 4000, 512, 0);
    cf_run r;
    clid_capture_limits lim = {.max_fragments = 8, .max_datagram = 4096};
    cf_run_pcap(&r, w, &lim);
    assert_int_equal(r.nmsg, 1);
    assert_string_equal(r.msg[0].data, inv);
    /* 143 evictions: warnings delivered for the 1st, 10th and 100th only. */
    assert_int_equal(cf_warns(&r, "frag-flood"), 3);
    assert_int_equal(cf_warns(&r, "frag-too-large"), 1);
    assert_int_equal(cf_warns(&r, "frag-incomplete"), 1);
    assert_int_equal(r.st.warnings, 143 + 1 + 1);
    assert_int_equal(r.st.dropped, 143 + 1 + 7);
    cf_run_free(&r);
    cf_pcap_free(w);
}

static void budget_bounds_memory(void **state)
{
    (void)state;
    /* 64 * max_datagram bytes across all datagrams: with max_datagram 2048,
     * 200 datagrams of 1024 held bytes each cannot all stay. */
    memset(udp, 'u', 2048);
    cf_pcap *w = cf_pcap_new(DLT_EN10MB);
    for (uint16_t id = 1; id <= 200; id++)
        frag4(w, 1, id, 0, 1024, 1);
    cf_run r;
    clid_capture_limits lim = {.max_datagram = 2048};
    cf_run_pcap(&r, w, &lim);
    assert_int_equal(r.nmsg, 0);
    assert_true(cf_warns(&r, "frag-flood") >= 1);
    /* At most 128 held at the end (64 * 2048 / 1024). */
    assert_int_equal(r.st.dropped, 200);
    assert_true(r.st.warnings >= 200 - 128);
    cf_run_free(&r);
    cf_pcap_free(w);
}

static void expiry_by_capture_time(void **state)
{
    (void)state;
    const char *inv;
    size_t n = make_udp("late", 2000, &inv);
    cf_pcap *w = cf_pcap_new(DLT_EN10MB);
    frag4(w, 1000, 3, 0, 1480, 1);
    frag4(w, 1000 + 61, 3, 1480, n - 1480, 0); /* after idle_timeout (60 s) */
    frag4(w, 2000, 4, 0, 1480, 1);
    frag4(w, 2059, 4, 1480, n - 1480, 0); /* within it */
    cf_run r;
    cf_run_pcap(&r, w, NULL);
    assert_int_equal(r.nmsg, 1);
    assert_int_equal(r.msg[0].m.packet, 4);
    assert_int_equal(cf_warns(&r, "frag-timeout"), 2); /* id 3's halves, one each */
    assert_int_equal(r.warn[0].packet, 2);
    cf_run_free(&r);
    cf_pcap_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ipv4_out_of_order),   cmocka_unit_test(ipv6_fragments),
        cmocka_unit_test(overlaps_dropped),    cmocka_unit_test(flood_and_limits),
        cmocka_unit_test(budget_bounds_memory), cmocka_unit_test(expiry_by_capture_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
