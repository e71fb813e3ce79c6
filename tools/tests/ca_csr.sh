#!/usr/bin/env bash
# clid ca csr and issue --csr (Q.TSCA: the CA verifies the information
# elements a CSR asks for against what the operator allows).
. "$(dirname "$0")/lib.sh" "$@"
. "$TESTS_DIR/ca_lib.sh"
cd "$TMP"

"$CLID" ca init ca >/dev/null

# Round trip: a new key (0600), a request with TNAuthList and SignallingEntity.
(umask 000 && "$CLID" ca csr --key gw.key --new-key --tn 442079460123 --range 442079460000+100 \
    --role international-gateway --country 44 --carrier CLIDGB --out gw.csr) ||
    fail "ca csr failed"
check "--new-key writes the key 0600 under umask 000" test "$(stat -c %a gw.key)" = 600
check "openssl verifies the request's signature" quiet openssl req -in gw.csr -verify -noout
check "the request carries the TNAuthList extension" bash -c \
    "openssl req -in gw.csr -noout -text | grep -q '1.3.6.1.5.5.7.1.26'"
check "the request carries the SignallingEntity extension" bash -c \
    "openssl req -in gw.csr -noout -text | grep -q '2.25.42566855811865493193646212583568270452.2.1'"
check "the request's key is gw.key" bash -c \
    "[ \"\$(openssl req -in gw.csr -noout -pubkey)\" = \"\$(openssl pkey -in gw.key -pubout)\" ]"

# The operator allows more than asked: the certificate gets what was asked.
expect_ok ca issue ca --csr gw.csr --out gw --range 442079460000+1000 --tn 442079460123 \
    --role international-gateway --country 44 --country 353 --carrier CLIDGB
check "no PREFIX.key with --csr (the requester has the key)" test ! -e gw.key.1 -a ! -e gw.pem.key
check "the certificate's key is the requester's" bash -c \
    "[ \"\$(openssl x509 -in gw.pem -noout -pubkey)\" = \"\$(openssl pkey -in gw.key -pubout)\" ]"
check "the certificate verifies" quiet openssl verify -x509_strict -CAfile ca/root.pem \
    -untrusted ca/inter.pem gw.pem
expect_ok cert show --json gw.pem
jq_is '.certificates[0].tnauthlist.entries' \
    '[{"type":"tn","value":"442079460123"},{"type":"range","start":"442079460000","count":100,"last":"442079460099"}]'
jq_is '.certificates[0].signalling_entity.country_codes' '["44"]'
jq_is '.certificates[0].signalling_entity.carrier_code' '"CLIDGB"'
jq_is '.certificates[0].subject' '"CN=TN 442079460123 and 1 more,C=US"'

# DER input, and --out replaces an existing request (no secret in it).
openssl req -in gw.csr -outform DER -out gw.der
expect_ok ca issue ca --csr gw.der --out gw2 --range 442079460000+1000 --tn 442079460123 \
    --role international-gateway --country 44 --carrier CLIDGB
"$CLID" ca csr --key gw.key --spc 709J --out gw.csr || fail "csr --out over an existing request"
check "the request was replaced" bash -c "openssl req -in gw.csr -noout -text | grep -q 709J"

# A SHAKEN request: SPC, CN from the CA ("SHAKEN <SPC>"), not from the request.
expect_ok ca issue ca --csr gw.csr --out shaken --spc 709J --org "Bravo Telecom"
check "a SHAKEN certificate from a request: the shaken profile" \
    test "$(sed -n 2p "$TMP/out")" = "profile: shaken"
expect_ok cert show --json shaken.pem
jq_is '.certificates[0].subject' '"CN=SHAKEN 709J,O=Bravo Telecom,C=US"'

