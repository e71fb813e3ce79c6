#!/usr/bin/env bash
# clid verify and profile deviations (docs/verification.md, "Strict and
# lenient"): by default a deviation passes with one 'warning: NAME: TEXT'
# line (and in --json "warnings": [{"name", "text"}]); with --strict it is
# the failure. Certificates made with the openssl CLI as deployed ones are:
# an STI-CA without authorityKeyIdentifier, a leaf with a lower-case SPC, a
# leaf whose keyUsage is `03 02 00 80`; PASSporTs without alg or ppt
# parameters or with an origid that is not a UUID; Identity values and whole
# SIP requests.
. "$(dirname "$0")/lib.sh" "$@"

GOLDEN=$TESTS_DIR/../../lib/tests/sip/golden
PKI=$TMP/pki
mkdir -p "$PKI"
URL=https://certs.example.test/chain.pem
ORIG=12155551000
DEST=12155552000

# --- the PKI (openssl CLI only) ---------------------------------------------
key() { openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/$1" 2>/dev/null; }
key root.key
openssl req -new -x509 -key "$PKI/root.key" -subj "/CN=Strict Root" -days 30 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" -out "$PKI/root.pem" 2>/dev/null

# ca NAME AKI: an STI-CA under the root, with or without AKI ("none").
ca() {
    key "$1.key"
    openssl req -new -key "$PKI/$1.key" -subj "/CN=STI-CA $1" -out "$PKI/$1.csr" 2>/dev/null
    printf '%s\n' "basicConstraints=critical,CA:TRUE,pathlen:0" \
        "keyUsage=critical,keyCertSign,cRLSign" "subjectKeyIdentifier=hash" \
        "authorityKeyIdentifier=$2" >"$PKI/$1.ext"
    openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/root.pem" -CAkey "$PKI/root.key" \
        -set_serial "$RANDOM" -days 30 -extfile "$PKI/$1.ext" -out "$PKI/$1.pem" 2>/dev/null
}
# leaf NAME CA KEYUSAGE TNAUTH: an SP certificate under CA; chain in NAME-chain.pem.
leaf() {
    key "$1.key"
    openssl req -new -key "$PKI/$1.key" -subj "/CN=SHAKEN $1" -out "$PKI/$1.csr" 2>/dev/null
    printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=$3" "subjectKeyIdentifier=hash" \
        "authorityKeyIdentifier=keyid:always" "1.3.6.1.5.5.7.1.26=DER:$4" >"$PKI/$1.ext"
    openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/$2.pem" -CAkey "$PKI/$2.key" \
        -set_serial "$RANDOM" -days 10 -extfile "$PKI/$1.ext" -out "$PKI/$1.pem" 2>/dev/null
    cat "$PKI/$1.pem" "$PKI/$2.pem" >"$PKI/$1-chain.pem"
}
SPC_709J=30:08:A0:06:16:04:37:30:39:4A
SPC_709j=30:08:A0:06:16:04:37:30:39:6A
ca ca keyid:always
ca noaki none
leaf good ca critical,digitalSignature "$SPC_709J"
leaf under-noaki noaki critical,digitalSignature "$SPC_709J"
leaf lower ca critical,digitalSignature "$SPC_709j"
leaf kuber ca "critical,DER:03:02:00:80" "$SPC_709J"
# The certificates are valid from the second they were made: verify after.
NOW=$(date +%s)
check "the STI-CA lacks the AKI" bash -c \
    "! openssl x509 -in '$PKI/noaki.pem' -noout -text | grep -q 'Authority Key Identifier'"
check "openssl verify -x509_strict refuses it too" bash -c \
    "! openssl verify -x509_strict -CAfile '$PKI/root.pem' -untrusted '$PKI/noaki.pem' \
       '$PKI/under-noaki.pem' >/dev/null 2>&1"
check "openssl reads the non-DER keyUsage as digitalSignature" bash -c \
    "openssl x509 -in '$PKI/kuber.pem' -noout -ext keyUsage | grep -q 'Digital Signature'"

# sign NAME: an Identity value signed with NAME's key.
sign() {
    run sign --key "$PKI/$1.key" --x5u "$URL" --orig "$ORIG" --dest "$DEST" --attest A \
        --at "$NOW" --origid 123e4567-e89b-12d3-a456-426614174000
    expect_rc 0
    cat "$TMP/out"
}
# ver CHAIN IDENTITY ARGS...: clid verify with CHAIN served at URL.
ver() {
    local chain=$1 id=$2
    shift 2
    run verify --identity "$id" --orig "$ORIG" --dest "$DEST" --trust "$PKI/root.pem" \
        --x5u-map "$URL=$PKI/$chain" --at "$NOW" "$@"
}
# out_is TEXT: stdout is exactly TEXT.
out_is() {
    ok
    if [ "$(cat "$TMP/out")" != "$1" ]; then
        fail "clid ${LAST_ARGS:-}: stdout is '$(cat "$TMP/out")', expected '$1'"
    fi
}
text_of() { # the error table's text of a code, from --json of a strict failure
    jq -r .reason_text "$TMP/out"
}

PASS=$'TN-Validation-Passed\nreason: CLID_OK\nsip: 0'
T_NO_AKI="a certificate below the trust anchor has no authorityKeyIdentifier (RFC 5280 §4.2.1.1)"

# --- conforming: no warning, strict or not ------------------------------------
ID_GOOD=$(sign good)
ver good-chain.pem "$ID_GOOD"
expect_rc 0
out_is "$PASS"
ver good-chain.pem "$ID_GOOD" --strict
expect_rc 0
out_is "$PASS"
ver good-chain.pem "$ID_GOOD" --json
jq_is '.warnings' '[]'

# --- an STI-CA without AKI, as in production --------------------------------
ID_NOAKI=$(sign under-noaki)
ver under-noaki-chain.pem "$ID_NOAKI"
expect_rc 0
out_is "$PASS"$'\n'"warning: CLID_ERR_CERT_NO_AKI: $T_NO_AKI"
ver under-noaki-chain.pem "$ID_NOAKI" --json
expect_rc 0
jq_is '[.verstat, .reason, .sip_status]' '["TN-Validation-Passed","CLID_OK",0]'
jq_is '.warnings' "[{\"name\":\"CLID_ERR_CERT_NO_AKI\",\"text\":\"$T_NO_AKI\"}]"
ver under-noaki-chain.pem "$ID_NOAKI" --strict
expect_rc 1
out_is $'TN-Validation-Failed\nreason: CLID_ERR_CERT_NO_AKI\nsip: 437'
ver under-noaki-chain.pem "$ID_NOAKI" --strict --json
expect_rc 1
jq_is '[.verstat, .reason, .sip_status, .warnings]' \
    '["TN-Validation-Failed","CLID_ERR_CERT_NO_AKI",437,[]]'
check "the reason text is the table's" [ "$(text_of)" = "$T_NO_AKI" ]

# --- lower-case SPC (ATIS-1000080 v005), non-DER keyUsage (X.690 §11.2.2) ---
ver lower-chain.pem "$(sign lower)"
expect_rc 0
check "lower-case SPC: one warning" \
    [ "$(grep -c '^warning: ' "$TMP/out")" -eq 1 ]
check "lower-case SPC: named" grep -q '^warning: CLID_ERR_CERT_SPC_FORM: ' "$TMP/out"
ver lower-chain.pem "$(sign lower)" --strict
expect_rc 1
out_has "reason: CLID_ERR_CERT_SPC_FORM"
ver kuber-chain.pem "$(sign kuber)"
expect_rc 0
out_has "$(printf 'warning: CLID_ERR_CERT_KEY_USAGE_NOT_DER: %s' \
    'keyUsage is not DER: trailing zero bits (X.690 §11.2.2, RFC 5280 §4.2.1.3)')"
ver kuber-chain.pem "$(sign kuber)" --strict
expect_rc 1
out_has "reason: CLID_ERR_CERT_KEY_USAGE_NOT_DER"

# --- Identity parameters: absent alg, absent ppt; wrong ones still fail -----
NO_ALG=${ID_GOOD/;alg=ES256/}
NO_PPT=${ID_GOOD/;ppt=shaken/}
NEITHER=${NO_ALG/;ppt=shaken/}
ver good-chain.pem "$NO_ALG"
expect_rc 0
out_has "warning: CLID_ERR_IDENTITY_ALG_ABSENT: $(grep -o 'Identity header has no alg[^"]*' \
    "$TESTS_DIR/../../lib/include/clid/clid_errors.h")"
