/*
 * trace_gen: writes a pcap of signed SIP calls for `clid trace`'s benchmark
 * (docs/performance.md "clid trace") and its large-capture memory check.
 *
 *   trace_gen --out FILE.pcap --calls N [--start UNIX] [--rate CALLS_PER_S]
 *             [--bad PERCENT] SIGNER...
 *   SIGNER = KEY.pem,CHAIN.pem,X5U-URL   (a `clid ca issue` key and chain)
 *
 * Each call is an INVITE (Ethernet/IPv4/UDP, 192.0.2.1:5060 -> 198.51.100.2:5060)
 * signed through the public API by the signers in turn, with distinct numbers,
 * origid and iat, so every signature is distinct and nothing can be answered
 * from a cache of signatures; then the callee's 200 OK. Capture time = iat =
 * Date, so every call is fresh at its own packet time (RFC 8224 §6.2.1 checks
 * freshness against the verification time, which clid trace takes from the
 * packet). --bad PERCENT of the calls get one signature character flipped
 * (expected reason: signature invalid, 438). The pcap is written with libpcap
 * (pcap_dump), streamed: a multi-gigabyte capture needs no memory.
 *
 * It prints one line: calls, bad calls, bytes written.
 */
#define _DEFAULT_SOURCE /* u_char and friends in pcap.h; gmtime_r */

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pcap/pcap.h>

#include <clid/clid.h>
#include <clid/clid_sip.h>

#define MAX_SIGNERS 4096
#define PKT_MAX 4096

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "trace_gen: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

static int64_t g_now; /* the signers' clock: the call being signed */
static int64_t gen_clock(void *arg)
{
    (void)arg;
    return g_now;
}

