#!/usr/bin/env python3
"""Raw-socket clients for serve_bad.sh / serve_load.sh (no clid involved).

  slow PORT SECONDS      send a request one byte per second; print "cut N"
                         when the server ends the connection after N bytes,
                         or "done" if the whole request went out
  flood PORT N           open N connections, then send GET /healthz on each
                         (keep-alive) and print the statuses, one a line
  hold PORT BODYFILE     POST /stir/v1/verification: headers and half the
                         body, print "held", wait for a line on stdin, send
                         the rest and print the status and body
"""
import socket
import sys
import time


def status_of(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return "eof", data
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v.strip())
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return head.split(b" ")[1].decode(), rest


def slow(port, seconds):
    req = (b"POST /stir/v1/verification HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
           b"Content-Length: 100\r\n\r\n" + b"{" * 100)
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(1.0)
    sent = 0
    deadline = time.monotonic() + seconds
    while sent < len(req) and time.monotonic() < deadline:
        try:
            s.send(req[sent:sent + 1])
            sent += 1
            got = s.recv(1)
            if got == b"":
                print("cut %d" % sent)
                return
        except socket.timeout:
            continue
        except OSError:
            print("cut %d" % sent)
            return
    print("done")


def flood(port, n):
    socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
    time.sleep(0.5)  # let the server accept them all before any request
    for s in socks:
        s.settimeout(10)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    for s in socks:
        try:
            print(status_of(s)[0])
        except OSError:
            print("error")
    for s in socks:
        s.close()


def hold(port, body_file):
    body = open(body_file, "rb").read()
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST /stir/v1/verification HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Length: %d\r\n\r\n" % len(body) + body[: len(body) // 2])
    print("held", flush=True)
    sys.stdin.readline()
    s.sendall(body[len(body) // 2:])
    s.settimeout(30)
    st, rest = status_of(s)
    print(st)
    print(rest.decode(errors="replace"))


if __name__ == "__main__":
    cmd, port = sys.argv[1], int(sys.argv[2])
    if cmd == "slow":
        slow(port, float(sys.argv[3]))
    elif cmd == "flood":
        flood(port, int(sys.argv[3]))
    elif cmd == "hold":
        hold(port, sys.argv[3])
