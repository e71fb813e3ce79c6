#!/usr/bin/env bash
# clid ca: RFC 9060 delegation. An SP CA (--ca: CA:TRUE, pathlen 0, with a
# TNAuthList) issues delegates whose TNAuthList it encompasses; openssl
# accepts the three-level chains; not encompassed is refused; delegates are
# revoked through the SP CA's own CRL (crl --delegate-of).
. "$(dirname "$0")/lib.sh" "$@"
. "$TESTS_DIR/ca_lib.sh"
cd "$TMP"

"$CLID" ca init ca >/dev/null
expect_ok ca issue ca --out spca --ca --range 12025550000+1000 --tn 13035550100 --org "SP One"
spca_serial=$(head -1 "$TMP/out")
check "SP CA: the Q.3063 profile (a CA may carry a TNAuthList there)" \
    test "$(sed -n 2p "$TMP/out")" = "profile: q3063"
openssl x509 -in spca.pem -noout -text >spca.txt
check "SP CA: CA:TRUE, pathlen:0, critical" bash -c \
    "grep -A1 'Basic Constraints: critical' spca.txt | grep -q 'CA:TRUE, pathlen:0'"
check "SP CA: keyCertSign and cRLSign" grep -q 'Certificate Sign, CRL Sign' spca.txt
check "SP CA: subject" grep -q 'Subject: C = US, O = SP One, CN = TN 13035550100 and 1 more CA' spca.txt
check "SP CA chain verifies (x509_strict)" quiet openssl verify -x509_strict -CAfile ca/root.pem \
    -untrusted ca/inter.pem spca.pem
expect_ok cert show --json spca.pem
jq_is '.certificates[0].tnauthlist.entries | length' '2'

# Encompassed: a sub-range, a single TN, the whole parent range.
expect_ok ca issue ca --out d1 --range 12025550100+100 --delegate-of spca.pem --parent-key spca.key
d1_serial=$(head -1 "$TMP/out")
check "delegate: no profile, and why" bash -c \
    "sed -n 2p '$TMP/out' | grep -q '^profile: none (an RFC 9060 delegate certificate: '"
expect_ok ca issue ca --out d2 --tn 13035550100 --tn 12025550999 --delegate-of spca.pem \
    --parent-key spca.key --crl-url http://crl.sp-one.example/delegates.crl
expect_ok ca issue ca --out d3 --range 12025550000+1000 --delegate-of spca.pem --parent-key spca.key
for d in d1 d2 d3; do
    check "$d.pem holds delegate, SP CA, intermediate" test "$(grep -c 'BEGIN CERTIFICATE' $d.pem)" = 3
    check "$d: openssl verify -CAfile ROOT -untrusted CHAIN" quiet openssl verify -CAfile ca/root.pem \
        -untrusted "$d.pem" "$d.pem"
    check "$d: openssl verify -x509_strict" quiet openssl verify -x509_strict -CAfile ca/root.pem \
        -untrusted "$d.pem" "$d.pem"
done
openssl x509 -in d1.pem -noout -text >d1.txt
check "delegate: CA:FALSE" bash -c "grep -A1 'Basic Constraints: critical' d1.txt | grep -q CA:FALSE"
check "delegate: digitalSignature" bash -c "grep -A1 'Key Usage: critical' d1.txt | grep -q 'Digital Signature'"
check "delegate: issued by the SP CA" grep -q 'Issuer: C = US, O = SP One, CN = TN 13035550100 and 1 more CA' d1.txt
check "delegate: no CRL DP by default (its CRL is the SP CA's)" bash -c "! grep -q 'CRL Distribution' d1.txt"
check "delegate: --crl-url" bash -c \
    "openssl x509 -in d2.pem -noout -text | grep -q 'URI:http://crl.sp-one.example/delegates.crl'"
check "delegate: AKI is the SP CA's SKI" bash -c \
    "[ \"\$(grep -A1 'Authority Key Identifier' d1.txt | tail -1 | tr -d ' ')\" = \
       \"\$(grep -A1 'Subject Key Identifier' spca.txt | tail -1 | tr -d ' ')\" ]"
expect_ok cert show --json d1.pem
jq_is '.certificates[0].tnauthlist.entries' '[{"type":"range","start":"12025550100","count":100,"last":"12025550199"}]'
jq_is '[.certificates[].subject]' \
    '["CN=TN 12025550100-12025550199,C=US","CN=TN 13035550100 and 1 more CA,O=SP One,C=US","CN=clid test CA SHAKEN intermediate,O=clid test CA,C=US"]'
expect_ok ca list --json ca
jq_is "[.certificates[] | select(.kind == \"delegate\") | .issuer_serial] | unique" "[\"$spca_serial\"]"

# Not encompassed: refused, DIR unchanged.
before=$(dir_hash ca)
expect_error 65 'CLID_ERR_DELEGATE_NOT_ENCOMPASSED' \
    ca issue ca --out bad --range 12025550990+20 --delegate-of spca.pem --parent-key spca.key
expect_error 65 'CLID_ERR_DELEGATE_NOT_ENCOMPASSED' \
    ca issue ca --out bad --tn 13035550101 --delegate-of spca.pem --parent-key spca.key
check "refusals leave DIR unchanged" test "$(dir_hash ca)" = "$before"

# An SP CA with an SPC delegates that SPC (and only what it lists).
expect_ok ca issue ca --out spca2 --ca --spc 709J --range 14045550000+10
expect_ok ca issue ca --out d4 --spc 709J --tn 14045550001 --delegate-of spca2.pem --parent-key spca2.key
check "SPC delegate verifies" quiet openssl verify -x509_strict -CAfile ca/root.pem -untrusted d4.pem d4.pem
expect_error 65 'CLID_ERR_DELEGATE_NOT_ENCOMPASSED' \
    ca issue ca --out bad --tn 15055550001 --delegate-of spca2.pem --parent-key spca2.key

# Revoking a delegate: the SP CA signs its CRL with its own key.
expect_ok ca revoke ca d1.pem --reason superseded
expect_ok ca crl ca --delegate-of spca.pem --parent-key spca.key --out spca-crl.pem --days 3
check "the SP CA's CRL reports one revocation" grep -q 'revoked by the SP CA' "$TMP/out"
check "SP CA CRL is signed by the SP CA" quiet openssl crl -in spca-crl.pem -CAfile spca.pem -noout
set +e
openssl verify -crl_check -CRLfile spca-crl.pem -CAfile ca/root.pem -untrusted d1.pem d1.pem \
    >v.out 2>&1
rc=$?
set -e
check "revoked delegate fails -crl_check" test "$rc" -ne 0
check "... as revoked" grep -q 'certificate revoked' v.out
check "another delegate passes -crl_check" quiet openssl verify -crl_check -CRLfile spca-crl.pem \
    -CAfile ca/root.pem -untrusted d3.pem d3.pem
check "the STI-PA CRL does not list the delegate" bash -c \
    "\"$CLID\" ca crl ca >/dev/null && ! openssl crl -in ca/sti-pa-crl.pem -noout -text | grep -q '$d1_serial'"

# A revoked SP CA issues no more delegates.
expect_ok ca revoke ca spca.pem
expect_error 65 'the parent is revoked' \
    ca issue ca --out bad --tn 12025550001 --delegate-of spca.pem --parent-key spca.key
check "DIR consistent" ca_consistent ca

finish
