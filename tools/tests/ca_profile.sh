#!/usr/bin/env bash
# clid ca states the certificate profile of everything it issues, and what
# it states holds: in a fresh CA directory the root, the intermediate, the
# STI-PA CRL signer, a SHAKEN SP certificate, a gateway, an SP CA, delegates,
# a CSR-issued certificate and certificates for numbers are made; each one
# claiming "shaken" or "q3063" lints clean (no error, no warning) with
# `clid cert lint --profile <claimed>` and not with the other profile; each
# "none" names in its reason rules that the lint indeed reports; `clid ca
# list` and the index say the same; openssl verify -x509_strict accepts
# every chain. Also: init --direct-crls (the one warning it costs), a
# certificate that would break its claim is refused as an internal error
# (exit 70) with nothing written, and a CA directory made by the previous
# version (tools/tests/data/ca-v1, made by clid 9e177cf with --sti-pa-crl-url:
# 8-octet counter serials, a serial counter file, names without SHAKEN)
# still works, its SHAKEN claims demoted to "none" with the reason.
#
# The clid commands run in two clid_inproc processes (inproc.sh): the
# issues, then every lint; the failure injections need their own process.
. "$(dirname "$0")/lib.sh" "$@"
. "$TESTS_DIR/ca_lib.sh"
. "$TESTS_DIR/inproc.sh"
cd "$TMP"

# --- 1. a fresh CA and one of everything it issues --------------------------------
declare -A CMD # name -> command number
issue() {      # NAME ARGS...: queue `clid ca issue lab --out NAME ARGS...`
    local name=$1
    shift
    inproc_add ca issue lab --out "$name" "$@"
    CMD[$name]=$IP_N
}
inproc_add ca init lab --name "Profile Lab" --org "Profile Lab Inc" --country CA \
    --crl-url https://pki.lab.example/crl/intermediate.crl
INIT=$IP_N
issue sp --spc 709J --org "Acme Telecom"
issue gw --tn 442079460123 --range 442079460000+100 --role international-gateway --country 44 \
    --carrier CLIDGB --mccmnc 234-15 --ispc 2-100-3 --operator "Gateway Ltd"
issue spca --ca --range 12025550000+1000 --tn 13035550100 --org "SP One"
issue del --delegate-of spca.pem --parent-key spca.key --range 12025550100+10
issue delgw --delegate-of spca.pem --parent-key spca.key --range 12025550200+10 \
    --role originating-gateway --country 1 --crl-url https://sp-one.example/spca.crl
issue delnodp --delegate-of spca.pem --parent-key spca.key --tn 12025550300 \
    --role originating-gateway --country 1
inproc_add ca csr --key bravo.key --new-key --spc 1234 --out bravo.csr
issue bravo --csr bravo.csr --spc 1234 --org "Bravo Networks"
issue tn --tn 12025550100 --range 13035550000+100
issue transit --tn 12025550100 --role transit --country 1
issue outside --tn 442079460123 --role originating-gateway --country 1
issue direct --spc 5555 --crl-url https://crl.example/direct.crl
inproc_add ca list lab --json
LIST=$IP_N
inproc_add ca init dlab --name "Direct Lab" --direct-crls
DINIT=$IP_N
inproc_add ca issue dlab --out dsp --spc 709J
DSP=$IP_N
inproc_run
for n in $(seq 1 "$IP_N"); do
    [ "${IP_RC[$n]}" -eq 0 ] || fail "clid $(sed -n "${n}p" "$IP_SCRIPT" | tr '\t' ' ') exited ${IP_RC[$n]}: $(cat "$IP_DIR/$n.err")"
done
inproc_crosscheck "$LIST"
cp -r "$IP_DIR" batch1 # the second batch replaces $IP_DIR

