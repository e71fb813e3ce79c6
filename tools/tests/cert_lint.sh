#!/usr/bin/env bash
# `clid cert lint` end to end on certificates made by the openssl CLI: a
# conforming SHAKEN chain (root, STI-CA, SP) and a conforming Q.3063-profile
# gateway, then certificates that each break one rule and must be reported
# with exactly that rule; exit statuses, text and JSON output, bad input;
# and `clid verify --cert-profile`. Every rule also has its own certificate
# in the unit tests (lib/tests/x509/test_profile_rules.c).
# Processes are few on purpose (the ASan build runs this on 2 busy cores):
# one openssl per certificate, one clid per profile for all the files.
. "$(dirname "$0")/lib.sh" "$@"

CLID=$(cd "$(dirname "$CLID")" && pwd)/$(basename "$CLID")
cd "$TMP"
TNAUTH=1.3.6.1.5.5.7.1.26
ENTITY=2.25.42566855811865493193646212583568270452.2.1
SPC_709J=DER:30:08:A0:06:16:04:37:30:39:4A
# TN 442079460123 and range 442079460000 count 1000
TN_44=DER:30:26:A2:0E:16:0C:34:34:32:30:37:39:34:36:30:31:32:33:A1:14:30:12:16:0C:34:34:32:30:37:39:34:36:30:30:30:30:02:02:03:E8
# SignallingEntity: international gateway, country code 44 / transit, 44 / originating, 1
ENT_GW44=DER:30:09:80:01:01:A1:04:16:02:34:34
ENT_TRANSIT=DER:30:09:80:01:02:A1:04:16:02:34:34
ENT_CC1=DER:30:08:80:01:00:A1:03:16:01:31

