#!/usr/bin/env bash
# clid conform gen: the catalogue's format, the generated suite (layout,
# case.json = catalogue entry + call, INVITEs), determinism from the seed,
# and every case verified by clid against the suite's own x5u server
# (clid conform serve, kernel-picked port, stopped by PID): clid must give
# each case the verstat, SIP status and reason the catalogue expects.
. "$(dirname "$0")/lib.sh" "$@"
. "$TESTS_DIR/inproc.sh"

CAT=$TESTS_DIR/../../interop-tests/conformance/catalogue.json
jqe() { jq -e "$@" >/dev/null; }
AT=2026-06-01T12:00:00Z

# ---- the catalogue's format, checked independently of the generator ----
check "catalogue: version 1 and at least 60 cases" \
    jqe '.version == 1 and (.cases | length) >= 60' "$CAT"
check "catalogue: names [a-z0-9-]{1,48}, unique" \
    jqe '[.cases[].name] | (map(test("^[a-z0-9-]{1,48}$")) | all) and (length == (unique | length))' "$CAT"
check "catalogue: every case has the required members, of the right types" jqe '
    [.cases[] | (.group | IN("header","passport","freshness","binding","certificate","x5u","valid"))
      and (.clause | type == "string" and length > 0) and (.title | type == "string" and length > 0 and length <= 120)
      and (.signer | type == "string") and (.x5u | type == "string")
      and (.expect | keys == ["reason","sip","verstat"])
      and (.expect.verstat | IN("TN-Validation-Passed","TN-Validation-Failed","No-TN-Validation"))
      and (.expect.sip | type == "array" and length > 0 and all(type == "number"))
      and (.expect.reason | test("^CLID_(OK|ERR_[A-Z0-9_]+)$"))
      and ((.expect.reason == "CLID_OK") == (.expect.verstat == "TN-Validation-Passed"))
      and ((.expect.verstat == "TN-Validation-Passed") == (.expect.sip == [0]))
      and ((keys - ["name","group","clause","title","signer","x5u","claims","sip","corrupt","needs","expect","iat_offset","note"]) == [])
    ] | all' "$CAT"
check "catalogue: every group has cases" jqe '[.cases[].group] | unique | length == 7' "$CAT"
# issue 9 §1, bullet by bullet: a case for each item
for n in orig-mismatch dest-mismatch date-far-past date-far-future iat-stale iat-future no-identity \
    identity-empty info-absent info-not-x5u jose-ppt-absent param-ppt-mismatch jose-typ-wrong alg-none \
    alg-hs256 alg-es384 alg-missing sig-der sig-other-key b64-padding dest-tn-and-uri dest-tn-not-array \
    attest-w attest-missing attest-lowercase origid-missing iat-string orig-as-string duplicate-json-keys \
    compact-form identity-oversized b64-garbage several-identity-one-good identity-compact-name \
    cert-expired cert-not-yet-valid cert-revoked-direct cert-revoked-sti-pa cert-untrusted-root \
    cert-missing-intermediate cert-ca-as-signer cert-ku-no-digsig cert-no-tnauth spc-any-tn range-first \
    range-last range-one-past delegate-inside delegate-outside-parent jwtcc-violated ejwtcc-must-exclude \
    cert-tnauth-not-der x5u-wrong-cert x5u-404 x5u-timeout x5u-redirect x5u-private-address x5u-oversized \
    valid-attest-a valid-attest-b valid-attest-c valid-tn-range valid-delegate valid-div param-order \
    param-ppt-quoted info-no-brackets; do
    check "catalogue covers issue 9 §1: $n" jqe --arg n "$n" 'any(.cases[]; .name == $n)' "$CAT"
done

run conform gen --check
expect_rc 0
check "gen --check: the catalogue is valid" grep -q ": $(jq '.cases | length' "$CAT") cases, valid$" "$TMP/out"

# ---- the generator refuses a catalogue that breaks the format ----
bad_catalogue() { # NAME JQ-EDIT: exit 65, one line naming the case
    jq "$2" "$CAT" >"$TMP/bad.json"
    run conform gen --out "$TMP/bad" --base-url https://127.0.0.1:1 --catalogue "$TMP/bad.json"
    expect_rc 65
    check "bad catalogue ($1): the message names the case" grep -q "$1" "$TMP/err"
    check "bad catalogue ($1): nothing generated" test ! -e "$TMP/bad/suite.json"
    run conform gen --check --catalogue "$TMP/bad.json"
    expect_rc 65
}
bad_catalogue "valid-attest-a: corrupt: unknown corruption" '(.cases[] | select(.name == "valid-attest-a")).corrupt = ["no-such"]'
bad_catalogue "orig-mismatch: expect" '(.cases[] | select(.name == "orig-mismatch")).expect.reason = "CLID_OK"'
bad_catalogue "name used twice" '.cases += [.cases[0]]'
bad_catalogue "alg-none: signer" '(.cases[] | select(.name == "alg-none")).signer = "nobody"'
bad_catalogue "x5u-404: unknown member" '(.cases[] | select(.name == "x5u-404")).extra = 1'

