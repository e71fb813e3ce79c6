/*
 * SIP over UDP (RFC 3261 §18.3): a datagram whose payload starts with a SIP
 * start line, on any port. Several messages in one datagram are framed by
 * Content-Length; without one, the body runs to the end of the datagram.
 * Other payloads are ignored silently (RTP, DNS...), except on the SIP ports
 * 5060/5061 where they get a warning.
 */
#include <string.h>

#include "capture/capture_int.h"

static int sip_port(const cap_flow *f)
{
    return f->sport == 5060 || f->dport == 5060 || f->sport == 5061 || f->dport == 5061;
}

static size_t skip_crlf(const char *d, size_t len, size_t pos)
{
    /* RFC 5626 §3.5.1 keep-alives (CRLF) and padding between messages. */
    while (pos < len && (d[pos] == '\r' || d[pos] == '\n'))
        pos++;
    return pos;
}

void capture__sip_datagram(clid_capture *c, int transport, const cap_meta *m, const cap_flow *f,
                           const char *d, size_t len)
{
    size_t pos = skip_crlf(d, len, 0);
    while (pos < len) {
        const char *p = d + pos;
        size_t left = len - pos;
        if (capture__sip_start(p, left) != CAP_SIP_YES) {
            /* RFC 3261 §18.3: bytes beyond the end of the body are discarded. */
            if (pos == 0)
                capture__warn(c, m->packet, "not-sip", "payload is not a SIP message");
            return;
        }
        size_t hend = capture__sip_header_end(p, left, 0);
        if (hend == 0) {
            capture__warn(c, m->packet, "malformed",
                          "SIP message without the empty line ending its headers: dropped");
            c->st.dropped++;
            return;
        }
        long long cl = capture__sip_content_length(p, hend);
        size_t total;
        if (cl == -2) {
            capture__warn(c, m->packet, "bad-length", "malformed or conflicting Content-Length: "
                                                      "message dropped");
            c->st.dropped++;
            return;
        }
        if (cl < 0) {
            total = left;
        } else if ((unsigned long long)cl > left - hend) {
            capture__warn(c, m->packet, "bad-length",
                          "Content-Length %lld exceeds the %zu bytes after the headers: message "
                          "dropped (RFC 3261 §18.3)",
                          cl, left - hend);
            c->st.dropped++;
            return;
        } else {
            total = hend + (size_t)cl;
        }
        if (total > c->lim.max_message) {
            capture__warn(c, m->packet, "too-large",
                          "SIP message of %zu bytes exceeds max_message (%zu): skipped", total,
                          c->lim.max_message);
            c->st.dropped++;
        } else if (capture__emit(c, transport, f, m, p, total) != 0) {
            capture__warn(c, m->packet, "nomem", "out of memory: message dropped");
            c->st.dropped++;
        }
        pos = skip_crlf(d, len, pos + total);
    }
}

void capture__udp(clid_capture *c, const cap_meta *m, const cap_flow *f, const uint8_t *d,
                  size_t len, int cut)
{
    const char *p = (const char *)d;
    size_t start = skip_crlf(p, len, 0);
    if (start == len)
        return; /* empty or a keep-alive */
    int st = capture__sip_start(p + start, len - start);
    if (st != CAP_SIP_YES) {
        if (st == CAP_SIP_MORE && cut) {
            capture__warn(c, m->packet, "snaplen", "snaplen cuts a UDP datagram: dropped");
        } else if (sip_port(f)) {
            if (capture__tls_record(d, len))
                capture__warn(c, m->packet, "tls", "SIP over (D)TLS is not decodable");
            else
                capture__warn(c, m->packet, "not-sip",
                              "non-SIP payload on SIP port %u: ignored",
                              (unsigned)(f->dport == 5060 || f->dport == 5061 ? f->dport
                                                                               : f->sport));
        }
        return;
    }
    if (cut) {
        capture__warn(c, m->packet, "snaplen",
                      "snaplen cuts a SIP message over UDP: dropped (capture with -s 0)");
        c->st.dropped++;
        return;
    }
    capture__sip_datagram(c, CLID_CAPTURE_UDP, m, f, p + start, len - start);
}
