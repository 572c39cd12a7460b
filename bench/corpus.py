#!/usr/bin/env python3
"""Downloads the real-project corpus named in bench/corpus.txt and unpacks each wheel.

    python3 bench/corpus.py [--dir bench/.work/corpus]

Each project lands in DIR/<name>/ (the wheel's files, without its .dist-info). Wheels
already downloaded are reused. Used to compare loopsafe's output before and after a
change (bench/snap.sh) and to judge samples of its findings.
"""

import argparse
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", type=Path, default=HERE / ".work" / "corpus")
    args = ap.parse_args()
    wheels = args.dir / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    for line in (HERE / "corpus.txt").read_text().splitlines():
        spec = line.split("#")[0].strip()
        if not spec:
            continue
        name, version = spec.split("==")
        target = args.dir / name
        if target.is_dir():
            continue
        found = sorted(wheels.glob(f"{name}-{version}-*.whl"))
        if not found:
            subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                            "--only-binary", ":all:", spec, "-d", str(wheels)], check=True)
            found = sorted(wheels.glob(f"{name}-{version}-*.whl"))
        with zipfile.ZipFile(found[0]) as z:
            z.extractall(target)
        for info in target.glob("*.dist-info"):
            shutil.rmtree(info)
        print(f"{name} {version}: {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
