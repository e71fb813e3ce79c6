#!/usr/bin/python3
"""Writes the committed seed corpora in fuzz/corpus/<target>/.

Run with Debian's python3 (it needs python3-cryptography for the
certificates):  /usr/bin/python3 fuzz/make_seeds.py

The DER is built here by a few lines of independent code rather than by
clid, so the seeds do not inherit a clid encoder bug. The output is
deterministic (fixed Ed25519 key, dates and serials; Ed25519 signatures are
deterministic), so re-running the script leaves the committed files
unchanged. Valid seeds cover every shape of every type; "bad-" seeds are
near misses the strict decoder must refuse (deps notes §1.6).
"""
import datetime
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


# --- a minimal DER writer -------------------------------------------------

def tlv(tag, content):
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, 'big')
        length = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + length + content


def raw(s):
    return s.encode('utf-8') if isinstance(s, str) else s


def seq(*xs):
    return tlv(0x30, b''.join(xs))


def ia5(s):
    return tlv(0x16, raw(s))


def utf8(s):
    return tlv(0x0C, raw(s))


def int_bytes(v):
    n = 1
    while True:
        try:
            return v.to_bytes(n, 'big', signed=True)
        except OverflowError:
            n += 1


def integer(v):
    return tlv(0x02, int_bytes(v))


def explicit(n, inner):
    return tlv(0xA0 | n, inner)


def implicit(n, content, constructed=False):
    return tlv((0xA0 if constructed else 0x80) | n, content)


# --- TNAuthorizationList (RFC 8226 §9, EXPLICIT TAGS) ---------------------

def spc(s):
    return explicit(0, ia5(s))


def rng(start, count):
    return explicit(1, seq(ia5(start), integer(count)))


def one(s):
    return explicit(2, ia5(s))


def tnauth_seeds():
    all3 = seq(spc('709J'), one('12025551000'), rng('12025550000', 100))
    mixed = seq(*[one('1202555%04d' % i) for i in range(10)],
                *[rng('4470%03d000' % i, 1000) for i in range(5)],
                spc('ABCD'), one('*67#'), spc('1234'))
    return {
        'spc-709J': seq(spc('709J')),
        'all3': all3,
        'tn-special': seq(one('*67#')),
        'range': seq(rng('12025550000', 100)),
        'range-max': seq(rng('000000000000000', 10 ** 15)),
        'range-short': seq(rng('0', 10)),
        'tn-15': seq(one('123456789012345')),
        'spc-64': seq(spc('Z' * 64)),
        'mixed-18': mixed,
        'many-300': seq(*[one(str(i)) for i in range(300)]),
        'bad-long-length': b'\x30\x81\x08' + spc('709J'),
        'bad-indefinite': b'\x30\x80' + spc('709J') + b'\x00\x00',
        'bad-constructed-ia5': seq(explicit(0, tlv(0x36, ia5('70') + ia5('9J')))),
        'bad-padded-int': seq(explicit(1, seq(ia5('12025550000'), tlv(0x02, b'\x00\x64')))),
        'bad-trailing': seq(spc('709J')) + b'\x00',
        'bad-two-lists': seq(spc('709J')) * 2,
        'bad-empty': seq(),
        'bad-one-12a': seq(one('12a')),
        'bad-count-1': seq(rng('1', 1)),
        'bad-range-overflow': seq(rng('999', 5)),
        'bad-implicit': seq(tlv(0x80, b'709J')),
        'bad-nul-spc': seq(spc(b'7\x009J')),
        # X.680 extension additions after count: read past (der_struct.h).
        'ext-addition': seq(explicit(1, seq(ia5('12025550000'), integer(100), tlv(0x05, b'')))),
        'ext-additions': seq(spc('709J'),
                             explicit(1, seq(ia5('12025550000'), integer(100), integer(7),
                                             tlv(0xA5, seq(ia5('x'))), tlv(0x04, b'\x00' * 200)))),
        'bad-ext-addition-ber': seq(explicit(1, seq(ia5('12025550000'), integer(100),
                                                    b'\x05\x81\x00'))),
        'bad-ext-before-start': seq(explicit(1, seq(tlv(0x05, b''), ia5('12025550000'),
                                                    integer(100)))),
        'bad-count-2e64': seq(rng('1', 2 ** 64)),
        'bad-count-2e200': seq(rng('1', 2 ** 200)),
        'bad-count-negative': seq(rng('1', -1)),
        # BER constructed IA5String of empty segments: asn1c re-encodes an
        # empty string from a NULL buffer (found by fuzz_tnauth).
        'bad-constructed-empty-ia5': seq(explicit(0, tlv(0x36, ia5('') * 4))),
        'bad-count-empty': seq(explicit(1, seq(ia5('1'), tlv(0x02, b'')))),
    }


