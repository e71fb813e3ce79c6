/*
 * SIP over TCP: stream reassembly per direction (RFC 9293 sequence numbers)
 * and message framing (RFC 3261 §18.3: Content-Length, 0 when absent on a
 * stream; §7.3.3 compact "l").
 *
 * Per stream: the in-order bytes not yet framed (buf) and the segments that
 * arrived ahead of them (ooo), together at most max_stream_buffer bytes.
 * Retransmitted or overlapping bytes: the first copy wins; a warning when
 * they differ from what is still buffered. A gap (bytes never captured: the
 * out-of-order segments fill the buffer, or the stream ends, expires or is
 * reset) gets a warning, the partial message is dropped, and framing
 * resynchronises at the next SIP start line. A stream whose start (SYN) was
 * not captured is synchronised the same way.
 *
 * Streams live in a hash table and an LRU list; idle_timeout seconds of
 * capture time without a segment expire a stream, and at max_streams the
 * least recently used one is evicted.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture_int.h"

enum { ST_NEW, ST_SIP, ST_IGNORE, ST_TLS };
enum { TH_FIN = 0x01, TH_SYN = 0x02, TH_RST = 0x04 };

typedef struct seg {
    struct seg *next;
    uint32_t seq;
    size_t len;
    cap_meta m;
    uint8_t data[];
} seg;

typedef struct stream {
    cap_flow f;
    struct stream *hnext;
    struct stream *older, *newer; /* LRU */
    int64_t last_sec;
    int have_seq, seen_syn, fin;
    uint32_t isn, next_seq, fin_seq;
    char *buf; /* unframed in-order bytes: buf[off .. off+len) */
    size_t off, len, cap;
    seg *ooo; /* sorted by sequence, relative to next_seq */
    size_t ooo_bytes;
    int state;
    int resync;  /* looking for the next SIP start line */
    size_t hscan; /* bytes of buf already searched for the end of the headers */
    size_t skip; /* bytes of a too-large message still to skip */
    cap_meta last_m;
} stream;

struct cap_tcp {
    stream **buckets;
    size_t nbuckets;
    size_t count;
    size_t bytes; /* buffer capacity and out-of-order bytes of all streams */
    stream *oldest, *newest;
};

static uint32_t be32(const uint8_t *d)
{
    return (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
}

static int32_t seq_diff(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b);
}

static size_t alen(int ver)
{
    return ver == 4 ? 4 : 16;
}

static size_t hash(const cap_tcp *t, const cap_flow *f)
{
    uint64_t h = 1469598103934665603ull;
#define MIX(b) (h = (h ^ (uint8_t)(b)) * 1099511628211ull)
    for (size_t i = 0; i < alen(f->ver); i++) {
        MIX(f->src[i]);
        MIX(f->dst[i]);
    }
    MIX(f->sport);
    MIX(f->sport >> 8);
    MIX(f->dport);
    MIX(f->dport >> 8);
#undef MIX
    return (size_t)(h & (t->nbuckets - 1));
}

static int flow_eq(const cap_flow *a, const cap_flow *b)
{
    return a->ver == b->ver && a->sport == b->sport && a->dport == b->dport &&
           memcmp(a->src, b->src, alen(a->ver)) == 0 && memcmp(a->dst, b->dst, alen(a->ver)) == 0;
}

static void flow_rev(cap_flow *r, const cap_flow *f)
{
    *r = *f;
    memcpy(r->src, f->dst, sizeof r->src);
    memcpy(r->dst, f->src, sizeof r->dst);
    r->sport = f->dport;
    r->dport = f->sport;
}

/* "10.0.0.1:5060 -> 10.0.0.2:5060" for warnings. */
static const char *flow_str(const cap_flow *f, char out[128])
{
    char a[46] = "", b[46] = "";
    int af = f->ver == 4 ? AF_INET : AF_INET6;
    inet_ntop(af, f->src, a, sizeof a);
    inet_ntop(af, f->dst, b, sizeof b);
    snprintf(out, 128, f->ver == 6 ? "[%s]:%u -> [%s]:%u" : "%s:%u -> %s:%u", a,
             (unsigned)f->sport, b, (unsigned)f->dport);
    return out;
}

