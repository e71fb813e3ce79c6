#!/usr/bin/python3
"""Writes the seed corpus of fuzz/fuzz_crl.c into fuzz/corpus/crl/.

Run with Debian's python3 and python3-cryptography:
    /usr/bin/python3 fuzz/make_crl_seeds.py

Each seed is: 1 byte of flags, 2 bytes (big-endian) of the length of a
CRLDistributionPoints extension value, that value (DER), then a CRL (DER,
or PEM). The CRLs are built here with python-cryptography, independently of
clid, so the seeds do not inherit a clid encoder bug. Deterministic (a
fixed Ed25519 key, fixed dates and serials; Ed25519 signatures are
deterministic): re-running leaves the committed files unchanged. Shapes:
SHAKEN's indirect STI-PA CRL (issuingDistributionPoint indirectCRL, entries
with certificateIssuer) and a certificate's point naming it (URL and
cRLIssuer), direct CRLs, scopes (only CA / only user / some reasons, other
distribution point names), and near misses clid must refuse (delta CRL,
unknown critical extensions, certificateIssuer in a direct CRL, no
nextUpdate).
"""
import datetime
import os

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.x509.oid import NameOID

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "crl")
KEY = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
T0 = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
DAY = datetime.timedelta(days=1)
URL = "https://crl.sti-pa.test/sti-pa.crl"


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "STI-PA"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


STIPA = name("STI-PA CRL")
STICA = name("Test STI-CA")
OTHER = name("Other STI-CA")


def dps(*points):
    return x509.CRLDistributionPoints(list(points)).public_bytes()


def point(url=URL, issuer=STIPA, reasons=None, relative=None):
    return x509.DistributionPoint(
        full_name=[x509.UniformResourceIdentifier(url)] if url and relative is None else None,
        relative_name=relative,
        reasons=reasons,
        crl_issuer=[x509.DirectoryName(issuer)] if issuer else None)


def idp(indirect=True, url=URL, only_user=False, only_ca=False, reasons=None):
    return x509.IssuingDistributionPoint(
        full_name=[x509.UniformResourceIdentifier(url)] if url else None,
        relative_name=None, only_contains_user_certs=only_user,
        only_contains_ca_certs=only_ca, only_some_reasons=reasons,
        indirect_crl=indirect, only_contains_attribute_certs=False)


def entry(serial, issuer=None, reason=None, extra=None):
    b = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(T0 - DAY)
    if issuer is not None:
        b = b.add_extension(x509.CertificateIssuer([x509.DirectoryName(issuer)]), critical=True)
    if reason is not None:
        b = b.add_extension(x509.CRLReason(reason), critical=False)
    if extra is not None:
        b = b.add_extension(extra, critical=True)
    return b.build()


def crl(issuer=STIPA, entries=(), idp_ext=None, next_update=True, number=7, extra=(),
        pem=False):
    b = (x509.CertificateRevocationListBuilder().issuer_name(issuer)
         .last_update(T0 - DAY))
    if next_update:
        b = b.next_update(T0 + 7 * DAY)
    for e in entries:
        b = b.add_revoked_certificate(e)
    if idp_ext is not None:
        b = b.add_extension(idp_ext, critical=True)
    b = b.add_extension(x509.CRLNumber(number), critical=False)
    for ext, crit in extra:
        b = b.add_extension(ext, critical=crit)
    c = b.sign(KEY, None)
    return c.public_bytes(serialization.Encoding.PEM if pem else serialization.Encoding.DER)


def tlv(tag, content):
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(b)]) + b + content


def elements(der):
    """The TLVs of a constructed value's content: [(tag, full bytes)]."""
    out, i = [], 0
    while i < len(der):
        tag, n, j = der[i], der[i + 1], i + 2
        if n & 0x80:
            k = n & 0x7F
            n, j = int.from_bytes(der[j:j + k], "big"), j + k
        out.append((tag, der[i:j + n]))
        i = j + n
    return out


def content(tlv_bytes):
    n = tlv_bytes[1]
    return tlv_bytes[2 + (n & 0x7F if n & 0x80 else 0):]


