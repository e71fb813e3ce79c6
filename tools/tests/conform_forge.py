#!/usr/bin/env python3
# Signs a PASSporT from given JOSE header and claims texts, byte for byte
# (so a test can repeat a member or write a claim of the wrong type), for
# the tests of `clid conform grade`: tools/tests/conform_grade.sh.
#   conform_forge.py KEY HEADER_JSON CLAIMS_JSON PARAMS [--der] [--pad] [--std]
# prints HEADER.CLAIMS.SIGNATURE + PARAMS (e.g. ";info=<URL>;alg=ES256;ppt=shaken").
#   --der  the ECDSA signature in DER, not the r||s of RFC 7518 §3.4
#   --pad  base64url with its '=' padding (RFC 7515 §2 forbids it)
#   --std  the '+' '/' alphabet of base64, not base64url (needs bytes that use it)
import base64, sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

key_path, hdr, claims, params = sys.argv[1:5]
flags = set(sys.argv[5:])
key = serialization.load_pem_private_key(open(key_path, 'rb').read(), None)

def enc(b):
    s = base64.b64encode(b) if '--std' in flags else base64.urlsafe_b64encode(b)
    s = s.decode()
    return s if '--pad' in flags else s.rstrip('=')

signing_input = enc(hdr.encode()) + '.' + enc(claims.encode())
der = key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
if '--der' in flags:
    sig = der
else:
    r, s = decode_dss_signature(der)
    sig = r.to_bytes(32, 'big') + s.to_bytes(32, 'big')
print(signing_input + '.' + enc(sig) + params)
