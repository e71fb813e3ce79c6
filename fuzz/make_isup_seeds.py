#!/usr/bin/python3
"""Writes the seed corpus of fuzz_isup in fuzz/corpus/isup/.

Run with Debian's python3:  /usr/bin/python3 fuzz/make_isup_seeds.py

The IAMs are written here from the Q.763 field layouts (the same octets as
lib/tests/isup/isup_fixture.c), not by clid, so they do not inherit a clid
encoder bug. The output is deterministic.
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'corpus', 'isup')

FIXED = bytes([0x00, 0x60, 0x01, 0x0A, 0x00])  # Q.763 Table 32
CDPN = bytes([0x03, 0x10, 0x12, 0x55, 0x55, 0x02, 0x00])  # national "2155552000"


def iam(opt, cdpn=CDPN):
    """message type, fixed part, pointers, CdPN, optional part."""
    if opt is None:
        return bytes([0x01]) + FIXED + bytes([0x02, 0x00, len(cdpn)]) + cdpn
    body = b''.join(bytes([code, len(v)]) + v for code, v in opt) + b'\x00'
    return bytes([0x01]) + FIXED + bytes([0x02, len(cdpn) + 2, len(cdpn)]) + cdpn + body


CGPN = (0x0A, bytes([0x84, 0x13, 0x21, 0x51, 0x55, 0x05, 0x21, 0x03]))  # intl "12155550123"
GN = (0xC0, bytes([0x06, 0x03, 0x15, 0x12, 0x55, 0x55, 0x10, 0x99]))
OCN = (0x28, bytes([0x04, 0x10, 0x44, 0x02]))
REDIR = (0x0B, bytes([0x83, 0x14, 0x12, 0x05]))
OFCI = (0x08, bytes([0x00]))
APP = (0x78, bytes([0xDA, 0x80, 0xC0]) + b'tok')  # Q.763 §3.82: ACI 90, ATII, SI+final
UNKNOWN = (0xFE, bytes([0x00, 0xFF, 0x10]))

FULL = iam([CGPN, GN, OCN, REDIR, OFCI, APP, UNKNOWN])
# three segments: SI 1 + 2 following, then 1, then 0; SLR 1 in each (octet 3a)
SEGMENTED = iam([CGPN, (0x78, bytes([0xDA, 0x80, 0x42, 0x81]) + b'a' * 20),
                 (0x78, bytes([0xDA, 0x80, 0x01, 0x81]) + b'b' * 20),
                 (0x78, bytes([0xDA, 0x80, 0x00, 0x81]) + b'c')])

SDP = (b'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\n'
       b't=0 0\r\nm=audio 4000 RTP/AVP 0\r\n')


def sip(ctype, body, extra=b''):
    return (b'INVITE sip:+12155552000@example.net;user=phone SIP/2.0\r\n'
            b'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\n'
            b'Max-Forwards: 70\r\n'
            b'From: <sip:+12155550123@example.com;user=phone>;tag=a1\r\n'
            b'To: <sip:+12155552000@example.net;user=phone>\r\n'
            b'Call-ID: sipi-1@example.com\r\nCSeq: 1 INVITE\r\n'
            b'Content-Type: ' + ctype + b'\r\n' + extra +
            b'Content-Length: ' + str(len(body)).encode() + b'\r\n\r\n' + body)


def multipart(boundary, isup_headers, isup):
    b = boundary
    return (b'--' + b + b'\r\nContent-Type: application/sdp\r\n\r\n' + SDP + b'\r\n--' + b +
            b'\r\n' + isup_headers + b'\r\n' + isup + b'\r\n--' + b + b'--\r\n')


SEEDS = {
    'iam_full': FULL,
    'iam_min': iam(None, bytes([0x81, 0x10, 0x21, 0x03])),
    'iam_empty_opt': iam([]),
    'iam_segmented': SEGMENTED,
    'sipi_single': sip(b'application/ISUP;version=itu-t92+;base=itu-t92+', FULL,
                       b'Content-Disposition: signal;handling=optional\r\n'),
    'sipi_multipart': sip(b'multipart/mixed;boundary=b1', multipart(
        b'b1', b'Content-Type: application/ISUP;version=itu-t92+\r\n'
        b'Content-Disposition: signal;handling=required\r\n', FULL)),
    'sipi_multipart_quoted': sip(b'multipart/mixed; boundary="b=2"', multipart(
        b'b=2', b'content-type: application/isup; base="etsi121"; version=nxv3\r\n', SEGMENTED)),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in sorted(SEEDS.items()):
        with open(os.path.join(OUT, name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
