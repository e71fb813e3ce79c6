#!/usr/bin/env bash
# The STI-PA role of `clid ca` and revocation as deployed, end to end:
#   clid ca init --sti-pa-crl-url (the CRL signer, the CRL distribution point
#   with cRLIssuer in every SP certificate; without the option the URL is
#   derived from --crl-url), clid ca revoke, clid ca crl (the indirect CRL), served over HTTPS on a loopback port the kernel picks by
#   tools/tests/https_serve.py (stopped by PID), then clid verify --crl-fetch:
#   the revoked certificate is CLID_ERR_CERT_REVOKED, the other passes with
#   revocation checked; a URL outside --crl-url-allow is not fetched; the
#   signer must be configured; the persistent cache keeps the CRL. Every
#   verdict is cross-checked with `openssl verify -crl_check -extended_crl`.
# Skipped (77) without /usr/bin/python3.
. "$(dirname "$0")/lib.sh" "$@"
. "$TESTS_DIR/ca_lib.sh"
PY=/usr/bin/python3
if [ ! -x "$PY" ]; then
    echo "SKIP: $PY not found (it serves the CRL)"
    exit 77
fi
cd "$TMP"

# ---------------------------------------------------------------------------
# A TLS server on 127.0.0.1 serving $TMP/www
# ---------------------------------------------------------------------------
mkdir www
ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
openssl req -x509 "${ec[@]}" -keyout tls-ca.key -out tls-ca.pem -days 2 \
    -subj "/CN=ca_sti_pa TLS CA" -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign 2>/dev/null
openssl req -new "${ec[@]}" -keyout srv.key -out srv.csr -subj /CN=127.0.0.1 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
    >srv.ext
openssl x509 -req -in srv.csr -CA tls-ca.pem -CAkey tls-ca.key -set_serial 2 -days 2 \
    -extfile srv.ext -out srv.pem 2>/dev/null
mkfifo ready
"$PY" "$TESTS_DIR/https_serve.py" www srv.pem srv.key >ready 2>server.err &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$TMP"' EXIT
PORT=
read -r -t 60 word PORT <ready || true
if [ "${word:-}" != READY ] || [ -z "$PORT" ]; then
    echo "FAIL: https_serve.py did not start: $(cat server.err)" >&2
    exit 1
fi
BASE=https://127.0.0.1:$PORT
URL=$BASE/sti-pa.crl

# requests PATH: how many requests the server has seen for PATH.
requests() {
    "$PY" - "$BASE/count" "$1" <<'EOF'
import ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile="tls-ca.pem")
text = urllib.request.urlopen(sys.argv[1], context=ctx).read().decode()
print(dict(l.split(" ") for l in text.splitlines()).get(sys.argv[2], 0))
EOF
}

# ---------------------------------------------------------------------------
# clid ca: the STI-PA role
# ---------------------------------------------------------------------------
expect_error 64 "sti-pa-crl-url" ca init bad --sti-pa-crl-url "ftp://x/y.crl"
expect_error 64 "sti-pa-crl-url" ca init bad --sti-pa-crl-url "https://a b/c.crl"
check "no directory after a usage error" test ! -e bad

expect_ok ca init lab --name "STI lab" --sti-pa-crl-url "$URL"
out_has "$(head -1 "$TMP/out")"
check "init names the CRL signer" grep -q "STI-PA CRL signer" "$TMP/out"
check "consistent after init" ca_consistent lab
check "crl-signer.key is 0600" test "$(stat -c %a lab/crl-signer.key)" = 600
openssl x509 -in lab/crl-signer.pem -noout -text >signer.txt
check "signer keyUsage is cRLSign" grep -qx "  *CRL Sign" signer.txt
check "signer is no CA" grep -q "CA:FALSE" signer.txt
check "signer under the root" osl_verify lab/root.pem lab/crl-signer.pem
check "ca.json has the URL" quiet jq -e '.sti_pa_crl_url == "'"$URL"'"' lab/ca.json
# Without --sti-pa-crl-url the STI-PA CRL is served next to --crl-url.
expect_ok ca init derived --crl-url https://pki.lab.example/crl/intermediate.crl
check "derived URL" quiet jq -e '.sti_pa_crl_url == "https://pki.lab.example/crl/sti-pa.crl"' \
    derived/ca.json
expect_ok ca init derived2 --crl-url http://pki.lab.example
check "derived URL (no path)" quiet jq -e '.sti_pa_crl_url == "http://pki.lab.example/sti-pa.crl"' \
    derived2/ca.json

expect_ok ca issue lab --out sp --spc 709J
SP_SERIAL=$(cat "$TMP/out")
expect_ok ca issue lab --out good --spc 1234
expect_ok ca issue lab --out spca --ca --range 13035550000+1000
expect_ok ca issue lab --out del --range 13035550500+10 --delegate-of spca.pem --parent-key spca.key
# The distribution point: the URL and the cRLIssuer (ATIS-1000080), on the
# intermediate, SP and SP CA certificates; a delegate names none.
for f in sp.pem spca.pem lab/inter.pem; do
    openssl x509 -in "$f" -noout -ext crlDistributionPoints >dp.txt 2>&1
    check "$f: DP URL" grep -q "URI:$URL" dp.txt
    check "$f: DP cRLIssuer" grep -q "DirName:C = US, O = STI lab, CN = STI lab STI-PA CRL" dp.txt
done
openssl x509 -in del.pem -noout -text >dp.txt
check "delegate: no DP" bash -c '! grep -q "CRL Distribution Points" dp.txt'
# An explicit --crl-url still wins (a direct distribution point).
expect_ok ca issue lab --out direct --spc 5555 --crl-url https://crl.example/inter.crl
openssl x509 -in direct.pem -noout -ext crlDistributionPoints >dp.txt 2>&1
check "explicit --crl-url: no cRLIssuer" bash -c '! grep -q DirName dp.txt'

