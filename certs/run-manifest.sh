#!/usr/bin/env bash
# Runs every case of certs/manifest.txt through `clid sign` and `clid verify`
# and compares the verifier's reason with the expected name.
#
#   certs/run-manifest.sh PATH/TO/clid [MANIFEST] [CASE...]
#   certs/run-manifest.sh --openssl [MANIFEST] [CASE...]
#
# Per case (the format is described at the top of manifest.txt):
#   clid sign --key KEY [--cert CHAIN] --x5u URL --orig TN --dest TN... --attest A --at TIME
#   clid verify --identity VALUE --orig TN --dest TN --trust ANCHOR... [--crl FILE]...
#       --x5u-map URL=CHAIN --at TIME --json
# The case passes when the JSON `reason` is the expected name and the exit
# status agrees with it (0 for CLID_OK; 1 TN-Validation-Failed or 2
# No-TN-Validation otherwise). Exit status: 0 all passed, 1 a case failed,
# 64 usage or manifest error, 77 this clid has no sign/verify commands.
#
# --openssl checks the chains alone with `openssl verify` (-x509_strict,
# -attime, -verify_depth 3 like clid's 4 certificates below the anchor,
# -crl_check_all when CRLs are given): cases expecting CLID_OK must pass,
# cases expecting a chain or revocation failure must fail with the matching
# OpenSSL error; cases whose reason only clid checks (TNAuthList, keys,
# SignallingEntity, purpose) are skipped. An independent view of the same
# files, and runnable without `clid sign`.
set -euo pipefail
export OPENSSL_CONF=/dev/null

if [ $# -lt 1 ] || { [ "$1" != --openssl ] && [ ! -x "$1" ]; }; then
    echo "usage: $0 PATH/TO/clid|--openssl [MANIFEST] [CASE...]" >&2
    exit 64
fi
OPENSSL_MODE=0
if [ "$1" = --openssl ]; then
    OPENSSL_MODE=1
else
    CLID=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
fi
MANIFEST=${2:-$(dirname "$0")/manifest.txt}
shift $(($# >= 2 ? 2 : 1))
ONLY=("$@")
if [ "$OPENSSL_MODE" -eq 0 ] &&
    { ! "$CLID" help sign >/dev/null 2>&1 || ! "$CLID" help verify >/dev/null 2>&1; }; then
    echo "SKIP: $CLID has no 'sign'/'verify' commands yet"
    exit 77
fi
if ! command -v jq >/dev/null; then
    echo "$0: needs jq" >&2
    exit 64
fi
BASE=$(cd "$(dirname "$MANIFEST")" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/clid-manifest.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

PASSED=0
FAILED=0
SKIPPED=0
declare -A C

selected() {
    [ ${#ONLY[@]} -eq 0 ] && return 0
    local n
    for n in "${ONLY[@]}"; do [ "$n" = "$1" ] && return 0; done
    return 1
}

bad_case() {
    echo "FAIL $1: $2"
    FAILED=$((FAILED + 1))
}

# run_case: runs the case held in C.
run_case() {
    local name=${C[name]} k f
    selected "$name" || return 0
    for k in chain anchor time orig dest key expect; do
        if [ -z "${C[$k]:-}" ]; then
            echo "$MANIFEST: case $name: no '$k'" >&2
            exit 64
        fi
    done
    local chain=$TMP/$name.chain.pem url=${C[x5u]:-https://certs.clid.test/$name.pem}
    : >"$chain"
    for f in ${C[chain]}; do cat "$BASE/$f" >>"$chain"; done
    if [ "$OPENSSL_MODE" -eq 1 ]; then
        openssl_case "$name" "$chain"
        return 0
    fi
    local sign=(sign --key "$BASE/${C[key]}" --x5u "$url" --orig "${C[orig]}"
        --attest "${C[attest]:-A}" --at "${C[time]}")
    local verify=(verify --orig "${C[orig]}" --x5u-map "$url=$chain" --at "${C[time]}" --json)
    # The PASSporT may name several callees; the request being verified has
    # one, the last listed (so a match beyond the first entry is exercised).
    local last=""
    for f in ${C[dest]}; do
        sign+=(--dest "$f")
        last=$f
    done
    verify+=(--dest "$last")
    for f in ${C[anchor]}; do verify+=(--trust "$BASE/$f"); done
    for f in ${C[crl]:-}; do verify+=(--crl "$BASE/$f"); done
    case ${C[signcert]:-yes} in
        yes) sign+=(--cert "$chain") ;;
        no) ;;
        *)
            echo "$MANIFEST: case $name: signcert must be yes or no" >&2
            exit 64
            ;;
    esac

    local identity rc=0
    if ! identity=$("$CLID" "${sign[@]}" 2>"$TMP/sign.err"); then
        bad_case "$name" "clid sign failed: $(head -c 300 "$TMP/sign.err")"
        return 0
    fi
    "$CLID" "${verify[@]}" --identity "$identity" >"$TMP/verify.json" 2>"$TMP/verify.err" || rc=$?
    local reason verstat sip
    if ! reason=$(jq -r '.reason' "$TMP/verify.json" 2>/dev/null) || [ -z "$reason" ]; then
        bad_case "$name" "clid verify exited $rc without a JSON reason: $(head -c 300 "$TMP/verify.err")"
        return 0
    fi
    verstat=$(jq -r '.verstat' "$TMP/verify.json")
    sip=$(jq -r '.sip_status' "$TMP/verify.json")
    local want=${C[expect]}
    if [ "$reason" != "$want" ]; then
        bad_case "$name" "expected $want, got $reason ($verstat, sip $sip, exit $rc)"
    elif [ "$want" = CLID_OK ] && [ "$rc" -ne 0 ]; then
        bad_case "$name" "CLID_OK but exit $rc"
    elif [ "$want" != CLID_OK ] && [ "$rc" -ne 1 ] && [ "$rc" -ne 2 ]; then
        bad_case "$name" "$want but exit $rc (expected 1 or 2)"
    else
        echo "ok   $name: $reason ($verstat, sip $sip)"
        PASSED=$((PASSED + 1))
    fi
}

# The OpenSSL verify errors (X509_V_ERR_*) that mean the expected reason.
openssl_errors() {
    case $1 in
        CLID_OK) echo OK ;;
        CLID_ERR_CERT_EXPIRED) echo 10 ;;
        CLID_ERR_CERT_NOT_YET_VALID) echo 9 ;;
        CLID_ERR_CERT_REVOKED) echo 23 ;;
        CLID_ERR_CRL_INVALID) echo '3|8|11|12|35' ;;
        CLID_ERR_CERT_UNTRUSTED) echo '2|19|20|21' ;;
        CLID_ERR_CERT_CHAIN_TOO_LONG) echo 22 ;;
        CLID_ERR_CERT_CRITICAL_EXT) echo 34 ;;
        *) echo skip ;;
    esac
}

