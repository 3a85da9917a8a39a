#!/usr/bin/env python3
"""infra/helm/taskmesh/values.schema.json accepts the chart's values.yaml
alone and merged with values-dev.yaml and values-prod.yaml (as Helm merges
them), and rejects values it must reject, so the schema is not a no-op.
(Helm checks the schema at install; the offline renderer does not, hence
this test.)"""
import copy
import json
import pathlib
import sys

import jsonschema
import yaml

chart = pathlib.Path(__file__).resolve().parents[2] / "infra/helm/taskmesh"
schema = json.loads((chart / "values.schema.json").read_text())
jsonschema.Draft7Validator.check_schema(schema)
validator = jsonschema.Draft7Validator(schema)


def merge(base, over):
    """Helm's coalescing for values files: maps merge, anything else replaces."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def errors(values):
    return [f"{'.'.join(map(str, e.path)) or '(top)'}: {e.message}" for e in validator.iter_errors(values)]


defaults = yaml.safe_load((chart / "values.yaml").read_text())
failures = []
for name in ["values.yaml", "values-dev.yaml", "values-prod.yaml"]:
    values = defaults if name == "values.yaml" else merge(defaults, yaml.safe_load((chart / name).read_text()))
    found = errors(values)
    print(f"{'ok  ' if not found else 'FAIL'} {name}")
    failures += [f"{name}: {e}" for e in found]

# Each must be refused: (what, change to the defaults).
bad = [
    ("unknown top-level key", {"replicaCount": 3}),
    ("unknown key in worker", {"worker": {"replica": 2}}),
    ("KEDA may not scale workers to zero", {"worker": {"autoscaling": {"keda": {"minReplicas": 0}}}}),
    ("image tag latest", {"image": {"tag": "latest"}}),
    ("unknown op in disableOps", {"config": {"disableOps": ["resize"]}}),
    ("duration without unit", {"config": {"ackWait": "30"}}),
    ("extraEnv outside TASKMESH_*", {"config": {"extraEnv": {"PATH": "/tmp"}}}),
    ("rediss:// (no TLS in hiredis 0.14)", {"valkeyConnection": {"url": "rediss://x:6379"}}),
    ("resources without limits", {"api": {"resources": {"limits": None}}}),
]
for what, change in bad:
    values = merge(defaults, change)
    if not errors(values):
        failures.append(f"schema accepts a bad value: {what}")
    else:
        print(f"ok   refused: {what}")

for f in failures:
    print("FAIL", f)
sys.exit(1 if failures else 0)
