/*
 * clid_capture.h — SIP messages out of pcap/pcapng files, live interfaces and
 * SIP text logs (issue 11, `clid trace`).
 *
 * Separate library (libclid_capture, CMake target clid_capture) so that
 * libclid, which proxies link to sign and verify, never links libpcap.
 *
 * What is read (docs/trace.md, "Capture input"):
 *   - pcap and pcapng files through libpcap; link types Ethernet (with
 *     802.1Q / QinQ VLAN tags), Linux cooked SLL and SLL2, raw IP (also
 *     DLT_IPV4 / DLT_IPV6) and BSD loopback (NULL / LOOP);
 *   - IPv4 (with options) and IPv6 (with extension headers), IP fragments
 *     reassembled within the limits below;
 *   - SIP over UDP (any port, recognized by its start line) and over TCP
 *     (stream reassembly per direction, Content-Length framing);
 *   - SIP text logs: SIPp `-trace_msg` files and Kamailio/OpenSIPS message
 *     logs (the exact shapes are in docs/trace.md).
 * SIP over TLS is reported once per stream as the warning "tls".
 *
 * All state is bounded by clid_capture_limits and expires by capture time:
 * a multi-gigabyte capture is streamed, never held in memory.
 *
 * Threads: a clid_capture is used by one thread at a time; only
 * clid_capture_break may be called from elsewhere (a signal handler).
 */
#ifndef CLID_CAPTURE_H
#define CLID_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include <clid/clid.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct clid_capture clid_capture;

/* Limits on what one capture may hold. Every field: 0 = the default. */
typedef struct clid_capture_limits {
    size_t max_message;       /* one SIP message (headers+body); default 65536; larger: warning,
                                 skipped */
    size_t max_streams;       /* TCP streams tracked at once; default 65536; oldest evicted */
    size_t max_stream_buffer; /* bytes buffered per TCP stream; default 262144 */
    size_t max_fragments;     /* IP datagrams in reassembly at once; default 4096 */
    size_t max_datagram;      /* reassembled IP datagram; default 65535 */
    uint32_t idle_timeout;    /* seconds of capture time after which TCP/fragment state expires;
                                 default 60 */
} clid_capture_limits;

enum clid_capture_transport { CLID_CAPTURE_UDP = 1, CLID_CAPTURE_TCP = 2, CLID_CAPTURE_LOG = 3 };

/* One complete SIP message. */
typedef struct clid_capture_msg {
    uint64_t packet;       /* 1-based number of the packet (or log line) that completed it */
    int64_t ts_sec;        /* capture time (UTC) of that packet / log entry */
    int32_t ts_usec;
    int transport;         /* enum clid_capture_transport */
    int ip_version;        /* 4, 6, or 0 for logs without addresses */
    char src[46], dst[46]; /* numeric addresses ("" when unknown) */
    uint16_t sport, dport;
    const char *data;      /* one complete SIP message (start line .. end of body), */
    size_t len;            /* valid until the next clid_capture_next or _free */
} clid_capture_msg;

/*
 * Warnings: malformed/truncated packets, snaplen cuts, overflowing limits, TLS
 * seen (code "tls": "SIP over TLS is not decodable"), gaps in TCP streams,
 * etc. The run goes on. `packet` is the 1-based packet (or log line) number,
 * 0 when the warning is about no one packet. `code` is a short stable token
 * (docs/trace.md lists them), `text` an English sentence; both are valid only
 * during the call.
 */
typedef void (*clid_capture_warn_fn)(void *arg, uint64_t packet, const char *code,
                                     const char *text);

/*
 * Opens a file: pcap or pcapng (by magic, via libpcap), else a SIP text log
 * (Kamailio/OpenSIPS message logging, SIPp -trace_msg). `limits` may be NULL
 * (defaults); `warn` may be NULL (warnings are then only counted).
 * CLID_ERR_CAPTURE_OPEN when the file cannot be opened or is neither a
 * capture nor a log of a known shape; the warning callback then receives one
 * call with code "open" and the reason (libpcap's message, errno text).
 */
CLID_API CLID_WUR clid_err clid_capture_open_file(const char *path,
                                                  const clid_capture_limits *limits,
                                                  clid_capture_warn_fn warn, void *warn_arg,
                                                  clid_capture **out);
/*
 * Live capture on an interface (promiscuous off, snaplen 262144, immediate
 * mode), optional BPF filter (NULL: none). CLID_ERR_CAPTURE_OPEN when the
 * interface cannot be opened (permissions: CAP_NET_RAW) or the filter does
 * not compile; the reason (pcap's message) goes to `warn` with code "open".
 */
CLID_API CLID_WUR clid_err clid_capture_open_live(const char *iface, const char *bpf_filter,
                                                  const clid_capture_limits *limits,
                                                  clid_capture_warn_fn warn, void *warn_arg,
                                                  clid_capture **out);
/*
 * Next complete SIP message: CLID_OK with *msg filled; CLID_ERR_CAPTURE_END at
 * the end of the input (or after clid_capture_break on a live capture);
 * another error for a fatal read error (CLID_ERR_CAPTURE_READ, CLID_ERR_NOMEM).
 * For a live capture it blocks until a message arrives or clid_capture_break
 * is called. Messages come in the order they complete; a UDP retransmission is
 * returned again, TCP retransmitted bytes are not.
 */
CLID_API CLID_WUR clid_err clid_capture_next(clid_capture *c, clid_capture_msg *msg);
/* Async-signal-safe: makes a blocked or later clid_capture_next return
 * CLID_ERR_CAPTURE_END. A live capture first returns the messages of the
 * packets already captured (at most 65536 packets, read without waiting), so
 * that Ctrl-C loses none of the last calls; a file ends at once. */
CLID_API void clid_capture_break(clid_capture *c);
/* Bytes of the input consumed so far (file offset; for the progress bar), 0
 * for live. */
CLID_API uint64_t clid_capture_offset(const clid_capture *c);

typedef struct clid_capture_stats {
    uint64_t packets, messages, warnings, tcp_streams, fragments_reassembled,
        dropped; /* dropped: by limits */
} clid_capture_stats;
CLID_API void clid_capture_get_stats(const clid_capture *c, clid_capture_stats *out);
/* NULL-safe. */
CLID_API void clid_capture_free(clid_capture *c);

#ifdef __cplusplus
}
#endif
#endif /* CLID_CAPTURE_H */
