#!/usr/bin/env bash
# clid sign / clid verify: the command-line contract of issue 3 item 7
# (output lines, JSON keys, exit statuses 0/1/2/64/66, time arguments).
# Scripts depend on it, so it is checked to the byte where it is stable.
. "$(dirname "$0")/lib.sh" "$@"

PKI=$TMP/pki
sh "$TESTS_DIR/../../interop-tests/stir/make-pki.sh" "$PKI" >/dev/null
URL=https://certs.example.test/sp-chain.pem
AT=2026-11-22T10:00:00Z
AT_UNIX=1795341600
COMMON=(--trust "$PKI/root.pem" --x5u-map "$URL=$PKI/sp-chain.pem")

# make-pki.sh certificates are valid from now for 10 days: pin times to now.
NOW=$(date +%s)

# --- sign ---------------------------------------------------------------
expect_ok sign --key "$PKI/sp.key" --cert "$PKI/sp.pem" --x5u "$URL" --orig +1-215-555-1000 \
    --dest 12155552000 --dest 12155552001 --attest A --at "$NOW" \
    --origid 123e4567-e89b-12d3-a456-426614174000
ID=$(cat "$TMP/out")
ok
[[ $ID =~ ^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{86}\;info=\<https://certs.example.test/sp-chain.pem\>\;alg=ES256\;ppt=shaken$ ]] ||
    fail "Identity value shape: $ID"
CLAIMS=$(cut -d. -f2 <<<"$ID" | tr -- '-_' '+/' | base64 -d 2>/dev/null || true)
ok
[ "$CLAIMS" = "{\"attest\":\"A\",\"dest\":{\"tn\":[\"12155552000\",\"12155552001\"]},\"iat\":$NOW,\"orig\":{\"tn\":\"12155551000\"},\"origid\":\"123e4567-e89b-12d3-a456-426614174000\"}" ] ||
    fail "canonical claims: $CLAIMS"

# RFC 3339 and Unix seconds give the same iat.
expect_ok sign --key "$PKI/sp.key" --x5u "$URL" --orig 12155551000 --dest 12155552000 \
    --attest B --at "$AT" --origid 123e4567-e89b-12d3-a456-426614174000
A1=$(cut -d. -f2 "$TMP/out")
expect_ok sign --key "$PKI/sp.key" --x5u "$URL" --orig 12155551000 --dest 12155552000 \
    --attest B --at "$AT_UNIX" --origid 123e4567-e89b-12d3-a456-426614174000
check "--at RFC 3339 equals Unix seconds" [ "$A1" = "$(cut -d. -f2 "$TMP/out")" ]

expect_ok sign --key "$PKI/sp.key" --x5u "$URL" --orig 12155551000 --dest 12155552000 \
    --attest A --compact
check "compact form" grep -Eq '^\.\.[A-Za-z0-9_-]{86}$' "$TMP/out"

# Refusals.
expect_error 1 'CLID_ERR_TN_NOT_AUTHORIZED|CLID_ERR' sign --key "$PKI/sp.key" --cert "$PKI/sp.pem" \
    --x5u "$URL" --orig abc --dest 12155552000 --attest A
expect_error 64 'missing --attest' sign --key "$PKI/sp.key" --x5u "$URL" --orig 1 --dest 2
expect_error 64 'A, B or C' sign --key "$PKI/sp.key" --x5u "$URL" --orig 1 --dest 2 --attest Z
expect_error 64 '--at' sign --key "$PKI/sp.key" --x5u "$URL" --orig 1 --dest 2 --attest A \
    --at 2026-02-30T00:00:00Z
expect_error 64 "unknown option" sign --bogus
expect_error 66 'CLID_ERR_IO' sign --key "$TMP/missing.key" --x5u "$URL" --orig 1 --dest 2 \
    --attest A
expect_error 66 'CLID_ERR_KEY_MISMATCH' sign --key "$PKI/other.key" --cert "$PKI/sp.pem" \
    --x5u "$URL" --orig 12155551000 --dest 12155552000 --attest A
expect_error 64 'x5u' sign --key "$PKI/sp.key" --x5u "ftp://x/y" --orig 1 --dest 2 --attest A

# --- verify -------------------------------------------------------------
run verify --identity "$ID" --orig 12155551000 --dest 12155552001 "${COMMON[@]}" --at "$NOW"
expect_rc 0
check "passed output is exactly three lines" \
    [ "$(cat "$TMP/out")" = $'TN-Validation-Passed\nreason: CLID_OK\nsip: 0' ]

run verify --identity "$ID" --orig 12155551000 --dest 12155552000 "${COMMON[@]}" \
    --at "$((NOW + 61))"
expect_rc 1
check "stale output" [ "$(cat "$TMP/out")" = $'TN-Validation-Failed\nreason: CLID_ERR_IAT_STALE\nsip: 403' ]

run verify --identity "$ID" --orig 12155551000 --dest 12155552000 "${COMMON[@]}" \
    --at "$((NOW + 61))" --max-age 120
expect_rc 0

run verify --orig 1 --dest 2 "${COMMON[@]}"
expect_rc 2
out_has "No-TN-Validation"
out_has "sip: 428"

run verify --identity "$ID" --orig 12155551000 --dest 12155552000 --at "$NOW" \
    --x5u-map "$URL=$PKI/sp-chain.pem"
expect_rc 1
out_has "reason: CLID_ERR_CERT_UNTRUSTED"
out_has "sip: 437"

run verify --identity "$ID" --orig 12155551000 --dest 12155552000 --at "$NOW" --json \
    "${COMMON[@]}"
expect_rc 0
jq_is '[.verstat,.reason,.sip_status]' '["TN-Validation-Passed","CLID_OK",0]'
jq_is '.claims | [.orig,.dest,.attest,.origid,.iat,.ppt,.x5u]' \
    "[\"12155551000\",[\"12155552000\",\"12155552001\"],\"A\",\"123e4567-e89b-12d3-a456-426614174000\",$NOW,\"shaken\",\"$URL\"]"
jq_is '.signer | [.spc, .tnauthlist[0].type, .tnauthlist[0].value]' '["709J","spc","709J"]'
jq_is '.signer.subject' '"CN=SHAKEN 709J,O=Interop SP,C=US"'

# The chain given directly rather than through the map.
run verify --identity "$ID" --orig 12155551000 --dest 12155552000 --at "$NOW" \
    --trust "$PKI/root.pem" --chain "$PKI/sp-chain.pem"
expect_rc 0

# A trust directory.
mkdir "$TMP/anchors" && cp "$PKI/root.pem" "$TMP/anchors/root.crt"
run verify --identity "$ID" --orig 12155551000 --dest 12155552000 --at "$NOW" \
    --trust "$TMP/anchors" --x5u-map "$URL=$PKI/sp-chain.pem"
expect_rc 0

# TN policy: the SPC-only certificate cannot vouch under --tn-policy tn.
run verify --identity "$ID" --orig 12155551000 --dest 12155552000 --at "$NOW" "${COMMON[@]}" \
    --tn-policy tn
expect_rc 1
out_has "reason: CLID_ERR_TN_NOT_AUTHORIZED"

# Date header consistency.
run verify --identity "$ID" --orig 12155551000 --dest 12155552000 --at "$NOW" "${COMMON[@]}" \
    --date "$((NOW - 300))"
expect_rc 1
out_has "reason: CLID_ERR_DATE_MISMATCH"

# The binding is never silently left out (issue 8): --identity needs both
# numbers, or an explicit --no-binding that the output reports.
expect_error 64 '--orig and --dest' verify --identity "$ID" "${COMMON[@]}" --at "$NOW"
expect_error 64 '--orig and --dest' verify --identity "$ID" --orig 12155551000 "${COMMON[@]}" \
    --at "$NOW"
expect_error 64 '--orig and --dest' verify --identity "$ID" --dest 12155552000 "${COMMON[@]}" \
    --at "$NOW"
expect_error 64 'nothing is left unchecked' verify --identity "$ID" --orig 12155551000 \
    --dest 12155552000 --no-binding "${COMMON[@]}" --at "$NOW"
run verify --identity "$ID" --no-binding "${COMMON[@]}" --at "$NOW"
expect_rc 0
check "--no-binding output says the binding was not checked" \
    [ "$(cat "$TMP/out")" = $'TN-Validation-Passed\nreason: CLID_OK\nsip: 0\nbinding: not checked: orig, dest' ]
run verify --identity "$ID" --no-binding --orig 12155551000 "${COMMON[@]}" --at "$NOW"
expect_rc 0
out_has "binding: not checked: dest"
run verify --identity "$ID" --no-binding --dest 12155552001 "${COMMON[@]}" --at "$NOW"
expect_rc 0
out_has "binding: not checked: orig"
run verify --identity "$ID" --no-binding --orig 12155551001 "${COMMON[@]}" --at "$NOW"
expect_rc 1
out_has "reason: CLID_ERR_ORIG_MISMATCH"
out_has "binding: not checked: dest"
run verify --identity "$ID" --no-binding --json "${COMMON[@]}" --at "$NOW"
expect_rc 0
jq_is '[.verstat, .binding.orig, .binding.dest]' '["TN-Validation-Passed","skipped","skipped"]'
run verify --identity "$ID" --orig 12155551000 --dest 12155552000 --json "${COMMON[@]}" --at "$NOW"
jq_is '[.binding.orig, .binding.dest]' '["checked","checked"]'
run verify --identity "$ID" --orig 12155551000 --dest 12155552000 --json "${COMMON[@]}" \
    --at "$((NOW + 61))"
jq_is '[.reason, .binding.orig, .binding.dest]' '["CLID_ERR_IAT_STALE","not checked","not checked"]'

# An empty Identity value is a call without identity: No-TN-Validation, 428
# (RFC 8224 §6.2.2), not a usage error; it needs no numbers.
run verify --identity "" "${COMMON[@]}"
expect_rc 2
check "empty --identity" \
    [ "$(cat "$TMP/out")" = $'No-TN-Validation\nreason: CLID_ERR_NO_IDENTITY\nsip: 428' ]
run verify --identity= --orig 1 --dest 2 "${COMMON[@]}"
expect_rc 2
out_has "reason: CLID_ERR_NO_IDENTITY"

# Usage and input errors.
expect_error 64 'non-empty' verify --identity "$ID" --orig "" --dest 2
expect_error 64 '--x5u-map' verify --identity x --orig 1 --dest 2 --x5u-map nourl
expect_error 64 '--tn-policy' verify --identity x --orig 1 --dest 2 --tn-policy all
expect_error 66 'CLID_ERR_IO' verify --identity x --orig 1 --dest 2 --trust "$TMP/none.pem"
expect_error 66 'CLID_ERR_CERT_PARSE' verify --identity x --orig 1 --dest 2 --trust "$PKI/sp.key"
expect_error 66 'x5u map' verify --identity x --orig 1 --dest 2 --x5u-map "$URL=$TMP/none.pem"

finish
