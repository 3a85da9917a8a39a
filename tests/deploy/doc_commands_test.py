#!/usr/bin/env python3
"""Every command in a ```sh block of README.md and docs/*.md is run, here or
by CI, or, where it needs an AWS account or a Kubernetes cluster, checked
offline as far as that goes. A command no rule below knows fails the test:
a new command in the docs needs a rule here.

Servers started by doc commands get free loopback ports in place of the ones
the docs show (8080, 4222, 6379, ...), run in their own session, and are
stopped by PID (SIGINT for `make` targets, like Ctrl-C; SIGTERM otherwise)
and must then exit 0.

usage: doc_commands_test.py TASKMESH_BINARY BUILD_DIR"""
import json
import os
import pathlib
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

root = pathlib.Path(__file__).resolve().parents[2]
binary, build_dir = sys.argv[1], pathlib.Path(sys.argv[2]).resolve()
k8s_check = root.parent / "shared/tools/k8s-check"


def build_type():
    cache = (build_dir / "CMakeCache.txt").read_text()
    m = re.search(r"^CMAKE_BUILD_TYPE:\w+=(.*)$", cache, re.M)
    return m.group(1) if m and m.group(1) else "Release"


# make variables that keep `make run*` on the build under test (configure
# and build are then no-ops) instead of configuring ./build afresh.
MAKE_VARS = [f"BUILD_DIR={build_dir}", f"BUILD_TYPE={build_type()}"]


sys.path.insert(0, str(root / "bench"))
sys.dont_write_bytecode = True  # keep the source tree clean
from ceilings.procs import free_port  # noqa: E402  (never the same port twice)


def http(method, port, path, body=None, timeout=5):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, data=body,
                                 headers={"Content-Type": "application/json"} if body else {})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, r.read().decode()


def wait_until(what, pred, timeout=60.0):
    """Polls pred (a condition with a deadline, never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if pred():
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.05)


def ready(port):
    return lambda: http("GET", port, "/health/ready")[0] == 200


def run_task(port):
    """Submits a wordcount and waits for its result: the whole path works."""
    status, body = http("POST", port, "/task", b'{"type":"wordcount","payload":"doc commands run"}')
    assert status == 202, f"POST /task answered {status}: {body}"
    task = json.loads(body)["id"]
    wait_until(f"task {task} succeeded",
               lambda: json.loads(http("GET", port, f"/task/{task}")[1])["status"] == "succeeded")


class Proc:
    """A child in its own session; output collected for failure messages."""

    def __init__(self, argv, env=None, cwd=root):
        self.argv = argv
        self.p = subprocess.Popen(argv, cwd=cwd, env={**os.environ, **(env or {})},
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  start_new_session=True)
        self.lines = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.p.stdout:
            self.lines.append(line.rstrip("\n"))

    def output(self):
        return "\n".join(self.lines[-40:])

    def stop(self, sig):
        """Signals the child's process group (make and its children, like a
        terminal's Ctrl-C) or the child alone; returns its exit status."""
        if self.p.poll() is None:
            if sig == signal.SIGINT:
                os.killpg(self.p.pid, sig)
            else:
                self.p.send_signal(sig)
        try:
            return self.p.wait(timeout=60)
        finally:
            if self.p.poll() is None:
                self.p.kill()
                self.p.wait()
            self.reader.join(timeout=5)


class PortMap:
    """The docs' ports -> free ones, the same doc port always the same free one."""

    def __init__(self):
        self.ports = {}

    def __call__(self, port):
        return self.ports.setdefault(str(port), free_port())

    def sub(self, text):
        return re.sub(r"(?<=:)(\d{4,5})\b", lambda m: str(self(m.group(1))), text)


def check_stopped(proc, sig, clean_line=None):
    """Stops proc and checks it ended cleanly: exit 0, or, for `make` after a
    Ctrl-C (make re-raises SIGINT once its child is done), the child's own
    clean-stop line in the output."""
    code = proc.stop(sig)
    if clean_line and code in (-signal.SIGINT, 130, 2):
        assert any(clean_line in l for l in proc.lines), \
            f"no '{clean_line}' after {sig.name}:\n{proc.output()}"
        return
    assert code == 0, f"{' '.join(proc.argv)} exited {code} after {sig.name}:\n{proc.output()}"


# --- rules ----------------------------------------------------------------

def run_make_run(tokens):
    """make run [ARGS=...]: with LISTEN= a free port instead of 0.0.0.0:8080."""
    port = free_port()
    proc = Proc(["make", *tokens[1:], *MAKE_VARS, f"LISTEN=127.0.0.1:{port}"])
    try:
        wait_until("make run ready", lambda: proc.p.poll() is not None or ready(port)(), timeout=120)
        assert proc.p.poll() is None, f"make run exited {proc.p.returncode} before serving"
        run_task(port)
    except AssertionError as e:
        proc.stop(signal.SIGKILL)
        raise AssertionError(f"{e}\n{proc.output()}")
    check_stopped(proc, signal.SIGINT, "stopped (all accepted tasks finished)")


