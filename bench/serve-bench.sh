#!/usr/bin/env bash
# serve-bench.sh: throughput and latency of `clid serve` on loopback, driven
# by wrk (not clid), against the in-process library rate of clid_bench
# measured in the same run (issue 10 item 6; docs/performance.md "clid serve").
#
#   bench/serve-bench.sh [--seconds S] [--threads N] [--connections C]
#                        [--wrk-threads T] [--pin] [--log LEVEL]
#                        [--inproc-seconds S] [--build DIR]
#                        [--clid PATH] [--clid-bench PATH] [--perf DIR]
#                        [--nice N]
#
#   --seconds S         each wrk pass (sign, verify, verify paced), default 10
#   --threads N         clid serve's thread pool (limits.threads), default:
#                       the cores the server may use
#   --connections C     wrk's connections, default 16
#   --wrk-threads T     wrk's threads, default: the cores wrk may use, at
#                       most 2 unpinned
#   --pin               the server on the last cores, wrk on the first
#                       (a quarter of them, at least one): on 2 cores, one
#                       each; clid_bench is pinned to the server's first core
#   --log LEVEL         log.level of the server, default warn (info writes
#                       one line per request)
#   --inproc-seconds S  clid_bench --seconds (3 rounds), default 2
#   --build DIR         where tools/clid and bench/clid_bench are, default
#                       build/release (a Release build: the figures of any
#                       other mean little; it says so)
#   --clid, --clid-bench the two programs, instead of DIR/tools/clid and
#                       DIR/bench/clid_bench (ctest bench_serve_smoke)
#   --nice N            run the server and wrk each in a session of its own
#                       (setsid) whose autogroup has nice N (negative: ahead
#                       of the other sessions' processes; needs root). With
#                       sched_autogroup on, a process's own nice only counts
#                       within its session; this measures the service rather
#                       than its neighbours on a shared machine. The header
#                       says so
#   --perf DIR          perf record -g (cpu-clock, the server's process) during
#                       each pass, into DIR/NAME.data, and print where the
#                       server's CPU went in the verify pass (by shared
#                       object, then the top symbols)
#
# Steps: a PKI made with `clid ca` (root -> intermediate (STI-CA) -> SP leaf
# with a TNAuthList, and the STI-PA CRL), clid_bench --only sign,verify_warm
# before the server starts (so they do not compete), clid serve on a
# kernel-picked loopback port (ready file), then three wrk passes:
#   sign     POST /stir/v1/signing as fast as wrk can; the first 1000
#            Identity values (distinct: ECDSA is randomized) are kept;
#   verify   POST /stir/v1/verification over that pool, as fast as wrk can;
#            the x5u resolves offline (verify.x5u_map), the chain is cached;
#   paced    the same at half the verify pass's rate (serve-paced.lua:
#            wrk's delay() hook, evenly spaced slots; Debian's wrk is not
#            wrk2), for the p99 target.
# Every answer is checked by the Lua scripts (200 and an Identity; 200 and
# TN-Validation-Passed): any wrong answer, socket error or timeout, or a pass
# without a request, makes the run fail (exit 1). Targets not met do not.
#
# CPU: the server's CPU time (/proc/PID/stat), wrk's (bash's `times`: the CPU
# time of reaped children; wrk is the only one reaped during a pass) and the
# machine's (/proc/stat) are taken around each pass, so the table says how
# many cores each used and what the rest of the machine took.
# ratio/core = service rate / (in-process rate x cores given to the server);
# ratio/cpu  = service rate / (in-process rate x cores the server actually
#              used, by its CPU time), i.e. its requests per CPU-second over
#              the library's operations per CPU-second.
set -euo pipefail

SECONDS_PER=10
THREADS=
CONNS=16
WRK_T=
PIN=0
LOG=warn
INPROC_S=2
BUILD=build/release
POOL=1000
CLID='' BENCH='' PERF='' NICE=''
here=$(cd "$(dirname "$0")" && pwd)

usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2
    exit 64
}
posint() { [[ $2 =~ ^[1-9][0-9]*$ ]] || { echo "serve-bench.sh: $1 wants a positive integer" >&2; exit 64; }; }
posnum() { [[ $2 =~ ^[0-9]*\.?[0-9]+$ ]] || { echo "serve-bench.sh: $1 wants a positive number" >&2; exit 64; }; }
while [ $# -gt 0 ]; do
    case $1 in
        --seconds) posint "$1" "${2:-}"; SECONDS_PER=$2; shift 2 ;;
        --threads) posint "$1" "${2:-}"; THREADS=$2; shift 2 ;;
        --connections) posint "$1" "${2:-}"; CONNS=$2; shift 2 ;;
        --wrk-threads) posint "$1" "${2:-}"; WRK_T=$2; shift 2 ;;
        --pin) PIN=1; shift ;;
        --log) LOG=${2:-}; shift 2 ;;
        --inproc-seconds) posnum "$1" "${2:-}"; INPROC_S=$2; shift 2 ;;
        --build) BUILD=${2:-}; shift 2 ;;
        --clid) CLID=${2:-}; shift 2 ;;
        --clid-bench) BENCH=${2:-}; shift 2 ;;
        --nice) [[ ${2:-} =~ ^-?[0-9]+$ ]] || usage; NICE=$2; shift 2 ;;
        --perf) PERF=${2:-}; mkdir -p "$PERF"; PERF=$(cd "$PERF" && pwd); shift 2 ;;
        *) usage ;;
    esac
done
case $LOG in error | warn | info | debug) ;; *) usage ;; esac
CLID=${CLID:-$BUILD/tools/clid}
BENCH=${BENCH:-$BUILD/bench/clid_bench}
CLID=$(cd "$(dirname "$CLID")" && pwd)/$(basename "$CLID")
BENCH=$(cd "$(dirname "$BENCH")" && pwd)/$(basename "$BENCH")
BUILD=$(dirname "$(dirname "$BENCH")")
for f in "$CLID" "$BENCH"; do
    [ -x "$f" ] || { echo "serve-bench.sh: $f missing (cmake --build $BUILD --target clid_tool clid_bench)" >&2; exit 66; }
done
if ! command -v wrk >/dev/null; then
    echo "serve-bench.sh: wrk missing (scripts/install-deps.sh installs it)" >&2
    exit 77
fi
BTYPE=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD/CMakeCache.txt" 2>/dev/null || true)
[ "$BTYPE" = Release ] || echo "serve-bench.sh: warning: $BUILD is a '${BTYPE:-unknown}' build, not Release: the figures mean little" >&2

# --- CPUs ---------------------------------------------------------------------
mapfile -t CPUS < <(taskset -pc $$ | sed 's/.*: //' | tr ',' '\n' |
    awk -F- '{ if (NF == 2) for (i = $1; i <= $2; i++) print i; else print $1 }')
