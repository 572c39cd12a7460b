"""Sample loopsafe DEFAULT-output findings for hand judging.

With random.Random(2026), take min(7, n) findings at random from each
project's JSON (in the order of PROJECTS).  Reads /tmp/snap-21 by default;
--snap DIR points elsewhere.  Writes the sample as JSON to --out (stdout by
default).
"""
import argparse
import json
import random
import sys

PROJECTS = ["prefect", "marimo", "litellm", "lightrag_hku", "mlflow", "jupyterhub",
            "gradio", "ethyca_fides", "arize_phoenix", "homeassistant", "datasette", "hikari"]
PER_PROJECT = 7


def sample(snap):
    rng = random.Random(2026)
    out = []
    for p in PROJECTS:
        with open(f"{snap}/{p}.json") as fh:
            data = json.load(fh)
        idx = sorted(rng.sample(range(len(data)), min(PER_PROJECT, len(data))))
        for i in idx:
            f = data[i]
            out.append({
                "project": p, "idx": i, "code": f["code"], "filename": f["filename"],
                "row": f["location"]["row"], "api": f.get("api"), "message": f["message"],
                "severity": f.get("severity"), "cost": f.get("cost"),
                "frequency": f.get("frequency"), "conditional": f.get("conditional"),
                "chain": [(h.get("filename"), h.get("row"), h.get("function"), h.get("call"))
                          for h in (f.get("chain") or [])],
                "other_sinks": f.get("other_sinks"), "hotspot": f.get("hotspot"),
            })
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--snap", default="/tmp/snap-21")
    ap.add_argument("--out", default="-")
    a = ap.parse_args()
    out = sample(a.snap)
    text = json.dumps(out, indent=1)
    if a.out == "-":
        sys.stdout.write(text + "\n")
    else:
        with open(a.out, "w") as fh:
            fh.write(text + "\n")
    print(len(out), "findings", file=sys.stderr)


if __name__ == "__main__":
    main()
