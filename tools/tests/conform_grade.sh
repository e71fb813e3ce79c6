#!/usr/bin/env bash
# clid conform grade (tools/conform/grade*.c): each class of signer defect
# gives its plain-words message with its clause, several defects in one
# value are all listed (the grader does not stop at the first), a clean
# signature gives none (exit 0), whole SIP requests (--sip) and
# certificates (the lint of clid cert lint) are graded, --json says the same.
# Inputs: values from `clid sign`, decoded and edited, then re-signed with
# the same key by conform_forge.py (python3-cryptography) so that only the
# deliberate edit is wrong.
. "$(dirname "$0")/lib.sh" "$@"

if ! /usr/bin/python3 -c 'import cryptography' 2>/dev/null; then
    echo "conform_grade.sh: needs python3-cryptography (scripts/install-deps.sh)" >&2
    exit 1
fi
PKI=$TMP/pki
sh "$TESTS_DIR/../../interop-tests/stir/make-pki.sh" "$PKI" >/dev/null
URL=https://certs.example.test/sp-chain.pem
ORIG=12155551000
DEST=12155552000
NOW=$(date +%s) # make-pki.sh certificates are valid from now
UUID=123e4567-e89b-12d3-a456-426614174000
cd "$TMP"
G=(conform grade --orig "$ORIG" --dest "$DEST" --trust "$PKI/root.pem"
    --x5u-map "$URL=$PKI/sp-chain.pem" --date "$NOW" --at "$NOW")

# The clean value clid signs, and its decoded parts to edit.
expect_ok sign --key "$PKI/sp.key" --cert "$PKI/sp.pem" --x5u "$URL" --orig "$ORIG" \
    --dest "$DEST" --attest A --at "$NOW" --origid "$UUID"
CLEAN=$(cat out)
b64d() { tr -- '-_' '+/' | base64 -d 2>/dev/null || true; }
HDR=$(cut -d. -f1 <<<"$CLEAN" | b64d)
CLAIMS=$(cut -d. -f2 <<<"$CLEAN" | b64d)
PARAMS=";${CLEAN#*;}"
check "decoded header" test "$HDR" = "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"$URL\"}"
check "params" test "$PARAMS" = ";info=<$URL>;alg=ES256;ppt=shaken"

forge() { /usr/bin/python3 "$TESTS_DIR/conform_forge.py" "$PKI/sp.key" "$@"; }

# grade_value VALUE [extra options]: grades one value in a file.
grade_value() {
    local v=$1
    shift
    printf '%s\n' "$v" >value.txt
    run "${G[@]}" "$@" value.txt
}
# has TEXT: the output holds TEXT (fixed string).
has() {
    ok
    if ! grep -Fq -- "$1" out; then
        fail "grade output lacks '$1': $(head -c 1500 out)"
    fi
}
# defects N: the value has exactly N defects.
defects() {
    ok
    if ! grep -q "Identity value: $1 defects\?\b" out; then
        fail "expected $1 defect(s): $(head -c 1500 out)"
    fi
}

# --- clean: no defect, exit 0 ----------------------------------------------------
grade_value "$CLEAN"
expect_rc 0
has "value.txt:1: Identity value: no defect (strict verdict: TN-Validation-Passed, CLID_OK, SIP 0)"
has "graded 1 item: 0 with defects, 0 defects in all"
# The forger itself is clean: whatever a forged case reports comes from its edit.
grade_value "$(forge "$HDR" "$CLAIMS" "$PARAMS")"
expect_rc 0
has "no defect"
# "Identity:" prefixes, comments and blank lines are read as a trace gives them.
printf '# from the trace\n\nIdentity: %s\r\n' "$CLEAN" >trace.txt
run "${G[@]}" trace.txt
expect_rc 0
has "trace.txt:3: Identity value: no defect"

# --- one defect class each ---------------------------------------------------------
grade_value "$(forge "$HDR" "$CLAIMS" "$PARAMS" --der)"
expect_rc 1
has "the signature is DER-encoded ("
has "bytes); RFC 7518 §3.4 requires the 64-byte r‖s form"
defects 1

expect_ok sign --key "$PKI/sp.key" --x5u "$URL" --orig "$ORIG" --dest "$DEST" --attest A \
    --at "$((NOW - 95))" --origid "$UUID"
