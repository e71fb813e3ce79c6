#!/usr/bin/env bash
# SIP-I end to end through Kamailio (issue 13):
#
#   isup-kamailio.sh CLID_BINARY WORKDIR
#
# `clid isup encode --sipi` writes a SIP-I INVITE (multipart/mixed: SDP and
# a binary application/ISUP IAM, RFC 3204); `clid sign --isup` adds the
# Identity header and the CLI token in the IAM's APM. A python UDP sender
# (sipi_udp.py: binary-safe) sends it to a stateless Kamailio 5.6 relay
# (relay.cfg), which forwards it to a python UDP receiver. On what arrived:
# the body is byte for byte the one sent, `clid verify --isup` passes, and
# passes again from the token alone with the Identity header removed. The
# negative: the same INVITE with one BCD octet of the Calling Party Number
# changed after signing goes the same way and fails with
# CLID_ERR_ISUP_CALLING_MISMATCH, sip 438 (plain `clid verify` passes it:
# the gap the check closes).
# Everything listens on 127.0.0.1, ports picked by the kernel; Kamailio
# (via ../kamailio/kamailio-ctl.sh and its pid file) and the receivers are
# stopped by PID on exit.
# Exit status: 0 all passed, 1 a check failed, 77 kamailio not installed.
set -euo pipefail

[ $# -eq 2 ] || {
    echo "usage: isup-kamailio.sh CLID_BINARY WORKDIR" >&2
    exit 64
}
CLID=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
WORK=$2
HERE=$(cd "$(dirname "$0")" && pwd)
CTL=$HERE/../kamailio/kamailio-ctl.sh
UDP=$HERE/sipi_udp.py

# shellcheck source=SCRIPTDIR/../lib/rig.sh
. "$HERE/../lib/rig.sh"

command -v kamailio >/dev/null || rig_skip "kamailio is not installed"
rig_find_modules sl maxfwd || rig_skip "Kamailio modules sl/maxfwd not found"
rig_need_tools python3 perl ss jq

RUNDIR=$2/run
# A Kamailio an earlier, SIGKILLed run left: stopped by its pid file.
stop_leftover() {
    if [ -e "$RUNDIR/kamailio.pid" ]; then
        KAMAILIO_CFG=$HERE/relay.cfg "$CTL" stop "$RUNDIR" || true
    fi
}
rig_workdir "$WORK" .interop-isup-kamailio stop_leftover
RUNDIR=$WORK/run
mkdir -p "$WORK/pki" "$WORK/certs" "$RUNDIR" "$WORK/sip"
PKI=$WORK/pki
SIP=$WORK/sip

# The receiver is tracked (lib/rig.sh); Kamailio is stopped by
# kamailio-ctl.sh and its pid file.
rig_hook_report() {
    if [ -f "$RUNDIR/kamailio.log" ]; then
        echo "--- last lines of $RUNDIR/kamailio.log"
        tail -n 12 "$RUNDIR/kamailio.log" | cut -c1-300
    fi
}
rig_hook_stop() {
    if [ -e "$RUNDIR/kamailio.pid" ]; then
        KAMAILIO_CFG=$HERE/relay.cfg "$CTL" stop "$RUNDIR" >/dev/null || RIG_RC=1
    fi
}
rig_traps

# --- PKI (clid ca) and the SIP-I INVITE ----------------------------------------------
NOW=$(date +%s)
NB=$((NOW - 86400))
URL=https://certs.example.test/sp.pem
"$CLID" ca init "$PKI/ca" --name "clid isup interop" --not-before "$NB" >/dev/null ||
    fatal "clid ca init"
"$CLID" ca issue "$PKI/ca" --spc 1234 --out "$PKI/sp" --not-before "$NB" >/dev/null ||
    fatal "clid ca issue sp"
# kamailio-ctl.sh wants a readable CERTDIR (the relay reads nothing there).
cp "$PKI/ca/root.pem" "$WORK/certs/root.pem"
VERIFY=(verify --trust "$PKI/ca/root.pem" --x5u-map "$URL=$PKI/sp.pem" --at "$NOW")

cat >"$SIP/iam.json" <<'JSON'
{"calling": {"nai": 4, "npi": 1, "screening": 3, "digits": "12155551000"},
 "called": {"nai": 4, "npi": 1, "digits": "12155552000"},
 "params": [{"code": 49, "hex": "00"}],
 "sip": {"host": "127.0.0.1", "call_id": "clid-isup-interop-1"}}
JSON
"$CLID" isup encode --sipi --output "$SIP/invite.sip" "$SIP/iam.json" || fatal "clid isup encode"
"$CLID" sign --isup --key "$PKI/sp.key" --cert "$PKI/sp.pem" --x5u "$URL" --attest A \
    --at "$NOW" --output "$SIP/signed.sip" "$SIP/invite.sip" || fatal "clid sign --isup"
