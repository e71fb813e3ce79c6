#!/usr/bin/env bash
# clid sign FILE / clid verify FILE: whole SIP requests through the tool
# (issue 5 item 4): the signed request differs from the input by exactly one
# line, `clid sign FILE | clid verify -` passes, --output writes verstat,
# and every exit status of docs/cli.md is what the tool returns.
. "$(dirname "$0")/lib.sh" "$@"

GOLDEN=$TESTS_DIR/../../lib/tests/sip/golden
PKI=$TMP/pki
sh "$TESTS_DIR/../../interop-tests/stir/make-pki.sh" "$PKI" >/dev/null
URL=https://certs.example.test/sp-chain.pem
# make-pki.sh certificates are valid from now for 10 days.
NOW=$(date +%s)
SIGN=(sign --key "$PKI/sp.key" --cert "$PKI/sp.pem" --x5u "$URL" --attest A --at "$NOW")
VERIFY=(verify --trust "$PKI/root.pem" --x5u-map "$URL=$PKI/sp-chain.pem" --at "$NOW")

# without_identity FILE: the file with its (one) Identity line removed, byte-exact.
without_identity() {
    perl -0777 -pe 's/^Identity: [^\r\n]*\r?\n//m' "$1"
}

# run_in FILE ARGS...: like run, with FILE on standard input.
run_in() {
    local in=$1
    shift
    LAST_ARGS="$* < $in"
    set +e
    "$CLID" "$@" <"$in" >"$TMP/out" 2>"$TMP/err"
    RC=$?
    set -e
}

# --- sign: one inserted line, nothing else --------------------------------
for name in sipp_uac_tn multipart_isup lf_only compact display_comma_quotes folded pai_list; do
    expect_ok "${SIGN[@]}" "$GOLDEN/$name.sip"
    cp "$TMP/out" "$TMP/$name.signed"
    check "$name: exactly one Identity line added" \
        [ "$(grep -c '^Identity: ' "$TMP/$name.signed")" -eq 1 ]
    without_identity "$TMP/$name.signed" >"$TMP/$name.stripped"
    check "$name: every other byte unchanged" cmp -s "$TMP/$name.stripped" "$GOLDEN/$name.sip"
    # The inserted line is the last header, before the empty line.
    check "$name: Identity is the last header" \
        perl -0777 -ne 'exit(/\nIdentity: [^\r\n]+\r?\n\r?\n/ ? 0 : 1)' "$TMP/$name.signed"
    # verify it back, from a file
    run "${VERIFY[@]}" "$TMP/$name.signed"
    expect_rc 0
    check "$name: verified" [ "$(cat "$TMP/out")" = $'TN-Validation-Passed\nreason: CLID_OK\nsip: 0' ]
done
check "LF-only input gets an LF-only Identity line" \
    perl -0777 -ne 'exit(/\nIdentity: [^\r\n]+\n\n/ ? 0 : 1)' "$TMP/lf_only.signed"
check "CRLF input gets a CRLF Identity line" \
    perl -0777 -ne 'exit(/\r\nIdentity: [^\r\n]+\r\n\r\n/ ? 0 : 1)' "$TMP/sipp_uac_tn.signed"

# --- the pipe: clid sign FILE | clid verify - -----------------------------
set +e
"$CLID" "${SIGN[@]}" "$GOLDEN/sipp_uac_tn.sip" | "$CLID" "${VERIFY[@]}" - >"$TMP/out" 2>"$TMP/err"
PIPE=("${PIPESTATUS[@]}")
set -e
check "pipe: sign exited 0" [ "${PIPE[0]}" -eq 0 ]
check "pipe: verify exited 0" [ "${PIPE[1]}" -eq 0 ]
out_has "TN-Validation-Passed"
out_has "reason: CLID_OK"
out_has "sip: 0"

