# Shared helpers for the clid tool tests (sourced, not run).
#   usage in a test:  . "$(dirname "$0")/lib.sh" "$@"   (first argument: the clid binary)
# Every check is counted; a test keeps going after a failed check so one run
# shows every problem, and `finish` exits non-zero if any check failed.
set -euo pipefail

if [ $# -lt 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 PATH/TO/clid" >&2
    exit 2
fi
CLID=$1
TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/clid-tool-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
CHECKS=0
FAILS=0
RC=0
# The OpenSSL CLI must not read a user's or the system's config by accident.
export OPENSSL_CONF=/dev/null

fail() {
    FAILS=$((FAILS + 1))
    echo "FAIL: $*" >&2
}

ok() {
    CHECKS=$((CHECKS + 1))
}

# check DESCRIPTION COMMAND...: passes when COMMAND succeeds.
check() {
    local what=$1
    shift
    ok
    if ! "$@"; then
        fail "$what"
    fi
}

# run ARGS...: runs clid; stdout in $TMP/out, stderr in $TMP/err, status in $RC.
run() {
    LAST_ARGS="$*"
    set +e
    "$CLID" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
    RC=$?
    set -e
}

expect_rc() {
    ok
    if [ "$RC" -ne "$1" ]; then
        fail "clid ${LAST_ARGS:-} exited $RC, expected $1; stderr: $(head -c 500 "$TMP/err")"
    fi
}

# expect_error STATUS REGEX ARGS...: clid fails with STATUS, prints nothing on
# stdout and exactly one stderr line matching the extended regex.
expect_error() {
    local status=$1 regex=$2
    shift 2
    LAST_ARGS="$*"
    run "$@"
    expect_rc "$status"
    ok
    if [ -s "$TMP/out" ]; then
        fail "clid $*: expected no stdout, got: $(head -c 300 "$TMP/out")"
    fi
    ok
    local lines
    lines=$(wc -l <"$TMP/err")
    if [ "$lines" -ne 1 ]; then
        fail "clid $*: expected one stderr line, got $lines: $(head -c 500 "$TMP/err")"
    fi
    ok
    if ! grep -Eq -- "$regex" "$TMP/err"; then
        fail "clid $*: stderr '$(cat "$TMP/err")' does not match /$regex/"
    fi
}

# expect_ok ARGS...: clid succeeds; stdout stays in $TMP/out.
expect_ok() {
    LAST_ARGS="$*"
    run "$@"
    expect_rc 0
}

# jq_is FILTER EXPECTED: the JSON in $TMP/out gives EXPECTED (compact jq output).
jq_is() {
    local got
    ok
    if ! got=$(jq -c "$1" "$TMP/out" 2>&1); then
        fail "jq '$1' failed: $got"
        return
    fi
    if [ "$got" != "$2" ]; then
        fail "jq '$1': got $got, expected $2"
    fi
}

# out_has LINE: stdout has exactly this line.
out_has() {
    ok
    if ! grep -Fxq -- "$1" "$TMP/out"; then
        fail "clid ${LAST_ARGS:-}: stdout lacks line '$1'"
    fi
}

# selfsigned OUT.pem SUBJECT [openssl req options...]: a P-256 self-signed certificate.
selfsigned() {
    local out=$1 subj=$2
    shift 2
    [ -f "$TMP/k.pem" ] ||
        openssl ecparam -name prime256v1 -genkey -noout -out "$TMP/k.pem" 2>/dev/null
    openssl req -new -x509 -key "$TMP/k.pem" -subj "$subj" -days 30 "$@" -out "$out" \
        2>"$TMP/openssl.err" ||
        { cat "$TMP/openssl.err" >&2; fail "openssl req failed for $out"; return 1; }
}

finish() {
    if [ "$FAILS" -ne 0 ]; then
        echo "$(basename "$0"): $FAILS of $CHECKS checks failed" >&2
        exit 1
    fi
    echo "$(basename "$0"): all $CHECKS checks passed"
}
