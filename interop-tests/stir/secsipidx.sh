#!/bin/sh
# Interop with secsipidx (Debian `secsipidx`, asipto/secsipidx 1.2.0), a
# STIR/SHAKEN implementation no one here wrote: Identity headers it signs
# must verify with clid, and headers clid signs must pass `secsipidx -check`
# (signature, and with -cert-verify the chain to our root).
# Usage: secsipidx.sh CLID_BINARY WORKDIR
set -eu
clid=$1
work=$2
command -v secsipidx >/dev/null || { echo "secsipidx not installed"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
sh "$here/make-pki.sh" "$work"
cd "$work"
url=https://certs.interop.test/sp-chain.pem
now=$(date +%s)
fail=0
check() { # name expected-reason actual-output
    reason=$(printf '%s\n' "$3" | sed -n 's/^reason: //p')
    if [ "$reason" = "$2" ]; then echo "ok   $1 ($reason)"; else echo "FAIL $1: want $2, got '$reason'"; printf '%s\n' "$3"; fail=1; fi
}
verify() { # identity [extra options]
    id=$1; shift
    "$clid" verify --identity "$id" --trust root.pem --x5u-map "$url=sp-chain.pem" --at "$now" "$@" || true
}

# 1. secsipidx signs, clid verifies (chain validation, TNAuthList, binding).
sx=$(secsipidx -sign-full -orig-tn 12155551000 -dest-tn 12155552000 -attest A \
     -orig-id 123e4567-e89b-12d3-a456-426614174000 -x5u "$url" -k sp.key)
check "secsipidx-signed header verifies" CLID_OK \
    "$(verify "$sx" --orig 12155551000 --dest 12155552000)"
check "secsipidx header, wrong caller" CLID_ERR_ORIG_MISMATCH \
    "$(verify "$sx" --orig 12155551001 --dest 12155552000)"
# Same claims, signed by a key the certificate does not hold.
sx_other=$(secsipidx -sign-full -orig-tn 12155551000 -dest-tn 12155552000 -attest A \
     -x5u "$url" -k other.key)
check "secsipidx header, other key" CLID_ERR_SIGNATURE_INVALID \
    "$(verify "$sx_other" --orig 12155551000 --dest 12155552000)"
# A tampered payload (orig changed, signature kept).
jws=${sx%%;*}; params=${sx#*;}
h=${jws%%.*}; rest=${jws#*.}; p=${rest%%.*}; s=${rest#*.}
p2=$(printf '%s' "$p" | tr -- '-_' '+/' | base64 -d 2>/dev/null | sed 's/12155551000/12155559999/' \
     | base64 -w0 | tr -- '+/' '-_' | tr -d '=')
check "secsipidx header, tampered claims" CLID_ERR_SIGNATURE_INVALID \
    "$(verify "$h.$p2.$s;$params" --orig 12155559999 --dest 12155552000)"
# An expected disagreement: secsipidx signs the numbers it is given as they
# are (a Kamailio script handing it a SIP user part "+1215..." does this),
# RFC 8225 §5.2.1 / RFC 8224 §8.3 want them canonical, and clid refuses a
# non-canonical claim rather than canonicalize it (docs/verification.md).
sx_plus=$(secsipidx -sign-full -orig-tn +12155551000 -dest-tn 12155552000 -attest A \
     -orig-id 123e4567-e89b-12d3-a456-426614174000 -x5u "$url" -k sp.key)
check "secsipidx header with orig +1215..., refused as not canonical" \
    CLID_ERR_PASSPORT_TN_NOT_CANONICAL "$(verify "$sx_plus" --orig 12155551000 --dest 12155552000)"

# 2. clid signs, secsipidx verifies: signature only, then with the chain
#    validated to our root (-cert-verify 5 = validity + CA file).
cl=$("$clid" sign --key sp.key --cert sp.pem --x5u "$url" --orig +1-215-555-1000 \
     --dest 12155552000 --attest B)
if secsipidx -check -identity "$cl" -fpubkey sp-chain.pem -expire 60 >/dev/null; then
    echo "ok   clid-signed header passes secsipidx -check"
else echo "FAIL clid-signed header refused by secsipidx"; fail=1; fi
if secsipidx -check -identity "$cl" -fpubkey sp-chain.pem -expire 60 -cert-verify 5 \
        -ca-file root.pem >/dev/null; then
    echo "ok   clid-signed header passes secsipidx -check -cert-verify 5"
else echo "FAIL clid-signed header refused by secsipidx with chain checks"; fail=1; fi
# secsipidx must also refuse what it should: our header with another cert.
openssl req -new -x509 -key other.key -subj "/CN=other" -days 1 -out other.pem 2>/dev/null
if secsipidx -check -identity "$cl" -fpubkey other.pem -expire 60 >/dev/null 2>&1; then
    echo "FAIL secsipidx accepted a clid header with the wrong key"; fail=1
else echo "ok   secsipidx refuses a clid header checked with another key"; fi
# And clid's own verdict on its header.
check "clid-signed header verifies with clid" CLID_OK \
    "$(verify "$cl" --orig 12155551000 --dest 12155552000)"
exit $fail
