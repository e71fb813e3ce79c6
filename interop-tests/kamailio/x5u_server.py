#!/usr/bin/env python3
"""A static HTTP server on 127.0.0.1 for the certificates named by x5u.

Usage: x5u_server.py DIR PORTFILE LOGFILE

Binds 127.0.0.1 on a port the kernel picks (no clash with parallel test
runs), writes the port to PORTFILE once it listens, serves the files of
DIR, and appends one line per request to LOGFILE ("GET /as.pem 200
Go-http-client/1.1"), so a test can tell who fetched what and how often.
Stops on SIGTERM. Python's standard library only.
"""
import functools
import http.server
import os
import signal
import sys


class Handler(http.server.SimpleHTTPRequestHandler):
    log_path = None

    def log_request(self, code="-", size="-"):
        code = getattr(code, "value", code)  # HTTPStatus -> int
        agent = self.headers.get("User-Agent", "-") if self.headers else "-"
        with open(self.log_path, "a", encoding="utf-8") as log:
            log.write(f"{self.command} {self.path} {code} {agent}\n")

    def log_message(self, *args):  # errors and the default access log: quiet
        pass


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: x5u_server.py DIR PORTFILE LOGFILE")
    directory, portfile, logfile = sys.argv[1:]
    Handler.log_path = os.path.abspath(logfile)
    open(Handler.log_path, "a").close()
    handler = functools.partial(Handler, directory=directory)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    tmp = portfile + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write(f"{server.server_address[1]}\n")
    os.rename(tmp, portfile)  # the test never reads a half-written file
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
