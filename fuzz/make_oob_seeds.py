#!/usr/bin/python3
"""Writes the seed corpus of fuzz_oob in fuzz/corpus/oob/.

Run with Debian's python3:  /usr/bin/python3 fuzz/make_oob_seeds.py

Each seed is "<token>\\n<body>". The tokens are written here, not by clid,
so they do not inherit a clid encoder bug; their signatures are zeros (the
fuzz target re-signs header and claims with its per-run key). The
PASSporTs in the bodies are unsigned too: a CPS does not check them (the
retriever does, RFC 9888). The output is deterministic.
"""
import base64
import hashlib
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'corpus', 'oob')
T0 = 1767225600
URL = 'https://cert.example.org/sp1234.pem'
ORIG, DEST = '12025550100', '13035550199'


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b'=').decode()


def part(obj):
    return b64u(json.dumps(obj, separators=(',', ':'), sort_keys=True).encode())


SIG = b64u(bytes(64))


def passport(orig, n):
    h = {'alg': 'ES256', 'ppt': 'shaken', 'typ': 'passport', 'x5u': URL}
    c = {'attest': 'A', 'dest': {'tn': [DEST]}, 'iat': T0, 'orig': {'tn': orig},
         'origid': '4b3e8f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5%d' % n}
    return part(h) + '.' + part(c) + '.' + SIG


def digest(pps):
    arr = json.dumps(pps, separators=(',', ':')).encode()
    return 'sha256-' + base64.b64encode(hashlib.sha256(arr).digest()).decode()


def token(action, pps=None, **extra):
    h = {'alg': 'ES256', 'typ': 'JWT', 'x5u': URL}
    c = {'action': action, 'aud': 'cps.example.net', 'dest': {'tn': [DEST]},
         'exp': T0 + 30, 'iat': T0, 'iss': '1234', 'jti': 'seed-' + action,
         'orig': {'tn': ORIG}}
    if pps is not None:
        c['passports'] = digest(pps)
    c.update(extra)
    return part(h) + '.' + part(c) + '.' + SIG


def body(pps):
    return json.dumps({'passports': pps}, separators=(',', ':'))


def main():
    os.makedirs(OUT, exist_ok=True)
    one = [passport(ORIG, 1)]
    two = [passport(ORIG, 1), passport(ORIG, 2)]
    other = [passport('12025550111', 3)]
    seeds = {
        'publish-one': token('publish', one) + '\n' + body(one),
        'publish-two-spc': token('publish', two, spc='5678') + '\n' + body(two),
        'republish': token('republish', one) + '\n' + body(one),
        'publish-other-orig': token('publish', other) + '\n' + body(other),
        'publish-digest-mismatch': token('publish', one) + '\n' + body(two),
        'retrieve': token('retrieve'),
        'retrieve-spc': token('retrieve', spc='1234'),
        'bad-retrieve-aud': token('retrieve', aud='other'),
        'bad-body-nine': token('publish', one) + '\n' + body(one * 9),
    }
    for name, text in seeds.items():
        with open(os.path.join(OUT, name), 'w', encoding='ascii', newline='') as f:
            f.write(text)


if __name__ == '__main__':
    main()
