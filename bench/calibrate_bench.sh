#!/usr/bin/env bash
# Calibration time of the raw-feature jet tagger (tests/data/calib/jet_raw.onnx) on 10k and
# 100k samples: the 1,000 bundled jets repeated with 1% multiplicative noise (fixed seed).
# Usage: bash bench/calibrate_bench.sh [build]
set -euo pipefail
B=${1:-build}
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
/usr/bin/python3 - "$D" <<'PY'
import sys, numpy as np
d = sys.argv[1]
x = np.concatenate([np.load(f"tests/data/calib/jets_raw_{h}.npy") for h in "ab"])
rng = np.random.default_rng(7)
for n in (10_000, 100_000):
    idx = np.arange(n) % len(x)
    np.save(f"{d}/x{n}.npy", (x[idx] * (1 + 0.01 * rng.standard_normal((n, x.shape[1])))).astype(np.float32))
PY
for n in 10000 100000; do
  echo "== $n samples"
  /usr/bin/time -f "wall %e s, max RSS %M kB" "$B/tachyon" profile tests/data/calib/jet_raw.onnx -i "$D/x$n.npy" -q
  /usr/bin/time -f "wall %e s, max RSS %M kB" "$B/tachyon" config tests/data/calib/jet_raw.onnx --calibrate "$D/x$n.npy" \
    --min-agreement 0.99 -o "$D/cal$n.yml" | tail -5
done
