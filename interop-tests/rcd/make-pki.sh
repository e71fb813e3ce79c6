#!/bin/sh
# The RCD interop PKI, with the openssl CLI only (no clid code): root ->
# STI-CA -> two SP leaves for SPC 709J (TNAuthList as ATIS-1000080 profiles
# it): sp.pem without claim constraints, sp-rcd.pem whose RFC 8226 §8
# JWTClaimConstraints (DER from rcd_passport.py jwtcc-der) makes "rcd"
# mandatory and permits only the vetted RCD_JSON.
# Usage: make-pki.sh DIR RCD_JSON
set -eu
dir=$1
rcd_json=$2
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"
cd "$dir"
key() { openssl ecparam -name prime256v1 -genkey -noout -out "$1" 2>/dev/null; }

key root.key
openssl req -new -x509 -key root.key -subj "/CN=RCD Interop Root" -days 30 -out root.pem \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" 2>/dev/null

key inter.key
openssl req -new -key inter.key -subj "/CN=RCD Interop STI-CA" -out inter.csr 2>/dev/null
cat > inter.ext <<'X'
basicConstraints=critical,CA:TRUE,pathlen:0
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid:always
X
openssl x509 -req -in inter.csr -CA root.pem -CAkey root.key -set_serial 4096 -days 30 \
    -extfile inter.ext -out inter.pem 2>/dev/null

leaf() { # name serial [extra extension line]
    key "$1.key"
    openssl req -new -key "$1.key" -subj "/C=US/O=RCD Interop SP/CN=SHAKEN 709J" \
        -out "$1.csr" 2>/dev/null
    cat > "$1.ext" <<X
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid:always
1.3.6.1.5.5.7.1.26=DER:30:08:A0:06:16:04:37:30:39:4A
X
    if [ $# -gt 2 ]; then printf '%s\n' "$3" >> "$1.ext"; fi
    openssl x509 -req -in "$1.csr" -CA inter.pem -CAkey inter.key -set_serial "$2" -days 10 \
        -extfile "$1.ext" -out "$1.pem" 2>/dev/null
    cat "$1.pem" inter.pem > "$1-chain.pem"
    openssl verify -CAfile root.pem -untrusted inter.pem "$1.pem" >/dev/null
}
leaf sp 8192
der=$(/usr/bin/python3 "$here/rcd_passport.py" jwtcc-der "$rcd_json")
leaf sp-rcd 8193 "1.3.6.1.5.5.7.1.27=DER:$der"
