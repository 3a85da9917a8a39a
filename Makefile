# taskmesh: the two commands a fresh Debian 12 machine needs.
#   make run    install missing packages, build (Release), start embedded on :8080
#   make test   install missing packages, build, run every test
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
ARGS ?=
LISTEN ?= 0.0.0.0:8080

.PHONY: all deps configure build run run-cluster test image test-image bench clean

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/apps/taskmesh/taskmesh --listen $(LISTEN) --log-format text $(ARGS)

# nats-server + redis-server + one --role api on :8080 + two --role worker;
# Ctrl-C stops them all (scripts/run-cluster; ports via API_PORT etc.).
run-cluster: build
	scripts/run-cluster $(ARGS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j 2 $(ARGS)

# The container image, built with buildah from the Dockerfile (scripts/image-build).
# It depends on `build` so the host's ccache holds the objects the image's
# build stage then reuses. test-image runs the image's binary and checks it.
image: build
	@scripts/install-deps.sh image
	scripts/image-build

test-image: image
	scripts/image-test

bench: build
	bench/run $(ARGS)

clean:
	rm -rf $(BUILD_DIR)
