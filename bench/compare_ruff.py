#!/usr/bin/env python3
"""Time `loopsafe check` against `ruff check --select ASYNC` on the same files.

Runs are interleaved (ruff, loopsafe, ruff, loopsafe, ...) so that a noisy machine
affects both alike; the figures are medians. Peak memory is each process's max RSS.

    python3 bench/compare_ruff.py [--runs 5] [--corpus DIR]

Without --corpus it downloads Home Assistant 2024.3.3 from PyPI (the reference corpus)
into bench/.work and unpacks it. ruff comes from PyPI into a venv there too.
"""

import argparse
import shutil
import os
import statistics
from pathlib import Path

from benchlib import WORK, build_loopsafe, ensure_ruff, measured, unpacked_wheel


def ensure_corpus() -> Path:
    return unpacked_wheel("homeassistant", "2024.3.3", WORK / "homeassistant-2024.3.3") / "homeassistant"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--scale", type=int, default=0,
                        help="also time loopsafe on N copies of the corpus (distinct package names)")
    args = parser.parse_args()

    ruff = ensure_ruff()
    corpus = args.corpus.resolve() if args.corpus else ensure_corpus()
    loopsafe = build_loopsafe()
    files = sum(1 for _ in corpus.rglob("*.py"))
    lines = sum(p.read_bytes().count(b"\n") for p in corpus.rglob("*.py"))

    commands = {
        "ruff": [str(ruff), "check", "--isolated", "--select", "ASYNC", "--no-cache",
                 "--exit-zero", "--output-format", "concise", "."],
        # Cold: no cache, like ruff's --no-cache.
        "loopsafe": [str(loopsafe), "check", "--isolated", "--exit-zero", "--no-cache",
                     "--output-format", "concise", "-q", "."],
        # The same check without the whole-project pass (helpers, LS901): what it costs.
        "per-file": [str(loopsafe), "check", "--isolated", "--exit-zero", "--ignore", "LS901",
                     "--no-cache", "--output-format", "concise", "-q", "."],
        # The floor: discover, read and parse with ruff's parser, nothing else.
        "parse-only": [str(loopsafe), "parse-only", "."],
        # Warm: the cache is there, and one file was edited since it was written: lines
        # inserted at its top and inside it, so every call in it moved, but none was
        # added or removed. The last analysis still holds, at the calls' new places.
        "warm": [str(loopsafe), "check", "--isolated", "--exit-zero",
                 "--output-format", "concise", "-q", "."],
        # Warm, but the edit appends a function with a call: the last analysis is picked
        # up, and only the edited module's calls are resolved again.
        "warm-call": [str(loopsafe), "check", "--isolated", "--exit-zero",
                      "--output-format", "concise", "-q", "."],
        # Warm, the edit adds a call inside a function that is there already: the same.
        "warm-body": [str(loopsafe), "check", "--isolated", "--exit-zero",
                      "--output-format", "concise", "-q", "."],
        # Warm, but the edit adds an import of a name other modules use: the whole
        # project is analysed again (from the cached facts).
        "warm-import": [str(loopsafe), "check", "--isolated", "--exit-zero",
                        "--output-format", "concise", "-q", "."],
    }
    results = {name: {"wall": [], "rss": [], "cpu": [], "findings": 0} for name in commands}
    # One warm-up each, so all read the corpus from the page cache (and the cache exists).
    outputs = {name: measured(cmd, corpus)[3] for name, cmd in commands.items()}
    # The file edited is the one with the most findings: every one of them must move.
    by_file = {}
    for line in outputs["loopsafe"].splitlines():
        if ": LS" in line:
            path = line.split(":", 1)[0]
            by_file[path] = by_file.get(path, 0) + 1
    touched = corpus / max(sorted(by_file), key=by_file.get) if by_file else \
        next(iter(sorted(corpus.rglob("*.py"))))
    original_text = touched.read_bytes()

    def moved(run):
        # A different edit each run, so the cache never has this text.
        out = [f"# edit {run}\n\n".encode()]
        for line in original_text.splitlines(keepends=True):
            out.append(line)
            if line.rstrip().endswith(b":") and line.endswith(b"\n"):
                out.append(b"# inside\n")
        return b"".join(out)

    def call_added(run):
        return original_text + f"\n\ndef _edit_{run}():\n    return open('x')\n".encode()

    def call_in_body(run):
        # First in the body of the first function written on one line.
        lines = original_text.split(b"\n")
        for i, line in enumerate(lines):
            head = line.lstrip()
            if not (head.startswith((b"def ", b"async def ")) and line.rstrip().endswith(b":")):
                continue
            body = next((l for l in lines[i + 1:] if l.strip()), b"")
            indent = len(body) - len(body.lstrip())
            if indent > len(line) - len(head):
                lines.insert(i + 1, b" " * indent + f"open('_edit_{run}')".encode())
                return b"\n".join(lines)
        return call_added(run)

    def import_added(run):
        # A name other modules use (json is imported all over the corpus): it could now be
        # looked up here, and the whole project is analysed again.
        return f"import json\n# edit {run}\n".encode() + original_text

    def save_like_an_editor(text):
        # A new file renamed over the old one: the folder's time changes too.
        tmp = touched.with_name(f".{touched.name}.tmp")
        tmp.write_bytes(text)
        os.replace(tmp, touched)

    for run in range(args.runs):
        for name, cmd in commands.items():
            if name == "warm":
                save_like_an_editor(moved(run))
            edit = {"warm-call": call_added, "warm-body": call_in_body,
                    "warm-import": import_added}.get(name)
            if edit:
                save_like_an_editor(edit(run))
            try:
                wall, rss, cpu, out = measured(cmd, corpus)
            finally:
                touched.write_bytes(original_text)
            if edit:
                # The cache holds the edit now: put back the analysis of the original.
                measured(cmd, corpus)
            results[name]["wall"].append(wall)
            results[name]["rss"].append(rss)
            results[name]["cpu"].append(cpu)
            results[name]["findings"] = sum(
                1 for line in out.splitlines() if ": ASYNC" in line or ": LS" in line)

    print(f"corpus: {corpus} ({files} files, {lines} lines); {args.runs} interleaved runs; "
          f"{os.cpu_count()} cores")
    # CPU seconds (user + system) are steadier than wall time on a noisy machine, and
    # on 2 cores a run is bound by them.
    print(f"{'run':<12} {'median s':>9} {'min s':>7} {'cpu s':>7} {'peak MiB':>9} {'findings':>9}")
    for name, r in results.items():
        print(f"{name:<12} {statistics.median(r['wall']):>9.3f} {min(r['wall']):>7.3f} "
              f"{statistics.median(r['cpu']):>7.3f} {max(r['rss']):>9.1f} {r['findings']:>9}")
    ratio = statistics.median(results["loopsafe"]["wall"]) / statistics.median(results["ruff"]["wall"])
    print(f"loopsafe / ruff median wall-time ratio: {ratio:.2f}x")
    ratio = statistics.median(results["loopsafe"]["cpu"]) / statistics.median(results["ruff"]["cpu"])
    print(f"loopsafe / ruff median CPU-time ratio: {ratio:.2f}x")
    ratio = statistics.median(results["per-file"]["wall"]) / statistics.median(results["ruff"]["wall"])
    print(f"loopsafe without the whole-project pass / ruff: {ratio:.2f}x")
    ratio = statistics.median(results["parse-only"]["wall"]) / statistics.median(results["ruff"]["wall"])
    print(f"parse-only floor / ruff: {ratio:.2f}x")
    print(f"warm runs edit {touched.relative_to(corpus)} ({by_file.get(str(touched.relative_to(corpus)), 0)} findings)")
    ratio = statistics.median(results["warm"]["wall"]) / statistics.median(results["loopsafe"]["wall"])
    print(f"loopsafe warm (cache; one file edited, its calls moved) / loopsafe cold: {ratio:.2f}x")
    for name, what in [("warm-call", "a function with a call appended"),
                       ("warm-body", "a call added in a function"),
                       ("warm-import", "an import of a name used elsewhere added")]:
        ratio = statistics.median(results[name]["wall"]) / statistics.median(results["loopsafe"]["wall"])
        print(f"loopsafe warm (cache; one file edited, {what}) / loopsafe cold: {ratio:.2f}x")
    if args.scale > 1:
        scale(loopsafe, corpus, args.scale, args.runs)


def scale(loopsafe, corpus, copies, runs):
    """Linear scale: N copies of the corpus, each under its own package name."""
    root = WORK / f"scale{copies}"
    if not root.exists():
        tmp = WORK / f"scale{copies}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        for i in range(copies):
            shutil.copytree(corpus, tmp / f"{corpus.name}{i}")
        tmp.rename(root)
    cmd = [str(loopsafe), "check", "--isolated", "--exit-zero", "--no-cache",
           "--output-format", "concise", "-q", "."]
    one, many = [], []
    for _ in range(runs):
        one.append(measured(cmd, corpus)[0])
        many.append(measured(cmd, root)[0])
    ratio = statistics.median(many) / statistics.median(one)
    print(f"scale: {copies} copies take {statistics.median(many):.3f} s against "
          f"{statistics.median(one):.3f} s for one: {ratio:.2f}x (linear would be {copies}x)")


if __name__ == "__main__":
    main()
