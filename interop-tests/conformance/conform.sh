#!/usr/bin/env bash
# The conformance suite's CI tests (ctest label conform):
#
#   conform.sh MODE CLID WORKDIR
#
#   clid      clid's own verifier (in process) passes every case
#   broken    a cmd: verifier that answers TN-Validation-Passed for
#             everything: exactly the cases expecting another verstat fail,
#             the others pass, and the run exits 1
#   hang      a cmd: verifier that never answers: an error verdict per case
#             within --timeout, and the runner returns
#   kamailio  Kamailio + secsipid (interop-tests/conformance/kamailio/)
#             through SIPp: the run completes and matches
#             expect/kamailio-secsipid.json (exit 0); skipped (77) without
#             kamailio, its secsipid module or sipp
#
# The suite: the hand-made fixture (fixture/make-suite.sh, served by
# tools/tests/https_serve.py on a port the kernel picks). Every process this
# script starts is stopped by its PID on exit. WORKDIR is wiped first.
set -euo pipefail
MODE=$1 CLID=$(realpath "$2") WORK=$3
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }

if [ "$MODE" = kamailio ]; then
    for c in kamailio sipp; do
        command -v "$c" >/dev/null || { echo "SKIP: $c not installed"; exit 77; }
    done
    [ -e /usr/lib/x86_64-linux-gnu/kamailio/modules/secsipid.so ] ||
        { echo "SKIP: kamailio-secsipid-modules not installed"; exit 77; }
fi

# A Kamailio left by an earlier run killed with SIGKILL: stop it by its pid file.
[ -e "$WORK/run/kamailio.pid" ] && bash "$ROOT/interop-tests/kamailio/kamailio-ctl.sh" stop "$WORK/run" || true
rm -rf "$WORK"
mkdir -p "$WORK"
WORK=$(realpath "$WORK")
SERVER=
cleanup() {
    local rc=$?
    if [ -n "$SERVER" ]; then
        kill "$SERVER" 2>/dev/null || true
        wait "$SERVER" 2>/dev/null || true
    fi
    if [ -e "$WORK/run/kamailio.pid" ]; then
        bash "$ROOT/interop-tests/kamailio/kamailio-ctl.sh" stop "$WORK/run" || rc=1
    fi
    exit $rc
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# --- the suite ------------------------------------------------------------
SUITE=$WORK/suite
bash "$HERE/fixture/make-suite.sh" tls "$SUITE"
mkfifo "$WORK/ready"
python3 "$ROOT/tools/tests/https_serve.py" "$SUITE/www" "$SUITE/pki/tls.pem" "$SUITE/pki/tls.key" \
    >"$WORK/ready" 2>"$WORK/https.err" &
SERVER=$!
read -r -t 60 word PORT <"$WORK/ready" || true
[ "${word:-}" = READY ] && [ -n "${PORT:-}" ] || fail "https_serve.py did not start: $(cat "$WORK/https.err")"
bash "$HERE/fixture/make-suite.sh" suite "$CLID" "$SUITE" "$PORT"
EXPECT=$HERE/expect/kamailio-secsipid-fixture.json
NCASES=$(jq '.cases | length' "$SUITE/suite.json")

run() { # the runner; its exit status in RC
    RC=0
    "$CLID" conform run --suite "$SUITE" --out "$WORK/out" "$@" >"$WORK/run.out" 2>"$WORK/run.err" || RC=$?
    cat "$WORK/run.out"
}
R=$WORK/out/results.json
total() { jq -r --arg t "$1" --arg v "$2" '.totals[$t][$v]' "$R"; }

case $MODE in
clid)
    run --target clid
    [ "$RC" = 0 ] || fail "clid did not meet the catalogue (exit $RC)"
    [ "$(total clid pass)" = "$NCASES" ] || fail "clid passed $(total clid pass) of $NCASES"
    jq -e '.ok == true' "$R" >/dev/null || fail "results.json: ok is not true"
    echo "ok: clid passes $NCASES/$NCASES"
    ;;
