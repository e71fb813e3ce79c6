"""clid's extension DER against python3-asn1crypto, in both directions.

    run-python.sh asn1crypto_check.py EXT_TOOL WORKDIR

For every value below:
  1. clid encodes it (ext_tool encode);
  2. asn1crypto parses those bytes with the schema classes defined here
     (written from RFC 8226 §9/§8, RFC 9118 §4 and
     asn1/CLID-Q3063-Profile-2026.asn) and must find the same value;
  3. asn1crypto's generic parser walks the bytes without any schema: every
     header must be the minimal DER header and the primitive leaves must be
     exactly the expected (class, tag, contents) in order;
  4. asn1crypto encodes the value itself: the bytes must equal clid's;
  5. clid decodes asn1crypto's bytes (ext_tool decode) and prints the value.
Values clid must refuse are built with asn1crypto too and checked by error
name. Values of "version 2" schemas with X.680 extension additions must read
in clid as asn1crypto's version-1 schema reads them. Exits 1 on any mismatch.
"""
import os
import subprocess
import sys

from asn1crypto import core, parser


# --- schema classes (EXPLICIT TAGS for the RFC modules) ----------------------

class TelephoneNumberRange(core.Sequence):
    _fields = [('start', core.IA5String), ('count', core.Integer)]


class TNEntry(core.Choice):
    _alternatives = [
        ('spc', core.IA5String, {'explicit': 0}),
        ('range', TelephoneNumberRange, {'explicit': 1}),
        ('one', core.IA5String, {'explicit': 2}),
    ]


class TNAuthorizationList(core.SequenceOf):
    _child_spec = TNEntry


class ClaimNames(core.SequenceOf):
    _child_spec = core.IA5String


class UTF8Strings(core.SequenceOf):
    _child_spec = core.UTF8String


class ClaimPermittedValues(core.Sequence):
    _fields = [('claim', core.IA5String), ('permitted', UTF8Strings)]


class ClaimPermittedValuesList(core.SequenceOf):
    _child_spec = ClaimPermittedValues


class JWTClaimConstraints(core.Sequence):
    _fields = [
        ('mustInclude', ClaimNames, {'explicit': 0, 'optional': True}),
        ('permittedValues', ClaimPermittedValuesList, {'explicit': 1, 'optional': True}),
    ]


class EnhancedJWTClaimConstraints(core.Sequence):
    _fields = [
        ('mustInclude', ClaimNames, {'explicit': 0, 'optional': True}),
        ('permittedValues', ClaimPermittedValuesList, {'explicit': 1, 'optional': True}),
        ('mustExclude', ClaimNames, {'explicit': 2, 'optional': True}),
    ]


# clid's profile module uses IMPLICIT TAGS.
ROLES = {0: 'originating-gateway', 1: 'international-gateway', 2: 'transit', 3: 'verifier'}


class EntityRole(core.Enumerated):
    _map = {**ROLES, 4: 'role-4'}  # 4: only to build a value clid must refuse


class CountryCodes(core.SequenceOf):
    _child_spec = core.IA5String


class MobileNetwork(core.Sequence):
    _fields = [('mcc', core.IA5String), ('mnc', core.IA5String)]


class MobileNetworks(core.SequenceOf):
    _child_spec = MobileNetwork


class SignallingPointCodes(core.SequenceOf):
    _child_spec = core.Integer


class SignallingEntity(core.Sequence):
    _fields = [
        ('role', EntityRole, {'implicit': 0}),
        ('countryCodes', CountryCodes, {'implicit': 1, 'optional': True}),
        ('carrierCode', core.IA5String, {'implicit': 2, 'optional': True}),
        ('mobileNetworks', MobileNetworks, {'implicit': 3, 'optional': True}),
        ('signallingPointCodes', SignallingPointCodes, {'implicit': 4, 'optional': True}),
        ('operatorName', core.UTF8String, {'implicit': 5, 'optional': True}),
    ]


# --- plain values -------------------------------------------------------------
# tnauth: [('spc', s) | ('tn', s) | ('range', start, count)]
# jwtcc:  {'inc': [..], 'perm': [(claim, [values])], 'exc': [..]}
# entity: {'role': name, 'cc': [..], 'carrier': s|None, 'plmn': [(mcc, mnc)],
#          'ispc': [int], 'name': s|None}

