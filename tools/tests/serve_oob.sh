#!/usr/bin/env bash
# clid serve as a Call Placement Service (issue 12; OOB-SPEC.md) over real
# HTTP on loopback, with the store given as the third argument (memory or
# redis: the SAME suite, the Redis store against a redis-server this test
# starts on a Unix socket; skipped, exit 77, only when redis-server is
# absent):
#   publish -> retrieve round trip; SPC-restricted retrieval (ATIS-1000105);
#   every refusal: 401 (no token + WWW-Authenticate, garbled, expired, wrong
#   aud), 403 (iss not an SPC of the token certificate, wrong action), 409
#   (jti replayed, publish and retrieve), 400 (body, path number, PASSporT
#   of another call), 413 (too many passports, body too big), 404 (nothing
#   published, bad path), expiry at the publish token's exp (a short
#   retention: exp 2 s ahead), /health, /metrics counters; 60 publishes
#   from 8 clients at once (all 201), then replayed at once (all 409);
#   memory: the record bound -> 503 CLID_ERR_OOB_STORE_FULL;
#   redis: Redis killed -> 503 CLID_ERR_OOB_STORE_UNAVAILABLE, /health 503
#   degraded, /healthz still 200, the service alive; Redis restarted -> 201.
# usage: serve_oob.sh CLID OOB_TOK memory|redis
. "$(dirname "$0")/lib.sh" "$@"
OOB_TOK=$2
STORE=$3
. "$(dirname "$0")/serve_lib.sh"
. "$TESTS_DIR/serve_oob_lib.sh"
if [ "$STORE" = redis ] && ! command -v redis-server >/dev/null; then
    echo "SKIP: redis-server is not installed (apt-get install redis-server)"
    exit 77
fi
oob_pki
EDIT='.'
if [ "$STORE" = redis ]; then
    redis_start
    EDIT=".oob.cps.store = \"redis\" | .oob.cps.redis = {socket: \"$RSOCK\", timeout_ms: 500}"
fi
oob_config c.json "$EDIT"
serve_start a --config c.json
SPID_A=$SPID

# --- health -------------------------------------------------------------------------
get /health
expect_http 200 health
body_is . "{\"status\":\"ok\",\"store\":\"$STORE\"}"

# --- round trip ---------------------------------------------------------------------
pp_new; PP1=$PP
pp_new; PP2=$PP
T=$(tok sp publish pp="$PP1" pp="$PP2" body=pub.json)
publish "$T" pub.json
expect_http 201 "publish"
body_is . '{}'
retrieve "$(tok term retrieve)"
expect_http 200 "retrieve"
body_is '.passports | sort' "$(jq -nc --arg a "$PP1" --arg b "$PP2" '[$a,$b] | sort')"
# the library's client reads the answer: every PASSporT verifies for the call
ok; [ "$(jq '.passports | length' "$TMP/body")" = 2 ] || fail "retrieve: 2 passports expected"

# --- replay (jti) --------------------------------------------------------------------
T=$(tok sp publish pp="$PP1" jti=replayed-publish-1 body=pub1.json)
publish "$T" pub1.json
expect_http 201 "publish with a fixed jti"
publish "$T" pub1.json
expect_http 409 "the same publish token again"
code_is CLID_ERR_OOB_TOKEN_REPLAY
T=$(tok term retrieve jti=replayed-retrieve-1)
retrieve "$T"
expect_http 200 "retrieve with a fixed jti"
retrieve "$T"
expect_http 409 "the same retrieve token again"
code_is CLID_ERR_OOB_TOKEN_REPLAY

# --- 401 -----------------------------------------------------------------------------
publish "" pub1.json
expect_http 401 "publish without a token"
code_is CLID_ERR_OOB_TOKEN_MISSING
ok; curl -si "$BASE/passports/$DEST/$ORIG" | tr -d '\r' | grep -qi '^WWW-Authenticate: Bearer' ||
    fail "401 without WWW-Authenticate: Bearer"
retrieve "not.a-token.at-all"
expect_http 401 "garbled token"
T=$(tok term retrieve)
retrieve "${T%?}A${T: -1}x"
expect_http 401 "token with a damaged signature"
retrieve "$(tok term retrieve iat_offset=-200 ttl=30)"
expect_http 401 "expired token"
AUD=cps.other
retrieve "$(tok term retrieve)"
expect_http 401 "token for another CPS (aud)"
code_is CLID_ERR_OOB_TOKEN_AUDIENCE
AUD=cps.test

