#!/usr/bin/env bash
# clid ca: bad input gets one clear line on stderr, a non-zero exit status,
# nothing on stdout, and leaves the CA directory byte-identical (names,
# modes and contents hashed before and after) and creates no output file.
#
# The commands run in one clid_inproc process (inproc.sh: the same command
# code, without starting and leak-checking ~90 ASan processes); after each
# one the runner hashes the CA directory (names, modes, sizes, contents)
# and the names, modes and sizes of everything in the working directory,
# so every command is still checked on its own. A few are cross-checked
# against the binary.
. "$(dirname "$0")/lib.sh" "$@"
. "$TESTS_DIR/ca_lib.sh"
. "$TESTS_DIR/inproc.sh"
cd "$TMP"

inproc_add ca init ca
inproc_add ca issue ca --out sp --spc 709J
inproc_add ca issue ca --out spca --ca --range 12025550000+1000
inproc_add ca issue ca --out del --delegate-of spca.pem --parent-key spca.key --tn 12025550001
inproc_add ca revoke ca del.pem
inproc_add ca init other
inproc_add ca issue other --out foreign --spc 709J
inproc_add ca csr --key req.key --new-key --tn 12025550100 --country 44 --role transit --out req.csr
inproc_run
for n in $(seq 1 "$IP_N"); do
    [ "${IP_RC[$n]}" -eq 0 ] || { fail "setup: clid $(sed -n "${n}p" "$IP_SCRIPT" | tr '\t' ' ') exited ${IP_RC[$n]}: $(cat "$IP_DIR/$n.err")"; finish; }
done
inproc_reset
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p384.key 2>/dev/null
echo "not a key" >garbage.key
echo "not a request" >garbage.csr
openssl req -in req.csr -outform DER -out req.der
# The requested TN changed after signing: the signature no longer verifies.
perl -pe 's/12025550100/12025550199/' req.der >tampered.der
check "the tampered request differs" bash -c "! cmp -s req.der tampered.der"
openssl req -new -key rsa.key -subj "/CN=rsa" -addext \
    "1.3.6.1.5.5.7.1.26=DER:30:0F:A2:0D:16:0B:31:32:30:32:35:35:35:30:31:30:30" -out rsa.csr
touch exists.pem
mkdir notca
cp -r ca corrupt
jq '.certificates += [.certificates[0]]' ca/index.json >corrupt/index.json
serial=$(jq -r '.certificates[1].serial' ca/index.json)
# For the --new-key case below.
cp req.key req.key.orig

# bad STATUS REGEX ARGS...: the failure expected, with every invariant:
# queued here, run and checked by check_bad below.
declare -a BAD_STATUS BAD_REGEX
bad() {
    inproc_add "${@:3}"
    BAD_STATUS[$IP_N]=$1
    BAD_REGEX[$IP_N]=$2
}

# Command line (64).
bad 64 "unknown option '--frobnicate'" ca issue ca --out x --spc 709J --frobnicate
bad 64 "unknown subcommand 'frob'" ca frob ca
bad 64 'expects a subcommand' ca
bad 64 'out PREFIX is required' ca issue ca --spc 709J
bad 64 'expects exactly one DIR' ca issue --out x --spc 709J
bad 64 "--tn '12a': CLID_ERR_BAD_TN" ca issue ca --out x --tn 12a
bad 64 "--tn '1234567890123456': CLID_ERR_BAD_TN" ca issue ca --out x --tn 1234567890123456
bad 64 "--range '99999\+2': CLID_ERR_BAD_RANGE: range overflow" ca issue ca --out x --range 99999+2
bad 64 "--range '12025550000\+1': CLID_ERR_BAD_RANGE: COUNT must be at least 2" \
    ca issue ca --out x --range 12025550000+1
bad 64 "COUNT overflows 64 bits" ca issue ca --out x --range 1+18446744073709551616
bad 64 "COUNT is not a decimal number" ca issue ca --out x --range 1000+x
bad 64 "expected START\+COUNT" ca issue ca --out x --range 1000
bad 64 "--range '1x00\+10': CLID_ERR_BAD_TN" ca issue ca --out x --range 1x00+10
bad 64 "--spc '709j': CLID_ERR_BAD_SPC: ATIS-1000080 allows only digits and upper-case" \
    ca issue ca --out x --spc 709j
