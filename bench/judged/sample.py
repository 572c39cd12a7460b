"""The sample of e41af18-sample96.jsonl: every finding of the snap (bench/snap.sh) in SNAP
(first argument), 8 per project, seed 21."""
import json, random, sys
SNAP = sys.argv[1] if len(sys.argv) > 1 else "bench/.work/snap"
projects = ["prefect","marimo","litellm","lightrag_hku","mlflow","jupyterhub","gradio","nicegui","ethyca_fides","homeassistant","arize_phoenix","hikari"]
rng = random.Random(21)
data = {p: json.load(open(f"{SNAP}/{p}.json")) for p in projects}
picked = []; rest = []
for p in projects:
    d = data[p]
    idx = rng.sample(range(len(d)), min(8, len(d)))
    picked += [(p, i) for i in idx]
    rest += [(p, i) for i in range(len(d)) if i not in set(idx)]
need = 90 - len(picked)
if need > 0:
    picked += rng.sample(rest, need)
out = []
for n,(p,i) in enumerate(picked):
    f = data[p][i]
    out.append({"n":n,"project":p,"idx":i,"code":f["code"],"filename":f["filename"],"row":f["location"]["row"],"api":f.get("api"),"message":f["message"],"chain":[(h["filename"],h["row"],h.get("function"),h.get("call")) for h in (f.get("chain") or [])],"hotspot":f.get("hotspot"),"runs_once":f.get("runs_once")})
json.dump(out, open("/tmp/judge/sample.json","w"), indent=1)
print(len(out))