# The profile line each command printed (line 2 of an issue: line 1 is the serial).
profile_of() {
    sed -n 2p "batch1/${CMD[$1]}.out"
}
want_profile() { # NAME PROFILE [REASON-START]
    local got
    got=$(profile_of "$1")
    if [ "$2" = none ]; then
        check "$1: profile none (${3})" bash -c "[[ \"\$1\" == 'profile: none ($3'* ]]" _ "$got"
    else
        check "$1: profile $2" test "$got" = "profile: $2"
    fi
    check "$1: two output lines (serial, profile): no lint warning" \
        test "$(wc -l <"batch1/${CMD[$1]}.out")" = 2
}
check "init: the root and intermediate are SHAKEN" \
    grep -qx 'profile: shaken (root and intermediate; the STI-PA CRL signer: none, no STI certificate)' \
    batch1/$INIT.out
check "init: no lint warning" test "$(wc -l <batch1/$INIT.out)" = 2
want_profile sp shaken
want_profile gw q3063
want_profile spca q3063
want_profile del none "an RFC 9060 delegate certificate"
want_profile delgw q3063
want_profile delnodp none "no CRL distribution point (crldp.present)"
want_profile bravo shaken
want_profile tn none "a certificate for telephone numbers (RFC 8226)"
want_profile transit none "q3063.entity.role: "
want_profile outside none "q3063.entity.country: "
want_profile direct none "its CRL distribution point has no cRLIssuer (sti.crldp.issuer): --crl-url"
check "init --direct-crls: the root and intermediate are SHAKEN, with cRLSign: one warning each" \
    test "$(grep -c '^warning: sti.ku.ca-single \[ATIS-1000080 v005 §6.4.1\]: ' batch1/$DINIT.out)" = 2
check "init --direct-crls: an SP certificate is SHAKEN" \
    test "$(sed -n 2p batch1/$DSP.out)" = "profile: shaken"

# The index and list say the same, with the reasons.
cp batch1/$LIST.out list.json
for name in sp gw spca del delgw delnodp bravo tn transit outside direct; do
    serial=$(head -1 "batch1/${CMD[$name]}.out")
    printed=$(profile_of "$name")
    listed=$(jq -r --arg s "$serial" '.certificates[] | select(.serial == $s) |
        if .profile == "none" then "profile: none (\(.profile_reason))" else "profile: \(.profile)" end' list.json)
    check "$name: list --json says what issue printed" test "$listed" = "$printed"
done
check "list: the intermediate is SHAKEN, the CRL signer none" test \
    "$(jq -c '[.certificates[] | select(.kind == "intermediate" or .kind == "crl-signer") | .profile]' list.json)" = \
    '["shaken","none"]'
jq_is_file() { # FILE FILTER EXPECTED
    check "$1: jq '$2' is $3" test "$(jq -c "$2" "$1")" = "$3"
}
jq_is_file list.json .root_profile '"shaken"'
jq_is_file lab/index.json '[.certificates[].serial | test("^[4-7][0-9A-F]{31}$")] | all' true
jq_is_file lab/ca.json '[.country, .org, .direct_crls]' '["CA","Profile Lab Inc",false]'
jq_is_file lab/ca.json .sti_pa_crl_url '"https://pki.lab.example/crl/sti-pa.crl"'

# --- 2. the lint agrees with every claim --------------------------------------------
# Chains as x5u serves them, plus the root (the lint checks the intermediate
# against it): NAME.chain.
for name in sp gw spca del delgw delnodp bravo tn transit outside direct; do
    cat "$name.pem" lab/root.pem >"$name.chain"
done
cat lab/inter.pem lab/root.pem >inter.chain
cp lab/root.pem root.chain
cp lab/crl-signer.pem signer.chain
cat dsp.pem dlab/root.pem >dsp.chain
inproc_reset
declare -A LINT # "NAME PROFILE" -> command number
lint() { # NAME PROFILE
    inproc_add cert lint --json --profile "$2" "$1.chain"
    LINT["$1 $2"]=$IP_N
}
for name in sp gw spca del delgw delnodp bravo tn transit outside direct inter root signer dsp; do
    lint "$name" shaken
    lint "$name" q3063
done
inproc_add cert lint --rules
RULES=$IP_N
inproc_run
cut -f1 "$IP_DIR/$RULES.out" >rules.txt

# clean NAME PROFILE: no error and no warning.
clean() {
    local n=${LINT["$1 $2"]}
    [ "${IP_RC[$n]}" -eq 0 ] && jq -e '.files[0] | .errors == 0 and .warnings == 0' "$IP_DIR/$n.out" >/dev/null
}
has_errors() {
    local n=${LINT["$1 $2"]}
    [ "${IP_RC[$n]}" -eq 1 ] && jq -e '.files[0].errors > 0' "$IP_DIR/$n.out" >/dev/null
}
# reports NAME PROFILE RULE: an error with RULE somewhere in NAME's chain.
reports() {
    local n=${LINT["$1 $2"]}
    jq -e --arg r "$3" '[.files[0].findings[] | select(.severity == "error" and .rule == $r)] | length > 0' \
        "$IP_DIR/$n.out" >/dev/null
}
for c in "root shaken" "inter shaken" "sp shaken" "bravo shaken" "gw q3063" "spca q3063" \
    "delgw q3063"; do
    set -- $c
    other=$([ "$2" = shaken ] && echo q3063 || echo shaken)
    check "$1: lints clean under its profile $2 (cert lint --profile $2)" clean "$1" "$2"
    case $1 in
        root | inter) check "$1: clean under $other too (one hierarchy for both profiles)" clean "$1" "$other" ;;
        *) check "$1: not clean under $other (the claim is the one that holds)" has_errors "$1" "$other" ;;
    esac