# A request made by openssl without extensions gets the operator's allowance;
# one with a TNAuthList made by openssl is checked like clid's.
openssl ecparam -name prime256v1 -genkey -noout -out o.key 2>/dev/null
openssl req -new -key o.key -subj "/CN=SHAKEN 9999/O=whatever" -out plain.csr
expect_ok ca issue ca --csr plain.csr --out plain --spc 1234
expect_ok cert show --json plain.pem
jq_is '.certificates[0].tnauthlist.entries' '[{"type":"spc","value":"1234"}]'
jq_is '.certificates[0].subject' '"CN=SHAKEN 1234,O=SP 1234,C=US"'
openssl req -new -key o.key -subj "/CN=x" \
    -addext "1.3.6.1.5.5.7.1.26=DER:30:0F:A2:0D:16:0B:31:32:30:32:35:35:35:30:31:30:30" -out tn.csr
expect_ok ca issue ca --csr tn.csr --out tn --range 12025550000+1000
expect_ok cert show --json tn.pem
jq_is '.certificates[0].tnauthlist.entries' '[{"type":"tn","value":"12025550100"}]'
before=$(dir_hash ca)
expect_error 65 'refused: the request asks for a TNAuthList beyond' \
    ca issue ca --csr tn.csr --out no --range 12025550200+100
# A request for two TNAuthLists is refused (RFC 5280 §4.2: one extension of a
# type). openssl will not make one, so python3-asn1crypto builds it and
# python3-cryptography signs it (Debian's, seen by /usr/bin/python3; a pyenv
# or venv python3 first on PATH usually lacks them). CLID_TEST_PYTHON overrides.
PY=
for p in ${CLID_TEST_PYTHON:-} /usr/bin/python3 python3; do
    if "$p" -c 'import asn1crypto, cryptography' 2>/dev/null; then PY=$p; break; fi
done
[ -n "$PY" ] || fail "no python3 with asn1crypto and cryptography (scripts/install-deps.sh)"
"${PY:-false}" - o.key dup.csr <<'PY'
import sys
from asn1crypto import csr, keys, x509, core
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
key = serialization.load_pem_private_key(open(sys.argv[1], "rb").read(), None)
spki = key.public_key().public_bytes(serialization.Encoding.DER,
                                     serialization.PublicFormat.SubjectPublicKeyInfo)
tn = bytes.fromhex("300fa20d160b3132303235353530313030")
ext = {"extn_id": "1.3.6.1.5.5.7.1.26", "critical": False, "extn_value": tn}
info = csr.CertificationRequestInfo({
    "version": "v1",
    "subject": x509.Name.build({"common_name": "dup"}),
    "subject_pk_info": keys.PublicKeyInfo.load(spki),
    "attributes": [{"type": "extension_request", "values": [[ext, ext]]}],
})
sig = key.sign(info.dump(), ec.ECDSA(hashes.SHA256()))
req = csr.CertificationRequest({"certification_request_info": info,
                                "signature_algorithm": {"algorithm": "sha256_ecdsa"},
                                "signature": sig})
open(sys.argv[2], "wb").write(req.dump())
PY
check "openssl accepts the duplicated request's signature" quiet openssl req -in dup.csr -inform DER \
    -verify -noout
expect_error 65 'TNAuthList: CLID_ERR_EXT_DUPLICATE' \
    ca issue ca --csr dup.csr --out no --range 12025550000+1000
# A non-DER TNAuthList (long-form length) is refused with the codec's reason.
openssl req -new -key o.key -subj "/CN=x" \
    -addext "1.3.6.1.5.5.7.1.26=DER:30:81:0F:A2:0D:16:0B:31:32:30:32:35:35:35:30:31:30:30" \
    -out ber.csr
expect_error 65 'TNAuthList: CLID_ERR_DER_NOT_CANONICAL' \
    ca issue ca --csr ber.csr --out no --range 12025550000+1000
check "refusals leave DIR unchanged" test "$(dir_hash ca)" = "$before"

# A delegate from a request: within both the operator's allowance and the parent.
"$CLID" ca issue ca --out spca --ca --range 12025550000+1000 >/dev/null
expect_ok ca issue ca --csr tn.csr --out tnd --tn 12025550100 --delegate-of spca.pem \
    --parent-key spca.key
check "delegate from a CSR verifies" quiet openssl verify -x509_strict -CAfile ca/root.pem \
    -untrusted tnd.pem tnd.pem
check "DIR consistent" ca_consistent ca

finish