# sign from standard input, to --output
run_in "$GOLDEN/sipp_uac_tn.sip" "${SIGN[@]}" --output "$TMP/stdin.signed" -
expect_rc 0
check "--output: nothing on stdout" [ ! -s "$TMP/out" ]
without_identity "$TMP/stdin.signed" >"$TMP/stdin.stripped"
check "sign - --output FILE" cmp -s "$TMP/stdin.stripped" "$GOLDEN/sipp_uac_tn.sip"

# --json: the same object as with --identity
run "${VERIFY[@]}" --json "$TMP/sipp_uac_tn.signed"
expect_rc 0
jq_is '[.verstat,.reason,.sip_status]' '["TN-Validation-Passed","CLID_OK",0]'
jq_is '.claims | [.orig,.dest,.attest]' '["12025550100",["12025550199"],"A"]'
jq_is '.signer.spc' '"709J"'

# --chain instead of the map
run verify --trust "$PKI/root.pem" --chain "$PKI/sp-chain.pem" --at "$NOW" \
    "$TMP/sipp_uac_tn.signed"
expect_rc 0

# --- verify --output: verstat on the caller's URI -------------------------
run "${VERIFY[@]}" --output "$TMP/marked.sip" "$TMP/sipp_uac_tn.signed"
expect_rc 0
check "--output: From carries verstat in its user part" \
    grep -q '^From: sipp <sip:+12025550100;verstat=TN-Validation-Passed@127.0.0.1:5060>;tag=' \
    "$TMP/marked.sip"
perl -0777 -pe 's/;verstat=TN-Validation-Passed@/@/' "$TMP/marked.sip" >"$TMP/unmarked.sip"
check "--output: every other byte unchanged" cmp -s "$TMP/unmarked.sip" "$TMP/sipp_uac_tn.signed"
# the marked request still verifies (verstat never enters the number)
run "${VERIFY[@]}" "$TMP/marked.sip"
expect_rc 0

# a P-Asserted-Identity caller is marked there, not in From
run "${VERIFY[@]}" --output "$TMP/marked-pai.sip" "$TMP/pai_list.signed"
expect_rc 0
check "--output: the first PAI entry is marked" \
    grep -q '^P-Asserted-Identity: "Alice, Sales" <sip:+12025550100;verstat=TN-Validation-Passed@' \
    "$TMP/marked-pai.sip"
check "--output: From untouched" grep -q '^From: "Reception" <sip:+12025550111@' \
    "$TMP/marked-pai.sip"

# unsigned: No-TN-Validation, and that is what --output writes
run "${VERIFY[@]}" --output "$TMP/unsigned.sip" "$GOLDEN/sipp_uac_tn.sip"
expect_rc 2
check "unsigned output" [ "$(cat "$TMP/out")" = $'No-TN-Validation\nreason: CLID_ERR_NO_IDENTITY\nsip: 428' ]
check "--output: No-TN-Validation" grep -q ';verstat=No-TN-Validation@' "$TMP/unsigned.sip"

# tampered To: TN-Validation-Failed, and that is what --output writes
sed 's/^To: 12025550199 <sip:12025550199@/To: 12025550199 <sip:12025550198@/' \
    "$TMP/sipp_uac_tn.signed" >"$TMP/tampered.sip"
ok
if cmp -s "$TMP/tampered.sip" "$TMP/sipp_uac_tn.signed"; then fail "the tamper changed nothing"; fi
run "${VERIFY[@]}" --output "$TMP/tampered-marked.sip" "$TMP/tampered.sip"
expect_rc 1
out_has "TN-Validation-Failed"
out_has "reason: CLID_ERR_DEST_MISMATCH"
out_has "sip: 438"
check "--output: TN-Validation-Failed" grep -q ';verstat=TN-Validation-Failed@' \
    "$TMP/tampered-marked.sip"

