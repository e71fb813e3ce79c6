#!/usr/bin/env python3
"""UDP ends of the SIP-I interop (isup-kamailio.sh), binary-safe, where SIPp
would need its binary [file] injection:

  sipi_udp.py recv PORTFILE OUTFILE SECONDS   bind 127.0.0.1:0, write the
      port to PORTFILE, write the first datagram byte for byte to OUTFILE;
      exit 1 when none comes within SECONDS
  sipi_udp.py send PORT FILE                  send FILE as one datagram to
      127.0.0.1:PORT
"""
import os
import socket
import sys


def recv(portfile, outfile, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % s.getsockname()[1])
    os.rename(tmp, portfile)  # the port appears whole or not at all
    s.settimeout(float(seconds))
    try:
        data, _ = s.recvfrom(65535)
    except socket.timeout:
        print("sipi_udp: nothing received in %s s" % seconds, file=sys.stderr)
        return 1
    with open(outfile, "wb") as f:
        f.write(data)
    return 0


def send(port, path):
    with open(path, "rb") as f:
        data = f.read()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(data, ("127.0.0.1", int(port)))
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "recv":
        sys.exit(recv(*sys.argv[2:]))
    if len(sys.argv) == 4 and sys.argv[1] == "send":
        sys.exit(send(*sys.argv[2:]))
    print(__doc__, file=sys.stderr)
    sys.exit(64)
