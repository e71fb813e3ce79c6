#!/usr/bin/env bash
# clid serve operations (issue 10 §4): SIGHUP reloads under load without a
# failed request (wrk, every answer checked; the generation moves on); a
# broken file on reload keeps the old configuration (logged, counted,
# verification still passes); SIGTERM with a request in flight: it
# completes, new connections are refused, exit 0.
# usage: serve_ops.sh CLID
. "$(dirname "$0")/lib.sh" "$@"
PY=$TESTS_DIR/serve_slow.py
LUA=$TESTS_DIR/serve_load.lua
. "$(dirname "$0")/serve_lib.sh"
command -v wrk >/dev/null || { echo "serve_ops.sh: wrk missing" >&2; exit 77; }
serve_pki
serve_config c.json '.verify.max_age = 86400'
serve_start o --config c.json
sign_id
printf '%s\n' "$ID" >id.txt

# --- SIGHUP under load ------------------------------------------------------------------
rm -f "$TMP"/hup.done.*
wrk -t2 -c8 -d600s -s "$LUA" "$BASE" -- "$TMP/id.txt" 3000 "$TMP/hup.done" >hup.out 2>hup.err &
W=$!
for i in 1 2 3 4 5; do
    kill -HUP "$SPID"
    for j in $(seq 1 200); do # the reload's log line, then the next
        [ "$(grep -c '"event":"reload","result":"ok"' o.err)" -ge "$i" ] && break
        sleep 0.05
    done
done
for i in $(seq 1 6000); do
    [ -e "$TMP/hup.done.1" ] && [ -e "$TMP/hup.done.2" ] && break
    kill -0 "$W" 2>/dev/null || break
    sleep 0.1
done
kill -INT "$W" 2>/dev/null || true
wait "$W" || true
read -r _ OK BAD WRONG SOCK TMO < <(grep '^RESULT ' hup.out) || true
ok; [ -n "${OK:-}" ] && [ "$WRONG" -eq 0 ] && [ "$SOCK" -eq 0 ] && [ "$TMO" -eq 0 ] &&
    [ $((OK + BAD)) -ge 6000 ] || fail "reload under load: $(cat hup.out hup.err | tail -5)"
ok; [ "$(grep -c '"event":"reload","result":"ok"' o.err)" -eq 5 ] || fail "5 reloads expected"
get /healthz
body_is .generation 6

# --- a broken file on reload keeps the old configuration ----------------------------------
cp sp.pem sp.pem.good
printf 'not a certificate\n' >sp.pem
kill -HUP "$SPID"
for j in $(seq 1 200); do
    grep -q '"event":"reload","result":"failed' o.err && break
    sleep 0.05
done
ok; grep '"event":"reload","result":"failed' o.err | grep -q '"why":"' ||
    fail "failed reload not logged with its reason: $(tail -3 o.err)"
get /healthz
body_is .generation 6
post /stir/v1/verification "$(verify_body "$ID")"
body_is .verificationResponse.verstat '"TN-Validation-Passed"'
get /sp.pem
ok; cmp -s "$TMP/body" sp.pem.good || fail "the old chain is no longer served"
get /metrics
ok; grep -q '^clid_serve_reloads_total{result="failed"} 1$' "$TMP/body" || fail "failed reload not counted"
cp sp.pem.good sp.pem
kill -HUP "$SPID"
for j in $(seq 1 200); do
    [ "$(grep -c '"event":"reload","result":"ok"' o.err)" -ge 6 ] && break
    sleep 0.05
done
get /healthz
body_is .generation 7

# --- SIGTERM with a request in flight --------------------------------------------------------
verify_body "$ID" >held.json
coproc HOLD { python3 "$PY" hold "$PORT" "$TMP/held.json"; }
read -r line <&"${HOLD[0]}"
ok; [ "$line" = held ] || fail "hold client: $line"
for j in $(seq 1 200); do # the held request has reached the server: in flight
    get /metrics
    grep -q '^clid_serve_in_flight_requests 2$' "$TMP/body" && break
    sleep 0.05
done
kill -TERM "$SPID"
for j in $(seq 1 200); do # no new connection once stopping
    curl -s -m 1 -o /dev/null "$BASE/healthz" || break
    sleep 0.05
done
ok; curl -s -m 1 -o /dev/null "$BASE/healthz" && fail "new connections accepted after SIGTERM"
echo >&"${HOLD[1]}"
read -r status <&"${HOLD[0]}"
read -r reply <&"${HOLD[0]}"
ok; [ "$status" = 200 ] || fail "in-flight request: $status $reply"
ok; [[ $reply == *TN-Validation-Passed* ]] || fail "in-flight request: $reply"
rc=0
wait "$SPID" || rc=$?
ok; [ "$rc" -eq 0 ] || fail "exit $rc after SIGTERM"
finish
