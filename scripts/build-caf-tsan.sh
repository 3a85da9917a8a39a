#!/usr/bin/env bash
# Builds CAF 0.17.6 (libcaf_core + libcaf_io) with -fsanitize=thread into
# build-tsan-caf/install, for `make test-tsan`.
#
# Why: CAF's mailboxes and scheduler synchronise with atomics and fences; in
# Debian's uninstrumented libcaf_core TSan cannot see them and reports every
# message hand-over between actors as a race. With CAF instrumented, a report
# means something.
#
# The source is Debian's own: the upstream tarball of the libcaf-dev package
# this project builds against (bookworm, 0.17.6-2.1), fetched with apt from
# deb.debian.org (signed Sources index -> .dsc -> tarball; apt checks each
# hash) and checked again against the sha256 pinned below. The system's apt
# configuration is not touched: apt runs on a private source list, state and
# cache under build-tsan-caf/apt. Same compiler and standard library as
# build-tsan (the default c++ = g++ 12, libstdc++), so no ABI mix.
#
# Idempotent: the download is cached, and an install whose stamp matches is
# left alone. Usage: scripts/build-caf-tsan.sh [OUT_DIR] (default build-tsan-caf)
set -euo pipefail

VERSION=0.17.6
DEBIAN_SUITE=bookworm
TARBALL=actor-framework_${VERSION}.orig.tar.gz
SHA256=e2bf5bd243f08bb7d8adde197cfe3e6d71314ed3378fe0692f8932f4c3b3928c
CXX_FLAGS="-fsanitize=thread -O1 -g -fno-omit-frame-pointer"

root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$root/build-tsan-caf}")
install_dir=$out/install
stamp=$install_dir/.built-from
want_stamp="$SHA256 ${CXX:-c++} $CXX_FLAGS"

if [[ -f $stamp && $(cat "$stamp") == "$want_stamp" ]]; then
  exit 0 # already built from this tarball with these flags
fi

download() {
  local dl=$out/download apt_dir=$out/apt
  mkdir -p "$dl" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
  if [[ -f $dl/$TARBALL ]] && echo "$SHA256  $dl/$TARBALL" | sha256sum --check --status; then
    return 0
  fi
  cat >"$apt_dir/debian-src.sources" <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $DEBIAN_SUITE
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  local opts=(-o "Dir::Etc::SourceList=$apt_dir/debian-src.sources" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache")
  apt-get "${opts[@]}" -qq update
  # Debian's packaging tarball of this version is gone from the mirror (404);
  # the .dsc and the upstream tarball are what we need.
  cd "$dl"
  apt-get "${opts[@]}" -qq source --download-only "actor-framework=$VERSION-2.1" || test -f "$TARBALL"
  cd - >/dev/null
  echo "$SHA256  $dl/$TARBALL" | sha256sum --check --quiet
}

download
src=$out/src
rm -rf "$src" "$out/build" "$install_dir"
mkdir -p "$src"
tar -xzf "$out/download/$TARBALL" -C "$src" --strip-components=1
# Debian's one change to these headers (its patch set is no longer on the
# mirror; /usr/include/caf/io/network/receive_buffer.hpp shows it): g++ 12
# needs <limits> included explicitly. After this the headers are the
# installed libcaf-dev ones byte for byte.
sed -i '22a #include <limits>' "$src/libcaf_io/caf/io/network/receive_buffer.hpp"

launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
# Only the two libraries taskmesh links; CAF's own default settings otherwise
# (log level QUIET, memory management on), as in Debian's caf/detail/build_config.hpp.
cmake -S "$src" -B "$out/build" -G "Unix Makefiles" "${launcher[@]}" \
  -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="$CXX_FLAGS" \
  -DCMAKE_INSTALL_PREFIX="$install_dir" -DCMAKE_INSTALL_LIBDIR=lib \
  -DCAF_NO_EXAMPLES=ON -DCAF_NO_TOOLS=ON -DCAF_NO_UNIT_TESTS=ON -DCAF_NO_OPENSSL=ON \
  -DCAF_NO_OPENCL=ON -DCAF_NO_PYTHON=ON -DCAF_NO_SUMMARY=ON >/dev/null
cmake --build "$out/build" -j "${JOBS:-$(nproc)}"
cmake --install "$out/build" >/dev/null
echo "$want_stamp" >"$stamp"