# --- JWT claim constraints (RFC 8226 §8, RFC 9118 §4, EXPLICIT TAGS) ------

def names(*ns):
    return seq(*[ia5(n) for n in ns])


def permitted(claim, *values):
    return seq(ia5(claim), seq(*[utf8(v) for v in values]))


def jwtcc_seeds():
    return {
        '8226-full': seq(explicit(0, names('rcd')),
                         explicit(1, seq(permitted('attest', 'A', 'B')))),
        '8226-include': seq(explicit(0, names('rcd', 'rcdi'))),
        '8226-permitted': seq(explicit(1, seq(permitted('attest', 'A'),
                                              permitted('origid', 'x y')))),
        '9118-full': seq(explicit(0, names('rcd')), explicit(1, seq(permitted('attest', 'A'))),
                         explicit(2, names('div'))),
        '9118-exclude': seq(explicit(2, names('div', 'div-o'))),
        'utf8-value': seq(explicit(1, seq(permitted('rcd', 'T\u00e9l\u00e9com \u2603')))),
        'long-value': seq(explicit(1, seq(permitted('rcd', 'v' * 1024)))),
        'many-claims': seq(explicit(0, names(*['c%d' % i for i in range(50)])),
                           explicit(1, seq(*[permitted('p%d' % i, 'a', 'b', 'c')
                                             for i in range(20)]))),
        'empty-value': seq(explicit(1, seq(permitted('attest', '')))),
        'bad-empty': seq(),
        'bad-empty-list': seq(explicit(0, seq())),
        'bad-dup-claim': seq(explicit(1, seq(permitted('attest', 'A'), permitted('attest', 'B')))),
        'bad-overlong-utf8': seq(explicit(1, seq(permitted('attest', b'\xc0\x80')))),
        'bad-long-length': b'\x30\x81\x09' + explicit(0, names('rcd')),
        'bad-quote-name': seq(explicit(0, names('a"b'))),
        'bad-order': seq(explicit(2, names('div')), explicit(0, names('rcd'))),
    }


# --- SignallingEntity (asn1/CLID-Q3063-Profile-2026.asn, IMPLICIT TAGS) ---

def entity(role, ccs=None, carrier=None, plmns=None, pcs=None, name=None, extra=b''):
    parts = [implicit(0, int_bytes(role))]
    if ccs is not None:
        parts.append(implicit(1, b''.join(ia5(c) for c in ccs), True))
    if carrier is not None:
        parts.append(implicit(2, raw(carrier)))
    if plmns is not None:
        parts.append(implicit(3, b''.join(seq(ia5(a), ia5(b)) for a, b in plmns), True))
    if pcs is not None:
        parts.append(implicit(4, b''.join(integer(p) for p in pcs), True))
    if name is not None:
        parts.append(implicit(5, raw(name)))
    return seq(*parts, extra)


def entity_seeds():
    return {
        'min': entity(0),
        'full': entity(1, ['44'], 'ABC1', [('234', '15')], [4242], 'Example'),
        'multi': entity(3, ['1', '44', '886'], None, [('310', '410'), ('234', '15')], [0, 16383],
                        'T\u00e9l\u00e9com \u00d6sterreich'),
        'carrier': entity(2, carrier='Z9'),
        'max-lists': entity(2, [str(100 + i) for i in range(32)], 'ZZZZZ9',
                            [('001', '%03d' % i) for i in range(32)], [i * 500 for i in range(32)],
                            'x' * 64),
        'bad-role-4': entity(4),
        'bad-ispc-16384': entity(0, pcs=[16384]),
        'ext-addition': entity(0, extra=implicit(6, b'\x00')),
        'ext-additions': entity(1, ['44'], 'ABC1', extra=implicit(6, b'\x00')
                                + implicit(7, integer(5), True)),
        'bad-ext-addition-ber': entity(0, extra=b'\x86\x81\x01\x00'),
        'bad-ext-known-tag': entity(0, carrier='AB', extra=implicit(1, ia5('44'), True)),
        # An empty constructed [2] carrier code (found by fuzz_entity).
        'bad-empty-constructed-carrier': seq(implicit(0, int_bytes(1)), b'\xa2\x00'),
        'bad-empty-role': seq(b'\x80\x00'),
        'bad-utf8-name': entity(0, name=b'\xc3'),
        'bad-dup-country': entity(0, ['44', '44']),
        'bad-explicit-role': seq(explicit(0, tlv(0x0A, b'\x00'))),
    }


