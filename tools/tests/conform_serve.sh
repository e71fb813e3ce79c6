#!/usr/bin/env bash
# clid conform serve (the conformance suite's x5u / CRL server): started on
# a port the kernel picks, waited for through its ready file (a bounded
# poll, no fixed sleeps), fetched with curl trusting a test TLS CA, stopped
# by PID with SIGTERM / SIGINT and exit status 0:
#   files with their Content-Type, HEAD, routes.json (status, redirect,
#   delay_ms: a second request is answered while one is held, and a held
#   request does not delay the stop; body_bytes streamed, not allocated),
#   traversal refused ('..', encoded, symbolic links to files and
#   directories, a FIFO), 405 for other methods, the access log with the
#   User-Agent, --http, the ready file written atomically, a taken port,
#   usage errors and bad routes.json;
#   clid verify fetching an x5u chain from it (trusting the TLS CA with
#   --x5u-ca), the failures the fetcher reports for 404 / redirect /
#   oversized, and the STI-PA CRL fetched over --http;
#   libclid does not link libmicrohttpd or GnuTLS (only the tool does).
# usage: conform_serve.sh CLID [LIBCLID.so]
. "$(dirname "$0")/lib.sh" "$@"
LIBCLID=${2:-}
cd "$TMP"

SERVERS=()
cleanup() {
    local p
    for p in "${SERVERS[@]}"; do
        kill -KILL "$p" 2>/dev/null || true
    done
    [ -n "${HOLD:-}" ] && kill "$HOLD" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

# --- a TLS PKI for the server (what the suite's pki/tls-ca.pem is) ---------------
ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
openssl req -x509 "${ec[@]}" -keyout tls-ca.key -out tls-ca.pem -days 2 \
    -subj "/CN=conform_serve TLS CA" -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign 2>/dev/null
openssl req -new "${ec[@]}" -keyout srv.key -out srv.csr -subj /CN=127.0.0.1 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
    >srv.ext
openssl x509 -req -in srv.csr -CA tls-ca.pem -CAkey tls-ca.key -set_serial 2 -days 2 \
    -extfile srv.ext -out srv.pem 2>/dev/null

# --- the served tree -----------------------------------------------------------------
mkdir -p www/sub www/dir.pem
printf 'chain\n' >www/a.pem
printf 'crl\n' >www/sub/x.crl
printf 'der\n' >www/c.der
printf 'plain\n' >www/gone.pem # a route overrides the file
printf 'slow\n' >www/slow.pem
printf 'SECRET-OUTSIDE\n' >outside.pem
ln -s ../outside.pem www/link.pem
ln -s .. www/up
ln -s a.pem www/inside-link.pem # even a link inside the root is not followed
mkfifo www/fifo.pem
cat >www/routes.json <<'EOF'
{
  "/gone.pem": {"status": 404},
  "/unavailable.pem": {"status": 503},
  "/moved.pem": {"redirect": "/a.pem"},
  "/moved-away.pem": {"redirect": "https://192.0.2.1/x.pem", "status": 301},
  "/slow.pem": {"delay_ms": 1200},
  "/hold.pem": {"delay_ms": 60000},
  "/big.pem": {"body_bytes": 3000000},
  "/huge.pem": {"body_bytes": 67108864},
  "/empty.pem": {"body_bytes": 0}
}
EOF

# start_server NAME ARGS...: clid conform serve ARGS --ready-file NAME.ready in
# the background; SPID and PORT set once the ready file exists (a bounded
# poll that also notices an early exit).
start_server() {
    local name=$1
    shift
    rm -f "$name.ready"
    # Under ASan, a small quarantine: freed TLS records must not look like
    # the server holding a whole body_bytes body (the RSS check below).
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4 \
        "$CLID" conform serve "$@" --ready-file "$name.ready" >"$name.out" 2>"$name.err" &
    SPID=$!
    SERVERS+=("$SPID")
    local i
    for i in $(seq 1 600); do
        [ -s "$name.ready" ] && break
        if ! kill -0 "$SPID" 2>/dev/null; then
            break
        fi
        sleep 0.05
    done
    if [ ! -s "$name.ready" ]; then
        fail "$name: the server did not become ready: $(cat "$name.err")"
        finish
    fi
    PORT=$(jq -r .port "$name.ready")
}

# stop_server PID SIGNAL: the status it exits with, in STOP_RC (bounded: 30 s).
stop_server() {
    local pid=$1 sig=$2 i
    kill "-$sig" "$pid"
    for i in $(seq 1 600); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$pid" 2>/dev/null; then
        fail "server $pid still runs 30 s after SIG$sig"
        kill -KILL "$pid"
    fi
    set +e
    wait "$pid"
    STOP_RC=$?
    set -e
}

# get NAME URL [curl options...]: status, size and type in NAME.w, body in NAME.body,
# headers in NAME.hdr.
get() {
    local name=$1 url=$2
    shift 2
    curl -sS --cacert tls-ca.pem -A conform-serve-test --max-time 60 -D "$name.hdr" \
        -o "$name.body" -w '%{http_code} %{size_download} %{content_type}' "$@" "$url" \
        >"$name.w" 2>"$name.curlerr" || true
}
# is NAME "STATUS SIZE TYPE": what get NAME saw.
is() {
    check "$1: expected '$2', got '$(cat "$1.w")' $(cat "$1.curlerr")" test "$(cat "$1.w")" = "$2"
}
header() { # NAME HEADER: its value (CR stripped)
    grep -i "^$2:" "$1.hdr" | head -1 | cut -d: -f2- | sed 's/^ //; s/\r$//'
}

# ===================================================================================
# HTTPS
# ===================================================================================
start_server tls --root www --cert-pem srv.pem --key-pem srv.key
TLS_PID=$SPID
B=https://127.0.0.1:$PORT
check "ready file: the pid" test "$(jq -r .pid tls.ready)" = "$TLS_PID"
check "ready file: exactly port and pid" test "$(jq -c 'keys' tls.ready)" = '["pid","port"]'
check "ready file: a port other than 0" test "$PORT" -gt 0
check "no temporary ready file left" test -z "$(ls -A | grep 'tls.ready.tmp' || true)"
check "stdout names the URL" grep -qx "$B/" tls.out

# --- files ----------------------------------------------------------------------------
get a "$B/a.pem"
is a "200 6 application/pem-certificate-chain"
check "a.pem: the file's bytes" cmp -s a.body www/a.pem
get crl "$B/sub/x.crl"
is crl "200 4 application/pkix-crl"
check "sub/x.crl: the file's bytes" cmp -s crl.body www/sub/x.crl
get der "$B/c.der"
is der "200 4 application/pkix-cert"
get dots "$B/./sub//x.crl"
is dots "200 4 application/pkix-crl"
get query "$B/a.pem?x=1"
is query "200 6 application/pem-certificate-chain"
get head "$B/a.pem" -I
is head "200 0 application/pem-certificate-chain"
check "HEAD: Content-Length of the file" test "$(header head Content-Length)" = 6
get missing "$B/nothere.pem"
is missing "404 14 text/plain; charset=utf-8"
get root "$B/"
is root "404 14 text/plain; charset=utf-8"
get dir "$B/dir.pem"
is dir "404 14 text/plain; charset=utf-8"
get cfg "$B/routes.json"
is cfg "404 14 text/plain; charset=utf-8"

# --- routes.json ----------------------------------------------------------------------
get gone "$B/gone.pem"
is gone "404 4 text/plain; charset=utf-8"
get unav "$B/unavailable.pem"
is unav "503 4 text/plain; charset=utf-8"
get moved "$B/moved.pem"
is moved "302 11 text/plain; charset=utf-8"
check "redirect: Location" test "$(header moved Location)" = /a.pem
get follow "$B/moved.pem" -L
is follow "200 6 application/pem-certificate-chain"
get away "$B/moved-away.pem"
check "redirect with status 301" test "$(cut -d' ' -f1 away.w)" = 301
check "redirect: absolute Location" test "$(header away Location)" = https://192.0.2.1/x.pem
get big "$B/big.pem"
is big "200 3000000 application/pem-certificate-chain"
check "body_bytes: only 'A's" test "$(tr -d A <big.body | wc -c)" = 0
get bighead "$B/big.pem" -I
check "body_bytes: HEAD says Content-Length 3000000" test "$(header bighead Content-Length)" = 3000000
get empty "$B/empty.pem"
is empty "200 0 application/pem-certificate-chain"
# 64 MiB streamed: the server's peak memory must not grow by anything near it
# (holding the body would add 64 MiB; half of it is the bound).
hwm() { awk '/^VmHWM:/ {print $2}' "/proc/$TLS_PID/status"; }
HWM0=$(hwm)
curl -sS --cacert tls-ca.pem -o /dev/null -w '%{size_download}' "$B/huge.pem" >huge.w
check "body_bytes 64 MiB: all of it" test "$(cat huge.w)" = 67108864
HWM1=$(hwm)
check "body_bytes 64 MiB: streamed (peak RSS grew $((HWM1 - HWM0)) KiB)" \
    test $((HWM1 - HWM0)) -lt 32768

# delay_ms: answered no sooner than the delay
curl -sS --cacert tls-ca.pem -o slow.body -w '%{http_code} %{time_total}' "$B/slow.pem" \
    >slow.w 2>&1 || true
check "delay: the file after it ($(cat slow.w))" \
    test "$(cut -d' ' -f1 slow.w)" = 200 -a "$(cat slow.body)" = slow
check "delay: no sooner than 1.2 s ($(cat slow.w))" \
    awk -v t="$(cut -d' ' -f2 slow.w)" 'BEGIN { exit !(t >= 1.2) }'

# --- traversal ------------------------------------------------------------------------
n=0
for p in "/../outside.pem" "/sub/../../outside.pem" "/%2e%2e/outside.pem" "/sub/%2e%2e/%2e%2e/outside.pem" \
    "/%2E%2E%2Foutside.pem" "/..%5coutside.pem" "/link.pem" "/up/outside.pem" "/up/www/a.pem" \
    "/inside-link.pem" "/fifo.pem" "/a.pem%00x"; do
    n=$((n + 1))
    get "trav$n" "$B$p" --path-as-is
    code=$(cut -d' ' -f1 "trav$n.w")
    check "traversal $p refused (got $code)" test "$code" = 403 -o "$code" = 404 -o "$code" = 400
    check "traversal $p: nothing from outside the root" bash -c "! grep -q SECRET trav$n.body"
done
get trav_dotdot "$B/../outside.pem" --path-as-is
is trav_dotdot "403 17 text/plain; charset=utf-8"
get trav_link "$B/link.pem"
is trav_link "403 14 text/plain; charset=utf-8"
get trav_up "$B/up/outside.pem"
is trav_up "403 14 text/plain; charset=utf-8"
check "the FIFO did not hang the server" kill -0 "$TLS_PID"
get nul "$B/a.pem%00.txt"
is nul "403 17 text/plain; charset=utf-8"
get pct "$B/%61.pem"
is pct "200 6 application/pem-certificate-chain"

# --- methods --------------------------------------------------------------------------
for m in POST PUT DELETE OPTIONS PATCH; do
    get "m$m" "$B/a.pem" -X "$m" --data-binary x
    check "$m: 405 ($(cat "m$m.w"))" test "$(cut -d' ' -f1 "m$m.w")" = 405
    check "$m: Allow: GET, HEAD" test "$(header "m$m" Allow)" = "GET, HEAD"
done

# --- a second request while one is held ---------------------------------------------
curl -sS --cacert tls-ca.pem -A holder --max-time 120 -o hold.body "$B/hold.pem" 2>/dev/null &
HOLD=$!
for i in $(seq 1 600); do
    grep -q '^GET /hold.pem delay 60000 ms "holder"$' tls.err && break
    sleep 0.05
done
check "the held request is logged when its delay starts" \
    grep -q '^GET /hold.pem delay 60000 ms "holder"$' tls.err
get during "$B/a.pem"
is during "200 6 application/pem-certificate-chain"
check "answered while /hold.pem is held (its client still waits)" kill -0 "$HOLD"

# --- access log -----------------------------------------------------------------------
check "log: file with its User-Agent" grep -qx 'GET /a.pem 200 "conform-serve-test"' tls.err
check "log: 404" grep -qx 'GET /nothere.pem 404 "conform-serve-test"' tls.err
check "log: HEAD" grep -qx 'HEAD /a.pem 200 "conform-serve-test"' tls.err
check "log: 405" grep -qx 'POST /a.pem 405 "conform-serve-test"' tls.err
check "log: redirect" grep -qx 'GET /moved.pem 302 "conform-serve-test"' tls.err
check "log: traversal" grep -qx 'GET /../outside.pem 403 "conform-serve-test"' tls.err
get ua "$B/a.pem" -H $'User-Agent: evil\x01agent'
check "log: control characters of the User-Agent escaped" \
    grep -qxF 'GET /a.pem 200 "evil\x01agent"' tls.err
get noua "$B/a.pem" -H 'User-Agent:'
check "log: no User-Agent" grep -qx 'GET /a.pem 200 "-"' tls.err

# --- x5u through clid verify ------------------------------------------------------------
"$CLID" ca init ca --seed conform-serve >/dev/null
"$CLID" ca issue ca --out www/sp --spc 709J >/dev/null
verify_x5u() { # NAME PATH [verify options...]
    local name=$1 path=$2 id
    shift 2
    id=$("$CLID" sign --key www/sp.key --x5u "$B$path" --orig 12025550100 \
        --dest 12025550199 --attest A)
    set +e
    "$CLID" verify --identity "$id" --orig 12025550100 --dest 12025550199 \
        --trust ca/root.pem --allow-private-x5u "$@" >"$name.v" 2>&1
    echo $? >"$name.vrc"
    set -e
}
verify_x5u vok /sp.pem --x5u-ca tls-ca.pem
check "clid verify fetches the chain: passes ($(head -2 vok.v | tr '\n' ' '))" \
    test "$(head -1 vok.v)" = TN-Validation-Passed -a "$(cat vok.vrc)" = 0
check "the fetch is in the log with clid's User-Agent" grep -q '^GET /sp.pem 200 "clid/' tls.err
verify_x5u vnotrust /sp.pem
check "without --x5u-ca the test CA is not trusted: CLID_ERR_X5U_TLS" \
    grep -qx "reason: CLID_ERR_X5U_TLS" vnotrust.v
verify_x5u v404 /gone.pem --x5u-ca tls-ca.pem
check "x5u 404: CLID_ERR_X5U_HTTP_STATUS" grep -qx "reason: CLID_ERR_X5U_HTTP_STATUS" v404.v
verify_x5u vredir /moved.pem --x5u-ca tls-ca.pem
check "x5u redirect: CLID_ERR_X5U_REDIRECT" grep -qx "reason: CLID_ERR_X5U_REDIRECT" vredir.v
verify_x5u vbig /big.pem --x5u-ca tls-ca.pem
check "x5u oversized: CLID_ERR_X5U_TOO_LARGE" grep -qx "reason: CLID_ERR_X5U_TOO_LARGE" vbig.v

# --- the port is taken ------------------------------------------------------------------
run conform serve --root www --cert-pem srv.pem --key-pem srv.key --port "$PORT"
expect_rc 1
check "a taken port: says so" grep -q "cannot listen on 127.0.0.1 port $PORT" "$TMP/err"

# --- stop: SIGTERM with a request held --------------------------------------------------
stop_server "$TLS_PID" TERM
check "SIGTERM: exit 0 (got $STOP_RC; $(tail -3 tls.err))" test "$STOP_RC" = 0
set +e
wait "$HOLD"
set -e
HOLD=
check "the port is free again" bash -c "! curl -sS --cacert tls-ca.pem --max-time 5 -o /dev/null $B/a.pem 2>/dev/null"

# ===================================================================================
# plain HTTP (CRL distribution points), stopped with SIGINT
# ===================================================================================
mkdir crlwww
start_server http --root crlwww --http
H=http://127.0.0.1:$PORT
HTTP_PID=$SPID
check "http: stdout names the URL" grep -qx "$H/" http.out
"$CLID" ca init sti --seed conform-serve-crl --sti-pa-crl-url "$H/sti-pa.crl" >/dev/null
"$CLID" ca issue sti --out sti-sp --spc 709J >/dev/null
"$CLID" ca issue sti --out sti-revoked --spc 709K >/dev/null
"$CLID" ca revoke sti sti-revoked.pem >/dev/null
"$CLID" ca crl sti >/dev/null
cp sti/sti-pa.crl crlwww/
get hcrl "$H/sti-pa.crl"
is hcrl "200 $(stat -c %s sti/sti-pa.crl) application/pkix-crl"
check "http: the CRL's bytes" cmp -s hcrl.body sti/sti-pa.crl
crl_verify() { # NAME CERT-PREFIX
    local id
    id=$("$CLID" sign --key "$2.key" --x5u https://x5u.example/sp.pem --orig 12025550100 \
        --dest 12025550199 --attest A)
    set +e
    "$CLID" verify --identity "$id" --orig 12025550100 --dest 12025550199 \
        --trust sti/root.pem --x5u-map "https://x5u.example/sp.pem=$2.pem" \
        --crl-fetch --crl-url-allow "$H/" --crl-signer sti/crl-signer.pem \
        --allow-private-x5u --allow-http-x5u >"$1.v" 2>&1
    set -e
}
crl_verify cok sti-sp
check "CRL over --http: the good certificate passes ($(head -2 cok.v | tr '\n' ' '))" \
    test "$(head -1 cok.v)" = TN-Validation-Passed
crl_verify crev sti-revoked
check "CRL over --http: the revoked one is CLID_ERR_CERT_REVOKED ($(head -2 crev.v | tr '\n' ' '))" \
    grep -qx "reason: CLID_ERR_CERT_REVOKED" crev.v
check "http: the CRL fetch is logged" grep -q '^GET /sti-pa.crl 200 "clid/' http.err
stop_server "$HTTP_PID" INT
check "SIGINT: exit 0 (got $STOP_RC)" test "$STOP_RC" = 0

# ===================================================================================
# usage errors and bad inputs (nothing listens)
# ===================================================================================
expect_error 64 "--root DIR is required" conform serve --cert-pem srv.pem --key-pem srv.key
expect_error 64 "needs --cert-pem" conform serve --root www
expect_error 64 "needs --cert-pem" conform serve --root www --cert-pem srv.pem
expect_error 64 "--http serves plain HTTP" conform serve --root www --http --cert-pem srv.pem
expect_error 64 "--port '65536'" conform serve --root www --http --port 65536
expect_error 64 "--port '-1'" conform serve --root www --http --port -1
expect_error 64 "--port 'x'" conform serve --root www --http --port x
expect_error 64 "--bind 'localhost'" conform serve --root www --http --bind localhost
expect_error 64 "unexpected operand" conform serve --root www --http extra
expect_error 64 "unknown subcommand" conform nosuch
expect_error 66 "nothere" conform serve --root nothere --http
expect_error 66 "nothere.pem" conform serve --root www --cert-pem nothere.pem --key-pem srv.key
bad_routes() { # REGEX JSON
    mkdir -p bad && printf '%s' "$2" >bad/routes.json
    expect_error 65 "$1" conform serve --root bad --http
}
bad_routes "unknown member" '{"/a": {"sttus": 404}}'
bad_routes "status: an integer" '{"/a": {"status": 99}}'
bad_routes "status: an integer" '{"/a": {"status": "404"}}'
bad_routes "delay_ms" '{"/a": {"delay_ms": 600001}}'
bad_routes "delay_ms" '{"/a": {"delay_ms": -1}}'
bad_routes "body_bytes" '{"/a": {"body_bytes": 4294967297}}'
bad_routes "redirect: a path" '{"/a": {"redirect": "/b\r\nSet-Cookie: x"}}'
bad_routes "redirect: a path" '{"/a": {"redirect": "ftp://x/y"}}'
bad_routes "not 3xx" '{"/a": {"redirect": "/b", "status": 200}}'
bad_routes "not a canonical path" '{"/../a": {"status": 404}}'
bad_routes "not a canonical path" '{"a": {"status": 404}}'
bad_routes "not a canonical path" '{"//a": {"status": 404}}'
bad_routes "expected an object with" '{"/a": {}}'
bad_routes "expected an object with" '{"/a": 404}'
bad_routes "expected an object of at most" '[]'
bad_routes "duplicate" '{"/a": {"status": 404}, "/a": {"status": 500}}'
bad_routes "line 1" '{"/a": '
expect_ok conform serve --help
check "help names routes.json" grep -q routes.json "$TMP/out"
expect_ok conform --help
check "clid conform lists serve" grep -q '^  serve ' "$TMP/out"

# ===================================================================================
# libmicrohttpd is the tool's, not libclid's
# ===================================================================================
if [ -n "$LIBCLID" ]; then
    readelf -d "$LIBCLID" >libclid.dyn
    check "libclid does not link libmicrohttpd" bash -c "! grep -q microhttpd libclid.dyn"
    check "libclid does not link GnuTLS" bash -c "! grep -q gnutls libclid.dyn"
    check "the clid tool links libmicrohttpd" bash -c "readelf -d '$CLID' | grep -q 'NEEDED.*libmicrohttpd'"
fi
finish
