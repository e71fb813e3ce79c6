#!/usr/bin/env bash
# clid isup decode/encode, clid sign --isup, clid verify --isup (issue 13):
# a SIP-I INVITE built from JSON, signed, decoded (the token rebuilt),
# verified; the CgPN changed after signing fails with 438 where plain SIP
# verification passes; Identity stripped verifies from the token;
# presentation restricted is a warning; bad input gets its exit status.
. "$(dirname "$0")/lib.sh" "$@"

PKI=$TMP/pki
sh "$TESTS_DIR/../../interop-tests/stir/make-pki.sh" "$PKI" >/dev/null
URL=https://certs.example.test/sp-chain.pem
NOW=$(date +%s)
SIGN=(sign --isup --key "$PKI/sp.key" --cert "$PKI/sp.pem" --x5u "$URL" --attest A --at "$NOW")
VERIFY=(verify --isup --trust "$PKI/root.pem" --x5u-map "$URL=$PKI/sp-chain.pem" --at "$NOW")

cat >"$TMP/iam.json" <<'JSON'
{"calling": {"nai": 4, "npi": 1, "screening": 3, "digits": "12025550100"},
 "called": {"tn": "12025550199"},
 "params": [{"code": 49, "hex": "00"}]}
JSON
sed 's/"screening": 3/"screening": 3, "apri": 1/' "$TMP/iam.json" >"$TMP/restricted.json"

# --- encode / decode ---------------------------------------------------------
expect_ok isup encode --output "$TMP/iam.bin" "$TMP/iam.json"
# Q.763 layout: type 01, fixed 5 octets, pointers 02 0a, CdPN 08 84 10 (BCD).
check "raw IAM: type 01, fixed part 00 6001 0a 00, pointers 02 0a" \
    [ "$(head -c 8 "$TMP/iam.bin" | od -An -tx1 | tr -d ' \n')" = "010060010a00020a" ]
expect_ok isup decode "$TMP/iam.bin"
out_has "called_party_number (0x04): nai=4 npi=1 inn=0 digits=12025550199 tn=12025550199"
out_has "parameter 0x31 propagation_delay_counter (1 octets): 00"
out_has "cli_token: absent"
expect_ok isup encode --sipi --output "$TMP/invite.sip" "$TMP/iam.json"
check "the INVITE is multipart/mixed with application/ISUP" \
    grep -q "Content-Type: application/ISUP;version=itu-t92+" "$TMP/invite.sip"

# --- sign, decode, verify ----------------------------------------------------
expect_ok "${SIGN[@]}" --output "$TMP/signed.sip" "$TMP/invite.sip"
check "one Identity header added" [ "$(grep -c '^Identity: ' "$TMP/signed.sip")" -eq 1 ]
expect_ok isup decode --json "$TMP/signed.sip"
jq_is '.cli_token.claims.orig.tn' '"12025550100"'
jq_is '.cli_token.claims.dest.tn' '["12025550199"]'
jq_is '.cli_token.context' '90'
jq_is '[.parameters[] | select(.code == 120) | .apm.context]' '[90]'
jq_is '.sipi.version' '"itu-t92+"'
# The IAM with its token fits an MTP3 message (Q.703: 272 octets).
jq_is '.length < 272' 'true'
check "the token rebuilds the Identity header that was signed" \
    [ "$(jq -r .cli_token.identity "$TMP/out")" = "$(sed -n 's/^Identity: \(.*\)\r$/\1/p' "$TMP/signed.sip")" ]
run "${VERIFY[@]}" "$TMP/signed.sip"
expect_rc 0
out_has "TN-Validation-Passed"

# --- the CgPN changed after signing (same length: one BCD octet) --------------
# CgPN 0a 08 84 13 21 20 55 05 01 00: the last digit 0 becomes 7.
perl -0777 -pe 's/\x0a\x08\x84\x13\x21\x20\x55\x05\x01\x00/\x0a\x08\x84\x13\x21\x20\x55\x05\x01\x07/' \
    "$TMP/signed.sip" >"$TMP/cgpn.sip"
check "the CgPN was edited" [ "$(cksum <"$TMP/cgpn.sip")" != "$(cksum <"$TMP/signed.sip")" ]
run "${VERIFY[@]}" "$TMP/cgpn.sip"
expect_rc 1
out_has "reason: CLID_ERR_ISUP_CALLING_MISMATCH"
out_has "sip: 438"
# Plain SIP verification does not look at the IAM: the gap --isup closes.
run verify --trust "$PKI/root.pem" --x5u-map "$URL=$PKI/sp-chain.pem" --at "$NOW" "$TMP/cgpn.sip"
expect_rc 0

# --- Identity stripped: the token decides ------------------------------------
perl -0777 -pe 's/^Identity: [^\r\n]*\r?\n//m' "$TMP/signed.sip" >"$TMP/stripped.sip"
run "${VERIFY[@]}" "$TMP/stripped.sip"
expect_rc 0
run verify --trust "$PKI/root.pem" --x5u-map "$URL=$PKI/sp-chain.pem" --at "$NOW" "$TMP/stripped.sip"
expect_rc 2
run "${VERIFY[@]}" --apm-context 91 "$TMP/stripped.sip"
expect_rc 2
out_has "reason: CLID_ERR_NO_IDENTITY"
# Another context at signing is found only there.
expect_ok "${SIGN[@]}" --apm-context 77 --output "$TMP/ctx77.sip" "$TMP/invite.sip"
perl -0777 -pe 's/^Identity: [^\r\n]*\r?\n//m' "$TMP/ctx77.sip" >"$TMP/ctx77.stripped"
run "${VERIFY[@]}" --apm-context 77 "$TMP/ctx77.stripped"
expect_rc 0
run "${VERIFY[@]}" "$TMP/ctx77.stripped"
expect_rc 2

