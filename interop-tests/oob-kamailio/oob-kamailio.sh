#!/usr/bin/env bash
# Out-of-band SHAKEN end to end (issue 12 item 4; docs/oob.md): a call
# signed in SIP crosses a hop that drops every Identity header (standing in
# for an ISUP/TDM segment) and is verified at the far edge through a Call
# Placement Service.
#
#   oob-kamailio.sh CLID_BINARY WORKDIR
#
# Three `clid serve`: "orig" (the originating provider, SPC 1234: signing
# and the egress gateway), "cps" (the CPS) and "term" (the terminating
# provider, SPC 5678: the ingress gateway). One Kamailio 5.6 with four
# listeners (kamailio.cfg): customers (sign) -> egress (POST
# /stir/v1/oob/egress: publish) -> TDM hop (Identity removed) -> ingress
# (POST /stir/v1/oob/ingress: retrieve, verify, add Identity and verstat)
# -> the SIPp UAS, which logs per call the called number, the verstat of
# P-Asserted-Identity and whether an Identity header came.
#
# Run twice, with the CPS's memory store and with Redis (a private
# redis-server on a Unix socket in WORKDIR, started and stopped by PID).
# With Redis, two CPS replicas share it: orig publishes to "cps", term
# retrieves from "cps2", and the replayed publish token's second use goes
# to cps2 (records and jtis shared).
# Each run checks, at the UAS:
#   positive   OOB_CALLS calls from a customer: TN-Validation-Passed + Identity
#   no record  a call sent straight to the TDM hop (egress skipped):
#              No-TN-Validation, no Identity
#   other      a record published (egress endpoint, curl) for another called
#              number, which the ingress retrieves (control); the call to
#              this number: No-TN-Validation
#   unauth     a publish whose token is signed by a certificate of SPC 9999
#              with iss 1234: 403 CLID_ERR_OOB_SPC_NOT_AUTHORIZED; the call:
#              No-TN-Validation
#   forged     a PASSporT with one signature character changed, published
#              with a valid token (the CPS does not check PASSporT
#              signatures, the retriever does): TN-Validation-Failed, no
#              Identity
#   expired    a record kept 1 s (exp = iat + 1), called after it expired:
#              No-TN-Validation, while a record kept 60 s published at the
#              same time still passes (control)
#   spc        a record published by `clid oob publish --spc 5678` (only
#              SPC 5678 may retrieve it, ATIS-1000105): `clid oob retrieve`
#              with SPC 9999's certificate gets nothing (exit 2), the call
#              through term (SPC 5678): TN-Validation-Passed + Identity
# and at the HTTP level (curl, tokens made by oob_token.py with PyJWT):
#   replay     the same publish token twice: 201 then 409
#              CLID_ERR_OOB_TOKEN_REPLAY; the same retrieve token twice: 200 then 409
# Everything listens on 127.0.0.1 on kernel-picked ports; every process
# started here is stopped by its PID; WORKDIR is removed when the test
# passes. Exit status: 0 passed, 1 a check failed, 77 kamailio, sipp,
# redis-server, PyJWT or a Kamailio module is missing (ctest: skipped) --
# except under CI=true, where that is a failure.
set -euo pipefail

[ $# -eq 2 ] || {
    echo "usage: oob-kamailio.sh CLID_BINARY WORKDIR" >&2
    exit 64
}
CLID=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
WORK=$2
HERE=$(cd "$(dirname "$0")" && pwd)
SIPP_DIR=$HERE/sipp
PY=/usr/bin/python3 # Debian's interpreter: python3-jwt lives there
N=${OOB_CALLS:-20}
RATE=${OOB_RATE:-10}
STORES=${OOB_STORES:-memory redis}
ASYNC_WORKERS=4

# shellcheck source=SCRIPTDIR/../lib/rig.sh
. "$HERE/../lib/rig.sh"

# --- what is needed -----------------------------------------------------------
RIG_CI_STRICT=1
command -v kamailio >/dev/null || rig_skip "kamailio is not installed"
command -v sipp >/dev/null || rig_skip "sipp (Debian sip-tester) is not installed"
rig_find_modules tm || rig_skip "no Kamailio module directory"
for m in http_client jansson async; do
    [ -f "$MPATH$m.so" ] || rig_skip "the Kamailio module $m is not installed (kamailio-utils-modules / kamailio-extra-modules)"
