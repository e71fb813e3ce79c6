#!/usr/bin/env bash
# `clid cert show` on bad input: non-DER and malformed extension values, a
# duplicated extension, files that are not certificates, unreadable files.
# Each must give exactly one line on stderr, nothing on stdout, and the
# documented exit status (65 bad data, 66 unreadable); never a crash (the
# ASan build runs this too).
. "$(dirname "$0")/lib.sh" "$@"

TNAUTH=1.3.6.1.5.5.7.1.26
ENTITY=2.25.42566855811865493193646212583568270452.2.1
ERR_RE='^clid: [^ ].*: [A-Za-z0-9 ]+: CLID_ERR_[A-Z_]+: .+$'

# bad_ext NAME OID HEX CODE: a certificate whose extension OID holds HEX must
# be refused with CODE, naming the field.
bad_ext() {
    local name=$1 oid=$2 hex=$3 code=$4 field
    case $oid in
        "$TNAUTH") field=TNAuthList ;;
        1.3.6.1.5.5.7.1.27) field=JWTClaimConstraints ;;
        1.3.6.1.5.5.7.1.33) field=EnhancedJWTClaimConstraints ;;
        *) field=SignallingEntity ;;
    esac
    selfsigned "$TMP/$name.pem" "/CN=$name" -addext "$oid=DER:$hex" || return 0
    expect_error 65 "^clid: $TMP/$name.pem: $field: $code: " cert show "$TMP/$name.pem"
    expect_error 65 "^clid: $TMP/$name.pem: $field: $code: " cert show --json "$TMP/$name.pem"
}

# --- BER but not DER: the long-form length 81 08 (RFC 5280 wants DER) ------
selfsigned "$TMP/ber.pem" "/CN=ber" -addext "$TNAUTH=DER:30:81:08:A0:06:16:04:37:30:39:4A"
expect_error 65 "$ERR_RE" cert show "$TMP/ber.pem"
check "exact message for a BER TNAuthList" test "$(cat "$TMP/err")" = \
    "clid: $TMP/ber.pem: TNAuthList: CLID_ERR_DER_NOT_CANONICAL: extension value does not re-encode to the same DER: a BER-only form (long-form or indefinite length, constructed string, padded integer) or a field out of place"

# --- other refusals, one per field ------------------------------------------
bad_ext tn_trailing "$TNAUTH" 30:08:A0:06:16:04:37:30:39:4A:00 CLID_ERR_DER_TRAILING_DATA
bad_ext tn_truncated "$TNAUTH" 30:08:A0:06:16:04:37:30 CLID_ERR_DER_MALFORMED
bad_ext tn_empty "$TNAUTH" 30:00 'CLID_ERR_(DER_CONSTRAINT|BAD_[A-Z]+)'
bad_ext tn_letter "$TNAUTH" 30:07:A2:05:16:03:31:32:61 'CLID_ERR_(DER_CONSTRAINT|BAD_TN)'
bad_ext tn_implicit "$TNAUTH" 30:06:80:04:37:30:39:4A CLID_ERR_DER_MALFORMED
bad_ext jwt_empty 1.3.6.1.5.5.7.1.27 30:00 'CLID_ERR_(DER_CONSTRAINT|BAD_CLAIM_CONSTRAINT)'
bad_ext ejwt_ber 1.3.6.1.5.5.7.1.33 30:81:09:A2:07:30:05:16:03:64:69:76 CLID_ERR_DER_NOT_CANONICAL
bad_ext entity_ber "$ENTITY" 30:81:03:80:01:03 CLID_ERR_DER_NOT_CANONICAL
bad_ext entity_role "$ENTITY" 30:03:80:01:09 'CLID_ERR_(BAD_ENTITY|DER_[A-Z_]+)'
bad_ext entity_ispc "$ENTITY" '30:09:80:01:01:A4:04:02:02:40:00' 'CLID_ERR_(BAD_ENTITY|DER_CONSTRAINT)'

# --- a duplicated extension ---------------------------------------------------
# openssl's config and -addext merge repeated OIDs, so make the certificate
# with a stand-in OID of the same length (…1.98), patch its bytes to …1.26,
# and re-sign it with `openssl x509 -signkey` (which keeps every extension).
selfsigned "$TMP/pre.pem" "/CN=dup" -addext "$TNAUTH=DER:30:08:A0:06:16:04:37:30:39:4A" \
    -addext "1.3.6.1.5.5.7.1.98=DER:30:08:A0:06:16:04:37:30:39:4A"
