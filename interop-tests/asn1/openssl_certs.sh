#!/bin/sh
# Certificates made by the openssl CLI, read by clid.
#
#   openssl_certs.sh EXT_TOOL WORKDIR
#
# Each extension value is written by OpenSSL, either as raw DER
# (-addext "OID=DER:..") or through OpenSSL's own ASN.1 generator
# (openssl-ext.cnf), into a P-256 self-signed certificate. ext_tool reads
# it back through clid_x509_get_* and the printed values must be exactly the
# expected ones. Refusals are checked by name: the extension twice (RFC 5280
# §4.2), BER-only encodings, the pre-errata IMPLICIT form, an empty list, an
# unknown entity role, an absent extension. Exit 77 (ctest: skipped) only
# when the openssl or perl command is missing.
set -u

[ $# -eq 2 ] || { echo "usage: $0 EXT_TOOL WORKDIR" >&2; exit 2; }
tool=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
cnf=$here/openssl-ext.cnf

for cmd in openssl perl; do
    command -v $cmd >/dev/null 2>&1 || { echo "SKIP: $cmd not found"; exit 77; }
done

rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 2
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem 2>/dev/null ||
    { echo "FAIL: cannot make a P-256 key"; exit 1; }

failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# mkcert NAME [openssl req options]: self-signed P-256 certificate NAME.pem
mkcert() {
    name=$1
    shift
    openssl req -new -x509 -key key.pem -subj "/CN=clid interop $name" -days 2 \
        -config "$cnf" "$@" -out "$name.pem" 2>"$name.err" ||
        { fail "openssl could not make $name: $(cat "$name.err")"; return 1; }
}

# check NAME TYPE EXPECTED: what clid reads from NAME.pem must be EXPECTED
# (the line "critical N" then the values, or "error CLID_ERR_...").
check() {
    name=$1
    type=$2
    want=$3
    got=$("$tool" cert "$type" "$name.pem" 2>&1)
    rc=$?
    case $want in
    error*) want_rc=1 ;;
    *) want_rc=0 ;;
    esac
    if [ "$got" != "$want" ] || [ $rc -ne $want_rc ]; then
        fail "$name/$type (exit $rc)"
        printf '%s\n' "$want" >want.txt
        printf '%s\n' "$got" >got.txt
        diff -u want.txt got.txt | sed 's/^/    /'
    else
        echo "ok   $name/$type"
    fi
}

# --- TNAuthList as raw DER ----------------------------------------------------
# SPC "709J" (the SHAKEN form, deps notes §1.2)
mkcert spc -addext "1.3.6.1.5.5.7.1.26=DER:30:08:A0:06:16:04:37:30:39:4A" &&
    check spc tnauth "critical 0
spc 709J"

# spc, one, range (deps notes §1.7), critical
ALL3=30:2B:A0:06:16:04:37:30:39:4A:A2:0D:16:0B:31:32:30:32:35:35:35:31:30:30:30
ALL3=$ALL3:A1:12:30:10:16:0B:31:32:30:32:35:35:35:30:30:30:30:02:01:64
mkcert all3 -addext "1.3.6.1.5.5.7.1.26=critical,DER:$ALL3" &&
    check all3 tnauth "critical 1
spc 709J
tn 12025551000
range 12025550000 100"

# --- every type through OpenSSL's generator -----------------------------------
mkcert tnauth_gen -extensions v3_tnauth_gen &&
    check tnauth_gen tnauth "critical 0
spc 709J
tn 12025551000
range 4470000000 1000
tn *67#
spc AB-12"

mkcert jwtcc -extensions v3_jwtcc && {
    check jwtcc jwtcc8226 "critical 0
must-include rcd
must-include crn
permitted attest A
permitted attest B
permitted rcd Télécom ☃"
    # The same bytes are an RFC 9118 value too, but 1.33 is not 1.27.
    check jwtcc jwtcc9118 "error CLID_ERR_EXT_ABSENT"
}

mkcert ejwtcc -extensions v3_ejwtcc &&
    check ejwtcc jwtcc9118 "critical 0
must-include rcd
permitted attest A
permitted attest B
must-exclude div
must-exclude div-o"

mkcert ejwtcc_exclude -extensions v3_ejwtcc_exclude_only &&
    check ejwtcc_exclude jwtcc9118 "critical 0
must-exclude div
must-exclude div-o"

ENTITY_FULL="critical 0
role international-gateway
country 44
country 1
carrier ABC1
plmn 234 15
plmn 310 410
ispc 4242 2-18-2
ispc 16383 7-255-7
operator Télécom Österreich"
mkcert entity -extensions v3_entity && check entity entity "$ENTITY_FULL"

mkcert entity_min -extensions v3_entity_min && check entity_min entity "critical 0
role verifier"

# All four in one certificate next to ordinary extensions.
mkcert all -extensions v3_all && {
    check all tnauth "critical 0
spc 709J
tn 12025551000
range 4470000000 1000
tn *67#
spc AB-12"
    check all jwtcc8226 "critical 0
must-include rcd
must-include crn
permitted attest A
permitted attest B
permitted rcd Télécom ☃"
    check all jwtcc9118 "critical 0
must-include rcd
permitted attest A
permitted attest B
must-exclude div
must-exclude div-o"
    check all entity "$ENTITY_FULL"
}

