#!/usr/bin/env bash
# Folded (time-multiplexed) Dense layers in Verilog: the trained Keras jet tagger of the main
# job (16-64-32-32-5 with batch normalization) at hls4ml's default ap_fixed<16,6>, with one
# Model-wide ReuseFactor per run. Each design is simulated on the 1,000 bundled jets and must
# equal the emulator bit for bit, then synthesized with Yosys (synth.ys; products on DSP48E2).
#
#   bench/reuse_table.sh [BUILD_DIR] [OUT_DIR] [R...]      (default R: 1 4 16 64)
#
# Prints LUT / FF / CARRY8 / DSP, latency and interval (cycles) per ReuseFactor. ReuseFactor 1
# (fully parallel, shift-and-add) takes Yosys several minutes.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
OUT=${2:-/tmp/tachyon_reuse_table}
shift $(( $# > 2 ? 2 : $# )) || true
RS=("$@")
[ ${#RS[@]} -eq 0 ] && RS=(1 4 16 64)
T=$BUILD/tachyon
D=$ROOT/tests/data/keras/jet_tagger
M=$D/KERAS_3layer_batch_norm.json
X=$D/jets_std.inputs.npy
[ -x "$T" ] || { echo "no tachyon executable at $T (build it first)" >&2; exit 1; }
mkdir -p "$OUT"
. "$ROOT/bench/rtl_report.sh"
for r in "${RS[@]}"; do
  printf 'Model:\n  Precision: ap_fixed<16,6>\n  ReuseFactor: %s\n' "$r" > "$OUT/r$r.yml"
  rtl_report "$T" "$OUT" "r$r" "$M" "$X" "$OUT/r$r.yml"
done
echo
echo "== jet tagger, ap_fixed<16,6>, clock ${CLOCK:-5} ns, Yosys synth.ys; RTL bit-identical to the emulator on 1000 jets"
/usr/bin/python3 - "$OUT" "${RS[@]}" <<'PYEOF'
import json, sys
out = sys.argv[1]
print(f"{'ReuseFactor':>11}{'LUT':>9}{'FF':>8}{'CARRY8':>8}{'DSP':>6}{'cycles':>8}{'interval':>10}")
for r in sys.argv[2:]:
    j = json.load(open(f"{out}/r{r}.report.json"))
    res, lat = j["resources"], j["latency"]
    print(f"{r:>11}{res['LUT']:>9}{res['FF']:>8}{res['CARRY8']:>8}{res['DSP']:>6}{lat['cycles']:>8}{lat['interval_cycles']:>10}")
PYEOF
