# File: bench/soak/soak.py
# The soak: load taskmesh (embedded) at a fraction of its measured capacity
# for a long time and watch throughput, p99 and RSS. Used by bench/soak/run
# and by `bench/run --full`.
#
#   1. capacity: closed-loop POST /task (64 connections) against a fresh
#      taskmesh, unless a --rate is given;
#   2. a second fresh taskmesh, loaded open-loop at fraction x capacity in
#      back-to-back windows of `interval` (one loadgen run each: its rate and
#      p99), RSS of the taskmesh PID read from /proc/PID/status and the store
#      size from /stats after each window;
#   3. warm-up ends at `warmup_s`, or later when the result store is still
#      filling towards --max-records (growth there is stored results, not a
#      leak); the RSS slope after it is a least-squares fit in bytes/min;
#   4. CSV + JSON summary + one PNG (gnuplot, plot.gp).
import csv
import json
import os
import shutil
import subprocess
import time

from ceilings import loadgen, machine, procs, topology

HERE = os.path.dirname(os.path.abspath(__file__))


MIN_SAMPLES = 20  # after warm-up, for a verdict on the slope


def least_squares(xs, ys):
    """(slope, intercept, standard error of the slope) of y = intercept +
    slope * x; None if under 2 points (the error is None under 3)."""
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return None
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    icpt = my - slope * mx
    err = None
    if n > 2:
        resid = sum((y - icpt - slope * x) ** 2 for x, y in zip(xs, ys))
        err = (resid / (n - 2) / sxx) ** 0.5
    return slope, icpt, err


def measure_capacity(build_dir, workdir, connections, duration_s, warmup_s, extra_args):
    with procs.Procs(workdir) as group:
        tm = topology.start("embedded", group, build_dir, extra_args)
        r = loadgen.run(build_dir, tm.url, "closed", connections=connections,
                        duration_s=duration_s, warmup_s=warmup_s)
        return r["ok_rate"]


def stats(port):
    status, body = procs.http_get(port, "/stats", timeout=5)
    if status != 200:
        return {}
    try:
        return json.loads(body)
    except ValueError:
        return {}


def max_records_of(extra_args):
    args = list(extra_args)
    if "--max-records" in args:
        return int(args[args.index("--max-records") + 1])
    return 1_000_000  # taskmesh's default


