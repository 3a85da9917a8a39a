#!/usr/bin/env python3
"""chaos/local/results_table.py FILE.jsonl: the markdown table of the local
chaos results that docs/chaos.md shows (the last row per scenario and form)."""
import json
import sys

rows = {}
for line in open(sys.argv[1]):
    if line.strip():
        r = json.loads(line)
        rows[(r["form"], r["scenario"])] = r


def ms(v):
    return f"{v:.1f}" if v < 100 else f"{v:.0f}"


def sec(v):
    return "never" if v is None else f"{v:g}"


print("| scenario | form | window s | accepted | 5xx / resets | lost | twice | wrong | redelivered | "
      "p99 submit ms steady / fault / recover | recovery s (after heal) | verdict |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for (form, name), r in rows.items():
    lat = r["submit_latency"]
    print(f"| {name} | {form} | {r['phases_s']['fault']:g} | {r['accepted']} | "
          f"{r['unavailable_answers']} / {r['transport_errors']} | {r['lost']} | "
          f"{r['executed_twice']} | {r['wrong_results']} | {r['redelivered']} | "
          f"{ms(lat['steady']['p99_ms'])} / {ms(lat['fault']['p99_ms'])} / {ms(lat['recover']['p99_ms'])} | "
          f"{sec(r['recovery_s'])} ({sec(r['after_heal_s'])}) | {r['verdict']} |")
