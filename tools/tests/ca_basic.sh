#!/usr/bin/env bash
# clid ca: init, issue (ATIS-1000080 SP profile, TN-scoped, SignallingEntity),
# openssl accepts the chains (also -x509_strict), clid cert show decodes
# them, revoke + crl make openssl refuse them, list and export.
. "$(dirname "$0")/lib.sh" "$@"
. "$TESTS_DIR/ca_lib.sh"
cd "$TMP"

# --- init ---------------------------------------------------------------------
# umask 000 must not make keys readable: they are created 0600 explicitly.
(umask 000 && "$CLID" ca init ca --name "Lab CA" --not-before 2025-01-01T00:00:00Z >"$TMP/out" 2>"$TMP/err") ||
    fail "ca init failed: $(cat "$TMP/err")"
check "init names the trust anchor" grep -q 'ca/root.pem is the trust anchor' "$TMP/out"
for f in ca.json root.key root.pem inter.key inter.pem index.json serial crlnumber crl.pem \
    inter.crl root.crl lock; do
    check "init made $f" test -f "ca/$f"
done
check "root.key is 0600 under umask 000" test "$(stat -c %a ca/root.key)" = 600
check "inter.key is 0600 under umask 000" test "$(stat -c %a ca/inter.key)" = 600
check "root.pem is 0644 under umask 000" test "$(stat -c %a ca/root.pem)" = 644
check "a fresh DIR is consistent" ca_consistent ca
check "the intermediate chains to the root (x509_strict)" \
    quiet openssl verify -x509_strict -CAfile ca/root.pem ca/inter.pem
check "root and intermediate carry no TNAuthList (ATIS-1000080)" bash -c \
    "! openssl asn1parse -in ca/root.pem | grep -q 1.3.6.1.5.5.7.1.26 &&
     ! openssl asn1parse -in ca/inter.pem | grep -q 1.3.6.1.5.5.7.1.26"
openssl x509 -in ca/inter.pem -noout -text >"$TMP/inter.txt"
check "intermediate: CA:TRUE, pathlen:1 (room for SP CAs)" grep -q 'CA:TRUE, pathlen:1' "$TMP/inter.txt"
check "intermediate subject from --name" grep -q 'Subject: O = Lab CA, CN = Lab CA intermediate' \
    "$TMP/inter.txt"
check "the first CRL verifies" quiet openssl crl -in ca/crl.pem -CAfile ca/inter.pem -noout
expect_error 1 '^clid: ca: exists and is not an empty directory; not changed$' ca init ca
mkdir empty
expect_ok ca init empty
check "init accepts an existing empty directory" test -f empty/root.pem

# --- issue: the ATIS-1000080 SHAKEN profile -----------------------------------
expect_ok ca issue ca --out sp --spc 709J
serial=$(cat "$TMP/out")
check "issue prints the serial (16 hex digits)" grep -Eqx '[0-9A-F]{16}' "$TMP/out"
check "PREFIX.key is 0600" test "$(stat -c %a sp.key)" = 600
check "PREFIX.pem holds leaf then intermediate" test "$(grep -c 'BEGIN CERTIFICATE' sp.pem)" = 2
check "openssl verify -CAfile ROOT -untrusted INTER" \
    quiet openssl verify -CAfile ca/root.pem -untrusted ca/inter.pem sp.pem
check "openssl verify -x509_strict" \
    quiet openssl verify -x509_strict -CAfile ca/root.pem -untrusted ca/inter.pem sp.pem
check "openssl verify -purpose any with the chain file as untrusted" osl_verify ca/root.pem sp.pem
check "the key matches the certificate" bash -c \
    "[ \"\$(openssl pkey -in sp.key -pubout)\" = \"\$(openssl x509 -in sp.pem -noout -pubkey)\" ]"
openssl x509 -in sp.pem -noout -text >"$TMP/sp.txt"
check "CN is SHAKEN <SPC>" grep -q 'Subject: CN = SHAKEN 709J' "$TMP/sp.txt"
check "basicConstraints critical CA:FALSE" bash -c \
    "grep -A1 'Basic Constraints: critical' '$TMP/sp.txt' | grep -qx ' *CA:FALSE'"
