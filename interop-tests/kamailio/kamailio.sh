#!/usr/bin/env bash
# Interop through a real proxy (issue 5): Kamailio 5.6 + secsipid
# (libsecsipid) and SIPp, with clid on both ends of a call.
#
#   kamailio.sh CLID_BINARY WORKDIR
#
# 3. A SIP request captured from SIPp (a UAC calling a UAS that logs with
#    -trace_msg) is signed by `clid sign FILE` and verified by
#    `clid verify FILE`, fetching the x5u chain over http.
# 1. clid -> Kamailio: the Identity value of that clid-signed INVITE goes
#    into a SIPp INVITE (-key identity) to Kamailio, which verifies it with
#    the local certificate and with x5u download: 200, X-Identity-Result 1.
#    A header signed with another key -> 438, one signed an hour ago -> 403,
#    an x5u that answers 404 -> 436; a chain from another CA -> 200 (libsecsipid
#    checks no chain by default; clid says CLID_ERR_CERT_UNTRUSTED). Again
#    with libsecsipid's CertVerify=5 and the clid CA's root as CA file: 200
#    for clid's chain (file and x5u), 437 for the chain from another CA.
# 2. Kamailio -> clid: Kamailio signs an unsigned SIPp INVITE with a key
#    whose certificate `clid ca issue` made (TNAuthList SPC) and forwards it
#    to a SIPp UAS; clid verifies that captured INVITE, fetching Kamailio's
#    x5u over http (first verification fetches, the second is served by
#    --cache-dir), writes it with verstat (--output), and refuses it with
#    CLID_ERR_DEST_MISMATCH once a byte of the To user changes. Reply mode
#    (Identity in Kamailio's 200) is verified with clid verify --identity.
#
# Everything listens on 127.0.0.1 on ports the kernel picked; every process
# this script starts (Kamailio via kamailio-ctl.sh and its pid file, the
# x5u HTTP server, the SIPp UAS, a watchdog) is stopped by its PID on exit,
# whatever happened, and the script then checks none is left.
# Exit status: 0 all passed, 1 a check failed, 77 kamailio, sipp or the
# secsipid module is not installed (ctest: skipped).
set -euo pipefail

[ $# -eq 2 ] || {
    echo "usage: kamailio.sh CLID_BINARY WORKDIR" >&2
    exit 64
}
CLID=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
WORK=$2
HERE=$(cd "$(dirname "$0")" && pwd)
SIPP_DIR=$HERE/sipp
CTL=$HERE/kamailio-ctl.sh

# shellcheck source=SCRIPTDIR/../lib/rig.sh
. "$HERE/../lib/rig.sh"

# --- what is needed -----------------------------------------------------------
command -v kamailio >/dev/null || rig_skip "kamailio is not installed"
command -v sipp >/dev/null || rig_skip "sipp (Debian sip-tester) is not installed"
rig_find_modules secsipid secsipid_proc ||
    rig_skip "the Kamailio secsipid module (kamailio-secsipid-modules) is not installed"
rig_need_tools python3 perl ss timeout

RUNDIR=$2/run
# An earlier run killed without its cleanup (SIGKILL) may have left its
# Kamailio: stopped by its pid file before WORKDIR is wiped (only when it
# is empty or an earlier run's).
stop_leftover() {
    if [ -e "$RUNDIR/kamailio.pid" ]; then
        "$CTL" stop "$RUNDIR" || true
    fi
}
rig_workdir "$WORK" .interop-kamailio stop_leftover
RUNDIR=$WORK/run
mkdir -p "$WORK/pki" "$WORK/certs" "$WORK/pub" "$RUNDIR" "$WORK/msgs" "$WORK/sip"
PKI=$WORK/pki
CERTS=$WORK/certs
MSGS=$WORK/msgs
SIP=$WORK/sip