# stale: verified 61 s later
run verify --trust "$PKI/root.pem" --x5u-map "$URL=$PKI/sp-chain.pem" --at "$((NOW + 61))" \
    "$TMP/sipp_uac_tn.signed"
expect_rc 1
out_has "reason: CLID_ERR_IAT_STALE"
out_has "sip: 403"

# an anonymous caller: signing refused; verify --output copies the request as is
expect_error 1 '^clid: .*anonymous.sip: SIP request: CLID_ERR_SIP_NO_CALLER: ' \
    "${SIGN[@]}" "$GOLDEN/anonymous.sip"
run "${VERIFY[@]}" --output "$TMP/anon-out.sip" "$GOLDEN/anonymous.sip"
expect_rc 2
check "--output without a caller TN: unchanged" cmp -s "$TMP/anon-out.sip" "$GOLDEN/anonymous.sip"

# Date headers (RFC 8224 §4.1): within 60 s of iat signs; beyond is refused.
DATE_OK=$(date -u -d "@$NOW" '+%a, %d %b %Y %H:%M:%S GMT')
DATE_OLD=$(date -u -d "@$((NOW - 300))" '+%a, %d %b %Y %H:%M:%S GMT')
perl -0777 -pe "s/\r\nCall-ID:/\r\nDate: $DATE_OK\r\nCall-ID:/" "$GOLDEN/sipp_uac_tn.sip" \
    >"$TMP/dated.sip"
expect_ok "${SIGN[@]}" "$TMP/dated.sip"
cp "$TMP/out" "$TMP/dated.signed"
run "${VERIFY[@]}" "$TMP/dated.signed"
expect_rc 0
perl -0777 -pe "s/\r\nCall-ID:/\r\nDate: $DATE_OLD\r\nCall-ID:/" "$GOLDEN/sipp_uac_tn.sip" \
    >"$TMP/old.sip"
expect_error 1 'CLID_ERR_DATE_MISMATCH' "${SIGN[@]}" "$TMP/old.sip"
expect_error 1 'CLID_ERR_DATE_INVALID' "${SIGN[@]}" "$GOLDEN/date_malformed.sip"

# --orig/--dest with FILE: checks, not overrides
expect_ok "${SIGN[@]}" --orig +1-202-555-0100 --dest 12025550199 "$GOLDEN/sipp_uac_tn.sip"
expect_error 1 '^clid: .*: SIP request: CLID_ERR_ORIG_MISMATCH: --orig 12025550111 is not the request.s number 12025550100$' \
    "${SIGN[@]}" --orig 12025550111 "$GOLDEN/sipp_uac_tn.sip"
expect_error 1 'CLID_ERR_DEST_MISMATCH' "${SIGN[@]}" --dest 12025550100 "$GOLDEN/sipp_uac_tn.sip"
expect_error 64 'not a telephone number' "${SIGN[@]}" --orig alice "$GOLDEN/sipp_uac_tn.sip"

# --- not a request, unreadable, too big: 65 / 66 --------------------------
# bad_via: clid's scanner accepts it, libosip2 refuses it (and must not
# print its error trace on stdout: deps notes S2)
for name in response missing_to nul_in_header bare_cr no_blank_line bad_via; do
    expect_error 65 "SIP request: CLID_ERR_SIP_PARSE: " "${SIGN[@]}" "$GOLDEN/$name.sip"
    expect_error 65 "SIP request: CLID_ERR_SIP_PARSE: " "${VERIFY[@]}" "$GOLDEN/$name.sip"
done
head -c 65537 /dev/zero | tr '\0' 'a' >"$TMP/big.sip"
expect_error 65 'larger than 65536 bytes' "${SIGN[@]}" "$TMP/big.sip"
expect_error 65 'larger than 65536 bytes' "${VERIFY[@]}" "$TMP/big.sip"
expect_error 66 'cannot open' "${SIGN[@]}" "$TMP/missing.sip"
expect_error 66 'cannot open' "${VERIFY[@]}" "$TMP/missing.sip"
# a bad key is found after the request is read
expect_error 66 'CLID_ERR_IO' sign --key "$TMP/none.key" --x5u "$URL" --attest A \
    "$GOLDEN/sipp_uac_tn.sip"

