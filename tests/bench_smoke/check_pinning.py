#!/usr/bin/env python3
# File: tests/bench_smoke/check_pinning.py
# bench/run --pin (bench/ceilings/pinning.py): after pin(), this process (and
# so the loadgen and probe it starts) runs on the last CPU only, and a server
# started the way bench/run starts every server (procs.Procs.start) runs on
# the other CPUs, read back from the kernel (sched_getaffinity of its PID). Exit 77
# (ctest: skipped) on a machine with one CPU, where there is nothing to split.
#
#   check_pinning.py SOURCE_DIR WORK_DIR
import os
import shutil
import sys
import time


def main(source_dir, work_dir):
    sys.path.insert(0, os.path.join(source_dir, "bench"))
    sys.dont_write_bytecode = True
    from ceilings import pinning, procs

    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        print(f"SKIP: this process may use CPUs {cpus} only: nothing to split")
        return 77
    servers, clients = pinning.pin()
    errors = []
    if servers != cpus[:-1] or clients != cpus[-1:]:
        errors.append(f"pin() split {cpus} into {servers} / {clients}")
    if os.sched_getaffinity(0) != set(clients):
        errors.append(f"this process runs on {os.sched_getaffinity(0)}, not {clients}")
    shutil.rmtree(work_dir, ignore_errors=True)
    os.makedirs(work_dir)
    with procs.Procs(work_dir) as group:
        server = group.start("sleeper", ["sleep", "30"])
        # taskset sets the mask, then execs sleep under the same PID.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with open(f"/proc/{server.pid}/comm") as f:
                if f.read().strip() == "sleep":
                    break
            time.sleep(0.01)
        got = os.sched_getaffinity(server.pid)
        if got != set(servers):
            errors.append(f"a server started by Procs runs on {got}, not {servers}")
    for e in errors:
        print(f"check_pinning: {e}")
    print("check_pinning: " + ("FAILED" if errors else f"servers on {servers}, clients on {clients}"))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