# --- refusals -----------------------------------------------------------------
mkcert none && {
    check none tnauth "error CLID_ERR_EXT_ABSENT"
    check none jwtcc8226 "error CLID_ERR_EXT_ABSENT"
    check none jwtcc9118 "error CLID_ERR_EXT_ABSENT"
    check none entity "error CLID_ERR_EXT_ABSENT"
}

# The extension twice. openssl req/x509 replace a repeated extension, so
# make the second one under 1.3.6.1.5.5.7.1.99 (same DER length), rename it
# to 1.3.6.1.5.5.7.1.26, and let openssl re-sign the result: a correctly
# signed certificate that OpenSSL itself accepts (deps notes O1).
mkcert dup_pre -addext "1.3.6.1.5.5.7.1.26=DER:30:08:A0:06:16:04:37:30:39:4A" \
    -addext "1.3.6.1.5.5.7.1.99=DER:30:08:A0:06:16:04:37:30:39:4B" -outform DER && {
    # (dup_pre.pem holds DER: -outform DER)
    oid99='\x06\x08\x2b\x06\x01\x05\x05\x07\x01\x63' # DER of 1.3.6.1.5.5.7.1.99
    oid26='\x06\x08\x2b\x06\x01\x05\x05\x07\x01\x1a' # DER of 1.3.6.1.5.5.7.1.26
    perl -0777 -pe "s/$oid99/$oid26/g" dup_pre.pem >dup_patched.der
    if openssl x509 -inform DER -in dup_patched.der -key key.pem -out dup.pem 2>dup.err; then
        n=$(openssl x509 -in dup.pem -noout -text | grep -c '1\.3\.6\.1\.5\.5\.7\.1\.26:')
        [ "$n" -eq 2 ] || fail "dup.pem should carry 1.3.6.1.5.5.7.1.26 twice, has $n"
        check dup tnauth "error CLID_ERR_EXT_DUPLICATE"
        openssl verify -CAfile dup.pem dup.pem >/dev/null 2>&1 &&
            echo "note OpenSSL's own verify accepts dup.pem"
    else
        fail "openssl could not re-sign the duplicate certificate: $(cat dup.err)"
    fi
}

# X.680 extension additions (OpenSSL's encoder): read past, the known part
# kept; as raw DER, an addition that is itself BER is refused.
mkcert tnauth_additions -extensions v3_tnauth_additions && check tnauth_additions tnauth "critical 0
spc 709J
range 4470000000 1000"
mkcert entity_additions -extensions v3_entity_additions &&
    check entity_additions entity "critical 0
role international-gateway
country 44
country 1"
mkcert addition_ber \
    -addext "1.3.6.1.5.5.7.1.26=DER:30:16:A1:14:30:12:16:0A:34:34:37:30:30:30:30:30:30:30:02:01:05:05:81:00" &&
    check addition_ber tnauth "error CLID_ERR_DER_NOT_CANONICAL"

# BER that is not DER: long-form length, indefinite length, constructed
# IA5String (deps notes §1.6). Also the pre-errata IMPLICIT tagging.
mkcert ber_long -addext "1.3.6.1.5.5.7.1.26=DER:30:81:08:A0:06:16:04:37:30:39:4A" &&
    check ber_long tnauth "error CLID_ERR_DER_NOT_CANONICAL"
mkcert ber_indef -addext "1.3.6.1.5.5.7.1.26=DER:30:80:A0:06:16:04:37:30:39:4A:00:00" &&
    check ber_indef tnauth "error CLID_ERR_DER_NOT_CANONICAL"
mkcert ber_cons -addext "1.3.6.1.5.5.7.1.26=DER:30:0C:A0:0A:36:08:16:02:37:30:16:02:39:4A" &&
    check ber_cons tnauth "error CLID_ERR_DER_NOT_CANONICAL"
mkcert implicit -extensions v3_tnauth_implicit &&
    check implicit tnauth "error CLID_ERR_DER_MALFORMED"
mkcert empty -addext "1.3.6.1.5.5.7.1.26=DER:30:00" -addext "1.3.6.1.5.5.7.1.27=DER:30:00" && {
    check empty tnauth "error CLID_ERR_DER_CONSTRAINT"
    check empty jwtcc8226 "error CLID_ERR_DER_CONSTRAINT"
}
mkcert trailing -addext "1.3.6.1.5.5.7.1.26=DER:30:08:A0:06:16:04:37:30:39:4A:00" &&
    check trailing tnauth "error CLID_ERR_DER_TRAILING_DATA"
mkcert role4 -extensions v3_entity_role4 && check role4 entity "error CLID_ERR_BAD_ENTITY"

if [ $failures -ne 0 ]; then
    echo "$failures check(s) failed; files in $work"
    exit 1
fi
echo "all openssl certificate checks passed"
