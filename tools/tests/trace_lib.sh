# Helpers for the clid trace tests (sourced after lib.sh): a test PKI, signed
# INVITEs made with `clid sign`, and pcap files written by text2pcap
# (tshark's package; scripts/install-deps.sh installs it).
#
#   trace_pki                      PKI in $PKI, x5u URL in $URL, $T0 = now
#   sip_invite OUT CALLID BRANCH [FROM_TN] [TO_TN]   an unsigned INVITE (CRLF)
#   sip_response OUT STATUS CALLID BRANCH TAG        a response to it
#   sign_at OUT IN TIME [URL]      IN signed by the SP at TIME (Unix seconds)
#   pcap_udp OUT.pcap T1 FILE1 [T2 FILE2]...   one UDP packet per file, at Tn
#   pcap_tcp OUT.pcap T1 FILE1 ...  the same over one TCP stream
#   verify_reason FILE TIME        the reason `clid verify FILE --at TIME` gives

export TZ=UTC

if ! command -v text2pcap >/dev/null; then
    echo "$(basename "$0"): text2pcap not installed (scripts/install-deps.sh installs tshark): skipped"
    exit 77
fi

trace_pki() {
    PKI=$TMP/pki
    sh "$TESTS_DIR/../../interop-tests/stir/make-pki.sh" "$PKI" >/dev/null
    URL=https://certs.example.test/sp-chain.pem
    # make-pki.sh certificates are valid from now for 10 days; calls are
    # placed 100 s from now so a stale one (10 min earlier) is still inside.
    T0=$(($(date +%s) + 100))
}

sip_invite() {
    local out=$1 callid=$2 branch=$3 from=${4:-+12155550123} to=${5:-+12155552000}
    printf '%s\r\n' \
        "INVITE sip:$to@10.0.0.2 SIP/2.0" \
        "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=$branch" \
        "Max-Forwards: 70" \
        "From: <sip:$from@10.0.0.1;user=phone>;tag=f-$callid" \
        "To: <sip:$to@10.0.0.2;user=phone>" \
        "Call-ID: $callid" \
        "CSeq: 1 INVITE" \
        "Contact: <sip:$from@10.0.0.1>" \
        "Content-Length: 0" \
        "" >"$out"
}

sip_response() {
    local out=$1 status=$2 callid=$3 branch=$4 tag=$5
    printf '%s\r\n' \
        "SIP/2.0 $status Reason" \
        "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=$branch" \
        "From: <sip:+12155550123@10.0.0.1;user=phone>;tag=f-$callid" \
        "To: <sip:+12155552000@10.0.0.2;user=phone>;tag=$tag" \
        "Call-ID: $callid" \
        "CSeq: 1 INVITE" \
        "Content-Length: 0" \
        "" >"$out"
}

sign_at() {
    local out=$1 in=$2 at=$3 url=${4:-$URL}
    "$CLID" sign --key "$PKI/sp.key" --cert "$PKI/sp.pem" --x5u "$url" --attest A \
        --at "$at" --output "$out" "$in" ||
        { fail "clid sign $in failed"; return 1; }
}

# hexdump of pairs (time, file) in the form text2pcap reads: each od dump
# starts at offset 0, which text2pcap takes as a new packet.
_hex() {
    while [ $# -ge 2 ]; do
        date -u -d "@$1" '+%Y-%m-%d %H:%M:%S.000000'
        od -Ax -tx1 -v "$2"
        shift 2
    done
}

pcap_udp() {
    local out=$1
    shift
    _hex "$@" >"$out.hex"
    text2pcap -q -F pcap -t '%Y-%m-%d %H:%M:%S.%f' -4 10.0.0.1,10.0.0.2 -u 5060,5060 \
        "$out.hex" "$out" >/dev/null || fail "text2pcap $out"
}

pcap_tcp() {
    local out=$1
    shift
    _hex "$@" >"$out.hex"
    text2pcap -q -F pcap -t '%Y-%m-%d %H:%M:%S.%f' -4 10.0.0.1,10.0.0.2 -T 40000,5060 \
        "$out.hex" "$out" >/dev/null || fail "text2pcap $out"
}

verify_reason() {
    set +e
    "$CLID" verify --json --trust "$PKI/root.pem" --x5u-map "$URL=$PKI/sp-chain.pem" \
        --at "$2" "$1" | jq -r .reason
    set -e
}

# tshark's count of INVITE requests (packets) and of distinct INVITE Call-IDs.
tshark_invites() {
    tshark -r "$1" -Y 'sip.Method == "INVITE"' -T fields -e sip.Call-ID 2>/dev/null | wc -l
}
tshark_invite_callids() {
    tshark -r "$1" -Y 'sip.Method == "INVITE"' -T fields -e sip.Call-ID 2>/dev/null |
        sort -u | wc -l
}
