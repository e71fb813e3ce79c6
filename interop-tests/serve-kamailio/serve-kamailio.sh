#!/usr/bin/env bash
# clid serve scaled out behind Kamailio (issue 10 item 5): Kamailio 5.6
# (http_client, dispatcher, async) signs every outbound INVITE and verifies
# every inbound one by calling two `clid serve` replicas, driven by SIPp.
#
#   serve-kamailio.sh CLID_BINARY WORKDIR
#
# Call path: SIPp UAC -> Kamailio outbound socket (POST /stir/v1/signing,
# Identity added) -> Kamailio inbound socket (POST /stir/v1/sip, verstat
# set in P-Asserted-Identity) -> SIPp UAS, which fails a call whose
# INVITE lacks ;verstat=TN-Validation-Passed or an Identity header. A
# second SIPp UAC sends calls with a forged Identity (one signature
# character changed) straight to the inbound socket: each must be refused
# with 438. Two cases, each with fresh replicas and a fresh Kamailio:
#   kill    replica r1 gets SIGKILL once its /metrics shows >= TRIGGER
#           requests (not a sleep); every call must still pass.
#   freeze  replica r1 gets SIGSTOP at the same trigger: its connections
#           hang, http_client's 2 s timeout (curl 28) fails it over; every
#           call must still pass. Then SIGCONT, r1 is set active again over
#           kamcmd and takes calls again.
# In both, after r1's first failure no answer comes from r1 (dispatcher
# marked it inactive), and dispatcher.list shows it inactive.
#
# Everything listens on 127.0.0.1 on ports the kernel picked (clid serve:
# port 0 + ready file; UDP ports for Kamailio and SIPp picked by binding
# port 0), every process started here is stopped by its PID on exit, and
# WORKDIR is removed when the test passes.
# Exit status: 0 passed, 1 a check failed, 77 kamailio, sipp or a Kamailio
# module is not installed (ctest: skipped) -- except under CI=true, where a
# missing peer is a failure (CI installs them with scripts/install-deps.sh).
set -euo pipefail

[ $# -eq 2 ] || {
    echo "usage: serve-kamailio.sh CLID_BINARY WORKDIR" >&2
    exit 64
}
CLID=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
WORK=$2
HERE=$(cd "$(dirname "$0")" && pwd)
SIPP_DIR=$HERE/sipp
# Calls per case, rate (calls/s), forged calls, r1's request count that
# triggers the kill/freeze.
N=${SK_CALLS:-200}
RATE=${SK_RATE:-25}
NFORGED=${SK_FORGED:-20}
TRIGGER=${SK_TRIGGER:-40}
# Kamailio's async_workers (HTTP calls in flight at once), set in the site file
ASYNC_WORKERS=4

# shellcheck source=SCRIPTDIR/../lib/rig.sh
. "$HERE/../lib/rig.sh"

# --- what is needed -----------------------------------------------------------
RIG_CI_STRICT=1
command -v kamailio >/dev/null || rig_skip "kamailio is not installed"
command -v sipp >/dev/null || rig_skip "sipp (Debian sip-tester) is not installed"
command -v kamcmd >/dev/null || rig_skip "kamcmd (Debian kamailio) is not installed"
rig_find_modules tm || rig_skip "no Kamailio module directory"
for m in http_client jansson dispatcher async; do
    [ -f "$MPATH$m.so" ] || rig_skip "the Kamailio module $m is not installed (kamailio-utils-modules / kamailio-extra-modules)"
done
rig_need_tools python3 curl jq ss timeout

rig_workdir "$WORK" .serve-kamailio

# --- processes: started here, tracked, stopped by PID (lib/rig.sh) -----------------
KPID= # the current Kamailio
rig_hook_report() {
    if [ -n "${CASE_DIR:-}" ] && [ -f "$CASE_DIR/kamailio.log" ]; then
        echo "--- last lines of $CASE_DIR/kamailio.log"
        grep -v 'clidapi con=' "$CASE_DIR/kamailio.log" | tail -n 15 | cut -c1-300
    fi
}
# Kamailio's children end with their main process (it was started with -DD
# and stopped by its PID): waited for by their pid-file argument.
RIG_LEFTOVER_PATTERN="-P $WORK/"
RIG_RM_WORK_ON_PASS=1
rig_traps
WATCHDOG_S=${SK_WATCHDOG:-400}
rig_watchdog "$WATCHDOG_S"

