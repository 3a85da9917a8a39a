#!/usr/bin/env python3
"""Every taskmesh flag the chart can pass (args in the templates, extraArgs in
its values files) and every TASKMESH_* variable it can set (ConfigMap, env,
extraEnv) exists in `taskmesh --help` of the binary under test. Read from the
template sources, so flags behind an `if` (auth, NATS credentials) count too.

usage: chart_flags_test.py BINARY"""
import pathlib
import re
import subprocess
import sys

import yaml

# Flags the chart wires ahead of the binary, each with the reason; once the
# binary lists one, its entry is dead weight and should go.
PENDING: dict[str, str] = {}

root = pathlib.Path(__file__).resolve().parents[2]
chart = root / "infra/helm/taskmesh"
binary = sys.argv[1]

flags, env = {}, {}
for path in sorted((chart / "templates").rglob("*.yaml")):
    for n, line in enumerate(path.read_text().splitlines(), 1):
        where = f"{path.relative_to(root)}:{n}"
        m = re.match(r"^\s*- (--[a-z0-9][a-z0-9-]*)\s*$", line)
        if m:
            flags.setdefault(m.group(1), where)
        for name in re.findall(r"\bTASKMESH_[A-Z0-9_]+\b", line):
            env.setdefault(name, where)
for name in ["values.yaml", "values-dev.yaml", "values-prod.yaml"]:
    values = yaml.safe_load((chart / name).read_text()) or {}
    for role in ["api", "worker"]:
        for arg in (values.get(role) or {}).get("extraArgs") or []:
            if str(arg).startswith("--"):
                flags.setdefault(str(arg).split("=")[0], f"{name}: {role}.extraArgs")
    for var in ((values.get("config") or {}).get("extraEnv") or {}):
        env.setdefault(var, f"{name}: config.extraEnv")

# A broken extraction must not pass silently.
for must in ["--role", "--listen", "--workers", "--io-threads"]:
    if must not in flags:
        sys.exit(f"FAIL: found no {must} in the chart's templates; the extraction is broken")
if len(env) < 10:
    sys.exit(f"FAIL: found only {len(env)} TASKMESH_* variables; the extraction is broken")

run = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=30)
if run.returncode != 0:
    sys.exit(f"FAIL: {binary} --help exited {run.returncode}:\n{run.stdout}{run.stderr}")
help_text = run.stdout
known_flags = set(re.findall(r"(?<![\w-])(--[a-z0-9][a-z0-9-]*)", help_text))
known_env = set(re.findall(r"\(Env:(TASKMESH_[A-Z0-9_]+)\)", help_text))

failures = []
for flag, where in sorted(flags.items()):
    if flag in known_flags:
        print(f"ok   {flag} ({where})")
    elif flag in PENDING:
        print(f"note {flag} ({where}) not in --help yet: {PENDING[flag]}")
    else:
        failures.append(f"{flag} ({where}) is not a taskmesh flag")
for var, where in sorted(env.items()):
    if var in known_env:
        print(f"ok   {var} ({where})")
    else:
        failures.append(f"{var} ({where}) is not a taskmesh environment variable")
for f in failures:
    print("FAIL", f)
sys.exit(1 if failures else 0)
