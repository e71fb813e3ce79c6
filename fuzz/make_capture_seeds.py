#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_capture (fuzz/corpus/capture/): small
captures and logs covering each path of libclid_capture. Standard library
only; the pcapng and text2pcap seeds come from fuzz/make_capture_seeds.sh.
Usage: python3 fuzz/make_capture_seeds.py fuzz/corpus/capture
"""
import os
import struct
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else "fuzz/corpus/capture"


def sip(call_id, body=b"", cl=True):
    h = (b"INVITE sip:+15551230002@example.net SIP/2.0\r\n"
         b"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-" + call_id + b"\r\n"
         b"Call-ID: " + call_id + b"\r\nCSeq: 1 INVITE\r\n")
    if cl:
        h += b"Content-Length: %d\r\n" % len(body)
    return h + b"\r\n" + body


OK = b"SIP/2.0 200 OK\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nl: 0\r\n\r\n"


def udp(sp, dp, pl):
    return struct.pack("!HHHH", sp, dp, 8 + len(pl), 0) + pl


def tcp(sp, dp, seq, flags, pl):
    return struct.pack("!HHIIBBHHH", sp, dp, seq, 1, 5 << 4, flags, 65535, 0, 0) + pl


def ip4(proto, pl, ident=1, frag=0, src=b"\x0a\0\0\x01", dst=b"\x0a\0\0\x02"):
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(pl), ident, frag, 64, proto, 0,
                       src, dst) + pl


def ip6(nh, pl, ext=b""):
    src = bytes.fromhex("20010db8000000000000000000000001")
    dst = bytes.fromhex("20010db8000000000000000000000002")
    return struct.pack("!IHBB", 0x60000000, len(ext) + len(pl), nh, 64) + src + dst + ext + pl


def eth(et, pl, tags=()):
    h = b"\x02" * 6 + b"\x04" * 6
    for t in tags:
        h += struct.pack("!HH", t, 100)
    return h + struct.pack("!H", et) + pl


def records(pkts):
    out = b""
    for i, p in enumerate(pkts):
        out += struct.pack("<IIII", 1700000000 + i, 0, len(p), len(p)) + p
    return out


def pcap(dlt, pkts):
    return struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, dlt) + records(pkts)


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


os.makedirs(OUT, exist_ok=True)
inv = sip(b"seed-1", b"v=0\r\n")
# UDP over Ethernet, VLAN and QinQ; two messages in a datagram.
write("udp_vlan_qinq.pcap", pcap(1, [
    eth(0x0800, ip4(17, udp(5060, 5060, inv))),
    eth(0x0800, ip4(17, udp(5060, 5060, OK)), tags=(0x8100,)),
    eth(0x0800, ip4(17, udp(40000, 40002, inv + OK)), tags=(0x88a8, 0x8100)),
]))
# TCP: SYN, a message split in two, out of order, a retransmission, a gap, FIN.
t = sip(b"seed-tcp", b"body")
write("tcp_stream.pcap", pcap(1, [
    eth(0x0800, ip4(6, tcp(40000, 5060, 99, 0x02, b""))),
    eth(0x0800, ip4(6, tcp(40000, 5060, 100 + 60, 0x10, t[60:]))),
    eth(0x0800, ip4(6, tcp(40000, 5060, 100, 0x10, t[:60]))),
    eth(0x0800, ip4(6, tcp(40000, 5060, 100, 0x10, t[:60]))),
    eth(0x0800, ip4(6, tcp(40000, 5060, 100 + len(t) + 30, 0x10, OK))),
    eth(0x0800, ip4(6, tcp(40000, 5060, 100 + len(t) + 30 + len(OK), 0x11, b""))),
]))
# IPv4 fragments in reverse order; IPv6 with destination options + fragment.
u = udp(5060, 5060, sip(b"seed-frag", b"x" * 200))
write("frag4.pcap", pcap(1, [
    eth(0x0800, ip4(17, u[128:], ident=7, frag=128 // 8)),
    eth(0x0800, ip4(17, u[:128], ident=7, frag=0x2000)),
]))
dst_opts = bytes([44, 0, 1, 4, 0, 0, 0, 0])
def frag6(off, more, data):
    return dst_opts + struct.pack("!BBHI", 17, 0, off | more, 0xbeef) + data
write("frag6_sll2.pcap", pcap(276, [
    b"\x86\xdd" + b"\0" * 18 + ip6(60, u[:96], frag6(0, 1, b"")),
    b"\x86\xdd" + b"\0" * 18 + ip6(60, u[96:], frag6(96, 0, b"")),
]))
# Raw IP, loopback (NULL), Linux SLL.
write("raw.pcap", pcap(101, [ip4(17, udp(5080, 5080, inv))]))
write("null.pcap", pcap(0, [struct.pack("<I", 2) + ip4(17, udp(5080, 5080, inv))]))
write("sll.pcap", pcap(113, [b"\0\0\0\1\0\6" + b"\0" * 8 + b"\x08\x00" +
                             ip4(17, udp(5060, 5060, OK))]))
# The target's own modes: 'P' records, 'L' one frame, 'K' / 'S' log entries.
write("mode_P", b"P" + records([eth(0x0800, ip4(17, udp(5060, 5060, inv)))]))
write("mode_L_eth", b"L\x00" + eth(0x86dd, ip6(17, udp(5060, 5060, inv))))
write("mode_K", b"K" + inv)
write("mode_S", b"S" + OK)
# Text logs in the shapes SIPp 3.6.1 and Kamailio 5.6.3 write.
write("sipp.log", b"----------------------------------------------- 2026-12-02 10:16:34.789673\n"
      b"UDP message sent (%d bytes):\n\n" % len(inv) + inv + b"\n")
write("kamailio.log", b" 1(15099) INFO: <script>: clid-trace 1796207397 188918 udp 127.0.0.1 5094 "
      b"127.0.0.1 5093\n" + inv + b"\n"
      b"Dec  2 10:13:07 h kamailio[1]: INFO: <script>: clid-trace 1 2 udp 192.0.2.1 5060 "
      b"192.0.2.2 5060#012" + OK.replace(b"\r\n", b"#015#012") + b"\n")