expect_ok ca revoke lab sp.pem --reason keyCompromise
expect_ok ca crl lab
out_has "crlNumber 2: 1 revoked in the STI-PA CRL"
check "consistent after crl" ca_consistent lab
openssl crl -in lab/sti-pa-crl.pem -noout -text >crl.txt
check "indirect CRL: issuer" grep -q "Issuer: C = US, O = STI lab, CN = STI lab STI-PA CRL" crl.txt
check "indirect CRL: IDP" grep -q "Indirect CRL" crl.txt
check "indirect CRL: the revoked serial" grep -q "Serial Number: $SP_SERIAL" crl.txt
check "indirect CRL: certificateIssuer" grep -q "DirName:/C=US/O=STI lab/CN=STI lab SHAKEN intermediate" crl.txt
check "sti-pa.crl is the DER of sti-pa-crl.pem" \
    cmp lab/sti-pa.crl <(openssl crl -in lab/sti-pa-crl.pem -outform DER)
expect_ok ca list lab --json
jq_is '[.certificates[] | select(.kind == "crl-signer")] | length' '1'
cp lab/sti-pa.crl www/sti-pa.crl

# OpenSSL agrees (RFC 5280 indirect CRL processing with -extended_crl).
osl_crl() {
    openssl verify -crl_check -extended_crl -CAfile lab/root.pem -untrusted lab/inter.pem \
        -untrusted lab/crl-signer.pem -CRLfile lab/sti-pa-crl.pem "$1" >"$TMP/osl.out" 2>&1
}
osl_revoked() {
    ! osl_crl "$1"
}
check "openssl: sp revoked" osl_revoked sp.pem
check "openssl says why" grep -q "certificate revoked" "$TMP/osl.out"
check "openssl: good passes" osl_crl good.pem

# ---------------------------------------------------------------------------
# clid verify --crl-fetch
# ---------------------------------------------------------------------------
NOW=$(date +%s)
X5U=https://x5u.sti-lab.test
# verify_as NAME [options...]: signs as NAME and verifies, the chain mapped,
# the CRL fetched from the loopback server; JSON in $TMP/out.
verify_as() {
    local name=$1 id
    shift
    id=$("$CLID" sign --key "$name.key" --cert "$name.pem" --x5u "$X5U/$name.pem" \
        --orig 12025550100 --dest 14045550100 --attest A --at "$NOW")
    run verify --identity "$id" --orig 12025550100 --dest 14045550100 --trust lab/root.pem \
        --x5u-map "$X5U/$name.pem=$name.pem" --at "$NOW" --json --allow-private-x5u \
        --x5u-ca tls-ca.pem "$@"
}
FETCH=(--crl-fetch --crl-url-allow "$BASE/" --crl-signer lab/crl-signer.pem)

verify_as sp "${FETCH[@]}"
expect_rc 1
jq_is .reason '"CLID_ERR_CERT_REVOKED"'
jq_is .sip_status 437
jq_is .verstat '"TN-Validation-Failed"'
check "one request for the CRL" test "$(requests /sti-pa.crl)" = 1

verify_as good "${FETCH[@]}"
expect_rc 0
jq_is .reason '"CLID_OK"'
jq_is .revocation_checked true
jq_is .detail null

# Outside the allow-list: not fetched; the call passes with the word said,
# or fails under --crl-policy required.
before=$(requests /sti-pa.crl)
verify_as sp --crl-fetch --crl-url-allow "$BASE/other/" --crl-signer lab/crl-signer.pem
expect_rc 0
jq_is .revocation_checked false
check "detail says why" quiet jq -e '.detail | test("not under an allowed prefix")' "$TMP/out"
verify_as sp --crl-fetch --crl-url-allow "$BASE/other/" --crl-signer lab/crl-signer.pem \
    --crl-policy required
expect_rc 1
jq_is .reason '"CLID_ERR_CRL_UNAVAILABLE"'
check "nothing fetched outside the allow-list" test "$(requests /sti-pa.crl)" = "$before"

# Without the CRL signer the CRL cannot be trusted: refused.
verify_as good --crl-fetch --crl-url-allow "$BASE/"
expect_rc 1
jq_is .reason '"CLID_ERR_CRL_INVALID"'

# Without --crl-fetch nothing is fetched: a warning (the default policy).
verify_as sp --crl-signer lab/crl-signer.pem
expect_rc 0
jq_is .revocation_checked false
# ... and the CRL as a file works offline.
verify_as sp --crl lab/sti-pa-crl.pem --crl-signer lab/crl-signer.pem
expect_rc 1
jq_is .reason '"CLID_ERR_CERT_REVOKED"'

# Usage.
expect_error 64 "crl-url-allow: only with --crl-fetch" verify --identity x --orig 1 --dest 2 \
    --crl-url-allow "$BASE/"
expect_error 64 "crl-policy" verify --identity x --orig 1 --dest 2 --crl-policy sometimes

# The persistent cache keeps the CRL: with the server stopped, still revoked.
verify_as sp "${FETCH[@]}" --cache-dir cache
expect_rc 1
kill "$SERVER"
wait "$SERVER" 2>/dev/null || true
verify_as sp "${FETCH[@]}" --cache-dir cache
expect_rc 1
jq_is .reason '"CLID_ERR_CERT_REVOKED"'
# Without the cache the CRL cannot be had now.
verify_as good "${FETCH[@]}" --crl-policy required
expect_rc 1
jq_is .reason '"CLID_ERR_CRL_UNAVAILABLE"'

finish
