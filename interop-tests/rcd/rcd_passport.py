#!/usr/bin/python3
"""An independent Rich Call Data PASSporT signer and verifier (RFC 9795),
written with Debian's python3-cryptography and python3-jwt only (no clid
code, no clid JSON), for the RCD interop test (rcd.sh).

  rcd_passport.py jwtcc-der RCD_JSON [CRN]
      hex DER of an RFC 8226 §8 JWTClaimConstraints extension value:
      mustInclude ["rcd"], permittedValues rcd: [RCD_JSON] (and crn: [CRN])
  rcd_passport.py sign KEY X5U ORIG DEST IAT [options]
      prints an Identity header value (RFC 8224 §4.1) of a PASSporT with
      rcd, crn and rcdi claims, ES256 as raw r||s (RFC 7518 §3.4):
        --ppt shaken|rcd       (default shaken: attest A + origid)
        --nam NAME --crn TEXT --jcl URL --jcl-content FILE --icn URL
        --icn-content FILE     content files give the rcdi digests
        --tamper nam|digest|alg   nam: the name changed after signing;
                               digest: rcdi of other bytes; alg: "sha1-"
  rcd_passport.py verify IDENTITY CERT.pem PPT NAME [--crn TEXT]
        [--jcl URL FILE] [--icn URL FILE]
      checks a clid-signed PASSporT: header, canonical JSON (RFC 8225 §9),
      the rcd/crn values, each rcdi digest against FILE, the signature with
      cryptography and PyJWT; prints "ok" or raises.
"""
import base64
import hashlib
import json
import sys

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def b64ud(s):
    if "=" in s:
        raise ValueError("padding in base64url")
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def sri(data, alg="sha256"):
    """RFC 9795 §6 integrity: "<alg>-" and the standard base64 (with
    padding) of the hash of the bytes the URL serves (the W3C Subresource
    Integrity form)."""
    return f"{alg}-" + base64.b64encode(hashlib.new(alg, data).digest()).decode()


# --- DER, by hand (X.690): RFC 8226's module has EXPLICIT TAGS -------------

