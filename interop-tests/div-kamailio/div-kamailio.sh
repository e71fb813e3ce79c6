#!/usr/bin/env bash
# A diverted call through Kamailio (issue 14; RFC 8946): the originating
# network's PASSporT, a retargeting proxy that adds History-Info and a div
# PASSporT signed by `clid serve`, and a terminating SBC that verifies the
# chain with `clid serve`.
#
#   div-kamailio.sh CLID_BINARY WORKDIR
#
# PKI (clid ca): network A (originating) holds +12155551000, network B
# (diverting) +12155550000..+12155550009, C (another network) only
# +12155559999. One `clid serve` signs as B and verifies (trust: the root;
# x5u of A, B and C mapped to files; ppt shaken and div accepted).
#
# Through Kamailio (kamailio.cfg: DIV socket = B's retargeting proxy, IN
# socket = the terminating SBC; SIPp UAC -> DIV -> IN -> SIPp UAS), each
# call signed by A for the number it dials, the verdict read at the UAS
# from X-Clid-Verdict ("reason;failed-link=N;links=N"):
#   pos1    +12155550001 forwarded to +12155550002: one div link, passes
#   pos2    +12155550003 -> +12155550001 -> +12155550002: two links, passes
#   k_dest  +12155550004 -> +12155550002 with a div, then retargeted again
#           to +12155550005 without one: CLID_ERR_DIV_CHAIN_DEST at link 0
#   k_hist  +12155550006: History-Info names +12155550009 as the original
#           target: clid serve refuses the div (CLID_ERR_DIV_CHAIN_LINK,
#           X-Clid-Div-Refused) and the call arrives with no div
#   rcd1    +12155550007 (not forwarded), A's PASSporT with Rich Call Data
#           (name, call reason): the callee gets it as one Call-Info field
#           (purpose=jcard;verified;call-reason, RFC 9796, applied from
#           clid serve's call_info)
#   rcd_bad the same signed by C, whose certificate does not cover A's
#           number: CLID_ERR_TN_NOT_AUTHORIZED, no RCD presented
# Every call carries an upstream Call-Info claiming verified RCD (uac.xml):
# it never reaches the callee; the plain entry beside it does.
# Built by this driver from the INVITE pos1's callee received (its div
# PASSporT replaced by one `clid sign --div` made), verified with POST
# /stir/v1/sip (reason and div_chain.failed_link):
#   d_cert  the div signed by C, whose certificate does not cover
#           +12155550001: CLID_ERR_TN_NOT_AUTHORIZED at link 0
#   d_link  a div from +12155550009, not the original's dest:
#           CLID_ERR_DIV_CHAIN_LINK at link 0
#   d_orig  a div whose orig is +12155551999: CLID_ERR_DIV_CHAIN_ORIG, link 0
#   d_dest  a div to +12155550003, not the Request-URI: CLID_ERR_DIV_CHAIN_DEST
#   d_loop  +12155550001 -> 02 -> 01 -> 02: +12155550001 diverted from
#           twice: CLID_ERR_DIV_CHAIN_LOOP at link 2
#
# Everything on 127.0.0.1, ports picked by the kernel, every process stopped
# by its PID, WORKDIR removed when the test passes.
# Exit status: 0 passed, 1 a check failed, 77 kamailio, sipp or a Kamailio
# module missing (ctest: skipped) -- except under CI=true (then 1).
set -euo pipefail

[ $# -eq 2 ] || {
    echo "usage: div-kamailio.sh CLID_BINARY WORKDIR" >&2
    exit 64
}
CLID=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
WORK=$2
HERE=$(cd "$(dirname "$0")" && pwd)
SIPP_DIR=$HERE/sipp

# shellcheck source=SCRIPTDIR/../lib/rig.sh
. "$HERE/../lib/rig.sh"

