"""The stand-in for Gardener's discovery server, which serves a shoot's managed
issuer (https://discovery.<domain>/projects/<project>/shoots/<uid>/issuer) on the
public internet. Here: HTTPS on loopback with the bed's serving certificate, files
from a directory, no credentials asked.

    python3 discovery_server.py PORT CERT_CHAIN KEY ROOT_DIR
"""

import http.server
import ssl
import sys

port, chain, key, root = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]


class Files(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=root, **kwargs)

    def guess_type(self, path):
        return "application/json"

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Files)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(chain, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
server.serve_forever()