ver good-chain.pem "$NEITHER" --json
expect_rc 0
jq_is '[.warnings[].name]' '["CLID_ERR_IDENTITY_ALG_ABSENT","CLID_ERR_IDENTITY_PPT_ABSENT"]'
ver good-chain.pem "$NO_PPT" --strict
expect_rc 1
out_is $'TN-Validation-Failed\nreason: CLID_ERR_IDENTITY_PPT_ABSENT\nsip: 438'
ver good-chain.pem "${ID_GOOD/alg=ES256/alg=ES384}"
expect_rc 1
out_has "reason: CLID_ERR_IDENTITY_ALG"
ver good-chain.pem "${ID_GOOD/ppt=shaken/ppt=div}"
expect_rc 1
out_has "reason: CLID_ERR_IDENTITY_PPT"
# Two deviations of two steps, in the order found: header, then chain.
ver under-noaki-chain.pem "${ID_NOAKI/;alg=ES256/}" --json
jq_is '[.warnings[].name]' '["CLID_ERR_IDENTITY_ALG_ABSENT","CLID_ERR_CERT_NO_AKI"]'

# --- an origid that is not a UUID (RFC 8588 §4) ------------------------------
# clid signs only UUIDs, so this PASSporT is made with python3-cryptography.
forge() { # KEY ORIGID: an Identity value for ORIG -> DEST, iat NOW
    /usr/bin/python3 - "$1" "$2" "$URL" "$ORIG" "$DEST" "$NOW" <<'PY'
import base64, json, sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
key_path, origid, url, orig, dest, now = sys.argv[1:]
key = serialization.load_pem_private_key(open(key_path, 'rb').read(), None)
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b'=').decode()
canon = lambda o: json.dumps(o, sort_keys=True, separators=(',', ':')).encode()
hdr = canon({'alg': 'ES256', 'ppt': 'shaken', 'typ': 'passport', 'x5u': url})
claims = canon({'attest': 'A', 'dest': {'tn': [dest]}, 'iat': int(now),
                'orig': {'tn': orig}, 'origid': origid})
