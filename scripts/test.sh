#!/usr/bin/env bash
# Sets up (packages + build) and runs every test: unit and end-to-end tests through ctest,
# the Python tests through pytest, the unit tests again built with ASan + UBSan, and the fuzzers.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

echo "== ctest (release build)"
ctest --test-dir build --output-on-failure -j "$(nproc)" --timeout 1500

echo "== pytest (Debian's python3)"
if ls python/tests/test_*.py >/dev/null 2>&1; then
  PYTHONPATH="$PWD/build/python" /usr/bin/python3 -m pytest -q python/tests
fi

# One instrumented build (clang++-14, -O1, ASan + UBSan + libFuzzer coverage; scripts/fuzz.sh) serves
# both the unit tests under the sanitizers and the fuzz targets, so the libraries compile once.
echo "== unit tests with AddressSanitizer + UndefinedBehaviorSanitizer (clang++-14)"
FUZZ_BUILD_ALL=1 bash scripts/fuzz.sh 0
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS=suppressions=$PWD/tests/fuzz/lsan.supp \
  ctest --test-dir build-fuzz --output-on-failure -j "$(nproc)" -L unit --timeout 1500

# 12 targets x 10 s = 2 minutes of fuzzing (the long runs are done outside CI, docs/robustness.md).
echo "== libFuzzer on every reader (clang++-14, ASan + UBSan), 10 s per target"
FUZZ_NO_BUILD=1 bash scripts/fuzz.sh 10