broken)
    printf '#!/bin/sh\necho TN-Validation-Passed\n' >"$WORK/yes.sh"
    chmod +x "$WORK/yes.sh"
    run --target "yes=cmd:$WORK/yes.sh"
    [ "$RC" = 1 ] || fail "a verifier that passes everything: exit $RC, not 1"
    # Exactly the cases that expect another verstat fail; the others pass.
    want=$(for d in "$SUITE"/cases/*/; do
        jq -r 'select(.expect.verstat != "TN-Validation-Passed") | .name' "$d/case.json"
    done | sort)
    got=$(jq -r '.results[] | select(.verdict == "fail") | .case' "$R" | sort)
    [ -n "$want" ] || fail "the suite has no negative case"
    [ "$want" = "$got" ] || fail "failures: expected [$want], reported [$got]"
    npass=$(jq -r '[.results[] | select(.verdict == "pass")] | length' "$R")
    nwant=$(( NCASES - $(printf '%s\n' "$want" | wc -l) ))
    [ "$npass" = "$nwant" ] || fail "passes: expected $nwant, reported $npass"
    jq -e '.ok == false' "$R" >/dev/null || fail "results.json: ok is not false"
    echo "ok: the broken verifier fails exactly $(printf '%s\n' "$want" | wc -l) cases"
    ;;
hang)
    start=$(date +%s)
    run --timeout 1 --target 'hang=cmd:sleep 60; echo'
    took=$(( $(date +%s) - start ))
    [ "$RC" = 1 ] || fail "a hanging verifier: exit $RC, not 1"
    [ "$(total hang error)" = "$NCASES" ] || fail "errors: $(total hang error) of $NCASES"
    jq -e '[.results[].why] | all(test("no answer within 1 s"))' "$R" >/dev/null ||
        fail "the why does not name the timeout"
    # 1 s per case plus start-up; far below the 60 s sleeps it killed.
    [ "$took" -le $(( NCASES * 2 + 10 )) ] || fail "took $took s for $NCASES cases of 1 s"
    echo "ok: a hanging verifier is an error per case, in $took s"
    ;;
kamailio)
    free_udp_port() {
        python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
    }
    K_PORT=$(free_udp_port)
    U_PORT=$(free_udp_port)
    while [ "$U_PORT" = "$K_PORT" ]; do U_PORT=$(free_udp_port); done
    mkdir -p "$WORK/certs"
    echo "the conformance Kamailio reads no file of its own here" >"$WORK/certs/README"
    # Go's TLS (inside libsecsipid) trusts the suite's x5u server through
    # SSL_CERT_FILE; libsecsipid checks the chain against the suite's root.
    SSL_CERT_FILE=$SUITE/pki/tls-ca.pem KAMAILIO_CFG=$HERE/kamailio/kamailio.cfg \
        bash "$ROOT/interop-tests/kamailio/kamailio-ctl.sh" start "$WORK/run" "$WORK/certs" "$K_PORT" \
        -A "UAS_URI=\"sip:127.0.0.1:$U_PORT\"" -A WITH_CERT_VERIFY \
        -A "CERT_CA_OPT=\"CertCAFile=$SUITE/pki/trust.pem\""
    run --target clid --target "kamailio=sip:127.0.0.1:$K_PORT" --sip-uas "$U_PORT" \
        --expect "kamailio=$EXPECT"
    [ "$RC" = 0 ] || fail "Kamailio + secsipid did not match its expectation (exit $RC): $(cat "$WORK/run.err" | tail -5)"
    n=$(jq -r '[.results[] | select(.target == "kamailio")] | length' "$R")
    [ "$n" = "$NCASES" ] || fail "kamailio: $n results for $NCASES cases"
    echo "ok: Kamailio + secsipid matches its expectation ($(total kamailio pass) pass, $(total kamailio known-deviation) known deviations, $(total kamailio skipped) skipped)"
    ;;
*)
    echo "usage: $0 clid|broken|hang|kamailio CLID WORKDIR" >&2
    exit 64
    ;;
esac