printf '%s\n' "$(cat out)" >value.txt
run conform grade --orig "$ORIG" --dest "$DEST" --trust "$PKI/root.pem" \
    --x5u-map "$URL=$PKI/sp-chain.pem" --date "$NOW" value.txt
expect_rc 1
has "iat is 95 s before the Date header; RFC 8224 §4.1 requires them within the freshness window (60 s)"
defects 1
# The same value received now: stale as well.
run "${G[@]}" value.txt
has "iat is 95 s before the time it was received (--at); a verifier refuses an iat older than 60 s (RFC 8224 §6.2.2: 403 Stale Date)"
defects 2

# Padding: claims of a length that needs it.
grade_value "$(forge "$HDR" "${CLAIMS%\}},\"x\":1}" "$PARAMS" --pad)"
expect_rc 1
has "'=' padding character"
has "RFC 7515 §2 requires base64url without padding"

grade_value "$(forge "${HDR/\"ppt\":\"shaken\",/}" "$CLAIMS" "$PARAMS")"
has "the JOSE header has no ppt; RFC 8588 §3 requires ppt \"shaken\""
grade_value "$(forge "${HDR/\"typ\":\"passport\"/\"typ\":\"JWT\"}" "$CLAIMS" "$PARAMS")"
has "the JOSE header's typ is \"JWT\"; RFC 8225 §4 requires \"passport\""
defects 1
grade_value "$(forge "${HDR/ES256/ES384}" "$CLAIMS" "$PARAMS")"
has "the JOSE header's alg is \"ES384\"; RFC 8225 §4 and ATIS-1000074 §5.3.1 require \"ES256\""
grade_value "$(forge "${HDR/\"alg\":\"ES256\",/\"alg\":\"ES256\",\"crit\":[\"x-ext\"],\"x-ext\":1,}" "$CLAIMS" "$PARAMS")"
has "the JOSE header has crit (critical extensions); RFC 7515 §4.1.11 makes verifiers that do not understand the extensions it names reject the PASSporT"
defects 1
grade_value "$(forge "${HDR/\"alg\":\"ES256\",/}" "$CLAIMS" "$PARAMS")"
has "the JOSE header has no alg; RFC 8225 §4 requires alg ES256"

grade_value "$(forge "$HDR" "$CLAIMS" ";alg=ES256;ppt=shaken")"
has "the header value has no info parameter; RFC 8224 §4.1 requires info=<URL of the signer's certificate>"
grade_value "$(forge "$HDR" "$CLAIMS" ";info=<$URL>;ppt=shaken")"
has "the header value has no alg parameter; SHAKEN signers send alg=ES256 (RFC 8224 §4.1, ATIS-1000074 §5.3.1)"
defects 1
grade_value "$(forge "$HDR" "$CLAIMS" ";info=<$URL>;alg=ES256")"
has "the header value has no ppt parameter; RFC 8224 §4.1 requires ppt"
defects 1
grade_value "$(forge "$HDR" "$CLAIMS" ";info=$URL;alg=ES256;ppt=shaken")"
has "the info URL is not in angle brackets; the RFC 8224 §4.1 grammar writes info=<URL>"
# A quoted ppt and another parameter order are what RFC 8224 §4.1 allows.
grade_value "$(forge "$HDR" "$CLAIMS" ";ppt=\"shaken\";alg=ES256;info=<$URL>")"
expect_rc 0

