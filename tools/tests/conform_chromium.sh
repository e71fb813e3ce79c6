#!/usr/bin/env bash
# The HTML report in a real browser (issue 9, "Tests that must exist"):
# headless Chromium loads the page written for a fixture results.json and
# dumps the DOM after its scripts ran. The totals must be there, the page's
# own script must have run (it sets data-js="ok" on <html>, which also proves
# the Content-Security-Policy hashes match the scripts), no script error may
# have been caught (data-js-error) or logged on the console, and no hostile
# string of the results may have become an element.
# Skips (77) only when chromium is not installed (scripts/install-deps.sh
# installs it). Chromium as root needs --no-sandbox, and its wrapper's
# /dev/shm check is broken (deps-breadth.md §5): both flags are passed.
. "$(dirname "$0")/lib.sh" "$@"

CHROMIUM=${CHROMIUM:-$(command -v chromium || true)}
if [ -z "$CHROMIUM" ]; then
    echo "conform_chromium.sh: chromium not installed (scripts/install-deps.sh): skipped"
    exit 77
fi
cd "$TMP"

# One chromium run: --dump-dom of $1 into $2.dom, its stderr into $2.err.
# About 2.5 s; `timeout` bounds a hung browser (its children die with it).
browse() {
    set +e
    timeout -k 5 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
        --user-data-dir="$TMP/profile-$2" --enable-logging=stderr --v=0 \
        --dump-dom "file://$TMP/$1" >"$2.dom" 2>"$2.err"
    BRC=$?
    set -e
}

# console_errors FILE: the console messages Chromium logged (INFO:CONSOLE).
console_errors() { grep -E 'CONSOLE|Content Security Policy|Uncaught' "$1" || true; }

run conform report "$TESTS_DIR/data/conform/results-mixed.json" --html mixed.html
expect_rc 1
browse mixed.html mixed
check "chromium exited 0 (got $BRC; $(grep -v dbus mixed.err | tail -3))" test "$BRC" -eq 0
check "the page's script ran (data-js=ok)" grep -Eq '<html[^>]* data-js="ok"' mixed.dom
check "no script error caught" bash -c "! grep -q 'data-js-error=' mixed.dom"
ok
if [ -n "$(console_errors mixed.err)" ]; then
    fail "console messages: $(console_errors mixed.err | head -5)"
fi
check "the filter is shown once scripts run" bash -c "! grep -q '<label id=\"only-dis-box\" hidden' mixed.dom"
check "totals: laxsip pass 1" grep -Eq '<tr data-target="laxsip">.*data-verdict="pass">1</td>' mixed.dom
check "totals: laxsip fail 1" grep -Eq '<tr data-target="laxsip">.*data-verdict="fail">1</td>' mixed.dom
check "totals: laxsip error 1" grep -Eq '<tr data-target="laxsip">.*data-verdict="error">1</td>' mixed.dom
check "totals: clid pass 5" grep -Eq '<tr data-target="clid">.*data-verdict="pass">5</td>' mixed.dom
check "overall: not ok" grep -Fq 'id="overall" data-ok="0"' mixed.dom
# Hostile strings stayed text: the DOM has no element they could have made.
check "no <img> element in the DOM" bash -c "! grep -qi '<img' mixed.dom"
check "the detail is text" grep -Fq '&lt;script&gt;alert(1)&lt;/script&gt;' mixed.dom
check "two script elements only" test "$(grep -o '<script' mixed.dom | wc -l)" -eq 2

# The probe works: a page whose second script throws is caught by the first.
# (Without this, a broken listener would make the checks above pass vacuously.)
sed 's|document.documentElement.setAttribute(.data-js.,.ok.);|undefinedFn();&|' mixed.html \
    >broken.html
# The edited script no longer matches its CSP hash: drop the CSP for this probe.
sed -i '/Content-Security-Policy/d' broken.html
check "probe page differs" bash -c "! cmp -s mixed.html broken.html"
browse broken.html broken
check "probe: the error is caught" grep -Fq 'data-js-error="Uncaught ReferenceError: undefinedFn is not defined"' broken.dom
check "probe: no data-js=ok" bash -c "! grep -q 'data-js=\"ok\"' broken.dom"
check "probe: the console error is logged" grep -q 'undefinedFn' broken.err

finish
