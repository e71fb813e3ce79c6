#!/bin/bash
# clid trace's throughput and memory against the library's own rate, in one run
# (issue 11 §6; docs/performance.md "clid trace").
#
#   bench/trace-bench.sh [--build DIR] [--calls N] [--signers M] [--threads T]
#                        [--seconds S] [--keep DIR]
#
# 1. A test PKI with `clid ca` (one CA, M SP certificates: a capture of many
#    signers under one intermediate, as real captures are).
# 2. bench/trace_gen writes a pcap of N signed INVITEs with distinct
#    signatures (and their 200 OKs), signers in turn, capture time = iat.
# 3. clid_bench measures the library's single-core warm verification rate
#    (verify_warm) in the same run.
# 4. `clid trace --threads T` verifies the capture; wall time, CPU time and
#    peak RSS come from the kernel (python3's resource.getrusage of the child).
#    Every call must pass: a run with one failure is an error, not a figure.
# Prints calls/s, the ratio to T x the single-core rate (target >= 0.8) and
# peak RSS. For the memory figure on a multi-gigabyte capture:
#   bench/trace-bench.sh --calls 1700000 --signers 1000      (~2 GB of pcap)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=""
CALLS=100000
SIGNERS=100
THREADS=$(nproc)
SECONDS_BENCH=2
KEEP=""
while [ $# -gt 0 ]; do
    case "$1" in
    --build) BUILD=$2; shift 2 ;;
    --calls) CALLS=$2; shift 2 ;;
    --signers) SIGNERS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --seconds) SECONDS_BENCH=$2; shift 2 ;;
    --keep) KEEP=$2; shift 2 ;;
    *) echo "trace-bench: unknown option $1" >&2; exit 64 ;;
    esac
done
if [ -z "$BUILD" ]; then
    BUILD="$HERE/../build/release"
fi
CLID="$BUILD/tools/clid"
GEN="$BUILD/bench/trace_gen"
BENCH="$BUILD/bench/clid_bench"
for b in "$CLID" "$GEN" "$BENCH"; do
    [ -x "$b" ] || { echo "trace-bench: $b missing (cmake --build $BUILD)" >&2; exit 66; }
done

if [ -n "$KEEP" ]; then
    WORK=$KEEP
    mkdir -p "$WORK"
else
    WORK=$(mktemp -d)
    trap 'rm -rf "$WORK"' EXIT
fi

# 1. PKI. The certificates start now; the calls a minute later.
rm -rf "$WORK/ca" "$WORK/certs"
"$CLID" ca init "$WORK/ca" --name TraceBench >/dev/null
mkdir -p "$WORK/certs"
signers=()
for i in $(seq 1 "$SIGNERS"); do
    spc=$((100000 + i))
    "$CLID" ca issue "$WORK/ca" --out "$WORK/ca/sp$i" --spc "$spc" >/dev/null
    cp "$WORK/ca/sp$i.pem" "$WORK/certs/sp$i.pem"
    signers+=("$WORK/ca/sp$i.key,$WORK/ca/sp$i.pem,https://certs.trace-bench.test/sp$i.pem")
done
start=$(($(date +%s) + 60))

# 2. The capture.
"$GEN" --out "$WORK/calls.pcap" --calls "$CALLS" --start "$start" --rate 1000 \
    "${signers[@]}" >"$WORK/gen.txt"
bytes=$(stat -c %s "$WORK/calls.pcap")

# 3. The library's single-core warm verification rate.
warm=$("$BENCH" --only verify_warm --seconds "$SECONDS_BENCH" --rounds 1 |
    awk '$1 == "verify_warm" { for (i = 2; i <= NF; i++) if ($i ~ /^ops\/s=/) { sub(/ops\/s=/, "", $i); print $i } }')
[ -n "$warm" ] || { echo "trace-bench: no verify_warm figure from clid_bench" >&2; exit 1; }

# 4. clid trace, measured by the kernel.
python3 - "$CLID" "$WORK" "$THREADS" "$CALLS" "$warm" "$bytes" <<'EOF'
import json, resource, subprocess, sys, time
clid, work, threads, calls, warm, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
cmd = [clid, "trace", "--trust", work + "/ca/root.pem", "--cert-dir", work + "/certs",
       "--threads", str(threads), "--no-progress", "--json", work + "/calls.pcap"]
t0 = time.monotonic()
with open(work + "/trace.json", "wb") as out:
    rc = subprocess.run(cmd, stdout=out).returncode
wall = time.monotonic() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
if rc != 0:
    sys.exit("trace-bench: clid trace exited %d" % rc)
s = json.load(open(work + "/trace.json"))["summary"]
if s["calls"] != calls or s["passed"] != calls:
    sys.exit("trace-bench: %d calls, %d passed; expected %d passed: %s" % (s["calls"], s["passed"], calls, s["reasons"]))
rate = calls / wall
cpu = ru.ru_utime + ru.ru_stime
print("capture     %d calls, %.1f MB, %d signers" % (calls, size / 1e6, len(s["signers"])))
print("library     verify_warm %.0f calls/s on one core (clid_bench, same run)" % warm)
print("clid trace  %.0f calls/s wall with %d threads (%.2f s), %.0f calls/s per CPU-second" % (rate, threads, wall, calls / cpu))
print("ratio       %.2f x (threads x single-core warm rate); target >= 0.8" % (rate / (threads * warm)))
print("peak RSS    %.1f MB (target < 200 MB on a 2 GB capture)" % (ru.ru_maxrss / 1024.0))
EOF