static cap_tcp *tcp_state(clid_capture *c)
{
    if (c->tcp)
        return c->tcp;
    cap_tcp *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->nbuckets = 64;
    while (t->nbuckets < c->lim.max_streams && t->nbuckets < (1u << 16))
        t->nbuckets <<= 1;
    t->buckets = calloc(t->nbuckets, sizeof *t->buckets);
    if (!t->buckets) {
        free(t);
        return NULL;
    }
    c->tcp = t;
    return t;
}

static stream *lookup(cap_tcp *t, const cap_flow *f)
{
    for (stream *s = t->buckets[hash(t, f)]; s; s = s->hnext)
        if (flow_eq(&s->f, f))
            return s;
    return NULL;
}

static void lru_unlink(cap_tcp *t, stream *s)
{
    if (s->older)
        s->older->newer = s->newer;
    else
        t->oldest = s->newer;
    if (s->newer)
        s->newer->older = s->older;
    else
        t->newest = s->older;
    s->older = s->newer = NULL;
}

static void lru_push(cap_tcp *t, stream *s)
{
    s->older = t->newest;
    s->newer = NULL;
    if (t->newest)
        t->newest->newer = s;
    else
        t->oldest = s;
    t->newest = s;
}

static void stream_free(cap_tcp *t, stream *s)
{
    stream **pp = &t->buckets[hash(t, &s->f)];
    while (*pp && *pp != s)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = s->hnext;
    lru_unlink(t, s);
    for (seg *g = s->ooo; g;) {
        seg *n = g->next;
        free(g);
        g = n;
    }
    t->bytes -= s->cap + s->ooo_bytes;
    free(s->buf);
    free(s);
    t->count--;
}

static void consume(stream *s, size_t n)
{
    if (n)
        s->hscan = 0;
    s->off += n;
    s->len -= n;
    if (s->len == 0)
        s->off = 0;
}

/* Skips the first line of a message being given up, so that the search
 * for the next start line does not find a suffix of this one. */
static void consume_line(stream *s)
{
    const char *p = s->buf + s->off;
    const char *nl = memchr(p, '\n', s->len);
    consume(s, nl ? (size_t)(nl - p) + 1 : s->len);
}

static int sip_port(const cap_flow *f)
{
    return f->sport == 5060 || f->dport == 5060 || f->sport == 5061 || f->dport == 5061;
}

static void mark_tls(clid_capture *c, stream *s, const cap_meta *m)
{
    s->state = ST_TLS;
    cap_flow r;
    flow_rev(&r, &s->f);
    stream *o = c->tcp ? lookup(c->tcp, &r) : NULL;
    if (o && o->state == ST_TLS)
        return; /* one warning per connection */
    char fs[128];
    capture__warn(c, m->packet, "tls", "SIP over TLS is not decodable (%s)", flow_str(&s->f, fs));
}

