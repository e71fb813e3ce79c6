#!/usr/bin/env bash
# clid ca: a crash or a failure in the middle of a change leaves DIR usable.
#
# CLID_CA_CRASH_AT=<cmd>:<step> makes clid kill itself with SIGKILL at that
# point (no cleanup, as a power cut or kill -9); CLID_CA_FAIL_AT=<cmd>:<step>
# makes the step fail as a write error would. Steps (docs/ca.md):
#   temps                    every temporary file written and fsync'ed, nothing renamed
#   cert index               issue: after each rename into DIR, in this order
#   key chain                issue: after PREFIX.key, PREFIX.pem are published
#   crlnumber sti-pa-crl sti-pa-crl-pem out          crl (the STI-PA's CRL)
#   crlnumber crl inter-crl root-crl sti-pa-crl sti-pa-crl-pem out
#                            crl with init --direct-crls (the CAs' own too)
#   index                    revoke
# After each: DIR is consistent (ca_lib.sh), the next command works and
# cleans up, and no serial is ever handed out twice (serials are random: a
# certs/SERIAL.pem left by a crash spends its serial as the index does).
#
# Each crash or injected failure is its own clid process (it kills itself).
# Each case works on its own copy of the CA directory, so the "next
# command" of every case is queued and they all run afterwards in one
# clid_inproc process (inproc.sh), in the order queued; their checks follow.
. "$(dirname "$0")/lib.sh" "$@"
. "$TESTS_DIR/ca_lib.sh"
. "$TESTS_DIR/inproc.sh"
cd "$TMP"

"$CLID" ca init base >/dev/null
"$CLID" ca issue base --out first --spc 709J >/dev/null
"$CLID" ca init dbase --direct-crls >/dev/null
"$CLID" ca issue dbase --out dfirst --spc 709J >/dev/null

serials() { jq -r '.certificates[].serial' "$1/index.json"; }
# not_listed LINE FILE: FILE has no line LINE (grep -qx, without a process).
not_listed() {
    local l
    while IFS= read -r l; do [ "$l" != "$1" ] || return 1; done <"$2"
}
# no_tmp_files DIR...: no .tmp.* file in any DIR.
no_tmp_files() {
    local d
    for d; do
        if compgen -G "$d/.tmp.*" >/dev/null; then return 1; fi
    done
}
entries() { jq '.certificates | length' "$1/index.json"; }

# next_issue_works DIR TAG: the next issue works, gets a new serial, and
# cleans up. Queued: the issue runs with the others in check_next_issues.
declare -a NEXT_DIR NEXT_TAG
next_issue_works() {
    local d=$1 tag=$2
    serials "$d" >"$TMP/before-$tag"
    cp -r "$d/certs" "$TMP/certs-before-$tag"
    inproc_add ca issue "$d" --out "next-$tag" --spc 709J
    NEXT_DIR[$IP_N]=$d
    NEXT_TAG[$IP_N]=$tag
}
check_next_issue() {
    local n=$1 d=${NEXT_DIR[$1]} tag=${NEXT_TAG[$1]} s
    ok
    if [ "${IP_RC[$n]}" -ne 0 ]; then
        fail "$tag: the next issue failed: $(cat "$IP_DIR/$n.err")"
        return
    fi
    IFS= read -r s <"$IP_DIR/$n.out" || true
    check "$tag: the next serial is new" not_listed "$s" "$TMP/before-$tag"
    check "$tag: ... and not one a crash left in certs/" test ! -e "$TMP/certs-before-$tag/$s.pem"
    check "$tag: consistent after the next issue" ca_consistent "$d"
    check "$tag: the next command removed the temporary files" no_tmp_files "$d" "$d/certs"
    check "$tag: the new chain verifies" quiet openssl verify -CAfile "$d/root.pem" \
        -untrusted "$d/inter.pem" "next-$tag.pem"
}