# --- 403 -----------------------------------------------------------------------------
retrieve "$(tok sp retrieve iss=9999)"
expect_http 403 "iss not among the certificate's SPCs"
code_is CLID_ERR_OOB_SPC_NOT_AUTHORIZED
T=$(tok sp retrieve)
publish "$T" pub1.json
expect_http 403 "a retrieve token on a publish"
T=$(tok sp republish pp="$PP1" body=rep.json)
publish "$T" rep.json
expect_http 403 "a republish from an SPC that is not a peer"
T=$(TOK_DEST=12025550177 tok sp retrieve)
retrieve "$T"
expect_http 403 "token for other numbers than the path's"

# --- 400 -----------------------------------------------------------------------------
printf '{"passports":["not a passport"' >bad.json
T=$(tok sp publish pp="$PP1")
publish "$T" bad.json
expect_http 400 "publish body not JSON"
retrieve "$(tok term retrieve)" "12x5" "$ORIG"
expect_http 400 "a path number that is not a number"
# a PASSporT of another call, under this call's numbers
TOK_DEST=12025550177; OTHER_DEST=$DEST; DEST=12025550177
T=$(tok sp publish pp="$PP1" body=mis.json)
publish "$T" mis.json
expect_http 400 "a PASSporT for another dest"
code_is CLID_ERR_OOB_PASSPORT_MISMATCH
DEST=$OTHER_DEST; unset TOK_DEST

# --- 413 -----------------------------------------------------------------------------
jq -nc --arg p "$PP1" '{passports: [range(9) | $p]}' >many.json
T=$(tok sp publish pp="$PP1")
publish "$T" many.json
expect_http 413 "nine passports"
head -c 50000 /dev/zero | tr '\0' a | jq -Rc '{passports: [.]}' >big.json
publish "$T" big.json
expect_http 413 "a body over CLID_OOB_MAX_BODY"

# --- 404 -----------------------------------------------------------------------------
retrieve "$(TOK_DEST=12025550188 tok term retrieve)" 12025550188
expect_http 404 "nothing published for these numbers"
code_is CLID_ERR_OOB_NOT_FOUND
get /passports/$DEST
expect_http 404 "a path without ORIG"
get /passports/$DEST/$ORIG/x
expect_http 404 "a path with one more segment"

# --- SPC-restricted retrieval (ATIS-1000105) -----------------------------------------
R_DEST=12025550155
TOK_DEST=$R_DEST; SAVE_DEST=$DEST; DEST=$R_DEST
pp_new; PPR=$PP
T=$(tok sp publish pp="$PPR" spc=5678 body=res.json)
publish "$T" res.json
expect_http 201 "publish restricted to SPC 5678"
retrieve "$(tok other retrieve)"
expect_http 404 "SPC 9999 does not see a record for 5678"
retrieve "$(tok sp retrieve)"
expect_http 404 "the publisher's own SPC does not see it either"
retrieve "$(tok term retrieve)"
expect_http 200 "SPC 5678 sees it"
body_is .passports "$(jq -nc --arg a "$PPR" '[$a]')"
retrieve "$(tok term retrieve spc=9999)"
expect_http 403 "retrieve with an spc other than iss"
DEST=$SAVE_DEST; unset TOK_DEST

# --- expiry at the publish token's exp (retention) ---------------------------------
E_DEST=12025550166
TOK_DEST=$E_DEST; SAVE_DEST=$DEST; DEST=$E_DEST
pp_new; PPE=$PP
# The retrieve token is made first, so that only two requests separate the
# publish from the retrieval (signing is slow under ASan on a busy box).
RT=$(tok term retrieve)
T=$(tok sp publish pp="$PPE" iat_offset=-55 ttl=59 body=exp.json)
EXP=$(($(date +%s) + 4))
publish "$T" exp.json
expect_http 201 "publish with 4 s of retention left"
retrieve "$RT"
expect_http 200 "retrieved before its exp"
while [ "$(date +%s)" -le "$EXP" ]; do sleep 0.2; done
retrieve "$(tok term retrieve)"
expect_http 404 "gone after its exp"
DEST=$SAVE_DEST; unset TOK_DEST

# --- concurrent publishes (the server's threads share the store; with Redis
# each has its own connection, deps-breadth.md §3 R1) --------------------------
tok sp publish pp="$PP1" count=60 body=par.json >par.tok
export BASE DEST ORIG
xargs -P 8 -I{} curl -s -o /dev/null -w '%{http_code}\n' -H 'Content-Type: application/json' \
    -H 'Authorization: Bearer {}' --data-binary @par.json "$BASE/passports/$DEST/$ORIG" \
    <par.tok >par.codes
