#!/usr/bin/env bash
# clid oob publish|retrieve against a fake CPS (oob_fake_cps.py) that checks
# every bearer token with PyJWT, an implementation independent of clid:
# output lines, exit statuses, the token and body on the wire, the URL
# policy, the verdict of retrieved PASSporTs (docs/cli.md "clid oob").
. "$(dirname "$0")/lib.sh" "$@"

PY=/usr/bin/python3
if ! "$PY" -c 'import jwt, cryptography' 2>/dev/null; then
    echo "SKIP: python3 with jwt and cryptography (scripts/install-deps.sh installs them)"
    exit 77
fi

PKI=$TMP/pki
sh "$TESTS_DIR/../../interop-tests/stir/make-pki.sh" "$PKI" >/dev/null
URL=https://certs.example.test/sp-chain.pem
ORIG=12155551000
DEST=12155552000
AUD=cps.test

cd "$TMP"
mkfifo ready
"$PY" "$TESTS_DIR/oob_fake_cps.py" "$PKI/sp.pem" "$AUD" >ready 2>cps.err &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$TMP"' EXIT
PORT=
read -r -t 60 word PORT <ready || true
if [ "${word:-}" != READY ] || [ -z "$PORT" ]; then
    echo "FAIL: oob_fake_cps.py did not start: $(cat cps.err)" >&2
    exit 1
fi
CPS=http://127.0.0.1:$PORT/
SIGNER=(--key "$PKI/sp.key" --cert "$PKI/sp.pem" --x5u "$URL")
CLIENT=(--cps "$CPS" --aud "$AUD" --cps-allow-http --cps-allow-private --timeout 10000
        "${SIGNER[@]}")
VERIFY=(--trust "$PKI/root.pem" --x5u-map "$URL=$PKI/sp-chain.pem")

# A PASSporT for the call, as an Identity header value.
expect_ok sign "${SIGNER[@]}" --orig "$ORIG" --dest "$DEST" --attest A
ID=$(cat "$TMP/out")
JWS=${ID%%;*}

# --- publish --------------------------------------------------------------
run oob publish "${CLIENT[@]}" --orig "+1 215 555 1000" --dest "$DEST" --identity "$ID" \
    --retention 30
expect_rc 0
check "publish output" [ "$(cat "$TMP/out")" = $'published: 1\nstatus: 201' ]
# On the wire: the path of canonical numbers, JSON, the PASSporT without parameters.
"$PY" -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())' \
    "${CPS}log" >log.jsonl
check "publish path" grep -q "\"path\": \"/passports/$DEST/$ORIG\"" log.jsonl
check "publish content type" grep -q '"content_type": "application/json"' log.jsonl
check "publish body" grep -qF "{\\\"passports\\\":[\\\"$JWS\\\"]}" log.jsonl

# --- retrieve -------------------------------------------------------------
run oob retrieve "${CLIENT[@]}" --orig "$ORIG" --dest "$DEST"
expect_rc 0
check "retrieve prints the PASSporT" [ "$(cat "$TMP/out")" = "$JWS" ]

run oob retrieve "${CLIENT[@]}" --orig "$ORIG" --dest "$DEST" "${VERIFY[@]}"
expect_rc 0
check "retrieve verdict" [ "$(cat "$TMP/out")" = "$JWS"$'\nTN-Validation-Passed\nreason: CLID_OK\nsip: 0\npassport: 0' ]

# Untrusted signer: the verdict fails like clid verify's.
selfsigned "$TMP/stranger.pem" "/CN=Stranger Root" -addext basicConstraints=critical,CA:TRUE
run oob retrieve "${CLIENT[@]}" --orig "$ORIG" --dest "$DEST" --trust "$TMP/stranger.pem" \
    --x5u-map "$URL=$PKI/sp-chain.pem"
expect_rc 1
out_has "TN-Validation-Failed"

# No record: No-TN-Validation (exit 2), nothing on stderr.
run oob retrieve "${CLIENT[@]}" --orig "$ORIG" --dest 12155559999 "${VERIFY[@]}"
expect_rc 2
check "not found verdict" [ "$(cat "$TMP/out")" = $'No-TN-Validation\nreason: CLID_ERR_OOB_NOT_FOUND\nsip: 0' ]
check "not found: quiet" [ ! -s "$TMP/err" ]

# --- from a SIP request -------------------------------------------------------
cat >invite.sip <<EOF
INVITE sip:+$DEST@example.net SIP/2.0
Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds
Max-Forwards: 70
To: <sip:+$DEST@example.net;user=phone>
From: <sip:+$ORIG@example.com;user=phone>;tag=1928301774
Call-ID: a84b4c76e66710@pc33.example.com
CSeq: 314159 INVITE
Content-Length: 0

EOF
sed -i 's/$/\r/' invite.sip
expect_ok sign "${SIGNER[@]}" --attest B --output signed.sip invite.sip
run oob publish "${CLIENT[@]}" --sip signed.sip
expect_rc 0
check "publish --sip output" [ "$(cat "$TMP/out")" = $'published: 1\nstatus: 201' ]
expect_error 65 'CLID_ERR_NO_IDENTITY' oob publish "${CLIENT[@]}" --sip invite.sip

