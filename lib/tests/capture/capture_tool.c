/*
 * Helper of tshark_interop.sh (not a unit test):
 *   capture_tool write DIR     writes the test captures built by cap_fixture.c
 *                              (every link type, VLAN/QinQ, IPv6 extension
 *                              headers, IPv4/IPv6 fragments, TCP split,
 *                              coalesced, retransmitted, out of order) to DIR
 *   capture_tool count FILE    prints the SIP INVITEs clid_capture finds
 *                              ("invites N messages M warnings W")
 */
#include "capture/cap_fixture.h"

#include <pcap/pcap.h>

static uint8_t b1[70000], b2[70000], b3[70000];

static void save(cf_pcap *w, const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t len;
    const uint8_t *b = cf_pcap_bytes(w, &len);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
    cf_pcap_free(w);
}

static const char *inv(const char *id)
{
    return cf_invite(id, 20, 1);
}

/* One UDP INVITE wrapped by `hdr` in link type dlt (IPv6 when v6). */
static void one(const char *dir, const char *name, int dlt, const uint8_t *hdr, size_t hl, int v6)
{
    cf_pcap *w = cf_pcap_new(dlt);
    const char *m = inv(name);
    size_t n = cf_udp(b1, 5060, 5060, m, strlen(m));
    n = v6 ? cf_ip6(b2, "2001:db8::1", "2001:db8::2", 17, NULL, 0, b1, n)
           : cf_ip4(b2, "192.0.2.1", "192.0.2.2", 17, 1, 0, 0, b1, n);
    memcpy(b3, hdr, hl);
    memcpy(b3 + hl, b2, n);
    cf_pcap_add(w, 1700000000, 0, b3, hl + n, hl + n);
    save(w, dir, name);
}

