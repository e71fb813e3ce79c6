#!/bin/sh
# The CLI token (clid's Q.3063 profile) against secsipidx (Debian secsipidx
# 1.2.0, asipto/secsipidx), which no one here wrote:
#  1. a PASSporT secsipidx signs -> token -> the rebuilt JWS is the original
#     byte for byte, and the rebuilt Identity verifies with clid and with
#     `secsipidx -check`;
#  2. a PASSporT secsipidx signs from non-canonical JSON is reported not
#     reconstructible, and the SSGW's re-signed token verifies with both;
#  3. a clid PASSporT -> token -> Identity passes `secsipidx -check`, and a
#     token with one signature bit flipped does not.
# Usage: token-secsipidx.sh TOKEN_TOOL CLID_BINARY WORKDIR
set -eu
tool=$1
clid=$2
work=$3
command -v secsipidx >/dev/null || { echo "secsipidx not installed"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
sh "$here/../stir/make-pki.sh" "$work"
cd "$work"
url=https://certs.interop.test/sp-chain.pem
orig=12155551000
dest=12155552000
now=$(date +%s)
fail=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }
same() { # name want got
    if [ "$2" = "$3" ]; then ok "$1"; else bad "$1"; echo "  want: $2"; echo "  got:  $3"; fi
}
clid_verdict() { # identity -> the reason clid gives
    "$clid" verify --identity "$1" --trust root.pem --x5u-map "$url=sp-chain.pem" --at "$now" \
        --orig "$orig" --dest "$dest" | sed -n 's/^reason: //p' || true
}
sx_check() { # identity -> 0 when secsipidx accepts it with the chain to our root
    secsipidx -check -identity "$1" -fpubkey sp-chain.pem -expire 120 -cert-verify 5 \
        -ca-file root.pem >/dev/null 2>&1
}

# 1. secsipidx's canonical PASSporT.
sx=$(secsipidx -sign-full -orig-tn $orig -dest-tn $dest -attest A \
     -orig-id 123e4567-e89b-12d3-a456-426614174000 -x5u "$url" -k sp.key)
jws=${sx%%;*}
tok=$("$tool" from "$jws" $orig $dest) || { bad "secsipidx PASSporT -> token: $tok"; tok=; }
if [ -n "$tok" ]; then
    echo "     token of the secsipidx PASSporT: $((${#tok} / 2)) bytes (orig/dest omitted)"
    id=$("$tool" identity "$tok" $orig $dest)
    same "secsipidx PASSporT rebuilt bit for bit" "$jws" "${id%%;*}"
    same "rebuilt Identity equals secsipidx's header" "$sx" "$id"
    same "rebuilt Identity verifies with clid" CLID_OK "$(clid_verdict "$id")"
    if sx_check "$id"; then ok "rebuilt Identity passes secsipidx -check"
    else bad "rebuilt Identity refused by secsipidx -check"; fi
fi

# 2. Not canonical (whitespace, members out of order): refused, then re-signed.
hdr='{"alg":"ES256","ppt":"shaken","typ":"passport","x5u":"'$url'"}'
pay='{"orig":{"tn":"'$orig'"}, "attest":"B","dest":{"tn":["'$dest'"]},"iat":'$now',"origid":"123e4567-e89b-12d3-a456-426614174000"}'
nc=$(secsipidx -sign -header "$hdr" -payload "$pay" -k sp.key)
same "non-canonical secsipidx PASSporT is not reconstructible" \
    CLID_ERR_CLI_TOKEN_NOT_RECONSTRUCTIBLE "$("$tool" from "$nc" || true)"
# secsipidx's own -json-parse re-serializes it canonically: then it is.
cn=$(secsipidx -sign -json-parse -header "$hdr" -payload "$pay" -k sp.key)
if t2=$("$tool" from "$cn"); then
    same "secsipidx -json-parse PASSporT rebuilt bit for bit" "$cn" "$("$tool" identity "$t2" | sed 's/;.*//')"
else bad "secsipidx -json-parse PASSporT: $t2"; fi
# The SSGW (here the SP's own certificate: its SPC covers any TN) re-signs.
rs=$("$tool" resign sp.key sp.pem "$url" "$nc") || { bad "resign: $rs"; rs=; }
if [ -n "$rs" ]; then
    rid=$("$tool" identity "$rs")
    same "re-signed token verifies with clid" CLID_OK "$(clid_verdict "$rid")"
    if sx_check "$rid"; then ok "re-signed token's Identity passes secsipidx -check"
    else bad "re-signed token's Identity refused by secsipidx -check"; fi
fi

# 3. clid's PASSporT through the token, checked by secsipidx.
cl=$("$clid" sign --key sp.key --cert sp.pem --x5u "$url" --orig $orig --dest $dest --attest A)
t3=$("$tool" from "${cl%%;*}" $orig $dest) || { bad "clid PASSporT -> token: $t3"; t3=; }
if [ -n "$t3" ]; then
    id3=$("$tool" identity "$t3" $orig $dest)
    same "clid Identity rebuilt from its token" "$cl" "$id3"
    if sx_check "$id3"; then ok "clid token's Identity passes secsipidx -check"
    else bad "clid token's Identity refused by secsipidx -check"; fi
    tt=$("$tool" tamper "$t3")
    idt=$("$tool" identity "$tt" $orig $dest)
    if sx_check "$idt"; then bad "secsipidx accepted a token with a flipped signature bit"
    else ok "secsipidx refuses the Identity of a tampered token"; fi
    same "clid refuses the Identity of a tampered token" CLID_ERR_SIGNATURE_INVALID \
        "$(clid_verdict "$idt")"
fi
exit $fail
