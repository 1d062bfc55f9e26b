#!/usr/bin/env bash
# The main job on a real trained jet tagger (Keras, 16-64-32-32-5 with batch normalization,
# hls4ml example-models) and 1,000 real jets: set up, convert, emulate (float accuracy vs the
# firmware's), generate HLS and Verilog, verify both bit for bit, report resources and latency.
#   bash scripts/demo.sh                 (writes into demo_out/, replaced on every run)
#   CONFIG=my.yml bash scripts/demo.sh   (your own precision configuration instead of calibrating)
set -euo pipefail
cd "$(dirname "$0")/.."
# Builds only the command-line tool (the tests are built by scripts/test.sh).
TARGETS=tachyon bash scripts/setup.sh
T=build/tachyon
D=tests/data/keras/jet_tagger
M=$D/KERAS_3layer_batch_norm.json          # weights: KERAS_3layer_batch_norm_weights.h5 beside it
X=$D/jets_std.inputs.npy                    # 1,000 real jets, 16 standardized features
F=$D/KERAS_3layer_batch_norm.float_out.npy  # the float model's outputs (independent numpy evaluation)
L=$D/labels_gqwzt.npy                       # true classes in the model's output order g, q, w, z, t
OUT=${OUT:-demo_out}
rm -rf "$OUT" && mkdir -p "$OUT"
step() { printf '\n== %s\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }

if [ -n "${CONFIG:-}" ]; then
  CFG=$CONFIG
else
  CFG=$OUT/jet_tagger.yml
  step "0. calibrate: the narrowest types (searched with the emulator) that keep the accuracy within 1 point of float" \
    $T config $M --calibrate $X --labels $L --max-accuracy-drop 0.01 --granularity name -o "$CFG"
fi

step "1. convert: import the Keras model with the chosen precisions and show the typed IR" \
  $T inspect $M -c "$CFG"
step "2. emulate: bit-exact firmware predictions for the 1,000 jets, with the overflow table" \
  $T predict $M -c "$CFG" -i $X -o "$OUT/pred.npy" --stats
step "   accuracy of the emulated firmware (first) and of the float model (second) on the true labels" \
  $T compare "$OUT/pred.npy" $F --labels $L
step "3. generate: a Vitis HLS project" \
  $T convert $M -c "$CFG" --backend hls -o "$OUT/jet_tagger_hls" --project-name jet_tagger
step "   its C simulation (g++ with our ap_fixed headers)" \
  $T simulate "$OUT/jet_tagger_hls" -i $X -o "$OUT/csim.npy"
step "   C simulation == emulator, bit for bit" \
  $T compare "$OUT/csim.npy" "$OUT/pred.npy" --require-equal
step "   synthesizable Verilog at 200 MHz" \
  $T convert $M -c "$CFG" --backend verilog --clock-period 5 -o "$OUT/jet_tagger_rtl"
step "   its RTL simulation (Verilator)" \
  $T simulate "$OUT/jet_tagger_rtl" -i $X -o "$OUT/rtl.npy"
step "   RTL simulation == emulator, bit for bit" \
  $T compare "$OUT/rtl.npy" "$OUT/pred.npy" --require-equal
step "4. report: resources and latency (Yosys synth_xilinx of the whole network: several minutes)" \
  $T report "$OUT/jet_tagger_rtl" --json "$OUT/report.json"
printf '\nAll outputs are in %s/\n' "$OUT"