# --- processes: started here, stopped by PID (lib/rig.sh) ---------------------------
# The x5u server and the watchdog are tracked; the SIPp UAS of the moment
# (UAS_PID) and Kamailio (kamailio-ctl.sh, its pid file) are stopped first.
UAS_PID=
rig_hook_report() {
    if [ -f "$RUNDIR/kamailio.log" ]; then
        echo "--- last lines of $RUNDIR/kamailio.log"
        tail -n 12 "$RUNDIR/kamailio.log" | cut -c1-300
    fi
}
rig_hook_stop() {
    stop_pid "$UAS_PID"
    if [ -e "$RUNDIR/kamailio.pid" ]; then
        "$CTL" stop "$RUNDIR" >/dev/null || RIG_RC=1
    fi
}
# Processes of this run name a file under one of these in their command
# line (the test script itself names only $WORK).
RIG_LEFTOVER_PATTERN="$WORK/(run|msgs|pub)"
rig_traps
# Stop well before ctest's TIMEOUT (180 s) so that cleanup still runs: the
# TERM trap runs once the current command (at most a 25 s timeout) ends.
rig_watchdog 140

# --- PKI: made by clid ca ---------------------------------------------------------
# Valid from a day ago, so that a PASSporT signed "an hour ago" is signed
# with a certificate that was valid then.
NOW=$(date +%s)
NB=$((NOW - 86400))
ORIG=12155551000
DEST=12155552000
"$CLID" ca init "$PKI/ca" --name "clid kamailio interop" --not-before "$NB" >/dev/null ||
    fatal "clid ca init"
"$CLID" ca issue "$PKI/ca" --spc 1234 --out "$PKI/sp" --not-before "$NB" >/dev/null ||
    fatal "clid ca issue sp"
"$CLID" ca issue "$PKI/ca" --spc 5678 --out "$PKI/as" --not-before "$NB" >/dev/null ||
    fatal "clid ca issue as (Kamailio's signing certificate)"
"$CLID" ca issue "$PKI/ca" --spc 1234 --out "$PKI/other" --not-before "$NB" >/dev/null ||
    fatal "clid ca issue other"
"$CLID" ca init "$PKI/ca2" --name "another CA" --not-before "$NB" >/dev/null ||
    fatal "clid ca init ca2"
"$CLID" ca issue "$PKI/ca2" --spc 1234 --out "$PKI/foreign" --not-before "$NB" >/dev/null ||
    fatal "clid ca issue foreign"
ROOT=$PKI/ca/root.pem
# What Kamailio reads: the verification certificate (clid's sp chain: leaf
# then intermediate), its own signing key, the trust anchor for CertVerify.
cp "$PKI/sp.pem" "$CERTS/vs-cert.pem"
cp "$PKI/as.key" "$CERTS/as.key"
cp "$ROOT" "$CERTS/root.pem"
# What the x5u server publishes.
cp "$PKI/sp.pem" "$PKI/as.pem" "$PKI/foreign.pem" "$WORK/pub/"
pass "PKI made with clid ca init/issue (SPC 1234 for clid, 5678 for Kamailio)"

# --- the x5u server ---------------------------------------------------------------
HTTP_LOG=$WORK/http.log
python3 "$HERE/x5u_server.py" "$WORK/pub" "$WORK/http.port" "$HTTP_LOG" \
    </dev/null >"$WORK/http.out" 2>&1 &
HTTP_PID=$!
rig_track "$HTTP_PID"
rig_wait_file "$WORK/http.port" "$HTTP_PID" || {
    cat "$WORK/http.out"
    fatal "x5u HTTP server did not start"
}
HTTP_PORT=$(cat "$WORK/http.port")
X5U=http://127.0.0.1:$HTTP_PORT
pass "x5u server on 127.0.0.1:$HTTP_PORT (pid $HTTP_PID)"
# gets PATH AGENT: how many GETs of PATH the server has seen from a client
# whose User-Agent starts with AGENT: "clid/" (clid's fetcher) or
# "Go-http-client/" (libsecsipid in Kamailio)
gets() {
    grep -c "^GET $1 [0-9]* $2" "$HTTP_LOG" || true
}

