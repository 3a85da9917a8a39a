# File: bench/ceilings/bullmq_stack.py
# BullMQ as users would run it beside taskmesh: its own Valkey/redis-server
# (no persistence, cluster.Valkey), one web process (bullmq/web.mjs:
# POST /task adds a job, GET /stats counts finished ones) and one worker
# process (bullmq/worker.mjs, wordcount), all on free loopback ports and
# stopped by PID. The same loadgen drives it as taskmesh (bench/run, group
# bullmq_e2e), so the comparison is measured in one run with one client.
# Needs node and npm (installs bullmq into bench/ceilings/bullmq/node_modules
# on first use, from its package-lock.json).
import os
import shutil
import subprocess
import sys

from . import cluster, procs, resp

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bullmq")

# [first job added (ms), last job finished (ms), finished jobs] from BullMQ's
# own job hashes: read-only, one script call after the run.
JOB_TIMES_LUA = """
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
local first, last, n = nil, 0, 0
for _, id in ipairs(ids) do
  local v = redis.call('HMGET', ARGV[1] .. id, 'timestamp', 'finishedOn')
  local t, f = tonumber(v[1]), tonumber(v[2])
  if t and f then
    if not first or t < first then first = t end
    if f > last then last = f end
    n = n + 1
  end
end
return {tostring(first or 0), tostring(last), n}
"""


def unavailable():
    """Why the BullMQ stack cannot run here (None: it can)."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian: apt-get install nodejs npm)"
    if cluster.valkey_binary() is None:
        return "neither valkey-server nor redis-server is installed (apt-get install redis-server)"
    return None


def ensure_installed(log=print):
    if not os.path.isdir(os.path.join(HERE, "node_modules", "bullmq")):
        log("installing bullmq (npm ci in bench/ceilings/bullmq)")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True,
                       stdout=sys.stderr)


class Stack:
    """Valkey + web.mjs + worker.mjs; .url/.port (web), .pids (web, worker, valkey)."""

    names = ("web", "worker", "valkey")

    def __init__(self, group, workdir, concurrency=64):
        self.group = group
        self.valkey = cluster.Valkey(group, workdir)
        self.port = procs.free_port()
        self.web = group.start("bullmq-web", ["node", os.path.join(HERE, "web.mjs"),
                                              str(self.valkey.port), str(self.port)])
        procs.wait_http(self.web, self.port, "/health/ready", deadline_s=20)
        self.worker = group.start("bullmq-worker", ["node", os.path.join(HERE, "worker.mjs"),
                                                    str(self.valkey.port), str(concurrency)])
        self.url = f"http://{procs.HOST}:{self.port}"
        self.proc = self.web
        self.pids = [self.web.pid, self.worker.pid, self.valkey.proc.pid]

    def job_times(self):
        """(first add ms, last finish ms, finished jobs) from BullMQ's job hashes."""
        with resp.Client(self.valkey.port, timeout=60) as c:
            first, last, n = c.call("EVAL", JOB_TIMES_LUA, "1", "bull:bench:completed", "bull:bench:")
        return int(first), int(last), int(n)

    def stop(self):
        return {"web": self.group.stop(self.web, grace_s=10),
                "worker": self.group.stop(self.worker, grace_s=10),
                "valkey": self.valkey.stop()}
