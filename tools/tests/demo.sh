#!/usr/bin/env bash
# `clid demo`: makes a certificate with TNAuthList and SignallingEntity and
# prints it exactly as `clid cert show` prints the same certificate.
. "$(dirname "$0")/lib.sh" "$@"

expect_ok demo
check "demo says what it made (stderr)" grep -q '^clid demo: throwaway P-256 key' "$TMP/err"
out_has "Key:          EC P-256"
out_has "TNAuthList (1.3.6.1.5.5.7.1.26): non-critical"
out_has "  SPC:        CLIDDEMO"
out_has "  TN:         442079460123"
out_has "  Range:      442079460000 count 1000 (to 442079460999)"
out_has "SignallingEntity (2.25.42566855811865493193646212583568270452.2.1): non-critical"
out_has "  Role:       international-gateway"
out_has "  Country:    44"
out_has "  Carrier:    CLIDGB"
out_has "  PLMN:       MCC 001, MNC 01"
out_has "  ISPC:       2-100-3 (4899)"
out_has "  Operator:   clid demo operator"
check "subject and issuer are the same (self-signed)" \
    test "$(sed -n 's/^Subject: *//p' "$TMP/out")" = "$(sed -n 's/^Issuer: *//p' "$TMP/out")"

# The call: signed, verified, a replay and a forgery refused.
out_has "Verified at the receiving gateway (trust anchor: the demo certificate):"
check "the call verifies" bash -c "grep -A3 '^Verified at the receiving' '$TMP/out' | grep -qx 'reason: CLID_OK'"
check "the replay fails on the caller" bash -c "grep -A3 '^The same header replayed' '$TMP/out' | grep -qx 'reason: CLID_ERR_ORIG_MISMATCH'"
check "the forgery fails on the signature" bash -c "grep -A3 '^The caller.s number edited' '$TMP/out' | grep -qx 'reason: CLID_ERR_SIGNATURE_INVALID'"
check "the Identity header has the RFC 8224 shape" grep -Eq '^Identity: [A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{86};info=<https://certs\.demo\.clid\.invalid/demo\.pem>;alg=ES256;ppt=shaken$' "$TMP/out"

# --out: the file holds the certificate that was shown, and openssl accepts it.
expect_ok demo --no-call --out "$TMP/demo.pem"
cp "$TMP/out" "$TMP/demo.txt"
check "--out wrote a file" test -s "$TMP/demo.pem"
expect_ok cert show "$TMP/demo.pem"
check "cert show of the written file prints exactly what demo printed" cmp -s "$TMP/out" "$TMP/demo.txt"
check "openssl verifies the self-signed demo certificate" bash -c \
    "openssl verify -CAfile '$TMP/demo.pem' '$TMP/demo.pem' >/dev/null"
check "openssl sees the TNAuthList bytes" bash -c \
    "openssl asn1parse -in '$TMP/demo.pem' | grep -q ':1.3.6.1.5.5.7.1.26\$'"

expect_ok demo --json --out="$TMP/demo2.pem"
cp "$TMP/out" "$TMP/demo2.json"
jq_is '.file' "\"$TMP/demo2.pem\""
jq_is '.certificates[0].tnauthlist.entries | map(.type)' '["spc","tn","range"]'
jq_is '.certificates[0].signalling_entity.role' '"international-gateway"'
jq_is '.certificates[0].signalling_entity.country_codes' '["44"]'
jq_is '.certificates[0].signalling_entity.signalling_point_codes' '[{"code":4899,"zaaab":"2-100-3"}]'
expect_ok cert show --json "$TMP/demo2.pem"
check "demo --json prints exactly what cert show --json prints" cmp -s "$TMP/out" "$TMP/demo2.json"

# Each run makes a new key and serial.
expect_ok demo --json
s1=$(jq -r '.certificates[0].serial' "$TMP/out")
expect_ok demo --json
s2=$(jq -r '.certificates[0].serial' "$TMP/out")
check "two demos have different serials" test "$s1" != "$s2"
jq_is '.file' 'null'

# Cannot write --out: failure of the operation, exit 1.
expect_error 1 "^clid: $TMP/no/such/dir/x.pem: cannot create: " demo --out "$TMP/no/such/dir/x.pem"

finish