/* Frames the complete messages at the front of s->buf. */
static void frame(clid_capture *c, stream *s)
{
    for (;;) {
        if (s->state == ST_IGNORE || s->state == ST_TLS) {
            consume(s, s->len);
            return;
        }
        if (s->skip) {
            size_t k = s->skip < s->len ? s->skip : s->len;
            consume(s, k);
            s->skip -= k;
            if (s->skip)
                return;
        }
        char *p = s->buf + s->off;
        if (s->resync) {
            size_t at = capture__sip_find_start(p, s->len, 0);
            if (at == s->len) {
                /* Keep a partial last line: it may become a start line. */
                const char *nl = NULL;
                for (size_t i = s->len; i > 0; i--)
                    if (p[i - 1] == '\n') {
                        nl = p + i - 1;
                        break;
                    }
                size_t keep = nl ? s->len - (size_t)(nl - p) - 1 : s->len;
                if (keep > CAP_SIP_MAX_START_LINE)
                    keep = 0;
                consume(s, s->len - keep);
                return;
            }
            consume(s, at);
            p = s->buf + s->off;
            if (capture__sip_start(p, s->len) != CAP_SIP_YES)
                return; /* a start line not complete yet */
            s->resync = 0;
        }
        size_t lead = 0;
        while (lead < s->len && (p[lead] == '\r' || p[lead] == '\n'))
            lead++;
        consume(s, lead);
        p = s->buf + s->off;
        if (s->len == 0)
            return;
        int st = capture__sip_start(p, s->len);
        if (st == CAP_SIP_MORE && s->len <= CAP_SIP_MAX_START_LINE)
            return;
        if (st != CAP_SIP_YES) {
            if (s->state == ST_NEW) {
                int tls = capture__tls_record((const uint8_t *)p, s->len);
                if (tls == 2 || (tls && (s->f.sport == 5061 || s->f.dport == 5061))) {
                    mark_tls(c, s, &s->last_m);
                    continue;
                }
                if (s->seen_syn) {
                    s->state = ST_IGNORE;
                    if (sip_port(&s->f)) {
                        char fs[128];
                        capture__warn(c, s->last_m.packet, "not-sip",
                                      "TCP stream on a SIP port carries no SIP: ignored (%s)",
                                      flow_str(&s->f, fs));
                    }
                    continue;
                }
                s->resync = 1; /* joined mid-stream: find the first message */
                continue;
            }
            char fs[128];
            capture__warn(c, s->last_m.packet, "not-sip",
                          "bytes between SIP messages are not SIP: resynchronising (%s)",
                          flow_str(&s->f, fs));
            s->resync = 1;
            consume_line(s);
            continue;
        }
        s->state = ST_SIP;
        size_t look = s->len < c->lim.max_message ? s->len : c->lim.max_message;
        size_t hend = capture__sip_header_end(p, look, s->hscan < look ? s->hscan : look);
        if (hend == 0) {
            s->hscan = look;
            if (s->len < c->lim.max_message)
                return; /* wait for the rest of the headers */
            char fs[128];
            capture__warn(c, s->last_m.packet, "too-large",
                          "SIP headers longer than max_message (%zu): message skipped (%s)",
                          c->lim.max_message, flow_str(&s->f, fs));
            c->st.dropped++;
            s->resync = 1;
            consume_line(s);
            continue;
        }
        long long cl = capture__sip_content_length(p, hend);
        if (cl == -2) {
            char fs[128];
            capture__warn(c, s->last_m.packet, "bad-length",
                          "malformed or conflicting Content-Length: message skipped, "
                          "resynchronising (%s)",
                          flow_str(&s->f, fs));
            c->st.dropped++;
            s->resync = 1;
            consume_line(s);
            continue;
        }
        size_t total = hend + (size_t)(cl < 0 ? 0 : cl); /* absent on a stream: 0 (§18.3) */
        if (total > c->lim.max_message) {
            char fs[128];
            capture__warn(c, s->last_m.packet, "too-large",
                          "SIP message of %zu bytes exceeds max_message (%zu): skipped (%s)",
                          total, c->lim.max_message, flow_str(&s->f, fs));
            c->st.dropped++;
            s->skip = total;
            continue;
        }
        if (s->len < total)
            return;
        if (capture__emit(c, CLID_CAPTURE_TCP, &s->f, &s->last_m, p, total) != 0) {
            capture__warn(c, s->last_m.packet, "nomem", "out of memory: message dropped");
            c->st.dropped++;
        }
        consume(s, total);
    }
}

