#!/usr/bin/env bash
# Diverted calls through the tool (RFC 8946; docs/sip.md "Diverted calls"):
# clid sign FILE signs the original, clid sign --sip FILE --div adds the div
# PASSporT of the proxy that retargeted it (History-Info, then Diversion),
# clid verify checks the chain (--json div_chain), and each broken link
# fails with its reason; --trust verifies the original before signing;
# div-o with --opt, verified alone through the original it carries; the
# --div usage rules and exit statuses.
. "$(dirname "$0")/lib.sh" "$@"

PKI=$TMP/pki
sh "$TESTS_DIR/../../interop-tests/stir/make-pki.sh" "$PKI" >/dev/null
URL=https://certs.example.test/sp-chain.pem
# make-pki.sh certificates are valid from now for 10 days.
NOW=$(date +%s)
SIGNER=(--key "$PKI/sp.key" --cert "$PKI/sp.pem" --x5u "$URL" --at "$NOW")
VERIFY=(verify --trust "$PKI/root.pem" --x5u-map "$URL=$PKI/sp-chain.pem" --at "$NOW"
        --accept-ppt shaken --accept-ppt div)

# request RURI_TN EXTRA_HEADER_LINE: A (+12025550100) calls B (+12155550002),
# now on its way to RURI_TN.
request() {
    printf 'INVITE sip:+%s@c.example SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\r\nFrom: <sip:+12025550100@a.example>;tag=1\r\nTo: <sip:+12155550002@b.example>\r\nCall-ID: div@a.example\r\nCSeq: 1 INVITE\r\n%bContent-Length: 0\r\n\r\n' "$1" "$2"
}

HI='History-Info: <sip:+12155550002@b.example>;index=1,<sip:+12155550003@c.example>;index=1.1;rc=1\r\n'
DIV='Diversion: <sip:+12155550002@b.example>;reason=unconditional;counter=1\r\n'
for form in hi div; do
    if [ $form = hi ]; then extra=$HI; else extra=$DIV; fi
    request 12155550003 "$extra" >"$TMP/$form.sip"
    expect_ok sign "${SIGNER[@]}" --attest A "$TMP/$form.sip"
    cp "$TMP/out" "$TMP/$form.signed"
    # the bare --div, last or before another option, and --sip FILE
    expect_ok sign "${SIGNER[@]}" --sip "$TMP/$form.signed" --div
    cp "$TMP/out" "$TMP/$form.div"
    check "$form: one more Identity line" [ "$(grep -c '^Identity: ' "$TMP/$form.div")" -eq 2 ]
    check "$form: the new one is ppt=div" grep -q '^Identity: .*;ppt=div' "$TMP/$form.div"
    expect_ok sign --div --output "$TMP/$form.div2" "${SIGNER[@]}" "$TMP/$form.signed"
    check "$form: --output written" grep -q ';ppt=div' "$TMP/$form.div2"
    # --div TN: a check against the request's diverting number
    expect_ok sign "${SIGNER[@]}" --div +1-215-555-0002 "$TMP/$form.signed"
    expect_error 1 'CLID_ERR_DIV_CHAIN_LINK: --div 12155550009 is not the request.s number 12155550002' \
        sign "${SIGNER[@]}" --div 12155550009 "$TMP/$form.signed"
    # the chain verifies
    run "${VERIFY[@]}" "$TMP/$form.div"
    expect_rc 0
    check "$form: verified" [ "$(head -1 "$TMP/out")" = TN-Validation-Passed ]
    run "${VERIFY[@]}" --json "$TMP/$form.div"
    expect_rc 0
    jq_is '.div_chain.links|map([.from,.to])' '[["12155550002","12155550003"]]'
    jq_is '.div_chain.failed_link' 'null'
    jq_is '.claims.ppt' '"shaken"'
    # the Request-URI moved on without a div: the chain ends elsewhere
    sed 's/^INVITE sip:+12155550003@/INVITE sip:+12155550004@/' "$TMP/$form.div" >"$TMP/$form.moved"
    run "${VERIFY[@]}" --json "$TMP/$form.moved"
    expect_rc 1
    jq_is '.reason' '"CLID_ERR_DIV_CHAIN_DEST"'
    jq_is '.div_chain.failed_link' '0'
    jq_is '.detail' '"div #1 (12155550002 -> 12155550003): last PASSporT of the div chain does not name the request'"'"'s target (RFC 8946 §6)"'
    # without div accepted the div counts as none: the original alone (To)
    run verify --trust "$PKI/root.pem" --x5u-map "$URL=$PKI/sp-chain.pem" --at "$NOW" "$TMP/$form.div"
    expect_rc 0