grade_value "$(forge "$HDR" "${CLAIMS/\"attest\":\"A\"/\"attest\":\"a\"}" "$PARAMS")"
has "attest is \"a\" in lower case; RFC 8588 §4 allows only \"A\", \"B\" or \"C\""
defects 1
grade_value "$(forge "$HDR" "${CLAIMS/\"attest\":\"A\",/}" "$PARAMS")"
has "the claims have no attest; RFC 8588 §4 requires attest A, B or C"
grade_value "$(forge "$HDR" "${CLAIMS/$UUID/not-a-uuid}" "$PARAMS")"
has "origid \"not-a-uuid\" is not a UUID; RFC 8588 §4 requires one"
defects 1
grade_value "$(forge "$HDR" "${CLAIMS/,\"origid\":\"$UUID\"/}" "$PARAMS")"
has "the claims have no origid; RFC 8588 §4 requires a UUID there"
grade_value "$(forge "$HDR" "${CLAIMS/\"tn\":\"$ORIG\"/\"tn\":\"+1-215-555-1000\"}" "$PARAMS")"
has "orig.tn \"+1-215-555-1000\" is not canonical; RFC 8225 §5.2.1 requires the form of RFC 8224 §8.3"
grade_value "$(forge "$HDR" "${CLAIMS/\"iat\":$NOW/\"iat\":\"$NOW\"}" "$PARAMS")"
has "iat is the string \"$NOW\"; RFC 8225 §5.1.1 requires a NumericDate, a JSON number"
grade_value "$(forge "$HDR" "${CLAIMS/\"tn\":\"$ORIG\"/\"tn\":$ORIG}" "$PARAMS")"
has "orig.tn is an integer; RFC 8225 §5.2.1 requires a string"
grade_value "$(forge "$HDR" "${CLAIMS/\"tn\":\[\"$DEST\"\]/\"tn\":\"$DEST\"}" "$PARAMS")"
has "dest.tn is a string; RFC 8225 §5.2.1 requires an array of strings, even for one number"
grade_value "$(forge "$HDR" "${CLAIMS/\"tn\":\[\"$DEST\"\]/\"tn\":[\"$DEST\"],\"uri\":[\"sip:$DEST@example.com\"]}" "$PARAMS")"
has "dest carries 2 forms (tn and uri); a SHAKEN PASSporT gives the called numbers once"
grade_value "$(forge "$HDR" "${CLAIMS/\"attest\":\"A\"/\"attest\":\"A\",\"attest\":\"B\"}" "$PARAMS")"
has "a member is repeated in the claims"
has "RFC 7515 §5.2 and RFC 7519 §4 require unique names"
grade_value "$(forge "${HDR/https:/http:}" "$CLAIMS" ";info=<${URL/https:/http:}>;alg=ES256;ppt=shaken")"
has "the x5u URL 'http://certs.example.test/sp-chain.pem' is not https; ATIS-1000074 §5.3.1 requires an https URL"
has "the info URL 'http://certs.example.test/sp-chain.pem' is not https"
grade_value "$(forge "${HDR/sp-chain/other}" "$CLAIMS" "$PARAMS")"
has "the JOSE header's x5u 'https://certs.example.test/other.pem' differs from the info parameter"

expect_ok sign --key "$PKI/sp.key" --x5u "$URL" --orig "$ORIG" --dest "$DEST" --attest A \
    --at "$NOW" --origid "$UUID" --compact
grade_value "$(cat out)$PARAMS"
has "the PASSporT is in compact form (no header and claims); ATIS-1000074 §5.3.3 requires the full form"
grade_value "${CLEAN/./.%%}"
has "the claims is not base64url: it holds the character 0x25"
grade_value "abc.def$PARAMS"
has "the PASSporT is not three base64url parts separated by '.' (RFC 7515 §7.1)"

# What only the verifier sees: a signature by another key, another caller.
grade_value "$(/usr/bin/python3 "$TESTS_DIR/conform_forge.py" "$PKI/other.key" "$HDR" "$CLAIMS" "$PARAMS")"
expect_rc 1
has "the strict verifier refuses it: signature does not verify with the signer certificate's key (CLID_ERR_SIGNATURE_INVALID)"
defects 1
printf '%s\n' "$CLEAN" >value.txt
run conform grade --orig 12155559999 --dest "$DEST" --trust "$PKI/root.pem" \
    --x5u-map "$URL=$PKI/sp-chain.pem" --date "$NOW" --at "$NOW" value.txt
has "orig.tn \"12155551000\" is not the call's calling number 12155559999; RFC 8224 §5.1 binds the PASSporT to the request's caller"
defects 1
run conform grade --orig "$ORIG" --dest "$DEST" --trust "$PKI/inter.pem" \
    --x5u-map "$URL=$PKI/sp-chain.pem" --at "$NOW" value.txt
has "the strict verifier refuses it:"
has "(strict verdict: TN-Validation-Failed, CLID_ERR_CERT_"

# --- several defects at once: every one is listed --------------------------------
grade_value "$(forge "${HDR/\"typ\":\"passport\"/\"typ\":\"JWT\"}" \
    "${CLAIMS/\"attest\":\"A\"/\"attest\":\"c\"}" ";info=<$URL>;ppt=shaken" --der --pad)"