check "keyUsage critical digitalSignature" bash -c \
    "grep -A1 'Key Usage: critical' '$TMP/sp.txt' | grep -qx ' *Digital Signature'"
check "CRL distribution point (default URL)" \
    grep -q 'URI:http://crl.clid-ca.invalid/intermediate.crl' "$TMP/sp.txt"
check "SHAKEN certificate policy" grep -q 'Policy: 2.16.840.1.114569.1.1.1' "$TMP/sp.txt"
check "AKI and SKI" bash -c "grep -q 'Authority Key Identifier' '$TMP/sp.txt' &&
    grep -q 'Subject Key Identifier' '$TMP/sp.txt'"
check "ECDSA P-256 with SHA-256" bash -c "grep -q 'ecdsa-with-SHA256' '$TMP/sp.txt' &&
    grep -q 'NIST CURVE: P-256' '$TMP/sp.txt'"
expect_ok cert show --json sp.pem
jq_is '.certificates[0].serial' "\"$serial\""
jq_is '.certificates[0].tnauthlist' '{"critical":false,"entries":[{"type":"spc","value":"709J"}]}'
jq_is '.certificates[0].signalling_entity' 'null'
jq_is '.certificates[1].subject' '"CN=Lab CA intermediate,O=Lab CA"'
expect_ok cert show sp.pem
out_has "TNAuthList (1.3.6.1.5.5.7.1.26): non-critical"
out_has "  SPC:        709J"

# --- issue: TN-scoped, with a SignallingEntity and explicit validity ----------
expect_ok ca issue ca --out gw --tn +12025550100 --range 12025551000+100 --role international-gateway \
    --country 1 --country 44 --carrier ABC123 --mccmnc 310-410 --ispc 2-100-3 \
    --operator "Exemple Télécom" --not-before 2026-01-01T00:00:00Z --days 30 \
    --crl-url http://crl.lab.example/inter.crl
check "TN-scoped certificate verifies (x509_strict, at its own time)" \
    quiet openssl verify -x509_strict -attime 1767312000 -CAfile ca/root.pem -untrusted ca/inter.pem gw.pem
expect_ok cert show --json gw.pem
jq_is '.certificates[0].tnauthlist.entries' \
    '[{"type":"tn","value":"12025550100"},{"type":"range","start":"12025551000","count":100,"last":"12025551099"}]'
entity='{"critical":false,"role":"international-gateway","country_codes":["1","44"],'
entity+='"carrier_code":"ABC123","mobile_networks":[{"mcc":"310","mnc":"410"}],'
entity+='"signalling_point_codes":[{"code":4899,"zaaab":"2-100-3"}],'
entity+='"operator_name":"Exemple Télécom"}'
jq_is '.certificates[0].signalling_entity' "$entity"
jq_is '.certificates[0].subject' '"CN=TN 12025550100 and 1 more,O=Exemple Télécom"'
jq_is '.certificates[0].not_before' '"2026-01-01T00:00:00Z"'
jq_is '.certificates[0].not_after' '"2026-01-31T00:00:00Z"'
check "--crl-url overrides the default" bash -c \
    "openssl x509 -in gw.pem -noout -text | grep -q 'URI:http://crl.lab.example/inter.crl'"
check "the DIR stays consistent" ca_consistent ca

# A default validity never outlives the issuer: clamped to the intermediate.
"$CLID" ca init short --days 10 >/dev/null
expect_ok ca issue short --out s --tn 1234
check "default validity clamped to the issuer's notAfter" bash -c \
    "[ \"\$(openssl x509 -in s.pem -noout -enddate)\" = \"\$(openssl x509 -in short/inter.pem -noout -enddate)\" ]"