def tlv(tag, body):
    n = len(body)
    if n < 0x80:
        head = bytes([n])
    else:
        lb = n.to_bytes((n.bit_length() + 7) // 8, "big")
        head = bytes([0x80 | len(lb)]) + lb
    return bytes([tag]) + head + body


def seq(*items):
    return tlv(0x30, b"".join(items))


def ia5(s):
    return tlv(0x16, s.encode("ascii"))


def utf8(s):
    return tlv(0x0C, s.encode("utf-8"))


def jwtcc_der(rcd_json, crn=None):
    """JWTClaimConstraints ::= SEQUENCE { mustInclude [0] JWTClaimNames,
    permittedValues [1] SEQUENCE OF SEQUENCE { claim, permitted SEQUENCE OF
    UTF8String } } (RFC 8226 §8)."""
    permitted = [seq(ia5("rcd"), seq(utf8(rcd_json)))]
    if crn is not None:
        permitted.append(seq(ia5("crn"), seq(utf8(crn))))
    return seq(tlv(0xA0, seq(ia5("rcd"))), tlv(0xA1, seq(*permitted)))


# --- signing ---------------------------------------------------------------

def es256(key, data):
    r, s = utils.decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def enc(obj):
    # RFC 8225 §9: members in lexicographic order, no whitespace.
    return json.dumps(obj, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()


def sign(argv):
    key_path, x5u, orig, dest, iat = argv[:5]
    opts = {}
    rest = argv[5:]
    while rest:
        opts[rest[0].lstrip("-")] = rest[1]
        rest = rest[2:]
    ppt = opts.get("ppt", "shaken")
    key = serialization.load_pem_private_key(open(key_path, "rb").read(), None)
    rcd = {"nam": opts["nam"]}
    rcdi = {}
    for member in ("jcl", "icn"):
        if member in opts:
            rcd[member] = opts[member]
            content = opts.get(member + "-content")
            if content is not None:
                data = open(content, "rb").read()
                if opts.get("tamper") == "digest":
                    data += b"\n"
                digest = sri(data)
                if opts.get("tamper") == "alg":
                    digest = "sha1-" + base64.b64encode(hashlib.sha1(data).digest()).decode()
                rcdi["/" + member] = digest
    claims = {"dest": {"tn": [dest]}, "iat": int(iat), "orig": {"tn": orig}, "rcd": rcd}
    if ppt == "shaken":
        claims["attest"] = "A"
        claims["origid"] = "7f3a9c2e-5b1d-4e8f-a6c0-2d4b8e1f9a37"
    if "crn" in opts:
        claims["crn"] = opts["crn"]
    if rcdi:
        claims["rcdi"] = rcdi
    header = {"alg": "ES256", "ppt": ppt, "typ": "passport", "x5u": x5u}
    h64, c64 = b64u(enc(header)), b64u(enc(claims))
    sig = es256(key, f"{h64}.{c64}".encode())
    if opts.get("tamper") == "nam":
        claims["rcd"]["nam"] = opts["nam"] + " Ltd"
        c64 = b64u(enc(claims))
    print(f"{h64}.{c64}.{b64u(sig)};info=<{x5u}>;alg=ES256;ppt={ppt}")


# --- verifying clid's ------------------------------------------------------

def verify(argv):
    identity, cert_path, ppt, name = argv[:4]
    rest = argv[4:]
    crn, urls = None, {}
    while rest:
        if rest[0] == "--crn":
            crn, rest = rest[1], rest[2:]
        elif rest[0] in ("--jcl", "--icn"):
            urls[rest[0][2:]] = (rest[1], rest[2])
            rest = rest[3:]
        else:
            raise SystemExit("verify: unknown option " + rest[0])
    jws, _, params = identity.partition(";")
    fields = dict(p.split("=", 1) for p in params.split(";"))
    assert fields["alg"] == "ES256" and fields["ppt"] == ppt, fields
    h64, c64, s64 = jws.split(".")
    header = json.loads(b64ud(h64))
    claims = json.loads(b64ud(c64))
    assert header == {"alg": "ES256", "ppt": ppt, "typ": "passport",
                      "x5u": fields["info"].strip("<>")}, header
    for part, obj in ((h64, header), (c64, claims)):
        assert b64ud(part) == enc(obj), (b64ud(part), enc(obj))
    assert claims["rcd"]["nam"] == name, claims
    assert claims.get("crn") == crn, claims
    if ppt == "rcd":
        assert "attest" not in claims and "origid" not in claims, claims
    else:
        assert claims["attest"] in ("A", "B", "C"), claims
    for member, (url, path) in urls.items():
        assert claims["rcd"][member] == url, claims
        # RFC 9795 §6: the digest of exactly the bytes the URL serves
        assert claims["rcdi"]["/" + member] == sri(open(path, "rb").read()), claims
    assert set(claims.get("rcdi", {})) == {"/" + m for m in urls}, claims
    sig = b64ud(s64)
    assert len(sig) == 64, len(sig)
    pub = x509.load_pem_x509_certificate(open(cert_path, "rb").read()).public_key()
    der = utils.encode_dss_signature(int.from_bytes(sig[:32], "big"),
                                     int.from_bytes(sig[32:], "big"))
    pub.verify(der, f"{h64}.{c64}".encode(), ec.ECDSA(hashes.SHA256()))
    jwt.decode(jws, pub, algorithms=["ES256"], options={"verify_aud": False})
    print("ok")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    cmd = sys.argv[1]
    if cmd == "jwtcc-der":
        der = jwtcc_der(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
        print(":".join(f"{b:02X}" for b in der))
    elif cmd == "sign":
        sign(sys.argv[2:])
    elif cmd == "verify":
        verify(sys.argv[2:])
    else:
        raise SystemExit(__doc__)
