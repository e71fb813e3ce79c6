#!/bin/sh
# clid's DER against OpenSSL's ASN.1 encoder and parser.
#
#   asn1parse.sh EXT_TOOL WORKDIR
#
# For each value: clid encodes it (ext_tool encode), OpenSSL's generator
# encodes the same value from openssl-ext.cnf (asn1parse -genconf), and the
# two byte strings must be identical (DER has one encoding per value).
# `openssl asn1parse -inform DER` must parse clid's bytes, and for a few
# values its listing must show exactly the expected tags and contents, so
# the agreement is not an agreement on a wrong structure. Exit 77 (ctest:
# skipped) only when openssl is missing.
set -u

[ $# -eq 2 ] || { echo "usage: $0 EXT_TOOL WORKDIR" >&2; exit 2; }
tool=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
cnf=$here/openssl-ext.cnf

command -v openssl >/dev/null 2>&1 || { echo "SKIP: openssl not found"; exit 77; }

rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 2

failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# "0:d=1  hl=2 l=   6 cons:  cont [ 0 ]" -> "1 cons cont [ 0 ]";
# "d=2 ... prim:   IA5STRING         :709J" -> "2 prim IA5STRING :709J"
listing() {
    openssl asn1parse -inform DER -in "$1" -i |
        sed -E 's/^ *[0-9]+:d=([0-9]+) +hl= *[0-9]+ +l= *[0-9]+ (prim|cons): *(.*)$/\1 \2 \3/' |
        sed -E 's/ +:/ :/; s/ +$//'
}

# same NAME CNF SECTION TYPE [ext_tool encode arguments]: clid's encoding of
# the arguments must equal OpenSSL's encoding of SEQUENCE:SECTION in CNF.
same() {
    name=$1
    conf=$2
    section=$3
    type=$4
    shift 4
    if ! "$tool" encode "$type" "$name.clid.der" "$@" >"$name.err" 2>&1; then
        fail "$name: clid refused to encode: $(cat "$name.err")"
        return 1
    fi
    if ! openssl asn1parse -genconf "$conf" -genstr "SEQUENCE:$section" -noout \
        -out "$name.openssl.der" >"$name.err" 2>&1; then
        fail "$name: openssl could not encode $section: $(cat "$name.err")"
        return 1
    fi
    if ! openssl asn1parse -inform DER -in "$name.clid.der" >/dev/null 2>&1; then
        fail "$name: openssl asn1parse refuses clid's DER"
        return 1
    fi
    if cmp -s "$name.clid.der" "$name.openssl.der"; then
        echo "ok   $name: $(wc -c <"$name.clid.der") bytes, identical to OpenSSL's"
    else
        fail "$name: clid's DER differs from OpenSSL's"
        echo "    clid:    $(od -An -tx1 -v "$name.clid.der" | tr -d '\n')"
        echo "    openssl: $(od -An -tx1 -v "$name.openssl.der" | tr -d '\n')"
        return 1
    fi
}

# shows NAME EXPECTED: openssl's listing of NAME.clid.der
shows() {
    got=$(listing "$1.clid.der")
    if [ "$got" != "$2" ]; then
        fail "$1: unexpected openssl asn1parse listing"
        printf '%s\n' "$2" >want.txt
        printf '%s\n' "$got" >got.txt
        diff -u want.txt got.txt | sed 's/^/    /'
    else
        echo "ok   $1: openssl asn1parse shows the expected structure"
    fi
}

same tnauth "$cnf" tnauth_list tnauth spc=709J tn=12025551000 range=4470000000+1000 \
    'tn=*67#' spc=AB-12 &&
    shows tnauth "0 cons SEQUENCE
1 cons cont [ 0 ]
2 prim IA5STRING :709J
1 cons cont [ 2 ]
2 prim IA5STRING :12025551000
1 cons cont [ 1 ]
2 cons SEQUENCE
3 prim IA5STRING :4470000000
3 prim INTEGER :03E8
1 cons cont [ 2 ]
2 prim IA5STRING :*67#
1 cons cont [ 0 ]
2 prim IA5STRING :AB-12"

same jwtcc8226 "$cnf" jwtcc8226 jwtcc8226 inc=rcd inc=crn perm=attest=A perm=attest=B \
    'perm=rcd=Télécom ☃' &&
    shows jwtcc8226 "0 cons SEQUENCE
1 cons cont [ 0 ]
2 cons SEQUENCE
3 prim IA5STRING :rcd
3 prim IA5STRING :crn
1 cons cont [ 1 ]
2 cons SEQUENCE
3 cons SEQUENCE
4 prim IA5STRING :attest
4 cons SEQUENCE
5 prim UTF8STRING :A
5 prim UTF8STRING :B
3 cons SEQUENCE
4 prim IA5STRING :rcd
4 cons SEQUENCE
5 prim UTF8STRING :Télécom ☃"

same jwtcc9118 "$cnf" jwtcc9118 jwtcc9118 inc=rcd perm=attest=A perm=attest=B exc=div exc=div-o
same jwtcc9118_exclude "$cnf" jwtcc9118_exclude jwtcc9118 exc=div exc=div-o &&
    shows jwtcc9118_exclude "0 cons SEQUENCE
1 cons cont [ 2 ]
2 cons SEQUENCE
3 prim IA5STRING :div
3 prim IA5STRING :div-o"

# IMPLICIT TAGS: primitive [0] [2] [5], constructed [1] [3] [4].
same entity "$cnf" entity entity international cc=44 cc=1 carrier=ABC1 plmn=234-15 \
    plmn=310-410 ispc=4242 ispc=7-255-7 'name=Télécom Österreich' &&
    shows entity "0 cons SEQUENCE
1 prim cont [ 0 ]
1 cons cont [ 1 ]
2 prim IA5STRING :44
2 prim IA5STRING :1
1 prim cont [ 2 ]
1 cons cont [ 3 ]
2 cons SEQUENCE
3 prim IA5STRING :234
3 prim IA5STRING :15
2 cons SEQUENCE
3 prim IA5STRING :310
3 prim IA5STRING :410
1 cons cont [ 4 ]
2 prim INTEGER :1092
2 prim INTEGER :3FFF
1 prim cont [ 5 ]"
same entity_min "$cnf" entity_min entity verifier

# A list long enough for long-form DER lengths (two length octets), with
# its OpenSSL form generated here.
{
    echo "[ long_list ]"
    i=0
    args=""
    while [ $i -lt 40 ]; do
        echo "e$i = EXPLICIT:2C,IA5STRING:1202555$((1000 + i))"
        args="$args tn=1202555$((1000 + i))"
        i=$((i + 1))
    done
    echo "r = EXPLICIT:1C,SEQUENCE:long_range"
    echo "[ long_range ]"
    echo "start = IA5STRING:000000000000000"
    echo "count = INTEGER:1000000000000000"
} >long.cnf
# shellcheck disable=SC2086 # word splitting of $args is intended
same long long.cnf long_list tnauth $args range=000000000000000+1000000000000000

if [ $failures -ne 0 ]; then
    echo "$failures check(s) failed; files in $work"
    exit 1
fi
echo "all openssl asn1parse checks passed"
