#!/usr/bin/env bash
# Makes the local base image the Dockerfile builds FROM when no registry can be
# reached: a Debian 12 minbase root filesystem from debootstrap, imported into
# the same container storage buildah uses. Does nothing if the image exists.
#   scripts/image-base.sh [IMAGE]     (default localhost/debian:bookworm-minbase)
# Where a registry is reachable, build with BASE=debian:bookworm instead.
set -euo pipefail

image=${1:-localhost/debian:bookworm-minbase}
storage=(--storage-driver vfs)

if podman "${storage[@]}" image exists "$image"; then
  exit 0
fi

root=$(mktemp -d /var/tmp/taskmesh-base.XXXXXX)
chmod 0755 "$root" # it becomes the image's /, which every user must traverse
trap 'rm -rf "$root"' EXIT
echo "image-base: debootstrap --variant=minbase bookworm (about a minute)"
debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >"$root.log" 2>&1 ||
  { tail -20 "$root.log"; exit 1; }
rm -f "$root.log"
# The suites the official debian:bookworm image lists, so apt-get in the
# Dockerfile also sees point-release and security updates.
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<'SOURCES'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb
tar -C "$root" -c . | podman "${storage[@]}" import --quiet - "$image" >/dev/null
echo "image-base: imported $image"