# ---- the suite, generated with the port of its own x5u server ----
D=$TMP/suite
run conform gen --prepare --out "$D" --base-url https://127.0.0.1
expect_rc 0
for f in pki/tls-ca.pem pki/tls-server.pem pki/tls-server.key www/routes.json; do
    check "--prepare writes $f" test -s "$D/$f"
done
check "--prepare writes nothing else" test "$(find "$D" -type f | wc -l)" = 4
"$CLID" conform serve --root "$D/www" --cert-pem "$D/pki/tls-server.pem" \
    --key-pem "$D/pki/tls-server.key" --port 0 --ready-file "$TMP/ready" >/dev/null 2>"$TMP/serve.log" &
SERVE_PID=$!
trap 'kill "$SERVE_PID" 2>/dev/null || true; wait "$SERVE_PID" 2>/dev/null || true; rm -rf "$TMP"' EXIT
for _ in $(seq 300); do [ -s "$TMP/ready" ] && break; kill -0 "$SERVE_PID" || break; sleep 0.1; done
PORT=$(jq -r .port "$TMP/ready")
BASE=https://127.0.0.1:$PORT
run conform gen --out "$D" --base-url "$BASE" --seed s1 --at "$AT"
expect_rc 0
check "gen says how many cases" grep -q "^$(jq '.cases | length' "$CAT") cases in " "$TMP/out"
run conform gen --out "$D" --base-url "$BASE" --seed s1 --at "$AT"
expect_rc 1 # never over a suite

S=$D/suite.json
check "suite.json: the spec's members" jqe --arg b "$BASE" --arg c "$CAT" '
    .version == 1 and .seed == "s1" and .at == 1780315200 and .base_url == $b
    and .trust == "pki/trust.pem" and .tls_ca == "pki/tls-ca.pem" and (.crls | length) == 3
    and (.crl_signers | length) == 2' "$S"
check "suite.json: the cases in catalogue order" \
    test "$(jq -c .cases "$S")" = "$(jq -c '[.cases[].name]' "$CAT")"
for f in $(jq -r '[.trust, .tls_ca, .tls_cert, .tls_key] + .crls + .crl_signers | .[]' "$S"); do
    check "suite.json names an existing $f" test -s "$D/$f"
done
check "trust.pem: two roots (the rogue one is not there)" test "$(grep -c BEGIN "$D/pki/trust.pem")" = 2

# case.json is the catalogue entry plus call; invite.sip carries it (one
# jq and one perl over all cases: a process per case is too slow)
names=$(jq -r '.cases[]' "$S")
files=()
for n in $names; do files+=("$D/cases/$n/case.json"); done
jq -s --slurpfile cat "$CAT" '[ . as $cases | range(0; $cat[0].cases | length) as $i
    | $cases[$i] as $c | select(($c | del(.call)) != $cat[0].cases[$i]
        or ($c.call | keys) != ["at","date","dest","from","identity","identity_compact","orig","pai","to","x5u"]
        or $c.call.at != 1780315200 or ($c.call.identity | type) != "array"
        or ($c.call.identity_compact | type) != "boolean") | $cat[0].cases[$i].name ]' \
    "${files[@]}" >"$TMP/bad_cases"
check "every case.json is its catalogue entry plus call: $(cat "$TMP/bad_cases")" \
    test "$(jq length "$TMP/bad_cases")" = 0
check "every invite.sip is an INVITE to target.invalid with CRLF lines" perl -e '
    my $bad = 0;
    for my $f (@ARGV) {
        local $/; open(my $h, "<", $f) or die; my $m = <$h>;
        next if $m =~ /\AINVITE sip:\+?\d+\@target\.invalid;user=phone SIP\/2\.0\r\n/
            && $m !~ /[^\r]\n/ && $m =~ /\r\n\r\n\z/;
        print STDERR "bad INVITE: $f\n"; $bad = 1;
    }
    exit $bad' $(for n in $names; do echo "$D/cases/$n/invite.sip"; done)
# the INVITE's Identity headers are call.identity, in order
perl -e '
    for my $f (@ARGV) {
        local $/; open(my $h, "<", $f) or die; my $m = <$h>;
        my @v = map { s/\\/\\\\/gr =~ s/"/\\"/gr } ($m =~ /^(?:[Ii]dentity|y): ?([^\r]*)\r$/mg);
        print "[", join(",", map { "\"$_\"" } @v), "]\n";
    }' $(for n in $names; do echo "$D/cases/$n/invite.sip"; done) >"$TMP/sip_ids"
jq -c '.call.identity' "${files[@]}" >"$TMP/json_ids"
check "every INVITE carries call.identity as its Identity headers" cmp -s "$TMP/sip_ids" "$TMP/json_ids"
check "no-identity: no Identity header" test "$(jq -c .call.identity "$D/cases/no-identity/case.json")" = "[]"
check "identity-empty: one empty value" test "$(jq -c .call.identity "$D/cases/identity-empty/case.json")" = '[""]'
check "identity-compact-name: sent as y:" jqe '.call.identity_compact' "$D/cases/identity-compact-name/case.json"
check "valid-div: a shaken and a div PASSporT" test "$(jq '.call.identity | length' "$D/cases/valid-div/case.json")" = 2
check "pai-mismatch: the caller is the P-Asserted-Identity" \
    jqe '.call.orig == "12025550111" and .call.pai != null' "$D/cases/pai-mismatch/case.json"