def ispc_text(pc):
    return '%d-%d-%d' % (pc >> 11, (pc >> 3) & 0xFF, pc & 7)


def tool_args(kind, v):
    if kind == 'tnauth':
        out = []
        for e in v:
            out.append('range=%s+%d' % (e[1], e[2]) if e[0] == 'range' else '%s=%s' % e)
        return out
    if kind.startswith('jwtcc'):
        return (['inc=' + n for n in v.get('inc', [])]
                + ['perm=%s=%s' % (c, x) for c, xs in v.get('perm', []) for x in xs]
                + ['exc=' + n for n in v.get('exc', [])])
    out = [v['role']] + ['cc=' + c for c in v.get('cc', [])]
    if v.get('carrier'):
        out.append('carrier=' + v['carrier'])
    out += ['plmn=%s-%s' % p for p in v.get('plmn', [])]
    out += ['ispc=%d' % p for p in v.get('ispc', [])]
    if v.get('name'):
        out.append('name=' + v['name'])
    return out


def text(kind, v):
    """The value as ext_tool prints it."""
    if kind == 'tnauth':
        return ['range %s %d' % (e[1], e[2]) if e[0] == 'range' else '%s %s' % e for e in v]
    if kind.startswith('jwtcc'):
        return (['must-include ' + n for n in v.get('inc', [])]
                + ['permitted %s %s' % (c, x) for c, xs in v.get('perm', []) for x in xs]
                + ['must-exclude ' + n for n in v.get('exc', [])])
    out = ['role ' + v['role']] + ['country ' + c for c in v.get('cc', [])]
    if v.get('carrier'):
        out.append('carrier ' + v['carrier'])
    out += ['plmn %s %s' % p for p in v.get('plmn', [])]
    out += ['ispc %d %s' % (p, ispc_text(p)) for p in v.get('ispc', [])]
    if v.get('name'):
        out.append('operator ' + v['name'])
    return out


def schema(kind):
    return {'tnauth': TNAuthorizationList, 'jwtcc8226': JWTClaimConstraints,
            'jwtcc9118': EnhancedJWTClaimConstraints, 'entity': SignallingEntity}[kind]


def build(kind, v):
    """asn1crypto's encoding of a plain value."""
    if kind == 'tnauth':
        entries = []
        for e in v:
            if e[0] == 'range':
                entries.append(TNEntry(name='range', value={'start': e[1], 'count': e[2]}))
            else:
                entries.append(TNEntry(name='one' if e[0] == 'tn' else 'spc', value=e[1]))
        return TNAuthorizationList(entries).dump(force=True)
    if kind.startswith('jwtcc'):
        d = {}
        if v.get('inc'):
            d['mustInclude'] = v['inc']
        if v.get('perm'):
            d['permittedValues'] = [{'claim': c, 'permitted': xs} for c, xs in v['perm']]
        if v.get('exc'):
            d['mustExclude'] = v['exc']
        return schema(kind)(d).dump(force=True)
    d = {'role': {n: k for k, n in EntityRole._map.items()}[v['role']]}
    if v.get('cc'):
        d['countryCodes'] = v['cc']
    if v.get('carrier'):
        d['carrierCode'] = v['carrier']
    if v.get('plmn'):
        d['mobileNetworks'] = [{'mcc': m, 'mnc': n} for m, n in v['plmn']]
    if v.get('ispc'):
        d['signallingPointCodes'] = v['ispc']
    if v.get('name'):
        d['operatorName'] = v['name']
    return SignallingEntity(d).dump(force=True)