# --- SIPp ---------------------------------------------------------------------
UAS_PORT=$(free_udp_port)
# uac NAME SCENARIO PORT [sipp options]: one call from a SIPp UAC to
# 127.0.0.1:PORT, traced into $MSGS/NAME.uac.msgs. Returns SIPp's status (0:
# the call ended as the scenario expects). Without -p, SIPp binds the first
# free UDP port from 5060 up (bind is atomic: concurrent runs take different
# ones); picking one with python3 first cost seconds per call on a busy
# machine.
uac() {
    local name=$1 sf=$2 port=$3 rc=0
    shift 3
    timeout 25 sipp "127.0.0.1:$port" -sf "$SIPP_DIR/$sf" -i 127.0.0.1 \
        -m 1 -s "$DEST" -key orig "$ORIG" -nostdin -timeout 20s -timeout_error \
        -trace_msg -message_file "$MSGS/$name.uac.msgs" \
        -trace_err -error_file "$MSGS/$name.uac.err" "$@" \
        </dev/null >"$MSGS/$name.uac.out" 2>&1 || rc=$?
    return "$rc"
}
# uas_start NAME: a SIPp UAS on 127.0.0.1:UAS_PORT for one call, in the
# background, traced into $MSGS/NAME.uas.msgs. uas_wait: its status.
uas_start() {
    timeout 25 sipp -sf "$SIPP_DIR/uas.xml" -i 127.0.0.1 -p "$UAS_PORT" -m 1 -nostdin \
        -timeout 20s -timeout_error -trace_msg -message_file "$MSGS/$1.uas.msgs" \
        -trace_err -error_file "$MSGS/$1.uas.err" </dev/null >"$MSGS/$1.uas.out" 2>&1 &
    UAS_PID=$!
    rig_wait_udp "$UAS_PID" 100 "$UAS_PORT" && return 0
    fatal "SIPp UAS did not listen on 127.0.0.1:$UAS_PORT (see $MSGS/$1.uas.out)"
}
uas_wait() {
    local rc=0
    wait "$UAS_PID" || rc=$?
    UAS_PID=
    return "$rc"
}
# reply NAME: the first response the UAC of NAME received
reply() {
    perl "$HERE/sipp-msg.pl" "$MSGS/$1.uac.msgs" response
}
# outcome NAME: "<status code> <X-Identity-Result>" of that response
outcome() {
    local r code res
    r=$(reply "$1") || {
        echo "no-response -"
        return 0
    }
    code=$(printf '%s' "$r" | head -n 1 | cut -d' ' -f2)
    res=$(printf '%s' "$r" | sed -n 's/^X-Identity-Result: *\([^[:space:]]*\).*/\1/p' | head -n 1)
    echo "$code ${res:--}"
}
# identity_of FILE: the value of FILE's (first) Identity header
identity_of() {
    sed -n 's/^Identity: \(.*\)\r$/\1/p' "$1" | head -n 1
}
# verify_with_kamailio NAME IDENTITY VSKEY WANT_CODE WANT_RESULT
verify_with_kamailio() {
    local name=$1 id=$2 vskey=$3
    if ! uac "$name" uac_identity.xml "$K_PORT" -key identity "$id" -key mode reply \
        -key vskey "$vskey" -key attest A; then
        fail "$name: SIPp call failed (see $MSGS/$name.uac.out)"
        return 0
    fi
    expect "$name: Kamailio answers" "$4 $5" "$(outcome "$name")"
}

# === 3. a SIP request captured from SIPp, signed and verified by clid ===========
echo "--- a SIPp INVITE captured at a SIPp UAS, signed and verified by clid"
uas_start capture
uac capture uac.xml "$UAS_PORT" -key mode capture -key vskey none -key attest A ||
    fail "capture: SIPp UAC call to the UAS failed (see $MSGS/capture.uac.out)"
uas_wait || fail "capture: SIPp UAS failed (see $MSGS/capture.uas.out)"
perl "$HERE/sipp-msg.pl" "$MSGS/capture.uas.msgs" INVITE >"$SIP/captured.sip" ||
    fatal "capture: no INVITE in the UAS trace"
if grep -q "^From: .*<sip:$ORIG@" "$SIP/captured.sip" && grep -q "^To: <sip:$DEST@" "$SIP/captured.sip"; then
    pass "capture: SIPp INVITE from $ORIG to $DEST ($(wc -c <"$SIP/captured.sip") bytes)"
else
    fail "capture: the captured INVITE does not have the expected From/To"
fi

# The UAS takes the ACK and the BYE in either order: through Kamailio
# (forward mode below) they can overtake each other, since each is
# forwarded by whichever worker process reads it first. A BYE sent before
# the ACK passes; a call whose ACK never comes still fails.
uas_start bye_first
uac bye_first uac_bye_first.xml "$UAS_PORT" -key mode capture -key vskey none -key attest A ||
    fail "bye_first: SIPp UAC (BYE before ACK) failed (see $MSGS/bye_first.uac.out)"
if uas_wait; then
    pass "SIPp UAS takes a BYE that overtook the ACK"
