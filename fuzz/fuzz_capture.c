/*
 * Fuzz target: the capture-to-SIP path of libclid_capture (packets in,
 * messages out; issue 11 "Bad input"). The input is read, by its first byte:
 *   'P'  pcap records after a generated Ethernet pcap file header
 *        (libpcap's reader, link layers, IP, fragments, UDP, TCP streams);
 *   'L'  one link-layer frame, the next byte choosing the link type;
 *   'K'  a Kamailio clid-trace entry (a marker line, then the bytes);
 *   'S'  a SIPp -trace_msg block of exactly the remaining bytes;
 *   else the whole input as a file: pcap, pcapng or text log by content,
 *        through pcap_fopen_offline(fmemopen(...)).
 * Small limits on odd inputs reach the eviction and overflow paths.
 * Invariants: every message is a non-empty SIP message of at most
 * max_message bytes starting with a start line, its packet number is at most
 * the packets read, and the reader ends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include <clid/clid_capture.h>

#include "capture/capture_int.h"
#include "fuzz_common.h"

static void no_warn(void *arg, uint64_t packet, const char *code, const char *text)
{
    (void)packet;
    FUZZ_CHECK(code != NULL && text != NULL && code[0] != '\0');
    (*(uint64_t *)arg)++;
}

static void drain(clid_capture *c, const clid_capture_limits *lim)
{
    clid_capture_msg m;
    clid_err rc;
    uint64_t n = 0;
    while ((rc = clid_capture_next(c, &m)) == CLID_OK) {
        FUZZ_CHECK(m.data != NULL && m.len > 0 && m.len <= lim->max_message);
        FUZZ_CHECK(capture__sip_start(m.data, m.len) == CAP_SIP_YES);
        FUZZ_CHECK(m.data[m.len] == '\0');
        clid_capture_stats st;
        clid_capture_get_stats(c, &st);
        FUZZ_CHECK(m.transport >= CLID_CAPTURE_UDP && m.transport <= CLID_CAPTURE_LOG);
        if (m.transport != CLID_CAPTURE_LOG)
            FUZZ_CHECK(m.packet >= 1 && m.packet <= st.packets);
        FUZZ_CHECK(++n < 10000000);
    }
    FUZZ_CHECK(rc == CLID_ERR_CAPTURE_END);
    clid_capture_stats st;
    clid_capture_get_stats(c, &st);
    FUZZ_CHECK(st.messages == n);
}

static void run_file(const uint8_t *data, size_t size, const clid_capture_limits *lim)
{
    if (size == 0)
        return;
    /* fmemopen wants a writable buffer. */
    char *copy = malloc(size);
    if (!copy)
        return;
    memcpy(copy, data, size);
    FILE *fp = fmemopen(copy, size, "rb");
    if (!fp) {
        free(copy);
        return;
    }
    uint64_t warnings = 0;
    clid_capture *c = NULL;
    if (capture__open_fp(fp, "fuzz", lim, no_warn, &warnings, &c) == CLID_OK) {
        drain(c, &c->lim);
        clid_capture_free(c);
    } else {
        FUZZ_CHECK(c == NULL);
    }
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    clid_capture_limits lim = {0};
    if (size > 1 && (data[size - 1] & 1)) {
        /* Tight limits: eviction, gaps by overflow, fragment floods. */
        lim = (clid_capture_limits){.max_message = 512, .max_streams = 2,
                                    .max_stream_buffer = 1024, .max_fragments = 2,
                                    .max_datagram = 2048, .idle_timeout = 1};
    }
    clid_capture_limits eff;
    capture__limits(&eff, &lim);
    uint8_t *buf = NULL;
    size_t n = 0;
    switch (size ? data[0] : 0) {
    case 'P': { /* pcap file header, EN10MB, then the records */
        static const uint8_t hdr[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0,
                                        0,    0,    0,    0,    0, 0, 4, 0, 1, 0, 0, 0};
        n = sizeof hdr + size - 1;
        buf = malloc(n);
        if (!buf)
            return 0;
        memcpy(buf, hdr, sizeof hdr);
        memcpy(buf + sizeof hdr, data + 1, size - 1);
        run_file(buf, n, &lim);
        break;
    }
    case 'L': { /* one frame straight into the link decoder */
        static const int dlts[] = {DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW,
                                   DLT_IPV4,   DLT_IPV6,      DLT_NULL,       DLT_LOOP};
        if (size < 2)
            return 0;
        uint64_t warnings = 0;
        clid_capture *c = capture__new(&lim, no_warn, &warnings);
        if (!c)
            return 0;
        c->eof = 1; /* nothing to read: next() flushes and ends */
        cap_meta m = {.packet = 1, .sec = 1};
        c->st.packets = 1;
        size_t len = size - 2;
        /* An exact-size copy, so that reads past the frame are caught. */
        buf = malloc(len ? len : 1);
        if (!buf) {
            clid_capture_free(c);
            return 0;
        }
        memcpy(buf, data + 2, len);
        capture__link(c, dlts[data[1] % 8], &m, buf, len, len + (data[1] >> 7));
        drain(c, &eff);
        clid_capture_free(c);
        break;
    }
    case 'K':
    case 'S': {
        char head[160];
        int h = data[0] == 'K'
                    ? snprintf(head, sizeof head,
                               "clid-trace 1796207397 188918 udp 127.0.0.1 5094 ::1 5093\n")
                    : snprintf(head, sizeof head,
                               "----------------------------------------------- "
                               "2026-12-02 10:16:34.789673\nUDP message sent (%zu bytes):\n\n",
                               size - 1);
        n = (size_t)h + size - 1;
        buf = malloc(n);
        if (!buf)
            return 0;
        memcpy(buf, head, (size_t)h);
        memcpy(buf + h, data + 1, size - 1);
        run_file(buf, n, &lim);
        break;
    }
    default:
        run_file(data, size, &lim);
    }
    free(buf);
    return 0;
}
