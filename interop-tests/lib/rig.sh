# shellcheck shell=bash
# The rig shared by the interop drivers that run Kamailio (kamailio/,
# serve-kamailio/, oob-kamailio/, isup-kamailio/): checks and their
# counters, processes started by the driver and stopped by PID, the work
# directory, kernel-picked UDP ports and polls for readiness (never a sleep
# as synchronisation). Sourced, after `set -euo pipefail`:
#
#   . "$HERE/../lib/rig.sh"
#
# --- checks -------------------------------------------------------------------
#   pass MSG               counts a check, prints "ok   MSG"
#   fail MSG               counts a failed check, prints "FAIL MSG"
#   expect NAME WANT GOT [DETAIL]
#                          pass when WANT = GOT, else fail and print DETAIL
#                          (e.g. the command's output) indented under it
#   fatal MSG              fail, then exit 1: a step the rest depends on failed
#   rig_summary            "--- N checks, M failed, S s"; returns 1 if any failed
#   Variables: CHECKS, FAILS (counters), T0 (start time, s), set here.
#
# --- what is needed -------------------------------------------------------------
#   rig_skip MSG           exit 77 (ctest: skipped) -- or, when RIG_CI_STRICT=1
#                          and CI=true, exit 1: in CI a missing peer is a failure
#   rig_need_tools TOOL... exit 1 naming the first TOOL not on PATH
#   rig_find_modules MOD...
#                          sets MPATH (with a trailing /) to the first Kamailio
#                          module directory holding every MOD.so; 1 if none
#
# --- the work directory -----------------------------------------------------------
#   rig_workdir DIR MARKER [PRE_WIPE_CMD...]
#                          creates DIR, sets WORK to its absolute path, refuses
#                          (exit 1) a non-empty DIR without the file MARKER
#                          (not an earlier run's), runs PRE_WIPE_CMD (e.g. stop
#                          a Kamailio an earlier, SIGKILLed run left), empties
#                          it and leaves MARKER in it
#
# --- processes ---------------------------------------------------------------------
#   rig_track PID          stop PID in the cleanup (RIG_PIDS, stopped newest first)
#   rig_wait PID           wait for PID (its exit status), no longer tracked
#   rig_untrack PID        no longer tracked (reaped: its number may be reused)
#   running PID            alive and not a zombie
#   stop_pid PID [SIGNAL]  SIGCONT (it may be stopped), SIGNAL (TERM), SIGKILL
#                          after 10 s, reaps it, no longer tracked; no-op for an
#                          empty PID
#   rig_traps              EXIT runs rig_cleanup; TERM/INT: "FAIL interrupted",
#                          exit 1 (and so the cleanup)
#   rig_watchdog SECONDS   a tracked background process that TERMs this script
#                          after SECONDS, well before ctest's TIMEOUT, so that
#                          the cleanup still runs
#   rig_cleanup            (the EXIT trap) with the exit status rc:
#                          1. rig_hook_report RC, if the driver defines it, when
#                             rc != 0 (e.g. the last lines of Kamailio's log);
#                          2. rig_hook_stop, if defined (e.g. kamailio-ctl.sh
#                             stop); it may set RIG_RC=1 to fail the run;
#                          3. stops every tracked PID, then runs rig_hook_done,
#                             if defined (e.g. remove a temporary directory);
#                          4. if RIG_LEFTOVER_PATTERN is set, waits up to 5 s
#                             for processes whose command line matches it
#                             (pgrep -f, ERE: e.g. Kamailio's children, which
#                             end with their main process) and fails the run if
#                             any is left -- never kills by name;
#                          5. removes WORK when the run passed and
#                             RIG_RM_WORK_ON_PASS=1; exits with the status.
#
# --- ports and readiness ---------------------------------------------------------------
#   free_udp_port          a UDP port of 127.0.0.1 the kernel picked (bound to
#                          port 0, then released)
#   udp_bound PORT         something listens on udp 127.0.0.1:PORT
#   rig_wait_file FILE PID [TRIES]
#                          polls (0.05 s, TRIES, default 100) until FILE is not
#                          empty: 0; 1 if PID (may be empty) exited or time ran out
#   rig_wait_udp PID TRIES PORT...
#                          the same until every PORT is bound
#   rig_kamailio_run DIR PORT...
#                          Kamailio in the foreground mode (-DD) on DIR/site.cfg,
#                          pid file, runtime and working directory DIR, log
#                          appended to DIR/kamailio.log, tracked; waits (10 s)
#                          until every PORT is bound and DIR/ctl is a socket,
#                          fatal otherwise. Sets KPID.
#   rig_serve_start DIR NAME CONFIG
#                          `$CLID serve --config CONFIG` in the background,
#                          tracked, output in DIR/NAME.out and .err; waits (30 s)
#                          for its ready file DIR/NAME.ready, fatal if it exits
#                          or is not ready. Sets SPID and SPORT (from the ready
#                          file: the port the kernel picked). Uses CLID.

