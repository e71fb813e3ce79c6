#!/usr/bin/env bash
# clid ca: init, issue (ATIS-1000080 SP profile, TN-scoped, SignallingEntity),
# openssl accepts the chains (also -x509_strict), clid cert show decodes
# them, revoke + crl make openssl refuse them (the STI-PA's indirect CRL by
# default, the CAs' own CRLs with init --direct-crls), list and export.
. "$(dirname "$0")/lib.sh" "$@"
. "$TESTS_DIR/ca_lib.sh"
cd "$TMP"

# --- init ---------------------------------------------------------------------
# umask 000 must not make keys readable: they are created 0600 explicitly.
(umask 000 && "$CLID" ca init ca --name "Lab CA" --not-before 2025-01-01T00:00:00Z >"$TMP/out" 2>"$TMP/err") ||
    fail "ca init failed: $(cat "$TMP/err")"
check "init names the trust anchor" grep -q 'ca/root.pem is the trust anchor' "$TMP/out"
check "init states the profile of the root and intermediate" \
    grep -qx 'profile: shaken (root and intermediate; the STI-PA CRL signer: none, no STI certificate)' \
    "$TMP/out"
check "init prints two lines (no lint warning)" test "$(wc -l <"$TMP/out")" = 2
for f in ca.json root.key root.pem inter.key inter.pem index.json crlnumber lock crl-signer.key \
    crl-signer.pem sti-pa.crl sti-pa-crl.pem; do
    check "init made $f" test -f "ca/$f"
done
# The STI-PA signs every CRL (ATIS-1000080 v005): no CRLs of the CAs' own,
# and no serial counter (serials are random).
for f in crl.pem inter.crl root.crl serial; do
    check "init made no $f" test ! -e "ca/$f"
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
check "intermediate subject: C, O from --name, CN with SHAKEN" \
    grep -q 'Subject: C = US, O = Lab CA, CN = Lab CA SHAKEN intermediate' "$TMP/inter.txt"
check "intermediate keyUsage: keyCertSign alone (ATIS-1000080 v005)" bash -c \
    "grep -A1 'Key Usage: critical' '$TMP/inter.txt' | grep -qx ' *Certificate Sign'"
check "intermediate: the STI-PA's CRL distribution point" \
    grep -q 'URI:http://crl.clid-ca.invalid/sti-pa.crl' "$TMP/inter.txt"
check "root subject: CN with SHAKEN and root" bash -c \
    "openssl x509 -in ca/root.pem -noout -subject | grep -qx 'subject=C = US, O = Lab CA, CN = Lab CA SHAKEN root'"
check "root: no CRL distribution point, no policy" bash -c \
    "! openssl x509 -in ca/root.pem -noout -text | grep -Eq 'CRL Distribution|Policy'"
check "the first CRL is the STI-PA's, signed by its signer" \
    quiet openssl crl -in ca/sti-pa-crl.pem -CAfile ca/crl-signer.pem -noout
expect_error 1 '^clid: ca: exists and is not an empty directory; not changed$' ca init ca
mkdir empty
expect_ok ca init empty
check "init accepts an existing empty directory" test -f empty/root.pem

# --- issue: the ATIS-1000080 SHAKEN profile -----------------------------------
expect_ok ca issue ca --out sp --spc 709J
serial=$(head -1 "$TMP/out")
check "issue prints the serial (16 random octets: 32 hex digits)" \
    bash -c "[[ '$serial' =~ ^[4-7][0-9A-F]{31}\$ ]]"
check "then the profile" test "$(sed -n 2p "$TMP/out")" = "profile: shaken"
check "and nothing else (no lint warning)" test "$(wc -l <"$TMP/out")" = 2
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
check "C, O and CN (SHAKEN <SPC>)" grep -q 'Subject: C = US, O = SP 709J, CN = SHAKEN 709J' "$TMP/sp.txt"
check "basicConstraints critical CA:FALSE" bash -c \
    "grep -A1 'Basic Constraints: critical' '$TMP/sp.txt' | grep -qx ' *CA:FALSE'"
