#!/usr/bin/env python3
"""Two builds of loopsafe, cold, interleaved on one corpus: which is faster, within noise?

    python3 bench/ab.py OLD_BINARY NEW_BINARY CORPUS_DIR [RUNS] [--format concise|json]

Runs each binary RUNS times (default 15), alternating which goes first, with --no-cache,
and prints the median and minimum wall and CPU (user + system) time of each. Use it for a
change that should cost nothing: a noisy machine slows both builds alike.
"""
import os
import resource
import statistics
import subprocess
import sys
import time


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--format")]
    fmt = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--format=")), "concise")
    # The runs start in the corpus: binaries named relative to here must still be found.
    old, new = (os.path.abspath(b) for b in args[:2])
    corpus = args[2]
    runs = int(args[3]) if len(args) > 3 else 15
    cmd = lambda b: [b, "check", "--isolated", "--exit-zero", "--no-cache",
                     "--output-format", fmt, "-q", "."]
    times = {old: [], new: []}

    def run(b):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(cmd(b), cwd=corpus, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

    for b in (old, new):
        run(b)  # warm the page cache
    for i in range(runs):
        for b in ((old, new) if i % 2 == 0 else (new, old)):
            times[b].append(run(b))
    for name, b in (("old", old), ("new", new)):
        wall = [t[0] for t in times[b]]
        cpu = [t[1] for t in times[b]]
        print(f"{name}: wall median {statistics.median(wall):.3f} s, min {min(wall):.3f} s; "
              f"cpu median {statistics.median(cpu):.3f} s, min {min(cpu):.3f} s")


if __name__ == "__main__":
    main()
