#!/usr/bin/env bash
# clid trace on captures the test makes (issue 11 "Tests that must exist"):
# INVITEs signed with `clid sign` (good, forged, stale, unknown x5u) and
# unsigned, each with a final response, written into pcap by text2pcap over
# UDP and TCP; a UDP retransmission. Asserts the per-call verdicts in --json
# and --csv (and that each equals what `clid verify FILE --at <packet time>`
# says of the same request), the final responses, the folding, the summary;
# that tshark counts as many INVITEs as clid; that --threads 1 and 2 give the
# same output; the verified caller name and div chain length (Rich Call Data,
# diverted calls); --cert-dir; --fetch (a loopback x5u server); --calls; a
# truncated capture and a message limit (warnings, the run goes on); usage.
. "$(dirname "$0")/lib.sh" "$@"
. "$(dirname "$0")/trace_lib.sh"
cd "$TMP"
trace_pki

T=$T0
# --- the calls -------------------------------------------------------------
sip_invite good.sip good-1@a z9hG4bKgood
sign_at good.signed good.sip "$T"
sip_response good.200 200 good-1@a z9hG4bKgood tg

sip_invite forged.sip forged-2@a z9hG4bKforged
sign_at forged.tmp forged.sip "$T"
# the signature's last characters changed: the PASSporT no longer verifies
perl -pe 's/^(Identity: [^.]+\.[^.]+\.[A-Za-z0-9_-]{10})[A-Za-z0-9_-]{4}/${1}AAAA/' \
    forged.tmp >forged.signed
check "forged request differs" bash -c "! cmp -s forged.tmp forged.signed"
sip_response forged.403 438 forged-2@a z9hG4bKforged tf

sip_invite stale.sip stale-3@a z9hG4bKstale
sign_at stale.signed stale.sip $((T - 600))
sip_response stale.403 403 stale-3@a z9hG4bKstale ts

sip_invite unsigned.sip unsigned-4@a z9hG4bKuns
sip_response unsigned.428 428 unsigned-4@a z9hG4bKuns tu

sip_invite nox5u.sip nox5u-5@a z9hG4bKnox5u
sign_at nox5u.signed nox5u.sip "$T" https://elsewhere.example.test/other.pem
sip_response nox5u.180 180 nox5u-5@a z9hG4bKnox5u tn

# UDP file: good (retransmitted), forged, stale, unsigned; TCP file: the
# call whose x5u is unknown, which never gets a final response.
pcap_udp udp.pcap $T good.signed $((T + 1)) good.signed $((T + 1)) good.200 \
    $((T + 2)) forged.signed $((T + 2)) forged.403 $((T + 3)) stale.signed \
    $((T + 3)) stale.403 $((T + 4)) unsigned.sip $((T + 4)) unsigned.428
pcap_tcp tcp.pcap $((T + 5)) nox5u.signed $((T + 5)) nox5u.180

# What clid verify says of each request at its packet's time: the oracle.
declare -A WANT
WANT[good-1@a]=$(verify_reason good.signed "$T")
WANT[forged-2@a]=$(verify_reason forged.signed $((T + 2)))
WANT[stale-3@a]=$(verify_reason stale.signed $((T + 3)))
WANT[unsigned-4@a]=$(verify_reason unsigned.sip $((T + 4)))
WANT[nox5u-5@a]=CLID_ERR_X5U_UNMAPPED # clid verify would fetch it; clid trace is offline
check "oracle: good passes" [ "${WANT[good-1@a]}" = CLID_OK ]
check "oracle: forged fails on its signature" [ "${WANT[forged-2@a]}" = CLID_ERR_SIGNATURE_INVALID ]
check "oracle: stale is stale" [ "${WANT[stale-3@a]}" = CLID_ERR_IAT_STALE ]
check "oracle: unsigned has no identity" [ "${WANT[unsigned-4@a]}" = CLID_ERR_NO_IDENTITY ]

OPTS=(--trust "$PKI/root.pem" --x5u-map "$URL=$PKI/sp-chain.pem")

