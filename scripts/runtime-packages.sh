#!/usr/bin/env bash
# Prints the Debian packages that own the shared libraries BINARY loads, one a
# line: what the Dockerfile's runtime stage installs. Fails if a library
# belongs to no package (it would be missing at run time).
#   scripts/runtime-packages.sh build/apps/taskmesh/taskmesh
set -euo pipefail

binary=$1
ldd "$binary" | awk '/=> \//{print $3}' | while read -r lib; do
  # usrmerge: dpkg may know a library under /lib or under /usr/lib.
  for candidate in "$lib" "$(realpath "$lib")" "/usr$lib" "${lib#/usr}"; do
    if owner=$(dpkg-query -S "$candidate" 2>/dev/null); then
      echo "${owner%%:*}"
      continue 2
    fi
  done
  echo "runtime-packages: no package owns $lib" >&2
  exit 1
done | sed 's/:[a-z0-9]*$//' | sort -u
