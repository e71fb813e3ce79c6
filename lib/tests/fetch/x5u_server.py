#!/usr/bin/python3
"""x5u test server for lib/tests/fetch/test_fetch.c (standard library only).

Usage: x5u_server.py DIR

Makes a throwaway TLS PKI with the openssl command in DIR (ca.pem: the CA
the client trusts; a server certificate for localhost, 127.0.0.1 and ::1;
a self-signed one nobody trusts; one from the CA for another name), then
listens on 127.0.0.1 only:
  https    trusted certificate              the routes below
  http     plain HTTP                       the same routes
  badtls   self-signed certificate          the same routes
  badname  trusted, for other.example only  the same routes
and prints one line "READY https=P1 http=P2 badtls=P3 badname=P4" once all
of them accept connections. It exits when killed or when its parent goes away.

Routes (every request is counted per path, query stripped):
  /chain.pem     DIR/chain.pem, Cache-Control: max-age=600
  /expires.pem   the chain, Date now and Expires now + 900 s
  /nocache.pem   the chain, Cache-Control: no-store
  /plain.pem     the chain, no caching headers
  /delay.pem     the chain after 300 ms, max-age=600 (concurrent fetches)
  /slow          answers after 10 s (a timeout)
  /big           70 KiB with Content-Length
  /bigstream     70 KiB without Content-Length (ends at close)
  /bigheaders    the chain after 40 KiB of response headers
  /redirect      302 to /chain.pem
  /notpem        an HTML page
  /404           404
  /crl/NAME      DIR/NAME as it is at the request (a CRL the test writes), no
                 caching headers
  /crlage/NAME   the same with Cache-Control: max-age=120
  /delaycrl/NAME the same after 300 ms (concurrent fetches)
  /bigcrl        2 MiB that start like DER, with Content-Length
  /count         "PATH COUNT" lines (not counted itself)
"""
import email.utils
import http.server
import os
import ssl
import subprocess
import sys
import threading
import time

DIR = sys.argv[1]
COUNTS = {}
LOCK = threading.Lock()
BIG = 70 * 1024
BIGCRL = 2 * 1024 * 1024


def run(*args):
    env = dict(os.environ, OPENSSL_CONF="/dev/null")
    subprocess.run(["openssl", *args], cwd=DIR, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_pki():
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    san = "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"
    run("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "30",
        "-subj", "/CN=clid x5u test CA", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", "-new", *ec, "-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=localhost")
    with open(os.path.join(DIR, "srv.ext"), "w") as f:
        f.write(san + "\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-set_serial", "2", "-days", "30", "-extfile", "srv.ext", "-out", "srv.pem")
    run("req", "-x509", *ec, "-keyout", "bad.key", "-out", "bad.pem", "-days", "30",
        "-subj", "/CN=localhost", "-addext", san)
    run("req", "-new", *ec, "-keyout", "name.key", "-out", "name.csr", "-subj", "/CN=other")
    with open(os.path.join(DIR, "name.ext"), "w") as f:
        f.write("subjectAltName=DNS:other.example\nbasicConstraints=CA:FALSE\n")
    run("x509", "-req", "-in", "name.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-set_serial", "3", "-days", "30", "-extfile", "name.ext", "-out", "name.pem")


def chain():
    path = os.path.join(DIR, "chain.pem")
    if not os.path.exists(path):
        path = os.path.join(DIR, "ca.pem")
    with open(path, "rb") as f:
        return f.read()


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, status, body, headers=(), length=True):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up (size cap, timeout)

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/count":
            with LOCK:
                text = "".join("%s %d\n" % kv for kv in sorted(COUNTS.items()))
            return self.send(200, text.encode())
        with LOCK:
            COUNTS[path] = COUNTS.get(path, 0) + 1
        now = time.time()
        if path == "/chain.pem":
            self.send(200, chain(), [("Cache-Control", "max-age=600")])
        elif path == "/expires.pem":
            # send_response() adds the Date header (the same second).
            self.send(200, chain(), [("Expires", email.utils.formatdate(now + 900,
                                                                        usegmt=True))])
        elif path == "/nocache.pem":
            self.send(200, chain(), [("Cache-Control", "no-store")])
        elif path == "/plain.pem":
            self.send(200, chain())
        elif path == "/delay.pem":
            time.sleep(0.3)
            self.send(200, chain(), [("Cache-Control", "max-age=600")])
        elif path == "/slow":
            time.sleep(10)
            self.send(200, chain())
        elif path == "/big":
            self.send(200, b"-----BEGIN CERTIFICATE-----\n" + b"A" * BIG)
        elif path == "/bigstream":
            self.send(200, b"-----BEGIN CERTIFICATE-----\n" + b"A" * BIG, length=False)
        elif path == "/bigheaders":
            self.send(200, chain(), [("X-Filler-%d" % i, "x" * 1000) for i in range(40)])
        elif path.startswith(("/crl/", "/crlage/", "/delaycrl/")):
            name = os.path.basename(path)
            try:
                with open(os.path.join(DIR, name), "rb") as f:
                    body = f.read()
            except OSError:
                return self.send(404, b"no such CRL\n")
            if path.startswith("/delaycrl/"):
                time.sleep(0.3)
            headers = [("Cache-Control", "max-age=120")] if path.startswith("/crlage/") else []
            self.send(200, body, headers + [("Content-Type", "application/pkix-crl")])
        elif path == "/bigcrl":
            self.send(200, b"\x30\x83\x20\x00\x00" + b"\x00" * (BIGCRL - 5))
        elif path == "/redirect":
            self.send(302, b"", [("Location", "/chain.pem")])
        elif path == "/notpem":
            self.send(200, b"<html><body>not a certificate</body></html>\n",
                      [("Content-Type", "application/x-pem-file")])
        else:
            self.send(404, b"not found\n")


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # refused handshakes and aborted transfers are what the tests do


def serve(tls_cert=None, tls_key=None):
    srv = Server(("127.0.0.1", 0), Handler)
    if tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(DIR, tls_cert), os.path.join(DIR, tls_key))
        # The handshake runs in the handler thread, so a client that never
        # speaks cannot stall the accept loop.
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True,
                                     do_handshake_on_connect=False)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv.server_address[1]


def main():
    make_pki()
    https = serve("srv.pem", "srv.key")
    plain = serve()
    bad = serve("bad.pem", "bad.key")
    badname = serve("name.pem", "name.key")
    print("READY https=%d http=%d badtls=%d badname=%d" % (https, plain, bad, badname),
          flush=True)
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(0.2)


if __name__ == "__main__":
    main()