# --- issue: crash at every step ---------------------------------------------
for step in temps cert index key chain; do
    cp -a base "c-$step"
    before=$(dir_hash "c-$step")
    n0=$(entries "c-$step")
    crash_run env CLID_CA_CRASH_AT="issue:$step" "$CLID" ca issue "c-$step" --out "o-$step" \
        --spc 709J
    rc=$RC
    check "crash at issue:$step: killed by SIGKILL (rc $rc)" test "$rc" -eq 137
    check "crash at issue:$step: consistent" ca_consistent "c-$step"
    case $step in
        temps)
            check "crash at issue:temps: DIR unchanged but for temporary files" \
                test "$(dir_hash_no_tmp "c-$step")" = "$before"
            ;;
        cert)
            check "crash at issue:cert: the serial is spent (certs/SERIAL.pem), the index unchanged" \
                test "$(entries "c-$step")" = "$n0" -a "$(ls "c-$step/certs" | wc -l)" = $((n0 + 1))
            ;;
        *)
            check "crash at issue:$step: the certificate is in the index" \
                test "$(entries "c-$step")" = $((n0 + 1))
            ;;
    esac
    case $step in
        temps | cert | index)
            check "crash at issue:$step: no output published" test ! -e "o-$step.pem" -a ! -e "o-$step.key"
            ;;
        key)
            check "crash at issue:key: key published, chain not yet" test -e o-key.key -a ! -e o-key.pem
            ;;
        chain)
            check "crash at issue:chain: both published" test -e o-chain.key -a -e o-chain.pem
            ;;
    esac
    next_issue_works "c-$step" "crash-$step"
done

# --- issue: injected write failure at every step --------------------------------
# no_tmp_left STEP: no temporary file in f-STEP, nor of the output p-STEP here.
no_tmp_left() {
    no_tmp_files "f-$1" "f-$1/certs" && ! compgen -G ".tmp.*p-$1*" >/dev/null
}
for step in temps cert index key chain; do
    cp -a base "f-$step"
    before=$(dir_hash "f-$step")
    LAST_ARGS="issue with CLID_CA_FAIL_AT=issue:$step"
    set +e
    CLID_CA_FAIL_AT="issue:$step" "$CLID" ca issue "f-$step" --out "p-$step" --spc 709J \
        >"$TMP/out" 2>"$TMP/err"
    RC=$?
    set -e
    expect_rc 1
    check "fail at issue:$step: one line names the step" \
        grep -qx "clid: ca issue: injected failure at step 'issue:$step' (CLID_CA_FAIL_AT)" "$TMP/err"
    check "fail at issue:$step: nothing on stdout" test ! -s "$TMP/out"
    check "fail at issue:$step: consistent" ca_consistent "f-$step"
    check "fail at issue:$step: no temporary file left" no_tmp_left "$step"
    if [ "$step" = temps ]; then
        check "fail at issue:temps: DIR byte-identical" test "$(dir_hash f-temps)" = "$before"
        check "fail at issue:temps: no output" test ! -e p-temps.pem -a ! -e p-temps.key
    fi
    next_issue_works "f-$step" "fail-$step"
done

# --- revoke and crl ---------------------------------------------------------------
serial=$(jq -r '.certificates[2].serial' base/index.json)
cp -a base r
crash_run env CLID_CA_CRASH_AT=revoke:index "$CLID" ca revoke r "$serial"
rc=$RC
check "crash at revoke:index: killed" test "$rc" -eq 137
check "crash at revoke:index: consistent" ca_consistent r
check "crash at revoke:index: the revocation is recorded" \
    test "$(jq -r ".certificates[2].revoked != null" r/index.json)" = true
cp -a base r2
before=$(dir_hash r2)
set +e
CLID_CA_FAIL_AT=revoke:temps "$CLID" ca revoke r2 "$serial" >/dev/null 2>&1
rc=$?
set -e
check "fail at revoke:temps: exit 1" test "$rc" -eq 1
check "fail at revoke:temps: DIR byte-identical" test "$(dir_hash r2)" = "$before"

