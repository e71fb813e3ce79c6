#!/usr/bin/env bash
# Regenerates the committed test certificates in this directory and, given a
# built clid, the expected outputs in ../golden. Run only when the inputs must
# change, then review `git diff` of ../golden by eye: the goldens are the
# reference output of `clid cert show` and `clid cert lint`, not whatever the
# current build prints.
#   tools/tests/data/make-data.sh [build/tools/clid]
set -euo pipefail
cd "$(dirname "$0")"
export OPENSSL_CONF=/dev/null
CLID=${1:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ENTITY=2.25.42566855811865493193646212583568270452.2.1

# all-fields.pem: every extension clid decodes, built by openssl's ASN.1 generator.
cat >"$tmp/all.cnf" <<CNF
[ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
1.3.6.1.5.5.7.1.26 = ASN1:SEQUENCE:tnauth
1.3.6.1.5.5.7.1.27 = ASN1:SEQUENCE:jwtcc
1.3.6.1.5.5.7.1.33 = ASN1:SEQUENCE:ejwtcc
$ENTITY = ASN1:SEQUENCE:entity
[tnauth]
e1 = EXPLICIT:0,IA5STRING:709J
e2 = EXPLICIT:2,IA5STRING:12025551000
e3 = EXPLICIT:1,SEQUENCE:range
[range]
start = IA5STRING:12025550000
count = INTEGER:100
[jwtcc]
mustInclude = EXPLICIT:0,SEQUENCE:names
permittedValues = EXPLICIT:1,SEQUENCE:pvlist
[names]
n1 = IA5STRING:rcd
[pvlist]
p1 = SEQUENCE:pv_attest
[pv_attest]
claim = IA5STRING:attest
permitted = SEQUENCE:attest_values
[attest_values]
v1 = UTF8String:A
v2 = UTF8String:B
[ejwtcc]
mustInclude = EXPLICIT:0,SEQUENCE:names
mustExclude = EXPLICIT:2,SEQUENCE:excl
[excl]
n1 = IA5STRING:div
[entity]
role = IMPLICIT:0,ENUMERATED:1
countryCodes = IMPLICIT:1,SEQUENCE:ccs
carrierCode = IMPLICIT:2,IA5STRING:ABC123
mobileNetworks = IMPLICIT:3,SEQUENCE:plmns
signallingPointCodes = IMPLICIT:4,SEQUENCE:spcs
operatorName = IMPLICIT:5,FORMAT:UTF8,UTF8String:Téléphone Exemple
[ccs]
c1 = IA5STRING:44
c2 = IA5STRING:353
[plmns]
p1 = SEQUENCE:plmn1
[plmn1]
mcc = IA5STRING:234
mnc = IA5STRING:15
[spcs]
s1 = INTEGER:4899
CNF
openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/ec.key"
openssl req -new -x509 -key "$tmp/ec.key" -utf8 -subj "/C=GB/O=Exemple Télécom/CN=gateway 1" \
    -days 3650 -set_serial 0x0123456789ABCDEF -config "$tmp/all.cnf" -extensions ext \
    -out all-fields.pem

# spc-709J.der: the SHAKEN SPC form, as DER.
openssl req -new -x509 -key "$tmp/ec.key" -subj "/CN=SHAKEN 709J" -days 3650 -set_serial 1 \
    -addext "1.3.6.1.5.5.7.1.26=DER:30:08:A0:06:16:04:37:30:39:4A" -outform DER -out spc-709J.der

# chain.pem: a leaf with a critical TNAuthList range, then the CA that signed it (RSA).
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp/ca.key" 2>/dev/null
openssl req -new -x509 -key "$tmp/ca.key" -subj "/O=Example CA/CN=Example Root" -days 3650 \
    -set_serial 2 -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$tmp/ca.pem"
openssl req -new -key "$tmp/ec.key" -subj "/O=Example Carrier/CN=range signer" -out "$tmp/leaf.csr"
printf '%s\n' "1.3.6.1.5.5.7.1.26 = critical,DER:30:14:A1:12:30:10:16:0B:31:32:30:32:35:35:35:30:30:30:30:02:01:64" \
    >"$tmp/leaf.ext"
openssl x509 -req -in "$tmp/leaf.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -set_serial 3 \
    -days 3650 -extfile "$tmp/leaf.ext" -out "$tmp/leaf.pem" 2>/dev/null
cat "$tmp/leaf.pem" "$tmp/ca.pem" >chain.pem

# bad-ber.pem: a TNAuthList with a long-form length (BER, not DER).
openssl req -new -x509 -key "$tmp/ec.key" -subj "/CN=BER" -days 3650 -set_serial 4 \
    -addext "1.3.6.1.5.5.7.1.26=DER:30:81:08:A0:06:16:04:37:30:39:4A" -out bad-ber.pem

# lint-chain.pem: a SHAKEN chain (SP, STI-CA, root) with three deviations for
# `clid cert lint`: the SP's CRL distribution point has no cRLIssuer (error),
# its CN says more than "SHAKEN 709J" and the STI-CA may sign CRLs (warnings).
# Valid for a century, so the golden's --at 2030-01-01 lies inside.
cat >"$tmp/lint.cnf" <<'CNF'
[req]
distinguished_name = dn
[dn]
[root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign
subjectKeyIdentifier = hash
[inter]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
certificatePolicies = 2.16.840.1.114569.1.1.4
crlDistributionPoints = crldp_sti
[sp]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
certificatePolicies = 2.16.840.1.114569.1.1.4
crlDistributionPoints = crldp_direct
1.3.6.1.5.5.7.1.26 = DER:30:08:A0:06:16:04:37:30:39:4A
[crldp_sti]
fullname = URI:https://sti-pa.example.com/crl
CRLissuer = dirName:crl_issuer
[crl_issuer]
C = US
O = STI-PA
CN = STI-PA CRL
[crldp_direct]
fullname = URI:https://ca.example.com/inter.crl
CNF
for k in root inter; do openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/$k.key"; done
openssl req -new -x509 -key "$tmp/root.key" -subj "/C=US/O=Example STI-CA/CN=Example SHAKEN Root" \
    -config "$tmp/lint.cnf" -extensions root -set_serial 0x5A3C9E0417B26D8841F0C3A95E7D2B61 \
    -days 36500 -out "$tmp/root.pem"
openssl req -new -key "$tmp/inter.key" -subj "/C=US/O=Example STI-CA/CN=Example SHAKEN Intermediate" \
    -CA "$tmp/root.pem" -CAkey "$tmp/root.key" -config "$tmp/lint.cnf" -extensions inter \
    -set_serial 0x6B1D04F2A83C5E9970B2D6148E3FA0C7 -days 36400 -out "$tmp/inter.pem"
openssl req -new -key "$tmp/ec.key" -subj "/C=US/O=Example Telecom/CN=Example SHAKEN 709J" \
    -CA "$tmp/inter.pem" -CAkey "$tmp/inter.key" -config "$tmp/lint.cnf" -extensions sp \
    -set_serial 0x7C2E15A3B94D6FAA81C3E7259F4AB1D8 -days 36000 -out "$tmp/sp.pem"
cat "$tmp/sp.pem" "$tmp/inter.pem" "$tmp/root.pem" >lint-chain.pem

if [ -n "$CLID" ]; then
    for f in all-fields.pem spc-709J.der chain.pem; do
        "$CLID" cert show "$f" >"../golden/$f.txt"
        "$CLID" cert show --json "$f" >"../golden/$f.json"
    done
    "$CLID" cert show bad-ber.pem 2>"../golden/bad-ber.pem.err" || true
    "$CLID" cert lint --at 2030-01-01T00:00:00Z --json lint-chain.pem \
        >"../golden/lint-chain.pem.json" || true
fi