openssl x509 -in "$TMP/pre.pem" -outform DER -out "$TMP/pre.der"
perl -0777 -pe 's/\x06\x08\x2B\x06\x01\x05\x05\x07\x01\x62/\x06\x08\x2B\x06\x01\x05\x05\x07\x01\x1A/g' \
    "$TMP/pre.der" >"$TMP/patched.der"
openssl x509 -inform DER -in "$TMP/patched.der" -signkey "$TMP/k.pem" -out "$TMP/dup.pem" 2>/dev/null
check "the duplicate really is there" test \
    "$(openssl asn1parse -in "$TMP/dup.pem" | grep -c ":$TNAUTH\$")" -eq 2
expect_error 65 "^clid: $TMP/dup.pem: TNAuthList: CLID_ERR_EXT_DUPLICATE: " cert show "$TMP/dup.pem"
# In a chain the message says which certificate.
selfsigned "$TMP/good.pem" "/CN=good" -addext "$TNAUTH=DER:30:08:A0:06:16:04:37:30:39:4A"
cat "$TMP/good.pem" "$TMP/dup.pem" >"$TMP/chain.pem"
expect_error 65 "^clid: $TMP/chain.pem: certificate 2: TNAuthList: CLID_ERR_EXT_DUPLICATE: " \
    cert show "$TMP/chain.pem"

# --- not a certificate --------------------------------------------------------
printf 'hello, world\n' >"$TMP/text.txt"
expect_error 65 "^clid: $TMP/text.txt: DER: CLID_ERR_CERT_PARSE: " cert show "$TMP/text.txt"
: >"$TMP/empty"
expect_error 65 "^clid: $TMP/empty: DER: CLID_ERR_CERT_PARSE: " cert show "$TMP/empty"
head -c 300 /dev/urandom >"$TMP/random.bin"
expect_error 65 "CLID_ERR_CERT_PARSE: " cert show "$TMP/random.bin"
expect_error 65 "^clid: $TMP/k.pem: no PEM CERTIFICATE block: CLID_ERR_CERT_PARSE: " \
    cert show "$TMP/k.pem"
# A CERTIFICATE block whose base64 is damaged.
sed '2s/^..../!!!!/' "$TMP/good.pem" >"$TMP/damaged.pem"
expect_error 65 "^clid: $TMP/damaged.pem: PEM certificate 1: CLID_ERR_CERT_PARSE: " \
    cert show "$TMP/damaged.pem"
# DER with bytes after the certificate.
openssl x509 -in "$TMP/good.pem" -outform DER -out "$TMP/good.der"
cat "$TMP/good.der" "$TMP/good.der" >"$TMP/twice.der"
expect_error 65 "^clid: $TMP/twice.der: DER with trailing bytes: CLID_ERR_CERT_PARSE: " \
    cert show "$TMP/twice.der"
# Truncated DER, every few bytes: refused, never a crash.
size=$(stat -c %s "$TMP/good.der")
for cut in 1 2 4 10 50 100 $((size / 2)) $((size - 1)); do
    head -c "$cut" "$TMP/good.der" >"$TMP/cut.der"
    expect_error 65 "CLID_ERR_CERT_PARSE: " cert show "$TMP/cut.der"
done

# --- size bound: more than 1 MiB is refused without parsing --------------------
head -c $((1024 * 1024 + 1)) /dev/zero >"$TMP/big.bin"
expect_error 65 "^clid: $TMP/big.bin: larger than 1048576 bytes, refused$" cert show "$TMP/big.bin"
ok
if ! out=$(head -c $((1024 * 1024 + 1)) /dev/zero | "$CLID" cert show - 2>&1 >/dev/null); then
    case $out in *"larger than 1048576 bytes"*) ;; *) fail "stdin size bound: $out" ;; esac
else
    fail "a 1 MiB + 1 stdin was accepted"
fi

# --- unreadable input: 66 -----------------------------------------------------
expect_error 66 "^clid: $TMP/missing.pem: cannot open: No such file or directory$" \
    cert show "$TMP/missing.pem"
expect_error 66 "^clid: $TMP: cannot read: Is a directory$" cert show "$TMP"

finish
