#!/usr/bin/env bash
# clid serve, the bounded load test (issue 10 "Tests that must exist"):
# 20,000 verification requests over keep-alive connections from wrk (not
# clid), one in ten malformed, while slow clients (one byte per second)
# are cut; every answer checked by its content (a valid request passes, a
# malformed one gets a 400 JSON error), no socket error, no crash, and the
# resident set after the run within a bound of the one after a warm-up
# (no leak). Under ASan too (a smaller quarantine, a looser bound).
# usage: serve_load.sh CLID
. "$(dirname "$0")/lib.sh" "$@"
PY=$TESTS_DIR/serve_slow.py
LUA=$TESTS_DIR/serve_load.lua
. "$(dirname "$0")/serve_lib.sh"
if ! command -v wrk >/dev/null; then
    echo "serve_load.sh: wrk missing (scripts/install-deps.sh installs it)" >&2
    exit 77
fi
TOTAL=${SERVE_LOAD_TOTAL:-20000}
serve_pki
serve_config c.json '.limits = {threads: 2, connections: 64, connection_timeout_s: 10, request_timeout_s: 3} | .verify.max_age = 86400'
serve_start l --config c.json
sign_id
printf '%s\n' "$ID" >id.txt

# wrk -t2 -c8: each thread stops after its share of answers. -d bounds a
# stuck run (the test then fails on the counts).
load() {
    local w i
    rm -f "$TMP/$2.done".*
    wrk -t2 -c8 -d600s -s "$LUA" "$BASE" -- "$TMP/id.txt" "$(($1 / 2))" "$TMP/$2.done" \
        >"$2.out" 2>"$2.err" &
    w=$!
    for i in $(seq 1 6000); do
        [ -e "$TMP/$2.done.1" ] && [ -e "$TMP/$2.done.2" ] && break
        kill -0 "$w" 2>/dev/null || break
        sleep 0.1
    done
    kill -INT "$w" 2>/dev/null || true
    wait "$w" || true
    read -r _ OK BAD WRONG SOCK TMO < <(grep '^RESULT ' "$2.out") || true
    ok; [ -n "${OK:-}" ] || { fail "$2: wrk printed no RESULT: $(cat "$2.out" "$2.err")"; return; }
    ok; [ "$WRONG" -eq 0 ] || fail "$2: $WRONG wrong answers: $(head -5 "$2.err")"
    ok; [ "$SOCK" -eq 0 ] && [ "$TMO" -eq 0 ] || fail "$2: $SOCK socket errors, $TMO timeouts"
    ok; [ $((OK + BAD)) -ge "$1" ] || fail "$2: $((OK + BAD)) answers of $1"
    ok; [ "$BAD" -ge $(($1 / 10 - 16)) ] && [ "$BAD" -le $(($1 / 10 + 16)) ] ||
        fail "$2: $BAD malformed answers, expected about $(($1 / 10))"
}

load 2000 warm
RSS0=$(rss "$SPID")
SLOWS=()
for i in 1 2 3 4; do
    python3 "$PY" slow "$PORT" 20 >"slow$i.out" &
    SLOWS+=($!)
done
load "$TOTAL" main
for p in "${SLOWS[@]}"; do wait "$p"; done
for i in 1 2 3 4; do
    ok; grep -Eq '^cut [0-9]+$' "slow$i.out" || fail "slow client $i not cut: $(cat "slow$i.out")"
done
RSS1=$(rss "$SPID")
# Bound: the warm resident set plus 16 MB (64 MB under ASan, whose
# quarantine and shadow memory grow in steps).
BOUND=$((RSS0 + 16384))
[ -n "${SERVE_ASAN:-}" ] || ldd "$CLID" | grep -q asan && BOUND=$((RSS0 + 65536))
ok; [ "$RSS1" -le "$BOUND" ] || fail "RSS grew from $RSS0 kB to $RSS1 kB (bound $BOUND kB)"
echo "serve_load: $TOTAL requests: ok $OK malformed $BAD; RSS $RSS0 -> $RSS1 kB"
get /healthz
expect_http 200 "healthz after the load"
serve_stop l
finish