done

# a second retargeting: C forwards to D (History-Info grows by one entry)
sed 's/^INVITE sip:+12155550003@/INVITE sip:+12155550004@/;
     s/index=1.1;rc=1/index=1.1;rc=1,<sip:+12155550004@d.example>;index=1.1.1;rc=1.1/' \
    "$TMP/hi.div" >"$TMP/hi.second"
expect_ok sign "${SIGNER[@]}" --sip "$TMP/hi.second" --div
cp "$TMP/out" "$TMP/hi.div2"
run "${VERIFY[@]}" --json "$TMP/hi.div2"
expect_rc 0
jq_is '.div_chain.links|map([.from,.to])' '[["12155550002","12155550003"],["12155550003","12155550004"]]'
# the first div taken out: the second chains to nothing
perl -0777 -pe 's/^Identity: [^\r\n]*;ppt=div\r\n//m' "$TMP/hi.div2" >"$TMP/hi.gap"
run "${VERIFY[@]}" --json "$TMP/hi.gap"
expect_rc 1
jq_is '.reason' '"CLID_ERR_DIV_CHAIN_LINK"'
jq_is '.div_chain.failed_link' '0'
# signing a div that chains to nothing is refused (C -> D without B -> C)
sed 's/^INVITE sip:+12155550003@/INVITE sip:+12155550004@/;
     s/index=1.1;rc=1/index=1.1;rc=1,<sip:+12155550004@d.example>;index=1.1.1;rc=1.1/' \
    "$TMP/hi.signed" >"$TMP/hi.skip"
expect_error 1 'CLID_ERR_DIV_CHAIN_LINK' sign "${SIGNER[@]}" --div "$TMP/hi.skip"

# --trust: the original verified before the div is signed (RFC 8946 §4)
ORIGINAL=(--trust "$PKI/root.pem" --x5u-map "$URL=$PKI/sp-chain.pem")
expect_ok sign "${SIGNER[@]}" --sip "$TMP/hi.signed" --div "${ORIGINAL[@]}"
check "--trust: the div added" grep -q '^Identity: .*;ppt=div' "$TMP/out"
# under anchors that do not reach the original's signer: nothing signed
expect_error 1 'CLID_ERR_CERT_UNTRUSTED' \
    sign "${SIGNER[@]}" --sip "$TMP/hi.signed" --div --trust "$PKI/sp.pem" \
    --x5u-map "$URL=$PKI/sp-chain.pem"
check "--trust refused: nothing written" [ ! -s "$TMP/out" ]
# the original's signature broken (a character of its signature changed)
perl -pe 's/^(Identity: [^.]+\.[^.]+\.)(.)/$1.($2 eq "A" ? "B" : "A")/e' "$TMP/hi.signed" \
    >"$TMP/hi.tampered"
check "tampered differs" [ "$(md5sum <"$TMP/hi.signed")" != "$(md5sum <"$TMP/hi.tampered")" ]
expect_error 1 'CLID_ERR_SIGNATURE' sign "${SIGNER[@]}" --sip "$TMP/hi.tampered" --div "${ORIGINAL[@]}"
# without --trust the host vouches for the original: signed all the same
expect_ok sign "${SIGNER[@]}" --sip "$TMP/hi.tampered" --div
# the original stale by the time the proxy signs (--at an hour on)
expect_error 1 'CLID_ERR_IAT_STALE' \
    sign --key "$PKI/sp.key" --cert "$PKI/sp.pem" --x5u "$URL" --at "$((NOW + 3600))" \
    --sip "$TMP/hi.signed" --div "${ORIGINAL[@]}"