def run_make_run_cluster(tokens):
    """make run-cluster [ARGS=...]: all five processes come up, a task runs,
    Ctrl-C stops every one of them (by the PIDs the script printed)."""
    api = free_port(3)  # the workers listen on API_PORT+1 and +2
    env = {"API_PORT": str(api), "NATS_PORT": str(free_port()),
           "NATS_MONITOR_PORT": str(free_port()), "VALKEY_PORT": str(free_port()),
           "TASKMESH": binary}
    proc = Proc(["make", *tokens[1:], *MAKE_VARS], env=env)
    try:
        wait_until("run-cluster ready", lambda: proc.p.poll() is not None or
                   any("[run-cluster] ready" in l for l in proc.lines), timeout=120)
        assert proc.p.poll() is None, f"make run-cluster exited {proc.p.returncode} before it was ready"
        pids = {k: int(v) for k, v in re.findall(r"(\S+)=(\d+)", next(
            l for l in proc.lines if l.startswith("[run-cluster] pids:")))}
        assert set(pids) == {"api", "worker-1", "worker-2", "nats", "valkey"}, pids
        run_task(api)
        for i in (1, 2):
            assert http("GET", api + i, "/health/ready")[0] == 200
    except (AssertionError, StopIteration) as e:
        proc.stop(signal.SIGKILL)
        raise AssertionError(f"{e!r}\n{proc.output()}")
    check_stopped(proc, signal.SIGINT, "[run-cluster] stopped")
    drained = [l for l in proc.lines if "stopped (all accepted tasks finished)" in l]
    assert len(drained) == 3, f"api and both workers must drain and stop:\n{proc.output()}"
    for name, pid in pids.items():
        try:
            os.kill(pid, 0)
            raise AssertionError(f"{name} (pid {pid}) still runs after Ctrl-C")
        except ProcessLookupError:
            pass
    assert any("[run-cluster] stopped" in l for l in proc.lines), proc.output()


def run_taskmesh(tokens, raw):
    """[VAR=value ...] build/apps/taskmesh/taskmesh ...: serves, stops cleanly."""
    ports = PortMap()
    env, argv = {}, []
    for t in tokens:
        if not argv and re.match(r"^[A-Z_]+=", t):
            k, v = t.split("=", 1)
            env[k] = v
        else:
            argv.append(t)
    argv = [binary] + [ports.sub(a) for a in argv[1:]]
    if "--listen" not in argv and "TASKMESH_LISTEN" not in env:
        env["TASKMESH_LISTEN"] = f"127.0.0.1:{ports('8080')}"
    port = int((argv[argv.index("--listen") + 1] if "--listen" in argv else env["TASKMESH_LISTEN"])
               .rsplit(":", 1)[1])
    proc = Proc(argv, env=env)
    try:
        wait_until("taskmesh ready", ready(port))
        run_task(port)
    except AssertionError as e:
        proc.stop(signal.SIGKILL)
        raise AssertionError(f"{e}\n{proc.output()}")
    check_stopped(proc, signal.SIGTERM)


def run_cluster_block(commands):
    """A block that starts NATS, Valkey (when it shows them) and taskmesh
    roles by hand: the same, on free ports; a task runs through the api."""
    ports = PortMap()
    tmp = tempfile.mkdtemp(prefix="taskmesh-doc-")
    procs = []
    try:
        shown = " ".join(t for tokens, _ in commands for t in tokens)
        nats_port, valkey_port = ports("4222"), ports("6379")
        for tokens, _ in commands:
            if tokens[0] == "nats-server":
                argv = [a if not a.startswith("/var/lib") else f"{tmp}/nats" for a in tokens]
                procs.append(Proc([*argv, "-a", "127.0.0.1", "-p", str(nats_port)]))
            elif tokens[0] in ("valkey-server", "redis-server"):
                # Debian 12 has no valkey-server; the doc names redis-server 7 as the alternative.
                server = shutil.which(tokens[0]) or shutil.which("redis-server")
                procs.append(Proc([server, *tokens[1:], "--bind", "127.0.0.1", "--port",
                                   str(valkey_port), "--dir", tmp, "--save", ""]))
        if "nats-server" not in shown:
            procs.append(Proc(["nats-server", "-js", "-sd", f"{tmp}/nats", "-a", "127.0.0.1",
                               "-p", str(nats_port)]))
        if "valkey-server" not in shown and "redis-server" not in shown:
            procs.append(Proc(["redis-server", "--bind", "127.0.0.1", "--port", str(valkey_port),
                               "--dir", tmp, "--save", ""]))
        roles = []
        for tokens, _ in commands:
            if tokens[0] == "taskmesh":
                argv = [binary] + [ports.sub(a) for a in tokens[1:]]
                port = int(argv[argv.index("--listen") + 1].rsplit(":", 1)[1])
                roles.append((Proc(argv), port, argv[argv.index("--role") + 1]))
        for proc, port, role in roles:
            try:
                wait_until(f"--role {role} ready", ready(port))
            except AssertionError as e:
                raise AssertionError(f"{e}\n{proc.output()}")
        api = next(port for _, port, role in roles if role in ("api", "all"))
        run_task(api)
        for proc, _, _ in roles:
            check_stopped(proc, signal.SIGTERM)
    finally:
        for proc in procs:
            proc.stop(signal.SIGTERM)
        shutil.rmtree(tmp, ignore_errors=True)