# --- usage errors ----------------------------------------------------------
expect_error 64 'missing --attest' sign --key "$PKI/sp.key" --x5u "$URL" "$GOLDEN/sipp_uac_tn.sip"
expect_error 64 'missing --x5u' sign --key "$PKI/sp.key" --attest A "$GOLDEN/sipp_uac_tn.sip"
# --div with a request signs its diversion (sip_div.sh), never with --attest
expect_error 64 '--div with a request: no --isup, --dest, --attest, --origid' "${SIGN[@]}" --div 1 "$GOLDEN/sipp_uac_tn.sip"
expect_error 64 '--compact: not with a SIP request' "${SIGN[@]}" --compact \
    "$GOLDEN/sipp_uac_tn.sip"
expect_error 64 '--dest: at most once' "${SIGN[@]}" --dest 1 --dest 2 "$GOLDEN/sipp_uac_tn.sip"
expect_error 64 '--output: only with a SIP request' "${SIGN[@]}" --orig 1 --dest 2 \
    --output "$TMP/x"
expect_error 64 "unexpected operand 'b'" "${SIGN[@]}" a b
expect_error 64 '--identity: not with a SIP request' "${VERIFY[@]}" --identity x \
    "$GOLDEN/sipp_uac_tn.sip"
expect_error 64 '--orig: not with a SIP request' "${VERIFY[@]}" --orig 1 "$GOLDEN/sipp_uac_tn.sip"
expect_error 64 '--date: not with a SIP request' "${VERIFY[@]}" --date "$NOW" \
    "$GOLDEN/sipp_uac_tn.sip"
expect_error 64 '--output: a file, not standard output' "${VERIFY[@]}" --output - \
    "$GOLDEN/sipp_uac_tn.sip"
expect_error 64 '--output: only with a SIP request' "${VERIFY[@]}" --identity x --output "$TMP/x"
expect_error 64 "unexpected operand 'b'" "${VERIFY[@]}" a b
expect_error 64 '--no-binding: not with a SIP request' "${VERIFY[@]}" --no-binding \
    "$GOLDEN/sipp_uac_tn.sip"

# An asserted identity that cannot be read: not a request clid verifies
# (never bound to From instead), and the reason says which header.
perl -pe 's/^(CSeq: .*)$/$1\nP-Asserted-Identity: <<sip:+13105550000\@evil.example>\r/' \
    "$TMP/sipp_uac_tn.signed" >"$TMP/pai_unreadable.signed"
expect_error 65 'CLID_ERR_SIP_PARSE.*P-Asserted-Identity entry cannot be read' \
    "${VERIFY[@]}" "$TMP/pai_unreadable.signed"
# An empty Identity header: no identity (428), as without one.
perl -pe 's/^(CSeq: .*)$/$1\nIdentity:\r/' "$GOLDEN/sipp_uac_tn.sip" >"$TMP/empty_identity.sip"
run "${VERIFY[@]}" "$TMP/empty_identity.sip"
expect_rc 2
out_has "reason: CLID_ERR_NO_IDENTITY"
out_has "sip: 428"

# --- the fetcher options ---------------------------------------------------
# Accepted (the fetcher's own behaviour is tested with the library and by the
# Kamailio interop); a mapped x5u never reaches the fetcher.
run "${VERIFY[@]}" --allow-http-x5u --allow-private-x5u --cache-dir "$TMP/cache" \
    "$TMP/sipp_uac_tn.signed"
expect_rc 0
expect_error 66 'CLID_ERR_IO' "${VERIFY[@]}" --x5u-ca "$TMP/none.pem" "$TMP/sipp_uac_tn.signed"

finish