# an offline map entry that cannot be read: exit 66
expect_error 66 'nothing.pem' sign "${SIGNER[@]}" --sip "$TMP/hi.signed" --div \
    --trust "$PKI/root.pem" --x5u-map "$URL=$TMP/nothing.pem"
expect_error 64 'sign: --trust: only with --div and a SIP request' \
    sign "${SIGNER[@]}" --attest A --trust "$PKI/root.pem" "$TMP/hi.sip"
expect_error 64 'sign: --x5u-map: only with --trust' \
    sign "${SIGNER[@]}" --div --x5u-map "$URL=$PKI/sp-chain.pem" "$TMP/hi.signed"
expect_error 64 'sign: --allow-http-x5u: only with --trust' \
    sign "${SIGNER[@]}" --div --allow-http-x5u "$TMP/hi.signed"

# div-o (RFC 8946 §5): --opt carries the original; verified on its own
# through the chain it carries (clid verify --identity)
ORIG_ID=$("$CLID" sign "${SIGNER[@]}" --orig 12025550100 --dest 12155550002 --attest A) ||
    fail "original for div-o"
expect_ok sign "${SIGNER[@]}" --orig 12025550100 --dest 12155550003 --div 12155550002 \
    --opt "$ORIG_ID"
DIVO=$(cat "$TMP/out")
check "div-o: ppt=div-o" grep -q ';ppt=div-o$' "$TMP/out"
VERIFY_ID=(verify --trust "$PKI/root.pem" --x5u-map "$URL=$PKI/sp-chain.pem" --at "$NOW"
           --accept-ppt shaken --accept-ppt div-o --orig 12025550100 --json)
run "${VERIFY_ID[@]}" --dest 12155550003 --identity "$DIVO"
expect_rc 0
jq_is '[.reason, .claims.ppt, (.div_chain.links|map([.from,.to]))]' \
    '["CLID_OK","shaken",[["12155550002","12155550003"]]]'
jq_is '.div_chain.opt' "\"${ORIG_ID%%;*}\""
run "${VERIFY_ID[@]}" --dest 12155550009 --identity "$DIVO"
expect_rc 1
jq_is '[.reason, .div_chain.failed_link]' '["CLID_ERR_DIV_CHAIN_DEST",0]'
# the carried original diverted from elsewhere: the link is broken
expect_ok sign "${SIGNER[@]}" --orig 12025550100 --dest 12155550003 --div 12155550007 \
    --opt "$ORIG_ID"
run "${VERIFY_ID[@]}" --dest 12155550003 --identity "$(cat "$TMP/out")"
expect_rc 1
jq_is '.reason' '"CLID_ERR_DIV_CHAIN_LINK"'
expect_error 1 'CLID_ERR_INVALID_ARGUMENT' \
    sign "${SIGNER[@]}" --orig 12025550100 --dest 12155550003 --div 12155550002 --opt a.b
expect_error 64 'sign: --opt: only with --div TN, without a SIP request' \
    sign "${SIGNER[@]}" --orig 12025550100 --dest 12155550003 --attest A --opt "$ORIG_ID"
expect_error 64 'sign: --opt: only with --div TN, without a SIP request' \
    sign "${SIGNER[@]}" --sip "$TMP/hi.signed" --div --opt "$ORIG_ID"

# refusals and usage
request 12155550003 '' >"$TMP/none.sip"
expect_error 1 'CLID_ERR_SIP_NO_DIVERSION' sign "${SIGNER[@]}" --div "$TMP/none.sip"
request 12155550003 'History-Info: <sip:+12155550002@b.example>;index=1,<sip:+12155550003@c.example>;index=1;rc=1\r\n' >"$TMP/dup.sip"
expect_error 1 'CLID_ERR_SIP_HISTORY_INFO' sign "${SIGNER[@]}" --div "$TMP/dup.sip"
expect_error 64 'no --isup, --dest, --attest, --origid' sign "${SIGNER[@]}" --attest A --div "$TMP/hi.sip"
expect_error 64 'sign: --div needs a TN without a SIP request' sign "${SIGNER[@]}" --orig 1 --dest 2 --div
expect_error 64 'operand' sign "${SIGNER[@]}" --div --sip "$TMP/hi.sip" "$TMP/hi.sip"

finish