RIG_CI_STRICT=1
command -v kamailio >/dev/null || rig_skip "kamailio is not installed"
command -v sipp >/dev/null || rig_skip "sipp (Debian sip-tester) is not installed"
rig_find_modules tm || rig_skip "no Kamailio module directory"
for m in http_client jansson textops textopsx; do
    [ -f "$MPATH$m.so" ] || rig_skip "the Kamailio module $m is not installed (kamailio-utils-modules / kamailio-extra-modules)"
done
rig_need_tools python3 curl jq ss timeout

rig_workdir "$WORK" .div-kamailio

KPID=
rig_hook_report() {
    if [ -f "$WORK/kamailio.log" ]; then
        echo "--- last lines of $WORK/kamailio.log"
        tail -n 20 "$WORK/kamailio.log" | cut -c1-300
    fi
}
RIG_LEFTOVER_PATTERN="-P $WORK/"
RIG_RM_WORK_ON_PASS=1
rig_traps
rig_watchdog "${DK_WATCHDOG:-300}"

# --- PKI and clid serve -------------------------------------------------------------
cd "$WORK"
A_TN=12155551000
URL_A=https://a.example/a.pem
URL_B=https://b.example/b.pem
URL_C=https://c.example/c.pem
"$CLID" ca init ca --name "div kamailio test" --org "div kamailio test" >/dev/null || fatal "clid ca init"
"$CLID" ca issue ca --tn "$A_TN" --out a >/dev/null || fatal "clid ca issue a"
"$CLID" ca issue ca --range 12155550000+10 --out b >/dev/null || fatal "clid ca issue b"
"$CLID" ca issue ca --tn 12155559999 --out c >/dev/null || fatal "clid ca issue c"
TOKEN=div-kamailio-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
printf '# signing tokens\n%s\n' "$TOKEN" >tokens.txt
jq -n --arg d "$WORK" --arg a "$URL_A" --arg b "$URL_B" --arg c "$URL_C" '{
    listen: [{address: "127.0.0.1", port: 0}],
    limits: {threads: 2, connection_timeout_s: 30, request_timeout_s: 10},
    auth: {signing_tokens_file: ($d + "/tokens.txt")},
    verify: {trust: [($d + "/ca/root.pem")], crl_policy: "ignore", ppt_accept: ["shaken", "div"],
             x5u_map: {($a): ($d + "/a.pem"), ($b): ($d + "/b.pem"), ($c): ($d + "/c.pem")}},
    sign: {key: ($d + "/b.key"), cert: ($d + "/b.pem"), x5u: $b}
}' >serve.json
rig_serve_start "$WORK" serve "$WORK/serve.json"
pass "PKI (A, B, C) and clid serve (pid $SPID, port $SPORT) signing as B"

# --- Kamailio -------------------------------------------------------------------------
UAS_PORT=$(free_udp_port)
DIV_PORT=$(free_udp_port)
IN_PORT=$(free_udp_port)
while [ "$DIV_PORT" = "$UAS_PORT" ]; do DIV_PORT=$(free_udp_port); done
while [ "$IN_PORT" = "$UAS_PORT" ] || [ "$IN_PORT" = "$DIV_PORT" ]; do IN_PORT=$(free_udp_port); done
printf '[clid]\nurl = http://127.0.0.1:%s\ntimeout = 5\n' "$SPORT" >httpcon.cfg
cat >site.cfg <<EOF
#!KAMAILIO
#!define LISTEN_DIV udp:127.0.0.1:$DIV_PORT
#!define LISTEN_IN udp:127.0.0.1:$IN_PORT
#!define DIV_PORT $DIV_PORT
#!define IN_PORT $IN_PORT
#!define DIV_URI "sip:127.0.0.1:$DIV_PORT"
#!define IN_URI "sip:127.0.0.1:$IN_PORT"
#!define UAS_URI "sip:127.0.0.1:$UAS_PORT"
#!define HTTPCON_FILE "$WORK/httpcon.cfg"
#!define CTL_SOCKET "unix:$WORK/ctl"
#!define MPATH "$MPATH"
#!define CLID_DIV_CTYPE "message/sipfrag\\r\\nAuthorization: Bearer $TOKEN"
include_file "$HERE/kamailio.cfg"
EOF
chmod 600 site.cfg
rig_kamailio_run "$WORK" "$DIV_PORT" "$IN_PORT"
pass "Kamailio pid $KPID: diverting proxy udp:$DIV_PORT, terminating SBC udp:$IN_PORT"

