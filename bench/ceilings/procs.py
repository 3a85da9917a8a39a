# File: bench/ceilings/procs.py
# The processes a bench script starts (taskmesh, nginx) and how they end:
# every one is registered with a Procs group, which stops each by its own PID
# (SIGTERM, then SIGKILL after a grace period) when the `with` block exits,
# also on Ctrl-C or an exception. Only 127.0.0.1 is ever used.
import http.client
import os
import signal
import socket
import subprocess
import time

from . import pinning

HOST = "127.0.0.1"


_handed_out = set()


def free_port(count=1):
    """A loopback TCP port nobody listens on right now (the kernel picks it),
    never one this process was given before: the probe socket is closed again
    before its server binds the port, so the kernel may offer it twice (a
    doc-commands test once gave two servers the same port that way). With
    count > 1, the first of `count` consecutive such ports (a server that
    listens on PORT, PORT+1, ...)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((HOST, 0))
            port = s.getsockname()[1]
        run = range(port, port + count)
        if _handed_out.isdisjoint(run) and all(_bindable(p) for p in run[1:]):
            _handed_out.update(run)
            return port


def _bindable(port):
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((HOST, port))
        return True
    except OSError:
        return False


def http_get(port, path, timeout=2.0):
    """(status, body) of GET path on 127.0.0.1:port, or (None, error text)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, r.read()
    except OSError as e:
        return None, str(e)
    finally:
        conn.close()


class Proc:
    """One started process: its Popen, a name for messages, its log file."""

    def __init__(self, name, popen, log_path):
        self.name = name
        self.popen = popen
        self.pid = popen.pid
        self.log_path = log_path

    def alive(self):
        return self.popen.poll() is None

    def log_tail(self, n=2000):
        try:
            with open(self.log_path, "rb") as f:
                data = f.read()
            return data[-n:].decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self, sig=signal.SIGTERM, grace_s=10.0):
        """Signals this PID and waits; SIGKILL (this PID, then its own process
        group, which it leads since it was started in a new session) if it
        outlives the grace period. Returns the exit status."""
        if self.popen.poll() is None:
            try:
                os.kill(self.pid, sig)
                return self.popen.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                for kill in (lambda: os.kill(self.pid, signal.SIGKILL),
                             lambda: os.killpg(self.pid, signal.SIGKILL)):
                    try:
                        kill()
                    except OSError:
                        pass
            except OSError:
                pass
        try:
            return self.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return None


class Procs:
    """Context manager owning the processes started inside it."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.procs = []

    def start(self, name, argv, stop_signal=signal.SIGTERM, env=None):
        """`env`: variables added to this process's environment."""
        log_path = os.path.join(self.workdir, f"{name}-{len(self.procs)}.log")
        log = open(log_path, "wb")
        try:
            # A new session: Ctrl-C in the terminal reaches only the script,
            # whose finally-blocks then stop each child by PID.
            popen = subprocess.Popen(pinning.server_argv(argv), stdout=log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True,
                                     env={**os.environ, **env} if env else None)
        finally:
            log.close()
        p = Proc(name, popen, log_path)
        p.stop_signal = stop_signal
        self.procs.append(p)
        return p

    def stop(self, p, grace_s=10.0):
        code = p.stop(p.stop_signal, grace_s)
        if p in self.procs:
            self.procs.remove(p)
        return code

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for p in reversed(list(self.procs)):
            self.stop(p)
        return False


def wait_http(proc, port, path, deadline_s=15.0, want=200):
    """Polls GET path until it answers `want`; raises if the process exits or
    the deadline passes (the error carries the end of the process's log)."""
    end = time.monotonic() + deadline_s
    last = None
    while time.monotonic() < end:
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited with {proc.popen.returncode} before it "
                               f"was ready; log:\n{proc.log_tail()}")
        status, body = http_get(port, path, timeout=1.0)
        if status == want:
            return
        last = (status, body)
        time.sleep(0.05)
    raise RuntimeError(f"{proc.name} not ready on port {port} after {deadline_s}s "
                       f"(last answer {last}); log:\n{proc.log_tail()}")


def rss_bytes(pid):
    """VmRSS of a PID from /proc/PID/status, in bytes (None once it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _stat_fields(pid):
    """Fields of /proc/PID/stat after the command name (field 3 onwards)."""
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def children(pid):
    """The PIDs of a process's direct children (nginx's workers)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if _stat_fields(entry)[1] == str(pid):
                out.append(int(entry))
        except OSError:
            continue
    return out


def cpu_seconds(pid):
    """User+system CPU of a PID and its direct child processes (nginx's
    workers), in seconds; None once the PID is gone."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in [pid, *children(pid)]:
        try:
            fields = _stat_fields(p)
        except OSError:
            if p == pid:
                return None
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def thread_times(pid):
    """{thread name: [on-CPU s, run-queue wait s, threads, time slices]}
    summed over a PID's threads, from /proc/PID/task/*/schedstat (the kernel's
    own per-thread accounting: the second field is time spent runnable but
    waiting for a core, the third how often a thread was switched in, so
    every wake-up counts one). Threads that ended before the call are not
    counted."""
    out = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                on_cpu, waited, slices = (int(x) for x in f.read().split()[:3])
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
        except (OSError, ValueError):
            continue
        row = out.setdefault(name, [0.0, 0.0, 0, 0])
        row[0] += on_cpu / 1e9
        row[1] += waited / 1e9
        row[2] += 1
        row[3] += slices
    return out


def thread_deltas(before, after):
    """{thread name: (on-CPU s, run-queue wait s, time slices)} spent between
    two thread_times() samples of one process (a name new in `after` counts
    from zero)."""
    out = {}
    for name, row in after.items():
        b = before.get(name, (0.0, 0.0, 0, 0))
        out[name] = (row[0] - b[0], row[1] - b[1], row[3] - b[3])
    return out


def interrupt_on_signals():
    """SIGTERM and SIGHUP raise KeyboardInterrupt like Ctrl-C does, so the
    `with Procs(...)` blocks stop what they started; SIGINT gets Python's
    handler back if the launching shell had set it to ignored."""
    def raise_interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, raise_interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)
