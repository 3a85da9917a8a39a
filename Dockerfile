# taskmesh container image: one binary for every role (embedded, --role api,
# --role worker). Multi-stage: build on Debian 12 with the same
# scripts/install-deps.sh (its build-only list) and CMake steps as `make`, run on bookworm-slim with
# only the shared libraries the binary links, as a fixed non-root UID; nothing
# is written to the root filesystem, so readOnlyRootFilesystem works.
#
#   make image                     (buildah, local base image; see docs/deploy.md)
#   docker build -t taskmesh .     (anywhere a registry is reachable)
#
# BASE / RUNTIME_BASE: the build and runtime base images. CCACHE_DIR: mount a
# compiler cache there to reuse objects (make image mounts the host's).
ARG BASE=debian:bookworm
ARG RUNTIME_BASE=debian:bookworm-slim

# The toolchain and libraries: a stage of its own, so `make image` can tag it
# and keep it as the cache while it deletes every other layer a build leaves.
FROM ${BASE} AS deps
WORKDIR /src
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN scripts/install-deps.sh build && rm -rf /var/lib/apt/lists/*

FROM deps AS build
ARG BUILD_JOBS=2
# ccache hashes LANG: the host's (make image passes it) lets its objects hit.
ARG LANG=C.UTF-8
# The build runs npm (the web UI, web/CMakeLists.txt). Behind a proxy that
# re-signs TLS, point this at a CA bundle mounted into the build (make image
# mounts the host's) so npm trusts what the host trusts. Declared after the
# package layer, which it would otherwise keep from being reused.
ARG NODE_EXTRA_CA_CERTS
COPY . .
# One step after the sources (each step is a full copy of the stage with
# buildah's vfs storage). ccache: paths relative to /src and no cwd in the
# hash, as on a developer machine with base_dir set, so objects built there
# hit here too; the stats log counts this build's compiles only. Then the
# Debian packages owning the libraries the binary loads: all the runtime
# stage installs.
RUN export CCACHE_DIR=/ccache CCACHE_BASEDIR=/src CCACHE_NOHASHDIR=1 \
           CCACHE_STATSLOG=/tmp/ccache-stats.log \
 && cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null \
 && cmake --build build -j "${BUILD_JOBS}" --target taskmesh \
 && { ccache --show-log-stats 2>/dev/null | grep -E '^ *(Hits|Misses)' || true; } \
 && scripts/runtime-packages.sh build/apps/taskmesh/taskmesh > build/runtime-packages.txt \
 && cat build/runtime-packages.txt

FROM ${RUNTIME_BASE}
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="taskmesh" \
      org.opencontainers.image.description="Task-processing service with an HTTP/JSON API (embedded, or API and worker pods around NATS JetStream and Valkey)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="https://github.com/taskmesh/taskmesh" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="${RUNTIME_BASE}"
ENV TASKMESH_LOG_FORMAT=json
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/taskmesh"]
CMD ["--listen", ":8080"]
COPY --from=build /src/build/runtime-packages.txt /tmp/runtime-packages.txt
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      $(cat /tmp/runtime-packages.txt) >/dev/null \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb /tmp/runtime-packages.txt \
 && echo 'taskmesh:x:10001:10001:taskmesh:/nonexistent:/usr/sbin/nologin' >> /etc/passwd \
 && echo 'taskmesh:x:10001:' >> /etc/group
COPY --from=build /src/build/apps/taskmesh/taskmesh /usr/local/bin/taskmesh
USER 10001:10001