done
check "dsp (--direct-crls): no error under shaken" bash -c \
    "jq -e '.files[0].errors == 0' '$IP_DIR/${LINT["dsp shaken"]}.out' >/dev/null"
check "dsp (--direct-crls): its only warnings are the CAs' keyUsage (sti.ku.ca-single)" test \
    "$(jq -c '[.files[0].findings[] | [.certificate, .rule]]' "$IP_DIR/${LINT["dsp shaken"]}.out")" = \
    '[[1,"sti.ku.ca-single"],[2,"sti.ku.ca-single"]]'

# A "none" is never clean under either profile, and every rule its reason
# names is reported by the lint: under shaken for sti.* and the rules both
# profiles share, under q3063 for q3063.*.
reason_of() {
    if [ "$1" = signer ]; then
        jq -r '.certificates[] | select(.kind == "crl-signer") | .profile_reason' list.json
    else
        profile_of "$1"
    fi
}
for name in del delnodp tn transit outside direct signer; do
    check "$name (none): not clean under shaken" has_errors "$name" shaken
    check "$name (none): not clean under q3063" has_errors "$name" q3063
    named=0
    for rule in $(reason_of "$name" | grep -oE '[a-z][a-z0-9]*(\.[a-z0-9-]+)+' | sort -u); do
        grep -qx -- "$rule" rules.txt || continue
        named=$((named + 1))
        profile=$([ "${rule%%.*}" = q3063 ] && echo q3063 || echo shaken)
        check "$name: the lint reports $rule, which its reason names" reports "$name" "$profile" "$rule"
    done
    check "$name: the reason names at least one rule" test "$named" -gt 0
done

# --- 3. openssl accepts every chain ---------------------------------------------------
for name in sp gw spca del delgw delnodp bravo tn transit outside direct; do
    check "$name: openssl verify -x509_strict" \
        quiet openssl verify -x509_strict -CAfile lab/root.pem -untrusted "$name.pem" "$name.pem"
done
check "the CRL signer: openssl verify -x509_strict" \
    quiet openssl verify -x509_strict -CAfile lab/root.pem lab/crl-signer.pem
check "dsp: openssl verify -x509_strict" \
    quiet openssl verify -x509_strict -CAfile dlab/root.pem -untrusted dsp.pem dsp.pem
check "lab stays consistent" ca_consistent lab

