#!/usr/bin/env bash
# `clid cert show` on certificates made by the openssl CLI (a tool no one here
# wrote): the decoded fields, text and JSON, agree with what openssl put in.
. "$(dirname "$0")/lib.sh" "$@"

TNAUTH=1.3.6.1.5.5.7.1.26
# spc "709J" | one "12025551000" | range {"12025550000", 100}: deps notes §1.7
ALL3=30:2B:A0:06:16:04:37:30:39:4A:A2:0D:16:0B:31:32:30:32:35:35:35:31:30:30:30
ALL3=$ALL3:A1:12:30:10:16:0B:31:32:30:32:35:35:35:30:30:30:30:02:01:64

# --- SPC only, exactly the SHAKEN form ------------------------------------
selfsigned "$TMP/spc.pem" "/CN=SHAKEN 709J/O=Example Carrier/C=US" \
    -addext "$TNAUTH=DER:30:08:A0:06:16:04:37:30:39:4A"
expect_ok cert show "$TMP/spc.pem"
out_has "TNAuthList ($TNAUTH): non-critical"
out_has "  SPC:        709J"
out_has "JWTClaimConstraints (1.3.6.1.5.5.7.1.27): absent"
out_has "EnhancedJWTClaimConstraints (1.3.6.1.5.5.7.1.33): absent"
out_has "SignallingEntity (2.25.42566855811865493193646212583568270452.2.1): absent"
out_has "Key:          EC P-256"
# Cross-check the basic fields with openssl's own view of the certificate.
serial=$(openssl x509 -in "$TMP/spc.pem" -noout -serial | sed 's/^serial=//')
subject=$(openssl x509 -in "$TMP/spc.pem" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')
nb=$(openssl x509 -in "$TMP/spc.pem" -noout -startdate -dateopt iso_8601 | sed 's/^notBefore=//; s/ /T/')
na=$(openssl x509 -in "$TMP/spc.pem" -noout -enddate -dateopt iso_8601 | sed 's/^notAfter=//; s/ /T/')
out_has "Serial:       $serial"
out_has "Subject:      $subject"
out_has "Issuer:       $subject"
out_has "Not before:   $nb"
out_has "Not after:    $na"
cp "$TMP/out" "$TMP/spc.txt"

expect_ok cert show "$TMP/spc.pem" --json
jq_is '.file' "\"$TMP/spc.pem\""
jq_is '.certificates | length' 1
jq_is '.certificates[0].tnauthlist' '{"critical":false,"entries":[{"type":"spc","value":"709J"}]}'
jq_is '.certificates[0] | [.jwt_claim_constraints, .enhanced_jwt_claim_constraints, .signalling_entity]' \
    '[null,null,null]'
jq_is '.certificates[0].serial' "\"$serial\""
jq_is '.certificates[0].subject' "\"$subject\""
jq_is '.certificates[0].not_before' "\"$nb\""
jq_is '.certificates[0].not_after' "\"$na\""
jq_is '.certificates[0].key_type' '"EC P-256"'
jq_is '.certificates[0] | keys_unsorted' \
    '["subject","issuer","serial","not_before","not_after","key_type","tnauthlist","jwt_claim_constraints","enhanced_jwt_claim_constraints","signalling_entity"]'

# The same certificate as DER, and from standard input: the same text.
openssl x509 -in "$TMP/spc.pem" -outform DER -out "$TMP/spc.der"
expect_ok cert show "$TMP/spc.der"
check "DER input prints what PEM input prints" cmp -s "$TMP/out" "$TMP/spc.txt"
ok
if ! "$CLID" cert show - <"$TMP/spc.der" | cmp -s - "$TMP/spc.txt"; then
    fail "'clid cert show -' from stdin differs"
fi

# --- TN, range, SPC; a critical TNAuthList --------------------------------
selfsigned "$TMP/list.pem" "/CN=list" -addext "$TNAUTH=critical,DER:$ALL3"
expect_ok cert show "$TMP/list.pem"
out_has "TNAuthList ($TNAUTH): critical"
out_has "  SPC:        709J"
out_has "  TN:         12025551000"
out_has "  Range:      12025550000 count 100 (to 12025550099)"
expect_ok cert show "$TMP/list.pem" --json
jq_is '.certificates[0].tnauthlist.critical' true
jq_is '.certificates[0].tnauthlist.entries' \
    '[{"type":"spc","value":"709J"},{"type":"tn","value":"12025551000"},{"type":"range","start":"12025550000","count":100,"last":"12025550099"}]'

# --- every extension, built by openssl's ASN.1 generator -------------------
cat >"$TMP/all.cnf" <<'EOF'
[ext]
basicConstraints = critical,CA:FALSE
1.3.6.1.5.5.7.1.26 = DER:30:08:A0:06:16:04:37:30:39:4A
1.3.6.1.5.5.7.1.27 = ASN1:SEQUENCE:jwtcc
1.3.6.1.5.5.7.1.33 = critical,ASN1:SEQUENCE:ejwtcc
2.25.42566855811865493193646212583568270452.2.1 = ASN1:SEQUENCE:entity
[jwtcc]
mustInclude = EXPLICIT:0,SEQUENCE:names
permittedValues = EXPLICIT:1,SEQUENCE:pvlist
[names]
n1 = IA5STRING:rcd
n2 = IA5STRING:crn
[pvlist]
p1 = SEQUENCE:pv_attest
[pv_attest]
claim = IA5STRING:attest
permitted = SEQUENCE:attest_values
[attest_values]
v1 = UTF8String:A
v2 = UTF8String:B
[ejwtcc]
permittedValues = EXPLICIT:1,SEQUENCE:pvlist
mustExclude = EXPLICIT:2,SEQUENCE:excl
[excl]
n1 = IA5STRING:div
[entity]
role = IMPLICIT:0,ENUMERATED:1
countryCodes = IMPLICIT:1,SEQUENCE:ccs
carrierCode = IMPLICIT:2,IA5STRING:ABC123
mobileNetworks = IMPLICIT:3,SEQUENCE:plmns
signallingPointCodes = IMPLICIT:4,SEQUENCE:spcs
operatorName = IMPLICIT:5,FORMAT:UTF8,UTF8String:Téléphone Example
[ccs]
c1 = IA5STRING:44
c2 = IA5STRING:353
[plmns]
p1 = SEQUENCE:plmn1
[plmn1]
mcc = IA5STRING:234
mnc = IA5STRING:015
[spcs]
s1 = INTEGER:4899
s2 = INTEGER:16383
EOF
selfsigned "$TMP/all.pem" "/CN=Zürich gateway/O=Example" -utf8 -config "$TMP/all.cnf" -extensions ext
expect_ok cert show "$TMP/all.pem"
out_has "Subject:      O=Example,CN=Zürich gateway"
out_has "JWTClaimConstraints (1.3.6.1.5.5.7.1.27): non-critical"
out_has "  Include:    rcd"
out_has "  Include:    crn"
out_has "  Permitted:  attest = A"
out_has "  Permitted:  attest = B"
out_has "EnhancedJWTClaimConstraints (1.3.6.1.5.5.7.1.33): critical"
out_has "  Exclude:    div"
out_has "  Role:       international-gateway"
out_has "  Country:    44"
out_has "  Country:    353"
out_has "  Carrier:    ABC123"
out_has "  PLMN:       MCC 234, MNC 015"
out_has "  ISPC:       2-100-3 (4899)"
out_has "  ISPC:       7-255-7 (16383)"
out_has "  Operator:   Téléphone Example"
expect_ok cert show --json "$TMP/all.pem"
jq_is '.certificates[0].jwt_claim_constraints' \
    '{"critical":false,"must_include":["rcd","crn"],"permitted_values":[{"claim":"attest","values":["A","B"]}]}'
jq_is '.certificates[0].enhanced_jwt_claim_constraints' \
    '{"critical":true,"must_include":[],"permitted_values":[{"claim":"attest","values":["A","B"]}],"must_exclude":["div"]}'
jq_is '.certificates[0].signalling_entity' \
    '{"critical":false,"role":"international-gateway","country_codes":["44","353"],"carrier_code":"ABC123","mobile_networks":[{"mcc":"234","mnc":"015"}],"signalling_point_codes":[{"code":4899,"zaaab":"2-100-3"},{"code":16383,"zaaab":"7-255-7"}],"operator_name":"Téléphone Example"}'
jq_is '.certificates[0].subject' '"O=Example,CN=Zürich gateway"'

# A minimal SignallingEntity: role only; the optional fields are empty or null.
selfsigned "$TMP/role.pem" "/CN=role" \
    -addext "2.25.42566855811865493193646212583568270452.2.1=DER:30:03:80:01:03"
expect_ok cert show "$TMP/role.pem" --json
jq_is '.certificates[0].signalling_entity' \
    '{"critical":false,"role":"verifier","country_codes":[],"carrier_code":null,"mobile_networks":[],"signalling_point_codes":[],"operator_name":null}'

# --- several certificates in one PEM file, other PEM blocks skipped --------
cat "$TMP/k.pem" "$TMP/spc.pem" "$TMP/list.pem" >"$TMP/two.pem"
expect_ok cert show "$TMP/two.pem"
out_has "Certificate 1 of 2"
out_has "Certificate 2 of 2"
check "two certificates, two subjects" test "$(grep -c '^Subject:' "$TMP/out")" -eq 2
expect_ok cert show "$TMP/two.pem" --json
jq_is '[.certificates[].tnauthlist.critical]' '[false,true]'

# --- key types -------------------------------------------------------------
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$TMP/rsa.key" 2>/dev/null
openssl req -new -x509 -key "$TMP/rsa.key" -subj "/CN=rsa" -days 1 -out "$TMP/rsa.pem"
expect_ok cert show "$TMP/rsa.pem"
out_has "Key:          RSA 2048"
openssl genpkey -algorithm ED25519 -out "$TMP/ed.key"
openssl req -new -x509 -key "$TMP/ed.key" -subj "/CN=ed" -days 1 -out "$TMP/ed.pem"
expect_ok cert show "$TMP/ed.pem" --json
jq_is '.certificates[0].key_type' '"ED25519"'

# --- hostile text is escaped, never sent raw to the terminal ---------------
selfsigned "$TMP/esc.pem" "$(printf '/CN=a\033[31mb')"
expect_ok cert show "$TMP/esc.pem"
check "no ESC byte in text output" bash -c "! grep -q $'\\033' '$TMP/out'"
out_has 'Subject:      CN=a\1B[31mb'

finish
