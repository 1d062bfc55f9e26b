#!/usr/bin/env bash
# Runs the libFuzzer targets of tests/fuzz (clang++-14, ASan + UBSan), each for a bounded time
# (one binary, tachyon_fuzz; the target is chosen by TACHYON_FUZZ_TARGET).
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]     SECONDS per target (default 60); no TARGET: all
#   bash scripts/fuzz.sh --list                    the target names
# Environment: BUILD_DIR (default build-fuzz); FUZZ_RUNS=N stops each target after N executions
# instead of (or before) the time limit; FUZZ_NICE=N runs the fuzzer under nice -n N;
# FUZZ_NO_BUILD=1 runs the binary already built.
# The libraries are built instrumented in $BUILD_DIR (-O1, -fsanitize=fuzzer-no-link,address,undefined),
# FUZZ_BUILD_JOBS parallel compile jobs (default 2). FUZZ_BUILD_ALL=1 builds every target of that tree,
# the unit tests included (scripts/test.sh runs them there under ASan + UBSan); SECONDS 0 only builds.
# Seeds: tests/data/fuzz_seeds/<target>/ plus that reader's malformed corpus (onnx_loader: the model
# zoo, tests/data/malformed/*.onnx and the exporter-style tests/fuzz/seeds); new interesting
# inputs accumulate in $BUILD_DIR/corpus/<target>/, findings are written as
# $BUILD_DIR/artifacts/<target>/crash-* (or leak-*, timeout-*, oom-*). Exits non-zero when any
# target found something; prints executions and speed per target.
# LeakSanitizer skips blocks lost inside libhdf5 itself (tests/fuzz/lsan.supp).
set -euo pipefail
cd "$(dirname "$0")/.."
ALL_TARGETS=(onnx_loader config_yaml config_json xgboost_json tachyon_tree_json onnx_ml_trees tmva_xml
  lightgbm_text npy keras_json keras_h5 keras_zip)
if [ "${1:-}" = "--list" ]; then printf '%s\n' "${ALL_TARGETS[@]}"; exit 0; fi
SECS=${1:-60}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL_TARGETS[@]}")
B=${BUILD_DIR:-build-fuzz}

# The seed folders of a target (existing ones only).
seeds_of() {
  local t=$1
  local dirs=(tests/data/fuzz_seeds/"$t" tests/data/malformed/"$t")
  if [ "$t" = onnx_loader ]; then
    mkdir -p "$B/seeds/onnx_loader"
    cp tests/data/models/*.onnx tests/data/malformed/*.onnx tests/fuzz/seeds/*.onnx "$B/seeds/onnx_loader/"
    dirs+=("$B/seeds/onnx_loader")
  fi
  for d in "${dirs[@]}"; do [ -d "$d" ] && echo "$d"; done
  return 0
}

# Build type "Fuzz": only these flags (-O1 with line tables, assertions on), the usual fuzzing build
# (quick to compile, symbolized reports).
FLAGS="-O1 -gline-tables-only -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
FLAGS+=" -fno-omit-frame-pointer"
LAUNCHER=()
command -v ccache >/dev/null && LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
for t in "${TARGETS[@]}"; do
  [[ " ${ALL_TARGETS[*]} " == *" $t "* ]] || { echo "unknown fuzz target '$t' (see --list)" >&2; exit 2; }
done
if [ -z "${FUZZ_NO_BUILD:-}" ]; then
  cmake -S . -B "$B" -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=Fuzz -DCMAKE_CXX_FLAGS_FUZZ= "${LAUNCHER[@]}" \
    -DTACHYON_BUILD_PYTHON=OFF -DTACHYON_BUILD_BENCH=OFF -DTACHYON_BUILD_E2E=OFF -DCMAKE_CXX_FLAGS="$FLAGS" >/dev/null
  if [ -n "${FUZZ_BUILD_ALL:-}" ]; then
    ninja -C "$B" -j "${FUZZ_BUILD_JOBS:-2}"
  else
    ninja -C "$B" -j "${FUZZ_BUILD_JOBS:-2}" tachyon_fuzz
  fi
fi
[ "$SECS" = 0 ] && exit 0

export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/fuzz/lsan.supp}
NICE=()
[ -n "${FUZZ_NICE:-}" ] && NICE=(nice -n "$FUZZ_NICE")
RUNS=()
[ -n "${FUZZ_RUNS:-}" ] && RUNS=(-runs="$FUZZ_RUNS")
failed=()
summary=""
for t in "${TARGETS[@]}"; do
  mkdir -p "$B/corpus/$t" "$B/artifacts/$t"
  mapfile -t seeds < <(seeds_of "$t")
  log="$B/artifacts/$t/last_run.log"
  echo "== fuzz $t (${SECS} s${FUZZ_RUNS:+, at most $FUZZ_RUNS runs})"
  rc=0
  # -entropic_scale_per_exec_time=1: inputs that run long (YAML alias bombs, JSON nested
  # 50,000 deep, which take a second under the sanitizers) are picked for mutation less
  # often than quick ones, instead of taking most of the time. -purge_allocator_interval=-1:
  # libFuzzer would otherwise, once the process passes half of -rss_limit_mb (the sanitizers'
  # quarantine and caches reach 1 GB in long runs), give the allocator's memory back every
  # second, after which every allocation faults its pages in again: config_yaml dropped from
  # about 1300 to 100 executions per second.
  TACHYON_FUZZ_TARGET=$t "${NICE[@]}" "$B/tests/fuzz/tachyon_fuzz" -max_total_time="$SECS" "${RUNS[@]}" -timeout=10 -rss_limit_mb=2048 \
    -entropic_scale_per_exec_time=1 -purge_allocator_interval=-1 -max_len=65536 -print_final_stats=1 -artifact_prefix="$B/artifacts/$t/" "$B/corpus/$t" "${seeds[@]}" \
    >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  line=$(printf '%-18s %12s execs %8s/s  corpus %5s files' "$t" "${execs:-?}" "${speed:-?}" "$(ls "$B/corpus/$t" | wc -l)")
  if [ "$rc" -ne 0 ]; then
    tail -n 60 "$log"
    line+="  FAILED (exit $rc, see $log and $B/artifacts/$t/)"
    failed+=("$t")
  fi
  echo "$line"
  summary+="$line"$'\n'
done
echo "== fuzz summary"
printf '%s' "$summary"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz targets with findings: ${failed[*]}" >&2
  exit 1
fi
