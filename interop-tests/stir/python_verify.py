#!/usr/bin/python3
"""An independent ES256 PASSporT verifier and signer, written with Debian's
python3-cryptography and python3-jwt (no clid code), for interop tests.

  python_verify.py verify IDENTITY CERT.pem   -> prints "ok" or raises
  python_verify.py sign KEY.pem X5U ORIG DEST IAT -> prints an Identity value
"""
import base64
import json
import sys

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils


def b64d(s):
    if "=" in s:
        raise ValueError("padding in base64url")
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def b64e(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def verify(identity, cert_path):
    jws, _, params = identity.partition(";")
    fields = dict(p.split("=", 1) for p in params.split(";"))
    h64, c64, s64 = jws.split(".")
    header = json.loads(b64d(h64))
    claims = json.loads(b64d(c64))
    sig = b64d(s64)
    assert header == {"alg": "ES256", "ppt": "shaken", "typ": "passport",
                      "x5u": fields["info"].strip("<>")}, header
    assert fields["alg"] == "ES256" and fields["ppt"] == "shaken", fields
    # RFC 8225 §9: the JSON is canonical (sorted members, no whitespace).
    for part, obj in ((h64, header), (c64, claims)):
        canon = json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()
        assert b64d(part) == canon, (b64d(part), canon)
    assert isinstance(claims["iat"], int)
    assert isinstance(claims["orig"]["tn"], str)
    assert isinstance(claims["dest"]["tn"], list)
    assert claims["attest"] in ("A", "B", "C")
    # RFC 7518 §3.4: 64 raw bytes r||s, not DER.
    assert len(sig) == 64, len(sig)
    cert = x509.load_pem_x509_certificate(open(cert_path, "rb").read())
    pub = cert.public_key()
    der = utils.encode_dss_signature(int.from_bytes(sig[:32], "big"),
                                     int.from_bytes(sig[32:], "big"))
    pub.verify(der, f"{h64}.{c64}".encode(), ec.ECDSA(hashes.SHA256()))
    # A second opinion: PyJWT's own ES256 verification.
    jwt.decode(jws, pub, algorithms=["ES256"], options={"verify_aud": False})
    print("ok")


def sign(key_path, x5u, orig, dest, iat):
    key = serialization.load_pem_private_key(open(key_path, "rb").read(), None)
    claims = {"attest": "A", "dest": {"tn": [dest]}, "iat": int(iat),
              "orig": {"tn": orig}, "origid": "123e4567-e89b-12d3-a456-426614174000"}
    headers = {"ppt": "shaken", "typ": "passport", "x5u": x5u}
    token = jwt.encode(claims, key, algorithm="ES256", headers=headers)
    print(f"{token};info=<{x5u}>;alg=ES256;ppt=shaken")


if __name__ == "__main__":
    if sys.argv[1] == "verify":
        verify(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "sign":
        sign(*sys.argv[2:7])
    else:
        sys.exit("usage")
