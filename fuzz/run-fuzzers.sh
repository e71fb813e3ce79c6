#!/bin/sh
# Runs every clid fuzz target for SECONDS each, over a scratch copy of its
# committed seed corpus (the repository corpus is never written to), and
# fails if any target crashes, leaks, times out or runs out of memory.
#
#   fuzz/run-fuzzers.sh BUILD_DIR SECONDS [TARGET...]
#
# BUILD_DIR must be configured with -DCLID_FUZZ=ON (clang + libFuzzer; see
# deps notes §5). TARGETs default to all: tnauth jwtcc entity cert_ext.
# Findings are kept in BUILD_DIR/fuzz/findings/<target>/ (crash-*, leak-*,
# timeout-*, oom-* files), and new corpus entries in
# BUILD_DIR/fuzz/findings/<target>/corpus/ for anyone who wants to promote
# some into fuzz/corpus/ by hand.
set -u

usage() {
    echo "usage: $0 BUILD_DIR SECONDS [TARGET...]" >&2
    exit 2
}

[ $# -ge 2 ] || usage
build=$1
seconds=$2
shift 2
case $seconds in
'' | *[!0-9]*) usage ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
# Every target has a corpus directory of its name.
targets=${*:-$(cd "$here/corpus" && ls)}

# A replay build (no libFuzzer) would treat the options as file names.
if ! grep -q '^CLID_FUZZ:BOOL=ON$' "$build/CMakeCache.txt" 2>/dev/null; then
    echo "$0: $build is not a -DCLID_FUZZ=ON build directory" >&2
    exit 2
fi

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

failed=""
for t in $targets; do
    bin="$build/fuzz/fuzz_$t"
    seeds="$here/corpus/$t"
    if [ ! -x "$bin" ] || [ ! -d "$seeds" ]; then
        echo "$0: no target $t ($bin, $seeds)" >&2
        failed="$failed $t"
        continue
    fi
    out="$build/fuzz/findings/$t"
    rm -rf "$out"
    mkdir -p "$out/corpus"
    cp "$seeds"/* "$out/corpus/"
    echo "== fuzz_$t: $seconds s over $(ls "$out/corpus" | wc -l) seeds"
    # -max_total_time bounds the run; -timeout and -rss_limit_mb turn a hang
    # or a blow-up on one input into a finding. The first corpus directory
    # receives new inputs, hence the copy.
    "$bin" -max_total_time="$seconds" -max_len=4096 -timeout=5 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$out/" "$out/corpus" >"$out/log" 2>&1
    rc=$?
    grep -E '^(#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|stat::new_units_added)' \
        "$out/log"
    if [ $rc -ne 0 ] || ls "$out" | grep -qE '^(crash|leak|timeout|oom|slow-unit)-'; then
        echo "!! fuzz_$t failed (exit $rc); log: $out/log" >&2
        ls "$out" | grep -E '^(crash|leak|timeout|oom)-' | sed "s|^|   $out/|" >&2
        failed="$failed $t"
    fi
done

if [ -n "$failed" ]; then
    echo "FAILED:$failed" >&2
    exit 1
fi
echo "all fuzz targets ran $seconds s without findings"