# --- the CPS refuses -------------------------------------------------------------
# Another audience: the fake's PyJWT check refuses the token (401).
run oob publish --cps "$CPS" --aud other --cps-allow-http --cps-allow-private "${SIGNER[@]}" \
    --orig "$ORIG" --dest "$DEST" "$JWS"
expect_rc 1
out_has "status: 401"
check "refusal on stderr" grep -q 'CLID_ERR_OOB_CPS_STATUS' "$TMP/err"

# A CPS nobody listens on.
DEAD=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
run oob retrieve --cps "http://127.0.0.1:$DEAD/" --cps-allow-http --cps-allow-private \
    "${SIGNER[@]}" --orig "$ORIG" --dest "$DEST"
expect_rc 2
check "unreachable on stderr" grep -q 'CLID_ERR_OOB_CPS_UNREACHABLE' "$TMP/err"

# --- https: the CPS's TLS trust is --cps-ca ------------------------------------------
ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
openssl req -x509 "${ec[@]}" -keyout tls-ca.key -out tls-ca.pem -days 2 \
    -subj "/CN=oob_cli TLS CA" -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign 2>/dev/null
openssl req -new "${ec[@]}" -keyout srv.key -out srv.csr -subj /CN=127.0.0.1 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
    >srv.ext
openssl x509 -req -in srv.csr -CA tls-ca.pem -CAkey tls-ca.key -set_serial 2 -days 2 \
    -extfile srv.ext -out srv.pem 2>/dev/null
mkfifo ready2
"$PY" "$TESTS_DIR/oob_fake_cps.py" "$PKI/sp.pem" "$AUD" srv.pem srv.key >ready2 2>cps2.err &
SERVER2=$!
trap 'kill "$SERVER" "$SERVER2" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$TMP"' EXIT
PORT2=
read -r -t 60 word PORT2 <ready2 || true
if [ "${word:-}" != READY ] || [ -z "$PORT2" ]; then
    fail "https oob_fake_cps.py did not start: $(cat cps2.err)"
else
    TLS=(--cps "https://127.0.0.1:$PORT2/" --aud "$AUD" --cps-allow-private "${SIGNER[@]}")
    run oob publish "${TLS[@]}" --cps-ca tls-ca.pem --orig "$ORIG" --dest "$DEST" "$JWS"
    expect_rc 0
    out_has "status: 201"
    run oob retrieve "${TLS[@]}" --cps-ca tls-ca.pem --orig "$ORIG" --dest "$DEST"
    expect_rc 0
    check "https retrieve" [ "$(cat "$TMP/out")" = "$JWS" ]
    # The system store does not know the test CA: no answer is trusted.
    run oob retrieve "${TLS[@]}" --orig "$ORIG" --dest "$DEST"
    expect_rc 2
    check "untrusted TLS is unreachable" grep -q 'CLID_ERR_OOB_CPS_UNREACHABLE' "$TMP/err"
fi

# --- the URL policy and usage ------------------------------------------------------
expect_error 64 'CLID_ERR_X5U_URL_POLICY' oob publish --cps "$CPS" --cps-allow-http \
    "${SIGNER[@]}" --orig "$ORIG" --dest "$DEST" "$JWS"
expect_error 64 'CLID_ERR_X5U_URL_POLICY' oob retrieve --cps "$CPS" --cps-allow-private \
    "${SIGNER[@]}" --orig "$ORIG" --dest "$DEST"
expect_error 64 'publish or retrieve' oob
expect_error 64 "unknown subcommand" oob fetch
expect_error 64 '--cps is required' oob retrieve "${SIGNER[@]}" --orig 1 --dest 2
expect_error 64 'no PASSporT' oob publish "${CLIENT[@]}" --orig "$ORIG" --dest "$DEST"
expect_error 64 'retention' oob publish "${CLIENT[@]}" --orig "$ORIG" --dest "$DEST" \
    --retention 61 "$JWS"
expect_error 64 'not with --sip' oob publish "${CLIENT[@]}" --sip signed.sip --orig "$ORIG"
expect_error 64 'retrieve only' oob publish "${CLIENT[@]}" --trust "$PKI/root.pem" \
    --orig "$ORIG" --dest "$DEST" "$JWS"
expect_error 64 'publish only' oob retrieve "${CLIENT[@]}" --spc 1234 --orig "$ORIG" \
    --dest "$DEST"
expect_error 66 'CLID_ERR_IO' oob retrieve --cps "$CPS" --key "$TMP/missing.key" \
    --cert "$PKI/sp.pem" --x5u "$URL" --orig "$ORIG" --dest "$DEST"
expect_error 65 'CLID_ERR_BAD_TN' oob retrieve "${CLIENT[@]}" --orig alice --dest "$DEST"
# A verify option that cannot be used costs no CPS request.
expect_error 66 'CLID_ERR_IO' oob retrieve "${CLIENT[@]}" --orig "$ORIG" --dest "$DEST" \
    --trust "$TMP/missing.pem"

run oob --help
expect_rc 0
check "help names both subcommands" grep -q 'clid oob retrieve' "$TMP/out"

finish
