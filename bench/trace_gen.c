/*
 * trace_gen: a capture of signed calls for clid trace's throughput and
 * memory measurement (issue 11 item 6; bench/trace_bench.sh,
 * docs/performance.md).
 *
 *   trace_gen --key SP.key --cert SP-CHAIN.pem --x5u URL --calls N --out F.pcap
 *             [--start UNIX] [--rate CALLS_PER_S] [--distinct D]
 *
 * Each call is an INVITE signed with clid_sip_sign (its own origid, so its
 * own signature) and its 200 OK, as raw IPv4/UDP packets (DLT_RAW) written
 * with libpcap's pcap_dump. Calls are --rate per second of capture time
 * from --start, each signed at its packet's time (fresh for the verifier).
 * --distinct D signs only D INVITEs and repeats them with new Call-IDs
 * (Call-ID is not signed), to make multi-gigabyte captures quickly; the
 * verifier still checks every signature (run clid trace with a --max-age
 * covering the capture then).
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <clid/clid.h>
#include <clid/clid_sip.h>

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* One IPv4/UDP datagram 10.0.0.1:5060 -> 10.0.0.2:5060 (or back). */
static void packet(pcap_dumper_t *d, int64_t sec, long usec, int back, const char *data,
                   size_t len)
{
    static uint8_t buf[70000];
    size_t tot = 28 + len;
    memset(buf, 0, 28);
    buf[0] = 0x45;
    put16(buf + 2, (unsigned)tot);
    buf[8] = 64;
    buf[9] = 17;
    uint8_t a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};
    memcpy(buf + 12, back ? b : a, 4);
    memcpy(buf + 16, back ? a : b, 4);
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)(buf[i] << 8 | buf[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    put16(buf + 10, ~sum & 0xffff);
    put16(buf + 20, 5060);
    put16(buf + 22, 5060);
    put16(buf + 24, (unsigned)(8 + len)); /* UDP checksum 0: none (RFC 768, IPv4) */
    memcpy(buf + 28, data, len);
    struct pcap_pkthdr h;
    h.ts.tv_sec = (time_t)sec;
    h.ts.tv_usec = (suseconds_t)usec;
    h.caplen = h.len = (bpf_u_int32)tot;
    pcap_dump((u_char *)d, &h, buf);
}

int main(int argc, char **argv)
{
    const char *key = NULL, *cert = NULL, *x5u = NULL, *out = NULL;
    long long calls = 1000, start = 1796200000, rate = 1000, distinct = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--key")) key = argv[i + 1];
        else if (!strcmp(argv[i], "--cert")) cert = argv[i + 1];
        else if (!strcmp(argv[i], "--x5u")) x5u = argv[i + 1];
        else if (!strcmp(argv[i], "--out")) out = argv[i + 1];
        else if (!strcmp(argv[i], "--calls")) calls = atoll(argv[i + 1]);
        else if (!strcmp(argv[i], "--start")) start = atoll(argv[i + 1]);
        else if (!strcmp(argv[i], "--rate")) rate = atoll(argv[i + 1]);
        else if (!strcmp(argv[i], "--distinct")) distinct = atoll(argv[i + 1]);
        else {
            fprintf(stderr, "trace_gen: unknown option %s\n", argv[i]);
            return 64;
        }
    }
    if (!key || !x5u || !out || calls < 1 || rate < 1) {
        fprintf(stderr, "usage: trace_gen --key K [--cert C] --x5u URL --calls N --out F.pcap "
                        "[--start UNIX] [--rate N] [--distinct D]\n");
        return 64;
    }
    clid_signer *s = NULL;
    if (clid_signer_new(&s) != CLID_OK || clid_signer_set_key_file(s, key) != CLID_OK ||
        (cert && clid_signer_set_cert_file(s, cert) != CLID_OK) ||
        clid_signer_set_x5u(s, x5u) != CLID_OK) {
        fprintf(stderr, "trace_gen: signer setup failed\n");
        return 1;
    }
    pcap_t *dead = pcap_open_dead(DLT_RAW, 262144);
    pcap_dumper_t *d = dead ? pcap_dump_open(dead, out) : NULL;
    if (d == NULL) {
        fprintf(stderr, "trace_gen: %s: cannot write\n", out);
        return 1;
    }
    static char inv[8192], sig[CLID_SIP_MAX_LEN], tmpl[CLID_SIP_MAX_LEN], resp[2048];
    size_t tmpl_len = 0;
    for (long long i = 0; i < calls; i++) {
        long long t_us = i * 1000000LL / rate;
        int64_t sec = start + t_us / 1000000;
        long usec = (long)(t_us % 1000000);
        int n = snprintf(inv, sizeof inv,
                         "INVITE sip:+12155552000@10.0.0.2 SIP/2.0\r\n"
                         "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK%lld\r\n"
                         "Max-Forwards: 70\r\n"
                         "From: <sip:+12155550123@10.0.0.1;user=phone>;tag=f%lld\r\n"
                         "To: <sip:+12155552000@10.0.0.2;user=phone>\r\n"
                         "Call-ID: CALLID-%012lld@bench\r\n"
                         "CSeq: 1 INVITE\r\n"
                         "Contact: <sip:+12155550123@10.0.0.1>\r\n"
                         "Content-Length: 0\r\n\r\n",
                         i, i, i);
        size_t len = 0;
        if (distinct <= 0 || i < distinct) {
            clid_sip_sign_opts o = {'A', NULL, sec};
            if (clid_sip_sign(s, &o, inv, (size_t)n, sig, sizeof sig, &len) != CLID_OK) {
                fprintf(stderr, "trace_gen: signing call %lld failed\n", i);
                return 1;
            }
            if (distinct > 0 && i == 0) {
                memcpy(tmpl, sig, len);
                tmpl_len = len;
            }
        } else {
            /* the first signed INVITE with this call's Call-ID (same length) */
            memcpy(sig, tmpl, tmpl_len);
            len = tmpl_len;
            char id[40];
            snprintf(id, sizeof id, "CALLID-%012lld@bench", i);
            char *p = strstr(sig, "CALLID-");
            if (p)
                memcpy(p, id, strlen(id));
        }
        packet(d, sec, usec, 0, sig, len);
        int m = snprintf(resp, sizeof resp,
                         "SIP/2.0 200 OK\r\n"
                         "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK%lld\r\n"
                         "From: <sip:+12155550123@10.0.0.1;user=phone>;tag=f%lld\r\n"
                         "To: <sip:+12155552000@10.0.0.2;user=phone>;tag=t%lld\r\n"
                         "Call-ID: CALLID-%012lld@bench\r\n"
                         "CSeq: 1 INVITE\r\n"
                         "Content-Length: 0\r\n\r\n",
                         distinct > 0 && i >= distinct ? 0LL : i,
                         distinct > 0 && i >= distinct ? 0LL : i, i, i);
        packet(d, sec, usec + 500 < 1000000 ? usec + 500 : usec, 1, resp, (size_t)m);
    }
    pcap_dump_close(d);
    pcap_close(dead);
    clid_signer_free(s);
    return 0;
}
