# File: bench/ceilings/pinning.py
# bench/run --pin: the client side (this script, its latency probe thread and
# the loadgen, which inherit its CPU mask) on the last CPU this script may
# use, every server it starts (nginx, taskmesh, nats-server, Valkey, BullMQ's
# processes, the in-process benches) on the others. On a 2-core machine the
# loadgen otherwise competes with the server for both cores, and its own
# late sends and late reads dominate every p99 (docs/benchmarks.md); pinned,
# a latency figure is the server's. Servers then have one CPU fewer, so
# rates are lower: compare pinned runs only with pinned runs.
import os

_server_cpus = None
_client_cpus = None


def pin():
    """Splits this process's CPUs: the last for clients (this process from
    now on), the rest for servers. Returns (servers, clients)."""
    global _server_cpus, _client_cpus
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        raise RuntimeError(f"--pin needs at least 2 CPUs; this process may use {cpus}")
    _server_cpus, _client_cpus = set(cpus[:-1]), {cpus[-1]}
    os.sched_setaffinity(0, _client_cpus)
    return sorted(_server_cpus), sorted(_client_cpus)


def server_argv(argv):
    """argv of a server process: run through taskset on the server CPUs with
    --pin (taskset execs the command, so the PID stays the server's);
    unchanged without."""
    if not _server_cpus:
        return list(argv)
    return ["taskset", "-c", ",".join(str(c) for c in sorted(_server_cpus)), *argv]


def server_cpu_count():
    """The CPUs a server gets: all of this process's without --pin."""
    return len(_server_cpus) if _server_cpus else len(os.sched_getaffinity(0))


def describe():
    """{"servers": [...], "clients": [...]} with --pin, else None."""
    if not _server_cpus:
        return None
    return {"servers": sorted(_server_cpus), "clients": sorted(_client_cpus)}
