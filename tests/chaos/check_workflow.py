#!/usr/bin/env python3
"""ctest chaos_workflow_in_step: each experiment template of
chaos/game-day/workflow-suite.yaml has exactly the spec of its file in
chaos/experiments/ (minus `duration`: the template's deadline bounds it), every
experiment file appears in the suite, and a StatusCheck gate on /health/ready
with abortWithStatusCheck comes before each experiment."""
import pathlib
import sys

import yaml

root = pathlib.Path(__file__).resolve().parents[2] / "chaos"
suite = yaml.safe_load((root / "game-day" / "workflow-suite.yaml").read_text())
templates = {t["name"]: t for t in suite["spec"]["templates"]}
order = templates[suite["spec"]["entry"]]["children"]
field = {"PodChaos": "podChaos", "NetworkChaos": "networkChaos", "StressChaos": "stressChaos"}
problems = []

experiments = {}
for path in sorted((root / "experiments").glob("*.yaml")):
    doc = yaml.safe_load(path.read_text())
    spec = dict(doc["spec"])
    spec.pop("duration", None)
    experiments[path.name] = (doc["kind"], spec)

matched = set()
previous = None
for name in order:
    t = templates[name]
    kind = t["templateType"]
    if kind == "StatusCheck":
        check = t["statusCheck"]
        if not t.get("abortWithStatusCheck") or not check["http"]["url"].endswith("/health/ready"):
            problems.append(f"{name}: not an aborting gate on /health/ready")
    else:
        if previous is None or templates[previous]["templateType"] != "StatusCheck":
            problems.append(f"{name}: no StatusCheck gate before it")
        spec = t[field[kind]]
        hits = [f for f, (k, s) in experiments.items() if k == kind and s == spec]
        if not hits:
            problems.append(f"{name}: spec matches no file in chaos/experiments/")
        matched.update(hits)
    previous = name

for f in sorted(set(experiments) - matched):
    problems.append(f"chaos/experiments/{f} is not in the workflow suite")
for p in problems:
    print("FAIL", p)
print(f"workflow suite: {len(matched)} experiments in step, {len(problems)} problems")
sys.exit(1 if problems else 0)