# The CgPN 0a 08 84 13 21 51 55 15 00 00: the last BCD octet (digits 11 and
# filler) 00 -> 07, i.e. 12155551000 -> 12155551007, same length.
perl -0777 -pe 's/(\x0a\x08\x84\x13\x21\x51\x55\x15\x00)\x00/$1\x07/' "$SIP/signed.sip" \
    >"$SIP/cgpn.sip"
if cmp -s "$SIP/signed.sip" "$SIP/cgpn.sip"; then
    fatal "the CgPN edit did not apply (IAM layout changed?)"
fi

# --- the relay -------------------------------------------------------------------------
start_receiver() { # NAME: background receiver, its port in $RECV_PORT
    rm -f "$WORK/$1.port"
    python3 "$UDP" recv "$WORK/$1.port" "$SIP/$1.received" 20 &
    RECV_PID=$!
    rig_track "$RECV_PID"
    rig_wait_file "$WORK/$1.port" "$RECV_PID" || fatal "$1: the receiver did not start"
    RECV_PORT=$(cat "$WORK/$1.port")
}

start_receiver first
K_PORT=$(free_udp_port)
while [ "$K_PORT" = "$RECV_PORT" ]; do K_PORT=$(free_udp_port); done
KAMAILIO_CFG=$HERE/relay.cfg "$CTL" start "$RUNDIR" "$WORK/certs" "$K_PORT" \
    -A "MPATH=\"$MPATH\"" -A "UAS_URI=\"sip:127.0.0.1:$RECV_PORT\"" >/dev/null ||
    fatal "kamailio did not start"

# relay NAME FILE: sends FILE through Kamailio to the receiver NAME (started).
relay() {
    python3 "$UDP" send "$K_PORT" "$2"
    local rc=0
    rig_wait "$RECV_PID" || rc=$?
    RECV_PID=
    expect "$1: relayed by Kamailio" 0 "$rc"
}
body() { # FILE: the bytes after the first empty line
    perl -0777 -ne 'print $1 if /\r\n\r\n(.*)\z/s' "$1"
}

relay first "$SIP/signed.sip"
R=$SIP/first.received
expect "Kamailio added its Via" 1 "$(grep -c '^Via: SIP/2.0/UDP 127.0.0.1' "$R" || true)"
expect "body unchanged, byte for byte" "$(body "$SIP/signed.sip" | cksum)" "$(body "$R" | cksum)"
set +e
OUT=$("$CLID" "${VERIFY[@]}" --isup "$R" 2>&1)
RC=$?
set -e
expect "clid verify --isup on what arrived" 0 "$RC" "$OUT"
perl -0777 -pe 's/^Identity: [^\r\n]*\r?\n//m' "$R" >"$SIP/first.stripped"
set +e
OUT=$("$CLID" "${VERIFY[@]}" --isup "$SIP/first.stripped" 2>&1)
RC=$?
set -e
expect "Identity removed: verified from the CLI token" 0 "$RC" "$OUT"
expect "the token rebuilds the Identity header" \
    "$(sed -n 's/^Identity: \(.*\)\r$/\1/p' "$R")" \
    "$("$CLID" isup decode --json "$R" | jq -r .cli_token.identity)"

# --- the negative: CgPN changed after signing --------------------------------------------
start_receiver second
KAMAILIO_CFG=$HERE/relay.cfg "$CTL" stop "$RUNDIR" >/dev/null
KAMAILIO_CFG=$HERE/relay.cfg "$CTL" start "$RUNDIR" "$WORK/certs" "$K_PORT" \
    -A "MPATH=\"$MPATH\"" -A "UAS_URI=\"sip:127.0.0.1:$RECV_PORT\"" >/dev/null ||
    fatal "kamailio did not restart"
relay second "$SIP/cgpn.sip"
R=$SIP/second.received
set +e
OUT=$("$CLID" "${VERIFY[@]}" --isup "$R" 2>&1)
RC=$?
set -e
expect "CgPN changed: clid verify --isup fails" 1 "$RC" "$OUT"
expect "CgPN changed: reason" "reason: CLID_ERR_ISUP_CALLING_MISMATCH" "$(sed -n 2p <<<"$OUT")"
expect "CgPN changed: SIP response" "sip: 438" "$(sed -n 3p <<<"$OUT")"
set +e
OUT=$("$CLID" "${VERIFY[@]}" "$R" 2>&1)
RC=$?
set -e
expect "CgPN changed: plain clid verify (no --isup) does not see it" 0 "$RC" "$OUT"

rig_summary
