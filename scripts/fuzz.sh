#!/usr/bin/env bash
# Fuzzes the ONNX loader (load_onnx_bytes) with libFuzzer + AddressSanitizer for a bounded time.
# Builds with clang++-14 in a separate directory (build-fuzz) with every library instrumented,
# seeds the fuzzer with the model zoo, the malformed corpus and tests/fuzz/seeds (exporter-style files), and stops after N seconds.
#   bash scripts/fuzz.sh [seconds]            (default 60; BUILD_DIR=... to change the build dir)
# New interesting inputs go to build-fuzz/fuzz_corpus; crashes are written as build-fuzz/crash-*.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-60}
B=${BUILD_DIR:-build-fuzz}
cmake -S . -B "$B" -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTACHYON_BUILD_PYTHON=OFF -DTACHYON_BUILD_BENCH=OFF \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address -fno-omit-frame-pointer" >/dev/null
ninja -C "$B" onnx_loader_fuzz
mkdir -p "$B/fuzz_corpus" "$B/fuzz_seeds"
cp tests/data/models/*.onnx tests/data/malformed/*.onnx tests/fuzz/seeds/*.onnx "$B/fuzz_seeds/"
"$B/tests/fuzz/onnx_loader_fuzz" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 -artifact_prefix="$B/" "$B/fuzz_corpus" "$B/fuzz_seeds"
