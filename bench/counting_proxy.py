"""A forwarding HTTP proxy in front of moto that counts STS AssumeRoleWithWebIdentity
requests, so the benchmark measures requests per call at the server side.

    python3 counting_proxy.py LISTEN_PORT UPSTREAM_URL

GET /__count answers the number of AssumeRoleWithWebIdentity requests seen so far;
every other request is relayed to UPSTREAM_URL unchanged.
"""

import http.client
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

COUNT = 0
LOCK = threading.Lock()


class Relay(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep the benchmark output clean
        pass

    def do_GET(self):
        if self.path == "/__count":
            body = str(COUNT).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.relay(b"")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if b"Action=AssumeRoleWithWebIdentity" in body:
            global COUNT
            with LOCK:
                COUNT += 1
        self.relay(body)

    def relay(self, body):
        upstream = urllib.parse.urlsplit(sys.argv[2])
        connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        connection.request(self.command, self.path, body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in ("content-length", "connection", "transfer-encoding", "server", "date"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)
        self.close_connection = True


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Relay).serve_forever()