# --- calls through Kamailio ---------------------------------------------------------------
# original TN: A's PASSporT for A_TN -> TN (shaken, attest A)
original() {
    "$CLID" sign --key a.key --cert a.pem --x5u "$URL_A" --orig "$A_TN" --dest "$1" --attest A
}
# the same with Rich Call Data (RFC 9795), signed by KEY for URL
original_rcd() {
    "$CLID" sign --key "$2" --x5u "$3" --orig "$A_TN" --dest "$1" --attest A \
        --rcd-name "Alice Example" --rcd-reason "Order 42"
}
CASES=(pos1:+12155550001 pos2:+12155550003 k_dest:+12155550004 k_hist:+12155550006
       rcd1:+12155550007 rcd_bad:+12155550007)
sipp_common=(-i 127.0.0.1 -nostdin -timeout 60s -timeout_error -trace_logs -trace_err)
timeout 120 sipp -sf "$SIPP_DIR/uas.xml" -p "$UAS_PORT" -m "${#CASES[@]}" "${sipp_common[@]}" \
    -trace_msg -message_file uas.msg -log_file uas.log -error_file uas.err >uas.out 2>&1 &
UAS_PID=$!
rig_track "$UAS_PID"
rig_wait_udp "$UAS_PID" 200 "$UAS_PORT" || fatal "SIPp UAS not listening on $UAS_PORT"
for c in "${CASES[@]}"; do
    name=${c%%:*} num=${c#*:}
    case $name in
    rcd1) id=$(original_rcd "${num#+}" a.key "$URL_A") || fatal "$name: clid sign (A, RCD)" ;;
    rcd_bad) id=$(original_rcd "${num#+}" c.key "$URL_C") || fatal "$name: clid sign (C, RCD)" ;;
    *) id=$(original "${num#+}") || fatal "$name: clid sign (A)" ;;
    esac
    rc=0
    timeout 90 sipp "127.0.0.1:$DIV_PORT" -sf "$SIPP_DIR/uac.xml" -s "$num" -key orig "+$A_TN" \
        -key identity "$id" -key case "$name" -m 1 "${sipp_common[@]}" \
        -log_file "uac_$name.log" -error_file "uac_$name.err" >"uac_$name.out" 2>&1 || rc=$?
    expect "$name: the call reached the callee (SIPp UAC exit status)" 0 "$rc" \
        "$(tail -n 5 "uac_$name.err" 2>/dev/null)"
done
rc=0
rig_wait "$UAS_PID" || rc=$?
expect "SIPp UAS exit status" 0 "$rc" "$(tail -n 5 uas.err 2>/dev/null)"

# verdict NAME: "VERDICT|REFUSED" the callee logged for case NAME
verdict() {
    awk -F'|' -v n="$1" '$1 == n { print $2 "|" $3; exit }' uas.log
}
expect "pos1: verified, one div link" "CLID_OK;failed-link=-1;links=1|" "$(verdict pos1)"
expect "pos2: verified, two div links" "CLID_OK;failed-link=-1;links=2|" "$(verdict pos2)"
expect "k_dest: last dest not the Request-URI" "CLID_ERR_DIV_CHAIN_DEST;failed-link=0;links=1|" \
    "$(verdict k_dest)"
