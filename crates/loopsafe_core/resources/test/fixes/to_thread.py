import os
import subprocess
from pathlib import Path


def load_settings():
    with open("settings.toml") as f:
        return f.read()


async def handler(p):
    subprocess.run(["convert", p], check=True)
    os.remove(p)
    text = Path(p).read_text()
    settings = load_settings()
    first = load_settings().strip()
    for root, dirs, files in os.walk(p):
        print(root)
    with open(p) as f:
        return text, settings, first, f.read()
