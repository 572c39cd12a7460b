"""Serves the example app with uvicorn against fake upstreams and drives it with real
signed tokens. Prints one JSON object: what each copy of the app answered.

    python drive.py ORIGINAL_DIR FIXED_DIR

Every wait is bounded; the whole run takes a few seconds.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import ThreadingHTTPServer

import requests

from fakes import JWK, JsonHandler, token

COUNTS = {}


class Upstream(JsonHandler):
    """Clerk (JWKS, memberships), Shunya (jobs), the CRM and the flag service."""

    def _count(self, what):
        COUNTS[what] = COUNTS.get(what, 0) + 1

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/.well-known/jwks.json":
            self._count("jwks")
            return self._reply({"keys": [JWK]})
        if path.startswith("/v1/users/") and path.endswith("/organization_memberships"):
            self._count("memberships")
            return self._reply({"data": [{"organization": {"id": "org_from_lookup"}}]})
        if path.startswith("/crm/accounts/"):
            self._count("crm")
            account = path.split("/")[3]
            return self._reply({"id": account, "name": "Acme", "owner": "sam"})
        if path.startswith("/flags/"):
            self._count("flags")
            return self._reply({"enabled": True})
        return self._reply({"detail": "not found"}, 404)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if self.path.startswith("/shunya/jobs/"):
            self._count("jobs")
            return self._reply({"id": "job-1", "status": "queued"})
        if self.path.startswith("/crm/accounts/"):
            self._count("crm_views")
            return self._reply({})
        return self._reply({"detail": "not found"}, 404)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_and_drive(app_dir, upstream):
    COUNTS.clear()
    port = free_port()
    env = dict(os.environ)
    env.update(
        {
            "CLERK_JWKS_URL": f"{upstream}/.well-known/jwks.json",
            "CLERK_API_URL": f"{upstream}/v1",
            "SHUNYA_API_URL": f"{upstream}/shunya",
            "CRM_API_URL": f"{upstream}/crm",
            "FLAGS_API_URL": f"{upstream}/flags",
        }
    )
    log_path = os.path.join(app_dir, "uvicorn.log")
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1",
             "--port", str(port)],
            cwd=app_dir, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 20
            while True:
                try:
                    if requests.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit(f"the app in {app_dir} never answered: see {log_path}")
                time.sleep(0.1)
            with_org = {"Authorization": f"Bearer {token({'sub': 'user_1', 'org_id': 'org_1'})}"}
            without_org = {"Authorization": f"Bearer {token({'sub': 'user_2'})}"}
            out = {}
            r = requests.post(f"{base}/callrail/calls/completed", headers=with_org, timeout=10,
                              json={"call_id": "c1", "recording_url": "http://rec/c1.mp3"})
            out["callrail"] = {"status": r.status_code, "body": r.text[:200]}
            r = requests.post(f"{base}/recording-sessions/s1/complete", headers=with_org,
                              timeout=10, json={"audio_url": "http://rec/s1.m4a"})
            out["recording"] = {"status": r.status_code, "body": r.text[:200]}
            out["accounts"] = [
                requests.get(f"{base}/accounts/a{i}", headers=with_org, timeout=10).status_code
                for i in range(5)
            ]
            r = requests.get(f"{base}/accounts/b1", headers=without_org, timeout=10)
            out["without_org"] = {"status": r.status_code, "body": r.json() if r.ok else r.text}
            r = requests.get(f"{base}/accounts/b1", headers={"Authorization": "Bearer junk"},
                             timeout=10)
            out["bad_token"] = r.status_code
            out["upstream"] = dict(COUNTS)
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)
    with open(log_path) as f:
        out["loop_error_logged"] = "cannot be called from a running event loop" in f.read()
    return out


def main():
    original, fixed = sys.argv[1], sys.argv[2]
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    upstream = f"http://127.0.0.1:{httpd.server_address[1]}"
    result = {
        "before": serve_and_drive(original, upstream),
        "after": serve_and_drive(fixed, upstream),
    }
    ruff = os.path.join(os.path.dirname(sys.executable), "ruff")
    checked = subprocess.run(
        [ruff, "check", "--isolated", "--no-cache", "--select", "F401,F821,F841", fixed],
        capture_output=True, text=True, timeout=60,
    )
    result["ruff"] = {"status": checked.returncode, "output": checked.stdout[-2000:]}
    httpd.shutdown()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