expect "k_hist: the div refused by the diverting network, the call arrives without one" \
    "CLID_OK;failed-link=-1;links=0|422;CLID_ERR_DIV_CHAIN_LINK" "$(verdict k_hist)"
expect "rcd1: verified, not diverted" "CLID_OK;failed-link=-1;links=0|" "$(verdict rcd1)"
expect "rcd_bad: signed by a certificate not covering the caller" \
    "CLID_ERR_TN_NOT_AUTHORIZED;failed-link=-1;links=0|" "$(verdict rcd_bad)"

# received NAME OUT: the INVITE the callee received in case NAME (SIPp's
# -trace_msg log), written to OUT with CRLF line ends
received() {
    python3 - uas.msg "$1" "$2" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="latin-1").read()
for block in re.split(r"\n-{10,}[^\n]*\n", text):
    m = re.search(r"message received \[\d+\] bytes :\n+", block)
    if not m:
        continue
    msg = block[m.end():]
    if msg.startswith("INVITE ") and re.search(r"^X-Case: *%s\s*$" % re.escape(sys.argv[2]), msg, re.M):
        lines = [l.rstrip("\r") for l in msg.split("\n")]
        while lines and lines[-1] == "":
            lines.pop()
        open(sys.argv[3], "w", encoding="latin-1", newline="").write("\r\n".join(lines) + "\r\n\r\n")
        sys.exit(0)
sys.exit(1)
PY
}
# callinfo NAME: the Call-Info lines of that INVITE, one per line (none:
# nothing, and the checks below fail)
callinfo() {
    received "$1" "$1.received" || return 0
    grep -i '^Call-Info:' "$1.received" | tr -d '\r' || true
}
INFO='Call-Info: <http://www.example.com/alice/>;purpose=info'
expect "pos1: the spoofed RCD claim removed, the plain entry kept" "$INFO" "$(callinfo pos1)"
expect "rcd_bad: no RCD presented, the spoofed claim removed" "$INFO" "$(callinfo rcd_bad)"
got=$(callinfo rcd1)
rcd_line=$(printf '%s\n' "$got" | sed -n 2p)
expect "rcd1: the plain entry, then one RCD field" "$INFO" "$(printf '%s\n' "$got" | sed -n 1p)"
expect "rcd1: two Call-Info fields" 2 "$(printf '%s\n' "$got" | grep -c .)"
expect "rcd1: the RCD field presents the verified name and reason" yes \
    "$(case $rcd_line in 'Call-Info: <data:application/json;base64,'*'>;purpose=jcard;verified;call-reason="Order 42"') echo yes ;; *) echo "no: $rcd_line" ;; esac)"
# the jCard the data: URI carries names the caller as signed
jcard=$(printf '%s' "$rcd_line" | sed 's/^Call-Info: <data:application\/json;base64,\([^>]*\)>.*/\1/' | base64 -d 2>/dev/null || true)
expect "rcd1: the presented jCard's fn" '"Alice Example"' "$(printf '%s' "$jcard" | jq -c '.[1][] | select(.[0] == "fn") | .[3]' 2>&1)"