# --- JSON ------------------------------------------------------------------
expect_ok trace "${OPTS[@]}" --json --threads 1 udp.pcap tcp.pcap
cp out t1.json
jq_is '.calls | length' 5
jq_is '[.calls[].call_id]' '["good-1@a","forged-2@a","stale-3@a","unsigned-4@a","nox5u-5@a"]'
for id in good-1@a forged-2@a stale-3@a unsigned-4@a nox5u-5@a; do
    jq_is ".calls[] | select(.call_id == \"$id\") | .reason" "\"${WANT[$id]}\""
done
jq_is '[.calls[].verdict]' '["passed","failed","failed","unsigned","failed"]'
jq_is '[.calls[].final_response]' '[200,438,403,428,null]'
jq_is '.calls[0] | [.retransmissions, .packet, .final_packet, .attest, .orig, .dest]' \
    '[1,1,3,"A","12155550123","12155552000"]'
jq_is '.calls[0].signer.spc' '"709J"'
jq_is '.calls[0].signer.subject | test("SHAKEN 709J")' true
jq_is ".calls[0].ts" "$T"
jq_is '.calls[4].file' '"tcp.pcap"'
jq_is '.calls[4].reason' '"CLID_ERR_X5U_UNMAPPED"'
jq_is '.summary | [.calls, .passed, .failed, .unsigned]' '[5,1,3,1]'
jq_is '.summary.legs | [.retransmissions, .no_final_response]' '[1,1]'
jq_is '.summary.final_responses | [.["2xx"], .["4xx"], .none]' '[1,3,1]'
# the forged call's signer (709J, 1 of 2 failed) first, then the calls whose
# certificate was never had, by x5u URL
jq_is '.summary.signers_failing_most | map([.spc, .failed, .calls, .x5u])' \
    '[["709J",1,2,null],[null,1,1,"https://certs.example.test/sp-chain.pem"],[null,1,1,"https://elsewhere.example.test/other.pem"]]'
jq_is '.summary.reasons | map(.count) | add' 5

# tshark, an independent decoder, sees as many INVITEs (packets and calls).
for f in udp.pcap tcp.pcap; do
    run trace "${OPTS[@]}" --json "$f"
    ROWS=$(jq '.calls | length' out)
    PKTS=$(jq '[.calls[] | select(.method == "INVITE") | 1 + .retransmissions] | add' out)
    check "$f: tshark INVITE packets ($(tshark_invites "$f")) = clid's ($PKTS)" \
        [ "$(tshark_invites "$f")" -eq "$PKTS" ]
    check "$f: tshark INVITE calls ($(tshark_invite_callids "$f")) = clid's rows ($ROWS)" \
        [ "$(tshark_invite_callids "$f")" -eq "$ROWS" ]
done

# --- threads: the same output ------------------------------------------------
expect_ok trace "${OPTS[@]}" --json --threads 2 udp.pcap tcp.pcap
check "threads 1 and 2: same calls" \
    cmp -s <(jq -S .calls t1.json) <(jq -S .calls out)
check "threads 1 and 2: same summary but the run time" \
    cmp -s <(jq -S 'del(.summary.run)' t1.json) <(jq -S 'del(.summary.run)' out)
expect_ok trace "${OPTS[@]}" --csv --threads 1 udp.pcap tcp.pcap
cp out t1.csv
expect_ok trace "${OPTS[@]}" --csv --threads 2 udp.pcap tcp.pcap
check "threads 1 and 2: same CSV" cmp -s t1.csv out

# --- CSV ---------------------------------------------------------------------
check "CSV: header and 5 rows" [ "$(wc -l <t1.csv)" -eq 6 ]
check "CSV: CRLF lines" bash -c "[ \$(grep -c \$'\\r\$' t1.csv) -eq 6 ]"
python3 - t1.csv >csv.txt <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
for r in rows:
    print(r["call_id"], r["verstat"], r["reason"], r["final_response"], r["retransmissions"],
          r["signer_spc"], sep="|")
PY
check "CSV: good row" grep -Fxq "good-1@a|TN-Validation-Passed|CLID_OK|200|1|709J" csv.txt
check "CSV: forged row" grep -Fxq "forged-2@a|TN-Validation-Failed|${WANT[forged-2@a]}|438|0|709J" csv.txt
check "CSV: unsigned row" grep -Fxq "unsigned-4@a|No-TN-Validation|CLID_ERR_NO_IDENTITY|428|0|" csv.txt
check "CSV: no final response" grep -Fxq "nox5u-5@a|TN-Validation-Failed|CLID_ERR_X5U_UNMAPPED||0|" csv.txt

