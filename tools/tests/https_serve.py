#!/usr/bin/python3
"""A static HTTPS server for the tool tests (standard library only).

Usage: https_serve.py DIR CERT KEY

Serves the files of DIR (GET /NAME, no subdirectories, read at each request
so a test can replace them) over TLS with CERT/KEY on 127.0.0.1 and a port
the kernel picks, and prints one line "READY PORT" once it accepts
connections. GET /count answers "NAME COUNT" lines (requests per path, not
counting itself). It exits when killed or when its parent goes away.
"""
import http.server
import os
import ssl
import sys
import threading
import time

DIR, CERT, KEY = sys.argv[1:4]
COUNTS = {}
LOCK = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, status, body, ctype="application/octet-stream"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/count":
            with LOCK:
                text = "".join("%s %d\n" % kv for kv in sorted(COUNTS.items()))
            return self.send(200, text.encode(), "text/plain")
        with LOCK:
            COUNTS[path] = COUNTS.get(path, 0) + 1
        name = path.lstrip("/")
        if not name or "/" in name or name.startswith("."):
            return self.send(404, b"not found\n", "text/plain")
        try:
            with open(os.path.join(DIR, name), "rb") as f:
                body = f.read()
        except OSError:
            return self.send(404, b"not found\n", "text/plain")
        self.send(200, body)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass


def main():
    srv = Server(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(CERT, KEY)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True, do_handshake_on_connect=False)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    print("READY %d" % srv.server_address[1], flush=True)
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(0.2)


if __name__ == "__main__":
    main()
