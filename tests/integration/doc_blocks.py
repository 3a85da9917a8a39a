#!/usr/bin/env python3
# File: tests/integration/doc_blocks.py
# Runs the shell blocks of a doc page, so every command the page shows is
# run by a test. A block takes part when the line before its ```bash fence is
# `<!-- doc-test: NAME -->`; all blocks of NAME run in order as one
# `bash -euo pipefail` script (so later blocks see earlier variables and
# background jobs), in a fresh temp dir, with `taskmesh` on the PATH (the
# built binary) and PORT set to a free loopback port. The script runs in a
# session of its own; whatever it leaves running is ended by that group id
# afterwards. Exit status: the script's (0 = every command succeeded).
# (```bash, not ```sh: tests/deploy/doc_commands_test.py runs the ```sh
# blocks one command at a time; these are one script and run here.)
#
#   doc_blocks.py --doc docs/security.md --name access --binary build/apps/taskmesh/taskmesh
import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile


def blocks(text, name):
    pattern = re.compile(r"<!-- doc-test: " + re.escape(name) + r" -->\n```bash\n(.*?)\n```", re.S)
    return pattern.findall(text)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--doc", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--binary", required=True)
    p.add_argument("--timeout", type=float, default=120)
    a = p.parse_args()
    with open(a.doc) as f:
        found = blocks(f.read(), a.name)
    if not found:
        print(f"{a.doc}: no blocks marked 'doc-test: {a.name}'", file=sys.stderr)
        return 1
    for tool in ("curl", "jq"):
        if not any(os.access(os.path.join(d, tool), os.X_OK)
                   for d in os.environ.get("PATH", "").split(os.pathsep)):
            print(f"{tool} is not installed (scripts/install-deps.sh installs it)", file=sys.stderr)
            return 1
    with tempfile.TemporaryDirectory(prefix="taskmesh-doc-") as work:
        bindir = os.path.join(work, "bin")
        os.mkdir(bindir)
        os.symlink(os.path.abspath(a.binary), os.path.join(bindir, "taskmesh"))
        env = {k: v for k, v in os.environ.items() if not k.startswith("TASKMESH_")}
        env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
        env["PORT"] = str(free_port())
        script = "set -x\n" + "\n".join(found) + "\n"
        # Output to a file, not a pipe: a server the script left running
        # would hold a pipe open after bash is gone.
        log_path = os.path.join(work, "output.log")
        with open(log_path, "w") as log:
            proc = subprocess.Popen(["bash", "-euo", "pipefail", "-c", script], cwd=work, env=env,
                                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            code = proc.wait(timeout=a.timeout)
        except subprocess.TimeoutExpired:
            code = None
        finally:
            try:  # background servers the script left behind: its own group only
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
        with open(log_path, errors="replace") as f:
            print(f.read())
        if code is None:
            print(f"timed out after {a.timeout} s", file=sys.stderr)
            return 1
        print(f"{len(found)} blocks of {a.doc} ({a.name}): exit {code}")
        return code


if __name__ == "__main__":
    sys.exit(main())