check "keyUsage critical digitalSignature" bash -c \
    "grep -A1 'Key Usage: critical' '$TMP/sp.txt' | grep -qx ' *Digital Signature'"
check "CRL distribution point: the STI-PA's (default URL next to --crl-url's)" \
    grep -q 'URI:http://crl.clid-ca.invalid/sti-pa.crl' "$TMP/sp.txt"
check "... with the cRLIssuer naming the STI-PA CRL signer" \
    grep -q 'DirName:C = US, O = Lab CA, CN = Lab CA STI-PA CRL' "$TMP/sp.txt"
check "SHAKEN certificate policy" grep -q 'Policy: 2.16.840.1.114569.1.1.1' "$TMP/sp.txt"
check "AKI and SKI" bash -c "grep -q 'Authority Key Identifier' '$TMP/sp.txt' &&
    grep -q 'Subject Key Identifier' '$TMP/sp.txt'"
check "ECDSA P-256 with SHA-256" bash -c "grep -q 'ecdsa-with-SHA256' '$TMP/sp.txt' &&
    grep -q 'NIST CURVE: P-256' '$TMP/sp.txt'"
expect_ok cert show --json sp.pem
jq_is '.certificates[0].serial' "\"$serial\""
jq_is '.certificates[0].tnauthlist' '{"critical":false,"entries":[{"type":"spc","value":"709J"}]}'
jq_is '.certificates[0].signalling_entity' 'null'
jq_is '.certificates[1].subject' '"CN=Lab CA SHAKEN intermediate,O=Lab CA,C=US"'
expect_ok cert show sp.pem
out_has "TNAuthList (1.3.6.1.5.5.7.1.26): non-critical"
out_has "  SPC:        709J"

# --- issue: TN-scoped, with a SignallingEntity and explicit validity ----------
expect_ok ca issue ca --out gw --tn +12025550100 --range 12025551000+100 --role international-gateway \
    --country 1 --country 44 --carrier ABC123 --mccmnc 310-410 --ispc 2-100-3 \
    --operator "Exemple Télécom" --not-before 2026-01-01T00:00:00Z --days 30 \
    --crl-url http://crl.lab.example/inter.crl
check "a gateway with a SignallingEntity: the q3063 profile" test "$(sed -n 2p "$TMP/out")" = "profile: q3063"
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
jq_is '.certificates[0].subject' '"CN=TN 12025550100 and 1 more,O=Exemple Télécom,C=US"'
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
check "list has a header and four rows" test "$(wc -l <"$TMP/out")" = 5
check "list shows the SP certificate and its profile" \
    grep -Eq "^$serial +valid +sp +shaken +.* CN=SHAKEN 709J,O=SP 709J,C=US\$" "$TMP/out"
expect_ok ca list --json ca
jq_is '[.certificates[].kind]' '["intermediate","crl-signer","sp","sp"]'
jq_is '[.certificates[].profile]' '["shaken","none","shaken","q3063"]'
jq_is '[.certificates[] | has("profile_reason")]' '[false,true,false,false]'
jq_is '.certificates[2].tnauthlist' '[{"type":"spc","value":"709J"}]'
jq_is '[.certificates[].status]' '["valid","valid","valid","expired"]'
jq_is '.name' '"Lab CA"'
jq_is '.root_profile' '"shaken"'
expect_ok ca export ca --out bundle.pem
check "export writes the root only" cmp -s bundle.pem ca/root.pem
expect_ok ca export ca --out -
check "export --out - writes to stdout" cmp -s "$TMP/out" ca/root.pem