# --- PKI and the clid serve configuration (as tools/tests/serve_lib.sh) ----------
cd "$WORK"
TOKEN=serve-kamailio-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
ORIG=12025550100
DEST=12025550101
"$CLID" ca init ca --name "serve kamailio test" --org "serve kamailio test" >/dev/null ||
    fatal "clid ca init"
"$CLID" ca issue ca --spc 1001 --out sp >/dev/null || fatal "clid ca issue"
printf '# signing tokens\n%s\n' "$TOKEN" >tokens.txt
jq -n --arg d "$WORK" '{
    listen: [{address: "127.0.0.1", port: 0}],
    limits: {threads: 2, connection_timeout_s: 30, request_timeout_s: 10},
    auth: {signing_tokens_file: ($d + "/tokens.txt")},
    verify: {trust: [($d + "/ca/root.pem")], crl_policy: "ignore",
             x5u_map: {"https://cert.example/sp.pem": ($d + "/sp.pem")}},
    sign: {key: ($d + "/sp.key"), cert: ($d + "/sp.pem"),
           x5u: "https://cert.example/sp.pem"}
}' >serve.json
pass "PKI made with clid ca, serve configuration with a signing token"

# requests PORT: requests clid serve answered on signing and sip (/metrics)
requests() {
    curl -s --max-time 5 "http://127.0.0.1:$1/metrics" |
        awk '/^clid_serve_requests_total\{endpoint="(signing|sip)"/ { n += $2 } END { print n + 0 }'
}
# sign_identity PORT: an Identity value for ORIG -> DEST from that replica
sign_identity() {
    curl -s --max-time 10 -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" \
        -d "{\"signingRequest\":{\"attest\":\"A\",\"orig\":{\"tn\":\"$ORIG\"},\"dest\":{\"tn\":[\"$DEST\"]}}}" \
        "http://127.0.0.1:$1/stir/v1/signing" | jq -r .signingResponse.identity
}

# kamailio_start DIR: Kamailio on two fresh UDP ports with the replicas
# R1PORT and R2PORT; sets KPID, OUT_PORT, IN_PORT.
kamailio_start() {
    local dir=$1 r
    OUT_PORT=$(free_udp_port)
    IN_PORT=$(free_udp_port)
    while [ "$IN_PORT" = "$OUT_PORT" ] || [ "$IN_PORT" = "$UAS_PORT" ]; do IN_PORT=$(free_udp_port); done
    while [ "$OUT_PORT" = "$UAS_PORT" ]; do OUT_PORT=$(free_udp_port); done
    : >"$dir/httpcon.cfg"
    : >"$dir/dispatcher.list"
    for r in 1 2; do
        local port_var=R${r}PORT
        printf '[r%s]\nurl = http://127.0.0.1:%s\ntimeout = 2\n\n' \
            "$r" "${!port_var}" >>"$dir/httpcon.cfg"
        printf '1 sip:127.0.0.1:%s 0 0 con=r%s\n' "${!port_var}" "$r" >>"$dir/dispatcher.list"
    done
    # The site file: this run's values, then the configuration under test.
    # The token is in a file, not on a command line that ps shows.
    cat >"$dir/site.cfg" <<EOF
#!KAMAILIO
#!define LISTEN_OUT udp:127.0.0.1:$OUT_PORT
#!define LISTEN_IN udp:127.0.0.1:$IN_PORT
#!define IN_PORT $IN_PORT
#!define PEER_URI "sip:127.0.0.1:$IN_PORT"
#!define UAS_URI "sip:127.0.0.1:$UAS_PORT"
#!define HTTPCON_FILE "$dir/httpcon.cfg"
#!define DS_LIST "$dir/dispatcher.list"
#!define CTL_SOCKET "unix:$dir/ctl"
#!define MPATH "$MPATH"
#!define ASYNC_WORKERS $ASYNC_WORKERS
#!define CLID_SIGN_CTYPE "application/json\\r\\nAuthorization: Bearer $TOKEN"
include_file "$HERE/kamailio.cfg"
EOF
    chmod 600 "$dir/site.cfg"
    rig_kamailio_run "$dir" "$OUT_PORT" "$IN_PORT"
}

# ds_flags DIR PORT: dispatcher flags of sip:127.0.0.1:PORT (AP active, IP/IX inactive)
ds_flags() {
    kamcmd -s "unix:$1/ctl" dispatcher.list 2>/dev/null |
        awk -v u="sip:127.0.0.1:$2" '$1 == "URI:" && $2 == u { f = 1; next } f && $1 == "FLAGS:" { print $2; exit }'
}

# run_case NAME ACTION: one full run (see the header); ACTION is kill or freeze
run_case() {
    local name=$1 action=$2 dir=$WORK/$1 t0 forged uas_rc uac_rc forged_rc n r1_before
    CASE_DIR=$dir
    mkdir -p "$dir"
    echo "--- case $name: $N calls at $RATE/s + $NFORGED forged, r1 gets SIG$([ "$action" = kill ] && echo KILL || echo STOP) at >= $TRIGGER requests"
    t0=$(date +%s)
    rig_serve_start "$dir" r1 "$WORK/serve.json"
    R1PID=$SPID R1PORT=$SPORT
    rig_serve_start "$dir" r2 "$WORK/serve.json"
    R2PID=$SPID R2PORT=$SPORT
    pass "$name: replicas r1 (pid $R1PID, port $R1PORT) and r2 (pid $R2PID, port $R2PORT)"
    UAS_PORT=$(free_udp_port)
    kamailio_start "$dir"
    pass "$name: Kamailio pid $KPID, outbound udp:$OUT_PORT, inbound udp:$IN_PORT"
    expect "$name: dispatcher has r1 and r2 active" "A A" "$(ds_flags "$dir" "$R1PORT" | cut -c1) $(ds_flags "$dir" "$R2PORT" | cut -c1)"

    # A forged Identity: a real one for ORIG -> DEST with one character
    # of the signature changed.
    local good
    good=$(sign_identity "$R2PORT")
    [[ $good == *.*.*\;info=* ]] || fatal "$name: no Identity from r2's signing endpoint: $good"
    forged=$(printf '%s' "$good" | perl -pe 's/^([^.]*\.[^.]*\.[A-Za-z0-9_-]{10})(.)/$1 . ($2 eq "A" ? "B" : "A")/e')
    [ "$forged" != "$good" ] || fatal "$name: could not forge"

    local sipp_common=(-i 127.0.0.1 -nostdin -timeout 120s -timeout_error -trace_logs -trace_err)
    timeout 150 sipp -sf "$SIPP_DIR/uas_in.xml" -p "$UAS_PORT" -m "$N" "${sipp_common[@]}" \
        -log_file "$dir/uas.log" -error_file "$dir/uas.err" >"$dir/uas.out" 2>&1 &
    local uas_pid=$!
    rig_track "$uas_pid"
    rig_wait_udp "$uas_pid" 200 "$UAS_PORT" || fatal "$name: SIPp UAS not listening on $UAS_PORT"
    timeout 150 sipp "127.0.0.1:$IN_PORT" -sf "$SIPP_DIR/uac_forged.xml" -s "$DEST" -key orig "$ORIG" \
        -key identity "$forged" -m "$NFORGED" -r 5 "${sipp_common[@]}" \
        -log_file "$dir/forged.log" -error_file "$dir/forged.err" >"$dir/forged.out" 2>&1 &
    local forged_pid=$!
    rig_track "$forged_pid"
    timeout 150 sipp "127.0.0.1:$OUT_PORT" -sf "$SIPP_DIR/uac_out.xml" -s "$DEST" -key orig "$ORIG" \
        -m "$N" -r "$RATE" -l 50 "${sipp_common[@]}" \
        -log_file "$dir/uac.log" -error_file "$dir/uac.err" >"$dir/uac.out" 2>&1 &
    local uac_pid=$!
    rig_track "$uac_pid"

    # The trigger: r1's own request count, polled (bounded by the UAC's run).
    n=0
    while kill -0 "$uac_pid" 2>/dev/null; do
        n=$(requests "$R1PORT")
        [ "$n" -ge "$TRIGGER" ] && break
        sleep 0.05
    done
    [ "$n" -ge "$TRIGGER" ] || fatal "$name: r1 served only $n requests before the UAC ended"
    if [ "$action" = kill ]; then
        disown "$R1PID" # no "Killed" job notice in the output
        kill -KILL "$R1PID"
        pass "$name: r1 SIGKILLed after it answered $n requests"
    else
        kill -STOP "$R1PID"
        pass "$name: r1 SIGSTOPped after it answered $n requests"
    fi
    r1_before=$n

    uac_rc=0 forged_rc=0 uas_rc=0
    rig_wait "$uac_pid" || uac_rc=$?
    rig_wait "$forged_pid" || forged_rc=$?
    rig_wait "$uas_pid" || uas_rc=$?
    expect "$name: SIPp UAC exit status" 0 "$uac_rc"
    expect "$name: calls answered 200 at the UAC" "$N" "$(grep -c ';200$' "$dir/uac.log" 2>/dev/null || true)"
    expect "$name: SIPp UAS exit status" 0 "$uas_rc"
    expect "$name: INVITEs at the UAS with Identity and verstat=TN-Validation-Passed" "$N" \
        "$(grep -c ';verstat=TN-Validation-Passed$' "$dir/uas.log" 2>/dev/null || true)"
    expect "$name: forged SIPp UAC exit status" 0 "$forged_rc"
    expect "$name: forged calls refused 438" "$NFORGED" "$(grep -c ';438$' "$dir/forged.log" 2>/dev/null || true)"

    # Kamailio's view: one clidapi line per HTTP call.
    local log=$dir/kamailio.log fail_line after fails_r1 ok_r2_after
    # (grep -m 1, not | head: with pipefail, a grep cut off by head's exit
    # would end the script with 141 when r1 failed on many calls)
    fail_line=$(grep -m 1 -n 'replica r1 .* failed' "$log" | cut -d: -f1 || true)
    if [ -n "$fail_line" ]; then
        pass "$name: Kamailio failed r1 over: $(sed -n "${fail_line}p" "$log" | sed 's/.*clid: //' | cut -c1-120)"
        # After its first failure r1 is inactive: the only calls to it
        # still logged are those other async workers had in flight (or had
        # selected r1 for) at that moment, at most one or two per worker;
        # without the mark, round robin would send it half of the rest.
        after=$(tail -n +"$((fail_line + 1))" "$log" | grep -c 'clidapi con=r1 ' || true)
        if [ "$after" -le $((2 * ASYNC_WORKERS)) ]; then
            pass "$name: calls to r1 logged after its first failure: $after (in flight then, <= $((2 * ASYNC_WORKERS)))"
        else
            fail "$name: $after calls to r1 after its first failure (more than the $((2 * ASYNC_WORKERS)) in flight)"
        fi
        ok_r2_after=$(tail -n +"$fail_line" "$log" | grep -c 'clidapi con=r2 .*code=200 ' || true)
        if [ "$ok_r2_after" -gt 0 ]; then
            pass "$name: r2 answered $ok_r2_after calls after r1's first failure"
        else
            fail "$name: r2 answered nothing after r1's first failure"
        fi
    else
        fail "$name: no failover of r1 in $log"
    fi
    fails_r1=$(grep -c 'replica r1 .* failed' "$log" || true)
    if [ "$action" = freeze ]; then
        if grep -q 'replica r1 .* failed on .*: code 28' "$log"; then
            pass "$name: r1's hang ended by http_client's timeout (curl 28), $fails_r1 failed call(s)"
        else
            fail "$name: no curl timeout (28) on r1: $(grep 'replica r1 .* failed' "$log" | head -n 3)"
        fi
    fi
    # (a replica marked inactive though alive, e.g. r2 slower than the
    # timeout once on a loaded machine, shows here)
    expect "$name: API calls with no active replica left" 0 \
        "$(grep -c 'no clid serve replica left\|no active clid serve replica' "$log" || true)"
    expect "$name: dispatcher shows r1 inactive, r2 active" "I A" \
        "$(ds_flags "$dir" "$R1PORT" | cut -c1) $(ds_flags "$dir" "$R2PORT" | cut -c1)"

    if [ "$action" = freeze ]; then
        # r1 comes back: SIGCONT, the operator sets it active again, and it
        # takes calls again.
        kill -CONT "$R1PID"
        for _ in $(seq 100); do
            curl -s --max-time 2 -o /dev/null "http://127.0.0.1:$R1PORT/healthz" && break
            sleep 0.1
        done
        n=$(requests "$R1PORT")
        # What r1 answered after it thawed: the requests that were stuck in
        # it (each timed out at Kamailio and was retried on r2), no more.
        # (plus the few it answered between the last poll and SIGSTOP)
        if [ $((n - r1_before)) -le $((3 * ASYNC_WORKERS)) ]; then
            pass "$name: requests r1 took while frozen: $((n - r1_before)) (<= $((3 * ASYNC_WORKERS)))"
        else
            fail "$name: r1 took $((n - r1_before)) requests while frozen"
        fi
        r1_before=$n
        kamcmd -s "unix:$dir/ctl" dispatcher.set_state a 1 "sip:127.0.0.1:$R1PORT" >/dev/null ||
            fail "$name: kamcmd dispatcher.set_state"
        expect "$name: r1 active again after dispatcher.set_state" A "$(ds_flags "$dir" "$R1PORT" | cut -c1)"
        timeout 150 sipp -sf "$SIPP_DIR/uas_in.xml" -p "$UAS_PORT" -m 10 "${sipp_common[@]}" \
            -log_file "$dir/uas2.log" -error_file "$dir/uas2.err" >"$dir/uas2.out" 2>&1 &
        uas_pid=$!
        rig_track "$uas_pid"
        rig_wait_udp "$uas_pid" 200 "$UAS_PORT" || true
        uac_rc=0 uas_rc=0
        timeout 150 sipp "127.0.0.1:$OUT_PORT" -sf "$SIPP_DIR/uac_out.xml" -s "$DEST" -key orig "$ORIG" \
            -m 10 -r 10 "${sipp_common[@]}" -log_file "$dir/uac2.log" -error_file "$dir/uac2.err" \
            >"$dir/uac2.out" 2>&1 || uac_rc=$?
        rig_wait "$uas_pid" || uas_rc=$?
        expect "$name: 10 more calls after r1's return (UAC, UAS exit)" "0 0" "$uac_rc $uas_rc"
        n=$(requests "$R1PORT")
        if [ "$n" -gt "$r1_before" ]; then
            pass "$name: r1 answered $((n - r1_before)) of those calls' requests"
        else
            fail "$name: r1 answered nothing after it was set active again"
        fi
    fi

    # Stop by PID: Kamailio, then the replicas (r2 and a thawed r1 must
    # exit 0 on SIGTERM: ASan's leak check runs then).
    stop_pid "$KPID"
    local rc=0
    kill -TERM "$R2PID"
    rig_wait "$R2PID" || rc=$?
    expect "$name: r2 exits 0 on SIGTERM" 0 "$rc"
    if [ "$action" = freeze ]; then
        rc=0
        kill -TERM "$R1PID"
        rig_wait "$R1PID" || rc=$?
        expect "$name: r1 (thawed) exits 0 on SIGTERM" 0 "$rc"
    else
        rig_wait "$R1PID" 2>/dev/null || true
    fi
    echo "     ($name took $(($(date +%s) - t0)) s)"
}

run_case kill kill
run_case freeze freeze

rig_summary || exit 1
