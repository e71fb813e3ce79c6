#!/usr/bin/env bash
# clid trace -i lo (issue 11 "Tests that must exist"): SIPp sends four calls
# (three signed with `clid sign`, one with a forged signature) to a SIPp UAS
# on loopback while `clid trace -i lo --filter 'udp port P'` captures; after
# the UAC is done, SIGINT stops the trace, whose final report is asserted.
# Deterministic: the trace says when its capture is on (a stderr line) before
# SIPp starts, and loopback packets reach the capture socket as they are
# sent, so when the UAC exits every packet is buffered; clid_capture_break
# lets the reader drain them before the end.
# The same calls are then read from SIPp's -trace_msg log: the same verdicts.
# Needs CAP_NET_RAW: CI runs as root; outside CI a non-root run skips (77).
. "$(dirname "$0")/lib.sh" "$@"
. "$(dirname "$0")/trace_lib.sh"

if [ "$(id -u)" -ne 0 ] && [ -z "${CI:-}" ]; then
    echo "trace_live.sh: needs root (CAP_NET_RAW) for a live capture: skipped"
    exit 77
fi
SIPP=$(command -v sipp || true)
if [ -z "$SIPP" ]; then
    echo "trace_live.sh: sipp not installed (scripts/install-deps.sh): skipped"
    exit 77
fi
cd "$TMP"
trace_pki
NOW=$(date +%s)

# Kernel-picked free loopback ports for the UAS and the UAC.
free_port() {
    python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
PU=$(free_port)
PC=$(free_port)

# One Identity value per call; SIPp splits CSV fields on ';' (deps-breadth
# S2), so the value's four parts are four fields put back together below.
ident() {
    "$CLID" sign --key "$PKI/sp.key" --cert "$PKI/sp.pem" --x5u "$URL" --attest A \
        --orig 12155550123 --dest 12155552000 --at "$NOW"
}
{
    echo SEQUENTIAL
    for i in 1 2 3; do ident; done
    # forged: the signature's last characters changed
    ident | perl -pe 's/^([^.]+\.[^.]+\.[A-Za-z0-9_-]{10})[A-Za-z0-9_-]{4}/${1}AAAA/'
} >calls.csv
check "four Identity values" [ "$(grep -c ';info=<' calls.csv)" -eq 4 ]

cat >uac.xml <<'XML'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="signed uac">
  <send retrans="500"><![CDATA[
INVITE sip:+12155552000@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:+12155550123@[local_ip]:[local_port];user=phone>;tag=[call_number]
To: <sip:+12155552000@[remote_ip]:[remote_port];user=phone>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:+12155550123@[local_ip]:[local_port]>
Max-Forwards: 70
Identity: [field0];[field1];[field2];[field3]
Content-Length: 0

]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rrs="true"/>
  <send><![CDATA[
ACK sip:+12155552000@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:+12155550123@[local_ip]:[local_port];user=phone>;tag=[call_number]
To: <sip:+12155552000@[remote_ip]:[remote_port];user=phone>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>
  <send retrans="500"><![CDATA[
BYE sip:+12155552000@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:+12155550123@[local_ip]:[local_port];user=phone>;tag=[call_number]
To: <sip:+12155552000@[remote_ip]:[remote_port];user=phone>[peer_tag_param]
Call-ID: [call_id]
CSeq: 2 BYE
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="200"/>
  <pause milliseconds="1"/>
</scenario>
XML

# The UAS (SIPp's built-in one: 180, 200, then ACK and BYE).
"$SIPP" -sn uas -i 127.0.0.1 -p "$PU" -timeout 60s -nostdin -bg >uas.out 2>&1 &
UAS=""
# -bg forks: its parent prints the child's PID and exits.
wait $! || true
UAS=$(grep -Eo 'PID=\[?[0-9]+' uas.out | grep -Eo '[0-9]+' | head -1 || true)
cleanup() {
    [ -n "${UAS:-}" ] && kill "$UAS" 2>/dev/null || true
    [ -n "${TPID:-}" ] && kill "$TPID" 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT
check "UAS started ($(head -c 300 uas.out))" [ -n "$UAS" ]

"$CLID" trace -i lo --filter "udp port $PU" --json --no-progress --trust "$PKI/root.pem" \
    --x5u-map "$URL=$PKI/sp-chain.pem" >live.json 2>live.err &
TPID=$!
# Wait (bounded) for the trace to say its capture is on.
for _ in $(seq 1 300); do
    grep -q 'capturing on lo' live.err && break
    kill -0 "$TPID" 2>/dev/null || break
    sleep 0.1
done
check "trace is capturing ($(head -c 300 live.err))" grep -q 'capturing on lo' live.err

set +e
timeout -k 5 60 "$SIPP" 127.0.0.1:"$PU" -sf uac.xml -inf calls.csv -i 127.0.0.1 -p "$PC" \
    -m 4 -r 20 -timeout 30s -timeout_error -nostdin -trace_msg -message_file uac_msg.log \
    >uac.out 2>&1
URC=$?
set -e
check "SIPp UAC: 4 calls done (exit $URC; $(tail -c 300 uac.out))" [ "$URC" -eq 0 ]

kill -INT "$TPID"
set +e
wait "$TPID"
TRC=$?
set -e
TPID=""
check "trace exited 0 after SIGINT (got $TRC; $(head -c 300 live.err))" [ "$TRC" -eq 0 ]
cp live.json "$TMP/out"
jq_is '.summary | [.calls, .passed, .failed, .unsigned]' '[4,3,1,0]'
jq_is '[.calls[].final_response]' '[200,200,200,200]'
jq_is '[.calls[].reason] | sort' \
    '["CLID_ERR_SIGNATURE_INVALID","CLID_OK","CLID_OK","CLID_OK"]'
jq_is '.summary.input | [.live, .interrupted]' '[true,true]'
jq_is '[.calls[].orig] | unique' '["12155550123"]'
jq_is '[.calls[].sport] | unique' "[$PC]"

# The same calls from SIPp's own -trace_msg log (a SIP text log): the same
# verdicts and final responses, call by call.
jq -c '[.calls[] | [.call_id, .reason, .final_response]]' live.json >live.rows
expect_ok trace --json --trust "$PKI/root.pem" --x5u-map "$URL=$PKI/sp-chain.pem" uac_msg.log
jq_is '.summary | [.calls, .passed, .failed, .unsigned]' '[4,3,1,0]'
check "SIPp log: the same calls as the live capture" \
    cmp -s live.rows <(jq -c '[.calls[] | [.call_id, .reason, .final_response]]' "$TMP/out")
finish
