#!/usr/bin/env bash
# Start and stop the interop Kamailio (kamailio.cfg next to this script) by
# PID, never by name.
#
#   kamailio-ctl.sh start RUNDIR CERTDIR PORT [kamailio options...]
#   kamailio-ctl.sh stop RUNDIR
#   kamailio-ctl.sh status RUNDIR
#
# start: listens on udp:127.0.0.1:PORT only. CERTDIR (absolute) holds the
#   files the config reads (vs-cert.pem, as.key, the CA file); it is passed
#   as -A 'CERTDIR="..."'. Extra arguments go to kamailio, e.g.
#   -A 'AS_X5U="http://127.0.0.1:8080/as.pem"' -A WITH_CERT_VERIFY.
#   As root, Kamailio binds and then runs as the Debian `kamailio` user
#   (-u/-g): CERTDIR is made group-readable by it (git and umask keep no
#   such bits) and RUNDIR owned by it. As any other user it runs as that
#   user. The process stays in the foreground of its background job (-DD),
#   so the PID we start is the PID in RUNDIR/kamailio.pid; its log goes to
#   RUNDIR/kamailio.log (appended, one "=== kamailio-ctl start" line per
#   start). Refuses to start when RUNDIR's Kamailio runs.
#   Returns once the socket is bound, or fails with the log's tail.
# stop: SIGTERM to the PID in RUNDIR/kamailio.pid (only if that process is
#   the Kamailio of RUNDIR), waits until it and its children are gone
#   (SIGKILL to that same PID after 10 s).
# Exit status: 0 done (stop: also "was not running"), 1 failure, 64 usage.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# KAMAILIO_CFG: another config (the conformance target's,
# interop-tests/conformance/kamailio/kamailio.cfg); default the one here.
cfg=${KAMAILIO_CFG:-$here/kamailio.cfg}

usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2
    exit 64
}
die() {
    echo "kamailio-ctl: $*" >&2
    exit 1
}

# ours RUNDIR PID: PID is alive and is the Kamailio started for RUNDIR
# (its command line names RUNDIR's pid file), not a recycled PID.
ours() {
    local cmdline
    cmdline=$(tr '\0' ' ' <"/proc/$2/cmdline" 2>/dev/null) || return 1
    [[ $cmdline == *kamailio* && $cmdline == *" $1/kamailio.pid "* ]]
}

# children RUNDIR: PIDs of processes whose command line names RUNDIR's pid
# file (Kamailio's children keep the parent's argv).
children() {
    pgrep -f -- "-P $1/kamailio.pid " || true
}

udp_bound() { # PORT
    ss -Hlun "sport = :$1" 2>/dev/null | grep -q "127.0.0.1:$1 "
}

