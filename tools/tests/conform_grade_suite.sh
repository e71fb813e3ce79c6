#!/usr/bin/env bash
# clid conform grade over the whole generated suite (clid conform gen, served
# by clid conform serve): every SIP request of a "valid" case is graded
# without a defect, every case a verifier must not pass has at least one,
# and the signer defects of the catalogue get their own explanation (not
# just the verifier's reason). The server runs on a port the kernel picks
# and is stopped by its PID.
. "$(dirname "$0")/lib.sh" "$@"

SERVER=
stop_server() {
    if [ -n "$SERVER" ]; then
        kill "$SERVER" 2>/dev/null || true
        wait "$SERVER" 2>/dev/null || true
        SERVER=
    fi
}
trap 'stop_server; rm -rf "$TMP"' EXIT
cd "$TMP"

expect_ok conform gen --prepare --out suite --base-url https://127.0.0.1:1
"$CLID" conform serve --root suite/www --cert-pem suite/pki/tls-server.pem \
    --key-pem suite/pki/tls-server.key --ready-file ready >serve.out 2>serve.err &
SERVER=$!
# The ready file appears (atomically) once the server listens.
for _ in $(seq 300); do
    [ -s ready ] && break
    kill -0 "$SERVER" 2>/dev/null || break
    sleep 0.1
done
PORT=$(jq -r .port ready 2>/dev/null || true)
if [ -z "$PORT" ]; then
    fail "conform serve did not start: $(cat serve.err)"
    finish
fi
expect_ok conform gen --out suite --base-url "https://127.0.0.1:$PORT" --seed grade-suite
AT=$(jq .at suite/suite.json)
mkdir invites
for c in suite/cases/*/; do
    n=$(basename "$c")
    cp "$c/invite.sip" "invites/$n.sip"
done
ARGS=(conform grade --sip --trust suite/pki/trust.pem --x5u-ca suite/pki/tls-ca.pem
    --allow-private-x5u --at "$AT")
for f in $(jq -r '.crls[]' suite/suite.json); do ARGS+=(--crl "suite/$f"); done
for f in $(jq -r '.crl_signers[]' suite/suite.json); do ARGS+=(--crl-signer "suite/$f"); done
run "${ARGS[@]}" --json invites
expect_rc 1
stop_server
cp out grade.json

# Per case: its defects' ids (all Identity headers and the request).
jq -r '.items | group_by(.source)[] | (.[0].source | ltrimstr("invites/") | rtrimstr(".sip"))
       + " " + ([.[].defects[].id] | join(","))' grade.json >ids.txt
check "every case graded" test "$(wc -l <ids.txt)" -eq "$(jq '.cases | length' suite/suite.json)"

while read -r name group verstat; do
    ids=$(awk -v n="$name" '$1 == n { print $2 }' ids.txt)
    ok
    if [ "$group" = valid ] && [ -n "$ids" ]; then
        fail "valid case $name: defects $ids"
    fi
    ok
    if [ "$verstat" != TN-Validation-Passed ] && [ -z "$ids" ]; then
        fail "case $name ($verstat expected) graded without a defect"
    fi
done < <(jq -r '.cases[] | "\(.name) \(.group) \(.expect.verstat)"' \
    "$TESTS_DIR/../../interop-tests/conformance/catalogue.json")

# The signer defects are explained, each by its own check.
has_id() {
    ok
    if ! awk -v n="$1" '$1 == n { print $2 }' ids.txt | tr ',' '\n' | grep -qx "$2"; then
        fail "case $1: no defect $2 (got: $(awk -v n="$1" '$1 == n { print $2 }' ids.txt))"
    fi
}
has_id sig-der sig.der
has_id b64-padding b64.padding
has_id attest-lowercase claims.attest-case
has_id iat-string claims.iat-string
has_id duplicate-json-keys json.duplicate
has_id origid-not-uuid claims.origid-uuid
has_id info-no-brackets param.info-brackets
has_id jose-typ-wrong hdr.typ
has_id compact-form jws.compact
has_id orig-mismatch bind.orig
has_id no-identity sip.no-identity
has_id cert-expired verify.reason
has_id jose-crit-unknown hdr.crit
has_id date-malformed sip.date
has_id x5u-http x5u.not-https

finish
