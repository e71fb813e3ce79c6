#!/usr/bin/env bash
# clid conform report (tools/conform/report*.c): the text matrix, the JSON
# round trip, the HTML page's escaping of hostile strings from the results,
# and the schema check of results.json (each defect one clear line, 65).
. "$(dirname "$0")/lib.sh" "$@"

MIXED=$TESTS_DIR/data/conform/results-mixed.json
cd "$TMP"

# --- text --------------------------------------------------------------------
run conform report "$MIXED"
expect_rc 1 # a fail and an error: not ok
out_has "  result:  NOT ok: some target failed cases or could not be asked"
check "totals of clid" grep -Eq '^  clid +5 +0 +0 +0 +0$' out
check "totals of laxsip" grep -Eq '^  laxsip +1 +1 +1 +1 +1  cmd:./pass-everything.sh$' out
out_has "failures (2):"
out_has "  orig-mismatch @ laxsip: fail"
out_has "    expected: TN-Validation-Failed; SIP 438 or 0; reason CLID_ERR_ORIG_MISMATCH (clid only)"
out_has "    observed: TN-Validation-Passed; SIP 0"
out_has "    clause:   RFC 8224 §6.2.2; RFC 8224 §5.1"
out_has "  x5u-404 @ laxsip: error"
out_has "known deviations (1): the target's recorded expectation, not the catalogue's"
out_has "  orig-mismatch  pass       FAIL"
# Failures come before known deviations, which come before the matrix.
f=$(grep -n '^failures' out | cut -d: -f1)
k=$(grep -n '^known deviations' out | cut -d: -f1)
m=$(grep -n '^matrix' out | cut -d: -f1)
check "failures, then known deviations, then the matrix" test "$f" -lt "$k" -a "$k" -lt "$m"
# The participant's escape sequence is shown, not sent to the terminal.
check "no ESC byte reaches the terminal" bash -c "! grep -q $'\x1b' out"
out_has '    why:      the command exited 127: \x1B[31mnot found\x1B[0m'
check "no trailing blanks" bash -c "! grep -q ' \$' out"

# Every target met the catalogue: exit 0, and --text - is the same text.
jq '.targets |= [.[0]] | .results |= map(select(.target == "clid"))
    | .totals |= {clid} | .ok = true' "$MIXED" >pass.json
run conform report pass.json
expect_rc 0
out_has "  result:  ok: every target met the catalogue (or its recorded expectation)"
check "no failures section when none" bash -c "! grep -q '^failures' out"
cp out text1
run conform report pass.json --text -
expect_rc 0
check "--text - prints the same report" cmp -s out text1

# --- JSON: the normalized results round-trip ----------------------------------
run conform report "$MIXED" --json r1.json --text r1.txt
expect_rc 1
check "--json holds the same document" test "$(jq -cS . r1.json)" = "$(jq -cS . "$MIXED")"
check "--text written" grep -q '^failures (2):' r1.txt
run conform report r1.json --json r2.json
expect_rc 1
check "normalizing is idempotent" cmp -s r1.json r2.json
check "no temporary file left" test "$(ls | grep -c '\.tmp')" -eq 0

# --- HTML: hostile strings escaped ---------------------------------------------
run conform report "$MIXED" --html r.html
expect_rc 1
check "page written" test -s r.html
check "exactly the report's two scripts" test "$(grep -o '<script' r.html | wc -l)" -eq 2
check "detail <script> escaped" grep -Fq '&lt;script&gt;alert(1)&lt;/script&gt;' r.html
check "why </td><img> escaped" grep -Fq '&lt;/td&gt;&lt;img src=x onerror=alert(2)&gt; &amp; &quot;quotes&quot; &#39;too&#39;' r.html
check "no raw <img" bash -c "! grep -q '<img' r.html"
check "title <b> escaped" grep -Fq 'DER-encoded &lt;b&gt;not&lt;/b&gt; r||s' r.html
check "no ESC byte in the page" bash -c "! grep -q $'\x1b' r.html"
check "no network: nothing to fetch" bash -c "! grep -Eiq '(src|href)=\"(https?:)?//' r.html"
check "CSP: nothing may be fetched" grep -Fq "default-src 'none'" r.html
check "totals cell fail of laxsip" grep -Eq '<tr data-target="laxsip">.*data-verdict="fail">1</td>' r.html
check "totals cell pass of clid" grep -Eq '<tr data-target="clid">.*data-verdict="pass">5</td>' r.html
check "overall not ok" grep -Fq '<p id="overall" data-ok="0"' r.html
# Failures before known deviations before the matrix.
f=$(grep -n 'id="failures"' r.html | cut -d: -f1)
k=$(grep -n 'id="known"' r.html | cut -d: -f1)
m=$(grep -n 'id="matrix"' r.html | cut -d: -f1)
check "HTML order: failures, known deviations, matrix" test "$f" -lt "$k" -a "$k" -lt "$m"
check "the failure section holds expected and clause" \
    grep -Fq '<tr><th>expected</th><td>TN-Validation-Failed; SIP 438 or 0; reason CLID_ERR_ORIG_MISMATCH (clid only)</td></tr>' r.html

# --- the schema check ------------------------------------------------------------
# bad NAME JQ-FILTER REGEX: the mutated results are refused with one line.
bad() {
    jq "$2" "$MIXED" >"$1.json"
    expect_error 65 "$3" conform report "$1.json" --html "$1.html"
    ok
    if [ -e "$1.html" ]; then fail "$1: a report was written from invalid results"; fi
}
bad version '.version = 2' '^clid: conform report: results: version: 2 is not supported \(this clid reads version 1\)$'
bad version-type '.version = "1"' 'version: missing or not an integer'
bad no-ok 'del(.ok)' '^clid: conform report: results: ok: missing: must be true or false$'
bad targets-type '.targets = {}' 'targets: must be an array'
bad verdict '.results[1].verdict = "passed"' "results\[1\]\.verdict: 'passed' is none of pass, fail"
bad unknown-target '.results[0].target = "nobody"' "results\[0\]\.target: 'nobody' is not in targets"
bad unknown-case '.results[0].case = "nothing"' "results\[0\]\.case: 'nothing' is not in cases"
bad twice '.results[1].case = "valid-attest-a"' "results\[1\]: case 'valid-attest-a' on target 'clid' given twice \(results\[0\]\)"
bad totals '.totals.laxsip.fail = 0' 'totals\.laxsip\.fail: says 0 but the results hold 1'
bad ok-lies '.ok = true' 'ok: says true but some results are fail or error'
bad sip-type '.results[0].observed.sip = "0"' 'results\[0\]\.observed\.sip: must be an integer or null'
bad expect-sip '.cases[1].expect.sip = ["438"]' 'cases\[1\]\.expect\.sip\[0\]: must be an integer'
bad why-type '.results[2].why = 5' 'results\[2\]\.why: must be a string or null'
bad case-dup '.cases[1].name = "valid-attest-a"' "cases\[1\]\.name: 'valid-attest-a' listed twice"
printf '{"version":1,"version":1}' >dup.json
expect_error 65 'dup.json: not JSON: .*duplicate object key' conform report dup.json
printf '{"version":' >trunc.json
expect_error 65 'trunc.json: not JSON' conform report trunc.json
expect_error 66 'missing.json' conform report missing.json
expect_error 64 'wants one RESULTS.json' conform report
expect_error 64 'unknown option' conform report "$MIXED" --pdf x
mkdir ro
expect_error 1 'nodir/r.html: cannot write the HTML report' conform report pass.json --html nodir/r.html

finish
