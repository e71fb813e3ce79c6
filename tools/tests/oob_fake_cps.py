#!/usr/bin/python3
"""A fake CPS for the `clid oob` tool tests (Debian python3-jwt, python3-cryptography).

Usage: oob_fake_cps.py CERT AUD [TLS_CERT TLS_KEY]

On 127.0.0.1 and a port the kernel picks, plain HTTP (HTTPS with TLS_CERT
and TLS_KEY); prints "READY PORT"
once it accepts connections and exits when its parent goes away.

  POST /passports/DEST/ORIG  {"passports":[...]} -> 201 {} (stored)
  GET  /passports/DEST/ORIG  -> 200 {"passports":[...]} or 404
  GET  /log                  -> one JSON line per request received

Every request must carry "Authorization: Bearer <JWT>" verified here with
PyJWT, an implementation independent of clid: ES256 with the public key of
CERT, aud == AUD, action, orig/dest equal to the path, and for a publish
the "passports" digest ("sha256-" + base64 of SHA-256 over the compact JSON
array). Any failure answers 401 with the reason, so the tool test sees a
token clid got wrong. The x5u is not fetched (CERT stands for it).
"""
import base64
import hashlib
import http.server
import json
import os
import ssl
import sys
import threading
import time

import jwt
from cryptography import x509

CERT, AUD = sys.argv[1:3]
with open(CERT, "rb") as f:
    KEY = x509.load_pem_x509_certificate(f.read()).public_key()
STORE = {}
LOG = []
LOCK = threading.Lock()


def check_token(auth, action, dest, orig, body):
    if not auth or not auth.startswith("Bearer "):
        return "no bearer token"
    tok = auth[len("Bearer "):]
    try:
        hdr = jwt.get_unverified_header(tok)
        claims = jwt.decode(tok, KEY, algorithms=["ES256"], audience=AUD,
                            options={"require": ["iat", "exp", "jti", "iss"]})
    except jwt.PyJWTError as e:
        return "token: %s" % e
    if hdr.get("typ") != "JWT" or not hdr.get("x5u"):
        return "token header: %r" % hdr
    if claims.get("action") != action:
        return "action %r" % claims.get("action")
    if claims.get("orig") != {"tn": orig} or claims.get("dest") != {"tn": [dest]}:
        return "orig/dest %r %r" % (claims.get("orig"), claims.get("dest"))
    if not 1 <= claims["exp"] - claims["iat"] <= 60:
        return "lifetime"
    if action == "publish":
        arr = json.loads(body)["passports"]
        compact = json.dumps(arr, separators=(",", ":")).encode()
        want = "sha256-" + base64.b64encode(hashlib.sha256(compact).digest()).decode()
        if claims.get("passports") != want:
            return "digest %r != %r" % (claims.get("passports"), want)
    return None


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, status, obj):
        body = (obj if isinstance(obj, str) else json.dumps(obj)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass

    def handle_one(self, method):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode() if n else ""
        if method == "GET" and self.path == "/log":
            with LOCK:
                return self.send(200, "".join(json.dumps(e) + "\n" for e in LOG))
        with LOCK:
            LOG.append({"method": method, "path": self.path,
                        "content_type": self.headers.get("Content-Type"), "body": body})
        parts = self.path.split("/")
        if len(parts) != 4 or parts[1] != "passports":
            return self.send(404, {"error": {"code": "CLID_ERR_OOB_NOT_FOUND"}})
        dest, orig = parts[2], parts[3]
        why = check_token(self.headers.get("Authorization"),
                          "publish" if method == "POST" else "retrieve", dest, orig, body)
        if why:
            return self.send(401, {"error": {"code": "CLID_ERR_OOB_TOKEN_PARSE", "message": why}})
        key = (dest, orig)
        if method == "POST":
            with LOCK:
                STORE[key] = json.loads(body)["passports"]
            return self.send(201, {})
        with LOCK:
            pp = STORE.get(key)
        if pp is None:
            return self.send(404, {"error": {"code": "CLID_ERR_OOB_NOT_FOUND"}})
        return self.send(200, {"passports": pp})

    def do_GET(self):
        self.handle_one("GET")

    def do_POST(self):
        self.handle_one("POST")


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass


def main():
    srv = Server(("127.0.0.1", 0), Handler)
    if len(sys.argv) > 4:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[3], sys.argv[4])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True, do_handshake_on_connect=False)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    print("READY %d" % srv.server_address[1], flush=True)
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(0.2)


if __name__ == "__main__":
    main()
