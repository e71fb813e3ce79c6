# Running many clid commands in one process (clid_inproc.c); sourced after
# lib.sh, not run.
#
#   inproc_add WORDS...      queue one clid command line (without "clid")
#   inproc_run [--watch DIR]... [--names DIR]...
#                            run the queue in one clid_inproc process; then
#                            for command N (1, 2, ... in queue order):
#                            IP_RC[N] status, IP_OUT[N] stdout bytes,
#                            IP_ERRL[N] stderr lines, IP_HASH[N] the
#                            directory hashes after it ("0" = before the
#                            first), files $IP_DIR/N.out and $IP_DIR/N.err
#   inproc_reset            a new queue, numbered from 1 again
#   inproc_crosscheck N...   runs commands N... again through the real
#                            clid binary (one process each) and checks the
#                            status, stdout and stderr are the same: the
#                            runner must not differ from the binary
#
# The runner is CLID_INPROC (ctest sets it), else clid_inproc next to the
# binary's build directory (build/<dir>/tools/tests/clid_inproc).

# Absolute paths: the tests cd into $TMP.
case $CLID in
    /*) ;;
    *) CLID=$(cd "$(dirname "$CLID")" && pwd)/$(basename "$CLID") ;;
esac
INPROC=${CLID_INPROC:-$(dirname "$CLID")/tests/clid_inproc}
if [ ! -x "$INPROC" ]; then
    echo "$0: needs the test runner $INPROC (built with the tests)" >&2
    exit 2
fi
IP_DIR=$TMP/.inproc
IP_SCRIPT=$TMP/inproc.script
IP_N=0
: >"$IP_SCRIPT"
declare -a IP_RC IP_OUT IP_ERRL IP_HASH IP_CWD

inproc_add() {
    local w
    for w in "$@"; do
        case $w in
            *$'\t'* | *$'\n'*)
                echo "inproc_add: a word holds a TAB or a newline: $w" >&2
                exit 2
                ;;
        esac
    done
    local IFS=$'\t'
    printf '%s\n' "$*" >>"$IP_SCRIPT"
    IP_N=$((IP_N + 1))
    IP_CWD[$IP_N]=$PWD
}

inproc_run() {
    local n rc out errl hashes
    rm -rf "$IP_DIR"
    mkdir "$IP_DIR"
    set +e
    "$INPROC" "$@" "$IP_SCRIPT" "$IP_DIR" 2>"$TMP/inproc.err"
    rc=$?
    set -e
    if [ "$rc" -ne 0 ]; then
        fail "clid_inproc exited $rc after $(($(wc -l <"$IP_DIR/status") - 1)) of $IP_N commands: $(head -c 2000 "$TMP/inproc.err")"
        finish
    fi
    while read -r n rc out errl hashes; do
        IP_RC[$n]=$rc IP_OUT[$n]=$out IP_ERRL[$n]=$errl IP_HASH[$n]=$hashes
    done <"$IP_DIR/status"
    if [ "${#IP_RC[@]}" -ne $((IP_N + 1)) ]; then
        fail "clid_inproc ran ${#IP_RC[@]} of $IP_N commands"
        finish
    fi
}

# inproc_reset: starts a new queue (numbered from 1 again).
inproc_reset() {
    : >"$IP_SCRIPT"
    IP_N=0
    IP_RC=() IP_OUT=() IP_ERRL=() IP_HASH=() IP_CWD=()
}

inproc_crosscheck() {
    local n
    for n in "$@"; do
        local words=()
        IFS=$'\t' read -r -a words < <(sed -n "${n}p" "$IP_SCRIPT")
        # read -a drops empty words: the cross-checked lines have none.
        set +e
        (cd "${IP_CWD[$n]}" && "$CLID" "${words[@]}" >"$TMP/cross.out" 2>"$TMP/cross.err" </dev/null)
        local rc=$?
        set -e
        check "command $n (clid ${words[*]}): same status from the binary ($rc) and the runner (${IP_RC[$n]})" \
            test "$rc" = "${IP_RC[$n]}"
        check "command $n: same stdout from the binary and the runner" cmp -s "$TMP/cross.out" "$IP_DIR/$n.out"
        check "command $n: same stderr from the binary and the runner" cmp -s "$TMP/cross.err" "$IP_DIR/$n.err"
    done
}