expect_rc 1
has "the signature is DER-encoded"
has "padding"
has "typ is \"JWT\""
has "attest is \"c\" in lower case"
has "no alg parameter"
# --json lists them with ids and clauses.
printf '%s\n' "$(forge "$HDR" "${CLAIMS/\"attest\":\"A\"/\"attest\":\"c\"}" "$PARAMS" --der)" >value.txt
run "${G[@]}" --json value.txt
expect_rc 1
jq_is '[.ok, .defects, [.items[0].defects[].id]]' '[false,2,["sig.der","claims.attest-case"]]'
jq_is '.items[0].defects[0].clause' '"RFC 7518 §3.4"'
# The verifier stops at its first reason; the grader listed both.
jq_is '.items[0].verdict.reason' '"CLID_ERR_PASSPORT_ATTEST"'

# --- directories, SIP requests -----------------------------------------------------
mkdir dir
printf '%s\n' "$CLEAN" >dir/a.txt
forge "$HDR" "$CLAIMS" "$PARAMS" --der >dir/b.txt
run "${G[@]}" dir
expect_rc 1
has "dir/a.txt:1: Identity value: no defect"
has "dir/b.txt:1: Identity value: 1 defect"
has "graded 2 items: 1 with defects, 1 defect in all"

DATE=$(date -u -d "@$NOW" '+%a, %d %b %Y %H:%M:%S GMT')
sed "s/^Max-Forwards: 70\r\$/Max-Forwards: 70\r\nDate: $DATE\r/" \
    "$TESTS_DIR/../../lib/tests/sip/golden/sipp_uac_tn.sip" >req.sip
check "Date added" grep -q "^Date: $DATE" req.sip
expect_ok sign --key "$PKI/sp.key" --x5u "$URL" --attest A --at "$NOW" --origid "$UUID" req.sip
cp out signed.sip
SIPG=(conform grade --sip --trust "$PKI/root.pem" --x5u-map "$URL=$PKI/sp-chain.pem" --at "$NOW")
run "${SIPG[@]}" signed.sip
expect_rc 0
has "signed.sip: SIP request: no defect"
has "signed.sip: Identity header 1: no defect (strict verdict: TN-Validation-Passed, CLID_OK, SIP 0)"
run "${SIPG[@]}" req.sip
expect_rc 1
has "req.sip: SIP request: 1 defect"
has "the request carries no Identity header: the call is unsigned"
sed "s/^Date: .*/Date: $(date -u -d "@$((NOW + 95))" '+%a, %d %b %Y %H:%M:%S GMT')\r/" signed.sip >late.sip
run "${SIPG[@]}" late.sip
expect_rc 1
has "iat is 95 s before the Date header"
sed 's/^Identity: /y: /' signed.sip >compact.sip
run "${SIPG[@]}" compact.sip
expect_rc 0
has "compact.sip: Identity header 1: no defect"
expect_error 64 'no --orig, --dest or --date' conform grade --sip --orig 1 signed.sip

# --- certificates: the lint of clid cert lint --------------------------------------
run conform grade --cert "$PKI/sp-chain.pem"
expect_rc 1
has "sp-chain.pem: 2 certificates (profile shaken):"
has "(crldp.present)"
run cert lint --profile shaken "$PKI/sp-chain.pem"
LINT_ERRORS=$(grep -c ': error: ' out || true)
check "the lint finds errors in make-pki.sh's chain" test "$LINT_ERRORS" -gt 0
run conform grade --cert "$PKI/sp-chain.pem" --json
jq_is '.items[0].defects | length' "$LINT_ERRORS"
# A chain among the files is linted too (recognized by its content).
run "${G[@]}" "$PKI/sp-chain.pem"
has "2 certificates (profile shaken)"

# DER is recognized by its first bytes (30 81/82), a text line starting with '0' is not DER.
openssl x509 -in "$PKI/sp.pem" -outform DER -out sp.der
run conform grade sp.der
has "sp.der: 1 certificate (profile shaken):"
printf '0abc.def.ghi%s\n' "$PARAMS" >zero.txt
run "${G[@]}" zero.txt
has "zero.txt:1: Identity value:"

# --- usage and input errors ----------------------------------------------------------
expect_error 64 'nothing to grade' conform grade
expect_error 64 'not a telephone number' conform grade --orig abc value.txt
expect_error 66 'missing.txt' conform grade missing.txt
: >empty.txt
expect_error 65 'empty.txt: no Identity value in it' conform grade empty.txt

finish
