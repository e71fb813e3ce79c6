#!/bin/sh
# Builds a three-level STIR test PKI with the openssl CLI only (no clid code):
# root -> STI-CA -> SP leaf "SHAKEN 709J" with an RFC 8226 TNAuthList (SPC
# 709J, non-critical, as ATIS-1000080 profiles it), plus an unrelated key.
# Usage: make-pki.sh DIR
set -eu
dir=$1
mkdir -p "$dir"
cd "$dir"
key() { openssl ecparam -name prime256v1 -genkey -noout -out "$1" 2>/dev/null; }

key root.key
# Every extension is explicit, so the result does not depend on the
# system's openssl.cnf (tests run with OPENSSL_CONF=/dev/null).
openssl req -new -x509 -key root.key -subj "/CN=Interop Root" -days 30 -out root.pem \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" 2>/dev/null

key inter.key
openssl req -new -key inter.key -subj "/CN=Interop STI-CA" -out inter.csr 2>/dev/null
cat > inter.ext <<'X'
basicConstraints=critical,CA:TRUE,pathlen:0
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid:always
X
openssl x509 -req -in inter.csr -CA root.pem -CAkey root.key -set_serial 4096 -days 30 \
    -extfile inter.ext -out inter.pem 2>/dev/null

key sp.key
openssl req -new -key sp.key -subj "/C=US/O=Interop SP/CN=SHAKEN 709J" -out sp.csr 2>/dev/null
cat > sp.ext <<'X'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid:always
1.3.6.1.5.5.7.1.26=DER:30:08:A0:06:16:04:37:30:39:4A
X
openssl x509 -req -in sp.csr -CA inter.pem -CAkey inter.key -set_serial 8192 -days 10 \
    -extfile sp.ext -out sp.pem 2>/dev/null
cat sp.pem inter.pem > sp-chain.pem

key other.key
openssl verify -CAfile root.pem -untrusted inter.pem sp.pem >/dev/null
