# taskmesh: the two commands a fresh Debian 12 machine needs.
#   make run    install missing packages, build (Release), start embedded on :8080
#   make test   install missing packages, build, run every test
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
ARGS ?=

.PHONY: all deps configure build run test bench clean

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/apps/taskmesh/taskmesh --listen 0.0.0.0:8080 --log-format text $(ARGS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j 2 $(ARGS)

bench: build
	bench/run $(ARGS)

clean:
	rm -rf $(BUILD_DIR)
