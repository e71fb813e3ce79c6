#!/bin/sh
# Interop with an independent verifier/signer in python3-cryptography and
# python3-jwt (Debian): clid's headers verify there (raw r||s, canonical
# JSON), and PyJWT-signed headers verify with clid.
# Usage: python.sh CLID_BINARY WORKDIR
set -eu
clid=$1
work=$2
py=/usr/bin/python3 # Debian's interpreter: the Debian modules live there
$py -c 'import cryptography, jwt' 2>/dev/null || { echo "python3-cryptography/jwt missing"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
sh "$here/make-pki.sh" "$work"
cd "$work"
url=https://certs.interop.test/sp-chain.pem
now=$(date +%s)
fail=0

for attest in A B C; do
    id=$("$clid" sign --key sp.key --cert sp.pem --x5u "$url" --orig 12155551000 \
         --dest 12155552000 --attest $attest --at "$now")
    if $py "$here/python_verify.py" verify "$id" sp.pem >/dev/null; then
        echo "ok   clid header (attest $attest) verified by python3-cryptography and PyJWT"
    else echo "FAIL python refused clid's header: $id"; fail=1; fi
done

py_id=$($py "$here/python_verify.py" sign sp.key "$url" 12155551000 12155552000 "$now")
out=$("$clid" verify --identity "$py_id" --orig 12155551000 --dest 12155552000 \
      --trust root.pem --x5u-map "$url=sp-chain.pem" --at "$now" || true)
if [ "$(printf '%s\n' "$out" | sed -n 's/^reason: //p')" = CLID_OK ]; then
    echo "ok   PyJWT-signed header verified by clid"
else echo "FAIL clid refused PyJWT's header"; printf '%s\n' "$out"; fail=1; fi

# A PyJWT header signed with the wrong key must fail in clid.
bad_id=$($py "$here/python_verify.py" sign other.key "$url" 12155551000 12155552000 "$now")
out=$("$clid" verify --identity "$bad_id" --orig 12155551000 --dest 12155552000 \
      --trust root.pem --x5u-map "$url=sp-chain.pem" --at "$now" || true)
if [ "$(printf '%s\n' "$out" | sed -n 's/^reason: //p')" = CLID_ERR_SIGNATURE_INVALID ]; then
    echo "ok   wrong-key PyJWT header refused by clid"
else echo "FAIL clid: $out"; fail=1; fi
exit $fail