# --- presentation restricted: passed, with a warning -------------------------
expect_ok isup encode --sipi --output "$TMP/restricted.sip" "$TMP/restricted.json"
expect_ok "${SIGN[@]}" --output "$TMP/restricted.signed" "$TMP/restricted.sip"
run "${VERIFY[@]}" "$TMP/restricted.signed"
expect_rc 0
out_has "warning: CLID_ERR_ISUP_PRESENTATION_RESTRICTED: IAM calling number is presentation restricted (reported, never a failure)"

# --- the SSGW re-signs what no token carries (an x5u beyond 512 characters) ---
"$CLID" ca init "$TMP/ca" --name "isup cli" --not-before $((NOW - 86400)) >/dev/null
"$CLID" ca issue "$TMP/ca" --spc 1234 --out "$TMP/sp" --not-before $((NOW - 86400)) >/dev/null
"$CLID" ca issue "$TMP/ca" --range 12025550000+1000 --role international-gateway --country 1 \
    --out "$TMP/gw" --not-before $((NOW - 86400)) >/dev/null
LONG=https://certs.example.test/$(printf 'a%.0s' $(seq 600)).pem
GW_URL=https://certs.example.test/ssgw.pem
SIGN_LONG=(sign --isup --key "$TMP/sp.key" --cert "$TMP/sp.pem" --x5u "$LONG" --attest A --at "$NOW")
expect_error 1 'CLID_ERR_CLI_TOKEN_NOT_RECONSTRUCTIBLE' "${SIGN_LONG[@]}" "$TMP/invite.sip"
expect_ok "${SIGN_LONG[@]}" --ssgw-key "$TMP/gw.key" --ssgw-cert "$TMP/gw.pem" \
    --ssgw-x5u "$GW_URL" --output "$TMP/ssgw.sip" "$TMP/invite.sip"
perl -0777 -pe 's/^Identity: [^\r\n]*\r?\n//m' "$TMP/ssgw.sip" >"$TMP/ssgw.stripped"
run verify --isup --trust "$TMP/ca/root.pem" --x5u-map "$GW_URL=$TMP/gw.pem" --at "$NOW" --json \
    "$TMP/ssgw.stripped"
expect_rc 0
jq_is '.claims.x5u' "\"$GW_URL\""
jq_is '.signer.signalling_entity.role' '"international-gateway"'
expect_error 64 'ssgw' "${SIGN[@]}" --ssgw-key "$TMP/gw.key" "$TMP/invite.sip"

# --- refusals ----------------------------------------------------------------
# The IAM shows another calling number than From: never signed.
sed 's/12025550100/12025550177/; s/^{/{"sip": {"orig": "12025550100"},/' "$TMP/iam.json" >"$TMP/other.json"
expect_ok isup encode --sipi --output "$TMP/other.sip" "$TMP/other.json"
expect_error 1 'CLID_ERR_ISUP_CALLING_MISMATCH' "${SIGN[@]}" "$TMP/other.sip"
printf 'INVITE sip:+12025550199@example.net SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\r\nFrom: <sip:+12025550100@example.net>;tag=1\r\nTo: <sip:+12025550199@example.net>\r\nCall-ID: 1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n' >"$TMP/plain.sip"
expect_error 65 'CLID_ERR_ISUP_ABSENT' "${SIGN[@]}" "$TMP/plain.sip"
expect_error 65 'CLID_ERR_ISUP_ABSENT' "${VERIFY[@]}" "$TMP/plain.sip"
head -c 12 "$TMP/iam.bin" >"$TMP/truncated.bin"
expect_error 65 'CLID_ERR_ISUP_PARSE' isup decode "$TMP/truncated.bin"
printf 'garbage' >"$TMP/garbage"
expect_error 65 'CLID_ERR' isup decode "$TMP/garbage"
echo '{"called": {"tn": "12025550199"}, "calld": {}}' >"$TMP/typo.json"
expect_error 65 'unknown member "calld"' isup encode "$TMP/typo.json"
echo '{"calling": {"tn": "12025550100"}}' >"$TMP/nocalled.json"
expect_error 65 'called' isup encode "$TMP/nocalled.json"
expect_error 65 'not JSON' isup encode "$TMP/garbage"
expect_error 64 'apm-context' "${SIGN[@]}" --apm-context 0 "$TMP/invite.sip"
expect_error 64 'apm-context' isup decode --apm-context 128 "$TMP/iam.bin"
expect_error 64 'only with a SIP request' verify --isup --identity x
expect_error 64 'only with --isup' sign --key k --x5u "$URL" --attest A --country-code 44 "$TMP/invite.sip"
expect_error 64 'unknown subcommand' isup frob
expect_error 66 '' isup decode "$TMP/none"

finish
