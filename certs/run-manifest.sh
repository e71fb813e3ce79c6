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
# Every case is signed first, then every case verified. With CLID_INPROC
# naming the test runner tools/tests/clid_inproc (ctest sets it), each of
# the two passes is one process running the clid commands in turn, instead
# of one clid process per command: the same commands and outputs, without
# the process start-up (and, in the ASan build, the leak check at exit)
# that made this test slow on a busy machine.
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

# batch SCRIPT DIR: runs each line of SCRIPT (the clid arguments, separated
# by TABs) with standard output and error in DIR/N.out and DIR/N.err and
# "N STATUS" lines in DIR/status: in one clid_inproc process with
# CLID_INPROC, else one clid process per line.
batch() {
    local script=$1 dir=$2 n=0 line rc words
    mkdir -p "$dir"
    if [ -n "${CLID_INPROC:-}" ]; then
        if ! "$CLID_INPROC" "$script" "$dir" 2>"$dir/runner.err"; then
            echo "$0: $CLID_INPROC failed: $(head -c 2000 "$dir/runner.err")" >&2
            exit 1
        fi
        return 0
    fi
    : >"$dir/status"
    while IFS= read -r line; do
        n=$((n + 1))
        IFS=$'\t' read -r -a words <<<"$line"
        rc=0
        "$CLID" "${words[@]}" >"$dir/$n.out" 2>"$dir/$n.err" </dev/null || rc=$?
        echo "$n $rc" >>"$dir/status"
    done <"$script"
}

# tsv WORDS...: one batch line (no word holds a TAB or a newline).
tsv() {
    local IFS=$'\t'
    printf '%s\n' "$*"
}

# add_case: queues the case held in C: its `clid sign` command line in
# $TMP/sign.script, its `clid verify` command line (all but --identity,
# added once signed) in VERIFY[N], its name and expectation in NAMES[N] and
# WANT[N].
NCASES=0
declare -a NAMES WANT VERIFY
add_case() {
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
    for f in ${C[chain]}; do append "$BASE/$f" "$chain"; done
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
    NCASES=$((NCASES + 1))
    NAMES[$NCASES]=$name
    WANT[$NCASES]=${C[expect]}
    VERIFY[$NCASES]=$(tsv "${verify[@]}")
    tsv "${sign[@]}" >>"$TMP/sign.script"
}

