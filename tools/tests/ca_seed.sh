#!/usr/bin/env bash
# clid ca --seed (docs/ca.md "Seeded test PKIs"): in two separate CA
# directories made with the same seed, every key (root, intermediate, STI-PA
# CRL signer, issued certificates) and every serial is the same; another
# seed or the CA's name gives other ones; without --seed two CAs share
# nothing; the seeded CA's certificates still lint clean and verify with
# openssl; a seeded DIR keeps its seed (issue without --seed derives) and
# refuses another one; the same PREFIX basename issued twice in one CA gets
# a fresh serial. All clid commands run in one clid_inproc process.
. "$(dirname "$0")/lib.sh" "$@"
. "$TESTS_DIR/ca_lib.sh"
. "$TESTS_DIR/inproc.sh"
cd "$TMP"
mkdir a b c n1 n2 other
for d in a b c n1 n2 other; do mkdir "$d/out"; done

# seeded: a and b with seed "event-42"; c with "event-43"; other: same seed, another name
for d in a b; do
    inproc_add ca init "$d/ca" --seed event-42 --name "Seed Lab"
    inproc_add ca issue "$d/ca" --out "$d/out/sp" --spc 709J
    SP_N=$IP_N
    inproc_add ca issue "$d/ca" --out "$d/out/spca" --ca --range 12025550000+1000
    inproc_add ca issue "$d/ca" --out "$d/out/del" --delegate-of "$d/out/spca.pem" \
        --parent-key "$d/out/spca.key" --range 12025550100+10
done
inproc_add ca init c/ca --seed event-43 --name "Seed Lab"
inproc_add ca issue c/ca --out c/out/sp --spc 709J
inproc_add ca init other/ca --seed event-42 --name "Other Lab"
inproc_add ca issue other/ca --out other/out/sp --spc 709J
# unseeded
for d in n1 n2; do
    inproc_add ca init "$d/ca" --name "Seed Lab"
    inproc_add ca issue "$d/ca" --out "$d/out/sp" --spc 709J
done
# --seed given to issue: the same as the kept one is fine, another is refused
inproc_add ca issue a/ca --out a/out/again --spc 709J --seed event-42
AGAIN=$IP_N
inproc_add ca issue a/ca --out a/out/bad --spc 709J --seed event-43
BAD=$IP_N
# the same basename twice in one CA: same key, another serial
mkdir a/out/dup
inproc_add ca issue a/ca --out a/out/dup/sp --spc 709J
DUP=$IP_N
# --seed on issue in an unseeded CA derives too
inproc_add ca issue n1/ca --out n1/out/s1 --spc 709J --seed x
inproc_add ca issue n2/ca --out n2/out/s1 --spc 709J --seed x
# bad seeds
inproc_add ca init bad1 --seed "$(printf 'a\001b')"
BAD1=$IP_N
inproc_add ca init bad2 --seed "$(head -c 257 /dev/zero | tr '\0' s)"
BAD2=$IP_N
inproc_run
for n in $(seq 1 "$IP_N"); do
    case $n in "$BAD" | "$BAD1" | "$BAD2") continue ;; esac
    [ "${IP_RC[$n]}" -eq 0 ] ||
        fail "clid $(sed -n "${n}p" "$IP_SCRIPT" | tr '\t' ' ') exited ${IP_RC[$n]}: $(cat "$IP_DIR/$n.err")"
done
cp "$IP_DIR/$SP_N.out" sp.out
check "another seed than the kept one: usage error" test "${IP_RC[$BAD]}" = 64
check "it says why" grep -q "made with another seed" "$IP_DIR/$BAD.err"
check "no files for the refused issue" test ! -e a/out/bad.pem
check "a control character in --seed: usage error" test "${IP_RC[$BAD1]}" = 64
check "a 257-byte --seed: usage error" test "${IP_RC[$BAD2]}" = 64
check "no directory after a bad seed" test ! -e bad1 -a ! -e bad2

pub() { openssl pkey -in "$1" -pubout 2>/dev/null | sha256sum | cut -c1-64; }
pubc() { openssl x509 -in "$1" -noout -pubkey 2>/dev/null | sha256sum | cut -c1-64; }
serial() { openssl x509 -in "$1" -noout -serial | cut -d= -f2; }
same() { [ "$1" = "$2" ] && [ -n "$1" ]; }
differ() { [ "$1" != "$2" ] && [ -n "$1" ] && [ -n "$2" ]; }