NCPU=${#CPUS[@]}
SRV_PIN=() WRK_PIN=()
if [ "$PIN" -eq 1 ] && [ "$NCPU" -ge 2 ]; then
    NW=$((NCPU / 4)); [ "$NW" -ge 1 ] || NW=1
    WRK_CPUS=$(IFS=,; echo "${CPUS[*]:0:$NW}")
    SRV_CPUS=$(IFS=,; echo "${CPUS[*]:$NW}")
    SRV_PIN=(taskset -c "$SRV_CPUS") WRK_PIN=(taskset -c "$WRK_CPUS")
    SRV_CORES=$((NCPU - NW)) WRK_CORES=$NW
    BENCH_CPU=${CPUS[$NW]}
    LAYOUT="server on cpu $SRV_CPUS, wrk on cpu $WRK_CPUS"
else
    [ "$PIN" -eq 0 ] || echo "serve-bench.sh: warning: one CPU only, --pin ignored" >&2
    SRV_CORES=$NCPU WRK_CORES=$NCPU
    BENCH_CPU=${CPUS[0]}
    LAYOUT="not pinned: server and wrk share all $NCPU cpus"
fi
THREADS=${THREADS:-$SRV_CORES}
if [ -n "$NICE" ]; then
    # not a process group leader (no job control here): setsid execs in place,
    # so $! is the program's pid
    SRV_PIN=(setsid "${SRV_PIN[@]}") WRK_PIN=(setsid "${WRK_PIN[@]}")
    LAYOUT="$LAYOUT; server and wrk in sessions of their own, autogroup nice $NICE"
fi
# renice PID: the autogroup of PID's session to --nice
# (once setsid has made PID a session leader: before, its autogroup is still
# this script's)
renice_group() {
    local i
    [ -n "$NICE" ] || return 0
    for i in $(seq 1 500); do
        [ "$(awk '{print $6}' "/proc/$1/stat" 2>/dev/null)" = "$1" ] && break
        sleep 0.01
    done
    [ "$(awk '{print $6}' "/proc/$1/stat" 2>/dev/null)" = "$1" ] && echo "$NICE" >"/proc/$1/autogroup" ||
        { echo "serve-bench.sh: cannot set the autogroup nice of $1" >&2; exit 1; }
}
if [ -z "$WRK_T" ]; then
    WRK_T=$WRK_CORES
    [ "$PIN" -eq 1 ] || [ "$WRK_T" -le 2 ] || WRK_T=2
fi
[ "$CONNS" -ge "$WRK_T" ] || CONNS=$WRK_T
# cores the server can use: its threads, at most the cpus it may run on
ALLOT=$((THREADS < SRV_CORES ? THREADS : SRV_CORES))
TCK=$(getconf CLK_TCK)

TMP=$(mktemp -d "${TMPDIR:-/tmp}/clid-serve-bench.XXXXXX")
SPID=
cleanup() {
    [ -z "$SPID" ] || kill -KILL "$SPID" 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT
cd "$TMP"

echo "# serve-bench: $(date -u +%Y-%m-%dT%H:%M:%SZ); $("$CLID" --version 2>/dev/null | head -1); build $BUILD (${BTYPE:-?})"
echo "# $NCPU cpus ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)); $LAYOUT;" \
    "server threads $THREADS, log $LOG; wrk -t$WRK_T -c$CONNS, ${SECONDS_PER}s per pass;" \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"

# --- in-process rate ------------------------------------------------------------
"$BENCH" --only sign,verify_warm --seconds "$INPROC_S" --rounds 3 --cpu "$BENCH_CPU" >inproc.out 2>inproc.err ||
    { cat inproc.out inproc.err >&2; echo "serve-bench.sh: clid_bench failed" >&2; exit 1; }
IN_SIGN=$(sed -n 's/^sign ops\/s=\([0-9]*\).*/\1/p' inproc.out)
IN_VERIFY=$(sed -n 's/^verify_warm ops\/s=\([0-9]*\).*/\1/p' inproc.out)
[ -n "$IN_SIGN" ] && [ -n "$IN_VERIFY" ] || { cat inproc.out >&2; exit 1; }
echo "# in-process (clid_bench, cpu $BENCH_CPU, CPU time): sign $IN_SIGN/s, verify_warm $IN_VERIFY/s"

# --- PKI and server ----------------------------------------------------------------
"$CLID" ca init ca --name "serve bench" --org "serve bench" >/dev/null
"$CLID" ca issue ca --spc 1234 --out sp >/dev/null
TOKEN=serve-bench-token-$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')
printf '%s\n' "$TOKEN" >tokens.txt
X5U=https://cert.example.net/sp1234.pem
jq -n --arg d "$TMP" --arg x5u "$X5U" --argjson t "$THREADS" --arg log "$LOG" '{
    listen: [{address: "127.0.0.1", port: 0}],
    limits: {threads: $t, connections: 4096},
    log: {level: $log},
    auth: {signing_tokens_file: ($d + "/tokens.txt")},
    verify: {trust: [($d + "/ca/root.pem")], crl_policy: "if-present",
             crl: [($d + "/ca/sti-pa-crl.pem")], crl_signer: [($d + "/ca/crl-signer.pem")],
             max_age: 86400, x5u_map: {($x5u): ($d + "/sp.pem")}},
    sign: {key: ($d + "/sp.key"), cert: ($d + "/sp.pem"), x5u: $x5u}
}' >serve.json
"${SRV_PIN[@]}" "$CLID" serve --config serve.json --ready-file ready.json >serve.out 2>serve.err &
SPID=$!
renice_group "$SPID"
for _ in $(seq 1 600); do
    [ -s ready.json ] && break
    kill -0 "$SPID" 2>/dev/null || { cat serve.err >&2; echo "serve-bench.sh: clid serve exited" >&2; exit 1; }
    sleep 0.05
done
[ -s ready.json ] || { echo "serve-bench.sh: clid serve not ready after 30 s" >&2; exit 1; }
BASE=http://127.0.0.1:$(jq -r .port ready.json)

# --- passes ------------------------------------------------------------------------
srv_ticks() { awk '{print $14 + $15}' "/proc/$SPID/stat"; }
# user + system CPU seconds of the reaped children of this shell (times runs
# in this shell, not in a subshell, which would have children of its own)
children_cpu() {
    times >"$TMP/times"
    awk 'NR == 2 {
        n = split($0, f, " "); s = 0
        for (i = 1; i <= n; i++) { split(f[i], p, "m"); s += p[1] * 60 + p[2] }
        print s }' "$TMP/times"
}
# the server's threads: nanoseconds spent runnable but waiting for a CPU
srv_wait() { cat /proc/"$SPID"/task/*/schedstat 2>/dev/null | awk '{ s += $2 } END { printf "%.0f\n", s }'; }
# machine: busy and total ticks of all cpus
sys_ticks() { awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
FAILED=0
ROWS=()
# pass NAME SCRIPT ARGS...: one wrk run; sets RPS P50 P99 (ms) SRV WRK OTHER (cores)
pass() {
    local name=$1 script=$2 s0 s1 q0 q1 b0 t0 b1 t1 c0 c1
    shift 2
    local ppid=
    if [ -n "$PERF" ]; then
        perf record -q -g -e cpu-clock -F 4999 -p "$SPID" -o "$PERF/$name.data" >"$PERF/$name.log" 2>&1 &
        ppid=$!
        sleep 0.5 # perf attaches to every thread before the pass starts
    fi
    s0=$(srv_ticks); q0=$(srv_wait); read -r b0 t0 < <(sys_ticks)
    children_cpu >"$TMP/c0"
    "${WRK_PIN[@]}" wrk -t"$WRK_T" -c"$CONNS" -d"${SECONDS_PER}s" \
        -s "$here/$script" "$BASE" -- "$@" >"$name.out" 2>"$name.err" &
    local wpid=$!
    renice_group "$wpid"
    wait "$wpid" || true
    s1=$(srv_ticks); q1=$(srv_wait); read -r b1 t1 < <(sys_ticks)
    if [ -n "$ppid" ]; then
        kill -INT "$ppid"
        wait "$ppid" || true
    fi
    kill -0 "$SPID" 2>/dev/null || { cat serve.err >&2; echo "serve-bench.sh: clid serve died in $name" >&2; exit 1; }
    local line
    line=$(grep '^RESULT ' "$name.out" || true)
    if [ -z "$line" ]; then
        echo "serve-bench.sh: $name: wrk printed no RESULT: $(cat "$name.out" "$name.err")" >&2
        exit 1
    fi
    read -r _ REQ OK WRONG SOCK TMO DUR P50 P99 PMAX <<<"$line"
    if [ "$WRONG" -ne 0 ] || [ "$SOCK" -ne 0 ] || [ "$TMO" -ne 0 ] || [ "$OK" -eq 0 ]; then
        echo "serve-bench.sh: $name: $OK right, $WRONG wrong answers, $SOCK socket errors, $TMO timeouts: $(head -3 "$name.err")" >&2
        FAILED=1
    fi
    children_cpu >"$TMP/c1"
    c0=$(cat "$TMP/c0") c1=$(cat "$TMP/c1")
    # shellcheck disable=SC2046
    set -- $(awk -v r="$REQ" -v d="$DUR" -v p50="$P50" -v p99="$P99" -v m="$PMAX" \
        -v sd=$((s1 - s0)) -v bd=$((b1 - b0)) -v td=$((t1 - t0)) -v tck="$TCK" -v n="$NCPU" \
        -v wc="$(awk -v a="$c0" -v b="$c1" 'BEGIN { print b - a }')" -v qd="$(awk -v a="$q0" -v b="$q1" 'BEGIN { printf "%.0f", b - a }')" 'BEGIN {
            w = d / 1e6; srv = sd / tck / w; wrk = wc / w
            other = bd / td * n - srv - wrk; if (other < 0) other = 0
            printf "%.0f %.3f %.3f %.3f %.2f %.2f %.2f %.2f\n", r / w, p50 / 1000, p99 / 1000, m / 1000,
                srv, wrk, other, qd / 1e9 / w }')
    RPS=$1 P50=$2 P99=$3 PMAX=$4 SRV=$5 WRK=$6 OTHER=$7 WAIT=$8
}
row() { # NAME INPROC
    local rc ru us uin
    rc=$(awk -v r="$RPS" -v i="$2" -v c="$ALLOT" 'BEGIN { printf "%.2f", r / (i * c) }')
    ru=$(awk -v r="$RPS" -v i="$2" -v c="$SRV" 'BEGIN { printf "%.2f", (c > 0 ? r / (i * c) : 0) }')
    us=$(awk -v r="$RPS" -v c="$SRV" 'BEGIN { printf "%.1f", c * 1e6 / r }')
    uin=$(awk -v i="$2" 'BEGIN { printf "%.1f", 1e6 / i }')
    ROWS+=("$(printf '%-13s %8s %8s %8s %8s %7s %7s %7s %8s %8s %9s %9s %6s %6s' "$1" "$RPS" "$P50" "$P99" "$PMAX" \
        "$SRV" "$WRK" "$OTHER" "$WAIT" "$us" "$uin" "$2" "$rc" "$ru")")
    RATIO_CORE=$rc RATIO_CPU=$ru
}

pass sign serve-sign.lua "$TOKEN" "$TMP/pool" $(((POOL + WRK_T - 1) / WRK_T))
row sign "$IN_SIGN"
cat pool.* >pool.txt 2>/dev/null || true
NPOOL=$(sort -u pool.txt | wc -l) # distinct values (each line is one answer)
[ "$NPOOL" -gt 0 ] || { echo "serve-bench.sh: the signing pass kept no Identity" >&2; exit 1; }
pass verify serve-verify.lua "$TMP/pool.txt"
row verify "$IN_VERIFY"
V_RPS=$RPS V_CORE=$RATIO_CORE V_CPU=$RATIO_CPU
HALF=$((V_RPS / 2))
[ "$HALF" -ge 1 ] || HALF=1
pass paced serve-paced.lua "$TMP/pool.txt" "$HALF" "$WRK_T"
row "verify@$HALF" "$IN_VERIFY"
H_RPS=$RPS H_P99=$P99

echo "# identity pool: $NPOOL distinct values; latency: wrk's, from send to answer, ms"
echo "# cores: CPU time / wall time of the server, wrk and everything else on the machine;"
echo "# srv_wait: time the server's threads were runnable but waiting for a CPU, per second (schedstat);"
echo "# srv_us/r: the server's CPU time per request; lib_us/op: clid_bench's CPU time per operation"
printf '%-13s %8s %8s %8s %8s %7s %7s %7s %8s %8s %9s %9s %6s %6s\n' pass req/s p50 p99 max server wrk other \
    srv_wait \
    srv_us/r lib_us/op in-proc/s r/core r/cpu
printf '%s\n' "${ROWS[@]}"
awk -v c="$V_CORE" -v u="$V_CPU" -v a="$ALLOT" -v h="$H_RPS" -v t="$HALF" -v p="$H_P99" 'BEGIN {
    printf "target verify >= 0.60 x in-process per core: %.2f per core given (%d), %.2f per core used: %s\n",
        c, a, u, (c >= 0.6 ? "met" : (u >= 0.6 ? "met per core used, not per core given" : "NOT met"))
    printf "target p99 < 5 ms at half the max rate (%d req/s asked, %d achieved): p99 %.3f ms: %s\n",
        t, h, p, (p < 5 && h >= 0.9 * t ? "met" : "NOT met") }'
if [ -n "$PERF" ]; then
    echo "# perf: where the server's CPU went in the verify pass ($PERF/verify.data)"
    perf report -i "$PERF/verify.data" --stdio --no-children -g none --sort dso 2>/dev/null |
        grep -E '^ +[0-9]' | head -12 || true
    perf report -i "$PERF/verify.data" --stdio --no-children -g none --sort dso,sym 2>/dev/null |
        grep -E '^ +[0-9]' | head -30 || true
fi
if [ "$FAILED" -ne 0 ]; then
    echo "serve-bench.sh: FAILED: wrong answers or errors (above)" >&2
    exit 1
fi
kill -TERM "$SPID"
wait "$SPID" || { echo "serve-bench.sh: clid serve exited $?" >&2; exit 1; }
SPID=