# run_cases: signs every queued case, verifies every signed one, and
# compares each verdict with the expectation.
run_cases() {
    local n m=0 rc st sip reason verstat file line
    declare -A CASE_OF
    batch "$TMP/sign.script" "$TMP/sign"
    : >"$TMP/verify.script"
    while read -r n rc _; do
        [ "$n" != 0 ] || continue # clid_inproc's "before the first command" line
        if [ "$rc" -ne 0 ]; then
            bad_case "${NAMES[$n]}" "clid sign failed: $(head -c 300 "$TMP/sign/$n.err")"
            continue
        fi
        local identity
        IFS= read -r identity <"$TMP/sign/$n.out" || true
        m=$((m + 1))
        CASE_OF[$m]=$n
        printf '%s\t--identity\t%s\n' "${VERIFY[$n]}" "$identity" >>"$TMP/verify.script"
    done <"$TMP/sign/status"
    [ "$m" -gt 0 ] || return 0
    batch "$TMP/verify.script" "$TMP/verify"
    declare -A STATUS
    while read -r n rc _; do STATUS[$n]=$rc; done <"$TMP/verify/status"
    # One jq for every verdict: "N reason verstat sip_status" (a file that is
    # not JSON makes jq stop: the cases without a line are reported below).
    for n in $(seq 1 "$m"); do printf '%s\n' "$TMP/verify/$n.out"; done >"$TMP/verify.files"
    xargs -d '\n' jq -r 'input_filename as $f | ($f | sub(".*/"; "") | sub("\\.out$"; "")) + " \(.reason) \(.verstat) \(.sip_status)"' \
        <"$TMP/verify.files" >"$TMP/verdicts" 2>/dev/null || true
    declare -A VERDICT
    while IFS= read -r line; do VERDICT[${line%% *}]=${line#* }; done <"$TMP/verdicts"
    for n in $(seq 1 "$m"); do
        local name=${NAMES[${CASE_OF[$n]}]} want=${WANT[${CASE_OF[$n]}]}
        rc=${STATUS[$n]:-}
        read -r reason verstat sip <<<"${VERDICT[$n]:-}"
        if [ -z "${reason:-}" ] || [ "$reason" = null ]; then
            bad_case "$name" "clid verify exited $rc without a JSON reason: $(head -c 300 "$TMP/verify/$n.err")"
        elif [ "$reason" != "$want" ]; then
            bad_case "$name" "expected $want, got $reason ($verstat, sip $sip, exit $rc)"
        elif [ "$want" = CLID_OK ] && [ "$rc" -ne 0 ]; then
            bad_case "$name" "CLID_OK but exit $rc"
        elif [ "$want" != CLID_OK ] && [ "$rc" -ne 1 ] && [ "$rc" -ne 2 ]; then
            bad_case "$name" "$want but exit $rc (expected 1 or 2)"
        else
            echo "ok   $name: $reason ($verstat, sip $sip)"
            PASSED=$((PASSED + 1))
        fi
    done
}

# append FILE OUT: appends FILE to OUT (without a cat process per file).
append() {
    local lines
    mapfile lines <"$1"
    printf '%s' "${lines[@]}" >>"$2"
}

# epoch TIME: sets T to the Unix seconds of a manifest time (Unix seconds
# or RFC 3339), converting each distinct value once.
declare -A EPOCH
epoch() {
    case $1 in
        *[!0-9]*)
            [ -n "${EPOCH[$1]:-}" ] || EPOCH[$1]=$(date -u -d "$1" +%s)
            T=${EPOCH[$1]}
            ;;
        *) T=$1 ;;
    esac
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
    epoch "${C[time]}"
    t=$T
    : >"$TMP/anchors.pem"
    for f in ${C[anchor]}; do append "$BASE/$f" "$TMP/anchors.pem"; done
    if [ -n "${C[crl]:-}" ]; then
        args+=(-crl_check_all)
        for f in ${C[crl]}; do args+=(-CRLfile "$BASE/$f"); done
    fi
    local got= line
    if openssl verify -x509_strict -attime "$t" -verify_depth 3 -CAfile "$TMP/anchors.pem" \
        -untrusted "$chain" "${args[@]}" "$chain" >"$TMP/osl.out" 2>&1; then
        got=OK
    else
        # The first "error N at ..." line.
        while IFS= read -r line; do
            if [[ $line =~ ^error\ ([0-9]*)\ at\  ]]; then
                got=${BASH_REMATCH[1]}
                break
            fi
        done <"$TMP/osl.out"
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
            [ -n "${C[name]:-}" ] && add_case
            C=()
            C[name]=${line#\[case }
            C[name]=${C[name]%]}
            ;;
        *=*)
            if [ -z "${C[name]:-}" ]; then
                echo "$MANIFEST:$n: key outside a case" >&2
                exit 64
            fi
            # Key without blanks, value without leading/trailing blanks
            # (parameter expansion: no process per line).
            k=${line%%=*}
            k=${k//[$' \t']/}
            v=${line#*=}
            v=${v#"${v%%[!$' \t']*}"}
            v=${v%"${v##*[!$' \t']}"}
            C[$k]=$v
            ;;
        *)
            echo "$MANIFEST:$n: cannot parse: $line" >&2
            exit 64
            ;;
    esac
done <"$MANIFEST"
[ -n "${C[name]:-}" ] && add_case
[ "$OPENSSL_MODE" -eq 1 ] || run_cases

echo "manifest: $PASSED passed, $FAILED failed, $SKIPPED skipped"
if [ $((PASSED + FAILED)) -eq 0 ]; then
    echo "manifest: no case ran" >&2
    exit 64
fi
[ "$FAILED" -eq 0 ]
