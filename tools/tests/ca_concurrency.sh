#!/usr/bin/env bash
# clid ca: 20 parallel `clid ca issue` into one DIR give 20 distinct serials
# and a consistent index (the flock on DIR/lock serializes the writers: each
# draws its random serial against the index the one before it wrote);
# readers (list) running meanwhile always see a complete index.
. "$(dirname "$0")/lib.sh" "$@"
. "$TESTS_DIR/ca_lib.sh"
cd "$TMP"

"$CLID" ca init ca >/dev/null
mkdir out
pids=()
for i in $(seq 1 20); do
    "$CLID" ca issue ca --out "out/c$i" --tn "1202555$(printf %04d "$i")" \
        >"out/c$i.txt" 2>"out/c$i.err" &
    pids+=($!)
done
# Readers in the meantime: each sees a whole, parsable index.
for i in 1 2 3 4 5; do
    "$CLID" ca list --json ca >"out/list$i.json" 2>"out/list$i.err" || true
done
failed=0
for p in "${pids[@]}"; do
    wait "$p" || failed=$((failed + 1))
done
check "all 20 issues succeeded" test "$failed" -eq 0
for i in $(seq 1 20); do
    head -1 "out/c$i.txt" >"out/c$i.serial"
done
check "no issue printed an error" bash -c "! grep -H . out/*.err"
check "20 serials printed" test "$(cat out/c*.serial | wc -l)" -eq 20
check "20 distinct serials" test "$(sort -u out/c*.serial | wc -l)" -eq 20
check "the index holds the intermediate, the CRL signer and the 20" \
    test "$(jq '.certificates | length' ca/index.json)" -eq 22
check "the index holds exactly the serials printed" bash -c \
    "diff <(jq -r '.certificates[2:][].serial' ca/index.json | sort) <(sort out/c*.serial)"
check "every serial is 16 random octets" bash -c "! grep -Evx '[4-7][0-9A-F]{31}' out/c*.serial"
check "the index is consistent" ca_consistent ca
for i in 1 2 3 4 5; do
    check "list $i during the issues gave a whole index" \
        bash -c "jq -e '.certificates | length >= 1' out/list$i.json >/dev/null"
done
# Each certificate file carries the serial that was printed for it.
for i in 1 7 20; do
    check "c$i.pem has serial $(cat "out/c$i.serial")" bash -c \
        "openssl x509 -in out/c$i.pem -noout -serial | grep -qx 'serial=$(cat "out/c$i.serial")'"
    check "c$i.pem verifies" quiet openssl verify -x509_strict -CAfile ca/root.pem \
        -untrusted ca/inter.pem "out/c$i.pem"
done
finish
