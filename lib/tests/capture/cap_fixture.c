/* Test captures in memory; see cap_fixture.h. */
#include "capture/cap_fixture.h"

#include <arpa/inet.h>

#include <pcap/pcap.h>

struct cf_pcap {
    pcap_t *dead;
    pcap_dumper_t *dump;
    FILE *fp;
    char *buf;
    size_t len;
};

cf_pcap *cf_pcap_new(int dlt)
{
    cf_pcap *w = calloc(1, sizeof *w);
    assert_non_null(w);
    w->dead = pcap_open_dead_with_tstamp_precision(dlt, 262144, PCAP_TSTAMP_PRECISION_MICRO);
    assert_non_null(w->dead);
    w->fp = open_memstream(&w->buf, &w->len);
    assert_non_null(w->fp);
    w->dump = pcap_dump_fopen(w->dead, w->fp);
    assert_non_null(w->dump);
    return w;
}

void cf_pcap_add(cf_pcap *w, int64_t sec, int32_t usec, const uint8_t *d, size_t caplen,
                 size_t len)
{
    struct pcap_pkthdr h = {.caplen = (bpf_u_int32)caplen, .len = (bpf_u_int32)len};
    h.ts.tv_sec = (time_t)sec;
    h.ts.tv_usec = usec;
    assert_non_null(w->dump);
    pcap_dump((u_char *)w->dump, &h, d);
}

const uint8_t *cf_pcap_bytes(cf_pcap *w, size_t *len)
{
    if (w->dump) {
        pcap_dump_close(w->dump); /* closes the memstream */
        w->dump = NULL;
        w->fp = NULL;
    }
    *len = w->len;
    return (const uint8_t *)w->buf;
}

void cf_pcap_free(cf_pcap *w)
{
    if (!w)
        return;
    size_t n;
    (void)cf_pcap_bytes(w, &n);
    pcap_close(w->dead);
    free(w->buf);
    free(w);
}

static void on_warn(void *arg, uint64_t packet, const char *code, const char *text)
{
    cf_run *r = arg;
    if (getenv("CF_VERBOSE"))
        fprintf(stderr, "  warning #%llu %s: %s\n", (unsigned long long)packet, code, text);
    if (r->nwarn >= CF_MAX_WARN)
        return;
    r->warn[r->nwarn].packet = packet;
    snprintf(r->warn[r->nwarn].code, sizeof r->warn[0].code, "%s", code);
    snprintf(r->warn[r->nwarn].text, sizeof r->warn[0].text, "%s", text);
    r->nwarn++;
}

clid_err cf_run_bytes(cf_run *r, const void *bytes, size_t len, const clid_capture_limits *lim)
{
    memset(r, 0, sizeof *r);
    /* fmemopen wants a writable buffer of at least one byte: a copy; an
     * empty input is an empty temporary file. */
    char *copy = malloc(len + 1);
    assert_non_null(copy);
    memcpy(copy, bytes, len);
    FILE *fp = len ? fmemopen(copy, len, "rb") : tmpfile();
    assert_non_null(fp);
    clid_capture *c = NULL;
    clid_err rc = capture__open_fp(fp, "test", lim, on_warn, r, &c);
    if (rc != CLID_OK) {
        assert_null(c);
        r->end = rc;
        free(copy);
        return rc;
    }
    clid_capture_msg m;
    while ((rc = clid_capture_next(c, &m)) == CLID_OK) {
        assert_true(r->nmsg < CF_MAX_MSG);
        /* The message is exactly len bytes, NUL after it for convenience. */
        assert_int_equal(strlen(m.data), m.len);
        r->msg[r->nmsg].m = m;
        r->msg[r->nmsg].data = malloc(m.len + 1);
        assert_non_null(r->msg[r->nmsg].data);
        memcpy(r->msg[r->nmsg].data, m.data, m.len + 1);
        r->msg[r->nmsg].m.data = r->msg[r->nmsg].data;
        r->nmsg++;
    }
    r->end = rc;
    clid_capture_get_stats(c, &r->st);
    /* The offset reached the end of the input. */
    assert_true(clid_capture_offset(c) <= len);
    clid_capture_free(c);
    free(copy);
    assert_int_equal(r->st.messages, r->nmsg);
    return CLID_OK;
}

void cf_run_pcap(cf_run *r, cf_pcap *w, const clid_capture_limits *lim)
{
    size_t len;
    const uint8_t *b = cf_pcap_bytes(w, &len);
    assert_ok(cf_run_bytes(r, b, len, lim));
    assert_err(r->end, CLID_ERR_CAPTURE_END);
}

void cf_run_free(cf_run *r)
{
    for (size_t i = 0; i < r->nmsg; i++)
        free(r->msg[i].data);
    r->nmsg = 0;
}

size_t cf_warns(const cf_run *r, const char *code)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nwarn; i++)
        if (strcmp(r->warn[i].code, code) == 0)
            n++;
    return n;
}

size_t cf_count(const cf_run *r, const char *prefix)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nmsg; i++)
        if (strncmp(r->msg[i].data, prefix, strlen(prefix)) == 0)
            n++;
    return n;
}

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

size_t cf_udp(uint8_t *out, uint16_t sport, uint16_t dport, const void *pl, size_t len)
{
    put16(out, sport);
    put16(out + 2, dport);
    put16(out + 4, (unsigned)(8 + len));
    put16(out + 6, 0);
    if (len)
        memmove(out + 8, pl, len);
    return 8 + len;
}