bad 64 "--spc '70-9': CLID_ERR_BAD_SPC" ca issue ca --out x --spc 70-9
bad 64 "--spc '70 9': CLID_ERR_BAD_SPC" ca issue ca --out x --spc "70 9"
bad 64 "option '--spc' given twice" ca issue ca --out x --spc 709J --spc 1234
bad 64 'an SP certificate with an SPC carries only that SPC' ca issue ca --out x --spc 709J --tn 1
bad 64 'a certificate needs a TNAuthList' ca issue ca --out x --country 44
bad 64 'ATIS-1000080 fixes the CN' ca issue ca --out x --spc 709J --cn "my name"
bad 64 "--role 'boss'" ca issue ca --out x --spc 709J --role boss
bad 64 "--country '4444': CLID_ERR_BAD_ENTITY" ca issue ca --out x --tn 1 --country 4444
bad 64 "--carrier 'abc': CLID_ERR_BAD_ENTITY" ca issue ca --out x --tn 1 --carrier abc
bad 64 "--mccmnc '12': expected MCC-MNC" ca issue ca --out x --tn 1 --mccmnc 12
bad 64 "--ispc '8-0-0': " ca issue ca --out x --tn 1 --ispc 8-0-0
bad 64 "--days '0'" ca issue ca --out x --spc 709J --days 0
bad 64 "--days 'ten'" ca issue ca --out x --spc 709J --days ten
bad 64 "--days '99999999'" ca issue ca --out x --spc 709J --days 99999999
bad 64 "--not-before 'yesterday': expected Unix seconds or an RFC 3339" \
    ca issue ca --out x --spc 709J --not-before yesterday
bad 64 "--not-before '2026-02-30T00:00:00Z'" ca issue ca --out x --spc 709J \
    --not-before 2026-02-30T00:00:00Z
bad 64 "--crl-url 'http://a,b'" ca issue ca --out x --spc 709J --crl-url http://a,b
bad 64 '--ca and --delegate-of' ca issue ca --out x --ca --tn 1 --delegate-of spca.pem \
    --parent-key spca.key
bad 64 '--delegate-of and --parent-key go together' ca issue ca --out x --tn 1 --delegate-of spca.pem
bad 64 '--csr: state what the requester may have' ca issue ca --out x --csr req.csr
bad 64 '--ca: an SP CA carries no SignallingEntity .*, so --country cannot go with it' \
    ca issue ca --out x --ca --range 12025550000+100 --country 1
bad 64 '--ca: .*, so --role cannot go with it' ca issue ca --out x --ca --tn 1 --role transit
bad 64 '--ca: .*, so --operator cannot go with it; --org NAME sets the subject.s O' \
    ca issue ca --out x --ca --tn 1 --operator "SP One"
bad 64 '--org: at most 64 bytes' ca issue ca --out x --spc 709J --org "$(printf 'o%.0s' {1..65})"
bad 64 "--country 'us': expected an ISO 3166-1 alpha-2 code" ca init new --country us
bad 64 "--country 'USA': expected an ISO 3166-1 alpha-2 code" ca init new --country USA
bad 64 '--name: at most 44 bytes' ca init new --name "$(printf 'n%.0s' {1..45})"
bad 64 '--org: at most 64 bytes' ca init new --org "$(printf 'o%.0s' {1..65})"
bad 64 "--crl-url 'ldap://crl.example/x.crl': the STI-PA CRL URL is derived from it" \
    ca init new --crl-url ldap://crl.example/x.crl
bad 64 "--sti-pa-crl-url 'ldap://crl.example/x.crl'" ca init new --sti-pa-crl-url ldap://crl.example/x.crl

# Unreadable input (66).
bad 66 '^clid: missing.key: cannot open: No such file or directory$' \
    ca issue ca --out x --tn 12025550001 --delegate-of spca.pem --parent-key missing.key
bad 66 '^clid: missing.pem: cannot open' \
    ca issue ca --out x --tn 12025550001 --delegate-of missing.pem --parent-key spca.key