# --- certificates for fuzz_cert_ext ---------------------------------------

OID_TNAUTH = '1.3.6.1.5.5.7.1.26'
OID_JWTCC = '1.3.6.1.5.5.7.1.27'
OID_EJWTCC = '1.3.6.1.5.5.7.1.33'
OID_ENTITY = '2.25.42566855811865493193646212583568270452.2.1'
# Same encoded length as OID_TNAUTH; renamed to it after signing to make a
# certificate carrying the extension twice (builders refuse to).
OID_PLACEHOLDER = '1.3.6.1.5.5.7.1.99'


def placeholder_for(oid):
    """A private OID with the same DER length as `oid`. python3-cryptography
    cannot parse arcs wider than 64 bits (clid's UUID arc), so certificates
    are built with the placeholder and the OID bytes swapped afterwards."""
    p = '1.3.6.1.4.1.99999'
    while len(oid_der(p)) < len(oid_der(oid)):
        p += '.1'
    assert len(oid_der(p)) == len(oid_der(oid))
    return p


def cert_seeds(tn, jw, en):
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ed25519
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.x509.oid import NameOID

    key = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'clid fuzz seed')])
    start = datetime.datetime(2026, 1, 1)

    def cert(serial, exts):
        b = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
             .public_key(key.public_key()).serial_number(serial)
             .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=365)))
        renames = []
        for oid, value, critical in exts:
            if oid == OID_ENTITY:
                renames.append((placeholder_for(oid), oid))
                oid = renames[-1][0]
            b = b.add_extension(x509.UnrecognizedExtension(x509.ObjectIdentifier(oid), value),
                                critical=critical)
        der = b.sign(key, None).public_bytes(Encoding.DER)
        for old, new in renames:
            der = rename_oid(der, old, new)
        return der

    def rename_oid(der, old, new):
        # The signature no longer matches; clid never checks it here.
        o, n = oid_der(old), oid_der(new)
        assert len(o) == len(n) and der.count(o) == 1
        return der.replace(o, n)

    all4 = [(OID_TNAUTH, tn['all3'], False), (OID_JWTCC, jw['8226-full'], False),
            (OID_EJWTCC, jw['9118-full'], False), (OID_ENTITY, en['full'], False)]
    return {
        'no-ext': cert(1, []),
        'tnauth-spc': cert(2, [(OID_TNAUTH, tn['spc-709J'], False)]),
        'all-four': cert(3, all4),
        'tnauth-critical': cert(4, [(OID_TNAUTH, tn['all3'], True),
                                    (OID_ENTITY, en['multi'], True)]),
        'jwtcc-both': cert(5, [(OID_JWTCC, jw['8226-permitted'], False),
                               (OID_EJWTCC, jw['9118-exclude'], False)]),
        'bad-tnauth-dup': rename_oid(cert(6, [(OID_TNAUTH, tn['spc-709J'], False),
                                              (OID_PLACEHOLDER, tn['all3'], False)]),
                                     OID_PLACEHOLDER, OID_TNAUTH),
        'bad-tnauth-ber': cert(7, [(OID_TNAUTH, tn['bad-long-length'], False)]),
        'bad-entity-role': cert(8, [(OID_ENTITY, en['bad-role-4'], False),
                                    (OID_TNAUTH, tn['range'], False)]),
        'bad-jwtcc-empty': cert(9, [(OID_JWTCC, jw['bad-empty'], False)]),
    }


def oid_der(dotted):
    arcs = [int(a) for a in dotted.split('.')]
    body = [40 * arcs[0] + arcs[1]] + arcs[2:]
    out = b''
    for a in body:
        chunk = [a & 0x7F]
        a >>= 7
        while a:
            chunk.insert(0, 0x80 | (a & 0x7F))
            a >>= 7
        out += bytes(chunk)
    return tlv(0x06, out)


def write(target, seeds):
    d = os.path.join(HERE, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    for name, data in sorted(seeds.items()):
        with open(os.path.join(d, name + '.der'), 'wb') as f:
            f.write(data)
    print('%s: %d seeds' % (target, len(seeds)))


def main():
    tn, jw, en = tnauth_seeds(), jwtcc_seeds(), entity_seeds()
    write('tnauth', tn)
    write('jwtcc', jw)
    write('entity', en)
    try:
        write('cert_ext', cert_seeds(tn, jw, en))
    except ImportError:
        sys.exit('python3-cryptography is needed for the certificate seeds '
                 '(use /usr/bin/python3 on Debian)')


if __name__ == '__main__':
    main()
