#!/usr/bin/env bash
# clid serve over real HTTP on loopback (issue 10 "Tests that must exist"):
# every route (signing, verification, sip, healthz, metrics, the signer's
# chain at its x5u path, 404, 405), TLS on and off, the bearer token of
# the signing endpoint (none, wrong, right), the JSON logs (numbers only
# with log.numbers), --check, the configuration's mistakes (each reported
# with its key path, exit 78), and --demo's printed curl commands run as
# printed.
# usage: serve_http.sh CLID
. "$(dirname "$0")/lib.sh" "$@"
. "$(dirname "$0")/serve_lib.sh"
serve_pki

# --- plain HTTP: every route --------------------------------------------------------
serve_config c.json
serve_start a --config c.json
get /healthz
expect_http 200 healthz
body_is .status '"ready"'
post /stir/v1/signing "$SIGN_BODY"
expect_http 401 "signing without a token"
body_is .error.code '"unauthorized"'
ok; curl -si -H 'Content-Type: application/json' -d "$SIGN_BODY" "$BASE/stir/v1/signing" |
    grep -qi '^WWW-Authenticate: Bearer' || fail "401 without WWW-Authenticate: Bearer"
post /stir/v1/signing "$SIGN_BODY" -H "Authorization: Bearer wrong-token-0123456789abcdef"
expect_http 401 "signing with a wrong token"
post /stir/v1/signing "$SIGN_BODY" -H "Authorization: Bearer ${TOKEN}x"
expect_http 401 "signing with the token and one more character"
post /stir/v1/signing "$SIGN_BODY" -H "Authorization: Basic $TOKEN"
expect_http 401 "signing with another scheme"
post /stir/v1/signing "$SIGN_BODY" -H "Authorization: bearer $TOKEN"
expect_http 200 "signing, scheme in lower case (RFC 9110 §11.1)"
sign_id
post /stir/v1/verification "$(verify_body "$ID")"
expect_http 200 verification
body_is .verificationResponse.verstat '"TN-Validation-Passed"'
body_is .verificationResponse.reason '"CLID_OK"'
# a wrong number: the verdict is in a 200 reply
post /stir/v1/verification "$(printf '{"verificationRequest":{"from":{"tn":"12025550199"},"to":{"tn":["%s"]},"identity":"%s"}}' "$DEST" "$ID")"
expect_http 200 "verification, another orig"
body_is .verificationResponse.verstat '"TN-Validation-Failed"'
# the whole SIP request
printf 'INVITE sip:%s@example.net SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\nFrom: <sip:%s@example.com>;tag=1\r\nTo: <sip:%s@example.net>\r\nCall-ID: c1@x\r\nCSeq: 1 INVITE\r\nIdentity: %s\r\nContent-Length: 0\r\n\r\n' \
    "$DEST" "$ORIG" "$DEST" "$ID" >invite.txt
HTTP=$(curl -s -o "$TMP/body" -w '%{http_code}' -H 'Content-Type: message/sipfrag' \
    --data-binary @invite.txt "$BASE/stir/v1/sip")
expect_http 200 "sip"
ok; jq -e . "$TMP/body" >/dev/null || fail "sip reply is not JSON"
ok; grep -q 'TN-Validation-Passed' "$TMP/body" || fail "sip: no verstat: $(head -c 300 "$TMP/body")"
HTTP=$(curl -s -o "$TMP/body" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary @invite.txt "$BASE/stir/v1/sip")
expect_http 415 "sip as JSON"
# the signer's chain at its x5u path
get /sp.pem
expect_http 200 "x5u path"
ok; cmp -s "$TMP/body" sp.pem || fail "x5u path does not serve sp.pem"
ok; curl -sI "$BASE/sp.pem" | grep -qi '^Content-Type: application/pem-certificate-chain' ||
    fail "x5u Content-Type"
# 404 / 405 with JSON bodies
get /nope
expect_http 404 "unknown path"
body_is .error.code '"not_found"'
get /stir/v1/verification
expect_http 405 "GET on an API path"
body_is .error.code '"method_not_allowed"'
ok; curl -si -X DELETE "$BASE/healthz" | grep -qi '^Allow: GET, HEAD' || fail "405 Allow"
# metrics
get /metrics
expect_http 200 metrics
for m in 'clid_serve_requests_total{endpoint="signing",status="401"} 5' \
    'clid_serve_requests_total{endpoint="verification",status="200"}' \
    'clid_serve_verdicts_total{reason="CLID_OK"}' \
    'clid_serve_request_duration_seconds_bucket{endpoint="verification",le="+Inf"}' \
    'clid_serve_in_flight_requests 1' 'clid_serve_verifications_total' \
    'clid_serve_x5u_fetches_total 0' 'clid_serve_config_generation 1'; do
    ok; grep -qF "$m" "$TMP/body" || fail "metrics lack '$m'"
done
# logs: one JSON line per request, no numbers by default
ok; grep '"event":"request"' a.err | jq -e . >/dev/null || fail "log lines are not JSON"
ok; grep -q "$ORIG" a.err && fail "numbers logged without log.numbers"
ok; grep -q '"path":"/stir/v1/verification","status":200' a.err || fail "no verification log line"
serve_stop a

# --- log.numbers -------------------------------------------------------------------
serve_config n.json '.log = {numbers: true}'
serve_start n --config n.json
sign_id
post /stir/v1/verification "$(verify_body "$ID")"
serve_stop n
ok; grep '"path":"/stir/v1/verification"' n.err | grep -q "\"orig\":\"$ORIG\"" ||
    fail "log.numbers: no orig in the verification line"

