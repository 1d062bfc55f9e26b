#!/usr/bin/env bash
# The main job on the bundled jet-tagging MLP: set up, convert, emulate, generate, verify, report.
#   bash scripts/demo.sh            (writes into demo_out/, replaced on every run)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
T=build/tachyon
D=tests/data/models
OUT=${OUT:-demo_out}
rm -rf "$OUT" && mkdir -p "$OUT"
step() { printf '\n== %s\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }

step "1. convert: import jet_mlp.onnx and show the typed IR (defaults: ap_fixed<16,6>)" \
  $T inspect $D/jet_mlp.onnx
step "2. emulate: bit-exact predictions for the 1000 bundled jets, with the overflow table" \
  $T predict $D/jet_mlp.onnx -i $D/jet_mlp.inputs.npy -o "$OUT/jet_mlp.pred.npy" --stats
step "   accuracy against the float model" \
  $T compare "$OUT/jet_mlp.pred.npy" $D/jet_mlp.float_out.npy
step "3. generate: a Vitis HLS project" \
  $T convert $D/jet_mlp.onnx --backend hls -o "$OUT/jet_mlp_hls" --project-name jet_mlp
step "   its C simulation must equal the emulator bit for bit" \
  $T simulate "$OUT/jet_mlp_hls" -i $D/jet_mlp.inputs.npy -o "$OUT/jet_mlp.csim.npy"
step "   compare C simulation and emulator" \
  $T compare "$OUT/jet_mlp.csim.npy" "$OUT/jet_mlp.pred.npy" --require-equal
step "   generate Verilog for the QONNX 4-bit MLP at 200 MHz" \
  $T convert $D/qonnx_mlp_w4a6.onnx --backend verilog --clock-period 5 -o "$OUT/w4a6_rtl"
step "   RTL simulation (Verilator) must equal the emulator" \
  $T simulate "$OUT/w4a6_rtl" -i $D/qonnx_mlp_w4a6.inputs.npy -o "$OUT/w4a6.rtl.npy"
$T predict $D/qonnx_mlp_w4a6.onnx -i $D/qonnx_mlp_w4a6.inputs.npy -o "$OUT/w4a6.pred.npy" >/dev/null
step "   compare RTL simulation and emulator" \
  $T compare "$OUT/w4a6.rtl.npy" "$OUT/w4a6.pred.npy" --require-equal
step "4. report: Yosys synth_xilinx resources and latency" \
  $T report "$OUT/w4a6_rtl" --json "$OUT/w4a6_report.json"
printf '\nAll outputs are in %s/\n' "$OUT"