/* RFC 1071 checksum of the IPv4 header. */
static uint16_t ip_checksum(const unsigned char *h, size_t n)
{
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(h[i] << 8 | h[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* One Ethernet/IPv4/UDP frame around `payload`. */
static void dump_udp(pcap_dumper_t *d, int64_t sec, int32_t usec, int reply, const char *payload,
                     size_t len, uint16_t ip_id)
{
    unsigned char pkt[PKT_MAX];
    if (len + 42 > sizeof pkt)
        die("a SIP message does not fit one frame", NULL);
    static const unsigned char mac_a[6] = {0x02, 0, 0, 0, 0, 1}, mac_b[6] = {0x02, 0, 0, 0, 0, 2};
    const unsigned char src_ip[4] = {192, 0, 2, 1}, dst_ip[4] = {198, 51, 100, 2};
    memcpy(pkt, reply ? mac_a : mac_b, 6);
    memcpy(pkt + 6, reply ? mac_b : mac_a, 6);
    pkt[12] = 0x08;
    pkt[13] = 0x00;
    unsigned char *ip = pkt + 14;
    size_t ip_len = 20 + 8 + len;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    ip[2] = (unsigned char)(ip_len >> 8);
    ip[3] = (unsigned char)ip_len;
    ip[4] = (unsigned char)(ip_id >> 8);
    ip[5] = (unsigned char)ip_id;
    ip[8] = 64;
    ip[9] = 17; /* UDP */
    memcpy(ip + 12, reply ? dst_ip : src_ip, 4);
    memcpy(ip + 16, reply ? src_ip : dst_ip, 4);
    uint16_t ck = ip_checksum(ip, 20);
    ip[10] = (unsigned char)(ck >> 8);
    ip[11] = (unsigned char)ck;
    unsigned char *udp = ip + 20;
    udp[0] = 0x13; /* 5060 */
    udp[1] = 0xc4;
    udp[2] = 0x13;
    udp[3] = 0xc4;
    udp[4] = (unsigned char)((8 + len) >> 8);
    udp[5] = (unsigned char)(8 + len);
    udp[6] = udp[7] = 0; /* no checksum: allowed for UDP over IPv4 (RFC 768) */
    memcpy(udp + 8, payload, len);
    struct pcap_pkthdr h = {.caplen = (bpf_u_int32)(14 + ip_len), .len = (bpf_u_int32)(14 + ip_len)};
    h.ts.tv_sec = (time_t)sec;
    h.ts.tv_usec = usec;
    pcap_dump((u_char *)d, &h, pkt);
}

static void rfc1123(int64_t t, char out[64])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 64, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static clid_signer *signer_from_arg(char *arg)
{
    char *key = arg, *chain = strchr(arg, ',');
    char *url = chain ? strchr(chain + 1, ',') : NULL;
    if (url == NULL)
        die("a SIGNER is KEY.pem,CHAIN.pem,X5U-URL", arg);
    *chain++ = '\0';
    *url++ = '\0';
    clid_signer *s = NULL;
    clid_err rc = clid_signer_new(&s);
    if (rc == CLID_OK)
        rc = clid_signer_set_key_file(s, key);
    if (rc == CLID_OK)
        rc = clid_signer_set_cert_file(s, chain);
    if (rc == CLID_OK)
        rc = clid_signer_set_x5u(s, url);
    if (rc == CLID_OK)
        rc = clid_signer_set_clock(s, gen_clock, NULL);
    if (rc != CLID_OK)
        die(clid_err_name(rc), key);
    return s;
}

int main(int argc, char **argv)
{
    const char *out = NULL;
    uint64_t calls = 1000;
    int64_t start = 1767225600; /* 2026-01-01T00:00:00Z */
    uint64_t rate = 1000;
    unsigned bad = 0;
    clid_signer *signers[MAX_SIGNERS];
    size_t nsigners = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--out") == 0 && v) {
            out = v;
            i++;
        } else if (strcmp(a, "--calls") == 0 && v) {
            calls = strtoull(v, NULL, 10);
            i++;
        } else if (strcmp(a, "--start") == 0 && v) {
            start = strtoll(v, NULL, 10);
            i++;
        } else if (strcmp(a, "--rate") == 0 && v) {
            rate = strtoull(v, NULL, 10);
            i++;
        } else if (strcmp(a, "--bad") == 0 && v) {
            bad = (unsigned)strtoul(v, NULL, 10);
            i++;
        } else if (a[0] == '-') {
            die("unknown option", a);
        } else {
            if (nsigners == MAX_SIGNERS)
                die("too many signers", NULL);
            signers[nsigners++] = signer_from_arg(argv[i]);
        }
    }
    if (out == NULL || nsigners == 0 || calls == 0 || rate == 0 || bad > 100)
        die("usage: trace_gen --out FILE --calls N [--start UNIX] [--rate N] [--bad PCT] "
            "KEY,CHAIN,URL...",
            NULL);

    pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
    pcap_dumper_t *d = dead ? pcap_dump_open(dead, out) : NULL;
    if (d == NULL)
        die("cannot write the capture", dead ? pcap_geterr(dead) : out);

    char invite[PKT_MAX], signed_msg[PKT_MAX], reply[PKT_MAX], date[64];
    uint64_t nbad = 0;
    for (uint64_t i = 0; i < calls; i++) {
        /* Calls spread evenly over the capture: `rate` per second. */
        int64_t sec = start + (int64_t)(i / rate);
        int32_t usec = (int32_t)((i % rate) * 1000000 / rate);
        g_now = sec;
        rfc1123(sec, date);
        char orig[16], dest[16];
        snprintf(orig, sizeof orig, "1215%07" PRIu64, i % 10000000);
        snprintf(dest, sizeof dest, "1303%07" PRIu64, (i * 7919) % 10000000);
        int n = snprintf(invite, sizeof invite,
                         "INVITE sip:+%s@198.51.100.2;user=phone SIP/2.0\r\n"
                         "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-tg%" PRIu64 "\r\n"
                         "Max-Forwards: 70\r\n"
                         "From: <sip:+%s@192.0.2.1;user=phone>;tag=f%" PRIu64 "\r\n"
                         "To: <sip:+%s@198.51.100.2;user=phone>\r\n"
                         "Call-ID: tg-%" PRIu64 "@192.0.2.1\r\n"
                         "CSeq: 1 INVITE\r\n"
                         "Date: %s\r\n"
                         "Contact: <sip:gw@192.0.2.1:5060>\r\n"
                         "Content-Length: 0\r\n\r\n",
                         dest, i, orig, i, dest, i, date);
        if (n < 0 || (size_t)n >= sizeof invite)
            die("INVITE too long", NULL);
        char origid[40];
        snprintf(origid, sizeof origid, "5d2f0c6e-1b7a-4c39-9e41-%012" PRIx64, i & 0xffffffffffffu);
        clid_sip_sign_opts so = {.attest = 'A', .origid = origid, .iat = sec};
        size_t len = 0;
        clid_err rc = clid_sip_sign(signers[i % nsigners], &so, invite, (size_t)n, signed_msg,
                                    sizeof signed_msg, &len);
        if (rc != CLID_OK)
            die("signing", clid_err_name(rc));
        if (i % 100 < bad) {
            /* Flip one character of the signature (the JWS's third part):
             * it stays base64url, so the PASSporT parses and the ECDSA check
             * fails (RFC 8224 §6.2.4: 438). */
            char *id = strstr(signed_msg, "\r\nIdentity: ");
            char *semi = id ? strchr(id + 12, ';') : NULL;
            if (semi == NULL)
                die("no Identity in the signed INVITE", NULL);
            char *c = semi - 5;
            *c = *c == 'A' ? 'B' : 'A';
            nbad++;
        }
        dump_udp(d, sec, usec, 0, signed_msg, len, (uint16_t)(2 * i));
        int r = snprintf(reply, sizeof reply,
                         "SIP/2.0 200 OK\r\n"
                         "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-tg%" PRIu64 "\r\n"
                         "From: <sip:+%s@192.0.2.1;user=phone>;tag=f%" PRIu64 "\r\n"
                         "To: <sip:+%s@198.51.100.2;user=phone>;tag=t%" PRIu64 "\r\n"
                         "Call-ID: tg-%" PRIu64 "@192.0.2.1\r\n"
                         "CSeq: 1 INVITE\r\n"
                         "Contact: <sip:callee@198.51.100.2:5060>\r\n"
                         "Content-Length: 0\r\n\r\n",
                         i, orig, i, dest, i, i);
        if (r < 0 || (size_t)r >= sizeof reply)
            die("reply too long", NULL);
        dump_udp(d, sec, usec + 500 < 1000000 ? usec + 500 : usec, 1, reply, (size_t)r,
                 (uint16_t)(2 * i + 1));
    }
    long bytes = pcap_dump_ftell(d);
    if (pcap_dump_flush(d) != 0)
        die("cannot write the capture", strerror(errno));
    pcap_dump_close(d);
    pcap_close(dead);
    for (size_t i = 0; i < nsigners; i++)
        clid_signer_free(signers[i]);
    printf("calls=%" PRIu64 " bad=%" PRIu64 " bytes=%ld\n", calls, nbad, bytes);
    return 0;
}
