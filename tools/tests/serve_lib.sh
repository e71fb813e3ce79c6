# Shared helpers of the clid serve tests (sourced after lib.sh, not run).
#
#   serve_pki                 a CA (ca/root.pem) and a signer (sp.key, sp.pem)
#                             made with clid ca, and tokens.txt (one token)
#   serve_config FILE [JQ]    a configuration trusting the CA, signing as sp
#                             with x5u mapped to sp.pem, tokens.txt; JQ edits it
#   serve_start NAME ARGS...  clid serve ARGS --ready-file NAME.ready in the
#                             background; SPID and PORT once the ready file
#                             exists (a bounded poll that notices an early exit)
#   serve_stop NAME           SIGTERM by PID; checks exit 0
#   post PATH BODY [CURLARGS] curl POST of JSON: $TMP/body, status in HTTP
#   sign_id                   a signed Identity (orig 12025550100, dest
#                             12025550101) in ID
case $CLID in
    /*) ;;
    *) CLID=$(cd "$(dirname "$CLID")" && pwd)/$(basename "$CLID") ;;
esac
cd "$TMP"
SERVERS=()
serve_cleanup() {
    local p
    for p in "${SERVERS[@]}"; do
        kill -KILL "$p" 2>/dev/null || true
    done
    rm -rf "$TMP"
}
trap serve_cleanup EXIT
TOKEN=serve-test-token-0123456789abcdef
ORIG=12025550100
DEST=12025550101
SCHEME=http
CURL_TLS=()

serve_pki() {
    "$CLID" ca init ca --name "serve test" --org "serve test" >/dev/null
    "$CLID" ca issue ca --spc 1001 --out sp >/dev/null
    printf '# signing tokens\n%s\n' "$TOKEN" >tokens.txt
}

serve_config() {
    local file=$1 edit=${2:-.}
    jq -n --arg d "$TMP" '{
        listen: [{address: "127.0.0.1", port: 0}],
        limits: {threads: 2, connection_timeout_s: 10, request_timeout_s: 10},
        auth: {signing_tokens_file: ($d + "/tokens.txt")},
        verify: {trust: [($d + "/ca/root.pem")], crl_policy: "ignore",
                 x5u_map: {"https://cert.example/sp.pem": ($d + "/sp.pem")}},
        sign: {key: ($d + "/sp.key"), cert: ($d + "/sp.pem"),
               x5u: "https://cert.example/sp.pem"}
    }' | jq "$edit" >"$file"
}

serve_start() {
    local name=$1 i
    shift
    rm -f "$name.ready"
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8 \
        "$CLID" serve "$@" --ready-file "$name.ready" >"$name.out" 2>"$name.err" &
    SPID=$!
    SERVERS+=("$SPID")
    for i in $(seq 1 600); do
        [ -s "$name.ready" ] && break
        if ! kill -0 "$SPID" 2>/dev/null; then
            fail "clid serve $* exited early: $(head -c 1000 "$name.err")"
            return 1
        fi
        sleep 0.05
    done
    PORT=$(jq -r .port "$name.ready")
    [ "$(jq -r .pid "$name.ready")" = "$SPID" ] || fail "ready file pid"
    BASE=$SCHEME://127.0.0.1:$PORT
}

serve_stop() {
    local name=$1 rc=0
    kill -TERM "$SPID"
    wait "$SPID" || rc=$?
    ok
    [ "$rc" -eq 0 ] || fail "clid serve $name exited $rc: $(tail -c 1000 "$name.err")"
}

# post PATH BODY [CURL ARGS...]: status in HTTP, body in $TMP/body.
post() {
    local path=$1 body=$2
    shift 2
    HTTP=$(curl -s "${CURL_TLS[@]}" -o "$TMP/body" -w '%{http_code}' \
        -H 'Content-Type: application/json' --data-binary "$body" "$@" "$BASE$path")
}

# get PATH [CURL ARGS...]
get() {
    local path=$1
    shift
    HTTP=$(curl -s "${CURL_TLS[@]}" -o "$TMP/body" -w '%{http_code}' "$@" "$BASE$path")
}

expect_http() {
    ok
    if [ "$HTTP" != "$1" ]; then
        fail "${2:-request}: HTTP $HTTP, expected $1: $(head -c 400 "$TMP/body")"
    fi
}

# body_is FILTER EXPECTED: jq on the last reply body.
body_is() {
    local got
    ok
    got=$(jq -c "$1" "$TMP/body" 2>&1) || true
    [ "$got" = "$2" ] || fail "reply '$1': got $got, expected $2 (body $(head -c 300 "$TMP/body"))"
}

SIGN_BODY="{\"signingRequest\":{\"attest\":\"A\",\"orig\":{\"tn\":\"$ORIG\"},\"dest\":{\"tn\":[\"$DEST\"]},\"origid\":\"123e4567-e89b-42d3-a456-426614174000\"}}"

sign_id() {
    post /stir/v1/signing "$SIGN_BODY" -H "Authorization: Bearer $TOKEN"
    expect_http 200 "signing"
    ID=$(jq -r .signingResponse.identity "$TMP/body")
}

verify_body() {
    printf '{"verificationRequest":{"from":{"tn":"%s"},"to":{"tn":["%s"]},"identity":"%s"}}' \
        "$ORIG" "$DEST" "$1"
}

# rss PID: resident set in kB.
rss() {
    awk '/^VmRSS:/ {print $2}' "/proc/$1/status"
}
