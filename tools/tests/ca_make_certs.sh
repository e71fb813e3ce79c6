#!/usr/bin/env bash
# certs/make-certs.sh regenerates the whole test PKI: into a temporary
# directory, the same files as committed under certs/ come out, the keys are
# 0600, both CA directories are consistent, and the manifest's chains pass
# run-manifest.sh --openssl against the new files too.
. "$(dirname "$0")/lib.sh" "$1"
. "$TESTS_DIR/ca_lib.sh"
CERTS=$2

run_make() {
    set +e
    bash "$CERTS/make-certs.sh" --out "$TMP/pki" "$CLID" >"$TMP/make.out" 2>&1
    RC=$?
    set -e
}
run_make
check "make-certs.sh succeeded: $(tail -3 "$TMP/make.out")" test "$RC" -eq 0
check "it says the keys are public" grep -q 'PRIVATE KEYS ARE PUBLIC' "$TMP/make.out"

# The same files as committed (CA serials are random: certs/SERIAL.pem by count).
list() {
    (cd "$1" && find ca ca2 good bad crl keys -type f | sed 's#^\(ca2\{0,1\}/certs/\).*#\1SERIAL.pem#' |
        LC_ALL=C sort)
}
check "the same set of files as committed" diff <(list "$CERTS") <(list "$TMP/pki")
check "regenerated CA directory is consistent" ca_consistent "$TMP/pki/ca"
check "regenerated second CA directory is consistent" ca_consistent "$TMP/pki/ca2"
check "committed CA directory is consistent" ca_consistent "$CERTS/ca" nomode
check "every private key is 0600" bash -c \
    "[ -z \"\$(find '$TMP/pki' -name '*.key' ! -perm 600)\" ]"

cp "$CERTS/manifest.txt" "$TMP/pki/"
set +e
bash "$CERTS/run-manifest.sh" --openssl "$TMP/pki/manifest.txt" >"$TMP/manifest.out" 2>&1
RC=$?
set -e
check "the regenerated PKI passes the manifest's openssl checks: $(grep -m3 FAIL "$TMP/manifest.out")" \
    test "$RC" -eq 0

# The decoding failures the manifest expects, seen by clid cert show.
for c in "dup-tnauth CLID_ERR_EXT_DUPLICATE" "ber-tnauth CLID_ERR_DER_NOT_CANONICAL"; do
    set -- $c
    for dir in "$CERTS" "$TMP/pki"; do
        expect_error 65 ": TNAuthList: $2: " cert show "$dir/bad/$1.pem"
    done
done
expect_ok cert show --json "$CERTS/bad/no-tnauth.pem"
jq_is '.certificates[0].tnauthlist' 'null'
expect_ok cert show --json "$CERTS/good/gateway.pem"
jq_is '.certificates[0].signalling_entity.role' '"international-gateway"'

# Running it twice in the same place replaces everything cleanly.
run_make
check "make-certs.sh runs again over its own output" test "$RC" -eq 0
check "still the same set of files" diff <(list "$CERTS") <(list "$TMP/pki")

finish