# --- the table (default) ------------------------------------------------------
expect_ok trace "${OPTS[@]}" udp.pcap tcp.pcap
check "table: header" grep -q '^TIME (UTC) *CALL-ID' out
check "table: 5 call rows" [ "$(grep -c '@a ' out)" -eq 5 ]
check "table: the retransmission is noted" grep -q 'good-1@a.*passed.*\[retransmitted x1\]' out
check "summary: calls" grep -Eq '^calls +5$' out
check "summary: failed 3" grep -Eq '^  failed +3 ' out
check "summary: signer failing most" grep -Eq '^ +1/2 +709J .*: SIGNATURE_INVALID \(1\)$' out
check "no progress bar when stderr is not a terminal" [ ! -s err ]
expect_ok trace "${OPTS[@]}" --calls 0 udp.pcap
check "--calls 0: no table" bash -c "! grep -q '^TIME' out"
check "--calls 0: the summary" grep -Eq '^calls +4$' out

# --- two Identity headers: a forged one, then a good one: the call passes
# (RFC 8224 §6.2: one valid Identity is enough)
sip_invite two.sip two-6@a z9hG4bKtwo
sign_at two.tmp two.sip "$T"
perl -pe 's/^(Identity: [^.]+\.[^.]+\.[A-Za-z0-9_-]{10})[A-Za-z0-9_-]{4}/${1}AAAA/' two.tmp >two.forged
sign_at two.signed two.forged "$T"
check "two Identity headers" [ "$(grep -c '^Identity: ' two.signed)" -eq 2 ]
pcap_udp two.pcap "$T" two.signed
expect_ok trace "${OPTS[@]}" --json two.pcap
jq_is '.calls[0] | [.identities, .verdict, .reason]' '[2,"passed","CLID_OK"]'

# --- Rich Call Data and a diverted call (issue 14): the verified name and the
# div chain's length per call
sip_invite rcd.sip rcd-7@a z9hG4bKrcd
"$CLID" sign --key "$PKI/sp.key" --cert "$PKI/sp.pem" --x5u "$URL" --attest A --at "$T" \
    --rcd-name "Q Branch" --output rcd.signed rcd.sip || fail "clid sign --rcd-name failed"
sip_invite div.sip div-8@a z9hG4bKdiv
# retargeted by the callee's network to +12155552001, as History-Info records
sed -i 's/^INVITE sip:+12155552000@/INVITE sip:+12155552001@/;
        s/^Content-Length: 0\r$/History-Info: <sip:+12155552000@10.0.0.2>;index=1,<sip:+12155552001@10.0.0.2>;index=1.1;rc=1\r\nContent-Length: 0\r/' div.sip
sign_at div.orig div.sip "$T"
"$CLID" sign --key "$PKI/sp.key" --cert "$PKI/sp.pem" --x5u "$URL" --at "$T" --div \
    --output div.signed div.orig || fail "clid sign --div failed"
check "div: two Identity headers" [ "$(grep -c '^Identity: ' div.signed)" -eq 2 ]
pcap_udp rcd.pcap "$T" rcd.signed "$T" div.signed "$T" good.signed
expect_ok trace "${OPTS[@]}" --accept-ppt shaken --accept-ppt div --json rcd.pcap
jq_is '[.calls[] | [.call_id, .verdict, .rcd_name, .div_links]]' \
    '[["rcd-7@a","passed","Q Branch",0],["div-8@a","passed",null,1],["good-1@a","passed",null,0]]'
# the RCD PASSporT forged: no name for a call that did not pass
perl -pe 's/^(Identity: [^.]+\.[^.]+\.[A-Za-z0-9_-]{10})[A-Za-z0-9_-]{4}/${1}AAAA/' rcd.signed >rcd.forged
pcap_udp rcdf.pcap "$T" rcd.forged
expect_ok trace "${OPTS[@]}" --json rcdf.pcap
jq_is '.calls[0] | [.verdict, .rcd_name]' '["failed",null]'