else
    fail "SIPp UAS refused a BYE before the ACK (see $MSGS/bye_first.uas.out)"
fi
uas_start no_ack
uac no_ack uac_no_ack.xml "$UAS_PORT" -key mode capture -key vskey none -key attest A ||
    fail "no_ack: SIPp UAC (BYE, never an ACK) failed (see $MSGS/no_ack.uac.out)"
if uas_wait; then
    fail "SIPp UAS passed a call whose ACK never came"
elif perl "$HERE/sipp-msg.pl" "$MSGS/no_ack.uas.msgs" BYE >/dev/null 2>&1; then
    pass "SIPp UAS fails a call whose ACK never comes (BYE received, then 5 s without ACK)"
else
    fail "no_ack: the UAS timed out before the BYE arrived (see $MSGS/no_ack.uas.out)"
fi

SIGN=(sign --key "$PKI/sp.key" --cert "$PKI/sp.pem" --x5u "$X5U/sp.pem" --attest A)
if "$CLID" "${SIGN[@]}" --orig "$ORIG" --dest "$DEST" --output "$SIP/signed.sip" \
    "$SIP/captured.sip" 2>"$WORK/err"; then
    pass "clid sign captured.sip (request mode)"
else
    cat "$WORK/err"
    fatal "clid sign captured.sip"
fi
expect "signed: one Identity line added" 1 "$(grep -c '^Identity: ' "$SIP/signed.sip")"
if perl -0777 -pe 's/^Identity: [^\r\n]*\r\n//m' "$SIP/signed.sip" | cmp -s - "$SIP/captured.sip"; then
    pass "signed: every other byte of the SIPp INVITE unchanged"
else
    fail "signed: bytes other than the Identity line changed"
fi
ID_CLID=$(identity_of "$SIP/signed.sip")
[ -n "$ID_CLID" ] || fatal "no Identity value in the signed request"

VERIFY_NET=(verify --trust "$ROOT" --allow-http-x5u --allow-private-x5u)
before=$(gets /sp.pem clid/)
out=$("$CLID" "${VERIFY_NET[@]}" "$SIP/signed.sip" 2>&1) && rc=0 || rc=$?
expect "clid verify signed.sip (x5u over http)" "0 TN-Validation-Passed" "$rc $(echo "$out" | head -n 1)" "$out"
expect "clid verify signed.sip fetched $X5U/sp.pem once" 1 $(($(gets /sp.pem clid/) - before))

# === 1. clid signs, Kamailio + secsipid verifies ===================================
echo "--- clid -> Kamailio (secsipid, CertVerify off)"
K_PORT=$(free_udp_port)
while [ "$K_PORT" = "$UAS_PORT" ]; do K_PORT=$(free_udp_port); done
KAM_DEFS=(-A "AS_X5U=\"$X5U/as.pem\"" -A "UAS_URI=\"sip:127.0.0.1:$UAS_PORT\""
    -A "MPATH=\"$MPATH\"")
"$CTL" start "$RUNDIR" "$CERTS" "$K_PORT" "${KAM_DEFS[@]}" >"$WORK/ctl.out" 2>&1 || {
    cat "$WORK/ctl.out"
    fatal "Kamailio did not start"
}
K_PID=$(cat "$RUNDIR/kamailio.pid")
pass "Kamailio started on udp:127.0.0.1:$K_PORT (pid $K_PID, user $(ps -o user= -p "$K_PID"))"
if "$CTL" start "$RUNDIR" "$CERTS" "$K_PORT" "${KAM_DEFS[@]}" >"$WORK/ctl2.out" 2>&1; then
    fail "kamailio-ctl.sh started a second Kamailio for the same RUNDIR"
else
    if grep -q "already running" "$WORK/ctl2.out" && [ "$(cat "$RUNDIR/kamailio.pid")" = "$K_PID" ] &&
        kill -0 "$K_PID"; then
        pass "kamailio-ctl.sh refuses to start twice"
    else
        fail "kamailio-ctl.sh start twice: $(cat "$WORK/ctl2.out")"
    fi
fi

verify_with_kamailio clid_file "$ID_CLID" file 200 1
before=$(gets /sp.pem Go-http-client/)
verify_with_kamailio clid_x5u "$ID_CLID" x5u 200 1
expect "Kamailio (libsecsipid) fetched $X5U/sp.pem" 1 $(($(gets /sp.pem Go-http-client/) - before))