# --- negatives built from the INVITE pos1's callee received ---------------------------------
received pos1 pos1.sip || fatal "no INVITE of pos1 in the UAS message log"
# with_divs OUT ID...: pos1.sip with its div Identity replaced by the IDs
with_divs() {
    local out=$1
    shift
    python3 - pos1.sip "$out" "$@" <<'PY'
import sys
msg = open(sys.argv[1], encoding="latin-1", newline="").read()
head, _, body = msg.partition("\r\n\r\n")
lines = [l for l in head.split("\r\n") if not (l.lower().startswith("identity:") and "ppt=div" in l)]
lines += ["Identity: " + i for i in sys.argv[3:]]
open(sys.argv[2], "w", encoding="latin-1", newline="").write("\r\n".join(lines) + "\r\n\r\n" + body)
PY
}
# check NAME REASON LINK FILE: POST /stir/v1/sip; the reason and div_chain.failed_link
check() {
    local resp got
    resp=$(curl -s --max-time 10 -H 'Content-Type: message/sipfrag' --data-binary "@$4" \
        "http://127.0.0.1:$SPORT/stir/v1/sip")
    got=$(printf '%s' "$resp" | jq -r '.sipVerificationResponse | "\(.reason) \(.div_chain.failed_link // -1)"')
    expect "$1" "$2 $3" "$got" "$resp"
}
div() { # div KEY URL ORIG DIV DEST
    "$CLID" sign --key "$1" --x5u "$2" --orig "$3" --div "$4" --dest "$5" --attest A
}
check "pos1 as received by the callee verifies" CLID_OK -1 pos1.sip
with_divs d_cert.sip "$(div c.key "$URL_C" "$A_TN" 12155550001 12155550002)" || fatal "d_cert"
check "d_cert: div signed by a certificate not covering +12155550001" CLID_ERR_TN_NOT_AUTHORIZED 0 d_cert.sip
with_divs d_link.sip "$(div b.key "$URL_B" "$A_TN" 12155550009 12155550002)" || fatal "d_link"
check "d_link: div number not the original's dest" CLID_ERR_DIV_CHAIN_LINK 0 d_link.sip
with_divs d_orig.sip "$(div b.key "$URL_B" 12155551999 12155550001 12155550002)" || fatal "d_orig"
check "d_orig: orig changed in the div" CLID_ERR_DIV_CHAIN_ORIG 0 d_orig.sip
with_divs d_dest.sip "$(div b.key "$URL_B" "$A_TN" 12155550001 12155550003)" || fatal "d_dest"
check "d_dest: last dest not the Request-URI" CLID_ERR_DIV_CHAIN_DEST 0 d_dest.sip
with_divs d_loop.sip "$(div b.key "$URL_B" "$A_TN" 12155550001 12155550002)" \
    "$(div b.key "$URL_B" "$A_TN" 12155550002 12155550001)" \
    "$(div b.key "$URL_B" "$A_TN" 12155550001 12155550002)" || fatal "d_loop"
check "d_loop: +12155550001 diverted from twice" CLID_ERR_DIV_CHAIN_LOOP 2 d_loop.sip

# The same requests through the command-line verifier (clid verify on the
# file, offline x5u map): the same verdicts, independently of clid serve.
# tool_verdict FILE: "REASON FAILED_LINK" from clid verify --json (-1: none)
tool_verdict() {
    "$CLID" verify --trust ca/root.pem --x5u-map "$URL_A=a.pem" --x5u-map "$URL_B=b.pem" \
        --x5u-map "$URL_C=c.pem" --accept-ppt shaken --accept-ppt div --crl-policy ignore \
        --json "$1" 2>&1 | jq -r '"\(.reason) \(.div_chain.failed_link // -1)"' 2>&1 || true
}
expect "clid verify: pos1 as received" "CLID_OK -1" "$(tool_verdict pos1.sip)"
for n in d_cert:CLID_ERR_TN_NOT_AUTHORIZED:0 d_link:CLID_ERR_DIV_CHAIN_LINK:0 \
    d_orig:CLID_ERR_DIV_CHAIN_ORIG:0 d_dest:CLID_ERR_DIV_CHAIN_DEST:0 d_loop:CLID_ERR_DIV_CHAIN_LOOP:2; do
    IFS=: read -r f want link <<<"$n"
    expect "clid verify: $f" "$want $link" "$(tool_verdict "$f.sip")"
done

# --- stop by PID: Kamailio, then clid serve (exit 0 on SIGTERM: ASan's leak check) ---------
stop_pid "$KPID"
rc=0
kill -TERM "$SPID"
rig_wait "$SPID" || rc=$?
expect "clid serve exits 0 on SIGTERM" 0 "$rc"

rig_summary || exit 1
