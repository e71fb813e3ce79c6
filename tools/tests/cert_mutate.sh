#!/usr/bin/env bash
# `clid cert show` never crashes on damaged certificates: 200 deterministic
# mutations (1 to 4 random bytes replaced) of a certificate carrying every
# extension, as DER and as PEM. Each run must end with status 0 (the damage
# missed anything decoded) or 65 with one stderr line; the ASan+UBSan build
# turns any memory error or leak into a different status.
. "$(dirname "$0")/lib.sh" "$@"

openssl x509 -in "$TESTS_DIR/data/all-fields.pem" -outform DER -out "$TMP/orig.der"
refused=0
for seed in $(seq 1 200); do
    perl -e '
        srand($ARGV[0]);
        local $/;
        my $d = <STDIN>;
        for (1 .. 1 + int(rand(4))) {
            substr($d, int(rand(length $d)), 1) = chr(int(rand(256)));
        }
        print $d;' "$seed" <"$TMP/orig.der" >"$TMP/m.der"
    for form in der pem; do
        if [ $form = pem ]; then
            # Hand-made PEM: openssl would refuse to re-encode a damaged certificate.
            { echo "-----BEGIN CERTIFICATE-----"; base64 -w 64 "$TMP/m.der";
              echo "-----END CERTIFICATE-----"; } >"$TMP/m.pem"
        fi
        run cert show "$TMP/m.$form"
        ok
        case $RC in
            0) ;;
            65)
                refused=$((refused + 1))
                if [ "$(wc -l <"$TMP/err")" -ne 1 ]; then
                    fail "seed $seed ($form): not one stderr line: $(head -c 300 "$TMP/err")"
                fi
                ;;
            *) fail "seed $seed ($form): exit $RC: $(head -c 500 "$TMP/err")" ;;
        esac
    done
done
check "most mutations are refused (got $refused of 400)" test "$refused" -gt 200

finish
