#!/usr/bin/env bash
# clid serve against bad input (issue 10 "Bad input and load"): malformed
# JSON, wrong types, oversized bodies (413 before the body is read, with
# Content-Length; and chunked), wrong Content-Type (415), a slow client
# (one byte per second: cut at limits.request_timeout_s while others are
# served), a flood beyond limits.connections (503 with a JSON body, good
# requests served once it is gone); every reply is JSON; the server is
# still healthy and exits 0 at the end.
# usage: serve_bad.sh CLID
. "$(dirname "$0")/lib.sh" "$@"
PY=$TESTS_DIR/serve_slow.py
. "$(dirname "$0")/serve_lib.sh"
serve_pki
serve_config c.json '.limits = {threads: 2, body_bytes: 4096, connections: 8, connection_timeout_s: 10, request_timeout_s: 2}'
serve_start b --config c.json
sign_id

# --- malformed and wrong -------------------------------------------------------------
for body in '{' '[]' '{"verificationRequest":' 'null' '{"verificationRequest":{"from":{"tn":5}}}' \
    '{"verificationRequest":{"from":{"tn":"12025550100"},"to":{"tn":["12025550101"]},"time":"soon","identity":"x"}}' \
    "$(printf '{"a":"\xff\xfe"}')"; do
    post /stir/v1/verification "$body"
    expect_http 400 "malformed: $body"
    ok; jq -e '.error.code and .error.message' "$TMP/body" >/dev/null ||
        fail "malformed '$body': not a JSON error body: $(head -c 200 "$TMP/body")"
done
HTTP=$(curl -s -o "$TMP/body" -w '%{http_code}' -H 'Content-Type: text/plain' -d '{}' \
    "$BASE/stir/v1/verification")
expect_http 415 "text/plain"
body_is .error.code '"unsupported_media_type"'
HTTP=$(curl -s -o "$TMP/body" -w '%{http_code}' -H 'Content-Type:' -d '{}' \
    "$BASE/stir/v1/verification")
expect_http 415 "no Content-Type"
HTTP=$(curl -s -o "$TMP/body" -w '%{http_code}' -H 'Content-Type: Application/JSON; charset=utf-8' \
    -d "$(verify_body "$ID")" "$BASE/stir/v1/verification")
expect_http 200 "media type case-insensitive, with a parameter"

# --- oversized ------------------------------------------------------------------------
head -c 5000 /dev/zero | tr '\0' 'a' >big.txt
HTTP=$(curl -s -o "$TMP/body" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary @big.txt "$BASE/stir/v1/verification")
expect_http 413 "oversized with Content-Length"
body_is .error.code '"payload_too_large"'
HTTP=$(curl -s -o "$TMP/body" -w '%{http_code}' -H 'Content-Type: application/json' \
    -H 'Transfer-Encoding: chunked' --data-binary @big.txt "$BASE/stir/v1/verification")
expect_http 413 "oversized, chunked"
body_is .error.code '"payload_too_large"'
head -c 4096 /dev/zero | tr '\0' ' ' >limit.txt
HTTP=$(curl -s -o "$TMP/body" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary @limit.txt "$BASE/stir/v1/verification")
expect_http 400 "exactly the limit: read, then refused as JSON"
head -c 100000000 /dev/zero >huge.bin
HTTP=$(curl -s -m 20 -o "$TMP/body" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary @huge.bin "$BASE/stir/v1/verification")
expect_http 413 "100 MB announced: refused before it is read"
rm -f huge.bin

# --- a slow client is cut at the request timeout, others are served ---------------------
python3 "$PY" slow "$PORT" 15 >slow.out &
SLOW=$!
for i in 1 2 3; do
    get /healthz
    expect_http 200 "healthz while a slow client sends"
done
wait "$SLOW"
ok; grep -Eq '^cut [0-9]+$' slow.out || fail "slow client not cut: $(cat slow.out)"
ok; [ "$(awk '{print $2}' slow.out)" -le 8 ] || fail "slow client cut late: $(cat slow.out)"
get /metrics
ok; grep -q '^clid_serve_slow_clients_cut_total [1-9]' "$TMP/body" || fail "cut not counted"

# --- a flood beyond the connection limit ---------------------------------------------------
python3 "$PY" flood "$PORT" 20 >flood.out
# The first 8 connections accepted are served; a 503 closes its
# connection, which frees a slot, so a connection accepted late may be
# served too: at least 8 served, the others 503, nothing else.
N200=$(grep -c '^200$' flood.out || true)
N503=$(grep -c '^503$' flood.out || true)
ok; [ "$N200" -ge 8 ] && [ "$N503" -ge 1 ] && [ $((N200 + N503)) -eq 20 ] ||
    fail "flood: expected 8+ served and the rest 503: $(sort flood.out | uniq -c)"
post /stir/v1/verification "$(verify_body "$ID")"
expect_http 200 "verification after the flood"
body_is .verificationResponse.verstat '"TN-Validation-Passed"'
get /metrics
ok; grep -q "^clid_serve_over_limit_total $N503\$" "$TMP/body" || fail "over-limit not counted ($N503)"

# --- every line of the log is JSON; the server is still well ---------------------------
serve_stop b
ok; jq -e . b.err >/dev/null 2>&1 || fail "a log line is not JSON: $(grep -v '^{' b.err | head -3)"
finish