def by_ci(target):
    def rule(tokens):
        ci = (root / ".ci/run").read_text()
        assert f"make {target}" in ci, f".ci/run does not run `make {target}`"
        return f"run by .ci/run (`make {target}`), not inside ctest"
    return rule


def fuzz_by_make_test(tokens):
    # make test runs fuzz-smoke: the same script, every target, 5 s each.
    mk = (root / "Makefile").read_text()
    assert "fuzz-smoke" in mk.split("\ntest:", 1)[1].split("\n\n", 1)[0], \
        "make test does not run fuzz-smoke"
    assert "make test" in (root / ".ci/run").read_text()
    return "run briefly by `make test` (fuzz-smoke, tests/fuzz/run.sh), not inside ctest"


def sanitizers_by_make_test(tokens):
    # make test runs test-asan-unit after fuzz-smoke, in the same clang build.
    mk = (root / "Makefile").read_text()
    assert "test-asan-unit" in mk.split("\ntest:", 1)[1].split("\n\n", 1)[0], \
        "make test does not run test-asan-unit"
    assert "make test" in (root / ".ci/run").read_text()
    return "run by `make test` (the fuzzers' ASan+UBSan build), not inside ctest"


def sanitizer_build(tokens):
    mk = (root / "Makefile").read_text()
    assert f"\n{tokens[1]}:" in mk, f"Makefile has no {tokens[1]} target"
    return "an instrumented rebuild of the tests, run on demand (too long for CI, docs/security.md)"


def helm_offline(tokens):
    """helm upgrade --install NAME CHART [-n NS] -f FILE...: render and check
    exactly that chart and values with k8s-check."""
    if not k8s_check.exists():
        return f"not checked: {k8s_check} absent"
    release, chart = [t for t in tokens[2:] if not t.startswith("-")][:2]
    argv = [str(k8s_check), "--chart", chart, "--release", release]
    it = iter(range(len(tokens)))
    for i in it:
        if tokens[i] in ("-f", "--values"):
            argv += ["--values", tokens[i + 1]]
        elif tokens[i] in ("-n", "--namespace"):
            argv += ["--namespace", tokens[i + 1]]
    run = subprocess.run(argv, cwd=root, capture_output=True, text=True)
    assert run.returncode == 0, f"k8s-check on what this helm command installs failed:\n{run.stdout}{run.stderr}"
    return "needs a cluster: rendered and checked offline (k8s-check) instead"


def helm_dependency(tokens):
    chart = pathlib.Path(root / tokens[-1] / "Chart.yaml").read_text()
    assert "dependencies:" in chart
    return "needs the internet: the chart's dependencies are declared"


