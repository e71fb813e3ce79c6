#!/usr/bin/python3
"""CPS bearer tokens and publish bodies made with python3-jwt (PyJWT) and
python3-cryptography, not with clid: what oob-kamailio.sh sends to the CPS
at the HTTP level for the negatives (an iss the certificate has no
authority for, a replayed token, a 1 s retention, a forged PASSporT).
The format is docs/oob.md "The bearer token".

  oob_token.py token KEY X5U ACTION ISS AUD ORIG DEST TTL [PASSPORTS_JSON [SPC]]
      prints the JWT; PASSPORTS_JSON is a file holding the JSON array of
      the PASSporTs the publish body carries (its digest becomes the
      "passports" claim); iat is now, exp = iat + TTL, jti a random UUID.
  oob_token.py body PASSPORTS_JSON
      prints {"passports":[...]}.
"""
import base64
import hashlib
import json
import sys
import time
import uuid

import jwt
from cryptography.hazmat.primitives import serialization


def digest(passports):
    # docs/oob.md: "sha256-" + base64 (RFC 4648 §4, padded) of the SHA-256
    # of the compact JSON array, no spaces.
    compact = json.dumps(passports, separators=(",", ":")).encode()
    return "sha256-" + base64.b64encode(hashlib.sha256(compact).digest()).decode()


def token(argv):
    key_file, x5u, action, iss, aud, orig, dest, ttl = argv[:8]
    with open(key_file, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    t = time.time()
    if int(ttl) <= 2:
        # A 1 s retention: start at a whole second, so that the token lives
        # its full second at the CPS (whose clock counts whole seconds)
        # rather than what is left of the current one.
        time.sleep(1 - (t - int(t)))
        t = time.time()
    now = int(t)
    claims = {
        "iat": now,
        "exp": now + int(ttl),
        "action": action,
        "iss": iss,
        "aud": aud,
        "jti": str(uuid.uuid4()),
        "orig": {"tn": orig},
        "dest": {"tn": [dest]},
    }
    if len(argv) > 8 and argv[8]:
        with open(argv[8]) as f:
            claims["passports"] = digest(json.load(f))
    if len(argv) > 9 and argv[9]:
        claims["spc"] = argv[9]
    print(jwt.encode(claims, key, algorithm="ES256", headers={"typ": "JWT", "x5u": x5u}))


def body(argv):
    with open(argv[0]) as f:
        print(json.dumps({"passports": json.load(f)}, separators=(",", ":")))


def main():
    if len(sys.argv) >= 10 and sys.argv[1] == "token":
        token(sys.argv[2:])
    elif len(sys.argv) == 3 and sys.argv[1] == "body":
        body(sys.argv[2:])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(64)


if __name__ == "__main__":
    main()