def parse(kind, der):
    """The plain value asn1crypto's schema parse finds in `der`."""
    obj = schema(kind).load(der, strict=True)
    if kind == 'tnauth':
        out = []
        for e in obj:
            if e.name == 'range':
                out.append(('range', e.chosen['start'].native, e.chosen['count'].native))
            else:
                out.append(('tn' if e.name == 'one' else 'spc', e.chosen.native))
        return out
    if kind.startswith('jwtcc'):
        d = {}
        for field, key in (('mustInclude', 'inc'), ('mustExclude', 'exc')):
            if field in obj and obj[field].native is not None:
                d[key] = obj[field].native
        if obj['permittedValues'].native is not None:
            d['perm'] = [(p['claim'].native, p['permitted'].native)
                         for p in obj['permittedValues']]
        return d
    # Enumerated.native is the _map name; ROLES names are ext_tool's.
    d = {'role': obj['role'].native}
    if obj['countryCodes'].native is not None:
        d['cc'] = obj['countryCodes'].native
    if obj['carrierCode'].native is not None:
        d['carrier'] = obj['carrierCode'].native
    if obj['mobileNetworks'].native is not None:
        d['plmn'] = [(m['mcc'].native, m['mnc'].native) for m in obj['mobileNetworks']]
    if obj['signallingPointCodes'].native is not None:
        d['ispc'] = obj['signallingPointCodes'].native
    if obj['operatorName'].native is not None:
        d['name'] = obj['operatorName'].native
    return d


def normalize(kind, v):
    if kind == 'tnauth':
        return [tuple(e) for e in v]
    return {k: (list(map(tuple, x)) if k in ('perm', 'plmn') else x)
            for k, x in v.items() if x not in (None, [])}


# --- schema-free walk ---------------------------------------------------------

UNIVERSAL, CONTEXT = 0, 2


def der_int(v):
    n = 1
    while True:
        try:
            return v.to_bytes(n, 'big', signed=True)
        except OverflowError:
            n += 1