dserial=$(jq -r '.certificates[2].serial' dbase/index.json)
cp -a dbase dr
"$CLID" ca revoke dr "$dserial" >/dev/null
declare -a CRL_STEP CRL_NUMBER CRL_FILE CRL_SERIAL
# crash_crl BASE PREFIX FILE SERIAL STEPS...: crl crashes at each step, in a
# copy of BASE; the next crl (queued, check_next_crl) works, never reuses a
# spent number, and FILE lists SERIAL.
crash_crl() {
    local base=$1 prefix=$2 file=$3 ser=$4 step n
    shift 4
    for step; do
        cp -a "$base" "$prefix-$step"
        n=$(cat "$prefix-$step/crlnumber")
        crash_run env CLID_CA_CRASH_AT="crl:$step" "$CLID" ca crl "$prefix-$step" \
            --out "crl-$prefix-$step.pem"
        rc=$RC
        check "crash at crl:$step ($prefix): killed" test "$rc" -eq 137
        check "crash at crl:$step ($prefix): consistent" ca_consistent "$prefix-$step"
        inproc_add ca crl "$prefix-$step"
        CRL_STEP[$IP_N]="$step ($prefix)"
        CRL_NUMBER[$IP_N]=$n
        CRL_FILE[$IP_N]=$prefix-$step/$file
        CRL_SERIAL[$IP_N]=$ser
    done
}
crash_crl r k sti-pa-crl.pem "$serial" temps crlnumber sti-pa-crl sti-pa-crl-pem out
crash_crl dr dk crl.pem "$dserial" temps crlnumber crl inter-crl root-crl sti-pa-crl \
    sti-pa-crl-pem out
check_next_crl() {
    local i=$1 step=${CRL_STEP[$1]} n=${CRL_NUMBER[$1]} got= line
    local file=${CRL_FILE[$1]} ser=${CRL_SERIAL[$1]}
    check "crash at crl:$step: the next crl works" test "${IP_RC[$i]}" -eq 0
    while IFS= read -r line; do
        if [[ $line =~ ^crlNumber\ ([0-9]*): ]]; then got=${BASH_REMATCH[1]}; fi
    done <"$IP_DIR/$i.out"
    if [ "${step%% *}" = temps ]; then
        check "crash at crl:$step: the number was not spent" test "$got" = "$n"
    else
        check "crash at crl:$step: a spent number is never reused" test "$got" = $((n + 1))
    fi
    check "crash at crl:$step: the CRL lists the revocation" bash -c \
        "openssl crl -in '$file' -noout -text | grep -q 'Serial Number: $ser'"
}

# --- init -------------------------------------------------------------------------
for step in temps rename; do
    crash_run env CLID_CA_CRASH_AT="init:$step" "$CLID" ca init "i-$step"
    rc=$RC
    check "crash at init:$step: killed" test "$rc" -eq 137
    if [ "$step" = temps ]; then
        check "crash at init:temps: no half-made DIR" test ! -e i-temps
    else
        check "crash at init:rename: DIR complete" ca_consistent i-rename
    fi
done
set +e
CLID_CA_FAIL_AT=init:temps "$CLID" ca init i-fail >/dev/null 2>&1
rc=$?
set -e
check "fail at init:temps: exit 1" test "$rc" -eq 1
check "fail at init:temps: nothing left behind" bash -c "! ls -a | grep -q 'i-fail'"

# --- kill -9 from outside at arbitrary moments --------------------------------------
cp -a base kill
for i in 1 2 3 4 5 6 7 8 9 10; do
    (
        "$CLID" ca issue kill --out "kill-$i" --tn "1202555$(printf %04d "$i")" >/dev/null 2>&1 &
        pid=$!
        sleep "0.0$i"
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    ) 2>/dev/null
done
check "after ten kill -9: consistent" ca_consistent kill
next_issue_works kill kill9

# --- the queued next commands, in one process, then their checks ------------------
inproc_run
for n in $(seq 1 "$IP_N"); do
    if [ -n "${NEXT_TAG[$n]:-}" ]; then
        check_next_issue "$n"
    else
        check_next_crl "$n"
    fi
done

finish
