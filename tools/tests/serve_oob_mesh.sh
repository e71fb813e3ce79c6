#!/usr/bin/env bash
# Two clid serve CPSs peered (ATIS-1000096 mesh; OOB-SPEC.md "Mesh"): a
# publish to A is republished by A (token action "republish" signed by A's
# signer, SPC 7001) to B, off the request path; B accepts it because 7001
# is its peer, and a terminating SP retrieves it from B. The spc
# restriction travels with it. B never forwards a republish (no loops).
# A's /metrics counts the republication sent.
# usage: serve_oob_mesh.sh CLID OOB_TOK
. "$(dirname "$0")/lib.sh" "$@"
OOB_TOK=$2
. "$(dirname "$0")/serve_lib.sh"
. "$TESTS_DIR/serve_oob_lib.sh"
oob_pki
"$CLID" ca issue ca --spc 7001 --out cpsa >/dev/null
"$CLID" ca issue ca --spc 7002 --out cpsb >/dev/null

# B first (its port goes into A's peers); B's own peer A is only needed for
# accepting A's republications (its URL is never used here: nothing is
# published to B directly).
oob_config b.json --arg d "$TMP" '
    .verify.x5u_map += {"https://cert.example/cpsa.pem": ($d + "/cpsa.pem")}
    | .sign = {key: ($d + "/cpsb.key"), cert: ($d + "/cpsb.pem"), x5u: "https://cert.example/cpsb.pem"}
    | .oob.cps += {aud: "cps.b", allow_http: true, allow_private: true,
                   peers: [{url: "http://127.0.0.1:9/", aud: "cps.a", spc: "7001"}]}'
serve_start b --config b.json
PID_B=$SPID; BASE_B=$BASE
oob_config a.json --arg d "$TMP" --arg b "$BASE_B/" '
    .sign = {key: ($d + "/cpsa.key"), cert: ($d + "/cpsa.pem"), x5u: "https://cert.example/cpsa.pem"}
    | .verify.x5u_map += {"https://cert.example/cpsa.pem": ($d + "/cpsa.pem")}
    | .oob.cps += {allow_http: true, allow_private: true,
                   peers: [{url: $b, aud: "cps.b", spc: "7002"}]}'
serve_start a --config a.json
PID_A=$SPID; BASE_A=$BASE

pp_new; PP0=$PP
T=$(tok sp publish pp="$PP" body=pub.json)
publish "$T" pub.json
expect_http 201 "publish to A"

# B gets it shortly (bounded poll: the republication is asynchronous).
BASE=$BASE_B; AUD=cps.b
got=0
for i in $(seq 1 100); do
    retrieve "$(tok term retrieve)"
    if [ "$HTTP" = 200 ]; then got=1; break; fi
    sleep 0.1
done
ok; [ "$got" = 1 ] || fail "B never had the PASSporT published to A: HTTP $HTTP $(head -c 300 "$TMP/body")"
body_is .passports "$(jq -nc --arg a "$PP" '[$a]')"

# The restriction travels with the republication.
BASE=$BASE_A; AUD=cps.test
R_DEST=12025550155; SAVE=$DEST; DEST=$R_DEST; TOK_DEST=$R_DEST
pp_new
T=$(tok sp publish pp="$PP" spc=5678 body=res.json)
publish "$T" res.json
expect_http 201 "restricted publish to A"
BASE=$BASE_B; AUD=cps.b
got=0
for i in $(seq 1 100); do
    retrieve "$(tok term retrieve)"
    if [ "$HTTP" = 200 ]; then got=1; break; fi
    sleep 0.1
done
ok; [ "$got" = 1 ] || fail "B never had the restricted record"
retrieve "$(tok other retrieve)"
expect_http 404 "on B too, SPC 9999 does not see a record for 5678"
DEST=$SAVE; unset TOK_DEST

# A republish from an SPC B does not list as a peer: refused.
T=$(tok sp republish pp="$PP0" body=rep.json) # BASE is B, aud cps.b
publish "$T" rep.json
expect_http 403 "republish to B from a non-peer"

# Counters: A sent 2, B queued nothing (a republish is never forwarded).
BASE=$BASE_A
get /metrics
ok; grep -q '^clid_serve_oob_mesh_total{result="sent"} 2$' "$TMP/body" ||
    fail "A: mesh sent: $(grep oob_mesh "$TMP/body" | tr '\n' ' ')"
BASE=$BASE_B
get /metrics
ok; grep -q '^clid_serve_oob_mesh_total{result="queued"} 0$' "$TMP/body" ||
    fail "B forwarded a republish: $(grep oob_mesh "$TMP/body" | tr '\n' ' ')"
ok; grep -q '^clid_serve_oob_cps_total{kind="republish_in"} 2$' "$TMP/body" ||
    fail "B: republications accepted: $(grep oob_cps "$TMP/body" | tr '\n' ' ')"

SPID=$PID_A; serve_stop a
SPID=$PID_B; serve_stop b
finish