check "date-far-past: Date one hour before" jqe '.call.date == .call.at - 3600' "$D/cases/date-far-past/case.json"

# ---- same seed, same suite (but the ECDSA signatures) ----
D2=$TMP/suite2
run conform gen --out "$D2" --base-url "$BASE" --seed s1 --at "$AT"
expect_rc 0
for n in $names; do
    for f in case.json invite.sip; do
        printf '%s\n' "$D/cases/$n/$f" >>"$TMP/list1"
        printf '%s\n' "$D2/cases/$n/$f" >>"$TMP/list2"
    done
done
# one stream per suite, each file on its own lines, signatures masked
strip_all() { xargs -d '\n' perl -pe 's/(eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_!*%\$+\/-]*)\.[A-Za-z0-9_=-]+/$1.SIG/g; s/([" ])\.\.[A-Za-z0-9_-]+/$1..SIG/g; print "\n== $ARGV\n" if $. == 1; close ARGV if eof' <"$1" | sed -E "s#^== $2/#== #"; }
strip_all "$TMP/list1" "$D" >"$TMP/stream1"
strip_all "$TMP/list2" "$D2" >"$TMP/stream2"
check "same seed: every case.json and invite.sip the same but for the signatures" \
    cmp -s "$TMP/stream1" "$TMP/stream2"
check "same seed: the streams compared hold every case" \
    test "$(grep -c '^== ' "$TMP/stream1")" = $((2 * $(jq '.cases | length' "$S")))
for k in "$D"/pki/certs/*.key; do
    check "same seed: same key $(basename "$k")" cmp -s "$k" "$D2/pki/certs/$(basename "$k")"
done
check "same seed: same serials" test \
    "$(for c in "$D"/pki/certs/*.pem; do openssl x509 -noout -serial -in "$c"; done)" = \
    "$(for c in "$D2"/pki/certs/*.pem; do openssl x509 -noout -serial -in "$c"; done)"
check "same seed: same routes.json" cmp -s "$D/www/routes.json" "$D2/www/routes.json"
run conform gen --out "$TMP/suite3" --base-url "$BASE" --seed s2 --at "$AT"
expect_rc 0
check "another seed: other origids" test \
    "$(jq -r '.call.identity[0]' "$D/cases/valid-attest-a/case.json" | cut -d. -f2)" != \
    "$(jq -r '.call.identity[0]' "$TMP/suite3/cases/valid-attest-a/case.json" | cut -d. -f2)"
check "another seed: other keys" bash -c "! cmp -s '$D/pki/certs/sp.key' '$TMP/suite3/pki/certs/sp.key'"

# ---- every case, verified by clid against the running server ----
# the verifier the catalogue assumes accepts ppt div (RFC 8946), as the clid
# target of conform run does
common=(--trust "$D/pki/trust.pem" --x5u-ca "$D/pki/tls-ca.pem" --at "$AT" --json
        --accept-ppt shaken --accept-ppt div)
for c in $(jq -r '.crls[]' "$S"); do common+=(--crl "$D/$c"); done
for c in $(jq -r '.crl_signers[]' "$S"); do common+=(--crl-signer "$D/$c"); done
for n in $names; do
    # the suite's server is on loopback; x5u-private-address is judged by
    # the default address policy (README: needs non-loopback)
    if [ "$(jq -r .x5u "$D/cases/$n/case.json")" = private-address ]; then
        inproc_add verify "${common[@]}" "$D/cases/$n/invite.sip"
    else
        inproc_add verify "${common[@]}" --allow-private-x5u "$D/cases/$n/invite.sip"
    fi
done
inproc_run
i=0
passed=0
for n in $names; do
    i=$((i + 1))
    got=$(jq -c '{verstat, reason, sip: .sip_status}' "$IP_DIR/$i.out" 2>/dev/null || echo '{}')
    if jqe --argjson g "$got" '.expect as $e | $g.verstat == $e.verstat and $g.reason == $e.reason
            and ($e.sip | index($g.sip)) != null' "$D/cases/$n/case.json" >/dev/null; then
        passed=$((passed + 1))
    else
        fail "clid on case $n: expected $(jq -c .expect "$D/cases/$n/case.json"), got $got: $(jq -r .detail "$IP_DIR/$i.out" 2>/dev/null | head -c 300)"
    fi
done
check "clid meets the catalogue on every case ($passed of $(jq '.cases | length' "$S"))" \
    test "$passed" = "$(jq '.cases | length' "$S")"
check "the server saw the x5u and redirect requests" grep -q '/x5u/redirect.pem 30' "$TMP/serve.log"

kill "$SERVE_PID"
wait "$SERVE_PID" 2>/dev/null || true
finish
