#!/usr/bin/env bash
# Verilog backend figures: for each model, convert to RTL at a 5 ns clock (200 MHz), check the
# RTL simulation against the emulator on the 1000 bundled inputs (bit-identical), and
# synthesize with Yosys (synth_xilinx -family xcup) for LUT / FF / CARRY8 / DSP counts; the
# latency comes from the generated pipeline.
#
#   bench/verilog_reports.sh [BUILD_DIR] [OUT_DIR] [MODEL...]
#
# Defaults: BUILD_DIR=build, OUT_DIR=/tmp/tachyon_verilog_reports, models
# jet_mlp_linear_out (default ap_fixed<16,6> precisions) and qonnx_mlp_w4a6; add "+dsp" to a
# model name (e.g. jet_mlp_linear_out+dsp) to map multiplications to DSP48E2 blocks.
# Yosys on the 16-bit jet MLP takes several minutes.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
OUT=${2:-/tmp/tachyon_verilog_reports}
shift $(( $# > 2 ? 2 : $# )) || true
MODELS=("$@")
[ ${#MODELS[@]} -eq 0 ] && MODELS=(jet_mlp_linear_out qonnx_mlp_w4a6)
T=$BUILD/tachyon
M=$ROOT/tests/data/models
PY=/usr/bin/python3
[ -x "$T" ] || { echo "no tachyon executable at $T (build it first)" >&2; exit 1; }
mkdir -p "$OUT"
. "$ROOT/bench/rtl_report.sh"
for spec in "${MODELS[@]}"; do
  model=${spec%+dsp}
  extra=()
  [ "$spec" != "$model" ] && extra=(--dsp)
  rtl_report "$T" "$OUT" "$spec" "$M/$model.onnx" "$M/$model.inputs.npy" "" "${extra[@]}"
done
echo
echo "== summary (clock 5 ns, Yosys synth_xilinx -family xcup; RTL bit-identical to the emulator on 1000 inputs)"
$PY - "$OUT" "${MODELS[@]}" <<'PYEOF'
import json, sys
out = sys.argv[1]
print(f"{'model':<26}{'LUT':>8}{'FF':>8}{'CARRY8':>8}{'DSP':>6}{'BRAM36':>8}{'cycles':>8}{'ns':>8}{'Fmax(model)':>13}")
for spec in sys.argv[2:]:
    r = json.load(open(f"{out}/{spec}.report.json"))
    res, lat, tm = r["resources"], r["latency"], r["timing"]
    print(f"{spec:<26}{res['LUT']:>8}{res['FF']:>8}{res['CARRY8']:>8}{res['DSP']:>6}{res['BRAM_36K_equivalent']:>8}"
          f"{lat['cycles']:>8}{lat['ns']:>8.1f}{tm['model_fmax_mhz']:>10.0f} MHz")
PYEOF
