# File: bench/ceilings/report.py
# One measurement as data (every repetition, the median, the ceiling measured
# beside it, the ratio, the target and by how much it is met or missed), and
# the two renderings of a run: the JSON result file and its markdown table.
# Figures are only ever computed from runs; nothing here edits a number.
import json
import statistics


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


class Measurement:
    """kind of target: 'min' (value >= v), 'max' (value <= v), 'ratio_min'
    (value / ceiling >= v). better: 'higher' or 'lower'."""

    def __init__(self, name, what, unit, better="higher", target=None, target_kind=None,
                 target_text=None, topology="embedded"):
        self.name, self.what, self.unit, self.better = name, what, unit, better
        self.topology = topology
        self.target = None if target is None else {"kind": target_kind, "value": target,
                                                   "text": target_text}
        self.runs, self.details = [], []
        self.ceiling = None
        self.status, self.reason, self.notes = "ok", None, []

    def add(self, value, detail=None):
        self.runs.append(value)
        self.details.append(detail or {})

    def set_ceiling(self, what, runs, unit=None, details=None):
        self.ceiling = {"what": what, "unit": unit or self.unit, "runs": list(runs),
                        "median": median(runs), "details": details or []}

    def skip(self, reason):
        self.status, self.reason = "skipped", reason
        return self

    def fail(self, reason):
        self.status, self.reason = "error", reason
        return self

    def to_dict(self):
        value = median(self.runs)
        if self.status == "ok" and value is None:
            self.fail("no run produced a value")
        ceiling = self.ceiling["median"] if self.ceiling else None
        ratio = value / ceiling if value is not None and ceiling else None
        d = {"name": self.name, "topology": self.topology, "what": self.what, "unit": self.unit,
             "better": self.better, "status": self.status, "reason": self.reason,
             "runs": self.runs, "median": value, "details": self.details,
             "ceiling": self.ceiling, "ratio": ratio, "target": self.target,
             "verdict": "n/a", "margin_pct": None, "margin": None, "notes": self.notes,
             "cpu_us_per_task": cpu_per_task(self.details),
             "ceiling_cpu_us_per_task": cpu_per_task(self.ceiling["details"])
             if self.ceiling else None}
        if self.status != "ok" or self.target is None:
            return d
        kind, goal = self.target["kind"], self.target["value"]
        got = ratio if kind == "ratio_min" else value
        if got is None:
            d["verdict"] = "n/a"
            d["margin"] = "no ceiling to compare with" if kind == "ratio_min" else "no value"
            return d
        if kind in ("min", "ratio_min"):
            pct = (got / goal - 1) * 100 if goal else None
            ok = got >= goal
        else:
            pct = (1 - got / goal) * 100 if goal else None
            ok = got <= goal
        d["verdict"] = "pass" if ok else "miss"
        d["margin_pct"] = pct
        shown = f"{got:.2f}x" if kind == "ratio_min" else fmt(got, self.unit)
        goal_shown = f"{goal:.2f}x" if kind == "ratio_min" else fmt(goal, self.unit)
        if ok:
            d["margin"] = f"{shown} vs {goal_shown}: {abs(pct):.0f}% headroom"
        elif kind == "max":
            d["margin"] = f"{shown} vs {goal_shown}: missed by {fmt(got - goal, self.unit)} ({got / goal:.2f}x the limit)"
        else:
            d["margin"] = f"{shown} vs {goal_shown}: missed by {abs(pct):.0f}%"
        return d


def cpu_per_task(details):
    """Median CPU microseconds the server spent per task (or request) over the
    runs: from the loadgen wrapper's /proc sampling, or bench-core's counter."""
    xs = [d.get("server_cpu_us_per_task") if d.get("server_cpu_us_per_task") is not None
          else (d["cpu_ns_per_task"] / 1000.0 if d.get("cpu_ns_per_task") is not None else None)
          for d in details]
    return median(xs)