/* Appends in-order bytes (bounded), framing as it goes. */
static void append(clid_capture *c, stream *s, const cap_meta *m, const uint8_t *d, size_t len)
{
    size_t limit = c->lim.max_stream_buffer;
    s->last_m = *m;
    while (len) {
        if (s->off && s->off + s->len + len > s->cap) { /* compact */
            memmove(s->buf, s->buf + s->off, s->len);
            s->off = 0;
        }
        /* Out-of-order bytes are bounded in seg_in (by declaring gaps); here
         * they are moving into buf, so only buf counts. */
        size_t room = limit > s->len ? limit - s->len : 0;
        if (room == 0) {
            /* Cannot happen with max_stream_buffer >= max_message unless the
             * out-of-order segments fill the buffer: drop the partial message. */
            char fs[128];
            capture__warn(c, m->packet, "too-large",
                          "TCP stream buffer full (max_stream_buffer %zu): partial message "
                          "dropped, resynchronising (%s)",
                          limit, flow_str(&s->f, fs));
            c->st.dropped++;
            consume(s, s->len);
            s->resync = 1;
            room = limit;
        }
        size_t n = len < room ? len : room;
        if (s->off + s->len + n > s->cap) {
            size_t nc = s->cap ? s->cap : 4096;
            while (nc < s->off + s->len + n)
                nc *= 2;
            if (nc > limit)
                nc = limit;
            if (nc < s->off + s->len + n) { /* compact instead */
                memmove(s->buf, s->buf + s->off, s->len);
                s->off = 0;
            }
            if (nc > s->cap) {
                char *nb = realloc(s->buf, nc);
                if (!nb) {
                    c->st.dropped++;
                    consume(s, s->len);
                    s->resync = 1;
                    s->next_seq += (uint32_t)len;
                    return;
                }
                c->tcp->bytes += nc - s->cap;
                s->buf = nb;
                s->cap = nc;
            }
        }
        memcpy(s->buf + s->off + s->len, d, n);
        s->len += n;
        s->next_seq += (uint32_t)n;
        d += n;
        len -= n;
        frame(c, s);
    }
    if (s->len == 0 && s->buf) {
        /* Most streams sit between messages most of the time: hold no buffer
         * then, so that thousands of idle connections cost no memory. */
        c->tcp->bytes -= s->cap;
        free(s->buf);
        s->buf = NULL;
        s->cap = s->off = 0;
    }
}

/* Bytes [seq, seq+len) arrived again: compare with what is still buffered. */
static void check_overlap(clid_capture *c, stream *s, const cap_meta *m, uint32_t seq,
                          const uint8_t *d, size_t len)
{
    uint32_t buf_seq = s->next_seq - (uint32_t)s->len;
    for (size_t i = 0; i < len; i++) {
        int32_t at = seq_diff(seq + (uint32_t)i, buf_seq);
        if (at < 0 || (size_t)at >= s->len)
            continue;
        if ((uint8_t)s->buf[s->off + (size_t)at] != d[i]) {
            char fs[128];
            capture__warn(c, m->packet, "tcp-overlap",
                          "retransmitted TCP bytes differ from the first copy, which is kept "
                          "(%s)",
                          flow_str(&s->f, fs));
            return;
        }
    }
}

/* Bytes at or before next_seq: the part already held is a retransmission
 * (first copy wins), the rest is appended. */
static void in_order(clid_capture *c, stream *s, const cap_meta *m, uint32_t seq,
                     const uint8_t *d, size_t len)
{
    int32_t diff = seq_diff(seq, s->next_seq);
    if (diff < 0) {
        size_t old = (size_t)(-(int64_t)diff);
        check_overlap(c, s, m, seq, d, old < len ? old : len);
        if (old >= len)
            return;
        d += old;
        len -= old;
    }
    append(c, s, m, d, len);
}

/* Out-of-order segments that the stream has now reached; the messages they
 * complete are dated by `m`, the packet that filled the hole (NULL: their
 * own). No recursion: a million 1-byte segments must not grow the C stack. */
static void drain(clid_capture *c, stream *s, const cap_meta *m)
{
    while (s->ooo && seq_diff(s->ooo->seq, s->next_seq) <= 0) {
        seg *g = s->ooo;
        s->ooo = g->next;
        s->ooo_bytes -= g->len;
        c->tcp->bytes -= g->len;
        in_order(c, s, m ? m : &g->m, g->seq, g->data, g->len);
        free(g);
    }
}

