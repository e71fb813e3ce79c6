#!/usr/bin/env bash
# The OOB gateway endpoints of clid serve (OOB-SPEC.md "Gateway endpoints")
# against a clid serve CPS on loopback:
#   egress: a signed INVITE -> published 1; no Identity -> published 0,
#   CLID_ERR_NO_IDENTITY; the CPS gone -> 502;
#   ingress: the INVITE without Identity -> TN-Validation-Passed, the
#   Identity header to add, caller edit exactly as /stir/v1/sip's; nothing
#   published -> No-TN-Validation, identity null; a request with Identity
#   -> 400; wrong Content-Type -> 415; no or a wrong signing token -> 401.
# usage: serve_oob_gw.sh CLID OOB_TOK
. "$(dirname "$0")/lib.sh" "$@"
OOB_TOK=$2
. "$(dirname "$0")/serve_lib.sh"
. "$TESTS_DIR/serve_oob_lib.sh"
oob_pki
oob_config c.json
serve_start c --config c.json
PID_C=$SPID; BASE_C=$BASE
oob_config g.json --arg u "$BASE_C/" 'del(.oob.cps) | .oob.gateway = {cps_url: $u,
    aud: "cps.test", budget_ms: 400, retry_ms: 50, allow_http: true, allow_private: true}'
serve_start g --config g.json
PID_G=$SPID; BASE_G=$BASE

sip() { # sip PATH FILE [CTYPE [BEARER]]: the service's signing token unless BEARER is given
    HTTP=$(curl -s -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' \
        -H "Content-Type: ${3:-message/sipfrag}" -H "Authorization: Bearer ${4-$TOKEN}" \
        --data-binary @"$2" "$BASE$1")
}
invite() { # invite DEST [IDENTITY] > file
    printf 'INVITE sip:%s@example.net SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\nFrom: <sip:+%s@example.com>;tag=1\r\nTo: <sip:+%s@example.net>\r\nCall-ID: c1@x\r\nCSeq: 1 INVITE\r\n%sContent-Length: 0\r\n\r\n' \
        "$1" "$ORIG" "$1" "${2:+Identity: $2$'\r\n'}"
}

sign_id
invite "$DEST" "$ID" >signed.sip
invite "$DEST" >bare.sip
sip /stir/v1/oob/egress signed.sip
expect_http 200 "egress of a signed INVITE"
body_is .oobEgressResponse '{"published":1,"reason":"CLID_OK"}'
sip /stir/v1/oob/egress bare.sip
expect_http 200 "egress without Identity"
body_is .oobEgressResponse '{"published":0,"reason":"CLID_ERR_NO_IDENTITY"}'
sip /stir/v1/oob/egress bare.sip application/json
expect_http 415 "egress as JSON"
# The gateway acts under this provider's SPC: the signing tokens guard it.
for ep in egress ingress; do
    sip /stir/v1/oob/$ep signed.sip message/sipfrag ""
    expect_http 401 "$ep without a bearer token"
    ok; grep -qi '^WWW-Authenticate: Bearer' "$TMP/headers" || fail "$ep: no WWW-Authenticate"
    sip /stir/v1/oob/$ep signed.sip message/sipfrag not-a-token-of-this-service
    expect_http 401 "$ep with a wrong bearer token"
    code_is CLID_ERR_OOB_TOKEN_MISSING
done

sip /stir/v1/oob/ingress bare.sip
expect_http 200 "ingress"
body_is .oobIngressResponse.verstat '"TN-Validation-Passed"'
body_is .oobIngressResponse.reason '"CLID_OK"'
ok; jq -e --arg id "${ID%%;*}" '.oobIngressResponse.identity | startswith($id)' "$TMP/body" \
    >/dev/null || fail "ingress: identity is not the published PASSporT: $(head -c 400 "$TMP/body")"
body_is .oobIngressResponse.caller.header '"From"'
ok; jq -e '.oobIngressResponse.caller.value | test("verstat=TN-Validation-Passed")' "$TMP/body" \
    >/dev/null || fail "ingress: caller not marked: $(head -c 400 "$TMP/body")"
# the same edit as /stir/v1/sip makes for the in-band call
CALLER=$(jq -c .oobIngressResponse.caller "$TMP/body")
sip /stir/v1/sip signed.sip
expect_http 200 "the in-band verification of the same call"
body_is .sipVerificationResponse.caller "$CALLER"

invite 12025550188 >none.sip
sip /stir/v1/oob/ingress none.sip
expect_http 200 "ingress, nothing published"
body_is .oobIngressResponse.verstat '"No-TN-Validation"'
body_is .oobIngressResponse.identity 'null'
sip /stir/v1/oob/ingress signed.sip
expect_http 400 "ingress of a request with Identity"

# The CPS gone: egress fails 502 (the proxy continues), ingress says
# No-TN-Validation, the gateway stays up.
SPID=$PID_C; serve_stop c
BASE=$BASE_G
sip /stir/v1/oob/egress signed.sip
expect_http 502 "egress with the CPS gone"
sip /stir/v1/oob/ingress bare.sip
expect_http 200 "ingress with the CPS gone"
body_is .oobIngressResponse.verstat '"No-TN-Validation"'
get /healthz
expect_http 200 "the gateway is alive"
SPID=$PID_G; serve_stop g
finish
