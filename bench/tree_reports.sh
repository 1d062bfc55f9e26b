#!/usr/bin/env bash
# Verilog figures for boosted decision trees: trains two XGBoost models on the bundled jets
# (tests/data/jets_hlf/jsc_openml_test1000.npz, 16 features; first 600 jets for training),
# converts them to RTL at a CLOCK ns clock (default 5 ns = 200 MHz), checks the RTL simulation of the 1000 jets
# against the emulator (bit-identical), and synthesizes with Yosys (synth_xilinx -family
# xcup) for LUT / FF counts; the latency comes from the generated pipeline.
#
#   bench/tree_reports.sh [BUILD_DIR] [OUT_DIR]
#
# Models (100 trees of depth 4 each):
#   bdt_binary — binary:logistic, class 0 against the rest, 100 boosting rounds;
#   bdt_5class — multi:softprob on the 5 classes, 20 rounds x 5 classes = 100 trees.
# Precisions (docs/trees.md "Choosing precisions"): input INPUT_T (default
# ap_fixed<24,10,AP_RND_CONV,AP_SAT>), thresholds = the input type, score and result
# SCORE_T (default ap_fixed<18,8,AP_RND_CONV,AP_SAT>); override with the environment
# variables INPUT_T / SCORE_T. Yosys takes a few minutes per model.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
OUT=${2:-/tmp/tachyon_tree_reports}
INPUT_T=${INPUT_T:-ap_fixed<24,10,AP_RND_CONV,AP_SAT>}
SCORE_T=${SCORE_T:-ap_fixed<18,8,AP_RND_CONV,AP_SAT>}
T=$BUILD/tachyon
PY=/usr/bin/python3
DATA=$ROOT/tests/data/jets_hlf/jsc_openml_test1000.npz
MODELS=(bdt_binary bdt_5class)
[ -x "$T" ] || { echo "no tachyon executable at $T (build it first)" >&2; exit 1; }
mkdir -p "$OUT"

echo "== training (XGBoost, /usr/bin/python3)"
$PY - "$DATA" "$OUT" <<'PYEOF'
import sys
import numpy as np
import xgboost as xgb
data, out = sys.argv[1], sys.argv[2]
d = np.load(data)
X = d["X"].astype(np.float64)
y = d["y"].astype(int)
assert X.shape == (1000, 16), X.shape
np.save(f"{out}/x.npy", X)
tr = slice(0, 600)
models = {
    "bdt_binary": (dict(objective="binary:logistic", n_estimators=100, max_depth=4), (y == 0).astype(int)),
    "bdt_5class": (dict(objective="multi:softprob", n_estimators=20, max_depth=4), y),
}
for name, (params, target) in models.items():
    m = xgb.XGBClassifier(tree_method="exact", random_state=0, **params)
    m.fit(X[tr], target[tr])
    m.save_model(f"{out}/{name}.json")
    print(f"{name}: {len(m.get_booster().get_dump())} trees, training accuracy "
          f"{(m.predict(X[tr]) == target[tr]).mean():.3f}, held-out {(m.predict(X[600:]) == target[600:]).mean():.3f}")
PYEOF

cat > "$OUT/trees.yml" <<EOF
LayerName:
  x:
    Precision: $INPUT_T
  bdt:
    Precision:
      threshold: auto
      score: $SCORE_T
      result: $SCORE_T
EOF

. "$ROOT/bench/rtl_report.sh"
for name in "${MODELS[@]}"; do
  rtl_report "$T" "$OUT" "$name" "$OUT/$name.json" "$OUT/x.npy" "$OUT/trees.yml"
done
echo
echo "== summary (clock ${CLOCK:-5} ns, Yosys synth_xilinx -family xcup; RTL bit-identical to the emulator on 1000 jets)"
echo "   input $INPUT_T, score/result $SCORE_T"
$PY - "$OUT" "${MODELS[@]}" <<'PYEOF'
import json, sys
out = sys.argv[1]
print(f"{'model':<14}{'trees':>7}{'LUT':>9}{'FF':>9}{'CARRY8':>8}{'DSP':>5}{'cycles':>8}{'ns':>7}{'Fmax(model)':>13}")
for name in sys.argv[2:]:
    r = json.load(open(f"{out}/{name}.report.json"))
    m = json.load(open(f"{out}/{name}/tachyon_project.json"))
    res, lat, tm = r["resources"], r["latency"], r["timing"]
    trees = len(json.load(open(f"{out}/{name}.json"))["learner"]["gradient_booster"]["model"]["trees"])
    print(f"{name:<14}{trees:>7}{res['LUT']:>9}{res['FF']:>9}{res['CARRY8']:>8}{res['DSP']:>5}"
          f"{lat['cycles']:>8}{lat['ns']:>7.1f}{tm['model_fmax_mhz']:>10.0f} MHz")
    assert lat["cycles"] == m["latency_cycles"]
PYEOF
