# Convenience wrapper around CMake. `make demo` and `make check` are the two
# commands the README starts with.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

.PHONY: all deps build demo check test install clean sanitize tsan valgrind \
	fuzz linear-time

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

demo: deps
	@$(MAKE) --no-print-directory build
	$(BUILD)/cli/analyze examples/articles/critique-film-positive.txt

check: deps
	@$(MAKE) --no-print-directory build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

test: check

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD)

# ---- Hardening ----------------------------------------------------------
# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer
# (any report fails), the multi-threaded tests under ThreadSanitizer, the
# CLI tests under Valgrind, the fuzz targets, and the linear-time check.
SAN_FLAGS = -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAVIS_BUILD_BENCH=OFF \
	-DAVIS_BUILD_EXAMPLES=ON
TSAN_TESTS ?= ^(unit\.(api|nb|terms)|example\.threads|cli\.(batch|stream|lda|topics))$$
FUZZ_SECONDS ?= 60

sanitize: deps
	cmake -S . -B build-asan $(SAN_FLAGS) -DAVIS_SANITIZE=address,undefined
	cmake --build build-asan -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --test-dir build-asan --output-on-failure -j $(JOBS)

tsan: deps
	cmake -S . -B build-tsan $(SAN_FLAGS) -DAVIS_SANITIZE=thread
	cmake --build build-tsan -j $(JOBS)
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	ctest --test-dir build-tsan --output-on-failure -j $(JOBS) -R '$(TSAN_TESTS)'

valgrind: deps
	scripts/install-deps.sh --valgrind
	@$(MAKE) --no-print-directory build
	scripts/memcheck-cli.py $(BUILD)

# Each libFuzzer target for FUZZ_SECONDS, from its seed corpus; new inputs
# go to build-fuzz/corpus/, crashes to build-fuzz/crash/ (fuzz/README.md).
fuzz: deps
	scripts/install-deps.sh --fuzz
	cmake -S . -B build-fuzz $(SAN_FLAGS) -DCMAKE_C_COMPILER=clang \
	  -DAVIS_BUILD_FUZZERS=ON -DAVIS_SANITIZE=address,undefined
	cmake --build build-fuzz -j $(JOBS)
	fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

linear-time:
	cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release
	cmake --build build-bench -j $(JOBS) --target linear_time
	bench/linear_time.sh build-bench/bench/linear_time .
