#!/usr/bin/env bash
# clid trace --html in a real browser (issue 11 "Tests that must exist"):
# headless Chromium loads the report of a capture with passed, failed and
# unsigned calls and a hostile Call-ID, and dumps the DOM. The summary
# numbers must be there, the three charts drawn, the page's script run (it
# also proves the CSP hashes match), no script error caught or logged, and
# the hostile Call-ID must have stayed text.
# Skips (77) only when chromium or text2pcap is missing (install-deps.sh
# installs both). Chromium as root: --no-sandbox, --disable-dev-shm-usage
# (deps-breadth.md §5).
. "$(dirname "$0")/lib.sh" "$@"
. "$(dirname "$0")/trace_lib.sh"

CHROMIUM=${CHROMIUM:-$(command -v chromium || true)}
if [ -z "$CHROMIUM" ]; then
    echo "trace_chromium.sh: chromium not installed (scripts/install-deps.sh): skipped"
    exit 77
fi
cd "$TMP"
trace_pki
T=$T0

sip_invite a.sip pass-1@h z9hG4bKa
sign_at a.signed a.sip "$T"
sip_invite b.sip pass-2@h z9hG4bKb
sign_at b.signed b.sip "$T"
sip_invite c.sip stale-3@h z9hG4bKc
sign_at c.signed c.sip $((T - 900))
sip_invite d.sip unsigned-4@h z9hG4bKd
sip_invite e.sip '<img src=x onerror=alert(1)>@h' z9hG4bKe
pcap_udp calls.pcap "$T" a.signed $((T + 1)) b.signed $((T + 30)) c.signed \
    $((T + 31)) d.sip $((T + 32)) e.sip

run trace --trust "$PKI/root.pem" --x5u-map "$URL=$PKI/sp-chain.pem" --calls 0 \
    --html report.html calls.pcap
expect_rc 0

set +e
timeout -k 5 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --user-data-dir="$TMP/profile" --enable-logging=stderr --v=0 \
    --dump-dom "file://$TMP/report.html" >dom.html 2>chrome.err
BRC=$?
set -e
check "chromium exited 0 (got $BRC; $(grep -v dbus chrome.err | tail -3))" test "$BRC" -eq 0
check "the page's script ran (data-js=ok)" grep -Eq '<html[^>]* data-js="ok"' dom.html
check "no script error caught" bash -c "! grep -q 'data-js-error=' dom.html"
ok
if grep -Eq 'CONSOLE|Content Security Policy|Uncaught' chrome.err; then
    fail "console messages: $(grep -E 'CONSOLE|Content Security Policy|Uncaught' chrome.err | head -5)"
fi
check "summary: 5 calls" grep -Fq 'id="n-calls">5</div>' dom.html
check "summary: 2 passed" grep -Fq 'id="n-passed">2</div>' dom.html
check "summary: 1 failed" grep -Fq 'id="n-failed">1</div>' dom.html
check "summary: 2 unsigned" grep -Fq 'id="n-unsigned">2</div>' dom.html
check "chart: verdicts over time has bars" \
    perl -0777 -ne 'exit(/<svg id="chart-time"[^>]*>(?:(?!<\/svg>).)*<rect/s ? 0 : 1)' dom.html
check "chart: reasons" grep -Eq '<svg id="chart-reasons"' dom.html
check "chart: signers" grep -Eq '<svg id="chart-signers"' dom.html
check "signers failing most: the stale call's x5u" grep -Fq 'IAT_STALE (1)' dom.html
check "the hostile Call-ID is text" grep -Fq '&lt;img src=x onerror=alert(1)&gt;@h' dom.html
check "no <img> element in the DOM" bash -c "! grep -qi '<img' dom.html"
check "two script elements only" test "$(grep -o '<script' dom.html | wc -l)" -eq 2
finish
