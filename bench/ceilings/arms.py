# File: bench/ceilings/arms.py
# The sides of an alternated comparison (bench/cluster_ab/run and
# bench/embedded_ab/run): one arm per --build, with the environment and the
# flags only that arm gets. A value "N:..." goes to the N-th --build only
# (1-based); a value without it goes to every arm.
import re


class Arm:
    """One side: a build directory, its environment (every process of a run)
    and its flags per process kind (e.g. "api", "worker", "taskmesh")."""

    def __init__(self, build, kinds):
        self.build = build
        self.label = build
        self.env = {}
        self.args = {kind: [] for kind in kinds}


def arms_of(builds, env_values, arg_values):
    """builds: the --build values; env_values: the --env values (VAR=VALUE);
    arg_values: {process kind: its flag values}. Arms that add something are
    labelled by what they add; identical ones share a label, so their runs
    count together (a smoke test runs one build twice)."""
    arms = [Arm(b, arg_values) for b in builds]
    adds = [(env_values, lambda arm, v: arm.env.update([v.split("=", 1)]))]
    for kind, values in arg_values.items():
        adds.append((values, lambda arm, v, kind=kind: arm.args[kind].append(v)))
    for values, add in adds:
        for value in values:
            m = re.match(r"(\d+):(.*)$", value)
            targets = arms if not m else [arms[int(m.group(1)) - 1]]
            for arm in targets:
                add(arm, m.group(2) if m else value)
    for arm in arms:
        extras = [f"{k}={v}" for k, v in arm.env.items()]
        for values in arm.args.values():
            extras += values
        if extras:
            arm.label += " (" + " ".join(extras) + ")"
    return arms
