#!/usr/bin/env python3
# File: tests/bench_smoke/check_smoke.py
# Keeps the benchmark harness working: runs `bench/run --smoke` (a few
# seconds against a real taskmesh, its nginx ceiling, and a real cluster)
# into an empty directory, then checks, independently of bench/run's own
# code, that it exited 0 and wrote a result file of the expected shape, with
# every smoke group measured: a group skipped for want of nginx, nats-server
# or redis-server fails the check (scripts/install-deps.sh installs them).
# No figure is judged: a smoke run on a busy machine measures nothing worth
# asserting.
#
#   check_smoke.py SOURCE_DIR BUILD_DIR OUT_DIR
import glob
import json
import os
import shutil
import subprocess
import sys
import time

TOP = ("schema", "mode", "started_at", "finished_at", "machine", "git", "settings",
       "loadavg_start", "loadavg_end", "topologies", "measurements")
MACHINE = ("host", "nproc", "cpu_model", "kernel")
MEASUREMENT = ("name", "what", "unit", "status", "runs", "median", "ceiling", "ratio", "target",
               "verdict", "margin")
# Measured against their nginx ceiling.
WITH_CEILING = ("http_task_rate", "http_tasks_rate", "e2e_rate")
# The cluster groups (no peer in a smoke run: BullMQ runs only in real ones).
EXPECTED = WITH_CEILING + ("e2e_p99_half", "cluster_e2e_rate", "cluster_e2e_p99_half")
# Latency over the accepted tasks the loadgen listed (--accepted-out), read
# back one by one: how many (the key) and none unfinished.
ACCEPTED = {"e2e_p99_half": "accepted_sampled", "cluster_e2e_p99_half": "accepted_tasks"}


def main(source_dir, build_dir, out_dir):
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    argv = [sys.executable, os.path.join(source_dir, "bench", "run"), "--smoke", "--no-install",
            "--build-dir", build_dir, "--out", out_dir]
    began = time.monotonic()
    r = subprocess.run(argv, timeout=120, env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    print(f"bench_smoke: bench/run --smoke exited {r.returncode} after "
          f"{time.monotonic() - began:.1f} s")
    errors = []
    if r.returncode != 0:
        errors.append(f"bench/run exited {r.returncode}")
    files = glob.glob(os.path.join(out_dir, "*-smoke.json"))
    if len(files) != 1 or not os.path.exists(files[0][:-len(".json")] + ".md"):
        errors.append(f"expected one *-smoke.json and its .md in {out_dir}, found {files}")
    else:
        with open(files[0]) as f:
            result = json.load(f)
        errors += [f"missing key {k}" for k in TOP if k not in result]
        errors += [f"missing machine.{k}" for k in MACHINE if k not in result.get("machine", {})]
        if result.get("mode") != "smoke":
            errors.append(f"mode is {result.get('mode')!r}, not 'smoke'")
        by_name = {m.get("name"): m for m in result.get("measurements", [])}
        for m in by_name.values():
            errors += [f"{m.get('name')}: missing {k}" for k in MEASUREMENT if k not in m]
        for name in EXPECTED:
            m = by_name.get(name)
            if m is None:
                errors.append(f"no measurement {name}")
            elif m.get("status") != "ok" or not m.get("median"):
                errors.append(f"{name}: status {m.get('status')} ({m.get('reason')}), "
                              f"median {m.get('median')}")
            elif name in WITH_CEILING and not (m.get("ceiling") or {}).get("median"):
                errors.append(f"{name}: no ceiling measured: "
                              f"{'; '.join(m.get('notes') or ['no notes'])}")
            elif name in ACCEPTED:
                key = ACCEPTED[name]
                for d in m.get("details") or [{}]:
                    if not d.get(key) or d.get("accepted_unfinished") != 0:
                        errors.append(f"{name}: {key} {d.get(key)}, "
                                      f"accepted_unfinished {d.get('accepted_unfinished')}")
    for e in errors:
        print(f"bench_smoke: FAIL: {e}")
    if not errors:
        print("bench_smoke: ok")
    return 1 if errors else 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        print("usage: check_smoke.py SOURCE_DIR BUILD_DIR OUT_DIR", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
