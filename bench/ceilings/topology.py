# File: bench/ceilings/topology.py
# The taskmesh topologies a bench run can start:
#   embedded  one process (build/apps/taskmesh/taskmesh, default flags)
#   cluster   nats-server -js + Valkey + `--role api` + `--role worker`
#             (bench/ceilings/cluster.py); needs nats-server and
#             valkey-server or redis-server installed
# Each start returns an object with .url, .port and .proc (the PID whose RSS
# the soak samples; in a cluster the API pod) and .pids (every PID whose CPU
# counts toward a task); the Procs group stops it (SIGTERM: taskmesh drains
# and exits 0). Cluster objects also have .stop() (API, worker, NATS, Valkey
# in that order, returning the exit statuses).
import os

from . import procs


def taskmesh_binary(build_dir):
    return os.path.join(build_dir, "apps", "taskmesh", "taskmesh")


def unavailable(name):
    """Why topology `name` cannot run here (None: it can)."""
    if name == "embedded":
        return None
    if name == "cluster":
        from . import cluster
        return cluster.unavailable()
    return f"unknown topology {name!r} (known: embedded, cluster)"


class Embedded:
    """build/apps/taskmesh/taskmesh on a free loopback port, ready."""

    def __init__(self, group, build_dir, extra_args=(), ready_timeout_s=20.0, env=None):
        binary = taskmesh_binary(build_dir)
        if not os.access(binary, os.X_OK):
            raise FileNotFoundError(f"{binary} is not built")
        self.port = procs.free_port()
        self.args = ["--listen", f"{procs.HOST}:{self.port}", "--log-level", "warn",
                     "--log-format", "text", "--drain-timeout", "2000ms", *extra_args]
        self.proc = group.start("taskmesh", [binary, *self.args], env=env)
        procs.wait_http(self.proc, self.port, "/health/ready", deadline_s=ready_timeout_s)
        self.url = f"http://{procs.HOST}:{self.port}"
        self.pids = [self.proc.pid]


def start(name, group, build_dir, extra_args=(), workdir=None):
    reason = unavailable(name)
    if reason is not None:
        raise NotImplementedError(reason)
    if name == "cluster":
        from . import cluster
        return cluster.Cluster(group, build_dir, workdir, api_args=extra_args, worker_args=extra_args)
    return Embedded(group, build_dir, extra_args)
