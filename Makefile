# taskmesh: the two commands a fresh Debian 12 machine needs.
#   make run    install missing packages, build (Release), start embedded on :8080
#   make test   install missing packages, build, run every test, then each fuzzer briefly
#               and the unit tests under ASan+UBSan (in the fuzzers' clang build)
# and for hardening (docs/security.md):
#   make fuzz       each libFuzzer target for FUZZ_SECONDS (clang build in build-fuzz/)
#   make test-asan-integration  the integration tests under ASan+UBSan, in the fuzzers'
#                   clang build (build-fuzz/); CI runs it after make test
#   make test-asan  unit + integration tests under ASan+UBSan (build-asan/)
#   make test-tsan  unit + integration tests under TSan (build-tsan/; first builds CAF
#                   with TSan from Debian's source into build-tsan-caf/)
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
ARGS ?=
LISTEN ?= 0.0.0.0:8080
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 120
FUZZ_SMOKE_SECONDS ?= 5
# Every UBSan report stops the process, except the library sites tests/ubsan.supp names.
UBSAN_OPTIONS := print_stacktrace=1:halt_on_error=1:suppressions=$(CURDIR)/tests/ubsan.supp
# What the sanitizer builds build and run: the unit and integration labels
# (tests whose executable is not built are not listed, so nothing else runs).
SAN_LABELS ?= ^integration$$|^unit$$
SAN_TARGETS := taskmesh model_tests ops_tests codec_tests actors_tests http_tests loadgen_tests \
  integration_tests

.PHONY: all deps configure build run run-cluster test image test-image bench clean fuzz-build fuzz \
  fuzz-smoke test-asan-unit test-asan-integration test-asan test-tsan

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
	@$(MAKE) --no-print-directory fuzz-smoke
	@$(MAKE) --no-print-directory test-asan-unit

# Fuzzers: clang 14 with ASan+UBSan, only the libraries they link.
fuzz-build: deps
	@cmake -S . -B $(FUZZ_DIR) -DTASKMESH_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++-14 \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" >/dev/null
	@cmake --build $(FUZZ_DIR) -j $(JOBS)

fuzz: fuzz-build
	tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

fuzz-smoke: fuzz-build
	tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SMOKE_SECONDS)

# The unit tests of the libraries the fuzzers link (model, ops, codec, actors,
# http), built in the fuzz build (clang 14, ASan+UBSan) and run there: the
# sanitizer run CI can afford (the full test-asan build below takes ~1 h on
# 2 cores; see docs/security.md).
test-asan-unit: fuzz-build
	cd $(FUZZ_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=$(UBSAN_OPTIONS) \
	  ctest --output-on-failure -j 2 -L '^unit$$' $(ARGS)

# The integration tests against the taskmesh binary, both built in the same
# clang ASan+UBSan build as the fuzzers (FUZZ_DIR); CI runs it after make test.
test-asan-integration: deps
	@cmake -S . -B $(FUZZ_DIR) -DTASKMESH_FUZZ=ON -DTASKMESH_FUZZ_WITH_APP=ON \
	  -DCMAKE_CXX_COMPILER=clang++-14 \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" >/dev/null
	@cmake --build $(FUZZ_DIR) -j $(JOBS)
	cd $(FUZZ_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=$(UBSAN_OPTIONS) \
	  ctest --output-on-failure -j 2 -L '^integration$$' $(ARGS)

# Sanitizer builds: the same sources and tests, instrumented.
test-asan: deps
	@cmake -S . -B build-asan -DTASKMESH_SANITIZE="address;undefined" \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" >/dev/null
	@cmake --build build-asan -j $(JOBS) --target $(SAN_TARGETS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=$(UBSAN_OPTIONS) \
	  ctest --output-on-failure -j 2 -L "$(SAN_LABELS)" $(ARGS)

# TSan needs CAF itself instrumented (its mailboxes synchronise with atomics
# TSan cannot see otherwise): scripts/build-caf-tsan.sh builds Debian's CAF
# 0.17.6 source with -fsanitize=thread into build-tsan-caf/, once.
TSAN_CAF := $(CURDIR)/build-tsan-caf/install
test-tsan: deps
	@JOBS=$(JOBS) scripts/build-caf-tsan.sh $(dir $(TSAN_CAF))
	@cmake -S . -B build-tsan -DTASKMESH_SANITIZE=thread \
	  -DCAF_INCLUDE_DIR=$(TSAN_CAF)/include -DCAF_CORE_LIBRARY=$(TSAN_CAF)/lib/libcaf_core.so \
	  -DCAF_IO_LIBRARY=$(TSAN_CAF)/lib/libcaf_io.so \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" >/dev/null
	@cmake --build build-tsan -j $(JOBS) --target $(SAN_TARGETS)
	cd build-tsan && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$(CURDIR)/tests/tsan.supp" \
	  ctest --output-on-failure -j 2 -L "$(SAN_LABELS)" $(ARGS)

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
	rm -rf $(BUILD_DIR) $(FUZZ_DIR) build-asan build-tsan build-tsan-caf
