#!/usr/bin/env bash
# Sets up (packages + build) and runs every test: unit and end-to-end tests through ctest,
# the Python tests through pytest, and the unit tests again built with ASan + UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

echo "== ctest (release build)"
ctest --test-dir build --output-on-failure -j "$(nproc)" --timeout 1500

echo "== pytest (Debian's python3)"
if ls python/tests/test_*.py >/dev/null 2>&1; then
  PYTHONPATH="$PWD/build/python" /usr/bin/python3 -m pytest -q python/tests
fi

echo "== unit tests with AddressSanitizer + UndefinedBehaviorSanitizer"
BUILD_DIR=build-asan bash scripts/setup.sh -DCMAKE_BUILD_TYPE=Debug -DTACHYON_SANITIZE=ON \
  -DTACHYON_BUILD_PYTHON=OFF -DTACHYON_BUILD_BENCH=OFF -DTACHYON_BUILD_E2E=OFF
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j "$(nproc)" -L unit --timeout 1500

# 12 targets x 10 s = 2 minutes of fuzzing (the long runs are done outside CI, docs/robustness.md).
echo "== libFuzzer on every reader (clang++-14, ASan + UBSan), 10 s per target"
bash scripts/fuzz.sh 10
