"""What the timing scripts share (`compare_ruff.py`, `libs.py`): ruff from PyPI in a venv
under bench/.work, a package unpacked from its PyPI wheel, the release build, and one
timed run of a command."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / ".work"
RUFF_VERSION = "0.16.4"


def sh(*args, **kw):
    return subprocess.run(args, check=True, **kw)


def ensure_ruff() -> Path:
    venv = WORK / "venv"
    ruff = venv / "bin" / "ruff"
    if not ruff.exists():
        sh(sys.executable, "-m", "venv", str(venv))
        sh(str(venv / "bin" / "pip"), "install", "-q", f"ruff=={RUFF_VERSION}")
    return ruff


def unpacked_wheel(name: str, version: str, dest: Path) -> Path:
    """`dest`, holding the package `name` from its PyPI wheel (downloaded into
    bench/.work once): the package only, no environment."""
    if not (dest / name).is_dir():
        WORK.mkdir(parents=True, exist_ok=True)
        wheels = list(WORK.glob(f"{name}-{version}-*.whl"))
        if not wheels:
            sh(sys.executable, "-m", "pip", "download", "-q", "--no-deps",
               f"{name}=={version}", "-d", str(WORK))
            wheels = list(WORK.glob(f"{name}-{version}-*.whl"))
        with zipfile.ZipFile(wheels[0]) as z:
            members = [m for m in z.namelist() if m.startswith(f"{name}/")]
            z.extractall(dest, members)
    return dest


def build_loopsafe() -> Path:
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    sh("cargo", "build", "--release", "-q", "-p", "loopsafe", cwd=REPO)
    return target / "release" / "loopsafe"


def measured(cmd, cwd, env=None):
    """One run of `cmd` in `cwd`: wall seconds, peak MiB, CPU seconds and its output, as a
    child of its own so that the figures are the command's alone."""
    helper = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)\n"
        "w = time.perf_counter() - t\n"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "sys.stderr.write(f'{w} {u.ru_maxrss / 1024} {u.ru_utime + u.ru_stime}\\n')\n"
        "sys.stdout.buffer.write(p.stdout)\n"
    )
    proc = subprocess.run([sys.executable, "-c", helper, *cmd], cwd=cwd, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
    wall, rss, cpu = proc.stderr.decode().split()[-3:]
    return float(wall), float(rss), float(cpu), proc.stdout.decode()