def fmt(x, unit):
    if x is None:
        return "-"
    if unit in ("ms",):
        return f"{x:.3f} ms" if abs(x) < 10 else f"{x:.1f} ms"
    if unit.endswith("/s"):
        return f"{x:,.0f} {unit}"
    if unit in ("B/task", "B/result", "B/min", "B"):
        return f"{x:,.1f} {unit}" if abs(x) < 10000 else f"{x:,.0f} {unit}"
    return f"{x:.3g} {unit}"


def short(x, unit):
    """A run value without its unit, for the 'runs' column."""
    if x is None:
        return "-"
    if unit == "ms":
        return f"{x:.3f}"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.1f}"


def pinned_text(pinned):
    if not pinned:
        return ""
    cpus = lambda xs: ",".join(str(x) for x in xs)  # noqa: E731
    return (f" Pinned (`--pin`): every server on CPU {cpus(pinned['servers'])}, loadgen and "
            f"probe on CPU {cpus(pinned['clients'])}; compare with pinned runs only.")


def markdown(result):
    """The results table (and the notes under it) for one run."""
    m = result["machine"]
    lines = [
        f"### {result['started_at'][:10]} on {m['host']} ({result['mode']} run)",
        "",
        f"{m['nproc']} cores ({m['cpu_model']}), kernel {m['kernel']}, "
        f"commit `{(result['git'].get('commit') or 'unknown')[:12]}`"
        f"{' (uncommitted changes)' if result['git'].get('dirty') else ''}; "
        f"load average (1/5/15 min) {fmt_load(result['loadavg_start'])} at start, "
        f"{fmt_load(result['loadavg_end'])} at end. "
        f"Each figure is the median of {result['settings']['repeat']} runs "
        f"({result['settings']['duration_s']:g} s measured after {result['settings']['warmup_s']:g} s warm-up); "
        "the ceiling was measured in the same run with the same loadgen settings."
        + pinned_text(result["settings"].get("pinned")),
        "",
        "| measurement | median | runs | ceiling (median) | ratio | CPU µs/task: taskmesh / ceiling | target | verdict |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for d in result["measurements"]:
        if d["status"] != "ok":
            lines.append(f"| {d['name']}: {d['what']} | {d['status']}: {d['reason']} | | | | | "
                         f"{(d['target'] or {}).get('text') or ''} | {d['status']} |")
            continue
        ceiling = "-"
        if d["ceiling"]:
            ceiling = f"{fmt(d['ceiling']['median'], d['ceiling']['unit'])} ({d['ceiling']['what']})"
        ratio = f"{d['ratio']:.2f}" if d["ratio"] is not None else "-"
        runs = ", ".join(short(x, d["unit"]) for x in d["runs"])
        target = (d["target"] or {}).get("text") or "-"
        verdict = d["verdict"] if not d["margin"] else f"**{d['verdict']}**: {d['margin']}"
        cpu = "-"
        if d.get("cpu_us_per_task") is not None:
            cpu = f"{d['cpu_us_per_task']:.2f}"
            if d.get("ceiling_cpu_us_per_task") is not None:
                cpu += f" / {d['ceiling_cpu_us_per_task']:.2f}"
        lines.append(f"| {d['name']}: {d['what']} | {fmt(d['median'], d['unit'])} | {runs} | "
                     f"{ceiling} | {ratio} | {cpu} | {target} | {verdict} |")
    for t, why in result["topologies"].items():
        if why != "run":
            lines.append(f"| {t} topology | skipped: {why} | | | | | | |")
    notes = [f"- {d['name']}: {n}" for d in result["measurements"] for n in d.get("notes", [])]
    if notes:
        lines += ["", "Notes:", *notes]
    return "\n".join(lines) + "\n"


def fmt_load(la):
    return "/".join(f"{x:.2f}" for x in la) if la else "unknown"


def write(result, json_path, md_path):
    with open(json_path, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    text = markdown(result)
    with open(md_path, "w") as f:
        f.write(text)
    return text
