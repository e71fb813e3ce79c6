#!/usr/bin/env bash
# `clid cert show` never crashes on damaged certificates: 200 deterministic
# mutations (1 to 4 random bytes replaced) of a certificate carrying every
# extension, as DER and as PEM. Each run must end with status 0 (the damage
# missed anything decoded) or 65 with one stderr line; the ASan+UBSan build
# turns any memory error or leak into a different status.
#
# The 400 runs go through clid_inproc (inproc.sh): the same command code in
# one process, so that the ASan build does not spend minutes starting and
# leak-checking 400 processes; the first runs are cross-checked against the
# binary. The mutations are made by one perl process: srand(SEED) per
# mutation gives the same bytes as the perl-per-seed loop this replaced.
. "$(dirname "$0")/lib.sh" "$@"
. "$TESTS_DIR/inproc.sh"
cd "$TMP"

openssl x509 -in "$TESTS_DIR/data/all-fields.pem" -outform DER -out orig.der
perl -MMIME::Base64 -e '
    local $/;
    open my $in, "<:raw", "orig.der" or die;
    my $orig = <$in>;
    for my $seed (1 .. 200) {
        srand($seed);
        my $d = $orig;
        for (1 .. 1 + int(rand(4))) {
            substr($d, int(rand(length $d)), 1) = chr(int(rand(256)));
        }
        open my $der, ">:raw", "m$seed.der" or die;
        print $der $d;
        close $der or die;
        # Hand-made PEM (64-character lines, as base64 -w 64): openssl would
        # refuse to re-encode a damaged certificate.
        my $b64 = encode_base64($d, "");
        open my $pem, ">:raw", "m$seed.pem" or die;
        print $pem "-----BEGIN CERTIFICATE-----\n";
        print $pem "$1\n" while $b64 =~ /(.{1,64})/g;
        print $pem "-----END CERTIFICATE-----\n";
        close $pem or die;
    }'

for seed in $(seq 1 200); do
    for form in der pem; do
        inproc_add cert show "m$seed.$form"
    done
done
inproc_run

refused=0
n=0
for seed in $(seq 1 200); do
    for form in der pem; do
        n=$((n + 1))
        ok
        case ${IP_RC[$n]} in
            0) ;;
            65)
                refused=$((refused + 1))
                if [ "${IP_ERRL[$n]}" -ne 1 ]; then
                    fail "seed $seed ($form): not one stderr line: $(head -c 300 "$IP_DIR/$n.err")"
                fi
                ;;
            *) fail "seed $seed ($form): exit ${IP_RC[$n]}: $(head -c 500 "$IP_DIR/$n.err")" ;;
        esac
    done
done
check "most mutations are refused (got $refused of 400)" test "$refused" -gt 200

# The runner and the binary agree (statuses 0 and 65 both among these).
inproc_crosscheck 1 2 3 4 5 6

finish