static void write_all(const char *dir)
{
    uint8_t h[64];
    const uint16_t q[] = {0x8100}, qinq[] = {0x88a8, 0x8100};
    size_t n = cf_eth(h, NULL, 0, 0x0800, "", 0);
    one(dir, "eth.pcap", DLT_EN10MB, h, n, 0);
    n = cf_eth(h, q, 1, 0x86dd, "", 0);
    one(dir, "vlan6.pcap", DLT_EN10MB, h, n, 1);
    n = cf_eth(h, qinq, 2, 0x0800, "", 0);
    one(dir, "qinq.pcap", DLT_EN10MB, h, n, 0);
    memset(h, 0, 20);
    h[3] = 1;
    h[5] = 6;
    h[14] = 0x08;
    one(dir, "sll.pcap", DLT_LINUX_SLL, h, 16, 0);
    memset(h, 0, 20);
    h[0] = 0x86;
    h[1] = 0xdd;
    h[9] = 1;
    one(dir, "sll2.pcap", DLT_LINUX_SLL2, h, 20, 1);
    one(dir, "raw.pcap", DLT_RAW, h, 0, 0);
    one(dir, "ipv6_linktype.pcap", DLT_IPV6, h, 0, 1);
    uint32_t af = 2;
    memcpy(h, &af, 4);
    one(dir, "null.pcap", DLT_NULL, h, 4, 0);
    h[0] = h[1] = h[2] = 0;
    h[3] = 24;
    one(dir, "loop6.pcap", DLT_LOOP, h, 4, 1);

    /* IPv6 extension headers: hop-by-hop, destination options, then UDP. */
    cf_pcap *w = cf_pcap_new(DLT_EN10MB);
    uint8_t ext[16] = {60, 0, 1, 4, 0, 0, 0, 0, 17, 0, 1, 4, 0, 0, 0, 0};
    const char *m = inv("ext6");
    n = cf_udp(b1, 5060, 5060, m, strlen(m));
    n = cf_ip6(b2, "2001:db8::1", "2001:db8::2", 0, ext, sizeof ext, b1, n);
    n = cf_eth(b3, NULL, 0, 0x86dd, b2, n);
    cf_pcap_add(w, 1700000000, 0, b3, n, n);
    save(w, dir, "ipv6_ext.pcap");

    /* IPv4 fragments, second one first; two datagrams. */
    w = cf_pcap_new(DLT_EN10MB);
    for (uint16_t id = 1; id <= 2; id++) {
        char cid[16];
        snprintf(cid, sizeof cid, "frag4-%u", id);
        m = cf_invite(cid, 1600, 1);
        size_t u = cf_udp(b1, 5060, 5060, m, strlen(m));
        size_t f = cf_ip4(b2, "192.0.2.1", "192.0.2.2", 17, id, 1480 / 8, 0, b1 + 1480, u - 1480);
        f = cf_eth(b3, NULL, 0, 0x0800, b2, f);
        cf_pcap_add(w, 1700000000, id, b3, f, f);
        f = cf_ip4(b2, "192.0.2.1", "192.0.2.2", 17, id, 0x2000, 0, b1, 1480);
        f = cf_eth(b3, NULL, 0, 0x0800, b2, f);
        cf_pcap_add(w, 1700000000, id + 10, b3, f, f);
    }
    save(w, dir, "frag4.pcap");

    /* IPv6 fragments (RFC 8200 §4.5). */
    w = cf_pcap_new(DLT_EN10MB);
    m = cf_invite("frag6", 1600, 1);
    size_t u = cf_udp(b1, 5060, 5060, m, strlen(m));
    for (int part = 0; part < 2; part++) {
        size_t off = part ? 1232 : 0, len = part ? u - 1232 : 1232;
        uint8_t fh[8] = {17, 0, (uint8_t)(off >> 8), (uint8_t)((off & 0xf8) | (part ? 0 : 1)),
                         0, 0, 0x12, 0x34};
        size_t f = cf_ip6(b2, "2001:db8::1", "2001:db8::2", 44, fh, 8, b1 + off, len);
        f = cf_eth(b3, NULL, 0, 0x86dd, b2, f);
        cf_pcap_add(w, 1700000000, part, b3, f, f);
    }
    save(w, dir, "frag6.pcap");

    /* TCP: SYN, an INVITE in three segments, then three messages (two
     * INVITEs) in one segment, FIN. */
    w = cf_pcap_new(DLT_EN10MB);
    char a[4096];
    snprintf(a, sizeof a, "%s", cf_invite("tcp-split", 200, 1));
    size_t al = strlen(a);
    uint32_t seq = 1000;
    cf_add_tcp4(w, 1, "192.0.2.1", 40000, "192.0.2.2", 5060, seq, CF_SYN, NULL, 0);
    seq++;
    size_t cuts[] = {0, 30, 170, al};
    for (int i = 0; i < 3; i++) {
        cf_add_tcp4(w, 2, "192.0.2.1", 40000, "192.0.2.2", 5060, seq, CF_ACK | CF_PSH,
                    a + cuts[i], cuts[i + 1] - cuts[i]);
        seq += (uint32_t)(cuts[i + 1] - cuts[i]);
    }
    char three[4096];
    int k = snprintf(three, sizeof three, "%s", cf_invite("tcp-c1", 5, 1));
    k += snprintf(three + k, sizeof three - (size_t)k, "%s", cf_response(100, "tcp-c1"));
    k += snprintf(three + k, sizeof three - (size_t)k, "%s", cf_invite("tcp-c2", 0, 1));
    cf_add_tcp4(w, 3, "192.0.2.1", 40000, "192.0.2.2", 5060, seq, CF_ACK | CF_PSH, three,
                (size_t)k);
    seq += (uint32_t)k;
    cf_add_tcp4(w, 4, "192.0.2.1", 40000, "192.0.2.2", 5060, seq, CF_ACK | CF_FIN, NULL, 0);
    save(w, dir, "tcp_split_coalesced.pcap");

    /* TCP: a retransmitted segment and an out-of-order pair. */
    w = cf_pcap_new(DLT_EN10MB);
    seq = 5000;
    cf_add_tcp4(w, 1, "192.0.2.1", 40001, "192.0.2.2", 5060, seq, CF_SYN, NULL, 0);
    seq++;
    cf_add_tcp4(w, 2, "192.0.2.1", 40001, "192.0.2.2", 5060, seq, CF_ACK, a, al);
    cf_add_tcp4(w, 3, "192.0.2.1", 40001, "192.0.2.2", 5060, seq, CF_ACK, a, al);
    seq += (uint32_t)al;
    char b[4096];
    snprintf(b, sizeof b, "%s", cf_invite("tcp-ooo", 100, 1));
    size_t bl = strlen(b);
    cf_add_tcp4(w, 4, "192.0.2.1", 40001, "192.0.2.2", 5060, seq + 100, CF_ACK, b + 100,
                bl - 100);
    cf_add_tcp4(w, 5, "192.0.2.1", 40001, "192.0.2.2", 5060, seq, CF_ACK, b, 100);
    save(w, dir, "tcp_retrans_ooo.pcap");
}

static void on_warn(void *arg, uint64_t packet, const char *code, const char *text)
{
    (*(unsigned long *)arg)++;
    fprintf(stderr, "warning #%llu %s: %s\n", (unsigned long long)packet, code, text);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "write") == 0) {
        write_all(argv[2]);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "count") == 0) {
        unsigned long warnings = 0, invites = 0, msgs = 0;
        clid_capture *c;
        clid_err rc = clid_capture_open_file(argv[2], NULL, on_warn, &warnings, &c);
        if (rc != CLID_OK) {
            fprintf(stderr, "%s: %s\n", argv[2], clid_err_name(rc));
            return 1;
        }
        clid_capture_msg m;
        while ((rc = clid_capture_next(c, &m)) == CLID_OK) {
            msgs++;
            if (m.len > 7 && memcmp(m.data, "INVITE ", 7) == 0)
                invites++;
        }
        clid_capture_free(c);
        printf("invites %lu messages %lu warnings %lu\n", invites, msgs, warnings);
        return rc == CLID_ERR_CAPTURE_END ? 0 : 1;
    }
    fprintf(stderr, "usage: capture_tool write DIR | count FILE\n");
    return 2;
}
