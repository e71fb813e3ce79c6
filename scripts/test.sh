#!/usr/bin/env bash
# THE test command: every test clid has, in every configuration CI runs.
#
#   scripts/test.sh            everything (what .ci/run runs)
#   scripts/test.sh --quick    dependencies + gcc build + ctest only
#   scripts/test.sh --no-deps  skip scripts/install-deps.sh
#
# Stages (each in its own build directory under ${CLID_BUILD_ROOT:-build}/):
#   1. scripts/install-deps.sh (a no-op when everything is installed)
#   2. gcc, Debug, test-gcc/: build, then ctest with every label
#   3. valgrind on the unit tests of that build (ctest -T memcheck -L unit):
#      any leak or memory error fails the run
#   4. clang + ASan + UBSan, test-asan/: build, then ctest with every label
#   5. clang + libFuzzer, test-fuzz/: build the fuzz targets only (the
#      stage runs nothing else), replay every seed corpus (ctest -L fuzz),
#      then fuzz/run-fuzzers.sh for a short run per target
# A failing stage does not stop the others; the summary at the end lists every
# step with its time, and the exit status is non-zero if anything failed.
#
# Environment: CLID_BUILD_ROOT (default "build"), CLID_JOBS (default: nproc),
# CLID_FUZZ_SECONDS (default 20, per fuzz target).
set -euo pipefail
exec </dev/null # never wait for a prompt (CI has no stdin)

cd "$(dirname "$0")/.."
BUILD_ROOT=${CLID_BUILD_ROOT:-build}
JOBS=${CLID_JOBS:-$(nproc)}
FUZZ_SECONDS=${CLID_FUZZ_SECONDS:-20}
QUICK=0
DEPS=1

for arg in "$@"; do
    case $arg in
        --quick) QUICK=1 ;;
        --no-deps) DEPS=0 ;;
        -h | --help)
            sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
            exit 0
            ;;
        *)
            echo "test.sh: unknown option '$arg' (see scripts/test.sh --help)" >&2
            exit 64
            ;;
    esac
done

export CTEST_OUTPUT_ON_FAILURE=1
STEPS=()
FAILED=0
T0=$(date +%s)

fmt_time() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# step LABEL COMMAND...: runs COMMAND, records PASS/FAIL and its time.
step() {
    local label=$1 start rc=0
    shift
    echo
    echo "==> $label"
    start=$(date +%s)
    "$@" || rc=$?
    local took=$(($(date +%s) - start))
    if [ "$rc" -eq 0 ]; then
        STEPS+=("PASS  $(fmt_time "$took")  $label")
    else
        STEPS+=("FAIL  $(fmt_time "$took")  $label (exit $rc)")
        FAILED=1
    fi
    return "$rc"
}

skip() {
    STEPS+=("SKIP            $1")
}

configure() { # DIR CC [cmake options...]
    local dir=$1 cc=$2
    shift 2
    cmake -S . -B "$dir" -DCMAKE_C_COMPILER="$cc" "$@"
}

build() { # DIR [cmake --build options...]
    local dir=$1
    shift
    cmake --build "$dir" -j"$JOBS" "$@"
}

run_ctest() { # DIR [ctest options...]
    local dir=$1
    shift
    ctest --test-dir "$dir" --output-on-failure --no-tests=ignore -j"$JOBS" "$@"
}

# ctest -T memcheck fails a test whose valgrind run exits with
# --error-exitcode (definite/indirect leaks, memory errors). It also counts
# defects it parses from the logs; treat any listed defect as a failure too.
memcheck_unit() {
    local dir=$1 log=$1/memcheck-unit.log rc=0
    ctest --test-dir "$dir" -T memcheck -L unit --no-tests=ignore -j"$JOBS" \
        --output-on-failure >"$log" 2>&1 || rc=$?
    cat "$log"
    if [ "$rc" -ne 0 ]; then
        return "$rc"
    fi
    if sed -n '/^Memory checking results:/,$p' "$log" | grep -Eq ' - [0-9]+$'; then
        echo "test.sh: valgrind reported defects (see above)" >&2
        return 1
    fi
    if ! grep -q '^Memory checking results:' "$log"; then
        echo "test.sh: ctest -T memcheck printed no results section" >&2
        return 1
    fi
}

# --- 1. dependencies ---------------------------------------------------------
if [ "$DEPS" -eq 1 ]; then
    step "install-deps" sh scripts/install-deps.sh || true
else
    skip "install-deps (--no-deps)"
fi

# --- 2. gcc Debug + 3. valgrind ------------------------------------------------
GCC=$BUILD_ROOT/test-gcc
if step "gcc Debug: configure" configure "$GCC" gcc -DCMAKE_BUILD_TYPE=Debug &&
    step "gcc Debug: build" build "$GCC"; then
    step "gcc Debug: ctest (all labels)" run_ctest "$GCC" || true
    if [ "$QUICK" -eq 0 ]; then
        step "gcc Debug: valgrind memcheck (label unit)" memcheck_unit "$GCC" || true
    fi
fi

if [ "$QUICK" -eq 0 ]; then
    # --- 4. clang ASan + UBSan ---------------------------------------------------
    ASAN=$BUILD_ROOT/test-asan
    if step "clang ASan+UBSan: configure" configure "$ASAN" clang \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLID_SANITIZE=ON &&
        step "clang ASan+UBSan: build" build "$ASAN"; then
        step "clang ASan+UBSan: ctest (all labels)" run_ctest "$ASAN" || true
    fi

    # --- 5. clang libFuzzer ------------------------------------------------------
    FUZZ=$BUILD_ROOT/test-fuzz
    # Only the fuzz targets: the unit tests, the tool and its tests would be
    # built with libFuzzer instrumentation for nothing (stage 4 runs them).
    if step "clang fuzz: configure" configure "$FUZZ" clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCLID_FUZZ=ON -DCLID_BENCH=OFF -DCLID_INTEROP=OFF -DCLID_TOOLS=OFF &&
        step "clang fuzz: build (fuzz targets)" build "$FUZZ" --target clid_fuzz_targets; then
        step "clang fuzz: replay seed corpora (label fuzz)" run_ctest "$FUZZ" -L fuzz || true
        if [ -f fuzz/run-fuzzers.sh ]; then
            step "clang fuzz: fuzz/run-fuzzers.sh, ${FUZZ_SECONDS}s per target" \
                bash fuzz/run-fuzzers.sh "$FUZZ" "$FUZZ_SECONDS" || true
        else
            skip "fuzz/run-fuzzers.sh (not present)"
        fi
    fi
else
    skip "valgrind, ASan+UBSan and fuzz stages (--quick)"
fi

# --- summary -----------------------------------------------------------------
echo
echo "==> summary ($(fmt_time $(($(date +%s) - T0))) total)"
for s in "${STEPS[@]}"; do
    echo "  $s"
done
if [ "$FAILED" -ne 0 ]; then
    echo "test.sh: FAILED"
    exit 1
fi
echo "test.sh: all passed"