/* Gives up on the bytes missing before the first out-of-order segment;
 * `packet` is the one that made clid give up (0: the end of the capture). */
static void gap(clid_capture *c, stream *s, uint64_t packet)
{
    seg *g = s->ooo;
    if (!g)
        return;
    s->ooo = g->next;
    s->ooo_bytes -= g->len;
    c->tcp->bytes -= g->len;
    int32_t missing = seq_diff(g->seq, s->next_seq);
    if (missing > 0) {
        char fs[128];
        capture__warn(c, packet ? packet : g->m.packet, "tcp-gap",
                      "%ld bytes missing from the TCP stream: resynchronising at the next SIP "
                      "start line (%s)",
                      (long)missing, flow_str(&s->f, fs));
        if (s->state == ST_SIP && !s->resync && (s->len || s->skip))
            c->st.dropped++; /* the message the gap cut */
        consume(s, s->len);
        s->skip = 0;
        if (s->state == ST_SIP || s->state == ST_NEW)
            s->resync = 1;
        s->next_seq = g->seq;
    }
    in_order(c, s, &g->m, g->seq, g->data, g->len);
    free(g);
    drain(c, s, NULL);
}

static void seg_in(clid_capture *c, stream *s, const cap_meta *m, uint32_t seq, const uint8_t *d,
                   size_t len)
{
    if (!s->have_seq) {
        s->have_seq = 1;
        s->next_seq = seq;
    }
    int32_t diff = seq_diff(seq, s->next_seq);
    if (diff <= 0) {
        in_order(c, s, m, seq, d, len);
        drain(c, s, m);
        return;
    }
    /* Ahead of the stream: keep it for later, within the buffer. */
    if (len > c->lim.max_stream_buffer) {
        capture__warn(c, m->packet, "too-large",
                      "TCP segment of %zu bytes exceeds max_stream_buffer: dropped", len);
        c->st.dropped++;
        return;
    }
    seg *g = malloc(sizeof *g + len);
    if (!g) {
        c->st.dropped++;
        return;
    }
    g->seq = seq;
    g->len = len;
    g->m = *m;
    memcpy(g->data, d, len);
    seg **pp = &s->ooo;
    while (*pp && seq_diff((*pp)->seq, s->next_seq) <= diff)
        pp = &(*pp)->next; /* after equal ones: the first copy wins */
    g->next = *pp;
    *pp = g;
    s->ooo_bytes += len;
    c->tcp->bytes += len;
    while (s->len + s->ooo_bytes > c->lim.max_stream_buffer && s->ooo)
        gap(c, s, m->packet);
}

/* The stream ends (FIN, RST, expiry, eviction, end of input). */
static void stream_end(clid_capture *c, stream *s, uint64_t packet)
{
    while (s->ooo)
        gap(c, s, packet);
    if (s->state == ST_SIP && !s->resync && (s->len || s->skip)) {
        char fs[128];
        if (s->len) {
            capture__warn(c, packet, "tcp-incomplete",
                          "TCP stream ends inside a SIP message (%zu bytes held): dropped (%s)",
                          s->len, flow_str(&s->f, fs));
            c->st.dropped++;
        }
    }
    stream_free(c->tcp, s);
}

void capture__tcp_expire(clid_capture *c, const cap_meta *m)
{
    cap_tcp *t = c->tcp;
    if (!t)
        return;
    while (t->oldest && m->sec - t->oldest->last_sec > (int64_t)c->lim.idle_timeout)
        stream_end(c, t->oldest, m->packet);
}

void capture__tcp_flush(clid_capture *c)
{
    cap_tcp *t = c->tcp;
    if (!t)
        return;
    while (t->oldest)
        stream_end(c, t->oldest, 0);
}

