"""`python -m loopsafe ...`: runs the `loopsafe` binary the wheel installed."""

from __future__ import annotations

import os
import sys
import sysconfig


def find_loopsafe_bin() -> str:
    """The binary's path: in this environment's scripts folder, the user's scripts
    folder (`pip install --user`), or a `bin` folder beside the package
    (`pip install --target`)."""
    exe = "loopsafe" + (sysconfig.get_config_var("EXE") or "")
    candidates = [os.path.join(sysconfig.get_path("scripts"), exe)]
    if sys.version_info >= (3, 10):
        user_scheme = sysconfig.get_preferred_scheme("user")
    elif os.name == "nt":
        user_scheme = "nt_user"
    elif sys.platform == "darwin" and getattr(sys, "_framework", None):
        user_scheme = "osx_framework_user"
    else:
        user_scheme = "posix_user"
    candidates.append(os.path.join(sysconfig.get_path("scripts", scheme=user_scheme), exe))
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    candidates.append(os.path.join(package_root, "bin", exe))
    for path in candidates:
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(
        f"the loopsafe binary is not installed where this package expects it: {candidates[0]}"
    )


def main() -> None:
    binary = os.fsdecode(find_loopsafe_bin())
    if sys.platform == "win32":
        # Windows has no exec that replaces the process: wait and pass the status on.
        import subprocess

        sys.exit(subprocess.run([binary, *sys.argv[1:]]).returncode)
    os.execvp(binary, [binary, *sys.argv[1:]])


if __name__ == "__main__":
    main()