def der_header(class_, method, tag, length):
    assert tag < 31
    h = bytes([(class_ << 6) | (method << 5) | tag])
    if length < 0x80:
        return h + bytes([length])
    b = length.to_bytes((length.bit_length() + 7) // 8, 'big')
    return h + bytes([0x80 | len(b)]) + b


def walk(data, leaves, problems, depth=0):
    """Parses every TLV in `data` with asn1crypto's generic parser, checks
    that each header is the one DER header for its content (definite,
    shortest length), and collects primitive leaves in order."""
    pointer = 0
    while pointer < len(data):
        class_, method, tag, header, contents, trailer = parser.parse(data[pointer:])
        if trailer or header != der_header(class_, method, tag, len(contents)):
            problems.append('non-DER header %s at depth %d' % (header.hex(), depth))
        if class_ == UNIVERSAL and method == 1 and tag not in (16, 17):
            problems.append('constructed universal tag %d (BER string form)' % tag)
        if method == 1:
            walk(contents, leaves, problems, depth + 1)
        else:
            leaves.append((class_, tag, contents))
        pointer += len(header) + len(contents) + len(trailer)


def expected_leaves(kind, v):
    ia5 = lambda s: (UNIVERSAL, 22, s.encode('ascii'))  # noqa: E731
    if kind == 'tnauth':
        out = []
        for e in v:
            out.append(ia5(e[1]))
            if e[0] == 'range':
                out.append((UNIVERSAL, 2, der_int(e[2])))
        return out
    if kind.startswith('jwtcc'):
        out = [ia5(n) for n in v.get('inc', [])]
        for c, xs in v.get('perm', []):
            out.append(ia5(c))
            out += [(UNIVERSAL, 12, x.encode('utf-8')) for x in xs]
        return out + [ia5(n) for n in v.get('exc', [])]
    role = {n: k for k, n in EntityRole._map.items()}[v['role']]
    out = [(CONTEXT, 0, der_int(role))]  # IMPLICIT [0] ENUMERATED
    out += [ia5(c) for c in v.get('cc', [])]
    if v.get('carrier'):
        out.append((CONTEXT, 2, v['carrier'].encode('ascii')))
    for m, n in v.get('plmn', []):
        out += [ia5(m), ia5(n)]
    out += [(UNIVERSAL, 2, der_int(p)) for p in v.get('ispc', [])]
    if v.get('name'):
        out.append((CONTEXT, 5, v['name'].encode('utf-8')))
    return out


# --- the values -------------------------------------------------------------

CASES = [
    ('tnauth', [('spc', '709J')]),
    ('tnauth', [('spc', '709J'), ('tn', '12025551000'), ('range', '12025550000', 100)]),
    ('tnauth', [('tn', '*67#'), ('tn', '123456789012345'), ('spc', 'Z' * 64)]),
    ('tnauth', [('range', '000000000000000', 10 ** 15), ('range', '0', 10)]),
    ('tnauth', [('tn', '1202555%04d' % i) for i in range(40)]),  # long-form lengths
    ('jwtcc8226', {'inc': ['rcd', 'crn'],
                   'perm': [('attest', ['A', 'B']), ('rcd', ['T\u00e9l\u00e9com \u2603', ''])]}),
    ('jwtcc8226', {'inc': ['rcd']}),
    ('jwtcc8226', {'perm': [('origid', ['x y'])]}),
    ('jwtcc8226', {'perm': [('rcd', ['v' * 1024])]}),
    ('jwtcc9118', {'inc': ['rcd'], 'perm': [('attest', ['A'])], 'exc': ['div', 'div-o']}),
    ('jwtcc9118', {'exc': ['div']}),
    ('entity', {'role': 'originating-gateway'}),
    ('entity', {'role': 'transit', 'carrier': 'Z9'}),
    ('entity', {'role': 'international-gateway', 'cc': ['44'], 'carrier': 'ABC1',
                'plmn': [('234', '15')], 'ispc': [4242], 'name': 'Example'}),
    ('entity', {'role': 'verifier', 'cc': ['1', '44', '886'],
                'plmn': [('310', '410'), ('234', '15')], 'ispc': [0, 127, 128, 16383],
                'name': 'T\u00e9l\u00e9com \u00d6sterreich'}),
    ('entity', {'role': 'transit', 'cc': [str(100 + i) for i in range(32)],
                'ispc': [i * 500 for i in range(32)], 'name': 'x' * 64}),
]

# Values asn1crypto encodes without complaint but clid must refuse.
REFUSED = [
    ('tnauth', TNAuthorizationList([]), 'CLID_ERR_DER_CONSTRAINT'),
    ('tnauth', TNAuthorizationList([TNEntry(name='one', value='12a')]),
     'CLID_ERR_DER_CONSTRAINT'),
    ('tnauth', TNAuthorizationList([TNEntry(name='range', value={'start': '999', 'count': 5})]),
     'CLID_ERR_BAD_RANGE'),
    ('tnauth', TNAuthorizationList([TNEntry(name='range', value={'start': '1', 'count': 1})]),
     'CLID_ERR_BAD_RANGE'),
    # count INTEGER (2..MAX) far beyond 2^63: a range error, not bytes clid cannot read.
    ('tnauth', TNAuthorizationList([TNEntry(name='range', value={'start': '1', 'count': 2 ** 64})]),
     'CLID_ERR_BAD_RANGE'),
    ('tnauth', TNAuthorizationList([TNEntry(name='range', value={'start': '1', 'count': 2 ** 200})]),
     'CLID_ERR_BAD_RANGE'),
    ('tnauth', TNAuthorizationList([TNEntry(name='range', value={'start': '1', 'count': -5})]),
     'CLID_ERR_BAD_RANGE'),
    ('jwtcc8226', JWTClaimConstraints({}), 'CLID_ERR_DER_CONSTRAINT'),
    ('jwtcc9118', EnhancedJWTClaimConstraints({'mustExclude': []}), 'CLID_ERR_DER_CONSTRAINT'),
    ('jwtcc8226', JWTClaimConstraints({'permittedValues': [
        {'claim': 'attest', 'permitted': ['A']}, {'claim': 'attest', 'permitted': ['B']}]}),
     'CLID_ERR_BAD_CLAIM_CONSTRAINT'),
    ('jwtcc8226', EnhancedJWTClaimConstraints({'mustExclude': ['div']}), 'CLID_ERR_DER_MALFORMED'),
    ('entity', SignallingEntity({'role': 'role-4'}), 'CLID_ERR_BAD_ENTITY'),
    ('entity', SignallingEntity({'role': 'transit', 'signallingPointCodes': [16384]}),
     'CLID_ERR_DER_CONSTRAINT'),
    ('entity', SignallingEntity({'role': 'transit', 'countryCodes': ['44', '44']}),
     'CLID_ERR_BAD_ENTITY'),
]


# --- X.680 extension additions ---------------------------------------------
# A later version of a module may add fields after the extension marker of
# TelephoneNumberRange and SignallingEntity. These "version 2" schemas add
# some; asn1crypto encodes values of them, and clid (version 1) must read
# the same root values as asn1crypto's version-1 schema (which, like an
# X.680 decoder, reads past the additions) finds in the same bytes.

class Extra(core.Sequence):
    _fields = [('n', core.Integer)]


class TelephoneNumberRangeV2(core.Sequence):
    _fields = [('start', core.IA5String), ('count', core.Integer),
               ('step', core.Integer, {'optional': True}),
               ('label', core.UTF8String, {'optional': True}),
               ('extra', Extra, {'explicit': 3, 'optional': True})]


class TNEntryV2(core.Choice):
    _alternatives = [
        ('spc', core.IA5String, {'explicit': 0}),
        ('range', TelephoneNumberRangeV2, {'explicit': 1}),
        ('one', core.IA5String, {'explicit': 2}),
    ]


class TNAuthorizationListV2(core.SequenceOf):
    _child_spec = TNEntryV2


class SignallingEntityV2(core.Sequence):
    _fields = SignallingEntity._fields + [
        ('region', core.IA5String, {'implicit': 6, 'optional': True}),
        ('flags', core.BitString, {'implicit': 7, 'optional': True}),
    ]


EXTENDED = [
    ('tnauth', TNAuthorizationListV2([TNEntryV2(name='range', value={
        'start': '12025550000', 'count': 100, 'step': 5})])),
    ('tnauth', TNAuthorizationListV2([
        TNEntryV2(name='spc', value='709J'),
        TNEntryV2(name='range', value={'start': '4470000000', 'count': 1000, 'step': -1,
                                       'label': 'T\u00e9l\u00e9com', 'extra': {'n': 1}}),
        TNEntryV2(name='one', value='12025551000')])),
    ('tnauth', TNAuthorizationListV2([TNEntryV2(name='range', value={
        'start': '1', 'count': 9, 'label': 'x' * 300})])),  # a long-form length
    ('entity', SignallingEntityV2({'role': 'transit', 'region': 'EU'})),
    ('entity', SignallingEntityV2({'role': 'international-gateway', 'countryCodes': ['44'],
                                   'carrierCode': 'ABC1', 'operatorName': 'Example',
                                   'region': 'EU', 'flags': (1, 0, 1)})),
]

# Not DER additions, or additions where none may be: built by hand.
TN = b'\x16\x0b12025550000'
EXTENDED_REFUSED = [
    ('tnauth', b'\x30\x17\xa1\x15\x30\x13' + TN + b'\x02\x01\x64\x05\x81\x00',
     'CLID_ERR_DER_NOT_CANONICAL'),  # long-form length of a NULL addition
    ('tnauth', b'\x30\x18\xa1\x16\x30\x14' + TN + b'\x02\x01\x64\x02\x02\x00\x05',
     'CLID_ERR_DER_NOT_CANONICAL'),  # a padded INTEGER addition
    ('tnauth', b'\x30\x16\xa1\x14\x30\x12\x05\x00' + TN + b'\x02\x01\x64',
     'CLID_ERR_DER_MALFORMED'),  # an element before the root components
    ('jwtcc8226', b'\x30\x0b\xa0\x07\x30\x05\x16\x03rcd\x05\x00',
     'CLID_ERR_DER_MALFORMED'),  # JWTClaimConstraints has no extension marker
    ('entity', b'\x30\x0d\x80\x01\x00\x82\x02AB\xa1\x04\x16\x0244',
     'CLID_ERR_DER_NOT_CANONICAL'),  # a root field after another: out of place
]


def check_extended(tool, work, failures):
    for i, (kind, obj) in enumerate(EXTENDED):
        name = 'extended#%d' % i
        der = obj.dump(force=True)
        leaves, problems = [], []
        walk(der, leaves, problems)
        failures += ['%s: asn1crypto made non-DER: %s' % (name, p) for p in problems]
        try:
            root = normalize(kind, parse(kind, der))
        except Exception as exc:
            failures.append('%s: asn1crypto version 1 schema cannot read it: %r' % (name, exc))
            continue
        if schema(kind).load(der).dump(force=True) == der:
            failures.append('%s: no addition in the test value' % name)
        path = os.path.join(work, 'extended%02d.der' % i)
        with open(path, 'wb') as f:
            f.write(der)
        rc, out, err = run_tool(tool, 'decode', kind, path)
        if rc != 0 or out.splitlines() != text(kind, root):
            failures.append('%s: clid reads %r (exit %d) %s; asn1crypto reads %r'
                            % (name, out, rc, err, root))
        else:
            print('ok   %s (%d bytes): %s' % (name, len(der), root))
    for i, (kind, der, want) in enumerate(EXTENDED_REFUSED):
        path = os.path.join(work, 'extended-refused%02d.der' % i)
        with open(path, 'wb') as f:
            f.write(der)
        rc, out, err = run_tool(tool, 'decode', kind, path)
        if rc != 1 or out.strip() != 'error ' + want:
            failures.append('extended-refused#%d (%s): got %r exit %d %s, expected error %s'
                            % (i, kind, out, rc, err, want))
        else:
            print('ok   extended-refused#%d %s: %s' % (i, kind, want))


def run_tool(tool, *args):
    p = subprocess.run([tool] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: asn1crypto_check.py EXT_TOOL WORKDIR')
    tool, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    failures = []

    for i, (kind, value) in enumerate(CASES):
        name = '%s#%d' % (kind, i)
        path = os.path.join(work, 'case%02d.der' % i)
        rc, out, err = run_tool(tool, 'encode', kind, path, *tool_args(kind, value))
        if rc != 0 or not os.path.isfile(path):
            failures.append('%s: clid refused to encode (exit %d): %s%s' % (name, rc, out, err))
            continue
        with open(path, 'rb') as f:
            clid_der = f.read()
        try:
            got = normalize(kind, parse(kind, clid_der))
        except Exception as exc:  # any asn1crypto parse error is a failure
            failures.append('%s: asn1crypto cannot parse clid DER: %r' % (name, exc))
            continue
        if got != normalize(kind, value):
            failures.append('%s: asn1crypto reads %r, expected %r' % (name, got, value))
        if schema(kind).load(clid_der).dump(force=True) != clid_der:
            failures.append('%s: asn1crypto re-encodes clid DER differently' % name)
        leaves, problems = [], []
        walk(clid_der, leaves, problems)
        failures += ['%s: %s' % (name, p) for p in problems]
        if leaves != expected_leaves(kind, value):
            failures.append('%s: generic walk found %r' % (name, leaves))
        theirs = build(kind, value)
        if theirs != clid_der:
            failures.append('%s: asn1crypto DER %s != clid DER %s'
                            % (name, theirs.hex(), clid_der.hex()))
        path2 = os.path.join(work, 'case%02d.asn1crypto.der' % i)
        with open(path2, 'wb') as f:
            f.write(theirs)
        rc, out, err = run_tool(tool, 'decode', kind, path2)
        if rc != 0 or out.splitlines() != text(kind, value):
            failures.append('%s: clid decodes asn1crypto DER as %r (exit %d) %s'
                            % (name, out, rc, err))
        print('ok   %s (%d bytes)' % (name, len(clid_der)) if not any(
            f.startswith(name + ':') for f in failures) else 'FAIL %s' % name)

    for i, (kind, obj, want) in enumerate(REFUSED):
        path = os.path.join(work, 'refused%02d.der' % i)
        with open(path, 'wb') as f:
            f.write(obj.dump(force=True))
        rc, out, err = run_tool(tool, 'decode', kind, path)
        if rc != 1 or out.strip() != 'error ' + want:
            failures.append('refused#%d (%s): got %r exit %d %s, expected error %s'
                            % (i, kind, out, rc, err, want))
        else:
            print('ok   refused#%d %s: %s' % (i, kind, want))

    check_extended(tool, work, failures)

    for f in failures:
        print('FAIL: ' + f)
    if failures:
        sys.exit(1)
    print('all asn1crypto checks passed (%d values, %d refusals, %d with extension additions, '
          '%d of them refused)' % (len(CASES), len(REFUSED), len(EXTENDED) + len(EXTENDED_REFUSED),
                                   len(EXTENDED_REFUSED)))


if __name__ == '__main__':
    main()
