# File: bench/ceilings/loadgen.py
# Runs build/bench/loadgen/taskmesh-loadgen with --json and returns its
# report as a dict. The same function drives taskmesh and the nginx ceiling,
# so both see identical request bytes, connections and threads. Each run has
# a wall-clock bound; the loadgen is killed if it is exceeded, and on Ctrl-C.
# With server_pid, the server's CPU use over the measured window (warm-up
# excluded) is added as report["_cpu"]: on a machine where loadgen and
# server share two cores, CPU per request moves far less than requests/s.
# server_pid may be a list (a cluster: API, worker, NATS, Valkey): the sum.
import json
import os
import resource
import subprocess
import threading
import time

from . import procs


def binary(build_dir):
    return os.path.join(build_dir, "bench", "loadgen", "taskmesh-loadgen")


def secs(x):
    """A loadgen DURATION argument for x seconds (millisecond precision)."""
    return f"{max(1, int(round(x * 1000)))}ms"


def run(build_dir, url, mode, target="task", connections=64, threads=1, duration_s=None,
        warmup_s=0.0, rate=None, batch=None, tasks=None, requests=None, op="wordcount",
        payload_bytes=100, extra=(), bound_s=None, server_pid=None, on_mark=None, wrapper=()):
    """One loadgen run; its JSON report with "_cpu" (the loadgen's cores, and
    the server's over the measured window when server_pid is given).
    on_mark(tag), if given, is called at "measured" (the warm-up's end) and
    at "end", so a caller can take its own samples over the same window.
    requests: a count-based run (-n) instead of a duration. wrapper: a
    command the loadgen runs under (e.g. perf stat ... --), which must pass
    the loadgen's stdout through."""
    argv = [*wrapper, binary(build_dir), "--url", url, "--mode", mode, "--target", target,
            "-c", str(connections), "-t", str(threads), "--op", op,
            "--payload-bytes", str(payload_bytes), "--json"]
    if duration_s is not None:
        argv += ["-d", secs(duration_s)]
    if warmup_s:
        argv += ["--warmup", secs(warmup_s)]
    if rate is not None:
        argv += ["--rate", f"{rate:.1f}"]
    if batch is not None:
        argv += ["--batch", str(batch)]
    if tasks is not None:
        argv += ["--tasks", str(tasks)]
    if requests is not None:
        argv += ["-n", str(requests)]
    argv += list(extra)
    if bound_s is None:
        bound_s = (duration_s or 0) + warmup_s + (1800 if requests is not None else 60)
    marks = {}

    pids = server_pid if isinstance(server_pid, (list, tuple)) else [server_pid] if server_pid else []

    def mark(tag):
        cpu = [procs.cpu_seconds(p) for p in pids]
        marks[tag] = (time.monotonic(), sum(cpu) if pids and None not in cpu else None)
        if on_mark:
            on_mark(tag)

    self_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    timer = threading.Timer(warmup_s, mark, ("measured",))
    timer.daemon = True
    timer.start()
    try:
        out, err = p.communicate(timeout=bound_s)
    except BaseException:
        p.kill()
        p.wait()
        raise
    finally:
        timer.cancel()
    mark("end")
    wall = time.monotonic() - began
    if p.returncode != 0:
        raise RuntimeError(f"loadgen exited {p.returncode}: {' '.join(argv)}\n{err[-2000:]}")
    try:
        report = json.loads(out)
    except json.JSONDecodeError as e:
        raise RuntimeError(f"loadgen printed no JSON ({e}): {out[-500:]}") from e
    report["_argv"] = argv[len(wrapper) + 1:]
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = {"loadgen_cores": ((after.ru_utime + after.ru_stime) -
                             (self_before.ru_utime + self_before.ru_stime)) / wall}
    if server_pid and "measured" in marks and marks["end"][1] is not None \
            and marks["measured"][1] is not None:
        span = marks["end"][0] - marks["measured"][0]
        if span > 0:
            cpu["server_cores"] = (marks["end"][1] - marks["measured"][1]) / span
    report["_cpu"] = cpu
    return report


def summary(report):
    """The fields a bench report keeps from one loadgen run."""
    lat = report.get("latency_us", {})
    out = {
        "rate": report.get("rate"), "ok_rate": report.get("ok_rate"),
        "tasks_rate": report.get("tasks_rate"), "duration_s": report.get("duration_s"),
        "p50_us": lat.get("p50"), "p99_us": lat.get("p99"), "p99_9_us": lat.get("p99_9"),
        "max_us": lat.get("max"), "status": report.get("status"),
        "errors": report.get("errors", {}).get("total"),
    }
    if "send_lag_us" in report:
        out["send_lag_p99_us"] = report["send_lag_us"].get("p99")
    cpu = report.get("_cpu", {})
    out["loadgen_cores"] = cpu.get("loadgen_cores")
    if cpu.get("server_cores") is not None:
        out["server_cores"] = cpu["server_cores"]
        per = report.get("tasks_rate") or report.get("rate")
        if per:
            out["server_cpu_us_per_task"] = cpu["server_cores"] / per * 1e6
    return out
