#!/usr/bin/env bash
# Streaming predict: `tachyon predict` on a large .npy (default 10 million jet samples, 16
# float32 features = 640 MB in, 10M x 5 float64 = 400 MB out) reads, emulates and writes in
# chunks. Prints the peak resident memory (/usr/bin/time -v), the wall time and the
# throughput, for the default chunk and a small one, and checks that the first and last
# rows equal a direct predict of those rows.
#
#   bench/predict_stream.sh [BUILD_DIR] [SAMPLES] [WORK_DIR]
#
# Defaults: BUILD_DIR=build, SAMPLES=10000000, WORK_DIR=/tmp/tachyon_predict_stream (about
# 1.1 GB of files, removed at the end). Figures depend on the machine.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
N=${2:-10000000}
WORK=${3:-/tmp/tachyon_predict_stream}
T=$BUILD/tachyon
MODEL=$ROOT/tests/data/models/jet_mlp.onnx
mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT
/usr/bin/python3 - "$ROOT/tests/data/models/jet_mlp.inputs.npy" "$WORK/x.npy" "$N" <<'PY'
import sys
import numpy as np
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
base = np.load(src).astype(np.float32)
# Written in blocks through a memory map: this script never holds the whole array either.
x = np.lib.format.open_memmap(dst, mode="w+", dtype=np.float32, shape=(n, base.shape[1]))
rng = np.random.default_rng(0)
for s in range(0, n, 1_000_000):
    e = min(n, s + 1_000_000)
    x[s:e] = base[rng.integers(0, len(base), e - s)]
x.flush()
PY
echo "input: $(du -h "$WORK/x.npy" | cut -f1) ($N samples x 16 float32)"
run() {
  local label=$1
  shift
  /usr/bin/time -v "$T" predict "$MODEL" -i "$WORK/x.npy" -o "$WORK/y.npy" "$@" >"$WORK/out.txt" 2>"$WORK/time.txt"
  local rss wall
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time.txt")
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$WORK/time.txt")
  echo "$label: peak RSS $((rss / 1024)) MiB, wall $wall"
  grep "samples/s" "$WORK/out.txt"
}
run "default chunk"
run "--chunk 10000" --chunk 10000
echo "output: $(du -h "$WORK/y.npy" | cut -f1)"
/usr/bin/python3 - "$T" "$MODEL" "$WORK" <<'PY'
import subprocess, sys
import numpy as np
t, model, work = sys.argv[1:]
x = np.load(f"{work}/x.npy", mmap_mode="r")
y = np.load(f"{work}/y.npy", mmap_mode="r")
for name, rows in (("first", slice(0, 1000)), ("last", slice(len(x) - 1000, len(x)))):
    np.save(f"{work}/part.npy", np.asarray(x[rows]))
    subprocess.run([t, "predict", model, "-i", f"{work}/part.npy", "-o", f"{work}/part_y.npy", "-q"], check=True)
    ok = np.array_equal(np.load(f"{work}/part_y.npy"), np.asarray(y[rows]))
    print(f"{name} 1000 rows equal to a direct predict: {ok}")
    if not ok:
        sys.exit(1)
PY
