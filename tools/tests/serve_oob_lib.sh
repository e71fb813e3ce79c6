# Shared helpers of the clid serve CPS tests (sourced after lib.sh and
# serve_lib.sh, not run). OOB_TOK is the token helper (oob_tok.c).
#
#   oob_pki                 serve_pki plus term (SPC 5678) and other (SPC 9999)
#   oob_config FILE [JQ]    serve_config plus oob.cps (aud cps.test) and the
#                           x5u map of the three token certificates
#   tok WHO ACTION [k=v...] a token signed by WHO (sp, term, other) for
#                           ORIG/DEST on aud cps.test (k=v: oob_tok's)
#   pp_new                  a fresh full-form PASSporT for ORIG -> DEST in PP
#   publish TOKEN BODYFILE [DEST ORIG]   POST, status in HTTP
#   retrieve TOKEN [DEST ORIG]           GET, status in HTTP
#   redis_start / redis_stop             a redis-server on a Unix socket in
#                           $TMP (RPID, RSOCK), stopped by PID
AUD=cps.test

oob_pki() {
    serve_pki
    "$CLID" ca issue ca --spc 5678 --out term >/dev/null
    "$CLID" ca issue ca --spc 9999 --out other >/dev/null
}

# oob_config FILE [JQ ARGS...]: the last argument is the edit, the others
# jq options (--arg).
oob_config() {
    local file=$1
    shift
    [ $# -gt 0 ] || set -- .
    serve_config "$file"
    jq --arg d "$TMP" '
        .verify.x5u_map += {"https://cert.example/term.pem": ($d + "/term.pem"),
                            "https://cert.example/other.pem": ($d + "/other.pem")}
        | .oob = {cps: {aud: "cps.test", store: "memory"}}' "$file" | jq "$@" >"$file.tmp"
    mv "$file.tmp" "$file"
}

tok() {
    local who=$1 action=$2
    shift 2
    "$OOB_TOK" "$who.key" "$who.pem" "https://cert.example/$who.pem" "$action" "$AUD" \
        "${TOK_ORIG:-$ORIG}" "${TOK_DEST:-$DEST}" "$@"
}

pp_new() {
    post /stir/v1/signing "{\"signingRequest\":{\"attest\":\"A\",\"orig\":{\"tn\":\"$ORIG\"},\"dest\":{\"tn\":[\"$DEST\"]},\"origid\":\"123e4567-e89b-42d3-a456-426614174000\"}}" \
        -H "Authorization: Bearer $TOKEN"
    expect_http 200 "signing a PASSporT to publish"
    ID=$(jq -r .signingResponse.identity "$TMP/body")
    PP=${ID%%;*}
}

publish() {
    local t=$1 body=$2 d=${3:-$DEST} o=${4:-$ORIG}
    HTTP=$(curl -s -o "$TMP/body" -w '%{http_code}' -H 'Content-Type: application/json' \
        ${t:+-H "Authorization: Bearer $t"} --data-binary @"$body" "$BASE/passports/$d/$o")
}

retrieve() {
    local t=$1 d=${2:-$DEST} o=${3:-$ORIG}
    HTTP=$(curl -s -o "$TMP/body" -w '%{http_code}' ${t:+-H "Authorization: Bearer $t"} \
        "$BASE/passports/$d/$o")
}

# The error code of the last reply.
code_is() {
    body_is .error.code "\"$1\""
}

redis_start() {
    local i
    RSOCK=$TMP/redis.sock
    rm -f "$RSOCK"
    redis-server --port 0 --save '' --appendonly no --unixsocket "$RSOCK" \
        --unixsocketperm 700 --dir "$TMP" >"$TMP/redis.log" 2>&1 &
    RPID=$!
    SERVERS+=("$RPID")
    for i in $(seq 1 400); do
        [ -S "$RSOCK" ] && redis-cli -s "$RSOCK" ping 2>/dev/null | grep -q PONG && return 0
        kill -0 "$RPID" 2>/dev/null || break
        sleep 0.05
    done
    fail "redis-server did not start: $(tail -c 500 "$TMP/redis.log")"
    return 1
}

redis_stop() {
    kill -KILL "$RPID" 2>/dev/null || true
    wait "$RPID" 2>/dev/null || true
}
