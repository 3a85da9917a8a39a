# File: bench/ceilings/deps.py
# The Debian packages the bench scripts need beyond the build (nginx for the
# ceiling, gnuplot-nox for soak plots, nats-server, redis-server and
# redis-tools for the cluster runs), installed only when missing, the way
# scripts/install-deps.sh does it: a second call installs nothing.
import os
import shutil
import subprocess

PACKAGES = {"nginx": "nginx", "gnuplot": "gnuplot-nox", "nats-server": "nats-server",
            "redis-server": "redis-server", "redis-benchmark": "redis-tools"}


def installed(package):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True,
                       text=True)
    return r.returncode == 0 and "install ok installed" in r.stdout


def ensure(tools, log=print):
    """Installs the packages for `tools` (keys of PACKAGES) that are missing.
    Returns {tool: None or the reason it is still unavailable}."""
    if shutil.which("dpkg-query") is None or shutil.which("apt-get") is None:
        return {t: None if shutil.which(t) else "not installed and no apt-get here" for t in tools}
    missing = [PACKAGES[t] for t in tools if not installed(PACKAGES[t])]
    result = {t: None for t in tools}
    if missing:
        log(f"bench: installing {' '.join(missing)}")
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        try:
            subprocess.run(sudo + ["apt-get", "update", "-qq"], check=True, env=env, timeout=600)
            subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "--no-install-recommends",
                                   *missing], check=True, env=env, timeout=900)
        except (OSError, subprocess.SubprocessError) as e:
            log(f"bench: could not install {' '.join(missing)}: {e}")
    for t in tools:
        if not installed(PACKAGES[t]) and shutil.which(t) is None:
            result[t] = f"{PACKAGES[t]} is not installed"
    return result