# --- list, export -----------------------------------------------------------------
expect_ok ca list ca
check "list has a header and three rows" test "$(wc -l <"$TMP/out")" = 4
check "list shows the SP certificate" grep -Eq "^$serial +valid +sp +.* CN=SHAKEN 709J\$" "$TMP/out"
expect_ok ca list --json ca
jq_is '[.certificates[].kind]' '["intermediate","sp","sp"]'
jq_is '.certificates[1].tnauthlist' '[{"type":"spc","value":"709J"}]'
jq_is '[.certificates[].status]' '["valid","valid","expired"]'
jq_is '.name' '"Lab CA"'
expect_ok ca export ca --out bundle.pem
check "export writes the root only" cmp -s bundle.pem ca/root.pem
expect_ok ca export ca --out -
check "export --out - writes to stdout" cmp -s "$TMP/out" ca/root.pem

# --- revoke + crl: openssl refuses after publication -------------------------------
expect_ok ca issue ca --out ok --range 12025550000+100
expect_ok ca revoke ca "$serial" --reason keyCompromise --at 2026-06-01T00:00:00Z
out_has "$serial"
check "still valid for openssl before the CRL is published" \
    quiet openssl verify -crl_check -CRLfile ca/crl.pem -CAfile ca/root.pem -untrusted ca/inter.pem sp.pem
expect_ok ca crl ca --out published.pem --days 7
out_has "crlNumber 2: 1 revoked by the intermediate, 0 by the root"
check "--out gets the same CRLs as DIR/crl.pem" cmp -s published.pem ca/crl.pem
set +e
openssl verify -crl_check -CRLfile ca/crl.pem -CAfile ca/root.pem -untrusted ca/inter.pem sp.pem \
    >"$TMP/v.out" 2>&1
rc=$?
set -e
check "openssl -crl_check fails after revoke + crl" test "$rc" -ne 0
check "... because the certificate is revoked" grep -q 'certificate revoked' "$TMP/v.out"
check "another certificate still passes -crl_check_all" quiet openssl verify -crl_check_all \
    -CRLfile ca/crl.pem -CAfile ca/root.pem -untrusted ca/inter.pem ok.pem
openssl crl -in ca/inter.crl -inform DER -noout -text >"$TMP/crl.txt"
check "DER CRL: crlNumber 2" bash -c "grep -A1 'CRL Number' '$TMP/crl.txt' | grep -qx ' *2'"
check "DER CRL: AKI" grep -q 'Authority Key Identifier' "$TMP/crl.txt"
check "DER CRL: reason" grep -q 'Key Compromise' "$TMP/crl.txt"
check "DER CRL: revocation date from --at" grep -q 'Revocation Date: Jun  1 00:00:00 2026 GMT' "$TMP/crl.txt"
check "DER CRL: nextUpdate 7 days later" grep -q 'Next Update: .* 2026 GMT' "$TMP/crl.txt"
check "inter.crl is signed by the intermediate" \
    quiet openssl crl -in ca/inter.crl -inform DER -CAfile <(cat ca/inter.pem ca/root.pem) -noout
expect_ok ca list --json ca
jq_is '[.certificates[].kind] | length' '4'
jq_is '.certificates[1].revoked' '{"date":"2026-06-01T00:00:00Z","reason":"keyCompromise"}'
jq_is '.certificates[1].status' '"revoked"'
expect_error 1 "^clid: ca revoke: $serial: already revoked on 2026-06-01T00:00:00Z\$" \
    ca revoke ca "$serial"

# Revoking the intermediate goes into the root's CRL: every chain fails.
expect_ok ca issue ca --out sp2 --spc 1234
inter_serial=$(jq -r '.inter_serial' ca/ca.json)
expect_ok ca revoke ca ca/inter.pem --reason cACompromise
out_has "$inter_serial"
expect_ok ca crl ca
out_has "crlNumber 3: 1 revoked by the intermediate, 1 by the root"
set +e
openssl verify -crl_check_all -CRLfile ca/crl.pem -CAfile ca/root.pem -untrusted ca/inter.pem \
    sp2.pem >"$TMP/v.out" 2>&1
rc=$?
set -e
check "a revoked intermediate fails -crl_check_all" test "$rc" -ne 0
check "... at depth 1" grep -q 'error 23 at 1 depth' "$TMP/v.out"
check "root.crl lists the intermediate" bash -c \
    "openssl crl -in ca/root.crl -inform DER -noout -text | grep -q 'Serial Number: $inter_serial'"
check "the DIR stays consistent" ca_consistent ca

finish
