#!/usr/bin/env bash
# Regenerates clid's TEST PKI (certs/README.md): every key, certificate and
# CRL that certs/manifest.txt names. THE PRIVATE KEYS IT WRITES ARE PUBLIC:
# never trust this PKI outside tests.
#
#   certs/make-certs.sh [--out DIR] PATH/TO/clid
#
# Good certificates come from `clid ca` itself; the deliberately bad ones,
# which `clid ca` refuses to make, from `openssl ca` (with fixed dates) and,
# for a duplicated extension, a DER patch re-signed with python3-cryptography.
# Every date is fixed, so the manifest's verification time
# (2026-06-01T00:00:00Z) stays meaningful whenever this runs; keys and
# ECDSA signatures differ on every run.
#
# Writes into DIR (default: the directory of this script) only: ca/ ca2/
# good/ bad/ crl/ keys/ (each removed and made again).
#
# With CLID_INPROC naming the test runner tools/tests/clid_inproc (ctest's
# ca_make_certs sets it), the clid commands run in two batches, each in one
# process (see batch_begin below); the files made are the same.
set -euo pipefail
export OPENSSL_CONF=/dev/null # no user or system openssl configuration

OUT=$(cd "$(dirname "$0")" && pwd)
while [ $# -gt 1 ]; do
    case $1 in
        --out)
            OUT=$2
            shift 2
            ;;
        *) break ;;
    esac