def without_next_update(der):
    """The CRL with nextUpdate cut out of its TBSCertList (RFC 5280 §5.1:
    OPTIONAL in the syntax, MUST for conforming issuers); the signature no
    longer verifies, which the target does not need."""
    tbs, alg, sig = [e for _, e in elements(content(der))]
    fields = elements(content(tbs))
    times = [i for i, (t, _) in enumerate(fields) if t in (0x17, 0x18)]
    del fields[times[1]]
    return tlv(0x30, tlv(0x30, b"".join(e for _, e in fields)) + alg + sig)


def seed(flags, dp_der, crl_bytes):
    return bytes([flags]) + len(dp_der).to_bytes(2, "big") + dp_der + crl_bytes


def unknown():
    return x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.99999.42"), b"\x05\x00")


def seeds():
    stipa_dp = dps(point())
    indirect = crl(entries=[entry(4096, STICA), entry(4097), entry(12, OTHER)], idp_ext=idp())
    yield "indirect", seed(0, stipa_dp, indirect)
    yield "indirect-fetched", seed(2, stipa_dp, indirect)
    yield "indirect-loaded-required", seed(12, stipa_dp, indirect)
    yield "indirect-pem", seed(10, stipa_dp, crl(entries=[entry(4096, STICA, x509.ReasonFlags.key_compromise)],
                                                   idp_ext=idp(), pem=True))
    yield "indirect-ca", seed(9, stipa_dp, crl(entries=[entry(4096)], idp_ext=idp(indirect=False, only_ca=True)))
    yield "indirect-user-only", seed(9, stipa_dp, crl(idp_ext=idp(indirect=False, only_user=True)))
    yield "indirect-some-reasons", seed(8, stipa_dp, crl(
        idp_ext=idp(reasons=frozenset([x509.ReasonFlags.key_compromise]))))
    yield "indirect-other-point", seed(8, stipa_dp, crl(idp_ext=idp(url="https://crl.sti-pa.test/other.crl")))
    yield "indirect-no-point-name", seed(8, stipa_dp, crl(idp_ext=idp(url=None)))
    yield "direct-point", seed(2, dps(point(url="https://ca.example/inter.crl", issuer=None)),
                               crl(issuer=STICA, entries=[entry(4096)]))
    yield "two-points", seed(10, dps(point(issuer=None, url="ldap://ca.example/crl"), point()), indirect)
    yield "point-reasons", seed(8, dps(point(reasons=frozenset([x509.ReasonFlags.key_compromise]))),
                                indirect)
    yield "point-issuer-only", seed(8, dps(point(url=None)), crl(idp_ext=idp(url=None)))
    yield "point-relative", seed(8, dps(point(relative=x509.RelativeDistinguishedName(
        [x509.NameAttribute(NameOID.COMMON_NAME, "crl1")]))), indirect)
    yield "bad-not-indirect", seed(8, stipa_dp, crl(entries=[entry(4096, STICA)], idp_ext=idp(indirect=False)))
    yield "bad-no-idp", seed(8, stipa_dp, crl(entries=[entry(4096)]))
    yield "bad-delta", seed(8, stipa_dp, crl(idp_ext=idp(), extra=[(x509.DeltaCRLIndicator(3), True)]))
    yield "bad-critical-ext", seed(8, stipa_dp, crl(idp_ext=idp(), extra=[(unknown(), True)]))
    yield "bad-entry-critical-ext", seed(8, stipa_dp, crl(entries=[entry(5, STICA, extra=unknown())],
                                                         idp_ext=idp()))
    yield "bad-no-next-update", seed(8, stipa_dp, without_next_update(crl(idp_ext=idp())))
    yield "bad-truncated", seed(8, stipa_dp, indirect[:len(indirect) // 2])
    yield "bad-dp-garbage", seed(8, b"\x30\x03\x30\x01\x00", indirect)
    yield "empty-crl", seed(0, b"", b"")


def main():
    os.makedirs(OUT, exist_ok=True)
    for name_, data in seeds():
        with open(os.path.join(OUT, name_), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
