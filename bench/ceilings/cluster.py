# File: bench/ceilings/cluster.py
# Cluster mode for the bench: the external services and their ceilings.
#   NatsServer  nats-server -js, private store dir, free loopback port
#   Valkey      valkey-server (or redis-server 7), loopback, no persistence
#   Cluster     NatsServer + Valkey + one `taskmesh --role api` and one
#               `--role worker`, all ready (/health/ready on both pods)
#   jetstream_ceiling()  build/bench/ceilings/taskmesh-jetstream-ceiling
#               against a fresh nats-server: raw publish + fetch + ack
#   valkey_ceiling()     valkey-benchmark / redis-benchmark against a fresh
#               Valkey: SET and a record-write-shaped EVALSHA, pipelined
#   task_times()         submitted_at / finished_at of every record in the
#               cluster's Valkey (one read-only script after a run)
# Every process is started through the caller's procs.Procs group (stopped
# by PID at the end, also on Ctrl-C) and on a free 127.0.0.1 port. Each
# service is checked to be *ours* once it answers (nats: the server name we
# gave it; valkey: INFO's process_id), so a port taken in the race between
# free_port() and the bind is an error, not someone else's server measured.
import csv
import io
import json
import os
import resource
import shutil
import socket
import subprocess
import time

from . import procs, resp
from .topology import taskmesh_binary

_counter = [0]


def _which(*names, env=None):
    if env and os.environ.get(env) is not None:
        p = os.environ[env]
        return p if os.access(p, os.X_OK) else None
    for n in names:
        for cand in (shutil.which(n), f"/usr/sbin/{n}", f"/usr/bin/{n}"):
            if cand and os.access(cand, os.X_OK):
                return cand
    return None


def nats_binary():
    return _which("nats-server", env="TASKMESH_BENCH_NATS_SERVER")


def valkey_binary():
    return _which("valkey-server", "redis-server", env="TASKMESH_BENCH_VALKEY_SERVER")


def valkey_benchmark_binary():
    return _which("valkey-benchmark", "redis-benchmark", env="TASKMESH_BENCH_VALKEY_BENCHMARK")


def ceiling_binary(build_dir):
    return os.path.join(build_dir, "bench", "ceilings", "taskmesh-jetstream-ceiling")


def unavailable():
    """Why the cluster topology cannot run here (None: it can)."""
    if nats_binary() is None:
        return "nats-server is not installed (apt-get install nats-server)"
    if valkey_binary() is None:
        return "neither valkey-server nor redis-server is installed (apt-get install redis-server)"
    return None


def _name():
    _counter[0] += 1
    return f"taskmesh-bench-{os.getpid()}-{_counter[0]}"


def _wait_ours(proc, check, what, deadline_s=10.0):
    """Polls check() (True: the service answers and is ours) until the
    deadline; raises with the process's log if it exits or never answers."""
    end = time.monotonic() + deadline_s
    last = None
    while time.monotonic() < end:
        if not proc.alive():
            raise RuntimeError(f"{what} exited with {proc.popen.returncode}; log:\n{proc.log_tail()}")
        try:
            if check():
                if proc.alive():
                    return
        except (OSError, ValueError, resp.RespError) as e:
            last = e
        time.sleep(0.02)
    raise RuntimeError(f"{what} not ready after {deadline_s}s ({last}); log:\n{proc.log_tail()}")