# Signed by another key (a certificate of the same CA), x5u naming sp.pem.
"$CLID" sign --key "$PKI/other.key" --cert "$PKI/other.pem" --x5u "$X5U/sp.pem" --attest A \
    --output "$SIP/other.sip" "$SIP/captured.sip" || fatal "clid sign with the other key"
ID_OTHER=$(identity_of "$SIP/other.sip")
verify_with_kamailio other_key_file "$ID_OTHER" file 438 -251
verify_with_kamailio other_key_x5u "$ID_OTHER" x5u 438 -251

# Signed an hour ago (Kamailio's window: 300 s).
"$CLID" "${SIGN[@]}" --at $((NOW - 3600)) --output "$SIP/stale.sip" "$SIP/captured.sip" ||
    fatal "clid sign --at an hour ago"
verify_with_kamailio stale "$(identity_of "$SIP/stale.sip")" file 403 -232

# x5u that the server answers with 404.
"$CLID" sign --key "$PKI/sp.key" --cert "$PKI/sp.pem" --x5u "$X5U/missing.pem" --attest A \
    --output "$SIP/missing.sip" "$SIP/captured.sip" || fatal "clid sign for a missing x5u"
verify_with_kamailio x5u_404 "$(identity_of "$SIP/missing.sip")" x5u 436 -403

# A chain from another CA: libsecsipid without CertVerify takes any
# certificate whose key matches (peers notes §2.5); clid does not.
"$CLID" sign --key "$PKI/foreign.key" --cert "$PKI/foreign.pem" --x5u "$X5U/foreign.pem" \
    --attest A --output "$SIP/foreign.sip" "$SIP/captured.sip" || fatal "clid sign (foreign CA)"
ID_FOREIGN=$(identity_of "$SIP/foreign.sip")
verify_with_kamailio foreign_ca_x5u "$ID_FOREIGN" x5u 200 1
out=$("$CLID" "${VERIFY_NET[@]}" "$SIP/foreign.sip" 2>&1) && rc=0 || rc=$?
expect "clid verify, chain from another CA" "1 reason: CLID_ERR_CERT_UNTRUSTED" \
    "$rc $(echo "$out" | sed -n 2p)" "$out"

# === 2. Kamailio signs, clid verifies ============================================
echo "--- Kamailio -> clid (secsipid signs with a clid ca certificate)"
uas_start forward
uac forward uac.xml "$K_PORT" -key mode forward -key vskey none -key attest B ||
    fail "forward: SIPp UAC call through Kamailio failed (see $MSGS/forward.uac.out)"
uas_wait || fail "forward: SIPp UAS failed (see $MSGS/forward.uas.out)"
expect "forward: the UAC got the UAS's answer through Kamailio" "200 -" "$(outcome forward)"
perl "$HERE/sipp-msg.pl" "$MSGS/forward.uas.msgs" INVITE >"$SIP/kamailio-signed.sip" ||
    fatal "forward: no INVITE in the UAS trace"
expect "forward: Kamailio added one Identity header" 1 \
    "$(grep -c '^Identity: ' "$SIP/kamailio-signed.sip")"

CACHE=$WORK/x5u-cache
before=$(gets /as.pem clid/)
out=$("$CLID" "${VERIFY_NET[@]}" --cache-dir "$CACHE" --output "$SIP/verstat.sip" \
    "$SIP/kamailio-signed.sip" 2>&1) && rc=0 || rc=$?
expect "clid verify Kamailio-signed INVITE" "0 TN-Validation-Passed reason: CLID_OK" \
    "$rc $(echo "$out" | head -n 2 | tr '\n' ' ' | sed 's/ $//')" "$out"
expect "clid's fetcher got Kamailio's x5u $X5U/as.pem (first verification)" 1 \
    $(($(gets /as.pem clid/) - before))
if grep -q "^From: \"Caller\" <sip:$ORIG;verstat=TN-Validation-Passed@" "$SIP/verstat.sip"; then
    pass "--output: From carries ;verstat=TN-Validation-Passed"
else
    fail "--output: no verstat in From: $(grep '^From:' "$SIP/verstat.sip" 2>/dev/null)"
fi
if sed 's/;verstat=TN-Validation-Passed//' "$SIP/verstat.sip" | cmp -s - "$SIP/kamailio-signed.sip"; then
    pass "--output: every other byte unchanged"
