# File: bench/ceilings/nginx.py
# Starts the ceiling server (nginx with nginx.conf.in) on a free loopback port
# in a private prefix directory, waits until it answers, and leaves stopping
# to the Procs group that started it (SIGTERM: nginx's fast shutdown, the
# master stops its workers; Procs falls back to SIGKILL by PID).
import os
import shutil
import signal

from . import procs

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE = os.path.join(HERE, "nginx.conf.in")


def binary():
    """Path of the nginx binary, or None when it is not installed.
    TASKMESH_BENCH_NGINX names another binary (a missing path: no nginx)."""
    override = os.environ.get("TASKMESH_BENCH_NGINX")
    if override is not None:
        return override if os.access(override, os.X_OK) else None
    for cand in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if cand and os.access(cand, os.X_OK):
            return cand
    return None


def batch_body(n):
    """The JSON taskmesh answers to POST /tasks with n tasks (fixed ids)."""
    ids = ",".join(f'"01a2011d-2a86-7ed7-8584-{i:012d}"' for i in range(n))
    return '{"ids":[' + ids + ']}'


def render_config(prefix, port, workers, batch):
    with open(TEMPLATE) as f:
        text = f.read()
    for key, value in {"PREFIX": prefix, "PORT": str(port), "WORKERS": str(workers),
                       "BATCH": str(batch), "BATCH_BODY": batch_body(batch)}.items():
        text = text.replace(f"@{key}@", value)
    return text


class Ceiling:
    """A running nginx: .port, .proc."""

    def __init__(self, group, workdir, workers, batch=100):
        nginx = binary()
        if nginx is None:
            raise FileNotFoundError("nginx is not installed (apt-get install nginx)")
        prefix = os.path.join(workdir, "nginx")
        os.makedirs(prefix, exist_ok=True)
        self.port = procs.free_port()
        conf = os.path.join(prefix, "nginx.conf")
        with open(conf, "w") as f:
            f.write(render_config(prefix, self.port, workers, batch))
        self.proc = group.start("nginx", [nginx, "-p", prefix, "-c", conf,
                                          "-e", os.path.join(prefix, "error.log")],
                                stop_signal=signal.SIGTERM)
        procs.wait_http(self.proc, self.port, "/", want=202)
        self.url = f"http://{procs.HOST}:{self.port}"