# --- TLS ----------------------------------------------------------------------------
ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
openssl req -x509 "${ec[@]}" -keyout tls-ca.key -out tls-ca.pem -days 2 -subj "/CN=serve TLS CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
openssl req -new "${ec[@]}" -keyout srv.key -out srv.csr -subj /CN=127.0.0.1 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >srv.ext
openssl x509 -req -in srv.csr -CA tls-ca.pem -CAkey tls-ca.key -set_serial 2 -days 2 \
    -extfile srv.ext -out srv.pem 2>/dev/null
serve_config t.json ".tls = {cert: \"$TMP/srv.pem\", key: \"$TMP/srv.key\"}"
SCHEME=https
CURL_TLS=(--cacert tls-ca.pem)
serve_start t --config t.json
get /healthz
expect_http 200 "healthz over TLS"
sign_id
post /stir/v1/verification "$(verify_body "$ID")"
expect_http 200 "verification over TLS"
body_is .verificationResponse.verstat '"TN-Validation-Passed"'
post /stir/v1/signing "$SIGN_BODY"
expect_http 401 "signing over TLS without a token"
ok; HTTP=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz") &&
    [ "$HTTP" = 200 ] && fail "plain HTTP answered on the TLS port"
serve_stop t
SCHEME=http
CURL_TLS=()

# --- --check and the configuration's mistakes -----------------------------------------
serve_config c.json
run serve --config c.json --check
expect_rc 0
cat >bad.json <<JSON
{
  "listen": [{"address": "127.0.0.1", "port": 70000}],
  "limits": {"body_bytes": "big", "threads": 0, "conections": 5},
  "log": {"level": "loud"},
  "verify": {"trust": ["$TMP/missing.pem", 7], "crl_policy": "sometimes", "strict": "yes"},
  "sign": {"key": "$TMP/sp.key", "cert": "$TMP/sp.pem"},
  "extra": 1
}
JSON
run serve --config bad.json
expect_rc 78
for m in 'listen\[0\]\.port: expected an integer from 0 to 65535' \
    'limits\.body_bytes: expected an integer' 'limits\.threads: expected an integer from 1' \
    'limits\.conections: unknown key' 'log\.level: .loud.: expected one of' \
    'verify\.trust\[0\]: .*missing\.pem: cannot be read' 'verify\.trust\[1\]: expected a non-empty string' \
    'verify\.crl_policy: .sometimes.: expected one of' 'verify\.strict: expected true or false' \
    'sign\.x5u: required' 'auth\.signing_tokens_file: required when "sign" is configured' \
    'extra: unknown key' '12 mistakes'; do
    ok; grep -Eq -- "bad\.json: $m|bad\.json: $m" "$TMP/err" || fail "config mistake not reported: /$m/ in $(cat "$TMP/err")"
done
ok; [ "$(grep -c 'bad\.json: ' "$TMP/err")" -eq 13 ] || fail "expected 12 mistakes + the count: $(cat "$TMP/err")"
printf '{\n  "listen": [\n    {"address": "127.0.0.1",}\n  ]\n}\n' >syntax.json
run serve --config syntax.json
expect_rc 78
ok; grep -Eq 'syntax\.json:3:[0-9]+: ' "$TMP/err" || fail "syntax error without its line: $(cat "$TMP/err")"
printf '{"ready_file": "a", "ready_file": "b"}\n' >dup.json
run serve --config dup.json
expect_rc 78
ok; grep -q 'duplicate' "$TMP/err" || fail "duplicate key not reported: $(cat "$TMP/err")"
printf 'short\n' >short-tokens.txt
serve_config st.json ".auth.signing_tokens_file = \"$TMP/short-tokens.txt\""
run serve --config st.json
expect_rc 78
ok; grep -q 'auth.signing_tokens_file: .*line 1: a token has 16 to 512 characters' "$TMP/err" ||
    fail "short token not refused: $(cat "$TMP/err")"
printf 'not a certificate\n' >junk.pem
serve_config j.json ".verify.trust = [\"$TMP/junk.pem\"]"
run serve --config j.json
expect_rc 78
run serve --config nowhere.json
expect_rc 66
run serve
expect_rc 64
run serve --config c.json --demo
expect_rc 64

# --- --demo: the printed commands work as printed -------------------------------------
serve_start d --demo
ok; grep -q 'loopback only' d.out || fail "demo: no banner"
DEMO_DIR=$(sed -n 's/^A throwaway CA and signer are in \(.*\) (removed on exit)\.$/\1/p' d.out)
ok; [ -d "$DEMO_DIR" ] || fail "demo: no directory $DEMO_DIR"
grep -A1 -E '^(Sign a call|Verify it)' d.out | grep '^  ' | sed 's/^  //' >demo-cmds.sh
ok; [ "$(wc -l <demo-cmds.sh)" -eq 2 ] || fail "demo: expected 2 commands: $(cat d.out)"
bash demo-cmds.sh >demo-run.out 2>&1
ok; grep -q '"verstat":"TN-Validation-Passed"' demo-run.out || fail "demo commands: $(cat demo-run.out)"
# The demo loads its STI-PA CRL: a first verification has no warning to explain.
ok; grep -q '"warnings":\[\]' demo-run.out || fail "demo verification warns: $(cat demo-run.out)"
ok; [ "$(ss -Htln "sport = :$PORT" | awk '{print $4}')" = "127.0.0.1:$PORT" ] ||
    fail "demo listens beyond loopback: $(ss -Htln "sport = :$PORT")"
serve_stop d
ok; [ ! -e "$DEMO_DIR" ] || fail "demo: $DEMO_DIR left behind"
finish