def terraform_offline(tokens):
    chdir = next(t.split("=", 1)[1] for t in tokens if t.startswith("-chdir="))
    assert (root / chdir / "main.tf").exists(), f"{chdir} has no main.tf"
    if shutil.which("terraform"):
        run = subprocess.run(["terraform", f"-chdir={chdir}", "fmt", "-check"], cwd=root,
                             capture_output=True, text=True, env={**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null"})
        assert run.returncode == 0, run.stdout + run.stderr
    return "needs AWS and the Terraform registry: the root exists and is formatted (tests/deploy k8s_check covers its HCL)"


def needs_cloud(tokens):
    return "needs an AWS account or a Kubernetes cluster: not run"


def long_benchmark(tokens):
    return "a benchmark of minutes: not run in ctest (bench_smoke runs `bench/run --smoke`)"


def run_offline(tokens):
    """A command that needs nothing running (e.g. chaos/run.sh --list): it
    must exit 0 and print something."""
    run = subprocess.run(tokens, cwd=root, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and run.stdout.strip(), f"exit {run.returncode}:\n{run.stdout}{run.stderr}"


def chaos_experiment(tokens):
    """chaos/run.sh EXPERIMENT applies it to a cluster; here: the name resolves."""
    listed = subprocess.run(["chaos/run.sh", "--list"], cwd=root, capture_output=True, text=True).stdout.split()
    assert tokens[1] in listed, f"chaos/run.sh --list has no {tokens[1]}"
    return "needs a Kubernetes cluster with Chaos Mesh: the experiment exists (chaos/run.sh --list)"


def long_chaos(tokens):
    return "the 12-minute long form: not run in ctest (the short form is `ctest -L chaos`)"


def no_docker(tokens):
    assert (root / "Dockerfile").exists()
    return "docker is not installed here: `make image` builds the same Dockerfile (run by .ci/run)"


# (pattern on the command line, rule). First match wins.
RULES = [
    (r"^make run-cluster\b", run_make_run_cluster),
    (r"^make run\b", run_make_run),
    (r"^make test-image\b", by_ci("test-image")),
    (r"^make image\b", by_ci("test-image")),
    (r"^make fuzz\b|^tests/fuzz/run\.sh\b", fuzz_by_make_test),
    (r"^make test-asan-unit\b", sanitizers_by_make_test),
    (r"^make test-asan-integration\b", by_ci("test-asan-integration")),
    (r"^make test-(asan|tsan)\b", sanitizer_build),
    (r"^make test\b", by_ci("test")),
    (r"^make bench\b|^bench/", long_benchmark),
    (r"^([A-Z_]+=\S+ )*build/apps/taskmesh/taskmesh\b", None),  # run_taskmesh
    (r"^chaos/run\.sh --list$", run_offline),
    (r"^chaos/run\.sh [a-z0-9-]+$", chaos_experiment),
    (r"^chaos/local/run-long\.sh$", long_chaos),
    (r"^docker build\b", no_docker),
    (r"^helm upgrade --install\b", helm_offline),
    (r"^helm dependency build\b", helm_dependency),
    (r"^terraform -chdir=\S+ (init|apply)\b", terraform_offline),
    (r"^(aws|kubectl|buildah (--storage-driver \S+ )?(login|push)|helm (test|history|rollback|upgrade))\b", needs_cloud),
]


def blocks(path):
    text = path.read_text()
    for m in re.finditer(r"^( *)```sh\n(.*?)^ *```", text, re.S | re.M):
        lines, joined = [], ""
        for line in m.group(2).splitlines():
            line = line[len(m.group(1)):] if line.startswith(m.group(1)) else line
            joined += line.rstrip("\\").rstrip() + " " if line.endswith("\\") else line
            if not line.endswith("\\"):
                if joined.strip():
                    lines.append(joined.strip())
                joined = ""
        commands = []
        for line in lines:
            tokens = shlex.split(line, comments=True)
            if tokens and tokens[-1] == "&":
                tokens = tokens[:-1]
            if tokens:
                commands.append((tokens, line.split(" #")[0].rstrip(" &")))
        yield commands


def main():
    docs = [root / "README.md", *sorted((root / "docs").rglob("*.md"))]
    ran, offline, failures, seen = 0, [], [], set()
    for doc in docs:
        for commands in blocks(doc):
            where = doc.relative_to(root)
            if any(tokens[0] == "taskmesh" for tokens, _ in commands):
                try:
                    run_cluster_block(commands)
                    ran += len(commands)
                    print(f"ran  {where}: " + " / ".join(raw for _, raw in commands))
                except Exception as e:  # noqa: BLE001 - report every block
                    failures.append(f"{where}: cluster block: {e}")
                continue
            for tokens, raw in commands:
                line = shlex.join(tokens)
                if line in seen:  # shown in several places, run once
                    continue
                seen.add(line)
                rule = next((r for p, r in RULES if re.search(p, line)), "none")
                try:
                    if rule == "none":
                        raise AssertionError("no rule in tests/deploy/doc_commands_test.py runs or "
                                             "checks this command; add one")
                    note = run_taskmesh(tokens, raw) if rule is None else rule(tokens)
                    if note:
                        offline.append(f"{where}: {raw}  ({note})")
                    else:
                        ran += 1
                        print(f"ran  {where}: {raw}")
                except Exception as e:  # noqa: BLE001
                    failures.append(f"{where}: {raw}: {e}")
    for o in offline:
        print(f"note {o}")
    for f in failures:
        print(f"FAIL {f}")
    print(f"doc commands: {ran} run, {len(offline)} checked otherwise (see notes), {len(failures)} failed")
    sys.exit(1 if failures or ran == 0 else 0)


if __name__ == "__main__":
    main()