# --- revoke + crl: openssl refuses after publication -------------------------------
# The default: the STI-PA's indirect CRL (RFC 5280 §5.2.5) is the only one.
expect_ok ca issue ca --out ok --range 12025550000+100
# osl_stipa CERT: openssl's view of the leaf with the STI-PA CRL
# (-extended_crl). Not -crl_check_all: it also wants a CRL covering the CRL
# signer, which nobody publishes (in SHAKEN neither; clid's verifier checks
# every certificate below the anchor, the signer's path without CRLs).
osl_stipa() {
    openssl verify -crl_check -extended_crl -CRLfile ca/sti-pa-crl.pem -CAfile ca/root.pem \
        -untrusted ca/inter.pem -untrusted ca/crl-signer.pem "$1" >"$TMP/v.out" 2>&1
}
osl_stipa_fails() {
    ! osl_stipa "$1"
}
expect_ok ca revoke ca "$serial" --reason keyCompromise --at 2026-06-01T00:00:00Z
out_has "$serial"
check "still valid for openssl before the CRL is published" osl_stipa sp.pem
expect_ok ca crl ca --out published.pem --days 7
out_has "crlNumber 2: 1 revoked in the STI-PA CRL"
check "--out gets the STI-PA CRL" cmp -s published.pem ca/sti-pa-crl.pem
check "no CRL of the CAs' own" test ! -e ca/crl.pem -a ! -e ca/inter.crl
check "openssl -crl_check -extended_crl fails after revoke + crl" osl_stipa_fails sp.pem
check "... because the certificate is revoked" grep -q 'certificate revoked' "$TMP/v.out"
check "another certificate still passes" osl_stipa ok.pem
openssl crl -in ca/sti-pa.crl -inform DER -noout -text >"$TMP/crl.txt"
check "DER CRL: crlNumber 2" bash -c "grep -A1 'CRL Number' '$TMP/crl.txt' | grep -qx ' *2'"
check "DER CRL: reason" grep -q 'Key Compromise' "$TMP/crl.txt"
check "DER CRL: revocation date from --at" grep -q 'Revocation Date: Jun  1 00:00:00 2026 GMT' "$TMP/crl.txt"
expect_error 1 "^clid: ca revoke: [0-9A-F]{32}: the STI-PA CRL signer: no CRL of this CA directory can revoke it" \
    ca revoke ca ca/crl-signer.pem
expect_ok ca list --json ca
jq_is '[.certificates[].kind] | length' '5'
jq_is '.certificates[2].revoked' '{"date":"2026-06-01T00:00:00Z","reason":"keyCompromise"}'
jq_is '.certificates[2].status' '"revoked"'
expect_error 1 "^clid: ca revoke: $serial: already revoked on 2026-06-01T00:00:00Z\$" \
    ca revoke ca "$serial"
# A serial in any case, with 0x and colons, names the same certificate.
colons=$(echo "$serial" | tr 'A-F' 'a-f' | sed 's/../&:/g;s/:$//')
expect_error 1 "already revoked" ca revoke ca "0x$colons"

# Revoking the intermediate puts it in the STI-PA CRL too (issuer: the root).
expect_ok ca issue ca --out sp2 --spc 1234
inter_serial=$(jq -r '.inter_serial' ca/ca.json)
expect_ok ca revoke ca ca/inter.pem --reason cACompromise
out_has "$inter_serial"
expect_ok ca crl ca
out_has "crlNumber 3: 2 revoked in the STI-PA CRL"
openssl crl -in ca/sti-pa-crl.pem -noout -text >"$TMP/crl.txt"
check "the STI-PA CRL lists the intermediate" grep -q "Serial Number: $inter_serial" "$TMP/crl.txt"
check "... as issued by the root (certificateIssuer)" \
    grep -q 'DirName:/C=US/O=Lab CA/CN=Lab CA SHAKEN root' "$TMP/crl.txt"
check "the DIR stays consistent" ca_consistent ca

# --- init --direct-crls: the CAs sign CRLs of their own -----------------------------
expect_ok ca init direct --name "Direct CA" --country FR --org "Direct Org" --direct-crls
check "--direct-crls: the profile holds, with one warning per CA (keyCertSign, cRLSign)" \
    test "$(grep -c '^warning: sti.ku.ca-single ' "$TMP/out")" = 2
for f in crl.pem inter.crl root.crl sti-pa.crl; do
    check "--direct-crls: init made $f" test -f "direct/$f"
