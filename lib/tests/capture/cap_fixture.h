/*
 * Captures written by the tests: packets built byte by byte (Ethernet,
 * VLAN, SLL, SLL2, loopback, raw IP; IPv4 with options and fragments; IPv6
 * with extension headers and fragments; UDP; TCP), written with libpcap's
 * own writer (pcap_dump) into memory, and read back through clid_capture.
 */
#ifndef CAP_FIXTURE_H
#define CAP_FIXTURE_H

#include "support/clid_test.h"

#include <clid/clid_capture.h>

#include "capture/capture_int.h"

#define CF_MAX_MSG 512
#define CF_MAX_WARN 512

/* An in-memory pcap file being written. */
typedef struct cf_pcap cf_pcap;
cf_pcap *cf_pcap_new(int dlt);
/* caplen <= len: fewer bytes captured than on the wire (snaplen). */
void cf_pcap_add(cf_pcap *w, int64_t sec, int32_t usec, const uint8_t *d, size_t caplen,
                 size_t len);
/* The file's bytes (finishes writing on first call). */
const uint8_t *cf_pcap_bytes(cf_pcap *w, size_t *len);
void cf_pcap_free(cf_pcap *w);

/* What a capture gave: every message (data copied) and warning. */
typedef struct cf_run {
    size_t nmsg;
    struct {
        clid_capture_msg m;
        char *data;
    } msg[CF_MAX_MSG];
    size_t nwarn;
    struct {
        uint64_t packet;
        char code[32];
        char text[512];
    } warn[CF_MAX_WARN];
    clid_capture_stats st;
    clid_err end;
} cf_run;

/* Opens bytes (through fmemopen, as the fuzz target does) and reads all. */
clid_err cf_run_bytes(cf_run *r, const void *bytes, size_t len, const clid_capture_limits *lim);
/* The same for the pcap being written. */
void cf_run_pcap(cf_run *r, cf_pcap *w, const clid_capture_limits *lim);
void cf_run_free(cf_run *r);
/* Number of warnings with this code. */
size_t cf_warns(const cf_run *r, const char *code);
/* Number of messages whose start line begins with `prefix`. */
size_t cf_count(const cf_run *r, const char *prefix);

/* Packet building: each writes its header then copies the payload to out
 * and returns the total length. Addresses are text ("10.0.0.1", "2001:db8::1"). */
size_t cf_udp(uint8_t *out, uint16_t sport, uint16_t dport, const void *pl, size_t len);
#define CF_FIN 0x01
#define CF_SYN 0x02
#define CF_RST 0x04
#define CF_PSH 0x08
#define CF_ACK 0x10
size_t cf_tcp(uint8_t *out, uint16_t sport, uint16_t dport, uint32_t seq, int flags,
              const void *pl, size_t len);
/* frag: the IPv4 flags+offset field (0x2000 = MF, offset in 8-byte units);
 * optlen: bytes of IPv4 options (a multiple of 4, NOPs + EOL). */
size_t cf_ip4(uint8_t *out, const char *src, const char *dst, int proto, uint16_t id,
              uint16_t frag, size_t optlen, const void *pl, size_t len);
/* ext: extension headers already built (their chain ends with `proto` as next). */
size_t cf_ip6(uint8_t *out, const char *src, const char *dst, int first_nh, const void *ext,
              size_t extlen, const void *pl, size_t len);
/* tpids/vids: VLAN tags, outermost first (0 tags for none). */
size_t cf_eth(uint8_t *out, const uint16_t *tpids, size_t ntags, uint16_t ethertype,
              const void *pl, size_t len);

/* Ethernet + IPv4 + UDP / TCP in one call, added to w at (sec, usec). */
void cf_add_udp4(cf_pcap *w, int64_t sec, const char *src, uint16_t sport, const char *dst,
                 uint16_t dport, const void *pl, size_t len);
void cf_add_tcp4(cf_pcap *w, int64_t sec, const char *src, uint16_t sport, const char *dst,
                 uint16_t dport, uint32_t seq, int flags, const void *pl, size_t len);

/* A SIP INVITE with this Call-ID and a body of `body` bytes ('x'), with a
 * Content-Length header unless cl is 0 (static buffer, overwritten by each call). */
const char *cf_invite(const char *call_id, size_t body, int cl);
const char *cf_response(int code, const char *call_id);

#endif /* CAP_FIXTURE_H */
