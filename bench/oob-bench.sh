#!/usr/bin/env bash
# oob-bench.sh: `clid serve` as a CPS (issue 12) on loopback under wrk:
# publish and retrieve requests per second, against the in-process warm
# verification rate of clid_bench (each CPS request verifies one ES256
# token whose chain is cached: the same work as a warm PASSporT
# verification, plus JSON, HTTP and the store), and the memory store's
# bytes per record (docs/performance.md "CPS").
#
#   bench/oob-bench.sh [--seconds S] [--tokens N] [--connections C]
#                      [--threads N] [--records R] [--build DIR]
#                      [--clid PATH] [--clid-bench PATH] [--oob-tok PATH]
#                      [--store-mem PATH] [--inproc-seconds S]
#
#   --seconds S     each wrk pass, default 10
#   --tokens N      tokens pre-signed per pass (oob_tok; every request has its
#                   own jti), default 60000
#   --connections C wrk's connections, default 16 (wrk threads: 2)
#   --threads N     clid serve's limits.threads, default: the cores
#   --records R     records stored by oob_store_mem for bytes/record, default
#                   200000
#   --build DIR     where tools/clid, bench/clid_bench, bench/oob_store_mem
#                   and tools/tests/oob_tok are, default build/release
#
# Every answer is checked (publish 201, retrieve 200 with passports): any
# wrong answer, socket error or a pass without requests fails the run
# (exit 1); exit 77 without wrk.
set -euo pipefail
SECONDS_PER=10 TOKENS=60000 CONNS=16 THREADS= RECORDS=200000 BUILD=build/release
INPROC_S=2
CLID='' BENCH='' OOB_TOK='' STORE_MEM=''
here=$(cd "$(dirname "$0")" && pwd)
usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2
    exit 64
}
while [ $# -gt 0 ]; do
    case $1 in
        --seconds) SECONDS_PER=${2:?}; shift 2 ;;
        --tokens) TOKENS=${2:?}; shift 2 ;;
        --connections) CONNS=${2:?}; shift 2 ;;
        --threads) THREADS=${2:?}; shift 2 ;;
        --records) RECORDS=${2:?}; shift 2 ;;
        --build) BUILD=${2:?}; shift 2 ;;
        --clid) CLID=${2:?}; shift 2 ;;
        --clid-bench) BENCH=${2:?}; shift 2 ;;
        --oob-tok) OOB_TOK=${2:?}; shift 2 ;;
        --store-mem) STORE_MEM=${2:?}; shift 2 ;;
        --inproc-seconds) INPROC_S=${2:?}; shift 2 ;;
        *) usage ;;
    esac
done
abs() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
CLID=$(abs "${CLID:-$BUILD/tools/clid}")
BENCH=$(abs "${BENCH:-$BUILD/bench/clid_bench}")
OOB_TOK=$(abs "${OOB_TOK:-$BUILD/tools/tests/oob_tok}")
STORE_MEM=$(abs "${STORE_MEM:-$BUILD/bench/oob_store_mem}")
for f in "$CLID" "$BENCH" "$OOB_TOK" "$STORE_MEM"; do
    [ -x "$f" ] || { echo "oob-bench.sh: $f missing (cmake --build DIR --target clid_tool clid_bench oob_tok oob_store_mem)" >&2; exit 66; }
done
command -v wrk >/dev/null || { echo "oob-bench.sh: wrk missing" >&2; exit 77; }
NCPU=$(nproc)
THREADS=${THREADS:-$NCPU}
WRK_T=2
[ "$CONNS" -ge "$WRK_T" ] || CONNS=$WRK_T

TMP=$(mktemp -d "${TMPDIR:-/tmp}/clid-oob-bench.XXXXXX")
SPID=
cleanup() {
    [ -z "$SPID" ] || kill -KILL "$SPID" 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT
cd "$TMP"
BTYPE=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$(dirname "$(dirname "$BENCH")")/CMakeCache.txt" 2>/dev/null || true)
echo "# oob-bench: $(date -u +%Y-%m-%dT%H:%M:%SZ); build ${BTYPE:-?}; $NCPU cpus, not pinned;" \
    "server threads $THREADS; wrk -t$WRK_T -c$CONNS; $TOKENS tokens per pass, at most ${SECONDS_PER}s;" \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"

# --- in-process warm verification ---------------------------------------------------
"$BENCH" --only verify_warm --seconds "$INPROC_S" --rounds 3 >inproc.out 2>inproc.err ||
    { cat inproc.out inproc.err >&2; exit 1; }
IN_VERIFY=$(sed -n 's/^verify_warm ops\/s=\([0-9]*\).*/\1/p' inproc.out)
[ -n "$IN_VERIFY" ] || { cat inproc.out >&2; exit 1; }
echo "# in-process (clid_bench, one core, CPU time): verify_warm $IN_VERIFY/s"

# --- PKI, tokens, server ---------------------------------------------------------------
ORIG=12025550100 DEST=12025550101
"$CLID" ca init ca --name "oob bench" --org "oob bench" >/dev/null
"$CLID" ca issue ca --spc 1001 --out sp >/dev/null
"$CLID" ca issue ca --spc 5678 --out term >/dev/null
TOKEN=oob-bench-token-$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')
printf '%s\n' "$TOKEN" >tokens.txt
jq -n --arg d "$TMP" --argjson t "$THREADS" '{
    listen: [{address: "127.0.0.1", port: 0}],
    limits: {threads: $t, connections: 4096}, log: {level: "warn"},
    auth: {signing_tokens_file: ($d + "/tokens.txt")},
    verify: {trust: [($d + "/ca/root.pem")], crl_policy: "ignore",
             x5u_map: {"https://cert.example/sp.pem": ($d + "/sp.pem"),
                       "https://cert.example/term.pem": ($d + "/term.pem")}},
    sign: {key: ($d + "/sp.key"), cert: ($d + "/sp.pem"), x5u: "https://cert.example/sp.pem"},
    oob: {cps: {aud: "cps.bench", store: "memory", max_records: 10000000}}
}' >serve.json
"$CLID" serve --config serve.json --ready-file ready.json >serve.out 2>serve.err &
SPID=$!
for _ in $(seq 1 600); do
    [ -s ready.json ] && break
    kill -0 "$SPID" 2>/dev/null || { cat serve.err >&2; exit 1; }
    sleep 0.05