done
openssl x509 -in direct/inter.pem -noout -text >"$TMP/inter.txt"
check "--direct-crls: keyCertSign and cRLSign" grep -q 'Certificate Sign, CRL Sign' "$TMP/inter.txt"
check "--country and --org" grep -q 'Subject: C = FR, O = Direct Org, CN = Direct CA SHAKEN intermediate' \
    "$TMP/inter.txt"
check "the first CRL verifies" quiet openssl crl -in direct/crl.pem -CAfile direct/inter.pem -noout
expect_ok ca issue direct --out dsp --spc 709J
dserial=$(head -1 "$TMP/out")
check "the SP certificate takes the CA's country" bash -c \
    "openssl x509 -in dsp.pem -noout -subject | grep -qx 'subject=C = FR, O = SP 709J, CN = SHAKEN 709J'"
expect_ok ca issue direct --out dok --range 12025550000+100
expect_ok ca revoke direct "$dserial" --reason keyCompromise --at 2026-06-01T00:00:00Z
check "still valid for openssl before the CRL is published" \
    quiet openssl verify -crl_check -CRLfile direct/crl.pem -CAfile direct/root.pem -untrusted direct/inter.pem dsp.pem
expect_ok ca crl direct --out dpublished.pem --days 7
out_has "crlNumber 2: 1 revoked by the intermediate, 0 by the root, 1 in the STI-PA CRL"
check "--out gets the same CRLs as DIR/crl.pem" cmp -s dpublished.pem direct/crl.pem
set +e
openssl verify -crl_check -CRLfile direct/crl.pem -CAfile direct/root.pem -untrusted direct/inter.pem dsp.pem \
    >"$TMP/v.out" 2>&1
rc=$?
set -e
check "openssl -crl_check fails after revoke + crl" test "$rc" -ne 0
check "... because the certificate is revoked" grep -q 'certificate revoked' "$TMP/v.out"
check "another certificate still passes -crl_check_all" quiet openssl verify -crl_check_all \
    -CRLfile direct/crl.pem -CAfile direct/root.pem -untrusted direct/inter.pem dok.pem
openssl crl -in direct/inter.crl -inform DER -noout -text >"$TMP/crl.txt"
check "DER CRL: crlNumber 2" bash -c "grep -A1 'CRL Number' '$TMP/crl.txt' | grep -qx ' *2'"
check "DER CRL: AKI" grep -q 'Authority Key Identifier' "$TMP/crl.txt"
check "DER CRL: reason" grep -q 'Key Compromise' "$TMP/crl.txt"
check "DER CRL: revocation date from --at" grep -q 'Revocation Date: Jun  1 00:00:00 2026 GMT' "$TMP/crl.txt"
check "DER CRL: nextUpdate 7 days later" grep -q 'Next Update: .* 2026 GMT' "$TMP/crl.txt"
check "inter.crl is signed by the intermediate" \
    quiet openssl crl -in direct/inter.crl -inform DER -CAfile <(cat direct/inter.pem direct/root.pem) -noout

# Revoking the intermediate goes into the root's CRL: every chain fails.
expect_ok ca issue direct --out dsp2 --spc 1234
inter_serial=$(jq -r '.inter_serial' direct/ca.json)
expect_ok ca revoke direct direct/inter.pem --reason cACompromise
out_has "$inter_serial"
expect_ok ca crl direct
out_has "crlNumber 3: 1 revoked by the intermediate, 1 by the root, 2 in the STI-PA CRL"
set +e
openssl verify -crl_check_all -CRLfile direct/crl.pem -CAfile direct/root.pem -untrusted direct/inter.pem \
    dsp2.pem >"$TMP/v.out" 2>&1
rc=$?
set -e
check "a revoked intermediate fails -crl_check_all" test "$rc" -ne 0
check "... at depth 1" grep -q 'error 23 at 1 depth' "$TMP/v.out"
check "root.crl lists the intermediate" bash -c \
    "openssl crl -in direct/root.crl -inform DER -noout -text | grep -q 'Serial Number: $inter_serial'"
# With direct CRLs the root's CRL can revoke the STI-PA CRL signer.
expect_ok ca revoke direct direct/crl-signer.pem
check "the DIR stays consistent" ca_consistent direct

finish
