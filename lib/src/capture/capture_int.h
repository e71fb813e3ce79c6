/*
 * libclid_capture internals: the capture object shared by the readers
 * (cap_pcap.c, cap_log.c), the decoders (cap_ip.c, cap_frag.c, cap_udp.c,
 * cap_tcp.c) and the SIP framing (cap_sip.c); the output queue and the
 * warnings (capture.c).
 */
#ifndef CLID_CAPTURE_INT_H
#define CLID_CAPTURE_INT_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include <clid/clid_capture.h>

/* Defaults of clid_capture_limits (clid_capture.h). */
#define CAP_DEF_MAX_MESSAGE 65536u
#define CAP_DEF_MAX_STREAMS 65536u
#define CAP_DEF_MAX_STREAM_BUFFER 262144u
#define CAP_DEF_MAX_FRAGMENTS 4096u
#define CAP_DEF_MAX_DATAGRAM 65535u
#define CAP_DEF_IDLE_TIMEOUT 60u
/* All IP fragments held at once, whatever the number of datagrams: a flood of
 * datagrams that never complete costs at most this (docs/trace.md). */
#define CAP_FRAG_BUDGET_DATAGRAMS 64u
/* The same for TCP: all streams' buffers together, in max_stream_buffer units. */
#define CAP_TCP_BUDGET_STREAMS 64u
/* Seconds of capture time after which bytes missing before out-of-order data
 * are given up: TCP retransmits long before (1 + 2 + 4 s of backoff), so a
 * hole that old was lost by the capture, and later messages must not wait
 * for the stream buffer to fill. */
#define CAP_TCP_HOLE_WAIT 10

/* Where a packet or log entry sits in the input. */
typedef struct cap_meta {
    uint64_t packet; /* 1-based */
    int64_t sec;
    int32_t usec;
} cap_meta;

/* Addresses of a datagram or TCP segment. ver 0: unknown (logs). */
typedef struct cap_flow {
    int ver;
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
} cap_flow;

typedef struct cap_out cap_out; /* one queued message (capture.c) */
typedef struct cap_tcp cap_tcp; /* TCP streams (cap_tcp.c) */
typedef struct cap_frag cap_frag; /* IP reassembly (cap_frag.c) */
typedef struct cap_log cap_log; /* text log reader (cap_log.c) */
typedef struct cap_pcap cap_pcap; /* libpcap reader (cap_pcap.c) */

struct clid_capture {
    clid_capture_limits lim; /* defaults applied */
    clid_capture_warn_fn warn;
    void *warn_arg;
    clid_capture_stats st;
    volatile sig_atomic_t brk; /* clid_capture_break */

    cap_pcap *pcap; /* one of pcap, log */
    cap_log *log;
    FILE *fp;       /* the file (offline); owned */
    int live;

    int eof;     /* input exhausted */
    int flushed; /* end-of-input flush of TCP/fragment state done */

    cap_out *q_head, *q_tail; /* messages completed, not yet returned */
    cap_out *cur;             /* the message last returned (freed on the next call) */

    cap_tcp *tcp;
    cap_frag *frag;

    uint64_t flood_warned[2]; /* rate limit of the flood warnings (capture__warn_flood) */
};

/* capture.c */
void capture__limits(clid_capture_limits *out, const clid_capture_limits *in);
clid_capture *capture__new(const clid_capture_limits *limits, clid_capture_warn_fn warn,
                           void *warn_arg);
