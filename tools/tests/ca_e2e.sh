#!/usr/bin/env bash
# End to end: certificates from `clid ca issue` sign with `clid sign` and
# verify with `clid verify`; after `clid ca revoke` and `clid ca crl` (the
# STI-PA's indirect CRL, loaded with its signer), verification fails as
# CLID_ERR_CERT_REVOKED. Skipped (77) while this build
# of clid has no sign/verify commands (they come with the sign/verify issue).
. "$(dirname "$0")/lib.sh" "$@"
. "$TESTS_DIR/ca_lib.sh"
if ! "$CLID" help sign >/dev/null 2>&1 || ! "$CLID" help verify >/dev/null 2>&1; then
    echo "SKIP: this clid has no 'sign'/'verify' commands yet"
    exit 77
fi
cd "$TMP"

"$CLID" ca init lab --name "e2e lab" >/dev/null
"$CLID" ca export lab --out trust.pem
"$CLID" ca issue lab --out sp --spc 709J >/dev/null
"$CLID" ca issue lab --out gw --range 12025550000+100 --role originating-gateway --country 1 >/dev/null
"$CLID" ca issue lab --out spca --ca --range 13035550000+1000 >/dev/null
"$CLID" ca issue lab --out del --range 13035550500+10 --delegate-of spca.pem --parent-key spca.key \
    >/dev/null
NOW=$(date +%s)

# sign_verify NAME ORIG [verify options...]: signs as NAME (NAME.key, NAME.pem
# served at https://x5u.e2e.test/NAME.pem), verifies; $TMP/out holds the JSON.
sign_verify() {
    local name=$1 orig=$2 url=https://x5u.e2e.test/$1.pem id
    shift 2
    LAST_ARGS="sign as $name"
    run sign --key "$name.key" --cert "$name.pem" --x5u "$url" --orig "$orig" \
        --dest 14045550100 --attest A --at "$NOW"
    expect_rc 0
    id=$(cat "$TMP/out")
    LAST_ARGS="verify as $name"
    run verify --identity "$id" --orig "$orig" --dest 14045550100 --trust trust.pem \
        --x5u-map "$url=$name.pem" --at "$NOW" --json "$@"
}

for c in "sp 12025550100" "gw 12025550042" "del 13035550505"; do
    set -- $c
    sign_verify "$1" "$2"
    expect_rc 0
    jq_is '.verstat' '"TN-Validation-Passed"'
    jq_is '.reason' '"CLID_OK"'
    jq_is '.sip_status' '0'
    sign_verify "$1" "$2" --crl lab/sti-pa-crl.pem --crl-signer lab/crl-signer.pem
    expect_rc 0
    jq_is '.reason' '"CLID_OK"'
    jq_is '.warnings' '[]'
done

# The text form: verstat, then reason and sip lines.
id=$("$CLID" sign --key sp.key --cert sp.pem --x5u https://x5u.e2e.test/sp.pem \
    --orig 12025550100 --dest 14045550100 --attest A --at "$NOW")
LAST_ARGS="verify (text output)"
run verify --identity "$id" --orig 12025550100 --dest 14045550100 --trust trust.pem \
    --x5u-map https://x5u.e2e.test/sp.pem=sp.pem --at "$NOW"
expect_rc 0
check "text: verstat first" test "$(head -1 "$TMP/out")" = TN-Validation-Passed
out_has "reason: CLID_OK"

# Revoke the SP certificate and the delegate, publish: both fail as revoked.
"$CLID" ca revoke lab sp.pem --reason keyCompromise >/dev/null
"$CLID" ca revoke lab del.pem >/dev/null
"$CLID" ca crl lab --out crl.pem >/dev/null
"$CLID" ca crl lab --delegate-of spca.pem --parent-key spca.key --out spca-crl.pem >/dev/null
NOW=$(date +%s) # a CRL is valid from its thisUpdate, which is now
SIGNER=(--crl-signer lab/crl-signer.pem)
sign_verify sp 12025550100 --crl crl.pem "${SIGNER[@]}"
expect_rc 1
jq_is '.verstat' '"TN-Validation-Failed"'
jq_is '.reason' '"CLID_ERR_CERT_REVOKED"'
jq_is '.sip_status' '437'
sign_verify del 13035550505 --crl crl.pem --crl spca-crl.pem "${SIGNER[@]}"
expect_rc 1
jq_is '.reason' '"CLID_ERR_CERT_REVOKED"'
# The certificates not revoked still pass with the same CRLs.
sign_verify gw 12025550042 --crl crl.pem "${SIGNER[@]}"
expect_rc 0
jq_is '.reason' '"CLID_OK"'
# The STI-PA's CRL without its signer cannot be trusted.
sign_verify gw 12025550042 --crl crl.pem
expect_rc 1
jq_is '.reason' '"CLID_ERR_CRL_INVALID"'

# Revoking the intermediate (in the STI-PA CRL, issued by the root) revokes
# everything below it.
"$CLID" ca revoke lab lab/inter.pem --reason cACompromise >/dev/null
"$CLID" ca crl lab >/dev/null
NOW=$(date +%s)
sign_verify gw 12025550042 --crl lab/sti-pa-crl.pem "${SIGNER[@]}"
expect_rc 1
jq_is '.reason' '"CLID_ERR_CERT_REVOKED"'

# With init --direct-crls the CAs' own CRLs work as well.
"$CLID" ca init dlab --direct-crls >/dev/null
"$CLID" ca export dlab --out dtrust.pem
"$CLID" ca issue dlab --out dsp --spc 709J >/dev/null
"$CLID" ca revoke dlab dsp.pem >/dev/null
"$CLID" ca crl dlab >/dev/null
NOW=$(date +%s)
id=$("$CLID" sign --key dsp.key --cert dsp.pem --x5u https://x5u.e2e.test/dsp.pem \
    --orig 12025550100 --dest 14045550100 --attest A --at "$NOW")
LAST_ARGS="verify with dlab's own CRLs"
run verify --identity "$id" --orig 12025550100 --dest 14045550100 --trust dtrust.pem \
    --x5u-map "https://x5u.e2e.test/dsp.pem=dsp.pem" --at "$NOW" --json --crl dlab/crl.pem
expect_rc 1
jq_is '.reason' '"CLID_ERR_CERT_REVOKED"'

finish