inp = b64(hdr) + '.' + b64(claims)
r, s = decode_dss_signature(key.sign(inp.encode(), ec.ECDSA(hashes.SHA256())))
sig = r.to_bytes(32, 'big') + s.to_bytes(32, 'big')
print(inp + '.' + b64(sig) + ';info=<' + url + '>;alg=ES256;ppt=shaken')
PY
}
if /usr/bin/python3 -c 'import cryptography' 2>/dev/null; then
    ID_ODD=$(forge "$PKI/good.key" "986279842-79894328-45254-42543525243")
    ver good-chain.pem "$ID_ODD" --json
    expect_rc 0
    jq_is '[.verstat, [.warnings[].name], .claims.origid]' \
        '["TN-Validation-Passed",["CLID_ERR_PASSPORT_ORIGID_NOT_UUID"],"986279842-79894328-45254-42543525243"]'
    ver good-chain.pem "$ID_ODD" --strict
    expect_rc 1
    out_is $'TN-Validation-Failed\nreason: CLID_ERR_PASSPORT_ORIGID_NOT_UUID\nsip: 438'
    ver good-chain.pem "$(forge "$PKI/good.key" "")"
    expect_rc 1
    out_has "reason: CLID_ERR_PASSPORT_ORIGID"
    # The same forger with a UUID: no warning (the forger is right).
    ver good-chain.pem "$(forge "$PKI/good.key" "123e4567-e89b-12d3-a456-426614174000")"
    expect_rc 0
    out_is "$PASS"
else
    echo "note: /usr/bin/python3 has no cryptography module; origid cases skipped" >&2
fi

# --- whole SIP requests --------------------------------------------------------
run sign --key "$PKI/under-noaki.key" --x5u "$URL" --attest A --at "$NOW" \
    "$GOLDEN/sipp_uac_tn.sip"
expect_rc 0
cp "$TMP/out" "$TMP/noaki.sip"
perl -pe 's/;alg=ES256// if /^Identity: /' "$TMP/noaki.sip" >"$TMP/noaki-noalg.sip"
SIPV=(verify --trust "$PKI/root.pem" --x5u-map "$URL=$PKI/under-noaki-chain.pem" --at "$NOW")
run "${SIPV[@]}" "$TMP/noaki.sip"
expect_rc 0
out_is "$PASS"$'\n'"warning: CLID_ERR_CERT_NO_AKI: $T_NO_AKI"
run "${SIPV[@]}" --json "$TMP/noaki-noalg.sip"
expect_rc 0
jq_is '[.verstat, [.warnings[].name]]' \
    '["TN-Validation-Passed",["CLID_ERR_IDENTITY_ALG_ABSENT","CLID_ERR_CERT_NO_AKI"]]'
run "${SIPV[@]}" --strict --output "$TMP/marked.sip" "$TMP/noaki.sip"
expect_rc 1
out_is $'TN-Validation-Failed\nreason: CLID_ERR_CERT_NO_AKI\nsip: 437'
check "strict: the request is marked failed" grep -q 'verstat=TN-Validation-Failed' "$TMP/marked.sip"
run "${SIPV[@]}" --output "$TMP/marked.sip" "$TMP/noaki.sip"
expect_rc 0
check "lenient: the request is marked passed" grep -q 'verstat=TN-Validation-Passed' "$TMP/marked.sip"

finish
