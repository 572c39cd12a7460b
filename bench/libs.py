#!/usr/bin/env python3
"""What following installed packages costs: `loopsafe check` of a project without its
environment, with it and an empty package cache (the first run on a machine), and with
it and the package cache filled by an earlier run (every later run), each against
`ruff check --select ASYNC` in the same interleaved runs, as bench/compare_ruff.py does.

    python3 bench/libs.py [--runs 5] [--corpus DIR --requirements SPEC...] [--loopsafe BIN]

Without --corpus it checks datasette 0.65.5 (from PyPI, unpacked into bench/.work), with a
venv of datasette and its dependencies built with pip in bench/.work/libs-venv. Every
run starts without the project's cache (`.loopsafe_cache` is removed before each), so
all three loopsafe runs parse and analyse the whole project; only the package cache
(`$XDG_CACHE_HOME/loopsafe/packages`) differs: a fresh empty folder for each "first"
run, one folder kept from run to run for "later".

Targets: first <= 3x the run without the environment, later <= 1.2x.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from benchlib import WORK, build_loopsafe, ensure_ruff, measured, sh, unpacked_wheel

DEFAULT_PROJECT = ("datasette", "0.65.5")


def ensure_project(name: str, version: str) -> Path:
    """The project's own package, unpacked from its wheel (no environment in it)."""
    return unpacked_wheel(name, version, WORK / f"libs-{name}-{version}")


def ensure_venv(requirements: list[str]) -> Path:
    venv = WORK / "libs-venv"
    marker = venv / "loopsafe-requirements.txt"
    wanted = "\n".join(requirements) + "\n"
    if not marker.exists() or marker.read_text() != wanted:
        shutil.rmtree(venv, ignore_errors=True)
        sh(sys.executable, "-m", "venv", str(venv))
        sh(str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check",
           *requirements)
        marker.write_text(wanted)
    return venv


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--corpus", type=Path, help="the project to check")
    parser.add_argument("--requirements", nargs="*",
                        help="what to pip install into the environment (default: the project)")
    parser.add_argument("--venv", type=Path, help="an environment to use as it is")
    parser.add_argument("--loopsafe", type=Path, help="a release binary (default: build one)")
    args = parser.parse_args()

    ruff = ensure_ruff()
    if args.corpus:
        corpus = args.corpus.resolve()
    else:
        corpus = ensure_project(*DEFAULT_PROJECT)
    if args.venv:
        venv = args.venv.resolve()
    else:
        venv = ensure_venv(args.requirements or ["==".join(DEFAULT_PROJECT)])
    loopsafe = args.loopsafe.resolve() if args.loopsafe else build_loopsafe()
    site = next((venv / "lib").glob("python3*/site-packages"))
    installed = sorted(p.name for p in site.glob("*.dist-info"))
    files = sum(1 for _ in corpus.rglob("*.py"))

    base = [str(loopsafe), "check", "--isolated", "--exit-zero", "--output-format",
            "concise", "."]
    commands = {
        "ruff": [str(ruff), "check", "--isolated", "--select", "ASYNC", "--no-cache",
                 "--exit-zero", "--output-format", "concise", "."],
        "no-env": base,
        "env-first": [*base, "--python", str(venv)],
        "env-later": [*base, "--python", str(venv)],
    }
    scratch = Path(tempfile.mkdtemp(prefix="loopsafe-libs-bench-"))
    kept_cache = scratch / "kept"
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}

    def run_one(name, run):
        shutil.rmtree(corpus / ".loopsafe_cache", ignore_errors=True)
        # A folder of its own for each first run: an empty package cache.
        cache = kept_cache if name == "env-later" else scratch / f"{name}-{run}"
        return measured(commands[name], corpus, {**env, "XDG_CACHE_HOME": str(cache)})

    # Warm-up: the files in the page cache, the kept package cache filled.
    outputs = {name: run_one(name, "warmup")[3] for name in commands}
    results = {name: {"wall": [], "cpu": [], "rss": []} for name in commands}
    for run in range(args.runs):
        for name in commands:
            wall, rss, cpu, out = run_one(name, run)
            results[name]["wall"].append(wall)
            results[name]["cpu"].append(cpu)
            results[name]["rss"].append(rss)
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.rmtree(corpus / ".loopsafe_cache", ignore_errors=True)

    followed = next((l for l in outputs["env-later"].splitlines()
                     if l.startswith("Followed calls into")), "(nothing followed)")
    found = {name: sum(1 for l in out.splitlines() if ": LS" in l or ": ASYNC" in l)
             for name, out in outputs.items()}
    print(f"project: {corpus} ({files} files); environment: {venv} "
          f"({len(installed)} distributions); {args.runs} interleaved runs; "
          f"{os.cpu_count()} cores")
    print(followed)
    print(f"{'run':<10} {'median s':>9} {'min s':>7} {'cpu s':>7} {'peak MiB':>9} "
          f"{'findings':>9} {'x ruff':>7} {'x no-env':>9}")
    med = {name: statistics.median(r["wall"]) for name, r in results.items()}
    for name, r in results.items():
        print(f"{name:<10} {med[name]:>9.3f} {min(r['wall']):>7.3f} "
              f"{statistics.median(r['cpu']):>7.3f} {max(r['rss']):>9.1f} {found[name]:>9} "
              f"{med[name] / med['ruff']:>7.2f} {med[name] / med['no-env']:>9.2f}")
    first, later = med["env-first"] / med["no-env"], med["env-later"] / med["no-env"]
    print(f"first run with the environment: {first:.2f}x without it (target <= 3); "
          f"later runs: {later:.2f}x (target <= 1.2)")


if __name__ == "__main__":
    main()