done
case " $STORES " in
*" redis "*)
    command -v redis-server >/dev/null || rig_skip "redis-server is not installed"
    command -v redis-cli >/dev/null || rig_skip "redis-cli (Debian redis-tools) is not installed"
    ;;
esac
if ! [ -x "$PY" ] || ! "$PY" -c 'import jwt, cryptography' 2>/dev/null; then
    rig_skip "python3-jwt / python3-cryptography are not installed"
fi
rig_need_tools python3 curl jq ss timeout perl

rig_workdir "$WORK" .oob-kamailio

# --- processes: started here, tracked, stopped by PID (lib/rig.sh) -----------------
rig_hook_report() {
    if [ -n "${CASE_DIR:-}" ] && [ -f "$CASE_DIR/kamailio.log" ]; then
        echo "--- last lines of $CASE_DIR/kamailio.log"
        grep -v 'oobapi ' "$CASE_DIR/kamailio.log" | tail -n 15 | cut -c1-300
    fi
}
# (after Redis, tracked, was stopped)
rig_hook_done() {
    [ -z "${REDIS_TMP:-}" ] || rm -rf "$REDIS_TMP"
}
# Kamailio's children end with their main process (started with -DD,
# stopped by its PID): waited for by their pid-file argument.
RIG_LEFTOVER_PATTERN="-P $WORK/"
RIG_RM_WORK_ON_PASS=1
rig_traps
WATCHDOG_S=${OOB_WATCHDOG:-240}
rig_watchdog "$WATCHDOG_S"

# --- PKI, numbers -----------------------------------------------------------------
cd "$WORK"
TOKEN=oob-kamailio-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
AUD=cps.test
ORIG=12025550100
DEST_OK=12025550101      # positive: published at the egress
DEST_NOREC=12025550102   # nothing published
DEST_OTHER=12025550103   # nothing for it; a record for DEST_OTHER_REC
DEST_OTHER_REC=12025550104
DEST_UNAUTH=12025550105  # publish refused 403
DEST_FORGED=12025550106  # a forged PASSporT stored
DEST_EXPIRED=12025550107 # kept 1 s
DEST_KEPT=12025550108    # kept 60 s, published with DEST_EXPIRED
DEST_REPLAY=12025550109  # HTTP level only
DEST_SPC=12025550110     # restricted to SPC 5678 (ATIS-1000105)
X5U=https://cert.example
"$CLID" ca init ca --name "oob kamailio test" --org "oob kamailio test" >/dev/null ||
    fatal "clid ca init"
for spc in 1234 5678 9999; do
    "$CLID" ca issue ca --spc "$spc" --out "sp$spc" >/dev/null || fatal "clid ca issue --spc $spc"
done
printf '# signing tokens\n%s\n' "$TOKEN" >tokens.txt
pass "PKI made with clid ca: SHAKEN certificates of SPC 1234 (orig), 5678 (term), 9999 (no authority for 1234)"

verify_json() {
    jq -n --arg d "$WORK" --arg u "$X5U" '{trust: [($d + "/ca/root.pem")], crl_policy: "ignore",
        x5u_map: {($u + "/sp1234.pem"): ($d + "/sp1234.pem"), ($u + "/sp5678.pem"): ($d + "/sp5678.pem"),
                  ($u + "/sp9999.pem"): ($d + "/sp9999.pem")}}'
}
cps_config() { # DIR STORE [REDIS_SOCKET]
    local cps
    if [ "$2" = redis ]; then
        cps=$(jq -n --arg a "$AUD" --arg s "$3" '{aud: $a, store: "redis", redis: {socket: $s}}')
    else
        cps=$(jq -n --arg a "$AUD" '{aud: $a, store: "memory", max_records: 1000}')
    fi
    jq -n --argjson v "$(verify_json)" --argjson c "$cps" '{
        listen: [{address: "127.0.0.1", port: 0}],
        limits: {threads: 2, connection_timeout_s: 30, request_timeout_s: 10},
        verify: $v, oob: {cps: $c}}' >"$1/cps.json"
}
gateway_config() { # FILE SPC CPS_PORT BUDGET_MS
    jq -n --arg d "$WORK" --arg u "$X5U" --arg spc "$2" --arg a "$AUD" \
        --argjson v "$(verify_json)" --argjson p "$3" --argjson b "$4" '{
        listen: [{address: "127.0.0.1", port: 0}],
        limits: {threads: 4, connection_timeout_s: 30, request_timeout_s: 10},
        auth: {signing_tokens_file: ($d + "/tokens.txt")},
        verify: $v,
        sign: {key: ($d + "/sp" + $spc + ".key"), cert: ($d + "/sp" + $spc + ".pem"),
               x5u: ($u + "/sp" + $spc + ".pem")},
        oob: {gateway: {cps_url: ("http://127.0.0.1:" + ($p | tostring) + "/"), aud: $a,
                        budget_ms: $b, retry_ms: 100, allow_http: true, allow_private: true}}}' >"$1"
}

