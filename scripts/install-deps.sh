#!/usr/bin/env bash
# Installs the Debian 12 packages taskmesh needs to build and test, and only
# those that are missing. Idempotent: a second run installs nothing.
#   scripts/install-deps.sh          build and test
#   scripts/install-deps.sh image    also what `make image` needs
#   scripts/install-deps.sh build    only what configuring and compiling
#                                    need (the Dockerfile's build stage)
set -euo pipefail

# CMake configures the whole tree, so the test libraries and the tools its
# CMakeLists require (python3, shellcheck) are needed to compile too.
packages=(
  build-essential cmake ccache pkg-config
  libcaf-dev libboost1.81-dev libboost-json1.81-dev
  libnats-dev libhiredis-dev libconcurrentqueue-dev prometheus-cpp-dev
  libspdlog-dev libcli11-dev libre2-dev libssl-dev libmimalloc-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 shellcheck
)
# What the tests, fuzzers and benches run.
test_packages=(
  nats-server redis-server
  clang-14 libclang-rt-14-dev libfuzzer-14-dev
  python3-yaml python3-jsonschema iproute2 nftables stress-ng
  curl jq
  valgrind # bench/profile/run counts instructions per request with callgrind
  linux-perf # bench/profile/syscalls counts system calls per request
  chromium # the browser test (tests/browser) drives it headless
  nginx   # the ceiling bench_smoke (make test) measures taskmesh against
)
if [ "${1:-}" != build ]; then
  packages+=("${test_packages[@]}")
fi
# The web UI is built with npm (web/CMakeLists.txt). Any node >= 18 with npm
# will do (e.g. NodeSource's, which bundles npm): only install Debian's when
# there is no npm at all.
if ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi
if [ "${1:-}" = image ]; then
  packages+=(debootstrap buildah podman curl)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