openssl_case() {
    local name=$1 chain=$2 want f t args=()
    want=$(openssl_errors "${C[expect]}")
    if [ "$want" = skip ]; then
        echo "skip $name: ${C[expect]} is checked by clid only"
        SKIPPED=$((SKIPPED + 1))
        return 0
    fi
    t=${C[time]}
    case $t in *[!0-9]*) t=$(date -u -d "$t" +%s) ;; esac
    : >"$TMP/anchors.pem"
    for f in ${C[anchor]}; do cat "$BASE/$f" >>"$TMP/anchors.pem"; done
    if [ -n "${C[crl]:-}" ]; then
        args+=(-crl_check_all)
        for f in ${C[crl]}; do args+=(-CRLfile "$BASE/$f"); done
    fi
    local got
    if openssl verify -x509_strict -attime "$t" -verify_depth 3 -CAfile "$TMP/anchors.pem" \
        -untrusted "$chain" "${args[@]}" "$chain" >"$TMP/osl.out" 2>&1; then
        got=OK
    else
        got=$(sed -n 's/^error \([0-9]*\) at .*/\1/p' "$TMP/osl.out" | head -1)
    fi
    if [[ "$got" =~ ^($want)$ ]]; then
        echo "ok   $name: openssl ${got} for ${C[expect]}"
        PASSED=$((PASSED + 1))
    else
        bad_case "$name" "expected ${C[expect]} (openssl $want), openssl says: $(head -c 300 "$TMP/osl.out")"
    fi
}

n=0
while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    line=${line%$'\r'}
    case $line in
        '' | '#'*) continue ;;
        '[case '*']')
            [ -n "${C[name]:-}" ] && run_case
            C=()
            C[name]=${line#\[case }
            C[name]=${C[name]%]}
            ;;
        *=*)
            if [ -z "${C[name]:-}" ]; then
                echo "$MANIFEST:$n: key outside a case" >&2
                exit 64
            fi
            k=$(echo "${line%%=*}" | tr -d ' \t')
            v=$(echo "${line#*=}" | sed 's/^[ \t]*//;s/[ \t]*$//')
            C[$k]=$v
            ;;
        *)
            echo "$MANIFEST:$n: cannot parse: $line" >&2
            exit 64
            ;;
    esac
done <"$MANIFEST"
[ -n "${C[name]:-}" ] && run_case

echo "manifest: $PASSED passed, $FAILED failed, $SKIPPED skipped"
if [ $((PASSED + FAILED)) -eq 0 ]; then
    echo "manifest: no case ran" >&2
    exit 64
fi
[ "$FAILED" -eq 0 ]
