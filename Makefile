# tessera — top-level entry points. The README's two commands are `make demo`
# and `make test`; both install missing Debian packages first.
BUILD       ?= build
BUILD_ASAN  ?= build-asan
BUILD_FUZZ  ?= build-fuzz
BUILD_VALGRIND ?= build-valgrind
BUILD_TSAN  ?= build-tsan
FUZZ_SECONDS ?= 60
FUZZ_SEED   ?=
SOAK_SECONDS ?= 60
JOBS        ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps configure build demo test test-asan test-interop bench format install clean \
        fuzz-build fuzz fuzz-smoke fuzz-corpus test-valgrind test-tsan soak test-ct

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DTESSERA_WERROR=ON $(CMAKE_FLAGS)

configure: deps $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# The main job: a local mTLS handshake shown step by step.
demo: build
	$(BUILD)/bin/tessera demo

# The whole default test suite (unit, CLI and interop tests) through ctest.
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600

# clang 14 with AddressSanitizer + UndefinedBehaviorSanitizer; unit tests.
test-asan: deps
	CC=clang-14 CXX=clang++-14 cmake -S . -B $(BUILD_ASAN) -G Ninja -DTESSERA_WERROR=ON \
	  -DTESSERA_SANITIZE=ON -DTESSERA_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=Debug $(CMAKE_FLAGS)
	cmake --build $(BUILD_ASAN) -j $(JOBS)
	cd $(BUILD_ASAN) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) -L unit --timeout 900

# clang 14 with ThreadSanitizer; the unit tests (the threaded parts: EventServer
# workers and signing threads, PKCS #11 session pools, shared ticket keys,
# caches, stores and replay guard; the rest runs single-threaded under it).
test-tsan: deps
	CC=clang-14 CXX=clang++-14 cmake -S . -B $(BUILD_TSAN) -G Ninja -DTESSERA_WERROR=ON \
	  -DTESSERA_TSAN=ON -DTESSERA_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)
	cmake --build $(BUILD_TSAN) -j $(JOBS)
	cd $(BUILD_TSAN) && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
	  ctest --output-on-failure -j $(JOBS) -L unit --timeout 1800

# libFuzzer targets (fuzz/, see fuzz/README.md): clang 14, ASan + UBSan.
fuzz-build: deps
	CC=clang-14 CXX=clang++-14 cmake -S . -B $(BUILD_FUZZ) -G Ninja -DTESSERA_WERROR=ON \
	  -DTESSERA_SANITIZE=ON -DTESSERA_FUZZ=ON -DTESSERA_BUILD_TESTS=OFF -DTESSERA_BUILD_BENCH=OFF \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)
	cmake --build $(BUILD_FUZZ) -j $(JOBS) --target fuzz_all

# Every target for FUZZ_SECONDS each on a scratch copy of fuzz/corpus/<target>;
# fails on any crash, leak, timeout or OOM (inputs kept in $(BUILD_FUZZ)/fuzz-artifacts).
# A random seed each run unless FUZZ_SEED is set.
fuzz: fuzz-build
	FUZZ_SEED=$(FUZZ_SEED) bash fuzz/run.sh $(BUILD_FUZZ) $(FUZZ_SECONDS)

# The short pass the CI runs: a fixed seed, so it replays the seeds and walks
# the same sequence of mutations on every machine, a faster one further along
# it (a gate that passes or fails for the commit, not for the draw); `make
# fuzz` is where new inputs are searched for.
fuzz-smoke:
	$(MAKE) fuzz FUZZ_SECONDS=10 FUZZ_SEED=1

# Regenerate the seeds that come from real handshakes and the test vectors.
fuzz-corpus: fuzz-build
	$(BUILD_FUZZ)/fuzz/fuzz_corpus_gen fuzz/corpus

# Unit tests under valgrind memcheck (g++ Debug build): leaks and memory errors fail.
test-valgrind: deps
	cmake -S . -B $(BUILD_VALGRIND) -G Ninja -DTESSERA_WERROR=ON -DTESSERA_BUILD_BENCH=OFF \
	  -DCMAKE_BUILD_TYPE=Debug $(CMAKE_FLAGS)
	cmake --build $(BUILD_VALGRIND) -j $(JOBS)
	bash tests/valgrind/run.sh $(BUILD_VALGRIND)

# Soak (not in `make test`): `tessera server --echo` under `tessera bench load`
# for SOAK_SECONDS with full and resumed handshakes and checked echo data; fails
# on any error, a descriptor leak or RSS growth (scripts/soak.sh lists the knobs).
soak: build
	SOAK_SECONDS=$(SOAK_SECONDS) bash scripts/soak.sh $(BUILD)

# Constant-time checks (ctgrind style, docs/constant-time.md): secrets marked
# undefined, run under valgrind memcheck; also part of `make test` (label ct).
test-ct: build
	cd $(BUILD) && ctest --output-on-failure -L ct --timeout 600

test-interop: build
	cd $(BUILD) && ctest --output-on-failure -L interop --timeout 600

bench: build
	$(BUILD)/bin/tessera_micro_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
	$(BUILD)/bin/tessera_compare_bench

format:
	git ls-files '*.h' '*.cc' | xargs clang-format -i

# PREFIX=/opt/tessera installs there (default: CMAKE_INSTALL_PREFIX, /usr/local);
# DESTDIR is honoured for staging.
install: build
	cmake --install $(BUILD) $(if $(PREFIX),--prefix $(PREFIX))

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ) $(BUILD_VALGRIND) $(BUILD_TSAN)
