#!/bin/sh
# Rich Call Data interop (issue 14): PASSporTs with rcd, crn and rcdi built
# by an independent signer (rcd_passport.py: python3-cryptography, its own
# JSON and ES256 r||s) verify with `clid verify` and show the name; tampered
# variants fail with their reasons; and clid-signed RCD PASSporTs verify in
# python (cryptography and PyJWT), so both directions are covered.
# Usage: rcd.sh CLID_BINARY WORKDIR
set -eu
clid=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
work=$2
py=/usr/bin/python3 # Debian's interpreter: the Debian modules live there
$py -c 'import cryptography, jwt' 2>/dev/null || { echo "python3-cryptography/jwt missing"; exit 77; }
command -v openssl >/dev/null || { echo "openssl missing"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
x5u=https://certs.rcd.test/sp-rcd-chain.pem
x5u_plain=https://certs.rcd.test/sp-chain.pem
jcl=https://rcd.rcd.test/qbranch.json
icn=https://rcd.rcd.test/qbranch-64x64.png
# The vetted RCD the STI-CA put into sp-rcd.pem's JWTClaimConstraints.
vetted="{\"icn\":\"$icn\",\"jcl\":\"$jcl\",\"nam\":\"Q Branch\"}"
sh "$here/make-pki.sh" "$work" "$vetted"
cd "$work"
printf '%s' '["vcard",[["version",{},"text","4.0"],["fn",{},"text","Q Branch"],["org",{},"text","MI6;Q Branch Spy Gadgets"]]]' > qbranch.json
printf 'PNG\r\n\032\n-not-really-an-image-but-bytes' > icon.png
now=$(date +%s)
orig=12155551000
dest=12155552000
fail=0

# field JSON KEY.PATH: one value of clid verify --json's output
field() { $py -c 'import json,sys
try:
    v=json.loads(sys.argv[1])
except ValueError:
    v={}
for k in sys.argv[2].split("."):
    v=v.get(k) if isinstance(v,dict) else None
print("null" if v is None else v)' "$1" "$2"; }

verify() { # IDENTITY [extra options]: clid verify --json on the interop PKI
    id=$1
    shift
    "$clid" verify --identity "$id" --orig $orig --dest $dest --trust root.pem \
        --x5u-map "$x5u=sp-rcd-chain.pem" --x5u-map "$x5u_plain=sp-chain.pem" \
        --rcd-content "$jcl=qbranch.json" --rcd-content "$icn=icon.png" \
        --at "$now" --json "$@" || true
}

expect() { # LABEL JSON KEY WANT
    got=$(field "$2" "$3")
    if [ "$got" = "$4" ]; then echo "ok   $1: $3 = $4"
    else echo "FAIL $1: $3 = $got, want $4"; printf '%s\n' "$2"; fail=1; fi
}

sign_py() { # KEY X5U [options]
    k=$1
    u=$2
    shift 2
    $py "$here/rcd_passport.py" sign "$k" "$u" $orig $dest "$now" "$@"
}

# python: shaken + rcd (nam, jcl, icn with digests) + crn, constrained certificate
id=$(sign_py sp-rcd.key "$x5u" --nam "Q Branch" --crn "For your ears only" \
     --jcl "$jcl" --jcl-content qbranch.json --icn "$icn" --icn-content icon.png)
out=$(verify "$id")
expect "python shaken+rcd" "$out" reason CLID_OK
expect "python shaken+rcd" "$out" rcd.name "Q Branch"
expect "python shaken+rcd" "$out" rcd.reason "For your ears only"
expect "python shaken+rcd" "$out" rcd.jcard_url "$jcl"
expect "python shaken+rcd" "$out" rcd.icon_url "$icn"
expect "python shaken+rcd" "$out" rcd.flags.constrained True
expect "python shaken+rcd" "$out" rcd.flags.content_ok True

# python: a separate ppt "rcd" PASSporT (accepted by policy)
id=$(sign_py sp-rcd.key "$x5u" --ppt rcd --nam "Q Branch" --jcl "$jcl" --jcl-content qbranch.json)
out=$(verify "$id" --accept-ppt shaken --accept-ppt rcd)
expect "python ppt rcd" "$out" reason CLID_OK
expect "python ppt rcd" "$out" rcd.name "Q Branch"
expect "python ppt rcd" "$out" claims.ppt rcd

# tampered: the name changed after signing (under the unconstrained
# certificate: under sp-rcd.pem the claim constraints, checked before the
# signature, already refuse the new name)
id=$(sign_py sp.key "$x5u_plain" --nam "Q Branch" --tamper nam)
expect "nam changed after signing" "$(verify "$id")" reason CLID_ERR_SIGNATURE_INVALID
id=$(sign_py sp-rcd.key "$x5u" --nam "Q Branch" --tamper nam)
expect "nam changed after signing, constrained" "$(verify "$id")" reason \
    CLID_ERR_CLAIM_CONSTRAINT_VIOLATED
# tampered: the rcdi digest is not that of what the URL serves
id=$(sign_py sp-rcd.key "$x5u" --nam "Q Branch" --jcl "$jcl" --jcl-content qbranch.json \
     --tamper digest)
out=$(verify "$id")
expect "rcdi digest wrong" "$out" reason CLID_ERR_RCD_DIGEST_MISMATCH
expect "rcdi digest wrong" "$out" rcd.name null
# a name the STI-CA did not vet, under the constrained certificate
id=$(sign_py sp-rcd.key "$x5u" --nam "Totally Not Q")
expect "name not permitted" "$(verify "$id")" reason CLID_ERR_CLAIM_CONSTRAINT_VIOLATED
# the same name under the unconstrained certificate passes, not "constrained"
id=$(sign_py sp.key "$x5u_plain" --nam "Totally Not Q")
out=$(verify "$id")
expect "unconstrained certificate" "$out" reason CLID_OK
expect "unconstrained certificate" "$out" rcd.flags.constrained False
# an rcdi digest algorithm RFC 9795 does not list
id=$(sign_py sp-rcd.key "$x5u" --nam "Q Branch" --icn "$icn" --icn-content icon.png --tamper alg)
expect "rcdi unknown alg" "$(verify "$id")" reason CLID_ERR_RCD_DIGEST_ALG
# the constrained certificate makes rcd mandatory (mustInclude)
id=$($py "$here/../stir/python_verify.py" sign sp-rcd.key "$x5u" $orig $dest "$now")
expect "rcd missing (mustInclude)" "$(verify "$id")" reason CLID_ERR_CLAIM_CONSTRAINT_VIOLATED

# clid signs, python verifies: shaken + rcd, and ppt rcd
for ppt in shaken rcd; do
    extra=""
    [ $ppt = rcd ] && extra=--rcd-ppt
    id=$("$clid" sign --key sp-rcd.key --cert sp-rcd.pem --x5u "$x5u" --orig $orig \
         --dest $dest --attest A --at "$now" --rcd-name "Q Branch" \
         --rcd-jcard-url "$jcl" --rcd-jcard-content qbranch.json \
         --rcd-icon-url "$icn" --rcd-icon-content icon.png --rcd-reason "For your ears only" \
         $extra)
    if $py "$here/rcd_passport.py" verify "$id" sp-rcd.pem $ppt "Q Branch" \
           --crn "For your ears only" --jcl "$jcl" qbranch.json --icn "$icn" icon.png >/dev/null
    then echo "ok   clid-signed $ppt+rcd PASSporT verified by python3-cryptography and PyJWT"
    else echo "FAIL python refused clid's $ppt+rcd PASSporT: $id"; fail=1; fi
    # and clid verifies its own under the constraints
    out=$(verify "$id" --accept-ppt shaken --accept-ppt rcd)
    expect "clid-signed $ppt+rcd" "$out" rcd.name "Q Branch"
done
exit $fail