# --- same seed: same keys and serials ------------------------------------------------
for k in root inter crl-signer; do
    check "same seed: same $k key" same "$(pub a/ca/$k.key)" "$(pub b/ca/$k.key)"
    pem=$k.pem
    check "same seed: same $k serial" same "$(serial a/ca/$pem)" "$(serial b/ca/$pem)"
done
for k in sp spca del; do
    check "same seed: same $k key" same "$(pub a/out/$k.key)" "$(pub b/out/$k.key)"
    check "same seed: same $k serial" same "$(serial a/out/$k.pem)" "$(serial b/out/$k.pem)"
    check "$k.pem holds $k.key's public key" same "$(pubc a/out/$k.pem)" "$(pub a/out/$k.key)"
done
for f in root_serial inter_serial crl_signer_serial; do
    check "same seed: same $f in ca.json" same "$(jq -r .$f a/ca/ca.json)" "$(jq -r .$f b/ca/ca.json)"
done
check "the seeded DIR keeps its seed" test "$(jq -r .seed a/ca/ca.json)" = event-42
check "an unseeded DIR keeps none" test "$(jq -r .seed n1/ca/ca.json)" = null
check "the kept seed derives: issue without --seed = with it (key)" \
    same "$(pub a/out/sp.key)" "$(pub b/out/sp.key)"
check "again (other basename): another key" differ "$(pub a/out/again.key)" "$(pub a/out/sp.key)"
check "the same basename again: the same key" same "$(pub a/out/dup/sp.key)" "$(pub a/out/sp.key)"
check "the same basename again: another serial" differ "$(serial a/out/dup/sp.pem)" "$(serial a/out/sp.pem)"
check "keys pass openssl's check" quiet openssl pkey -in a/ca/root.key -check -noout
check "the keys are P-256" bash -c "openssl pkey -in a/out/sp.key -text -noout | grep -q 'NIST CURVE: P-256'"
check "serials have the random form (16 octets, positive)" \
    bash -c "[[ \$(openssl x509 -in a/out/sp.pem -noout -serial) =~ ^serial=[4-7][0-9A-F]{31}$ ]]"

# --- another seed, another name, no seed: other keys ---------------------------------
for k in root inter crl-signer; do
    check "another seed: another $k key" differ "$(pub a/ca/$k.key)" "$(pub c/ca/$k.key)"
    check "another CA name: another $k key" differ "$(pub a/ca/$k.key)" "$(pub other/ca/$k.key)"
    check "no seed: another $k key each time" differ "$(pub n1/ca/$k.key)" "$(pub n2/ca/$k.key)"
    check "no seed: another $k serial each time" differ "$(serial n1/ca/$k.pem)" "$(serial n2/ca/$k.pem)"
done
check "another seed: another sp key" differ "$(pub a/out/sp.key)" "$(pub c/out/sp.key)"
check "another seed: another sp serial" differ "$(serial a/out/sp.pem)" "$(serial c/out/sp.pem)"
check "no seed: another sp key each time" differ "$(pub n1/out/sp.key)" "$(pub n2/out/sp.key)"
check "--seed in unseeded CAs of different roots: same key" \
    same "$(pub n1/out/s1.key)" "$(pub n2/out/s1.key)"

# --- the seeded PKI is still a good one ------------------------------------------------
inproc_reset
# (the SP CA and the delegate claim no profile: "none", as unseeded ones)
inproc_add cert lint a/out/sp.pem
inproc_add cert lint --profile shaken a/out/sp.pem
inproc_add cert lint --profile shaken a/ca/inter.pem a/ca/root.pem
inproc_run
for n in $(seq 1 "$IP_N"); do
    check "lint: $(sed -n "${n}p" "$IP_SCRIPT" | tr '\t' ' ') exits 0 ($(cat "$IP_DIR/$n.out" "$IP_DIR/$n.err"))" \
        test "${IP_RC[$n]}" = 0
done
check "lint: no warning on the SHAKEN certificate" bash -c "! grep -qi warning $IP_DIR/2.out"
check "openssl verifies the seeded SP chain" \
    quiet openssl verify -x509_strict -CAfile a/ca/root.pem -untrusted a/ca/inter.pem a/out/sp.pem
check "the seeded DIR is consistent" ca_consistent a/ca
check "issue printed profile shaken for the seeded SP" grep -qx "profile: shaken" sp.out
finish
