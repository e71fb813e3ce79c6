/*
 * IPv4 (RFC 791, with options) and IPv6 (RFC 8200, with extension headers)
 * down to UDP and TCP; fragments go through cap_frag.c.
 */
#include <stdlib.h>
#include <string.h>

#include "capture/capture_int.h"

enum { P_HOPOPT = 0, P_TCP = 6, P_UDP = 17, P_ROUTING = 43, P_FRAGMENT = 44, P_ESP = 50,
       P_AH = 51, P_NONE = 59, P_DSTOPTS = 60 };

static uint16_t be16(const uint8_t *d)
{
    return (uint16_t)(d[0] << 8 | d[1]);
}

static uint32_t be32(const uint8_t *d)
{
    return (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
}

static void ipv4(clid_capture *c, const cap_meta *m, const uint8_t *d, size_t len, int cut)
{
    if (len < 20) {
        capture__warn(c, m->packet, cut ? "snaplen" : "malformed", "IPv4 header %s (%zu bytes)",
                      cut ? "cut by the snaplen" : "too short", len);
        return;
    }
    size_t ihl = (size_t)(d[0] & 0x0f) * 4;
    size_t total = be16(d + 2);
    if (ihl < 20 || total < ihl) {
        capture__warn(c, m->packet, "malformed", "IPv4 header length %zu, total length %zu", ihl,
                      total);
        return;
    }
    if (total > len) {
        if (!cut) {
            capture__warn(c, m->packet, "malformed",
                          "IPv4 total length %zu exceeds the %zu bytes of the packet", total, len);
            return;
        }
    } else {
        len = total; /* Ethernet padding after the datagram */
    }
    if (len < ihl) {
        capture__warn(c, m->packet, "snaplen", "snaplen cuts the IPv4 options");
        return;
    }
    cap_flow f = {.ver = 4};
    memcpy(f.src, d + 12, 4);
    memcpy(f.dst, d + 16, 4);
    int proto = d[9];
    uint16_t fl = be16(d + 6);
    size_t off = (size_t)(fl & 0x1fff) * 8;
    int more = (fl & 0x2000) != 0;
    if (off || more) {
        if (cut) {
            capture__warn(c, m->packet, "snaplen", "snaplen cuts an IPv4 fragment: dropped");
            return;
        }
        if (proto != P_UDP && proto != P_TCP)
            return;
        cap_frag_key k = {.ver = 4, .id = be16(d + 4), .proto = (uint8_t)proto};
        memcpy(k.src, f.src, 4);
        memcpy(k.dst, f.dst, 4);
        uint8_t *whole;
        size_t wlen;
        int wproto;
        if (capture__frag_add(c, m, &k, off, more, proto, d + ihl, len - ihl, &whole, &wlen,
                              &wproto) == 1) {
            capture__l4(c, m, &f, proto, whole, wlen, 0);
            free(whole);
        }
        return;
    }
    capture__l4(c, m, &f, proto, d + ihl, len - ihl, cut);
}

/* Walks IPv6 extension headers from `nh` at d[0..len): returns the offset of
 * the upper-layer header and its protocol in *proto, or sets *frag_at to the
 * offset of a Fragment header. -1 on a malformed chain. */
static long ext_walk(const uint8_t *d, size_t len, int nh, int *proto, long *frag_at)
{
    size_t off = 0;
    *frag_at = -1;
    for (int hops = 0; hops < 32; hops++) {
        switch (nh) {
        case P_HOPOPT:
        case P_ROUTING:
        case P_DSTOPTS: {
            if (off + 8 > len)
                return -1;
            size_t hl = ((size_t)d[off + 1] + 1) * 8;
            if (off + hl > len)
                return -1;
            nh = d[off];
            off += hl;
            break;
        }
        case P_AH: { /* RFC 4302 §2.2: length in 4-octet units, minus 2 */
            if (off + 8 > len)
                return -1;
            size_t hl = ((size_t)d[off + 1] + 2) * 4;
            if (off + hl > len)
                return -1;
            nh = d[off];
            off += hl;
            break;
        }
        case P_FRAGMENT:
            if (off + 8 > len)
                return -1;
            *frag_at = (long)off;
            *proto = P_FRAGMENT;
            return (long)off;
        default:
            *proto = nh;
            return (long)off;
        }
    }
    return -1;
}

static void ipv6_upper(clid_capture *c, const cap_meta *m, cap_flow *f, int nh, const uint8_t *d,
                       size_t len, int cut, int reassembled)
{
    int proto = P_NONE;
    long frag_at;
    long off = ext_walk(d, len, nh, &proto, &frag_at);
    if (off < 0) {
        capture__warn(c, m->packet, cut ? "snaplen" : "malformed",
                      "IPv6 extension headers %s", cut ? "cut by the snaplen" : "malformed");
        return;
    }
    if (frag_at >= 0) {
        const uint8_t *fh = d + frag_at;
        if (reassembled) {
            capture__warn(c, m->packet, "malformed", "IPv6 fragment inside a fragment");
            return;
        }
        if (cut) {
            capture__warn(c, m->packet, "snaplen", "snaplen cuts an IPv6 fragment: dropped");
            return;
        }
        uint16_t fo = be16(fh + 2);
        size_t foff = (size_t)(fo >> 3) * 8;
        int more = fo & 1;
        int fnh = fh[0];
        const uint8_t *payload = fh + 8;
        size_t plen = len - (size_t)frag_at - 8;
        if (foff == 0 && !more) { /* atomic fragment (RFC 6946): no reassembly */
            ipv6_upper(c, m, f, fnh, payload, plen, cut, 1);
            return;
        }
        cap_frag_key k = {.ver = 6, .id = be32(fh + 4)};
        memcpy(k.src, f->src, 16);
        memcpy(k.dst, f->dst, 16);
        uint8_t *whole;
        size_t wlen;
        int wproto;
        if (capture__frag_add(c, m, &k, foff, more, fnh, payload, plen, &whole, &wlen, &wproto) ==
            1) {
            /* The fragmentable part may start with more extension headers. */
            ipv6_upper(c, m, f, wproto, whole, wlen, 0, 1);
            free(whole);
        }
        return;
    }
    if (proto == P_ESP || proto == P_NONE)
        return;
    capture__l4(c, m, f, proto, d + off, len - (size_t)off, cut);
}

static void ipv6(clid_capture *c, const cap_meta *m, const uint8_t *d, size_t len, int cut)
{
    if (len < 40) {
        capture__warn(c, m->packet, cut ? "snaplen" : "malformed", "IPv6 header %s (%zu bytes)",
                      cut ? "cut by the snaplen" : "too short", len);
        return;
    }
    size_t plen = be16(d + 4);
    if (plen == 0) {
        capture__warn(c, m->packet, "malformed", "IPv6 jumbogram or empty payload: ignored");
        return;
    }
    if (40 + plen > len) {
        if (!cut) {
            capture__warn(c, m->packet, "malformed",
                          "IPv6 payload length %zu exceeds the %zu bytes of the packet", plen,
                          len - 40);
            return;
        }
    } else {
        len = 40 + plen;
    }
    cap_flow f = {.ver = 6};
    memcpy(f.src, d + 8, 16);
    memcpy(f.dst, d + 24, 16);
    ipv6_upper(c, m, &f, d[6], d + 40, len - 40, cut, 0);
}

void capture__ip(clid_capture *c, const cap_meta *m, const uint8_t *d, size_t len, int cut)
{
    if (len < 1) {
        capture__warn(c, m->packet, cut ? "snaplen" : "malformed", "empty IP packet");
        return;
    }
    switch (d[0] >> 4) {
    case 4:
        ipv4(c, m, d, len, cut);
        break;
    case 6:
        ipv6(c, m, d, len, cut);
        break;
    default:
        capture__warn(c, m->packet, "malformed", "IP version %d", d[0] >> 4);
    }
}

void capture__l4(clid_capture *c, const cap_meta *m, cap_flow *f, int proto, const uint8_t *d,
                 size_t len, int cut)
{
    if (proto == P_UDP) {
        if (len < 8) {
            capture__warn(c, m->packet, cut ? "snaplen" : "malformed", "UDP header %s",
                          cut ? "cut by the snaplen" : "too short");
            return;
        }
        f->sport = be16(d);
        f->dport = be16(d + 2);
        size_t ulen = be16(d + 4);
        if (ulen < 8 || (ulen > len && !cut)) {
            capture__warn(c, m->packet, "malformed", "UDP length %zu for %zu bytes", ulen, len);
            return;
        }
        int ucut = ulen > len; /* only possible when the snaplen cut the packet */
        if (!ucut)
            len = ulen;
        capture__udp(c, m, f, d + 8, len - 8, ucut);
    } else if (proto == P_TCP) {
        if (len < 20) {
            capture__warn(c, m->packet, cut ? "snaplen" : "malformed", "TCP header %s",
                          cut ? "cut by the snaplen" : "too short");
            return;
        }
        f->sport = be16(d);
        f->dport = be16(d + 2);
        size_t hl = (size_t)(d[12] >> 4) * 4;
        if (hl < 20 || hl > len) {
            capture__warn(c, m->packet, cut ? "snaplen" : "malformed", "TCP header length %zu",
                          hl);
            return;
        }
        capture__tcp(c, m, f, d, len, cut);
    }
}
