/*
 * Packets in through libpcap (pcap and pcapng files, live interfaces), link
 * layers out: Ethernet with 802.1Q/802.1ad/QinQ tags, Linux cooked SLL and
 * SLL2, raw IP, BSD loopback. libpcap does all the file format work; this
 * file only strips link headers (deps-breadth notes §2 for the offsets).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "capture/capture_int.h"

#define LIVE_SNAPLEN 262144
#define LIVE_BUFFER (4 << 20)
/* After clid_capture_break, a live capture still returns the packets already
 * captured (Ctrl-C must not lose the last calls), at most this many. */
#define LIVE_DRAIN_MAX 65536

struct cap_pcap {
    pcap_t *p;
    int dlt;
    int brk_pipe[2]; /* live: clid_capture_break writes a byte to wake poll() */
    uint64_t packet;
    uint64_t drained; /* packets read after clid_capture_break */
};

static uint16_t be16(const uint8_t *d)
{
    return (uint16_t)(d[0] << 8 | d[1]);
}

static int supported_dlt(int dlt)
{
    switch (dlt) {
    case DLT_EN10MB:
    case DLT_LINUX_SLL:
    case DLT_LINUX_SLL2:
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
    case DLT_NULL:
    case DLT_LOOP:
        return 1;
    default:
        return 0;
    }
}

static cap_pcap *pcap_new(void)
{
    cap_pcap *p = calloc(1, sizeof *p);
    if (p)
        p->brk_pipe[0] = p->brk_pipe[1] = -1;
    return p;
}

clid_err capture__pcap_open_fp(clid_capture *c, FILE *fp, const char *name)
{
    char err[PCAP_ERRBUF_SIZE] = "";
    cap_pcap *p = pcap_new();
    if (!p) {
        fclose(fp);
        return CLID_ERR_NOMEM;
    }
    /* Microsecond precision: libpcap scales nanosecond files (deps notes §2). */
    p->p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, err);
    if (!p->p) {
        capture__warn(c, 0, "open", "%s: %s", name, err);
        fclose(fp); /* libpcap leaves it open on failure */
        free(p);
        return CLID_ERR_CAPTURE_OPEN;
    }
    c->pcap = p;
    c->fp = fp; /* for clid_capture_offset; pcap_close closes it */
    p->dlt = pcap_datalink(p->p);
    if (!supported_dlt(p->dlt)) {
        const char *dn = pcap_datalink_val_to_name(p->dlt);
        capture__warn(c, 0, "open", "%s: link type %d (%s) is not supported", name, p->dlt,
                      dn ? dn : "unknown");
        return CLID_ERR_CAPTURE_OPEN;
    }
    return CLID_OK;
}