size_t cf_tcp(uint8_t *out, uint16_t sport, uint16_t dport, uint32_t seq, int flags,
              const void *pl, size_t len)
{
    memset(out, 0, 20);
    put16(out, sport);
    put16(out + 2, dport);
    put32(out + 4, seq);
    put32(out + 8, 1);
    out[12] = 5 << 4;
    out[13] = (uint8_t)flags;
    put16(out + 14, 65535);
    if (len)
        memmove(out + 20, pl, len);
    return 20 + len;
}

size_t cf_ip4(uint8_t *out, const char *src, const char *dst, int proto, uint16_t id,
              uint16_t frag, size_t optlen, const void *pl, size_t len)
{
    size_t hl = 20 + optlen;
    if (len)
        memmove(out + hl, pl, len);
    memset(out, 0, hl);
    out[0] = (uint8_t)(0x40 | (hl / 4));
    put16(out + 2, (unsigned)(hl + len));
    put16(out + 4, id);
    put16(out + 6, frag);
    out[8] = 64;
    out[9] = (uint8_t)proto;
    assert_int_equal(inet_pton(AF_INET, src, out + 12), 1);
    assert_int_equal(inet_pton(AF_INET, dst, out + 16), 1);
    for (size_t i = 0; i < optlen; i++)
        out[20 + i] = i + 1 < optlen ? 1 : 0; /* NOPs then End of Options */
    return hl + len;
}

size_t cf_ip6(uint8_t *out, const char *src, const char *dst, int first_nh, const void *ext,
              size_t extlen, const void *pl, size_t len)
{
    if (len)
        memmove(out + 40 + extlen, pl, len);
    memset(out, 0, 40);
    out[0] = 0x60;
    put16(out + 4, (unsigned)(extlen + len));
    out[6] = (uint8_t)first_nh;
    out[7] = 64;
    assert_int_equal(inet_pton(AF_INET6, src, out + 8), 1);
    assert_int_equal(inet_pton(AF_INET6, dst, out + 24), 1);
    if (extlen)
        memcpy(out + 40, ext, extlen);
    return 40 + extlen + len;
}

size_t cf_eth(uint8_t *out, const uint16_t *tpids, size_t ntags, uint16_t ethertype,
              const void *pl, size_t len)
{
    size_t hl = 14 + 4 * ntags;
    if (len)
        memmove(out + hl, pl, len);
    for (int i = 0; i < 6; i++) {
        out[i] = 0x02;
        out[6 + i] = 0x04;
    }
    for (size_t t = 0; t < ntags; t++) {
        put16(out + 12 + 4 * t, tpids[t]);
        put16(out + 14 + 4 * t, (unsigned)(100 + t)); /* VLAN id */
    }
    put16(out + 12 + 4 * ntags, ethertype);
    return hl + len;
}

static uint8_t scratch[3][70000];

void cf_add_udp4(cf_pcap *w, int64_t sec, const char *src, uint16_t sport, const char *dst,
                 uint16_t dport, const void *pl, size_t len)
{
    size_t n = cf_udp(scratch[0], sport, dport, pl, len);
    n = cf_ip4(scratch[1], src, dst, 17, 1, 0, 0, scratch[0], n);
    n = cf_eth(scratch[2], NULL, 0, 0x0800, scratch[1], n);
    cf_pcap_add(w, sec, 0, scratch[2], n, n);
}

void cf_add_tcp4(cf_pcap *w, int64_t sec, const char *src, uint16_t sport, const char *dst,
                 uint16_t dport, uint32_t seq, int flags, const void *pl, size_t len)
{
    size_t n = cf_tcp(scratch[0], sport, dport, seq, flags, pl, len);
    n = cf_ip4(scratch[1], src, dst, 6, 1, 0, 0, scratch[0], n);
    n = cf_eth(scratch[2], NULL, 0, 0x0800, scratch[1], n);
    cf_pcap_add(w, sec, 0, scratch[2], n, n);
}

const char *cf_invite(const char *call_id, size_t body, int cl)
{
    static char buf[70000];
    int n = snprintf(buf, sizeof buf,
                     "INVITE sip:+15551230002@example.net SIP/2.0\r\n"
                     "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-%s\r\n"
                     "From: <sip:+15551230001@example.com>;tag=1\r\n"
                     "To: <sip:+15551230002@example.net>\r\n"
                     "Call-ID: %s\r\n"
                     "CSeq: 1 INVITE\r\n",
                     call_id, call_id);
    if (cl)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "Content-Length: %zu\r\n", body);
    n += snprintf(buf + n, sizeof buf - (size_t)n, "\r\n");
    assert_true((size_t)n + body < sizeof buf);
    memset(buf + n, 'x', body);
    buf[(size_t)n + body] = '\0';
    return buf;
}

const char *cf_response(int code, const char *call_id)
{
    static char buf[1024];
    snprintf(buf, sizeof buf,
             "SIP/2.0 %d Whatever\r\n"
             "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-%s\r\n"
             "Call-ID: %s\r\n"
             "CSeq: 1 INVITE\r\n"
             "l: 0\r\n"
             "\r\n",
             code, call_id, call_id);
    return buf;
}