void capture__tcp_free(cap_tcp *t)
{
    if (!t)
        return;
    while (t->oldest)
        stream_free(t, t->oldest);
    free(t->buckets);
    free(t);
}

static stream *stream_new(clid_capture *c, cap_tcp *t, const cap_flow *f, const cap_meta *m)
{
    while (t->count >= c->lim.max_streams && t->oldest) {
        capture__warn_flood(c, 1, m->packet, "tcp-evicted",
                            "more TCP streams than max_streams: least recently used evicted");
        c->st.dropped++;
        stream_end(c, t->oldest, m->packet);
    }
    stream *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->f = *f;
    size_t h = hash(t, f);
    s->hnext = t->buckets[h];
    t->buckets[h] = s;
    lru_push(t, s);
    t->count++;
    c->st.tcp_streams++;
    return s;
}

void capture__tcp(clid_capture *c, const cap_meta *m, const cap_flow *f, const uint8_t *d,
                  size_t len, int cut)
{
    cap_tcp *t = tcp_state(c);
    if (!t) {
        c->st.dropped++;
        return;
    }
    size_t hl = (size_t)(d[12] >> 4) * 4;
    uint32_t seq = be32(d + 4);
    int flags = d[13];
    const uint8_t *pl = d + hl;
    size_t plen = len - hl;
    stream *s = lookup(t, f);
    if (flags & TH_RST) {
        if (s)
            stream_end(c, s, m->packet);
        cap_flow r;
        flow_rev(&r, f);
        if ((s = lookup(t, &r)) != NULL)
            stream_end(c, s, m->packet);
        return;
    }
    if (flags & TH_SYN) {
        if (s && s->seen_syn && s->isn == seq)
            return; /* a retransmitted SYN */
        if (s && (s->seen_syn || s->have_seq))
            stream_end(c, s, m->packet); /* the 4-tuple is reused by a new connection */
        s = stream_new(c, t, f, m);
        if (!s) {
            c->st.dropped++;
            return;
        }
        s->seen_syn = 1;
        s->isn = seq;
        s->have_seq = 1;
        s->next_seq = seq + 1;
        seq++; /* data on a SYN (TCP Fast Open) follows it */
    }
    if (!s) {
        if (plen == 0)
            return; /* a bare ACK or FIN of a stream not tracked */
        s = stream_new(c, t, f, m);
        if (!s) {
            c->st.dropped++;
            return;
        }
    }
    s->last_sec = m->sec;
    lru_unlink(t, s);
    lru_push(t, s);
    if (plen) {
        if (cut) {
            char fs[128];
            capture__warn(c, m->packet, "snaplen",
                          "snaplen cuts a TCP segment: its bytes count as missing (%s)",
                          flow_str(f, fs));
            if (!s->have_seq) {
                s->have_seq = 1;
                s->next_seq = seq + (uint32_t)plen;
                s->resync = 1;
            }
        } else {
            seg_in(c, s, m, seq, pl, plen);
        }
    }
    while (s->ooo && m->sec - s->ooo->m.sec > CAP_TCP_HOLE_WAIT)
        gap(c, s, m->packet);
    if (flags & TH_FIN) {
        s->fin = 1;
        s->fin_seq = seq + (uint32_t)plen;
    }
    if (s->fin && s->have_seq && seq_diff(s->next_seq, s->fin_seq) >= 0 && !s->ooo) {
        stream_end(c, s, m->packet);
        s = NULL;
    }
    /* All streams together hold at most CAP_TCP_BUDGET_STREAMS buffers' worth:
     * the least recently used ones go first (not the one just served). */
    size_t budget = (size_t)CAP_TCP_BUDGET_STREAMS * c->lim.max_stream_buffer;
    while (t->bytes > budget && t->oldest && t->oldest != s) {
        capture__warn_flood(c, 1, m->packet, "tcp-evicted",
                            "TCP streams exceed their memory budget: least recently used "
                            "evicted");
        c->st.dropped++;
        stream_end(c, t->oldest, m->packet);
    }
}
