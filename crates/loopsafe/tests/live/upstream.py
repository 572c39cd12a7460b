"""Fake upstreams for the example app, with a slow organization lookup, for the probe
test. Writes a signed token without `org_id` (so that every request makes the
middleware look the organization up) to TOKEN_FILE, then serves until killed.

    python upstream.py PORT TOKEN_FILE DELAY_MS
"""

import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

PORT, TOKEN_FILE, DELAY = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]) / 1000.0
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
JWK = json.loads(RSAAlgorithm.to_jwk(KEY.public_key()))
JWK.update({"kid": "test-key", "alg": "RS256", "use": "sig"})


class Upstream(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _reply(self, body, status=200):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/.well-known/jwks.json":
            return self._reply({"keys": [JWK]})
        if path.endswith("/organization_memberships"):
            time.sleep(DELAY)
            return self._reply({"data": [{"organization": {"id": "org_1"}}]})
        if path.startswith("/crm/accounts/"):
            return self._reply({"id": path.split("/")[3], "name": "Acme", "owner": "sam"})
        if path.startswith("/flags/"):
            return self._reply({"enabled": True})
        return self._reply({"detail": "not found"}, 404)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith("/shunya/jobs/"):
            return self._reply({"id": "job-1", "status": "queued"})
        return self._reply({})

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


server = Server(("127.0.0.1", PORT), Upstream)
token = jwt.encode({"sub": "user_1"}, KEY, algorithm="RS256", headers={"kid": "test-key"})
with open(TOKEN_FILE + ".tmp", "w") as f:
    f.write(token)
import os  # noqa: E402

os.replace(TOKEN_FILE + ".tmp", TOKEN_FILE)
server.serve_forever()
