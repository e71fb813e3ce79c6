#!/usr/bin/env bash
# Rich Call Data through the tool (issue 14; docs/rcd.md, docs/cli.md):
# clid sign --rcd-* in claims and request mode, --rcd-ppt, clid verify's
# "rcd" JSON object and rcd-* lines, --rcd-content, --present-rcd (RFC 9796
# Call-Info with upstream RCD removed), and the usage errors.
. "$(dirname "$0")/lib.sh" "$@"

GOLDEN=$TESTS_DIR/../../lib/tests/sip/golden_rcd
PKI=$TMP/pki
sh "$TESTS_DIR/../../interop-tests/stir/make-pki.sh" "$PKI" >/dev/null
URL=https://certs.example.test/sp-chain.pem
JCL=https://rcd.example.test/qbranch.json
ICN=https://rcd.example.test/qbranch.png
NOW=$(date +%s)
printf '%s' '["vcard",[["version",{},"text","4.0"],["fn",{},"text","Q Branch"]]]' >"$TMP/qbranch.json"
printf 'PNG-bytes' >"$TMP/icon.png"
SIGN=(sign --key "$PKI/sp.key" --cert "$PKI/sp.pem" --x5u "$URL" --at "$NOW")
CLAIMS=(--orig 12025550100 --dest 12025550199)
VERIFY=(verify --trust "$PKI/root.pem" --x5u-map "$URL=$PKI/sp-chain.pem" --at "$NOW")
RCD=(--rcd-name "Q Branch" --rcd-reason 'Say "hi"' --rcd-jcard-url "$JCL"
     --rcd-jcard-content "$TMP/qbranch.json" --rcd-icon-url "$ICN"
     --rcd-icon-content "$TMP/icon.png")
CONTENT=(--rcd-content "$JCL=$TMP/qbranch.json" --rcd-content "$ICN=$TMP/icon.png")

# --- claims mode: sign, verify --json --------------------------------------
expect_ok "${SIGN[@]}" "${CLAIMS[@]}" --attest A "${RCD[@]}"
ID=$(cat "$TMP/out")
check "claims mode: ppt shaken" grep -q ';ppt=shaken$' "$TMP/out"
expect_ok "${VERIFY[@]}" "${CLAIMS[@]}" --identity "$ID" "${CONTENT[@]}" --json
jq_is .reason '"CLID_OK"'
jq_is .rcd.name '"Q Branch"'
jq_is .rcd.reason '"Say \"hi\""'
jq_is .rcd.jcard_url "\"$JCL\""
jq_is .rcd.icon_url "\"$ICN\""
jq_is .rcd.flags '{"present":true,"constrained":false,"content_ok":true}'
jq_is '.rcd.digests."/jcl"' "\"sha256-$(openssl dgst -sha256 -binary "$TMP/qbranch.json" | base64 -w0)\""
jq_is '.rcd.digests."/icn"' "\"sha256-$(openssl dgst -sha256 -binary "$TMP/icon.png" | base64 -w0)\""
# the text form
expect_ok "${VERIFY[@]}" "${CLAIMS[@]}" --identity "$ID" "${CONTENT[@]}"
out_has "TN-Validation-Passed"
out_has "rcd-name: Q Branch"
out_has 'rcd-reason: Say "hi"'
out_has "rcd-jcard-url: $JCL"
out_has "rcd-icon-url: $ICN"
# without the content: the name and reason are still verified, the URLs not
run "${VERIFY[@]}" "${CLAIMS[@]}" --identity "$ID" --json
expect_rc 0
jq_is .rcd.name '"Q Branch"'
jq_is .rcd.jcard_url null
jq_is .rcd.flags.content_ok false
jq_is '[.warnings[].name] | index("CLID_ERR_RCD_CONTENT_UNAVAILABLE") != null' true
# content that differs from the digest fails the call
printf 'other' >"$TMP/other.png"
run "${VERIFY[@]}" "${CLAIMS[@]}" --identity "$ID" --rcd-content "$JCL=$TMP/qbranch.json" \
    --rcd-content "$ICN=$TMP/other.png" --json
expect_rc 1
jq_is .reason '"CLID_ERR_RCD_DIGEST_MISMATCH"'
jq_is .rcd.name null
# no RCD at all: "rcd" is null, no rcd- lines
expect_ok "${SIGN[@]}" "${CLAIMS[@]}" --attest A
PLAIN_ID=$(cat "$TMP/out")
expect_ok "${VERIFY[@]}" "${CLAIMS[@]}" --identity "$PLAIN_ID" --json
jq_is .rcd null
expect_ok "${VERIFY[@]}" "${CLAIMS[@]}" --identity "$PLAIN_ID"
check "no RCD: no rcd- lines" bash -c "! grep -q '^rcd-' '$TMP/out'"

# --- --rcd-ppt: a ppt "rcd" PASSporT, accepted by policy -------------------
expect_ok "${SIGN[@]}" "${CLAIMS[@]}" "${RCD[@]}" --rcd-ppt
RCD_ID=$(cat "$TMP/out")
check "--rcd-ppt: ppt rcd" grep -q ';ppt=rcd$' "$TMP/out"
run "${VERIFY[@]}" "${CLAIMS[@]}" --identity "$RCD_ID" "${CONTENT[@]}" --json
expect_rc 2 # not accepted by default: as if unsigned (428)
expect_ok "${VERIFY[@]}" "${CLAIMS[@]}" --identity "$RCD_ID" "${CONTENT[@]}" --json \
    --accept-ppt shaken --accept-ppt rcd
