"""Fake upstreams for the example app, with a slow organization lookup, for the probe
test. Writes a signed token without `org_id` (so that every request makes the
middleware look the organization up) to TOKEN_FILE, then serves until killed.

    python upstream.py PORT TOKEN_FILE DELAY_MS
"""

import os
import sys
import time
from http.server import ThreadingHTTPServer

from fakes import JWK, JsonHandler, token

PORT, TOKEN_FILE, DELAY = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]) / 1000.0


class Upstream(JsonHandler):
    protocol_version = "HTTP/1.1"

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


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


server = Server(("127.0.0.1", PORT), Upstream)
with open(TOKEN_FILE + ".tmp", "w") as f:
    f.write(token({"sub": "user_1"}))
os.replace(TOKEN_FILE + ".tmp", TOKEN_FILE)
server.serve_forever()
