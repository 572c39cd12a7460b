#!/usr/bin/env python3
"""Is the probe's load generator faster than what it measures? Compares its throughput
with wrk's on a trivial local keep-alive server, same connection count, same run,
interleaved. The target is at least 0.8x of wrk's requests per second.

    python3 bench/probe_vs_wrk.py [--runs 5] [--seconds 5] [--connections 10]

Needs `wrk` on PATH (Debian: `apt install wrk`). Builds the server
(`crates/loopsafe_probe/examples/hello_server.rs`) and loopsafe in release mode.
"""

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=10)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian: apt install wrk)")
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "loopsafe"], cwd=REPO, check=True)
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "loopsafe_probe", "--example",
                    "hello_server"], cwd=REPO, check=True)
    port = free_port()
    server = subprocess.Popen([str(REPO / "target/release/examples/hello_server"), str(port)])
    try:
        time.sleep(0.5)
        url = f"http://127.0.0.1:{port}"
        wrk, probe = [], []
        for _ in range(args.runs):
            out = subprocess.run(
                ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", url + "/"],
                capture_output=True, text=True, check=True).stdout
            wrk.append(float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)))
            out = subprocess.run(
                [str(REPO / "target/release/loopsafe"), "probe", url, "--load", "GET /",
                 "--canary", "GET /health", "--concurrency", str(args.connections),
                 "--duration", f"{args.seconds}s", "--idle", "500ms", "--output-format", "json"],
                capture_output=True, text=True, check=True).stdout
            probe.append(json.loads(out)["load"]["rps"])
    finally:
        server.terminate()
        server.wait()
    print(f"{args.runs} interleaved runs of {args.seconds} s, {args.connections} connections, "
          f"{os.cpu_count()} cores, server and generator on the same machine")
    print(f"wrk             median {statistics.median(wrk):>10.0f} req/s")
    print(f"loopsafe probe  median {statistics.median(probe):>10.0f} req/s "
          f"(it also sends its canary every 20 ms)")
    print(f"probe / wrk: {statistics.median(probe) / statistics.median(wrk):.2f}x")


if __name__ == "__main__":
    main()
