#!/bin/bash
# A real SIPp -trace_msg log (SIPp 3.6.1, Debian sip-tester): one call of
# SIPp's built-in uac against its uas on loopback, both tracing their
# messages; clid_capture reads each log and finds the 6 messages of the call
# (INVITE, 180, 200, ACK, BYE, 200), one of them the INVITE.
# Usage: sipp_log.sh CAPTURE_TOOL. Exit 77 (skip) only when sipp is missing
# and CI is not set (scripts/install-deps.sh installs sip-tester).
set -u
TOOL=$1
if ! command -v sipp >/dev/null 2>&1; then
    [ -n "${CI:-}" ] && { echo "FAIL: sipp missing"; exit 1; }
    echo "SKIP: sipp missing"
    exit 77
fi
TMP=$(mktemp -d)
uas_pid=""
cleanup() {
    [ -n "$uas_pid" ] && kill "$uas_pid" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
cd "$TMP" || exit 1
free_port() { # a UDP port the kernel picks (racy, but only loopback)
    python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
PORT=$(free_port)
CPORT=$(free_port)
# TZ=UTC: SIPp writes local time, clid reads it as UTC (docs/trace.md).
TZ=UTC sipp -sn uas -i 127.0.0.1 -p "$PORT" -m 1 -trace_msg -message_file uas.log -nostdin \
    -timeout 30s -timeout_error -bg >uas.out 2>&1
uas_pid=$(sed -n 's/.*PID=\[\([0-9]*\)\].*/\1/p' uas.out)
[ -n "$uas_pid" ] || { echo "FAIL: sipp uas did not start"; cat uas.out; exit 1; }
# Wait (bounded) until the UAS listens, by polling the socket table.
for _ in $(seq 200); do
    ss -lun | grep -q "127.0.0.1:$PORT " && break
    sleep 0.05
done
TZ=UTC timeout 40 sipp -sn uac "127.0.0.1:$PORT" -i 127.0.0.1 -p "$CPORT" -m 1 -trace_msg \
    -message_file uac.log -nostdin -timeout 30s -timeout_error >uac.out 2>&1 ||
    { echo "FAIL: the SIPp call failed"; cat uac.out; exit 1; }
fail=0
for f in uac.log uas.log; do
    out=$("$TOOL" count "$f" 2>"$f.warn") || { echo "FAIL: $f"; cat "$f.warn"; fail=1; continue; }
    if [ "$out" = "invites 1 messages 6 warnings 0" ]; then
        echo "ok   $f: $out"
    else
        echo "FAIL $f: $out"
        cat "$f.warn"
        fail=1
    fi
done
exit "$fail"