done
if [ $# -ne 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 [--out DIR] PATH/TO/clid" >&2
    exit 64
fi
CLID=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
PY=
for p in ${CLID_TEST_PYTHON:-} /usr/bin/python3 python3; do
    if "$p" -c 'import asn1crypto, cryptography' 2>/dev/null; then PY=$p; break; fi
done
if [ -z "$PY" ]; then
    echo "$0: needs python3 with asn1crypto and cryptography (scripts/install-deps.sh)" >&2
    exit 1
fi

mkdir -p "$OUT"
cd "$OUT"
rm -rf ca ca2 good bad crl keys
mkdir good bad crl keys
W=$(mktemp -d "${TMPDIR:-/tmp}/clid-make-certs.XXXXXX")
trap 'rm -rf "$W"' EXIT

# The fixed calendar of the test PKI.
CA_START=2025-01-01T00:00:00Z # root and intermediates, 20 years
START=2026-01-01T00:00:00Z    # end entities, 2 years
OSL_START=20260101000000Z
OSL_END=20280101000000Z

# clid ARGS...: runs clid. Between batch_begin and batch_end, when
# CLID_INPROC names the test runner tools/tests/clid_inproc (ctest sets it),
# the commands are queued and run in turn by one clid_inproc process at
# batch_end: the same commands, without a clid process start (and, in an
# ASan build, a leak check at exit) each. Nothing between batch_begin and
# batch_end may read what a queued command writes.
BATCH=
clid() {
    if [ -n "$BATCH" ]; then
        local IFS=$'\t'
        printf '%s\n' "$*" >>"$W/batch.script"
        return 0
    fi
    "$CLID" "$@"
}
batch_begin() {
    [ -n "${CLID_INPROC:-}" ] || return 0
    BATCH=1
    : >"$W/batch.script"
}
batch_end() {
    [ -n "$BATCH" ] || return 0
    BATCH=
    rm -rf "$W/batch"
    mkdir "$W/batch"
    "$CLID_INPROC" "$W/batch.script" "$W/batch" || {
        echo "$0: $CLID_INPROC failed" >&2
        exit 1
    }
    local n rc
    while read -r n rc _; do
        [ "$n" != 0 ] || continue
        if [ "$rc" -ne 0 ]; then
            echo "$0: clid $(sed -n "${n}p" "$W/batch.script" | tr '\t' ' '): $(cat "$W/batch/$n.err")" >&2
            exit 1
        fi
    done <"$W/batch/status"
}

batch_begin
# --- the two CAs ------------------------------------------------------------------
# SHAKEN (ATIS-1000080 v005) with the STI-PA CRL signer, as clid ca init
# makes them; --direct-crls: the CAs also sign CRLs of their own, which the
# manifest's revocation cases load (crl/).
clid ca init ca --name "clid test PKI" --not-before "$CA_START" --days 7300 \
    --crl-url http://crl.clid.test/intermediate.crl --direct-crls >/dev/null
clid ca init ca2 --name "clid test PKI 2" --not-before "$CA_START" --days 7300 \
    --crl-url http://crl2.clid.test/intermediate.crl --direct-crls >/dev/null

# --- good certificates, made by clid ca ----------------------------------------
issue_at() { # NOT-BEFORE DAYS OPTIONS...
    local nb=$1 days=$2
    shift 2
    clid ca issue ca --not-before "$nb" --days "$days" "$@" >/dev/null
}
issue() { issue_at "$START" 730 "$@"; }
issue --out good/shaken-709J --spc 709J
issue --out good/tn-range --range 12025550000+1000 --tn 13035550100
issue --out good/gateway --tn 442079460123 --range 12025551000+100 --role international-gateway \
    --country 44 --country 1 --carrier CLIDGB --mccmnc 234-15 --ispc 2-100-3 \
    --operator "clid test gateway"
issue --out good/spca --ca --range 12025550000+1000 --org "clid test SP"
issue --out good/delegate --range 12025550100+100 --delegate-of good/spca.pem \
    --parent-key good/spca.key
clid ca issue ca2 --out good/ca2-sp --spc 709J --not-before "$START" --days 730 >/dev/null

# --- bad certificates that clid ca makes (valid profile, wrong circumstances) -----
issue_at 2025-01-01T00:00:00Z 30 --out bad/expired --spc 709J
issue_at 2027-01-01T00:00:00Z 365 --out bad/not-yet-valid --spc 709J
issue --out bad/revoked --spc 709J
issue --out bad/entity-transit --tn 12025550100 --role transit --country 1
issue --out bad/entity-country --tn 12025550100 --role international-gateway --country 44
issue --out bad/delegate-revoked --tn 12025550150 --delegate-of good/spca.pem \
    --parent-key good/spca.key
batch_end
# The first certificate of a chain only: the intermediate is missing.
openssl x509 -in good/shaken-709J.pem -out bad/leaf-only.pem
cp good/shaken-709J.key bad/leaf-only.key

# --- bad certificates clid ca refuses to make: openssl ca with fixed dates ---------
mkdir "$W/new"
cat >"$W/ca.cnf" <<EOF
[ ca ]
default_ca = CA_default
[ CA_default ]
database = $W/index.txt
new_certs_dir = $W/new
serial = $W/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ policy_any ]
commonName = optional
organizationName = optional
EOF
: >"$W/index.txt"
SERIAL=$((16#4C10000000000000))

# osl_issue OUT.pem ISSUER.pem ISSUER.key SUBJECT_KEY SUBJECT [START END] -- EXTENSION LINES...
osl_issue() {
    local out=$1 issuer=$2 ikey=$3 key=$4 subj=$5 start=$OSL_START end=$OSL_END
    shift 5
    if [ "$1" != -- ]; then
        start=$1 end=$2
        shift 2
    fi
    shift
    printf '%s\n' "[v3]" "$@" >"$W/ext.cnf"
    openssl req -new -key "$key" -subj "$subj" -out "$W/req.csr"
    SERIAL=$((SERIAL + 1))
    printf '%X\n' "$SERIAL" >"$W/serial"
    openssl ca -batch -config "$W/ca.cnf" -cert "$issuer" -keyfile "$ikey" -in "$W/req.csr" \
        -out "$out" -startdate "$start" -enddate "$end" -extfile "$W/ext.cnf" -extensions v3 \
        -notext -preserveDN 2>"$W/err" || {
        cat "$W/err" >&2
        exit 1
    }
}
newkey() { openssl ecparam -name prime256v1 -genkey -noout -out "$1" 2>/dev/null; }
chain() { # OUT LEAF CA... : a chain file, leaf first
    local out=$1
    shift
    cat "$@" >"$out"
}
# TNAuthList DER (RFC 8226, EXPLICIT tags) for one TN: 30 L A2 L 16 L digits
tn_der() {
    local tn=$1 n=${#1} hex
    hex=$(printf '%s' "$tn" | od -An -tx1 | tr -d ' \n' | sed 's/../&:/g;s/:$//')
    printf 'DER:30:%02X:A2:%02X:16:%02X:%s' $((n + 4)) $((n + 2)) "$n" "$hex"
}
SPC_709J=DER:30:08:A0:06:16:04:37:30:39:4A
# The ATIS-1000080 profile as clid ca issues it, minus the TNAuthList.
PROFILE=("basicConstraints = critical, CA:FALSE" "keyUsage = critical, digitalSignature"
    "subjectKeyIdentifier = hash" "authorityKeyIdentifier = keyid:always"
    "certificatePolicies = 2.16.840.1.114569.1.1.1"
    "crlDistributionPoints = URI:http://crl.clid.test/intermediate.crl")
INTER=(ca/inter.pem ca/inter.key)

for k in no-tnauth dup-tnauth ber-tnauth critical-ext ku-no-digsig delegate-outside long-chain; do
    newkey "bad/$k.key"
done
osl_issue "$W/c.pem" "${INTER[@]}" bad/no-tnauth.key "/CN=SHAKEN 709J" -- "${PROFILE[@]}"
chain bad/no-tnauth.pem "$W/c.pem" ca/inter.pem

# Non-DER TNAuthList: a long-form length where DER wants the short form.
osl_issue "$W/c.pem" "${INTER[@]}" bad/ber-tnauth.key "/CN=SHAKEN 709J" -- "${PROFILE[@]}" \
    "1.3.6.1.5.5.7.1.26 = DER:30:81:08:A0:06:16:04:37:30:39:4A"
chain bad/ber-tnauth.pem "$W/c.pem" ca/inter.pem

# A critical extension no verifier knows (RFC 5280 §4.2: must be refused).
osl_issue "$W/c.pem" "${INTER[@]}" bad/critical-ext.key "/CN=SHAKEN 709J" -- "${PROFILE[@]}" \
    "1.3.6.1.5.5.7.1.26 = $SPC_709J" "1.3.6.1.4.1.99999.1.1 = critical, DER:05:00"
chain bad/critical-ext.pem "$W/c.pem" ca/inter.pem

# keyUsage without digitalSignature: the key may not sign PASSporTs.
osl_issue "$W/c.pem" "${INTER[@]}" bad/ku-no-digsig.key "/CN=SHAKEN 709J" -- \
    "basicConstraints = critical, CA:FALSE" "keyUsage = critical, keyAgreement" \
    "subjectKeyIdentifier = hash" "authorityKeyIdentifier = keyid:always" \
    "1.3.6.1.5.5.7.1.26 = $SPC_709J"
chain bad/ku-no-digsig.pem "$W/c.pem" ca/inter.pem

# An RSA leaf: ES256 needs P-256. Signed with good/shaken-709J.key (any P-256 key).
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$W/rsa.key" 2>/dev/null
osl_issue "$W/c.pem" "${INTER[@]}" "$W/rsa.key" "/CN=SHAKEN 709J" -- "${PROFILE[@]}" \
    "1.3.6.1.5.5.7.1.26 = $SPC_709J"
chain bad/rsa-leaf.pem "$W/c.pem" ca/inter.pem

# A delegate whose TN lies outside its SP CA's range (RFC 9060 §4).
osl_issue "$W/c.pem" good/spca.pem good/spca.key bad/delegate-outside.key "/CN=TN 13035550100" -- \
    "basicConstraints = critical, CA:FALSE" "keyUsage = critical, digitalSignature" \
    "subjectKeyIdentifier = hash" "authorityKeyIdentifier = keyid:always" \
    "1.3.6.1.5.5.7.1.26 = $(tn_der 13035550100)"
chain bad/delegate-outside.pem "$W/c.pem" good/spca.pem ca/inter.pem

# Five certificates below the root (clid's default maximum is 4).
CAEXT=("basicConstraints = critical, CA:TRUE" "keyUsage = critical, keyCertSign, cRLSign"
    "subjectKeyIdentifier = hash" "authorityKeyIdentifier = keyid:always")
issuer=ca/root.pem ikey=ca/root.key links=()
for i in 1 2 3 4; do
    newkey "$W/l$i.key"
    osl_issue "$W/l$i.pem" "$issuer" "$ikey" "$W/l$i.key" "/O=clid test PKI/CN=link $i" \
        20250101000000Z 20450101000000Z -- "${CAEXT[@]}"
    issuer=$W/l$i.pem ikey=$W/l$i.key
    links=("$W/l$i.pem" "${links[@]}")
done
osl_issue "$W/c.pem" "$issuer" "$ikey" bad/long-chain.key "/CN=SHAKEN 709J" -- \
    "${PROFILE[@]:0:4}" "1.3.6.1.5.5.7.1.26 = $SPC_709J"
chain bad/long-chain.pem "$W/c.pem" "${links[@]}"

# A duplicated TNAuthList: openssl merges repeated OIDs, so the certificate
# carries a stand-in OID of the same length (...1.98), the DER is patched to
# ...1.26, and the TBS re-signed by the intermediate.
osl_issue "$W/c.pem" "${INTER[@]}" bad/dup-tnauth.key "/CN=SHAKEN 709J" -- "${PROFILE[@]}" \
    "1.3.6.1.5.5.7.1.26 = $SPC_709J" "1.3.6.1.5.5.7.1.98 = $SPC_709J"
openssl x509 -in "$W/c.pem" -outform DER |
    perl -0777 -pe 's/\x06\x08\x2B\x06\x01\x05\x05\x07\x01\x62/\x06\x08\x2B\x06\x01\x05\x05\x07\x01\x1A/g' \
        >"$W/dup.der"
"$PY" - "$W/dup.der" ca/inter.key "$W/c.pem" <<'PY'
import sys
from asn1crypto import pem, x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
cert = x509.Certificate.load(open(sys.argv[1], "rb").read())
key = serialization.load_pem_private_key(open(sys.argv[2], "rb").read(), None)
tbs = cert["tbs_certificate"]
sig = key.sign(tbs.dump(), ec.ECDSA(hashes.SHA256()))
out = x509.Certificate({"tbs_certificate": tbs, "signature_algorithm": cert["signature_algorithm"],
                        "signature_value": sig})
open(sys.argv[3], "wb").write(pem.armor("CERTIFICATE", out.dump()))
PY
chain bad/dup-tnauth.pem "$W/c.pem" ca/inter.pem

# --- revocation and CRLs ------------------------------------------------------------
# An expired CRL first; the current ones last, so that ca/crl.pem is current.
batch_begin
clid ca crl ca --at 2026-01-01T00:00:00Z --days 30 --out crl/ca-expired.pem >/dev/null
clid ca revoke ca bad/revoked.pem --reason keyCompromise --at 2026-02-01T00:00:00Z >/dev/null
clid ca revoke ca bad/delegate-revoked.pem --reason superseded --at 2026-02-01T00:00:00Z >/dev/null
clid ca crl ca --at 2026-01-01T00:00:00Z --days 3650 --out crl/ca.pem >/dev/null
clid ca crl ca --delegate-of good/spca.pem --parent-key good/spca.key --at 2026-01-01T00:00:00Z \
    --days 3650 --out crl/spca.pem >/dev/null
# The second CA revokes its intermediate: everything below it is revoked.
clid ca revoke ca2 ca2/inter.pem --reason cACompromise --at 2026-02-01T00:00:00Z >/dev/null
clid ca crl ca2 --at 2026-01-01T00:00:00Z --days 3650 --out crl/ca2.pem >/dev/null
batch_end
# The intermediate's CRL with one signature byte changed (the root's kept).
openssl crl -in crl/ca.pem -outform DER -out "$W/crl.der"
perl -0777 -pe 'substr($_, -3, 1) = chr(ord(substr($_, -3, 1)) ^ 0x01)' "$W/crl.der" \
    >"$W/bad.der"
{
    openssl crl -inform DER -in "$W/bad.der"
    awk '/BEGIN X509 CRL/ { n++ } n == 2' crl/ca.pem
} >crl/ca-bad-signature.pem

# --- a key that signs for nobody -----------------------------------------------------
newkey keys/other.key
chmod 600 bad/*.key keys/*.key

echo "make-certs: test PKI written to $OUT (PRIVATE KEYS ARE PUBLIC: tests only)"
