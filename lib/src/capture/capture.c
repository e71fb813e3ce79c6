/*
 * The public entry points of libclid_capture (clid_capture.h): opening
 * (pcap/pcapng by magic, else a text log), the queue of completed messages,
 * warnings and statistics.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture_int.h"

struct cap_out {
    cap_out *next;
    clid_capture_msg m;
    char data[];
};

void capture__limits(clid_capture_limits *out, const clid_capture_limits *in)
{
    clid_capture_limits l = {0};
    if (in)
        l = *in;
    if (!l.max_message)
        l.max_message = CAP_DEF_MAX_MESSAGE;
    if (!l.max_streams)
        l.max_streams = CAP_DEF_MAX_STREAMS;
    if (!l.max_stream_buffer)
        l.max_stream_buffer = CAP_DEF_MAX_STREAM_BUFFER;
    if (!l.max_fragments)
        l.max_fragments = CAP_DEF_MAX_FRAGMENTS;
    if (!l.max_datagram)
        l.max_datagram = CAP_DEF_MAX_DATAGRAM;
    if (!l.idle_timeout)
        l.idle_timeout = CAP_DEF_IDLE_TIMEOUT;
    /* A TCP stream must be able to hold one whole message. */
    if (l.max_stream_buffer < l.max_message)
        l.max_stream_buffer = l.max_message;
    *out = l;
}

clid_capture *capture__new(const clid_capture_limits *limits, clid_capture_warn_fn warn,
                           void *warn_arg)
{
    clid_capture *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    capture__limits(&c->lim, limits);
    c->warn = warn;
    c->warn_arg = warn_arg;
    return c;
}

void capture__warn(clid_capture *c, uint64_t packet, const char *code, const char *fmt, ...)
{
    c->st.warnings++;
    if (!c->warn)
        return;
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    c->warn(c->warn_arg, packet, code, text);
}

void capture__warn_flood(clid_capture *c, int kind, uint64_t packet, const char *code,
                         const char *what)
{
    uint64_t n = ++c->flood_warned[kind];
    uint64_t p = 1;
    while (p < n && p <= UINT64_MAX / 10)
        p *= 10;
    if (p == n) {
        capture__warn(c, packet, code, "%s (%llu so far)", what, (unsigned long long)n);
    } else {
        c->st.warnings++;
    }
}

static void addr_str(char out[46], int ver, const uint8_t *a)
{
    out[0] = '\0';
    if (ver == 4)
        inet_ntop(AF_INET, a, out, 46);
    else if (ver == 6)
        inet_ntop(AF_INET6, a, out, 46);
}

int capture__emit(clid_capture *c, int transport, const cap_flow *flow, const cap_meta *meta,
                  const char *data, size_t len)
{
    cap_out *o = malloc(sizeof *o + len + 1);
    if (!o)
        return -1;
    memset(o, 0, sizeof *o);
    memcpy(o->data, data, len);
    o->data[len] = '\0';
    o->m.packet = meta->packet;
    o->m.ts_sec = meta->sec;
    o->m.ts_usec = meta->usec;
    o->m.transport = transport;
    if (flow) {
        o->m.ip_version = flow->ver;
        addr_str(o->m.src, flow->ver, flow->src);
        addr_str(o->m.dst, flow->ver, flow->dst);
        o->m.sport = flow->sport;
        o->m.dport = flow->dport;
    }
    o->m.data = o->data;
    o->m.len = len;
    if (c->q_tail)
        c->q_tail->next = o;
    else
        c->q_head = o;
    c->q_tail = o;
    return 0;
}