start() {
    [ $# -ge 3 ] || usage
    local rundir=$1 certdir=$2 port=$3
    shift 3
    [[ $rundir == /* && $certdir == /* ]] || die "RUNDIR and CERTDIR must be absolute"
    if ! [[ $port =~ ^[0-9]+$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
        die "bad port '$port'"
    fi
    command -v kamailio >/dev/null || die "kamailio is not installed"
    [ -d "$certdir" ] || die "$certdir: not a directory"
    mkdir -p "$rundir"
    local pidfile=$rundir/kamailio.pid old
    if [ -e "$pidfile" ]; then
        old=$(cat "$pidfile" 2>/dev/null || true)
        if [[ $old =~ ^[0-9]+$ ]] && ours "$rundir" "$old"; then
            die "already running for $rundir (pid $old); stop it first"
        fi
        echo "kamailio-ctl: removing stale $pidfile" >&2
        rm -f "$pidfile"
    fi
    if [ -n "$(children "$rundir")" ]; then
        die "processes of an earlier Kamailio for $rundir are still running: $(children "$rundir" | tr '\n' ' ')"
    fi
    udp_bound "$port" && die "127.0.0.1:$port (udp) is already in use"

    local user_opts=()
    if [ "$(id -u)" -eq 0 ]; then
        id kamailio >/dev/null 2>&1 || die "running as root but there is no 'kamailio' user to drop to"
        chgrp -R kamailio "$certdir"
        chmod 750 "$certdir"
        find "$certdir" -type f -exec chmod 640 {} +
        chown kamailio:kamailio "$rundir"
        local f
        for f in "$certdir"/*; do
            runuser -u kamailio -- test -r "$f" ||
                die "user kamailio cannot read $f (is every parent directory searchable by others?)"
        done
        user_opts=(-u kamailio -g kamailio)
    fi

    echo "=== kamailio-ctl start $(date -u +%FT%TZ): udp:127.0.0.1:$port $*" >>"$rundir/kamailio.log"
    # -DD: no fork, the main process is the one we start; -E: log to
    # stderr; -Y: runtime dir out of /run; -m/-M: small shm/pkg memory (MB).
    kamailio -DD -E -f "$cfg" -A "LISTEN=udp:127.0.0.1:$port" -A "CERTDIR=\"$certdir\"" \
        -m 64 -M 8 -P "$pidfile" -Y "$rundir" "${user_opts[@]}" "$@" \
        >>"$rundir/kamailio.log" 2>&1 </dev/null &
    local pid=$!
    for _ in $(seq 100); do
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid" || true
            tail -n 20 "$rundir/kamailio.log" >&2
            die "kamailio exited during start-up (log: $rundir/kamailio.log)"
        fi
        if [ "$(cat "$pidfile" 2>/dev/null || true)" = "$pid" ] && udp_bound "$port"; then
            echo "kamailio-ctl: started pid $pid on udp:127.0.0.1:$port"
            return 0
        fi
        sleep 0.1
    done
    echo "kamailio-ctl: not ready after 10 s; stopping pid $pid" >&2
    kill -TERM "$pid" 2>/dev/null || true
    tail -n 20 "$rundir/kamailio.log" >&2
    exit 1
}

stop() {
    [ $# -eq 1 ] || usage
    local rundir=$1 pidfile=$1/kamailio.pid pid
    if [ ! -e "$pidfile" ]; then
        echo "kamailio-ctl: not running ($pidfile absent)"
        return 0
    fi
    pid=$(cat "$pidfile")
    [[ $pid =~ ^[0-9]+$ ]] || die "$pidfile: not a PID"
    if ours "$rundir" "$pid"; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 100); do
            ours "$rundir" "$pid" || break
            sleep 0.1
        done
        if ours "$rundir" "$pid"; then
            echo "kamailio-ctl: pid $pid ignored SIGTERM for 10 s; SIGKILL" >&2
            kill -KILL "$pid" 2>/dev/null || true
            sleep 0.5
        fi
    fi
    # The children end with their main process; wait for them, never kill
    # by name.
    for _ in $(seq 50); do
        [ -z "$(children "$rundir")" ] && break
        sleep 0.1
    done
    if [ -n "$(children "$rundir")" ]; then
        die "processes of $rundir still running after the main one stopped: $(children "$rundir" | tr '\n' ' ')"
    fi
    # Until its new parent (init) reaps it, the exited main process is a
    # zombie that `pgrep -u kamailio` still lists: wait for that too.
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    rm -f "$pidfile"
    echo "kamailio-ctl: stopped pid $pid"
}

status() {
    [ $# -eq 1 ] || usage
    local pid
    pid=$(cat "$1/kamailio.pid" 2>/dev/null || true)
    if [[ $pid =~ ^[0-9]+$ ]] && ours "$1" "$pid"; then
        echo "running (pid $pid)"
        return 0
    fi
    echo "not running"
    return 1
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case $cmd in
    start) start "$@" ;;
    stop) stop "$@" ;;
    status) status "$@" ;;
    *) usage ;;
esac