def nats_gomaxprocs():
    """The Go scheduler's threads for nats-server: half the CPUs this script
    may use, at least one, unless GOMAXPROCS is set already. nats-server
    shares the machine with the taskmesh pods, Valkey and the loadgen, as it
    would share a node with a CPU limit in Kubernetes; Go (1.19 in Debian 12)
    sizes its scheduler by the CPUs it sees, not by its share. On 2 cores,
    GOMAXPROCS=1 took nats-server from 19.5 to 15 us of CPU per task
    (4 alternated closed-loop pairs, docs/benchmarks.md)."""
    if os.environ.get("GOMAXPROCS"):
        return os.environ["GOMAXPROCS"]
    return str(max(1, len(os.sched_getaffinity(0)) // 2))


# Go's garbage collector for nats-server: a heap goal of 5x the live heap
# instead of 2x (GOGC=400). nats-server's live heap here is 1-3 MB, so with
# Go's default it collected about 95 times per 60,000 tasks (some 40 times a
# second at full rate, each waking its mark workers); with 400, 15 times,
# for a peak RSS of 31 instead of 19 MiB. Closed loop, 11 of 11 alternated
# pairs faster (docs/benchmarks.md); docs/deploy.md gives it to the NATS pods.
NATS_GOGC = "400"


def nats_env():
    """The environment nats-server runs with here (a GOMAXPROCS or GOGC set
    already wins): the same settings docs/deploy.md gives the NATS pods."""
    return {"GOMAXPROCS": nats_gomaxprocs(), "GOGC": os.environ.get("GOGC") or NATS_GOGC}


class NatsServer:
    """nats-server -js on a free port, store in a fresh dir under workdir;
    `env` added to its environment (a GOMAXPROCS or GOGC there wins)."""

    def __init__(self, group, workdir, env=None):
        binary = nats_binary()
        if binary is None:
            raise FileNotFoundError("nats-server is not installed")
        self.group = group
        self.name = _name()
        self.store = os.path.join(workdir, self.name + "-js")
        os.makedirs(self.store)
        self.port = procs.free_port()
        self.proc = group.start("nats-server", [binary, "-js", "-a", procs.HOST, "-p", str(self.port),
                                                "-sd", self.store, "-n", self.name],
                                env={**nats_env(), **(env or {})})
        _wait_ours(self.proc, self._is_ours, f"nats-server on port {self.port}")
        self.url = f"nats://{procs.HOST}:{self.port}"

    def _is_ours(self):
        with socket.create_connection((procs.HOST, self.port), timeout=1.0) as s:
            line = s.makefile("rb").readline().decode()
        if not line.startswith("INFO "):
            return False
        info = json.loads(line[5:])
        if info.get("server_name") != self.name:
            raise RuntimeError(f"port {self.port} answers as nats server {info.get('server_name')!r}, "
                               "not the one just started")
        return bool(info.get("jetstream", True))

    def stop(self):
        code = self.group.stop(self.proc, grace_s=10)
        shutil.rmtree(self.store, ignore_errors=True)
        return code


class Valkey:
    """valkey-server / redis-server on a free port: no RDB, no AOF,
    noeviction (as docs/cluster.md asks); `env` added to its environment."""

    def __init__(self, group, workdir, env=None):
        binary = valkey_binary()
        if binary is None:
            raise FileNotFoundError("neither valkey-server nor redis-server is installed")
        self.group = group
        self.dir = os.path.join(workdir, _name() + "-valkey")
        os.makedirs(self.dir)
        self.port = procs.free_port()
        self.proc = group.start("valkey", [binary, "--bind", procs.HOST, "--port", str(self.port),
                                           "--save", "", "--appendonly", "no", "--protected-mode", "no",
                                           "--dir", self.dir, "--maxmemory-policy", "noeviction",
                                           "--logfile", ""], env=env)
        _wait_ours(self.proc, self._is_ours, f"{os.path.basename(binary)} on port {self.port}")
        self.url = f"redis://{procs.HOST}:{self.port}"
        info = resp.info(self.port)
        self.version = info.get("valkey_version") or info.get("redis_version")

    def _is_ours(self):
        pid = resp.info(self.port).get("process_id", "").strip()
        if pid != str(self.proc.pid):
            raise RuntimeError(f"port {self.port} answers as valkey pid {pid}, not {self.proc.pid}")
        return True

    def stop(self):
        code = self.group.stop(self.proc, grace_s=10)
        shutil.rmtree(self.dir, ignore_errors=True)
        return code


class Cluster:
    """nats-server + Valkey + `taskmesh --role api` + `--role worker`, ready.
    .url/.port/.proc are the API pod's (what loadgen and the probe talk to);
    .pids are every process whose CPU counts toward a task."""

    def __init__(self, group, build_dir, workdir, api_args=(), worker_args=(), env=None,
                 ready_timeout_s=30.0):
        binary = taskmesh_binary(build_dir)
        if not os.access(binary, os.X_OK):
            raise FileNotFoundError(f"{binary} is not built")
        self.group = group
        self.nats = self.valkey = self.proc = self.worker = None
        try:
            self.nats = NatsServer(group, workdir, env)
            self.valkey = Valkey(group, workdir, env)
            common = ["--nats", self.nats.url, "--valkey", self.valkey.url, "--log-level", "warn",
                      "--log-format", "text", "--drain-timeout", "2000ms"]
            self.port, self.worker_port = procs.free_port(), procs.free_port()
            self.api_args = ["--role", "api", "--listen", f"{procs.HOST}:{self.port}", *common,
                             *api_args]
            self.worker_args = ["--role", "worker", "--listen", f"{procs.HOST}:{self.worker_port}",
                                *common, *worker_args]
            self.proc = group.start("taskmesh-api", [binary, *self.api_args], env=env)
            self.worker = group.start("taskmesh-worker", [binary, *self.worker_args], env=env)
            for p, port in ((self.proc, self.port), (self.worker, self.worker_port)):
                procs.wait_http(p, port, "/health/ready", deadline_s=ready_timeout_s)
            time.sleep(0.05)
            for p in (self.proc, self.worker):
                if not p.alive():
                    raise RuntimeError(f"{p.name} exited with {p.popen.returncode} right after "
                                       f"its port answered (port taken?); log:\n{p.log_tail()}")
        except BaseException:
            self.stop()
            raise
        self.url = f"http://{procs.HOST}:{self.port}"
        self.pids = [self.proc.pid, self.worker.pid, self.nats.proc.pid, self.valkey.proc.pid]

    def stop(self):
        """Stops API, worker (SIGTERM: they drain and exit 0), then NATS and
        Valkey; returns {name: exit status}."""
        codes = {}
        for name, p in (("taskmesh-api", self.proc), ("taskmesh-worker", self.worker)):
            if p is not None:
                codes[name] = self.group.stop(p, grace_s=15)
        for name, s in (("nats-server", self.nats), ("valkey", self.valkey)):
            if s is not None:
                codes[name] = s.stop()
        self.proc = self.worker = self.nats = self.valkey = None
        return codes


# One pass over the record keys: every record's submitted_at, started_at,
# finished_at (decimal microseconds since the epoch), status and id, from the
# header of its value (transport/valkey/record_codec.hpp: status|attempts|
# next_attempt_at|started_at|finished_at|submitted_at|...). SCAN is fine
# after a run (taskmesh itself never lists keys); it may return a key twice,
# hence `seen`.
TASK_TIMES_LUA = """
local out, seen, cursor = {}, {}, '0'
repeat
  local page = redis.call('SCAN', cursor, 'MATCH', ARGV[1] .. ':task:*', 'COUNT', 10000)
  cursor = page[1]
  for _, key in ipairs(page[2]) do
    if not seen[key] then
      seen[key] = true
      local v = redis.call('GET', key) or ''
      local st, _, _, sa, fa, sub = string.match(v, '^(%a+)|(%d+)|(%d+)|(%d+)|(%d+)|(%d+)|')
      out[#out + 1] = (sub or '0') .. ' ' .. (sa or '0') .. ' ' .. (fa or '0') .. ' ' .. (st or '')
                      .. ' ' .. string.sub(key, #ARGV[1] + 7)
    end
  end
until cursor == '0'
return out
"""


def _task_rows(valkey_port, prefix):
    """(submitted_at, started_at, finished_at, status, id) of every record."""
    with resp.Client(valkey_port, timeout=60) as c:
        rows = c.call("EVAL", TASK_TIMES_LUA, "0", prefix)
    for r in rows:
        s, st, f, status, task_id = (r.decode().split(" ") + ["", "", "", ""])[:5]
        yield int(s or 0), int(st or 0), int(f or 0), status, task_id


def task_timelines(valkey_port, prefix="taskmesh"):
    """[(submitted_at_us, started_at_us or 0, finished_at_us or 0, status)] of every record."""
    return [row[:4] for row in _task_rows(valkey_port, prefix)]


def accepted_latencies(valkey_port, due_ms, prefix="taskmesh", settle_s=10.0):
    """Submit -> finish of the tasks in `due_ms` ({id: due (intended send)
    time, epoch ms}, probe.accepted_due_ms): finished_at minus the due time,
    in ms. Waits up to settle_s for them to finish; a task still unfinished
    then is charged the time from its due time to that moment (a lower bound
    on its latency, at least settle_s). Returns (latencies_ms, unfinished,
    rows): rows is the last read of every record, as task_times gives it, so
    a caller needs no second pass over the keys."""
    end = time.monotonic() + settle_s
    while True:
        rows = list(_task_rows(valkey_port, prefix))
        finished = {task_id: fin / 1000.0 for _, _, fin, _, task_id in rows
                    if fin and task_id in due_ms}
        if len(finished) == len(due_ms) or time.monotonic() >= end:
            break
        time.sleep(0.2)  # tasks still running: poll again (bounded by settle_s)
    gave_up_ms = time.time() * 1000.0
    return ([finished.get(task_id, gave_up_ms) - due for task_id, due in due_ms.items()],
            len(due_ms) - len(finished), [(s, f, status) for s, _, f, status, _ in rows])


def task_times(valkey_port, prefix="taskmesh"):
    """[(submitted_at_us, finished_at_us or 0, status)] of every record."""
    return [(s, f, status) for s, _, f, status in task_timelines(valkey_port, prefix)]


def _cpu(pids):
    xs = [procs.cpu_seconds(p) for p in pids]
    return None if any(x is None for x in xs) else sum(xs)


def jetstream_ceiling(group, workdir, build_dir, args, bound_s=180):
    """One taskmesh-jetstream-ceiling run (argv `args` beyond --nats) against
    a fresh nats-server; its JSON plus the CPU that nats-server and the
    client used, per message (server_cpu_us_per_task)."""
    binary = ceiling_binary(build_dir)
    if not os.access(binary, os.X_OK):
        raise FileNotFoundError(f"{binary} is not built (cmake --build build --target "
                                "taskmesh-jetstream-ceiling)")
    ns = NatsServer(group, workdir)
    try:
        argv = [binary, "--nats", ns.url, *[str(a) for a in args]]
        cpu0, ru0, t0 = _cpu([ns.proc.pid]), resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            out, err = p.communicate(timeout=bound_s)
        except BaseException:
            p.kill()
            p.wait()
            raise
        wall = time.monotonic() - t0
        cpu1, ru1 = _cpu([ns.proc.pid]), resource.getrusage(resource.RUSAGE_CHILDREN)
        if p.returncode != 0:
            raise RuntimeError(f"taskmesh-jetstream-ceiling exited {p.returncode}: {err[-1500:]}")
        r = json.loads(out)
        client = (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)
        r["argv"] = argv[1:]
        r["nats_server_cores"] = (cpu1 - cpu0) / wall if cpu0 is not None and cpu1 is not None else None
        r["client_cores"] = client / wall
        if cpu0 is not None and cpu1 is not None and r.get("received"):
            r["server_cpu_us_per_task"] = ((cpu1 - cpu0) + client) / r["received"] * 1e6
        return r
    finally:
        ns.stop()


# One task record write, shaped like one task's share of taskmesh's update
# script (transport/valkey/scripts.cpp): read the stored value, SET the new
# one (header and body, record_codec.hpp) with its expiry, two counters.
# (Until 2026-12-07 a record was a HASH: HMGET, HSET of 13 fields, PEXPIRE;
# before that also a ZADD to a records set.)
RECORD_WRITE_LUA = """
local id = ARGV[1]
local key = 'bench:task:' .. id
local cur = redis.call('GET', key)
redis.call('SET', key, 'succeeded|1|0|1795000000001000|1795000000002000|1795000000000000|1|1|' ..
  '9:wordcount0:0:0:22:{"words":12,"lines":1}0:0:0:0:', 'PX', 86400000)
redis.call('INCRBY', 'bench:count:succeeded', 1)
redis.call('INCRBY', 'bench:count:type:wordcount:succeeded', 1)
return 1
"""


def _benchmark_csv(argv, bound_s):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=bound_s)
    if r.returncode != 0:
        raise RuntimeError(f"{os.path.basename(argv[0])} exited {r.returncode}: {r.stderr[-500:]}")
    rows = [row for row in csv.reader(io.StringIO(r.stdout)) if len(row) >= 2]
    data = [row for row in rows if row[0] != "test"]
    if not data:
        raise RuntimeError(f"no CSV rows in {os.path.basename(argv[0])} output: {r.stdout[-300:]!r}")
    header = rows[0] if rows[0][0] == "test" else ["test", "rps"]
    d = dict(zip(header, data[-1]))
    out = {"test": d.get("test"), "rps": float(d["rps"])}
    for k in ("avg_latency_ms", "p50_latency_ms", "p99_latency_ms", "max_latency_ms"):
        if k in d:
            out[k] = float(d[k])
    return out


def valkey_ceiling(group, workdir, requests, pipeline=64, clients=8, data_bytes=200, bound_s=120):
    """SET and record-write EVALSHA rates from valkey-/redis-benchmark
    against a fresh Valkey; {"set": {...}, "evalsha": {...}, ...}."""
    bench = valkey_benchmark_binary()
    if bench is None:
        raise FileNotFoundError("neither valkey-benchmark nor redis-benchmark is installed")
    v = Valkey(group, workdir)
    try:
        base = [bench, "-h", procs.HOST, "-p", str(v.port), "-c", str(clients), "-P", str(pipeline),
                "-r", "1000000", "-q", "--csv"]
        cpu0, t0 = _cpu([v.proc.pid]), time.monotonic()
        s = _benchmark_csv(base + ["-n", str(requests), "-d", str(data_bytes), "-t", "set"], bound_s)
        cpu_set = _cpu([v.proc.pid])
        s["server_cpu_us_per_op"] = (cpu_set - cpu0) / requests * 1e6 if cpu0 is not None else None
        with resp.Client(v.port) as c:
            sha = c.call("SCRIPT", "LOAD", RECORD_WRITE_LUA).decode()
        n_eval = max(1000, requests // 2)
        e = _benchmark_csv(base + ["-n", str(n_eval), "EVALSHA", sha, "0", "__rand_int__"], bound_s)
        cpu_end = _cpu([v.proc.pid])
        e["server_cpu_us_per_op"] = (cpu_end - cpu_set) / n_eval * 1e6 if cpu_set is not None else None
        return {"set": s, "evalsha": e, "requests_set": requests, "requests_evalsha": n_eval,
                "pipeline": pipeline, "clients": clients, "set_bytes": data_bytes,
                "server": os.path.basename(valkey_binary()), "version": v.version,
                "benchmark": os.path.basename(bench), "wall_s": time.monotonic() - t0}
    finally:
        v.stop()


def versions():
    """Versions of the external services the cluster runs measure."""
    out = {}
    for name, binary in (("nats-server", nats_binary()), ("valkey", valkey_binary()),
                         ("benchmark", valkey_benchmark_binary())):
        if binary is None:
            out[name] = None
            continue
        try:
            r = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10)
            out[name] = (r.stdout or r.stderr).strip().splitlines()[0] if (r.stdout or r.stderr) else None
        except (OSError, subprocess.SubprocessError):
            out[name] = None
    return out