else
    fail "--output: bytes other than the verstat parameter changed"
fi
out=$("$CLID" "${VERIFY_NET[@]}" --cache-dir "$CACHE" --json "$SIP/kamailio-signed.sip" 2>&1) &&
    rc=0 || rc=$?
expect "clid verify again: passed, claims and signer" "0 TN-Validation-Passed $ORIG B 5678" \
    "$rc $(echo "$out" | perl -MJSON::PP -0777 -ne 'my $j = eval { decode_json($_) } or do { print "bad-json"; exit };
        print join(" ", $j->{verstat}, $j->{claims}{orig}, $j->{claims}{attest}, $j->{signer}{spc} // "-")')" "$out"
expect "second verification served by --cache-dir (no new GET)" 1 $(($(gets /as.pem clid/) - before))

# One byte of the To user changed (the callee Kamailio signed for was $DEST).
sed "s/^To: <sip:$DEST@/To: <sip:${DEST%?}9@/" "$SIP/kamailio-signed.sip" >"$SIP/tampered.sip"
expect "tampered: exactly one byte differs" 1 "$(cmp -l "$SIP/tampered.sip" "$SIP/kamailio-signed.sip" | wc -l)"
out=$("$CLID" "${VERIFY_NET[@]}" --cache-dir "$CACHE" "$SIP/tampered.sip" 2>&1) && rc=0 || rc=$?
expect "clid verify with the To user changed" "1 TN-Validation-Failed reason: CLID_ERR_DEST_MISMATCH" \
    "$rc $(echo "$out" | head -n 2 | tr '\n' ' ' | sed 's/ $//')" "$out"

# Reply mode: Kamailio returns the Identity value in its 200.
if uac reply_sign uac.xml "$K_PORT" -key mode reply -key vskey none -key attest C; then
    expect "reply mode: Kamailio answers" "200 1" "$(outcome reply_sign)"
    ID_KAM=$(reply reply_sign | sed -n 's/^Identity: \(.*\)\r$/\1/p' | head -n 1)
    out=$("$CLID" "${VERIFY_NET[@]}" --identity "$ID_KAM" --orig "$ORIG" --dest "$DEST" \
        --cache-dir "$CACHE" --json 2>&1) && rc=0 || rc=$?
    expect "clid verify --identity (Kamailio's 200)" "0 TN-Validation-Passed C" \
        "$rc $(echo "$out" | perl -MJSON::PP -0777 -ne 'my $j = eval { decode_json($_) } or do { print "bad-json"; exit };
            print join(" ", $j->{verstat}, $j->{claims}{attest})')" "$out"
else
    fail "reply mode: SIPp call failed (see $MSGS/reply_sign.uac.out)"
fi

"$CTL" stop "$RUNDIR" >/dev/null || fail "kamailio-ctl.sh stop"
if [ -z "$(pgrep -f -- "$RUNDIR/kamailio.pid")" ] && ! kill -0 "$K_PID" 2>/dev/null; then
    pass "Kamailio stopped by PID $K_PID, no process left"
else
    fail "Kamailio processes left after stop: $(pgrep -f -- "$RUNDIR/kamailio.pid" | tr '\n' ' ')"
fi

# === 1 again, with libsecsipid's certificate checks =================================
echo "--- clid -> Kamailio (secsipid CertVerify=5, CA file = clid ca root)"
"$CTL" start "$RUNDIR" "$CERTS" "$K_PORT" "${KAM_DEFS[@]}" -A WITH_CERT_VERIFY \
    -A "CERT_CA_OPT=\"CertCAFile=$CERTS/root.pem\"" >"$WORK/ctl.out" 2>&1 || {
    cat "$WORK/ctl.out"
    fatal "Kamailio (WITH_CERT_VERIFY) did not start"
}
pass "Kamailio restarted with CertVerify=5 (pid $(cat "$RUNDIR/kamailio.pid"))"
verify_with_kamailio certverify_file "$ID_CLID" file 200 1
verify_with_kamailio certverify_x5u "$ID_CLID" x5u 200 1
verify_with_kamailio certverify_foreign_ca "$ID_FOREIGN" x5u 437 -101
"$CTL" stop "$RUNDIR" >/dev/null || fail "kamailio-ctl.sh stop (CertVerify)"

rig_summary || exit 1