# sip_request DEST [IDENTITY]: an INVITE ORIG -> DEST, CRLF line ends
sip_request() {
    printf 'INVITE sip:%s@127.0.0.1 SIP/2.0\r\n' "$1"
    printf 'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-oob-%s\r\n' "$RANDOM$RANDOM"
    printf 'From: <sip:%s@127.0.0.1>;tag=oob%s\r\n' "$ORIG" "$RANDOM"
    printf 'To: <sip:%s@127.0.0.1>\r\n' "$1"
    printf 'Call-ID: oob-%s-%s@127.0.0.1\r\n' "$1" "$RANDOM$RANDOM"
    printf 'CSeq: 1 INVITE\r\nMax-Forwards: 70\r\n'
    printf 'P-Asserted-Identity: <sip:%s@127.0.0.1>\r\n' "$ORIG"
    [ -z "${2:-}" ] || printf 'Identity: %s\r\n' "$2"
    printf 'Content-Length: 0\r\n\r\n'
}
# sign_identity DEST: an Identity value ORIG -> DEST from the orig service
sign_identity() {
    curl -s --max-time 10 -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" \
        -d "{\"signingRequest\":{\"attest\":\"A\",\"orig\":{\"tn\":\"$ORIG\"},\"dest\":{\"tn\":[\"$1\"]}}}" \
        "http://127.0.0.1:$ORIG_PORT/stir/v1/signing" | jq -r .signingResponse.identity
}
# gateway POST: gw_post PORT ENDPOINT FILE -> "STATUS BODY" on stdout
gw_post() {
    curl -s --max-time 10 -o "$3.resp" -w '%{http_code}' -H 'Content-Type: message/sipfrag' \
        -H "Authorization: Bearer $TOKEN" --data-binary "@$3" "http://127.0.0.1:$1/stir/v1/oob/$2"
}
# cps_publish DIR NAME KEY_SPC ISS DEST TTL PASSPORT: HTTP status; the
# token is kept in DIR/NAME.jwt, the answer in DIR/NAME.resp
cps_publish() {
    local dir=$1 name=$2
    printf '["%s"]' "$7" >"$dir/$name.pp.json"
    "$PY" "$HERE/oob_token.py" body "$dir/$name.pp.json" >"$dir/$name.body"
    local try code
    for try in 1 2 3; do
        "$PY" "$HERE/oob_token.py" token "$WORK/sp$3.key" "$X5U/sp$3.pem" publish "$4" "$AUD" \
            "$ORIG" "$5" "$6" "$dir/$name.pp.json" >"$dir/$name.jwt" || fatal "oob_token.py token"
        code=$(cps_post_again "$dir" "$name" "$5")
        # A 1 s token can expire on its way on a busy box (the CPS's clock
        # is past its exp): that is not what is tested, make a new one.
        if [ "$code" != 401 ] || [ "$6" -gt 2 ] || [ "$try" -eq 3 ] ||
            [ "$(jq -r .error.code "$dir/$name.resp" 2>/dev/null)" != CLID_ERR_OOB_TOKEN_EXPIRED ]; then
            break
        fi
        echo "     ($name: the 1 s token expired in transit, try $((try + 1)))" >&2
    done
    printf '%s' "$code"
}
cps_post_again() { # DIR NAME DEST [PORT]: the same token and body once more (to CPS_PORT)
    curl -s --max-time 10 -o "$1/$2.resp" -w '%{http_code}' -H 'Content-Type: application/json' \
        -H "Authorization: Bearer $(cat "$1/$2.jwt")" --data-binary "@$1/$2.body" \
        "http://127.0.0.1:${4:-$CPS_PORT}/passports/$3/$ORIG"
}
# cps_count PORT KIND: clid_serve_oob_cps_total{kind=KIND} of that CPS
cps_count() {
    curl -s --max-time 5 "http://127.0.0.1:$1/metrics" |
        awk -v k="kind=\"$2\"" '/^clid_serve_oob_cps_total\{/ && index($0, k) { n += $2 } END { print n + 0 }'
}
jws_of() { printf '%s' "${1%%;*}"; } # the PASSporT of an Identity value

# kamailio_start DIR: Kamailio on four fresh UDP ports; sets KPID and the ports
kamailio_start() {
    local dir=$1 p ports=()
    while [ ${#ports[@]} -lt 4 ]; do
        p=$(free_udp_port)
        [ "$p" = "$UAS_PORT" ] && continue
        [[ " ${ports[*]} " == *" $p "* ]] && continue
        ports+=("$p")
    done
    OUT_PORT=${ports[0]} EGRESS_PORT=${ports[1]} TDM_PORT=${ports[2]} INGRESS_PORT=${ports[3]}
    printf '[orig]\nurl = http://127.0.0.1:%s\ntimeout = 5\n\n[term]\nurl = http://127.0.0.1:%s\ntimeout = 5\n' \
        "$ORIG_PORT" "$TERM_PORT" >"$dir/httpcon.cfg"
    cat >"$dir/site.cfg" <<EOF
#!KAMAILIO
#!define LISTEN_OUT udp:127.0.0.1:$OUT_PORT
#!define LISTEN_EGRESS udp:127.0.0.1:$EGRESS_PORT
#!define LISTEN_TDM udp:127.0.0.1:$TDM_PORT
#!define LISTEN_INGRESS udp:127.0.0.1:$INGRESS_PORT
#!define OUT_PORT $OUT_PORT
#!define EGRESS_PORT $EGRESS_PORT
#!define TDM_PORT $TDM_PORT
#!define INGRESS_PORT $INGRESS_PORT
#!define EGRESS_URI "sip:127.0.0.1:$EGRESS_PORT"
#!define TDM_URI "sip:127.0.0.1:$TDM_PORT"
#!define INGRESS_URI "sip:127.0.0.1:$INGRESS_PORT"
#!define UAS_URI "sip:127.0.0.1:$UAS_PORT"
#!define HTTPCON_FILE "$dir/httpcon.cfg"
#!define CTL_SOCKET "unix:$dir/ctl"
#!define MPATH "$MPATH"
#!define ASYNC_WORKERS $ASYNC_WORKERS
#!define ORIG_JSON_CTYPE "application/json\\r\\nAuthorization: Bearer $TOKEN"
#!define ORIG_SIP_CTYPE "message/sipfrag\\r\\nAuthorization: Bearer $TOKEN"
#!define TERM_SIP_CTYPE "message/sipfrag\\r\\nAuthorization: Bearer $TOKEN"
include_file "$HERE/kamailio.cfg"
EOF
    chmod 600 "$dir/site.cfg"
    rig_kamailio_run "$dir" "$OUT_PORT" "$EGRESS_PORT" "$TDM_PORT" "$INGRESS_PORT"
}

# redis_start DIR: a private redis-server on a Unix socket; sets REDIS_PID, REDIS_SOCK
redis_start() {
    local rdir=$1/redis
    mkdir -p "$rdir"
    # sun_path holds 108 bytes (unix(7)): a deep build directory gets a
    # short temporary one, removed with the run
    if [ ${#rdir} -gt 90 ]; then
        rdir=$(mktemp -d /tmp/clid-oob-redis.XXXXXX)
        REDIS_TMP=$rdir
    fi
    REDIS_SOCK=$rdir/r.sock
    redis-server --port 0 --unixsocket "$REDIS_SOCK" --unixsocketperm 700 --save '' --appendonly no \
        --daemonize no --dir "$rdir" --logfile "$rdir/redis.log" </dev/null >/dev/null 2>&1 &
    REDIS_PID=$!
    rig_track "$REDIS_PID"
    for _ in $(seq 200); do
        [ "$(redis-cli -s "$REDIS_SOCK" ping 2>/dev/null)" = PONG ] && return 0
        kill -0 "$REDIS_PID" 2>/dev/null || fatal "redis-server exited: $(tail -n 5 "$rdir/redis.log")"
        sleep 0.05
    done
    fatal "redis-server not answering on $REDIS_SOCK after 10 s"
}

# uas_lines DIR DEST: what the UAS logged for calls to DEST ("dest;verstat;identity")
uas_lines() {
    grep "^$2;" "$1/uas.log" 2>/dev/null | tr -d '\r' | sed 's/;verstat=/;/; s/;Identity: *[^;]*;info=$/;Identity/' |
        sort | uniq -c | sed 's/^ *//' | tr '\n' '|'
}

# tdm_call DIR NAME DEST: one SIPp call straight to the TDM hop, with a
# valid in-band Identity for ORIG -> DEST that the hop must remove
tdm_call() {
    local dir=$1 name=$2 id rc=0
    id=$(sign_identity "$3")
    [[ $id == *.*.*\;info=* ]] || fatal "$name: no Identity from the signing endpoint: $id"
    timeout 60 sipp "127.0.0.1:$TDM_PORT" -sf "$SIPP_DIR/uac_tdm.xml" -s "$3" -key orig "$ORIG" \
        -key identity "$id" -m 1 "${SIPP_COMMON[@]}" \
        -log_file "$dir/$name.log" -error_file "$dir/$name.err" >"$dir/$name.out" 2>&1 || rc=$?
    expect "$name: SIPp call to $3 straight to the TDM hop answered 200" "0 1" \
        "$rc $(grep -c ';200$' "$dir/$name.log" 2>/dev/null || true)"
}

SIPP_COMMON=(-i 127.0.0.1 -nostdin -timeout 50s -timeout_error -trace_logs -trace_err)

# run_store STORE: one full run (see the header) with that CPS store
run_store() {
    local store=$1 dir=$WORK/$1 t0 rc st code id resp exp_at
    CASE_DIR=$dir
    mkdir -p "$dir"
    echo "--- store $store: $N calls at $RATE/s + the negatives"
    t0=$(date +%s)
    REDIS_PID='' REDIS_SOCK='' REDIS_TMP=''
    [ "$store" = redis ] && redis_start "$dir"
    cps_config "$dir" "$store" "$REDIS_SOCK"
    rig_serve_start "$dir" cps "$dir/cps.json"
    CPS_PID=$SPID CPS_PORT=$SPORT
    CPS2_PID='' CPS2_PORT=$CPS_PORT
    if [ "$store" = redis ]; then
        # Two CPS replicas on one Redis: the originating provider publishes
        # to cps, the terminating one retrieves from cps2, so every call
        # that passes crossed replicas through the shared store.
        rig_serve_start "$dir" cps2 "$dir/cps.json"
        CPS2_PID=$SPID CPS2_PORT=$SPORT
        pass "$store: second CPS replica cps2 (port $CPS2_PORT) on the same Redis"
    fi
    gateway_config "$dir/orig.json" 1234 "$CPS_PORT" 2000
    gateway_config "$dir/term.json" 5678 "$CPS2_PORT" 1000
    rig_serve_start "$dir" orig "$dir/orig.json"
    ORIG_PID=$SPID ORIG_PORT=$SPORT
    rig_serve_start "$dir" term "$dir/term.json"
    TERM_PID=$SPID TERM_PORT=$SPORT
    pass "$store: clid serve cps (port $CPS_PORT), orig (SPC 1234, $ORIG_PORT), term (SPC 5678, $TERM_PORT)"
    resp=$(curl -s --max-time 5 -w '\n%{http_code}' "http://127.0.0.1:$CPS_PORT/health" || true)
    expect "$store: CPS /health" "200 ok $store" \
        "${resp##*$'\n'} $(jq -r '.status + " " + .store' <<<"${resp%$'\n'*}" 2>/dev/null)"

    UAS_PORT=$(free_udp_port)
    kamailio_start "$dir"
    pass "$store: Kamailio pid $KPID: customers udp:$OUT_PORT, egress udp:$EGRESS_PORT, TDM udp:$TDM_PORT, ingress udp:$INGRESS_PORT"

    # the callee: every call of this run (positive + 6 straight to TDM)
    local total=$((N + 6))
    timeout 90 sipp -sf "$SIPP_DIR/uas_oob.xml" -p "$UAS_PORT" -m "$total" "${SIPP_COMMON[@]}" \
        -log_file "$dir/uas.log" -error_file "$dir/uas.err" >"$dir/uas.out" 2>&1 &
    local uas_pid=$!
    rig_track "$uas_pid"
    rig_wait_udp "$uas_pid" 200 "$UAS_PORT" || fatal "$store: SIPp UAS not listening on $UAS_PORT"

    # positive: customers' calls through sign -> egress -> TDM -> ingress
    rc=0
    timeout 60 sipp "127.0.0.1:$OUT_PORT" -sf "$SIPP_DIR/uac_out.xml" -s "$DEST_OK" -key orig "$ORIG" \
        -m "$N" -r "$RATE" -l 20 "${SIPP_COMMON[@]}" \
        -log_file "$dir/uac.log" -error_file "$dir/uac.err" >"$dir/uac.out" 2>&1 || rc=$?
    expect "$store: SIPp customer UAC exit status" 0 "$rc"
    expect "$store: customer calls answered 200" "$N" "$(grep -c ';200$' "$dir/uac.log" 2>/dev/null || true)"

    # no record: the egress never saw this call
    tdm_call "$dir" norec "$DEST_NOREC"

    # other number: a record for DEST_OTHER_REC (through the egress
    # endpoint), retrievable (control), and a call to DEST_OTHER
    id=$(sign_identity "$DEST_OTHER_REC")
    sip_request "$DEST_OTHER_REC" "$id" >"$dir/other_rec.sip"
    code=$(gw_post "$ORIG_PORT" egress "$dir/other_rec.sip")
    expect "$store: egress endpoint publishes the record for $DEST_OTHER_REC" "200 1" \
        "$code $(jq -r .oobEgressResponse.published "$dir/other_rec.sip.resp" 2>/dev/null)"
    sip_request "$DEST_OTHER_REC" >"$dir/other_rec_in.sip"
    code=$(gw_post "$TERM_PORT" ingress "$dir/other_rec_in.sip")
    expect "$store: ingress endpoint finds and verifies it (control)" "200 TN-Validation-Passed" \
        "$code $(jq -r .oobIngressResponse.verstat "$dir/other_rec_in.sip.resp" 2>/dev/null)"
    tdm_call "$dir" other "$DEST_OTHER"

    # a certificate without authority for the SPC it claims: SPC 9999's
    # certificate signs a token with iss 1234 (ATIS-1000105; docs/oob.md)
    id=$(sign_identity "$DEST_UNAUTH")
    code=$(cps_publish "$dir" unauth 9999 1234 "$DEST_UNAUTH" 60 "$(jws_of "$id")")
    expect "$store: publish by SPC 9999's certificate with iss 1234 refused" \
        "403 CLID_ERR_OOB_SPC_NOT_AUTHORIZED" "$code $(jq -r .error.code "$dir/unauth.resp" 2>/dev/null)"
    tdm_call "$dir" unauth "$DEST_UNAUTH"

    # a forged PASSporT: accepted by the CPS, refused by the retriever
    id=$(jws_of "$(sign_identity "$DEST_FORGED")")
    local forged
    forged=$(printf '%s' "$id" | perl -pe 's/^([^.]*\.[^.]*\.[A-Za-z0-9_-]{10})(.)/$1 . ($2 eq "A" ? "B" : "A")/e')
    [ "$forged" != "$id" ] || fatal "$store: could not forge"
    code=$(cps_publish "$dir" forged 1234 1234 "$DEST_FORGED" 60 "$forged")
    expect "$store: a forged PASSporT is stored (the CPS checks the token, not PASSporT signatures)" 201 "$code"
    tdm_call "$dir" forged "$DEST_FORGED"

    # replay, at the HTTP level: the same publish token twice, the same
    # retrieve token twice
    id=$(sign_identity "$DEST_REPLAY")
    code=$(cps_publish "$dir" replay 1234 1234 "$DEST_REPLAY" 60 "$(jws_of "$id")")
    expect "$store: publish token, first use" 201 "$code"
    # (with Redis the second use goes to the other replica: the jti
    # store is shared too)
    code=$(cps_post_again "$dir" replay "$DEST_REPLAY" "$CPS2_PORT")
    expect "$store: publish token, second use refused (port $CPS2_PORT)" "409 CLID_ERR_OOB_TOKEN_REPLAY" \
        "$code $(jq -r .error.code "$dir/replay.resp" 2>/dev/null)"
    "$PY" "$HERE/oob_token.py" token "$WORK/sp5678.key" "$X5U/sp5678.pem" retrieve 5678 "$AUD" \
        "$ORIG" "$DEST_REPLAY" 30 >"$dir/retrieve.jwt" || fatal "oob_token.py token"
    local get=(curl -s --max-time 10 -o "$dir/retrieve.resp" -w '%{http_code}'
        -H "Authorization: Bearer $(cat "$dir/retrieve.jwt")" "http://127.0.0.1:$CPS_PORT/passports/$DEST_REPLAY/$ORIG")
    code=$("${get[@]}")
    local got
    got=$(jq -r '.passports[0]' "$dir/retrieve.resp" 2>/dev/null)
    [ "$got" = "$(jws_of "$id")" ] && got="the published PASSporT"
    expect "$store: retrieve token, first use" "200 the published PASSporT" "$code $got"
    code=$("${get[@]}")
    expect "$store: retrieve token, second use refused" "409 CLID_ERR_OOB_TOKEN_REPLAY" \
        "$code $(jq -r .error.code "$dir/retrieve.resp" 2>/dev/null)"

    # expiry: kept 1 s, called after; a record kept 60 s passes (control)
    code=$(cps_publish "$dir" expired 1234 1234 "$DEST_EXPIRED" 1 "$(jws_of "$(sign_identity "$DEST_EXPIRED")")")
    expect "$store: publish with retention 1 s" 201 "$code"
    exp_at=$(($(date +%s) + 1))
    code=$(cps_publish "$dir" kept 1234 1234 "$DEST_KEPT" 60 "$(jws_of "$(sign_identity "$DEST_KEPT")")")
    expect "$store: publish with retention 60 s" 201 "$code"
    # The record's exp is at most exp_at; a whole second more for the
    # CPS's clock (seconds) to be past it. A wait by the clock, not sync.
    while [ "$(date +%s)" -le $((exp_at + 1)) ]; do sleep 0.2; done
    if [ "$store" = redis ]; then
        expect "$store: Redis has no key left for the expired record" "" \
            "$(redis-cli -s "$REDIS_SOCK" --scan --pattern "*$DEST_EXPIRED*" 2>/dev/null)"
    fi
    tdm_call "$dir" expired "$DEST_EXPIRED"
    sip_request "$DEST_KEPT" >"$dir/kept_in.sip"
    code=$(gw_post "$TERM_PORT" ingress "$dir/kept_in.sip")
    expect "$store: the record kept 60 s still passes at the ingress (control)" "200 TN-Validation-Passed" \
        "$code $(jq -r .oobIngressResponse.verstat "$dir/kept_in.sip.resp" 2>/dev/null)"

    # ATIS-1000105: only SPC 5678 may retrieve; published and retrieved
    # with the clid oob tool
    local oob_common=(--aud "$AUD" --cps-allow-http --cps-allow-private --orig "$ORIG" --dest "$DEST_SPC")
    rc=0
    "$CLID" oob publish --cps "http://127.0.0.1:$CPS_PORT/" --key "$WORK/sp1234.key" \
        --cert "$WORK/sp1234.pem" --x5u "$X5U/sp1234.pem" "${oob_common[@]}" --spc 5678 \
        --identity "$(sign_identity "$DEST_SPC")" >"$dir/spc_publish.out" 2>&1 || rc=$?
    expect "$store: clid oob publish --spc 5678" "0 status: 201" "$rc $(grep '^status:' "$dir/spc_publish.out")"
    rc=0
    "$CLID" oob retrieve --cps "http://127.0.0.1:$CPS2_PORT/" --key "$WORK/sp9999.key" \
        --cert "$WORK/sp9999.pem" --x5u "$X5U/sp9999.pem" "${oob_common[@]}" \
        >"$dir/spc_retrieve.out" 2>&1 || rc=$?
    expect "$store: clid oob retrieve as SPC 9999 gets nothing (exit 2)" 2 "$rc"
    tdm_call "$dir" spc "$DEST_SPC"

    rc=0
    rig_wait "$uas_pid" || rc=$?
    expect "$store: SIPp UAS exit status" 0 "$rc"

    # What the callee saw, per called number
    expect "$store: UAS, customer calls" "$N $DEST_OK;TN-Validation-Passed;Identity|" "$(uas_lines "$dir" "$DEST_OK")"
    expect "$store: UAS, no record" "1 $DEST_NOREC;No-TN-Validation;none|" "$(uas_lines "$dir" "$DEST_NOREC")"
    expect "$store: UAS, record for another number" "1 $DEST_OTHER;No-TN-Validation;none|" "$(uas_lines "$dir" "$DEST_OTHER")"
    expect "$store: UAS, publish without authority" "1 $DEST_UNAUTH;No-TN-Validation;none|" "$(uas_lines "$dir" "$DEST_UNAUTH")"
    expect "$store: UAS, forged PASSporT" "1 $DEST_FORGED;TN-Validation-Failed;none|" "$(uas_lines "$dir" "$DEST_FORGED")"
    expect "$store: UAS, expired record" "1 $DEST_EXPIRED;No-TN-Validation;none|" "$(uas_lines "$dir" "$DEST_EXPIRED")"
    expect "$store: UAS, record for SPC 5678 only" "1 $DEST_SPC;TN-Validation-Passed;Identity|" "$(uas_lines "$dir" "$DEST_SPC")"

    # What Kamailio did, one oobapi line per step and call
    local log=$dir/kamailio.log
    expect "$store: egress published one PASSporT per customer call" "$N" \
        "$(grep -c "oobapi egress code=200 published=1 dest=$DEST_OK" "$log" || true)"
    expect "$store: the TDM hop removed an Identity from every call" "$((N + 6)) 0" \
        "$(grep -c 'oobapi tdm identity_present=1 ' "$log" || true) $(grep -c 'oobapi tdm identity_present=0 ' "$log" || true)"
    expect "$store: ingress answered 200 for every call" "$((N + 6))" \
        "$(grep -c 'oobapi ingress code=200 ' "$log" || true)"
    if [ "$store" = redis ]; then
        # the records are in Redis, not in the CPS process
        if [ -n "$(redis-cli -s "$REDIS_SOCK" --scan --pattern "*$DEST_OK*" 2>/dev/null)" ]; then
            pass "$store: the customer calls' record is a Redis key"
        else
            fail "$store: no Redis key for $DEST_OK: $(redis-cli -s "$REDIS_SOCK" --scan 2>/dev/null | head -n 5 | tr '\n' ' ')"
        fi
    fi

    # Stop by PID: Kamailio, then the services (exit 0 on SIGTERM: ASan's
    # leak check runs then), then Redis.
    stop_pid "$KPID"
    # The CPS counted what took effect: a publish per customer call and
    # per successful HTTP-level publish (other, forged, replay, expired,
    # kept, spc), a retrieve per customer call (on cps2 with Redis)
    local pubs rets
    pubs=$(cps_count "$CPS_PORT" publish)
    rets=$(cps_count "$CPS2_PORT" retrieve)
    if [ "$pubs" -ge $((N + 6)) ] && [ "$rets" -ge "$N" ]; then
        pass "$store: CPS metrics: $pubs publishes on cps, $rets retrieves on port $CPS2_PORT"
    else
        fail "$store: CPS metrics: $pubs publishes (want >= $((N + 6))), $rets retrieves (want >= $N)"
    fi
    local name pid
    for p in "cps $CPS_PID" "cps2 $CPS2_PID" "orig $ORIG_PID" "term $TERM_PID"; do
        read -r name pid <<<"$p"
        [ -n "$pid" ] || continue # no cps2 with the memory store
        rc=0
        kill -TERM "$pid"
        rig_wait "$pid" || rc=$?
        expect "$store: clid serve $name exits 0 on SIGTERM" 0 "$rc"
    done
    if [ -n "$REDIS_PID" ]; then
        stop_pid "$REDIS_PID"
        [ -z "$REDIS_TMP" ] || rm -rf "$REDIS_TMP"
    fi
    echo "     ($store took $(($(date +%s) - t0)) s)"
}

for s in $STORES; do
    run_store "$s"
done

rig_summary || exit 1