clid_err capture__pcap_open_live(clid_capture *c, const char *iface, const char *filter)
{
    char err[PCAP_ERRBUF_SIZE] = "";
    cap_pcap *p = pcap_new();
    if (!p)
        return CLID_ERR_NOMEM;
    c->pcap = p;
    p->p = pcap_create(iface, err);
    if (!p->p) {
        capture__warn(c, 0, "open", "%s: %s", iface, err);
        return CLID_ERR_CAPTURE_OPEN;
    }
    /* Immediate mode: each packet as it arrives (live summaries); but then
     * pcap_next_ex may block past its timeout, so the handle is non-blocking
     * and waits in poll() (deps notes P2). */
    (void)pcap_set_snaplen(p->p, LIVE_SNAPLEN);
    (void)pcap_set_promisc(p->p, 0);
    (void)pcap_set_immediate_mode(p->p, 1);
    (void)pcap_set_buffer_size(p->p, LIVE_BUFFER);
    int rc = pcap_activate(p->p);
    if (rc < 0) {
        capture__warn(c, 0, "open", "%s: %s (%s)", iface, pcap_statustostr(rc), pcap_geterr(p->p));
        return CLID_ERR_CAPTURE_OPEN;
    }
    if (rc > 0)
        capture__warn(c, 0, "live", "%s: %s (%s)", iface, pcap_statustostr(rc), pcap_geterr(p->p));
    p->dlt = pcap_datalink(p->p);
    if (!supported_dlt(p->dlt)) {
        capture__warn(c, 0, "open", "%s: link type %d is not supported", iface, p->dlt);
        return CLID_ERR_CAPTURE_OPEN;
    }
    if (filter && *filter) {
        struct bpf_program prog;
        if (pcap_compile(p->p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            capture__warn(c, 0, "open", "filter \"%s\": %s", filter, pcap_geterr(p->p));
            return CLID_ERR_CAPTURE_OPEN;
        }
        rc = pcap_setfilter(p->p, &prog);
        pcap_freecode(&prog);
        if (rc != 0) {
            capture__warn(c, 0, "open", "filter \"%s\": %s", filter, pcap_geterr(p->p));
            return CLID_ERR_CAPTURE_OPEN;
        }
    }
    if (pcap_setnonblock(p->p, 1, err) != 0 || pcap_get_selectable_fd(p->p) < 0) {
        capture__warn(c, 0, "open", "%s: %s", iface, err[0] ? err : "no selectable descriptor");
        return CLID_ERR_CAPTURE_OPEN;
    }
    if (pipe(p->brk_pipe) != 0 || fcntl(p->brk_pipe[1], F_SETFL, O_NONBLOCK) != 0 ||
        fcntl(p->brk_pipe[0], F_SETFL, O_NONBLOCK) != 0) {
        capture__warn(c, 0, "open", "pipe: %s", strerror(errno));
        return CLID_ERR_CAPTURE_OPEN;
    }
    return CLID_OK;
}

void capture__pcap_break(clid_capture *c)
{
    /* write(2) is async-signal-safe; a full pipe already wakes the reader. */
    if (c->pcap->brk_pipe[1] >= 0) {
        ssize_t w = write(c->pcap->brk_pipe[1], "b", 1);
        (void)w;
    }
}

void capture__pcap_free(cap_pcap *p)
{
    if (!p)
        return;
    if (p->p)
        pcap_close(p->p);
    if (p->brk_pipe[0] >= 0)
        close(p->brk_pipe[0]);
    if (p->brk_pipe[1] >= 0)
        close(p->brk_pipe[1]);
    free(p);
}

static void packet(clid_capture *c, const struct pcap_pkthdr *h, const u_char *d)
{
    cap_meta m = {.packet = ++c->pcap->packet, .sec = h->ts.tv_sec, .usec = (int32_t)h->ts.tv_usec};
    c->st.packets++;
    /* Expiry runs on capture time, so a file is read the same at any speed. */
    capture__tcp_expire(c, &m);
    capture__frag_expire(c, &m);
    capture__link(c, c->pcap->dlt, &m, d, h->caplen, h->len);
}

clid_err capture__pcap_read(clid_capture *c)
{
    cap_pcap *p = c->pcap;
    for (;;) {
        struct pcap_pkthdr *h;
        const u_char *d;
        if (c->brk && (!c->live || p->drained >= LIVE_DRAIN_MAX))
            return CLID_ERR_CAPTURE_END;
        int rc = pcap_next_ex(p->p, &h, &d);
        if (rc == 1) {
            if (c->brk)
                p->drained++;
            packet(c, h, d);
            return CLID_OK;
        }
        if (rc == PCAP_ERROR_BREAK)
            return CLID_ERR_CAPTURE_END;
        if (rc == PCAP_ERROR) {
            if (c->live) {
                capture__warn(c, p->packet + 1, "read", "%s", pcap_geterr(p->p));
                return CLID_ERR_CAPTURE_READ;
            }
            /* A truncated file, a bogus record length, a pcapng interface of
             * another link type: libpcap cannot go on past it; what was read
             * stays valid, so the run ends here. */
            const char *e = pcap_geterr(p->p);
            capture__warn(c, p->packet + 1, strstr(e, "truncated") ? "truncated" : "malformed",
                          "capture ends early: %s", e);
            return CLID_ERR_CAPTURE_END;
        }
        if (rc != 0) /* -2 at the end of a file */
            return CLID_ERR_CAPTURE_END;
        /* live, nothing pending: the end after a break (all captured packets
         * drained), else wait for packets or clid_capture_break */
        if (c->brk)
            return CLID_ERR_CAPTURE_END;
        struct pollfd pfd[2] = {{.fd = pcap_get_selectable_fd(p->p), .events = POLLIN},
                                {.fd = p->brk_pipe[0], .events = POLLIN}};
        int pr = poll(pfd, 2, 1000);
        if (pr < 0 && errno != EINTR) {
            capture__warn(c, p->packet + 1, "read", "poll: %s", strerror(errno));
            return CLID_ERR_CAPTURE_READ;
        }
    }
}

void capture__link(clid_capture *c, int dlt, const cap_meta *m, const uint8_t *d, size_t caplen,
                   size_t wirelen)
{
    int cut = caplen < wirelen;
    size_t off;
    uint16_t et = 0;
    int need_et = 1;
    switch (dlt) {
    case DLT_EN10MB:
        off = 12;
        break;
    case DLT_LINUX_SLL: /* 16 bytes, protocol type at 14 */
        if (caplen < 16)
            goto short_frame;
        et = be16(d + 14);
        off = 16;
        need_et = 0;
        break;
    case DLT_LINUX_SLL2: /* 20 bytes, protocol type first */
        if (caplen < 20)
            goto short_frame;
        et = be16(d);
        off = 20;
        need_et = 0;
        break;
    case DLT_NULL: /* 4-byte address family in the writer's byte order */
    case DLT_LOOP: /* in network byte order; either way the IP version nibble decides */
        off = 4;
        if (caplen < off)
            goto short_frame;
        capture__ip(c, m, d + off, caplen - off, cut);
        return;
    default: /* DLT_RAW, DLT_IPV4, DLT_IPV6 */
        capture__ip(c, m, d, caplen, cut);
        return;
    }
    if (need_et) {
        if (caplen < off + 2)
            goto short_frame;
        et = be16(d + off);
        off += 2;
    }
    /* VLAN tags: 802.1Q, 802.1ad (QinQ outer) and the older 0x9100 outer tag. */
    for (int tags = 0; et == 0x8100 || et == 0x88a8 || et == 0x9100; tags++) {
        if (tags >= 8) {
            capture__warn(c, m->packet, "malformed", "more than 8 VLAN tags");
            return;
        }
        if (caplen < off + 4)
            goto short_frame;
        et = be16(d + off + 2);
        off += 4;
    }
    if (et == 0x0800 || et == 0x86dd)
        capture__ip(c, m, d + off, caplen - off, cut);
    /* Anything else (ARP, LLDP, 802.3 lengths) is not IP: ignored silently. */
    return;
short_frame:
    capture__warn(c, m->packet, cut ? "snaplen" : "malformed",
                  "%s link-layer header (%zu bytes captured)", cut ? "snaplen cuts the" : "short",
                  caplen);
}