bad 66 '^clid: missing.csr: cannot open' ca issue ca --out x --csr missing.csr --tn 12025550100
bad 66 '^clid: notca: not a clid CA directory' ca issue notca --out x --spc 709J
bad 66 '^clid: nodir: cannot open CA directory: No such file or directory$' \
    ca issue nodir --out x --spc 709J
bad 66 '^clid: \.: cannot open: Is a directory$|cannot read' \
    ca issue ca --out x --tn 12025550001 --delegate-of spca.pem --parent-key .

# Bad input data (65).
bad 65 '^clid: garbage.key: CLID_ERR_KEY_PARSE' \
    ca issue ca --out x --tn 12025550001 --delegate-of spca.pem --parent-key garbage.key
bad 65 '^clid: rsa.key: CLID_ERR_KEY_TYPE' \
    ca issue ca --out x --tn 12025550001 --delegate-of spca.pem --parent-key rsa.key
bad 65 '^clid: p384.key: CLID_ERR_KEY_TYPE' \
    ca issue ca --out x --tn 12025550001 --delegate-of spca.pem --parent-key p384.key
bad 65 'CLID_ERR_DELEGATE_NOT_ENCOMPASSED: .*\(delegate: TN 12025551000; parent: range 12025550000\+1000\)' \
    ca issue ca --out x --tn 12025551000 --delegate-of spca.pem --parent-key spca.key
bad 65 'CLID_ERR_DELEGATE_NOT_ENCOMPASSED' \
    ca issue ca --out x --range 12025550900+101 --delegate-of spca.pem --parent-key spca.key
bad 65 'CLID_ERR_DELEGATE_NOT_ENCOMPASSED' \
    ca issue ca --out x --spc 709J --delegate-of spca.pem --parent-key spca.key
bad 65 'the parent is not a CA certificate' \
    ca issue ca --out x --tn 1 --delegate-of sp.pem --parent-key sp.key
bad 65 'the parent does not match --parent-key' \
    ca issue ca --out x --tn 12025550001 --delegate-of spca.pem --parent-key sp.key
bad 65 'the parent was not issued by this CA' \
    ca issue other --out x --tn 12025550001 --delegate-of spca.pem --parent-key spca.key
bad 65 'CLID_ERR_CERT_PARSE' \
    ca issue ca --out x --tn 12025550001 --delegate-of garbage.key --parent-key spca.key
bad 65 'garbage.csr: not a PEM or DER certificate request' \
    ca issue ca --out x --csr garbage.csr --tn 12025550100
bad 65 'tampered.der: not signed by the key it carries .*CLID_ERR_SIGNATURE_INVALID' \
    ca issue ca --out x --csr tampered.der --range 12025550000+1000 --role transit --country 44
bad 65 'rsa.csr: key: CLID_ERR_KEY_TYPE' ca issue ca --out x --csr rsa.csr --tn 12025550100
bad 65 'refused: the request asks for a TNAuthList beyond .*\(requested: TN 12025550100; allowed: range 12025550101\+10\)' \
    ca issue ca --out x --csr req.csr --range 12025550101+10 --role transit --country 44
bad 65 'refused: the request asks for a country code not given with --country' \
    ca issue ca --out x --csr req.csr --tn 12025550100 --role transit --country 1
bad 65 'refused: the request asks for a different SignallingEntity role' \
    ca issue ca --out x --csr req.csr --tn 12025550100 --role verifier --country 44
bad 65 'refused: the request asks for a SignallingEntity, but the command line allows none' \
    ca issue ca --out x --csr req.csr --tn 12025550100
bad 65 "--not-before lies before the issuer's notBefore" \
    ca issue ca --out x --spc 709J --not-before 2000-01-01T00:00:00Z
bad 65 'would outlive its issuer' ca issue ca --out x --spc 709J --days 36500
bad 65 'corrupt/index.json: a serial appears twice' ca issue corrupt --out x --spc 709J

# The operation cannot be done (1).
bad 1 '^clid: exists.pem: exists; not replaced' ca issue ca --out exists --spc 709J
bad 1 "^clid: sub/x.key: cannot create: sub: No such file or directory" \
    ca issue ca --out sub/x --spc 709J