# --- --cert-dir: the chain by the URL's last segment ---------------------------
mkdir certs
cp "$PKI/sp-chain.pem" certs/
expect_ok trace --trust "$PKI/root.pem" --cert-dir certs --json udp.pcap
jq_is '.calls[0].reason' '"CLID_OK"'
# an x5u URL without .pem is found as NAME.pem
sign_at cd.signed good.sip "$T" https://certs.example.test/chains/sp1
pcap_udp cd.pcap "$T" cd.signed
cp "$PKI/sp-chain.pem" certs/sp1.pem
expect_ok trace --trust "$PKI/root.pem" --cert-dir certs --json cd.pcap
jq_is '.calls[0].reason' '"CLID_OK"'
# without any certificate source the x5u cannot be had: offline by default
expect_ok trace --trust "$PKI/root.pem" --json udp.pcap
jq_is '.calls[0].reason' '"CLID_ERR_X5U_UNMAPPED"'

# --- --fetch: over the network, under clid verify's URL policy --------------
python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$PKI" >http.out 2>http.err &
HTTPD=$!
trap 'kill $HTTPD 2>/dev/null || true; rm -rf "$TMP"' EXIT
for _ in $(seq 1 100); do
    grep -q ' port [0-9]' http.out && break
    kill -0 "$HTTPD" 2>/dev/null || break
    sleep 0.1
done
HPORT=$(sed -n 's/.* port \([0-9]*\).*/\1/p' http.out | head -1)
check "x5u server is up ($(cat http.err))" [ -n "$HPORT" ]
sign_at net.signed good.sip "$T" "http://127.0.0.1:$HPORT/sp-chain.pem"
pcap_udp net.pcap "$T" net.signed
expect_ok trace --trust "$PKI/root.pem" --fetch --allow-http-x5u --allow-private-x5u --json net.pcap
jq_is '.calls[0].reason' '"CLID_OK"'
expect_ok trace --trust "$PKI/root.pem" --fetch --json net.pcap
jq_is '.calls[0].reason' '"CLID_ERR_X5U_URL_POLICY"'
expect_ok trace --trust "$PKI/root.pem" --json net.pcap
jq_is '.calls[0].reason' '"CLID_ERR_X5U_UNMAPPED"'
expect_error 64 'are for --fetch' trace --trust "$PKI/root.pem" --allow-http-x5u net.pcap
kill "$HTTPD"
wait "$HTTPD" 2>/dev/null || true

# --- HTML is written (its rendering: trace_chromium.sh) -------------------------
expect_ok trace "${OPTS[@]}" --html report.html --calls 0 udp.pcap tcp.pcap
check "html: written" grep -q 'id="n-calls">5<' report.html
check "html: CSP" grep -q "Content-Security-Policy\" content=\"default-src 'none'" report.html

# --- bad input: a warning with the packet number, the run goes on ------------
head -c -40 udp.pcap >trunc.pcap
expect_ok trace "${OPTS[@]}" --json trunc.pcap
jq_is '.calls | length' 4
check "truncated: a warning naming a packet" grep -Eq '^clid: trace: trunc.pcap: packet [0-9]+: ' err
jq_is '.summary.input.warnings > 0' true
# a message limit below the INVITEs' size: they are skipped with a warning
expect_ok trace "${OPTS[@]}" --json --limit-message 400 udp.pcap
jq_is '.calls | length' 1   # the unsigned INVITE is small enough
jq_is '.summary.input | .warnings > 0 and .dropped > 0' true
check "limit: warnings on stderr" grep -Eq '^clid: trace: udp.pcap: packet [0-9]+: ' err

# --- usage and input errors ------------------------------------------------------
expect_error 64 'a capture FILE or -i IFACE' trace --json
expect_error 64 'one or the other' trace --json --csv udp.pcap
expect_error 64 'only with -i' trace --filter 'udp' udp.pcap
expect_error 64 'no FILE with a live capture' trace -i lo udp.pcap
expect_error 64 '--threads' trace --threads 0x udp.pcap
expect_error 66 'nonexistent.pcap' trace nonexistent.pcap
expect_error 66 'nonexistent.pcap' trace --json nonexistent.pcap
expect_error 66 'not a pcap' trace --csv "$PKI/root.pem"
finish
