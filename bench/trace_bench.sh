#!/usr/bin/env bash
# clid trace throughput and memory (issue 11 item 6; docs/performance.md).
#
#   bench/trace_bench.sh BUILD_DIR [CALLS] [DISTINCT]
#
# Generates a capture of CALLS signed INVITEs and their 200 OKs (trace_gen;
# DISTINCT > 0: only that many distinct signatures, repeated with new
# Call-IDs, for multi-gigabyte captures), measures in the same run the
# library's single-core warm verification rate (clid_bench verify_warm) and
# clid trace's calls per second with all cores, and its peak RSS
# (/usr/bin/time). Target: calls/s >= 0.8 x cores x warm rate; RSS < 200 MB.
set -euo pipefail
B=$(cd "${1:?usage: trace_bench.sh BUILD_DIR [CALLS] [DISTINCT]}" && pwd)
CALLS=${2:-100000}
DISTINCT=${3:-0}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/clid-trace-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export OPENSSL_CONF=/dev/null
HERE=$(cd "$(dirname "$0")" && pwd)
sh "$HERE/../interop-tests/stir/make-pki.sh" "$TMP/pki" >/dev/null 2>&1
URL=https://certs.example.test/sp-chain.pem
START=$(($(date +%s) + 60))
CORES=$(nproc)

t0=$(date +%s.%N)
"$B/bench/trace_gen" --key "$TMP/pki/sp.key" --cert "$TMP/pki/sp.pem" --x5u "$URL" \
    --calls "$CALLS" --distinct "$DISTINCT" --start "$START" --out "$TMP/calls.pcap"
t1=$(date +%s.%N)
SIZE=$(stat -c %s "$TMP/calls.pcap")
echo "capture: $CALLS calls ($DISTINCT distinct signatures; 0 = all), $((SIZE / 1000000)) MB, generated in $(echo "$t1 - $t0" | bc) s"

WARM=$("$B/bench/clid_bench" --seconds 2 --rounds 1 --only verify_warm 2>/dev/null |
    sed -n 's/^verify_warm ops\/s=\([0-9.]*\).*/\1/p')
echo "library: verify_warm ${WARM} verifications/s on one core"

AGE=60
[ "$DISTINCT" -gt 0 ] && AGE=$((CALLS + 3600))
/usr/bin/time -v "$B/tools/clid" trace --calls 0 --no-progress --max-age "$AGE" \
    --trust "$TMP/pki/root.pem" --x5u-map "$URL=$TMP/pki/sp-chain.pem" "$TMP/calls.pcap" \
    >"$TMP/summary.txt" 2>"$TMP/time.txt"
cat "$TMP/summary.txt"
RSS=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$TMP/time.txt")
WALL=$(awk '/^run: / { print $2 }' "$TMP/summary.txt")
PASSED=$(awk '/^  passed/ { print $2 }' "$TMP/summary.txt")
RATE=$(echo "$CALLS / $WALL" | bc -l)
CPU=$(awk -F: '/User time|System time/ { s += $2 } END { print s }' "$TMP/time.txt")
echo "clid trace: $CALLS calls in $WALL s = $(printf %.0f "$RATE") calls/s with $CORES cores; passed $PASSED; peak RSS $((RSS / 1024)) MB"
echo "clid trace CPU: $CPU s user+system = $(printf %.0f "$(echo "$CALLS / $CPU" | bc -l)") calls per CPU-second (the machine's load: $(cut -d' ' -f1-3 /proc/loadavg))"
echo "target: >= 0.8 x $CORES x $WARM = $(printf %.0f "$(echo "0.8 * $CORES * $WARM" | bc -l)") calls/s; ratio $(printf %.2f "$(echo "$RATE / ($CORES * $WARM)" | bc -l)") of cores x warm"
# a benchmark of failures is worthless
if [ "$PASSED" != "$CALLS" ]; then
    echo "trace_bench.sh: only $PASSED of $CALLS calls passed" >&2
    exit 1
fi