# revoke, crl, csr, export, list.
bad 65 'ca revoke: 0123456789ABCDEF: no such certificate' ca revoke ca 0123456789ABCDEF
bad 65 'ca revoke: foreign.pem: no such certificate' ca revoke ca foreign.pem
bad 1 'ca revoke: [0-9A-F]{32}: already revoked on' ca revoke ca del.pem
bad 64 "--reason 'removeFromCRL'" ca revoke ca "$serial" --reason removeFromCRL
bad 64 "--reason 'because'" ca revoke ca "$serial" --reason because
bad 64 'expects DIR and a SERIAL or CERT' ca revoke ca
bad 64 "--days '0'" ca crl ca --days 0
bad 64 '--delegate-of needs --out FILE' ca crl ca --delegate-of spca.pem --parent-key spca.key
bad 65 'not an SP CA of this CA' ca crl ca --delegate-of sp.pem --parent-key sp.key --out x.pem
bad 64 'expects DIR and --out FILE' ca export ca
bad 64 'expects exactly one DIR' ca list
bad 66 '^clid: missing.key: cannot open' ca csr --key missing.key --tn 1 --out x.csr
bad 65 '^clid: garbage.key: CLID_ERR_KEY_PARSE' ca csr --key garbage.key --tn 1 --out x.csr
bad 65 '^clid: rsa.key: CLID_ERR_KEY_TYPE' ca csr --key rsa.key --tn 1 --out x.csr
bad 1 '^clid: req.key: exists; not replaced' ca csr --key req.key --new-key --tn 1 --out x.csr
bad 1 '^clid: ca: exists and is not an empty directory; not changed$' ca init ca

# Run them all, then check each: its status, no stdout, one stderr line
# matching REGEX (bash's =~ is the same POSIX ERE as grep -E), the CA
# directory unchanged since the command before (contents), and nothing
# created or changed in the working directory (names, modes, sizes: no
# x.* or sub/x.* output, no .tmp.* file left).
inproc_run --watch ./ca --names .
read -r ca_before names_before <<<"${IP_HASH[0]}"
for n in $(seq 1 "$IP_N"); do
    what="clid $(sed -n "${n}p" "$IP_SCRIPT" | tr '\t' ' ')"
    [ -z "${CA_TEST_VERBOSE:-}" ] || cat "$IP_DIR/$n.err"
    ok
    if [ "${IP_RC[$n]}" -ne "${BAD_STATUS[$n]}" ]; then
        fail "$what exited ${IP_RC[$n]}, expected ${BAD_STATUS[$n]}; stderr: $(head -c 500 "$IP_DIR/$n.err")"
    fi
    ok
    if [ "${IP_OUT[$n]}" -ne 0 ]; then
        fail "$what: expected no stdout, got: $(head -c 300 "$IP_DIR/$n.out")"
    fi
    ok
    if [ "${IP_ERRL[$n]}" -ne 1 ]; then
        fail "$what: expected one stderr line, got ${IP_ERRL[$n]}: $(head -c 500 "$IP_DIR/$n.err")"
    fi
    ok
    IFS= read -r errline <"$IP_DIR/$n.err" || true
    if ! [[ $errline =~ ${BAD_REGEX[$n]} ]]; then
        fail "$what: stderr '$errline' does not match /${BAD_REGEX[$n]}/"
    fi
    read -r ca_after names_after <<<"${IP_HASH[$n]}"
    ok
    if [ "$ca_after" != "$ca_before" ]; then
        fail "$what: the CA directory changed"
    fi
    ok
    if [ "$names_after" != "$names_before" ]; then
        fail "$what: a file was created, removed or changed in the working directory"
    fi
    ca_before=$ca_after names_before=$names_after
done
check "no output file was created: $(ls -d x.* sub/x.* 2>/dev/null | tr '\n' ' ')" \
    bash -c '! compgen -G "x.*" >/dev/null && ! compgen -G "sub/x.*" >/dev/null'
check "no temporary file was left: $(find . -name '.tmp.*' | tr '\n' ' ')" \
    test -z "$(find . -name '.tmp.*')"
check "exists.pem untouched" test ! -s exists.pem
check "--new-key never replaces a key" cmp -s req.key req.key.orig
# The runner and the binary agree (usage, unreadable input, bad data, cannot be done).
inproc_crosscheck 1 46 54 72

finish