cat >lint.cnf <<EOF
[req]
distinguished_name = dn
[dn]
[crldp]
fullname = URI:https://sti-pa.example.com/crl
CRLissuer = dirName:crl_issuer
[crldp_direct]
fullname = URI:https://ca.example.com/inter.crl
[crl_issuer]
C = US
O = STI-PA
CN = STI-PA CRL
[root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign
subjectKeyIdentifier = hash
[root_crldp]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign
subjectKeyIdentifier = hash
crlDistributionPoints = crldp
[inter]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
certificatePolicies = 2.16.840.1.114569.1.1.4
crlDistributionPoints = crldp
[inter_crlsign]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
certificatePolicies = 2.16.840.1.114569.1.1.4
crlDistributionPoints = crldp
EOF
# ee_X sections: the conforming SP certificate with one line changed.
EE_LINES=(
    "basicConstraints = critical,CA:FALSE"
    "keyUsage = critical,digitalSignature"
    "subjectKeyIdentifier = hash"
    "authorityKeyIdentifier = keyid:always"
    "certificatePolicies = 2.16.840.1.114569.1.1.4"
    "crlDistributionPoints = crldp"
    "$TNAUTH = $SPC_709J"
)
# section NAME FROM TO: the SP section with line FROM (a prefix) replaced by
# TO ("" drops it; FROM "" adds TO).
section() {
    local name=$1 from=$2 to=$3 line
    printf '[%s]\n' "$name" >>lint.cnf
    for line in "${EE_LINES[@]}"; do
        if [ -n "$from" ] && [ "${line#"$from"}" != "$line" ]; then
            [ -z "$to" ] || printf '%s\n' "$to" >>lint.cnf
        else
            printf '%s\n' "$line" >>lint.cnf
        fi
    done
    [ -n "$from" ] || printf '%s\n' "$to" >>lint.cnf
}
section ee "" ""
section ee_crldp_direct "crlDistributionPoints" "crlDistributionPoints = crldp_direct"
section ee_ku_nonrep "keyUsage" "keyUsage = critical,digitalSignature,nonRepudiation"
section ee_ku_der "keyUsage" "keyUsage = critical,DER:03:02:00:80"
section ee_bc_noncrit "basicConstraints" "basicConstraints = CA:FALSE"
section ee_no_cp "certificatePolicies" ""
section ee_no_tnauth "$TNAUTH" ""
section ee_tn "$TNAUTH" "$TNAUTH = $TN_44"
section ee_ber_tnauth "$TNAUTH" "$TNAUTH = DER:30:81:08:A0:06:16:04:37:30:39:4A"
section ee_unknown "" "1.2.3.4 = DER:05:00"
section ee_entity "" "$ENTITY = $ENT_GW44"
# (openssl req adds a SKI unless told "none")
section ee_no_ski "subjectKeyIdentifier" "subjectKeyIdentifier = none"
section ee_crit_unknown "" "1.2.3.4 = critical,DER:05:00"
# q_X sections: the Q.3063-profile gateway.
for q in "q_ee:$ENT_GW44" "q_transit:$ENT_TRANSIT" "q_cc1:$ENT_CC1"; do
    cat >>lint.cnf <<EOF
[${q%%:*}]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = crldp_direct
$TNAUTH = $TN_44
$ENTITY = ${q#*:}
EOF
done

# Serial numbers: 16 octets, positive, low 32 bits never counter-like.
serial() {
    printf '0x4%03X%04X%04X%04X%04X%04X%04X%04X\n' $((RANDOM & 0xFFF)) $RANDOM $RANDOM $RANDOM \
        $RANDOM $RANDOM $((RANDOM | 1)) $RANDOM
}
# mk NAME SECTION SUBJECT ISSUER [openssl req options...]: NAME.pem for the
# key $KEY (default ee.key; self-signed with NAME.key when ISSUER is "-").
mk() {
    local name=$1 sect=$2 subj=$3 issuer=$4
    shift 4
    local sign=(-CA "$issuer.pem" -CAkey "$issuer.key") key=ee.key
    if [ "$issuer" = - ]; then
        sign=(-x509)
        key=$name.key
    fi
    openssl req -new -key "${KEY:-$key}" -subj "$subj" "${sign[@]}" -config lint.cnf \
        -extensions "$sect" -set_serial "${SERIAL:-$(serial)}" -days "${DAYS:-300}" "$@" -out "$name.pem" \
        2>>openssl.err || fail "openssl could not make $name.pem: $(tail -3 openssl.err)"
}
for k in root inter ee; do
    openssl ecparam -name prime256v1 -genkey -noout -out "$k.key"
done
openssl ecparam -name secp384r1 -genkey -noout -out p384.key
EE_SUBJ="/C=US/O=Example Telecom/CN=SHAKEN 709J"
DAYS=400 mk root root "/C=US/O=Example STI-CA/CN=Example SHAKEN Root" -
KEY=inter.key DAYS=350 mk inter inter "/C=US/O=Example STI-CA/CN=Example SHAKEN Intermediate" root
printf '%s\n' "$(<inter.key)" >inter_crlsign.key
KEY=inter.key DAYS=350 mk inter_crlsign inter_crlsign "/C=US/O=Example STI-CA/CN=Example SHAKEN CRL Intermediate" root
KEY=root.key mk root_crldp root_crldp "/C=US/O=Example STI-CA/CN=Example SHAKEN Root 2" -

# Each case: FILE (NAME.pem with the STI-CA appended) and the expected
# findings "INDEX RULE" (comma-separated), "" for none.
declare -A WANT QWANT
shaken_case() {
    local name=$1 want=$2
    cat "$name.pem" inter.pem >"$name.chain.pem"
    WANT[$name.chain.pem]=$want
}
mk ee ee "$EE_SUBJ" inter
shaken_case ee ""
for c in "ee_crldp_direct:0 sti.crldp.issuer" "ee_ku_nonrep:0 ku.ee" "ee_ku_der:0 ku.der" \
    "ee_bc_noncrit:0 bc.critical" "ee_no_cp:0 sti.policy" "ee_no_tnauth:0 tnauth.present" \
    "ee_tn:0 sti.tnauth.spc" "ee_ber_tnauth:0 ext.decode" "ee_unknown:0 sti.ext.allowed" \
    "ee_entity:0 sti.ext.allowed" "ee_no_ski:0 ski.present" \
    "ee_crit_unknown:0 ext.unknown-critical"; do
    mk "${c%%:*}" "${c%%:*}" "$EE_SUBJ" inter
    shaken_case "${c%%:*}" "${c#*:}"
done
mk ee_no_c ee "/O=Example Telecom/CN=SHAKEN 709J" inter
shaken_case ee_no_c "0 sti.subject.dn"
mk ee_cn ee "/C=US/O=Example Telecom/CN=Example SHAKEN 709J" inter
shaken_case ee_cn "0 sti.subject.cn-exact"
SERIAL=0x4A2B3C mk ee_serial ee "$EE_SUBJ" inter
shaken_case ee_serial "0 serial.entropy"
mk ee_sha384 ee "$EE_SUBJ" inter -sha384
shaken_case ee_sha384 "0 sig.alg"
KEY=p384.key mk ee_p384 ee "$EE_SUBJ" inter
shaken_case ee_p384 "0 key.alg"
DAYS=500 mk ee_long ee "$EE_SUBJ" inter
shaken_case ee_long "0 validity.issuer"
# A warning on the STI-CA: reported, but the exit status stays 0.
mk ee_under_crlsign ee "$EE_SUBJ" inter_crlsign
cat ee_under_crlsign.pem inter_crlsign.pem >ee_under_crlsign.chain.pem
WANT[ee_under_crlsign.chain.pem]="1 sti.ku.ca-single"
# The whole chain with its root; a root alone.
cat ee.pem inter.pem root.pem >full.chain.pem
WANT[full.chain.pem]=""
WANT[root_crldp.pem]="0 crldp.root"
# The SP and the STI-CA in the wrong order.
cat inter.pem ee.pem >reversed.chain.pem
WANT[reversed.chain.pem]="0 chain.order"

# Q.3063 profile cases.
GW_SUBJ="/C=GB/O=Example Telecom/CN=gateway 1"
for c in "q_ee:" "q_transit:0 q3063.entity.role" "q_cc1:0 q3063.entity.country"; do
    mk "${c%%:*}" "${c%%:*}" "$GW_SUBJ" inter
    cat "${c%%:*}.pem" inter.pem >"${c%%:*}.chain.pem"
    QWANT[${c%%:*}.chain.pem]=${c#*:}
done
QWANT[ee.chain.pem]="0 q3063.entity.present"

# check_findings PROFILE ARRAY: lints every file of the array in one run and
# compares each file's findings with the expected ones.
check_findings() {
    local profile=$1
    local -n want=$2
    local f got
    local files=("${!want[@]}")
    run cert lint --json --profile "$profile" "${files[@]}"
    jq -r '.files[] | "\(.file)\t\([.findings[] | "\(.certificate) \(.rule)"] | join(","))"' \
        "$TMP/out" >"$TMP/findings" || fail "jq failed on the lint output"
    for f in "${files[@]}"; do
        ok
        got=$(awk -F'\t' -v f="$f" '$1 == f { print $2 }' "$TMP/findings")
        [ "$got" = "${want[$f]}" ] ||
            fail "$profile: $f: findings '$got', expected '${want[$f]}'"
    done
    expect_rc 1 # some files have errors
}
check_findings shaken WANT
check_findings q3063 QWANT

# --- exit status and output ---------------------------------------------------
expect_ok cert lint ee.chain.pem full.chain.pem ee_under_crlsign.chain.pem
out_has "ee.chain.pem: 2 certificates, conforms to the shaken profile"
out_has "full.chain.pem: 3 certificates, conforms to the shaken profile"
out_has "ee_under_crlsign.chain.pem: 2 certificates, 0 errors, 1 warning (shaken profile)"
check "one line per warning" grep -Eq \
    '^ee_under_crlsign.chain.pem: certificate 1 \(intermediate, CN=Example SHAKEN CRL Intermediate,O=Example STI-CA,C=US\): warning: sti.ku.ca-single \[ATIS-1000080 v005 §6.4.1\]: keyUsage of the intermediate is keyCertSign, cRLSign, not keyCertSign alone$' \
    "$TMP/out"
run cert lint ee_crldp_direct.chain.pem
expect_rc 1
out_has "ee_crldp_direct.chain.pem: certificate 0 (end-entity, CN=SHAKEN 709J,O=Example Telecom,C=US): error: sti.crldp.issuer [ATIS-1000080 v005 §6.4.1]: the distribution point has no cRLIssuer directory name"
out_has "ee_crldp_direct.chain.pem: 2 certificates, 1 error, 0 warnings (shaken profile)"
# Validity at another time: every certificate has expired.
run cert lint --at 2100-01-01T00:00:00Z --json full.chain.pem
expect_rc 1
jq_is '[.files[0].findings[] | .rule] | unique' '["validity.at"]'
jq_is '.files[0].errors' 3
jq_is '.at' '"2100-01-01T00:00:00Z"'
jq_is '[.files[0].certificates[] | .role]' '["end-entity","intermediate","root"]'

# --- usage and input errors ---------------------------------------------------
expect_error 64 "^clid: cert lint: expects at least one FILE" cert lint
expect_error 64 "^clid: cert lint: --profile is shaken or q3063, not 'none'" \
    cert lint --profile none ee.pem
expect_error 64 "^clid: cert lint: --profile is shaken or q3063" cert lint --profile SHAKEN ee.pem
expect_error 64 "^clid: cert lint: --at: not a time" cert lint --at yesterday ee.pem
expect_error 64 "^clid: cert lint: unknown option '--jsn'" cert lint --jsn ee.pem
expect_error 64 "^clid: cert lint: --rules takes no FILE" cert lint --rules ee.pem
expect_error 66 "^clid: missing.pem: cannot open: " cert lint ee.pem missing.pem
printf 'not a certificate\n' >text.txt
expect_error 65 "^clid: text.txt: DER: CLID_ERR_CERT_PARSE: " cert lint ee.pem text.txt
for i in $(seq 17); do cat ee.pem; done >seventeen.pem
expect_error 65 "^clid: seventeen.pem: 17 certificates: a chain has at most 16$" \
    cert lint seventeen.pem

# --- the rule table -----------------------------------------------------------
expect_ok cert lint --rules --json
jq_is '.rules | length >= 50' true
jq_is '[.rules[] | select(.id == "sti.crldp.issuer") | .severity, .clause]' \
    '["error","ATIS-1000080 v005 §6.4.1"]'
jq_is '[.rules[] | select(.profiles == ["q3063"]) | .id | startswith("q3063.")] | all' true
# docs/lint.md has a row for every rule, with its severity and clause.
jq -r '.rules[] | "| `\(.id)` | \(.severity) | \(.profiles | join(",")) | \(.roles) | \(.clause) |"' \
    "$TMP/out" >rules.rows
docs=$(<"$TESTS_DIR/../../docs/lint.md")
while IFS= read -r row; do
    ok
    [[ $docs == *"$row"* ]] || fail "docs/lint.md lacks the row '$row'"
done <rules.rows

# --- clid verify --cert-profile -----------------------------------------------
URL=https://cert.example.org/sp.pem
run sign --key ee.key --x5u "$URL" --orig 12025550100 --dest 12025550199 --attest A
expect_rc 0
ID=$(cat "$TMP/out")
common=(--identity "$ID" --orig 12025550100 --dest 12025550199 --trust root.pem)
expect_ok verify "${common[@]}" --chain ee.chain.pem --cert-profile shaken
out_has "TN-Validation-Passed"
expect_ok verify "${common[@]}" --chain ee_crldp_direct.chain.pem
out_has "TN-Validation-Passed"
run verify "${common[@]}" --chain ee_crldp_direct.chain.pem --cert-profile shaken
expect_rc 1
out_has "reason: CLID_ERR_CERT_PROFILE"
out_has "sip: 437"
out_has "detail: sti.crldp.issuer (ATIS-1000080 v005 §6.4.1): certificate 0: the distribution point has no cRLIssuer directory name [CN=SHAKEN 709J,O=Example Telecom,C=US]"
expect_error 64 "^clid: verify: --cert-profile must be shaken or q3063" \
    verify "${common[@]}" --chain ee.chain.pem --cert-profile x

finish