FAILS=0
CHECKS=0
T0=$(date +%s)
RIG_PIDS=()
RIG_RC=0

pass() {
    CHECKS=$((CHECKS + 1))
    echo "ok   $*"
}
fail() {
    CHECKS=$((CHECKS + 1))
    FAILS=$((FAILS + 1))
    echo "FAIL $*"
}
expect() {
    if [ "$2" = "$3" ]; then
        pass "$1 ($3)"
    else
        fail "$1: want '$2', got '$3'"
        [ -z "${4:-}" ] || printf '%s\n' "$4" | sed 's/^/     | /'
    fi
}
fatal() {
    fail "$*"
    echo "FAIL: giving up after a failed prerequisite"
    exit 1
}
rig_summary() {
    echo "--- $CHECKS checks, $FAILS failed, $(($(date +%s) - T0)) s"
    [ "$FAILS" -eq 0 ]
}

rig_skip() {
    if [ "${RIG_CI_STRICT:-0}" = 1 ] && [ "${CI:-}" = "true" ]; then
        echo "FAIL: $* (CI=true: a missing peer is a failure; scripts/install-deps.sh installs it)"
        exit 1
    fi
    echo "SKIP: $* (install with scripts/install-deps.sh)"
    exit 77
}
rig_need_tools() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || {
            echo "FAIL: $tool is needed and not installed"
            exit 1
        }
    done
}
rig_find_modules() {
    local d m
    MPATH=
    for d in /usr/lib/*/kamailio/modules /usr/lib/kamailio/modules /usr/lib64/kamailio/modules \
        /usr/local/lib/kamailio/modules; do
        for m in "$@"; do
            [ -f "$d/$m.so" ] || continue 2
        done
        # shellcheck disable=SC2034 # for the driver
        MPATH=$d/
        return 0
    done
    return 1
}

rig_workdir() {
    local marker=$2
    mkdir -p "$1"
    WORK=$(cd "$1" && pwd)
    shift 2
    if [ -n "$(ls -A "$WORK")" ] && [ ! -e "$WORK/$marker" ]; then
        echo "FAIL: $WORK is not empty and not a work directory of this test; refusing to wipe it"
        exit 1
    fi
    [ $# -eq 0 ] || "$@"
    find "$WORK" -mindepth 1 -delete
    touch "$WORK/$marker"
}

rig_track() {
    RIG_PIDS+=("$1")
}
rig_untrack() {
    local p keep=()
    for p in "${RIG_PIDS[@]}"; do
        [ "$p" = "$1" ] || keep+=("$p")
    done
    RIG_PIDS=("${keep[@]}")
}
rig_wait() {
    local rc=0
    wait "$1" || rc=$?
    rig_untrack "$1"
    return "$rc"
}
running() {
    local st
    st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    [[ $st != Z* ]]
}
stop_pid() {
    local pid=$1 sig=${2:-TERM}
    [ -n "$pid" ] || return 0
    kill -CONT "$pid" 2>/dev/null || true
    kill "-$sig" "$pid" 2>/dev/null || return 0
    for _ in $(seq 100); do
        running "$pid" || break
        sleep 0.1
    done
    running "$pid" && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || true
    rig_untrack "$pid"
}
rig_cleanup() {
    local rc=$? i left
    trap - EXIT TERM INT
    set +e
    if [ "$rc" -ne 0 ] && declare -F rig_hook_report >/dev/null; then
        rig_hook_report "$rc"
    fi
    RIG_RC=$rc
    declare -F rig_hook_stop >/dev/null && rig_hook_stop
    rc=$RIG_RC
    for ((i = ${#RIG_PIDS[@]} - 1; i >= 0; i--)); do
        stop_pid "${RIG_PIDS[i]:-}"
    done
    declare -F rig_hook_done >/dev/null && rig_hook_done
    if [ -n "${RIG_LEFTOVER_PATTERN:-}" ]; then
        for _ in $(seq 50); do
            left=$(pgrep -f -- "$RIG_LEFTOVER_PATTERN")
            [ -z "$left" ] && break
            sleep 0.1
        done
        if [ -n "$left" ]; then
            echo "FAIL processes of this run still running: $(echo "$left" | tr '\n' ' ')"
            rc=1
        fi
    fi
    [ "$rc" -eq 0 ] && [ "${RIG_RM_WORK_ON_PASS:-0}" = 1 ] && rm -rf "$WORK"
    exit "$rc"
}
rig_traps() {
    trap rig_cleanup EXIT
    trap 'echo "FAIL interrupted"; exit 1' TERM INT
}
rig_watchdog() {
    local secs=$1
    (
        sleep "$secs" &
        s=$!
        trap 'kill $s 2>/dev/null; wait $s; exit 0' TERM
        wait $s
        echo "FAIL watchdog: the test took more than $secs s" >&2
        kill -TERM $$
    ) </dev/null >/dev/null 2>&1 &
    rig_track $!
}

free_udp_port() {
    python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}
udp_bound() {
    ss -Hlun "sport = :$1" 2>/dev/null | grep -q "127.0.0.1:$1 "
}
rig_wait_file() {
    local file=$1 pid=$2 tries=${3:-100}
    for _ in $(seq "$tries"); do
        [ -s "$file" ] && return 0
        [ -z "$pid" ] || kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    [ -s "$file" ]
}
rig_wait_udp() {
    local pid=$1 tries=$2 p all
    shift 2
    for _ in $(seq "$tries"); do
        all=1
        for p in "$@"; do
            udp_bound "$p" || { all=0 && break; }
        done
        [ "$all" = 1 ] && return 0
        [ -z "$pid" ] || kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}
rig_kamailio_run() {
    local dir=$1 p ok
    shift
    kamailio -DD -E -f "$dir/site.cfg" -P "$dir/kamailio.pid" -Y "$dir" -w "$dir" -m 64 -M 8 \
        </dev/null >>"$dir/kamailio.log" 2>&1 &
    KPID=$!
    rig_track "$KPID"
    for _ in $(seq 200); do
        kill -0 "$KPID" 2>/dev/null || fatal "Kamailio exited during start-up: $(tail -n 5 "$dir/kamailio.log")"
        ok=1
        for p in "$@"; do
            udp_bound "$p" || { ok=0 && break; }
        done
        [ "$ok" = 1 ] && [ -S "$dir/ctl" ] && return 0
        sleep 0.05
    done
    fatal "Kamailio not listening after 10 s"
}
rig_serve_start() {
    local dir=$1 name=$2
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8 \
        "$CLID" serve --config "$3" --ready-file "$dir/$name.ready" \
        </dev/null >"$dir/$name.out" 2>"$dir/$name.err" &
    SPID=$!
    rig_track "$SPID"
    rig_wait_file "$dir/$name.ready" "$SPID" 600 || {
        kill -0 "$SPID" 2>/dev/null || fatal "clid serve $name exited early: $(head -c 600 "$dir/$name.err")"
        fatal "clid serve $name not ready after 30 s"
    }
    # shellcheck disable=SC2034 # for the driver
    SPORT=$(jq -r .port "$dir/$name.ready")
}
