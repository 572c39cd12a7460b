#!/usr/bin/env python3
"""Latency of `loopsafe server`: from a `didChange` to the `publishDiagnostics` it causes.

    python3 bench/lsp_latency.py [--binary PATH] [--corpus DIR] [--edits N] [--only example|corpus]

Spawns `loopsafe server` (the release build by default) on two projects, each copied to a
temporary folder first (the server keeps its cache, `.loopsafe_cache`, in the project):

- the bundled example (examples/sales_calls): the blocking call in the helper
  `app/clients/crm.py` is removed and put back in an unsaved buffer, turn about; the
  diagnostic that goes and comes is on the route in `app/routes/accounts.py`, another file;
- the Home Assistant corpus (--corpus, default bench/.work/corpus/homeassistant, fetched by
  `python3 bench/corpus.py`): a coroutine with a `time.sleep()` is appended to
  `components/frontend/__init__.py` and removed again, turn about.

Each edit waits for the diagnostics of the version it made (the server's debounce, 60 ms,
included), then 150 ms before the next. Prints p50, p95 and max in milliseconds.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import queue
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


class Server:
    def __init__(self, binary, root):
        self.proc = subprocess.Popen([str(binary), "server"], cwd=root, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.messages = queue.Queue()
        self.next_id = 1
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            body = json.loads(out.read(length))
            self.messages.put((time.perf_counter(), body))

    def send(self, message):
        data = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        self.proc.stdin.flush()

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method, params):
        rid = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == rid and "method" not in m)

    def wait(self, match, timeout=300):
        deadline = time.perf_counter() + timeout
        while True:
            try:
                at, m = self.messages.get(timeout=max(0.0, deadline - time.perf_counter()))
            except queue.Empty:
                raise SystemExit("no answer from the server in time")
            if "method" in m and "id" in m:  # a request from the server: answer it
                self.send({"jsonrpc": "2.0", "id": m["id"], "result": None})
            if match(m):
                return at, m

    def stop(self):
        self.request("shutdown", None)
        self.notify("exit", None)
        self.proc.wait(timeout=30)


def uri(path):
    return Path(path).resolve().as_uri()


def measure(binary, root, edited, watched, variants, edits):
    """Opens `edited`, then sets its text to each of `variants` in turn (edits times),
    timing each didChange to the publishDiagnostics for `watched` that follows it."""
    server = Server(binary, root)
    start = time.perf_counter()
    server.request("initialize", {"processId": os.getpid(), "rootUri": uri(root),
                                  "capabilities": {}, "workspaceFolders": None})
    server.notify("initialized", {})
    checked = lambda m: m.get("method") == "window/logMessage" and \
        m["params"]["message"].startswith("checked in")
    server.wait(checked)
    first = time.perf_counter() - start
    text = edited.read_text()
    server.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri(edited), "languageId": "python", "version": 1, "text": text}})
    server.wait(checked)
    times, checks, kinds = [], [], []
    for i in range(edits):
        version = i + 2
        new = variants[i % len(variants)]
        lines = text.count("\n") + 1
        time.sleep(0.15)
        sent = time.perf_counter()
        server.notify("textDocument/didChange", {
            "textDocument": {"uri": uri(edited), "version": version},
            "contentChanges": [{"range": {"start": {"line": 0, "character": 0},
                                          "end": {"line": lines, "character": 0}},
                                "text": new}]})
        text = new
        at, _ = server.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                            and m["params"]["uri"] == uri(watched))
        times.append((at - sent) * 1000)
        # The server's log line after it: how long the check itself took.
        _, log = server.wait(checked)
        message = log["params"]["message"]
        checks.append(float(message.split()[2]))
        kinds.append(message.split("; analysis ")[1].split(";")[0])
    memory = peak_memory(server.proc.pid)
    server.stop()
    return first, times, checks, kinds, memory


def peak_memory(pid):
    """The server's peak resident memory, in MiB (Linux), after the edits."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def report(name, first, times, checks, kinds, memory):
    times = sorted(times)
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    print(f"{name}: first check {first * 1000:.0f} ms; didChange -> publishDiagnostics over "
          f"{len(times)} edits: p50 {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, "
          f"max {times[-1]:.0f} ms (the check itself: p50 {statistics.median(checks):.0f} ms; "
          f"analysis {', '.join(f'{k} {kinds.count(k)}' for k in sorted(set(kinds)))}); "
          f"peak memory {memory:.0f} MiB")


def copy_python(src, dst):
    """The project's Python files and configuration only: what the server reads."""
    keep = lambda d, names: [n for n in names if not (Path(d, n).is_dir() or n.endswith(
        (".py", ".toml")))]
    shutil.copytree(src, dst, ignore=keep)


def main():
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", type=Path, default=target / "release" / "loopsafe")
    ap.add_argument("--corpus", type=Path, default=HERE / ".work" / "corpus" / "homeassistant")
    ap.add_argument("--edits", type=int, default=40)
    ap.add_argument("--only", choices=["example", "corpus"])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.only != "corpus":
            root = Path(tmp, "sales_calls")
            copy_python(REPO / "examples" / "sales_calls", root)
            helper = root / "app" / "clients" / "crm.py"
            text = helper.read_text()
            call = '    response = _session.get(f"{settings.CRM_API_URL}/accounts/{account_id}", timeout=5)\n'
            assert call in text
            variants = [text.replace(call, "    response = {}\n"), text]
            result = measure(args.binary, root, helper,
                             root / "app" / "routes" / "accounts.py", variants, args.edits)
            report("example (helper edited, route re-published)", *result)
        if args.only != "example":
            if not args.corpus.is_dir():
                raise SystemExit(f"{args.corpus} is missing: run python3 bench/corpus.py")
            root = Path(tmp, "homeassistant")
            copy_python(args.corpus, root)
            edited = root / "homeassistant" / "components" / "frontend" / "__init__.py"
            text = edited.read_text()
            added = text + "\n\nasync def _loopsafe_bench():\n    import time\n    time.sleep(1)\n"
            result = measure(args.binary, root, edited, edited, [added, text], args.edits)
            report("Home Assistant (a coroutine appended and removed)", *result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