jq_is .claims.ppt '"rcd"'
jq_is .claims.attest null
jq_is .rcd.name '"Q Branch"'

# --- request mode and --present-rcd ------------------------------------------
expect_ok "${SIGN[@]}" --attest A "${RCD[@]}" --output "$TMP/signed.sip" "$GOLDEN/spoofed.sip"
expect_ok "${VERIFY[@]}" "${CONTENT[@]}" --present-rcd "$TMP/presented.sip" "$TMP/signed.sip"
out_has "rcd-name: Q Branch"
check "presented: one Call-Info line with purpose=jcard" \
    [ "$(grep -c 'purpose=jcard' "$TMP/presented.sip")" -eq 1 ]
check "presented: jcl with its integrity and the call reason" \
    grep -Fq "Call-Info: <$JCL>;purpose=jcard;verified;integrity=\"sha256-" "$TMP/presented.sip"
check "presented: call reason quoted and escaped" \
    grep -Fq ';call-reason="Say \"hi\""' "$TMP/presented.sip"
check "presented: the icon" grep -Fq ", <$ICN>;purpose=icon;verified;integrity=" \
    "$TMP/presented.sip"
check "presented: the spoofed entries are gone" \
    bash -c "! grep -q 'evil.example\|rcd-jcard\|Win a prize' '$TMP/presented.sip'"
check "presented: the info entries stay" \
    grep -Fqx $'Call-Info: <http://www.example.com/alice/>;purpose=info\r' "$TMP/presented.sip"
check "presented: verstat on the caller" grep -q 'verstat=TN-Validation-Passed' \
    "$TMP/presented.sip"
# the presented request still verifies (Call-Info is not signed)
expect_ok "${VERIFY[@]}" "${CONTENT[@]}" "$TMP/presented.sip"
# A failed call: only the removals.
run verify --trust "$PKI/root.pem" --x5u-map "$URL=$PKI/sp-chain.pem" --at $((NOW + 3600)) \
    --present-rcd "$TMP/failed.sip" "$TMP/signed.sip"
expect_rc 1
check "failed: written" [ -s "$TMP/failed.sip" ]
check "failed: no Call-Info presented" bash -c "! grep -q 'purpose=jcard' '$TMP/failed.sip'"
check "failed: the spoofed entries are gone too" \
    bash -c "! grep -q 'evil.example' '$TMP/failed.sip'"
check "failed: verstat failed" grep -q 'verstat=TN-Validation-Failed' "$TMP/failed.sip"

# --- usage errors ------------------------------------------------------------
expect_error 64 "need --rcd-name" "${SIGN[@]}" "${CLAIMS[@]}" --attest A --rcd-reason x
expect_error 64 "jcd and jcl exclude" "${SIGN[@]}" "${CLAIMS[@]}" --attest A --rcd-name N \
    --rcd-jcard "$TMP/qbranch.json" --rcd-jcard-url "$JCL"
expect_error 64 "only with --rcd-jcard-url" "${SIGN[@]}" "${CLAIMS[@]}" --attest A \
    --rcd-name N --rcd-jcard-content "$TMP/qbranch.json"
expect_error 64 "only with --rcd-icon-url" "${SIGN[@]}" "${CLAIMS[@]}" --attest A \
    --rcd-name N --rcd-icon-content "$TMP/icon.png"
expect_error 64 "needs --rcd-name" "${SIGN[@]}" "${CLAIMS[@]}" --rcd-ppt
expect_error 64 "not with --div" "${SIGN[@]}" "${CLAIMS[@]}" --div 12025550111 --rcd-name N
expect_error 64 "missing --attest" "${SIGN[@]}" "${CLAIMS[@]}" --rcd-name N
expect_error 64 "URL=FILE" "${VERIFY[@]}" "${CLAIMS[@]}" --identity "$ID" --rcd-content nofile
expect_error 66 "nosuch" "${VERIFY[@]}" "${CLAIMS[@]}" --identity "$ID" \
    --rcd-content "$JCL=$TMP/nosuch"
expect_error 64 "only with a SIP request" "${VERIFY[@]}" "${CLAIMS[@]}" --identity "$ID" \
    --present-rcd "$TMP/x.sip"
expect_error 64 "a file, not standard" "${VERIFY[@]}" --present-rcd - "$TMP/signed.sip"
# the signer refuses what RFC 9795 forbids: a control character in the name
expect_error 1 "CLID_ERR_INVALID_ARGUMENT" "${SIGN[@]}" "${CLAIMS[@]}" --attest A \
    --rcd-name $'Q\nBranch'
# a jCard file that is not a jCard
printf '{"not":"a jcard"}' >"$TMP/bad.json"
expect_error 1 "CLID_ERR_INVALID_ARGUMENT" "${SIGN[@]}" "${CLAIMS[@]}" --attest A \
    --rcd-name N --rcd-jcard "$TMP/bad.json"
# a jCard larger than 64 KiB is not read
head -c 70000 /dev/zero | tr '\0' ' ' >"$TMP/huge.json"
expect_error 65 "huge.json" "${SIGN[@]}" "${CLAIMS[@]}" --attest A --rcd-name N \
    --rcd-jcard "$TMP/huge.json"

finish