def run_soak(build_dir, out_dir, stamp, fraction=0.5, duration_s=600, interval_s=5,
             rate=None, warmup_s=None, connections=64, extra_args=(), workdir=None,
             max_slope_pct=1.0, log=print):
    """Runs the soak and writes <stamp>-soak.{csv,json,png} into out_dir.
    Returns the summary dict (also in the JSON)."""
    workdir = workdir or out_dir
    extra_args = list(extra_args)
    capacity = None
    if rate is None:
        capacity = measure_capacity(build_dir, workdir, connections, 10, 2, extra_args)
        rate = fraction * capacity
        log(f"soak: capacity {capacity:,.0f} tasks/s (closed loop), offering {rate:,.0f}/s")
    if warmup_s is None:
        warmup_s = min(60.0, duration_s * 0.2)
    max_records = max_records_of(extra_args)

    rows = []
    load_start = machine.loadavg()
    with procs.Procs(workdir) as group:
        tm = topology.start("embedded", group, build_dir, extra_args)
        start = time.monotonic()
        while time.monotonic() - start < duration_s:
            window = min(interval_s, duration_s - (time.monotonic() - start))
            if window < 0.5:
                break
            r = loadgen.run(build_dir, tm.url, "open", rate=rate, connections=connections,
                            duration_s=window, bound_s=window + 60)
            s = stats(tm.port)
            rows.append({
                "t_s": round(time.monotonic() - start, 3),
                "rate": r["ok_rate"],
                "p99_ms": r["latency_us"]["p99"] / 1000.0,
                "p50_ms": r["latency_us"]["p50"] / 1000.0,
                "rss_bytes": procs.rss_bytes(tm.proc.pid),
                "records": s.get("valkey_keys_count"),
                "backlog": s.get("queue_backlog_length"),
                "errors": r["errors"]["total"],
                "send_lag_p99_ms": r.get("send_lag_us", {}).get("p99", 0) / 1000.0,
            })
            if not tm.proc.alive():
                raise RuntimeError(f"taskmesh died during the soak:\n{tm.proc.log_tail()}")
        taskmesh_args = tm.args

    # Warm-up: the configured time, or until the store stopped growing.
    full_at = next((row["t_s"] for row in rows
                    if row["records"] is not None and row["records"] >= max_records), None)
    warm_end = warmup_s if full_at is None else max(warmup_s, full_at)
    after = [row for row in rows if row["t_s"] >= warm_end and row["rss_bytes"]]
    fit = least_squares([row["t_s"] / 60.0 for row in after], [row["rss_bytes"] for row in after])
    mean_rss = sum(row["rss_bytes"] for row in after) / len(after) if after else None
    # Flat: projected growth under max_slope_pct of the steady RSS per 10 minutes.
    limit = mean_rss * max_slope_pct / 100.0 / 10.0 if mean_rss else None
    notes = []
    if len(after) < MIN_SAMPLES:
        notes.append(f"only {len(after)} samples after warm-up (a verdict needs {MIN_SAMPLES}): "
                     "the slope is reported, flatness is not judged")
    if full_at is None:
        notes.append(f"the result store never reached --max-records ({max_records:,}) "
                     f"(last {rows[-1]['records'] if rows else 0:,} records): RSS growth "
                     "includes results being kept, not only leaks")
    summary = {
        "stamp": stamp, "fraction": fraction, "capacity_tasks_s": capacity,
        "offered_rate": rate, "duration_s": duration_s, "interval_s": interval_s,
        "connections": connections, "taskmesh_args": taskmesh_args,
        "warmup_s": warm_end, "store_full_at_s": full_at, "max_records": max_records,
        "samples": len(rows), "samples_after_warmup": len(after),
        "rss_slope_b_per_min": fit[0] if fit else None,
        "rss_intercept_b": fit[1] if fit else None,
        "rss_slope_stderr_b_per_min": fit[2] if fit else None,
        "rss_mean_after_warmup_b": mean_rss,
        "rss_first_b": rows[0]["rss_bytes"] if rows else None,
        "rss_last_b": rows[-1]["rss_bytes"] if rows else None,
        "slope_limit_b_per_min": limit,
        "flat": (abs(fit[0]) <= limit) if fit and limit and len(after) >= MIN_SAMPLES else None,
        "median_rate": _median([row["rate"] for row in after]),
        "median_p99_ms": _median([row["p99_ms"] for row in after]),
        "max_p99_ms": max((row["p99_ms"] for row in after), default=None),
        "errors": sum(row["errors"] for row in rows),
        "loadavg_start": load_start, "loadavg_end": machine.loadavg(),
        "machine": machine.info(),
        "notes": notes,
    }
    base = os.path.join(out_dir, f"{stamp}-soak")
    with open(base + ".csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()) if rows else ["t_s"])
        w.writeheader()
        w.writerows(rows)
    summary["csv"] = os.path.basename(base + ".csv")
    summary["png"], summary["plot_error"] = plot(base, summary)
    with open(base + ".json", "w") as f:
        json.dump(summary, f, indent=1)
        f.write("\n")
    with open(base + ".md", "w") as f:
        f.write(markdown(summary))
    return summary


def _flags(args):
    """taskmesh's arguments without --listen and its (run-specific) address."""
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
        elif a == "--listen":
            skip = True
        else:
            out.append(a)
    return out


def markdown(s):
    """The soak's summary as a few markdown lines (for docs/benchmarks.md)."""
    def mib(b):
        return "-" if b is None else f"{b / 2**20:.1f} MiB"

    slope, err = s["rss_slope_b_per_min"], s["rss_slope_stderr_b_per_min"]
    verdict = {True: "flat", False: "**not flat**", None: "not judged"}[s["flat"]]
    lines = [
        f"Soak on {s['machine']['host']} ({s['machine']['nproc']} cores): "
        f"{s['offered_rate']:,.0f} tasks/s offered ({s['fraction']:g} x "
        + (f"{s['capacity_tasks_s']:,.0f} tasks/s measured capacity" if s["capacity_tasks_s"]
           else "a given rate")
        + f") for {s['duration_s']:g} s in {s['interval_s']:g} s windows, "
        f"taskmesh flags `{' '.join(_flags(s['taskmesh_args']))}`; "
        f"load average {'/'.join(f'{x:.2f}' for x in s['loadavg_start'])} at start, "
        f"{'/'.join(f'{x:.2f}' for x in s['loadavg_end'])} at end.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| accepted tasks/s, median window after warm-up | {s['median_rate'] or 0:,.0f} |",
        f"| p99 (open loop), median / worst window after warm-up | "
        f"{s['median_p99_ms']} ms / {s['max_p99_ms']} ms |",
        f"| RSS first / last window | {mib(s['rss_first_b'])} / {mib(s['rss_last_b'])} |",
        f"| warm-up (store full at {s['store_full_at_s']} s) | {s['warmup_s']:g} s |",
        f"| RSS slope after warm-up | "
        + ("-" if slope is None else f"{slope:+,.0f} B/min" + (f" (+/- {err:,.0f})" if err else ""))
        + f" over {s['samples_after_warmup']} samples; limit +/-{s['slope_limit_b_per_min'] or 0:,.0f}"
        f" B/min: {verdict} |",
        f"| errors | {s['errors']} |",
    ]
    lines += [f"\nNote: {n}" for n in s["notes"]]
    return "\n".join(lines) + "\n"


def _median(xs):
    xs = sorted(x for x in xs if x is not None)
    if not xs:
        return None
    mid = len(xs) // 2
    return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2


def plot(base, summary):
    """(png file name, None) or (None, why not)."""
    gnuplot = shutil.which("gnuplot")
    if gnuplot is None:
        return None, "gnuplot is not installed (apt-get install gnuplot-nox)"
    terms = subprocess.run([gnuplot, "-e", "set terminal"], capture_output=True, text=True)
    term = "pngcairo" if "pngcairo" in (terms.stdout + terms.stderr) else "png"
    title = (f"taskmesh embedded soak: {summary['offered_rate']:,.0f} tasks/s offered, "
             f"{summary['duration_s']:g} s, warm-up {summary['warmup_s']:g} s")
    variables = {
        "csv": f"'{base}.csv'", "png": f"'{base}.png'", "term": term,
        "title": "'" + title.replace("'", "") + "'",
        "target_rate": f"{summary['offered_rate']:.1f}", "warm_s": f"{summary['warmup_s']:.3f}",
        "slope_b_min": f"{summary['rss_slope_b_per_min'] or 0:.3f}",
        "icpt_b": f"{summary['rss_intercept_b'] or 0:.3f}",
    }
    setup = "; ".join(f"{k}={v}" for k, v in variables.items() if k != "term")
    setup = f"term='{term}'; {setup}"
    r = subprocess.run([gnuplot, "-e", setup, os.path.join(HERE, "plot.gp")],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        return None, f"gnuplot failed: {r.stderr[-500:]}"
    return os.path.basename(base + ".png"), None
