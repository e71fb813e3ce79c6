#!/bin/bash
# tshark (Debian) as an independent decoder of the test captures (issue 11):
# for each capture, the number of SIP INVITEs tshark sees equals the number
# clid_capture returns. Captures: those cap_fixture.c builds (capture_tool
# write: every link type, VLAN/QinQ, IPv6 extension headers, IPv4/IPv6
# fragments, TCP split/coalesced/retransmitted/out of order) and those
# text2pcap, editcap and mergecap write here (pcap with ns timestamps, pcapng,
# TCP over IPv6 on a non-standard port, raw IP, a merge of all).
# Usage: tshark_interop.sh CAPTURE_TOOL. Exit 77 (skip) only when tshark is
# missing and CI is not set (scripts/install-deps.sh installs it).
set -u
TOOL=$1
for p in tshark text2pcap editcap mergecap; do
    if ! command -v "$p" >/dev/null 2>&1; then
        if [ -n "${CI:-}" ]; then
            echo "FAIL: $p missing (scripts/install-deps.sh installs tshark)"
            exit 1
        fi
        echo "SKIP: $p missing"
        exit 77
    fi
done
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1
fail=0

"$TOOL" write "$TMP" || { echo "FAIL: capture_tool write"; exit 1; }

# text2pcap captures (deps-breadth notes §2: -F explicit, -t for the time).
sip() { # call-id body
    printf 'INVITE sip:+15551230002@10.0.0.2 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK-%s\r\nFrom: <sip:+15551230001@10.0.0.1>;tag=1\r\nTo: <sip:+15551230002@10.0.0.2>\r\nCall-ID: %s\r\nCSeq: 1 INVITE\r\nContent-Length: %d\r\n\r\n%s' \
        "$1" "$1" "${#2}" "$2"
}
sip t2p-1 'v=0' >inv1.txt
sip t2p-2 '' >inv2.txt
printf 'SIP/2.0 200 OK\r\nCall-ID: t2p-1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n' >ok.txt
{
    echo "2024-01-02 03:04:05.123456789"; od -Ax -tx1 -v inv1.txt
    echo "2024-01-02 03:04:05.5"; od -Ax -tx1 -v ok.txt
    echo "2024-01-02 03:04:06.5"; od -Ax -tx1 -v inv2.txt
} >u.hex
text2pcap -q -F nsecpcap -t '%Y-%m-%d %H:%M:%S.%f' -4 10.0.0.1,10.0.0.2 -u 5060,5060 u.hex t2p_udp.pcap
text2pcap -q -F pcap -l 101 -4 10.0.0.1,10.0.0.2 -u 5080,5080 u.hex t2p_raw5080.pcap
cat inv1.txt inv2.txt >both.txt
head -c 100 both.txt >p1
tail -c +101 both.txt >p2
{ od -Ax -tx1 -v p1; od -Ax -tx1 -v p2; } >t.hex
text2pcap -q -F pcap -6 2001:db8::1,2001:db8::2 -T 40000,5080 t.hex t2p_tcp6_5080.pcap
editcap -F pcapng t2p_udp.pcap t2p_udp.pcapng
mergecap -F pcapng -w t2p_merged.pcapng t2p_udp.pcap t2p_tcp6_5080.pcap
# Fragmented by editcap? (it cannot); but editcap can cut every packet to a
# snaplen: the SIP over UDP is then lost for both decoders.
editcap -F pcap -s 60 t2p_udp.pcap t2p_snap60.pcap

count_tshark() {
    # Every INVITE request, several per frame included (sip.Method repeats).
    tshark -r "$1" -o tcp.desegment_tcp_streams:TRUE -o tcp.reassemble_out_of_order:TRUE \
        -o ip.defragment:TRUE -o ipv6.defragment:TRUE \
        -d udp.port==5080,sip -d tcp.port==5080,sip \
        -Y 'sip.Method == "INVITE"' -T fields -e sip.Method 2>/dev/null |
        tr ',' '\n' | grep -c '^INVITE$'
}

n=0
for f in *.pcap *.pcapng; do
    want=$(count_tshark "$f")
    out=$("$TOOL" count "$f" 2>"$f.warn") || { echo "FAIL $f: capture_tool count failed"; fail=1; continue; }
    got=$(echo "$out" | awk '{print $2}')
    if [ "$want" = "$got" ]; then
        echo "ok   $f: $got INVITEs (tshark $want)"
    else
        echo "FAIL $f: clid_capture $got INVITEs, tshark $want"
        cat "$f.warn"
        fail=1
    fi
    n=$((n + 1))
done
# Guard against a vacuous pass: the captures hold INVITEs and enough files ran.
[ "$n" -ge 18 ] || { echo "FAIL: only $n captures"; fail=1; }
[ "$(count_tshark t2p_merged.pcapng)" -eq 4 ] || { echo "FAIL: merged capture"; fail=1; }
[ "$fail" -eq 0 ] && echo "tshark_interop: $n captures agree"
exit "$fail"