ok; [ "$(sort par.codes | uniq -c | awk '{print $1, $2}')" = "60 201" ] ||
    fail "60 concurrent publishes: $(sort par.codes | uniq -c | tr '\n' ' ')"
xargs -P 8 -I{} curl -s -o /dev/null -w '%{http_code}\n' -H 'Content-Type: application/json' \
    -H 'Authorization: Bearer {}' --data-binary @par.json "$BASE/passports/$DEST/$ORIG" \
    <par.tok >par.codes
ok; [ "$(sort par.codes | uniq -c | awk '{print $1, $2}')" = "60 409" ] ||
    fail "the same 60 tokens again, concurrently: $(sort par.codes | uniq -c | tr '\n' ' ')"

# --- metrics -------------------------------------------------------------------------
get /metrics
expect_http 200 metrics
ok; grep -q '^clid_serve_requests_total{endpoint="cps_publish",status="201"} [1-9]' "$TMP/body" ||
    fail "metrics: no cps_publish 201 count"
ok; grep -q '^clid_serve_requests_total{endpoint="cps_retrieve",status="409"} 1$' "$TMP/body" ||
    fail "metrics: cps_retrieve 409 count"
ok; grep -q '^clid_serve_oob_cps_total{kind="publish"} [1-9]' "$TMP/body" ||
    fail "metrics: oob publishes"

if [ "$STORE" = memory ]; then
    serve_stop a
    # --- strict configuration: every mistake with its key path, exit 78 -------------
    oob_config bad.json '.oob.cps += {colour: 1, store: "redis", max_records: 0}
        | del(.oob.cps.aud) | .oob.gateway = {cps_url: "ftp://x/", budget: 3}
        | .oob.cps.peers = [{url: "http://127.0.0.1:1/", aud: "p"}]'
    run serve --config bad.json --check
    expect_rc 78
    for k in oob.cps.colour oob.cps.aud oob.cps.max_records oob.cps.redis \
        'oob.cps.peers\[0\].spc' oob.gateway.cps_url oob.gateway.budget; do
        ok; grep -q "bad.json: $k: " "$TMP/err" || fail "config mistake $k not reported: $(cat "$TMP/err")"
    done
    oob_config nosign.json 'del(.sign) | .oob.gateway = {cps_url: "http://127.0.0.1:1/"}'
    run serve --config nosign.json --check
    expect_rc 78
    ok; grep -q 'nosign.json: oob.gateway: needs "sign"' "$TMP/err" || fail "gateway without sign: $(cat "$TMP/err")"
    oob_config good.json
    run serve --config good.json --check
    expect_rc 0
    # --- the record bound: jti entries and records alike -----------------------------
    oob_config m.json '.oob.cps.max_records = 3'
    serve_start m --config m.json
    T=$(tok sp publish pp="$PP1" body=cap.json)
    publish "$T" cap.json
    expect_http 201 "publish under the bound (2 keys)"
    retrieve "$(tok term retrieve)"
    expect_http 200 "retrieve under the bound (3 keys)"
    T=$(tok sp publish pp="$PP1" body=cap2.json) # one more jti key
    publish "$T" cap2.json
    expect_http 503 "publish beyond max_records"
    code_is CLID_ERR_OOB_STORE_FULL
    get /healthz
    expect_http 200 "a full store does not stop the service"
    serve_stop m
else
    # --- Redis killed mid-test, then back ---------------------------------------------
    redis_stop
    T=$(tok sp publish pp="$PP1" body=down.json)
    publish "$T" down.json
    expect_http 503 "publish with Redis down"
    code_is CLID_ERR_OOB_STORE_UNAVAILABLE
    retrieve "$(tok term retrieve)"
    expect_http 503 "retrieve with Redis down"
    get /health
    expect_http 503 "/health with Redis down"
    body_is .status '"degraded"'
    get /healthz
    expect_http 200 "/healthz: the service is alive"
    ok; kill -0 "$SPID_A" || fail "clid serve died with Redis"
    redis_start
    get /health
    expect_http 200 "/health once Redis is back"
    T=$(tok sp publish pp="$PP1" body=up.json)
    publish "$T" up.json
    expect_http 201 "publish once Redis is back (reconnected)"
    retrieve "$(tok term retrieve)"
    expect_http 200 "retrieve once Redis is back"
    SPID=$SPID_A
    serve_stop a
    redis_stop
fi
finish