done
[ -s ready.json ] || { echo "oob-bench.sh: clid serve not ready" >&2; exit 1; }
BASE=http://127.0.0.1:$(jq -r .port ready.json)
ID=$(curl -s -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" \
    --data-binary "{\"signingRequest\":{\"attest\":\"A\",\"orig\":{\"tn\":\"$ORIG\"},\"dest\":{\"tn\":[\"$DEST\"]},\"origid\":\"123e4567-e89b-42d3-a456-426614174000\"}}" \
    "$BASE/stir/v1/signing" | jq -r .signingResponse.identity)
PP=${ID%%;*}
[ -n "$PP" ] && [ "$PP" != null ] || { echo "oob-bench.sh: no PASSporT to publish" >&2; exit 1; }
tok() { "$OOB_TOK" "$1.key" "$1.pem" "https://cert.example/$1.pem" "$2" cps.bench "$ORIG" "$DEST" "${@:3}"; }

FAILED=0
ROWS=()
srv_ticks() { awk '{print $14 + $15}' "/proc/$SPID/stat"; }
TCK=$(getconf CLK_TCK)
# pass NAME MODE TOKFILE: sets RPS
pass() {
    local name=$1 mode=$2 toks=$3 s0 s1
    s0=$(srv_ticks)
    wrk -t"$WRK_T" -c"$CONNS" -d"${SECONDS_PER}s" -s "$here/oob-bench.lua" "$BASE" -- \
        "$mode" "$toks" "$TMP/pub.json" "/passports/$DEST/$ORIG" "$WRK_T" >"$name.out" 2>"$name.err" || true
    s1=$(srv_ticks)
    kill -0 "$SPID" 2>/dev/null || { cat serve.err >&2; echo "oob-bench.sh: clid serve died" >&2; exit 1; }
    local line
    line=$(grep '^RESULT ' "$name.out" || true)
    [ -n "$line" ] || { echo "oob-bench.sh: $name: no RESULT: $(cat "$name.out" "$name.err")" >&2; exit 1; }
    read -r _ REQ OK WRONG SOCK TMO DUR P50 P99 PMAX <<<"$line"
    if [ "$WRONG" -ne 0 ] || [ "$OK" -eq 0 ] || [ "$SOCK" -ne 0 ]; then
        echo "oob-bench.sh: $name: ok $OK wrong $WRONG socket errors $SOCK: $(head -c 600 "$name.err")" >&2
        FAILED=1
    fi
    RPS=$(awk -v n="$OK" -v d="$DUR" 'BEGIN { printf "%.0f", n / (d / 1e6) }')
    if [ "$OK" -ge $((TOKENS * 99 / 100)) ]; then
        echo "# $name: the $TOKENS tokens ran out before ${SECONDS_PER}s: its req/s is a lower bound (raise --tokens)"
    fi
    local cores
    cores=$(awk -v t=$((s1 - s0)) -v k="$TCK" -v d="$DUR" 'BEGIN { printf "%.2f", t / k / (d / 1e6) }')
    ROWS+=("$(printf '%-9s %8s %7s %8.2f %8.2f %6s %7s' "$name" "$OK" "$RPS" \
        "$(awk -v v="$P50" 'BEGIN{print v/1000}')" "$(awk -v v="$P99" 'BEGIN{print v/1000}')" \
        "$cores" "$(awk -v r="$RPS" -v i="$IN_VERIFY" 'BEGIN { printf "%.2f", r / i }')")")
}

tok sp publish pp="$PP" count="$TOKENS" body="$TMP/pub.json" >pub.tok
pass publish publish pub.tok
tok term retrieve count="$TOKENS" >ret.tok
pass retrieve retrieve ret.tok

echo "pass           ok   req/s  p50 ms   p99 ms  cores  x verify_warm (1 core)"
for r in "${ROWS[@]}"; do echo "$r"; done
kill -TERM "$SPID"; wait "$SPID" || true; SPID=

# --- memory store bytes per record -------------------------------------------------------
PLEN=${#PP}
"$STORE_MEM" "$RECORDS" "$PLEN" >mem.out || { cat mem.out >&2; exit 1; }
echo "memory store: $(cat mem.out) (one $PLEN-byte PASSporT and one jti entry per record)"
exit "$FAILED"