/* Magic numbers of the formats libpcap reads (pcap(5), pcapng draft §4.1). */
static int is_capture_magic(const unsigned char *b, size_t n)
{
    if (n < 4)
        return 0;
    uint32_t be = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    uint32_t le = (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
    const uint32_t magics[] = {0xa1b2c3d4u, 0xa1b23c4du, 0xa1b2cd34u, 0x0a0d0d0au};
    for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
        if (be == magics[i] || le == magics[i])
            return 1;
    return 0;
}

clid_err capture__open_fp(FILE *fp, const char *name, const clid_capture_limits *limits,
                          clid_capture_warn_fn warn, void *warn_arg, clid_capture **out)
{
    *out = NULL;
    clid_capture *c = capture__new(limits, warn, warn_arg);
    if (!c) {
        fclose(fp);
        return CLID_ERR_NOMEM;
    }
    unsigned char magic[4];
    size_t got = fread(magic, 1, sizeof magic, fp);
    if (fseek(fp, 0, SEEK_SET) != 0) {
        capture__warn(c, 0, "open", "%s: cannot seek back to the start: %s", name,
                      strerror(errno));
        fclose(fp);
        clid_capture_free(c);
        return CLID_ERR_CAPTURE_OPEN;
    }
    clid_err rc;
    if (is_capture_magic(magic, got)) {
        rc = capture__pcap_open_fp(c, fp, name); /* pcap owns fp, also on failure */
    } else {
        c->fp = fp;
        rc = capture__log_open(c, fp, name);
    }
    if (rc != CLID_OK) {
        clid_capture_free(c);
        return rc;
    }
    *out = c;
    return CLID_OK;
}

clid_err clid_capture_open_file(const char *path, const clid_capture_limits *limits,
                                clid_capture_warn_fn warn, void *warn_arg, clid_capture **out)
{
    if (!out)
        return CLID_ERR_INVALID_ARGUMENT;
    *out = NULL;
    if (!path)
        return CLID_ERR_INVALID_ARGUMENT;
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        if (warn) {
            char text[512];
            snprintf(text, sizeof text, "%s: %s", path, strerror(errno));
            warn(warn_arg, 0, "open", text);
        }
        return CLID_ERR_CAPTURE_OPEN;
    }
    return capture__open_fp(fp, path, limits, warn, warn_arg, out);
}

clid_err clid_capture_open_live(const char *iface, const char *bpf_filter,
                                const clid_capture_limits *limits, clid_capture_warn_fn warn,
                                void *warn_arg, clid_capture **out)
{
    if (!out)
        return CLID_ERR_INVALID_ARGUMENT;
    *out = NULL;
    if (!iface)
        return CLID_ERR_INVALID_ARGUMENT;
    clid_capture *c = capture__new(limits, warn, warn_arg);
    if (!c)
        return CLID_ERR_NOMEM;
    c->live = 1;
    clid_err rc = capture__pcap_open_live(c, iface, bpf_filter);
    if (rc != CLID_OK) {
        clid_capture_free(c);
        return rc;
    }
    *out = c;
    return CLID_OK;
}

clid_err clid_capture_next(clid_capture *c, clid_capture_msg *msg)
{
    if (!c || !msg)
        return CLID_ERR_INVALID_ARGUMENT;
    free(c->cur);
    c->cur = NULL;
    for (;;) {
        if (c->q_head) {
            cap_out *o = c->q_head;
            c->q_head = o->next;
            if (!c->q_head)
                c->q_tail = NULL;
            c->cur = o;
            *msg = o->m;
            c->st.messages++;
            return CLID_OK;
        }
        if (c->brk && !c->live)
            return CLID_ERR_CAPTURE_END; /* a live capture drains first (cap_pcap.c) */
        if (c->eof) {
            if (c->flushed)
                return CLID_ERR_CAPTURE_END;
            /* End of input: what TCP still holds after a gap is framed now. */
            c->flushed = 1;
            capture__tcp_flush(c);
            capture__frag_flush(c);
            continue;
        }
        clid_err rc = c->pcap ? capture__pcap_read(c) : capture__log_read(c);
        if (rc == CLID_ERR_CAPTURE_END) {
            c->eof = 1;
            continue;
        }
        if (rc != CLID_OK)
            return rc;
    }
}

void clid_capture_break(clid_capture *c)
{
    if (!c)
        return;
    c->brk = 1;
    if (c->pcap)
        capture__pcap_break(c);
}

uint64_t clid_capture_offset(const clid_capture *c)
{
    if (!c || c->live || !c->fp)
        return 0;
    long off = ftell(c->fp);
    return off > 0 ? (uint64_t)off : 0;
}

void clid_capture_get_stats(const clid_capture *c, clid_capture_stats *out)
{
    if (!out)
        return;
    if (!c) {
        *out = (clid_capture_stats){0};
        return;
    }
    *out = c->st;
}

void clid_capture_free(clid_capture *c)
{
    if (!c)
        return;
    free(c->cur);
    while (c->q_head) {
        cap_out *o = c->q_head;
        c->q_head = o->next;
        free(o);
    }
    capture__tcp_free(c->tcp);
    capture__frag_free(c->frag);
    if (c->pcap)
        capture__pcap_free(c->pcap); /* closes the FILE with pcap_close */
    else if (c->fp)
        fclose(c->fp);
    capture__log_free(c->log);
    free(c);
}