# --- 4. a certificate that breaks its claim is never written ---------------------------
# CLID_CA_FAIL_AT=<cmd>:profile builds the certificate without keyUsage
# (docs/ca.md section 8): the lint must refuse it, an internal error.
before=$(dir_hash lab)
LAST_ARGS="ca issue with CLID_CA_FAIL_AT=issue:profile"
set +e
CLID_CA_FAIL_AT=issue:profile "$CLID" ca issue lab --out broken --spc 7777 >"$TMP/out" 2>"$TMP/err"
RC=$?
set -e
expect_rc 70
check "issue:profile: one stderr line naming the rule" grep -qx \
    "clid: ca issue: internal error: the certificate does not follow the shaken profile it would claim (1 error; ku.present \[ATIS-1000080 v005 §6.4.1\]: no keyUsage); nothing written" \
    "$TMP/err"
check "issue:profile: nothing on stdout" test ! -s "$TMP/out"
check "issue:profile: DIR byte-identical" test "$(dir_hash lab)" = "$before"
check "issue:profile: no output file" test ! -e broken.pem -a ! -e broken.key
# The q3063 claim is checked the same way.
set +e
CLID_CA_FAIL_AT=issue:profile "$CLID" ca issue lab --out broken --tn 442079460124 --country 44 \
    >"$TMP/out" 2>"$TMP/err"
RC=$?
set -e
expect_rc 70
check "issue:profile (q3063): the internal error names the profile" \
    grep -q 'does not follow the q3063 profile it would claim' "$TMP/err"
check "issue:profile (q3063): DIR byte-identical" test "$(dir_hash lab)" = "$before"
LAST_ARGS="ca init with CLID_CA_FAIL_AT=init:profile"
set +e
CLID_CA_FAIL_AT=init:profile "$CLID" ca init broken >"$TMP/out" 2>"$TMP/err"
RC=$?
set -e
expect_rc 70
check "init:profile: one stderr line" grep -qx \
    "clid: ca init: internal error: the certificate does not follow the shaken profile it would claim (1 error; ku.present \[ATIS-1000080 v005 §6.4.1\]: no keyUsage); nothing written" \
    "$TMP/err"
check "init:profile: no directory, no temporary one" bash -c '! ls -a | grep -q broken'

# --- 5. a CA directory of the previous version ------------------------------------------
cp -r "$TESTS_DIR/data/ca-v1" v1
chmod 600 v1/*.key # git keeps no modes
old_sp=$(jq -r '.certificates[2].serial' v1/index.json)
expect_ok ca issue v1 --out v1sp --spc 709J
check "v1: a new serial is random" bash -c "head -1 '$TMP/out' | grep -Eqx '[4-7][0-9A-F]{31}'"
check "v1: the SHAKEN claim falls: the CA certificates do not follow the profile" bash -c \
    "sed -n 2p '$TMP/out' | grep -q '^profile: none (its issuer does not follow the shaken profile: certificate 1 (CN=v1 lab intermediate,O=v1 lab): sti.subject.dn: '"
expect_ok ca issue v1 --out v1gw --tn 442079460123 --role international-gateway --country 44
check "v1: a gateway is still a q3063 certificate" test "$(sed -n 2p "$TMP/out")" = "profile: q3063"
expect_ok ca list v1
check "v1: list marks the entries made before profiles with -" \
    grep -Eq "^$old_sp +valid +sp +- " "$TMP/out"
expect_ok ca list v1 --json
jq_is '.root_profile' 'null'
jq_is '[.certificates[].profile]' '[null,null,null,"none","q3063"]'
expect_ok ca revoke v1 "$old_sp"
expect_ok ca crl v1
out_has "crlNumber 2: 1 revoked by the intermediate, 0 by the root, 1 in the STI-PA CRL"
check "v1: the old CAs still sign their own CRLs" bash -c \
    "openssl crl -in v1/crl.pem -noout -text | grep -q 'Serial Number: $old_sp'"
check "v1: the serial counter file is left alone" test "$(cat v1/serial)" = 6F3B0BDE00000004

finish
