#!/usr/bin/env python3
"""What the stall watchdog costs: the fixed example served with and without it, in turns.

    python3 bench/watchdog_overhead.py LOOPSAFE_BINARY VENV_PYTHON [ROUNDS] [DURATION] [LOOP]

VENV_PYTHON has the test requirements (`crates/loopsafe/tests/live/requirements.txt`;
`cargo test -p loopsafe --test live` builds one in target/tmp/live-venv). The example is
copied and fixed with `--fix --unsafe-fixes`, the fake upstreams answer at once (so that
the service, not the upstream, limits the throughput), and each round runs `loopsafe probe
--serve` twice, with and without `--no-attribution`, alternating which goes first.
LOOP is uvicorn's `--loop` (auto: uvloop when installed, as in the test venv; asyncio).
Prints the throughput of each run and the ratio of the medians (with / without).
"""
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIVE = os.path.join(ROOT, "crates/loopsafe/tests/live")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    loopsafe, python = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    duration = sys.argv[4] if len(sys.argv) > 4 else "5s"
    event_loop = sys.argv[5] if len(sys.argv) > 5 else "auto"
    work = tempfile.mkdtemp(prefix="loopsafe-overhead-")
    app = os.path.join(work, "app")
    shutil.copytree(os.path.join(ROOT, "examples/sales_calls"), app)
    env = dict(os.environ, LOOPSAFE_NO_CACHE="1")
    subprocess.run([loopsafe, "check", "--fix", "--unsafe-fixes", "-q"], cwd=app, env=env,
                   check=True)
    upstream_port, token_file = free_port(), os.path.join(work, "token")
    upstream = subprocess.Popen(
        [python, os.path.join(LIVE, "upstream.py"), str(upstream_port), token_file, "0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not os.path.exists(token_file):
            time.sleep(0.05)
        time.sleep(0.2)
        token = open(token_file).read()
        base = f"http://127.0.0.1:{upstream_port}"
        env.update(CLERK_JWKS_URL=f"{base}/.well-known/jwks.json", CLERK_API_URL=f"{base}/v1",
                   SHUNYA_API_URL=f"{base}/shunya", CRM_API_URL=f"{base}/crm",
                   FLAGS_API_URL=f"{base}/flags")
        rps = {"with": [], "without": []}
        for i in range(rounds):
            order = ("with", "without") if i % 2 == 0 else ("without", "with")
            for kind in order:
                r = probe(loopsafe, python, app, token, env, duration, event_loop,
                          kind == "without")
                rps[kind].append(r["load"]["rps"])
                print(f"round {i + 1} {kind:<7} watchdog: {r['load']['rps']:.1f} req/s, "
                      f"stall sites {len(r['stalls'])}", flush=True)
        with_, without = statistics.median(rps["with"]), statistics.median(rps["without"])
        print(f"median with watchdog {with_:.1f} req/s, without {without:.1f} req/s: "
              f"ratio {with_ / without:.3f}")
    finally:
        upstream.terminate()
        upstream.wait()
        shutil.rmtree(work, ignore_errors=True)


def probe(loopsafe, python, app, token, env, duration, event_loop, no_attribution):
    port = free_port()
    serve = (f"cd '{app}' && exec '{python}' -m uvicorn app.main:app "
             f"--host 127.0.0.1 --port {port} --log-level warning --loop {event_loop}")
    cmd = [loopsafe, "probe", f"http://127.0.0.1:{port}", "--serve", serve,
           "--load", "GET /accounts/a1", "--load", "POST /callrail/calls/completed",
           "--canary", "GET /health", "-H", f"Authorization: Bearer {token}",
           "-H", "Content-Type: application/json",
           "--body", '{"call_id": "c1", "recording_url": "http://rec/c1.mp3"}',
           "--concurrency", "10", "--duration", duration, "--idle", "1s",
           "--output-format", "json"]
    if no_attribution:
        cmd.append("--no-attribution")
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


if __name__ == "__main__":
    main()
