#!/usr/bin/python3
"""Writes the seed corpus of fuzz_clitoken in fuzz/corpus/clitoken/.

Run with Debian's python3:  /usr/bin/python3 fuzz/make_clitoken_seeds.py

A seed is one byte (even: a token follows; odd: a JWS follows) and the
input. Tokens are DER written here by a few lines of independent code (not
by clid), after asn1/CLID-CLI-Token-2026.asn; JWSs are canonical RFC 8225
PASSporTs with a dummy signature (the token does not check it). "bad-"
seeds are near misses the strict decoder must refuse. Deterministic.
"""
import base64
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'corpus', 'clitoken')
T0 = 1767225600
URL = 'https://cert.example.org/shaken/sp01.pem'
ORIG, DEST = '12025550100', '13035550199'
ORIGID = '4b3e8f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5b'
SIG = bytes(range(64))


def tlv(tag, content):
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, 'big')
        length = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + length + content


def integer(v):
    n = max(1, (v.bit_length() + 8) // 8)
    return tlv(0x02, v.to_bytes(n, 'big', signed=True))


def token(version=1, attest=0, iat=T0, origid=ORIGID, x5u=URL, orig=None, dest=None,
          sig=SIG, body_tag=0xA0):
    body = tlv(0x04, sig) + tlv(0x0A, bytes([attest])) + integer(iat)
    body += tlv(0x04, bytes.fromhex(origid.replace('-', ''))) + tlv(0x16, x5u.encode())
    if orig is not None:
        body += tlv(0x80, orig.encode())
    if dest is not None:
        body += tlv(0xA1, b''.join(tlv(0x16, d.encode()) for d in dest))
    return tlv(0x30, integer(version) + tlv(body_tag, body))


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b'=').decode()


def part(obj):
    return b64u(json.dumps(obj, separators=(',', ':'), sort_keys=True).encode())


def jws(claims=None, header=None):
    h = header or {'alg': 'ES256', 'ppt': 'shaken', 'typ': 'passport', 'x5u': URL}
    c = claims or {'attest': 'A', 'dest': {'tn': [DEST]}, 'iat': T0, 'orig': {'tn': ORIG},
                   'origid': ORIGID}
    return (part(h) + '.' + part(c) + '.' + b64u(SIG)).encode()


def main():
    os.makedirs(OUT, exist_ok=True)
    seeds = {
        'token-omitted.bin': b'\x00' + token(),
        'token-full.bin': b'\x00' + token(orig=ORIG, dest=[DEST]),
        'token-multi-dest.bin': b'\x00' + token(attest=2, orig=ORIG,
                                                dest=[DEST, '13035550198', '*72', '44#1']),
        'token-orig-only.bin': b'\x00' + token(orig='442079460000'),
        'token-iat-big.bin': b'\x00' + token(iat=2**63 - 1, orig=ORIG, dest=[DEST]),
        'bad-token-version2.bin': b'\x00' + token(version=2),
        'bad-token-sig63.bin': b'\x00' + token(sig=SIG[:63]),
        'bad-token-body1.bin': b'\x00' + token(body_tag=0xA1),
        'bad-token-attest3.bin': b'\x00' + token(attest=3),
        'bad-token-trailing.bin': b'\x00' + token() + b'\x00',
        'jws-canonical.txt': b'\x01' + jws(),
        'jws-multi-dest.txt': b'\x01' + jws({'attest': 'C', 'dest': {'tn': [DEST, '1']},
                                             'iat': T0, 'orig': {'tn': ORIG},
                                             'origid': ORIGID}),
        'bad-jws-extra-claim.txt': b'\x01' + jws({'attest': 'A', 'dest': {'tn': [DEST]},
                                                  'iat': T0, 'orig': {'tn': ORIG},
                                                  'origid': ORIGID, 'rcd': {'nam': 'x'}}),
        'bad-jws-compact.txt': b'\x01..' + b64u(SIG).encode(),
    }
    for name, data in sorted(seeds.items()):
        with open(os.path.join(OUT, name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
