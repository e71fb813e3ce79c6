#!/usr/bin/env bash
# `clid cert show` and `clid cert lint` on the committed certificates in data/
# (made by openssl, see data/make-data.sh) must print exactly the reviewed
# outputs in golden/.
. "$(dirname "$0")/lib.sh" "$@"

cd "$TESTS_DIR/data"
for f in all-fields.pem spc-709J.der chain.pem; do
    run cert show "$f"
    expect_rc 0
    check "text output of $f matches golden/$f.txt" diff -u "$TESTS_DIR/golden/$f.txt" "$TMP/out"
    run cert show --json "$f"
    expect_rc 0
    check "JSON output of $f matches golden/$f.json" diff -u "$TESTS_DIR/golden/$f.json" "$TMP/out"
done
run cert show bad-ber.pem
expect_rc 65
check "message for bad-ber.pem matches golden/bad-ber.pem.err" \
    diff -u "$TESTS_DIR/golden/bad-ber.pem.err" "$TMP/err"
check "nothing on stdout for bad-ber.pem" test ! -s "$TMP/out"
# `clid cert lint --json` on a SHAKEN chain with one error and two warnings.
run cert lint --at 2030-01-01T00:00:00Z --json lint-chain.pem
expect_rc 1
check "JSON lint of lint-chain.pem matches golden/lint-chain.pem.json" \
    diff -u "$TESTS_DIR/golden/lint-chain.pem.json" "$TMP/out"

finish
