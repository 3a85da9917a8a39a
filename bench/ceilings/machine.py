# File: bench/ceilings/machine.py
# What a result file records about where and on what it was measured:
# host, cores, CPU model, kernel, memory, load averages, git commit. Read-only
# (git is only asked, never changed).
import os
import platform
import socket
import subprocess


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return [float(x) for x in f.read().split()[:3]]
    except OSError:
        return None


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def mem_total_bytes():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def info():
    return {
        "host": socket.gethostname(),
        "nproc": os.cpu_count(),
        "cpu_model": cpu_model(),
        "kernel": platform.release(),
        "mem_total_bytes": mem_total_bytes(),
        "python": platform.python_version(),
    }


def git(repo):
    def ask(*args):
        try:
            r = subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True,
                               timeout=10)
            return r.stdout.strip() if r.returncode == 0 else None
        except (OSError, subprocess.TimeoutExpired):
            return None

    status = ask("status", "--porcelain", "--untracked-files=no")
    return {"commit": ask("rev-parse", "HEAD"),
            "dirty": None if status is None else bool(status)}