/* printf-like; counts the warning in the stats. */
void capture__warn(clid_capture *c, uint64_t packet, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Flood warnings (kind 0: fragments, 1: TCP streams): the 1st, 10th, 100th...
 * are delivered so a flood cannot drown the caller; all are counted. */
void capture__warn_flood(clid_capture *c, int kind, uint64_t packet, const char *code,
                         const char *what);
/* Queues one complete message (copied). 0, or -1 out of memory. */
int capture__emit(clid_capture *c, int transport, const cap_flow *flow, const cap_meta *meta,
                  const char *data, size_t len);
/* Opens an already open FILE (pcap, pcapng or log; taken over, closed by
 * clid_capture_free or on failure): the fuzz target and the tests read
 * memory through fmemopen. */
clid_err capture__open_fp(FILE *fp, const char *name, const clid_capture_limits *limits,
                          clid_capture_warn_fn warn, void *warn_arg, clid_capture **out);

/* cap_pcap.c */
clid_err capture__pcap_open_fp(clid_capture *c, FILE *fp, const char *name);
clid_err capture__pcap_open_live(clid_capture *c, const char *iface, const char *filter);
/* Reads and decodes one packet: CLID_OK (maybe no message), CLID_ERR_CAPTURE_END
 * at the end (c->eof set), CLID_ERR_CAPTURE_READ. */
clid_err capture__pcap_read(clid_capture *c);
void capture__pcap_break(clid_capture *c); /* async-signal-safe */
void capture__pcap_free(cap_pcap *p);
/* Decodes one link-layer frame (a DLT_* value); exported for the tests. */
void capture__link(clid_capture *c, int dlt, const cap_meta *m, const uint8_t *d, size_t caplen,
                   size_t wirelen);

/* cap_ip.c: an IPv4 or IPv6 packet (ver from its first nibble). cut: the
 * capture holds fewer bytes than the wire did (snaplen). */
void capture__ip(clid_capture *c, const cap_meta *m, const uint8_t *d, size_t len, int cut);
/* A transport payload, after any reassembly: UDP (17) or TCP (6). */
void capture__l4(clid_capture *c, const cap_meta *m, cap_flow *f, int proto, const uint8_t *d,
                 size_t len, int cut);

/* cap_frag.c: returns 1 and the reassembled payload in *out (freed by the
 * caller) when the fragment completes its datagram; 0 otherwise. For IPv6,
 * *proto is the next header of the fragmentable part. */
typedef struct cap_frag_key {
    int ver;
    uint8_t src[16], dst[16];
    uint32_t id;
    uint8_t proto; /* IPv4 protocol; IPv6: 0 (the next header rides in the first fragment) */
} cap_frag_key;
int capture__frag_add(clid_capture *c, const cap_meta *m, const cap_frag_key *k, size_t off,
                      int more, int proto, const uint8_t *d, size_t len, uint8_t **out,
                      size_t *out_len, int *out_proto);
void capture__frag_expire(clid_capture *c, const cap_meta *m);
void capture__frag_flush(clid_capture *c); /* end of input: drop what never completed */
void capture__frag_free(cap_frag *f);

/* cap_udp.c */
void capture__udp(clid_capture *c, const cap_meta *m, const cap_flow *f, const uint8_t *d,
                  size_t len, int cut);
/* Frames SIP messages in a complete buffer (a UDP payload, a log entry):
 * several by Content-Length, the last to the end when it has none. */
void capture__sip_datagram(clid_capture *c, int transport, const cap_meta *m, const cap_flow *f,
                           const char *d, size_t len);

/* cap_tcp.c */
void capture__tcp(clid_capture *c, const cap_meta *m, const cap_flow *f, const uint8_t *d,
                  size_t len, int cut);
void capture__tcp_expire(clid_capture *c, const cap_meta *m);
void capture__tcp_flush(clid_capture *c); /* end of input */
void capture__tcp_free(cap_tcp *t);

/* cap_sip.c: SIP recognition and framing (RFC 3261 §7, §18.3, §20.14). */
enum { CAP_SIP_NO = 0, CAP_SIP_YES = 1, CAP_SIP_MORE = 2 };
#define CAP_SIP_MAX_START_LINE 8192u
/* Is p (at a line start) a SIP request or status line? MORE: the line is not
 * complete yet and its beginning is consistent with one. */
int capture__sip_start(const char *p, size_t n);
/* Offset just past the empty line ending the headers, 0 if not in p[0..n).
 * from: bytes a previous call found no end in (0: none), so that a message
 * arriving in many pieces is scanned once, not once per piece. */
size_t capture__sip_header_end(const char *p, size_t n, size_t from);
/* Content-Length ("l" compact form) of the headers p[0..hlen): its value,
 * -1 when absent, -2 when malformed or repeated with another value. */
long long capture__sip_content_length(const char *p, size_t hlen);
/* Offset of the next line start in p[from..n) that begins a SIP start line
 * (or a line not complete yet that may); n when none. */
size_t capture__sip_find_start(const char *p, size_t n, size_t from);
/* Looks like a TLS record header (RFC 8446 §5.1)? 2: a ClientHello. */
int capture__tls_record(const uint8_t *d, size_t n);

/* cap_log.c */
clid_err capture__log_open(clid_capture *c, FILE *fp, const char *name);
clid_err capture__log_read(clid_capture *c);
void capture__log_free(cap_log *l);

#endif /* CLID_CAPTURE_INT_H */
