# File: bench/ceilings/topology.py
# The taskmesh topologies a bench run can start. Embedded (one process) is the
# only one that exists; cluster is listed so reports say so instead of staying
# silent. Each start returns an object with .url, .port and .proc (the PID
# whose RSS the soak samples); the Procs group stops it (SIGTERM: taskmesh
# drains and exits 0).
import os

from . import procs

TOPOLOGIES = {
    "embedded": None,  # available
    "cluster": "not yet available: taskmesh has no cluster mode yet (next step)",
}


def taskmesh_binary(build_dir):
    return os.path.join(build_dir, "apps", "taskmesh", "taskmesh")


class Embedded:
    """build/apps/taskmesh/taskmesh on a free loopback port, ready."""

    def __init__(self, group, build_dir, extra_args=(), ready_timeout_s=20.0):
        binary = taskmesh_binary(build_dir)
        if not os.access(binary, os.X_OK):
            raise FileNotFoundError(f"{binary} is not built")
        self.port = procs.free_port()
        self.args = ["--listen", f"{procs.HOST}:{self.port}", "--log-level", "warn",
                     "--log-format", "text", "--drain-timeout", "2000ms", *extra_args]
        self.proc = group.start("taskmesh", [binary, *self.args])
        procs.wait_http(self.proc, self.port, "/health/ready", deadline_s=ready_timeout_s)
        self.url = f"http://{procs.HOST}:{self.port}"


def start(name, group, build_dir, extra_args=()):
    reason = TOPOLOGIES.get(name, f"unknown topology {name!r}")
    if reason is not None:
        raise NotImplementedError(reason)
    return Embedded(group, build_dir, extra_args)
