#!/bin/bash
# A real Kamailio message log (Kamailio 5.6, Debian kamailio): Kamailio on
# loopback logs every received request with the xlog line of docs/trace.md
# ("clid-trace ..."), SIPp's built-in uac makes one call through it, and
# clid_capture reads Kamailio's stderr log: the INVITE, ACK and BYE.
# Usage: kamailio_log.sh CAPTURE_TOOL. Exit 77 (skip) only when kamailio or
# sipp is missing and CI is not set (scripts/install-deps.sh installs both).
set -u
TOOL=$1
for p in kamailio sipp; do
    if ! command -v "$p" >/dev/null 2>&1; then
        [ -n "${CI:-}" ] && { echo "FAIL: $p missing"; exit 1; }
        echo "SKIP: $p missing"
        exit 77
    fi
done
TMP=$(mktemp -d)
kam_pid=""
cleanup() {
    [ -n "$kam_pid" ] && kill "$kam_pid" 2>/dev/null && wait "$kam_pid" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
cd "$TMP" || exit 1
free_port() { # a UDP port the kernel picks (racy, but only loopback)
    python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
KPORT=$(free_port)
CPORT=$(free_port)
cat >kamailio.cfg <<CFG
#!KAMAILIO
children=1
debug=2
log_stderror=yes
listen=udp:127.0.0.1:$KPORT
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "textops.so"
request_route {
  xlog("L_INFO", "clid-trace \$TV(s) \$TV(u) \$pr \$si \$sp \$Ri \$Rp\n\$mb\n");
  if (is_method("ACK")) exit;
  sl_send_reply("200", "OK");
}
CFG
# -DD: no fork to the background, so that its PID is ours to stop; -w: its
# working directory (deps-breadth notes K1).
kamailio -f kamailio.cfg -DD -E -w "$TMP" -Y "$TMP/run" -m 32 -M 8 >kamailio.out 2>kamailio.log &
kam_pid=$!
for _ in $(seq 200); do # bounded wait until it listens
    ss -lun | grep -q "127.0.0.1:$KPORT " && break
    sleep 0.05
done
timeout 40 sipp -sn uac "127.0.0.1:$KPORT" -i 127.0.0.1 -p "$CPORT" -m 1 -nostdin -timeout 30s \
    -timeout_error >uac.out 2>&1 || { echo "FAIL: the SIPp call failed"; cat uac.out; exit 1; }
kill "$kam_pid"
wait "$kam_pid" 2>/dev/null
kam_pid=""
grep -c 'clid-trace' kamailio.log | grep -qx 3 || { echo "FAIL: Kamailio logged no 3 entries"; tail kamailio.log; exit 1; }
out=$("$TOOL" count kamailio.log 2>warn) || { echo "FAIL: capture_tool"; cat warn; exit 1; }
if [ "$out" != "invites 1 messages 3 warnings 0" ]; then
    echo "FAIL kamailio.log: $out"
    cat warn
    exit 1
fi
echo "ok   kamailio.log: $out"
